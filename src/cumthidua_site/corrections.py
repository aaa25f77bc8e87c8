"""Corrections: what an edition published, what changed since, and the entries that explain it.

`publish` writes `data/<year>/published.yaml`: every figure (its claims, in the data files'
own form), every fact and every source of the edition, keyed so that a diff reads well.
A build compares the edition with it; each change needs an entry in
`data/<year>/corrections.yaml` dated after the publication, or the build refuses.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

from pydantic import Field, ValidationError

from . import downloads, views
from . import formatting as fmt
from .errors import Location, Problem, error, warning
from .figures import Figure, Line, Model, Text
from .dataset import validation_problems
from .loader import load_yaml
from .messages import unwrap
from .model import Edition, SourceIds

PUBLISHED_FILE = "published.yaml"
CORRECTIONS_FILE = "corrections.yaml"
CLAIM_KEYS = ("value", "to", "unit", "qualifier", "source", "measures")


class Correction(Model):
    """One correction: when, which published figures or facts it covers, why, and the new source."""

    date: dt.date = Field(title="ngày đính chính")
    covers: list[Line] = Field(min_length=1, title="các số liệu được đính chính")
    was: dict[Line, Line] = Field({}, title="số liệu trước khi đính chính")
    note: Text = Field(title="lý do đính chính")
    source: SourceIds = Field(min_length=1, title="nguồn của số liệu mới")


class Corrections(Model):
    corrections: list[Correction] = Field([], title="các đính chính")


# --- the state of an edition ----------------------------------------------------------

def _claim(claim) -> dict[str, Any]:
    """A claim as the data files write it (a value in the unit the source wrote)."""
    alt = claim.unit.alternative(claim.written_in)

    def written(number: Optional[Decimal]) -> Optional[Decimal]:
        return number if alt is None or number is None else Decimal(format((number / alt[2]).normalize(), "f"))
    value, to = written(claim.value), written(claim.to)
    found = {"value": value, "to": to, "unit": claim.written_in, "qualifier": claim.qualifier.value,
             "source": claim.source, "measures": claim.measures}
    return {k: v for k, v in found.items() if v not in (None, "")}


def figures(edition: Edition) -> dict[str, tuple[str, Figure]]:
    """Every known figure by key: "economy.exports", "provinces.Sóc Trăng.score"; with its label."""
    found: dict[str, tuple[str, Figure]] = {}
    for path, _, label in downloads._figure_fields(type(edition.cluster)):
        fig = downloads._resolve(edition.cluster, path)
        if fig is not None and fig.known:
            found[path] = (label, fig)
    for province in views.by_name(edition.members):
        for path, _, label in downloads._figure_fields(type(province)):
            fig = getattr(province, path)
            if fig.known:
                found[f"provinces.{province.name}.{path}"] = (f"{label} của {province.name}", fig)
    return found


def state(edition: Edition) -> dict[str, Any]:
    """What the site says of an edition: its figures' claims, its facts, its sources."""
    facts: dict[str, str] = {}
    for row in downloads.fact_rows(edition):
        key = row["field"] + (f" {row['item']}" if row["item"] != "" else "") + \
            (f" ({row['province']})" if row["province"] else "")
        facts[key] = row["value"] if key not in facts else facts[key] + "; " + row["value"]
    sources = {key: " · ".join(part for part in (s.publisher, s.title, s.url) if part)
               for key, s in edition.cluster.sources.items()}
    return {"figures": {key: [_claim(c) for c in fig.claims if c.known] for key, (_, fig) in figures(edition).items()},
            "facts": facts, "sources": sources}


