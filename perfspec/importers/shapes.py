"""The shapes a form's text arrives in, each turned into rows of cells (:class:`perfspec.importers.text.Row`).

People copy forms from wherever they find them, so the same table reaches us as:

- ``tab``: one table row per line, cells separated by tabs (a spreadsheet or a careful copy);
- ``pipes``: web copies that end every cell with ``|`` (``a | b | c |``, empties as ``||||``);
- ``cells``: one cell per line (an HTML table flattened to lines, or ``cell |`` lines): the row
  boundaries are gone and are inferred from the labels (a row starts at a known row label, or when
  the columns of the current block are filled);
- ``layout``: ``pdftotext -layout`` output: cells separated by runs of two or more spaces, columns
  aligned across lines, a wrapped cell continued on the next line in the same column;
- ``spaces``: one table row per line, cells separated by single spaces (an HTML table flattened to
  spaces): empty cells are lost, and cell labels wrapped onto their own line are joined back;
- ``run-together``: no separators at all; read by :mod:`perfspec.importers.runon` when it exists.

Web-page chrome (发布时间, 字体, 索引号, download-site boilerplate, a site's page-chunk markers such as
``2、`` at the start of a chunk, and the ``# `` source lines at the top of our raw files) is skipped.
A boundary the reader had to guess is recorded in ``Row.guesses`` so the cell it lands on is flagged.
"""

from __future__ import annotations

import importlib
import re
import statistics
from typing import Optional

from perfspec.form.layout import Layout
from perfspec.importers import NotAForm
from perfspec.importers.labels import Labels, fold
from perfspec.importers.rows import Row, rows_of_text

# Shapes that keep every cell where the form prints it (blank cells too): rows can be read by column.
EXACT = ("tab", "pipes", "cells")
# Shapes whose indicator rows hold exactly the header's columns (merged 一级 / 二级 cells left out on the
# left): read by column. Not tab text: its copies shift rows by a cell, which the pair reading repairs.
BY_COLUMNS = ("cells", "pipes", "run-together")
NO_SEPARATORS = "没有找到单元格分隔：每行包含多个单元格"
NO_SEPARATORS_EN = "no cell separators found: each line holds several cells"

_CHROME = re.compile(
    r"^\s*(?:发布(?:时间|日期|机构)|索引号|主\s*题\s*词|主题分类|文\s*号[:：]|【?字体|打印|浏览次数|信息来源|来源[:：]|"
    r"-?\s*扫一扫|ID[:：]|大小[:：]|页数[:：]|时间[:：]\s*\d|资源描述|分享到|阅读次数|.*由会员上传分享|.*\.(?:docx?|pdf|xlsx?)_第\d+页\s*$|"
    r"[^\s|]*\.(?:docx?|pdf|xlsx?)\s*$)"
)
_CHUNK = re.compile(r"^\s*(\d{1,3})、")
_POINTS = re.compile(r"^[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]$")
_UNIT = re.compile(r"^[(（]\s*万?元\s*[)）]$")
_COLUMN_NOTE = re.compile(r"^[(（][^()（）]{0,14}分[^()（）]{0,14}[)）]$")  # 得分 / (20分*执行率): how a column is scored
_GAP = re.compile(r"\S(?: ?\S)*")  # a cell of `layout` text: no run of two spaces inside


# --------------------------------------------------------------------------- chrome


def clean(text: str) -> list[str]:
    """The lines of the text with chrome blanked (line numbers are kept)."""
    lines = text.splitlines()
    out: list[str] = []
    top = True
    chunks = [i for i, line in enumerate(lines) if _CHUNK.match(line)]
    numbers = [int(_CHUNK.match(lines[i]).group(1)) for i in chunks]  # type: ignore[union-attr]
    # Page-chunk markers of a document site: 1、 2、 3、 … each at the start of a line, in order.
    chunked = len(numbers) >= 2 and numbers[:3] == list(range(1, min(len(numbers), 3) + 1))
    for index, line in enumerate(lines):
        if top and line.startswith("# "):
            out.append("")
            continue
        top = False
        if _CHROME.match(line):
            out.append("")
            continue
        if chunked and index in chunks:
            line = _CHUNK.sub("", line, count=1)
        out.append(line)
    return out


