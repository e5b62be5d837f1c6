"""Import workbooks into FormData: `perfspec export --to xlsx` exactly, and forms in any official layout.

Two readers, chosen per sheet:

- a sheet perfspec exported (its code name ``perfspecN``, kept when the hidden sheet is deleted,
  or values for it in the hidden ``_perfspec`` sheet) is read cell by cell by :class:`SheetReader`,
  exactly (below);
- any other sheet — a bureau's template, the budget system's export — is turned into rows of
  cells (:func:`sheet_rows`: a merged range once, in its top-left cell, None for the cells it
  covers, as the PDF reader gives a merged cell) and read by the label-driven assembler of text
  and PDF (``perfspec.importers.text.assemble``), so layout detection and every repair it knows
  apply to workbooks too. A sheet may hold several forms. A sheet that looks like a form but
  gives no indicator is named with the parts SheetReader finds missing.

The bounds on hostile workbooks (file size, unzipped size, XML elements, cells, merged and
hyperlinked ranges, rows and columns read) apply to both readers: they are checked before
openpyxl loads the workbook. A workbook that is not perfspec's export is read in openpyxl's
read-only mode, streamed; its worksheets have no merged ranges, so those are read from the
sheet XML (:func:`_merged_ranges`). At the cell limit that halves the peak memory of an import
(benchmarks/office_import.py). When a sheet there looks like a form but gives none, the
workbook is loaded whole once more, only to name what the sheet lacks.

SheetReader: each visible sheet that holds a self-evaluation form becomes one FormData. The
layout is found by its labels, not by fixed cell addresses: the project name
cell, the funds header (the amount columns of some layout) and its total row,
the indicator header, the total and grade rows — each in the words of every
shipped layout (perfspec.importers.labels), so a sheet printed in any of them,
with inserted rows or moved blocks, is found. 一级 / 二级指标 are read from
merged cells or, where a cell is blank, from the row above. The reference layout's
cells are found by their labels; the rest of an exported form (``kind:``, ``layout:``,
the layout's own rows, columns and lines) comes from the hidden records
(:meth:`SheetReader.restore`), each checked against its cell like every other value.

Exactness: the visible cells hold binary floats and display formats. The
hidden ``_perfspec`` sheet written by the exporter keeps each cell's value as
the spec wrote it; a visible cell that still shows that value is read as the
hidden original (``20`` stays ``20``, ``20.00`` stays ``20.00``). A visible cell
that no longer agrees — someone edited the workbook — wins, and the importer
adds a review note saying what the export had. Without the hidden sheet
(a workbook made by hand, or with the sheet deleted) numbers are read in the
house style: amounts, 执行率 and totals with two decimals, 分值 / 得分 whole
when they are whole; a bare-number 年度指标值 keeps the decimals of its format.

A sheet that looks like a form (it has the title or one of the distinctive
labels) but lacks a required part raises :class:`NotAForm` naming the sheet
and the missing parts; other sheets (汇总, notes) are skipped. A workbook with
no form at all, a file that is not an .xlsx workbook (CSV, old .xls, a damaged
zip) also raise NotAForm with a one-line Chinese message.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import warnings
import zipfile
import zlib
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from perfspec.form.layout import Layout
from perfspec.importers import FUNDS_COLUMNS, FUNDS_ROWS, FormData, Indicator, NotAForm
from perfspec.importers.labels import SHORT, Labels, fold
from perfspec.load.scalars import MAX_EXPONENT  # the loader's: larger (or smaller) numbers are typos

MAX_BYTES = 50 * 1024 * 1024  # an exported workbook of a hundred forms is well under 2 MB
# What openpyxl makes of a workbook grows with its XML, and with the ranges in it: it makes an
# object for every cell of a merged range or a hyperlinked range, so a 10 KB workbook merging
# A1:XFD1048576 asks for 17 billion. The parts are scanned (streamed, never all in memory) and
# a workbook over any limit is refused before openpyxl reads it. An export of a hundred forms
# unzips to ~10 MB of ~420,000 XML elements, ~140,000 cells and ~30 merged ranges a sheet.
MAX_UNZIPPED = 50 * 1024 * 1024  # bytes of all parts, unzipped (as the zip's headers declare; zipfile enforces them)
MAX_ELEMENTS = 1_000_000  # XML elements of all parts: each becomes at least one Python object
MAX_CELLS = 250_000  # cells (and cell comments) of all sheets
MAX_AREA = 100_000  # cells covered by merged and hyperlinked ranges, all sheets together
MAX_MERGED = 500  # merged ranges of one sheet
MAX_LINKS = 200  # hyperlinks of one sheet: openpyxl compares each with every merged range
MAX_ROWS = 5000  # rows of a sheet searched for the form
MAX_COLS = 40
MAX_HIDDEN_ROWS = 200_000  # rows of the exporter's hidden _perfspec sheet read
MAX_HIDDEN_COLS = 200  # its columns (a value is split across columns in pieces of 32,767 characters)

_SPACE = re.compile(r"[\s\u3000]+")
_DECIMALS = re.compile(r"0\.(0+)")
_AMOUNT_UNIT = re.compile(r"[(（]\s*(万元|元)\s*[)）]")

MISSING = object()


def _norm(value: Any) -> str:
    """A label as compared (perfspec.importers.labels.fold): no spaces, half-width brackets and colon."""
    return fold(value)


# Every label the reader looks for (项目名称, the funds block's columns and rows, 一级指标 … 得分, 总分,
# 评分等级, the titles) is some layout's: perfspec.importers.labels collects them from the layouts.
_INDICATOR_KEYS = ("level1", "level2", "name", "target", "actual", "weight", "score", "deviation")
# The columns every layout's indicator table prints; 实际完成值, 分值 and 得分 are read where the layout has them
# (a target table has none, a monitoring form no scores, budget-20 得分 only).
_REQUIRED = ("level1", "level2", "name", "target")


def _unit_of(value: Any, blocks: frozenset[str]) -> str | None:
    """万元 or 元 from the funds caption "项目资金（万元）" (any layout's caption), None when it names none."""
    if not isinstance(value, str):
        return None
    text = _SPACE.sub("", value)
    for block in blocks:
        if fold(text).startswith(block):
            match = _AMOUNT_UNIT.search(text)
            return match.group(1) if match else None
    return None


@functools.lru_cache(maxsize=1)
def _shipped() -> Labels:
    """The shipped layouts' labels, for reading a year or a unit out of a cell."""
    return Labels()


def _year_search(text: str) -> re.Match[str] | None:
    """"(2023 年度)": the year, in any layout's word for it."""
    return _shipped().year_pattern().search(_SPACE.sub("", text))


def _unit_text(value: Any) -> str:
    return _unit_of(value, _shipped().of("funds_block", "")) or "万元"


def _distinctive(L: Labels) -> frozenset[str]:
    """Labels only a form prints: any one makes a sheet look like a form (the summary sheet has none)."""
    names = set(L.titles) | L.of("funds_rows", "total") | L.of("goals_block", "")
    names |= L.of("indicators", "level1") | L.of("indicators", "name")
    return frozenset(n for n in names if len(n) > SHORT)


# ----------------------------------------------------------------------------- the file


def _open(path: str, read_only: bool = False, checked: bool = False) -> Any:
    """The openpyxl workbook, or NotAForm saying in one line why the file is not one (`checked`: _check ran)."""
    if not checked:
        _check(path)
    import openpyxl  # ModuleNotFoundError (name "openpyxl"): the command says pip install 'perfspec[xlsx]'

    shown = os.path.basename(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open(path, "rb") as handle:  # a file object: openpyxl then does not insist on the .xlsx suffix
                if read_only:  # streamed: the handle must stay open while the sheets are read
                    return openpyxl.load_workbook(io.BytesIO(handle.read()), data_only=True, keep_links=False,
                                                  keep_vba=False, read_only=True)
                return openpyxl.load_workbook(handle, data_only=True, keep_links=False, keep_vba=False)
    except NotAForm:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged workbook can fail anywhere inside openpyxl
        detail = " ".join(str(exc).split())[:120]
        raise NotAForm(f"{shown}：Excel 工作簿已损坏，无法读取（{type(exc).__name__}: {detail}）",
                       f"{shown}: damaged workbook ({type(exc).__name__}: {detail})") from None


def _check(path: str) -> None:
    """NotAForm, in one line, unless `path` is an .xlsx workbook within every bound (nothing is parsed)."""
    shown = os.path.basename(path)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise NotAForm(f"{shown}：文件不存在", f"{shown}: no such file") from None
    except IsADirectoryError:
        raise NotAForm(f"{shown}：这是一个文件夹，不是 Excel 工作簿", f"{shown}: is a folder") from None
    except OSError as exc:
        raise NotAForm(f"{shown}：无法读取（{exc.strerror or exc}）", f"{shown}: cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise NotAForm(f"{shown}：文件是空的，不是 Excel 工作簿", f"{shown}: empty file, not an Excel workbook")
    if size > MAX_BYTES:
        raise NotAForm(f"{shown}：文件过大（{size} 字节），不像一张自评表的工作簿，未读取",
                       f"{shown}: file too large ({size} bytes); not read")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotAForm(
            f"{shown}：这是旧的 .xls 格式（或加密的工作簿），无法读取：请在 Excel 中另存为 .xlsx（不加密）",
            f"{shown}: old .xls format (or an encrypted workbook): save it as .xlsx in Excel",
        )
    if not head.startswith(b"PK"):
        kind = "文本文件（如 CSV）" if _looks_like_text(path) else "其他格式的文件"
        raise NotAForm(f"{shown}：不是 Excel 工作簿（.xlsx），而是{kind}",
                       f"{shown}: not an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            unzipped = sum(info.file_size for info in infos)
            if unzipped > MAX_UNZIPPED:
                raise NotAForm(f"{shown}：解压后过大（{unzipped} 字节，上限 {MAX_UNZIPPED} 字节），未读取",
                               f"{shown}: too large when unzipped ({unzipped} bytes, limit {MAX_UNZIPPED}); not read")
            _scan(archive, infos, shown)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
        raise NotAForm(f"{shown}：Excel 工作簿已损坏（不是完整的 zip 文件），无法读取",
                       f"{shown}: damaged workbook (not a valid zip file)") from None
    if "xl/workbook.xml" not in names and "word/document.xml" in names:
        raise NotAForm(f"{shown}：这是 Word 文档，不是 Excel 工作簿：请用 --from docx 导入",
                       f"{shown}: a Word document, not an Excel workbook: import it with --from docx")
    if "xl/workbook.xml" not in names:
        raise NotAForm(f"{shown}：是 zip 文件，但不是 Excel 工作簿（.xlsx）",
                       f"{shown}: a zip file, but not an Excel workbook (.xlsx)")


_CHUNK = 1 << 20
_TAG_HEAD = 4096  # bytes of an element kept across chunks: the attributes the scan reads are in its head
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")
_RANGE_REF = re.compile(rb"<" + _NS + rb"(mergeCell|hyperlink)\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']")
_COMMENT = re.compile(rb"<" + _NS + rb"comment[\s>]")
_CORNER = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\Z")
_SHEET = re.compile(rb"<" + _NS + rb"sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<" + _NS + rb"Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attributes(text: bytes) -> dict[str, str]:
    import html

    out = {}
    for match in _ATTRIBUTE.finditer(text):
        name = match.group(1).decode("utf-8", "replace").rsplit(":", 1)[-1]
        out[name] = html.unescape((match.group(2) or match.group(3) or b"").decode("utf-8", "replace"))
    return out


def _area(ref: bytes) -> int:
    """Cells in "A1:XFD1048576" (a merged or hyperlinked range); 1 for one cell, 0 for nonsense."""
    corners = []
    for part in ref.decode("ascii", "replace").split(":"):
        match = _CORNER.match(part.strip())
        if match is None:
            return 0
        column = 0
        for letter in match.group(1).upper():
            column = column * 26 + ord(letter) - 64
        corners.append((int(match.group(2)), column))
    if len(corners) == 1:
        return 1
    if len(corners) != 2:
        return 0
    (r1, c1), (r2, c2) = corners
    return (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)


def _sheet_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Worksheet part → the sheet's name, for messages ({} when the workbook does not say)."""
    def small(name: str) -> bytes:
        if name not in names:
            return b""
        with archive.open(name) as part:
            return part.read(4 * _CHUNK)

    targets = {}
    for match in _RELATIONSHIP.finditer(small("xl/_rels/workbook.xml.rels")):
        attrs = _attributes(match.group(1))
        target = attrs.get("Target", "")
        targets[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out = {}
    for match in _SHEET.finditer(small("xl/workbook.xml")):
        attrs = _attributes(match.group(1))
        if attrs.get("id") in targets:
            out[os.path.normpath(targets[attrs["id"]]).replace(os.sep, "/")] = attrs.get("name", "")
    return out


def _scan(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], shown: str) -> None:
    """NotAForm, naming the sheet and the limit, when openpyxl would make too much of the workbook."""
    names = {info.filename for info in infos}
    sheets = _sheet_names(archive, names)
    elements = cells = area = 0

    def refuse(where: str, zh: str, en: str) -> NotAForm:
        return NotAForm(f"{shown}：{where}{zh}，不像一张自评表的工作簿，未读取", f"{shown}: {en}; not read")

    for info in infos:
        name = info.filename
        part_of_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name
        sheet = (sheets.get(name) or os.path.basename(name)) if part_of_sheet else None
        where = f"工作表“{sheet}”" if sheet is not None else f"“{name}”"
        where_en = f"sheet '{sheet}'" if sheet is not None else f"'{name}'"
        comments = name.startswith("xl/comments")
        merged = links = 0
        rest = b""
        with archive.open(info) as part:
            while True:
                chunk = part.read(_CHUNK)
                buffer = rest + chunk
                # Only whole elements are scanned: the text up to the last "<" (the rest waits for
                # the next chunk, its head is enough to read a ref from).
                cut = buffer.rfind(b"<") if chunk else len(buffer)
                if cut < 0:
                    cut = len(buffer)
                body, rest = buffer[:cut], buffer[cut : cut + _TAG_HEAD]
                elements += body.count(b"<") - body.count(b"</") - body.count(b"<?") - body.count(b"<!")
                if elements > MAX_ELEMENTS:
                    raise refuse(where, f"处 XML 元素过多（整个工作簿超过 {MAX_ELEMENTS} 个）",
                                 f"{where_en}: too many XML elements (over {MAX_ELEMENTS} in the workbook)")
                if sheet is not None:
                    cells += body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/>")
                    if b":c" in body:
                        cells += sum(1 for _ in _PREFIXED_CELL.finditer(body))
                elif comments:
                    cells += sum(1 for _ in _COMMENT.finditer(body))
                if cells > MAX_CELLS:
                    raise refuse(where, f"处单元格过多（整个工作簿超过 {MAX_CELLS} 个）",
                                 f"{where_en}: too many cells (over {MAX_CELLS} in the workbook)")
                if sheet is not None and (b"mergeCell" in body or b"hyperlink" in body):
                    for match in _RANGE_REF.finditer(body):
                        size = _area(match.group(2))
                        area += size
                        if match.group(1) == b"mergeCell":
                            merged += 1
                        else:
                            links += 1
                        kind = "合并单元格" if match.group(1) == b"mergeCell" else "超链接"
                        if area > MAX_AREA:
                            ref = match.group(2).decode("ascii", "replace")[:40]
                            raise refuse(
                                where,
                                f"的{kind}范围过大（{ref} 共 {size} 格；合并和超链接的范围合计上限 {MAX_AREA} 格）",
                                f"{where_en}: a {'merged' if kind == '合并单元格' else 'hyperlinked'} range is too large "
                                f"({ref}: {size} cells; merged and hyperlinked ranges may cover {MAX_AREA} cells in all)",
                            )
                        if merged > MAX_MERGED:
                            raise refuse(where, f"的合并单元格过多（超过 {MAX_MERGED} 处）",
                                         f"{where_en}: too many merged ranges (over {MAX_MERGED})")
                        if links > MAX_LINKS:
                            raise refuse(where, f"的超链接过多（超过 {MAX_LINKS} 个）",
                                         f"{where_en}: too many hyperlinks (over {MAX_LINKS})")
                if not chunk:
                    break


def _looks_like_text(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            sample = handle.read(4096)
    except OSError:
        return False
    if b"\x00" in sample:
        return False
    import codecs

    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)  # the sample may end mid-character
            return True
        except UnicodeDecodeError:
            continue
    return False


# ----------------------------------------------------------------------------- hidden values


class Hidden:
    """The exporter's `_perfspec` sheet: {sheet key: {path: value}} with the sheet titles as a second key."""

    def __init__(self) -> None:
        self.by_key: dict[str, dict[tuple, Any]] = {}
        self.by_title: dict[str, dict[tuple, Any]] = {}
        self.cells: dict[str, dict[tuple, str]] = {}  # sheet key → path → the cell it was exported to ("" none)
        self.cells_by_title: dict[str, dict[tuple, str]] = {}
        self.damaged = False
        self.version = 0

    @classmethod
    def read(cls, wb: Any) -> "Hidden":
        from perfspec.outputs.xlsx import DATA_SHEET, MARK, decode

        hidden = cls()
        if DATA_SHEET not in wb.sheetnames:
            return hidden
        ws = wb[DATA_SHEET]
        max_row, max_col = ws.max_row or 0, ws.max_column or 0
        if max_row > MAX_HIDDEN_ROWS or max_col > MAX_HIDDEN_COLS:
            hidden.damaged = True  # a stray far cell: read what the exporter could have written
        width = min(max_col, MAX_HIDDEN_COLS)
        by_row: dict[int, dict[int, Any]] = {}
        for cell in _cells(ws, min(max_row, MAX_HIDDEN_ROWS), width):
            by_row.setdefault(cell.row, {})[cell.column] = cell.value
        if 1 not in by_row:
            return hidden
        # As iter_rows(values_only=True) gives them, without the empty rows and the empty cells
        # past a row's last (both are skipped anyway).
        rows = (tuple(cells.get(c) for c in range(1, max(*cells, 5) + 1)) for _, cells in sorted(by_row.items()))
        first = next(rows, None)
        if not first or first[0] != MARK:
            return hidden
        hidden.version = first[1] if isinstance(first[1], int) and not isinstance(first[1], bool) else 0
        for row in rows:
            if not row or len(row) < 5 or row[0] in (None, "code name"):
                continue
            key, title, path_text, coord, kind = row[:5]
            text = "".join(str(part) for part in row[5:] if part is not None)
            try:
                path = tuple(json.loads(path_text))
                value = decode(str(kind), text)
                if isinstance(value, Decimal) and not _in_range(value):
                    raise ValueError(text)
                if isinstance(value, int) and not isinstance(value, bool) and not _in_range(Decimal(value)):
                    raise ValueError(text)
            except (ValueError, TypeError):
                hidden.damaged = True
                continue
            hidden.by_key.setdefault(str(key), {})[path] = value
            hidden.by_title.setdefault(str(title), {})[path] = value
            hidden.cells.setdefault(str(key), {})[path] = coord if isinstance(coord, str) else ""
            hidden.cells_by_title.setdefault(str(title), {})[path] = coord if isinstance(coord, str) else ""
        return hidden

    def whole(self, ws: Any) -> bool:
        """Whether the records of `ws` are a whole form (every key of the spec, and only those: VERSION 2)."""
        return self.version >= 2 and not self.damaged and bool(self.values_for(ws))

    def cells_for(self, ws: Any) -> dict[tuple, str]:
        code = getattr(ws.sheet_properties, "codeName", None)
        if code and code in self.by_key:
            return self.cells.get(code, {})
        return self.cells_by_title.get(ws.title, {})

    def values_for(self, ws: Any) -> dict[tuple, Any]:
        code = getattr(ws.sheet_properties, "codeName", None)
        if code and code in self.by_key:
            return self.by_key[code]
        return self.by_title.get(ws.title, {})


# ----------------------------------------------------------------------------- one sheet


def _cells(ws: Any, rows: int, cols: int) -> list[Any]:
    """The sheet's existing cells within rows × cols, by row and column."""
    cells = getattr(ws, "_cells", None)
    if not isinstance(cells, dict):  # pragma: no cover - openpyxl keeps its cells in ws._cells since 2.0
        return [cell for row in ws.iter_rows(min_row=1, max_row=rows, max_col=cols) for cell in row]
    return [cells[key] for key in sorted(k for k in cells if k[0] <= rows and k[1] <= cols)]


class Grid:
    """A sheet's cells by (row, column), merged ranges filled from their top-left cell."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.values: dict[tuple[int, int], Any] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.end: dict[tuple[int, int], tuple[int, int]] = {}  # a merged cell's bottom-right corner
        rows = min(ws.max_row or 0, MAX_ROWS)
        cols = min(ws.max_column or 0, MAX_COLS)
        if rows and cols:
            # The cells the sheet has, not every position up to its far corner: iter_rows would
            # make a cell object for each empty one (200,000 for one stray cell at AN5000).
            for cell in _cells(ws, rows, cols):
                value = cell.value
                if value is None or (isinstance(value, str) and value == ""):
                    continue
                self.values[(cell.row, cell.column)] = value
                self.formats[(cell.row, cell.column)] = cell.number_format or "General"
        for merged in ws.merged_cells.ranges:
            top = (merged.min_row, merged.min_col)
            if merged.min_row > rows or merged.min_col > cols:
                continue
            for r in range(merged.min_row, min(merged.max_row, rows) + 1):
                for c in range(merged.min_col, min(merged.max_col, cols) + 1):
                    self.end[(r, c)] = (merged.max_row, merged.max_col)
                    if (r, c) != top:
                        self.values.pop((r, c), None)
                        if top in self.values:
                            self.values[(r, c)] = self.values[top]
                            self.formats[(r, c)] = self.formats.get(top, "General")
        self.rows = rows
        self.cols = cols
        self.labels: dict[str, list[tuple[int, int]]] = {}
        for (r, c), value in sorted(self.values.items()):
            key = _norm(value)
            if key and len(key) <= 20:
                self.labels.setdefault(key, []).append((r, c))

    @property
    def empty(self) -> bool:
        return not self.values

    def get(self, r: int, c: int) -> Any:
        return self.values.get((r, c))

    def find(self, *names: str, after: int = 0) -> tuple[int, int] | None:
        """The first cell (by row, then column) whose label is one of `names`, below row `after`."""
        best = None
        for name in names:
            for pos in self.labels.get(_norm(name), ()):
                if pos[0] > after and (best is None or pos < best):
                    best = pos
                    break
        return best

    def right_of(self, pos: tuple[int, int]) -> tuple[int, int]:
        """The cell just right of a (possibly merged) label cell."""
        r, c = pos
        _, end_c = self.end.get(pos, (r, c))
        return (r, end_c + 1)

    def below(self, pos: tuple[int, int]) -> tuple[int, int]:
        r, c = pos
        end_r, _ = self.end.get(pos, (r, c))
        return (end_r + 1, c)

    def is_label(self, pos: tuple[int, int], *names: str) -> bool:
        return _norm(self.get(*pos)) in {_norm(n) for n in names}


def _position(coord: str) -> tuple[int, int] | None:
    """(row, column) of "C12"; None for anything else."""
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    try:
        letters, row = coordinate_from_string(coord)
        return (row, column_index_from_string(letters))
    except ValueError:
        return None


def _coord(pos: tuple[int, int]) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(pos[1])}{pos[0]}"


class SheetReader:
    """Reads one sheet into FormData, merging in the hidden exact values."""

    def __init__(self, ws: Any, grid: Grid, hidden: dict[tuple, Any], workbook_name: str,
                 labels: Labels | None = None) -> None:
        self.L = labels or Labels()
        self.ws = ws
        self.grid = grid
        self.hidden = hidden
        self.used: set[tuple] = set()
        self.rows: list[int] = []  # the sheet row of each indicator read
        self.workbook = workbook_name
        self.form = FormData(source=f"{workbook_name}!{ws.title}")

    def note(self, path: tuple, reason: str, pos: tuple[int, int] | None = None) -> None:
        where = f"（{self.ws.title}!{_coord(pos)}）" if pos else ""
        self.form.review(path, reason + where)
        if pos:
            for review in self.form.reviews:
                if review.path == tuple(path) and review.source_line is None:
                    review.source_line = pos[0]

    # -- values

    def value(self, path: tuple, pos: tuple[int, int] | None, kind: str) -> Any:
        """The cell at `pos` as `kind` (text, cell, money, count, year, unit), preferring the hidden original."""
        visible = self.grid.get(*pos) if pos else None
        fmt = self.grid.formats.get(pos, "General") if pos else "General"
        original = self.hidden.get(path, MISSING)
        if original is not MISSING:
            self.used.add(path)
            if _agrees(original, visible, kind):
                return _fit(original, kind)
        value, problem = _from_cell(visible, fmt, kind)
        if original is not MISSING and not _same(_fit(original, kind), value):
            self.note(path, f"工作表中的值（{_show(visible)}）与导出时的原值（{_show(original)}）不同，采用工作表中的值", pos)
        if problem:
            self.note(path, problem, pos)
        return value

    # -- the form

    def read(self) -> FormData:
        g, form, L = self.grid, self.form, self.L
        missing = self.missing()
        if missing:
            raise NotAForm(
                f"{self.workbook}：工作表“{self.ws.title}”不是完整的{L.title}：找不到" + "、".join(missing),
                f"sheet '{self.ws.title}' is not a complete self-evaluation form: missing " + ", ".join(missing),
            )
        assert self.project and self.funds_head and self.ind_head
        # Year: "(2023 年度)" above the table.
        year_pos = None
        for (r, c), value in sorted(g.values.items()):
            if r < self.project[0] and isinstance(value, str) and _year_search(value):
                year_pos = (r, c)
                break
        form.year = self.value(("year",), year_pos, "year")
        form.project = self.value(("project",), g.right_of(self.project), "text")
        implementers = L.of("header", "implementer")
        for key in ("department", "implementer"):
            pos = g.find(*sorted(L.of("header", key)))
            right = g.right_of(pos) if pos else None
            if right and key == "department" and g.is_label(right, *implementers):
                right = None  # no value cell: the next label follows
            setattr(form, key, self.value((key,), right, "text") if right else self.value((key,), None, "text"))
        # 项目资金.
        blocks = L.of("funds_block", "")
        unit_pos = None
        for (r, c), value in sorted(g.values.items()):
            if isinstance(value, str) and any(_norm(value).startswith(b) for b in blocks):
                unit_pos = (r, c)
                break
        form.unit = self.value(("funds", "unit"), unit_pos, "unit") or "万元"
        head_r = self.funds_head[0]
        columns: dict[str, int | None] = {}
        for key, part in [(k, "funds_columns") for k in FUNDS_COLUMNS] + [(k, "funds") for k in ("weight", "rate", "score")]:
            names = L.of(part, key)
            names |= {n + "(%)" for n in names} if key == "rate" else set()
            found = [c for c in range(1, g.cols + 1) if _norm(g.get(head_r, c)) in names]
            columns[key] = found[0] if found else None
        label_limit = min(c for c in (columns[k] for k in FUNDS_COLUMNS) if c)
        rows: dict[str, int | None] = {}
        for key in FUNDS_ROWS:
            labels = L.of("funds_rows", key)
            rows[key] = None
            for r in range(head_r + 1, min(head_r + 12, g.rows + 1)):
                if any(_norm(g.get(r, c)) in labels for c in range(1, label_limit)):
                    rows[key] = r
                    break
        for key in FUNDS_ROWS:
            r = rows[key]
            for col in FUNDS_COLUMNS:
                pos = (r, columns[col]) if r and columns[col] else None
                form.funds[key][col] = self.value(("funds", key, col), pos, "money")
                if pos is None and key == "total":
                    self.note(("funds", key, col), "工作表中找不到这个单元格")
            if r is None and key != "total":
                self.note(("funds", key), f"工作表中找不到“{L.word('funds', key, short=False)}”一行，按空白读取")
        total_r = rows["total"]
        for key, kind in (("weight", "count"), ("rate", "money"), ("score", "money")):
            pos = (total_r, columns[key]) if total_r and columns[key] else None
            setattr(form, f"funds_{key}", self.value(("funds", key), pos, kind))
        # 年度总体目标.
        for key in ("expected", "achieved"):
            pos = g.find(*sorted(L.of("goals", key)))
            value_pos = g.below(pos) if pos else None
            setattr(form, f"goals_{key}", self.value(("goals", key), value_pos, "text"))
            if pos is None and self.expected(("goals", key)):
                self.note(("goals", key), f"工作表中找不到“{L.word('goals', key)}”")
        # 绩效指标.
        self.indicators()
        # 总分, 评分等级.
        r = self.total_pos[0] if self.total_pos else None
        for key in ("weight", "score"):
            pos = (r, self.ind_cols[key]) if r and key in self.ind_cols else None
            setattr(form, f"total_{key}", self.value(("total", key), pos, "money"))
        grade = g.find(*sorted(L.of("grade", "grade")), after=self.ind_head[0])
        if grade is None:
            form.grade = self.value(("grade",), None, "text")
            if self.expected(("grade",)):
                self.note(("grade",), f"工作表中找不到“{L.word('grade', 'grade')}”")
        else:
            form.grade = self.value(("grade",), g.right_of(grade), "text")
        # Indicator rows the export recorded that no row of the sheet was read as.
        read_rows = {p[:4] for p in self.used if p and p[0] == "indicators"}
        leftover = {p[:4] for p in self.hidden if p and p[0] == "indicators" and p[:4] not in read_rows}
        if leftover:
            self.note((), f"导出时的 {len(leftover)} 项指标在工作表中已不存在（行被删除或移动），以工作表为准")
        return form

    def restore(self, cells: dict[tuple, str]) -> None:
        """The rest of the exported spec (VERSION 2 records: every key, and only those): `kind:`, `layout:`,
        the layout's own cells (1–N月执行数, 完成目标可能性, other funding rows, 联系人 …) into FormData's
        extra, and which keys the spec wrote (FormData.present), so a blank cell it left out stays out.

        A recorded cell is read where it was exported (an indicator's on the row it was read from) and, as
        for every cell, the sheet wins when it no longer shows the export's value; a key without a cell
        (kind, layout, a signature line printed as one text) comes back as recorded.
        """
        form = self.form
        rows = {form.indicator_path(i): (item, self.rows[i]) for i, item in enumerate(form.indicators)}
        standard = {"name", "target", "actual", "weight", "score", "deviation"}
        for path, original in self.hidden.items():
            if path in self.used:
                continue
            coord = cells.get(path, "")
            pos = _position(coord) if coord else None
            if path == ("kind",) and isinstance(original, str):
                form.kind = original
            elif path == ("layout",) and isinstance(original, str):
                form.layout = original
            elif path[:1] == ("indicators",) and len(path) == 5:
                if path[:4] not in rows:
                    continue  # its row was deleted in Excel (named by read())
                item, row = rows[path[:4]]
                kind = "cell" if not isinstance(original, (int, Decimal)) or isinstance(original, bool) else "count"
                value = self.value(path, (row, pos[1]) if pos else None, kind) if pos else original
                if path[4] in standard:
                    setattr(item, path[4], value)
                else:
                    item.extra[path[4]] = value
            elif path[:1] == ("funds",) and len(path) in (2, 3) or len(path) in (1, 2):
                numeric = isinstance(original, (int, Decimal)) and not isinstance(original, bool)
                # A rate written "98.20%" shows as the number 98.2 (_agrees knows)
                numeric = numeric or (isinstance(original, str) and original.strip().endswith("%"))
                kind = ("money" if path[0] == "funds" else "count") if numeric else "text"
                form.extra[path] = self.value(path, pos, kind) if pos else original
            else:
                self.note((), f"导出时的 {'.'.join(map(str, path))} 无法还原")
        form.present = frozenset(p[:n] for p in self.hidden for n in range(1, len(p) + 1))
        # A cell the layout has no place for (a 上年结转 row, 评分等级 of a target table) is missing only when
        # the spec wrote it: the notes on keys it left out go.
        form.reviews = [r for r in form.reviews if not r.path or tuple(r.path) in form.present]

    def expected(self, path: tuple) -> bool:
        """Whether the sheet should have a cell for `path`: always without the export's hidden values; with
        them, only when the export wrote one (a target table prints no 评分等级, a monitoring form no 实际完成情况)."""
        return not self.hidden or path in self.hidden

    def missing(self) -> list[str]:
        g, L = self.grid, self.L
        out = []
        self.project = g.find(*sorted(L.of("header", "project")))
        if self.project is None:
            out.append(f"“{L.word('header', 'project')}”")
        # The funds header: a row with every amount column of some layout.
        self.funds_head = None
        wanted = [frozenset(_norm(f.zh) for f in layout.funds_columns) for layout in L.layouts if layout.funds_columns]
        for r in sorted({pos[0] for name in set().union(*wanted) for pos in g.labels.get(name, ())}):
            here = {_norm(g.get(r, c)) for c in range(1, g.cols + 1)}
            if any(columns <= here for columns in wanted):
                first = min(c for c in range(1, g.cols + 1) if _norm(g.get(r, c)) in set().union(*wanted))
                self.funds_head = (r, first)
                break
        if self.funds_head is None:
            names = "、".join(f.zh for f in L.ref.funds_columns)
            out.append(f"{L.ref.funds_zh}的表头（{names}）")
        elif g.find(*sorted(L.of("funds_rows", "total")), after=self.funds_head[0]) is None:
            out.append(f"“{L.word('funds', 'total')}”一行")
        self.ind_head = None
        self.ind_cols: dict[str, int] = {}
        names_of = {key: L.of("indicators", key) for key in _INDICATOR_KEYS}
        for pos in sorted(p for name in names_of["level1"] for p in g.labels.get(name, ())):
            r = pos[0]
            cols: dict[str, int] = {}
            for c in range(1, g.cols + 1):
                label = _norm(g.get(r, c))
                for key, names in names_of.items():
                    if key not in cols and label in names:
                        cols[key] = c
            if all(k in cols for k in _REQUIRED):
                self.ind_head, self.ind_cols = pos, cols
                break
        if self.ind_head is None:
            out.append(f"绩效指标的表头（{'、'.join(L.word('indicators', k) for k in _REQUIRED)}）")
        self.total_pos = None
        self.table_end = g.rows + 1
        if self.ind_head is not None:
            self.total_pos = g.find(*sorted(L.of("total", "total")), after=self.ind_head[0])
            scored = "weight" in self.ind_cols or "score" in self.ind_cols
            if self.total_pos is None and scored:
                out.append(f"“{L.word('total', 'total')}”一行")
            elif self.total_pos is not None:
                self.table_end = self.total_pos[0]
            else:
                # No 总分 row (a target table, a monitoring form): the table ends at the first row whose
                # first cell is a label of the form (评分等级, 联系电话 …) rather than a 一级指标.
                words = L.words - L.of("indicators", "level1")
                for r in range(self.ind_head[0] + 1, g.rows + 1):
                    if _norm(g.get(r, 1)) in words and _norm(g.get(r, 1)) not in L.level1:
                        self.table_end = r
                        break
        return out

    def indicators(self) -> None:
        g, form, cols = self.grid, self.form, self.ind_cols
        level1 = level2 = None
        head_r = self.ind_head[0]
        for r in range(head_r + 1, self.table_end):
            cells = {key: (r, c) for key, c in cols.items()}
            if _norm(g.get(*cells["level1"])) in self.L.of("indicators", "level1"):
                continue  # a repeated header
            v1, v2 = g.get(*cells["level1"]), g.get(*cells["level2"])
            fields = ("name", "target", "actual", "weight", "score", "deviation")
            if all(g.get(*cells[k]) is None for k in fields if k in cells) and g.get(*cells["name"]) is None:
                if v1 is not None:
                    level1 = _label_text(v1)
                if v2 is not None:
                    level2 = _label_text(v2)
                continue  # a blank row, or a category written without indicators
            if v1 is not None:
                level1 = _label_text(v1)
            if v2 is not None:
                level2 = _label_text(v2)
            item = Indicator(level1=level1 or "", level2=level2 or "", name=None)
            form.indicators.append(item)
            self.rows.append(r)
            index = len(form.indicators) - 1
            path = form.indicator_path(index)
            if level1 is None:
                self.note(path[:2], "这一行没有一级指标", cells["level1"])
            if level2 is None:
                self.note(path[:3], "这一行没有二级指标", cells["level2"])
            item.name = self.value(path + ("name",), cells["name"], "text")
            item.target = self.value(path + ("target",), cells["target"], "cell")
            item.actual = self.value(path + ("actual",), cells.get("actual"), "cell")
            item.weight = self.value(path + ("weight",), cells.get("weight"), "count")
            item.score = self.value(path + ("score",), cells.get("score"), "count")
            item.deviation = self.value(path + ("deviation",), cells.get("deviation"), "text")


def _label_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return _plain(value)


# ----------------------------------------------------------------------------- cell values


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        d = Decimal(repr(value))
        return format(d.normalize(), "f") if d == d.to_integral_value() else repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _places(fmt: str) -> int | None:
    """Decimals of a number format: '0.00' → 2, '0' → 0, General → None."""
    if not fmt or fmt == "General":
        return None
    match = _DECIMALS.search(fmt)
    if match:
        return len(match.group(1))
    return 0 if "0" in fmt or "#" in fmt else None


def _in_range(d: Decimal) -> bool:
    return d.is_finite() and (not d or abs(d.adjusted()) <= MAX_EXPONENT)


class OutOfRange(ValueError):
    pass


def _float_decimal(value: float | int, places: int | None) -> Decimal:
    """A cell's number as Decimal: its shortest repr, padded (never rounded) to `places` decimals.

    Raises OutOfRange for infinities and magnitudes beyond 1e±15.
    """
    d = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if not _in_range(d):
        raise OutOfRange(repr(value))
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    if places is not None:
        exp = d.as_tuple().exponent
        if isinstance(exp, int) and -exp <= places:
            d = d.quantize(Decimal(1).scaleb(-places))
    return d


def _from_cell(value: Any, fmt: str, kind: str) -> tuple[Any, str | None]:
    """(value, review note or None) of a visible cell, without a hidden original."""
    try:
        return _convert(value, fmt, kind)
    except OutOfRange:
        note = f"数值 {_plain(value)} 超出可处理范围（绝对值须在 1e-{MAX_EXPONENT} 到 1e{MAX_EXPONENT} 之间）"
        if kind in ("text", "cell"):
            return _plain(value), note + "，按文字读取"
        return None, note + "，按空白读取"


def _convert(value: Any, fmt: str, kind: str) -> tuple[Any, str | None]:
    if value is None or (isinstance(value, str) and not value.strip() and kind not in ("text", "cell")):
        return None, None
    if kind == "text":
        if isinstance(value, str):
            return value, None
        if isinstance(value, (datetime, date, time)):
            return _plain(value), "Excel 把这个单元格当作日期，按文字读取，请核对"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(_float_decimal(value, _places(fmt)), "f"), None
        return _plain(value), None
    if kind == "year":
        match = _year_search(value) if isinstance(value, str) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return value, None
        return (int(match.group(1)), None) if match else (None, "无法识别年度")
    if kind == "unit":
        return _unit_text(str(value)), None
    if kind == "cell":  # 年度指标值 / 实际完成值: text as is, a number keeps its format's decimals
        if isinstance(value, str):
            return value, None
        if isinstance(value, bool):
            return _plain(value), None
        if isinstance(value, (int, float)):
            d = _float_decimal(value, _places(fmt))
            return (int(d) if d.as_tuple().exponent == 0 and _places(fmt) in (None, 0) else d), None
        if isinstance(value, (datetime, date, time)):
            return _plain(value), "Excel 把这个单元格当作日期，按文字读取，请核对"
        return _plain(value), None
    # money (two decimals) or count (whole when whole)
    if isinstance(value, bool):
        return None, f"不是数字（{_plain(value)}），按空白读取"
    if isinstance(value, (int, float)):
        if kind == "money":
            return _float_decimal(value, 2), None
        return _float_decimal(value, None), None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            d = None
        if d is not None and d.is_finite():
            if not _in_range(d):
                raise OutOfRange(text)
            return d, None
        if text in ("-", "—", "/"):
            return None, None
        return None, f"不是数字（{value.strip()[:30]}），按空白读取"
    return None, f"不是数字（{_plain(value)}），按空白读取"


def _agrees(original: Any, visible: Any, kind: str) -> bool:
    """Whether a visible cell still shows what the exporter wrote for `original`."""
    from perfspec.outputs.xlsx import visible_text

    if kind == "unit":  # the unit is part of the funds label; a spec without one shows the default 万元
        return (_unit_text(visible) if isinstance(visible, str) else "万元") == (original or "万元")
    if kind == "year" and original is None:
        return not (isinstance(visible, str) and _year_search(visible))
    if original is None or original == "":
        return visible is None or (isinstance(visible, str) and visible == "")
    if isinstance(original, dict):
        # A split target: its 指标值 column shows the value alone, one 年度指标值 cell the whole "≥90%".
        from perfspec.form.model import printed_target

        value = original.get("value")
        shown = {printed_target(original), format(value, "f") if isinstance(value, Decimal) else value}
        if isinstance(visible, str) and any(_lines(visible) == _lines(str(s)) for s in shown if s is not None):
            return True
        return _agrees(value, visible, kind)
    if isinstance(original, str) and kind == "money" and original.strip().endswith("%") and _is_number(visible):
        # A rate the spec writes as "98.20%": the sheet's 执行率(%) column shows the number 98.2.
        try:
            return Decimal(original.strip()[:-1].strip()) == Decimal(repr(visible))
        except InvalidOperation:
            return False
    if isinstance(original, str):
        if not isinstance(visible, str):
            # The exporter writes the year as "(2023 年度)" and the unit inside the funds label.
            return False
        return _lines(visible) == _lines(visible_text(original))
    if isinstance(original, bool):
        return False
    if isinstance(original, (int, Decimal)):
        if kind == "year":
            match = _year_search(visible) if isinstance(visible, str) else None
            return match is not None and int(match.group(1)) == original
        if isinstance(visible, bool) or not isinstance(visible, (int, float)):
            return False
        try:
            return float(original) == float(visible)
        except (OverflowError, ValueError):
            return False
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _fit(value: Any, kind: str) -> Any:
    """A hidden original in FormData's types (numbers as Decimal in numeric fields)."""
    if kind in ("money", "count") and isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if kind == "year" and isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return str(a) == str(b)
    return a == b


def _show(value: Any) -> str:
    if value is None:
        return "空白"
    if isinstance(value, Decimal):
        return format(value, "f")
    text = _plain(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= 30 else text[:29] + "…"


# ----------------------------------------------------------------------------- the workbook


def _some(names: list[str], limit: int = 5) -> str:
    return "、".join(names[:limit]) + (f" 等 {len(names)} 个" if len(names) > limit else "")


def _cell_text(value: Any, fmt: str) -> str:
    """A cell as the printed form shows it: a number with its format's decimals (0.9873 in a 0.00%
    cell is "98.73%"), a date in ISO form, text as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _plain(value)
    places = _places(fmt)
    try:
        if "%" in (fmt or ""):
            d = (Decimal(repr(value)) * 100) if isinstance(value, float) else Decimal(value) * 100
            return format(d.quantize(Decimal(1).scaleb(-(places or 0))), "f") + "%"
        return format(_float_decimal(value, places), "f")
    except (OutOfRange, InvalidOperation):
        return _plain(value)


def sheet_rows(ws: Any) -> list[Any]:
    """The sheet as rows of cells for the label-driven assembler (perfspec.importers.text.assemble).

    A merged range gives its value once, in its top-left cell, and None for every cell it covers
    (as a PDF table does); empty cells are "". Columns before the first used one are dropped, so
    a margin column does not shift the form. Row.where is the sheet's row number.
    """
    rows = min(ws.max_row or 0, MAX_ROWS)
    cols = min(ws.max_column or 0, MAX_COLS)
    if not rows or not cols:
        return []
    values: dict[tuple[int, int], str] = {}
    quoted: set[tuple[int, int]] = set()
    for cell in _cells(ws, rows, cols):
        text = _cell_text(cell.value, cell.number_format or "General")
        if text.strip():
            values[(cell.row, cell.column)] = text
            if _quoted(cell.value):
                quoted.add((cell.row, cell.column))
    merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    return _rows(values, merged, rows, cols, quoted)


_BARE_NUMBER = re.compile(r"\s*[-+]?\d+(?:\.\d+)?\s*")


def _quoted(value: Any) -> bool:
    """A cell typed as text that reads as a number ('12.5'): the form wrote it as text, and it is kept so."""
    return isinstance(value, str) and _BARE_NUMBER.fullmatch(value) is not None


def _rows(values: dict[tuple[int, int], str], merged: list[tuple[int, int, int, int]], rows: int, cols: int,
          quoted: set | None = None) -> list[Any]:
    """Rows for the assembler from the non-empty cells and the merged ranges (min_row, min_col, max_row, max_col);
    `quoted`: the cells typed as text that read as numbers."""
    from perfspec.importers.rows import Row

    covered: set[tuple[int, int]] = set()
    for min_row, min_col, max_row, max_col in merged:
        for r in range(min_row, min(max_row, rows) + 1):
            for c in range(min_col, min(max_col, cols) + 1):
                if (r, c) != (min_row, min_col):
                    covered.add((r, c))
                    values.pop((r, c), None)
    if not values:
        return []
    first = min(c for _, c in values)
    last = max(c for _, c in values)
    out = []
    for r in sorted({r for r, _ in values}):
        out.append(Row([None if (r, c) in covered else values.get((r, c), "") for c in range(first, last + 1)], r,
                       quoted=frozenset(c - first for c in range(first, last + 1) if (r, c) in (quoted or ()))))
    return out


def _read_by_labels(ws: Any, grid: Grid, name: str, L: Labels) -> list[FormData]:
    """A sheet in an official layout (not perfspec's export): its rows through the text assembler, so
    layout detection and every repair the assembler knows apply to workbooks too. A sheet whose rows
    give no indicator is named with the parts it lacks, as SheetReader names them."""
    forms = _assemble(sheet_rows(ws), name, ws.title, L)
    if not forms:
        reader = SheetReader(ws, grid, {}, name, L)
        missing = reader.missing() or [f"绩效指标的行（{L.word('indicators', 'name')}）"]
        raise NotAForm(
            f"{name}：工作表“{ws.title}”不是完整的{L.title}：找不到" + "、".join(missing),
            f"sheet '{ws.title}' is not a complete self-evaluation form: missing " + ", ".join(missing),
        )
    return forms


def _assemble(rows: list[Any], name: str, title: str, L: Labels) -> list[FormData]:
    """The forms (those with indicators) the assembler reads from a sheet's rows, named by workbook and sheet."""
    from perfspec.importers.text import assemble

    try:
        forms = [form for form in assemble(rows, "行", L.ref, grid=True) if form.indicators]
    except NotAForm as exc:  # the assembler's bounds: say which workbook and sheet
        raise NotAForm(f"{name}：工作表“{title}”：{exc}", f"{name}: sheet '{title}': {exc.en}") from None
    for number, form in enumerate(forms, start=1):
        form.source = f"{name}!{title}" + (f"#{number}" if len(forms) > 1 else "")
        for note in form.reviews:
            if note.source_line is not None and "工作表" not in note.reason:
                note.reason = note.reason.replace("原文第", f"工作表“{title}”第")
    return forms


def _own_export(ws: Any, hidden: dict[tuple, Any]) -> bool:
    """A sheet `perfspec export` wrote (its code name, kept when the hidden sheet is deleted), or one the
    hidden sheet has values for: read cell by cell (SheetReader), exactly."""
    from perfspec.outputs.xlsx import CODE_PREFIX

    code = getattr(ws.sheet_properties, "codeName", None) or ""
    return bool(hidden) or (code.startswith(CODE_PREFIX) and code[len(CODE_PREFIX):].isdigit())


_CODE_NAME = re.compile(rb"<" + _NS + rb"sheetPr\b[^>]*\bcodeName\s*=\s*[\"']perfspec[0-9]+[\"']")


def _exported(path: str) -> bool:
    """Whether `perfspec export` wrote the workbook (its hidden sheet, or a sheet's code name perfspecN):
    read by SheetReader, exactly. True also for a file that is no readable zip: the full reader's
    checks (_open) then say in one line what it is."""
    from perfspec.outputs.xlsx import DATA_SHEET

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if DATA_SHEET in _sheet_names(archive, names).values():
                return True
            for part in names:
                if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                    with archive.open(part) as handle:
                        if _CODE_NAME.search(handle.read(_TAG_HEAD)):
                            return True
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
        return True
    return False


def _merged_ranges(path: str, part: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a worksheet part, read from its XML (openpyxl's read-only sheets have none)."""
    out = []
    with zipfile.ZipFile(path) as archive:
        data = archive.read(part)  # within MAX_UNZIPPED: _open checked it
    for match in _RANGE_REF.finditer(data):
        if match.group(1) != b"mergeCell":
            continue
        corners = []
        for corner in match.group(2).decode("ascii", "replace").split(":"):
            found = _CORNER.match(corner.strip())
            if found is None:
                break
            column = 0
            for letter in found.group(1).upper():
                column = column * 26 + ord(letter) - 64
            corners.append((int(found.group(2)), column))
        if len(corners) == 2:
            (r1, c1), (r2, c2) = corners
            out.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


def _read_streamed(path: str, name: str, L: Labels) -> list[FormData] | None:
    """A workbook that is not perfspec's export, read in openpyxl's read-only mode (a third of the
    memory of a full load at the cell limit) with the merged ranges from the sheet XML. None when
    some sheet looks like a form but gives none, or no sheet does: the full reader then says why."""
    wb = _open(path, read_only=True, checked=True)
    forms: list[FormData] = []
    names = _distinctive(L)
    try:
        for ws in wb.worksheets:
            part = getattr(ws, "_worksheet_path", None)
            if not isinstance(part, str):
                return None  # pragma: no cover - openpyxl keeps the part's path on read-only sheets
            values: dict[tuple[int, int], str] = {}
            quoted: set[tuple[int, int]] = set()
            for row in ws.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=MAX_COLS):
                for cell in row:
                    if cell.value is None:
                        continue
                    text = _cell_text(cell.value, getattr(cell, "number_format", None) or "General")
                    if text.strip():
                        values[(cell.row, cell.column)] = text
                        if _quoted(cell.value):
                            quoted.add((cell.row, cell.column))
            if not any(_norm(v) in names for v in values.values()):
                continue  # an empty sheet or one without a form's labels (汇总, notes)
            rows = _rows(values, _merged_ranges(path, part.lstrip("/")), MAX_ROWS, MAX_COLS, quoted)
            found = _assemble(rows, name, ws.title, L)
            if not found:
                return None
            forms += found
    finally:
        wb.close()
    return forms or None


def _looks_like_form(grid: Grid, L: Labels) -> bool:
    names = _distinctive(L)
    return any(key in names for key in grid.labels)


def read(path: str, layout: Layout | str | None = None) -> list[FormData]:
    """One FormData per form sheet of the workbook at `path`; NotAForm when it holds none (or is no workbook).

    Sheets are read in every shipped layout's labels; `layout` (the configured one) words the messages.
    """
    import openpyxl  # noqa: F401 - a missing optional dependency is reported before anything else

    from perfspec.outputs.xlsx import DATA_SHEET

    name = os.path.basename(path)
    L = Labels(layout)
    _check(path)
    if not _exported(path):
        light = _read_streamed(path, name, L)
        if light is not None:
            return light
    wb = _open(path, checked=True)
    hidden = Hidden.read(wb)
    forms: list[FormData] = []
    empty: list[str] = []
    others: list[str] = []
    incomplete: list[NotAForm] = []  # sheets that look like a form in a layout FormData cannot hold
    try:
        for ws in wb.worksheets:
            if ws.title == DATA_SHEET:
                continue
            grid = Grid(ws)
            if grid.empty or not _looks_like_form(grid, L):
                (empty if grid.empty else others).append(f"“{ws.title}”")
                continue
            values = hidden.values_for(ws)
            try:
                if _own_export(ws, values):
                    reader = SheetReader(ws, grid, values, name, L)
                    sheet_forms = [reader.read()]
                    if hidden.whole(ws):
                        reader.restore(hidden.cells_for(ws))
                else:
                    sheet_forms = _read_by_labels(ws, grid, name, L)
            except NotAForm as exc:
                incomplete.append(exc)
                continue
            for form in sheet_forms:
                if hidden.damaged:
                    form.review((), "工作簿中隐藏的 _perfspec 工作表有损坏的记录，部分数值按工作表读取")
                forms.append(form)
    finally:
        wb.close()
    if incomplete and not forms:
        raise incomplete[0]
    if incomplete:
        # The other form sheets are read; the ones that could not be are named on the first form.
        for exc in incomplete:
            forms[0].review((), f"未导入：{exc}")
    if not forms:
        parts = []
        if others:
            parts.append(
                f"工作表{_some(others)}中找不到“{L.title}”标题、“{L.word('funds', 'total')}”"
                f"或“{L.word('indicators', 'level1')}”表头"
            )
        if empty:
            parts.append(f"工作表{_some(empty)}是空的")
        raise NotAForm(
            f"{name}：工作簿中没有{L.title}（" + "；".join(parts) + "）",
            f"{name}: no self-evaluation form in the workbook "
            f"({len(others)} sheet(s) without the form's labels, {len(empty)} empty)",
        )
    return forms


__all__ = ["read"]
