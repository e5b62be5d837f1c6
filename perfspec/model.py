"""A typed, forgiving view of a loaded spec for the rules.

The schema reports wrong types; the model only has to make sure a rule never
trips over them. Every number is a ``Decimal`` or ``None`` (blank, missing or
not a number), every text a ``str`` or ``None``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from perfspec.diagnostics import Path

FUNDS_ROWS = ("total", "appropriation", "carryover", "other")
FUNDS_COLUMNS = ("initial", "annual", "executed")
FUNDS_ROW_ZH = {
    "total": "年度资金总额",
    "appropriation": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
FUNDS_COLUMN_ZH = {"initial": "年初预算数", "annual": "全年预算数", "executed": "全年执行数"}


def two_places(value: Decimal) -> str:
    """A number as the form prints it: two decimals (10 → 10.00); more are kept as written, never rounded away."""
    exp = value.as_tuple().exponent
    if isinstance(exp, int) and exp >= -2:
        value = value.quantize(Decimal("0.01"))
    return format(value, "f")


def number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    return None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Indicator(NamedTuple):
    level1: str
    level2: str
    index: int
    name: str | None
    target: Any  # as written: str, number or None
    actual: Any
    weight: Decimal | None
    score: Decimal | None
    deviation: str | None
    raw: dict[str, Any]

    @property
    def path(self) -> Path:
        return ("indicators", self.level1, self.level2, self.index)

    @property
    def label(self) -> str:
        return self.name or f"{self.level1}/{self.level2} 第 {self.index + 1} 项"


class Funds(NamedTuple):
    unit: str
    weight: Decimal | None
    rows: dict[str, dict[str, Decimal | None]]
    rate: Decimal | None
    score: Decimal | None
    raw: dict[str, Any]


class Spec(NamedTuple):
    data: Any
    funds: Funds | None
    indicators: tuple[Indicator, ...]
    categories: tuple[tuple[str, tuple[str, ...]], ...]  # level-1 names with their level-2 names, in order
    total: dict[str, Any] | None
    total_weight: Decimal | None
    total_score: Decimal | None
    grade: Any

    @property
    def has(self) -> dict[str, Any]:
        return self.data if isinstance(self.data, dict) else {}


def build(data: Any) -> Spec:
    root = _mapping(data)
    funds_raw = root.get("funds")
    funds = None
    if isinstance(funds_raw, dict):
        rows = {
            row: {col: number(_mapping(funds_raw.get(row)).get(col)) for col in FUNDS_COLUMNS}
            for row in FUNDS_ROWS
        }
        unit = funds_raw.get("unit")
        funds = Funds(
            unit=unit if isinstance(unit, str) else "万元",
            weight=number(funds_raw.get("weight")),
            rows=rows,
            rate=number(funds_raw.get("rate")),
            score=number(funds_raw.get("score")),
            raw=funds_raw,
        )
    indicators: list[Indicator] = []
    categories: list[tuple[str, tuple[str, ...]]] = []
    for level1, level2s in _mapping(root.get("indicators")).items():
        names: list[str] = []
        for level2, items in _mapping(level2s).items():
            names.append(level2)
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                indicators.append(
                    Indicator(
                        level1=level1,
                        level2=level2,
                        index=index,
                        name=text(item.get("name")),
                        target=item.get("target"),
                        actual=item.get("actual"),
                        weight=number(item.get("weight")),
                        score=number(item.get("score")),
                        deviation=text(item.get("deviation")),
                        raw=item,
                    )
                )
        categories.append((level1, tuple(names)))
    total = root.get("total") if isinstance(root.get("total"), dict) else None
    return Spec(
        data=data,
        funds=funds,
        indicators=tuple(indicators),
        categories=tuple(categories),
        total=total,
        total_weight=number(total.get("weight")) if total else None,
        total_score=number(total.get("score")) if total else None,
        grade=root.get("grade"),
    )
