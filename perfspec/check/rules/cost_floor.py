"""PS307 cost-floor: 成本指标的指标值是上限（≤），不是下限（≥）

成本指标管住花费：“≤65万元”“每平方米不超过210元”。写成“≥5万元”“>1600元/亩”时，花得越多越
“达标”，目标反而鼓励多花钱，这通常是照着数量指标的写法填错了符号。只看写明了“≥”或“>”、
单位是金额（元、万元，或“元/亩”这样的单价）的成本指标；没写符号的成本指标本来就按上限理解。

通过 / passes::

    成本指标:
      - name: 沥青路面维修单价
        target: ≤210元/平方米

不通过 / fails::

    成本指标:
      - name: 项目成本
        target: ≥5万元
"""

from __future__ import annotations

from perfspec.check.rules._outcome import outcomes
from perfspec.check.rules.base import Context
from perfspec.form.quantity import Kind

CODE = "PS307"
NAME = "cost-floor"
SEVERITY = "warning"
SUMMARY = "成本指标的指标值写成了下限（≥），应为上限（≤）"
SUMMARY_EN = "a cost indicator's target is a floor (≥) where a cap (≤) is meant"

_MONEY = ("元", "万元", "千元", "百万元", "亿元")


def _money(unit: str | None) -> bool:
    """元, 万元, and prices: 元/亩, 万元/公里."""
    return unit is not None and unit.split("/")[0] in _MONEY


def check(ctx: Context) -> None:
    for out in outcomes(ctx):
        ind, target = out.indicator, out.target
        if ind.not_applicable or ("成本" not in ind.level2_name and "成本" not in ind.level1_name):
            continue
        if target is None or target.kind is not Kind.QUANTITY or target.implied or target.op not in (">=", ">"):
            continue
        if _money(target.unit):
            ctx.report(
                ind.path + ("target",),
                f"成本指标“{ind.label}”的指标值“{target.text}”是下限：花得越多越达标。成本指标应写上限，如“≤{target.value}{target.unit}”",
                f"the cost indicator '{ind.label}' has the floor '{target.text}': spending more meets it; "
                f"a cost target is a cap, e.g. '≤{target.value}{target.unit}'",
            )
