"""The plain-lines fast path reads exactly what the full loader reads, or nothing.

`plain_block.read` may decline any text (the full loader then reads it); what it
must never do is return values the full loader would not build, or accept a
text the full loader reports anything about. And the places it finds for a
form's findings (`plain_block.Places`) are libyaml's marks, every value and
key, in the same order. Held on every YAML file of the repository and on
seeded damaged copies of the bundled forms.
"""

from __future__ import annotations

import glob
import os
import random
from decimal import Decimal
from typing import Any

import pytest
import yaml

from perfspec.load import plain_block
from perfspec.load.loader import MAX_PATH_TEXT, Spans, _Builder, _ComposeLoader, load_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_EXAMPLE = os.path.join(ROOT, "..", "shared", "examples", "it-operations.yaml")


def fast(text: str) -> Any:
    return plain_block.read(text, MAX_PATH_TEXT)


def full(text: str) -> tuple[Any, list[Any], list[Any], list[Any]] | None:
    """(values, findings, value places, key places) of the full loader, None when libyaml refuses the text."""
    loader = _ComposeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    builder = _Builder("f")
    if root is None:
        return None
    values = builder.build(root, (), 0)
    places = [(path, tuple(span)) for path, span in Spans(root).items()]
    key_places = [(path, tuple(span)) for path, span in Spans(root, keys=True).items()]
    return values, builder.finish(), places, key_places


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types throughout, Decimal digits included (1.0 is not 1.00)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, Decimal):
        return str(a) == str(b)
    return bool(a == b)


def agrees(text: str) -> bool:
    """The fast path declined, or it read what the full loader reads, the full loader has nothing to
    say, and every value and key is placed where libyaml marks it."""
    values = fast(text)
    if values is None:
        return True
    reference = full(text)
    if reference is None or reference[1] or not same(values, reference[0]):
        return False
    placed = plain_block.Places(text, values)
    places, key_places = placed.every()
    if list(places.items()) != reference[2] or list(key_places.items()) != reference[3]:
        return False
    # One path at a time, as a finding asks, and paths that are not there.
    keys = dict(reference[3])
    found = all(placed.find(path) == (place, keys.get(path)) for path, place in reference[2])
    return found and all(placed.find(path) == (None, None) for path in MISSING if path not in places)


MISSING = [("nope",), ("indicators", "x", "y", 99), (0,), (5, "a"), ("funds", "nope", "x"), ("year", 0), ("year", "x")]


def repository_yaml() -> list[str]:
    found = []
    for pattern in ("specs/**/*.yaml", "tests/**/*.yaml", "tests/**/*.yml", "schema/**/*.yaml", "perfspec/**/*.yaml"):
        found += glob.glob(os.path.join(ROOT, pattern), recursive=True)
    if os.path.exists(SHARED_EXAMPLE):
        found.append(SHARED_EXAMPLE)
    return sorted(set(found))


def read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (UnicodeDecodeError, OSError):
        return None


def test_every_repository_yaml_file_agrees() -> None:
    checked = read_fast = 0
    for path in repository_yaml():
        text = read_text(path)
        if text is None:
            continue
        checked += 1
        assert agrees(text), path
        read_fast += fast(text) is not None
    assert checked > 300
    assert read_fast > checked // 2  # the path is taken, not declined everywhere


def test_bundled_forms_take_the_fast_path() -> None:
    forms = sorted(glob.glob(os.path.join(ROOT, "specs", "2023", "*.yaml")))
    assert forms
    for path in forms:
        text = read_text(path)
        assert text is not None and fast(text) is not None, path


# What damages a form in ways that sit on the subset's edges: YAML's indicators, quotes
# and escapes, comments, flow brackets, indentation, numbers at the loader's limits.
SNIPPETS = [
    ":", ": ", " :", " #", "#", '"', "'", "''", '\\"', "\\", "{", "}", "[", "]", ",", ", ", "&a ", "*a", "!", "!!str ",
    "|", ">", "- ", "-", "? ", "%", "@", "`", "\t", "\r", "\n", "\n  ", "\n- ", "  ", "null", "~", "true", "no",
    "1e99", "-1", "0x10", ".5", "1_000", "+3", "---\n", "...", "\u3000", "\ufeff", "\x85", "{a: 1}", "[1, 2]",
    "{a: 1, a: 2}", "key: value\n", "：",
]


