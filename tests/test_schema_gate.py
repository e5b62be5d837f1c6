"""The compiled schema gate agrees with python-jsonschema, and is regenerated from the schema."""

from __future__ import annotations

import copy
import glob
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


def test_gate_raises_its_own_exception_type() -> None:
    with pytest.raises(_schema_gate.JsonSchemaValueException):
        _schema_gate.validate({"year": "x"})
