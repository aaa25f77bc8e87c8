"""The downloads hold every fact: every figure with every source's claim and each resolution,
every list, the conference and the context; the data dictionary lists exactly what they hold."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cumthidua_site.cli import main

from conftest import edit, soup


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from conftest import DATA
    out = tmp_path_factory.mktemp("downloads") / "build"
    assert main(["build", "--data", str(DATA), "--out", str(out)]) == 0
    return out / "2023" / "du-lieu"


def facts(built: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in read_csv(built / "su-kien-2023.csv"):
        found.setdefault(row["field"], []).append(row["value"])
    return found


@pytest.mark.parametrize("field, values", [
    ("new_countryside.provinces", ["Bạc Liêu", "Trà Vinh", "Tiền Giang"]),
    ("awards.government_flag.provinces", ["Cà Mau", "Sóc Trăng"]),
    ("awards.pm_certificate.provinces", ["Tiền Giang", "Trà Vinh"]),
    ("income_named", ["Cà Mau", "Hậu Giang", "Kiên Giang", "Trà Vinh"]),
    ("heads.year", ["2023", "2024"]),
    ("heads.province", ["Sóc Trăng", "Long An"]),
    ("heads.leader", ["Trần Văn Lâu"]),
    ("conference.date", ["2024-03-27"]),
    ("conference.place", ["Sóc Trăng"]),
    ("conference.attendees.name", ["Phan Văn Hùng"]),
    ("conference.attendees.role", ["Phó Trưởng ban Thi đua - Khen thưởng Trung ương"]),
    ("conference.pact_directive.number", ["19/CT-TTg"]),
    ("conference.pact_directive.issued", ["2021-07-16"]),
    ("context.congress", ["XIII"]),
    ("context.plan_start", ["2021"]),
    ("excluded.names", ["Cần Thơ"]),
    ("poverty.movement.name", ["Vì người nghèo – không để ai bị bỏ lại phía sau"]),
])
def test_every_fact_is_in_the_facts_file(built, field, values):
    assert sorted(facts(built)[field]) == sorted(values)


def test_each_fact_names_its_sources(built):
    rows = {(r["field"], r["value"]): r for r in read_csv(built / "su-kien-2023.csv")}
    assert rows[("conference.attendees.name", "Phan Văn Hùng")]["source"].startswith("Sài Gòn Giải Phóng:")
    flag = rows[("awards.government_flag.provinces", "Cà Mau")]
    assert "Báo Kiên Giang" in flag["source"] and "Kinh tế & Môi trường" in flag["source"]
    assert all(r["source"] for r in rows.values())


def test_every_claim_and_resolution_is_in_the_figures(built):
    rows = {(r["province"], r["field"]): r for r in read_csv(built / "so-lieu-2023.csv")}
    income = rows[("", "economy.income_per_capita")]
    assert income["value"] == "71.2" and income["source"].startswith("Sài Gòn Giải Phóng")
    assert income["other_claims"] == "trên 71 triệu đồng/người/năm (Báo Kiên Giang)"
    assert "Báo Kiên Giang" in income["sources"] and "Sài Gòn Giải Phóng" in income["sources"]
    exports = rows[("", "economy.exports")]
    assert exports["resolution"].startswith("Báo Kiên Giang: Báo Kiên Giang ghi kim ngạch xuất khẩu trên 23 tỷ USD.")
    assert "kim ngạch xuất nhập khẩu trên 23 tỷ USD (Sài Gòn Giải Phóng)" in exports["other_claims"]
    assert "23 tỷ USD (Kinh tế & Môi trường)" in exports["other_claims"]
    disbursement = rows[("", "economy.public_investment_disbursement")]
    assert (disbursement["value"], disbursement["to"], disbursement["qualifier"]) == ("97.7", "139.5", "range")
    document = json.loads((built / "so-lieu-2023.json").read_bytes())
    item = next(f for f in document["figures"] if f["field"] == "economy.exports")
    assert [(c["source"], c["qualifier"], c["measures"]) for c in item["claims"]] == [
        ("bao-kien-giang", "over", ""), ("sggp", "over", "kim ngạch xuất nhập khẩu"),
        ("kinh-te-moi-truong", "exact", "")]
    assert set(document["sources"]) == {"bao-kien-giang", "sggp", "kinh-te-moi-truong", "bao-soc-trang",
                                        "nq-202-2025", "vnnews-2025-07-04", "vietnamnet-long-an"}


def test_the_dictionary_lists_exactly_the_fields_in_the_files(built):
    page = soup((built / "index.html").read_bytes())
    listed = {c.get_text() for c in page.select("table:has(#bang-truong) tbody th code")}
    in_files = {r["field"] for r in read_csv(built / "so-lieu-2023.csv")}
    in_files |= {r["field"] for r in read_csv(built / "su-kien-2023.csv")}
    assert listed == in_files


def test_a_fact_edited_in_yaml_changes_in_the_downloads(project, capsys):
    edit(project / "data/2023/cluster.yaml", 'name: "Phan Văn Hùng"', 'name: "Phan Văn Hưng"')
    assert main(["build", "--data", str(project / "data"), "--out", str(project / "build")]) == 0
    assert facts(project / "build/2023/du-lieu")["conference.attendees.name"] == ["Phan Văn Hưng"]
    document = json.loads((project / "build/2023/du-lieu/so-lieu-2023.json").read_bytes())
    assert {"field": "conference.attendees.name", "item": 1, "label": "họ tên (đại biểu dự)",
            "value": "Phan Văn Hưng"}.items() <= next(f for f in document["facts"]
                                                      if f["field"] == "conference.attendees.name").items()


def test_each_province_carries_what_it_has_been_part_of_since_the_merger(built):
    rows = {(r["province"], r["field"]): r for r in read_csv(built / "su-kien-2023.csv") if r["province"]}
    assert rows[("Kiên Giang", "merged_into")]["value"] == "An Giang"
    assert rows[("Sóc Trăng", "merged_into")]["value"] == "Thành phố Cần Thơ"
    assert rows[("Long An", "merged_into")]["value"] == "Tây Ninh"
    assert rows[("Long An", "merged_since")]["value"] == "2025-07-01"
    assert "VietNamNet" in rows[("Long An", "merged_into")]["source"]
    assert len([key for key in rows if key[1] == "merged_into"]) == 12


def test_the_json_file_is_what_json_dumps_indents(project):
    """The JSON download is indented row by row (each row's text kept for serve's next rebuild):
    the same text as json.dumps(document, indent=2), for real editions and for the edge cases."""
    import json
    from cumthidua_site import downloads
    from cumthidua_site.dataset import load_project
    loaded, _ = load_project(project / "data")
    for dataset in loaded.editions.values():
        edition = dataset.edition
        made = downloads._make(loaded.site, edition, ()).json  # rows indented part by part, as every build does
        document = json.loads(made)
        assert made == (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        assert document["figures"] and document["facts"]
    for document in ({"figures": [], "facts": [{}]}, {"a": {}, "figures": [{"b": [], "c": [{"d": "Đồng Tháp\n\"x\""}]}]},
                     {"figures": [{"x": 1.5, "y": None, "z": [1, [2, {}]]}, {"x": 2}], "facts": []}):
        assert downloads._indented(document) == json.dumps(document, ensure_ascii=False, indent=2)
        assert downloads._indented(document) == json.dumps(document, ensure_ascii=False, indent=2)  # kept rows


def test_serve_makes_again_only_the_part_of_the_province_that_changed(project):
    """serve keeps each province's rows (CSV lines, indented JSON) by the digests of what it
    says: an edit to one province makes its part again, nothing else, and the files are the
    ones a fresh build makes, with corrections to the cluster and to a province."""
    import datetime as dt
    from cumthidua_site import downloads, views
    from cumthidua_site.corrections import Shown
    from cumthidua_site.dataset import load_project

    def corrected(score_was: str) -> tuple:
        return (Shown(dt.date(2024, 4, 2), "provinces.Sóc Trăng.score", "điểm", score_was, "938,21", "gõ nhầm", ()),
                Shown(dt.date(2024, 4, 3), "economy.budget_revenue", "thu ngân sách", "97.000", "98.000", "", ()))

    def both(edition, corrections) -> tuple:
        before = len(downloads._PARTS)
        kept = downloads._make(loaded.site, edition, corrections, views.digests(edition))
        return kept, downloads._make(loaded.site, edition, corrections), len(downloads._PARTS) - before

    downloads._PARTS.clear()
    loaded, _ = load_project(project / "data")
    edition = loaded.editions[2023].edition
    kept, fresh, made = both(edition, corrected("938,12"))
    assert kept == fresh and made == 1 + len(edition.members)
    assert "938,12" in kept.figures_csv.decode("utf-8-sig") and b"97.000" in kept.json
    assert both(edition, corrected("938,12"))[2] == 0  # nothing changed: every part kept

    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21", "score: {value: 938.12")
    loaded, _ = load_project(project / "data")
    edition = loaded.editions[2023].edition
    kept, fresh, made = both(edition, corrected("938,12"))
    assert kept == fresh and made == 1
    assert [r for r in csv.DictReader(io.StringIO(kept.figures_csv.decode("utf-8-sig")))
            if r["province"] == "Sóc Trăng" and r["field"] == "score"][0]["value"] == "938.12"
    kept, fresh, made = both(edition, corrected("900,00"))  # that province's correction: its part again
    assert kept == fresh and made == 1
