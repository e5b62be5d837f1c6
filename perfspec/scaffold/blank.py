"""A blank form in a layout and kind: every cell present, `null` where the form is blank,
each with its printed Chinese label as a comment (`perfspec new`).

The cells are the layout's (perfspec/form/layouts/*.yaml): its header, funding rows and
columns, goals, one indicator row under every level-2 category of its vocabulary with
the row's columns (指标性质/度量单位 where the target is split, 实际完成值 where the kind
reports actuals, the monitoring columns, the score columns), total, grade, sections and
signatures. Values the printed form carries (the budget's 分值) are filled in; values
`perfspec fix` computes are left null with a note saying so.

The text is checked before it is returned: perfspec's own loader must read it back
as exactly the intended data, with no structural finding.
"""

from __future__ import annotations

import os
import unicodedata
from decimal import Decimal
from typing import Any, NamedTuple

from perfspec.form.kinds import Kind
from perfspec.form.layout import Layout

# Indicator cells every layout prints, in this order; a layout's other labelled cells
# (the monitoring form's 1–N月实际完成值 …) follow the target and actual.
_ROW_BASE = ("level1", "level2", "name", "nature", "target", "unit", "actual", "raw_score", "weight", "score", "deviation")
_COMMENT_COLUMN = 44

_NOTES = {
    "year": "四位整数，如 2024",
    "project": "必填，照表中原样填写",
    "nature": "正向、反向或定性",
    "likelihood": "确定能、有可能或完全不可能",
    "period": "写月数 N，如 6 表示 1–6 月",
}


class _Field(NamedTuple):
    key: str
    zh: str


def width(text: str) -> int:
    """Display width: CJK (wide and full-width) characters count two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def commented(text: str, comment: str | None, column: int = _COMMENT_COLUMN) -> str:
    if not comment:
        return text
    pad = column - width(text)
    return text + " " * max(pad, 2) + "# " + comment


_SPECIAL = frozenset("-?:,[]{}#&*!|>'\"%@`")


def scalar(value: Any) -> str:
    """A value as YAML that perfspec's loader reads back unchanged: plain where it can be."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    text = str(value)
    plain = (
        text
        and text == text.strip()
        and text[0] not in _SPECIAL
        and text[-1] != ":"
        and ": " not in text
        and " #" not in text
        and all(c.isprintable() and c not in "\t\u2028\u2029\x85" for c in text)
        and text.lower() not in ("~", "null", "true", "false", "y", "n", "yes", "no", "on", "off")
    )
    if plain:
        from perfspec.load.loader import load_text

        loaded = load_text(f"k: {text}\n", "<scalar>")
        if loaded.document is not None and not loaded.findings and loaded.document.data == {"k": text}:
            return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return '"' + escaped + '"'


def row_cells(layout: Layout, kind: Kind) -> list[tuple[str, str]]:
    """The cells of one indicator row: (key, Chinese label), in printed order."""
    labels = layout.labels.get("indicators", {})

    def label(key: str) -> str:
        return labels[key][0] if key in labels else key

    extra = [k for k in labels if k not in _ROW_BASE]
    cells = [("name", label("name"))]
    if layout.target_mode == "split":
        cells.append(("nature", label("nature")))
    cells.append(("target", label("target")))
    if layout.target_mode == "split":
        cells.append(("unit", label("unit")))
    if kind.actuals:
        cells.append(("actual", label("actual")))
    cells += [(k, label(k)) for k in extra if k != "measures" and k != "deviation"]
    for key in layout.scores:
        cells.append((key, label(key)))
    if kind.scored:
        # The schema asks a scored kind for both cells; a layout without the column writes null (absent, not 0).
        for key in ("weight", "score"):
            if key not in layout.scores:
                cells.append((key, f"{label(key)}：本版式没有这一栏，保留 null"))
    if kind.actuals or extra:
        cells.append(("deviation", label("deviation")))
    if "measures" in extra:
        cells.append(("measures", label("measures")))
    return cells


def blank_form(
    layout: Layout,
    kind: Kind,
    year: int,
    project: str | None = None,
    schema_ref: str | None = None,
    write_layout: bool = False,
    write_kind: bool = False,
) -> str:
    """The text of a blank form. `schema_ref`: the modeline's path to the schema, if any."""
    lines: list[str] = []
    if schema_ref:
        lines.append(f"# yaml-language-server: $schema={schema_ref}")
        lines.append("#")
    title = layout.title or kind.zh
    lines += [
        f"# {title}{'' if title == kind.zh else f'（{kind.zh}）'}：由 perfspec new 生成的空白表。",
        f"# 版式：{layout.name}（{layout.id}）。",
        "# 照原表逐格填写：表中空白的单元格保留 null；用不到的二级指标整段删除，",
        "# 需要更多行时复制一行（从“- name:”起的整段）。",
    ]
    if kind.scored:
        lines.append("# 执行率、预算执行率得分、总分值、总得分和评分等级可以留空：perfspec fix 会计算填写。")
    lines += ["# 填好后运行 perfspec check 检查。", ""]
    if write_kind:
        lines.append(commented(f"kind: {kind.key}", f"表格种类：{kind.zh}"))
    if write_layout:
        lines.append(commented(f"layout: {scalar(layout.id)}", f"版式：{layout.name}"))
    header = list(layout.header)
    keys = [f.key for f in header]
    # Every form states its year and project, printed in the header or not.
    for key, zh in (("project", "项目名称"), ("year", "年度")):
        if key not in keys:
            header.insert(0, _Field(key, zh))
    written: set[str] = set()
    for field in header:
        if field.key in written:
            continue
        written.add(field.key)
        value: Any = None
        if field.key == "year":
            value = year
        elif field.key == "project":
            value = project
        note = field.zh + (f"（{_NOTES[field.key]}）" if field.key in _NOTES else "")
        lines.append(commented(f"{field.key}: {scalar(value)}", note))
    lines.append("")
    lines += _funds(layout, kind.scored)
    if layout.goals:
        lines.append("")
        lines.append(commented("goals:", layout.goals_zh))
        for field in layout.goals:
            lines.append(commented(f"  {field.key}: null", field.zh))
    lines.append("")
    lines += _indicators(layout, kind)
    if layout.has_total:
        total = layout.labels.get("total", {})
        weight = total.get("weight", ("总分值", ""))[0]
        score = total.get("score", ("总得分", ""))[0]
        lines.append("")
        lines.append(commented("total: {weight: null, score: null}", f"{weight}、{score}：perfspec fix 计算填写"))
    if layout.has_grade:
        grade = layout.labels.get("blocks", {}).get("grade", ("评分等级", ""))[0]
        lines.append(commented("grade: null", f"{grade}：perfspec fix 按总得分填写"))
    tail = [f for f in layout.sections + layout.signatures if f.key not in written]
    if tail:
        lines.append("")
        for field in tail:
            written.add(field.key)
            lines.append(commented(f"{field.key}: null", field.zh))
    text = "\n".join(lines) + "\n"
    _verify(text)
    return text


