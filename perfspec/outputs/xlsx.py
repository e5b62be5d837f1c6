"""Excel export: each form in the official layout, a summary sheet, and the exact values.

The workbook has three kinds of sheets:

- one **form sheet** per spec, laid out as its layout prints the form
  (``perfspec/form/layouts/*.yaml``: the title, the header cells, the funds block
  with the layout's rows and columns, the goals, the indicator table with merged
  一级 / 二级指标 cells and the layout's score columns, 总分, 评分等级, and the
  sections and signatures the spec writes). It is built from
  :func:`perfspec.outputs.render.form_view`, so rows, spans, labels and number formatting
  are the HTML report's. Numbers are numbers with a ``0.00`` format; texts are text
  (a 年度指标值 like ``=100.00(%)`` is stored as text, never as a formula); blank
  cells stay empty. Check findings are attached to their cells as comments.
- for a folder, a **summary sheet** 汇总 first (one row per form, a 合计 row);
- a hidden sheet ``_perfspec`` holding, for every key of every form's spec, its
  YAML path, the cell it is printed in ("" for a key without a cell: ``kind:``,
  ``layout:``, a signature line printed as one text) and the value exactly as the
  spec wrote it (``20`` vs ``20.00``, ``2.5``, the text of a 年度指标值). Excel only
  keeps binary floats and a display format, which cannot tell ``weight: 20`` from
  ``weight: 20.00``; the hidden sheet can, and it lists every key the spec writes and
  only those, so export → import gives back the same spec for every layout and kind
  (1–N月执行数, 完成目标可能性, other funding rows … included). A finance user sees
  only the form; the hidden sheet is one row per key.

The visible sheet stays the authority: :mod:`perfspec.importers.xlsx` reads the
layout from the visible cells and takes the hidden value only where it agrees
with what the cell shows. A cell someone edited in Excel wins, and the importer
flags it for review. Sheets are matched to their hidden records by the sheet's
code name (which survives renaming in Excel), else by title.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
import unicodedata
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from perfspec.diagnostics import ERROR, WARNING, Path
from perfspec.form.layout import Layout
from perfspec.form.model import FUNDS_COLUMNS, FUNDS_ROWS
from perfspec.outputs.render import _XLSX_WIDTH, Flag, FormView, HeaderItem, SummaryTotals, _spans, two

# ----------------------------------------------------------------------------- layout (shared with the importer)

DATA_SHEET = "_perfspec"
SUMMARY_SHEET = "汇总"
MARK = "perfspec-xlsx"
VERSION = 2  # 2: every key of the spec is recorded (those without a cell: cell ""), and only those
CODE_PREFIX = "perfspec"  # form sheets get the code name perfspec1, perfspec2, …
MAX_CELL = 32767  # characters Excel keeps in a cell
CHUNK = 30000  # hidden-sheet text is split into cells of this size

# Every label on a sheet is the form's layout's (render.form_view takes them from it); the
# widths of the indicator columns are render's; a column the layout adds gets this width.
OTHER_WIDTH = 12
# The summary's own columns around the layout's amount columns.
SUMMARY_TAIL = ("错误数", "警告数", "文件", "备注")

FONT = "宋体"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_LOOKS_LIKE_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?\s*\Z")


def visible_text(text: str) -> str:
    """What a text cell can hold: without the control characters XML forbids, at most MAX_CELL characters."""
    return _ILLEGAL.sub("", text)[:MAX_CELL]


def number_format(value: Decimal) -> str:
    """Two decimals as on the form; more when the value has more (never rounded away, like render.two)."""
    exp = value.as_tuple().exponent
    places = max(2, -exp) if isinstance(exp, int) else 2
    return "0." + "0" * places


def own_format(value: Decimal | int) -> str:
    """The number's own decimals (a bare-number 年度指标值 shows as written: 95 → 0, 95.50 → 0.00)."""
    if isinstance(value, int):
        return "0"
    exp = value.as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return "0." + "0" * places if places else "0"


def excel_number(value: Decimal | int) -> int | float:
    """What Excel can hold: a binary float (exact values live in the hidden sheet)."""
    if isinstance(value, int) and abs(value) < 2**53:
        return value
    return float(value)


# ----------------------------------------------------------------------------- hidden values


def encode(value: Any) -> tuple[str, str] | None:
    """(kind, text) of a spec value for the hidden sheet; None for values a cell cannot hold."""
    if value is None:
        return ("null", "")
    if isinstance(value, bool):
        return ("bool", "true" if value else "false")
    if isinstance(value, int):
        return ("int", str(value))
    if isinstance(value, Decimal):
        return ("dec", str(value))
    if isinstance(value, str):
        return ("str", json.dumps(value, ensure_ascii=False))
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        # A split target {operator, value, unit}: the sheet prints its parts (or "≥90%"), and an operator
        # the layout has no column for would be lost; its scalar parts, each encoded as above, come back whole.
        parts = {k: encode(v) for k, v in value.items()}
        if all(part is not None and part[0] != "map" for part in parts.values()):
            return ("map", json.dumps({k: list(part) for k, part in parts.items() if part}, ensure_ascii=False))
    return None


def decode(kind: str, text: str) -> Any:
    """The value `encode` stored; raises ValueError when the record is damaged."""
    if kind == "null":
        return None
    if kind == "bool":
        return text == "true"
    if kind == "int":
        return int(text)
    if kind == "dec":
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(text) from None
    if kind == "str":
        value = json.loads(text)
        if not isinstance(value, str):
            raise ValueError(text)
        return value
    if kind == "map":
        stored = json.loads(text)  # a damaged record: JSONDecodeError, a ValueError
        if not isinstance(stored, dict):
            raise ValueError(text)
        out = {}
        for key, part in stored.items():
            if not (isinstance(part, list) and len(part) == 2 and all(isinstance(p, str) for p in part)) or part[0] == "map":
                raise ValueError(text)
            out[key] = decode(part[0], part[1])
        return out
    raise ValueError(kind)


# ----------------------------------------------------------------------------- what a workbook cannot carry

# Set by the schema's defaults or naming the form: the sheet's layout says as much.
_META = ("kind", "layout")


def _printed(layout: Layout) -> dict[str, set[str]]:
    """The keys a sheet in `layout` has a cell for."""
    fields = layout.header + layout.sections + layout.signatures
    rows = {f.key for f in layout.funds_rows}
    columns = {f.key for f in layout.funds_columns} | ({"rate"} if layout.row_rates else set())
    item = {"name", "target", "actual", "deviation", "nature", "unit", *layout.scores}
    item |= {k for k in layout.labels.get("indicators", {}) if k not in ("level1", "level2")}
    return {
        "top": set(_META) | {f.key for f in fields} | {"funds", "goals", "indicators", "total", "grade"},
        "funds": {"unit", "weight", "rate", "score", "deviation"} | rows,
        "rows": rows,
        "columns": columns,
        "item": item,
        "goals": {f.key for f in layout.goals},
        "total": {"weight", "score", *layout.scores},
    }


