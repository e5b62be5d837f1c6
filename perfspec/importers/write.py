"""FormData → spec YAML in the house style of the hand transcriptions in specs/2023/.

Same key order, the funds rows as aligned flow mappings, the Chinese labels of
the form (the configured layout's, perfspec/form/layouts/) as end-of-line comments (the 三级指标 labels on the first indicator
only, as in the reference), numbers as the form prints them (amounts, rates
and totals with two decimals; 分值 and 得分 of the rows without trailing zeros),
text plain unless YAML needs quotes. Every review note becomes a
``# review: …`` comment on the line(s) just above the cell it is about
(like the ``# seed:`` comments of the hand transcriptions).

The result is checked before it is returned: loading it with perfspec's own
loader must give exactly ``form.to_data()``.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from perfspec.form.kinds import SELF_EVALUATION, kind_of
from perfspec.form.layout import Layout
from perfspec.form.model import two_places
from perfspec.importers import FormData, Review
from perfspec.importers.labels import Labels

SCHEMA = "../../schema/perfspec.schema.json"  # from specs/<year>/ in a perfspec repository

_TOP = 46  # display column of the top-level comments
_ITEM = 47  # ... of the comments of an indicator's keys
_FUNDS_ROW = 70  # ... of the comments of the funds rows
_WRAP = 90  # review comments are wrapped at this display width


def width(text: str) -> int:
    """Display width: CJK (wide and full-width) characters count two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _commented(text: str, comment: str | None, column: int) -> str:
    if not comment:
        return text
    pad = column - width(text)
    return text + " " * (pad if pad >= 2 else 2) + "# " + comment


# --------------------------------------------------------------------------- scalars


def two(value: Any) -> str:
    """An amount, rate or total: two decimals as on the form (more are kept as written)."""
    value = _decimal(value)
    return "null" if value is None else two_places(value)


def points(value: Any) -> str:
    """分值 / 得分 of a row and the funds 分值: 30.00 → 30, 2.50 → 2.5."""
    value = _decimal(value)
    if value is None:
        return "null"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise TypeError(f"not a number: {value!r}")


_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_INDICATORS = frozenset(",[]{}")


def scalar(value: Any, in_flow: bool = False) -> str:
    """A value as YAML: numbers as written, text plain when perfspec's loader reads it back unchanged.

    `in_flow`: inside a flow mapping, where , [ ] { } end a plain scalar ("8,827,620.53" would be three keys).
    """
    if value is None:
        return "null"
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    text = str(value)
    if _plain_ok(text) and not (in_flow and any(c in _FLOW_INDICATORS for c in text)):
        return text
    if any(not c.isprintable() for c in text):
        return _double_quoted(text)
    return "'" + text.replace("'", "''") + "'"


def _double_quoted(text: str) -> str:
    """YAML double quotes, every non-printable character escaped (line breaks included, so no folding)."""
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c.isprintable() and c not in "\u2028\u2029\x85":
            out.append(c)
        elif ord(c) <= 0xFF:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or text[0] in _INDICATORS or text[-1] == ":":
        return False
    if any(not c.isprintable() for c in text) or ": " in text or " #" in text or "\t" in text:
        return False
    if text in ("~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"):
        return False
    # YAML 1.1 readers (other tools) would take these as booleans.
    if text.lower() in ("y", "n", "yes", "no", "on", "off"):
        return False
    from perfspec.load.loader import load_text

    result = load_text(f"k: {text}  # c\n", "<scalar>")
    return result.document is not None and not result.findings and result.document.data == {"k": text}


def key(text: str) -> str:
    return scalar(text) if text else "''"


def _exact(value: Any) -> str:
    """A number exactly as held (an exported workbook's hidden original): 100 → 100, 2.50 → 2.50."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return scalar(value)


def _is_amount(value: Any) -> bool:
    return isinstance(value, (Decimal, int)) and not isinstance(value, bool)


def _flow(value: Any, in_flow: bool = False) -> str:
    """A cell that may be a mapping (a split target {operator, value, unit}) as a YAML flow mapping."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(str(k), in_flow=True)}: {_flow(v, True)}" for k, v in value.items()) + "}"
    return scalar(value, in_flow)


# --------------------------------------------------------------------------- document


class _Doc:
    def __init__(self) -> None:
        self.lines: list[tuple[tuple, str]] = []  # (path, line)

    def add(self, path: tuple, text: str, comment: str | None = None, column: int = _TOP) -> None:
        self.lines.append((path, _commented(text, comment, column)))

    def blank(self) -> None:
        self.lines.append((None, ""))


_NO_START = "，。：；、）》」』”’！？…"


def _safe(text: str) -> str:
    """Text for a comment: nothing that could end the comment line or upset a YAML reader."""
    return "".join(c if c.isprintable() and c not in "\u2028\u2029\x85\ufeff" else "\ufffd" for c in text)