def _funds(layout: Layout, scored: bool) -> list[str]:
    labels = layout.labels.get("funds", {})

    def label(key: str, default: str) -> str:
        return labels[key][0] if key in labels else default

    out = [commented("funds:", layout.funds_zh)]
    out.append(commented(f"  unit: {scalar(layout.funds_unit)}", "金额单位：万元 或 元"))
    absent = "：本版式不在项目资金中计分，保留 null"
    if layout.funds_scored == "funds":
        out.append(commented(f"  weight: {scalar(layout.funds_weight)}", label("weight", "分值")))
    elif scored:
        out.append(commented("  weight: null", label("weight", "分值") + absent))
    columns = [c.key for c in layout.funds_columns]
    cells = ", ".join(f"{c}: null" for c in columns)
    rows = layout.funds_rows
    name_width = max((len(r.key) for r in rows), default=5) + 1
    for row in rows:
        # Each source row prints its own rate; the total row's is funds.rate below.
        rate = ", rate: null" if layout.row_rates and not row.total else ""
        key = f"{row.key}:".ljust(name_width)
        column_names = "、".join(c.zh for c in layout.funds_columns)
        note = row.zh + (f"（{column_names}）" if row.total else "")
        out.append(commented(f"  {key} {{{cells}{rate}}}", note, 0))
    if layout.rate_base is not None:
        out.append(commented("  rate: null", f"{label('rate', '执行率')}（%）" + ("：perfspec fix 计算填写" if layout.funds_scored != "none" else "")))
    if layout.funds_scored == "funds":
        out.append(commented("  score: null", f"{label('score', '得分')}：perfspec fix 计算填写"))
    elif scored:
        out.append(commented("  score: null", label("score", "得分") + absent))
    if "deviation" in labels and {"initial", "annual"} <= set(columns):
        out.append(commented("  deviation: null", f"{labels['deviation'][0]}：年初与全年预算数不同时填写"))
    return out


def _indicators(layout: Layout, kind: Kind) -> list[str]:
    caption = layout.labels.get("blocks", {}).get("indicators", ("绩效指标", ""))[0]
    labels = layout.labels.get("indicators", {})
    l1 = labels.get("level1", ("一级指标", ""))[0]
    l2 = labels.get("level2", ("二级指标", ""))[0]
    out = [commented("indicators:", f"{caption}：{l1} → {l2} → 三级指标的行")]
    cells = row_cells(layout, kind)
    for name1, names2 in vocabulary(layout).items():
        out.append(commented(f"  {scalar(name1)}:", l1))
        rubric = name1 in layout.rubric
        for name2 in names2 or (name1,):
            out.append(commented(f"    {scalar(name2)}:", l2))
            first = True
            for key, label in cells:
                if rubric and key in ("nature", "unit"):
                    continue
                lead = "      - " if first else "        "
                note = label + (f"（{_NOTES[key]}）" if key in _NOTES else "")
                if rubric and key == "target":
                    note += "（评分项目没有指标值时写 —）"
                out.append(commented(f"{lead}{key}: null", note))
                first = False
    return out


def vocabulary(layout: Layout) -> dict[str, tuple[str, ...]]:
    """The level-1/level-2 names a blank form of `layout` lists.

    A layout that `extends:` another merges the parent's names into its own, so the older
    framework's layout also knows 产出指标/效益指标; a blank form lists the names the
    shipped layout file declares itself, when it declares any.
    """
    from perfspec.form.layout import LAYOUT_DIR
    from perfspec.load.loader import load_file

    path = os.path.join(LAYOUT_DIR, layout.id + ".yaml")
    if os.path.isfile(path):
        loaded = load_file(path)
        data = loaded.document.data if loaded.document is not None else None
        own = data.get("indicators", {}).get("level1") if isinstance(data, dict) and isinstance(data.get("indicators"), dict) else None
        if isinstance(own, dict) and own and all(isinstance(k, str) for k in own):
            return {k: layout.level1.get(k, ()) for k in own}
    return dict(layout.level1)


def _verify(text: str) -> None:
    """perfspec's loader reads the text with no structural finding (a bug here must not reach a user)."""
    from perfspec.load.loader import load_text

    loaded = load_text(text, "<blank form>")
    if loaded.document is None or loaded.findings:
        problem = loaded.findings[0].message if loaded.findings else "无法读取"
        raise AssertionError(f"perfspec new 生成的空白表无法读取：{problem}")
