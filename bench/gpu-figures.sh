#!/usr/bin/env bash
# Issue 8's figures on the defaults, in about three and a half minutes: the dataset pass (float32, the
# default, and bfloat16 with its agreement), (a) one channel at a time and (b) the batched engine on
# inception4a (bf16 and fp32), then every channel of the model. Same setup as gpu-check.sh.
BUDGET=${BUDGET:-225}
source "$(dirname "$0")/gpu-common.sh"
step examples 40 "$atlas" bench examples --model googlenet --images 30000 --batch 512 --precision both
step featurevis 60 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 1 --precision bfloat16
step all-layers 160 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --all-layers --single 0
grep "done at" "$OUT/all-layers.log" | tail -12
echo "== finished after $(( $(date +%s) - start ))s"
