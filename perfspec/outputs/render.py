"""Reports: one form as HTML or Markdown, and a portfolio summary.

Python builds a *view* of each form — every cell already formatted as text,
every finding placed beside the cell it concerns — and Jinja2 templates lay it
out. The form is built in its layout (``perfspec/form/layouts/*.yaml``): the
title, header cells, funding rows and columns, indicator and score columns,
sections and signatures and every printed label come from there, and every
derived value (execution rate, deductions, "is this note an explanation")
from :mod:`perfspec.form.derived`. Templates never do arithmetic.

Escaping: HTML templates run with autoescape on, so a project name is text,
never markup. Markdown templates run with ``finalize=md_finalize``: every
``{{ value }}`` passes through :func:`md_escape` unless it is already
:class:`MdText`, so data can neither break a table row nor inject markup.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable
from urllib.parse import quote

from perfspec.diagnostics import ERROR, INFO, SEVERITY_ZH, WARNING, Finding, Path
from perfspec.form import derived
from perfspec.form.layout import Field, Layout, choose_layout, load_layout
from perfspec.form.model import Form, Indicator, Spec, build, two_places
from perfspec.profile import Profile

FORMATS = ("html", "md")
SUFFIX = {"html": ".html", "md": ".md"}
INDEX = {"html": "index.html", "md": "README.md"}
FORM_TEMPLATE = "form.{fmt}.j2"
PORTFOLIO_TEMPLATE = "portfolio.{fmt}.j2"
DEFAULT_OUTPUT = os.path.join("build", "report")
NOT_FILLED = "未填写"
# A deviation note that explains nothing (“无”, “/” …: the profile's trivial_notes) is not shown as one.
NO_REASON = "未说明原因（表中填“{}”）"

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the perfspec package
# In a wheel templates/ is mapped into the package as perfspec/templates; in a
# source checkout (or an editable install) it sits at the top of the repository.
_CANDIDATES = (os.path.join(_HERE, "templates"), os.path.join(os.path.dirname(_HERE), "templates"))

SEVERITY_EN = {ERROR: "error", WARNING: "warning", INFO: "info"}
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
# A finding whose path names a whole indicator row, placed on the cell it is about.
_CELL_HINT = {"PS201": "deviation"}


def templates_dir() -> str:
    for candidate in _CANDIDATES:
        if os.path.isfile(os.path.join(candidate, "form.html.j2")):
            return candidate
    raise FileNotFoundError("perfspec templates are missing from the installation")


# --------------------------------------------------------------------------- escaping


class MdText(str):
    """Markdown that is already safe: `md_finalize` leaves it alone (like markupsafe.Markup)."""


_MD_SPECIAL = re.compile(r"([\\|*_`\[\]~#])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\u0085\v\f\t]")


def md_escape(value: Any) -> MdText:
    """Data as inert Markdown text: safe in a table cell, a heading or a list item.

    ``& < >`` become the entities ``&amp; &lt; &gt;`` (so no tag and no entity of
    the data survives, and the text holds no raw ``<``); ``\\ | * _ ` [ ] ~ #`` are
    backslash-escaped (CommonMark lets any ASCII punctuation be escaped, GFM
    tables honour ``\\|``); every line break becomes a space, since a break would
    end a table row. `<br>` is not used: escaping must never emit markup from data.
    """
    if isinstance(value, MdText):
        return value
    text = "" if value is None else str(value)
    text = _LINE_BREAKS.sub(" ", text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return MdText(re.sub(r"[&<>]", lambda m: _MD_ENTITIES[m.group()], text))


def md_finalize(value: Any) -> Any:
    if value is None:
        return ""
    return md_escape(value)


def md_safe(value: Any) -> MdText:
    """Mark template-built Markdown as safe (the `md_safe` filter); never use it on data."""
    return MdText("" if value is None else str(value))


# --------------------------------------------------------------------------- numbers


def two(value: Decimal | None) -> str:
    """Two decimals as on the form (10 → 10.00); more decimals are shown as written, never rounded away."""
    return "" if value is None else two_places(value)


def as_written(value: Any) -> str:
    """A cell as the spec writes it: text as is, numbers in two-decimal form, blank for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, Decimal)):
        return two(Decimal(value))
    if isinstance(value, (dict, list)):
        return ""
    return str(value)


def written(value: Any) -> str:
    """年度指标值 / 实际完成值: exactly as written (a number keeps its own decimals)."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def rounded_rate(exact: Decimal | None, profile: Profile) -> Decimal | None:
    """An exact rate as the profile prints it (its first rounding), through the one home of that rule."""
    if exact is None:
        return None
    return next(iter(derived.accepted_rates(exact, profile).values()))


def row_rate(form: Form, row: str, profile: Profile) -> str:
    """执行率 of a funding source row, computed as the form's own rate is (derived.rate_basis on that row):
    0.00 for an empty row, `-` when undefined."""
    funds = form.funds
    if funds is None or row not in funds.rows:
        return "-"
    values = funds.rows[row]
    # The row read as if it were the whole form: the same base column, fallback and rounding.
    alone = form._replace(funds=funds._replace(rows={form.layout.total_row: values}))
    value = rounded_rate(derived.exact_rate(alone), profile)
    if value is not None:
        return two(value)
    executed, budget = values.get(form.layout.rate_executed), values.get(form.layout.rate_base or "annual")
    if executed is not None and executed == 0 and budget is not None and budget == 0:
        return "0.00"
    return "-"


def to_wan(value: Decimal | None, unit: str) -> Decimal | None:
    """Amounts in 万元 (a form in 元 is divided by 10 000, exactly)."""
    if value is None:
        return None
    return value / 10000 if unit == "元" else value


# --------------------------------------------------------------------------- layout captions


def layout_caption(layout: Layout, part: str, lang: str = "zh") -> str:
    """The printed caption of a block of the form: "total" (总分), "grade" (评分等级), "indicators" (绩效指标)."""
    return layout.label("blocks", part, lang)


def layout_for(data: Any, profile: Profile, layout: str | None = None, root: str | None = None) -> Layout:
    """The layout a spec is read in: its own `layout:`, else the configured one (`.perfspec.yaml`, the profile)."""
    chosen, _problem = choose_layout(data, layout or profile.layout, root)
    return chosen


# --------------------------------------------------------------------------- view model


@dataclass
class FindingView:
    number: int
    code: str
    severity: str  # error / warning / info
    severity_text: str  # 错误 / 警告 / 提示 (or English)
    message: str
    acknowledged: str | None  # the reason, when acknowledged
    line: int
    column: int
    path: str
    where: str  # the form's name for the place: “故障响应及时率 · 得分”

    @property
    def css(self) -> str:
        return "ack" if self.acknowledged is not None else self.severity


@dataclass
class Cell:
    text: str = ""
    marks: list[FindingView] = field(default_factory=list)

    @property
    def css(self) -> str:
        """`f-error` / `f-warning` / `f-info` / `f-ack` for the worst finding on the cell, else ''."""
        if not self.marks:
            return ""
        open_ = [m for m in self.marks if m.acknowledged is None]
        if not open_:
            return "f-ack"
        return "f-" + min(open_, key=lambda m: _RANK.get(m.severity, 9)).severity


@dataclass
class Row:
    cells: dict[str, Cell] = field(default_factory=dict)
    findings: list[FindingView] = field(default_factory=list)

    def __getattr__(self, name: str) -> Cell:
        if name.startswith("_") or name in ("cells", "findings"):
            raise AttributeError(name)
        try:
            return self.cells[name]
        except KeyError:
            raise AttributeError(name) from None

    def cell(self, name: str, text: str = "") -> Cell:
        if name not in self.cells:
            self.cells[name] = Cell(text)
        return self.cells[name]


@dataclass
class Column:
    """A column of the printed form: its key in the spec, its label as the layout prints it."""

    key: str
    label: str
    css: str = ""  # num / center / text
    width: float = 10  # share of the table's width (HTML) or Excel character units
    span: int = 1  # columns it covers (the last funds column fills the table's width)
    align: str = "---"  # Markdown alignment
    suffix: str = ""  # printed after the label in the column's head: 执行率(%)

    @property
    def head(self) -> str:
        return self.label + self.suffix


@dataclass
class HeaderItem:
    """One labelled cell of the form's header (项目名称, 主管部门 …), a section or a signature line."""

    key: str
    label: str
    cell: Cell
    span: int = 1  # columns of the value cell in the head table
    notes: list[FindingView] = field(default_factory=list)  # findings listed beside it (Markdown)


@dataclass
class HeaderLine(Row):
    items: list[HeaderItem] = field(default_factory=list)


@dataclass
class IndicatorRow(Row):
    level1: Cell = field(default_factory=Cell)
    level2: Cell = field(default_factory=Cell)
    level1_span: int = 0  # rowspan of the 一级指标 cell on the first row of its category, else 0
    level2_span: int = 0
    indicator: Indicator | None = None  # None: a category written without indicators


@dataclass
class Deduction:
    level1: str
    level2: str
    name: str
    weight: str
    score: str
    lost: str
    deviation: str | None  # None: no note that explains anything
    written: str | None = None  # what was written instead (“无”), when something was

    @property
    def missing(self) -> str:
        """What the report says in place of a missing explanation."""
        return NOT_FILLED if not self.written else NO_REASON.format(self.written)


@dataclass
class FormView:
    file: str
    slug: str
    href: str  # the form's report, relative to the portfolio
    loaded: bool
    error: str | None = None  # why a spec could not be loaded
    spec: Spec | None = None
    data: Any = None
    layout: Layout | None = None
    title: str = ""
    year_label: str = ""
    year: str = ""
    year_cell: Cell = field(default_factory=Cell)
    project_name: str = ""
    unit: str = "万元"
    columns: int = 8  # columns of the head table (header, funds, goals)
    head_widths: list[float] = field(default_factory=list)
    header_lines: list[HeaderLine] = field(default_factory=list)
    header_cells: dict[str, Cell] = field(default_factory=dict)
    funds_head: Row = field(default_factory=Row)
    funds_columns: list[Column] = field(default_factory=list)  # amounts, then 分值 / 执行率 / 得分 as the layout has them
    funds: list[Row] = field(default_factory=list)
    funds_rows: dict[str, Row] = field(default_factory=dict)  # by row key (total, appropriation, special_account …)
    funds_note: HeaderItem | None = None  # 调整原因 / 原因, when the spec states it
    goals_label: str = ""
    goals_fields: list[Column] = field(default_factory=list)
    goals: Row = field(default_factory=Row)
    indicators_head: Row = field(default_factory=Row)
    indicator_columns: list[Column] = field(default_factory=list)  # after 一级 / 二级指标
    level_labels: tuple[str, str] = ("", "")
    rows: list[IndicatorRow] = field(default_factory=list)
    show_total: bool = False
    total_span: int = 0  # columns of the 总分 label cell
    total: Row = field(default_factory=Row)
    show_grade: bool = False
    grade: Row = field(default_factory=Row)
    sections: list[HeaderLine] = field(default_factory=list)  # 评价结论, 存在问题, 改进措施 … that the spec writes
    signatures: HeaderLine = field(default_factory=HeaderLine)  # 填表人, 项目负责人 … that the spec writes
    findings: list[FindingView] = field(default_factory=list)
    unplaced: list[FindingView] = field(default_factory=list)  # about the whole file
    counts: dict[str, int] = field(default_factory=dict)
    deductions: list[Deduction] = field(default_factory=list)
    # The total row's amounts in 万元 (by column key) and key figures for the portfolio.
    amounts: dict[str, Decimal | None] = field(default_factory=dict)
    rate: str = ""
    rate_value: Decimal | None = None
    total_score: str = ""
    total_score_value: Decimal | None = None
    grade_text: str = ""

    @property
    def has_findings(self) -> bool:
        return bool(self.findings)

    @property
    def indicator_widths(self) -> list[float]:
        """Shares of the indicator table's width: 一级, 二级, then each column (they add up to 100)."""
        widths = [_HTML_WIDTH["level1"], _HTML_WIDTH["level2"]] + [c.width for c in self.indicator_columns]
        whole = sum(widths)
        return [w * 100 / whole for w in widths]

    @property
    def initial(self) -> Decimal | None:
        return self.amounts.get("initial")

    @property
    def annual(self) -> Decimal | None:
        return self.amounts.get("annual")

    @property
    def executed(self) -> Decimal | None:
        return self.amounts.get("executed")

    @property
    def department(self) -> str:
        cell = self.header_cells.get("department")
        return cell.text if cell else ""

    @property
    def implementer(self) -> str:
        cell = self.header_cells.get("implementer")
        return cell.text if cell else ""


def _text(value: Any) -> str:
    """A text cell (name, project, note …): as written, whatever its type."""
    return written(value)


def slugify(stem: str) -> str:
    stem = unicodedata.normalize("NFC", stem)
    slug = re.sub(r"[^\w.-]+", "-", stem, flags=re.UNICODE).strip("-.")
    return slug or "form"


def _finding_view(number: int, finding: Finding, lang: str) -> FindingView:
    severity_text = SEVERITY_ZH.get(finding.severity, finding.severity) if lang == "zh" else finding.severity
    return FindingView(
        number=number,
        code=finding.code,
        severity=finding.severity,
        severity_text=severity_text,
        message=finding.text(lang).replace("\n", " "),
        acknowledged=finding.acknowledged,
        line=finding.line,
        column=finding.column,
        path=finding.path,
        where="",
    )


class _Placer:
    """Puts each finding on the cell (and row) of the form it concerns."""

    def __init__(self, view: FormView, by_path: dict[Path, IndicatorRow], first_of: dict[Path, IndicatorRow]) -> None:
        self.view = view
        self.by_path = by_path  # ("indicators", l1, l2, i) → row
        self.first_of = first_of  # ("indicators", l1) / (…, l2) → the category's first row
        self.items: dict[str, tuple[Row, HeaderItem]] = {}
        for line in view.header_lines + view.sections + [view.signatures]:
            for item in line.items:
                self.items.setdefault(item.key, (line, item))

    def place(self, fv: FindingView, where: Path) -> None:
        target = self._target(fv, where)
        if target is None:
            fv.where = "全表"
            self.view.unplaced.append(fv)
            return
        row, cell, label = target
        fv.where = label
        cell.marks.append(fv)
        row.findings.append(fv)

    def _target(self, fv: FindingView, where: Path) -> tuple[Row, Cell, str] | None:
        v = self.view
        head = str(where[0]) if where else None
        if head is None:
            return None
        if head in self.items:
            row, item = self.items[head]
            return row, item.cell, item.label
        if head == "year" and v.header_lines:
            return v.header_lines[0], v.year_cell, v.year_label
        if head == "funds":
            return self._funds(where[1:])
        if head == "goals":
            keys = {c.key: c.label for c in v.goals_fields}
            key = str(where[1]) if len(where) > 1 and where[1] in keys else "label"
            return v.goals, v.goals.cell(key), keys.get(key, v.goals_label)
        if head == "indicators":
            return self._indicator(fv, where)
        if head == "total" and v.show_total:
            keys = {c.key: c.label for c in v.indicator_columns if c.key in v.total.cells}
            key = str(where[1]) if len(where) > 1 and where[1] in keys else "label"
            label = v.total.label.text
            return v.total, v.total.cell(key), f"{label} · {keys[key]}" if key in keys else label
        if head == "grade" and v.show_grade:
            return v.grade, v.grade.value, v.grade.label.text
        return None

    def _funds(self, rest: Path) -> tuple[Row, Cell, str]:
        v = self.view
        labels = {c.key: c.label for c in v.funds_columns}
        total = v.funds_rows.get(v.layout.total_row) if v.layout else None
        if rest and rest[0] in v.funds_rows:
            row = v.funds_rows[str(rest[0])]
            field_ = v.layout.funds_row(str(rest[0])) if v.layout else None
            label = field_.short if field_ else str(rest[0])
            if len(rest) > 1 and rest[1] in labels:
                col = str(rest[1])
                return row, row.cell(col), f"{label} · {labels[col]}"
            return row, row.label, label
        if total is not None and rest and rest[0] in labels:
            col = str(rest[0])
            return total, total.cell(col), f"{total.label.text} · {labels[col]}"
        if v.funds_note is not None and rest and rest[0] == v.funds_note.key:
            return v.funds_head, v.funds_note.cell, v.funds_note.label
        return v.funds_head, v.funds_head.label, v.layout.funds_zh if v.layout else ""

    def _indicator(self, fv: FindingView, where: Path) -> tuple[Row, Cell, str] | None:
        v = self.view
        labels = {c.key: c.label for c in v.indicator_columns}
        if len(where) >= 4:
            row = self.by_path.get(where[:4])
            if row is None:
                row = self.first_of.get(where[:3])
                if row is None:
                    return None
                return row, row.level2, f"{where[2]}"
            hint = _CELL_HINT.get(fv.code, "name")
            col = str(where[4]) if len(where) > 4 and where[4] in labels else (hint if hint in labels else "name")
            name = row.name.text or f"第 {int(where[3]) + 1} 项"
            return row, row.cell(col), f"{name} · {labels.get(col, col)}"
        if len(where) == 3:
            row = self.first_of.get(where)
            if row is not None:
                return row, row.level2, str(where[2])
        if len(where) == 2:
            row = self.first_of.get(where)
            if row is not None:
                return row, row.level1, str(where[1])
        return v.indicators_head, v.indicators_head.label, "绩效指标"


# Widths of the indicator columns as shares of the HTML table (normalised to 100) and in Excel units.
_HTML_WIDTH = {"level1": 9, "level2": 9, "name": 20, "nature": 7, "target": 11, "unit": 6, "actual": 10,
               "raw_score": 7, "weight": 7, "score": 7, "deviation": 27}
_XLSX_WIDTH = {"level1": 10, "level2": 14, "name": 22, "nature": 8, "target": 14, "unit": 8, "actual": 14,
               "raw_score": 9, "weight": 9, "score": 9, "deviation": 34}
_SCORE_KEYS = ("raw_score", "weight", "score")
_TEXT_KEYS = ("name", "deviation")
# Indicator cells every layout knows; a layout's other indicator labels (monitoring: 1–N月实际完成值,
# 完成目标可能性 …) are columns of its own.
_KNOWN_KEYS = frozenset(_HTML_WIDTH)


def indicator_columns(form: Form) -> list[Column]:
    """The indicator table's columns after 一级 / 二级指标, as the form's layout prints them."""
    layout = form.layout
    keys = ["name"]
    keys += ["nature", "target", "unit"] if layout.target_mode == "split" else ["target"]
    if form.kind.actuals:
        keys.append("actual")
    keys += [k for k in layout.labels.get("indicators", {}) if k not in _KNOWN_KEYS]
    keys += list(layout.scores)
    if form.kind.actuals or any("deviation" in ind.raw for ind in form.indicators):
        keys.append("deviation")
    out = []
    for key in keys:
        css = "num" if key in _SCORE_KEYS else "text" if key in _TEXT_KEYS else "center"
        out.append(Column(key, layout.label("indicators", key), css, _HTML_WIDTH.get(key, 10),
                          align="---:" if css == "num" else "---"))
    return out


def funds_columns(form: Form) -> list[Column]:
    """The funds block's columns: the layout's amounts, then 分值 / 执行率 / 得分 where the form has them."""
    layout, funds = form.layout, form.funds
    out = [Column(f.key, f.zh, "num", align="---:") for f in layout.funds_columns]
    if layout.funds_scored == "funds" or derived.budget_in_funds(form):
        scores: tuple[str, ...] = ("weight", "rate", "score")
    elif layout.rate_base is not None or (funds is not None and funds.stated("rate")):
        scores = ("rate",)
    else:
        scores = ()
    for key in scores:
        label = layout.label("funds", key)
        out.append(Column(key, label, "num", align="---:", suffix="(%)" if key == "rate" else ""))
    return out


def funds_row_keys(form: Form) -> list[str]:
    """The funding rows in the layout's order, then any other row the spec writes."""
    layout = form.layout
    keys = [layout.total_row] + [k for k in layout.source_rows if k != layout.total_row]
    if form.funds is not None:
        keys += [k for k in form.funds.rows if k not in keys and form.funds.stated(k)]
    return keys


def _spans(total: int, parts: int) -> list[int]:
    """`total` columns shared by `parts` cells, the first ones narrower: 7 → [3, 4], 6 → [3, 3]."""
    base = total // parts
    spans = [base] * parts
    spans[-1] += total - base * parts
    return spans


def _header(view: FormView, form: Form, n: int) -> None:
    """The header lines: the form's name cell alone, the other cells two by two."""
    root = form.has
    layout = form.layout
    fields: list[Field] = [f for f in layout.header if f.key != "year"]
    shown = [f for i, f in enumerate(fields) if i == 0 or f.required or f.key in root]
    items = []
    for f in shown:
        cell = Cell(_text(root.get(f.key)))
        view.header_cells[f.key] = cell
        items.append(HeaderItem(f.key, f.zh, cell))
    groups = [items[:1]] + [items[i:i + 2] for i in range(1, len(items), 2)]
    for group in groups:
        if not group:
            continue
        # Each label takes one column; the values share the rest.
        for item, span in zip(group, _spans(n - len(group), len(group))):
            item.span = span
        view.header_lines.append(HeaderLine(cells={i.key: i.cell for i in group}, items=group))
    if view.header_lines:
        view.header_lines[0].cells["year"] = view.year_cell


def _lines_of(form: Form, fields: Iterable[Field], skip: Iterable[str] = ()) -> list[HeaderItem]:
    root = form.has
    skipped = set(skip)
    return [HeaderItem(f.key, f.zh, Cell(_text(root.get(f.key)))) for f in fields if f.key in root and f.key not in skipped]


def form_view(
    file: str,
    slug: str,
    data: Any,
    findings: Iterable[Finding],
    profile: Profile,
    lang: str = "zh",
    layout: Layout | str | None = None,
    root: str | None = None,
) -> FormView:
    """The view of one form, laid out as its layout prints it.

    `layout` is the configured layout (a Layout, or a name resolved under `root`); None: the profile's.
    The spec's own `layout:` and `kind:` still decide, as in `perfspec check`.
    """
    chosen = layout if isinstance(layout, Layout) else layout_for(data, profile, layout, root)
    spec = build(data, chosen)
    layout_ = spec.layout
    root_map = spec.has
    view = FormView(file=file, slug=slug, href=slug, loaded=True, spec=spec, data=data, layout=layout_)
    view.title = layout_.title or spec.kind.zh
    view.year_label = layout_.label("header", "year")
    view.year = written(root_map.get("year"))
    view.year_cell = Cell(view.year)
    first = next((f.key for f in layout_.header if f.key != "year"), None)
    view.project_name = _text(root_map.get(first)) if first else ""

    funds = spec.funds
    view.unit = funds.unit if funds else layout_.funds_unit
    view.funds_columns = funds_columns(spec)
    n = max(2 + len(view.funds_columns), 4)
    view.columns = n
    if view.funds_columns:
        view.funds_columns[-1].span = n - 1 - len(view.funds_columns)
    view.head_widths = [11, 17] + [72 / (n - 2)] * (n - 2)
    _header(view, spec, n)

    view.funds_head = Row({"label": Cell(f"{layout_.funds_zh}（{view.unit}）")})
    total_key = layout_.total_row
    for key in funds_row_keys(spec):
        values = funds.rows.get(key, {}) if funds else {}
        field_ = layout_.funds_row(key)
        row = Row({"label": Cell(field_.zh if field_ else key)})
        for column in view.funds_columns:
            if column.key in ("weight", "rate", "score"):
                continue
            row.cells[column.key] = Cell(two(values.get(column.key)))
        if key == total_key:
            row.cells["weight"] = Cell(two(funds.weight) if funds else "")
            rate = funds.rate if funds else None
            if rate is None and funds is not None and layout_.row_rates:
                rate = funds.row_rates.get(key)
            row.cells["rate"] = Cell(two(rate))
            row.cells["score"] = Cell(two(funds.score) if funds else "")
        else:
            row.cells["weight"] = Cell("-")
            if layout_.row_rates:
                row.cells["rate"] = Cell(two(funds.row_rates.get(key)) if funds else "")
            else:
                row.cells["rate"] = Cell(row_rate(spec, key, profile))
            row.cells["score"] = Cell("-")
        view.funds.append(row)
        view.funds_rows[key] = row
    if funds is not None and funds.stated("deviation"):
        label = layout_.label("funds", "deviation")
        view.funds_note = HeaderItem("deviation", label, Cell(_text(funds.raw.get("deviation"))), n - 1)
        view.funds_head.cells["deviation"] = view.funds_note.cell

    goals = root_map.get("goals") if isinstance(root_map.get("goals"), dict) else {}
    view.goals_label = layout_.goals_zh
    view.goals = Row({"label": Cell(layout_.goals_zh)})
    goal_fields = list(layout_.goals)
    for f, span in zip(goal_fields, _spans(n - 1, len(goal_fields)) if goal_fields else []):
        view.goals_fields.append(Column(f.key, f.zh, "text", span=span))
        view.goals.cells[f.key] = Cell(_text(goals.get(f.key)))
    view.indicators_head = Row({"label": Cell("绩效指标")})

    view.indicator_columns = indicator_columns(spec)
    split = layout_.target_mode == "split"
    view.level_labels = (layout_.label("indicators", "level1"), layout_.label("indicators", "level2"))
    by_path: dict[Path, IndicatorRow] = {}
    first_of: dict[Path, IndicatorRow] = {}
    by_group: dict[tuple[str, str], list[Indicator]] = {}
    for ind in spec.indicators:
        by_group.setdefault((ind.level1, ind.level2), []).append(ind)
    for level1, level2s in spec.categories:
        l1_rows: list[IndicatorRow] = []
        for level2 in level2s or (None,):  # None: a level-1 category written without level-2 ones
            items = by_group.get((level1, level2), []) if level2 is not None else []
            l2_rows: list[IndicatorRow] = []
            for ind in items or [None]:
                row = IndicatorRow(indicator=ind)
                # Captions as printed: 产出指标(50分) keeps its points.
                row.level1, row.level2 = Cell(level1), Cell(level2 or "")
                for column in view.indicator_columns:
                    row.cells[column.key] = Cell(_indicator_cell(ind, column.key, split) if ind is not None else "")
                if ind is not None:
                    by_path[ind.path] = row
                l2_rows.append(row)
            l2_rows[0].level2_span = len(l2_rows)
            first_of.setdefault(("indicators", level1, level2 or ""), l2_rows[0])
            l1_rows.extend(l2_rows)
        l1_rows[0].level1_span = len(l1_rows)
        first_of.setdefault(("indicators", level1), l1_rows[0])
        view.rows.extend(l1_rows)
    # Level-2 cells share the level-1 cell object of the first row of their category
    # so that a marker on the category shows on the merged cell.
    for row in view.rows:
        if row.level1_span == 0:
            row.level1 = first_of[("indicators", row.level1.text)].level1
        if row.level2_span == 0:
            row.level2 = first_of[("indicators", row.level1.text, row.level2.text)].level2

    scores = [c.key for c in view.indicator_columns if c.key in _SCORE_KEYS]
    total_raw = spec.total or {}
    view.show_total = layout_.has_total and bool(scores)
    view.total = Row({"label": Cell(layout_caption(layout_, "total"))})
    if scores:
        view.total_span = 2 + next(i for i, c in enumerate(view.indicator_columns) if c.key in _SCORE_KEYS)
    for key in scores:
        if key == "weight":
            text = two(spec.total_weight) if spec.total_weight is not None else as_written(total_raw.get("weight"))
        elif key == "score":
            text = two(spec.total_score) if spec.total_score is not None else as_written(total_raw.get("score"))
        else:
            text = as_written(total_raw.get(key))
        view.total.cells[key] = Cell(text)
    view.show_grade = layout_.has_grade and (bool(scores) or "grade" in root_map)
    view.grade = Row({"label": Cell(layout_caption(layout_, "grade")), "value": Cell(_text(spec.grade))})

    header_keys = set(view.header_cells)
    for item in _lines_of(spec, layout_.sections, header_keys):
        item.span = n - 1
        view.sections.append(HeaderLine(cells={item.key: item.cell}, items=[item]))
    signatures = _lines_of(spec, layout_.signatures, header_keys | {i.key for line in view.sections for i in line.items})
    view.signatures = HeaderLine(cells={i.key: i.cell for i in signatures}, items=signatures)

    placer = _Placer(view, by_path, first_of)
    for number, finding in enumerate(findings, start=1):
        fv = _finding_view(number, finding, lang)
        view.findings.append(fv)
        placer.place(fv, tuple(finding.where))
    view.counts = _counts(view.findings)
    # Markdown lists the findings of a header cell beside it; the year's sit with the first line.
    for index, line in enumerate(view.header_lines + view.sections):
        for item in line.items:
            item.notes = list(line.findings) if len(line.items) == 1 else list(item.cell.marks)
        if index == 0 and len(line.items) > 1:
            line.items[0].notes = sorted(line.items[0].notes + view.year_cell.marks, key=lambda f: f.number)
    for item in view.signatures.items:
        item.notes = list(item.cell.marks)
    if view.funds_note is not None:
        view.funds_note.notes = list(view.funds_note.cell.marks)

    if "weight" in scores and "score" in scores and "raw_score" not in scores:
        for ind in spec.indicators:
            lost = derived.deduction(ind)
            if lost is None or lost <= 0:
                continue
            real = derived.has_real_note(ind.deviation, profile)
            note = ind.deviation.strip() if real and ind.deviation else None
            shown = ind.deviation.strip() if not real and ind.deviation and ind.deviation.strip() else None
            view.deductions.append(Deduction(
                ind.level1, ind.level2, ind.label, two(ind.weight), two(ind.score), two(lost), note, shown,
            ))

    if funds:
        total_row = funds.rows.get(total_key, {})
        view.amounts = {c.key: to_wan(total_row.get(c.key), funds.unit) for c in layout_.funds_columns}
        view.rate_value = funds.rate if funds.rate is not None else rounded_rate(derived.exact_rate(spec), profile)
        view.rate = two(view.rate_value)
    view.total_score_value = spec.total_score
    view.total_score = view.total.score.text if "score" in view.total.cells else two(spec.total_score)
    view.grade_text = view.grade.value.text
    return view


def _indicator_cell(ind: Indicator, key: str, split: bool) -> str:
    """One cell of an indicator row as written: numbers with their decimals, a split target in its parts."""
    raw = ind.raw
    target = raw.get("target")
    if key == "name":
        return _text(raw.get("name"))
    if key == "target":
        if isinstance(target, dict):
            # 指标性质 | 指标值 | 度量单位: the value alone; one 年度指标值 cell: the whole target (≥90%).
            return written(target.get("value")) if split else written(ind.target)
        return written(target)
    if key == "nature":
        if "nature" not in raw and isinstance(target, dict):
            return written(target.get("operator"))
        return written(raw.get("nature"))
    if key == "unit":
        return written(ind.unit)
    if key in _SCORE_KEYS:
        return as_written(raw.get(key))
    if key == "deviation":
        return _text(raw.get("deviation"))
    return written(raw.get(key))


def _counts(findings: list[FindingView]) -> dict[str, int]:
    counts = {ERROR: 0, WARNING: 0, INFO: 0, "acknowledged": 0}
    for f in findings:
        if f.acknowledged is not None:
            counts["acknowledged"] += 1
        else:
            counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def failed_view(file: str, slug: str, error: str, findings: Iterable[Finding] = (), lang: str = "zh") -> FormView:
    view = FormView(file=file, slug=slug, href=slug, loaded=False, error=error)
    view.project_name = ""
    view.findings = [_finding_view(n, f, lang) for n, f in enumerate(findings, start=1)]
    for fv in view.findings:
        fv.where = "全表"
    view.unplaced = list(view.findings)
    view.counts = _counts(view.findings)
    return view


def load_error(result: Any, lang: str = "zh") -> str:
    """One line saying why a file gave no document: the I/O problem or the first loader finding."""
    if result.io_error:
        return result.io_error if lang == "zh" else (result.io_error_en or result.io_error)
    if result.findings:
        first = result.findings[0]
        return f"第 {first.line} 行：{first.code} {first.text(lang)}" if lang == "zh" else (
            f"line {first.line}: {first.code} {first.text(lang)}"
        )
    return "无法读取" if lang == "zh" else "cannot be read"


# --------------------------------------------------------------------------- portfolio


@dataclass
class Bar:
    """One form in the chart; every coordinate is already a string (Decimal arithmetic)."""

    label: str
    full: str
    href: str
    label_y: str
    score_y: str
    score_w: str
    score_text: str
    score_text_x: str
    score_text_y: str
    rate_y: str
    rate_w: str
    rate_text: str
    rate_text_x: str
    rate_text_y: str


@dataclass
class Chart:
    width: int
    height: int
    label_w: int
    bar_w: int
    bars: list[Bar]
    ticks: list[tuple[str, str]]  # (x, label)
    top: int


@dataclass
class Portfolio:
    forms: list[FormView]
    loaded: list[FormView]
    failed: list[FormView]
    years: list[str]
    departments: list[str]
    implementers: list[str]
    profile: str
    layout: Layout  # the configured layout: the summary's column labels
    columns: list[Column]  # the amount columns of the summary, the configured layout's
    sums: dict[str, str]  # Σ of each amount column over the forms, in 万元
    rate: str
    rate_note: str
    rate_formula: str  # 合计执行率 = Σ executed ÷ Σ budget × 100, in the layout's words
    converted: bool  # some form in 元 was converted to 万元
    grades: list[tuple[str, int]]
    deductions: list[tuple[FormView, Deduction]]
    counts: dict[str, int]
    chart: Chart

    @property
    def initial(self) -> str:
        return self.sums.get("initial", "")

    @property
    def annual(self) -> str:
        return self.sums.get("annual", "")

    @property
    def executed(self) -> str:
        return self.sums.get("executed", "")

    def label(self, part: str, key: str) -> str:
        """A label of the configured layout (项目名称, 执行率 …), as the summary's columns print it."""
        return self.layout.label(part, key)

    def caption(self, part: str) -> str:
        return layout_caption(self.layout, part)


def _unique(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return out


def _short(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _coord(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.1")), "f")


def _chart(forms: list[FormView]) -> Chart:
    label_w, bar_w, row_h, top = 250, 520, 46, 40
    values = [f.total_score_value for f in forms if f.total_score_value is not None]
    values += [f.rate_value for f in forms if f.rate_value is not None]
    scale_max = max([Decimal(100)] + values)

    def width(value: Decimal | None) -> Decimal:
        if value is None or value <= 0:
            return Decimal(0)
        return value / scale_max * bar_w

    bars = []
    for i, f in enumerate(forms):
        y = Decimal(top + i * row_h)
        name = f.project_name or f.file
        score_w, rate_w = width(f.total_score_value), width(f.rate_value)
        bars.append(Bar(
            label=_short(name), full=name, href=f.href, label_y=_coord(y + 21),
            score_y=_coord(y), score_w=_coord(score_w), score_text=f.total_score or "—",
            score_text_x=_coord(label_w + score_w + 5), score_text_y=_coord(y + 12),
            rate_y=_coord(y + 18), rate_w=_coord(rate_w), rate_text=(f.rate + "%") if f.rate else "—",
            rate_text_x=_coord(label_w + rate_w + 5), rate_text_y=_coord(y + 30),
        ))
    ticks = []
    for step in range(0, 5):
        value = scale_max * step / 4
        label = format(value.quantize(Decimal("0.01")), "f").rstrip("0").rstrip(".")
        ticks.append((_coord(label_w + value / scale_max * bar_w), label))
    height = top + max(1, len(forms)) * row_h + 24
    return Chart(width=label_w + bar_w + 90, height=height, label_w=label_w, bar_w=bar_w, bars=bars, ticks=ticks, top=top)


def portfolio_view(forms: list[FormView], profile: Profile, layout: Layout | str | None = None,
                   root: str | None = None) -> Portfolio:
    """The summary of a folder of forms; its column labels are those of the configured layout."""
    chosen = layout if isinstance(layout, Layout) else load_layout(layout or profile.layout, root)
    loaded = [f for f in forms if f.loaded]
    failed = [f for f in forms if not f.loaded]
    columns = [Column(f.key, f.zh, "num", align="---:") for f in chosen.funds_columns]
    sums = {c.key: Decimal(0) for c in columns}
    base, done = chosen.rate_base or "annual", chosen.rate_executed
    rate_forms = 0
    sum_exec, sum_base = Decimal(0), Decimal(0)
    for f in loaded:
        for key in sums:
            value = f.amounts.get(key)
            if value is not None:
                sums[key] += value
        executed, budget = f.amounts.get(done), f.amounts.get(base)
        if executed is not None and budget is not None:
            sum_exec += executed
            sum_base += budget
            rate_forms += 1
    # Σ executed ÷ Σ budget over the forms, rounded as the profile rounds a form's rate.
    overall = rounded_rate(sum_exec / sum_base * 100, profile) if sum_base else None
    executed_field, base_field = chosen.funds_column(done), chosen.funds_column(base)
    executed_label = executed_field.zh if executed_field else chosen.label("funds", done)
    base_label = base_field.zh if base_field else chosen.label("funds", base)
    missing = len(loaded) - rate_forms
    note = f"（{missing} 张表的{base_label}或{executed_label}为空，未计入）" if missing else ""
    formula = f"合计{chosen.label('funds', 'rate')} = Σ{executed_label} ÷ Σ{base_label} × 100"

    order = [g for g, _ in profile.grades]
    tally: dict[str, int] = {g: 0 for g in order}
    for f in loaded:
        key = f.grade_text or NOT_FILLED
        tally[key] = tally.get(key, 0) + 1
    counts = {ERROR: 0, WARNING: 0, INFO: 0, "acknowledged": 0}
    for f in forms:
        for key, value in f.counts.items():
            counts[key] = counts.get(key, 0) + value
    return Portfolio(
        forms=forms,
        loaded=loaded,
        failed=failed,
        years=_unique(f.year for f in loaded),
        departments=_unique(f.department for f in loaded),
        implementers=_unique(f.implementer for f in loaded),
        profile=profile.name,
        layout=chosen,
        columns=columns,
        sums={key: two(value) for key, value in sums.items()},
        rate=two(overall) if overall is not None else "-",
        rate_note=note,
        rate_formula=formula,
        converted=any(f.unit == "元" for f in loaded),
        grades=list(tally.items()),
        deductions=[(f, d) for f in loaded for d in f.deductions],
        counts=counts,
        chart=_chart(loaded),
    )


# --------------------------------------------------------------------------- Jinja2


def environment(fmt: str, user_dir: str | None = None) -> Any:
    """A Jinja2 environment: the user's folder first, then the bundled templates, file by file."""
    import jinja2

    loaders = [jinja2.FileSystemLoader(user_dir)] if user_dir else []
    loaders.append(jinja2.FileSystemLoader(templates_dir()))
    options: dict[str, Any] = dict(
        loader=jinja2.ChoiceLoader(loaders),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    if fmt == "html":
        env = jinja2.Environment(autoescape=True, **options)
    else:
        env = jinja2.Environment(autoescape=False, finalize=md_finalize, **options)
    env.filters["md_escape"] = md_escape
    env.filters["md_safe"] = md_safe
    env.filters["two"] = two
    env.filters["urlquote"] = lambda s: quote(str(s))
    env.globals["NOT_FILLED"] = NOT_FILLED
    env.globals["caption"] = layout_caption
    return env


def render_form(env: Any, fmt: str, view: FormView, index_href: str | None = None, profile: str = "") -> str:
    """One form; `layout` and `TITLE` (the layout's title) are in the context besides `form`."""
    template = env.get_template(FORM_TEMPLATE.format(fmt=fmt))
    return template.render(form=view, layout=view.layout, TITLE=view.title, index_href=index_href, profile=profile)


def render_portfolio(env: Any, fmt: str, portfolio: Portfolio) -> str:
    template = env.get_template(PORTFOLIO_TEMPLATE.format(fmt=fmt))
    return template.render(p=portfolio, layout=portfolio.layout, TITLE=portfolio.layout.title, profile=portfolio.profile)


def slugs_for(files: list[str]) -> dict[str, str]:
    """Report names: the file's stem (it-operations), or its path below the common folder when stems clash."""
    stems = {f: slugify(os.path.splitext(os.path.basename(f))[0]) for f in files}
    if len(set(stems.values())) == len(files):
        return stems
    absolute = {f: os.path.abspath(f) for f in files}
    common = os.path.commonpath([os.path.dirname(a) for a in absolute.values()]) if files else ""
    out: dict[str, str] = {}
    for f in files:
        rel = os.path.splitext(os.path.relpath(absolute[f], common))[0]
        base = slugify(rel.replace(os.sep, "-"))
        slug, n = base, 2
        while slug in out.values():
            slug, n = f"{base}-{n}", n + 1
        out[f] = slug
    return out
