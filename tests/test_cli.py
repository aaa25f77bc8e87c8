"""The command line as an editor runs it: messages, exit codes, no tracebacks."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import DATA, ROOT, cli, edit, position


def test_check_clean_data_exits_zero():
    result = cli("check")
    assert result.returncode == 0, result.stderr
    assert "Số liệu hợp lệ" in result.stderr


def test_build_reports_where_and_how_to_fix(project):
    provinces = project / "data/2023/provinces.yaml"
    edit(provinces, "score: {value: 938.21,", 'score: {value: "938,21",')
    result = cli("build", cwd=project)
    assert result.returncode == 1
    where = position(provinces, '"938,21"')
    assert (f"data/2023/provinces.yaml:{where}: lỗi: điểm thi đua của Sóc Trăng (score) phải là số, "
            f"đang là “938,21”\n  gợi ý: dùng dấu chấm cho phần thập phân, không ngoặc kép: 938.21") in result.stderr
    assert "Chưa dựng được trang: 1 lỗi. Thư mục đầu ra cũ được giữ nguyên." in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "build").exists()


def test_problems_are_grouped_by_file_in_order(project):
    edit(project / "data/site.yaml", 'base_url: ""', "base_url: no")
    edit(project / "data/2023/provinces.yaml", "score: {value: 932.88", "score: {value: 932.880.1")
    edit(project / "data/2023/cluster.yaml", "year: 2023", "year: 2023\nyear: 2024")
    result = cli("check", cwd=project)
    assert result.returncode == 1
    heads = [line.split(":")[0] for line in result.stderr.splitlines() if ": lỗi: " in line]
    assert heads == sorted(heads) and len(set(heads)) == 3
    assert "\n\n" in result.stderr  # a blank line between files


def test_check_json_for_machines(project):
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", 'score: {value: "938,21",')
    result = cli("check", "--format", "json", cwd=project)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    (problem,) = report["problems"]
    assert problem["file"] == "data/2023/provinces.yaml" and problem["level"] == "error"
    assert problem["line"] > 0 and problem["col"] > 0 and problem["hint"]


def test_strict_turns_warnings_into_failure(project):
    edit(project / "data/2023/cluster.yaml", "date: 2024-03-27", "date: 2025-03-27")
    lenient = cli("check", cwd=project)
    assert lenient.returncode == 0 and ": cảnh báo: " in lenient.stderr
    strict = cli("check", "--strict", cwd=project)
    assert strict.returncode == 1 and ": cảnh báo: " in strict.stderr
    assert "Số liệu chưa đạt: 1 cảnh báo." in strict.stderr


def test_bad_usage_exits_two_in_vietnamese():
    result = cli("build", "--nonsense")
    assert result.returncode == 2
    assert "lỗi: không hiểu đối số: --nonsense" in result.stderr
    assert "cách dùng:" in result.stderr
    assert cli().returncode == 2
    assert "thiếu đối số bắt buộc" in cli().stderr
    assert cli("check", "--format", "xml").returncode == 2


def test_help_is_vietnamese():
    result = cli("build", "--help")
    assert result.returncode == 0
    assert "thư mục số liệu (mặc định: data)" in result.stdout
    assert "thư mục đầu ra (mặc định: build)" in result.stdout


def test_missing_data_folder(tmp_path):
    result = cli("check", "--data", str(tmp_path / "none"))
    assert result.returncode == 1
    assert "không tìm thấy thư mục số liệu" in result.stderr


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "cumthidua-site"
    assert script.is_file() or shutil.which("cumthidua-site")


def test_a_failed_make_build_ends_with_what_to_do_in_vietnamese(tmp_path):
    """Not with make's own English “*** Error 1”: the last line says what to do."""
    import subprocess
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"}
    if subprocess.run(["make", "-q", ".venv/.stamp-run"], cwd=ROOT, env=env, capture_output=True).returncode != 0:
        pytest.skip("the virtual environment is out of date: make would reinstall it first")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)  # the same times: make sees the venv as up to date
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    shutil.copytree(DATA, tmp_path / "data")
    edit(tmp_path / "data/2023/provinces.yaml", "score: {value: 938.21,", 'score: {value: "938,21",')
    for target in ("build", "check"):
        result = subprocess.run(["make", "-s", target], cwd=tmp_path, env=env, capture_output=True, text=True,
                                encoding="utf-8", timeout=300)
        last = result.stderr.strip().splitlines()[-1]
        assert result.returncode != 0 and "Error 1" not in result.stderr
        assert last.endswith(f"*** Chưa xong: sửa các lỗi ở trên (tệp:dòng:cột, theo dòng gợi ý) rồi chạy lại "
                             f"make {target}.  Stop."), last
        assert "provinces.yaml:61:18: lỗi:" in result.stderr
    assert not (tmp_path / "build").exists()


def test_a_reader_that_went_away_ends_the_command_as_its_pipe_would(project):
    """`check --format json | head -c 0`, and `--help` to the same: status 141 as a shell reports a
    command its pipe ended, and no traceback nor "Exception ignored" from a stdout nobody reads
    (the report is written while the command runs; the help stays in its buffer until it ends)."""
    import os
    import subprocess
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", 'score: {value: "938,21",')
    for args in (["check", "--format", "json"], ["build", "--help"]):
        done = subprocess.Popen([sys.executable, "-m", "cumthidua_site", *args], cwd=project,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
                                     "NO_COLOR": "1", "LANG": "C.UTF-8"})  # stdout buffered, as a user's is
        done.stdout.close()  # gone before anything was written
        err = done.stderr.read().decode("utf-8")
        assert done.wait(timeout=120) == 141, (args, err)
        assert "Traceback" not in err and "Exception ignored" not in err and "BrokenPipe" not in err, err
