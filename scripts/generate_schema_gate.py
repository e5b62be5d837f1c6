"""Regenerate perfspec/load/_schema_gate.py from schema/perfspec.schema.json.

The gate is the schema compiled to plain Python. perfspec runs it on every form
and walks the schema (perfspec/load/schema_walk.py) only to explain a form the
gate rejects, so the gate answers yes or no and nothing else, and it must answer
fast for a valid form. This script is a small compiler for the part of JSON
Schema (Draft 2020-12) the schema uses. It replaces fastjsonschema, whose code
spent most of a valid form's time on bookkeeping for errors it never reported
(a set of the keys of every mapping, emptied key by key; a try/except per
`anyOf` branch; an exception raised and caught for every form by the `if`); the
gate it writes accepts and rejects the same documents (tests/test_schema_gate.py
compares it with python-jsonschema on fixtures and thousands of mutated forms).

A keyword, type, `$ref` or value shape the compiler does not know stops it
(SystemExit) instead of becoming a gate that silently accepts too much. The
generated file is committed (nothing is needed to import it) and a test fails
when it is stale:  python scripts/generate_schema_gate.py
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Union

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "schema", "perfspec.schema.json")
TARGET = os.path.join(ROOT, "perfspec", "load", "_schema_gate.py")

# Keywords that only describe or identify: they never fail. (`default` included: the
# gate only judges and never writes defaults into the data it checks.)
ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment", "$schema", "$id"})
SCALAR_KEYWORDS = frozenset({"type", "enum", "minLength", "pattern", "minimum", "maximum"})
OBJECT_KEYWORDS = frozenset({"required", "properties", "patternProperties", "additionalProperties", "propertyNames", "minProperties"})
ARRAY_KEYWORDS = frozenset({"items", "minItems"})
APPLICATORS = frozenset({"anyOf", "allOf", "not", "if", "then", "else", "$ref"})
KEYWORDS = SCALAR_KEYWORDS | OBJECT_KEYWORDS | ARRAY_KEYWORDS | APPLICATORS

# What each JSON type is among the values a form is loaded into, as python-jsonschema and
# the fastjsonschema gate this replaced decide it: a Decimal is a number and never an
# integer, 1.0 is an integer, True and False are neither; a tuple is an array. `is True`
# tests stand for isinstance(value, bool): bool has no subclasses, and they cost less.
KIND_ORDER = ("string", "number", "integer", "null", "object", "array", "boolean")
KIND_CLASSES = {"string": "str", "number": "int, float, Decimal", "null": "NoneType", "object": "dict", "array": "list, tuple", "boolean": "bool"}
NOT_BOOL = "{v} is not True and {v} is not False"
# A number: its exact type tested first, because that is what every number in a loaded form
# passes (one set lookup); a subclass (not bool) still passes the isinstance test after it.
NUMBER = "(type({v}) in _NUMBER or isinstance({v}, (int, float, Decimal)) and {v} is not True and {v} is not False)"
INTEGER = "(isinstance({v}, int) and {v} is not True and {v} is not False or isinstance({v}, float) and {v}.is_integer())"

# fastjsonschema, whose gate this replaces, and ECMA 262 read `$` in a `pattern` as the end of
# the text, not "before a final newline" as Python's re does.
_DOLLAR = re.compile(r"(?<!\\)\$")

Node = Union[dict, bool]


def _fail(where: str, why: str) -> SystemExit:
    return SystemExit(f"generate_schema_gate: {why} at {where or '/'}; teach scripts/generate_schema_gate.py, or keep the schema to what it compiles")


def _strip(node: Any) -> Any:
    """The node without annotations, to compare two subschemas by what they require."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ANNOTATIONS:
            continue
        if key in ("properties", "patternProperties", "$defs"):
            value = {name: _strip(sub) for name, sub in value.items()}
        elif key in ("anyOf", "allOf"):
            value = [_strip(sub) for sub in value]
        elif key in ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
            value = _strip(value)
        out[key] = value
    return out


def _same(a: Any, b: Any) -> bool:
    return json.dumps(_strip(a), sort_keys=True) == json.dumps(_strip(b), sort_keys=True)


