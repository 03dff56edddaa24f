#!/bin/bash
# scripts/check_floors.sh on a tiny made-up tree: passes on includes that run downwards, fails (naming the line)
# on one that runs up a floor and on a LibTorch header outside model/.
set -euo pipefail
check="$(cd "$(dirname "$0")/../.." && pwd)/scripts/check_floors.sh"
tree=$(mktemp -d)
trap 'rm -r "$tree"' EXIT
mkdir -p "$tree"/{core,metrics,datasets,model,harness}
echo '#include "core/error.h"' > "$tree/metrics/a.h"
echo '#include "metrics/a.h"' > "$tree/datasets/b.cpp"
echo '#include "core/error.h"' > "$tree/model/c.cpp"
echo '#include "model/c.h"' > "$tree/harness/d.cpp"
echo '#include <torch/torch.h>' > "$tree/model/e.cpp"
bash "$check" "$tree" || { echo "FAIL: a tree with downward includes only was refused"; exit 1; }
echo '#include "datasets/b.h"' >> "$tree/metrics/a.h"
if out=$(bash "$check" "$tree" 2>&1); then echo "FAIL: metrics/ including datasets/ passed"; exit 1; fi
grep -q 'metrics/a.h:2:#include "datasets/b.h"' <<<"$out" || { echo "FAIL: the offending line is not named: $out"; exit 1; }
sed -i '2d' "$tree/metrics/a.h"
echo '#include <ATen/ATen.h>' > "$tree/harness/f.cpp"
if bash "$check" "$tree" 2>/dev/null; then echo "FAIL: a LibTorch header in harness/ passed"; exit 1; fi
echo "ok"
