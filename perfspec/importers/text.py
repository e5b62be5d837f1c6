"""Text extraction of published forms → FormData.

The input is what a PDF-to-text tool makes of published 财政项目支出绩效自评表:
one table row per line, cells separated by tabs, a blank line where a page
broke. The layout damage this reader knows about (each case is flagged, never
silently repaired):

- a row shifted one cell to the left: the 二级 name (时效指标, 成本指标) lands in
  the 一级 column, or the 三级 name does;
- a 三级 name wrapped across a page break: the rest arrives as a row of its own
  with nothing but that fragment;
- 一级/二级 names wrapped across a page break ("服务对象" … "满意度指标", "标");
- a deviation note printed beside a full-marks row while its neighbour lost
  points and has none;
- a row lost at a page break (the rows do not add up to 总分);
- names printed with spaces inside ("产出 指标"): joined, not flagged.

:func:`assemble` works on rows of cells and is shared with the PDF reader.
A cell is text, or ``None`` where a merged cell covers it (PDF tables know
that; a text extraction does not, and has only empty strings).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Callable, Optional

from perfspec.form.layout import Layout
from perfspec.importers import FUNDS_COLUMNS, FUNDS_ROWS, FormData, Indicator, NotAForm
from perfspec.importers.assembly import (
    _PLACEHOLDER, MAX_UNREAD_NOTES, _current, _Form, _Group, _is_level, _number_or_percent, _parent, _set_level1,
    POINTS_AFTER_LABEL, _set_level2, _short, _strip_note, _take_level, _value, number,
)
from perfspec.importers import columns as columns_
from perfspec.importers import plausible
from perfspec.importers import project_list
from perfspec.importers.labels import Labels, fold, matches, starts
from perfspec.importers.rows import (  # noqa: F401 - the readers' names, kept importable from here
    MAX_LINE_CELLS, MAX_LINES, _LINE_BREAKS, Row, not_a_form, rows_of_text, squash,
)

# Every label the reader looks for (title, 项目名称, the funds rows, 一级指标 …, 总分, 评分等级) and the
# 一级/二级指标 vocabulary are the layouts' (perfspec.importers.labels); the grades are the profiles'.
GRADES = ("优", "良", "中", "差")
# A title line is the title and little else (a sentence that mentions the form's name is no title).
TITLE_SLACK = 20

# Limits: a published form is a few hundred lines of at most a dozen cells; a file of a hundred
# forms ~30,000 lines. What the reader keeps grows with lines, cells and notes, so each is bounded.
MAX_BYTES = 16 * 1024 * 1024
MAX_FORM_ROWS = 2_000  # rows of one form (each can carry review notes, which are compared with each other)

_SPACE = re.compile(r"\s+")


# --------------------------------------------------------------------------- helpers


_WAN = re.compile(r"^(.+?)\s*万(?:元)?$")


def _wan(form: "_Form", text: str, path: tuple, at: str) -> Decimal | None:
    """“150万” in a 万元 form is 150 (flagged: the unit was printed in the cell); None otherwise."""
    match = _WAN.match(text.strip())
    if match is None or form.data.unit != "万元" or number(match.group(1)) is None:
        return None
    value = number(match.group(1))
    form.flag(path, f"“{text.strip()}”按 {match.group(1)} 万元读取（{at}）", form.where_now or None)
    return value


def _is_number(text: str | None) -> bool:
    return number(text) is not None


def _cell(text: str | None) -> str | None:
    """A text cell: stripped, None when blank."""
    if text is None:
        return None
    text = text.strip()
    return text or None


# --------------------------------------------------------------------------- rows


# --------------------------------------------------------------------------- assembly


def _find(row: Row, labels: frozenset[str], anywhere: bool = False) -> tuple[int, list]:
    """Index of the first cell that is one of the labels (or, `anywhere`, holds one), and the cells after it."""
    for index, cell in enumerate(row.cells):
        if cell is not None and matches(cell, labels, anywhere):
            return index, row.cells[index + 1 :]
    return -1, []


def _starting(row: Row, labels: frozenset[str]) -> tuple[int, list]:
    """Index of the first cell that begins with one of the labels, and the cells after it."""
    for index, cell in enumerate(row.cells):
        if cell is not None and starts(cell, labels):
            return index, row.cells[index + 1 :]
    return -1, []


def _is_title(joined: str, L: Labels) -> bool:
    """A title line of any kind of form (the kind is detected when the form is done)."""
    folded = fold(joined)
    return any(title in folded and len(folded) <= len(title) + TITLE_SLACK for title in _titles(L))


@functools.lru_cache(maxsize=8)  # asked of every line; a run has one or two Labels
def _titles(L: Labels) -> tuple[str, ...]:
    found = {fold(t) for layout in L.layouts for t in (layout.title, *layout.titles) if t}
    return tuple(sorted(found - {""}, key=lambda t: (-len(t), t)))


_CAPTION = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]")


def assemble(rows: list[Row], place: str = "行", layout: Layout | str | None = None,
             exact: bool = False, one_per_line: bool = False, by_columns: bool = False,
             lossy: bool = False, grid: bool = False,
             progress: Optional[Callable[[int, int], None]] = None) -> list[FormData]:
    """Rows of one or more forms → FormData, with review notes where the reading is uncertain.

    `place` names what Row.where counts ("行" for text lines, "页" for PDF pages) in reasons.
    Labels are recognised in every shipped layout's words; `layout` (the configured one) is the
    one messages use. `grid`: each row's cells are at their table's grid columns (None under a merged
    cell), so the funds block and the indicator table are read by the columns their header rows name.
    `progress(rows read, rows)` is told of every row (a text of a thousand forms takes half a minute).
    """
    L = Labels(layout)
    rows = project_list.spread(rows, L)  # a table of all a unit's projects: one form per project
    year_re = L.year_pattern(r"(?:19|20|21)\d\d")
    project = L.of("header", "project")
    funds_block = L.of("funds_block", "")
    grade_word = L.word("grade", "grade")
    forms: list[_Form] = []
    form: _Form | None = None
    heading: Optional[str] = None  # a line before the first form that names a performance form
    for done, row in enumerate(rows, start=1):
        if progress is not None:
            progress(done, len(rows))
        texts = row.texts
        if len(texts) > 1 and _CAPTION.match(texts[0]):
            # "一、基本情况 项目名称 …": the numbered block caption in the first column is no cell of the form.
            first = row.first_at
            row = Row(row.cells[first + 1:], row.where, row.brk,
                      {i - first - 1: g for i, g in row.guesses.items() if i > first})
            texts = row.texts
        if not texts:
            continue
        if grid:
            row = _rejoin(row, L)
            texts = row.texts
        label = fold(texts[0])
        joined = squash("".join(texts))
        if _is_title(joined, L):
            form = _Form(FormData(), row.where, L, exact=exact, one_per_line=one_per_line, by_columns=by_columns,
                          lossy=lossy, grid=grid)
            form.title = " ".join(texts)
            forms.append(form)
            match = year_re.search(" ".join(texts))
            if match:
                form.data.year = int(match.group(1))
            continue
        if form is not None and form.section not in ("head", "done") and label in project:
            # The next form begins before this one reached its 评分等级 row.
            form.flag(("grade",), f"表没有写完（没有“{grade_word}”一行）就开始了下一张表（原文第 {row.where} {place}）", row.where)
            form.section = "done"
        if form is None or form.section == "done":
            if label in project or (form is None and starts(label, funds_block)):
                # A form without a title line (or a second one straight after the first).
                form = _Form(FormData(), row.where, L, exact=exact, one_per_line=one_per_line, by_columns=by_columns,
                          lossy=lossy, grid=grid)
                forms.append(form)
                if heading is not None:
                    # The line above it names the form in words no layout prints (成安县民政局2020年度预算项目
                    # 绩效自评表): its year and words are the form's.
                    form.title = heading
                    match = year_re.search(heading)
                    if match:
                        form.data.year = int(match.group(1))
                heading = None
            else:
                if form is None and "表" in joined and "绩效" in joined and len(joined) <= 60:
                    heading = " ".join(texts)
                if form is not None and form.section == "done" and _signature_line(form, row):
                    continue
                if form is not None and form.section == "done" and _section_key(L, label) is not None:
                    # 存在问题 | … , 改进措施 | … : a layout's sections printed under the table.
                    form.landed = {}
                    _label_value_pairs(form, row, _section_key(L, label))
                    continue
                if form is not None and form.section == "done":
                    form.flag_unread(f"表后的内容未读取：“{_short(' '.join(texts))}”（原文第 {row.where} {place}）", row.where)
                continue
        form.rows_read += 1
        if form.rows_read > MAX_FORM_ROWS:
            raise NotAForm(
                f"第 {form.where} {place}开始的表超过 {MAX_FORM_ROWS} 行（到第 {row.where} {place}），不像一张自评表，未读取",
                f"the form starting at {'page' if place == '页' else 'line'} {form.where} has more than "
                f"{MAX_FORM_ROWS} rows; not read",
            )
        if form.data.year is None and form.section == "head":
            match = year_re.search(" ".join(texts))
            if match:
                form.data.year = int(match.group(1))
                if joined == squash(match.group(0)) or re.fullmatch(r"[(（]?" + year_re.pattern + r"[)）]?", joined):
                    continue
        form.landed = {}
        form.where_now = row.where
        form.printed.update(t for t in texts if len(t) <= 16 and number(t) is None)
        before = len(form.items)
        form.noted = False
        section = form.section
        _row(form, row, texts, label, place)
        if not form.noted:
            form.read_rows.append((row, _SECTION_PATHS.get(section, ()), before, len(form.items), dict(form.landed)))
        if form.carry and len(form.items) > before:
            form.flag_item(form.items[before], None, "；".join(form.carry), row.where)
            form.carry = []
        if row.guesses:
            _guessed(form, row, place)
    out: list[FormData] = []
    if forms:
        _cut(forms[-1], place)
    for form in forms:
        _finish(form, place)
        if form.items or any(v is not None for v in form.data.funds["total"].values()) or form.data.project:
            out.append(form.data)
    return out


# A label wrapped in its cell whose last line a PDF's text gives to the next cell: at most this many characters.
_WRAPPED_TAIL = 2


def _rejoin(row: Row, L: Labels) -> Row:
    """A label cut in two by a PDF (部门（单位）名 | 宁乡县统计局称, 参考分 | 值得分): the label's wrapped last
    characters went into the next cell, at its end or its start. Where the cell is no label but it and those
    characters are one, they are put back, and the cell they were taken from is flagged (a guess)."""
    words = L.words
    cells = list(row.cells)
    guesses = dict(row.guesses)
    for i, cell in enumerate(cells):
        head = fold(cell)
        if len(head) < 3 or head in words or number(cell) is not None:
            continue
        j = next((k for k in range(i + 1, len(cells)) if cells[k] is not None and cells[k].strip()), None)
        if j is None:
            continue
        after = cells[j].strip()
        for word in sorted(w for w in words if w.startswith(head) and 0 < len(w) - len(head) <= _WRAPPED_TAIL):
            tail = word[len(head):]
            if after == tail:
                break  # the label's tail in a cell of its own: no value to take it from
            if after.endswith(tail):
                rest = after[: -len(tail)]
            elif after.startswith(tail):
                rest = after[len(tail):]
            else:
                continue
            cells[i], cells[j] = cell.rstrip() + tail, rest
            guesses[j] = (f"“{cell.strip()}”一格的最后“{tail}”字印在旁边一格（“{after}”，标签换行），"
                          f"按“{cell.strip()}{tail}”和“{rest}”读取")
            break
    return row if cells == row.cells else Row(cells, row.where, row.brk, guesses)


_SECTION_PATHS = {"head": (), "funds": ("funds",), "goals": ("goals",), "indicators": ("indicators",),
                  "grade": ("total",), "done": ("grade",)}


def _guessed(form: _Form, row: Row, place: str) -> None:
    """The row's guessed cell boundaries → review notes on the cells they landed on."""
    at = f"原文第 {row.where} {place}"
    for index, reason in sorted(row.guesses.items()):
        target = form.landed.get(index)
        text = f"{reason}（{at}）"
        if isinstance(target, tuple) and len(target) == 2 and isinstance(target[0], Indicator):
            form.flag_item(target[0], target[1], text, row.where)
        elif target is not None:
            form.flag(target, text, row.where)
        elif form.items and form.section == "indicators":
            form.flag_item(form.items[-1], None, text, row.where)
        else:
            form.flag(_SECTION_PATHS.get(form.section, ()), text, row.where)


