"""Loading the data folder into models: located Vietnamese errors for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cumthidua_site.dataset import load_dataset, load_project
from conftest import DATA, edit, position


def problems(data: Path) -> list[tuple[str, str, str, str]]:
    dataset, found = load_dataset(data)
    assert dataset is None, "expected the data to be refused"
    return sorted((p.location.path.name, f"{p.location.line}:{p.location.col}", p.message, p.hint)
                  for p in found)


def test_real_data_loads_into_frozen_models():
    dataset, found = load_dataset(DATA)
    assert found == []
    edition = dataset.edition
    assert len(edition.provinces) == 12
    soc_trang = edition.provinces["Sóc Trăng"]
    assert soc_trang.name == "Sóc Trăng" and str(soc_trang.score.value) == "938.21"
    assert soc_trang.score.loc.path.name == "provinces.yaml" and soc_trang.score.loc.line > 0
    with pytest.raises(ValidationError):
        soc_trang.score.value = 1  # frozen


def test_wrong_type_points_at_the_value(project):
    provinces = project / "data/2023/provinces.yaml"
    edit(provinces, "score: {value: 938.21,", 'score: {value: "938,21",')
    where = position(provinces, '"938,21"')
    assert problems(project / "data") == [(
        "provinces.yaml", where, "điểm thi đua của Sóc Trăng (score) phải là số, đang là “938,21”",
        "dùng dấu chấm cho phần thập phân, không ngoặc kép: 938.21")]


def test_missing_and_unknown_fields(project):
    provinces = project / "data/2023/provinces.yaml"
    edit(provinces, "Cà Mau:\n  rank: {value: 1, qualifier: exact, source: bao-kien-giang}\n",
         "Cà Mau:\n  rnak: {value: 1, qualifier: exact, source: bao-kien-giang}\n")
    found = problems(project / "data")
    key_at = position(provinces, "rnak")
    assert ("provinces.yaml", key_at, "trường “rnak” không có trong mẫu số liệu", "có phải “rank”?") in found
    # A figure left out is one the source does not give: unknown, not a mistake.
    assert [p for p in found if p[2].startswith("thiếu trường")] == []


def test_unknown_province_names_suggest_the_nearest_member(project):
    cluster = project / "data/2023/cluster.yaml"
    edit(cluster, 'provinces: ["Cà Mau", "Sóc Trăng"]', 'provinces: ["Cà Mau", "Soc Trang"]')
    where = position(cluster, '"Soc Trang"')
    assert problems(project / "data") == [(
        "cluster.yaml", where,
        "danh sách tỉnh (awards.government_flag.provinces): “Soc Trang” không phải tên một tỉnh trong cụm",
        "có phải “Sóc Trăng”?")]


def test_lookalike_letters_are_caught(project):
    cluster = project / "data/2023/cluster.yaml"
    edit(cluster, 'place: "Sóc Trăng"', 'place: "Ðồng Tháp"')  # U+00D0, not U+0110
    (found,) = problems(project / "data")
    assert found[2] == "nơi tổ chức (conference.place): “Ðồng Tháp” không phải tên một tỉnh trong cụm"
    assert found[3] == ("có phải “Đồng Tháp”? (chữ Ð U+00D0 ở đây chỉ trông giống chữ Đ U+0110; "
                        "hãy gõ lại chữ này)")


def test_a_real_province_outside_the_cluster(project):
    cluster = project / "data/2023/cluster.yaml"
    edit(cluster, 'province: "Long An"', 'province: "Cần Thơ"')
    (found,) = problems(project / "data")
    assert found[1] == position(cluster, '"Cần Thơ"', 0) or found[1] == position(cluster, 'province: "Cần Thơ"', 10)
    assert found[2] == "tỉnh cụm trưởng (heads.province): “Cần Thơ” không phải thành viên của cụm"


def test_misspelled_province_key(project):
    provinces = project / "data/2023/provinces.yaml"
    edit(provinces, "Bạc Liêu:\n", "Bac Lieu:\n")
    found = problems(project / "data")
    assert ("provinces.yaml", position(provinces, "Bac Lieu:"),
            "tên tỉnh: “Bac Lieu” không phải tên một tỉnh, thành phố", "có phải “Bạc Liêu”?") in found


def test_qualifier_words_and_value_rules(project):
    provinces = project / "data/2023/provinces.yaml"
    edit(provinces, "score: {value: 945, qualifier: over,", "score: {value: 945, qualifier: trên,")
    edit(provinces, "income_per_capita: {value: 80.33, qualifier: exact,",
         "income_per_capita: {value: 80.33, qualifier: unknown,")
    found = problems(project / "data")
    assert ("provinces.yaml", position(provinces, "trên,"),
            "điểm thi đua của Cà Mau (score.qualifier) không hợp lệ: “trên”",
            "viết over (các giá trị được phép: exact, over, at_least, nearly, about, range, unknown)") in found
    assert ("provinces.yaml", position(provinces, "{value: 80.33"),
            "thu nhập bình quân đầu người của Hậu Giang (income_per_capita) ghi qualifier: unknown "
            "nhưng lại có value",
            "bỏ value nếu nguồn không nêu con số, hoặc sửa qualifier cho đúng") in found


def test_every_file_problem_is_reported_together(project):
    edit(project / "data/site.yaml", 'base_url: ""', 'base_url: no')
    edit(project / "data/2023/cluster.yaml", "year: 2023", "year: 2023\nyear: 2024")
    edit(project / "data/2023/provinces.yaml", "score: {value: 932.88", "score: {value: 932,88")
    found = problems(project / "data")
    assert {p[0] for p in found} == {"site.yaml", "cluster.yaml", "provinces.yaml"}
    provinces = project / "data/2023/provinces.yaml"
    assert ("provinces.yaml", position(provinces, "88, qualifier"),
            "số 932,88 dùng dấu phẩy cho phần thập phân (trong cặp { }, dấu phẩy ngăn các trường nên số bị tách đôi)",
            "dùng dấu chấm cho phần thập phân: 932.88") in found


def test_missing_data_folder_and_editions(tmp_path, project):
    assert problems(tmp_path / "nowhere")[0][2] == "không tìm thấy thư mục số liệu"
    (project / "data/2023").rename(project / "data/nam-2023")  # not a year: not an edition
    (found,) = problems(project / "data")
    assert found[2] == "chưa có năm số liệu nào: không có thư mục năm trong data/"
    assert found[3] == "tạo năm đầu tiên bằng lệnh `cumthidua-site new-edition 2023`"


def test_an_edition_folder_holds_its_own_year(project):
    """Copying 2023 to 2024 does not make a 2024 edition out of 2023's figures."""
    import shutil
    shutil.copytree(project / "data/2023", project / "data/2024")
    (found,) = problems(project / "data")
    cluster = project / "data/2024/cluster.yaml"
    assert found[:3] == ("cluster.yaml", position(cluster, "year: 2023", 6),
                         "năm tổng kết ghi 2023 nhưng tệp nằm trong thư mục 2024/")


