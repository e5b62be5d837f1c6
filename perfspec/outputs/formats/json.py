"""One JSON object: version, profile, files, and the `findings` list."""

from __future__ import annotations

import json
from typing import TextIO

from perfspec.diagnostics import Finding
from perfspec.outputs.formats import Report


def finding_dict(f: Finding, report: Report) -> dict[str, object]:
    rule = report.rules.get(f.code)
    return {
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "code": f.code,
        "rule": getattr(rule, "name", ""),
        "severity": f.severity,
        "message": f.text(report.lang),
        "path": f.path,
        "expected": f.expected,
        "acknowledged": f.acknowledged is not None,
        "reason": f.acknowledged,
    }


def write(report: Report, out: TextIO) -> None:
    document = {
        "version": report.version,
        "profile": report.profile,
        "files": len(report.files),
        "findings": [finding_dict(f, report) for f in report.findings],
    }
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
