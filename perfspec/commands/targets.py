"""`perfspec targets [REV]`: every change to a target, weight or indicator set since a revision.

For each commit after REV (a tag made when the budget was approved, a branch, a
commit; without REV the whole history) that touches a form under the
configuration's `paths`, the form before and after the commit are compared
indicator by indicator (by name, as perfspec/stages.py links stages): a target
value (年度指标值) changed, a weight (分值) changed, an indicator added or removed,
a form added or deleted. Each change is listed with its commit, author and date;
one the form records as an approved adjustment (`adjustments:` with its approval
reference) is marked with that reference.

Git runs as in perfspec/diff.py (its `Git`: no hooks, no external diff or text
conversion, no pager, no transport); commits are read as objects, never checked
out. Merge commits are not compared (their parents' commits are). Uncommitted
changes are not listed: commit them, or use `perfspec diff`.

Exit codes: 0 listed (whatever changed); 2 usage errors (not a git repository,
unknown revision).
"""

from __future__ import annotations

import argparse
from typing import Any, NamedTuple, TextIO

HELP = "列出某个 git 版本以来年度指标值、分值和指标的每一处改动（提交、作者、日期）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rev", metavar="REV", nargs="?", help="起点 git 版本（如预算批复时打的标签）；默认全部历史")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")


class Commit(NamedTuple):
    sha: str
    parent: str | None
    author: str
    email: str
    date: str
    subject: str


class Change(NamedTuple):
    file: str
    commit: Commit
    short: str
    change: str  # target, weight, added, removed, form-added, form-removed
    indicator: str | None
    category: str | None
    before: str | None
    after: str | None
    approval: str | None  # the approved adjustment's reference


