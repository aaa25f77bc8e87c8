"""Corrections the newsroom way: what was published is recorded, and a change to it needs a correction."""

from __future__ import annotations

import re

from conftest import cli, edit, position, soup

SCORE = "score: {value: 938.21, qualifier: exact, source: bao-kien-giang}"


def _publish(project) -> None:
    result = cli("publish", "--data", str(project / "data"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Đã ghi data/2023/published.yaml: số liệu năm 2023 nay là bản đã đăng." in result.stderr


def test_publish_records_every_figure_fact_and_source_readably(project):
    _publish(project)
    text = (project / "data/2023/published.yaml").read_text(encoding="utf-8")
    assert re.search(r"^published: \d{4}-\d\d-\d\d$", text, flags=re.M)
    assert "corrections_included: 0" in text
    assert '  "provinces.Sóc Trăng.score":\n    - {value: 938.21, qualifier: "exact", source: "bao-kien-giang"}' in text
    assert '  "conference.place": "Sóc Trăng"' in text
    assert '  "bao-kien-giang": "Báo Kiên Giang · Kiên Giang xếp hạng 4' in text
    assert cli("check", cwd=project).returncode == 0  # nothing changed since


def test_a_changed_figure_without_a_correction_is_refused_with_the_change_and_the_entry_to_paste(project):
    _publish(project)
    assert cli("build", cwd=project).returncode == 0
    before = (project / "build/2023/tinh/soc-trang/index.html").read_bytes()
    provinces = project / "data/2023/provinces.yaml"
    edit(provinces, "score: {value: 938.21,", "score: {value: 938.25,")
    result = cli("build", cwd=project)
    assert result.returncode == 1
    assert (f"data/2023/provinces.yaml:{position(provinces, '938.25')}: lỗi: điểm thi đua của Sóc Trăng đã đăng là "
            "938,21 điểm (bao-kien-giang), nay là 938,25 điểm (bao-kien-giang): thay đổi này chưa có đính chính"
            in result.stderr)
    assert ('  gợi ý: chép mục dưới đây vào corrections.yaml rồi viết lý do (xem README, mục Đính chính):\n'
            'corrections:\n  - date: ' in result.stderr)
    assert '    covers: ["provinces.Sóc Trăng.score"]\n' in result.stderr
    assert (project / "build/2023/tinh/soc-trang/index.html").read_bytes() == before  # the last good site kept


def _paste_the_entry(project, stderr: str, note: str = "Điểm của Sóc Trăng chép nhầm từ bản in.") -> None:
    entry = stderr[stderr.index("corrections:\n"):].split("\n\n")[0]
    entry = entry.replace("…lý do: con số trước đây sai ở đâu, con số mới lấy từ đâu…", note)
    (project / "data/2023/corrections.yaml").write_text(entry + "\n", encoding="utf-8")


def test_with_the_correction_it_builds_and_publish_clears_the_requirement(project):
    _publish(project)
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    _paste_the_entry(project, cli("check", cwd=project).stderr)
    result = cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "938,25" in (project / "build/2023/tinh/soc-trang/index.html").read_text(encoding="utf-8")
    _publish(project)
    assert "corrections_included: 1" in (project / "data/2023/published.yaml").read_text(encoding="utf-8")
    result = cli("check", cwd=project)
    assert result.returncode == 0 and "cảnh báo" not in result.stderr  # the old entry is history now


def test_a_figure_now_credited_elsewhere_is_a_change_too(project):
    _publish(project)
    edit(project / "data/2023/provinces.yaml", SCORE, "score: {value: 938.21, qualifier: exact, source: sggp}")
    result = cli("check", cwd=project)
    assert result.returncode == 1
    assert "đã đăng là 938,21 điểm (bao-kien-giang), nay là 938,21 điểm (sggp)" in result.stderr


def test_a_removed_fact_and_a_changed_source_are_changes(project):
    _publish(project)
    edit(project / "data/2023/cluster.yaml", 'place: "Sóc Trăng"', 'place: "Cà Mau"')
    edit(project / "data/2023/cluster.yaml", 'publisher: "Sài Gòn Giải Phóng"', 'publisher: "Báo Sài Gòn Giải Phóng"')
    result = cli("check", cwd=project)
    assert result.returncode == 1
    assert "sự kiện conference.place đã đăng là Sóc Trăng, nay là Cà Mau" in result.stderr
    assert "nguồn sggp đã đăng là Sài Gòn Giải Phóng ·" in result.stderr


def test_a_correction_that_covers_nothing_is_a_warning(project):
    _publish(project)
    (project / "data/2023/corrections.yaml").write_text(
        'corrections:\n  - date: 2026-12-01\n    covers: ["provinces.Cà Mau.score"]\n'
        '    note: "Không có gì đổi."\n    source: bao-kien-giang\n', encoding="utf-8")
    result = cli("check", cwd=project)
    assert result.returncode == 0
    assert ("data/2023/corrections.yaml:3:13: cảnh báo: đính chính ngày 1/12/2026 nêu provinces.Cà Mau.score "
            "nhưng các số liệu này không khác bản đã đăng") in result.stderr
    assert cli("check", "--strict", cwd=project).returncode == 1


def test_a_draft_build_shows_the_uncorrected_change_under_a_band_and_is_not_indexed(project):
    _publish(project)
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    result = cli("build", "--draft", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "cảnh báo: điểm thi đua của Sóc Trăng đã đăng là 938,21 điểm" in result.stderr
    page = soup((project / "build/2023/tinh/soc-trang/index.html").read_bytes())
    assert page.select_one("p.draft-band").get_text(" ", strip=True).startswith("Bản nháp")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert "938,25" in page.get_text()
    for path in ("index.html", "2023/bang-xep-hang/index.html", "tinh/soc-trang/index.html"):  # it shows there too
        assert soup((project / "build" / path).read_bytes()).select_one("p.draft-band"), path
    other = soup((project / "build/2023/tinh/an-giang/index.html").read_bytes())  # a page that does not show it
    assert other.select_one("p.draft-band") is None and other.find("meta", attrs={"name": "robots"}) is None
    # nothing uncorrected: no band
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.25,", "score: {value: 938.21,")
    assert cli("build", "--draft", cwd=project).returncode == 0
    assert soup((project / "build/index.html").read_bytes()).select_one("p.draft-band") is None


def test_an_unpublished_edition_needs_no_correction(project):
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    assert cli("check", cwd=project).returncode == 0  # no published.yaml: never published


def test_publish_refuses_invalid_data_and_unknown_years(project):
    result = cli("publish", "2019", cwd=project)
    assert result.returncode == 1
    assert "không có năm số liệu 2019 để ghi là đã đăng" in result.stderr
    assert not (project / "data/2023/published.yaml").exists()
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", 'score: {value: "938,21",')
    result = cli("publish", cwd=project)
    assert result.returncode == 1 and "Chưa ghi được bản đã đăng" in result.stderr
    assert not (project / "data/2023/published.yaml").exists()


def test_diff_prints_each_change_and_the_pages_it_changes(project):
    _publish(project)
    provinces = project / "data/2023/provinces.yaml"
    edit(provinces, "score: {value: 938.21,", "score: {value: 938.25,")
    result = cli("diff", cwd=project)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"Năm 2023: 1 khác biệt so với bản đã đăng ngày \d+/\d+/\d{4}:", lines[0])
    assert lines[1] == (f"  điểm thi đua của Sóc Trăng: 938,21 điểm (bao-kien-giang) → 938,25 điểm (bao-kien-giang)  "
                        f"(data/2023/provinces.yaml:{position(provinces, '938.25').split(':')[0]})")
    pages = lines[2].split(": ", 1)[1].split(", ")
    assert {"2023/tinh/soc-trang/", "tinh/soc-trang/", "2023/bang-xep-hang/"} <= set(pages)
    assert "2023/tinh/an-giang/" not in pages  # it does not show Sóc Trăng's score
    edit(provinces, "score: {value: 938.25,", "score: {value: 938.21,")
    assert cli("diff", cwd=project).stdout.startswith("Năm 2023: không khác bản đã đăng ngày ")


def _corrected(project):
    _publish(project)
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    _paste_the_entry(project, cli("check", cwd=project).stderr)
    result = cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "build"


def test_the_pages_that_show_a_corrected_figure_say_so_at_their_top(project):
    site = _corrected(project)
    notice = "Trang này có số liệu đã được đính chính: điểm thi đua của Sóc Trăng trước đây ghi 938,21 điểm " \
             "(bao-kien-giang), nay là 938,25 điểm (đính chính ngày "
    for path in ("index.html", "2023/index.html", "2023/tinh/soc-trang/index.html", "tinh/soc-trang/index.html",
                 "2023/bang-xep-hang/index.html", "2023/tinh/index.html", "2023/du-lieu/index.html"):
        page = soup((site / path).read_bytes())
        note = page.select_one("main > p.correction-notice")
        assert note is not None and " ".join(note.get_text().split()).startswith(notice), path
    # pages that do not show Sóc Trăng's score (the years page shows the leader's, Cà Mau's)
    for path in ("2023/tinh/an-giang/index.html", "tinh/an-giang/index.html", "404.html", "cac-nam/index.html"):
        assert soup((site / path).read_bytes()).select_one("p.correction-notice") is None, path


def test_the_article_ends_with_the_correction_both_values_in_vietnamese_format(project):
    site = _corrected(project)
    section = soup((site / "2023/index.html").read_bytes()).select_one("section.corrections")
    text = " ".join(section.get_text(" ").split())
    assert re.search(r"Đính chính ngày \d+/\d+/\d{4}: điểm thi đua của Sóc Trăng trước đây ghi 938,21 điểm "
                     r"\(bao-kien-giang\); số liệu đúng là 938,25 điểm\. Điểm của Sóc Trăng chép nhầm từ bản in\.", text)


def test_the_logs_the_json_ld_and_the_downloads_carry_the_correction(project):
    import csv
    import io
    import json
    site = _corrected(project)
    log = " ".join(soup((site / "dinh-chinh/index.html").read_bytes()).get_text(" ").split())
    assert "Chính sách đính chính" in log and "trước đây ghi 938,21 điểm (bao-kien-giang); nay là 938,25 điểm" in log
    data = " ".join(soup((site / "2023/du-lieu/index.html").read_bytes()).get_text(" ").split())
    assert "trước đây ghi 938,21 điểm (bao-kien-giang); nay là 938,25 điểm" in data
    (article,) = [json.loads(s.string) for s in soup((site / "2023/index.html").read_bytes())
                  .find_all("script", type="application/ld+json")]
    (correction,) = article["correction"]
    assert correction["@type"] == "CorrectionComment" and "938,25 điểm" in correction["text"]
    assert article["dateModified"] == correction["datePublished"] >= article["datePublished"]
    rows = list(csv.DictReader(io.StringIO((site / "2023/du-lieu/so-lieu-2023.csv").read_text(encoding="utf-8-sig"))))
    (score,) = [r for r in rows if r["province"] == "Sóc Trăng" and r["field"] == "score"]
    assert score["value"] == "938.25" and score["previous"] == "938,21 điểm (bao-kien-giang)"
    assert score["corrected"] == correction["datePublished"]
    assert all(r["corrected"] == "" for r in rows if r is not score)
    for path in site.rglob("*.html"):  # the policy is one click from every page
        page = soup(path.read_bytes())
        if page.find("meta", attrs={"http-equiv": "refresh"}) or "nhung" in path.parts:
            continue  # a redirect, or a table or chart to embed elsewhere (it links its full page)
        assert page.find("a", string="chính sách đính chính"), path


def test_a_correction_names_a_declared_source(project):
    _publish(project)
    (project / "data/2023/corrections.yaml").write_text(
        'corrections:\n  - date: 2026-12-01\n    covers: ["provinces.Cà Mau.score"]\n'
        '    note: "Thử."\n    source: bao-khong-co\n', encoding="utf-8")
    result = cli("check", cwd=project)
    assert result.returncode == 1
    assert ("data/2023/corrections.yaml:5:13: lỗi: đính chính ngày 1/12/2026 ghi nguồn “bao-khong-co” chưa khai báo"
            in result.stderr)
    (project / "data/2023/corrections.yaml").write_text(
        'corrections:\n  - date: 2026-12-01\n    covers: ["provinces.Cà Mau.score"]\n    note: "Thử."\n',
        encoding="utf-8")
    result = cli("check", cwd=project)
    assert result.returncode == 1 and "corrections.yaml:2:5: lỗi: thiếu trường nguồn của số liệu mới" in result.stderr


def test_the_published_figures_put_back_are_every_changed_one(project):
    """diff renders the site with the published figures put back: every changed figure of one
    province goes back, a figure now left out included."""
    from cumthidua_site import corrections
    from cumthidua_site.dataset import load_project
    _publish(project)
    data = project / "data"
    edit(data / "2023/provinces.yaml",
         "  rank: {value: 2, qualifier: exact, source: bao-kien-giang}\n"
         "  score: {value: 938.21, qualifier: exact, source: bao-kien-giang}\n"
         "  income_per_capita: {qualifier: unknown}\n",
         "  score: {value: 938.25, qualifier: exact, source: bao-kien-giang}\n"
         "  income_per_capita: {value: 70, qualifier: exact, source: bao-kien-giang}\n")
    loaded, _ = load_project(data)
    edition = loaded.editions[2023].edition
    published, _, _ = corrections.load(data / "2023", data)
    said = {d.key: (d.old, d.new) for d in corrections.differences(edition, published, data / "2023/cluster.yaml")
            if d.key.startswith("provinces.")}  # (the named high-income list is a fact that changes too)
    assert said == {
        "provinces.Sóc Trăng.rank": ("2 (bao-kien-giang)", "bài gốc không nêu"),
        "provinces.Sóc Trăng.score": ("938,21 điểm (bao-kien-giang)", "938,25 điểm (bao-kien-giang)"),
        "provinces.Sóc Trăng.income_per_capita": ("bài gốc không nêu",
                                                  "70 triệu đồng/người/năm (bao-kien-giang)")}
    soc_trang = corrections.as_published(edition, published).provinces["Sóc Trăng"]
    assert (str(soc_trang.rank.value), str(soc_trang.score.value)) == ("2", "938.21")
    assert not soc_trang.income_per_capita.known and soc_trang.name == "Sóc Trăng"
