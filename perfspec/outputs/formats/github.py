"""GitHub Actions workflow commands: one annotation per line, then a summary notice.

    ::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=PS201 deviation-note::message (path)

error → `::error`, warning → `::warning`, info → `::notice`. An acknowledged finding is a
`::notice` whatever its level, with the reason after the message, so it is visible and
fails nothing. A file that could not be read is an `::error` on that file. The last line
is a `::notice` with the same summary as the text format. Values are escaped as the
Actions runner unescapes them: `%`, CR and LF everywhere, and also `:` and `,` in the
properties.
"""

from __future__ import annotations

from typing import TextIO

from perfspec.diagnostics import ERROR, WARNING, Finding
from perfspec.outputs.formats import Report
from perfspec.outputs.formats.gitlab import forward_slashes
from perfspec.outputs.formats.text import summary

COMMAND = {ERROR: "error", WARNING: "warning"}  # anything else: notice


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


def write(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        out.write(annotation(finding, report) + "\n")
    for file, message in report.unreadable.items():
        out.write(command("error", [("file", forward_slashes(file)), ("title", "perfspec")], message) + "\n")
    out.write(command("notice", [("title", "perfspec")], summary(len(report.files), report.findings, report.lang)) + "\n")
