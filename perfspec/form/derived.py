"""Every value derived from a form, computed in one place.

Execution rate (with the profile's rounding), budget score, funding sums,
level-1 subtotals, total weight and score, grade, deductions and "has a real
deviation note" are computed here and nowhere else: rules, fix, render, diff,
export and importers call these functions. Changing how the execution rate is
rounded touches `accepted_rates` only.

Blank, not applicable and zero are three things: an unused funding row left
blank counts as zero when its total is filled; a row printed '/' counts zero
points; a layout with no 分值 column has no weights at all (None), never 0.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from perfspec.form.model import Form, Funds, Group, Indicator
from perfspec.profile import ROUNDINGS

if TYPE_CHECKING:
    from perfspec.profile import Profile

HUNDRED = Decimal(100)
BUDGET_INDICATOR = "预算执行率"


def quantize(value: Decimal, method: str, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUNDINGS[method])


# ---------------------------------------------------------------- funds


class FundsSum(NamedTuple):
    column: str
    stated: Decimal
    expected: Decimal
    parts: tuple[tuple[str, Decimal | None], ...]  # source rows with their values (None: blank, counted 0)

    @property
    def blank_rows(self) -> tuple[str, ...]:
        return tuple(row for row, value in self.parts if value is None)


def source_rows(form: Form) -> tuple[str, ...]:
    """The funding source rows of the form: its layout's, and any other the spec writes."""
    funds = form.funds
    if funds is None:
        return ()
    total = form.layout.total_row
    return tuple(row for row in funds.rows if row != total and (row in form.layout.source_rows or funds.stated(row)))


def funds_sums(form: Form) -> list[FundsSum]:
    """For each column whose total is filled and at least one source is: total vs Σ sources.

    Blank source cells count as zero (an unused 上年结转资金 row is left blank); a
    column with every source blank has no breakdown to check.
    """
    funds = form.funds
    if funds is None:
        return []
    total_row = form.layout.total_row
    out = []
    for column in _columns(funds):
        stated = funds.rows.get(total_row, {}).get(column)
        parts = tuple((row, funds.rows[row][column]) for row in source_rows(form))
        if stated is None or all(value is None for _, value in parts):
            continue
        expected = sum((value for _, value in parts if value is not None), Decimal(0))
        out.append(FundsSum(column, stated, expected, parts))
    return out


def _columns(funds: Funds) -> list[str]:
    seen: list[str] = []
    for row in funds.rows.values():
        for column, value in row.items():
            if value is not None and column not in seen:
                seen.append(column)
    return seen


class RateBasis(NamedTuple):
    executed: Decimal
    budget: Decimal
    column: str  # the budget column divided by
    from_sources: bool  # the total row was blank or zero: the sources' sum was used


def rate_basis(form: Form) -> RateBasis | None:
    """executed ÷ budget of the total row, on the layout's base column.

    A layout without a 全年预算数 column divides by 年初预算数 (the form's own B/A).
    When the total row is blank or zero while its sources are not, the sources' sum
    is the form's real budget (the total row is then itself a finding).
    """
    funds = form.funds
    if funds is None:
        return None
    total = funds.rows.get(form.layout.total_row, {})
    done = form.layout.rate_executed
    for column in _base_columns(form):
        budget, executed = total.get(column), total.get(done)
        from_sources = False
        if not budget or executed is None:
            sums = {s.column: s.expected for s in funds_sums(form)}
            if sums.get(column) and done in sums:
                budget, executed, from_sources = sums[column], sums[done], True
        if budget and executed is not None:
            return RateBasis(executed, budget, column, from_sources)
    return None


def _base_columns(form: Form) -> tuple[str, ...]:
    base = form.layout.rate_base or "annual"
    return (base, "initial") if base == "annual" else (base,)


def exact_rate(form: Form) -> Decimal | None:
    basis = rate_basis(form)
    return None if basis is None else basis.executed / basis.budget * HUNDRED


