"""Jinja environment and rendering: a project becomes {path: bytes}, in memory.

Templates live in `templates/` (a base layout, pages, partials named `_x.html`,
style.css and sort.js, both inlined so a page arrives in one round trip). Which
pages exist, at which path and with which context is the registry's (`pages`);
here each is rendered once, and a path made twice is an error.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import operator
import os
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote
from typing import Callable, Optional

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError, meta, select_autoescape
from markupsafe import Markup

from . import caches, cards, charts, corrections, downloads, images, isolate, metadata, pages, urls, views
from .article import CHARTS, TABLES, start_render
from .filters import FILTERS, versus
from .dataset import Project
from .errors import Level, Location, Problem, error, note
from .cards import Card
from .contexts import ShareImage
from .model import Edition
from .writer import Discard, Staging

# What a templates folder must hold; partials are found by the pages that include them.
TEMPLATE_FILES = ("base.html", "article.html", "rankings.html", "provinces.html", "province.html", "data.html",
                  "years.html", "provinces_all.html", "province_history.html", "redirect.html", "corrections.html", "embed.html",
                  "404.html", "style.css", "sort.js", "favicon.svg")


_ENVIRONMENTS: dict[str, Environment] = {}


def environment(templates: Path, state: Optional[str] = None) -> Environment:
    """Autoescaping, strict Jinja environment with the Vietnamese filters, for our own templates.

    One per templates folder for the life of the process, keeping each compiled template:
    `serve`'s rebuilds and repeated builds skip compiling. Jinja would look at every template's
    file date each time a page asks for it (auto_reload: 8,000 stats on a large site); instead,
    each build gives the folder's `state` (`_templates_state`) and a change forgets them all.
    """
    key = str(templates.resolve())
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS[key] = _new_environment(templates)
    env = _ENVIRONMENTS[key]
    state = _templates_state(templates) if state is None else state
    if not state or _STATES.get(key) != state:  # "": cannot tell, so nothing is kept
        env.cache.clear()
        _STATES[key] = state
    return env


_STATES: dict[str, str] = {}  # each environment's templates folder as its compiled templates were read


def _new_environment(templates: Path) -> Environment:
    # Compiled templates are kept on disk between processes (Jinja's own cache, keyed by each
    # template's name and source): a new process compiles only what changed.
    kept = caches.folder("templates")
    env = Environment(loader=FileSystemLoader(str(templates)),
                      bytecode_cache=FileSystemBytecodeCache(str(kept)) if kept is not None else None,
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      auto_reload=False)  # `environment` forgets the compiled templates when the folder changes
    env.filters.update(FILTERS)
    env.globals.update(compare=versus, credit=_credits(env))
    return env


def _credits(env: Environment) -> Callable[[list[str], dict, str], Markup]:
    """`credit(page_sources, sources, main_source)`: a page's list of its sources (`_credit.html`),
    rendered once for each set of sources: most pages of an edition credit the same few, and a
    large site would otherwise spend a tenth of its time writing the same footers again."""
    made: dict[tuple, tuple[tuple, Markup]] = {}

    def credit(page_sources: list[str], sources: dict, main_source: str) -> Markup:
        template = env.get_template("_credit.html")  # a new object when the file changed (serve)
        shown = tuple(sources.get(key) for key in (*page_sources, main_source))
        key = (template, tuple(page_sources), main_source)
        kept = made.get(key)
        if kept is None or any(a is not b for a, b in zip(kept[0], shown)):  # the same sources, by identity
            if len(made) > 256:  # an edition's few sets of sources, or a few editions'
                made.clear()
            kept = made[key] = (shown, Markup(template.render(page_sources=page_sources, sources=sources,
                                                              main_source=main_source)))
        return kept[1]
    return credit


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
                corrections: Optional[dict] = None, staging: Optional[Staging | Discard] = None,
                meanwhile: Optional[Callable[[], bool]] = None
                ) -> tuple[Optional[dict[str, bytes]], dict[str, images.Picture], list[Problem]]:
    """Every file of the site, in memory, and the pictures to draw as PNG (by path), or the
    problems that stop it. `corrections`: each edition's corrections.Corrections, shown on the
    pages they concern; `unpublished`: each edition's changes shown without a correction (a
    draft): those pages get a band.

    With `staging`, each file goes into it as soon as it is made (none is returned), and a large
    site is rendered on two cores: a worker process renders half the editions' own pages.
    `meanwhile()` is called once the worker has started; when it says no, the rendering stops
    and the files are None."""
    if not templates.is_dir():
        return {}, {}, [error(Location(templates), "không tìm thấy thư mục mẫu trang (templates)",
                          "chạy lệnh trong thư mục dự án, hoặc chỉ đường dẫn bằng --templates")]
    missing = [name for name in TEMPLATE_FILES if not (templates / name).is_file()]
    if missing:
        return {}, {}, [error(Location(templates), f"thư mục mẫu trang thiếu tệp {', '.join(missing)}",
                          "dùng thư mục templates của dự án, hoặc chỉ đúng thư mục bằng --templates")]
    try:
        return _render(project, templates, unpublished or {}, corrections or {}, staging, meanwhile)
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
    # Links are relative (urls.relative: as many "../" as the page is deep, then the root path),
    # so each edition's tables and charts are rendered once with UP where the climb goes, and
    # given each depth by replacing it. The loader refuses control characters: no data holds it.
    up = "\x00"

    def release(year: int) -> None:
        """An edition's pages are made: its tables, and what they were made from, go."""
        for key in [key for key in placed if key[0] == year]:
            del placed[key]
        made.pop(year, None)
        pages._CHARTS.pop(id(project.editions[year].edition), None)

    def blocks(year: int, path: str) -> dict[str, Markup]:
        depth = path.count("/")  # relative links differ only by how deep the page is
        if (year, depth) not in placed:
            if (year, -1) not in placed:
                shared, drawn, present = edition_parts(year)
                context = {**shared, "url": lambda target: up + target}
                out = {f"table:{name}": Markup(env.get_template(f"_table_{name}.html").render(context))
                       for name in TABLES if name in present}
                out.update({f"chart:{name}": charts.figure_html(
                    chart, credit, (f"{up}{stem}.png", f"{up}{stem}.svg") if stem else None)
                    for name, (chart, credit, stem) in drawn.items() if name in CHARTS})
                placed[(year, -1)] = out
            climb = "../" * depth
            placed[(year, depth)] = {key: Markup(str(block).replace(up, climb))
                                     for key, block in placed[(year, -1)].items()}
        return placed[(year, depth)]
    blocks.release = release  # type: ignore[attr-defined]
    return blocks


