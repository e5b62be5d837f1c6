"""Schema cases as folders: valid/* pass the schema, invalid/* fail at `# expect: <pointer>`."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from conftest import CASES, ROOT
from perfspec.check.engine import Engine, Options
from perfspec.profile import load_profile
from perfspec.load.schema_check import schema

SCHEMA_CASES = os.path.join(CASES, "schema")
ENGINE = Engine(Options(profile=load_profile("national"), select=["PS0", "PS90"]))


def files(kind: str) -> list[str]:
    folder = os.path.join(SCHEMA_CASES, kind)
    return sorted(os.path.join(folder, name) for name in os.listdir(folder))


def pointer(path: str) -> str:
    """A finding's dotted path as a JSON pointer: indicators.产出指标.数量指标[0].weight → /indicators/…/0/weight."""
    if not path:
        return ""
    return "/" + path.replace("[", ".").replace("]", "").replace(".", "/")


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["$schema"].endswith("2020-12/schema") and schema()["$id"]


def test_every_property_has_a_chinese_title_and_description() -> None:
    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert sub.get("title") and sub.get("description"), f"{where}/{name}"
                assert any("\u4e00" <= ch <= "\u9fff" for ch in sub["description"]), f"{where}/{name}"
            for key, sub in node.items():
                walk(sub, f"{where}/{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(schema(), "")


@pytest.mark.parametrize("path", files("valid"), ids=os.path.basename)
def test_valid_case(path: str) -> None:
    result = ENGINE.check_file(path)
    assert [f.message for f in result.findings if f.code == "PS010"] == []


@pytest.mark.parametrize("path", files("invalid"), ids=os.path.basename)
def test_invalid_case(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        first = handle.readline()
    assert first.startswith("# expect:")
    expected = first[len("# expect:") :].strip()
    result = ENGINE.check_file(path)
    # An acknowledgement without a reason is reported by PS901 rather than the schema.
    schema_errors = [f for f in result.findings if f.code in ("PS010", "PS901")]
    assert schema_errors, "no schema error"
    locations = set()
    for f in schema_errors:
        where = pointer(f.path)
        locations.add(where)
        # Unknown and malformed keys are reported at the key itself, one level deeper.
        locations.add(where.rsplit("/", 1)[0] if where else "")
    assert expected in locations, [(f.path, f.message) for f in schema_errors]
    for f in schema_errors:
        assert "is not valid under" not in f.message and "{" not in f.message  # readable, not a dump


def test_messages_name_the_form_label() -> None:
    path = os.path.join(SCHEMA_CASES, "invalid", "string-weight.yaml")
    (finding,) = [f for f in ENGINE.check_file(path).findings if f.code == "PS010"]
    assert "分值（weight）应为数字" in finding.message and "十" in finding.message


def test_misspelt_key_is_reported_at_the_key_with_a_suggestion() -> None:
    path = os.path.join(SCHEMA_CASES, "invalid", "unknown-indicator-key.yaml")
    (finding,) = [f for f in ENGINE.check_file(path).findings if f.code == "PS010"]
    with open(path, encoding="utf-8") as handle:
        line = next(n for n, text in enumerate(handle, 1) if text.strip().startswith("scroe:"))
    assert finding.line == line and "scroe" in finding.message and "score" in finding.message


def test_layout_rows_in_funds_are_not_called_unknown_beside_an_unknown_key() -> None:
    """funds admits any lower-case row name (patternProperties): special_account and unit_own
    are rows of the sichuan-2023 layout, and only Special_account is unknown."""
    path = os.path.join(SCHEMA_CASES, "invalid", "unknown-funds-key-beside-layout-rows.yaml")
    found = [f for f in ENGINE.check_file(path).findings if f.code == "PS010"]
    assert [f.path for f in found] == ["funds.Special_account"], [f.message for f in found]


def test_schema_accepts_two_decimal_money_python_floats_would_reject() -> None:
    validator = jsonschema.Draft202012Validator(schema())
    with open(os.path.join(ROOT, "specs", "2023", "it-operations.yaml"), encoding="utf-8") as handle:
        import yaml

        data = yaml.safe_load(handle)
    data["funds"]["total"]["initial"] = 4560.52
    assert not list(validator.iter_errors(json.loads(json.dumps(data))))
