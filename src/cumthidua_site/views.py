"""Derived, display-ready views of an edition: rankings, comparisons, table rows. Pure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Optional

from .figures import Comparison, Figure, Interval, compare, walk
from .formatting import comparison_word, plan_word, sort_key
from .model import Change, Edition, Head, Province, ProvinceList

PLAN = Interval(Decimal(100), Decimal(100))  # 100% of plan


@dataclass(frozen=True)
class ScoreRow:
    """One row of the score table: a province, or a rank the source leaves unnamed."""

    rank: Optional[Decimal]
    province: Optional[Province]


@dataclass(frozen=True)
class Compared:
    """A province's figure and what it proves against a reference (the cluster's average, the plan)."""

    province: Province
    figure: Figure
    comparison: Comparison
    against_plan: bool = False

    @property
    def word(self) -> Optional[str]:
        """The Vietnamese words, chosen here, at the edge."""
        return plan_word(self.comparison) if self.against_plan else comparison_word(self.comparison)


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


def income_comparison(edition: Edition, province: Province) -> Comparison:
    """A province's income per capita against the cluster's, as far as the certain intervals prove."""
    return compare(province.income_per_capita.certain, edition.cluster.economy.income_per_capita.certain)


def income_rows(edition: Edition) -> list[Compared]:
    """Named provinces' income per capita against the cluster's, highest first."""
    named = [p for p in edition.members if p.income_per_capita.known]
    named.sort(key=lambda p: (-p.income_per_capita.value, sort_key(p.name)))
    return [Compared(p, p.income_per_capita, income_comparison(edition, p)) for p in named]


def poverty_rows(edition: Edition) -> list[Compared]:
    """Named provinces' poverty reduction against the plan, highest first."""
    named = [p for p in edition.members if p.poverty_reduction.known]
    named.sort(key=lambda p: (-p.poverty_reduction.value, sort_key(p.name)))
    return [Compared(p, p.poverty_reduction, versus_plan(p.poverty_reduction), against_plan=True) for p in named]


def poverty_others(edition: Edition) -> list[Province]:
    """Provinces the source does not name for poverty reduction ("các tỉnh còn lại")."""
    return by_name(p for p in edition.members if not p.poverty_reduction.known)


def versus_plan(fig: Figure) -> Comparison:
    """A share of the plan against 100%: above, below, exactly on it, or not proven either way."""
    return compare(fig.certain, PLAN)


def head(edition: Edition, year: int) -> Optional[Head]:
    """The cluster head for a year, if the source names one."""
    return next((h for h in edition.cluster.heads if h.year == year), None)


def awards_of(edition: Edition, province: Province) -> list[str]:
    """Names of the awards proposed for a province."""
    return [a.name for a in award_lists(edition) if province.name in a.provinces]


def award_lists(edition: Edition) -> list[ProvinceList]:
    """The award proposals an edition records (none when its sources give none)."""
    awards = edition.cluster.awards
    return [] if awards is None else [awards.government_flag, awards.pm_certificate]


# --- attribution -------------------------------------------------------------------

def main_source(edition: Edition) -> str:
    """The edition's first source: the report the site is built from; others are marked."""
    return next(iter(edition.cluster.sources), "")


def source_ids(edition: Edition, *things: object) -> list[str]:
    """Every source the given figures and facts name, in the order sources.yaml declares them."""
    found: set[str] = set()
    for thing in things:
        _collect(thing, found)
    return [key for key in edition.sources if key in found]


def _collect(thing: object, found: set[str]) -> None:
    # not a closure calling itself: that is a reference cycle left to the cyclic collector (`figures._visit`)
    if isinstance(thing, Figure):
        found.update(thing.sources if thing.known else ())
    elif isinstance(thing, (list, tuple)):
        for item in thing:
            _collect(item, found)
    elif hasattr(thing, "source"):
        value = getattr(thing, "source")
        found.update((value,) if isinstance(value, str) else value or ())


