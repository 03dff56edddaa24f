#!/bin/bash
# Installs what is missing, builds, and runs the whole test suite (ctest: labels cpu, reference, gpu).
# Usage: bash scripts/test.sh [extra ctest args]        (.ci/run calls this)
set -euo pipefail
cd "$(dirname "$0")/.."
# Headless Chromium renders the HTML report in its test.
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  ($SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null) ||
    echo "test: chromium could not be installed; the HTML rendering test will skip" >&2
fi
# std::filesystem::remove_all and recursive_directory_iterator crash when PyTorch's wheel LibTorch is linked
# (core/remove_tree.h): use infeval::remove_tree.
if grep -rnE --include='*.cpp' --include='*.h' --include='*.cc' 'remove_all[(]|recursive_directory_iterator' \
     core harness datasets metrics model tests benchmarks | grep -v 'core/remove_tree.h'; then
  echo "test: use infeval::remove_tree (core/remove_tree.h) instead of the std::filesystem calls above" >&2
  exit 1
fi
# The floors (README, "Architecture"): includes run only downwards; LibTorch stays in model/.
bash scripts/check_floors.sh
bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
