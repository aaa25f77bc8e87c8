"""End to end: the real data built into HTML, read back as a reader would read it."""

from __future__ import annotations

import codecs
import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

import html5lib
import pytest

from cumthidua_site.cli import main
from conftest import DATA, cli, edit, soup, text_of

# Every item of the source inventory, as the page must say it (Vietnamese format).
INVENTORY = [
    "12 tỉnh", "Long An", "Bến Tre", "Đồng Tháp", "Tiền Giang", "Vĩnh Long", "An Giang", "Kiên Giang",
    "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau", "Trà Vinh", "Cần Thơ không thuộc cụm",
    "6,7%", "5,05%", "cao hơn mức bình quân cả nước",
    "trên 98.000 tỷ đồng", "vượt 7,7% dự toán",
    "trên 23 tỷ USD", "tăng 6,79% so với năm 2022", "trên 21,5 tỷ USD", "vượt 4,21% kế hoạch",
    "71,2 triệu đồng/người/năm", "Trà Vinh (81,75 triệu đồng)", "Hậu Giang (80,33 triệu đồng)",
    "Kiên Giang (73,74 triệu đồng)", "Cà Mau (69,8 triệu đồng)",
    "cụm có 3 tỉnh có toàn bộ số xã đạt chuẩn nông thôn mới: Bạc Liêu, Trà Vinh và Tiền Giang",
    "Kiên Giang, Long An và Bạc Liêu vượt kế hoạch, lần lượt đạt 136%, 124% và 122% kế hoạch",
    "từ 98,8% kế hoạch trở lên",
    "“Vì người nghèo – không để ai bị bỏ lại phía sau” (2021–2025)", "3 nhóm chính sách",
    "Cà Mau dẫn đầu Cụm thi đua các tỉnh miền Tây Nam Bộ năm 2023 với trên 945 điểm", "Sóc Trăng xếp thứ hai với 938,21 điểm",
    "Kiên Giang xếp thứ tư với 932,88 điểm", "không nêu tỉnh xếp thứ ba",
    "Cờ thi đua của Chính phủ cho Cà Mau và Sóc Trăng",
    "Tiền Giang và Trà Vinh được đề nghị tặng Bằng khen của Thủ tướng Chính phủ",
    "Sóc Trăng là cụm trưởng năm 2023", "Chủ tịch UBND tỉnh Sóc Trăng Trần Văn Lâu",
    "Cờ luân lưu cụm trưởng năm 2024 được trao cho Long An", "ký giao ước thi đua năm 2024",
    "sáng 27/3/2024 tại Sóc Trăng",
    "năm thứ ba triển khai Nghị quyết Đại hội XIII của Đảng", "2021–2025",
    "Báo Kiên Giang", "Kiên Giang xếp hạng 4 Cụm thi đua các tỉnh miền Tây Nam bộ",
    "Đức Bình và Duy Khang", "ảnh của Duy Khang, không đăng lại ở đây",
]
SOURCE_URL = ("https://baokiengiang.vn/thoi-su/kien-giang-xep-hang-4-cum-thi-dua-cac-tinh-mien-tay-nam-bo"
              "-19653.html")


def table(page, caption_start: str) -> list[list[str]]:
    """The rows of the table whose caption starts with the text, as cell texts."""
    for node in page.find_all("table"):
        if node.caption and node.caption.get_text().startswith(caption_start):
            return [[" ".join(c.get_text(" ").split()) for c in row.find_all(["th", "td"])]
                    for row in node.find_all("tr")]
    raise AssertionError(f"no table captioned {caption_start!r}")


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("needle", INVENTORY)
def test_every_inventory_item_is_on_the_page(site, needle):
    assert needle in text_of((site / "index.html").read_bytes())


def test_page_is_valid_html5_in_vietnamese(site):
    html = (site / "index.html").read_bytes()
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)  # raises on any parse error
    page = soup(html)
    assert page.html["lang"] == "vi"
    assert len(page.find_all("h1")) == 1
    assert page.find("meta", attrs={"name": "viewport"})["content"] == "width=device-width, initial-scale=1"
    assert page.title.get_text() == "Cà Mau dẫn đầu Cụm thi đua Tây Nam Bộ năm 2023, Kiên Giang xếp thứ tư"
    assert page.find("meta", attrs={"name": "description"})["content"].startswith(
        "Cà Mau đứng đầu bảng điểm thi đua năm 2023 của 12 tỉnh")


