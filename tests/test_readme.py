"""The README's promises, checked: the two commands, and its example messages are real output."""

from __future__ import annotations

import re

from conftest import ROOT, cli, edit

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block_after(marker: str) -> list[str]:
    """The lines of the first fenced block after `marker` in the README."""
    rest = README[README.index(marker):]
    block = re.search(r"```\n(.*?)```", rest, flags=re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_says_exactly_the_two_commands():
    quick = README[README.index("## Quick start"):README.index("## Site map")]
    commands = re.findall(r"^make \w+", quick, flags=re.M)
    assert commands == ["make build", "make test"]


def test_error_example_is_what_an_editor_sees(project):
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", 'score: {value: "938,21",')
    result = cli("build", cwd=project)
    assert result.returncode == 1
    assert _block_after("### Khi có lỗi") == result.stderr.splitlines()


def test_cross_check_example_is_what_an_editor_sees(project):
    edit(project / "data/2023/cluster.yaml", "exports_growth: {value: 6.79,", "exports_growth: {value: 16.79,")
    result = cli("check", cwd=project)
    assert result.returncode == 1
    assert _block_after("### Các quy tắc kiểm tra chéo") == result.stderr.splitlines()[:4]