def _land_after(form: _Form, row: Row, start: int, targets: list) -> None:
    """The cells after index `start` (merged ones skipped) were read, in order, into `targets`
    (paths or (Indicator, key)); with `None` for a blank cell that was passed over (see _next_text)."""
    indexes = [i for i in range(start + 1, len(row.cells)) if row.cells[i] is not None]
    for index, target in zip(indexes, targets):
        form.landed.setdefault(index, target)


def _land_next(form: _Form, row: Row, start: int, target: object) -> None:
    """The first non-blank cell after index `start` was read into `target`."""
    for index in range(start + 1, len(row.cells)):
        if _cell(row.cells[index]) is not None:
            form.landed.setdefault(index, target)
            return


def _more_parties(form: "_Form", row: Row, after: int) -> None:
    """主管部门 / 实施单位 printed on the 项目名称 line (项目名称: … 实施(主管)单位 …): each label's next cell,
    unless that cell is itself a label."""
    L = form.L
    # 主管部门 and 实施单位 are FormData's own fields; the other header cells (项目负责人 …) are extra cells.
    keys = dict.fromkeys(f.key for layout in L.layouts for f in layout.header if f.key not in ("year", "project"))
    labels = {key: L.of("header", key) for key in keys}
    every = set().union(*(L.of("header", f.key) for layout in L.layouts for f in layout.header))
    own = ("department", "implementer")
    for index in range(after + 1, len(row.cells)):
        cell = row.cells[index]
        for key, words in labels.items():
            if cell is None or not matches(cell, words):
                continue
            form.seen.add(key)
            held = getattr(form.data, key) if key in own else form.data.extra.get((key,))
            if held is None:
                value = _cell(row.cells[index + 1]) if index + 1 < len(row.cells) else None
                if value is not None and fold(value) not in every:
                    if key in own:
                        setattr(form.data, key, value)
                    else:
                        form.data.extra[(key,)] = value
                    form.landed.setdefault(index + 1, (key,))
            break


_UNIT_LINE = re.compile(r"^(?:金额|资金)?单位:(万元|元)$")


def _exact_next(form: "_Form", cells: list) -> str | None:
    """The cell right after a label when every cell is in place (a blank one is a blank value), else the
    first non-blank one after it."""
    if form.one_per_line:
        return _cell(cells[0]) if cells else None
    return _next_text(cells)


def _label_value_pairs(form: "_Form", row: Row, first_key: str) -> None:
    """A row of label | value pairs (项目负责人 | 陈建国 | 联系电话 | 0571-…): each label takes the cell
    after it, and a label followed by another label was left blank, not filled with that label."""
    start = row.first_at
    key: Optional[str] = first_key
    index = start
    while key is not None:
        rest = row.cells[index + 1:]
        value = _exact_next(form, rest)
        following = _section_key(form.L, squash(value)) if value is not None else None
        if value is not None and following is None:
            form.data.extra[(key,)] = _months(value) if key == "period" else value
            _land_next(form, row, index, (key,))
        # The next label of the row, if any, after this one (and its value).
        key, index = None, index + 1
        for offset, cell in enumerate(rest):
            text = _cell(cell)
            if text is None:
                continue
            found = _section_key(form.L, squash(text))
            if found is not None and found not in {k[0] for k in form.data.extra}:
                key, index = found, index + offset
                break


_MONTHS = re.compile(r"(?:1\s*[-–—~至]\s*)?(\d{1,2})\s*(?:个)?月?")


def _months(text: str) -> int | str:
    """监控期间 printed "6", "1-6月" or "6个月" is the number of months monitored (the spec's integer 1–12);
    anything else is kept as printed (the schema check then names it)."""
    match = _MONTHS.fullmatch(text.strip())
    if match and 1 <= int(match.group(1)) <= 12:
        return int(match.group(1))
    return text


def _signature_line(form: "_Form", row: Row) -> bool:
    """The signature block's line (单位负责人：… 填表人：王丽 填报日期：…): its filled-in pairs read, blank ones
    left out; False when the row is no such line."""
    from perfspec.importers.signatures import pairs

    found = pairs(row.cells, form.L)
    if found is None:
        return False
    for key, value in found:
        form.seen.add(key)
        if value is not None and (key,) not in form.data.extra:
            form.data.extra[(key,)] = value
    return True


def _next_text(cells: list) -> str | None:
    for cell in cells:
        value = _cell(cell)
        if value is not None:
            return value
    return None


_FOOTNOTE = re.compile(r"^(?:注[:：]|注\d|说明[:：]?$|填表说明)")


