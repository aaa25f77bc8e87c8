"""Rendering: article template mistakes are located; markup in data stays text."""

from __future__ import annotations

import json

import pytest

from cumthidua_site.cli import main
from conftest import edit, position, soup, text_of


def build(project, capsys) -> tuple[int, str]:
    code = main(["build", "--data", str(project / "data"), "--out", str(project / "build")])
    return code, capsys.readouterr().err


def test_unknown_name_in_article_is_located_with_a_suggestion(project, capsys):
    article = project / "data/2023/article.md"
    edit(article, "{{ economy.exports | fig }}, {{ economy.exports_growth",
         "{{ econmy.exports | fig }}, {{ economy.exports_growth")
    code, err = build(project, capsys)
    assert code == 1
    where = position(article, "econmy")
    assert f"data/2023/article.md:{where}: lỗi: bài viết dùng tên “econmy” không có trong số liệu" in err
    assert "gợi ý: có phải “economy”?" in err


def test_unknown_field_in_article(project, capsys):
    article = project / "data/2023/article.md"
    edit(article, "{{ economy.exports_of_plan | fig", "{{ economy.exports_of_pln | fig")
    code, err = build(project, capsys)
    assert code == 1
    assert f"article.md:{position(article, 'exports_of_pln')}: lỗi: bài viết dùng trường “exports_of_pln”" in err


def test_article_syntax_error_and_unknown_table(project, capsys):
    article = project / "data/2023/article.md"
    edit(article, '{{ table("awards") }}', '{{ table("award") }}')
    code, err = build(project, capsys)
    assert code == 1
    where = position(article, 'award")')
    assert f"article.md:{where}: lỗi: không có bảng “award”" in err
    edit(article, '{{ table("award") }}', '{{ table("awards") }')
    code, err = build(project, capsys)
    line = position(article, '{{ table("awards") }').split(":")[0]
    assert code == 1 and f"article.md:{line}:" in err and "sai cú pháp" in err


def test_headline_expression_errors_point_into_the_front_matter(project, capsys):
    article = project / "data/2023/article.md"
    edit(article, "{{ at_rank(1).name }} dẫn đầu", "{{ at_rank(3).name }} dẫn đầu")
    code, err = build(project, capsys)
    assert code == 1
    assert f"article.md:{position(article, 'title:').split(':')[0]}:" in err
    assert "nguồn không nêu tỉnh xếp thứ 3" in err


