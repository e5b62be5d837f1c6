"""`perfspec lsp` driven by pygls's own language client over a real pipe (a subprocess).

The form is opened, the diagnostics are compared with `perfspec check --format json`
for the same text, a score is edited and the updated findings arrive, a burst of edits
is checked once on its last version, the hover on 执行率 shows the computed value, and
the two code actions (perfspec fix; an acknowledge skeleton) round-trip: applied to the
buffer, they give what `perfspec fix` writes and what the checker then accepts.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from typing import Any

import pytest

from conftest import ROOT, run_cli

pytest.importorskip("pygls", reason="pygls is not installed (pip install 'perfspec[lsp]')")

from lsprotocol import types  # noqa: E402
try:  # pygls 2
    from pygls.lsp.client import LanguageClient  # noqa: E402
except ImportError:  # pygls 1.x
    from pygls.lsp.client import BaseLanguageClient as LanguageClient  # type: ignore[assignment]  # noqa: E402

ChangePartial = getattr(types, "TextDocumentContentChangePartial", None) or getattr(types, "TextDocumentContentChangeEvent_Type1")
TIMEOUT = 30


@pytest.fixture
def repo(tmp_path):
    """A repository with the nine bundled forms (so the cross-form check has company)."""
    shutil.copytree(os.path.join(ROOT, "specs"), tmp_path / "specs")
    shutil.copy(os.path.join(ROOT, ".perfspec.yaml"), tmp_path / ".perfspec.yaml")
    return tmp_path


# --------------------------------------------------------------------------- a small client


def utf16_offset(line: str, units: int) -> int:
    """A client column (UTF-16 units) as a Python index."""
    count = 0
    for index, char in enumerate(line):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def utf16_units(line: str, index: int) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in line[:index])


def apply_edits(text: str, edits: list[Any]) -> str:
    lines = text.split("\n")

    def offset(position: Any) -> int:
        before = sum(len(line) + 1 for line in lines[: position.line])
        return before + utf16_offset(lines[position.line] if position.line < len(lines) else "", position.character)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
        lines = text.split("\n")
    return text


def position_of(text: str, needle: str, after: int = 0) -> types.Position:
    """The client position of the first `needle` (plus `after` characters)."""
    index = text.index(needle) + after
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=utf16_units(text[start:], index - start))


class Session:
    def __init__(self, root: str) -> None:
        self.root = root
        self.client = LanguageClient("perfspec-tests", "1")
        self.published: list[tuple[int | None, list[types.Diagnostic]]] = []
        self.arrived = asyncio.Condition()
        self.version = 0

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        async def on_diagnostics(*args: Any) -> None:  # (params) in pygls 2, (client, params) in 1.x
            params: types.PublishDiagnosticsParams = args[-1]
            async with self.arrived:
                self.published.append((params.version, params.diagnostics))
                self.arrived.notify_all()

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONPATH"] = ROOT
        await self.client.start_io(sys.executable, "-m", "perfspec", "lsp", cwd=self.root, env=env)
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=f"file://{self.root}", process_id=os.getpid(),
        ))
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    async def diagnostics(self, version: int) -> list[types.Diagnostic]:
        async def wait() -> list[types.Diagnostic]:
            async with self.arrived:
                while True:
                    for got, diagnostics in self.published:
                        if got == version:
                            return diagnostics
                    await self.arrived.wait()

        return await asyncio.wait_for(wait(), TIMEOUT)

    def open(self, uri: str, text: str) -> int:
        self.version = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        ))
        return 1

    def change(self, uri: str, old: str, new: str) -> int:
        """Send the edit old → new as one incremental change (the differing middle)."""
        start = 0
        while start < min(len(old), len(new)) and old[start] == new[start]:
            start += 1
        end_old, end_new = len(old), len(new)
        while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
            end_old -= 1
            end_new -= 1

        def pos(offset: int) -> types.Position:
            line = old.count("\n", 0, offset)
            begin = old.rfind("\n", 0, offset) + 1
            return types.Position(line=line, character=utf16_units(old[begin:], offset - begin))

        self.version += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
            content_changes=[ChangePartial(range=types.Range(start=pos(start), end=pos(end_old)), text=new[start:end_new])],
        ))
        return self.version


def check_json(root: str, path: str) -> list[dict]:
    result = run_cli("check", "--format", "json", path, cwd=root)
    assert "Traceback" not in result.err
    return json.loads(result.out)["findings"]


def as_check(diagnostics: list[types.Diagnostic], text: str) -> list[tuple]:
    """Diagnostics in check's terms: code, 1-based line and code-point column (start and end), message."""
    lines = text.split("\n")
    out = []
    for d in diagnostics:
        start, end = d.range.start, d.range.end
        out.append((
            str(d.code), start.line + 1, utf16_offset(lines[start.line], start.character) + 1,
            end.line + 1, utf16_offset(lines[end.line] if end.line < len(lines) else "", end.character) + 1,
            d.message, d.severity,
        ))
    return sorted(out)