def _row(form: _Form, row: Row, texts: list[str], label: str, place: str) -> None:
    data, L = form.data, form.L
    at = f"原文第 {row.where} {place}"
    if form.section in ("indicators", "grade") and form.items and _FOOTNOTE.match(label):
        form.section = "done"  # the footnotes under the table: the form ended (without a 总分 row, if none came)
        return
    head = form.section == "head"
    if head and label in L.of("header", "project"):
        start, rest = _starting(row, L.of("header", "project"))
        data.project = _exact_next(form, rest)
        _land_next(form, row, start, ("project",))
        if data.project is None:
            form.flag(("project",), f"“{L.word('header', 'project')}”一栏是空的（{at}）", row.where)
        form.seen.add("project")
        _more_parties(form, row, start)
        return
    departments, implementers = L.of("header", "department"), L.of("header", "implementer")
    if head and (_starting(row, departments)[0] >= 0 or _starting(row, implementers)[0] >= 0):
        if _starting(row, departments)[0] >= 0:
            form.seen.add("department")
            start, rest = _starting(row, departments)
            value = _exact_next(form, rest)
            data.department = None if value is not None and starts(value, implementers) else value
            if data.department is not None:
                _land_next(form, row, start, ("department",))
        if _starting(row, implementers)[0] >= 0:
            form.seen.add("implementer")
            start, rest = _starting(row, implementers)
            data.implementer = _exact_next(form, rest)
            _land_next(form, row, start, ("implementer",))
        form.seen.add("parties")
        return
    if (head or form.section == "goals") and starts(label, L.of("funds_block", "")):
        # (some forms print their goals above the funds block)
        form.section = "funds"
        if form.by_columns or form.grid:
            _funds_header(form, row, least=1)  # the caption may head the columns' row
        caption = squash(texts[0])
        if "万元" in caption:
            data.unit = "万元"
        elif re.search(r"[(（]元[)）]", caption):
            data.unit = "元"
        elif not form.unit_stated:
            form.flag(("funds", "unit"), f"“{L.ref.funds_zh}”一栏没有写金额单位，按万元读取（{at}）", row.where)
        form.unit_stated = True
        points = POINTS_AFTER_LABEL.search(fold(caption))
        if points and data.funds_weight is None:
            # 预算执行情况(万元)(20分): the caption states the block's points; a 分值 cell, if any, is read after it.
            data.funds_weight = Decimal(points.group(1))
        return
    if form.section in ("head", "funds") and _funds_header(form, row):
        form.section = "funds"
        return
    if form.section in ("indicators", "grade") and form.items and _signature_line(form, row):
        form.section = "done"  # the signature block under the table: the form ended
        return
    if form.section == "funds" and _strip_note(label) in L.of("funds", "deviation"):
        # 调整原因 | … : the note on the funds block, in a row of its own under its amounts.
        start, rest = _starting(row, L.of("funds", "deviation"))
        value = _exact_next(form, rest)
        if value is not None:
            data.extra[("funds", "deviation")] = value
            _land_next(form, row, start, ("funds", "deviation"))
        return
    section_key = _section_key(L, label)
    if section_key is not None:
        _label_value_pairs(form, row, section_key)
        return
    if form.section in ("funds", "head"):
        found = _funds_row_key(form, row)
        if found is not None:
            key, index, rest = found
            form.funds_rows_read += 1
            if (form.exact or form.funds_at) and form.funds_cols:
                _funds_row_by_columns(form, row, key, index, at)
                form.section = "funds"
                return
            if key not in FUNDS_ROWS:
                form.flag(("funds", key), f"“{_cell(row.cells[index])}”一行按位置读取（{at}）", row.where)
                for column, text in zip(FUNDS_COLUMNS, [c for c in rest if c is not None]):
                    data.extra[("funds", key, column)] = number(text.strip())
                form.section = "funds"
                return
            targets: list = [("funds", key, column) for column in FUNDS_COLUMNS]
            if key == "total":
                targets += [("funds", "weight"), ("funds", "rate"), ("funds", "score")]
            _land_after(form, row, index, targets)
            _funds_row(form, row, key, rest, at)
            words = [c.strip() for c in rest if c is not None and c.strip() and _number_or_percent(c) is None
                     and c.strip() not in ("-", "/")]
            if words:
                form.flag(("funds", key), f"这一行的金额之间夹着文字（“{_short(' '.join(words), 24)}”：资金表分成了几块？），"
                          f"各格按位置读取（{at}）", row.where)
            form.section = "funds"
            return
    if form.section in ("head", "funds") and starts(label, L.of("goals_block", "")):
        form.section = "goals"
        expected = next((i for i, c in enumerate(row.cells) if c is not None and matches(c, L.of("goals", "expected"))), None)
        achieved = next((i for i, c in enumerate(row.cells) if c is not None and matches(c, L.of("goals", "achieved"))), None)
        form.goals_columns = (expected, achieved)
        start = row.first_at
        rest = row.cells[start + 1:]
        block = next((i for i, c in enumerate(rest) if c is not None and matches(c, L.of("indicators_block", ""))), None)
        rest = rest if block is None else rest[:block]  # 绩效指标, the next block's caption, run into the row
        if expected is None and achieved is None and any(c is not None and c.strip() for c in rest):
            # 总体目标 | 开展7个小型水利工程建设: the goal in the caption's row (a target table's one cell).
            form.goals_columns = (start + 1, None)
            _goals_row(form, Row([None] * (start + 1) + list(rest), row.where, row.brk, row.guesses), at)
        return
    if columns_.is_header(row, L):
        if form.section == "indicators" and form.items:
            form.break_next = True  # a repeated header: the table went on to a new page
        form.section = "indicators"
        columns = columns_.header_columns(row, L)
        if columns:
            form.columns = columns
            first = next((i for i, key in enumerate(columns) if key is not None), len(columns))
            if form.grid and None not in columns[first:]:
                # Every column after the block's caption is named: the rows are read by position. A header
                # cell no layout names (a label the PDF cut in two: 参考分 | 值得分) leaves the rows to the
                # reading by the numbers' places, which flags what it guesses.
                form.positions = columns_.header_positions(row, columns)
        return
    if label in L.of("total", "total") or POINTS_AFTER_LABEL.sub("", label) in L.of("total", "total"):
        _total_row(form, row, at)
        form.section = "grade"
        return
    if label in L.of("grade", "grade"):
        _grade_row(form, row, at)
        form.section = "done"
        return
    if form.section == "goals":
        _goals_row(form, row, at)
        return
    if form.section == "indicators" and not form.items and form.columns and columns_.sub_header(form, row):
        form.rows_since_header += 1
        return
    if form.section == "indicators":
        brk = row.brk or form.break_next
        form.break_next = False
        _indicator_row(form, row, brk, place)
        return
    if form.section in ("head", "funds") and sum(1 for t in texts if _number_or_percent(t) is not None) >= (
            2 if form.section == "funds" else 1):
        # Amounts in a row no label explains: the funds block may be printed another way; its cells are suspect.
        form.flag(("funds",), f"资金表中有一行未能识别，未读取：“{_short(' '.join(texts))}”（{at}）", row.where)
        form.noted = True
        return
    if form.section == "head" and _colon_pairs(form, row, " ".join(texts)):
        return
    unit = _UNIT_LINE.match(fold("".join(texts)))
    if unit and form.section in ("head", "funds"):
        data.unit, form.unit_stated = unit.group(1), True  # 金额单位:元, on a line of its own above the table
        form.split.append(" ".join(texts))  # read: its text is placed
        return
    form.flag_unread(f"未能识别的一行，未读取：“{_short(' '.join(texts))}”（{at}）", row.where)


def _colon_pairs(form: _Form, row: Row, text: str) -> bool:
    """A line above the table of `label:value` pairs (单位名称:某局 填报日期:2023年4月15日): each header or
    signature cell a layout names takes its value; a label no field holds (单位名称) only ends the value
    before it. False when the line holds no such label."""
    L, data = form.L, form.data
    keys = dict.fromkeys(f.key for layout in L.layouts for f in (*layout.header, *layout.signatures)
                         if f.key not in ("year", "seal"))  # a seal is stamped, not written
    words = {fold(word): key for key in keys for word in L.of("header", key)}
    words.update({fold(word): None for word in L.listed("header_other")})
    pattern = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if len(w) >= 2)
    if not pattern:
        return False
    # A label starts a word: 单位(盖章) inside 项目单位(盖章) is not that label.
    found = list(re.finditer(rf"(?<![\u4e00-\u9fff])({pattern})\s*[:：]", text))
    if not found:
        return False
    own = ("project", "department", "implementer")
    for at, match in enumerate(found):
        end = found[at + 1].start() if at + 1 < len(found) else len(text)
        value = text[match.end():end].strip() or None
        key = words.get(fold(match.group(1)))
        if key is None or value is None:
            continue
        form.seen.add(key)
        if key in own and getattr(data, key) is None:
            setattr(data, key, value)
        elif key not in own and data.extra.get((key,)) is None:
            data.extra[(key,)] = value
    form.split.append(text)  # read as its pairs: the line is placed (a 单位名称 no field holds is dropped by design)
    return True


_FUNDS_WORDS = ("weight", "rate", "score", "deviation")


def _funds_header(form: _Form, row: Row, least: int = 2) -> bool:
    """A row of the funds block's column labels: their keys, in order, become form.funds_cols.

    `least`: the column labels it must hold; one after the block's caption (a target table's 年度预算金额)."""
    L = form.L
    column_keys = {f.key for layout in L.layouts for f in layout.funds_columns}
    names = L.keys("funds_columns", sorted(column_keys))
    words = L.keys("funds", _FUNDS_WORDS)
    keys: list = []
    at: dict = {}
    period = None
    for index, cell in enumerate(row.cells):
        folded = _strip_note(fold(cell))
        if not folded:
            continue
        key = names.get(folded) or words.get(folded)
        if key is None:
            key, months = _months_label(folded, names)
            if key is not None and months is not None:
                period = months
        if key is not None:
            keys.append(key)
            at[index] = key
    if sum(1 for k in keys if k in column_keys) < least:
        return False
    if period is not None:
        form.data.extra[("period",)] = period
    if any(_number_or_percent(c) is not None for c in row.texts):
        _transposed_total(form, row, {**names, **words})
        return True
    form.funds_cols = keys
    if form.grid or (form.exact and form.by_columns and not form.one_per_line):
        # A grid, or pipes that keep every blank cell in its place: the header's cells name the columns below
        # (in pipes, only rows as wide as the header: see _funds_row_by_columns).
        from perfspec.importers.detect import detect

        form.funds_at = at
        form.funds_width = len(row.cells)
        # Whether a source row's cell under 执行率 is its own rate (Sichuan's 财政资金 98.09%) or a figure the
        # form derives and the spec does not hold: the layout the title and labels printed so far say.
        form.row_rates = detect(form.title, form.printed | set(row.texts)).layout.row_rates
    return True


