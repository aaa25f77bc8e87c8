"""Consistency rules between figures, computed with intervals.

A rule reports an error when the figures cannot all be true, and a warning
when they can but probably are not what the editor meant. Every message names
the figures involved with their file and line and shows the computation.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from itertools import combinations
from pathlib import Path
from typing import Callable, Iterator, Optional

from pydantic import BaseModel

from .errors import Location, Problem, error, warning
from .figures import PERCENT, Claim, Figure, Interval, Model, Qualifier, rounding_interval, walk
from .formatting import figure as say
from .formatting import number
from . import series, views
from .model import Edition, Province, ProvinceList

NOWHERE = Location(Path("?"))
HUNDRED = Decimal(100)


def _at(obj: Optional[Model], field: str = "", index: Optional[int] = None) -> Location:
    where = obj.where(field, index) if obj is not None else None
    return where or NOWHERE


def _ref(obj: Model, field: str = "") -> str:
    where = _at(obj, field)
    return f"{where.path.name}:{where.line}" if where.line else where.path.name


def _round(value: Optional[Decimal], mode: str) -> str:
    if value is None:
        return "−∞" if mode == ROUND_FLOOR else "+∞"
    return number(value.quantize(Decimal("0.01"), rounding=mode))


def say_interval(interval: Interval, suffix: str = "") -> str:
    """An interval for an editor: 'từ 6,48% đến 11,63%' (outward-rounded); a point as itself."""
    if interval.lo is not None and interval.lo == interval.hi:
        point = interval.lo
        return number(point if point == point.quantize(Decimal("0.01")) else point.quantize(Decimal("0.01"))) + suffix
    if interval.lo is None and interval.hi is None:
        return "bất kỳ giá trị nào"
    if interval.lo is None:
        return f"dưới {_round(interval.hi, ROUND_CEILING)}{suffix}"
    lo = _round(interval.lo, ROUND_FLOOR) + suffix
    if interval.hi is None:
        return f"từ {lo} trở lên"
    return f"từ {lo} đến {_round(interval.hi, ROUND_CEILING)}{suffix}"


# --- rules ----------------------------------------------------------------

def sources_declared(edition: Edition) -> Iterator[Problem]:
    """Every `source:` names a source declared in cluster.yaml or the reference data, once."""
    declared = edition.sources
    for key in edition.cluster.sources:
        if key in edition.reference.sources:
            yield error(_at(edition.cluster, "sources"), f"mã nguồn “{key}” được khai báo cả trong cluster.yaml "
                        f"và trong dữ liệu tham chiếu", "đổi một trong hai mã cho khác nhau")
    for owner, name, value in walk(edition):
        if name != "source":
            continue
        for index, source in enumerate((value,) if isinstance(value, str) else value or ()):
            if source not in declared:
                hint = ("các nguồn đã khai báo: " + ", ".join(sorted(declared))) if declared else \
                    "khai báo nguồn ở mục sources trong cluster.yaml"
                yield error(_at(owner, "source", index if not isinstance(value, str) else None),
                            f"nguồn “{source}” chưa được khai báo", hint)


def _label(owner: BaseModel, name: str) -> str:
    label = type(owner).model_fields[name].title or name
    return f"{label} của {owner.name}" if isinstance(owner, Province) else label


def _claim(claim: Claim, edition: Edition) -> str:
    """'xuất nhập khẩu trên 23 tỷ USD theo SGGP'."""
    source = edition.cluster.sources.get(claim.source or "")
    said = (f"{claim.measures} " if claim.measures else "") + say(claim)
    return f"{said} theo {source.publisher if source else claim.source}"


def sources_agree(edition: Edition) -> Iterator[Problem]:
    """Claims of one figure that cannot all be true, or that measure different things, are an
    error until the data records which stands and why (a resolution)."""
    for owner, name, value in walk(edition):
        if not isinstance(value, Figure):
            continue
        pairs, resolution = value.disagreements(), value.resolution
        if resolution is None:
            for one, other in pairs:
                why = "đo hai thứ khác nhau" if one.measures != other.measures else "không thể cùng đúng"
                yield error(_at(other, "value"),
                            f"các nguồn ghi {_label(owner, name)} khác nhau, {why}: {_claim(one, edition)} "
                            f"({_ref(one, 'value')}) và {_claim(other, edition)} ({_ref(other, 'value')})",
                            "kiểm tra lại hai nguồn; nếu đúng là chúng khác nhau, ghi cách giải quyết: đổi con số "
                            "thành {claims: […], resolution: {stands: <mã nguồn được dùng>, note: \"<vì sao>\"}} "
                            "(xem README)", related=[_at(one, "value")])
            continue
        if resolution.stands not in {claim.source for claim in value.claims}:
            yield error(_at(resolution, "stands"),
                        f"resolution chọn nguồn “{resolution.stands}”, nhưng {_label(owner, name)} không có "
                        f"nguồn này", "các nguồn của con số này: " + ", ".join(value.sources))
        if not pairs:
            yield warning(_at(resolution), f"{_label(owner, name)} có resolution nhưng các nguồn không khác nhau",
                          "bỏ resolution nếu không còn cần")


def _count_agrees(count: Optional[Figure], listed: int, what: str, where_list: Location) -> Iterator[Problem]:
    if count is None or count.certain is None:
        return
    span = count.certain
    if not span.intersects(Interval(Decimal(listed), Decimal(listed))):
        yield error(_at(count, "value"),
                    f"số lượng không khớp danh sách: nguồn ghi {say(count)} {what} "
                    f"({_ref(count, 'value')}), danh sách có {listed} ({where_list.path.name}:{where_list.line})",
                    "sửa con số hoặc thêm, bớt tên trong danh sách cho khớp",
                    related=[where_list])


def counts_match_lists(edition: Edition) -> Iterator[Problem]:
    """A count stated anywhere agrees with the list it counts."""
    cluster = edition.cluster
    first = next(iter(edition.provinces.values()), None)
    provinces_at = first.loc if first is not None and first.loc else NOWHERE
    if not cluster.member_count.known:
        yield warning(_at(cluster.member_count), "chưa ghi số tỉnh thành viên; bài viết sẽ hiện “bài gốc không nêu”",
                      f"ghi {{value: {len(edition.provinces)}, qualifier: exact, source: …}} nếu nguồn có nêu")
    yield from _count_agrees(cluster.member_count, len(edition.provinces), "thành viên",
                             Location(provinces_at.path, 1, 1) if provinces_at.line else provinces_at)
    if cluster.economy.provinces_grown.known and cluster.member_count.known:
        grown, members = cluster.economy.provinces_grown, cluster.member_count
        if grown.certain.above(members.certain):
            yield error(_at(grown, "value"), f"{say(grown)} có kinh tế tăng trưởng, nhiều hơn số tỉnh của cụm "
                        f"({say(members)}, {_ref(members)})", "kiểm tra lại hai con số")
    awards = cluster.awards
    lists: list[tuple[Optional[ProvinceList], str]] = [
        (cluster.new_countryside, "có 100% xã đạt chuẩn nông thôn mới"),
        (awards.government_flag if awards else None, "được đề nghị tặng Cờ thi đua"),
        (awards.pm_certificate if awards else None, "được đề nghị tặng Bằng khen"),
        (cluster.economy.exports_met_plan, "đạt và vượt kế hoạch xuất khẩu"),
    ]
    for plist, what in lists:
        if plist is None:
            continue
        yield from _count_agrees(plist.count, len(plist.provinces), what, _at(plist, "provinces"))
        seen: dict[str, int] = {}
        for index, name in enumerate(plist.provinces):
            if name in seen:
                yield error(_at(plist, "provinces", index), f"“{name}” xuất hiện hai lần trong danh sách",
                            "xóa tên bị lặp", related=[_at(plist, "provinces", seen[name])])
            seen[name] = index


def excluded_not_members(edition: Edition) -> Iterator[Problem]:
    """A place the source says is outside the cluster is not listed as a member."""
    excluded = edition.cluster.excluded
    for name in excluded.names if excluded else ():
        if name in edition.provinces:
            province = edition.provinces[name]
            yield error(_at(province), f"“{name}” được ghi là không thuộc cụm "
                        f"({_ref(excluded, 'names')}) nhưng lại có trong danh sách tỉnh",
                        "xóa tỉnh này khỏi provinces.yaml hoặc khỏi mục excluded", related=[_at(excluded, "names")])


def _ranked(edition: Edition) -> list[Province]:
    return [p for p in edition.provinces.values() if p.rank.value is not None]


def ranks_valid(edition: Edition) -> Iterator[Problem]:
    """Ranks are exact, unique and within 1..N."""
    size = len(edition.provinces)
    holder: dict[Decimal, Province] = {}
    for province in _ranked(edition):
        rank = province.rank
        if rank.qualifier is not Qualifier.EXACT:
            yield error(_at(rank, "qualifier"), f"thứ hạng của {province.name} phải là con số chính xác",
                        "ghi qualifier: exact, hoặc {qualifier: unknown} nếu nguồn không nêu")
        if not 1 <= rank.value <= size:
            yield error(_at(rank, "value"),
                        f"thứ hạng của {province.name} là {number(rank.value)}, ngoài khoảng 1–{size} "
                        f"(cụm có {size} tỉnh)", f"thứ hạng phải từ 1 đến {size}")
        if rank.value in holder:
            other = holder[rank.value]
            yield error(_at(rank, "value"),
                        f"{province.name} và {other.name} cùng xếp thứ {number(rank.value)} "
                        f"({_ref(other.rank, 'value')})",
                        "mỗi thứ hạng chỉ thuộc về một tỉnh; kiểm tra lại nguồn",
                        related=[_at(other.rank, "value")])
        holder.setdefault(rank.value, province)


def ranks_agree_with_scores(edition: Edition) -> Iterator[Problem]:
    """A better rank cannot have a lower score: an error when the certain intervals prove it,
    a warning when only the newsroom reading ("trên 945" is under 946) does."""
    scored = sorted((p for p in _ranked(edition) if p.score.known), key=lambda p: p.rank.value)
    # Every pair is compared (a contradiction may skip the ranks between), but the words are
    # made only for a pair that is wrong: formatting them for every pair made this the
    # slowest check at 60 provinces.
    for better, worse in combinations(scored, 2):
        if better.rank.value == worse.rank.value:
            continue
        same = better.score.qualifier is worse.score.qualifier is Qualifier.EXACT and \
            better.score.value == worse.score.value

        def said(better=better, worse=worse) -> str:
            return (f"{better.name} xếp thứ {number(better.rank.value)} với {say(better.score)} "
                    f"({_ref(better.score, 'value')}), {worse.name} xếp thứ {number(worse.rank.value)} với "
                    f"{say(worse.score)} ({_ref(worse.score, 'value')})")
        certain = better.score.certain, worse.score.certain
        conventional = better.score.conventional, worse.score.conventional
        if same:
            yield warning(
                _at(worse.score, "value"),
                f"{better.name} ({_ref(better.score, 'value')}) và {worse.name} cùng có {say(worse.score)} "
                f"nhưng xếp thứ {number(better.rank.value)} và thứ {number(worse.rank.value)}",
                "hai tỉnh bằng điểm thường cùng hạng; kiểm tra lại điểm hoặc thứ hạng",
                related=[_at(better.score, "value")])
        elif None not in certain and certain[0].below(certain[1]):
            yield error(
                _at(better.score, "value"),
                f"thứ hạng mâu thuẫn với điểm: {said()}; {say_interval(certain[0])} luôn thấp hơn "
                f"{say_interval(certain[1])}", "kiểm tra lại điểm hoặc thứ hạng của hai tỉnh",
                related=[_at(worse.score, "value")])
        elif None not in conventional and conventional[0].below(conventional[1]):
            yield warning(
                _at(better.score, "value"),
                f"thứ hạng có thể mâu thuẫn với điểm: {said()}; theo cách hiểu thông thường "
                f"{say_interval(conventional[0])} thấp hơn {say_interval(conventional[1])}",
                "kiểm tra lại điểm, thứ hạng, hoặc cách ghi (qualifier) của hai tỉnh",
                related=[_at(worse.score, "value")])


def _relative(base: Figure, current: Figure, rate: Figure, wording: str) -> Iterator[Problem]:
    """current = base × (1 + rate/100): an error when the certain intervals cannot reach the rate,
    a warning when only their newsroom reading cannot."""
    if not (base.known and current.known and rate.known):
        return
    if base.value == 0 and base.qualifier is Qualifier.EXACT:
        if current.certain is not None and current.certain.above(Interval(Decimal(0), Decimal(0))):
            yield error(_at(rate, "value"), f"{wording} {say(rate)} ({_ref(rate, 'value')}) không tính được "
                        f"vì con số gốc là 0 ({_ref(base, 'value')})", "kiểm tra lại con số gốc",
                        related=[_at(base, "value")])
        return
    for reading, level in (("certain", error), ("conventional", warning)):
        spans = (getattr(base, reading), getattr(current, reading), getattr(rate, reading))
        if None in spans or spans[0].lo is None or spans[0].lo <= 0:
            continue  # nothing proven, or a base that may be zero or negative: no ratio to check
        # a share of a target ("đạt 104,21% kế hoạch") is current / base; a change is that minus 100
        reachable = spans[1].ratio(spans[0]).scale(HUNDRED, Decimal(0) if rate.unit.target else -HUNDRED)
        stated = rounding_interval(rate.value) if rate.qualifier is Qualifier.EXACT else spans[2]
        if not reachable.intersects(stated):
            how = "" if reading == "certain" else "theo cách hiểu thông thường, "
            yield level(
                _at(rate, "value"),
                f"{wording} {say(rate)} ({_ref(rate, 'value')}) không khớp với hai con số được so sánh: "
                f"{how}{say(base)} ({_ref(base, 'value')}) và {say(current)} ({_ref(current, 'value')}) "
                f"cho {'tỷ lệ' if rate.unit.target else 'mức chênh'} tính được {say_interval(reachable, '%')}, "
                f"còn {say(rate)} "
                f"(đã làm tròn) là {say_interval(stated, '%')}",
                "kiểm tra lại một trong ba con số" if reading == "certain" else
                "kiểm tra lại một trong ba con số, hoặc cách ghi (qualifier) của chúng",
                related=[_at(base, "value"), _at(current, "value")])
            return


def rates_reachable(edition: Edition) -> Iterator[Problem]:
    """Growth and 'vượt … kế hoạch/dự toán' figures agree with what they relate."""
    eco = edition.cluster.economy
    yield from _relative(eco.exports_previous_year, eco.exports, eco.exports_growth,
                         "mức tăng xuất khẩu so với năm trước")
    yield from _relative(eco.exports_plan, eco.exports, eco.exports_of_plan,
                         "mức xuất khẩu so với kế hoạch")
    yield from _relative(eco.budget_estimate, eco.budget_revenue, eco.budget_of_estimate,
                         "mức thu ngân sách so với dự toán")


def dates_plausible(edition: Edition) -> Iterator[Problem]:
    """The review conference, the pact and the heads fit the edition's year."""
    cluster = edition.cluster
    conf, year = cluster.conference, cluster.year
    if conf is not None and conf.date.year != year + 1:
        yield warning(_at(conf, "date"), f"hội nghị tổng kết năm {year} lại diễn ra năm {conf.date.year}",
                      f"hội nghị tổng kết thường họp vào năm sau, tức năm {year + 1}; kiểm tra lại ngày")
    if conf is not None and conf.pact_year != year + 1:
        yield warning(_at(conf, "pact_year"), f"giao ước thi đua ký tại hội nghị tổng kết năm {year} "
                      f"lại là của năm {conf.pact_year}", f"thường là giao ước của năm {year + 1}")
    years = Counter(head.year for head in cluster.heads)
    for head in cluster.heads:
        if years[head.year] > 1:
            yield error(_at(head, "year"), f"năm {head.year} có hơn một cụm trưởng",
                        "mỗi năm chỉ có một cụm trưởng")
    if year not in years and cluster.heads:  # heads named, but not this year's
        yield warning(_at(cluster, "heads"), f"không có cụm trưởng năm {year}",
                      f"thêm một mục year: {year} vào heads")
    ctx = cluster.context
    if ctx is not None and ctx.plan_start > ctx.plan_end:
        yield error(_at(ctx, "plan_start"), f"kế hoạch bắt đầu năm {ctx.plan_start} sau năm kết thúc "
                    f"{ctx.plan_end}", "kiểm tra lại hai năm")
    movement = cluster.poverty.movement
    if movement is not None and movement.start > movement.end:
        yield error(_at(movement, "start"), f"phong trào bắt đầu năm {movement.start} sau năm kết thúc "
                    f"{movement.end}", "kiểm tra lại hai năm")


