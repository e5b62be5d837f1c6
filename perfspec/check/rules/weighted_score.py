"""PS110 weighted-score: 三栏计分的版式中，折算得分 = 单项得分 × 权重 ÷ 100

有的预算系统导出的自评表有三栏得分：单项指标得分（满分 100）| 权重占比（%）|
单项指标折算得分。折算得分必须等于单项得分 × 权重 ÷ 100（保留两位）。

通过 / passes::

    raw_score: 100
    weight: 25
    score: 25

不通过 / fails (权重被当作单项得分又乘了一次)::

    raw_score: 25
    weight: 25
    score: 25
"""

from __future__ import annotations

from perfspec.form.derived import quantize, weighted_score
from perfspec.check.rules.base import Context, fmt

CODE = "PS110"
NAME = "weighted-score"
SEVERITY = "error"
SUMMARY = "折算得分 = 单项得分 × 权重 ÷ 100"
SUMMARY_EN = "weighted score = raw score × weight ÷ 100"


def check(ctx: Context) -> None:
    for ind in ctx.spec.indicators:
        expected = weighted_score(ind)
        if expected is None or ind.score is None:
            continue
        accepted = {quantize(expected, m) for m in ctx.profile.score_rounding}
        if ind.score in accepted or ind.score == expected:
            continue
        shown = fmt(quantize(expected, ctx.profile.score_rounding[0]))
        ctx.report(
            ind.path + ("score",),
            f"“{ind.label}”的折算得分应为 {shown}（单项得分 {fmt(ind.raw_score)} × 权重 {fmt(ind.weight)}% ），表中为 {fmt(ind.score)}",
            f"'{ind.label}': weighted score should be {shown} (raw {fmt(ind.raw_score)} × weight {fmt(ind.weight)} %), the form states {fmt(ind.score)}",
            expected=shown,
        )
