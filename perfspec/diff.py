"""`perfspec diff`: what changed in the forms between two git revisions.

Git is run as a subprocess with a list argv (never a shell); every revision is
resolved to a commit id before it is used, and a revision that looks like an
option is refused, so nothing the user types can become a git option.

Both sides are checked by the same engine (the configuration of the working
folder). Findings are matched by (code, YAML path, message), never by line, so
moving lines does not make anything "new"; indicator paths are translated
through the indicator matching first, so reordering a list does not either.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import tempfile
from collections import defaultdict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Sequence

from perfspec.check.engine import SPEC_SUFFIXES, Engine, FileResult
from perfspec.diagnostics import ERROR, INFO, WARNING, Finding, Path, format_path
from perfspec.errors import UsageError
from perfspec.form.model import Indicator, Spec, build, number

ADDED, MODIFIED, REMOVED, RENAMED = "added", "modified", "removed", "renamed"
FIELDS = ("weight", "score", "target", "actual")

# --------------------------------------------------------------------------- git


class Git:
    """A git repository, driven through `git -C <toplevel> ...` with a list argv."""

    def __init__(self, start: str = ".") -> None:
        proc = _run_git(["rev-parse", "--show-toplevel"], os.path.abspath(start))
        if proc.returncode != 0:
            raise UsageError(f"当前目录不在 git 仓库中（{_first_line(proc.stderr)}）")
        self.top = os.fsdecode(proc.stdout).strip()

    def run(self, args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
        return _run_git(["-C", self.top, *args], self.top)

    def resolve(self, rev: str) -> str:
        """The commit id of `rev`; a usage error if there is none."""
        if not rev or rev.startswith("-") or "\0" in rev:
            raise UsageError(f"无效的 git 版本“{rev}”")
        proc = self.run(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"])
        if proc.returncode != 0:
            raise UsageError(f"找不到 git 版本“{rev}”（浅克隆时请取回完整历史，如 GIT_DEPTH: 0 或 fetch-depth: 0）")
        return proc.stdout.decode("ascii").strip()

    def short(self, commit: str) -> str:
        proc = self.run(["rev-parse", "--short", commit])
        return proc.stdout.decode("ascii").strip() if proc.returncode == 0 else commit[:12]

    def changes(self, base: str, head: str | None) -> list[tuple[str, str | None, str | None]]:
        """(status letter, old path, new path) for every changed file; untracked files count as added."""
        args = ["diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", base]
        if head is not None:
            args.append(head)
        args.append("--")
        proc = self.run(args)
        if proc.returncode != 0:
            raise UsageError(f"git diff 失败：{_first_line(proc.stderr)}")
        fields = [os.fsdecode(p) for p in proc.stdout.split(b"\0")]
        out: list[tuple[str, str | None, str | None]] = []
        i = 0
        while i < len(fields) and fields[i]:
            status = fields[i][:1]
            if status in "RC":
                old, new = fields[i + 1], fields[i + 2]
                out.append((status, old, new) if status == "R" else ("A", None, new))
                i += 3
                continue
            path = fields[i + 1]
            i += 2
            if status == "A":
                out.append(("A", None, path))
            elif status == "D":
                out.append(("D", path, None))
            elif status in "MT":
                out.append(("M", path, path))
            # U (unmerged) and X (unknown): nothing sensible to compare
        if head is None:
            proc = self.run(["ls-files", "-z", "--others", "--exclude-standard"])
            if proc.returncode != 0:
                raise UsageError(f"git ls-files 失败：{_first_line(proc.stderr)}")
            removed = {old: n for n, (s, old, _) in enumerate(out) if s == "D"}
            for raw in proc.stdout.split(b"\0"):
                path = os.fsdecode(raw)
                if not path:
                    continue
                if path in removed:  # removed from the index but still on disk
                    out[removed[path]] = ("M", path, path)
                else:
                    out.append(("A", None, path))
        return out

    def show(self, commit: str, path: str) -> bytes | None:
        proc = self.run(["show", "--no-textconv", f"{commit}:{path}"])
        return proc.stdout if proc.returncode == 0 else None


def _run_git(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", PAGER="cat")
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise UsageError("找不到 git 命令：perfspec diff 需要安装 git") from None
    except OSError as exc:
        raise UsageError(f"无法运行 git：{exc}") from None


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "git 没有给出原因"


def spec_prefixes(git: Git, config_root: str, paths: Iterable[str]) -> list[str]:
    """The configured spec paths, relative to the top of the repository ('' is all of it)."""
    top = os.path.realpath(git.top)
    out = []
    for p in paths:
        rel = os.path.relpath(os.path.realpath(os.path.join(config_root, p)), top)
        if rel == os.curdir:
            out.append("")
        elif not rel.startswith(os.pardir):
            out.append(rel.replace(os.sep, "/"))
    return out


def is_spec(path: str, prefixes: Iterable[str]) -> bool:
    """What `perfspec check` would collect: a configured file, or a visible *.yaml / *.yml below a configured folder."""
    for prefix in prefixes:
        if path == prefix:
            return True
        if prefix and not path.startswith(prefix + "/"):
            continue
        rest = path[len(prefix) + 1 :] if prefix else path
        if path.endswith(SPEC_SUFFIXES) and not any(part.startswith(".") for part in rest.split("/")):
            return True
    return False


# --------------------------------------------------------------------------- one side of a form


@dataclass
class Side:
    """One version of one form."""

    path: str
    findings: list[Finding]
    spec: Spec | None  # None when it could not be read or parsed
    problem: tuple[str, str] | None = None  # (zh, en) why there is no spec

    def problem_text(self, lang: str) -> str:
        assert self.problem is not None
        return self.problem[1] if lang == "en" else self.problem[0]


def side_from_result(path: str, result: FileResult) -> Side:
    if result.io_error:
        return Side(path, [], None, (f"无法读取：{result.io_error}", f"cannot be read: {result.io_error_en}"))
    if result.document is None:
        first = next((f for f in result.findings if f.severity == ERROR), result.findings[0] if result.findings else None)
        if first is None:
            return Side(path, result.findings, None, ("无法解析", "could not be parsed"))
        return Side(
            path, result.findings, None,
            (f"{first.code} {first.message}（第 {first.line} 行）", f"{first.code} {first.message_en} (line {first.line})"),
        )
    return Side(path, result.findings, build(result.document.data))


class Reader:
    """Checks a path at a commit (through a temporary file) or in the working tree."""

    def __init__(self, git: Git, engine: Engine, tmp: str) -> None:
        self.git, self.engine, self.tmp = git, engine, tmp
        self.count = 0

    def side(self, commit: str | None, path: str) -> Side:
        if commit is None:
            return side_from_result(path, self.engine.check_file(os.path.join(self.git.top, path), path))
        data = self.git.show(commit, path)
        if data is None:
            return Side(path, [], None, ("无法从 git 读取", "cannot be read from git"))
        self.count += 1
        temp = os.path.join(self.tmp, f"{self.count}.yaml")
        with open(temp, "wb") as handle:
            handle.write(data)
        try:
            return side_from_result(path, self.engine.check_file(temp, path))
        finally:
            os.unlink(temp)


# --------------------------------------------------------------------------- comparing


def _same(a: Any, b: Any) -> bool:
    na, nb = number(a), number(b)
    if na is not None and nb is not None:
        return na == nb
    return type(a) is type(b) and a == b


@dataclass
class IndicatorChange:
    status: str  # changed, renamed, moved, added, removed
    before: Indicator | None
    after: Indicator | None
    fields: tuple[str, ...]  # which of weight/score/target/actual/deviation differ


def _changed_fields(b: Indicator, a: Indicator) -> tuple[str, ...]:
    out = [f for f in FIELDS if not _same(b.raw.get(f), a.raw.get(f))]
    if (b.deviation or "").strip() != (a.deviation or "").strip():
        out.append("deviation")
    return tuple(out)


def _similarity(b: Indicator, a: Indicator) -> float | None:
    """How alike two indicators of one category are, or None if too unlike to be a rename.

    Weight and score alone say little (many indicators are worth 10 and got 10); a rename
    keeps most of the name, or the name partly and the target or actual value, or both values.
    """
    ratio = difflib.SequenceMatcher(None, b.name or "", a.name or "").ratio()
    values = sum(1 for f in ("target", "actual") if _same(b.raw.get(f), a.raw.get(f)))
    if ratio >= 0.6 or (ratio >= 0.4 and values >= 1) or values == 2:
        return ratio + values / 2
    return None


def match_indicators(before: Sequence[Indicator], after: Sequence[Indicator]) -> list[tuple[Indicator | None, Indicator | None, str]]:
    """Pairs (before, after, how): same category and name, then the same name in another
    category ("moved"), then a similar indicator of the same category ("renamed"); the
    rest are added or removed. Equal names pair up in their order."""
    pairs: list[tuple[Indicator | None, Indicator | None, str]] = []
    left_b = dict(enumerate(before))  # index -> indicator, still unpaired
    left_a = dict(enumerate(after))

    def pair(ib: int, ia: int, how: str) -> None:
        pairs.append((left_b.pop(ib), left_a.pop(ia), how))

    for key, how in (
        (lambda i: (i.level1, i.level2, i.name), "same"),
        (lambda i: i.name, "moved"),
    ):
        queues: dict[Any, deque[int]] = defaultdict(deque)
        for ia, a in left_a.items():
            if key(a) is not None:
                queues[key(a)].append(ia)
        for ib, b in list(left_b.items()):
            queue = queues.get(key(b)) if key(b) is not None else None
            if queue:
                pair(ib, queue.popleft(), how)
    candidates = []
    for ib, b in left_b.items():
        for ia, a in left_a.items():
            if (b.level1, b.level2) == (a.level1, a.level2):
                score = _similarity(b, a)
                if score is not None:
                    candidates.append((-score, ib, ia))
    for _, ib, ia in sorted(candidates):
        if ib in left_b and ia in left_a:
            pair(ib, ia, "renamed")
    pairs += [(None, a, "added") for a in left_a.values()]
    pairs += [(b, None, "removed") for b in left_b.values()]
    return pairs


def indicator_changes(pairs: list[tuple[Indicator | None, Indicator | None, str]], after: Sequence[Indicator]) -> list[IndicatorChange]:
    order = {id(a): n for n, a in enumerate(after)}
    out: list[IndicatorChange] = []
    for b, a, how in pairs:
        if b is None or a is None:
            out.append(IndicatorChange(how, b, a, ()))
            continue
        changed = _changed_fields(b, a)
        if how == "same" and not changed:
            continue
        out.append(IndicatorChange("changed" if how == "same" else how, b, a, changed))
    return sorted(out, key=lambda c: (c.after is None, order.get(id(c.after), 0)))


@dataclass(frozen=True)
class _Moved:
    """Where a head indicator was in the base version, and what it was called there."""

    path: Path
    head_name: str | None
    base_name: str | None


def _key(f: Finding, translate: dict[Path, _Moved] | None = None) -> tuple[str, str, str]:
    """What a finding is, wherever its lines are: code, YAML path (of the base version) and key.

    Never the message: its words and numbers change with the language and the values.
    """
    where = f.where
    if translate and len(where) >= 4 and where[0] == "indicators":
        moved = translate.get(where[:4])
        if moved is not None:
            where = moved.path + where[4:]
    path = format_path(where) if where or not f.path else f.path
    return (f.code, path, f.key)



@dataclass
class FindingChanges:
    new: list[Finding] = field(default_factory=list)  # head findings without a base counterpart
    fixed: list[Finding] = field(default_factory=list)  # base findings without a head counterpart
    acknowledged: list[Finding] = field(default_factory=list)  # head findings acknowledged since base
    unacknowledged: list[Finding] = field(default_factory=list)  # head findings whose acknowledgement was removed


def compare_findings(base: list[Finding], head: list[Finding], translate: dict[Path, _Moved] | None = None) -> FindingChanges:
    out = FindingChanges()
    pool: dict[tuple[str, str, str], deque[Finding]] = defaultdict(deque)
    for f in base:
        pool[_key(f)].append(f)
    for f in head:
        queue = pool.get(_key(f, translate))
        if not queue:
            out.new.append(f)
            continue
        old = queue.popleft()
        if old.acknowledged is None and f.acknowledged is not None:
            out.acknowledged.append(f)
        elif old.acknowledged is not None and f.acknowledged is None:
            out.unacknowledged.append(f)
    out.fixed = [f for queue in pool.values() for f in queue]
    out.fixed.sort(key=Finding.sort_key)
    return out


# --------------------------------------------------------------------------- the report


@dataclass
class FormDiff:
    status: str  # added, modified, removed, renamed
    old_path: str | None
    new_path: str | None
    base: Side | None
    head: Side | None
    indicators: list[IndicatorChange] = field(default_factory=list)
    findings: FindingChanges = field(default_factory=FindingChanges)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    def new_counts(self) -> dict[str, int]:
        """Unacknowledged findings that are new on the head side (or lost their acknowledgement), by severity."""
        counts = {ERROR: 0, WARNING: 0, INFO: 0}
        for f in self.findings.new + self.findings.unacknowledged:
            if f.acknowledged is None:
                counts[f.severity] = counts.get(f.severity, 0) + 1
        return counts

    def fixed_counts(self) -> dict[str, int]:
        counts = {ERROR: 0, WARNING: 0, INFO: 0}
        for f in self.findings.fixed:
            if f.acknowledged is None:
                counts[f.severity] = counts.get(f.severity, 0) + 1
        return counts


@dataclass
class DiffReport:
    base_rev: str
    base_commit: str
    head_rev: str | None  # None: the working tree
    head_commit: str | None
    forms: list[FormDiff]
    profile: Any
    version: str = ""
    base_commit_short: str = ""
    head_commit_short: str = ""

    def total(self, which: str, severity: str) -> int:
        return sum(getattr(form, f"{which}_counts")()[severity] for form in self.forms)

    def acknowledged_count(self) -> int:
        return sum(len(form.findings.acknowledged) for form in self.forms)

    @property
    def fails(self) -> bool:
        """New error-level findings on the head side: the exit code is 1."""
        return self.total("new", ERROR) > 0


def compare(git: Git, engine: Engine, prefixes: list[str], base: str, head: str | None) -> list[FormDiff]:
    """Every changed spec between commit `base` and commit `head` (None: the working tree)."""
    forms: list[FormDiff] = []
    with tempfile.TemporaryDirectory(prefix="perfspec-diff-") as tmp:
        reader = Reader(git, engine, tmp)
        for status, old, new in git.changes(base, head):
            old_spec = old is not None and is_spec(old, prefixes)
            new_spec = new is not None and is_spec(new, prefixes)
            if not (old_spec or new_spec):
                continue
            if status == "R" and not old_spec:  # moved in from elsewhere
                status, old = "A", None
            elif status == "R" and not new_spec:  # moved out of the spec folders
                status, new = "D", None
            kind = {"A": ADDED, "D": REMOVED, "R": RENAMED}.get(status, MODIFIED)
            if kind == MODIFIED and _same_content(git, base, head, old, new):
                continue
            base_side = reader.side(base, old) if old is not None else None
            head_side = reader.side(head, new) if new is not None else None
            forms.append(diff_form(kind, old, new, base_side, head_side))
    order = {ADDED: 1, MODIFIED: 0, RENAMED: 0, REMOVED: 2}
    forms.sort(key=lambda f: (order[f.status], f.path))
    return forms


def _same_content(git: Git, base: str, head: str | None, old: str | None, new: str | None) -> bool:
    """A file git lists as modified whose bytes are unchanged (only its mode or stat data differ)."""
    if old is None or new is None:
        return False
    before = git.show(base, old)
    if head is not None:
        after = git.show(head, new)
    else:
        try:
            with open(os.path.join(git.top, new), "rb") as handle:
                after = handle.read()
        except OSError:
            return False
    return before is not None and before == after


def diff_form(kind: str, old: str | None, new: str | None, base: Side | None, head: Side | None) -> FormDiff:
    form = FormDiff(kind, old, new, base, head)
    if head is not None and base is None:
        form.findings = FindingChanges(new=list(head.findings))
    elif head is not None and base is not None:
        translate: dict[Path, _Moved] = {}
        if base.spec is not None and head.spec is not None:
            pairs = match_indicators(base.spec.indicators, head.spec.indicators)
            form.indicators = indicator_changes(pairs, head.spec.indicators)
            translate = {a.path: _Moved(b.path, a.name, b.name) for b, a, _ in pairs if a is not None and b is not None}
        form.findings = compare_findings(base.findings, head.findings, translate)
        if head.spec is None and base.spec is not None:
            form.findings.fixed = []  # unknown, not fixed: the new version cannot be checked
    return form


# --------------------------------------------------------------------------- summary values


@dataclass
class Value:
    value: Any
    computed: bool = False


def summary(spec: Spec, profile: Any) -> dict[str, Value]:
    """Project, total score, grade and execution rate: as stated, or computed where the form leaves them blank."""
    from perfspec.form.derived import accepted_rates, exact_rate, grade_for, points_sum

    root = spec.has
    score = Value(spec.total_score)
    if score.value is None:
        score = Value(points_sum(spec, "score").value, True)
    grade = Value(spec.grade)
    if grade.value is None and score.value is not None:
        grade = Value(grade_for(score.value, profile), True)
    rate = Value(spec.funds.rate if spec.funds else None)
    if rate.value is None and spec.funds is not None:
        exact = exact_rate(spec)
        if exact is not None and profile.rate_rounding:
            rate = Value(next(iter(accepted_rates(exact, profile).values())), True)
    weight = Value(spec.total_weight)
    return {
        "project": Value(root.get("project")),
        "total_score": score,
        "grade": grade,
        "rate": rate,
        "total_weight": weight,
    }


# --------------------------------------------------------------------------- Markdown

# Data never becomes markup: HTML, table and code characters become entities,
# Markdown punctuation is backslash-escaped, and line breaks, other control
# characters and bidirectional overrides become spaces (a <br> would be markup).
_ESCAPES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "`": "&#96;", '"': "&quot;",
    **{c: "\\" + c for c in "\\*_[]~#$!"},
}
_SPACES = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def escape(text: Any) -> str:
    """`text` as literal Markdown text: safe inside a paragraph, a list item, a heading or a table cell."""
    flat = _SPACES.sub(" ", str(text)).strip()
    return "".join(_ESCAPES.get(c, c) for c in flat)


_WORDS = {
    "zh": {
        ADDED: "新增", MODIFIED: "修改", REMOVED: "删除", RENAMED: "改名",
        "changed": "修改", "moved": "移动",
        ERROR: "错误", WARNING: "警告", INFO: "提示",
        "blank": "（空）", "unparsed": "（无法解析）", "none": "—", "computed": "（计算值）",
        "project": "项目名称", "total_score": "总得分", "grade": "评分等级", "rate": "执行率", "total_weight": "总分值",
        "indicator": "指标", "change": "变化", "weight": "分值", "score": "得分", "target": "年度指标值",
        "actual": "实际完成值", "deviation": "偏差原因说明",
        "dev_added": "已填写", "dev_changed": "已修改", "dev_removed": "已删除",
        "new_findings": "新增的检查结果", "fixed_findings": "已修复的检查结果",
        "acknowledged_findings": "新确认的检查结果", "findings": "检查结果", "no_findings": "没有检查结果。",
        "unacked": "（确认已删除）", "acked": "（已确认：{}）",
        "file": "文件", "form": "项目", "new": "新增", "fixed": "修复",
        "unparsed_base": "修改前无法解析", "unparsed_head": "修改后无法解析", "unparsed_side": "无法解析",
        "no_value_change": "指标的分值、得分、年度指标值和实际完成值都没有变化。",
        "line": "第 {} 行", "sep": "，", "colon": "：", "list": "、",
        "worktree": "工作区", "compare": "比较：{} → {}", "before": "修改前", "after": "修改后",
        "title": "### perfspec：{}", "no_change": "### perfspec：自评表没有变化",
        "title_sep": "，", "new_part": "新增 {}", "fixed_part": "修复 {}",
        "acked_part": "确认 {}", "nothing_new": "没有新增或修复的错误和警告",
        "footer": "perfspec {}，profile：{}",
    },
    "en": {
        ADDED: "added", MODIFIED: "modified", REMOVED: "removed", RENAMED: "renamed",
        "changed": "modified", "moved": "moved",
        ERROR: "error", WARNING: "warning", INFO: "info",
        "blank": "(blank)", "unparsed": "(unparseable)", "none": "—", "computed": " (computed)",
        "project": "Project", "total_score": "Total score", "grade": "Grade", "rate": "Execution rate",
        "total_weight": "Total weight",
        "indicator": "Indicator", "change": "Change", "weight": "Weight", "score": "Score", "target": "Target",
        "actual": "Actual", "deviation": "Deviation note",
        "dev_added": "added", "dev_changed": "changed", "dev_removed": "removed",
        "new_findings": "New findings", "fixed_findings": "Fixed findings",
        "acknowledged_findings": "Newly acknowledged findings", "findings": "Findings", "no_findings": "No findings.",
        "unacked": " (acknowledgement removed)", "acked": " (acknowledged: {})",
        "file": "File", "form": "Project", "new": "New", "fixed": "Fixed",
        "unparsed_base": "Cannot parse the old version", "unparsed_head": "Cannot parse the new version",
        "unparsed_side": "Cannot parse",
        "no_value_change": "No indicator's weight, score, target or actual value changed.",
        "line": "line {}", "sep": ", ", "colon": ": ", "list": ", ",
        "worktree": "working tree", "compare": "Comparing: {} → {}", "before": "Before", "after": "After",
        "title": "### perfspec: {}", "no_change": "### perfspec: no form changed",
        "title_sep": "; ", "new_part": "new: {}", "fixed_part": "fixed: {}",
        "acked_part": "acknowledged: {}", "nothing_new": "no new or fixed errors or warnings",
        "footer": "perfspec {}, profile: {}",
    },
}


def _value(value: Any, w: dict[str, str]) -> str:
    if value is None:
        return w["blank"]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, str)):
        return str(value)
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def _arrow(before: str | None, after: str | None) -> str:
    if before is None:
        return after or ""
    if after is None or before == after:
        return before
    return f"{before} → {after}"


def _summary_text(side: Side | None, key: str, profile: Any, w: dict[str, str]) -> str | None:
    """One summary value of one side, escaped; None when the side does not exist."""
    if side is None:
        return None
    if side.spec is None:
        return w["unparsed"]
    value = summary(side.spec, profile)[key]
    text = escape(_value(value.value, w))
    if key == "rate" and value.value is not None:
        text += "%"
    return text + (w["computed"] if value.computed else "")


def _plural(n: int, word: str, lang: str) -> str:
    return f"{n} 个{word}" if lang == "zh" else f"{n} {word}{'' if n == 1 else 's'}"


def _counts_text(counts: dict[str, int], lang: str) -> str:
    w = _WORDS[lang]
    return w["list"].join(_plural(counts[s], w[s], lang) for s in (ERROR, WARNING) if counts.get(s))


def title(report: DiffReport, lang: str) -> str:
    w = _WORDS[lang]
    if not report.forms:
        return w["no_change"]
    n = len(report.forms)
    parts = [f"{n} 张表有变化" if lang == "zh" else f"{n} form{'' if n == 1 else 's'} changed"]
    new = {s: report.total("new", s) for s in (ERROR, WARNING)}
    fixed = {s: report.total("fixed", s) for s in (ERROR, WARNING)}
    if any(new.values()):
        parts.append(w["new_part"].format(_counts_text(new, lang)))
    if any(fixed.values()):
        parts.append(w["fixed_part"].format(_counts_text(fixed, lang)))
    acked = report.acknowledged_count()
    if acked:
        parts.append(w["acked_part"].format(acked))
    if len(parts) == 1:
        parts.append(w["nothing_new"])
    return w["title"].format(w["title_sep"].join(parts))


def _finding_line(f: Finding, lang: str, w: dict[str, str], suffix: str = "") -> str:
    where = w["line"].format(f.line)
    if f.path:
        where = escape(f.path) + w["sep"] + where
    ack = w["acked"].format(escape(f.acknowledged)) if f.acknowledged is not None else ""
    open_, close = ("（", "）") if lang == "zh" else (" (", ")")
    return f"- **{w[f.severity]}** {f.code} {escape(f.text(lang))}{open_}{where}{close}{ack}{suffix}"


def _cell(change: IndicatorChange, name: str, w: dict[str, str]) -> str:
    b = escape(_value(change.before.raw.get(name), w)) if change.before else None
    a = escape(_value(change.after.raw.get(name), w)) if change.after else None
    return _arrow(b, a)


def _label(ind: Indicator) -> str:
    return " / ".join(escape(x) for x in (ind.level1, ind.level2, ind.label))


def _indicator_row(change: IndicatorChange, w: dict[str, str]) -> str:
    b, a = change.before, change.after
    if b is not None and a is not None and change.status == "moved":
        label = f"{escape(b.level1)} / {escape(b.level2)} → {escape(a.level1)} / {escape(a.level2)} / {escape(a.label)}"
    elif b is not None and a is not None and change.status == "renamed":
        label = f"{escape(a.level1)} / {escape(a.level2)} / {escape(b.label)} → {escape(a.label)}"
    else:
        label = _label(a or b)  # type: ignore[arg-type]
    cells = [label, w[change.status]] + [_cell(change, f, w) for f in FIELDS]
    note = ""
    if b is not None and a is not None and "deviation" in change.fields:
        if not (b.deviation or "").strip():
            note = w["dev_added"]
        elif not (a.deviation or "").strip():
            note = w["dev_removed"]
        else:
            note = w["dev_changed"]
    shown = (a.deviation if a is not None else None) or ""
    if shown.strip() and (note or b is None):
        shown = shown.strip()
        excerpt = escape(shown[:60] + ("…" if len(shown) > 60 else ""))
        note = f"{note}{w['colon']}{excerpt}" if note else excerpt
    cells.append(note)
    return "| " + " | ".join(cells) + " |"


def _side_lines(form: FormDiff, profile: Any, w: dict[str, str]) -> list[str]:
    keys = ("project", "total_score", "grade", "rate", "total_weight")
    sides = [s for s in (form.base, form.head) if s is not None]
    broken = [s for s in sides if s.spec is None]
    lines = []
    if not broken:
        for key in keys:
            before = _summary_text(form.base, key, profile, w)
            after = _summary_text(form.head, key, profile, w)
            if key == "total_weight" and (before == after or before is None or after is None):
                continue
            lines.append(f"- {w[key]}{w['colon']}{_arrow(before, after)}")
        return lines
    for side in broken:  # say why, then show what can be shown of the other side
        label = "unparsed_side" if len(sides) == 1 else ("unparsed_base" if side is form.base else "unparsed_head")
        lines.append(f"- {w[label]}{w['colon']}{escape(side.problem_text(w['lang']))}")
    for side in sides:
        if side.spec is not None:
            label = w["before"] if side is form.base else w["after"]
            values = w["sep"].join(f"{w[k]} {_summary_text(side, k, profile, w)}" for k in keys[:4])
            lines.append(f"- {label}{w['colon']}{values}")
    return lines


def markdown(report: DiffReport, lang: str = "zh") -> str:
    w = dict(_WORDS[lang], lang=lang)
    out = [title(report, lang), ""]
    base = _rev(report.base_rev, report.base_commit, report.base_commit_short, lang)
    head = w["worktree"] if report.head_rev is None else \
        _rev(report.head_rev, report.head_commit or "", report.head_commit_short, lang)
    out += [w["compare"].format(base, head), ""]
    if report.forms:
        out.append(f"| {w['file']} | {w['change']} | {w['form']} | {w['total_score']} | {w['new']} | {w['fixed']} |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for form in report.forms:
            path = escape(form.path) if form.status != RENAMED else f"{escape(form.old_path)} → {escape(form.new_path)}"
            project = _arrow(_summary_text(form.base, "project", report.profile, w),
                             _summary_text(form.head, "project", report.profile, w))
            score = _arrow(_summary_text(form.base, "total_score", report.profile, w),
                           _summary_text(form.head, "total_score", report.profile, w))
            new = _counts_text(form.new_counts(), lang) or w["none"]
            fixed = _counts_text(form.fixed_counts(), lang) or w["none"]
            out.append(f"| {path} | {w[form.status]} | {project} | {score} | {new} | {fixed} |")
        out.append("")
    for form in report.forms:
        out += _form_section(form, report, lang, w)
    out.append(f"_{escape(w['footer'].format(report.version, report.profile.name))}_")
    return "\n".join(out) + "\n"


def _rev(rev: str, commit: str, short: str, lang: str) -> str:
    """A revision as given, with its short commit id unless it is one already."""
    if commit.startswith(rev.lower()):
        return escape(short)
    return f"{escape(rev)} ({escape(short)})" if lang == "en" else f"{escape(rev)}（{escape(short)}）"


def _form_section(form: FormDiff, report: DiffReport, lang: str, w: dict[str, str]) -> list[str]:
    if form.status == RENAMED:
        heading = f"#### {w[RENAMED]}{w['colon']}{escape(form.old_path)} → {escape(form.new_path)}"
    else:
        heading = f"#### {w[form.status]}{w['colon']}{escape(form.path)}"
    out = [heading, ""]
    out += _side_lines(form, report.profile, w)
    out.append("")
    if form.status == REMOVED:
        return out
    if form.status == ADDED:
        out.append(f"**{w['findings']}**")
        out.append("")
        out += [_finding_line(f, lang, w) for f in form.findings.new] or [w["no_findings"]]
        out.append("")
        return out
    if form.base is not None and form.head is not None and form.base.spec and form.head.spec:
        if form.indicators:
            names = [w["indicator"], w["change"]] + [w[f] for f in FIELDS] + [w["deviation"]]
            out.append("| " + " | ".join(names) + " |")
            out.append("|" + " --- |" * len(names))
            out += [_indicator_row(c, w) for c in form.indicators]
        else:
            out.append(w["no_value_change"])
        out.append("")
    changes = form.findings
    if changes.new or changes.unacknowledged:
        out += [f"**{w['new_findings']}**", ""]
        out += [_finding_line(f, lang, w) for f in changes.new]
        out += [_finding_line(f, lang, w, w["unacked"]) for f in changes.unacknowledged]
        out.append("")
    if changes.fixed:
        out += [f"**{w['fixed_findings']}**", ""]
        out += [_finding_line(f, lang, w) for f in changes.fixed]
        out.append("")
    if changes.acknowledged:
        out += [f"**{w['acknowledged_findings']}**", ""]
        out += [_finding_line(f, lang, w) for f in changes.acknowledged]
        out.append("")
    return out


# --------------------------------------------------------------------------- JSON


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, as written: 100.00 stays 100.00
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _json_finding(f: Finding, lang: str) -> dict[str, Any]:
    return {
        "file": f.file, "line": f.line, "column": f.column, "code": f.code, "severity": f.severity,
        "message": f.text(lang), "path": f.path, "expected": f.expected,
        "acknowledged": f.acknowledged is not None, "reason": f.acknowledged,
    }


def _json_side(side: Side | None, profile: Any, lang: str) -> dict[str, Any] | None:
    if side is None:
        return None
    out: dict[str, Any] = {"path": side.path, "parsed": side.spec is not None,
                           "error": side.problem_text(lang) if side.problem else None}
    if side.spec is not None:
        for key, value in summary(side.spec, profile).items():
            out[key] = _json_value(value.value)
            if key != "project":
                out[f"{key}_computed"] = value.computed
    return out


def _json_indicator(ind: Indicator | None) -> dict[str, Any] | None:
    if ind is None:
        return None
    return {
        "level1": ind.level1, "level2": ind.level2, "name": ind.name,
        **{f: _json_value(ind.raw.get(f)) for f in FIELDS}, "deviation": ind.deviation,
    }


def as_json(report: DiffReport, lang: str = "zh") -> dict[str, Any]:
    forms = []
    for form in report.forms:
        forms.append({
            "status": form.status,
            "path": form.path,
            "old_path": form.old_path,
            "new_path": form.new_path,
            "base": _json_side(form.base, report.profile, lang),
            "head": _json_side(form.head, report.profile, lang),
            "indicators": [
                {"status": c.status, "changed": list(c.fields),
                 "before": _json_indicator(c.before), "after": _json_indicator(c.after)}
                for c in form.indicators
            ],
            "new_findings": [_json_finding(f, lang) for f in form.findings.new],
            "fixed_findings": [_json_finding(f, lang) for f in form.findings.fixed],
            "acknowledged_findings": [_json_finding(f, lang) for f in form.findings.acknowledged],
            "unacknowledged_findings": [_json_finding(f, lang) for f in form.findings.unacknowledged],
        })
    counts = {
        which: {s: report.total(which, s) for s in (ERROR, WARNING, INFO)} for which in ("new", "fixed")
    }
    return {
        "version": report.version,
        "profile": report.profile.name,
        "title": title(report, lang).lstrip("# "),
        "base": {"rev": report.base_rev, "commit": report.base_commit},
        "head": {"rev": report.head_rev, "commit": report.head_commit, "worktree": report.head_rev is None},
        "summary": {
            "forms_changed": len(report.forms),
            **{status: sum(1 for f in report.forms if f.status == status) for status in (ADDED, MODIFIED, RENAMED, REMOVED)},
            "new": counts["new"],
            "fixed": counts["fixed"],
            "acknowledged": report.acknowledged_count(),
            "fails": report.fails,
        },
        "forms": forms,
    }
