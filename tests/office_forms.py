"""Build Excel workbooks and Word documents of a spec laid out the way a bureau template lays it out.

CONSTRUCTED test data: nothing here is a file a bureau sent. A spec (a fixture of
``tests/cases/layouts/<layout>/`` or a real-form transcription of ``tests/data/real-forms/``) is
printed in its layout's grid: the title, (2023年度), 单位：万元, the header cells (项目名称 …), the
funds block with its caption merged down the rows, 年度总体目标, the indicator table with the
一级/二级指标 merged down their rows, 总分, 评分等级, the layout's sections and a signature line.
Every label is the layout's own (``perfspec/form/layouts/*.yaml`` through :class:`Layout`), never a
second table here.

The same grid becomes an .xlsx (openpyxl: merged ranges, numbers as numbers with two decimals
where the spec wrote two) and a .docx (python-docx: one table, ``w:gridSpan`` across and
``w:vMerge`` down; the title, year and unit are paragraphs above it, the signatures one below).

Regenerate the committed files with ``python tests/office_forms.py`` (from the repository root).
"""

from __future__ import annotations

import glob
import os
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED = datetime(2024, 1, 1)  # the files' creation time, so they regenerate byte for byte
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "data", "import", "office")


def sources() -> list[tuple[str, str]]:
    """(name, spec path) of every form built: the good fixture of each layout, then the real forms."""
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "cases", "layouts", "*", "*.yaml"))):
        if not os.path.basename(path).startswith("bad-"):
            layout = os.path.basename(os.path.dirname(path))
            out.append((f"{layout}--{os.path.basename(path)[:-5]}", path))
    for folder in ("specs", "rewritten"):
        for path in sorted(glob.glob(os.path.join(HERE, "data", "real-forms", folder, "*.yaml"))):
            out.append((f"real-{folder}--{os.path.basename(path)[:-5]}", path))
    return out


def load(path: str) -> tuple[dict, Any]:
    """The loader's data of a spec and the layout it is read in."""
    from perfspec.form.kinds import kind_of
    from perfspec.form.layout import choose_layout
    from perfspec.load.loader import load_file

    result = load_file(path)
    assert result.document is not None, (path, result.findings)
    data = result.document.data
    layout, problem = choose_layout(data, kind_of(data.get("kind")).layout)
    assert problem is None, (path, problem)
    return data, layout


# --------------------------------------------------------------------------- the grid


@dataclass
class Grid:
    """A form as a bureau template prints it: paragraphs above, a table, paragraphs below."""

    width: int
    above: list = field(default_factory=list)  # list[str]
    cells: dict = field(default_factory=dict)  # (row, col) → value (0-based); a merge's value sits top-left
    merges: list = field(default_factory=list)  # (r1, c1, r2, c2), inclusive
    rows: int = 0
    below: list = field(default_factory=list)  # list[str]

    def put(self, r: int, c1: int, value: Any, c2: int | None = None, r2: int | None = None) -> None:
        c2 = c1 if c2 is None else c2
        r2 = r if r2 is None else r2
        if value is not None and value != "":
            self.cells[(r, c1)] = value
        if (c2, r2) != (c1, r):
            self.merges.append((r, c1, r2, c2))
        self.rows = max(self.rows, r2 + 1)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _target_parts(value: Any) -> tuple[Any, Any, Any]:
    """(指标值, 度量单位) of a split target {operator, value, unit}, and the single cell otherwise."""
    if isinstance(value, dict):
        op = value.get("operator") or ""
        number = value.get("value")
        return (op + _text(number)) if op else number, value.get("unit"), None
    return value, None, value


def indicator_columns(layout: Any) -> list[str]:
    """The indicator table's columns, left to right, in the layout's order of what it prints."""
    keys = ["level1", "level2", "name"]
    keys += ["nature", "target", "unit"] if layout.target_mode == "split" else ["target"]
    if layout.kind == "monitoring":
        keys += ["to_date", "forecast", "likelihood", "deviation", "measures"]
        return keys
    keys += [] if layout.kind == "target-table" else ["actual"]
    keys += list(layout.scores)
    if layout.kind != "target-table":
        keys.append("deviation")
    return keys


