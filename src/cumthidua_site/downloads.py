"""Downloadable data: every figure as a row (CSV and JSON), and the field dictionary."""

from __future__ import annotations

import hashlib

import codecs
import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator, Optional

from pydantic import BaseModel

from . import caches, formatting as fmt
from . import views
from .figures import Figure, Qualifier
from .messages import unwrap
from .model import Cluster, Edition, Province, Site

# The columns of both downloads, documented on the data page.
COLUMNS = [
    ("scope", "phạm vi", "“cum” cho số liệu chung của cụm, “tinh” cho số liệu của một tỉnh"),
    ("province", "tỉnh", "tên tỉnh (để trống với số liệu chung của cụm)"),
    ("field", "trường", "tên trường trong tệp YAML, ví dụ economy.exports hoặc score"),
    ("label", "nhãn", "tên số liệu bằng tiếng Việt"),
    ("value", "giá trị", "con số nguồn ghi, dấu chấm thập phân, theo đơn vị ở cột unit (nguồn ghi đơn vị khác, "
                         "như 17.899 triệu USD, thì đã đổi sang đơn vị của cột: 17.899 tỷ USD; cột text giữ cách nguồn "
                         "ghi); với một khoảng “từ X đến Y” là X (để trống nếu nguồn không nêu)"),
    ("to", "đến", "với một khoảng “từ X đến Y”: Y; các con số khác để trống"),
    ("unit", "đơn vị", "đơn vị của con số"),
    ("qualifier", "cách ghi", "exact, over (“trên X”), at_least (“từ X trở lên”), nearly (“gần X”), "
                              "about (“khoảng X”), range (“từ X đến Y”) hoặc unknown"),
    ("low", "cận dưới", "giá trị nhỏ nhất mà nguồn chứng minh được (để trống nếu nguồn không cho cận dưới)"),
    ("low_included", "có thể bằng cận dưới", "true nếu con số có thể bằng cận dưới, false nếu phải lớn hơn hẳn"),
    ("high", "cận trên", "giá trị lớn nhất mà nguồn chứng minh được (để trống nếu nguồn không cho cận trên)"),
    ("high_included", "có thể bằng cận trên", "true nếu con số có thể bằng cận trên, false nếu phải nhỏ hơn hẳn"),
    ("interval", "khoảng", "khoảng chắc chắn; ngoặc tròn là không lấy đầu mút, ví dụ (98000; +∞) cho “trên 98.000”"),
    ("text", "cách viết trên trang", "con số viết theo kiểu Việt Nam, như trên trang"),
    ("source", "nguồn", "cơ quan báo chí và tên bài của con số trang hiện"),
    ("source_url", "địa chỉ nguồn", "đường dẫn tới bài đó (để trống nếu nguồn không có địa chỉ web)"),
    ("sources", "mọi nguồn", "mọi nguồn nêu con số này, cách nhau bằng dấu chấm phẩy"),
    ("other_claims", "nguồn khác ghi", "cách các nguồn khác ghi con số này, nếu khác con số trang hiện"),
    ("resolution", "cách giải quyết", "khi các nguồn ghi khác nhau: nguồn được dùng và lý do"),
    ("corrected", "ngày đính chính", "ngày con số được sửa sau khi đăng (năm-tháng-ngày; để trống nếu chưa từng sửa)"),
    ("previous", "trước khi đính chính", "con số đã đăng trước lần sửa đó, như trang ghi khi ấy"),
]

# The columns of the facts file: everything in the data that is not a figure.
FACT_COLUMNS = [
    ("field", "trường", "tên trường trong tệp YAML, ví dụ conference.place hoặc awards.government_flag.provinces"),
    ("item", "mục", "số thứ tự trong danh sách (để trống nếu trường không phải danh sách)"),
    ("province", "tỉnh", "tỉnh mà sự kiện nói về (để trống với sự kiện chung của cụm)"),
    ("label", "nhãn", "tên sự kiện bằng tiếng Việt"),
    ("value", "giá trị", "nội dung; ngày viết năm-tháng-ngày, đúng/sai viết true/false"),
    ("source", "nguồn", "các nguồn nêu sự kiện này, cách nhau bằng dấu chấm phẩy"),
    ("source_url", "địa chỉ nguồn", "đường dẫn tới các nguồn đó"),
]


