"""GitLab Code Quality report: a JSON array, one issue per finding still to be dealt with.

Each issue has `description` (the code and the message in the report's language),
`check_name` (the rule code), `fingerprint`, `severity` (error → major, warning → minor,
info → info) and `location: {path, lines: {begin}}`. Acknowledged findings are left out:
they need no action, and leaving them out shows an acknowledgement in a merge request as
a resolved issue. Files that could not be read are not issues in any file; the exit
code 2 and the message on stderr report them.

The fingerprint identifies a finding across commits, so GitLab can tell new issues from
old ones. It is the SHA-256 of the file path (with forward slashes) and the finding's
identity: the rule code, the YAML path (`indicators.产出指标.时效指标[0].score`) and the
rule's structured key (which of several things at one place, e.g. which level-1 category
is missing). Never the line or column, so moving lines leaves it alone, and never the
message, so neither `--lang` nor a changed number (a score, an expected value) nor a
reworded message changes it: same problem, same place. Findings that would still share a
fingerprint are told apart by their order: the second one hashes with `#2` added, the
third with `#3`, and so on. The SARIF format reports the same fingerprints.
"""

from __future__ import annotations

import hashlib
import json
from typing import TextIO

from perfspec.diagnostics import ERROR, INFO, WARNING, Finding
from perfspec.outputs.formats import Report

SEVERITY = {ERROR: "major", WARNING: "minor", INFO: "info"}


def forward_slashes(path: str) -> str:
    return path.replace("\\", "/")


def fingerprints(findings: list[Finding]) -> list[str]:
    """One hex SHA-256 per finding, in the same order; equal only for the same finding."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        identity = "\x1f".join((forward_slashes(f.file), *f.identity()))
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] > 1:
            identity += f"\x1f#{seen[identity]}"
        out.append(hashlib.sha256(identity.encode("utf-8")).hexdigest())
    return out


def write(report: Report, out: TextIO) -> None:
    issues = []
    for f, fingerprint in zip(report.findings, fingerprints(report.findings)):
        if f.acknowledged is not None:
            continue
        issues.append(
            {
                "description": f"{f.code} {f.text(report.lang)}",
                "check_name": f.code,
                "fingerprint": fingerprint,
                "severity": SEVERITY.get(f.severity, "info"),
                "location": {"path": forward_slashes(f.file), "lines": {"begin": max(f.line, 1)}},
            }
        )
    out.write(json.dumps(issues, ensure_ascii=False, indent=2) + "\n")
