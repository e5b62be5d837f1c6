"""perfspec's schema walker (perfspec/load/schema_walk.py) reports what python-jsonschema reports.

- it knows every keyword of the bundled schema, and refuses a schema with one it does not;
- on every form in the repository that breaks the schema, and on a few hundred mutations
  of valid forms (hypothesis, derandomized), it yields the same errors as python-jsonschema's
  iter_errors: the same (path, keyword, schema path, message), hence the same findings;
- on small schemas, the Draft 2020-12 points where a hand-written validator goes wrong;
- the schema-error path never imports python-jsonschema, and falls back to it when the
  walker finds nothing in a form the gate rejected.
"""

from __future__ import annotations

import collections
import copy
import glob
import importlib.util
import os
import random
import subprocess
import sys
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

from conftest import ROOT
from perfspec.load import schema_check
from perfspec.load.loader import load_file, load_text
from perfspec.load.schema_check import _explain, _validator, passes_gate, schema, validate
from perfspec.load.schema_walk import ANNOTATIONS, HOMES, KEYWORDS, Unsupported, Walker

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_spec = importlib.util.spec_from_file_location("perfspec_bench_generate", os.path.join(ROOT, "benchmarks", "generate.py"))
assert _spec is not None and _spec.loader is not None
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)

WALKER = Walker(schema())


def errors_of(errors: Any) -> collections.Counter:
    return collections.Counter(
        (tuple(e.absolute_path), e.validator, tuple(e.relative_schema_path), e.message) for e in errors
    )


def explained(errors: Any, data: Any) -> list[tuple]:
    # validate() says each explained thing once; python-jsonschema's set order is not an order.
    return sorted({finding for error in errors for finding in _explain(error, data)}, key=repr)


def assert_agree(data: Any, walker: Walker = WALKER, reference: Any = None) -> int:
    reference = reference or _validator()
    theirs = list(reference.iter_errors(data))
    ours = list(walker.iter_errors(data))
    assert errors_of(ours) == errors_of(theirs)
    if walker is WALKER:
        assert explained(ours, data) == explained(theirs, data)
        assert WALKER.is_valid(data) == passes_gate(data)
    return len(theirs)


# --------------------------------------------------------------------------
# The schema's keywords.


def test_every_keyword_of_the_bundled_schema_is_implemented() -> None:
    """A keyword added to the schema must be implemented before the walker is used on it."""
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, bool):
            return
        for key, value in node.items():
            seen.add(key)
            if key in ("properties", "patternProperties", "$defs"):
                for sub in value.values():
                    walk(sub)
            elif key in ("additionalProperties", "propertyNames", "items", "if", "then", "else", "not"):
                walk(value)
            elif key in ("allOf", "anyOf", "oneOf"):
                for sub in value:
                    walk(sub)

    walk(schema())
    unknown = seen - set(KEYWORDS) - ANNOTATIONS - HOMES
    assert not unknown, f"schema_walk does not implement {sorted(unknown)}"
    assert {"type", "required", "additionalProperties", "anyOf", "if", "not", "$ref", "propertyNames"} <= seen
    Walker(schema())  # builds: the same check, made by the walker itself


@pytest.mark.parametrize(
    "bad",
    [
        {"const": 1},
        {"properties": {"a": {"uniqueItems": True}}},
        {"type": "decimal"},
        {"$ref": "https://example.com/other.json"},
        {"$ref": "#/$defs/missing"},
        {"anyOf": [{"format": "date"}]},
        {"properties": {"a": False}},
        False,
    ],
)
def test_a_schema_the_walker_cannot_walk_is_refused(bad: Any) -> None:
    with pytest.raises(Unsupported):
        Walker(bad)


# --------------------------------------------------------------------------
# Every form in the repository.


def repository_forms() -> list[tuple[str, Any]]:
    out = []
    for folder in ("tests", "specs", "examples", "templates"):
        for path in sorted(glob.glob(os.path.join(ROOT, folder, "**", "*.y*ml"), recursive=True)):
            if os.path.basename(path) == "manifest.yaml" or os.path.getsize(path) > 256 * 1024:
                continue
            loaded = load_file(path)
            if loaded.document is not None:
                out.append((os.path.relpath(path, ROOT), loaded.document.data))
    return out


REPOSITORY = repository_forms()


def test_the_repository_has_negative_cases_of_every_kind() -> None:
    """The agreement below means something only if the cases break the schema in many ways."""
    kinds = collections.Counter(e.validator for _, data in REPOSITORY for e in _validator().iter_errors(data))
    assert {"type", "required", "additionalProperties", "enum", "anyOf", "minimum", "minLength", "pattern"} <= set(kinds), kinds


