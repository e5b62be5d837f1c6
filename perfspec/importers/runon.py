"""Run-together text → rows of cells.

Text copied from a web page or a document-sharing site often loses the table's cell
separators: "安装坡面水标尺10≥266米≥266米10水标尺宽度10…" is three cells and the
start of the next row. :func:`rows` cuts such text into :class:`~perfspec.importers.text.Row`
objects for :func:`~perfspec.importers.text.assemble`, exactly as a tab-separated copy of the
form would give them, so the one assembler reads every text shape.

How the cells are found (nothing here knows a particular form):

- the labels of the shipped layouts (:mod:`perfspec.importers.labels`) anchor the blocks:
  项目名称/主管部门/实施单位 …, the funds block and its column header, 年度总体目标, the
  indicator header (一级指标 二级指标 三级指标 … in whatever order the form prints them),
  一级/二级 names (产出指标(70分), 数量指标 …), 总分, 评分等级;
- between anchors, an indicator group is split into rows by the columns the header printed,
  by a dynamic programme that scores every way of cutting the text into cells: numbers
  that are a weight or a score, 年度指标值/实际完成值 that read as quantities, a target
  printed again as the actual ("≥90%≥90%"), no number cut in two without need;
- arithmetic confirms or doubts the cuts: weights adding up to their 一级 caption's points
  (产出指标(50分)), a score no greater than its weight; a funds row of digits run together
  ("310.2154.741050%5") is split so that 执行率 = 执行数 ÷ 预算数 and 得分 = 分值 × 执行率;
- wherever another cut scores almost as well (MARGIN), or arithmetic does not decide, the cell
  keeps the best reading and carries a guess note (Row.guesses), which becomes a ``# review:`` note.

Rows come out in the reference layout's words and order (see :func:`rows`): the reader knows
which printed column each cell is, so it writes every cell in its place, blank where the form
has no such column. Every label it looks for is a layout's: spellings seen on real forms other
than a layout's own labels are that layout's ``aliases:``.

Text that has none of the anchors cannot be segmented: :class:`NotAForm` names why. Work is
bounded: lines (text.MAX_LINES), header labels, funds rows, groups, the characters of one group
the programme cuts (MAX_GROUP; a longer one is read as one flagged cell) and of one form (MAX_CUT).
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Optional

from perfspec.form.layout import Layout
from perfspec.importers import NotAForm
from perfspec.importers.labels import Labels, fold
from perfspec.importers.rows import MAX_LINES, Row

MAX_GROUP = 300  # characters of the rows of one 二级 group cut by the programme
MAX_CUT = 6000  # characters of one text's groups cut by the programme (a real table has a few hundred)
MAX_GROUPS = 500  # 二级 groups of one table (a real form has a dozen or two)
MAX_FORMS = 100  # forms in one text
MAX_FUNDS_ROWS = 20  # rows of the funds block (a real form has two to six)
MAX_HEADER_VALUE = 40  # characters of a header value beyond which it probably ran into a cell whose label is unknown
MAX_HEADER_CELLS = 60  # labels of the header cells above the funds block (a real form has four to ten)
MAX_NAME = 60  # characters of a 三级 name
MAX_VALUE = 30  # characters of a text 年度指标值 / 实际完成值
MAX_NOTE = 200  # characters of a deviation or method cell
MARGIN = 150  # another cut scoring within this of the best (in hundredths) makes a cell a guess
BOUNDARY = "边界是推测的"  # the note on a cell another cut would draw differently
UNCUT = "无法按栏目拆分为单元格"  # the note on a group no cut fits

# Words printed around the layouts' labels on real forms: a label may be preceded by the level of
# government or 项目 and followed by what else the cell asks for (主管部门及代码, 项目负责人及电话).
_PREFIXES = ("", "项目", "县级", "市级", "区级", "省级")
_SUFFIXES = ("", "及代码", "及电话", "及联系电话")
# Every label this module looks for is a layout's (its labels and their `aliases:`, read through
# perfspec.importers.labels): header cells no spec field holds (aliases.header_other) end the value
# before them, like a label; aliases.end are the words printed below the table.
# A template's empty indicator rows: 指标1: 指标2: (and OCR's 指标L).
_PLACEHOLDERS = tuple(f"指标{c}{colon}" for c in "123456789LlI" for colon in (":", ""))

_COMPARATORS = "≥≤><=≧≦＞＜"
# A unit after a number: 米, 万元, 人次 are units; three or four characters are more often a name.
_UNIT_SCORE = {1: 120, 2: 120, 3: 40, 4: 20}  # hundredths, like every score of the cutter
_NUMERALS = "一二三四五六七八九十"
_CONTINUING = ".、，,;；:：)）》”。"
_OCR_COMPARATORS = {"2": "≥", "W": "≤"}  # "≥" read as "2", "≤" as "W" by OCR
_MARKER = re.compile(r"\s*(\d{1,3})、")
_POINTS = re.compile(r"\(?(\d{1,3}(?:\.\d+)?)分\)?")
_BRACKET = re.compile(r"\([^()]{0,14}\)")
_FOLD = str.maketrans({"（": "(", "）": ")", "：": ":", "\u3000": " ", "\xa0": " "})


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


# --------------------------------------------------------------------------- the stream


@dataclass
class _Stream:
    """The text as one string without separators; `cut[i]`: a separator stood before s[i]."""

    s: str
    cut: bytearray
    starts: list  # list[int]: where each piece of an input line begins in s
    lines: list  # list[int]: the input line of each piece
    spaced: bool  # cells are separated by single spaces (one flattened line)

    def where(self, i: int) -> int:
        index = bisect.bisect_right(self.starts, i) - 1
        return self.lines[index] if index >= 0 else 1


_WS = re.compile(r"\s+")


def _stream(text: str, labels: frozenset, name: str = "<text>") -> _Stream:
    lines = text.translate(_FOLD).splitlines()
    if len(lines) > MAX_LINES:
        raise NotAForm(f"{name} 有 {len(lines)} 行（上限 {MAX_LINES} 行），不像自评表的文本，未读取",
                       f"{name} has {len(lines)} lines (limit {MAX_LINES}); not read")
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1  # a leading comment block (where the copy came from)
    # Page-chunk markers of document-sharing sites: "1、" "2、" … starting lines, in sequence.
    marks = [(i, m) for i, m in ((i, _MARKER.match(lines[i])) for i in range(start, len(lines))) if m]
    numbered = [int(m.group(1)) for _, m in marks]
    strip = len(marks) >= 2 and numbered == list(range(1, len(marks) + 1))
    marked = {i: m.end() for i, m in marks} if strip else {}
    spaced = False
    found = 0
    for line in lines[start:]:
        for token in line.split():
            if len(token) <= 16 and fold(token) in labels:
                found += 1
        if found >= 3:
            spaced = True  # labels stand between spaces: the spaces separate the cells
            break
    pieces: list[str] = []
    cut = bytearray()
    starts: list[int] = []
    numbers: list[int] = []
    length = 0
    pending = False  # a separator before the next character

    def emit(piece: str, number: int) -> None:
        nonlocal length, pending
        if not piece:
            return
        starts.append(length)
        numbers.append(number)
        cut.append(1 if pending else 0)
        cut.extend(bytes(len(piece) - 1))
        pieces.append(piece)
        length += len(piece)
        pending = False

    for index in range(start, len(lines)):
        raw = lines[index][marked.get(index, 0):].replace("…", "").replace("\ufffd", "")
        pending = pending or spaced  # where spaces separate cells, so does the end of a line
        pos = 0
        for m in _WS.finditer(raw):
            emit(raw[pos:m.start()], index + 1)
            before = raw[m.start() - 1] if m.start() else ""
            after = raw[m.end()] if m.end() < len(raw) else ""
            # One space between two CJK characters is a wrapped cell, in a run-together copy.
            if spaced or m.end() - m.start() > 1 or not (_cjk(before) and _cjk(after)):
                pending = True
            pos = m.end()
        emit(raw[pos:], index + 1)
    cut.append(1)
    return _Stream("".join(pieces), cut, starts, numbers, spaced)


# --------------------------------------------------------------------------- vocabulary


@dataclass
class _Vocab:
    header: dict  # label → key (project, department, implementer, leader, other)
    funds_block: tuple
    funds_columns: dict  # label → key (initial, annual, executed, weight, rate, score, method)
    funds_rows: dict  # label → key
    goals_block: tuple
    goals: dict  # label → expected / achieved
    columns: dict  # indicator header label → key
    level1: dict  # name → points-free name
    level2: dict  # name → (name, parent level1 names)
    total: tuple
    grade: tuple
    titles: tuple
    every: frozenset  # all labels (mode detection)
    # The caption over the indicator table (绩效指标), printed again where a page breaks.
    indicators_block: tuple = ()


def _vocab(L: Labels) -> _Vocab:
    header: dict[str, str] = {}
    for key in ("project", "department", "implementer", "leader"):
        for label in sorted(L.of("header", key)):
            for pre in _PREFIXES:
                for suf in _SUFFIXES:
                    header.setdefault(pre + label + suf, key)
    for label in L.listed("header_other") + L.listed("self_score") + tuple(
            sorted(L.of("header", "leader") | L.of("header", "phone") | L.of("header", "filled_on"))):
        header.setdefault(label, "other")
    funds_columns: dict[str, str] = {}
    for key in ("initial", "annual", "executed"):
        for label in L.of("funds_columns", key):
            funds_columns.setdefault(label, key)
    for key in ("weight", "rate", "score"):
        for label in L.of("funds", key):
            funds_columns.setdefault(label, key)
    for label in L.of("funds", "method"):
        funds_columns.setdefault(label, "method")
    funds_rows: dict[str, str] = {}
    for key in ("total", "appropriation", "carryover", "other", "special_account", "unit_own"):
        for label in L.of("funds_rows", key):
            funds_rows.setdefault(label, key)
    goals: dict[str, str] = {}
    for key in ("expected", "achieved"):
        for label in sorted(L.of("goals", key)):
            goals.setdefault(label, key)
    columns: dict[str, str] = {}
    for key in ("level1", "level2", "name", "target", "actual", "raw_score", "weight", "score", "deviation"):
        for label in sorted(L.of("indicators", key)):
            columns.setdefault(label, key)
    for key in L.alias_keys("indicators"):
        for label in sorted(L.of("indicators", key)):
            columns.setdefault(label, key)
    parents: dict[str, set] = {}
    for layout in L.layouts:
        for l1, l2s in layout.level1.items():
            for l2 in l2s:
                parents.setdefault(l2, set()).add(l1)
    level2: dict[str, tuple] = {}
    for name, ps in parents.items():
        level2[name] = (name, tuple(sorted(ps)))
        # "服务对象满意度" for 服务对象满意度指标: a long name printed without its 指标
        if name.endswith("指标") and len(name) >= 8:
            level2.setdefault(name[:-2], (name[:-2], tuple(sorted(ps))))
    level1 = {name: name for name in L.level1 if len(name) >= 4}
    total = tuple(sorted(L.of("total", "total") - {"total"}))
    grade = tuple(sorted(L.of("grade", "grade") - {"grade"}))
    every = frozenset(header) | frozenset(funds_columns) | frozenset(funds_rows) | frozenset(columns) | frozenset(goals)
    return _Vocab(header, tuple(sorted(L.of("funds_block", ""))), funds_columns, funds_rows,
                  tuple(sorted(L.of("goals_block", ""))), goals, columns, level1, level2, total, grade,
                  tuple(L.titles), every, tuple(sorted(L.of("indicators_block", ""))))


def _find(st: _Stream, labels, lo: int = 0, hi: Optional[int] = None) -> list[tuple[int, int, str]]:
    """_hits in the stream; where spaces separate the cells, a label begins a cell."""
    return _hits(st.s, labels, lo, hi, st.cut if st.spaced else None)


def _hits(s: str, labels, lo: int = 0, hi: Optional[int] = None, align: Optional[bytearray] = None) -> list[tuple[int, int, str]]:
    """Leftmost-longest occurrences of the labels in s[lo:hi]: (start, end, label), in order."""
    hi = len(s) if hi is None else hi
    found: list[tuple[int, int, str]] = []
    for label in labels:
        if not label:
            continue
        at = s.find(label, lo, hi)
        while at >= 0:
            if align is None or align[at]:
                found.append((at, at + len(label), label))
            at = s.find(label, at + 1, hi)
    found.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[tuple[int, int, str]] = []
    end = lo
    for hit in found:
        if hit[0] >= end:
            out.append(hit)
            end = hit[1]
    return out


# --------------------------------------------------------------------------- numbers


def _dec(text: str) -> Optional[Decimal]:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _numbers_at(s: str, i: int, limit: int = 9) -> list[int]:
    """Ends of the numbers that can start at s[i] (no leading zero but "0" and "0.x")."""
    out = []
    j = i
    dot = False
    while j < len(s) and j - i < limit and (s[j].isdigit() or (s[j] == "." and not dot and j > i)):
        if s[j] == ".":
            dot = True
            j += 1
            continue
        j += 1
        text = s[i:j]
        if len(text) > 1 and text[0] == "0" and text[1] != ".":
            break
        out.append(j)
    return out


# --------------------------------------------------------------------------- rows


@dataclass
class _Out:
    rows: list = field(default_factory=list)  # list[Row]
    stream: Optional[_Stream] = None
    stated: Optional[tuple] = None  # (label, value, position) of a total score the header states (自评得分 98)
    budget: int = MAX_CUT  # characters the programme may still cut

    def add(self, cells: list, at: int, guesses: Optional[dict] = None) -> Row:
        row = Row([c if c is not None else "" for c in cells], self.stream.where(at) if self.stream else 1)
        if guesses:
            row.guesses.update(guesses)
        self.rows.append(row)
        return row


def rows(text: str, name: str = "<text>", layout: Layout | str | None = None) -> list[Row]:
    """The rows of cells of a form whose text lost its cell separators, in the column order of a
    tab-separated copy (the reference layout's labels: 项目名称 | value; 项目资金(万元) | 年初预算数 …;
    一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施).

    NotAForm with a one-line cause when the text cannot be segmented.
    """
    L = Labels(layout)
    V = _vocab(L)
    st = _stream(text, V.every, name)
    s = st.s
    out = _Out(stream=st)
    headers = _indicator_headers(st, V, 0, len(s))
    project_hits = _find(st, [k for k, v in V.header.items() if v == "project"])
    if not headers and not project_hits:
        raise NotAForm(
            f"{name}：没有找到单元格分隔：每行包含多个单元格，且无法按栏目拆分（没有找到“{L.word('header', 'project')}”"
            f"或“{L.word('indicators', 'level1')} {L.word('indicators', 'name')}”表头）",
            f"{name}: no cell separators found: each line holds several cells and no column header to split them by",
        )
    # Several forms one after the other: each begins at its 项目名称 (with its title before it), if a
    # funds block or an indicator table follows before the next one.
    starts = [h[0] for h in project_hits] or [headers[0][0]]
    tables = [h[0] for h in headers] + [h[0] for h in _find(st, V.funds_block)]
    starts = [a for i, a in enumerate(starts)
              if i == 0 or any(starts[i - 1] < t < a for t in tables)]
    if len(starts) > MAX_FORMS:
        raise NotAForm(f"{name} 有 {len(starts)} 张表（上限 {MAX_FORMS} 张），不像自评表的文本，未读取",
                       f"{name} holds {len(starts)} forms (limit {MAX_FORMS}); not read")
    titles = [_title(st, V, starts[i - 1] if i else 0, a) for i, a in enumerate(starts)]
    for i, a in enumerate(starts):
        hi = len(s)
        if i + 1 < len(starts):
            hi = titles[i + 1][0] if titles[i + 1] is not None else starts[i + 1]
        _form(st, V, L, out, a, hi, titles[i], starts[i - 1] if i else 0)
    return out.rows


def _form(st: _Stream, V: _Vocab, L: Labels, out: _Out, form_start: int, hi: int,
          title: Optional[tuple[int, str]], before: int) -> None:
    """The rows of the form that begins at form_start (its 项目名称) and ends before hi."""
    s = st.s
    headers = _indicator_headers(st, V, form_start, hi)
    header_at = headers[0] if headers else None
    if title is not None:
        lo, text_ = title
        out.add([text_], lo)
    head_end = header_at[0] if header_at else hi
    for at, end, _ in _find(st, V.indicators_block, form_start, head_end):
        if head_end - end <= 4:
            head_end = at  # 绩效指标 over the header belongs to neither the goals nor the header
    blocks = _blocks(st, V, form_start, head_end)
    out.stated = None
    _header(st, V, L, out, form_start, blocks[0][0] if blocks else head_end)
    _date_above(st, L, out, before, form_start)  # after 项目名称: the form has begun when it is read
    if title is None:
        # No title the layouts know ("2020年度长江禁捕项目自评表"): the year printed before the form.
        years = list(re.finditer(r"((?:19|20)\d\d)年度", s[before:form_start]))
        if years:
            out.add([f"{years[-1].group(1)}{L.word('header', 'year')}"], before + years[-1].start())
    for index, (lo, kind) in enumerate(blocks):
        end = blocks[index + 1][0] if index + 1 < len(blocks) else head_end
        if kind == "funds":
            _funds(st, V, L, out, lo, end)
        else:
            _goals(st, V, L, out, lo, end)
    first = len(out.rows)
    if header_at is not None:
        _indicators(st, V, L, out, headers, hi)
    total = L.word("total", "total")
    if out.stated and not any(r.cells[0] == total for r in out.rows[first:]):
        label, value, at = out.stated
        out.add([total, "", value], at, {2: f"没有“{total}”一行，按表头的“{label} {value}”读取（推测）"})


_DATE = re.compile(r"\s*[:：]?\s*((?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")


def _date_above(st: _Stream, L: Labels, out: _Out, lo: int, hi: int) -> None:
    """填报日期:2022年3月18日 run into the title line above the form's first label: a row of its own."""
    for at, end, _label in _find(st, sorted(L.of("header", "filled_on")), lo, hi):
        match = _DATE.match(st.s, end)
        if match:
            out.add([f"{L.word('header', 'filled_on')}:{match.group(1)}"], at)
            return


