"""load -> check -> render -> write. Returns a result; never prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .checks import check_all
from .dataset import load_project
from .errors import Level, Location, Problem, error
from .render import render_site
from .writer import ensure_replaceable, write_site

PACKAGE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass
class Result:
    """What a build or check found and, for a build, what it wrote."""

    problems: list[Problem] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    written: Optional[Path] = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.WARNING]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


def forget() -> None:
    """Drop what earlier builds in this process kept for the next (parsed files, compiled
    templates, rendered articles, downloads): the next build starts cold. For benchmarks."""
    from . import article, downloads, loader, render, views
    for cache in (loader._PARSED, render._ENVIRONMENTS, article._RENDERED, article._COMPILED, downloads._MADE,
                  views._USED):
        cache.clear()


def find_templates(templates: Optional[Path] = None) -> Path:
    """--templates, else the project's own.

    Templates are code (Jinja outside the sandbox), so a templates folder that
    merely sits beside someone's data folder is never used unless asked for.
    """
    return templates if templates is not None else PACKAGE_TEMPLATES


def run(data_dir: Path, out: Optional[Path] = None, templates: Optional[Path] = None,
        strict: bool = False, wait: bool = True, on_wait: Optional[Callable[[str], None]] = None) -> Result:
    """Validate and render everything in memory; write to `out` only when all is well.

    While another build writes the same `out`, wait for it (calling `on_wait` once),
    or with `wait` False raise writer.Busy.
    """
    if out is not None:
        ensure_replaceable(out)  # fail before the work, not after
    project, problems = load_project(data_dir)
    result = Result(problems)
    if project is None:
        return result
    editions = {year: dataset.edition for year, dataset in project.editions.items()}
    result.problems += check_all({**editions, **{y: e for y, e in project.drafts.items() if e is not None}})
    if not project.editions:
        result.problems.append(error(Location(data_dir), "chưa có năm số liệu nào đủ nguồn và bài viết để dựng trang",
                                     "khai báo nguồn trong cluster.yaml và viết bài trong article.md của ít nhất một năm"))
    if result.failed(strict):
        return result
    files, problems = render_site(project, find_templates(templates))
    result.problems += problems
    if result.failed(strict):
        return result
    result.files = files
    if out is not None:
        result.problems += write_site(files, out, wait=wait, on_wait=on_wait)
        result.written = out
    return result
