"""The tests that read the live data/: it must be valid, build a complete site, and show every
fact of the seed inventory and of the other papers' reports (more-sources.md, A–C), credited.

They name fields, never values: an editor's correct edit of a figure keeps them green; a
figure or fact that goes missing, or loses its credit, turns them red.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from cumthidua_site import formatting as fmt
from cumthidua_site.build import run
from cumthidua_site.dataset import load_dataset
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


@pytest.fixture(scope="module")
def live():
    result = run(LIVE_DATA)
    dataset, _ = load_dataset(LIVE_DATA)
    pages = {path: BeautifulSoup(content, "html5lib") for path, content in result.files.items()
             if path.endswith(".html")}
    return result, dataset.edition, pages


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


def test_live_data_is_valid_and_builds_every_page(live):
    result, edition, _ = live
    errors = [p for p in result.problems if p.level is Level.ERROR]
    assert errors == [], errors
    for page in ("index.html", "2023/bang-xep-hang/index.html", "2023/tinh/index.html", "2023/du-lieu/index.html", "404.html"):
        assert page in result.files, page
    pages = {path for path in result.files if path.startswith("tinh/") and path.count("/") == 2}
    assert len(pages) == len(edition.provinces)


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
