"""The tests that read the live data/: it must be valid, build a complete site, and show every
fact of the seed inventory and of the other papers' reports (more-sources.md, A–D), credited:
2023's on its pages, 2021's on its own. A new edition added by an editor changes nothing here.

They name fields, never values: an editor's correct edit of a figure keeps them green; a
figure or fact that goes missing, or loses its credit, turns them red.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from cumthidua_site import formatting as fmt
from cumthidua_site.build import run
from cumthidua_site.dataset import load_project
from cumthidua_site.errors import Level
from cumthidua_site.figures import Figure

from conftest import LIVE_DATA

# The inventory of the seed report and of more-sources.md A–C, as fields of the data.
CLUSTER_FIGURES = [
    "member_count", "economy.grdp_growth", "economy.national_grdp_growth", "economy.budget_revenue",
    "economy.budget_of_estimate", "economy.exports", "economy.exports_previous_year", "economy.exports_growth",
    "economy.exports_of_plan", "economy.income_per_capita", "poverty.others_reduction",
    "poverty.movement.policy_groups", "new_countryside.count",
    # more-sources.md A (SGGP): new figures
    "economy.social_investment", "economy.social_investment_of_plan", "economy.public_investment_disbursement",
]
PROVINCE_FIGURES = [("Cà Mau", "rank"), ("Cà Mau", "score"), ("Sóc Trăng", "rank"), ("Sóc Trăng", "score"),
                    ("Kiên Giang", "rank"), ("Kiên Giang", "score"), ("Trà Vinh", "income_per_capita"),
                    ("Hậu Giang", "income_per_capita"), ("Kiên Giang", "income_per_capita"),
                    ("Cà Mau", "income_per_capita"), ("Kiên Giang", "poverty_reduction"),
                    ("Long An", "poverty_reduction"), ("Bạc Liêu", "poverty_reduction")]


# more-sources.md D: the 2021 review (Người Lao Động), as fields of data/2021/cluster.yaml.
FIGURES_2021 = ["member_count", "economy.provinces_grown", "economy.budget_revenue", "economy.budget_of_plan",
                "economy.exports", "economy.exports_of_plan", "economy.social_investment"]


@pytest.fixture(scope="module")
def built():
    result = run(LIVE_DATA)
    project, _ = load_project(LIVE_DATA)
    pages = {path: BeautifulSoup(content, "html5lib") for path, content in result.files.items()
             if path.endswith(".html")}
    return result, project, pages


@pytest.fixture(scope="module")
def live(built):
    """The 2023 edition, and its own pages (those under 2023/ and the pages across editions)."""
    result, project, pages = built
    return result, project.editions[2023].edition, {p: page for p, page in pages.items()
                                                     if not p[:4].isdigit() or p.startswith("2023/")}


def _resolve(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _credited_on(pages, text: str, sources) -> list[str]:
    """The pages that show `text` and credit every one of `sources` in their footer."""
    found = []
    for path, page in pages.items():
        credit = page.find("section", class_="credit")
        ids = {li.get("id") for li in credit.find_all("li")} if credit else set()
        if text in " ".join(page.get_text(" ").split()) and {f"nguon-{s}" for s in sources} <= ids:
            found.append(path)
    return found


def test_live_data_is_valid_and_builds_every_page(built):
    result, project, _ = built
    errors = [p for p in result.problems if p.level is Level.ERROR]
    assert errors == [], errors
    assert {2021, 2023} <= set(project.editions)
    for page in ("index.html", "cac-nam/index.html", "tinh/index.html", "404.html"):
        assert page in result.files, page
    for year, dataset in project.editions.items():
        for page in ("index.html", "bang-xep-hang/index.html", "tinh/index.html", "du-lieu/index.html"):
            assert f"{year}/{page}" in result.files, (year, page)
        members = {p for p in result.files if p.startswith(f"{year}/tinh/") and p.count("/") == 3}
        assert len(members) == len(dataset.edition.provinces)


@pytest.mark.parametrize("field", FIGURES_2021)
def test_every_2021_figure_is_shown_and_credited_on_2021s_pages(built, field):
    _, project, pages = built
    figure = _resolve(project.editions[2021].edition.cluster, field)
    assert isinstance(figure, Figure) and figure.known, field
    own = {p: page for p, page in pages.items() if p.startswith("2021/")}
    assert _credited_on(own, fmt.figure(figure), figure.sources), (field, fmt.figure(figure))


def test_every_2021_fact_is_shown_and_credited(built):
    _, project, pages = built
    cluster = project.editions[2021].edition.cluster
    own = {p: page for p, page in pages.items() if p.startswith("2021/")}
    economy, conference = cluster.economy, cluster.conference
    facts = [(economy.fastest_growth.province, economy.fastest_growth.source)]
    facts += [(name, economy.exports_met_plan.source) for name in economy.exports_met_plan.provinces]
    facts += [(person.name, person.source) for person in conference.attendees]
    facts += [(conference.city, conference.source), (fmt.date(conference.date), conference.source)]
    facts += [(head.province, head.source) for head in cluster.heads]
    missing = [(text, sources) for text, sources in facts if not _credited_on(own, text, sources)]
    assert missing == []
    assert not any(p.score.known or p.rank.known for p in project.editions[2021].edition.members)


@pytest.mark.parametrize("field", CLUSTER_FIGURES)
def test_every_cluster_figure_is_shown_and_credited(live, field):
    _, edition, pages = live
    figure = _resolve(edition.cluster, field)
    assert isinstance(figure, Figure) and figure.known, field
    assert _credited_on(pages, fmt.value(figure), figure.sources), (field, fmt.value(figure))


@pytest.mark.parametrize("province, field", PROVINCE_FIGURES)
def test_every_province_figure_is_shown_and_credited(live, province, field):
    _, edition, pages = live
    figure = getattr(edition.provinces[province], field)
    assert figure.known, (province, field)
    assert _credited_on(pages, fmt.value(figure), figure.sources), (province, field)


def test_every_fact_is_shown_and_credited(live):
    _, edition, pages = live
    cluster = edition.cluster
    facts = [(name, cluster.new_countryside.source) for name in cluster.new_countryside.provinces]
    for award in (cluster.awards.government_flag, cluster.awards.pm_certificate):
        facts += [(award.name, award.source)] + [(name, award.source) for name in award.provinces]
    for head in cluster.heads:
        facts += [(head.province, head.source)] + ([(head.leader, head.source)] if head.leader else [])
    conference = cluster.conference
    facts += [(fmt.date(conference.date), conference.source), (conference.place, conference.source),
              (cluster.poverty.movement.name, cluster.poverty.movement.source),
              (cluster.context.congress, cluster.context.source)]
    facts += [(name, cluster.excluded.source) for name in cluster.excluded.names]
    # more-sources.md A–C: who attended, the directive, the preparatory meeting
    facts += [(person.name, person.source) for person in conference.attendees]
    assert conference.pact_directive is not None and conference.preparation is not None
    facts += [(conference.pact_directive.number, conference.pact_directive.source)]
    facts += [(item, conference.preparation.source) for item in conference.preparation.decided]
    missing = [(text, sources) for text, sources in facts if not _credited_on(pages, text, sources)]
    assert missing == []


def test_the_other_papers_are_in_the_data(live):
    """more-sources.md A–C: their claims beside the first source's, and the disagreements resolved."""
    _, edition, _ = live
    economy, conference = edition.cluster.economy, edition.cluster.conference
    assert "sggp" in economy.income_per_capita.sources  # "trung bình 71,2" refines "trên 71"
    assert economy.exports.resolution is not None and economy.exports.disagreements()
    assert "kinh-te-moi-truong" in conference.source and not conference.year_inferred  # dated 27/3/2024
    assert {"sggp", "kinh-te-moi-truong", "bao-soc-trang"} <= set(edition.cluster.sources)
