"""Sharing and search metadata: JSON-LD, canonical URLs, sitemap.xml and robots.txt."""

from __future__ import annotations

import io
import json
from typing import Any, Optional
from html import escape

from markupsafe import Markup

from .model import Edition, Site, Source
from .urls import canonical as url_of


def script(data: dict[str, Any]) -> Markup:
    """A JSON-LD script element; '<', '>' and '&' escaped so no string can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup('<script type="application/ld+json">%s</script>' % text)


def _organisation(name: str, url: str = "") -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": name}
    if url:
        org["url"] = url
    return org


def source_work(source: Source) -> dict[str, Any]:
    return {"@type": "NewsArticle", "headline": source.title, "url": source.url,
            "author": [{"@type": "Person", "name": name} for name in source.authors],
            "publisher": _organisation(source.publisher), "inLanguage": "vi"}


def _conference(edition: Edition) -> dict[str, Any]:
    """The review conference as an Event; a date whose year we inferred is not given as a fact."""
    cluster, conference = edition.cluster, edition.cluster.conference
    event: dict[str, Any] = {
        "@type": "Event", "name": f"Hội nghị tổng kết thực hiện giao ước thi đua năm {cluster.year} của {cluster.name}",
        "location": {"@type": "Place", "name": conference.place}}
    if conference.year_inferred:
        event["description"] = (f"Nguồn ghi ngày {conference.date.day}/{conference.date.month}, không ghi năm; "
                                f"năm {conference.date.year} do chúng tôi suy ra: {conference.year_reason}.")
    else:
        event["startDate"] = conference.date.isoformat()
    return event


def news_article(site: Site, edition: Edition, headline: str, description: str, byline: str, published, modified,
                 url: Optional[str], corrected: tuple = (), policy: Optional[str] = None) -> dict[str, Any]:
    """schema.org NewsArticle for the article page, citing the source report, with its corrections."""
    cluster = edition.cluster
    modified = max([modified or published] + [c.date for c in corrected])
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
        "description": description, "inLanguage": "vi",
        "datePublished": published.isoformat(), "dateModified": (modified or published).isoformat(),
        "author": _organisation(byline), "publisher": _organisation(site.publisher.name, site.publisher.url),
        "citation": [source_work(s) for s in cluster.sources.values()],
        "isBasedOn": [s.url for s in cluster.sources.values()],
        "license": site.licence.url,
    }
    if cluster.conference is not None:
        data["about"] = _conference(edition)
    if corrected:
        data["correction"] = [{"@type": "CorrectionComment", "datePublished": c.date.isoformat(),
                               "text": f"{c.label}" + (f" trước đây ghi {c.was}" if c.was else "")
                                       + f"; số liệu đúng là {c.now}. {c.note}"} for c in corrected]
    if policy:
        data["publisher"]["correctionsPolicy"] = policy
    if url:
        data["url"] = data["mainEntityOfPage"] = url
    return data


def dataset(site: Site, edition: Edition, description: str, downloads: list[tuple[str, str]], base_url: str,
            variables: list[str], page_path: str = "du-lieu/index.html") -> dict[str, Any]:
    """schema.org Dataset for the data page, with one DataDownload per file.

    Without a base URL, download addresses are relative to the data page itself.
    """
    folder = page_path.rsplit("/", 1)[0] + "/" if "/" in page_path else ""
    cluster = edition.cluster
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Dataset",
        "name": f"{cluster.name}: số liệu năm {cluster.year}", "description": description,
        "inLanguage": "vi", "license": site.licence.url, "isAccessibleForFree": True,
        "creator": _organisation(site.publisher.name, site.publisher.url),
        "temporalCoverage": str(cluster.year),
        "spatialCoverage": {"@type": "Place", "name": "Tây Nam Bộ, Việt Nam"},
        "isBasedOn": [source_work(s) for s in cluster.sources.values()],
        "variableMeasured": variables,
        "distribution": [{"@type": "DataDownload", "encodingFormat": kind,
                          "contentUrl": (base_url + path) if base_url else path.removeprefix(folder)}
                         for path, kind in downloads],
    }
    if base_url:
        data["url"] = url_of(base_url, page_path)
    return data


def sitemap(base_url: str, paths: list[str]) -> bytes:
    """Every indexable page's address, sorted (`paths` is sorted in place)."""
    paths.sort()
    out = io.BytesIO()
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
    for path in paths:
        out.write(f"<url><loc>{escape(url_of(base_url, path), quote=False)}</loc></url>\n".encode("utf-8"))
    out.write(b"</urlset>\n")
    return out.getvalue()


def robots(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n".encode("utf-8")
