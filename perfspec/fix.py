"""`perfspec fix`: fill in or correct the values a form derives from its other cells.

Five values on a form are arithmetic, not judgement: 执行率 (`funds.rate`),
预算执行率得分 (`funds.score`), 总分值 (`total.weight`), 总得分 (`total.score`)
and 评分等级 (`grade`). `fix` computes them with the very functions the checks
use (PS102–PS106) and writes the result into the file, and nothing else:

- a stated value the checker accepts is kept as written (`national` accepts a
  truncated and a half-up rate; `100` is as right as `100.00`), and so is one
  whose finding the form acknowledges (`acknowledge: {PS105: 理由}`);
- a value that cannot be computed because an input is blank is left alone, and
  a note says so;
- indicator scores and weights, deviation notes, targets and actuals are inputs
  and are never touched.

Editing is splicing: every scalar is replaced at the exact span libyaml marked
for it, a missing key is inserted as one new line (block mapping) or one new
entry (flow mapping) in the file's own line ending, and every other byte —
comments, quoting, key order, alignment, CRLF, the BOM — stays as it was. The
result is loaded again and must differ from the original in exactly the
intended values, or the file is left untouched.

Writing is atomic, with perfspec.outputs.writer: a temporary file in the same
folder, fsync, `os.replace`, with the original permission bits, owner and
extended attributes; a failure at any point leaves the original as it was and
no temporary file behind. A file with several hard links, or owned by another
user, is refused (replacing it would split the link, or hand it over).

`--diff` quotes a file name holding a control character (a newline, a tab …)
the way git does (``"a/x\\n+++ b/evil.yaml"``), so a name cannot forge a header line.
"""

from __future__ import annotations

import copy
import difflib
import errno
import os
import re
import stat
import unicodedata
from decimal import Decimal
from typing import Any, Iterable, NamedTuple

from perfspec.diagnostics import Finding, Path
from perfspec.load.files import TooLarge, read_spec
from perfspec.load.loader import MAX_BYTES, Document, Span, decode, load_file, load_text
from perfspec.form.derived import (
    accepted_rates,
    budget_in_funds,
    budget_scores,
    exact_rate,
    grade_for,
    points_sum,
    rate_is_right,
    within_rounding,
)
from perfspec.form.layout import choose_layout
from perfspec.form.model import Spec, build
from perfspec.profile import Profile

UTF8_BOM = b"\xef\xbb\xbf"
# The line breaks libyaml counts when it numbers lines (`\r\n` is one break).
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_HUNDREDTH = Decimal("0.01")


class _Field(NamedTuple):
    path: Path
    zh: str
    en: str
    code: str  # the check that owns this value; its acknowledgement keeps the value


FIELDS: dict[str, _Field] = {
    "rate": _Field(("funds", "rate"), "执行率", "execution rate", "PS102"),
    "score": _Field(("funds", "score"), "预算执行率得分", "budget score", "PS103"),
    "total_weight": _Field(("total", "weight"), "总分值", "total weight", "PS104"),
    "total_score": _Field(("total", "score"), "总得分", "total score", "PS105"),
    "grade": _Field(("grade",), "评分等级", "grade", "PS106"),
}


class Change(NamedTuple):
    field: str  # a key of FIELDS
    old: str | None  # as written; None when blank or absent
    new: str

    def text(self, lang: str = "zh") -> str:
        meta = FIELDS[self.field]
        if lang == "en":
            return f"{meta.en} {self.old if self.old is not None else '(blank)'} → {self.new}"
        return f"{meta.zh} {self.old if self.old is not None else '（空）'} → {self.new}"


