"""Locations, problems and the one exception family the generator raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Level(str, Enum):
    """How serious a problem is; the value is what the terminal shows."""

    ERROR = "lỗi"
    WARNING = "cảnh báo"
    NOTE = "ghi chú"


@dataclass(frozen=True, order=True)
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
