"""PS301 unreadable-value: 年度指标值和实际完成值要能读懂

perfspec 把指标值读成（运算符，数值，单位）：`=100.00(%)`、`≥6816.00(批次)`、
`≤5.00(分钟)`、`5000-6000 卷`、`30 万页`，实际完成值还可以是“达成指标 / 部分达成指标 /
未达成指标”，其他文字按定性指标处理。看起来像数值却读不出来的（如只有“≥”、
`1.2.3%`）会被指出，不会被猜测。

通过 / passes::

    target: ≥95.00(%)
    actual: 100.00(%)

不通过 / fails::

    target: ≥
    actual: 100.00(%)
"""

from __future__ import annotations

from perfspec.form.quantity import Kind
from perfspec.check.rules._outcome import outcomes
from perfspec.check.rules.base import Context

CODE = "PS301"
NAME = "unreadable-value"
SEVERITY = "warning"
SUMMARY = "年度指标值和实际完成值要能读懂"
SUMMARY_EN = "targets and actual values must be readable"


def check(ctx: Context) -> None:
    for out in outcomes(ctx):
        for key, q, zh in (("target", out.target, "年度指标值"), ("actual", out.actual, "实际完成值")):
            if q is not None and q.kind is Kind.INVALID:
                ctx.report(
                    out.indicator.path + (key,),
                    f"“{out.indicator.label}”的{zh}“{q.text}”无法识别：{q.problem}",
                    f"'{out.indicator.label}': the {key} '{q.text}' cannot be read: {q.problem_en}",
                )