def _title(st: _Stream, V: _Vocab, after: int, before: int) -> Optional[tuple[int, str]]:
    s = st.s
    best = None
    for at, end, label in _find(st, V.titles, after, before + 1):
        best = (at, end)
    if best is None:
        return None
    at, end = best
    prefix = s[max(0, at - 8):at]
    after = s[end:end + 12]
    text_ = s[at:end]
    match = re.match(r"\(((?:19|20)\d\d)年度?\)", after)
    if match:
        text_ += f"({match.group(1)}年度)"
    else:
        match = re.search(r"((?:19|20)\d\d)年度$", prefix)
        if match:
            text_ = f"{match.group(1)}年度" + text_
    return at, text_


def _blocks(st: _Stream, V: _Vocab, lo: int, hi: int) -> list[tuple[int, str]]:
    """Where the funds block and the goals block begin, in the order printed."""
    found: list[tuple[int, str]] = []
    funds = _find(st, V.funds_block, lo, hi)
    if not funds:
        # the caption garbled (OCR): the block starts at its first row or column label
        funds = _find(st, [k for k, v in V.funds_columns.items() if v in ("annual", "executed")] + list(V.funds_rows), lo, hi)[:1]
    if funds:
        found.append((funds[0][0], "funds"))
    goals = _find(st, V.goals_block, lo, hi)[:1]
    labels = _find(st, V.goals, lo, hi)[:1]  # the caption garbled (OCR): the block starts at its first label
    if labels and (not goals or labels[0][0] < goals[0][0]):
        goals = labels
    if goals:
        found.append((goals[0][0], "goals"))
    return sorted(found)


