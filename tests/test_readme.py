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
    quick = README[README.index("## Bắt đầu nhanh"):README.index("## Site map")]
    commands = re.findall(r"^make \w+", quick, flags=re.M)
    assert commands == ["make build", "make test"]


def test_error_example_is_what_an_editor_sees(project):
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", 'score: {value: "938,21",')
    result = cli("build", cwd=project)
    assert result.returncode == 1
    assert _block_after("### Khi có lỗi") == result.stderr.splitlines()


def test_cross_check_example_is_what_an_editor_sees(project):
    edit(project / "data/2023/cluster.yaml", "exports_growth: {value: 6.79,", "exports_growth: {value: 16.79,")
    assert cli("check", cwd=project).returncode == 0  # a warning only…
    result = cli("check", "--strict", cwd=project)
    assert result.returncode == 1  # …which --strict makes fatal
    assert _block_after("### Các quy tắc kiểm tra chéo") == result.stderr.splitlines()[:4]


def test_everything_an_article_can_use_is_listed_in_the_readme():
    from cumthidua_site import sandbox
    from cumthidua_site.article import article_context
    from cumthidua_site.dataset import load_dataset
    from conftest import DATA
    section = README[README.index("### Viết bài"):README.index("### An toàn")]
    dataset, _ = load_dataset(DATA)
    names = set(article_context(dataset, {})) | set(sandbox.OUR_FILTERS) | set(sandbox.JINJA_FILTER_NAMES)
    names |= {name for name in sandbox.TESTS if name.isidentifier()}
    missing = sorted(name for name in names if f"`{name}" not in section)
    assert missing == []
    assert set(sandbox.FILTERS) == set(sandbox.OUR_FILTERS) | set(sandbox.JINJA_FILTER_NAMES)


def test_the_exit_codes_are_documented():
    from cumthidua_site import cli
    table = README[README.index("- Exit status:"):README.index("Make targets")]
    for code in (cli.EXIT_OK, cli.EXIT_DATA, cli.EXIT_USAGE, cli.EXIT_BUSY, cli.EXIT_BUG, 130):
        assert f"| {code} |" in table


def test_typed_figure_example_is_what_an_editor_sees(project):
    edit(project / "data/2023/article.md", "## Giảm nghèo", "Sóc Trăng đạt 938,21 điểm.\n\n## Giảm nghèo")
    result = cli("check", cwd=project)
    assert result.returncode == 1
    shown = _block_after("Một chữ số gõ tay trong lời bài")
    strip = lambda line: re.sub(r"^data/2023/article\.md:\d+:\d+: ", "", line)  # noqa: E731
    assert [strip(line) for line in shown] == [strip(line) for line in result.stderr.splitlines()[:2]]


def test_disagreeing_sources_example_is_what_an_editor_sees(project):
    from test_sources import _drop_resolution
    _drop_resolution(project, "exports")
    result = cli("check", cwd=project)
    assert result.returncode == 1
    assert _block_after("chỉ rõ từng cặp") == result.stderr.splitlines()[:6]


def _table_messages(heading: str) -> list[str]:
    """The messages quoted in the first column of the table under `heading`."""
    section = README[README.index(heading):]
    section = section[:section.index("\n### ", 1)]
    return re.findall(r"^\| `([^`]+)`", section, flags=re.M)


def test_every_multi_year_message_in_the_readme_is_real(editions_project):
    """Each message the README explains under “Các cảnh báo về nhiều năm” is one the program prints
    (“…” stands for the figures of the case)."""
    data = editions_project / "data"
    said = cli("new-edition", "2026", "--data", str(data)).stderr
    assert cli("new-edition", "2024", "--data", str(data)).returncode == 0
    said += cli("check", "--data", str(data)).stderr
    # the draft 2024 names a head for 2024 other than 2023's; a 2022 edition disagrees with 2023
    edit(data / "2024/cluster.yaml", "sources: {}", 'sources: {kt: {publisher: "Báo X", title: "T", url: "https://x.vn/a"}}\n'
         'heads: [{year: 2024, province: "An Giang", source: kt}]')
    assert cli("new-edition", "2022", "--data", str(data)).returncode == 0
    edit(data / "2022/cluster.yaml", "sources: {}",
         'sources: {bao-kien-giang: {publisher: "Báo Kiên Giang", title: "Bài khác", url: "https://x.vn/b"}}\n'
         "economy: {exports: {value: 20, qualifier: exact, source: bao-kien-giang}}")
    said += cli("check", "--data", str(data)).stderr
    (data / "2025").mkdir()
    for name in ("cluster.yaml", "provinces.yaml", "article.md"):
        (data / "2025" / name).write_bytes((data / "2023" / name).read_bytes())
    said += cli("check", "--data", str(data)).stderr
    (data / "2025/cluster.yaml").unlink()
    (data / "2025/provinces.yaml").unlink()
    (data / "2025/article.md").unlink()
    (data / "2025").rmdir()
    edit(data / "2026/provinces.yaml", '"An Giang": {}', '"Kiên Giang": {}')
    said += cli("check", "--data", str(data)).stderr
    messages = _table_messages("### Các cảnh báo về nhiều năm")
    assert len(messages) == 8
    for message in messages:
        pattern = ".*?".join(re.escape(part) for part in message.split("…"))
        assert re.search(pattern, said), message


def test_correction_example_is_what_an_editor_sees(project):
    assert cli("publish", cwd=project).returncode == 0
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    result = cli("check", cwd=project)
    assert result.returncode == 1
    said = [re.sub(r"\d+/\d+/\d{4}|\d{4}-\d\d-\d\d", "DATE", line) for line in result.stderr.splitlines()
            if line.strip()]
    shown = [re.sub(r"\d+/\d+/\d{4}|\d{4}-\d\d-\d\d", "DATE", line)
             for line in _block_after("### Đính chính: sửa một con số đã đăng")]
    assert said[:len(shown)] == shown
