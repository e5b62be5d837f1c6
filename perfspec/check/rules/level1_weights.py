"""PS501 level1-weights: 一级指标分值的分配符合 profile 的原则（政策）

全国原则（财预〔2020〕10号）：预算执行率 10，产出指标 50，效益指标 30，满意度指标 10，
可视项目情况调整，所以默认只是警告；shanghai profile 不检查（上海市级表格分配差别很大）。

一级指标的分值取表头写明的分值（`产出指标(50分)`），否则取其下各行分值之和。
版式没有分值栏时，只能从得分看：得分之和已超过原则分值，说明分配偏离了原则。
预算执行率不在资金部分计分（记作指标或不计分）的版式不核对预算执行率的分值；
使用较早的决策/管理/产出/效益框架或含评分细则部分的表，不适用这一原则。

通过 / passes (national): 预算执行率 10，产出 50，效益 30，满意度 10

不通过 / fails (national): 预算执行率 10，产出 55，效益 25，满意度 10
"""

from __future__ import annotations

from decimal import Decimal

from perfspec.form.derived import budget_in_funds, has_weights, level1_subtotals, scored, stated_points
from perfspec.check.rules.base import Context, fmt

CODE = "PS501"
NAME = "level1-weights"
SEVERITY = "warning"
SUMMARY = "一级指标分值的分配符合 profile 的原则"
SUMMARY_EN = "the level-1 weight split follows the profile's principle"

BUDGET = "预算执行率"


def check(ctx: Context) -> None:
    principle = ctx.profile.level1_weights
    form = ctx.spec
    if not principle or not scored(form):
        return
    layout = form.layout
    categories = [name for name in principle if name != BUDGET]
    if not all(name in layout.level1 for name in categories):
        return  # another framework: its own split, not this principle
    if any(group.name in layout.rubric for group in form.groups):
        return
    aliases = ctx.profile.level1_aliases
    title, title_en = ctx.profile.title, ctx.profile.title_en
    if BUDGET in principle and budget_in_funds(form) and form.funds is not None and form.funds.weight is not None:
        if form.funds.weight != principle[BUDGET]:
            ctx.report(
                ("funds", "weight"),
                f"预算执行率 {fmt(form.funds.weight)} 分，{title}的原则为 {fmt(principle[BUDGET])} 分（可按项目调整，请确认）",
                f"budget execution is worth {fmt(form.funds.weight)} points; the principle of {title_en} is {fmt(principle[BUDGET])}",
                expected=fmt(principle[BUDGET]),
            )
    weights = has_weights(form)
    seen: set[str] = set()
    for sub in level1_subtotals(form):
        name = aliases.get(sub.group.name, sub.group.name)
        if name not in principle or name == BUDGET:
            continue
        seen.add(name)
        expected = principle[name]
        if sub.group.points is not None or weights:
            got = stated_points(sub)
            if got is None or got == expected:
                continue
            ctx.report(
                ("indicators", sub.group.key),
                f"{sub.group.name} {fmt(got)} 分，{title}的原则为 {fmt(expected)} 分（可按项目调整，请确认）",
                f"{sub.group.name} is worth {fmt(got)} points; the principle of {title_en} is {fmt(expected)}",
                expected=fmt(expected),
                at_key=True,
            )
            continue
        # No 分值 column: the scores are a floor of the points each category carries.
        if sub.score is not None and sub.score > expected:
            rows = [ind for ind in form.indicators if ind.level1 == sub.group.key]
            path = rows[0].path + ("score",) if len(rows) == 1 else ("indicators", sub.group.key)
            ctx.report(
                path,
                f"{sub.group.name}得了 {fmt(sub.score)} 分，已超过{title}原则上的 {fmt(expected)} 分（表中没有分值栏，按得分看）",
                f"{sub.group.name} scored {fmt(sub.score)} points, above the {fmt(expected)} of {title_en}'s principle (no weight column: judged by the scores)",
                expected=fmt(expected),
                at_key=len(rows) != 1,
            )
    for name in categories:
        if name in seen or name not in principle:
            continue
        if name == "成本指标":
            continue  # a level-1 only since 财预〔2021〕101号; most forms keep cost under 产出
        ctx.report(
            ("indicators",),
            f"没有一级指标“{name}”，{title}的原则为 {fmt(principle[name])} 分（可按项目调整，请确认）",
            f"there is no level-1 category '{name}'; the principle of {title_en} is {fmt(principle[name])}",
            expected=fmt(principle[name]),
            at_key=True,
            key=name,
        )


__all__ = ["check", "Decimal"]
