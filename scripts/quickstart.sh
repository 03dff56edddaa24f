#!/bin/bash
# Installs what is missing, builds, and runs the main job on the embedded default: the bundled tiny InfMLLM
# checkpoint (tests/fixtures/tiny-infmllm) on every bundled mini benchmark (tests/data/mini), then prints the
# leaderboard. Rerunning resumes (finished samples are skipped). Needs the native backend (LibTorch).
# Usage: bash scripts/quickstart.sh [extra `infeval run` flags]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
OUT=${INFEVAL_QUICKSTART_OUT:-results/quickstart}
if build/harness/infeval list backends | grep -qx native; then
  build/harness/infeval run --model tiny-infmllm --tasks all --data-root tests/data/mini --output "$OUT" \
    --batch-size 8 "$@"
else
  # The tiny model needs the native backend (LibTorch); there are no bundled predictions to replay instead.
  echo "quickstart: build/harness/infeval has no native backend (LibTorch was not found at build time);" \
    "install libtorch-dev and rerun bash scripts/setup.sh" >&2
  exit 1
fi
