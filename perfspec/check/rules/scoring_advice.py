"""PS401 scoring-advice: 扣分幅度与财预〔2020〕10号 的常用评分方法相符（建议）

只对没有达到指标值且扣了分的指标给出建议得分，供复核参考：

- 定量、越高越好（= ≥ >）：得分 = 分值 × 实际值 ÷ 指标值；
- 定量、越低越好（≤ <）：实际值不超过指标值得满分，否则
  得分 = 分值 × (1 − (实际值 − 指标值) ÷ 指标值)，实际值达到指标值两倍时为 0；
- 区间：低于下限按下限、高于上限按上限套用上面两式；
- 定性：达成 80–100%，部分达成 60–80%，未达成 0–60% 的分值（档次由 profile 规定）。

相差超过 profile 的 advice_tolerance 时给出提示，并写明建议得分和算式。

通过 / passes::

    target: ≥30.00(万)
    actual: 23.00(万)
    weight: 5
    score: 3.83

不通过 / fails::

    target: ≥30.00(万)
    actual: 23.00(万)
    weight: 5
    score: 4
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from perfspec.form.quantity import Kind
from perfspec.check.rules._outcome import Outcome, outcomes, show
from perfspec.check.rules.base import Context, fmt

CODE = "PS401"
NAME = "scoring-advice"
SEVERITY = "warning"
SUMMARY = "扣分幅度与常用评分方法相符（建议）"
SUMMARY_EN = "the deduction follows the usual scoring method (advice)"

_CENT = Decimal("0.01")


def _higher(weight: Decimal, actual: Decimal, target: Decimal) -> tuple[Decimal, str]:
    value = weight * actual / target
    return max(Decimal(0), min(weight, value)), f"{fmt(weight)} × {fmt(actual)} ÷ {fmt(target)}"


def _lower(weight: Decimal, actual: Decimal, target: Decimal) -> tuple[Decimal, str]:
    value = weight * (1 - (actual - target) / target)
    return max(Decimal(0), min(weight, value)), f"{fmt(weight)} × (1 − ({fmt(actual)} − {fmt(target)}) ÷ {fmt(target)})"


def advised(out: Outcome) -> tuple[Decimal, str] | None:
    """The advised score with its formula, or None where the method does not apply."""
    ind, t, a = out.indicator, out.target, out.actual
    weight = ind.weight
    if weight is None or t is None or a is None:
        return None
    value = out.actual_value
    if t.kind is Kind.QUANTITY and value is not None and t.value:
        if t.op in (">=", ">") or (t.op == "=" and value < t.value):
            return _higher(weight, value, t.value)
        if t.op in ("<=", "<") or (t.op == "=" and value > t.value):
            return _lower(weight, value, t.value)
    if t.kind is Kind.RANGE and value is not None and t.low and t.high:
        if value < t.low:
            return _higher(weight, value, t.low)
        if value > t.high:
            return _lower(weight, value, t.high)
    return None


def check(ctx: Context) -> None:
    tolerance = ctx.profile.advice_tolerance
    for out in outcomes(ctx):
        ind = out.indicator
        if ind.weight is None or ind.score is None:
            continue
        a = out.actual
        if a is not None and a.kind is Kind.ACHIEVEMENT and a.achievement in ctx.profile.qualitative_tiers:
            if a.achievement != "达成" and ind.score == ind.weight:
                continue  # full marks on a partial or missed result is PS302's finding
            low, high = ctx.profile.qualitative_tiers[a.achievement]
            lo, hi = ind.weight * low / 100, ind.weight * high / 100
            if not lo <= ind.score <= hi:
                ctx.report(
                    ind.path + ("score",),
                    f"“{ind.label}”{a.achievement}，通常得分在分值的 {fmt(low)}%–{fmt(high)}%（{fmt(lo)}–{fmt(hi)}），表中为 {fmt(ind.score)}",
                    f"'{ind.label}' is {a.achievement}: usually {fmt(low)}–{fmt(high)} % of the weight ({fmt(lo)}–{fmt(hi)}), the form states {fmt(ind.score)}",
                    expected=f"{fmt(lo)}–{fmt(hi)}",
                )
            continue
        if out.met is not False or ind.score >= ind.weight:
            continue  # full marks on a miss is PS302's finding
        advice = advised(out)
        if advice is None:
            continue
        value, formula = advice
        rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
        if abs(rounded - ind.score) > tolerance:
            ctx.report(
                ind.path + ("score",),
                f"“{ind.label}”按常用评分方法建议得分 {fmt(rounded)}（{formula}；指标值 {show(out.target)}，实际 {show(a)}），表中为 {fmt(ind.score)}",
                f"'{ind.label}': the usual method advises {fmt(rounded)} ({formula}), the form states {fmt(ind.score)}",
                expected=fmt(rounded),
            )
