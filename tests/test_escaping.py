"""Markup in every text an editor writes changes no page's structure: escaped in HTML, attributes,
JSON-LD, XML and CSV, never run.

The text fields are found from the schema (every single-line text field of the model), so a
field added later is covered without touching this test.
"""

from __future__ import annotations

import csv
import io
import json
import types
import typing
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from pydantic import BaseModel

from cumthidua_site import model
from cumthidua_site.cli import main
from cumthidua_site.downloads import safe_cell
from cumthidua_site.loader import LocatedList, LocatedMap, load_yaml

from conftest import edit, soup

# Double-quoted YAML: \" is a quote. No braces, so it is also plain text in the article's front matter.
# No digits: typed into the article's front matter, a digit is refused as a typed figure.
PAYLOAD = ('<script>alert(a)</script><img src=x onerror=alert(b)><b title=\\"t\\" onclick=\\"f()\\">'
           "&amp;&lt;'</b><!-- c --><svg onload=alert(c)>[a](javascript:alert(d)) *em* # ")
SHOWN = "<script>alert(a)</script>"  # what a reader must see, as text
URL = "https://example.vn/a?b=1&c='d'#e"
FORMULA = '=HYPERLINK(\\"http://evil.example\\",\\"x\\")'


def _validators(metadata) -> set:
    return {getattr(m, "func", None) for m in metadata}


def _is_text(annotation, metadata) -> bool:
    """A free single-line text field (Line or Text), not a reference such as a source id."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
    return annotation is str and model._single_line in _validators(metadata) and not _is_url(annotation, metadata)


def _is_url(annotation, metadata) -> bool:
    if model._web_address in _validators(metadata):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
        return _is_url(annotation, metadata)
    return False


REFERENCES = {"source", "stands", "provinces", "from", "into"}  # ids and names other data must match


def text_places(cls: type[BaseModel], data, kind) -> list:
    """Locations of the values of every text (or URL) field of `cls` in located `data`."""
    found = []
    if not isinstance(data, LocatedMap):
        return found
    for name, info in cls.model_fields.items():
        key = info.alias or name
        if key not in data or key in REFERENCES:
            continue
        value, annotation = data[key], info.annotation
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # Optional[X]
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        inner = typing.get_args(annotation)
        if kind(annotation, info.metadata):
            found.append(data.value_locs[key])
        elif typing.get_origin(annotation) is list and inner and kind(inner[0], []):
            found += [loc for loc in value.item_locs] if isinstance(value, LocatedList) else []
        elif typing.get_origin(annotation) is list and inner and isinstance(inner[0], type) and \
                issubclass(inner[0], BaseModel) and isinstance(value, LocatedList):
            for item in value:
                found += text_places(inner[0], item, kind)
        elif typing.get_origin(annotation) is dict and isinstance(inner[1], type) and issubclass(inner[1], BaseModel):
            for item in value.values():
                found += text_places(inner[1], item, kind)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += text_places(annotation, value, kind)
    return found


def inject(path: Path, places, text: str, replace: bool = False) -> int:
    """Put `text` at the start of each double-quoted value (or instead of it); bottom-up keeps places valid."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for loc in sorted(places, key=lambda l: (l.line, l.col), reverse=True):
        line, col = lines[loc.line - 1], loc.col - 1
        assert line[col] == '"', f"{path.name}:{loc.line}: the fixture writes text values in double quotes"
        if replace:
            end = next(i for i in range(col + 1, len(line)) if line[i] == '"' and line[i - 1] != "\\")
            lines[loc.line - 1] = line[:col + 1] + text + line[end:]
        else:
            lines[loc.line - 1] = line[:col + 1] + text + line[col + 1:]
    path.write_text("\n".join(lines), encoding="utf-8")
    return len(places)


