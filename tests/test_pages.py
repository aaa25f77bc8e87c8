"""The page registry: each page kind's typed context is exactly what its template documents and uses."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest

from cumthidua_site import contexts, pages, render
from cumthidua_site.build import run
from cumthidua_site.dataset import load_project
from conftest import EDITION_2021, TEMPLATES, edit

# Names every template may use without being given them: Jinja's own and our globals.
BUILTIN = {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "compare", "credit"}


def documented(name: str) -> set[str]:
    """The names a template's first line documents: {# context: a b c #}."""
    first = (TEMPLATES / name).read_text(encoding="utf-8").split("\n", 1)[0]
    match = re.fullmatch(r"\{# context: ([\w ]+) #\}", first)
    assert match, f"{name} does not document its context on its first line"
    return set(match.group(1).split())


@pytest.mark.parametrize("template, context", sorted(contexts.TEMPLATES.items()))
def test_each_template_documents_exactly_its_context(template, context):
    fields = {f.name for f in dataclasses.fields(context)}
    assert documented(template) == fields
    env = render.environment(TEMPLATES)
    # `ids` is set by the `{% with %}` around each include of the source line
    # what serve's page keys rely on too (render._reads): "*" would mean a template named by a variable
    assert render._reads(env, template, render._templates_state(TEMPLATES)) - fields - BUILTIN - {"ids"} == set()


def test_the_base_layout_documents_what_every_page_has():
    assert documented("base.html") == {f.name for f in dataclasses.fields(contexts.Base)}


def test_every_page_gets_its_kinds_context(project):
    shutil.copytree(EDITION_2021, project / "data/2021")
    loaded, _ = load_project(project / "data")
    env = render.environment(TEMPLATES)
    shared = pages.Shared(loaded, "", "", "", {}, lambda year, path: {})
    seen = {}
    for kind in pages.KINDS:
        if kind in (pages.article_pages, pages.years_page):
            continue  # these need the rendered articles: covered by the builds
        for page in kind(shared if kind is not pages.data_pages else _with_files(shared, loaded)):
            assert type(page.context) is contexts.TEMPLATES[page.template], page.path
            assert page.path not in seen, page.path
            seen[page.path] = page
            env.get_template(page.template)  # exists
    assert "2021/tinh/kien-giang/index.html" in seen and "tinh/kien-giang/index.html" in seen


def _with_files(shared, loaded):
    from cumthidua_site import urls
    files = {path: b"" for year in loaded.editions for path in urls.downloads(year).values()}
    return dataclasses.replace(shared, files=files, sizes={path: 0 for path in files})


def test_writing_one_path_twice_is_an_error(project):
    """Two provinces whose names differ only by their marks would share one page: said, not overwritten."""
    data = project / "data"
    edit(data / "reference/provinces.yaml", '  - "Cà Mau"\n', '  - "Cà Mau"\n  - "Cà Mâu"\n')
    edit(data / "2023/provinces.yaml", "Cà Mau:\n", "Cà Mâu: {}\n\nCà Mau:\n")
    edit(data / "2023/cluster.yaml", "{value: 12, qualifier: exact, source: bao-kien-giang}",
         "{value: 13, qualifier: exact, source: bao-kien-giang}")
    edit(data / "2023/cluster.yaml", "{value: 12, qualifier: exact, source: kinh-te-moi-truong}",
         "{value: 13, qualifier: exact, source: kinh-te-moi-truong}")
    result = run(data)
    messages = [p.message for p in result.errors]
    assert "hai trang cùng địa chỉ 2023/tinh/ca-mau/index.html" in messages
    assert result.files == {}
