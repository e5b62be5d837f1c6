"""What is a target change, and the history of target changes in git.

ONE comparer, `differences(before, after)`: the indicators of two forms matched
by name (NFKC, no whitespace, as perfspec/stages.py links stages), and each
change to the indicator set, a target value (年度指标值) or a weight (分值):

  removed  an indicator of `before` is not in `after` (a row printed empty, with
           neither target nor weight, approved nothing and is not counted)
  added    an indicator of `after` is not in `before`
  target   the target text differs (`>=` and `≥` are the same)
  weight   the weight differs

`perfspec check` (perfspec/stages.py) applies it between the stages of a project
year; `perfspec targets` and the 目标变更 section of `perfspec diff` apply it
between the versions of one form in git, commit by commit (`collect`), and
between the last commit and the working tree (`uncommitted`).

Git runs through perfspec/gitrepo.py (its `Git`: no hooks, no external diff or text
conversion, no pager, no transport); commits are read as objects, never checked
out; working-tree files through `Git.worktree`, perfspec's own safe reader.
Merge commits are not compared (their parents' commits are).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from perfspec.diagnostics import Finding
    from perfspec.form.model import Form, Indicator
    from perfspec.load.loader import Document

CHANGES = ("removed", "added", "target", "weight")
INDICATOR_CHANGES = frozenset(CHANGES)


def key(name: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def target_text(value: Any) -> str:
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFKC", text).replace(">=", "≥").replace("<=", "≤")
    return re.sub(r"\s+", "", text)


def by_name(form: "Form") -> dict[str, "Indicator"]:
    out: dict[str, "Indicator"] = {}
    for ind in form.indicators:
        if ind.name and not ind.not_applicable:
            out.setdefault(key(ind.name), ind)
    return out


class Difference(NamedTuple):
    change: str  # removed, added, target, weight
    name: str  # the matching key
    old: "Indicator | None"
    new: "Indicator | None"


def differences(before: "Form", after: "Form") -> list[Difference]:
    """Every change to the indicator set, a target or a weight from `before` to `after`, in form order."""
    out: list[Difference] = []
    old_set, new_set = by_name(before), by_name(after)
    for name, ind in old_set.items():
        if name not in new_set and not (ind.target is None and ind.weight is None):
            out.append(Difference("removed", name, ind, None))
    for name, ind in new_set.items():
        was = old_set.get(name)
        if was is None:
            out.append(Difference("added", name, None, ind))
            continue
        if (was.target is not None or ind.target is not None) and target_text(was.target) != target_text(ind.target):
            out.append(Difference("target", name, was, ind))
        if was.weight != ind.weight:
            out.append(Difference("weight", name, was, ind))
    return out


def adjustment(form: "Form", name: str | None, change: str) -> dict[str, Any] | None:
    """The approved adjustment (目标调整) the form records for this indicator and change."""
    items = form.has.get("adjustments")
    if not isinstance(items, list):
        return None
    for item in items:
        if not isinstance(item, dict) or key(item.get("indicator")) != key(name):
            continue
        approval = item.get("approval")
        if not isinstance(approval, str) or len(approval.strip()) < 2:
            continue
        if item.get("change") in (None, change):
            return item
    return None


# --------------------------------------------------------------------------- in git


class Commit(NamedTuple):
    sha: str  # "" for the working tree
    parent: str | None
    author: str
    email: str
    date: str
    subject: str

    @property
    def uncommitted(self) -> bool:
        return not self.sha


WORKTREE = Commit("", None, "", "", "", "")


class Change(NamedTuple):
    file: str
    commit: Commit
    short: str  # the short commit id; "" for the working tree
    change: str  # target, weight, added, removed, form-added, form-removed
    indicator: str | None
    category: str | None
    before: str | None
    after: str | None
    approval: str | None  # the approved adjustment's reference
    line: int = 1  # where the change is in the later version (the earlier one for a removed form)


class Version(NamedTuple):
    """One version of a form: its document (for lines) and its model."""

    document: "Document"
    form: "Form"

    def line(self, path: tuple[Any, ...]) -> int:
        return self.document.span(path).line  # a path the document lacks: its nearest written holder


def version(data: bytes | None, path: str) -> Version | None:
    from perfspec.form.model import build
    from perfspec.load.loader import decode, load_text

    if not isinstance(data, bytes):
        return None
    text, problem = decode(data, path)
    if text is None or problem is not None:
        return None
    document = load_text(text, path).document
    if document is None or not isinstance(document.data, dict):
        return None
    try:
        return Version(document, build(document.data))
    except Exception:  # noqa: BLE001 - a form perfspec cannot model has no targets to list
        return None


def _show(value: Any) -> str | None:
    return None if value is None else str(value)


def changes_between(file: str, commit: Commit, short: str, before: Version | None, after: Version | None) -> list[Change]:
    if before is None and after is None:
        return []
    if before is None:
        assert after is not None
        return [Change(file, commit, short, "form-added", None, None, None, str(len(after.form.indicators)), None)]
    if after is None:
        return [Change(file, commit, short, "form-removed", None, None, str(len(before.form.indicators)), None, None)]
    out: list[Change] = []
    for d in differences(before.form, after.form):
        ind = d.new if d.new is not None else d.old
        assert ind is not None
        item = adjustment(after.form, ind.name, d.change)
        if d.change == "removed":
            cats = dict(after.form.categories)
            at: tuple[Any, ...] = ("indicators",)
            if ind.level1 in cats:
                at = ("indicators", ind.level1, ind.level2) if ind.level2 in cats[ind.level1] else ("indicators", ind.level1)
            line, old, new = after.line(at), ind.target, None
        elif d.change == "added":
            line, old, new = after.line(ind.path), None, ind.target
        else:
            field = d.change
            line = after.line(ind.path + (field,) if field in ind.raw else ind.path)
            old = getattr(d.old, field)
            new = getattr(d.new, field)
        out.append(Change(
            file, commit, short, d.change, ind.name, f"{ind.level1_name}/{ind.level2_name}",
            _show(old), _show(new), str(item["approval"]).strip() if item else None, line,
        ))
    return out


def _pathspec(prefixes: list[str]) -> list[str]:
    if "" in prefixes:
        return []
    return [f":(literal){p}" for p in prefixes]


def commits(git: Any, base: str | None, prefixes: list[str], head: str = "HEAD") -> list[Commit]:
    args = [
        "log", "--no-show-signature", "--no-color", "--no-ext-diff", "--no-textconv", "--no-merges",
        "--reverse", "-z", "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s",
        f"{base}..{head}" if base else head, "--", *_pathspec(prefixes),
    ]
    proc = git.run(args)
    if proc.returncode != 0:
        return []  # an empty repository has no HEAD: nothing changed
    out = []
    for record in proc.stdout.split(b"\0"):
        fields = record.decode("utf-8", "replace").strip("\n").split("\x1f")
        if len(fields) != 6:
            continue
        sha, parents, author, email, date, subject = fields
        out.append(Commit(sha, parents.split()[0] if parents.split() else None, author, email, date, subject))
    return out


def _changed_files(git: Any, commit: Commit, prefixes: list[str]) -> list[tuple[str, Any, Any]]:
    """(path, entry before, entry after) of each form the commit changed: git compares the trees,
    and names each side's blob, so no tree is ever listed whole."""
    from perfspec.gitrepo import is_spec

    return [c for c in git.changes(commit.parent, commit.sha, _pathspec(prefixes)) if is_spec(c[0], prefixes)]


