"""`perfspec import --from pdf`: render → print to PDF with headless Chromium → import → same data.

Needs /usr/bin/chromium (with fonts-noto-cjk) and pdfplumber (`pip install 'perfspec[pdf]'`).
Where they are missing the round trips are skipped with the reason; in CI
(CI=true) a missing one is a failure instead.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from html import escape as _esc

import pytest

from conftest import CASES, ROOT, run_cli, flatten
from perfspec.form.layout import choose_layout
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


def test_round_trip_with_the_findings_column(tools, tmp_path):
    """A report with findings has a 检查结果 column and [n] markers on cells: neither is form data.

    online-housing-transactions' 总分 row is on the last page, where the findings column's small
    text outnumbers the form's: the markers' size must be judged against the form's text, not the
    page's (总分 read as "100.00[3] | [4]98.00", then blank)."""
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
    zh, en = _refused(pdf, "--from", "pdf")
    assert zh.startswith("perfspec import: memo.pdf 中没有找到财政项目支出绩效自评表"), zh
    assert zh.endswith("；它第一行是“会议纪要”（共 1 页）"), zh
    assert en.startswith("perfspec import: no self-evaluation form") and en.endswith("its first line reads “会议纪要” (1 page(s))"), en


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


# -- PDFs that hold no form: one line each, naming the real cause --------------------------------------------------
# Built by hand (a few objects and an xref table), so they need neither Chromium nor a PDF library.


