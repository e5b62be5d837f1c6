"""PS203 corrective-measures: 监控时判断“有可能”或“不可能”完成目标，要写明偏差原因和纠偏措施

绩效运行监控表中，完成目标可能性为“有可能”“不可能”或“完全不可能”的指标，必须在偏差原因
（deviation）和纠偏措施（measures）中写明为什么可能完不成、准备怎么纠正。只写“无”不算。

通过 / passes::

    likelihood: 有可能
    deviation: 招标延迟两个月
    measures: 已启动应急采购，9 月底前完成

不通过 / fails::

    likelihood: 有可能
    deviation: null
    measures: null
"""

from __future__ import annotations

from perfspec.form.derived import has_real_note
from perfspec.check.rules.base import Context

CODE = "PS203"
NAME = "corrective-measures"
SEVERITY = "warning"
SUMMARY = "监控时可能完不成目标的指标，要写明偏差原因和纠偏措施"
SUMMARY_EN = "a target at risk in monitoring needs a reason and corrective measures"

_AT_RISK = frozenset({"有可能", "不可能", "完全不可能"})


def check(ctx: Context) -> None:
    form = ctx.spec
    if form.kind.key != "monitoring":
        return
    label = form.layout.label
    for ind in form.indicators:
        likelihood = ind.raw.get("likelihood")
        if likelihood not in _AT_RISK:
            continue
        missing = [
            label("indicators", key)
            for key, value in (("deviation", ind.deviation), ("measures", ind.raw.get("measures")))
            if not has_real_note(value if isinstance(value, str) else None, ctx.profile)
        ]
        if missing:
            ctx.report(
                ind.path,
                f"“{ind.label}”完成目标可能性为“{likelihood}”，却没有写明{'和'.join(missing)}",
                f"'{ind.label}' may miss its target ({likelihood}) but gives no {' and '.join(missing)}",
            )
