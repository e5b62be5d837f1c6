"""PS306 indicator-unnamed: 三级指标的名称要说出衡量什么

三级指标名称只有数字、符号或编号（“88”“1.”“③”）时，读表的人不知道这一行衡量的是什么，
指标值“100”是 100 个、100 人还是 100%，也无从判断。这多半是模板的序号、分值或别的格的数
落进了名称一栏，或者名称根本没有填。请写出指标本身，如“新建村组道路长度”。

通过 / passes::

    - name: 新建村组道路长度
      target: ≥8.8公里

不通过 / fails::

    - name: "88"
      target: "100"
"""

from __future__ import annotations

import unicodedata

from perfspec.check.rules.base import Context

CODE = "PS306"
NAME = "indicator-unnamed"
SEVERITY = "warning"
SUMMARY = "三级指标名称只有数字或符号，说不出衡量什么"
SUMMARY_EN = "an indicator's name is only a number or symbols and names no measure"



def _names_something(text: str) -> bool:
    """A letter of some script (汉字, Latin …): digits, signs and circled numbers (③) name nothing."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def check(ctx: Context) -> None:
    rubric = ctx.spec.layout.rubric
    for ind in ctx.spec.indicators:
        name = ind.raw.get("name")
        if ind.not_applicable or ind.level1_name in rubric or name is None:
            continue
        text = str(name).strip()
        if text and not _names_something(text):
            ctx.report(
                ind.path + ("name",),
                f"三级指标名称只有“{text}”，说不出这一行衡量什么：请写出指标本身",
                f"the indicator's name is only '{text}': say what it measures",
            )
