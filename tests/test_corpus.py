"""A corpus of bad inputs an editor can produce: each gets exit 1, an exact place and message.

A case edits one file of a copy of the real data: replace `old` by `new` (or write raw
bytes), then runs `check` as a user would. `at` is the text whose first character the
reported line:col must point to (searched in the edited file; `shift` moves right).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from cumthidua_site.cli import main
from conftest import edit, position

P, C, S, A = "data/2023/provinces.yaml", "data/2023/cluster.yaml", "data/site.yaml", "data/2023/article.md"


@dataclass
class Case:
    id: str
    file: str
    old: str
    new: str
    at: Optional[str]  # None: the problem is about the whole file, reported at 1:1
    message: str
    shift: int = 0
    raw: Optional[bytes] = None


CASES = [
    # --- YAML 1.1 traps and strict scalars
    Case("grouped-dot", P, "score: {value: 938.21,", "score: {value: 98.000,", "98.000",
         "số 98.000 có dấu phân cách hàng nghìn"),
    Case("grouped-block", C, "year: 2023", "year: 2.023", "2.023", "số 2.023 có dấu phân cách hàng nghìn"),
    Case("comma-decimal-block", C, "  pact_year: 2024", "  pact_year: 20,24", "20,24",
         "số 20,24 dùng dấu phẩy cho phần thập phân"),
    Case("comma-decimal-in-braces", P, "score: {value: 932.88", "score: {value: 932,88", "88, q",
         "số 932,88 dùng dấu phẩy cho phần thập phân (trong cặp { }, dấu phẩy ngăn các trường nên số bị tách đôi)"),
    Case("comma-decimal-quoted", P, "score: {value: 938.21,", 'score: {value: "938,21",', '"938,21"',
         "điểm thi đua của Sóc Trăng (score) phải là số, đang là “938,21”"),
    Case("sexagesimal", C, "year: 2023", "year: 20:23", "20:23", "20:23 bị YAML cũ đọc thành số hệ 60"),
    Case("leading-zero", C, "pact_year: 2024", "pact_year: 02024", "02024",
         "số 02024 bắt đầu bằng số 0"),
    Case("yes", C, "year_inferred: false", "year_inferred: yes", "yes", "“yes” không rõ là chữ hay đúng/sai"),
    Case("no", S, 'base_url: ""', "base_url: no", "no", "“no” không rõ là chữ hay đúng/sai"),
    Case("on", C, 'time_of_day: "sáng"', "time_of_day: on", "time_of_day: on", "“on” không rõ là chữ hay đúng/sai",
         shift=13),
    Case("off", C, 'congress: "XIII"', "congress: Off", "Off", "“Off” không rõ là chữ hay đúng/sai"),
    Case("exponent", P, "income_per_capita: {value: 81.75,", "income_per_capita: {value: 8.175e1,",
         "8.175e1", "8.175e1 không phải cách viết số được chấp nhận"),
    Case("hex", C, "year: 2023", "year: 0x7E7", "0x7E7", "0x7E7 không phải cách viết số được chấp nhận"),
    Case("impossible-date", C, "date: 2024-03-27", "date: 2024-02-30", "2024-02-30",
         "ngày 2024-02-30 không có thật"),
    Case("date-as-text", C, "date: 2024-03-27", 'date: "27-3"', '"27-3"',
         "ngày hội nghị (conference.date) phải là ngày, đang là “27-3”"),
    Case("duplicate-key", C, "year: 2023\n", "year: 2023\nyear: 2023\n", "year: 2023\nyear", "trường “year” bị lặp lại",
         shift=11),
    Case("duplicate-province", P, "Trà Vinh:\n", "Cà Mau:\n  rank: {qualifier: unknown}\n\nTrà Vinh:\n", "Cà Mau:\n  rank: {qualifier: unknown}",
         "trường “Cà Mau” bị lặp lại"),
    Case("tab-indent", C, "  exports_plan: {qualifier", "\texports_plan: {qualifier", "\texports_plan",
         "có ký tự tab; YAML chỉ cho phép thụt lề bằng dấu cách"),
    # --- structure and syntax
    Case("colon-in-text", S, 'title: "Cụm thi đua Tây Nam Bộ"', "title: Cụm thi đua: Tây Nam Bộ",
         ": Tây", "dấu hai chấm ở chỗ không được phép"),
    Case("unclosed-quote", C, 'short_name: "Cụm thi đua Tây Nam Bộ"', 'short_name: "Cụm thi đua Tây Nam Bộ',
         '"Cụm thi đua Tây Nam Bộ\n', "dấu ngoặc kép ở dòng này chưa được đóng"),
    Case("unclosed-brace", P, "poverty_reduction: {value: 122, qualifier: exact, source: bao-kien-giang}",
         "poverty_reduction: {value: 122, qualifier: exact, source: bao-kien-giang", "{value: 122",
         "dấu { ở dòng này chưa được đóng"),
    Case("bad-indent", C, "  grdp_growth:", " grdp_growth:", "  national_grdp_growth", "thụt lề không khớp với các dòng phía trên",
         shift=2),
    Case("two-documents", S, "legacy_year: 2023", "legacy_year: 2023\n---\nlegacy_year: 2024", "---",
         "tệp có nhiều hơn một tài liệu YAML (dòng ---)"),
    Case("anchor", C, "year: 2023", "year: &y 2023", "&y", "YAML có neo (&), tệp số liệu không dùng"),
    Case("alias", C, "  pact_year: 2024", "  pact_year: *y", "*y", "YAML có bí danh (*), tệp số liệu không dùng"),
    Case("tag", C, "year: 2023", "year: !!python/object:os.system 2023", "!!python",
         "YAML có thẻ kiểu “tag:yaml.org,2002:python/object:os.system”"),
    Case("too-deep", C, "year: 2023", "year: " + "[" * 40 + "]" * 40, "[" * 8, "dữ liệu lồng nhau quá 32 tầng",
         shift=31),
    # --- files
    Case("utf16", S, "", "", None, "tệp đang được lưu dạng UTF-16, không phải UTF-8",
         raw="title: x\n".encode("utf-16")),
    Case("windows-1258", S, "", "", "title: S", "tệp không phải UTF-8 (có thể đang lưu dạng Windows-1258 hoặc TCVN3)",
         shift=8, raw="title: Sóc Trăng\n".encode("cp1258")),
    Case("empty", C, "", "", None, "tệp trống", raw=b"\n \n"),
    Case("too-big", C, "", "", None, "tệp quá lớn", raw=b"# " + b"x" * (1024 * 1024 + 10) + b"\n"),
    # --- types, fields
    Case("text-for-number", C, "resolution_year: 3", 'resolution_year: "ba"', '"ba"',
         "năm thứ mấy thực hiện nghị quyết (context.resolution_year) phải là số nguyên, đang là “ba”"),
    Case("number-for-text", C, 'congress: "XIII"', "congress: 13", "congress: 13",
         "đại hội Đảng lần thứ (context.congress) phải là chữ, đang là 13", shift=10),
    Case("scalar-for-figure", P, "rank: {value: 1, qualifier: exact, source: bao-kien-giang}", "rank: 1", "1\n  score: {value: 945",
         "thứ hạng của Cà Mau (rank) phải viết dạng bảng, đang là 1"),
    Case("text-for-list", C, 'provinces: ["Cà Mau", "Sóc Trăng"]', 'provinces: "Cà Mau, Sóc Trăng"',
         '"Cà Mau, Sóc Trăng"', "danh sách tỉnh (awards.government_flag.provinces) phải là danh sách"),
    Case("empty-text", S, 'title: "Cụm thi đua Tây Nam Bộ"', 'title: ""', '""', "tên trang (title) không được để trống"),
    Case("unknown-field", P, "Cà Mau:\n  rank:", "Cà Mau:\n  rnak:", "rnak", "trường “rnak” không có trong mẫu số liệu"),
    Case("missing-field", C, '  place: "Sóc Trăng"      # tỉnh đăng cai\n', "", "date: 2024",
         "thiếu trường nơi tổ chức (conference.place)"),
    Case("missing-value", P, "score: {value: 945, qualifier: over,", "score: {qualifier: over,", "{qualifier: over",
         "điểm thi đua của Cà Mau (score) thiếu value"),
    Case("missing-source", P, "score: {value: 945, qualifier: over, source: bao-kien-giang}",
         "score: {value: 945, qualifier: over}", "{value: 945", "điểm thi đua của Cà Mau (score) thiếu source"),
    Case("unknown-with-value", P, "income_per_capita: {value: 80.33, qualifier: exact",
         "income_per_capita: {value: 80.33, qualifier: unknown", "{value: 80.33",
         "thu nhập bình quân đầu người của Hậu Giang (income_per_capita) ghi qualifier: unknown nhưng lại có value"),
    Case("qualifier-word", P, "score: {value: 945, qualifier: over,", "score: {value: 945, qualifier: trên,", "trên,",
         "điểm thi đua của Cà Mau (score.qualifier) không hợp lệ: “trên”"),
    Case("fractional-rank", P, "rank: {value: 4,", "rank: {value: 4.5,", "4.5",
         "thứ hạng của Kiên Giang (rank) phải là số nguyên, đang là 4.5"),
    Case("base-url", S, 'base_url: ""', 'base_url: "example.vn"', '"example.vn"',
         "địa chỉ đăng trang (base_url) phải là địa chỉ đầy đủ, kết thúc bằng dấu /"),
    # --- names
    Case("no-diacritics", C, 'provinces: ["Cà Mau", "Sóc Trăng"]', 'provinces: ["Cà Mau", "Soc Trang"]',
         '"Soc Trang"', "danh sách tỉnh (awards.government_flag.provinces): “Soc Trang” không phải tên một tỉnh trong cụm"),
    Case("wrong-diacritic", C, 'place: "Sóc Trăng"', 'place: "Sóc Trang"', '"Sóc Trang"',
         "nơi tổ chức (conference.place): “Sóc Trang” không phải tên một tỉnh trong cụm"),
    Case("eth-lookalike", C, '"Bạc Liêu", "Trà Vinh", "Tiền Giang"', '"Bạc Liêu", "Trà Vinh", "Tiền Giang", "Ðồng Tháp"',
         '"Ðồng Tháp"', "danh sách tỉnh (new_countryside.provinces): “Ðồng Tháp” không phải tên một tỉnh trong cụm"),
    Case("not-a-member", C, 'province: "Long An"', 'province: "Cần Thơ"', 'province: "Cần Thơ"',
         shift=10, message=
         "tỉnh cụm trưởng (heads.province): “Cần Thơ” không phải thành viên của cụm"),
    Case("misspelled-key", P, "Bạc Liêu:\n", "Bac Lieu:\n", "Bac Lieu",
         "tên tỉnh: “Bac Lieu” không phải tên một tỉnh, thành phố"),
    # --- consistency between figures
    Case("undeclared-source", P, "score: {value: 932.88, qualifier: exact, source: bao-kien-giang}",
         "score: {value: 932.88, qualifier: exact, source: baokg}", "baokg", "nguồn “baokg” chưa được khai báo"),
    Case("count-vs-list", C, "count: {value: 3,", "count: {value: 5,", "count: {value: 5,", shift=15, message=
         "số lượng không khớp danh sách: nguồn ghi 5 tỉnh có 100% xã đạt chuẩn nông thôn mới"),
    Case("sources-disagree", C, "{value: 12, qualifier: exact, source: kinh-te-moi-truong}",
         "{value: 11, qualifier: exact, source: kinh-te-moi-truong}", "11, qualifier: exact, source: kinh",
         "các nguồn ghi số tỉnh thành viên khác nhau, không thể cùng đúng: 12 tỉnh theo Báo Kiên Giang"),
    Case("rank-vs-score", P, "score: {value: 932.88,", "score: {value: 940,", "938.21", message=
         "thứ hạng mâu thuẫn với điểm: Sóc Trăng xếp thứ 2"),
    Case("duplicate-rank", P, "rank: {value: 4,", "rank: {value: 1,", "1, qualifier: exact, source: bao-kien-giang}\n  score: {value: 945",
         "Cà Mau và Kiên Giang cùng xếp thứ 1"),
    Case("rank-out-of-range", P, "rank: {value: 4,", "rank: {value: 14,", "14,",
         "thứ hạng của Kiên Giang là 14, ngoài khoảng 1–12"),
    Case("growth-unreachable", C, "{value: 23, qualifier: over, source: bao-kien-giang}",
         "{value: 20, qualifier: nearly, source: bao-kien-giang}", "6.79,", "mức tăng xuất khẩu so với năm trước 6,79%"),
    # --- the article
    Case("article-unknown-name", A, "{{ economy.grdp_growth | fig }}, {{ compare",
         "{{ economy.grpd_growth | fig }}, {{ compare", "grpd_growth", "bài viết dùng trường “grpd_growth”"),
    Case("article-unknown-table", A, '{{ table("heads") }}', '{{ table("cum-truong") }}', "cum-truong",
         "không có bảng “cum-truong”"),
    Case("article-unknown-province", A, "{% set first = at_rank(1) %}",
         '{% set first = province("Soc Trang") %}', "Soc Trang", "không có tỉnh “Soc Trang” trong cụm"),
    Case("article-front-matter", A, "published: 2026-11-29", "published: 29/11/2026", "29/11/2026",
         "ngày đăng (published) phải là ngày, đang là “29/11/2026”"),
    Case("article-no-front-matter", A, "---\n# Phần", "# Phần", None, "bài viết thiếu phần thông tin đầu bài"),
]


def apply(project: Path, case: Case) -> Path:
    target = project / case.file
    if case.raw is not None:
        target.write_bytes(case.raw)
    else:
        edit(target, case.old, case.new)
    return target


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_with_place_and_message(project, capsys, case):
    target = apply(project, case)
    code = main(["check", "--data", str(project / "data")])
    err = capsys.readouterr().err
    assert code == 1, err
    if case.at is None:
        where = "1:1"
    elif case.raw is not None:  # undecodable: count in the text the editor typed
        where = _text_position(case.raw, case.at, case.shift)
    else:
        where = position(target, case.at, case.shift)
    expected = f"{target}:{where}: lỗi: {case.message}"
    assert expected in err, f"\nexpected: {expected}\ngot:\n{err}"
    assert "Traceback" not in err
    assert "gợi ý: " in err


def _text_position(raw: bytes, needle: str, shift: int) -> str:
    text = raw.decode("cp1258")
    index = text.index(needle) + shift
    return f"{text.count(chr(10), 0, index) + 1}:{index - text.rfind(chr(10), 0, index)}"
