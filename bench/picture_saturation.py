"""How far a store's feature visualizations are pushed: per layer, the share of channel-picture pixels pinned at
black or white (the sigmoid's ends) and the mean objective the pictures reached.

    python3 bench/picture_saturation.py STORE [STORE ...]

Two runs of one config that differ only in featureVis.steps/learningRate, each into its own store, compare the two
settings: more objective is a stronger picture, more pinned pixels a flatter, black-and-white one. Needs Pillow.
"""
import glob
import json
import sys

from PIL import Image


def pinned_share(path):
    pixels = list(Image.open(path).convert("L").getdata())
    return sum(1 for p in pixels if p in (0, 255)) / len(pixels)


def layers_of(store):
    found = {}
    for record in glob.glob(f"{store}/*/*/work/featurevis/*/*.json"):
        layer = record.split("/work/featurevis/")[1].split("/")[0]
        for unit in json.load(open(record))["units"]:
            found.setdefault(layer, []).append((unit["objective"], f"{store}/{unit['visKey']}"))
    return found


for store in sys.argv[1:]:
    print(store)
    for layer, units in sorted(layers_of(store).items()):
        objective = sum(o for o, _ in units) / len(units)
        pinned = sum(pinned_share(p) for _, p in units) / len(units)
        print(f"  {layer}: {len(units)} units, {pinned:.0%} of pixels pinned, mean objective {objective:.3f}")