# --------------------------------------------------------------------------- header cells


def _header(st: _Stream, V: _Vocab, L: Labels, out: _Out, lo: int, hi: int) -> None:
    s = st.s
    hits = [h for h in _find(st, V.header, lo, hi)]
    if len(hits) > MAX_HEADER_CELLS:
        raise NotAForm(
            f"表头有 {len(hits)} 个栏目标签（上限 {MAX_HEADER_CELLS} 个），不像一张表的文本，未读取",
            f"the form's header has {len(hits)} labels (limit {MAX_HEADER_CELLS}); not read",
        )
    for index, (at, end, label) in enumerate(hits):
        key = V.header[label]
        stop = hits[index + 1][0] if index + 1 < len(hits) else hi
        value = s[end:stop].strip(":")
        if key == "other":
            m = re.match(r"\d{1,3}(?:\.\d+)?", value)
            if label in L.listed("self_score") and m:
                out.stated = (label, m.group(0), at)
            continue
        guesses: dict[int, str] = {}
        # A label the copy garbled (OCR) is not found, so its value runs on into ours: cut at what
        # looks like the start of another header label, and say so.
        cut = _label_start(value, V)
        if cut is not None:
            guesses[1] = f"“{value}”中含有像是另一栏标签的“{value[cut:cut + 4]}”，按其前的“{value[:cut]}”读取（边界是推测的）"
            value = value[:cut]
        elif ":" in value.strip(":"):
            # "XX局联系人:张三": a label the layouts do not know ran into the value
            guesses[1] = f"“{value}”中有冒号，可能连着另一栏（标签不认识），边界是推测的"
        elif key == "project" and index + 1 < len(hits) and hits[index + 1][0] == stop and _prefixed(hits[index + 1][2], V):
            # "…安装项目负责人": 项目 ends the name or begins the next label; forms mostly mean the label
            nxt = hits[index + 1][2]
            guesses[1] = f"“{value}”后的“{_prefixed(nxt, V)}”也可能属于名称（下一栏“{nxt}”），边界是推测的"
        elif len(value) > MAX_HEADER_VALUE:
            guesses[1] = f"“{_short(value)}”有 {len(value)} 字，可能连着另一栏（标签不认识），边界是推测的"
        word = L.word("header", key)
        out.add([word, value], at, guesses)


def _prefixed(label: str, V: _Vocab) -> str:
    """The prefix (项目, 县级 …) a header label was found with, when the bare label is one too."""
    for pre in _PREFIXES[1:]:
        if label.startswith(pre) and label[len(pre):] in V.header:
            return pre
    return ""


def _label_start(value: str, V: _Vocab) -> Optional[int]:
    """Where a header label misread by one character (实施第位 for 实施单位) stands inside a value."""
    best = None
    for label, key in V.header.items():
        if key == "other" or len(label) < 4:
            continue
        at = value.find(label[:2], 1)
        while at > 0:
            seen = value[at:at + len(label)]
            if (len(seen) == len(label) and seen[-1] == label[-1]
                    and sum(a == b for a, b in zip(seen, label)) >= len(label) - 1):
                if best is None or at < best:
                    best = at
                break
            at = value.find(label[:2], at + 1)
    return best


# --------------------------------------------------------------------------- funds


_FUNDS_ORDER = ("initial", "annual", "executed", "weight", "rate", "score")
# Column orders of the shipped layouts' funds blocks, tried when OCR garbled the printed header.
_FUNDS_OPTIONS = (_FUNDS_ORDER, _FUNDS_ORDER[1:], ("initial", "annual", "executed", "rate"),
                  ("annual", "executed", "rate"), ("annual", "executed", "rate", "score"))


def _funds(st: _Stream, V: _Vocab, L: Labels, out: _Out, lo: int, hi: int) -> None:
    s = st.s
    block = _find(st, V.funds_block, lo, lo + 12)
    caption_end = block[0][1] if block else lo
    # the caption's brackets: (万元), (20分)
    unit = None
    j = caption_end
    points = None
    while True:
        m = _BRACKET.match(s, j)
        if not m:
            break
        inner = m.group(0)[1:-1]
        if "元" in inner and unit is None:
            unit = "万元" if "万" in inner else "元"
        pm = re.fullmatch(r"(\d{1,3})分", inner)
        if pm:
            points = Decimal(pm.group(1))
        j = m.end()
    caption = L.ref.funds_zh
    # Column labels, then rows: label, values.
    labels = dict(V.funds_columns)
    row_labels = dict(V.funds_rows)
    hits = _find(st, list(labels) + list(row_labels) + ["其中:"], j, hi)
    columns: list[str] = []
    rows_: list[tuple[int, int, str]] = []  # (at, end, key)
    garbled = False  # text between the column labels that is no label (OCR damage): columns missing
    last = j
    k = 0
    while k < len(hits):
        at, end, label = hits[k]
        if at < last:
            k += 1
            continue  # inside a bracket read with the label before: 得分(20分*执行率)
        # a column label, before the rows or printed after the first row's label (a two-line header)
        after_row = bool(rows_) and len(rows_) == 1 and not re.search(r"\d", s[rows_[-1][1]:at])
        if label in labels and (not rows_ or after_row):
            # (A) (B) (B/A) (10分) after a column label
            m = _BRACKET.match(s, end)
            if m:
                pm = re.fullmatch(r"\((\d{1,3})分\)", m.group(0))
                if pm and labels[label] == "weight":
                    points = Decimal(pm.group(1))
                end = m.end()
            if s[last:at].strip(":") and (columns or after_row):
                garbled = True
            columns.append(labels[label])
            last = end
            if after_row:
                rows_[-1] = (rows_[-1][0], end, rows_[-1][2])
        elif label == "其中:":
            # 其中: names the first part of the total whatever its words: the layouts' first source row
            nxt = hits[k + 1] if k + 1 < len(hits) else None
            if nxt is not None and nxt[2] in row_labels and nxt[0] == end:
                k += 1
                at2, end2, label2 = nxt
                rows_.append((at, end2, row_labels[label2]))
            else:
                m = re.match(r"[^\d.]{1,16}", s[end:hi])
                rows_.append((at, end + (m.end() if m else 0), "appropriation"))
        elif label in row_labels:
            rows_.append((at, end, row_labels[label]))
            last = end
        k += 1
    if len(rows_) > MAX_FUNDS_ROWS:
        raise NotAForm(
            f"资金栏有 {len(rows_)} 行（上限 {MAX_FUNDS_ROWS} 行），不像一张表的文本，未读取",
            f"the funds block has {len(rows_)} rows (limit {MAX_FUNDS_ROWS}); not read",
        )
    # The rows' values run up to the next row label, the goals, or the end of the block.
    unit_word = unit or "万元"
    head = [f"{caption}({unit_word})"] + [L.word("funds", key) for key in _FUNDS_ORDER]
    head_guess = {} if (unit and columns) else {0: "资金栏的表头不全（金额单位或栏目没有找到），按常见栏目顺序读取（推测）"}
    out.add(head, lo, head_guess)
    totals: Optional[dict] = None
    for index, (at, end, key) in enumerate(rows_):
        stop = rows_[index + 1][0] if index + 1 < len(rows_) else hi
        body = s[end:stop].lstrip(":")
        offset = stop - len(s[end:stop].lstrip(":"))
        values, guesses = _funds_values(body, st.cut[offset:stop + 1], columns, key, points, totals, garbled)
        if key == "total":
            totals = values
        if key == "total" and "weight" not in columns and points is not None:
            values.setdefault("weight", format(points, "f"))  # 预算执行情况(万元)(20分): the caption states the weight
        cells = [L.word("funds", key)] + [values.get(c, "") for c in _FUNDS_ORDER]
        g = {1 + _FUNDS_ORDER.index(c): why for c, why in guesses.items() if c in _FUNDS_ORDER}
        if "" in guesses:
            g[0] = guesses[""]
        out.add(cells, at, g)