def _render(project: Project, templates: Path, unpublished: dict, said: dict, staging: Optional[Staging | Discard],
            meanwhile: Optional[Callable[[], bool]] = None
            ) -> tuple[Optional[dict[str, bytes]], dict[str, images.Picture], list[Problem]]:
    state = _templates_state(templates)
    env = environment(templates, state)
    files: dict[str, bytes] = {}
    pictures: dict[str, images.Picture] = {}
    problems: list[Problem] = []
    site = project.site
    if not site.base_url:
        problems.append(note(site.where("base_url") or Location(project.data_dir / "site.yaml"),
                             "chưa có base_url nên không tạo sitemap.xml, robots.txt và liên kết chuẩn (canonical)",
                             "điền địa chỉ đăng trang vào base_url trong site.yaml khi đã có"))
    shown = {year: corrections.shown(dataset.edition, said.get(year)) for year, dataset in project.editions.items()}
    for cache in (views._USED, views._DIGESTS, pages._CHARTS):  # what earlier builds of this process kept for other editions
        views.keep_only(cache, [dataset.edition for dataset in project.editions.values()])
    shared = pages.Shared(project, _asset(templates, "style.css"), _asset(templates, "sort.js"),
                          _favicon(templates), {}, _blocks(env, project, files, pictures), files,
                          unpublished=unpublished, corrections=shown, pictures=pictures)
    out = Output(files, staging, set())
    if staging is not None:  # the cards a written build needs again: those the old addresses' redirects show
        shared.keeps_card = set(urls.legacy_pages(site.legacy_year).values() if site.legacy_year else ()).__contains__
    worker = Worker.start(env, project, shared, staging) if staging is not None else None
    try:  # whatever stops this process's rendering (a mistake, a bug, a full disk) stops the worker's
        if meanwhile is not None and not meanwhile():
            return None, {}, []
        found = _render_all(env, project, templates, state, shared, out, worker, problems)
        if found:
            return {}, {}, found
    finally:
        if worker is not None:
            worker.claims.close()
            if worker.outcome is None:
                with contextlib.suppress(OSError):  # already reaped when waiting for it failed
                    worker.running.stop()
    out.seen.clear()  # every page is made: room for the sitemap, the largest file of a large site
    out.tried.clear()
    if site.base_url:
        files[urls.SITEMAP] = metadata.sitemap(site.base_url, out.indexable)
        files[urls.ROBOTS] = metadata.robots(site.base_url)
    if staging is not None:  # the downloads, the charts' SVG and the sitemap
        out.flush()
        files = {}
    return files, pictures, problems


