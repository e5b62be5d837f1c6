"""Shared by the target-vs-actual and scoring-advice rules: what each indicator achieved."""

import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from perfspec.form.derived import BUDGET_INDICATOR
from perfspec.form.model import Indicator
from perfspec.form.quantity import Kind, Quantity, met, parse_actual, parse_target, units_agree

if TYPE_CHECKING:
    from perfspec.check.rules.base import Context

# Why a target printed without an operator is read one way; the message states it.
ASSUMED_ZH = {
    "nature": "按指标性质",
    "cost": "成本指标按“不超过”理解",
    "zero": "目标为 0，按“不超过”理解",
    "floor": "未写比较符号，按“不低于”理解",
    "budget": "预算执行率以 100% 为目标",
}
ASSUMED_EN = {
    "nature": "by the indicator's nature",
    "cost": "a cost target read as a ceiling",
    "zero": "a zero target read as a ceiling",
    "floor": "no operator written: read as a floor",
    "budget": "budget execution targets 100 %",
}
_NATURE_OPS = {"正向": ">=", "反向": "<="}


class Outcome(NamedTuple):
    indicator: Indicator
    target: Quantity | None  # with the assumed direction filled in where none was written
    actual: Quantity | None
    met: bool | None  # None: cannot tell (qualitative, blank or unreadable)
    assumed: str | None = None  # key of ASSUMED_ZH when the direction was not written

    @property
    def actual_value(self) -> Decimal | None:
        """The actual number, when it can be set against the target (same unit)."""
        if self.actual is not None and self.actual.kind is Kind.QUANTITY:
            if self.target is None or units_agree(self.target.unit, self.actual.unit):
                return self.actual.value
        return None

    def assumption(self, lang: str = "zh") -> str:
        if self.assumed is None:
            return ""
        return (ASSUMED_ZH if lang == "zh" else ASSUMED_EN)[self.assumed]


def _cell(value: object) -> object:
    """Lists, mappings and booleans are the schema's to report (PS010), not unreadable text."""
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        return value
    return None


def _direction(indicator: Indicator, target: Quantity) -> tuple[str, str]:
    """The operator a target without one means, and why."""
    if indicator.nature in _NATURE_OPS:
        return _NATURE_OPS[indicator.nature], "nature"
    if "成本" in indicator.level2_name or "成本" in indicator.level1_name:
        return "<=", "cost"
    if target.value == 0:
        return "<=", "zero"
    return ">=", "floor"


def _same_text(a: object, b: object) -> bool:
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    fold = lambda t: unicodedata.normalize("NFKC", t).strip().rstrip("。.；;")  # noqa: E731
    return bool(fold(a)) and fold(a) == fold(b)


def outcome(indicator: Indicator) -> Outcome:
    target = parse_target(_cell(indicator.target))  # type: ignore[arg-type]
    actual = parse_actual(_cell(indicator.actual))  # type: ignore[arg-type]
    assumed = None
    if indicator.name and BUDGET_INDICATOR in indicator.name and (target is None or target.kind is Kind.QUALITATIVE):
        # The older framework's 预算执行率 row prints no target ('—'): it is 100 %.
        target, assumed = parse_target("≥100%"), "budget"
    elif target is not None and target.kind is Kind.QUANTITY and target.implied:
        op, assumed = _direction(indicator, target)
        target = target._replace(op=op)
    verdict = None
    if target is not None and actual is not None:
        # 120 秒 against ≤5 分钟 is PS304's finding; comparing the bare numbers would be a guess.
        if Kind.INVALID not in (target.kind, actual.kind) and units_agree(target.unit, actual.unit):
            verdict = met(target, actual)
        if verdict is None and target.kind is Kind.QUALITATIVE and _same_text(indicator.target, indicator.actual):
            verdict = True  # the actual repeats a qualitative target word for word: the form says it was met
    return Outcome(indicator, target, actual, verdict, assumed)


def outcomes(ctx: "Context") -> list[Outcome]:
    """Every indicator's outcome, computed once per document and shared by the rules."""
    found = ctx.cache.get("outcomes")
    if found is None:
        found = ctx.cache["outcomes"] = [outcome(ind) for ind in ctx.spec.indicators]
    return found  # type: ignore[return-value]


def show(q: Quantity | None) -> str:
    return q.text if q is not None else "（空）"


def show_target(out: Outcome, lang: str = "zh") -> str:
    """The target as printed, with the direction perfspec assumed where none was written."""
    shown = show(out.target) if out.assumed != "budget" else "100%"
    if out.assumed is None:
        return shown
    return f"{shown}，{out.assumption('zh')}" if lang == "zh" else f"{shown}, {out.assumption('en')}"