class Outcome:
    """What `fix` did (or would do) to one file."""

    def __init__(
        self,
        file: str,  # as displayed
        path: str = "",
        original: str = "",  # decoded text, without the BOM
        skipped: tuple[str, str] | None = None,  # (zh, en): why the file was not touched
        unreadable: bool = False,  # the file could not be read at all (exit code 2)
    ) -> None:
        self.file = file
        self.path = path
        self.original = original
        self.fixed = original
        self.bom = False
        self.changes: list[Change] = []
        self.notes: list[tuple[str, str]] = []  # (zh, en): values that could not be computed
        self.skipped = skipped
        self.unreadable = unreadable

    @property
    def changed(self) -> bool:
        return self.skipped is None and self.fixed != self.original

    def data(self) -> bytes:
        return (UTF8_BOM if self.bom else b"") + self.fixed.encode("utf-8")

    def summary(self, lang: str = "zh") -> str:
        if lang == "en":
            return f"fixed {self.file}: " + ", ".join(c.text("en") for c in self.changes)
        return f"已修正 {self.file}：" + "，".join(c.text("zh") for c in self.changes)


class _Skip(Exception):
    """The file is left untouched; the message says why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


class WriteError(Exception):
    """The fixed file could not be written; the original is intact."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


# --------------------------------------------------------------------------
# Positions: libyaml's (line, column) marks as offsets into the text.


class _Source:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        self.line_ending = next((m.group() for m in _BREAK.finditer(text) if m.group() in ("\r\n", "\n", "\r")), "\n")

    def offset(self, line: int, column: int) -> int:
        # At the end of a file without a final line break libyaml's stream end
        # mark lies on a line of its own, one past the text.
        if line > len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def start(self, span: Span) -> int:
        return self.offset(span.line, span.column)

    def end(self, span: Span) -> int:
        return self.offset(span.end_line, span.end_column)

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        stop = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:stop]

    def content_end_line(self, span: Span) -> int:
        """The last line holding the node's text. A block scalar's end mark lies past its trailing breaks."""
        if span.end_column == 1 and span.end_line > span.line:
            line = span.end_line - 1
            while line > span.line and not self.line_text(line).strip():
                line -= 1
            return line
        return span.end_line


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def _has(data: Any, path: Path) -> bool:
    parent = _get(data, path[:-1])
    return isinstance(parent, dict) and path[-1] in parent