def _given(path: Path, places) -> list:
    """Places whose value is not empty: an empty text means "not given" and changes the page."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [loc for loc in places if lines[loc.line - 1][loc.col - 1:loc.col + 1] != '""']


def inject_everywhere(data: Path, text: str, url: str | None = None) -> int:
    count = 0
    for name, cls in (("site.yaml", model.Site), ("2023/cluster.yaml", model.Cluster),
                      ("reference/provinces.yaml", model.Reference)):
        path = data / name
        located, problems = load_yaml(path, data)
        assert not problems
        count += inject(path, _given(path, text_places(cls, located, _is_text)), text)
        if url is not None:
            located, _ = load_yaml(path, data)
            count += inject(path, _given(path, text_places(cls, located, _is_url)), url, replace=True)
    return count


def structure(folder: Path) -> dict[str, Counter]:
    """Every HTML page's elements with their attribute names; JSON-LD parsed as JSON."""
    pages = {}
    for path in sorted(folder.rglob("*.html")):
        page = soup(path.read_bytes())
        pages[str(path.relative_to(folder))] = Counter(
            (el.name, tuple(sorted(el.attrs))) for el in page.find_all(True))
        for script in page.find_all("script", type="application/ld+json"):
            json.loads(script.string)
    return pages


def svg_structure(folder: Path) -> dict[str, set]:
    """Every SVG file's kinds of element with their attribute names (a longer text is drawn
    in more lines: how many of each kind is not compared)."""
    return {str(path.relative_to(folder)): {(el.tag, tuple(sorted(el.attrib)))
                                            for el in ET.fromstring(path.read_bytes()).iter()}
            for path in sorted(folder.rglob("*.svg"))}


@pytest.fixture(scope="module")
def clean(tmp_path_factory, request):
    from conftest import DATA
    import shutil
    root = tmp_path_factory.mktemp("clean")
    shutil.copytree(DATA, root / "data")
    edit(root / "data/site.yaml", 'base_url: ""', 'base_url: "https://example.vn/cum/"')
    assert main(["build", "--data", str(root / "data"), "--out", str(root / "build")]) == 0
    return root / "build"


def test_the_schema_walk_finds_the_text_fields(project):
    located, _ = load_yaml(project / "data/2023/cluster.yaml", project / "data")
    places = text_places(model.Cluster, located, _is_text)
    assert len(places) >= 15  # names, titles, authors, leaders, reasons…
    assert len(text_places(model.Cluster, located, _is_url)) == 4  # one per source


def test_markup_in_every_text_field_adds_no_element_attribute_or_script(project, clean, capsys):
    data = project / "data"
    edit(data / "site.yaml", 'base_url: ""', 'base_url: "https://example.vn/cum/"')
    count = inject_everywhere(data, PAYLOAD, URL)
    for field in ("title", "sapo", "byline"):
        edit(data / "2023/article.md", f'{field}: "', f'{field}: "{PAYLOAD}')
    assert count >= 20
    code = main(["build", "--data", str(data), "--out", str(project / "build")])
    assert code == 0, capsys.readouterr().err
    out = project / "build"
    assert structure(out) == structure(clean)
    index = (out / "index.html").read_text(encoding="utf-8")
    page = soup(index)
    assert SHOWN in page.find("h1").get_text()  # shown as text, not run
    assert SHOWN in page.title.get_text()
    assert page.find("meta", property="og:title")["content"].startswith(SHOWN)
    article = json.loads(page.find("script", type="application/ld+json").string)
    assert article["headline"].startswith(SHOWN)
    ET.fromstring((out / "sitemap.xml").read_bytes())
    assert (out / "robots.txt").read_text(encoding="utf-8").count("\n") == 3
    json.loads((out / "2023/du-lieu/so-lieu-2023.json").read_bytes())
    # the pictures: the text is drawn as text, in the share pictures and in the charts' SVG downloads
    assert page.find("meta", property="og:image:alt")["content"].startswith(SHOWN)
    assert svg_structure(out) == svg_structure(clean)
    from cumthidua_site.build import run
    drawn = run(data).pictures
    assert drawn
    for path, picture in drawn.items():
        tags = {el.tag.rsplit("}", 1)[-1] for el in ET.fromstring(picture.svg).iter()}
        assert tags <= {"svg", "title", "desc", "style", "rect", "g", "text", "line", "path", "circle"}, path
    assert any(SHOWN in "".join(el.itertext()) for picture in drawn.values()
               for el in ET.fromstring(picture.svg).iter("{http://www.w3.org/2000/svg}text"))


