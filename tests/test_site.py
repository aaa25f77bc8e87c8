"""The whole site: every page, link, download, chart and piece of metadata, read back."""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urldefrag

import html5lib
import pytest

from cumthidua_site.cli import main
from cumthidua_site.dataset import load_dataset
from conftest import DATA, edit, soup, text_of

SLUGS = {
    "Long An": "long-an", "Bến Tre": "ben-tre", "Đồng Tháp": "dong-thap", "Tiền Giang": "tien-giang",
    "Vĩnh Long": "vinh-long", "An Giang": "an-giang", "Kiên Giang": "kien-giang", "Hậu Giang": "hau-giang",
    "Sóc Trăng": "soc-trang", "Bạc Liêu": "bac-lieu", "Cà Mau": "ca-mau", "Trà Vinh": "tra-vinh",
}
# An edition's pages link its own pages; the site-wide ones link the newest edition's.
NAV = ["2023/index.html", "2023/bang-xep-hang/index.html", "2023/tinh/index.html", "cac-nam/index.html",
       "2023/du-lieu/index.html"]
SITE_NAV = NAV[:2] + ["tinh/index.html"] + NAV[3:]
REDIRECTS = {"bang-xep-hang/index.html": "2023/bang-xep-hang/index.html", "du-lieu/index.html": "2023/du-lieu/index.html"}


EMBEDS = ("bang-diem", "bieu-do-diem", "bang-thu-nhap", "bieu-do-thu-nhap", "bang-giam-ngheo", "bieu-do-giam-ngheo",
          "bang-nong-thon-moi", "bang-khen-thuong", "bang-cum-truong")


def html_pages(site: Path) -> list[Path]:
    """Every page with content (the redirect pages of old addresses have their own test)."""
    return sorted(p for p in site.rglob("*.html") if str(p.relative_to(site)) not in REDIRECTS)


def test_the_site_map(site):
    edition = {"2023/index.html", "2023/bang-xep-hang/index.html", "2023/tinh/index.html", "2023/du-lieu/index.html",
               "2023/du-lieu/so-lieu-2023.csv", "2023/du-lieu/so-lieu-2023.json", "2023/du-lieu/su-kien-2023.csv"}
    edition |= {f"2023/tinh/{slug}/index.html" for slug in SLUGS.values()}
    edition |= {f"2023/nhung/{name}/index.html" for name in EMBEDS}
    across = {"index.html", "404.html", "cac-nam/index.html", "tinh/index.html", "dinh-chinh/index.html"} | \
        {f"tinh/{slug}/index.html" for slug in SLUGS.values()} | \
        {f"cac-nam/bieu-do-kim-ngach-xuat-khau.{ext}" for ext in ("png", "svg")}  # 2022 and 2023, from 2023's data
    edition |= {f"2023/bieu-do/bieu-do-{name}-2023.{ext}" for name in ("diem", "thu-nhap", "giam-ngheo")
                for ext in ("png", "svg")}
    old = set(REDIRECTS) | {"du-lieu/so-lieu-2023.csv", "du-lieu/so-lieu-2023.json", "du-lieu/su-kien-2023.csv"}
    files = {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}
    pictures = {f for f in files if f.startswith("anh/")}  # the share pictures, named by their content
    assert files - pictures == edition | across | old | {".cumthidua-site"}
    shared = {str((page.parent / soup(page.read_bytes()).find("meta", property="og:image")["content"]).resolve()
                  .relative_to(site.resolve())) for page in site.rglob("*.html")}
    assert pictures == shared  # each one some page's, none left over


def test_every_address_published_before_editions_still_answers(site):
    """tests/published-urls.txt: the files the one-year site published; each is still there."""
    published = (Path(__file__).parent / "published-urls.txt").read_text(encoding="utf-8").split()
    assert len(published) == 20
    for path in published:
        assert (site / path).is_file(), path
    for old, new in REDIRECTS.items():
        page = soup((site / old).read_bytes())
        target = page.find("link", rel="canonical")["href"]
        assert (site / old).parent.joinpath(target).resolve() == (site / new).resolve()
        assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={target}"
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert page.select_one("main a")["href"] == target  # a visible link where refresh is off
    for name in ("so-lieu-2023.csv", "so-lieu-2023.json", "su-kien-2023.csv"):  # the same bytes as the new address
        assert (site / "du-lieu" / name).read_bytes() == (site / "2023/du-lieu" / name).read_bytes()


