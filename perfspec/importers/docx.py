"""Word documents (.docx) → FormData: the tables of a form typed in Word, read by the text assembler.

The document is read top to bottom: each paragraph is a row of one cell (the title,
"(2023年度)", 单位：万元, a signature line) and each table row a row of cells, and the rows go
to :func:`perfspec.importers.text.assemble` — the label-driven reader of text and PDF — so
every layout it knows, and every repair it makes, applies to Word documents too. Several
tables, or several forms in one table, become several forms (a title or 项目名称 starts one).

Merged cells: python-docx repeats a merged cell's text in every grid cell it spans, which
would read a 一级指标 once per row. The table XML says what is merged — ``w:gridSpan`` (across)
and ``w:vMerge`` (down, "restart" on the first cell, bare on the ones it covers) — and a
merged cell is given once, in its first grid cell, with None for the cells it covers, as the
PDF reader gives a merged cell. ``w:gridBefore`` (cells missing at a row's start) counts as
empty cells.

Row.where counts paragraphs and table rows from the top of the document, 1-based: review
notes say "原文第 N 行" in that count.

Hostile documents: the file size, the declared unzipped size of all parts, and the number of
XML elements, tables, rows and cells of word/document.xml are checked — by a streamed scan
of the XML, before python-docx parses it — and a document over a limit is refused in one line.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from typing import Any, Callable, Optional

from perfspec.form.layout import Layout
from perfspec.importers import FormData, NotAForm

MAX_BYTES = 50 * 1024 * 1024  # a Word form with pictures of stamps is a few MB
MAX_UNZIPPED = 100 * 1024 * 1024  # all parts, as the zip's headers declare them (zipfile enforces them)
MAX_DOCUMENT = 20 * 1024 * 1024  # word/document.xml unzipped: what python-docx parses whole
MAX_ELEMENTS = 1_000_000  # XML elements of word/document.xml: each becomes a Python object
MAX_TABLES = 200  # a document of many forms has one or two tables a form
MAX_ROWS = 20_000  # table rows of the document (a form has ~40)
MAX_CELLS = 200_000  # table cells of the document
MAX_COLS = 60  # grid columns of one row (a form has 8 to 12)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHUNK = 1 << 20
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_TABLE = re.compile(rb"<" + _NS + rb"tbl[\s/>]")
_ROW = re.compile(rb"<" + _NS + rb"tr[\s/>]")
_CELL = re.compile(rb"<" + _NS + rb"tc[\s/>]")


def is_docx(path: str) -> bool:
    """Whether the zip at `path` is a Word document (it has word/document.xml); False when unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False


def _refuse(shown: str, zh: str, en: str) -> NotAForm:
    return NotAForm(f"{shown}：{zh}，不像一张自评表的 Word 文档，未读取", f"{shown}: {en}; not read")


