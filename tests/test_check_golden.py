"""`perfspec check`'s whole report on the bundled forms, pinned byte for byte.

Speed work on the check path (loader, schema gate, positions, parallel workers) must
not change a single byte of what users see. A deliberate change to a rule or a message
changes these files too: regenerate them with

    PERFSPEC_GOLDEN=update python -m pytest tests/test_check_golden.py

and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

GOLDEN = os.path.join(ROOT, "tests", "golden")
RUNS = {
    "check-specs.json": ["--format", "json", "specs"],
    "check-specs.txt": ["--format", "text", "specs"],
    "check-specs-en-parallel.json": ["--format", "json", "--lang", "en", "--jobs", "2", "specs"],
    "check-real-forms.json": ["--format", "json", "tests/data/real-forms/specs"],
}


def _report(argv: list[str]) -> str:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "perfspec", "check", *argv], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )
    assert proc.returncode in (0, 1), proc.stderr
    # The version names the commit; everything else is the report.
    return re.sub(r'"version": "[^"]*"', '"version": "-"', proc.stdout)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_check_report_is_unchanged(name: str) -> None:
    report = _report(RUNS[name])
    path = os.path.join(GOLDEN, name)
    if os.environ.get("PERFSPEC_GOLDEN") == "update":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(report)
    with open(path, encoding="utf-8", newline="") as handle:
        assert report == handle.read(), f"{name} changed: PERFSPEC_GOLDEN=update regenerates it (read the diff)"
