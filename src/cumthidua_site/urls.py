"""Every address the site has: one function per page, so no path is written twice.

Paths are relative to the site's root and end in a file name (`2023/index.html`);
links between pages are made relative (`relative`) so that `build/` works under any
sub-path and opened from disk. An edition's pages live under its year and never move;
the few site-wide pages show the newest edition or all of them.
"""

from __future__ import annotations

from . import formatting as fmt

FRONT = "index.html"
YEARS = "cac-nam/index.html"
PROVINCES = "tinh/index.html"
NOT_FOUND = "404.html"
CORRECTIONS = "dinh-chinh/index.html"  # the corrections policy and every correction
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"


def article(year: int) -> str:
    return f"{year}/index.html"


def rankings(year: int) -> str:
    return f"{year}/bang-xep-hang/index.html"


def members(year: int) -> str:
    return f"{year}/tinh/index.html"


def member(year: int, name: str) -> str:
    """A province's page in one edition."""
    return f"{year}/tinh/{fmt.slug(name)}/index.html"


def province(name: str) -> str:
    """A province across every edition."""
    return f"tinh/{fmt.slug(name)}/index.html"


# The tables and charts that can be embedded in another site, and their address names.
EMBEDS = {"table:scores": "bang-diem", "chart:scores": "bieu-do-diem", "table:income": "bang-thu-nhap",
          "chart:income": "bieu-do-thu-nhap", "table:poverty": "bang-giam-ngheo", "chart:poverty": "bieu-do-giam-ngheo",
          "table:new_countryside": "bang-nong-thon-moi", "table:awards": "bang-khen-thuong",
          "table:heads": "bang-cum-truong"}


def embed(year: int, block: str) -> str:
    """A table's or chart's page to embed in another site (no navigation)."""
    return f"{year}/nhung/{EMBEDS[block]}/index.html"


def edition_chart(year: int, chart_id: str) -> str:
    """An edition's chart as images to download, without the extension (.png, .svg)."""
    return f"{year}/bieu-do/{chart_id}-{year}"


def chart_image(page: str, name: str) -> str:
    """A chart of one page as images to download, beside the page, without the extension."""
    return folder(page) + name


def share_image(key: str) -> str:
    """A share picture (og:image), named by its content: a corrected page gets a new address,
    so the networks that keep a picture by its address show the new one."""
    return f"anh/{key[:20]}.png"


def data(year: int) -> str:
    return f"{year}/du-lieu/index.html"


def downloads(year: int) -> dict[str, str]:
    """An edition's download files by kind."""
    return {"figures_csv": f"{year}/du-lieu/so-lieu-{year}.csv",
            "facts_csv": f"{year}/du-lieu/su-kien-{year}.csv",
            "json": f"{year}/du-lieu/so-lieu-{year}.json"}


def legacy_pages(year: int) -> dict[str, str]:
    """The pages published before the site had editions (one year, at the root), and where they
    are now: these paths keep answering with a redirect page."""
    return {"bang-xep-hang/index.html": rankings(year), "du-lieu/index.html": data(year)}


def legacy_files(year: int) -> dict[str, str]:
    """The download files published before editions: served again at the old path, same bytes."""
    now = downloads(year)
    return {f"du-lieu/so-lieu-{year}.csv": now["figures_csv"], f"du-lieu/su-kien-{year}.csv": now["facts_csv"],
            f"du-lieu/so-lieu-{year}.json": now["json"]}


def relative(here: str, target: str) -> str:
    """A link from the page at `here` to `target`, both root-relative paths."""
    return "../" * here.count("/") + target


def folder(path: str) -> str:
    """A page's address as a reader writes it: 2023/index.html -> 2023/."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


def canonical(base_url: str, path: str) -> str:
    """The absolute URL of a page, directory style."""
    return base_url + folder(path)
