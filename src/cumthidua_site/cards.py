"""Pictures drawn from a page's own content, as SVG: the share picture of every page
(1200×630, what Facebook and Zalo show beside a shared link) and each chart as an image
that stands alone (its title, unit, notes, source line and credit drawn in).

Pure functions: text in, SVG text out. `images` turns them into PNG with the shipped font
(`fonts`), whose widths break the lines here, so what is measured is what is drawn.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from markupsafe import escape

from . import charts, fonts
from .charts import Chart

WIDTH, HEIGHT = 1200, 630   # the share picture, Facebook's and Zalo's large format
MARGIN = 64
INK, MUTED, LINE, ACCENT, BACK, REF = "#1b1f23", "#555d66", "#d5d9de", "#0f5a5f", "#ffffff", "#b03a2e"
FONT = f"'{fonts.FAMILY}',sans-serif"
CHART_HEADING = 52          # the chart's finding and unit, above it
MIN_CHART_SCALE = 1.6       # a chart drawn smaller than this in a share picture is unreadable as a thumbnail

# The site's chart colours (templates/style.css, light scheme), for a chart outside the page.
CHART_STYLE = (
    f".c text{{font-family:{FONT};font-size:12px;fill:{INK}}}"
    f".c .tick,.c .unknown-label{{fill:{MUTED}}}.c .grid{{stroke:{LINE}}}"
    f".c .mark{{fill:{ACCENT}}}.c .mark.muted{{fill:#5f8f92}}.c .mark.open{{fill:{BACK};stroke:{ACCENT};stroke-width:2}}"
    f".c .mark.span{{opacity:.6}}.c .bound{{stroke:{ACCENT};stroke-width:2}}.c .arrow{{fill:{ACCENT}}}"
    f".c .ref{{stroke:{REF};stroke-width:2;stroke-dasharray:4 3}}.c .ref-band{{fill:{REF};opacity:.15}}"
    f".c .ref-label{{fill:{REF};font-size:11px}}.c .value.inside{{fill:{BACK}}}")

_UNDRAWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # control characters: not text, and not XML


@dataclass(frozen=True)
class Card:
    """What a page's share picture shows: its title, and its headline figure or its main chart."""

    kicker: str             # the site, or the edition it belongs to
    title: str
    publisher: str = ""     # who made the site
    source: str = ""        # "Nguồn: …", the sources of what it shows
    figure: str = ""        # the headline figure, as the page writes it
    label: str = ""         # what that figure is
    chart: Optional[Chart] = None


def alt(card: Card, with_chart: bool) -> str:
    """The picture in words, for og:image:alt; `with_chart`: it shows the chart (or what it finds)."""
    parts = [_short(card.title) + "."]
    if with_chart and card.chart is not None:
        parts.append(f"Biểu đồ: {_short(card.chart.finding or card.chart.title)}.")
    elif card.figure:
        figure = _short(card.figure, 80)
        parts.append(f"{_short(card.label)}: {figure}." if card.label else f"{figure}.")
    if card.source:
        parts.append(_short(card.source))
    return " ".join(parts)


def _short(text: str, most: int = 300) -> str:
    """At most `most` characters, cut at a word and ended with "…" when it was longer."""
    text = _clean(text)
    return text if len(text) <= most else text[:most].rsplit(" ", 1)[0] + fonts.ELLIPSIS


MAX_TEXT = 1000  # characters of one text a picture draws at most: far more than fits


def _clean(text: str) -> str:
    return " ".join(_UNDRAWABLE.sub(" ", text[: MAX_TEXT * 4]).split())[:MAX_TEXT]


def _text(x: float, y: float, text: str, size: float, fill: str, bold: bool = False, anchor: str = "") -> str:
    weight = ' font-weight="700"' if bold else ""
    align = f' text-anchor="{anchor}"' if anchor else ""
    return (f'<text x="{charts._n(x)}" y="{charts._n(y)}" font-size="{size}" fill="{fill}"{weight}{align}>'
            f'{escape(text)}</text>')


def _title_lines(title: str) -> tuple[int, list[str]]:
    room = WIDTH - 2 * MARGIN
    lines = fonts.wrap(title, 56, room, bold=True)
    if len(lines) <= 2:
        return 56, lines
    return 46, fonts.wrap(title, 46, room, bold=True, lines=3)


