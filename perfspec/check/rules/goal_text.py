"""PS014 goal-text: 年度总体目标要写目标，不能只写金额

“年度总体目标”两栏（预期目标、实际完成情况）应写明要做成什么、做成了什么。
只写了一个数（如预算金额 43.2 和执行数 37.24）的格子说明目标没有填写。

通过 / passes::

    goals:
      expected: 完成办公楼暖通改造，冬季室温达到 18℃ 以上
      achieved: 改造已完工并通过验收

不通过 / fails::

    goals:
      expected: "43.2"
      achieved: "37.24"
"""

from __future__ import annotations

import re
import unicodedata

from perfspec.check.rules.base import Context

CODE = "PS014"
NAME = "goal-text"
SEVERITY = "warning"
SUMMARY = "年度总体目标写了目标，而不是只写金额"
SUMMARY_EN = "the annual goals state goals, not only amounts"

_ONLY_NUMBER = re.compile(r"[0-9.,，%万元\s]+")


def check(ctx: Context) -> None:
    goals = ctx.spec.has.get("goals")
    if not isinstance(goals, dict):
        return
    for field in ctx.spec.layout.goals:
        value = goals.get(field.key)
        if isinstance(value, bool) or value is None:
            continue
        shown = unicodedata.normalize("NFKC", str(value)).strip()
        if shown and _ONLY_NUMBER.fullmatch(shown):
            ctx.report(
                ("goals", field.key),
                f"“{field.zh}”只写了“{shown}”，没有写明目标内容",
                f"the goal cell {field.en} only says '{shown}', no goal",
            )
