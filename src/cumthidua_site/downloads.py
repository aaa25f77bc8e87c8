"""Downloadable data: every figure as a row (CSV and JSON), and the field dictionary."""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from pydantic import BaseModel

from . import formatting as fmt
from . import views
from .figures import Figure, Qualifier
from .messages import unwrap
from .model import Cluster, Edition, Province

# The columns of both downloads, documented on the data page.
COLUMNS = [
    ("scope", "phạm vi", "“cum” cho số liệu chung của cụm, “tinh” cho số liệu của một tỉnh"),
    ("province", "tỉnh", "tên tỉnh (để trống với số liệu chung của cụm)"),
    ("field", "trường", "tên trường trong tệp YAML, ví dụ economy.exports hoặc score"),
    ("label", "nhãn", "tên số liệu bằng tiếng Việt"),
    ("value", "giá trị", "con số nguồn ghi, dấu chấm thập phân; với một khoảng “từ X đến Y” là X "
                         "(để trống nếu nguồn không nêu)"),
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
    ("source", "nguồn", "cơ quan báo chí và tên bài"),
    ("source_url", "địa chỉ nguồn", "đường dẫn tới bài gốc"),
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


def field_dictionary() -> list[FieldDoc]:
    """Every figure field, from the model: path, Vietnamese label, unit, file."""
    docs = [FieldDoc(path, label, cls.unit.label, "cluster.yaml") for path, cls, label in _figure_fields(Cluster)]
    docs += [FieldDoc(path, label, cls.unit.label, "provinces.yaml") for path, cls, label in _figure_fields(Province)]
    return docs


QUALIFIERS = [(q.value, q.label) for q in Qualifier]


def _row(edition: Edition, scope: str, province: str, path: str, label: str, fig: Figure) -> dict:
    span = fig.certain  # never more than the source proves
    low = span.lo if span else None
    high = span.hi if span else None
    source = edition.cluster.sources.get(fig.source or "")
    return {
        "scope": scope, "province": province, "field": path, "label": label,
        "value": fig.value, "to": fig.to, "unit": fig.unit.label, "qualifier": fig.qualifier.value,
        "low": low, "low_included": None if low is None else span.lo_closed,
        "high": high, "high_included": None if high is None else span.hi_closed,
        "interval": str(span) if span else "", "text": fmt.figure(fig),
        "source": f"{source.publisher}: {source.title}" if source else "",
        "source_url": source.url if source else "",
    }


def figure_rows(edition: Edition) -> list[dict]:
    """Every figure of the edition, cluster first, then provinces in Vietnamese order."""
    rows = []
    for path, _, label in _figure_fields(Cluster):
        fig = _resolve(edition.cluster, path)
        if fig is not None:
            rows.append(_row(edition, "cum", "", path, label, fig))
    for province in views.by_name(edition.members):
        for path, _, label in _figure_fields(Province):
            rows.append(_row(edition, "tinh", province.name, path, label, getattr(province, path)))
    return rows


def _resolve(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
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


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a BOM (so Excel on Vietnamese Windows shows the diacritics), CRLF rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _, _ in COLUMNS])
    for row in rows:
        writer.writerow([safe_cell(row[k]) for k, _, _ in COLUMNS])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    return value


def to_json(edition: Edition, rows: list[dict]) -> bytes:
    """The same rows with numbers as numbers, plus the source, licence and column meanings."""
    source = next(iter(edition.cluster.sources.values()))
    document = {
        "title": f"{edition.cluster.name}: số liệu năm {edition.cluster.year}",
        "edition": edition.cluster.year,
        "licence": {"name": edition.site.licence.name, "url": edition.site.licence.url},
        "source": {"publisher": source.publisher, "title": source.title, "authors": source.authors,
                   "url": source.url},
        "columns": [{"name": name, "label": label, "description": text} for name, label, text in COLUMNS],
        "qualifiers": dict(QUALIFIERS),
        "figures": [{k: _json_number(v) for k, v in row.items()} for row in rows],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