@dataclass(frozen=True)
class _Layout:
    """Where a share picture's parts go: its title's size and lines (with their baselines), where
    what follows the title starts, and the chart it draws (None: it draws none) at `scale`."""

    size: int
    lines: list[tuple[float, str]]
    top: float
    chart: Optional[Chart]  # drawable: it has a known figure
    scale: float

    @property
    def shows_chart(self) -> bool:
        return self.chart is not None and self.scale >= MIN_CHART_SCALE

    def alt(self, card: Card) -> str:
        return alt(card, self.chart is not None and (self.shows_chart or not card.figure))


def _drawn_chart(card: Card) -> Optional[Chart]:
    """The card's chart when it has a known figure to draw (else the picture draws none)."""
    return card.chart if card.chart is not None and charts.drawable(card.chart) else None


def _layout(card: Card) -> _Layout:
    size, lines = _title_lines(_clean(card.title))
    y, placed = 96, []
    for line in lines:
        y += size * 1.18
        placed.append((y, line))
    top = y + 24
    chart = _drawn_chart(card)
    room = WIDTH - 2 * MARGIN
    scale = min(room / charts.WIDTH, (524 - top - CHART_HEADING) / charts.body_height(chart), 3.0) if chart else 0
    return _Layout(size, placed, top, chart, scale)


def share(card: Card) -> tuple[str, str]:
    """The 1200×630 share picture, and its alt text."""
    room = WIDTH - 2 * MARGIN
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}">',
           f"<style>{CHART_STYLE}</style>",
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{BACK}"/>',
           f'<rect width="{WIDTH}" height="14" fill="{ACCENT}"/>',
           _text(MARGIN, 84, fonts.fit(_clean(card.kicker), 26, room, bold=True), 26, ACCENT, bold=True)]
    layout = _layout(card)
    for y, line in layout.lines:
        out.append(_text(MARGIN, y, line, layout.size, INK, bold=True))
    top, chart = layout.top, layout.chart
    if layout.shows_chart:
        heading = chart.finding or chart.title
        heading += f" ({chart.unit})" if chart.unit else ""
        out.append(_text(MARGIN, top + 30, fonts.fit(_clean(heading), 30, room), 30, MUTED))
        top += CHART_HEADING
        out.append(f'<g class="c" transform="translate({MARGIN} {charts._n(top)}) scale({charts._n(layout.scale)})">')
        out += charts.body(chart)[1]
        out.append("</g>")
    elif card.figure:
        figure = _clean(card.figure)
        big = 96 if fonts.width(figure, 96, bold=True) <= room else 64
        out.append(_text(MARGIN, top + big, fonts.fit(figure, big, room, bold=True), big, ACCENT, bold=True))
        for index, line in enumerate(fonts.wrap(_clean(card.label), 32, room, lines=2)):
            out.append(_text(MARGIN, top + big + 64 + index * 42, line, 32, MUTED))
    elif chart is not None:  # a chart too tall to read as a thumbnail: what it shows, in words
        for index, line in enumerate(fonts.wrap(_clean(chart.finding or chart.title), 36, room, lines=3)):
            out.append(_text(MARGIN, top + 44 + index * 48, line, 36, ACCENT, bold=True))
    out.append(f'<rect x="{MARGIN}" y="538" width="{room}" height="2" fill="{LINE}"/>')
    if card.source:
        out.append(_text(MARGIN, 578, fonts.fit(_clean(card.source), 24, room), 24, MUTED))
    out.append(_text(MARGIN, 612, fonts.fit(_clean(card.publisher), 24, room, bold=True), 24, ACCENT, bold=True))
    out.append("</svg>")
    return "\n".join(out) + "\n", layout.alt(card)


def share_key(card: Card, renderer: str) -> Optional[tuple[str, str]]:
    """For a share picture that draws no chart (nearly all: a member page's chart is too tall
    for one), a name made from the card's texts and from what turns them into SVG (this module,
    the charts' number format, the font's widths) and into PNG (`renderer`); and its alt text.
    A written build then finds the drawn picture in the cache without writing its SVG, which
    was a tenth of a large build's time. None for a picture that draws its chart: it is named
    by its SVG."""
    chart = _drawn_chart(card)
    # a chart too tall to draw even below a one-line title needs no title broken into lines
    if chart is not None and (524 - LEAST_TOP - CHART_HEADING) / charts.body_height(chart) >= MIN_CHART_SCALE \
            and _layout(card).shows_chart:
        return None
    said = [renderer, _code(), *_texts(card), chart is not None]
    digest = hashlib.sha256(json.dumps(said, ensure_ascii=False).encode("utf-8")).hexdigest()
    return digest, alt(card, chart is not None and not card.figure)  # as `_Layout.alt` says of it