def damaged(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        at = rng.randrange(len(lines))
        if kind < 0.6:
            line = lines[at]
            column = rng.randint(0, len(line))
            lines[at] = line[:column] + rng.choice(SNIPPETS) + line[column:]
        elif kind < 0.7:
            lines.insert(at, lines[rng.randrange(len(lines))])  # a line repeated elsewhere: duplicate keys
        elif kind < 0.8:
            lines[at] = " " * rng.randint(1, 3) + lines[at]
        elif kind < 0.9:
            lines[at] = lines[at].lstrip(" ")
        else:
            del lines[at]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(8))
def test_damaged_forms_agree(seed: int) -> None:
    rng = random.Random(seed)
    forms = sorted(glob.glob(os.path.join(ROOT, "specs", "2023", "*.yaml")))
    texts = [t for t in (read_text(p) for p in forms) if t]
    read_fast = 0
    for _ in range(400):
        text = damaged(rng.choice(texts), rng)
        assert agrees(text), text
        read_fast += fast(text) is not None
    assert read_fast > 20  # many damaged copies are still plain lines, and were compared


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n  b: 2\n",  # a continued plain scalar
        "a:\n  b: 1\n c: 2\n",  # an indentation no collection has
        "a: 1\na: 2\n",  # duplicate key
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  text\n",
        'a: "tab\\there"\n',
        "a: 'open\n  quote'\n",
        "a: {b: 1,\n  c: 2}\n",
        "a: b: c\n",
        "a: 1e99\n",
        "- a\nb: 1\n",
        "---\na: 1\n",
        "a:\n  b: 1\n...   c: 2\n",  # a document end marker
        "a:\n  text on the next line\n",
        "a:\tb\n",
        "? a\n: b\n",
        "  a: 1\n",
        "",
        "# only a comment\n",
    ],
)
def test_outside_the_subset_is_declined(text: str) -> None:
    assert fast(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: 1.50\nc: x\n", {"a": 1, "b": Decimal("1.50"), "c": "x"}),
        ("a: no\nb: ~\nc:\nd: TRUE\n", {"a": "no", "b": None, "c": None, "d": True}),
        ("a: x # note\nb: x#y\n", {"a": "x", "b": "x#y"}),
        ("a: \"q # not a note\"\nb: 'it''s'\n", {"a": "q # not a note", "b": "it's"}),
        ("a: {x: 1, y: 2.0}\nb: []\nc: [p, q]\n", {"a": {"x": 1, "y": Decimal("2.0")}, "b": [], "c": ["p", "q"]}),
        ("a:\n- 1\n- x: 2\n  y: 3\nb: 4\n", {"a": [1, {"x": 2, "y": 3}], "b": 4}),
        ("指标:\n  - 名称: 数量\n    值: ≥3(件)\n", {"指标": [{"名称": "数量", "值": "≥3(件)"}]}),
    ],
)
def test_values_inside_the_subset(text: str, expected: Any) -> None:
    assert same(fast(text), expected)
    assert agrees(text)


def test_positions_are_found_after_the_fast_path() -> None:
    text = "year: 2023\nfunds:\n  unit: 万元\n  total: {initial: 1, annual: 2}\n"
    document = load_text(text, "f.yaml").document
    assert document is not None
    assert fast(text) is not None
    assert document.spans[("funds", "total", "annual")].line == 4
    assert document.key_spans[("funds", "unit")][:2] == (3, 3)
    assert sorted(document.spans)[:2] == [(), ("funds",)]


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 2",  # no line break at the end: the text ends a line below
        "# c\n\n  # d\na: 1\nb:\n  c: 1\n# x\n   \n",  # comments before and after
        'x: "a b"  # c\ny: \'it\'\'s\'\nz: {a: 1 , b:  x y  }\nw: [ 1 , 2 ]\nv: []\nu: {}\n',
        "- a: 1\n  b:\n- 2\n",  # a mapping ends where the next item starts
        "a:\n- 1\n-   k: v\n    m: [1, 2]\nb:   # empty\nc: x\n",  # an indentless list; an empty value
        "a:\n  b: 1\n ",  # the last line's spaces end the collections indented deeper, not the others
        "a:\n  b:\n  - 1\n    #c",
        "- a: 1\n  b: 2\n ",
    ],
)
def test_places_are_libyaml_s_marks(text: str) -> None:
    assert fast(text) is not None
    assert agrees(text)
