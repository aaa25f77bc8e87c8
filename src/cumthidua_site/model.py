"""Typed, frozen objects for the site, the reference data and each edition; validated with pydantic, no I/O."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from typing import Annotated, Any, Optional
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .figures import Line, Text, _not_blank, _single_line  # noqa: F401 - Line, Text defined with the figures
from .figures import unknown
from .figures import (BillionUsd, BillionVnd, MillionVndPerPerson, Model, Percent, PercentOfEstimate, PercentOfPlan,
                      PolicyGroupCount, Points, ProvinceCount, Rank)

# Characters that look like Vietnamese letters but are not: the usual copy-paste traps
# (Ð from Icelandic keyboards and PDFs, Cyrillic and Greek letters from converted documents).
LOOKALIKES = {
    "\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ",
    "\u0410": "A", "\u0430": "a", "\u0412": "B", "\u0421": "C", "\u0441": "c", "\u0415": "E",
    "\u0435": "e", "\u041d": "H", "\u041a": "K", "\u041c": "M", "\u041e": "O", "\u043e": "o",
    "\u0420": "P", "\u0440": "p", "\u0422": "T", "\u0425": "X", "\u0445": "x", "\u0443": "y",
    "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0397": "H", "\u039a": "K", "\u039c": "M",
    "\u039d": "N", "\u039f": "O", "\u03bf": "o", "\u03a4": "T",
}


def fold(name: str) -> str:
    """A name without case, diacritics or look-alikes, for matching misspellings."""
    name = "".join(LOOKALIKES.get(ch, ch) for ch in unicodedata.normalize("NFC", name)
                   if unicodedata.category(ch) != "Cf")
    name = name.replace("Đ", "D").replace("đ", "d").replace("–", "-").replace("—", "-")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", name) if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def nearest(name: str, candidates) -> Optional[str]:
    """The candidate an editor most probably meant, or None."""
    folded = {fold(c): c for c in candidates}
    if fold(name) in folded:
        return folded[fold(name)]
    match = difflib.get_close_matches(fold(name), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def _lookalike_note(name: str) -> str:
    """Say which character only looks right, so the editor can retype it."""
    for ch in name:
        if ch in LOOKALIKES:
            right = LOOKALIKES[ch]
            return (f" (chữ {ch} U+{ord(ch):04X} ở đây chỉ trông giống chữ {right} "
                    f"U+{ord(right):04X}; hãy gõ lại chữ này)")
        if unicodedata.category(ch) in ("Cf", "Zs") and ch != " ":
            return f" (có ký tự vô hình U+{ord(ch):04X} trong tên; hãy gõ lại tên)"
    return ""


def _unknown_name(name: str, candidates, what: str) -> PydanticCustomError:
    guess = nearest(name, candidates)
    hint = f"có phải “{guess}”?{_lookalike_note(name)}" if guess else \
        "các tỉnh: " + ", ".join(sorted(candidates))
    return PydanticCustomError("province_unknown", "{what}", {"what": what, "hint": hint})


def _real_province(name: str, info: ValidationInfo) -> str:
    """A province of the reference list (data/reference/provinces.yaml), passed as validation context."""
    provinces = (info.context or {}).get("provinces", ())
    if provinces and name not in provinces:
        merged = (info.context or {}).get("merged", {}).get(name)
        if merged is not None:  # it existed, but not in this edition's year
            into, since = merged
            raise PydanticCustomError("province_unknown", "{what}", {
                "what": f"“{name}” không còn là một tỉnh từ {since.day}/{since.month}/{since.year}, "
                        f"khi trở thành một phần của {into}",
                "hint": f"các năm từ {since.year} dùng tên tỉnh, thành phố sau sắp xếp: {into}"})
        raise _unknown_name(name, provinces, f"“{name}” không phải tên một tỉnh, thành phố")
    return name


def _member(name: str, info: ValidationInfo) -> str:
    members = (info.context or {}).get("members", ())
    provinces = (info.context or {}).get("provinces", ())
    if name not in members:
        if name in provinces and members:
            raise PydanticCustomError("province_not_member", "{what}", {
                "what": f"“{name}” không phải thành viên của cụm",
                "hint": "các tỉnh trong cụm được liệt kê trong provinces.yaml"})
        raise _unknown_name(name, members or provinces,
                            f"“{name}” không phải tên một tỉnh trong cụm")
    return name


ProvinceName = Annotated[str, AfterValidator(_real_province)]
MemberName = Annotated[str, AfterValidator(_member)]
# Characters a web address never holds unencoded (RFC 3986), and whitespace of any kind.
_NOT_IN_A_URL = re.compile(r'[\s<>"`{}|\\^\x00-\x1f\x7f\u2028\u2029]')


def _web_address(url: str) -> str:
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or _NOT_IN_A_URL.search(url):
        raise PydanticCustomError("web_address", "url")
    return url


SourceId = Line


def _one_or_more(value: Any) -> Any:
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, list) else value


# `source: bao-kien-giang` or `source: [bao-kien-giang, sggp]`: every source that gives a fact.
SourceIds = Annotated[tuple[SourceId, ...], BeforeValidator(_one_or_more)]
Url = Annotated[str, AfterValidator(_web_address)]


# --- site ----------------------------------------------------------------

class Publisher(Model):
    name: Text = Field(title="tên đơn vị thực hiện")
    url: Url = Field("", title="trang chủ của đơn vị")


class Licence(Model):
    name: Text = Field(title="tên giấy phép")
    url: Annotated[Text, AfterValidator(_web_address)] = Field(title="địa chỉ giấy phép")
    note: Line = Field("", title="ghi chú về giấy phép")


class Site(Model):
    """Site-wide settings from data/site.yaml."""

    title: Text = Field(title="tên trang")
    description: Text = Field(title="mô tả trang")
    base_url: str = Field("", title="địa chỉ đăng trang")
    legacy_year: Optional[int] = Field(None, title="năm số liệu của các địa chỉ cũ")
    publisher: Publisher = Field(title="đơn vị thực hiện")
    licence: Licence = Field(title="giấy phép")

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if value:
            try:
                _web_address(value)
            except PydanticCustomError:
                raise PydanticCustomError("base_url", "base_url") from None
            if not value.endswith("/"):
                raise PydanticCustomError("base_url", "base_url")
        return value


# --- cluster -------------------------------------------------------------

class Source(Model):
    """A report or document the figures and facts come from; a web address when it has one."""

    publisher: Text = Field(title="cơ quan báo chí hay cơ quan ban hành")
    short: Line = Field("", title="tên viết tắt, để đánh dấu con số lấy từ nguồn này")
    title: Text = Field(title="tên bài hay tên văn bản")
    authors: list[Text] = Field([], title="tác giả")
    photographers: list[Text] = Field([], title="người chụp ảnh")
    url: Url = Field("", title="địa chỉ bài")
    published: Optional[dt.date] = Field(None, title="ngày đăng hay ngày ban hành")
    published_note: Line = Field("", title="thời gian đăng khi không biết ngày")
    number: Line = Field("", title="số hiệu văn bản")
    note: Line = Field("", title="ghi chú về nguồn")

    @model_validator(mode="after")
    def _findable(self) -> Source:
        if not (self.url or self.published or self.published_note or self.number):
            raise PydanticCustomError("source_unfindable", "source")
        return self


class Excluded(Model):
    names: list[ProvinceName] = Field(title="địa phương không thuộc cụm")
    source: SourceIds = Field(title="nguồn")


class Person(Model):
    """Someone a source names, with the role it gives."""

    name: Text = Field(title="họ tên")
    role: Line = Field("", title="chức vụ")
    source: SourceIds = Field(title="nguồn")


class Directive(Model):
    """A document the provinces committed to (Chỉ thị số 19/CT-TTg)."""

    number: Text = Field(title="số hiệu")
    kind: Text = Field(title="loại văn bản")
    issuer: Line = Field("", title="cơ quan, người ban hành")
    issued: Optional[dt.date] = Field(None, title="ngày ban hành")
    source: SourceIds = Field(title="nguồn")


class Preparation(Model):
    """What a preparatory meeting agreed before the conference."""

    decided: list[Text] = Field(title="nội dung đã thông qua")
    agenda: list[Text] = Field([], title="chương trình hội nghị")
    source: SourceIds = Field(title="nguồn")


class Conference(Model):
    date: dt.date = Field(title="ngày hội nghị")
    time_of_day: Line = Field("", title="buổi")
    year_inferred: bool = Field(title="năm do suy ra")
    year_reason: Line = Field("", title="lý do suy ra năm")
    place: MemberName = Field(title="nơi tổ chức")
    city: Line = Field("", title="thành phố, thị xã nơi họp")
    pact_year: int = Field(title="năm của giao ước thi đua")
    attendees: list[Person] = Field([], title="đại biểu dự")
    pact_directive: Optional[Directive] = Field(None, title="văn bản các tỉnh cam kết thực hiện")
    preparation: Optional[Preparation] = Field(None, title="cuộc họp chuẩn bị")
    source: SourceIds = Field(title="nguồn")


class Context(Model):
    resolution_year: int = Field(title="năm thứ mấy thực hiện nghị quyết")
    congress: Text = Field(title="đại hội Đảng lần thứ")
    plan_start: int = Field(title="năm đầu kế hoạch 5 năm")
    plan_end: int = Field(title="năm cuối kế hoạch 5 năm")
    source: SourceIds = Field(title="nguồn")


class ProvinceList(Model):
    """A list of member provinces the source names, with the count it states, if any."""

    name: Line = Field("", title="tên")
    count: Optional[ProvinceCount] = Field(None, title="số tỉnh nguồn nêu")
    provinces: list[MemberName] = Field(title="danh sách tỉnh")
    source: SourceIds = Field(title="nguồn")


class NamedProvince(Model):
    """One member the source names for something, without a figure ("cao nhất là Bạc Liêu")."""

    province: MemberName = Field(title="tỉnh")
    source: SourceIds = Field(title="nguồn")


class Economy(Model):
    """Cluster-wide figures; an edition gives those its sources give, the rest are unknown."""

    grdp_growth: Percent = Field(default_factory=lambda: unknown(Percent), title="tăng trưởng kinh tế bình quân các tỉnh")
    national_grdp_growth: Percent = Field(default_factory=lambda: unknown(Percent), title="tăng trưởng kinh tế bình quân cả nước")
    budget_revenue: BillionVnd = Field(default_factory=lambda: unknown(BillionVnd), title="thu ngân sách toàn cụm")
    budget_of_estimate: PercentOfEstimate = Field(default_factory=lambda: unknown(PercentOfEstimate), title="thu ngân sách so với dự toán")
    budget_of_plan: PercentOfPlan = Field(default_factory=lambda: unknown(PercentOfPlan), title="thu ngân sách so với kế hoạch")
    budget_estimate: BillionVnd = Field(default_factory=lambda: unknown(BillionVnd), title="dự toán thu ngân sách")
    exports: BillionUsd = Field(default_factory=lambda: unknown(BillionUsd), title="kim ngạch xuất khẩu")
    exports_previous_year: BillionUsd = Field(default_factory=lambda: unknown(BillionUsd), title="kim ngạch xuất khẩu năm trước")
    exports_growth: Percent = Field(default_factory=lambda: unknown(Percent), title="tăng trưởng xuất khẩu so với năm trước")
    exports_of_plan: PercentOfPlan = Field(default_factory=lambda: unknown(PercentOfPlan), title="xuất khẩu so với kế hoạch")
    exports_plan: BillionUsd = Field(default_factory=lambda: unknown(BillionUsd), title="kế hoạch xuất khẩu")
    social_investment: BillionVnd = Field(default_factory=lambda: unknown(BillionVnd), title="tổng vốn đầu tư toàn xã hội")
    social_investment_of_plan: PercentOfPlan = Field(default_factory=lambda: unknown(PercentOfPlan), title="vốn đầu tư toàn xã hội so với kế hoạch")
    public_investment_disbursement: Percent = Field(default_factory=lambda: unknown(Percent), title="tỷ lệ giải ngân vốn đầu tư công của các tỉnh")
    provinces_grown: ProvinceCount = Field(default_factory=lambda: unknown(ProvinceCount), title="số tỉnh có kinh tế tăng trưởng")
    fastest_growth: Optional[NamedProvince] = Field(None, title="tỉnh tăng trưởng kinh tế cao nhất")
    exports_met_plan: Optional[ProvinceList] = Field(None, title="tỉnh đạt và vượt kế hoạch xuất khẩu")
    income_per_capita: MillionVndPerPerson = Field(default_factory=lambda: unknown(MillionVndPerPerson), title="thu nhập bình quân đầu người của cụm")


class Movement(Model):
    name: Text = Field(title="tên phong trào")
    start: int = Field(title="năm bắt đầu")
    end: int = Field(title="năm kết thúc")
    policy_groups: PolicyGroupCount = Field(title="số nhóm chính sách hỗ trợ")
    source: SourceIds = Field(title="nguồn")


class Poverty(Model):
    others_reduction: PercentOfPlan = Field(default_factory=lambda: unknown(PercentOfPlan),
                                            title="mức giảm tỷ lệ hộ nghèo của các tỉnh còn lại")
    movement: Optional[Movement] = Field(None, title="phong trào giảm nghèo")


class Awards(Model):
    government_flag: ProvinceList = Field(title="đề nghị tặng Cờ thi đua của Chính phủ")
    pm_certificate: ProvinceList = Field(title="đề nghị tặng Bằng khen của Thủ tướng")


class Head(Model):
    year: int = Field(title="năm làm cụm trưởng")
    province: MemberName = Field(title="tỉnh cụm trưởng")
    leader: Line = Field("", title="người đứng đầu")
    leader_role: Line = Field("", title="chức vụ")
    source: SourceIds = Field(title="nguồn")


class Cluster(Model):
    """Cluster-wide facts and figures from data/<edition>/cluster.yaml."""

    name: Text = Field(title="tên cụm thi đua")
    short_name: Text = Field(title="tên ngắn của cụm")
    year: int = Field(title="năm tổng kết")
    sources: dict[SourceId, Source] = Field({}, title="nguồn tin")
    member_count: ProvinceCount = Field(default_factory=lambda: unknown(ProvinceCount), title="số tỉnh thành viên")
    excluded: Optional[Excluded] = Field(None, title="địa phương không thuộc cụm")
    conference: Optional[Conference] = Field(None, title="hội nghị tổng kết")
    context: Optional[Context] = Field(None, title="bối cảnh")
    economy: Economy = Field(default_factory=Economy, title="kinh tế toàn cụm")
    poverty: Poverty = Field(default_factory=Poverty, title="giảm nghèo")
    new_countryside: Optional[ProvinceList] = Field(None, title="tỉnh có 100% xã đạt chuẩn nông thôn mới")
    awards: Optional[Awards] = Field(None, title="khen thưởng")
    heads: list[Head] = Field([], title="cụm trưởng")


# --- provinces -----------------------------------------------------------

class Province(Model):
    """One member province's figures from data/<edition>/provinces.yaml."""

    _name: str = PrivateAttr(default="")

    rank: Rank = Field(default_factory=lambda: unknown(Rank), title="thứ hạng")
    score: Points = Field(default_factory=lambda: unknown(Points), title="điểm thi đua")
    income_per_capita: MillionVndPerPerson = Field(default_factory=lambda: unknown(MillionVndPerPerson),
                                                   title="thu nhập bình quân đầu người")
    poverty_reduction: PercentOfPlan = Field(default_factory=lambda: unknown(PercentOfPlan),
                                             title="giảm tỷ lệ hộ nghèo so với kế hoạch")

    @property
    def name(self) -> str:
        """The province's name: its key in provinces.yaml."""
        # Read from pydantic's own dict: `self._name` goes through BaseModel.__getattr__, 30 times
        # slower, and the pages ask for names hundreds of thousands of times in a large build.
        return self.__pydantic_private__["_name"]


