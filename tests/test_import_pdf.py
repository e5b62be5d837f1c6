"""`perfspec import --from pdf`: render → print to PDF with headless Chromium → import → same data.

Needs /usr/bin/chromium (with fonts-noto-cjk) and pdfplumber (`pip install 'perfspec[pdf]'`).
Where they are missing the round trips are skipped with the reason; in CI
(CI=true) a missing one is a failure instead.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT, run_cli, flatten
from perfspec.load.loader import load_file

CHROMIUM = "/usr/bin/chromium"
SPECS = os.path.join(ROOT, "specs", "2023")
NAMES = sorted(name[:-5] for name in os.listdir(SPECS) if name.endswith(".yaml"))
IN_CI = os.environ.get("CI") == "true"


def _missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
    if importlib.util.find_spec("pdfplumber") is None:
        return "pdfplumber is missing (pip install 'perfspec[pdf]')"
    return None


@pytest.fixture(scope="module")
def tools():
    reason = _missing()
    if reason:
        if IN_CI:
            pytest.fail(f"CI must provide the PDF round trip's tools: {reason}")
        pytest.skip(reason)


def print_pdf(html: str, pdf: str, workdir: str) -> None:
    profile = os.path.join(workdir, "chromium-profile-" + os.path.basename(pdf))
    os.makedirs(profile, exist_ok=True)
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
        "file://" + os.path.abspath(html),
    ]
    env = dict(os.environ, HOME=workdir)
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert os.path.exists(pdf), f"chromium printed nothing ({done.returncode}): {done.stderr[-2000:]}"


def render_html(spec: str, html: str, *options: str) -> None:
    run = run_cli("render", spec, "--format", "html", *options)
    assert run.code == 0, run.err
    with open(html, "w", encoding="utf-8") as handle:
        handle.write(run.out)


@pytest.fixture(scope="module")
def printed(tools, tmp_path_factory):
    """name → PDF of the spec's report, rendered with `--select PS0` (no findings, so no findings column)."""
    work = str(tmp_path_factory.mktemp("pdf"))
    jobs = []
    for name in NAMES:
        html = os.path.join(work, name + ".html")
        render_html(os.path.join(SPECS, name + ".yaml"), html, "--select", "PS0")
        jobs.append((html, os.path.join(work, name + ".pdf")))
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda job: print_pdf(job[0], job[1], work), jobs))
    return {name: os.path.join(work, name + ".pdf") for name in NAMES}


def _import(pdf: str, out: str, *options: str):
    run = run_cli("import", pdf, *options, "-o", out)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    files = sorted(os.listdir(out))
    assert len(files) == 1, files
    result = load_file(os.path.join(out, files[0]))
    assert result.document is not None and not result.findings
    return result.document, run


def test_round_trip_every_bundled_spec(printed, tmp_path):
    flags = {}
    for name in NAMES:
        document, run = _import(printed[name], str(tmp_path / name), "--from", "pdf")
        source = load_file(os.path.join(SPECS, name + ".yaml")).document.data
        mine, theirs = flatten(document.data), flatten(source)
        differing = sorted(str(p) for p in set(mine) | set(theirs) if mine.get(p, "<missing>") != theirs.get(p, "<missing>"))
        assert differing == [], f"{name}: {differing}"
        assert document.data == source  # key order aside, the same value
        assert list(document.data["indicators"]) == list(source["indicators"])  # and the same order
        flags[name] = sum(1 for line in document.text.splitlines() if line.lstrip().startswith("# review:"))
    print("\nreview flags per form (pdf round trip): " + ", ".join(f"{n} {c}" for n, c in flags.items()))
    # Only the published defect of 网上一二手房管理 (rows add up to 95 of 100) is worth a note.
    assert {n: c for n, c in flags.items() if c} == {"online-housing-transactions": 1}


@pytest.mark.xfail(
    reason="known regression: with the findings column, the one-grid report's 总分 row wraps beside long messages "
    "and the PDF importer reads 总分值/总得分 as blank (published forms have no findings column; issue 11)",
    strict=True,
)
def test_round_trip_with_the_findings_column(tools, tmp_path):
    """A report with findings has a 检查结果 column and [n] markers on cells: neither is form data."""
    work = str(tmp_path)
    for name in ("it-operations", "online-housing-transactions"):
        html, pdf = os.path.join(work, name + ".html"), os.path.join(work, name + ".pdf")
        render_html(os.path.join(SPECS, name + ".yaml"), html)
        assert 'class="find"' in open(html, encoding="utf-8").read()
        print_pdf(html, pdf, work)
        document, _ = _import(pdf, os.path.join(work, "out-" + name))  # --from inferred from .pdf
        assert document.data == load_file(os.path.join(SPECS, name + ".yaml")).document.data


def test_pdf_that_is_no_form(tools, tmp_path):
    html, pdf = str(tmp_path / "memo.html"), str(tmp_path / "memo.pdf")
    with open(html, "w", encoding="utf-8") as handle:
        handle.write("<!DOCTYPE html><meta charset=utf-8><h1>会议纪要</h1><table border=1><tr><td>项目</td><td>进展</td></tr></table>")
    print_pdf(html, pdf, str(tmp_path))
    run = run_cli("import", pdf, "--from", "pdf", "-o", str(tmp_path / "out"))
    assert run.code == 1 and "没有找到财政项目支出绩效自评表" in run.err, run.err


def test_damaged_pdf_is_a_clear_message(tools, tmp_path):
    for data in (b"%PDF-1.7\nthis is not really a pdf\n", b"%PDF-1.4\n" + bytes(range(256)) * 8):
        path = tmp_path / "broken.pdf"
        path.write_bytes(data)
        run = run_cli("import", str(path), "--from", "pdf", "-o", str(tmp_path / "out"))
        assert run.code in (1, 2) and "Traceback" not in run.err and "内部错误" not in run.err, run.err
        assert "PDF" in run.err


def test_text_given_as_pdf(tools, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("财政项目支出绩效自评表\n", encoding="utf-8")
    run = run_cli("import", str(path), "--from", "pdf", "-o", str(tmp_path / "out"))
    assert run.code == 1 and "不是 PDF" in run.err, run.err


def test_missing_pdfplumber_is_a_clear_message(tmp_path, monkeypatch):
    """Without the optional extra: exit 2 and how to install it (no traceback). Runs everywhere."""
    monkeypatch.setitem(sys.modules, "pdfplumber", None)  # `import pdfplumber` now fails
    path = tmp_path / "form.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    run = run_cli("import", str(path), "--from", "pdf", "-o", str(tmp_path / "out"))
    assert run.code == 2, run.err
    assert "pip install 'perfspec[pdf]'" in run.err and "Traceback" not in run.err
    run = run_cli("import", str(path), "-o", str(tmp_path / "out"), "--lang", "en")
    assert run.code == 2 and "needs pdfplumber" in run.err


def test_command_module_stays_light():
    """Building the parser imports every command module: `import` must not pull in pdfplumber."""
    code = (
        "import sys; from perfspec.cli import _parser; _parser();"
        "import importlib; importlib.import_module('perfspec.commands.import');"
        "print('pdfplumber' in sys.modules, 'perfspec.importers.text' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == "False False", done.stderr
