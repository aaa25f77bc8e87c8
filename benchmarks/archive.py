"""A synthetic project in our own format, for build benchmarks at scale.

`python benchmarks/archive.py OUT [--scale N] [--seed S]` writes OUT/data/: a site, its own
reference provinces (about 70 invented names, one merger in 2025) and 20 × N yearly editions
ending in 2025, each a cluster of about 60 members with sources, figures and an article.
Every figure is drawn from one invented "truth" per year, and every source states it in a
way that truth makes right (exactly, "trên", "gần", "khoảng"…), so the editions pass
`check --strict`; the few disagreements between sources are deliberate and resolved.
Same scale and seed, same bytes. `generate()` is what a benchmark imports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
LIVE_DATA = ROOT / "data"
LAST_YEAR = 2025
YEARS_AT_1X = 20
FIRST_POSSIBLE_YEAR = 1000  # edition folders are four digits (dataset.YEAR_DIR)
MERGER_DAY = dt.date(2025, 7, 1)
EXIT_USAGE = 2
SYNTHETIC = "nguồn giả định, sinh tự động cho bộ số liệu thử tốc độ"

# --- names -----------------------------------------------------------------------------

FIRST_SYLLABLES = ("An", "Bình", "Phú", "Tân", "Hòa", "Long", "Thạnh", "Mỹ", "Phước", "Vĩnh", "Đông", "Tây",
                   "Hưng", "Châu", "Kim", "Gia", "Hải", "Quảng", "Thanh", "Xuân", "Lạc", "Định", "Cát", "Trà")
SECOND_SYLLABLES = ("Giang", "Sơn", "Điền", "Thủy", "Lộc", "Hiệp", "Thịnh", "Khánh", "Thuận", "Lợi", "Đức",
                    "Hậu", "Thới", "Ninh", "Lâm", "Hội", "Phong", "Nguyên", "Xuyên", "Quới", "Hưng", "An",
                    "Bình", "Phú", "Hòa", "Tân", "Long", "Mỹ")
# Real provinces these syllables can spell: the archive is invented and must not look like real data.
REAL_NAMES = frozenset({
    "An Giang", "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Hà Nam", "Hải Dương", "Hậu Giang",
    "Hòa Bình", "Long An", "Ninh Bình", "Ninh Thuận", "Phú Yên", "Phú Thọ", "Quảng Nam", "Quảng Ninh",
    "Quảng Bình", "Tây Ninh", "Tiền Giang", "Vĩnh Long", "Vĩnh Phúc", "Kiên Giang", "Thanh Hóa",
    "Khánh Hòa", "Hưng Yên", "Gia Lai", "Lâm Đồng", "Bắc Giang", "Thái Bình", "Trà Vinh"})
REGIONS = ("Đồng bằng Châu Thổ", "Duyên hải Đông Nam", "Trung du Sông Lam", "Cao nguyên Phía Tây")
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
                "Dương", "Lý", "Trương", "Phan")
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Đức", "Hoàng", "Thu", "Kim", "Công")
GIVEN_NAMES = ("Hùng", "Lan", "Hải", "Dũng", "Hương", "Tâm", "Phúc", "Khang", "Bình", "Nga", "Trung",
               "Thảo", "Vy", "Khoa", "Tùng", "Sơn", "Hạnh", "Quân", "Yến", "Thắng", "Nhung", "Lực")
OUTLETS = ("Nhật báo Châu Thổ", "Thời báo Kinh tế Vùng", "Bản tin Thi đua Vùng", "Tuần báo Nhịp Sống Mới")


def fold(name: str) -> str:
    """A name as its address: no diacritics, đ as d, lower case, hyphens ("Đông Hòa" -> "dong-hoa")."""
    bare = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "-".join("".join(ch for ch in bare if not unicodedata.combining(ch)).lower().split())


def place_names(rng: random.Random, count: int) -> list[str]:
    """`count` invented province names, NFC, none real, no two with the same address."""
    pool = [f"{a} {b}" for a in FIRST_SYLLABLES for b in SECOND_SYLLABLES if a != b]
    rng.shuffle(pool)
    names, slugs = [], set()
    for name in pool:
        name = unicodedata.normalize("NFC", name)
        if name in REAL_NAMES or fold(name) in slugs:
            continue
        names.append(name)
        slugs.add(fold(name))
        if len(names) == count:
            return names
    raise ValueError(f"only {len(names)} names available")


def full_name(rng: random.Random) -> str:
    """A person's name as a report gives it ("Nguyễn Văn Hùng")."""
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def pen_name(rng: random.Random) -> str:
    """A byline as provincial papers print it: two given names ("Minh Khoa")."""
    return f"{rng.choice(MIDDLE_NAMES[2:])} {rng.choice(GIVEN_NAMES)}"


def initials(name: str) -> str:
    return "".join(word[0].upper() for word in name.split())


def roman(number: int) -> str:
    """A party congress's number as written ("XIII")."""
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out, number = out + letters, number - value
    return out


# --- numbers ---------------------------------------------------------------------------

def dec(value: Decimal | int) -> str:
    """A number as our loader reads it: plain digits, a dot, no exponent, no trailing zeros."""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _to(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).to_integral_value(rounding=rounding) * step


def floor_to(value: Decimal, step: Decimal) -> Decimal:
    return _to(value, step, ROUND_FLOOR)


def ceil_to(value: Decimal, step: Decimal) -> Decimal:
    return _to(value, step, ROUND_CEILING)


def round_to(value: Decimal, step: Decimal) -> Decimal:
    return _to(value, step, ROUND_HALF_UP)


