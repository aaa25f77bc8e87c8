"""Share pictures (og:image) and chart images: what a page shares on Facebook and Zalo, and the
PNG and SVG of every chart, drawn with the shipped font, the same bytes on every build."""

from __future__ import annotations

import io
import json
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from conftest import cli, edit, soup
from cumthidua_site import build, cards, charts, fonts, images

SVG = "{http://www.w3.org/2000/svg}"


def built(project: Path, out: str = "out", *extra: str, cache: Path | None = None) -> Path:
    target = project / out
    result = cli("build", "--data", str(project / "data"), "--out", str(target), *extra) if cache is None else \
        _cli_with_cache(cache, "build", "--data", str(project / "data"), "--out", str(target), *extra)
    assert result.returncode == 0, result.stderr
    return target


def _cli_with_cache(cache: Path, *args: str):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "cumthidua_site", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "CUMTHIDUA_CACHE": str(cache)})


def pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def meta(page, name: str) -> str:
    found = page.find("meta", property=name) or page.find("meta", attrs={"name": name})
    assert found is not None, name
    return found["content"]


def picture_of(out: Path, path: Path) -> Path:
    page = soup(path.read_bytes())
    return (path.parent / meta(page, "og:image")).resolve()


def png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()  # decodes every pixel: a truncated or corrupt file fails here
    return image


def drawn_text(svg: str) -> str:
    """Every drawn line, one per line of the result."""
    root = ET.fromstring(svg)
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


# --- share pictures ----------------------------------------------------------------

def test_every_page_has_a_1200_by_630_share_picture(editions_project):
    out = built(editions_project)
    for path in pages(out):
        page = soup(path.read_bytes())
        assert meta(page, "twitter:card") == "summary_large_image", path
        assert meta(page, "twitter:image") == meta(page, "og:image"), path
        assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630"), path
        assert meta(page, "og:image:type") == "image/png"
        alt = meta(page, "og:image:alt")
        assert len(alt) > 15 and alt == unicodedata.normalize("NFC", alt), path
        assert meta(page, "twitter:image:alt") == alt
        picture = picture_of(out, path)
        assert picture.is_relative_to(out.resolve() / "anh"), path
        assert png(picture.read_bytes()).size == (1200, 630), path


def test_the_picture_shows_the_pages_own_content(editions_project):
    """Title, headline figure, source line and publisher are drawn in; the alt text says them."""
    result = build.run(editions_project / "data", draw=True)
    assert not result.failed()
    page = soup(result.files["2023/tinh/soc-trang/index.html"])
    src = "anh/" + meta(page, "og:image").rsplit("anh/", 1)[1]
    text = drawn_text(result.pictures[src].svg)
    assert "Sóc Trăng: kết quả thi đua năm 2023" in text
    assert "938,21 điểm" in text and "Sóc Trăng xếp thứ hai" in text
    assert "Nguồn: Báo Kiên Giang" in text
    assert "Cụm thi đua Tây Nam Bộ · Nhóm Dữ liệu Miền Tây" in text.splitlines()  # the site and its publisher
    alt = meta(page, "og:image:alt")
    assert "938,21 điểm" in alt and "Nguồn: Báo Kiên Giang" in alt
    rankings = soup(result.files["2023/bang-xep-hang/index.html"])
    chart_card = result.pictures["anh/" + meta(rankings, "og:image").rsplit("anh/", 1)[1]].svg
    assert 'class="c"' in chart_card and "Biểu đồ:" in meta(rankings, "og:image:alt")  # its main chart


