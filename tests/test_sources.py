"""Several sources per figure: the narrowest claim shown and every source credited where the
figure is; disagreements are errors until a resolution says which stands; attribution lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from cumthidua_site.cli import main

from conftest import edit, position, soup, text_of

C = "data/2023/cluster.yaml"
EXPORT_RESOLUTION = '''    resolution:
      stands: bao-kien-giang
      note: "Báo Kiên Giang ghi kim ngạch xuất khẩu trên 23 tỷ USD.'''


def build(project: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["build", "--data", str(project / "data"), "--out", str(project / "build"), *extra])
    return code, capsys.readouterr().err


def page(project: Path, path: str = "index.html"):
    return soup((project / "build" / path).read_bytes())


def _drop_resolution(project: Path, field: str) -> None:
    """Remove the resolution block under `field` (two lines of stands/note after `resolution:`)."""
    path = project / C
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{field}:" or line.startswith(f"  {field}:"))
    at = next(i for i in range(start, len(lines)) if lines[i].strip() == "resolution:")
    del lines[at:at + 3]
    path.write_text("\n".join(lines), encoding="utf-8")


def test_agreeing_claims_show_the_narrowest_and_credit_every_source(project, capsys):
    assert build(project, capsys)[0] == 0
    key = page(project).find("section", class_="key-figures")
    income = next(div for div in key.find_all("div") if "Thu nhập bình quân" in div.get_text())
    assert "71,2 triệu đồng/người/năm" in income.get_text()  # SGGP's 71,2 lies inside "trên 71"
    mark = income.find("sup", class_="src")
    assert mark.get_text() == "SGGP" and mark.find("a")["href"] == "#nguon-sggp"
    footer = page(project).find("section", class_="credit")
    assert footer.find("li", id="nguon-sggp") and footer.find("li", id="nguon-bao-kien-giang")


def test_a_figure_from_the_main_source_is_not_marked(project, capsys):
    assert build(project, capsys)[0] == 0
    key = page(project).find("section", class_="key-figures")
    budget = next(div for div in key.find_all("div") if "Thu ngân sách" in div.get_text())
    assert budget.find("sup", class_="src") is None  # Báo Kiên Giang's, confirmed by SGGP


@pytest.mark.parametrize("field, why", [("exports", "đo hai thứ khác nhau"),
                                        ("exports_of_plan", "đo hai thứ khác nhau")])
def test_a_disagreement_without_a_resolution_is_an_error_naming_both_claims(project, capsys, field, why):
    _drop_resolution(project, field)
    code, err = build(project, capsys)
    assert code == 1 and not (project / "build").exists()
    assert f"lỗi: các nguồn ghi {'kim ngạch xuất khẩu' if field == 'exports' else 'xuất khẩu so với kế hoạch'} " \
           f"khác nhau, {why}" in err
    assert "theo Báo Kiên Giang (cluster.yaml:" in err and "theo Sài Gòn Giải Phóng (cluster.yaml:" in err
    assert "xem thêm: " in err and "resolution: {stands:" in err


def test_a_bare_number_against_an_open_bound_cannot_both_be_true(project, capsys):
    # Kinh tế & Môi trường's "23" against Báo Kiên Giang's "trên 23": (23; +∞) and [23; 23] do not meet
    _drop_resolution(project, "exports")
    edit(project / C, '      - {value: 23, qualifier: over, source: sggp, measures: "kim ngạch xuất nhập khẩu"}\n', "")
    code, err = build(project, capsys)
    where = position(project / C, "23, qualifier: exact, source: kinh-te-moi-truong")
    assert code == 1
    assert (f"cluster.yaml:{where}: lỗi: các nguồn ghi kim ngạch xuất khẩu khác nhau, không thể cùng đúng: "
            f"trên 23 tỷ USD theo Báo Kiên Giang") in err


def test_claims_that_agree_need_no_resolution(project, capsys):
    edit(project / C, "    - {value: 71.2, qualifier: exact, source: sggp}",
         "    - {value: 71.5, qualifier: exact, source: sggp}")
    assert build(project, capsys)[0] == 0  # 71,5 is "trên 71" too
    edit(project / C, "    - {value: 71.5, qualifier: exact, source: sggp}",
         "    - {value: 70.5, qualifier: exact, source: sggp}")
    code, err = build(project, capsys)
    assert code == 1 and "các nguồn ghi thu nhập bình quân đầu người của cụm khác nhau, không thể cùng đúng" in err


def test_a_resolution_must_name_one_of_the_figures_sources(project, capsys):
    edit(project / C, "      stands: bao-kien-giang\n      note: \"Báo Kiên Giang ghi kim ngạch xuất khẩu",
         "      stands: bao-soc-trang\n      note: \"Báo Kiên Giang ghi kim ngạch xuất khẩu")
    code, err = build(project, capsys)
    assert code == 1 and "resolution chọn nguồn “bao-soc-trang”, nhưng kim ngạch xuất khẩu không có nguồn này" in err


def test_a_resolution_without_a_disagreement_is_a_warning(project, capsys):
    edit(project / C, "  income_per_capita:      # triệu đồng/người/năm: thu nhập bình quân đầu người của cụm\n"
                      "    - {value: 71, qualifier: over, source: bao-kien-giang}\n"
                      "    - {value: 71.2, qualifier: exact, source: sggp}",
         "  income_per_capita:\n    claims:\n      - {value: 71, qualifier: over, source: bao-kien-giang}\n"
         "      - {value: 71.2, qualifier: exact, source: sggp}\n"
         "    resolution: {stands: sggp, note: \"SGGP chính xác hơn.\"}")
    code, err = build(project, capsys)
    assert code == 0 and "cảnh báo: thu nhập bình quân đầu người của cụm có resolution nhưng các nguồn không khác nhau" in err
    assert build(project, capsys, "--strict")[0] == 1


def test_the_resolution_note_is_shown_beside_the_figure_and_on_the_data_page(project, capsys):
    assert build(project, capsys)[0] == 0
    key = page(project).find("section", class_="key-figures").get_text()
    assert "Các nguồn ghi khác nhau: Báo Kiên Giang ghi kim ngạch xuất khẩu trên 23 tỷ USD." in key
    data = text_of((project / "build/2023/du-lieu/index.html").read_bytes())
    assert "Khi các nguồn ghi khác nhau" in data and "Kim ngạch xuất khẩu: trên 23 tỷ USD theo Báo Kiên Giang" in data


def test_every_table_and_chart_names_its_sources(project, capsys):
    assert build(project, capsys)[0] == 0
    rankings = page(project, "2023/bang-xep-hang/index.html")
    lines = {table.find("caption").get_text(): table.find_parent("div").find_next_sibling(
        "p", class_="source-line").get_text(" ", strip=True)
        for table in rankings.find_all("table")}
    assert len(lines) == 6 and all(line.startswith("Nguồn:") for line in lines.values())
    income = next(line for caption, line in lines.items() if caption.startswith("Thu nhập"))
    assert "Báo Kiên Giang" in income and "Sài Gòn Giải Phóng (SGGP)" in income
    scores = next(line for caption, line in lines.items() if caption.startswith("Điểm"))
    assert scores == "Nguồn: Báo Kiên Giang ."
    for figure in rankings.find_all("figure", class_="chart-figure"):
        assert figure.find("p", class_="source-line").get_text().startswith("Nguồn:")
        assert figure.find("figcaption").find("strong", class_="chart-title").get_text()  # a visible finding


def test_a_province_page_credits_the_sources_of_what_it_says(project, capsys):
    assert build(project, capsys)[0] == 0
    footer = page(project, "2023/tinh/long-an/index.html").find("section", class_="credit")
    ids = [li["id"] for li in footer.find_all("li")]
    assert ids == ["nguon-bao-kien-giang", "nguon-sggp", "nguon-kinh-te-moi-truong",  # not Báo Sóc Trăng
                   "nguon-nq-202-2025", "nguon-vnnews-2025-07-04", "nguon-vietnamnet-long-an"]  # the merger
    assert page(project, "404.html").find("section", class_="credit") is None


def test_a_source_without_a_web_address_is_credited_by_its_details(project, capsys):
    edit(project / C, "  bao-soc-trang:\n", """  cong-van:
    publisher: "UBND tỉnh Kiên Giang"
    title: "Báo cáo kết quả thi đua năm 2023"
    number: "123/BC-UBND"
    published: 2024-02-01
  bao-soc-trang:
