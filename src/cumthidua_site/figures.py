"""Qualified figures: a value, its unit, its qualifier and the interval it stands for."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cached_property
from typing import Annotated, Any, ClassVar, Optional

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, PrivateAttr, Strict, ValidationInfo,
                      field_validator, model_validator)
from pydantic_core import PydanticCustomError

from .errors import Location


class Model(BaseModel):
    """Base of every model: frozen, strict, no unknown fields, knows where it was written."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    # None rather than an empty dict: a large archive holds a hundred thousand models
    _loc: Optional[Location] = PrivateAttr(default=None)
    _field_locs: Optional[dict] = PrivateAttr(default=None)
    _item_locs: Optional[dict] = PrivateAttr(default=None)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Give each model class a `model_post_init` that copies its private defaults in one step.
        pydantic's own asks every private attribute for its default, once per level of
        subclassing (a Province three times over): two fifths of loading a large archive.
        Our defaults are constants (None, ""), so a shallow copy of one dict is the same."""
        super().__pydantic_init_subclass__(**kwargs)
        defaults = {name: private.get_default() for name, private in cls.__private_attributes__.items()}
        assert all(value is None or isinstance(value, str) for value in defaults.values()), \
            "a private default that is not a constant needs pydantic's own model_post_init"

        def model_post_init(self, context: Any, /) -> None:
            if self.__pydantic_private__ is None:
                object.__setattr__(self, "__pydantic_private__", defaults.copy())
        cls.model_post_init = model_post_init

    @model_validator(mode="wrap")
    @classmethod
    def _keep_location(cls, data: Any, handler) -> Any:
        # Located mappings from the loader carry `.loc`; keep it beside the fields.
        instance = handler(data)
        if isinstance(data, dict) and isinstance(getattr(data, "loc", None), Location):
            # into pydantic's own store of private attributes: its __setattr__ is a tenth of the load
            private = instance.__pydantic_private__
            private["_loc"] = data.loc
            # the loader's own dict and lists, not copies: nothing writes to them once read (6 MB
            # of the 10x archive's 120)
            private["_field_locs"] = getattr(data, "value_locs", None) or None
            private["_item_locs"] = {key: value.item_locs for key, value in data.items()
                                     if hasattr(value, "item_locs")} or None
        # One set per distinct set of names, shared: pydantic only reads it (a frozen model
        # is never assigned to; model_copy copies it first), and one per model would be a
        # sixth of a large archive's memory.
        found = instance.__pydantic_fields_set__
        object.__setattr__(instance, "__pydantic_fields_set__", _FIELDS_SETS.setdefault(frozenset(found), found))
        return instance

    @property
    def loc(self) -> Optional[Location]:
        """Where this object was written, when it came from a data file."""
        return self._loc

    def where(self, field: str = "", index: Optional[int] = None) -> Optional[Location]:
        """Where one of its fields' values (or one item of a list field) was written, or the object."""
        items = (self._item_locs or {}).get(field, [])
        if index is not None and index < len(items):
            return items[index]
        return (self._field_locs or {}).get(field, self._loc)


_FIELDS_SETS: dict[frozenset, set] = {}


def walk(obj: BaseModel) -> list[tuple[BaseModel, str, object]]:
    """Every (model, field name, value) in a model tree, in field order. The last tree walked is
    kept (a list): three of the checks walk each edition, and getting every field of a large
    edition takes about 1.5 ms."""
    if _WALKED and _WALKED[0][0] is obj:
        return _WALKED[0][1]
    found: list[tuple[BaseModel, str, object]] = []
    _visit(obj, found)
    _WALKED[:] = [(obj, found)]
    return found


