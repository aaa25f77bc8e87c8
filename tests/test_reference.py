"""Reference data that is not news: the provinces and the 2025 merger live in data/reference/,
each change with its sources, and the pages say what each province has been part of since."""

from __future__ import annotations

from cumthidua_site.cli import main

from conftest import edit, soup, text_of

REF = "data/reference/provinces.yaml"


def build(project, capsys) -> tuple[int, str]:
    code = main(["build", "--data", str(project / "data"), "--out", str(project / "build")])
    return code, capsys.readouterr().err


def test_a_province_page_says_what_it_has_been_part_of(project, capsys):
    assert build(project, capsys)[0] == 0
    text = text_of((project / "build/2023/tinh/kien-giang/index.html").read_bytes())
    assert ("Từ 1/7/2025, sau khi sắp xếp lại đơn vị hành chính cấp tỉnh, Kiên Giang là một phần của An Giang mới, "
            "hợp thành từ An Giang và Kiên Giang.") in text
    assert "Quốc hội: “Nghị quyết sắp xếp đơn vị hành chính cấp tỉnh”, số 202/2025/QH15, 12/6/2025" in text


def test_the_provinces_list_and_the_article_say_it_too(project, capsys):
    assert build(project, capsys)[0] == 0
    page = soup((project / "build/2023/tinh/index.html").read_bytes())
    rows = {tr.find("th").get_text(): tr.find_all("td")[-1].get_text() for tr in page.select("tbody tr")}
    assert rows["Sóc Trăng"] == "Thành phố Cần Thơ" and rows["Bến Tre"] == "Vĩnh Long" and len(rows) == 12
    article = text_of((project / "build/index.html").read_bytes())
    assert "Từ 1/7/2025, 12 tỉnh của cụm thuộc về 6 tỉnh, thành phố mới: An Giang (từ An Giang và Kiên Giang);" in article


def test_a_change_the_data_does_not_record_is_not_invented(project, capsys):
    lines = (project / REF).read_text(encoding="utf-8").split("\n")
    (project / REF).write_text("\n".join(line for line in lines if 'into: "Tây Ninh"' not in line), encoding="utf-8")
    assert build(project, capsys)[0] == 0
    text = text_of((project / "build/2023/tinh/long-an/index.html").read_bytes())
    assert "là một phần của" not in text
    page = soup((project / "build/2023/tinh/index.html").read_bytes())
    long_an = next(tr for tr in page.select("tbody tr") if tr.find("th").get_text() == "Long An")
    assert long_an.find_all("td")[-1].get_text() == "dữ liệu chưa ghi"


def test_a_province_outside_the_reference_list_is_refused(project, capsys):
    edit(project / REF, 'from: ["Long An", "Tây Ninh"]', 'from: ["Long An", "Tay Ninh"]')
    code, err = build(project, capsys)
    assert code == 1 and "reference/provinces.yaml:" in err and "có phải “Tây Ninh”?" in err


def test_the_reference_list_is_data_not_code(project, capsys):
    # A province added to the reference list becomes a valid name in the edition's data.
    edit(project / REF, '  - "An Giang"\n', '  - "An Giang"\n  - "Tỉnh Thử"\n')
    edit(project / "data/2023/cluster.yaml", 'names: ["Cần Thơ"]', 'names: ["Cần Thơ", "Tỉnh Thử"]')
    assert build(project, capsys)[0] == 0
    edit(project / "data/2023/cluster.yaml", 'names: ["Cần Thơ", "Tỉnh Thử"]', 'names: ["Cần Thơ", "Tỉnh Khác"]')
    code, err = build(project, capsys)
    assert code == 1 and "“Tỉnh Khác” không phải tên một tỉnh, thành phố" in err


def test_a_missing_reference_file_is_a_located_error(project, capsys):
    (project / REF).unlink()
    code, err = build(project, capsys)
    assert code == 1 and "reference/provinces.yaml: lỗi: không tìm thấy tệp" in err
