"""Writes the pictures of bench/RESULTS.md's "how fast TIFFs decode" table: one image folder per format (JPEG quality 90,
PNG, uncompressed TIFF, LZW TIFF), each holding the same N synthetic 1024x768 RGB pictures in one class folder: smooth
fields with strong per-pixel noise (which makes LZW expand them rather than shrink). Then time each with
    atlas bench decode --folder OUT/<format> --images N
Needs Pillow and NumPy (Debian's python3-pil and python3-numpy):
    python3 bench/decode_formats.py OUT [--images 200]
"""
import argparse
import os

import numpy as np
from PIL import Image

FORMATS = [("jpg", "jpg", {"quality": 90}), ("png", "png", {}), ("raw", "tif", {"compression": "raw"}),
           ("lzw", "tif", {"compression": "tiff_lzw"})]

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("out")
parser.add_argument("--images", type=int, default=200)
args = parser.parse_args()

rng = np.random.default_rng(0)
y, x = np.mgrid[0:768, 0:1024]
pictures = []
for i in range(args.images):
    base = np.stack([(x * (i + 1) // 7) % 256, (y * 3 + i) % 256, ((x + y) // 5) % 256], -1)
    pictures.append(np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8))
for folder, extension, options in FORMATS:
    os.makedirs(f"{args.out}/{folder}/c", exist_ok=True)
    for i, picture in enumerate(pictures):
        Image.fromarray(picture).save(f"{args.out}/{folder}/c/{i}.{extension}", **options)
print(f"{args.images} pictures in each of {', '.join(f'{args.out}/{f}' for f, _, _ in FORMATS)}")
