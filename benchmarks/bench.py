"""`make bench`: build time, the weight of every page, and the cost of the hostile-input limits.

Run on a shared machine, so it reports medians over repeated runs, never a
pass/fail on time. Weight is what a reader downloads: each HTML page gzipped
(everything it loads is inlined), against the 14 KB first round trip.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import re
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cumthidua_site import article, caches, images
from cumthidua_site.build import forget, run, settle
from cumthidua_site.dataset import load_dataset

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 14 * 1024      # bytes: what fits in the first TCP round trip (10 segments)
SCRIPT_BUDGET = 2048    # bytes: the table-sorting script
RUNS = 7


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description="make bench: build time, weights, pictures, scale")
    options.add_argument("--no-scale", action="store_true", help="skip the whole-process figures (archive 1x, 10x)")
    options.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "last-run.json",
                         help="where to write the figures as JSON")
    options.add_argument("--edit", type=Path, help="only the one-figure edit rebuilt in this process, for DATA")
    args = options.parse_args(argv)
    if args.edit is not None:  # a process of its own, as serve's: only this project in it (and its own cache)
        print(f"{edit_rebuild(args.edit):.3f}")
        return 0
    user_env = dict(os.environ)  # the whole-process builds use the user's cache: pictures drawn once per machine
    # Every folder the bench makes is deleted at its very end, none before: see `scale.measure`.
    trash: list[Path] = []
    try:
        return _measure_all(args, user_env, trash)
    finally:
        for folder in trash:
            shutil.rmtree(folder, ignore_errors=True)


def _folder(trash: list[Path], prefix: str, **where) -> Path:
    """A new temporary folder, deleted at the end of the bench."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, **where))
    trash.append(folder)
    return folder


def _measure_all(args: argparse.Namespace, user_env: dict, trash: list[Path]) -> int:
    # In this process, pictures are drawn into a cache of this run's own, so "cold" means drawn here and now.
    os.environ["CUMTHIDUA_CACHE"] = str(_folder(trash, "cumthidua-bench-"))
    timings, warm = [], []
    for _ in range(RUNS):
        forget()  # each run cold: nothing kept from the one before
        start = time.perf_counter()
        result = run(ROOT / "data", templates=ROOT / "templates")
        timings.append(time.perf_counter() - start)
        assert not result.failed(), result.problems
        start = time.perf_counter()
        run(ROOT / "data", templates=ROOT / "templates")  # what serve does when a save changed nothing
        warm.append(time.perf_counter() - start)
    forget()
    start = time.perf_counter()
    run(ROOT / "data", out=_folder(trash, "cumthidua-bench-") / "build", templates=ROOT / "templates")  # pictures drawn cold
    write_time = time.perf_counter() - start
    import scale
    print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}: {scale.bytecode()}")
    print(f"build in memory, cold (nothing kept in memory; templates, data files, downloads and the articles "
          f"made once, then read from the disk cache): median {statistics.median(timings) * 1000:.0f} ms over {RUNS} runs "
          f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}); with writing and every picture drawn: "
          f"{write_time * 1000:.0f} ms; "
          f"again in the same process with nothing changed: median {statistics.median(warm) * 1000:.0f} ms")
    print(f"{'page':34} {'bytes':>8} {'gzip':>8}  of 14 KB")
    over = 0
    for path, content in sorted(result.files.items()):
        if path.endswith((".png", ".svg")):
            continue  # the pictures: below
        packed = len(gzip.compress(content, compresslevel=9, mtime=0))
        flag = ""
        if path.endswith(".html"):
            flag = f"{packed / BUDGET:6.0%}" + ("  OVER BUDGET" if packed > BUDGET else "")
            over += packed > BUDGET
        print(f"{path:34} {len(content):8d} {packed:8d}  {flag}")
    each = pictures(result.pictures, trash)
    hostile(trash)
    serve_latency(trash)
    script = len((ROOT / "templates" / "sort.js").read_bytes())
    print(f"sort.js: {script} bytes (budget {SCRIPT_BUDGET})" + ("  OVER BUDGET" if script > SCRIPT_BUDGET else ""))
    report = {"bytecode_caching": not os.environ.get("PYTHONDONTWRITEBYTECODE"), "bytecode": scale.bytecode(),
              "in_process": {"cold_build_ms": statistics.median(timings) * 1000,
                             "unchanged_rebuild_ms": statistics.median(warm) * 1000}}
    if not args.no_scale:
        report.update(whole_process(user_env, trash, each))
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"figures written to {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 1 if over or script > SCRIPT_BUDGET else 0


