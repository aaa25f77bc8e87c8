"""Several editions in one site: their permanent pages, the pages across the years, the checks
between editions, a copied folder refused, and `new-edition` as an editor runs it."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from cumthidua_site.cli import main
from conftest import EDITION_2021, ROOT, cli, edit, position, soup, text_of

MEMBERS = {
    "Long An": "long-an", "Bến Tre": "ben-tre", "Đồng Tháp": "dong-thap", "Tiền Giang": "tien-giang",
    "Vĩnh Long": "vinh-long", "An Giang": "an-giang", "Kiên Giang": "kien-giang", "Hậu Giang": "hau-giang",
    "Sóc Trăng": "soc-trang", "Bạc Liêu": "bac-lieu", "Cà Mau": "ca-mau", "Trà Vinh": "tra-vinh",
}
# What each 2023 member became on 1/7/2025 (tests/fixtures/site/data/reference/provinces.yaml).
BECAME = {
    "Long An": "Tây Ninh", "Bến Tre": "Vĩnh Long", "Tiền Giang": "Đồng Tháp", "Kiên Giang": "An Giang",
    "Hậu Giang": "Thành phố Cần Thơ", "Sóc Trăng": "Thành phố Cần Thơ", "Bạc Liêu": "Cà Mau", "Trà Vinh": "Vĩnh Long",
}
C21, C23 = "data/2021/cluster.yaml", "data/2023/cluster.yaml"


def build(project: Path) -> Path:
    out = project / "build"
    assert main(["build", "--data", str(project / "data"), "--out", str(out)]) == 0
    return out


def page(out: Path, path: str):
    return soup((out / path).read_bytes())


def cell(node) -> str:
    """A cell's text as read, without the small source marks (“BKG”) beside a figure."""
    for mark in node.select("sup.src"):
        mark.decompose()
    return " ".join(node.get_text().split())


def rows(table) -> list[list[str]]:
    return [[cell(c) for c in tr.find_all(["th", "td"])] for tr in table.tbody.find_all("tr")]


def table_captioned(html, caption: str):
    (found,) = [t for t in html.find_all("table") if t.caption and cell(t.caption) == caption]
    return found


def target(out: Path, here: str, href: str) -> Path:
    """The file a relative link on the page at `here` leads to."""
    return (out / here).parent.joinpath(href).resolve()


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": lỗi: " in line]


# --- two editions, built -------------------------------------------------------------------

def test_each_edition_has_its_own_permanent_pages(editions_project):
    out = build(editions_project)
    for year in (2021, 2023):
        expected = {f"{year}/index.html", f"{year}/bang-xep-hang/index.html", f"{year}/tinh/index.html",
                    f"{year}/du-lieu/index.html", f"{year}/du-lieu/so-lieu-{year}.csv",
                    f"{year}/du-lieu/so-lieu-{year}.json", f"{year}/du-lieu/su-kien-{year}.csv"}
        expected |= {f"{year}/tinh/{slug}/index.html" for slug in MEMBERS.values()}
        assert {str(p.relative_to(out)) for p in (out / str(year)).rglob("*")
                if p.is_file() and "/nhung/" not in str(p) and "/bieu-do/" not in str(p)} == expected  # embeds:
        # test_site; chart images: test_images
    for slug in MEMBERS.values():  # one page per province across the editions
        assert (out / "tinh" / slug / "index.html").is_file()
    figures = list(csv.DictReader(io.StringIO((out / "2021/du-lieu/so-lieu-2021.csv").read_text(encoding="utf-8-sig"))))
    (exports,) = [row for row in figures if row["field"] == "economy.exports"]  # 2021's own figures...
    assert (exports["value"], exports["unit"], exports["text"]) == ("17.899", "tỷ USD", "17.899 triệu USD")
    scores = [row for row in figures if row["field"] == "score"]  # ...and no score, as the source gives none
    assert len(scores) == 12 and {(row["value"], row["qualifier"]) for row in scores} == {("", "unknown")}


def test_the_front_page_is_the_newest_edition(editions_project):
    out = build(editions_project)
    front = page(out, "index.html")
    assert front.h1.get_text() == page(out, "2023/index.html").h1.get_text()
    assert front.h1.get_text() != page(out, "2021/index.html").h1.get_text()
    assert "2023" in front.h1.get_text()
    href = front.select_one("p.more").find("a", string="2023/")["href"]  # its permanent address, visible
    assert target(out, "index.html", href) == (out / "2023/index.html").resolve()


