"""PS502 category-names: 一级、二级指标使用标准名称（政策）

标准名称：产出指标（数量指标、质量指标、时效指标、成本指标），效益指标（经济效益指标、
社会效益指标、生态效益指标、可持续影响指标），满意度指标（服务对象满意度指标）；
财预〔2021〕101号 起成本指标也可作一级指标。profile 可以加入本地名称
（shanghai 加入了管理者满意度指标）。其他名称照样接受，只是提醒复核是否写错。

通过 / passes::

    indicators:
      满意度指标:
        服务对象满意度指标: [...]

不通过 / fails::

    indicators:
      满意度指标:
        服务对像满意度指标: [...]
"""

from __future__ import annotations

from perfspec.rules.base import Context

CODE = "PS502"
NAME = "category-names"
SEVERITY = "warning"
SUMMARY = "一级、二级指标使用标准名称"
SUMMARY_EN = "level-1 and level-2 categories use the standard names"


def check(ctx: Context) -> None:
    known = ctx.profile.categories
    for level1, level2s in ctx.spec.categories:
        if level1 not in known:
            ctx.report(
                ("indicators", level1),
                f"一级指标“{level1}”不是{ctx.profile.title}的标准名称（{'、'.join(known)}）",
                f"level-1 category '{level1}' is not a standard name of {ctx.profile.title_en}",
                at_key=True,
            )
            continue
        for level2 in level2s:
            if level2 not in known[level1]:
                ctx.report(
                    ("indicators", level1, level2),
                    f"二级指标“{level2}”不是“{level1}”下的标准名称（{'、'.join(known[level1])}）",
                    f"level-2 category '{level2}' is not a standard name under '{level1}'",
                    at_key=True,
                )
