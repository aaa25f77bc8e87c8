"""Read YAML strictly, keeping the line and column of every key and value.

PyYAML composes the node tree (it keeps marks); we resolve plain scalars
ourselves instead of using its YAML 1.1 resolver, which silently turns
`98.000` into 98.0, `1:20` into 80, `010` into 8 and `no` into False.
Numbers become `int` or `Decimal` (never float), so the digits an editor wrote
are the digits we show, and a bound like "trên 21,5" knows its precision.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import time
import datetime as dt
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from . import caches
from .errors import Location, Problem, error
from .files import read_within

MAX_BYTES = 1024 * 1024  # data files are a few KB; refuse anything absurd early
MAX_DEPTH = 32  # our schema nests 5 deep; deeper input is a mistake or an attack on the stack
MAX_DIGITS = 15  # a figure never needs more; beyond it Decimal and Babel lose or refuse precision


class Refused:
    """Stands in for a scalar the loader refused (the problem is already reported)."""

    def __repr__(self) -> str:
        return "<refused>"


REFUSED = Refused()


class LocatedMap(dict):
    """A YAML mapping that remembers where it, its keys and its values stand."""

    def __init__(self, loc: Location):
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Location] = {}
        self.value_locs: dict[str, Location] = {}


class LocatedList(list):
    """A YAML sequence that remembers where it and each item stand."""

    def __init__(self, loc: Location):
        super().__init__()
        self.loc = loc
        self.item_locs: list[Location] = []


def locate(root: Any, path: tuple, *, key: bool = False) -> Location | None:
    """Location of the value at `path` inside located data (or of its key).

    Walks as deep as the data goes, so a missing field is reported at the
    mapping that lacks it.
    """
    node, where = root, getattr(root, "loc", None)
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, LocatedMap) and step in node:
            where = (node.key_locs if (key and last) else node.value_locs)[step]
            node = node[step]
        elif isinstance(node, LocatedList) and isinstance(step, int) and 0 <= step < len(node):
            where, node = node.item_locs[step], node[step]
        else:
            break
    return where


def lookup(root: Any, path: tuple) -> Any:
    """The raw value at `path`, or None when the data does not go that deep."""
    node = root
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


# --- reading bytes -------------------------------------------------------

# The hash of the text last read from each file: what a result made from that file is kept
# under (dataset.Dataset.digest), taken from the very text that was parsed.
DIGESTS: dict[str, str] = {}


def read_text(path: Path, root: Path) -> tuple[str | None, list[Problem]]:
    """Decode a data file inside `root` as UTF-8 (BOM and CRLF allowed) into NFC text, or say why not.

    serve reads every file after each save: a file that is the same one, with the same size and
    dates, as when it was last read is taken as it was, if it had not been changed for
    `SETTLED_NS` when read (git's answer to a change within the same tick of the clock)."""
    try:
        found = os.stat(path, follow_symlinks=False)
        signature = (str(root), found.st_mode, found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns,
                     found.st_ctime_ns)
    except OSError:
        signature = None
    kept = _TEXTS.get(str(path))
    if kept is not None and signature is not None and kept[0] == signature:
        DIGESTS[str(path)] = kept[2]
        return kept[1], []
    before = time.time_ns()
    text, problems = _read_text(path, root)
    if text is not None and signature is not None and before - max(signature[5], signature[6]) > SETTLED_NS:
        _TEXTS[str(path)] = (signature, text, DIGESTS[str(path)])
    else:
        _TEXTS.pop(str(path), None)
    return text, problems


SETTLED_NS = 2_000_000_000  # a file changed in the last 2 s is read again at the next build
# The text last read from each file, under what stat said of it then (serve; a build that
# writes drops them with the parsed documents).
_TEXTS: dict[str, tuple[tuple, str, str]] = {}


def _read_text(path: Path, root: Path) -> tuple[str | None, list[Problem]]:
    here = Location(path, 1, 1)
    raw, problems = read_within(path, root, MAX_BYTES)
    if raw is None:
        return None, problems
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw[:64]:
        return None, [error(here, "tệp đang được lưu dạng UTF-16, không phải UTF-8",
                            "mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8")]
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [error(Location(path, line, col),
                            "tệp không phải UTF-8 (có thể đang lưu dạng Windows-1258 hoặc TCVN3)",
                            "mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8")]
    if not text.strip():
        return None, [error(here, "tệp trống", "tệp phải có nội dung; xem mẫu trong README")]
    # One form for everything downstream: LF line ends, and NFC so that a name
    # typed in decomposed form (NFD) is the same name.
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    DIGESTS[str(path)] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text, []


# --- parsing -------------------------------------------------------------

class _RefusedNode(ScalarNode):
    """Placeholder for an alias we refused; converts to REFUSED."""


class _StrictComposer(Composer):
    """Composer that refuses anchors, aliases and explicit tags, noting where.

    Aliases are refused before they are expanded, so a "billion laughs" file
    costs nothing; composing goes on so that every problem is reported.
    """

    def __init__(self):
        super().__init__()
        self.refusals: list[tuple] = []
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if self.depth >= MAX_DEPTH:
            raise _TooDeep(event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            self.get_event()
            self.refusals.append((event.start_mark, "YAML có bí danh (*), tệp số liệu không dùng",
                                  "viết thẳng giá trị ra ở từng chỗ cần dùng"))
            return _RefusedNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        if getattr(event, "anchor", None):
            self.refusals.append((event.start_mark, "YAML có neo (&), tệp số liệu không dùng",
                                  "bỏ phần &tên và viết thẳng giá trị ra ở từng chỗ cần dùng"))
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            self.refusals.append((event.start_mark, f"YAML có thẻ kiểu “{tag}”, tệp số liệu không dùng",
                                  "bỏ phần bắt đầu bằng dấu ! trước giá trị"))
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _TooDeep(Exception):
    def __init__(self, mark):
        super().__init__("too deep")
        self.mark = mark


class _Loader(Reader, Scanner, Parser, _StrictComposer, SafeConstructor, Resolver):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _StrictComposer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


if getattr(yaml, "__with_libyaml__", False):
    from yaml.cyaml import CParser

    class _FastLoader(_StrictComposer, CParser, SafeConstructor, Resolver):
        """libyaml's events, our composer (it comes first in the MRO)."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            _StrictComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
else:  # pragma: no cover - PyYAML wheels ship libyaml
    _FastLoader = None


# PyYAML's problems, said for an editor. Unlisted ones get a general message.
_SYNTAX = [
    ("found character '\\t'", "có ký tự tab; YAML chỉ cho phép thụt lề bằng dấu cách",
     "thay mỗi tab bằng dấu cách (thường là 2 dấu cách)"),
    ("mapping values are not allowed", "dấu hai chấm ở chỗ không được phép",
     "nếu giá trị có dấu hai chấm, đặt cả giá trị trong ngoặc kép; nếu không, kiểm tra thụt lề"),
    ("could not find expected ':'", "thiếu dấu hai chấm sau tên trường",
     "viết dạng `tên_trường: giá trị`"),
    ("found duplicate anchor", "YAML có neo (&) trùng tên", "bỏ neo và viết thẳng giá trị"),
    ("found undefined alias", "YAML có bí danh (*) không rõ nghĩa",
     "nếu giá trị bắt đầu bằng *, đặt cả giá trị trong ngoặc kép"),
    ("expected a single document", "tệp có nhiều hơn một tài liệu YAML (dòng ---)",
     "bỏ dòng --- thứ hai; mỗi tệp chỉ chứa một tài liệu"),
    ("found unexpected end of stream", "tệp kết thúc khi ngoặc kép hoặc ngoặc vẫn chưa đóng",
     "kiểm tra dấu ngoặc kép, [ ] và { } đã đóng đủ chưa"),
    ("found unknown escape character", "chuỗi trong ngoặc kép có dấu \\ không hợp lệ",
     "viết \\\\ cho dấu gạch chéo ngược, hoặc dùng dấu nháy đơn '...'"),
    ("special characters are not allowed", "tệp có ký tự điều khiển không được phép",
     "xóa ký tự lạ ở vị trí này (thường do chép từ nơi khác)"),
    ("expected <block end>", "thụt lề không khớp với các dòng phía trên",
     "các trường cùng cấp phải thẳng cột, thụt lề bằng cùng số dấu cách"),
    ("did not find expected key", "thụt lề không khớp với các dòng phía trên",
     "các trường cùng cấp phải thẳng cột, thụt lề bằng cùng số dấu cách"),
    ("did not find expected '-' indicator", "danh sách thụt lề không khớp",
     "mỗi mục của danh sách bắt đầu bằng '- ' và thẳng cột với nhau"),
    ("expected ',' or ']'", "danh sách trong [ ] viết chưa đúng",
     "các mục cách nhau bằng dấu phẩy, cuối cùng đóng ]"),
    ("expected ',' or '}'", "bảng trong { } viết chưa đúng",
     "các cặp `tên: giá trị` cách nhau bằng dấu phẩy, cuối cùng đóng }"),
    ("did not find expected node content", "thiếu giá trị ở chỗ này",
     "viết giá trị sau dấu hai chấm hoặc sau '- '"),
    ("did not find expected comment or line break", "có chữ thừa sau giá trị",
     "nếu giá trị có dấu ngoặc kép, đặt cả giá trị trong dấu nháy đơn '…'; ghi chú phải có dấu cách trước #"),
]


def _mark_location(path: Path, mark, line_offset: int) -> Location:
    if mark is None:
        return Location(path)
    return Location(path, mark.line + 1 + line_offset, mark.column + 1)


_VALUE_START = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?:[^\s#\"'][^:#]*:\s+)?(?P<value>.*)$")
_CONTEXT_OPENERS = {"while scanning a quoted scalar": '"', "while parsing a flow sequence": "[",
                    "while parsing a flow mapping": "{"}
_CLOSERS = {'"': "dấu ngoặc kép", "'": "dấu nháy đơn", "{": "dấu {", "[": "dấu ["}
_CLOSE_HINT = {'"': 'thêm dấu " ở cuối giá trị', "'": "thêm dấu ' ở cuối giá trị",
               "{": "thêm dấu } ở cuối bảng", "[": "thêm dấu ] ở cuối danh sách"}


def _unclosed(text: str, upto: int) -> tuple[int, int, str] | None:
    """(line, col, opener) of the nearest line up to `upto` whose value opens a " { or [ it never closes.

    PyYAML reports an unclosed quote or bracket where it finally gives up, often
    lines later; the editor needs the line where the mistake is. Only a value that
    starts with the opener counts, and a bracket followed by a more indented line
    is a legal multi-line list, not a mistake.
    """
    lines = text.split("\n")
    for number in range(min(upto, len(lines)), 0, -1):
        match = _VALUE_START.match(lines[number - 1])
        value, col = match.group("value"), match.start("value") + 1
        if value.startswith('"') and not re.search(r'(?<!\\)"', value[1:]):
            return number, col, '"'
        if value[:1] in ("[", "{"):
            code = value.split(" #")[0]
            opened = sum(code.count(c) for c in "[{") - sum(code.count(c) for c in "]}")
            following = next((line for line in lines[number:] if line.strip()), "")
            deeper = len(following) - len(following.lstrip()) > len(match.group("indent"))
            if opened > 0 and not deeper:
                return number, col, value[0]
    return None


def _syntax_problem(path: Path, exc: yaml.MarkedYAMLError, line_offset: int, text: str = "") -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = _mark_location(path, mark, line_offset)
    opener = _CONTEXT_OPENERS.get(exc.context or "")
    if opener and exc.context_mark is not None and exc.problem_mark is not None and (
            "end of stream" in (exc.problem or "") or "<stream end>" in (exc.problem or "")
            or exc.problem_mark.line > exc.context_mark.line):
        # PyYAML knows where the quote or bracket was opened: that is the line to fix
        opener = text.split("\n")[exc.context_mark.line][exc.context_mark.column:][:1] or opener
        return error(_mark_location(path, exc.context_mark, line_offset),
                     f"{_CLOSERS.get(opener, 'dấu ngoặc')} ở dòng này chưa được đóng",
                     _CLOSE_HINT.get(opener, "đóng ngoặc ở cuối giá trị"))
    if mark is not None and text:
        found = _unclosed(text, mark.line + 1)
        if found:
            line, col, opener = found
            return error(Location(path, line + line_offset, col),
                         f"{_CLOSERS[opener]} ở dòng này chưa được đóng", _CLOSE_HINT[opener])
    text = f"{exc.problem or ''} {exc.context or ''}"
    for needle, message, hint in _SYNTAX:
        if needle in text:
            return error(where, message, hint)
    return error(where, "cú pháp YAML không hợp lệ",
                 "kiểm tra thụt lề, dấu hai chấm và dấu ngoặc kép quanh vị trí này")


def _control_character(path: Path, text: str, exc, line_offset: int) -> Problem:
    index = min(exc.position, len(text))
    line = text.count("\n", 0, index) + 1 + line_offset
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return error(Location(path, line, col), f"tệp có ký tự điều khiển U+{exc.character:04X} không được phép",
                 "xóa ký tự lạ ở vị trí này (thường do chép từ nơi khác hoặc lưu sai bảng mã)")


def _fast_node(text: str) -> tuple[Any, list[tuple]] | None:
    """The node tree through libyaml's C parser (about 5x faster), or None on any trouble.

    Only events come from C; composing (with the depth limit and the refusals)
    stays ours. When anything is wrong, the pure-Python parser runs again to say
    what, in the words the messages above are written for.
    """
    if _FastLoader is None:
        return None
    try:
        loader = _FastLoader(text)
        try:
            return loader.get_single_node(), loader.refusals
        finally:
            loader.dispose()
    except Exception:
        return None


# Documents parsed in this process, by file, offset and text: a rebuild (serve) parses again
# only the files that changed. The located data is only read, never changed, once parsed.
_PARSED: dict[tuple[str, int, str], Any] = {}


def forget_parsed() -> None:
    """Drop the documents kept for the next build of this process."""
    _PARSED.clear()
    _TEXTS.clear()


def parse_yaml(text: str, path: Path, line_offset: int = 0) -> tuple[Any, list[Problem]]:
    """Parse one YAML document into located data; problems instead of exceptions.

    A document parsed without a problem is kept, in memory and on disk (`caches`, by the hash
    of its text): the next build reads it back, locations included, without parsing."""
    key = (str(path), line_offset, text)
    if key in _PARSED:
        return _PARSED[key], []
    name = caches.key("yaml", str(line_offset), text)
    kept = caches.read_json("yaml", name)
    try:
        data, problems = _thaw(kept, path), []
    except Exception:  # not what _freeze writes (a damaged or foreign file): parsed again, and kept anew
        kept = None
        data, problems = _parse_yaml(text, path, line_offset)
    if data is not None and not problems:
        if kept is None:
            caches.write_json("yaml", name, lambda: _freeze(data))
        _PARSED[key] = data
        while len(_PARSED) > 64:
            del _PARSED[next(iter(_PARSED))]
    return data, problems


# Located data as JSON for the cache, and back: a mapping is ["M", line, col, [[key, key line,
# key col, value line, value col, value]...]], a list ["L", line, col, [[line, col, item]...]],
# a decimal ["N", digits], a date ["D", ordinal]; text, integers, booleans and null as they are.
# By hand: a YAML library's own dump would lose where each value stood.
def _freeze(value: Any) -> Any:
    if isinstance(value, LocatedMap):
        return ["M", value.loc.line, value.loc.col,
                [[key, value.key_locs[key].line, value.key_locs[key].col, value.value_locs[key].line,
                  value.value_locs[key].col, _freeze(item)] for key, item in value.items()]]
    if isinstance(value, LocatedList):
        return ["L", value.loc.line, value.loc.col,
                [[where.line, where.col, _freeze(item)] for where, item in zip(value.item_locs, value)]]
    if isinstance(value, Decimal):
        return ["N", str(value)]
    if isinstance(value, dt.date):
        return ["D", value.toordinal()]
    if value is None or isinstance(value, (str, int)):
        return value
    raise TypeError(f"cannot keep {type(value).__name__}")


def _thaw(value: Any, path: Path) -> Any:
    if type(value) is not list or not value or value[0] != "M":  # a document is always a mapping
        raise LookupError("nothing kept, or not a document")
    return _thawed(value, path)


def _thawed(value: Any, path: Path) -> Any:
    if type(value) is not list:
        return value
    tag = value[0]
    if tag == "M":
        out = LocatedMap(Location(path, value[1], value[2]))
        for key, key_line, key_col, line, col, item in value[3]:
            out.key_locs[key] = Location(path, key_line, key_col)
            out.value_locs[key] = Location(path, line, col)
            out[key] = _thawed(item, path)
        return out
    if tag == "L":
        items = LocatedList(Location(path, value[1], value[2]))
        for line, col, item in value[3]:
            items.item_locs.append(Location(path, line, col))
            items.append(_thawed(item, path))
        return items
    if tag == "N":
        return Decimal(value[1])
    if tag == "D":
        return dt.date.fromordinal(value[1])
    raise ValueError(f"not a kept value: {tag!r}")


def _parse_yaml(text: str, path: Path, line_offset: int) -> tuple[Any, list[Problem]]:
    fast = _fast_node(text)
    if fast is not None:
        return _located(fast[0], fast[1], path, line_offset)
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        return None, [_control_character(path, text, exc, line_offset)]
    try:
        node = loader.get_single_node()
    except _TooDeep as exc:
        return None, [error(_mark_location(path, exc.mark, line_offset),
                            f"dữ liệu lồng nhau quá {MAX_DEPTH} tầng",
                            "kiểm tra các dấu [ và { đã đóng đúng chỗ chưa")]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(path, exc, line_offset, text)]
    except yaml.reader.ReaderError as exc:
        return None, [_control_character(path, text, exc, line_offset)]
    except yaml.YAMLError:
        return None, [error(Location(path), "cú pháp YAML không hợp lệ")]
    finally:
        loader.dispose()
    return _located(node, loader.refusals, path, line_offset)


def _located(node: Any, refusals: list[tuple], path: Path, line_offset: int) -> tuple[Any, list[Problem]]:
    if node is None:
        return None, [error(Location(path, 1, 1), "tệp không có nội dung YAML", "xem mẫu trong README")]
    if not isinstance(node, MappingNode):
        return None, [error(_mark_location(path, node.start_mark, line_offset),
                            "nội dung tệp phải là các dòng `tên_trường: giá trị`",
                            "xem mẫu trong README hoặc trong tệp gốc")]
    problems = [error(_mark_location(path, mark, line_offset), message, hint)
                for mark, message, hint in refusals]
    data = _Converter(path, line_offset, problems).convert(node)
    return data, problems


def load_yaml(path: Path, root: Path) -> tuple[Any, list[Problem]]:
    """Read and parse a YAML data file inside the data folder `root`."""
    text, problems = read_text(path, root)
    if text is None:
        return None, problems
    return parse_yaml(text, path)


# --- scalars -------------------------------------------------------------

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)\.[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_GROUPED_DOT = re.compile(r"[-+]?[1-9][0-9]{0,2}(\.[0-9]{3})+")
_GROUPED_COMMA = re.compile(r"[-+]?[1-9][0-9]{0,2}(,[0-9]{3})+")
_COMMA_DECIMAL = re.compile(r"[-+]?[0-9]+,[0-9]+")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+(\.[0-9]+)?")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_OTHER_NUMBER = re.compile(
    r"[-+]?(0[xob][0-9a-fA-F_]+|[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?|\.[0-9]+|[0-9]+\.|"
    r"[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+|\.(inf|Inf|INF|nan|NaN|NAN))")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_YES_NO = {"y", "n", "yes", "no", "on", "off"}


def _quote_hint(text: str) -> str:
    return f'nếu đây là chữ, đặt trong ngoặc kép: "{text}"'


def resolve_plain(text: str) -> tuple[Any, str, str]:
    """Value of an unquoted scalar, or REFUSED with a message and a hint."""
    if text in _NULL:
        return None, "", ""
    if text in _TRUE:
        return True, "", ""
    if text in _FALSE:
        return False, "", ""
    if text.lower() in _YES_NO:
        return REFUSED, (f"“{text}” không rõ là chữ hay đúng/sai (YAML cũ đọc thành "
                         f"{'true' if text.lower() in {'y', 'yes', 'on'} else 'false'})"), \
            f"viết true hoặc false nếu là đúng/sai; {_quote_hint(text)}"
    if (_INT.fullmatch(text) or _DECIMAL.fullmatch(text)) and \
            sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        shown = text if len(text) <= 24 else text[:20] + "…"
        return REFUSED, f"số {shown} quá dài (hơn {MAX_DIGITS} chữ số)", "kiểm tra lại con số; số liệu không cần nhiều chữ số như vậy"
    if _INT.fullmatch(text):
        return int(text), "", ""
    if _GROUPED_DOT.fullmatch(text) or _GROUPED_COMMA.fullmatch(text):
        digits = re.sub(r"[.,]", "", text)
        return REFUSED, f"số {text} có dấu phân cách hàng nghìn", \
            f"viết liền, không dấu phân cách: {digits}"
    if _DECIMAL.fullmatch(text):
        return Decimal(text), "", ""
    if _COMMA_DECIMAL.fullmatch(text):
        return REFUSED, f"số {text} dùng dấu phẩy cho phần thập phân", \
            f"dùng dấu chấm cho phần thập phân: {text.replace(',', '.')}"
    if _LEADING_ZERO.fullmatch(text):
        fixed = re.sub(r"^([-+]?)0+(?=[0-9])", r"\1", text)
        return REFUSED, f"số {text} bắt đầu bằng số 0 (YAML cũ có thể đọc thành hệ bát phân)", \
            f"viết {fixed}; {_quote_hint(text)}"
    if _SEXAGESIMAL.fullmatch(text):
        return REFUSED, f"{text} bị YAML cũ đọc thành số hệ 60", _quote_hint(text)
    if _OTHER_NUMBER.fullmatch(text):
        return REFUSED, f"{text} không phải cách viết số được chấp nhận", \
            f"viết số thập phân thường, ví dụ 938.21 hoặc 98000; {_quote_hint(text)}"
    match = _DATE.fullmatch(text)
    if match:
        try:
            return dt.date(*map(int, match.groups())), "", ""
        except ValueError:
            return REFUSED, f"ngày {text} không có thật", "viết ngày dạng năm-tháng-ngày, ví dụ 2024-03-27"
    return text, "", ""


def _control(text: str) -> str:
    """The first control or lone surrogate character in text (tab and newline are fine), or ''."""
    return next((ch for ch in text if ch not in "\t\n" and unicodedata.category(ch) in ("Cc", "Cs")), "")


class _Converter:
    """Turns a node tree into located data, collecting problems."""

    def __init__(self, path: Path, line_offset: int, problems: list[Problem]):
        self.path, self.offset, self.problems = path, line_offset, problems

    def where(self, node: Node) -> Location:
        return _mark_location(self.path, node.start_mark, self.offset)

    def refuse(self, node: Node, message: str, hint: str = "") -> Refused:
        self.problems.append(error(self.where(node), message, hint))
        return REFUSED

    def convert(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return self.mapping(node)
        if isinstance(node, SequenceNode):
            out = LocatedList(self.where(node))
            for item in node.value:
                out.item_locs.append(self.where(item))
                out.append(self.convert(item))
            return out
        return self.scalar(node)

    def scalar(self, node: ScalarNode) -> Any:
        if isinstance(node, _RefusedNode):
            return REFUSED
        bad = _control(node.value)
        if bad:  # "\0", "\e", "\ud800" escapes in quoted text get past the reader's check
            return self.refuse(node, f"chữ có ký tự điều khiển U+{ord(bad):04X} không được phép",
                               "xóa ký tự lạ hoặc chuỗi thoát (\\…) ở vị trí này")
        text = unicodedata.normalize("NFC", node.value)
        if node.style:  # quoted or block scalar: always text (plain is None in PyYAML, "" in libyaml)
            return text
        value, message, hint = resolve_plain(text)
        if value is REFUSED:
            return self.refuse(node, message, hint)
        return value

    def mapping(self, node: MappingNode) -> LocatedMap:
        out = LocatedMap(self.where(node))
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.refuse(key_node, "tên trường phải là chữ, không phải danh sách hay bảng")
                continue
            if _control(key_node.value):
                self.refuse(key_node, "tên trường có ký tự điều khiển không được phép", "gõ lại tên trường")
                continue
            key = unicodedata.normalize("NFC", key_node.value)
            if key == "<<" and not key_node.style:
                self.refuse(key_node, "YAML có khóa gộp (<<), tệp số liệu không dùng",
                            "viết thẳng các trường ra")
                continue
            if key in out:
                first = out.key_locs[key]
                self.problems.append(error(
                    self.where(key_node), f"trường “{key}” bị lặp lại (đã có ở dòng {first.line})",
                    "giữ một trường và xóa trường thừa; nếu để cả hai, YAML chỉ lấy giá trị sau mà không báo",
                    related=[first]))
                continue
            out.key_locs[key] = self.where(key_node)
            out.value_locs[key] = self.where(value_node)
            out[key] = self.convert(value_node)
        return out
