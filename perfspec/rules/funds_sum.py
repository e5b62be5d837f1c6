"""PS101 funds-sum: 年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金

年初预算数、全年预算数、全年执行数三栏分别检查，按十进制精确计算。

通过 / passes::

    total:         {initial: 137.21, annual: 137.21, executed: 136.70}
    appropriation: {initial: 137.21, annual: 137.21, executed: 136.70}
    carryover:     {initial: 0.00, annual: 0.00, executed: 0.00}
    other:         {initial: 0.00, annual: 0.00, executed: 0.00}

不通过 / fails (全年执行数合计不符 / executed column does not add up)::

    total:         {initial: 137.21, annual: 137.21, executed: 136.80}
    appropriation: {initial: 137.21, annual: 137.21, executed: 136.70}
    carryover:     {initial: 0.00, annual: 0.00, executed: 0.00}
    other:         {initial: 0.00, annual: 0.00, executed: 0.00}
"""

from __future__ import annotations

from perfspec.model import FUNDS_COLUMN_ZH, FUNDS_COLUMNS, FUNDS_ROW_ZH
from perfspec.rules.base import Context, fmt

CODE = "PS101"
NAME = "funds-sum"
SEVERITY = "error"
SUMMARY = "年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金（每一栏）"
SUMMARY_EN = "total funds = appropriation + carryover + other, in every column"

_PARTS = ("appropriation", "carryover", "other")


def check(ctx: Context) -> None:
    funds = ctx.spec.funds
    if funds is None:
        return
    blanks = [(row, col) for col in FUNDS_COLUMNS for row in ("total",) + _PARTS if funds.rows[row][col] is None]
    blank_columns = list(dict.fromkeys(col for _, col in blanks))
    if blanks:
        # One note for the block, at its first blank cell: a blank funds table is one fact.
        row, col = blanks[0]
        cells = "、".join(f"{FUNDS_ROW_ZH[r]}的{FUNDS_COLUMN_ZH[c]}" for r, c in blanks[:3]) + ("等" if len(blanks) > 3 else "")
        columns = "、".join(f"“{FUNDS_COLUMN_ZH[c]}”" for c in blank_columns)
        ctx.cannot(
            ("funds", row, col),
            f"{cells}为空，无法核对{columns}一栏的合计",
            f"blank funds cells: the sum of the {', '.join(blank_columns)} column(s) cannot be checked",
        )
    for col in FUNDS_COLUMNS:
        stated = funds.rows["total"][col]
        parts = [funds.rows[row][col] for row in _PARTS]
        if col in blank_columns or stated is None:
            continue
        expected = sum(parts)  # type: ignore[arg-type]
        if abs(expected - stated) > ctx.profile.tolerance:
            terms = " + ".join(f"{FUNDS_ROW_ZH[r]} {fmt(p)}" for r, p in zip(_PARTS, parts))
            ctx.report(
                ("funds", "total", col),
                f"年度资金总额的{FUNDS_COLUMN_ZH[col]}应为 {fmt(expected, stated)}（{terms}），表中为 {fmt(stated)}",
                f"total {col} should be {fmt(expected, stated)} (appropriation + carryover + other), the form states {fmt(stated)}",
                expected=fmt(expected, stated),
            )
