"""Output folders that cannot or must not be written: clean Vietnamese errors, nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cumthidua_site import writer
from cumthidua_site.cli import main


def build(project: Path, out: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["build", "--data", str(project / "data"), "--out", str(out), *extra])
    return code, capsys.readouterr().err


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_read_only_output_folder_is_refused_untouched(project, capsys, monkeypatch):
    out = project / "build"
    assert build(project, out, capsys)[0] == 0
    before = snapshot(out)
    # Permissions do not bind root, so the check that reads them is what is exercised here.
    real_access = os.access
    monkeypatch.setattr(writer.os, "access", lambda path, mode: False if Path(path) == out else real_access(path, mode))
    code, err = build(project, out, capsys)
    assert code == 2 and "Traceback" not in err
    assert f"thư mục đầu ra {out} chỉ cho đọc, không ghi được; trang cũ được giữ nguyên" in err
    assert f"chmod u+w {out}" in err
    assert snapshot(out) == before and leftovers(project) == []


def test_a_read_only_parent_folder_is_refused(project, capsys, monkeypatch):
    out = project / "web" / "build"
    out.parent.mkdir()
    real_access = os.access
    monkeypatch.setattr(writer.os, "access",
                        lambda path, mode: False if Path(path) == out.parent else real_access(path, mode))
    code, err = build(project, out, capsys)
    assert code == 2 and "thư mục chứa thư mục đầu ra" in err and "chỉ cho đọc" in err
    assert list(out.parent.iterdir()) == []


def test_read_only_folders_inside_an_old_build_are_still_removed(project, capsys):
    out = project / "build"
    assert build(project, out, capsys)[0] == 0
    (out / "tinh").chmod(0o555)
    (out / "2023" / "du-lieu").chmod(0o500)
    assert build(project, out, capsys)[0] == 0
    assert leftovers(project) == []


@pytest.mark.parametrize("name", ["đ" * 121, "b" * 250])
def test_an_over_long_output_name_is_a_clean_error(project, capsys, name):
    out = project / name
    code, err = build(project, out, capsys)
    assert code == 2 and "Traceback" not in err
    assert "trong đường dẫn thư mục đầu ra (--out) dài" in err and "quá giới hạn 241 byte" in err
    assert not out.exists() and leftovers(project) == []


def test_an_output_path_that_is_a_file(project, capsys):
    (project / "site.html").write_text("x", encoding="utf-8")
    code, err = build(project, project / "site.html", capsys)
    assert code == 2 and "là một tệp, không phải thư mục" in err
    assert (project / "site.html").read_text(encoding="utf-8") == "x" and leftovers(project) == []


def test_a_link_planted_under_a_staging_name_is_removed_not_followed(project, capsys, tmp_path_factory):
    victim = tmp_path_factory.mktemp("victim")
    (victim / "precious.txt").write_text("giữ lại", encoding="utf-8")
    (project / ".build.tmp-planted").symlink_to(victim)
    (project / ".build.old-planted").symlink_to(victim)
    assert build(project, project / "build", capsys)[0] == 0
    assert (victim / "precious.txt").read_text(encoding="utf-8") == "giữ lại"
    assert leftovers(project) == []


def test_a_leftover_that_cannot_be_removed_is_said_not_hidden(project, capsys, monkeypatch):
    stale = project / ".build.tmp-stale"
    stale.mkdir()
    monkeypatch.setattr(writer, "_remove", lambda path: path != stale)
    code, err = build(project, project / "build", capsys)
    assert code == 0
    assert ".build.tmp-stale: ghi chú: không xóa được thư mục tạm này của một lần dựng trước" in err


def test_an_output_path_that_is_a_symlink_loop(project, capsys):
    (project / "loop").symlink_to("loop")
    code, err = build(project, project / "loop", capsys)
    assert code == 2 and "Traceback" not in err
    assert "đường dẫn đầu ra (--out) là một vòng liên kết (symlink)" in err


def test_a_file_put_again_is_the_last_one_put(tmp_path):
    """A file made twice (a worker's editions rendered again after it failed) is written as made
    the second time, whether the published output held the first version, the second, or neither."""
    out = tmp_path / "build"
    writer.write_site({"a.html": b"one", "b/c.html": b"two"}, out)
    for first, second in ((b"one", b"changed"), (b"changed", b"one"), (b"new", b"newer"), (b"one", b"one")):
        with writer.staged(out) as staging:
            staging.put("a.html", first)
            staging.put("a.html", second)
            staging.put("b/c.html", b"two")
            assert staging.size == len(second) + 3
            staging.commit()
        assert (out / "a.html").read_bytes() == second and (out / "b/c.html").read_bytes() == b"two"
        assert sorted(p.name for p in out.rglob("*")) == [".cumthidua-site", "a.html", "b", "c.html"]


def test_a_picture_both_processes_placed_stays_the_cached_file(tmp_path):
    """Both processes of a build may link the same share picture from the cache into the staging
    folder (two pages with the same picture): the second finds it there and leaves it, never
    writing through the link into the read-only cached file."""
    cached = tmp_path / "cache" / "abc.png"
    cached.parent.mkdir()
    cached.write_bytes(b"\x89PNG picture")
    cached.chmod(0o444)
    out = tmp_path / "build"
    with writer.staged(out) as staging:
        staging.put("index.html", b"page")
        os.makedirs(staging.root / "anh", exist_ok=True)
        os.link(cached, staging.root / "anh/abc.png")  # what the worker did, unknown to this Staging
        same, size = staging.put("anh/abc.png", cached)
        assert (same, size) == (False, len(b"\x89PNG picture"))
        assert staging.commit()
    assert os.path.samefile(out / "anh/abc.png", cached)
    assert cached.read_bytes() == b"\x89PNG picture" and oct(cached.stat().st_mode & 0o777) == "0o444"