def test_markup_in_the_article_body_is_cleaned(project, capsys):
    article = project / "data/2023/article.md"
    edit(article, "## Giảm nghèo", '<script>alert(a)</script>\n\n<img src=x onerror="alert(b)"> '
         '<a href="javascript:alert(c)" onclick="x()">a</a> [b](javascript:alert(d)) '
         '<iframe src="https://evil.example"></iframe><style>*{}</style>\n\n## Giảm nghèo')
    assert main(["build", "--data", str(project / "data"), "--out", str(project / "build")]) == 0
    page = soup((project / "build/index.html").read_bytes())
    prose = page.find(class_="prose")
    assert prose.find_all(["script", "img", "iframe", "style"]) == []
    for element in prose.find_all(True):
        assert not [a for a in element.attrs if a.startswith("on")]
        assert "javascript:" not in element.get("href", "")


def test_data_printed_into_the_article_is_text_not_markdown(project, capsys):
    edit(project / "data/2023/cluster.yaml", 'short_name: "', 'short_name: "[x](https://evil.example) **b** ')
    assert main(["build", "--data", str(project / "data"), "--out", str(project / "build")]) == 0
    page = soup((project / "build/index.html").read_bytes())
    prose = page.find(class_="prose")
    assert not prose.find("a", href="https://evil.example")
    assert not [s for s in prose.find_all("strong") if "chart-title" not in s.get("class", [])]


def test_csv_cells_that_would_run_as_formulas_are_neutralised(project, capsys):
    data = project / "data"
    edit(data / "2023/cluster.yaml", 'publisher: "Báo Kiên Giang"', f'publisher: "{FORMULA}"')
    assert main(["build", "--data", str(data), "--out", str(project / "build")]) == 0
    rows = list(csv.reader(io.StringIO((project / "build/2023/du-lieu/so-lieu-2023.csv").read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells)
    numbers = 0
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a number may start so
            numbers += 1
    data_page = (project / "build/2023/du-lieu/index.html").read_text(encoding="utf-8")
    assert "không chạy như một công thức" in data_page


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("Báo =", "Báo ="), ("", ""), (None, ""),
])
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def test_numbers_stay_numbers_in_csv():
    from decimal import Decimal
    assert safe_cell(Decimal("-2.5")) == "-2.5" and safe_cell(-3) == "-3"


@pytest.mark.parametrize("field, value", [
    ("base_url", "https://example.vn/\\nDisallow: /\\nSitemap: https://evil.example/x.xml\\n/"),
    ("base_url", "https://example.vn/ a/"),
    ("base_url", "https://example.vn/\\u2028/"),
    ("base_url", "javascript:alert(1)//"),
])
def test_base_url_refuses_line_breaks_and_other_schemes(project, capsys, field, value):
    edit(project / "data/site.yaml", 'base_url: ""', f'base_url: "{value}"')
    code = main(["build", "--data", str(project / "data"), "--out", str(project / "build")])
    err = capsys.readouterr().err
    assert code == 1 and "site.yaml:" in err and "base_url" in err and not (project / "build").exists()