# --------------------------------------------------------------------------- shape


def shape_of(lines: list[str]) -> str:
    content = [line for line in lines if line.strip()]
    if not content:
        return "empty"
    n = len(content)
    # Ten lines of separators make a table whatever else the file holds (pages of notes after it).
    enough = min(10, max(2, n * 0.3))
    if sum(1 for line in content if "\t" in line) >= enough:
        return "tab"
    piped = [line for line in content if "|" in line]
    if len(piped) >= enough:
        counts = [len([c for c in line.split("|") if c.strip()]) for line in piped]
        counts = [c for c in counts if c] or [0]
        return "cells" if statistics.median(counts) <= 1 else "pipes"
    if n >= 20 and _alternating(lines) and sum(1 for line in content if not re.search(r"\S\s+\S", line.strip())) >= n * 0.6:
        return "cells"
    long_lines = [line for line in content if len(line) > 200]
    if long_lines and sum(len(line) for line in long_lines) > 0.5 * sum(len(line) for line in content):
        tokens = sum(len(line.split()) for line in long_lines)
        chars = sum(len(line) for line in long_lines)
        # A table flattened to one line: a cell every few characters. Run-together text: a space now and then.
        return "stream" if tokens * 12 >= chars else "run-together"
    if sum(1 for line in content if re.search(r"\S {2,}\S", line.strip())) >= n * 0.4:
        return "layout"
    if sum(1 for line in content if re.search(r"\S \S", line.strip())) >= n * 0.3:
        return "spaces"
    return "run-together"


def _alternating(lines: list[str]) -> bool:
    """Cells on their own lines with an empty line after each (a flattened HTML table)."""
    pairs = sum(1 for a, b in zip(lines, lines[1:]) if a.strip() and b == "")
    return pairs >= 0.6 * max(1, sum(1 for line in lines if line.strip()))


# --------------------------------------------------------------------------- vocabulary


class _Vocab:
    """Folded labels that start a row, or belong to a header row, in every shipped layout."""

    def __init__(self, L: Labels) -> None:
        self.L = L
        header_keys = {f.key for layout in L.layouts for f in layout.header}
        self.header = set().union(*(L.of("header", k) for k in header_keys)) - {"年度", ""}
        # 评价结论, 项目负责人 …: they start a row wherever they are (after the indicator table too).
        anywhere_keys = {f.key for layout in L.layouts for f in layout.sections + layout.signatures}
        self.anywhere = set().union(*(L.of("header", k) for k in anywhere_keys)) - self.header
        self.funds_block = set(L.of("funds_block", ""))
        keys_rows = {f.key for layout in L.layouts for f in layout.funds_rows}
        self.funds_rows = set().union(*(L.of("funds_rows", k) for k in keys_rows))
        keys_cols = {f.key for layout in L.layouts for f in layout.funds_columns}
        self.funds_columns = set().union(*(L.of("funds_columns", k) for k in keys_cols))
        self.funds_header = self.funds_columns | set().union(
            *(L.of("funds", k) for k in ("weight", "rate", "score", "deviation"))
        )
        self.goals_block = set(L.of("goals_block", ""))
        self.goals = L.of("goals", "expected") | L.of("goals", "achieved")
        keys_ind = {k for layout in L.layouts for k in layout.labels.get("indicators", {})}
        self.ind_header = set().union(*(L.of("indicators", k) for k in keys_ind))
        self.level1 = set(L.level1)
        self.level2 = set(L.level2)
        self.total = set(L.of("total", "total"))
        self.grade = set(L.of("grade", "grade"))
        self.titles = {fold(t) for layout in L.layouts for t in (layout.title, *layout.titles) if t}
        self.every = (self.header | self.anywhere | self.funds_block | self.funds_rows | self.funds_header | self.goals_block
                      | self.goals | self.ind_header | self.level1 | self.level2 | self.total | self.grade)

    def known(self, text: str) -> bool:
        folded = fold(text)
        return bool(folded) and (folded in self.every or _base(folded) in self.every)

    def title(self, text: str) -> bool:
        folded = fold(text)
        return any(t in folded and len(folded) <= len(t) + 20 for t in self.titles)