def _render_all(env: Environment, project: Project, templates: Path, state: str, shared: pages.Shared, out: Output,
                worker: Optional["Worker"], problems: list[Problem]) -> list[Problem]:
    """Every page (the worker's editions excepted, until it is done); the articles' mistakes."""
    if worker is not None:
        shared.mine = worker.leaves
    keys = {}
    if out.staging is None:  # in one process (serve): what an unchanged edition's pages were, again
        _keep_pages(env, project, templates, state, shared)
        keys = {year: _edition_key(project, templates, state, shared, year) for year in project.editions}
        kept = {year: _KEPT[year][1] for year, key in keys.items() if key and _KEPT.get(year, ("",))[0] == key}
        for edition in kept.values():
            edition.restore(shared, out)
        if kept:
            shared.mine = lambda year: year not in kept
    site_kinds = [kind for kind in pages.KINDS if kind not in pages.EDITION_KINDS and kind not in pages.SHOW_ARTICLES]
    found = _render_editions(env, project, shared, out, problems, later=site_kinds,
                             claims=worker.claims if worker is not None else None)
    if found:
        return found
    if worker is not None:
        found = worker.finish(env, project, shared, out, problems)
        if found:
            return found
    if keys and not any(p.level is Level.ERROR for p in problems):
        rendered = [year for year, _ in shared.editions() if keys[year]]
        owners = {path: _edition_of(path, project) for path in (*out.files, *shared.pictures)}
        for year in rendered:
            _KEPT[year] = (keys[year], EditionPages.of(year, owners, shared, out))
        for year in [year for year in _KEPT if year not in project.editions]:
            del _KEPT[year]
    shared.mine = pages.every
    _render_kinds(env, project, shared, [kind for kind in pages.SHOW_ARTICLES if kind not in pages.EDITION_KINDS],
                  out, problems)
    if shared.page_base:
        for path in [path for path in _PAGES if path not in out.seen]:  # pages the site no longer has
            del _PAGES[path]
    return []


def _keep_pages(env: Environment, project: Project, templates: Path, state: str, shared: pages.Shared) -> None:
    """serve: let the pages that have a key be kept from one build to the next (`_PAGES`)."""
    if not state:
        return
    newest = project.editions[max(project.editions)].edition
    shared.page_base = caches.key("pages", str(templates.resolve()), state, project.site.model_dump_json(warnings=False),
                                  repr(sorted(project.editions)), views.main_source(newest))
    shared.reads = lambda template: _reads(env, template, state)
    shared.reuse = lambda path, key: bool(key) and path in _PAGES and _PAGES[path].key == key


_READS: dict[tuple[str, str], frozenset[str]] = {}