class Change(Model):
    """From `since`, the provinces in `from` together form `into` (a merger of provinces)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)

    since: dt.date = Field(title="từ ngày")
    into: Text = Field(title="tỉnh, thành phố mới")
    parts: list[ProvinceName] = Field(alias="from", title="các tỉnh hợp thành")
    source: SourceIds = Field(title="nguồn")


class Reference(Model):
    """Facts that are not news, from data/reference/provinces.yaml: the provinces and their changes."""

    sources: dict[SourceId, Source] = Field(title="nguồn")
    provinces: list[Text] = Field(title="các tỉnh, thành phố")
    changes: list[Change] = Field([], title="các lần sắp xếp")

    def existing(self, year: int) -> tuple[str, ...]:
        """The provinces as they stood at the end of `year`: merged ones give way to what they formed."""
        names = list(self.provinces)
        for change in sorted(self.changes, key=lambda c: c.since):
            if change.since.year <= year:
                names = [n for n in names if n not in change.parts] + [change.into]
        return tuple(dict.fromkeys(names))

    def merged_by(self, year: int) -> dict[str, tuple[str, dt.date]]:
        """Provinces gone by the end of `year`: what each became, and since when."""
        existing = set(self.existing(year))
        return {name: (change.into, change.since) for change in self.changes if change.since.year <= year
                for name in change.parts if name not in existing}

    def change_of(self, name: str) -> Optional[Change]:
        """The latest change that merged a province into another unit, if the data records one."""
        found = [c for c in self.changes if name in c.parts]
        return max(found, key=lambda c: c.since) if found else None


class Edition(Model):
    """One year's review of the cluster (data/<year>/), validated and cross-referenced,
    with the reference data it was checked against."""

    cluster: Cluster
    provinces: dict[ProvinceName, Province]
    reference: Reference

    @property
    def year(self) -> int:
        return self.cluster.year

    @property
    def sources(self) -> dict[str, Source]:
        """Every source, the edition's and the reference data's, by id."""
        return {**self.cluster.sources, **self.reference.sources}

    @model_validator(mode="after")
    def _name_provinces(self) -> Edition:
        for name, province in self.provinces.items():
            province._name = name
        return self

    @property
    def members(self) -> list[Province]:
        return list(self.provinces.values())

    def province(self, name: str) -> Province:
        return self.provinces[name]

    def poverty_reduction(self, province: Province) -> PercentOfPlan:
        """A province's own figure, or the floor stated for the unnamed rest."""
        if province.poverty_reduction.known:
            return province.poverty_reduction
        return self.cluster.poverty.others_reduction


class Article(Model):
    """The front matter of data/<edition>/article.md; each text may hold template expressions."""

    title: Text = Field(title="tít bài")
    sapo: Text = Field(title="sapo")
    byline: Text = Field(title="tác giả")
    published: dt.date = Field(title="ngày đăng")
    modified: Optional[dt.date] = Field(None, title="ngày cập nhật")
