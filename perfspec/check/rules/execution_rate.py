"""PS102 execution-rate: 执行率 = 全年执行数 ÷ 全年预算数（年度资金总额行），保留两位

舍入方式由 profile 决定：shanghai 截断（47.37 ÷ 47.59 = 99.537… 记为 99.53），
national 截断或四舍五入均可。执行率可写成 99.62、“99.62%”，或写成比值 1（= 100%）；
没有全年预算数一栏的版式按年初预算数计算（表中的 B/A）。年度资金总额一行为空或为 0
而资金来源有数时，按来源合计计算（总额行本身由 PS101 报告）。表中印有执行率一格
却留空（null）是错误；不写这个键则不检查（`perfspec fix` 会填上）。

通过 / passes::

    total: {initial: 47.59, annual: 47.59, executed: 47.37}
    rate: 99.53

不通过 / fails::

    total: {initial: 137.21, annual: 137.21, executed: 136.70}
    rate: 99.72
"""

from __future__ import annotations

from perfspec.form.derived import accepted_rates, exact_rate, rate_basis, rate_is_right
from perfspec.profile import ROUNDING_EN, ROUNDING_ZH
from perfspec.check.rules.base import Context, approx, fmt

CODE = "PS102"
NAME = "execution-rate"
SEVERITY = "error"
SUMMARY = "执行率 = 全年执行数 ÷ 全年预算数，按 profile 的方式保留两位"
SUMMARY_EN = "execution rate = executed ÷ annual budget, to 2 decimals as the profile rounds"


def check(ctx: Context) -> None:
    form = ctx.spec
    funds = form.funds
    if funds is None or not funds.stated("rate"):
        return
    exact = exact_rate(form)
    basis = rate_basis(form)
    column = form.layout.funds_column(basis.column) if basis else None
    budget_zh = column.zh if column else "全年预算数"
    rate_zh = form.layout.label("funds", "rate")  # 执行率; 执行进度 on a monitoring form
    _row_rates(ctx)
    if funds.rate is None:
        if exact is None or funds.raw.get("rate") is not None:
            return  # unreadable text is the schema's; nothing to compute from is not a blank to fill
        first = next(iter(accepted_rates(exact, ctx.profile).values()))
        assert basis is not None
        ctx.report(
            ("funds", "rate"),
            f"{rate_zh}一栏空白，应为 {fmt(first)}（{fmt(basis.executed)} ÷ {fmt(basis.budget)} = {approx(exact)}）",
            f"the execution rate cell is blank; it should be {fmt(first)} ({fmt(basis.executed)} ÷ {fmt(basis.budget)})",
            expected=fmt(first),
        )
        return
    if exact is None or basis is None:
        ctx.cannot(
            ("funds", "rate"),
            f"年度资金总额的预算数或执行数为空（或预算为 0），无法核对{rate_zh}",
            "the total row's annual budget or executed amount is blank (or the budget is 0)",
        )
        return
    if rate_is_right(form, ctx.profile):
        return
    accepted = accepted_rates(exact, ctx.profile)
    first = next(iter(accepted.values()))
    values = list(dict.fromkeys(accepted.values()))
    # 99.53 或 99.54（47.37 ÷ 47.59 = 99.537…，截断或四舍五入两位）
    methods_zh = "或".join(ROUNDING_ZH[m].replace("两位", "") for m in accepted) + "两位"
    methods_en = " or ".join(ROUNDING_EN[m].replace(" to 2 decimals", "") for m in accepted) + " to 2 decimals"
    source_zh = "，按资金来源合计" if basis.from_sources else ""
    source_en = ", from the sources' sum" if basis.from_sources else ""
    # The usual case reads 136.70 ÷ 137.21; another base column is named, as the form's own B/A.
    on_zh = f"{budget_zh} " if basis.column != "annual" else ""
    options_zh = f"{' 或 '.join(fmt(v) for v in values)}（{fmt(basis.executed)} ÷ {on_zh}{fmt(basis.budget)} = {approx(exact)}，{methods_zh}{source_zh}）"
    options_en = f"{' or '.join(fmt(v) for v in values)} ({fmt(basis.executed)} ÷ {fmt(basis.budget)} = {approx(exact)}, {methods_en}{source_en})"
    ctx.report(
        ("funds", "rate"),
        f"{rate_zh}应为 {options_zh}，表中为 {fmt(funds.rate)}",
        f"execution rate should be {options_en}, the form states {fmt(funds.rate)}",
        expected=fmt(first),
    )


def _row_rates(ctx: Context) -> None:
    """A layout that prints a rate on every funding row (Sichuan 2023): each is its own executed ÷ budget."""
    form = ctx.spec
    funds = form.funds
    if funds is None:
        return
    base = form.layout.rate_base or "annual"
    done = form.layout.rate_executed
    for row, stated in funds.row_rates.items():
        if stated is None:
            continue
        cells = funds.rows.get(row, {})
        budget = cells.get(base) if cells.get(base) is not None else cells.get("initial")
        executed = cells.get(done)
        if budget is None or executed is None:
            continue
        if budget == 0:
            if executed == 0 and stated == 0:
                continue  # an unused source prints 0.00%
            exact = None
        else:
            exact = executed / budget * 100
        if exact is not None and stated in set(accepted_rates(exact, ctx.profile).values()):
            continue
        field = form.layout.funds_row(row)
        name = field.short if field else row
        expected = next(iter(accepted_rates(exact, ctx.profile).values())) if exact is not None else None
        shown = f"{fmt(expected)}（{fmt(executed)} ÷ {fmt(budget)}）" if expected is not None else "无法计算（预算为 0）"
        ctx.report(
            ("funds", row, "rate"),
            f"“{name}”一行的执行率应为 {shown}，表中为 {fmt(stated)}",
            f"the execution rate of the row {row} should be {fmt(expected) if expected is not None else '(budget is 0)'}, the form states {fmt(stated)}",
            expected=None if expected is None else fmt(expected),
        )
