"""`perfspec diff BASE [HEAD]`: what changed in the forms, as a merge-request comment.

The comment has a 目标变更 (target changes) section: every change to a target,
weight or indicator set in the commits BASE..HEAD (and, when HEAD is the working
tree, the uncommitted ones), with commit, date and author, as perfspec/targets.py
defines a target change. `--budget-tag TAG` (the tag made when the budget was
approved) makes each such change after TAG a PS605 warning, unless the form
records it as an approved adjustment (`adjustments:` with its approval reference).

Exit codes: 0 no new error-level finding on the HEAD side; 1 new error-level
findings (so CI can fail on regressions only); 2 usage errors (not a git
repository, unknown revision, configuration).
"""

from __future__ import annotations

import argparse
from typing import TextIO

HELP = "比较两个 git 版本之间自评表的变化（供合并请求评论）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", metavar="BASE", help="基线 git 版本（分支、标签或提交）")
    parser.add_argument("head", metavar="HEAD", nargs="?", help="比较的 git 版本；默认是工作区（含未跟踪的表）")
    parser.add_argument("--format", choices=("md", "json"), default="md", help="输出格式：Markdown（默认）或 JSON")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")
    parser.add_argument("--profile", help="规则配置：national、shanghai 或 profile 文件路径")
    parser.add_argument("--select", help="只运行这些规则代码前缀，逗号分隔，如 PS1,PS201")
    parser.add_argument("--ignore", help="跳过这些规则代码前缀，逗号分隔")
    parser.add_argument("--budget-tag", metavar="TAG",
                        help="预算批复时打的 git 标签：此后改动年度指标值、分值或指标而没有写明批准的目标调整的，报 PS605 警告")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    from perfspec import __version__
    from perfspec.commands.check import engine_and_paths
    from perfspec.config import load_config
    from perfspec.diff import DiffReport, as_json, compare, markdown
    from perfspec.gitrepo import Git, spec_prefixes
    from perfspec.targets import after_budget, collect, uncommitted

    git = Git(".")  # first: "not a git repository" is the most likely mistake
    base = git.resolve(args.base)
    head = git.resolve(args.head) if args.head is not None else None
    # The engine as `perfspec check` configures it. The spec folders need not exist in the
    # working tree (they may all be deleted), so the engine is asked for with a path that does.
    engine, _ = engine_and_paths(argparse.Namespace(
        paths=[git.top], profile=args.profile, select=args.select, ignore=args.ignore,
    ))
    tag = git.resolve(args.budget_tag) if args.budget_tag is not None else None
    config = load_config(".")
    prefixes = spec_prefixes(git, config.root, config.paths)
    # Before `compare`, which closes git's blob readers when it is done.
    targets = collect(git, base, prefixes, head or "HEAD") + (uncommitted(git, prefixes) if head is None else [])
    target_findings = after_budget(git, tag, targets, engine, args.budget_tag) if tag is not None else []
    report = DiffReport(
        base_rev=args.base, base_commit=base, head_rev=args.head, head_commit=head,
        forms=compare(git, engine, prefixes, base, head),  # type: ignore[arg-type]
        profile=engine.options.profile,  # type: ignore[attr-defined]
        version=__version__,
        base_commit_short=git.short(base), head_commit_short=git.short(head) if head else "",
        targets=targets, budget_tag=args.budget_tag, target_findings=target_findings,
    )
    if args.format == "json":
        out.write(json.dumps(as_json(report, args.lang), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(markdown(report, args.lang))
    return 1 if report.fails else 0
