#!/usr/bin/env bash
# The seventh session's third device call (at most four minutes; BUDGET=240, device timeout_s 260):
#   examples        the dataset pass over 100,000 images in float32, bfloat16 and float16 on their defaults: steady
#                   state, where 30,000 images (2 s) also count the start and end of a pass;
#   profile-scan    Nsight Systems' kernel and copy summaries of a float32 dataset pass (how busy the GPU is);
#   profile-render  the same for 8 rendering steps in bfloat16 and 8 of the float32 twin on today's defaults.
# The seventh session's first two calls are recorded in bench/RESULTS.md.
BUDGET=${BUDGET:-240}
source "$(dirname "$0")/gpu-common.sh"
ex=("$atlas" bench examples --model googlenet --batch 512)
step examples 70 "${ex[@]}" --images 100000 --precision float32,bfloat16,float16
NSYS=$(command -v nsys || ls /opt/nvidia/nsight-systems/*/bin/nsys /usr/local/cuda*/bin/nsys 2>/dev/null | head -1)
if [[ -n "$NSYS" ]]; then
  step profile-scan 60 "$NSYS" profile -t cuda --force-overwrite true -o "$OUT/scan" "${ex[@]}" --images 20000 --precision float32
  "$NSYS" stats --report cuda_gpu_kern_sum,cuda_gpu_mem_time_sum --format csv --output "$OUT/scan" "$OUT/scan.nsys-rep" > /dev/null 2>&1
  python3 "$(dirname "$0")/ncu_summary.py" "$OUT"/scan*kern_sum*.csv --top 25
  head -8 "$OUT"/scan*mem_time_sum*.csv
  step profile-render 60 "$NSYS" profile -t cuda --force-overwrite true -o "$OUT/render" "$atlas" bench featurevis --model googlenet --size 128 \
    --layer inception4a --units 512 --single 0 --precision bfloat16 --steps 8
  "$NSYS" stats --report cuda_gpu_kern_sum --format csv --output "$OUT/render" "$OUT/render.nsys-rep" > /dev/null 2>&1
  python3 "$(dirname "$0")/ncu_summary.py" "$OUT"/render*kern_sum*.csv --steps 16 --top 30
  rm -f "$OUT"/*.nsys-rep "$OUT"/*.sqlite
fi
echo "== finished after $(( $(date +%s) - start ))s"
