"""The one test that reads the live data/: it must be valid and build a complete site.

It asserts nothing about particular figures, so an editor's correct edit keeps it green.
"""

from __future__ import annotations

from cumthidua_site.build import run
from cumthidua_site.dataset import load_dataset
from cumthidua_site.errors import Level

from conftest import LIVE_DATA


def test_live_data_is_valid_and_builds_every_page():
    result = run(LIVE_DATA)
    errors = [p for p in result.problems if p.level is Level.ERROR]
    assert errors == [], errors
    for page in ("index.html", "bang-xep-hang/index.html", "tinh/index.html", "du-lieu/index.html", "404.html"):
        assert page in result.files, page
    dataset, _ = load_dataset(LIVE_DATA)
    pages = {path for path in result.files if path.startswith("tinh/") and path.count("/") == 2}
    assert len(pages) == len(dataset.edition.provinces)
