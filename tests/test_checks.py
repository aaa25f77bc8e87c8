"""Consistency rules: each one on its passing and its failing side."""

from __future__ import annotations

from pathlib import Path

import pytest

from cumthidua_site.checks import RULES, check
from cumthidua_site.dataset import load_dataset
from conftest import DATA, edit, position

PROVINCES = "data/2023/provinces.yaml"
CLUSTER = "data/2023/cluster.yaml"


def found(project: Path) -> list[tuple[str, str, str, str]]:
    """(level, file:line:col, message, hint) of every check problem."""
    dataset, problems = load_dataset(project / "data")
    assert problems == [], problems
    return [(p.level.value, f"{p.location.path.name}:{p.location.line}:{p.location.col}", p.message, p.hint)
            for p in check(dataset.edition)]


def test_real_data_passes_every_rule_without_warnings():
    dataset, _ = load_dataset(DATA)
    assert check(dataset.edition) == []


def test_sources_must_be_declared(project):
    edit(project / PROVINCES, "score: {value: 938.21, qualifier: exact, source: bao-kien-giang}",
         "score: {value: 938.21, qualifier: exact, source: bao-kg}")
    where = position(project / PROVINCES, "bao-kg")
    assert found(project) == [("lỗi", f"provinces.yaml:{where}", "nguồn “bao-kg” chưa được khai báo",
                               "các nguồn đã khai báo: bao-kien-giang, bao-soc-trang, kinh-te-moi-truong, "
                               "nq-202-2025, sggp, vietnamnet-long-an, vnnews-2025-07-04")]


@pytest.mark.parametrize("old, new, what", [
    ("- {value: 12, qualifier: exact, source: bao-kien-giang}", "- {value: 13, qualifier: exact, source: bao-kien-giang}",
     "nguồn ghi 13 tỉnh thành viên"),
    ("count: {value: 3,", "count: {value: 4,", "nguồn ghi 4 tỉnh có 100% xã đạt chuẩn nông thôn mới"),
    ("count: {value: 2,", "count: {value: 3,", "nguồn ghi 3 tỉnh được đề nghị tặng Bằng khen"),
])
def test_counts_agree_with_the_lists_they_count(project, old, new, what):
    where = position(project / CLUSTER, old, old.index("value: ") + 7)  # the number that changes
    edit(project / CLUSTER, old, new)
    if "value: 12" in old:  # two sources give the member count: change it in both, or they disagree
        edit(project / CLUSTER, old.replace("bao-kien-giang", "kinh-te-moi-truong"),
             new.replace("bao-kien-giang", "kinh-te-moi-truong"))
    (problem,) = found(project)
    assert problem[0] == "lỗi" and problem[1] == f"cluster.yaml:{where}"
    assert problem[2].startswith("số lượng không khớp danh sách: " + what)


def test_count_with_a_bound_is_checked_as_an_interval(project):
    edit(project / CLUSTER, "count: {value: 3, qualifier: exact,", "count: {value: 2, qualifier: at_least,")
    assert [p for p in found(project) if p[0] == "lỗi"] == []  # 3 is "từ 2 trở lên"


def test_excluded_place_cannot_be_a_member(project):
    edit(project / PROVINCES, "Trà Vinh:\n", "Cần Thơ:\n  rank: {qualifier: unknown}\n  score: {qualifier: unknown}\n"
         "  income_per_capita: {qualifier: unknown}\n  poverty_reduction: {qualifier: unknown}\n\nTrà Vinh:\n")
    edit(project / CLUSTER, "{value: 12, qualifier: exact", "{value: 13, qualifier: exact", count=2)
    (problem,) = found(project)
    assert problem[2].startswith("“Cần Thơ” được ghi là không thuộc cụm")


@pytest.mark.parametrize("old, new, message", [
    ("rank: {value: 4,", "rank: {value: 2,", "Sóc Trăng và Kiên Giang cùng xếp thứ 2 (provinces.yaml:"),
    ("rank: {value: 4,", "rank: {value: 13,", "thứ hạng của Kiên Giang là 13, ngoài khoảng 1–12"),
    ("rank: {value: 4, qualifier: exact", "rank: {value: 4, qualifier: over",
     "thứ hạng của Kiên Giang phải là con số chính xác"),
])
def test_ranks_are_exact_unique_and_in_range(project, old, new, message):
    edit(project / PROVINCES, old, new)
    assert any(p[0] == "lỗi" and p[2].startswith(message) for p in found(project)), found(project)


