"""Acknowledged findings: `acknowledge: {CODE: reason}` beside what it concerns.

An acknowledgement covers the findings of its code whose location belongs to
the object that holds it: an indicator covers that indicator's cells, `funds`
the funds block, `total` the totals, and the top level what is at the top
level (grade, project ...). Locality is the point: an acknowledgement written
next to one indicator never silences the same rule anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from perfspec.diagnostics import Finding, Path, format_path
from perfspec.loader import Document
from perfspec.model import Spec


@dataclass
class _Ack:
    owner: Path
    code: str
    reason: str
    used: bool = False


def owner_of(path: Path) -> Path:
    if len(path) >= 4 and path[0] == "indicators" and isinstance(path[3], int):
        return path[:4]
    if path and path[0] in ("funds", "total"):
        return path[:1]
    return ()


def _holders(doc: Document, spec: Spec) -> list[tuple[Path, object]]:
    root = spec.has
    holders: list[tuple[Path, object]] = [((), root.get("acknowledge"))]
    for key in ("funds", "total"):
        value = root.get(key)
        if isinstance(value, dict):
            holders.append(((key,), value.get("acknowledge")))
    for ind in spec.indicators:
        holders.append((ind.path, ind.raw.get("acknowledge")))
    return [(path, acks) for path, acks in holders if acks is not None]


def apply(
    doc: Document,
    spec: Spec,
    findings: list[Finding],
    make: Callable[[Path, str, str, str], Finding | None],
    enabled: Callable[[str], bool],
) -> list[Finding]:
    """Mark acknowledged findings; add PS901/PS902 findings via `make(path, code, zh, en)`."""
    acks: list[_Ack] = []
    extra: list[Finding] = []
    for owner, entries in _holders(doc, spec):
        if not isinstance(entries, dict):
            continue  # the schema reports a malformed acknowledge block
        for code, reason in entries.items():
            path = owner + ("acknowledge", code)
            if not isinstance(reason, str) or not reason.strip():
                made = make(
                    path,
                    "PS901",
                    f"对 {code} 的确认没有写理由：请写明为什么接受这条检查结果，否则确认无效",
                    f"the acknowledgement of {code} has no reason; it is ignored until one is given",
                )
                if made:
                    extra.append(made)
                continue
            acks.append(_Ack(owner, str(code), reason.strip()))
    out: list[Finding] = []
    for finding in findings:
        owner = owner_of(finding.where)
        match = next((a for a in acks if a.code == finding.code and a.owner == owner), None)
        if match is not None:
            match.used = True
            finding = finding.acknowledge(match.reason)
        out.append(finding)
    for ack in acks:
        if not ack.used and enabled(ack.code):
            made = make(
                ack.owner + ("acknowledge", ack.code),
                "PS902",
                f"确认了 {ack.code}，但{format_path(ack.owner) or '顶层'}并没有这条检查结果：请删除这条多余的确认",
                f"{ack.code} is acknowledged but {format_path(ack.owner) or 'the top level'} has no such finding; remove it",
            )
            if made:
                extra.append(made)
    return out + extra
