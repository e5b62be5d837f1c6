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
Text in a CSS string (the page header of a printed form) goes through
:func:`css_string`, which escapes every character that could end the string
or the style sheet.

Modes (:class:`Mode`): the screen report (findings beside their cells, the
default), and the *paper* form (``--print``, and always for PDF): the official
form alone in its layout's orientation (:func:`orientation`), a page header with
the project's name, 第 x 页 共 y 页 in the footer, the layout's signature block,
and findings left out, in a margin column, or in an appendix (``--findings``).
Both modes lay the header, funds, goals and indicator tables on one column grid
(:class:`Grid`), so their vertical rules line up.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import unicodedata
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from typing import Any, Iterable
from urllib.parse import quote

from markupsafe import Markup, escape

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

FINDINGS = ("none", "margin", "appendix")
# The print font: a 宋体-like serif (fonts-noto-cjk ships Noto Serif CJK), then what Windows and macOS have.
SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "宋体", "STSong", "serif")
SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimSun", "sans-serif")
# Rates under this are highlighted in the portfolio. A profile has no setting for it yet; when Profile
# gains a `rate_threshold`, the portfolio uses it (getattr in portfolio_view).
RATE_THRESHOLD = Decimal(90)

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


# --------------------------------------------------------------------------- paragraphs, labels, CSS strings

# A transcribed text keeps its paragraphs: <p>, </p>, <br> (the tags a PDF or web page leaves behind)
# and line breaks separate paragraphs; no other tag means anything, it stays text.
_PARA_BREAK = re.compile(r"\s*(?:<\s*/?\s*p\s*>|<\s*br\s*/?\s*>|\r\n|[\r\n\u2028\u2029\u0085])\s*", re.I)


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a cell's text; a text without breaks is one paragraph, byte for byte."""
    if not text:
        return []
    if not _PARA_BREAK.search(text):
        return [text]
    return [part for part in (p.strip() for p in _PARA_BREAK.split(text)) if part]


# A bracketed part of a label — （万元）, (%), (60分) — is never broken.
_BRACKETED = re.compile(r"[（(][^（()）]{0,12}[)）]")


def glue(text: Any) -> Markup:
    """HTML of a label that never leaves one character alone on a line: bracketed parts, words of up to
    four characters and the last two characters of longer runs are kept together (项目资金（万元） breaks as
    项目资金 / （万元）, 执行率(%) as 执行率 / (%), 实际完成值 as 实际完 / 成值)."""
    value = "" if text is None else str(text)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in _BRACKETED.finditer(value):
        if match.start() > at:
            pieces.append((value[at:match.start()], False))
        pieces.append((match.group(), True))
        at = match.end()
    if at < len(value):
        pieces.append((value[at:], False))
    glued: list[tuple[str, bool]] = []
    for piece, whole in pieces:
        if whole:
            if glued and not glued[-1][1] and len(glued[-1][0]) == 1 and len(glued) > 1:
                # 金（万元）after a longer run: the lone character goes with the bracket.
                piece = glued.pop()[0] + piece
            glued.append((piece, True))
        elif glued and glued[-1][1] and len(piece) <= 2:
            glued[-1] = (glued[-1][0] + piece, True)  # a short tail after a bracket stays with it
        elif len(piece) > 4:
            glued += [(piece[:-2], False), (piece[-2:], True)]  # 实际完成值 breaks as 实际完 / 成值, never 实际完成 / 值
        else:
            glued.append((piece, True))  # 执行率, 项目资金: a short word is not broken at all
    pieces = glued
    out = Markup("")
    for piece, whole in pieces:
        out += Markup('<span class="nw">%s</span>') % piece if whole and len(piece) > 1 else escape(piece)
    return out


def css_string(text: Any) -> Markup:
    """A CSS string literal of any text: every character but letters, digits and CJK is a CSS escape,
    so no quote, backslash, `<`, `>` or line break of the data can end the string or the style sheet."""
    value = "" if text is None else str(text)
    out = []
    for ch in value:
        if ch.isalnum() and (ord(ch) > 127 or ch.isascii()) and unicodedata.category(ch)[0] in "LN" or ch == " ":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return Markup('"' + "".join(out) + '"')


def font_stack(first: str | None, paper: bool) -> Markup:
    """The CSS font-family list: the chosen font first, then the serif (paper) or sans (screen) stack."""
    names = ([first] if first else []) + list(SERIF if paper else SANS)
    generic = {"serif", "sans-serif", "monospace"}
    return Markup(", ").join(Markup(n) if n in generic else css_string(n) for n in names)


@dataclass(frozen=True)
class Mode:
    """How a report is laid out: on screen (the default) or on paper (`--print`, PDF)."""

    paper: bool = False  # the official form alone: page header and footer, orientation, signature block
    findings: str = "margin"  # none | margin (a column beside the form) | appendix (a list after it)
    font: str | None = None  # the first font of the stack (--font)

    @property
    def marks(self) -> bool:
        """Finding markers [n] and tints on the cells."""
        return self.findings != "none"

    @property
    def fonts(self) -> Markup:
        return font_stack(self.font, self.paper)


