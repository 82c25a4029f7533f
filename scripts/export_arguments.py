"""The checks export-torchscript.py makes of its command line before it builds anything, so that a value the printed
config would carry into the atlas (a layer name, the input size, the normalization) is refused here, where it was
typed, rather than by `atlas run` after the export; and so that an --out the archive cannot be written to is refused
before minutes of tracing, not after.

The bounds are the atlas config's own (docs/config-reference.md: model.inputSize, model.outputs, model.mean/std).
"""
import math
import os
import re

from export_errors import fail

MIN_INPUT_SIZE, MAX_INPUT_SIZE = 16, 4096
# TorchScriptInput.IsValidOutputName: ASCII letters, digits, '_', '-', '.', starting with a letter or digit, at most 100.
_LAYER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")
# The atlas reads mean and std as 32-bit floats: a larger value would be infinite there.
_FLOAT32_MAX = 3.4028234663852886e38


def check_input_size(size):
    if not MIN_INPUT_SIZE <= size <= MAX_INPUT_SIZE:
        fail(f"--input-size: {size} is not between {MIN_INPUT_SIZE} and {MAX_INPUT_SIZE} (the atlas's model.inputSize)")


def check_layer_name(name, option):
    if not _LAYER_NAME.match(name):
        fail(f"{option}: '{name}' cannot be an atlas layer name (ASCII letters, digits, '_', '-' or '.', starting with "
             "a letter or digit, at most 100 characters)")


def output_names(text):
    """--outputs as a list; one that names nothing (an empty or unset shell variable) would export the logits alone,
    or with --no-final an archive that returns nothing."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        fail(f"--outputs: '{text}' names no module (comma-separated module paths, for example conv1,layer1)")
    return names


def normalization(text, option, channels):
    """--mean or --std as the config's list: one finite number per input channel, a std positive."""
    if text is None:
        return None
    values = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            fail(f"{option}: '{part.strip()}' is not a number")
        if not math.isfinite(value) or abs(value) > _FLOAT32_MAX:
            fail(f"{option}: {part.strip()} is not a finite number")
        if option == "--std" and value <= 0:
            fail(f"--std: {part.strip()} is not positive")
        values.append(value)
    if len(values) != channels:
        fail(f"{option}: {len(values)} value{'s' if len(values) != 1 else ''} for {channels}-channel images "
             f"(--channels {channels}); give one per channel")
    return values


def check_out(path):
    """Refuses an --out that cannot become the archive: empty, a folder, something other than a file (a device such as
    /dev/full), in a folder that does not exist or cannot be written to."""
    if not path:
        fail("--out: is empty")
    if os.path.isdir(path) or path.endswith(os.sep):
        fail(f"--out: '{path}' is a folder; name the archive file to write (for example {os.path.join(path.rstrip(os.sep) or '.', 'net-atlas.pt')})")
    if os.path.lexists(path) and not os.path.isfile(path):
        fail(f"--out: '{path}' exists and is not a regular file")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        fail(f"--out: the folder '{os.path.dirname(path) or '.'}' does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"--out: cannot write to the folder '{os.path.dirname(path) or '.'}'")