def _funds_values(body: str, cut: bytearray, columns: list, key: str, points: Optional[Decimal],
                  total: Optional[dict] = None, garbled: bool = False) -> tuple[dict, dict]:
    """The cells of one funds row: {column key: text} and {column key: why it is a guess}."""
    # What the row prints: numbers (and one rate with %), then maybe the 得分计算方法 text.
    m = re.match(r"[\d.%]*", body)
    digits = m.group(0) if m else ""
    rest = body[len(digits):]
    numeric = [c for c in columns if c != "method"]
    if not digits:
        return {}, ({"": f"这一行没有金额：“{body[:20]}”未读取"} if rest.strip() else {})
    if not numeric:
        numeric = list(_FUNDS_ORDER[1:3]) if key != "total" else ["annual", "executed", "rate"]
    # Separators the copy kept between the numbers, if any.
    parts = []
    start = 0
    for i in range(1, len(digits)):
        if cut[i]:
            parts.append(digits[start:i])
            start = i
    parts.append(digits[start:])
    if key == "total":
        options = [numeric[:n] for n in range(len(numeric), 0, -1)]
        if garbled:  # the printed columns are not all known: the layouts' orders too
            options += [list(o) for o in _FUNDS_OPTIONS if list(o) != numeric]
    else:
        # a part of the total prints its amounts, and a rate where the layout has one per row
        amounts = [c for c in numeric if c in ("initial", "annual", "executed")]
        options = [amounts[:n] + rate for n in range(len(amounts), 0, -1)
                   for rate in ((["rate"], []) if "rate" in numeric else ([],))]
    best: list[tuple[Decimal, list]] = []
    for option in options:
        for split in _splits(parts, len(option)):
            score = _funds_fit(split, option, key, points, total)
            if score is None:
                continue
            if len(split) == len(parts):
                score += 1  # each number between separators the copy kept
            best.append((score, split, option))
        if best and key == "total" and not garbled:
            break
    if not best:
        return {"annual" if key != "total" else numeric[0]: digits}, {
            "": f"金额“{digits}”连在一起，无法按栏目拆分，未拆分（推测）"}
    best.sort(key=lambda b: -b[0])
    top = best[0]
    values = {c: v.rstrip("%") for c, v in zip(top[2], top[1])}
    guesses: dict[str, str] = {}
    rivals = [b for b in best[1:] if b[0] >= top[0] - 1]
    if rivals:
        for c in top[2]:
            guesses[c] = f"金额“{digits}”连在一起，有 {len(rivals) + 1} 种拆法都说得通，取了“{' | '.join(top[1])}”（推测）"
    elif top[0] < 2 and len(top[1]) > 1 and len(parts) < len(top[1]):
        for c in top[2]:
            guesses[c] = f"金额“{digits}”连在一起，按栏目拆为“{' | '.join(top[1])}”，没有执行率可以核对（推测）"
    if garbled and key == "total":
        for c in top[2]:
            guesses.setdefault(c, f"资金栏的表头有认不出的文字（识别错误？），“{digits}”按{len(top[2])}栏拆为“{' | '.join(top[1])}”（推测）")
    if "method" in columns and rest:
        pass  # 得分计算方法 has no field
    elif rest.strip(" :"):
        guesses.setdefault("", f"金额后的文字“{rest[:20]}”未读取")
    return values, guesses


def _splits(parts: list[str], n: int) -> list[list[str]]:
    """Every way of cutting the digit runs into n numbers (each valid, a % only at a number's end)."""
    out: list[list[str]] = []
    memo: dict[tuple[str, int], list] = {}

    def cuts(text: str, k: int) -> list[list[str]]:
        if k == 0:
            return [[]] if not text else []
        if len(text) < k or len(text) > 13 * k:
            return []  # too short or too long for k numbers: no need to look
        if (text, k) in memo:
            return memo[(text, k)]
        res = []
        for end in _numbers_at(text, 0, 12):
            e = end + 1 if end < len(text) and text[end] == "%" else end
            for tail in cuts(text[e:], k - 1):
                res.append([text[:e]] + tail)
                if len(res) > 200:
                    break
            if len(res) > 200:
                break
        memo[(text, k)] = res
        return res

    def go(i: int, k: int) -> list[list[str]]:
        if i == len(parts):
            return [[]] if k == 0 else []
        res = []
        for m in range(1, k + 1):
            for head in cuts(parts[i], m):
                for tail in go(i + 1, k - m):
                    res.append(head + tail)
        return res

    if len(parts) > 8 or sum(len(p) for p in parts) > 40:
        return out
    return go(0, n)


def _funds_fit(split: list[str], columns: list[str], key: str, points: Optional[Decimal],
               total: Optional[dict] = None) -> Optional[Decimal]:
    """How well numbers fit the columns (None: impossible): rate = executed ÷ budget, score ≤ weight,
    a part no more than the total (and most often all of it)."""
    values: dict[str, Decimal] = {}
    percent: set = set()
    for text, column in zip(split, columns):
        if text.endswith("%"):
            if column != "rate":
                return None
            percent.add(column)
        value = _dec(text.rstrip("%"))
        if value is None:
            return None
        values[column] = value
    fit = Decimal("0.3") * len(columns)
    for column, value in values.items():
        whole = _dec((total or {}).get(column) or "x")
        if whole is not None and column != "rate":
            if value > whole:
                fit -= 2  # a part larger than the total: possible on a form with errors, unlikely
            elif value == whole:
                fit += 1
    weight, score, rate = values.get("weight"), values.get("score"), values.get("rate")
    stated = weight if weight is not None else points  # 预算执行情况(万元)(20分): the caption states it
    if weight is not None:
        if weight > 100 or weight <= 0:
            return None
        if points is not None:
            if weight != points:
                return None
            fit += 1
    if score is not None and weight is not None and score > weight:
        return None
    budget = values.get("annual", values.get("initial"))
    executed = values.get("executed")
    if rate is not None and budget is not None and executed is not None:
        if budget == 0:
            if rate != 0:
                return None
        else:
            ratio = executed / budget
            # one unit of the last printed digit: 50% for 49.88 %, 100.00% for exactly 100
            unit = Decimal(1).scaleb(rate.as_tuple().exponent) if isinstance(rate.as_tuple().exponent, int) else Decimal(1)
            if abs(ratio * 100 - rate) <= unit and ("rate" in percent or rate > 1 or ratio > Decimal("0.995") and rate != 1):
                fit += 2
            elif "rate" not in percent and abs(ratio - rate) <= unit / 100:
                fit += 2
            else:
                return None
        if score is not None and stated is not None:
            share = rate / 100 if ("rate" in percent or rate > 1) else rate
            if abs(stated * min(share, Decimal(1)) - score) <= Decimal("1"):
                fit += 1
            else:
                fit -= 2
    elif rate is not None and "rate" not in percent:
        fit -= 1  # a bare number read as a rate that nothing checks
    elif budget is not None and executed is not None:
        if executed > budget * Decimal("1.5") and budget > 0:
            fit -= 1
        if executed == budget:
            fit += Decimal("0.5")
    return fit


# --------------------------------------------------------------------------- goals