def _reads(env: Environment, template: str, state: str) -> frozenset[str]:
    """The names a template reads from its context, with the templates it extends and includes
    ("*" when one of them is named by a variable, or cannot be read)."""
    if (template, state) not in _READS:
        if len(_READS) > 64:  # the templates of earlier states
            _READS.clear()
        try:
            tree = env.parse(env.loader.get_source(env, template)[0])
        except (TemplateError, OSError):
            return frozenset({"*"})
        found = set(meta.find_undeclared_variables(tree))
        _READS[(template, state)] = frozenset({"*"})  # meanwhile: a template that includes itself keeps nothing
        for other in meta.find_referenced_templates(tree):
            found |= _reads(env, other, state) if other is not None else {"*"}
        _READS[(template, state)] = frozenset(found)
    return _READS[(template, state)]


@dataclass
class EditionPages:
    """What an edition's own pages made: pages, downloads, charts' images, share pictures, cards."""

    year: int
    files: dict[str, bytes]
    pictures: dict[str, images.Picture]
    cards: dict[str, Card]
    indexable: list[str]
    headline: str

    @classmethod
    def of(cls, year: int, owners: dict[str, Optional[int]], shared: pages.Shared, out: Output) -> "EditionPages":
        """`owners`: the edition of every file and picture path (`_edition_of`)."""
        mine = {path: content for path, content in out.files.items() if owners[path] == year}
        shown = {shared.page_pictures[path] for path in mine if path in shared.page_pictures}
        return cls(year, mine, {path: picture for path, picture in shared.pictures.items()
                                if path in shown or owners[path] == year},
                   {path: card for path, card in shared.cards.items() if path in mine},
                   [path for path in out.indexable if path in mine], shared.headlines[year])

    def restore(self, shared: pages.Shared, out: Output) -> None:
        for path, content in self.files.items():
            out.claim(path)
            out.put(path, content)
        shared.pictures.update(self.pictures)
        shared.cards.update(self.cards)
        out.indexable += self.indexable
        shared.headlines[self.year] = self.headline


def _edition_of(path: str, project: Project) -> Optional[int]:
    """The edition whose own pages made the file at `path`, or None (the site's own pages)."""
    head = path.split("/", 1)[0]
    if head.isdigit() and len(path) > len(head):
        return int(head)
    if path == urls.FRONT:
        return max(project.editions)
    legacy = project.site.legacy_year
    if legacy is not None and path in urls.legacy_files(legacy):
        return legacy
    return None


# In one process (serve): each edition's pages as last rendered, under everything they are made
# from. An edit to one edition's files renders that edition's pages (and the site's own) again.
_KEPT: dict[int, tuple[str, EditionPages]] = {}


def _edition_key(project: Project, templates: Path, state: str, shared: pages.Shared, year: int) -> str:
    """Everything an edition's own pages are made from: the texts of its files, the site's and the
    reference's (the project's fingerprint of it), the templates (`state`), which editions there
    are, and its corrections and unpublished changes. "" when any of it is not known for sure."""
    fingerprint = project.fingerprint(year)
    if not fingerprint or not state:
        return ""
    return caches.key("edition-pages", fingerprint, str(templates.resolve()), state,
                      repr(sorted(project.editions)), repr(shared.corrections.get(year)),
                      repr(sorted(shared.unpublished.get(year, ()))))


TEMPLATE_FILES_MOST = 2000  # files a templates folder may hold for its state to be taken; beyond, "" (nothing kept)


def _templates_state(templates: Path) -> str:
    """The names, sizes and dates of the files in the templates folder and the folders below ("" when
    one cannot be read). An editor's lock, swap and backup files beside them (.#base.html,
    .base.html.swp, #base.html#, base.html~) are not templates and do not count."""
    found = []

    def fail(exc: OSError) -> None:
        raise exc
    try:
        for folder, folders, names in os.walk(templates, onerror=fail):
            folders[:] = sorted(name for name in folders if not name.startswith("."))
            if len(found) + len(names) > TEMPLATE_FILES_MOST:  # not a templates folder (--templates /?): not walked
                return ""
            for name in sorted(names):
                if not name.startswith((".", "#")) and not name.endswith("~"):
                    info = os.stat(os.path.join(folder, name))
                    found.append((os.path.relpath(os.path.join(folder, name), templates), info.st_mtime_ns,
                                  info.st_size))
    except OSError:
        return ""
    return repr(found)