def grid(data: dict, layout: Any) -> Grid:
    from perfspec.outputs.render import layout_caption

    columns = indicator_columns(layout)
    width = 1 + len(columns)
    g = Grid(width)
    last = width - 1
    unit = (data.get("funds") or {}).get("unit") or layout.funds_unit
    g.above = [layout.title, f"（{data['year']}年度）" if data.get("year") else "", f"单位：{unit}"]
    g.above = [line for line in g.above if line]
    half = max(3, (width + 1) // 2)
    r = 0
    # Header: 项目名称 on a row of its own, the others two to a row.
    header = [f for f in layout.header if f.key != "year"]
    project = [f for f in header if f.key == "project"]
    others = [f for f in header if f.key != "project"]
    for f in project:
        g.put(r, 0, f.zh, 1)
        g.put(r, 2, data.get(f.key), last)
        r += 1
    pairs = half + 2 <= last  # a narrow table (a target table) has one header cell to a row
    for i in range(0, len(others), 2 if pairs else 1):
        left = others[i]
        g.put(r, 0, left.zh, 1)
        if pairs and i + 1 < len(others):
            right = others[i + 1]
            g.put(r, 2, data.get(left.key), half - 1)
            g.put(r, half, right.zh, half + 1)
            g.put(r, half + 2, data.get(right.key), last)
        else:
            g.put(r, 2, data.get(left.key), last)
        r += 1
    # Funds: caption merged down, the row labels, the amounts, then 分值 | 执行率 | 得分 when scored here.
    funds = data.get("funds") or {}
    # 分值 | 执行率 | 得分 where budget execution is scored in the funds block; 执行率 alone where the
    # layout computes a rate but scores it elsewhere (the older framework's 执行率(B/A)).
    extras = ["weight", "rate", "score"] if layout.funds_scored == "funds" else (["rate"] if layout.rate_base else [])
    amounts = [c.key for c in layout.funds_columns]
    label_span = width - 1 - len(amounts) - len(extras)
    start = r
    g.put(r, 1, None, label_span)
    col = 1 + label_span
    for key in amounts:
        g.put(r, col, layout.funds_column(key).zh)
        col += 1
    for key in extras:
        g.put(r, col, layout.label("funds", key))
        col += 1
    r += 1
    for row in layout.funds_rows:
        values = funds.get(row.key) if isinstance(funds.get(row.key), dict) else {}
        g.put(r, 1, row.zh, label_span)
        col = 1 + label_span
        for key in amounts:
            g.put(r, col, values.get(key))
            col += 1
        if row.total:
            for offset, key in enumerate(extras):
                g.put(r, col + offset, funds.get(key))
        elif layout.row_rates and "rate" in extras:
            g.put(r, col + extras.index("rate"), values.get("rate"))
        r += 1
    if funds.get("deviation") is not None:
        g.put(r, 1, layout.label("funds", "deviation"), label_span)
        g.put(r, 1 + label_span, funds.get("deviation"), last)
        r += 1
    g.put(start, 0, f"{layout.funds_zh}（{unit}）", r2=r - 1)
    # Goals.
    goals = data.get("goals") or {}
    fields = list(layout.goals)
    g.put(r, 0, layout.goals_zh, r2=r + 1)
    if len(fields) == 2:
        g.put(r, 1, fields[0].zh, half - 1)
        g.put(r, half, fields[1].zh, last)
        g.put(r + 1, 1, goals.get(fields[0].key), half - 1)
        g.put(r + 1, half, goals.get(fields[1].key), last)
    else:
        g.put(r, 1, fields[0].zh, last)
        g.put(r + 1, 1, goals.get(fields[0].key), last)
    r += 2
    # Indicators: caption merged down the table, 一级/二级 merged down their rows.
    start = r
    for c, key in enumerate(columns, start=1):
        g.put(r, c, layout.label("indicators", key))
    r += 1
    indicators = data.get("indicators") or {}
    for level1, level2s in indicators.items():
        first1 = r
        for level2, items in (level2s or {}).items():
            first2 = r
            for item in items or []:
                for c, key in enumerate(columns, start=1):
                    if key in ("level1", "level2"):
                        continue
                    if layout.target_mode == "split" and key in ("target", "unit"):
                        value, unit_, _ = _target_parts(item.get("target"))
                        g.put(r, c, value if key == "target" else unit_)
                    else:
                        g.put(r, c, item.get(key))
                r += 1
            if r > first2:
                g.put(first2, 2, level2, r2=r - 1)
        if r > first1:
            g.put(first1, 1, level1, r2=r - 1)
    g.put(start, 0, layout_caption(layout, "indicators"), r2=r - 1)
    # 总分 / 评分等级: the caption across to the score columns.
    total = data.get("total") or {}
    score_cols = {key: 1 + columns.index(key) for key in ("weight", "score") if key in columns}
    if layout.has_total:
        span = min(score_cols.values(), default=last) - 1
        g.put(r, 0, layout_caption(layout, "total"), span)
        for key, c in score_cols.items():
            g.put(r, c, total.get(key))
        r += 1
    if layout.has_grade:
        span = min(score_cols.values(), default=last) - 1
        g.put(r, 0, layout_caption(layout, "grade"), span)
        g.put(r, span + 1, data.get("grade"), last)
        r += 1
    for section in layout.sections:
        if data.get(section.key) is not None:
            g.put(r, 0, section.zh, 1)
            g.put(r, 2, data.get(section.key), last)
            r += 1
    g.below = ["    ".join(f"{s.zh}：{_text(data.get(s.key))}" for s in layout.signatures)]
    return g


# --------------------------------------------------------------------------- the files


def _excel(value: Any) -> tuple[Any, str]:
    """A value for an Excel cell and its number format: a number keeps its printed decimals."""
    if isinstance(value, bool) or value is None:
        return _text(value) or None, "General"
    if isinstance(value, int):
        return value, "General"
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
        number = int(value) if places == 0 else float(value)
        return number, "0" if places == 0 else "0." + "0" * places
    return _text(value), "General"


def write_xlsx(grids: Grid | list, path: str) -> None:
    """One sheet a form (自评表, 自评表2, …)."""
    import openpyxl

    wb = openpyxl.Workbook()
    for number, g in enumerate(grids if isinstance(grids, list) else [grids], start=1):
        ws = wb.active if number == 1 else wb.create_sheet()
        ws.title = "自评表" if number == 1 else f"自评表{number}"
        _sheet(ws, g)
    wb.properties.creator = "perfspec tests/office_forms.py (constructed test data)"
    wb.properties.created = wb.properties.modified = FIXED
    wb.save(path)
    _stable(path)


def _sheet(ws: Any, g: Grid) -> None:
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    r0 = 1
    for line in g.above:  # the title block: merged across the table
        ws.cell(r0, 1, line)
        ws.merge_cells(start_row=r0, start_column=1, end_row=r0, end_column=g.width)
        r0 += 1
    for (r, c), value in g.cells.items():
        cell = ws.cell(r0 + r, c + 1)
        cell.value, cell.number_format = _excel(value)
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # "=100%" is text typed into the form, not a formula
    for r in range(g.rows):
        for c in range(g.width):
            cell = ws.cell(r0 + r, c + 1)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r1, c1, r2, c2 in g.merges:
        ws.merge_cells(start_row=r0 + r1, start_column=c1 + 1, end_row=r0 + r2, end_column=c2 + 1)
    for i, line in enumerate(g.below):
        ws.cell(r0 + g.rows + 1 + i, 1, line)
    for c in range(1, g.width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14


def write_docx(grids: Grid | list, path: str) -> None:
    """One table a form, a page break between forms."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.table import _Cell

    document = docx.Document()
    for number, g in enumerate(grids if isinstance(grids, list) else [grids]):
        if number:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for line in g.above:
            document.add_paragraph(line)
        table = document.add_table(rows=g.rows, cols=g.width)
        table.style = "Table Grid"
        rows = table._tbl.tr_lst
        for (r, c), value in g.cells.items():  # before merging: one w:tc per grid cell
            _Cell(rows[r].tc_lst[c], table).text = _text(value)
        # Right to left: a merge removes w:tc only at and after its own column, so the w:tc of a
        # grid column further left is still at that index (table.cell() would re-walk the grid each time).
        for r1, c1, r2, c2 in sorted(g.merges, key=lambda m: (-m[1], m[0])):
            _Cell(rows[r1].tc_lst[c1], table).merge(_Cell(rows[r2].tc_lst[c2], table))
        for line in g.below:
            document.add_paragraph(line)
    document.core_properties.author = "perfspec tests/office_forms.py (constructed test data)"
    document.core_properties.created = document.core_properties.modified = FIXED
    document.core_properties.last_modified_by = "perfspec"
    document.core_properties.revision = 1
    document.save(path)
    _stable(path)


def _stable(path: str) -> None:
    """The zip rewritten with fixed entry times, so regenerating gives the same bytes."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, body in parts:
            if name == "docProps/core.xml":  # openpyxl stamps the save time into <dcterms:modified>
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", body)
            target.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)


def build(name: str, spec: str, folder: str = OUT) -> tuple[str, str]:
    data, layout = load(spec)
    g = grid(data, layout)
    os.makedirs(folder, exist_ok=True)
    xlsx, docx_ = os.path.join(folder, name + ".xlsx"), os.path.join(folder, name + ".docx")
    write_xlsx(g, xlsx)
    write_docx(g, docx_)
    return xlsx, docx_


def main() -> int:
    sys.path.insert(0, ROOT)
    for name, spec in sources():
        for path in build(name, spec):
            print(os.path.relpath(path, ROOT), os.path.getsize(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())


# --------------------------------------------------------------------------- comparing


def carried(data: dict, imported: dict | None = None) -> dict:
    """The spec's cells an import can give back (what FormData.to_data() holds), from the loader's data.

    With `imported`, every further cell the import did give back (项目负责人, kind, layout …; a funds row's
    or an indicator's further columns: 1–N月执行数, 完成目标可能性, 单项指标得分 …) is compared with the
    spec's too: a cell read is a cell checked, never skipped. The funds rows are the spec's layout's and
    those either side has (a layout without 其中：当年财政拨款 … has none to give back).
    """
    from perfspec.form.kinds import kind_of
    from perfspec.form.layout import choose_layout
    from perfspec.importers import FUNDS_COLUMNS, FUNDS_ROWS

    layout, _problem = choose_layout(data, kind_of(data.get("kind")).layout)
    funds = data.get("funds") or {}
    goals = data.get("goals") or {}
    total = data.get("total") or {}
    got = imported or {}
    got_funds = got.get("funds") or {}
    rows_ = [r for r in FUNDS_ROWS if r in {f.key for f in layout.funds_rows} or r in funds or r in got_funds]
    out: dict = {key: data.get(key) for key in ("year", "project", "department", "implementer")}
    out["funds"] = {
        "unit": funds.get("unit"),
        "weight": funds.get("weight"),
        **{r: {c: (funds.get(r) or {}).get(c) for c in FUNDS_COLUMNS} for r in rows_},
        "rate": funds.get("rate"),
        "score": funds.get("score"),
    }
    for r in rows_:
        for c in got_funds.get(r) or {} if isinstance(got_funds.get(r), dict) else {}:
            out["funds"][r].setdefault(c, (funds.get(r) or {}).get(c))
    out["goals"] = {"expected": goals.get("expected"), "achieved": goals.get("achieved")}
    indicators: dict = {}
    for level1, level2s in (data.get("indicators") or {}).items():
        for level2, items in (level2s or {}).items():
            rows = []
            read = ((got.get("indicators") or {}).get(level1) or {}).get(level2) or []
            for i, item in enumerate(items or []):
                row = {key: item.get(key) for key in ("name", "target", "actual", "weight", "score")}
                if item.get("deviation") is not None:
                    row["deviation"] = item["deviation"]
                for key in read[i] if i < len(read) and isinstance(read[i], dict) else {}:
                    row.setdefault(key, item.get(key))
                rows.append(row)
            indicators.setdefault(level1, {})[level2] = rows
    out["indicators"] = indicators
    if "total" in data or "total" in got:  # a target table, a monitoring form: no 总分 on either side
        out["total"] = {"weight": total.get("weight"), "score": total.get("score")}
    out["grade"] = data.get("grade")
    for key in imported or {}:
        if key not in out:
            out[key] = data.get(key)
    for key in (imported or {}).get("funds") or {}:  # the funds block's further cells (调整原因 …) alike
        if key not in out["funds"]:
            out["funds"][key] = funds.get(key)
    return out


def typed(value: Any) -> Any:
    """20, Decimal('20') and Decimal('20.00') differ, as they do in a spec."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, Decimal):
        return ("dec", str(value))
    return value


def differences(want: Any, got: Any, path: str = "") -> list[str]:
    """Each cell that differs, as "path: want → got"."""
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for key in list(want) + [k for k in got if k not in want]:
            out += differences(want.get(key), got.get(key), f"{path}.{key}" if path else str(key))
        return out
    if isinstance(want, list) and isinstance(got, list):
        out = []
        for i in range(max(len(want), len(got))):
            out += differences(want[i] if i < len(want) else None, got[i] if i < len(got) else None, f"{path}[{i}]")
        return out
    if typed(want) != typed(got):
        return [f"{path}: {want!r} → {got!r}"]
    return []