def test_with_base_url_the_front_page_is_canonical_at_the_newest_editions_address(editions_project):
    edit(editions_project / "data/site.yaml", 'base_url: ""', 'base_url: "https://example.vn/cum/"')
    out = build(editions_project)
    assert page(out, "index.html").find("link", rel="canonical")["href"] == "https://example.vn/cum/2023/"
    assert page(out, "2021/index.html").find("link", rel="canonical")["href"] == "https://example.vn/cum/2021/"


def test_the_2021_article_says_what_its_source_gives_and_no_more(editions_project):
    out = build(editions_project)
    text = text_of((out / "2021/index.html").read_bytes())
    for said in ("thu ngân sách gần 88.000 tỷ đồng", "Tổng thu ngân sách các tỉnh đạt gần 88.000 tỷ đồng, bằng "
                 "101,37% kế hoạch", "Kim ngạch xuất khẩu toàn cụm là 17.899 triệu USD, đạt trên 94% kế hoạch",
                 "Các tỉnh được nêu tên là đạt và vượt kế hoạch xuất khẩu gồm Sóc Trăng, An Giang, Trà Vinh và Cà Mau",
                 "Điểm và thứ hạng của các tỉnh thì bài gốc không nêu",
                 "Thứ hạng thi đua bài gốc không nêu",
                 "cao nhất là Bạc Liêu. Bài gốc không nêu mức tăng của tỉnh này"):
        assert said in text, said
    assert "cao nhất: Bạc Liêu" in text  # the key figure names the province...
    assert not re.search(r"Bạc Liêu\s*\(?\s*(tăng\s*)?[\d.,]+\s*%", text)  # ...and invents no growth for it
    assert "Tăng trưởng kinh tế bình quân" not in text  # the source gives no average growth
    assert not re.search(r"\d[\d.,]*\s*điểm", text)  # no score anywhere in the 2021 article
    assert page(out, "2021/index.html").select("main svg") == []  # no score chart drawn from nothing


def test_no_2021_page_invents_a_score(editions_project):
    out = build(editions_project)
    for name, slug in MEMBERS.items():
        text = text_of((out / f"2021/tinh/{slug}/index.html").read_bytes())
        assert f"Bài gốc không nêu thứ hạng và điểm thi đua năm 2021 của {name}." in text
        assert "Điểm thi đua bài gốc không nêu" in text
        assert not re.search(r"\d[\d.,]*\s*điểm", text), (name, re.search(r"\d[\d.,]*\s*điểm", text))
        across = page(out, f"tinh/{slug}/index.html")
        (row_2021,) = [r for r in rows(table_captioned(across, f"Số liệu của {name} theo năm")) if r[0] == "2021"]
        assert row_2021[1:] == ["bài gốc không nêu"] * 4
    members = text_of((out / "2021/tinh/index.html").read_bytes())
    assert not re.search(r"\d[\d.,]*\s*điểm", members)
    rankings = text_of((out / "2021/bang-xep-hang/index.html").read_bytes())
    assert "Các nguồn của năm 2021 không nêu điểm và thứ hạng các tỉnh" in rankings
    assert "Điểm và thứ hạng thi đua năm 2021" not in rankings  # no score table


# --- across the years --------------------------------------------------------------------------

def test_the_years_page_lists_both_editions_newest_first(editions_project):
    out = build(editions_project)
    years = page(out, "cac-nam/index.html")
    listed = [(cell(h3), target(out, "cac-nam/index.html", h3.a["href"])) for h3 in years.select("ul.editions > li > h3")]
    assert [name.split(":")[0] for name, _ in listed] == ["Năm 2023", "Năm 2021"]
    assert [link for _, link in listed] == [(out / "2023/index.html").resolve(), (out / "2021/index.html").resolve()]
    assert listed[1][0] == "Năm 2021: " + page(out, "2021/index.html").h1.get_text()


