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
from decimal import Decimal
from typing import Any, Iterable

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


def csv_bytes(head: list[str], table: list[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    kinds = [kind for _, _, kind in _COLUMNS]
    for line in table:
        writer.writerow([_csv_text(value, kind) for value, kind in zip(line, kinds)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(head: list[str], table: list[list[Any]]) -> bytes:
    """One sheet 指标: a bold, frozen head row with a filter, text as typed text, numbers as numbers."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from perfspec.outputs.xlsx import FONT, excel_number, number_format, visible_text

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标"
    bold = Font(name=FONT, size=10.5, bold=True)
    plain = Font(name=FONT, size=10.5)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for c, text in enumerate(head, start=1):
        cell = ws.cell(row=1, column=c, value=text)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    kinds = [kind for _, _, kind in _COLUMNS]
    for r, line in enumerate(table, start=2):
        for c, (value, kind) in enumerate(zip(line, kinds), start=1):
            cell = ws.cell(row=r, column=c)
            cell.font = plain
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
    widths = [28, 8, 22, 22, 24, 12, 16, 26, 16, 16, 8, 8, 8, 10, 8, 8, 60]
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{max(1, len(table) + 1)}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write(path: str, data: bytes) -> None:
    """Atomically, never through a link leading out of the target's folder (perfspec.outputs.writer)."""
    from perfspec.outputs.writer import write_atomic

    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    write_atomic(path, data, root=folder)
