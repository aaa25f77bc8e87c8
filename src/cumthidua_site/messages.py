"""Pydantic's validation errors, said in Vietnamese for an editor."""

from __future__ import annotations

import difflib
import types
import typing
from decimal import Decimal
from typing import Any, Optional

from pydantic import BaseModel

from .figures import Claim, Figure, Qualifier
from .model import Article, Reference, Site
from .loader import REFUSED, _COMMA_DECIMAL, _GROUPED_COMMA, _GROUPED_DOT

FIGURE_FORM = "{value: …, qualifier: exact, source: bao-kien-giang}"
FIGURE_PARTS = {"value", "to", "above", "qualifier", "source"}

# What editors may type for a qualifier, mapped to what the schema wants.
QUALIFIER_WORDS = {
    "trên": "over", "tren": "over", "hơn": "over",
    "từ trở lên": "at_least", "từ … trở lên": "at_least", "từ ... trở lên": "at_least",
    "trở lên": "at_least", "ít nhất": "at_least",
    "chính xác": "exact", "đúng": "exact", "bằng": "exact",
    "chưa công bố": "unknown", "không rõ": "unknown", "không công bố": "unknown", "không nêu": "unknown",
    "null": "unknown", "gần": "nearly", "khoảng": "about", "chừng": "about", "từ đến": "range",
    "từ … đến": "range", "từ ... đến": "range",
}


def unwrap(annotation: Any) -> Any:
    """The model class a field holds, through Optional, list, dict and Annotated."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


def claim_class(figure: type[Figure]) -> type:
    """The claim model of a figure class (its unit's whole-number rule included)."""
    return _item_type(figure.model_fields["claims"].annotation)


def _item_type(annotation: Any) -> Any:
    args = typing.get_args(unwrap(annotation))
    return unwrap(args[-1]) if args else None


def walk_fields(root: type[BaseModel], loc: tuple) -> list[tuple[str, Any, Any]]:
    """(name, FieldInfo, owner class) for each model field along an error's loc."""
    found, current, container = [], root, None
    for step in loc:
        if isinstance(current, type) and issubclass(current, Figure) and step not in current.model_fields:
            current = claim_class(current)  # a figure written as one claim: its fields are the claim's
        if isinstance(current, type) and issubclass(current, BaseModel) and step in current.model_fields:
            info = current.model_fields[step]
            found.append((step, info, current))
            annotation = unwrap(info.annotation)
            if typing.get_origin(annotation) in (list, dict):
                container, current = annotation, None
            else:
                container, current = None, annotation
        elif container is not None:
            current, container = _item_type(container), None
        else:
            break
    return found


def _now(value: Any) -> str:
    """'đang là “938,21”', or 'đang bỏ trống'."""
    return "đang bỏ trống" if value is None else f"đang là {_show(value)}"


def _show(value: Any) -> str:
    if value is None:
        return "bỏ trống"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "…"  # a message stays one readable line
        return "“" + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in shown) + "”"
    if isinstance(value, dict):
        return "một bảng {…}"
    if isinstance(value, list):
        return "một danh sách […]"
    return str(value)


# Models validated from a whole file: their first field is a field of the file, not the file's key.
WHOLE_FILE = (Article, Site, Reference)


def subject(root: type[BaseModel], loc: tuple) -> tuple[str, Optional[type]]:
    """'điểm thi đua của Sóc Trăng (score)' and the class that owns the last field."""
    if loc and loc[-1] == "[key]":
        return ("tên tỉnh" if loc[0] == "provinces" else "tên mục"), None
    fields = walk_fields(root, loc)
    if len(loc) == 2 and loc[0] == "provinces":
        return f"số liệu của tỉnh {loc[1]}", None
    province = loc[1] if len(loc) > 2 and loc[0] == "provinces" else None
    names = [name for name, _, _ in fields]
    # Inside a figure, talk about the figure: its label, and the part when it is not `value`.
    labelled = [f for f in fields if not (f[0] in FIGURE_PARTS and issubclass(f[2], (Figure, Claim)))]
    text = (labelled[-1][1].title if labelled else "") or (names[-1] if names else "giá trị")
    if province:
        text += f" của {province}"
    # The path an editor sees in the file: without the file's own top key, nor `value`.
    shown = [n for n in (names if root in WHOLE_FILE else names[1:]) if n != "value"]
    if shown:
        text += f" ({'.'.join(shown)})"
    return text, (fields[-1][2] if fields else None)


