"""Across the editions: a quantity year by year, a province's history. Pure.

A year's figure may come from two editions: edition N gives year N's exports and,
as "năm trước", year N-1's. The year's own edition is preferred; the checks make
sure the others agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .figures import Figure
from .formatting import sort_key
from .model import Change, Edition, Province


@dataclass(frozen=True)
class Given:
    """One edition's figure for one year of a quantity."""

    year: int
    edition: int
    field: str
    figure: Figure


@dataclass(frozen=True)
class Quantity:
    """A cluster-wide figure followed year by year: the fields that give it, and how far back each looks."""

    key: str
    label: str
    fields: tuple[tuple[str, int], ...]  # (field of Economy, year offset from the edition's year)


QUANTITIES = (
    Quantity("exports", "Kim ngạch xuất khẩu", (("exports", 0), ("exports_previous_year", -1))),
    Quantity("budget_revenue", "Thu ngân sách toàn cụm", (("budget_revenue", 0),)),
    Quantity("social_investment", "Tổng vốn đầu tư toàn xã hội", (("social_investment", 0),)),
    Quantity("grdp_growth", "Tăng trưởng kinh tế bình quân các tỉnh", (("grdp_growth", 0),)),
    Quantity("income_per_capita", "Thu nhập bình quân đầu người của cụm", (("income_per_capita", 0),)),
)


def given(editions: dict[int, Edition], quantity: Quantity) -> list[Given]:
    """Every known figure any edition gives for the quantity, by year, the year's own edition first."""
    found = [Given(year + offset, year, name, getattr(edition.cluster.economy, name))
             for year, edition in editions.items() for name, offset in quantity.fields
             if getattr(edition.cluster.economy, name).known]
    return sorted(found, key=lambda g: (g.year, g.edition != g.year, g.edition))


@dataclass(frozen=True)
class Point:
    year: int
    figure: Figure  # in the field's own unit, so that the years stand side by side
    edition: int  # the edition that gives it


def series(editions: dict[int, Edition], quantity: Quantity) -> list[Point]:
    """One figure per year, oldest first: the year's own edition's where it gives one."""
    points: dict[int, Point] = {}
    for g in given(editions, quantity):
        points.setdefault(g.year, Point(g.year, g.figure.in_own_unit(), g.edition))
    return [points[year] for year in sorted(points)]


@dataclass(frozen=True)
class Membership:
    """A province in one edition."""

    year: int
    edition: Edition
    province: Province


def province_names(editions: dict[int, Edition]) -> list[str]:
    """Every province that has been a member of any edition, alphabetically."""
    names = {name for edition in editions.values() for name in edition.provinces}
    return sorted(names, key=sort_key)


def history(editions: dict[int, Edition], name: str) -> list[Membership]:
    """The province in every edition it is a member of, oldest first."""
    return [Membership(year, edition, edition.provinces[name])
            for year, edition in sorted(editions.items()) if name in edition.provinces]


def change_of(editions: dict[int, Edition], name: str) -> Optional[Change]:
    """The latest merger the reference data records for the province."""
    for edition in editions.values():
        return edition.reference.change_of(name)
    return None
