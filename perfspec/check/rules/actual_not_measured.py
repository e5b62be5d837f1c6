"""PS305 actual-not-measured: 实际完成值要写实际测得的结果，而不是照抄指标值

下面三种写法都说明没有真正填写实际完成值，请复核：

- 实际完成值带着比较符号（“≥266米”“≥90%”）：这是年度指标值的写法，实际值应是一个数；
- 年度指标值和实际完成值都只写了这一行的分值（12.5 / 12.5，分值 12.5）；
- 定量的年度指标值（≥50个）配了文字的实际完成值（“达成预期指标”“达成指标”）。

通过 / passes::

    target: ≥266米
    actual: 270米

不通过 / fails::

    target: ≥266米
    actual: ≥266米
"""

from __future__ import annotations

from perfspec.form.quantity import Kind
from perfspec.check.rules._outcome import outcomes
from perfspec.check.rules.base import Context, fmt

CODE = "PS305"
NAME = "actual-not-measured"
SEVERITY = "warning"
SUMMARY = "实际完成值照抄了指标值，或定量指标只写了文字结论"
SUMMARY_EN = "the actual copies the target, or a numeric target has only a verbal actual"

# "Nothing happened" is an answer (a miss, for the other rules), not a verbal claim of success.
_NOTHING = frozenset({"无", "/", "／", "-", "—", "——", "0"})


def check(ctx: Context) -> None:
    for out in outcomes(ctx):
        ind = out.indicator
        target, actual = out.target, out.actual
        if actual is None or ind.level1_name in ctx.spec.layout.rubric:
            continue
        path = ind.path + ("actual",)
        if actual.kind is Kind.QUANTITY and actual.op in (">=", "<=", ">", "<"):
            ctx.report(
                path,
                f"“{ind.label}”的实际完成值“{actual.text}”带着比较符号，是年度指标值的写法：请填写实际测得的数值",
                f"'{ind.label}': the actual '{actual.text}' carries an operator, as a target does: write the measured value",
            )
            continue
        if (
            ind.weight is not None
            and actual.kind is Kind.QUANTITY
            and actual.unit is None
            and actual.value == ind.weight
            and target is not None
            and target.kind is Kind.QUANTITY
            and target.unit is None
            and target.value == ind.weight
        ):
            ctx.report(
                path,
                f"“{ind.label}”的年度指标值和实际完成值都只写了这一行的分值 {fmt(ind.weight)}：没有指标值，也没有实际完成值",
                f"'{ind.label}': target and actual both hold the row's weight {fmt(ind.weight)}: neither is a value",
            )
            continue
        if (
            target is not None
            and target.kind in (Kind.QUANTITY, Kind.RANGE)
            and actual.kind in (Kind.QUALITATIVE, Kind.ACHIEVEMENT)
            and actual.text.strip() not in _NOTHING
        ):
            ctx.report(
                path,
                f"“{ind.label}”的年度指标值是定量的（{target.text}），实际完成值却只写了“{actual.text}”：请填写实际完成的数量",
                f"'{ind.label}' has a numeric target ({target.text}) but the actual only says '{actual.text}'",
            )