def _qualifier_hint(given: Any) -> str:
    allowed = ", ".join(q.value for q in Qualifier)
    if isinstance(given, str) and given.strip().casefold() in QUALIFIER_WORDS:
        return f"viết {QUALIFIER_WORDS[given.strip().casefold()]} (các giá trị được phép: {allowed})"
    return (f"các giá trị được phép: {allowed} (exact: đúng con số; over: “trên X”; "
            f"at_least: “từ X trở lên”; nearly: “gần X”; about: “khoảng X”; range: “từ X đến Y”, ghi thêm to: Y; "
            f"unknown: nguồn không nêu)")


def _number_hint(given: Any) -> str:
    if isinstance(given, str):
        text = given.strip()
        if _GROUPED_DOT.fullmatch(text) or _GROUPED_COMMA.fullmatch(text):
            return "viết số liền, không dấu phân cách hàng nghìn, không ngoặc kép: " + \
                text.replace(".", "").replace(",", "")
        if _COMMA_DECIMAL.fullmatch(text):
            return "dùng dấu chấm cho phần thập phân, không ngoặc kép: " + text.replace(",", ".")
    return "viết con số không có ngoặc kép, dấu chấm cho phần thập phân, ví dụ 938.21 hoặc 98000"


def _extra_hint(name: str, owner: Optional[type]) -> str:
    if owner is None or not issubclass(owner, BaseModel):
        return "xóa trường này"
    allowed = list(owner.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f"có phải “{close[0]}”?"
    return "các trường được phép ở đây: " + ", ".join(allowed)


def translate(error: dict, root: type[BaseModel], parent: Any = None) -> Optional[tuple[str, str, bool]]:
    """(message, hint, at_key) for one pydantic error, or None to drop it.

    `parent` is the raw mapping that holds the failing field, when known.
    """
    kind, loc, given = error["type"], tuple(error["loc"]), error.get("input")
    if given is REFUSED:
        return None  # the loader has said what is wrong with this scalar
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        name = str(loc[-1])
        owner_cls = _owner_class(root, loc[:-1])
        before = parent.get("value") if isinstance(parent, dict) else None
        if name.isdigit() and isinstance(before, int):
            # `{value: 932,88}`: in braces the comma splits the number into a value and a key
            return (f"số {before},{name} dùng dấu phẩy cho phần thập phân (trong cặp {{ }}, dấu phẩy ngăn các "
                    f"trường nên số bị tách đôi)", f"dùng dấu chấm cho phần thập phân: {before}.{name}", True)
        return f"trường “{name}” không có trong mẫu số liệu", _extra_hint(name, owner_cls), True
    if kind == "missing":
        what, owner = subject(root, loc)
        if loc[-1] in FIGURE_PARTS and isinstance(owner, type) and issubclass(owner, (Claim, Figure)):
            return f"thiếu {loc[-1]} ở {what}", "", False
        is_figure = _field_is_figure(root, loc)
        hint = (f"thêm dòng `{loc[-1]}: {FIGURE_FORM}`, hoặc `{loc[-1]}: {{qualifier: unknown}}` "
                "nếu nguồn không nêu" if is_figure else f"thêm dòng `{loc[-1]}: …`")
        return f"thiếu trường {what}", hint, False
    what, owner = subject(root, loc)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if _field_is_figure(root, loc):
            return f"{what} phải viết dạng bảng, {_now(given)}", \
                f"viết {FIGURE_FORM}; nếu nguồn không nêu: {{qualifier: unknown}}", False
        return f"{what} phải là một bảng các trường, {_now(given)}", \
            "xem mẫu trong tệp dữ liệu gốc hoặc README", False
    if kind == "list_type":
        return f"{what} phải là danh sách, {_now(given)}", \
            'viết dạng ["Cà Mau", "Sóc Trăng"]', False
    if kind == "number_type":
        return f"{what} phải là số, {_now(given)}", _number_hint(given), False
    if kind in ("int_type", "int_parsing", "int_from_float", "whole_number"):
        hint = "ghi một số nguyên, ví dụ 3" if given is None else "viết số nguyên, không có phần thập phân"
        return f"{what} phải là số nguyên, {_now(given)}", hint, False
    if kind in ("string_type", "str_type"):
        return f"{what} phải là chữ, {_now(given)}", "đặt chữ trong ngoặc kép, ví dụ \"Cà Mau\"", False
    if kind in ("bool_type", "bool_parsing"):
        return f"{what} phải là true hoặc false, {_now(given)}", "viết true (đúng) hoặc false (sai)", False
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"{what} phải là ngày, {_now(given)}", "viết ngày dạng năm-tháng-ngày, không ngoặc kép, ví dụ 2024-03-27", False
    if kind in ("enum", "literal_error"):
        return f"{what} không hợp lệ: {_show(given)}", _qualifier_hint(given), False
    if kind == "string_too_short":
        return f"{what} không được để trống", "điền nội dung giữa hai dấu ngoặc kép", False
    if kind in ("province_unknown", "province_not_member"):
        return f"{what}: {ctx['what']}", ctx.get("hint", ""), False
    if kind == "unknown_with_value":
        return f"{what} ghi qualifier: unknown nhưng lại có value", \
            "bỏ value nếu nguồn không nêu con số, hoặc sửa qualifier cho đúng", False
    if kind == "value_missing":
        return f"{what} thiếu value", "ghi value, hoặc qualifier: unknown nếu nguồn không nêu", False
    if kind == "above_misplaced":
        return f"{what}: above (“vượt X%”) chỉ dùng cho con số so với kế hoạch hay dự toán, và không ghi cùng value", \
            "ghi {above: 4.21, …} cho “vượt 4,21% kế hoạch”, hoặc {value: 104.21, …} cho “đạt 104,21% kế hoạch”", False
    if kind == "unit_unknown":
        return f"{what} ghi đơn vị {_show(given.get('unit') if isinstance(given, dict) else given)} mà trường này không nhận", \
            f"các đơn vị dùng được: {ctx.get('units', '')}; bỏ unit nếu nguồn ghi đúng đơn vị của trường", False
    if kind == "edition_year":
        return f"{what}: {ctx['what']}", ctx.get("hint", ""), False
    if kind == "range_to":
        return f"{what} ghi qualifier: range (“từ X đến Y”) nhưng thiếu to hoặc to nhỏ hơn value", \
            "ghi value là mức thấp nhất, to là mức cao nhất, ví dụ {value: 97.7, to: 139.5, qualifier: range, …}", False
    if kind == "to_without_range":
        return f"{what} có to nhưng qualifier không phải range", \
            "chỉ khoảng “từ X đến Y” mới có to: ghi qualifier: range, hoặc bỏ to", False
    if kind == "source_unfindable":
        return f"{what} chưa đủ để người đọc tìm lại nguồn", \
            "ghi url (địa chỉ bài), hoặc với văn bản không có địa chỉ web: published (ngày), " \
            "published_note (ví dụ \"tháng 3/2024\") hoặc number (số hiệu)", False
    if kind == "source_missing":
        return f"{what} thiếu source (nguồn tin)", "ghi mã nguồn tin, ví dụ source: bao-kien-giang", False
    if kind == "web_address":
        return f"{what} phải là địa chỉ web bắt đầu bằng https:// hoặc http://, viết liền một dòng, " \
               f"không dấu cách hay ký tự < > \" {{ }} |, {_now(given)}", \
            "ví dụ \"https://baokiengiang.vn/…\"; chép lại địa chỉ từ thanh địa chỉ của trình duyệt", False
    if kind == "single_line":
        return f"{what} phải viết trên một dòng: có ký tự xuống dòng, tab hoặc ký tự đổi chiều chữ " \
               f"({ctx.get('char', '')}), {_now(given)}", \
            "nối lại thành một dòng trong ngoặc kép; xóa ký tự lạ (thường do chép từ nơi khác)", False
    if kind == "base_url":
        return f"{what} phải là địa chỉ đầy đủ, kết thúc bằng dấu /, viết liền một dòng, {_now(given)}", \
            "ví dụ \"https://example.vn/cum-thi-dua/\", hoặc \"\" nếu chưa có", False
    return f"{what} không hợp lệ: {_show(given)}", "", False


def _field_is_figure(root: type[BaseModel], loc: tuple) -> bool:
    fields = walk_fields(root, loc)
    if not fields or fields[-1][0] != loc[-1]:
        return False
    annotation = unwrap(fields[-1][1].annotation)
    return isinstance(annotation, type) and issubclass(annotation, Figure)


def _owner_class(root: type[BaseModel], loc: tuple) -> Optional[type]:
    """The model class of the mapping at `loc`."""
    if not loc:
        return root
    fields = walk_fields(root, loc)
    if not fields:
        return None
    annotation = unwrap(fields[-1][1].annotation)
    if fields[-1][0] != loc[-1]:  # loc ends inside a dict or list
        return _item_type(annotation)
    return annotation if isinstance(annotation, type) else None
