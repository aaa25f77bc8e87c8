"""The article's closed sandbox: plain read-only data, listed helpers, bounded operations.

Jinja's own sandbox is open by default: it blocks underscore attributes but lets a
template call any public method of any object it can reach (a pydantic model's
`parse_file` reads and unpickles files). This one is closed instead:

- the article sees `Record`s (read-only mappings), tuples, strings, numbers, dates;
  an attribute is a record's field, a date's year/month/day or a loop's counter, and
  nothing else is reachable: no method of any object, no global Jinja adds;
- it can call only the functions and filters listed here (`FUNCTIONS`, `FILTERS`,
  `TESTS`), each documented in the README; filters get the models behind records,
  and whatever they return is turned back into plain data;
- operators cannot build values beyond `MAX_ITEMS` characters or items, nor integers
  beyond `MAX_INT_BITS`;
- `include`, `import`, `extends`, `macro`, `call`, `filter` and `autoescape` blocks and
  recursive loops are refused when the text is parsed, with their line.

Time and memory are bounded around it, in `article.py` (a child process, see isolate.py).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Callable, Iterator

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment
from jinja2.tests import TESTS as JINJA_TESTS
from jinja2.visitor import NodeTransformer
from markupsafe import Markup
from pydantic import BaseModel

from . import filters
from .errors import ArticleError
from .figures import Figure

MAX_ITEMS = 100_000  # characters of a string or items of a list an operator may produce
MAX_INT_BITS = 256  # about 77 digits: more than any figure, little enough to stay fast
MAX_EXPONENT = 1_000

# --- everything an article can call, in one place (README: "Viết bài") ------------------

#: Functions in the article's context; `article.py` binds them to the edition.
FUNCTIONS = ("province", "at_rank", "head", "compare", "table", "chart")
#: Our filters (filters.py): figures, numbers, dates and lists in Vietnamese.
OUR_FILTERS = ("fig", "value", "num", "pct", "date", "long_date", "names", "ordinal", "change",
               "beyond", "fig_list", "versus_plan", "slug")
#: Jinja's filters whose output is never larger than their input.
JINJA_FILTER_NAMES = ("abs", "capitalize", "count", "default", "d", "first", "last", "length", "list",
                      "lower", "map", "max", "min", "reject", "rejectattr", "reverse", "round", "select",
                      "selectattr", "sort", "title", "trim", "unique", "upper")
#: Tests for `is` (and for select/reject).
TESTS = ("defined", "undefined", "none", "number", "string", "sequence", "mapping", "boolean", "true",
         "false", "even", "odd", "divisibleby", "eq", "ne", "lt", "le", "gt", "ge", "==", "!=", "<",
         "<=", ">", ">=", "equalto", "greaterthan", "lessthan", "in", "sameas", "lower", "upper")

DATE_FIELDS = frozenset({"year", "month", "day"})
LOOP_FIELDS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length",
                         "previtem", "nextitem", "depth", "depth0"})

# Template syntax an article may use; anything else is refused when parsed.
ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name, nodes.Getattr,
    nodes.Getitem, nodes.Slice, nodes.Call, nodes.Keyword, nodes.Filter, nodes.Test, nodes.CondExpr,
    nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div,
    nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Compare, nodes.Operand, nodes.Concat, nodes.List,
    nodes.Tuple, nodes.Dict, nodes.Pair, nodes.If, nodes.For, nodes.Assign, nodes.AssignBlock, nodes.With,
    nodes.Scope,  # made only around {% autoescape %}, whose own node is refused with its line
)
_BLOCKS = (nodes.For, nodes.If, nodes.With, nodes.AssignBlock)
MAX_BLOCK_DEPTH = 8  # Python refuses code nested 20 blocks deep; each of ours may take two
_REFUSED_WORDS = {
    nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "import", nodes.Extends: "extends",
    nodes.Macro: "macro", nodes.CallBlock: "call", nodes.FilterBlock: "filter", nodes.Block: "block",
    nodes.ScopedEvalContextModifier: "autoescape", nodes.EvalContextModifier: "autoescape",
}


# --- plain data ---------------------------------------------------------------------------

class Record(Mapping):
    """Read-only data for the article: named fields and nothing else.

    The model it was made from stays in a slot the sandbox cannot reach, so that
    filters can still format a figure with its unit.
    """

    __slots__ = ("_fields", "_origin")

    def __init__(self, fields: dict[str, Any], origin: Any = None):
        object.__setattr__(self, "_fields", fields)
        object.__setattr__(self, "_origin", origin)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("read-only")

    def __getitem__(self, key: str) -> Any:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Record({', '.join(self._fields)})"

    def __str__(self) -> str:  # never printed into a page, whatever path tries
        raise ArticleError("bài viết in thẳng một nhóm số liệu",
                           "in từng trường, ví dụ p.name, hoặc dùng bộ lọc fig cho một con số")


_SCALARS = (str, int, float, Decimal, dt.date, type(None))


def plain(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """Models, dicts and lists as Records and tuples; strings, numbers and dates as they are."""
    if isinstance(value, _SCALARS):  # bool is an int; Markup is a str
        return value
    if isinstance(value, enum.Enum):
        return value.value
    memo = {} if memo is None else memo
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, Figure):
        made: Any = Record({"value": value.value, "to": value.to, "qualifier": value.qualifier.value,
                            "source": value.source, "sources": value.sources, "known": value.known,
                            "note": value.resolution.note if value.resolution else ""}, value)
    elif isinstance(value, BaseModel):
        fields = {name: plain(getattr(value, name), memo) for name in type(value).model_fields}
        if isinstance(getattr(type(value), "name", None), property):  # a province knows its name
            fields["name"] = value.name
        made = Record(fields, value)
    elif isinstance(value, Mapping):
        made = Record({str(key): plain(item, memo) for key, item in value.items()}, value)
    elif isinstance(value, (list, tuple)):
        made = tuple(plain(item, memo) for item in value)
    else:
        raise TypeError(f"no plain form for {type(value).__name__}")
    memo[id(value)] = made
    return made


def origin(value: Any) -> Any:
    """What a filter works on: the model behind a record, recursively through tuples."""
    if isinstance(value, Record):
        return value._origin if value._origin is not None else value
    if isinstance(value, tuple):
        return [origin(item) for item in value]
    return value


def _bound(name: str, func: Callable) -> Callable:
    """`func` for the sandbox: gets models, returns plain data, says a misuse in Vietnamese."""
    def call(*args: Any, **kwargs: Any) -> Any:
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, Undefined):
                arg._fail_with_undefined_error()  # the mistake is the unknown name, not the filter
        try:
            result = func(*(origin(a) for a in args), **{k: origin(v) for k, v in kwargs.items()})
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            raise ArticleError(f"“{name}” không dùng được với giá trị này",
                               "xem cách dùng trong README, mục Viết bài", needle=name) from exc
        return plain(result)
    call.__name__ = name
    return call


def _on_text(name: str) -> Callable:
    """A Jinja string filter that refuses what is not text (it would print a Python repr)."""
    func = JINJA_FILTERS[name]

    def call(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, Undefined):
            value._fail_with_undefined_error()
        if not isinstance(value, (str, int, Decimal, float)) or isinstance(value, bool):
            raise ArticleError(f"bộ lọc “{name}” chỉ dùng cho chữ", "dùng cho một trường chữ, ví dụ p.name",
                               needle=name)
        return func(value, *args, **kwargs)
    return call


def _round(value: Any, precision: int = 0, method: str = "common") -> Any:
    """Jinja's round, with a precision that cannot make it compute 10 ** 1000000."""
    if not isinstance(precision, int) or isinstance(precision, bool) or abs(precision) > 20:
        raise ArticleError("bộ lọc round nhận số chữ số từ -20 đến 20", "ví dụ round(1)", needle="round")
    return JINJA_FILTERS["round"](value, precision, method)