def whole_process(env: dict, trash: list[Path], each_picture_s: float) -> dict:
    """Cold builds as new processes against the import floor, for the real site and the archive.
    `each_picture_s`: what drawing one picture costs, on two cores (`pictures`)."""
    import archive
    import scale
    # the real site: 9 pairs, as its 0.4 s build's ratio to the floor swings by 0.3 from pair to pair here
    measured, generated = [scale.measure("real site", ROOT / "data", trash, runs=9, env=env)], {}
    for factor in (1, 10):
        folder = _folder(trash, f"cumthidua-archive-{factor}x-")
        start = time.perf_counter()
        counts = archive.generate(folder, scale=factor)
        generated[factor] = (time.perf_counter() - start, counts)
        here, placed = env, 0
        if factor == 10:  # its pictures as stand-ins, in a cache of the bench's own (`scale.stand_in_pictures`)
            cache = _folder(trash, "cumthidua-bench-pictures-")
            placed = scale.stand_in_pictures(folder / "data", cache, trash, env)
            here = {**env, "CUMTHIDUA_CACHE": str(cache)}
        measured.append(scale.measure(f"archive {factor}x", folder / "data", trash, runs=5, env=here))
        measured[-1].stand_ins = placed
        if factor == 1:  # at 10x each rebuild takes half a minute, for a figure the target does not ask
            measured[-1].edit_ms = edit_in_own_process(folder / "data", trash)
    help_s, bare_s = scale.help_time()
    print(f"\nwhole process (a new process each run; PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}, {scale.bytecode()}; "
          "pictures from the user's cache, drawn once per machine)")
    print(f"{'project':12} {'pages':>6} {'build s':>8} {'floor s':>8} {'ratio':>6} {'pages/s':>8} {'RSS MB':>7} "
          f"{'check s':>8} {'same s':>7} {'first s':>8} {'write s':>8} {'RAM s':>6} {'RAM p/s':>8}")
    for f in measured:
        print(f"{f.name:12} {f.pages:6d} {f.build_s:8.3f} {f.floor_s:8.3f} {f.ratio:6.2f} {f.pages_per_s:8.0f} "
              f"{f.peak_rss_mb:7.0f} {f.check_s:8.3f} {f.unchanged_s:7.3f} {f.first_build_s:7.2f}{'*' if f.stand_ins else ' '}"
              f"{f.write_floor_s:8.3f} {f.ram_build_s:6.3f} {f.pages / f.ram_build_s if f.ram_build_s else 0:8.0f}")
    print("write s: the same folders and files written alone on this disk (two threads, pictures linked); "
          "RAM s: the build into /dev/shm (median of 3; at 10x one run of each)")
    for f in measured:
        if f.stand_ins:
            print(f"* {f.name}: its {f.stand_ins:,} pictures were placed in a cache of the bench's own as stand-ins "
                  f"before its first build, not drawn: the builds link a cached picture whatever it shows. Drawing "
                  f"them would take about {f.stand_ins * each_picture_s:.0f} s here ({each_picture_s * 1000:.0f} ms "
                  f"a picture on two cores, the real site's); the 1x archive's first build drew its own")
    for factor, (took, counts) in generated.items():
        print(f"archive {factor}x generated in {took:.1f} s: {counts}")
    print("heaviest page of each kind, gzipped bytes (of 14 KB):")
    for f in measured:
        print(f"  {f.name}: " + ", ".join(f"{kind} {size} ({count})" for kind, (count, size) in f.weights.items()))
    real, one, ten = measured
    targets = [
        ("real site cold build <= 1.3x import floor", f"{real.ratio:.2f}x", real.ratio <= 1.3),
        ("--help <= 5x python -c pass", f"{help_s * 1000:.0f} ms = {help_s / bare_s:.1f}x", help_s <= 5 * bare_s),
        ("archive 1x >= 1,000 pages/s", f"{one.pages_per_s:.0f} pages/s (writing its files alone takes "
         f"{one.write_floor_s:.2f} of its {one.build_s:.2f} s on this disk; into RAM: "
         f"{one.pages / one.ram_build_s if one.ram_build_s else float('nan'):.0f} pages/s)", one.pages_per_s >= 1000),
        ("10x takes <= 11x as long as 1x", f"{ten.build_s / one.build_s:.1f}x", ten.build_s <= 11 * one.build_s),
        ("peak RSS < 200 MB at 10x", f"{ten.peak_rss_mb:.0f} MB", ten.peak_rss_mb < 200),
        ("one-figure edit re-rendered <= 100 ms (archive 1x, in-process)", f"{one.edit_ms:.0f} ms", one.edit_ms <= 100),
        ("an unchanged build writes nothing", "wrote" if any(f.unchanged_wrote for f in measured) else "wrote nothing",
         not any(f.unchanged_wrote for f in measured)),
        ("every page within 14 KB gzipped", max(size for f in measured for _, size in f.weights.values()),
         all(size <= BUDGET for f in measured for _, size in f.weights.values())),
    ]
    print("targets:")
    for what, figure, met in targets:
        print(f"  {'met ' if met else 'NOT '} {what}: {figure}")
    return {"whole_process": scale.as_json(measured), "help_ms": help_s * 1000, "python_pass_ms": bare_s * 1000,
            "generated": {f"{k}x": {"seconds": t, **c} for k, (t, c) in generated.items()},
            "targets": [{"target": w, "measured": str(m), "met": ok} for w, m, ok in targets]}


