"""PS017 review-marker: 导入时标记的“# review:”复核说明还没有处理

`perfspec import` 把没有把握的单元格（按猜测拆开的格子、OCR 可能读错的符号、表格中断处……）
读进 spec，并在该格上方加一行 ``# review: 原因`` 注释。核对原表、改正数值后，删除这行注释。
注释还在，说明这一格还没有人核对过：导入的表不能不经复核就通过检查。

通过 / passes::

    indicators:
      产出指标:
        数量指标:
          - name: 安装坡面水标尺
            target: ≥266米

不通过 / fails::

    indicators:
      产出指标:
        数量指标:
          # review: 单元格边界是猜的：原文“10≥266米≥266米10”没有分隔
          - name: 安装坡面水标尺
            target: ≥266米
"""

from __future__ import annotations

import re

from perfspec.check.rules.base import Context
from perfspec.diagnostics import Finding, format_path

CODE = "PS017"
NAME = "review-marker"
SEVERITY = "warning"
SUMMARY = "导入时的“# review:”复核说明已处理并删除"
SUMMARY_EN = "the import's '# review:' notes have been dealt with and removed"

# As text: only a form holding a marker needs them compiled (re caches them when used).
_MARKER = r"^\s*#\s*review:\s*(.*)$"
_COMMENT = r"^\s*(#.*)?$"
_KEY = r"^(\s*)(?:-\s+)?([^\s#:][^:#]*?)\s*:(?:\s|$)"


def check(ctx: Context) -> None:
    text = ctx.doc.text
    if "review:" not in text:  # the clean case costs one substring search
        return
    lines = text.splitlines()
    where = _paths_by_line(ctx)
    for number, line in enumerate(lines, start=1):
        match = re.match(_MARKER, line)
        if not match:
            continue
        reason = _reason(lines, number, match.group(1))
        path = _next_path(lines, number, where)
        cell = f"{format_path(path)} 这一格" if path else "整张表"
        ctx.findings.append(_finding(ctx, number, path, reason, cell))


def _reason(lines: list[str], number: int, first: str) -> str:
    """The note's text, with the comment lines the importer wrapped it onto."""
    parts = [first.strip()]
    for line in lines[number:]:
        stripped = line.strip()
        if not stripped.startswith("#") or re.match(_MARKER, line):
            break
        parts.append(stripped.lstrip("#").strip())
    return "".join(parts) or "（未写原因）"


def _paths_by_line(ctx: Context) -> dict[int, tuple]:
    """line → the deepest YAML path written on it (only computed when a marker exists)."""
    found: dict[int, tuple] = {}
    for spans in (ctx.doc.key_spans, ctx.doc.spans):
        for path, span in spans.items():
            if len(path) > len(found.get(span.line, ())) or span.line not in found:
                found[span.line] = path
    return found


def _next_path(lines: list[str], number: int, where: dict[int, tuple]) -> tuple:
    for later in range(number + 1, len(lines) + 1):
        if not lines[later - 1].strip():
            return ()  # a blank line parts the note from the keys: it is about the whole form
        if re.match(_COMMENT, lines[later - 1]):
            continue
        if not re.match(_KEY, lines[later - 1]) and not lines[later - 1].lstrip().startswith("-"):
            return ()
        return where.get(later, ())
    return ()


def _finding(ctx: Context, line: int, path: tuple, reason: str, cell: str) -> Finding:
    assert ctx.rule is not None
    return Finding(
        file=ctx.doc.file,
        line=line,
        column=1,
        code=ctx.rule.code,
        severity=ctx.profile.severity_for(ctx.rule.code, ctx.rule.severity),
        message=f"{cell}还没有复核：{reason}（核对原表后删除这行“# review:”注释）",
        message_en=f"{'cell ' + format_path(path) if path else 'the form'} is not reviewed yet: {reason} "
                   "(check it against the published form, then delete the '# review:' comment)",
        path=format_path(path),
        where=path,
        key=reason,  # not the line: identity must survive edits above the note
    )