def without_a_cell(data: Any, layout: Layout | None = None) -> tuple[list[str], list[str]]:
    """(kept, lost): YAML paths of content the form's layout has no cell for (acknowledge, extra keys …).

    kept: recorded in the hidden sheet only (not seen in Excel; `perfspec import` gives it back);
    lost: what the hidden sheet cannot hold either (a list, a nested mapping, an empty category), not in the
    workbook at all. `layout`: the one the form is printed in (None: its kind's).
    """
    if layout is None:
        from perfspec.form.kinds import kind_of
        from perfspec.form.layout import load_layout

        layout = load_layout(kind_of(data.get("kind") if isinstance(data, dict) else None).layout)
    recorded: dict[str, bool] = {}
    for path, value in leaves(data):
        shown = _shown(path)
        for n in range(1, len(path) + 1):
            above = _shown(path[:n])
            recorded[above] = recorded.get(above, True) and encode(value) is not None
        recorded[shown] = encode(value) is not None
    kept: list[str] = []
    lost: list[str] = []
    for path in _outside(data, _printed(layout), printing=True):
        (kept if recorded.get(path) else lost).append(path)
    return kept, lost


def _shown(path: Path) -> str:
    """A path as _outside names it: indicators.产出指标.数量指标[0].remark."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (("." if text else "") + str(part))
    return text


def _outside(data: Any, known: dict[str, set[str]], printing: bool) -> list[str]:
    out: list[str] = []
    if not isinstance(data, dict):
        return ["(整个文件)"]

    def extra(mapping: Any, keys: set[str], prefix: str) -> None:
        if isinstance(mapping, dict):
            out.extend(prefix + str(k) for k in mapping if k not in keys)

    extra(data, known["top"], "")
    funds = data.get("funds")
    extra(funds, known["funds"], "funds.")
    if isinstance(funds, dict):
        for row, cells in funds.items():
            if row in known["rows"]:
                extra(cells, known["columns"], f"funds.{row}.")
    extra(data.get("goals"), known["goals"], "goals.")
    extra(data.get("total"), known["total"], "total.")
    indicators = data.get("indicators")
    if isinstance(indicators, dict):
        for level1, level2s in indicators.items():
            if not isinstance(level2s, dict) or not level2s:
                out.append(f"indicators.{level1}")
                continue
            for level2, items in level2s.items():
                if not isinstance(items, list) or not items:
                    out.append(f"indicators.{level1}.{level2}")
                    continue
                for i, item in enumerate(items):
                    if not isinstance(item, dict):
                        out.append(f"indicators.{level1}.{level2}[{i}]")
                        continue
                    extra(item, known["item"], f"indicators.{level1}.{level2}[{i}].")
                    for key in [k for k in item if k in known["item"]]:
                        # A split target {operator, value, unit} is printed in its columns, but read back as text.
                        if encode(item[key]) is None and not (printing and key == "target" and isinstance(item[key], dict)):
                            out.append(f"indicators.{level1}.{level2}[{i}].{key}")
    if printing:
        for path, value in _scalar_paths(data):
            if encode(value) is None or isinstance(value, dict):
                out.append(".".join(str(p) for p in path))
    return out


def _scalar_paths(data: dict) -> Iterable[tuple[Path, Any]]:
    for key in ("year", "project", "department", "implementer", "grade"):
        if key in data:
            yield (key,), data[key]
    funds = data.get("funds")
    if isinstance(funds, dict):
        for key in ("unit", "weight", "rate", "score"):
            if key in funds:
                yield ("funds", key), funds[key]
        for row in FUNDS_ROWS:
            cells = funds.get(row)
            if isinstance(cells, dict):
                for col in FUNDS_COLUMNS:
                    if col in cells:
                        yield ("funds", row, col), cells[col]
    for group, keys in (("goals", ("expected", "achieved")), ("total", ("weight", "score"))):
        mapping = data.get(group)
        if isinstance(mapping, dict):
            for key in keys:
                if key in mapping:
                    yield (group, key), mapping[key]


def leaves(data: Any) -> Iterable[tuple[Path, Any]]:
    """(path, value) of every cell a spec writes: scalars by their YAML path, an indicator's keys whole
    (a split target {operator, value, unit} is one cell); what the hidden sheet records of a form."""
    if not isinstance(data, dict):
        return

    def walk(value: Any, path: Path) -> Iterable[tuple[Path, Any]]:
        item = len(path) == 5 and path[0] == "indicators"
        if isinstance(value, dict) and value and not item:
            for k, v in value.items():
                yield from walk(v, path + (k,))
        elif isinstance(value, list) and value and path[:1] == ("indicators",) and len(path) == 3:
            for i, v in enumerate(value):
                yield from walk(v, path + (i,))
        else:
            yield path, value

    yield from walk(data, ())


def _has(data: Any, path: Path) -> bool:
    """Whether the spec writes the key at `path` (blank included)."""
    here = data
    for part in path:
        if isinstance(here, dict) and part in here:
            here = here[part]
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here = here[part]
        else:
            return False
    return True


# ----------------------------------------------------------------------------- sheet names


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text


class SheetTitles:
    """Excel sheet names for the forms, one at a time: ≤ 31 characters, none of []:*?/\\, unique
    (case-insensitively) among those given so far."""

    def __init__(self) -> None:
        self.taken = {SUMMARY_SHEET.casefold(), DATA_SHEET.casefold(), "history"}

    def next(self, name: str) -> str:
        base = _FORBIDDEN_IN_TITLE.sub("_", unicodedata.normalize("NFC", name or "")).strip().strip("'").strip()
        base = _cut(base, 31).strip().strip("'") or "表"
        title, n = base, 2
        while title.casefold() in self.taken:
            suffix = f"({n})"
            title = _cut(base, 31 - len(suffix)).rstrip("'") + suffix
            n += 1
        self.taken.add(title.casefold())
        return title


def sheet_titles(names: list[str]) -> list[str]:
    """Excel sheet names for the forms (SheetTitles, over the whole list)."""
    titles = SheetTitles()
    return [titles.next(name) for name in names]


# ----------------------------------------------------------------------------- the workbook


def _width(text: str) -> int:
    """Display width in Excel character units (CJK and full-width characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(1.0, width - 1)
    total = 0
    for line in text.split("\n"):
        total += max(1, -(-_width(line) // int(usable)))
    return total


class Book:
    """A workbook written as it is filled: form sheets one by one, the summary, the hidden values.

    openpyxl's write-only mode streams each sheet to a temporary file, so memory does not
    grow with the forms. A sheet is laid out first on a scratch worksheet of its own (cells
    may be set in any order, merged ranges get their borders as openpyxl gives them), then
    copied row by row into the streamed sheet and dropped: only one form's cells are ever
    held. `summary_first`: the summary sheet will lead (and be the selected tab); else the
    first form sheet does.
    """

    def __init__(self, summary: SummaryTotals | None = None) -> None:
        import openpyxl
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        from openpyxl.worksheet._writer import ALL_TEMP_FILES

        _register_files_whole()
        self.openpyxl = openpyxl
        self.temp_before = set(ALL_TEMP_FILES)  # openpyxl's registry of the temporary files it made
        self.wb = openpyxl.Workbook(write_only=True)
        self.summary = summary  # the 汇总 sheet's totals, when it leads the workbook
        self.summary_first = summary is not None
        self.rows: Any = None  # the 汇总 sheet's rows until it is written (summary_row)
        self.file_width = 0
        self.titles = SheetTitles()
        self.data = self._data_sheet()
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT, size=10.5)
        self.bold = Font(name=FONT, size=10.5, bold=True)
        self.title_font = Font(name=FONT, size=16, bold=True)
        self.year_font = Font(name=FONT, size=12)
        self.head_fill = PatternFill("solid", fgColor="F2F2F2")
        self.Alignment = Alignment
        self.records: list[tuple[str, str, Path, str, str, str]] = []  # this form's: key, title, path, cell, kind, text
        self.forms = 0
        self.styles: dict[str, Any] = {}

    # -- cells

    def _cell(
        self, ws: Any, row: int, col: int, value: Any = None, *, kind: str = "text",
        end_row: int | None = None, end_col: int | None = None, marks: Any = None,
    ) -> Any:
        """Write and style one cell (or a merged range): kind is head, label, text, num, center, cat."""
        end_row, end_col = end_row or row, end_col or col
        horizontal = {"head": "center", "label": "left", "text": "left", "num": "right", "center": "center",
                      "cat": "center"}[kind]
        cell = ws.cell(row=row, column=col)
        cached = self.styles.get(kind)
        if cached is None:
            cell.border = self.border
            cell.alignment = self.Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
            cell.font = self.bold if kind == "head" else self.font
            if kind in ("head", "label"):
                cell.fill = self.head_fill
            self.styles[kind] = copy.copy(cell._style)
        else:
            # Copying the style array is openpyxl's cheap path (setting each style object hashes it).
            cell._style = copy.copy(cached)
        if value == "":
            value = None  # an empty text is a blank cell
        if isinstance(value, str):
            text = visible_text(value)
            cell.value = text
            cell.data_type = "s"  # "=100.00(%)" is a 年度指标值, not a formula
            if text[:1] in ("=", "+", "-", "@") or _LOOKS_LIKE_NUMBER.match(text):
                cell.quotePrefix = True  # and stays text when edited in Excel
        elif value is not None:
            cell.value = value
        if end_row > row or end_col > col:
            ws.merge_cells(start_row=row, start_column=col, end_row=end_row, end_column=end_col)
        if marks:
            self._comment(cell, marks)
        return cell

    def _comment(self, cell: Any, marks: Any) -> None:
        from openpyxl.comments import Comment

        lines = []
        for m in marks:
            state = f"已确认：{m.acknowledged}" if m.acknowledged is not None else m.severity_text
            lines.append(f"{m.code} {state}：{m.message}")
        text = visible_text("\n".join(lines))
        comment = Comment(text, "perfspec")
        comment.width = 320
        comment.height = min(400, 40 + 18 * sum(_lines(line, 40) for line in lines))
        cell.comment = comment

    def _number(
        self, ws: Any, row: int, col: int, text: str, marks: Any = None, center_dash: bool = True,
        end_col: int | None = None,
    ) -> Any:
        """A numeric cell from the view's formatted text (render.two): a number with its decimals, or text."""
        value = _decimal(text)
        if value is None:
            kind = "center" if (text == "-" and center_dash) else "num"
            return self._cell(ws, row, col, text or None, kind=kind, marks=marks, end_col=end_col)
        cell = self._cell(ws, row, col, excel_number(value), kind="num", marks=marks, end_col=end_col)
        cell.number_format = number_format(value)
        return cell

    def _record(self, key: str, title: str, path: Path, cell: Any, value: Any) -> None:
        encoded = encode(value)
        if encoded is None:
            return
        self.records.append((key, title, path, cell.coordinate, *encoded))

    # -- streaming

    def _scratch(self, title: str) -> Any:
        """A worksheet outside the workbook whose styles are the workbook's: a sheet is laid out on it."""
        from openpyxl.worksheet.worksheet import Worksheet

        return Worksheet(self.wb, title)

    def _stream(self, ws: Any, index: int, selected: bool) -> None:
        """Copy the scratch sheet `ws` into the workbook at `index`, row by row, and let it go."""
        from openpyxl.cell import Cell, WriteOnlyCell

        ws.sheet_view.tabSelected = selected
        out = self.wb.create_sheet(ws.title, index)
        for name in _SHEET_SETTINGS:
            setattr(out, name, getattr(ws, name))
        rows: dict[int, list[Any]] = {}
        for (r, c), cell in sorted(ws._cells.items()):
            if not isinstance(cell, Cell):  # a MergedCell: only its style (the range's border) is written
                if not cell.has_style:
                    continue
                merged = WriteOnlyCell(out)
                merged._style = copy.copy(cell._style)
                cell = merged
            cell.parent = out  # its hyperlink is listed on the sheet it is written to
            line = rows.setdefault(r, [])
            line.extend([None] * (c - 1 - len(line)))
            line.append(cell)
        last = max(list(rows) + list(ws.row_dimensions), default=0)
        for r in range(1, last + 1):
            out.append(rows.get(r, []))
        out.close()
        # The page setup still points at the scratch sheet, which must not keep the cells alive.
        ws._cells.clear()
        for name in _WRITTEN_WITH_THE_SHEET:
            setattr(ws, name, None)
        self._written(out, index)

    def _written(self, out: Any, index: int) -> None:
        """A closed streamed sheet gives way to what the save reads of it (_closed_sheet): its title, state,
        print titles and area, comments, temporary file and relationships. Kept for every sheet until the
        save, the whole worksheet object (~3 KB with its settings) made memory grow with the forms."""
        assert self.wb._sheets[index] is out
        self.wb._sheets[index] = _closed_sheet(out)

    def _data_sheet(self) -> Any:
        """The hidden sheet: created first and filled as each form is written, placed last."""
        ws = self.wb.create_sheet(DATA_SHEET)
        ws.sheet_state = "hidden"
        ws.sheet_view.tabSelected = False
        ws.append([MARK, VERSION, "perfspec 导出时各单元格的原始写法，供 perfspec import --from xlsx 精确还原；请勿编辑。"
                   "工作表中的单元格改过时，导入以工作表为准。"])
        ws.append(["code name", "sheet", "path", "cell", "kind", "value"])
        return ws

    def _flush_records(self) -> None:
        from openpyxl.cell import WriteOnlyCell

        for key, title, path, coord, kind, text in self.records:
            chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
            row = []
            for value in (key, title, json.dumps(list(path), ensure_ascii=False), coord, kind, *chunks):
                cell = WriteOnlyCell(self.data, value)
                cell.data_type = "s"  # all text, even when it starts with "="
                row.append(cell)
            self.data.append(row)
        self.records.clear()

    # -- one form

    def add_form(self, view: FormView, title: str | None = None) -> str:
        """Write the sheet of one loaded form, laid out as its layout prints it; returns the sheet's title.

        `title`: the sheet's name (default: the next of SheetTitles, from the project name or file name).
        """
        if title is None:
            title = self.titles.next(view.project_name or os.path.splitext(os.path.basename(view.file))[0])
        self.forms += 1
        key = f"{CODE_PREFIX}{self.forms}"
        ws = self._scratch(title)
        ws.sheet_properties.codeName = key
        data = view.data if isinstance(view.data, dict) else {}
        funds_raw = data.get("funds") if isinstance(data.get("funds"), dict) else {}
        goals_raw = data.get("goals") if isinstance(data.get("goals"), dict) else {}
        total_raw = data.get("total") if isinstance(data.get("total"), dict) else {}
        layout = view.layout
        assert layout is not None

        def record(path: Path, cell: Any, value: Any) -> None:
            if _has(data, path):  # a key the spec leaves out stays out on import (no `grade: null` added)
                self._record(key, title, path, cell, value)

        # The sheet is as wide as the indicator table or the funds block, whichever is wider.
        keys = ["level1", "level2"] + [c.key for c in view.indicator_columns]
        columns = max(len(keys), view.columns)
        widths = [_XLSX_WIDTH.get(k, OTHER_WIDTH) for k in keys] + [OTHER_WIDTH] * (columns - len(keys))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[_letter(i)].width = width
        heights: dict[int, float] = {}

        def height(row: int, text: str, cols: tuple[int, int]) -> None:
            width = sum(widths[cols[0] - 1:cols[1]])
            heights[row] = max(heights.get(row, 0), 15.0 * _lines(text, width) + 3)

        def no_border(row: int) -> None:
            for c in range(1, columns + 1):
                ws.cell(row=row, column=c).border = self._no_border()

        # Title and year.
        cell = self._cell(ws, 1, 1, view.title, kind="center", end_col=columns, marks=view.unplaced)
        cell.font = self.title_font
        heights[1] = 28
        no_border(1)
        year = view.year_cell
        cell = self._cell(ws, 2, 1, f"({year.text} {view.year_label})", kind="center", end_col=columns, marks=year.marks)
        cell.font = self.year_font
        no_border(2)
        record(("year",), cell, data.get("year"))

        # The header: 项目名称, then the other cells two by two (主管部门 | 实施单位 …).
        r = 3
        for line in view.header_lines:
            c = 1
            for item, span in zip(line.items, _spans(columns - len(line.items), len(line.items))):
                self._cell(ws, r, c, item.label, kind="head")
                cell = self._cell(ws, r, c + 1, item.cell.text, end_col=c + span, marks=item.cell.marks)
                record((item.key,), cell, data.get(item.key))
                height(r, item.cell.text, (c + 1, c + span))
                c += span + 1
            r += 1

        # 项目资金: the layout's columns and rows.
        funds_top = r
        last = funds_top + len(view.funds)
        cell = self._cell(ws, r, 1, view.funds_head.label.text, kind="head", end_row=last, marks=view.funds_head.label.marks)
        record(("funds", "unit"), cell, funds_raw.get("unit"))
        self._cell(ws, r, 2, None, kind="head")
        spans = [1] * len(view.funds_columns)
        if spans:
            spans[-1] = columns - 2 - (len(spans) - 1)
        c = 3
        for column, span in zip(view.funds_columns, spans):
            self._cell(ws, r, c, column.head, kind="head", end_col=c + span - 1)
            c += span
        total_key = layout.total_row
        for row_key, row in view.funds_rows.items():
            r += 1
            self._cell(ws, r, 2, row.label.text, kind="label", marks=row.label.marks)
            height(r, row.label.text, (2, 2))
            raw_row = funds_raw.get(row_key) if isinstance(funds_raw.get(row_key), dict) else {}
            c = 3
            for column, span in zip(view.funds_columns, spans):
                shown = row.cells[column.key]
                cell = self._number(ws, r, c, shown.text, shown.marks, end_col=c + span - 1)
                if column.key not in ("weight", "rate", "score"):
                    record(("funds", row_key, column.key), cell, raw_row.get(column.key))
                elif row_key == total_key:
                    record(("funds", column.key), cell, funds_raw.get(column.key))
                elif column.key == "rate" and layout.row_rates:
                    record(("funds", row_key, "rate"), cell, raw_row.get("rate"))
                c += span
        if view.funds_note is not None:
            r += 1
            cell = self._line(ws, r, view.funds_note, columns, height)
            record(("funds", view.funds_note.key), cell, funds_raw.get(view.funds_note.key))

        # 年度总体目标.
        goals = view.goals
        r += 1
        self._cell(ws, r, 1, goals.label.text, kind="head", end_row=r + 1, marks=goals.label.marks)
        c = 2
        for field_, span in zip(view.goals_fields, _spans(columns - 1, len(view.goals_fields) or 1)):
            self._cell(ws, r, c, field_.label, kind="head", end_col=c + span - 1)
            shown = goals.cells[field_.key]
            cell = self._cell(ws, r + 1, c, shown.text, end_col=c + span - 1, marks=shown.marks)
            record(("goals", field_.key), cell, goals_raw.get(field_.key))
            height(r + 1, shown.text, (c, c + span - 1))
            c += span
        r += 2

        # 绩效指标.
        head = r
        labels = list(view.level_labels) + [c.head for c in view.indicator_columns]
        for c, header in enumerate(labels, start=1):
            self._cell(ws, head, c, header, kind="head", marks=view.indicators_head.label.marks if c == 1 else None)
        heights[head] = 30
        r = head + 1
        for row in view.rows:
            if row.level1_span:
                self._cell(ws, r, 1, row.level1.text, kind="cat", end_row=r + row.level1_span - 1, marks=row.level1.marks)
            if row.level2_span:
                self._cell(ws, r, 2, row.level2.text, kind="cat", end_row=r + row.level2_span - 1, marks=row.level2.marks)
            ind = row.indicator
            raw = ind.raw if ind is not None else {}
            base: Path = ind.path if ind is not None else ()
            for c, column in enumerate(view.indicator_columns, start=3):
                shown = row.cells[column.key]
                value = raw.get(column.key)
                if column.css == "num":
                    cell = self._number(ws, r, c, shown.text, shown.marks, center_dash=False)
                elif column.css == "center":
                    cell = self._target(ws, r, c, value, shown)
                else:
                    cell = self._cell(ws, r, c, shown.text or None, marks=shown.marks)
                if ind is not None:
                    record(base + (column.key,), cell, value)
                height(r, shown.text, (c, c))
            r += 1

        # 总分 and 评分等级.
        if view.show_total:
            total = view.total
            self._cell(ws, r, 1, total.label.text, kind="head", end_col=view.total_span, marks=total.label.marks)
            for c, column in enumerate(view.indicator_columns, start=3):
                if c <= view.total_span:
                    continue
                if column.key in total.cells:
                    shown = total.cells[column.key]
                    cell = self._number(ws, r, c, shown.text, shown.marks)
                    record(("total", column.key), cell, total_raw.get(column.key))
                else:
                    self._cell(ws, r, c, None)
            r += 1
        if view.show_grade:
            grade = view.grade
            self._cell(ws, r, 1, grade.label.text, kind="head", end_col=2, marks=grade.label.marks)
            cell = self._cell(ws, r, 3, grade.value.text or None, kind="center", end_col=columns, marks=grade.value.marks)
            record(("grade",), cell, data.get("grade"))
            r += 1

        # 评价结论, 存在问题 … and the signature lines, where the spec writes them.
        for line in view.sections:
            for item in line.items:
                cell = self._line(ws, r, item, columns, height)
                record((item.key,), cell, data.get(item.key))
                r += 1
        if view.signatures.items:
            items = view.signatures.items
            if 2 * len(items) <= columns:
                c = 1
                for item, span in zip(items, _spans(columns - len(items), len(items))):
                    self._cell(ws, r, c, item.label, kind="head")
                    cell = self._cell(ws, r, c + 1, item.cell.text, end_col=c + span, marks=item.cell.marks)
                    record((item.key,), cell, data.get(item.key))
                    c += span + 1
            else:
                text = "    ".join(f"{item.label}：{item.cell.text}" for item in items)
                marks = [m for item in items for m in item.cell.marks]
                self._cell(ws, r, 1, text, end_col=columns, marks=marks)
            r += 1
        last = r - 1

        for row_number, value in heights.items():
            ws.row_dimensions[row_number].height = min(409, max(15.0, value))
        self._print_setup(ws, f"A1:{_letter(columns)}{last}", title_rows=f"{head}:{head}")
        ws.sheet_view.showGridLines = False
        # Before the hidden sheet, which stays last.
        self._stream(ws, len(self.wb._sheets) - 1, selected=self.forms == 1 and not self.summary_first)
        # What the sheet has no cell for (kind:, layout:, a signature line joined into one cell …) is recorded
        # without a cell, so that the import gives back the whole spec: every key, and only those.
        printed = {record[2] for record in self.records}
        for path, value in leaves(data):
            if path not in printed:
                encoded = encode(value)
                if encoded is not None:
                    self.records.append((key, title, path, "", *encoded))
        self._flush_records()
        return title

    def _line(self, ws: Any, r: int, item: HeaderItem, columns: int, height: Any) -> Any:
        """A labelled text across the sheet (调整原因, 评价结论 …); returns the text's cell."""
        self._cell(ws, r, 1, item.label, kind="head")
        cell = self._cell(ws, r, 2, item.cell.text, end_col=columns, marks=item.cell.marks)
        height(r, item.cell.text, (2, columns))
        return cell

    def _target(self, ws: Any, row: int, col: int, raw: Any, cell_view: Any) -> Any:
        """年度指标值 / 实际完成值: text exactly as written; a bare number stays a number with its own decimals."""
        if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
            value = Decimal(raw) if isinstance(raw, int) else raw
            if value.is_finite():
                cell = self._cell(ws, row, col, excel_number(raw), kind="center", marks=cell_view.marks)
                cell.number_format = own_format(raw)
                return cell
        return self._cell(ws, row, col, cell_view.text or None, kind="center", marks=cell_view.marks)

    def _no_border(self) -> Any:
        from openpyxl.styles import Border

        return Border()

    def _print_setup(self, ws: Any, area: str, title_rows: str | None = None, landscape: bool = False) -> None:
        from openpyxl.worksheet.worksheet import Worksheet

        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # (a streamed sheet has no such constants of its own)
        ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages as it takes
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.print_area = area
        if title_rows:
            ws.print_title_rows = title_rows

    # -- summary

    def summary_row(self, view: FormView, title: str | None = None) -> None:
        """Keep what the 汇总 sheet prints of one form (`title`: its sheet's, for the link), on disk.

        The summary is written last but leads the workbook; its rows wait in an unnamed temporary file
        (gone with the process, however it ends), so 10,000 forms cost no more memory than 1,000.
        """
        assert self.summary is not None
        self.summary.add(view)
        if self.rows is None:
            import tempfile

            self.rows = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.file_width = max(self.file_width, _width(view.file) + 2)
        if not view.loaded:
            row: list[Any] = [0, view.file, view.error or ""]
        else:
            row = [1, view.project_name or view.file, title or "", view.file,
                   [two(view.amounts.get(key)) for key in self.summary.keys],
                   two(view.rate_value), two(view.total_score_value), view.grade_text or "",
                   view.counts.get(ERROR, 0), view.counts.get(WARNING, 0)]
        self.rows.write(json.dumps(row, ensure_ascii=False) + "\n")

    def add_summary(self) -> Any:
        """汇总: one row per form (summary_row), then 合计 per year (Σ amounts, the overall 执行率, Σ errors and warnings).

        The columns are the configured layout's: 项目名称, its amount columns, 执行率(%), 总分, 评分等级.
        Written row by row into the streamed sheet; what the sheet's XML prints before its rows (column
        widths, the frozen pane) is set first.
        """
        totals = self.summary
        assert totals is not None
        layout = totals.layout
        amounts = totals.columns
        k = len(amounts)
        headers = (
            [totals.label("header", "project")] + [c.label for c in amounts]
            + [totals.label("funds", "rate") + "(%)", totals.caption("total"), totals.caption("grade")]
            + list(SUMMARY_TAIL)
        )
        rate_c, total_c, grade_c = k + 2, k + 3, k + 4
        errors_c, warnings_c, file_c, note_c = k + 5, k + 6, k + 7, k + 8
        cols = len(headers)
        head = 3
        out = self.wb.create_sheet(SUMMARY_SHEET, 0)
        out.sheet_view.tabSelected = True
        out.sheet_view.showGridLines = False
        out.freeze_panes = f"B{head + 1}"
        out.sheet_properties.pageSetUpPr.fitToPage = True  # written before the rows (the rest of the page setup after)
        widths = [30] + [13] * k + [11, 9, 9, 8, 8, 36, 30]
        widths[file_c - 1] = min(60, max(widths[file_c - 1], self.file_width))
        for c, width in enumerate(widths, start=1):
            out.column_dimensions[_letter(c)].width = width
        out.row_dimensions[head].height = 30
        ws = _RowByRow(out)
        years = "、".join(totals.years)
        base = (layout.title or "").removesuffix("表") + "汇总"
        heading = f"{base}（{years} {layout.label('header', 'year')}）" if years else base
        cell = self._cell(ws, 1, 1, heading, kind="center", end_col=cols)
        cell.font = self.title_font
        for c in range(1, cols + 1):
            ws.cell(row=1, column=c).border = self._no_border()
        year_totals = totals.totals()
        rate_note = totals.rate_note(totals.loaded - sum(total.counted for _, total in year_totals))
        note = "金额单位：万元" + ("（以元填报的表已换算为万元）" if totals.converted else "")
        if rate_note:
            note += f"；合计{totals.label('funds', 'rate')} " + rate_note.strip("（）")
        cell = self._cell(ws, 2, 1, note, kind="text", end_col=cols)
        for c in range(1, cols + 1):
            ws.cell(row=2, column=c).border = self._no_border()
        for c, header in enumerate(headers, start=1):
            self._cell(ws, head, c, header, kind="head")
        r = head + 1
        for row in self._summary_rows():
            if not row[0]:
                _, file, error = row
                lines = max(_lines(file, widths[0]), _lines(file, widths[file_c - 1]), _lines(error, widths[note_c - 1]))
                out.row_dimensions[r].height = min(409, 15.0 * lines + 3)
                self._cell(ws, r, 1, "（无法读取）")
                for c in range(2, file_c):
                    self._cell(ws, r, c, None)
                self._cell(ws, r, file_c, file)
                self._cell(ws, r, note_c, error)
                r += 1
                continue
            _, name, title, file, sums, rate, score, grade, errors, warnings = row
            lines = max(_lines(name, widths[0]), _lines(file, widths[file_c - 1]))
            out.row_dimensions[r].height = min(409, 15.0 * lines + 3)
            cell = self._cell(ws, r, 1, name)
            if title:
                from openpyxl.worksheet.hyperlink import Hyperlink

                cell.hyperlink = Hyperlink(ref=f"A{r}", location="'" + title.replace("'", "''") + "'!A1")
                cell.font = self.openpyxl.styles.Font(name=FONT, size=10.5, color="1F4F99", underline="single")
            for c, text in enumerate(sums, start=2):
                self._number(ws, r, c, text)
            self._number(ws, r, rate_c, rate)
            self._number(ws, r, total_c, score)
            self._cell(ws, r, grade_c, grade or None, kind="center")
            self._cell(ws, r, errors_c, errors, kind="num")
            self._cell(ws, r, warnings_c, warnings, kind="num")
            self._cell(ws, r, file_c, file)
            self._cell(ws, r, note_c, None)
            r += 1
        # One 合计 row per year (its forms' Σ amounts, overall rate and findings); never a total across years.
        lines_total = [(line.label, line.cells, line.rate.text, line.counts) for line, _ in year_totals]
        if not lines_total:
            empty = {ERROR: 0, WARNING: 0}
            lines_total = [(f"合计（{totals.loaded} 张表）", {key: Flag(two(Decimal(0))) for key in totals.keys}, "-", empty)]
        for number, (label, cells, rate, counts) in enumerate(lines_total):
            if number:
                r += 1
            self._cell(ws, r, 1, label, kind="head")
            sums = [(c, cells[column.key].text if column.key in cells else "") for c, column in enumerate(amounts, start=2)]
            for c, text in sums + [(rate_c, rate)]:
                cell = self._number(ws, r, c, text)
                cell.font = self.bold
                cell.fill = self.head_fill
            for c in (total_c, grade_c, file_c, note_c):
                self._cell(ws, r, c, None, kind="head")
            for c, key in ((errors_c, ERROR), (warnings_c, WARNING)):
                self._cell(ws, r, c, counts.get(key, 0), kind="num").font = self.bold
                ws.cell(row=r, column=c).fill = self.head_fill
        self._print_setup(out, f"A1:{_letter(cols)}{r}", title_rows=f"{head}:{head}", landscape=True)
        ws.close()
        self._written(out, 0)

    def _summary_rows(self) -> Iterable[list[Any]]:
        if self.rows is None:
            return
        self.rows.seek(0)
        for line in self.rows:
            yield json.loads(line)
        self.rows.close()
        self.rows = None

    # -- saving

    def save(self, path: str) -> None:
        """Atomically, the zip streamed into place; the same bytes every run (save_workbook)."""
        self.wb.active = 0
        save_workbook(self.wb, path)

    def discard(self) -> None:
        """Give up an unsaved workbook: close its sheets' streams and remove their temporary files."""
        from openpyxl.worksheet._writer import ALL_TEMP_FILES

        if self.rows is not None:
            self.rows.close()
            self.rows = None
        try:
            discard_workbook(self.wb)
        finally:
            # A signal can land after openpyxl made a sheet's file but before the sheet holds it: openpyxl's
            # registry of its files still lists it.
            for path in [p for p in ALL_TEMP_FILES if p not in self.temp_before]:
                if os.path.exists(path):
                    os.remove(path)
                ALL_TEMP_FILES.remove(path)


class _RowByRow:
    """A streamed sheet filled through ``ws.cell(row=, column=)`` in row order, as Book's cell helpers fill a
    scratch sheet: a row is written when a later one is asked for, so only one row is ever held."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.at = 0  # the row being filled
        self.written = 0  # rows handed to the sheet
        self.line: dict[int, Any] = {}

    def cell(self, row: int, column: int) -> Any:
        from openpyxl.cell import WriteOnlyCell

        if row != self.at:
            if row < self.at:
                raise ValueError(f"row {row} asked for after row {self.at}: the sheet is written in order")
            self._flush()
            self.at = row
        found = self.line.get(column)
        if found is None:
            found = self.line[column] = WriteOnlyCell(self.out)
        return found

    def merge_cells(self, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
        from openpyxl.worksheet.cell_range import CellRange

        self.out.merged_cells.add(CellRange(min_col=start_column, min_row=start_row, max_col=end_column, max_row=end_row))

    def _flush(self) -> None:
        if not self.at:
            return
        while self.written < self.at - 1:  # a row left blank
            self.out.append([])
            self.written += 1
        width = max(self.line, default=0)
        self.out.append([self.line.get(c) for c in range(1, width + 1)])
        self.written += 1
        self.line = {}

    def close(self) -> None:
        self._flush()
        self.at = 0
        self.out.close()


def _register_files_whole() -> None:
    """openpyxl makes a sheet's temporary file, then lists it in ALL_TEMP_FILES: a Ctrl-C or SIGTERM in
    between would leave a file no one knows of. Both steps run with those signals held back (delivered
    right after), so Book.discard finds every file."""
    import signal

    from openpyxl.worksheet import _writer

    made = _writer.create_temporary_file
    if getattr(made, "perfspec", False) or not hasattr(signal, "pthread_sigmask"):
        return

    def create_temporary_file(suffix: str = "") -> str:
        held = {signal.SIGINT, signal.SIGTERM}
        before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            return made(suffix)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)

    create_temporary_file.perfspec = True  # type: ignore[attr-defined]
    _writer.create_temporary_file = create_temporary_file


_CLOSED: list[type] = []


def _closed_sheet(sheet: Any) -> Any:
    """What ExcelWriter and the workbook part read of a closed write-only sheet, and nothing else.

    An instance of WriteOnlyWorksheet (openpyxl lists a workbook's worksheets by type) made without
    its constructor: no settings, views or page setup, which went into the sheet's own XML already.
    """
    if not _CLOSED:
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet

        class ClosedSheet(WriteOnlyWorksheet):  # type: ignore[misc]
            closed = True  # the parent's property reads a private flag this instance does not carry

        _CLOSED.append(ClosedSheet)
    closed = object.__new__(_CLOSED[0])
    kept = closed.__dict__
    kept["_WorkbookChild__title"] = sheet.title
    kept["_parent"] = sheet._parent
    kept["sheet_state"] = sheet.sheet_state
    kept["_print_rows"], kept["_print_cols"], kept["_print_area"] = sheet._print_rows, sheet._print_cols, sheet._print_area
    kept["defined_names"] = sheet.defined_names if sheet.defined_names else {}
    kept["auto_filter"] = sheet.auto_filter if sheet.auto_filter else _no_filter()
    kept["_writer"] = _WrittenSheet(sheet._writer.out, sheet._writer._rels)
    kept["_comments"] = sheet._comments
    kept["_charts"], kept["_images"], kept["_pivots"], kept["_tables"] = [], [], [], {}
    kept["legacy_drawing"] = None
    return closed


class _WrittenSheet:
    """What is left of a closed write-only sheet's WorksheetWriter: its temporary file and relationships."""

    __slots__ = ("out", "_rels")

    def __init__(self, out: str, rels: Any) -> None:
        self.out = out
        self._rels = rels

    def close(self) -> None:
        pass  # closed when the sheet was

    def cleanup(self) -> None:
        from openpyxl.worksheet._writer import ALL_TEMP_FILES

        os.remove(self.out)
        if self.out in ALL_TEMP_FILES:
            ALL_TEMP_FILES.remove(self.out)


_NO_FILTER: list[Any] = []


def _no_filter() -> Any:
    """One empty AutoFilter for every sheet without one (openpyxl only asks whether it has a range)."""
    if not _NO_FILTER:
        from openpyxl.worksheet.filters import AutoFilter

        _NO_FILTER.append(AutoFilter())
    return _NO_FILTER[0]


def discard_workbook(wb: Any) -> None:
    """Close a write-only workbook's open sheet streams and remove their temporary files (idempotent)."""
    for ws in wb._sheets:
        writer = getattr(ws, "_writer", None)
        if writer is None or not os.path.exists(writer.out):
            continue
        try:
            if not ws.closed:
                ws.close()
        except Exception:  # noqa: BLE001 - a stream broken off mid-row (Ctrl-C, SIGTERM): it is discarded anyway
            pass
        finally:
            writer.cleanup()


def save_workbook(wb: Any, path: str) -> None:
    """Write `wb` atomically with perfspec.outputs.writer, the zip streamed into place, its timestamps fixed.

    The file actually written must lie in the folder `path` names: a `-o`
    that is a link leading elsewhere is refused (WriteRefused, an OSError).
    """
    from openpyxl.writer.excel import ExcelWriter

    from perfspec.outputs.writer import write_atomic_with

    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    wb.properties.created = wb.properties.modified = _STAMP

    def produce(handle: Any) -> None:
        archive = _StableZip(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        _streamed_writer(ExcelWriter)(wb, archive).write_data()
        archive.close()  # the zip's directory: a signal may land here too (see _StableZip.__del__)

    write_atomic_with(path, produce, root=folder)


class _Parts:
    """ExcelWriter's manifest, kept as (part, content type) pairs: one Override object per sheet and comment
    sheet was kept until the save."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def append(self, obj: Any) -> None:
        self.parts.append((obj.path, obj.mime_type))


def _streamed_writer(excel_writer: type) -> type:
    """openpyxl's ExcelWriter, with the three parts that list every sheet written element by element.

    ExcelWriter builds the workbook part, its relationships and the content types as whole object trees
    (~5 KB a sheet at the save, on top of everything else). Here each element is made and written in
    turn; what surrounds them is openpyxl's own output for the same workbook with one sheet, so the
    bytes are openpyxl's (tests/test_xlsx.py compares whole files with ExcelWriter's).
    """

    class StreamedWriter(excel_writer):  # type: ignore[misc,valid-type]
        def __init__(self, workbook: Any, archive: Any) -> None:
            super().__init__(workbook, archive)
            self.manifest = _Parts()

        def write_data(self) -> None:
            from openpyxl.packaging.extended import ExtendedProperties
            from openpyxl.styles.stylesheet import write_stylesheet
            from openpyxl.workbook._writer import WorkbookWriter
            from openpyxl.writer.theme import theme_xml
            from openpyxl.xml.constants import ARC_APP, ARC_CORE, ARC_ROOT_RELS, ARC_STYLE, ARC_THEME
            from openpyxl.xml.functions import tostring

            wb, archive = self.workbook, self._archive
            # What this writer leaves to ExcelWriter's own write_data, which perfspec's workbooks never have.
            assert not (wb.loaded_theme or len(wb.custom_doc_props) or wb.chartsheets or wb._external_links
                        or wb.vba_archive or wb.defined_names)
            archive.writestr(ARC_APP, tostring(ExtendedProperties().to_tree()))
            archive.writestr(ARC_CORE, tostring(wb.properties.to_tree()))
            archive.writestr(ARC_THEME, theme_xml)
            self._write_worksheets()
            archive.writestr(ARC_STYLE, tostring(write_stylesheet(wb)))
            archive.writestr(ARC_ROOT_RELS, WorkbookWriter(wb).write_root_rels())
            self._write_workbook_parts()
            self._write_content_types()

        def _write_worksheets(self) -> None:
            # ExcelWriter's loop for what perfspec's sheets hold (no tables, pivots, charts or images);
            # each sheet lets go of what was made to write it, which ExcelWriter kept to the end.
            from openpyxl.packaging.relationship import Relationship
            from openpyxl.packaging.relationship import get_rels_path
            from openpyxl.xml.functions import tostring

            for index, ws in enumerate(self.workbook.worksheets, 1):
                assert not (ws._tables or ws._pivots or ws._charts or ws._images)
                ws._id = index
                self.write_worksheet(ws)
                if ws._comments:
                    self._write_comment(ws)
                    self._comments[-1] = None  # only their number is read again
                if ws.legacy_drawing is not None:
                    ws._rels.append(Relationship(type="vmlDrawing", Id="anysvml", Target="/" + ws.legacy_drawing))
                if ws._rels:
                    self._archive.writestr(get_rels_path(ws.path)[1:], tostring(ws._rels.to_tree()))
                ws._drawing = ws._rels = None
                ws._comments = []

        def _write_workbook_parts(self) -> None:
            from openpyxl.packaging.relationship import Relationship
            from openpyxl.workbook._writer import WorkbookWriter
            from openpyxl.xml.constants import ARC_WORKBOOK, ARC_WORKBOOK_RELS
            from openpyxl.xml.functions import tostring

            wb = self.workbook
            sheets = wb._sheets
            # openpyxl's output for the workbook with its first sheet only gives what surrounds the lists.
            wb._sheets = sheets[:1]
            try:
                one = WorkbookWriter(wb)
                book = one.write()
                rels = one.write_rels()
            finally:
                wb._sheets = sheets
            first_names = _sheet_names(0, sheets[0])
            with self._member(ARC_WORKBOOK) as out:
                head, _, rest = _around(book, _sheet_element(0, sheets[0]))
                out.write(head)
                for index, sheet in enumerate(sheets):
                    out.write(_sheet_element(index, sheet))
                if first_names:
                    between, _, tail = _around(rest, first_names)
                    out.write(between)
                    for index, sheet in enumerate(sheets):
                        out.write(_sheet_names(index, sheet))
                    out.write(tail)
                elif any(_sheet_names(index, sheet) for index, sheet in enumerate(sheets)):
                    raise AssertionError("the first sheet has no print names but another has")
                else:
                    out.write(rest)  # no sheet names anything (only the hidden data sheet)
            relationship = tostring(Relationship(type=sheets[0]._rel_type, Target=sheets[0].path, Id="rId1").to_tree())
            with self._member(ARC_WORKBOOK_RELS) as out:
                head, _, tail = _around(rels, relationship)
                out.write(head)
                for index, sheet in enumerate(sheets, 1):
                    out.write(tostring(Relationship(type=sheet._rel_type, Target=sheet.path, Id=f"rId{index}").to_tree()))
                # styles and theme follow the sheets with the next ids
                out.write(re.sub(rb'Id="rId(\d+)"', lambda m: b'Id="rId%d"' % (int(m.group(1)) + len(sheets) - 1), tail))

        def _write_content_types(self) -> None:
            from openpyxl.packaging.manifest import Manifest, Override
            from openpyxl.xml.functions import tostring

            wb = self.workbook
            manifest = Manifest()
            # Every member's extension, in the order ExcelWriter registers them (its whole name list).
            seen: dict[str, None] = {}
            for info in self._archive.filelist:
                seen.setdefault(os.path.splitext(info.filename)[-1], None)
            manifest.append(wb)
            manifest._register_mimetypes(filenames=[f"x{ext}" for ext in seen])
            whole = tostring(manifest.to_tree())
            book = tostring(Override(PartName=wb.path, ContentType=wb.mime_type).to_tree())
            head, _, tail = _around(whole, book)
            with self._member(Manifest.path) as out:
                out.write(head)
                for path, mime in self.manifest.parts:
                    out.write(tostring(Override(PartName=path, ContentType=mime).to_tree()))
                out.write(book + tail)

        def _member(self, name: str) -> Any:
            return self._archive.open(self._archive._info(name), "w")

    return StreamedWriter


def _sheet_element(index: int, sheet: Any) -> bytes:
    """A sheet's <sheet> element of the workbook part, as openpyxl's WorkbookWriter makes it."""
    from openpyxl.packaging.workbook import ChildSheet
    from openpyxl.xml.functions import tostring

    node = ChildSheet(name=sheet.title, sheetId=index + 1, id=f"rId{index + 1}")
    if not sheet.sheet_state == "visible":
        node.state = sheet.sheet_state
    return tostring(node.to_tree())


def _sheet_names(index: int, sheet: Any) -> bytes:
    """A sheet's <definedName> elements (its own names, filter, print titles and area), as WorkbookWriter makes them."""
    from openpyxl.utils import quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.xml.functions import tostring

    names = list(sheet.defined_names.values()) if sheet.defined_names else []
    for name in names:
        name.localSheetId = index
    if sheet.auto_filter:
        name = DefinedName(name="_FilterDatabase", localSheetId=index, hidden=True)
        name.value = f"{quote_sheetname(sheet.title)}!{sheet.auto_filter}"
        names.append(name)
    if sheet.print_titles:
        name = DefinedName(name="Print_Titles", localSheetId=index)
        name.value = sheet.print_titles
        names.append(name)
    if sheet.print_area:
        name = DefinedName(name="Print_Area", localSheetId=index)
        name.value = sheet.print_area
        names.append(name)
    return b"".join(tostring(name.to_tree()) for name in names)


def _around(whole: bytes, part: bytes) -> tuple[bytes, bytes, bytes]:
    """(before, part, after) of the one place `part` stands in `whole`."""
    at = whole.find(part)
    if at < 0 or whole.find(part, at + 1) >= 0:
        raise AssertionError("openpyxl's output is not as perfspec expects")  # a changed openpyxl
    return whole[:at], part, whole[at + len(part):]


# What a scratch sheet hands to the sheet it is streamed into (openpyxl.worksheet.Worksheet._setup's
# settings that are written with the sheet or named in the workbook).
_SHEET_SETTINGS = (
    "row_dimensions", "column_dimensions", "merged_cells", "sheet_state", "page_setup", "print_options",
    "_print_rows", "_print_cols", "_print_area", "page_margins", "views", "protection", "auto_filter",
    "sheet_properties", "sheet_format", "HeaderFooter", "data_validations", "conditional_formatting",
    "defined_names",
)
# What openpyxl writes into a sheet's own XML and never reads again once the sheet is closed
# (the workbook part needs only its title, state, print titles and area, filter and names).
_WRITTEN_WITH_THE_SHEET = (
    "row_dimensions", "column_dimensions", "merged_cells", "page_setup", "print_options", "page_margins",
    "views", "protection", "sheet_properties", "sheet_format", "HeaderFooter", "data_validations",
    "conditional_formatting", "row_breaks", "col_breaks", "scenarios",
)
# The workbook's own timestamps and its zip members' dates: fixed, so that the same forms give the same bytes.
_STAMP = datetime.datetime(2000, 1, 1)


class _StableZip(zipfile.ZipFile):
    """A zip whose members all carry the date _STAMP and the same permissions, whatever the clock or temp files say."""

    def __del__(self) -> None:
        # Written by the explicit close() only. A zip dropped without it was broken off (Ctrl-C, SIGTERM,
        # a full disk; a signal may even land inside __init__, before the attributes close() reads exist):
        # write_atomic_with removes its temporary file, so nothing is to be written, nor an
        # "Exception ignored" traceback printed at exit.
        pass

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=_STAMP.timetuple()[:6])
        info.compress_type = self.compression
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        """A streamed sheet's temporary file, copied in pieces."""
        import shutil

        with open(filename, "rb") as source, self.open(self._info(arcname or filename), "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _decimal(text: str) -> Decimal | None:
    if not text or text == "-":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def write_workbook(views: list[FormView], path: str, summary: SummaryTotals | None = None) -> list[str]:
    """Write the workbook: a sheet per loaded form, 汇总 first when `summary` is given. Returns the sheet titles.

    For views already in memory; `perfspec export` streams through Book itself.
    """
    book = Book(summary)
    titles = []
    for view in views:
        title = book.add_form(view) if view.loaded else None
        if title is not None:
            titles.append(title)
        if summary is not None:
            book.summary_row(view, title)
    if summary is not None:
        book.add_summary()
    book.save(path)
    return titles
