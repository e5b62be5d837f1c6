"""`perfspec rules [CODE...]`: every rule with its documentation."""

from __future__ import annotations

import argparse
from typing import TextIO

from perfspec.errors import UsageError

HELP = "列出全部规则及说明"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("codes", nargs="*", metavar="CODE", help="只显示以这些代码开头的规则")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.check.rules import all_rules

    wanted = [c.upper() for c in args.codes]
    shown = [r for r in all_rules() if not wanted or any(r.code.startswith(w) for w in wanted)]
    if not shown:
        raise UsageError(f"没有规则代码以 {', '.join(wanted)} 开头")
    for rule in shown:
        summary = rule.summary_en if args.lang == "en" else rule.summary
        out.write(f"{rule.code} {rule.name} ({rule.severity}): {summary}\n")
        body = rule.doc.split("\n", 1)[1].strip() if "\n" in rule.doc else ""
        for line in body.splitlines():
            out.write(f"    {line}".rstrip() + "\n")
        out.write("\n")
    return 0
