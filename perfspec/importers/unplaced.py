"""Text the importer read but placed in no cell, and printed cells left blank in a lossy copy.

A reader that misjudges a row can drop a cell's text silently: the 主管部门 beside an unexpected
label, a 年初预算数 shifted out of its row, a last indicator row. After a form is assembled every
cell of every row it read is checked against what the form holds: a cell that is neither a label
(any layout's words, :attr:`perfspec.importers.labels.Labels.words`) nor found among the form's
values becomes a review note on the row's cell, so no text of the source is lost without a word.

In a copy that lost cell positions (one cell per line, pipes, spaces, run-together) a blank cell may
be a cell that was not read: each printed cell left blank is flagged too. In exact shapes (tabs,
xlsx) a blank cell is blank on the form, and is not.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from perfspec.importers.labels import Labels, fold

UNPLACED = "原文此处的“{text}”没有放进任何一格"
BLANK = "此格为空：原表确为空白，还是没有读出？"
MAX_NOTES = 20  # unplaced notes of one form: the rest are counted in one more

_PAREN = re.compile(r"\([^()]*\)|\[[^\]]*\]|【[^】]*】")
_NOISE = re.compile(r"^[\s\-—–_/\\|.,，。、:：;；*#○●□√×%()（）]*$")
_NUM = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FOOTNOTE = re.compile(r"^(?:注\d*[:：.、]|填表说明|说明[:：])")  # the notes printed under a form


def _leaves(value: Any, out: list) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            if isinstance(key, str):
                out.append(key)  # 一级 / 二级 names are keys
            _leaves(sub, out)
    elif isinstance(value, list):
        for sub in value:
            _leaves(sub, out)
    elif value is not None:
        out.append(value)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.rstrip("%").replace(",", ""))
    except InvalidOperation:
        return None


class Placed:
    """What a form holds: its text values (squashed, for finding a cell's text inside one) and numbers."""

    def __init__(self, data: Any, extra: Iterable[str] = ()) -> None:
        values: list = []
        _leaves(data, values)
        values += list(extra)
        self.numbers: set[Decimal] = set()
        texts: list[str] = []
        for value in values:
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                self.numbers.add(Decimal(value))
            text = fold(str(value))
            texts.append(text)
            for part in re.findall(r"\d[\d,]*(?:\.\d+)?", text):
                number = _decimal(part)
                if number is not None:
                    self.numbers.add(number)
        self.blob = "\x00".join(texts)

    def holds(self, text: str) -> bool:
        if _NUM.match(text):
            number = _decimal(text)
            return number is not None and number in self.numbers
        return text in self.blob


@functools.lru_cache(maxsize=8)  # one or two label sets a run, asked of every cell
def _by_first(words: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The labels of two characters or more, by their first character."""
    out: dict[str, list[str]] = {}
    for word in words:
        if len(word) >= 2:
            out.setdefault(word[0], []).append(word)
    return {first: tuple(found) for first, found in out.items()}


def _rest(text: str, words: frozenset[str]) -> str:
    """The text without the label it starts with (the longest), its points or unit, and separators."""
    bare = _PAREN.sub("", text)
    if not bare or text in words or bare in words or _FOOTNOTE.match(bare):
        return ""
    prefix = max((w for w in _by_first(words).get(bare[0], ()) if bare.startswith(w)), key=len, default="")
    rest = bare[len(prefix):].lstrip(":")
    if prefix and re.fullmatch(r"[\d.]*分?|万?元|%|:", rest):
        return ""
    return rest if prefix else text


def unplaced(cells: Iterable, placed: Placed, L: Labels) -> list[tuple[int, str]]:
    """(index, text) of the cells of a row whose text is in no cell of the form and is no label."""
    out: list[tuple[int, str]] = []
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        text = fold(cell)
        if not text or _NOISE.match(text) or not _CJK.search(text) and not re.search(r"\d", text):
            continue
        rest = _rest(text, L.words)
        if not rest or _NOISE.match(rest) or placed.holds(rest) or placed.holds(text):
            continue
        if not _CJK.search(rest) and not re.search(r"\d", rest):
            continue
        out.append((index, cell.strip()))
    return out


def is_amount(text: str) -> bool:
    return bool(_NUM.match(fold(text)))


__all__ = ["BLANK", "MAX_NOTES", "Placed", "UNPLACED", "is_amount", "unplaced"]
