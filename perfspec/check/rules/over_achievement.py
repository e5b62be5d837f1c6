"""PS402 over-achievement: 大幅超额完成需要说明（指标值是否定得过低）

实际值达到指标值的若干倍（profile 的 over_achievement，全国默认 1.5 倍；广西要求
130% 起说明）时，往往说明年度指标值定得过低，应在偏差原因中说明。
只写“无偏差”不算说明。

通过 / passes::

    target: ≥84.00(批次)
    actual: 394.00(批次)
    deviation: 当年异常项目集中出现，已据此调高下一年度指标值。

不通过 / fails::

    target: ≥84.00(批次)
    actual: 394.00(批次)
    deviation: 无偏差
"""

from __future__ import annotations

from decimal import Decimal

from perfspec.form.quantity import Kind
from perfspec.check.rules._outcome import outcomes, show
from perfspec.check.rules.base import Context, fmt
from perfspec.check.rules.deviation_note import has_note

CODE = "PS402"
NAME = "over-achievement"
SEVERITY = "warning"
SUMMARY = "大幅超额完成需要在偏差原因中说明"
SUMMARY_EN = "a large over-achievement needs a note (was the target set too low?)"


def check(ctx: Context) -> None:
    threshold = ctx.profile.over_achievement
    if threshold is None:
        return
    for out in outcomes(ctx):
        t, value = out.target, out.actual_value
        if t is None or value is None or t.kind is not Kind.QUANTITY or not t.value or t.value < 0:
            continue
        if t.op not in (">=", ">", "="):
            continue
        ratio = value / t.value
        if ratio >= threshold and not has_note(out.indicator, ctx.profile):
            ctx.report(
                out.indicator.path + ("actual",),
                f"“{out.indicator.label}”实际完成 {show(out.actual)}，是年度指标值 {show(t)} 的 {fmt((ratio * 100).quantize(Decimal(1)))}%"
                f"（达到或超过 {fmt((threshold * 100).normalize())}%）：指标值是否定得过低？请在偏差原因中说明",
                f"'{out.indicator.label}' achieved {fmt((ratio * 100).quantize(Decimal(1)))} % of its target "
                f"(at or above {fmt((threshold * 100).normalize())} %): was the target set too low? Explain it in the deviation note",
            )
