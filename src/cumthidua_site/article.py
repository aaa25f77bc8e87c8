"""The article: Markdown in data/ with template expressions, rendered safely.

Expressions run in a sandbox (an editor's file cannot reach Python's internals
or allocate without bound); the Markdown becomes HTML that is cleaned of any
script, event handler or javascript: link; mistakes become located problems.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import re
import signal
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import markdown
import nh3
from jinja2 import FunctionLoader, TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from . import formatting as fmt
from . import views
from .dataset import ArticleSource, Dataset
from .errors import Location, Problem, error

RENDER_SECONDS = 10  # an article renders in milliseconds; more means a runaway loop
TABLES = ("scores", "income", "poverty", "new_countryside", "awards", "heads")
CHARTS = ("scores", "income", "poverty")
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "blockquote",
                "br", "hr", "abbr", "sup", "sub", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}}
URL_SCHEMES = {"http", "https", "mailto"}


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


class ArticleTimeout(Exception):
    """The article's expressions ran longer than RENDER_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: int):
    """Interrupt rendering after `seconds` (where a timer signal can be used: the main thread on Unix)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise ArticleTimeout()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ArticleError(TemplateError):
    """A mistake in article.md an editor can fix; message and hint in Vietnamese."""

    def __init__(self, message: str, hint: str = "", needle: Optional[str] = None):
        super().__init__(message)
        self.vi_message, self.hint, self.needle = message, hint, needle




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

    income, poverty = views.income_rows(edition), views.poverty_rows(edition)
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
        "poverty_named": [row.province for row in poverty],
        "poverty_beat": [row.province for row in poverty if row.word == "vượt kế hoạch"],
        "poverty_others": views.poverty_others(edition),
    }


_SYNTAX_WORDS = [
    ("unexpected end of template", "biểu thức hoặc khối lệnh chưa được đóng",
     "kiểm tra mỗi {{ có }} và mỗi {% if %}/{% for %} có {% endif %}/{% endfor %}"),
    ("unexpected '}'", "thừa hoặc thiếu dấu ngoặc nhọn", "biểu thức viết dạng {{ tên }}"),
    ("unknown tag", "không có lệnh {% … %} này", "chỉ dùng if, for, set"),
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
    if isinstance(exc, TemplateNotFound):
        return error(where(), "bài viết không dùng được include, import hay extends",
                     "viết thẳng nội dung vào article.md; bảng và biểu đồ chèn bằng table(…) và chart(…)")
    if isinstance(exc, ArticleTimeout):
        return error(where(), f"bài viết tính quá {RENDER_SECONDS} giây, có thể do vòng lặp quá lớn",
                     "kiểm tra các lệnh {% for %} ở quanh dòng này")
    if isinstance(exc, TemplateSyntaxError):
        for needle, said, hint in _SYNTAX_WORDS:
            if needle in message.lower():
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


FIELD_NAMES = {"title": "tít bài (title)", "sapo": "sapo", "byline": "tác giả (byline)"}


@dataclass(frozen=True)
class RenderedArticle:
    headline: Markup
    sapo: Markup
    byline: Markup
    body: Markup


def render_article(dataset: Dataset, make_env, blocks: dict[str, Markup]
                   ) -> tuple[Optional[RenderedArticle], list[Problem]]:
    """Front matter and Markdown body, with template expressions, into safe HTML.

    `make_env(loader)` gives a sandboxed environment with the site's filters;
    `blocks` holds the rendered tables and charts ("table:scores", "chart:income")
    that `{{ table("…") }}` and `{{ chart("…") }}` place on a line of their own.
    """
    article: ArticleSource = dataset.article
    # A marker for where a table or chart goes; derived from the text, so output stays deterministic.
    nonce = hashlib.sha256(article.body.encode("utf-8")).hexdigest()[:16]

    def placeholder(kind: str, names: tuple[str, ...]):
        def place(name: str) -> Markup:
            if f"{kind}:{name}" not in blocks:
                what = {"table": "bảng", "chart": "biểu đồ"}[kind]
                raise ArticleError(f"không có {what} “{name}”", f"các {what}: " + ", ".join(names), needle=name)
            return Markup(f"\n\nBLOCK{nonce}{kind}:{name}\n\n")
        return place

    context = {**edition_helpers(dataset), "table": placeholder("table", TABLES),
               "chart": placeholder("chart", CHARTS)}
    names = sorted(context)
    env = make_env(FunctionLoader(
        lambda name: (article.body, str(article.path), lambda: True) if name == "article.md" else None))
    file_lines = article.text.split("\n")
    problems: list[Problem] = []
    fields = {}
    for field in ("title", "sapo", "byline"):
        source = getattr(article.meta, field)
        where = article.meta.where(field)
        try:
            with time_limit(RENDER_SECONDS):
                fields[field] = Markup(env.from_string(source).render(context).strip())
        except Exception as exc:  # any template mistake becomes a located problem
            problems.append(_template_problem(exc, where.path, where.line,
                                              "\n".join(file_lines[where.line - 1:]), names))
            continue
        if not Markup(fields[field]).striptags().strip():
            problems.append(error(where, f"{FIELD_NAMES[field]} trống sau khi tính các biểu thức",
                                  "viết nội dung cho trường này"))
    try:
        with time_limit(RENDER_SECONDS):
            text = env.get_template("article.md").render(context)
    except Exception as exc:
        problems.append(_template_problem(exc, article.path, article.body_line, article.body, names))
        return None, problems
    if problems:
        return None, problems
    html = _markdown_to_html(text)
    for key, block in blocks.items():
        html = html.replace(f"<p>BLOCK{nonce}{key}</p>", block)
    for kind, name in re.findall(rf"BLOCK{nonce}(table|chart):(\w+)", html):
        line = next((n for n, text in enumerate(article.body.split("\n"), article.body_line)
                     if f"{kind}(" in text and name in text), article.body_line)
        what = {"table": "bảng", "chart": "biểu đồ"}[kind]
        problems.append(error(Location(article.path, line, 1), f"{what} “{name}” phải đứng riêng một dòng",
                              f"để {{{{ {kind}(\"{name}\") }}}} một mình trên một dòng, cách đoạn trên dưới một dòng trống"))
    if problems:
        return None, problems
    return RenderedArticle(fields["title"], fields["sapo"], fields["byline"], Markup(html)), []
