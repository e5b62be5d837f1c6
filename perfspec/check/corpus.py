"""Checks across forms: what no single form can show. The same project twice in one year
(PS015, here), and the stages of a project year and the year before (PS601–PS604,
PS701–PS704, perfspec/stages.py), which `duplicates` adds to its own findings so that
every caller (`perfspec check`, the language server) gets all of them.

Called by `perfspec check` after every form's own findings, and by the language
server for the form being edited. The findings are ordinary `Finding` records at the
form's `project`, acknowledged like any other (`acknowledge: {PS015: 理由}` at the top
level of the form).

Which forms are compared: the forms checked with each other; and a checked form that
lies under the configuration's `paths` also with the other forms there (a pre-commit
hook is handed only the changed files, and a copy of an existing form must still be
caught). A form checked from outside the repository's paths (a copy in /tmp) is not
compared with the repository's forms. Findings are reported on the checked forms only.

Cheap on many forms: the header of each form (`year`, `kind`, `project`) is read with
a line scan of its top-level keys; only forms that share a header that way are loaded
in full and compared on the loaded values, so a scan that reads a value differently
never produces a finding.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable

from perfspec.check.headers import Digest, Entry, Survey, exact_entry
from perfspec.diagnostics import Finding

if TYPE_CHECKING:
    from perfspec.check.engine import Engine
    from perfspec.load.loader import Document

CODE = "PS015"
def configured_forms(root: str | None, checked: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(path, shown) of every form under the configuration's paths, when a checked form is among them."""
    from perfspec.check.engine import collect, display_name
    from perfspec.config import load_config

    try:
        config = load_config(root or ".")
    except Exception:  # noqa: BLE001 - a broken configuration is reported by the command itself
        return []
    roots = [p for p in (os.path.join(config.root, p) for p in config.paths) if os.path.exists(p)]
    if not roots:
        return []
    checked = list(checked)
    spelled = [os.path.abspath(r) for r in roots]
    reals = [os.path.realpath(r) for r in roots]
    # By spelling first (cheap); by real location for a few, for a path given through a link.
    if not any(_under(os.path.abspath(path), spelled) for path, _ in checked) and not any(
        _under(os.path.realpath(path), reals) for path, _ in checked[:64]
    ):
        return []
    return [(path, display_name(path)) for path in collect(roots)]


def _under(real: str, roots: list[str]) -> bool:
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def duplicates(
    engine: "Engine",
    checked: list[tuple[str, str]],
    others: Iterable[tuple[str, str]] = (),
    documents: dict[str, "Document"] | None = None,
    digests: dict[str, Digest] | None = None,
) -> list[Finding]:
    """Every cross-form finding on the checked forms: PS015 and the stage checks (perfspec/stages.py).

    `digests` (path → Digest) spares reading again the forms the workers have already read.
    """
    others = list(others)
    found = _duplicates(engine, checked, others, documents, digests)
    if len(checked) + len(others) < 2 and not documents and not any(
        Survey(digests).names_others(path) for path, _ in checked
    ):
        return found  # one form that names no other has no stage to compare (and stages.py is not imported)
    from perfspec import stages

    return found + stages.findings(engine, checked, others, documents, digests)