def _loosest(expression: str) -> str:
    """How `expression` binds, judged outside brackets and quotes: "or", "and", "not" (a negation),
    "other" (a comparison) or "atom" (a name or a call)."""
    depth, quote, found, i = 0, "", "atom", 0
    while i < len(expression):
        ch = expression[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch == " ":
            if expression.startswith(" or ", i):
                return "or"
            if expression.startswith(" and ", i):
                found = "and"
            elif found == "atom":
                found = "other"
        i += 1
    if found != "and" and expression.startswith("not "):
        return "not"
    return found


def _and(terms: list[str]) -> str:
    terms = [term for term in terms if term != "True"]
    if "False" in terms:
        return "False"
    return " and ".join(f"({term})" if _loosest(term) == "or" else term for term in terms) or "True"


def _or(terms: list[str]) -> str:
    terms = [term for term in terms if term != "False"]
    if "True" in terms:
        return "True"
    return " or ".join(terms) or "False"


def _not(term: str) -> str:
    if term in ("True", "False"):
        return "False" if term == "True" else "True"
    binding = _loosest(term)
    if binding == "atom":
        return f"not {term}"
    return term[len("not "):] if binding == "not" else f"not ({term})"


class Compiler:
    """Compiles the schema into the gate's source: one boolean function per subschema that needs statements."""

    def __init__(self, schema: dict) -> None:
        if not isinstance(schema, dict):
            raise _fail("", "the schema is not an object")
        self.defs: dict[str, Any] = schema.get("$defs", {})
        if not isinstance(self.defs, dict):
            raise _fail("/$defs", "$defs is not an object")
        self.defs = {name: self._reduce(sub, f"/$defs/{name}") for name, sub in self.defs.items()}
        self.root = self._reduce(schema, "")
        self.uses: dict[str, int] = {}
        self._count(self.root)
        self.constants: dict[str, str] = {}  # source → name
        self.functions: list[str] = []
        self.def_functions: dict[str, str] = {}
        self.helpers: dict[str, str] = {}  # canonical subschema → helper function name
        self.inlining: list[str] = []  # $defs entries being compiled in place (a $ref back to one is a call)
        self.names = iter(range(1, 1_000_000))

    # --- checking and simplifying the schema -------------------------------------------

    def _reduce(self, node: Any, where: str) -> Any:
        """Check every keyword and value shape, and drop subschemas another one already applies.

        Two such overlaps are dropped, because they would double the work on the biggest part
        of a form: a `properties` entry beside a `$ref` whose target applies the same schema
        to every key through `additionalProperties`; and a `properties` entry equal to its own
        object's `additionalProperties` (with no `patternProperties` that could claim the key).
        """
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise _fail(where, f"a subschema is {type(node).__name__}")
        for key in node:
            if key not in KEYWORDS and key not in ANNOTATIONS and not (key == "$defs" and where == ""):
                raise _fail(where, f"keyword {key!r} is not implemented")
        out = {key: value for key, value in node.items() if key not in ANNOTATIONS and key != "$defs"}
        self._check_values(out, where)
        for key in ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
            if key in out:
                out[key] = self._reduce(out[key], f"{where}/{key}")
        for key in ("anyOf", "allOf"):
            if key in out:
                out[key] = [self._reduce(sub, f"{where}/{key}/{i}") for i, sub in enumerate(out[key])]
        for key in ("properties", "patternProperties"):
            if key in out:
                out[key] = {name: self._reduce(sub, f"{where}/{key}/{name}") for name, sub in out[key].items()}
        if "$ref" in out and "properties" in out:
            target = self.defs[out["$ref"][len("#/$defs/"):]]
            spread = target.get("additionalProperties") if isinstance(target, dict) else None
            if isinstance(spread, dict) and "properties" not in target and "patternProperties" not in target:
                kept = {name: sub for name, sub in out["properties"].items() if not _same(sub, spread)}
                out["properties"] = kept
        spread = out.get("additionalProperties")
        if isinstance(spread, dict) and "properties" in out and "patternProperties" not in out:
            out["properties"] = {name: sub for name, sub in out["properties"].items() if not _same(sub, spread)}
        if out.get("properties") == {}:
            # Nothing left to check by name; with additionalProperties false the names still count.
            if out.get("additionalProperties") is not False:
                del out["properties"]
        return out

    def _check_values(self, node: dict, where: str) -> None:
        def count(key: str) -> None:
            value = node[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _fail(where, f"{key} must be a non-negative integer, not {value!r}")

        def schemas(key: str, value: Any, kind: type) -> None:
            if not isinstance(value, kind) or (kind is list and not value):
                raise _fail(where, f"{key} must be a non-empty {kind.__name__}")

        for key, value in node.items():
            if key == "type":
                names = [value] if isinstance(value, str) else value
                if not isinstance(names, list) or not names or any(name not in KIND_ORDER for name in names) or len(set(names)) != len(names):
                    raise _fail(where, f"type {value!r} is not implemented")
            elif key == "enum":
                if not isinstance(value, list) or not value or any(not (each is None or isinstance(each, str)) for each in value):
                    # Numbers and booleans would need python-jsonschema's equality (True is not 1,
                    # 1 is 1.0): not implemented until the schema needs them.
                    raise _fail(where, f"enum {value!r}: only text and null values are implemented")
            elif key in ("minLength", "minItems", "minProperties"):
                count(key)
            elif key in ("minimum", "maximum"):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise _fail(where, f"{key} must be a number, not {value!r}")
            elif key == "pattern":
                if not isinstance(value, str):
                    raise _fail(where, f"pattern {value!r} is not text")
                try:
                    re.compile(_DOLLAR.sub(r"\\Z", value))
                except re.error as error:
                    raise _fail(where, f"pattern {value!r} does not compile with `$` read as the end of the text ({error})")
            elif key == "required":
                if not isinstance(value, list) or any(not isinstance(each, str) for each in value):
                    raise _fail(where, "required must be a list of names")
            elif key in ("properties", "patternProperties"):
                schemas(key, value, dict)
                if key == "patternProperties":
                    for source in value:
                        try:
                            re.compile(source)
                        except re.error as error:
                            raise _fail(where, f"patternProperties {source!r} does not compile ({error})")
            elif key in ("anyOf", "allOf"):
                schemas(key, value, list)
            elif key in ("items", "propertyNames", "not", "if", "then", "else"):
                schemas(key, value, dict)
            elif key == "additionalProperties":
                if not isinstance(value, (dict, bool)):
                    raise _fail(where, "additionalProperties must be a schema or a boolean")
            elif key == "$ref":
                if not isinstance(value, str) or not value.startswith("#/$defs/") or value[len("#/$defs/"):] not in self.defs:
                    raise _fail(where, f"$ref {value!r}: only references to the schema's own $defs are implemented")

    def _count(self, node: Any) -> None:
        """How many places refer to each $defs entry (an entry used once is compiled in place)."""
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            name = node["$ref"][len("#/$defs/"):]
            self.uses[name] = self.uses.get(name, 0) + 1
            if self.uses[name] == 1:
                self._count(self.defs[name])
        for key in ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
            self._count(node.get(key))
        for key in ("anyOf", "allOf"):
            for sub in node.get(key, ()):
                self._count(sub)
        for key in ("properties", "patternProperties"):
            for sub in node.get(key, {}).values():
                self._count(sub)

    # --- code generation ------------------------------------------------------------

    def constant(self, prefix: str, source: str) -> str:
        """A module-level constant (a frozenset of names, a pattern), made once."""
        if source not in self.constants:
            self.constants[source] = f"_{prefix}{len(self.constants) + 1}"
        return self.constants[source]

    def parts(self, node: Node) -> list[Any]:
        """The node as a list of conjuncts: its own keywords, each allOf entry, each $ref (as its def's name)."""
        if node is True:
            return []
        if node is False:
            return [False]
        out: list[Any] = []
        own = {key: value for key, value in node.items() if key not in ("allOf", "$ref")}
        if own:
            out.append(own)
        if "$ref" in node:
            out.append(node["$ref"][len("#/$defs/"):])
        for sub in node.get("allOf", ()):
            out.extend(self.parts(sub))
        return out

    def expression(self, node: Node, v: str) -> str | None:
        """A boolean expression for `node` on the local `v`, if it needs no statements (no objects, arrays, if)."""
        terms: list[str] = []
        for part in self.parts(node):
            if part is False:
                return "False"
            if isinstance(part, str):
                if part in self.inlining:
                    return None
                self.inlining.append(part)
                try:
                    inner = self.expression(self.defs[part], v)
                finally:
                    self.inlining.pop()
                if inner is None:
                    return None
                terms.append(inner)
                continue
            if any(key in part for key in OBJECT_KEYWORDS | ARRAY_KEYWORDS | {"if", "then", "else"}):
                return None
            terms.append(self.scalar(part, v))
            if "anyOf" in part:
                terms.append(_or([self.call(sub, v) for sub in part["anyOf"]]))
            if "not" in part:
                terms.append(_not(self.call(part["not"], v)))
        return _and(terms)

    def call(self, node: Node, v: str) -> str:
        """An expression for `node` on `v`: inline, or a call to a helper function compiled for it."""
        inline = self.expression(node, v)
        return inline if inline is not None else f"{self.function(node)}({v})"

    def function(self, node: Node, name: str | None = None) -> str:
        """The name of a function `def f(v) -> bool` checking `node` (compiled once)."""
        if name is None:
            key = json.dumps(_strip(node), sort_keys=True)
            if key in self.helpers:
                return self.helpers[key]
            name = self.helpers[key] = f"_s{len(self.helpers) + 1}"
        lines: list[str] = []
        outer, self.names = self.names, iter(range(1, 1_000_000))  # each function numbers its own locals
        try:
            self.statements(node, "v", set(), lines, 1)
        finally:
            self.names = outer
        self.functions.append(f"def {name}(v):\n" + "".join(line + "\n" for line in lines) + "    return True\n")
        return name

    def def_function(self, name: str) -> str:
        """The function of a $defs entry that is used in more than one place."""
        if name not in self.def_functions:
            function = "_d_" + re.sub(r"\W", "_", name)
            if function in self.def_functions.values():
                raise _fail(f"/$defs/{name}", f"two $defs names make the function name {function}")
            self.def_functions[name] = function
            self.function(self.defs[name], function)
        return self.def_functions[name]

    def local(self, base: str) -> str:
        return f"{base}{next(self.names)}"

    def scalar(self, part: dict, v: str) -> str:
        """The expression for a part's type, enum, string and number keywords ("True" if it has none)."""
        strings = []
        if "minLength" in part:
            n = part["minLength"]
            strings.append(f'{v} != ""' if n == 1 else f"len({v}) >= {n}")
        if "pattern" in part:
            source = _DOLLAR.sub(r"\\Z", part["pattern"])
            strings.append(f"{self.constant('P', f'_Lazy({source!r})')}.search({v})")
        numbers = []
        # The comparisons are written as the failing test negated (`not v < m`), as python-jsonschema
        # and the previous gate wrote them: for a NaN the two differ.
        if "minimum" in part:
            numbers.append(f"not {v} < {part['minimum']!r}")
        if "maximum" in part:
            numbers.append(f"not {v} > {part['maximum']!r}")
        kinds = None
        if "type" in part:
            kinds = {part["type"]} if isinstance(part["type"], str) else set(part["type"])
        if "enum" in part:
            # Enum values are text or null (see _check_values): the enum test is also the whole type
            # test, less the values' kinds the type excludes; number keywords cannot apply.
            values = part["enum"]
            texts = sorted({each for each in values if isinstance(each, str)})
            alternatives = []
            if texts and (kinds is None or "string" in kinds):
                inside = f"{v} == {texts[0]!r}" if len(texts) == 1 else f"{v} in {self.constant('E', 'frozenset(' + repr(tuple(texts)) + ')')}"
                alternatives.append(_and([f"isinstance({v}, str)", inside] + strings))
            if None in values and (kinds is None or "null" in kinds):
                alternatives.append(f"{v} is None")
            return _or(alternatives)
        if kinds is not None:
            return self.types(kinds, v, strings, numbers)
        # No type: each keyword applies only to values of its own kind.
        terms = []
        if strings:
            terms.append(_or([f"not isinstance({v}, str)", _and(strings)]))
        if numbers:
            terms.append(_or([f"not isinstance({v}, (int, float, Decimal))", f"{v} is True", f"{v} is False", _and(numbers)]))
        return _and(terms)

    def types(self, kinds: set[str], v: str, strings: list[str], numbers: list[str]) -> str:
        """`v` is one of `kinds`, and meets the string (number) keywords when it is a string (number)."""
        order = sorted(kinds, key=KIND_ORDER.index)
        if "number" in order and "integer" in order:
            order.remove("integer")  # every integer is a number
        plain = [kind for kind in order if not (kind == "string" and strings) and not (kind in ("number", "integer") and numbers) and kind != "integer"]
        terms = []
        if "string" in order and strings:
            terms.append(_and([f"isinstance({v}, str)"] + strings))
        if "number" in order and numbers:
            terms.append(_and([NUMBER.format(v=v)] + numbers))
        if "integer" in order:
            terms.append(_and([INTEGER.format(v=v)] + numbers))
        if plain:
            classes = ", ".join(KIND_CLASSES[kind] for kind in plain)
            test = f"isinstance({v}, ({classes}))" if "," in classes else f"isinstance({v}, {classes})"
            if plain == ["null"]:
                test = f"{v} is None"
            if "number" in plain and "boolean" not in order:
                test = _and([test, NOT_BOOL.format(v=v)])
            terms.append(test)
        return _or(terms)

    def statements(self, node: Node, v: str, known: set[str], out: list[str], depth: int) -> None:
        """Lines (at `depth`) that `return False` unless `v` is valid; `known`: the kinds `v` is known to be."""
        pad = "    " * depth
        parts = self.parts(node)
        if False in parts:
            out.append(f"{pad}return False")
            return
        # The type tests first: what they establish spares the later keywords their own.
        typed = [part for part in parts if isinstance(part, dict) and "type" in part]
        for part in typed:
            self.test(self.scalar(part, v), out, depth)
            kinds = {part["type"]} if isinstance(part["type"], str) else set(part["type"])
            known = kinds if not known else known & kinds
        for part in parts:
            if isinstance(part, str):
                self.reference(part, v, known, out, depth)
                continue
            if "type" not in part:
                self.test(self.scalar(part, v), out, depth)
            if any(key in part for key in OBJECT_KEYWORDS):
                self.object(part, v, known, out, depth)
            if any(key in part for key in ARRAY_KEYWORDS):
                self.array(part, v, known, out, depth)
            if "anyOf" in part:
                self.test(_or([self.call(sub, v) for sub in part["anyOf"]]), out, depth)
            if "not" in part:
                self.test(_not(self.call(part["not"], v)), out, depth)
            if "if" in part and ("then" in part or "else" in part):
                condition = self.call(part["if"], v)
                then: list[str] = []
                otherwise: list[str] = []
                if "then" in part:
                    self.statements(part["then"], v, known, then, depth + 1)
                if "else" in part:
                    self.statements(part["else"], v, known, otherwise, depth + 1)
                if then:
                    out.append(f"{pad}if {condition}:")
                    out.extend(then)
                    if otherwise:
                        out.append(f"{pad}else:")
                        out.extend(otherwise)
                elif otherwise:
                    out.append(f"{pad}if {_not(condition)}:")
                    out.extend(otherwise)

    @staticmethod
    def test(expression: str, out: list[str], depth: int) -> None:
        """`if not (expression): return False`, unless the expression always holds."""
        if expression == "True":
            return
        pad = "    " * depth
        out.append(f"{pad}if {_not(expression)}:")
        out.append(f"{pad}    return False")

    def reference(self, name: str, v: str, known: set[str], out: list[str], depth: int) -> None:
        """A $ref: in place when the def is an expression or used once, else a call to its function."""
        pad = "    " * depth
        inline = None if name in self.inlining else self.expression(self.defs[name], v)
        if inline is not None:
            self.test(inline, out, depth)
            return
        if self.uses.get(name, 0) <= 1 and name not in self.inlining:
            self.inlining.append(name)
            try:
                self.statements(self.defs[name], v, known, out, depth)
            finally:
                self.inlining.pop()
            return
        out.append(f"{pad}if not {self.def_function(name)}({v}):")
        out.append(f"{pad}    return False")

    def open_typed(self, kind: str, classes: str, minimum: int, v: str, known: set[str], out: list[str], depth: int) -> tuple[int, int]:
        """Begin the checks of an object or array: under its type test unless the type is known, then
        its minimum size. (the depth of the checks, where they start in `out`)"""
        if known != {kind}:
            out.append(f"{'    ' * depth}if isinstance({v}, {classes}):")
            depth += 1
        start = len(out)
        if minimum > 0:
            pad = "    " * depth
            out.append(f"{pad}if len({v}) < {minimum}:")
            out.append(f"{pad}    return False")
        return depth, start

    @staticmethod
    def close_typed(kind: str, known: set[str], out: list[str], start: int) -> None:
        """A type test with no check under it goes."""
        if known != {kind} and len(out) == start:
            out.pop()

    def object(self, part: dict, v: str, known: set[str], out: list[str], depth: int) -> None:
        depth, start = self.open_typed("object", "dict", part.get("minProperties", 0), v, known, out, depth)
        pad = "    " * depth
        required = list(dict.fromkeys(part.get("required", ())))
        if required:
            test = " and ".join(f"{name!r} in {v}" for name in required)
            out.append(f"{pad}if not ({test}):" if len(required) > 1 else f"{pad}if {required[0]!r} not in {v}:")
            out.append(f"{pad}    return False")
        properties: dict[str, Any] = part.get("properties", {})
        patterns: dict[str, Any] = part.get("patternProperties", {})
        extra = part.get("additionalProperties", True)
        # With additionalProperties false and no patterns, every key must be a named one: the
        # named keys present are counted as they are looked up, and must be all the keys.
        counted = self.local("n") if extra is False and not patterns and properties else None
        if counted:
            out.append(f"{pad}{counted} = {sum(1 for name in properties if name in required)}")
        elif extra is False and not patterns:
            out.append(f"{pad}if {v}:")
            out.append(f"{pad}    return False")
        for name, sub in properties.items():
            # A key named in `properties` that a patternProperties pattern also matches must meet
            # both schemas (once when they are the same).
            checks = [sub] + [schema for source, schema in patterns.items() if re.search(source, name)]
            unique: list[Any] = []
            for each in checks:
                if not any(_same(each, seen) for seen in unique):
                    unique.append(each)
            body: list[str] = []
            x = self.local("x")
            for each in unique:
                self.statements(each, x, set(), body, depth + (0 if name in required else 1))
            if name in required:
                if body:
                    out.append(f"{pad}{x} = {v}[{name!r}]")
            elif body or counted:
                out.append(f"{pad}if {name!r} in {v}:")
                if counted:
                    out.append(f"{pad}    {counted} += 1")
                if body:
                    out.append(f"{pad}    {x} = {v}[{name!r}]")
            out.extend(body)
        if counted:
            out.append(f"{pad}if len({v}) != {counted}:")
            out.append(f"{pad}    return False")
        if patterns or isinstance(extra, dict):
            self.other_keys(properties, patterns, extra, v, out, depth)
        if "propertyNames" in part:
            k = self.local("k")
            body = []
            self.statements(part["propertyNames"], k, set(), body, depth + 1)
            if body:
                out.append(f"{pad}for {k} in {v}:")
                out.extend(body)
        self.close_typed("object", known, out, start)

    def other_keys(self, properties: dict, patterns: dict, extra: Node, v: str, out: list[str], depth: int) -> None:
        """patternProperties, and additionalProperties for the keys neither they nor `properties` name."""
        k, x = self.local("k"), self.local("x")
        inner = "    " * (depth + 1)
        body: list[str] = []
        rest: list[str] = []  # additionalProperties, for a key no pattern matched
        self.statements(extra, x, set(), rest, depth + 2 if patterns else depth + 1)
        matched = self.local("m") if len(patterns) > 1 and rest else None
        if matched:
            body.append(f"{inner}{matched} = False")
        for source, schema in patterns.items():
            # Named keys the pattern matches were given this schema with their own (see object()).
            lines: list[str] = [f"{inner}    {matched} = True"] if matched else []
            self.statements(schema, x, set(), lines, depth + 2)
            if len(patterns) == 1 and rest:
                body.append(f"{inner}if {self.constant('P', f'_Lazy({source!r})')}.search({k}):")
                body.extend(lines or [f"{inner}    pass"])
                body.append(f"{inner}else:")
                body.extend(rest)
            elif lines:
                body.append(f"{inner}if {self.constant('P', f'_Lazy({source!r})')}.search({k}):")
                body.extend(lines)
            else:
                # Nothing to check on a match, but the search stays: a key that is not text fails
                # in it (TypeError), as it does in python-jsonschema and the gate this replaced.
                body.append(f"{inner}{self.constant('P', f'_Lazy({source!r})')}.search({k})")
        if matched:
            body.append(f"{inner}if not {matched}:")
            body.extend(rest)
        elif not patterns:
            body.extend(rest)
        if not body:
            return
        if properties:
            names = self.constant("K", "frozenset(" + repr(tuple(properties)) + ")")
            out.append(f"{'    ' * depth}for {k}, {x} in {v}.items():")
            out.append(f"{inner}if {k} in {names}:")
            out.append(f"{inner}    continue")
        elif patterns:
            out.append(f"{'    ' * depth}for {k}, {x} in {v}.items():")
        else:
            out.append(f"{'    ' * depth}for {x} in {v}.values():")
        out.extend(body)

    def array(self, part: dict, v: str, known: set[str], out: list[str], depth: int) -> None:
        depth, start = self.open_typed("array", "(list, tuple)", part.get("minItems", 0), v, known, out, depth)
        pad = "    " * depth
        if "items" in part:
            x = self.local("x")
            body: list[str] = []
            self.statements(part["items"], x, set(), body, depth + 1)
            if body:
                out.append(f"{pad}for {x} in {v}:")
                out.extend(body)
        self.close_typed("array", known, out, start)

    def module(self) -> str:
        self.function(self.root, "_form")
        constants = "".join(f"{name} = {source}\n" for source, name in sorted(self.constants.items(), key=lambda item: int(item[1][2:])))
        # A function is written out when it is finished, after the functions it calls: Python
        # looks the names up when the gate runs, so any order works.
        return HEADER + (constants + "\n\n" if constants else "") + "\n\n".join(self.functions) + FOOTER


HEADER = '''# Generated by scripts/generate_schema_gate.py from schema/perfspec.schema.json.
# Do not edit: regenerate.
# flake8: noqa
# type: ignore
"""Is a form valid under perfspec's schema? Yes or no, fast (perfspec/load/schema_walk.py says why not)."""

from decimal import Decimal

NoneType = type(None)
_NUMBER = frozenset((int, float, Decimal))


class JsonSchemaValueException(ValueError):
    """The form does not match the schema (perfspec/load/schema_walk.py finds where)."""


class _Lazy:
    """A pattern compiled when first used: a clean form needs few of them (about half
    a millisecond each to compile, on every start)."""

    def __init__(self, source):
        self.source = source

    def __getattr__(self, name):
        import re

        method = getattr(re.compile(self.source), name)
        setattr(self, name, method)
        return method


'''

FOOTER = '''

def validate(data):
    """Return `data` if it matches the schema; raise JsonSchemaValueException if not."""
    if not _form(data):
        raise JsonSchemaValueException("the form does not match the schema")
    return data
'''


def generate() -> str:
    with open(SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    text = Compiler(schema).module()
    try:
        compile(text, TARGET, "exec")
    except SyntaxError as error:  # e.g. too deeply nested loops: refuse rather than write it
        raise SystemExit(f"generate_schema_gate: the generated gate does not compile ({error})")
    return text


def main() -> int:
    text = generate()
    with open(TARGET, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {TARGET} ({len(text)} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