def test_the_front_page_is_the_newest_article_with_its_permanent_address(site):
    front, permanent = soup((site / "index.html").read_bytes()), soup((site / "2023/index.html").read_bytes())
    assert front.h1.get_text() == permanent.h1.get_text()
    # without base_url no page has a canonical link (test_with_base_url…: the front page's is 2023/),
    # but the front page links its permanent address
    assert front.find("link", rel="canonical") is None and permanent.find("link", rel="canonical") is None
    more = front.select_one("p.more")
    assert "Địa chỉ cố định của bài" in more.get_text() and more.find("a", string="2023/")["href"] == "2023/index.html"
    assert text_of(front.select_one(".prose").encode()) == text_of(permanent.select_one(".prose").encode())


def test_every_page_is_valid_and_described(site):
    for path in html_pages(site):
        html = path.read_bytes()
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
        page = soup(html)
        assert page.html["lang"] == "vi", path
        assert len(page.find_all("h1")) == 1, path
        assert page.title.get_text().strip(), path
        description = page.find("meta", attrs={"name": "description"})["content"]
        assert len(description) > 40, path
        assert page.find("meta", property="og:title")["content"] and page.find("meta", property="og:description")
        assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
        assert page.find("link", rel="icon")["href"].startswith("data:image/svg+xml")


def test_titles_are_distinct(site):
    titles = [soup(p.read_bytes()).title.get_text() for p in html_pages(site) if p != site / "index.html"]
    assert len(set(titles)) == len(titles)


def test_every_internal_link_and_anchor_resolves(site):
    ids = {p: {tag["id"] for tag in soup(p.read_bytes()).find_all(id=True)} for p in html_pages(site)}
    checked = 0
    for path in html_pages(site):
        for tag in soup(path.read_bytes()).find_all(["a", "link", "script", "img"]):
            target = tag.get("href") or tag.get("src")
            if not target or target.startswith(("data:", "mailto:")) or re.match(r"^https?://", target):
                continue
            assert not target.startswith("/"), (path, target)
            file_part, fragment = urldefrag(target)
            resolved = (path.parent / file_part).resolve() if file_part else path.resolve()
            assert resolved.is_file() and site.resolve() in resolved.parents, (path, target)
            if fragment:
                assert fragment in ids[Path(resolved)] if Path(resolved) in ids else True, (path, target)
                assert fragment in {t["id"] for t in soup(resolved.read_bytes()).find_all(id=True)}, (path, target)
            checked += 1
    assert checked > 100


def test_nothing_is_requested_from_another_host(site):
    for path in html_pages(site):
        page = soup(path.read_bytes())
        for tag in page.find_all(["link", "script", "img", "iframe", "source", "video", "audio"]):
            if tag.name == "link" and tag.get("rel") in (["canonical"],):
                continue
            target = tag.get("href") or tag.get("src") or ""
            assert not re.match(r"^(https?:)?//", target), (path, target)
        assert "@import" not in str(page.style) and "url(http" not in str(page.style)


def test_navigation_reaches_every_section_and_marks_the_current_one(site):
    for path in html_pages(site):
        if "nhung" in path.parts:
            continue  # a table or chart alone, for another site's frame: no navigation (test_embeds…)
        nav = soup(path.read_bytes()).select_one("header nav")
        links = [(path.parent / a["href"]).resolve() for a in nav.find_all("a")]
        where = str(path.relative_to(site))
        expected = NAV if where.startswith("2023/") or where == "index.html" else SITE_NAV  # the front: 2023's article
        assert links == [(site / target).resolve() for target in expected], path
    for target in NAV + SITE_NAV[2:3]:
        current = soup((site / target).read_bytes()).select("header nav a[aria-current=page]")
        assert len(current) == 1 and (site / target).resolve() == ((site / target).parent / current[0]["href"]).resolve()
    index = soup((site / "2023/tinh/index.html").read_bytes())
    assert {a.get_text() for a in index.select("tbody th a")} == set(SLUGS)