def _duplicates(
    engine: "Engine",
    checked: list[tuple[str, str]],
    others: Iterable[tuple[str, str]] = (),
    documents: dict[str, "Document"] | None = None,
    digests: dict[str, Digest] | None = None,
) -> list[Finding]:
    """PS015 findings on the checked forms: each names the other forms of its project and year.

    `documents` gives the loaded document of a checked path whose text is not (yet) the
    file's (the language server's unsaved buffer).
    """
    if not engine.enabled(CODE):
        return []
    documents = documents or {}
    others = list(others)
    universe: list[tuple[str, str]] = list(checked)
    # Spelled paths, not real ones (realpath costs ten thousand forms a second): a form reached
    # twice through a link is the same file, which _same_file tells when it matters.
    checked_abs = {os.path.abspath(p) for p, _ in checked}
    if others:
        universe += [(p, s) for p, s in others if os.path.abspath(p) not in checked_abs]
    groups: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    survey = Survey(digests)
    entries = [survey.entry(path, shown) for path, shown in universe if path not in documents]
    for path, shown in universe:
        if path in documents:
            exact = exact_entry(path, shown, documents[path])
            entries.append(exact[0] if exact else None)
    for entry in entries:
        if entry is not None:
            groups.setdefault((entry.year, entry.kind, entry.project), []).append((entry.path, entry.shown))
    candidates = [members for members in groups.values() if len(members) > 1]
    if not candidates:
        return []
    # Confirm on the loaded values: the scan only proposes.
    confirmed: dict[tuple[str, str, str], list[tuple[Entry, "Document"]]] = {}
    for members in candidates:
        for path, shown in members:
            exact = exact_entry(path, shown, documents.get(path))
            if exact is not None:
                entry = exact[0]
                confirmed.setdefault((entry.year, entry.kind, entry.project), []).append(exact)
    from perfspec.form.kinds import kind_of

    rule = engine.rules[CODE]
    severity = engine.options.profile.severity_for(CODE, rule.severity)
    out: list[Finding] = []
    for (year, kind, _), members in confirmed.items():
        if len(members) < 2:
            continue
        for entry, document in members:
            if os.path.abspath(entry.path) not in checked_abs:
                continue
            rest = [e.shown for e, _ in members if not _same_file(e.path, entry.path)]
            if not rest:
                continue
            names = "、".join(rest)
            project = document.data.get("project")
            span = document.span(("project",))
            finding = Finding(
                document.file, span.line, span.column, CODE, severity,
                f"项目“{project}”在 {year} 年还有{'另一张' if len(rest) == 1 else f'另外 {len(rest)} 张'}{kind_of(kind).zh}：{names}。"
                "一个项目一个年度只应有一张表：是复制后忘了改项目名称（project）或年度（year）吗？",
                f"project '{project}' has another {kind_of(kind).en} for {year}: {', '.join(rest)}; "
                "one form per project and year: was a copy left with the old project name or year?",
                "project",
                end_line=span.end_line, end_column=span.end_column, where=("project",),
            )
            reason = _acknowledged(document)
            out.append(finding.acknowledge(reason) if reason else finding)
    return out


def _acknowledged(document: "Document") -> str | None:
    acks = document.data.get("acknowledge") if isinstance(document.data, dict) else None
    reason = acks.get(CODE) if isinstance(acks, dict) else None
    return reason.strip() if isinstance(reason, str) and len(reason.strip()) >= 2 else None


def merge(findings: list[Finding], added: list[Finding], files: list[str]) -> list[Finding]:
    """The report's findings with the cross-form ones in their file's place, in each file's order.

    An acknowledgement that a cross-form finding used is no longer "unused" (PS902): at the
    top level, or at the indicator the finding is at.
    """
    if not added:
        return findings
    from perfspec.check.acknowledge import owner_of
    from perfspec.diagnostics import format_path

    used: set[tuple[str, str]] = set()
    for f in added:
        if f.acknowledged is not None:
            used.add((f.file, f"acknowledge.{f.code}"))
            used.add((f.file, format_path(owner_of(f.where) + ("acknowledge", f.code))))
    kept = [f for f in findings if not (f.code == "PS902" and (f.file, f.path) in used)]
    by_file: dict[str, list[Finding]] = {}
    for f in kept + added:
        by_file.setdefault(f.file, []).append(f)
    order = {name: i for i, name in enumerate(files)}
    out: list[Finding] = []
    for name in sorted(by_file, key=lambda n: order.get(n, len(order))):
        out += sorted(by_file[name], key=Finding.sort_key)
    return out
