"""Which layout and kind an imported form is in, from what it prints.

The title decides the kind when a layout's title (or one of its variants) is in it: 项目支出绩效自评表,
部门预算项目支出绩效自评表, 绩效目标自评表 … (self-evaluation), 绩效目标表 / 绩效目标申报表 (target table),
绩效监控表 / 绩效运行监控表 (monitoring), 整体支出绩效自评表 (department overall), 转移支付…绩效自评表.
A title no layout prints falls back on its words (目标表, 监控, 整体, 转移支付), else self-evaluation.
Among the layouts of that kind, the one whose labels (funds columns and rows, indicator columns,
sections, signatures) the form prints most often wins; a tie goes to the kind's own layout.
Every label comes from the layout files: there is no second table here.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple, Optional

from perfspec.form.kinds import SELF_EVALUATION, kind_of
from perfspec.form.layout import Layout
from perfspec.importers.labels import fold, shipped



def _title_words(layouts: Iterable[Layout]) -> list[tuple[str, str]]:
    """(word, kind) of the layouts' aliases.title_words, longest first: words of a title no layout prints
    verbatim that still name a kind (转移支付, 整体支出, 监控, 目标表)."""
    found = {(word, layout.kind) for layout in layouts for word in layout.aliases.get("title_words", ())}
    return sorted(found, key=lambda pair: (-len(pair[0]), pair))


class Detected(NamedTuple):
    layout: Layout
    kind: str
    why: str  # Chinese, for the command's stderr line
    titled: bool = True  # the title is one a layout prints: False when the kind was inferred (no title, other words)


_CACHE: dict[str, frozenset[str]] = {}


def _labels(layout: Layout) -> frozenset[str]:
    """Every label a layout prints, folded."""
    if layout.id in _CACHE:
        return _CACHE[layout.id]
    words: set[str] = set()
    fields = (layout.header + layout.funds_columns + layout.funds_rows + layout.goals + layout.sections
              + layout.signatures)
    for field in fields:
        words |= {fold(field.zh), fold(field.short)}
    for part in layout.labels.values():
        words |= {fold(zh) for zh, _en in part.values()}
    words |= {fold(layout.funds_zh), fold(layout.goals_zh)}
    words.discard("")
    _CACHE[layout.id] = frozenset(words)
    return _CACHE[layout.id]


def _base(folded: str) -> str:
    import re

    return re.sub(r"\([^()]*\)$", "", folded)


def detect(title: Optional[str], seen: Iterable[str]) -> Detected:
    """The layout and kind of a form with this title that printed these cells (any text; folded here)."""
    layouts = shipped()
    folded_title = fold(title or "")
    matched: list[tuple[int, Layout]] = []
    for layout in layouts:
        best = max((len(fold(t)) for t in (layout.title, *layout.titles) if t and fold(t) in folded_title), default=0)
        if best:
            matched.append((best, layout))
    why: list[str] = []
    if matched:
        longest = max(n for n, _ in matched)
        candidates = [layout for n, layout in matched if n == longest]
        kind = candidates[0].kind
        if any(c.kind != kind for c in candidates):
            kind = next((c.kind for c in candidates if c.id == kind_of(c.kind).layout), kind)
        candidates = [c for c in candidates if c.kind == kind] or candidates
        why.append(f"标题“{title.strip() if title else ''}”")
    else:
        kind = next((k for word, k in _title_words(layouts) if fold(word) in folded_title), SELF_EVALUATION)
        candidates = [layout for layout in layouts if layout.kind == kind]
        why.append(f"标题“{title.strip()}”不是哪个版式的标题" if title else "没有标题")
    # Among the layouts that print this title (or, without one, of this kind), the labels decide.
    pool = candidates if matched else [layout for layout in layouts if layout.kind == kind]
    cells = {_base(fold(c)) for c in seen if c} | {fold(c) for c in seen if c}
    scores = {layout.id: len(_labels(layout) & cells) for layout in pool}
    default = kind_of(kind).layout
    titled = {c.id for c in candidates}
    chosen = max(pool, key=lambda l: (scores[l.id], l.id in titled, l.id == default))
    if scores[chosen.id] == scores.get(default, -1) and chosen.id != default and default in titled:
        chosen = next(l for l in pool if l.id == default)
    why.append(f"栏目名称与版式“{chosen.name}”相符 {scores[chosen.id]} 处")
    return Detected(chosen, kind, "；".join(why), bool(matched))


def _structure(layout: Layout) -> tuple:
    keys = lambda fields: tuple(f.key for f in fields)  # noqa: E731
    return (layout.kind, keys(layout.funds_columns), keys(layout.funds_rows), layout.row_rates, layout.target_mode,
            layout.scores, keys(layout.sections), layout.has_total, layout.has_grade, layout.funds_scored)


def needs_naming(layout: Layout, level1: Iterable[str] = ()) -> bool:
    """A spec must say `layout:` when its layout holds other cells than its kind's own; a layout that differs
    in words only (its title, its vocabulary) reads the same data and is chosen from it anyway, and so is
    one whose 一级 names (`level1`, as the spec will write them) make the loader pick it (the older
    framework's 项目决策 / 项目管理 …: choose_layout)."""
    from perfspec.form.layout import choose_layout, load_layout

    if _structure(layout) == _structure(load_layout(kind_of(layout.kind).layout)):
        return False
    names = [name for name in dict.fromkeys(level1) if name]
    if names:
        chosen, _problem = choose_layout({"kind": layout.kind, "indicators": {name: {} for name in names}},
                                         kind_of(layout.kind).layout)
        return chosen.id != layout.id
    return True


__all__ = ["Detected", "detect", "needs_naming"]
