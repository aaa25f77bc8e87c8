"""Inline SVG charts drawn at build time from the model: no chart library, no JavaScript.

Every chart is a horizontal chart of labelled rows, because Vietnamese province names
are long and a phone is narrow. A row is drawn from what its source proves (the
certain interval), never more: an exact figure is a point or a bar to the value,
"trên X" and "từ X trở lên" a mark at X with an arrow pointing on (open: the source
gives no upper end), "gần X" an arrow pointing back from X, "từ X đến Y" a span, "khoảng
X" a hollow point; an unknown figure is not drawn at all.
Colours come from CSS classes, so the page's dark mode restyles the charts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from markupsafe import Markup, escape

from . import formatting as fmt
from . import views
from .figures import Comparison, Figure, Interval
from .model import Edition

WIDTH = 340          # viewBox width: about a phone's content width, so 12 units ≈ 12 px there
LABEL_W = 96         # room for a province name
RIGHT_PAD = 56       # room for the value printed after a bar
ROW_H = 30
TOP = 8              # above the rows; a chart with a reference line adds room for its label
REF_H = 18
AXIS_H = 26


@dataclass(frozen=True)
class Row:
    label: str
    figure: Figure
    note: str = ""            # replaces the printed value, e.g. "từ 98,8"
    muted: bool = False       # drawn lighter, e.g. below the reference


@dataclass(frozen=True)
class Reference:
    """A vertical line or band the rows are compared with (an average, the plan)."""

    interval: Interval
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    rows: list[Row]
    style: str = "bar"        # "bar" from zero, or "dot" on an axis that need not start at zero
    reference: Optional[Reference] = None
    caption: str = ""
    finding: str = ""         # the visible title: what the chart shows, in one sentence
    unit: str = ""


def nice_step(span: float) -> Decimal:
    """A round tick step giving about four ticks over `span`."""
    raw = span / 4 if span > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return Decimal(str(factor * power)).normalize()
    return Decimal(str(10 * power))


def _domain(chart: Chart) -> tuple[Decimal, Decimal, list[Decimal]]:
    ends = []
    for row in chart.rows:
        if row.figure.known:
            ends += [row.figure.value, row.figure.to if row.figure.to is not None else row.figure.value]
    if chart.reference is not None:
        ref = chart.reference.interval
        ends += [end for end in (ref.lo, ref.hi) if end is not None]
    ends = ends or [Decimal(0), Decimal(1)]  # nothing known: an empty axis, not a crash
    lo = Decimal(0) if chart.style == "bar" else min(ends)
    hi = max(ends) * Decimal("1.08") if chart.style == "bar" else max(ends)
    step = nice_step(float(hi - lo))
    lo = (lo / step).to_integral_value(rounding="ROUND_FLOOR") * step
    hi = (hi / step).to_integral_value(rounding="ROUND_CEILING") * step
    if hi <= lo:
        hi = lo + step
    ticks = [lo + step * i for i in range(int((hi - lo) / step) + 1)]
    return lo, hi, ticks


def _n(value: float) -> str:
    """An SVG coordinate: finite, one decimal, no '-0'."""
    if not math.isfinite(value):
        raise ValueError("chart geometry must be finite")
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def render(chart: Chart) -> Markup:
    """The chart as an accessible inline SVG (role=img, title, desc)."""
    height, parts = body(chart)
    out = [f'<svg class="chart" id="{chart.id}" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-labelledby="{chart.id}-t {chart.id}-d" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{chart.id}-t">{escape(chart.title)}</title>',
           f'<desc id="{chart.id}-d">{escape(chart.desc)}</desc>', *parts, "</svg>"]
    return Markup("\n".join(out))


def body(chart: Chart) -> tuple[float, list[str]]:
    """The chart's height in viewBox units and its drawn elements, WIDTH units wide: for the
    page's inline SVG and for the pictures (`cards`), which place it in their own."""
    lo, hi, ticks = _domain(chart)
    x0, x1 = LABEL_W, WIDTH - RIGHT_PAD

    def x(value: Decimal) -> float:
        clamped = min(max(value, lo), hi)
        return x0 + float((clamped - lo) / (hi - lo)) * (x1 - x0)

    top = TOP + (REF_H if chart.reference is not None else 0)
    height = body_height(chart)
    out = []
    base = top + ROW_H * len(chart.rows)
    for tick in ticks:  # grid and axis labels
        tx = _n(x(tick))
        out.append(f'<line class="grid" x1="{tx}" x2="{tx}" y1="{top}" y2="{_n(base)}"/>')
        out.append(f'<text class="tick" x="{tx}" y="{_n(base + 16)}" text-anchor="middle">{fmt.number(tick)}</text>')
    for index, row in enumerate(chart.rows):
        out.extend(_row(row, top + ROW_H * index, x, x0, chart.style))
    if chart.reference is not None:  # drawn last, over the bars
        out.extend(_reference(chart.reference, x, top, base))
    return height, out


