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
def _widths() -> tuple[dict[int, int], dict[int, int], int]:
    table = json.loads((FOLDER / "widths.json").read_text(encoding="utf-8"))
    regular = {int(cp): w for cp, w in table["regular"].items()}
    bold = {int(cp): w for cp, w in table["bold"].items()}
    return regular, bold, table["units_per_em"]


def width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` set in `size` px, without kerning (a slight overestimate)."""
    regular, heavy, em = _widths()
    advances = heavy if bold else regular
    return sum(advances.get(ord(c), em) for c in text) * size / em


def missing(text: str) -> list[str]:
    """The characters of `text` the shipped font cannot draw, each once, in order."""
    regular = _widths()[0]
    return list(dict.fromkeys(c for c in text if ord(c) not in regular and c not in "\n\t"))


def wrap(text: str, size: float, room: float, bold: bool = False, lines: int = 0) -> list[str]:
    """`text` broken into lines no wider than `room` at word boundaries (a longer word is cut);
    with `lines`, at most that many, the last ending in "…" when text was left out."""
    out: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if width(candidate, size, bold) <= room:
            line = candidate
            continue
        if line:
            out.append(line)
        line = word
        while width(line, size, bold) > room:  # a word wider than the line: cut it
            cut = len(line) - 1
            while cut > 1 and width(line[:cut], size, bold) > room:
                cut -= 1
            out.append(line[:cut])
            line = line[cut:]
    if line:
        out.append(line)
    if lines and len(out) > lines:
        out = out[:lines]
        out[-1] = fit(out[-1] + ELLIPSIS, size, room, bold)
    return out


def fit(text: str, size: float, room: float, bold: bool = False) -> str:
    """`text` on one line: cut and ended with "…" when it is wider than `room`."""
    if width(text, size, bold) <= room:
        return text
    body = text.rstrip(ELLIPSIS)
    while body and width(body.rstrip() + ELLIPSIS, size, bold) > room:
        body = body[:-1]
    return body.rstrip(" ,;:") + ELLIPSIS