@pytest.mark.parametrize("name,data", REPOSITORY, ids=[name for name, _ in REPOSITORY])
def test_walker_and_jsonschema_agree_on_every_form_in_the_repository(name: str, data: Any) -> None:
    assert_agree(data)


# --------------------------------------------------------------------------
# Mutations of valid forms.


def _valid_forms() -> list[Any]:
    forms = [data for _, data in REPOSITORY if passes_gate(data)]
    for seed in range(12):
        spec, _ = generate.form(random.Random(seed), seed + 1)
        loaded = load_text(generate.render(spec, False), "form.yaml")
        assert loaded.document is not None and passes_gate(loaded.document.data)
        forms.append(loaded.document.data)
    return forms


VALID = _valid_forms()
VALUES = [
    None, True, False, 0, 1, -1, 12, 13, 1999, 2023, 2101, 1.0, 2.5,
    Decimal("1.5"), Decimal("-0.01"), Decimal("2023"), Decimal("2023.0"),
    "", "x", "十五", "12.5", "１２.５万元", "99%", "99.5％", "-3", "PS201", "ps201", "优", "优秀",
    "target-table", "monitoring", "self-evaluation", "万元", "美元", "≥", "正向",
    [], [1], ["a.yaml"], [""], {}, {"a": 1}, {"name": "x"}, {"value": 1, "operator": "≥"},
    {"initial": 1, "annual": "2", "executed": None}, {"PS201": "已确认的理由"}, {"PS2": "理由"},
]
KEYS = [
    "scroe", "Weight", "extra", "", "kind", "weight", "score", "target", "name", "total",
    "special_account", "Special", "acknowledge", "PS201", "XX1", "产出指标", "数量指标", "自定义指标",
]


def _nodes(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _nodes(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _nodes(item, path + (index,))
    return out


# Top-level values that steer the schema: the kind picks then or else, the year and period have bounds.
FIELDS = {
    "kind": ["target-table", "monitoring", "department-overall", "自评表", 1],
    "year": [1999, 2101, 2023.0, Decimal("2023.0"), "2023"],
    "period": [0, 13, 6, True],
    "indicators": [{}, {"产出指标": {}}, {"": {"数量指标": [{"name": "x"}]}}],
}


def _value(draw: Any) -> Any:
    # A copy: a later mutation (empty, add) of a drawn list or mapping must not change VALUES for the next example.
    return copy.deepcopy(draw(st.sampled_from(VALUES)))


def _mutate(data: Any, draw: Any) -> Any:
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        nodes = _nodes(data)
        path = nodes[draw(st.integers(0, len(nodes) - 1))]
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "rename", "empty", "field"]))
        if op == "field" and isinstance(data, dict):
            field = draw(st.sampled_from(sorted(FIELDS)))
            data[field] = copy.deepcopy(draw(st.sampled_from(FIELDS[field])))
            continue
        if not path:
            if op == "replace":
                data = _value(draw)
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if op == "replace":
            parent[last] = _value(draw)
        elif op == "delete":
            del parent[last]
        elif op == "add" and isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(KEYS))] = _value(draw)
        elif op == "rename" and isinstance(parent, dict):
            new = draw(st.sampled_from(KEYS))
            parent[new] = parent.pop(last)
        elif op == "empty" and isinstance(parent[last], (dict, list)):
            parent[last].clear()
    return data


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_walker_and_jsonschema_agree_on_mutated_forms(data: Any) -> None:
    base = data.draw(st.sampled_from(VALID))
    assert_agree(_mutate(base, data.draw))