def body_height(chart: Chart) -> float:
    """The height `body` gives the chart, without drawing it (a share picture asks it of a chart
    it may not draw)."""
    return TOP + (REF_H if chart.reference is not None else 0) + ROW_H * len(chart.rows) + AXIS_H


def _reference(ref: Reference, x, top: float, base: float) -> list[str]:
    at = ref.interval.lo if ref.interval.lo is not None else ref.interval.hi
    left = x(at)
    right = x(ref.interval.hi) if ref.interval.hi is not None and ref.interval.lo is not None else left
    parts = []
    if right - left >= 1:
        parts.append(f'<rect class="ref-band" x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" '
                     f'height="{_n(base - top)}"/>')
    parts.append(f'<line class="ref" x1="{_n(left)}" x2="{_n(left)}" y1="{_n(top - 4)}" y2="{_n(base)}"/>')
    width = _text_width(ref.label)
    anchor, at = ("end", left + 4) if left + width / 2 > WIDTH else ("middle", left)
    parts.append(f'<text class="ref-label" x="{_n(at)}" y="{_n(top - 8)}" text-anchor="{anchor}">'
                 f'{escape(ref.label)}</text>')
    return parts


def _text_width(text: str) -> float:
    return len(text) * 6.6  # 12-unit system-ui text: a safe overestimate per character


def _arrow(start: float, mid: float, direction: int) -> tuple[list[str], float]:
    """A line and a head from `start`, pointing right (1) or left (-1); returns the parts and the tip."""
    tip = start + 24 * direction
    head = tip + 7 * direction
    return [f'<line class="bound" x1="{_n(start)}" x2="{_n(tip)}" y1="{_n(mid)}" y2="{_n(mid)}"/>',
            f'<path class="arrow" d="M{_n(tip)} {_n(mid - 5)}L{_n(head)} {_n(mid)}L{_n(tip)} {_n(mid + 5)}Z"/>'], head


def _row(row: Row, y: float, x, x0: float, style: str) -> list[str]:
    mid = y + ROW_H / 2
    cls = "mark muted" if row.muted else "mark"
    parts = [f'<text class="label" x="{_n(x0 - 6)}" y="{_n(mid + 4)}" text-anchor="end">{escape(row.label)}</text>']
    fig = row.figure
    if not fig.known:
        parts.append(f'<text class="unknown-label" x="{_n(x0 + 4)}" y="{_n(mid + 4)}">'
                     f'{escape(row.note or fmt.UNKNOWN)}</text>')
        return parts
    span = fig.certain
    start = x(fig.value)
    end = x(fig.to) if fig.to is not None else start
    if style == "bar" and span is not None and span.lo is not None:
        parts.append(f'<rect class="{cls}" x="{_n(x0)}" y="{_n(mid - 8)}" width="{_n(start - x0)}" height="16"/>')
    if fig.to is not None and end - start >= 0.5:  # "từ X đến Y": the span the values cover
        parts.append(f'<rect class="{cls} span" x="{_n(start)}" y="{_n(mid - 6)}" width="{_n(end - start)}" '
                     f'height="12" rx="6"/>')
    elif style != "bar" or span is None or span.lo is None:
        included = span is not None and ((span.lo == fig.value and span.lo_closed) or
                                         (span.hi == fig.value and span.hi_closed))
        hollow = "" if included else " open"  # the source's number itself is excluded, or not proven
        parts.append(f'<circle class="{cls}{hollow}" cx="{_n(start)}" cy="{_n(mid)}" r="5"/>')
    after = max(start, end) + (4 if style == "bar" else 8)
    before_mark = start - (4 if style == "bar" else 9)
    if span is not None and span.hi is None:  # "trên X", "từ X trở lên": no upper end, an arrow pointing on
        arrow, after = _arrow(start, mid, 1)
        parts += arrow
        after += 3
    elif span is not None and span.lo is None:  # "gần X": no lower end, an arrow pointing back
        arrow, tip = _arrow(start, mid, -1)
        parts += arrow
        before_mark = tip - 3
    value = row.note or fmt.value(fig)
    if after + _text_width(value) <= WIDTH:
        parts.append(f'<text class="value" x="{_n(after)}" y="{_n(mid + 4)}">{escape(value)}</text>')
    else:  # no room on the right: print it before the mark
        inside = " inside" if style == "bar" and span is not None and span.lo is not None else ""
        parts.append(f'<text class="value{inside}" x="{_n(before_mark)}" y="{_n(mid + 4)}" text-anchor="end">'
                     f'{escape(value)}</text>')
    return parts