def _render_editions(env: Environment, project: Project, shared: pages.Shared, out: Output, problems: list[Problem],
                     later=(), claims: Optional["Claims"] = None) -> list[Problem]:
    """The own pages of the editions `shared.mine` names, then the `later` kinds, then those of
    the editions this process takes from `claims` one by one: their downloads, tables, charts
    and articles. Returns the articles' mistakes, which stop the build."""
    site = shared.project.site
    pending: dict = {}

    def start(year: int, dataset) -> None:
        # Each article renders in its own child while this process renders the pages that do not
        # show it: on two cores, most of an article's time is hidden.
        pending[year] = start_render(dataset, shared.blocks(year, urls.article(year)))

    def make_downloads(year: int, dataset) -> None:
        paths = urls.downloads(year)
        made = downloads.make(site, dataset.edition, tuple(shared.corrections[year]), project.fingerprint(year),
                              views.digests(dataset.edition) if shared.page_base else None)
        made_files = {paths[name]: getattr(made, name) for name in ("figures_csv", "facts_csv", "json")}
        if year == site.legacy_year:  # the old download addresses keep their bytes
            made_files.update({old: made_files[new] for old, new in urls.legacy_files(year).items()})
        for path, content in made_files.items():
            out.put(path, content)  # written now (a large site holds none of them), or kept in `files`
            shared.sizes[path] = len(content)
        # a written build keeps only what the data page needs
        shared.made[year] = made if out.staging is None else replace(made, figures_csv=b"", facts_csv=b"", json=b"")

    try:
        for year, dataset in shared.editions():
            start(year, dataset)
        # every edition's downloads are made before any page (without this, 15 MB more at 10x: 214
        # against 195 MB); a claimed edition's when it is claimed (its pages follow at once)
        for year, dataset in shared.editions():
            make_downloads(year, dataset)
        first = [kind for kind in pages.EDITION_KINDS if kind not in pages.SHOW_ARTICLES]
        showing = [kind for kind in pages.SHOW_ARTICLES if kind in pages.EDITION_KINDS]
        mine, said = shared.mine, {}

        def finish(year: int) -> None:
            """The edition's article pages, once its article is rendered; then (a written build)
            its tables, downloads and article go."""
            shared.mine = functools.partial(operator.eq, year)
            running = pending.pop(year)
            article, said[year] = running.result()
            if article is not None and not said[year]:
                # each article page places the tables anew for its own address: the body placed once is not kept
                shared.articles[year] = replace(article, body=Markup(""))
                shared.headlines[year] = article.headline
                _render_kinds(env, project, shared, showing, out, problems)
            if out.staging is not None:
                shared.blocks.release(year)  # type: ignore[attr-defined]
                for kept in (shared.made, shared.views, shared.articles):
                    kept.pop(year, None)
                running.forget()  # its article, kept for serve's next build
                out.tried.clear()  # the pictures looked up: another edition's are others
            shared.mine = mine

        # Edition by edition, each one finished at once when its article was rendered before (a
        # written build then holds one edition's tables at a time); the articles still rendering
        # in their children are waited for after the site's own pages, rendered meanwhile.
        def edition_pages(year: int) -> None:
            shared.mine = functools.partial(operator.eq, year)
            _render_kinds(env, project, shared, first, out, problems)
            shared.mine = mine
            if pending[year].rendered is not None:
                finish(year)

        years = [year for year, _ in shared.editions()]
        for year in years:
            edition_pages(year)
        _render_kinds(env, project, shared, later, out, problems)
        while claims is not None and (year := claims.take()) is not None:
            dataset = project.editions[year]
            start(year, dataset)
            make_downloads(year, dataset)
            edition_pages(year)
            years.append(year)
        for year in [year for year in years if year in pending]:
            finish(year)
        found = [problem for year in years for problem in said[year]]  # a mistake in an article stops the build
        if found:
            return found
        if out.staging is not None:  # the tables' charts, made outside any page
            out.flush()
            out.place(shared, list(shared.pictures))
        return []
    finally:
        for running in pending.values():
            running.stop()  # a child nobody waited for (a mistake in our templates) is killed