@dataclass(frozen=True)
class FieldDoc:
    """One line of the field dictionary: a figure field of the model."""

    path: str
    label: str
    unit: str
    where: str


def _figure_fields(model: type[BaseModel], prefix: str = "",
                   within: str = "") -> Iterator[tuple[str, type[Figure], str]]:
    """(dotted path, figure class, Vietnamese label) of every figure field, in schema order."""
    for name, info in model.model_fields.items():
        inner = unwrap(info.annotation)
        if isinstance(inner, type) and issubclass(inner, Figure):
            yield prefix + name, inner, (info.title or name) + (f" ({within})" if within else "")
        elif isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not model:
            # a model used in several places (a list of provinces) says which one it is
            shared = inner.__name__ == "ProvinceList"
            yield from _figure_fields(inner, f"{prefix}{name}.", info.title if shared else "")


def field_dictionary(rows: Optional[list[dict]] = None, facts: Optional[list[dict]] = None) -> list[FieldDoc]:
    """Every figure field, then every fact field, that the downloads hold: path, label, unit, file.

    Without rows, every figure field of the schema."""
    held = None if rows is None else {row["field"] for row in rows}
    docs = [FieldDoc(path, label, cls.unit.label, "cluster.yaml") for path, cls, label in _figure_fields(Cluster)
            if held is None or path in held]
    docs += [FieldDoc(path, label, cls.unit.label, "provinces.yaml") for path, cls, label in _figure_fields(Province)
             if held is None or path in held]
    seen = set()
    for row in facts or []:
        if row["field"] not in seen:
            seen.add(row["field"])
            where = {"income_named": "provinces.yaml", "merged_into": "reference/provinces.yaml",
                     "merged_since": "reference/provinces.yaml"}.get(row["field"], "cluster.yaml")
            docs.append(FieldDoc(row["field"], row["label"], "", where))
    return docs


QUALIFIERS = [(q.value, q.label) for q in Qualifier]


def _credit(edition: Edition, ids) -> tuple[str, str]:
    """('Báo Kiên Giang: …; Sài Gòn Giải Phóng: …', 'https://…; https://…') for source ids."""
    found = [edition.sources[i] for i in ids if i in edition.sources]
    return ("; ".join(f"{s.publisher}: {s.title}" for s in found),
            "; ".join(s.url for s in found if s.url))


def _claim_text(edition: Edition, claim) -> str:
    source = edition.cluster.sources.get(claim.source or "")
    said = (f"{claim.measures} " if claim.measures else "") + fmt.figure(claim)
    return f"{said} ({source.publisher if source else claim.source})"


def _row(edition: Edition, scope: str, province: str, path: str, label: str, fig: Figure) -> dict:
    span = fig.certain  # never more than the source proves
    low = span.lo if span else None
    high = span.hi if span else None
    source = edition.cluster.sources.get(fig.source or "")
    others = [c for c in fig.claims if c is not fig.shown and c.known and
              (fmt.figure(c) != fmt.figure(fig.shown) or c.measures)]
    resolution = fig.resolution
    return {
        "scope": scope, "province": province, "field": path, "label": label,
        "value": fig.value, "to": fig.to, "unit": fig.unit.label, "qualifier": fig.qualifier.value,
        "low": low, "low_included": None if low is None else span.lo_closed,
        "high": high, "high_included": None if high is None else span.hi_closed,
        "interval": str(span) if span else "", "text": fmt.figure(fig),
        "source": f"{source.publisher}: {source.title}" if source else "",
        "source_url": source.url if source else "",
        "sources": _credit(edition, fig.sources)[0] if fig.known else "",
        "other_claims": "; ".join(_claim_text(edition, c) for c in others),
        "resolution": (f"{edition.cluster.sources[resolution.stands].publisher}: {resolution.note}"
                       if resolution and resolution.stands in edition.cluster.sources else ""),
        "claims": [{"value": c.value, "to": c.to, "qualifier": c.qualifier.value, "measures": c.measures,
                    "source": c.source, "text": fmt.figure(c)} for c in fig.claims if c.known],
    }