# --- the site's charts --------------------------------------------------------

def scores_chart(edition: Edition) -> Chart:
    ranked = views.ranked(edition)
    known = [p for p in ranked if p.score.known]
    hidden = len(edition.members) - len(known)
    rows = [Row(f"{fmt.number(p.rank.value)}. {p.name}", p.score) for p in known]
    said = "; ".join(f"{p.name} {fmt.figure(p.score)}" for p in known)
    year = edition.cluster.year
    lo, hi, _ = _domain(Chart("", "", "", rows, style="dot"))
    places = [f"{p.name} {'dẫn đầu' if p.rank.value == 1 else 'thứ ' + fmt.ordinal(p.rank)} ({fmt.value(p.score)})"
              for p in known]
    return Chart(
        finding=(fmt.names(places) if places else "Chưa có điểm nào được nêu"), unit="điểm",
        id="bieu-do-diem", title=f"Điểm thi đua năm {year} của {len(known)} tỉnh có điểm được nêu",
        desc=f"{said}. Bài gốc không nêu điểm của {hidden} tỉnh còn lại nên không vẽ. "
             f"Trục điểm bắt đầu từ {fmt.number(lo)}, không phải từ 0.",
        rows=rows, style="dot",
        caption=f"Trục điểm bắt đầu từ {fmt.number(lo)}. Chấm rỗng và mũi tên: nguồn chỉ ghi “trên” một mức điểm, không nói trên bao nhiêu. "
                f"Không vẽ {hidden} tỉnh bài gốc không nêu điểm.")


def income_chart(edition: Edition) -> Chart:
    average = edition.cluster.economy.income_per_capita
    compared = views.income_rows(edition)
    rows = [Row(r.province.name, r.figure, muted=r.comparison is Comparison.LOWER) for r in compared]
    said = "; ".join(f"{r.province.name} {fmt.figure(r.figure, short=True)} ({r.word or 'chưa so được'})"
                     for r in compared)
    above = [r.province.name for r in compared if r.comparison is Comparison.HIGHER]
    below = [r.province.name for r in compared if r.comparison is Comparison.LOWER]
    finding = (f"{len(above)} trong {len(compared)} tỉnh được nêu tên có thu nhập cao hơn bình quân toàn cụm"
               + (f"; {fmt.names(below)} thấp hơn" if below else "")) if above else \
        (f"{fmt.names(below)} có thu nhập thấp hơn bình quân toàn cụm" if below else
         f"{len(compared)} tỉnh được nêu tên trong nhóm thu nhập cao")
    return Chart(
        finding=finding, unit="triệu đồng/người/năm",
        id="bieu-do-thu-nhap",
        title=f"Thu nhập bình quân đầu người năm {edition.cluster.year}, triệu đồng/người/năm",
        desc=f"So với bình quân toàn cụm {fmt.figure(average)}: {said}.",
        rows=rows,
        reference=Reference(average.certain or Interval(average.value, average.value),
                            f"bình quân cụm: {fmt.value(average)}") if average.known else None,
        caption="Đường nét đứt: bình quân toàn cụm; thanh nhạt: thấp hơn bình quân. Chỉ vẽ các tỉnh các nguồn nêu tên.")


def poverty_chart(edition: Edition) -> Chart:
    named = views.poverty_rows(edition)
    rows = [Row(r.province.name, r.figure) for r in named]
    others = views.poverty_others(edition)
    floor = edition.cluster.poverty.others_reduction
    if others:
        rows.append(Row(f"{len(others)} tỉnh còn lại", floor, note=f"từ {fmt.number(floor.value)}"
                        if floor.value is not None else ""))
    said = "; ".join(f"{r.province.name} {fmt.figure(r.figure, short=True)}" for r in named)
    beat = [r.province.name for r in named if r.comparison is Comparison.HIGHER]
    finding = (f"{fmt.names(beat)} vượt kế hoạch giảm tỷ lệ hộ nghèo" if beat else "Giảm tỷ lệ hộ nghèo so với kế hoạch") \
        + (f"; {len(others)} tỉnh còn lại {fmt.figure(floor)}" if others and floor.known else "")
    return Chart(
        finding=finding, unit="% kế hoạch giảm tỷ lệ hộ nghèo",
        id="bieu-do-giam-ngheo",
        title=f"Giảm tỷ lệ hộ nghèo năm {edition.cluster.year}, % kế hoạch",
        desc=f"{said}; {len(others)} tỉnh còn lại {fmt.figure(floor)}. Mốc 100% là vừa đạt kế hoạch.",
        rows=rows, reference=Reference(views.PLAN, f"kế hoạch: {fmt.number(views.PLAN.lo)}"),
        caption="Đường nét đứt: 100% kế hoạch. Mũi tên: nguồn chỉ ghi “từ … trở lên”.")


