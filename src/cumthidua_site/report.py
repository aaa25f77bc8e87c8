"""Problems for people and machines: compiler-style Vietnamese text, or JSON."""

from __future__ import annotations

import json
import os
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import IO, Iterable

from .errors import Level, Location, Problem

_COLOURS = {Level.ERROR: "\033[1;31m", Level.WARNING: "\033[1;33m", Level.NOTE: "\033[1;36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def use_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def shown_path(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:  # abspath, not resolve: a symlink (even a loop) is shown as the user named it
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def where(location: Location) -> str:
    text = shown_path(location.path)
    return f"{text}:{location.line}:{location.col}" if location.line else text


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """By file, then line and column; problems without a line first in their file."""
    return sorted(problems, key=lambda p: (shown_path(p.location.path), p.location.line, p.location.col))


def format_text(problems: Iterable[Problem], colour: bool = False) -> str:
    """`path:line:col: lỗi: …` then `  gợi ý: …`, grouped by file with a blank line between."""
    blocks = []
    for _, group in groupby(ordered(problems), key=lambda p: shown_path(p.location.path)):
        lines = []
        for problem in group:
            level = problem.level.value
            head = where(problem.location)
            if colour:
                head, level = f"{_BOLD}{head}{_RESET}", f"{_COLOURS[problem.level]}{level}{_RESET}"
            lines.append(f"{head}: {level}: {problem.message}")
            if problem.hint:
                lines.append(f"  gợi ý: {problem.hint}")
            for other in problem.related:
                lines.append(f"  {_DIM if colour else ''}xem thêm: {where(other)}{_RESET if colour else ''}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def summary(problems: Iterable[Problem]) -> str:
    """'2 lỗi, 1 cảnh báo' (or 'không có lỗi')."""
    counts = Counter(p.level for p in problems)
    parts = [f"{counts[level]} {level.value}" for level in (Level.ERROR, Level.WARNING, Level.NOTE)
             if counts[level]]
    return ", ".join(parts) if parts else "không có lỗi"


def format_json(problems: Iterable[Problem]) -> str:
    """Machine-readable problems, one object each, in file order."""
    def one(p: Problem) -> dict:
        return {"level": {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "note"}[p.level],
                "file": shown_path(p.location.path), "line": p.location.line, "col": p.location.col,
                "message": p.message, "hint": p.hint,
                "related": [{"file": shown_path(r.path), "line": r.line, "col": r.col} for r in p.related]}
    problems = ordered(problems)
    return json.dumps({"problems": [one(p) for p in problems], "summary": summary(problems)},
                      ensure_ascii=False, indent=2)
