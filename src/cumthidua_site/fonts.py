"""The font the pictures are drawn with, shipped in the package, and text measured in it.

Noto Sans regular and bold (SIL Open Font License 1.1, fonts/OFL.txt), subset to the Latin
script with every Vietnamese letter by scripts/subset_fonts.py, which also writes each
character's advance width to fonts/widths.json. Line breaking in a picture needs those
widths; reading them from the font at build time would load a font library on every build
for the same numbers.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "fonts"
FAMILY = "Noto Sans"
FILES = (FOLDER / "NotoSans-Regular.subset.ttf", FOLDER / "NotoSans-Bold.subset.ttf")
ELLIPSIS = "…"


@lru_cache(maxsize=1)
def _widths() -> tuple[dict[str, int], dict[str, int], int]:
    """Each character's advance, regular and bold, and the units per em."""
    table = json.loads((FOLDER / "widths.json").read_text(encoding="utf-8"))
    regular = {chr(int(cp)): w for cp, w in table["regular"].items()}
    bold = {chr(int(cp)): w for cp, w in table["bold"].items()}
    return regular, bold, table["units_per_em"]


def _advances(text: str, bold: bool) -> list[int]:
    regular, heavy, em = _widths()
    table = heavy if bold else regular
    return [table.get(c, em) for c in text]


def width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` set in `size` px, without kerning (a slight overestimate)."""
    return sum(_advances(text, bold)) * size / _widths()[2]


def missing(text: str) -> list[str]:
    """The characters of `text` the shipped font cannot draw, each once, in order."""
    if _drawable().issuperset(text):  # nearly always: one pass in C
        return []
    return list(dict.fromkeys(c for c in text if c not in _drawable()))


@lru_cache(maxsize=1)
def _drawable() -> frozenset[str]:
    return frozenset(_widths()[0]) | {"\n", "\t"}


# Pictures are made again on every build, mostly from the same strings: the lines are kept.
@lru_cache(maxsize=4096)
def wrap(text: str, size: float, room: float, bold: bool = False, lines: int = 0) -> tuple[str, ...]:
    """`text` broken into lines no wider than `room` at word boundaries (a longer word is cut);
    with `lines`, at most that many, the last ending in "…" when text was left out."""
    em = _widths()[2]
    limit = room * em / size  # in font units
    space = _advances(" ", bold)[0]
    out: list[str] = []
    line, used = "", 0
    for word in text.split():
        advances = _advances(word, bold)
        wide = sum(advances)
        if line and used + space + wide <= limit:
            line, used = f"{line} {word}", used + space + wide
            continue
        if line:
            out.append(line)
        line, used = "", 0
        for char, advance in zip(word, advances):  # a word wider than the line is cut
            if line and used + advance > limit:
                out.append(line)
                line, used = "", 0
            line, used = line + char, used + advance
        if lines and len(out) > lines:
            break
    if line:
        out.append(line)
    if lines and len(out) > lines:
        out = out[:lines]
        out[-1] = fit(out[-1] + ELLIPSIS, size, room, bold)
    return tuple(out)


@lru_cache(maxsize=4096)
def fit(text: str, size: float, room: float, bold: bool = False) -> str:
    """`text` on one line: cut and ended with "…" when it is wider than `room`."""
    if width(text, size, bold) <= room:
        return text
    limit = room * _widths()[2] / size - sum(_advances(ELLIPSIS, bold))
    body = text.rstrip(ELLIPSIS)
    used, cut = 0, 0
    for cut, advance in enumerate(_advances(body, bold)):
        if used + advance > limit:
            break
        used += advance
    return body[:cut].rstrip(" ,;:") + ELLIPSIS
