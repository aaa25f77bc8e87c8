"""A written build renders on two cores: a worker process renders some editions' pages straight
into the staging folder. What it writes must be exactly what one process makes, and a worker
that fails must cost time only, never a page or a located message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cumthidua_site import build, render

from conftest import edit


@pytest.fixture
def workers(monkeypatch):
    """Every build forks its worker, however small the site; the workers started are listed."""
    started: list[render.Worker] = []
    original = render.Worker.start.__func__

    def start(cls, *args):
        worker = original(cls, *args)
        started.append(worker)
        return worker
    monkeypatch.setattr(render, "PARALLEL_FROM", 0)
    monkeypatch.setattr(render.Worker, "start", classmethod(start))
    return started


def written(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
            and p.name != ".cumthidua-site"}


def in_memory(data: Path) -> dict[str, bytes]:
    build.forget()
    result = build.run(data, draw=True)
    assert not result.failed(), result.problems
    return result.output()


def test_a_build_on_two_cores_writes_what_one_process_makes(merged_project, workers):
    data, out = merged_project / "data", merged_project / "build"
    edit(data / "site.yaml", 'base_url: ""', 'base_url: "https://example.vn/cum-thi-dua/"')  # a sitemap too
    build.forget()
    result = build.run(data, out=out)
    assert not result.failed(), result.problems
    [worker] = workers
    assert worker is not None and worker.theirs  # the worker took editions...
    assert isinstance(worker.outcome.result, dict)  # ...and made their pages itself
    theirs = sorted(worker.theirs)
    files = written(out)
    assert any(path.startswith(f"{theirs[0]}/tinh/") for path in files)
    assert f"cum-thi-dua/{theirs[0]}/tinh/".encode() in files["sitemap.xml"]  # the worker's pages are listed
    assert files == in_memory(data)
    assert result.count == len(files) and result.size == sum(len(content) for content in files.values())


def test_a_worker_that_fails_costs_time_not_pages(merged_project, workers, monkeypatch):
    data, out = merged_project / "data", merged_project / "build"
    parent, original = os.getpid(), render._render_editions

    def crash_in_the_worker(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("a bug in the worker")
        return original(*args, **kwargs)
    monkeypatch.setattr(render, "_render_editions", crash_in_the_worker)
    build.forget()
    result = build.run(data, out=out)
    assert not result.failed(), result.problems
    assert workers[0].outcome.failure == "crash"
    assert written(out) == in_memory(data)


def test_a_mistake_in_an_edition_the_worker_renders_is_said_and_nothing_is_written(merged_project, workers):
    data, out = merged_project / "data", merged_project / "build"
    build.forget()
    assert not build.run(data, out=out).failed()
    before = written(out)
    year = min(workers[0].theirs)
    article = data / str(year) / "article.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\nMột câu dùng {{ so_lieu_khong_co }}.\n", encoding="utf-8")
    line = text.count("\n") + 2
    build.forget()
    result = build.run(data, out=out)
    assert result.failed() and year in workers[1].theirs
    [problem] = result.errors
    assert problem.location.path == article and problem.location.line == line
    assert written(out) == before and [p.name for p in out.parent.iterdir() if p.name.startswith(".build")] == []


def test_a_one_figure_edit_keeps_every_other_file_as_published(merged_project, workers):
    """Unchanged files are linked from the published folder, not written again: their dates
    stay, so rsync and HTTP caches see only what changed."""
    data, out = merged_project / "data", merged_project / "build"
    build.forget()
    assert not build.run(data, out=out).failed()
    stamps = {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.html")}
    edit(data / "2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    build.forget()
    result = build.run(data, out=out)
    assert not result.failed() and result.changed
    after = {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.html")}
    assert after.keys() == stamps.keys()
    changed = sorted(path for path in after if after[path] != stamps[path])
    assert "2023/tinh/soc-trang/index.html" in changed
    assert "2021/tinh/soc-trang/index.html" not in changed and "2026/index.html" not in changed
    assert len(changed) < len(after) / 2
    assert written(out) == in_memory(data)