class Output:
    """Where rendered pages go (into the staging folder as they are made, else into `files`),
    with every path made so far (two pages at one address is an error) and the indexable ones."""

    def __init__(self, files: dict[str, bytes], staging: Optional[Staging | Discard], seen: set[str],
                 records: Optional[list] = None) -> None:
        self.files, self.staging, self.seen, self.records = files, staging, seen, records
        self.indexable: list[str] = []
        self.tried: set[str] = set()  # pictures looked up in the cache (`place`)

    def claim(self, path: str) -> bool:
        if path in self.seen:
            return False
        self.seen.add(path)
        return True

    def put(self, path: str, content: "bytes | Path") -> None:
        if self.staging is None:
            self.files[path] = content
            return
        same, size = self.staging.put(path, content)
        if self.records is not None:  # a worker: what it wrote, for the parent's account
            self.records.append([path, same, size])

    def place(self, shared: pages.Shared, paths) -> None:
        """A written build: the pictures at `paths` the cache already holds, linked into the
        staging folder by the process that made them, and kept without their SVG (the others
        are drawn at the end)."""
        for path in paths:
            if path not in self.tried:
                self.tried.add(path)
                light = images.placed(shared.pictures[path])
                if light is not None:
                    self.put(path, Path(light.placed))
                    if light.undrawable:  # kept for the warning
                        shared.pictures[path] = light
                    else:  # nothing more to do with it: a large site keeps none
                        del shared.pictures[path]

    def flush(self) -> None:
        """The files kept in `files` (downloads, charts' SVG, the sitemap), into the staging folder."""
        for path, content in self.files.items():
            self.put(path, content)
        self.files.clear()


PARALLEL_FROM = 150  # pages: a smaller site renders faster in one process than a fork costs
WORKER_BUDGET = isolate.Budget(seconds=900, memory=4 * 1024**3, output=1024**3)


@dataclass
class Worker:
    """A child process rendering every page of some editions (downloads, charts, articles) into
    the same staging folder, while this process renders the others and the site's own pages:
    Jinja and the writes hold one interpreter, so a second process is the way onto the second core."""

    running: isolate.Running
    claims: "Claims"  # the editions both processes take from, one at a time
    outcome: Optional[isolate.Outcome] = None  # once finished: what became of it

    def leaves(self, year: int) -> bool:
        """The editions this process renders the pages of before it takes any: those not shared out."""
        return year not in self.claims.shared_out

    @property
    def theirs(self) -> frozenset[int]:
        """The editions the worker took: all that were shared out but those this process took
        (once none is left; those a failed worker took too)."""
        return self.claims.shared_out - set(self.claims.taken)

    @classmethod
    def start(cls, env: Environment, project: Project, shared: pages.Shared, staging: Staging) -> Optional["Worker"]:
        shared_out = _shared_out(project)
        if not shared_out or not hasattr(os, "fork"):
            return None
        claims = Claims.of(shared_out)
        if claims is None:
            return None
        for name in TEMPLATE_FILES:  # compiled (or read from the bytecode cache) once, before the fork
            if name.endswith(".html"):
                env.get_template(name)

        def work(stage) -> Optional[dict]:
            shared.mine = lambda year: False  # only what it takes
            out, problems = Output(shared.files, staging, set(), records=[]), []
            if _render_editions(env, project, shared, out, problems, claims=claims) or problems:
                return None  # said by the parent, which renders these editions again
            out.flush()
            waiting = set(staging.waiting)  # unchanged files it did not link: the parent links them if need be
            return {"records": [[*record, record[0] in waiting] for record in out.records], "indexable": out.indexable,
                    "headlines": shared.headlines,
                    # the pictures to draw, and those placed with characters the font lacks (for the warning)
                    "pictures": {path: picture.as_json() for path, picture in shared.pictures.items()
                                 if picture.placed is None or picture.undrawable}}
        try:
            return cls(isolate.start(work, WORKER_BUDGET), claims)
        except BaseException:
            claims.close()
            raise

    def finish(self, env: Environment, project: Project, shared: pages.Shared, out: Output,
               problems: list[Problem]) -> list[Problem]:
        """Take in what the worker made; when it failed, render its editions here (saying any
        mistake, and returning the articles' ones)."""
        try:
            outcome = self.running.wait()
        except isolate.ChildBug:  # a bug of ours in the worker: its pages are made here
            outcome = isolate.Outcome(failure="crash")
        self.outcome = outcome
        made = outcome.result if isinstance(outcome.result, dict) else None
        if made is None or any(record[0] in out.seen for record in made["records"]):
            out.staging.replacing = True  # over whatever the worker wrote
            shared.mine = self.theirs.__contains__
            return _render_editions(env, project, shared, out, problems)
        for path, same, size, waiting in made["records"]:
            out.staging.record(path, same, size, waiting)
            out.seen.add(path)
        out.indexable += made["indexable"]
        shared.headlines.update({int(year): headline for year, headline in made["headlines"].items()})
        shared.pictures.update({path: images.Picture.from_json(said) for path, said in made["pictures"].items()})
        return []