def _num(value: Decimal) -> str:
    """Two decimals (`99.62`, `100.00`); more only when the value is exact with more."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return format(value, "f")
    return format(value.quantize(_HUNDREDTH), "f")


# --------------------------------------------------------------------------
# Which problems make a file unsafe to fix.


def _relevant(path: Path) -> bool:
    """Whether a structural problem at `path` touches what fix reads or writes."""
    if "acknowledge" in path:
        return False
    if not path:
        return True  # the document itself is not a mapping
    if path[0] in ("funds", "total", "grade"):
        return True
    if path[0] == "indicators":
        return len(path) <= 4 or path[4] in ("weight", "score")
    return False


def _blocking(doc: Document, loader_findings: Iterable[Finding]) -> tuple[str, str] | None:
    for finding in loader_findings:
        if finding.code == "PS004" or _relevant(finding.where):
            return (
                f"第 {finding.line} 行：{finding.code} {finding.message}",
                f"line {finding.line}: {finding.code} {finding.message_en}",
            )
    from perfspec.load.schema_check import _explain, errors, passes_gate

    if passes_gate(doc.data):
        return None
    for error in errors(doc.data):
        if error.validator == "required":
            continue  # a missing input is a blank input: fix says it cannot compute what needs it
        for path, at_key, zh, en in _explain(error, doc.data):
            if path == ("total",) and isinstance(doc.data, dict) and doc.data.get("total") is None:
                continue  # `total:` left blank: fix writes it
            if _relevant(path):
                span = doc.key_span(path) if at_key else doc.span(path)
                return f"第 {span.line} 行：PS010 {zh}", f"line {span.line}: PS010 {en}"
    return None


def _acknowledged(data: dict[str, Any], code: str) -> bool:
    """Whether the holder of the value acknowledges `code` with a reason.

    As perfspec.check.acknowledge counts one: the holder is `funds`, `total` or the top
    level, and a reason has at least two characters (PS901 voids one without).
    """
    owner = {"PS102": "funds", "PS103": "funds", "PS104": "total", "PS105": "total"}.get(code)
    holder = data.get(owner) if owner else data
    acks = holder.get("acknowledge") if isinstance(holder, dict) else None
    reason = acks.get(code) if isinstance(acks, dict) else None
    return isinstance(reason, str) and len(reason.strip()) >= 2


# --------------------------------------------------------------------------
# The values.


class _Plan:
    def __init__(self) -> None:
        self.values: dict[str, Decimal | str] = {}  # field -> value to write
        self.notes: list[tuple[str, str]] = []  # (zh, en)


def _compute(spec: Spec, doc: Document, profile: Profile) -> _Plan:
    plan = _Plan()
    data = spec.has
    funds = spec.funds

    # 执行率 and 预算执行率得分 (PS102, PS103)
    rate = funds.rate if funds else None
    score = funds.score if funds else None
    if funds is None:
        plan.notes.append((
            "没有项目资金（funds）部分，无法计算执行率和预算执行率得分，未修改",
            "there is no funds block: the execution rate and budget score cannot be computed; left as is",
        ))
    else:
        exact = exact_rate(spec)
        if exact is None:
            plan.notes.append((
                "年度资金总额的全年预算数或全年执行数为空（或预算为 0），无法计算执行率和预算执行率得分，未修改",
                "the total row's annual budget or executed amount is blank (or the budget is 0): "
                "the execution rate and budget score cannot be computed; left as is",
            ))
        else:
            rates = list(dict.fromkeys(accepted_rates(exact, profile).values()))
            if not rate_is_right(spec, profile) and not (funds.rate is not None and _acknowledged(data, "PS102")):
                rate = rates[0]  # the profile's first rounding method
                plan.values["rate"] = rate
            if funds.weight is None:
                if budget_in_funds(spec):
                    plan.notes.append((
                        "预算执行率的分值为空，无法计算预算执行率得分，未修改",
                        "the funds weight is blank: the budget score cannot be computed; left as is",
                    ))
            else:
                scores = budget_scores(funds.weight, exact, profile)
                if funds.score not in scores and not (funds.score is not None and _acknowledged(data, "PS103")):
                    score = scores[0]
                    plan.values["score"] = score
        funds = funds._replace(rate=rate, score=score)
    form = spec._replace(funds=funds)

    # 总分值 and 总得分 (PS104, PS105), with the corrected budget score. A stated total that
    # differs from its rows by more than rounding is a lost or extra row, or a slip: a finding
    # for a person, never something to rewrite. Nor is a weight sum that misses full marks.
    totals: dict[str, Decimal | None] = {"weight": None, "score": None}
    left: set[str] = set()
    for name, key, code in (("total_weight", "weight", "PS104"), ("total_score", "score", "PS105")):
        found = points_sum(form, key)
        stated = spec.total_weight if key == "weight" else spec.total_score
        meta = FIELDS[name]
        if found.value is None:
            if found.blanks:
                shown = "、".join(found.blanks[:3]) + ("等" if len(found.blanks) > 3 else "")
                plan.notes.append((
                    f"{shown}为空，无法计算{meta.zh}，未修改",
                    f"blank cells ({len(found.blanks)}) prevent computing the {meta.en}; left as is",
                ))
            continue
        expected = found.value
        full = spec.layout.full_marks
        if key == "weight" and full is not None and expected != full:
            plan.notes.append((
                f"各项分值合计 {_num(expected)}，不是满分 {_num(full)}：可能漏填或多填了指标行，{meta.zh}未修改，请人工核对",
                f"the weights add up to {_num(expected)}, not the full marks {_num(full)}: a row may be missing; "
                f"the {meta.en} is left for a person to resolve",
            ))
            left.add(key)
            continue
        if stated == expected or (stated is not None and _acknowledged(data, code)):
            totals[key] = stated
            continue
        if stated is not None and not within_rounding(stated, expected, found.count + 1):
            plan.notes.append((
                f"表中{meta.zh} {_num(stated)} 与逐项合计 {_num(expected)} 相差 {_num(abs(stated - expected))}，"
                "超出舍入误差（可能漏填或多填了一行），未修改，请人工核对",
                f"the stated {meta.en} {_num(stated)} differs from the sum {_num(expected)} by more than rounding "
                "(a row may be missing or extra); left for a person to resolve",
            ))
            left.add(key)
            continue
        plan.values[name] = expected
        totals[key] = expected

    # 评分等级 (PS106), from the total score as it will stand
    grade = spec.grade
    if "score" in left:
        plan.notes.append((
            "总得分有待人工核对，评分等级未修改",
            "the total score is left for a person to resolve, and so is the grade",
        ))
    elif totals["score"] is None:
        plan.notes.append((
            "总得分无法计算，因此无法确定评分等级，未修改",
            "the total score cannot be computed, so neither can the grade; left as is",
        ))
    else:
        expected_grade = grade_for(totals["score"], profile)
        if grade != expected_grade and not (grade is not None and _acknowledged(data, "PS106")):
            plan.values["grade"] = expected_grade
    return plan


# --------------------------------------------------------------------------
# The edits.


class _Edit(NamedTuple):
    start: int
    seq: int  # edits at one offset apply in the order they were made (sorting stops here: seq is unique)
    end: int
    text: str


class _Editor:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.src = _Source(doc.text)
        self.edits: list[_Edit] = []

    def add(self, start: int, end: int, text: str) -> None:
        self.edits.append(_Edit(start, len(self.edits), end, text))

    def apply(self) -> str:
        out: list[str] = []
        at = 0
        text = self.src.text
        for edit in sorted(self.edits):
            if edit.start < at:
                raise _Skip("内部错误：修改位置重叠", "internal error: overlapping edits")
            out.append(text[at : edit.start])
            out.append(edit.text)
            at = edit.end
        out.append(text[at:])
        return "".join(out)

    # -- where things are

    def _is_flow(self, path: Path) -> bool:
        span = self.doc.spans.get(path)
        return span is not None and self.src.text[self.src.start(span) : self.src.start(span) + 1] in ("{", "[")

    def _fill_point(self, path: Path) -> tuple[int, str, str]:
        """Where an empty value goes: after the `: ` of its key, with the spaces it needs."""
        text = self.src.text
        key = self.doc.key_spans[path]
        at = self.src.end(key)
        while at < len(text) and text[at] in " \t":
            at += 1
        if at >= len(text) or text[at] != ":":
            raise _Skip(
                f"第 {key.line} 行：找不到“{path[-1]}”后的冒号",
                f"line {key.line}: no colon after '{path[-1]}'",
            )
        at += 1
        if at < len(text) and text[at] in " \t":
            at += 1
            prefix = ""
        else:
            prefix = " "
        suffix = " " if at < len(text) and text[at] == "#" else ""
        return at, prefix, suffix

    def _value_end(self, path: Path) -> int:
        span = self.doc.spans[path]
        if (span.line, span.column) == (span.end_line, span.end_column):
            return self._fill_point(path)[0]
        return self.src.end(span)

    def _block_end(self, path: Path) -> tuple[int, bool]:
        """Offset after the last line of the block mapping at `path`, and whether a line break must come first.

        The top level ends where the document ends (after trailing comments, before
        a `...` end marker); a nested mapping after the last line holding its text,
        before the blank lines and comments that follow it.
        """
        text = self.src.text
        if not path:
            at = self.src.end(self.doc.spans[()])
            return at, at > 0 and text[at - 1] not in "\r\n\x85\u2028\u2029"
        last = 0
        depth = len(path)
        for table in (self.doc.spans, self.doc.key_spans):
            for child, span in table.items():
                if len(child) <= depth or child[:depth] != path:
                    continue
                if table is self.doc.spans and isinstance(_get(self.doc.data, child), (dict, list)):
                    if not self._is_flow(child):
                        continue  # a block collection's end mark lies at the next token, past comments
                last = max(last, self.src.content_end_line(span))
        if last == 0:
            raise _Skip("内部错误：找不到映射的末尾", "internal error: cannot find the end of a mapping")
        if last < len(self.src.starts):
            return self.src.starts[last], False
        return len(self.src.text), True

    # -- what to write

    def replace_value(self, path: Path, text: str) -> None:
        span = self.doc.spans[path]
        start, end = self.src.start(span), self.src.end(span)
        if start == end:  # an empty value: `rate:` or `{score: }`
            at, prefix, suffix = self._fill_point(path)
            self.add(at, at, prefix + text + suffix)
        else:
            self.add(start, end, text)

    def insert(self, mapping: Path, entries: list[tuple[str, str]]) -> None:
        """Add `key: value` entries to the mapping at `mapping`, after its last entry."""
        value = _get(self.doc.data, mapping)
        assert isinstance(value, dict)
        le = self.src.line_ending
        if self._is_flow(mapping) or (mapping and not value):
            if not value:
                at = self.src.start(self.doc.spans[mapping]) + 1
                self.add(at, at, ", ".join(f"{k}: {v}" for k, v in entries))
            else:
                at = self._value_end(mapping + (list(value)[-1],))
                self.add(at, at, "".join(f", {k}: {v}" for k, v in entries))
            return
        first = self.doc.key_spans[mapping + (next(iter(value)),)]
        indent = " " * (first.column - 1)
        lines = [f"{indent}{k}: {v}" for k, v in entries]
        at, needs_break = self._block_end(mapping)
        block = le.join(lines)
        self.add(at, at, (le + block) if needs_break else (block + le))

    def scalar_text(self, path: Path) -> str:
        span = self.doc.spans[path]
        return self.src.text[self.src.start(span) : self.src.end(span)]


def _check_editable(doc: Document, src: _Source, paths: Iterable[Path]) -> None:
    """No anchors or aliases on the way to a value fix writes: editing one would change another."""
    seen: set[Path] = set()
    for path in paths:
        for depth in range(1, len(path) + 1):
            part = path[:depth]
            if part in seen or part not in doc.spans:
                continue
            seen.add(part)
            span = doc.spans[part]
            key = doc.key_spans.get(part)
            start = src.start(span)
            if (key is not None and start < src.end(key)) or src.text[start : start + 1] in ("&", "*"):
                line = key.line if key else span.line
                raise _Skip(
                    f"第 {line} 行：{'.'.join(map(str, part))} 使用了 YAML 锚点或别名（& / *），"
                    "修改它会同时改变别处的内容",
                    f"line {line}: {'.'.join(map(str, part))} uses a YAML anchor or alias (& / *); "
                    "editing it would change other places too",
                )


def _format_grade(old: str | None, grade: str) -> str:
    if old and old[0] in ("'", '"') and old[-1] == old[0] and len(old) >= 2:
        return old[0] + grade + old[0]
    return grade


def fix_document(doc: Document, profile: Profile, loader_findings: Iterable[Finding] = ()) -> Outcome:
    """Plan and apply the fixes to one loaded document; the file system is not touched."""
    outcome = Outcome(file=doc.file, original=doc.text)
    loader_findings = list(loader_findings)
    try:
        blocking = _blocking(doc, loader_findings)
        if blocking:
            raise _Skip(*blocking)
        spec = build(doc.data, choose_layout(doc.data, profile.layout)[0])
        plan = _compute(spec, doc, profile)
        outcome.notes = plan.notes
        if not plan.values:
            return outcome
        editor = _Editor(doc)
        data = spec.has
        _check_editable(doc, editor.src, [FIELDS[name].path for name in plan.values])
        written: dict[str, str] = {}
        for name, value in plan.values.items():
            path = FIELDS[name].path
            old = editor.scalar_text(path) if path in doc.spans else None
            if name == "grade":
                written[name] = _format_grade(old if isinstance(data.get("grade"), str) else None, str(value))
            else:
                assert isinstance(value, Decimal)
                written[name] = _num(value)
            shown_old = None
            if _get(data, path) is not None and old is not None:
                shown_old = old.strip("'\"") if name == "grade" else old
            shown_new = written[name].strip("'\"") if name == "grade" else written[name]
            outcome.changes.append(Change(name, shown_old, shown_new))

        inserts: dict[Path, list[tuple[str, str]]] = {}
        total_fresh: list[tuple[str, str]] = []  # entries of a `total` written from nothing
        for name, text in written.items():
            path = FIELDS[name].path
            if path in doc.spans:
                editor.replace_value(path, text)
            elif path[0] == "total" and not isinstance(data.get("total"), dict):
                total_fresh.append((path[1], text))
            else:
                inserts.setdefault(path[:-1], []).append((str(path[-1]), text))
        if total_fresh:
            mapping = "{" + ", ".join(f"{k}: {v}" for k, v in total_fresh) + "}"
            if ("total",) in doc.spans:  # `total:` or `total: null`
                editor.replace_value(("total",), mapping)
            else:
                inserts.setdefault((), []).insert(0, ("total", mapping))
        for mapping_path, entries in inserts.items():
            if mapping_path == ():
                entries.sort(key=lambda e: ("total", "grade").index(e[0]))
            editor.insert(mapping_path, entries)
        outcome.fixed = editor.apply()
        _verify(doc, outcome.fixed, plan.values, loader_findings)
    except _Skip as skip:
        outcome.skipped = (f"未修改：{skip.zh}", f"not changed: {skip.en}")
        outcome.changes = []
        outcome.fixed = outcome.original
    return outcome


def _verify(doc: Document, fixed: str, values: dict[str, Decimal | str], loader_findings: Iterable[Finding]) -> None:
    """The fixed text must load to the original data with exactly the intended values changed."""
    reloaded = load_text(fixed, doc.file)
    before = [(f.code, f.path) for f in loader_findings]
    expected = copy.deepcopy(doc.data)
    for name, value in values.items():
        path = FIELDS[name].path
        parent = expected
        for part in path[:-1]:
            if not isinstance(parent.get(part), dict):
                parent[part] = {}
            parent = parent[part]
        parent[path[-1]] = value
    after = [(f.code, f.path) for f in reloaded.findings]
    if reloaded.document is None or after != before or reloaded.document.data != expected:
        raise _Skip(
            "修改后的内容与预期不符（可能是少见的 YAML 写法）：请手工修改，并把这个文件报告给 perfspec 的维护者",
            "the edited text does not load as intended (an unusual YAML style?): "
            "please edit by hand, and report this file to the perfspec maintainers",
        )


# --------------------------------------------------------------------------
# Files.


def fix_file(path: str, profile: Profile, display: str | None = None) -> Outcome:
    """Read one file and plan its fixes (nothing is written; see `write_atomic`)."""
    shown = display or path
    loaded = load_file(path, shown)
    if loaded.io_error:
        return Outcome(
            file=shown, path=path, unreadable=True,
            skipped=(loaded.io_error, loaded.io_error_en or loaded.io_error),
        )
    if loaded.document is None:
        first = loaded.findings[0] if loaded.findings else None
        zh = f"未修改：第 {first.line} 行：{first.code} {first.message}" if first else "未修改：无法读取"
        en = f"not changed: line {first.line}: {first.code} {first.message_en}" if first else "not changed: unreadable"
        return Outcome(file=shown, path=path, skipped=(zh, en))
    try:
        # The same safe read as the loader's: a file swapped for a link or a FIFO in between is refused.
        raw = read_spec(path, MAX_BYTES)
    except TooLarge:
        return Outcome(file=shown, path=path, unreadable=True, skipped=("文件在读取时变大，未修改", "the file grew while it was read; not changed"))
    except OSError as exc:
        return Outcome(file=shown, path=path, unreadable=True, skipped=(f"无法读取（{exc.strerror or exc}）", f"cannot be read ({exc.strerror or exc})"))
    text, _ = decode(raw, shown)
    if text != loaded.document.text:
        return Outcome(file=shown, path=path, skipped=("未修改：文件在读取时被修改", "not changed: the file changed while it was read"))
    outcome = fix_document(loaded.document, profile, loaded.findings)
    outcome.path = path
    outcome.bom = raw.startswith(UTF8_BOM)
    return outcome


# What the usual failures mean, for a reader of Chinese; the system's own words follow.
_ERRNO_ZH = {
    getattr(errno, name): zh
    for name, zh in (
        ("ENOSPC", "磁盘已满"), ("EDQUOT", "超出磁盘配额"), ("EROFS", "文件系统是只读的"),
        ("EACCES", "没有写入权限"), ("EPERM", "没有写入权限"), ("EIO", "磁盘读写出错"),
    )
    if hasattr(errno, name)
}


def _why(exc: OSError) -> str:
    said = exc.strerror or str(exc)
    zh = _ERRNO_ZH.get(exc.errno) if exc.errno is not None else None
    return f"{zh}：{said}" if zh else said


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file's content with `data` all at once, with perfspec.outputs.writer.

    fix's own rule on top: a file without write permission is refused even where
    the rename would succeed (root, or a writable folder). A symlink is written
    through (the loader decides which files fix may read at all). Everything the
    writer refuses (hard links, another owner, extended attributes that cannot be
    copied, a FIFO) and every I/O failure becomes a WriteError saying, in Chinese
    and English, why the original is intact.
    """
    from perfspec.outputs.writer import WriteFailed, WriteRefused
    from perfspec.outputs.writer import write_atomic as write

    target = os.path.realpath(path)  # write through a symlink, keep the link
    try:
        info = os.stat(target)
    except OSError as exc:
        raise WriteError(f"无法写入（{_why(exc)}）", f"cannot be written ({exc.strerror or exc})") from exc
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise WriteError("文件是只读的，未修改（原文件保持不变）", "the file is read-only; not changed (the original is intact)")
    try:
        write(path, data)
    except WriteRefused as exc:
        raise WriteError(
            f"{exc.reason}，未修改（原文件保持不变）", f"{exc.reason_en}; not changed (the original is intact)"
        ) from exc
    except WriteFailed as exc:
        if exc.stage == "stat":
            raise WriteError(f"无法写入（{_why(exc)}）", f"cannot be written ({exc.strerror or exc})") from exc
        if exc.stage == "create":
            raise WriteError(
                f"无法在所在文件夹中写入（{_why(exc)}），未修改（原文件保持不变）",
                f"cannot write in its folder ({exc.strerror or exc}); not changed (the original is intact)",
            ) from exc
        raise WriteError(
            f"写入失败（{_why(exc)}），未修改（原文件保持不变）",
            f"writing failed ({exc.strerror or exc}); not changed (the original is intact)",
        ) from exc