def _readable(entry: Any) -> bool:
    from perfspec.gitrepo import LINK_MODE

    return entry is not None and entry.mode != LINK_MODE and bool(entry.sha)


def _read(git: Any, entry: Any, path: str, blobs: dict[str, Any] | None = None) -> Version | None:
    """The version of a form held in a git blob (a link or a missing side has none); `blobs`: read ahead."""
    from perfspec.load.loader import MAX_BYTES

    if not _readable(entry):
        return None
    data = blobs[entry.sha] if blobs is not None and entry.sha in blobs else git.blob(entry.sha, MAX_BYTES)
    return version(data if isinstance(data, bytes) else None, path)


READ_AHEAD = 64  # changed forms of a commit whose blobs are read in one request


def collect(git: Any, base: str | None, prefixes: list[str], head: str = "HEAD") -> list[Change]:
    """Every target change in the commits base..head, oldest first."""
    from perfspec.load.loader import MAX_BYTES

    out: list[Change] = []
    for commit in commits(git, base, prefixes, head):
        files = _changed_files(git, commit, prefixes)
        if not files:
            continue
        short = git.short(commit.sha)
        for start in range(0, len(files), READ_AHEAD):
            chunk = files[start : start + READ_AHEAD]
            blobs = git.blobs((e.sha for _, old, new in chunk for e in (old, new) if _readable(e)), MAX_BYTES)
            for file, old, new in chunk:
                out += changes_between(file, commit, short, _read(git, old, file, blobs), _read(git, new, file, blobs))
    return out


def uncommitted(git: Any, prefixes: list[str]) -> list[Change]:
    """The target changes of the working tree against the last commit (HEAD), not yet committed."""
    from perfspec.gitrepo import is_spec

    proc = git.run(["rev-parse", "--verify", "-q", "HEAD^{commit}"])
    head = proc.stdout.decode().strip() if proc.returncode == 0 else None
    tree = {p: e for p, e in (git.tree(head) if head else {}).items() if is_spec(p, prefixes)}
    work = git.worktree(prefixes)
    out: list[Change] = []
    for path in sorted(set(tree) | set(work)):
        entry, data = work.get(path, (None, None))
        if path in tree and entry is not None and entry.sha == tree[path].sha:
            continue  # unchanged
        after = version(data, path) if entry is not None else None
        out += changes_between(path, WORKTREE, "", _read(git, tree.get(path), path), after)
    return out


