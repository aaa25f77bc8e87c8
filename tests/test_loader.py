"""The YAML loader: strict scalars, exact locations, every problem collected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from cumthidua_site.loader import REFUSED, load_yaml, locate, parse_yaml

HERE = Path("data/x.yaml")


def problems_of(text: str) -> list[tuple[str, str, str]]:
    _, problems = parse_yaml(text, HERE)
    return [(f"{p.location.line}:{p.location.col}", p.message, p.hint) for p in problems]


def test_values_keep_their_written_digits_and_types():
    data, problems = parse_yaml(
        "a: 938.21\nb: 98000\nc: 69.80\nd: true\ne: 2024-03-27\nf: Sóc Trăng\ng: \"010\"\nh:\n", HERE)
    assert problems == []
    assert data == {"a": Decimal("938.21"), "b": 98000, "c": Decimal("69.80"), "d": True,
                    "e": dt.date(2024, 3, 27), "f": "Sóc Trăng", "g": "010", "h": None}
    assert str(data["c"]) == "69.80"  # the digits the editor wrote
    assert not any(isinstance(v, float) for v in data.values())


def test_locations_of_values_and_keys_are_one_based():
    data, _ = parse_yaml("top:\n  score: {value: 938.21}\n  list: [a, b]\n", HERE)
    assert str(locate(data, ("top", "score", "value"))) == "data/x.yaml:2:18"
    assert str(locate(data, ("top", "score"), key=True)) == "data/x.yaml:2:3"
    assert str(locate(data, ("top", "list", 1))) == "data/x.yaml:3:13"
    # a path that goes deeper than the data stops at the deepest node that exists
    assert str(locate(data, ("top", "score", "missing"))) == "data/x.yaml:2:10"


@pytest.mark.parametrize("written, message, hint", [
    ("98.000", "số 98.000 có dấu phân cách hàng nghìn", "viết liền, không dấu phân cách: 98000"),
    ("98,000", "số 98,000 có dấu phân cách hàng nghìn", "viết liền, không dấu phân cách: 98000"),
    ("938,21", "số 938,21 dùng dấu phẩy cho phần thập phân", "dùng dấu chấm cho phần thập phân: 938.21"),
    ("010", "số 010 bắt đầu bằng số 0", "viết 10"),
    ("1:20", "1:20 bị YAML cũ đọc thành số hệ 60", 'đặt trong ngoặc kép: "1:20"'),
    ("no", "“no” không rõ là chữ hay đúng/sai", "viết true hoặc false"),
    ("On", "“On” không rõ là chữ hay đúng/sai", 'đặt trong ngoặc kép: "On"'),
    ("1e3", "1e3 không phải cách viết số được chấp nhận", "938.21"),
    (".5", ".5 không phải cách viết số được chấp nhận", "938.21"),
    ("0x1F", "0x1F không phải cách viết số được chấp nhận", "938.21"),
    (".nan", ".nan không phải cách viết số được chấp nhận", "938.21"),
    ("1_000", "1_000 không phải cách viết số được chấp nhận", "938.21"),
    ("2024-02-30", "ngày 2024-02-30 không có thật", "2024-03-27"),
])
def test_ambiguous_scalars_are_refused_with_the_right_spelling(written, message, hint):
    data, problems = parse_yaml(f"name: x\nvalue: {written}\n", HERE)
    assert data["value"] is REFUSED
    assert len(problems) == 1
    assert str(problems[0].location) == "data/x.yaml:2:8"
    assert message in problems[0].message
    assert hint in problems[0].hint


def test_quoted_text_is_always_text():
    data, problems = parse_yaml('a: "98.000"\nb: \'no\'\nc: "1:20"\n', HERE)
    assert problems == []
    assert data == {"a": "98.000", "b": "no", "c": "1:20"}


def test_duplicate_key_is_refused_and_points_to_both():
    found = problems_of("a: 1\nb: 2\na: 3\n")
    assert found == [("3:1", "trường “a” bị lặp lại (đã có ở dòng 1)",
                      "giữ một trường và xóa trường thừa; nếu để cả hai, YAML chỉ lấy giá trị sau mà không báo")]


def test_every_problem_in_a_file_is_reported_at_once():
    found = problems_of("a: 98.000\nb: 938,21\nc: no\na: 1\n")
    assert [where for where, _, _ in found] == ["1:4", "2:4", "3:4", "4:1"]


@pytest.mark.parametrize("text, where, message", [
    ("a:\n\tb: 1\n", "2:1", "có ký tự tab; YAML chỉ cho phép thụt lề bằng dấu cách"),
    ("a: b: c\n", "1:5", "dấu hai chấm ở chỗ không được phép"),
    ('a: "abc\n', "1:4", "dấu ngoặc kép ở dòng này chưa được đóng"),
    ("a: [1, 2\n", "1:4", "dấu [ ở dòng này chưa được đóng"),
    ("a: {x: 1\nb: 2\n", "1:4", "dấu { ở dòng này chưa được đóng"),
    ('a: "x"\nb: "y\nc: 1\nd: 2\n', "2:4", "dấu ngoặc kép ở dòng này chưa được đóng"),
    ("a: [1, 2, 3] # [ comment\nb: c: d\n", "2:5", "dấu hai chấm ở chỗ không được phép"),
    ("a:\n  b: 1\n c: 2\n", "3:2", "thụt lề không khớp với các dòng phía trên"),
    ("a: 1\n---\nb: 2\n", "2:1", "tệp có nhiều hơn một tài liệu YAML (dòng ---)"),
])
def test_syntax_errors_are_located_and_said_in_vietnamese(text, where, message):
    data, problems = parse_yaml(text, HERE)
    assert data is None
    assert [(f"{p.location.line}:{p.location.col}", p.message) for p in problems] == [(where, message)]
    assert problems[0].hint


def test_anchors_aliases_and_tags_are_refused():
    found = problems_of("a: &x 1\nb: *x\nc: !!str 3\n")
    assert [(w, m.split(",")[0]) for w, m, _ in found] == [
        ("1:4", "YAML có neo (&)"), ("2:4", "YAML có bí danh (*)"),
        ("3:4", "YAML có thẻ kiểu “tag:yaml.org")]


def test_text_is_normalised_to_nfc():
    decomposed = "Sóc Trăng".encode().decode()  # NFC in source; build NFD explicitly
    import unicodedata
    nfd = unicodedata.normalize("NFD", decomposed)
    data, _ = parse_yaml(f"{nfd}: {nfd}\n", HERE)
    assert list(data) == ["Sóc Trăng"] and data["Sóc Trăng"] == "Sóc Trăng"


def test_file_encodings(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: S\xc3\xb3c\r\n")  # BOM and CRLF are fine
    assert load_yaml(good, tmp_path) == ({"a": 1, "b": "Sóc"}, [])
    latin = tmp_path / "cp1258.yaml"
    latin.write_bytes("a: 1\nb: Sóc Trăng\n".encode("cp1258"))
    data, problems = load_yaml(latin, tmp_path)
    assert data is None
    assert str(problems[0].location) == f"{latin}:2:5"
    assert "không phải UTF-8" in problems[0].message and "UTF-8" in problems[0].hint
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("a: 1\n".encode("utf-16"))
    assert "UTF-16" in load_yaml(utf16, tmp_path)[1][0].message
    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n", encoding="utf-8")
    assert load_yaml(empty, tmp_path)[1][0].message == "tệp trống"
    assert load_yaml(tmp_path / "missing.yaml", tmp_path)[1][0].message == "không tìm thấy tệp"


@pytest.mark.parametrize("text", ["~\n", "- a\n- b\n", "chỉ một dòng chữ\n", "# chỉ có ghi chú\n"])
def test_a_file_must_hold_fields(text):
    data, problems = parse_yaml(text, HERE)
    assert data is None and len(problems) == 1
    assert problems[0].message in ("nội dung tệp phải là các dòng `tên_trường: giá trị`", "tệp không có nội dung YAML")
    assert problems[0].location.line == 1


def _located_tree(value):
    """The data with every location it remembers, for comparing two parses."""
    from cumthidua_site.loader import LocatedList, LocatedMap
    if isinstance(value, LocatedMap):
        return ("map", str(value.loc), [(k, str(value.key_locs[k]), str(value.value_locs[k]), _located_tree(v))
                                         for k, v in value.items()])
    if isinstance(value, LocatedList):
        return ("list", str(value.loc), [(str(where), _located_tree(v)) for where, v in zip(value.item_locs, value)])
    return (type(value).__name__, value)


def test_a_file_read_back_from_the_cache_is_the_parse_it_kept(monkeypatch, tmp_path):
    """The next process reads a parsed file from the disk cache instead of parsing it: the same
    values of the same types, at the same lines and columns (offset included), under the same
    path; a file with a problem is never kept, so its messages stay the parser's."""
    from cumthidua_site import loader
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(tmp_path / "cache"))
    text = ("a: 938.21\nb: 98000\nc: 69.80\nd: true\ne: 2024-03-27\nf: Sóc Trăng\ng: \"010\"\nh:\n"
            "list:\n  - {value: 1.5, sources: [x, z]}\n  - [2021-01-02, false, -3]\nnested: {deep: {deeper: [0.001]}}\n")
    parsed, problems = parse_yaml(text, HERE, 4)
    assert problems == [] and list((tmp_path / "cache/yaml").glob("*.json"))
    loader._PARSED.clear()  # as in a new process
    calls = []
    monkeypatch.setattr(loader, "_parse_yaml", lambda *args: calls.append(args) or (None, []))
    again, problems = parse_yaml(text, HERE, 4)
    assert problems == [] and calls == []  # read back, not parsed
    assert _located_tree(again) == _located_tree(parsed)
    assert str(locate(again, ("list", 0, "sources", 1))) == "data/x.yaml:14:31"
    loader._PARSED.clear()
    elsewhere, _ = parse_yaml(text, Path("elsewhere/x.yaml"), 4)  # the same text in another file
    assert calls == [] and str(locate(elsewhere, ("list", 0, "sources", 1))) == "elsewhere/x.yaml:14:31"
    monkeypatch.undo()
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(tmp_path / "cache"))
    loader._PARSED.clear()
    assert problems_of("a: 1\na: 2\n") and problems_of("a: 1\na: 2\n")  # said twice: not kept