def test_the_exports_series_is_in_one_unit(editions_project):
    out = build(editions_project)
    years = page(out, "cac-nam/index.html")
    exports = table_captioned(years, "Kim ngạch xuất khẩu theo năm (tỷ USD)")
    assert [cell(th) for th in exports.thead.find_all("th")] == ["Năm", "Giá trị (tỷ USD)", "Theo số liệu năm"]
    assert rows(exports) == [["2021", "17,899", "2021"],
                             ["2022", "trên 21,5", "2023 (con số “năm trước”)"],
                             ["2023", "trên 23", "2023"]]
    links = [target(out, "cac-nam/index.html", tr.td.find_next_sibling("td").a["href"]) for tr in exports.tbody("tr")]
    assert links == [(out / f"{y}/index.html").resolve() for y in (2021, 2023, 2023)]
    # the chart draws the three years on one scale: bar length per tỷ USD is the same for each
    chart = years.find("svg", id="bieu-do-exports")
    assert chart.desc.get_text() == "năm 2021: 17,899 tỷ USD; năm 2022: trên 21,5 tỷ USD; năm 2023: trên 23 tỷ USD."
    widths = [float(r["width"]) for r in chart.find_all("rect", class_="mark")]
    per_unit = [w / v for w, v in zip(widths, (17.899, 21.5, 23))]
    assert len(widths) == 3 and max(per_unit) - min(per_unit) < 0.02 * max(per_unit), per_unit


def test_the_budget_series_has_both_editions(editions_project):
    out = build(editions_project)
    budget = table_captioned(page(out, "cac-nam/index.html"), "Thu ngân sách toàn cụm theo năm (tỷ đồng)")
    assert rows(budget) == [["2021", "gần 88.000", "2021"], ["2023", "trên 98.000", "2023"]]


def test_a_province_across_the_editions(editions_project):
    out = build(editions_project)
    here = "tinh/kien-giang/index.html"
    history = page(out, here)
    table = table_captioned(history, "Số liệu của Kiên Giang theo năm")
    assert rows(table) == [["2021"] + ["bài gốc không nêu"] * 4, ["2023", "4", "932,88", "73,74", "136"]]
    assert [target(out, here, tr.th.a["href"]) for tr in table.tbody("tr")] == \
        [(out / f"{y}/tinh/kien-giang/index.html").resolve() for y in (2021, 2023)]
    note = history.select_one("p.note.today")
    assert cell(note).startswith("Từ 1/7/2025, sau khi sắp xếp lại đơn vị hành chính cấp tỉnh, Kiên Giang là một "
                                 "phần của An Giang, hợp thành từ An Giang và Kiên Giang.")
    into = note.find("a", string="An Giang")
    assert target(out, here, into["href"]) == (out / "tinh/an-giang/index.html").resolve()
    assert history.select("main svg") == []  # one known score: no chart


def test_a_merged_province_across_three_editions(merged_project):
    out = build(merged_project)
    ca_mau = page(out, "tinh/ca-mau/index.html")
    table = table_captioned(ca_mau, "Số liệu của Cà Mau theo năm")
    assert [r[0] for r in rows(table)] == ["2021", "2023", "2026 (sau sắp xếp)"]
    assert [r[2] for r in rows(table)] == ["bài gốc không nêu", "trên 945", "950"]
    (chart,) = ca_mau.select("main svg")  # two known scores, 2023 and 2026
    assert "năm 2023: trên 945 điểm; năm 2026: 950 điểm" in chart.desc.get_text()
    assert "2021" not in chart.desc.get_text()  # an unknown score is not drawn
    kien_giang = page(out, "tinh/kien-giang/index.html")
    assert [r[0] for r in rows(table_captioned(kien_giang, "Số liệu của Kiên Giang theo năm"))] == ["2021", "2023"]
    assert kien_giang.select("main svg") == []


# --- checks between editions ---------------------------------------------------------------

