"""The registry of pages: one function per page kind, yielding each page's path and typed context.

The contexts are the dataclasses of `contexts`; paths come from `urls`. Which sources a
page credits is decided here, beside what the page shows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from markupsafe import Markup

from . import caches, cards, charts, downloads, images, metadata, series, urls, views
from . import formatting as fmt
from .cards import Card
from .article import RenderedArticle
from .dataset import Dataset, Project
from .contexts import (TEMPLATES, ArticlePage, Base, DataPage, EditionBase, EditionSummary, HistoryRow,  # noqa: F401
                       Links, MemberPage, MembersPage, NotFoundPage, Page, PageMeta, ProvincePage, ProvinceRow,
                       ProvincesPage, RankingsPage, RedirectPage, YearsPage, CorrectionsPage, EmbedPage)
from .model import Edition, Province, Site, Source


# --- the shared parts ------------------------------------------------------------

@dataclass
class Shared:
    """What every page is made from: the project, the inlined assets, the rendered articles and blocks."""

    project: Project
    css: Markup
    js: Markup
    favicon: str
    articles: dict[int, RenderedArticle]
    blocks: Callable[[int, str], dict[str, Markup]]  # (year, page path) -> rendered tables and charts
    files: dict[str, bytes] = field(default_factory=dict)  # download files already made
    made: dict[int, Any] = field(default_factory=dict)  # each edition's downloads.Made
    sizes: dict[str, int] = field(default_factory=dict)  # the downloads' sizes (a written build keeps no bytes)
    views: dict[int, dict[str, Any]] = field(default_factory=dict)  # each edition's views, made once
    unpublished: dict[int, set[str]] = field(default_factory=dict)  # a draft's uncorrected changes, by edition
    corrections: dict[int, list] = field(default_factory=dict)  # each edition's corrections.Shown, newest first
    pictures: dict[str, images.Picture] = field(default_factory=dict)  # the PNG files to draw, by path
    cards: dict[str, Card] = field(default_factory=dict)  # each page's share picture, by the page's path
    page_pictures: dict[str, str] = field(default_factory=dict)  # each page's share picture's path
    keeps_card: Callable[[str], bool] = field(default=lambda path: True)  # whether `cards` keeps a page's card
    headlines: dict[int, str] = field(default_factory=dict)  # every edition's article headline
    mine: Callable[[int], bool] = field(default=lambda year: True)  # the editions whose own pages this process renders
    # serve: what every kept page is made from (templates, site, editions; "" keeps none), the names
    # each template reads from its context, and whether the page at a path was kept under a key
    page_base: str = ""
    reads: Callable[[str], frozenset[str]] = field(default=lambda template: frozenset({"*"}))
    reuse: Callable[[str, str], bool] = field(default=lambda path, key: False)

    def editions(self) -> list[tuple[int, Dataset]]:
        """The editions to render the own pages of (all, unless a worker renders some)."""
        return [(year, dataset) for year, dataset in self.project.editions.items() if self.mine(year)]

    def chart_downloads(self, chart: charts.Chart, sources: list[Source], main: Optional[Source], here: str,
                        stem: str) -> tuple[str, str]:
        """Register a chart's PNG and SVG images at `stem`.png/.svg; their links from the page at `here`."""
        return chart_downloads(self.project.site, chart, sources, main, stem, self.files, self.pictures, here)

    @property
    def base_url(self) -> str:
        return self.project.site.base_url

    # The project's editions do not change while its pages are made: asked of every page, these
    # are worked out once (at 10x, a sort of 200 editions for every page: 54 instead of 25 µs a page)
    @functools.cached_property
    def newest(self) -> int:
        return max(self.project.editions)

    @functools.cached_property
    def years(self) -> tuple[int, ...]:
        """The editions, newest first."""
        return tuple(sorted(self.project.editions, reverse=True))

    def canonical(self, path: str) -> Optional[str]:
        return urls.canonical(self.base_url, path) if self.base_url else None

    def nav(self, year: Optional[int]) -> list[tuple[str, str]]:
        """The site's navigation: an edition's pages from inside it, the newest edition's elsewhere."""
        y = year if year is not None else self.newest
        return [(urls.article(y), "Bài viết"), (urls.rankings(y), "Xếp hạng"),
                (urls.members(y) if year is not None else urls.PROVINCES, "Các tỉnh"),
                (urls.YEARS, "Các năm"), (urls.data(y), "Dữ liệu")]

    def base(self, meta: PageMeta, year: Optional[int], page_sources: list[str],
             sources: Optional[dict[str, Source]] = None, main: str = "",
             corrected: Optional[list] = None, draft: bool = False) -> dict[str, Any]:
        here = meta.path
        newest = self.project.editions[self.newest].edition
        if meta.path == urls.NOT_FOUND and self.base_url:  # served at any depth: absolute links
            def url(target: str) -> str:
                return self.base_url + target
        else:
            def url(target: str, here: str = here) -> str:
                return urls.relative(here, target)
        return dict(site=self.project.site, page=meta, nav=self.nav(year), url=url, paths=urls, css=self.css, js=self.js,
                    favicon=self.favicon, sources=sources if sources is not None else newest.sources,
                    main_source=main or views.main_source(newest), page_sources=page_sources,
                    years=self.years, draft=draft,
                    corrected=corrected or [],
                    data_home=urls.data(year if year is not None else self.newest))

    def page_key(self, template: str, unkeyed: frozenset[str], parts: Callable[[], tuple]) -> str:
        """A page's key for serve to keep it by: `parts()` (what the page shows) and what every page
        is made from. "" (render it every time) when pages are not kept (then `parts` is not even
        called: a written build hashes nothing), or when its template reads a name of `unkeyed`,
        which `parts` do not cover."""
        if not self.page_base:
            return ""
        reads = self.reads(template)
        if "*" in reads or unkeyed & reads:
            return ""
        return caches.key(self.page_base, template, *map(repr, parts()))

    def touched(self, years, shows: Callable[[str], bool]) -> tuple[list, bool]:
        """For a page showing the editions `years`, with `shows(key)` saying whether it shows a
        figure or fact: the corrections to tell of at its top, and whether it is a draft."""
        corrected = [c for year in years for c in self.corrections.get(year, []) if shows(c.key)]
        draft = any(shows(key) for year in years for key in self.unpublished.get(year, ()))
        return corrected, draft

    def edition_base(self, dataset: Dataset, meta: PageMeta, page_sources: list[str],
                     shows: Callable[[str], bool] = lambda key: True) -> dict[str, Any]:
        edition = dataset.edition
        year = edition.year
        if year not in self.views:  # the same for every page of the edition: made once
            self.views[year] = edition_views(edition)
        corrected, draft = self.touched([year], shows)
        return dict(self.base(meta, year, page_sources, edition.sources, views.main_source(edition), corrected, draft),
                    **self.views[year])


