"""PS012 layout-cells: 表格按所用版式填写：版式存在，资金行和栏目齐全，没有版式之外的行和格

`layout:` 要写内置版式的名称或仓库中的版式文件；资金部分要有版式的每一行
（表中空白的格写 null，不能整行省略），也不能写版式没有的行（多半是键名写错了）。
表头、表尾也一样：版式的表上没有的格（如监控表没有“项目负责人”）填了值，这个值
不会印在报告上，也就没有人核对它：换用印有这一格的版式，或者删掉它。

通过 / passes (national-2020)::

    funds:
      total:         {initial: 880, annual: 880, executed: 880}
      appropriation: {initial: 880, annual: 880, executed: 880}
      carryover:     {initial: null, annual: null, executed: null}
      other:         {initial: null, annual: null, executed: null}

不通过 / fails (national-2020 没有 unit_own 这一行，又缺了 other 行)::

    funds:
      total:         {initial: 880, annual: 880, executed: 880}
      appropriation: {initial: 880, annual: 880, executed: 880}
      carryover:     {initial: null, annual: null, executed: null}
      unit_own:      {initial: 0, annual: 0, executed: 0}
"""

from __future__ import annotations

import re

from perfspec.form.model import FUNDS_KEYS
from perfspec.check.rules.base import Context

CODE = "PS012"
NAME = "layout-cells"
SEVERITY = "error"
SUMMARY = "表格按所用版式填写：版式存在，资金行齐全且都是版式中的行"
SUMMARY_EN = "the form follows its layout: the layout exists, funding rows complete and known"

_ROW_KEY = r"[a-z][a-z0-9_]*"  # as text: compiled (and cached by re) only for a row no layout lists

# The cells above and below the table that some shipped layout prints (tests/test_rules.py keeps this
# equal to the layouts' header, signature and section keys); year and project every layout prints.
CELL_KEYS = ("department", "implementer", "leader", "finance_leader", "region", "period", "phone", "unit_head",
             "filled_by", "filled_on", "seal", "summary", "conclusion", "problems", "measures")


def check(ctx: Context) -> None:
    form = ctx.spec
    layout = form.layout
    if ctx.layout_problem:
        # One finding: the rows and columns of a layout that does not apply would only repeat it.
        ctx.report(("layout",), ctx.layout_problem, f"the layout cannot be used: {ctx.layout_problem}", at_key=True)
        return
    _cells(ctx)
    funds = form.funds
    if funds is None:
        return
    if layout.funds_scored == "funds" and form.kind.scored and "weight" not in funds.raw:
        ctx.report(
            ("funds",),
            f"版式“{layout.name}”在项目资金部分给预算执行率计分：缺少分值（weight），表中空白时写 null",
            f"layout {layout.id} scores budget execution in the funds block: funds.weight is missing (write null if blank)",
            at_key=True,
            key="weight",
        )
    known = {row.key for row in layout.funds_rows}
    for key, value in funds.raw.items():
        if key in FUNDS_KEYS or key in known or not isinstance(value, dict) or not re.fullmatch(_ROW_KEY, key):
            continue  # a key that cannot name a row at all is the schema's (PS010) to report
        ctx.report(
            ("funds", key),
            f"版式“{layout.name}”的资金部分没有“{key}”这一行（有：{'、'.join(f'{r.key}（{r.short}）' for r in layout.funds_rows)}）",
            f"layout {layout.id} has no funding row '{key}' (it has {', '.join(r.key for r in layout.funds_rows)})",
            at_key=True,
        )
    for row in layout.funds_rows:
        if row.key not in funds.raw:
            ctx.report(
                ("funds",),
                f"缺少资金行“{row.zh}”（{row.key}）：表中空白的格写 null，不要整行省略",
                f"the funding row {row.en} ({row.key}) is missing: write null for blank cells",
                at_key=True,
                key=row.key,
            )
            continue
        cells = funds.raw.get(row.key)
        if not isinstance(cells, dict):
            continue
        missing = [c for c in layout.funds_columns if c.key not in cells]
        if missing:
            ctx.report(
                ("funds", row.key),
                f"资金行“{row.short}”缺少{'、'.join(c.zh for c in missing)}（{'、'.join(c.key for c in missing)}）：表中空白的格写 null",
                f"the funding row {row.key} lacks {', '.join(c.key for c in missing)}: write null for blank cells",
                at_key=True,
            )


def _cells(ctx: Context) -> None:
    """A header, signature or section cell filled in although the layout prints no such cell."""
    data, layout = ctx.spec.has, ctx.spec.layout
    printed = {f.key for f in layout.header + layout.signatures + layout.sections}
    for key in CELL_KEYS:
        value = data.get(key)
        if key in printed or value is None or value == "" or value == []:
            continue
        zh, en = _label(key)
        ctx.report(
            (key,),
            f"版式“{layout.name}”的表上没有“{zh}”这一格：{key} 的值不会印在报告上；这张表若印有这一格，请换用有这一格的版式，否则删掉这一项",
            f"layout {layout.id} prints no '{en}' cell: the value of {key} would not be printed; "
            "use a layout that has this cell, or remove it",
            at_key=True,
        )


def _label(key: str) -> tuple[str, str]:
    """The cell's printed label, from the first shipped layout that prints it (loaded only for a finding)."""
    from perfspec.form.layout import builtin_layouts, load_layout

    for name in builtin_layouts():
        layout = load_layout(name)
        for field in layout.header + layout.signatures + layout.sections:
            if field.key == key:
                return field.zh, field.en
    return key, key
