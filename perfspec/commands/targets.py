"""`perfspec targets [REV]`: every change to a target, weight or indicator set since a revision.

For each commit after REV (a tag made when the budget was approved, a branch, a
commit; without REV the whole history) that touches a form under the
configuration's `paths`, the form before and after the commit are compared
indicator by indicator by perfspec/targets.py (the one home of "what is a target
change", also used by `check` between stages and by `diff`): a target value
(年度指标值) changed, a weight (分值) changed, an indicator added or removed, a
form added or deleted. Each change is listed with its commit, author and date;
one the form records as an approved adjustment (`adjustments:` with its approval
reference) is marked with that reference.

Changes in the working tree that are not committed yet are listed too, last,
marked 未提交 (uncommitted) instead of a commit: a user who has just edited a
target expects to see it, and must see that git does not hold it yet.
`--committed` leaves them out (and says on stderr how many were left out).

Exit codes: 0 listed (whatever changed); 2 usage errors (not a git repository,
unknown revision).
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from perfspec.targets import INDICATOR_CHANGES, Change, change_json, collect, describe, uncommitted, when

HELP = "列出某个 git 版本以来年度指标值、分值和指标的每一处改动（提交、作者、日期）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rev", metavar="REV", nargs="?", help="起点 git 版本（如预算批复时打的标签）；默认全部历史")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")
    parser.add_argument("--committed", action="store_true", help="只列已提交的改动（不列工作区中未提交的改动）")


def as_json(changes: list[Change], rev: str | None, base: str | None, lang: str) -> dict[str, Any]:
    return {"since": rev, "since_commit": base, "changes": [change_json(c, lang) for c in changes]}


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    from perfspec.config import load_config
    from perfspec.gitrepo import Git, spec_prefixes

    git = Git(".")
    base = git.resolve(args.rev) if args.rev is not None else None
    config = load_config(".")
    prefixes = spec_prefixes(git, config.root, config.paths)
    try:
        changes = collect(git, base, prefixes)
        pending = uncommitted(git, prefixes)
    finally:
        git.close()
    if args.committed:
        if pending:
            err.write(f"工作区中还有 {len(pending)} 处未提交的改动，未列出（去掉 --committed 可列出）。\n" if args.lang == "zh"
                      else f"{len(pending)} uncommitted changes in the working tree are not listed (drop --committed to list them)\n")
    else:
        changes += pending
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
            commit, date, author = when(c, lang)
            head = " ".join(x for x in (commit, date, _safe(author)) if x)
            lines.append(f"  {head}: {_safe(describe(c, lang))}")
    unapproved = sum(1 for c in changes if c.approval is None and c.change in INDICATOR_CHANGES)
    lines.append(
        f"自 {since} 以来共 {len(changes)} 处改动，其中 {unapproved} 处指标改动没有写明批准的目标调整。" if lang == "zh"
        else f"{len(changes)} changes since {since}; {unapproved} indicator changes without an approved adjustment"
    )
    pending = sum(1 for c in changes if c.commit.uncommitted)
    if pending:
        lines.append(f"其中 {pending} 处尚未提交（标“未提交”）。" if lang == "zh" else f"{pending} of them not committed yet (marked uncommitted)")
    return "\n".join(lines) + "\n"