def ratio_percent(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole in percent, rounded as a newsroom rounds it (two decimals, half up)."""
    return round_to(part / whole * 100, Decimal("0.01"))


def change_percent(now: Decimal, before: Decimal) -> Decimal:
    return round_to((now / before - 1) * 100, Decimal("0.01"))


def uniform(rng: random.Random, lo: float, hi: float, step: str) -> Decimal:
    return round_to(Decimal(repr(rng.uniform(lo, hi))), Decimal(step))


# --- YAML text -----------------------------------------------------------------------------

def q(text: str) -> str:
    """A double-quoted YAML scalar (JSON strings are YAML): always text, never a number or a date."""
    return json.dumps(unicodedata.normalize("NFC", text), ensure_ascii=False)


def ids(sources: tuple[str, ...]) -> str:
    return sources[0] if len(sources) == 1 else "[" + ", ".join(sources) + "]"


def names_list(names: list[str]) -> str:
    return "[" + ", ".join(q(n) for n in names) + "]"


@dataclass(frozen=True)
class Claim:
    """What one source says of a figure, as the editor writes it."""

    value: Decimal
    qualifier: str
    source: str
    to: Optional[Decimal] = None
    above: bool = False  # "vượt X% kế hoạch": written `above: X`
    unit: str = ""  # "triệu USD": the value is in that unit
    measures: str = ""

    def yaml(self) -> str:
        if self.above:
            parts = [f"above: {dec(self.value - 100)}"]
        elif self.unit:
            parts = [f"value: {dec(self.value * 1000)}", f"unit: {q(self.unit)}"]
        else:
            parts = [f"value: {dec(self.value)}"]
        if self.to is not None:
            parts.append(f"to: {dec(self.to)}")
        parts += [f"qualifier: {self.qualifier}", f"source: {self.source}"]
        if self.measures:
            parts.append(f"measures: {q(self.measures)}")
        return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True)
class Fig:
    """A figure: one claim, several that agree, or several that do not and a resolution."""

    claims: tuple[Claim, ...]
    stands: str = ""
    note: str = ""

    def yaml(self, key: str, indent: int) -> str:
        pad = " " * indent
        if len(self.claims) == 1 and not self.stands:
            return f"{pad}{key}: {self.claims[0].yaml()}\n"
        if not self.stands:
            return f"{pad}{key}:\n" + "".join(f"{pad}  - {c.yaml()}\n" for c in self.claims)
        return (f"{pad}{key}:\n{pad}  claims:\n" + "".join(f"{pad}    - {c.yaml()}\n" for c in self.claims)
                + f"{pad}  resolution:\n{pad}    stands: {self.stands}\n{pad}    note: {q(self.note)}\n")


# How a source puts a true value: weights of exact, over ("trên"), nearly ("gần"), about ("khoảng"),
# at_least ("từ … trở lên"). Each reading is true of the value, conventionally too (README).
PLAIN = (8, 0, 0, 0, 0)
MOSTLY_EXACT = (7, 2, 1, 0, 0)
ROUNDED = (3, 4, 2, 1, 0)


def stated(rng: random.Random, truth: Decimal, step: Decimal, source: str, weights=MOSTLY_EXACT,
           above: bool = False) -> Claim:
    """A claim that `truth` makes right, rounded to `step` when the source rounds."""
    kind = rng.choices(("exact", "over", "nearly", "about", "at_least"), weights)[0]
    if kind == "over" and floor_to(truth, step) < truth and floor_to(truth, step) > 0:
        return Claim(floor_to(truth, step), "over", source, above=above and floor_to(truth, step) > 100)
    if kind == "nearly" and ceil_to(truth, step) > truth:
        return Claim(ceil_to(truth, step), "nearly", source)
    if kind == "about" and round_to(truth, step) > 0:
        return Claim(round_to(truth, step), "about", source)
    if kind == "at_least" and floor_to(truth, step) > 0:
        return Claim(floor_to(truth, step), "at_least", source, above=above and floor_to(truth, step) > 100)
    return Claim(truth, "exact", source, above=above and truth > 100)


def agreeing(rng: random.Random, truth: Decimal, step: Decimal, sources: list[str], weights=MOSTLY_EXACT,
             above: bool = False) -> Fig:
    """A figure given by one source, or by two that agree (often word for word)."""
    first = stated(rng, truth, step, sources[0], weights, above)
    if len(sources) < 2 or rng.random() < 0.6:
        return Fig((first,))
    second = (Claim(first.value, first.qualifier, sources[1], above=first.above) if rng.random() < 0.6
              else stated(rng, truth, step, sources[1], weights, above))
    return Fig((first, second))


# --- the world: provinces, membership, heads and the true figures of every year ---------------

@dataclass
class World:
    """Everything that holds across editions, so that editions agree with one another."""

    seed: int
    years: list[int]
    region: str
    names: list[str]  # the reference list, in the order editions list their members
    mergers: list[tuple[str, list[str]]]  # (into, parts), since MERGER_DAY
    core: list[str]  # members every year, never merged: heads come from here
    members: dict[int, list[str]]
    heads: dict[int, str]
    leaders: dict[int, tuple[str, str]]  # the head's leader and role, by year
    strength: dict[str, float]  # emulation strength: the same provinces tend to lead
    wealth: dict[str, float]
    economy: dict[int, dict[str, Decimal]]  # the cluster's true figures, by year (one before the first)

    @property
    def short_name(self) -> str:
        return f"Cụm thi đua {self.region}"

    @property
    def name(self) -> str:
        return f"Cụm thi đua các tỉnh vùng {self.region}"


GROWTH_FROM = LAST_YEAR - YEARS_AT_1X + 1  # levels grow from this year on, and stay level before it


def _baseline(lo: float, hi: float, t: float) -> float:
    """A level that grows from lo (GROWTH_FROM and before) to hi (LAST_YEAR)."""
    return lo * (hi / lo) ** t


def _economy(rng: random.Random, years: list[int]) -> dict[int, dict[str, Decimal]]:
    """Cluster-wide truths by calendar year, the year before the first included."""
    # By calendar year, not by position in the archive: two editions or two hundred, a year's
    # level is the same, and a 200-year archive wobbles around its early levels instead of growing.
    out: dict[int, dict[str, Decimal]] = {}
    for year in [years[0] - 1] + years:
        t = max(year - GROWTH_FROM, 0) / (LAST_YEAR - GROWTH_FROM)
        wobble = lambda: math.exp(rng.gauss(0, 0.04))  # noqa: E731
        exports = Decimal(round(_baseline(9_000, 34_000, t) * wobble())) / 1000  # tỷ USD, to the million
        budget = Decimal(round(_baseline(70_000, 260_000, t) * wobble()))
        out[year] = {
            "exports": exports,
            "exports_plan": round_to(exports * Decimal(repr(rng.uniform(0.92, 1.06))), Decimal("0.1")),
            "budget_revenue": budget,
            "budget_estimate": round_to(budget * Decimal(repr(rng.uniform(0.86, 1.02))), Decimal(100)),
            "budget_plan": round_to(budget * Decimal(repr(rng.uniform(0.9, 1.05))), Decimal(100)),
            "social_investment": Decimal(round(_baseline(180_000, 720_000, t) * wobble())),
            "social_plan": Decimal(round(_baseline(190_000, 740_000, t) * wobble())),
            "grdp_growth": uniform(rng, 4.2, 9.4, "0.01"),
            "national_grdp_growth": uniform(rng, 5.0, 7.2, "0.01"),
            "income_base": Decimal(repr(_baseline(48, 86, t))),
        }
    return out


def _membership(rng: random.Random, names: list[str], fixed: list[str], years: list[int],
                mergers: list[tuple[str, list[str]]]) -> dict[int, list[str]]:
    """Each year's members: the fixed ones and a few of the rest, changing slightly from year to year."""
    rotating = [n for n in names if n not in fixed]
    inside = set(rng.sample(rotating, 8))
    members = {}
    for year in years:
        if rng.random() < 0.35:
            out, into = rng.choice(sorted(inside)), rng.choice(sorted(set(rotating) - inside))
            inside = (inside - {out}) | {into}
        if rng.random() < 0.15 and len(inside) > 6:
            inside -= {rng.choice(sorted(inside))}
        elif rng.random() < 0.15:
            inside |= {rng.choice(sorted(set(rotating) - inside))}
        chosen = set(fixed) | inside
        if year >= MERGER_DAY.year:
            gone = {part for _, parts in mergers for part in parts}
            chosen = (chosen - gone) | {into for into, _ in mergers}
        members[year] = [n for n in names + [i for i, _ in mergers if i not in names] if n in chosen]
    return members


def make_world(seed: int, years: list[int]) -> World:
    """The provinces, who is a member and who heads the cluster each year, and every year's truths."""
    rng = random.Random(f"world:{seed}")
    names = place_names(rng, 72)
    reference, spare = names[:70], names[70:]
    parts = reference[:5]  # A+B -> A keeps its name; C+D+E -> a new name
    mergers = [(parts[0], parts[:2]), (spare[0], parts[2:5])]
    core = reference[5:52]
    fixed = core + parts
    heads_order = core[:]
    rng.shuffle(heads_order)
    head_years = years + [years[-1] + 1]
    heads = {year: heads_order[(year - years[0]) % len(heads_order)] for year in head_years}
    leaders = {year: (full_name(rng), rng.choice(("Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh",
                                                     "Bí thư Tỉnh ủy"))) for year in head_years}
    order = reference[:]
    rng.shuffle(order)
    return World(seed, years, rng.choice(REGIONS), order, mergers, core,
                 _membership(rng, order, fixed, years, mergers), heads, leaders,
                 {n: rng.gauss(0, 1) for n in reference + spare}, {n: rng.gauss(0, 1) for n in reference + spare},
                 _economy(rng, years))


# --- one edition ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """A report the figures come from, as cluster.yaml declares it."""

    key: str
    publisher: str
    short: str
    title: str
    authors: tuple[str, ...] = ()
    url: str = ""
    published: Optional[dt.date] = None
    published_note: str = ""
    number: str = ""

    def yaml(self) -> str:
        lines = [f"  {self.key}:", f"    publisher: {q(self.publisher)}"]
        if self.short:
            lines.append(f"    short: {q(self.short)}")
        lines += [f"    title: {q(self.title)}", f"    authors: {names_list(list(self.authors))}"]
        if self.published:
            lines.append(f"    published: {self.published.isoformat()}")
        if self.published_note:
            lines.append(f"    published_note: {q(self.published_note)}")
        if self.number:
            lines.append(f"    number: {q(self.number)}")
        if self.url:
            lines.append(f"    url: {q(self.url)}")
        lines.append(f"    note: {q(SYNTHETIC)}")
        return "\n".join(lines) + "\n"


@dataclass
class Province:
    """One member's figures in one edition."""

    name: str
    rank: Optional[Fig] = None
    score: Optional[Fig] = None
    income: Optional[Fig] = None
    poverty: Optional[Fig] = None


@dataclass
class Edition:
    """One year: its sources, its figures, and what its article can say."""

    world: World
    year: int
    rng: random.Random
    members: list[str]
    sources: list[Source] = field(default_factory=list)
    provinces: dict[str, Province] = field(default_factory=dict)
    economy: dict[str, Fig] = field(default_factory=dict)
    featured: str = ""  # the main source's own province, when ranked
    ranked: int = 0  # how many ranks the sources give (the first `ranked`, less `hidden`)
    hidden: int = 0  # a rank no source names
    truth_scores: dict[str, Decimal] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # members by true score, best first
    blocks: dict[str, str] = field(default_factory=dict)  # cluster.yaml's parts, written in planning
    has_income: bool = False
    has_poverty: bool = False
    has_awards: bool = False
    has_countryside: bool = False
    has_excluded: bool = False
    has_context: bool = False
    has_directive: bool = False
    has_preparation: bool = False
    resolved: list[str] = field(default_factory=list)  # figures whose sources disagree (and are resolved)
    unknown_written: bool = False  # unknown figures written {qualifier: unknown}, or left out

    @property
    def ids(self) -> list[str]:
        """The edition's source ids, the main one first."""
        return [s.key for s in self.sources]

    def some(self, count: int) -> list[str]:
        """The main source and `count - 1` others, at random."""
        others = self.ids[1:]
        return [self.ids[0]] + self.rng.sample(others, min(count - 1, len(others)))

    def any_source(self) -> str:
        """One of the first three sources, for a figure only one of them gives."""
        return self.rng.choice(self.ids[:3])


def _sources(ed: Edition) -> list[Source]:
    """The main source (the featured province's paper), then two to four others."""
    rng, year, w = ed.rng, ed.year, ed.world
    after = dt.date(year + 1, rng.randint(2, 4), rng.randint(1, 28))
    main = Source(f"bao-{fold(ed.featured)}-{year}", f"Báo {ed.featured}", "B" + initials(ed.featured),
                  rng.choice((f"{ed.featured} trong bảng xếp hạng {w.short_name} năm {year}",
                              f"Tổng kết giao ước thi đua năm {year} của {w.short_name}",
                              f"{w.short_name}: nhìn lại một năm thi đua {year}")),
                  tuple(pen_name(rng) for _ in range(rng.randint(1, 2))),
                  f"https://bao{fold(ed.featured).replace('-', '')}.example/thoi-su/tong-ket-thi-dua-{year}-{rng.randint(10000, 99999)}.html",
                  published=after)
    outlet = rng.choice(OUTLETS)
    others = [
        Source(f"{fold(outlet)}-{year}", outlet, initials(outlet),
               f"{len(ed.members)} tỉnh vùng {w.region} ký giao ước thi đua năm {year + 1}",
               tuple(pen_name(rng) for _ in range(rng.randint(0, 2))),
               f"https://{fold(outlet).replace('-', '')}.example/xa-hoi/giao-uoc-thi-dua-{year + 1}-post{rng.randint(100000, 999999)}.html",
               published_note=f"tháng {after.month}/{after.year}"),
        Source(f"ubnd-{fold(w.heads[year])}-{year}", f"Ủy ban nhân dân tỉnh {w.heads[year]}", "UBND",
               f"Báo cáo tổng kết công tác thi đua, khen thưởng năm {year} của {w.short_name}",
               number=f"{rng.randint(12, 480)}/BC-UBND", published=after - dt.timedelta(days=rng.randint(3, 20))),
    ]
    other_province = rng.choice([m for m in w.core if m not in (ed.featured, w.heads[year])])
    others.append(Source(f"ptth-{fold(other_province)}-{year}", f"Đài Phát thanh và Truyền hình {other_province}",
                         "PTTH " + initials(other_province),
                         f"Công bố kết quả thi đua năm {year} của {w.short_name}", (pen_name(rng),),
                         f"https://ptth{fold(other_province).replace('-', '')}.example/tin-tuc/{year}/ket-qua-thi-dua.html",
                         published=after))
    portal = rng.choice([m for m in w.core if m not in (ed.featured, w.heads[year], other_province)])
    others.append(Source(f"cong-{fold(portal)}-{year}", f"Cổng thông tin điện tử tỉnh {portal}", "",
                         f"Hội nghị tổng kết giao ước thi đua năm {year}",
                         url=f"https://{fold(portal).replace('-', '')}.example/tin-tuc/hoi-nghi-tong-ket-{year}.html",
                         published_note=f"đầu năm {year + 1}"))
    rng.shuffle(others)
    return [main] + others[:rng.randint(2, 4)]


def _scores(ed: Edition) -> dict[str, Decimal]:
    """Every member's true score, distinct, 880–960 points, the strong ones ahead."""
    rng, taken, out = ed.rng, set(), {}
    for name in ed.members:
        hundredths = int(round((920 + 11 * ed.world.strength[name] + rng.gauss(0, 5)) * 100))
        hundredths = min(max(hundredths, 88000), 96000)
        while hundredths in taken:
            hundredths += 1
        taken.add(hundredths)
        out[name] = Decimal(hundredths) / 100
    return out


def _reveal(ed: Edition) -> None:
    """Which ranks the sources give: a podium, the first dozen, or none at all; one may go unnamed."""
    rng = ed.rng
    ed.truth_scores = _scores(ed)
    ed.order = sorted(ed.members, key=lambda n: -ed.truth_scores[n])
    style = rng.choices(("many", "podium", "none"), (6, 3, 1))[0]
    ed.ranked = {"many": rng.randint(6, 15), "podium": rng.randint(3, 5), "none": 0}[style]
    ed.hidden = rng.randint(3, ed.ranked) if ed.ranked >= 4 and rng.random() < 0.4 else 0


def _rank_claims(ed: Edition) -> None:
    """The ranks and scores, from the main source and, for the podium, often a second one."""
    rng, truth = ed.rng, ed.truth_scores
    scored_by = ed.some(2)
    conflict = ed.ranked and rng.random() < 0.15
    for rank, name in enumerate(ed.order[:ed.ranked], 1):
        if rank == ed.hidden:
            continue
        p = ed.provinces[name]
        p.rank = Fig((Claim(Decimal(rank), "exact", scored_by[0]),))
        weights = (6, 3, 1, 0, 0) if rank == 1 else (9, 1, 1, 0, 0)
        if rank <= 3 and len(scored_by) > 1:
            p.score = agreeing(rng, truth[name], Decimal(1), scored_by, weights)
        else:
            p.score = Fig((stated(rng, truth[name], Decimal(1), scored_by[0], weights),))
        if conflict and rank == 2 and len(scored_by) > 1:
            p.score = _score_conflict(ed, truth[name], scored_by)
            ed.resolved.append("score")


def _score_conflict(ed: Edition, truth: Decimal, sources: list[str]) -> Fig:
    """Two papers print different scores; the main one matches the table read out at the conference."""
    digits = dec(truth)
    swappable = digits[-3:-2] == "." and digits[-1] != digits[-2]  # two decimals: swap them, a typical slip
    wrong = Decimal(digits[:-2] + digits[-1] + digits[-2]) if swappable else truth + Decimal("1.1")
    other = next(s for s in ed.sources if s.key == sources[1])
    note = (f"{other.publisher} ghi {dec(wrong).replace('.', ',')} điểm, nhiều khả năng gõ nhầm; chúng tôi dùng "
            f"con số của {ed.sources[0].publisher}, khớp với bảng điểm công bố tại hội nghị.")
    return Fig((Claim(truth, "exact", sources[0]), Claim(wrong, "exact", sources[1])), sources[0], note)


def _incomes(ed: Edition) -> None:
    """Income per capita of the provinces the sources name, 40–120 million đồng."""
    rng, w = ed.rng, ed.world
    base = w.economy[ed.year]["income_base"]
    truth = {n: min(max(round_to(base * Decimal(repr(math.exp(0.22 * w.wealth[n] + rng.gauss(0, 0.05)))),
                                 Decimal("0.01")), Decimal(40)), Decimal(120)) for n in ed.members}
    named = rng.sample(ed.members, rng.randint(0, 18)) if rng.random() < 0.9 else []
    for name in named:
        weights = (8, 1, 1, 1, 0)
        ed.provinces[name].income = agreeing(rng, truth[name], Decimal(1), ed.some(2), weights)
    ed.has_income = bool(named)
    average = round_to(sum(truth.values()) / len(truth), Decimal("0.01"))
    if rng.random() < 0.85:
        fig = agreeing(rng, average, Decimal(1), ed.some(2), (5, 3, 1, 0, 0))
        if rng.random() < 0.1 and len(ed.ids) > 1:
            wrong = average + Decimal(rng.choice((3, 5, 8)))
            other = next(s for s in ed.sources if s.key == ed.ids[1])
            fig = Fig((Claim(average, "exact", ed.ids[0]), Claim(wrong, "exact", ed.ids[1])), ed.ids[0],
                      f"{other.publisher} ghi {dec(wrong).replace('.', ',')} triệu đồng, con số của riêng tỉnh "
                      f"chủ nhà chứ không phải của cả cụm; chúng tôi dùng con số của {ed.sources[0].publisher}.")
            ed.resolved.append("income_per_capita")
        ed.economy["income_per_capita"] = fig


def _poverty(ed: Edition) -> str:
    """Poverty reduction against the plan: the named provinces, and a floor for the rest."""
    rng = ed.rng
    truth = {n: uniform(rng, 88, 150, rng.choice(("1", "0.1"))) for n in ed.members}
    named = rng.sample(ed.members, rng.randint(2, 10)) if rng.random() < 0.85 else []
    for name in named:
        above = rng.random() < 0.4
        ed.provinces[name].poverty = Fig((stated(rng, truth[name], Decimal(1), ed.ids[0], PLAIN, above),))
    rest = [truth[n] for n in ed.members if n not in named]
    others = floor_to(min(rest), Decimal("0.1"))
    lines = ["poverty:"]
    if rng.random() < 0.8:
        lines.append(f"  others_reduction: {Claim(others, 'at_least', ed.ids[0]).yaml()}")
    if rng.random() < 0.7:
        start = ed.year - (ed.year - 2021) % 5
        lines += ["  movement:", f"    name: {q('Vì người nghèo – không để ai bị bỏ lại phía sau')}",
                  f"    start: {start}", f"    end: {start + 4}",
                  f"    policy_groups: {Claim(Decimal(rng.randint(2, 5)), 'exact', ed.ids[0]).yaml()}",
                  f"    source: {ed.ids[0]}"]
    ed.has_poverty = bool(named) or any(line.startswith("  others_reduction:") for line in lines)
    return "\n".join(lines) + "\n" if len(lines) > 1 else ""


def _economy_figures(ed: Edition) -> None:
    """The cluster's figures: a few in every edition, the rest in some, each from the truths."""
    rng, year, w = ed.rng, ed.year, ed.world
    now, before = w.economy[year], w.economy[year - 1]
    e = ed.economy
    e["grdp_growth"] = agreeing(rng, now["grdp_growth"], Decimal("0.1"), ed.some(2), PLAIN)
    if rng.random() < 0.7:
        e["national_grdp_growth"] = Fig((Claim(now["national_grdp_growth"], "exact", ed.ids[0]),))
    e["budget_revenue"] = agreeing(rng, now["budget_revenue"], Decimal(1000), ed.some(2), ROUNDED)
    if rng.random() < 0.6:
        e["budget_of_estimate"] = agreeing(rng, ratio_percent(now["budget_revenue"], now["budget_estimate"]),
                                           Decimal("0.1"), ed.some(2), PLAIN, above=rng.random() < 0.5)
        if rng.random() < 0.35:
            e["budget_estimate"] = Fig((Claim(now["budget_estimate"], "exact", ed.ids[0]),))
    elif rng.random() < 0.4:
        e["budget_of_plan"] = Fig((Claim(ratio_percent(now["budget_revenue"], now["budget_plan"]), "exact",
                                         ed.any_source()),))
    _exports(ed, now, before)
    if rng.random() < 0.5:
        source = ed.any_source()
        e["social_investment"] = Fig((stated(rng, now["social_investment"], Decimal(1000), source, ROUNDED),))
        e["social_investment_of_plan"] = Fig((Claim(ratio_percent(now["social_investment"], now["social_plan"]),
                                                    "exact", source),))
    if rng.random() < 0.4:
        lo = uniform(rng, 72, 96, "0.1")
        e["public_investment_disbursement"] = Fig((Claim(lo, "range", ed.any_source(),
                                                         to=uniform(rng, 104, 142, "0.1")),))
    _incomes(ed)


def in_millions(claim: Claim, rng: random.Random) -> Claim:
    """An exact export figure, sometimes written in "triệu USD" as many sources print it."""
    # Always when it has three decimals in tỷ USD: the loader refuses 12.087 as a thousands separator.
    three = claim.value != round_to(claim.value, Decimal("0.01"))
    if claim.qualifier == "exact" and (three or rng.random() < 0.3):
        return Claim(claim.value, "exact", claim.source, unit="triệu USD")
    return claim


def _exports(ed: Edition, now: dict, before: dict) -> None:
    """Exports, last year's, the growth and the plan; now and then a paper that measures another thing."""
    rng, e = ed.rng, ed.economy
    exports = in_millions(stated(rng, now["exports"], Decimal(1), ed.ids[0], ROUNDED), rng)
    if rng.random() < 0.2 and len(ed.ids) > 1:  # one paper says "xuất nhập khẩu": another measure
        other = next(s for s in ed.sources if s.key == ed.ids[1])
        e["exports"] = Fig((exports, Claim(floor_to(now["exports"], Decimal(1)), "over", ed.ids[1],
                                           measures="kim ngạch xuất nhập khẩu")), ed.ids[0],
                           f"{other.publisher} nêu con số gần bằng nhưng gọi là kim ngạch xuất nhập khẩu, tức đo "
                           f"một thứ khác; chúng tôi dùng con số và cách gọi của {ed.sources[0].publisher}.")
        ed.resolved.append("exports")
    else:
        e["exports"] = Fig((exports,))
    if rng.random() < 0.5:
        e["exports_previous_year"] = Fig((in_millions(stated(rng, before["exports"], Decimal("0.1"), ed.ids[0],
                                                             ROUNDED), rng),))
    e["exports_growth"] = Fig((Claim(change_percent(now["exports"], before["exports"]), "exact", ed.ids[0]),))
    if rng.random() < 0.6:
        e["exports_of_plan"] = Fig((stated(rng, ratio_percent(now["exports"], now["exports_plan"]), Decimal("0.1"),
                                           ed.ids[0], PLAIN, above=rng.random() < 0.5),))
        if rng.random() < 0.35:
            e["exports_plan"] = Fig((Claim(now["exports_plan"], "exact", ed.any_source()),))


ECONOMY_ORDER = ("grdp_growth", "national_grdp_growth", "budget_revenue", "budget_of_estimate", "budget_of_plan",
                 "budget_estimate", "exports", "exports_previous_year", "exports_growth", "exports_of_plan",
                 "exports_plan", "social_investment", "social_investment_of_plan", "public_investment_disbursement",
                 "income_per_capita")


def _growth_facts(ed: Edition) -> str:
    """How many provinces grew and which grew fastest; which met their export plan."""
    rng, lines = ed.rng, []
    if rng.random() < 0.4:
        grown = rng.randint(len(ed.members) - 12, len(ed.members))
        lines.append(f"  provinces_grown: {Claim(Decimal(grown), 'exact', ed.ids[0]).yaml()}")
        lines.append(f"  fastest_growth: {{province: {q(rng.choice(ed.members))}, source: {ed.ids[0]}}}")
    if rng.random() < 0.3:
        met = rng.sample(ed.members, rng.randint(3, 9))
        lines += ["  exports_met_plan:", f"    name: {q('Đạt và vượt kế hoạch xuất khẩu')}",
                  f"    provinces: {names_list(met)}", f"    source: {ed.ids[0]}"]
    return "".join(line + "\n" for line in lines)


def _conference(ed: Edition) -> str:
    """The review conference, early the next year in the head's province."""
    rng, year, w = ed.rng, ed.year, ed.world
    host = w.heads[year]
    day = dt.date(year + 1, rng.randint(1, 4), rng.randint(1, 28))
    inferred = rng.random() < 0.1
    lines = ["conference:", f"  date: {day.isoformat()}", f"  time_of_day: {q(rng.choice(('sáng', 'chiều')))}",
             f"  year_inferred: {'true' if inferred else 'false'}",
             f"  year_reason: {q('bài chỉ ghi ngày và tháng; hội nghị tổng kết họp đầu năm sau' if inferred else '')}",
             f"  place: {q(host)}", f"  city: {q('thành phố ' + host)}", f"  pact_year: {year + 1}", "  attendees:"]
    roles = ("Phó Trưởng ban Thi đua - Khen thưởng Trung ương", "Thứ trưởng Bộ Nội vụ",
             "Vụ trưởng Vụ Thi đua - Khen thưởng các địa phương")
    for role in rng.sample(roles, rng.randint(1, 3)):
        lines.append(f"    - {{name: {q(full_name(rng))}, role: {q(role)}, source: {ed.any_source()}}}")
    if rng.random() < 0.5:
        issued = dt.date(year - rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
        lines.append(f"  pact_directive: {{kind: {q('Chỉ thị')}, number: {q(f'{rng.randint(5, 40)}/CT-TTg')}, "
                     f"issuer: {q('Thủ tướng Chính phủ')}, issued: {issued.isoformat()}, source: {ed.any_source()}}}")
        ed.has_directive = True
    if rng.random() < 0.4:
        decided = [f"kết quả chấm điểm, xếp hạng thi đua năm {year} của các tỉnh", "các đề nghị khen thưởng"]
        agenda = ["chiếu phóng sự về kết quả thi đua", "công bố điểm và thứ hạng",
                  "các tỉnh tham luận về chuyển đổi số", f"ký giao ước thi đua năm {year + 1}"]
        lines.append(f"  preparation: {{decided: {names_list(decided)}, agenda: {names_list(agenda)}, "
                     f"source: {ed.any_source()}}}")
        ed.has_preparation = True
    lines.append(f"  source: {ids(tuple(ed.some(2)))}")
    return "\n".join(lines) + "\n"


def _context(ed: Edition) -> str:
    """The five-year plan and party congress the year belongs to, for the years that have them."""
    start = ed.year - (ed.year - 2021) % 5
    congress = 13 + (start - 2021) // 5
    if congress < 6 or ed.rng.random() < 0.3:
        return ""
    ed.has_context = True
    return (f"context: {{resolution_year: {ed.year - start + 1}, congress: {q(roman(congress))}, "
            f"plan_start: {start}, plan_end: {start + 4}, source: {ed.ids[0]}}}\n")


def _lists(ed: Edition) -> str:
    """New-countryside provinces, excluded places and the awards proposed."""
    rng, out = ed.rng, []
    if rng.random() < 0.8:
        chosen = rng.sample(ed.members, rng.randint(2, 8))
        count = f"  count: {Claim(Decimal(len(chosen)), 'exact', ed.ids[0]).yaml()}\n" if rng.random() < 0.7 else ""
        out.append(f"new_countryside:\n{count}  provinces: {names_list(chosen)}\n  source: {ed.ids[0]}\n")
        ed.has_countryside = True
    outside = [n for n in ed.world.names if n not in ed.members and n not in _merged_parts(ed)]
    if outside and rng.random() < 0.4:
        out.append(f"excluded:\n  names: {names_list(rng.sample(outside, min(2, len(outside))))}\n"
                   f"  source: {ids(tuple(ed.some(2)))}\n")
        ed.has_excluded = True
    if rng.random() < 0.85:
        ranked = [n for n, p in ed.provinces.items() if p.rank is not None]
        ranked.sort(key=lambda n: ed.provinces[n].rank.claims[0].value)
        top = ranked[:2] if len(ranked) >= 2 else rng.sample(ed.members, 2)
        rest = [n for n in (ranked[2:6] if len(ranked) >= 4 else rng.sample(ed.members, 4)) if n not in top]
        merit = rest[:rng.randint(1, len(rest))] if rest else [n for n in ed.members if n not in top][:2]
        merit_count = f", count: {Claim(Decimal(len(merit)), 'exact', ed.ids[0]).yaml()}" if rng.random() < 0.6 else ""
        out.append("awards:\n"
                   f"  government_flag: {{name: {q('Cờ thi đua của Chính phủ')}, provinces: {names_list(top)}, "
                   f"source: {ids(tuple(ed.some(2)))}}}\n"
                   f"  pm_certificate: {{name: {q('Bằng khen của Thủ tướng Chính phủ')}{merit_count}, "
                   f"provinces: {names_list(merit)}, source: {ed.ids[0]}}}\n")
        ed.has_awards = True
    return "".join(out)


def _merged_parts(ed: Edition) -> set[str]:
    if ed.year < MERGER_DAY.year:
        return set()
    return {part for _, parts in ed.world.mergers for part in parts}


def _heads(ed: Edition) -> str:
    """This year's head and next year's, as every edition names them (the same in each)."""
    w, lines = ed.world, ["heads:"]
    for year in (ed.year, ed.year + 1):
        leader, role = w.leaders[year] if year == ed.year else ("", "")
        lines.append(f"  - {{year: {year}, province: {q(w.heads[year])}, leader: {q(leader)}, "
                     f"leader_role: {q(role)}, source: {ids(tuple(ed.some(2)))}}}")
    return "\n".join(lines) + "\n"


def _featured(ed: Edition) -> str:
    """The main source's own province: among the ranked below the podium when there are any."""
    shown = [n for rank, n in enumerate(ed.order[:ed.ranked], 1) if rank > 2 and rank != ed.hidden]
    candidates = [n for n in shown if n != ed.world.heads[ed.year]] or \
        [n for n in ed.world.core if n != ed.world.heads[ed.year]]
    return ed.rng.choice(candidates)


def plan_edition(world: World, year: int) -> Edition:
    """Everything one edition says, drawn from the world's truths with the edition's own dice."""
    rng = random.Random(f"edition:{world.seed}:{year}")
    ed = Edition(world, year, rng, world.members[year])
    ed.provinces = {n: Province(n) for n in ed.members}
    ed.unknown_written = rng.random() < 0.5
    _reveal(ed)
    ed.featured = _featured(ed)
    ed.sources = _sources(ed)
    _rank_claims(ed)
    _economy_figures(ed)
    ed.blocks["growth"] = _growth_facts(ed)
    ed.blocks["poverty"] = _poverty(ed)
    ed.blocks["member_count"] = Fig(tuple(Claim(Decimal(len(ed.members)), "exact", s)
                                          for s in ed.some(rng.randint(1, 2)))).yaml("member_count", 0)
    ed.blocks["lists"] = _lists(ed)
    ed.blocks["conference"] = _conference(ed)
    ed.blocks["context"] = _context(ed)
    ed.blocks["heads"] = _heads(ed)
    return ed


# --- the files ---------------------------------------------------------------------------------

def cluster_yaml(ed: Edition) -> str:
    """data/<year>/cluster.yaml, from the blocks planned (no dice thrown here)."""
    w, b = ed.world, ed.blocks
    economy = "".join(ed.economy[key].yaml(key, 2) for key in ECONOMY_ORDER if key in ed.economy)
    if ed.unknown_written:
        economy += "".join(f"  {key}: {{qualifier: unknown}}\n" for key in ECONOMY_ORDER if key not in ed.economy)
    return (f"# Số liệu chung của {w.short_name} năm {ed.year}: bộ số liệu giả định, sinh tự động bằng\n"
            f"# benchmarks/archive.py để đo tốc độ dựng trang. Không phải số liệu thật.\n\n"
            f"name: {q(w.name)}\nshort_name: {q(w.short_name)}\nyear: {ed.year}\n\n"
            "sources:\n" + "".join(s.yaml() for s in ed.sources) + "\n"
            + b["member_count"] + b["lists"] + b["conference"] + b["context"]
            + "\neconomy:\n" + economy + b["growth"] + "\n" + b["poverty"] + "\n" + b["heads"])


def provinces_yaml(ed: Edition) -> str:
    """data/<year>/provinces.yaml: every member, its unknown figures written out or left out."""
    lines = [f"# Số liệu từng tỉnh năm {ed.year} (giả định, sinh tự động; xem cluster.yaml).", ""]
    for name in ed.members:
        p = ed.provinces[name]
        fields = (("rank", p.rank), ("score", p.score), ("income_per_capita", p.income),
                  ("poverty_reduction", p.poverty))
        known = [(key, fig) for key, fig in fields if fig is not None]
        if not known and not ed.unknown_written:
            lines.append(f"{q(name)}: {{}}")
            continue
        lines.append(f"{q(name)}:")
        for key, fig in fields:
            if fig is not None:
                lines.append(fig.yaml(key, 2).rstrip("\n"))
            elif ed.unknown_written:
                lines.append(f"  {key}: {{qualifier: unknown}}")
    return "\n".join(lines) + "\n"


def site_yaml(world: World) -> str:
    return (f"# Bộ số liệu giả định để đo tốc độ dựng trang (benchmarks/archive.py, seed {world.seed}).\n"
            f"title: {q('Lưu trữ ' + world.short_name)}\n"
            f"description: {q(f'Kết quả thi đua hằng năm của {world.short_name}, {len(world.years)} năm tổng kết: bộ số liệu giả định, sinh tự động để đo tốc độ dựng trang, không phải số liệu thật.')}\n"
            f"base_url: {q('https://luu-tru.example/' + fold(world.region) + '/')}\n"
            "publisher:\n"
            f"  name: {q('Nhóm Dữ liệu ' + world.region)}\n"
            f"  url: {q('https://luu-tru.example/')}\n"
            "licence:\n"
            f"  name: {q('CC BY 4.0')}\n"
            f"  url: {q('https://creativecommons.org/licenses/by/4.0/deed.vi')}\n"
            f"  note: {q('Số liệu giả định, dùng lại tự do.')}\n")


def reference_yaml(world: World) -> str:
    """data/reference/provinces.yaml: the invented provinces and their merger, with sources."""
    changes = "".join(
        f"  - {{since: {MERGER_DAY.isoformat()}, into: {q(into)}, from: {names_list(parts)}, "
        f"source: [tham-chieu-nghi-quyet, tham-chieu-thong-tan]}}\n" for into, parts in world.mergers)
    return ("# Các tỉnh giả định của bộ số liệu thử và lần sắp xếp năm 2025 (giả định).\n\n"
            "sources:\n"
            "  tham-chieu-nghi-quyet:\n"
            f"    publisher: {q('Quốc hội')}\n"
            f"    title: {q('Nghị quyết sắp xếp đơn vị hành chính cấp tỉnh (giả định)')}\n"
            f"    number: {q('999/2025/QH15')}\n"
            "    published: 2025-06-12\n"
            f"    note: {q(SYNTHETIC)}\n"
            "  tham-chieu-thong-tan:\n"
            f"    publisher: {q('Thông tấn Vùng')}\n"
            f"    title: {q('Các tỉnh mới chính thức hoạt động từ ngày 1/7/2025')}\n"
            "    published: 2025-07-02\n"
            f"    url: {q('https://thong-tan-vung.example/thoi-su/cac-tinh-moi-2025.html')}\n"
            f"    note: {q(SYNTHETIC)}\n\n"
            "provinces:\n" + "".join(f"  - {q(n)}\n" for n in sorted(world.names, key=fold)) +
            "\nchanges:\n" + changes)


# --- the article ----------------------------------------------------------------------------------

def pick(rng: random.Random, *variants: str) -> str:
    return rng.choice(variants)


def _front(ed: Edition) -> str:
    """The front matter: a headline on the leader, or on the economy when no source ranks anyone."""
    rng, f = ed.rng, ed.featured
    if ed.ranked:
        titles = ["{{ at_rank(1).name }} dẫn đầu {{ cluster.short_name }} năm {{ cluster.year }}",
                  "Thi đua năm {{ cluster.year }}: {{ at_rank(1).name }} giành vị trí dẫn đầu trong "
                  "{{ cluster.member_count | fig }}"]
        if ed.provinces[f].rank is not None:
            titles.append("{{ cluster.short_name }} năm {{ cluster.year }}: {{ at_rank(1).name }} đứng đầu, "
                          f"{f} xếp thứ {{{{ province('{f}').rank | ordinal }}}}")
        title = pick(rng, *titles)
        sapo = ("{{ at_rank(1).name }} đứng đầu bảng điểm thi đua năm {{ cluster.year }} của {{ cluster.short_name }} "
                "với {{ at_rank(1).score | fig }}, {{ at_rank(2).name }} xếp thứ hai. Kết quả được công bố tại hội "
                "nghị tổng kết ở {{ conference.place }} ngày {{ conference.date | date }}.")
    else:
        title = pick(rng,
                     "{{ cluster.short_name }} tổng kết năm {{ cluster.year }}: thu ngân sách "
                     "{{ economy.budget_revenue | fig }}",
                     "Kinh tế {{ cluster.member_count | fig }} vùng " + ed.world.region
                     + " năm {{ cluster.year }} tăng trưởng {{ economy.grdp_growth | fig }}")
        sapo = ("Hội nghị tổng kết giao ước thi đua năm {{ cluster.year }} của {{ cluster.member_count | fig }} "
                "họp tại {{ conference.place }}. Các nguồn không nêu điểm và thứ hạng của tỉnh nào; bài này "
                "tổng hợp các số liệu kinh tế, xã hội mà các nguồn có nêu.")
    day = dt.date(ed.year + 1, rng.randint(5, 12), rng.randint(1, 28))
    return (f"---\ntitle: {q(title)}\nsapo: {q(sapo)}\nbyline: {q('Nhóm Dữ liệu ' + ed.world.region)}\n"
            f"published: {day.isoformat()}\n---\n")


def _lead(ed: Edition) -> list[str]:
    """The opening: who leads (or that nobody is ranked), and the conference."""
    rng, out = ed.rng, []
    if ed.ranked:
        out.append("{% set first = at_rank(1) %}\n{% set second = at_rank(2) %}\n"
                   + pick(rng, "{{ first.name }} dẫn đầu {{ cluster.name }} năm {{ cluster.year }} với "
                               "{{ first.score | fig }}, bỏ xa phần lớn các tỉnh còn lại. ",
                          "Với {{ first.score | fig }}, {{ first.name }} là tỉnh dẫn đầu {{ cluster.name }} "
                          "năm {{ cluster.year }}. ")
                   + "{{ second.name }} xếp thứ hai với {{ second.score | fig }}."
                   + (" Cụm đề nghị tặng {{ awards.government_flag.name }} cho "
                      "{{ awards.government_flag.provinces | names }}." if ed.has_awards else ""))
    else:
        out.append(pick(rng, "Năm {{ cluster.year }}, {{ cluster.name }} tổng kết một năm thi đua mà các nguồn "
                             "chúng tôi có không công bố điểm và thứ hạng của tỉnh nào.",
                        "Các báo đưa tin về hội nghị tổng kết năm {{ cluster.year }} của {{ cluster.short_name }} "
                        "đều dừng lại trước phần công bố điểm, nên bảng xếp hạng năm nay để trống.")
                   + " Những gì các nguồn có nêu là bức tranh kinh tế, xã hội của cả cụm.")
    attendees = ("{% for a in conference.attendees %}{{ ', với sự tham dự của ' if loop.first else ', ' }}"
                 "{{ a.role }} {{ a.name }}{% endfor %}")
    out.append("Hội nghị tổng kết giao ước thi đua năm {{ cluster.year }} họp {{ conference.time_of_day }} "
               "{{ conference.date | date }} tại {{ conference.city }}, tỉnh {{ conference.place }}" + attendees
               + ".{% if conference.year_inferred %} Các nguồn chỉ ghi ngày và tháng; chúng tôi xác định năm "
               "{{ conference.date.year }} vì {{ conference.year_reason }}.{% endif %} "
               + pick(rng, "Không khí hội nghị được các báo mô tả là phấn khởi, dù năm qua các tỉnh gặp không "
                           "ít khó khăn về thời tiết, giá cả và thị trường xuất khẩu.",
                      "Theo các báo địa phương, đây là dịp các tỉnh nhìn lại những việc đã làm được, chỉ ra "
                      "những hạn chế và cùng bàn cách tháo gỡ cho năm sau."))
    return out


def _scores_section(ed: Edition) -> list[str]:
    """The ranking, its chart and table, and the featured province's place in it."""
    if not ed.ranked:
        return ["## Điểm và thứ hạng: bài gốc không nêu",
                "Vì các nguồn không công bố điểm, điểm thi đua và thứ hạng năm {{ cluster.year }} của cả "
                "{{ unranked | length }} tỉnh trên trang này đều ghi “bài gốc không nêu”. Chúng tôi không tự "
                "ước tính những con số ấy, và sẽ cập nhật khi có nguồn công bố."]
    rng, f = ed.rng, ed.featured
    out = ["## Bảng điểm thi đua",
           "Các nguồn nêu thứ hạng của {{ ranked | length }} trong {{ cluster.member_count | fig }}. "
           "Đứng đầu bảng là {{ ranked[:3] | fig_list('score') }}."
           "{% if unnamed_ranks %} Các nguồn không nêu tỉnh xếp thứ {{ unnamed_ranks | map('ordinal') | names }}."
           "{% endif %} Điểm và thứ hạng của {{ unranked | length }} tỉnh còn lại không được công bố.",
           "{{ chart(\"scores\") }}", "{{ table(\"scores\") }}"]
    if ed.provinces[f].rank is not None:
        out.append("{% set f = province('" + f + "') %}"
                   + pick(rng, "Riêng {{ f.name }}, tỉnh nhà của " + ed.sources[0].publisher + ", xếp thứ "
                               "{{ f.rank | ordinal }} với {{ f.score | fig }}.",
                          "Với {{ f.score | fig }}, {{ f.name }} đứng thứ {{ f.rank | ordinal }} toàn cụm, theo "
                          + ed.sources[0].publisher + ".")
                   + ("{% if f.income_per_capita.known %} Thu nhập bình quân đầu người của tỉnh này đạt "
                      "{{ f.income_per_capita | fig }}.{% endif %} ")
                   + pick(rng, "Lãnh đạo tỉnh cho rằng kết quả này phản ánh nỗ lực cải thiện môi trường đầu tư "
                               "và chất lượng phục vụ người dân, dù vẫn còn những chỉ tiêu chưa đạt.",
                          "Báo này nhận định tỉnh đã giữ được vị trí trong nhóm khá, nhưng khoảng cách với "
                          "các tỉnh dẫn đầu vẫn còn rõ."))
    out.append(pick(rng, "Điểm thi đua được chấm trên nhiều tiêu chí: tăng trưởng kinh tế, thu ngân sách, giảm "
                         "nghèo, xây dựng nông thôn mới, cải cách hành chính và việc thực hiện các phong trào thi đua "
                         "do cụm phát động.",
                    "Theo quy chế của cụm, mỗi tỉnh tự chấm điểm rồi được các tỉnh trong cụm thẩm định chéo trước "
                    "khi bình xét; điểm cuối cùng được thông qua tại hội nghị tổng kết."))
    return out


def _economy_section(ed: Edition) -> list[str]:
    """Growth, budget, exports and investment: a clause for each figure the edition gives."""
    rng, e = ed.rng, ed.economy
    out = ["## Kinh tế toàn cụm"]
    text = ("Theo báo cáo tổng kết, kinh tế các tỉnh trong cụm tăng trưởng bình quân {{ economy.grdp_growth | fig }}"
            + (", {{ compare(economy.grdp_growth, economy.national_grdp_growth) }} mức bình quân cả nước "
               "({{ economy.national_grdp_growth | fig }})" if "national_grdp_growth" in e else "")
            + ". Thu ngân sách toàn cụm đạt {{ economy.budget_revenue | fig }}")
    if "budget_of_estimate" in e:
        text += ", {{ economy.budget_of_estimate | fig }}"
        if "budget_estimate" in e:
            text += " (dự toán là {{ economy.budget_estimate | fig }})"
    elif "budget_of_plan" in e:
        text += (", bằng {{ economy.budget_of_plan | fig }}{% if economy.budget_of_plan | versus_plan %}, tức "
                 "{{ economy.budget_of_plan | versus_plan }}{% endif %}")
    out.append(text + ".")
    exports = ("Kim ngạch xuất khẩu đạt {{ economy.exports | fig }}, {{ economy.exports_growth | change }} so với "
               "năm {{ cluster.year - 1 }}"
               + (" (khi đó là {{ economy.exports_previous_year | fig }})" if "exports_previous_year" in e else ""))
    if "exports_of_plan" in e:
        exports += " và bằng {{ economy.exports_of_plan | fig }}"
        if "exports_plan" in e:
            exports += " (kế hoạch {{ economy.exports_plan | fig }})"
    exports += "."
    if "exports" in ed.resolved:
        exports += " Các nguồn không ghi con số này giống nhau: {{ economy.exports.note }}"
    exports += " " + pick(rng, "Các mặt hàng chủ lực vẫn là nông sản, thủy sản chế biến, dệt may và da giày.",
                          "Các doanh nghiệp cho biết đơn hàng phục hồi chậm, nhưng thị trường mới đã bù lại phần nào.")
    out.append(exports)
    if "social_investment" in e or "public_investment_disbursement" in e:
        more = []
        if "social_investment" in e:
            more.append("tổng vốn đầu tư toàn xã hội của cụm đạt {{ economy.social_investment | fig }}, bằng "
                        "{{ economy.social_investment_of_plan | fig }}")
        if "public_investment_disbursement" in e:
            more.append("tỷ lệ giải ngân vốn đầu tư công của các tỉnh {{ economy.public_investment_disbursement | fig }}")
        out.append("Về đầu tư, " + "; ".join(more) + ". "
                   + pick(rng, "Nhiều công trình giao thông liên tỉnh được đẩy nhanh tiến độ.",
                          "Các tỉnh cho biết vướng mắc lớn nhất vẫn là giải phóng mặt bằng."))
    return out


def _growth_list(ed: Edition) -> list[str]:
    """The provinces that grew and those that met their export plan, where the sources list them."""
    growth = ed.blocks["growth"]
    if not growth:
        return []
    out = []
    if "provinces_grown" in growth:
        out.append("{{ economy.provinces_grown | fig }} có kinh tế tăng trưởng so với năm trước; cao nhất là "
                   "{{ economy.fastest_growth.province }}, dù các nguồn không nêu mức tăng của tỉnh này.")
    if "exports_met_plan" in growth:
        out.append("Các tỉnh được nêu tên là đạt và vượt kế hoạch xuất khẩu gồm "
                   "{{ economy.exports_met_plan.provinces | names }}.")
    return [" ".join(out)]


def _income_section(ed: Edition) -> list[str]:
    """The cluster's income per capita and the provinces named, compared only where it is proven."""
    rng, e = ed.rng, ed.economy
    if not ed.has_income and "income_per_capita" not in e:
        return []
    out = ["## Thu nhập bình quân đầu người"]
    text = []
    if "income_per_capita" in e:
        text.append("Thu nhập bình quân đầu người toàn cụm năm {{ cluster.year }} là "
                    "{{ economy.income_per_capita | fig }}.")
        if "income_per_capita" in ed.resolved:
            text.append("{{ economy.income_per_capita.note }}")
    if ed.has_income:
        text.append("Các nguồn nêu thu nhập của {{ income_named | length }} tỉnh; cao nhất là "
                    "{{ income_named[:3] | fig_list('income_per_capita') }}.")
        if "income_per_capita" in e:
            text.append("{% if income_above %}Có {{ income_above | length }} tỉnh chắc chắn cao hơn bình quân "
                        "toàn cụm{% if income_below %}, {{ income_below | length }} tỉnh thấp hơn{% endif %}; với "
                        "các tỉnh còn lại, cách các nguồn ghi con số không đủ để so sánh.{% endif %}")
    text.append(pick(rng, "Khoảng cách thu nhập giữa các tỉnh ven biển, có khu công nghiệp và các tỉnh thuần nông "
                          "vẫn còn lớn.",
                     "Theo các nguồn, thu nhập tăng chủ yếu nhờ chuyển dịch lao động sang công nghiệp, dịch vụ."))
    out.append(" ".join(text))
    if ed.has_income:
        out += ["{{ chart(\"income\") }}", "{{ table(\"income\") }}"]
    return out


def _poverty_section(ed: Edition) -> list[str]:
    """The poverty movement, the provinces that beat the plan and the floor for the rest."""
    if not ed.has_poverty:
        return []
    rng = ed.rng
    text = ("{% if poverty.movement %}Trong phong trào thi đua “{{ poverty.movement.name }}” "
            "({{ poverty.movement.start }}–{{ poverty.movement.end }}), các tỉnh tập trung hỗ trợ theo "
            "{{ poverty.movement.policy_groups | fig }}. {% endif %}"
            "{% if poverty_beat %}{{ poverty_beat | map(attribute='name') | names }} vượt kế hoạch giảm tỷ lệ hộ "
            "nghèo, lần lượt đạt {{ poverty_beat | map(attribute='poverty_reduction') | map('fig', short=true) "
            "| names }} kế hoạch.{% endif %}"
            "{% if poverty.others_reduction.known %} {{ poverty_others | length }} tỉnh còn lại đạt "
            "{{ poverty.others_reduction | fig }}.{% endif %} ")
    text += pick(rng, "Các tỉnh cho biết hộ thoát nghèo vẫn dễ tái nghèo khi gặp thiên tai hay dịch bệnh.",
                 "Nguồn lực chủ yếu dành cho nhà ở, học nghề và tín dụng ưu đãi cho hộ nghèo, cận nghèo.")
    return ["## Giảm nghèo", text, "{{ chart(\"poverty\") }}", "{{ table(\"poverty\") }}"]


def _lists_section(ed: Edition) -> list[str]:
    """New-countryside provinces and the awards proposed, each with its table."""
    out = []
    if ed.has_countryside:
        out += ["## Nông thôn mới",
                "Theo báo cáo tổng kết, cụm có {{ cluster.new_countryside.provinces | length }} tỉnh có toàn bộ số xã "
                "đạt chuẩn nông thôn mới: {{ cluster.new_countryside.provinces | names }}. "
                + pick(ed.rng, "Các tỉnh còn lại đặt mục tiêu về đích trong kế hoạch năm năm.",
                       "Cụm khuyến khích các tỉnh chuyển sang xây dựng nông thôn mới nâng cao và kiểu mẫu."),
                "{{ table(\"new_countryside\") }}"]
    if ed.has_awards:
        out += ["## Khen thưởng",
                "{% set flag = awards.government_flag %}{% set merit = awards.pm_certificate %}"
                "Cụm thống nhất đề nghị tặng {{ flag.name }} cho {{ flag.provinces | names }}, và {{ merit.name }} "
                "cho {{ merit.provinces | names }}.", "{{ table(\"awards\") }}"]
    return out


def _heads_section(ed: Edition) -> list[str]:
    """The head's year, the plan it belongs to, the flag handed on and the pact signed."""
    rng = ed.rng
    text = ("{% set host = head(cluster.year) %}{% set next_head = head(conference.pact_year) %}"
            "{{ host.province }} là cụm trưởng năm {{ host.year }}; {{ host.leader_role }} {{ host.province }} "
            "{{ host.leader }} phát biểu khai mạc hội nghị. ")
    if ed.has_context:
        text += ("Năm {{ cluster.year }} là năm thứ {{ cluster.context.resolution_year | ordinal }} thực hiện Nghị "
                 "quyết Đại hội {{ cluster.context.congress }} của Đảng và kế hoạch phát triển kinh tế – xã hội "
                 "{{ cluster.context.plan_start }}–{{ cluster.context.plan_end }}. ")
    text += ("Cờ luân lưu cụm trưởng năm {{ next_head.year }} được trao cho {{ next_head.province }}, và lãnh đạo "
             "các tỉnh cùng ký giao ước thi đua năm {{ conference.pact_year }}")
    if ed.has_directive:
        text += (", cam kết thực hiện {{ conference.pact_directive.kind }} số {{ conference.pact_directive.number }} "
                 "ngày {{ conference.pact_directive.issued | date }} của {{ conference.pact_directive.issuer }}")
    text += "."
    if ed.has_preparation:
        text += " Trước đó, một cuộc họp rà soát đã thông qua {{ conference.preparation.decided | names }}."
    quote = pick(rng, "“Thi đua phải gắn với những việc cụ thể, đo được, chứ không dừng ở khẩu hiệu”, "
                      "{{ host.leader }} nói.",
                 "Theo {{ host.leader }}, phong trào thi đua chỉ có ý nghĩa khi người dân thấy được đời sống của "
                 "mình đổi khác.",
                 "{{ host.leader }} đề nghị các tỉnh chia sẻ kinh nghiệm nhiều hơn, nhất là về chuyển đổi số và "
                 "thu hút đầu tư.")
    return ["## Cụm trưởng và giao ước năm {{ conference.pact_year }}", text, quote, "{{ table(\"heads\") }}"]


def _members_section(ed: Edition) -> list[str]:
    """Every member by name (in most editions), and the places the sources say are not members."""
    if ed.rng.random() < 0.3:
        return []
    text = ("Năm {{ cluster.year }}, cụm gồm {{ cluster.member_count | fig }}: "
            "{{ members | map(attribute='name') | names }}.")
    if ed.has_excluded:
        text += " Theo các nguồn, {{ cluster.excluded.names | names }} không thuộc cụm này."
    return ["## Các tỉnh thành viên", text]


def _notes_section(ed: Edition) -> list[str]:
    """How to read the figures, the sources listed, and sometimes how the piece was made."""
    rng = ed.rng
    bullets = ["- Mọi con số trong bài ghi đúng như nguồn viết: “trên”, “gần”, “khoảng” được giữ nguyên, và trang "
               "không so sánh hơn kém khi cách ghi không đủ để kết luận.",
               "- Con số do nguồn khác nguồn chính nêu được đánh dấu bằng tên viết tắt của nguồn đó."]
    if ed.ranked:
        bullets.append("- Điểm và thứ hạng của {{ unranked | length }} tỉnh không được các nguồn công bố, nên "
                       "bảng điểm để trống những ô ấy.")
    if ed.resolved:
        bullets.append("- Ở những chỗ các nguồn ghi khác nhau, chúng tôi nêu rõ nguồn được dùng và vì sao, ngay "
                       "cạnh con số và trên trang Dữ liệu.")
    out = ["## Về số liệu trong bài", "\n".join(bullets),
           pick(rng, "Các nguồn của bài:", "Bài viết dựa trên các nguồn sau:"),
           "{% for key in cluster.sources %}\n- {{ cluster.sources[key].publisher }}: "
           "“{{ cluster.sources[key].title }}”\n{% endfor %}"]
    if rng.random() < 0.5:
        out += ["Cách chúng tôi làm bài này:",
                "1. Đọc từng nguồn và ghi lại mỗi con số kèm cách nguồn viết nó.\n"
                "2. Đối chiếu các nguồn với nhau và với năm trước.\n"
                "3. Ghi rõ những gì các nguồn không nêu, thay vì tự ước tính."]
    return out


def _mergers_section(ed: Edition) -> list[str]:
    """What the members became on the merger day, for the editions before it."""
    if ed.year >= MERGER_DAY.year:  # its members are already the merged provinces
        return []
    return ["{% if mergers %}\n## Các tỉnh hôm nay\n\nNhững con số trên là của các tỉnh trước khi sắp xếp lại "
            "đơn vị hành chính cấp tỉnh. Từ {{ mergers[0].since | date }}, "
            "{% for m in mergers %}{{ m.into }} gồm {{ m.parts | names }}{{ '; ' if not loop.last else '.' }}"
            "{% endfor %}\n{% endif %}"]


def article_md(ed: Edition) -> str:
    """The edition's article: ten sections or so, every figure an expression, no digit typed."""
    blocks = (_lead(ed) + _scores_section(ed) + _economy_section(ed) + _growth_list(ed) + _income_section(ed)
              + _poverty_section(ed) + _lists_section(ed) + _heads_section(ed) + _members_section(ed)
              + _notes_section(ed) + _mergers_section(ed))
    return _front(ed) + "\n\n".join(blocks) + "\n"


# --- the project ---------------------------------------------------------------------------------

class Refused(Exception):
    """The output folder is one we will not write into."""


def years_for(scale: float) -> list[int]:
    """20 × scale consecutive years ending in 2025, or Refused beyond four-digit years."""
    count = max(1, round(YEARS_AT_1X * scale))
    first = LAST_YEAR - count + 1
    if first < FIRST_POSSIBLE_YEAR:
        raise Refused(f"--scale {scale} would need {count} years; editions are four-digit years, "
                      f"so at most {LAST_YEAR - FIRST_POSSIBLE_YEAR + 1} (--scale "
                      f"{(LAST_YEAR - FIRST_POSSIBLE_YEAR + 1) / YEARS_AT_1X:g})")
    return list(range(first, LAST_YEAR + 1))


def check_target(out: Path) -> None:
    """Refuse the repository's data/ (or anything inside it), a file, and a folder that is not empty."""
    target, live = out.resolve(), LIVE_DATA.resolve()
    if target == live or live in target.parents:
        raise Refused(f"{out} is inside the repository's data/: write the archive somewhere else")
    if target.exists() and not target.is_dir():
        raise Refused(f"{out} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise Refused(f"{out} is not empty: give a new or empty folder")


def expected_pages(editions: list[Edition]) -> int:
    """The HTML pages a build of the archive makes (pages.KINDS, counted)."""
    # Per edition: article, rankings, members, data, one per member, one per table and chart it has
    # (the embeds); then one per province across the years, and the front, years, provinces,
    # corrections and 404 pages. No legacy_year, so no redirect pages.
    total = 0
    for ed in editions:
        tables = [bool(ed.ranked), ed.has_income, ed.has_poverty, ed.has_countryside, ed.has_awards, True]
        charts = tables[:3]
        total += 4 + len(ed.members) + sum(tables) + sum(charts)
    provinces = {n for ed in editions for n in ed.members}
    return total + len(provinces) + 5


def generate(out: Path, scale: float = 1, seed: int = 0) -> dict:
    """Write a synthetic project into out/data/ and return what it holds (counts)."""
    out = Path(out)
    check_target(out)
    years = years_for(scale)
    world = make_world(seed, years)
    data = out / "data"
    files: dict[Path, str] = {data / "site.yaml": site_yaml(world),
                              data / "reference" / "provinces.yaml": reference_yaml(world)}
    editions = []
    for year in years:
        ed = plan_edition(world, year)
        folder = data / str(year)
        files[folder / "cluster.yaml"] = cluster_yaml(ed)
        files[folder / "provinces.yaml"] = provinces_yaml(ed)
        files[folder / "article.md"] = article_md(ed)
        editions.append(ed)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return {"editions": len(editions), "first_year": years[0], "last_year": years[-1],
            "reference_provinces": len(world.names), "provinces": len({n for ed in editions for n in ed.members}),
            "member_pages": sum(len(ed.members) for ed in editions), "pages": expected_pages(editions),
            "files": len(files), "bytes": sum(len(t.encode("utf-8")) for t in files.values())}


def main(argv: Optional[list[str]] = None) -> int:
    """The command line: exit 0 when written, 2 when refused."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a new or empty folder; the project goes into OUT/data/")
    parser.add_argument("--scale", type=float, default=1.0, help="20 × SCALE yearly editions ending in 2025")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error("--scale must be positive")
    try:
        counts = generate(args.out, args.scale, args.seed)
    except Refused as refused:
        print(f"archive.py: refused: {refused}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {args.out / 'data'}: {counts['editions']} editions ({counts['first_year']}–{counts['last_year']}), "
          f"{counts['provinces']} provinces ({counts['reference_provinces']} in the reference), "
          f"{counts['member_pages']} member pages, about {counts['pages']} pages; "
          f"{counts['files']} files, {counts['bytes'] / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
