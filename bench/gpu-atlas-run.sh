#!/usr/bin/env bash
# A whole `atlas run` on a GPU machine (issue 8): every pass of a GoogLeNet atlas (dataset examples,
# feature visualization, analysis, Grad-CAM, circuits, site) on CUDA, where the benches only time the
# engines. The GPU machines have PyTorch but no data: it writes a random-weight GoogLeNet checkpoint
# and a folder of noise PNGs with torch, then runs the unpacked publish that gpu-check.sh made in
# /tmp/atlas. Prints the job's wall time, the phases' lines and what the site holds.
#   ATLAS_LIBTORCH_DIR and LD_LIBRARY_PATH must point at torch/lib (gpu-check.sh sets them).
set -uo pipefail
WORK=${WORK:-/tmp/atlas-gpu-run}
UNITS=${UNITS:-32}       # units rendered per layer (maxUnitsPerLayer): 13 layers, 7 pictures each
IMAGES=${IMAGES:-2000}   # noise images in the data set
ATLAS=${ATLAS:-/tmp/atlas/atlas/atlas}
rm -rf "$WORK" && mkdir -p "$WORK"
# CHECKPOINT and IMAGES_DIR, when set, replace the generated ones (to try this script without PyTorch).
if [[ -n "${CHECKPOINT:-}" && -n "${IMAGES_DIR:-}" ]]; then
  cp "$CHECKPOINT" "$WORK/googlenet.pth" && cp -r "$IMAGES_DIR" "$WORK/images" || exit 3
else python3 - "$WORK" "$IMAGES" <<'PY' || exit 3
import os, sys, torch, torchvision
work, images = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
torch.save(model.state_dict(), os.path.join(work, "googlenet.pth"))
for c in range(4):
    folder = os.path.join(work, "images", f"class{c}")
    os.makedirs(folder)
    for i in range(images // 4):
        torchvision.io.write_png((torch.rand(3, 224, 224) * 255).to(torch.uint8), os.path.join(folder, f"{i:05d}.png"))
PY
fi
cat > "$WORK/googlenet.json" <<JSON
{
  "name": "googlenet-gpu-check",
  "model": { "architecture": "googlenet", "checkpoint": "googlenet.pth", "transformInput": false },
  "dataset": { "kind": "image-folder", "path": "images" },
  "maxUnitsPerLayer": $UNITS,
  "featureVis": { "imageSize": 128, "steps": ${STEPS:-256}, "channelsPerUnit": 512 },
  "examples": { "topK": 9, "batchSize": 256, "imagesPerShard": 1000 },
  "output": { "store": "store", "site": "site" }
}
JSON
start=$(date +%s)
timeout "${LIMIT:-300}" $ATLAS run "$WORK/googlenet.json" --force -v normal > "$WORK/run.log" 2>&1
rc=$?
echo "atlas run rc=$rc after $(( $(date +%s) - start )) s"
grep -E "Phase|phase|finished|Published|published|ERR|FTL|Exception" "$WORK/run.log" | grep -v "^\s*at " | tail -30
echo "site files: $(find "$WORK/site" -type f 2>/dev/null | wc -l), pictures: $(find "$WORK/site" -name '*.png' 2>/dev/null | wc -l)"
exit $rc