SCREEN = Mode()


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
    def paras(self) -> list[str]:
        """The text's paragraphs (a `<p>` or a line break in a transcribed text starts a new one)."""
        return paragraphs(self.text)

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
    # On paper the merged 一级 / 二级 cells are drawn row by row (so that every row can move to the
    # next page whole): the row's place in its category and the number of rows of the category.
    level1_at: int = 0
    level1_rows: int = 1
    level2_at: int = 0
    level2_rows: int = 1
    tall: bool = False  # on paper, taller than a page: it starts where it is rather than on a new page

    @property
    def level1_label(self) -> bool:
        """This row carries the 一级 caption on paper: the first row of its category, so that the caption
        is on the page where the category begins."""
        return self.level1_at == 0

    @property
    def level2_label(self) -> bool:
        return self.level2_at == 0


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
class Grid:
    """The one column grid of a form: the header, funds, goals and indicator tables all use it,
    so that their vertical rules line up. Spans are counted in grid columns."""

    widths: list[float]  # shares of the table's width, adding up to 100
    columns: dict[str, int]  # level1, level2 and each indicator column → grid columns it covers
    header: list[list[tuple[int, int]]]  # per header line, per item: (label span, value span)
    funds: list[int]  # per funds column (年初预算数 … 得分)
    goals: list[int]  # per goals field (预期目标, 实际完成情况)
    total_label: int  # the 总分 label: 一级, 二级 and every column before the first score column
    after_total: list[tuple[str, int]]  # (indicator column key, span) right of the 总分 label

    @property
    def count(self) -> int:
        return len(self.widths)

    @property
    def line(self) -> tuple[int, int]:
        """A labelled line across the form (调整原因, 评价结论 …): the label's and the value's span."""
        return self.columns["level1"], self.count - self.columns["level1"]

    @property
    def grade(self) -> tuple[int, int]:
        first = self.columns["level1"] + self.columns["level2"]
        return first, self.count - first


@dataclass
class Flag:
    """A figure of the portfolio with what a check of it found: shown in red with the recomputed value."""

    text: str
    css: str = ""  # wrong | low | ''
    note: str = ""  # 逐项合计 93.00 / 应为 良 / 低于 90%


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
    sign_items: list[HeaderItem] = field(default_factory=list)  # the layout's whole signature block (paper)
    grid: Grid | None = None
    orientation: str = "portrait"  # the layout's: landscape when its indicator table has more than 8 columns
    project_label: str = ""  # 项目名称 (the layout's first header label)
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
    # Checks of the stated figures against the rows, for the portfolio (derived.points_sum, grade_for, exact_rate).
    total_flag: Flag = field(default_factory=lambda: Flag(""))
    grade_flag: Flag = field(default_factory=lambda: Flag(""))
    rate_flag: Flag = field(default_factory=lambda: Flag(""))

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
_HTML_WIDTH = {"level1": 10, "level2": 10, "name": 19, "nature": 7, "target": 11, "unit": 6, "actual": 10,
               "raw_score": 7, "weight": 7, "score": 7, "deviation": 26}
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


def _group(widths: list[float], parts: int, least: list[int] | None = None) -> list[int]:
    """Consecutive grid columns in `parts` runs of about equal width (run i has at least least[i] columns)."""
    n = len(widths)
    least = list(least or [1] * parts)
    if n < sum(least):
        least = [1] * parts
    if n < parts:  # cannot happen on a grid made wide enough (see _grid)
        raise ValueError(f"{parts} cells on {n} grid columns")
    cum = [0.0]
    for w in widths:
        cum.append(cum[-1] + w)
    spans, start = [], 0
    for i in range(parts - 1):
        target = cum[-1] * (i + 1) / parts
        low, high = start + least[i], n - sum(least[i + 1:])
        best = min(range(low, high + 1), key=lambda k: (abs(cum[k] - target), k))
        spans.append(best - start)
        start = best
    spans.append(n - start)
    return spans


def _grid(view: FormView) -> Grid:
    """The form's one column grid: the indicator table's columns, split where the head needs more."""
    keys = ["level1", "level2"] + [c.key for c in view.indicator_columns]
    cols = [(float(_HTML_WIDTH.get(key, 10)), i) for i, key in enumerate(keys)]  # (width, indicator column)
    lines = [len(line.items) for line in view.header_lines]
    need = max([2 + len(view.funds_columns), 1 + max(1, len(view.goals_fields))] + [2 * n for n in lines])
    while len(cols) < need:
        # The widest indicator column (never 一级 / 二级) is halved: the indicator cell spans both halves.
        j = max(range(2, len(cols)), key=lambda i: (cols[i][0], -i))
        width, owner = cols[j]
        cols[j:j + 1] = [(width / 2, owner), (width / 2, owner)]
    whole = sum(w for w, _ in cols)
    widths = [w * 100 / whole for w, _ in cols]
    owners = [owner for _, owner in cols]
    columns = {key: owners.count(i) for i, key in enumerate(keys)}
    first = columns["level1"]
    header = []
    for n in lines:
        if n <= 1:
            header.append([(first, len(widths) - first)])
            continue
        # 主管部门 | value | 实施单位 | value: the second label starts near the middle; a label is at
        # least as wide as the first label column.
        runs = _group(widths[first:], n, [1] + [2] * (n - 1))
        items, at = [(first, runs[0])], first + runs[0]
        for run in runs[1:]:
            label = 1
            while label < run - 1 and sum(widths[at:at + label]) < widths[0] * 0.9:
                label += 1
            items.append((label, run - label))
            at += run
        header.append(items)
    head = columns["level1"] + columns["level2"]
    funds = _group(widths[head:], len(view.funds_columns)) if view.funds_columns else []
    goals = _group(widths[first:], len(view.goals_fields)) if view.goals_fields else []
    scores = [c.key for c in view.indicator_columns if c.key in _SCORE_KEYS]
    total_label, after = head, []
    if scores:
        at_score = next(i for i, c in enumerate(view.indicator_columns) if c.key in _SCORE_KEYS)
        total_label += sum(columns[c.key] for c in view.indicator_columns[:at_score])
        after = [(c.key, columns[c.key]) for c in view.indicator_columns[at_score:]]
    return Grid(widths, columns, header, funds, goals, total_label, after)


