"""Where what one build made is kept for the next: drawn pictures, compiled templates, parsed
data files, downloads, rendered articles.

One folder for every project on the machine ($CUMTHIDUA_CACHE, else the user's cache folder):
everything in it is named by the hash of what it was made from, so a project never reads
another's by mistake. Safe to delete at any time; a folder that cannot be made only means
the next build does the work again. A build prunes it once a day (`prune`): what no build
used for a month goes, except a picture a built site still links.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

# The libraries whose output a build's bytes depend on (with our own source, in `code()`).
LIBRARIES = ("jinja2", "markupsafe", "pyyaml", "markdown", "babel", "pydantic", "pydantic-core", "nh3",
             "python-slugify", "text-unidecode")


def root() -> Optional[Path]:
    if os.environ.get("CUMTHIDUA_CACHE"):
        return Path(os.environ["CUMTHIDUA_CACHE"])
    return _default_root(os.environ.get("XDG_CACHE_HOME"), os.environ.get("HOME"))


@lru_cache(maxsize=4)
def _default_root(xdg: Optional[str], home: Optional[str]) -> Optional[Path]:
    base = xdg or (Path.home() / ".cache" if Path.home().is_dir() else None)
    return Path(base) / "cumthidua-site" if base else None


def folder(kind: str) -> Optional[Path]:
    """The cache folder for one kind of thing, made if missing; None when it cannot be."""
    top = root()
    if top is None:
        return None
    path = top / kind
    if path not in _MADE:  # asked for every picture of a build: one mkdir per process, not one per picture
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        _MADE.add(path)
    return path


_MADE: set[Path] = set()  # the folders made (or found) by this process; _write makes one again if removed since


# serve: the cache files its rebuilds make, written once the rebuild is shown (`flush`), not
# while the editor waits for it; None: written at once.
_DEFERRED: Optional[list[tuple[Path, "bytes | Callable[[], bytes]", int]]] = None


def defer(keep: bool = True) -> None:
    """From now on, keep the files to write until `flush()` (a process that rebuilds, at idle);
    with `keep` False, write them now and from now on at once again."""
    global _DEFERRED
    flush()
    _DEFERRED = [] if keep else None


def flush() -> None:
    """Write the files kept by `defer()`."""
    if _DEFERRED:
        kept = list(_DEFERRED)
        _DEFERRED.clear()
        for path, data, mode in kept:
            _write(path, data, mode)


def write(path: Path, data: "bytes | Callable[[], bytes]", mode: int = 0o600) -> None:
    """Best effort, atomic: two builds at once each write a whole file, or nothing. `data` may be
    a function that makes the bytes: when writing is deferred, it runs then, not now."""
    if _DEFERRED is not None:
        _DEFERRED.append((path, data, mode))
        return
    _write(path, data, mode)


def _write(path: Path, data: "bytes | Callable[[], bytes]", mode: int) -> None:
    staging = None
    try:
        if callable(data):
            data = data()
        try:
            fd, staging = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        except FileNotFoundError:  # the cache was removed while this process ran (serve)
            path.parent.mkdir(parents=True, exist_ok=True)
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


@lru_cache(maxsize=1)
def code() -> str:
    """A hash of everything besides the data that cached results depend on: this package's own
    source and the versions of the libraries it renders with. A new release or an edited module
    makes every result cached under the old one unreachable."""
    digest = hashlib.sha256(sys.version.encode("utf-8"))  # Unicode data, decimal and JSON behaviour
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES:
        digest.update(f"{name}={version(name)}\0".encode("utf-8"))
    return digest.hexdigest()


def version(name: str) -> str:
    """An installed distribution's version, "?" when it is not installed."""
    return _installed().get(_normal(name)) or _metadata_version(name)


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


@lru_cache(maxsize=1)
def _installed() -> dict[str, str]:
    """The distributions beside jinja2 (the environment's site-packages), by their dist-info
    folders: one listing, where importlib.metadata scans every path entry (10 ms per name)."""
    import jinja2
    found = {}
    try:
        for entry in os.scandir(Path(jinja2.__file__).resolve().parents[1]):
            if entry.name.endswith(".dist-info"):
                name, _, rest = entry.name[: -len(".dist-info")].partition("-")
                found[_normal(name)] = rest
    except OSError:
        pass
    return found


def _metadata_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed
    try:
        return installed(name)
    except PackageNotFoundError:
        return "?"


def key(*parts: str) -> str:
    """A cache file's name: the hash of the code and of everything the result is made from."""
    return hashlib.sha256("\0".join((code(), *parts)).encode("utf-8")).hexdigest()


def read_json(kind: str, name: str) -> Optional[Any]:
    """A result kept by an earlier build, or None (missing, unreadable or not ours)."""
    folder_path = folder(kind)
    if folder_path is None:
        return None
    path = folder_path / f"{name}.json"
    try:
        with open(path, "rb") as file:
            found = json.loads(file.read())
            used(file.fileno(), path)
        return found
    except (OSError, ValueError):
        return None


def used(fd: int, path: Path) -> None:
    """A cached file a build uses: dated now when its date is more than a week old, so `prune`
    (a month) never removes a file a build of these days may still be about to link."""
    try:
        if time.time() - os.fstat(fd).st_mtime > 7 * 24 * 3600:
            os.utime(path)
    except OSError:
        pass


def write_json(kind: str, name: str, value: Callable[[], Any]) -> None:
    """Keep what `value()` returns (made only when written: serve defers writing until idle).
    What it is made from must not change meanwhile."""
    folder_path = folder(kind)
    if folder_path is not None:
        write(folder_path / f"{name}.json", lambda: json.dumps(value(), ensure_ascii=False).encode("utf-8"))


KEEP_DAYS = 30
KINDS = ("images", "templates", "articles", "yaml", "downloads")


def prune(days: int = KEEP_DAYS) -> int:
    """Remove what the cache holds that was neither made nor used for `days` days, at most once
    a day (a stamp file says when). A drawn picture that a built site still links (a second name
    for the file) is kept whatever its age. Returns how many files went; never fails a build."""
    top = root()
    if top is None:
        return 0
    stamp = top / ".pruned"
    now = time.time()
    try:
        if now - stamp.stat().st_mtime < 24 * 3600:
            return 0
    except OSError:
        pass
    removed = 0
    try:
        top.mkdir(parents=True, exist_ok=True)
        stamp.touch()
        for kind in KINDS:
            if not (top / kind).is_dir():
                continue
            with os.scandir(top / kind) as entries:
                for entry in entries:
                    try:
                        found = entry.stat(follow_symlinks=False)
                        if entry.is_file(follow_symlinks=False) and found.st_nlink == 1 \
                                and now - found.st_mtime > days * 24 * 3600:
                            os.unlink(entry.path)
                            removed += 1
                    except OSError:
                        continue
    except OSError:
        pass
    return removed