def test_source_is_credited_with_a_link(site):
    page = soup((site / "index.html").read_bytes())
    links = [a.get_text() for a in page.find_all("a") if a.get("href") == SOURCE_URL]
    title = "Kiên Giang xếp hạng 4 Cụm thi đua các tỉnh miền Tây Nam bộ"
    assert title in links and f"“{title}”" in links  # the byline and the footer's list of sources
    assert set(links) <= {title, f"“{title}”", "Báo Kiên Giang"}  # …and the "Nguồn:" lines


def test_tables_are_semantic(site):
    page = soup((site / "index.html").read_bytes())
    tables = page.find_all("table")
    assert len(tables) == 6
    for node in tables:
        assert node.caption and node.caption.get_text().strip()
        assert all(th.get("scope") in ("col", "row") for th in node.find_all("th"))
        assert node.thead.find_all("th", scope="col")
        wrap = node.parent
        assert "table-wrap" in wrap["class"] and wrap["tabindex"] == "0"
        assert wrap["aria-labelledby"] == node.caption["id"]


def test_score_table_shows_unknowns_as_unknown(site):
    rows = table(soup((site / "index.html").read_bytes()), "Điểm và thứ hạng")
    assert rows[0] == ["Hạng", "Tỉnh", "Điểm"]
    assert rows[1:5] == [["1", "Cà Mau", "trên 945"], ["2", "Sóc Trăng", "938,21"],
                         ["3", "nguồn không nêu tên tỉnh", "bài gốc không nêu"], ["4", "Kiên Giang", "932,88"]]
    rest = rows[5:]
    assert len(rest) == 9 and all(r[0] == "bài gốc không nêu" and r[2] == "bài gốc không nêu" for r in rest)
    assert [r[1] for r in rest] == ["An Giang", "Bạc Liêu", "Bến Tre", "Đồng Tháp", "Hậu Giang", "Long An",
                                    "Tiền Giang", "Trà Vinh", "Vĩnh Long"]


def test_income_and_poverty_tables_compare_from_the_data(site):
    page = soup((site / "index.html").read_bytes())
    # SGGP's "trung bình 71,2" refines Báo Kiên Giang's "trên 71" and proves every comparison
    assert table(page, "Thu nhập bình quân")[1:] == [
        ["Trà Vinh", "81,75", "cao hơn"], ["Hậu Giang", "80,33", "cao hơn"],
        ["Kiên Giang", "73,74", "cao hơn"], ["Cà Mau", "69,8", "thấp hơn"], ["Bình quân toàn cụm", "71,2 SGGP", ""]]
    poverty = table(page, "Giảm tỷ lệ hộ nghèo")
    assert poverty[1:4] == [["Kiên Giang", "136", "vượt kế hoạch"], ["Long An", "124", "vượt kế hoạch"],
                            ["Bạc Liêu", "122", "vượt kế hoạch"]]
    assert poverty[4][0].startswith("Các tỉnh còn lại (An Giang, Bến Tre, Cà Mau")
    assert poverty[4][1:] == ["từ 98,8 trở lên", "chưa xác định"]


def test_lists_awards_and_heads_tables(site):
    page = soup((site / "index.html").read_bytes())
    assert table(page, "Tỉnh có 100% số xã")[1:] == [["1", "Bạc Liêu"], ["2", "Trà Vinh"], ["3", "Tiền Giang"]]
    assert table(page, "Khen thưởng")[1:] == [["Cờ thi đua của Chính phủ", "Cà Mau và Sóc Trăng"],
                                               ["Bằng khen của Thủ tướng Chính phủ", "Tiền Giang và Trà Vinh"]]
    assert table(page, "Tỉnh cụm trưởng")[1:] == [["2023", "Sóc Trăng", "Trần Văn Lâu, Chủ tịch UBND tỉnh Sóc Trăng"],
                                                  ["2024", "Long An", "bài gốc không nêu"]]


def test_links_are_relative_and_nothing_is_fetched_from_elsewhere(site):
    page = soup((site / "index.html").read_bytes())
    for node in page.find_all(["link", "script", "img"]):
        target = node.get("href") or node.get("src") or ""
        assert target.startswith("data:") or not re.match(r"^(https?:)?//|^/", target), target
    for a in page.find_all("a"):
        href = a["href"]
        assert not href.startswith("/"), href  # root-relative links break under a sub-path
        if not href.startswith(("http", "#", "mailto:")):
            assert (site / href.split("#")[0]).is_file(), href