def forecast_rate(form: Form) -> RateBasis | None:
    """A monitoring form's expected full-year rate: 全年预计执行数 ÷ budget of the total row, on the base
    column as `rate_basis` chooses it (全年预算数, else 年初预算数); None when either cell is blank."""
    funds = form.funds
    if funds is None:
        return None
    total = funds.rows.get(form.layout.total_row, {})
    forecast = total.get("forecast")
    if forecast is None:
        return None
    for column in _base_columns(form):
        budget = total.get(column)
        if budget:
            return RateBasis(forecast, budget, column, False)
    return None


def accepted_rates(exact: Decimal, profile: "Profile") -> dict[str, Decimal]:
    """The execution rate as the profile prints it: {rounding method: value}, the first one preferred."""
    return {method: quantize(exact, method) for method in profile.rate_rounding}


def stated_rate_readings(funds: Funds) -> tuple[Decimal, ...]:
    """The stated rate as percent, under every reading the cell allows: 99.62, or a ratio 1 = 100 %."""
    rate = funds.rate
    if rate is None:
        return ()
    if funds.rate_written != "%" and rate <= Decimal("1.5") and rate != 0:
        return (rate, rate * HUNDRED)
    return (rate,)


def rate_is_right(form: Form, profile: "Profile") -> bool | None:
    """None when the rate cannot be recomputed."""
    exact = exact_rate(form)
    if exact is None or form.funds is None:
        return None
    accepted = set(accepted_rates(exact, profile).values())
    return any(reading in accepted for reading in stated_rate_readings(form.funds))


def budget_scores(weight: Decimal, exact: Decimal, profile: "Profile") -> list[Decimal]:
    """Budget score = weight × rate (capped at 100 %), under each accepted rounding of rate and score."""
    out: list[Decimal] = []
    for rate in dict.fromkeys(accepted_rates(exact, profile).values()):
        for method in profile.score_rounding:
            value = quantize(weight * min(rate, HUNDRED) / HUNDRED, method)
            if value not in out:
                out.append(value)
    return out


def budget_in_funds(form: Form) -> bool:
    """Budget execution is scored in the funds block (分值 / 得分 there), as the form is written.

    Layouts that score it as the indicator 预算执行率, or not at all, leave both blank.
    """
    funds = form.funds
    return funds is not None and (funds.weight is not None or funds.score is not None)


# ---------------------------------------------------------------- points


def has_weights(form: Form) -> bool:
    """The form prints a 分值 (or 权重) column for its indicators."""
    return any(ind.weight is not None for ind in form.indicators)


def has_scores(form: Form) -> bool:
    return any(ind.score is not None for ind in form.indicators) or bool(form.funds and form.funds.score is not None)


def scored(form: Form) -> bool:
    """The form carries points at all (a layout without 分值/得分 columns does not)."""
    return has_weights(form) or has_scores(form) or budget_in_funds(form)


class Sum(NamedTuple):
    value: Decimal | None  # None: a counted cell is blank
    blanks: tuple[str, ...]  # labels of the blank cells
    funds: Decimal  # the funds block's part
    rows: Decimal  # the indicators' part
    count: int  # indicators counted


_FIELD_ZH = {"weight": "分值", "score": "得分"}


def points_sum(form: Form, field: str) -> Sum:
    """Σ of the funds block's and every indicator's weight or score.

    A row printed '/' counts zero; with no indicator filled in that column at all
    the layout has no such column and the sum is None with no blanks.
    """
    if not form.indicators and not budget_in_funds(form):
        return Sum(None, ("全部三级指标与预算执行率",), Decimal(0), Decimal(0), 0)  # nothing to add up
    blanks: list[str] = []
    funds_part = Decimal(0)
    if budget_in_funds(form):
        value = getattr(form.funds, field)
        if value is None:
            blanks.append(f"预算执行率{_FIELD_ZH[field]}")
        else:
            funds_part = value
    rows = Decimal(0)
    filled = [ind for ind in form.indicators if getattr(ind, field) is not None]
    if not filled and field == "weight":
        return Sum(None, (), funds_part, rows, 0)
    for ind in form.indicators:
        value = getattr(ind, field)
        if value is None:
            if not ind.not_applicable:
                blanks.append(f"“{ind.label}”的{_FIELD_ZH[field]}")
            continue
        rows += value
    return Sum(None if blanks else funds_part + rows, tuple(blanks), funds_part, rows, len(filled))


