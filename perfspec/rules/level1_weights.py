"""PS501 level1-weights: 一级指标分值的分配符合 profile 的原则（政策）

全国原则（财预〔2020〕10号）：预算执行率 10，产出指标 50，效益指标 30，满意度指标 10，
可视项目情况调整，所以默认只是警告；shanghai profile 不检查（上海市级表格分配差别很大）。

通过 / passes (national): 预算执行率 10，产出 50，效益 30，满意度 10

不通过 / fails (national): 预算执行率 10，产出 55，效益 25，满意度 10
"""

from __future__ import annotations

from decimal import Decimal

from perfspec.rules.base import Context, fmt

CODE = "PS501"
NAME = "level1-weights"
SEVERITY = "warning"
SUMMARY = "一级指标分值的分配符合 profile 的原则"
SUMMARY_EN = "the level-1 weight split follows the profile's principle"

BUDGET = "预算执行率"


def check(ctx: Context) -> None:
    principle = ctx.profile.level1_weights
    if not principle:
        return
    actual: dict[str, Decimal] = {}
    funds = ctx.spec.funds
    if funds is not None and funds.weight is not None:
        actual[BUDGET] = funds.weight
    for ind in ctx.spec.indicators:
        if ind.weight is not None:
            actual[ind.level1] = actual.get(ind.level1, Decimal(0)) + ind.weight
    for name, expected in principle.items():
        got = actual.get(name, Decimal(0))
        if got == expected:
            continue
        present = name == BUDGET or any(level1 == name for level1, _ in ctx.spec.categories)
        path = ("funds", "weight") if name == BUDGET else ("indicators", name) if present else ("indicators",)
        said = f"{name}合计 {fmt(got)} 分" if present else f"没有一级指标“{name}”"
        ctx.report(
            path,
            f"{said}，{ctx.profile.title}的原则为 {fmt(expected)} 分（可按项目调整，请确认）",
            f"{name} totals {fmt(got)} points; the principle of {ctx.profile.title_en} is {fmt(expected)}",
            expected=fmt(expected),
            at_key=name != BUDGET,
        )
