#!/usr/bin/env bash
# Issue 8's figures on the current defaults, then where a step still goes (at most six and a half minutes; run with
# BUDGET=390 and the device tool's timeout_s 410). The sixth session ran the first five steps (at most 330 s then) and
# recorded them in bench/RESULTS.md; the next session with a device reruns this and compares on the same card.
#   levers      inception4a, bf16 and its fp32 twin, 96 steps, in one process: Inception 1×1 convolutions merged
#               against separate (model.branchConvolutions) × conv1 as space to depth against cuDNN's
#               (model.inputConvolution);
#   featurevis  the headline (a) and (b) figures, 512 steps, bf16 (the default) and float32 on its own defaults;
#   examples    the dataset pass, float32 and bf16, with the same two levers;
#   all-layers  all 5,808 GoogLeNet channels on the defaults;
#   profile     Nsight Systems' kernel summary of 8 bf16 steps and 8 of the fp32 twin (what is left of a step);
#   conv1       bench/conv1_forms.py: conv1's forms, including from an NCHW image as the engine gets it (whether
#               computing the space-to-depth convolution NCHW and converting after would be faster still).
BUDGET=${BUDGET:-390}
source "$(dirname "$0")/gpu-common.sh"
step doctor 20 "$atlas" doctor; grep -E "device|network" "$OUT/doctor.log"
fv=("$atlas" bench featurevis --model googlenet --size 128 --layer inception4a --units 512 --single 0 --precision bfloat16)
step levers 60 "${fv[@]}" --steps 96 --branch-convolutions both --input-convolution both
step featurevis 50 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 1 --precision bfloat16
step examples 50 "$atlas" bench examples --model googlenet --images 30000 --batch 512 --precision both --branch-convolutions both --input-convolution both
step all-layers 150 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --all-layers --single 0
grep "done at" "$OUT/all-layers.log" | tail -12
NSYS=$(command -v nsys || ls /opt/nvidia/nsight-systems/*/bin/nsys /usr/local/cuda*/bin/nsys 2>/dev/null | head -1)
if [[ -n "$NSYS" ]]; then
  step profile 60 "$NSYS" profile -t cuda --force-overwrite true -o "$OUT/engine" "${fv[@]}" --steps 8
  "$NSYS" stats --report cuda_gpu_kern_sum --format csv --output "$OUT/kernels" "$OUT/engine.nsys-rep" > /dev/null 2>&1
  python3 "$(dirname "$0")/ncu_summary.py" "$OUT"/kernels*.csv --steps 16 --top 30
fi
step conv1 40 python3 "$(dirname "$0")/conv1_forms.py" && grep CONV1 "$OUT/conv1.log"
echo "== finished after $(( $(date +%s) - start ))s"
