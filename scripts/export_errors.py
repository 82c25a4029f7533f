"""How export-torchscript.py reports bad input: one line on stderr, exit 2, and no traceback.

The user's own code (their module, their network's constructor and forward) can raise anything; the line names the
exception and the place in their files where it was raised, which is what a traceback would have led them to.
"""
import os
import sys
import traceback

import torch

# Frames in these folders are PyTorch's, the standard library's or this script's: the user's code is elsewhere.
_NOT_THE_USERS = tuple(os.path.dirname(p) + os.sep for p in (torch.__file__, os.__file__, __file__))


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def describe(exception):
    """'Type: message (file.py:line)', on one line and at most about 400 characters, the place being the innermost
    frame in the user's own files (a SyntaxError's own file and line)."""
    # A SyntaxError's own text already ends in "(file, line N)", which the place below says once.
    text = " ".join(str(exception.msg if isinstance(exception, SyntaxError) else exception).split())
    if len(text) > 400:
        text = text[:400] + " …"
    where = None
    if isinstance(exception, SyntaxError) and exception.filename:
        where = (exception.filename, exception.lineno)
    else:
        for frame in reversed(traceback.extract_tb(exception.__traceback__)):
            if not frame.filename.startswith(_NOT_THE_USERS) and not frame.filename.startswith("<"):
                where = (frame.filename, frame.lineno)
                break
    place = f" ({os.path.relpath(where[0]) if where[0].startswith(os.getcwd()) else where[0]}:{where[1]})" if where else ""
    return f"{type(exception).__name__}: {text}{place}" if text else f"{type(exception).__name__}{place}"
