"""Find a project's data files and turn them into validated models, or problems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel, ValidationError

from .errors import Location, Problem, error
from .files import path_problem
from .loader import load_yaml, locate, lookup, parse_yaml, read_text
from .messages import translate
from .model import Article, Edition, nearest

SITE_FILE = "site.yaml"
REFERENCE_FILE = "reference/provinces.yaml"
EDITION_FILES = {"cluster": "cluster.yaml", "provinces": "provinces.yaml"}
ARTICLE_FILE = "article.md"


@dataclass(frozen=True)
class ArticleSource:
    """article.md: its front matter, validated, and its Markdown body with where it starts."""

    path: Path
    meta: Article
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    text: str  # the whole file, for locating mistakes in the front matter


@dataclass(frozen=True)
class Dataset:
    """Everything loaded from a data folder."""

    data_dir: Path
    edition: Edition
    article: ArticleSource
    files: tuple[Path, ...]


def validation_problems(exc: ValidationError, root: type[BaseModel], docs: dict[str, Any],
                        paths: dict[str, Path]) -> list[Problem]:
    """Pydantic's errors as located Vietnamese problems. `docs` maps loc[0] to located data."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        top = loc[0] if loc and loc[0] in docs else None
        inside = _as_written(docs.get(top), loc[1:] if top is not None else loc)
        loc = ((top,) if top is not None else ()) + inside
        said = translate({**err, "loc": loc}, root, lookup(docs.get(top), inside[:-1]))
        if said is None:
            continue
        message, hint, at_key = said
        if inside and inside[-1] == "[key]":
            inside, at_key = inside[:-1], True
        where = locate(docs.get(top), inside, key=at_key) or Location(paths[top])
        problems.append(error(where, message, hint))
    return problems


def _as_written(raw: Any, loc: tuple) -> tuple:
    """An error's path as the editor wrote it: without the `claims` (and the single claim's 0)
    that a figure adds when it is written as one claim or as a bare list of claims."""
    out, node, steps = [], raw, list(loc)
    while steps:
        step = steps.pop(0)
        if step == "claims" and not (isinstance(node, dict) and "claims" in node):
            if isinstance(node, dict) and steps and steps[0] == 0:
                steps.pop(0)  # one claim: the figure's mapping is the claim
            continue  # a list: its items are the claims
        out.append(step)
        node = lookup(node, (step,))
    return tuple(out)


def split_front_matter(text: str, path: Path) -> tuple[Optional[str], str, int, list[Problem]]:
    """(front matter YAML, body, body's first line) of a Markdown file."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text, 1, [error(Location(path, 1, 1), "bài viết thiếu phần thông tin đầu bài",
                                     "bắt đầu tệp bằng dòng ---, các dòng title:, sapo:, byline:, "
                                     "published:, rồi một dòng --- nữa")]
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1:]), index + 2, []
    return None, text, 1, [error(Location(path, 1, 1), "phần thông tin đầu bài chưa được đóng",
                                 "thêm một dòng --- sau dòng published:")]


def _load_article(path: Path, root: Path) -> tuple[Optional[ArticleSource], list[Problem]]:
    text, problems = read_text(path, root)
    if text is None:
        return None, problems
    meta_text, body, body_line, problems = split_front_matter(text, path)
    if meta_text is None:
        return None, problems
    raw, problems = parse_yaml(meta_text, path, line_offset=1)
    if raw is None:
        return None, problems
    try:
        meta = Article.model_validate(raw)
    except ValidationError as exc:
        return None, problems + validation_problems(exc, Article, {None: raw}, {None: path})
    if problems:
        return None, problems
    return ArticleSource(path, meta, body, body_line, text), []


def _members(raw: Any, provinces: tuple[str, ...]) -> tuple[str, ...]:
    """Member names for checking references: a misspelled key counts as the province it
    most likely means, so one typo in provinces.yaml is one error, not one per reference."""
    if not isinstance(raw, dict):
        return ()
    names = (name if name in provinces else nearest(name, provinces) for name in raw)
    return tuple(dict.fromkeys(name for name in names if name))


def _provinces(raw: Any) -> tuple[str, ...]:
    """The reference list of provinces, as written (validated with the rest)."""
    names = raw.get("provinces") if isinstance(raw, dict) else None
    return tuple(name for name in names if isinstance(name, str)) if isinstance(names, list) else ()


def edition_dir(data_dir: Path, site_raw: Any) -> Optional[Path]:
    year = site_raw.get("edition") if isinstance(site_raw, dict) else None
    return data_dir / str(year) if isinstance(year, int) and not isinstance(year, bool) else None


def load_dataset(data_dir: Path) -> tuple[Optional[Dataset], list[Problem]]:
    """Read and validate every data file; collect every problem before giving up."""
    problems: list[Problem] = []
    too_long = path_problem(data_dir, "thư mục số liệu (--data)")
    if too_long is not None:
        return None, [too_long]
    if not data_dir.is_dir():
        return None, [error(Location(data_dir), "không tìm thấy thư mục số liệu",
                            "chạy lệnh trong thư mục dự án, hoặc chỉ đường dẫn bằng --data")]
    paths = {"site": data_dir / SITE_FILE, "reference": data_dir / REFERENCE_FILE}
    docs: dict[str, Any] = {}
    docs["site"], found = load_yaml(paths["site"], data_dir)
    problems += found
    docs["reference"], found = load_yaml(paths["reference"], data_dir)
    problems += found
    folder = edition_dir(data_dir, docs["site"])
    if folder is None:
        if docs["site"] is not None and not found:
            where = locate(docs["site"], ("edition",)) or Location(paths["site"])
            problems.append(error(where, "không xác định được năm số liệu (edition)",
                                  "ghi edition: 2023, đúng tên một thư mục trong data/"))
        return None, problems
    if not folder.is_dir():
        where = locate(docs["site"], ("edition",)) or Location(paths["site"])
        return None, problems + [error(where, f"không có thư mục số liệu {folder}",
                                       "sửa edition cho đúng tên thư mục năm trong data/")]
    for key, name in EDITION_FILES.items():
        paths[key] = folder / name
        docs[key], found = load_yaml(paths[key], data_dir)
        problems += found
    article, found = _load_article(folder / ARTICLE_FILE, data_dir)
    problems += found
    if any(doc is None for doc in docs.values()):
        return None, problems
    try:
        provinces = _provinces(docs["reference"])
        edition = Edition.model_validate(docs, context={"provinces": provinces,
                                                        "members": _members(docs["provinces"], provinces)})
    except ValidationError as exc:
        return None, problems + validation_problems(exc, Edition, docs, paths)
    if problems or article is None:
        return None, problems
    files = tuple(sorted(paths.values())) + (article.path,)
    return Dataset(data_dir, edition, article, files), []
