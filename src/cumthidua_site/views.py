"""Derived, display-ready views of an edition: rankings, comparisons, table rows. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from .figures import Figure, Interval
from .formatting import compare, sort_key
from .model import Edition, Head, Province

PLAN = Interval(Decimal(100), Decimal(100))  # 100% of plan


@dataclass(frozen=True)
class ScoreRow:
    """One row of the score table: a province, or a rank the source leaves unnamed."""

    rank: Optional[Decimal]
    province: Optional[Province]


@dataclass(frozen=True)
class Compared:
    """A province's figure and the word that compares it with a reference."""

    province: Province
    figure: Figure
    word: Optional[str]


def by_name(provinces) -> list[Province]:
    """Provinces in Vietnamese alphabetical order (Đ after D)."""
    return sorted(provinces, key=lambda p: sort_key(p.name))


def ranked(edition: Edition) -> list[Province]:
    """Provinces with a known rank, best first."""
    return sorted((p for p in edition.members if p.rank.value is not None), key=lambda p: p.rank.value)


def at_rank(edition: Edition, rank: int) -> Optional[Province]:
    """The province at a rank, or None when the source does not name it."""
    return next((p for p in ranked(edition) if p.rank.value == rank), None)


def unnamed_ranks(edition: Edition) -> list[int]:
    """Ranks above the worst known one that no province holds (rank 3 in 2023)."""
    known = [int(p.rank.value) for p in ranked(edition)]
    return [r for r in range(1, max(known, default=0) + 1) if r not in known]


def unranked(edition: Edition) -> list[Province]:
    """Provinces whose rank the source does not give, alphabetically."""
    return by_name(p for p in edition.members if p.rank.value is None)


def score_rows(edition: Edition) -> list[ScoreRow]:
    """The score table: known ranks and unnamed gaps in order, then the unranked provinces."""
    rows = {int(p.rank.value): ScoreRow(p.rank.value, p) for p in ranked(edition)}
    rows.update({r: ScoreRow(Decimal(r), None) for r in unnamed_ranks(edition)})
    return [rows[r] for r in sorted(rows)] + [ScoreRow(None, p) for p in unranked(edition)]


def income_word(edition: Edition, province: Province) -> Optional[str]:
    """'cao hơn' or 'thấp hơn' the cluster's income per capita, when the certain intervals prove it."""
    return compare(province.income_per_capita.certain, edition.cluster.economy.income_per_capita.certain)


def income_rows(edition: Edition) -> list[Compared]:
    """Named provinces' income per capita against the cluster's, highest first."""
    named = [p for p in edition.members if p.income_per_capita.known]
    named.sort(key=lambda p: (-p.income_per_capita.value, sort_key(p.name)))
    return [Compared(p, p.income_per_capita, income_word(edition, p)) for p in named]


def poverty_rows(edition: Edition) -> list[Compared]:
    """Named provinces' poverty reduction against the plan, highest first."""
    named = [p for p in edition.members if p.poverty_reduction.known]
    named.sort(key=lambda p: (-p.poverty_reduction.value, sort_key(p.name)))
    return [Compared(p, p.poverty_reduction, versus_plan(p.poverty_reduction)) for p in named]


def poverty_others(edition: Edition) -> list[Province]:
    """Provinces the source does not name for poverty reduction ("các tỉnh còn lại")."""
    return by_name(p for p in edition.members if not p.poverty_reduction.known)


def versus_plan(fig: Figure) -> Optional[str]:
    """'vượt kế hoạch', 'chưa đạt kế hoạch', 'đạt kế hoạch', or None when the bound allows both."""
    span = fig.certain
    if span is None:
        return None
    if span.above(PLAN):
        return "vượt kế hoạch"
    if span.below(PLAN):
        return "chưa đạt kế hoạch"
    if span.lo == span.hi == PLAN.lo:
        return "đạt kế hoạch"
    return None


def head(edition: Edition, year: int) -> Optional[Head]:
    """The cluster head for a year, if the source names one."""
    return next((h for h in edition.cluster.heads if h.year == year), None)


def awards_of(edition: Edition, province: Province) -> list[str]:
    """Names of the awards proposed for a province."""
    awards = edition.cluster.awards
    return [a.name for a in (awards.government_flag, awards.pm_certificate) if province.name in a.provinces]
