"""JUnit XML: one test case per checked file (GitLab, Jenkins and other CI test reports).

    <testsuites name="perfspec" tests=… failures=… errors=…>
      <testsuite name="perfspec" tests=… failures=… errors=… skipped="0">
        <testcase classname="perfspec" name="specs/2023/it-operations.yaml" file="…">
          <failure message="…" type="PS201">one line per error-level finding</failure>
          <system-out>warnings, notes and acknowledged findings, one per line</system-out>

A file fails when it has error-level findings that are not acknowledged. They all go into
ONE `<failure>` whose text lists them, one compiler-style line each: GitLab reads the
report with `Hash.from_xml` and shows the failure's text, which is a string for one
`<failure>` element but an array for several (Jenkins likewise shows only one failure per
test case). `message` is the finding's message when there is one, else a count with the
codes; `type` is the code, or the codes joined by commas. A file that could not be read is
an `<error>` instead. `failures` and `errors` count test cases, as JUnit does.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from perfspec.diagnostics import Finding
from perfspec.outputs.formats import Report
from perfspec.outputs.formats.gitlab import forward_slashes
from perfspec.outputs.formats.text import line

# Characters XML 1.0 cannot carry even escaped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def failure_message(errors: list[Finding], lang: str) -> str:
    if len(errors) == 1:
        return errors[0].text(lang)
    codes = list(dict.fromkeys(f.code for f in errors))
    if lang == "en":
        return f"{len(errors)} errors: {', '.join(codes)}"
    return f"{len(errors)} 个错误：{'、'.join(codes)}"


def document(report: Report) -> ET.Element:
    by_file: dict[str, list[Finding]] = {file: [] for file in report.files}
    for f in report.findings:
        by_file.setdefault(f.file, []).append(f)

    suite = ET.Element("testsuite", name="perfspec")
    properties = ET.SubElement(suite, "properties")
    for name, value in (("version", report.version), ("profile", report.profile), ("lang", report.lang)):
        if value:
            ET.SubElement(properties, "property", name=name, value=clean(value))
    failures = errors = 0
    for file, findings in by_file.items():
        case = ET.SubElement(suite, "testcase", classname="perfspec", name=clean(file), file=clean(forward_slashes(file)))
        if file in report.unreadable:
            errors += 1
            message = clean(report.unreadable[file])
            error = ET.SubElement(case, "error", message=message, type="unreadable")
            error.text = f"{clean(file)}: {message}"
            continue
        failing = [f for f in findings if f.fails]
        if failing:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                message=clean(failure_message(failing, report.lang)),
                type=",".join(dict.fromkeys(f.code for f in failing)),
            )
            failure.text = clean("\n".join(line(f, report.lang) for f in failing))
        others = [f for f in findings if not f.fails]
        if others:
            ET.SubElement(case, "system-out").text = clean("\n".join(line(f, report.lang) for f in others))
    if not len(properties):
        suite.remove(properties)

    counts = {"tests": str(len(by_file)), "failures": str(failures), "errors": str(errors)}
    suite.attrib.update(counts, skipped="0")
    root = ET.Element("testsuites", name="perfspec", **counts)
    root.append(suite)
    return root


def write(report: Report, out: TextIO) -> None:
    root = document(report)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")
