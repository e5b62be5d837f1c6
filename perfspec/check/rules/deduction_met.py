"""PS303 deduction-met: 达到了年度指标值却扣了分

实际完成值达到了年度指标值（如 `≤5.00(分钟)` 实际 `5.00(分钟)`），得分却低于分值。
扣分的理由应当写进偏差原因，或者复核得分。定性指标写“达成指标”时，按常用档次
可得分值的 80%–100%，这个范围内的扣分不在此报告（见 PS401）。

通过 / passes::

    target: ≤5.00(分钟)
    actual: 5.00(分钟)
    weight: 10
    score: 10

不通过 / fails::

    target: ≤5.00(分钟)
    actual: 5.00(分钟)
    weight: 10
    score: 8
"""

from __future__ import annotations

from perfspec.form.quantity import Kind
from perfspec.check.rules._outcome import outcomes, show, show_target
from perfspec.check.rules.base import Context, fmt

CODE = "PS303"
NAME = "deduction-met"
SEVERITY = "warning"
SUMMARY = "达到了年度指标值却扣了分"
SUMMARY_EN = "points deducted although the target was met"


def check(ctx: Context) -> None:
    for out in outcomes(ctx):
        ind = out.indicator
        if not (out.met and ind.weight is not None and ind.score is not None and ind.score < ind.weight):
            continue
        a = out.actual
        if a is not None and a.kind is Kind.ACHIEVEMENT and a.achievement in ctx.profile.qualitative_tiers:
            low = ctx.profile.qualitative_tiers[a.achievement][0]
            if ind.score >= ind.weight * low / 100:
                continue  # 达成 earns 80–100 % of the weight by the usual tiers: a small deduction is allowed
        ctx.report(
            ind.path + ("score",),
            f"“{ind.label}”达到了年度指标值（指标值 {show_target(out)}；实际 {show(out.actual)}），却扣了 {fmt(ind.weight - ind.score)} 分",
            f"'{ind.label}' met its target ({show_target(out, 'en')}; actual {show(out.actual)}) yet lost {fmt(ind.weight - ind.score)} points",
            expected=fmt(ind.weight),
        )
