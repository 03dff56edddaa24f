#!/bin/bash
# Installs what is missing (Debian bookworm packages) and builds infeval into build/.
# Usage: bash scripts/setup.sh            (as root on a fresh machine; idempotent)
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES="build-essential cmake ninja-build pkg-config git libtorch-dev libopenblas0-pthread libfmt-dev
  nlohmann-json3-dev libsentencepiece-dev libgtest-dev libgmock-dev libjpeg62-turbo-dev libpng-dev zlib1g-dev"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Without OpenBLAS's pthread build LibTorch falls back to the reference BLAS (~20x slower).
if [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1 || true
fi
JOBS=${INFEVAL_JOBS:-$(nproc)}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=${INFEVAL_BUILD_TYPE:-Release} >/dev/null
cmake --build build -j "$JOBS"