EDITION_2022 = """\
name: "Cụm thi đua các tỉnh miền Tây Nam Bộ"
short_name: "Cụm thi đua Tây Nam Bộ"
year: 2022
sources:
  kiem-thu-2022:
    publisher: "Nguồn kiểm thử"
    title: "Bài giả định cho kiểm thử"
    url: "https://example.com/kiem-thu-2022"
member_count: {value: 12, qualifier: exact, source: kiem-thu-2022}
economy:
  exports: {EXPORTS, qualifier: exact, source: kiem-thu-2022}
"""
ARTICLE_2022 = """\
---
title: "Cụm thi đua năm {{ cluster.year }}"
sapo: "Bài kiểm thử: xuất khẩu {{ economy.exports | fig }}."
byline: "Nhóm kiểm thử"
published: 2027-04-01
---
Năm {{ cluster.year }}, cụm có {{ members | length }} thành viên.
"""


def add_2022(project: Path, exports: str) -> Path:
    """A third edition, 2022, whose own exports figure is the year 2023's edition calls "năm trước"."""
    folder = project / "data/2022"
    folder.mkdir()
    (folder / "cluster.yaml").write_text(EDITION_2022.replace("EXPORTS", exports), encoding="utf-8")
    shutil.copy(EDITION_2021 / "provinces.yaml", folder / "provinces.yaml")
    (folder / "article.md").write_text(ARTICLE_2022, encoding="utf-8")
    return folder / "cluster.yaml"


@pytest.mark.parametrize("exports", ["value: 20", "value: 20000, unit: \"triệu USD\""])
def test_two_editions_cannot_give_one_year_two_incompatible_figures(editions_project, exports):
    """2023 says 2022's exports were "trên 21,5 tỷ USD"; a 2022 edition saying 20 tỷ USD (or 20.000
    triệu USD, the same) cannot also be true."""
    c22 = add_2022(editions_project, exports)
    result = cli("check", cwd=editions_project)
    assert result.returncode == 1, result.stderr
    said = "20.000 triệu USD" if "triệu" in exports else "20 tỷ USD"
    assert error_lines(result.stderr) == [
        f"{C23}:{position(editions_project / C23, 'exports_previous_year: {value: 21.5', 31)}: lỗi: kim ngạch xuất "
        f"khẩu năm 2022: số liệu năm 2023 ghi trên 21,5 tỷ USD, nhưng số liệu năm 2022 ghi {said} "
        f"(cluster.yaml:{position(c22, 'value: 20', 7).split(':')[0]}); hai con số không thể cùng đúng"]
    assert ("  gợi ý: kiểm tra lại cả hai nguồn; sửa con số chép sai\n"
            f"  xem thêm: data/2022/cluster.yaml:{position(c22, 'value: 20', 7)}") in result.stderr


def test_two_editions_that_agree_on_a_year_pass_and_the_years_own_figure_is_shown(editions_project):
    add_2022(editions_project, "value: 22")  # 22 is "trên 21,5"
    result = cli("check", cwd=editions_project)
    assert result.returncode == 0, result.stderr
    assert "kim ngạch xuất khẩu năm 2022" not in result.stderr
    out = build(editions_project)
    exports = table_captioned(page(out, "cac-nam/index.html"), "Kim ngạch xuất khẩu theo năm (tỷ USD)")
    assert rows(exports) == [["2021", "17,899", "2021"], ["2022", "22", "2022"], ["2023", "trên 23", "2023"]]


def test_two_editions_cannot_name_different_heads_for_one_year(editions_project):
    c21, c23 = editions_project / C21, editions_project / C23
    with c23.open("a", encoding="utf-8") as f:
        f.write('  - year: 2021\n    province: "An Giang"\n    source: bao-kien-giang\n')
    result = cli("check", cwd=editions_project)
    assert result.returncode == 1, result.stderr
    earlier = position(c21, 'province: "Kiên Giang"', len("province: "))
    later = position(c23, 'province: "An Giang"', len("province: "))
    assert error_lines(result.stderr) == [
        f"{C23}:{later}: lỗi: cụm trưởng năm 2021: số liệu "
        f"năm 2023 ghi An Giang, nhưng số liệu năm 2021 ghi Kiên Giang (cluster.yaml:{earlier.split(':')[0]})"]
    assert ("  gợi ý: mỗi năm chỉ có một cụm trưởng; kiểm tra lại nguồn của hai năm\n"
            f"  xem thêm: {C21}:{earlier}") in result.stderr
    edit(c23, 'province: "An Giang"\n    source: bao-kien-giang', 'province: "Kiên Giang"\n    source: bao-kien-giang')
    assert cli("check", cwd=editions_project).returncode == 0  # the same head named twice is fine