@pytest.mark.parametrize("name, slug", sorted(SLUGS.items()))
def test_province_pages(site, name, slug):
    page = soup((site / f"2023/tinh/{slug}/index.html").read_bytes())
    assert page.h1.get_text() == name
    text = text_of((site / f"2023/tinh/{slug}/index.html").read_bytes())
    assert "Báo Kiên Giang" in text  # credits the source
    dataset, _ = load_dataset(DATA)
    province = dataset.edition.provinces[name]
    if province.rank.value == 1:
        assert f"{name} dẫn đầu 12 tỉnh của Cụm thi đua Tây Nam Bộ năm 2023, với trên 945 điểm" in text
    elif province.rank.known:
        assert f"{name} xếp thứ {'hai' if province.rank.value == 2 else 'tư'} trong 12 tỉnh" in text
    else:
        assert f"Bài gốc không nêu thứ hạng và điểm thi đua năm 2023 của {name}" in text
        assert "Các nguồn không nêu" in text and "công bố" not in text and "Chúng tôi không tự ước tính" in text


def test_province_page_says_every_figure_it_has(site):
    text = text_of((site / "2023/tinh/kien-giang/index.html").read_bytes())
    for needle in ("Kiên Giang xếp thứ tư trong 12 tỉnh", "932,88 điểm", "hạng 4/12", "73,74 triệu đồng/người/năm",
                   "73,74 triệu đồng/người/năm, cao hơn bình quân toàn cụm (71,2 triệu đồng/người/năm)",
                   "136% kế hoạch, vượt kế hoạch"):
        assert needle in text
    text = text_of((site / "2023/tinh/soc-trang/index.html").read_bytes())
    for needle in ("hạng 2/12", "938,21 điểm", "Cờ thi đua của Chính phủ", "cụm trưởng năm 2023",
                   "Trần Văn Lâu", "nơi họp hội nghị tổng kết ngày 27/3/2024",
                   "từ 98,8% kế hoạch trở lên (mức chung"):
        assert needle in text
    text = text_of((site / "2023/tinh/long-an/index.html").read_bytes())
    assert "cụm trưởng năm 2024" in text and "124% kế hoạch" in text