""")
    edit(project / "data/2023/provinces.yaml", "rank: {value: 4, qualifier: exact, source: bao-kien-giang}",
         "rank: [{value: 4, qualifier: exact, source: bao-kien-giang}, {value: 4, qualifier: exact, source: cong-van}]")
    assert build(project, capsys)[0] == 0
    item = page(project, "2023/tinh/kien-giang/index.html").find("li", id="nguon-cong-van")
    assert " ".join(item.get_text().split()) == \
        "UBND tỉnh Kiên Giang: “Báo cáo kết quả thi đua năm 2023”, số 123/BC-UBND, 1/2/2024."
    assert item.find("a") is None  # no web address, so no link


def test_a_source_nobody_could_find_again_is_refused(project, capsys):
    edit(project / C, """    published_note: "tháng 3/2024"           # bản chúng tôi có không ghi ngày
    url: "https://www.sggp.org.vn/12-tinh-tay-nam-bo-ky-ket-giao-uoc-thi-dua-nam-2024-post732581.html"
""", "")
    code, err = build(project, capsys)
    assert code == 1 and "chưa đủ để người đọc tìm lại nguồn" in err


def test_every_source_of_a_fact_must_be_declared(project, capsys):
    edit(project / C, "  source: [bao-kien-giang, kinh-te-moi-truong]\n\n", "  source: [bao-kien-giang, bao-kg]\n\n")
    code, err = build(project, capsys)
    assert code == 1 and "nguồn “bao-kg” chưa được khai báo" in err