def _shared_out(project: Project) -> list[int]:
    """The editions this process and the worker take one by one (`Claims`), the largest first;
    none for a small site. The old addresses' redirects show their edition's cards: it stays here."""
    sizes = {year: len(dataset.edition.members) + 8 for year, dataset in project.editions.items()}
    # the site's own pages, for the size only: a province's page across the years about two member pages
    site_pages = 2 * len({p.name for d in project.editions.values() for p in d.edition.members}) + 6
    if sum(sizes.values()) + site_pages < PARALLEL_FROM:
        return []
    return sorted((year for year in sizes if year != project.site.legacy_year), key=lambda year: (-sizes[year], year))


class Claims:
    """Editions shared out between this process and the worker as they go: each takes the next
    when it has made the last, so both finish together however busy the machine is (a split
    fixed before the fork left one or the other idle for up to 200 ms of a 1.5 s build).

    Written by hand, as no library does it without a lock a killed process could leave held: the
    editions' indexes are written whole into a pipe before the fork, and each read takes one
    (a read from a pipe is atomic), so no edition is taken twice and none is lost."""

    RECORD = 2  # bytes: an index below 65,536; the pipe holds 32,768 of them on Linux, 8,192 on macOS

    def __init__(self, years: list[int], read: int) -> None:
        self.years, self.read = years, read
        self.shared_out = frozenset(years)
        self.taken: list[int] = []  # by this process

    @classmethod
    def of(cls, years: list[int]) -> Optional["Claims"]:
        """None when the pipe cannot hold them all (the worker is then not started)."""
        if len(years) >= 256 ** cls.RECORD:
            return None
        records = b"".join(index.to_bytes(cls.RECORD, "little") for index in range(len(years)))
        read, write = os.pipe()
        try:
            os.set_blocking(write, False)
            whole = os.write(write, records) == len(records)
        except OSError:
            whole = False
        finally:
            os.close(write)  # when all are taken, a read finds the end at once
        if not whole:
            os.close(read)
            return None
        return cls(years, read)

    def take(self) -> Optional[int]:
        """The next edition to make, or None when none is left."""
        try:
            record = os.read(self.read, self.RECORD)
        except OSError:
            return None
        if len(record) < self.RECORD:
            self.close()
            return None
        self.taken.append(self.years[int.from_bytes(record, "little")])
        return self.taken[-1]

    def close(self) -> None:
        if self.read >= 0:
            os.close(self.read)
            self.read = -1