def test_a_damaged_cache_file_is_parsed_again(monkeypatch, tmp_path):
    """A kept file that is JSON but not what the loader writes (a damaged or foreign cache) is
    set aside: the text is parsed again, and the right parse is kept in its place."""
    from cumthidua_site import caches, loader
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(tmp_path / "cache"))
    text = "a: 938.21\nb: [1, 2]\n"
    good, _ = parse_yaml(text, HERE)
    [kept] = list((tmp_path / "cache/yaml").glob("*.json"))
    for damage in ('["M", 1, 1, [["a", 1]]]', '["X", 1]', '"just text"', '[]', '{"M": 1}'):
        kept.write_text(damage, encoding="utf-8")
        loader._PARSED.clear()
        again, problems = parse_yaml(text, HERE)
        assert problems == [] and again == good and _located_tree(again) == _located_tree(good), damage
    assert caches.read_json("yaml", kept.stem)[0] == "M"  # kept anew


def test_a_file_unchanged_since_it_was_read_is_taken_as_it_was(tmp_path, monkeypatch):
    """serve reads every file after each save: a file with the same identity, size and dates as
    when it was read is not read again, unless it had changed just before that read (within the
    same tick of the clock, a second change could keep its date). Any other file is read and
    checked anew: another size, another file saved in its place, a link out of the data folder."""
    import os
    from cumthidua_site import loader
    data = tmp_path / "data"
    data.mkdir()
    path = data / "cluster.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    reads: list[Path] = []
    real = loader.read_within
    monkeypatch.setattr(loader, "read_within", lambda *args: reads.append(args[0]) or real(*args))
    assert loader.read_text(path, data)[0] == loader.read_text(path, data)[0] == "a: 1\n"
    assert len(reads) == 2  # written just now: read again
    monkeypatch.setattr(loader, "SETTLED_NS", -1)  # as if it had been written long before
    loader.read_text(path, data)
    assert loader.read_text(path, data) == ("a: 1\n", []) and len(reads) == 3  # kept
    path.write_text("a: 22\n", encoding="utf-8")
    assert loader.read_text(path, data)[0] == "a: 22\n" and len(reads) == 4
    saved = data / ".cluster.yaml.tmp"
    saved.write_text("a: 33\n", encoding="utf-8")
    os.replace(saved, path)  # an editor's atomic save: the same size, another file
    assert loader.read_text(path, data)[0] == "a: 33\n" and len(reads) == 5
    outside = tmp_path / "secret.yaml"
    outside.write_text("a: 44\n", encoding="utf-8")
    path.unlink()
    path.symlink_to(outside)
    text, problems = loader.read_text(path, data)
    assert text is None and "symlink" in problems[0].message and len(reads) == 6