def site_charts(edition: Edition) -> dict[str, Chart]:
    """Every chart of an edition by name."""
    return {"scores": scores_chart(edition), "income": income_chart(edition), "poverty": poverty_chart(edition)}


def drawable(chart: Chart) -> bool:
    return any(row.figure.known for row in chart.rows)


def figure_html(chart: Chart, credit: Markup = Markup(""), downloads: Optional[tuple[str, str]] = None) -> Markup:
    """The chart with its visible title, unit, notes and "Nguồn:" line; `downloads`: the links to
    its PNG and SVG images."""
    if not drawable(chart):  # say so rather than draw an empty frame
        return Markup('<p class="note">Chưa có số liệu để vẽ biểu đồ “%s”.</p>') % chart.title
    heading = Markup('<figcaption><strong class="chart-title">%s</strong><span class="chart-unit">Đơn vị: %s'
                     '</span></figcaption>') % (chart.finding or chart.title, chart.unit)
    note = Markup('<p class="note">%s</p>') % chart.caption if chart.caption else Markup("")
    links = Markup("")
    if downloads:
        png, svg = downloads
        links = Markup('<p class="chart-downloads">Tải biểu đồ kèm nguồn: <a href="%s" download>ảnh PNG</a> · '
                       '<a href="%s" download>SVG</a></p>\n') % (png, svg)
    return Markup('<figure class="chart-figure">\n%s\n%s\n%s%s%s</figure>') % (heading, render(chart), note, credit,
                                                                               links)


# --- across the editions ----------------------------------------------------------------

def series_chart(quantity, points) -> Chart:
    """A cluster-wide figure year by year, each year drawn from what its source proves."""
    unit = points[0].figure.unit
    rows = [Row(f"Năm {p.year}", p.figure) for p in points]
    said = "; ".join(f"năm {p.year}: {fmt.figure(p.figure)}" for p in points)
    bounded = [p.year for p in points if p.figure.certain is None or p.figure.certain.lo != p.figure.certain.hi]
    return Chart(
        finding=f"{quantity.label} qua {len(points)} năm", unit=unit.label,
        id=f"bieu-do-{quantity.key.replace('_', '-')}",
        title=f"{quantity.label}, {unit.label}, từ {points[0].year} đến {points[-1].year}",
        desc=f"{said}.", rows=rows,
        caption=("Mũi tên: nguồn chỉ ghi “trên”, “hơn” hay “gần” một mức, không nói cụ thể bao nhiêu "
                 f"(năm {', '.join(str(y) for y in bounded)})." if bounded else ""))


def province_chart(name: str, key: str, label: str, points: list[tuple[int, Figure]]) -> Chart:
    """One of a province's figures in the years the sources give it: scores on an axis that need
    not start at zero (they differ by little), the rest as bars from zero."""
    rows = [Row(f"Năm {year}", fig) for year, fig in points]
    unit = points[0][1].unit.label
    said = "; ".join(f"năm {year}: {fmt.figure(fig)}" for year, fig in points)
    if key != "score":
        return Chart(finding=f"{label} của {name} qua các năm", unit=unit, id=f"bieu-do-{fmt.slug(key)}-qua-cac-nam",
                     title=f"{label} của {name} qua các năm", desc=said + ".", rows=rows)
    lo, _, _ = _domain(Chart("", "", "", rows, style="dot"))
    return Chart(
        finding=f"{label} của {name} qua các năm", unit=unit, id="bieu-do-diem-qua-cac-nam",
        title=f"{label} của {name} qua các năm", desc=said + f". Trục bắt đầu từ {fmt.number(lo)}.",
        rows=rows, style="dot", caption=f"Trục điểm bắt đầu từ {fmt.number(lo)}, không phải từ 0.")