def test_two_builds_give_identical_bytes(editions_project, tmp_path):
    """Each build draws every picture afresh (an empty cache each): the bytes are the same."""
    first = built(editions_project, "one", cache=tmp_path / "cache-1")
    second = built(editions_project, "two", cache=tmp_path / "cache-2")
    files = {str(p.relative_to(first)): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    assert len([f for f in files if f.endswith(".png")]) > 20
    assert files == {str(p.relative_to(second)): p.read_bytes() for p in second.rglob("*") if p.is_file()}


def test_a_changed_figure_gives_its_pages_a_new_picture(project):
    before = build.run(project / "data", draw=True)
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    after = build.run(project / "data", draw=True)
    old = meta(soup(before.files["2023/tinh/soc-trang/index.html"]), "og:image")
    new = meta(soup(after.files["2023/tinh/soc-trang/index.html"]), "og:image")
    assert old != new  # a new address: networks that keep pictures by address show the corrected one
    assert "938,25 điểm" in drawn_text(after.pictures["anh/" + new.rsplit("anh/", 1)[1]].svg)
    assert "anh/" + old.rsplit("anh/", 1)[1] not in after.files
    same = meta(soup(after.files["2023/tinh/an-giang/index.html"]), "og:image")
    assert same == meta(soup(before.files["2023/tinh/an-giang/index.html"]), "og:image")


def test_with_base_url_the_picture_address_is_absolute(project):
    edit(project / "data/site.yaml", 'base_url: ""', 'base_url: "https://example.vn/cum/"')
    result = build.run(project / "data")
    for path in ("index.html", "2023/tinh/soc-trang/index.html", "2023/nhung/bieu-do-diem/index.html"):
        href = meta(soup(result.files[path]), "og:image")
        assert href.startswith("https://example.vn/cum/anh/") and href.endswith(".png"), path
        assert href.removeprefix("https://example.vn/cum/") in result.pictures


def test_pictures_are_drawn_once_and_cached_by_content(project, tmp_path, monkeypatch):
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(tmp_path / "cache"))
    build.forget()
    first = build.run(project / "data", draw=True)
    assert first.drawn.drawn == len({p.key for p in first.pictures.values()}) > 0
    again = build.run(project / "data", draw=True)
    assert again.drawn.drawn == 0  # from memory
    build.forget()
    from_disk = build.run(project / "data", draw=True)
    assert from_disk.drawn.drawn == 0 and from_disk.output() == first.output()  # from the cache folder
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    edited = build.run(project / "data", draw=True)
    assert 0 < edited.drawn.drawn < first.drawn.drawn / 3  # only the pictures that show the score


def test_a_broken_cache_file_is_drawn_again(project, tmp_path, monkeypatch):
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(tmp_path / "cache"))
    build.forget()
    first = build.run(project / "data", draw=True)
    for cached in (tmp_path / "cache/images").glob("*.png"):
        cached.chmod(0o644)  # kept read-only: builds link to these files
        cached.write_bytes(b"not a picture")
    build.forget()
    again = build.run(project / "data", draw=True)
    assert again.drawn.drawn == first.drawn.drawn and again.output() == first.output()


def test_an_unwritable_cache_only_costs_time(project, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(blocker / "cache"))  # cannot be made: a file is in the way
    build.forget()
    result = build.run(project / "data", out=project / "out")
    assert not result.failed() and result.drawn.drawn > 0


def test_serve_and_check_draw_nothing(project):
    result = build.run(project / "data")  # not writing: the pictures wait to be drawn
    assert result.pictures and not any(path.endswith(".png") for path in result.files) and result.drawn is None


# --- the font ----------------------------------------------------------------------

def font_maps() -> list[set[int]]:
    return [set(TTFont(str(path)).getBestCmap()) for path in fonts.FILES]


def test_every_character_drawn_is_in_the_shipped_font(merged_project):
    result = build.run(merged_project / "data", draw=False)
    assert not result.failed()
    regular, bold = font_maps()
    assert len(result.pictures) > 40
    for path, picture in result.pictures.items():
        text = drawn_text(picture.svg).replace("\n", "")
        assert text, path
        assert {c for c in text if ord(c) not in regular or ord(c) not in bold} == set(), path


def test_the_font_draws_every_vietnamese_letter():
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    every = {unicodedata.normalize("NFC", c + t) for c in letters for t in tones if c in "aăâeêioôơuưy"} | set(letters)
    every |= {c.upper() for c in every} | set("0123456789.,;:!?%–—“”‘’…·/()&+-")
    for cmap in font_maps():
        assert {c for c in every if len(c) != 1 or ord(c) not in cmap} == set()


