"""GitHub Actions workflow commands: one annotation per line, then a summary notice.

    ::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=PS201 deviation-note::message (path)

error → `::error`, warning → `::warning`, info → `::notice`. An acknowledged finding is a
`::notice` whatever its level, with the reason after the message, so it is visible and
fails nothing. A file that could not be read is an `::error` on that file.

Order: errors first (files that could not be read, then error-level findings), then
warnings, then notices, each in the report's order. GitHub shows at most 10 error,
10 warning and 10 notice annotations per step (and 50 per job) and drops the rest
without saying so; when that hides some of perfspec's, a `::notice` placed before the
other notices (so it is itself shown) says how many of each kind are not annotated
and where they are. The last line is a `::notice` with the same summary as the text
format. Values are escaped as the Actions runner unescapes them: `%`, CR and LF
everywhere, and also `:` and `,` in the properties.
"""

from __future__ import annotations

from typing import TextIO

from perfspec.diagnostics import ERROR, WARNING, Finding
from perfspec.outputs.formats import Report
from perfspec.outputs.formats.gitlab import forward_slashes
from perfspec.outputs.formats.text import summary

COMMAND = {ERROR: "error", WARNING: "warning"}  # anything else: notice
LIMIT = 10  # annotations of one kind GitHub shows per step


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: list[tuple[str, object]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(f: Finding, report: Report) -> str:
    rule = report.rules.get(f.code)
    title = f"{f.code} {getattr(rule, 'name', '')}".strip()
    message = f.text(report.lang) + (f" ({f.path})" if f.path else "")
    if f.acknowledged is not None:
        name = "notice"
        message += f" [已确认：{f.acknowledged}]" if report.lang == "zh" else f" [acknowledged: {f.acknowledged}]"
    else:
        name = COMMAND.get(f.severity, "notice")
    properties: list[tuple[str, object]] = [("file", forward_slashes(f.file)), ("line", f.line), ("col", f.column)]
    if f.end_line is not None:
        properties.append(("endLine", f.end_line))
    if f.end_column is not None:
        properties.append(("endColumn", f.end_column))
    properties.append(("title", title))
    return command(name, properties, message)


def kind(f: Finding) -> str:
    return "notice" if f.acknowledged is not None else COMMAND.get(f.severity, "notice")


def limit_notice(counts: dict[str, int], lang: str) -> str | None:
    """What GitHub will not show, or None when every annotation fits."""
    hidden = {name: n - LIMIT for name, n in counts.items() if n > LIMIT}
    if not hidden:
        return None
    if lang == "en":
        parts = ", ".join(f"{n} more {name}{'s' if n > 1 else ''}" for name, n in hidden.items())
        return (
            f"GitHub shows at most {LIMIT} annotations of each kind per step: {parts} are not annotated. "
            "Every finding is in this step's log above (and in the SARIF report / code scanning)."
        )
    zh = {"error": "错误", "warning": "警告", "notice": "提示"}
    parts = "、".join(f"另有 {n} 条{zh[name]}" for name, n in hidden.items())
    return (
        f"GitHub 每一步最多显示 {LIMIT} 条错误、{LIMIT} 条警告和 {LIMIT} 条提示标注：{parts}没有标注在文件上。"
        "全部结果见本步骤上面的日志（以及 SARIF 报告 / code scanning）。"
    )


def write(report: Report, out: TextIO) -> None:
    lines: dict[str, list[str]] = {"error": [], "warning": [], "notice": []}
    for file, message in report.unreadable.items():
        lines["error"].append(command("error", [("file", forward_slashes(file)), ("title", "perfspec")], message))
    for finding in report.findings:
        lines[kind(finding)].append(annotation(finding, report))
    counts = {name: len(found) for name, found in lines.items()}
    counts["notice"] += 1  # the summary is a notice too
    note = limit_notice(counts, report.lang)
    if note is not None:
        counts["notice"] += 1
        note = limit_notice(counts, report.lang)  # the note itself is one more notice
    for line in lines["error"] + lines["warning"]:
        out.write(line + "\n")
    if note is not None:
        out.write(command("notice", [("title", "perfspec：未显示的标注" if report.lang == "zh" else "perfspec: annotations not shown")], note) + "\n")
    for line in lines["notice"]:
        out.write(line + "\n")
    out.write(command("notice", [("title", "perfspec")], summary(len(report.files), report.findings, report.lang)) + "\n")
