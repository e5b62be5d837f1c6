"""The form model: one typed, forgiving view of a spec that every consumer reads.

The schema reports wrong types; the model only has to make sure nothing trips
over them. Every number is a ``Decimal`` or ``None`` (blank, missing or not a
number), every text a ``str`` or ``None``. Which cells a form has, and what
they are called, comes from its layout (``perfspec/form/layouts/*.yaml``);
which form it is, from its kind. Captions keep their printed points
(``产出指标(50分)`` is the level-1 产出指标 with 50 stated points).
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from perfspec.diagnostics import Path
from perfspec.form.captions import caption
from perfspec.form.kinds import Kind, kind_of
from perfspec.form.layout import Layout, choose_layout

# The funding rows and columns of the reference layout; other layouts add their own.
FUNDS_ROWS = ("total", "appropriation", "carryover", "other")
FUNDS_COLUMNS = ("initial", "annual", "executed")
# Every column a funding row may carry in any layout (monitoring adds the last two).
ALL_FUNDS_COLUMNS = ("initial", "annual", "executed", "to_date", "forecast")
FUNDS_KEYS = frozenset({"unit", "weight", "rate", "score", "deviation", "acknowledge"})


def two_places(value: Decimal) -> str:
    """A number as the form prints it: two decimals (10 → 10.00); more are kept as written, never rounded away."""
    exp = value.as_tuple().exponent
    if isinstance(exp, int) and exp >= -2:
        value = value.quantize(Decimal("0.01"))
    return format(value, "f")


def number(value: Any) -> Decimal | None:
    """A point or money value written as a YAML number; anything else is None."""
    kind = type(value)  # the loader's own types first: ~150 cells a form
    if kind is Decimal:
        return value if value.is_finite() else None
    if kind is int:
        return Decimal(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    return None


# As text: amounts written as YAML numbers (nearly all) never need it compiled (re caches it when used).
_AMOUNT_RE = r"([0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)(万元|元|%)?"


def amount(value: Any) -> tuple[Decimal | None, str | None]:
    """A money or rate cell as printed: 99.62, "99.62%", "20万元", "１,２００" → (number, unit written).

    Only the unit the cell itself names is returned; a cell that is not a plain amount is (None, None).
    """
    found = number(value)
    if found is not None or not isinstance(value, str):
        return found, None
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    match = re.fullmatch(_AMOUNT_RE, text)
    if match is None:
        return None, None
    try:
        return Decimal(match.group(1).replace(",", "")), match.group(2)
    except InvalidOperation:  # pragma: no cover - the pattern admits only literals
        return None, None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Indicator(NamedTuple):
    level1: str  # the key as written (may carry points)
    level2: str
    index: int
    name: str | None
    target: Any  # as written: str, number or None; a split target is joined back into one text
    actual: Any
    weight: Decimal | None
    score: Decimal | None
    deviation: str | None
    raw: dict[str, Any]
    level1_name: str = ""  # the caption without its points
    level2_name: str = ""
    nature: str | None = None  # 正向 / 反向 / 定性 where the layout prints 指标性质
    raw_score: Decimal | None = None  # 单项得分 of a three-score-column layout
    unit: str | None = None  # 度量单位 of a split target

    @property
    def path(self) -> Path:
        return ("indicators", self.level1, self.level2, self.index)

    @property
    def label(self) -> str:
        return self.name or f"{self.level1_name}/{self.level2_name} 第 {self.index + 1} 项"

    def cell(self, key: str) -> Any:
        """Any other cell of the row as written (monitoring: to_date, forecast, likelihood, measures)."""
        return self.raw.get(key)

    @property
    def not_applicable(self) -> bool:
        """A row printed '/' throughout: the form says it does not apply; its blanks are not omissions."""
        # Asked by most rules of every row: the cheap tests first (nearly every row has a weight).
        return self.weight is None and self.score is None and _slash(self.target) and _slash(self.actual)


def _slash(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in ("/", "／", "-", "—", "——", "无")


class Group(NamedTuple):
    """A level-1 or level-2 category with the points its caption states."""

    key: str
    name: str
    points: Decimal | None
    children: tuple["Group", ...] = ()


class Funds(NamedTuple):
    unit: str
    weight: Decimal | None
    rows: dict[str, dict[str, Decimal | None]]  # every row of the layout and any other the spec writes
    rate: Decimal | None
    score: Decimal | None
    raw: dict[str, Any]
    row_rates: dict[str, Decimal | None] = {}
    deviation: str | None = None
    rate_written: str | None = None  # "%" when the cell said so

    def stated(self, key: str) -> bool:
        """The cell is on the form (written, blank included), not left out of the spec."""
        return key in self.raw

    def row_stated(self, row: str, column: str) -> bool:
        return column in _mapping(self.raw.get(row))


class Form(NamedTuple):
    data: Any
    kind: Kind
    layout: Layout
    funds: Funds | None
    indicators: tuple[Indicator, ...]
    categories: tuple[tuple[str, tuple[str, ...]], ...]  # level-1 keys with their level-2 keys, in order
    groups: tuple[Group, ...]
    total: dict[str, Any] | None
    total_weight: Decimal | None
    total_score: Decimal | None
    grade: Any

    @property
    def has(self) -> dict[str, Any]:
        return self.data if isinstance(self.data, dict) else {}

    def header(self, key: str) -> Any:
        return self.has.get(key)



# Older code and templates say Spec; it is the same model.
Spec = Form


def _funds(raw: dict[str, Any], layout: Layout) -> Funds:
    # The layout's rows in printed order, then the reference rows every consumer may ask for.
    row_keys = [row.key for row in layout.funds_rows]
    row_keys += [row for row in FUNDS_ROWS if row not in row_keys]
    # Rows a spec writes that its layout does not list are still read (a rule names them).
    row_keys += [k for k, v in raw.items() if k not in FUNDS_KEYS and k not in row_keys and isinstance(v, dict)]
    rows = {row: {col: amount(_mapping(raw.get(row)).get(col))[0] for col in ALL_FUNDS_COLUMNS} for row in row_keys}
    row_rates = {row: amount(_mapping(raw.get(row)).get("rate"))[0] for row in row_keys}
    unit = raw.get("unit")
    rate, written = amount(raw.get("rate"))
    return Funds(
        unit=unit if isinstance(unit, str) else layout.funds_unit,
        weight=number(raw.get("weight")),
        rows=rows,
        rate=rate,
        score=number(raw.get("score")),
        raw=raw,
        row_rates=row_rates,
        deviation=text(raw.get("deviation")),
        rate_written=written,
    )


_SPLIT_OPS = {"正向": "≥", "反向": "≤"}


def _target(item: dict[str, Any]) -> tuple[Any, str | None]:
    """The target as one printed text, and the unit column of a split layout.

    A split target (指标性质 | 指标值 | 度量单位) is written either as a mapping
    {operator, value, unit} or as `target` plus `unit`; both read as "≥90%".
    """
    target = item.get("target")
    unit = text(item.get("unit"))
    if isinstance(target, dict):
        op = target.get("operator")
        value = target.get("value")
        unit = text(target.get("unit")) or unit
        if value is None:
            return None, unit
        return f"{op if isinstance(op, str) else ''}{value}{unit or ''}", unit
    if unit and isinstance(target, (str, int, Decimal)) and not isinstance(target, bool):
        shown = str(target)
        if not shown.endswith(unit):
            return shown + unit, unit
    return target, unit


def printed_target(target: dict[str, Any]) -> Any:
    """A split target {operator, value, unit} as one printed 年度指标值 cell ("≥90%"), None without a value."""
    return _target({"target": target})[0]


def build(data: Any, layout: Layout | None = None) -> Form:
    """The model of a loaded spec, read in `layout` (the one `choose_layout` picked for it).

    Without one, the layout is chosen here the same way from the spec's `layout:` and `kind:`
    (a repository's own layout file needs the caller's root, so it falls back to the kind's).
    """
    root = _mapping(data)
    kind = kind_of(root.get("kind"))
    if layout is None:
        layout = choose_layout(data, kind.layout)[0]
    funds_raw = root.get("funds")
    funds = _funds(funds_raw, layout) if isinstance(funds_raw, dict) else None
    indicators: list[Indicator] = []
    categories: list[tuple[str, tuple[str, ...]]] = []
    groups: list[Group] = []
    for level1, level2s in _mapping(root.get("indicators")).items():
        name1, points1 = caption(str(level1))
        names: list[str] = []
        children: list[Group] = []
        for level2, items in _mapping(level2s).items():
            names.append(level2)
            name2, points2 = caption(str(level2))
            children.append(Group(level2, name2, points2))
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                target, unit = _target(item)
                nature = text(item.get("nature"))
                if nature in _SPLIT_OPS and isinstance(target, (str, int, Decimal)) and not isinstance(target, bool):
                    shown = str(target)
                    # 正向 | 90 | % prints no operator: the nature column is the direction.
                    if shown and shown[0].isdigit():
                        target = _SPLIT_OPS[nature] + shown
                indicators.append(
                    Indicator(
                        level1=level1,
                        level2=level2,
                        index=index,
                        name=text(item.get("name")),
                        target=target,
                        actual=item.get("actual"),
                        weight=number(item.get("weight")),
                        score=number(item.get("score")),
                        deviation=text(item.get("deviation")),
                        raw=item,
                        level1_name=name1,
                        level2_name=name2,
                        nature=nature,
                        raw_score=number(item.get("raw_score")),
                        unit=unit,
                    )
                )
        categories.append((level1, tuple(names)))
        groups.append(Group(level1, name1, points1, tuple(children)))
    total = root.get("total") if isinstance(root.get("total"), dict) else None
    return Form(
        data=data,
        kind=kind,
        layout=layout,
        funds=funds,
        indicators=tuple(indicators),
        categories=tuple(categories),
        groups=tuple(groups),
        total=total,
        total_weight=number(total.get("weight")) if total else None,
        total_score=number(total.get("score")) if total else None,
        grade=root.get("grade"),
    )
