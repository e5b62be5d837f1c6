"""PS108 two-decimals: 金额和分数最多两位小数

“两位小数”是对写下的数字本身的要求（137.215 多了一位），按书写的文字判断，
不借助二进制浮点数（JSON Schema 的 multipleOf: 0.01 会误判 4560.52）。

通过 / passes::

    total: {initial: 4560.52, annual: 4560.52, executed: 4560.5}

不通过 / fails::

    total: {initial: 4560.525, annual: 4560.52, executed: 4560.52}
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from perfspec.diagnostics import Path
from perfspec.form.model import ALL_FUNDS_COLUMNS
from perfspec.check.rules.base import Context, fmt

CODE = "PS108"
NAME = "two-decimals"
SEVERITY = "error"
SUMMARY = "金额和分数最多两位小数"
SUMMARY_EN = "money and points have at most two decimals"


def _numbers(ctx: Context) -> Iterator[tuple[Path, str, Any]]:
    """(the cell's row or block, its key, its value): a cell's path is made only for a finding."""
    data = ctx.spec.has
    funds = data.get("funds")
    form_funds = ctx.spec.funds
    if isinstance(funds, dict) and form_funds is not None:
        # Every funding row the form has (its layout's and any other written), every column, its own rate.
        for row in form_funds.rows:
            cells = funds.get(row)
            if isinstance(cells, dict):
                for col in ALL_FUNDS_COLUMNS + ("rate",):
                    yield ("funds", row), col, cells.get(col)
        for key in ("weight", "rate", "score"):
            yield ("funds",), key, funds.get(key)
    for ind in ctx.spec.indicators:
        path = ind.path
        for key in ("raw_score", "weight", "score"):
            yield path, key, ind.raw.get(key)
    total = ctx.spec.total or {}
    for key in ("weight", "score"):
        yield ("total",), key, total.get(key)


def check(ctx: Context) -> None:
    places = ctx.profile.decimals
    for row, key, value in _numbers(ctx):
        if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent < -places:  # type: ignore[operator]
            ctx.report(
                row + (key,),
                f"{fmt(value)} 有 {-value.as_tuple().exponent} 位小数：金额和分数最多 {places} 位小数，请核对原表",
                f"{fmt(value)} has more than {places} decimals",
                expected=f"{places} 位小数",
            )