def expected(findings: list[dict]) -> list[tuple]:
    severity = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning, "info": types.DiagnosticSeverity.Information}
    out = []
    for f in findings:
        message = f["message"] + (f"（已确认：{f['reason']}）" if f["acknowledged"] else "")
        level = types.DiagnosticSeverity.Hint if f["acknowledged"] else severity[f["severity"]]
        out.append((f["code"], f["line"], f["column"], f["end_line"], f["end_column"], message, level))
    return sorted(out)


def run_session(root: str, scenario) -> Any:
    async def main() -> Any:
        session = Session(root)
        await session.start()
        try:
            return await scenario(session)
        finally:
            await session.stop()

    return asyncio.run(main())


# --------------------------------------------------------------------------- tests


def test_findings_as_check_then_an_edit_then_a_burst(repo) -> None:
    path = str(repo / "specs" / "2023" / "it-operations.yaml")
    uri = f"file://{path}"
    original = open(path, encoding="utf-8").read()

    async def scenario(s: Session) -> None:
        # 1. Open: the same findings as `perfspec check` (codes, messages, positions).
        version = s.open(uri, original)
        got = await s.diagnostics(version)
        assert {str(d.code) for d in got} >= {"PS201"}
        assert as_check(got, original) == expected(check_json(str(repo), path))

        # 2. Edit a score: 故障响应及时率 gets full marks, so its missing note is no longer a finding,
        #    while the total no longer adds up (PS105).
        edited = original.replace("        score: 8\n", "        score: 10\n")
        version = s.change(uri, original, edited)
        got = await s.diagnostics(version)
        codes = {str(d.code) for d in got}
        assert "PS201" not in codes and "PS105" in codes
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(edited)
        assert as_check(got, edited) == expected(check_json(str(repo), path))

        # 3. A burst of edits (typing 8 → 7 → 6 …): checked once, on the last version.
        current = edited
        before = len(s.published)
        versions = []
        for score in ("9", "8", "7", "6", "5"):
            nxt = current.replace("        weight: 10\n        score: " + current.split("        weight: 10\n        score: ")[1].split("\n")[0] + "\n",
                                  f"        weight: 10\n        score: {score}\n", 1)
            versions.append(s.change(uri, current, nxt))
            current = nxt
        got = await s.diagnostics(versions[-1])
        later = [v for v, _ in s.published[before:]]
        assert later == [versions[-1]], f"one publication for the burst, of its last version: {later}"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(current)
        assert as_check(got, current) == expected(check_json(str(repo), path))

    run_session(str(repo), scenario)


def test_hover_shows_the_computed_value_beside_the_stated_one(repo) -> None:
    path = str(repo / "specs" / "2023" / "it-operations.yaml")
    uri = f"file://{path}"
    text = open(path, encoding="utf-8").read()

    async def scenario(s: Session) -> list[str]:
        await s.diagnostics(s.open(uri, text))
        out = []
        for needle in ("rate: 99.62", "score: 9.96", "score: 97.96", "grade: 优", "score: 8\n"):
            hover = await s.client.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, needle, len(needle.split(":")[0]) + 3),
            ))
            assert hover is not None, needle
            out.append(hover.contents.value)
        # Not a derived cell: no hover.
        assert await s.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, "project: ", 10),
        )) is None
        return out

    rate, budget, total, grade, score = run_session(str(repo), scenario)
    assert "99.62 = 136.70 ÷ 137.21，截断两位" in rate and "99.6283…" in rate and "一致" in rate
    assert "10 × 99.6283…%" in budget and "9.96" in budget
    assert "预算执行率得分 9.96 + 7 个三级指标得分合计 88 = **97.96**" in total
    assert "**优**" in grade
    assert "扣分 = 分值 10 − 得分 8 = **2**" in score


def test_code_action_fix_round_trips(repo) -> None:
    path = str(repo / "specs" / "2023" / "it-operations.yaml")
    uri = f"file://{path}"
    original = open(path, encoding="utf-8").read()
    wrong = original.replace("rate: 99.62", "rate: 99.00").replace("grade: 优 ", "grade: 良 ")
    assert wrong.count("99.00") == 1

    async def scenario(s: Session) -> tuple[str, list[types.Diagnostic]]:
        got = await s.diagnostics(s.open(uri, wrong))
        ps102 = [d for d in got if str(d.code) == "PS102"]
        assert ps102
        actions = await s.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=ps102[0].range,
            context=types.CodeActionContext(diagnostics=ps102),
        ))
        (fix,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and a.title.startswith("perfspec fix")]
        assert "执行率 99.00 → 99.62" in fix.title
        fixed = apply_edits(wrong, fix.edit.changes[uri])
        after = await s.diagnostics(s.change(uri, wrong, fixed))
        return fixed, after

    fixed, after = run_session(str(repo), scenario)
    # The action writes exactly what `perfspec fix` writes.
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(wrong)
    assert run_cli("fix", path, cwd=str(repo)).code == 1
    with open(path, encoding="utf-8") as handle:
        assert fixed == handle.read()
    assert not {"PS102", "PS106"} & {str(d.code) for d in after}