def test_same_data_gives_byte_identical_output(tmp_path):
    assert main(["build", "--data", str(DATA), "--out", str(tmp_path / "a")]) == 0
    assert main(["build", "--data", str(DATA), "--out", str(tmp_path / "b")]) == 0
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def _counts(out: Path, needles: tuple[str, ...]) -> dict[str, int]:
    """How often each needle occurs in each file a reader sees (HTML as text, downloads raw)."""
    counts = {}
    for path in sorted(out.rglob("*")):
        if path.suffix in (".html", ".csv", ".json"):
            text = text_of(path.read_bytes()) if path.suffix == ".html" else path.read_text(encoding="utf-8-sig")
            counts[str(path.relative_to(out))] = sum(text.count(n) for n in needles)
    return counts


def test_correcting_a_figure_changes_it_everywhere(project):
    data, out = project / "data", project / "build"
    assert main(["build", "--data", str(data), "--out", str(out)]) == 0
    before = _counts(out, ("938,21", "938.21"))
    assert before["index.html"] == 5  # prose, chart title, chart description, chart label, table
    assert before["2023/tinh/soc-trang/index.html"] >= 2 and before["2023/bang-xep-hang/index.html"] >= 3
    assert before["2023/du-lieu/so-lieu-2023.csv"] >= 2 and before["2023/du-lieu/so-lieu-2023.json"] >= 2
    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 939.5,")
    assert main(["build", "--data", str(data), "--out", str(out)]) == 0
    assert _counts(out, ("938,21", "938.21")) == {page: 0 for page in before}
    assert _counts(out, ("939,5", "939.5")) == before
    assert "Sóc Trăng xếp thứ hai với 939,5 điểm" in text_of((out / "index.html").read_bytes())


def test_a_comparison_word_follows_the_data(project):
    data, out = project / "data", project / "build"
    edit(data / "2023/provinces.yaml", "income_per_capita: {value: 69.8,", "income_per_capita: {value: 75.2,")
    assert main(["build", "--data", str(data), "--out", str(out)]) == 0
    page = soup((out / "index.html").read_bytes())
    assert ["Cà Mau", "75,2", "cao hơn"] in table(page, "Thu nhập bình quân")
    assert "thấp hơn bình quân toàn cụm" not in text_of((out / "index.html").read_bytes())


def test_no_comparison_word_where_only_a_bound_is_known(project):
    # Without SGGP's 71,2, "trên 71" proves only that the average is above 71: 81,75 may be
    # below it, 69,8 cannot be.
    data, out = project / "data", project / "build"
    edit(data / "2023/cluster.yaml", "    - {value: 71.2, qualifier: exact, source: sggp}", "")
    assert main(["build", "--data", str(data), "--out", str(out)]) == 0
    assert table(soup((out / "index.html").read_bytes()), "Thu nhập bình quân")[1:] == [
        ["Trà Vinh", "81,75", "chưa xác định"], ["Hậu Giang", "80,33", "chưa xác định"],
        ["Kiên Giang", "73,74", "chưa xác định"], ["Cà Mau", "69,8", "thấp hơn"], ["Bình quân toàn cụm", "trên 71", ""]]


def test_a_failed_build_leaves_the_previous_output_untouched(project, capsys):
    data, out = project / "data", project / "build"
    assert main(["build", "--data", str(data), "--out", str(out)]) == 0
    before = snapshot(out)
    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938,21,")
    assert main(["build", "--data", str(data), "--out", str(out)]) == 1
    assert snapshot(out) == before
    edit(data / "2023/provinces.yaml", "score: {value: 938,21,", "score: {value: 938.21,")
    edit(data / "2023/article.md", "{{ economy.exports | fig }}", "{{ economy.export | fig }}")
    assert main(["build", "--data", str(data), "--out", str(out)]) == 1
    assert snapshot(out) == before
    assert not [p for p in project.iterdir() if p.name.startswith(".build.")]  # no staging left behind


