"""One table listing every project of a unit, rewritten as one form per project.

A budget system's 部门预算项目绩效目标申报表 (Sichuan's, among others) prints the targets of all of a
unit's projects in a single table, one row per indicator::

    单位名称 | 项目名称 | 预算数 | 年度目标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 权重
    820001-某镇人民政府 | 村组干部报酬 | 3,309,840.00 | 按时发放… | 效益指标 | 社会效益指标 | …
    产出指标 | 时效指标 | …                                   (the project's merged cells left out)
    基层组织活动经费 | 660,000.00 | 包括… | 满意度指标 | …       (the next project; 单位名称 still merged)

The project's cells stand left of the first cell that is a 一级 name; the indicator's cells start there.
Each project becomes the rows a single form prints (its title, 项目名称, the unit, the funds, the goal,
the indicator header and rows), at the line numbers of the cells they come from, so the rest of the
reader, its review notes included, treats it like any other form. Column names come from the layouts;
a project column no layout names is read as nothing and its text is reported as not placed.
"""

from __future__ import annotations

from typing import Optional

from perfspec.importers.labels import Labels, fold, matches
from perfspec.importers.rows import Row

_BUDGET_WORDS = ("预算数", "预算金额", "资金总额", "项目金额", "金额")
_GOAL_WORDS = ("年度目标", "绩效目标", "项目目标")
_UNIT_WORDS = ("单位名称", "预算单位", "单位")


def _text(cell: Optional[str]) -> str:
    return (cell or "").strip()


def _column(cell: str, L: Labels) -> Optional[str]:
    """What a header cell left of 一级指标 holds: project, implementer, department, budget or goal."""
    folded = fold(cell)
    if not folded:
        return None
    if matches(folded, L.of("header", "project")):
        return "project"
    if matches(folded, L.of("header", "department")) or folded == "部门":
        return "department"
    if matches(folded, L.of("header", "implementer")) or folded in _UNIT_WORDS:
        return "implementer"
    if any(word in folded for word in _BUDGET_WORDS):
        return "budget"
    if any(word in folded for word in _GOAL_WORDS):
        return "goal"
    return None


def _header(row: Row, L: Labels) -> Optional[tuple[list[Optional[str]], int]]:
    """(the keys of the project columns, the index of 一级指标) when the row heads such a table."""
    if len(row.texts) < 5:
        return None  # 项目名称, 一级指标, 二级指标, 三级指标, 指标值 at least: most rows are not such a header
    cells = [_text(c) for c in row.cells]
    level1 = next((i for i, c in enumerate(cells) if matches(c, L.of("indicators", "level1"))), -1)
    if level1 <= 0:
        return None
    keys = [_column(c, L) for c in cells[:level1]]
    if "project" not in keys or not any(matches(c, L.of("indicators", "name")) for c in cells[level1:]):
        return None
    return keys, level1


def _first_level1(cells: list[str], L: Labels) -> int:
    """Index of the first cell that is a 一级 name (产出指标, 效益指标(30分) …), or -1."""
    level1 = {fold(name) for name in L.level1}
    for index, cell in enumerate(cells):
        folded = fold(cell)
        base = folded.split("(")[0]
        if folded in level1 or base in level1:
            return index
    return -1


def spread(rows: list[Row], L: Labels) -> list[Row]:
    """The rows, with each table of projects rewritten as one form per project (others unchanged)."""
    for at, row in enumerate(rows):
        found = _header(row, L)
        if found is not None:
            return _spread(rows, at, found[0], found[1], L)
    return rows


def _spread(rows: list[Row], at: int, keys: list[Optional[str]], level1_at: int, L: Labels) -> list[Row]:
    head = rows[:at]
    header = rows[at]
    indicator_head = Row([_text(c) for c in header.cells[level1_at:]], header.where, header.brk)
    out: list[Row] = []
    department: Optional[tuple[str, int]] = None
    implementer: Optional[tuple[str, int]] = None
    project: Optional[dict] = None
    projects: list[dict] = []
    for row in rows[at + 1:]:
        cells = [_text(c) for c in row.cells]
        while cells and not cells[-1]:
            cells.pop()
        if not any(cells):
            continue
        split = _first_level1(cells, L)
        if split < 0:
            # No indicator in the row: a line of the project's (a note, a signature, a repeated header) is read
            # with the project's form, which places it or says it was not read; nothing is dropped here.
            texts = [c for c in cells if c]
            if project is not None:
                project["rows"].append(row)
            elif len(texts) == 2 and department is None:
                department = (texts[0], row.where)  # 820-某镇部门 | the department's total (no field holds it)
            else:
                head.append(row)
            continue
        lead = cells[:split]
        while lead and not lead[0]:
            lead.pop(0)
        # The project's cells are the last ones of its columns (the merged ones on the left are left out).
        lead_keys = keys[len(keys) - len(lead):] if len(lead) <= len(keys) else [None] * len(lead)
        values = {key: text for key, text in zip(lead_keys, lead) if key is not None and text}
        if "implementer" in values:
            implementer = (values["implementer"], row.where)
        if "project" in values:
            project = {"values": values, "where": row.where, "rows": [],
                       "department": department, "implementer": implementer}
            projects.append(project)
        elif project is None:
            continue
        project["rows"].append(Row(cells[split:], row.where, row.brk))
    if not projects:
        return rows
    for project in projects:
        out += _form_rows(head, indicator_head, project, L)
    return out


def _form_rows(head: list[Row], indicator_head: Row, project: dict, L: Labels) -> list[Row]:
    values, where = project["values"], project["where"]
    rows = [Row(list(r.cells), r.where, r.brk) for r in head]  # the title, 金额单位: every form has them
    rows.append(Row([L.word("header", "project"), values["project"]], where))
    parties: list[str] = []
    for key in ("department", "implementer"):
        found = values.get(key) or (project[key][0] if project[key] else None)
        if found:
            parties += [L.word("header", key), found]
    if parties:
        rows.append(Row(parties, where))
    if values.get("budget"):
        # The budget is the year's total (the table has no funding-source rows): read under its column.
        rows.append(Row([L.ref.funds_zh, L.word("funds", "initial")], where))
        rows.append(Row([L.word("funds", "total"), values["budget"]], where))
    if values.get("goal"):
        rows.append(Row([L.ref.goals_zh, L.word("goals", "expected")], where))
        rows.append(Row([values["goal"]], where))
    rows.append(Row(list(indicator_head.cells), indicator_head.where))
    return rows + project["rows"]
