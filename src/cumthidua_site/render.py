"""Jinja environment and rendering: a project becomes {path: bytes}, in memory.

Templates live in `templates/` (a base layout, pages, partials named `_x.html`,
style.css and sort.js, both inlined so a page arrives in one round trip). Which
pages exist, at which path and with which context is the registry's (`pages`);
here each is rendered once, and a path made twice is an error.
"""

from __future__ import annotations

import traceback
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote
from typing import Callable, Optional

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from markupsafe import Markup

from . import caches, cards, charts, corrections, downloads, images, metadata, pages, urls, views
from .article import CHARTS, TABLES, RenderedArticle, start_render
from .filters import FILTERS, versus
from .dataset import Project
from .errors import Location, Problem, error, note
from .contexts import ShareImage
from .model import Edition

# What a templates folder must hold; partials are found by the pages that include them.
TEMPLATE_FILES = ("base.html", "article.html", "rankings.html", "provinces.html", "province.html", "data.html",
                  "years.html", "provinces_all.html", "province_history.html", "redirect.html", "corrections.html", "embed.html",
                  "404.html", "style.css", "sort.js", "favicon.svg")


_ENVIRONMENTS: dict[str, Environment] = {}


def environment(templates: Path) -> Environment:
    """Autoescaping, strict Jinja environment with the Vietnamese filters, for our own templates.

    One per templates folder for the life of the process: Jinja keeps each compiled template
    and compiles it again only when its file changes (auto_reload), so `serve`'s rebuilds and
    repeated builds skip compiling.
    """
    key = str(templates.resolve())
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS[key] = _new_environment(templates)
    return _ENVIRONMENTS[key]


