"""load -> check -> render -> write. Returns a result; never prints."""

from __future__ import annotations

import datetime as dt
import gc
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import caches, corrections, images, loader
from . import formatting as fmt
from .checks import check_all
from .dataset import forget_articles, load_project
from .errors import Level, Location, Problem, error, warning
from .render import render_site
from .writer import MARKER, Discard, Staging, ensure_replaceable, staged

PACKAGE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass
class Result:
    """What a build or check found and, for a build, what it wrote."""

    problems: list[Problem] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    written: Optional[Path] = None
    pictures: dict[str, images.Picture] = field(default_factory=dict)  # PNG files by path, as SVG to draw
    drawn: Optional[images.Drawn] = None  # what drawing the pictures took
    changed: bool = True  # written: False when the output already held exactly these files
    totals: Optional[tuple[int, int]] = None  # written: how many files, how many bytes (none kept in `files`)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.WARNING]

    @property
    def count(self) -> int:
        if self.totals is not None:
            return self.totals[0]
        return len(self.files) + (len(self.drawn.sources) if self.drawn else 0)

    @property
    def size(self) -> int:
        if self.totals is not None:
            return self.totals[1]
        pictures = self.drawn.sources.values() if self.drawn else ()
        return sum(len(c) for c in self.files.values()) + sum(len(s) if isinstance(s, bytes) else s.stat().st_size
                                                               for s in pictures)

    def output(self) -> dict[str, bytes]:
        """Every file of the build, the drawn pictures read in too (for tests and tools); read back
        from the output folder when the build was written there."""
        if self.written is not None:
            return {os.path.relpath(os.path.join(folder, name), self.written).replace(os.sep, "/"):
                    Path(folder, name).read_bytes()
                    for folder, _, names in os.walk(self.written) for name in names if name != MARKER}
        pictures = {path: self.drawn.read(path) for path in self.drawn.sources} if self.drawn else {}
        return {**self.files, **pictures}

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


def today() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's day when a run must be reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() else dt.datetime.now()
    return moment.date()


def publish(data_dir: Path, years: list[int]) -> tuple[list[Path], list[Problem]]:
    """Record the editions' current figures, facts and sources as published (all when `years` is empty)."""
    project, problems = load_project(data_dir)
    if project is None:
        return [], problems
    editions = {year: dataset.edition for year, dataset in project.editions.items()}
    problems += check_all(editions)
    wanted = years or sorted(editions)
    missing = [year for year in wanted if year not in editions]
    if missing:
        problems.append(error(Location(data_dir), f"không có năm số liệu {', '.join(map(str, missing))} để ghi là đã đăng",
                              "các năm có thể ghi: " + ", ".join(map(str, sorted(editions)))))
    if any(p.level is Level.ERROR for p in problems):
        return [], problems
    written = []
    for year in wanted:
        path = data_dir / str(year) / corrections.PUBLISHED_FILE
        staging = path.with_name(f".{path.name}.tmp")
        _, said, _ = corrections.load(data_dir / str(year), data_dir)
        staging.write_text(corrections.dump(year, today(), corrections.state(editions[year]), len(said.corrections)),
                           encoding="utf-8")
        os.replace(staging, path)
        written.append(path)
    return written, problems


@dataclass
class EditionDiff:
    """What differs in one edition from its published state, and the pages that show it."""

    year: int
    published: str  # the day it was published, as written
    differences: list
    pages: list[str]


