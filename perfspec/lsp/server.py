"""`perfspec lsp`: a language server (pygls) with perfspec's own findings, hovers, fixes and completion.

- Diagnostics: what `perfspec check` reports for the file as it is in the editor (the
  same codes, messages and positions; acknowledged findings as hints), published on
  open and save at once, and while typing after a short pause (`DELAY`): a burst of
  edits is checked once, on its last version, and every publication names the
  document version it was computed from.
- Hover: on 执行率, 预算执行率得分, 总分值, 总得分, 评分等级 and an indicator's 分值/得分,
  the computed value beside the stated one (perfspec/lsp/analysis.py).
- Code actions: `perfspec fix` for the derived values (quick fix on PS102–PS106 and as
  `source.fixAll`), and an `acknowledge` skeleton for a finding.
- Completion: the layout's level-1 and level-2 category names under `indicators:`.

Columns: perfspec counts code points, the client UTF-16 units (or whatever it and pygls
agreed on); pygls's position codec converts.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from lsprotocol import types

from perfspec import __version__
from perfspec.diagnostics import ERROR, INFO, WARNING, Finding
from perfspec.lsp import analysis

try:  # pygls 2
    from pygls.lsp.server import LanguageServer
except ImportError:  # pragma: no cover - pygls 1.x
    from pygls.server import LanguageServer  # type: ignore[no-redef]

DELAY = 0.3  # seconds of quiet after an edit before checking
FIX_CODES = frozenset({"PS102", "PS103", "PS104", "PS105", "PS106"})
SEVERITY = {ERROR: types.DiagnosticSeverity.Error, WARNING: types.DiagnosticSeverity.Warning, INFO: types.DiagnosticSeverity.Information}


class PerfspecServer(LanguageServer):
    def __init__(self, lang: str = "zh") -> None:
        super().__init__("perfspec", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.lang = lang
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.results: dict[str, analysis.Result] = {}


def _document(ls: LanguageServer, uri: str) -> Any:
    return ls.workspace.get_text_document(uri)


def _path(document: Any) -> str:
    path = getattr(document, "path", None)
    if path:
        return str(path)
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(document.uri).path)


def _position(document: Any, line: int, column: int) -> types.Position:
    """perfspec's 1-based line and code-point column → the client's position."""
    lines = document.lines
    line = max(line - 1, 0)
    column = max(column - 1, 0)
    if line >= len(lines):
        return types.Position(line=line, character=0)
    return _to_client(document, types.Position(line=line, character=column))


def _to_client(document: Any, position: types.Position) -> types.Position:
    """A code-point position → the client's units (pygls 1.x and 2 both have the document's codec)."""
    return document.position_codec.position_to_client_units(document.lines, position)


def _from_client(document: Any, position: types.Position) -> types.Position:
    converted = document.position_codec.position_from_client_units(document.lines, position)
    return types.Position(line=converted.line, character=converted.character)


def _range(document: Any, finding: Finding) -> types.Range:
    start = _position(document, finding.line, finding.column)
    end_line = finding.end_line if finding.end_line is not None else finding.line
    end_column = finding.end_column if finding.end_column is not None else finding.column
    end = _position(document, end_line, end_column)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def diagnostic(document: Any, finding: Finding, lang: str) -> types.Diagnostic:
    message = finding.text(lang)
    severity = SEVERITY.get(finding.severity, types.DiagnosticSeverity.Information)
    if finding.acknowledged is not None:
        message += f"（已确认：{finding.acknowledged}）" if lang == "zh" else f" (acknowledged: {finding.acknowledged})"
        severity = types.DiagnosticSeverity.Hint
    return types.Diagnostic(
        range=_range(document, finding),
        message=message,
        severity=severity,
        code=finding.code,
        source="perfspec",
        data={"path": finding.path, "where": list(finding.where), "key": finding.key, "expected": finding.expected},
    )


def publish(ls: PerfspecServer, uri: str) -> None:
    document = _document(ls, uri)
    try:
        result = analysis.analyse(_path(document), document.source, ls.lang)
    except Exception as exc:  # noqa: BLE001 - a configuration error is shown, not a crash
        ls.results.pop(uri, None)
        _send(ls, uri, [types.Diagnostic(
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            message=f"perfspec：无法检查（{type(exc).__name__}: {exc}）",
            severity=types.DiagnosticSeverity.Error, source="perfspec",
        )], document.version)
        return
    ls.results[uri] = result
    _send(ls, uri, [diagnostic(document, f, ls.lang) for f in result.findings], document.version)


def _send(ls: LanguageServer, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
    if hasattr(ls, "text_document_publish_diagnostics"):  # pygls 2
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))
    else:  # pragma: no cover - pygls 1.x
        ls.publish_diagnostics(uri, diagnostics, version)  # type: ignore[attr-defined]


def schedule(ls: PerfspecServer, uri: str, delay: float = DELAY) -> None:
    """Check after a pause; a newer edit cancels the check an older one scheduled."""
    old = ls.pending.pop(uri, None)
    if old is not None:
        old.cancel()

    async def later() -> None:
        await asyncio.sleep(delay)
        if ls.pending.get(uri) is task:
            del ls.pending[uri]
        publish(ls, uri)

    task = asyncio.ensure_future(later())
    ls.pending[uri] = task


def _result(ls: PerfspecServer, uri: str) -> analysis.Result | None:
    """The analysis of the current text (computed now when an edit is still pending)."""
    document = _document(ls, uri)
    cached = ls.results.get(uri)
    if cached is not None and cached.text == document.source:
        return cached
    try:
        result = analysis.analyse(_path(document), document.source, ls.lang)
    except Exception:  # noqa: BLE001 - no hover or action rather than a crash
        return None
    ls.results[uri] = result
    return result


def _server_position(document: Any, position: types.Position) -> tuple[int, int]:
    converted = _from_client(document, position)
    return converted.line, converted.character


def _whole_edit(document: Any, old: str, new: str) -> types.TextEdit:
    """One edit replacing the part of the text that differs (common head and tail kept)."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1

    def position(offset: int) -> types.Position:
        line = old.count("\n", 0, offset)
        column = offset - (old.rfind("\n", 0, offset) + 1)
        return _to_client(document, types.Position(line=line, character=column))

    return types.TextEdit(range=types.Range(start=position(start), end=position(end_old)), new_text=new[start:end_new])