def _cluster_rows(edition: Edition) -> list[dict]:
    rows = []
    for path, _, label in _figure_fields(Cluster):
        fig = _resolve(edition.cluster, path)
        if fig is not None:
            rows.append(_row(edition, "cum", "", path, label, fig))
    return rows


def _province_rows(edition: Edition, province: Province) -> list[dict]:
    return [_row(edition, "tinh", province.name, path, label, getattr(province, path))
            for path, _, label in _figure_fields(Province)]


def _resolve(obj, path: str):
    """The figure at a dotted path, or None where a section the edition leaves out stands in the way."""
    for part in path.split("."):
        obj = getattr(obj, part) if obj is not None else None
    return obj


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP's CSV injection advice).

    Text that starts (after any spaces) with = + - @, a tab or a carriage return
    gets a leading apostrophe, which Excel and LibreOffice show as text; numbers
    such as -2.5 stay numbers.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    text = str(value)
    if text.lstrip(" ").startswith(_FORMULA_START) or text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(rows: list[dict], columns: list[tuple[str, str, str]] = COLUMNS) -> bytes:
    """UTF-8 with a BOM (so Excel on Vietnamese Windows shows the diacritics), CRLF rows."""
    return _csv_file(_csv_lines([[name for name, _, _ in columns]]) + _csv_lines(_cells(rows, columns)))


def _cells(rows: list[dict], columns: list[tuple[str, str, str]] = COLUMNS) -> list[list[str]]:
    return [[safe_cell(row[k]) for k, _, _ in columns] for row in rows]