def _transposed_total(form: _Form, row: Row, names: dict) -> None:
    """预算数 6.84 到位数 6.84 执行数 6.84 100.00: the total row printed across, each column's label before its
    amount; a last amount without a label is the rate. Read so, and flagged."""
    data = form.data
    texts = row.texts
    read: list[str] = []
    i = 0
    while i < len(texts):
        key = names.get(_strip_note(fold(texts[i])))
        value = _number_or_percent(texts[i + 1]) if i + 1 < len(texts) else None
        if key is not None and value is not None:
            if key in FUNDS_COLUMNS:
                data.funds["total"][key] = value
            elif key == "rate":
                data.funds_rate = value
            else:
                data.extra[("funds", "total", key)] = value
            read.append(texts[i])
            i += 2
            continue
        if i == len(texts) - 1 and _number_or_percent(texts[i]) is not None and data.funds_rate is None:
            data.funds_rate = _number_or_percent(texts[i])
            read.append(form.L.word("funds", "rate"))
        i += 1
    form.flag(("funds",), f"资金表横排（每个栏目名称后面是它的金额）：按{'、'.join(read)}读作"
              f"{form.L.word('funds', 'total')}（原文第 {row.where} 行）", row.where)
    form.funds_rows_read += 1


def _months_label(folded: str, names: dict) -> tuple[Optional[str], Optional[int]]:
    """A label printed for the months monitored: 1-6月执行数 is the layout's 1–N月执行数 (N = 6)."""
    for label, key in names.items():
        if "N" not in label:
            continue
        pattern = re.escape(label).replace("N", r"(\d{1,2})").replace("–", "[-–—~至]").replace("\\-", "[-–—~至]")
        match = re.fullmatch(pattern, folded)
        if match:
            return key, int(match.group(1))
    return None, None


def _section_key(L: Labels, label: str) -> Optional[str]:
    """The key of a section or signature field (评价结论, 项目负责人 …) the row begins with, if any."""
    keys = {f.key for layout in L.layouts for f in layout.header + layout.sections + layout.signatures}
    keys -= {"project", "department", "implementer", "year"}
    names = L.keys("header", sorted(keys))
    folded = re.sub(r"^\d{1,2}[.、]", "", label)
    # The label as printed first: a bracket may be part of it (省(区、市)), not a note to strip.
    return names.get(folded) or names.get(_strip_note(folded))


def _funds_row_key(form: _Form, row: Row) -> Optional[tuple]:
    """(row key, index of its label cell, the cells after it) for a funds row; the first row under the
    funds header is the total row whatever its label (总额, 合计 …), flagged."""
    L = form.L
    keys = list(FUNDS_ROWS) + sorted({f.key for layout in L.layouts for f in layout.funds_rows} - set(FUNDS_ROWS))
    # The label is before the amounts (a long note after them may mention another row's name).
    first_number = next((i for i, c in enumerate(row.cells) if c is not None and _number_or_percent(c) is not None),
                        len(row.cells))
    head = Row(row.cells[:first_number], row.where)
    for anywhere in (False, True):
        for key in keys:
            index, _ = _find(head, L.of("funds_rows", key), anywhere=anywhere)
            if index >= 0:
                return key, index, row.cells[index + 1:]
    texts = row.texts
    sources = [f.key for f in L.ref.funds_rows if not f.total] or ["appropriation"]
    if texts and re.match(r"其中[:：]", texts[0]) and form.section == "funds":
        index = row.first_at
        form.flag(("funds", sources[0]), f"“{texts[0]}”不是哪个版式的资金行名称；“其中”引出的第一行按"
                  f"{L.word('funds', sources[0])}读取", row.where)
        return sources[0], index, row.cells[index + 1:]
    if form.funds_cols and form.funds_rows_read == 0 and texts and number(texts[0]) is None \
            and sum(1 for t in texts[1:] if _number_or_percent(t) is not None) >= 2:
        index = row.first_at
        form.flag(("funds", "total"), f"“{texts[0]}”不是哪个版式的资金行名称；它是资金表头下的第一行，"
                  f"按{L.word('funds', 'total')}读取", row.where)
        return "total", index, row.cells[index + 1:]
    return None


def _funds_row_by_columns(form: _Form, row: Row, key: str, index: int, at: str) -> None:
    """A funds row read by the header's columns (every cell in place)."""
    data, L = form.data, form.L
    columns = form.funds_cols or []
    in_order = [(index + 1 + p, key, text) for p, (key, text) in enumerate(zip(columns, row.cells[index + 1:]))]
    under = [(i, key, row.cells[i] if i < len(row.cells) else None) for i, key in sorted((form.funds_at or {}).items())]
    if form.funds_at and form.grid:
        placed = under  # a grid: each column's cell is the one under its header cell, whatever the label's span
    elif form.funds_at and len(row.cells) == form.funds_width and _rate_holds(under) and not _rate_holds(in_order):
        # Pipes keep blank cells in place, but a header's captions may not sit over their columns: the cells
        # under the header are taken only where their arithmetic (执行数 ÷ 预算数 = 执行率) confirms them.
        placed = under
    else:
        placed = in_order
    # The rate column among the amounts (before 分值/权重): every funds row has its own rate (row_rates).
    row_rates = "rate" in columns and "weight" in columns and columns.index("rate") < columns.index("weight")
    for cell_index, column, text in placed:
        text = (text or "").strip()
        if column in _FUNDS_WORDS and key != "total":
            # 分值 / 执行率 / 得分 / 原因 belong to the total row (the others print "/" or nothing); in a grid
            # a rate printed in a source row's own cell under 执行率 is that row's (Sichuan's 财政资金 98.09%).
            if column != "rate" or not (row_rates or (form.row_rates and _number_or_percent(text) is not None)):
                continue
            path: tuple = ("funds", key, "rate")
        elif column in _FUNDS_WORDS:
            path = {"weight": ("funds", "weight"), "rate": ("funds", "rate"), "score": ("funds", "score"),
                    "deviation": ("funds", "deviation")}[column]
        else:
            path = ("funds", key, column)
        form.landed.setdefault(cell_index, path)
        if column == "deviation":
            if text:
                data.extra[path] = text
            continue
        value = _number_or_percent(text) if text not in ("", "-", "/") else None
        if column == "rate" and form.funds_at and value is not None and text[-1:] in "%％":
            value = format(value, "f") + "%"  # a rate printed with its sign is written so (the spec keeps "98.20%")
        if value is None and column not in _FUNDS_WORDS and text:
            value = _wan(form, text, path, at)
        if value is None and text not in ("", "-", "/"):
            form.flag(path, f"“{L.word('funds', key)}”的“{text}”不是数，按空白读取（{at}）", row.where)
        if path == ("funds", "weight"):
            data.funds_weight = value
        elif path == ("funds", "rate"):
            data.funds_rate = value
        elif path == ("funds", "score"):
            data.funds_score = value
        elif key in FUNDS_ROWS and column in FUNDS_COLUMNS:
            data.funds[key][column] = value
        elif value is not None or key not in FUNDS_ROWS:
            data.extra[path] = value
    if key == "total" and "rate" in (form.funds_cols or []):
        rate_at = (form.funds_cols or []).index("rate")
        if "weight" in (form.funds_cols or []) and rate_at < (form.funds_cols or []).index("weight"):
            # The rate column sits among the amounts: every funds row has its own rate (row_rates).
            data.extra[("funds", "total", "rate")] = data.funds_rate


def _rate_holds(cells: list) -> bool:
    """Whether a funds row read so states a rate that its amounts give (执行数 ÷ 全年预算数, to 0.5 %)."""
    values = {column: _number_or_percent((text or "").strip()) for _index, column, text in cells}
    rate, executed = values.get("rate"), values.get("executed")
    budget = values.get("annual") if values.get("annual") is not None else values.get("initial")
    if rate is None or executed is None or budget is None:
        return False
    if budget == 0:
        return executed == 0 and rate == 0
    return abs(executed / budget * 100 - rate) <= Decimal("0.5")


def _funds_row(form: _Form, row: Row, key: str, rest: list, at: str) -> None:
    L = form.L
    values = [c.strip() for c in rest if c is not None]
    while values and not values[-1]:
        values.pop()
    path = ("funds", key)
    row_zh = L.word("funds", key)
    if len(values) < 3:
        form.flag(path, f"“{row_zh}”一行只有 {len(values)} 个金额（应有 3 个），缺少的按空白读取（{at}）", row.where)
    for column, text in zip(FUNDS_COLUMNS, values[:3]):
        value = number(text)
        if value is None and text:
            value = _wan(form, text, path + (column,), at)
        if value is None and text not in ("",):
            form.flag(path + (column,), f"“{row_zh}”的“{text}”不是金额，按空白读取（{at}）", row.where)
        form.data.funds[key][column] = value
    if key == "total":
        extra = values[3:6]
        names = ("funds_weight", "funds_rate", "funds_score")
        zh = tuple(L.word("funds", k) for k in ("weight", "rate", "score"))
        paths = (("funds", "weight"), ("funds", "rate"), ("funds", "score"))
        if len(extra) < 3:
            form.flag(("funds",), f"“{row_zh}”一行缺少{'、'.join(zh[:2])}或{zh[2]}（只有 {len(values)} 格），缺少的按空白读取（{at}）", row.where)
        for name, label_zh, path_, text in zip(names, zh, paths, extra):
            value = _number_or_percent(text)
            if value is None and text not in ("", "-"):
                form.flag(path_, f"预算执行率的{label_zh}“{text}”不是数，按空白读取（{at}）", row.where)
            setattr(form.data, name, value)