def qualifiers_sensible(edition: Edition) -> Iterator[Problem]:
    """Counts are exact; percentages stay in a believable range."""
    for owner, name, value in walk(edition):
        if not isinstance(value, Figure) or value.value is None:
            continue
        label = type(owner).model_fields[name].title or name
        if value.unit.integral and value.qualifier is not Qualifier.EXACT and name != "rank":
            yield warning(_at(value, "qualifier"), f"{label} ít khi được ghi là “{say(value)}”",
                          "kiểm tra lại qualifier: số tỉnh, số nhóm thường là exact")
        if value.unit.suffix == "%" and abs(value.value) > HUNDRED:
            yield warning(_at(value, "value"), f"{say(value)} là mức thay đổi khác thường",
                          "kiểm tra lại: giá trị ghi theo phần trăm, 6.79 nghĩa là 6,79%")
        if value.value < 0 and value.unit is not PERCENT:  # only a change can be negative
            yield error(_at(value, "value"), f"{label} không thể âm: {number(value.value)}",
                        "kiểm tra lại dấu trừ")


RULES: tuple[Callable[[Edition], Iterator[Problem]], ...] = (
    sources_declared,
    sources_agree,
    counts_match_lists,
    excluded_not_members,
    ranks_valid,
    ranks_agree_with_scores,
    rates_reachable,
    dates_plausible,
    qualifiers_sensible,
)


