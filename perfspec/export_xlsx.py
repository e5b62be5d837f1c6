"""Excel export: each form in the official layout, a summary sheet, and the exact values.

The workbook has three kinds of sheets:

- one **form sheet** per spec, laid out like the published 财政项目支出绩效自评表
  (title, 项目名称 / 主管部门 / 实施单位, the funds block, 年度总体目标, the indicator
  table with merged 一级 / 二级指标 cells, 总分, 评分等级). It is built from
  :func:`perfspec.render.form_view`, so rows, spans and number formatting are the
  HTML report's. Numbers are numbers with a ``0.00`` format; texts are text
  (a 年度指标值 like ``=100.00(%)`` is stored as text, never as a formula); blank
  cells stay empty. Check findings are attached to their cells as comments.
- for a folder, a **summary sheet** 汇总 first (one row per form, a 合计 row);
- a hidden sheet ``_perfspec`` holding, for every data cell of every form sheet,
  its YAML path and the value exactly as the spec wrote it (``20`` vs ``20.00``,
  ``2.5``, the text of a 年度指标值). Excel only keeps binary floats and a display
  format, which cannot tell ``weight: 20`` from ``weight: 20.00``; the hidden sheet
  can, so export → import gives back exactly the same data.

The visible sheet stays the authority: :mod:`perfspec.importers.xlsx` reads the
layout from the visible cells and takes the hidden value only where it agrees
with what the cell shows. A cell someone edited in Excel wins, and the importer
flags it for review. Sheets are matched to their hidden records by the sheet's
code name (which survives renaming in Excel), else by title.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from perfspec.diagnostics import ERROR, WARNING, Path
from perfspec.form.model import FUNDS_COLUMNS, FUNDS_ROWS
from perfspec.render import TITLE, FormView, Portfolio, two

# ----------------------------------------------------------------------------- layout (shared with the importer)

DATA_SHEET = "_perfspec"
SUMMARY_SHEET = "汇总"
MARK = "perfspec-xlsx"
VERSION = 1
CODE_PREFIX = "perfspec"  # form sheets get the code name perfspec1, perfspec2, …
MAX_CELL = 32767  # characters Excel keeps in a cell
CHUNK = 30000  # hidden-sheet text is split into cells of this size

# The form occupies columns A–H (1–8).
COLUMNS = 8
WIDTHS = (10, 14, 22, 14, 14, 9, 9, 34)
INDICATOR_HEADERS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
FUNDS_HEADERS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率(%)", "得分")
FUNDS_LABELS = {
    "total": "年度资金总额",
    "appropriation": "其中：当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
SUMMARY_HEADERS = (
    "项目名称", "年初预算数", "全年预算数", "全年执行数", "执行率(%)", "总分", "评分等级", "错误数", "警告数", "文件", "备注",
)
SUMMARY_WIDTHS = (30, 13, 13, 13, 11, 9, 9, 8, 8, 36, 30)

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
    raise ValueError(kind)


# ----------------------------------------------------------------------------- what a workbook cannot carry

_TOP = ("year", "project", "department", "implementer", "funds", "goals", "indicators", "total", "grade")
_FUNDS = ("unit", "weight", *FUNDS_ROWS, "rate", "score")
_ITEM = ("name", "target", "actual", "weight", "score", "deviation")


def unexportable(data: Any) -> list[str]:
    """YAML paths of content the form layout has no cell for (acknowledge, extra keys, empty categories…).

    Such content is not in the workbook and will not come back from an import.
    """
    out: list[str] = []
    if not isinstance(data, dict):
        return ["(整个文件)"]

    def extra(mapping: Any, known: Iterable[str], prefix: str) -> None:
        if isinstance(mapping, dict):
            out.extend(prefix + str(k) for k in mapping if k not in known)

    extra(data, _TOP, "")
    funds = data.get("funds")
    extra(funds, _FUNDS, "funds.")
    if isinstance(funds, dict):
        for row in FUNDS_ROWS:
            extra(funds.get(row), FUNDS_COLUMNS, f"funds.{row}.")
    extra(data.get("goals"), ("expected", "achieved"), "goals.")
    extra(data.get("total"), ("weight", "score"), "total.")
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
                    extra(item, _ITEM, f"indicators.{level1}.{level2}[{i}].")
                    for key in _ITEM:
                        if key in item and encode(item[key]) is None:
                            out.append(f"indicators.{level1}.{level2}[{i}].{key}")
    for path, value in _scalar_paths(data):
        if encode(value) is None:
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


# ----------------------------------------------------------------------------- sheet names


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text


def sheet_titles(names: list[str]) -> list[str]:
    """Excel sheet names for the forms: ≤ 31 characters, none of []:*?/\\, unique (case-insensitively)."""
    taken = {SUMMARY_SHEET.casefold(), DATA_SHEET.casefold(), "history"}
    out: list[str] = []
    for name in names:
        base = _FORBIDDEN_IN_TITLE.sub("_", unicodedata.normalize("NFC", name or "")).strip().strip("'").strip()
        base = _cut(base, 31).strip().strip("'") or "表"
        title, n = base, 2
        while title.casefold() in taken:
            suffix = f"({n})"
            title = _cut(base, 31 - len(suffix)).rstrip("'") + suffix
            n += 1
        taken.add(title.casefold())
        out.append(title)
    return out


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
    """An openpyxl workbook being filled with form sheets, a summary and the hidden values."""

    def __init__(self) -> None:
        import openpyxl
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.openpyxl = openpyxl
        self.wb = openpyxl.Workbook()
        self.wb.remove(self.wb.active)
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT, size=10.5)
        self.bold = Font(name=FONT, size=10.5, bold=True)
        self.title_font = Font(name=FONT, size=16, bold=True)
        self.year_font = Font(name=FONT, size=12)
        self.head_fill = PatternFill("solid", fgColor="F2F2F2")
        self.Alignment = Alignment
        self.records: list[tuple[str, str, Path, str, str, str]] = []  # key, title, path, cell, kind, text
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

    def _number(self, ws: Any, row: int, col: int, text: str, marks: Any = None, center_dash: bool = True) -> Any:
        """A numeric cell from the view's formatted text (render.two): a number with its decimals, or text."""
        value = _decimal(text)
        if value is None:
            kind = "center" if (text == "-" and center_dash) else "num"
            return self._cell(ws, row, col, text or None, kind=kind, marks=marks)
        cell = self._cell(ws, row, col, excel_number(value), kind="num", marks=marks)
        cell.number_format = number_format(value)
        return cell

    def _record(self, key: str, title: str, path: Path, cell: Any, value: Any) -> None:
        encoded = encode(value)
        if encoded is None:
            return
        self.records.append((key, title, path, cell.coordinate, *encoded))

    # -- one form

    def add_form(self, view: FormView, title: str) -> Any:
        """A sheet in the official layout for one loaded form."""
        self.forms += 1
        key = f"{CODE_PREFIX}{self.forms}"
        ws = self.wb.create_sheet(title)
        ws.sheet_properties.codeName = key
        data = view.data if isinstance(view.data, dict) else {}
        funds_raw = data.get("funds") if isinstance(data.get("funds"), dict) else {}
        goals_raw = data.get("goals") if isinstance(data.get("goals"), dict) else {}
        total_raw = data.get("total") if isinstance(data.get("total"), dict) else {}

        def record(path: Path, cell: Any, value: Any) -> None:
            self._record(key, title, path, cell, value)

        for i, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[_letter(i)].width = width
        heights: dict[int, float] = {}

        def height(row: int, text: str, cols: tuple[int, int]) -> None:
            width = sum(WIDTHS[cols[0] - 1:cols[1]])
            heights[row] = max(heights.get(row, 0), 15.0 * _lines(text, width) + 3)

        # Title and year.
        cell = self._cell(ws, 1, 1, TITLE, kind="center", end_col=COLUMNS, marks=view.unplaced)
        cell.font = self.title_font
        heights[1] = 28
        for c in range(1, COLUMNS + 1):
            ws.cell(row=1, column=c).border = self._no_border()
        year = view.header["project"].year
        cell = self._cell(ws, 2, 1, f"({year.text} 年度)", kind="center", end_col=COLUMNS, marks=year.marks)
        cell.font = self.year_font
        for c in range(1, COLUMNS + 1):
            ws.cell(row=2, column=c).border = self._no_border()
        record(("year",), cell, data.get("year"))

        # 项目名称, 主管部门, 实施单位.
        project = view.header["project"].project
        self._cell(ws, 3, 1, "项目名称", kind="head")
        cell = self._cell(ws, 3, 2, project.text, end_col=COLUMNS, marks=project.marks)
        record(("project",), cell, data.get("project"))
        height(3, project.text, (2, COLUMNS))
        parties = view.header["parties"]
        self._cell(ws, 4, 1, "主管部门", kind="head")
        cell = self._cell(ws, 4, 2, parties.department.text, end_col=4, marks=parties.department.marks)
        record(("department",), cell, data.get("department"))
        self._cell(ws, 4, 5, "实施单位", kind="head")
        cell = self._cell(ws, 4, 6, parties.implementer.text, end_col=COLUMNS, marks=parties.implementer.marks)
        record(("implementer",), cell, data.get("implementer"))
        height(4, parties.department.text, (2, 4))
        height(4, parties.implementer.text, (6, COLUMNS))

        # 项目资金.
        cell = self._cell(ws, 5, 1, view.funds_head.label.text, kind="head", end_row=9, marks=view.funds_head.label.marks)
        record(("funds", "unit"), cell, funds_raw.get("unit"))
        self._cell(ws, 5, 2, None, kind="head")
        for i, header in enumerate(FUNDS_HEADERS, start=3):
            self._cell(ws, 5, i, header, kind="head")
        for r, (key_row, row) in enumerate(zip(FUNDS_ROWS, view.funds), start=6):
            self._cell(ws, r, 2, FUNDS_LABELS[key_row], kind="label", marks=row.label.marks)
            height(r, FUNDS_LABELS[key_row], (2, 2))
            raw_row = funds_raw.get(key_row) if isinstance(funds_raw.get(key_row), dict) else {}
            for c, col in enumerate(FUNDS_COLUMNS, start=3):
                cell = self._number(ws, r, c, row.cells[col].text, row.cells[col].marks)
                record(("funds", key_row, col), cell, raw_row.get(col))
            for c, col in ((6, "weight"), (7, "rate"), (8, "score")):
                cell = self._number(ws, r, c, row.cells[col].text, row.cells[col].marks)
                if key_row == "total":
                    record(("funds", col), cell, funds_raw.get(col))

        # 年度总体目标.
        goals = view.goals
        self._cell(ws, 10, 1, goals.label.text, kind="head", end_row=11, marks=goals.label.marks)
        self._cell(ws, 10, 2, "预期目标", kind="head", end_col=4)
        self._cell(ws, 10, 5, "实际完成情况", kind="head", end_col=COLUMNS)
        cell = self._cell(ws, 11, 2, goals.expected.text, end_col=4, marks=goals.expected.marks)
        record(("goals", "expected"), cell, goals_raw.get("expected"))
        cell = self._cell(ws, 11, 5, goals.achieved.text, end_col=COLUMNS, marks=goals.achieved.marks)
        record(("goals", "achieved"), cell, goals_raw.get("achieved"))
        height(11, goals.expected.text, (2, 4))
        height(11, goals.achieved.text, (5, COLUMNS))

        # 绩效指标.
        head = 12
        for c, header in enumerate(INDICATOR_HEADERS, start=1):
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
            cell = self._cell(ws, r, 3, row.name.text or None, marks=row.name.marks)
            if ind is not None:
                record(base + ("name",), cell, raw.get("name"))
            for c, field in ((4, "target"), (5, "actual")):
                cell = self._target(ws, r, c, raw.get(field), row.cells[field])
                if ind is not None:
                    record(base + (field,), cell, raw.get(field))
            for c, field in ((6, "weight"), (7, "score")):
                cell = self._number(ws, r, c, row.cells[field].text, row.cells[field].marks, center_dash=False)
                if ind is not None:
                    record(base + (field,), cell, raw.get(field))
            cell = self._cell(ws, r, 8, row.deviation.text or None, marks=row.deviation.marks)
            if ind is not None:
                record(base + ("deviation",), cell, raw.get("deviation"))
            height(r, row.name.text, (3, 3))
            height(r, row.deviation.text, (8, 8))
            height(r, row.cells["target"].text, (4, 4))
            height(r, row.cells["actual"].text, (5, 5))
            r += 1

        # 总分 and 评分等级.
        total = view.total
        self._cell(ws, r, 1, "总分", kind="head", end_col=5, marks=total.label.marks)
        cell = self._number(ws, r, 6, total.weight.text, total.weight.marks)
        record(("total", "weight"), cell, total_raw.get("weight"))
        cell = self._number(ws, r, 7, total.score.text, total.score.marks)
        record(("total", "score"), cell, total_raw.get("score"))
        self._cell(ws, r, 8, None)
        grade = view.grade
        self._cell(ws, r + 1, 1, "评分等级", kind="head", end_col=2, marks=grade.label.marks)
        cell = self._cell(ws, r + 1, 3, grade.value.text or None, kind="center", end_col=COLUMNS, marks=grade.value.marks)
        record(("grade",), cell, data.get("grade"))
        last = r + 1

        for row_number, value in heights.items():
            ws.row_dimensions[row_number].height = min(409, max(15.0, value))
        self._print_setup(ws, f"A1:{_letter(COLUMNS)}{last}", title_rows=f"{head}:{head}")
        ws.sheet_view.showGridLines = False
        return ws

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
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
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

    def add_summary(self, views: list[FormView], titles: dict[int, str], portfolio: Portfolio) -> Any:
        """汇总: one row per form, then 合计 (Σ amounts, the overall 执行率, Σ errors and warnings)."""
        ws = self.wb.create_sheet(SUMMARY_SHEET, 0)
        years = "、".join(portfolio.years)
        heading = f"财政项目支出绩效自评汇总（{years} 年度）" if years else "财政项目支出绩效自评汇总"
        cols = len(SUMMARY_HEADERS)
        cell = self._cell(ws, 1, 1, heading, kind="center", end_col=cols)
        cell.font = self.title_font
        for c in range(1, cols + 1):
            ws.cell(row=1, column=c).border = self._no_border()
        note = "金额单位：万元" + ("（以元填报的表已换算为万元）" if portfolio.converted else "")
        if portfolio.rate_note:
            note += "；合计执行率 " + portfolio.rate_note.strip("（）")
        cell = self._cell(ws, 2, 1, note, kind="text", end_col=cols)
        for c in range(1, cols + 1):
            ws.cell(row=2, column=c).border = self._no_border()
        head = 3
        for c, header in enumerate(SUMMARY_HEADERS, start=1):
            self._cell(ws, head, c, header, kind="head")
        widths = list(SUMMARY_WIDTHS)
        widths[9] = min(60, max([widths[9]] + [_width(v.file) + 2 for v in views]))
        for c, width in enumerate(widths, start=1):
            ws.column_dimensions[_letter(c)].width = width
        r = head + 1
        for index, view in enumerate(views):
            lines = max(_lines(view.project_name or view.file, widths[0]), _lines(view.file, widths[9]),
                        _lines(view.error or "", widths[10]))
            ws.row_dimensions[r].height = min(409, 15.0 * lines + 3)
            if not view.loaded:
                self._cell(ws, r, 1, "（无法读取）")
                for c in range(2, 10):
                    self._cell(ws, r, c, None)
                self._cell(ws, r, 10, view.file)
                self._cell(ws, r, 11, view.error or "")
                r += 1
                continue
            cell = self._cell(ws, r, 1, view.project_name or view.file)
            title = titles.get(index)
            if title:
                from openpyxl.worksheet.hyperlink import Hyperlink

                cell.hyperlink = Hyperlink(ref=cell.coordinate, location="'" + title.replace("'", "''") + "'!A1")
                cell.font = self.openpyxl.styles.Font(name=FONT, size=10.5, color="1F4F99", underline="single")
            for c, value in ((2, view.initial), (3, view.annual), (4, view.executed), (5, view.rate_value),
                             (6, view.total_score_value)):
                self._number(ws, r, c, two(value))
            self._cell(ws, r, 7, view.grade_text or None, kind="center")
            self._cell(ws, r, 8, view.counts.get(ERROR, 0), kind="num")
            self._cell(ws, r, 9, view.counts.get(WARNING, 0), kind="num")
            self._cell(ws, r, 10, view.file)
            self._cell(ws, r, 11, None)
            r += 1
        self._cell(ws, r, 1, f"合计（{len(portfolio.loaded)} 张表）", kind="head")
        for c, text in ((2, portfolio.initial), (3, portfolio.annual), (4, portfolio.executed), (5, portfolio.rate)):
            cell = self._number(ws, r, c, text)
            cell.font = self.bold
            cell.fill = self.head_fill
        for c in (6, 7, 10, 11):
            self._cell(ws, r, c, None, kind="head")
        for c, key in ((8, ERROR), (9, WARNING)):
            self._cell(ws, r, c, sum(v.counts.get(key, 0) for v in views), kind="num").font = self.bold
            ws.cell(row=r, column=c).fill = self.head_fill
        ws.row_dimensions[head].height = 30
        ws.freeze_panes = ws.cell(row=head + 1, column=2)
        self._print_setup(ws, f"A1:{_letter(cols)}{r}", title_rows=f"{head}:{head}", landscape=True)
        ws.sheet_view.showGridLines = False
        return ws

    # -- hidden values and saving

    def add_data_sheet(self) -> Any:
        ws = self.wb.create_sheet(DATA_SHEET)
        ws.sheet_state = "hidden"
        ws.append([MARK, VERSION, "perfspec 导出时各单元格的原始写法，供 perfspec import --from xlsx 精确还原；请勿编辑。"
                   "工作表中的单元格改过时，导入以工作表为准。"])
        ws.append(["code name", "sheet", "path", "cell", "kind", "value"])
        for r, (key, title, path, coord, kind, text) in enumerate(self.records, start=3):
            chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
            row = [key, title, json.dumps(list(path), ensure_ascii=False), coord, kind, *chunks]
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                cell.data_type = "s"  # all text, even when it starts with "="
        return ws

    def save(self, path: str) -> None:
        """Atomically: a temporary file in the same folder, then a rename."""
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".perfspec-", suffix=".xlsx", dir=folder)
        os.close(handle)
        try:
            self.wb.save(tmp)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


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


def write_workbook(views: list[FormView], path: str, portfolio: Portfolio | None = None) -> list[str]:
    """Write the workbook: a sheet per loaded form, 汇总 first when `portfolio` is given. Returns the sheet titles."""
    book = Book()
    loaded = [(i, v) for i, v in enumerate(views) if v.loaded]
    titles = sheet_titles([v.project_name or os.path.splitext(os.path.basename(v.file))[0] for _, v in loaded])
    by_index: dict[int, str] = {}
    for (index, view), title in zip(loaded, titles):
        book.add_form(view, title)
        by_index[index] = title
    if portfolio is not None:
        book.add_summary(views, by_index, portfolio)
    book.add_data_sheet()
    book.wb.active = 0
    for ws in book.wb.worksheets:
        ws.sheet_view.tabSelected = ws is book.wb.worksheets[0]
    book.save(path)
    return titles
