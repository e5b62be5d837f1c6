"""Cells an assembled form holds where no real form prints such text: a reader's wrong cut, flagged.

A reader places text by labels and columns. When it cuts a row wrong the text still lands in some
cell, and often in one that no published form would fill that way:
- a 一级指标 that is no layout's 一级 name, e.g. a 二级 name (社会效益指标) or a 三级 name read one
  column to the left;
- a 二级 or 三级 name holding a target or a result ("≥90%", "100%"), or a 三级 name holding a 一级 or
  二级 name of its own: rows ran together, and rows next to it may be missing altogether;
- a header or signature cell whose value is itself a label (“单位负责人签字:”).

Each gets a review note that names what looks wrong. Where rows ran together, the note is on the whole
indicator table as well: the rows that were swallowed have no cell of their own to carry a note.
The layouts are the only source of names (:class:`perfspec.importers.labels.Labels`); right cells
that look odd are flagged too, which costs a reader a glance, never a wrong value.
"""

from __future__ import annotations

import functools
import re
from typing import Callable, Iterable, Optional

from perfspec.importers import FormData, Indicator
from perfspec.importers.assembly import POINTS_AFTER_LABEL
from perfspec.importers.assembly import _short as short
from perfspec.importers.labels import Labels, fold

# A comparison or a number with its unit, as targets and results are printed: ≥90%, 100%, ≤5天, 1000万元.
_MEASURE = re.compile(r"[≥≤><=]\s*\d|\d(?:\.\d+)?\s*(?:%|‰|万元|元|天|个|人|次|户|件|项)(?![\u4e00-\u9fff]*指标)")
_LABEL_END = re.compile(r"[:：]\s*$")

Flag = Callable[[tuple, str], None]
FlagItem = Callable[[Indicator, Optional[str], str], None]
_short = functools.partial(short, limit=30)  # names quoted in a note: shorter than the reader's 40


_POINTS_AT_END = re.compile(POINTS_AFTER_LABEL.pattern + "$")


def _is_level1(name: str, L: Labels) -> bool:
    """产出指标, and 产出指标(60分): a 一级 caption printed with its points (folded brackets are half-width)."""
    folded = _POINTS_AT_END.sub("", fold(name))
    return any(folded == fold(known) for known in L.level1)


@functools.lru_cache(maxsize=8)  # one or two Labels a run, asked of every row
def _level_names(L: Labels) -> tuple[tuple[str, str], ...]:
    """(name, folded) of every layout's 一级 and 二级 names of four characters or more, longest first."""
    names = sorted(set(L.level1) | set(L.level2), key=len, reverse=True)
    return tuple((name, fold(name)) for name in names if len(fold(name)) >= 4)


def _holds_level(text: str, L: Labels, level1: str, level2: str) -> Optional[str]:
    """A 一级 or 二级 name of some layout inside `text` (other than the row's own): rows ran together."""
    folded = fold(text)
    own = {fold(level1), fold(level2)}
    for name, known in _level_names(L):
        if known not in own and known in folded and known != folded:
            return name
    return None


def check_indicators(items: Iterable[Indicator], L: Labels, flag_item: FlagItem, flag: Flag, W: dict[str, str]) -> None:
    """Review notes on indicator cells whose text cannot be what the column holds."""
    merged = False
    unknown: set[str] = set()
    for item in items:
        if item.level1 and not _is_level1(item.level1, L) and item.level1 not in unknown:
            # The 一级 name is the key of its group: the note goes on the group, over every row under it.
            unknown.add(item.level1)
            flag(("indicators", item.level1),
                 f"{W['level1']}“{_short(item.level1)}”不是任何版式的{W['level1']}名称，照表中读取：可能是别的列或别的行的字")
        if item.level2 and _MEASURE.search(item.level2):
            flag_item(item, "level2", f"{W['level2']}“{_short(item.level2)}”里有指标值或完成值：可能读错了列")
        name = item.name or ""
        inside = _holds_level(name, L, item.level1 or "", item.level2 or "") if name else None
        if inside is not None and _MEASURE.search(name):
            merged = True
            flag_item(item, "name", f"{W['name']}里既有“{inside}”又有指标值：几行可能被读成了一行")
    if merged:
        flag(("indicators",), "有几行被读成了一行（见各行的说明）：被并进去的行没有单独读出，请逐行与原表核对")


# The cells that hold people: a name is a few characters, a list of names, or a name beside its phone number.
PEOPLE = ("leader", "filled_by", "unit_head", "finance_leader")
PHONE = re.compile(r"[(（]?\d[\d\-－— ()（）]{5,}\d[)）]?")
_NAME_PARTS = re.compile(r"[、,，;；/ \s]+")
MAX_NAME = 6  # characters: 2–4 for most names, a few more for a name written with ·


def check_header(values: dict[str, Optional[str]], L: Labels, flag: Flag) -> None:
    """A header or signature value that is a label of the form rather than what was filled in, or a
    person's cell holding more than names (the text of the next cells run into it)."""
    words = L.words
    for key, value in values.items():
        if not isinstance(value, str) or not value.strip():
            continue
        folded = fold(value)
        if _LABEL_END.search(value) or folded in words:
            flag((key,), f"“{_short(value)}”像是表上的标签，不像填写的内容：这一格可能读错了")
        elif key in PEOPLE and _not_names(value):
            flag((key,), f"“{_short(value)}”不像人名（或人名加电话）：可能连着别的格的字")


def _not_names(value: str) -> bool:
    bare = PHONE.sub(" ", value)
    bare = re.sub(r"[(（][^()（）]{0,4}[)）]", " ", bare)  # (办公), (手机)
    parts = [part for part in _NAME_PARTS.split(bare) if part]
    return any(len(part) > MAX_NAME and "·" not in part or re.search(r"\d", part) for part in parts)


_BARE_NUMBER = re.compile(r"^\s*[-+]?\d+(?:\.\d+)?%?\s*$")


def check_cells(data: FormData, flag: Flag, flag_item: FlagItem, W: dict[str, str],
                words: Callable[[str, str], str]) -> None:
    """Cells whose content cannot be of their column: a note that is only a number, a score above its points."""
    for item in data.indicators:
        if isinstance(item.deviation, str) and _BARE_NUMBER.match(item.deviation):
            flag_item(item, "deviation", f"偏差原因一栏只有数“{item.deviation.strip()}”：可能是别的列的数")
        if item.weight is not None and item.score is not None and item.score > item.weight:
            flag_item(item, "score", f"{W['score']} {item.score} 大于{W['weight']} {item.weight}：可能读错了列")
    deviation = data.extra.get(("funds", "deviation"))
    if isinstance(deviation, str) and _BARE_NUMBER.match(deviation):
        flag(("funds", "deviation"), f"偏差原因一栏只有数“{deviation.strip()}”：可能是别的列的数")
    weight, score = data.funds_weight, data.funds_score
    if score is not None and (weight is None or score > weight):
        what = f"大于{words('funds', 'weight')} {weight}" if weight is not None else f"没有{words('funds', 'weight')}"
        flag(("funds", "score"), f"{words('funds', 'score')} {score} {what}：可能读错了列")


__all__ = ["PEOPLE", "PHONE", "check_cells", "check_header", "check_indicators"]