LEAST_TOP = 96 + 56 * 1.18 + 24  # where what follows the title starts, below one line of it (`_layout`)


def share_missing(card: Card) -> list[str]:
    """The characters of the texts of a picture that draws no chart which the shipped font
    cannot draw: those the picture draws are among them (a text cut short may leave one out)."""
    return fonts.missing(_clean(" ".join(_texts(card))))


def _texts(card: Card) -> list[str]:
    return [card.kicker, card.title, card.publisher, card.source, card.figure, card.label,
            *((card.chart.finding, card.chart.title) if card.chart is not None else ())]


@lru_cache(maxsize=1)
def _code() -> str:
    """The code a picture without a chart is drawn by. Any edit of these files names every such
    picture anew (drawn once more, a new address, the golden output made again with `make
    golden`): a name that trusted the code unchanged could serve a stale picture."""
    digest = hashlib.sha256()
    for path in (Path(__file__), Path(charts.__file__), Path(fonts.__file__), fonts.FOLDER / "widths.json"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


CHART_PAD = 16
CHART_WIDTH = charts.WIDTH + 2 * CHART_PAD


def chart_image(chart: Chart, source: str, credit: str) -> tuple[str, float]:
    """A chart that stands alone when posted: title, unit, the chart, its notes, source and credit;
    and its height (it is CHART_WIDTH wide)."""
    width = CHART_WIDTH
    room = width - 2 * CHART_PAD
    out: list[str] = []
    y = CHART_PAD
    for line in fonts.wrap(_clean(chart.finding or chart.title), 15, room, bold=True, lines=4):
        y += 20
        out.append(_text(CHART_PAD, y, line, 15, INK, bold=True))
    if chart.unit:
        y += 18
        out.append(_text(CHART_PAD, y, f"Đơn vị: {_clean(chart.unit)}", 12, MUTED))
    height, parts = charts.body(chart)
    y += 8
    out.append(f'<g class="c" transform="translate({CHART_PAD} {charts._n(y)})">')
    out += parts
    out.append("</g>")
    y += height
    for text, fill, most in ((chart.caption, MUTED, 4), (source, INK, 3), (credit, MUTED, 6)):
        for line in fonts.wrap(_clean(text), 11, room, lines=most):
            y += 15
            out.append(_text(CHART_PAD, y, line, 11, fill))
        y += 4 if text else 0
    total = y + CHART_PAD
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{charts._n(total)}" '
            f'viewBox="0 0 {width} {charts._n(total)}" font-family="{FONT}">',
            f"<title>{escape(_clean(chart.title))}</title>",
            f"<desc>{escape(_clean(chart.desc))}</desc>",
            f"<style>{CHART_STYLE}</style>",
            f'<rect width="{width}" height="{charts._n(total)}" fill="{BACK}"/>']
    return "\n".join(head + out + ["</svg>"]) + "\n", total


def source_text(sources: list, main: object = None) -> str:
    """The "Nguồn:" line of a picture: each source's publisher (with its short name when it is
    not the main source), as the page's source lines write it."""
    names = list(dict.fromkeys(f"{s.publisher} ({s.short})" if s is not main and s.short else s.publisher
                               for s in sources))
    return f"Nguồn: {', '.join(names)}." if names else ""


def credit_text(sources: list, site) -> str:
    """The credit drawn under a chart: each source report (title, authors, publisher), then us."""
    parts = []
    for s in sources:
        named = s.authors[:3] + ([f"{len(s.authors) - 3} tác giả khác"] if len(s.authors) > 3 else [])
        authors = f", {', '.join(named)}" if named else ""
        parts.append(f"“{s.title}”{authors}, {s.publisher}")
    said = f"Số liệu theo {'; '.join(parts)}. " if parts else ""
    return f"{said}Biểu đồ: {site.title} ({site.publisher.name})."
