"""PS202 adjustment-note: 年中调整了预算，要写明调整原因

年度资金总额的全年（调整后）预算数与年初预算数不同，说明年中调整过预算，应在
预算调整原因（funds.deviation，如四川 2023 表的“原因”一栏）写明为什么调整。
只看自评类的表（目标表和监控表上的年中变化另有规则）。由 profile 的 adjustment_note 开关（national 开启，shanghai 关闭：上海市级表格
没有这一栏）。这是供复核的提醒。

通过 / passes::

    total: {initial: 238.93, annual: 251.89, executed: 251.89}
    deviation: 年中追加人员经费 12.96 万元

不通过 / fails::

    total: {initial: 238.93, annual: 251.89, executed: 251.89}
"""

from __future__ import annotations

from perfspec.form.derived import has_real_note
from perfspec.check.rules.base import Context, fmt

CODE = "PS202"
NAME = "adjustment-note"
SEVERITY = "warning"
SUMMARY = "年中调整了预算，要写明调整原因"
SUMMARY_EN = "a budget adjusted during the year needs a reason"


def check(ctx: Context) -> None:
    form = ctx.spec
    funds = form.funds
    if not ctx.profile.adjustment_note or funds is None or not form.kind.actuals:
        return
    total = funds.rows.get(form.layout.total_row, {})
    initial, annual = total.get("initial"), total.get("annual")
    if initial is None or annual is None or initial == annual or has_real_note(funds.deviation, ctx.profile):
        return
    ctx.report(
        ("funds", form.layout.total_row),
        f"预算从年初的 {fmt(initial)} 调整为 {fmt(annual)}（{'增加' if annual > initial else '减少'} {fmt(abs(annual - initial))}），"
        "没有写明调整原因（funds.deviation）",
        f"the budget was adjusted from {fmt(initial)} to {fmt(annual)} with no reason given (funds.deviation)",
        at_key=True,
    )