def test_models_share_their_fields_sets_and_a_copy_gets_its_own(project):
    """A large archive holds a hundred thousand models: those written with the same fields share
    one set of their names. pydantic only reads it; a copy with changes (a correction's old
    value) gets a set of its own, and the models it was shared with keep theirs."""
    loaded, _ = load_project(project / "data")
    provinces = list(loaded.editions[2023].edition.provinces.values())
    by_fields = {}
    for province in provinces:
        by_fields.setdefault(frozenset(province.model_fields_set), []).append(province)
    one, other = next(group for group in by_fields.values() if len(group) > 1)[:2]
    assert one.model_fields_set is other.model_fields_set
    names = set(other.model_fields_set)
    changed = one.model_copy(update={"score": other.score})
    assert changed.model_fields_set == names | {"score"} and changed.model_fields_set is not other.model_fields_set
    assert other.model_fields_set == names and one.model_fields_set is other.model_fields_set
    assert one.score.where("value").line > 0 and one.where("score").line > 0  # locations kept beside


def test_a_load_in_the_same_process_parses_only_what_changed(editions_project, monkeypatch):
    """serve loads the project after every save: an unchanged edition is the object the last load
    made, its files not parsed again, and an unchanged article is the one it read. What changed is
    read anew, and a mistake in it is still said at its file, line and column."""
    from cumthidua_site import dataset
    data = editions_project / "data"
    parsed: list[str] = []
    parse = dataset.parse_yaml
    monkeypatch.setattr(dataset, "parse_yaml", lambda text, path, **kw: parsed.append(path.name) or parse(text, path, **kw))
    first, found = load_project(data)
    assert found == [] and parsed.count("provinces.yaml") == 2 and parsed.count("article.md") == 2
    parsed.clear()
    again, _ = load_project(data)
    assert parsed == []
    for year in (2021, 2023):
        assert again.editions[year].edition is first.editions[year].edition
        assert again.editions[year].article is first.editions[year].article
    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.28,")
    edited, _ = load_project(data)
    # the edited edition's files (its cluster.yaml from the loader's memory), not the other edition's
    assert sorted(parsed) == ["cluster.yaml", "provinces.yaml"]
    assert str(edited.editions[2023].edition.provinces["Sóc Trăng"].score.value) == "938.28"
    assert edited.editions[2021].edition is first.editions[2021].edition
    assert edited.editions[2023].article is first.editions[2023].article
    parsed.clear()
    edit(data / "2023/article.md", "byline: \"Nhóm Dữ liệu Miền Tây\"", "byline: \"Nhóm Dữ liệu\"")
    edited_article, _ = load_project(data)
    assert parsed == ["article.md"] and edited_article.editions[2023].article.meta.byline == "Nhóm Dữ liệu"
    assert edited_article.editions[2023].edition is edited.editions[2023].edition
    edit(data / "2023/article.md", "byline: \"Nhóm Dữ liệu\"", "byline: [\"Nhóm Dữ liệu\"")
    broken, found = load_project(data)  # the edition itself is kept: the article's mistake is still said
    assert broken is None
    line = position(data / "2023/article.md", "byline:").split(":")[0]
    assert [(p.location.path.name, str(p.location.line)) for p in found] == [("article.md", line)]


def test_private_attributes_start_from_their_defaults_at_every_level_of_subclassing(project):
    """Each model class copies its private defaults in one step (figures.Model), not pydantic's
    per-attribute, per-level pass: a model made in code has no location and, for a province, no
    name yet; one loaded from a file has both; a copy keeps them, and no two models share a store."""
    from cumthidua_site.model import Province
    made = Province()
    assert made.loc is None and made.where("score") is None and made.name == ""
    assert made.__pydantic_private__ == {"_loc": None, "_field_locs": None, "_item_locs": None, "_name": ""}
    assert Province().__pydantic_private__ is not made.__pydantic_private__
    assert made.score.__pydantic_private__ == {"_loc": None, "_field_locs": None, "_item_locs": None}
    loaded, _ = load_project(project / "data")
    province = next(iter(loaded.editions[2023].edition.provinces.values()))
    assert province.name and province.loc.path.name == "provinces.yaml" and province.where("score").line > 0
    copied = province.model_copy(update={"score": made.score})
    assert copied.name == province.name and copied.loc == province.loc
    assert copied.__pydantic_private__ is not province.__pydantic_private__
