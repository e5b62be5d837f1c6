"""The form being assembled from rows: its state, its review notes, and how 一级 / 二级 names are set.

Shared by the row readers: :mod:`perfspec.importers.text` (rows by their content and by the pairs of
numbers in them) and :mod:`perfspec.importers.columns` (rows by the columns their header names), so that
neither imports the other. Numbers are read here as a form prints them (1,200.50, 95%, a placeholder "/").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Optional

from perfspec.importers import FormData, Indicator
from perfspec.importers.labels import Labels
from perfspec.importers.rows import Row, squash


MAX_UNREAD_NOTES = 20  # "not read" notes of one form; the rest are counted in one more


_NUMBER = re.compile(r"[-+]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?\Z")


def number(text: str | None) -> Decimal | None:
    """A cell as a number, exactly as printed ("4.00" keeps its decimals); None if it is not one."""
    if text is None:
        return None
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits valid literals only
        return None


_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?\Z")


def _value(text: str | None) -> str | Decimal | None:
    """年度指标值 / 实际完成值: a bare number is a number (as printed), anything else text."""
    text = (text or "").strip()
    if not text:
        return None
    return Decimal(text) if _PLAIN_NUMBER.match(text) else text


@dataclass
class _Pending:
    """A review note on an indicator (by object, since its path is known only at the end)."""

    item: Indicator
    key: Optional[str]
    reason: str
    where: int


@dataclass
class _Group:
    """A review note on a 二级 key: (level1, level2) is looked up when the form is done."""

    item: Indicator  # any indicator of the group
    reason: str
    where: int


@dataclass
class _Form:
    data: FormData
    where: int
    L: Labels  # the layouts' labels; messages use the reference layout's words
    section: str = "head"
    goals_columns: tuple = (None, None)  # cell index of 预期目标 / 实际完成情况 in the goals header
    goals_rows: int = 0
    level1: Optional[str] = None
    level2: Optional[str] = None
    level2_tentative: bool = False  # the current 二级 name looks wrapped ("服务对象")
    level2_note: Optional[tuple] = None  # (二级 name, note) for that name's group, given with its first row
    items: list = field(default_factory=list)  # list[Indicator]
    item_rows: list = field(default_factory=list)  # list[Row], parallel to items
    pending: list = field(default_factory=list)  # list[_Pending]
    groups: list = field(default_factory=list)  # list[_Group]
    seen: set = field(default_factory=set)
    break_rows: list = field(default_factory=list)  # indices into items of rows that follow a page break
    break_next: bool = False  # a repeated table header was seen: the next row starts a new page
    where_now: int = 0  # the row being read
    # Where the cells of the row being read landed: cell index → a FormData path, or (Indicator, key).
    landed: dict = field(default_factory=dict)
    exact: bool = False  # every cell of a row is where the form prints it (no blank cell lost)
    by_columns: bool = False  # indicator rows are read by the header's columns (cells in place, merged ones left out)
    # Every row's cells are at their grid columns, None where a merged cell covers one (a Word table, a
    # sheet, a PDF table): the header rows' cells name the columns below them by position.
    grid: bool = False
    positions: Optional[list] = None  # the indicator header's key of each grid column (grid only)
    funds_at: Optional[dict] = None  # grid column → key of the funds block's header (grid, and pipes)
    funds_width: int = 0  # the cells of the funds block's header row
    row_rates: bool = False  # the layout its labels so far detect gives each funds row its own rate (grid only)
    one_per_line: bool = False  # the rows were rebuilt from one cell per line: no cell spans two columns
    columns: Optional[list] = None  # keys of the indicator table's columns, from its header row
    sub_header: bool = False  # the header had a second line naming the columns of its groups
    rows_since_header: int = 0
    funds_cols: Optional[list] = None  # keys of the funds block's columns, from its header row
    funds_rows_read: int = 0
    points: Optional[str] = None  # "(50分)": a 一级 caption whose name was lost, waiting for its 二级
    carry: list = field(default_factory=list)
    title: Optional[str] = None  # the title line as printed
    printed: set = field(default_factory=set)  # the short text cells of the form (what its labels are)  # notes of a row without an indicator, for the next indicator
    rows_read: int = 0
    unread: int = 0  # lines not read (after the form, or not recognised)
    noted: bool = False  # the row being read got a "not read" note (its text is named there)
    # The rows read, for the check that each cell's text was placed: (row, section path, items before,
    # items after, where its cells landed).
    read_rows: list = field(default_factory=list)
    lossy: bool = False  # a shape that may lose cell positions: a printed cell left blank is flagged
    split: list = field(default_factory=list)  # texts read whole and split into several cells (李宁0557-5788003)
    unit_stated: bool = False  # the form says its money unit (the funds caption, a 金额单位:元 line) or was flagged

    @functools.cached_property
    def W(self) -> dict[str, str]:
        """The reference layout's names of the indicator columns, for review notes."""
        return {key: self.L.word("indicators", key) for key in ("level1", "level2", "name", "target", "actual", "weight", "score")}

    def flag(self, path: tuple, reason: str, where: int) -> None:
        self.data.review(path, reason, where)

    def flag_item(self, item: Indicator, key: Optional[str], reason: str, where: int) -> None:
        self.pending.append(_Pending(item, key, reason, where))

    def close_item(self, item: Indicator, name: Optional[str], row: Row, brk: bool, notes: list[str], at: str) -> None:
        """The end of an indicator row however it was read: its page break, an empty name, and its
        notes as one review note on the row."""
        if brk:
            self.break_rows.append(len(self.items) - 1)
        if self.level2_note is not None and item.level2 == self.level2_note[0]:
            # The 二级 name is the key of its group: the note goes on the group, over every row under it.
            self.groups.append(_Group(item, self.level2_note[1] + f"（{at}）", row.where))
            self.level2_note = None
        if name is None:  # as read: the item's name may have been completed since (a wrapped line)
            notes.append(f"{self.W['name']}名称是空的")
        if notes:
            self.flag_item(item, None, "；".join(notes) + f"（{at}）", row.where)

    def flag_unread(self, reason: str, where: int) -> None:
        """A line not read: the first MAX_UNREAD_NOTES are listed, the rest counted (see _finish)."""
        self.unread += 1
        self.noted = True
        if self.unread <= MAX_UNREAD_NOTES:
            self.flag((), reason, where)


