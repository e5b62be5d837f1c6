"""Compiler-style lines `file:line:col: CODE severity message (path)`, then a summary line."""

from __future__ import annotations

import re
from typing import TextIO

from perfspec.diagnostics import ERROR, INFO, WARNING, Finding
from perfspec.outputs.formats import Report


# C0/C1 controls, DEL, line and paragraph separators, bidi overrides: a reason holding "\n" must not
# forge a summary line, nor "\x1b[2J" clear the reader's terminal. As text: a clean run never
# compiles it (~0.9 ms of a start; re caches it when a finding is shown).
_CONTROLS = "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"


def visible(text: str) -> str:
    """Control characters shown as escapes (\\n, \\x1b), never acted on by the terminal."""
    return re.sub(_CONTROLS, lambda m: repr(m.group())[1:-1] if m.group() != "\\" else m.group(), text)


def line(f: Finding, lang: str) -> str:
    ack = ""
    if f.acknowledged is not None:
        ack = f" [已确认：{f.acknowledged}]" if lang == "zh" else f" [acknowledged: {f.acknowledged}]"
    where = f" ({f.path})" if f.path else ""
    return visible(f"{f.file}:{f.line}:{f.column}: {f.code} {f.severity} {f.text(lang)}{where}{ack}")


def summary(files: int, findings: list[Finding], lang: str) -> str:
    live = [f for f in findings if f.acknowledged is None]
    errors = sum(f.severity == ERROR for f in live)
    warnings = sum(f.severity == WARNING for f in live)
    infos = sum(f.severity == INFO for f in live)
    acked = len(findings) - len(live)
    if lang == "en":
        return (
            f"{files} file{'s' if files != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}, {infos} note{'s' if infos != 1 else ''}, "
            f"{acked} acknowledged"
        )
    return f"检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告，{infos} 条提示，{acked} 条已确认"


def write(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        out.write(line(finding, report.lang) + "\n")
    out.write(summary(len(report.files), report.findings, report.lang) + "\n")