def diff(data_dir: Path, years: list[int], templates: Optional[Path] = None) -> tuple[list[EditionDiff], list[Problem]]:
    """Every difference from the published state, and the pages whose bytes it changes
    (the site as it is now, against the same site with the published figures put back)."""
    import dataclasses
    project, problems = load_project(data_dir)
    if project is None:
        return [], problems
    found = []
    now_files: dict[str, bytes] = {}  # the site as it is: rendered once, for whichever edition differs
    for year in years or sorted(project.editions):
        dataset = project.editions.get(year)
        if dataset is None:
            problems.append(error(Location(data_dir), f"không có năm số liệu {year}",
                                  "các năm: " + ", ".join(map(str, sorted(project.editions)))))
            continue
        folder = data_dir / str(year)
        published, _, loaded = corrections.load(folder, data_dir)
        problems += loaded
        if not isinstance(published, dict):
            found.append(EditionDiff(year, "", [], []))
            continue
        differences = corrections.differences(dataset.edition, published, folder / "cluster.yaml")
        pages: list[str] = []
        if differences:
            before = dataclasses.replace(project, editions={
                **project.editions, year: dataclasses.replace(
                    dataset, edition=corrections.as_published(dataset.edition, published))})
            now_files = now_files or render_site(project, find_templates(templates))[0]
            old_files = render_site(before, find_templates(templates))[0]
            pages = sorted(p for p in now_files.keys() | old_files.keys()
                           if p.endswith(".html") and now_files.get(p) != old_files.get(p))
        day = published.get("published")
        found.append(EditionDiff(year, fmt.date(day) if isinstance(day, dt.date) else str(day), differences, pages))
    return found, problems


def _undrawable(pictures: dict[str, images.Picture], data_dir: Path) -> list[Problem]:
    """A warning for characters the shipped font has no glyph for: the pictures leave them out."""
    found: dict[str, list[str]] = {}
    for path, picture in sorted(pictures.items()):
        for char in picture.undrawable:
            found.setdefault(char, []).append(path)
    return [warning(Location(data_dir), f"ảnh chia sẻ và ảnh biểu đồ không vẽ được ký tự “{char}” (U+{ord(char):04X}) "
                    f"vì phông chữ đi kèm không có; ký tự này sẽ thiếu trong {len(paths)} ảnh, như {paths[0]}",
                    "dùng chữ tiếng Việt, chữ Latinh hoặc dấu câu thông dụng thay cho ký tự này")
            for char, paths in found.items()]


def settle() -> None:
    """In a process that builds again and again (serve), once a build is done and shown: collect
    what it left, then keep everything that survives out of the collector's way. Otherwise a
    full collection walks the whole project in the middle of the next rebuild, tens of
    milliseconds on a large archive. What becomes garbage later is still freed by its count;
    a cycle among what was kept would not be (none was seen in 10 rebuilds of the 1x archive),
    so every 50th time the kept objects are collected too (100 ms there).
    The disk cache files the build made (`caches.defer`) are written now too."""
    global _SETTLED
    caches.flush()
    _SETTLED += 1
    if _SETTLED % 50 == 0:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


_SETTLED = 0  # how many times this process settled


def forget() -> None:
    """Drop what earlier builds in this process kept for the next (parsed files, compiled
    templates, rendered articles, downloads): the next build starts cold. For benchmarks."""
    from . import article, checks, dataset, downloads, figures, loader, pages, render, views
    for cache in (loader._PARSED, render._ENVIRONMENTS, article._RENDERED, article._COMPILED, downloads._MADE,
                  views._USED, views._DIGESTS, images._MEMORY, pages._CHARTS, render._KEPT, render._PAGES,
                  render._READS, dataset._VALIDATED, dataset._ARTICLES, checks._CHECKED, downloads._PARTS, figures._WALKED):
        cache.clear()


def find_templates(templates: Optional[Path] = None) -> Path:
    """--templates, else the project's own.

    Templates are code (Jinja outside the sandbox), so a templates folder that
    merely sits beside someone's data folder is never used unless asked for.
    """
    return templates if templates is not None else PACKAGE_TEMPLATES


