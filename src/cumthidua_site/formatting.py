"""Vietnamese numbers, percents, money, dates and lists (Babel's 'vi' locale)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache
from decimal import Decimal
from typing import Iterable, Optional, Union

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import parse_pattern
from slugify import slugify

from . import figures
from .figures import Comparison, Figure, Interval, Qualifier

LOCALE = "vi"
_VI = Locale.parse(LOCALE)  # parsed once: Babel parses a locale given by name on every call
UNKNOWN = "bài gốc không nêu"  # what our source does not give; never "chưa công bố"

Numeric = Union[int, Decimal]


def number(value: Numeric) -> str:
    """98000 -> '98.000'; 938.21 -> '938,21'; keeps the decimals the editor wrote (69.8 -> '69,8')."""
    value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return _number(value.as_tuple())


# A large site formats the same few thousand numbers again and again (ranks, scores, years):
# each is formatted once. Keyed by sign, digits and exponent, not by value: 69.8 and 69.80 are
# equal numbers written differently.
@lru_cache(maxsize=8192)
def _number(written: tuple) -> str:
    value = Decimal(written)
    decimals = max(0, -int(value.as_tuple().exponent))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _pattern(pattern).apply(value, _VI)  # what format_decimal does, without parsing again


@lru_cache(maxsize=64)
def _pattern(pattern: str):
    return parse_pattern(pattern)


def percent(value: Numeric) -> str:
    """6.7 -> '6,7%' (the value is in percent, as in the YAML)."""
    return number(value) + "%"


def figure(fig: Figure, with_unit: bool = True, short: bool = False) -> str:
    """A qualified figure in words: 'trên 98.000 tỷ đồng', '938,21 điểm', 'từ 98,8% kế hoạch trở lên',
    'gần 88.000 tỷ đồng', 'khoảng 300 tỷ đồng', 'từ 97,7 đến 139,5%'."""
    if fig.value is None:
        return UNKNOWN
    suffix = (fig.unit.short_suffix if short else fig.unit.suffix) if with_unit else ""
    q = fig.qualifier
    written = fig.unit.alternative(getattr(fig, "written_in", ""))
    if written is not None:  # "17.899 triệu USD", as the source wrote it
        return _qualified(q, number((fig.value / written[2]).normalize()), written[1],
                          None if fig.to is None else number((fig.to / written[2]).normalize()))
    if getattr(fig, "said_above", False) and q in (Qualifier.EXACT, Qualifier.OVER, Qualifier.AT_LEAST):
        # "vượt 4,21% kế hoạch": the same figure as "đạt 104,21% kế hoạch", said the source's way
        above = number(fig.value - 100) + ("%" if with_unit else "")
        target = f" {fig.unit.target}" if with_unit and not short else ""
        return {Qualifier.OVER: f"vượt hơn {above}{target}",
                Qualifier.AT_LEAST: f"vượt từ {above}{target} trở lên"}.get(q, f"vượt {above}{target}")
    return _qualified(q, number(fig.value), suffix, None if fig.to is None else number(fig.to))


def _qualified(q: Qualifier, value: str, suffix: str, to: Optional[str] = None) -> str:
    text = value + suffix
    if q is Qualifier.OVER:
        return "trên " + text
    if q is Qualifier.AT_LEAST:
        return f"từ {text} trở lên"
    if q is Qualifier.NEARLY:
        return "gần " + text
    if q is Qualifier.ABOUT:
        return "khoảng " + text
    if q is Qualifier.RANGE:
        return f"từ {value} đến {to}{suffix}"
    return text


def value(fig: Figure) -> str:
    """A figure without its unit, for a table column whose header names the unit."""
    return figure(fig, with_unit=False)


@lru_cache(maxsize=1024)  # the same few dates on every page of an edition; Babel parses its pattern each time
def date(day: dt.date) -> str:
    """27/3/2024, as Vietnamese news writes dates."""
    return format_date(day, format="d/M/y", locale=_VI)


@lru_cache(maxsize=1024)
def long_date(day: dt.date) -> str:
    """'ngày 27 tháng 3 năm 2024'."""
    return format_date(day, format="'ngày' d 'tháng' M 'năm' y", locale=_VI)


def _joiner(pattern: str) -> Optional[str]:
    """The text between {0} and {1} in a CLDR list pattern such as '{0} và {1}'."""
    if pattern.startswith("{0}") and pattern.endswith("{1}"):
        return pattern[3:-3]
    return None


_LIST = _VI.list_patterns["standard"]
_START, _MIDDLE, _END, _TWO = (_joiner(_LIST[key]) for key in ("start", "middle", "end", "2"))


def _text(item: object) -> str:
    """A name or number to list; anything else is a mistake, never its Python repr."""
    if isinstance(item, bool) or not isinstance(item, (str, int, Decimal)):
        raise TypeError(f"cannot list a {type(item).__name__}")
    return str(item)


def names(items: Iterable[str]) -> str:
    """'Bạc Liêu, Trà Vinh và Tiền Giang', from the locale's list patterns.

    Joined by hand: Babel's format_list rebuilds the string once per item, which
    is quadratic (a source with 340,000 authors took 89 s).
    """
    items = [_text(item) for item in items]
    if len(items) <= 2 or None in (_START, _MIDDLE, _END, _TWO):
        return format_list(items, locale=_VI) if items else ""
    return items[0] + _START + _MIDDLE.join(items[1:-1]) + _END + items[-1]


_ORDINALS = {1: "nhất", 2: "hai", 3: "ba", 4: "tư"}


def ordinal(value: Union[Numeric, Figure]) -> str:
    """The word after 'thứ': 1 -> 'nhất', 4 -> 'tư', 7 -> '7'."""
    if isinstance(value, Figure):
        if value.value is None:
            return UNKNOWN
        value = value.value
    return _ORDINALS.get(int(value), number(int(value)))


def compare(a: Optional[Interval], b: Optional[Interval],
            higher: str = "cao hơn", lower: str = "thấp hơn") -> Optional[str]:
    """The comparison word the intervals prove, or None when they overlap or are unknown."""
    return comparison_word(figures.compare(a, b), higher, lower)


def comparison_word(comparison: Comparison, higher: str = "cao hơn", lower: str = "thấp hơn",
                    same: Optional[str] = None) -> Optional[str]:
    """The Vietnamese word for a proven comparison, or None when nothing is proven."""
    return {Comparison.HIGHER: higher, Comparison.LOWER: lower, Comparison.SAME: same}.get(comparison)


def plan_word(comparison: Comparison) -> Optional[str]:
    """'vượt kế hoạch', 'chưa đạt kế hoạch', 'đạt kế hoạch', or None when the figure allows both."""
    return comparison_word(comparison, "vượt kế hoạch", "chưa đạt kế hoạch", "đạt kế hoạch")


def signed_change(fig: Figure, up: str = "tăng", down: str = "giảm") -> str:
    """A change figure with its direction in words: 'tăng 6,79%', 'giảm 2%'."""
    if fig.value is None:
        return f"{up} ({UNKNOWN})"
    word = down if fig.value < 0 else up
    return f"{word} {figure(fig.with_value(abs(fig.value)))}"


# Vietnamese alphabetical order. Written by hand: Babel has no collation, and
# PyICU needs the ICU C library built on the machine; this is the whole rule.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


@lru_cache(maxsize=4096)  # the same few names are sorted on every page
def sort_key(text: str) -> tuple:
    """Key for Vietnamese order: letters first (a < ă < â, d < đ), then tones."""
    letters, tones = [], []
    for ch in unicodedata.normalize("NFC", text).casefold():
        parts = unicodedata.normalize("NFD", ch)
        tone = next((_TONES[m] for m in parts if m in _TONES), 0)
        base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in _TONES))
        index = _ALPHABET.find(base)
        letters.append(index if index >= 0 else (-1 if base.isspace() else 100 + ord(base[0])))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def slug(text: str) -> str:
    """'Đồng Tháp' -> 'dong-thap', for paths and anchors."""
    if not isinstance(text, str):
        raise TypeError(f"cannot slug a {type(text).__name__}")
    return _slug(text)


@lru_cache(maxsize=4096)  # every province's address is made on every page that links it
def _slug(text: str) -> str:
    return slugify(text)
