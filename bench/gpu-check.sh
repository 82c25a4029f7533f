#!/usr/bin/env bash
# Issue 8's GPU figures and checks in one run, for a machine with an NVIDIA GPU and a PyTorch install
# but no .NET. Needs a self-contained GPU publish packed as .gpu/atlas.tar.xz:
#   dotnet publish src/Atlas.Cli -c Release -r linux-x64 --self-contained -p:AtlasTorchBackend=external -o .gpu/atlas
#   tar -cJf .gpu/atlas.tar.xz -C .gpu atlas
# Each step has its own time limit and the whole run stays within BUDGET seconds; the fast checks go
# first, so a broken setup fails in seconds. Logs go to $OUT (default /tmp/atlas-gpu-check).
set -uo pipefail
OUT=${OUT:-/tmp/atlas-gpu-check}
BUDGET=${BUDGET:-570}
mkdir -p "$OUT" /tmp/atlas
start=$(date +%s)
left() { echo $(( BUDGET - ($(date +%s) - start) )); }
step() { # step NAME SECONDS COMMAND... : runs with a limit of min(SECONDS, time left), logs to $OUT/NAME.log
  local name=$1 limit=$2; shift 2
  local remaining; remaining=$(left)
  (( remaining < 20 )) && { echo "== $name skipped: ${remaining}s left"; return 1; }
  (( limit > remaining )) && limit=$remaining
  echo "== $name (limit ${limit}s, $(left)s left)"
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  grep -E "FIGURE|PRECISION|AGREEMENT|^\(a\)|^\(b\)|^dataset|^device|^precision|^atlas run|^site files|error|Exception" "$OUT/$name.log" | grep -v "^\s*at " | head -40
  echo "== $name rc=$rc after $(( $(date +%s) - start ))s"
  return $rc
}

tar -xJf .gpu/atlas.tar.xz -C /tmp/atlas || exit 3
TORCH_LIB=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')") || exit 3
export ATLAS_LIBTORCH_DIR=$TORCH_LIB LD_LIBRARY_PATH=$TORCH_LIB:${LD_LIBRARY_PATH:-}
atlas=/tmp/atlas/atlas/atlas
nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv
python3 -c "import torch;print('torch', torch.__version__, torch.version.cuda)"

step doctor 60 "$atlas" doctor; cat "$OUT/doctor.log"
step smoke 90 "$atlas" bench featurevis --model googlenet --size 128 --steps 4 --units 8 --single 1 --full-set --compare-precision 2 --memory-format both --batch-norm both -v debug || exit 4
step examples-smoke 60 "$atlas" bench examples --model googlenet --images 2048 --batch 256 --memory-format both --pixels both -v debug || exit 4

# Issue 8's figures first: (a) one channel at a time and (b) the batched engine, GoogLeNet 128 px, 512
# steps, in both memory layouts (bf16 and fp32 each) in one process; the dataset pass with pixels as
# floats and as bytes; then the whole model on the defaults.
step featurevis 120 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 2 --compare-precision 8 --memory-format both -v debug
step examples 90 "$atlas" bench examples --model googlenet --images 30000 --batch 512 --memory-format both --pixels both --precision both -v debug
step all-layers 200 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --all-layers --single 0 -v debug
grep "done at" "$OUT/all-layers.log" | tail -12
# Every pass of a real `atlas run` on CUDA (analysis, Grad-CAM and circuits are not in the benches).
step atlas-run 150 env LIMIT=140 bash bench/gpu-atlas-run.sh
# What folding the batch norms buys, and eager PyTorch on the same workload.
step fold 70 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 0 --batch-norm both -v debug
step pytorch 60 python3 bench/pytorch_reference.py --device cuda --batch 512 --steps 512 --single 1 --images 20000
step pytorch-fast 60 python3 bench/pytorch_reference.py --device cuda --batch 512 --steps 512 --single 1 --images 20000 --bf16 --channels-last
echo "== finished after $(( $(date +%s) - start ))s"
