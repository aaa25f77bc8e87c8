"""Vietnamese formatting of every kind of figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from cumthidua_site import formatting as fmt
from cumthidua_site.figures import (BillionUsd, BillionVnd, MillionVndPerPerson, Percent, PercentOfPlan,
                                    Points, ProvinceCount, Rank)


def fig(cls, value, qualifier="exact"):
    return cls(value=None if value is None else D(value), qualifier=qualifier,
               source=None if qualifier == "unknown" else "s")


@pytest.mark.parametrize("value, text", [
    (D("98000"), "98.000"), (D("938.21"), "938,21"), (D("69.8"), "69,8"), (D("69.80"), "69,80"),
    (12, "12"), (D("1234567.5"), "1.234.567,5"), (D("0.25"), "0,25"), (D("-5.5"), "-5,5"),
])
def test_numbers(value, text):
    assert fmt.number(value) == text


@pytest.mark.parametrize("figure, text", [
    (fig(Points, "938.21"), "938,21 điểm"),
    (fig(Points, "945", "over"), "trên 945 điểm"),
    (fig(BillionVnd, "98000", "over"), "trên 98.000 tỷ đồng"),
    (fig(BillionUsd, "23", "over"), "trên 23 tỷ USD"),
    (fig(BillionUsd, "21.5", "over"), "trên 21,5 tỷ USD"),
    (fig(Percent, "6.7"), "6,7%"),
    (fig(Percent, "6.79"), "6,79%"),
    (fig(Percent, "5.05"), "5,05%"),
    (fig(MillionVndPerPerson, "71", "over"), "trên 71 triệu đồng/người/năm"),
    (fig(PercentOfPlan, "98.8", "at_least"), "từ 98,8% kế hoạch trở lên"),
    (fig(PercentOfPlan, "136"), "136% kế hoạch"),
    (fig(ProvinceCount, "12"), "12 tỉnh"),
    (fig(Rank, "4"), "4"),
    (fig(Points, None, "unknown"), "chưa công bố"),
])
def test_figures_in_words(figure, text):
    assert fmt.figure(figure) == text


def test_table_values_and_short_units():
    assert fmt.value(fig(Points, "945", "over")) == "trên 945"
    assert fmt.value(fig(PercentOfPlan, "98.8", "at_least")) == "từ 98,8 trở lên"
    assert fmt.figure(fig(MillionVndPerPerson, "81.75"), short=True) == "81,75 triệu đồng"
    assert fmt.figure(fig(PercentOfPlan, "136"), short=True) == "136%"


def test_change_words_follow_the_sign():
    assert fmt.signed_change(fig(Percent, "6.79")) == "tăng 6,79%"
    assert fmt.signed_change(fig(Percent, "-2")) == "giảm 2%"


def test_dates_lists_ordinals():
    assert fmt.date(dt.date(2024, 3, 27)) == "27/3/2024"
    assert fmt.long_date(dt.date(2024, 3, 27)) == "ngày 27 tháng 3 năm 2024"
    assert fmt.names(["Bạc Liêu", "Trà Vinh", "Tiền Giang"]) == "Bạc Liêu, Trà Vinh và Tiền Giang"
    assert fmt.names(["Cà Mau", "Sóc Trăng"]) == "Cà Mau và Sóc Trăng"
    assert fmt.names(["Cà Mau"]) == "Cà Mau"
    assert [fmt.ordinal(n) for n in (1, 2, 3, 4, 7)] == ["nhất", "hai", "ba", "tư", "7"]


def test_comparison_words_come_from_intervals():
    average = fig(MillionVndPerPerson, "71", "over").interval  # [71; 72)
    assert fmt.compare(fig(MillionVndPerPerson, "81.75").interval, average) == "cao hơn"
    assert fmt.compare(fig(MillionVndPerPerson, "69.8").interval, average) == "thấp hơn"
    assert fmt.compare(fig(MillionVndPerPerson, "71.5").interval, average) is None  # cannot tell
    assert fmt.compare(fig(MillionVndPerPerson, "72").interval, average) == "cao hơn"  # 72 is outside [71; 72)


def test_vietnamese_alphabetical_order():
    names = ["Đồng Tháp", "Dầu", "Bến Tre", "Bạc Liêu", "An Giang", "Ăn", "Cà Mau"]
    assert sorted(names, key=fmt.sort_key) == ["An Giang", "Ăn", "Bạc Liêu", "Bến Tre", "Cà Mau", "Dầu",
                                               "Đồng Tháp"]


def test_slugs():
    assert fmt.slug("Đồng Tháp") == "dong-thap"
    assert fmt.slug("Kinh tế toàn cụm") == "kinh-te-toan-cum"
