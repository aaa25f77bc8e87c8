"""Jinja environment and page contexts: a dataset becomes {path: bytes}, in memory.

Templates live in `templates/` (a base layout, pages, partials named `_x.html`,
style.css and sort.js, both inlined so a page arrives in one round trip).

Every page's context has `site`, `cluster`, `edition`, `source`, `page` (path,
title, description, nav, canonical, json_ld), `url(path)` (a link relative to the
current page, so `build/` works under any sub-path and opened from disk), `nav`,
`css`, `js`, and the table views (`score_rows`, `income_rows`, ...). Pages add:
  index.html                 article, meta, blocks (rendered tables and charts)
  bang-xep-hang/index.html   blocks
  tinh/index.html            members (alphabetical) with their links
  tinh/<slug>/index.html     p (the province) and its facts
  du-lieu/index.html         downloads, columns, fields, qualifiers
  404.html                   nothing more
"""

from __future__ import annotations

import traceback
from urllib.parse import quote
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from markupsafe import Markup

from . import charts, downloads, metadata, views
from . import formatting as fmt
from .article import CHARTS, TABLES, render_article
from .filters import FILTERS, versus
from .dataset import Dataset
from .errors import Location, Problem, error, note
from .model import Edition, Province

# What a templates folder must hold; partials are found by the pages that include them.
TEMPLATE_FILES = ("base.html", "article.html", "rankings.html", "provinces.html", "province.html", "data.html",
                  "404.html", "style.css", "sort.js", "favicon.svg")
NAV = [("index.html", "Bài viết"), ("bang-xep-hang/index.html", "Xếp hạng"),
       ("tinh/index.html", "Các tỉnh"), ("du-lieu/index.html", "Dữ liệu")]


