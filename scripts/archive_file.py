"""Writes the exported archive all at once: to a temporary file beside it, then renamed over --out.

torch.jit.save writing straight to --out leaves a truncated archive behind when the disk fills or the export is
interrupted, and an earlier archive of the same name is lost with it; a rename is all or nothing. (On a full disk
libtorch's own writer also aborts the process with a C++ stack trace, where Python's raises an OSError.)
"""
import os
import tempfile


def write(path, data):
    """Puts data at path, or raises OSError and leaves path as it was (absent, or its previous content)."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file readable by its owner alone; an archive gets the usual permissions (umask's).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
