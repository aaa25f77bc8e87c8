"""The article: Markdown in data/ with template expressions, rendered within a budget.

article.md may come from anyone, so everything its text reaches runs under limits:
its expressions in the closed sandbox (sandbox.py), and the whole of it (front
matter, expressions, Markdown, HTML cleaning) in a child process with a deadline and
a memory cap (isolate.py). Exceeding a limit is a located Vietnamese problem, never a
hang or a crash. The front matter is plain text; the body is Markdown cleaned of any
script, event handler or javascript: link; data printed into it is literal text.
"""

from __future__ import annotations

import base64
import dataclasses

import contextlib
import difflib
import functools
import hashlib
import os
import re
import signal
import threading
import traceback
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any, Callable, Optional

import nh3
from jinja2 import BytecodeCache, FunctionLoader, TemplateSyntaxError, UndefinedError
from markupsafe import Markup

from . import caches
from . import formatting as fmt
from . import isolate, sandbox, views
from .dataset import ArticleSource, Dataset
from .errors import ArticleError, Location, Problem, error
from .figures import Comparison, Figure
from .filters import versus

# The budget of an article, stated in the README ("Giới hạn của bài viết").
RENDER_SECONDS = 10  # an article renders in milliseconds; more means a runaway loop
MEMORY_BYTES = 512 * 1024 * 1024  # beyond what the build already uses
MAX_TEXT = 1_000_000  # characters of Markdown once the expressions are worked out
MAX_BLOCK = 20_000  # characters in one paragraph
MAX_BRACKETS = 200  # '[' and '<' in one paragraph: Markdown's inline parsing is quadratic in them
MAX_NESTING = 8  # levels of lists and quotes inside each other
MAX_FIELD = 2_000  # characters of a title, sapo or byline once worked out
BUDGET = isolate.Budget(RENDER_SECONDS, MEMORY_BYTES, output=4 * MAX_TEXT + (1 << 20))

TABLES = ("scores", "income", "poverty", "new_countryside", "awards", "heads")
CHARTS = ("scores", "income", "poverty")
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "blockquote",
                "br", "hr", "abbr", "sup", "sub", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}}
URL_SCHEMES = {"http", "https", "mailto"}
FIELD_NAMES = {"title": "tít bài (title)", "sapo": "sapo", "byline": "tác giả (byline)"}
STAGES = {"front": "tính phần thông tin đầu bài", "body": "tính các biểu thức trong bài",
          "markdown": "chuyển Markdown sang HTML", "clean": "lọc HTML"}


class ArticleTimeout(Exception):
    """The article took longer than RENDER_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt the work after `seconds` (where a timer signal can be used: the main thread on Unix)."""
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


@dataclass(frozen=True)
class RenderedArticle:
    headline: str  # plain text: templates escape it
    sapo: str
    byline: str
    body: Markup  # cleaned HTML, with the tables and charts placed
    unplaced: str = ""  # the same, with a marker line where each table or chart goes
    marker: str = ""

    def placed(self, blocks: dict[str, Markup]) -> Markup:
        """The body with another set of blocks: the same article, linked from another page's address."""
        html = self.unplaced
        for key, block in blocks.items():
            html = html.replace(f"<p>{self.marker}{key}</p>", block)
        return Markup(html)


# --- what the article sees ------------------------------------------------------

def _argument(value: Any, kind: type, function: str, example: str) -> Any:
    """An argument of the kind a function takes; a mistake is said without showing Python internals."""
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ArticleError(f"{function}(…) cần {'một tên' if kind is str else 'một số'}, ví dụ {example}",
                           "xem cách dùng trong README, mục Viết bài", needle=function)
    return value