def create_server(lang: str = "zh") -> PerfspecServer:
    server = PerfspecServer(lang)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PerfspecServer, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PerfspecServer, params: types.DidChangeTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PerfspecServer, params: types.DidSaveTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PerfspecServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.results.pop(uri, None)
        _send(ls, uri, [], None)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: PerfspecServer, params: types.HoverParams) -> types.Hover | None:
        result = _result(ls, params.text_document.uri)
        if result is None or result.document is None:
            return None
        document = _document(ls, params.text_document.uri)
        line, column = _server_position(document, params.position)
        found = analysis.hover(result, line, column)
        if found is None:
            return None
        text, path = found
        span = result.document.span(path)
        finding = Finding("", span.line, span.column, "", "", "", "", "", end_line=span.end_line, end_column=span.end_column)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=_range(document, finding),
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]),
    )
    def code_action(ls: PerfspecServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        result = _result(ls, uri)
        if result is None or result.document is None:
            return []
        document = _document(ls, uri)
        actions: list[types.CodeAction] = []
        ours = [d for d in params.context.diagnostics if d.source == "perfspec"]
        wanted = params.context.only
        fix = analysis.fixed_text(result)
        if fix is not None:
            new_text, changes = fix
            related = [d for d in ours if str(d.code) in FIX_CODES]
            kinds = []
            if related and (not wanted or types.CodeActionKind.QuickFix in wanted):
                kinds.append(types.CodeActionKind.QuickFix)
            if not wanted or any(str(k).startswith("source") for k in wanted):
                kinds.append(types.CodeActionKind.SourceFixAll)
            for kind in kinds:
                actions.append(types.CodeAction(
                    title="perfspec fix：" + "，".join(changes) if ls.lang == "zh" else "perfspec fix: " + ", ".join(changes),
                    kind=kind,
                    diagnostics=related or None,
                    is_preferred=kind == types.CodeActionKind.QuickFix,
                    edit=types.WorkspaceEdit(changes={uri: [_whole_edit(document, result.text, new_text)]}),
                ))
        if not wanted or types.CodeActionKind.QuickFix in wanted:
            seen: set[tuple[str, str]] = set()
            for diag in ours:
                finding = _finding_for(result, diag)
                if finding is None or (finding.code, finding.path) in seen:
                    continue
                seen.add((finding.code, finding.path))
                new_text = analysis.acknowledge_text(result, finding)
                if new_text is None:
                    continue
                actions.append(types.CodeAction(
                    title=f"确认 {finding.code}（acknowledge，写明理由）" if ls.lang == "zh" else f"Acknowledge {finding.code} (write the reason)",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=types.WorkspaceEdit(changes={uri: [_whole_edit(document, result.text, new_text)]}),
                ))
        return actions

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" "]))
    def completion(ls: PerfspecServer, params: types.CompletionParams) -> types.CompletionList:
        result = _result(ls, params.text_document.uri)
        if result is None:
            return types.CompletionList(is_incomplete=False, items=[])
        document = _document(ls, params.text_document.uri)
        line, column = _server_position(document, params.position)
        items = [
            types.CompletionItem(label=name, kind=types.CompletionItemKind.Property, detail=detail, insert_text=f"{name}:")
            for name, detail in analysis.completions(result, line, column)
        ]
        return types.CompletionList(is_incomplete=False, items=items)

    return server


def _finding_for(result: analysis.Result, diag: types.Diagnostic) -> Finding | None:
    data = diag.data if isinstance(diag.data, dict) else {}
    for finding in result.findings:
        if finding.code == str(diag.code) and finding.path == data.get("path", finding.path) and finding.key == data.get("key", finding.key):
            return finding
    return None


def main(lang: str = "zh") -> int:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    create_server(lang).start_io()
    return 0