class Subtotal(NamedTuple):
    group: Group
    weight: Decimal | None  # Σ rows, None when the layout has no weights
    score: Decimal | None
    rows: int


def level1_subtotals(form: Form) -> list[Subtotal]:
    out = []
    weights = has_weights(form)
    for group in form.groups:
        inds = [ind for ind in form.indicators if ind.level1 == group.key]
        w = sum((ind.weight for ind in inds if ind.weight is not None), Decimal(0)) if weights else None
        s_vals = [ind.score for ind in inds if ind.score is not None]
        out.append(Subtotal(group, w, sum(s_vals, Decimal(0)) if s_vals else None, len(inds)))
    return out


def level2_subtotal(form: Form, level1: str, level2: str) -> Decimal:
    return sum(
        (ind.weight for ind in form.indicators if ind.level1 == level1 and ind.level2 == level2 and ind.weight is not None),
        Decimal(0),
    )


def stated_points(subtotal: Subtotal) -> Decimal | None:
    """A level-1's points: its caption's, else the sum of its rows' weights."""
    return subtotal.group.points if subtotal.group.points is not None else subtotal.weight


def deduction(ind: Indicator) -> Decimal | None:
    if ind.weight is None or ind.score is None:
        return None
    return ind.weight - ind.score


def weighted_score(ind: Indicator) -> Decimal | None:
    """折算得分 of a three-score-column layout: 单项得分 × 权重 ÷ 100."""
    if ind.raw_score is None or ind.weight is None:
        return None
    return ind.raw_score * ind.weight / HUNDRED


def grade_for(total: Decimal, profile: "Profile") -> str:
    return profile.grade_for(total)


def has_real_note(note: str | None, profile: "Profile") -> bool:
    """A deviation note that explains something: not blank, not only 无 / 无偏差 / '/', not the template's prompt."""
    text = (note or "").strip()
    if not text or text in profile.trivial_notes:
        return False
    return not any(marker in text for marker in profile.template_prompts)


def within_rounding(stated: Decimal, expected: Decimal, terms: int) -> bool:
    """A stated sum off by no more than its terms' rounding (half a cent each, at most one cent a term).

    More than that is a lost or extra row, or a slip: a finding for a person, never something to rewrite.
    """
    return abs(stated - expected) <= Decimal("0.01") * max(1, terms)


# ---------------------------------------------------------------- across forms (the portfolio)

WAN = Decimal(10000)


def in_wan(value: Decimal | None, unit: str) -> Decimal | None:
    """An amount in 万元: a form filled in 元 is divided by 10 000, exactly."""
    if value is None:
        return None
    return value / WAN if unit == "元" else value


def total_amounts(form: Form) -> dict[str, Decimal | None]:
    """The total row of the funds block in 万元, by column (initial, annual, executed …)."""
    funds = form.funds
    if funds is None:
        return {}
    row = funds.rows.get(form.layout.total_row, {})
    return {column: in_wan(value, funds.unit) for column, value in row.items()}


class Movement(NamedTuple):
    """How a form's budget moved, in 万元: 年初 → 全年 (adjusted), and what was not spent."""

    change: Decimal | None  # 全年预算数 − 年初预算数
    unspent: Decimal | None  # 全年预算数 − 全年执行数 (the rate's base minus what was executed)


def movement(form: Form) -> Movement:
    amounts = total_amounts(form)
    initial, annual = amounts.get("initial"), amounts.get("annual")
    base = amounts.get(form.layout.rate_base or "annual")
    executed = amounts.get(form.layout.rate_executed)
    change = annual - initial if initial is not None and annual is not None else None
    unspent = base - executed if base is not None and executed is not None else None
    return Movement(change, unspent)


