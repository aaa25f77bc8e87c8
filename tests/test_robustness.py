"""Mistakes found by review: each once crashed or misled; each now gets a located Vietnamese answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cumthidua_site import article
from cumthidua_site.cli import main
from conftest import DATA, edit, position, soup

P, C, A = "data/2023/provinces.yaml", "data/2023/cluster.yaml", "data/2023/article.md"


def run(project: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["build", "--data", str(project / "data"), "--out", str(project / "build"), *extra])
    return code, capsys.readouterr().err


def test_no_known_score_anywhere(project, capsys):
    text = (project / P).read_text(encoding="utf-8")
    (project / P).write_text(re.sub(r"rank: \{value: \d+[^}]*\}", "rank: {qualifier: unknown}", text),
                             encoding="utf-8")
    code, err = run(project, capsys)
    assert code == 1 and "Traceback" not in err
    assert "nguồn không nêu tỉnh xếp thứ 1" in err  # the article's at_rank(1), located


def test_no_known_figures_still_renders_charts_as_notes(project, capsys):
    edit(project / C, "    - {value: 71, qualifier: over, source: bao-kien-giang}\n", "")
    edit(project / C, "    - {value: 71.2, qualifier: exact, source: sggp}", "    - {qualifier: unknown}")
    code, err = run(project, capsys)
    assert code == 0, err
    page = soup((project / "build/2023/bang-xep-hang/index.html").read_bytes())
    assert page.find("svg", id="bieu-do-thu-nhap").find("line", class_="ref") is None  # no average to draw


@pytest.mark.parametrize("old, new, message", [
    ("rank: {value: 4,", "rank: {value: 100000000000000000000000000000,", "quá dài (hơn 15 chữ số)"),
    ('time_of_day: "sáng"', 'time_of_day: "\\ud800"', "chữ có ký tự điều khiển U+D800 không được phép"),
    ('time_of_day: "sáng"', 'time_of_day: "s\\0\\e"', "chữ có ký tự điều khiển U+0000 không được phép"),
    ("exports_previous_year: {value: 21.5, qualifier: over,", "exports_previous_year: {value: 0, qualifier: exact,",
     "không tính được vì con số gốc là 0"),
    ('url: "https://baokiengiang.vn/', 'url: "javascript:alert(1)//', "phải là địa chỉ web bắt đầu bằng https://"),
])
def test_hostile_or_odd_values(project, capsys, old, new, message):
    target = project / (P if "rank" in old else C)
    edit(target, old, new)
    code, err = run(project, capsys)
    assert code == 1 and message in err and "Traceback" not in err, err


def test_negative_percent_of_plan_is_an_error(project, capsys):
    edit(project / P, "poverty_reduction: {value: 136,", "poverty_reduction: {value: -136,")
    code, err = run(project, capsys)
    assert code == 1 and "không thể âm" in err


def test_a_name_listed_twice_is_reported_at_the_second(project, capsys):
    edit(project / C, 'provinces: ["Tiền Giang", "Trà Vinh"]', 'provinces: ["Tiền Giang", "Trà Vinh", "Tiền Giang"]')
    edit(project / C, "count: {value: 2,", "count: {value: 3,")
    code, err = run(project, capsys)
    where = position(project / C, '"Tiền Giang", "Trà Vinh", "Tiền Giang"]', 26)
    assert code == 1 and f"cluster.yaml:{where}: lỗi: “Tiền Giang” xuất hiện hai lần trong danh sách" in err


def test_one_misspelled_key_is_one_error(project, capsys):
    edit(project / P, "Sóc Trăng:\n", "Soc Trang:\n")
    code, err = run(project, capsys)
    assert code == 1 and err.count(": lỗi: ") == 1 and "có phải “Sóc Trăng”?" in err


def test_table_placeholder_inside_a_sentence(project, capsys):
    edit(project / A, '{{ table("heads") }}', 'Xem {{ table("heads") | trim }} nhé.')
    code, err = run(project, capsys)
    line = position(project / A, 'table("heads")').split(":")[0]
    assert code == 1 and f"article.md:{line}:1: lỗi: bảng “heads” phải đứng riêng một dòng" in err
    assert not (project / "build").exists()


def test_include_is_refused(project, capsys):
    edit(project / A, "## Nông thôn mới", '{% include "x" %}\n\n## Nông thôn mới')
    code, err = run(project, capsys)
    assert code == 1 and "bài viết không dùng được include, import hay extends" in err


def test_runaway_loop_is_stopped(project, capsys, monkeypatch):
    monkeypatch.setattr(article, "RENDER_SECONDS", 1)
    edit(project / A, "## Nông thôn mới",
         "{% for a in members %}" * 8 + "{% endfor %}" * 8 + "\n\n## Nông thôn mới")
    code, err = run(project, capsys)
    line = position(project / A, "{% for a in members %}").split(":")[0]
    assert code == 1 and f"article.md:{line}:" in err and "bài viết tính quá 1 giây" in err


def test_blank_headline_is_refused(project, capsys):
    edit(project / A, 'title: "{{ at_rank(1).name }} dẫn đầu {{ cluster.short_name }} năm {{ cluster.year }}, '
                      'Kiên Giang xếp thứ {{ province(\\"Kiên Giang\\").rank | ordinal }}"',
         'title: "{{ \'\' }}"')
    code, err = run(project, capsys)
    assert code == 1 and "tít bài (title) trống sau khi tính các biểu thức" in err


def test_front_matter_error_column_points_at_the_expression(project, capsys):
    edit(project / A, "với {{ at_rank(1).score | fig }}, {{ at_rank(2).name }}",
         "với {{ at_rank(1).scor | fig }}, {{ at_rank(2).name }}")
    code, err = run(project, capsys)
    assert code == 1 and f"article.md:{position(project / A, 'scor |')}: lỗi:" in err


def test_data_file_that_is_a_folder(project, capsys):
    (project / C).unlink()
    (project / C).mkdir()
    code, err = run(project, capsys)
    assert code == 1 and "đây là một thư mục, không phải tệp" in err


def test_output_through_a_symlink_updates_the_target(project, capsys):
    real = project / "www"
    real.mkdir()
    (project / "link").symlink_to(real)
    for _ in range(2):
        assert main(["build", "--data", str(project / "data"), "--out", str(project / "link")]) == 0
    assert (project / "link").is_symlink() and (real / "index.html").is_file()
    assert not [p for p in project.iterdir() if p.name.startswith((".link.", ".www."))]


def test_output_inside_a_file_is_bad_usage(project, capsys):
    (project / "afile").write_text("x", encoding="utf-8")
    assert main(["build", "--data", str(project / "data"), "--out", str(project / "afile/build")]) == 2
    assert "là một tệp" in capsys.readouterr().err


def test_a_foreign_templates_folder_beside_the_data_is_ignored(tmp_path, capsys):
    import shutil
    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "templates").mkdir()  # someone else's, without our layout
    (tmp_path / "templates" / "note.txt").write_text("x", encoding="utf-8")
    assert main(["build", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "build")]) == 0
    assert main(["build", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "build"),
                 "--templates", str(tmp_path / "templates")]) == 1
    assert "thư mục mẫu trang thiếu tệp base.html" in capsys.readouterr().err


@pytest.mark.timeout(120)  # a hang guard, not a speed target: quadratic work here took minutes
def test_a_figure_with_thousands_of_claims_is_checked_in_linear_steps(project, capsys):
    claims = "".join(f"    - {{value: {72 + i / 10000:.4f}, qualifier: exact, source: sggp}}\n" for i in range(15000))
    edit(project / C, "    - {value: 71.2, qualifier: exact, source: sggp}     # \"trung bình 71,2\": nằm trong \"trên 71\"\n",
         claims)
    code = main(["check", "--data", str(project / "data")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("các nguồn ghi thu nhập bình quân đầu người của cụm khác nhau") == 1
