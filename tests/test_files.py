"""Data folders from anywhere: only regular files inside the folder are read, and never too much."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cumthidua_site.cli import main
from cumthidua_site.files import read_within

from conftest import cli

P = "data/2023/provinces.yaml"


def check(project: Path, capsys) -> tuple[int, str]:
    code = main(["check", "--data", str(project / "data")])
    return code, capsys.readouterr().err


def test_a_fifo_is_refused_without_blocking(project):
    (project / P).unlink()
    os.mkfifo(project / P)
    result = cli("check", cwd=project)  # a subprocess: a blocked read would hang until the timeout
    assert result.returncode == 1
    assert "provinces.yaml: lỗi: đây không phải tệp thường (có thể là FIFO, socket hay thiết bị)" in result.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "/etc/hostname"])
def test_a_link_out_of_the_data_folder_is_refused(project, capsys, target):
    (project / P).unlink()
    (project / P).symlink_to(target)
    code, err = check(project, capsys)
    assert code == 1 and f"provinces.yaml: lỗi: tệp là liên kết (symlink) trỏ ra ngoài thư mục số liệu, tới {target}" in err


def test_a_linked_edition_folder_outside_is_refused(project, capsys, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "2023"
    (project / "data/2023").rename(elsewhere)
    (project / "data/2023").symlink_to(elsewhere)
    code, err = check(project, capsys)
    assert code == 1 and err.count("trỏ ra ngoài thư mục số liệu") == 3  # cluster, provinces, article


def test_a_link_inside_the_data_folder_is_read(project, capsys):
    real = project / "data/2023/tinh.yaml"
    (project / P).rename(real)
    (project / P).symlink_to("tinh.yaml")
    code, err = check(project, capsys)
    assert code == 0, err


@pytest.mark.parametrize("make", [
    lambda p: p.symlink_to(p.name),  # itself
    lambda p: (p.symlink_to(p.parent / "b.yaml"), (p.parent / "b.yaml").symlink_to(p)),  # two in a ring
])
def test_a_symlink_loop_is_a_located_error(project, capsys, make):
    (project / P).unlink()
    make(project / P)
    code, err = check(project, capsys)
    assert code == 1 and "Traceback" not in err
    assert "provinces.yaml: lỗi: tệp là một vòng liên kết (symlink) trỏ vòng quanh" in err


def test_a_data_file_that_is_a_folder(project, capsys):
    (project / P).unlink()
    (project / P).mkdir()
    code, err = check(project, capsys)
    assert code == 1 and "provinces.yaml: lỗi: đây là một thư mục, không phải tệp" in err


def test_reads_stop_at_the_limit_even_when_the_size_lies(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\n" * 100)
    data, problems = read_within(path, tmp_path, limit=100)
    assert data is None and "tệp quá lớn" in problems[0].message
    data, problems = read_within(path, tmp_path, limit=500)
    assert data == b"a: 1\n" * 100 and problems == []


@pytest.mark.parametrize("name", ["đ" * 128, "a" * 256])
def test_an_over_long_data_folder_name_is_a_clean_error(tmp_path, capsys, name):
    code = main(["check", "--data", str(tmp_path / name)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "trong đường dẫn thư mục số liệu (--data) dài" in err and "quá giới hạn 255 byte" in err


def test_an_over_long_path_is_a_clean_error(tmp_path, capsys):
    deep = tmp_path.joinpath(*["thư-mục-rất-dài-" * 5] * 60)
    code = main(["check", "--data", str(deep)])
    err = capsys.readouterr().err
    assert code == 1 and "quá dài (tối đa 4096 byte)" in err
