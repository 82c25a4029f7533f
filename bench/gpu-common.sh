#!/usr/bin/env bash
# Shared by the bench/gpu-*.sh scripts (sourced, not run): unpacks the self-contained GPU publish
# (.gpu/atlas.tar.xz, see gpu-check.sh) to /tmp/atlas, points TorchSharp at PyTorch's torch/lib, and
# defines `step NAME SECONDS COMMAND...`, which runs a command with a limit of min(SECONDS, time left
# of BUDGET), logs it to $OUT/NAME.log and prints its figure lines.
set -uo pipefail
OUT=${OUT:-/tmp/atlas-gpu-check}
BUDGET=${BUDGET:-570}
mkdir -p "$OUT" /tmp/atlas
start=$(date +%s)
left() { echo $(( BUDGET - ($(date +%s) - start) )); }
step() {
  local name=$1 limit=$2; shift 2
  local remaining; remaining=$(left)
  (( remaining < 20 )) && { echo "== $name skipped: ${remaining}s left"; return 1; }
  (( limit > remaining )) && limit=$remaining
  echo "== $name (limit ${limit}s, $(left)s left)"
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  grep -E "FIGURE|PIXELCACHE|PRECISION|AGREEMENT|^\(a\)|^\(b\)|^dataset|^device|^precision|^atlas run|^site files|error|Exception" "$OUT/$name.log" | grep -v "^\s*at " | head -40
  echo "== $name rc=$rc after $(( $(date +%s) - start ))s"
  return $rc
}
tar -xJf .gpu/atlas.tar.xz -C /tmp/atlas || exit 3
TORCH_LIB=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')") || exit 3
export ATLAS_LIBTORCH_DIR=$TORCH_LIB LD_LIBRARY_PATH=$TORCH_LIB:${LD_LIBRARY_PATH:-}
atlas=/tmp/atlas/atlas/atlas