def _total_row(form: _Form, row: Row, at: str) -> None:
    L = form.L
    start, rest = _find(row, L.of("total", "total"))
    if start < 0:  # 总分(100分): the label with its points
        start = row.first_at
        rest = row.cells[start + 1:]
    if form.positions and _grid_total(form, row, start, at):
        return
    points = POINTS_AFTER_LABEL.search(fold(row.cells[start]))
    if points:
        # 总分(100分) | 100: the label states the points, the one number after it is the score.
        numbers = [n for n in (number((c or "").strip()) for c in rest) if n is not None]
        if len(numbers) == 1:
            form.data.total_weight, form.data.total_score = Decimal(points.group(1)), numbers[0]
            index = next(i for i in range(start + 1, len(row.cells)) if number((row.cells[i] or "").strip()) is not None)
            form.landed.setdefault(index, ("total", "score"))
            return
    if form.exact:
        cells = [(c or "").strip() for c in rest]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) <= 2 and all(not c or number(c) is not None for c in cells):
            cells += [""] * (2 - len(cells))
            form.data.total_weight, form.data.total_score = number(cells[0]), number(cells[1])
            for offset in range(2):
                form.landed.setdefault(start + 1 + offset, ("total", ("weight", "score")[offset]))
            return
    values = [c.strip() for c in rest if c is not None and c.strip()]
    for index in range(start + 1, len(row.cells)):
        if _cell(row.cells[index]) is not None:
            form.landed.setdefault(index, ("total",))
    numbers = [number(v) for v in values]
    if len(values) == 2 and all(n is not None for n in numbers):
        form.data.total_weight, form.data.total_score = numbers  # type: ignore[misc]
        return
    good = [n for n in numbers if n is not None]
    if len(good) >= 2:
        form.data.total_weight, form.data.total_score = good[0], good[1]
    elif len(good) == 1:
        form.data.total_score = good[0]
    weight, score = L.word("total", "weight"), L.word("total", "score")
    form.flag(
        ("total",),
        f"“{L.word('total', 'total')}”一行应有{weight}和{score}两个数，读到的是“{' | '.join(values) or '（空白）'}”"
        f"{f'，按{score}读取' if len(good) == 1 else ''}（{at}）",
        row.where,
    )


def _grid_total(form: _Form, row: Row, start: int, at: str) -> bool:
    """总分 in a grid: the numbers under the indicator table's 分值 and 得分 columns (a 合计 row that prints 100
    under 分值 and leaves 得分 blank is read so). False when the row is not under that header or holds a
    number elsewhere (then it is read as printed, and flagged)."""
    positions = form.positions or []
    if len(row.cells) != len(positions) or not {"weight", "score"} & set(positions):
        return False
    found: dict = {}
    for index in range(start + 1, len(row.cells)):
        text = _cell(row.cells[index])
        if text is None:
            continue
        key = positions[index]
        if key not in ("weight", "score") or key in found or number(text) is None:
            return False
        found[key] = (index, number(text))
    if not found:
        return False
    for key, (index, value) in found.items():
        setattr(form.data, "total_" + key, value)
        form.landed.setdefault(index, ("total", key))
    return True


def _grade_row(form: _Form, row: Row, at: str) -> None:
    word = form.L.word("grade", "grade")
    start, rest = _find(row, form.L.of("grade", "grade"))
    value = _next_text(rest)
    _land_next(form, row, start, ("grade",))
    if value in GRADES:
        form.data.grade = value
        return
    if value is None:
        form.flag(("grade",), f"“{word}”一栏是空的（{at}）", row.where)
        return
    best = value[0] if value[0] in GRADES else None
    form.data.grade = best
    form.flag(
        ("grade",),
        f"{word}“{value}”不是{'、'.join(GRADES)}之一，" + (f"按“{best}”读取" if best else "按空白读取") + f"（{at}）",
        row.where,
    )


def _goals_row(form: _Form, row: Row, at: str) -> None:
    expected_col, achieved_col = form.goals_columns
    cells = [(i, c.strip()) for i, c in enumerate(row.cells) if c is not None and c.strip()]
    form.goals_rows += 1
    parts: dict[str, list[str]] = {"expected": [], "achieved": []}
    if len(cells) == 2:
        parts["expected"].append(cells[0][1])
        parts["achieved"].append(cells[1][1])
    elif len(cells) == 1 and expected_col is not None and achieved_col is None:
        parts["expected"].append(cells[0][1])  # the header names one goal cell (a target table's 绩效目标)
    else:
        split = achieved_col if achieved_col is not None else None
        for index, text in cells:
            side = "achieved" if split is not None and index >= split else "expected"
            parts[side].append(text)
        form.flag(
            ("goals",),
            f"“{form.L.ref.goals_zh}”一行有 {len(cells)} 格文字（应为"
            f"{'和'.join(form.L.word('goals', k) for k in ('expected', 'achieved'))}两格），按所在的栏读取（{at}）",
            row.where,
        )
    for index, text in cells:
        side = "expected" if len(cells) == 2 and index == cells[0][0] else "achieved" if len(cells) == 2 else (
            "achieved" if achieved_col is not None and index >= achieved_col else "expected")
        form.landed.setdefault(index, ("goals", side))
    for side in ("expected", "achieved"):
        if not parts[side]:
            continue
        text = "".join(parts[side])
        attr = "goals_" + side
        if form.goals_rows > 1 and getattr(form.data, attr):
            setattr(form.data, attr, getattr(form.data, attr) + text)
            form.flag(("goals", side), f"接续上一行（分页处断开？）的文字已接在后面（{at}）", row.where)
        else:
            setattr(form.data, attr, text)


# --------------------------------------------------------------------------- indicators


def _indicator_row(form: _Form, row: Row, brk: bool, place: str) -> None:
    W = form.W
    at = f"原文第 {row.where} {place}"
    form.where_now = row.where
    if any(c is None for c in row.cells):
        # A PDF table: merged cells are known, so the cells a row lacks are the 一级/二级 on its left.
        values = [c.strip() for c in row.cells if c is not None]
        if len(values) < 8:
            values = [""] * (8 - len(values)) + values
    else:
        values = [c.strip() for c in row.cells]
    nonempty = [i for i, v in enumerate(values) if v]
    if _levels_only(form, [values[i] for i in nonempty], brk, at):
        return
    if _unnamed_total(form, row, values, at):
        return
    if form.positions and columns_.read_grid_row(form, row, brk, at):
        return
    # Tab text is read by pairs of numbers (分值 | 得分), which repairs its shifted rows; a header with a split
    # target (计量单位 / 指标性质 columns) has no such pair to go by, and is read by its columns.
    split = form.columns is not None and ("unit" in form.columns or "nature" in form.columns)
    if form.columns and (form.by_columns or form.sub_header or split) and columns_.read_row(form, row, values, brk, at):
        return
    # 分值 and 得分: the last two adjacent numbers with at most the deviation note after them.
    pair = None
    columns = form.columns or []
    if len(values) == len(columns) and {"weight", "score"} <= set(columns) \
            and columns.index("score") == columns.index("weight") + 1 \
            and _is_number(values[columns.index("weight")]) and _is_number(values[columns.index("score")]):
        # A full row under a known header: 分值 and 得分 are where the header puts them (a "0" in the
        # deviation column after a full-marks row is no 得分).
        pair = columns.index("weight")
    for j in range(len(values) - 2, -1, -1):
        if pair is not None:
            break
        if _is_number(values[j]) and _is_number(values[j + 1]):
            if sum(1 for v in values[j + 2 :] if v) <= 1:
                pair = j
            break
    if pair is None:
        if len(nonempty) == 1 and form.items:
            _fragment(form, row, values, nonempty[0], brk, at)
            return
        if not form.exact and len(nonempty) > 1:
            _loose_row(form, row, values, None, brk, at)
            return
        _broken_row(form, row, values, brk, at)
        return
    if not form.exact:
        _loose_row(form, row, values, pair, brk, at)
        return
    weight, score = number(values[pair]), number(values[pair + 1])
    deviation = next((v for v in values[pair + 2 :] if v), None)
    actual = values[pair - 1] if pair >= 1 else ""
    target = values[pair - 2] if pair >= 2 else ""
    lead = values[: max(pair - 2, 0)]
    while len(lead) > 3 and not lead[-1]:
        lead.pop()  # an empty column the extraction added after 三级指标
    notes: list[str] = []
    if pair < 2:
        notes.append(f"这一行的格数太少（{len(nonempty)} 格），{W['target']}或{W['actual']}可能缺失")
    level1, level2, name = _lead(form, lead, notes, brk)
    item = Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=_value(target),
        actual=_value(actual),
        weight=weight,
        score=score,
        deviation=deviation,
    )
    form.items.append(item)
    form.item_rows.append(row)
    if not any(c is None for c in row.cells):
        keys = {pair: "weight", pair + 1: "score", pair - 1: "actual", pair - 2: "target"}
        for index in range(len(row.cells)):
            if index in keys and index >= 0:
                form.landed[index] = (item, keys[index])
            elif index > pair + 1:
                form.landed[index] = (item, "deviation")
            else:
                form.landed[index] = (item, None)  # 一级 / 二级 / 三级: the row as a whole
    form.close_item(item, name, row, brk, notes, at)


