"""Shared arithmetic of PS104 and PS105 (not a rule module itself)."""

from __future__ import annotations

from decimal import Decimal

from perfspec.rules.base import Context, fmt

_ZH = {"weight": ("总分值", "分值"), "score": ("总得分", "得分")}


def computed_sum(ctx: Context, field: str) -> tuple[Decimal | None, list[str]]:
    """Σ of the funds block and every indicator; None with the blank cells' names if any is blank."""
    funds = ctx.spec.funds
    blanks: list[str] = []
    funds_value = getattr(funds, field) if funds else None
    if funds_value is None:
        blanks.append(f"预算执行率{_ZH[field][1]}")
    total = funds_value or Decimal(0)
    for indicator in ctx.spec.indicators:
        value = getattr(indicator, field)
        if value is None:
            blanks.append(f"“{indicator.label}”的{_ZH[field][1]}")  # missing, blank or not a number
        else:
            total += value
    return (None if blanks else total), blanks


def check_sum(ctx: Context, field: str) -> None:
    stated = getattr(ctx.spec, f"total_{field}")
    if stated is None:
        return
    title, cell = _ZH[field]
    expected, blanks = computed_sum(ctx, field)
    if expected is None:
        shown = "、".join(blanks[:3]) + ("等" if len(blanks) > 3 else "")
        ctx.cannot(
            ("total", field),
            f"{shown}缺失、为空或不是数字，无法核对{title}",
            f"missing, blank or non-numeric cells prevent checking the total {field}",
        )
        return
    if abs(expected - stated) <= ctx.profile.tolerance:
        return
    funds = ctx.spec.funds
    funds_value = (getattr(funds, field) if funds else None) or Decimal(0)
    rows = expected - funds_value
    count = len(ctx.spec.indicators)
    gap = abs(stated - expected)
    # A gap of exactly one indicator's points suggests a lost or extra row; anything else an addition slip.
    row_sized = any(getattr(ind, field) == gap for ind in ctx.spec.indicators)
    hint_zh, hint_en = (
        ("请核对是否漏填或多填了指标行", "is an indicator row missing or extra?")
        if row_sized
        else ("请核对各项的加总", "check the addition")
    )
    ctx.report(
        ("total", field),
        f"{title}应为 {fmt(expected, stated)}（预算执行率{cell} {fmt(funds_value, stated)} + {count} 个三级指标{cell}合计 "
        f"{fmt(rows, stated)}），表中为 {fmt(stated)}，比逐项合计{'多' if stated > expected else '少'} {fmt(gap, stated)}：{hint_zh}",
        f"total {field} should be {fmt(expected, stated)} (funds {fmt(funds_value, stated)} + {count} indicators "
        f"{fmt(rows, stated)}), the form states {fmt(stated)}, {fmt(gap, stated)} too {'much' if stated > expected else 'little'}: {hint_en}",
        expected=fmt(expected, stated),
    )
