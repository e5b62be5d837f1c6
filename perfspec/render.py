"""Reports: one self-evaluation form as HTML or Markdown, and a portfolio summary.

Python builds a *view* of each form — every cell already formatted as text,
every finding placed beside the cell it concerns — and Jinja2 templates lay it
out. Templates never do arithmetic; all of it is ``decimal.Decimal`` here.

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
from perfspec.form.model import FUNDS_ROWS, Funds, Indicator, Spec, build, two_places
from perfspec.profile import Profile, quantize

FORMATS = ("html", "md")
SUFFIX = {"html": ".html", "md": ".md"}
INDEX = {"html": "index.html", "md": "README.md"}
FORM_TEMPLATE = "form.{fmt}.j2"
PORTFOLIO_TEMPLATE = "portfolio.{fmt}.j2"
DEFAULT_OUTPUT = os.path.join("build", "report")
TITLE = "财政项目支出绩效自评表"
NOT_FILLED = "未填写"

_HERE = os.path.dirname(os.path.abspath(__file__))
# In a wheel templates/ is mapped into the package as perfspec/templates; in a
# source checkout (or an editable install) it sits at the top of the repository.
_CANDIDATES = (os.path.join(_HERE, "templates"), os.path.join(os.path.dirname(_HERE), "templates"))

SEVERITY_EN = {ERROR: "error", WARNING: "warning", INFO: "info"}
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
_FIELDS = ("name", "target", "actual", "weight", "score", "deviation")
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


def rate(executed: Decimal | None, annual: Decimal | None, profile: Profile) -> Decimal | None:
    if executed is None or annual is None or annual == 0:
        return None
    return quantize(executed / annual * 100, profile.rate_rounding[0])


def row_rate(executed: Decimal | None, annual: Decimal | None, profile: Profile) -> str:
    """执行率 of a funds sub-row: computed, as the form does; 0.00 for an empty row, `-` when undefined."""
    if executed is not None and annual is not None and annual == 0:
        return "0.00" if executed == 0 else "-"
    value = rate(executed, annual, profile)
    return "-" if value is None else two(value)


def to_wan(value: Decimal | None, unit: str) -> Decimal | None:
    """Amounts in 万元 (a form in 元 is divided by 10 000, exactly)."""
    if value is None:
        return None
    return value / 10000 if unit == "元" else value


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
    deviation: str | None  # None: 未填写


@dataclass
class FormView:
    file: str
    slug: str
    href: str  # the form's report, relative to the portfolio
    loaded: bool
    error: str | None = None  # why a spec could not be loaded
    spec: Spec | None = None
    data: Any = None
    title: str = TITLE
    year: str = ""
    project_name: str = ""
    unit: str = "万元"
    header: dict[str, Row] = field(default_factory=dict)  # project, parties (主管部门 + 实施单位)
    funds_head: Row = field(default_factory=Row)
    funds: list[Row] = field(default_factory=list)
    goals: Row = field(default_factory=Row)
    indicators_head: Row = field(default_factory=Row)
    rows: list[IndicatorRow] = field(default_factory=list)
    total: Row = field(default_factory=Row)
    grade: Row = field(default_factory=Row)
    findings: list[FindingView] = field(default_factory=list)
    unplaced: list[FindingView] = field(default_factory=list)  # about the whole file
    counts: dict[str, int] = field(default_factory=dict)
    deductions: list[Deduction] = field(default_factory=list)
    # Totals in 万元 and key figures for the portfolio.
    initial: Decimal | None = None
    annual: Decimal | None = None
    executed: Decimal | None = None
    rate: str = ""
    rate_value: Decimal | None = None
    total_score: str = ""
    total_score_value: Decimal | None = None
    grade_text: str = ""

    @property
    def has_findings(self) -> bool:
        return bool(self.findings)

    @property
    def department(self) -> str:
        return self.header["parties"].department.text if "parties" in self.header else ""

    @property
    def implementer(self) -> str:
        return self.header["parties"].implementer.text if "parties" in self.header else ""


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
        head = where[0] if where else None
        if head == "project":
            row = v.header["project"]
            return row, row.project, "项目名称"
        if head in ("department", "implementer"):
            row = v.header["parties"]
            return row, row.cell(head), "主管部门" if head == "department" else "实施单位"
        if head == "year":
            row = v.header["project"]
            return row, row.cell("year"), "年度"
        if head == "funds":
            return self._funds(where[1:])
        if head == "goals":
            key = where[1] if len(where) > 1 and where[1] in ("expected", "achieved") else "label"
            label = {"expected": "预期目标", "achieved": "实际完成情况"}.get(str(key), "年度总体目标")
            return v.goals, v.goals.cell(str(key)), label
        if head == "indicators":
            return self._indicator(fv, where)
        if head == "total":
            key = where[1] if len(where) > 1 and where[1] in ("weight", "score") else "label"
            label = {"weight": "总分 · 分值", "score": "总分 · 得分"}.get(str(key), "总分")
            return v.total, v.total.cell(str(key)), label
        if head == "grade":
            return v.grade, v.grade.value, "评分等级"
        return None

    def _funds(self, rest: Path) -> tuple[Row, Cell, str]:
        v = self.view
        rows = dict(zip(FUNDS_ROWS, v.funds))
        total = rows["total"]
        if rest and rest[0] in rows:
            row = rows[str(rest[0])]
            field = self.view.spec.layout.funds_row(str(rest[0]))
            label = field.short if field else str(rest[0])
            if len(rest) > 1 and rest[1] in ("initial", "annual", "executed"):
                col = str(rest[1])
                return row, row.cell(col), f"{label} · {_COLUMN_ZH[col]}"
            return row, row.label, label
        if rest and rest[0] in ("weight", "rate", "score"):
            col = str(rest[0])
            return total, total.cell(col), f"年度资金总额 · {_COLUMN_ZH[col]}"
        return v.funds_head, v.funds_head.label, "项目资金"

    def _indicator(self, fv: FindingView, where: Path) -> tuple[Row, Cell, str] | None:
        v = self.view
        if len(where) >= 4:
            row = self.by_path.get(where[:4])
            if row is None:
                row = self.first_of.get(where[:3])
                if row is None:
                    return None
                return row, row.level2, f"{where[2]}"
            col = str(where[4]) if len(where) > 4 and where[4] in _FIELDS else _CELL_HINT.get(fv.code, "name")
            name = row.name.text or f"第 {int(where[3]) + 1} 项"
            return row, row.cell(col), f"{name} · {_COLUMN_ZH[col]}"
        if len(where) == 3:
            row = self.first_of.get(where)
            if row is not None:
                return row, row.level2, str(where[2])
        if len(where) == 2:
            row = self.first_of.get(where)
            if row is not None:
                return row, row.level1, str(where[1])
        return v.indicators_head, v.indicators_head.label, "绩效指标"


_COLUMN_ZH = {
    "initial": "年初预算数",
    "annual": "全年预算数",
    "executed": "全年执行数",
    "weight": "分值",
    "rate": "执行率",
    "score": "得分",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "deviation": "偏差原因分析及改进措施",
}


def form_view(
    file: str,
    slug: str,
    data: Any,
    findings: Iterable[Finding],
    profile: Profile,
    lang: str = "zh",
) -> FormView:
    spec = build(data)
    root = spec.has
    view = FormView(file=file, slug=slug, href=slug, loaded=True, spec=spec, data=data)
    view.year = written(root.get("year"))
    view.project_name = _text(root.get("project"))

    view.header["project"] = Row({"project": Cell(view.project_name), "year": Cell(view.year)})
    view.header["parties"] = Row(
        {"department": Cell(_text(root.get("department"))), "implementer": Cell(_text(root.get("implementer")))}
    )

    funds: Funds | None = spec.funds
    view.unit = funds.unit if funds else "万元"
    view.funds_head = Row({"label": Cell(f"项目资金（{view.unit}）")})
    for key in FUNDS_ROWS:
        values = funds.rows[key] if funds else {"initial": None, "annual": None, "executed": None}
        field = spec.layout.funds_row(key)
        label = field.zh if field else key
        row = Row({
            "label": Cell(label),
            "initial": Cell(two(values["initial"])),
            "annual": Cell(two(values["annual"])),
            "executed": Cell(two(values["executed"])),
        })
        if key == "total":
            row.cells["weight"] = Cell(two(funds.weight) if funds else "")
            row.cells["rate"] = Cell(two(funds.rate) if funds else "")
            row.cells["score"] = Cell(two(funds.score) if funds else "")
        else:
            row.cells["weight"] = Cell("-")
            row.cells["rate"] = Cell(row_rate(values["executed"], values["annual"], profile))
            row.cells["score"] = Cell("-")
        view.funds.append(row)

    goals = root.get("goals") if isinstance(root.get("goals"), dict) else {}
    view.goals = Row({
        "label": Cell("年度总体目标"),
        "expected": Cell(_text(goals.get("expected"))),
        "achieved": Cell(_text(goals.get("achieved"))),
    })
    view.indicators_head = Row({"label": Cell("绩效指标")})

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
                row.level1, row.level2 = Cell(level1), Cell(level2 or "")
                for name in _FIELDS:
                    row.cells[name] = Cell("")
                if ind is not None:
                    raw = ind.raw
                    row.cells["name"] = Cell(_text(raw.get("name")))
                    row.cells["target"] = Cell(written(raw.get("target")))
                    row.cells["actual"] = Cell(written(raw.get("actual")))
                    row.cells["weight"] = Cell(as_written(raw.get("weight")))
                    row.cells["score"] = Cell(as_written(raw.get("score")))
                    row.cells["deviation"] = Cell(_text(raw.get("deviation")))
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

    view.total = Row({
        "label": Cell("总分"),
        "weight": Cell(two(spec.total_weight) if spec.total_weight is not None else as_written((spec.total or {}).get("weight"))),
        "score": Cell(two(spec.total_score) if spec.total_score is not None else as_written((spec.total or {}).get("score"))),
    })
    view.grade = Row({"label": Cell("评分等级"), "value": Cell(_text(spec.grade))})

    placer = _Placer(view, by_path, first_of)
    for number, finding in enumerate(findings, start=1):
        fv = _finding_view(number, finding, lang)
        view.findings.append(fv)
        placer.place(fv, tuple(finding.where))
    view.counts = _counts(view.findings)

    for ind in spec.indicators:
        if ind.weight is not None and ind.score is not None and ind.score < ind.weight:
            note = ind.deviation.strip() if ind.deviation and ind.deviation.strip() else None
            view.deductions.append(Deduction(
                ind.level1, ind.level2, ind.label, two(ind.weight), two(ind.score), two(ind.weight - ind.score), note,
            ))

    if funds:
        total = funds.rows["total"]
        view.initial = to_wan(total["initial"], funds.unit)
        view.annual = to_wan(total["annual"], funds.unit)
        view.executed = to_wan(total["executed"], funds.unit)
        view.rate_value = funds.rate if funds.rate is not None else rate(total["executed"], total["annual"], profile)
        view.rate = two(view.rate_value)
    view.total_score_value = spec.total_score
    view.total_score = view.total.score.text
    view.grade_text = view.grade.value.text
    return view


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
    initial: str
    annual: str
    executed: str
    rate: str
    rate_note: str
    converted: bool  # some form in 元 was converted to 万元
    grades: list[tuple[str, int]]
    deductions: list[tuple[FormView, Deduction]]
    counts: dict[str, int]
    chart: Chart


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


def portfolio_view(forms: list[FormView], profile: Profile) -> Portfolio:
    loaded = [f for f in forms if f.loaded]
    failed = [f for f in forms if not f.loaded]
    sums = {"initial": Decimal(0), "annual": Decimal(0), "executed": Decimal(0)}
    rate_forms = 0
    sum_exec, sum_annual = Decimal(0), Decimal(0)
    for f in loaded:
        for key in sums:
            value = getattr(f, key)
            if value is not None:
                sums[key] += value
        if f.executed is not None and f.annual is not None:
            sum_exec += f.executed
            sum_annual += f.annual
            rate_forms += 1
    overall = rate(sum_exec, sum_annual, profile)
    missing = len(loaded) - rate_forms
    note = f"（{missing} 张表的全年预算数或全年执行数为空，未计入）" if missing else ""

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
        initial=two(sums["initial"]),
        annual=two(sums["annual"]),
        executed=two(sums["executed"]),
        rate=two(overall) if overall is not None else "-",
        rate_note=note,
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
    env.globals["TITLE"] = TITLE
    env.globals["NOT_FILLED"] = NOT_FILLED
    return env


def render_form(env: Any, fmt: str, view: FormView, index_href: str | None = None, profile: str = "") -> str:
    template = env.get_template(FORM_TEMPLATE.format(fmt=fmt))
    return template.render(form=view, index_href=index_href, profile=profile)


def render_portfolio(env: Any, fmt: str, portfolio: Portfolio) -> str:
    template = env.get_template(PORTFOLIO_TEMPLATE.format(fmt=fmt))
    return template.render(p=portfolio, profile=portfolio.profile)


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
