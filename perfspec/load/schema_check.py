"""JSON Schema validation with messages a finance person can act on.

The compiled gate (_schema_gate) clears a valid form; for a form it rejects,
perfspec's own walker (schema_walk) finds every error, and this module turns
each into one Chinese (and English) sentence naming the form's label of the
field, what was expected and what is there, at the exact key or value.
python-jsonschema is only the safety net: it is imported when the walker
cannot walk the schema, or finds nothing in a form the gate rejected.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterator

from perfspec.diagnostics import Path

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the perfspec package
# In a source checkout (or an editable install) the schema sits at the top of
# the repository; in a wheel it is mapped into the package as perfspec/schema.
_CANDIDATES = (
    os.path.join(_HERE, "schema", "perfspec.schema.json"),
    os.path.join(os.path.dirname(_HERE), "schema", "perfspec.schema.json"),
)


def schema_path() -> str:
    for candidate in _CANDIDATES:
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError("perfspec.schema.json is missing from the installation")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    import json

    with open(schema_path(), encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def _walker() -> Any:
    from perfspec.load.schema_walk import Unsupported, Walker

    try:
        return Walker(schema())
    except Unsupported:  # a keyword the walker lacks: tests/test_schema_walk.py fails on it first
        return None


@lru_cache(maxsize=1)
def _validator() -> Any:
    # ~130 ms to import (referencing, attrs, rpds): only the safety net in errors() pays it.
    import jsonschema

    cls = jsonschema.validators.validator_for(schema())
    return cls(schema())


_TYPE_ZH = {
    "string": "文本",
    "number": "数字",
    "integer": "整数",
    "object": "映射（键: 值）",
    "array": "列表（- 项）",
    "null": "空值 null",
    "boolean": "是/否",
}


def _kind(value: Any) -> tuple[str, str]:
    if value is None:
        return "空值", "null"
    if isinstance(value, bool):
        return "布尔值", "a boolean"
    if isinstance(value, (int, Decimal)):
        return "数字", "a number"
    if isinstance(value, str):
        return "文本", "text"
    if isinstance(value, list):
        return "列表", "a list"
    if isinstance(value, dict):
        return "映射", "a mapping"
    return type(value).__name__, type(value).__name__


def _shown(value: Any, lang: str = "zh") -> str:
    if isinstance(value, (dict, list)):
        return ""
    text = "null" if value is None else str(value)
    if len(text) > 30:
        text = text[:30] + "…"
    return f"“{text}”" if lang == "zh" else f"'{text}'"


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = schema()["$defs"][ref[len("#/$defs/") :]]
        merged = dict(target)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        return merged
    return node


def subschema(path: Path) -> dict[str, Any]:
    """The schema node that describes the value at `path` (titles included)."""
    node = _resolve(schema())
    for part in path:
        if isinstance(part, int):
            node = _resolve(node.get("items", {}))
        elif part in node.get("properties", {}):
            node = _resolve(node["properties"][part])
        elif isinstance(node.get("additionalProperties"), dict):
            node = _resolve(node["additionalProperties"])
        else:
            return {}
    return node


def label(path: Path, data: Any = None) -> tuple[str, str]:
    """`“故障处理率”的分值（weight）`: the form's label, the key, and the indicator it belongs to."""
    if not path:
        return "整张表", "the document"
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    title = subschema(path).get("title")
    owner_zh = owner_en = ""
    # Inside an indicator, name it: every group has a "第 1 项".
    if len(path) >= 4 and path[0] == "indicators" and isinstance(path[3], int):
        item = _at(data, path[:4])
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name:
            owner_zh, owner_en = f"“{name}”", f"'{name}'"
        else:
            owner_zh, owner_en = f"{path[1]}/{path[2]} 第 {path[3] + 1} 项", f"item {path[3] + 1} of {path[1]}/{path[2]}"
        if len(path) == 4:
            return f"三级指标{owner_zh}", f"indicator {owner_en}"
        owner_zh += "的"
        owner_en = f" of {owner_en}"
    if isinstance(path[-1], int):
        return f"{owner_zh}{title or key}第 {path[-1] + 1} 项", f"item {path[-1] + 1} of {key}{owner_en}"
    return owner_zh + (f"{title}（{key}）" if title and title != key else key), key + owner_en


def _at(data: Any, path: Path) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _types(expected: Any) -> tuple[str, str]:
    names = expected if isinstance(expected, list) else [expected]
    return "或".join(_TYPE_ZH.get(n, n) for n in names), " or ".join(names)


def passes_gate(data: Any) -> bool:
    """The compiled schema (perfspec/load/_schema_gate.py): fast, but it only knows the first error."""
    from perfspec.load import _schema_gate

    try:
        _schema_gate.validate(data)
    except _schema_gate.JsonSchemaValueException:
        return False
    return True


def errors(data: Any) -> Iterator[Any]:
    """The schema errors of a form the gate rejected, as python-jsonschema's iter_errors gives them.

    perfspec's walker finds them without python-jsonschema's import. Should the walker
    find nothing where the gate found something, the two disagree, and python-jsonschema
    decides: a rejected form never passes silently.
    """
    walker = _walker()
    found = False
    if walker is not None:
        for error in walker.iter_errors(data):
            found = True
            yield error
    if not found:
        yield from _validator().iter_errors(data)


