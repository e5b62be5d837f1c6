"""PS106 grade-band: 评分等级与总得分所在的档次一致

档次由 profile 规定（全国：优 ≥90，良 80–<90，中 60–<80，差 <60）。
以表中的总得分为准；未写总分时按逐项合计。

通过 / passes::

    total: {weight: 100.00, score: 97.96}
    grade: 优

不通过 / fails::

    total: {weight: 100.00, score: 85.50}
    grade: 优
"""

from __future__ import annotations

from decimal import Decimal

from perfspec.check.rules.base import Context, fmt
from perfspec.form.derived import grade_for, points_sum

CODE = "PS106"
NAME = "grade-band"
SEVERITY = "error"
SUMMARY = "评分等级与总得分所在档次一致"
SUMMARY_EN = "the grade matches the band of the total score"


def check(ctx: Context) -> None:
    grade = ctx.spec.grade
    if not isinstance(grade, str) or grade not in {g for g, _ in ctx.profile.grades}:
        return  # blank, or not a grade at all (PS010 says so)
    total = ctx.spec.total_score
    if total is None:
        total = points_sum(ctx.spec, "score").value
    if total is None:
        ctx.cannot(("grade",), "总得分为空，无法核对评分等级", "the total score is blank")
        return
    expected = grade_for(total, ctx.profile)
    if expected != grade:
        ctx.report(
            ("grade",),
            f"评分等级应为 {expected}（总得分 {fmt(total, Decimal('0.00'))}；{ctx.profile.band_text()}），表中为 {grade}",
            f"grade should be {expected} (total score {fmt(total)}), the form states {grade}",
            expected=expected,
        )