CHART_ZOOM = 3  # a chart image's pixels per SVG unit: 1116 px wide, sharp when posted


def chart_downloads(site: Site, chart: charts.Chart, sources: list[Source], main: Optional[Source], stem: str,
                    files: dict[str, bytes], pictures: dict[str, images.Picture], here: str) -> tuple[str, str]:
    """A chart as images that stand alone (title, unit, notes, source line and credit drawn in):
    the SVG into `files`, the PNG to draw into `pictures`; returns the links to them from `here`."""
    svg, height = cards.chart_image(chart, cards.source_text(sources, main), cards.credit_text(sources, site))
    zoom = min(CHART_ZOOM, (images.MAX_PIXELS / (cards.CHART_WIDTH * height)) ** 0.5)
    files[f"{stem}.svg"] = svg.encode("utf-8")
    pictures[f"{stem}.png"] = images.Picture(svg, round(zoom, 2))
    return urls.relative(here, f"{stem}.png"), urls.relative(here, f"{stem}.svg")


def kicker(edition: Edition) -> str:
    return f"{edition.cluster.short_name} · năm {edition.year}"


def headline(edition: Edition) -> tuple[str, str]:
    """An edition's headline figure for its share pictures, and what it is: the leader's score,
    else the cluster's budget revenue or exports."""
    leader = views.at_rank(edition, 1)
    year, economy = edition.year, edition.cluster.economy
    if leader is not None and leader.score.known:
        return fmt.figure(leader.score), f"{leader.name} dẫn đầu bảng điểm thi đua năm {year}"
    if leader is not None:
        return leader.name, f"Dẫn đầu bảng điểm thi đua năm {year}"
    for fig, label in ((economy.budget_revenue, "thu ngân sách toàn cụm"), (economy.exports, "kim ngạch xuất khẩu")):
        if fig.known:
            return fmt.figure(fig), f"{label[0].upper()}{label[1:]} năm {year}"
    return "", ""


_CHARTS: dict[int, tuple[Edition, dict[str, charts.Chart]]] = {}


def edition_charts(edition: Edition) -> dict[str, charts.Chart]:
    """An edition's charts, made once for all the pages that show or picture them."""
    return views.kept(_CHARTS, edition, charts.site_charts)


def main_chart(edition: Edition, keys=("scores", "income", "poverty")) -> Optional[charts.Chart]:
    """The first of an edition's charts that has something to draw."""
    made = edition_charts(edition)
    return next((made[k] for k in keys if charts.drawable(made[k])), None)


def edition_card(edition: Edition, title: str, chart: bool = False) -> Card:
    figure, label = headline(edition)
    return Card(kicker(edition), title, figure=figure, label=label, chart=main_chart(edition) if chart else None)


# The cluster figures the tables and province pages show beside the provinces' own.
CLUSTER_IN_TABLES = ("member_count", "economy.income_per_capita", "poverty.others_reduction")