def _scalar(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def dump(year: int, day: dt.date, current: dict[str, Any], included: int) -> str:
    """published.yaml: one line per claim, fact and source, so that a diff shows each change alone.
    `included`: how many entries of corrections.yaml this publication already includes."""
    lines = [f"# Trạng thái đã đăng của năm {year}, ghi bằng lệnh `cumthidua-site publish {year}` "
             f"ngày {fmt.date(day)}.",
             "# Đừng sửa tay: mọi số liệu khác với bản này cần một đính chính trong corrections.yaml.",
             f"published: {day.isoformat()}",
             f"corrections_included: {included}  # các đính chính đã có khi đăng bản này", "figures:"]
    for key, claims in current["figures"].items():
        lines.append(f"  {_scalar(key)}:")
        lines += ["    - {" + ", ".join(f"{k}: {_scalar(c[k])}" for k in CLAIM_KEYS if k in c) + "}" for c in claims]
    lines.append("facts:")
    lines += [f"  {_scalar(key)}: {_scalar(value)}" for key, value in current["facts"].items()]
    lines.append("sources:")
    lines += [f"  {_scalar(key)}: {_scalar(value)}" for key, value in current["sources"].items()]
    return "\n".join(lines) + "\n"


# --- comparing ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    """One published thing that is now different: its key, label, old and new text, and where."""

    key: str
    label: str
    old: str
    new: str
    where: Location


def _plain(raw: Any) -> Any:
    """Located YAML data as plain Python values (numbers as their written text)."""
    if isinstance(raw, dict):
        return {str(k): _plain(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_plain(v) for v in raw]
    if isinstance(raw, Decimal):
        return str(raw)
    if isinstance(raw, (int, dt.date)) and not isinstance(raw, bool):
        return str(raw)
    return raw


def _said(fig_class, claims: list[dict]) -> str:
    """Claims in Vietnamese, as the site shows them: 'trên 23 tỷ USD (bao-kien-giang)'."""
    said = []
    for raw in claims:
        try:
            claim = fig_class.model_validate({"claims": [{k: Decimal(v) if k in ("value", "to") else v
                                                           for k, v in raw.items()}]}).shown
            said.append(fmt.figure(claim) + (f" ({raw['source']})" if raw.get("source") else ""))
        except (ValidationError, ArithmeticError, TypeError):
            said.append(str(raw))
    return "; ".join(said) or fmt.UNKNOWN


def differences(edition: Edition, published: dict[str, Any], cluster_file: Path) -> list[Difference]:
    """Every figure, fact and source that differs from what was published."""
    now, before = _plain(state(edition)), _plain(published)
    figs = figures(edition)
    found = []
    for key in dict.fromkeys([*before.get("figures", {}), *now["figures"]]):
        old, new = before.get("figures", {}).get(key), now["figures"].get(key)
        if old != new:
            label, fig = figs.get(key, (key, None))
            cls = figure_class(edition, key)
            where = (fig.where("value") if fig is not None else None) or Location(cluster_file)
            found.append(Difference(key, label, _said(cls, old) if cls and old else (str(old) if old else fmt.UNKNOWN),
                                    _said(cls, new) if cls and new else fmt.UNKNOWN, where))
    for group, label in (("facts", "sự kiện"), ("sources", "nguồn")):
        for key in dict.fromkeys([*before.get(group, {}), *now[group]]):
            old, new = before.get(group, {}).get(key), now[group].get(key)
            if old != new:
                found.append(Difference(f"{group}.{key}", f"{label} {key}", old or "(chưa có)", new or "(đã xóa)",
                                        Location(cluster_file)))
    return found


def load(folder: Path, data_dir: Path) -> tuple[Optional[dict], Corrections, list[Problem]]:
    """The published state (None before the first publication) and the corrections of an edition folder."""
    published, problems = None, []
    if (folder / PUBLISHED_FILE).exists():
        published, found = load_yaml(folder / PUBLISHED_FILE, data_dir)
        problems += found
    corrections = Corrections()
    path = folder / CORRECTIONS_FILE
    if path.exists():
        raw, found = load_yaml(path, data_dir)
        problems += found
        if raw is not None:
            try:
                corrections = Corrections.model_validate(raw)
            except ValidationError as exc:
                problems += validation_problems(exc, Corrections, {None: raw}, {None: path})
    return published, corrections, problems


def _entry(today: dt.date, diffs: list[Difference], source: str) -> str:
    covers = ", ".join(json.dumps(d.key, ensure_ascii=False) for d in diffs)
    was = "".join(f"\n      {json.dumps(d.key, ensure_ascii=False)}: {json.dumps(d.old, ensure_ascii=False)}"
                  for d in diffs)
    return (f"corrections:\n  - date: {today.isoformat()}\n    covers: [{covers}]\n    was:{was}\n"
            f"    note: \"…lý do: con số trước đây sai ở đâu, con số mới lấy từ đâu…\"\n"
            f"    source: {source or 'mã-nguồn'}")


UNCORRECTED = "thay đổi này chưa có đính chính"


def _later(published: dict, corrections: Corrections) -> list[Correction]:
    """The corrections made since the publication (it records how many it already included)."""
    included = published.get("corrections_included")
    return corrections.corrections[included if isinstance(included, int) else 0:]


def check(edition: Edition, published: Optional[dict], corrections: Corrections, folder: Path,
          today: dt.date, draft: bool = False) -> tuple[list[Problem], set[str]]:
    """The problems, and the keys of the changes no correction covers.

    Changes since publication that no later correction covers are errors (in a draft,
    warnings: the preview shows them under a "Bản nháp" band); a later correction that covers
    nothing is a warning."""
    if not isinstance(published, dict):
        return [], set()
    day = published.get("published")
    since = day if isinstance(day, dt.date) else dt.date.min
    later = _later(published, corrections)
    diffs = differences(edition, published, folder / "cluster.yaml")
    problems = []
    covered = {key for c in later for key in c.covers}
    uncovered = [d for d in diffs if d.key not in covered]
    said = warning if draft else error
    for d in uncovered:
        problems.append(said(d.where, f"{d.label} đã đăng là {d.old}, nay là {d.new}: {UNCORRECTED}",
                             f"ghi một đính chính cho “{d.key}” trong {folder.name}/{CORRECTIONS_FILE}"))
    if uncovered and not draft:
        main = views.main_source(edition)
        problems.append(error(Location(folder / CORRECTIONS_FILE),
                              f"{len(uncovered)} thay đổi so với bản đã đăng ngày {fmt.date(since)} chưa có đính chính",
                              "chép mục dưới đây vào corrections.yaml rồi viết lý do (xem README, mục Đính chính):\n"
                              + _entry(today, uncovered, main)))
    for correction in corrections.corrections:
        for key in correction.source:
            if key not in edition.sources:
                problems.append(error(correction.where("source") or Location(folder / CORRECTIONS_FILE),
                                      f"đính chính ngày {fmt.date(correction.date)} ghi nguồn “{key}” chưa khai báo",
                                      "khai báo nguồn này ở mục sources trong cluster.yaml, hoặc sửa mã cho đúng"))
    changed = {d.key for d in diffs}
    for correction in later:
        idle = [key for key in correction.covers if key not in changed]
        if idle:
            problems.append(warning(correction.where("covers") or Location(folder / CORRECTIONS_FILE),
                                    f"đính chính ngày {fmt.date(correction.date)} nêu {', '.join(idle)} nhưng "
                                    f"các số liệu này không khác bản đã đăng",
                                    "xóa những mục không đổi khỏi covers, hoặc kiểm tra lại tên"))
    return problems, {d.key for d in uncovered}


# --- what a change does to the site ------------------------------------------------------

def _with(model, path: list[str], value):
    """A copy of a frozen model tree with one field, at a dotted path, replaced."""
    if len(path) == 1:
        return model.model_copy(update={path[0]: value})
    inner = getattr(model, path[0])
    if inner is None:
        return model
    return model.model_copy(update={path[0]: _with(inner, path[1:], value)})


def as_published(edition: Edition, published: dict[str, Any]) -> Edition:
    """The edition with every figure as it was published (facts and sources as they are now)."""
    from .figures import unknown
    before = published.get("figures", {}) if isinstance(published, dict) else {}
    now = state(edition)["figures"]
    cluster, provinces = edition.cluster, dict(edition.provinces)
    for key in dict.fromkeys([*before, *now]):
        if _plain(before.get(key)) == _plain(now.get(key)):
            continue
        owner, path = _owner(edition, key)
        cls = figure_class(edition, key)
        if owner is None or cls is None:
            continue
        claims = [{k: Decimal(str(v)) if k in ("value", "to") else v for k, v in dict(c).items()}
                  for c in before.get(key) or []]
        old = cls.model_validate({"claims": claims}) if claims else unknown(cls)
        if key.startswith("provinces."):
            provinces[owner.name] = _with(provinces[owner.name], path, old)
        else:
            cluster = _with(cluster, path, old)
    return edition.model_copy(update={"cluster": cluster, "provinces": provinces})


def _owner(edition: Edition, key: str) -> tuple[Any, list[str]]:
    """The model that holds a figure's key, and the field path inside it."""
    parts = key.split(".")
    if parts[0] == "provinces":
        return edition.provinces.get(parts[1]) if len(parts) > 2 else None, parts[2:]
    return edition.cluster, parts


def figure_class(edition: Edition, key: str) -> Optional[type[Figure]]:
    """The figure class of a key, from the schema: known, unknown or left out by the edition."""
    owner, path = _owner(edition, key)
    model = type(owner) if owner is not None else None
    for name in path:
        info = model.model_fields.get(name) if model is not None else None
        model = unwrap(info.annotation) if info is not None else None
        if not isinstance(model, type):
            return None
    return model if isinstance(model, type) and issubclass(model, Figure) else None


# --- what the site says of its corrections ------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """One corrected figure or fact as the site tells it: when, what, the old and the new, why."""

    date: dt.date
    key: str
    label: str
    was: str
    now: str
    note: str
    sources: tuple[str, ...]


def shown(edition: Edition, corrections: Optional[Corrections]) -> list[Shown]:
    """Every correction of an edition, newest first, each covered figure or fact on its own."""
    if corrections is None or not corrections.corrections:
        return []
    figs, current = figures(edition), state(edition)
    found = []
    for entry in sorted(corrections.corrections, key=lambda c: c.date, reverse=True):
        for key in entry.covers:
            if key in figs:
                label, fig = figs[key]
                now = fmt.figure(fig)
            elif key.startswith("facts.") or key.startswith("sources."):
                group, _, name = key.partition(".")
                label = ("sự kiện " if group == "facts" else "nguồn ") + name
                now = current[group].get(name, "(đã bỏ)")
            else:
                label, now = key, fmt.UNKNOWN
            found.append(Shown(entry.date, key, label, entry.was.get(key, ""), now, entry.note, entry.source))
    return found
