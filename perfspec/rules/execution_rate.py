"""PS102 execution-rate: 执行率 = 全年执行数 ÷ 全年预算数（年度资金总额行），保留两位

舍入方式由 profile 决定：shanghai 截断（47.37 ÷ 47.59 = 99.537… 记为 99.53），
national 截断或四舍五入均可。表中未填执行率时不检查（`perfspec fix` 会填上）。

通过 / passes::

    total: {initial: 47.59, annual: 47.59, executed: 47.37}
    rate: 99.53

不通过 / fails::

    total: {initial: 137.21, annual: 137.21, executed: 136.70}
    rate: 99.72
"""

from __future__ import annotations

from decimal import Decimal

from perfspec.profile import ROUNDING_EN, ROUNDING_ZH, Profile, quantize
from perfspec.model import Funds
from perfspec.rules.base import Context, approx, fmt

CODE = "PS102"
NAME = "execution-rate"
SEVERITY = "error"
SUMMARY = "执行率 = 全年执行数 ÷ 全年预算数，按 profile 的方式保留两位"
SUMMARY_EN = "execution rate = executed ÷ annual budget, to 2 decimals as the profile rounds"


def exact_rate(funds: Funds) -> Decimal | None:
    executed = funds.rows["total"]["executed"]
    annual = funds.rows["total"]["annual"]
    if executed is None or annual is None or annual == 0:
        return None
    return executed / annual * 100


def accepted_rates(exact: Decimal, profile: Profile) -> dict[str, Decimal]:
    return {method: quantize(exact, method) for method in profile.rate_rounding}


def check(ctx: Context) -> None:
    funds = ctx.spec.funds
    if funds is None or funds.rate is None:
        return
    exact = exact_rate(funds)
    if exact is None:
        ctx.cannot(
            ("funds", "rate"),
            "年度资金总额的全年预算数或全年执行数为空（或预算为 0），无法核对执行率",
            "the total row's annual budget or executed amount is blank (or the budget is 0)",
        )
        return
    accepted = accepted_rates(exact, ctx.profile)
    if funds.rate in accepted.values():
        return
    executed, annual = funds.rows["total"]["executed"], funds.rows["total"]["annual"]
    first = next(iter(accepted.values()))
    values = list(dict.fromkeys(accepted.values()))
    # 99.53 或 99.54（47.37 ÷ 47.59 = 99.537…，截断或四舍五入两位）
    methods_zh = "或".join(ROUNDING_ZH[m].replace("两位", "") for m in accepted) + "两位"
    methods_en = " or ".join(ROUNDING_EN[m].replace(" to 2 decimals", "") for m in accepted) + " to 2 decimals"
    options_zh = f"{' 或 '.join(fmt(v) for v in values)}（{fmt(executed)} ÷ {fmt(annual)} = {approx(exact)}，{methods_zh}）"
    options_en = f"{' or '.join(fmt(v) for v in values)} ({fmt(executed)} ÷ {fmt(annual)} = {approx(exact)}, {methods_en})"
    ctx.report(
        ("funds", "rate"),
        f"执行率应为 {options_zh}，表中为 {fmt(funds.rate)}",
        f"execution rate should be {options_en}, the form states {fmt(funds.rate)}",
        expected=fmt(first),
    )