def _in_tables(key: str) -> bool:
    return key.startswith("provinces.") or key in CLUSTER_IN_TABLES or key.startswith(("new_countryside.", "awards."))


def links(year: int) -> Links:
    return Links(year, urls.article(year), urls.rankings(year), urls.members(year), urls.data(year))


def edition_views(edition: Edition) -> dict[str, Any]:
    """The views an edition's pages and tables share."""
    year = edition.year
    return dict(edition=edition, cluster=edition.cluster, links=links(year),
                member_path=lambda p: urls.member(year, p.name),
                table_sources=views.table_sources(edition), score_rows=views.score_rows(edition),
                income_rows=views.income_rows(edition), poverty_rows=views.poverty_rows(edition),
                poverty_others=views.poverty_others(edition), ranked=views.ranked(edition),
                unnamed_ranks=views.unnamed_ranks(edition), heads=sorted(edition.cluster.heads, key=lambda h: h.year),
                members=views.by_name(edition.members))


# --- page kinds ------------------------------------------------------------------

def _article_sources(dataset: Dataset) -> list[str]:
    """Every source of the edition, and those of the mergers where the article tells of them."""
    if "mergers" not in dataset.article.body:
        return views.used_sources(dataset.edition)
    return _data_sources(dataset.edition)


def _data_sources(edition: Edition) -> list[str]:
    """The downloads hold every figure and fact, and what each member has been part of since."""
    used = views.used_sources(edition)
    return used + [key for key in views.source_ids(edition, views.changes(edition)) if key not in used]


def article_pages(shared: Shared) -> Iterator[Page]:
    """Each edition's article at `<year>/`, and the newest one's again on the front page."""
    for year, dataset in shared.editions():
        rendered = shared.articles[year]
        for path, front in ((urls.article(year), False), (urls.FRONT, True)):
            if front and year != shared.newest:
                continue
            # A relative canonical is invalid for search engines: without base_url, none (the front
            # page then says its permanent address in a visible link)
            permanent = shared.canonical(urls.article(year))
            meta = PageMeta(path, rendered.headline, rendered.sapo, urls.article(year), permanent,
                            metadata.script(metadata.news_article(
                                shared.project.site, dataset.edition, rendered.headline, rendered.sapo,
                                rendered.byline, dataset.article.meta.published, dataset.article.meta.modified,
                                permanent, tuple(shared.corrections.get(year, [])),
                                shared.canonical(urls.CORRECTIONS))), "article", script=True, listed=not front)
            article = RenderedArticle(rendered.headline, rendered.sapo, rendered.byline,
                                      rendered.placed(shared.blocks(year, path)), rendered.unplaced, rendered.marker)
            yield Page(path, "article.html", ArticlePage(
                **shared.edition_base(dataset, meta, _article_sources(dataset)),
                article=article, meta=dataset.article.meta, front=front),
                edition_card(dataset.edition, rendered.headline))


RANKING_SECTIONS = (
    ("diem", "Điểm và thứ hạng", ("chart:scores", "table:scores")),
    ("thu-nhap", "Thu nhập bình quân đầu người", ("chart:income", "table:income")),
    ("giam-ngheo", "Giảm nghèo", ("chart:poverty", "table:poverty")),
    ("nong-thon-moi", "Nông thôn mới", ("table:new_countryside",)),
    ("khen-thuong", "Khen thưởng", ("table:awards",)),
    ("cum-truong", "Cụm trưởng", ("table:heads",)),
)


MISSING_WORDS = ("điểm và thứ hạng các tỉnh", "thu nhập bình quân đầu người từng tỉnh", "mức giảm nghèo từng tỉnh",
                 "các tỉnh đạt chuẩn nông thôn mới", "khen thưởng", "cụm trưởng")


def rankings_pages(shared: Shared) -> Iterator[Page]:
    for year, dataset in shared.editions():
        edition = dataset.edition
        path = urls.rankings(year)
        blocks = shared.blocks(year, path)
        sections = [(anchor, title, [k for k in keys if k in blocks]) for anchor, title, keys in RANKING_SECTIONS
                    if any(k in blocks for k in keys)]
        meta = PageMeta(path, f"Bảng xếp hạng năm {year}",
                        f"Điểm và thứ hạng các tỉnh được nêu, thu nhập bình quân đầu người, giảm nghèo, nông thôn mới, "
                        f"khen thưởng và cụm trưởng năm {year} của {edition.cluster.short_name}, kèm biểu đồ.",
                        path, shared.canonical(path), script=True)
        shown = views.table_sources(edition)
        used = {key for name, ids in shown.items() if f"table:{name}" in blocks for key in ids}
        codes = {key: embed_code(shared, year, key, path) for key in blocks if key in urls.EMBEDS}
        yield Page(path, "rankings.html", RankingsPage(
            **shared.edition_base(dataset, meta, [k for k in edition.sources if k in used], _in_tables),
            blocks=blocks, sections=sections, embed_codes=codes,
            missing=[what for (anchor, _, keys), what in zip(RANKING_SECTIONS, MISSING_WORDS)
                     if not any(k in blocks for k in keys)]),
            edition_card(edition, meta.title, chart=True))


