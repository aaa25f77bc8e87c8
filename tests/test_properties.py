"""Property tests: whatever an editor (or a hostile file) does to valid YAML, the loader
answers with our own problems, never another exception, and never hangs."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cumthidua_site.build import run
from cumthidua_site.errors import Problem, SiteError
from cumthidua_site.loader import LocatedList, LocatedMap, load_yaml, parse_yaml
from conftest import DATA, TEMPLATES

FILES = ["site.yaml", "2023/cluster.yaml", "2023/provinces.yaml", "2023/article.md"]
TEXTS = {name: (DATA / name).read_text(encoding="utf-8") for name in FILES}
SYMBOLS = list(":-[]{},'\"#&*!|>%@`\t\n ") + ["Đ", "ơ", "ư", "ạ", "\u0301", "\u00a0", "\ufeff", "\x00",
                                           "{{", "}}", "{%", "---", "<script>", "98.000", "938,21"]
TOKENS = ['"x"', "[]", "{}", "-1", "1e9", "null", "true", "98.000", "1:2", "010", "no", "~", "''", "2024-13-01",
          "{qualifier: unknown}", "&a x", "*a", "!!str 1", "[[[[", '"', "{{ x }}", "999999999999999999999"]
NUMBER = re.compile(r"(?<![\w.])\d+(\.\d+)?(?![\w.])")


@st.composite
def mutated(draw, text: str) -> str:
    """A valid file after a few random edits of the kinds editors and tools make."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "swap-type", "duplicate", "swap-lines"]))
        lines = text.split("\n")
        if kind == "delete" and text:
            start = draw(st.integers(0, len(text) - 1))
            text = text[:start] + text[start + draw(st.integers(1, 40)):]
        elif kind == "insert":
            at = draw(st.integers(0, len(text)))
            piece = "".join(draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=4)))
            text = text[:at] + piece + text[at:]
        elif kind == "swap-type":
            numbers = list(NUMBER.finditer(text))
            if numbers:
                match = draw(st.sampled_from(numbers))
                text = text[:match.start()] + draw(st.sampled_from(TOKENS)) + text[match.end():]
        elif kind == "duplicate":
            i = draw(st.integers(0, len(lines) - 1))
            text = "\n".join(lines[:i + 1] + [lines[i]] + lines[i + 1:])
        elif kind == "swap-lines" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


def _only_located_values(value) -> bool:
    if isinstance(value, LocatedMap):
        return all(_only_located_values(v) for v in value.values())
    if isinstance(value, LocatedList):
        return all(_only_located_values(v) for v in value)
    return not isinstance(value, (dict, list, float))


@pytest.mark.timeout(300)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_loader_answers_any_edit_with_problems_only(data):
    name = data.draw(st.sampled_from(FILES[:3]))
    text = data.draw(mutated(TEXTS[name]))
    result, problems = parse_yaml(text, Path(name))
    assert all(isinstance(p, Problem) and p.message and p.location.path == Path(name) for p in problems)
    assert result is None or _only_located_values(result)


@pytest.mark.timeout(300)
@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_loader_answers_random_bytes_with_problems_only(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_bytes(raw)
        result, problems = load_yaml(path, Path(folder))
        assert all(isinstance(p, Problem) for p in problems)
        assert result is not None or problems


@pytest.mark.timeout(600)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_whole_pipeline_raises_only_our_errors(data):
    name = data.draw(st.sampled_from(FILES))
    text = data.draw(mutated(TEXTS[name]))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "data"
        shutil.copytree(DATA, copy)
        (copy / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            result = run(copy, templates=TEMPLATES)
        except SiteError as exc:  # our own error type is the only exception allowed
            assert exc.problems
            return
        assert result.problems or result.files
        assert all(isinstance(p, Problem) and p.location.path for p in result.problems)


@pytest.mark.timeout(60)
def test_alias_bombs_are_refused_at_once():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(20))
    data, problems = parse_yaml(bomb, Path("bomb.yaml"))
    assert problems and all("neo" in p.message or "bí danh" in p.message for p in problems)
    assert sum(1 for _ in problems) < 500  # one problem per anchor or alias, nothing expanded