@pytest.mark.parametrize("score, level", [("945.5", None), ("945.99", None), ("946", "cảnh báo"),
                                          ("950", "cảnh báo")])
def test_a_better_rank_with_a_probably_lower_score_is_a_warning(project, score, level):
    # Cà Mau is 1st with "trên 945": certainly above 945, conventionally under 946. Sóc Trăng is 2nd.
    edit(project / PROVINCES, "score: {value: 938.21,", f"score: {{value: {score},")
    problems = found(project)
    assert [p[0] for p in problems] == ([level] if level else [])
    if level:
        (_, where, message, _), = problems
        assert where.startswith("provinces.yaml:") and message.startswith("thứ hạng có thể mâu thuẫn với điểm")
        assert f"Sóc Trăng xếp thứ 2 với {score.replace('.', ',')} điểm" in message
        assert "theo cách hiểu thông thường từ 945,00 đến 946,00 thấp hơn" in message


@pytest.mark.parametrize("score, fails", [("938.21", False), ("938.22", True)])
def test_a_better_rank_cannot_have_a_certainly_lower_score(project, score, fails):
    edit(project / PROVINCES, "score: {value: 945, qualifier: over,", "score: {value: 938.21, qualifier: exact,")
    edit(project / PROVINCES, "score: {value: 938.21, qualifier: exact, source: bao-kien-giang}",
         f"score: {{value: {score}, qualifier: exact, source: bao-kien-giang}}", count=1)
    problems = [p for p in found(project) if p[0] == "lỗi"]
    assert bool(problems) is fails
    if fails:
        (_, where, message, _), = problems
        assert message.startswith("thứ hạng mâu thuẫn với điểm: Cà Mau xếp thứ 1 với 938,21 điểm")
        assert "938,21 luôn thấp hơn 938,22" in message


@pytest.mark.parametrize("growth, level", [("6.79", None), ("9.5", None), ("11.6", None),
                                           ("6.4", "cảnh báo"), ("13", "cảnh báo")])
def test_export_growth_probably_unreachable_is_a_warning(project, growth, level):
    # "trên 21,5" and "trên 23" prove no upper bound, so no growth rate is impossible; their
    # conventional reading, [21,5; 21,6) and [23; 24), reaches 6,48%–11,63%.
    edit(project / CLUSTER, "exports_growth: {value: 6.79,", f"exports_growth: {{value: {growth},")
    problems = found(project)
    assert [p[0] for p in problems] == ([level] if level else [])
    if level:
        (_, where, message, _), = problems
        assert where == f"cluster.yaml:{position(project / CLUSTER, growth + ',')}"
        assert "theo cách hiểu thông thường, trên 21,5 tỷ USD" in message and "trên 23 tỷ USD" in message
        assert "cho mức chênh tính được từ 6,48% đến 11,63%" in message


@pytest.mark.parametrize("growth, fails", [("6.98", False), ("6.79", True)])
def test_export_growth_certainly_unreachable_is_an_error(project, growth, fails):
    edit(project / CLUSTER, "{value: 23, qualifier: over, source: bao-kien-giang}",
         "{value: 23, qualifier: exact, source: bao-kien-giang}")
    edit(project / CLUSTER, "exports_previous_year: {value: 21.5, qualifier: over,",
         "exports_previous_year: {value: 21.5, qualifier: exact,")
    edit(project / CLUSTER, "exports_growth: {value: 6.79,", f"exports_growth: {{value: {growth},")
    errors = [p for p in found(project) if p[0] == "lỗi"]
    assert bool(errors) is fails
    if fails:
        assert errors[0][2].startswith("mức tăng xuất khẩu so với năm trước 6,79%")
        assert "cho mức chênh tính được 6,98%, còn 6,79% (đã làm tròn) là từ 6,78% đến 6,80%" in errors[0][2]


@pytest.mark.parametrize("estimate, fails", [("91000", False), ("90000", True)])
def test_above_estimate_agrees_when_the_estimate_is_given(project, estimate, fails):
    # "trên 98.000" against an estimate of 91.000 reaches "vượt 7,7%" (107,69%); of 90.000 it cannot
    edit(project / CLUSTER, "budget_estimate: {qualifier: unknown}",
         f"budget_estimate: {{value: {estimate}, qualifier: exact, source: bao-kien-giang}}")
    problems = found(project)
    assert bool(problems) is fails
    if fails:
        assert problems[0][2].startswith("mức thu ngân sách so với dự toán vượt 7,7% dự toán")
        assert "cho tỷ lệ tính được từ 108,88% trở lên, còn vượt 7,7% dự toán (đã làm tròn) là từ 107,65%" in problems[0][2]


