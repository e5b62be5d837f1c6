"""SARIF 2.1.0 log (GitHub code scanning, Azure DevOps, VS Code SARIF viewer): one run.

- `tool.driver`: name `perfspec`, its version, and `rules` with every rule the run knew:
  `id` (the code), `name`, `shortDescription` (the summary in the report's language),
  `fullDescription` and `help.text` (the rule's documentation, with its examples, as
  written), `help.markdown` (the same as Markdown, examples as fenced YAML: what GitHub
  code scanning shows), `defaultConfiguration.level` (error → error, warning → warning,
  info → note) and `properties`: `tags` (`perfspec` and the rule's category, e.g.
  `arithmetic`), `precision` (how often a finding of the rule is a real problem:
  `very-high` for structure and arithmetic, `high` for deviation notes and
  acknowledgements, `medium` for reading targets against actuals and for policy,
  `low` for scoring advice) and `problem.severity` (error, warning or recommendation).
- `results`, one per finding: `ruleId`, `ruleIndex`, `level` (the severity in force, after
  the profile), `message.text`, one location with `physicalLocation` (the file as a URI:
  relative paths keep forward slashes under `uriBaseId` `%SRCROOT%`, absolute paths become
  `file://` URIs; the region's 1-based start and, where known, end: `endColumn` is the
  column after the last character, as perfspec counts it) and `logicalLocations` with the
  YAML path, and `partialFingerprints`: `perfspec/v1` (the GitLab fingerprint) and
  `primaryLocationLineHash`, which GitHub code scanning uses to follow an alert from
  commit to commit. perfspec gives it the finding's identity (the first 16 hex digits
  of the same fingerprint, then `:1`), not a hash of the line's text: moving lines or
  changing a number on the line keeps the alert open as the same alert, and it is
  resolved when the problem is gone.
  An acknowledged finding keeps its level and carries `suppressions:
  [{kind: inSource, justification: <reason>}]`, so consumers show it as suppressed.
- `invocations[0]`: `executionSuccessful` is false when a file could not be read, and each
  such file is a `toolExecutionNotifications` entry (level error) with its message.

Columns count Unicode code points (`columnKind: unicodeCodePoints`), as the YAML loader does.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import TextIO
from urllib.parse import quote

from perfspec.diagnostics import ERROR, INFO, WARNING, Finding
from perfspec.outputs.formats import Report
from perfspec.outputs.formats.gitlab import fingerprints, forward_slashes

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {ERROR: "error", WARNING: "warning", INFO: "note"}
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "perfspec/v1"
LINE_HASH_KEY = "primaryLocationLineHash"


def artifact_location(file: str) -> dict[str, str]:
    """The file as given: a relative URI under %SRCROOT%, or a file:// URI when absolute."""
    if os.path.isabs(file):
        return {"uri": pathlib.Path(file).as_uri()}
    return {"uri": quote(forward_slashes(file), safe="/"), "uriBaseId": SRCROOT}


def region(f: Finding) -> dict[str, int]:
    out = {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)}
    if f.end_line is not None:
        out["endLine"] = max(f.end_line, out["startLine"])
    if f.end_column is not None:
        out["endColumn"] = max(f.end_column, 1)
    return out


PRECISION = {"PS0": "very-high", "PS1": "very-high", "PS2": "high", "PS3": "medium", "PS4": "low", "PS5": "medium", "PS9": "high"}
PROBLEM_SEVERITY = {ERROR: "error", WARNING: "warning", INFO: "recommendation"}


def rule_descriptor(rule: object, lang: str) -> dict[str, object]:
    from perfspec.commands.rules import category, rule_markdown

    code = getattr(rule, "code")
    severity = getattr(rule, "severity", "")
    summary = getattr(rule, "summary_en" if lang == "en" else "summary", "")
    doc = getattr(rule, "doc", "") or summary
    return {
        "id": code,
        "name": getattr(rule, "name", ""),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": rule_markdown(rule, lang, level=3)},
        "defaultConfiguration": {"level": LEVEL.get(severity, "warning")},
        "properties": {
            "tags": ["perfspec", category(code)[1]],
            "precision": PRECISION.get(code[:3], "medium"),
            "problem.severity": PROBLEM_SEVERITY.get(severity, "warning"),
        },
    }


def result(f: Finding, fingerprint: str, report: Report, index: dict[str, int]) -> dict[str, object]:
    location: dict[str, object] = {
        "physicalLocation": {"artifactLocation": artifact_location(f.file), "region": region(f)}
    }
    if f.path:
        location["logicalLocations"] = [{"fullyQualifiedName": f.path}]
    out: dict[str, object] = {"ruleId": f.code}
    if f.code in index:
        out["ruleIndex"] = index[f.code]
    out["level"] = LEVEL.get(f.severity, "warning")
    out["message"] = {"text": f.text(report.lang)}
    out["locations"] = [location]
    out["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint, LINE_HASH_KEY: f"{fingerprint[:16]}:1"}
    if f.acknowledged is not None:
        out["suppressions"] = [{"kind": "inSource", "justification": f.acknowledged}]
    return out


def log(report: Report) -> dict[str, object]:
    rules = [report.rules[code] for code in sorted(report.rules)]
    index = {getattr(rule, "code"): i for i, rule in enumerate(rules)}
    driver: dict[str, object] = {"name": "perfspec"}
    if report.version:
        driver["version"] = report.version
    driver["rules"] = [rule_descriptor(rule, report.lang) for rule in rules]
    invocation: dict[str, object] = {"executionSuccessful": not report.unreadable}
    if report.unreadable:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": f"{file}: {message}"},
                "locations": [{"physicalLocation": {"artifactLocation": artifact_location(file)}}],
            }
            for file, message in report.unreadable.items()
        ]
    run: dict[str, object] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "language": "en-US" if report.lang == "en" else "zh-CN",
        "columnKind": "unicodeCodePoints",
        "results": [
            result(f, fingerprint, report, index)
            for f, fingerprint in zip(report.findings, fingerprints(report.findings))
        ],
    }
    if report.profile:
        run["properties"] = {"profile": report.profile}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def write(report: Report, out: TextIO) -> None:
    out.write(json.dumps(log(report), ensure_ascii=False, indent=2) + "\n")
