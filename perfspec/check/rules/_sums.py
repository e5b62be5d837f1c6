"""Shared by PS104 and PS105 (not a rule module itself): the stated totals against their rows."""

from __future__ import annotations

from decimal import Decimal

from perfspec.form.derived import budget_in_funds, points_sum, scored
from perfspec.check.rules.base import Context, fmt

_ZH = {"weight": ("总分值", "分值"), "score": ("总得分", "得分")}


def check_sum(ctx: Context, field: str) -> None:
    form = ctx.spec
    title, cell = _ZH[field]
    stated = getattr(form, f"total_{field}")
    found = points_sum(form, field)
    if stated is None:
        if field == "score" and form.total is not None and "score" in form.total and form.kind.scored and scored(form):
            # The 合计 row prints a 得分 cell and it was left blank: the form was never totalled.
            shown = f"，逐项合计为 {fmt(found.value)}" if found.value is not None else ""
            ctx.report(
                ("total", "score"),
                f"总得分一栏空白{shown}：自评表须写明总得分",
                "the total score cell is blank: a self-evaluation must state its total score",
                expected=None if found.value is None else fmt(found.value),
            )
        return
    if found.value is None:
        if found.blanks:
            shown = "、".join(found.blanks[:3]) + ("等" if len(found.blanks) > 3 else "")
            ctx.cannot(
                ("total", field),
                f"{shown}缺失、为空或不是数字，无法核对{title}",
                f"missing, blank or non-numeric cells prevent checking the total {field}",
            )
        return
    expected = found.value
    if abs(expected - stated) <= ctx.profile.tolerance:
        return
    gap = abs(stated - expected)
    # A gap of exactly one indicator's points suggests a lost or extra row; anything else an addition slip.
    row_sized = any(getattr(ind, field) == gap for ind in form.indicators) or (
        form.funds is not None and getattr(form.funds, field) == gap
    )
    hint_zh, hint_en = (
        ("请核对是否漏填或多填了指标行", "is an indicator row missing or extra?")
        if row_sized
        else ("请核对各项的加总", "check the addition")
    )
    # Layouts that score budget execution as an indicator (or not at all) have no funds part to name.
    funds_zh = f"预算执行率{cell} {fmt(found.funds, stated)} + " if budget_in_funds(form) else ""
    funds_en = f"funds {fmt(found.funds, stated)} + " if budget_in_funds(form) else ""
    ctx.report(
        ("total", field),
        f"{title}应为 {fmt(expected, stated)}（{funds_zh}{found.count} 个三级指标{cell}合计 "
        f"{fmt(found.rows, stated)}），表中为 {fmt(stated)}，比逐项合计{'多' if stated > expected else '少'} {fmt(gap, stated)}：{hint_zh}",
        f"total {field} should be {fmt(expected, stated)} ({funds_en}{found.count} indicators "
        f"{fmt(found.rows, stated)}), the form states {fmt(stated)}, {fmt(gap, stated)} too {'much' if stated > expected else 'little'}: {hint_en}",
        expected=fmt(expected, stated),
    )


def check_full_marks(ctx: Context) -> None:
    """Σ weights (budget + every indicator) must be the layout's full marks, whatever the stated total says."""
    form = ctx.spec
    full = form.layout.full_marks
    stated = form.total_weight
    if full is None or form.total is None or not form.kind.scored:
        return  # no total row in this copy: a cut-off form's rows cannot be judged complete
    found = points_sum(form, "weight")
    if found.value is None or found.value == full:
        return
    if stated is not None and stated != found.value:
        return  # the stated total disagrees with its rows: PS104's finding at the same cell says it
    gap = abs(full - found.value)
    ctx.report(
        ("total", "weight"),
        f"各项分值合计 {fmt(found.value)}（{'预算执行率 ' + fmt(found.funds) + ' + ' if budget_in_funds(form) else ''}{found.count} 个三级指标 {fmt(found.rows)}），"
        f"不是满分 {fmt(full)}，{'多' if found.value > full else '少'} {fmt(gap)}：请核对是否漏填或多填了指标行",
        f"the weights add up to {fmt(found.value)} (funds {fmt(found.funds)} + {found.count} indicators {fmt(found.rows)}), "
        f"not the full marks {fmt(full)}: is a row missing or extra?",
        expected=fmt(full),
    )


__all__ = ["check_sum", "check_full_marks", "Decimal"]