def since(git: Any, tag: str, changes: list[Change]) -> list[Change]:
    """The changes made after `tag`: in a commit that the tag does not contain, or not yet committed."""
    contained: dict[str, bool] = {}
    out = []
    for c in changes:
        if c.commit.uncommitted:
            out.append(c)
            continue
        if c.commit.sha not in contained:
            proc = git.run(["merge-base", "--is-ancestor", c.commit.sha, tag])
            contained[c.commit.sha] = proc.returncode == 0
        if not contained[c.commit.sha]:
            out.append(c)
    return out


# How a change reads, per language: the words of each kind of change, and the sentence around them.
_SAY = {
    "zh": {
        "target": "年度指标值", "weight": "分值", "added": "新增指标", "removed": "删除指标",
        "form-added": "新增表（{n} 个指标）", "form-removed": "删除表（原有 {n} 个指标）",
        "indicator": "{what}“{indicator}”（{category}，指标值 {value}）",
        "value": "“{indicator}”的{what} {before} → {after}",
        "approved": "［已批准的目标调整：{approval}］", "blank": "空白",
    },
    "en": {
        "target": "target", "weight": "weight", "added": "indicator added", "removed": "indicator removed",
        "form-added": "form added ({n} indicators)", "form-removed": "form removed ({n} indicators)",
        "indicator": "{what}: '{indicator}' ({category}, target {value})",
        "value": "{what} of '{indicator}': {before} → {after}",
        "approved": " [approved adjustment: {approval}]", "blank": "blank",
    },
}


def describe(c: Change, lang: str) -> str:
    say = _SAY["en" if lang == "en" else "zh"]

    def shown(value: object) -> object:
        return value if value is not None else say["blank"]

    if c.change == "form-added":
        text = say["form-added"].format(n=c.after)
    elif c.change == "form-removed":
        text = say["form-removed"].format(n=c.before)
    elif c.change in ("added", "removed"):
        value = c.after if c.change == "added" else c.before
        text = say["indicator"].format(what=say[c.change], indicator=c.indicator, category=c.category, value=shown(value))
    else:
        text = say["value"].format(what=say[c.change], indicator=c.indicator, before=shown(c.before), after=shown(c.after))
    return text + (say["approved"].format(approval=c.approval) if c.approval else "")


def when(c: Change, lang: str) -> tuple[str, str, str]:
    """(commit, date, author) as shown; the working tree's changes are 未提交."""
    if c.commit.uncommitted:
        return ("未提交" if lang == "zh" else "uncommitted", "", "")
    return (c.short, c.commit.date[:10], c.commit.author)


def after_budget(git: Any, tag: str, changes: list[Change], engine: Any, shown: str | None = None) -> list[Finding]:
    """PS605: each indicator change made after the budget tag (`tag`, a commit id; `shown`, as the user
    named it) without an approved adjustment."""
    from perfspec.diagnostics import Finding

    code = "PS605"
    if code not in engine.rules or not engine.enabled(code):
        return []
    severity = engine.options.profile.severity_for(code, engine.rules[code].severity)
    out: list[Finding] = []
    for c in since(git, tag, [c for c in changes if c.change in INDICATOR_CHANGES and c.approval is None]):
        done_zh = "尚未提交" if c.commit.uncommitted else f"提交 {c.short}（{c.commit.author}，{c.commit.date[:10]}）"
        done_en = "not committed yet" if c.commit.uncommitted else f"commit {c.short} ({c.commit.author}, {c.commit.date[:10]})"
        out.append(Finding(
            c.file, c.line, 1, code, severity,
            f"预算批复（{shown or tag}）之后改动：{describe(c, 'zh')}，{done_zh}；没有写明批准的目标调整（adjustments）。",
            f"edited after the budget ({shown or tag}): {describe(c, 'en')}, {done_en}; no approved adjustment (adjustments)",
            "indicators", key=change_key(c),
        ))
    return out


def change_key(c: Change) -> str:
    """What tells one change of a form from another: the change and the indicator (PS605's key)."""
    return f"{c.change}:{key(c.indicator)}"


def change_json(c: Change, lang: str) -> dict[str, Any]:
    return {
        "file": c.file, "line": c.line, "commit": c.commit.sha or None, "short": c.short or None,
        "author": c.commit.author or None, "email": c.commit.email or None, "date": c.commit.date or None,
        "subject": c.commit.subject or None, "uncommitted": c.commit.uncommitted,
        "change": c.change, "indicator": c.indicator, "category": c.category,
        "before": c.before, "after": c.after, "approval": c.approval, "message": describe(c, lang),
    }
