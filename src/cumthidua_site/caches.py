"""Where what one build made is kept for the next: drawn pictures, compiled templates.

One folder for every project on the machine ($CUMTHIDUA_CACHE, else the user's cache folder):
everything in it is named by the hash of what it was made from, so a project never reads
another's by mistake. Safe to delete at any time; a folder that cannot be made only means
the next build does the work again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Optional


def root() -> Optional[Path]:
    if os.environ.get("CUMTHIDUA_CACHE"):
        return Path(os.environ["CUMTHIDUA_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache" if Path.home().is_dir() else None)
    return Path(base) / "cumthidua-site" if base else None


def folder(kind: str) -> Optional[Path]:
    """The cache folder for one kind of thing, made if missing; None when it cannot be."""
    top = root()
    if top is None:
        return None
    path = top / kind
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Best effort, atomic: two builds at once each write a whole file, or nothing."""
    staging = None
    try:
        fd, staging = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(staging, mode)
        os.replace(staging, path)
    except OSError:
        if staging is not None:
            try:
                os.unlink(staging)
            except OSError:
                pass
