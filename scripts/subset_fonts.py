"""Make the fonts the share pictures and chart images are drawn with (run by hand: `make fonts`).

Noto Sans (SIL Open Font License 1.1, no reserved font name), regular and bold, from Debian's
fonts-noto-core, subset to the Latin script with every Vietnamese letter, the punctuation and
signs our text uses: about a tenth of the full font, shipped in the package so that every
machine draws the same pixels and no missing system font can draw boxes. It also writes each
glyph's advance width, which the pictures' line breaking measures text with.

Usage: python scripts/subset_fonts.py [FOLDER_WITH_NotoSans-Regular.ttf]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/noto")
OUT = Path(__file__).resolve().parent.parent / "src" / "cumthidua_site" / "fonts"
FACES = {"regular": "NotoSans-Regular.ttf", "bold": "NotoSans-Bold.ttf"}

# Basic Latin, Latin-1, Latin Extended-A and -B (Đ, Ơ, Ư), combining marks, Latin Extended
# Additional (ạ … ỹ), general punctuation (– — ‘ ’ “ ” …), ₫ €, arrows, − × ≈ ≤ ≥.
RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x206F),
          (0x20AB, 0x20AC), (0x2190, 0x2193), (0x2212, 0x2212), (0x2248, 0x2248), (0x2264, 0x2265)]


def subset_face(source: Path, target: Path) -> dict[str, int]:
    options = subset.Options()
    options.hinting = False            # resvg draws outlines unhinted: hints are dead weight
    options.desubroutinize = True
    options.name_IDs = ["*"]           # keep the copyright and licence strings (OFL condition 2)
    options.name_languages = ["*"]
    options.drop_tables += ["DSIG"]
    font = TTFont(str(source), recalcTimestamp=False)  # the same bytes on every run
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[cp for lo, hi in RANGES for cp in range(lo, hi + 1)])
    subsetter.subset(font)
    font.save(str(target))
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return {str(cp): hmtx[name][0] for cp, name in sorted(cmap.items())}


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE
    widths = {"units_per_em": 1000}
    for face, name in FACES.items():
        target = OUT / name.replace(".ttf", ".subset.ttf")
        widths[face] = subset_face(source / name, target)
        print(f"{target.relative_to(OUT.parent.parent.parent)}: {target.stat().st_size:,} bytes, "
              f"{len(widths[face])} characters")
    (OUT / "widths.json").write_text(json.dumps(widths, separators=(",", ":")) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