def test_out_refuses_a_folder_it_did_not_create(project, capsys):
    precious = project / "notes"
    precious.mkdir()
    (precious / "ghi-chu.txt").write_text("đừng xóa", encoding="utf-8")
    assert main(["build", "--data", str(project / "data"), "--out", str(precious)]) == 2
    assert (precious / "ghi-chu.txt").read_text(encoding="utf-8") == "đừng xóa"
    assert "không phải do cumthidua-site tạo" in capsys.readouterr().err
    assert main(["build", "--data", str(project / "data"), "--out", str(project)]) == 2
    assert (project / "data" / "site.yaml").is_file()


def test_out_accepts_an_empty_folder_and_its_own(project):
    out = project / "empty"
    out.mkdir()
    assert main(["build", "--data", str(project / "data"), "--out", str(out)]) == 0
    assert (out / ".cumthidua-site").is_file()
    assert main(["build", "--data", str(project / "data"), "--out", str(out)]) == 0


VARIANTS = {
    "nfd": lambda text: unicodedata.normalize("NFD", text).encode("utf-8"),
    "bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "all-three": lambda text: codecs.BOM_UTF8 + unicodedata.normalize("NFD", text).replace("\n", "\r\n").encode(),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_nfd_bom_and_crlf_variants_build_byte_identical_sites(tmp_path, site, variant):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    for path in sorted(p for p in copy.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        path.write_bytes(VARIANTS[variant](text))
        assert path.read_bytes() != text.encode("utf-8")  # the variant really differs
    assert main(["build", "--data", str(copy), "--out", str(tmp_path / "build")]) == 0
    assert snapshot(tmp_path / "build") == snapshot(site)


def test_a_rebuild_in_one_process_gives_the_same_bytes_as_a_fresh_build(editions_project):
    """serve rebuilds in one process, reusing parsed files, templates, articles and downloads that
    did not change: what it makes must be what a new process makes from the same files."""
    from cumthidua_site.build import run
    from conftest import cli
    data, templates = editions_project / "data", editions_project / "templates"
    assert not run(data, templates=templates).failed()  # warm every cache
    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.27,")
    edit(data / "2021/cluster.yaml", "{value: 88000, qualifier: nearly", "{value: 87000, qualifier: nearly")
    edit(templates / "province.html", "<h2 id=\"so-lieu\">Số liệu các nguồn nêu</h2>",
         "<h2 id=\"so-lieu\">Số liệu mà các nguồn nêu</h2>")
    again = run(data, templates=templates, draw=True)
    assert not again.failed()
    fresh = cli("build", "--data", str(data), "--templates", str(templates), "--out", str(editions_project / "out"))
    assert fresh.returncode == 0, fresh.stderr
    written = {str(p.relative_to(editions_project / "out")): p.read_bytes()
               for p in (editions_project / "out").rglob("*") if p.is_file() and p.name != ".cumthidua-site"}
    made = again.output()
    assert sorted(written) == sorted(made)
    assert [path for path in written if written[path] != made[path]] == []
    assert "938,27" in again.files["2023/tinh/soc-trang/index.html"].decode()
    assert "gần 87.000 tỷ đồng" in again.files["2021/index.html"].decode()  # the article rendered again
    assert "Số liệu mà các nguồn nêu" in again.files["2023/tinh/soc-trang/index.html"].decode()  # template reloaded


def test_an_article_still_rendering_is_stopped_when_a_page_fails(project):
    """Articles render in their own children while the other pages render: a mistake in a page
    template ends the build at once, and the children are not left running."""
    import os
    from cumthidua_site.build import run
    runaway = "\n" + "".join(f"{{% for x{i} in members %}}" for i in range(8)) + "{% endfor %}" * 8 + "\n"
    article = project / "data/2023/article.md"
    article.write_text(article.read_text(encoding="utf-8") + runaway, encoding="utf-8")
    edit(project / "templates/province.html", "<h1>{{ p.name }}</h1>", "<h1>{{ p.name }}{{ no_such_name }}</h1>")
    def children() -> set[str]:  # this process's children (other tests may have left theirs, e.g. a browser)
        return {child for task in Path(f"/proc/{os.getpid()}/task").iterdir()
                for child in (task / "children").read_text().split()}
    before = children()
    result = run(project / "data", templates=project / "templates")
    assert [p.message for p in result.errors] == ["mẫu trang có lỗi, không dựng được trang"]
    assert result.errors[0].location.path.name == "province.html"
    assert children() <= before


def test_an_unchanged_build_writes_nothing(project):
    data, out = project / "data", project / "build"
    first = cli("build", "--data", str(data), "--out", str(out))
    assert first.returncode == 0 and "Đã dựng" in first.stderr
    stamps = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")}
    folder = out.stat().st_ino
    again = cli("build", "--data", str(data), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "Không có gì thay đổi: " in again.stderr and "không ghi lại" in again.stderr
    assert out.stat().st_ino == folder  # no swap
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")} == stamps
    (out / "2023/index.html").write_text("sửa tay", encoding="utf-8")  # the folder no longer holds the build
    mended = cli("build", "--data", str(data), "--out", str(out))
    assert "Đã dựng" in mended.stderr and "sửa tay" not in (out / "2023/index.html").read_text(encoding="utf-8")
    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    changed = cli("build", "--data", str(data), "--out", str(out))
    assert "Đã dựng" in changed.stderr and "938,25" in (out / "2023/tinh/soc-trang/index.html").read_text(encoding="utf-8")


def test_a_build_from_the_caches_is_byte_identical_to_a_clean_one(project, tmp_path):
    """Compiled templates, parsed data files, the rendered article, the downloads and the drawn
    pictures come from the disk cache in a second process: the output is the same bytes as a
    build with an empty cache, and a changed template, article or figure is made again."""
    import os
    import subprocess
    import sys

    def build_with(cache: Path, out: Path) -> dict[str, bytes]:
        done = subprocess.run([sys.executable, "-m", "cumthidua_site", "build", "--data", str(project / "data"),
                               "--templates", str(project / "templates"), "--out", str(out)],
                              capture_output=True, text=True, env={**os.environ, "CUMTHIDUA_CACHE": str(cache)})
        assert done.returncode == 0, done.stderr
        return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    clean = build_with(tmp_path / "empty-cache", tmp_path / "clean")
    kept = tmp_path / "empty-cache"
    assert {p.name for p in kept.iterdir()} == {"images", "templates", "articles", "yaml", "downloads", ".pruned"}
    assert list(kept.glob("articles/rendered-*.json")) and list(kept.glob("downloads/*.json"))
    cached = build_with(tmp_path / "empty-cache", tmp_path / "cached")  # the same cache, now full
    assert cached == clean
    edit(project / "templates/base.html", "so sánh các năm", "so sánh mọi năm")  # a template changed
    article = project / "data/2023/article.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nĐoạn thêm vào thân bài để kiểm tra.\n",
                       encoding="utf-8")  # and the article's body
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")  # and a figure
    changed = build_with(tmp_path / "empty-cache", tmp_path / "changed")
    fresh = build_with(tmp_path / "another-cache", tmp_path / "fresh")
    assert changed == fresh
    assert "so sánh mọi năm" in changed["index.html"].decode("utf-8")
    assert "Đoạn thêm vào thân bài để kiểm tra." in changed["2023/index.html"].decode("utf-8")
    assert "938.25" in changed["2023/du-lieu/so-lieu-2023.csv"].decode("utf-8")
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.25,", "score: {value: 938.26,")  # a figure alone
    again = build_with(tmp_path / "empty-cache", tmp_path / "again")
    assert "938,26" in again["2023/index.html"].decode("utf-8")  # the article that shows it, rendered again
    assert "938.26" in again["2023/du-lieu/so-lieu-2023.csv"].decode("utf-8")
    assert again == build_with(tmp_path / "a-third-cache", tmp_path / "fresh-again")


def _rebuilder(data: Path, templates: Path, monkeypatch):
    """serve's rebuild, then a fresh build of the same files in the same process: `rebuild_and_fresh()`
    checks that both made the same files and pictures, and returns the files and the pages the
    rebuild rendered (every page that has a share picture: all but the redirects)."""
    from cumthidua_site import render
    from cumthidua_site.build import forget, run
    rendered: list[str] = []
    original = render._share_image

    def spy(shared, page, placing):
        rendered.append(page.path)
        return original(shared, page, placing)
    monkeypatch.setattr(render, "_share_image", spy)

    def rebuild_and_fresh() -> tuple[dict[str, bytes], list[str]]:
        rendered.clear()
        again = run(data, templates=templates)
        assert not again.failed(), again.problems
        pages = list(rendered)
        forget()
        fresh = run(data, templates=templates)
        assert again.files == fresh.files and again.pictures == fresh.pictures
        return again.files, pages
    return rebuild_and_fresh


def test_a_rebuild_in_one_process_renders_again_only_the_edition_that_changed(editions_project, monkeypatch):
    """serve's rebuild after an edit to one edition renders that edition's pages and the site's
    own pages again, and takes the other editions' pages as they were: the same bytes a fresh
    build makes. A template change renders everything."""
    from cumthidua_site.build import forget, run
    data, templates = editions_project / "data", editions_project / "templates"
    rebuild_and_fresh = _rebuilder(data, templates, monkeypatch)
    forget()
    assert not run(data, templates=templates).failed()
    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.27,")
    files, pages = rebuild_and_fresh()
    assert "938,27" in files["2023/tinh/soc-trang/index.html"].decode()
    assert not [p for p in pages if p.startswith("2021/")] and "2023/tinh/soc-trang/index.html" in pages
    assert "tinh/soc-trang/index.html" in pages  # the site's own pages that show it
    assert "cac-nam/index.html" not in pages and "tinh/index.html" not in pages  # and not the others
    edit(data / "2021/article.md", "\n\n", "\n\nMột câu thêm vào bài năm trước.\n\n")
    files, pages = rebuild_and_fresh()
    assert "Một câu thêm vào bài năm trước." in files["2021/index.html"].decode()
    assert not [p for p in pages if p.startswith("2023/")] and "2021/index.html" in pages
    edit(templates / "province.html", "<h2 id=\"so-lieu\">Số liệu các nguồn nêu</h2>",
         "<h2 id=\"so-lieu\">Số liệu mà các nguồn nêu</h2>")
    files, pages = rebuild_and_fresh()
    assert "2021/tinh/soc-trang/index.html" in pages and "2023/tinh/soc-trang/index.html" in pages
    assert "Số liệu mà các nguồn nêu" in files["2021/tinh/soc-trang/index.html"].decode()


def test_a_figure_edit_in_one_process_renders_again_only_the_pages_that_show_the_province(editions_project,
                                                                                          monkeypatch):
    """Within the edited edition, serve keeps each member page, and each province's page across
    the years, under what it shows: one province's figure renders again its own pages and its two
    neighbours' (they link it), not the other provinces'. A change to the cluster renders every
    member page of the year again, and so does a template that reads the whole edition."""
    from cumthidua_site.build import forget, run
    data, templates = editions_project / "data", editions_project / "templates"
    rebuild_and_fresh = _rebuilder(data, templates, monkeypatch)
    forget()
    assert not run(data, templates=templates).failed()
    members = sorted(p for p in run(data, templates=templates).files if re.fullmatch(r"2023/tinh/[^/]+/index\.html", p))
    assert len(members) == 12

    def rendered_members(pages: list[str]) -> list[str]:
        return sorted(p for p in pages if p in members)

    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.27,")
    files, pages = rebuild_and_fresh()
    assert "938,27" in files["2023/tinh/soc-trang/index.html"].decode()
    again = rendered_members(pages)
    assert len(again) == 3 and "2023/tinh/soc-trang/index.html" in again
    neighbours = re.findall(r'href="[^"]*/tinh/([^/"]+)/index\.html" rel="(?:prev|next)"', files["2023/tinh/soc-trang/index.html"].decode())
    assert sorted(f"2023/tinh/{n}/index.html" for n in neighbours) == [p for p in again if "soc-trang" not in p]
    assert [p for p in pages if re.fullmatch(r"tinh/[^/]+/index\.html", p)] == ["tinh/soc-trang/index.html"]
    assert "938,27" in files["tinh/soc-trang/index.html"].decode()

    edit(data / "2023/cluster.yaml", "{value: 71.2, qualifier: exact", "{value: 71.3, qualifier: exact")
    files, pages = rebuild_and_fresh()  # the cluster's income: every member page compares with it
    assert rendered_members(pages) == members
    assert "cac-nam/index.html" in pages and "71,3" in files["cac-nam/index.html"].decode()  # the years page too

    edit(data / "2023/provinces.yaml", "score: {value: 945, qualifier: over", "score: {value: 946, qualifier: over")
    files, pages = rebuild_and_fresh()  # the leader's score: on the years page
    assert "cac-nam/index.html" in pages and "trên 946 điểm" in files["cac-nam/index.html"].decode()
    assert "tinh/index.html" not in pages

    edit(data / "2023/cluster.yaml", 'title: "Kiên Giang xếp hạng 4 Cụm', 'title: "Kiên Giang đứng thứ 4 Cụm')
    files, pages = rebuild_and_fresh()  # a source: every page that credits it, its footer anew
    assert rendered_members(pages) == members
    assert "Kiên Giang đứng thứ 4 Cụm" in files["2023/tinh/kien-giang/index.html"].decode()
    assert "Kiên Giang xếp hạng 4 Cụm" not in files["2023/tinh/kien-giang/index.html"].decode()

    edit(templates / "province.html", "<h1>{{ p.name }}</h1>", "<h1>{{ p.name }}</h1><!-- {{ ranked | length }} -->")
    files, pages = rebuild_and_fresh()
    assert rendered_members(pages) == members
    edit(data / "2023/provinces.yaml", "score: {value: 938.27,", "score: {value: 938.29,")
    files, pages = rebuild_and_fresh()  # a template reading `ranked`: no member page is kept
    assert rendered_members(pages) == members
    assert [p for p in pages if re.fullmatch(r"tinh/[^/]+/index\.html", p)] == ["tinh/soc-trang/index.html"]


def test_a_rebuild_in_one_process_sees_every_template_change_and_no_editor_file(project, monkeypatch):
    """Compiled templates are kept for the life of the process, and Jinja does not look at their
    dates: a build forgets them when any file of the templates folder, in a folder below too,
    changed. An editor's backup or autosave file beside them changes nothing."""
    from cumthidua_site import render
    from cumthidua_site.build import forget, run
    data, templates = project / "data", project / "templates"
    (templates / "parts").mkdir()
    (templates / "parts" / "note.html").write_text("<p>Ghi chú một</p>\n", encoding="utf-8")
    edit(templates / "404.html", "<h1>Không tìm thấy trang</h1>", "<h1>Không tìm thấy trang</h1>{% include 'parts/note.html' %}")
    forget()
    assert "Ghi chú một" in run(data, templates=templates).files["404.html"].decode()
    env = render._ENVIRONMENTS[str(templates.resolve())]
    first = env.get_template("404.html")
    (templates / "parts" / "note.html").write_text("<p>Ghi chú hai</p>\n", encoding="utf-8")
    assert "Ghi chú hai" in run(data, templates=templates).files["404.html"].decode()
    second = env.get_template("404.html")
    assert second is not first  # compiled again
    for name in ("404.html~", "#404.html#", ".404.html.swp"):
        (templates / name).write_text("{% rác", encoding="utf-8")
        assert not run(data, templates=templates).failed()
        assert env.get_template("404.html") is second, name  # kept


def test_a_templates_folder_too_large_to_walk_is_read_anew_on_every_build(project, monkeypatch):
    """--templates naming a folder with more files than templates ever need (/, a checkout) is not
    walked on every build: its state is unknown, so nothing compiled is kept, and builds stay right."""
    from cumthidua_site import render
    from cumthidua_site.build import forget, run
    data, templates = project / "data", project / "templates"
    monkeypatch.setattr(render, "TEMPLATE_FILES_MOST", 5)
    assert render._templates_state(templates) == ""
    forget()
    assert not run(data, templates=templates).failed()
    env = render._ENVIRONMENTS[str(templates.resolve())]
    first = env.get_template("404.html")
    edit(templates / "404.html", "<h1>Không tìm thấy trang</h1>", "<h1>Không thấy trang</h1>")
    assert "<h1>Không thấy trang</h1>" in run(data, templates=templates).files["404.html"].decode()
    assert env.get_template("404.html") is not first


def test_two_provinces_that_say_the_same_have_their_own_digests(project):
    """Page keys and serve's download rows take a province by its digest: two provinces with
    nothing known (the same fields) must not share one, or a kept page would show a neighbour's
    old name and the CSV one province's rows twice."""
    from cumthidua_site import views
    from cumthidua_site.dataset import load_project
    loaded, _ = load_project(project / "data")
    edition = loaded.editions[2023].edition
    fields = ("rank", "score", "income_per_capita", "poverty_reduction")
    unknown = [name for name, p in edition.provinces.items() if not any(getattr(p, f).known for f in fields)]
    _, each = views.digests(edition)
    assert len(unknown) >= 2 and len({each[name] for name in unknown}) == len(unknown)


def test_serve_writes_the_disk_cache_once_a_rebuild_is_shown(tmp_path, monkeypatch):
    """serve defers the disk cache's new files to the moment the rebuild is shown (`settle`):
    nothing is written while the editor waits, everything once it is done, and at the end."""
    from cumthidua_site import caches
    from cumthidua_site.build import settle
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(tmp_path / "cache"))
    caches.defer()
    try:
        caches.write_json("downloads", "one", lambda: {"a": 1})
        assert caches.read_json("downloads", "one") is None  # not yet
        settle()
        assert caches.read_json("downloads", "one") == {"a": 1}
        caches.write_json("downloads", "two", lambda: {"b": 2})
    finally:
        caches.defer(False)
    assert caches.read_json("downloads", "two") == {"b": 2}
    caches.write_json("downloads", "three", lambda: {"c": 3})  # at once again
    assert caches.read_json("downloads", "three") == {"c": 3}


def test_the_cache_is_pruned_once_a_day_of_what_no_build_used_for_a_month(project, tmp_path, monkeypatch):
    """A build removes from the disk cache what was neither made nor used for 30 days, once a
    day; a picture a built site still links stays, and what a build reads is dated anew."""
    import os
    import time
    from cumthidua_site import caches
    from conftest import cli
    data, out = project / "data", project / "build"
    cache = tmp_path / "cache"  # this project's alone: everything in it is this project's
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(cache))
    assert cli("build", "--data", str(data), "--out", str(out)).returncode == 0
    month = time.time() - 40 * 24 * 3600
    linked = next(p for p in (cache / "images").iterdir() if p.stat().st_nlink > 1)
    kept_yaml = next((cache / "yaml").iterdir())
    stale = {kind: cache / kind / f"{'0' * 64}.json" for kind in ("yaml", "downloads", "articles")}
    stale["images"] = cache / "images" / f"{'0' * 64}.png"
    elsewhere = cache / "images" / f"{'2' * 64}.png"  # a picture another built site links, not this build
    elsewhere.write_bytes(b"\x89PNG")
    os.link(elsewhere, tmp_path / "another-site.png")
    for path in [*stale.values(), linked, kept_yaml, elsewhere]:
        if not path.exists():
            path.write_bytes(b"{}")
        os.utime(path, (month, month))
    (cache / ".pruned").unlink(missing_ok=True)
    again = cli("build", "--data", str(data), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert not any(path.exists() for path in stale.values())
    assert linked.exists() and kept_yaml.exists()  # used by this build: dated anew
    assert elsewhere.exists()  # old, unused here, but a built site links it
    assert time.time() - kept_yaml.stat().st_mtime < 3600
    old = cache / "downloads" / f"{'1' * 64}.json"
    old.write_bytes(b"{}")
    os.utime(old, (month, month))
    assert cli("build", "--data", str(data), "--out", str(out)).returncode == 0
    assert old.exists()  # pruned already today
    assert caches.prune(days=30) == 0 and old.exists()


def test_a_build_with_warm_caches_leaves_no_reference_cycles(merged_project, tmp_path, monkeypatch):
    """The command runs the cyclic collector rarely during a build (`cli.BUILD_COLLECTION`):
    that is only sound while a build leaves it nothing to find. Walking an edition with a
    closure that called itself did, thousands of times a build."""
    import collections
    import gc

    from cumthidua_site.build import forget, run
    data = merged_project / "data"
    assert not run(data, out=tmp_path / "first").failed()  # the disk caches filled
    forget()  # nothing kept in memory: the second build is a new process's, as a command's is
    monkeypatch.setattr(gc, "freeze", lambda: None)  # what the build makes stays where a collection looks
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        assert not run(data, out=tmp_path / "second").failed()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = collections.Counter(type(thing).__name__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert not left, left


def test_a_build_in_a_process_that_goes_on_gives_back_its_collector(tmp_path):
    """The command and `run` pause the cyclic collector or make it run rarely, then leave it as
    they found it: on or off, with its thresholds."""
    import gc

    from cumthidua_site.build import run
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    try:
        for on in (True, False):
            gc.enable() if on else gc.disable()
            assert main(["check", "--data", str(DATA)]) == 0
            assert (gc.get_threshold(), gc.isenabled()) == (threshold, on)
            assert not run(DATA, out=tmp_path / f"out-{on}").failed()
            assert (gc.get_threshold(), gc.isenabled()) == (threshold, on)
    finally:
        gc.enable() if enabled else gc.disable()
