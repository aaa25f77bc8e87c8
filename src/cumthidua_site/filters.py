"""The Vietnamese filters templates use: figures, comparisons, table cells.

Shared by the site's own templates (which see models) and the article's closed
sandbox (which sees plain records and gets these through `sandbox.FILTERS`).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from jinja2 import pass_context
from markupsafe import Markup, escape

from . import formatting as fmt
from . import views
from .errors import ArticleError
from .figures import Figure

def beyond(fig: Figure, target: str) -> str:
    """'vượt 7,7% dự toán', 'thấp hơn dự toán 2%', 'đạt đúng dự toán'."""
    if not isinstance(fig, Figure) or not isinstance(target, str):
        raise TypeError("beyond takes a figure and a text")
    if fig.value is None:
        return f"so với {target}: {fmt.UNKNOWN}"
    if fig.value == 0:
        return f"đạt đúng {target}"
    if fig.value < 0:
        return f"thấp hơn {target} {fmt.figure(fig.with_value(-fig.value))}"
    return f"vượt {fmt.figure(fig)} {target}"


def versus(a: Figure, b: Figure, higher: str = "cao hơn", lower: str = "thấp hơn",
           unsure: str = "so với") -> str:
    """The comparison word the two figures prove, or a neutral one."""
    if not (isinstance(a, Figure) and isinstance(b, Figure)) or \
            not all(isinstance(word, str) for word in (higher, lower, unsure)):
        raise TypeError("compare takes two figures and words")
    return fmt.compare(a.certain, b.certain, higher, lower) or unsure


def fig_list(provinces, field_name: str) -> str:
    """'Trà Vinh (81,75 triệu đồng), Hậu Giang (80,33 triệu đồng) và Cà Mau (69,8 triệu đồng)'."""
    items = list(provinces)
    for province in items:
        if not isinstance(getattr(province, field_name, None), Figure) or field_name.startswith("_"):
            raise ArticleError(f"fig_list cần tên một trường số liệu của tỉnh, không phải “{field_name}”",
                               "ví dụ fig_list(\"income_per_capita\")", needle=field_name)
    return fmt.names(f"{p.name} ({fmt.figure(getattr(p, field_name), short=True)})" for p in items)


def unknown(text: Any) -> Markup:
    """Mark text that stands for an unknown figure, so it reads and looks different."""
    return Markup('<span class="unknown">%s</span>') % text


@pass_context
def src(context, fig: Figure) -> Markup:
    """A mark after a figure shown from a source other than the page's main one: 71,2 ˢᴳᴳᴾ."""
    sources, main = context.get("sources") or {}, context.get("main_source")
    if not isinstance(fig, Figure) or not fig.known or fig.source == main or fig.source not in sources:
        return Markup("")
    source = sources[fig.source]
    return Markup('<sup class="src"><a href="#nguon-%s" title="Theo %s">%s</a></sup>') % (
        fig.source, source.publisher, source.short or source.publisher)


@pass_context
def cell(context, fig: Figure) -> Markup:
    """A table cell's text for a figure: its value without unit (and its source's mark), or 'bài gốc không nêu'."""
    return unknown(fmt.UNKNOWN) if fig.value is None else Markup(escape(fmt.value(fig))) + src(context, fig)


def sort_value(fig: Optional[Figure]) -> str:
    """The number a sortable column orders by (the number the source wrote); '' sorts last."""
    if fig is None or fig.value is None:
        return ""
    return str(fig.value)


FILTERS: dict[str, Callable] = {
    "fig": fmt.figure, "value": fmt.value, "num": fmt.number, "pct": fmt.percent,
    "date": fmt.date, "long_date": fmt.long_date, "names": fmt.names, "ordinal": fmt.ordinal,
    "change": fmt.signed_change, "beyond": beyond, "fig_list": fig_list, "cell": cell,
    "unknown": unknown, "slug": fmt.slug, "versus_plan": lambda fig: fmt.plan_word(views.versus_plan(fig)), "sort_value": sort_value, "src": src,
}