def _loose_row(form: _Form, row: Row, values: list[str], pair: Optional[int], brk: bool, at: str) -> None:
    """An indicator row of a copy that lost its blank cells (cells split at spaces): 分值 and 得分 are the
    number pair; before them come the 一级 / 二级 names the row prints (known names), the 三级 name, and
    what is left: 年度指标值 and 实际完成值."""
    W, L = form.W, form.L
    notes: list[str] = []
    if pair is None:
        # No 分值 / 得分 pair at all (a row printed "/" throughout, a form without scores).
        cells, after, weight, score = [v for v in values if v], [], None, None
        notes.append(f"这一行没有相邻的{W['weight']}和{W['score']}，按内容读取")
    else:
        cells = [v for v in values[:pair] if v]
        after = [v for v in values[pair + 2:] if v]
        weight, score = number(values[pair]), number(values[pair + 1])
    lead: list[str] = []
    while cells and len(lead) < 2 and len(cells) > 1 and _is_level(cells[0], L):
        lead.append(cells.pop(0))
    for text in lead:
        _take_level(form, text, notes, brk)
    name = cells.pop(0) if cells else None
    target = actual = None
    if len(cells) >= 2:
        if len(cells) > 2:
            notes.append(f"{W['name']}之后多出 {len(cells) - 2} 格文字，已接在名称后")
            name = "".join([name or ""] + cells[:-2])
        target, actual = cells[-2], cells[-1]
    elif len(cells) == 1:
        actual = cells[0]
        notes.append(f"只有一格在{W['target']}和{W['actual']}的位置（空白格在复制时丢失），按{W['actual']}读取")
    columns = len(form.columns) if form.columns else 8
    if len([v for v in values if v]) + (2 - len(lead)) < columns - (0 if after else 1) and len(cells) < 2:
        notes.append(f"这一行的空白格在复制时丢失，{W['target']}和{W['actual']}按内容推断")
    level1 = _current(form, notes)
    item = Indicator(level1, form.level2 or "", name, _value(target), _value(actual), weight, score,
                     " ".join(after) or None)
    if form.level2 is None:
        notes.append(f"这一行没有{W['level2']}")
    form.items.append(item)
    form.item_rows.append(row)
    form.close_item(item, name, row, brk, notes, at)


def _unnamed_total(form: _Form, row: Row, values: list[str], at: str) -> bool:
    """A row of one label and one or two numbers, the first equal to the sum of every 分值 above (funds
    included): the table's total row under a caption no layout has (合计 …)."""
    texts = [v for v in values if v]
    if len(texts) not in (2, 3) or number(texts[0]) is not None or _is_level(texts[0], form.L):
        return False
    numbers = [number(t) for t in texts[1:]]
    if any(n is None for n in numbers) or not form.items:
        return False
    weights = [i.weight for i in form.items] + [form.data.funds_weight]
    if any(w is None for w in weights) or sum(weights) != numbers[0]:  # type: ignore[arg-type]
        return False
    data = form.data
    data.total_weight = numbers[0]
    data.total_score = numbers[1] if len(numbers) > 1 else None
    form.flag(("total",), f"“{texts[0]}”不是哪个版式的{form.L.word('total', 'total')}行名称；它后面的 {_num(numbers[0])} "
              f"等于各行{form.W['weight']}之和，按{form.L.word('total', 'total')}读取"
              + ("" if len(numbers) > 1 else f"，{form.L.word('total', 'score')}是空白") + f"（{at}）", row.where)
    form.section = "grade"
    return True


def _levels_only(form: _Form, texts: list[str], brk: bool, at: str) -> bool:
    """A row that holds only 一级 / 二级 names (printed above their rows) or template placeholders (指标2:, ……):
    the names are taken, the row is no indicator."""
    if not texts:
        return True
    levels = [t for t in texts if _is_level(t, form.L)]
    rest = [t for t in texts if t not in levels]
    if rest and not all(_PLACEHOLDER.match(squash(t)) for t in rest):
        return False
    notes: list[str] = []
    for text in levels:
        _take_level(form, text, notes, brk)
    form.carry += [n + f"（{at}）" for n in notes]
    form.rows_since_header = 99  # the table's rows have begun: no more header lines
    return True


def _lead(form: _Form, lead: list[str], notes: list[str], brk: bool) -> tuple[str, str, str | None]:
    """一级, 二级 and 三级 from the cells before 年度指标值, repairing (and noting) shifted cells."""
    W = form.W
    if len(lead) > 3:
        extra = [v for v in lead[3:] if v]
        notes.append(f"{W['name']}之后多出 {len(extra)} 格文字（“{_short(' '.join(extra), 20)}”），已接在名称后")
        lead = lead[:2] + ["".join(v for v in lead[2:] if v)]
    if len(lead) == 3:
        l1, l2, name = lead
        _set_level1(form, l1, l2, notes, brk)
        _set_level2(form, l2, notes, brk, form.where_now)
        return _current(form, notes), form.level2 or "", name or None
    if len(lead) == 2:
        a, b = lead
        if a and not b:
            notes.append(f"{W['name']}“{_short(a, 20)}”印在{W['level1']}栏（整行左移），按{_where(form)}下的{W['name']}读取")
            return _current(form, notes), form.level2 or "", a
        if not a and b:
            notes.append(f"这一行少一格（整行左移），按{W['name']}读取")
            return _current(form, notes), form.level2 or "", b
        key = squash(a)
        if key in form.L.level2:
            _parent(form, key, notes)
            notes.append(f"“{key}”印在{W['level1']}栏（整行左移一格），按{form.level1 or '上一个' + W['level1']}下的{W['level2']}读取")
            form.level2 = key
            form.level2_tentative = False
            return _current(form, notes), key, b or None
        if key in form.L.level1:
            notes.append(f"“{key}”后只有一格名称（缺少{W['level2']}），按{W['level1']}读取，{W['level2']}沿用上一行")
            form.level1 = key
            return key, form.level2 or "", b or None
        notes.append(f"这一行少一格（整行左移？）：“{_short(a, 20)}”按{W['level2']}读取")
        form.level2 = key
        return _current(form, notes), key, b or None
    if len(lead) == 1:
        a = lead[0]
        if a:
            notes.append(f"{W['name']}“{_short(a, 20)}”前少两格（整行左移），按{_where(form)}下的{W['name']}读取")
            return _current(form, notes), form.level2 or "", a
    notes.append(f"这一行没有{W['name']}名称")
    return _current(form, notes), form.level2 or "", None


def _where(form: _Form) -> str:
    return f"{form.level1 or '？'} / {form.level2 or '？'}"


def _fragment(form: _Form, row: Row, values: list[str], index: int, brk: bool, at: str) -> None:
    """A row with a single piece of text: the rest of a cell of the row before (wrapped at a page break)."""
    item = form.items[-1]
    text = values[index]
    key = {3: "target", 4: "actual"}.get(index, "deviation" if index >= 5 else "name")
    before = getattr(item, key)
    # A number read as one (10) continued by a wrapped cell (个) is text: "10个".
    before = "" if before is None else format(before, "f") if isinstance(before, Decimal) else str(before)
    setattr(item, key, before + text)
    zh = form.L.word("indicators", key) + ("名称" if key == "name" else "")
    where = "分页后" if brk else "下一行"
    form.flag_item(
        item,
        None if key == "name" else key,
        f"{zh}在{where}接续（“{_short(before, 12)}” + “{_short(text, 12)}”），已连成一段（{at}）",
        row.where,
    )


def _broken_row(form: _Form, row: Row, values: list[str], brk: bool, at: str) -> None:
    """A row without 分值 and 得分 side by side: read by position, and say so."""
    W = form.W
    padded = (values + [""] * 8)[:8] if len(values) <= 8 else values[:7] + ["".join(values[7:])]
    notes = [f"这一行读不出相邻的{W['weight']}和{W['score']}（{len([v for v in values if v])} 格文字），按列的位置读取"]
    l1, l2, name, target, actual, weight, score, deviation = padded
    level1, level2, name_ = _lead(form, [l1, l2, name], notes, brk)
    w, s = number(weight), number(score)
    if weight and w is None:
        notes.append(f"{W['weight']}“{weight}”不是数")
    if score and s is None:
        notes.append(f"{W['score']}“{score}”不是数")
    item = Indicator(level1, level2, name_, _value(target), _value(actual), w, s, deviation or None)
    form.items.append(item)
    form.item_rows.append(row)
    if brk:
        form.break_rows.append(len(form.items) - 1)
    form.flag_item(item, None, "；".join(notes) + f"（{at}）", row.where)


# --------------------------------------------------------------------------- checks at the end


def _cut(form: _Form, place: str) -> None:
    """The last form of the input stops before its end (a cut-off copy): say where, and what is missing."""
    if form.section in ("done", "grade"):
        return  # after 总分 a form may end without a 评分等级 row (many print none)
    from perfspec.importers.detect import detect

    layout = detect(form.title, form.printed).layout
    if not layout.has_total and not layout.has_grade:
        return  # a form without 总分 / 评分等级 rows (a target table …) ends with its indicators
    L, data = form.L, form.data
    total, grade = L.word("total", "total"), L.word("grade", "grade")
    if form.section == "indicators" and form.items:
        last = form.items[-1]
        after = f"{last.level1 or last.level2}“{_short(last.name or '（无名称）', 16)}”"
        missing = [f"{after}之后的行", total, grade]
    else:
        names = {"head": "表头", "funds": L.ref.funds_zh, "goals": L.ref.goals_zh, "indicators": "绩效指标表头"}
        after = names.get(form.section, form.section)
        missing = ["绩效指标", total, grade]
    where = form.item_rows[-1].where if form.section == "indicators" and form.item_rows else form.where_now or form.where
    data.cut = f"表格在第 {where} {place}中断：{'、'.join(missing)}缺失"
    note = f"原文到这里就中断了（第 {where} {place}）：{'、'.join(missing)}缺失，没有补"
    if form.section == "indicators" and form.items:
        form.flag_item(form.items[-1], None, note, where)
    # What is missing has no cell of its own to carry a note: the table and the rows below it carry one.
    form.flag(("indicators",), note, where)
    if layout.has_grade and data.grade is None:
        form.flag(("grade",), f"原文在第 {where} {place}中断，没有读到{grade}", where)