def _diff_lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
              '"': '\\"', "\\": "\\\\"}


def _needs_quoting(char: str) -> bool:
    return char in _C_ESCAPES or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def diff_header_name(name: str) -> str:
    """A file name for a `---`/`+++` line, C-quoted as git quotes it when it holds a control character.

    `"a/x\\n+++ b/evil"`: a newline (or tab, CR, NEL, U+2028, a bidi control …) in
    the name cannot start a line of its own; git apply and GNU patch read the
    quoted form back to the same name. Other names, Chinese included, stay as they are.
    """
    if not any(_needs_quoting(c) for c in name):
        return name
    out = []
    for char in name:
        if char in _C_ESCAPES:
            out.append(_C_ESCAPES[char])
        elif _needs_quoting(char):
            out.append("".join(f"\\{byte:03o}" for byte in char.encode("utf-8", "surrogateescape")))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def unified_diff(outcome: Outcome) -> str:
    name = outcome.file.replace(os.sep, "/")
    old, new = (f"a/{name}", f"b/{name}") if not os.path.isabs(outcome.file) else (name, name)
    old, new = diff_header_name(old), diff_header_name(new)
    out: list[str] = []
    for line in difflib.unified_diff(_diff_lines(outcome.original), _diff_lines(outcome.fixed), old, new):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
