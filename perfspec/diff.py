"""`perfspec diff`: what changed in the forms between two git revisions.

Git is run as a subprocess with a list argv (never a shell); every revision is
resolved to a commit id before it is used, and a revision that looks like an
option is refused, so nothing the user types can become a git option. Git only
reads commit objects, with the repository's own commands switched off
(`GIT_SAFETY`); the working tree is listed and read by perfspec itself, through
the same safe opener as `perfspec check` (no filter, fsmonitor or link out of the
repository), and a blob larger than the size limit is never read.

Each side is checked with its own configuration: the base revision's
`.perfspec.yaml` (and repository profile and layout files) for the base side,
the head's for the head side; any change to them is reported, and a change that
lets more through is marked as such. Findings are matched by (code, YAML path,
key), never by line, so moving lines does not make anything "new"; indicator
paths are translated through the indicator matching first, so reordering a list
does not either.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Iterator, Sequence

from perfspec.check.engine import SPEC_SUFFIXES, Engine, FileResult
from perfspec.diagnostics import ERROR, INFO, WARNING, Finding, Path, format_path
from perfspec.errors import UsageError
from perfspec.form.layout import LayoutError
from perfspec.form.model import Indicator, Spec, build, number
from perfspec.load.loader import MAX_BYTES

from perfspec.gitrepo import LINK_MODE, Entry, Git, is_spec

ADDED, MODIFIED, REMOVED, RENAMED = "added", "modified", "removed", "renamed"
FIELDS = ("weight", "score", "target", "actual")

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
    """Checks one side of a form: a blob of a commit (through a temporary file) or a working-tree file."""

    def __init__(self, git: Git, engine: Engine, tmp: str) -> None:
        self.git, self.engine, self.tmp = git, engine, tmp
        self.count = 0
        self.read: dict[str, bytes | int | None] = {}  # blobs read ahead (`Git.blobs`), by object id

    def side(self, commit: str | None, path: str, entry: Entry | None = None, engine: Engine | None = None) -> Side:
        engine = engine or self.engine
        if commit is None:
            return side_from_result(path, engine.check_file(os.path.join(self.git.top, path), path))
        if entry is None:
            return Side(path, [], None, ("无法从 git 读取", "cannot be read from git"))
        if entry.mode == LINK_MODE:
            return Side(path, [], None, ("是符号链接，未读取", "is a symbolic link; not read"))
        sha = entry.sha or ""
        data = self.read[sha] if sha in self.read else self.git.blob(sha, MAX_BYTES)
        if data is None:
            return Side(path, [], None, ("无法从 git 读取", "cannot be read from git"))
        if isinstance(data, int):
            finding = Finding(
                path, 1, 1, "PS004", ERROR,
                f"文件过大（{data} 字节，上限 {MAX_BYTES} 字节）：一张自评表通常只有几 KB，未读取",
                f"file too large ({data} bytes, limit {MAX_BYTES}): a form is a few KB; not read", "",
            )
            return Side(path, [finding], None, (f"PS004 {finding.message}", f"PS004 {finding.message_en}"))
        self.count += 1
        temp = os.path.join(self.tmp, f"{self.count}.yaml")
        with open(temp, "wb") as handle:
            handle.write(data)
        try:
            return side_from_result(path, engine.check_file(temp, path))
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
    ratio = difflib.SequenceMatcher(None, (b.name or "")[:NAME_CHARS], (a.name or "")[:NAME_CHARS]).ratio()
    values = sum(1 for f in ("target", "actual") if _same(b.raw.get(f), a.raw.get(f)))
    if ratio >= 0.6 or (ratio >= 0.4 and values >= 1) or values == 2:
        return ratio + values / 2
    return None


ALL_PAIRS = 400  # a category with at most this many (before × after) unpaired indicators compares them all
RENAME_WINDOW = 4  # otherwise each is compared with this many on either side of its relative position
NAME_CHARS = 200  # names are compared on their first characters only (SequenceMatcher is quadratic)


def _near(ibs: list[int], ias: list[int]) -> Iterator[tuple[int, int]]:
    """(before, after) pairs whose relative positions among the unpaired are close: linear in their number."""
    scale = len(ias) / len(ibs)
    for n, ib in enumerate(ibs):
        centre = int(n * scale)
        for m in range(max(0, centre - RENAME_WINDOW), min(len(ias), centre + RENAME_WINDOW + 1)):
            yield ib, ias[m]


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
    # Renames, within a category. Every pair is compared only in a small category; in a large one
    # each indicator is compared with those near its own position among the unpaired, so renaming
    # 2,500 indicators costs some 2,500 × RENAME_WINDOW comparisons instead of 2,500².
    groups_b: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    groups_a: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    for ib, b in left_b.items():
        groups_b[(b.level1, b.level2)].append(ib)
    for ia, a in left_a.items():
        groups_a[(a.level1, a.level2)].append(ia)
    candidates = []
    for group, ibs in groups_b.items():
        ias = groups_a.get(group, [])
        if not ias:
            continue
        if len(ibs) * len(ias) <= ALL_PAIRS:
            pairs_to_try: Iterable[tuple[int, int]] = ((ib, ia) for ib in ibs for ia in ias)
        else:
            pairs_to_try = _near(ibs, ias)
        for ib, ia in pairs_to_try:
            score = _similarity(left_b[ib], left_a[ia])
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
    # Head findings the base revision's configuration would report as new, hidden by the head's.
    hidden: list[Finding] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        """The head version exists but could not be read at all (no finding locates why): the gate fails."""
        return self.head is not None and self.head.spec is None and not self.head.findings

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
    settings: SettingsChange | None = None  # by default what `compare` found
    # The 目标变更 section: every target change between the revisions (perfspec/targets.py), and
    # PS605 for those made after the budget tag without an approved adjustment.
    targets: list[Any] = field(default_factory=list)
    budget_tag: str | None = None
    target_findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.settings is None:
            self.settings = getattr(self.forms, "settings", None)

    @property
    def setting_changes(self) -> list[SettingChange]:
        return self.settings.changes if self.settings is not None else []

    def hidden_count(self, severity: str) -> int:
        return sum(1 for form in self.forms for f in form.hidden if f.severity == severity)

    def unreadable_count(self) -> int:
        return sum(1 for form in self.forms if form.unreadable)

    def total(self, which: str, severity: str) -> int:
        extra = sum(1 for f in self.target_findings if f.severity == severity and f.acknowledged is None) if which == "new" else 0
        return sum(getattr(form, f"{which}_counts")()[severity] for form in self.forms) + extra

    def acknowledged_count(self) -> int:
        return sum(len(form.findings.acknowledged) for form in self.forms)

    @property
    def fails(self) -> bool:
        """New error-level findings on the head side, or a head form that cannot be read: the exit code is 1."""
        return self.total("new", ERROR) > 0 or self.unreadable_count() > 0


class FormList(list):  # type: ignore[type-arg]
    """The changed forms, and what changed in the configuration they were checked with."""

    settings: "SettingsChange | None" = None


def compare(
    git: Git, engine: Engine, prefixes: list[str], base: str, head: str | None,
    overrides: dict[str, Any] | None = None,
) -> FormList:
    """Every changed spec between commit `base` and commit `head` (None: the working tree).

    Each side is checked with its own configuration: the base revision's `.perfspec.yaml`
    (and repository profile and layout files) for the base side, the head's for the head side;
    options given on the command line apply to both (`overrides`: select, ignore and profile as
    given; by default told from the working folder's configuration). What changed is in `.settings`.
    """
    forms = FormList()
    try:
        with tempfile.TemporaryDirectory(prefix="perfspec-diff-") as tmp:
            # Commit to commit, git names the changed files and nothing lists either tree whole: a form
            # that is not among them is the same on both sides. The working tree has no tree object to
            # compare with, so then the base is listed and every form of the working tree read.
            base_tree = git.tree(base) if head is None else None
            differ = git.changes(base, head) if head is not None else None
            settings = settings_change(git, engine, prefixes, base, head, base_tree, None, tmp, overrides, differ)
            forms.settings = settings
            wanted = sorted(set(prefixes) | set(settings.base.prefixes) | set(settings.head.prefixes))
            before: dict[str, Entry] = {}
            after: dict[str, Entry] = {}
            if differ is not None:
                for path, old, new in differ:
                    if is_spec(path, wanted):
                        if old is not None:
                            before[path] = old
                        if new is not None:
                            after[path] = new
            else:
                assert base_tree is not None
                before = {p: e for p, e in base_tree.items() if is_spec(p, wanted)}
                after = {p: entry for p, (entry, _) in git.worktree(wanted).items()}
            reader = Reader(git, settings.head.engine, tmp)
            # Only when the configuration changed: the head is checked again with the base's.
            weakened = bool(settings.changes) and settings.base.engine is not settings.head.engine
            changed = changes(git, before, after, head)
            for n, (status, old, new) in enumerate(changed):
                if n % READ_AHEAD == 0:
                    # The blobs of the next forms in one request: a wait on git per READ_AHEAD forms, not two per side.
                    ahead = changed[n : n + READ_AHEAD]
                    entries = [before.get(o) for _, o, _ in ahead if o]
                    entries += [after.get(w) for _, _, w in ahead if w and head is not None]
                    reader.read = git.blobs((e.sha for e in entries if e and e.sha and e.mode != LINK_MODE), MAX_BYTES)
                kind = {"A": ADDED, "D": REMOVED, "R": RENAMED}.get(status, MODIFIED)
                base_side = reader.side(base, old, before.get(old), settings.base.engine) if old is not None else None
                head_side = reader.side(head, new, after.get(new), settings.head.engine) if new is not None else None
                form = diff_form(kind, old, new, base_side, head_side)
                if weakened and head_side is not None and new is not None:
                    # What the head would show under the base configuration that its own hides.
                    shown = {_key(f) for f in form.findings.new + form.findings.unacknowledged}
                    again = reader.side(head, new, after.get(new), settings.base.engine)
                    probe = diff_form(kind, old, new, base_side, again)
                    form.hidden = [
                        f for f in probe.findings.new + probe.findings.unacknowledged
                        if f.acknowledged is None and f.severity in (ERROR, WARNING) and _key(f) not in shown
                    ]
                forms.append(form)
    finally:
        git.close()
    order = {ADDED: 1, MODIFIED: 0, RENAMED: 0, REMOVED: 2}
    forms.sort(key=lambda f: (order[f.status], f.path))
    return forms


READ_AHEAD = 64  # forms whose blobs are read in one request
RENAME_PAIRS = 10_000  # removed × added forms compared by content; beyond it only exact renames
RENAME_SIMILARITY = 0.5  # git's default: half the content kept


def changes(
    git: Git, before: dict[str, Entry], after: dict[str, Entry], head: str | None,
) -> list[tuple[str, str | None, str | None]]:
    """(status letter, old path, new path) for every changed spec: A, D, M, or R (a rename, exact or similar)."""
    out: list[tuple[str, str | None, str | None]] = []
    for path in sorted(before.keys() & after.keys()):
        b, a = before[path], after[path]
        if a.sha is None or b.sha != a.sha:  # a mode change alone changes no content
            out.append(("M", path, path))
    removed = sorted(before.keys() - after.keys())
    added = sorted(after.keys() - before.keys())
    # Exact renames: the same content at another path.
    by_sha: dict[str, deque[str]] = defaultdict(deque)
    for path in removed:
        by_sha[before[path].sha or ""].append(path)
    renamed: dict[str, str] = {}
    for path in added:
        sha = after[path].sha
        queue = by_sha.get(sha) if sha else None
        if queue:
            renamed[path] = queue.popleft()
    gone = set(renamed.values())
    removed = [p for p in removed if p not in gone]
    added_left = [p for p in added if p not in renamed]
    if removed and added_left and len(removed) * len(added_left) <= RENAME_PAIRS:
        renamed.update(_similar(git, before, after, head, removed, added_left))
        gone = set(renamed.values())
        removed = [p for p in removed if p not in gone]
    for path in added:
        out.append(("R", renamed[path], path) if path in renamed else ("A", None, path))
    out += [("D", path, None) for path in removed]
    return out


def _lines(data: bytes | int | None) -> Counter[bytes] | None:
    if not isinstance(data, bytes):
        return None
    return Counter(data.replace(b"\r\n", b"\n").split(b"\n"))


def _similar(
    git: Git, before: dict[str, Entry], after: dict[str, Entry], head: str | None, removed: list[str], added: list[str],
) -> dict[str, str]:
    """new path → old path for forms whose lines are at least half the same (greedy, best first)."""
    from perfspec.load.files import TooLarge, read_spec

    blobs = git.blobs((e.sha or "" for e in [*(before[p] for p in removed), *(after[p] for p in added if head is not None)]
                       if e.mode != LINK_MODE), MAX_BYTES)
    old = {p: _lines(blobs[before[p].sha or ""]) for p in removed if before[p].mode != LINK_MODE}
    new: dict[str, Counter[bytes] | None] = {}
    for p in added:
        if head is not None:
            new[p] = _lines(blobs[after[p].sha or ""]) if after[p].mode != LINK_MODE else None
        else:
            try:
                new[p] = _lines(read_spec(os.path.join(git.top, p), MAX_BYTES, git.top))
            except (OSError, TooLarge):
                new[p] = None
    scored = []
    for pa, la in new.items():
        if not la:
            continue
        size_a = sum(la.values())
        for pb, lb in old.items():
            if not lb:
                continue
            size_b = sum(lb.values())
            common = sum((la & lb).values())
            score = 2 * common / (size_a + size_b)
            if score >= RENAME_SIMILARITY:
                scored.append((-score, pa, pb))
    out: dict[str, str] = {}
    used: set[str] = set()
    for _, pa, pb in sorted(scored):
        if pa not in out and pb not in used:
            out[pa] = pb
            used.add(pb)
    return out


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


# --------------------------------------------------------------------------- the configuration of each side


@dataclass
class SideSettings:
    """The configuration one side is checked with."""

    engine: Engine
    prefixes: list[str]
    config: Any  # perfspec.config.Config, or None: no configuration file (the defaults)
    path: str | None  # the configuration file, relative to the top of the repository
    sha: str | None  # its object id, to see any change (comments included)
    problem: tuple[str, str] | None = None  # why this side's own configuration could not be used


@dataclass
class SettingChange:
    zh: str
    en: str
    weakens: bool = False  # the gate lets more through than before

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass
class SettingsChange:
    base: SideSettings
    head: SideSettings
    changes: list[SettingChange] = field(default_factory=list)

    @property
    def weakens(self) -> bool:
        return any(c.weakens for c in self.changes)


MATERIALIZED = 500  # at most this many of a revision's other YAML files (profiles, layouts) are written out
_RANK = {ERROR: 3, WARNING: 2, INFO: 1}
_SEVERITY_ZH = {ERROR: "错误", WARNING: "警告", INFO: "提示"}


def _config_candidates(top: str) -> list[str]:
    """Where `.perfspec.yaml` is looked for, relative to the top: the working folder, then each folder up to the top."""
    from perfspec.load.files import CONFIG_NAME, inside

    real_top = os.path.realpath(top)
    here = os.path.realpath(os.getcwd())
    out = []
    while inside(here, real_top):
        out.append(os.path.relpath(os.path.join(here, CONFIG_NAME), real_top).replace(os.sep, "/"))
        if here == real_top:
            break
        here = os.path.dirname(here)
    return out


def _overrides(engine: Engine, config: Any) -> dict[str, Any]:
    """What the command line set, as against the working folder's configuration: it applies to both sides."""
    from perfspec.profile import ProfileError, load_profile

    options = engine.options
    out: dict[str, Any] = {}
    if options.select != config.select:
        out["select"] = options.select
    if options.ignore != config.ignore:
        out["ignore"] = options.ignore
    try:
        configured = load_profile(config.profile, config.root)
    except ProfileError:
        configured = None
    if options.profile != configured:
        out["profile"] = options.profile
    return out


def _engine(config: Any, overrides: dict[str, Any]) -> Engine:
    from perfspec.check.engine import Options
    from perfspec.profile import load_profile

    profile = overrides["profile"] if "profile" in overrides else load_profile(config.profile, config.root)
    return Engine(Options(
        profile=profile,
        select=overrides.get("select", config.select),
        ignore=overrides.get("ignore", config.ignore),
        layout=config.layout,
        root=config.root,
    ))


def _safe_parts(path: str) -> list[str] | None:
    parts = path.split("/")
    if len(parts) > 64 or any(p in ("", ".", "..") or "\0" in p or os.sep in p for p in parts):
        return None
    return parts


def _materialize(git: Git, tree: dict[str, Entry], folder: str, config: str | None, specs: list[str]) -> None:
    """Write a revision's configuration and its other YAML files (profiles, layouts) below `folder`."""
    names = sorted(
        (p for p, e in tree.items() if e.mode != LINK_MODE and p.endswith(SPEC_SUFFIXES) and p != config and not is_spec(p, specs)),
        key=lambda p: (p.count("/"), p),
    )[:MATERIALIZED]
    if config is not None:
        names.insert(0, config)
    blobs = git.blobs((tree[name].sha or "" for name in names if _safe_parts(name)), MAX_BYTES)
    for name in names:
        parts = _safe_parts(name)
        data = blobs[tree[name].sha or ""] if parts else None
        if not isinstance(data, bytes) or parts is None:
            continue
        with open(os.path.join(_folders(folder, parts[:-1]), parts[-1]), "wb") as handle:
            handle.write(data)


def _folders(folder: str, parts: list[str]) -> str:
    """folder/parts..., made one level at a time (os.makedirs recurses per level)."""
    for part in parts:
        folder = os.path.join(folder, part)
        if not os.path.isdir(folder):
            os.mkdir(folder)
    return folder


def _side_prefixes(config: Any, folder: str) -> list[str]:
    """The configured spec paths of a side, relative to the top of the repository."""
    out = []
    for p in config.paths:
        rel = os.path.relpath(os.path.normpath(os.path.join(config.root, p)), folder)
        if rel == os.curdir:
            out.append("")
        elif not rel.startswith(os.pardir):
            out.append(rel.replace(os.sep, "/"))
    return out


def _tree_settings(
    git: Git, tree: dict[str, Entry], rev: str, label: str, tmp: str,
    candidates: list[str], specs: list[str], overrides: dict[str, Any],
) -> SideSettings:
    from perfspec.config import Config, read_config

    path = next((c for c in candidates if c in tree and tree[c].mode != LINK_MODE), None)
    folder = os.path.join(tmp, label)
    os.mkdir(folder)
    _materialize(git, tree, folder, path, specs)
    if path is None:
        where = os.path.dirname(candidates[0]) if candidates else ""
        config = Config(root=_folders(folder, _safe_parts(where) or [] if where else []))
        found = None
    else:
        config = read_config(os.path.join(folder, *path.split("/")), display=f"{rev}:{path}")
        found = config
    return SideSettings(_engine(config, overrides), _side_prefixes(config, folder), found, path,
                        tree[path].sha if path else None)


def _apply(
    tree: dict[str, Entry], differ: list[tuple[str, Entry | None, Entry | None]], also: list[str],
) -> dict[str, Entry]:
    """The head's YAML files (and `also`) from the base's and the files that differ between them."""
    out = dict(tree)
    for path, _, new in differ:
        out.pop(path, None)
        if new is not None and (path.endswith(SPEC_SUFFIXES) or path in also):
            out[path] = new
    return out


def settings_change(
    git: Git, engine: Engine, prefixes: list[str], base: str, head: str | None,
    base_tree: dict[str, Entry] | None, head_tree: dict[str, Entry] | None, tmp: str,
    overrides: dict[str, Any] | None = None,
    differ: list[tuple[str, Entry | None, Entry | None]] | None = None,
) -> SettingsChange:
    """The configuration of each side, and what changed between them.

    A side's files are read from its tree as listed when given, else git is asked for its YAML
    files other than the forms (`Git.yaml_files`), or, for the head, they are the base's with
    `differ` applied (`Git.changes(base, head)`, when known); `head` None is the working tree.
    """
    from perfspec.config import load_config
    from perfspec.errors import UsageError as _Usage
    from perfspec.load.files import inside, read_spec
    from perfspec.profile import ProfileError

    current = load_config(".")
    real_top = os.path.realpath(git.top)
    file = os.path.realpath(current.file) if current.file else None
    rel = os.path.relpath(file, real_top).replace(os.sep, "/") if file and inside(file, real_top) else None
    sha = None
    if rel is not None:
        try:
            sha = git.hash(read_spec(file or "", MAX_BYTES, git.top))
        except Exception:  # noqa: BLE001 - the engine read it already; a failure here only hides "changed"
            sha = None
    worktree = SideSettings(engine, list(prefixes), current if current.file else None, rel, sha)
    if current.file and rel is None:
        # A configuration outside the repository (or named by PERFSPEC_CONFIG) is not versioned: one for both.
        return SettingsChange(worktree, worktree)
    candidates = [rel] if rel is not None else _config_candidates(git.top)
    if overrides is None:
        overrides = _overrides(engine, current)
    # Outside the `try`s below: a revision git cannot list is a usage error, not a configuration problem.
    if base_tree is None:
        base_tree = git.yaml_files(base, prefixes, candidates)
    if head is not None and head_tree is None:
        head_tree = git.yaml_files(head, prefixes, candidates) if differ is None else _apply(base_tree, differ, candidates)
    failures = (ProfileError, _Usage, LayoutError, OSError)
    if head is None:
        head_settings = worktree
    else:
        assert head_tree is not None
        try:
            head_settings = _tree_settings(git, head_tree, head, "head", tmp, candidates, prefixes, overrides)
        except failures as exc:
            raise UsageError(f"{head} 版本的配置无法使用：{exc}") from None
    try:
        base_settings = _tree_settings(git, base_tree, base, "base", tmp, candidates, prefixes, overrides)
    except failures as exc:
        base_settings = SideSettings(
            head_settings.engine, head_settings.prefixes, None, None, None,
            (f"修改前的配置无法使用（{exc}），修改前的表也按修改后的配置检查",
             f"the base revision's configuration cannot be used ({exc}); the base side is checked with the head's"),
        )
    change = SettingsChange(base_settings, head_settings)
    change.changes = describe_settings(base_settings, head_settings, overrides)
    return change


def _layout_of(side: SideSettings) -> Any:
    from perfspec.form.layout import load_layout

    try:
        return load_layout(side.engine.options.layout, side.engine.options.root)._replace(id="")
    except (LayoutError, OSError):
        return None


def _listed(items: Iterable[str]) -> str:
    return "、".join(items)


def describe_settings(base: SideSettings, head: SideSettings, overrides: dict[str, Any]) -> list[SettingChange]:
    """Each change in the configuration, in words; those that let more through are marked as weakening."""
    from perfspec.config import Config

    out: list[SettingChange] = []
    if base.problem is not None:
        out.append(SettingChange(base.problem[0], base.problem[1], True))
        return out
    b = base.config or Config()
    h = head.config or Config()
    name = head.path or base.path or ".perfspec.yaml"
    if base.path is None and head.path is not None:
        out.append(SettingChange(f"新增了配置文件 {head.path}", f"{head.path} was added"))
    elif base.path is not None and head.path is None:
        out.append(SettingChange(f"删除了配置文件 {base.path}（修改后按默认配置检查）",
                                 f"{base.path} was removed (the head is checked with the defaults)"))
    elif base.path != head.path:
        out.append(SettingChange(f"配置文件由 {base.path} 改为 {head.path}", f"the configuration moved from {base.path} to {head.path}"))
    for key in ("select", "ignore", "paths"):
        old, new = list(getattr(b, key)), list(getattr(h, key))
        added = [x for x in new if x not in old]
        removed = [x for x in old if x not in new]
        overridden = key in overrides
        note_zh = "（本次命令行的 --{} 优先，比较不受影响）".format(key) if overridden else ""
        note_en = f" (--{key} on the command line applies to both sides)" if overridden else ""
        if added:
            weakens = key == "ignore" and not overridden
            out.append(SettingChange(f"{name} 的 {key} 增加了 {_listed(added)}{note_zh}",
                                     f"{name}: {key} gained {', '.join(added)}{note_en}", weakens))
        if removed:
            weakens = key in ("select", "paths") and not overridden
            more_zh = "（其中的表不再检查）" if key == "paths" else ""
            out.append(SettingChange(f"{name} 的 {key} 去掉了 {_listed(removed)}{more_zh}{note_zh}",
                                     f"{name}: {key} lost {', '.join(removed)}{note_en}", weakens))
    if b.profile != h.profile:
        overridden = "profile" in overrides
        out.append(SettingChange(
            f"{name} 的 profile 由 {b.profile} 改为 {h.profile}" + ("（本次命令行的 --profile 优先）" if overridden else ""),
            f"{name}: profile changed from {b.profile} to {h.profile}", not overridden))
    elif base.engine.options.profile != head.engine.options.profile:
        x, y = base.engine.options.profile, head.engine.options.profile
        fields = [f for f in x._fields if getattr(x, f) != getattr(y, f)]
        out.append(SettingChange(f"profile {h.profile} 的内容有变化（{_listed(fields)}）",
                                 f"the profile {h.profile} changed ({', '.join(fields)})", True))
    if b.layout != h.layout:
        out.append(SettingChange(f"{name} 的 layout 由 {b.layout or '（profile 的版式）'} 改为 {h.layout or '（profile 的版式）'}",
                                 f"{name}: layout changed from {b.layout or '(the profile’s)'} to {h.layout or '(the profile’s)'}", True))
    elif _layout_of(base) != _layout_of(head):
        out.append(SettingChange(f"版式 {h.layout or base.engine.options.layout} 的内容有变化",
                                 f"the layout {h.layout or base.engine.options.layout} changed", True))
    off = sorted(base.engine.enabled_codes - head.engine.enabled_codes)
    on = sorted(head.engine.enabled_codes - base.engine.enabled_codes)
    if off:
        out.append(SettingChange(f"修改后不再检查的规则：{_listed(off)}", f"rules no longer checked: {', '.join(off)}", True))
    if on:
        out.append(SettingChange(f"修改后新启用的规则：{_listed(on)}", f"rules now checked: {', '.join(on)}"))
    lowered = []
    for code in sorted(base.engine.enabled_codes & head.engine.enabled_codes):
        rule = head.engine.rules[code]
        was = base.engine.options.profile.severity_for(code, rule.severity)
        now = head.engine.options.profile.severity_for(code, rule.severity)
        if _RANK.get(now, 0) < _RANK.get(was, 0):
            lowered.append((code, was, now))
    if lowered:
        out.append(SettingChange(
            "严重级别降低：" + _listed(f"{c} {_SEVERITY_ZH.get(w, w)} → {_SEVERITY_ZH.get(n, n)}" for c, w, n in lowered),
            "severity lowered: " + ", ".join(f"{c} {w} → {n}" for c, w, n in lowered), True))
    if not out and base.sha != head.sha and (base.sha or head.sha):
        out.append(SettingChange(f"{name} 有改动（profile、layout、select、ignore、paths 都没有变化）",
                                 f"{name} was edited (profile, layout, select, ignore and paths are unchanged)"))
    return out


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
        "settings_part": "⚠ 配置有变化", "unreadable_part": "{} 张表无法读取",
        "settings": "**⚠ 配置有变化**：修改前的表按修改前的配置检查，修改后的表按修改后的配置检查。",
        "settings_weakens": "标 ⚠ 的变化放宽了检查。",
        "hidden": "按修改前的配置，这次修改还会新增 {}（列在各表的“按修改前的配置会新增的检查结果”中）。",
        "hidden_findings": "按修改前的配置会新增的检查结果",
        "targets_heading": "#### 目标变更", "commit": "提交", "date": "日期", "author": "作者",
        "targets_tag": "预算批复标签：{}。标签之后改动、没有写明批准的目标调整（adjustments）的，标 ⚠ PS605。",
        "targets_none": "两个版本之间年度指标值、分值和指标都没有改动。",
        "targets_after_tag": "预算批复（{}）之后改动、没有批准文件的目标",
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
        "settings_part": "⚠ configuration changed", "unreadable_part": "{} unreadable",
        "settings": "**⚠ The configuration changed**: the base side is checked with the base revision's "
                    "configuration, the head side with the head's.",
        "settings_weakens": "Changes marked ⚠ let more through.",
        "hidden": "Under the base configuration this change would also add {} (listed under each form).",
        "hidden_findings": "New findings under the base configuration",
        "targets_heading": "#### Target changes", "commit": "Commit", "date": "Date", "author": "Author",
        "targets_tag": "Budget tag: {}. Changes after it without an approved adjustment (adjustments) are marked ⚠ PS605.",
        "targets_none": "No target, weight or indicator changed between the two revisions.",
        "targets_after_tag": "Targets edited after the budget ({}) without an approval",
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
    if not report.forms and not report.target_findings:
        return w["no_change"] + (w["title_sep"] + w["settings_part"] if report.setting_changes else "")
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
    unreadable = report.unreadable_count()
    if unreadable:
        parts.append(w["unreadable_part"].format(unreadable))
    if len(parts) == 1:
        parts.append(w["nothing_new"])
    if report.setting_changes:
        parts.append(w["settings_part"])
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
    out += _settings_lines(report, lang, w)
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
    out += targets_section(report, lang)
    for form in report.forms:
        out += _form_section(form, report, lang, w)
    out.append(f"_{escape(w['footer'].format(report.version, report.profile.name))}_")
    return "\n".join(out) + "\n"


def targets_section(report: DiffReport, lang: str) -> list[str]:
    """目标变更: every change to a target, weight or indicator set between the revisions, with its
    commit, date and author; shown when there is one, or when a budget tag was given."""
    from perfspec.targets import change_key, describe, when

    if not report.targets and report.budget_tag is None:
        return []
    w = dict(_WORDS[lang], lang=lang)
    out = [w["targets_heading"], ""]
    if report.budget_tag is not None:
        out += [w["targets_tag"].format(escape(report.budget_tag)), ""]
    if not report.targets:
        return out + [w["targets_none"], ""]
    flagged = {(f.file, f.line, f.key) for f in report.target_findings}
    out.append(f"| {w['file']} | {w['commit']} | {w['date']} | {w['author']} | {w['change']} |")
    out.append("| --- | --- | --- | --- | --- |")
    for c in report.targets:
        commit, date, author = when(c, lang)
        mark = " ⚠ PS605" if (c.file, c.line, change_key(c)) in flagged else ""
        out.append(f"| {escape(c.file)} | {escape(commit)} | {escape(date) or w['none']} | "
                   f"{escape(author) or w['none']} | {escape(describe(c, lang))}{mark} |")
    out.append("")
    if report.target_findings:
        out += [f"**{w['targets_after_tag'].format(escape(report.budget_tag or ''))}**", ""]
        for f in report.target_findings:
            where = f"{escape(f.file)}{w['sep']}{w['line'].format(f.line)}"
            open_, close = ("（", "）") if lang == "zh" else (" (", ")")
            out.append(f"- **{w[f.severity]}** {f.code} {escape(f.text(lang))}{open_}{where}{close}")
        out.append("")
    return out


def _settings_lines(report: DiffReport, lang: str, w: dict[str, str]) -> list[str]:
    """The configuration changes, stated plainly: every one listed, those that weaken the gate marked ⚠."""
    changes = report.setting_changes
    if not changes:
        return []
    head = w["settings"]
    if any(c.weakens for c in changes):
        head += ("" if lang == "zh" else " ") + w["settings_weakens"]
    out = [head, ""]
    out += [f"- {'⚠ ' if c.weakens else ''}{escape(c.text(lang))}" for c in changes]
    hidden = {s: report.hidden_count(s) for s in (ERROR, WARNING)}
    if any(hidden.values()):
        out += ["", w["hidden"].format(_counts_text(hidden, lang))]
    out.append("")
    return out


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
        return out + _hidden_lines(form, lang, w)
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
    return out + _hidden_lines(form, lang, w)


def _hidden_lines(form: FormDiff, lang: str, w: dict[str, str]) -> list[str]:
    if not form.hidden:
        return []
    return [f"**⚠ {w['hidden_findings']}**", "", *(_finding_line(f, lang, w) for f in form.hidden), ""]


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
    from perfspec.targets import change_json

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
            "hidden_by_configuration": [_json_finding(f, lang) for f in form.hidden],
            "unreadable": form.unreadable,
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
        "targets": {
            "budget_tag": report.budget_tag,
            "changes": [change_json(c, lang) for c in report.targets],
            "findings": [_json_finding(f, lang) for f in report.target_findings],
        },
        "summary": {
            "forms_changed": len(report.forms),
            **{status: sum(1 for f in report.forms if f.status == status) for status in (ADDED, MODIFIED, RENAMED, REMOVED)},
            "new": counts["new"],
            "fixed": counts["fixed"],
            "acknowledged": report.acknowledged_count(),
            "unreadable": report.unreadable_count(),
            "configuration_changed": bool(report.setting_changes),
            "configuration_weakens": any(c.weakens for c in report.setting_changes),
            "hidden_by_configuration": {s: report.hidden_count(s) for s in (ERROR, WARNING)},
            "fails": report.fails,
        },
        "configuration": _json_settings(report, lang),
        "forms": forms,
    }


def _json_settings(report: DiffReport, lang: str) -> dict[str, Any]:
    settings = report.settings
    return {
        "base_file": settings.base.path if settings else None,
        "head_file": settings.head.path if settings else None,
        "changes": [{"message": c.text(lang), "weakens": c.weakens} for c in report.setting_changes],
    }
