#!/usr/bin/env bash
# Issue 8's GPU figures and checks in one run, for a machine with an NVIDIA GPU and a PyTorch install
# but no .NET. Needs a self-contained GPU publish packed as .gpu/atlas.tar.xz: `bash bench/gpu-publish.sh`.
# Each step has its own time limit and the whole run stays within BUDGET seconds; the fast checks go
# first, so a broken setup fails in seconds. Logs go to $OUT (default /tmp/atlas-gpu-check).
BUDGET=${BUDGET:-500}
source "$(dirname "$0")/gpu-common.sh"
nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv
python3 -c "import torch;print('torch', torch.__version__, torch.version.cuda)"

step doctor 30 "$atlas" doctor; cat "$OUT/doctor.log"

# Issue 8's figures first: (a) one channel at a time and (b) the batched engine, GoogLeNet 128 px, 512
# steps, inception4a, in both memory layouts with batch norms kept and folded (bf16), and bf16 pictures
# against fp32 ones; the dataset pass in every variant; eager PyTorch on the same workload with a batch
# sweep and a kernel profile; a whole `atlas run`; then every channel of the model on the defaults.
step featurevis 150 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 1 --precision bfloat16 --memory-format both --batch-norm both --compare-precision 8 -v debug
step examples 110 "$atlas" bench examples --model googlenet --images 20000 --batch 512 --memory-format both --batch-norm both --pixels both --precision both -v debug
step pytorch 100 env PYTHONUNBUFFERED=1 python3 bench/pytorch_reference.py --device cuda --batch 512 --steps 512 --single 1 --images 20000 --bf16 --channels-last --fold --sweep 256,512,1024,2048 --sweep-steps 32 --profile 8
grep -E "^SWEEP|^folded" "$OUT/pytorch.log"; sed -n '/Self CPU/,$p' "$OUT/pytorch.log" | head -45
step atlas-run 90 env LIMIT=80 UNITS=8 STEPS=128 bash bench/gpu-atlas-run.sh
step all-layers 200 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --all-layers --single 0 -v debug
grep "done at" "$OUT/all-layers.log" | tail -12
echo "== finished after $(( $(date +%s) - start ))s"