_PLACEHOLDER = re.compile(r"^(?:指标\d*[:：]?|…+|\.{3,}|……+)$")


_POINTS_ONLY = re.compile(r"^[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]$")
# The points a folded label states (产出指标(60分), 预算执行情况(万元)(20分), 总分(100分)): group 1 is the number.
POINTS_AFTER_LABEL = re.compile(r"\((\d{1,3}(?:\.\d+)?)分\)")


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _strip_note(folded: str) -> str:
    """全年预算数(A) → 全年预算数, 执行率(B/A) → 执行率, 年度预算数(万元) → 年度预算数."""
    return re.sub(r"\([^()]*\)$", "", folded)


def _is_level2(text: str, L: Labels) -> bool:
    key = squash(text)
    return re.sub(r"[(（][^()（）]*[)）]$", "", key) in L.level2


def _is_level(text: str, L: Labels) -> bool:
    key = squash(text)
    base = re.sub(r"[(（][^()（）]*[)）]$", "", key)
    return bool(_POINTS_ONLY.match(key)) or base in L.level1 or base in L.level2


def _take_level(form: _Form, text: str, notes: list[str], brk: bool) -> None:
    key = squash(text)
    if _POINTS_ONLY.match(key):
        form.points, form.level1, form.level2 = key, None, None
        return
    base = re.sub(r"[(（][^()（）]*[)）]$", "", key)
    if base in form.L.level1 and base not in form.L.level2:
        form.points = None
        _set_level1(form, key, "", notes, brk)
    else:
        _parent(form, key, notes)
        current = re.sub(r"[(（][^()（）]*[)）]$", "", form.level1 or "")
        parents = {l1 for layout in form.L.layouts for l1, l2s in layout.level1.items() if key in l2s}
        if form.level1 is not None and current in form.L.level1 and parents and current not in parents \
                and len(parents) == 1:
            parent = parents.pop()
            notes.append(f"{form.W['level2']}“{key}”不属于“{form.level1}”，按名称归入“{parent}”")
            form.level1, form.level2 = parent, None
        _set_level2(form, key, notes, brk, form.where_now)