def _share_image(shared: pages.Shared, page, placing: bool) -> ShareImage:
    """The page's share picture: its card completed with the publisher and the page's sources,
    drawn later under a name made from its content (one file for pages that show the same).
    `placing` (a written build): a card without a chart whose picture the cache holds is not
    made into SVG, only named (`cards.share_key`)."""
    site, context = shared.project.site, page.context
    card = page.card
    if not card.source and getattr(context, "page_sources", None):
        card = replace(card, source=cards.source_text([context.sources[i] for i in context.page_sources],
                                                      context.sources.get(getattr(context, "main_source", ""))))
    card = replace(card, publisher=card.publisher or f"{site.title} · {site.publisher.name}")
    if shared.keeps_card(page.path):
        shared.cards[page.path] = card
    named = cards.share_key(card, images.renderer())
    picture = images.found(named[0], 1.0, lambda: cards.share_missing(card)) if named and placing else None
    if picture is not None:
        words = named[1]
    else:
        svg, words = cards.share(card)
        picture = images.Picture(svg)
        if named:
            picture.__dict__.update(key=named[0], undrawable=cards.share_missing(card))
    path = urls.share_image(picture.key)
    shared.pictures.setdefault(path, picture)  # the same picture as another page's (placed, maybe)
    shared.page_pictures[page.path] = path
    href = shared.canonical(path) or urls.relative(page.path, path)
    return ShareImage(href, words)


@dataclass
class KeptPage:
    """serve: a page as last rendered, under its key, with what making it added: the files and
    pictures of its charts, its share picture and card."""

    key: str
    content: bytes
    listed: bool
    files: dict[str, bytes]
    pictures: dict[str, images.Picture]
    card: Optional[Card]
    picture: Optional[str]  # its share picture's path

    def restore(self, path: str, shared: pages.Shared, out: Output) -> None:
        out.put(path, self.content)
        shared.files.update(self.files)
        shared.pictures.update(self.pictures)
        if self.card is not None:
            shared.cards[path] = self.card
        if self.picture is not None:
            shared.page_pictures[path] = self.picture
        if self.listed:
            out.indexable.append(path)


# serve: the pages that have a key (`Page.key`), by path, as last rendered: a page whose key is
# unchanged is not made again, nor are its charts and share picture.
_PAGES: dict[str, KeptPage] = {}


def _added(before: int, found: dict) -> dict:
    """What was added to `found` since it held `before` entries (dicts keep their order), taken
    from the end: serve's `found` holds every kept edition's files before the page's few."""
    return dict(reversed(list(itertools.islice(reversed(found.items()), max(0, len(found) - before)))))


def _render_kinds(env: Environment, project: Project, shared: pages.Shared, kinds, out: Output,
                  problems: list[Problem]) -> None:
    for kind in kinds:
        made = kind(shared)
        while True:
            files, pictures = len(shared.files), len(shared.pictures)  # what making the next page adds
            page = next(made, None)
            if page is None:
                break
            if not out.claim(page.path):
                problems.append(error(Location(project.data_dir), f"hai trang cùng địa chỉ {page.path}",
                                      "thường do hai tên tỉnh chỉ khác nhau ở dấu; sửa tên trong số liệu"))
                continue
            if page.context is None:  # kept from the last build (serve), as its key says
                _PAGES[page.path].restore(page.path, shared, out)
                continue
            if page.card is not None:
                page.context.page = replace(page.context.page, image=_share_image(shared, page, out.staging is not None))
            content = env.get_template(page.template).render(page.variables()).encode("utf-8")
            out.put(page.path, content)
            if page.context.page.listed:
                out.indexable.append(page.path)
            if out.staging is not None:  # what making it added, written now: a large site holds none of it
                out.flush()
                out.place(shared, [*_added(pictures, shared.pictures),
                                   *([shared.page_pictures.pop(page.path)] if page.card is not None else [])])
            if page.key:
                picture = shared.page_pictures.get(page.path) if page.card is not None else None
                _PAGES[page.path] = KeptPage(
                    page.key, content, page.context.page.listed, _added(files, shared.files),
                    {**_added(pictures, shared.pictures), **({picture: shared.pictures[picture]} if picture else {})},
                    shared.cards.get(page.path) if page.card is not None else None, picture)