def _goals(st: _Stream, V: _Vocab, L: Labels, out: _Out, lo: int, hi: int) -> None:
    s = st.s
    block = _find(st, V.goals_block, lo, lo + 12)
    start = block[0][1] if block else lo
    # a label followed by a comma is a phrase of the text (按照年初设定目标,将…), not a label
    hits = [h for h in _find(st, V.goals, start, hi) if s[h[1]:h[1] + 1] not in ",，;；。、"]
    # The text ends where a header cell perfspec has no field for begins (填报日期, 自评总分 …).
    stops = _find(st, [k for k, v in V.header.items() if v == "other"], start, hi)
    if stops:
        hi = stops[0][0]
    if not hits and re.fullmatch(r"\(?\d{1,3}分\)?|", s[start:hi]):
        return  # 年度绩效目标(80分): the caption of the indicator table, not the goals
    out.add([L.ref.goals_zh, L.word("goals", "expected"), L.word("goals", "achieved")], lo)
    texts: dict[str, str] = {}
    guesses: dict[int, str] = {}
    if not hits:
        body = s[start:hi]
        if body:
            texts["expected"], texts["achieved"], why = _split_goals(body, st.cut[start:hi + 1], st.spaced)
            if why:
                guesses = {1: why, 2: why}
    else:
        # Labels with their text after each, or both labels first and the two texts run together.
        pieces = []
        for index, (at, end, label) in enumerate(hits):
            stop = hits[index + 1][0] if index + 1 < len(hits) else hi
            pieces.append((V.goals[label], s[end:stop], end))
        filled = [p for p in pieces if p[1]]
        if len(filled) == 1 and len(pieces) >= 2 and pieces[-1][1] and not pieces[0][1]:
            exp, ach, why = _split_goals(pieces[-1][1], st.cut[pieces[-1][2]:hi + 1], st.spaced)
            texts["expected"], texts["achieved"] = exp, ach
            if why:
                guesses = {1: why, 2: why}
        else:
            for key, body, _ in pieces:
                if body and key not in texts:
                    texts[key] = body
            for key, body, _ in pieces:
                if body and _garbled(body):
                    guesses[1 if key == "expected" else 2] = f"“{body}”像是识别错的文字（OCR），照原文读取"
    exp, ach = texts.get("expected", ""), texts.get("achieved", "")
    if ach and _garbled(ach):
        guesses[2] = f"“{ach}”像是识别错的文字（OCR），未读取"
        ach = ""
    out.add(["", exp, ach], lo, guesses)


def _garbled(text: str) -> bool:
    """OCR debris: a few characters with Latin letters or digits mixed into CJK, or no CJK at all."""
    cjk = sum(1 for c in text if _cjk(c))
    return len(text) <= 6 and (cjk < len(text) - 1 or cjk <= 1)