def _commits(git: Any, base: str | None, prefixes: list[str]) -> list[Commit]:
    args = [
        "log", "--no-show-signature", "--no-color", "--no-ext-diff", "--no-textconv", "--no-merges",
        "--reverse", "-z", "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s",
        f"{base}..HEAD" if base else "HEAD", "--", *_pathspec(prefixes),
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


def _pathspec(prefixes: list[str]) -> list[str]:
    if "" in prefixes:
        return []
    return [f":(literal){p}" for p in prefixes]


def _changed_files(git: Any, commit: Commit, prefixes: list[str]) -> list[str]:
    from perfspec.diff import is_spec

    args = ["diff-tree", "-r", "-z", "--no-commit-id", "--name-only", "--no-renames", "--no-ext-diff", "--no-textconv"]
    args += [commit.parent, commit.sha] if commit.parent else ["--root", commit.sha]
    proc = git.run([*args, "--", *_pathspec(prefixes)])
    if proc.returncode != 0:
        return []
    names = [n.decode("utf-8", "surrogateescape") for n in proc.stdout.split(b"\0") if n]
    return [n for n in names if is_spec(n, prefixes)]


class _Forms:
    """The form of a path at a commit, read from git's objects (a tree listing per commit, cached)."""

    def __init__(self, git: Any) -> None:
        self.git = git
        self.trees: dict[str, dict[str, Any]] = {}

    def form(self, commit: str | None, path: str) -> Any:
        from perfspec.diff import LINK_MODE
        from perfspec.form.model import build
        from perfspec.load.loader import MAX_BYTES, decode, load_text

        if commit is None:
            return None
        if commit not in self.trees:
            self.trees[commit] = self.git.tree(commit)
        entry = self.trees[commit].get(path)
        if entry is None or entry.mode == LINK_MODE or not entry.sha:
            return None
        data = self.git.blob(entry.sha, MAX_BYTES)
        if not isinstance(data, bytes):
            return None
        text, problem = decode(data, path)
        if text is None or problem is not None:
            return None
        document = load_text(text, path).document
        if document is None or not isinstance(document.data, dict):
            return None
        try:
            return build(document.data)
        except Exception:  # noqa: BLE001 - a form perfspec cannot model has no targets to list
            return None


def _show(value: Any) -> str | None:
    return None if value is None else str(value)


def changes_between(file: str, commit: Commit, short: str, before: Any, after: Any) -> list[Change]:
    from perfspec.stages import _by_name, _target_text, adjustment

    def make(change: str, ind: Any = None, old: Any = None, new: Any = None) -> Change:
        approval = None
        if ind is not None and after is not None:
            item = adjustment(after, ind.name, change)
            approval = str(item["approval"]).strip() if item else None
        category = f"{ind.level1_name}/{ind.level2_name}" if ind is not None else None
        return Change(file, commit, short, change, ind.name if ind is not None else None, category,
                      _show(old), _show(new), approval)

    if before is None and after is None:
        return []
    if before is None:
        return [make("form-added", None, None, len(after.indicators))]
    if after is None:
        return [make("form-removed", None, len(before.indicators), None)]
    out: list[Change] = []
    old_set, new_set = _by_name(before), _by_name(after)
    for name, ind in old_set.items():
        if name not in new_set:
            out.append(make("removed", ind, ind.target, None))
    for name, ind in new_set.items():
        was = old_set.get(name)
        if was is None:
            out.append(make("added", ind, None, ind.target))
            continue
        if was.target is not None or ind.target is not None:
            if _target_text(was.target) != _target_text(ind.target):
                out.append(make("target", ind, was.target, ind.target))
        if was.weight != ind.weight:
            out.append(make("weight", ind, was.weight, ind.weight))
    return out


def collect(git: Any, base: str | None, prefixes: list[str]) -> list[Change]:
    forms = _Forms(git)
    out: list[Change] = []
    for commit in _commits(git, base, prefixes):
        files = _changed_files(git, commit, prefixes)
        if not files:
            continue
        short = git.short(commit.sha)
        for file in files:
            out += changes_between(file, commit, short, forms.form(commit.parent, file), forms.form(commit.sha, file))
    return out


_ZH = {
    "target": "年度指标值", "weight": "分值", "added": "新增指标", "removed": "删除指标",
    "form-added": "新增表", "form-removed": "删除表",
}
_EN = {
    "target": "target", "weight": "weight", "added": "indicator added", "removed": "indicator removed",
    "form-added": "form added", "form-removed": "form removed",
}


def describe(c: Change, lang: str) -> str:
    if lang == "en":
        if c.change == "form-added":
            text = f"form added ({c.after} indicators)"
        elif c.change == "form-removed":
            text = f"form removed ({c.before} indicators)"
        elif c.change in ("added", "removed"):
            value = c.after if c.change == "added" else c.before
            text = f"{_EN[c.change]}: '{c.indicator}' ({c.category}, target {value})"
        else:
            text = f"{_EN[c.change]} of '{c.indicator}': {c.before} → {c.after}"
        return text + (f" [approved adjustment: {c.approval}]" if c.approval else "")
    if c.change == "form-added":
        text = f"新增表（{c.after} 个指标）"
    elif c.change == "form-removed":
        text = f"删除表（原有 {c.before} 个指标）"
    elif c.change in ("added", "removed"):
        value = c.after if c.change == "added" else c.before
        text = f"{_ZH[c.change]}“{c.indicator}”（{c.category}，指标值 {value}）"
    else:
        text = f"“{c.indicator}”的{_ZH[c.change]} {c.before} → {c.after}"
    return text + (f"［已批准的目标调整：{c.approval}］" if c.approval else "")


def as_json(changes: list[Change], rev: str | None, base: str | None, lang: str) -> dict[str, Any]:
    return {
        "since": rev, "since_commit": base,
        "changes": [
            {
                "file": c.file, "commit": c.commit.sha, "short": c.short, "author": c.commit.author,
                "email": c.commit.email, "date": c.commit.date, "subject": c.commit.subject,
                "change": c.change, "indicator": c.indicator, "category": c.category,
                "before": c.before, "after": c.after, "approval": c.approval, "message": describe(c, lang),
            }
            for c in changes
        ],
    }


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    from perfspec.config import load_config
    from perfspec.diff import Git, spec_prefixes

    git = Git(".")
    base = git.resolve(args.rev) if args.rev is not None else None
    config = load_config(".")
    prefixes = spec_prefixes(git, config.root, config.paths)
    try:
        changes = collect(git, base, prefixes)
    finally:
        git.close()
    if args.format == "json":
        out.write(json.dumps(as_json(changes, args.rev, base, args.lang), ensure_ascii=False, indent=2) + "\n")
        return 0
    out.write(render_text(changes, args.rev, args.lang))
    return 0


def _safe(value: str) -> str:
    """Text from a commit or a form, with control characters (a terminal escape) shown, not obeyed."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in value)


def render_text(changes: list[Change], rev: str | None, lang: str) -> str:
    since = rev or ("全部历史" if lang == "zh" else "the whole history")
    if not changes:
        return (f"自 {since} 以来，年度指标值、分值和指标都没有改动。\n" if lang == "zh"
                else f"no target, weight or indicator changed since {since}\n")
    lines: list[str] = []
    by_file: dict[str, list[Change]] = {}
    for c in changes:
        by_file.setdefault(c.file, []).append(c)
    for file in sorted(by_file):
        lines.append(_safe(file))
        for c in by_file[file]:
            lines.append(f"  {c.short} {c.commit.date[:10]} {_safe(c.commit.author)}: {_safe(describe(c, lang))}")
    unapproved = sum(1 for c in changes if c.approval is None and c.change in ("target", "weight", "added", "removed"))
    lines.append(
        f"自 {since} 以来共 {len(changes)} 处改动，其中 {unapproved} 处指标改动没有写明批准的目标调整。" if lang == "zh"
        else f"{len(changes)} changes since {since}; {unapproved} indicator changes without an approved adjustment"
    )
    return "\n".join(lines) + "\n"
