"""Shared by the target-vs-actual and scoring-advice rules: what each indicator achieved."""

from __future__ import annotations

from decimal import Decimal

from typing import TYPE_CHECKING, NamedTuple

from perfspec.model import Indicator
from perfspec.quantity import Kind, Quantity, met, parse_actual, parse_target, units_agree

if TYPE_CHECKING:
    from perfspec.rules.base import Context


class Outcome(NamedTuple):
    indicator: Indicator
    target: Quantity | None
    actual: Quantity | None
    met: bool | None  # None: cannot tell (qualitative, blank or unreadable)

    @property
    def actual_value(self) -> Decimal | None:
        """The actual number, when it can be set against the target (same unit)."""
        if self.actual is not None and self.actual.kind is Kind.QUANTITY:
            if self.target is None or units_agree(self.target.unit, self.actual.unit):
                return self.actual.value
        return None


def _cell(value: object) -> object:
    """Lists, mappings and booleans are the schema's to report (PS010), not unreadable text."""
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        return value
    return None


def outcome(indicator: Indicator) -> Outcome:
    target = parse_target(_cell(indicator.target))  # type: ignore[arg-type]
    actual = parse_actual(_cell(indicator.actual))  # type: ignore[arg-type]
    verdict = None
    if target is not None and actual is not None:
        # 120 秒 against ≤5 分钟 is PS304's finding; comparing the bare numbers would be a guess.
        if Kind.INVALID not in (target.kind, actual.kind) and units_agree(target.unit, actual.unit):
            verdict = met(target, actual)
    return Outcome(indicator, target, actual, verdict)


def outcomes(ctx: "Context") -> list[Outcome]:
    """Every indicator's outcome, computed once per document and shared by the rules."""
    found = ctx.cache.get("outcomes")
    if found is None:
        found = ctx.cache["outcomes"] = [outcome(ind) for ind in ctx.spec.indicators]
    return found  # type: ignore[return-value]


def show(q: Quantity | None) -> str:
    return q.text if q is not None else "（空）"
