"""PS302 full-marks-missed: 没有达到年度指标值却得了满分

实际完成值没有达到年度指标值（按运算符 = ≥ ≤ > < 或区间判断，或实际完成值写的是
“部分达成指标 / 未达成指标”），得分却等于分值。要么扣分，要么说明理由。

通过 / passes::

    target: ≥95.00(%)
    actual: 96.00(%)
    weight: 5
    score: 5

不通过 / fails::

    target: ≥95.00(%)
    actual: 90.00(%)
    weight: 5
    score: 5
"""

from __future__ import annotations

from perfspec.check.rules._outcome import outcomes, show, show_target
from perfspec.check.rules.base import Context, fmt

CODE = "PS302"
NAME = "full-marks-missed"
SEVERITY = "warning"
SUMMARY = "没有达到年度指标值却得了满分"
SUMMARY_EN = "full marks although the target was missed"


def check(ctx: Context) -> None:
    for out in outcomes(ctx):
        ind = out.indicator
        if out.met is False and ind.weight and ind.score is not None and ind.score == ind.weight:
            ctx.report(
                ind.path + ("score",),
                f"“{ind.label}”没有达到年度指标值（指标值 {show_target(out)}；实际 {show(out.actual)}），却得了满分 {fmt(ind.score)}",
                f"'{ind.label}' missed its target ({show_target(out, 'en')}; actual {show(out.actual)}) yet scored full marks",
            )
