"""`perfspec import --from pdf`: render → print to PDF with headless Chromium → import → same data.

Needs /usr/bin/chromium (with fonts-noto-cjk) and pdfplumber (`pip install 'perfspec[pdf]'`).
Where they are missing the round trips are skipped with the reason; in CI
(CI=true) a missing one is a failure instead.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import zlib
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
