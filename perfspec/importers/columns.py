"""Reading indicator rows by the columns their table's header names.

The header row of the indicator table (一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 |
得分 | 偏差原因分析及改进措施, in any layout's words) gives each column a key; a second header line may
name the columns under a group caption (自评得分 → 单项指标得分 | 权重占比 | 折算得分). A row whose cells
are all in place is then read column by column, right-aligned: the 一级 / 二级 cells a merged cell
covers are missing on its left. :mod:`perfspec.importers.text` calls these for shapes that keep cell
positions (one cell per line, pipes, run-together) and for a header with a second line.
"""

from __future__ import annotations

from typing import Optional

from perfspec.importers import Indicator
from perfspec.importers.labels import Labels, fold
from perfspec.importers.assembly import (
    _PLACEHOLDER,
    _Form,
    _current,
    _is_level,
    _is_level2,
    _number_or_percent,
    _set_level1,
    _short,
    _strip_note,
    _take_level,
    _value,
    number,
)
from perfspec.importers.rows import Row, squash


def is_header(row: Row, L: Labels) -> bool:
    """The row is the indicator table's header (or the first line of a header printed over two)."""
    labels = {fold(c) for c in row.texts}
    others = L.of("indicators", "level1") | L.of("indicators", "level2") | L.of("indicators", "weight")
    if bool(labels & L.of("indicators", "name")) and bool(labels & others):
        return True
    if labels & L.of("indicators", "level1") and labels & (L.of("indicators", "target") | L.of("indicators", "weight")):
        return True  # a table without a 三级指标 column (一级指标 | 指标名称 | 指标值 …)
    # The header printed over two lines: the first holds 一级指标 (and the block's caption) only.
    return bool(labels & L.of("indicators", "level1")) and len(labels) <= 2


COLUMN_KEYS = ("level1", "level2", "name", "nature", "target", "unit", "actual", "raw_score", "weight", "score", "deviation")
# Columns some layouts add (monitoring forms): read into Indicator.extra.
EXTRA_COLUMN_KEYS = ("to_date", "forecast", "likelihood", "measures")


def header_columns(row: Row, L: Labels) -> Optional[list]:
    """The keys of the indicator table's columns (None for a column no layout names), if the row is a full header."""
    names = L.keys("indicators", COLUMN_KEYS + EXTRA_COLUMN_KEYS)
    keys = [names.get(fold(c)) or names.get(_strip_note(fold(c))) for c in row.cells if c is not None and c.strip()]
    if "name" not in keys and "level1" in keys:
        # No 三级指标 column: the indicator's name is in the first unnamed column after the level names.
        after = max(keys.index(k) for k in ("level1", "level2") if k in keys)
        unnamed = [i for i in range(after + 1, len(keys)) if keys[i] is None]
        if unnamed:
            keys[unnamed[0]] = "name"
    if "name" not in keys or not {"target", "weight", "score"} & set(keys):
        return None
    # A trailing column no layout names after 得分 is the deviation note (未完成原因分析 …).
    if keys[-1] is None and "deviation" not in keys and "score" in keys:
        keys[-1] = "deviation"
    return keys


def header_positions(row: Row, columns: list) -> list:
    """The key of each grid column of a header row whose named cells gave `columns` (header_columns): a
    label's key at its cell, and on the cells its merge covers to the right; None elsewhere."""
    named = [i for i, c in enumerate(row.cells) if c is not None and c.strip()]
    out: list = [None] * len(row.cells)
    for index, key in zip(named, columns):
        out[index] = key
        for right in range(index + 1, len(row.cells)):
            if row.cells[right] is not None:
                break
            out[right] = key
    return out


def read_grid_row(form: _Form, row: Row, brk: bool, at: str) -> bool:
    """A row of a grid (a Word table, a sheet, a PDF table) read by the header cell above each of its cells:
    a cell a merge covers (None) under 一级 / 二级 is that name going on down."""
    positions = form.positions or []
    if len(row.cells) != len(positions) or "name" not in positions:
        return False
    cells: dict = {}
    landed: dict = {}
    for index, (key, text) in enumerate(zip(positions, row.cells)):
        if key is None or text is None:
            continue
        text = text.strip()
        if key in cells:  # a column the header spans over several grid columns: its cells go on
            cells[key] = (cells[key] + text) if text else cells[key]
            continue
        cells[key] = text
        landed[key] = index
    quoted = {key for key, index in landed.items() if index in row.quoted}
    if not any(cells.get(k) for k in cells if k not in ("level1", "level2")):
        return False
    lone = bool(cells.get("name")) and not any(cells.get(k) for k in cells if k not in ("level1", "level2", "name"))
    return read_cells(form, row, cells, landed, lone, brk, at, quoted)


