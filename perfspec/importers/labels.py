"""The labels an importer looks for, read from the layouts: there is no second label table.

A published form is recognised by what it prints: its title, 项目名称, the funds
block's columns and rows, 一级指标 … 得分, 总分, 评分等级. Every one of those words
is a label of some layout in ``perfspec/form/layouts/`` (the shipped ones, and the
configured one when it is a repository's own file); this module collects them,
keyed by what they mean (``("funds", "annual")`` → 全年预算数, 调整后预算数, 预算数 …),
so an importer asks "which cell is 全年预算数?" in every layout's words at once.

Labels are compared folded (:func:`fold`): traditional label characters as simplified, no whitespace, half-width brackets and
colon, a leading 其中: and a trailing colon dropped ("其中: 当年财政拨款" is
当年财政拨款, "年度资金总额:" is 年度资金总额).

Messages an importer writes (review notes) name cells in the words of one layout,
the *reference* layout: the configured one (``.perfspec.yaml`` / the profile), else
the self-evaluation form's own.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

from perfspec.form.kinds import SELF_EVALUATION, kind_of
from perfspec.form.layout import Layout, LayoutError, builtin_layouts, load_layout
from perfspec.importers import traditional

_SPACE = re.compile(r"[\s\u3000]+")
_WHILE = re.compile(r"^其中[:：]?")
# Dashes a label may be printed with (1–N月 typed with a hyphen, a PDF's figure dash ‒): one for comparing.
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−－"})
# Labels this short are compared whole, never found inside a longer text ("其他", "合计").
SHORT = 3


def fold(text: object) -> str:
    """A label as compared: no whitespace, half-width brackets and colon, one dash, no 其中: before, no colon after."""
    if not isinstance(text, str):
        return ""
    return _fold(text)


@functools.lru_cache(maxsize=16384)  # a cell is folded by every reader that asks what it is: ~1,600 times a form
def _fold(text: str) -> str:
    folded = _SPACE.sub("", traditional.fold(text)).replace("（", "(").replace("）", ")").replace("：", ":").translate(_DASHES)
    folded = _WHILE.sub("", folded)
    return folded.rstrip(":")


@functools.lru_cache(maxsize=1)
def shipped() -> tuple[Layout, ...]:
    """Every shipped layout (a broken one is skipped: `perfspec check` reports it)."""
    out = []
    for ident in builtin_layouts():
        try:
            out.append(load_layout(ident))
        except LayoutError:
            continue
    return tuple(out)


def reference(layout: Layout | str | None = None, root: str | None = None) -> Layout:
    """The layout whose words an importer's messages use: the configured one, else the self-evaluation form's."""
    if isinstance(layout, Layout):
        return layout
    if layout:
        try:
            return load_layout(layout, root)
        except LayoutError:
            pass
    return load_layout(kind_of(SELF_EVALUATION).layout)


def _layouts(extra: Layout | None) -> tuple[Layout, ...]:
    if extra is None or any(extra is known or extra.id == known.id for known in shipped()):
        return shipped()
    return (extra,) + shipped()


class Labels:
    """Every layout's labels for the cells an importer reads, and the reference layout's words."""

    def __init__(self, layout: Layout | str | None = None, root: str | None = None) -> None:
        self.ref = reference(layout, root)
        self.layouts = _layouts(self.ref)
        self._found: dict[tuple[str, str], frozenset[str]] = {}

    # -- the reference layout's words, for messages

    def word(self, part: str, key: str, short: bool = True) -> str:
        """The reference layout's label: word("funds", "annual") is 全年预算数, word("funds", "appropriation")
        当年财政拨款 (short=False: 其中：当年财政拨款). A cell the reference layout lacks is named as the
        first layout that has it names it."""
        if part in ("total", "grade") and key == part:
            from perfspec.outputs.render import layout_caption

            return layout_caption(self.ref, part)
        for layout in (self.ref,) + self.layouts:
            if part == "funds":
                field = layout.funds_column(key) or layout.funds_row(key)
                if field is not None:
                    return field.short if short else field.zh
            label = layout.label(part, key)
            if label != key:
                return label
        return key

    @property
    def title(self) -> str:
        return self.ref.title

    @functools.cached_property
    def year_words(self) -> tuple[str, ...]:
        """What follows the year in "(2023 年度)", in every layout's words, longest first."""
        words = {layout.label("header", "year") for layout in self.layouts} | {self.word("header", "year")}
        return tuple(sorted(words, key=lambda w: (-len(w), w)))

    def year_pattern(self, digits: str = r"\d{4}") -> "re.Pattern[str]":
        """"2023 年度" → group 1 is the year."""
        return re.compile("(" + digits + r")\s*(?:" + "|".join(re.escape(w) for w in self.year_words) + ")")

    # -- every layout's words, for recognising cells

    @functools.cached_property
    def titles(self) -> tuple[str, ...]:
        """The titles a self-evaluation form is printed under, longest first."""
        found: list[str] = []
        for layout in self.layouts:
            if layout.kind == SELF_EVALUATION:
                found += [fold(t) for t in (layout.title, *layout.titles) if t]
        return tuple(sorted(set(found), key=lambda t: (-len(t), t)))

    def of(self, part: str, key: str) -> frozenset[str]:
        """Every layout's label for one cell, folded: of("header", "project") ∋ 项目名称, 部门(单位)名称 …

        part: header, funds_rows, funds_columns, goals (fields by key); funds, indicators, total (labels
        by key); total / grade (their captions: of("total", "total")); funds_block, goals_block,
        indicators_block (captions).
        """
        if (part, key) not in self._found:
            self._found[(part, key)] = self._collect(part, key)
        return self._found[(part, key)]

    def _collect(self, part: str, key: str) -> frozenset[str]:
        found: set[str] = set()
        for layout in self.layouts:
            if part == "header":
                fields: Iterable = layout.header + layout.sections + layout.signatures
            elif part == "funds_rows":
                fields = layout.funds_rows
            elif part == "funds_columns":
                fields = layout.funds_columns
            elif part == "goals":
                fields = layout.goals
            else:
                fields = ()
            for field in fields:
                if field.key == key:
                    found |= {fold(field.zh), fold(field.short)}
            if part in ("total", "grade") and key == part:
                from perfspec.outputs.render import layout_caption

                found.add(fold(layout_caption(layout, part)))
            elif part == "funds_block":
                found.add(fold(layout.funds_zh))
            elif part == "goals_block":
                found.add(fold(layout.goals_zh))
            elif part == "indicators_block":
                found.add(fold(layout.labels.get("blocks", {}).get("indicators", ("", ""))[0]))
            elif part in ("funds", "indicators", "total"):
                pair = layout.labels.get(part, {}).get(key)
                if pair is not None:
                    found.add(fold(pair[0]))
            # The other spellings a layout lists for the cell (aliases:), read as its label.
            alias_part = "funds" if part in ("funds_rows", "funds_columns") else part
            aliases = layout.aliases.get(alias_part, ())
            if isinstance(aliases, dict):
                found |= {fold(word) for word in aliases.get(key, ())}
            elif part in ("funds_block", "goals_block", "grade"):
                found |= {fold(word) for word in aliases}
        found.discard("")
        return frozenset(found)

    def listed(self, part: str) -> tuple[str, ...]:
        """A list of printed words every layout's `aliases:` gives (header_other, self_score, end), as printed."""
        found: dict[str, None] = {}
        for layout in self.layouts:
            words = layout.aliases.get(part, ())
            if isinstance(words, tuple):
                found.update(dict.fromkeys(words))
        return tuple(found)

    def alias_keys(self, part: str) -> tuple[str, ...]:
        """The keys of a part that some layout lists aliases for (indicator columns like review, method)."""
        found: dict[str, None] = {}
        for layout in self.layouts:
            words = layout.aliases.get(part, {})
            if isinstance(words, dict):
                found.update(dict.fromkeys(words))
        return tuple(found)

    def keys(self, part: str, keys: Iterable[str]) -> dict[str, str]:
        """Folded label → key for `keys` of one part (the first key that claims a label keeps it)."""
        out: dict[str, str] = {}
        for key in keys:
            for label in sorted(self.of(part, key)):
                out.setdefault(label, key)
        return out

    @functools.cached_property
    def words(self) -> frozenset[str]:
        """Every word any layout prints as a label, title, caption or 一级 / 二级 name, folded: a cell that
        is one of them is the form's printing, not a value."""
        found: set[str] = set()
        for layout in self.layouts:
            found |= {fold(t) for t in (layout.title, *layout.titles, layout.funds_zh, layout.goals_zh)}
            for field in layout.header + layout.sections + layout.signatures + layout.funds_rows \
                    + layout.funds_columns + layout.goals:
                found |= {fold(field.zh), fold(field.short)}
            for pairs in layout.labels.values():
                found |= {fold(zh) for zh, _en in pairs.values()}
            for words in layout.aliases.values():
                for inner in (words.values() if isinstance(words, dict) else (words,)):
                    found |= {fold(word) for word in inner}
            found |= {fold(name) for name in self.level1}
            found |= {fold(name) for name in self.level2}
        found.discard("")
        return frozenset(found)

    @functools.cached_property
    def level1(self) -> frozenset[str]:
        """一级指标 names of every layout's vocabulary (and its rubric parts: 项目决策 …)."""
        names: set[str] = set()
        for layout in self.layouts:
            names |= set(layout.level1) | set(layout.rubric)
        return frozenset(names)

    @functools.cached_property
    def level2(self) -> tuple[str, ...]:
        """二级指标 names of every layout's vocabulary, in a stable order."""
        names: dict[str, None] = {}
        for layout in self.layouts:
            for level2s in layout.level1.values():
                names.update(dict.fromkeys(level2s))
        return tuple(names)


def matches(cell: object, labels: Iterable[str], anywhere: bool = False) -> bool:
    """The cell is one of the labels (folded); `anywhere`: or holds one of at least SHORT + 1 characters."""
    text = fold(cell)
    if not text:
        return False
    for label in labels:
        if text == label or (anywhere and len(label) > SHORT and label in text):
            return True
    return False


def starts(cell: object, labels: Iterable[str]) -> bool:
    """The cell begins with one of the labels (folded): 项目资金(万元) begins with 项目资金."""
    text = fold(cell)
    return bool(text) and any(text.startswith(label) for label in labels)


__all__ = ["Labels", "fold", "matches", "reference", "shipped", "starts"]