def _finish(form: _Form, place: str) -> None:
    data = form.data
    from perfspec.importers.detect import detect, needs_naming

    found = detect(form.title, form.printed)
    data.kind, data.detected = found.kind, found.why
    if not found.titled:
        from perfspec.form.kinds import kind_of

        # Without a title a layout prints, the kind is inferred: a target table and a self-evaluation share most labels.
        what = f"表名“{_short(form.title, 30)}”不是哪个版式的表名" if form.title else "没有找到表名"
        form.flag(("kind",), f"{what}，读作{kind_of(found.kind).zh}：请核对表的种类", form.where)
    data.read_layout = found.layout.id
    data.layout = found.layout.id if needs_naming(found.layout, (item.level1 for item in form.items)) else None
    if data.goals_expected is None and data.goals_achieved is None and found.layout.goals:
        form.flag(("goals",), f"没有找到“{found.layout.goals_zh}”一栏（{'、'.join(f.zh for f in found.layout.goals)}）", form.where)
    if form.unread > MAX_UNREAD_NOTES:
        form.flag((), f"还有 {form.unread - MAX_UNREAD_NOTES} 行未读取（只列出了前 {MAX_UNREAD_NOTES} 行）", form.where)
    if data.year is None:
        form.flag(("year",), "没有找到年度（如“(2023 年度)”）", form.where)
    if data.project is None and "project" not in form.seen:
        form.flag(("project",), "没有找到“项目名称”一栏", form.where)
    for key in ("department", "implementer"):
        field = next((f for f in found.layout.header if f.key == key), None)
        if getattr(data, key) is None and key not in form.seen and field is not None:
            # The form may print it under a label no layout has (主管预算部门 …): say it was not found.
            form.flag((key,), f"没有找到“{field.zh}”一栏", form.where)
    _move_deviations(form, place)
    data.indicators = list(form.items)
    _split_phone(form, found.layout)
    _check_placed(form, place)
    _check_plausible(form)
    if form.lossy:
        _check_blank(form, found.layout)
    _check_totals(form, place)
    _check_funds(form)
    amounts = any(value is not None for row in data.funds.values() for value in row.values())
    if amounts and not form.unit_stated and not any(r.path[:2] == ("funds", "unit") for r in data.reviews):
        form.flag(("funds", "unit"), f"没有找到金额单位（“{form.L.ref.funds_zh}(万元)”或“金额单位：元”），按万元读取", form.where)
    if data.total_weight is None and data.total_score is None and found.layout.has_total \
            and not any(r.path[:1] == ("total",) for r in data.reviews):
        form.flag(("total",), f"没有找到“{form.L.word('total', 'total')}”一行", form.where)
    # Notes on indicators → paths, now that every row is in its place.
    index_of = {id(item): i for i, item in enumerate(data.indicators)}
    for group in form.groups:
        i = index_of.get(id(group.item))
        if i is not None:
            item = data.indicators[i]
            data.review(("indicators", item.level1, item.level2), group.reason, group.where or None)
    for note in form.pending:
        i = index_of.get(id(note.item))
        if i is None:
            continue
        data.review(data.indicator_path(i, note.key), note.reason, note.where)


def _check_placed(form: _Form, place: str) -> None:
    """Every cell's text of the rows read is in some cell of the form, or a note says where it was left."""
    from perfspec.importers import unplaced

    placed = unplaced.Placed(form.data.to_data(), [form.title or "", *form.split])
    count = 0
    for row, path, before, after, landed in form.read_rows:
        for index, text in unplaced.unplaced(row.cells, placed, form.L):
            count += 1
            if count > unplaced.MAX_NOTES:
                continue
            note = unplaced.UNPLACED.format(text=_short(text, 30)) + f"（原文第 {row.where} {place}）"
            near = before if after > before else before - 1
            target = landed[min(landed, key=lambda i: (abs(i - index), i))] if landed else None
            if path in ((), ("funds",)) and unplaced.is_amount(text):
                form.flag(("funds",), note, row.where)  # an amount beside the header: most likely a funds cell
            elif path == ("indicators",) and 0 <= near < len(form.items):
                form.flag_item(form.items[near], None, note, row.where)
                _may_miss_a_row(form, form.items[near], text, row.where, place)
            elif isinstance(target, tuple) and len(target) == 2 and isinstance(target[0], Indicator):
                form.flag_item(target[0], target[1], note, row.where)
                _may_miss_a_row(form, target[0], text, row.where, place)
            elif target is not None:
                form.flag(target, note, row.where)
            else:
                form.flag(path, note, row.where)
    if count > unplaced.MAX_NOTES:
        form.flag((), f"还有 {count - unplaced.MAX_NOTES} 处原文没有放进任何一格（只列出了前 {unplaced.MAX_NOTES} 处）", form.where)


def _split_phone(form: _Form, layout: Layout) -> None:
    """项目负责人及电话 | 李宁0557-5788003: a person's cell holding the phone number the layout prints in a
    cell of its own is split at the number, and both halves are flagged."""
    data = form.data
    printed = {f.key for f in layout.header} | {f.key for f in layout.signatures}
    value = data.extra.get(("leader",))
    if "phone" not in printed or not isinstance(value, str) or data.extra.get(("phone",)) is not None:
        return
    match = plausible.PHONE.search(value)
    if match is None:
        return
    # The name before the number (no digits, no brackets), the number with whatever follows it ((办公) …).
    name, phone = value[:match.start()].strip().rstrip(":：,，/、").strip(), value[match.start():].strip()
    if not name or re.search(r"[\d()（）]", name) or sum(ch.isdigit() for ch in phone) < 7:
        return
    data.extra[("leader",)], data.extra[("phone",)] = name, phone
    form.split.append(value)  # placed, in two cells
    note = f"“{value}”印在一格里，按电话号码拆为{form.L.word('header', 'leader')}“{name}”和{form.L.word('header', 'phone')}“{phone}”"
    form.flag(("leader",), note, form.where)
    form.flag(("phone",), note, form.where)


def _check_plausible(form: _Form) -> None:
    """Cells holding text no form prints there (a 二级 name as 一级, rows run together, a label as a value)."""
    rows = {id(item): row.where for item, row in zip(form.items, form.item_rows)}

    def on_item(item: Indicator, key: Optional[str], reason: str) -> None:
        form.flag_item(item, key, reason, rows.get(id(item), form.where))

    def on_path(path: tuple, reason: str) -> None:
        form.flag(path, reason, form.where)

    plausible.check_indicators(form.items, form.L, on_item, on_path, form.W)
    data = form.data
    plausible.check_cells(data, on_path, on_item, form.W, form.L.word)
    header = {key: getattr(data, key) for key in ("project", "department", "implementer")}
    header.update({path[0]: value for path, value in data.extra.items() if len(path) == 1 and isinstance(value, str)})
    plausible.check_header(header, form.L, on_path)


def _may_miss_a_row(form: _Form, item: Indicator, text: str, where: int, place: str) -> None:
    """Text of the indicator table placed in no cell may be a whole row that was not read: a row has no
    cell of its own to carry a note, so its group (the row's 二级指标) carries one."""
    if _could_be_a_name(text):
        form.groups.append(_Group(item, f"原文此处的“{_short(text, 30)}”没有放进任何一格：这一组可能漏读了一行（原文第 {where} {place}）", where))


def _could_be_a_name(text: str) -> bool:
    """Text that could be an indicator's name: words, not a number or a unit."""
    return bool(re.search(r"[\u4e00-\u9fff]{4,}", text))


def _check_blank(form: _Form, layout: Layout) -> None:
    """A copy that may lose cells: each cell whose label the form prints but that was read blank is flagged."""
    from perfspec.importers.unplaced import BLANK

    data = form.data
    printed = {fold(text) for text in form.printed}

    def shown(*labels: str) -> bool:
        return any(fold(label) in printed for label in labels if label)

    for field_ in layout.header + layout.sections + layout.signatures:
        if field_.key == "year":
            continue
        value = getattr(data, field_.key) if field_.key in ("project", "department", "implementer") \
            else data.extra.get((field_.key,))
        if value is None and shown(field_.zh, field_.short):
            form.flag((field_.key,), BLANK, form.where)
    if form.funds_rows_read:
        for row_ in layout.funds_rows:
            if not shown(row_.zh, row_.short):
                continue
            for column in layout.funds_columns:
                if row_.key in FUNDS_ROWS and column.key in FUNDS_COLUMNS:
                    value = data.funds[row_.key][column.key]
                else:
                    value = data.extra.get(("funds", row_.key, column.key))
                if value is None and shown(column.zh, column.short):
                    form.flag(("funds", row_.key, column.key), BLANK, form.where)
    columns = [key for key in ("name", "target", "actual", "weight", "score")
               if key in layout.labels.get("indicators", {}) and (key not in ("weight", "score") or key in layout.scores)
               and shown(layout.label("indicators", key))]
    for item, row_ in zip(form.items, form.item_rows):
        for key in columns:
            if getattr(item, key) is None:
                form.flag_item(item, key, BLANK, row_.where)
    if layout.has_total and shown(form.L.word("total", "total")):
        for key, value in (("weight", data.total_weight), ("score", data.total_score)):
            if value is None and key in layout.scores:
                form.flag(("total", key), BLANK, form.where)
    if layout.has_grade and data.grade is None and shown(form.L.word("grade", "grade")):
        form.flag(("grade",), BLANK, form.where)