def article_context(dataset: Dataset, blocks: dict[str, Markup], front: bool = False,
                    data: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The names an article can use (documented in the README): plain data and bound functions.

    In the front matter (`front`), tables and charts cannot be placed. `data`: the edition's
    plain data (`plain_data`) when made already (the front matter's and the body's are the same).
    """
    edition = dataset.edition

    def province(name: str):
        name = _argument(name, str, "province", 'province("Cà Mau")')
        if name not in edition.provinces:
            guess = difflib.get_close_matches(str(name), list(edition.provinces), n=1)
            raise ArticleError(f"không có tỉnh “{name}” trong cụm",
                               f"có phải “{guess[0]}”?" if guess else "xem tên các tỉnh trong provinces.yaml",
                               needle=str(name))
        return edition.provinces[name]

    def at_rank(rank: int):
        found = views.at_rank(edition, _argument(rank, int, "at_rank", "at_rank(1)"))
        if found is None:
            raise ArticleError(f"nguồn không nêu tỉnh xếp thứ {rank}",
                               "chỉ dùng at_rank với thứ hạng có trong provinces.yaml", needle="at_rank")
        return found

    def head(year: int):
        found = views.head(edition, _argument(year, int, "head", "head(2023)"))
        if found is None:
            raise ArticleError(f"không có cụm trưởng năm {year}", "xem mục heads trong cluster.yaml",
                               needle="head(")
        return found

    def placeholder(kind: str, names: tuple[str, ...]) -> Callable[[str], Markup]:
        what = {"table": "bảng", "chart": "biểu đồ"}[kind]

        def place(name: str) -> Markup:
            name = _argument(name, str, kind, f'{kind}("{names[0]}")')
            if front:
                raise ArticleError(f"{what} chỉ đặt được trong lời bài, không đặt trong tít, sapo hay tác giả",
                                   f"chuyển {{{{ {kind}(…) }}}} xuống lời bài, một mình một dòng", needle=kind)
            if f"{kind}:{name}" not in blocks:
                raise ArticleError(f"không có {what} “{name}”", f"các {what}: " + ", ".join(names), needle=str(name))
            return Markup(f"\n\n{_marker(dataset)}{kind}:{name}\n\n")
        return place

    functions = sandbox.bind_functions({
        "province": province, "at_rank": at_rank, "head": head, "compare": versus,
        "table": placeholder("table", TABLES), "chart": placeholder("chart", CHARTS)})
    return {**(plain_data(dataset) if data is None else data), **functions}


def plain_data(dataset: Dataset) -> dict[str, Any]:
    """The data an article can read, as the sandbox's plain Records and tuples."""
    edition = dataset.edition
    cluster = edition.cluster
    income, poverty = views.income_rows(edition), views.poverty_rows(edition)
    memo: dict[int, Any] = {}
    data = {
        "site": dataset.site, "cluster": cluster, "economy": cluster.economy,
        "poverty": cluster.poverty, "conference": cluster.conference, "awards": cluster.awards,
        "provinces": edition.provinces, "members": views.by_name(edition.members),
        "ranked": views.ranked(edition), "unnamed_ranks": views.unnamed_ranks(edition),
        "unranked": views.unranked(edition),
        "income_named": [row.province for row in income],
        "income_above": [row.province for row in income if row.comparison is Comparison.HIGHER],
        "income_below": [row.province for row in income if row.comparison is Comparison.LOWER],
        "poverty_named": [row.province for row in poverty],
        "poverty_beat": [row.province for row in poverty if row.comparison is Comparison.HIGHER],
        "poverty_others": views.poverty_others(edition),
        "mergers": views.changes(edition),
    }
    return {name: sandbox.plain(value, memo) for name, value in data.items()}


def _marker(dataset: Dataset) -> str:
    """Where a table or chart goes; derived from the text, so output stays deterministic."""
    return "BLOCK" + hashlib.sha256(dataset.article.body.encode("utf-8")).hexdigest()[:16]


# --- problems ------------------------------------------------------------------------

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


def _template_problem(exc: BaseException, path: Path, first_line: int, source: str,
                      names: list[str]) -> Problem:
    """A template error in article.md as an editor-facing problem."""
    lineno = getattr(exc, "lineno", None)
    if lineno is None:  # runtime errors: find the template frame in the traceback
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        lineno = frames[-1].lineno if frames else 1
    lines = source.splitlines() or [""]
    text = lines[max(1, min(lineno, len(lines))) - 1]
    where = lambda needle=None: Location(path, first_line + lineno - 1, _column(text, needle))  # noqa: E731
    message = str(exc)
    if isinstance(exc, ArticleError):
        return error(where(exc.needle), exc.vi_message, exc.hint)
    if isinstance(exc, sandbox.RefusedSyntax):
        return error(where(), exc.vi_message, exc.hint)
    if isinstance(exc, ArticleTimeout):
        return error(where(), f"bài viết tính quá {RENDER_SECONDS} giây, có thể do vòng lặp quá lớn",
                     "kiểm tra các lệnh {% for %} ở quanh dòng này")
    if isinstance(exc, RecursionError):
        deepest = max(range(len(lines)), key=lambda n: sum(lines[n].count(c) for c in "([{"))
        return error(Location(path, first_line + deepest, 1), "biểu thức trong bài lồng nhau quá sâu",
                     "viết biểu thức ngắn gọn hơn, bớt các dấu ngoặc lồng vào nhau")
    if isinstance(exc, SyntaxError) and not isinstance(exc, TemplateSyntaxError):
        # Python refusing the code Jinja generated: its line is not ours, the nesting is
        deepest = max(range(len(lines)), key=lambda n: sum(lines[n].count(c) for c in "([{%"))
        return error(Location(path, first_line + deepest, 1), "biểu thức hoặc các khối lệnh lồng nhau quá sâu",
                     "viết gọn lại, bớt các dấu ngoặc và các khối if, for lồng vào nhau")
    if isinstance(exc, MemoryError):
        return error(where(), f"bài viết cần quá {MEMORY_BYTES // (1024 * 1024)} MB bộ nhớ",
                     "kiểm tra các phép nối chuỗi (~) và các vòng lặp tạo ra nội dung rất lớn")
    unknown = re.search(r"No (filter|test) named '([^']+)'", message)
    if unknown:
        kind, name = unknown.groups()
        known = sandbox.FILTERS if kind == "filter" else sandbox.TESTS
        guess = difflib.get_close_matches(name, list(known), n=1)
        return error(where(name), f"bài viết dùng {'bộ lọc' if kind == 'filter' else 'phép thử'} “{name}” không có",
                     f"có phải “{guess[0]}”?" if guess else "xem các bộ lọc dùng được trong README, mục Viết bài")
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


def _budget_problem(article: ArticleSource, outcome: isolate.Outcome) -> Problem:
    """The child had to be stopped, or died: say which limit, at which stage."""
    stage = STAGES.get(outcome.stage, "dựng bài")
    line = article.meta.where("title").line if outcome.stage == "front" else article.body_line
    here = Location(article.path, line or 1, 1)
    if outcome.failure == "timeout":
        return error(here, f"bài viết xử lý quá {RENDER_SECONDS} giây (khi {stage})",
                     "kiểm tra các vòng lặp {% for %}, và những đoạn văn rất dài hoặc có rất nhiều dấu [ hay <")
    if outcome.failure == "memory":
        return error(here, f"bài viết cần quá {MEMORY_BYTES // (1024 * 1024)} MB bộ nhớ (khi {stage})",
                     "kiểm tra các phép nối chuỗi (~) và các vòng lặp tạo ra nội dung rất lớn")
    if outcome.failure == "output":
        return error(here, f"bài viết sau khi dựng quá lớn (khi {stage})", "bài viết cần ngắn hơn nhiều")
    return error(here, f"bài viết làm chương trình dừng bất thường (khi {stage})",
                 "kiểm tra những chỗ lồng nhau rất sâu ([ [ [ …, danh sách trong danh sách) rồi báo cho nhóm phát triển")


def _source_line(article: ArticleSource, rendered: str) -> int:
    """The body line that most probably produced a rendered line (expressions change lines)."""
    lines = article.body.split("\n")
    if rendered in lines:
        return article.body_line + lines.index(rendered)
    needle = rendered.strip()[:40]
    if needle:
        for number, text in enumerate(lines, article.body_line):
            if needle in text:
                return number
    return article.body_line


def markdown_problems(article: ArticleSource, text: str) -> list[Problem]:
    """The Markdown budget: total size, paragraph size, brackets per paragraph, nesting depth."""
    if len(text) > MAX_TEXT:
        return [error(Location(article.path, article.body_line, 1),
                      f"bài viết sau khi tính các biểu thức dài {fmt.number(len(text))} ký tự, "
                      f"quá giới hạn {fmt.number(MAX_TEXT)}", "viết bài ngắn hơn, hoặc tách thành nhiều bài")]
    problems = []
    for block in re.split(r"\n[ \t]*\n", text):
        first = next((line for line in block.split("\n") if line.strip()), "")
        where = lambda: Location(article.path, _source_line(article, first), 1)  # noqa: E731
        brackets = block.count("[") + block.count("<") - block.count("\\[")
        if len(block) > MAX_BLOCK:
            problems.append(error(where(), f"đoạn văn dài {fmt.number(len(block))} ký tự, quá giới hạn "
                                           f"{fmt.number(MAX_BLOCK)}", "tách đoạn này thành nhiều đoạn, cách nhau một dòng trống"))
        elif brackets > MAX_BRACKETS:
            problems.append(error(where(), f"đoạn văn có {fmt.number(brackets)} dấu [ và <, quá giới hạn "
                                           f"{fmt.number(MAX_BRACKETS)}", "bỏ bớt các dấu [ và <, hoặc tách đoạn"))
        for line in block.split("\n"):
            depth = _nesting(line)
            if depth > MAX_NESTING:
                problems.append(error(Location(article.path, _source_line(article, line), 1),
                                      f"danh sách hoặc trích dẫn lồng nhau {depth} tầng, quá giới hạn {MAX_NESTING}",
                                      "bớt thụt lề ở đầu dòng, bớt dấu > ở đầu dòng"))
                break
    return problems


def _nesting(line: str) -> int:
    """Levels of nesting a line opens: four columns of indentation or one '>' each."""
    expanded = line.expandtabs(4)
    indent = len(expanded) - len(expanded.lstrip(" "))
    quotes = len(re.match(r"[ >]*", expanded).group(0).replace(" ", ""))
    return indent // 4 + quotes


def _markdown(text: str) -> str:
    return _converter().reset().convert(text)


@functools.cache
def _converter():
    """Python-Markdown's converter, made once per process and reset for each text. Making one
    looks its extensions up among the installed packages and compiles its patterns: 8-10 ms that
    every article's child paid anew. `start_render` makes it before the first fork, so children
    inherit it ready. Imported here: a build whose articles are all cached never loads it (10 ms)."""
    import markdown
    from markdown.extensions.toc import TocExtension
    return markdown.Markdown(extensions=[TocExtension(slugify=lambda value, separator: fmt.slug(value),
                                                      permalink=False)], output_format="html")


def _clean(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None)


# --- figures typed into the prose -----------------------------------------------------

# What is not the author's prose: expressions, tags, comments; a Markdown link's address;
# an ordered list's number. Blanked out (newlines kept) so positions stay where they were.
_NOT_PROSE = re.compile(r"<!--.*?-->|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\]\([^)\n]*\)|<[a-z]+://[^>\n]*>|^[ \t]*\d+[.)][ \t]",
                        re.S | re.M)
_TYPED = re.compile(r"\d(?:[\d.,]*\d)?")


def _figure_expressions(dataset: Dataset) -> dict[str, str]:
    """'938,21' -> 'province("Sóc Trăng").score | fig': how to write a figure the data holds."""
    found: dict[str, str] = {}

    def note(fig: Any, expression: str) -> None:
        if isinstance(fig, Figure) and fig.value is not None:
            found.setdefault(fmt.number(fig.value), expression)

    cluster = dataset.edition.cluster
    for group in ("economy",):
        for name in type(getattr(cluster, group)).model_fields:
            note(getattr(getattr(cluster, group), name), f"{group}.{name} | fig")
    note(cluster.poverty.others_reduction, "poverty.others_reduction | fig")
    note(cluster.member_count, "cluster.member_count | fig")
    for province in dataset.edition.members:
        for name in type(province).model_fields:
            note(getattr(province, name), f'province("{province.name}").{name} | fig')
    found.setdefault(str(cluster.year), "cluster.year")
    return found


def typed_figures(dataset: Dataset) -> list[Problem]:
    """A number typed into the prose is an error: after a correction it would go stale.

    Text that is not a figure (a directive's number, "19/CT-TTg") is written as a quoted
    string inside an expression: {{ "19/CT-TTg" }}.
    """
    article = dataset.article
    expressions = _figure_expressions(dataset)
    sources = [(article.meta.where(field).line, "\n".join(article.text.split("\n")[article.meta.where(field).line - 1:
                                                                               article.meta.where(field).line]))
               for field in ("title", "sapo", "byline")]
    sources.append((article.body_line, article.body))
    problems = []
    for first_line, text in sources:
        prose = _NOT_PROSE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for match in _TYPED.finditer(prose):
            before = prose[:match.start()]
            line = first_line + before.count("\n")
            col = match.start() - (before.rfind("\n") + 1) + 1
            typed = match.group(0)
            known = expressions.get(typed) or expressions.get(typed.replace(".", "").replace(",", "."))
            hint = (f"viết {{{{ {known} }}}} thay cho con số gõ tay" if known else
                    "lấy con số từ số liệu bằng một biểu thức {{ … }} (xem README, mục Viết bài)")
            problems.append(error(Location(article.path, line, col),
                                  f"bài viết gõ tay con số “{typed}”: sau khi sửa số liệu, con số này sẽ sai mà không ai hay",
                                  hint + "; nếu không phải con số (như số hiệu văn bản), viết trong ngoặc kép: "
                                         f"{{{{ \"{typed}\" }}}}"))
    return problems


# --- rendering -------------------------------------------------------------------------

def render_article(dataset: Dataset, blocks: dict[str, Markup]
                   ) -> tuple[Optional[RenderedArticle], list[Problem]]:
    """Front matter and Markdown body, with their expressions, into plain text and safe HTML.

    `blocks` holds the rendered tables and charts ("table:scores", "chart:income")
    that `{{ table("…") }}` and `{{ chart("…") }}` place on a line of their own.
    Runs in a child process under BUDGET.
    """
    return start_render(dataset, blocks).result()


@dataclass
class Pending:
    """An article being rendered in its child while the build goes on; `result()` waits for it."""

    dataset: Dataset
    blocks: dict[str, Markup]
    key: str
    rendered: Optional[RenderedArticle] = None  # already rendered by an earlier build
    running: Optional[isolate.Running] = None
    typed: list[Problem] = dataclass_field(default_factory=list)

    def result(self) -> tuple[Optional[RenderedArticle], list[Problem]]:
        if self.rendered is None:
            outcome = self.running.wait()
            if outcome.failure:
                return None, self.typed + [_budget_problem(self.dataset.article, outcome)]
            _keep_compiled(outcome.result.get("compiled", {}))
            problems = self.typed + [Problem.from_dict(p) for p in outcome.result["problems"]]
            if problems:
                return None, problems
            done = outcome.result["article"]
            self.rendered = RenderedArticle(done["headline"], done["sapo"], done["byline"], Markup(""),
                                            done["unplaced"], done["marker"])
            _keep(self.key, self.rendered)
        return dataclasses.replace(self.rendered, body=self.rendered.placed(self.blocks)), []

    def forget(self) -> None:
        """Drop the rendered article this process keeps for its next build (it builds once)."""
        _RENDERED.pop(self.key, None)

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()


def start_render(dataset: Dataset, blocks: dict[str, Markup]) -> Pending:
    """Start rendering the article in a child (or find it rendered by an earlier build) and return
    at once, so the pages that do not show it are rendered meanwhile, on the other core."""
    key = _cache_key(dataset, blocks)
    kept = _kept(key)
    if kept is not None:
        return Pending(dataset, blocks, key, rendered=kept)
    typed = typed_figures(dataset)
    _converter()  # made once, before the fork, not anew in every child
    running = isolate.start(lambda stage: _render(dataset, blocks, stage), BUDGET)
    return Pending(dataset, blocks, key, running=running, typed=typed)


# The article body compiled by earlier children, by Jinja's key and checked against the
# source's checksum: a child inherits it with the fork and skips compiling an unchanged body,
# most of an article's render. Compiling stays in the child, under the budget; the parent
# only keeps the bytes a child sent back, in memory and in the cache folder (`caches`) for
# the next process.
_COMPILED: dict[str, bytes] = {}
_NEW_CODE: dict[str, bytes] = {}  # in a child: what it compiled, to send back


class _CompiledBodies(BytecodeCache):
    def load_bytecode(self, bucket) -> None:
        code = _COMPILED.get(bucket.key)
        if code is None:
            folder = caches.folder("articles")
            try:
                code = (folder / bucket.key).read_bytes() if folder is not None else None
            except OSError:
                code = None
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja resets it on a checksum mismatch

    def dump_bytecode(self, bucket) -> None:
        _NEW_CODE[bucket.key] = bucket.bytecode_to_string()


def _keep_compiled(sent: dict[str, str]) -> None:
    folder = caches.folder("articles")
    for key, code in sent.items():
        _COMPILED.pop(key, None)
        _COMPILED[key] = base64.b64decode(code)
        if folder is not None and re.fullmatch(r"[0-9a-f]{40}", key):
            caches.write(folder / key, _COMPILED[key])
    while len(_COMPILED) > 32:  # the articles of the editions in use: four each, the body and three fields
        del _COMPILED[next(iter(_COMPILED))]


# Articles already rendered in this process, by everything their text can reach: a rebuild
# (serve) renders again only the article of an edition whose data or text changed.
_RENDERED: dict[str, RenderedArticle] = {}


def _cache_key(dataset: Dataset, blocks: dict[str, Markup]) -> str:
    """Everything the rendered article is made from. The blocks are placed afterwards, so only
    their names count; the data by the hash of the texts it was loaded from when it is known."""
    article = dataset.article
    limits = (RENDER_SECONDS, MEMORY_BYTES, MAX_TEXT, MAX_BLOCK, MAX_BRACKETS, MAX_NESTING, MAX_FIELD, BUDGET)
    # repr shows every field of the models (private attributes excepted: only where they were written)
    data = dataset.fingerprint or "\x00".join((repr(dataset.edition), repr(dataset.site)))
    parts = (data, repr(article.meta), article.body, article.text, str(article.path), str(article.body_line),
             " ".join(sorted(blocks)), repr(limits))
    return caches.key(*parts)


def _kept(key: str) -> Optional[RenderedArticle]:
    """The article as an earlier build rendered it without a mistake: in memory, or on disk."""
    if key not in _RENDERED:
        found = caches.read_json("articles", f"rendered-{key}")
        try:
            _remember(key, RenderedArticle(str(found["headline"]), str(found["sapo"]), str(found["byline"]),
                                           Markup(""), str(found["unplaced"]), str(found["marker"])))
        except (TypeError, KeyError):
            return None
    return _RENDERED[key]


def _remember(key: str, rendered: RenderedArticle) -> None:
    _RENDERED[key] = rendered
    while len(_RENDERED) > 64:  # the newest: serve's rebuilds reuse every unchanged edition's
        del _RENDERED[next(iter(_RENDERED))]


def _keep(key: str, rendered: RenderedArticle) -> None:
    _remember(key, rendered)
    caches.write_json("articles", f"rendered-{key}", lambda: {
        "headline": rendered.headline, "sapo": rendered.sapo, "byline": rendered.byline,
        "unplaced": rendered.unplaced, "marker": rendered.marker})


def _render(dataset: Dataset, blocks: dict[str, Markup], report: Callable[[str], None]) -> dict:
    """In the child: everything the article's text reaches, as JSON-able data."""
    state = {"stage": ""}

    def enter(name: str) -> None:
        state["stage"] = name
        report(name)

    try:
        with time_limit(RENDER_SECONDS):
            article, problems = _render_all(dataset, blocks, enter)
    except ArticleTimeout:  # outside a template: in Markdown or cleaning (or as the timer stops)
        timeout = isolate.Outcome(failure="timeout", stage=state["stage"])
        article, problems = None, [_budget_problem(dataset.article, timeout)]
    return {"article": asdict(article) if article else None, "problems": [p.to_dict() for p in problems],
            "compiled": {key: base64.b64encode(code).decode("ascii") for key, code in _NEW_CODE.items()}}


def _render_all(dataset: Dataset, blocks: dict[str, Markup], enter: Callable[[str], None]
                ) -> tuple[Optional[RenderedArticle], list[Problem]]:
    article = dataset.article
    data = plain_data(dataset)
    context = article_context(dataset, blocks, data=data)
    names = sorted(context)
    file_lines = article.text.split("\n")
    enter("front")
    front = article_context(dataset, blocks, front=True, data=data)
    # each field compiled as the body is: once, then kept by the parent (`_CompiledBodies`)
    text_env = sandbox.ClosedEnvironment(text=True, context=front, loader=FunctionLoader(
        lambda name: (getattr(article.meta, name), f"{article.path}#{name}", lambda: True)
        if name in FIELD_NAMES else None), bytecode_cache=_CompiledBodies())
    problems: list[Problem] = []
    fields = {}
    for field in ("title", "sapo", "byline"):
        where = article.meta.where(field)
        try:
            rendered = text_env.get_template(field).render(front)
        except Exception as exc:  # any template mistake becomes a located problem
            problems.append(_template_problem(exc, where.path, where.line,
                                              "\n".join(file_lines[where.line - 1:]), names))
            if isinstance(exc, ArticleTimeout):
                return None, problems
            continue
        fields[field] = " ".join(rendered.split())
        if not fields[field]:
            problems.append(error(where, f"{FIELD_NAMES[field]} trống sau khi tính các biểu thức",
                                  "viết nội dung cho trường này"))
        elif len(fields[field]) > MAX_FIELD:
            problems.append(error(where, f"{FIELD_NAMES[field]} dài {fmt.number(len(fields[field]))} ký tự "
                                         f"sau khi tính các biểu thức, quá giới hạn {fmt.number(MAX_FIELD)}",
                                  "viết ngắn lại; phần dài đưa xuống lời bài"))
    enter("body")
    body_env = sandbox.ClosedEnvironment(text=False, context=context, loader=FunctionLoader(
        lambda name: (article.body, str(article.path), lambda: True) if name == "article.md" else None),
        bytecode_cache=_CompiledBodies())
    try:
        text = body_env.get_template("article.md").render(context)
    except Exception as exc:
        return None, problems + [_template_problem(exc, article.path, article.body_line, article.body, names)]
    if problems:
        return None, problems
    problems = markdown_problems(article, text)
    if problems:
        return None, problems
    enter("markdown")
    try:
        html = _markdown(text)
    except RecursionError:
        return None, [error(Location(article.path, article.body_line, 1),
                            "cấu trúc Markdown của bài lồng nhau quá sâu",
                            "bớt các danh sách, trích dẫn hay dấu ngoặc lồng vào nhau")]
    except (ArticleTimeout, MemoryError):
        raise
    except Exception:  # Python-Markdown failing on hostile text is the text's problem, said as one
        if os.environ.get("CUMTHIDUA_DEBUG"):
            traceback.print_exc()
        return None, [error(Location(article.path, article.body_line, 1),
                            "không chuyển được lời bài từ Markdown sang HTML",
                            "kiểm tra những chỗ viết Markdown lạ (dấu [ ] ( ) < > * _ `) rồi báo cho nhóm phát triển")]
    enter("clean")
    html = _clean(html)
    return _place_blocks(dataset, blocks, html, fields)


def _place_blocks(dataset: Dataset, blocks: dict[str, Markup], html: str, fields: dict[str, str]
                  ) -> tuple[Optional[RenderedArticle], list[Problem]]:
    article, marker = dataset.article, _marker(dataset)
    placed = html
    for key in blocks:
        placed = placed.replace(f"<p>{marker}{key}</p>", "")
    problems = []
    for kind, name in re.findall(rf"{marker}(table|chart):(\w+)", placed):
        line = next((n for n, text in enumerate(article.body.split("\n"), article.body_line)
                     if f"{kind}(" in text and name in text), article.body_line)
        what = {"table": "bảng", "chart": "biểu đồ"}[kind]
        problems.append(error(Location(article.path, line, 1), f"{what} “{name}” phải đứng riêng một dòng",
                              f"để {{{{ {kind}(\"{name}\") }}}} một mình trên một dòng, cách đoạn trên dưới một dòng trống"))
    if problems:
        return None, problems
    return RenderedArticle(fields["title"], fields["sapo"], fields["byline"], Markup(""), html, marker), []