def _csv_lines(cells: list[list[str]]) -> str:
    """Rows as CSV text: each row's line depends on that row alone, so parts can be joined."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(cells)
    return buffer.getvalue()


def _csv_file(text: str) -> bytes:
    return codecs.BOM_UTF8 + text.encode("utf-8")


# --- facts -----------------------------------------------------------------------

def fact_rows(edition: Edition) -> list[dict]:
    """Everything in cluster.yaml that is not a figure, one row per value (per item of a list)."""
    rows: list[dict] = []

    def add(path: str, item: object, label: str, value: object, ids, province: str = "") -> None:
        if isinstance(value, dt.date):
            text = value.isoformat()
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        credit, urls = _credit(edition, ids)
        rows.append({"field": path, "item": item, "province": province, "label": label, "value": text,
                     "source": credit, "source_url": urls})

    def walk(model: BaseModel, prefix: str, within: str, ids, item: object = "") -> None:
        own = getattr(model, "source", None)
        ids = own if isinstance(own, tuple) and own else ids
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            if name in ("source", "sources") or isinstance(value, Figure) or value in (None, "", []):
                continue
            label = (info.title or name) + (f" ({within})" if within and within != info.title else "")
            if isinstance(value, BaseModel):
                walk(value, f"{prefix}{name}.", info.title or name, ids, item)
            elif isinstance(value, list):
                for index, entry in enumerate(value, 1):
                    if isinstance(entry, BaseModel):
                        walk(entry, f"{prefix}{name}.", info.title or name, ids, index)
                    else:
                        add(prefix + name, index, label, entry, ids)
            else:
                add(prefix + name, item, label, value, ids)

    walk(edition.cluster, "", "", (views.main_source(edition),))  # the cluster's own name, year: the main source
    named = [p for p in edition.members if p.income_per_capita.known]
    for index, province in enumerate(named, 1):
        add("income_named", index, "tỉnh trong nhóm thu nhập cao các nguồn nêu tên", province.name,
            province.income_per_capita.sources)
    for province in views.by_name(edition.members):  # what each has been part of since a merger
        change = edition.reference.change_of(province.name)
        if change is not None:
            add("merged_into", "", "tỉnh, thành phố mà tỉnh thuộc về sau khi sắp xếp", change.into,
                change.source, province.name)
            add("merged_since", "", "ngày bắt đầu thuộc tỉnh, thành phố mới", change.since, change.source,
                province.name)
    return rows


def _json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    return value


def _json_value(value):
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return _json_number(value)


def to_json(site: Site, edition: Edition, rows: list[dict], facts: list[dict],
            row_texts: Optional[list[str]] = None) -> bytes:
    """Every figure (with every source's claim), every fact, the sources, licence and column meanings.
    `row_texts`: the figures' rows already indented (`_indented_row`), when made part by part."""
    document = {
        "title": f"{edition.cluster.name}: số liệu năm {edition.cluster.year}",
        "edition": edition.cluster.year,
        "licence": {"name": site.licence.name, "url": site.licence.url},
        "sources": {key: {"publisher": s.publisher, "short": s.short, "title": s.title, "authors": s.authors,
                          "url": s.url, "published": s.published.isoformat() if s.published else "",
                          "published_note": s.published_note, "number": s.number}
                    for key, s in edition.sources.items()},
        "columns": [{"name": name, "label": label, "description": text} for name, label, text in COLUMNS],
        "fact_columns": [{"name": name, "label": label, "description": text}
                         for name, label, text in FACT_COLUMNS],
        "qualifiers": dict(QUALIFIERS),
        "figures": rows,
        "facts": facts,
    }
    return (_indented(document, {} if row_texts is None else {"figures": row_texts}) + "\n").encode("utf-8")


def _indented(document: dict, done: Optional[dict[str, list[str]]] = None) -> str:
    """json.dumps(document, ensure_ascii=False, indent=2), the same text, faster: Python indents
    with its pure-Python encoder, so each row of the figures and facts is indented once and kept
    under its compact form (C's encoder); serve's rebuild after one figure changes indents one row.
    `done`: a list's rows indented already. tests/test_downloads.py holds the two texts equal."""
    parts = []
    for key, value in document.items():
        if key in ("figures", "facts") and value:
            rows = (done or {}).get(key) or [_indented_row(_json_value(row)) for row in value]
            text = "[\n    " + ",\n    ".join(rows) + "\n  ]"
        else:  # the same for every edition (the columns), or small
            text = _indented_row(value, "\n  ")
        parts.append(f"{json.dumps(key, ensure_ascii=False)}: {text}")
    return "{\n  " + ",\n  ".join(parts) + "\n}"


def _indented_row(row: object, newline: str = "\n    ") -> str:
    """A value as json.dumps indents it, each line after the first starting with `newline`."""
    compact = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    found = _ROWS.get((compact, newline))
    if found is None:
        if len(_ROWS) > 1024:  # an edition's rows or two: what serve's edit indents again
            _ROWS.clear()
        found = _ROWS[(compact, newline)] = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", newline)
    return found


_ROWS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Made:
    """An edition's downloads: the three files, the field dictionary and how many rows."""

    dictionary: list[FieldDoc]
    figures_csv: bytes
    facts_csv: bytes
    json: bytes
    row_count: int
    known_count: int  # rows with a value


_MADE: dict[str, Made] = {}


def make(site: Site, edition: Edition, corrected: tuple = (), fingerprint: str = "",
         digests: Optional[tuple[str, dict[str, str]]] = None) -> Made:
    """The downloads of an edition: pure functions of the site, the edition and its corrections
    (corrections.Shown), so made once for the same data (serve's rebuilds make again only
    those of the edition that changed). `fingerprint`: the hash of the texts the site and the
    edition were loaded from, when known; then they are kept on disk for the next build too.
    `digests` (serve: `views.digests`): each province's rows are kept by what it says, so an
    edit to one province makes only its rows again."""
    data = fingerprint or f"{site!r}\x00{edition!r}"
    key = hashlib.sha256(f"{data}\x00{corrected!r}".encode("utf-8")).hexdigest()
    if key not in _MADE:
        kept = _from_disk(key) if fingerprint else None
        if kept is None:
            kept = _make(site, edition, corrected, digests)
            if fingerprint:
                _to_disk(key, kept)
        _MADE[key] = kept
        while len(_MADE) > 8:
            del _MADE[next(iter(_MADE))]
    return _MADE[key]


@dataclass(frozen=True)
class _Part:
    """The figure rows of the cluster or of one province, as rows, CSV lines and indented JSON."""

    rows: list[dict]
    csv: str
    json: list[str]


def _part(rows: list[dict], latest: dict) -> _Part:
    for row in rows:
        found = latest.get(row["field"] if row["scope"] == "cum" else f"provinces.{row['province']}.{row['field']}")
        row["corrected"] = found.date.isoformat() if found else ""
        row["previous"] = found.was if found else ""
    return _Part(rows, _csv_lines(_cells(rows)), [_indented_row(_json_value(row)) for row in rows])


# serve: each province's part of an edition's figures, by the digests of the edition (but its
# provinces) and of the province, and the province's corrections.
_PARTS: dict[tuple, _Part] = {}


def _make(site: Site, edition: Edition, corrected: tuple,
          digests: Optional[tuple[str, dict[str, str]]] = None) -> Made:
    latest = {}
    for c in sorted(corrected, key=lambda c: c.date):  # the latest correction of each figure last
        latest[c.key] = c

    def part_of(province: Optional[Province]) -> _Part:
        """The cluster's rows (None), or a province's."""
        def made() -> _Part:
            return _part(_cluster_rows(edition) if province is None else _province_rows(edition, province), latest)
        if digests is None:
            return made()
        own = [c for k, c in latest.items()
               if (k.startswith(f"provinces.{province.name}.") if province else not k.startswith("provinces."))]
        key = (digests[0], province and digests[1][province.name], repr(own))
        if key not in _PARTS:
            if len(_PARTS) > 4096:  # the provinces of earlier saves
                _PARTS.clear()
            _PARTS[key] = made()
        return _PARTS[key]

    # every figure of the edition: the cluster's first, then the provinces' in Vietnamese order
    parts = [part_of(None), *(part_of(province) for province in views.by_name(edition.members))]
    rows = [row for part in parts for row in part.rows]
    facts = fact_rows(edition)
    figures_csv = _csv_file(_csv_lines([[name for name, _, _ in COLUMNS]]) + "".join(part.csv for part in parts))
    return Made(field_dictionary(rows, facts), figures_csv, to_csv(facts, FACT_COLUMNS),
                to_json(site, edition, rows, facts, [text for part in parts for text in part.json]),
                len(rows), sum(row["value"] is not None for row in rows))


def _from_disk(key: str) -> Optional[Made]:
    found = caches.read_json("downloads", caches.key(key))
    try:
        return Made([FieldDoc(*doc) for doc in found["dictionary"]], found["figures_csv"].encode("utf-8"),
                    found["facts_csv"].encode("utf-8"), found["json"].encode("utf-8"),
                    int(found["row_count"]), int(found["known_count"]))
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def _to_disk(key: str, made: Made) -> None:
    caches.write_json("downloads", caches.key(key), lambda: {
        "dictionary": [[d.path, d.label, d.unit, d.where] for d in made.dictionary],
        "figures_csv": made.figures_csv.decode("utf-8"), "facts_csv": made.facts_csv.decode("utf-8"),
        "json": made.json.decode("utf-8"), "row_count": made.row_count, "known_count": made.known_count})
