"""benchmarks/archive.py: the synthetic project it writes is valid, the same every time, and never in data/."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import ROOT, cli, soup
from cumthidua_site.build import run
from cumthidua_site.checks import check_all
from cumthidua_site.dataset import load_project
from cumthidua_site.formatting import slug

SCRIPT = ROOT / "benchmarks" / "archive.py"
_spec = importlib.util.spec_from_file_location("archive", SCRIPT)
archive = sys.modules.setdefault("archive", importlib.util.module_from_spec(_spec))  # dataclasses look it up
_spec.loader.exec_module(archive)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def generator(*args: str) -> subprocess.CompletedProcess:
    """The generator run as a benchmark author runs it."""
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=60, cwd=ROOT)


def test_small_archive_passes_check_strict(tmp_path):
    """Two editions (2024, and 2025 after the merger): the editor's check, warnings counted as errors."""
    made = generator(str(tmp_path / "out"), "--scale", "0.1")
    assert made.returncode == 0, made.stderr
    assert "2 editions (2024–2025)" in made.stdout
    checked = cli("check", "--data", str(tmp_path / "out" / "data"), "--strict")
    assert checked.returncode == 0, checked.stderr
    assert "lỗi:" not in checked.stderr and "cảnh báo:" not in checked.stderr
    assert "Số liệu hợp lệ" in checked.stderr


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_twenty_editions_agree_with_every_rule(tmp_path, seed):
    """A full-size archive (1x) against every rule, within and across editions (the articles aside: see above)."""
    counts = archive.generate(tmp_path, seed=seed)
    assert counts["editions"] == 20 and (counts["first_year"], counts["last_year"]) == (2006, 2025)
    project, problems = load_project(tmp_path / "data")
    assert project is not None, [p.message for p in problems]
    problems += check_all({year: d.edition for year, d in project.editions.items()})
    assert [(str(p.location), p.message) for p in problems] == []
    members = [len(d.edition.provinces) for d in project.editions.values()]
    assert min(members) >= 55 and max(members) <= 65
    assert len({tuple(sorted(d.edition.provinces)) for d in project.editions.values()}) > 5  # membership varies
    assert sum(members) == counts["member_pages"]


def test_page_count_is_what_a_build_makes(tmp_path):
    """The count the generator prints is the number of pages the site renders."""
    counts = archive.generate(tmp_path, scale=0.1, seed=4)
    result = run(tmp_path / "data")
    assert result.errors == [], [p.message for p in result.errors]
    assert sum(path.endswith(".html") for path in result.files) == counts["pages"]


def test_same_scale_and_seed_same_bytes(tmp_path):
    for name in ("one", "two"):
        assert generator(str(tmp_path / name), "--scale", "0.15", "--seed", "7").returncode == 0
    assert generator(str(tmp_path / "other"), "--scale", "0.15", "--seed", "8").returncode == 0
    one = tree(tmp_path / "one")
    assert one and one == tree(tmp_path / "two")
    assert one != tree(tmp_path / "other")


def test_names_are_vietnamese_nfc_and_have_their_own_addresses(tmp_path):
    archive.generate(tmp_path, scale=0.1)
    text = (tmp_path / "data" / "reference" / "provinces.yaml").read_text(encoding="utf-8")
    names = re.findall(r'^  - "(.+)"$', text, re.M)
    assert len(names) == 70
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert len({slug(name) for name in names}) == len(names)
    assert any(ch in "".join(names) for ch in "ăâđêôơư")
    for path in (tmp_path / "data").rglob("*.*"):
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8")), path


def test_refuses_the_repository_data_folder(tmp_path):
    inside = ROOT / "data" / f"archive-test-{tmp_path.name}"
    try:
        with pytest.raises(archive.Refused, match="inside the repository's data/"):
            archive.generate(inside, scale=0.1)
        assert not inside.exists()
    finally:
        shutil.rmtree(inside, ignore_errors=True)  # only if the refusal failed: leave data/ as it was
    assert not (ROOT / "data" / "data").exists()
    refused = generator(str(ROOT / "data"), "--scale", "0.1")
    assert refused.returncode == 2
    assert "inside the repository's data/" in refused.stderr
    assert not (ROOT / "data" / "data").exists()  # where it would have written


def test_refuses_a_folder_that_is_not_empty_or_a_file(tmp_path):
    (tmp_path / "kept.txt").write_text("x", encoding="utf-8")
    refused = generator(str(tmp_path), "--scale", "0.1")
    assert refused.returncode == 2 and "not empty" in refused.stderr
    assert generator(str(tmp_path / "kept.txt")).returncode == 2
    assert tree(tmp_path) == {"kept.txt": b"x"}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert generator(str(empty), "--scale", "0.1").returncode == 0
    assert (empty / "data" / "2025" / "article.md").is_file()


def test_refuses_more_years_than_four_digits_hold(tmp_path):
    refused = generator(str(tmp_path / "out"), "--scale", "60")
    assert refused.returncode == 2 and "four-digit" in refused.stderr
    assert not (tmp_path / "out").exists()


def test_every_page_stays_within_budget_however_many_years(tmp_path):
    """30 editions: the lists that grow with the years show the newest in full and link the rest,
    and credit only the sources of what they show, so every page stays within 14 KB gzipped."""
    import gzip
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import archive
    from cumthidua_site import build
    archive.generate(tmp_path / "big", scale=1.5)
    result = build.run(tmp_path / "big" / "data")
    assert not result.failed()
    pages = {path: content for path, content in result.files.items() if path.endswith(".html")}
    assert len(pages) > 2000
    heavy = {path: size for path, content in pages.items()
             if (size := len(gzip.compress(content, 9, mtime=0))) > 14 * 1024}
    assert heavy == {}
    years = soup(pages["cac-nam/index.html"])
    assert len(years.select("ul.editions > li")) == 12 and years.find(id="cac-nam-truoc")
    footer = soup(pages["2025/index.html"]).select_one("footer").get_text(" ")
    assert "và 24 năm trước" in footer
    rows = {path: len(soup(content).select("table tbody tr")) for path, content in pages.items()
            if path.startswith("tinh/") and path.count("/") == 2}
    assert max(rows.values()) == 12  # a province of every year: its newest 12 in the table, the rest linked


def test_stand_in_pictures_fill_a_cache_from_which_a_build_draws_nothing(project, tmp_path):
    """`make bench` places the 10x archive's pictures as stand-ins in a cache of its own: a build
    with that cache links every picture from it, draws none, and the user's cache is untouched."""
    import io
    import os
    import subprocess
    import sys
    from PIL import Image
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import scale
    assert Image.open(io.BytesIO(scale.STAND_IN)).size == (1, 1)
    user, cache, trash = tmp_path / "user-cache", tmp_path / "bench-cache", []
    env = {**os.environ, "CUMTHIDUA_CACHE": str(user)}
    placed = scale.stand_in_pictures(project / "data", cache, trash, env)
    assert placed > 10 and not (user / "images").exists()
    assert all(p.read_bytes() == scale.STAND_IN for p in (cache / "images").glob("*.png"))
    out = tmp_path / "out"
    built = subprocess.run([sys.executable, "-m", "cumthidua_site", "build", "--data", str(project / "data"),
                            "--out", str(out)], env={**env, "CUMTHIDUA_CACHE": str(cache)},
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    pngs = list(out.rglob("*.png"))
    assert len(pngs) == placed and all(p.read_bytes() == scale.STAND_IN for p in pngs)
    assert len(list((cache / "images").glob("*.png"))) == placed  # none drawn anew
