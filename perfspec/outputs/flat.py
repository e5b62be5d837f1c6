"""One row per indicator across all forms, for pivot tables: `perfspec export --to csv` and `--to xlsx --flat`.

Columns (the form labels are the configured layout's, as in the portfolio):
文件, 年度, 主管部门, 实施单位, 项目名称, 一级指标, 二级指标, 三级指标, 年度指标值, 实际完成值,
分值, 得分, 扣分, 有偏差说明, 错误数, 警告数, 检查结果.

- 一级 / 二级指标 are the category names without the points a caption may print
  (产出指标(50分) → 产出指标), so that categories of different forms pivot together.
- 分值, 得分 and 扣分 (分值 − 得分, derived.deduction) are numbers with two decimals
  (more when the spec writes more); blank where the form has no such cell.
- 有偏差说明 is 是 when the row carries a note that explains something
  (derived.has_real_note: not blank, not only 无 or the template's prompt), else 否.
- 检查结果 lists the row's findings (code, severity, message; acknowledged ones
  with their reason), separated by "；"; 错误数 / 警告数 count the open ones.

CSV: UTF-8 with a byte-order mark (Excel then reads the Chinese correctly), CRLF,
fields quoted where needed. A text that starts with = + - @ (a 年度指标值 such as
``=100.00(%)``) gets a leading apostrophe, so that a spreadsheet shows it as text
instead of running it as a formula; numbers never do. The xlsx has no such
prefix: its cells are typed text and numbers.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from decimal import Decimal
from typing import Any, BinaryIO, Callable, Iterable

from perfspec.diagnostics import ERROR, WARNING
from perfspec.form import derived
from perfspec.outputs.render import FormView, Portfolio, two, written

# (key, label or None: the configured layout's label of that key, kind)
_COLUMNS = (
    ("file", "文件", "text"),
    ("year", None, "text"),
    ("department", None, "text"),
    ("implementer", None, "text"),
    ("project", None, "text"),
    ("level1", None, "text"),
    ("level2", None, "text"),
    ("name", None, "text"),
    ("target", None, "text"),
    ("actual", None, "text"),
    ("weight", None, "num"),
    ("score", None, "num"),
    ("deduction", "扣分", "num"),
    ("noted", "有偏差说明", "text"),
    ("errors", "错误数", "int"),
    ("warnings", "警告数", "int"),
    ("findings", "检查结果", "text"),
)
_PARTS = {"year": "header", "department": "header", "implementer": "header", "project": "header"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def headers(portfolio: Portfolio | None, layout: Any = None) -> list[str]:
    """The column heads, in the configured layout's words."""
    chosen = portfolio.layout if portfolio is not None else layout
    out = []
    for key, label, _ in _COLUMNS:
        if label is None:
            part = _PARTS.get(key, "indicators")
            label = chosen.label(part, key) if chosen is not None else key
        out.append(label)
    return out


def _finding_text(marks: Iterable[Any]) -> str:
    parts = []
    for m in marks:
        state = f"已确认（{m.acknowledged}）" if m.acknowledged is not None else m.severity_text
        parts.append(f"{m.code} {state}：{m.message}")
    return "；".join(parts)


def rows(views: list[FormView], profile: Any) -> list[list[Any]]:
    """One row per indicator of every loaded form: text as str, numbers as Decimal (None when blank)."""
    out: list[list[Any]] = []
    for view in views:
        if not view.loaded or view.spec is None:
            continue
        for row in view.rows:
            ind = row.indicator
            if ind is None:
                continue
            lost = derived.deduction(ind)
            marks = row.findings
            errors = sum(1 for m in marks if m.acknowledged is None and m.severity == ERROR)
            warnings = sum(1 for m in marks if m.acknowledged is None and m.severity == WARNING)
            out.append([
                view.file, view.year, view.department, view.implementer, view.project_name,
                ind.level1_name, ind.level2_name, ind.label,
                written(ind.target), written(ind.actual),
                ind.weight, ind.score, lost,
                "是" if derived.has_real_note(ind.deviation, profile) else "否",
                errors, warnings, _finding_text(marks),
            ])
    return out


