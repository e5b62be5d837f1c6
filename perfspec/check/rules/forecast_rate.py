"""PS204 forecast-rate: 监控表预计全年执行率低于 profile 的下限

绩效运行监控表的“全年预计执行数”除以全年预算数（表中没有全年预算数一栏时除以年初预算数），是单位自己
预计的年末预算执行率。低于 profile 的 `monitoring.forecast_rate_min`（national：90%）时，年末的预算执行率
多半要扣分：监控表应当写明原因和措施，请复核。全年预计执行数空白的是 PS013 的事，这里不报。

通过 / passes::

    kind: monitoring
    funds:
      total: {initial: 220.00, annual: 220.00, to_date: 87.57, forecast: 210.00}   # 95.45%

不通过 / fails::

    kind: monitoring
    funds:
      total: {initial: 220.00, annual: 220.00, to_date: 87.57, forecast: 180.00}   # 81.82% < 90%
"""

from __future__ import annotations

from decimal import Decimal

from perfspec.check.rules.base import Context
from perfspec.form.derived import HUNDRED, forecast_rate, quantize

CODE = "PS204"
NAME = "forecast-rate"
SEVERITY = "warning"
SUMMARY = "监控表的预计全年执行率（全年预计执行数 ÷ 预算数）低于 profile 的下限"
SUMMARY_EN = "a monitoring form's expected full-year rate (forecast ÷ budget) is under the profile's minimum"


def check(ctx: Context) -> None:
    form = ctx.spec
    minimum = ctx.profile.forecast_rate_min
    if form.kind.key != "monitoring" or minimum is None:
        return
    basis = forecast_rate(form)
    if basis is None:
        return
    rate = basis.executed / basis.budget * HUNDRED
    if rate >= minimum:
        return
    budget_zh, forecast_zh = (
        col.zh if col is not None else key
        for key, col in ((basis.column, form.layout.funds_column(basis.column)), ("forecast", form.layout.funds_column("forecast")))
    )
    shown = quantize(rate, "half_up")
    ctx.report(
        ("funds", form.layout.total_row, "forecast"),
        f"预计全年执行率 {shown}%（{forecast_zh} {basis.executed} ÷ {budget_zh} {basis.budget}）低于 "
        f"{_plain(minimum)}%（profile {ctx.profile.name}）：年末预算执行率将扣分，请写明原因和措施",
        f"the expected full-year rate is {shown}% (forecast {basis.executed} ÷ budget {basis.budget}), under the "
        f"{_plain(minimum)}% of profile {ctx.profile.name}: budget execution will lose points at year end",
    )


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
