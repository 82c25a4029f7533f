#!/usr/bin/env bash
# The seventh session's device call (at most seven minutes; run with BUDGET=420 and the device tool's timeout_s 440):
#   featurevis   issue 8's (a) and (b) at 512 steps, bfloat16, with conv1 and the first pool kept NCHW in the
#                channels-last network against the all-NHWC network (model.stemMemoryFormat), each with its fp32 twin;
#   featurevis2  the same again (run-to-run spread), without (a);
#   examples     the dataset pass in float32, bfloat16 and float16 (examples.precision), each with and without the
#                NCHW stem, and how far bfloat16's and float16's top-9 lists agree with float32's;
#   pools        bench/pool_forms.py: GoogLeNet's max pools alone, NHWC against NCHW;
#   all-layers   all 5,808 channels, with the stem layout that was faster in featurevis.
BUDGET=${BUDGET:-420}
source "$(dirname "$0")/gpu-common.sh"
step doctor 20 "$atlas" doctor; grep -E "device|network" "$OUT/doctor.log"
fv=("$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --precision bfloat16 --stem-memory-format both)
step featurevis 90 "${fv[@]}" --single 1
step featurevis2 80 "${fv[@]}" --single 0
step examples 80 "$atlas" bench examples --model googlenet --images 30000 --batch 512 --precision all --stem-memory-format both
step pools 30 python3 "$(dirname "$0")/pool_forms.py" && grep "all six" "$OUT/pools.log"
# The bfloat16 figures of both runs: with the NCHW stem, and without.
rate() { grep -h "FIGURE batched engine bfloat16" "$OUT"/featurevis*.log | grep $1 "NCHW stem" | sed -E 's/.* ([0-9.]+) channels\/s.*/\1/' | sort -n | tail -1; }
with=$(rate ""); without=$(rate -v); echo "best bf16 (b): NCHW stem $with, NHWC $without"
stem=channelsLast; python3 -c "import sys; sys.exit(0 if float('${with:-0}') > float('${without:-0}') else 1)" && stem=contiguous
step all-layers 150 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --all-layers --single 0 --stem-memory-format $stem
grep "done at" "$OUT/all-layers.log" | tail -12
echo "== finished after $(( $(date +%s) - start ))s"
