"""What the language server knows about a buffer, without any LSP machinery (testable alone).

- `analyse(path, text)`: the findings `perfspec check` reports for the file with this
  content (the same loader, engine, profile, layout and cross-form check), and the form.
- `hover(result, line, column)`: for a derived cell, the computed value beside the stated
  one, with how it is computed (perfspec/form/derived.py) and the profile's rounding.
- `fixed_text(result)`: the text `perfspec fix` would write (perfspec/fix.py).
- `acknowledge_text(result, finding)`: the text with an `acknowledge` skeleton for the
  finding in the mapping that owns it; the reason is left empty (`""`), so the
  acknowledgement counts only once a person writes one (PS901 until then).
- `completions(result, text, line, column)`: the layout's level-1 or level-2 category
  names where the cursor is a key under `indicators:` or under a level-1 category.

Lines and columns are 0-based code points here; the server converts to the client's units.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from typing import Any, NamedTuple

from perfspec.diagnostics import Finding, Path


class Result(NamedTuple):
    path: str
    shown: str
    text: str
    document: Any  # perfspec.load.loader.Document | None
    loader_findings: list[Finding]
    findings: list[Finding]
    engine: Any  # perfspec.check.engine.Engine
    form: Any  # perfspec.form.model.Form | None
    lang: str


class _Engines:
    """One engine per configuration file, rebuilt when the file changes."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[float, Any, Any]] = {}

    def get(self, folder: str) -> tuple[Any, Any]:
        from perfspec.check.engine import Engine, Options
        from perfspec.config import find_config, load_config
        from perfspec.profile import load_profile

        file = find_config(folder) or ""
        stamp = os.path.getmtime(file) if file and os.path.exists(file) else 0.0
        cached = self.cache.get(file)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        config = load_config(folder)
        profile = load_profile(config.profile, config.root)
        engine = Engine(Options(profile=profile, select=config.select, ignore=config.ignore, layout=config.layout, root=config.root))
        self.cache[file] = (stamp, engine, config)
        return engine, config


ENGINES = _Engines()


def display(path: str) -> str:
    from perfspec.check.engine import display_name

    return display_name(path)


def analyse(path: str, text: str, lang: str = "zh") -> Result:
    """The findings `perfspec check PATH` gives for PATH holding `text`, and the form."""
    from perfspec.check import corpus
    from perfspec.form.layout import choose_layout
    from perfspec.form.model import build
    from perfspec.load.loader import decode, load_text

    engine, config = ENGINES.get(os.path.dirname(os.path.abspath(path)))
    shown = display(path)
    decoded, problem = decode(text.encode("utf-8"), shown)
    if problem is not None or decoded is None:
        findings = [problem] if problem is not None else []
        return Result(path, shown, text, None, findings, findings, engine, None, lang)
    loaded = load_text(decoded, shown)
    document = loaded.document
    if document is None:
        findings = sorted(loaded.findings, key=Finding.sort_key)
        return Result(path, shown, text, None, loaded.findings, findings, engine, None, lang)
    findings = engine.check_document(document, loaded.findings)
    checked = [(path, shown)]
    added = corpus.duplicates(engine, checked, corpus.configured_forms(config.root, checked), {path: document})
    findings = corpus.merge(findings, added, [shown])
    layout, _ = choose_layout(document.data, engine.options.layout, engine.options.root)
    form = build(document.data, layout)
    return Result(path, shown, text, document, loaded.findings, findings, engine, form, lang)


# --------------------------------------------------------------------------- positions


def _contains(span: Any, line: int, column: int) -> bool:
    """Whether 0-based (line, column) lies within a 1-based span."""
    start = (span.line - 1, span.column - 1)
    end_line = span.end_line if span.end_line is not None else span.line
    end_column = span.end_column if span.end_column is not None else span.column + 1
    end = (end_line - 1, end_column - 1)
    return start <= (line, column) <= end