def _wrap(text: str, limit: int) -> list[str]:
    """Split a comment into lines of at most `limit` display columns: not inside an ASCII word or
    number, and no line begins with closing punctuation."""

    def word(c: str) -> bool:
        return c.isascii() and (c.isalnum() or c in ".%")

    text = _safe(text)
    out: list[str] = []
    line = ""
    for char in text:
        if line and width(line + char) > limit:
            cut = len(line)
            while cut > 1:
                after = line[cut] if cut < len(line) else char
                if after in _NO_START or (word(line[cut - 1]) and word(after)):
                    cut -= 1
                else:
                    break
            if cut <= 1:
                cut = len(line)
            out.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
            if not line and char == " ":
                continue
        line += char
    if line.strip():
        out.append(line.rstrip())
    return out or [""]


def render(
    form: FormData, schema: str | None = SCHEMA, origin: str | None = None, layout: Layout | str | None = None,
) -> tuple[str, list[tuple[int, Review]]]:
    """The YAML text, and for each review note the line of its `# review:` comment.

    The end-of-line comments are the labels of `layout` (the configured one; None: the self-evaluation form's).
    """
    words = Labels(layout)
    ref = words.ref

    def ind(key: str) -> str:
        return words.word("indicators", key)

    def label_of(part: str, key: str) -> str:
        return words.word(part, key, short=False)

    doc = _Doc()
    # A blank cell the form's layout does not print is not in `data` (FormData._leave_unprinted); a workbook
    # perfspec exported gives each number as the spec wrote it (100 stays 100, 2.50 stays 2.50).
    data = form.to_data()
    two_ = two if form.present is None else _exact
    points_ = points if form.present is None else _exact

    def put(path: tuple, value: Any, text: str, comment: str | None = None, column: int = _TOP,
            printed: bool = True) -> None:
        if printed and not form.omitted(path, value):  # a key the exported spec left out stays out
            doc.add(path, text, comment, column)

    put(("year",), form.year, f"year: {scalar(form.year)}")
    if form.written_kind():
        doc.add(("kind",), f"kind: {scalar(form.kind)}", kind_of(form.kind).zh)
    if form.written_layout():
        doc.add(("layout",), f"layout: {scalar(form.layout)}", words.ref.name if words.ref.id == form.layout else None)
    put(("project",), form.project, f"project: {scalar(form.project)}", label_of("header", "project"))
    put(("department",), form.department, f"department: {scalar(form.department)}", label_of("header", "department"),
        printed="department" in data)
    put(("implementer",), form.implementer, f"implementer: {scalar(form.implementer)}", label_of("header", "implementer"),
        printed="implementer" in data)
    doc.blank()
    doc.add(("funds",), "funds:", ref.funds_zh)
    put(("funds", "unit"), form.unit, f"  unit: {scalar(form.unit)}", f"{ref.funds_unit} (default) or 元")
    put(("funds", "weight"), form.funds_weight, f"  weight: {points_(form.funds_weight)}", label_of("funds", "weight"),
        printed="weight" in data["funds"])
    for row, values in form.funds_table():
        values = {column: value for column, value in values.items() if not form.omitted(("funds", row, column), value)}
        if not values and form.omitted(("funds", row)):
            continue
        cells = ", ".join(f"{column}: {two_(value) if _is_amount(value) else scalar(value)}"
                          for column, value in values.items())
        doc.add(("funds", row), f"  {(row + ':').ljust(14)} {{{cells}}}", label_of("funds", row), _FUNDS_ROW)
    rate = two_(form.funds_rate) if form.funds_rate is None or _is_amount(form.funds_rate) else scalar(form.funds_rate)
    put(("funds", "rate"), form.funds_rate, f"  rate: {rate}", f"{label_of('funds', 'rate')}（%），as stated on the form",
        printed="rate" in data["funds"])
    put(("funds", "score"), form.funds_score, f"  score: {two_(form.funds_score)}", f"{label_of('funds', 'score')}，as stated on the form",
        printed="score" in data["funds"])
    for path, value in form.extra.items():
        if len(path) == 2 and path[0] == "funds":
            doc.add(path, f"  {key(path[1])}: {scalar(value)}", label_of("funds", path[1]))
    doc.blank()
    goals = [(key, value) for key, value in (("expected", form.goals_expected), ("achieved", form.goals_achieved))
             if key in data["goals"] and not form.omitted(("goals", key), value)]
    if goals or not form.omitted(("goals",)):
        doc.add(("goals",), "goals:" if goals else "goals: {}", ref.goals_zh)
    for key_, value in goals:
        doc.add(("goals", key_), f"  {key_}: {scalar(value)}", label_of("goals", key_))
    doc.blank()
    grouped = form.grouped()
    outline = f"绩效指标: {ind('level1')} → {ind('level2')} → {ind('name')}"
    if grouped:
        doc.add(("indicators",), "indicators:", outline)
    else:
        doc.add(("indicators",), "indicators: {}", outline)
    first = True
    deviation_labelled = False
    for level1, level2s in grouped.items():
        doc.add(("indicators", level1), f"  {key(level1)}:")
        for level2, items in level2s.items():
            doc.add(("indicators", level1, level2), f"    {key(level2)}:")
            for index, item in enumerate(items):
                base = ("indicators", level1, level2, index)
                label = (lambda zh: zh) if first else (lambda zh: None)
                doc.add(base, f"      - name: {scalar(item.name)}", label(ind("name")), _ITEM)
                row = data["indicators"][level1][level2][index]
                put(base + ("target",), item.target, f"        target: {_flow(item.target)}", label(ind("target")), _ITEM)
                put(base + ("actual",), item.actual, f"        actual: {scalar(item.actual)}", label(ind("actual")), _ITEM,
                    printed="actual" in row)
                put(base + ("weight",), item.weight, f"        weight: {points_(item.weight)}", label(ind("weight")), _ITEM,
                    printed="weight" in row)
                put(base + ("score",), item.score, f"        score: {points_(item.score)}", label(ind("score")), _ITEM,
                    printed="score" in row)
                if item.deviation is not None:
                    doc.add(
                        base + ("deviation",),
                        f"        deviation: {scalar(item.deviation)}",
                        None if deviation_labelled else ind("deviation"),
                        _ITEM,
                    )
                    deviation_labelled = True
                for name, value in item.extra.items():
                    doc.add(base + (name,), f"        {key(name)}: {_flow(value)}")
                first = False
    doc.blank()
    totals = ", ".join(f"{key_}: {two_(value)}" for key_, value in (("weight", form.total_weight), ("score", form.total_score))
                       if key_ in data.get("total", {}) and not form.omitted(("total", key_), value))
    if totals or ("total" in data and not form.omitted(("total",))):
        doc.add(("total",), f"total: {{{totals}}}", words.word("total", "total"))
    put(("grade",), form.grade, f"grade: {scalar(form.grade)}", words.word("grade", "grade"), printed="grade" in data)
    blocks: dict = {}
    for path, value in form.extra.items():
        if path[0] == "funds" and len(path) in (2, 3):
            continue
        if len(path) == 1:
            doc.add(path, f"{key(path[0])}: {_flow(value)}", label_of("header", path[0]) if label_of("header", path[0]) != path[0] else None)
        elif len(path) == 2:
            blocks.setdefault(path[0], []).append((path, value))
        else:
            raise ValueError(f"an extra cell too deep to write: {path}")
    for name, cells_ in blocks.items():
        doc.add((name,), f"{key(name)}:")
        for path, value in cells_:
            doc.add(path, f"  {key(path[1])}: {_flow(value)}")

    # Review notes go above the line of their path (or of its nearest written ancestor).
    written = {path: i for i, (path, _) in reversed(list(enumerate(doc.lines))) if path is not None}
    above: dict[int, list[Review]] = {}
    header_notes: list[Review] = []
    for note in form.reviews:
        path = tuple(note.path)
        if path[-1:] == ("name",) and path[:-1] in written:
            path = path[:-1]  # a name is on the `- name:` line of its row
        while path and path not in written:
            path = path[:-1]
        if not path:
            header_notes.append(note)
        else:
            above.setdefault(written[path], []).append(note)

    head = []
    if schema:
        head.append(f"# yaml-language-server: $schema={schema}")
        head.append("#")
    form_en = kind_of(form.kind).en
    form_en = form_en if form_en.endswith("form") else form_en + " form"
    what = f"the {form.year} {form_en}" if form.year else f"the {form_en}"
    head.append(_safe(f"# Imported by `perfspec import`{f' from {origin}' if origin else ''}:"))
    head.append(_safe(f'# {what} "{form.project or "?"}".'))
    if form.reviews:
        head.append(
            f"# {len(form.reviews)} {'cell' if len(form.reviews) == 1 else 'cells'} to review, each marked \"# review:\":"
        )
        head.append("# compare it with the published form, then delete the comment.")
    else:
        head.append("# Nothing to review: every cell was read where the form prints it.")
    out: list[str] = list(head)
    placed: list[tuple[int, Review]] = []
    for note in header_notes:
        lines = _wrap(f"review: {note.reason}", _WRAP)
        placed.append((len(out) + 1, note))
        out.extend("# " + line for line in lines)
    out.append("")
    for i, (path, line) in enumerate(doc.lines):
        for note in above.get(i, []):
            indent = line[: len(line) - len(line.lstrip())]
            lines = _wrap(f"review: {note.reason}", max(_WRAP - len(indent), 40))
            placed.append((len(out) + 1, note))
            out.extend(indent + "# " + text for text in lines)
        out.append(line)
    text = "\n".join(out) + "\n"
    _verify(text, form)
    placed.sort(key=lambda pair: pair[0])
    return text, placed


def to_yaml(form: FormData, schema: str | None = SCHEMA, origin: str | None = None,
            layout: Layout | str | None = None) -> str:
    return render(form, schema, origin, layout)[0]


def _verify(text: str, form: FormData) -> None:
    from perfspec.load.loader import load_text

    result = load_text(text, "<import>")
    if result.document is None or result.findings:
        problem = result.findings[0].message if result.findings else "unreadable"
        raise RuntimeError(f"the written YAML does not load back: {problem}")
    if result.document.data != form.to_data():
        raise RuntimeError("the written YAML does not load back to the imported values")