def read_row(form: _Form, row: Row, values: list[str], brk: bool, at: str) -> bool:
    """A row whose cells are all where the form prints them, read by the header's columns (right-aligned:
    the 一级 / 二级 cells a merged cell covers are missing on the left)."""
    columns = form.columns or []
    if "name" not in columns:
        return False
    while values and not values[-1] and (len(values) > len(columns) or not form.one_per_line):
        values = values[:-1]  # empty cells padding the row (a web copy pads every row to the widest)
    # Where the row starts: merged 一级 / 二级 cells are left out on the left, so its first cell says which
    # column it is in (a 一级 name, a 二级 name, else the 三级 name); a full row starts at the first column.
    first = values[0] if values else ""
    if first and "level1" in columns and _is_level(first, form.L) and not _is_level2(first, form.L):
        start = columns.index("level1")
    elif first and "level2" in columns and _is_level2(first, form.L):
        start = columns.index("level2")
    elif len(values) == len(columns):
        start = 0
    elif form.one_per_line:
        start = len(columns) - len(values)  # every cell in place, the merged ones missing
    else:
        start = columns.index("name")
    while values and not values[-1] and len(values) > len(columns) - start:
        values = values[:-1]
    least = 1 if 0 <= start < len(columns) and columns[start] == "name" else min(len(columns) - start, 2)
    if start < 0 or not values or len(values) > len(columns) - start or len(values) < least:
        return False
    if not form.by_columns and len(values) != len(columns) - start:
        return False  # a copy that may have lost blank cells: only a row that fills the columns exactly
    keys = columns[start:start + len(values)]
    cells = dict(zip(keys, values))
    lone = len(values) == 1 and len(columns) - start > 1
    return read_cells(form, row, cells, dict(zip(keys, range(len(values)))), lone, brk, at)


def read_cells(form: _Form, row: Row, cells: dict, landed: dict, lone: bool, brk: bool, at: str,
               quoted: frozenset | set = frozenset()) -> bool:
    """An indicator row whose cells are known by column (key → text); `landed`: key → the row's cell
    index it came from; `lone`: the row holds its name only; `quoted`: the keys whose cell the file typed
    as text ('12.5' kept as text). False when a score column holds no number (no indicator row after all)."""

    def value(key: str) -> object:
        return (cells.get(key) or None) if key in quoted else _value(cells.get(key))

    columns = form.columns or []
    keys = list(cells)
    for key in ("weight", "score", "raw_score"):
        if cells.get(key) and _number_or_percent(cells[key]) is None:
            return False
    notes: list[str] = []
    if cells.get("level1"):
        if _is_level2(cells["level1"], form.L):
            _take_level(form, cells["level1"], notes, brk)
        else:
            form.points = None
            _set_level1(form, cells["level1"], cells.get("level2") or "", notes, brk)
    if cells.get("level2"):
        _take_level(form, cells["level2"], notes, brk)
    elif form.points is not None:
        notes.append(f"{form.W['level1']}只印着“{form.points}”，名称缺失")
        form.level1, form.points = form.points, None
    name = cells.get("name") or None
    if "level2" not in columns and name:
        # A table without a 二级指标 column: a short name (质量, 时效) is the 二级 category it stands for.
        guess = squash(name) + "指标"
        form.level2 = guess if guess in form.L.level2 else ""
        if form.level2:
            notes.append(f"表中没有{form.W['level2']}一栏，按名称“{name}”归入“{guess}”")
    if name is not None and _PLACEHOLDER.match(squash(name)) and not any(
        cells.get(k) for k in keys if k not in ("level1", "level2", "name")
    ):
        form.carry += [n + f"（{at}）" for n in notes]
        return True  # a template row left empty
    level1 = _current(form, notes)
    target: object = value("target")
    nature = None
    if "nature" in cells or "unit" in cells:
        target, nature = split_target(cells.get("nature"), cells.get("target"), cells.get("unit"))
    item = Indicator(level1, form.level2 or "", name, target, value("actual"),
                     _number_or_percent(cells.get("weight")), _number_or_percent(cells.get("score")),
                     cells.get("deviation") or None)
    if nature is not None:
        item.extra["nature"] = nature
    if cells.get("raw_score"):
        item.extra["raw_score"] = _number_or_percent(cells["raw_score"])
    for key, text in cells.items():
        # The columns a layout has beyond the national ones (完成目标可能性, 1–N月实际完成值 …).
        if key in COLUMN_KEYS or key is None or not text:
            continue
        item.extra[key] = _value(text)
    if name is not None and lone:
        notes.append(f"这一行只有{form.W['name']}“{_short(name, 16)}”，其余各格空白（没有填写的指标，还是表下的说明？）")
    form.items.append(item)
    form.item_rows.append(row)
    for key, index in landed.items():
        form.landed[index] = (item, key if key in ("target", "actual", "weight", "score", "deviation") else None)
    form.close_item(item, name, row, brk, notes, at)
    return True


