"""PS502 category-names: 一级、二级指标使用标准名称（政策）

标准名称：产出指标（数量指标、质量指标、时效指标、成本指标），效益指标（经济效益指标、
社会效益指标、生态效益指标、可持续影响指标），满意度指标（服务对象满意度指标）；
财预〔2021〕101号 起成本指标也可作一级指标。profile 可以加入本地名称
（shanghai 加入了管理者满意度指标），版式也带着自己的名称（较早的
决策/管理/产出/效益 框架）。表头里的分值（`产出指标(50分)`）不是名称的一部分。
决策、管理这类评分细则（rubric）部分的二级名称各地不同，不检查。
其他名称照样接受，只是提醒复核是否写错。

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

from perfspec.check.rules.base import Context

CODE = "PS502"
NAME = "category-names"
SEVERITY = "warning"
SUMMARY = "一级、二级指标使用标准名称"
SUMMARY_EN = "level-1 and level-2 categories use the standard names"


def check(ctx: Context) -> None:
    layout = ctx.spec.layout
    known: dict[str, tuple[str, ...]] = dict(ctx.profile.categories)
    for name, children in layout.level1.items():
        known[name] = tuple(dict.fromkeys(known.get(name, ()) + children))
    aliases = ctx.profile.level1_aliases
    for group in ctx.spec.groups:
        name = group.name
        if name in layout.rubric:
            continue
        if name not in known:
            standard = "、".join(n for n in ctx.profile.categories)
            ctx.report(
                ("indicators", group.key),
                f"一级指标“{name}”不是{ctx.profile.title}的标准名称（{standard}）"
                + (f"，应为“{aliases[name]}”" if name in aliases else ""),
                f"level-1 category '{name}' is not a standard name of {ctx.profile.title_en}"
                + (f" (standard: '{aliases[name]}')" if name in aliases else ""),
                at_key=True,
            )
        children = known.get(name) or known.get(aliases.get(name, ""), ())
        if not children:
            continue
        for child in group.children:
            if child.name not in children:
                ctx.report(
                    ("indicators", group.key, child.key),
                    f"二级指标“{child.name}”不是“{name}”下的标准名称（{'、'.join(children)}）",
                    f"level-2 category '{child.name}' is not a standard name under '{name}'",
                    at_key=True,
                )