def _vocab(layout: Layout | str | None) -> _Vocab:
    key = layout if isinstance(layout, str) or layout is None else layout.id
    if key not in _VOCABS:
        _VOCABS[key] = _Vocab(Labels(layout))
    return _VOCABS[key]


_VOCABS: dict = {}


def _base(folded: str) -> str:
    """A label without its number or the points, unit or note printed after it: 产出指标(50分) → 产出指标,
    项目资金(万元) → 项目资金, 实施单位(盖章) → 实施单位, 2.项目实施内容及过程概述 → 项目实施内容及过程概述."""
    return re.sub(r"^\d{1,2}[.、]", "", _NOTES_AFTER.sub("", folded))


_NOTES_AFTER = re.compile(r"(?:\([^()]*\))+$")  # 预算执行情况(万元)(20分): every note after the label


# --------------------------------------------------------------------------- line shapes


def _split_pipes(line: str) -> list[str]:
    cells = line.split("|")
    if cells and not cells[-1].strip():
        cells = cells[:-1]  # the separator after the last cell
    return [c.strip() for c in cells]


def _rows_pipes(lines: list[str]) -> list[Row]:
    rows: list[Row] = []
    brk = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            brk = True
            continue
        cells = _split_pipes(line)
        if not any(cells):
            continue
        rows.append(Row(cells, number, brk))
        brk = False
    return rows


def _rows_spaces(lines: list[str], vocab: _Vocab) -> list[Row]:
    """One row per line, split at whitespace; label cells wrapped onto a line of their own are joined back."""
    items: list[tuple[list[str], int]] = [(line.split(), n) for n, line in enumerate(lines, start=1) if line.strip()]
    merged: list[tuple[list[str], int]] = []
    i = 0
    while i < len(items):
        cells, number = items[i]
        if len(cells) == 1 and merged:
            prev = merged[-1][0]
            word = cells[0]
            if (not vocab.known(prev[-1]) and vocab.known(prev[-1] + word)) or (
                (_POINTS.match(word) or _UNIT.match(word)) and len(prev) == 1 and vocab.known(prev[-1])
            ):
                prev[-1] += word
                i += 1
                continue
        if len(cells) == 1 and i + 1 < len(items) and not vocab.known(cells[0]):
            nxt = items[i + 1][0]
            if vocab.known(cells[0] + nxt[0]):
                nxt[0] = cells[0] + nxt[0]
                i += 1
                continue
        merged.append((list(cells), number))
        i += 1
    return [Row(cells, number) for cells, number in merged]


def _rows_layout(lines: list[str], vocab: "_Vocab") -> list[Row]:
    """pdftotext -layout: cells at runs of ≥2 spaces; a line whose cells all sit under cells of the row
    above (and that holds no number) continues those cells."""
    rows: list[Row] = []
    starts: list[list[int]] = []
    brk = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            brk = True
            continue
        found = [(m.start(), m.group()) for m in _GAP.finditer(line)]
        cells = [text for _, text in found]
        cols = [col for col, _ in found]
        # (a row of labels is a header: what follows it is data, not the rest of its cells)
        if rows and not brk and len(cells) < len(rows[-1].cells) and not all(vocab.known(c) for c in rows[-1].cells) and all(
            not re.fullmatch(r"[-+]?\d[\d,.%]*", c) and not vocab.known(c) and not vocab.title(c) for c in cells
        ):
            above = starts[-1]
            slots = [min(range(len(above)), key=lambda k: abs(above[k] - col)) for col in cols]
            if all(abs(above[s] - col) <= 3 for s, col in zip(slots, cols)) and len(set(slots)) == len(slots):
                prev = rows[-1]
                for slot, text in zip(slots, cells):
                    prev.cells[slot] = (prev.cells[slot] or "") + text
                    prev.guesses.setdefault(slot, f"第 {number} 行的“{text}”按列对齐接在这一格后面（换行的单元格）")
                continue
        rows.append(Row(cells, number, brk))
        starts.append(cols)
        brk = False
    return rows


