"""PS107 score-range: 得分不能超过分值

每个三级指标、预算执行率和总分都满足 0 ≤ 得分 ≤ 分值（负数由 PS010 报告）。

通过 / passes::

    weight: 10
    score: 10

不通过 / fails::

    weight: 10
    score: 12
"""

from __future__ import annotations

from perfspec.check.rules.base import Context, fmt

CODE = "PS107"
NAME = "score-range"
SEVERITY = "error"
SUMMARY = "得分不能超过分值"
SUMMARY_EN = "a score may not exceed its weight"


def check(ctx: Context) -> None:
    places = []
    funds = ctx.spec.funds
    if funds is not None:
        places.append((("funds", "score"), "预算执行率的得分", "the budget score", "分值", funds.weight, funds.score))
    for ind in ctx.spec.indicators:
        places.append((ind.path + ("score",), f"“{ind.label}”的得分", f"the score of '{ind.label}'", "分值", ind.weight, ind.score))
    places.append((("total", "score"), "总得分", "the total score", "总分值", ctx.spec.total_weight, ctx.spec.total_score))
    for path, what, what_en, of, weight, score in places:
        if score is not None and score == 0 and score.is_signed():
            # -0.00 passes "≥ 0" but no form prints a negative zero: a sign typed by mistake.
            ctx.report(path, f"{what}写成了 {fmt(score)}：得分不能带负号", f"{what_en} is written {fmt(score)}: a score has no sign", expected="0")
            continue
        if weight is not None and score is not None and score > weight:
            ctx.report(
                path,
                f"{what} {fmt(score)} 超过了{of} {fmt(weight)}",
                f"{what_en} {fmt(score)} exceeds its weight {fmt(weight)}",
                expected=f"≤ {fmt(weight)}",
            )