def test_csv_has_a_bom_and_the_model_figures(site):
    raw = (site / "2023/du-lieu/so-lieu-2023.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw[len(codecs.BOM_UTF8):].decode("utf-8"))))
    dataset, _ = load_dataset(DATA)
    edition = dataset.edition
    provinces = {(r["province"], r["field"]): r for r in rows if r["scope"] == "tinh"}
    assert len(provinces) == 12 * 4
    for province in edition.members:
        for field in ("rank", "score", "income_per_capita", "poverty_reduction"):
            fig, row = getattr(province, field), provinces[(province.name, field)]
            assert row["qualifier"] == fig.qualifier.value and row["unit"] == fig.unit.label
            assert row["value"] == ("" if fig.value is None else str(fig.value))
            assert row["source"] == ("" if fig.value is None else
                                     "Báo Kiên Giang: Kiên Giang xếp hạng 4 Cụm thi đua các tỉnh miền Tây Nam bộ")
    cluster = {r["field"]: r for r in rows if r["scope"] == "cum"}
    assert cluster["economy.budget_revenue"]["text"] == "trên 98.000 tỷ đồng"
    # nothing beyond what the source proves: "trên 98.000" has a lower bound, excluded, and no upper bound
    assert cluster["economy.budget_revenue"]["interval"] == "(98000; +∞)"
    exports = cluster["economy.exports"]
    assert (exports["low"], exports["low_included"], exports["high"], exports["high_included"]) == ("23", "false", "", "")
    others = cluster["poverty.others_reduction"]
    assert (others["low"], others["low_included"], others["high"]) == ("98.8", "true", "")
    rank = provinces[("Kiên Giang", "rank")]
    assert (rank["low"], rank["low_included"], rank["high"], rank["high_included"]) == ("4", "true", "4", "true")
    assert cluster["economy.budget_estimate"]["qualifier"] == "unknown"
    assert all(r["unit"] and r["qualifier"] for r in rows)
    assert all(r["source_url"].startswith("https://") for r in rows if r["qualifier"] != "unknown")


def test_json_matches_the_csv(site):
    document = json.loads((site / "2023/du-lieu/so-lieu-2023.json").read_bytes())
    raw = (site / "2023/du-lieu/so-lieu-2023.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(document["figures"]) == len(rows)
    for item, row in zip(document["figures"], rows, strict=True):
        assert item["field"] == row["field"] and item["province"] == row["province"]
        if row["value"]:
            assert Decimal(str(item["value"])) == Decimal(row["value"])
        else:
            assert item["value"] is None
    assert [c["name"] for c in document["columns"]] == list(rows[0])
    assert document["sources"]["bao-kien-giang"]["url"].startswith("https://baokiengiang.vn/")
    facts = list(csv.DictReader(io.StringIO((site / "2023/du-lieu/su-kien-2023.csv").read_bytes().decode("utf-8-sig"))))
    assert [(f["field"], f["item"], f["value"]) for f in facts] == \
        [(f["field"], str(f["item"]), f["value"]) for f in document["facts"]]


def test_data_page_documents_columns_fields_and_qualifiers(site):
    page = soup((site / "2023/du-lieu/index.html").read_bytes())
    text = text_of((site / "2023/du-lieu/index.html").read_bytes())
    columns = [c.get_text() for c in page.select("#bang-cot ~ tbody th code, table:has(#bang-cot) tbody th code")]
    raw = (site / "2023/du-lieu/so-lieu-2023.csv").read_bytes().decode("utf-8-sig")
    assert columns == raw.splitlines()[0].split(",")
    fields = [c.get_text() for c in page.select("table:has(#bang-truong) tbody th code")]
    assert "score" in fields and "economy.budget_revenue" in fields and "poverty.others_reduction" in fields
    assert "tỷ đồng" in text and "triệu đồng/người/năm" in text
    for word in ("exact", "over", "at_least", "unknown"):
        assert page.find("code", string=word)
    assert "CC BY 4.0" in text and "Báo Kiên Giang" in text
    links = [(site / "2023/du-lieu" / a["href"]).resolve() for a in page.select("ul.downloads a")]
    assert links == [(site / "2023/du-lieu" / name).resolve()
                     for name in ("so-lieu-2023.csv", "su-kien-2023.csv", "so-lieu-2023.json")]


def _json_ld(path: Path) -> list[dict]:
    return [json.loads(s.string) for s in soup(path.read_bytes()).find_all("script", type="application/ld+json")]


def test_json_ld_news_article_and_dataset(site):
    (article,) = _json_ld(site / "index.html")
    assert article["@type"] == "NewsArticle" and article["@context"] == "https://schema.org"
    assert article["headline"] == "Cà Mau dẫn đầu Cụm thi đua Tây Nam Bộ năm 2023, Kiên Giang xếp thứ tư"
    assert article["datePublished"] == "2026-11-29" and article["inLanguage"] == "vi"
    assert article["author"]["name"] and article["publisher"]["@type"] == "Organization"
    cited = article["citation"][0]  # the first source first, then every other
    assert [c["publisher"]["name"] for c in article["citation"]] == [
        "Báo Kiên Giang", "Sài Gòn Giải Phóng", "Kinh tế & Môi trường", "Báo Sóc Trăng"]
    assert cited["url"].startswith("https://baokiengiang.vn/")
    assert [a["name"] for a in cited["author"]] == ["Đức Bình", "Duy Khang"]
    (data,) = _json_ld(site / "2023/du-lieu/index.html")
    assert data["@type"] == "Dataset" and data["license"].startswith("https://creativecommons.org/")
    kinds = {d["encodingFormat"]: d["contentUrl"] for d in data["distribution"]}
    assert set(kinds) == {"text/csv", "application/json"}
    for url in kinds.values():
        assert (site / "du-lieu" / url).is_file()  # relative to the data page
    assert "điểm thi đua" in data["variableMeasured"]


def _numbers(value: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?|nan|inf", value, flags=re.I)]


def test_charts_are_accessible_and_their_geometry_is_sane(site):
    found = 0
    for path in (site / "index.html", site / "2023/bang-xep-hang/index.html"):
        page = soup(path.read_bytes())
        for svg in page.find_all("svg"):
            found += 1
            assert svg["role"] == "img"
            title, desc = svg.find("title"), svg.find("desc")
            assert title.get_text().strip() and len(desc.get_text()) > 40
            assert svg["aria-labelledby"].split() == [title["id"], desc["id"]]
            assert "NaN" not in str(svg) and "nan" not in str(svg).lower().replace("nam", "")
            _, _, width, height = map(float, (svg.get("viewBox") or svg["viewbox"]).split())
            for tag in svg.find_all(True):
                for attribute in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height", "r"):
                    if attribute in tag.attrs:
                        value = float(tag[attribute])
                        assert math.isfinite(value) and value >= 0, (path, tag)
                        if attribute in ("x", "x1", "x2", "cx"):
                            assert value <= width, (path, tag)
                if tag.name == "path":
                    assert all(0 <= n <= width for n in _numbers(tag["d"]))
            # the table it summarises is close by: the next table after the figure
            assert svg.find_parent("figure").find_next("table") is not None
    assert found == 6


def test_score_chart_draws_bounds_and_leaves_unknowns_out(site):
    svg = soup((site / "2023/bang-xep-hang/index.html").read_bytes()).find("svg", id="bieu-do-diem")
    labels = [t.get_text() for t in svg.find_all("text", class_="label")]
    assert labels == ["1. Cà Mau", "2. Sóc Trăng", "4. Kiên Giang"]  # 9 unknown scores are not drawn at 0
    # Cà Mau's "trên 945" is open: a hollow mark (945 itself excluded) and an arrow, never a band
    assert svg.find("circle", class_="open") is not None and svg.find("path", class_="arrow") is not None
    assert svg.find("rect", class_="bound-band") is None
    assert [t.get_text() for t in svg.find_all("text", class_="value")] == ["trên 945", "938,21", "932,88"]
    assert "930" in [t.get_text() for t in svg.find_all("text", class_="tick")]
    poverty = soup((site / "2023/bang-xep-hang/index.html").read_bytes()).find("svg", id="bieu-do-giam-ngheo")
    assert poverty.find("path", class_="arrow") is not None  # "từ 98,8% trở lên" drawn as open-ended
    assert "kế hoạch: 100" in poverty.get_text()


def test_sortable_tables_carry_machine_sort_keys(site):
    page = soup((site / "2023/bang-xep-hang/index.html").read_bytes())
    scores = page.find("caption", id="bang-diem").find_parent("table")
    assert "sortable" in scores["class"]
    keys = [td.get("data-sort") for td in scores.select("tbody tr td:nth-of-type(2)")]
    assert keys[:4] == ["945", "938.21", "", "932.88"] and set(keys[4:]) == {""}
    assert "Intl.Collator" in page.find("script", type=None).string
    assert len(page.find("script", type=None).string.encode()) <= 2048


def test_stylesheet_dark_mode_print_and_vietnamese_fonts(site):
    css = soup((site / "index.html").read_bytes()).style.string
    assert "prefers-color-scheme:dark" in css and "@media print" in css
    stack = re.search(r"font-family:([^;]+);", css).group(1)
    assert stack.startswith("system-ui") and "sans-serif" in stack
    assert "Arial" not in stack and "Liberation" not in stack
    assert 'a[href^="http"]::after' in css  # link targets shown in print


def test_without_base_url_no_sitemap_and_a_single_note(project, capsys):
    assert main(["build", "--data", str(project / "data"), "--out", str(project / "build")]) == 0
    err = capsys.readouterr().err
    assert err.count("ghi chú: chưa có base_url") == 1
    assert not (project / "build/sitemap.xml").exists() and not (project / "build/robots.txt").exists()
    assert main(["check", "--strict", "--data", str(project / "data")]) == 0  # a note is not a warning


def test_with_base_url_sitemap_robots_and_canonical(project, capsys):
    base = "https://example.vn/cum-thi-dua/"
    edit(project / "data/site.yaml", 'base_url: ""', f'base_url: "{base}"')
    out = project / "build"
    assert main(["build", "--data", str(project / "data"), "--out", str(out)]) == 0
    assert "ghi chú" not in capsys.readouterr().err
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    # the canonical addresses only: not the front page (a copy of 2023/), not the old addresses
    assert f"{base}2023/" in locations and f"{base}2023/tinh/dong-thap/" in locations and f"{base}tinh/dong-thap/" \
        in locations and base not in locations and f"{base}bang-xep-hang/" not in locations and len(locations) == 31
    assert all(loc.startswith(base) for loc in locations) and "404" not in sitemap
    assert (out / "robots.txt").read_text(encoding="utf-8") == f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n"
    page = soup((out / "2023/tinh/dong-thap/index.html").read_bytes())
    assert page.find("link", rel="canonical")["href"] == f"{base}2023/tinh/dong-thap/"
    assert page.find("meta", property="og:url")["content"] == f"{base}2023/tinh/dong-thap/"
    (article,) = _json_ld(out / "index.html")
    assert article["url"] == f"{base}2023/"
    assert soup((out / "index.html").read_bytes()).find("link", rel="canonical")["href"] == f"{base}2023/"
    old = soup((out / "bang-xep-hang/index.html").read_bytes())
    assert old.find("link", rel="canonical")["href"] == f"{base}2023/bang-xep-hang/"
    missing = soup((out / "404.html").read_bytes())
    assert all(a["href"].startswith(base) for a in missing.select("main a"))  # works at any depth


def test_an_inferred_conference_year_is_not_stated_as_a_fact_in_json_ld(project, capsys):
    edit(project / "data/2023/cluster.yaml", "  year_inferred: false\n  year_reason: \"\"",
         "  year_inferred: true\n  year_reason: \"hội nghị tổng kết năm 2023 họp vào năm sau\"")
    assert main(["build", "--data", str(project / "data"), "--out", str(project / "build")]) == 0
    (article,) = _json_ld(project / "build/index.html")
    assert "startDate" not in article["about"]
    assert "năm 2024 do chúng tôi suy ra: hội nghị tổng kết năm 2023 họp vào năm sau" in article["about"]["description"]



def test_a_sourced_conference_date_is_stated(site):
    (article,) = _json_ld(site / "index.html")
    assert article["about"]["startDate"] == "2024-03-27" and "description" not in article["about"]


def test_embeds_show_one_table_or_chart_with_its_sources_and_a_way_back(site):
    rankings = soup((site / "2023/bang-xep-hang/index.html").read_bytes())
    codes = [t.get_text() for t in rankings.select("details.embed-code textarea")]
    assert len(codes) == len(EMBEDS)
    for name, code in zip(sorted(EMBEDS), sorted(codes, key=lambda c: re.search(r"nhung/([\w-]+)/", c).group(1))):
        frame = soup(code).find("iframe")
        target = (site / "2023/bang-xep-hang" / frame["src"] / "index.html").resolve()
        assert target == (site / f"2023/nhung/{name}/index.html").resolve() and target.is_file()
        assert frame["height"] == "560" and frame["title"]  # a sensible height where scripts are off
        page = soup(target.read_bytes())
        assert page.select_one("header nav") is None and len(page.find_all("h1")) == 1
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert page.find("base")["target"] == "_top"  # links open the full site, not inside the frame
        assert page.find(["table", "figure"]) is not None
        assert page.select_one("p.source-line").get_text().startswith("Nguồn:")
        assert "Báo Kiên Giang" in page.select_one("section.credit").get_text()  # publisher, title, authors
        back = page.select_one("p.embed-back a")["href"]
        file_part, anchor = back.split("#")
        assert (target.parent / file_part).resolve() == (site / "2023/bang-xep-hang/index.html").resolve()
        assert rankings.find(id=anchor) is not None
        script = page.find_all("script")[-1].string
        assert "postMessage" in script and frame["data-cumthidua"] in script and frame["data-cumthidua"] in code
