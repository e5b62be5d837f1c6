"""The JSON Schema as an editor sees it: a stable `$id` and the layout's category names.

yaml-language-server and VS Code complete mapping keys from `properties`, not from
`propertyNames.examples`; so the level-1 and level-2 names of a layout are also
written as `properties` of the indicators block. They add no constraint: each
refers to the same definition `additionalProperties` applies to every other name,
so a form is valid under one layout's vocabulary exactly when it is under another's.

The shipped `schema/perfspec.schema.json` carries the vocabulary of the default
layout (national-2020); `perfspec init` writes a copy into the new repository with
the vocabulary of the layout it chose (`schema_for(layout)`).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from perfspec.form.layout import Layout

# Stable: the same in every copy, whatever perfspec version wrote it. A URN, because
# perfspec has no address of its own: each repository keeps its copy of the schema
# (perfspec init writes it) and the modeline of every form points at that file.
SCHEMA_ID = "urn:perfspec:schema:form"
DEFAULT_LAYOUT = "national-2020"


def shipped() -> dict[str, Any]:
    from perfspec.load.schema_check import schema_path

    with open(schema_path(), encoding="utf-8") as handle:
        return json.load(handle)  # type: ignore[no-any-return]


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def with_vocabulary(schema: dict[str, Any], layout: Layout) -> dict[str, Any]:
    """The schema with `layout`'s level-1/level-2 names as completable properties (a copy)."""
    out = copy.deepcopy(schema)
    defs = out.setdefault("$defs", {})
    indicators = out["properties"]["indicators"]
    level1 = indicators.get("additionalProperties")
    if isinstance(level1, dict) and "$ref" not in level1:
        # First time: lift the nested definitions into $defs so properties can share them.
        level2 = level1.get("additionalProperties")
        if isinstance(level2, dict) and "$ref" not in level2:
            defs["level2"] = level2
            level1["additionalProperties"] = {"$ref": "#/$defs/level2"}
        defs["level1"] = level1
        indicators["additionalProperties"] = {"$ref": "#/$defs/level1"}
    vocabulary: dict[str, Any] = {}
    for name1, names2 in layout.level1.items():
        rubric = name1 in layout.rubric
        vocabulary[name1] = {
            "title": name1,
            "description": (
                f"一级指标“{name1}”（版式 {layout.id}）"
                + ("：评分项目，各行没有年度指标值。" if rubric else "。")
                + (f"二级指标有 {'、'.join(names2)}。" if names2 else "")
            ),
            "$ref": "#/$defs/level1",
            "properties": {
                name2: {
                    "title": name2,
                    "description": f"二级指标“{name2}”下的三级指标，按表中顺序逐条列出。",
                    "$ref": "#/$defs/level2",
                }
                for name2 in names2
            },
        }
    indicators["properties"] = vocabulary
    out["$id"] = SCHEMA_ID
    out["$comment"] = (
        f"perfspec 的表格结构。指标类别名称（indicators 的 properties）取自版式 {layout.id}，"
        "只用于编辑器补全，不增加任何约束；其他名称照样可写。"
    )
    return out


def schema_for(layout: Layout) -> str:
    """The schema text `perfspec init` writes for a repository using `layout`."""
    return dumps(with_vocabulary(shipped(), layout))