def test_vuot_and_dat_are_one_figure_said_two_ways(project):
    # "vượt 7,7% dự toán" and "đạt 107,7% dự toán" are the same claim: two sources saying it
    # each way agree, and the page keeps the source's own way of saying it
    edit(project / CLUSTER, "    - {above: 7.7, qualifier: exact, source: sggp}",
         "    - {value: 107.7, qualifier: exact, source: sggp}")
    assert found(project) == []
    edit(project / CLUSTER, "    - {value: 107.7, qualifier: exact, source: sggp}",
         "    - {value: 108, qualifier: exact, source: sggp}")
    (problem,) = found(project)
    assert problem[0] == "lỗi" and "vượt 7,7% dự toán theo Báo Kiên Giang" in problem[2]
    assert "108% dự toán theo Sài Gòn Giải Phóng" in problem[2]


def test_above_is_only_for_a_share_of_a_target(project):
    edit(project / CLUSTER, "  grdp_growth:            # %: tăng trưởng kinh tế bình quân các tỉnh\n"
                            "    - {value: 6.7, qualifier: exact, source: bao-kien-giang}",
         "  grdp_growth:\n    - {above: 6.7, qualifier: exact, source: bao-kien-giang}")
    dataset, problems = load_dataset(project / "data")
    assert dataset is None and "above (“vượt X%”) chỉ dùng cho con số so với kế hoạch hay dự toán" in problems[0].message


def test_dates_that_do_not_fit_the_year_are_warnings(project):
    edit(project / CLUSTER, "date: 2024-03-27", "date: 2025-03-27")
    assert found(project) == [("cảnh báo", f"cluster.yaml:{position(project / CLUSTER, '2025-03-27')}",
                               "hội nghị tổng kết năm 2023 lại diễn ra năm 2025",
                               "hội nghị tổng kết thường họp vào năm sau, tức năm 2024; kiểm tra lại ngày")]


def test_a_year_has_one_head(project):
    edit(project / CLUSTER, "  - year: 2024\n", "  - year: 2023\n")
    problems = found(project)
    assert [p[2] for p in problems if p[0] == "lỗi"] == ["năm 2023 có hơn một cụm trưởng"] * 2


def test_implausible_percentages_are_warnings(project):
    edit(project / CLUSTER, "{value: 6.7, qualifier: exact", "{value: 670, qualifier: exact", count=2)
    problems = found(project)
    assert problems[0][0] == "cảnh báo" and problems[0][2] == "670% là mức thay đổi khác thường"


def test_equal_exact_scores_with_different_ranks_is_a_warning(project):
    line = position(project / PROVINCES, "score: {value: 938.21,").split(":")[0]
    edit(project / PROVINCES, "score: {value: 938.21,", "score: {value: 932.88,")
    (problem,) = found(project)
    assert problem[0] == "cảnh báo"
    assert problem[2] == (f"Sóc Trăng (provinces.yaml:{line}) và Kiên Giang cùng có 932,88 điểm "
                          "nhưng xếp thứ 2 và thứ 4")


@pytest.mark.parametrize("rule", RULES, ids=[r.__name__ for r in RULES])
def test_every_rule_passes_on_the_real_data(rule):
    dataset, _ = load_dataset(DATA)
    assert list(rule(dataset.edition)) == []


def test_counts_stated_with_a_bound_are_warned_about(project):
    edit(project / CLUSTER, "policy_groups: {value: 3, qualifier: exact,", "policy_groups: {value: 3, qualifier: over,")
    assert found(project) == [("cảnh báo", f"cluster.yaml:{position(project / CLUSTER, 'policy_groups: {value: 3, qualifier: over', 37)}",
                               "số nhóm chính sách hỗ trợ ít khi được ghi là “trên 3 nhóm chính sách”",
                               "kiểm tra lại qualifier: số tỉnh, số nhóm thường là exact")]


def test_negative_totals_are_errors(project):
    edit(project / CLUSTER, "{value: 23, qualifier: over, source: bao-kien-giang}",
         "{value: -23, qualifier: over, source: bao-kien-giang}")
    problems = [p for p in found(project) if p[2].startswith("kim ngạch xuất khẩu không thể âm")]
    assert problems and problems[0][0] == "lỗi"