def test_the_mutations_break_the_schema_in_many_ways() -> None:
    """The property above is worth little if hypothesis mostly draws forms that still pass."""
    failing = 0
    kinds: set[str] = set()
    branches: set[str] = set()

    @settings(max_examples=300, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def count(data: Any) -> None:
        nonlocal failing
        found = list(WALKER.iter_errors(_mutate(data.draw(st.sampled_from(VALID)), data.draw)))
        failing += bool(found)
        kinds.update(error.validator for error in found)
        branches.update(part for error in found for part in error.relative_schema_path if part in ("then", "else"))

    count()
    assert failing >= 150
    assert {"type", "required", "additionalProperties", "anyOf", "enum", "minimum", "maximum", "minItems",
            "minProperties", "minLength"} <= kinds, kinds
    assert branches == {"then", "else"}


# --------------------------------------------------------------------------
# Draft 2020-12 on small schemas, against python-jsonschema.

SMALL = [
    ({"type": "integer"}, [1, 1.0, 1.5, True, False, Decimal("1"), "1", None]),
    ({"type": "number"}, [1, 1.5, Decimal("1.5"), True, "1", None]),
    ({"type": ["string", "null"], "minLength": 1}, ["", "a", None, 1]),
    ({"enum": [1, "a", None, False]}, [1, 1.0, True, False, 0, "a", None, [1]]),
    ({"enum": [[1, 2], {"a": 1}]}, [[1, 2], [True, 2], {"a": 1}, {"a": True}, [1]]),
    ({"minimum": 0, "maximum": 10}, [-1, 0, 10, 11, Decimal("10.01"), "11", True]),
    (
        {"properties": {"a": {"type": "integer"}}, "patternProperties": {"^x": {"type": "string"}, "y$": {"minLength": 2}},
         "additionalProperties": False},
        [{"a": 1, "x1": "s", "ay": "ss"}, {"a": "1", "x1": 1, "b": 2, "c": 3, "ay": "s"}, {"b": 1}, []],
    ),
    ({"properties": {"a": {}}, "additionalProperties": {"type": "string"}}, [{"a": 1, "b": "x", "c": 2, "d": 3}]),
    ({"allOf": [{"properties": {"a": {}}}], "additionalProperties": False}, [{"a": 1}]),  # a's only home is elsewhere
    ({"propertyNames": {"pattern": "^PS[0-9]{3}$", "minLength": 1}, "minProperties": 1}, [{"PS201": 1, "XX": 2, "": 3}, {}]),
    ({"items": {"type": "string"}, "minItems": 2}, [["a", 1, "b", None], [], ["a"], "ab"]),
    ({"items": False}, [[], [1], [1, 2]]),
    ({"anyOf": [{"type": "string", "pattern": "^a"}, {"type": "null"}]}, ["ab", "b", None, 1]),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}, {"type": "string"}]}, [1, -1, 1.5, "s", None]),
    ({"if": {"required": ["k"]}, "then": {"required": ["t"]}, "else": {"required": ["e"]}}, [{"k": 1}, {}, {"k": 1, "t": 1}, 3]),
    ({"then": {"required": ["t"]}}, [{}]),  # then without if: nothing
    ({"not": {"type": "string"}}, ["s", 1]),
    ({"$defs": {"n": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/n", "minimum": 3}}}, [{"a": 1}, {"a": "x"}]),
    ({"properties": {"b": True}, "additionalProperties": False}, [{"a": 1, "b": 2}, {"b": 2}]),
    ({"required": ["a", "b"], "type": "object"}, [{}, {"a": 1}, []]),
]


@pytest.mark.parametrize("small,instances", SMALL, ids=[str(n) for n in range(len(SMALL))])
def test_walker_follows_draft_2020_12_like_jsonschema(small: dict, instances: list) -> None:
    reference = jsonschema.Draft202012Validator(small)
    walker = Walker(small)
    for instance in instances:
        assert_agree(instance, walker, reference)
        assert walker.is_valid(instance) == reference.is_valid(instance), instance


# --------------------------------------------------------------------------
# Wired into perfspec.

BAD = {"year": "2023", "project": "", "funds": {"total": {"initial": -1}}, "indicators": {}, "scroe": 1}


def test_the_schema_error_path_does_not_import_jsonschema() -> None:
    code = (
        "import sys\n"
        "from perfspec.load.schema_check import validate\n"
        f"assert list(validate({BAD!r}))\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('jsonschema', 'referencing', 'rpds', 'attrs')], "
        "sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT})


class _Blind:
    """A walker that sees nothing: the gate and the walker disagree."""

    def iter_errors(self, data: Any) -> Any:
        return iter(())


@pytest.mark.parametrize("walker", [_Blind(), None], ids=["walker-finds-nothing", "walker-refused-the-schema"])
def test_python_jsonschema_is_the_safety_net(monkeypatch: pytest.MonkeyPatch, walker: Any) -> None:
    expected = list(validate(BAD))
    assert expected
    monkeypatch.setattr(schema_check, "_walker", lambda: walker)
    assert sorted(validate(BAD)) == sorted(expected)


def test_findings_stay_bounded_and_in_document_order() -> None:
    """20,000 unknown level-1 names: one error each, capped at MAX_FINDINGS, the first ones first."""
    data = {"year": 2023, "project": "p", "funds": {"total": {}}, "indicators": {f"k{i}": 1 for i in range(20_000)}}
    found = list(validate(data))
    assert len(found) == schema_check.MAX_FINDINGS + 1
    assert found[0][0] == ("indicators", "k0") and found[-1][0] == ()
