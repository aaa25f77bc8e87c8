"""Vietnamese formatting of every kind of figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from cumthidua_site import formatting as fmt
from cumthidua_site.figures import (BillionUsd, BillionVnd, MillionVndPerPerson, Percent, PercentOfPlan,
                                    Points, ProvinceCount, Rank)


def fig(cls, value, qualifier="exact"):
    """A figure as the loader would give it."""
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
    (fig(BillionVnd, "88000", "nearly"), "gần 88.000 tỷ đồng"),
    (fig(BillionVnd, "300", "about"), "khoảng 300 tỷ đồng"),
    (Percent(value=D("97.7"), to=D("139.5"), qualifier="range", source="s"), "từ 97,7 đến 139,5%"),
    (fig(Points, None, "unknown"), "bài gốc không nêu"),
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


def test_comparison_words_come_from_certain_intervals():
    over = fig(MillionVndPerPerson, "71", "over").certain  # (71; +∞): the average could be 74 or 82
    assert fmt.compare(fig(MillionVndPerPerson, "81.75").certain, over) is None  # not proven
    assert fmt.compare(fig(MillionVndPerPerson, "69.8").certain, over) == "thấp hơn"
    assert fmt.compare(fig(MillionVndPerPerson, "71").certain, over) == "thấp hơn"  # "trên 71" excludes 71
    exact = fig(MillionVndPerPerson, "71.2").certain  # SGGP's "trung bình 71,2"
    assert fmt.compare(fig(MillionVndPerPerson, "81.75").certain, exact) == "cao hơn"
    assert fmt.compare(fig(MillionVndPerPerson, "69.8").certain, exact) == "thấp hơn"
    about = fig(MillionVndPerPerson, "71", "about").certain  # "khoảng 71" proves nothing
    assert about is None and fmt.compare(fig(MillionVndPerPerson, "90").certain, about) is None
    nearly = fig(BillionVnd, "88000", "nearly").certain  # (−∞; 88000)
    assert fmt.compare(fig(BillionVnd, "88000").certain, nearly) == "cao hơn"


@pytest.mark.parametrize("qualifier, value, certain, conventional", [
    ("exact", "938.21", "[938.21; 938.21]", "[938.21; 938.21]"),
    ("over", "98000", "(98000; +∞)", "(98000; 99000)"),
    ("over", "21.5", "(21.5; +∞)", "(21.5; 21.6)"),
    ("over", "945", "(945; +∞)", "(945; 946)"),
    ("at_least", "98.8", "[98.8; +∞)", "[98.8; +∞)"),
    ("nearly", "88000", "(−∞; 88000)", "[87000; 88000)"),
    ("about", "300", None, "[200; 400]"),
    ("about", "310", None, "[300; 320]"),
])
def test_certain_and_conventional_intervals(qualifier, value, certain, conventional):
    figure = fig(BillionVnd, value, qualifier)
    assert (str(figure.certain) if figure.certain else None) == certain
    assert str(figure.conventional) == conventional


def test_a_range_is_lowest_to_highest():
    span = Percent(value=D("97.7"), to=D("139.5"), qualifier="range", source="s")
    assert str(span.certain) == "[97.7; 139.5]"


def test_vietnamese_alphabetical_order():
    names = ["Đồng Tháp", "Dầu", "Bến Tre", "Bạc Liêu", "An Giang", "Ăn", "Cà Mau"]
    assert sorted(names, key=fmt.sort_key) == ["An Giang", "Ăn", "Bạc Liêu", "Bến Tre", "Cà Mau", "Dầu",
                                               "Đồng Tháp"]


def test_slugs():
    assert fmt.slug("Đồng Tháp") == "dong-thap"
    assert fmt.slug("Kinh tế toàn cụm") == "kinh-te-toan-cum"