EMBED_TITLES = {"table:scores": "Bảng điểm và thứ hạng thi đua", "chart:scores": "Biểu đồ điểm thi đua",
                "table:income": "Bảng thu nhập bình quân đầu người", "chart:income": "Biểu đồ thu nhập bình quân đầu người",
                "table:poverty": "Bảng giảm tỷ lệ hộ nghèo", "chart:poverty": "Biểu đồ giảm tỷ lệ hộ nghèo",
                "table:new_countryside": "Bảng tỉnh đạt chuẩn nông thôn mới", "table:awards": "Bảng khen thưởng",
                "table:heads": "Bảng cụm trưởng"}
EMBED_HEIGHT = 560  # px, where the embedding page runs no script: most tables and charts fit


def _frame_id(year: int, key: str) -> str:
    return f"cumthidua-{year}-{urls.EMBEDS[key]}"


def embed_code(shared: Shared, year: int, key: str, here: str) -> str:
    """The iframe to paste into another site, and the few lines that let it follow its content's height
    (Datawrapper's pattern: the embedded page posts its height; the host page sets it)."""
    target = urls.embed(year, key)
    src = shared.canonical(target) or urls.folder(urls.relative(here, target))
    frame = _frame_id(year, key)
    return (f'<iframe src="{src}" title="{EMBED_TITLES[key]} năm {year}" data-cumthidua="{frame}" '
            f'style="width:100%;border:0" height="{EMBED_HEIGHT}" loading="lazy"></iframe>\n'
            '<script>window.addEventListener("message",function(e){var d=e.data;'
            'if(!d||typeof d["cumthidua-height"]!=="number")return;'
            'document.querySelectorAll(\'iframe[data-cumthidua="\'+d.id+\'"]\').forEach('
            'function(f){f.height=d["cumthidua-height"];});});</script>')


def embed_pages(shared: Shared) -> Iterator[Page]:
    """Each table and chart alone, for another site's iframe."""
    for year, dataset in shared.editions():
        edition = dataset.edition
        tables = views.table_sources(edition)
        sample = urls.embed(year, "table:scores")
        blocks = shared.blocks(year, sample)  # every embed page is as deep as the others
        anchors = {key: anchor for anchor, _, keys in RANKING_SECTIONS for key in keys}
        for key in [k for k in urls.EMBEDS if k in blocks]:
            path = urls.embed(year, key)
            title = f"{EMBED_TITLES[key]} năm {year}"
            meta = PageMeta(path, title, f"{title} của {edition.cluster.short_name}, kèm nguồn, để nhúng vào trang khác.",
                            "", shared.canonical(path), listed=False)
            kind, name = key.split(":")
            ids = tables[name]
            yield Page(path, "embed.html", EmbedPage(
                shared.project.site, meta, lambda target, here=path: urls.relative(here, target), shared.css,
                shared.favicon, edition.sources, views.main_source(edition), ids, title, blocks[key],
                f"{urls.rankings(year)}#{anchors[key]}", _frame_id(year, key)),
                Card(kicker(edition), title, chart=main_chart(edition, (name,)))
                if name in ("scores", "income", "poverty") else edition_card(edition, title))


def members_pages(shared: Shared) -> Iterator[Page]:
    for year, dataset in shared.editions():
        edition = dataset.edition
        path = urls.members(year)
        count = len(edition.provinces)
        meta = PageMeta(path, f"{count} tỉnh trong cụm năm {year}",
                        f"Danh sách {count} tỉnh thành viên {edition.cluster.name} và số liệu năm {year} của từng tỉnh.",
                        path, shared.canonical(path), script=True)
        tables = views.table_sources(edition)
        shown = {key for t in ("scores", "income", "poverty") for key in tables[t]} | \
            set(views.source_ids(edition, views.changes(edition), edition.cluster.member_count,
                                 edition.cluster.excluded or ()))
        yield Page(path, "provinces.html", MembersPage(
            **shared.edition_base(dataset, meta, [k for k in edition.sources if k in shown], _in_tables)),
            Card(kicker(edition), meta.title, figure=f"{count} tỉnh",
                 label=f"Thành viên {edition.cluster.name}, năm {year}"))


