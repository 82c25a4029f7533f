#!/usr/bin/env bash
# A short GPU re-check (about two minutes): inception4a's batched figures with cuDNN autotuning off and
# on, and the dataset pass. Same setup as gpu-check.sh.
set -uo pipefail
mkdir -p /tmp/atlas && tar -xJf .gpu/atlas.tar.xz -C /tmp/atlas || exit 3
TORCH_LIB=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')") || exit 3
export ATLAS_LIBTORCH_DIR=$TORCH_LIB LD_LIBRARY_PATH=$TORCH_LIB:${LD_LIBRARY_PATH:-}
atlas=/tmp/atlas/atlas/atlas
run() { echo "== $*"; timeout "$@" 2>&1 | grep -E "FIGURE|PRECISION|done at|error|Exception" | grep -v "^\s*at "; }
run 50 "$atlas" bench examples --model googlenet --images 30000 --batch 512
run 60 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 0 --precision bfloat16
ATLAS_CUDNN_BENCHMARK=1 run 60 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 0 --precision bfloat16
