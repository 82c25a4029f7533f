#!/usr/bin/env bash
# The seventh session's second device call (at most three and a half minutes; BUDGET=200, device timeout_s 220):
#   examples    the dataset pass in float32, bfloat16 and float16, 1×1 convolutions merged in all three so that
#               their top-9 lists can be compared, with libtorch's max pools and the separable ones (rows then
#               columns, model.maxPoolForward);
#   examples2   float32 and float16 on their own defaults, separable pools;
#   featurevis  (b) once more at 512 steps, bfloat16 (the first call's two runs gave 60.7 and 59.8 channels/s).
# The first call (NCHW stem, pool_forms.py, all layers) is recorded in bench/RESULTS.md, seventh session.
BUDGET=${BUDGET:-200}
source "$(dirname "$0")/gpu-common.sh"
ex=("$atlas" bench examples --model googlenet --images 30000 --batch 512)
step examples 90 "${ex[@]}" --precision all --branch-convolutions merged --pool-forward both
step examples2 40 "${ex[@]}" --precision float32,float16 --pool-forward separable
step featurevis 50 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 0 --precision bfloat16
echo "== finished after $(( $(date +%s) - start ))s"
