"""PS503 budget-scored-twice: 预算执行率已在资金一栏计分，不应再作为三级指标计分（政策）

财预〔2020〕10号的自评表在“年度资金”一栏按执行率为预算执行给分（一般 10 分）。再在绩效指标里设一个
“预算执行率”“资金执行率”三级指标并给分，同一件事就得了两次分，其他指标的分值被挤占。较早的
决策/管理/产出/效益框架把预算执行率放在“管理”的评分细则里、资金一栏不计分，不在此列。

通过 / passes::

    funds:
      weight: 10
      score: 10
    indicators:
      产出指标:
        数量指标:
          - {name: 维修市民中心空调, target: ≥12台, actual: 12台, weight: 20, score: 20}

不通过 / fails::

    funds:
      weight: 10
      score: 10
    indicators:
      产出指标:
        数量指标:
          - {name: 预算执行率, target: 100%, actual: 83.5%, weight: 20, score: 16.7}
"""

from __future__ import annotations

import functools
import re
import unicodedata

from perfspec.check.rules.base import Context, fmt

CODE = "PS503"
NAME = "budget-scored-twice"
SEVERITY = "warning"
SUMMARY = "预算执行率只在资金一栏计分，不再作为三级指标计分"
SUMMARY_EN = "budget execution is scored once, in the funds block, not again as an indicator"

# The indicator is budget execution itself (预算执行率, 项目资金执行率, 预算资金支出率 …), not a rate of
# carrying out something else (储备粮管理制度严格执行率).
_BUDGET_RATE = re.compile(r"(项目)?(预算|资金|预算资金|财政资金)+(执行|支出|使用)(率|进度)")


@functools.lru_cache(maxsize=4096)  # asked of every scored row; the same names recur in every form
def _is_budget_rate(name: str) -> bool:
    return _BUDGET_RATE.fullmatch(re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))) is not None


def check(ctx: Context) -> None:
    form = ctx.spec
    funds = form.funds
    if funds is None or not funds.weight:  # the funds block scores nothing: budget execution may be an indicator
        return
    for ind in form.indicators:
        if ind.level1_name in form.layout.rubric or not ind.name or not ind.weight:
            continue
        if _is_budget_rate(ind.name):
            ctx.report(
                ind.path + ("name",),
                f"“{ind.name}”作为三级指标计了 {fmt(ind.weight)} 分，而预算执行率已在资金一栏计 {fmt(funds.weight)} 分："
                "同一件事计分两次，请把这一行的分值给产出或效益指标",
                f"'{ind.name}' is scored {fmt(ind.weight)} points as an indicator although the funds block already "
                f"scores budget execution ({fmt(funds.weight)} points): the same thing is scored twice",
                key=ind.name,
            )
