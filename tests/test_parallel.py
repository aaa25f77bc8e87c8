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


def test_a_rule_broken_while_the_worker_renders_stops_the_build_and_is_said(merged_project, workers):
    """On a large site the checks run while the worker renders: a broken rule still stops the
    build before anything is written, and is said in its place among the other problems."""
    data, out = merged_project / "data", merged_project / "build"
    build.forget()
    assert not build.run(data, out=out).failed()
    before = written(out)
    edit(data / "2023/provinces.yaml", "rank: {value: 4,", "rank: {value: 2,")  # two provinces ranked 2nd
    build.forget()
    result = build.run(data, out=out)
    assert result.failed() and workers[1] is not None
    assert any("cùng xếp thứ 2" in p.message for p in result.errors), result.problems
    assert written(out) == before and [p.name for p in out.parent.iterdir() if p.name.startswith(".build")] == []
    build.forget()
    alone = build.run(data)  # the same problems, in the same order, as a build that writes nothing
    assert [(p.message, str(p.location)) for p in alone.problems] == \
        [(p.message, str(p.location)) for p in result.problems]


def test_a_mistake_in_a_template_stops_the_worker_and_leaves_nothing_behind(merged_project, workers):
    """A page only this process renders fails (a mistake in our templates): the worker is stopped,
    its staging folder removed, the published output untouched, the mistake located."""
    data, out, templates = merged_project / "data", merged_project / "build", merged_project / "templates"
    build.forget()
    assert not build.run(data, out=out, templates=templates).failed()
    before = written(out)
    edit(templates / "404.html", "{% block main %}", "{% block main %}{{ khong_co_bien_nay }}")
    build.forget()
    result = build.run(data, out=out, templates=templates)
    assert result.failed() and workers[1] is not None and workers[1].outcome is None
    [problem] = result.errors
    assert problem.location.path.name == "404.html" and "mẫu trang có lỗi" in problem.message
    assert written(out) == before
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".build")] == []
    with pytest.raises(ChildProcessError):  # the worker was reaped: no child of ours is left running
        os.waitpid(workers[1].running.pid, os.WNOHANG)


def test_an_editors_lock_file_beside_the_templates_changes_nothing(merged_project):
    """Emacs leaves a dangling link (.#base.html) beside a template it is editing; vim a .swp file
    that changes as one types. Neither is a template: builds and serve's rebuilds go on."""
    data, templates = merged_project / "data", merged_project / "templates"
    (templates / ".#base.html").symlink_to("user@host.12345:1700000000")
    (templates / ".base.html.swp").write_bytes(b"\x00" * 16)
    build.forget()
    first = build.run(data, templates=templates)
    assert not first.failed(), first.problems
    (templates / ".base.html.swp").write_bytes(b"\x01" * 32)
    again = build.run(data, templates=templates)
    assert not again.failed() and again.files == first.files
    assert not build.run(data, out=merged_project / "build", templates=templates).failed()


def test_a_dataset_made_from_another_is_known_by_its_contents(merged_project):
    """A dataset whose article (or edition, or site) was replaced no longer carries the hash of
    the texts it was loaded from: what is kept under that hash cannot be served for it."""
    import dataclasses
    from cumthidua_site.dataset import load_project
    project, _ = load_project(merged_project / "data")
    dataset = project.editions[2023]
    assert dataset.fingerprint
    changed = dataclasses.replace(dataset, article=dataclasses.replace(dataset.article, body="Khác."))
    assert changed.fingerprint == ""
    assert dataclasses.replace(dataset, edition=dataset.edition.model_copy()).fingerprint == ""


def test_check_renders_on_two_cores_too_and_keeps_nothing(merged_project, workers, capsys):
    """`check` renders every page as a written build does, the worker's editions in the worker,
    to find every mistake; it keeps none of them and writes nothing, and says the worker's
    mistakes at their file and line like a build."""
    from cumthidua_site.cli import main
    data = merged_project / "data"
    build.forget()
    result = build.run(data, keep=False)
    assert not result.failed(), result.problems
    [worker] = workers
    assert worker.theirs and isinstance(worker.outcome.result, dict)
    assert result.files == {} and result.drawn is None and result.written is None  # nothing kept, nothing drawn
    year = min(worker.theirs)
    article = data / str(year) / "article.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\nMột câu dùng {{ so_lieu_khong_co }}.\n", encoding="utf-8")
    build.forget()
    before = sorted(p.name for p in merged_project.iterdir())
    assert main(["check", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert f"{year}/article.md:{text.count(chr(10)) + 2}:" in err and "Số liệu chưa đạt" in err
    assert year in workers[1].theirs
    assert sorted(p.name for p in merged_project.iterdir()) == before  # nothing written beside the project


def test_the_pictures_a_worker_leaves_to_draw_are_found_by_the_next_build(merged_project, workers, tmp_path,
                                                                           monkeypatch):
    """A share picture is named from its card (`cards.share_key`), not from its SVG: the worker's
    report keeps that name, so the picture is drawn into the cache under it and the next build,
    in new processes, draws nothing and writes the same files."""
    monkeypatch.setenv("CUMTHIDUA_CACHE", str(tmp_path / "cache"))
    data = merged_project / "data"
    build.forget()
    first = build.run(data, out=tmp_path / "first")
    assert not first.failed(), first.problems and workers[0].theirs
    assert first.drawn.drawn > 0
    cached = {path.stem for path in (tmp_path / "cache/images").glob("*.png")}
    shared = [path for path in written(tmp_path / "first") if path.startswith("anh/")]
    assert shared and all(any(key.startswith(Path(path).stem) for key in cached) for path in shared)
    build.forget()
    again = build.run(data, out=tmp_path / "again")
    assert not again.failed() and again.drawn.drawn == 0
    assert written(tmp_path / "again") == written(tmp_path / "first")


def test_claims_share_every_edition_out_once_between_two_processes():
    """Both processes take editions from one pipe as they go: each edition is taken by exactly one
    of them, however the two interleave, and a drained pipe says so at once (no wait)."""
    years = list(range(1000, 1600))
    claims = render.Claims.of(years)
    assert claims is not None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker's side: take until none is left, say which
        try:
            while claims.take() is not None:
                pass
            os.write(write, ",".join(map(str, claims.taken)).encode())
        finally:
            os._exit(0)
    os.close(write)
    while claims.take() is not None:
        pass
    os.waitpid(pid, 0)
    said = b""
    while chunk := os.read(read, 65536):
        said += chunk
    os.close(read)
    theirs = [int(year) for year in said.decode().split(",") if year]
    assert sorted(claims.taken + theirs) == years  # none twice, none lost
    assert claims.take() is None  # drained and closed: still none


def test_claims_refuse_more_editions_than_a_record_names():
    assert render.Claims.of(list(range(256 ** render.Claims.RECORD))) is None
