"""Importers: published forms (text extraction, PDF, xlsx) → specs.

Every importer produces the same neutral structure, :class:`FormData`, and
:func:`perfspec.importers.write.to_yaml` turns one into spec YAML in the house
style of the hand transcriptions. An importer that is not sure of a cell keeps
its best reading and adds a :class:`Review` note for that cell; the writer
prints it as a ``# review: …`` comment just above the cell's line (a second
note on the same path is appended to the first) and the command lists all of
them on stderr as ``file:line: path: reason``.

API (stable; other importers code against it):

- ``FormData``, ``Indicator``, ``Review`` below;
- ``FormData.to_data()`` → the plain value the loader would produce for the
  written spec (for comparisons);
- ``perfspec.importers.write.to_yaml(form) -> str``;
- each importer module has ``read(path) -> list[FormData]`` and raises
  :class:`NotAForm` (message in Chinese, ``str(exc)``; ``exc.en`` in English)
  when the input is not a self-evaluation form.

A form is not always a self-evaluation in the national layout: ``FormData.kind`` and ``FormData.layout``
say what was detected (written as ``kind:`` / ``layout:`` when not the defaults), ``FormData.extra`` holds
the cells a layout has beyond the national ones by YAML path (``("funds", "total", "rate")``,
``("funds", "special_account", "initial")``, ``("period",)``, ``("conclusion",)`` …) and
``Indicator.extra`` an indicator's (``raw_score`` …); a split target is a mapping ``{operator, value,
unit}``. ``FormData.detected`` (why that layout and kind) and ``FormData.cut`` (where a cut-off copy
stops) are for the command's stderr lines. Text readers mark the cell boundaries they had to guess in
``perfspec.importers.text.Row.guesses`` (cell index → reason); ``assemble`` flags the cell each lands on.

Paths of review notes use the spec's own YAML paths as tuples, e.g.
``("funds", "total", "annual")``, ``("indicators", "产出指标", "时效指标", 0, "name")``,
``("total", "score")``, ``("grade",)``; ``()`` is the form as a whole.

The command module imports this package only when it runs; keep it light
anyway (standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional, Union

from perfspec.diagnostics import format_path  # noqa: F401 - re-exported for the importers
from perfspec.form.kinds import SELF_EVALUATION, kind_of
from perfspec.form.model import FUNDS_COLUMNS, FUNDS_ROWS  # noqa: F401 - the one definition, re-exported

# What a target / actual cell may hold: text as printed, or a number when the
# cell is a bare number (kept as Decimal with its printed digits), or None.
Cell = Union[str, Decimal, int, None]
PathT = tuple  # tuple[str | int, ...]


class NotAForm(Exception):
    """The input is not (or does not contain) a 财政项目支出绩效自评表."""

    def __init__(self, zh: str, en: str | None = None) -> None:
        super().__init__(zh)
        self.en = en or zh


@dataclass
class Review:
    """A cell the importer is not sure of: its YAML path and why (Chinese or English text)."""

    path: PathT
    reason: str
    source_line: Optional[int] = None  # line (text), row (xlsx) or page (pdf) in the input, if known


@dataclass
class Indicator:
    level1: str  # 一级指标
    level2: str  # 二级指标
    name: Optional[str]  # 三级指标
    target: Cell = None  # 年度指标值
    actual: Cell = None  # 实际完成值
    weight: Optional[Decimal] = None  # 分值
    score: Optional[Decimal] = None  # 得分
    deviation: Optional[str] = None  # the deviation note (None: blank on the form)
    # Keys a layout has beyond the national ones (raw_score of three score columns …), written after score.
    extra: dict = field(default_factory=dict)


@dataclass
class FormData:
    year: Optional[int] = None
    project: Optional[str] = None
    department: Optional[str] = None
    implementer: Optional[str] = None
    unit: str = "万元"
    # funds[row][column]: row in FUNDS_ROWS, column in FUNDS_COLUMNS
    funds: dict = field(default_factory=lambda: {r: {c: None for c in FUNDS_COLUMNS} for r in FUNDS_ROWS})
    funds_weight: Optional[Decimal] = None
    funds_rate: Optional[Decimal] = None
    funds_score: Optional[Decimal] = None
    goals_expected: Optional[str] = None
    goals_achieved: Optional[str] = None
    indicators: list = field(default_factory=list)  # list[Indicator], in form order
    total_weight: Optional[Decimal] = None
    total_score: Optional[Decimal] = None
    grade: Optional[str] = None
    reviews: list = field(default_factory=list)  # list[Review]
    source: str = ""  # where it came from, e.g. "seed.txt:120-178" or "book.xlsx!Sheet1"
    kind: str = SELF_EVALUATION  # the form's kind (perfspec.form.kinds); written as `kind:` when not the default
    layout: Optional[str] = None  # the layout id; written as `layout:` when it is not the kind's own
    # The layout the form was read in (detected), written or not: its funds rows and the cells it prints.
    read_layout: Optional[str] = None
    # Cells the layout has beyond the national ones, by YAML path: ("summary",), ("funds", "total", "rate"),
    # ("funds", "special_account", "initial"), ("funds", "deviation"), ("conclusion",) …
    extra: dict = field(default_factory=dict)
    cut: Optional[str] = None  # where the form stops when the copy is cut off (for the command's stderr line)
    detected: str = ""  # how the layout and kind were recognised (for the command's stderr line)
    # The paths (and their parents) the source spec wrote, when known whole (a workbook perfspec exported):
    # a blank cell at any other path is a key the spec left out, and stays out. None: every key is written.
    present: Optional[frozenset] = None

    def omitted(self, path: PathT, value: Any = None) -> bool:
        """Whether the cell at `path` holding `value` is left out of the spec: blank, and not a key the source wrote."""
        return self.present is not None and value is None and tuple(path) not in self.present

    def written_kind(self) -> bool:
        """`kind:` is written when it is not the default, or the source spec wrote it."""
        return self.kind != SELF_EVALUATION or (self.present is not None and ("kind",) in self.present)

    def review(self, path: PathT, reason: str, source_line: Optional[int] = None) -> Review:
        """Flag a cell. A second reason for the same path is appended to the first note."""
        path = tuple(path)
        for existing in self.reviews:
            if existing.path == path:
                if reason not in existing.reason:
                    existing.reason += "；" + reason
                if existing.source_line is None:
                    existing.source_line = source_line
                return existing
        note = Review(path, reason, source_line)
        self.reviews.append(note)
        return note

    def indicator_path(self, index: int, key: str | None = None) -> PathT:
        """The YAML path of indicators[index] (position within its 二级指标), optionally of one key."""
        item = self.indicators[index]
        position = sum(
            1
            for other in self.indicators[:index]
            if other.level1 == item.level1 and other.level2 == item.level2
        )
        path: tuple = ("indicators", item.level1, item.level2, position)
        return path + (key,) if key else path

    def grouped(self) -> dict:
        """indicators as {level1: {level2: [Indicator, ...]}} in first-seen order."""
        out: dict = {}
        for item in self.indicators:
            out.setdefault(item.level1, {}).setdefault(item.level2, []).append(item)
        return out

    def to_data(self) -> dict[str, Any]:
        """The value `perfspec.load.loader` builds from the YAML that `write.to_yaml` writes."""
        num = plain

        data: dict[str, Any] = {"year": self.year}
        if self.written_kind():
            data["kind"] = self.kind
        if self.written_layout():
            data["layout"] = self.layout
        data.update({
            "project": self.project,
            "department": self.department,
            "implementer": self.implementer,
            "funds": {
                "unit": self.unit,
                "weight": num(self.funds_weight),
                **{row: {c: num(v) for c, v in values.items()} for row, values in self.funds_table()},
                "rate": num(self.funds_rate),
                "score": num(self.funds_score),
            },
            "goals": {"expected": self.goals_expected, "achieved": self.goals_achieved},
        })
        indicators: dict[str, Any] = {}
        for level1, level2s in self.grouped().items():
            indicators[level1] = {}
            for level2, items in level2s.items():
                rows = []
                for item in items:
                    row = {
                        "name": item.name,
                        "target": num(item.target),
                        "actual": num(item.actual),
                        "weight": num(item.weight),
                        "score": num(item.score),
                    }
                    if item.deviation is not None:
                        row["deviation"] = item.deviation
                    for key, value in item.extra.items():
                        row[key] = plain(value)
                    rows.append(row)
                indicators[level1][level2] = rows
        data["indicators"] = indicators
        data["total"] = {"weight": num(self.total_weight), "score": num(self.total_score)}
        data["grade"] = self.grade
        self._leave_unprinted(data)
        for path, value in self.extra.items():
            if len(path) == 3 and path[0] == "funds":
                continue  # funds_table placed it, or left out its row: a row the layout does not print, all blank
            here = data
            for part in path[:-1]:
                here = here.setdefault(part, {})
            here[path[-1]] = plain(value)
        return self._pruned(data, ()) if self.present is not None else data

    def _pruned(self, value: Any, path: PathT) -> Any:
        """`value` without the keys the source left out (see `omitted`); an emptied mapping it left out goes too."""
        if isinstance(value, list):
            return [self._pruned(item, path + (i,)) for i, item in enumerate(value)]
        if not isinstance(value, dict) or path[-1:] in (("target",), ("actual",)):
            return value
        out = {}
        for key, item in value.items():
            here = path + (key,)
            item = self._pruned(item, here)
            if self.omitted(here, item) or (isinstance(item, dict) and not item and here not in self.present):
                continue
            out[key] = item
        return out

    def _leave_unprinted(self, data: dict) -> None:
        """Blank cells the form does not print are left out, as a spec of it leaves them out, not written null:
        a header field its layout lacks (three-score's 主管部门), 实际完成值 where the layout has none (a target
        table's), and a form that evaluates nothing (a target table, a monitoring form) has no scores, no 总分
        and no 评分等级. A self-evaluation layout without 分值 still writes `weight: null`, as its specs do."""
        shape = self.printed_layout()
        if shape is None:
            return

        def drop(where: dict, key: str, printed: bool) -> None:
            if not printed and key in where and where[key] is None:
                del where[key]

        header = {f.key for f in shape.header}
        for key in ("department", "implementer"):
            drop(data, key, key in header)
        drop(data["goals"], "achieved", "achieved" in {g.key for g in shape.goals})
        scored = kind_of(self.kind).actuals  # a form that reports what was achieved is scored on it
        for key in ("weight", "rate", "score"):
            drop(data["funds"], key, scored)
        for level2s in data["indicators"].values():
            for rows in level2s.values():
                for row in rows:
                    for key in ("actual", "weight", "score"):
                        drop(row, key, scored)
        for key in ("weight", "score"):
            drop(data["total"], key, scored)
        if not data["total"]:
            del data["total"]
        drop(data, "grade", scored)

    def funds_table(self) -> list:
        """[(row key, {column key: value})] as the form's layout prints its funds block: its rows and columns
        (a blank cell is None), then any other row or column that holds an amount (never dropped)."""
        layout = self.printed_layout()
        rows = [f.key for f in layout.funds_rows] if layout else list(FUNDS_ROWS)
        columns = [f.key for f in layout.funds_columns] if layout else list(FUNDS_COLUMNS)
        cells: dict = {}
        for row in FUNDS_ROWS:
            for column in FUNDS_COLUMNS:
                cells[(row, column)] = self.funds[row][column]
        for path, value in self.extra.items():
            if len(path) == 3 and path[0] == "funds":
                cells[(path[1], path[2])] = value
        rows += [r for r, _ in cells if r not in rows and any(v is not None for (r2, _c), v in cells.items() if r2 == r)]
        rows = list(dict.fromkeys(rows))
        out = []
        for row in rows:
            values = {column: cells.get((row, column)) for column in columns}
            values.update({c: v for (r, c), v in cells.items() if r == row and c not in values
                           and (v is not None or (r, c) in {(p[1], p[2]) for p in self.extra if len(p) == 3})})
            out.append((row, values))
        return out

    def printed_layout(self):
        """The layout whose cells the form prints: the one named, else the one it was read in, else its kind's
        (None when it cannot be loaded)."""
        return _layout_of(self.layout or self.read_layout or kind_of(self.kind).layout)

    def written_layout(self) -> bool:
        """`layout:` is written when the form's layout is not its kind's own."""
        named = self.present is not None and ("layout",) in self.present
        return bool(self.layout) and (self.layout != kind_of(self.kind).layout or named)


def _layout_of(ident: str):
    """The layout by id (None when it cannot be loaded: the national rows and columns are used)."""
    if ident not in _LAYOUTS:
        from perfspec.form.layout import LayoutError, load_layout

        try:
            _LAYOUTS[ident] = load_layout(ident)
        except LayoutError:
            _LAYOUTS[ident] = None
    return _LAYOUTS[ident]


_LAYOUTS: dict = {}


def plain(value: Any) -> Any:
    """A cell as the loader reads it back: whole Decimals without decimals are ints; mappings cell by cell."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Decimal) and value == value.to_integral_value() and value.as_tuple().exponent == 0:
        return int(value)
    return value


def to_yaml(form: FormData) -> str:
    """The spec YAML for `form` (see perfspec.importers.write)."""
    from perfspec.importers.write import to_yaml as _to_yaml

    return _to_yaml(form)


__all__ = [
    "FUNDS_COLUMNS",
    "FUNDS_ROWS",
    "FormData",
    "Indicator",
    "NotAForm",
    "Review",
    "format_path",
    "to_yaml",
]