def _csv_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "num":
        return two(value)
    if kind == "int":
        return str(value)
    text = " ".join(str(value).splitlines()) if "\n" in str(value) or "\r" in str(value) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class CsvTable:
    """The CSV, written row by row to a temporary file as the forms come, then into place (`save`)."""

    def __init__(self, head: list[str]) -> None:
        self.spool = tempfile.TemporaryFile()
        self.text = io.TextIOWrapper(self.spool, encoding="utf-8", newline="")
        self.text.write("\ufeff")
        self.writer = csv.writer(self.text, lineterminator="\r\n")
        self.writer.writerow(head)
        self.kinds = [kind for _, _, kind in _COLUMNS]
        self.count = 0

    def add(self, table: list[list[Any]]) -> None:
        for line in table:
            self.writer.writerow([_csv_text(value, kind) for value, kind in zip(line, self.kinds)])
        self.count += len(table)

    def save(self, path: str) -> None:
        self.text.flush()
        self.spool.seek(0)
        write(path, lambda handle: shutil.copyfileobj(self.spool, handle, 1 << 20))

    def discard(self) -> None:
        self.text.close()  # and the temporary file with it


class XlsxTable:
    """One sheet 指标: a bold, frozen head row with a filter, text as typed text, numbers as numbers.

    Streamed (openpyxl's write-only mode): rows are written as the forms come.
    """

    WIDTHS = (28, 8, 22, 22, 24, 12, 16, 26, 16, 16, 8, 8, 8, 10, 8, 8, 60)

    def __init__(self, head: list[str]) -> None:
        import openpyxl
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        from perfspec.outputs.xlsx import FONT

        self.Cell = WriteOnlyCell
        self.wb = openpyxl.Workbook(write_only=True)
        self.ws = ws = self.wb.create_sheet("指标")
        self.bold = Font(name=FONT, size=10.5, bold=True)
        self.plain = Font(name=FONT, size=10.5)
        self.letter = get_column_letter
        for c, width in enumerate(self.WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        ws.freeze_panes = "A2"
        fill = PatternFill("solid", fgColor="F2F2F2")
        align = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cells = []
        for text in head:
            cell = WriteOnlyCell(ws, text)
            cell.font, cell.fill, cell.alignment = self.bold, fill, align
            cells.append(cell)
        ws.append(cells)
        self.columns = len(head)
        self.kinds = [kind for _, _, kind in _COLUMNS]
        self.count = 0

    def add(self, table: list[list[Any]]) -> None:
        from perfspec.outputs.xlsx import excel_number, number_format, visible_text

        for line in table:
            cells = []
            for value, kind in zip(line, self.kinds):
                cell = self.Cell(self.ws)
                cell.font = self.plain
                cells.append(cell)
                if value is None or value == "":
                    continue
                if kind == "num":
                    cell.value = excel_number(value)
                    cell.number_format = number_format(Decimal(value))
                elif kind == "int":
                    cell.value = int(value)
                else:
                    cell.value = visible_text(str(value))
                    cell.data_type = "s"  # "=100.00(%)" is a 年度指标值, not a formula
                    if cell.value.startswith(FORMULA_START):
                        cell.quotePrefix = True
            self.ws.append(cells)
        self.count += len(table)

    def save(self, path: str) -> None:
        from perfspec.outputs.xlsx import save_workbook

        self.ws.auto_filter.ref = f"A1:{self.letter(self.columns)}{max(1, self.count + 1)}"
        save_workbook(self.wb, path)

    def discard(self) -> None:
        from perfspec.outputs.xlsx import discard_workbook

        discard_workbook(self.wb)


def write(path: str, produce: Callable[[BinaryIO], object]) -> None:
    """Atomically, never through a link leading out of the target's folder (perfspec.outputs.writer)."""
    from perfspec.outputs.writer import write_atomic_with

    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    write_atomic_with(path, produce, root=folder)
