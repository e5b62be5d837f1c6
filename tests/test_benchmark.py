"""The benchmark's CI smoke run: it runs every figure on small corpora, and prints one table.

Timings are never judged here (a number in an issue is measured by the benchmark itself):
the test pins the table's shape, and that the planted defects — and nothing else — are errors.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

COLUMNS = ["figure", "value", "reference", "ratio", "bound", "status"]


def test_benchmark_smoke_run(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--sizes", "300", "--quick", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table]
    assert cells[0] == COLUMNS and cells[1] == ["---"] * len(COLUMNS)
    rows = {row[0]: row for row in cells[2:]}
    assert all(len(row) == len(COLUMNS) for row in cells), table
    assert all(row[5] in ("pass", "FAIL", "–") for row in rows.values()), table
    correctness = rows["check 300: correctness"]
    assert correctness[5] == "pass" and correctness[1].endswith(", 0 false errors")
    found, planted = correctness[1].split(" planted")[0].split("/")
    assert found == planted and int(planted) > 20
    # Every figure the issue asks for has its row (on the quick sizes).
    for prefix in ("check 300: perfspec", "one form: perfspec ÷ python -c 'import yaml'",
                   "one form with a schema error", "export xlsx 20: peak memory", "render 20", "diff: 2 changed of 20",
                   "import text: 18 forms", "check 300: report, default jobs vs --jobs 1"):
        assert any(name.startswith(prefix) for name in rows), (prefix, table)
    assert rows["check 300: report, default jobs vs --jobs 1"][5] == "pass"
