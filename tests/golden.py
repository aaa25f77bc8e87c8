"""The golden output of the smallest fixture project: build it and compare, or refresh it.

    python tests/golden.py --refresh     (or `make golden`) after an intended change of output

The comparison is the test in test_golden.py; refreshing rewrites tests/golden/minimal/
from a fresh build, so `git diff` shows exactly what the change did to every file.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from cumthidua_site.build import run  # noqa: E402

MINIMAL = HERE / "fixtures" / "minimal" / "data"
GOLDEN = HERE / "golden" / "minimal"


PICTURES = "pictures.sha256"  # the drawn PNG files, by their hash: the same bytes on every machine


def build() -> dict[str, bytes]:
    """Every file the smallest project builds into, in memory; the PNG pictures as one list of hashes."""
    result = run(MINIMAL, draw=True)
    assert not result.errors, [p.message for p in result.errors]
    files = dict(result.files)
    files[PICTURES] = "".join(f"{hashlib.sha256(result.drawn.read(path)).hexdigest()}  {path}\n"
                              for path in sorted(result.pictures)).encode("utf-8")
    return files


def stored() -> dict[str, bytes]:
    return {str(p.relative_to(GOLDEN)): p.read_bytes() for p in sorted(GOLDEN.rglob("*")) if p.is_file()}


def refresh() -> None:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for path, content in build().items():
        target = GOLDEN / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


if __name__ == "__main__":
    if sys.argv[1:] != ["--refresh"]:
        sys.exit("usage: python tests/golden.py --refresh")
    refresh()
    print(f"wrote {len(stored())} files to {GOLDEN.relative_to(HERE.parent)}/")