def check(edition: Edition) -> list[Problem]:
    """Every rule's problems, in rule order."""
    return [problem for rule in RULES for problem in rule(edition)]


# --- across editions ---------------------------------------------------------------

def same_year_agrees(editions: dict[int, Edition]) -> Iterator[Problem]:
    """A year's figure given by two editions (2023's "năm trước" and 2022's own) can be true together."""
    for quantity in series.QUANTITIES:
        by_year: dict[int, list[series.Given]] = {}
        for g in series.given(editions, quantity):
            by_year.setdefault(g.year, []).append(g)
        for year, found in by_year.items():
            first = found[0]
            for other in found[1:]:
                a, b = first.figure.certain, other.figure.certain
                if a is not None and b is not None and not a.intersects(b):
                    yield error(_at(other.figure, "value"),
                                f"{quantity.label.lower()} năm {year}: số liệu năm {other.edition} ghi "
                                f"{say(other.figure)}, nhưng số liệu năm {first.edition} ghi {say(first.figure)} "
                                f"({_ref(first.figure, 'value')}); hai con số không thể cùng đúng",
                                "kiểm tra lại cả hai nguồn; sửa con số chép sai", related=[_at(first.figure, "value")])


def heads_agree(editions: dict[int, Edition]) -> Iterator[Problem]:
    """The head named for a year in one edition is the head another edition names for that year."""
    named: dict[int, tuple[int, Model]] = {}
    for year in sorted(editions):
        for head in editions[year].cluster.heads:
            if head.year not in named:
                named[head.year] = (year, head)
                continue
            first_year, first = named[head.year]
            if first.province != head.province:
                yield error(_at(head, "province"),
                            f"cụm trưởng năm {head.year}: số liệu năm {year} ghi {head.province}, nhưng số liệu năm "
                            f"{first_year} ghi {first.province} ({_ref(first, 'province')})",
                            "mỗi năm chỉ có một cụm trưởng; kiểm tra lại nguồn của hai năm",
                            related=[_at(first, "province")])


