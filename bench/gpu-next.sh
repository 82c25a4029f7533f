#!/usr/bin/env bash
# The seventh session's last device call (at most four minutes; BUDGET=230, device timeout_s 250):
#   examples     the dataset pass on its new default (examples.precision: auto, float16 on a GPU) over 30,000 images
#                (the figure earlier sessions quote) and 100,000 (steady state), against float32 in the same process;
#   atlas-run    a whole `atlas run` of a random-weight GoogLeNet on 2,000 noise PNGs (bench/gpu-atlas-run.sh), so
#                the float16 dataset pass also runs inside the job grains; its log names the working copies' types.
# The seventh session's first calls are recorded in bench/RESULTS.md.
BUDGET=${BUDGET:-230}
source "$(dirname "$0")/gpu-common.sh"
ex=("$atlas" bench examples --model googlenet --batch 512)
step examples 40 "${ex[@]}" --images 30000 --precision auto,float32
step examples-100k 50 "${ex[@]}" --images 100000 --precision auto,float32
sed -i 's/-v normal/-v detailed/' "$(dirname "$0")/gpu-atlas-run.sh"
LIMIT=100 UNITS=8 STEPS=128 step atlas-run 120 bash "$(dirname "$0")/gpu-atlas-run.sh"
grep -ihE "working copy|float16|overflow" /tmp/atlas-gpu-run/run.log | head -8
echo "== finished after $(( $(date +%s) - start ))s"
