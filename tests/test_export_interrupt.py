"""An export stopped by Ctrl-C or SIGTERM leaves nothing behind: no openpyxl temporary sheet file, no
half-written workbook, and an existing workbook at -o keeps every byte."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("perfspec_bench_generate_interrupt", os.path.join(ROOT, "benchmarks", "generate.py"))
generate = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
_spec.loader.exec_module(generate)

OLD = b"the workbook exported yesterday"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("interrupt-forms")
    generate.generate(str(folder), 120)
    return str(folder)


def _sheet_files(folder: str) -> list[str]:
    return [n for n in os.listdir(folder) if n.startswith("openpyxl.")]


def _workbook_temp(folder: str) -> list[str]:
    return [n for n in os.listdir(folder) if n.startswith(".ps-")]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("moment", ["while-sheets-are-written", "while-the-workbook-is-saved"])
def test_an_interrupted_export_cleans_up_and_keeps_the_old_workbook(corpus, tmp_path, signum, moment) -> None:
    temp, out = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir()
    out.mkdir()
    target = out / "book.xlsx"
    target.write_bytes(OLD)
    env = dict(os.environ, TMPDIR=str(temp), PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "perfspec", "export", "--profile", "national", corpus, "-o", str(target)],
                            cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # The moment: some sheets streamed to their temporary files, or the workbook's own temporary file beside -o.
        ready = (lambda: len(_sheet_files(str(temp))) >= 5) if moment == "while-sheets-are-written" else (
            lambda: bool(_workbook_temp(str(out))))
        deadline = time.monotonic() + 600
        while not ready():
            assert proc.poll() is None, f"the export ended before the moment to interrupt it: {proc.communicate()}"
            assert time.monotonic() < deadline, "the export never reached the moment to interrupt it"
            time.sleep(0.001)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = stderr.decode("utf-8", "replace")
    assert proc.returncode == 128 + signum, text
    assert "Traceback" not in text and "已中断" in text, text
    assert _sheet_files(str(temp)) == [], "openpyxl's temporary sheet files were left behind"
    assert sorted(os.listdir(out)) == ["book.xlsx"], "a temporary or half-written workbook was left beside -o"
    assert target.read_bytes() == OLD