def sub_header(form: _Form, row: Row) -> bool:
    """The header's second line, naming the columns under a group caption (自评得分 → 单项指标得分 | 权重占比 |
    折算得分; 预期指标值 → 符号 | 单位): the columns become those it names. Or the header's cells went on
    over more lines (半年度指标执行情况 / 完成目标可能性 | 备注): they are the next columns."""
    texts = row.texts
    if not texts or any(number(t) is not None or len(_strip_note(squash(t))) > 12 for t in texts):
        return False
    if any(_is_level(t, form.L) or _PLACEHOLDER.match(squash(t)) for t in texts):
        return False
    names = form.L.keys("indicators", COLUMN_KEYS + EXTRA_COLUMN_KEYS)
    keys = [names.get(fold(t)) or names.get(_strip_note(fold(t))) for t in texts]
    scores = [k for k in keys if k in ("raw_score", "weight", "score")]
    if any(k in ("level1", "level2", "name") for k in keys):
        return False
    if not scores:
        if form.rows_since_header > 2 or not form.by_columns:
            return False
        form.columns = list(form.columns or []) + keys
        return True
    columns = list(form.columns or [])
    if columns and columns[-1] is None and not set(scores) & set(columns):
        columns[-1:] = scores  # the score group's caption (自评得分) becomes its columns
    unnamed = keys[: keys.index(scores[0])]
    if len(unnamed) == 2 and all(k is None for k in unnamed) and "target" in columns and "nature" not in columns:
        at = columns.index("target")
        columns[at:at + 1] = ["nature", "target", "unit"]  # 符号 | 值 | 单位 under the target's caption
    form.columns = columns
    form.sub_header = True
    return True


# The comparison signs a split target's operator may be (the spec schema's), longest first.
OPERATORS = (">=", "<=", "≥", "≤", "=", ">", "<")


def split_target(nature: str | None, value: str | None, unit: str | None) -> tuple[object, str | None]:
    """指标性质 | 指标值 | 度量单位 → ({operator, value, unit} or None when all three are blank, 指标性质).

    The first column is a comparison sign (a 符号 column under 预期指标值) or the indicator's nature
    (正向 / 反向 / 定性, which is no operator); a value printed with its sign ("≥1260") gives the operator.
    """
    if not (nature or value or unit):
        return None, None
    nature = (nature or "").strip() or None
    text = (value or "").strip()
    operator = nature if nature in OPERATORS else None
    if operator is None:
        operator = next((op for op in OPERATORS if text.startswith(op) and text[len(op):].strip()), None)
        if operator is not None:
            text = text[len(operator):].strip()
    parts = {"operator": operator, "value": _value(text), "unit": (unit or "").strip() or None}
    # A qualitative target ({value: 明显改善}) has neither sign nor unit: those keys are left out, not null.
    return ({k: v for k, v in parts.items() if v is not None or k == "value"},
            None if nature in OPERATORS else nature)


__all__ = ["COLUMN_KEYS", "EXTRA_COLUMN_KEYS", "header_columns", "header_positions", "read_grid_row", "is_header", "read_row", "split_target", "sub_header"]