def validate(data: Any) -> Iterator[tuple[Path, bool, str, str]]:  # noqa: D401
    """Yield (path, at_key, zh, en) per schema error.

    Most forms are valid: the compiled gate clears them in a fraction of a
    millisecond, and errors() is asked only to explain a form the gate rejects.
    """
    if passes_gate(data):
        return
    seen: set[tuple[Path, bool, str, str]] = set()
    for error in errors(data):
        # `required` fails once per missing key, and each error lists all of
        # them; and a subschema reached twice fails twice: say each thing once.
        for explained in _explain(error, data):
            if explained in seen:
                continue
            if len(seen) == MAX_FINDINGS:
                # A file with thousands of structural problems is not a form: listing them
                # all would only cost time and memory (a 2 MiB file can hold 300,000 keys).
                yield (
                    (),
                    False,
                    f"结构问题过多：只列出了前 {MAX_FINDINGS} 处，其余未列出",
                    f"too many structural problems: only the first {MAX_FINDINGS} are listed",
                )
                return
            seen.add(explained)
            yield explained


MAX_FINDINGS = 500  # structural problems listed per file
_SUGGESTIONS = 20  # unknown keys per mapping that get a "did you mean"


def _explain(error: Any, data: Any) -> Iterator[tuple[Path, bool, str, str]]:
    path: Path = tuple(error.absolute_path)
    zh_label, en_label = label(path, data)
    kind = error.validator
    value = error.instance
    if kind == "additionalProperties":
        import difflib

        allowed = list(error.schema.get("properties", {}))
        known = set(allowed)
        # A key a pattern admits is no stranger: funds' layout rows (special_account, unit_own).
        patterns = "|".join(error.schema.get("patternProperties", {}))
        admitted = re.compile(patterns).search if patterns else lambda key: None
        # In document order, in linear time: a mapping may hold tens of thousands of keys.
        extras = [key for key in value if key not in known and not admitted(key)]
        for number, extra in enumerate(extras):
            # A typo has a near miss; dozens of unknown keys are not typos, and difflib is slow.
            close = difflib.get_close_matches(extra, allowed, n=1) if number < _SUGGESTIONS else []
            hint_zh = f"，是否想写 {close[0]}？" if close else ""
            hint_en = f"; did you mean {close[0]}?" if close else ""
            yield (
                path + (extra,),
                True,
                f"{zh_label}中出现未知的键“{extra}”{hint_zh}（可用的键：{'、'.join(allowed)}）",
                f"unknown key '{extra}' in {en_label}{hint_en} (allowed: {', '.join(allowed)})",
            )
        return
    if kind == "required":
        present = value if isinstance(value, dict) else {}
        # The walker (as python-jsonschema) reports each missing key as its own error, naming it in the message.
        named = [key for key in error.validator_value if error.message == f"{key!r} is a required property"]
        for missing in named or error.validator_value:
            if missing not in present:
                title = subschema(path + (missing,)).get("title", missing)
                yield (
                    path,
                    bool(path),
                    f"{zh_label}缺少必填项 {missing}（{title}）",
                    f"{en_label} lacks the required key '{missing}'",
                )
        return
    if kind == "type":
        zh_types, en_types = _types(error.validator_value)
        got_zh, got_en = _kind(value)
        yield (
            path,
            False,
            f"{zh_label}应为{zh_types}，实际为{got_zh}{_shown(value)}",
            f"{en_label} must be {en_types}, not {got_en} {_shown(value, 'en')}".rstrip(),
        )
        return
    if kind == "enum":
        values = ["null" if v is None else str(v) for v in error.validator_value]
        yield (
            path,
            False,
            f"{zh_label}应为 {'、'.join(values)} 之一，实际为{_shown(value)}",
            f"{en_label} must be one of {', '.join(values)}, not {_shown(value, 'en')}",
        )
        return
    if kind in ("minimum", "exclusiveMinimum"):
        yield path, False, f"{zh_label}不能小于 {error.validator_value}，实际为 {value}", f"{en_label} must be at least {error.validator_value}, not {value}"
        return
    if kind in ("maximum", "exclusiveMaximum"):
        yield path, False, f"{zh_label}不能大于 {error.validator_value}，实际为 {value}", f"{en_label} must be at most {error.validator_value}, not {value}"
        return
    if kind == "minLength":
        if error.relative_schema_path and "propertyNames" in error.relative_schema_path:
            title = error.schema.get("title", "名称")
            yield path, False, f"{title}名称不能为空", f"a {title} name must not be empty"
            return
        yield path, False, f"{zh_label}不能为空", f"{en_label} must not be empty"
        return
    if kind in ("minItems", "minProperties"):
        yield path, False, f"{zh_label}至少要有一项", f"{en_label} needs at least one entry"
        return
    if kind == "pattern" and error.relative_schema_path and "propertyNames" in error.relative_schema_path:
        yield (
            path + (str(value),),
            True,
            f"“{value}”不是规则代码（应形如 PS201）",
            f"'{value}' is not a rule code (expected e.g. PS201)",
        )
        return
    if kind in ("anyOf", "oneOf"):
        yield path, False, f"{zh_label}的值{_shown(value)}不符合要求", f"{en_label}: value {_shown(value, 'en')} is not valid"
        return
    yield path, False, f"{zh_label}不符合要求：{error.message}", f"{en_label}: {error.message}"
