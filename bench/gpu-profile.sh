#!/usr/bin/env bash
# Where a rendering step of the engine goes on a GPU, and what two switches change (about four minutes):
# inception4a's batched bf16 figure (96 steps) with the max pools' native and scatter backward, the same
# with cuDNN autotuning on, then Nsight Compute's
# kernel times for a short run of the engine summed per kernel (bench/ncu_summary.py), which PyTorch's
# profiler cannot give for a TorchSharp process. Same setup as gpu-check.sh.
BUDGET=${BUDGET:-240}
source "$(dirname "$0")/gpu-common.sh"
fv=("$atlas" bench featurevis --model googlenet --size 128 --layer inception4a --units 512 --single 0 --precision bfloat16)
step pools 30 "${fv[@]}" --steps 96 --max-pool both
step pools-tuned 35 env ATLAS_CUDNN_BENCHMARK=1 "${fv[@]}" --steps 96 --max-pool both
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
# 2 measured steps after 2 warm-up steps, for the bf16 engine and its fp32 twin: 8 steps of kernels, besides
# model set-up and final evaluations. Under Nsight Compute this ran for about 50 s on an H200 and the table
# is printed after the program ends, so the step needs well over 60 s (it got 60 s in the fourth session).
step ncu 150 "$NCU" --csv --print-units base --metrics gpu__time_duration.sum --cache-control none --clock-control none \
  --target-processes all --launch-count 8000 "${fv[@]}" --steps 2 --max-pool scatter
python3 "$(dirname "$0")/ncu_summary.py" "$OUT/ncu.log" --steps 8 --top 45
echo "== finished after $(( $(date +%s) - start ))s"