def province_facts(edition: Edition, province: Province) -> dict[str, Any]:
    """What a province page says beyond its own figures."""
    cluster = edition.cluster
    poverty = edition.poverty_reduction(province)
    own_poverty = province.poverty_reduction.known
    unknowns = [label for label, fig in (("thứ hạng", province.rank), ("điểm thi đua", province.score),
                                         ("thu nhập bình quân đầu người", province.income_per_capita))
                if not fig.known]
    if not own_poverty:
        unknowns.append("mức giảm tỷ lệ hộ nghèo riêng")
    listed = (lambda lst: None if lst is None else province.name in lst.provinces)
    return {
        "income_word": fmt.comparison_word(views.income_comparison(edition, province)),
        "poverty": poverty, "own_poverty": own_poverty, "poverty_word": fmt.plan_word(views.versus_plan(poverty)),
        "new_countryside": listed(cluster.new_countryside),
        "exports_met_plan": listed(cluster.economy.exports_met_plan),
        "fastest_growth": (cluster.economy.fastest_growth is not None
                           and cluster.economy.fastest_growth.province == province.name),
        "awards": views.awards_of(edition, province), "has_awards": cluster.awards is not None,
        "heads": [h for h in cluster.heads if h.province == province.name],
        "hosted": views.hosted(edition, province),
        "change": edition.reference.change_of(province.name),
        "unknowns": unknowns,
    }


def _province_card(kicker_text: str, title: str, province: Province, year: int,
                   chart: Optional[charts.Chart] = None) -> Card:
    """A province's share picture: its chart across the years, else its headline figure in `year`."""
    name, rank = province.name, province.rank
    place = ("dẫn đầu" if rank.value == 1 else f"xếp thứ {fmt.ordinal(rank)}") if rank.known else ""
    figure, label = "", ""
    if province.score.known:
        figure, label = fmt.figure(province.score), (f"{name} {place} cụm thi đua năm {year}" if place
                                                     else f"Điểm thi đua của {name} năm {year}")
    elif rank.known:
        figure = "Dẫn đầu" if rank.value == 1 else f"Thứ {fmt.ordinal(rank)}"
        label = f"{name} trong cụm thi đua năm {year}"
    elif province.income_per_capita.known:
        figure, label = fmt.figure(province.income_per_capita), f"Thu nhập bình quân đầu người của {name} năm {year}"
    return Card(kicker_text, title, figure=figure, label=label, chart=chart)


# What an edition's views hold of all its provinces: a member page whose template reads any of
# them is rendered again whenever any province changes (its key covers its own province only).
EDITION_WIDE = frozenset({"edition", "table_sources", "score_rows", "income_rows", "poverty_rows", "poverty_others",
                          "ranked", "unnamed_ranks", "members"})


def member_pages(shared: Shared) -> Iterator[Page]:
    for year, dataset in shared.editions():
        edition, cluster = dataset.edition, dataset.edition.cluster
        members = views.by_name(edition.members)
        for index, province in enumerate(members):
            path = urls.member(year, province.name)
            prev = members[index - 1] if index else None
            after = members[index + 1] if index + 1 < len(members) else None
            shows = (lambda key, name=province.name: key.startswith(f"provinces.{name}.") or key in CLUSTER_IN_TABLES)

            def parts(province=province, prev=prev, after=after, shows=shows) -> tuple:
                whole, each = views.digests(edition)
                return (path, whole, each[province.name], prev and each[prev.name], after and each[after.name],
                        shared.touched([year], shows))
            key = shared.page_key("province.html", EDITION_WIDE, parts)
            if shared.reuse(path, key):
                yield Page(path, "province.html", None, key=key)
                continue
            known = "; ".join(
                [("dẫn đầu" if province.rank.value == 1 else f"xếp thứ {fmt.value(province.rank)}")] * province.rank.known
                + [f"đạt {fmt.figure(province.score)}"] * province.score.known
                + [f"thu nhập bình quân {fmt.figure(province.income_per_capita)}"] * province.income_per_capita.known)
            meta = PageMeta(path, f"{province.name}: kết quả thi đua năm {year}",
                            f"{province.name} trong {cluster.short_name} năm {year}: "
                            + (known + "." if known else "bài gốc không nêu thứ hạng và điểm thi đua.")
                            + " Số liệu các nguồn nêu về tỉnh và những số liệu còn thiếu.",
                            urls.members(year), shared.canonical(path))
            yield Page(path, "province.html", MemberPage(
                **shared.edition_base(dataset, meta, views.province_sources(edition, province), shows),
                p=province, facts=province_facts(edition, province), prev=prev, next=after,
                across=urls.province(province.name)),
                _province_card(kicker(edition), meta.title, province, year), key)


