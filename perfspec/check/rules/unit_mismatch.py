"""PS304 unit-mismatch: 年度指标值和实际完成值的单位一致

`≥30.00(万)` 与 `23.00(万)` 可以比较；`≤5.00(分钟)` 与 `5.00(小时)` 不能。
单位不一致时达成情况无从判断。

通过 / passes::

    target: ≤5.00(分钟)
    actual: 4.00(分钟)

不通过 / fails::

    target: ≤5.00(分钟)
    actual: 4.00(小时)
"""

from __future__ import annotations

from perfspec.form.quantity import Kind, units_agree
from perfspec.check.rules._outcome import outcomes
from perfspec.check.rules.base import Context

CODE = "PS304"
NAME = "unit-mismatch"
SEVERITY = "warning"
SUMMARY = "年度指标值和实际完成值的单位一致"
SUMMARY_EN = "target and actual use the same unit"

_NUMERIC = (Kind.QUANTITY, Kind.RANGE)


def check(ctx: Context) -> None:
    for out in outcomes(ctx):
        t, a = out.target, out.actual
        if t is None or a is None or t.kind not in _NUMERIC or a.kind not in _NUMERIC:
            continue
        if not units_agree(t.unit, a.unit):
            ctx.report(
                out.indicator.path + ("actual",),
                f"“{out.indicator.label}”的单位不一致：年度指标值用“{t.unit}”，实际完成值用“{a.unit}”",
                f"'{out.indicator.label}': the target is in '{t.unit}' but the actual value in '{a.unit}'",
            )
