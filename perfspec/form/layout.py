"""Layouts: how a printed form is laid out, read from YAML data.

A layout names the form's title, header cells, funding rows and columns,
indicator and score columns, the level-1/level-2 vocabulary and the signature
lines, with every label in Chinese and English. The shipped layouts live in
``perfspec/form/layouts/``; a repository may add its own file (``layout:
layouts/my-county.yaml`` in a spec or in ``.perfspec.yaml``). Every consumer
(rules, render, export, importers, the schema's titles) takes its labels from
here, so a new layout is one YAML file.
"""

import functools
import os
from decimal import Decimal
from typing import Any, NamedTuple

from perfspec.load.datafile import read_chain

LAYOUT_DIR = os.path.join(os.path.dirname(__file__), "layouts")
SCORE_SETS = ((), ("score",), ("weight", "score"), ("raw_score", "weight", "score"))
FUNDS_SCORED = ("funds", "indicator", "none")


class LayoutError(Exception):
    """A layout that cannot be used; the message names the file."""


class Field(NamedTuple):
    key: str
    zh: str
    en: str
    short: str  # the label without 其中： and the like, for running text
    required: bool = False
    total: bool = False


class Layout(NamedTuple):
    id: str
    name: str
    name_en: str
    kind: str
    title: str
    title_en: str
    titles: tuple[str, ...]
    full_marks: Decimal | None
    header: tuple[Field, ...]
    funds_zh: str
    funds_en: str
    funds_unit: str
    funds_scored: str  # funds | indicator | none
    funds_weight: Decimal | None
    funds_columns: tuple[Field, ...]
    funds_rows: tuple[Field, ...]
    rate_base: str | None
    rate_executed: str  # the column divided by the base: executed, or to_date on a monitoring form
    row_rates: bool
    goals_zh: str
    goals_en: str
    goals: tuple[Field, ...]
    target_mode: str  # single | split
    scores: tuple[str, ...]
    level1: dict[str, tuple[str, ...]]
    rubric: frozenset[str]
    has_total: bool
    has_grade: bool
    sections: tuple[Field, ...]
    signatures: tuple[Field, ...]
    labels: dict[str, dict[str, tuple[str, str]]]  # part → key → (zh, en)
    # Other spellings real forms print, for importers only (render and export print the labels above):
    # part → key → words (header, funds, goals, indicators, total), or part → words (funds_block,
    # goals_block, header_other: header cells no spec field holds, end: what is printed below the table,
    # title_words: words of a title that name the layout's kind).
    aliases: dict = {}

    def label(self, part: str, key: str, lang: str = "zh") -> str:
        """The printed label of a cell: label("funds", "rate") is 执行率; ("indicators", "target") 年度指标值."""
        pair = self.labels.get(part, {}).get(key)
        if pair is None:
            return key
        return pair[0] if lang == "zh" else pair[1]

    def funds_row(self, key: str) -> Field | None:
        return next((row for row in self.funds_rows if row.key == key), None)

    def funds_column(self, key: str) -> Field | None:
        return next((col for col in self.funds_columns if col.key == key), None)

    @property
    def total_row(self) -> str:
        return next((row.key for row in self.funds_rows if row.total), "total")

    @property
    def source_rows(self) -> tuple[str, ...]:
        return tuple(row.key for row in self.funds_rows if not row.total)


def builtin_layouts() -> list[str]:
    return sorted(name[:-5] for name in os.listdir(LAYOUT_DIR) if name.endswith(".yaml"))


def _locate(name: str, root: str | None) -> str:
    if name.endswith((".yaml", ".yml")) or "/" in name or os.sep in name:
        if root is None:
            raise LayoutError(f"版式文件 {name} 只能在仓库中使用（找不到 .perfspec.yaml 所在的文件夹）")
        path = os.path.normpath(os.path.join(root, name))
        real_root = os.path.realpath(root)
        # A layout is read from inside the repository only: a link out of it is not followed.
        if os.path.commonpath([os.path.realpath(path), real_root]) != real_root:
            raise LayoutError(f"版式文件 {name} 不在仓库 {root} 之内，不读取")
        if not os.path.isfile(path):
            raise LayoutError(f"找不到版式文件（layout）{path}")
        return path
    path = os.path.join(LAYOUT_DIR, name + ".yaml")
    if not os.path.isfile(path):
        raise LayoutError(f"没有名为“{name}”的版式（layout）；内置的有：{'、'.join(builtin_layouts())}")
    return path


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) is replaced whole."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _raw(name: str, root: str | None) -> tuple[dict[str, Any], str]:
    # A user's layout may extend a shipped one by id, or another file of the repository.
    return read_chain(name, _locate, root, LayoutError, _merge)