def _new_environment(templates: Path) -> Environment:
    # Compiled templates are kept on disk between processes (Jinja's own cache, keyed by each
    # template's name and source): a new process compiles only what changed.
    kept = caches.folder("templates")
    env = Environment(loader=FileSystemLoader(str(templates)),
                      bytecode_cache=FileSystemBytecodeCache(str(kept)) if kept is not None else None,
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    env.globals.update(compare=versus)
    return env


def _asset(templates: Path, name: str) -> Markup:
    """A CSS or JS file to inline: comment-only and blank lines dropped, trusted as ours."""
    text = (templates / name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return Markup("\n".join(line for line in lines if line and not line.startswith(("/*", "//"))))


def _favicon(templates: Path) -> str:
    """The icon as a data: URI, so the browser asks for no /favicon.ico."""
    svg = (templates / "favicon.svg").read_text(encoding="utf-8").strip()
    return "data:image/svg+xml," + quote(svg, safe="/:=")


def _template_problem(exc: Exception, templates: Path) -> Problem:
    """A mistake in our own templates, located in the template file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(templates))]
    line = getattr(exc, "lineno", None) or (frames[-1].lineno if frames else 0)
    name = getattr(exc, "filename", None) or (frames[-1].filename if frames else str(templates))
    return error(Location(Path(name), line or 0, 1 if line else 0),
                 "mẫu trang có lỗi, không dựng được trang", "báo cho nhóm phát triển; đây không phải lỗi số liệu")


def render_site(project: Project, templates: Path, unpublished: Optional[dict] = None,
                corrections: Optional[dict] = None
                ) -> tuple[dict[str, bytes], dict[str, images.Picture], list[Problem]]:
    """Every file of the site, in memory, and the pictures to draw as PNG (by path), or the
    problems that stop it. `corrections`: each edition's corrections.Corrections, shown on the
    pages they concern; `unpublished`: each edition's changes shown without a correction (a
    draft): those pages get a band."""
    if not templates.is_dir():
        return {}, {}, [error(Location(templates), "không tìm thấy thư mục mẫu trang (templates)",
                          "chạy lệnh trong thư mục dự án, hoặc chỉ đường dẫn bằng --templates")]
    missing = [name for name in TEMPLATE_FILES if not (templates / name).is_file()]
    if missing:
        return {}, {}, [error(Location(templates), f"thư mục mẫu trang thiếu tệp {', '.join(missing)}",
                          "dùng thư mục templates của dự án, hoặc chỉ đúng thư mục bằng --templates")]
    try:
        return _render(project, templates, unpublished or {}, corrections or {})
    except TemplateError as exc:
        return {}, {}, [_template_problem(exc, templates)]


def _present(edition: Edition) -> set[str]:
    """The tables and charts an edition has something for: the others are not made at all."""
    cluster, members = edition.cluster, edition.members
    scores = any(p.rank.known or p.score.known for p in members)
    income = any(p.income_per_capita.known for p in members)
    poverty = any(p.poverty_reduction.known for p in members) or cluster.poverty.others_reduction.known
    have = {"scores": scores, "income": income, "poverty": poverty,
            "new_countryside": cluster.new_countryside is not None, "awards": cluster.awards is not None,
            "heads": bool(cluster.heads)}
    return {name for name, present in have.items() if present}


def _blocks(env: Environment, project: Project, files: dict[str, bytes], pictures: dict[str, images.Picture]
            ) -> Callable[[int, str], dict[str, Markup]]:
    """(year, page path) -> that edition's tables and charts, linked from that page. Each chart's
    images to download go into `files` (SVG) and `pictures` (PNG)."""
    source_line = env.get_template("_source_line.html")
    made: dict[int, tuple[dict, dict[str, tuple[charts.Chart, Markup, Optional[str]]], set[str]]] = {}

    def edition_parts(year: int):
        if year not in made:
            edition = project.editions[year].edition
            shared = {**pages.edition_views(edition), "sources": edition.sources,
                      "main_source": views.main_source(edition)}
            present = _present(edition)
            drawn = {}
            for name, chart in pages.edition_charts(edition).items():
                if name not in present:
                    continue
                ids = shared["table_sources"][name]
                stem = urls.edition_chart(year, chart.id) if charts.drawable(chart) else None
                if stem is not None:
                    pages.chart_downloads(project.site, chart, [edition.sources[i] for i in ids],
                                          edition.sources[shared["main_source"]], stem, files, pictures, "")
                drawn[name] = (chart, Markup(source_line.render({**shared, "ids": ids})), stem)
            made[year] = (shared, drawn, present)
        return made[year]

    placed: dict[tuple[int, int], dict[str, Markup]] = {}

    def blocks(year: int, path: str) -> dict[str, Markup]:
        depth = path.count("/")  # relative links differ only by how deep the page is
        if (year, depth) not in placed:
            shared, drawn, present = edition_parts(year)
            context = {**shared, "url": lambda target: urls.relative(path, target)}
            out = {f"table:{name}": Markup(env.get_template(f"_table_{name}.html").render(context))
                   for name in TABLES if name in present}
            out.update({f"chart:{name}": charts.figure_html(
                chart, credit, (urls.relative(path, f"{stem}.png"), urls.relative(path, f"{stem}.svg")) if stem else None)
                for name, (chart, credit, stem) in drawn.items() if name in CHARTS})
            placed[(year, depth)] = out
        return placed[(year, depth)]
    return blocks


def _render(project: Project, templates: Path, unpublished: dict, corrections: dict
            ) -> tuple[dict[str, bytes], dict[str, images.Picture], list[Problem]]:
    env = environment(templates)
    files: dict[str, bytes] = {}
    pictures: dict[str, images.Picture] = {}
    blocks = _blocks(env, project, files, pictures)
    # Each article renders in its own child while this process renders the pages that do not
    # show it: on two cores, most of an article's time is hidden.
    pending = {year: start_render(dataset, blocks(year, urls.article(year)))
               for year, dataset in project.editions.items()}
    try:
        return _render_pages(project, templates, env, blocks, pending, unpublished, corrections, files, pictures)
    finally:
        for running in pending.values():
            running.stop()  # a child nobody waited for (a mistake in our templates) is killed


def _articles(pending: dict) -> tuple[dict[int, RenderedArticle], list[Problem]]:
    articles, problems = {}, []
    for year, running in pending.items():
        article, found = running.result()
        problems += found
        if article is not None:
            articles[year] = article
    return articles, problems


def _render_pages(project: Project, templates: Path, env: Environment, blocks, pending: dict, unpublished: dict,
                  said: dict, files: dict[str, bytes], pictures: dict[str, images.Picture]
                  ) -> tuple[dict[str, bytes], dict[str, images.Picture], list[Problem]]:
    problems: list[Problem] = []
    site = project.site
    if not site.base_url:
        problems.append(note(site.where("base_url") or Location(project.data_dir / "site.yaml"),
                             "chưa có base_url nên không tạo sitemap.xml, robots.txt và liên kết chuẩn (canonical)",
                             "điền địa chỉ đăng trang vào base_url trong site.yaml khi đã có"))
    made = {}
    shown = {year: corrections.shown(dataset.edition, said.get(year)) for year, dataset in project.editions.items()}
    for year, dataset in project.editions.items():
        paths = urls.downloads(year)
        made[year] = downloads.make(site, dataset.edition, tuple(shown[year]))
        files[paths["figures_csv"]] = made[year].figures_csv
        files[paths["facts_csv"]] = made[year].facts_csv
        files[paths["json"]] = made[year].json
    if site.legacy_year in project.editions:  # the old download addresses keep their bytes
        files.update({old: files[new] for old, new in urls.legacy_files(site.legacy_year).items()})
    shared = pages.Shared(project, _asset(templates, "style.css"), _asset(templates, "sort.js"),
                          _favicon(templates), {}, blocks, files, made, unpublished=unpublished, corrections=shown,
                          pictures=pictures)
    indexable: list[str] = []
    first = [kind for kind in pages.KINDS if kind not in pages.SHOW_ARTICLES]
    _render_kinds(env, project, shared, first, files, indexable, problems)
    articles, found = _articles(pending)
    if found:
        return {}, {}, found
    shared.articles.update(articles)
    _render_kinds(env, project, shared, pages.SHOW_ARTICLES, files, indexable, problems)
    if site.base_url:
        files[urls.SITEMAP] = metadata.sitemap(site.base_url, indexable)
        files[urls.ROBOTS] = metadata.robots(site.base_url)
    return files, pictures, problems


def _share_image(shared: pages.Shared, page) -> ShareImage:
    """The page's share picture: its card completed with the publisher and the page's sources,
    drawn later under a name made from its content (one file for pages that show the same)."""
    site, context = shared.project.site, page.context
    card = page.card
    if not card.source and getattr(context, "page_sources", None):
        card = replace(card, source=cards.source_text([context.sources[i] for i in context.page_sources],
                                                      context.sources.get(getattr(context, "main_source", ""))))
    card = replace(card, publisher=card.publisher or f"{site.title} · {site.publisher.name}")
    shared.cards[page.path] = card
    svg, words = cards.share(card)
    picture = images.Picture(svg)
    path = urls.share_image(picture.key)
    shared.pictures[path] = picture
    href = shared.canonical(path) or urls.relative(page.path, path)
    return ShareImage(href, words)


def _render_kinds(env: Environment, project: Project, shared: pages.Shared, kinds, files: dict[str, bytes],
                  indexable: list[str], problems: list[Problem]) -> None:
    for kind in kinds:
        for page in kind(shared):
            if page.path in files:
                problems.append(error(Location(project.data_dir), f"hai trang cùng địa chỉ {page.path}",
                                      "thường do hai tên tỉnh chỉ khác nhau ở dấu; sửa tên trong số liệu"))
                continue
            if page.card is not None:
                page.context.page = replace(page.context.page, image=_share_image(shared, page))
            files[page.path] = env.get_template(page.template).render(page.variables()).encode("utf-8")
            if page.context.page.listed:
                indexable.append(page.path)