def _parent(form: _Form, level2: str, notes: list[str]) -> None:
    """A 一级 caption printed as points only ("(50分)"): its name is the vocabulary's parent of the 二级."""
    if form.points is None:
        return
    parent = next((l1 for layout in form.L.layouts for l1, l2s in layout.level1.items() if level2 in l2s), None)
    if parent is None:
        return
    form.level1, form.level2 = parent + form.points, None
    notes.append(f"{form.W['level1']}只印着“{form.points}”（名称缺失），按{form.W['level2']}“{level2}”推定为“{form.level1}”")
    form.points = None


def _number_or_percent(text: str | None) -> Decimal | None:
    """A number as printed; "86%" is 86 (a rate printed with its sign)."""
    if text is None:
        return None
    text = text.strip()
    if text.endswith("%") or text.endswith("％"):
        text = text[:-1]
    return number(text)


def _current(form: _Form, notes: list[str]) -> str:
    W = form.W
    if form.level1 is None:
        notes.append(f"这一行之前没有{W['level1']}")
        form.level1 = ""
    return form.level1


def _set_level1(form: _Form, cell: str, l2: str, notes: list[str], brk: bool) -> None:
    W = form.W
    key = squash(cell)
    if not key or key == form.level1:
        return
    base = re.sub(r"[(（][^()（）]*[)）]$", "", key)
    if base in form.L.level1 and base != key:
        form.level1, form.level2, form.level2_tentative = key, None, False  # 产出指标(50分): the caption with its points
        return
    if form.level1 and len(key) < len(form.level1) and form.level1.endswith(key) and key not in form.L.level1:
        # The rest of a wrapped 一级 name ("满意度指" / "标") printed again after a page break.
        where = "分页后" if brk else ""
        notes.append(f"{where}{W['level1']}栏印着“{key}”，是换行的“{form.level1}”的后半，按{form.level1}读取")
        return
    if key not in form.L.level1:
        if key in form.L.level2 and not squash(l2):
            notes.append(f"{W['level1']}栏的“{key}”是{W['level2']}名称（整行错位？），按{form.level1 or '？'}下的{W['level2']}读取")
            form.level2 = key
            form.level2_tentative = False
            return
        # Not noted here: a 一级 name no layout has is flagged on its whole group when the form is done
        # (importers/plausible.py).
    form.level1 = key
    form.level2 = None
    form.level2_tentative = False


def _set_level2(form: _Form, cell: str, notes: list[str], brk: bool, where: int = 0) -> None:
    W = form.W
    key = squash(cell)
    if not key:
        if form.level2 is None:
            notes.append(f"这一行没有{W['level2']}")
            form.level2 = ""
        return
    if key == form.level2:
        return
    if form.level2 and form.level2_tentative and form.level2 + key in form.L.level2:
        joined = form.level2 + key
        reason = (
            f"{W['level2']}印成“{form.level2}”，其余的“{key}”在{'分页后' if brk else '下一行'}，合为“{joined}”"
        )
        for item in form.items:
            if item.level1 == form.level1 and item.level2 == form.level2:
                item.level2 = joined
        first = next((i for i in form.items if i.level1 == form.level1 and i.level2 == joined), None)
        if first is not None:
            form.groups.append(_Group(first, reason, where))
        form.level2 = joined
        form.level2_tentative = False
        notes.append(f"{'分页后' if brk else ''}{W['level2']}栏印着“{key}”，是换行的“{joined}”的后半")
        return
    if key.endswith("指标") or key in form.L.level2:
        _parent(form, key, notes)
        form.level2 = key
        form.level2_tentative = False
        return
    prefixed = [name for name in form.L.level2 if name.startswith(key)]
    form.level2 = key
    form.level2_tentative = bool(prefixed)
    form.level2_note = None if prefixed else (key, f"{W['level2']}“{key}”不是任何版式的{W['level2']}名称，照表中读取")
