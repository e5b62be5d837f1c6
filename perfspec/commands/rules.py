"""`perfspec rules [CODE...]`: every rule with its documentation.

A rule's documentation is its module's docstring, whose examples are written as
literal blocks (`通过 / passes::` followed by an indented block). `--format md`
turns it into Markdown (a heading per rule, the examples as fenced YAML) — the
same Markdown the SARIF log carries as each rule's `help.markdown`, so GitHub
code scanning shows the examples as code, not a raw `::`.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from perfspec.errors import UsageError

HELP = "列出全部规则及说明"

CATEGORIES = {
    "PS0": ("结构", "structure"),
    "PS1": ("算术", "arithmetic"),
    "PS2": ("偏差说明", "deviation-notes"),
    "PS3": ("指标值与实际完成值", "targets-and-actuals"),
    "PS4": ("评分建议", "scoring-advice"),
    "PS5": ("政策", "policy"),
    "PS9": ("确认", "acknowledgements"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("codes", nargs="*", metavar="CODE", help="只显示以这些代码开头的规则")
    parser.add_argument("--format", choices=("text", "md"), default="text", help="text（默认）或 md（Markdown）")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")


def category(code: str) -> tuple[str, str]:
    return CATEGORIES.get(code[:3], ("其他", "other"))


def _body(doc: str) -> list[str]:
    """The docstring without its first line (the code, name and title), leading blank lines dropped."""
    lines = doc.split("\n", 1)[1].splitlines() if "\n" in doc else []
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def doc_markdown(doc: str) -> str:
    """A rule's docstring body as Markdown: `para::` + indented block → `para：` + a fenced YAML block."""
    lines = _body(doc)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.endswith("::"):
            lead = line[:-2].rstrip()
            out.append(f"{lead}：" if lead and not lead.endswith((":", "：")) else lead)
            base = _indent(line)
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                block.append(lines[i].rstrip())
                i += 1
            while block and not block[-1]:
                block.pop()
            while block and not block[0]:
                block.pop(0)
            if block:
                cut = min(_indent(b) for b in block if b)
                out += ["", "```yaml", *(b[cut:] for b in block), "```", ""]
            continue
        out.append(line)
        i += 1
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def doc_text(doc: str) -> str:
    """The docstring body as plain text: `para::` becomes `para：`, the examples stay indented."""
    out = []
    for line in _body(doc):
        stripped = line.rstrip()
        if stripped.endswith("::"):
            lead = stripped[:-2].rstrip()
            stripped = f"{lead}：" if lead and not lead.endswith((":", "：")) else lead
        out.append(stripped)
    return "\n".join(out).rstrip()


def rule_markdown(rule: object, lang: str = "zh", level: int = 2) -> str:
    """One rule as a Markdown section: heading, default level, category, summary, documentation."""
    code = getattr(rule, "code")
    name = getattr(rule, "name", "")
    summary = getattr(rule, "summary_en" if lang == "en" else "summary", "")
    severity = getattr(rule, "severity", "")
    zh_category, en_category = category(code)
    head = "#" * level + f" {code} {name}"
    if lang == "en":
        meta = f"Default level: **{severity}** · category: {en_category}"
    else:
        meta = f"默认级别：**{severity}** · 类别：{zh_category}"
    body = doc_markdown(getattr(rule, "doc", "") or "")
    return "\n\n".join(part for part in (head, f"**{summary}**", meta, body) if part)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.check.rules import all_rules

    wanted = [c.upper() for c in args.codes]
    shown = [r for r in all_rules() if not wanted or any(r.code.startswith(w) for w in wanted)]
    if not shown:
        raise UsageError(f"没有规则代码以 {', '.join(wanted)} 开头")
    if args.format == "md":
        title = "# perfspec rules" if args.lang == "en" else "# perfspec 规则"
        out.write(title + "\n\n" + "\n\n".join(rule_markdown(rule, args.lang) for rule in shown) + "\n")
        return 0
    for rule in shown:
        summary = rule.summary_en if args.lang == "en" else rule.summary
        out.write(f"{rule.code} {rule.name} ({rule.severity}): {summary}\n")
        for line in doc_text(rule.doc).splitlines():
            out.write(f"    {line}".rstrip() + "\n")
        out.write("\n")
    return 0
