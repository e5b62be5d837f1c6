"""PS101 funds-sum: 年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金

年初预算数、全年预算数、全年执行数三栏分别检查，按十进制精确计算。资金来源的
行名和栏目由版式（layout）规定，如四川 2023 的财政资金 / 财政专户管理资金 /
单位资金 / 其他资金。未使用的来源行留空时按 0 计（消息会说明）；某一栏所有
来源都留空时，表中没有分项，不核对。

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

from perfspec.form.derived import funds_sums
from perfspec.check.rules.base import Context, fmt

CODE = "PS101"
NAME = "funds-sum"
SEVERITY = "error"
SUMMARY = "年度资金总额 = 各资金来源之和（每一栏）"
SUMMARY_EN = "total funds = the sum of the funding sources, in every column"


def check(ctx: Context) -> None:
    layout = ctx.spec.layout
    total = layout.funds_row(layout.total_row)
    total_zh = total.zh if total else "年度资金总额"

    def row_zh(key: str) -> str:
        field = layout.funds_row(key)
        return field.short if field else key

    def column_zh(key: str) -> str:
        field = layout.funds_column(key)
        return field.zh if field else layout.label("funds", key)

    for found in funds_sums(ctx.spec):
        if abs(found.expected - found.stated) <= ctx.profile.tolerance:
            continue
        terms = " + ".join(f"{row_zh(r)} {fmt(v) if v is not None else '（空，按 0 计）'}" for r, v in found.parts)
        terms_en = " + ".join(f"{r} {fmt(v) if v is not None else '(blank, counted 0)'}" for r, v in found.parts)
        ctx.report(
            ("funds", layout.total_row, found.column),
            f"{total_zh}的{column_zh(found.column)}应为 {fmt(found.expected, found.stated)}（{terms}），表中为 {fmt(found.stated)}",
            f"total {found.column} should be {fmt(found.expected, found.stated)} ({terms_en}), the form states {fmt(found.stated)}",
            expected=fmt(found.expected, found.stated),
        )