# --------------------------------------------------------------------------- one cell per line


def _tokens(lines: list[str], shape: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    if shape == "stream":
        for number, line in enumerate(lines, start=1):
            out += [(word, number) for word in line.split()]
        return out
    piped = sum(1 for line in lines if "|" in line) > 0
    if piped and _pipes_between(lines):
        return _tokens_between(lines)
    for number, line in enumerate(lines, start=1):
        if piped:
            if not line.strip():
                continue
            cells = _split_pipes(line)
            out += [(c, number) for c in (cells or [""])]
        elif line == "":
            continue  # the separator between cells
        else:
            out.append((line.strip(), number))  # a line of spaces: an empty cell
    return out


def _pipes_between(lines: list[str]) -> bool:
    """Cells as lines of text with a line of bare pipes after each (``项目名称`` / ``|`` / ``春节走访慰问经费`` / ``|``)."""
    piped = [line for line in lines if "|" in line]
    bare = sum(1 for line in piped if not line.replace("|", "").strip())
    return len(piped) >= 10 and bare >= 0.8 * len(piped)


def _tokens_between(lines: list[str]) -> list[tuple[str, int]]:
    """The cells of text whose pipes stand on lines of their own: the text lines before a pipe are one cell
    (a cell printed over two lines, 预算执行情况(万元) / (20分), is joined back); each further pipe on the
    line is an empty cell, as ``||||`` is in the ``cell |`` shape."""
    out: list[tuple[str, int]] = []
    pending: list[tuple[str, int]] = []  # the text lines since the last pipe
    table = False  # above the first pipe (附件1, the title, 单位名称:…) lines are lines; the last one is a cell

    def close() -> None:
        if pending:
            out.append(("".join(text for text, _ in pending), pending[0][1]))
            pending.clear()

    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        if "|" not in text:
            pending.append((text, number))
            continue
        if not table:
            out.extend(pending[:-1])
            del pending[:-1]
            table = True
        if not text.replace("|", "").strip():
            empties = text.count("|") - (1 if pending else 0)
            close()
            out += [("", number)] * empties
            continue
        close()  # a line of text and pipes: read as the other shapes read it
        out += [(c, number) for c in (_split_pipes(line) or [""])]
    if table:
        close()
    else:
        out.extend(pending)
    return out


def _join_wrapped(tokens: list[tuple[str, int]], vocab: _Vocab) -> list[tuple[str, int]]:
    """Labels printed over two or three lines ("年初" "预算数", "经济效益" "指标") joined back."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(tokens):
        text, number = tokens[i]
        if text and (_POINTS.match(text) or _UNIT.match(text) or _COLUMN_NOTE.match(text)):
            # 预算执行情况(万元) / (20分): the caption's points on a line of their own, maybe after blank cells
            # (a line of spaces); those blanks belong to the caption's cell.
            at = len(out)
            while at and not out[at - 1][0]:
                at -= 1
            if at and vocab.known(out[at - 1][0]) and len(out) - at <= 3:
                out[at - 1:] = [(out[at - 1][0] + text, out[at - 1][1])]
                i += 1
                continue
        if text and not vocab.known(text):
            for span in (2, 3):
                parts = [t for t, _ in tokens[i: i + span]]
                if len(parts) == span and all(parts) and vocab.known("".join(parts)):
                    out.append(("".join(parts), number))
                    i += span
                    break
            else:
                out.append((text, number))
                i += 1
            continue
        out.append((text, number))
        i += 1
    return out


def _rows_cells(tokens: list[tuple[str, int]], vocab: _Vocab, lost_blanks: bool = False) -> list[Row]:
    """Rows from a stream of cells: a row starts at a row label, or when the current block's columns are filled."""
    rows: list[Row] = []
    section = "head"
    columns = 0  # columns of the indicator table (from its header)
    current: Optional[Row] = None
    lead = 0  # 一级 / 二级 label cells at the start of the current indicator row
    goals_labels = 0

    def start(text: str, number: int) -> Row:
        row = Row([text], number)
        rows.append(row)
        return row

    for position, (text, number) in enumerate(tokens):
        folded = fold(text)
        base = _base(folded)
        if not folded:
            if current is not None:
                current.cells.append("")
            continue
        if vocab.title(text) or re.fullmatch(r"[(（]?\d{4}年度?[)）]?", folded):
            current = start(text, number)
            current = None
            continue
        if section in ("head", "funds", "goals") and (folded in vocab.header or base in vocab.header) \
                and folded not in vocab.funds_rows:
            current, section = start(text, number), "head"
            continue
        if folded in vocab.anywhere or base in vocab.anywhere:
            current = start(text, number)
            if section != "head":
                section = "end"
            continue
        if section in ("head", "goals") and (folded in vocab.funds_columns or base in vocab.funds_columns):
            current, section = start(text, number), "funds-head"  # the funds header without its caption
            continue
        if folded in vocab.funds_block or base in vocab.funds_block:
            current, section = start(text, number), "funds-head"
            continue
        if section == "funds-head" and (folded in vocab.funds_header or base in vocab.funds_header):
            if current is None:
                current = start(text, number)
            else:
                current.cells.append(text)
            continue
        if section in ("head", "funds-head", "funds") and (folded in vocab.funds_rows or base in vocab.funds_rows):
            current, section = start(text, number), "funds"
            continue
        if section in ("funds-head", "funds") and re.match(r"其中[:：]", text.strip()):
            current, section = start(text, number), "funds"  # "of which": the first source row, whatever its name
            continue
        if section == "funds-head" and current is not None and len(current.cells) > 1 and not _numeric(text):
            current, section = start(text, number), "funds"  # the first funds row, under a label no layout has
            continue
        if folded in vocab.goals_block or base in vocab.goals_block:
            current, section, goals_labels = start(text, number), "goals-head", 0
            continue
        if section == "goals-head" and folded in vocab.goals:
            current.cells.append(text)  # type: ignore[union-attr]
            goals_labels += 1
            if goals_labels == 2:
                section, current = "goals", None
            continue
        if folded in vocab.ind_header or base in vocab.ind_header:
            if section != "ind-head":
                current, section, columns = start(text, number), "ind-head", 1
            else:
                current.cells.append(text)  # type: ignore[union-attr]
                columns += 1
            continue
        if folded in vocab.total or folded in vocab.grade:
            current, section = start(text, number), "end"
            continue
        if section == "ind-head" and current is not None and not _numeric(text) and base not in vocab.level1 \
                and base not in vocab.level2 and position + 1 < len(tokens) \
                and _base(fold(tokens[position + 1][0])) in vocab.level1:
            current.cells.append(text)  # the header's last column, under a label no layout has
            columns += 1
            continue
        if section in ("ind-head", "indicators"):
            section = "indicators"
            if base in vocab.level1 or _POINTS.match(text):
                current, lead = start(text, number), 1
                continue
            if base in vocab.level2:
                if current is not None and lead == 1 and len(current.cells) == 1:
                    current.cells.append(text)
                    lead = 2
                else:
                    current, lead = start(text, number), 1
                continue
            tail = len(current.cells) - lead if current is not None else 0
            # Without blank cells (a stream split at spaces) a row ends after its 分值 and 得分 numbers: at the
            # end of its last run of numbers (实际完成值 may be a number too).
            paired = lost_blanks and current is not None and tail >= 3 and not _numeric(text) and all(
                _numeric(c) for c in current.cells[-2:])
            if current is None or (columns > 2 and tail >= columns - 2) or paired:
                if paired and not (columns > 2 and tail >= columns - 2):
                    current.guesses.setdefault(0, "原文各格只以空格分开、空白格已丢失：这一行在分值和得分两个数之后结束，"  # type: ignore[union-attr]
                                                  "是推断的")
                current, lead = start(text, number), 0
            else:
                current.cells.append(text)
            continue
        if section == "goals" and current is None:
            current = start(text, number)  # the goals' values: one cell under each goals label
            continue
        if section == "goals" and len(current.cells) >= max(goals_labels, 2):  # type: ignore[union-attr]
            current, section = start(text, number), "goals-rest"  # what follows the goals' values
            continue
        if current is None:
            current = start(text, number)
        else:
            current.cells.append(text)
    return rows


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?\d[\d,]*(?:\.\d+)?[%％]?|[/-]", text.strip()))


# --------------------------------------------------------------------------- entry


def _mentions_a_form(text: str, vocab: _Vocab) -> bool:
    """A form's title, or at least two of its longer labels, occur somewhere in the text."""
    folded = fold(text)
    if any(title in folded for title in vocab.titles):
        return True
    return sum(1 for label in vocab.every if len(label) >= 4 and label in folded) >= 2


def _bounded(text: str, name: str) -> None:
    """NotAForm when the text has more than MAX_LINES lines or a line more than MAX_LINE_CELLS cells."""
    from perfspec.importers.rows import MAX_LINE_CELLS, MAX_LINES, _LINE_BREAKS

    lines = sum(text.count(c) for c in _LINE_BREAKS) + text.count("\r") - text.count("\r\n") + 1
    if lines > MAX_LINES:
        raise NotAForm(f"{name} 有 {lines} 行（上限 {MAX_LINES} 行），不像自评表的文本，未读取",
                       f"{name} has {lines} lines (limit {MAX_LINES}); not read")
    for number, line in enumerate(text.splitlines(), start=1):
        cells = max(line.count("\t"), line.count("|")) + 1
        if cells > MAX_LINE_CELLS:
            raise NotAForm(f"{name} 第 {number} 行有 {cells} 个单元格（上限 {MAX_LINE_CELLS} 个），不像自评表的文本，未读取",
                           f"{name}: line {number} has {cells} cells (limit {MAX_LINE_CELLS}); not read")


def rows(text: str, name: str = "<text>", layout: Layout | str | None = None) -> tuple[str, list[Row]]:
    """(the shape, the rows of cells) of a form's text."""
    _bounded(text, name)
    lines = clean(text)
    shape = shape_of(lines)
    if shape == "empty":
        raise NotAForm(f"{name} 没有内容：没有可导入的表", f"{name} has no content: there is no form to import")
    if shape == "tab":
        return shape, rows_of_text("\n".join(lines), name)
    vocab = _vocab(layout)
    if shape == "pipes":
        return shape, _rows_pipes(lines)
    if shape in ("cells", "stream"):
        return shape, _rows_cells(_join_wrapped(_tokens(lines, shape), vocab), vocab, lost_blanks=shape == "stream")
    if shape == "layout":
        return shape, _rows_layout(lines, vocab)
    if shape == "spaces":
        return shape, _rows_spaces(lines, vocab)
    if not _mentions_a_form("".join(lines), vocab):
        from perfspec.importers.rows import not_a_form

        raise not_a_form(name, layout)
    try:
        runon = importlib.import_module("perfspec.importers.runon")
    except ImportError:
        raise NotAForm(f"{name}：{NO_SEPARATORS}", f"{name}: {NO_SEPARATORS_EN}") from None
    return shape, runon.rows("\n".join(lines), name, layout)


__all__ = ["NO_SEPARATORS", "clean", "rows", "shape_of"]