def test_code_action_acknowledge_skeleton(repo) -> None:
    path = str(repo / "specs" / "2023" / "it-operations.yaml")
    uri = f"file://{path}"
    original = open(path, encoding="utf-8").read()

    async def scenario(s: Session) -> tuple[str, list, list]:
        got = await s.diagnostics(s.open(uri, original))
        (ps201,) = [d for d in got if str(d.code) == "PS201"]
        actions = await s.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=ps201.range,
            context=types.CodeActionContext(diagnostics=[ps201]),
        ))
        (ack,) = [a for a in actions if "PS201" in a.title and "acknowledge" in a.title]
        skeleton = apply_edits(original, ack.edit.changes[uri])
        empty = await s.diagnostics(s.change(uri, original, skeleton))
        reasoned = skeleton.replace('PS201: ""', 'PS201: "已公开发布的表格原文如此，无法更改"')
        done = await s.diagnostics(s.change(uri, skeleton, reasoned))
        return skeleton, empty, done

    skeleton, empty, done = run_session(str(repo), scenario)
    assert '        acknowledge:\n          PS201: ""' in skeleton  # under 故障响应及时率, at its indentation
    # An empty reason acknowledges nothing: PS901 says so and PS201 still fails.
    assert {"PS901", "PS201"} <= {str(d.code) for d in empty}
    assert [d.severity for d in empty if str(d.code) == "PS201"] == [types.DiagnosticSeverity.Error]
    # With a reason the finding is acknowledged (a hint, as `check` lists it), and nothing else complains.
    assert [d.severity for d in done if str(d.code) == "PS201"] == [types.DiagnosticSeverity.Hint]
    assert "PS901" not in {str(d.code) for d in done}


def test_completion_offers_the_layout_category_names(repo) -> None:
    path = str(repo / "specs" / "2023" / "it-operations.yaml")
    uri = f"file://{path}"
    original = open(path, encoding="utf-8").read()
    # A new, empty key line under `indicators:` and one under 效益指标.
    text = original.replace("  效益指标:\n", "  \n  效益指标:\n    \n", 1)

    async def scenario(s: Session) -> tuple[list[str], list[str]]:
        await s.diagnostics(s.open(uri, text))
        lines = text.split("\n")
        first = next(i for i, line in enumerate(lines) if line == "  ")
        second = next(i for i, line in enumerate(lines) if line == "    ")
        names = []
        for line, column in ((first, 2), (second, 4)):
            result = await s.client.text_document_completion_async(types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=column),
            ))
            names.append([item.label for item in result.items])
        return names[0], names[1]

    level1, level2 = run_session(str(repo), scenario)
    assert level1 == ["成本指标"]  # the shanghai-2023 layout's level-1 names the form does not have yet
    assert "经济效益指标" in level2 and "社会效益指标" not in level2  # 社会效益指标 is already there


def test_a_broken_buffer_reports_the_syntax_error_and_recovers(repo) -> None:
    path = str(repo / "specs" / "2023" / "it-operations.yaml")
    uri = f"file://{path}"
    original = open(path, encoding="utf-8").read()
    broken = original.replace("grade: 优", "grade: [优", 1)

    async def scenario(s: Session) -> tuple[list, list]:
        await s.diagnostics(s.open(uri, original))
        bad = await s.diagnostics(s.change(uri, original, broken))
        good = await s.diagnostics(s.change(uri, broken, original))
        return bad, good

    bad, good = run_session(str(repo), scenario)
    assert [str(d.code) for d in bad] == ["PS001"]
    assert "PS001" not in {str(d.code) for d in good} and "PS201" in {str(d.code) for d in good}


# --------------------------------------------------------------------------- the analysis behind it (no pipe)


def test_acknowledge_skeletons_fit_block_flow_and_top_level(repo) -> None:
    from perfspec.lsp import analysis
    from perfspec.load.loader import load_text

    path = str(repo / "specs" / "2023" / "online-housing-transactions.yaml")
    text = open(path, encoding="utf-8").read()
    result = analysis.analyse(path, text)
    total = next(f for f in result.findings if f.code == "PS105")
    flow = analysis.acknowledge_text(result, total)
    assert flow is not None and 'acknowledge: {PS105: ""}}' in flow
    # A copy in 2024/ with its year unchanged: PS016 at the top level gets a block at the end.
    copy = repo / "specs" / "2024" / "online-housing-transactions.yaml"
    copy.parent.mkdir()
    copy.write_text(text, encoding="utf-8")
    moved = analysis.analyse(str(copy), text)
    ps016 = next(f for f in moved.findings if f.code == "PS016")
    top = analysis.acknowledge_text(moved, ps016)
    assert top is not None and top.rstrip().endswith('acknowledge:\n  PS016: ""  # 理由（必填，至少两个字）：为什么接受这条检查结果')
    for new_text in (flow, top):
        loaded = load_text(new_text, "x.yaml")
        assert loaded.document is not None and not loaded.findings
    # Acknowledged findings and PS9xx findings get no skeleton.
    assert analysis.acknowledge_text(result, total.acknowledge("理由")) is None