def path_at(document: Any, line: int, column: int) -> Path | None:
    """The YAML path of the innermost value or key at a position."""
    best: Path | None = None
    for spans in (document.spans, document.key_spans):
        for path, span in spans.items():
            if not path or not _contains(span, line, column):
                continue
            if best is None or len(path) > len(best):
                best = path
    return best


# --------------------------------------------------------------------------- hover


def _n(value: Decimal | None) -> str:
    from perfspec.check.rules.base import fmt

    return fmt(value)


def _approx(value: Decimal) -> str:
    from perfspec.check.rules.base import approx

    return approx(value, 4)


def hover(result: Result, line: int, column: int) -> tuple[str, Path] | None:
    """Markdown for the derived cell under the cursor: the computed value beside the stated one."""
    if result.document is None or result.form is None:
        return None
    path = path_at(result.document, line, column)
    if path is None:
        return None
    form = result.form
    profile = result.engine.options.profile
    if path[:2] == ("funds", "rate"):
        return _hover_rate(form, profile), ("funds", "rate")
    if path[:2] == ("funds", "score"):
        return _hover_budget_score(form, profile), ("funds", "score")
    if path[:2] in (("total", "weight"), ("total", "score")):
        return _hover_total(form, str(path[1])), path[:2]
    if path[:1] == ("grade",):
        return _hover_grade(form, profile), ("grade",)
    if len(path) >= 5 and path[0] == "indicators" and path[4] in ("score", "weight", "raw_score"):
        text = _hover_indicator(form, path[:4])
        return (text, path[:5]) if text else None
    return None


def _rounding(profile: Any) -> str:
    from perfspec.profile import ROUNDING_ZH

    return "或".join(ROUNDING_ZH[m] for m in profile.rate_rounding)


def _verdict(stated: Decimal | None, accepted: list[Decimal]) -> str:
    if stated is None:
        return "表中空白（perfspec fix 会填写）"
    if stated in accepted:
        return f"表中 {_n(stated)}：一致 ✓"
    return f"表中 {_n(stated)}：**不一致** ✗"


def _hover_rate(form: Any, profile: Any) -> str:
    from perfspec.form.derived import accepted_rates, rate_basis, stated_rate_readings

    layout = form.layout
    label = layout.label("funds", "rate")
    basis = rate_basis(form)
    if basis is None or form.funds is None:
        return f"**{label}**\n\n无法计算：{layout.label('funds', 'total')}一行的预算数或执行数空白。"
    exact = basis.executed / basis.budget * 100
    accepted = accepted_rates(exact, profile)
    executed = layout.label("funds", layout.rate_executed)
    budget = layout.label("funds", basis.column)
    source = "（年度资金总额一行空白或为 0，按各资金来源之和计算）" if basis.from_sources else ""
    method, preferred = next(iter(accepted.items()))
    lines = [
        f"**{label}** {_n(preferred)} = {_n(basis.executed)} ÷ {_n(basis.budget)}，{_rounding_name(method)}",
        f"{executed} {_n(basis.executed)} ÷ {budget} {_n(basis.budget)} × 100 = {_approx(exact)}{source}",
    ]
    if len(accepted) > 1:
        lines.append(f"profile {profile.name} 接受：" + "；".join(f"{_rounding_name(m)} {_n(v)}" for m, v in accepted.items()))
    readings = stated_rate_readings(form.funds)
    if form.funds.rate is None:
        lines.append("表中空白（perfspec fix 会填写）")
    elif any(r in accepted.values() for r in readings):
        lines.append(f"表中 {_n(form.funds.rate)}：一致 ✓")
    else:
        lines.append(f"表中 {_n(form.funds.rate)}：**不一致** ✗")
    return "\n\n".join(lines)


def _rounding_name(method: str) -> str:
    from perfspec.profile import ROUNDING_ZH

    return ROUNDING_ZH.get(method, method)