def _pdf_bytes(objects: list[bytes], pages: list[int], trailer: bytes = b"") -> bytes:
    """A PDF of `objects` (numbered from 3) under a catalog (1) and a page tree (2) whose kids are `pages`."""
    kids = b" ".join(b"%d 0 R" % n for n in pages)
    body = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, data in enumerate(body + objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + data + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, trailer, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def scanned_pdf(pages: int = 2) -> bytes:
    """A scanner's PDF: each A4 page one grey image drawn over the whole page, and a page number in
    Helvetica at the foot (the only text, as a scanning app adds it)."""
    side = 64
    pixels = bytes((x * 7 + y * 13) % 256 if (x // 8 + y // 8) % 2 else 255 for y in range(side) for x in range(side))
    image = _stream(zlib.compress(pixels), b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 /Filter /FlateDecode " % (side, side))
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects, kids = [image, font], []
    for number in range(1, pages + 1):
        draw = b"q 595 0 0 842 0 0 cm /Im1 Do Q BT /F1 9 Tf 290 20 Td (%d) Tj ET" % number
        objects.append(_stream(draw))
        kids.append(len(objects) + 3)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /XObject << /Im1 3 0 R >> /Font << /F1 4 0 R >> >> >>" % (len(objects) + 2))
    return _pdf_bytes(objects, kids)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    box = list(range(256))
    j = 0
    for i in range(256):
        j = (j + box[i] + key[i % len(key)]) % 256
        box[i], box[j] = box[j], box[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + box[i]) % 256
        box[i], box[j] = box[j], box[i]
        out.append(byte ^ box[(box[i] + box[j]) % 256])
    return bytes(out)


def encrypted_pdf(user: bytes = b"secret", owner: bytes = b"owner") -> bytes:
    """A one-page PDF encrypted with the standard security handler, revision 2 (40-bit RC4, PDF 1.4
    section 3.5, algorithms 3.1-3.4), opened only with the user password `user`."""
    file_id = hashlib.md5(b"perfspec test").digest()
    pad = lambda password: (password + _PAD)[:32]  # noqa: E731
    o_entry = _rc4(hashlib.md5(pad(owner)).digest()[:5], pad(user))
    permissions = -4  # everything allowed
    key = hashlib.md5(pad(user) + o_entry + permissions.to_bytes(4, "little", signed=True) + file_id).digest()[:5]
    u_entry = _rc4(key, _PAD)
    content = b"BT /F1 24 Tf 72 720 Td (Financial statement 2023) Tj ET"
    object_key = hashlib.md5(key + (5).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
    objects = [
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (o_entry.hex().encode(), u_entry.hex().encode(), permissions),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(_rc4(object_key, content)),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 4 0 R >> >> >>",
    ]
    return _pdf_bytes(objects, [6], b"/Encrypt 3 0 R /ID [<%s> <%s>] " % (file_id.hex().encode(), file_id.hex().encode()))


def _refused(path, *options):
    """`perfspec import` of `path`: exit 1 and one line on stderr, in Chinese and in English."""
    lines = []
    for lang in ("zh", "en"):
        run = run_cli("import", str(path), "-o", str(path) + ".out", "--lang", lang, *options)
        assert run.code == 1 and run.out == "", (run.code, run.out, run.err)
        assert len(run.err.splitlines()) == 1 and "Traceback" not in run.err, run.err
        assert not os.path.exists(str(path) + ".out")
        lines.append(run.err.strip())
    return lines


def test_scanned_pdf_says_ocr_first(tools, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf())
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:  # what the file is: images over the page, two characters of text
        assert [len(page.images) for page in pdf.pages] == [1, 1]
        assert "".join(page.extract_text() for page in pdf.pages) == "12"
    zh, en = _refused(path)
    assert zh == "perfspec import: scan.pdf：这是扫描件（图片），没有可读取的文字：请先做文字识别（OCR）再导入"
    assert en == ("perfspec import: scan.pdf: this is a scan (images), there is no text to read: "
                  "run text recognition (OCR) first, then import")
    assert _refused(path, "--from", "pdf")[0] == zh


def test_encrypted_pdf_asks_for_the_unencrypted_file(tools, tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf())
    import pdfplumber

    with pdfplumber.open(str(path), password="secret") as pdf:  # a real encrypted file: the password opens it
        assert pdf.pages[0].extract_text() == "Financial statement 2023"
    zh, en = _refused(path)
    assert zh == "perfspec import: locked.pdf 已加密（需要打开密码），无法读取：请用密码打开后另存为不加密的 PDF 再导入"
    assert en == ("perfspec import: locked.pdf is encrypted (it needs a password to open): open it with the password, "
                  "save it as an unencrypted PDF and import that")


def test_pdf_without_pages(tools, tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(_pdf_bytes([], []))
    zh, en = _refused(path)
    assert zh == "perfspec import: empty.pdf 没有页面（0 页），没有可导入的内容"
    assert en == "perfspec import: empty.pdf has no pages (0 pages): nothing to import"


def test_pdf_of_blank_pages(tools, tmp_path):
    path = tmp_path / "blank.pdf"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    path.write_bytes(_pdf_bytes([page, page], [3, 4]))
    zh, en = _refused(path)
    assert zh == "perfspec import: blank.pdf 的 2 页上都没有文字，没有可导入的内容"
    assert en == "perfspec import: blank.pdf has no text on its 2 page(s): nothing to import"


# -- every shipped layout: its good form rendered to PDF (`render --format pdf`, the printed form) and read back ------

LAYOUT_FORMS = sorted(
    path for path in glob.glob(os.path.join(CASES, "layouts", "*", "*.yaml")) if not os.path.basename(path).startswith("bad-")
)


def _layout_id(path: str) -> str:
    return os.path.basename(os.path.dirname(path)) + "--" + os.path.basename(path)[:-5]


# What the text assembler (perfspec/importers/text.py, extended on another branch) cannot hold yet, per form:
# (why, the top-level keys — funds.<row> for the funds table — allowed to differ). A difference outside
# them fails; a form that reads back whole passes, entry or not. None: the assembler does not know the
# layout's columns, so any cell may differ.
LAYOUT_GAPS: dict[str, tuple[str, set[str] | None]] = {
    "shanghai-2023--public-rental-housing": (
        "shanghai-2023 differs from national-2020 in words only (its title 财政项目支出绩效自评表), and the import "
        "writes no `layout:` for such a layout (detect.needs_naming): the Shanghai forms transcribed in specs/2023 "
        "name none", {"layout"}),
    "budget-20--public-toilet-maintenance": (
        "the spec writes `weight: null` on its rows but no 总分 weight (budget-20 prints 得分 only); the import writes "
        "the blank 总分 weight as null", {"total"}),
    "monitoring--school-meals-kind-only": (
        "the spec writes no 实际完成情况 (goals.achieved); the form prints that cell blank and the import writes it null",
        {"goals"}),
    "no-scores--rural-housing-renovation": (
        "the spec writes no 总分 or 评分等级 (a layout without scores); the form prints those rows blank and the import "
        "writes them null", {"total", "grade"}),
    "sichuan-2023--rural-road-maintenance": (
        "perfspec's render prints the rates without their % (98.20, the spec's '98.20%') and a split target's operator "
        "in no cell (指标性质 prints 正向, 指标值 the bare value): neither can come back",
        {"funds.rate", "funds.appropriation", "funds.special_account", "funds.unit_own", "funds.other", "indicators"}),
}


@pytest.fixture(scope="session")
def layout_pdfs(tmp_path_factory):
    """layout id → the PDF `perfspec render --format pdf` prints of its good form: rendered once per session,
    all in one command (Chromium starts once per form, ~1 s each)."""
    if _missing():
        if IN_CI:
            pytest.fail(f"CI must provide the PDF round trip's tools: {_missing()}")
        pytest.skip(_missing())
    specs, out = tmp_path_factory.mktemp("layout-specs"), tmp_path_factory.mktemp("layout-pdfs")
    for path in LAYOUT_FORMS:
        shutil.copy(path, specs / (_layout_id(path) + ".yaml"))
    run = run_cli("render", str(specs), "--format", "pdf", "-o", str(out), "--profile", "national")
    assert run.code == 0, run.err
    return {_layout_id(path): str(out / (_layout_id(path) + ".pdf")) for path in LAYOUT_FORMS}


def _gap_key(path: tuple) -> str:
    return f"funds.{path[1]}" if path[0] == "funds" and len(path) > 1 else str(path[0])


@pytest.mark.parametrize("path", LAYOUT_FORMS, ids=_layout_id)
def test_every_layout_reads_back_from_its_pdf(layout_pdfs, path, tmp_path):
    ident = _layout_id(path)
    run = run_cli("import", layout_pdfs[ident], "-o", str(tmp_path / "out"))
    assert run.code == 0 and "Traceback" not in run.err, run.err
    files = sorted(os.listdir(tmp_path / "out"))
    assert len(files) == 1, files
    imported, source = load_file(str(tmp_path / "out" / files[0])).document.data, load_file(path).document.data
    # The same form in the same layout, whether or not either file names it: the import writes `layout:` only where
    # the loader would not pick that layout anyway (detect.needs_naming), and a spec may name its own kind's layout.
    if choose_layout(imported, "national-2020")[0].id == choose_layout(source, "national-2020")[0].id:
        imported = {key: value for key, value in imported.items() if key != "layout"}
        source = {key: value for key, value in source.items() if key != "layout"}
    mine, theirs = flatten(imported), flatten(source)
    differing = sorted((p for p in set(mine) | set(theirs) if mine.get(p, "<missing>") != theirs.get(p, "<missing>")), key=str)
    listed = [f"{p}: {theirs.get(p, '<missing>')!r} → {mine.get(p, '<missing>')!r}" for p in differing]
    if ident not in LAYOUT_GAPS:
        assert differing == [], f"{ident}: cells that differ after the PDF round trip: {listed}"
        return
    reason, allowed = LAYOUT_GAPS[ident]
    if allowed is not None:
        beyond = [line for p, line in zip(differing, listed) if _gap_key(p) not in allowed]
        assert beyond == [], f"{ident}: differs beyond the known gap ({reason}): {beyond}"
    if differing:
        pytest.xfail(f"{reason}: {len(differing)} cells differ: {listed[:12]}{' …' if len(listed) > 12 else ''}")
# -- a PDF perfspec did not print: a bureau's form typed in a word processor and printed ----------------------------


BUREAU = os.path.join(ROOT, "tests", "data", "import", "pdf")

_BUREAU_CSS = """
@page { size: A4 portrait; margin: 2.54cm 3.18cm; }
body { font-family: "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 10.5pt; margin: 0; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4pt; font-weight: bold; }
p.year { text-align: center; margin: 0 0 8pt; font-size: 12pt; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td, th { border: 0.5pt solid #000; padding: 3pt 5.4pt; font-weight: normal; text-align: center; vertical-align: middle; }
td.l { text-align: left; }
tr { height: 1.15cm; break-inside: avoid; }
thead { display: table-header-group; }
table.ind { margin-top: -0.5pt; }
.form { break-before: page; }
.form:first-child { break-before: auto; }
"""


def _cell(value, cls: str = "", span: str = "") -> str:
    text = "" if value is None else str(value)
    return f"<td{' class=' + cls if cls else ''}{span}>{_esc(text)}</td>"


def _bureau_form(data: dict, cut_after: int | None = None, break_before: int | None = None) -> str:
    """One form as a county bureau types it (national 2020 template: 项目支出绩效自评表): a head table, and the
    indicators in a table of their own whose column heads repeat on every page (the word processor's
    "repeat as header row"), 一级/二级 cells merged down their rows. `cut_after`: the copy ends after that
    many indicator rows (no 总分, no 评分等级). `break_before`: the page breaks before that indicator row (one in
    the middle of merged 一级/二级 cells, where a long table happens to break; forced, so the case is sure)."""
    funds = data["funds"]
    rows = [f"<h1>项目支出绩效自评表</h1><p class=year>（{data['year']}年度）</p>", "<table class=head>",
            "<colgroup><col style='width:12%'><col style='width:14%'><col span=6 style='width:12.33%'></colgroup>",
            f"<tr><td>项目名称</td>{_cell(data['project'], 'l', ' colspan=7')}</tr>",
            f"<tr><td>主管部门</td>{_cell(data['department'], 'l', ' colspan=3')}<td>实施单位</td>"
            f"{_cell(data['implementer'], 'l', ' colspan=3')}</tr>",
            "<tr><td rowspan=5>项目资金<br>（万元）</td><td></td><td>年初预算数</td><td>全年预算数</td><td>全年执行数</td>"
            "<td>分值</td><td>执行率</td><td>得分</td></tr>"]
    for key, label in (("total", "年度资金总额"), ("appropriation", "其中：当年财政拨款"), ("carryover", "上年结转资金"),
                       ("other", "其他资金")):
        row = funds[key]
        extra = (_cell(funds.get("weight")) + _cell(funds.get("rate")) + _cell(funds.get("score"))) if key == "total" else "<td>—</td>" * 3
        rows.append(f"<tr><td>{label}</td>{_cell(row['initial'])}{_cell(row['annual'])}{_cell(row['executed'])}{extra}</tr>")
    goals = data["goals"]
    rows += ["<tr><td rowspan=2>年度总体目标</td><td colspan=4>预期目标</td><td colspan=3>实际完成情况</td></tr>",
             f"<tr>{_cell(goals['expected'], 'l', ' colspan=4')}{_cell(goals['achieved'], 'l', ' colspan=3')}</tr>",
             "</table>", "<table class=ind>",
             "<colgroup><col style='width:12%'><col style='width:12%'><col style='width:18%'><col style='width:13%'>"
             "<col style='width:13%'><col style='width:7%'><col style='width:7%'><col style='width:18%'></colgroup>",
             "<thead><tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>实际完成值</th>"
             "<th>分值</th><th>得分</th><th>偏差原因分析及改进措施</th></tr></thead><tbody>"]
    flat = [(l1, l2, item) for l1, level2 in data["indicators"].items() for l2, items in level2.items() for item in items]
    if cut_after is not None:
        flat = flat[:cut_after]
    for index, (l1, l2, item) in enumerate(flat):
        cells = ""
        if index == 0 or flat[index - 1][0] != l1:
            cells += _cell(l1, "", f" rowspan={sum(1 for f in flat if f[0] == l1)}")
        if index == 0 or flat[index - 1][:2] != (l1, l2):
            cells += _cell(l2, "", f" rowspan={sum(1 for f in flat if f[:2] == (l1, l2))}")
        cells += _cell(item["name"], "l") + _cell(item.get("target")) + _cell(item.get("actual"))
        cells += _cell(item.get("weight")) + _cell(item.get("score")) + _cell(item.get("deviation"), "l")
        rows.append(f"<tr style='break-before: page'>{cells}</tr>" if index == break_before else f"<tr>{cells}</tr>")
    if cut_after is None:
        total = data.get("total") or {}
        rows.append(f"<tr><td colspan=5>总分</td>{_cell(total.get('weight'))}{_cell(total.get('score'))}<td></td></tr>")
        if data.get("grade") is not None:
            rows.append(f"<tr><td colspan=2>评分等级</td>{_cell(data['grade'], '', ' colspan=6')}</tr>")
    rows.append("</tbody></table>")
    return "<section class=form>" + "".join(rows) + "</section>"


def bureau_html(forms: list[tuple[dict, int | None, int | None]]) -> str:
    """A document of `forms`: (data, cut_after, break_before) each, every form starting a page."""
    body = "".join(_bureau_form(data, cut, at) for data, cut, at in forms)
    return f"<!DOCTYPE html><html lang=zh-CN><meta charset=utf-8><style>{_BUREAU_CSS}</style><body>{body}</body></html>"


A09 = "a09-yinchuan-school-public-funds"  # 银川市第六中学 2021: 16 indicators under merged 一级/二级 cells
B03 = "b03-hengshan-grain-reserve"  # 衡山县 2020: 16 indicators, no scores, no 总分 values
# B03's row 县级储备粮库存粮食明显变质比例 (年度指标值 "0", 实际完成值 "0", 分值 and 得分 blank) is read by its columns;
# the transcription quotes the zeros as text ('0'), which a printed cell cannot show: they come back as numbers.
B03_ASSEMBLER_GAP = ("indicators", "产出指标", "质量指标", 2)


def _transcription(name: str) -> dict:
    return load_file(os.path.join(BUREAU, name + ".yaml")).document.data


def _cells(data: dict) -> dict:
    """Leaf cells, a blank one (None) the same as one the transcription leaves out."""
    return {path: value for path, value in flatten(data).items() if value is not None}


def _differing(mine: dict, theirs: dict) -> list[str]:
    a, b = _cells(mine), _cells(theirs)
    return [f"{p}: {b.get(p, '<blank>')!r} → {a.get(p, '<blank>')!r}" for p in sorted(set(a) | set(b), key=str)
            if a.get(p, "<blank>") != b.get(p, "<blank>")]


@pytest.fixture(scope="session")
def bureau_pdfs(tmp_path_factory):
    """The bureau's documents, printed once per session: one form broken inside merged cells, two forms
    in one file, and a copy cut off inside its indicator table."""
    if _missing():
        if IN_CI:
            pytest.fail(f"CI must provide the PDF round trip's tools: {_missing()}")
        pytest.skip(_missing())
    work = str(tmp_path_factory.mktemp("bureau"))
    a09, b03 = _transcription(A09), _transcription(B03)
    documents = {"broken": [(a09, None, 2)], "two": [(a09, None, 2), (b03, None, None)], "cut": [(b03, 9, None)]}
    jobs = []
    for name, forms in documents.items():
        html = os.path.join(work, name + ".html")
        with open(html, "w", encoding="utf-8") as handle:
            handle.write(bureau_html(forms))
        jobs.append((html, os.path.join(work, name + ".pdf")))
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: print_pdf(job[0], job[1], work), jobs))
    return {name: os.path.join(work, name + ".pdf") for name in documents}


def _imported(pdf: str, out: str) -> tuple[list, str]:
    run = run_cli("import", pdf, "-o", out)
    assert run.code == 0 and "Traceback" not in run.err, run.err
    files = sorted(os.listdir(out), key=lambda name: int(name.split("-")[1]))  # form-<n>-<hash>.yaml, in form order
    return [load_file(os.path.join(out, name)).document for name in files], run.err


def test_bureau_pdf_read_across_the_page_break(bureau_pdfs, tmp_path):
    """The indicator table breaks inside 项目决策's and 项目立项's merged cells, whose text the browser draws in
    the open space at the foot of page 1; page 2 repeats the column heads. Every cell comes back."""
    import pdfplumber

    from perfspec.importers.pdf import normalize

    with pdfplumber.open(bureau_pdfs["broken"]) as pdf:
        pages = [normalize(page.extract_text()) for page in pdf.pages]
    assert len(pages) >= 2
    assert "可行性" in pages[1] and "项目决" not in pages[1] and "相关性" in pages[0]  # the break is inside the merged cells
    assert pages[1].startswith("一级指 二级指")  # the repeated head opens page 2
    documents, err = _imported(bureau_pdfs["broken"], str(tmp_path / "out"))
    assert len(documents) == 1
    assert _differing(documents[0].data, _transcription(A09)) == []


def test_several_forms_in_one_pdf_are_several_specs(bureau_pdfs, tmp_path):
    documents, err = _imported(bureau_pdfs["two"], str(tmp_path / "out"))
    assert [d.data["project"] for d in documents] == ["初中公用经费", "县级储备粮"]
    assert [d.data["year"] for d in documents] == [2021, 2020]
    assert _differing(documents[0].data, _transcription(A09)) == []
    differing = _differing(documents[1].data, _transcription(B03))
    # The rows are read by the columns their header names (the "0" targets are no longer read as 分值/得分):
    # what still differs is the transcription's quoting of 年度指标值 / 实际完成值 '0' as text, which a
    # printed cell cannot show (tests/test_import_office.py, _QUOTED).
    assert differing and all(line.startswith(str(B03_ASSEMBLER_GAP)[:-1]) and line.endswith("'0' → 0")
                             for line in differing), differing


def test_cut_off_pdf_imports_as_far_as_it_goes(bureau_pdfs, tmp_path):
    documents, err = _imported(bureau_pdfs["cut"], str(tmp_path / "out"))
    assert len(documents) == 1
    expected = _transcription(B03)
    kept, seen = {}, 0
    for level1, level2s in expected["indicators"].items():
        for level2, items in level2s.items():
            for item in items:
                if seen < 9:
                    kept.setdefault(level1, {}).setdefault(level2, []).append(item)
                seen += 1
    expected = dict(expected, indicators=kept)
    differing = _differing(documents[0].data, expected)
    assert all(line.startswith(str(B03_ASSEMBLER_GAP)[:-1]) for line in differing), differing
    # The note at the cut: on the last row read, saying that the copy stops there, on page 2. (This PDF
    # reader writes it, "原文到这一行（第 2 页）就结束了…", unless the assembler has said it already.)
    cut = [line for line in err.splitlines() if "indicators.产出指标.成本指标[1]" in line]
    assert len(cut) == 1 and "第 2 页" in cut[0] and ("结束" in cut[0] or "中断" in cut[0]), err
    above = documents[0].text.split("- name: 县级储备粮库存成本核算率")[0].rstrip().rsplit("\n", 3)[1:]
    assert any("# review:" in line for line in above), above  # the comment sits just above the last row's name
