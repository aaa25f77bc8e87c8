"""The typed contexts of the pages: one dataclass per page kind, whose fields are exactly the
names its template may use (each template documents them on its first line, `{# context: … #}`;
tests/test_pages.py holds the two together)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable, Optional

from markupsafe import Markup

from . import series
from .article import RenderedArticle
from .model import Article, Cluster, Edition, Head, Province, Site, Source


@dataclass(frozen=True)
class ShareImage:
    """A page's share picture (og:image): its address (absolute when the site knows its own) and
    the picture in words."""

    href: str
    alt: str
    width: int = 1200
    height: int = 630


@dataclass(frozen=True)
class PageMeta:
    path: str
    title: str
    description: str
    nav: str  # the navigation entry this page belongs to
    canonical: Optional[str]  # absolute when the site knows its address
    json_ld: Markup = Markup("")
    og_type: str = "website"
    script: bool = False  # sortable tables need the small script
    noindex: bool = False
    listed: bool = True  # in sitemap.xml: a canonical address of its own
    image: Optional[ShareImage] = None  # set by the renderer from the page's card


@dataclass
class Base:
    """What base.html uses: every page has it."""

    site: Site
    page: PageMeta
    nav: list[tuple[str, str]]
    url: Callable[[str], str]
    paths: Any  # the urls module: every address a template links to comes from there
    css: Markup
    js: Markup
    favicon: str
    sources: dict[str, Source]
    main_source: str
    page_sources: list[str]
    years: tuple[int, ...]  # the published editions, newest first
    data_home: str  # the downloads the footer links to
    draft: bool  # a preview with changes not yet corrected: a visible band, and noindex
    corrected: list  # the corrections of what this page shows (corrections.Shown): a notice at its top


@dataclass(frozen=True)
class Links:
    """An edition's own pages."""

    year: int
    article: str
    rankings: str
    members: str
    data: str


@dataclass
class EditionBase(Base):
    """What every page of one edition uses, tables included."""

    edition: Edition
    cluster: Cluster
    links: Links
    member_path: Callable[[Province], str]
    table_sources: dict[str, list[str]]
    score_rows: list
    income_rows: list
    poverty_rows: list
    poverty_others: list[Province]
    ranked: list[Province]
    unnamed_ranks: list[int]
    heads: list[Head]
    members: list[Province]


@dataclass
class ArticlePage(EditionBase):
    article: RenderedArticle
    meta: Article
    front: bool  # the front page: the newest edition's article at the site's root


@dataclass
class RankingsPage(EditionBase):
    blocks: dict[str, Markup]
    sections: list[tuple[str, str, list[str]]]  # (anchor, heading, block keys) of what the edition gives
    embed_codes: dict[str, str]  # each block's iframe code, to copy
    missing: list[str]  # what the edition's sources do not give, said in words


@dataclass
class MembersPage(EditionBase):
    pass


@dataclass
class MemberPage(EditionBase):
    p: Province
    facts: dict[str, Any]
    prev: Optional[Province]
    next: Optional[Province]
    across: str  # the province's page across the editions


@dataclass
class DataPage(EditionBase):
    downloads: list[tuple[str, str, str, int]]
    columns: list
    fact_columns: list
    fields: list
    qualifiers: list
    row_count: int
    known_count: int
    resolutions: list


@dataclass(frozen=True)
class EditionSummary:
    year: int
    links: Links
    title: str
    figures: list[tuple[str, Any]]  # (label, figure) the edition gives
    leader: Optional[Province]


@dataclass
class YearsPage(Base):
    editions: list[EditionSummary]
    quantities: list[tuple[series.Quantity, list[series.Point], Markup, bool]]  # bool: only the newest years


@dataclass(frozen=True)
class ProvinceRow:
    name: str
    path: str
    years: list[tuple[int, str]]  # (year, the edition's page of the province)
    change: Any
    spans: list[tuple[int, int]] = field(default_factory=list)  # the years as runs of consecutive years


@dataclass
class ProvincesPage(Base):
    rows: list[ProvinceRow]


@dataclass(frozen=True)
class HistoryRow:
    """A province in one edition, as its page across the years shows it. Not the edition itself:
    the page then reads nothing of the other provinces, and serve may keep it while they change."""

    year: int
    province: Province
    poverty: Any  # its own poverty reduction, else the floor the cluster states for the unnamed rest
    path: str  # its page in that edition
    links: Links  # that edition's pages


@dataclass
class ProvincePage(Base):
    name: str
    memberships: list[HistoryRow]  # oldest first
    chart: Markup
    change: Any
    into_path: Optional[str]  # the page of what it became, when that is a province of the site too
    parts_paths: list[tuple[str, Optional[str]]]  # what it was formed from, linked where the site has them


@dataclass
class RedirectPage:
    site: Site
    page: PageMeta
    target: str
    css: Markup
    favicon: str


@dataclass
class NotFoundPage(Base):
    pass


@dataclass
class EmbedPage:
    """A table or chart alone, to show in another site's iframe."""

    site: Site
    page: PageMeta
    url: Callable[[str], str]
    css: Markup
    favicon: str
    sources: dict[str, Source]
    main_source: str
    page_sources: list[str]
    title: str
    block: Markup
    back: str  # the full page, with the block's anchor
    frame: str  # the id the height messages carry


@dataclass
class CorrectionsPage(Base):
    log: list[tuple[int, list]]  # (year, its corrections.Shown), newest year first


@dataclass
class Page:
    """One page to render: where, with which template, and what the template sees."""

    path: str
    template: str
    context: Any
    card: Any = None  # cards.Card: what the page's share picture shows
    key: str = ""  # serve: what the page is made from, to keep it by ("" for none); no context: kept

    def variables(self) -> dict[str, Any]:
        return {f.name: getattr(self.context, f.name) for f in fields(self.context)}


# Each page kind's template and context class, for the test that holds them together.
TEMPLATES = {"article.html": ArticlePage, "rankings.html": RankingsPage, "provinces.html": MembersPage,
             "province.html": MemberPage, "data.html": DataPage, "years.html": YearsPage,
             "provinces_all.html": ProvincesPage, "province_history.html": ProvincePage,
             "redirect.html": RedirectPage, "404.html": NotFoundPage, "corrections.html": CorrectionsPage,
             "embed.html": EmbedPage}
