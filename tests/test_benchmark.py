"""The benchmark's CI smoke run: it runs, and the planted defects — and nothing else — are errors."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def test_benchmark_smoke_run(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--sizes", "300", "--quick", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "| correctness, 300 forms |" in proc.stdout and "0 false errors | pass |" in proc.stdout
    found, planted = proc.stdout.split("| correctness, 300 forms | ")[1].split(" planted")[0].split("/")
    assert found == planted and int(planted) > 20
