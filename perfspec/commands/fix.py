"""`perfspec fix [PATH...]`: fill in or correct 执行率、得分、总分值、总得分和评分等级.

Exit codes: 0 nothing to change; 1 something was changed (with --diff: would
be), or with --check a form still has errors after fixing; 2 usage or
configuration error, or a file that could not be read, fixed (a syntax or
structural error where fix works) or written (its original is intact).

`--check` checks the same files after fixing and prints what fix left (the
pre-commit hook uses it, so a defect fix must not touch still fails the commit).
"""

from __future__ import annotations

import argparse
from typing import TextIO

HELP = "补填或改正执行率、预算执行率得分、总分值、总得分和评分等级（默认处理配置中的 specs/）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="文件或文件夹")
    parser.add_argument("--diff", action="store_true", help="只输出统一格式的差异（unified diff），不写任何文件")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")
    parser.add_argument("--profile", help="规则配置：national、shanghai 或 profile 文件路径")
    parser.add_argument("--check", action="store_true", help="修正之后再检查这些文件，报告修正不了的问题")
    parser.add_argument(
        "--in-paths", action="store_true", help="只处理给出的文件中位于配置 paths 之下的（pre-commit 钩子用）"
    )
    # engine_and_paths reads these; fix always computes every value, whatever the rule selection.
    parser.set_defaults(select=None, ignore=None)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.check.engine import collect, display_name
    from perfspec.commands.check import engine_and_paths
    from perfspec.fix import WriteError, fix_file, unified_diff, write_atomic

    engine, paths = engine_and_paths(args)
    profile = engine.options.profile  # type: ignore[attr-defined]
    en = args.lang == "en"
    changed = failed = False
    files = list(collect(paths))
    for path in files:
        outcome = fix_file(path, profile, display_name(path))
        for zh_note, en_note in outcome.notes:
            err.write(f"perfspec fix: {outcome.file}: {en_note if en else zh_note}\n")
        if outcome.skipped is not None:
            err.write(f"perfspec fix: {outcome.file}: {outcome.skipped[1] if en else outcome.skipped[0]}\n")
            failed = True  # unread or unfixable (a syntax error): the run cannot vouch for this file
            continue
        if not outcome.changed:
            continue
        if args.diff:
            out.write(unified_diff(outcome))
            changed = True
            continue
        try:
            write_atomic(path, outcome.data())
        except WriteError as exc:
            err.write(f"perfspec fix: {outcome.file}: {exc.en if en else exc.zh}\n")
            failed = True
            continue
        out.write(outcome.summary(args.lang) + "\n")
        changed = True
    verdict = 2 if failed else 1 if changed else 0
    if getattr(args, "check", False) and files and not args.diff:
        from perfspec.outputs.formats.text import line, summary

        results = [engine.check_file(path, display_name(path)) for path in files]  # type: ignore[attr-defined]
        findings = [f for r in results for f in r.findings]
        for finding in findings:
            if finding.severity != "info":
                out.write(line(finding, args.lang) + "\n")
        out.write(summary(len(files), findings, args.lang) + "\n")
        if any(f.fails for f in findings):
            verdict = max(verdict, 1)
    return verdict
