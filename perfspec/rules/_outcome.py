"""Shared by the target-vs-actual and scoring-advice rules: what each indicator achieved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfspec.model import Indicator
from perfspec.quantity import Kind, Quantity, met, parse_actual, parse_target


@dataclass(frozen=True)
class Outcome:
    indicator: Indicator
    target: Quantity | None
    actual: Quantity | None
    met: bool | None  # None: cannot tell (qualitative, blank or unreadable)

    @property
    def actual_value(self) -> Decimal | None:
        if self.actual is not None and self.actual.kind is Kind.QUANTITY:
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
        if Kind.INVALID not in (target.kind, actual.kind):
            verdict = met(target, actual)
    return Outcome(indicator, target, actual, verdict)


def outcomes(indicators: tuple[Indicator, ...]) -> list[Outcome]:
    return [outcome(ind) for ind in indicators]


def show(q: Quantity | None) -> str:
    return q.text if q is not None else "（空）"
