"""The smallest fixture project builds to exactly the stored output (tests/golden/minimal/).

After an intended change of output, refresh it with `make golden` and read the diff.
"""

from __future__ import annotations

import difflib

import golden


def test_the_smallest_project_builds_to_the_golden_output():
    built, stored = golden.build(), golden.stored()
    assert sorted(built) == sorted(stored), "files differ; if intended, run `make golden`"
    for path in sorted(built):
        if built[path] != stored[path]:
            diff = "\n".join(difflib.unified_diff(stored[path].decode("utf-8", "replace").splitlines(),
                                                  built[path].decode("utf-8", "replace").splitlines(),
                                                  f"golden/{path}", f"built/{path}", lineterm="", n=1))
            raise AssertionError(f"{path} differs from the golden output; if intended, run `make golden`:\n"
                                 + diff[:3000])