def _fields(value: Any, where: str) -> tuple[Field, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise LayoutError(f"{where} 应为列表，如 [{{key: project, zh: 项目名称, en: Project}}]")
    out = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not isinstance(item.get("zh"), str):
            raise LayoutError(f"{where} 的每一项都要有 key 和 zh（中文标签）")
        zh = item["zh"]
        out.append(
            Field(
                key=item["key"],
                zh=zh,
                en=str(item.get("en", item["key"])),
                short=str(item.get("short", zh)),
                required=bool(item.get("required", False)),
                total=bool(item.get("total", False)),
            )
        )
    return tuple(out)


def _pairs(value: Any, where: str) -> dict[str, tuple[str, str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LayoutError(f"{where} 应为映射，如 {{weight: {{zh: 分值, en: Weight}}}}")
    out = {}
    for key, pair in value.items():
        if not isinstance(pair, dict) or not isinstance(pair.get("zh"), str):
            raise LayoutError(f"{where}.{key} 应写成 {{zh: …, en: …}}")
        out[str(key)] = (pair["zh"], str(pair.get("en", key)))
    return out


ALIAS_KEYED = ("header", "funds", "goals", "indicators", "total")
ALIAS_LISTS = ("funds_block", "goals_block", "grade", "header_other", "self_score", "end", "title_words")


def _words(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(word, str) and word.strip() for word in value):
        raise LayoutError(f"{where} 应为中文标签的列表，如 [主管单位, 主管预算部门]")
    return tuple(value)


def _aliases(value: Any, where: str) -> dict:
    """`aliases:`: part → key → [words] for cells, part → [words] for captions and other printed words."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LayoutError(f"{where} 应为映射，如 {{header: {{department: [主管单位]}}}}")
    out: dict = {}
    for part, words in value.items():
        if part in ALIAS_LISTS:
            out[part] = _words(words, f"{where}.{part}")
        elif part in ALIAS_KEYED:
            if not isinstance(words, dict):
                raise LayoutError(f"{where}.{part} 应为映射（栏目 key: [其他写法, …]）")
            out[part] = {str(key): _words(inner, f"{where}.{part}.{key}") for key, inner in words.items()}
        else:
            raise LayoutError(f"{where} 没有“{part}”一项；可用的有：{'、'.join(ALIAS_KEYED + ALIAS_LISTS)}")
    return out


def _points(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise LayoutError(f"{where} 应为数字或 null")
    return Decimal(value)


def _build(data: dict[str, Any], path: str) -> Layout:
    ident = str(data.get("id") or os.path.splitext(os.path.basename(path))[0])
    where = f"layout {ident} ({path})"
    funds = data.get("funds") or {}
    indicators = data.get("indicators") or {}
    goals = data.get("goals") or {}
    total = data.get("total")
    grade = data.get("grade")
    scores = tuple(indicators.get("scores", ("weight", "score")))
    if scores not in SCORE_SETS:
        raise LayoutError(f"{where}: indicators.scores 应为 []、[score]、[weight, score] 或 [raw_score, weight, score]")
    scored = str(funds.get("scored", "funds"))
    if scored not in FUNDS_SCORED:
        raise LayoutError(f"{where}: funds.scored 应为 funds、indicator 或 none")
    target_mode = str(indicators.get("target", "single"))
    if target_mode not in ("single", "split"):
        raise LayoutError(f"{where}: indicators.target 应为 single 或 split")
    level1 = indicators.get("level1") or {}
    if not isinstance(level1, dict):
        raise LayoutError(f"{where}: indicators.level1 应为映射（一级指标: [二级指标, …]）")
    rows = _fields(funds.get("rows"), f"{where}: funds.rows")
    columns = _fields(funds.get("columns"), f"{where}: funds.columns")
    header = _fields(data.get("header"), f"{where}: header")
    goal_fields = _fields(goals.get("fields"), f"{where}: goals.fields")
    sections = _fields(data.get("sections"), f"{where}: sections")
    signatures = _fields(data.get("signatures"), f"{where}: signatures")
    labels: dict[str, dict[str, tuple[str, str]]] = {
        "header": {f.key: (f.zh, f.en) for f in header + sections + signatures},
        "funds": {f.key: (f.zh, f.en) for f in rows + columns},
        "goals": {f.key: (f.zh, f.en) for f in goal_fields},
        "indicators": _pairs(indicators.get("labels"), f"{where}: indicators.labels"),
        "total": _pairs((total or {}).get("labels"), f"{where}: total.labels"),
    }
    labels["funds"].update(_pairs(funds.get("labels"), f"{where}: funds.labels"))
    # Block captions: 项目资金, 年度总体目标, 绩效指标, 总分, 评分等级 (a block a layout lacks keeps the base wording).
    labels["blocks"] = {
        key: (str(block.get("zh")), str(block.get("en", block.get("zh"))))
        for key, block in (("funds", funds), ("goals", goals), ("indicators", indicators), ("total", total), ("grade", grade))
        if isinstance(block, dict) and isinstance(block.get("zh"), str)
    }
    return Layout(
        id=ident,
        name=str(data.get("name", ident)),
        name_en=str(data.get("name_en", ident)),
        kind=str(data.get("kind", "self-evaluation")),
        title=str(data.get("title", "")),
        title_en=str(data.get("title_en", "")),
        titles=tuple(str(t) for t in data.get("titles") or ()),
        full_marks=_points(data.get("full_marks"), f"{where}: full_marks"),
        header=header,
        funds_zh=str(funds.get("zh", "项目资金")),
        funds_en=str(funds.get("en", "Project funds")),
        funds_unit=str(funds.get("unit", "万元")),
        funds_scored=scored,
        funds_weight=_points(funds.get("weight"), f"{where}: funds.weight"),
        funds_columns=columns,
        funds_rows=rows,
        rate_base=None if funds.get("rate_base", "annual") is None else str(funds.get("rate_base", "annual")),
        rate_executed=str(funds.get("rate_executed", "executed")),
        row_rates=bool(funds.get("row_rates", False)),
        goals_zh=str(goals.get("zh", "年度总体目标")),
        goals_en=str(goals.get("en", "Annual goals")),
        goals=goal_fields,
        target_mode=target_mode,
        scores=scores,
        level1={str(k): tuple(str(x) for x in (v or ())) for k, v in level1.items()},
        rubric=frozenset(str(x) for x in indicators.get("rubric") or ()),
        has_total=total is not None,
        has_grade=grade is not None,
        sections=sections,
        signatures=signatures,
        labels=labels,
        aliases=_aliases(data.get("aliases"), f"{where}: aliases"),
    )


@functools.lru_cache(maxsize=64)
def load_layout(name: str, root: str | None = None) -> Layout:
    """A shipped layout by id (``national-2020``) or a repository's own file (``layouts/x.yaml``)."""
    data, path = _raw(name, root)
    try:
        return _build(data, path)
    except LayoutError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise LayoutError(f"{path}: 无法读取版式设置（{exc}）") from None


def _vocabulary_fit(layout: Layout, names: list[str]) -> int:
    known = set(layout.level1) | layout.rubric
    return sum(1 for name in names if name in known)


def choose_layout(data: Any, default: str, root: str | None = None) -> tuple[Layout, str | None]:
    """The layout a spec is read in, and a message when the one it names cannot be used.

    The spec's `layout:` wins; else its kind's layout for another kind; else the configured
    default, unless the spec's level-1 names fit another shipped layout of its kind better
    (a form in the older 决策/管理/产出/效益 framework is read in that framework).
    """
    from perfspec.form.kinds import kind_of
    from perfspec.form.captions import caption

    root_map = data if isinstance(data, dict) else {}
    named = root_map.get("layout")
    problem = None
    kind = kind_of(root_map.get("kind"))
    if isinstance(named, str) and named.strip():
        try:
            chosen = load_layout(named.strip(), root)
        except LayoutError as exc:
            problem = str(exc)
        else:
            if "kind" in root_map and chosen.kind != kind.key:
                return chosen, (
                    f"版式“{chosen.name}”是{kind_of(chosen.kind).zh}的版式，这张表的种类（kind）却是{kind.zh}：请核对 layout 或 kind"
                )
            return chosen, None
    try:
        base = load_layout(default, root)
    except LayoutError as exc:
        problem = problem or str(exc)
        base = load_layout(kind.layout)
    if base.kind != kind.key:
        return load_layout(kind.layout), problem
    indicators = root_map.get("indicators")
    names = [caption(str(k))[0] for k in indicators] if isinstance(indicators, dict) else []
    best, fit = base, _vocabulary_fit(base, names)
    if names and fit < len(names):
        for ident in builtin_layouts():
            candidate = load_layout(ident)
            if candidate.kind == kind.key and _vocabulary_fit(candidate, names) > fit:
                best, fit = candidate, _vocabulary_fit(candidate, names)
    return best, problem
