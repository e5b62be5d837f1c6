"""Rows of cells, the one shape every importer hands to the assembler (perfspec.importers.text).

Text shapes (shapes.py, runon.py), PDF, xlsx and docx each turn their input into `Row`s; the
limits on lines and cells, and the one-line "no form found" message, are shared here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfspec.form.layout import Layout
from perfspec.importers import NotAForm
from perfspec.importers.labels import Labels

MAX_LINES = 100_000  # lines of the input (a line becomes a row of cells)
MAX_LINE_CELLS = 200  # tab-separated cells of one line

_SPACE = re.compile(r"\s+")


def squash(text: str | None) -> str:
    """A label or category name without any whitespace: "产出 指标" → "产出指标"."""
    return _SPACE.sub("", text or "")


@dataclass
class Row:
    cells: list  # list[str | None]; None: covered by a merged cell
    where: int  # line (text) or page (pdf) in the input, 1-based
    brk: bool = False  # a page break comes right before this row
    # Cells whose boundaries the reader of the text guessed (cell index → why, in Chinese): assemble
    # turns each into a review note on the cell of the form that cell lands on.
    guesses: dict = field(default_factory=dict)
    # Cells a workbook typed as text although they read as a number ('12.5' in a text cell): kept as text.
    quoted: frozenset = frozenset()

    @property
    def texts(self) -> list[str]:
        return [c.strip() for c in self.cells if c is not None and c.strip()]

    @property
    def first_at(self) -> int:
        """Index of the first cell holding text (the row's label, or its first value)."""
        return next(i for i, c in enumerate(self.cells) if c is not None and c.strip())

    def first_label(self) -> str:
        texts = self.texts
        return squash(texts[0]) if texts else ""

    def after(self, label: str, anywhere: bool = False) -> tuple[int, list]:
        """Index of the cell whose squashed text starts with (or, `anywhere`, contains) `label`, and the cells after it."""
        for index, cell in enumerate(self.cells):
            if cell is not None and (label in squash(cell) if anywhere else squash(cell).startswith(label)):
                return index, self.cells[index + 1 :]
        return -1, []


_LINE_BREAKS = ("\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")  # str.splitlines' (and \r)


def rows_of_text(text: str, name: str = "<text>") -> list[Row]:
    """One Row per line; blank lines become page-break marks on the next row.

    NotAForm when the text has more than MAX_LINES lines or a line more than MAX_LINE_CELLS cells.
    """
    lines = sum(text.count(c) for c in _LINE_BREAKS) + text.count("\r") - text.count("\r\n") + 1
    if lines > MAX_LINES:
        raise NotAForm(f"{name} 有 {lines} 行（上限 {MAX_LINES} 行），不像自评表的文本，未读取",
                       f"{name} has {lines} lines (limit {MAX_LINES}); not read")
    rows: list[Row] = []
    brk = False
    for number_, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            brk = True
            continue
        cells = line.count("\t") + 1
        if cells > MAX_LINE_CELLS:
            raise NotAForm(f"{name} 第 {number_} 行有 {cells} 个单元格（上限 {MAX_LINE_CELLS} 个），不像自评表的文本，未读取",
                           f"{name}: line {number_} has {cells} cells (limit {MAX_LINE_CELLS}); not read")
        rows.append(Row(line.split("\t"), number_, brk))
        brk = False
    return rows


def not_a_form(name: str, layout: Layout | str | None = None, what: str = "栏目") -> NotAForm:
    """“no form found in …”, in the configured layout's words."""
    L = Labels(layout)
    title = L.title
    labels = "“".join(f"{w}”" for w in (L.word("header", "project"), L.word("indicators", "level1")))
    return NotAForm(
        f"{name} 中没有找到{title}（没有“{title}”标题，也没有“{labels}等{what}）",
        f"no self-evaluation form ({title}) found in {name}",
    )
