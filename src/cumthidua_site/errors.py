"""Locations, problems and the one exception family the generator raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Optional


class Level(str, Enum):
    """How serious a problem is; the value is what the terminal shows."""

    ERROR = "lỗi"
    WARNING = "cảnh báo"
    NOTE = "ghi chú"


@dataclass(frozen=True, order=True, slots=True)  # slots: a large archive holds hundreds of thousands
class Location:
    """A place in an input file; line and col are 1-based, 0 when unknown."""

    path: Path
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}"
        return str(self.path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, said in Vietnamese for an editor."""

    level: Level
    location: Location
    message: str
    hint: str = ""
    related: tuple[Location, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data, to carry a problem across a process boundary."""
        where = lambda loc: [str(loc.path), loc.line, loc.col]  # noqa: E731
        return {"level": self.level.value, "at": where(self.location), "message": self.message,
                "hint": self.hint, "related": [where(r) for r in self.related]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Problem":
        place = lambda triple: Location(Path(triple[0]), int(triple[1]), int(triple[2]))  # noqa: E731
        return cls(Level(data["level"]), place(data["at"]), str(data["message"]), str(data["hint"]),
                   tuple(place(r) for r in data["related"]))


def error(location: Location, message: str, hint: str = "", related=()) -> Problem:
    """An error: the data cannot be published as it is."""
    return Problem(Level.ERROR, location, message, hint, tuple(related))


def warning(location: Location, message: str, hint: str = "", related=()) -> Problem:
    """A warning: publishable, but probably not what the editor meant."""
    return Problem(Level.WARNING, location, message, hint, tuple(related))


def note(location: Location, message: str, hint: str = "") -> Problem:
    """A note: information only, never fatal, not even with --strict."""
    return Problem(Level.NOTE, location, message, hint)


class SiteError(Exception):
    """Base of every error an editor or user can cause; carries problems."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(f"{p.location}: {p.message}" for p in problems))
        self.problems = list(problems)


class UsageError(SiteError):
    """The command was called wrongly (a bad option or output folder)."""

    exit_code = 2


class ArticleError(Exception):
    """A mistake in an article expression an editor can fix; message and hint in Vietnamese.

    `needle` is text on the offending line the column should point at.
    """

    def __init__(self, message: str, hint: str = "", needle: Optional[str] = None):
        super().__init__(message)
        self.vi_message, self.hint, self.needle = message, hint, needle