def _move_deviations(form: _Form, place: str) -> None:
    """A note beside a full-marks row whose neighbour lost points without one: it explains the neighbour."""
    items = form.items
    for i, item in enumerate(items):
        if not item.deviation or item.weight is None or item.score is None or item.score != item.weight:
            continue
        candidates = [
            j
            for j in (i - 1, i + 1)
            if 0 <= j < len(items)
            and items[j].weight is not None
            and items[j].score is not None
            and items[j].score < items[j].weight
            and not items[j].deviation
        ]
        if len(candidates) == 1:
            j = candidates[0]
            other = items[j]
            other.deviation, item.deviation = item.deviation, None
            form.flag_item(
                other,
                "deviation",
                f"这段偏差说明印在满分的“{_short(item.name or '', 16)}”旁；扣分的是相邻的“{_short(other.name or '', 16)}”"
                f"（{_num(other.score)}/{_num(other.weight)}），没有说明，故移到这里"
                f"（原文第 {form.item_rows[i].where} {place}）",
                form.item_rows[i].where,
            )
        elif len(candidates) == 2:
            form.flag_item(
                item,
                "deviation",
                f"这段偏差说明印在满分的“{_short(item.name or '', 16)}”旁，而上下两行都扣了分且没有说明：不知道是哪一行的，留在原处",
                form.item_rows[i].where,
            )


def _num(value: Decimal | None) -> str:
    if value is None:
        return "空白"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_totals(form: _Form, place: str) -> None:
    data = form.data
    if not data.indicators:
        form.flag(("indicators",), "没有读到任何三级指标", form.where)
        return
    weights = [i.weight for i in data.indicators] + [data.funds_weight]
    scores = [i.score for i in data.indicators] + [data.funds_score]
    problems = []
    if data.total_weight is not None and all(w is not None for w in weights):
        total = sum(weights)  # type: ignore[arg-type]
        if total != data.total_weight:
            problems.append(f"各行{form.L.word('indicators', 'weight')}合计 {_num(total)}，表中{form.L.word('total', 'weight')} {_num(data.total_weight)}")
    if data.total_score is not None and all(s is not None for s in scores):
        total = sum(scores)  # type: ignore[arg-type]
        if total != data.total_score:
            problems.append(f"各行{form.L.word('indicators', 'score')}合计 {_num(total)}，表中{form.L.word('total', 'score')} {_num(data.total_score)}")
    if not problems:
        return
    summary = "；".join(problems)
    if form.break_rows:
        for index in form.break_rows:
            item = data.indicators[index]
            row = form.item_rows[index]
            form.flag_item(
                item,
                None,
                f"合计不符（{summary}）：这一行之前是分页处，那里可能丢了一行（原文第 {row.where} {place}）；丢失的行没有补",
                row.where,
            )
    else:
        form.flag(("total",), f"合计不符（{summary}）：可能丢了一行或读错了数", form.where)
        # A row lost has no cell of its own to carry a note: the table it is missing from carries it.
        form.flag(("indicators",), f"合计不符（{summary}）：指标表可能丢了一行或读错了数，请逐行核对", form.where)


def _check_funds(form: _Form) -> None:
    funds = form.data.funds
    for column in FUNDS_COLUMNS:
        parts = [funds[row][column] for row in FUNDS_ROWS[1:]]
        total = funds["total"][column]
        if total is None or any(p is None for p in parts):
            continue
        if sum(parts) != total:  # type: ignore[arg-type]
            zh, total_zh = form.L.word("funds", column), form.L.word("funds", "total")
            form.flag(
                ("funds", "total", column),
                f"{zh}：{total_zh} {total} ≠ 三项来源之和 {sum(parts)}（读错了某一格？）",  # type: ignore[arg-type]
                form.where,
            )


# --------------------------------------------------------------------------- files


def decode(data: bytes, name: str) -> tuple[str, str | None]:
    """The text of an input file and a note on its encoding (None for UTF-8); NotAForm when it is no text."""
    if not data.strip():
        raise NotAForm(f"{name} 是空文件：没有可导入的自评表", f"{name} is empty: there is no form to import")
    if data.startswith(b"%PDF"):
        raise NotAForm(
            f"{name} 是 PDF 文件：请用 --from pdf 导入",
            f"{name} is a PDF file: import it with --from pdf",
        )
    if data.startswith(b"PK\x03\x04"):
        raise NotAForm(
            f"{name} 是 zip 压缩格式（xlsx 工作簿？）：工作簿请用 --from xlsx 导入",
            f"{name} is a zip file (an xlsx workbook?): import workbooks with --from xlsx",
        )
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), (None if codec == "utf-8-sig" else codec.upper())
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        raise NotAForm(
            f"{name} 不是文本文件（含有 NUL 字节，是二进制文件？）：--from text 需要 UTF-8 文本",
            f"{name} is not a text file (it contains NUL bytes): --from text reads UTF-8 text",
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise NotAForm(
            f"{name} 既不是 UTF-8 也不是 GBK/GB18030 文本：无法读取",
            f"{name} is neither UTF-8 nor GBK/GB18030 text: cannot read it",
        ) from None
    if sum(1 for c in text if not c.isprintable() and c not in "\t\r\n") > max(len(text) // 100, 2):
        raise NotAForm(
            f"{name} 不是文本文件（有大量控制字符，是二进制文件？）",
            f"{name} is not a text file (many control characters: binary?)",
        )
    return text, "GB18030"


def parse(text: str, name: str = "<text>", layout: Layout | str | None = None,
          progress: Optional[Callable[[int, int], None]] = None) -> list[FormData]:
    """The forms in a text extraction; `layout`: the configured one (the words of messages)."""
    from perfspec.importers import shapes, traditional

    folded = None
    if traditional.is_traditional(text) or traditional.has_variant_sign(text):
        # Labels are matched in simplified characters and ≥ ≤ = signs; values are given back as printed.
        folded = traditional.Folded(text)
        text = folded.text
    shape, rows = shapes.rows(text, name, layout)
    forms = assemble(rows, "行", layout, exact=shape in shapes.EXACT, one_per_line=shape in ("cells", "run-together"),
                     by_columns=shape in shapes.BY_COLUMNS, lossy=shape != "tab", progress=progress)
    if not forms:
        raise not_a_form(name, layout)
    for number_, form in enumerate(forms, start=1):
        form.source = f"{name}#{number_}"
        if folded is not None:
            _as_printed(form, folded)
    return forms


def _as_printed(form: FormData, folded: "object") -> None:
    """Values read from a folded text: traditional characters given back as printed (each such value
    flagged: it was matched in simplified characters), a variant comparison sign flagged where read."""
    from perfspec.importers import traditional

    trad = traditional.is_traditional(folded.printed)  # type: ignore[attr-defined]

    def back(path: tuple, value: object) -> object:
        if not isinstance(value, str):
            if trad and value is not None:
                form.review(path, traditional.NOTE)
            return value
        printed = folded.restore(value)  # type: ignore[attr-defined]
        if any(c in traditional.SIGNS for c in printed):
            signs = "、".join(sorted({f"“{c}”按“{traditional.SIGNS[c]}”" for c in printed if c in traditional.SIGNS}))
            form.review(path, f"原文的比较符号{signs}读取")
            printed = "".join(v if p in traditional.SIGNS else p for p, v in zip(printed, value))
        if trad:
            form.review(path, traditional.NOTE)
        return printed

    for key in ("project", "department", "implementer", "goals_expected", "goals_achieved", "grade"):
        path = {"goals_expected": ("goals", "expected"), "goals_achieved": ("goals", "achieved")}.get(key, (key,))
        setattr(form, key, back(path, getattr(form, key)))
    for row, values in form.funds.items():
        for column, value in values.items():
            values[column] = back(("funds", row, column), value)
    for path, value in list(form.extra.items()):
        form.extra[path] = back(path, value)
    for index, item in enumerate(form.indicators):
        for key in ("name", "target", "actual", "weight", "score", "deviation"):
            value = getattr(item, key)
            if isinstance(value, dict):  # a split target {operator, value, unit}
                for part, inner in list(value.items()):
                    value[part] = back(form.indicator_path(index, key), inner)
            else:
                setattr(item, key, back(form.indicator_path(index, key), value))
        for key, value in list(item.extra.items()):
            item.extra[key] = back(form.indicator_path(index, key), value)


def read(path: str, layout: Layout | str | None = None,
         progress: Optional[Callable[[int, int], None]] = None) -> list[FormData]:
    """The forms in a text extraction (UTF-8; GBK/GB18030 is recognised too)."""
    import os

    name = os.path.basename(path)
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise NotAForm(f"{name} 太大（超过 {MAX_BYTES // (1024 * 1024)} MB），不像是自评表的文本",
                       f"{name} is too large (over {MAX_BYTES // (1024 * 1024)} MB) for a form text")
    text, _encoding = decode(data, name)
    return parse(text, name, layout, progress)