# The paper page (A4, the margins of templates/_paper.css.j2) in mm, and the text of a cell at 9.5 pt.
_PAGE = {"portrait": (186.0, 265.0), "landscape": (273.0, 178.0)}
_CHAR_MM, _LINE_MM, _PAD_MM, _HEAD_MM = 3.35, 4.7, 2.6, 14.0


def _text_lines(text: str, width_mm: float) -> int:
    """Lines a text takes in a cell `width_mm` wide (a CJK character is square, Latin about half as wide)."""
    per_line = max(1.0, (width_mm - _PAD_MM) / _CHAR_MM)
    lines = 0
    for part in paragraphs(text) or [""]:
        em = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in part)
        lines += max(1, -int(-em // per_line))
    return lines


def _mark_tall_rows(view: FormView) -> None:
    """Rows taller than a printed page may break at once instead of first moving to a new page."""
    width, height = _PAGE[view.orientation]
    grid = view.grid
    assert grid is not None
    share = {key: 0.0 for key in grid.columns}
    at = 0
    for key in ["level1", "level2"] + [c.key for c in view.indicator_columns]:
        share[key] = sum(grid.widths[at:at + grid.columns[key]])
        at += grid.columns[key]
    room = height - _HEAD_MM
    for row in view.rows:
        tallest = max((_text_lines(cell.text, width * share.get(key, 10.0) / 100) for key, cell in row.cells.items()
                       if key in share), default=1)
        row.tall = tallest * _LINE_MM + _PAD_MM > room


def orientation(view: FormView) -> str:
    """The orientation the form is printed in: the layout's own `orientation` when it states one, else
    landscape when its indicator table has more than 8 columns (指标性质 | 指标值 | 度量单位, three score
    columns, a monitoring form's monthly columns), portrait otherwise (the national form)."""
    stated = getattr(view.layout, "orientation", None)
    if stated in ("portrait", "landscape"):
        return str(stated)
    return "landscape" if 2 + len(view.indicator_columns) > 8 else "portrait"


def _total_flags(view: FormView, spec: Form, profile: Profile) -> None:
    """Stated 总分 / 评分等级 / 执行率 against what the rows give (the portfolio shows both)."""
    view.total_flag = Flag(view.total_score)
    view.grade_flag = Flag(view.grade_text)
    view.rate_flag = Flag(view.rate)
    found = derived.points_sum(spec, "score")
    stated = spec.total_score
    total = stated
    if found.value is not None and (spec.kind.scored and derived.scored(spec)):
        if stated is not None and abs(found.value - stated) > profile.tolerance:
            view.total_flag = Flag(view.total_score, "wrong", f"逐项合计 {two(found.value)}")
        total = found.value
    grades = {g for g, _ in profile.grades}
    if total is not None and view.grade_text in grades:
        expected = derived.grade_for(total, profile)
        if expected != view.grade_text:
            view.grade_flag = Flag(view.grade_text, "wrong", f"应为 {expected}")
    if spec.funds is not None and spec.funds.rate is not None and derived.rate_is_right(spec, profile) is False:
        exact = derived.exact_rate(spec)
        view.rate_flag = Flag(view.rate, "wrong", f"应为 {two(rounded_rate(exact, profile))}")


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
    first = next((f for f in layout_.header if f.key != "year"), None)
    view.project_name = _text(root_map.get(first.key)) if first else ""
    view.project_label = first.zh if first else ""

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
            for at, row in enumerate(l2_rows):
                row.level2_at, row.level2_rows = at, len(l2_rows)
            first_of.setdefault(("indicators", level1, level2 or ""), l2_rows[0])
            l1_rows.extend(l2_rows)
        l1_rows[0].level1_span = len(l1_rows)
        for at, row in enumerate(l1_rows):
            row.level1_at, row.level1_rows = at, len(l1_rows)
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
    shown = header_keys | {i.key for line in view.sections for i in line.items}
    signatures = _lines_of(spec, layout_.signatures, shown)
    view.signatures = HeaderLine(cells={i.key: i.cell for i in signatures}, items=signatures)
    # On paper the layout's whole signature block is printed, blank lines included, to be signed by hand.
    by_key = {i.key: i for i in signatures}
    view.sign_items = [by_key.get(f.key) or HeaderItem(f.key, f.zh, Cell("")) for f in layout_.signatures
                       if f.key not in shown]

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
        amounts = derived.total_amounts(spec)
        view.amounts = {c.key: amounts.get(c.key) for c in layout_.funds_columns}
        view.rate_value = funds.rate if funds.rate is not None else rounded_rate(derived.exact_rate(spec), profile)
        view.rate = two(view.rate_value)
    view.total_score_value = spec.total_score
    view.total_score = view.total.score.text if "score" in view.total.cells else two(spec.total_score)
    view.grade_text = view.grade.value.text
    _total_flags(view, spec, profile)
    view.grid = _grid(view)
    view.orientation = orientation(view)
    _mark_tall_rows(view)
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
    counts = _zero_counts()
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

NO_YEAR = "（未填年度）"
NO_UNIT = "（未填实施单位）"
CHART_FULL = Decimal(100)  # both axes reach 100: full marks, and every yuan spent


@dataclass
class Bar:
    """One form in a chart; every coordinate is already a string (Decimal arithmetic)."""

    lines: list[tuple[str, str]]  # (y, text): the name, on as many lines as it needs, never cut
    full: str
    href: str
    y: str
    w: str
    text: str  # the value printed after the bar (with the recomputed one when the stated one is wrong)
    text_x: str
    text_y: str
    css: str = ""  # wrong | low | ''


@dataclass
class Chart:
    key: str  # score | rate
    title: str
    caption: str
    width: int
    height: int
    label_w: int
    bar_w: int
    bar_h: int
    top: int
    bottom: int
    bars: list[Bar]
    ticks: list[tuple[str, str]]  # (x, label)
    start: str  # where the axis starts (stated in the caption)


@dataclass
class Line:
    """One row of the portfolio's table: a year or unit heading, a form, a unit's or a year's subtotal, a failed file."""

    kind: str  # year | unit | form | unit-sum | year-sum | failed
    label: str
    number: int = 0
    view: FormView | None = None
    cells: dict[str, Flag] = field(default_factory=dict)  # by summary column key
    rate: Flag = field(default_factory=lambda: Flag(""))
    total: Flag = field(default_factory=lambda: Flag(""))
    grade: Flag = field(default_factory=lambda: Flag(""))
    counts: dict[str, int] = field(default_factory=dict)
    forms: int = 0
    error: str = ""


@dataclass
class UnitGroup:
    unit: str
    forms: list[FormView]
    total: Line


@dataclass
class YearGroup:
    year: str
    units: list[UnitGroup]
    total: Line
    sums: dict[str, str]  # Σ of each amount column in 万元 (text), this year only
    rate: str
    grades: list[tuple[str, int]]
    losses: list[derived.CategoryLoss]


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
    table_columns: list[Column]  # the amount columns with 调整数 and 未执行数 between them
    groups: list[YearGroup]  # by year, then by unit (implementer)
    lines: list[Line]  # the summary table, row by row
    sums: dict[str, str]  # Σ of each amount column in 万元 — only when every form is of one year, else {}
    rate: str  # the overall rate of that one year, else ""
    rate_note: str
    rate_formula: str  # 合计执行率 = Σ executed ÷ Σ budget × 100, in the layout's words
    movement_note: str  # what 调整数 and 未执行数 are
    threshold: str  # rates under it are highlighted
    converted: bool  # some form in 元 was converted to 万元
    grades: list[tuple[str, int]]  # over all forms (one year: that year's)
    deductions: list[tuple[FormView, Deduction]]
    counts: dict[str, int]
    charts: list[Chart]
    # Per form, the findings only a comparison of forms shows: the stages of a project year (PS601–PS604)
    # and the year before (PS701–PS704), by perfspec/stages.py, with the repository's other forms.
    stage_findings: list[tuple[FormView, list[FindingView]]] = field(default_factory=list)

    @property
    def initial(self) -> str:
        return self.sums.get("initial", "")

    @property
    def annual(self) -> str:
        return self.sums.get("annual", "")

    @property
    def executed(self) -> str:
        return self.sums.get("executed", "")

    @property
    def many_years(self) -> bool:
        return len(self.groups) > 1

    @property
    def width(self) -> int:
        """Columns of the summary table: 序号, 项目名称, the amounts, 执行率, 总分, 评分等级, 错误, 警告, 已确认."""
        return 2 + len(self.table_columns) + 6

    def label(self, part: str, key: str) -> str:
        """A label of the configured layout (项目名称, 执行率 …), as the summary's columns print it."""
        return self.layout.label(part, key)

    def caption(self, part: str) -> str:
        return layout_caption(self.layout, part)


def _unique(values: Iterable[str]) -> list[str]:
    """The values in first-seen order, each once, blanks left out (a dict: a list's `in` made 10,000 forms quadratic)."""
    return [value for value in dict.fromkeys(values) if value]


def _coord(value: Decimal | float | int) -> str:
    return format(Decimal(value).quantize(Decimal("0.1")), "f")


def _signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + two(value)


def _text_width(text: str, size: int = 12) -> int:
    """Width of a text in the chart's font, in px (a CJK character is square, Latin about half)."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 6 // 10 for ch in text)


def _wrap(text: str, limit: int, size: int = 12) -> list[str]:
    lines, current, width = [], "", 0
    for ch in text:
        w = _text_width(ch, size)
        if current and width + w > limit:
            lines.append(current)
            current, width = "", 0
        current += ch
        width += w
    return lines + [current] if current or not lines else lines


def _axis(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """(start, end, step) of an axis that starts where the data does, on round ticks, and reaches 100."""
    low, high = min(values), max(values + [CHART_FULL])
    spread = (high - low) or Decimal(1)
    step = Decimal(1)
    for exponent in range(-2, 5):
        candidates = [Decimal(m).scaleb(exponent) for m in (1, 2, 5)]
        fits = [c for c in candidates if spread / c <= 6]
        if fits:
            step = fits[0]
            break
    start = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    if low - start < step / 5 and low > 0:
        start -= step  # the smallest value still gets a bar that can be seen
    if low >= 0:
        start = max(start, Decimal(0))
    end = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if end <= start:
        end = start + step
    return start, end, step


def _number_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def _chart(key: str, title: str, forms: list[FormView], many_years: bool, threshold: Decimal) -> Chart:
    """One bar per form, sorted from the highest value down; forms without the value come last, without a bar."""
    label_limit, bar_w, bar_h, top = 320, 460, 14, 12

    def value(f: FormView) -> Decimal | None:
        return f.total_score_value if key == "score" else f.rate_value

    def flag(f: FormView) -> Flag:
        return f.total_flag if key == "score" else _rate_flag(f, threshold)

    ordered = sorted(forms, key=lambda f: (value(f) is None, -(value(f) or 0), f.project_name or f.file))
    names = [(f"{f.year} " if many_years else "") + (f.project_name or f.file) for f in ordered]
    label_w = min(label_limit, max([_text_width(n) for n in names] + [60])) + 14
    values = [v for v in (value(f) for f in ordered) if v is not None]
    start, end, step = _axis(values) if values else (Decimal(0), CHART_FULL, Decimal(20))
    scale = Decimal(bar_w) / (end - start)
    bars, y = [], Decimal(top)
    for f, name in zip(ordered, names):
        lines = _wrap(name, label_limit)
        row_h = max(26, 15 * len(lines) + 10)
        v = value(f)
        w = (min(v, end) - start) * scale if v is not None and v > start else Decimal(0)
        shown = flag(f)
        text = (shown.text or "—") + (f"（{shown.note}）" if shown.note else "")
        if key == "rate" and shown.text:
            text = shown.text + "%" + (f"（{shown.note}）" if shown.note else "")
        mid = y + Decimal(row_h) / 2
        first = mid - Decimal(15) * (len(lines) - 1) / 2 + 4
        bars.append(Bar(
            lines=[(_coord(first + 15 * i), line) for i, line in enumerate(lines)],
            full=name, href=f.href, y=_coord(mid - Decimal(bar_h) / 2), w=_coord(w), text=text,
            text_x=_coord(label_w + w + 6), text_y=_coord(mid + 4), css=shown.css,
        ))
        y += row_h
    ticks = []
    tick = start
    while tick <= end:
        ticks.append((_coord(label_w + (tick - start) * scale), _number_text(tick)))
        tick += step
    bottom = int(y) + 4
    where = "满分 100" if key == "score" else "100%"
    start_text = _number_text(start)
    caption = (f"按从高到低排列。横轴自 {start_text} 起（不从 0 开始），到 {_number_text(end)}（{where}）。"
               if start > 0 else f"按从高到低排列。横轴自 0 起，到 {_number_text(end)}（{where}）。")
    return Chart(key, title, caption, label_w + bar_w + 220, bottom + 22, label_w, bar_w, bar_h, top, bottom,
                 bars, ticks, start_text)


def _rate_flag(f: FormView, threshold: Decimal) -> Flag:
    shown = f.rate_flag
    if shown.css or f.rate_value is None or f.rate_value >= threshold:
        return shown
    return Flag(shown.text, "low", shown.note)


def _sum_line(kind: str, label: str, views: list[FormView], columns: list[Column], table: list[Column],
              base: str, done: str, profile: Profile, threshold: Decimal) -> tuple[Line, derived.AmountSum]:
    """A subtotal row over `views`: Σ amounts in 万元, Σ executed ÷ Σ budget, Σ findings."""
    total = derived.amount_sum([v.spec for v in views if v.spec is not None], [c.key for c in columns], base, done)
    counts = _zero_counts()
    for v in views:
        _count_into(counts, v.counts)
    return _tally_line(kind, label, total, counts, len(views), table, profile, threshold), total


def _zero_counts() -> dict[str, int]:
    return {ERROR: 0, WARNING: 0, INFO: 0, "acknowledged": 0}


def _count_into(counts: dict[str, int], more: dict[str, int]) -> None:
    for k, n in more.items():
        counts[k] = counts.get(k, 0) + n


def _tally_line(kind: str, label: str, total: derived.AmountSum, counts: dict[str, int], forms: int,
                table: list[Column], profile: Profile, threshold: Decimal) -> Line:
    cells: dict[str, Flag] = {}
    for column in table:
        if column.key == "change":
            cells[column.key] = Flag(_signed(total.change))
        elif column.key == "unspent":
            cells[column.key] = Flag(two(total.unspent))
        else:
            cells[column.key] = Flag(two(total.sums[column.key]) if total.filled.get(column.key) else "")
    exact = total.exact_rate
    rate = rounded_rate(exact, profile) if exact is not None else None
    rate_flag = Flag(two(rate) if rate is not None else "-", "low" if rate is not None and rate < threshold else "")
    return Line(kind, label, cells=cells, rate=rate_flag, counts=counts, forms=forms)


class SummaryColumns:
    """The summary's columns and rate, in the configured layout's words: portfolio_view's and SummaryTotals'."""

    def __init__(self, profile: Profile, layout: Layout | str | None = None, root: str | None = None) -> None:
        chosen = layout if isinstance(layout, Layout) else load_layout(layout or profile.layout, root)
        self.profile = profile
        self.layout = chosen
        self.columns = [Column(f.key, f.zh, "num", align="---:") for f in chosen.funds_columns]
        self.keys = [c.key for c in self.columns]
        table: list[Column] = []
        for column in self.columns:
            table.append(column)
            if column.key == "annual" and "initial" in self.keys:
                table.append(Column("change", "调整数", "num", align="---:"))
            if column.key == chosen.rate_executed and (chosen.rate_base or "annual") in self.keys:
                table.append(Column("unspent", "未执行数", "num", align="---:"))
        self.table = table
        self.base, self.done = chosen.rate_base or "annual", chosen.rate_executed
        self.threshold = Decimal(getattr(profile, "rate_threshold", None) or RATE_THRESHOLD)
        executed_field, base_field = chosen.funds_column(self.done), chosen.funds_column(self.base)
        self.executed_label = executed_field.zh if executed_field else chosen.label("funds", self.done)
        self.base_label = base_field.zh if base_field else chosen.label("funds", self.base)

    def label(self, part: str, key: str) -> str:
        return self.layout.label(part, key)

    def caption(self, part: str) -> str:
        return layout_caption(self.layout, part)

    def year_total_label(self, year: str, many_years: bool, forms: int) -> str:
        """The label of a year's 合计 row: 合计（9 张表）, or 2023 年度合计（9 张表） beside other years."""
        title = f"{year} {self.label('header', 'year')}合计" if many_years else "合计"
        return f"{title}（{forms} 张表）"

    def rate_note(self, missing: int) -> str:
        return f"（{missing} 张表的{self.base_label}或{self.executed_label}为空，未计入）" if missing else ""

    def year_order(self, years: Iterable[str]) -> list[str]:
        return sorted(_unique(years), key=lambda y: (y == NO_YEAR, y))


class _YearTally:
    """One year of SummaryTotals: Σ amounts, Σ findings and how many forms."""

    __slots__ = ("amounts", "counts", "forms")

    def __init__(self, amounts: derived.AmountTally) -> None:
        self.amounts = amounts
        self.counts = _zero_counts()
        self.forms = 0


class SummaryTotals(SummaryColumns):
    """What the 汇总 sheet needs of a portfolio, added up one form at a time.

    portfolio_view keeps every form (the HTML summary lists them by year and unit); an export of
    10,000 forms needs only each year's Σ, its counts, the years and whether a form was in 元:
    this keeps those and nothing of the forms, with portfolio_view's own year lines (_tally_line).
    """

    def __init__(self, profile: Profile, layout: Layout | str | None = None, root: str | None = None) -> None:
        super().__init__(profile, layout, root)
        self.by_year: dict[str, _YearTally] = {}
        self.years: list[str] = []  # as written, first seen first (the heading's)
        self.loaded = 0
        self.converted = False

    def add(self, view: FormView) -> None:
        if not view.loaded:
            return
        self.loaded += 1
        if view.year and view.year not in self.years:
            self.years.append(view.year)
        self.converted = self.converted or view.unit == "元"
        year = view.year or NO_YEAR
        tally = self.by_year.get(year)
        if tally is None:
            tally = self.by_year[year] = _YearTally(derived.AmountTally(self.keys, self.base, self.done))
        tally.forms += 1
        if view.spec is not None:
            tally.amounts.add(view.spec)
        _count_into(tally.counts, view.counts)

    def totals(self) -> list[tuple[Line, derived.AmountSum]]:
        """Each year's 合计 line, in portfolio_view's order and words."""
        many = len(self.by_year) > 1
        out = []
        for year in self.year_order(self.by_year):
            tally = self.by_year[year]
            total = tally.amounts.result()
            label = self.year_total_label(year, many, tally.forms)
            out.append((_tally_line("year-sum", label, total, dict(tally.counts), tally.forms, self.table, self.profile,
                                    self.threshold), total))
        return out


def _stage_findings(loaded: list[FormView], profile: Profile, root: str | None,
                    engine: Any, digests: dict | None = None) -> list[tuple[FormView, list[FindingView]]]:
    """PS6xx/PS7xx on the portfolio's forms, compared with each other and the repository's other forms."""
    from perfspec import stages
    from perfspec.check.corpus import configured_forms
    from perfspec.check.engine import Engine, Options

    if engine is None:
        engine = Engine(Options(profile=profile, root=root))
    checked = [(f.file, f.file) for f in loaded]
    found = stages.findings(engine, checked, configured_forms(root, checked), digests=digests)
    by_file: dict[str, list[Finding]] = {}
    for finding in found:
        by_file.setdefault(finding.file, []).append(finding)
    out = []
    for f in loaded:
        if f.file in by_file:
            ordered = sorted(by_file[f.file], key=Finding.sort_key)
            out.append((f, [FindingView(n, x.code, x.severity, SEVERITY_ZH.get(x.severity, x.severity), x.message,
                                        x.acknowledged, x.line, x.column, x.path, "")
                            for n, x in enumerate(ordered, 1)]))
    return out


def portfolio_view(forms: list[FormView], profile: Profile, layout: Layout | str | None = None,
                   root: str | None = None, engine: Any = None, digests: dict | None = None) -> Portfolio:
    """The summary of a folder of forms, by year and by unit; its column labels are the configured layout's.
    `digests` (file → check/headers.Digest) spares the stage checks reading again the forms the workers read.

    Amounts are added up per unit and per year, never across years; 总分, 评分等级 and 执行率 that
    disagree with the form's rows are flagged with the recomputed value (derived.points_sum, grade_for,
    exact_rate).
    """
    shape = SummaryColumns(profile, layout, root)
    chosen, columns, keys, table = shape.layout, shape.columns, shape.keys, shape.table
    base, done, threshold = shape.base, shape.done, shape.threshold
    executed_label, base_label = shape.executed_label, shape.base_label
    loaded = [f for f in forms if f.loaded]
    failed = [f for f in forms if not f.loaded]
    formula = f"合计{chosen.label('funds', 'rate')} = Σ{executed_label} ÷ Σ{base_label} × 100"
    parts = []
    if "change" in {c.key for c in table}:
        parts.append(f"调整数 = {chosen.label('funds', 'annual')} − {chosen.label('funds', 'initial')}")
    if "unspent" in {c.key for c in table}:
        parts.append(f"未执行数 = {base_label} − {executed_label}")
    movement_note = "；".join(parts)

    order = [g for g, _ in profile.grades]

    def tally(views: list[FormView]) -> list[tuple[str, int]]:
        counts: dict[str, int] = {g: 0 for g in order}
        for f in views:
            key = f.grade_text or NOT_FILLED
            counts[key] = counts.get(key, 0) + 1
        return list(counts.items())

    by_year: dict[str, list[FormView]] = {}
    for f in loaded:
        by_year.setdefault(f.year or NO_YEAR, []).append(f)
    many_years = len(by_year) > 1
    groups: list[YearGroup] = []
    lines: list[Line] = []
    number = 0
    counted = 0
    for year in shape.year_order(by_year):
        in_year = by_year[year]
        lines.append(Line("year", f"{year} {chosen.label('header', 'year')}" if year != NO_YEAR else year,
                          forms=len(in_year)))
        units: list[UnitGroup] = []
        by_unit: dict[str, list[FormView]] = {}
        for f in in_year:
            by_unit.setdefault(f.implementer or f.department or NO_UNIT, []).append(f)
        names = list(by_unit)
        for unit in names:
            in_unit = by_unit[unit]
            lines.append(Line("unit", unit, forms=len(in_unit)))
            for f in in_unit:
                number += 1
                moved = derived.movement(f.spec) if f.spec is not None else derived.Movement(None, None)
                cells = {}
                for column in table:
                    if column.key == "change":
                        cells["change"] = Flag(_signed(moved.change), "changed" if moved.change else "")
                    elif column.key == "unspent":
                        cells["unspent"] = Flag(two(moved.unspent))
                    else:
                        cells[column.key] = Flag(two(f.amounts.get(column.key)))
                lines.append(Line("form", f.project_name or f.file, number, f, cells, _rate_flag(f, threshold),
                                  f.total_flag, f.grade_flag, dict(f.counts), 1))
            line, _ = _sum_line("unit-sum", f"小计（{unit}，{len(in_unit)} 张表）", in_unit, columns, table, base, done,
                                profile, threshold)
            if len(names) > 1:
                lines.append(line)
            units.append(UnitGroup(unit, in_unit, line))
        line, total = _sum_line("year-sum", shape.year_total_label(year, many_years, len(in_year)), in_year, columns,
                                table, base, done, profile, threshold)
        counted += total.counted
        lines.append(line)
        groups.append(YearGroup(year, units, line, {k: line.cells[k].text for k in keys}, line.rate.text,
                                tally(in_year), derived.deductions_by_category([f.spec for f in in_year if f.spec])))
    for f in failed:
        lines.append(Line("failed", f.file, view=f, error=f.error or "", counts=dict(f.counts)))
    note = shape.rate_note(len(loaded) - counted)

    counts = _zero_counts()
    for f in forms:
        _count_into(counts, f.counts)
    one = groups[0] if len(groups) == 1 else None
    charts = [
        _chart("score", f"各项目{layout_caption(chosen, 'total')}", loaded, many_years, threshold),
        _chart("rate", f"各项目{chosen.label('funds', 'rate')}(%)", loaded, many_years, threshold),
    ] if loaded else []
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
        table_columns=table,
        groups=groups,
        lines=lines,
        sums=dict(one.sums) if one else ({k: two(Decimal(0)) for k in keys} if not groups else {}),
        rate=one.rate if one else ("-" if not groups else ""),
        rate_note=note,
        rate_formula=formula,
        movement_note=movement_note,
        threshold=_number_text(threshold),
        converted=any(f.unit == "元" for f in loaded),
        grades=tally(loaded),
        deductions=[(f, d) for f in loaded for d in f.deductions],
        counts=counts,
        charts=charts,
        stage_findings=_stage_findings(loaded, profile, root, engine, digests),
    )


# --------------------------------------------------------------------------- a form, once written

# What a folder's summary reads of a form's view: portfolio_view, the bundled portfolio templates
# (forms' file, href, error, findings …) and export's 汇总 sheet. Once a form's own page or sheet is
# written, only these are kept (or sent back from a worker process); the rest — rows, cells, the
# YAML data — is what makes a view large.
_SUMMARY_FIELDS = (
    "file", "slug", "href", "loaded", "error", "layout", "title", "year_label", "year", "project_name", "unit",
    "project_label", "findings", "unplaced", "counts", "deductions", "amounts", "rate", "rate_value",
    "total_score", "total_score_value", "grade_text", "total_flag", "grade_flag", "rate_flag",
)


def summary_view(view: FormView) -> FormView:
    """A copy of `view` with only what a summary needs; its form keeps the funds and the indicators
    that lost points (derived.amount_sum, movement and deductions_by_category read no more)."""
    spec = view.spec
    if spec is not None:
        # Of an indicator that lost points, deductions_by_category reads its categories, 分值 and 得分; of the
        # funds, total_amounts reads the unit and the total row. Each form's copy is kept until the summary is
        # written (a folder of 10,000 forms: 10,000 copies), so nothing else of them is.
        lost = tuple(
            ind._replace(target=None, actual=None, deviation=None, raw={}, name=None)
            for ind in spec.indicators if (d := derived.deduction(ind)) is not None and d > 0
        )
        funds = spec.funds
        if funds is not None:
            total_row = spec.layout.total_row
            funds = funds._replace(rows={total_row: funds.rows[total_row]} if total_row in funds.rows else {},
                                   raw={}, row_rates={}, deviation=None)
        spec = spec._replace(data=None, funds=funds, indicators=lost, groups=(), categories=(), total=None)
    header = {k: v for k, v in view.header_cells.items() if k in ("department", "implementer")}
    return FormView(spec=spec, header_cells=header, **_summary_blanks(),
                    **{name: getattr(view, name) for name in _SUMMARY_FIELDS})


@functools.lru_cache(maxsize=1)
def _summary_blanks() -> dict[str, Any]:
    """The parts a summary copy leaves out, made once and shared by every copy (nothing writes to them)."""
    blank = FormView(file="", slug="", href="", loaded=False)
    names = [f.name for f in fields(FormView)
             if f.name not in _SUMMARY_FIELDS and f.name not in ("spec", "header_cells", "file", "slug", "href", "loaded")
             and f.default is MISSING]
    return {name: getattr(blank, name) for name in names}


# --------------------------------------------------------------------------- Jinja2


def cache_dir() -> str | None:
    """The user's own folder for compiled templates ($XDG_CACHE_HOME/perfspec/jinja, else ~/.cache/…);
    None when it cannot be made private.

    Compiled templates are code that is run: each folder on the way that perfspec creates is made
    0700, and the cache is used only if both perfspec's folders are real folders (not links) owned
    by the user that no one else may write to. Never a relative path (no HOME): that would be the
    current folder, perhaps the repository.
    """
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    top = os.path.join(base, "perfspec")
    folder = os.path.join(top, "jinja")
    try:
        os.makedirs(base, exist_ok=True)
        for path in (top, folder):
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
            info = os.lstat(path)
            if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022:
                return None
            if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
                return None
    except OSError:
        return None
    return folder


def _bytecode_cache(env: Any, fmt: str) -> Any:
    """A FileSystemBytecodeCache in cache_dir(), or None. Templates are compiled once, not every run.

    Its keys include the Jinja2 version and the options that shape the compiled code (escaping,
    whitespace), so a change of either never reuses old code; Jinja2 itself checks each template's
    source. A cache that cannot be read or written is silently no cache: the run compiles as before.
    """
    import hashlib

    import jinja2

    folder = cache_dir()
    if folder is None:
        return None
    salt = repr((jinja2.__version__, fmt, env.autoescape, env.finalize is not None, env.trim_blocks,
                 env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence, env.optimized,
                 sorted(env.extensions)))

    class Cache(jinja2.FileSystemBytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            return hashlib.sha1(f"{salt}|{name}|{filename or ''}".encode("utf-8")).hexdigest()

        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # a truncated or foreign file: compile instead
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return Cache(folder)


def environment(fmt: str, user_dir: str | None = None) -> Any:
    """A Jinja2 environment: the user's folder first, then the bundled templates, file by file;
    compiled templates kept in the user's cache folder (_bytecode_cache)."""
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
    env.bytecode_cache = _bytecode_cache(env, fmt)
    env.filters["md_escape"] = md_escape
    env.filters["md_safe"] = md_safe
    env.filters["two"] = two
    env.filters["urlquote"] = lambda s: quote(str(s))
    env.filters["glue"] = glue
    env.filters["css_string"] = css_string
    env.filters["paras"] = paragraphs
    env.globals["NOT_FILLED"] = NOT_FILLED
    env.globals["caption"] = layout_caption
    return env


def render_form(env: Any, fmt: str, view: FormView, index_href: str | None = None, profile: str = "",
                mode: Mode = SCREEN) -> str:
    """One form; `layout`, `TITLE` (the layout's title) and `mode` are in the context besides `form`.

    On paper (`mode.paper`) the page is printed in `orientation` (the layout's, or landscape when the
    findings take a margin column beside the form)."""
    template = env.get_template(FORM_TEMPLATE.format(fmt=fmt))
    show = view.has_findings and mode.findings == "margin"
    return template.render(form=view, layout=view.layout, TITLE=view.title, index_href=index_href, profile=profile,
                           mode=mode, orientation="landscape" if show else view.orientation)


def render_portfolio(env: Any, fmt: str, portfolio: Portfolio, mode: Mode = SCREEN) -> str:
    template = env.get_template(PORTFOLIO_TEMPLATE.format(fmt=fmt))
    return template.render(p=portfolio, layout=portfolio.layout, TITLE=portfolio.layout.title, profile=portfolio.profile,
                           mode=mode, orientation="landscape")


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