@pytest.mark.parametrize("old, new, shown", [
    ('title: "Kiên Giang', 'title: "Kiên\\nGiang', "U+000A"),
    ('publisher: "Báo Kiên Giang"', 'publisher: "Báo\\tKiên Giang"', "U+0009"),
    ('time_of_day: "sáng"', 'time_of_day: "s\\u2029áng"', "U+2029"),
    ('role: "Phó', 'role: "\\u202ePhó', "U+202E"),
    ('authors: ["Đức Bình"', 'authors: ["Đức\\r\\nBình"', "U+000D"),
    ('url: "https://baokiengiang.vn/', 'url: "https://baokiengiang.vn/\\n', ""),
    ('url: "https://baokiengiang.vn/', 'url: "https://baokiengiang.vn/ x', ""),
    ('url: "https://baokiengiang.vn/', 'url: "https://baokiengiang.vn/\\"><script>', ""),
])
def test_single_line_fields_refuse_line_breaks_and_control_characters(project, capsys, old, new, shown):
    edit(project / "data/2023/cluster.yaml", old, new)
    code = main(["check", "--data", str(project / "data")])
    err = capsys.readouterr().err
    assert code == 1 and "cluster.yaml:" in err and shown in err
    assert all(line.startswith(("/", "  ", "Số liệu", "tests")) or ": lỗi: " in line or not line
               for line in err.splitlines())  # every message stays on its own line


def _second_edition_corrected(root: Path, note: str, payload: str | None = None, url: str | None = None) -> Path:
    """The two-edition fixture with a base URL, 2021's text fields holding `payload`, published,
    then Sóc Trăng's score corrected with `note` (as the reason and as the old value)."""
    import shutil
    from conftest import DATA, EDITION_2021
    from cumthidua_site.build import publish
    shutil.copytree(DATA, root / "data")
    shutil.copytree(EDITION_2021, root / "data/2021")
    data = root / "data"
    edit(data / "site.yaml", 'base_url: ""', 'base_url: "https://example.vn/cum/"')
    if payload is not None:
        path = data / "2021/cluster.yaml"
        located, _ = load_yaml(path, data)
        assert inject(path, _given(path, text_places(model.Cluster, located, _is_text)), payload) >= 8
        located, _ = load_yaml(path, data)
        inject(path, _given(path, text_places(model.Cluster, located, _is_url)), url, replace=True)
    assert publish(data, [])[0]
    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    (data / "2023/corrections.yaml").write_text(
        f'corrections:\n  - date: 2026-12-01\n    covers: ["provinces.Sóc Trăng.score"]\n'
        f'    was: {{"provinces.Sóc Trăng.score": "{note}"}}\n    note: "{note}"\n    source: bao-kien-giang\n',
        encoding="utf-8")
    assert main(["build", "--data", str(data), "--out", str(root / "build")]) == 0
    return root / "build"


def test_markup_in_a_second_edition_and_in_a_correction_adds_no_element(tmp_path_factory, capsys):
    """2021's text fields (city, the list of provinces that met their export plan…) and a
    correction's reason and old value are shown as text everywhere: pages, JSON-LD, CSV."""
    clean = _second_edition_corrected(tmp_path_factory.mktemp("clean"), "Chép nhầm.")
    out = _second_edition_corrected(tmp_path_factory.mktemp("evil"), PAYLOAD, PAYLOAD, URL)
    assert structure(out) == structure(clean)
    for path in ("2023/index.html", "2023/tinh/soc-trang/index.html", "dinh-chinh/index.html", "2023/du-lieu/index.html"):
        page = soup((out / path).read_bytes())
        assert SHOWN in page.get_text(), path
    article = json.loads(soup((out / "2023/index.html").read_bytes())
                         .find("script", type="application/ld+json").string)
    assert SHOWN in article["correction"][0]["text"]
    assert SHOWN in soup((out / "2021/index.html").read_bytes()).get_text()
    rows = list(csv.DictReader(io.StringIO((out / "2023/du-lieu/so-lieu-2023.csv").read_text(encoding="utf-8-sig"))))
    (score,) = [r for r in rows if r["province"] == "Sóc Trăng" and r["field"] == "score"]
    assert score["previous"].startswith(SHOWN)
    json.loads((out / "2021/du-lieu/so-lieu-2021.json").read_bytes())
