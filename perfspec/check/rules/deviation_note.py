"""PS201 deviation-note: 扣了分的指标必须填写偏差原因分析及改进措施

凡得分低于分值（扣了分）的三级指标，都要在“偏差原因分析及改进措施”（deviation）
中说明为什么没有拿满分、准备怎么改进。只写“无”“无偏差”“/”之类的内容不算说明
（哪些写法不算由 profile 的 trivial_notes 规定）。

通过 / passes::

    - name: 故障响应及时率
      target: ≤5.00(分钟)
      actual: 5.00(分钟)
      weight: 10
      score: 8
      deviation: 个别故障在高峰期响应接近时限，已增加值班人员。

不通过 / fails::

    - name: 故障响应及时率
      target: ≤5.00(分钟)
      actual: 5.00(分钟)
      weight: 10
      score: 8
"""

from __future__ import annotations

from perfspec.form.derived import has_real_note
from perfspec.form.model import Indicator
from perfspec.profile import Profile
from perfspec.check.rules.base import Context, fmt

CODE = "PS201"
NAME = "deviation-note"
SEVERITY = "error"
SUMMARY = "扣了分的指标必须填写偏差原因分析及改进措施"
SUMMARY_EN = "an indicator that lost points needs a deviation note"


def has_note(indicator: Indicator, profile: Profile) -> bool:
    return has_real_note(indicator.deviation, profile)


def check(ctx: Context) -> None:
    for ind in ctx.spec.indicators:
        if ind.weight is None or ind.score is None or ind.score >= ind.weight:
            continue
        if has_note(ind, ctx.profile):
            continue
        lost = ind.weight - ind.score
        note = (ind.deviation or "").strip()
        if note:
            why_zh = f"偏差原因只写了“{note}”，不能说明扣分原因"
            why_en = f"; the deviation note only says '{note}', which explains nothing"
        else:
            why_zh = "但没有填写偏差原因分析及改进措施（deviation）"
            why_en = " but has no deviation note (偏差原因分析及改进措施)"
        ctx.report(
            ind.path,
            f"“{ind.label}”扣了 {fmt(lost)} 分（分值 {fmt(ind.weight)}，得分 {fmt(ind.score)}），{why_zh}",
            f"'{ind.label}' lost {fmt(lost)} points (weight {fmt(ind.weight)}, score {fmt(ind.score)}){why_en}",
        )
