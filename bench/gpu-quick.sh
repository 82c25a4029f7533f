#!/usr/bin/env bash
# A short GPU re-check (about two minutes): the dataset pass, and inception4a's batched bf16 figure with
# the max pools' native and scatter backward in one process. Same setup as gpu-check.sh.
BUDGET=${BUDGET:-150}
source "$(dirname "$0")/gpu-common.sh"
step examples 60 "$atlas" bench examples --model googlenet --images 30000 --batch 512
step featurevis 90 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 0 --precision bfloat16 --max-pool both
