"""The signature block under a form (单位负责人：… 填表人：王丽 填报日期：2024年3月12日 单位（盖章）：) → label, value pairs.

A printed form puts several "label：value" pairs on one line, and a PDF's text often runs them together
with no space at all ("单位负责人：填表人：王丽填报日期：2024年3月12日"): the line is split at every label
followed by a colon. A label followed directly by another label (or by nothing) was left blank. The labels
are every layout's `signatures:` and header fields (项目负责人, 联系电话 …) with their `aliases:`, from
perfspec/form/layouts/ through Labels: there is no second label table here.
"""

from __future__ import annotations

import functools
import re
from typing import Optional

from perfspec.importers.labels import Labels, fold

# Header fields a signature line may also carry (项目负责人：… 联系电话：…); the project's own cells never.
_NOT_SIGNED = {"project", "department", "implementer", "year"}


def _pattern(label: str) -> str:
    """A folded label as printed: either bracket width, and spaces between its characters (PDF text)."""
    parts = []
    for char in label:
        if char == "(":
            parts.append("[(（]")
        elif char == ")":
            parts.append("[)）]")
        else:
            parts.append(re.escape(char))
    return r"\s*".join(parts)


@functools.lru_cache(maxsize=8)
def _labels(L: Labels) -> tuple[dict[str, str], "re.Pattern[str]"]:
    keys = {f.key for layout in L.layouts for f in layout.signatures}
    keys |= {f.key for layout in L.layouts for f in layout.header if f.key in ("leader", "phone")}
    names = L.keys("header", sorted(keys - _NOT_SIGNED))
    # Longest first: 单位负责人 before 负责人, where both begin at the same character.
    alternatives = "|".join(_pattern(label) for label in sorted(names, key=lambda w: (-len(w), w)))
    return names, re.compile(f"({alternatives})" + r"\s*[:：]")


def pairs(cells: list[Optional[str]], L: Labels) -> Optional[list[tuple[str, Optional[str]]]]:
    """(key, value) of a signature line, in order (value None: left blank); None when the line does not
    begin with a signature label (it is some other line)."""
    names, labelled = _labels(L)
    tokens: list[tuple[str, str]] = []  # ("label", key) or ("text", value)
    for cell in cells:
        if cell is None or not cell.strip():
            continue
        whole = fold(cell)
        if whole in names:  # a cell of its own holding the label (a value in the next cell)
            tokens.append(("label", names[whole]))
            continue
        at = 0
        for match in labelled.finditer(cell):
            text = cell[at:match.start()].strip()
            if text:
                tokens.append(("text", text))
            tokens.append(("label", names[fold(match.group(1))]))
            at = match.end()
        text = cell[at:].strip()
        if text:
            tokens.append(("text", text))
    if not tokens or tokens[0][0] != "label":
        return None
    out: list[tuple[str, Optional[str]]] = []
    for index, (kind, word) in enumerate(tokens):
        if kind == "text":
            if index == 0 or tokens[index - 1][0] != "label":
                return None  # text no label names: not a signature line
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        out.append((word, following[1] if following is not None and following[0] == "text" else None))
    return out


__all__ = ["pairs"]