def _hover_budget_score(form: Any, profile: Any) -> str:
    from perfspec.form.derived import budget_scores, exact_rate

    funds = form.funds
    label = form.layout.label("funds", "score")
    if funds is None or funds.weight is None:
        return f"**预算执行率{label}**\n\n无法计算：分值空白。"
    exact = exact_rate(form)
    if exact is None:
        return f"**预算执行率{label}**\n\n无法计算：执行率无法计算（预算数或执行数空白）。"
    accepted = budget_scores(funds.weight, exact, profile)
    capped = " （执行率超过 100% 按 100% 计）" if exact > 100 else ""
    return (
        f"**预算执行率{label}** = 分值 {_n(funds.weight)} × 执行率{capped}\n\n"
        f"计算：{_n(funds.weight)} × {_approx(min(exact, Decimal(100)))}% → 接受 "
        + "、".join(f"**{_n(v)}**" for v in accepted)
        + f"\n\n{_verdict(funds.score, accepted)}"
    )


def _hover_total(form: Any, field: str) -> str:
    from perfspec.form.derived import points_sum

    label = form.layout.label("total", field)
    total = points_sum(form, field)
    stated = form.total_weight if field == "weight" else form.total_score
    word = "分值" if field == "weight" else "得分"
    if total.value is None:
        blanks = "、".join(total.blanks[:5]) + ("等" if len(total.blanks) > 5 else "")
        reason = f"{blanks}空白" if blanks else f"这张表没有{word}栏"
        return f"**{label}**\n\n无法计算：{reason}。"
    parts = []
    if total.funds:
        parts.append(f"预算执行率{word} {_n(total.funds)}")
    parts.append(f"{total.count} 个三级指标{word}合计 {_n(total.rows)}")
    return f"**{label}** = {' + '.join(parts)} = **{_n(total.value)}**\n\n{_verdict(stated, [total.value])}"


def _hover_grade(form: Any, profile: Any) -> str:
    from perfspec.form.derived import grade_for, points_sum

    total = points_sum(form, "score").value
    basis = "逐项合计的总得分"
    if total is None:
        total, basis = form.total_score, "表中的总得分"
    if total is None:
        return "**评分等级**\n\n无法计算：总得分空白。"
    grade = grade_for(total, profile)
    stated = form.grade if isinstance(form.grade, str) else None
    verdict = "表中空白（perfspec fix 会填写）" if stated is None else (
        f"表中“{stated}”：一致 ✓" if stated == grade else f"表中“{stated}”：**不一致** ✗"
    )
    return f"**评分等级** = **{grade}**（{basis} {_n(total)}；{profile.band_text()}）\n\n{verdict}"


def _hover_indicator(form: Any, row: Path) -> str | None:
    from perfspec.form.derived import deduction, weighted_score

    ind = next((i for i in form.indicators if i.path == row), None)
    if ind is None:
        return None
    lines = [f"**{ind.label}**"]
    lost = deduction(ind)
    if lost is not None:
        lines.append(f"扣分 = 分值 {_n(ind.weight)} − 得分 {_n(ind.score)} = **{_n(lost)}**")
        if lost > 0:
            lines.append("扣了分：须写偏差原因分析及改进措施（deviation）")
    computed = weighted_score(ind)
    if computed is not None:
        lines.append(f"折算得分 = 单项得分 {_n(ind.raw_score)} × 权重 {_n(ind.weight)} ÷ 100 = **{_n(computed)}**")
    return "\n\n".join(lines) if len(lines) > 1 else None


# --------------------------------------------------------------------------- code actions


def fixed_text(result: Result) -> tuple[str, list[str]] | None:
    """The buffer as `perfspec fix` would write it, with what changed; None when nothing would."""
    from perfspec.fix import fix_document

    if result.document is None:
        return None
    outcome = fix_document(result.document, result.engine.options.profile, result.loader_findings)
    if not outcome.changed:
        return None
    bom = "\ufeff" if result.text.startswith("\ufeff") else ""
    return bom + outcome.fixed, [c.text(result.lang) for c in outcome.changes]