def test_the_widths_table_is_the_fonts_own():
    """fonts/widths.json is what scripts/subset_fonts.py read from the shipped files."""
    table = json.loads((fonts.FOLDER / "widths.json").read_text(encoding="utf-8"))
    for face, path in zip(("regular", "bold"), fonts.FILES):
        font = TTFont(str(path))
        assert table[face] == {str(cp): font["hmtx"][name][0] for cp, name in font.getBestCmap().items()}
    assert (fonts.FOLDER / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE Version 1.1") == 1


def test_a_character_the_font_lacks_is_a_warning(project):
    edit(project / "data/2023/article.md", "title: \"", "title: \"☃ ")
    result = cli("build", "--data", str(project / "data"), "--out", str(project / "out"))
    assert result.returncode == 0, result.stderr
    assert "không vẽ được ký tự “☃” (U+2603)" in result.stderr
    assert "cảnh báo" in result.stderr


# --- chart images -------------------------------------------------------------------

def test_every_chart_has_png_and_svg_downloads(editions_project):
    out = built(editions_project)
    seen = 0
    for path in pages(out):
        page = soup(path.read_bytes())
        for figure in page.select("figure.chart-figure"):
            links = figure.select("p.chart-downloads a")
            assert [a.get_text() for a in links] == ["ảnh PNG", "SVG"], path
            assert all(a.has_attr("download") for a in links)
            image, vector = [(path.parent / a["href"]).resolve() for a in links]
            assert image.suffix == ".png" and vector.suffix == ".svg"
            assert image.with_suffix("") == vector.with_suffix("")
            picture = png(image.read_bytes())
            assert picture.width == 1116 and picture.height > 300
            svg = vector.read_text(encoding="utf-8")
            text = " ".join(drawn_text(svg).split())
            title = figure.select_one(".chart-title").get_text()
            assert title.split()[0] in text  # its finding, as the page's title
            assert "Đơn vị:" in text and "Nguồn:" in text and "Biểu đồ: " in text  # unit, source, credit
            seen += 1
    assert seen >= 10  # the rankings page, the article, the embeds, the years page


def test_the_chart_image_credits_the_source_report(project):
    result = build.run(project / "data")
    svg = result.files["2023/bieu-do/bieu-do-diem-2023.svg"].decode("utf-8")
    text = " ".join(drawn_text(svg).split())
    assert "“Kiên Giang xếp hạng 4 Cụm thi đua các tỉnh miền Tây Nam bộ”" in text
    assert "Đức Bình" in text and "Báo Kiên Giang" in text
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text.startswith("Điểm thi đua năm 2023")  # said to screen readers too


# --- the drawing itself ---------------------------------------------------------------

def test_a_hostile_title_is_wrapped_cut_and_escaped():
    card = cards.Card("Cụm <b>", "Tiêu đề " * 300 + "\x07</text><script>", "Nhóm & cộng sự", "Nguồn: A & B",
                      "trên 98.000 tỷ đồng", "Thu ngân sách " * 40)
    svg, alt = cards.share(card)
    assert alt.startswith("Tiêu đề") and "trên 98.000 tỷ đồng" in alt and "\x07" not in alt
    root = ET.fromstring(svg)  # well-formed: the text is escaped, the control character gone
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    title = [t for t in texts if t.startswith("Tiêu đề")]
    assert len(title) == 3 and title[-1].endswith("…")
    for line in title:
        assert fonts.width(line, 46, bold=True) <= cards.WIDTH - 2 * cards.MARGIN
    assert "Cụm <b>" in texts and "Nhóm & cộng sự" in texts
    assert png(images.draw(images.Picture(svg))).size == (1200, 630)


@pytest.mark.parametrize("rows", [0, 1, 60])
def test_a_chart_of_any_size_draws(rows):
    from cumthidua_site.figures import Points
    figures = [Points.model_validate({"value": 900 + i, "qualifier": "exact", "source": "a"}) for i in range(rows)]
    chart = charts.Chart("c", "Điểm", "Điểm của các tỉnh", [charts.Row(f"Tỉnh {i}", f) for i, f in enumerate(figures)],
                         style="dot", finding="Điểm thi đua", unit="điểm")
    svg, height = cards.chart_image(chart, "Nguồn: A.", "Biểu đồ: B.")
    ET.fromstring(svg)
    share, alt = cards.share(cards.Card("Cụm", "Bảng", chart=chart))
    assert ('class="c"' in share) == (rows == 1)  # 60 rows would be unreadable as a thumbnail: said in words
    assert ("Điểm thi đua" in drawn_text(share)) == (rows > 0) and ("Biểu đồ: Điểm thi đua" in alt) == (rows > 0)
    assert png(images.draw(images.Picture(share))).size == (1200, 630)


def test_a_written_picture_is_the_caches_read_only_file(project, tmp_path, monkeypatch):
    """No bytes are copied for a picture the cache holds (a hard link where the file system
    allows), and nothing can change the cached file through the built one."""
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(tmp_path / "cache"))
    build.forget()
    out = project / "out"
    result = build.run(project / "data", out=out)
    assert not result.failed()
    path, source = next((p, s) for p, s in result.drawn.sources.items() if isinstance(s, Path))
    written = out / path
    assert written.read_bytes() == source.read_bytes() and written.stat().st_mode & 0o222 == 0
    if written.stat().st_dev == source.stat().st_dev:
        assert written.stat().st_ino == source.stat().st_ino
