"""Find a project's data files and turn them into validated models, or problems."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel, ValidationError

from .errors import Level, Location, Problem, error, warning
from .files import path_problem
from .loader import DIGESTS, load_yaml, locate, lookup, parse_yaml, read_text
from .messages import translate
from .model import Article, Edition, Reference, Site, nearest

SITE_FILE = "site.yaml"
REFERENCE_FILE = "reference/provinces.yaml"
EDITION_FILES = {"cluster": "cluster.yaml", "provinces": "provinces.yaml"}
ARTICLE_FILE = "article.md"
YEAR_DIR = re.compile(r"[12][0-9]{3}")


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
    """One edition ready to publish: its figures, its article and the site it belongs to."""

    data_dir: Path
    site: Site
    edition: Edition
    article: ArticleSource
    files: tuple[Path, ...]
    digest: str = ""  # the hash of the texts it was loaded from (with the site's and the reference's)
    digested: tuple[int, int, int] = (0, 0, 0)  # the edition, site and article objects that digest describes

    @property
    def fingerprint(self) -> str:
        """`digest`, while it still describes this dataset; "" once its edition, site or article
        was replaced (a dataset made from another's is known only by its contents)."""
        return self.digest if self.digested == (id(self.edition), id(self.site), id(self.article)) else ""


@dataclass(frozen=True)
class Project:
    """Everything loaded from a data folder: the site, the reference data and every edition."""

    data_dir: Path
    site: Site
    reference: Reference
    editions: dict[int, Dataset]  # ready to publish, oldest first
    drafts: dict[int, Optional[Edition]]  # valid but without a source or an article yet
    files: tuple[Path, ...]  # every input of the build

    @property
    def newest(self) -> Optional[Dataset]:
        return self.editions[max(self.editions)] if self.editions else None

    def fingerprint(self, year: int) -> str:
        """An edition's fingerprint, when it describes what this project's pages are made from
        ("" once the project's site is not the one the edition was loaded with)."""
        dataset = self.editions[year]
        return dataset.fingerprint if dataset.site is self.site else ""


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
    """article.md, validated, when it is written: any text besides its front matter and HTML
    comments. None for a skeleton or no file (a draft), or with why it cannot be read."""
    if not path.is_file():
        return None, []
    text, problems = read_text(path, root)
    if text is None:
        return None, problems
    kept = _ARTICLES.get(str(path))
    if kept is not None and kept.text == text:  # unchanged since the last load (serve): as it was
        return kept, []
    meta_text, body, body_line, problems = split_front_matter(text, path)
    if not problems and not re.sub(r"<!--.*?-->", "", body, flags=re.S).strip():
        return None, []  # the skeleton new-edition writes
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
    _ARTICLES[str(path)] = source = ArticleSource(path, meta, body, body_line, text)
    return source, []


# The article each file held at the last load, validated: serve's next build reuses it while its text is the same.
_ARTICLES: dict[str, ArticleSource] = {}


def forget_articles() -> None:
    """Drop the articles kept for the next load of this process (a build that writes loads once)."""
    _ARTICLES.clear()


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


def edition_dirs(data_dir: Path) -> list[Path]:
    """Every edition folder: data/<year>/, a four-digit name, oldest first."""
    return sorted((p for p in data_dir.iterdir() if YEAR_DIR.fullmatch(p.name) and p.is_dir()),
                  key=lambda p: p.name)


def _year_problem(raw: Any, folder: Path, path: Path) -> Optional[Problem]:
    """The year cluster.yaml states must be its folder's: a copied edition is not next year's."""
    year = raw.get("year") if isinstance(raw, dict) else None
    if isinstance(year, int) and not isinstance(year, bool) and str(year) != folder.name:
        return error(locate(raw, ("year",)) or Location(path),
                     f"năm tổng kết ghi {year} nhưng tệp nằm trong thư mục {folder.name}/",
                     f"mỗi thư mục năm chỉ chứa số liệu của năm đó: sửa year: {folder.name}, hoặc tạo năm mới "
                     f"bằng lệnh `cumthidua-site new-edition NĂM` thay vì chép thư mục cũ")
    return None


def _load_edition(folder: Path, data_dir: Path, reference: Reference
                  ) -> tuple[Optional[Edition], Optional[ArticleSource], list[Path], list[Problem]]:
    paths = {key: folder / name for key, name in EDITION_FILES.items()}
    texts: dict[str, Optional[str]] = {}
    problems: list[Problem] = []
    for key, path in paths.items():
        texts[key], found = read_text(path, data_dir)
        problems += found
    # The same texts (and reference) validate to the same edition: in one process (serve), an
    # unchanged edition is the object the last build made, not parsed again, and what is kept
    # by it stays valid.
    key = (str(folder), *(DIGESTS.get(str(path), "") for path in (*paths.values(), data_dir / REFERENCE_FILE)))
    edition = _VALIDATED.get(key) if not problems else None
    docs: dict[str, Any] = {}
    if edition is None:
        for name, path in paths.items():
            docs[name] = None
            if texts[name] is not None:
                docs[name], found = parse_yaml(texts[name], path)
                problems += found
        if docs["cluster"] is not None:
            wrong_year = _year_problem(docs["cluster"], folder, paths["cluster"])
            if wrong_year is not None:
                return None, None, list(paths.values()), problems + [wrong_year]
    files = list(paths.values())
    article_path = folder / ARTICLE_FILE
    if article_path.exists():
        files.append(article_path)
    article, found = _load_article(article_path, data_dir)  # None: a skeleton or no file, a draft said below
    problems += found
    if edition is not None:
        _NEXT[key] = edition
        return (None if problems else edition), article, files, problems
    if any(doc is None for doc in docs.values()):
        return None, article, files, problems
    existing = reference.existing(int(folder.name))
    try:
        edition = Edition.model_validate({**docs, "reference": reference}, context={
            "provinces": existing, "members": _members(docs["provinces"], existing),
            "merged": reference.merged_by(int(folder.name))})
    except ValidationError as exc:
        return None, article, files, problems + validation_problems(exc, Edition, docs, paths)
    if not problems:
        _NEXT[key] = edition
    return (None if problems else edition), article, files, problems


# The editions the last load validated, by their folder and texts; the ones this load validates.
_VALIDATED: dict[tuple, Edition] = {}
_NEXT: dict[tuple, Edition] = {}


def load_project(data_dir: Path) -> tuple[Optional[Project], list[Problem]]:
    """Read and validate every data file of every edition; collect every problem before giving up."""
    problems: list[Problem] = []
    too_long = path_problem(data_dir, "thư mục số liệu (--data)")
    if too_long is not None:
        return None, [too_long]
    if not data_dir.is_dir():
        return None, [error(Location(data_dir), "không tìm thấy thư mục số liệu",
                            "chạy lệnh trong thư mục dự án, hoặc chỉ đường dẫn bằng --data")]
    paths = {"site": data_dir / SITE_FILE, "reference": data_dir / REFERENCE_FILE}
    docs: dict[str, Any] = {}
    for key, path in paths.items():
        docs[key], found = load_yaml(path, data_dir)
        problems += found
    site = reference = None
    if docs["site"] is not None:
        try:
            site = Site.model_validate(docs["site"])
        except ValidationError as exc:
            problems += validation_problems(exc, Site, {None: docs["site"]}, {None: paths["site"]})
    if docs["reference"] is not None:
        try:
            reference = Reference.model_validate(docs["reference"],
                                                 context={"provinces": _provinces(docs["reference"])})
        except ValidationError as exc:
            problems += validation_problems(exc, Reference, {None: docs["reference"]}, {None: paths["reference"]})
    folders = edition_dirs(data_dir)
    if not folders:
        problems.append(error(Location(data_dir), "chưa có năm số liệu nào: không có thư mục năm trong data/",
                              "tạo năm đầu tiên bằng lệnh `cumthidua-site new-edition 2023`"))
    if reference is None:
        return None, problems
    files = list(paths.values())
    editions: dict[int, Dataset] = {}
    drafts: dict[int, Optional[Edition]] = {}
    _NEXT.clear()
    for folder in folders:
        edition, article, found_files, found = _load_edition(folder, data_dir, reference)
        files += found_files
        problems += found
        if edition is None:
            continue
        year = edition.year
        if not edition.cluster.sources or article is None:
            drafts[year] = edition
            problems.append(warning(edition.cluster.where("sources") or Location(folder),
                                    f"năm {year} chưa sẵn sàng: {_missing(edition, article)}; "
                                    f"trang chưa có năm này",
                                    "khai báo nguồn trong cluster.yaml và viết bài trong article.md; "
                                    "khi đủ, năm này tự có trên trang"))
            continue
        inputs = [paths["site"], paths["reference"], *sorted(found_files)]
        digest = hashlib.sha256("\0".join(DIGESTS.get(str(p), "") for p in inputs).encode("ascii")).hexdigest()
        editions[year] = Dataset(data_dir, site, edition, article, tuple(sorted(found_files)), digest,
                                 (id(edition), id(site), id(article)))
    _VALIDATED.clear()
    _VALIDATED.update(_NEXT)
    if problems and any(p.level is Level.ERROR for p in problems) or site is None:
        return None, problems
    return Project(data_dir, site, reference, editions, drafts, tuple(files)), problems


def _missing(edition: Edition, article: Optional[ArticleSource]) -> str:
    missing = (["chưa khai báo nguồn tin nào"] * (not edition.cluster.sources)
               + ["chưa viết bài"] * (article is None))
    return " và ".join(missing)


def load_dataset(data_dir: Path) -> tuple[Optional[Dataset], list[Problem]]:
    """The newest edition ready to publish, for tools that look at one year (benchmarks, tests)."""
    project, problems = load_project(data_dir)
    if project is None or project.newest is None:
        return None, problems
    return project.newest, problems