def _split_goals(body: str, cut: bytearray, spaced: bool) -> tuple[str, str, str]:
    """预期目标 and 实际完成情况 printed one after the other: cut at a separator, at a repeated clause,
    or after a sentence's end. The cut is always a guess unless the copy kept a separator."""
    seps = [i for i in range(1, len(body)) if cut[i]]
    if len(seps) == 1:
        return body[:seps[0]], body[seps[0]:], ""
    # The achieved text repeats a clause of the expected one: the longest suffix seen earlier.
    n = len(body)
    for length in range(n // 2, 7, -1):
        tail = body[n - length:]
        if tail in body[: n - length]:
            return body[: n - length], tail, f"预期目标和实际完成情况连在一起，在重复的语句“{tail[:12]}…”处分开（推测）"
    # The achieved text opens as the expected one did (维修供水工程10处 | 维修供水工程9处).
    for length in range(min(n // 2, 30), 3, -1):
        at = body.find(body[:length], 1)
        if at > 0:
            return body[:at], body[at:], f"预期目标和实际完成情况连在一起，在重复的开头“{body[:length]}”处分开（推测）"
    for mark in ("。", ";", "；"):
        at = body.rfind(mark, 0, n - 1)
        if at > 0:
            return body[: at + 1], body[at + 1:], f"预期目标和实际完成情况连在一起，在“{mark}”处分开（推测）"
    return body, "", "预期目标和实际完成情况连在一起，分不开，都按预期目标读取（推测）"


# --------------------------------------------------------------------------- indicators


def _indicator_headers(st: _Stream, V: _Vocab, lo: int, hi: int) -> list[tuple[int, int, list]]:
    """[(start, end, [(column key, label)])] of the runs of indicator column labels (≥ 3): the table's
    header, and the header of any table after it (a rubric, then the targets) that names its columns."""
    s = st.s
    runs: list = []
    run: list = []
    for at, end, label in _find(st, V.columns, lo, hi) + [(hi + 99, hi + 99, "")]:
        if run and at - run[-1][1] > 8:
            keys = {V.columns[h[2]] for h in run}
            # a later table names its 三级 and target or actual columns (not 分值 in a rule's text)
            if _is_header(run) and (not runs or ("name" in keys and keys & {"target", "actual"})):
                runs.append(run)
            run = []
        if label:
            run.append((at, end, label))
    out = []
    for run in runs:
        start, end = run[0][0], run[-1][1]
        cols = []
        prev = start
        for at, e, label in run:
            if at > prev:
                cols.append(("?", s[prev:at]))
            key = V.columns[label]
            m = _BRACKET.match(s, e)
            if m:
                e = m.end()
            cols.append((key, label))
            prev = e
            end = e
        out.append((start, end, cols))
    return out


def _is_header(run: list) -> bool:
    return len(run) >= 3


@dataclass
class _Group:
    level1: Optional[str]
    level2: Optional[str]
    lo: int
    hi: int
    l1_guess: str = ""
    l2_guess: str = ""


def _schema(cols: list) -> tuple[list[str], list[str], bool]:
    """(the cells after the 三级 name, in order; header cells no layout names; a scoring rubric?)."""
    keys = [k for k, _ in cols]
    unknown = [label for k, label in cols if k == "?"]
    if "name" in keys:
        after = keys[keys.index("name") + 1:]
    elif "?" in keys and not {"target", "actual"} & set(keys[: keys.index("?")]):
        # no 三级 column: the first column no layout names holds the items (评价内容 of a rubric)
        after = keys[keys.index("?") + 1:]
        unknown = unknown[1:]
    else:
        after = [k for k in keys if k not in ("level1", "level2")]
    schema: list[str] = []
    for k in after:
        if k == "?":
            # an unrecognised header cell (garbled by OCR): read as the cell the layouts put there
            schema.append("weight" if "weight" not in after else "other")
        elif k in ("target", "actual", "weight", "score", "deviation", "method", "review", "raw_score"):
            schema.append(k)
    return schema, unknown, not {"target", "actual"} & set(schema)


def _indicators(st: _Stream, V: _Vocab, L: Labels, out: _Out, headers: list, stop: int) -> None:
    s = st.s
    canonical = ["level1", "level2", "name", "target", "actual", "weight", "score", "deviation"]
    h_lo = headers[0][0]
    schema, unknown, _ = _schema(headers[0][2])
    head_guess: dict[int, str] = {}
    if unknown:
        head_guess[0] = f"指标表头中有认不出的栏目“{'、'.join(unknown)}”（识别错误？），按分值读取，整张指标表都是推测的"
    head = out.add([L.word("indicators", k) for k in canonical], h_lo, head_guess)
    # The table ends at 总分, 评分等级, or the notes printed below it.
    ends = _find(st, list(V.total) + list(V.grade) + list(L.listed("end")), headers[-1][1], stop)
    end = ends[0][0] if ends else stop
    by_level1: dict[str, list] = {}
    for index, (_, h_hi, cols) in enumerate(headers):
        schema, _, rubric = _schema(cols)
        hi = headers[index + 1][0] if index + 1 < len(headers) else end
        if _table(st, V, out, h_hi, hi, schema, rubric, canonical, by_level1, ends, index + 1 == len(headers)):
            head.guesses.setdefault(0, "有一组指标无法按栏目拆分，指标行可能缺失或错位（推测）")
        elif rubric:
            # rules' texts run into the next item's name, and the items are forced into the grid
            head.guesses.setdefault(0, "评分表（评价内容、分值、得分、评价标准）连在一起，按二级、三级指标拆分，行可能缺失或错位（推测）")
    for level1, rows_ in by_level1.items():
        _confirm(level1, rows_)
    if ends and ends[0][2] in V.total:
        at, e, _ = ends[0]
        digits = re.match(r"[\d.]*", s[e:min(stop, e + 20)]).group(0)
        tw, ts, why = _total_values(digits, "weight" in schema, "score" in schema)
        out.add([L.word("total", "total"), tw, ts], at, {1: why, 2: why} if why else None)
    grade = _find(st, list(V.grade), headers[-1][1], stop)
    if grade:
        at, e, _ = grade[0]
        m = re.match(r"[优良中差]", s[e:e + 2])
        out.add([L.word("grade", "grade"), m.group(0) if m else ""], at)


def _table(st: _Stream, V: _Vocab, out: _Out, lo: int, hi: int, schema: list, rubric: bool, canonical: list,
           by_level1: dict, ends: list, last_table: bool) -> bool:
    """The rows of one table under its header (a rubric, or the targets), cut group by group;
    True when a group could not be cut (rows may be lost)."""
    s = st.s
    uncut = False
    # in a rubric a 一级 or 二级 name inside a rule's text (…单位财务管理制度…) is no caption
    groups = _groups(st, V, lo, hi, inside_text=rubric and schema[-1:] == ["method"])
    if len(groups) > MAX_GROUPS:
        raise NotAForm(
            f"指标表有 {len(groups)} 组指标（上限 {MAX_GROUPS} 组），不像一张表的文本，未读取",
            f"the indicator table has {len(groups)} groups (limit {MAX_GROUPS}); not read",
        )
    l1_seen: Optional[str] = None
    for g in groups:
        body = s[g.lo:g.hi]
        if not body:
            continue
        out.budget -= g.hi - g.lo
        if out.budget < 0:
            raise NotAForm(
                f"指标表的文字超过了上限（{MAX_CUT} 字），不像一张表的文本，未读取",
                f"the indicator table's text is over {MAX_CUT} characters; not read",
            )
        found = _cut_rows(st, g.lo, g.hi, schema)
        if (last_table and g is groups[-1] and not ends and len(found) == 1
                and UNCUT in found[0][1].get("name", "") and out.rows):
            # The copy breaks off inside this row ("是否达到国"): a name's fragment is no indicator.
            last = out.rows[-1]
            if len(last.cells) == 8:
                last.guesses.setdefault(7, f"原文在此截断，其后的“{_short(body)}”不成一行，未读取")
                continue
        uncut = uncut or any(UNCUT in why for _, g_, _ in found for why in g_.values())
        first = True
        for cells, guesses, at in found:
            values = dict(zip(["name"] + schema, cells))
            level2 = g.level2 or ""
            name = values.get("name", "")
            gi: dict[int, str] = {}
            if not name and level2:
                # cells straight after the 二级 name (决策依据22…): the 二级 is the item itself
                name = _bare(level2)
                gi[2] = f"这一行没有三级指标名称，按二级指标“{level2}”读取（推测）"
            if rubric:
                # a scoring rubric (评价内容 | 分值 | 得分 …): each item is its own 二级 and 三级
                level2 = level2 if first and g.level2 else name
                gi[1] = f"评分表（评价内容、分值、得分）的一行，“{name}”按二级指标和三级指标读取（推测）"
            row = [g.level1 if first and g.level1 != l1_seen else "",
                   level2 if (first or rubric) else "",
                   name, values.get("target", ""), values.get("actual", ""),
                   values.get("weight", ""), values.get("score", ""), values.get("deviation", "")]
            # The level names are printed once per group: a guessed one is noted on the group's first row.
            for key, why in guesses.items():
                if key in canonical:
                    gi.setdefault(canonical.index(key), why)  # a cell with no field (复核分 …) has no note
            if first and g.l1_guess and row[0]:
                gi[0] = g.l1_guess
            if first and g.l2_guess and not rubric:
                gi[1] = g.l2_guess
            if row[0]:
                l1_seen = g.level1
            by_level1.setdefault(g.level1 or "", []).append(out.add(row, at, gi))
            first = False
    return uncut


def _confirm(level1: str, rows_: list) -> None:
    """Weights that add up to the points their 一级 caption states (产出指标(50分)), each score no more than
    its weight: arithmetic confirms the cuts between those numbers, which are then no guess."""
    m = re.search(r"(\d{1,3}(?:\.\d+)?)分\)?$", level1)
    if not m:
        return
    weights = [_dec(r.cells[5] or "x") for r in rows_]
    scores = [_dec(r.cells[6] or "x") for r in rows_]
    if any(w is None for w in weights) or sum(weights) != Decimal(m.group(1)):  # type: ignore[arg-type]
        return
    if any(sc is not None and sc > w for sc, w in zip(scores, weights)):  # type: ignore[operator]
        return
    for r in rows_:
        for index in (5, 6):
            if BOUNDARY in r.guesses.get(index, ""):
                del r.guesses[index]


def _total_values(digits: str, weighted: bool, scored: bool) -> tuple[str, str, str]:
    if not weighted:
        return "", digits, ""
    for end in _numbers_at(digits, 0):
        a, b = digits[:end], digits[end:]
        if b and _dec(b) is not None and (len(b) == 1 or b[0] != "0") and _dec(a) == 100 and _dec(b) <= _dec(a):
            return a, b, ""
    if digits:
        return "", digits, f"总分“{digits}”连在一起，分不出总分值和总得分（推测）"
    return "", "", ""


def _groups(st: _Stream, V: _Vocab, lo: int, hi: int, inside_text: bool = False) -> list[_Group]:
    """The 二级 groups between the indicator header and the end of the table, with their 一级/二级."""
    s = st.s
    names = list(V.level1) + list(V.level2) + list(V.indicators_block) + list(_PLACEHOLDERS)
    hits = []
    for at, end, label in _find(st, names, lo, hi):
        m = _POINTS.match(s, end)
        if m and (m.group(0).startswith("(") == m.group(0).endswith(")")):
            end = m.end()
        if inside_text and at > lo and (_cjk(s[at - 1]) or s[at - 1] in "、,，") and not m:
            continue  # inside a rule's text: 2、项目管理制度1分
        hits.append((at, end, label))
    # A name printed twice in a row: the second is the start of a 三级 name (财务管理 财务管理制度…);
    # so is a 二级 name right after a 二级 that is no "…指标" and carries no points (投入管理 预算执行率10…).
    kept = []
    for hit in hits:
        if kept and kept[-1][1] == hit[0] and hit[2] in V.level2 and (
                kept[-1][2] == hit[2]
                or (kept[-1][2] in V.level2 and kept[-1][2] not in V.level1 and not hit[2].endswith("指标")
                    and s[hit[0]:hit[1]] == hit[2])):
            continue
        kept.append(hit)
    groups: list[_Group] = []
    level1: Optional[str] = None
    l1_guess = ""
    pending_text = ""
    level2: Optional[str] = None
    cur: Optional[_Group] = None
    pos = lo
    for at, end, label in kept + [(hi, hi, "")]:
        between = s[pos:at]
        if between:
            if cur is not None:
                cur.hi = at
            elif not re.search(r"\d", between):
                pending_text += between  # a caption the copy garbled
            else:
                groups.append(_Group(level1, level2, pos, at))
                cur = groups[-1]
        if not label:
            break
        printed = s[at:end]
        if label in V.indicators_block or label in _PLACEHOLDERS:
            pos = end  # the caption printed again where a page broke; a template's 指标1: left empty
            continue
        parent_ok = level1 is not None and _bare(level1) in V.level2.get(label, ("", ()))[1]
        if label in V.level1 and not parent_ok and not (level1 is not None and fold(printed) == level1 and cur is None and label in V.level2):
            if level1 is not None and _bare(level1) == label and cur is None and groups and groups[-1].level1 == level1:
                # the same 一级 printed again after a page break, or used as its own 二级 (满意度指标(10分) 满意度指标)
                level2 = printed
            else:
                level1 = printed
                level2 = None
                l1_guess = ""
            pending_text = ""
            cur = None
        else:
            level2 = printed
            name2 = V.level2.get(label, (label, ()))
            parents = name2[1]
            if level1 is not None and parents and _bare(level1) not in parents and cur is not None and not pending_text:
                # A 二级 of another 一级 with no 一级 caption between: the caption is the text with no
                # figures that ends the rows before (garbled by OCR, "益标效指意指斥满度打").
                tail = re.search(r"[^\d%]{1,12}(?:\(\d{1,3}分\))?$", s[cur.lo:at])
                if tail and _unscramble(tail.group(0), parents, V, strict=True) in parents:
                    cur.hi = at - len(tail.group(0))
                    pending_text = tail.group(0)
            if pending_text or (level1 is None):
                guess = _unscramble(pending_text, parents, V) if pending_text else (parents[0] if len(parents) == 1 else None)
                if guess is not None:
                    points = re.search(r"\(\d{1,3}(?:\.\d+)?分\)$", pending_text)
                    level1 = guess + (points.group(0) if points else "")
                    l1_guess = (f"一级指标印成“{pending_text}”（识别错误？），按“{label}”所属的“{guess}”读取（推测）"
                                if pending_text else f"没有印一级指标，按“{label}”所属的“{guess}”读取（推测）")
                elif pending_text:
                    level1 = pending_text
                    l1_guess = f"一级指标“{pending_text}”认不出（识别错误？），照原文读取"
            pending_text = ""
            groups.append(_Group(level1, level2, end, end, l1_guess, ""))
            cur = groups[-1]
        pos = end
    # A merged 一级 cell whose text the copy printed after its first rows (centred in the cell):
    # those rows belong to the first 一级 that follows them.
    first = next((g.level1 for g in groups if g.level1 is not None), None)
    for g in groups:
        if g.level1 is None and first is not None:
            g.level1 = first
            g.l1_guess = f"这组指标之前没有一级指标，按其后印着的“{first}”读取（推测）"
    out = []
    for g in groups:
        if g.hi > g.lo:
            if g.level1 is None:
                g.level1 = ""
                g.l1_guess = "这一组指标前没有一级指标"
            if g.level2 is None:
                g.level2 = ""
                g.l2_guess = "这一组指标前没有二级指标"
            out.append(g)
    return out


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bare(name: str) -> str:
    return re.sub(r"\(?\d{1,3}(?:\.\d+)?分\)?$", "", name)


def _unscramble(text: str, parents: tuple, V: _Vocab, strict: bool = False) -> Optional[str]:
    """The 一级 name whose characters a garbled caption holds (vertical text read out of order, or one
    character misread: 顼目产出 for 项目产出); `strict`: only on that evidence, never by default."""
    chars = [c for c in _bare(text)]
    found, near = [], []
    for name in sorted(set(parents) | set(V.level1)):
        pool = list(chars)
        hits = 0
        for ch in name:
            if ch in pool:
                pool.remove(ch)
                hits += 1
        if hits == len(name):
            found.append(name)
        elif hits >= len(name) - 1 and hits >= 3 and len(chars) <= len(name) + 2:
            near.append(name)
    for names in (found, near):
        inside = [n for n in names if n in parents]
        if len(inside) == 1:
            return inside[0]
        if len(names) == 1:
            return names[0]
    if strict:
        return None
    return parents[0] if len(parents) == 1 else None


# --------------------------------------------------------------------------- cutting a group into rows

_VALUE_KEYS = ("target", "actual")
_NUMBER_KEYS = ("weight", "score", "review", "raw_score", "other")
_TEXT_KEYS = ("deviation", "method")


def _cut_rows(st: _Stream, lo: int, hi: int, schema: list[str]) -> list[tuple[list, dict, int]]:
    """The rows of one 二级 group: [(cells in the order name + schema, {key: why}, position)]."""
    s = st.s[lo:hi]
    cut = st.cut[lo:hi + 1]
    if st.spaced:
        return _cut_spaced(st, lo, hi, schema)
    if len(s) > MAX_GROUP:
        return [([s] + [""] * len(schema), {"name": f"这一组指标的文字太长（{len(s)} 字），未能拆分为单元格"}, lo)]
    cut_of = _Cutter(s, cut, schema, nameless=bool(s) and (s[0].isdigit() or s[0] in _COMPARATORS))
    return [(cells, guesses, lo + at) for cells, guesses, at in cut_of.run()]


def _cut_spaced(st: _Stream, lo: int, hi: int, schema: list[str]) -> list[tuple[list, dict, int]]:
    """Cells separated by spaces: group the tokens into rows of the schema's length."""
    s = st.s
    tokens: list[tuple[int, str]] = []
    start = lo
    for i in range(lo + 1, hi + 1):
        if i == hi or st.cut[i]:
            tokens.append((start, s[start:i]))
            start = i
    width = 1 + len([k for k in schema if k not in _TEXT_KEYS])
    optional = len(schema) + 1 - width
    out = []
    i = 0
    while i < len(tokens):
        chunk = tokens[i:i + width]
        cells = [t for _, t in chunk]
        guesses: dict[str, str] = {}
        keys = ["name"] + [k for k in schema if k not in _TEXT_KEYS]
        if len(chunk) < width:
            guesses["name"] = f"这一行只有 {len(chunk)} 格（应有 {width} 格），缺少的按空白读取"
        values = dict(zip(keys, cells))
        i += len(chunk)
        # an optional text cell (deviation) when the next token is not a row's name
        extra = []
        while optional and i < len(tokens) and len(extra) < optional and not _starts_row(tokens, i, width, keys):
            extra.append(tokens[i][1])
            i += 1
        for k, t in zip([k for k in schema if k in _TEXT_KEYS], extra):
            values[k] = t
        for k in keys:
            if k in _NUMBER_KEYS and values.get(k) and _dec(values[k]) is None:
                guesses[k] = f"“{values[k]}”不是数，这一行的格可能错位"
        out.append(([values.get(k, "") for k in ["name"] + schema], guesses, chunk[0][0] if chunk else lo))
    return out


def _starts_row(tokens: list, i: int, width: int, keys: list) -> bool:
    chunk = [t for _, t in tokens[i:i + width]]
    if len(chunk) < width:
        return len(chunk) >= 1 and _dec(chunk[0]) is None
    return all(_dec(t) is not None for k, t in zip(keys, chunk) if k in _NUMBER_KEYS)


class _Cutter:
    """Best cut of a run-together group into rows (name + schema cells), by dynamic programming.

    A cell's plausibility is scored (a weight is a number ≤ 100, a target reads as a quantity, an
    actual equal to its target is likely …); the best total wins. A cell that another cut, scoring
    within MARGIN, would draw differently is a guess.
    """

    def __init__(self, s: str, cut: bytearray, schema: list[str], nameless: bool = False) -> None:
        self.nameless = nameless  # the group's cells may start at once (the 二级 name is the item's)
        self._values: dict[int, list] = {}
        self.s = s
        self.cut = cut
        self.schema = schema
        self.n = len(s)

    # -- candidate cells from position i: [(end, score, text)]

    def name(self, i: int) -> list[tuple[int, int]]:
        s = self.s
        out = []
        if i >= self.n or s[i] in _COMPARATORS or s[i] == "%" or s[i] in _CONTINUING:
            return out
        if i == 0 and self.nameless:
            out.append((0, -100))
        cjk = False
        compared = 0
        for j in range(i + 1, min(self.n, i + MAX_NAME) + 1):
            ch = s[j - 1]
            if ch == "%":
                break
            if j - 1 > i and self.cut[j - 1]:
                break
            cjk = cjk or _cjk(ch)
            if ch in _COMPARATORS:
                compared = -200  # "≥200人" inside a name: a target swallowed
                continue  # and a name does not end on one
            if not cjk:
                continue
            # a name does not end inside a number
            if j < self.n and s[j - 1].isdigit() and (s[j].isdigit() or s[j] == "."):
                continue
            if ch in "。;；":
                compared = min(compared, -200)  # a sentence inside a name: a rule's text swallowed
            elif _cjk(ch) and j - 2 > i and s[j - 2].isdigit():
                # 可行性2实际…: a bare number between words, most often a weight between two rows
                k = j - 2
                while k > i and (s[k - 1].isdigit() or s[k - 1] == "."):
                    k -= 1
                if k > i and _cjk(s[k - 1]):
                    compared = min(compared, -100)
            # each row costs: no row is made of a fragment of a name; a name does not end on 、 , ;
            # and a long one is less likely than a text cell before it
            long = 5 * max(0, j - i - 20)
            short = 100 if j - i == 1 else 0  # a one-character name is most often a unit cut off
            out.append((j, -100 + compared - long - short - (200 if ch in _CONTINUING else 0)))
        return out

    def number(self, i: int, key: str) -> list[tuple[int, int]]:
        out = []
        for j in _numbers_at(self.s, i, 6):
            value = _dec(self.s[i:j])
            if value is None or value > 100:
                continue
            if j < self.n and self.s[j] == "%":
                continue
            if any(self.cut[k] for k in range(i + 1, j)):
                continue
            out.append((j, 100))
        if key in ("review", "other"):
            out.append((i, -50))  # a blank cell
        return out

    def value(self, i: int) -> list[tuple[int, int]]:
        if i not in self._values:
            self._values[i] = self._value(i)
        return self._values[i]

    def _value(self, i: int) -> list[tuple[int, int]]:
        s = self.s
        out: list[tuple[int, int]] = []
        if i >= self.n or s[i] in _CONTINUING:
            return out  # no cell begins with a mark that continues a text (、 , ; . ) ）)
        j = i
        if s[j] in _COMPARATORS:
            j += 1
        ocr = s[j:j + 1] in _OCR_COMPARATORS and j + 1 < self.n and s[j + 1].isdigit()
        for start in ((j, j + 1) if ocr else (j,)):
            for e in _numbers_at(s, start, 10):
                if any(self.cut[k] for k in range(i + 1, e)):
                    break
                base = 80
                if e < self.n and s[e] in "%‰":
                    out.append((e + 1, 150))
                    continue
                out.append((e, base))
                # a unit: up to 4 letters or CJK characters
                k = e
                while (k < self.n and k - e < 4 and (_cjk(s[k]) or s[k].isalpha()) and not self.cut[k]
                       and not (k > e and s[k] in _NUMERALS)):  # 9处|一处未完工: a numeral opens the next cell
                    k += 1
                    out.append((k, _UNIT_SCORE[k - e]))
        if s[i] in "—-一":
            out.append((i + 1, 50))
        if s[i] not in _COMPARATORS:
            # text: 显著提升, 2021年12月完成 (led by digits: less likely than a number with a unit)
            lead = -120 if s[i].isdigit() else -80
            cjk = False
            for k in range(i + 1, min(self.n, i + MAX_VALUE) + 1):
                if k - 1 > i and self.cut[k - 1]:
                    break
                cjk = cjk or _cjk(s[k - 1])
                if k < self.n and s[k - 1].isdigit() and s[k].isdigit():
                    continue
                if s[k - 1] == "%":
                    break
                if cjk:
                    out.append((k, lead - 2 * (k - i)))
        return out

    def text(self, i: int, key: str) -> list[tuple[int, int]]:
        # a deviation note is rare (most rows met their target); a method or standard is printed on every row
        cost = -200 if key == "deviation" else 0
        out = [(i, 0 if key == "deviation" else -200)]
        if i < self.n and self.s[i] in _CONTINUING:
            return out
        for k in range(i + 1, min(self.n, i + MAX_NOTE) + 1):
            if k - 1 > i and self.cut[k - 1] and key != "deviation":
                break
            out.append((k, cost))
        return out

    # -- the programme

    def steps(self, i: int, c: int) -> list[tuple[int, int, int, tuple]]:
        """Transitions from (position i, column c): (next position, next column, score, cells)."""
        keys = ["name"] + self.schema
        width = len(keys)
        key = keys[c]
        nxt = (c + 1) % width
        out = []
        s = self.s
        # a cell that starts inside a run of digits cuts a number in two: possible, never likely
        glue = -100 if 0 < i < self.n and not self.cut[i] and s[i - 1].isdigit() and (s[i].isdigit() or s[i] == ".") else 0
        out = []
        for e, c2, sc, cells in self._steps(i, c, key, nxt, width, keys):
            a, b = cells[0]
            # a blank cell cuts nothing; a rule's text may start with its list number (1、提供…)
            listed = key in _TEXT_KEYS and re.match(r"\d{1,2}(?:、|\.(?!\d))", s[a:b])
            out.append((e, c2, sc + (glue if b > a and not listed else 0), cells))
        return out

    def _steps(self, i: int, c: int, key: str, nxt: int, width: int, keys: list) -> list:
        out = []
        if key == "name":
            for e, sc in self.name(i):
                out.append((e, nxt, sc, ((i, e),)))
        elif key == "target" and c + 1 < width and keys[c + 1] == "actual":
            after = (c + 2) % width
            for e, sc in self.value(i):
                for e2, sc2 in self.value(e):
                    # a target printed again as the actual; a longer repeat is stronger evidence
                    same = self.s[i:e] == self.s[e:e2] and e > i
                    bonus = 300 + 25 * min(e - i, 20) if same else 0
                    if 0 < e < self.n and self.s[e - 1].isdigit() and self.s[e].isdigit() and not self.cut[e]:
                        bonus -= 100  # the actual starts inside the target's digits
                    if _quantity(self.s[i:e]) and not _quantity(self.s[e:e2]):
                        bonus -= 100  # a measured target is most often met by a measure
                    # a cell boundary the copy printed confirms the cut
                    out.append((e2, after, sc + sc2 + bonus + self._sep(e), ((i, e), (e, e2))))
                if e < self.n:
                    out.append((e, after, sc - 200, ((i, e), (e, e))))  # the actual is blank
            out.append((i, nxt, -150, ((i, i),)))  # a blank target: the next step reads the actual
        elif key in _VALUE_KEYS:
            for e, sc in self.value(i):
                out.append((e, nxt, sc, ((i, e),)))
            out.append((i, nxt, -200, ((i, i),)))
        elif key in _NUMBER_KEYS:
            for e, sc in self.number(i, key):
                out.append((e, nxt, sc + self._sep(e), ((i, e),)))
        else:
            for e, sc in self.text(i, key):
                out.append((e, nxt, sc, ((i, e),)))
        return out

    def _sep(self, e: int) -> int:
        return 50 if 0 < e < self.n and self.cut[e] else 0

    def run(self) -> list[tuple[list, dict, int]]:
        width = 1 + len(self.schema)
        n = self.n
        NEG = -10**12
        # forward pass over states (position, column); rows end at column 0
        best: dict[tuple[int, int], int] = {(0, 0): 0}
        back: dict[tuple[int, int], tuple] = {}
        trans: list[tuple] = []
        processed = set()

        # topological order: by position, and at one position column 0 (a row just ended) after the
        # others, since a blank last cell ends a row without moving
        def order(i: int, c: int) -> tuple:
            return (i, width if c == 0 else c)

        heap = [((0, width), 0, 0)]
        while heap:
            _, i, c = heapq.heappop(heap)
            if (i, c) in processed:
                continue
            processed.add((i, c))
            here = best[(i, c)]
            if len(processed) > 20000:
                break
            for e, c2, sc, cells in self.steps(i, c):
                if e > n:
                    continue
                total = here + sc
                trans.append((i, c, e, c2, sc, cells))
                if total > best.get((e, c2), NEG):
                    best[(e, c2)] = total
                    back[(e, c2)] = (i, c, cells)
                    heapq.heappush(heap, (order(e, c2), e, c2))
        end = (n, 0)
        if end not in best:
            return [([self.s] + [""] * len(self.schema),
                     {"name": f"这一组指标“{self.s[:30]}”{UNCUT}，整段按三级指标名称读取"}, 0)]
        # backward best (to the end) for the margin test
        after = self._backward(trans, end)
        top = best[end]
        path = []
        state = end
        while state != (0, 0):
            i, c, cells = back[state]
            path.append((i, c, cells))
            state = (i, c)
        path.reverse()
        # alternatives: any transition at the same column over an overlapping span, nearly as good
        chosen = {(c, cells) for i, c, cells in path}
        alt: dict[int, list] = {}
        for i, c, e, c2, sc, cells in trans:
            if (i, c) not in best or (e, c2) not in after:
                continue
            if best[(i, c)] + sc + after[(e, c2)] >= top - MARGIN and (c, cells) not in chosen:
                alt.setdefault(c, []).append(cells)
        keys = ["name"] + self.schema
        rows_out: list[tuple[list, dict, int]] = []
        cur: list = []
        guesses: dict[str, str] = {}
        row_at = 0
        for i, c, cells in path:
            if c == 0:
                if cur:
                    rows_out.append((cur, guesses, row_at))
                cur, guesses, row_at = [], {}, i
            for offset, (a, b) in enumerate(cells):
                k = keys[c + offset]
                cur.append(self.s[a:b])
                for other in alt.get(c, []):
                    if len(other) > offset and other[offset] != (a, b) and _overlap(other[offset], (a, b)):
                        guesses[k] = f"“{self.s[a:b] or '（空白）'}”与相邻单元格连在一起，{BOUNDARY}"
            if c == 0 and not cur:
                pass
        if cur:
            rows_out.append((cur, guesses, row_at))
        for cells, g, _ in rows_out:
            while len(cells) < len(keys):
                cells.append("")
            values = dict(zip(keys, cells))
            _ocr_and_arithmetic(values, g)
            for index, k in enumerate(keys):
                cells[index] = values[k]
        return rows_out

    def _backward(self, trans: list, end: tuple) -> dict:
        after: dict[tuple[int, int], int] = {end: 0}
        by_from: dict[tuple[int, int], list] = {}
        for t in trans:
            by_from.setdefault((t[0], t[1]), []).append(t)
        # states in reverse topological order: larger position first, then larger column
        states = sorted(by_from, key=lambda st: (st[0], st[1]), reverse=True)
        width = 1 + len(self.schema)
        # column 0 at a position comes after the last column at the same position: order (i, c) with c=0 last
        states.sort(key=lambda st: (st[0], st[1] if st[1] else width), reverse=True)
        for state in states:
            best = None
            for i, c, e, c2, sc, cells in by_from[state]:
                if (e, c2) in after:
                    v = sc + after[(e, c2)]
                    if best is None or v > best:
                        best = v
            if best is not None:
                after[state] = best
        return after


def _quantity(text: str) -> bool:
    """A cell that reads as a measure: ≥90%, 20万元, 2370人 (not 2021年12月完成, not 显著提升)."""
    return bool(re.fullmatch(r"[≥≤><=≧≦＞＜]?\d+(?:\.\d+)?(?:%|‰|[^\d]{0,3})", text))


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1] or a == b or (a[0] == a[1] and b[0] <= a[0] <= b[1]) or (b[0] == b[1] and a[0] <= b[0] <= a[1])


def _ocr_and_arithmetic(values: dict, guesses: dict) -> None:
    """OCR comparators ("290%" for ≥90%) and score ≤ weight."""
    for key in _VALUE_KEYS:
        text = values.get(key) or ""
        m = re.fullmatch(r"([2W])(\d+(?:\.\d+)?)%", text)
        if m:
            whole = _dec(text[:-1])
            if m.group(1) == "W" or (whole is not None and whole > 100 and _dec(m.group(2)) <= 100):
                values[key] = _OCR_COMPARATORS[m.group(1)] + m.group(2) + "%"
                guesses[key] = f"“{text}”不可能是百分比，按“{values[key]}”读取（“{m.group(1)}”是识别错的“{_OCR_COMPARATORS[m.group(1)]}”？推测）"
    weight, score = _dec(values.get("weight") or "x"), _dec(values.get("score") or "x")
    if weight is not None and score is not None and score > weight:
        guesses["score"] = f"得分 {values['score']} 大于分值 {values['weight']}，拆分可能有误"
