"""Run an untrusted stage in a child process with hard limits on time, memory and output.

The article is text from anyone. Its expressions, its Markdown and the HTML cleaning
run in a forked child under an address-space limit and a deadline, so no input can
hang the build, exhaust the machine's memory or abort the build from native code (a
Rust library that cannot allocate aborts its whole process). The child reports each
stage it enters, so a child that had to be killed is still reported at its stage.

Written by hand: multiprocessing would pickle the work and start slower, and no
library on PyPI forks with resource limits and a streamed, bounded result. Where
fork is missing (Windows), the work runs in-process under its own time limit.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

GRACE_SECONDS = 3  # past the budget, before the child is killed: its own timer reports first, located


@dataclass(frozen=True)
class Budget:
    """What a stage may use: seconds of wall time, bytes of memory beyond the build's, bytes of result."""

    seconds: float
    memory: int
    output: int


class ChildBug(RuntimeError):
    """The work raised an exception it should have turned into a result: a bug of ours."""


@dataclass(frozen=True)
class Outcome:
    """What became of the work: its result, or why there is none (and the stage it was in)."""

    result: Any = None
    failure: str = ""  # "", "timeout", "memory", "output" or "crash"
    stage: str = ""


Work = Callable[[Callable[[str], None]], Any]


def run(work: Work, budget: Budget) -> Outcome:
    """Call `work(stage)` in a child process; its JSON-able return value comes back as the result."""
    return start(work, budget).wait()


class Running:
    """Work started in a child: the parent goes on with its own work, then waits for the outcome."""

    def __init__(self, pid: int, pipe: int, budget: Budget, done: Outcome | None = None) -> None:
        self.pid, self.pipe, self.budget, self.done = pid, pipe, budget, done
        self.deadline = time.monotonic() + budget.seconds + GRACE_SECONDS

    def wait(self) -> Outcome:
        if self.done is None:
            # The child's own timer holds it to its budget; this deadline only catches a child
            # that hangs past it. A parent that comes late (a large build renders its other pages
            # first) may find the child long finished, blocked writing its result into the full
            # pipe: it is given the grace from now, not from its start.
            deadline = max(self.deadline, time.monotonic() + GRACE_SECONDS)
            self.done = _parent(self.pid, self.pipe, deadline, self.budget)
        return self.done

    def stop(self) -> None:
        """Kill the child if it still runs (the parent gave up on its result)."""
        if self.done is None:
            os.close(self.pipe)
            _kill(self.pid)
            self.done = Outcome(failure="crash")


def start(work: Work, budget: Budget) -> Running:
    """Fork a child that calls `work(stage)` and return at once; `.wait()` gives the outcome."""
    if not hasattr(os, "fork"):  # pragma: no cover - not on the platforms we build on
        try:
            return Running(0, -1, budget, Outcome(result=work(lambda name: None)))
        except MemoryError:
            return Running(0, -1, budget, Outcome(failure="memory"))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        os.close(read_end)
        _child(work, budget, write_end)
    os.close(write_end)
    return Running(pid, read_end, budget)


def _child(work: Work, budget: Budget, out: int) -> None:  # pragma: no cover - runs in the child
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops the child with its parent
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _limit_memory(budget.memory)

        def stage(name: str) -> None:
            _send(out, {"stage": name})

        result = work(stage)
        _send(out, {"result": result})
    except MemoryError:
        code = 3
        try:
            _send(out, {"failure": "memory"})
        except BaseException:
            pass
    except Exception:  # a bug of ours: the parent raises it as one
        code = 1
        try:
            _send(out, {"bug": traceback.format_exc()})
        except BaseException:
            pass
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _send(fd: int, message: dict) -> None:  # pragma: no cover - runs in the child
    data = (json.dumps(message, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
    while data:
        data = data[os.write(fd, data):]


def _limit_memory(extra: int) -> None:  # pragma: no cover - runs in the child
    """Cap the child's address space at what it already maps plus `extra` bytes."""
    try:
        import resource
        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError, IndexError):
        return  # no /proc (macOS): the deadline still holds
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra if hard == resource.RLIM_INFINITY else min(mapped + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _, core_hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, core_hard))  # a crash leaves no core file behind


def _parent(pid: int, pipe: int, deadline: float, budget: Budget) -> Outcome:
    chunks: list[bytes] = []
    size, failure = 0, ""
    watch = selectors.DefaultSelector()  # not select(): it fails on descriptors past 1024
    watch.register(pipe, selectors.EVENT_READ)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                failure = "timeout"
                break
            if not watch.select(left):
                continue
            data = os.read(pipe, 1 << 16)
            if not data:
                break  # the child finished, or died
            size += len(data)
            if size > budget.output:
                failure = "output"
                break
            chunks.append(data)
    except BaseException:
        _kill(pid)
        raise
    finally:
        watch.close()
        os.close(pipe)
    if failure:
        _kill(pid)
    else:
        os.waitpid(pid, 0)
    return _outcome(b"".join(chunks), failure)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def _outcome(data: bytes, failure: str) -> Outcome:
    stage, result, finished = "", None, False
    for line in data.split(b"\n"):
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError:
            break  # a line cut short by a kill
        if "bug" in message:
            raise ChildBug("the isolated work failed:\n" + str(message["bug"]))
        stage = message.get("stage", stage)
        failure = failure or message.get("failure", "")
        if "result" in message:
            result, finished = message["result"], True
    if failure or not finished:
        return Outcome(failure=failure or "crash", stage=stage)
    return Outcome(result=result, stage=stage)