def test_markdown_cannot_inject_script_handlers_or_javascript_links(project, capsys):
    edit(project / "data/2023/article.md", "## Kinh tế toàn cụm",
         '<script>alert(a)</script>\n\n<p onclick="alert(b)">bấm</p>\n\n'
         '[liên kết](javascript:alert(c)) <img src=x onerror="alert(d)">\n\n## Kinh tế toàn cụm')
    code, _ = build(project, capsys)
    assert code == 0
    html = (project / "build/index.html").read_text(encoding="utf-8")
    page = soup(html)
    assert [s.get("type") for s in page.find_all("script")] == ["application/ld+json", None]  # only ours
    assert "alert(a)" not in html.replace("&lt;script&gt;alert(a)", "")
    assert not [tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert "javascript:" not in html
    assert page.find("img") is None


def test_markup_in_data_is_shown_as_text(project, capsys):
    evil = "</script><script>alert(1)</script> & <b>đậm</b> \" onload=\"x"
    edit(project / "data/2023/cluster.yaml", 'title: "Kiên Giang xếp hạng 4 Cụm thi đua các tỉnh miền Tây Nam bộ"',
         f"title: '{evil}'")
    code, _ = build(project, capsys)
    assert code == 0
    for path in sorted((project / "build").rglob("*.html")):
        if path.name == "404.html" or path.parent.name == "dinh-chinh":
            continue  # they show no figure (the corrections page none while nothing was corrected): no credit
        html = path.read_text(encoding="utf-8")
        page = soup(html)
        if page.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # a redirect page of an old address shows nothing but the way on
        scripts = page.find_all("script")
        assert all(s.get("type") in (None, "application/ld+json") for s in scripts)
        assert not [s for s in scripts if "alert(1)" in s.get_text()], path  # no script of the editor's
        assert page.find("b") is None and not page.find_all(attrs={"onload": True})
        assert evil in text_of(html), path  # shown, as text, in the credit line
        for block in page.find_all("script", type="application/ld+json"):
            data = json.loads(block.string)  # still valid JSON, and it carries the text intact
            assert evil in _strings(data), path


def _strings(data) -> list[str]:
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


def test_chart_text_is_escaped():
    from decimal import Decimal
    from cumthidua_site.charts import Chart, Row, render
    from cumthidua_site.figures import Points
    evil = "</svg><script>alert(1)</script>&"
    svg = render(Chart("c", evil, evil, [Row(evil, Points(value=Decimal(1), qualifier="exact", source="s"))]))
    page = soup(f"<!DOCTYPE html><html><body>{svg}</body></html>")
    assert page.find("script") is None
    assert page.find("svg").find("title").get_text() == evil
    assert evil in page.find("svg").get_text()


def test_headings_get_vietnamese_slug_anchors(site):
    page = soup((site / "index.html").read_bytes())
    ids = [h2.get("id") for h2 in page.select(".prose h2")]
    assert "kinh-te-toan-cum" in ids and "giam-ngheo" in ids


def test_article_expressions_are_sandboxed(project, capsys):
    article = project / "data/2023/article.md"
    for evil in ("{{ cluster.__class__.__init__.__globals__ }}", "{{ 'x' * 100000000 }}",
                 "{{ 9 ** 9 ** 9 }}", "{% for i in range(10 ** 9) %}{% endfor %}"):
        original = article.read_text(encoding="utf-8")
        edit(article, "## Giảm nghèo", f"{evil}\n\n## Giảm nghèo")
        code, err = build(project, capsys)
        assert code == 1, evil
        assert f"article.md:{position(article, evil).split(':')[0]}:" in err
        assert "Traceback" not in err
        article.write_text(original, encoding="utf-8")


@pytest.mark.parametrize("typed, number, hint", [
    ("Sóc Trăng đạt 938,21 điểm.", "938,21", '{{ province("Sóc Trăng").score | fig }}'),
    ("Thu ngân sách trên 98.000 tỷ đồng.", "98.000", "{{ economy.budget_revenue | fig }}"),
    ("## Năm 2023", "2023", "{{ cluster.year }}"),
    ("Có 7 tỉnh.", "7", "lấy con số từ số liệu bằng một biểu thức"),
])
def test_a_figure_typed_into_the_prose_is_an_error(project, capsys, typed, number, hint):
    article = project / "data/2023/article.md"
    edit(article, "## Giảm nghèo", f"{typed}\n\n## Giảm nghèo")
    code, err = build(project, capsys)
    assert code == 1 and not (project / "build").exists()
    assert f"article.md:{position(article, typed, typed.index(number))}: lỗi: bài viết gõ tay con số “{number}”" in err
    assert hint in err and '{{ "' in err  # and how to write text that is not a figure


def test_a_figure_typed_into_the_front_matter_is_an_error(project, capsys):
    article = project / "data/2023/article.md"
    edit(article, 'sapo: "{{ at_rank(1).name }} đứng đầu', 'sapo: "Năm 2023, {{ at_rank(1).name }} đứng đầu')
    code, err = build(project, capsys)
    assert code == 1 and f"article.md:{position(article, '2023,')}: lỗi: bài viết gõ tay con số “2023”" in err


@pytest.mark.parametrize("text", [
    'Các tỉnh cam kết thực hiện Chỉ thị số {{ "19/CT-TTg" }} của Thủ tướng.',  # the documented way
    "1. mục thứ nhất\n2. mục thứ hai",  # an ordered list's numbers
    "Xem [bài gốc](https://baokiengiang.vn/bai-19653.html).",  # a link's address
    "{# ghi chú 2023 #}Đoạn văn.",  # a template comment
])
def test_numbers_that_are_not_typed_figures_pass(project, capsys, text):
    edit(project / "data/2023/article.md", "## Giảm nghèo", f"{text}\n\n## Giảm nghèo")
    code, err = build(project, capsys)
    assert code == 0, err