def edit_in_own_process(data: Path, trash: list[Path]) -> float:
    """`edit_rebuild` in a new process, like serve's, that holds nothing of this bench's other
    projects: a process grown by the 1 MB hostile file forks the article's child slower."""
    cache = _folder(trash, "cumthidua-bench-edit-")
    done = subprocess.run([sys.executable, __file__, "--edit", str(data)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "CUMTHIDUA_CACHE": str(cache)})
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(done.stderr, file=sys.stderr)
        return float("nan")


def edit_rebuild(data: Path, edits: int = 5) -> float:
    """What serve does after a save: the project built once, then one figure changed and built
    again in the same process; the median over edits of one figure, each a new value."""
    found = None
    for folder in sorted((p for p in data.iterdir() if p.name.isdigit()), reverse=True):  # the newest that has one
        path = folder / "provinces.yaml"
        text = path.read_text(encoding="utf-8")
        found = re.search(r"(?:income_per_capita|poverty_reduction): \{value: ([0-9.]+), qualifier: exact", text)
        if found:
            break
    if found is None:
        return float("nan")
    caches.defer()  # as serve does: the disk cache's files are written once a rebuild is shown
    assert not run(data).failed()
    took = []
    for index in range(1, edits + 1):
        value = f"{float(found.group(1)) + index / 100:.2f}"
        path.write_text(text[:found.start(1)] + value + text[found.end(1):], encoding="utf-8")
        settle()  # what serve does once the last rebuild is shown
        start = time.perf_counter()
        result = run(data)
        took.append(time.perf_counter() - start)
        if result.failed():
            return float("nan")
    path.write_text(text, encoding="utf-8")
    caches.defer(False)
    return statistics.median(took) * 1000


def pictures(found: dict[str, images.Picture], trash: list[Path]) -> float:
    """Rasterising: every picture drawn cold (an empty cache), then again from the disk cache and
    from memory; one picture of each kind drawn alone, for its own cost. Returns the seconds each
    picture took, drawn cold on two cores."""
    unique = {p.key: p for p in found.values()}
    shares = [p for p in unique.values() if p.zoom == 1]
    chart_images = [p for p in unique.values() if p.zoom != 1]
    os.environ["CUMTHIDUA_CACHE"] = str(_folder(trash, "cumthidua-bench-"))  # empty: drawn here and now
    images._MEMORY.clear()
    start = time.perf_counter()
    drawn = images.rasterise_all(found)
    cold = time.perf_counter() - start
    images._MEMORY.clear()
    start = time.perf_counter()
    images.rasterise_all(found)
    disk = time.perf_counter() - start
    start = time.perf_counter()
    images.rasterise_all(found)
    memory = time.perf_counter() - start
    one_share = _median_ms(lambda: images.draw(shares[0]), 5) if shares else 0.0
    one_chart = _median_ms(lambda: images.draw(chart_images[0]), 5) if chart_images else 0.0
    weight = sorted(len(drawn.read(path)) for path in drawn.sources)
    print(f"pictures: {len(shares)} share pictures (1200x630) and {len(chart_images)} chart images for "
          f"{len(found)} files; drawn cold on two cores in {cold * 1000:.0f} ms; from the disk cache "
          f"{disk * 1000:.0f} ms; from memory {memory * 1000:.1f} ms")
    print(f"one picture drawn alone: share picture median {one_share:.1f} ms, chart image (x3) {one_chart:.1f} ms; "
          f"PNG sizes median {statistics.median(weight) / 1024:.1f} KB, largest {weight[-1] / 1024:.1f} KB, "
          f"all {sum(weight) / 1024:.0f} KB")
    return cold / max(1, drawn.drawn)


