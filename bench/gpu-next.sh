#!/usr/bin/env bash
# For the next session lent a device (about six and a half minutes; BUDGET=390, device timeout_s 410, carry
# .gpu/atlas.tar.xz, kind nvidia-h200). The seventh session's four calls are recorded in bench/RESULTS.md; this
# retakes issue 8's figures on the defaults and says where the dataset pass's time goes, which no session has
# profiled yet (Nsight Systems was not on the seventh session's machine; Nsight Compute was on earlier ones):
#   featurevis   (a) and (b) at 512 steps, three times (the seventh session: 60.7, 59.8 and 59.9 channels/s), so that
#                one call settles whether (b) is clearly at or above 60; the second run also without the fifteenth
#                session's branch rows (each Inception branch computed only for the pictures that read it: 1.05x
#                at inception4a on the CPU in bfloat16, never measured on a GPU);
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
#   torchscript  a TorchScript model's atlas on the GPU, through its early stops (twelfth and thirteenth sessions);
#   ts-resnet    ResNet-18's layer1 as TorchScript with and without early stops, and the zoo's (needs torchvision);
#   resnet-bn    the zoo ResNet-18's layer1 with its batch norms folded and kept (the fourteenth session folds all 20,
#                where earlier builds folded 3; on the CPU 1.17x against those 3);
#   ncu-scan     Nsight Compute's per-kernel times of a short float16 dataset pass (bench/ncu_summary.py): what
#                a batch of 512 images spends on convolutions, pools, the per-unit maxima and the sort.
# Later sessions changed C# code the GPU runs (batch sizing, image-folder listing and decoding, job grain,
# TorchScript stops): build .gpu/atlas.tar.xz from HEAD first (`bash bench/gpu-publish.sh`, about 2 minutes) unless
# .gpu/COMMIT is HEAD or `git diff --stat $(cat .gpu/COMMIT) HEAD -- src` is empty.
BUDGET=${BUDGET:-390}
source "$(dirname "$0")/gpu-common.sh"
fv=("$atlas" bench featurevis --model googlenet --size 128 --steps 512 --layer inception4a --units 512 --precision bfloat16)
step featurevis 60 "${fv[@]}" --single 1
step featurevis2 80 "${fv[@]}" --single 0 --branch-rows both
step featurevis3 50 "${fv[@]}" --single 0
step examples 50 "$atlas" bench examples --model googlenet --images 100000 --precision auto,float32
step examples512 30 "$atlas" bench examples --model googlenet --batch 512 --images 100000 --precision auto
# A TorchScript model (tests/fixtures/torchscript/tiny-cnn-stops.pt: the twelfth session's tiny-cnn with the
# thirteenth's early stops) made into an atlas on the GPU: PyTorch's own libtorch must offer the graph-optimizer
# switch (the log says "TorchScript format", not "graph optimizer on"), the stops must pass their check against
# forward ("2 early stops"), rendering in bfloat16 through them and scanning in float16 must run, and the logits
# must get Grad-CAM overlays.
ts=/tmp/ts-atlas; mkdir -p $ts
python3 - "$ts" <<'PY'
import os, random, struct, sys, zlib
root = sys.argv[1]
def png(path, side, pixels):
    rows = b"".join(b"\x00" + bytes(pixels[y * side * 3:(y + 1) * side * 3]) for y in range(side))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
random.seed(1)
for name, base in (("red", (200, 40, 40)), ("blue", (40, 40, 200))):
    os.makedirs(f"{root}/images/{name}", exist_ok=True)
    for i in range(20):
        png(f"{root}/images/{name}/{i}.png", 40, [max(0, min(255, c + random.randint(-40, 40))) for _ in range(1600) for c in base])
PY
cat > $ts/atlas.json <<JSON
{ "name": "gpu-torchscript",
  "model": { "architecture": "torchscript", "checkpoint": "$PWD/tests/fixtures/torchscript/tiny-cnn-stops.pt", "inputSize": 32,
             "outputs": ["conv1", "conv2", "logits"], "mean": [0.5, 0.4, 0.3], "std": [0.25, 0.2, 0.3] },
  "dataset": { "kind": "image-folder", "path": "images" }, "maxUnitsPerLayer": 8,
  "featureVis": { "steps": 64 }, "examples": { "topK": 4, "imagesPerShard": 20 },
  "output": { "store": "store", "site": "site" } }
JSON
step torchscript 30 "$atlas" run $ts/atlas.json --verbosity detailed
grep -E "Loaded torchscript|early stops|Working copy|Completed|no Grad-CAM|WRN|ERR" "$OUT/torchscript.log" | grep -v "ServerGC\|Reminder\|Participant" | head -12
grep -o '"Grad-CAM overlays at [a-z0-9]*"' $ts/store/gpu-torchscript/*/work/analysis/logits.json
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
# torchvision's ResNet-18 as TorchScript with and without the thirteenth session's early stops, and the zoo's own,
# rendering layer1 in bfloat16 (on the 2-core CPU: 1.40x with stops, on par with the zoo). Needs torchvision.
if python3 -c 'import torchvision' 2>/dev/null; then
  r18=/tmp/r18; mkdir -p $r18
  python3 -c "import torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.resnet18().state_dict(), '$r18/resnet18.pth')"
  for v in stops plain; do
    python3 scripts/export-torchscript.py torchvision.models:resnet18 --weights $r18/resnet18.pth --outputs relu,layer1,layer2,layer3,layer4 \
      --final-name fc --input-size 224 --out $r18/$v.pt $([[ $v == plain ]] && echo --no-stops) > /dev/null
    echo "{ \"name\": \"r18\", \"model\": { \"architecture\": \"torchscript\", \"checkpoint\": \"$r18/$v.pt\", \"inputSize\": 128, \"outputs\": [\"relu\", \"layer1\", \"layer2\", \"layer3\", \"layer4\", \"fc\"] }, \"dataset\": { \"kind\": \"image-folder\", \"path\": \"$ts/images\" }, \"output\": { \"store\": \"s\", \"site\": \"o\" } }" > $r18/$v.json
  done
  echo "{ \"name\": \"r18\", \"model\": { \"architecture\": \"resnet18\", \"checkpoint\": \"$r18/resnet18.pth\", \"inputSize\": 128 }, \"dataset\": { \"kind\": \"image-folder\", \"path\": \"$ts/images\" }, \"output\": { \"store\": \"s\", \"site\": \"o\" } }" > $r18/zoo.json
  for v in stops plain zoo; do
    step ts-resnet-$v 25 "$atlas" bench featurevis --config $r18/$v.json --layer layer1 --units 64 --single 0 --steps 128
  done
fi
step resnet-bn 30 "$atlas" bench featurevis --model resnet18 --size 128 --layer layer1 --units 64 --single 0 --steps 128 --batch-norm both
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
if [[ -n "$NCU" ]]; then
  # 2 batches warm-up and 2 timed: 4 forward passes of 512 images and their reductions.
  step ncu-scan 70 "$NCU" --csv --print-units base --metrics gpu__time_duration.sum --cache-control none --clock-control none \
    --target-processes all --launch-count 4000 "$atlas" bench examples --model googlenet --batch 512 --images 1024 --precision auto
  python3 "$(dirname "$0")/ncu_summary.py" "$OUT/ncu-scan.log" --top 30
fi
echo "== finished after $(( $(date +%s) - start ))s"