def environment(templates: Path) -> Environment:
    """Autoescaping, strict Jinja environment with the Vietnamese filters, for our own templates."""
    env = Environment(loader=FileSystemLoader(str(templates)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    env.globals.update(compare=versus)
    return env


# --- pages ----------------------------------------------------------------------

@dataclass
class Page:
    path: str
    template: str
    title: str
    description: str
    nav: str = ""
    json_ld: Optional[dict] = None
    context: dict[str, Any] = field(default_factory=dict)


def province_path(province: Province) -> str:
    return f"tinh/{fmt.slug(province.name)}/index.html"


def _asset(templates: Path, name: str) -> Markup:
    """A CSS or JS file to inline: comment-only and blank lines dropped, trusted as ours."""
    text = (templates / name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return Markup("\n".join(line for line in lines if line and not line.startswith(("/*", "//"))))


def _favicon(templates: Path) -> str:
    """The icon as a data: URI, so the browser asks for no /favicon.ico."""
    svg = (templates / "favicon.svg").read_text(encoding="utf-8").strip()
    return "data:image/svg+xml," + quote(svg, safe="/:=")


def _relative(from_path: str, to_path: str) -> str:
    return "../" * from_path.count("/") + to_path


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
    return {
        "income_word": fmt.comparison_word(views.income_comparison(edition, province)),
        "poverty": poverty, "own_poverty": own_poverty, "poverty_word": fmt.plan_word(views.versus_plan(poverty)),
        "new_countryside": province.name in cluster.new_countryside.provinces,
        "awards": views.awards_of(edition, province),
        "heads": [h for h in cluster.heads if h.province == province.name],
        "hosted": cluster.conference.place == province.name,
        "change": edition.reference.change_of(province.name),
        "unknowns": unknowns,
    }


def pages(dataset: Dataset, article_title: str, article_description: str) -> list[Page]:
    edition = dataset.edition
    cluster = edition.cluster
    year = cluster.year
    members = views.by_name(edition.members)
    out = [
        Page("index.html", "article.html", article_title, article_description, "index.html"),
        Page("bang-xep-hang/index.html", "rankings.html", f"Bảng xếp hạng năm {year}",
             f"Điểm và thứ hạng các tỉnh được nêu, thu nhập bình quân đầu người, giảm nghèo, nông thôn mới, "
             f"khen thưởng và cụm trưởng năm {year} của {cluster.short_name}, kèm biểu đồ.",
             "bang-xep-hang/index.html"),
        Page("tinh/index.html", "provinces.html", f"{len(members)} tỉnh trong cụm",
             f"Danh sách {len(members)} tỉnh thành viên {cluster.name} và số liệu năm {year} của từng tỉnh.",
             "tinh/index.html"),
    ]
    for index, province in enumerate(members):
        known = "; ".join(
            [("dẫn đầu" if province.rank.value == 1 else f"xếp thứ {fmt.value(province.rank)}")] * province.rank.known
            + [f"đạt {fmt.figure(province.score)}"] * province.score.known
            + [f"thu nhập bình quân {fmt.figure(province.income_per_capita)}"] * province.income_per_capita.known)
        out.append(Page(
            province_path(province), "province.html", f"{province.name}: kết quả thi đua năm {year}",
            f"{province.name} trong {cluster.short_name} năm {year}: "
            + (known + "." if known else "bài gốc không nêu thứ hạng và điểm thi đua.")
            + " Số liệu các nguồn nêu về tỉnh và những số liệu còn thiếu.",
            "tinh/index.html",
            context={"p": province, "facts": province_facts(edition, province),
                     "prev": members[index - 1] if index else None,
                     "next": members[index + 1] if index + 1 < len(members) else None}))
    out.append(Page("du-lieu/index.html", "data.html", f"Dữ liệu năm {year}: tải về và giải thích",
                    f"Tải toàn bộ số liệu năm {year} dạng CSV và JSON, kèm đơn vị, cách ghi, khoảng giá trị và "
                    f"nguồn của từng con số; từ điển các trường.", "du-lieu/index.html"))
    out.append(Page("404.html", "404.html", "Không tìm thấy trang", edition.site.description, ""))
    return out


def _page_sources(edition: Edition, page: Page) -> list[str]:
    """The sources of the figures and facts a page shows, for its footer."""
    if page.path == "404.html":
        return []
    if "p" in page.context:
        return views.province_sources(edition, page.context["p"])
    changes = views.source_ids(edition, views.changes(edition))
    if page.path == "tinh/index.html":
        tables = views.table_sources(edition)
        shown = {key for t in ("scores", "income", "poverty") for key in tables[t]} | set(changes)
        return [key for key in edition.sources if key in shown]
    used = views.used_sources(edition)
    if page.path in ("index.html", "du-lieu/index.html"):  # the article and the downloads tell of the mergers
        used += [key for key in changes if key not in used]
    return used


def _template_problem(exc: Exception, templates: Path) -> Problem:
    """A mistake in our own templates, located in the template file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(templates))]
    line = getattr(exc, "lineno", None) or (frames[-1].lineno if frames else 0)
    name = getattr(exc, "filename", None) or (frames[-1].filename if frames else str(templates))
    return error(Location(Path(name), line or 0, 1 if line else 0),
                 "mẫu trang có lỗi, không dựng được trang", "báo cho nhóm phát triển; đây không phải lỗi số liệu")


def render_site(dataset: Dataset, templates: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """Every file of the site, in memory, or the problems that stop it."""
    if not templates.is_dir():
        return {}, [error(Location(templates), "không tìm thấy thư mục mẫu trang (templates)",
                          "chạy lệnh trong thư mục dự án, hoặc chỉ đường dẫn bằng --templates")]
    missing = [name for name in TEMPLATE_FILES if not (templates / name).is_file()]
    if missing:
        return {}, [error(Location(templates), f"thư mục mẫu trang thiếu tệp {', '.join(missing)}",
                          "dùng thư mục templates của dự án, hoặc chỉ đúng thư mục bằng --templates")]
    try:
        return _render(dataset, templates)
    except TemplateError as exc:
        return {}, [_template_problem(exc, templates)]


def _render(dataset: Dataset, templates: Path) -> tuple[dict[str, bytes], list[Problem]]:
    edition = dataset.edition
    site, cluster = edition.site, edition.cluster
    env = environment(templates)
    base_url = site.base_url
    views_context = {
        "site": site, "cluster": cluster, "edition": edition, "sources": edition.sources,
        "source": next(iter(cluster.sources.values())), "main_source": views.main_source(edition),
        "table_sources": views.table_sources(edition),
        "score_rows": views.score_rows(edition), "income_rows": views.income_rows(edition),
        "poverty_rows": views.poverty_rows(edition), "poverty_others": views.poverty_others(edition),
        "ranked": views.ranked(edition), "unnamed_ranks": views.unnamed_ranks(edition),
        "heads": sorted(cluster.heads, key=lambda h: h.year), "members": views.by_name(edition.members),
        "province_path": province_path, "css": _asset(templates, "style.css"), "js": _asset(templates, "sort.js"),
        "favicon": _favicon(templates),
    }
    csv_path, json_path = f"du-lieu/so-lieu-{cluster.year}.csv", f"du-lieu/so-lieu-{cluster.year}.json"
    facts_path = f"du-lieu/su-kien-{cluster.year}.csv"
    rows, facts = downloads.figure_rows(edition), downloads.fact_rows(edition)
    dictionary = downloads.field_dictionary(rows, facts)
    files: dict[str, bytes] = {csv_path: downloads.to_csv(rows), json_path: downloads.to_json(edition, rows, facts),
                               facts_path: downloads.to_csv(facts, downloads.FACT_COLUMNS)}
    source_line = env.get_template("_source_line.html")
    chart_html = charts.site_charts(edition, {
        name: Markup(source_line.render({**views_context, "ids": ids}))
        for name, ids in views_context["table_sources"].items()})

    def blocks_for(path: str) -> dict[str, Markup]:
        context = {**views_context, "url": lambda target: _relative(path, target)}
        blocks = {f"table:{name}": Markup(env.get_template(f"_table_{name}.html").render(context))
                  for name in TABLES}
        blocks.update({f"chart:{name}": chart_html[name] for name in CHARTS})
        return blocks

    article, problems = render_article(dataset, blocks_for("index.html"))
    if article is None:
        return {}, problems
    meta = dataset.article.meta
    title, description = article.headline, article.sapo
    problems = []
    if not base_url:
        problems.append(note(edition.site.where("base_url") or Location(dataset.data_dir / "site.yaml"),
                             "chưa có base_url nên không tạo sitemap.xml, robots.txt và liên kết chuẩn (canonical)",
                             "điền địa chỉ đăng trang vào base_url trong site.yaml khi đã có"))
    all_pages = pages(dataset, title, description)
    for page in all_pages:
        page_url = metadata.canonical(base_url, page.path) if page.path != "404.html" else None
        if page.path == "index.html":
            page.json_ld = metadata.news_article(edition, title, description, article.byline,
                                                 meta.published, meta.modified, page_url)
        elif page.path == "du-lieu/index.html":
            page.json_ld = metadata.dataset(edition, page.description,
                                            [(csv_path, "text/csv"), (facts_path, "text/csv"), (json_path, "application/json")],
                                            base_url, [d.label for d in dictionary])
        # 404.html is served at any depth: absolute links when the site knows its address
        url = (lambda target: base_url + target) if (page.path == "404.html" and base_url) else \
            (lambda target, here=page.path: _relative(here, target))
        context = {
            **views_context, **page.context, "url": url,
            "page": {"path": page.path, "title": page.title, "description": page.description,
                     "nav": page.nav, "canonical": page_url,
                     "json_ld": metadata.script(page.json_ld) if page.json_ld else ""},
            "nav": NAV,
        }
        context["page_sources"] = _page_sources(edition, page)
        if page.path == "index.html":
            context.update(article=article, meta=meta)
        if page.path == "bang-xep-hang/index.html":
            context.update(blocks=blocks_for(page.path))
        if page.path == "du-lieu/index.html":
            context.update(downloads=[(csv_path, "CSV", "các con số, cho bảng tính (Excel, LibreOffice)",
                                       len(files[csv_path])),
                                      (facts_path, "CSV", "các sự kiện và danh sách, cho bảng tính",
                                       len(files[facts_path])),
                                      (json_path, "JSON", "tất cả: con số, sự kiện, nguồn; cho lập trình viên",
                                       len(files[json_path]))],
                           columns=downloads.COLUMNS, fact_columns=downloads.FACT_COLUMNS, fields=dictionary,
                           qualifiers=downloads.QUALIFIERS, row_count=len(rows),
                           resolutions=views.resolutions(edition),
                           known_count=sum(row["value"] is not None for row in rows))
        files[page.path] = env.get_template(page.template).render(context).encode("utf-8")
    if base_url:
        html_pages = [p.path for p in all_pages if p.path != "404.html"]
        files["sitemap.xml"] = metadata.sitemap(base_url, html_pages)
        files["robots.txt"] = metadata.robots(base_url)
    return files, problems