def _median_ms(work, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def hostile(trash: list[Path]) -> None:
    """What the limits of issue 8 cost, and the worst inputs they still let through."""
    dataset, _ = load_dataset(ROOT / "data")
    blocks = {f"table:{n}": "" for n in article.TABLES} | {f"chart:{n}": "" for n in article.CHARTS}
    def cold(work):  # nothing kept from the last render, in memory or on disk: compiled body, rendered article
        def again():
            article._RENDERED.clear()
            article._COMPILED.clear()
            shutil.rmtree(caches.folder("articles"), ignore_errors=True)
            return work()
        return again

    def rendered_forgotten():  # the rendered article dropped (memory and disk), its compiled body and fields kept
        article._RENDERED.clear()
        for kept in caches.folder("articles").glob("rendered-*.json"):
            kept.unlink()
        return article.render_article(dataset, blocks)
    isolated = _median_ms(cold(lambda: article.render_article(dataset, blocks)), 21)
    inline = _median_ms(cold(lambda: article._render(dataset, blocks, lambda stage: None)), 21)
    print(f"article in a child process: median {isolated:.1f} ms, in-process {inline:.1f} ms "
          f"(isolation costs {isolated - inline:.1f} ms, 21 runs each, nothing kept between runs but the "
          f"Markdown converter, made once per process)")
    article.render_article(dataset, blocks)
    recompiled = _median_ms(rendered_forgotten, 21)
    print(f"article rendered again in a child, its compiled body and fields kept (serve, after a figure changed): "
          f"median {recompiled:.1f} ms")
    worst = "\n\n".join(["[a] <b> " * (article.MAX_BRACKETS // 2) + "x" * (article.MAX_BLOCK - 8 * article.MAX_BRACKETS)]
                         + ["".join("    " * depth + "- mục\n" for depth in range(article.MAX_NESTING))] * 20)
    heavy = dataclasses.replace(dataset, article=dataclasses.replace(dataset.article, body=worst))
    result = article.render_article(heavy, blocks)
    assert result[0] is not None, result[1]
    print(f"article at the limits ({len(worst):,} characters: full paragraphs of brackets, lists "
          f"{article.MAX_NESTING} deep): median {_median_ms(cold(lambda: article.render_article(heavy, blocks)), 5):.0f} ms")
    folder = _folder(trash, "cumthidua-bench-hostile-")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    cluster = data / "2023/cluster.yaml"
    text = cluster.read_text(encoding="utf-8")
    line = next(l for l in text.split("\n") if l.strip().startswith("authors:"))
    names, size, count = [], len(text.encode()), 0
    while size < 1024 * 1024 - 64:
        names.append(f"a{count % 10}")
        size += 3
        count += 1
    cluster.write_text(text.replace(line, line.replace("[", "[" + ",".join(names) + ",", 1)), encoding="utf-8")
    def unseen():  # a hostile file is new: nothing of it in memory or in the disk cache
        forget()
        os.environ["CUMTHIDUA_CACHE"] = tempfile.mkdtemp(prefix="cumthidua-bench-", dir=folder)
        return run(data, templates=ROOT / "templates")
    kept = os.environ["CUMTHIDUA_CACHE"]
    took = _median_ms(unseen, 3)
    os.environ["CUMTHIDUA_CACHE"] = kept
    print(f"1 MB cluster.yaml with {count:,} authors: check and render in memory, nothing cached, "
          f"median {took / 1000:.1f} s (3 runs)")


def serve_latency(trash: list[Path], edits: int = 12) -> None:
    """Edit-to-reload on the real site: from writing a figure to the reload event in an open tab."""
    import http.client
    import re
    import subprocess
    folder = _folder(trash, "cumthidua-bench-serve-")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    server = subprocess.Popen([sys.executable, "-m", "cumthidua_site", "serve", "--data", str(data), "--port", "0"],
                              cwd=folder, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        port = None
        for line in server.stderr:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                port = int(found.group(1))
                break
        events = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        events.request("GET", "/__cumthidua/events")
        stream = events.getresponse()

        def next_event() -> str:
            name = ""
            while True:
                line = stream.readline().decode("utf-8")
                if line.startswith("event: "):
                    name = line[7:].strip()
                elif line == "\n" and name:
                    return name
        next_event()  # "ok" on connecting
        provinces = data / "2023/provinces.yaml"
        text = provinces.read_text(encoding="utf-8")
        timings = []
        for i in range(edits):
            # a new value each time, so the article really renders again
            provinces.write_text(text.replace("value: 938.21,", f"value: 938.{30 + i},"), encoding="utf-8")
            start = time.perf_counter()
            while next_event() != "reload":
                pass
            timings.append((time.perf_counter() - start) * 1000)
            time.sleep(0.3)
        events.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"serve, edit to reload event ({edits} edits of one figure, each a new value): median "
          f"{statistics.median(timings):.0f} ms (min {min(timings):.0f}, max {max(timings):.0f}); target under 100 ms")


if __name__ == "__main__":
    sys.exit(main())
