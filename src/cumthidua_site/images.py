"""Pictures as PNG: our own SVG rasterised by resvg (the resvg-py wheel: no system library)
with only the shipped font, so the bytes are the same on every machine and a missing
system font cannot draw boxes. Cached by content: in memory for the life of the process
and on disk across builds, so an unchanged picture is never drawn twice.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import time
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable, Optional

from . import caches, fonts, isolate

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 4200 * 4200    # a picture taller than this is drawn at a smaller zoom
PARALLEL_FROM = 6           # this many pictures to draw, or more: half of them in a child, on the other core
SECONDS_EACH = 1.0          # a picture draws in 20 to 150 ms: the child's backstop deadline, per picture


def _budget(count: int) -> isolate.Budget:
    """The child's limits for drawing `count` pictures: the deadline grows with the work (a
    fixed one killed the child of a large first build, and its half was drawn again)."""
    return isolate.Budget(seconds=60 + SECONDS_EACH * count, memory=2 * 1024**3,
                          output=64 * 1024**2 + 256 * 1024 * count)  # base64 PNGs when there is no cache folder


_MEMORY: dict[str, bytes] = {}


class DrawError(RuntimeError):
    """resvg refused one of our pictures: a bug of ours, said with the picture's path."""


@dataclass(frozen=True)
class Picture:
    """An SVG of ours to be drawn as PNG, `zoom` pixels per SVG unit; or (`placed`) one a written
    build already linked from the cache, its SVG dropped: a large build holds no SVG it need not draw."""

    svg: str
    zoom: float = 1.0
    placed: Optional[str] = field(default=None, compare=False)  # the path of its PNG in the cache

    @cached_property
    def key(self) -> str:
        return hashlib.sha256(f"{renderer()}\n{self.zoom}\n{self.svg}".encode("utf-8")).hexdigest()

    def as_json(self) -> list:
        """For a worker's report: the SVG to draw (or where the cache holds it), with its name,
        which may not be its SVG's hash (`cards.share_key`), and the characters the font lacks."""
        return [self.svg, self.zoom, self.placed, self.key, self.undrawable]

    @classmethod
    def from_json(cls, said: list) -> "Picture":
        picture = cls(said[0], said[1], said[2])
        picture.__dict__.update(key=said[3], undrawable=said[4])
        return picture

    @cached_property  # checked on every build: serve keeps the pictures of unchanged pages
    def undrawable(self) -> list[str]:
        """The characters of its drawn text that the shipped font has no glyph for."""
        return fonts.missing("".join(html.unescape(text) for text in _DRAWN_TEXT.findall(self.svg)))


_DRAWN_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")


@lru_cache(maxsize=1)
def renderer() -> str:
    """What else the bytes depend on: resvg's version and the fonts'."""
    digest = hashlib.sha256()
    for path in fonts.FILES:
        digest.update(path.read_bytes())
    return f"resvg-py {caches.version('resvg-py')} fonts {digest.hexdigest()[:16]}"


def cache_folder() -> Optional[Path]:
    """Where drawn pictures are kept between builds (`caches`): a picture's name is the hash of
    everything it is made from."""
    return caches.folder("images")


def draw(picture: Picture) -> bytes:
    """The PNG, drawn now (no cache)."""
    import resvg_py
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=picture.svg, zoom=picture.zoom, skip_system_fonts=True,
                                           font_files=[str(path) for path in fonts.FILES],
                                           font_family=fonts.FAMILY, sans_serif_family=fonts.FAMILY))
    except ValueError as exc:
        raise DrawError(f"{picture.key[:20]}: {exc}") from None


def _from_disk(key: str) -> Optional[bytes]:
    path = _in_cache(key)
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None


def _to_disk(key: str, data: bytes) -> None:
    folder = cache_folder()
    if folder is not None:
        # read-only: a build links its pictures to these files, so nothing may change one in place
        caches.write(folder / f"{key}.png", data, mode=0o444)


def cached(picture: Picture) -> Optional[bytes]:
    key = picture.key
    if key not in _MEMORY:
        found = _from_disk(key)
        if found is None:
            return None
        _MEMORY[key] = found
    return _MEMORY[key]


def rasterise(picture: Picture) -> bytes:
    """The PNG of one picture, from the cache when it was drawn before."""
    found = cached(picture)
    if found is None:
        found = draw(picture)
        _MEMORY[picture.key] = found
        _to_disk(picture.key, found)
    return found