def _first_key_column(document: Any, owner: Path) -> int | None:
    """The 0-based column of the keys of the block mapping at `owner` (None when flow or unknown)."""
    columns = [
        (span.line, span.column - 1)
        for path, span in document.key_spans.items()
        if len(path) == len(owner) + 1 and path[: len(owner)] == owner
    ]
    if not columns:
        return None
    line, column = min(columns)
    return column


def _is_flow(text_lines: list[str], document: Any, owner: Path) -> bool:
    span = document.spans.get(owner) if owner else None
    if span is None:
        return False
    line = text_lines[span.line - 1] if span.line - 1 < len(text_lines) else ""
    return line[span.column - 1 : span.column] in ("{", "[")


def _last_line(text_lines: list[str], document: Any, owner: Path) -> int:
    """0-based index of the last line that holds content of the mapping at `owner`."""
    last = 0
    for path, span in list(document.spans.items()) + list(document.key_spans.items()):
        if path[: len(owner)] == owner and (len(path) > len(owner) or not owner):
            end = span.end_line if span.end_line is not None else span.line
            # A block's end mark may sit at the start of the next line: count only lines with content.
            candidate = end - 1
            if span.end_column is not None and span.end_column <= 1 and candidate > span.line - 1:
                candidate -= 1
            last = max(last, candidate, span.line - 1)
    while last > 0 and last < len(text_lines) and not text_lines[last].strip():
        last -= 1
    return min(last, len(text_lines) - 1)


def acknowledge_text(result: Result, finding: Finding) -> str | None:
    """The buffer with `acknowledge: {CODE: ""}` added where it covers `finding` (None when it cannot be placed)."""
    from perfspec.check.acknowledge import owner_of
    from perfspec.load.loader import load_text

    document = result.document
    if document is None or finding.acknowledged is not None or finding.code.startswith("PS9"):
        return None
    data = document.data
    if not isinstance(data, dict):
        return None
    owner = owner_of(finding.where)
    node: Any = data
    for part in owner:
        node = node[part] if isinstance(node, (dict, list)) else None
    if not isinstance(node, dict):
        return None
    text = document.text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    note = "  # 理由（必填，至少两个字）：为什么接受这条检查结果"
    existing = node.get("acknowledge")
    if isinstance(existing, dict):
        if finding.code in existing or _is_flow(lines, document, owner + ("acknowledge",)):
            return None
        column = _first_key_column(document, owner + ("acknowledge",))
        if column is None:
            return None
        after = _last_line(lines, document, owner + ("acknowledge",))
        insert = [" " * column + f'{finding.code}: ""' + note]
    elif existing is None and "acknowledge" not in node:
        if owner and _is_flow(lines, document, owner):
            return _into_flow(result, lines, newline, owner, finding.code)
        column = 0 if not owner else _first_key_column(document, owner)
        if column is None:
            return None
        after = len(lines) - 1 if not owner else _last_line(lines, document, owner)
        if not owner:
            while after > 0 and not lines[after].strip():
                after -= 1
        step = _indent_step(lines)
        insert = [" " * column + "acknowledge:", " " * (column + step) + f'{finding.code}: ""' + note]
    else:
        return None
    new_lines = lines[: after + 1] + insert + lines[after + 1 :]
    new_text = newline.join(new_lines)
    # Only an edit that reads back as exactly the intended data is offered.
    check = load_text(new_text, result.shown)
    if check.document is None or len(check.findings) > len(result.loader_findings):
        return None
    reread: Any = check.document.data
    for part in owner:
        reread = reread[part]
    if not isinstance(reread.get("acknowledge"), dict) or reread["acknowledge"].get(finding.code) != "":
        return None
    bom = "\ufeff" if result.text.startswith("\ufeff") else ""
    return bom + new_text