def data_pages(shared: Shared) -> Iterator[Page]:
    for year, dataset in shared.editions():
        edition = dataset.edition
        path = urls.data(year)
        files = urls.downloads(year)
        made = shared.made.get(year) or downloads.make(shared.project.site, edition,
                                                        fingerprint=shared.project.fingerprint(year))
        dictionary = made.dictionary
        description = (f"Tải toàn bộ số liệu năm {year} dạng CSV và JSON, kèm đơn vị, cách ghi, khoảng giá trị và "
                       f"nguồn của từng con số; từ điển các trường.")
        json_ld = metadata.dataset(shared.project.site, edition, description,
                                   [(files["figures_csv"], "text/csv"), (files["facts_csv"], "text/csv"),
                                    (files["json"], "application/json")],
                                   shared.base_url, [d.label for d in dictionary], path)
        meta = PageMeta(path, f"Dữ liệu năm {year}: tải về và giải thích", description, path,
                        shared.canonical(path), metadata.script(json_ld))
        yield Page(path, "data.html", DataPage(
            **shared.edition_base(dataset, meta, _data_sources(edition)),
            downloads=[(files["figures_csv"], "CSV", "các con số, cho bảng tính (Excel, LibreOffice)",
                        shared.sizes[files["figures_csv"]]),
                       (files["facts_csv"], "CSV", "các sự kiện và danh sách, cho bảng tính",
                        shared.sizes[files["facts_csv"]]),
                       (files["json"], "JSON", "tất cả: con số, sự kiện, nguồn; cho lập trình viên",
                        shared.sizes[files["json"]])],
            columns=downloads.COLUMNS, fact_columns=downloads.FACT_COLUMNS, fields=dictionary,
            qualifiers=downloads.QUALIFIERS, row_count=made.row_count,
            known_count=made.known_count, resolutions=views.resolutions(edition)),
            Card(kicker(edition), meta.title,
                 figure=f"{fmt.number(made.known_count)} con số",
                 label=f"Các nguồn nêu cho năm {year}, tải về dạng CSV và JSON kèm nguồn từng con số"))


def _all_sources(shared: Shared) -> dict[str, Source]:
    """Every edition's sources by id (an id means one source across the editions: checked)."""
    found: dict[str, Source] = {}
    for dataset in shared.project.editions.values():
        found.update(dataset.edition.sources)
    return found


def _editions(shared: Shared) -> dict[int, Edition]:
    return {year: dataset.edition for year, dataset in shared.project.editions.items()}


# Lists that grow with the editions show the newest this many years in full (the rest as links):
# a page must stay within its 14 KB budget however many years the site holds.
RECENT_YEARS = 12


def _spans(years: list[int]) -> list[tuple[int, int]]:
    """Years as runs of consecutive years: [2019, 2020, 2021, 2023] -> [(2019, 2021), (2023, 2023)]."""
    runs: list[tuple[int, int]] = []
    for year in years:
        if runs and year == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


SUMMARY_FIGURES = ("budget_revenue", "exports", "social_investment", "grdp_growth", "income_per_capita")


def _rank_one(edition: Edition) -> list[tuple[str, str]]:
    """The provinces ranked first, by name and digest: what the years page shows of the provinces."""
    digests = views.digests(edition)[1]
    return [(p.name, digests[p.name]) for p in edition.members if p.rank.known and p.rank.value == 1]


def years_page(shared: Shared) -> Iterator[Page]:
    editions = _editions(shared)
    path = urls.YEARS
    # serve keeps it while no edition's cluster, first-ranked province, headline or correction changes
    kept = shared.page_key("years.html", frozenset(), lambda: (
        path,
        [(year, views.digests(e)[0], shared.headlines[year], _rank_one(e)) for year, e in sorted(editions.items())],
        [(year, shared.corrections.get(year), sorted(shared.unpublished.get(year, ()))) for year in sorted(editions)]))
    if shared.reuse(path, kept):
        yield Page(path, "years.html", None, key=kept)
        return
    summaries, used = [], []
    for year in sorted(editions, reverse=True):
        edition = editions[year]
        economy = edition.cluster.economy
        figures = [(type(economy).model_fields[name].title, getattr(economy, name)) for name in SUMMARY_FIGURES
                   if getattr(economy, name).known]
        ranked = views.ranked(edition)
        summaries.append(EditionSummary(year, links(year), shared.headlines[year], figures,
                                        ranked[0] if ranked and ranked[0].rank.value == 1 else None))
        if len(summaries) <= RECENT_YEARS:  # the older ones are only linked: their pages credit their sources
            used += views.source_ids(edition, [fig for _, fig in figures], ranked[:1])
    quantities, drawn = [], []
    sources = _all_sources(shared)
    for quantity in series.QUANTITIES:
        points = series.series(editions, quantity)
        if len(points) < 2:
            continue
        cut = len(points) > RECENT_YEARS  # a page that grows with the editions would pass its budget
        points = points[-RECENT_YEARS:]
        chart = charts.series_chart(quantity, points)
        ids = list(dict.fromkeys(s for p in points for s in p.figure.sources if s in sources))
        hrefs = shared.chart_downloads(chart, [sources[i] for i in ids], None, path,
                                       urls.chart_image(path, f"bieu-do-{fmt.slug(quantity.label)}"))
        quantities.append((quantity, points, charts.figure_html(chart, _series_credit(shared, points), hrefs), cut))
        drawn.append(chart)
        used += [s for p in points for s in p.figure.sources]
    first, last = min(editions), max(editions)
    said = fmt.names(str(y) for y in sorted(editions)) if len(editions) <= RECENT_YEARS else f"từ {first} đến {last}"
    meta = PageMeta(path, "Các năm",
                    f"Kết quả {len(editions)} năm tổng kết ({said}) của cụm "
                    f"thi đua, và các số liệu chung theo từng năm từ {first} đến {last}.", path, shared.canonical(path))
    shown_keys = {f"economy.{name}" for name in SUMMARY_FIGURES} | {"economy.exports_previous_year"}
    shown_keys |= {f"provinces.{e.leader.name}.{f}" for e in summaries if e.leader for f in ("rank", "score")}
    corrected, draft = shared.touched(sorted(editions, reverse=True), shown_keys.__contains__)
    yield Page(path, "years.html", YearsPage(
        **shared.base(meta, None, [k for k in sources if k in set(used)], sources, corrected=corrected, draft=draft),
        editions=summaries, quantities=quantities),
        Card(shared.project.site.title, meta.title, figure=f"{len(editions)} năm",
             label=f"Kết quả thi đua các năm {said}",
             chart=drawn[0] if drawn else None), kept)