def sources_consistent(editions: dict[int, Edition]) -> Iterator[Problem]:
    """A source id means one source in every edition: the site credits it by that id."""
    seen: dict[str, tuple[int, Model]] = {}
    for year in sorted(editions):
        for key, source in editions[year].cluster.sources.items():
            # compared as data: two copies of one declaration are one source wherever they were written
            if key in seen and seen[key][1].model_dump() != source.model_dump():
                first_year, first = seen[key]
                yield error(_at(source), f"mã nguồn “{key}” đã dùng cho một nguồn khác trong số liệu năm "
                            f"{first_year} ({_ref(first)})",
                            "đặt mã khác cho nguồn này, hoặc chép đúng khai báo của nguồn cũ",
                            related=[_at(first)])
            seen.setdefault(key, (year, source))


ACROSS: tuple[Callable[[dict[int, Edition]], Iterator[Problem]], ...] = (
    same_year_agrees, heads_agree, sources_consistent)


def check_all(editions: dict[int, Edition]) -> list[Problem]:
    """Each edition's rules, then the rules across editions."""
    views.keep_only(_CHECKED, editions.values())  # an edition object unchanged since the last build
    problems = [problem for year in sorted(editions)  # (serve) is not checked again
                for problem in views.kept(_CHECKED, editions[year], check)]
    return problems + [problem for rule in ACROSS for problem in rule(editions)]


_CHECKED: dict[int, tuple[Edition, list[Problem]]] = {}
