#!/usr/bin/env bash
# The fifth session's levers on a GPU, then issue 8's figures on the new defaults (at most nine and a half
# minutes; run with BUDGET=570 and the device tool's timeout_s 590). After `atlas doctor`, in priority order:
#   levers    inception4a, bf16 and its fp32 twin, 96 steps, in one process: Inception 1×1 convolutions merged
#             against separate (model.branchConvolutions) × conv1 unfolded against cuDNN's
#             (model.inputConvolution); both are on by default on a GPU and were unmeasured there before;
#   examples  the dataset pass, float32 and bf16, with the same two levers (and bf16's top-k agreement);
#   profile   where a step of the engine goes: Nsight Systems' kernel summary when nsys is there (low
#             overhead), else Nsight Compute's (the fourth session's ncu step, which did not finish in 60 s);
#   featurevis and all-layers: the headline figures, as gpu-figures.sh;
#   pytorch   eager PyTorch's step time at batch 512 with cuDNN's conv1 and with it unfolded, and the
#             kernel table by convolution input shape (which layer the slow convolution kernels belong to).
# The broadcast sampling grid and the folded Fourier division have no switch; their effect is in the
# headline figures against bench/RESULTS.md's fourth-session ones (same card needed to compare).
BUDGET=${BUDGET:-570}
source "$(dirname "$0")/gpu-common.sh"
step doctor 20 "$atlas" doctor; grep -E "device|network|cuDNN" "$OUT/doctor.log"
fv=("$atlas" bench featurevis --model googlenet --size 128 --layer inception4a --units 512 --single 0 --precision bfloat16)
step levers 80 "${fv[@]}" --steps 96 --branch-convolutions both --input-convolution both
step examples 90 "$atlas" bench examples --model googlenet --images 30000 --batch 512 --precision both --branch-convolutions both --input-convolution both
NSYS=$(command -v nsys || ls /opt/nvidia/nsight-systems/*/bin/nsys /usr/local/cuda*/bin/nsys 2>/dev/null | head -1)
if [[ -n "$NSYS" ]]; then
  # 8 steps of the bf16 engine and 8 of its fp32 twin (the bench measures both), besides set-up and final evaluations.
  step profile 90 "$NSYS" profile -t cuda --force-overwrite true -o "$OUT/engine" "${fv[@]}" --steps 8
  "$NSYS" stats --report cuda_gpu_kern_sum --format csv --output "$OUT/kernels" "$OUT/engine.nsys-rep" > /dev/null 2>&1
  python3 "$(dirname "$0")/ncu_summary.py" "$OUT"/kernels*.csv --steps 16 --top 45
else
  NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
  step profile 120 "$NCU" --csv --print-units base --metrics gpu__time_duration.sum --cache-control none --clock-control none \
    --target-processes all --launch-count 8000 "${fv[@]}" --steps 2
  python3 "$(dirname "$0")/ncu_summary.py" "$OUT/profile.log" --steps 4 --top 45
fi
step featurevis 60 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 1 --precision bfloat16
step all-layers 150 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --all-layers --single 0
grep "done at" "$OUT/all-layers.log" | tail -12
py=(python3 "$(dirname "$0")/pytorch_reference.py" --device cuda --batch 512 --bf16 --channels-last --fold --skip-figures --sweep 512 --sweep-steps 32 --profile 4)
step pytorch 40 "${py[@]}" && grep -E "SWEEP|CONV" "$OUT/pytorch.log"
step pytorch-unfolded 40 "${py[@]}" --unfold-input && grep -E "SWEEP|CONV" "$OUT/pytorch-unfolded.log"
echo "== finished after $(( $(date +%s) - start ))s"