def _series_credit(shared: Shared, points: list[series.Point]) -> Markup:
    sources = _all_sources(shared)
    ids = list(dict.fromkeys(s for p in points for s in p.figure.sources))
    parts = [Markup("%s (năm %s)") % (sources[i].publisher, ", ".join(str(p.year) for p in points
                                                                        if i in p.figure.sources))
             for i in ids if i in sources]
    return Markup('<p class="source-line">Nguồn: %s.</p>') % Markup(", ").join(parts) if parts else Markup("")


def provinces_page(shared: Shared) -> Iterator[Page]:
    editions = _editions(shared)
    path = urls.PROVINCES
    # serve keeps it while no edition's members or cluster (sources, mergers) change
    kept = shared.page_key("provinces_all.html", frozenset(), lambda: (
        path, [(year, views.digests(e)[0], list(e.provinces)) for year, e in sorted(editions.items())]))
    if shared.reuse(path, kept):
        yield Page(path, "provinces_all.html", None, key=kept)
        return
    rows = []
    for name in series.province_names(editions):
        years = [(m.year, urls.member(m.year, name)) for m in series.history(editions, name)]
        rows.append(ProvinceRow(name, urls.province(name), years, series.change_of(editions, name),
                                _spans([year for year, _ in years])))
    meta = PageMeta(path, "Các tỉnh qua các năm",
                    f"{len(rows)} tỉnh từng là thành viên {shared.project.site.title} trong các năm có trên trang, "
                    f"và nơi mỗi tỉnh thuộc về sau khi sắp xếp đơn vị hành chính.", urls.PROVINCES,
                    shared.canonical(path), script=True)
    sources = _all_sources(shared)
    changes = [r.change for r in rows if r.change is not None]
    recent = sorted(editions)[-RECENT_YEARS:]  # older years' sources are credited on their own pages
    used = {key for year in recent  # who says which provinces are members, and the mergers
            for key in views.source_ids(editions[year], editions[year].cluster.member_count, changes)}
    yield Page(path, "provinces_all.html", ProvincesPage(
        **shared.base(meta, None, [k for k in sources if k in used], sources), rows=rows),
        Card(shared.project.site.title, meta.title, figure=f"{len(rows)} tỉnh",
             label="Từng là thành viên cụm thi đua trong các năm có trên trang"), kept)


HISTORY_CHARTS = (("score", "Điểm thi đua"), ("income_per_capita", "Thu nhập bình quân đầu người"),
                  ("poverty_reduction", "Giảm tỷ lệ hộ nghèo so với kế hoạch"))


