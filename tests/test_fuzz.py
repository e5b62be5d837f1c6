"""A bounded fuzz run for CI (hypothesis): the loader and the target/actual parser never raise.

Inputs: arbitrary bytes, arbitrary text, text assembled from YAML's own syntax,
and real forms (benchmarks/generate.py) with random bytes changed. For every
input the loader returns findings with a location or a document of plain
values (never a constructed object, never a non-finite or out-of-range
number); a document that loads is checked and fixed without an exception.
Bounded by max_examples, not by time: a few thousand examples, well under a
minute. `PERFSPEC_EXAMPLES=50 pytest tests/test_fuzz.py` hunts fifty times longer.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import tempfile
from decimal import Decimal
from typing import Any

import pytest

from conftest import ROOT

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from perfspec.check.engine import Engine, Options  # noqa: E402
from perfspec.fix import fix_document  # noqa: E402
from perfspec.load.loader import MAX_EXPONENT, LoadResult, decode, load_file, load_text  # noqa: E402
from perfspec.profile import load_profile  # noqa: E402
from test_quantity import _check_invariants as check_invariants  # noqa: E402 - one statement of the parser's invariants
from perfspec.check.rules import all_rules  # noqa: E402

SCALE = float(os.environ.get("PERFSPEC_EXAMPLES", "1"))
FUZZ = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))
CODES = {rule.code for rule in all_rules()}
PROFILE = load_profile("national", None)
ENGINE = Engine(Options(PROFILE))
FOLDER = tempfile.mkdtemp(prefix="perfspec-fuzz-")

_spec = importlib.util.spec_from_file_location("perfspec_bench_generate", os.path.join(ROOT, "benchmarks", "generate.py"))
assert _spec is not None and _spec.loader is not None
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


def _plain(value: Any, depth: int = 0) -> None:
    """Only the values YAML text can mean: no object was ever constructed from a tag."""
    assert depth <= 70
    if isinstance(value, dict):
        for key, child in value.items():
            assert isinstance(key, str)
            _plain(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            _plain(child, depth + 1)
    elif isinstance(value, Decimal):
        assert value.is_finite() and (not value or abs(value.adjusted()) <= MAX_EXPONENT)
    elif isinstance(value, int) and not isinstance(value, bool):
        assert abs(value) < 10 ** (MAX_EXPONENT + 1)
    else:
        assert value is None or isinstance(value, (str, bool)), type(value)


def _sound(result: LoadResult, text: str | None = None) -> None:
    assert isinstance(result, LoadResult)
    if result.io_error:
        return
    # No location past the end of the text (libyaml counts NEL, U+2028 and U+2029 as line breaks too).
    lines = len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text)) + 1 if text is not None else None
    for finding in result.findings:
        assert finding.code in CODES, finding
        assert finding.line >= 1 and finding.column >= 1 and finding.message and finding.message_en
        if lines is not None:
            assert finding.line <= lines, (finding, lines)
    if result.document is None:
        assert result.findings, "refused without saying why"
        return
    _plain(result.document.data)
    for path in list(result.document.spans)[:50]:
        span = result.document.span(path)
        assert span.line >= 1 and span.column >= 1
    # What loads is checked and fixed without an exception.
    ENGINE.check_document(result.document, result.findings)
    outcome = fix_document(result.document, PROFILE, result.findings)
    if outcome.changed:
        again = load_text(outcome.fixed, "fuzz.yaml")
        assert again.document is not None


def _load_bytes(data: bytes) -> None:
    path = os.path.join(FOLDER, "fuzz.yaml")
    with open(path, "wb") as handle:
        handle.write(data)
    result = load_file(path)
    text, problem = decode(data, path)
    _sound(result, text)
    if problem is not None:
        assert result.document is None and result.findings == [problem]


# --------------------------------------------------------------------------
# The loader.


@settings(max_examples=examples(800), **FUZZ)
@given(st.binary(max_size=512))
def test_load_file_any_bytes(data: bytes) -> None:
    _load_bytes(data)


@settings(max_examples=examples(800), **FUZZ)
@given(st.text(max_size=300))
def test_load_text_any_text(text: str) -> None:
    _sound(load_text(text, "fuzz.yaml"), text)


YAML_TOKENS = [
    "- ", "? ", ": ", ":", "{", "}", "[", "]", ", ", "&a ", "&b ", "*a", "*b", "!!str ", "!!int ", "!!float ",
    "!!python/object:os.system ", "!x ", "!<tag:yaml.org,2002:str> ", "<<: ", "# c", "\n", "\r\n", "\r", "  ", "    ",
    "\t", "'", '"', "\\", "|", "|-", ">", "---", "...", "%YAML 1.1", "%TAG ! !x", "yes", "no", "on", "NO", "~", "null",
    "true", "1_000", "0x10", "0o17", ".inf", ".nan", "1e999", "-0", "1e-20", "99999999999999999", "１００", "1,234.5",
    "2023-12-31", "12:30", "\ufeff", "\x85", "\u2028", "\x07", "year", "funds", "total", "weight", "score", "rate",
    "grade", "indicators", "产出指标", "数量指标", "name", "target", "actual", "≥95.00(%)", "达成指标", "优", "x",
]


@settings(max_examples=examples(1200), **FUZZ)
@given(st.lists(st.sampled_from(YAML_TOKENS), max_size=60))
def test_load_text_yaml_syntax_soup(tokens: list[str]) -> None:
    text = "".join(tokens)
    _sound(load_text(text, "fuzz.yaml"), text)


@st.composite
def damaged_forms(draw: Any) -> bytes:
    """A realistic form with a few random bytes replaced, inserted or deleted."""
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    spec, _ = generate.form(rng, 1)
    data = bytearray(generate.render(spec, False).encode("utf-8"))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "token"]))
        if action == "token":
            data[at:at] = draw(st.sampled_from(YAML_TOKENS)).encode("utf-8")
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=8))]
        elif at < len(data):
            data[at] = draw(st.integers(min_value=0, max_value=255))
    return bytes(data)


@settings(max_examples=examples(400), **FUZZ)
@given(damaged_forms())
def test_load_file_damaged_forms(data: bytes) -> None:
    _load_bytes(data)


# --------------------------------------------------------------------------
# The target/actual parser.


CELL = "0123456789０１２３４５６７８９.,，．-−－~～〜—–至到+=＝═≥≧⩾≮≤≦⩽≯<>＞＜()（）[]【】%％‰/万元人次分钟批卷页达成部分未指标以上内完 _xXeEob\u200b\u3000\t\n"


@settings(max_examples=examples(1500), **FUZZ)
@given(st.text(max_size=60) | st.text(alphabet=CELL, max_size=30))
def test_parser_any_text(text: str) -> None:
    check_invariants(text)


@settings(max_examples=examples(300), **FUZZ)
@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(10**5000), max_value=10**5000)
    | st.booleans()
    | st.none()
)
def test_parser_any_number(value: Any) -> None:
    check_invariants(value)
