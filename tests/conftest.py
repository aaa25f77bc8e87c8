"""Shared fixtures: a temporary copy of the project data, builds, the CLI as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import browser_tools
from cumthidua_site.cli import main

ROOT = Path(__file__).resolve().parents[1]
# Tests build a fixture project of their own, never the live data/: an editor's correct
# edit to data/ must not turn `make test` red. Only test_live_data.py reads data/.
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site"
DATA = FIXTURE / "data"
LIVE_DATA = ROOT / "data"
TEMPLATES = ROOT / "templates"

# Drawn pictures are cached outside the project (the user's cache folder): the tests keep
# theirs in a folder of their own, shared by every test and the CLI runs they start.
os.environ["CUMTHIDUA_CACHE"] = tempfile.mkdtemp(prefix="cumthidua-test-images-")


# Fixture projects are built up from one another: the one-edition site, then a second
# edition (2021), then an edition after the 2025 merger whose members are the new provinces.
EDITION_2021 = Path(__file__).resolve().parent / "fixtures" / "editions" / "2021"
EDITION_2026 = Path(__file__).resolve().parent / "fixtures" / "merged" / "2026"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal" / "data"


@pytest.fixture
def editions_project(project: Path) -> Path:
    """The fixture project with two editions, 2021 and 2023."""
    shutil.copytree(EDITION_2021, project / "data/2021")
    return project


@pytest.fixture
def merged_project(editions_project: Path) -> Path:
    """Three editions; in 2026 the members are the provinces formed in 2025."""
    shutil.copytree(EDITION_2026, editions_project / "data/2026")
    return editions_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture data and the templates to edit freely."""
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a data file, failing loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not found in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed command exactly as an editor would, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "cumthidua_site", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8",
                               "CUMTHIDUA_CACHE": os.environ["CUMTHIDUA_CACHE"]})



def soup(html: bytes | str) -> BeautifulSoup:
    return BeautifulSoup(html, "html5lib")


def text_of(html: bytes | str) -> str:
    """The visible text of a page (and its charts' text), whitespace collapsed, as a reader sees it."""
    page = soup(html)
    for hidden in page.find_all(["script", "style"]):
        hidden.decompose()
    return " ".join(page.body.get_text(" ").split())


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The fixture data built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "build"
    assert main(["build", "--data", str(DATA), "--out", str(out)]) == 0
    return out


def position(path: Path, needle: str, offset: int = 0) -> str:
    """'line:col' (1-based) where `needle` starts in a file, plus `offset` columns."""
    text = path.read_text(encoding="utf-8")
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{col}"


_BROWSER_SKIP: list[str] = []


def pytest_collection_modifyitems(config, items):
    """Off CI, skip the browser checks plainly when their tools are missing; on CI, let them fail."""
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items or browser_tools.in_ci():
        return
    _, missing = browser_tools.find()
    if missing:
        _BROWSER_SKIP.extend(missing)
        skip = pytest.mark.skip(reason=f"browser checks skipped, missing: {', '.join(missing)}")
        for item in browser_items:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if _BROWSER_SKIP:
        terminalreporter.write_line(
            f"Browser checks were SKIPPED: missing {', '.join(_BROWSER_SKIP)}. "
            f"To run them, {browser_tools.INSTALL_HINT}.", yellow=True, bold=True)
