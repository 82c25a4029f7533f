#!/usr/bin/env bash
# Space to depth for the image's convolution on a GPU, then issue 8's figures on the defaults (at most five and
# a half minutes; run with BUDGET=330 and the device tool's timeout_s 350). After `atlas doctor`:
#   levers      inception4a, bf16 and its fp32 twin, 96 steps, in one process: Inception 1×1 convolutions merged
#               against separate (model.branchConvolutions) × conv1 as space to depth against cuDNN's
#               (model.inputConvolution);
#   featurevis  the headline (a) and (b) figures, 512 steps;
#   examples    the dataset pass, float32 and bf16, with the same two levers;
#   all-layers  all 5,808 GoogLeNet channels on the defaults.
# The conv1 micro-benchmark (bench/conv1_forms.py) and PyTorch's step with conv1 as space to depth
# (pytorch_reference.py --s2d-input) were measured before this script, in the same session.
BUDGET=${BUDGET:-330}
source "$(dirname "$0")/gpu-common.sh"
step doctor 20 "$atlas" doctor; grep -E "device|network" "$OUT/doctor.log"
fv=("$atlas" bench featurevis --model googlenet --size 128 --layer inception4a --units 512 --single 0 --precision bfloat16)
step levers 60 "${fv[@]}" --steps 96 --branch-convolutions both --input-convolution both
step featurevis 50 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --single 1 --precision bfloat16
step examples 50 "$atlas" bench examples --model googlenet --images 30000 --batch 512 --precision both --branch-convolutions both --input-convolution both
step all-layers 150 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --all-layers --single 0
grep "done at" "$OUT/all-layers.log" | tail -12
echo "== finished after $(( $(date +%s) - start ))s"
