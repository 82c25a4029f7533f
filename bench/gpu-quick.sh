#!/usr/bin/env bash
# A short GPU re-check (about two minutes): the dataset pass and inception4a's batched bf16 figure, each
# in both memory layouts (contiguous and channels-last) in one process. Same setup as gpu-check.sh.
set -uo pipefail
mkdir -p /tmp/atlas && tar -xJf .gpu/atlas.tar.xz -C /tmp/atlas || exit 3
TORCH_LIB=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')") || exit 3
export ATLAS_LIBTORCH_DIR=$TORCH_LIB LD_LIBRARY_PATH=$TORCH_LIB:${LD_LIBRARY_PATH:-}
atlas=/tmp/atlas/atlas/atlas
run() { echo "== $*"; timeout "$@" 2>&1 | grep -E "FIGURE|PRECISION|AGREEMENT|done at|error|Exception" | grep -v "^\s*at "; }
run 60 "$atlas" bench examples --model googlenet --images 30000 --batch 512 --memory-format both --pixels both
run 90 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 0 --precision bfloat16 --memory-format both