def _visit(model: BaseModel, found: list) -> None:
    # A function of the module, not a closure calling itself: such a closure is a reference
    # cycle, and every walk's list (a large edition's thousands of tuples) waited for the cyclic
    # collector, which a build then ran more often and for longer.
    for name in type(model).model_fields:
        value = getattr(model, name)
        found.append((model, name, value))
        if isinstance(value, BaseModel):
            _visit(value, found)
        elif isinstance(value, (dict, list)):
            for item in value.values() if isinstance(value, dict) else value:
                if isinstance(item, BaseModel):
                    _visit(item, found)


_WALKED: list[tuple[BaseModel, list]] = []


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise PydanticCustomError("number_type", "phải là số")
    return Decimal(value)


Number = Annotated[Decimal, PlainValidator(_number)]


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("string_too_short", "blank")
    return text


# Line breaks, tabs and the bidirectional controls that can make text read differently
# from what it is ("Trojan Source"); the loader already refuses the other control characters.
_NOT_IN_A_LINE = frozenset("\n\r\t\v\f\x85\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _single_line(text: str) -> str:
    text = text.strip()  # the newline a YAML `>` block ends with, stray spaces
    bad = next((ch for ch in text if ch in _NOT_IN_A_LINE), None)
    if bad is not None:
        raise PydanticCustomError("single_line", "{char}", {"char": f"U+{ord(bad):04X}"})
    return text


Line = Annotated[str, AfterValidator(_single_line)]
Text = Annotated[str, AfterValidator(_single_line), AfterValidator(_not_blank)]


class Qualifier(str, Enum):
    """How the source states a figure (DESIGN.md, "Qualified figures")."""

    EXACT = "exact"
    OVER = "over"
    AT_LEAST = "at_least"
    NEARLY = "nearly"
    ABOUT = "about"
    RANGE = "range"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _QUALIFIER_LABELS[self]


_QUALIFIER_LABELS = {
    Qualifier.EXACT: "chính xác: đúng con số nguồn ghi",
    Qualifier.OVER: "“trên X”, “hơn X”: lớn hơn X, nguồn không nói lớn hơn bao nhiêu",
    Qualifier.AT_LEAST: "“từ X trở lên”: bằng hoặc lớn hơn X",
    Qualifier.NEARLY: "“gần X”: nhỏ hơn X, nguồn không nói nhỏ hơn bao nhiêu",
    Qualifier.ABOUT: "“khoảng X”: xấp xỉ X, có thể lớn hơn hoặc nhỏ hơn",
    Qualifier.RANGE: "“từ X đến Y” trên một nhóm tỉnh: thấp nhất X, cao nhất Y",
    Qualifier.UNKNOWN: "nguồn không nêu",
}


@dataclass(frozen=True)
class Unit:
    """A unit as Vietnamese news writes it after a number."""

    key: str
    label: str
    suffix: str  # appended to the number: "938,21 điểm", "6,7%"
    integral: bool = False
    short: str = ""  # in a list where the context says the rest: "81,75 triệu đồng"
    target: str = ""  # for a share of a target ("kế hoạch"): may be said as "vượt X% kế hoạch"
    # Other units a source may write the figure in, as (label, suffix, value of one in this unit):
    # exports in "triệu USD" are kept as written and compared in "tỷ USD".
    alternatives: tuple[tuple[str, str, Decimal], ...] = ()

    def alternative(self, label: str) -> Optional[tuple[str, str, Decimal]]:
        return next((alt for alt in self.alternatives if alt[0] == label), None)

    @property
    def short_suffix(self) -> str:
        return self.short or self.suffix


POINTS = Unit("diem", "điểm", " điểm")
RANK = Unit("hang", "hạng", "", integral=True)
PERCENT = Unit("phan-tram", "phần trăm", "%")
PERCENT_OF_PLAN = Unit("phan-tram-ke-hoach", "phần trăm kế hoạch", "% kế hoạch", short="%", target="kế hoạch")
PERCENT_OF_ESTIMATE = Unit("phan-tram-du-toan", "phần trăm dự toán", "% dự toán", short="%", target="dự toán")
BILLION_VND = Unit("ty-dong", "tỷ đồng", " tỷ đồng")
BILLION_USD = Unit("ty-usd", "tỷ USD", " tỷ USD", alternatives=(("triệu USD", " triệu USD", Decimal("0.001")),))
MILLION_VND_PER_PERSON = Unit("trieu-dong-nguoi-nam", "triệu đồng/người/năm", " triệu đồng/người/năm",
                              short=" triệu đồng")
PROVINCES = Unit("tinh", "tỉnh", " tỉnh", integral=True)
POLICY_GROUPS = Unit("nhom-chinh-sach", "nhóm chính sách", " nhóm chính sách", integral=True)


@dataclass(frozen=True)
class Interval:
    """A set of reals between two bounds; a None bound is infinite."""

    lo: Optional[Decimal]
    hi: Optional[Decimal]
    lo_closed: bool = True
    hi_closed: bool = True

    def __str__(self) -> str:
        left = "(−∞" if self.lo is None else (f"[{self.lo}" if self.lo_closed else f"({self.lo}")
        right = "+∞)" if self.hi is None else (f"{self.hi}]" if self.hi_closed else f"{self.hi})")
        return f"{left}; {right}"

    def below(self, other: Interval) -> bool:
        """Every value here is smaller than every value of `other`."""
        if self.hi is None or other.lo is None:
            return False
        return self.hi < other.lo or (self.hi == other.lo and not (self.hi_closed and other.lo_closed))

    def above(self, other: Interval) -> bool:
        return other.below(self)

    def intersects(self, other: Interval) -> bool:
        return not (self.below(other) or other.below(self))

    def ratio(self, other: Interval) -> Interval:
        """self / other, for a divisor known to be positive (other.lo > 0); None bounds are infinite."""
        if self.lo is None:
            lo, lo_closed = None, False
        elif other.hi is None:  # an unbounded divisor drives the ratio towards 0
            lo, lo_closed = Decimal(0), False
        else:
            lo, lo_closed = self.lo / other.hi, self.lo_closed and other.hi_closed
        hi = None if self.hi is None else self.hi / other.lo
        return Interval(lo, hi, lo_closed, self.hi_closed and other.lo_closed)

    def scale(self, factor: Decimal, shift: Decimal = Decimal(0)) -> Interval:
        """self * factor + shift, for a positive factor."""
        return Interval(
            None if self.lo is None else self.lo * factor + shift,
            None if self.hi is None else self.hi * factor + shift,
            self.lo_closed, self.hi_closed)


class Comparison(Enum):
    """What two certain intervals prove about each other; words are chosen when formatting."""

    HIGHER = "higher"
    LOWER = "lower"
    SAME = "same"  # both the same single value
    UNPROVEN = "unproven"


def compare(a: Optional[Interval], b: Optional[Interval]) -> Comparison:
    """HIGHER or LOWER only where every value of `a` is above (below) every value of `b`."""
    if a is None or b is None:
        return Comparison.UNPROVEN
    if a.above(b):
        return Comparison.HIGHER
    if a.below(b):
        return Comparison.LOWER
    if a.lo is not None and a.lo == a.hi == b.lo == b.hi:
        return Comparison.SAME
    return Comparison.UNPROVEN


def last_digit_step(value: Decimal) -> Decimal:
    """One unit of the last written digit: 23 -> 1, 21.5 -> 0.1, 938.21 -> 0.01 (rounding of a stated rate)."""
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(min(int(exponent), 0))


def place_value(value: Decimal) -> Decimal:
    """p, the place of the last non-zero digit: 98000 -> 1000, 21.5 -> 0.1, 945 -> 1, 0 -> 1."""
    if value == 0:
        return Decimal(1)
    return Decimal(1).scaleb(int(value.normalize().as_tuple().exponent))


def rounding_interval(value: Decimal) -> Interval:
    """The values that round to `value` as written: 6.79 -> [6.785; 6.795)."""
    half = last_digit_step(value) / 2
    return Interval(value - half, value + half, True, False)


class Claim(Model):
    """What one source says of a figure: the number, how it puts it, and who says it."""

    unit: ClassVar[Unit] = Unit("", "", "")

    value: Optional[Number] = None
    to: Optional[Number] = None  # the highest value of a range; `value` is then the lowest
    qualifier: Annotated[Qualifier, Strict(False)]
    source: Optional[str] = None
    measures: Line = ""  # what this source says it measures, where that is not the field's own label
    said_above: bool = False  # written `above: X`, "vượt X% kế hoạch": the value is 100 + X
    written_in: Line = ""  # written `unit: triệu USD`: the value is kept in the field's own unit

    @model_validator(mode="before")
    @classmethod
    def _other_unit(cls, data: Any) -> Any:
        """`{value: 17899, unit: triệu USD}` is `{value: 17.899}` in tỷ USD, shown as the source wrote it."""
        if not isinstance(data, dict) or "unit" not in data:
            return data
        alt = cls.unit.alternative(data["unit"]) if isinstance(data["unit"], str) else None
        if alt is None:
            raise PydanticCustomError("unit_unknown", "{units}", {
                "units": ", ".join([cls.unit.label] + [a[0] for a in cls.unit.alternatives])})
        rest = {k: v for k, v in data.items() if k != "unit"}
        for key in ("value", "to"):
            given = rest.get(key)
            if given is not None and not isinstance(given, bool) and isinstance(given, (int, Decimal)):
                rest[key] = Decimal(given) * alt[2]
        return {**rest, "written_in": alt[0]}

    @model_validator(mode="before")
    @classmethod
    def _above(cls, data: Any) -> Any:
        """`{above: 4.21}` ("vượt 4,21% kế hoạch") is `{value: 104.21}` ("đạt 104,21% kế hoạch") said another way."""
        if not isinstance(data, dict) or "above" not in data:
            return data
        if not cls.unit.target or "value" in data:
            raise PydanticCustomError("above_misplaced", "above")
        above = data["above"]
        if isinstance(above, bool) or not isinstance(above, (int, Decimal)):
            raise PydanticCustomError("number_type", "phải là số")
        return {**{k: v for k, v in data.items() if k != "above"}, "value": Decimal(100) + Decimal(above),
                "said_above": True}

    @field_validator("value", "to")
    @classmethod
    def _whole(cls, value: Optional[Decimal], info: ValidationInfo) -> Optional[Decimal]:
        if value is not None and cls.unit.integral and value != value.to_integral_value():
            raise PydanticCustomError("whole_number", "phải là số nguyên")
        if value is not None and cls.unit.integral:
            return value.quantize(Decimal(1))
        return value

    @model_validator(mode="after")
    def _value_matches_qualifier(self) -> Claim:
        if self.qualifier is Qualifier.UNKNOWN and self.value is not None:
            raise PydanticCustomError("unknown_with_value", "unknown")
        if self.qualifier is not Qualifier.UNKNOWN and self.value is None:
            raise PydanticCustomError("value_missing", "value")
        if self.qualifier is not Qualifier.UNKNOWN and not self.source:
            raise PydanticCustomError("source_missing", "source")
        if self.qualifier is Qualifier.RANGE and (self.to is None or self.to < self.value):
            raise PydanticCustomError("range_to", "to")
        if self.qualifier is not Qualifier.RANGE and self.to is not None:
            raise PydanticCustomError("to_without_range", "to")
        return self

    @property
    def known(self) -> bool:
        return self.qualifier is not Qualifier.UNKNOWN

    @property
    def certain(self) -> Optional[Interval]:
        """What the source proves: None when it proves no bound ("khoảng X") or says nothing."""
        v, q = self.value, self.qualifier
        if q is Qualifier.EXACT:
            return Interval(v, v)
        if q is Qualifier.OVER:
            return Interval(v, None, lo_closed=False)
        if q is Qualifier.AT_LEAST:
            return Interval(v, None)
        if q is Qualifier.NEARLY:
            return Interval(None, v, hi_closed=False)
        if q is Qualifier.RANGE:
            return Interval(v, self.to)
        return None  # about, unknown

    @property
    def conventional(self) -> Optional[Interval]:
        """The newsroom reading, for warnings only: "trên 98.000" is probably under 99.000."""
        v, q = self.value, self.qualifier
        if q is Qualifier.OVER:
            return Interval(v, v + place_value(v), lo_closed=False, hi_closed=False)
        if q is Qualifier.NEARLY:
            return Interval(v - place_value(v), v, hi_closed=False)
        if q is Qualifier.ABOUT:
            return Interval(v - place_value(v), v + place_value(v))
        return self.certain


class Resolution(Model):
    """How the editor settled sources that disagree: whose claim the site shows, and why."""

    stands: Line
    note: Text


def _tighter_lo(a: Interval, b: Interval) -> Interval:
    """Of two intervals, the one with the higher (or, tied, open) lower bound."""
    if b.lo is None:
        return a
    if a.lo is None or b.lo > a.lo or (b.lo == a.lo and not b.lo_closed):
        return b
    return a


def _tighter_hi(a: Interval, b: Interval) -> Interval:
    if b.hi is None:
        return a
    if a.hi is None or b.hi < a.hi or (b.hi == a.hi and not b.hi_closed):
        return b
    return a


def _meet(claims: list[Claim]) -> tuple[tuple[Claim, Interval], tuple[Claim, Interval]]:
    """The claims with the tightest lower and the tightest upper bound: together, the intersection.

    Linear, so that a figure with thousands of claims costs thousands of steps, not millions.
    """
    lo = hi = (claims[0], claims[0].certain)
    for claim in claims[1:]:
        span = claim.certain
        if _tighter_lo(lo[1], span) is span:
            lo = (claim, span)
        if _tighter_hi(hi[1], span) is span:
            hi = (claim, span)
    return lo, hi


class Figure(Model):
    """A figure: what one source says of it, or several; the unit comes from the subclass.

    Written as one claim (`{value: 98000, qualifier: over, source: …}`), a list of claims,
    or `{claims: […], resolution: {stands: …, note: …}}` when sources disagree. The
    figure reads as the claim it shows: the narrowest that every other claim allows, or
    the one the resolution says stands.
    """

    unit: ClassVar[Unit] = Unit("", "", "")

    claims: list[Claim] = Field(min_length=1)
    resolution: Optional[Resolution] = None


    @model_validator(mode="before")
    @classmethod
    def _as_claims(cls, data: Any) -> Any:
        if isinstance(data, list):
            return {"claims": data}
        if isinstance(data, dict) and "claims" not in data and "resolution" not in data:
            return {"claims": [data]}
        return data

    @property
    def loc(self) -> Optional[Location]:
        return self._loc or self.claims[0].loc

    def where(self, field: str = "", index: Optional[int] = None) -> Optional[Location]:
        """Where the shown claim's field was written (or the figure, or one of its own fields)."""
        if field in type(self.shown).model_fields:
            return self.shown.where(field, index)
        return super().where(field, index) or self.loc

    @cached_property  # read on every page that shows the figure: a plain attribute once chosen
    def shown(self) -> Claim:
        """The claim the site shows (chosen once)."""
        return self._choose()

    def _choose(self) -> Claim:
        if self.resolution is not None:
            standing = next((c for c in self.claims if c.source == self.resolution.stands), None)
            if standing is not None:
                return standing
        known = [c for c in self.claims if c.known]
        proving = [c for c in known if c.certain is not None]
        if proving:  # the claim whose interval is the intersection of all: every other claim allows it
            (_, lo), (_, hi) = _meet(proving)
            meet = Interval(lo.lo, hi.hi, lo.lo_closed, hi.hi_closed)
            narrowest = next((c for c in proving if c.certain == meet), None)
            if narrowest is not None:
                return narrowest
        return known[0] if known else self.claims[0]

    @property
    def value(self) -> Optional[Decimal]:
        return self.shown.value

    @property
    def to(self) -> Optional[Decimal]:
        return self.shown.to

    @property
    def qualifier(self) -> Qualifier:
        return self.shown.qualifier

    @property
    def source(self) -> Optional[str]:
        return self.shown.source

    @property
    def said_above(self) -> bool:
        return self.shown.said_above

    @property
    def written_in(self) -> str:
        return self.shown.written_in

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source that gives this figure, the shown claim's first."""
        ids = [self.shown.source] + [c.source for c in self.claims]
        return tuple(dict.fromkeys(i for i in ids if i))

    @property
    def known(self) -> bool:
        return self.shown.known

    @property
    def certain(self) -> Optional[Interval]:
        return self.shown.certain

    @property
    def conventional(self) -> Optional[Interval]:
        return self.shown.conventional

    def in_own_unit(self) -> Figure:
        """The figure as its field's unit says it (17.899 triệu USD as 17,899 tỷ USD), to stand beside others."""
        if not self.written_in:
            return self
        return type(self)(claims=[self.shown.model_copy(update={"written_in": ""})])

    def with_value(self, value: Decimal) -> Figure:
        """This figure as its shown claim, with another number (a magnitude for 'giảm 2%')."""
        return type(self)(claims=[self.shown.model_copy(update={"value": value})])

    def disagreements(self) -> list[tuple[Claim, Claim]]:
        """Pairs of claims that cannot both be true, or that measure different things: each claim
        against the first one written, and among the others only when none disagrees with it."""
        known = [c for c in self.claims if c.known]
        if len(known) < 2:
            return []
        with_first = [(known[0], other) for other in known[1:] if _apart(known[0], other)]
        if with_first:
            return with_first
        proving = [c for c in known if c.certain is not None]
        if len(proving) < 2:
            return []
        (high, _), (low, _) = _meet(proving)  # on a line, pairwise meeting means all meet
        return [(low, high)] if _apart(low, high) else []


def _apart(one: Claim, other: Claim) -> bool:
    """Two claims that cannot both be true, or that measure different things."""
    disjoint = None not in (one.certain, other.certain) and not one.certain.intersects(other.certain)
    return disjoint or one.measures != other.measures


def _figure(name: str, unit: Unit) -> type[Figure]:
    """A figure class for one unit, with the claim class that checks whole numbers for it."""
    claim = type(f"{name}Claim", (Claim,), {"__annotations__": {"unit": ClassVar[Unit]}, "unit": unit,
                                              "__module__": __name__, "__qualname__": f"{name}Claim"})
    return type(name, (Figure,), {"__annotations__": {"unit": ClassVar[Unit], "claims": list[claim]},
                                  "unit": unit, "claims": Field(min_length=1),
                                  "__module__": __name__, "__qualname__": name})


def unknown(figure: type[Figure]) -> Figure:
    """A figure no source gives: the default of every figure an edition may leave out."""
    return figure.model_validate({"qualifier": "unknown"})


Points = _figure("Points", POINTS)
PercentOfEstimate = _figure("PercentOfEstimate", PERCENT_OF_ESTIMATE)
Rank = _figure("Rank", RANK)
Percent = _figure("Percent", PERCENT)
PercentOfPlan = _figure("PercentOfPlan", PERCENT_OF_PLAN)
BillionVnd = _figure("BillionVnd", BILLION_VND)
BillionUsd = _figure("BillionUsd", BILLION_USD)
MillionVndPerPerson = _figure("MillionVndPerPerson", MILLION_VND_PER_PERSON)
ProvinceCount = _figure("ProvinceCount", PROVINCES)
PolicyGroupCount = _figure("PolicyGroupCount", POLICY_GROUPS)
