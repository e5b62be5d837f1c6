"""PS103 budget-score: 预算执行率得分 = 分值 × 执行率（超过 100% 按 100% 计），保留两位

执行率按 profile 的舍入方式取两位后再乘分值；表中未填得分时不检查。

通过 / passes::

    weight: 10
    total: {initial: 137.21, annual: 137.21, executed: 136.70}
    rate: 99.62
    score: 9.96

不通过 / fails::

    weight: 10
    total: {initial: 137.21, annual: 137.21, executed: 136.70}
    rate: 99.62
    score: 10
"""

from __future__ import annotations

from perfspec.form.derived import HUNDRED, accepted_rates, budget_scores, exact_rate
from perfspec.check.rules.base import Context, fmt

CODE = "PS103"
NAME = "budget-score"
SEVERITY = "error"
SUMMARY = "预算执行率得分 = 分值 × 执行率（封顶 100%），保留两位"
SUMMARY_EN = "budget score = weight × execution rate (capped at 100 %), to 2 decimals"


def check(ctx: Context) -> None:
    form = ctx.spec
    funds = form.funds
    if funds is None or not funds.stated("score"):
        return
    exact = exact_rate(form)
    if funds.weight is None or exact is None:
        if funds.score is not None:
            ctx.cannot(
                ("funds", "score"),
                "预算执行率的分值、全年预算数或全年执行数为空，无法核对得分",
                "the funds weight, annual budget or executed amount is blank",
            )
        return
    scores = budget_scores(funds.weight, exact, ctx.profile)
    if funds.score in scores:
        return
    rates = list(dict.fromkeys(accepted_rates(exact, ctx.profile).values()))
    shown = " 或 ".join(fmt(s) for s in scores)
    shown_rates = " 或 ".join(f"{fmt(r)}%" for r in rates)
    used = f"执行率 {shown_rates} 超过 100%，按 100% 计" if rates[0] > HUNDRED else f"执行率 {shown_rates}"
    if funds.score is None:
        ctx.report(
            ("funds", "score"),
            f"预算执行率得分一栏空白，应为 {shown}（分值 {fmt(funds.weight)} × {used}）",
            f"the budget score cell is blank; it should be {' or '.join(fmt(s) for s in scores)}",
            expected=fmt(scores[0]),
        )
        return
    ctx.report(
        ("funds", "score"),
        f"预算执行率得分应为 {shown}（分值 {fmt(funds.weight)} × {used}），表中为 {fmt(funds.score)}",
        f"budget score should be {' or '.join(fmt(s) for s in scores)} (weight {fmt(funds.weight)} × rate {fmt(min(rates[0], HUNDRED))} %), the form states {fmt(funds.score)}",
        expected=fmt(scores[0]),
    )
