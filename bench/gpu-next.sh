#!/usr/bin/env bash
# For the next session lent a device (about six and a half minutes; BUDGET=390, device timeout_s 410, carry
# .gpu/atlas.tar.xz, kind nvidia-h200). The seventh session's four calls are recorded in bench/RESULTS.md; this
# retakes issue 8's figures on the defaults and says where the dataset pass's time goes, which no session has
# profiled yet (Nsight Systems was not on the seventh session's machine; Nsight Compute was on earlier ones):
#   featurevis   (a) and (b) at 512 steps, three times (the seventh session: 60.7, 59.8 and 59.9 channels/s), so that
#                one call settles whether (b) is clearly at or above 60;
#   examples     the dataset pass over 100,000 images on its defaults (float16, and since the eighth session the
#                batch sized from free memory: 1,024 on an H200) and in float32, then float16 at the old 512;
#   all-layers   all 5,808 channels (the seventh session: 108.6 s);
#   unit-size    the full set of pictures of 128 inception4a channels at 224 pictures per optimisation (what a
#                32-channel work unit made) and at 896 (the tenth session's GPU default of 128 channels a unit);
#   decode       how fast the machine's 16 cores decode photo-sized JPEGs and read the pixel cache back, as CPU
#                and GPU passes read them (the ninth session's Pillow resize and byte path; 2 cores here:
#                about 720-790 images/s decoding, 13,000-16,300 from the cache as bytes); keeps the photos;
#   photos       the dataset pass over those photos on the GPU, decoding included, then through a pixel cache
#                twice (the first run fills it, the second reads it back): no session has measured photos there;
#   ncu-scan     Nsight Compute's per-kernel times of a short float16 dataset pass (bench/ncu_summary.py): what
#                a batch of 512 images spends on convolutions, pools, the per-unit maxima and the sort.
# The eighth and ninth sessions changed C# code the GPU runs (batch sizing, image-folder listing and decoding,
# job grain): rebuild .gpu/atlas.tar.xz from HEAD first if src/ changed since .gpu/COMMIT
# (`git diff --stat $(cat .gpu/COMMIT) HEAD -- src`; the command is in the seventh session's note).
BUDGET=${BUDGET:-390}
source "$(dirname "$0")/gpu-common.sh"
fv=("$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --precision bfloat16)
step featurevis 60 "${fv[@]}" --single 1
step featurevis2 50 "${fv[@]}" --single 0
step featurevis3 50 "${fv[@]}" --single 0
step examples 50 "$atlas" bench examples --model googlenet --images 100000 --precision auto,float32
step examples512 30 "$atlas" bench examples --model googlenet --batch 512 --images 100000 --precision auto
step all-layers 150 "$atlas" bench featurevis --model googlenet --size 128 --steps 512 --all-layers --single 0
grep "done at" "$OUT/all-layers.log" | tail -12
# The tenth session's featureVis.channelsPerUnit default on a GPU (128 channels, 896 pictures per optimisation)
# against the old 32 (224): the atlas's full set of pictures per unit, batched both ways.
full=("$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 128 --single 0 --full-set)
step unit-size-32 40 "${full[@]}" --max-batch 224
step unit-size-128 40 "${full[@]}" --max-batch 896
step decode 40 "$atlas" bench decode --images 16000 --keep-photos /tmp/photos
tail -12 "$OUT/decode.log"
photos=("$atlas" bench examples --model googlenet --folder /tmp/photos --images 16000)
step photos 30 "${photos[@]}"
step photos-fill 30 "${photos[@]}" --pixel-cache /tmp/pixels
step photos-cached 25 "${photos[@]}" --pixel-cache /tmp/pixels
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
if [[ -n "$NCU" ]]; then
  # 2 batches warm-up and 2 timed: 4 forward passes of 512 images and their reductions.
  step ncu-scan 70 "$NCU" --csv --print-units base --metrics gpu__time_duration.sum --cache-control none --clock-control none \
    --target-processes all --launch-count 4000 "$atlas" bench examples --model googlenet --batch 512 --images 1024 --precision auto
  python3 "$(dirname "$0")/ncu_summary.py" "$OUT/ncu-scan.log" --top 30
fi
echo "== finished after $(( $(date +%s) - start ))s"
