"""PS205 half-year-pace: 判断“确定能”完成，但截至监控月份的完成进度已经让年末满分难以置信

绩效运行监控表中完成目标可能性写“确定能”的指标，按截至监控月份（`period`，1–N 月）的实际完成值复核：

- 目标是下限（≥、>、=，或未写符号而按“不低于”理解）的累计数量（如 2处、4.8万人；百分比不累计，不查）：
  完成进度（1–N月实际完成值 ÷ 指标值）低于按月份折算的应有进度（N ÷ 12）的 profile `monitoring.pace_min`
  （national：50%）时报告。1–6 月完成不到全年目标的 25%，“确定能”就需要说明依据；
- 目标是上限（≤、<，成本指标未写符号时按“不超过”理解）的数量：截至监控月份已经超过上限，年末不可能达成。

写“有可能”“不可能”的指标由 PS203 要求写明原因和措施，这里不查。

通过 / passes::

    period: 6
    - {name: 遗产点环境整治处数, target: 4处, to_date: 2处, likelihood: 确定能}     # 50% ≥ 25%

不通过 / fails::

    period: 6
    - {name: 遗产点环境整治处数, target: 8处, to_date: 1处, likelihood: 确定能}     # 12.5% < 25%
    - {name: 项目总成本, target: ≤220万元, to_date: 230万元, likelihood: 确定能}    # already over
"""

from __future__ import annotations

from decimal import Decimal

from perfspec.check.rules._outcome import outcome
from perfspec.check.rules.base import Context
from perfspec.form.derived import HUNDRED, quantize
from perfspec.form.quantity import Kind, units_agree

CODE = "PS205"
NAME = "half-year-pace"
SEVERITY = "warning"
SUMMARY = "监控时判断“确定能”完成，但截至监控月份的完成进度让年末达成难以置信"
SUMMARY_EN = "judged certain to be met, but the progress to date makes meeting the target by year end implausible"

SURE = "确定能"
MONTHS = Decimal(12)


def check(ctx: Context) -> None:
    form = ctx.spec
    if form.kind.key != "monitoring":
        return
    period = form.has.get("period")
    months = Decimal(period) if isinstance(period, int) and not isinstance(period, bool) and 1 <= period < 12 else None
    pace_min = ctx.profile.pace_min
    for ind in form.indicators:
        if ind.raw.get("likelihood") != SURE:
            continue
        # The to-date cell read as the actual: outcome() assumes the direction of a target without an operator.
        out = outcome(ind._replace(actual=ind.raw.get("to_date")))
        target, done = out.target, out.actual
        if target is None or done is None or target.kind is not Kind.QUANTITY or done.kind is not Kind.QUANTITY:
            continue
        if target.value is None or done.value is None or not units_agree(target.unit, done.unit):
            continue
        if (target.unit or "") == "%" or (done.unit or "") == "%":
            continue  # a rate to date is not a share of the year's target
        to_date_label = form.layout.label("indicators", "to_date").replace("N", str(period) if months else "N")
        if target.op in ("<=", "<"):
            over = done.value > target.value if target.op == "<=" else done.value >= target.value
            if over:
                ctx.report(
                    ind.path + ("to_date",),
                    f"“{ind.label}”判断为“{SURE}”，但{to_date_label} {done.text} 已超过指标值 {target.text}：年末不可能达成",
                    f"'{ind.label}' is judged certain, but the actual to date {done.text} already exceeds the ceiling {target.text}",
                )
            continue
        if target.op not in (">=", ">", "=") or months is None or pace_min is None or target.value <= 0:
            continue
        share = done.value / target.value * HUNDRED
        due = months / MONTHS * HUNDRED  # the pro-rata share of the months monitored
        floor = due * pace_min / HUNDRED
        if share < floor:
            ctx.report(
                ind.path + ("to_date",),
                f"“{ind.label}”判断为“{SURE}”，但 1–{period} 月只完成 {done.text}，是指标值 {target.text} 的 "
                f"{quantize(share, 'half_up')}%，不到按月份折算的 {quantize(due, 'half_up')}% 的 {_plain(pace_min)}%"
                f"（{quantize(floor, 'half_up')}%，profile {ctx.profile.name}）：请说明年末满分的依据，或改为“有可能”并写明纠偏措施",
                f"'{ind.label}' is judged certain, but months 1–{period} reached {done.text}, {quantize(share, 'half_up')}% "
                f"of the target {target.text}, under {_plain(pace_min)}% of the pro-rata {quantize(due, 'half_up')}% "
                f"({quantize(floor, 'half_up')}%, profile {ctx.profile.name})",
            )


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
