#!/bin/bash
# The floors of the tree: core <- metrics <- datasets; core <- model; harness over all (README, "Architecture").
# Fails, naming each offending line, when an include runs against them or LibTorch leaks out of model/.
# Usage: bash scripts/check_floors.sh [ROOT]          (scripts/test.sh runs it before building)
set -uo pipefail
cd "${1:-$(dirname "$0")/..}"
status=0
# area: the areas it must not include
for rule in "core:metrics|datasets|model|harness|benchmarks" "metrics:datasets|model|harness|benchmarks" \
            "datasets:model|harness|benchmarks" "model:datasets|metrics|harness|benchmarks"; do
  area=${rule%%:*}
  [ -d "$area" ] || continue
  hits=$(grep -rnE --include='*.h' --include='*.cpp' --include='*.cc' --include='*.cu' --include='*.cuh' \
           "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"(${rule#*:})/" "$area")
  if [ -n "$hits" ]; then
    echo "floors: $area/ may include only the floors below it (README, \"Architecture\"):" >&2
    echo "$hits" >&2
    status=1
  fi
done
# LibTorch headers only inside model/ (the plain C++ areas build without them).
hits=$(grep -rnE --include='*.h' --include='*.cpp' --include='*.cc' \
         '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](torch|ATen|c10|caffe2)/' core metrics datasets harness 2>/dev/null)
if [ -n "$hits" ]; then
  echo "floors: LibTorch headers belong in model/ only:" >&2
  echo "$hits" >&2
  status=1
fi
exit $status