def _check(path: str) -> None:
    """NotAForm, in one line, unless `path` is a .docx within every limit."""
    shown = os.path.basename(path)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise NotAForm(f"{shown}：无法读取（{exc.strerror or exc}）", f"{shown}: cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise NotAForm(f"{shown}：文件是空的，不是 Word 文档", f"{shown}: empty file, not a Word document")
    if size > MAX_BYTES:
        raise _refuse(shown, f"文件过大（{size} 字节，上限 {MAX_BYTES} 字节）", f"file too large ({size} bytes, limit {MAX_BYTES})")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotAForm(
            f"{shown}：这是旧的 .doc 格式（或加密的文档），无法读取：请在 Word 中另存为 .docx（不加密）",
            f"{shown}: old .doc format (or an encrypted document): save it as .docx in Word",
        )
    if head.startswith(b"%PDF"):
        raise NotAForm(f"{shown}：这是 PDF 文件：请用 --from pdf 导入", f"{shown}: a PDF file: import it with --from pdf")
    if not head.startswith(b"PK"):
        raise NotAForm(f"{shown}：不是 Word 文档（.docx）", f"{shown}: not a Word document (.docx)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "word/document.xml" not in names:
                if "xl/workbook.xml" in names:
                    raise NotAForm(f"{shown}：这是 Excel 工作簿，不是 Word 文档：请用 --from xlsx 导入",
                                   f"{shown}: an Excel workbook, not a Word document: import it with --from xlsx")
                raise NotAForm(f"{shown}：是 zip 文件，但不是 Word 文档（.docx）",
                               f"{shown}: a zip file, but not a Word document (.docx)")
            unzipped = sum(info.file_size for info in infos)
            if unzipped > MAX_UNZIPPED:
                raise _refuse(shown, f"解压后过大（{unzipped} 字节，上限 {MAX_UNZIPPED} 字节）",
                              f"too large when unzipped ({unzipped} bytes, limit {MAX_UNZIPPED})")
            document = archive.getinfo("word/document.xml")
            if document.file_size > MAX_DOCUMENT:
                raise _refuse(shown, f"正文 word/document.xml 解压后过大（{document.file_size} 字节，上限 {MAX_DOCUMENT} 字节）",
                              f"word/document.xml too large when unzipped ({document.file_size} bytes, limit {MAX_DOCUMENT})")
            _scan(archive, document, shown)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
        raise NotAForm(f"{shown}：Word 文档已损坏（不是完整的 zip 文件），无法读取",
                       f"{shown}: damaged Word document (not a valid zip file)") from None


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> None:
    """Count elements, tables, rows and cells of the body, streamed (never all in memory)."""
    counts = {"elements": 0, "tables": 0, "rows": 0, "cells": 0}
    limits = {
        "elements": (MAX_ELEMENTS, "XML 元素", "XML elements"),
        "tables": (MAX_TABLES, "表格", "tables"),
        "rows": (MAX_ROWS, "表格行", "table rows"),
        "cells": (MAX_CELLS, "单元格", "table cells"),
    }
    rest = b""
    read = 0
    with archive.open(info) as part:
        while True:
            chunk = part.read(_CHUNK)
            read += len(chunk)
            if read > MAX_DOCUMENT:  # the header lied about the size: zipfile checks only at the end
                raise _refuse(shown, f"正文 word/document.xml 解压后超过 {MAX_DOCUMENT} 字节",
                              f"word/document.xml over {MAX_DOCUMENT} bytes when unzipped")
            buffer = rest + chunk
            cut = buffer.rfind(b"<") if chunk else len(buffer)
            if cut < 0:
                cut = len(buffer)
            body, rest = buffer[:cut], buffer[cut:]
            if len(rest) > 4096:
                rest = rest[:4096]
            counts["elements"] += body.count(b"<") - body.count(b"</") - body.count(b"<?") - body.count(b"<!")
            counts["tables"] += len(_TABLE.findall(body))
            counts["rows"] += len(_ROW.findall(body))
            counts["cells"] += len(_CELL.findall(body))
            for key, (limit, zh, en) in limits.items():
                if counts[key] > limit:
                    raise _refuse(shown, f"{zh}过多（超过 {limit} 个）", f"too many {en} (over {limit})")
            if not chunk:
                break


# --------------------------------------------------------------------------- the body


def _text(element: Any) -> str:
    """The text of a paragraph or a cell: runs joined, paragraphs (and line breaks) as new lines."""
    lines = []
    for paragraph in element.iter(_W + "p"):
        parts = []
        for node in paragraph.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
            if node.tag == _W + "t":
                parts.append(node.text or "")
            elif node.tag == _W + "tab":
                parts.append(" ")
            else:
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines).strip()


def _val(element: Any, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    return found.get(_W + "val", "")


def _span(cell: Any) -> int:
    value = _val(cell, f"{_W}tcPr/{_W}gridSpan")
    try:
        return max(1, min(int(value), MAX_COLS)) if value else 1
    except ValueError:
        return 1


def _own(element: Any, tag: str) -> list:
    """An element's own children of `tag` (w:tc of a row, w:tr of a table), also those wrapped in
    content controls (w:sdt); a nested table's rows are not among a table's own (they are read as the
    text of the cell that holds the nested table)."""
    out = []
    for child in element:
        if child.tag == _W + tag:
            out.append(child)
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                out += _own(content, tag)
    return out


def _cells_of(row: Any) -> list:
    return _own(row, "tc")


def _rows_of(table: Any) -> list:
    return _own(table, "tr")


def table_rows(table: Any) -> list[list]:
    """A w:tbl's rows as lists of cells: a merged cell once, None for the grid cells it covers."""
    out = []
    for row in _rows_of(table):
        before = _val(row, f"{_W}trPr/{_W}gridBefore")
        cells: list = [""] * (int(before) if before and before.isdigit() else 0)
        for cell in _cells_of(row):
            span = _span(cell)
            merge = cell.find(f"{_W}tcPr/{_W}vMerge")
            covered = merge is not None and merge.get(_W + "val", "continue") == "continue"
            cells.append(None if covered else _text(cell))
            cells += [None] * (span - 1)
            if len(cells) > MAX_COLS:
                break
        out.append(cells[:MAX_COLS])
    return out


def body_rows(document: Any) -> list:
    """Every paragraph and table row of the body, in order, as assembler rows."""
    from perfspec.importers.rows import Row

    rows: list = []
    where = 0
    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            where += 1
            text = _text(child)
            if text:
                rows.append(Row([text], where))
        elif child.tag == _W + "tbl":
            for cells in table_rows(child):
                where += 1
                rows.append(Row(cells, where))
    return rows


def read(path: str, layout: Layout | str | None = None,
         progress: Optional[Callable[[int, int], None]] = None) -> list[FormData]:
    """The forms in the Word document at `path`; NotAForm when it holds none (or is no .docx)."""
    import docx  # ModuleNotFoundError (name "docx"): the command says pip install 'perfspec[docx]'

    from perfspec.importers.rows import not_a_form
    from perfspec.importers.text import assemble

    shown = os.path.basename(path)
    _check(path)
    try:
        with open(path, "rb") as handle:  # a file object: python-docx then does not insist on the suffix
            document = docx.Document(handle)
    except Exception as exc:  # noqa: BLE001 - a damaged document can fail anywhere inside python-docx
        detail = " ".join(str(exc).split())[:120]
        if "content type" in str(exc):  # a template (.dotx) or a macro document (.docm) python-docx will not open
            raise NotAForm(f"{shown}：是 Word 模板（.dotx）或含宏的文档（.docm），不是 .docx：请在 Word 中另存为 .docx",
                           f"{shown}: a Word template (.dotx) or macro document (.docm), not a .docx: save it as .docx") from None
        raise NotAForm(f"{shown}：Word 文档已损坏，无法读取（{type(exc).__name__}: {detail}）",
                       f"{shown}: damaged Word document ({type(exc).__name__}: {detail})") from None
    try:
        forms = assemble(body_rows(document), "行", layout, grid=True, progress=progress)
    except NotAForm as exc:  # the assembler's bounds: say which document
        raise NotAForm(f"{shown}：{exc}", f"{shown}: {exc.en}") from None
    if not forms:
        raise not_a_form(shown, layout)
    for number, form in enumerate(forms, start=1):
        form.source = f"{shown}#{number}"
    return forms


__all__ = ["body_rows", "is_docx", "read", "table_rows"]