def run(data_dir: Path, out: Optional[Path] = None, templates: Optional[Path] = None,
        strict: bool = False, wait: bool = True, on_wait: Optional[Callable[[str], None]] = None,
        draft: bool = False, draw: Optional[bool] = None, keep: bool = True) -> Result:
    """Validate, then render: in memory, or when writing, file by file into a staging folder
    beside `out` that replaces it only when all is well (`files` then stays empty; `output()`
    reads the written files back).

    The pictures (share pictures, chart images) are drawn as PNG when `draw`, by default when
    writing: `drawn` then names each one's file in the picture cache (linked or copied into
    place, never read in; `output()` reads them). Otherwise they stay SVG in `pictures`
    (`serve` draws one when a browser asks for it).
    While another build writes the same `out`, wait for it (calling `on_wait` once),
    or with `wait` False raise writer.Busy.
    Without `out` and with `keep` False (`check`): every page is rendered, as a written build
    renders them (on two cores for a large site), for its mistakes only; none is kept.
    """
    if out is not None:
        ensure_replaceable(out)  # fail before the work, not after
    # Loading makes no garbage cycles, only objects that live as long as the build: the cyclic
    # collector, which walked them again and again while they were made (half a second of a
    # build of the 10x archive), is off meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        project, problems = load_project(data_dir)
    finally:
        if collecting:
            gc.enable()
    if out is not None:  # a process builds once when it writes (serve builds in memory): its parsed files would only weigh
        loader.forget_parsed()
        forget_articles()
        gc.freeze()  # and what it loaded stays out of the collector's way (serve: `settle`)
    result = Result(problems)
    if project is None:
        return result
    editions = {year: dataset.edition for year, dataset in project.editions.items()}
    checked = {**editions, **{y: e for y, e in project.drafts.items() if e is not None}}
    at = len(result.problems)  # the checks' problems go here, whenever they are found
    ran: list[bool] = []

    def check() -> bool:
        """The rules within and across editions (once); whether the build may go on."""
        if not ran:
            ran.append(True)
            result.problems[at:at] = check_all(checked)
        return not result.failed(strict)
    unpublished: dict[int, set[str]] = {}  # in a draft: what is shown without its correction
    recorded = {}
    for year, dataset in project.editions.items():  # a change to what was published needs a correction
        folder = data_dir / str(year)
        published, recorded[year], found = corrections.load(folder, data_dir)
        result.problems += found
        found, uncovered = corrections.check(dataset.edition, published, recorded[year], folder, today(), draft)
        result.problems += found
        if draft:
            unpublished[year] = uncovered
    if not project.editions:
        result.problems.append(error(Location(data_dir), "chưa có năm số liệu nào đủ nguồn và bài viết để dựng trang",
                                     "khai báo nguồn trong cluster.yaml và viết bài trong article.md của ít nhất một năm"))
    if result.failed(strict):
        return result
    if out is None and not keep:
        _render(result, project, data_dir, templates, strict, unpublished, recorded, False, Discard(), check)
        return result
    if out is None:
        if check():
            _render(result, project, data_dir, templates, strict, unpublished, recorded, draw, None)
        return result
    with staged(out, wait=wait, on_wait=on_wait) as staging:
        # the checks run here while a worker renders its editions on the other core (a large site)
        if _render(result, project, data_dir, templates, strict, unpublished, recorded, draw, staging, check):
            result.changed = staging.commit()
            result.written, result.totals = out, (len(staging.names), staging.size)
    result.problems += staging.notes
    if result.written is not None:
        caches.prune()  # once a day: what no build used for a month
    return result


def _render(result: Result, project, data_dir: Path, templates: Optional[Path], strict: bool, unpublished: dict,
            recorded: dict, draw: Optional[bool], staging: Optional[Staging | Discard], check=None) -> bool:
    """Render (into `staging`, file by file, when writing) and draw; whether all went well.
    `check()`: whether the build may go on, called once the rendering has begun."""
    files, pictures, problems = render_site(project, find_templates(templates), unpublished=unpublished,
                                            corrections=recorded, staging=staging, meanwhile=check)
    if files is None or (check is not None and not check()):  # the checks said no (or ran only now)
        return False
    result.problems += problems + _undrawable(pictures, data_dir)
    if result.failed(strict):
        return False
    result.files, result.pictures = files, pictures
    if draw if draw is not None else staging is not None:
        try:
            result.drawn = images.rasterise_all(pictures)
        except images.DrawError as exc:
            result.problems.append(error(Location(data_dir), f"không vẽ được ảnh {exc}",
                                         "báo cho nhóm phát triển; đây không phải lỗi số liệu"))
            return False
        # the PNG files stay in the picture cache: the staging folder links them, never reading them in
        if staging is not None:  # those the cache held are in place already
            for path, source in sorted(result.drawn.sources.items()):
                if pictures[path].placed is None:
                    staging.put(path, source)
    return True
