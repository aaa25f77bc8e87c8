"""Jinja environment and page contexts: a dataset becomes {path: bytes}, in memory.

Templates live in `templates/` (a base layout, partials named `_x.html`).
Every page gets `site`, `cluster`, `edition`, `source`, `root` (the relative
prefix back to the site root, so that `build/` works under any sub-path and
from disk) and `page` (title, description, path). The article page adds
`article` (headline, sapo, byline, dates, body) and the table views.
"""

from __future__ import annotations

import difflib
import re
import secrets
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import markdown
import nh3
from jinja2 import (Environment, FileSystemLoader, FunctionLoader, StrictUndefined, TemplateError,
                    TemplateSyntaxError, UndefinedError, select_autoescape)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from . import formatting as fmt
from . import views
from .dataset import ArticleSource, Dataset
from .errors import Location, Problem, error
from .figures import Figure

TABLES = ("scores", "income", "poverty", "new_countryside", "awards", "heads")
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "blockquote",
                "br", "hr", "abbr", "sup", "sub", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}}
URL_SCHEMES = {"http", "https", "mailto"}


class ArticleError(TemplateError):
    """A mistake in article.md an editor can fix; message and hint in Vietnamese."""

    def __init__(self, message: str, hint: str = "", needle: Optional[str] = None):
        super().__init__(message)
        self.vi_message, self.hint, self.needle = message, hint, needle


# --- filters and helpers for templates -------------------------------------

def beyond(fig: Figure, target: str) -> str:
    """'vượt 7,7% dự toán', 'thấp hơn dự toán 2%', 'đạt đúng dự toán'."""
    if fig.value is None:
        return f"so với {target}: {fmt.UNKNOWN}"
    if fig.value == 0:
        return f"đạt đúng {target}"
    if fig.value < 0:
        return f"thấp hơn {target} {fmt.figure(fig.model_copy(update={'value': -fig.value}))}"
    return f"vượt {fmt.figure(fig)} {target}"


def versus(a: Figure, b: Figure, higher: str = "cao hơn", lower: str = "thấp hơn",
           unsure: str = "so với") -> str:
    """The comparison word the two figures prove, or a neutral one."""
    return fmt.compare(a.interval, b.interval, higher, lower) or unsure


def fig_list(provinces, field: str) -> str:
    """'Trà Vinh (81,75 triệu đồng), Hậu Giang (80,33 triệu đồng) và Cà Mau (69,8 triệu đồng)'."""
    return fmt.names(f"{p.name} ({fmt.figure(getattr(p, field), short=True)})" for p in provinces)


def unknown(text: Any) -> Markup:
    """Mark text that stands for an unknown figure, so it reads and looks different."""
    return Markup('<span class="unknown">%s</span>') % text


def cell(fig: Figure) -> Markup:
    """A table cell's text for a figure: its value without unit, or 'chưa công bố'."""
    return unknown(fmt.UNKNOWN) if fig.value is None else Markup(escape(fmt.value(fig)))


FILTERS: dict[str, Callable] = {
    "fig": fmt.figure, "value": fmt.value, "num": fmt.number, "pct": fmt.percent,
    "date": fmt.date, "long_date": fmt.long_date, "names": fmt.names, "ordinal": fmt.ordinal,
    "change": fmt.signed_change, "beyond": beyond, "fig_list": fig_list, "cell": cell,
    "unknown": unknown, "slug": fmt.slug, "versus_plan": views.versus_plan,
}


class ArticleEnvironment(ImmutableSandboxedEnvironment):
    """For expressions written in data/: no access to Python internals, no runaway sizes."""

    intercepted_binops = frozenset(["*", "**"])
    LIMIT = 10_000

    def call_binop(self, context, operator, left, right):
        sizes = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
        if operator == "**" or (isinstance(left, (str, list)) or isinstance(right, (str, list))) and \
                any(abs(v) > self.LIMIT for v in sizes):
            raise SecurityError("operation too large")
        return super().call_binop(context, operator, left, right)