@dataclass
class Drawn:
    """The PNG files of a build: each one a file in the cache (copied when written, never read
    into memory) or, when there is no cache folder, its bytes."""

    sources: dict[str, "Path | bytes"]
    drawn: int          # pictures drawn now (the others came from the cache)
    seconds: float      # spent drawing them

    def read(self, path: str) -> bytes:
        source = self.sources[path]
        return source if isinstance(source, bytes) else source.read_bytes()


def placed(picture: Picture) -> Optional[Picture]:
    """The picture as linked from the cache, its SVG dropped (key and undrawable characters kept);
    None when the cache does not hold it (it is drawn at the end of the build)."""
    if picture.placed is not None:
        return picture
    return found(picture.key, picture.zoom, lambda: picture.undrawable)


def found(key: str, zoom: float, undrawable: Callable[[], list[str]]) -> Optional[Picture]:
    """The picture named `key` as the cache holds it, without its SVG (None when it does not);
    `undrawable()`: the characters of its text the font lacks, for the warning."""
    path = _in_cache(key)
    if path is None:
        return None
    light = Picture("", zoom, str(path))
    light.__dict__.update(key=key, undrawable=undrawable())  # what the dropped SVG said
    return light


def _in_cache(key: str) -> Optional[Path]:
    """The cached PNG of a picture, when there is one and it is a PNG (its first bytes)."""
    folder = cache_folder()
    if folder is None:
        return None
    path = folder / f"{key}.png"
    try:  # os.open, not open(): asked of every picture of a build, without a buffered file object
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if os.read(fd, len(PNG_SIGNATURE)) != PNG_SIGNATURE:
            return None
        caches.used(fd, path)
        return path
    except OSError:
        return None
    finally:
        os.close(fd)


def _keep(picture: Picture, data: bytes) -> "Path | bytes":
    """A picture just drawn: into the cache folder, or kept in memory when there is none."""
    _to_disk(picture.key, data)
    found = _in_cache(picture.key)
    if found is None:
        _MEMORY[picture.key] = data
        return data
    return found


def _draw_and_keep(pictures: list[Picture]) -> list[str]:
    """In a child: draw, keep, and say where each went (a cached file, or the bytes in base64)."""
    out = []
    for picture in pictures:
        kept = _keep(picture, draw(picture))
        out.append(str(kept) if isinstance(kept, Path) else "base64:" + base64.b64encode(kept).decode("ascii"))
    return out


def rasterise_all(pictures: dict[str, Picture]) -> Drawn:
    """Every picture's PNG by path. Those not in the cache are drawn, half in a child
    process when there are many (resvg holds the interpreter while it draws)."""
    started = time.perf_counter()
    found: dict[str, "Path | bytes"] = {}
    todo: dict[str, Picture] = {}
    for picture in pictures.values():
        key = picture.key
        if key in found or key in todo:
            continue
        kept = Path(picture.placed) if picture.placed else _in_cache(key) or _MEMORY.get(key)
        if kept is None:
            todo[key] = picture
        else:
            found[key] = kept
    new = list(todo.values())
    if len(new) >= PARALLEL_FROM and hasattr(os, "fork"):
        import resvg_py  # noqa: F401  (loaded once, before the fork, for both processes)
        half = new[: len(new) // 2]
        running = isolate.start(lambda stage: _draw_and_keep(half), _budget(len(half)))
        for picture in new[len(half):]:
            found[picture.key] = _keep(picture, draw(picture))
        try:
            outcome = running.wait()
        except isolate.ChildBug:
            outcome = isolate.Outcome(failure="crash")
        theirs = outcome.result if isinstance(outcome.result, list) and len(outcome.result) == len(half) else None
        for picture, where in zip(half, theirs or []):
            if where.startswith("base64:"):  # no cache folder: the child's picture is kept here, in memory
                found[picture.key] = _MEMORY[picture.key] = base64.b64decode(where[len("base64:"):])
            else:
                found[picture.key] = Path(where)
        for picture in half if theirs is None else []:  # the child failed: draw here what it had not
            found[picture.key] = _in_cache(picture.key) or _keep(picture, draw(picture))
    else:
        for picture in new:
            found[picture.key] = _keep(picture, draw(picture))
    return Drawn({path: found[picture.key] for path, picture in pictures.items()}, len(new),
                 time.perf_counter() - started if new else 0.0)