def _into_flow(result: Result, lines: list[str], newline: str, owner: Path, code: str) -> str | None:
    """`{weight: 100.00, score: 97.51}` → `{weight: 100.00, score: 97.51, acknowledge: {PS105: ""}}`."""
    from perfspec.load.loader import load_text

    span = result.document.spans.get(owner)
    if span is None or span.end_line is None or span.end_column is None:
        return None
    row = span.end_line - 1
    close = span.end_column - 2  # the column of the closing brace
    if not (0 <= row < len(lines)) or close < 0 or lines[row][close : close + 1] != "}":
        return None
    lines = list(lines)
    lines[row] = lines[row][:close].rstrip() + f', acknowledge: {{{code}: ""}}' + lines[row][close:]
    new_text = newline.join(lines)
    check = load_text(new_text, result.shown)
    if check.document is None or len(check.findings) > len(result.loader_findings):
        return None
    reread: Any = check.document.data
    for part in owner:
        reread = reread[part]
    if not isinstance(reread, dict) or reread.get("acknowledge") != {code: ""}:
        return None
    return ("\ufeff" if result.text.startswith("\ufeff") else "") + new_text


def _indent_step(lines: list[str]) -> int:
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip() and not line.lstrip().startswith(("#", "-"))]
    positive = [w for w in widths if w]
    return min(positive) if positive else 2


# --------------------------------------------------------------------------- completion

_KEY = re.compile(r"^( *)(?:- )?[ ]*([^#\s][^:#]*):(?:\s|$)")  # no lazy group: linear on any line


def _key_path(lines: list[str], line: int) -> tuple[list[str], int]:
    """The block keys above `line` that hold it (by indentation), and the line's own indentation."""
    current = lines[line] if line < len(lines) else ""
    indent = len(current) - len(current.lstrip(" "))
    path: list[str] = []
    limit = indent
    for i in range(line - 1, -1, -1):
        text = lines[i]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        width = len(text) - len(text.lstrip(" "))
        if width >= limit:
            continue
        match = _KEY.match(text)
        if match and not text.lstrip().startswith("-"):
            path.insert(0, match.group(2).strip().strip("'\""))
            limit = width
            if width == 0:
                break
        elif text.lstrip().startswith("-"):
            limit = width
    return path, indent


def completions(result: Result, line: int, column: int) -> list[tuple[str, str]]:
    """(name, detail) of the category names that fit a key at this position."""
    from perfspec.form.captions import caption
    from perfspec.form.layout import choose_layout, load_layout

    lines = result.text.replace("\r\n", "\n").split("\n")
    if line >= len(lines):
        return []
    before = lines[line][:column]
    if before.strip().startswith(("#", "-")) or ":" in before:
        return []
    path, _ = _key_path(lines, line)
    engine = result.engine
    if result.form is not None:
        layout = result.form.layout
    else:
        try:
            layout = choose_layout({}, engine.options.layout, engine.options.root)[0]
        except Exception:  # noqa: BLE001 - a broken layout is reported by check
            layout = load_layout("national-2020")
    data = result.document.data if result.document is not None and isinstance(result.document.data, dict) else {}
    indicators = data.get("indicators") if isinstance(data.get("indicators"), dict) else {}
    if path == ["indicators"]:
        present = {caption(str(k))[0] for k in indicators}
        return [(name, f"一级指标（版式 {layout.id}）") for name in layout.level1 if name not in present]
    if len(path) == 2 and path[0] == "indicators":
        level1 = caption(path[1])[0]
        names = layout.level1.get(level1)
        if names is None:
            names = tuple(dict.fromkeys(n for group in layout.level1.values() for n in group))
        written = indicators.get(path[1]) if isinstance(indicators.get(path[1]), dict) else {}
        present = {caption(str(k))[0] for k in written}
        return [(name, f"{level1}的二级指标（版式 {layout.id}）") for name in names if name not in present]
    return []