def environment(templates: Path, loader=None, sandboxed: bool = False) -> Environment:
    """Autoescaping, strict Jinja environment with the Vietnamese filters."""
    env = (ArticleEnvironment if sandboxed else Environment)(
        loader=loader or FileSystemLoader(str(templates)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    env.globals.update(compare=versus)
    return env


# --- article ---------------------------------------------------------------

def edition_helpers(dataset: Dataset) -> dict[str, Any]:
    """Names an article can use besides the data itself (documented in the README)."""
    edition = dataset.edition
    cluster = edition.cluster

    def province(name: str):
        if name not in edition.provinces:
            guess = difflib.get_close_matches(name, list(edition.provinces), n=1)
            raise ArticleError(f"không có tỉnh “{name}” trong cụm",
                               f"có phải “{guess[0]}”?" if guess else "xem tên các tỉnh trong provinces.yaml",
                               needle=name)
        return edition.provinces[name]

    def at_rank(rank: int):
        found = views.at_rank(edition, rank)
        if found is None:
            raise ArticleError(f"nguồn không nêu tỉnh xếp thứ {rank}",
                               "chỉ dùng at_rank với thứ hạng có trong provinces.yaml", needle="at_rank")
        return found

    def head(year: int):
        found = views.head(edition, year)
        if found is None:
            raise ArticleError(f"không có cụm trưởng năm {year}", "xem mục heads trong cluster.yaml",
                               needle="head(")
        return found

    income = views.income_rows(edition)
    return {
        "site": edition.site, "cluster": cluster, "economy": cluster.economy,
        "poverty": cluster.poverty, "conference": cluster.conference, "awards": cluster.awards,
        "provinces": edition.provinces, "members": views.by_name(edition.members),
        "province": province, "at_rank": at_rank, "head": head,
        "ranked": views.ranked(edition), "unnamed_ranks": views.unnamed_ranks(edition),
        "unranked": views.unranked(edition),
        "income_named": [row.province for row in income],
        "income_above": [row.province for row in income if row.word == "cao hơn"],
        "income_below": [row.province for row in income if row.word == "thấp hơn"],
        "poverty_named": [row.province for row in views.poverty_rows(edition)],
        "poverty_beat": [row.province for row in views.poverty_rows(edition) if row.word == "vượt kế hoạch"],
        "poverty_others": views.poverty_others(edition),
    }


_SYNTAX_WORDS = [
    ("unexpected end of template", "biểu thức hoặc khối lệnh chưa được đóng",
     "kiểm tra mỗi {{ có }} và mỗi {% if %}/{% for %} có {% endif %}/{% endfor %}"),
    ("unexpected '}'", "thừa hoặc thiếu dấu ngoặc nhọn", "biểu thức viết dạng {{ tên }}"),
    ("unknown tag", "lệnh {% … %} không có", "chỉ dùng if, for, set"),
    ("expected token", "biểu thức viết sai", "kiểm tra dấu ngoặc và dấu phẩy trong {{ … }}"),
]


def _column(line_text: str, needle: Optional[str]) -> int:
    if needle and needle in line_text:
        return line_text.index(needle) + 1
    return line_text.index("{") + 1 if "{" in line_text else 1


def _template_problem(exc: Exception, path: Path, first_line: int, source: str,
                      names: list[str]) -> Problem:
    """A template error in article.md as an editor-facing problem."""
    lineno = getattr(exc, "lineno", None)
    if lineno is None:  # runtime errors: find the template frame in the traceback
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        lineno = frames[-1].lineno if frames else 1
    lines = source.splitlines() or [""]
    text = lines[min(lineno, len(lines)) - 1]
    where = lambda needle=None: Location(path, first_line + lineno - 1, _column(text, needle))
    message = str(exc)
    if isinstance(exc, ArticleError):
        return error(where(exc.needle), exc.vi_message, exc.hint)
    if isinstance(exc, SecurityError):
        return error(where(), "bài viết dùng biểu thức không được phép",
                     "chỉ dùng tên số liệu, bộ lọc và các lệnh if, for, set như trong README")
    if isinstance(exc, TemplateSyntaxError):
        for needle, said, hint in _SYNTAX_WORDS:
            if needle in message:
                return error(where(), f"bài viết có biểu thức sai cú pháp: {said}", hint)
        return error(where(), "bài viết có biểu thức sai cú pháp", "biểu thức viết dạng {{ tên }}")
    if isinstance(exc, UndefinedError):
        missing = re.search(r"'([^']+)' is undefined", message)
        if missing:
            guess = difflib.get_close_matches(missing.group(1), names, n=1)
            return error(where(missing.group(1)), f"bài viết dùng tên “{missing.group(1)}” không có trong số liệu",
                         f"có phải “{guess[0]}”?" if guess else "xem danh sách tên dùng được trong README")
        attribute = re.search(r"has no attribute '([^']+)'", message)
        if attribute:
            return error(where(attribute.group(1)),
                         f"bài viết dùng trường “{attribute.group(1)}” không có trong số liệu",
                         "xem tên các trường trong cluster.yaml và provinces.yaml")
        return error(where(), "bài viết dùng một số liệu không có", "xem danh sách tên dùng được trong README")
    return error(where(), "bài viết có biểu thức không tính được",
                 "kiểm tra biểu thức {{ … }} ở dòng này")


def _markdown_to_html(text: str) -> str:
    html = markdown.markdown(text, extensions=["toc"], extension_configs={
        "toc": {"slugify": lambda value, separator: fmt.slug(value), "permalink": False}},
        output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=None)


@dataclass(frozen=True)
class RenderedArticle:
    headline: Markup
    sapo: Markup
    byline: Markup
    body: Markup


def render_article(dataset: Dataset, env: Environment, tables: dict[str, Markup]
                   ) -> tuple[Optional[RenderedArticle], list[Problem]]:
    """Front matter and Markdown body, with template expressions, into safe HTML."""
    article: ArticleSource = dataset.article
    helpers = edition_helpers(dataset)
    nonce = secrets.token_hex(8)  # placeholder marker; never reaches the output
    used: list[str] = []

    def table(name: str) -> Markup:
        if name not in tables:
            raise ArticleError(f"không có bảng “{name}”", "các bảng: " + ", ".join(TABLES), needle=name)
        used.append(name)
        return Markup(f"\n\nTABLE{nonce}{name}\n\n")

    context = {**helpers, "table": table}
    names = sorted(context)
    md_env = environment(Path("."), FunctionLoader(lambda name: (article.body, str(article.path), lambda: True)),
                         sandboxed=True)
    problems: list[Problem] = []
    fields = {}
    for field in ("title", "sapo", "byline"):
        source = getattr(article.meta, field)
        where = article.meta.where(field)
        try:
            fields[field] = Markup(md_env.from_string(source).render(context).strip())
        except Exception as exc:  # any template mistake becomes a located problem
            problems.append(_template_problem(exc, where.path, where.line, source, names))
    try:
        text = md_env.get_template("article.md").render(context)
    except Exception as exc:
        problems.append(_template_problem(exc, article.path, article.body_line, article.body, names))
        return None, problems
    if problems:
        return None, problems
    html = _markdown_to_html(text)
    for name in TABLES:
        html = html.replace(f"<p>TABLE{nonce}{name}</p>", tables[name])
    return RenderedArticle(fields["title"], fields["sapo"], fields["byline"], Markup(html)), []


# --- pages ------------------------------------------------------------------

def _read_asset(templates: Path, name: str) -> Markup:
    """A CSS or JS file to inline (one round trip): trimmed, trusted as ours."""
    text = (templates / name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return Markup("\n".join(line for line in lines if line and not line.startswith("/*")))


def common_context(dataset: Dataset, templates: Path, path: str) -> dict[str, Any]:
    edition = dataset.edition
    depth = path.count("/")
    return {
        "site": edition.site, "cluster": edition.cluster, "edition": edition,
        "source": next(iter(edition.cluster.sources.values())),
        "sources": edition.cluster.sources,
        "root": "../" * depth, "css": _read_asset(templates, "style.css"),
    }


def table_context(dataset: Dataset) -> dict[str, Any]:
    edition = dataset.edition
    return {
        "score_rows": views.score_rows(edition), "income_rows": views.income_rows(edition),
        "poverty_rows": views.poverty_rows(edition), "poverty_others": views.poverty_others(edition),
        "ranked": views.ranked(edition), "unnamed_ranks": views.unnamed_ranks(edition),
        "heads": sorted(edition.cluster.heads, key=lambda h: h.year),
        "members": views.by_name(edition.members),
    }


def render_site(dataset: Dataset, templates: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """Every page of the site, in memory, or the problems that stop it."""
    env = environment(templates)
    base = {**common_context(dataset, templates, "index.html"), **table_context(dataset)}
    tables = {name: Markup(env.get_template(f"_table_{name}.html").render(base)) for name in TABLES}
    article, problems = render_article(dataset, env, tables)
    if article is None:
        return {}, problems
    meta = dataset.article.meta
    page = {"path": "index.html", "title": Markup(article.headline).striptags(),
            "description": Markup(article.sapo).striptags()}
    html = env.get_template("article.html").render(
        **base, page=page, article=article, meta=meta)
    return {"index.html": html.encode("utf-8")}, []