def test_one_source_id_cannot_mean_two_sources(editions_project):
    c21, c23 = editions_project / C21, editions_project / C23
    edit(c23, "sources:\n", 'sources:\n  nld:\n    publisher: "Người Lao Động"\n    title: "Một bài khác"\n'
                            '    url: "https://nld.com.vn/bai-khac.htm"\n')
    result = cli("check", cwd=editions_project)
    assert result.returncode == 1, result.stderr
    earlier, later = position(c21, 'publisher: "Người Lao Động"'), position(c23, 'publisher: "Người Lao Động"')
    assert error_lines(result.stderr) == [
        f"{C23}:{later}: lỗi: mã nguồn “nld” đã dùng cho một nguồn khác "
        f"trong số liệu năm 2021 (cluster.yaml:{earlier.split(':')[0]})"]
    assert ("  gợi ý: đặt mã khác cho nguồn này, hoặc chép đúng khai báo của nguồn cũ\n"
            f"  xem thêm: {C21}:{earlier}") in result.stderr


def test_a_source_copied_exactly_into_another_edition_is_the_same_source(editions_project):
    c21, c23 = editions_project / C21, editions_project / C23
    text = c21.read_text(encoding="utf-8")
    declared = text[text.index("  nld:\n"):text.index("\n# Số tỉnh thành viên")].rstrip("\n") + "\n"
    edit(c23, "sources:\n", "sources:\n" + declared)  # what the hint says to do: “chép đúng khai báo”
    result = cli("check", cwd=editions_project)
    assert error_lines(result.stderr) == []
    assert result.returncode == 0


# --- a copied folder --------------------------------------------------------------------------

def test_a_copied_edition_is_refused_and_the_last_site_kept(editions_project):
    assert cli("build", cwd=editions_project).returncode == 0
    before = snapshot(editions_project / "build")
    shutil.copytree(editions_project / "data/2023", editions_project / "data/2024")  # year: still 2023
    result = cli("build", cwd=editions_project)
    assert result.returncode == 1
    cluster = editions_project / "data/2024/cluster.yaml"
    assert error_lines(result.stderr) == [
        f"data/2024/cluster.yaml:{position(cluster, 'year: 2023', len('year: '))}: lỗi: năm tổng kết ghi 2023 nhưng "
        f"tệp nằm trong thư mục 2024/"]
    assert ("  gợi ý: mỗi thư mục năm chỉ chứa số liệu của năm đó: sửa year: 2024, hoặc tạo năm mới bằng lệnh "
            "`cumthidua-site new-edition NĂM` thay vì chép thư mục cũ") in result.stderr
    assert "Chưa dựng được trang: 1 lỗi. Thư mục đầu ra cũ được giữ nguyên." in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(editions_project / "build") == before
    assert not (editions_project / "build/2024").exists()


# --- new-edition ------------------------------------------------------------------------------

def members_of(provinces: Path) -> list[str]:
    return list(yaml.safe_load(provinces.read_text(encoding="utf-8")))


