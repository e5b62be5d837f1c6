"""The compiled schema gate agrees with python-jsonschema, and is regenerated from the schema.

The gate is written by scripts/generate_schema_gate.py, a small compiler for the part of JSON
Schema the bundled schema uses: the tests hold it to python-jsonschema's verdict on the
fixtures, on thousands of randomly mutated forms, and on small schemas that reach the
compiler's paths the bundled schema does not; and they check it refuses what it cannot compile.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import random
import sys
from decimal import Decimal

import pytest

from conftest import CASES, ROOT
from perfspec.load import _schema_gate
from perfspec.load.loader import load_file
from perfspec.load.schema_check import _validator, passes_gate

sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def test_gate_is_generated_from_the_current_schema() -> None:
    import generate_schema_gate

    with open(generate_schema_gate.TARGET, encoding="utf-8") as handle:
        assert handle.read() == generate_schema_gate.generate(), "run: python scripts/generate_schema_gate.py"


def test_gate_imports_only_the_standard_library() -> None:
    import ast

    with open(_schema_gate.__file__, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"decimal", "re"}


def documents() -> list[tuple[str, object]]:
    out = []
    for path in sorted(glob.glob(os.path.join(CASES, "**", "*.yaml"), recursive=True)) + sorted(
        glob.glob(os.path.join(ROOT, "specs", "**", "*.yaml"), recursive=True)
    ):
        loaded = load_file(path)
        if loaded.document is not None:
            out.append((os.path.relpath(path, ROOT), loaded.document.data))
    return out


def agree(data: object) -> tuple[bool, bool]:
    return passes_gate(data), not any(True for _ in _validator().iter_errors(data))


@pytest.mark.parametrize("name,data", documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_gate_and_jsonschema_agree_on_every_fixture(name: str, data: object) -> None:
    gate, full = agree(data)
    assert gate == full, name


MUTATIONS = [
    lambda d: d.__setitem__("year", "2023"),
    lambda d: d["funds"].__setitem__("weight", Decimal("-1")),
    lambda d: d["funds"]["total"].pop("executed"),
    lambda d: d.__setitem__("grade", "优秀"),
    lambda d: d.__setitem__("extra", 1),
    lambda d: next(iter(next(iter(d["indicators"].values())).values()))[0].__setitem__("scroe", 1),
    lambda d: next(iter(next(iter(d["indicators"].values())).values()))[0].__setitem__("weight", "十"),
    lambda d: next(iter(next(iter(d["indicators"].values())).values()))[0].pop("name"),
    lambda d: d.__setitem__("acknowledge", {"XX1": "理由"}),
    lambda d: d.__setitem__("acknowledge", {"PS201": "x"}),
    lambda d: d["funds"].__setitem__("unit", "美元"),
    lambda d: d["total"].__setitem__("score", True),
    lambda d: d.__setitem__("indicators", {}),
    lambda d: d["funds"].__setitem__("rate", None),
]


def test_gate_and_jsonschema_agree_on_generated_and_mutated_forms(tmp_path) -> None:
    from generate import generate

    generate(str(tmp_path), 60, seed=7)
    rng = random.Random(7)
    checked = 0
    for path in sorted(glob.glob(str(tmp_path / "*.yaml"))):
        data = load_file(path).document.data  # type: ignore[union-attr]
        for mutate in [lambda d: None] + rng.sample(MUTATIONS, 4):
            variant = copy.deepcopy(data)
            mutate(variant)
            gate, full = agree(variant)
            assert gate == full, (path, variant)
            checked += 1
    assert checked == 300


# --- random mutations -------------------------------------------------------------------------
# What a form can be loaded into, near the edges of what the schema allows. No text ends in a
# newline where a pattern reads it: the gate (like fastjsonschema, and like `$` in ECMA 262) reads
# `$` as the end of the text, python-jsonschema as "before a final newline" too.
ENUM_TEXTS = ["self-evaluation", "target-table", "monitoring", "transfer-payment", "万元", "元", "优", "良", "差", "正向",
              "定性", "有可能", "不可能", "=", "≥", "<=", "target", "weight", "added"]
TEXTS = ["", "x", "十", "PS201", "PS20", "PS2011", "12.5万元", "1,000", "１２３", " 12 ", "-1", "abc", "99%", "99.5％",
         "x%", "100", "0.00", "≥90(%)", "2023", "national-2020"] + ENUM_TEXTS
KEYS = ["extra", "PS999", "PS201", "", "total", "name", "target", "actual", "weight", "score", "kind", "unit", "value",
        "operator", "special_account", "Capital", "rate", "deviation", "acknowledge", "year", "funds", "indicators",
        "initial", "executed", "产出指标", "数量指标"]
NUMBERS = [0, 1, -1, 2, 12, 13, 1999, 2000, 2023, 2100, 2101, Decimal("1"), Decimal("0"), Decimal("-0.01"), Decimal("-0"),
           Decimal("2023"), Decimal("9.96"), 1.0, 2023.0, -0.5, True, False]


def _clone(value: object) -> object:
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def _places(data: object) -> list[tuple[object, object, object]]:
    """(container, key, value) for every value below the root."""
    out, stack = [], [data]
    while stack:
        here = stack.pop()
        items = here.items() if isinstance(here, dict) else enumerate(here) if isinstance(here, list) else ()
        for key, value in items:
            out.append((here, key, value))
            stack.append(value)
    return out


def _any_value(rng: random.Random, places: list) -> object:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(TEXTS)
    if roll < 0.6:
        return rng.choice(NUMBERS + [None])
    if roll < 0.75:
        return rng.choice([[], {}, ["a.yaml"], [{}], {"name": "x"}, {"value": 1}, {"operator": "≥", "value": "90"},
                           {"initial": 1, "executed": Decimal("2.5")}, {"PS201": "理由理由"}])
    return _clone(rng.choice(places)[2])  # a value from elsewhere in the form


def _same_thing_another_type(rng: random.Random, value: object) -> object:
    """True ↔ 1 ↔ Decimal('1') ↔ 1.0 ↔ '1', an enum text for another, and so on."""
    if isinstance(value, bool):
        return rng.choice([int(value), Decimal(int(value)), float(value)])
    if isinstance(value, int):
        return rng.choice([Decimal(value), float(value), str(value), value == 1])
    if isinstance(value, Decimal):
        return rng.choice([int(value), float(value), str(value), -value])
    if isinstance(value, str):
        return rng.choice(ENUM_TEXTS + ["", value + " "])
    return rng.choice(NUMBERS)


def mutate(rng: random.Random, data: dict) -> object:
    """Break (or not) a copy of a form in one to three random places."""
    for _ in range(rng.choice((1, 1, 2, 3))):
        places = _places(data)
        if not places:
            break
        where, key, value = rng.choice(places)
        roll = rng.random()
        if roll < 0.08 and isinstance(data, dict):  # the form's kind decides what indicators need (if/then/else)
            data["kind"] = rng.choice(["target-table", "monitoring", "self-evaluation", None, 1, ["monitoring"]])
        elif roll < 0.28:
            del where[key]  # type: ignore[attr-defined]
        elif roll < 0.48:
            where[key] = _any_value(rng, places)  # type: ignore[index]
        elif roll < 0.62:
            where[key] = _same_thing_another_type(rng, value)  # type: ignore[index]
        elif roll < 0.76:
            mapping = value if isinstance(value, dict) else where if isinstance(where, dict) else None
            if mapping is not None:
                mapping[rng.choice(KEYS)] = _any_value(rng, places)
        elif roll < 0.86:
            where[key] = type(value)() if isinstance(value, (str, list, dict)) else rng.choice(["", [], {}])  # type: ignore[index]
        elif roll < 0.93 and isinstance(where, dict):
            where[rng.choice(KEYS)] = where.pop(key)
        else:
            where[key] = rng.choice([Decimal("-0.01"), -1, 0, 1999, 2101, 13, True, 1.5, 2000.0])  # type: ignore[index]
    return data


def _small(data: dict) -> dict:
    """The form with at most two indicators in two groups: python-jsonschema is slow on whole forms."""
    out = _clone(data)
    out["indicators"] = {
        first: {second: items[:2] for second, items in list(groups.items())[:2]}
        for first, groups in list(out["indicators"].items())[:2]
    }
    return out


def test_gate_and_jsonschema_agree_on_randomly_mutated_forms(tmp_path) -> None:
    from generate import generate

    generate(str(tmp_path), 30, seed=11)
    bases = [_small(load_file(path).document.data) for path in sorted(glob.glob(str(tmp_path / "*.yaml")))]  # type: ignore[union-attr]
    bases += [_clone(data) for _, data in documents()[::8] if isinstance(data, dict)]
    rng = random.Random(2024)
    verdicts = {True: 0, False: 0}
    for base in bases:
        for _ in range(22):  # ~1,500 documents: python-jsonschema takes ~2 ms on each
            variant = mutate(rng, _clone(base))  # type: ignore[arg-type]
            gate = passes_gate(variant)
            assert gate == _validator().is_valid(variant), variant
            verdicts[gate] += 1
    assert min(verdicts.values()) > 200, verdicts  # both verdicts well exercised


# --- the compiler on small schemas -------------------------------------------------------------
# Paths of scripts/generate_schema_gate.py the bundled schema does not take today: each schema's
# gate must give python-jsonschema's verdict on a few thousand random values.
SMALL_SCHEMAS = {
    "properties, patterns and additionalProperties overlap": {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"type": "integer", "minimum": 1, "maximum": 5}, "ab": {"type": "string"},
                       "b": {"type": ["string", "null"], "minLength": 2}},
        "patternProperties": {"^a": {"type": ["integer", "string"], "maximum": 4}, "b$": {"minLength": 3}},
        "additionalProperties": {"type": "number"},
    },
    "anyOf, not, if/then, enum": {
        "anyOf": [{"type": "string", "pattern": "^x+$"}, {"type": "array", "items": {"type": "boolean"}, "minItems": 2},
                  {"type": "object", "required": ["k"]}],
        "not": {"enum": ["xx", None]},
        "if": {"type": "string"},
        "then": {"minLength": 2},
    },
    "if/else and keywords without a type": {
        "if": {"properties": {"t": {"enum": ["on"]}}, "required": ["t"]},
        "else": {"properties": {"k": {"minimum": 0.5}}, "additionalProperties": False},
        "minLength": 2,
        "minimum": 2,
        "minProperties": 1,
        "minItems": 1,
        "propertyNames": {"pattern": "^[a-z]+$"},
    },
    "recursive $ref, allOf, boolean subschemas": {
        "$defs": {
            "node": {"type": "object", "additionalProperties": False,
                     "properties": {"v": {"$ref": "#/$defs/leaf"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                                    "no": False, "yes": True}},
            "leaf": {"type": ["number", "boolean"]},
        },
        "$ref": "#/$defs/node",
        "allOf": [{"required": ["v"]}, {"anyOf": [False, {"properties": {"v": {"type": "integer"}}}]}],
    },
    "properties beside a $ref, partly the same as its additionalProperties": {
        "$defs": {"bag": {"type": "object", "additionalProperties": {"type": "integer"}}},
        "type": "object",
        "properties": {"p": {"$ref": "#/$defs/bag", "properties": {"x": {"type": "integer"}, "y": {"type": "string"}}},
                       "q": {"$ref": "#/$defs/bag"}},
        "additionalProperties": {"$ref": "#/$defs/bag"},
    },
    "enum beside a type, required names and nothing else": {
        "type": "object",
        "required": ["e"],
        "additionalProperties": False,
        "properties": {"e": {"enum": ["on", None], "type": "string"},
                       "f": {"enum": ["on", "off", None], "type": ["string", "null"], "minLength": 3}},
    },
    "one pattern, nothing else": {
        "type": "object",
        "properties": {"p": {"type": "string"}},
        "patternProperties": {"^[xy]": {"type": "integer"}},
        "additionalProperties": False,
    },
    "types": {
        "type": "array",
        "items": {"anyOf": [{"type": ["integer", "null", "boolean"]}, {"type": "object", "additionalProperties": False},
                            {"enum": ["on", "off"], "type": "string"}, {"type": "number", "maximum": 2}]},
    },
}

# Valid values to mutate, so that both verdicts come up often.
SMALL_EXAMPLES = {
    "properties, patterns and additionalProperties overlap": [{"a": 3, "ab": "xyz", "b": "yyy", "ba": 1, "c": 2.5}, {"a": 1}],
    "anyOf, not, if/then, enum": ["xxx", [True, False], {"k": 1, "a": None}],
    "if/else and keywords without a type": [{"t": "on", "x": "anything"}, {"k": 1}, "ab", 3, [1], None],
    "recursive $ref, allOf, boolean subschemas": [{"v": 1, "kids": [{"v": True}, {"v": 2.5, "kids": []}], "yes": "y"}],
    "properties beside a $ref, partly the same as its additionalProperties": [{"p": {"x": 1, "z": 2}, "q": {"a": 1}, "c": {}}],
    "enum beside a type, required names and nothing else": [{"e": "on", "f": "off"}, {"e": "on", "f": None}],
    "one pattern, nothing else": [{"p": "on", "x": 2, "y": 1.0}],
    "types": [[1, None, True, {}, "on", 1.5, Decimal("2")]],
}
SMALL_KEYS = ["a", "ab", "b", "ba", "bb", "c", "", "k", "t", "v", "kids", "no", "yes", "p", "q", "x", "y", "A1", "e", "f"]
SMALL_SCALARS = [None, True, False, 0, 1, 3, 4, 5, 6, -1, -2, 1.0, 2.5, -0.5, Decimal("1"), Decimal("-1.5"), Decimal("2"),
                 "", "x", "xx", "xxx", "y", "on", "off", "ab", "yyy"]


def _small_value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth >= 3 or roll < 0.5:
        return rng.choice(SMALL_SCALARS)
    if roll < 0.75:
        return [_small_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(SMALL_KEYS): _small_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def _small_mutation(rng: random.Random, example: object) -> object:
    value = _clone(example)
    for _ in range(rng.choice((0, 1, 1, 2))):
        places = _places(value)
        if not places:
            return _small_value(rng)
        where, key, _old = rng.choice(places)
        roll = rng.random()
        if roll < 0.3:
            del where[key]  # type: ignore[attr-defined]
        elif roll < 0.8:
            where[key] = _small_value(rng, 2)  # type: ignore[index]
        elif isinstance(where, dict):
            where[rng.choice(SMALL_KEYS)] = _small_value(rng, 2)
    return value


@pytest.mark.parametrize("name", sorted(SMALL_SCHEMAS))
def test_compiled_small_schemas_agree_with_jsonschema(name: str) -> None:
    import jsonschema
    from generate_schema_gate import Compiler

    schema = SMALL_SCHEMAS[name]
    namespace: dict[str, object] = {}
    exec(compile(Compiler(schema).module(), name, "exec"), namespace)  # noqa: S102 - our own generated code
    gate, reference = namespace["_form"], jsonschema.Draft202012Validator(schema)
    rng = random.Random(name)
    verdicts = {True: 0, False: 0}
    for _ in range(3000):
        value = _small_value(rng) if rng.random() < 0.4 else _small_mutation(rng, rng.choice(SMALL_EXAMPLES[name]))
        verdict = gate(value)  # type: ignore[operator]
        assert verdict == reference.is_valid(value), value
        verdicts[verdict] += 1
    assert min(verdicts.values()) > 30, verdicts


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "maxProperties": 3},
        {"format": "date"},
        {"oneOf": [{"type": "string"}]},
        {"enum": [1, 2]},
        {"$ref": "other.json#/$defs/x"},
        {"$ref": "#/$defs/missing"},
        {"type": "decimal"},
        {"properties": {"a": {"$defs": {}}}},
        {"items": [{"type": "string"}]},
        {"pattern": "[$]"},
        {"minLength": -1},
        {"required": "a"},
        {"properties": {"a": 1}},
    ],
    ids=lambda schema: json.dumps(schema),
)
def test_compiler_refuses_what_it_does_not_implement(schema: dict) -> None:
    from generate_schema_gate import Compiler

    with pytest.raises(SystemExit, match="generate_schema_gate"):
        Compiler(schema).module()


def test_gate_raises_its_own_exception_type() -> None:
    with pytest.raises(_schema_gate.JsonSchemaValueException):
        _schema_gate.validate({"year": "x"})
