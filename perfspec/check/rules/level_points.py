"""PS109 level-points: 一级、二级指标表头写的分值 = 其下各行分值之和

表头常把分值写在名称里：`产出指标(50分)`、`数量指标(10分)`。这个分值就是该类
指标的分值，必须等于其下三级指标分值之和（整行“/”的不适用指标按 0 计）。

通过 / passes::

    indicators:
      产出指标(50分):
        数量指标: [{weight: 20, ...}, {weight: 30, ...}]

不通过 / fails::

    indicators:
      产出指标(50分):
        数量指标: [{weight: 20, ...}, {weight: 20, ...}]
"""

from __future__ import annotations

from perfspec.form.derived import has_weights, level1_subtotals, level2_subtotal
from perfspec.check.rules.base import Context, fmt

CODE = "PS109"
NAME = "level-points"
SEVERITY = "error"
SUMMARY = "表头写明的一级、二级指标分值 = 其下各行分值之和"
SUMMARY_EN = "points stated in a category caption equal the sum of its rows"


def check(ctx: Context) -> None:
    form = ctx.spec
    if not has_weights(form):
        return
    for sub in level1_subtotals(form):
        group = sub.group
        if group.points is not None and sub.weight is not None and sub.weight != group.points:
            ctx.report(
                ("indicators", group.key),
                f"“{group.name}”表头写明 {fmt(group.points)} 分，其下 {sub.rows} 行分值合计 {fmt(sub.weight)}，"
                f"{'多' if sub.weight > group.points else '少'} {fmt(abs(sub.weight - group.points))}：请核对是否漏填或多填了指标行",
                f"'{group.name}' states {fmt(group.points)} points in its caption but its {sub.rows} rows add up to {fmt(sub.weight)}",
                expected=fmt(group.points),
                at_key=True,
            )
        for child in group.children:
            if child.points is None:
                continue
            got = level2_subtotal(form, group.key, child.key)
            if got != child.points:
                ctx.report(
                    ("indicators", group.key, child.key),
                    f"“{child.name}”表头写明 {fmt(child.points)} 分，其下各行分值合计 {fmt(got)}",
                    f"'{child.name}' states {fmt(child.points)} points but its rows add up to {fmt(got)}",
                    expected=fmt(child.points),
                    at_key=True,
                )