class AmountSum(NamedTuple):
    """Σ of the forms' total rows in 万元: for one unit or one year, never across years (the caller groups)."""

    sums: dict[str, Decimal]  # by column, over the forms that fill it
    filled: dict[str, int]  # forms counted in each column
    executed: Decimal  # Σ executed over the forms that have both executed and the rate's base
    budget: Decimal  # Σ the rate's base over the same forms
    counted: int  # forms in the overall rate
    forms: int
    change: Decimal | None  # Σ (全年 − 年初) over the forms that have both
    unspent: Decimal | None

    @property
    def exact_rate(self) -> Decimal | None:
        """Σ executed ÷ Σ budget × 100 (unrounded; the profile rounds it)."""
        return self.executed / self.budget * HUNDRED if self.budget else None


class AmountTally:
    """amount_sum added up one form at a time: a summary of any number of forms keeps only the sums."""

    def __init__(self, columns: "tuple[str, ...] | list[str]", base: str = "annual", executed: str = "executed") -> None:
        self.columns, self.base, self.executed = tuple(columns), base, executed
        self.sums = {column: Decimal(0) for column in self.columns}
        self.filled = {column: 0 for column in self.columns}
        self.done, self.budget, self.counted, self.forms = Decimal(0), Decimal(0), 0, 0
        self.change: Decimal | None = None  # None until a form has one
        self.unspent: Decimal | None = None

    def add(self, form: "Form") -> None:
        self.forms += 1
        amounts = total_amounts(form)
        for column in self.columns:
            value = amounts.get(column)
            if value is not None:
                self.sums[column] += value
                self.filled[column] += 1
        spent, planned = amounts.get(self.executed), amounts.get(self.base)
        if spent is not None and planned is not None:
            self.done += spent
            self.budget += planned
            self.counted += 1
        moved = movement(form)
        if moved.change is not None:
            self.change = (self.change or Decimal(0)) + moved.change
        if moved.unspent is not None:
            self.unspent = (self.unspent or Decimal(0)) + moved.unspent

    def result(self) -> AmountSum:
        return AmountSum(dict(self.sums), dict(self.filled), self.done, self.budget, self.counted, self.forms,
                         self.change, self.unspent)


def amount_sum(forms: "list[Form] | tuple[Form, ...]", columns: "tuple[str, ...] | list[str]",
               base: str = "annual", executed: str = "executed") -> AmountSum:
    """Σ of each amount column over `forms` in 万元, and the overall rate Σ executed ÷ Σ base.

    `columns`, `base` and `executed` are the summary's (the configured layout's) column keys.
    A form whose base or executed cell is blank is left out of the rate, not counted as 0.
    """
    tally = AmountTally(columns, base, executed)
    for form in forms:
        tally.add(form)
    return tally.result()


class CategoryLoss(NamedTuple):
    level1: str  # the caption without its points (产出指标(50分) → 产出指标)
    level2: str  # "" on the row of the whole level-1 category
    indicators: int  # indicators that lost points
    forms: int  # forms they are on
    lost: Decimal  # Σ (分值 − 得分)


def deductions_by_category(forms: "list[Form] | tuple[Form, ...]") -> list[CategoryLoss]:
    """Points lost over `forms`, summed by level-1 category (level2 "") and, below each, by level-2 category,
    in the order the categories are first met."""
    found: dict[tuple[str, str], list] = {}
    for number, form in enumerate(forms):
        for ind in form.indicators:
            lost = deduction(ind)
            if lost is None or lost <= 0:
                continue
            for key in ((ind.level1_name, ""), (ind.level1_name, ind.level2_name)):
                entry = found.setdefault(key, [0, set(), Decimal(0)])
                entry[0] += 1
                entry[1].add(number)
                entry[2] += lost
    level1s = list(dict.fromkeys(l1 for l1, _ in found))
    ordered = sorted(found, key=lambda key: (level1s.index(key[0]), key[1] != ""))
    return [CategoryLoss(l1, l2, found[(l1, l2)][0], len(found[(l1, l2)][1]), found[(l1, l2)][2]) for l1, l2 in ordered]