def kept(cache: dict, edition: Edition, make: Callable[[Edition], Any], most: int = 512) -> Any:
    """`make(edition)`, made once per edition object and kept by its identity (holding the edition
    keeps its id from being reused) for the editions of the last build (`most`: an archive's;
    `keep_only` drops the editions a build no longer has)."""
    hit = cache.get(id(edition))
    if hit is None or hit[0] is not edition:
        hit = cache[id(edition)] = (edition, make(edition))
        while len(cache) > most:
            del cache[next(iter(cache))]
    return hit[1]


def keep_only(cache: dict, editions) -> None:
    """Forget what was kept for editions other than these (serve: the objects of earlier saves)."""
    current = {id(edition): edition for edition in editions}
    for key in [key for key, (edition, _) in cache.items() if current.get(key) is not edition]:
        del cache[key]


def used_sources(edition: Edition) -> list[str]:
    """Every source any figure or fact of the edition names (a figure's through its claims)."""
    return list(kept(_USED, edition, _used_sources))  # the whole model is walked once per edition


def _used_sources(edition: Edition) -> list[str]:
    owners = [owner for model in (edition.cluster, *edition.members)
              for owner, name, _ in walk(model) if name == "source"]
    return source_ids(edition, owners)


_USED: dict[int, tuple[Edition, list[str]]] = {}


def digests(edition: Edition) -> tuple[str, dict[str, str]]:
    """Hashes of what an edition says: of all but its provinces (the cluster, the reference
    data), and of each province by name. Fields only, not where they were written: an edit that
    moves lines changes no hash. Made once per edition object (serve keeps unchanged editions)."""
    return kept(_DIGESTS, edition, _digests)


def _digests(edition: Edition) -> tuple[str, dict[str, str]]:
    def sha(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    return (sha(edition.model_dump_json(exclude={"provinces"}, warnings=False)),
            {name: sha(f"{name}\x00{province.model_dump_json(warnings=False)}")  # two unknown provinces are not one
             for name, province in edition.provinces.items()})


_DIGESTS: dict[int, tuple[Edition, tuple[str, dict[str, str]]]] = {}


def changes(edition: Edition) -> list[Change]:
    """The recorded changes that concern the edition's members, in the order recorded."""
    return [c for c in edition.reference.changes if any(name in edition.provinces for name in c.parts)]


def table_sources(edition: Edition) -> dict[str, list[str]]:
    """The sources of each table's (and chart's) figures and facts."""
    cluster, members = edition.cluster, edition.members
    return {
        "scores": source_ids(edition, [p.rank for p in members], [p.score for p in members]),
        "income": source_ids(edition, [p.income_per_capita for p in members], cluster.economy.income_per_capita),
        "poverty": source_ids(edition, [p.poverty_reduction for p in members], cluster.poverty.others_reduction),
        "new_countryside": source_ids(edition, cluster.new_countryside or ()),
        "awards": source_ids(edition, award_lists(edition)),
        "heads": source_ids(edition, cluster.heads),
    }


def province_sources(edition: Edition, province: Province) -> list[str]:
    """The sources of what a province page says."""
    cluster = edition.cluster
    return source_ids(edition, province.rank, province.score, province.income_per_capita, province.poverty_reduction,
                      cluster.economy.income_per_capita, cluster.poverty.others_reduction, cluster.member_count,
                      [a for a in award_lists(edition) if province.name in a.provinces],
                      [h for h in cluster.heads if h.province == province.name],
                      [lst for lst in (cluster.new_countryside, cluster.economy.exports_met_plan)
                       if lst is not None and province.name in lst.provinces],
                      [n for n in (cluster.economy.fastest_growth,) if n is not None and n.province == province.name],
                      cluster.conference if hosted(edition, province) else (),
                      edition.reference.change_of(province.name) or ())


def hosted(edition: Edition, province: Province) -> bool:
    """Whether the edition's review conference met in this province."""
    return edition.cluster.conference is not None and edition.cluster.conference.place == province.name


def resolutions(edition: Edition) -> list[tuple[str, Figure]]:
    """(label, figure) of every figure whose sources disagree and whose resolution the data records."""
    found = []
    for name, info in type(edition.cluster.economy).model_fields.items():
        fig = getattr(edition.cluster.economy, name)
        if isinstance(fig, Figure) and fig.resolution is not None:
            found.append(((info.title or name)[:1].upper() + (info.title or name)[1:], fig))
    return found