_TEXT_FILTERS = ("capitalize", "lower", "title", "trim", "upper")

FILTERS: dict[str, Callable] = {
    **{name: JINJA_FILTERS[name] for name in JINJA_FILTER_NAMES},
    **{name: _on_text(name) for name in _TEXT_FILTERS},
    "round": _round,
    **{name: _bound(name, filters.FILTERS[name]) for name in OUR_FILTERS},
}


def bind_functions(functions: dict[str, Callable]) -> dict[str, Callable]:
    """The article's functions, made safe to call from the sandbox; exactly FUNCTIONS."""
    assert set(functions) == set(FUNCTIONS), sorted(functions)
    return {name: _bound(name, func) for name, func in functions.items()}


# --- finalizing what an expression prints ----------------------------------------------------

def _printable(value: Any) -> Any:
    """What `{{ … }}` may print: text, numbers and dates, not a list or a record's insides."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()  # names what was undefined
    if isinstance(value, (str, int, float, Decimal, dt.date, type(None))):
        return value
    raise ArticleError("bài viết in thẳng một danh sách hoặc một nhóm số liệu",
                       "in từng trường, hoặc dùng bộ lọc names cho danh sách tên, fig cho một con số")


def as_text(value: Any) -> Any:
    """For plain-text fields (title, sapo): markup becomes its text."""
    return value.striptags() if isinstance(value, Markup) else _printable(value)


_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]()#+-.!"})


def as_markdown_text(value: Any) -> Any:
    """For the Markdown body: data prints as literal text, never as Markdown syntax.

    A source's title "[x](…)" must not become a link, nor "1. " a list. Markup (a
    table, a chart) is ours and passes; HTML characters are escaped by autoescape.
    """
    if isinstance(value, Markup) or value is None or isinstance(value, bool):
        return value
    return str(_printable(value)).translate(_MARKDOWN_SPECIAL)


# --- the environment ------------------------------------------------------------------------

class RefusedSyntax(TemplateSyntaxError):
    """A tag or construct the article may not use; message and hint in Vietnamese."""

    def __init__(self, message: str, hint: str, lineno: int, name: str | None, filename: str | None):
        super().__init__(message, lineno, name, filename)
        self.vi_message, self.hint = message, hint


class ClosedEnvironment(SandboxedEnvironment):
    """A Jinja environment in which only the data and the listed helpers exist."""

    intercepted_binops = frozenset(["+", "-", "*", "/", "//", "%", "**"])

    def __init__(self, text: bool, context: Mapping[str, Any], loader=None, bytecode_cache=None):
        super().__init__(loader=loader, bytecode_cache=bytecode_cache, autoescape=not text, undefined=StrictUndefined,
                         finalize=as_text if text else as_markdown_text,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.globals.clear()  # no range, lipsum, cycler, joiner, namespace, dict
        self.filters = {**FILTERS, "_join": self.join}
        self.tests = {name: JINJA_TESTS[name] for name in TESTS}
        self.callables = frozenset(context[name] for name in FUNCTIONS if name in context)

    # parsing: refuse what an article may not use, with its line
    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        self._walk(tree, 0, name, filename)
        tree = _JoinThroughFilter().visit(tree)
        tree.set_environment(self)
        return tree

    def _walk(self, node: nodes.Node, depth: int, name, filename) -> None:
        self._allow(node, name, filename)
        if isinstance(node, _BLOCKS):
            depth += 1
            if depth > MAX_BLOCK_DEPTH:
                raise RefusedSyntax(f"các lệnh if, for, with lồng nhau quá {MAX_BLOCK_DEPTH} tầng",
                                    "viết gọn lại, bớt các khối lồng vào nhau", node.lineno, name, filename)
        for child in node.iter_child_nodes():
            self._walk(child, depth, name, filename)

    def _allow(self, node: nodes.Node, name, filename) -> None:
        line = getattr(node, "lineno", 1) or 1
        if isinstance(node, nodes.For) and node.recursive:
            raise RefusedSyntax("bài viết không dùng được vòng lặp recursive",
                                "bỏ chữ recursive; mỗi vòng for chỉ đi qua một danh sách", line, name, filename)
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            raise RefusedSyntax("bài viết không dùng được include, import hay extends",
                                "viết thẳng nội dung vào article.md; bảng và biểu đồ chèn bằng table(…) và chart(…)",
                                line, name, filename)
        if not isinstance(node, ALLOWED_NODES):
            word = next((w for kind, w in _REFUSED_WORDS.items() if isinstance(node, kind)), "")
            raise RefusedSyntax(f"bài viết không dùng được lệnh {{% {word} %}}" if word else
                                "bài viết dùng cú pháp không được phép",
                                "chỉ dùng {{ … }} và các lệnh if, for, set, with", line, name, filename)

    def join(self, parts: Any) -> Any:
        """`a ~ b`: text only, within MAX_ITEMS, and data stays literal text next to markup."""
        parts = [part if isinstance(part, Markup) else _printable(part) for part in parts]
        if sum(len(str(part)) for part in parts) > MAX_ITEMS:
            raise ArticleError(f"phép nối ~ tạo ra chuỗi quá {MAX_ITEMS:,} ký tự".replace(",", "."),
                               "bài viết không cần chuỗi dài như vậy")
        if not any(isinstance(part, Markup) for part in parts):
            return "".join(str(part) for part in parts)
        if not self.autoescape:  # plain text: markup becomes its text
            return "".join(part.striptags() if isinstance(part, Markup) else str(part) for part in parts)
        return Markup("").join(part if isinstance(part, Markup) else Markup.escape(as_markdown_text(part))
                               for part in parts)

    # reaching into values
    def getattr(self, obj: Any, attribute: str) -> Any:
        return self._field(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str):
            return self._field(obj, argument)
        if isinstance(obj, (tuple, list, str)) and isinstance(argument, int):
            try:
                return obj[argument]
            except IndexError:
                pass
        return self.undefined(obj=obj, name=argument)

    def _field(self, obj: Any, name: str) -> Any:
        if isinstance(obj, Undefined):
            obj._fail_with_undefined_error()  # says which name was undefined; reads nothing of it
        if isinstance(obj, Record) and name in obj:
            return obj[name]
        if isinstance(obj, dt.date) and name in DATE_FIELDS:
            return getattr(obj, name)
        if isinstance(obj, LoopContext) and name in LOOP_FIELDS:
            return getattr(obj, name)
        if hasattr(type(obj), name) or name.startswith("_"):
            raise ArticleError(f"bài viết không dùng được “{name}”: bài chỉ đọc số liệu, không gọi hàm của dữ liệu",
                               "chỉ dùng tên số liệu, các hàm và bộ lọc liệt kê trong README, mục Viết bài",
                               needle=name)
        return self.undefined(obj=obj, name=name)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        if not isinstance(__obj, Undefined) and __obj not in __self.callables:
            raise ArticleError("bài viết chỉ gọi được các hàm liệt kê trong README",
                               "các hàm: " + ", ".join(FUNCTIONS))
        return __context.call(__obj, *args, **kwargs)

    # operators: nothing larger than MAX_ITEMS, no integer beyond MAX_INT_BITS, no printf
    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise ArticleError("bài viết không dùng được % với chữ", "dùng bộ lọc fig, num hoặc pct để viết số")
        if operator == "**" and not (_number(left) and _number(right) and abs(right) <= MAX_EXPONENT and
                                     (not isinstance(left, int) or abs(left).bit_length() * abs(right) <= MAX_INT_BITS)):
            raise ArticleError("phép lũy thừa quá lớn", "bài viết không cần phép tính này")
        if operator in ("*", "+") and _size(operator, left, right) > MAX_ITEMS:
            raise ArticleError(f"phép tính tạo ra chuỗi hoặc danh sách quá {MAX_ITEMS:,} phần tử".replace(",", "."),
                               "bài viết không cần nhân chuỗi hay danh sách lớn như vậy")
        try:
            result = self.binop_table[operator](left, right)
        except ZeroDivisionError as exc:
            raise ArticleError("phép chia cho 0", "kiểm tra số chia") from exc
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            raise ArticleError("phép tính tạo ra số quá lớn", "bài viết không cần con số lớn như vậy")
        return result


class _JoinThroughFilter(NodeTransformer):
    """`a ~ b` compiles to Jinja's own join, which prints anything; route it through ClosedEnvironment.join."""

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "_join", [], [], None, None,
                            lineno=node.lineno)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _size(operator: str, left: Any, right: Any) -> int:
    """How many characters or items `left operator right` would make (0 for numbers)."""
    sized = (str, list, tuple)
    if operator == "+" and isinstance(left, sized) and isinstance(right, sized):
        return len(left) + len(right)
    for seq, times in ((left, right), (right, left)):
        if operator == "*" and isinstance(seq, sized) and isinstance(times, int):
            return len(seq) * max(times, 0)
    return 0