def test_new_edition_keeps_the_members_that_still_exist(editions_project):
    data = editions_project / "data"
    result = cli("new-edition", "2026", "--data", "data", cwd=editions_project)
    assert result.returncode == 0, result.stderr
    folder = data / "2026"
    assert sorted(p.name for p in folder.iterdir()) == ["article.md", "cluster.yaml", "provinces.yaml"]
    assert members_of(folder / "provinces.yaml") == ["Đồng Tháp", "Vĩnh Long", "An Giang", "Cà Mau"]  # 2023's order
    for name, into in BECAME.items():
        assert (f"data/2026/provinces.yaml: cảnh báo: {name} không còn là một tỉnh năm 2026, nay thuộc {into} "
                f"(từ 1/7/2025): không đưa vào danh sách") in result.stderr, name
    assert result.stderr.count(": cảnh báo: ") == len(BECAME)
    assert "Đã tạo data/2026/: cluster.yaml, provinces.yaml và article.md." in result.stderr
    cluster = yaml.safe_load((folder / "cluster.yaml").read_text(encoding="utf-8"))
    assert cluster["year"] == 2026 and cluster["sources"] == {}
    assert "từ danh sách tỉnh của năm 2023" in (folder / "cluster.yaml").read_text(encoding="utf-8")
    assert not [p for p in data.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_new_edition_never_overwrites_and_refuses_a_bad_year(editions_project):
    data = editions_project / "data"
    assert cli("new-edition", "2026", "--data", "data", cwd=editions_project).returncode == 0
    made = {p.name: p.read_bytes() for p in (data / "2026").iterdir()}
    again = cli("new-edition", "2026", "--data", "data", cwd=editions_project)
    assert again.returncode == 1
    assert ("data/2026: lỗi: đã có thư mục 2026/ trong data; không ghi đè\n"
            "  gợi ý: sửa trực tiếp các tệp trong thư mục đó, hoặc xóa thư mục nếu muốn tạo lại từ đầu") in again.stderr
    assert "Chưa tạo được năm mới." in again.stderr
    assert {p.name: p.read_bytes() for p in (data / "2026").iterdir()} == made
    bad = cli("new-edition", "24", "--data", "data", cwd=editions_project)
    assert bad.returncode == 1
    assert ("data: lỗi: “24” không phải một năm\n"
            "  gợi ý: ghi năm bằng bốn chữ số, ví dụ: cumthidua-site new-edition 2024") in bad.stderr
    assert sorted(p.name for p in data.iterdir()) == ["2021", "2023", "2026", "reference", "site.yaml"]


def test_a_new_edition_is_a_draft_until_it_has_a_source_and_an_article(editions_project):
    project, data = editions_project, editions_project / "data"
    assert cli("new-edition", "2026", "--data", "data", cwd=project).returncode == 0
    cluster, article = data / "2026/cluster.yaml", data / "2026/article.md"
    draft = (f"data/2026/cluster.yaml:{position(cluster, 'sources: {}', len('sources: '))}: cảnh báo: năm 2026 chưa "
             f"sẵn sàng: chưa khai báo nguồn tin nào và chưa viết bài; trang chưa có năm này")
    checked = cli("check", cwd=project)
    assert checked.returncode == 0 and draft in checked.stderr, checked.stderr
    strict = cli("check", "--strict", cwd=project)
    assert strict.returncode == 1 and draft in strict.stderr
    built = cli("build", cwd=project)
    assert built.returncode == 0 and draft in built.stderr, built.stderr
    assert not (project / "build/2026").exists()
    assert "2023" in page(project / "build", "index.html").h1.get_text()

    edit(cluster, "sources: {}", 'sources:\n  kiem-thu:\n    publisher: "Nguồn kiểm thử"\n'
                                 '    title: "Bài giả định cho kiểm thử"\n    url: "https://example.com/kiem-thu"')
    half = cli("check", cwd=project)
    assert half.returncode == 0
    assert "cảnh báo: năm 2026 chưa sẵn sàng: chưa viết bài; trang chưa có năm này" in half.stderr, half.stderr

    edit(article, 'title: ""', 'title: "Cụm thi đua năm {{ cluster.year }} có {{ members | length }} thành viên"')
    edit(article, 'sapo: ""', 'sapo: "Sau sắp xếp, cụm còn {{ members | length }} tỉnh, thành phố."')
    edit(article, 'byline: ""', 'byline: "Nhóm kiểm thử"')
    reminder = re.search(r"<!--.*?-->\n", article.read_text(encoding="utf-8"), re.S).group(0)
    edit(article, reminder, "Năm {{ cluster.year }}, cụm gồm {{ members | map(attribute='name') | names }}.\n")
    ready = cli("build", cwd=project)
    assert ready.returncode == 0, ready.stderr
    assert "chưa sẵn sàng" not in ready.stderr
    out = project / "build"
    assert page(out, "2026/index.html").h1.get_text() == "Cụm thi đua năm 2026 có 4 thành viên"
    assert page(out, "index.html").h1.get_text() == "Cụm thi đua năm 2026 có 4 thành viên"  # the newest now
    for slug in ("an-giang", "ca-mau", "dong-thap", "vinh-long"):
        assert (out / f"2026/tinh/{slug}/index.html").is_file()
    assert not (out / "2026/tinh/kien-giang").exists()
    assert (out / "2023/index.html").is_file() and (out / "2021/index.html").is_file()  # permanent pages stay


def test_the_new_edition_reminder_left_in_the_article_is_not_prose(editions_project):
    project, data = editions_project, editions_project / "data"
    assert cli("new-edition", "2026", "--data", "data", cwd=project).returncode == 0
    cluster, article = data / "2026/cluster.yaml", data / "2026/article.md"
    edit(cluster, "sources: {}", 'sources:\n  kiem-thu:\n    publisher: "Nguồn kiểm thử"\n'
                                 '    title: "Bài giả định cho kiểm thử"\n    url: "https://example.com/kiem-thu"')
    edit(article, 'title: ""', 'title: "Cụm thi đua năm {{ cluster.year }}"')
    edit(article, 'sapo: ""', 'sapo: "Sau sắp xếp, cụm còn {{ members | length }} tỉnh, thành phố."')
    edit(article, 'byline: ""', 'byline: "Nhóm kiểm thử"')
    # the article written below the reminder, which stays: the page never shows it
    article.write_text(article.read_text(encoding="utf-8") + "Năm {{ cluster.year }}, cụm gồm "
                       "{{ members | map(attribute='name') | names }}.\n", encoding="utf-8")
    result = cli("build", cwd=project)
    assert error_lines(result.stderr) == []
    assert result.returncode == 0
    assert "Viết bài năm" not in (project / "build/2026/index.html").read_text(encoding="utf-8")


def test_new_edition_between_two_editions_copies_the_one_before(editions_project):
    """2022 lies between 2021 and 2023: its members come from 2021, the newest edition before it."""
    c21 = editions_project / C21
    edit(c21, "member_count: {value: 12,", "member_count: {value: 13,")  # a 2021 that listed Cần Thơ too
    provinces = editions_project / "data/2021/provinces.yaml"
    provinces.write_text(provinces.read_text(encoding="utf-8") + '"Cần Thơ": {}\n', encoding="utf-8")
    result = cli("new-edition", "2022", "--data", "data", cwd=editions_project)
    assert result.returncode == 0, result.stderr
    assert ": cảnh báo: " not in result.stderr  # every 2021 member still existed in 2022
    made = editions_project / "data/2022"
    assert members_of(made / "provinces.yaml") == members_of(provinces)
    assert "Cần Thơ" in members_of(made / "provinces.yaml")
    assert "từ danh sách tỉnh của năm 2021" in (made / "cluster.yaml").read_text(encoding="utf-8")
    assert "Danh sách tỉnh chép từ năm 2021" in (made / "provinces.yaml").read_text(encoding="utf-8")


def test_make_new_edition_without_a_year_says_how_to_use_it():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}  # no YEAR in the environment
    if subprocess.run(["make", "-q", ".venv/.stamp-run"], cwd=ROOT, env=env, capture_output=True).returncode != 0:
        pytest.skip("the virtual environment is out of date: make would reinstall it first")
    before = sorted(p.name for p in (ROOT / "data").iterdir())
    result = subprocess.run(["make", "-s", "new-edition"], cwd=ROOT, env=env, capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert result.returncode != 0
    assert "Thiếu năm. Cách dùng: make new-edition YEAR=2024" in result.stderr
    assert "Đã tạo" not in result.stderr
    assert sorted(p.name for p in (ROOT / "data").iterdir()) == before


def test_a_province_gets_a_small_chart_for_each_figure_known_in_two_years(merged_project):
    edit(merged_project / "data/2026/provinces.yaml", "  score: {value: 950, qualifier: exact, source: kiem-thu}",
         "  score: {value: 950, qualifier: exact, source: kiem-thu}\n"
         "  income_per_capita: {value: 80, qualifier: over, source: kiem-thu}")
    out = build(merged_project)
    charts = page(out, "tinh/ca-mau/index.html").select("figure.chart-figure svg")
    assert [svg["aria-labelledby"].split()[0] for svg in charts] == [
        "bieu-do-diem-qua-cac-nam-t", "bieu-do-income-per-capita-qua-cac-nam-t"]
    text = text_of((out / "tinh/ca-mau/index.html").read_bytes())
    assert "năm 2023: 69,8 triệu đồng/người/năm; năm 2026: trên 80 triệu đồng/người/năm" in text
