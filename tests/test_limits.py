"""Limits that count what actually grows (issue 12, "Amplification", and importing from a pipe).

A small input must not make a large output, a large memory or a long run: the loader counts
the text aliases expand to, the length of keys and paths and the findings of each kind; the
importers count merged and hyperlinked cells, XML elements and cells (xlsx), inflated bytes,
pages, characters, drawing operations and seconds (PDF), lines and cells (text). Every hostile
input is built here, runs in a measured subprocess (tests/test_hostile.py's harness) and must
end within the bounds below with one line naming the limit.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib

import pytest

from conftest import ROOT, run_cli
from test_hostile import MEMORY_LIMIT_MB, perfspec as measured

SECONDS = 10  # each hostile run must end within this many seconds (and MEMORY_LIMIT_MB)
TEXT_FORMS = os.path.join(ROOT, "tests", "data", "2023-shanghai-real-estate-trading-center.txt")


def bounded(run, code: int = 1, seconds: float = SECONDS) -> None:
    run.assert_sound(codes=(code,), limit=seconds)
    assert run.rss_mb < MEMORY_LIMIT_MB, run.describe()


def one_line(run, *words: str) -> str:
    lines = run.err.splitlines()
    assert len(lines) == 1, run.describe()
    for word in words:
        assert word in lines[0], run.describe()
    return lines[0]


# ----------------------------------------------------------------------------- the loader


def test_megabyte_of_keys_aliasing_a_megabyte_text_runs_bounded(tmp_path) -> None:
    """Each duplicate-key message and path held the whole 1 MB key: 600 MB of output, 3 GB of memory."""
    text = "project: &a " + "x" * 1_000_000 + "\nm:\n" + "".join(f"  ? *a\n  : {i}\n" for i in range(300))
    (tmp_path / "keys.yaml").write_text(text, encoding="utf-8")
    run = measured(["check", "--format", "json", "keys.yaml"], str(tmp_path))
    bounded(run)
    assert len(run.out) < 200_000, len(run.out)
    findings = json.loads(run.out)["findings"]
    [limited] = [f for f in findings if f["code"] == "PS004"]  # once: every alias is the anchor's text and place
    assert "过长（1000000 字，上限 10000 字）" in limited["message"] and limited["line"] == 1
    assert max(len(f["message"]) + len(f["path"]) for f in findings) < 1000


def test_duplicate_keys_by_alias_are_reported_once_and_shortened() -> None:
    from perfspec.load.loader import load_text

    text = "project: &a " + "x" * 9000 + "\nm:\n" + "".join(f"  ? *a\n  : {i}\n" for i in range(20_000))
    result = load_text(text, "f.yaml")
    [finding] = result.findings
    assert finding.code == "PS002" and "别名" in finding.message and len(finding.message) < 400
    assert len(finding.path) < 250


def test_a_long_key_is_shown_shortened_in_messages_and_paths() -> None:
    from perfspec.load.loader import load_text

    key = "键" * 500
    result = load_text(f"m:\n  {key}: 1\n  {key}: 2\n", "f.yaml")
    [finding] = result.findings
    assert finding.code == "PS002"
    assert "…（共 500 字）" in finding.message and len(finding.message) < 400
    assert finding.path == "m." + "键" * 200 + "…（共 500 字）"
    assert result.document is not None and result.document.data == {"m": {key: 1}}  # the data is whole


def test_a_key_over_the_hard_limit_is_a_finding_and_not_read() -> None:
    from perfspec.load.loader import MAX_KEY, load_text

    long = "k" * (MAX_KEY + 1)
    result = load_text(f"year: 2023\n? {long}\n: 1\nproject: x\n", "f.yaml")
    [finding] = result.findings
    assert (finding.code, finding.line) == ("PS004", 2) and f"{MAX_KEY + 1} 字" in finding.message
    assert len(finding.message) < 200
    assert result.document is not None and result.document.data == {"year": 2023, "project": "x"}


def test_findings_of_one_code_are_listed_up_to_a_hundred_then_summed_up() -> None:
    from perfspec.load.loader import load_text

    result = load_text("m:\n" + "  a: 1\n" * 251, "f.yaml")
    assert [f.code for f in result.findings] == ["PS002"] * 101
    last = result.findings[-1]
    assert "还有 150 条同类问题" in last.message and last.line == 103  # where the first unlisted one is


def test_text_expanded_by_aliases_is_bounded() -> None:
    from perfspec.load.loader import MAX_EXPANDED, load_text

    text = "a: &t " + "文" * 10_000 + "\nlist:\n" + "  - *t\n" * 500  # 5 M characters, 100 KB of file
    result = load_text(text, "f.yaml")
    assert result.document is None
    [finding] = result.findings
    assert finding.code == "PS004" and f"超过 {MAX_EXPANDED} 字" in finding.message


def test_long_keys_above_many_values_are_bounded_without_any_alias(tmp_path) -> None:
    """Every finding embeds its path: 9,000-character keys above 8,000 indicators made 1.3 GB of JSON."""
    items = "".join(f"      - {{name: n{i}, target: 1, actual: 2, weight: 1, score: 0}}\n" for i in range(8000))
    text = f"indicators:\n  ? {'一' * 9000}\n  :\n    ? {'二' * 9000}\n    :\n" + items
    (tmp_path / "paths.yaml").write_text(text, encoding="utf-8")
    run = measured(["check", "--format", "json", "paths.yaml"], str(tmp_path))
    bounded(run)
    [finding] = json.loads(run.out)["findings"]
    assert finding["code"] == "PS004" and "路径" in finding["message"]


def test_a_long_number_is_shown_shortened() -> None:
    from perfspec.load.loader import load_text

    [finding] = load_text("weight: " + "9" * 5000 + "\n", "f.yaml").findings
    assert finding.code == "PS004" and "…（共 5000 字）" in finding.message and len(finding.message) < 200


# ----------------------------------------------------------------------------- xlsx


def _workbook(path, edit=lambda xml: xml, setup=None) -> None:
    """A small workbook made by openpyxl, its first sheet's XML then edited (openpyxl itself would
    make every cell of a huge merged range while writing it)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    ws["A1"] = "财政项目支出绩效自评表"
    ws.merge_cells("A1:B2")
    if setup is not None:
        setup(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def _merge(ref: bytes):
    return lambda xml: re.sub(rb'(<mergeCell ref=")A1:B2(")', rb"\g<1>" + ref + rb"\g<2>", xml)


@pytest.mark.parametrize("edit,words", [
    (_merge(b"A1:XFD1048576"), ("合并单元格", "A1:XFD1048576", "100000")),
    (lambda xml: xml.replace(b"<pageMargins", b'<hyperlinks><hyperlink ref="A1:XFD1048576" location="x!A1"/>'
                             b"</hyperlinks><pageMargins"), ("超链接", "100000")),
], ids=["merged", "hyperlinked"])
def test_a_huge_range_in_a_ten_kilobyte_workbook_is_refused(tmp_path, edit, words) -> None:
    """openpyxl makes an object for every cell of a merged or hyperlinked range: 17 billion here."""
    path = tmp_path / "bomb.xlsx"
    _workbook(path, edit)
    assert path.stat().st_size < 10_000
    run = measured(["import", "bomb.xlsx", "-o", "out"], str(tmp_path))
    bounded(run)
    one_line(run, "bomb.xlsx", "工作表“表1”", *words)
    assert not (tmp_path / "out").exists()


def test_too_many_merged_ranges_are_refused(tmp_path) -> None:
    from perfspec.importers import NotAForm
    from perfspec.importers.xlsx import MAX_MERGED, read

    refs = b"".join(b'<mergeCell ref="C%d:D%d"/>' % (r, r) for r in range(3, 3 + MAX_MERGED + 1))
    path = tmp_path / "merged.xlsx"
    _workbook(path, lambda xml: re.sub(rb"(<mergeCell [^>]*>)", rb"\g<1>" + refs, xml))
    with pytest.raises(NotAForm, match=f"工作表“表1”的合并单元格过多（超过 {MAX_MERGED} 处）"):
        read(str(path))


def test_cells_and_xml_elements_are_counted(tmp_path, monkeypatch) -> None:
    from perfspec.importers import NotAForm, xlsx

    rows = b"".join(b'<row r="%d"><c r="C%d"><v>1</v></c><c r="D%d"><v>2</v></c></row>' % (r, r, r) for r in range(3, 63))
    path = tmp_path / "cells.xlsx"
    _workbook(path, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>"))
    monkeypatch.setattr(xlsx, "MAX_CELLS", 100)
    with pytest.raises(NotAForm, match="工作表“表1”处单元格过多（整个工作簿超过 100 个）"):
        xlsx.read(str(path))
    monkeypatch.setattr(xlsx, "MAX_CELLS", 10_000)
    monkeypatch.setattr(xlsx, "MAX_ELEMENTS", 300)
    with pytest.raises(NotAForm, match="XML 元素过多（整个工作簿超过 300 个）"):
        xlsx.read(str(path))


def test_stray_far_cells_do_not_make_every_cell_up_to_them(tmp_path) -> None:
    """One value at AN5000 made 200,000 empty cells per sheet; one at XFD1048576 in the exporter's
    hidden sheet made 17 billion."""
    def setup(wb) -> None:
        for i in range(60):
            wb.create_sheet(f"散{i}")["AN5000"] = 1
        hidden = wb.create_sheet("_perfspec")
        hidden["A1"] = "perfspec-xlsx"
        hidden["XFD1048576"] = 1

    _workbook(tmp_path / "far.xlsx", setup=setup)
    run = measured(["import", "far.xlsx", "-o", "out"], str(tmp_path))
    bounded(run)
    one_line(run, "far.xlsx")


# ----------------------------------------------------------------------------- PDF


def _pdf(content_stream: bytes, pages: int = 1) -> bytes:
    """A minimal PDF whose every page draws `content_stream` (a stream object: dictionary and data)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)) + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        content_stream,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                b" /Contents 4 0 R >>"] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, filter_: bytes = b"/FlateDecode") -> bytes:
    return b"<< /Length %d /Filter %s >>\nstream\n" % (len(data), filter_) + data + b"\nendstream"


def _flate_repeated(head: bytes, piece: bytes, times: int, tail: bytes = b"") -> bytes:
    """zlib data of head + piece × times + tail, made chunk-wise with zlib.compressobj: after a
    sync flush the compressor emits the same bytes for the same piece, so `piece` is compressed
    twice, not `times` times (1 GB of zeros in well under a second), and the checksum computed."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(head + piece) + compressor.flush(zlib.Z_SYNC_FLUSH)
    again = compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH)
    last = compressor.compress(tail) + compressor.flush()
    checksum = zlib.adler32(head + piece)
    for _ in range(times - 1):
        checksum = zlib.adler32(piece, checksum)
    checksum = zlib.adler32(tail, checksum)
    return first + again * (times - 1) + last[:-4] + struct.pack(">I", checksum)


def test_the_repeated_flate_stream_is_what_it_says() -> None:
    data = _flate_repeated(b"BT ", b"(a)Tj " * 1000, 50, b"ET")
    assert zlib.decompress(data) == b"BT " + b"(a)Tj " * 50_000 + b"ET"


def _text_operators(count: int) -> bytes:
    return _flate_repeated(b"BT /F1 1 Tf ", b"(a)Tj " * 100_000, count // 100_000, b"ET")


@pytest.mark.parametrize("name,make,words", [
    # 1 GB of zeros in a 1 MB stream: pdfminer inflated it whole.
    ("bomb", lambda: _pdf(_stream(_flate_repeated(b"", b"\0" * (1 << 20), 1024))), ("压缩炸弹", "16777216")),
    # 10 million text operators (60 MB) in a 60 KB stream.
    ("operators", lambda: _pdf(_stream(_text_operators(10_000_000))), ("压缩炸弹",)),
    # 2 million (12 MB), under the stream limit: each made a character object.
    ("characters", lambda: _pdf(_stream(_text_operators(2_000_000))), ("第 1 页的文字和线条超过 10000 个",)),
    # "q" saves the graphics state, 1.5 million times.
    ("saves", lambda: _pdf(_stream(zlib.compress(b"q " * 1_500_000))), ("第 1 页的绘制指令超过 100000 条",)),
    # 64 × (2 bytes → 128) with RunLengthDecode: pdfminer built a list of 64 million ints.
    ("runlength", lambda: _pdf(_stream(b"\x81a" * 500_000, b"/RunLengthDecode")), ("压缩炸弹",)),
    ("pages", lambda: _pdf(_stream(zlib.compress(b"BT /F1 12 Tf 72 720 Td (x) Tj ET")), pages=3000), ("超过 500 页",)),
])
def test_a_hostile_pdf_is_refused_bounded(tmp_path, name, make, words) -> None:
    data = make()
    assert len(data) < 1_200_000
    (tmp_path / f"{name}.pdf").write_bytes(data)
    run = measured(["import", f"{name}.pdf", "-o", "out"], str(tmp_path))
    bounded(run)
    one_line(run, f"{name}.pdf", "未读取", *words)


def test_pdfminer_decoders_are_put_back(tmp_path) -> None:
    from pdfminer import pdftypes

    from perfspec.importers import NotAForm, pdf

    before = (pdftypes.zlib, pdftypes.lzwdecode, pdftypes.rldecode)
    path = tmp_path / "chars.pdf"
    path.write_bytes(_pdf(_stream(_text_operators(100_000))))
    with pytest.raises(NotAForm, match="文字和线条超过"):
        pdf.read(str(path))
    assert (pdftypes.zlib, pdftypes.lzwdecode, pdftypes.rldecode) == before


def test_bounded_runlength_decodes_as_pdfminer_does() -> None:
    from pdfminer.runlength import rldecode

    from perfspec.importers.pdf import _Budget, _bounded_runlength

    data = b"\x02abc\xfdz\x00q\x80ignored"
    assert _bounded_runlength(_Budget())(data) == rldecode(data) == b"abczzzzq"


# ----------------------------------------------------------------------------- text


def test_text_lines_and_cells_are_bounded(tmp_path) -> None:
    from perfspec.importers import NotAForm, text

    with pytest.raises(NotAForm, match=f"上限 {text.MAX_LINES} 行"):
        text.parse("a\n" * (text.MAX_LINES + 1), "many.txt")
    with pytest.raises(NotAForm, match=f"第 2 行有 1001 个单元格（上限 {text.MAX_LINE_CELLS} 个）"):
        text.parse("a\n" + "\t" * 1000 + "x\n", "wide.txt")


def test_lines_after_a_form_are_noted_up_to_twenty(tmp_path) -> None:
    """Each unread line added to one growing note: 300,000 of them never finished."""
    from perfspec.importers import text

    with open(TEXT_FORMS, encoding="utf-8") as handle:
        forms = handle.read()
    read = text.parse(forms.rstrip("\n") + "\n" + "".join(f"多余的一行 {i}\n" for i in range(50_000)), "junk.txt")
    [note] = [r for r in read[-1].reviews if r.path == ()]
    assert note.reason.count("表后的内容未读取") == text.MAX_UNREAD_NOTES
    assert f"还有 {50_000 - text.MAX_UNREAD_NOTES} 行未读取" in note.reason


def test_a_form_has_at_most_max_form_rows(monkeypatch) -> None:
    from perfspec.importers import NotAForm, text

    with open(TEXT_FORMS, encoding="utf-8") as handle:
        forms = handle.read()
    monkeypatch.setattr(text, "MAX_FORM_ROWS", 10)
    with pytest.raises(NotAForm, match="开始的表超过 10 行"):
        text.parse(forms, "forms.txt")


# ----------------------------------------------------------------------------- import: pipes and FIFOs


def _piped(argv: list[str], data: bytes, cwd: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "perfspec", *argv], input=data, cwd=cwd, env=env,
                          capture_output=True, timeout=120)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_import_from_a_fifo_does_not_hang(tmp_path) -> None:
    os.mkfifo(tmp_path / "forms.txt")  # nobody writes to it: open() waited forever
    run = measured(["import", "forms.txt", "-o", "out"], str(tmp_path))
    bounded(run, code=2)
    one_line(run, "forms.txt", "不是普通文件", "从管道导入请写 -")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
def test_import_from_a_device_is_refused(tmp_path) -> None:
    run = measured(["import", "/dev/zero", "-o", "out", "--from", "text"], str(tmp_path))
    bounded(run, code=2)
    one_line(run, "/dev/zero", "不是普通文件")


def test_import_from_stdin_keeps_every_byte(tmp_path) -> None:
    """The format was sniffed from a pipe's first 8 bytes, then the pipe read again without them."""
    with open(TEXT_FORMS, "rb") as handle:
        data = handle.read()
    piped = _piped(["import", "-", "-o", "piped"], data, str(tmp_path))
    assert piped.returncode == 0, piped.stderr.decode()
    direct = run_cli("import", TEXT_FORMS, "-o", str(tmp_path / "direct"))
    assert direct.code == 0, direct.err
    names = sorted(os.listdir(tmp_path / "direct"))
    assert sorted(os.listdir(tmp_path / "piped")) == names and names
    for name in names:
        a = (tmp_path / "piped" / name).read_text(encoding="utf-8").split("\n", 1)
        b = (tmp_path / "direct" / name).read_text(encoding="utf-8").split("\n", 1)
        assert "stdin" in a[0] and a[1] == b[1], name  # the same but for the name of the origin


def test_stdin_is_sniffed_from_the_bytes_read(tmp_path) -> None:
    pdf = _pdf(_stream(zlib.compress(b"BT /F1 12 Tf 72 720 Td (x) Tj ET")), pages=600)
    done = _piped(["import", "-", "-o", "out"], pdf, str(tmp_path))
    assert done.returncode == 1 and "stdin：超过 500 页" in done.stderr.decode(), done.stderr.decode()
    _workbook(tmp_path / "bomb.xlsx", _merge(b"A1:XFD1048576"))
    done = _piped(["import", "-", "-o", "out"], (tmp_path / "bomb.xlsx").read_bytes(), str(tmp_path))
    assert done.returncode == 1 and "stdin：工作表“表1”的合并单元格范围过大" in done.stderr.decode(), done.stderr.decode()


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="no /dev/stdin on this system")
def test_dev_stdin_as_a_pipe_is_refused_with_the_way_to_do_it(tmp_path) -> None:
    with open(TEXT_FORMS, "rb") as handle:
        done = _piped(["import", "/dev/stdin", "-o", "out"], handle.read(), str(tmp_path))
    assert done.returncode == 2 and "从管道导入请写 -" in done.stderr.decode(), done.stderr.decode()
