"""Acknowledged findings: `acknowledge: {CODE: reason}` beside what it concerns.

An acknowledgement covers the findings of its code whose location belongs to
the object that holds it: an indicator covers that indicator's cells, `funds`
the funds block, `total` the totals, and the top level what is at the top
level (grade, project ...). Locality is the point: an acknowledgement written
next to one indicator never silences the same rule anywhere else.
"""

from __future__ import annotations

from typing import Callable

from perfspec.diagnostics import Finding, Path, format_path
from perfspec.load.loader import Document
from perfspec.form.model import Spec


class _Ack:
    __slots__ = ("owner", "code", "reason", "used")

    def __init__(self, owner: Path, code: str, reason: str) -> None:
        self.owner = owner
        self.code = code
        self.reason = reason
        self.used = False


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


def _where(spec: Spec, owner: Path) -> tuple[str, str]:
    """How a finance person names the place: the indicator's name, not a YAML path."""
    if not owner:
        return "表的顶层", "the top level"
    if owner[0] == "funds":
        return "项目资金部分", "the funds block"
    if owner[0] == "total":
        return "总分", "the totals"
    for ind in spec.indicators:
        if ind.path == owner:
            return f"“{ind.label}”", f"'{ind.label}'"
    return format_path(owner), format_path(owner)


def apply(
    doc: Document,
    spec: Spec,
    findings: list[Finding],
    make: Callable[[Path, str, str, str], Finding | None],
    enabled: Callable[[str], bool],
    known: Callable[[str], bool] = lambda code: True,
) -> list[Finding]:
    """Mark acknowledged findings; add PS901/PS902 findings via `make(path, code, zh, en)`."""
    acks: list[_Ack] = []
    extra: list[Finding] = []
    for owner, entries in _holders(doc, spec):
        if not isinstance(entries, dict):
            continue  # the schema reports a malformed acknowledge block
        for code, reason in entries.items():
            path = owner + ("acknowledge", code)
            # Two characters at least, as the schema says: "无" is not a reason.
            if not isinstance(reason, str) or len(reason.strip()) < 2:
                made = make(
                    path,
                    "PS901",
                    f"对 {code} 的确认没有写理由（至少两个字）：请写明为什么接受这条检查结果，否则确认无效",
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
        if ack.used:
            continue
        zh_where, en_where = _where(spec, ack.owner)
        if not known(ack.code):
            zh = f"确认了 {ack.code}，但没有这条规则（代码写错了？用 perfspec rules 查看全部规则）"
            en = f"{ack.code} is acknowledged but there is no such rule (a typo? see perfspec rules)"
        elif enabled(ack.code):
            zh = f"确认了 {ack.code}，但{zh_where}并没有这条检查结果：请删除这条多余的确认"
            en = f"{ack.code} is acknowledged but {en_where} has no such finding; remove it"
        else:
            continue  # the rule is switched off here, so "unused" says nothing
        made = make(ack.owner + ("acknowledge", ack.code), "PS902", zh, en)
        if made:
            extra.append(made)
    return out + extra