def province_pages(shared: Shared) -> Iterator[Page]:
    editions = _editions(shared)
    names = series.province_names(editions)
    sources = _all_sources(shared)
    # what a province's page shows beyond its own figures: every edition's sources, the mergers,
    # the other provinces' names (its page links the ones it merged with)
    beyond = functools.lru_cache(maxsize=1)(
        lambda: repr((names, [(year, views.digests(e)[0]) for year, e in sorted(editions.items())])))
    for name in names:
        path = urls.province(name)
        memberships = series.history(editions, name)
        columns = {f"provinces.{name}.{f}" for f in ("rank", "score", "income_per_capita", "poverty_reduction")}
        touched = shared.touched([m.year for m in memberships], (columns | {"poverty.others_reduction"}).__contains__)
        kept = shared.page_key("province_history.html", frozenset(), lambda: (
            path, beyond(), [(m.year, views.digests(m.edition)[1][name]) for m in memberships], touched))
        if shared.reuse(path, kept):
            yield Page(path, "province_history.html", None, key=kept)
            continue
        change = series.change_of(editions, name)
        rows = [HistoryRow(m.year, m.province, m.edition.poverty_reduction(m.province), urls.member(m.year, name),
                           links(m.year)) for m in memberships]
        drawn, made = [], []
        for key, label in HISTORY_CHARTS:  # a small chart for each figure known in two years or more
            points = [(m.year, getattr(m.province, key)) for m in memberships[-RECENT_YEARS:]
                      if getattr(m.province, key).known]
            if len(points) >= 2:
                one = charts.province_chart(name, key, label, points)
                ids = list(dict.fromkeys(s for _, fig in points for s in fig.sources if s in sources))
                hrefs = shared.chart_downloads(one, [sources[i] for i in ids], None, path,
                                               urls.chart_image(path, f"{one.id}-{fmt.slug(name)}"))
                drawn.append(charts.figure_html(one, downloads=hrefs))
                made.append(one)
        chart = Markup("\n").join(drawn)
        used: list[str] = []
        for m in memberships[-RECENT_YEARS:]:  # what the page shows; older years are only linked
            used += views.province_sources(m.edition, m.province)
        years = (", ".join(str(m.year) for m in memberships) if len(memberships) <= RECENT_YEARS
                 else f"từ {memberships[0].year} đến {memberships[-1].year}")
        meta = PageMeta(path, f"{name} qua các năm",
                        f"{name} trong cụm thi đua các năm {years}: thứ hạng, điểm, thu nhập và giảm nghèo "
                        f"các nguồn nêu, từng năm." + (f" Từ {fmt.date(change.since)} là một phần của {change.into}."
                                                      if change else ""),
                        urls.PROVINCES, shared.canonical(path))
        into = change.into if change is not None and change.into in names and change.into != name else None
        corrected, draft = touched
        yield Page(path, "province_history.html", ProvincePage(
            **shared.base(meta, None, [k for k in sources if k in set(used)], sources, corrected=corrected, draft=draft),
            name=name, memberships=rows, chart=chart, change=change,
            into_path=urls.province(into) if into else None,
            parts_paths=[(part, urls.province(part) if part in names and part != name else None)
                         for part in (change.parts if change else [])]),
            _province_card(shared.project.site.title, meta.title, memberships[-1].province, memberships[-1].year,
                           made[0] if made else None), kept)


def redirect_pages(shared: Shared) -> Iterator[Page]:
    """Addresses the site published before it had editions, sent on to where the content lives now."""
    year = shared.project.site.legacy_year
    if year is None or year not in shared.project.editions:
        return
    for old, new in urls.legacy_pages(year).items():
        target = shared.canonical(new) or urls.relative(old, new)
        meta = PageMeta(old, "Trang đã chuyển địa chỉ", f"Trang này nay ở địa chỉ mới: {target}", "", target,
                        noindex=True, listed=False)
        yield Page(old, "redirect.html", RedirectPage(shared.project.site, meta, target, shared.css, shared.favicon),
                   shared.cards.get(new))


def corrections_page(shared: Shared) -> Iterator[Page]:
    """The corrections policy, and every correction of every edition."""
    path = urls.CORRECTIONS
    log = [(year, shared.corrections.get(year, [])) for year in sorted(shared.project.editions, reverse=True)]
    count = sum(len(entries) for _, entries in log)
    meta = PageMeta(path, "Đính chính", f"Cách chúng tôi sửa và công bố sai sót trên trang, và {count} đính chính "
                    f"đã thực hiện, từng năm số liệu.", "", shared.canonical(path))
    sources = _all_sources(shared)
    used = {s for _, entries in log for c in entries for s in c.sources}
    yield Page(path, "corrections.html", CorrectionsPage(
        **shared.base(meta, None, [k for k in sources if k in used], sources), log=log),
        Card(shared.project.site.title, meta.title, figure=f"{count} đính chính" if count else "Chưa có đính chính",
             label="Cách chúng tôi sửa và công bố sai sót trên trang"))


def not_found_page(shared: Shared) -> Iterator[Page]:
    meta = PageMeta(urls.NOT_FOUND, "Không tìm thấy trang", shared.project.site.description, "", None,
                    noindex=True, listed=False)
    yield Page(urls.NOT_FOUND, "404.html", NotFoundPage(**shared.base(meta, None, [])),
               Card(shared.project.site.publisher.name, shared.project.site.title))


def every(year: int) -> bool:
    return True


# The kinds that show an article: rendered last, once the articles' children are done.
SHOW_ARTICLES = (article_pages, years_page)

KINDS: tuple[Callable[[Shared], Iterator[Page]], ...] = (
    article_pages, rankings_pages, members_pages, member_pages, data_pages,
    years_page, provinces_page, province_pages, corrections_page, embed_pages, redirect_pages, not_found_page,
)

# The kinds that make pages of each edition (the others make the site's own pages, once).
EDITION_KINDS = (article_pages, rankings_pages, members_pages, member_pages, data_pages, embed_pages)
