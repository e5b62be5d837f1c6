"""Time and peak memory of `perfspec import` on a large official-layout workbook and Word document.

    python benchmarks/office_import.py [--forms 100]

Builds (with tests/office_forms.py, constructed data) one .xlsx of N sheets and one .docx of N
tables, each the national-2020 fixture in its bureau layout, and imports each in a cold process.
Also reports that openpyxl's read-only worksheets have no merged ranges (the importer reads them
from the sheet XML and streams the cells in read-only mode) and the time of a full load alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, ROOT)

import office_forms  # noqa: E402


def peak(argv: list[str], cwd: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system: steadier on a loaded machine), peak RSS in MB and exit code."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss, r.returncode)"
    )
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd,
                         env={**os.environ, "PYTHONPATH": ROOT})
    seconds, cpu, rss, rc = out.stdout.split()
    return float(seconds), float(cpu), int(rss) / 1024, int(rc)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=100)
    args = parser.parse_args()
    name = "national-2020--rural-water-supply"
    data, layout = office_forms.load(dict(office_forms.sources())[name])
    grids = [office_forms.grid(data, layout)] * args.forms
    with tempfile.TemporaryDirectory() as work:
        book, document = os.path.join(work, "big.xlsx"), os.path.join(work, "big.docx")
        office_forms.write_xlsx(grids, book)
        office_forms.write_docx(grids, document)
        print("| file | forms | bytes | wall s | CPU s | peak RSS MB | exit |\n|---|---|---|---|---|---|---|")
        for path in (book, document):
            seconds, cpu, rss, rc = peak([sys.executable, "-m", "perfspec", "import", path, "-o",
                                     os.path.join(work, "out-" + os.path.basename(path))], work)
            print(f"| {os.path.basename(path)} | {args.forms} | {os.path.getsize(path)} | {seconds:.1f} | {cpu:.1f} | {rss:.0f} | {rc} |")
        import openpyxl

        wb = openpyxl.load_workbook(book, read_only=True)
        ws = wb.worksheets[0]
        print(f"openpyxl read-only worksheet has merged_cells: {hasattr(ws, 'merged_cells')}")
        wb.close()
        start = time.perf_counter()
        openpyxl.load_workbook(book).close()
        print(f"openpyxl full load alone: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
