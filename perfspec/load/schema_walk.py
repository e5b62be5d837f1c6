"""perfspec's own JSON Schema walker: every error of a form, as python-jsonschema reports it.

The compiled gate (perfspec/load/_schema_gate.py) only says *that* a form is
wrong, and python-jsonschema costs ~130 ms to import (referencing, attrs, rpds…)
before it can say *where*. This walker implements the Draft 2020-12 keywords the
bundled schema uses, with python-jsonschema's semantics and in its order, and
yields one record per error carrying what schema_check._explain reads:
absolute_path, validator (the keyword), instance, validator_value, schema (the
subschema holding the keyword), relative_schema_path and message.

It is not a general validator: a schema with any keyword, type name or $ref it
does not implement is refused when the Walker is built (Unsupported), and the
caller falls back to python-jsonschema. A test builds it on the bundled schema,
so a new keyword in the schema fails there, loudly, instead of being ignored.

Two deliberate differences; neither changes a finding, but for the first making
deterministic which findings are listed past MAX_FINDINGS (and which one fix names):
- errors of `additionalProperties: {schema}` come in document order (python-jsonschema
  walks a set, whose order changes from run to run);
- `anyOf`, `oneOf`, `if` and `not` stop a branch at its first error: only whether the
  branch holds is needed, never its errors (python-jsonschema keeps them as `context`).
"""

from __future__ import annotations

import numbers
import re
from decimal import Decimal
from typing import Any, Callable, Iterator, Optional

from perfspec.diagnostics import Path

# A path while walking: (parent, part) links, made into a tuple only for an error.
_Link = Optional[tuple[Any, Any]]

# Keywords that only describe (for editors and people) or identify: they never fail.
ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment", "$schema", "$id"})
# Homes of subschemas reached through another keyword: $defs through $ref, then/else through if.
HOMES = frozenset({"$defs", "then", "else"})


class Unsupported(ValueError):
    """The schema uses something this walker does not implement."""


def _is_number(value: Any) -> bool:
    if type(value) in (int, Decimal, float):
        return True  # what the loader makes, without the slower abstract-class check below
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    # As python-jsonschema's Draft 2020-12 checker: 1.0 is an integer, True is not; a
    # Decimal never is (neither it nor the compiled gate counts Decimal("2023") as one).
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _is_integer,
    "null": lambda value: value is None,
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def _equal(one: Any, two: Any) -> bool:
    """JSON equality: True is not 1, and lists and mappings compare item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, (list, tuple)) and isinstance(two, (list, tuple)):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(key in two and _equal(value, two[key]) for key, value in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # `one is two` already matched two equal booleans
    return bool(one == two)


def _parts(link: _Link) -> Path:
    parts = []
    while link is not None:
        link, part = link
        parts.append(part)
    return tuple(reversed(parts))


class SchemaError:
    """One error, with python-jsonschema's ValidationError attribute names.

    The message is written only when read: python-jsonschema's embed a repr of the
    value, which for a mapping of 300,000 keys is megabytes nobody reads.
    """

    __slots__ = ("validator", "validator_value", "instance", "schema", "_path", "_schema_path", "_detail")

    def __init__(self, validator: str, value: Any, instance: Any, schema: Any, path: _Link, schema_path: _Link, detail: Any = None) -> None:
        self.validator = validator
        self.validator_value = value
        self.instance = instance
        self.schema = schema
        self._path = path
        self._schema_path = schema_path
        self._detail = detail

    @property
    def absolute_path(self) -> Path:
        return _parts(self._path)

    @property
    def relative_schema_path(self) -> Path:
        return _parts(self._schema_path)

    @property
    def message(self) -> str:
        """python-jsonschema's message for the same error, word for word."""
        kind, value, instance = self.validator, self.validator_value, self.instance
        if kind == "type":
            types = [value] if isinstance(value, str) else value
            return f"{instance!r} is not of type {', '.join(repr(t) for t in types)}"
        if kind == "required":
            return f"{self._detail!r} is a required property"
        if kind == "enum":
            return f"{instance!r} is not one of {value!r}"
        if kind == "minimum":
            return f"{instance!r} is less than the minimum of {value!r}"
        if kind == "maximum":
            return f"{instance!r} is greater than the maximum of {value!r}"
        if kind in ("minLength", "minItems"):
            return f"{instance!r} {'should be non-empty' if value == 1 else 'is too short'}"
        if kind == "minProperties":
            return f"{instance!r} {'should be non-empty' if value == 1 else 'does not have enough properties'}"
        if kind == "pattern":
            return f"{instance!r} does not match {value!r}"
        if kind == "additionalProperties":
            extras = sorted(self._detail, key=str)
            if "patternProperties" in self.schema:
                verb = "does" if len(extras) == 1 else "do"
                patterns = ", ".join(repr(each) for each in sorted(self.schema["patternProperties"]))
                return f"{', '.join(repr(each) for each in extras)} {verb} not match any of the regexes: {patterns}"
            verb = "was" if len(extras) == 1 else "were"
            return f"Additional properties are not allowed ({', '.join(repr(each) for each in extras)} {verb} unexpected)"
        if kind == "items":
            rest = instance if len(instance) != 1 else instance[0]
            return f"Expected at most 0 items but found {len(instance)} extra: {rest!r}"
        if kind in ("anyOf", "oneOf") and self._detail is None:
            return f"{instance!r} is not valid under any of the given schemas"
        if kind == "oneOf":
            return f"{instance!r} is valid under each of {', '.join(repr(each) for each in self._detail)}"
        if kind == "not":
            return f"{instance!r} should not be valid under {value!r}"
        raise AssertionError(kind)  # pragma: no cover - every keyword that yields is above

    def __repr__(self) -> str:
        return f"<SchemaError {self.validator} at {self.absolute_path!r}>"


_Keyword = Callable[["Walker", Any, Any, dict, _Link, _Link], Iterator[SchemaError]]


class Walker:
    """Validates instances against one schema; refuses a schema it cannot fully walk."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._regexes: dict[str, re.Pattern[str]] = {}
        self._refs: dict[str, Any] = {}
        self._plans: dict[int, list[tuple[_Keyword, str, Any]]] = {}  # id(subschema): held alive by root
        self._check(root, ())

    def iter_errors(self, instance: Any) -> Iterator[SchemaError]:
        """Every error, in python-jsonschema's order but for what the module docstring lists."""
        return self._descend(instance, self.root, None, None)

    def is_valid(self, instance: Any) -> bool:
        return self._valid(instance, self.root)

    # ------------------------------------------------------------------ the schema

    def _check(self, node: Any, where: tuple[str, ...]) -> None:
        """Refuse what is not implemented, anywhere in the schema, before any instance is walked."""
        if node is True:
            return
        if node is False:
            # python-jsonschema reports a `false` subschema at its parent's path, a quirk not
            # worth copying: only additionalProperties and items, which say it themselves, may be false.
            if where[-1:] not in (("additionalProperties",), ("items",)):
                raise Unsupported(f"{'/'.join(where)}: a false subschema is only implemented for additionalProperties and items")
            return
        if not isinstance(node, dict):
            raise Unsupported(f"{'/'.join(where)}: a schema must be an object or a boolean")
        for key, value in node.items():
            at = where + (key,)
            if key in ANNOTATIONS:
                continue
            if key not in KEYWORDS and key not in HOMES:
                raise Unsupported(f"{'/'.join(at)}: keyword {key!r} is not implemented")
            if key in ("properties", "patternProperties", "$defs"):
                for name, sub in value.items():
                    self._check(sub, at + (name,))
            elif key in ("additionalProperties", "propertyNames", "items", "if", "then", "else", "not"):
                self._check(value, at)
            elif key in ("allOf", "anyOf", "oneOf"):
                for index, sub in enumerate(value):
                    self._check(sub, at + (str(index),))
            elif key == "type":
                for name in [value] if isinstance(value, str) else value:
                    if name not in TYPES:
                        raise Unsupported(f"{'/'.join(at)}: type {name!r} is not implemented")
            elif key == "$ref":
                self._target(value)

    def _regex(self, source: str) -> re.Pattern[str]:
        # Compiled when first needed (~0.5 ms each): most forms with an error never use most of them.
        compiled = self._regexes.get(source)
        if compiled is None:
            compiled = self._regexes[source] = re.compile(source)
        return compiled

    def _target(self, ref: Any) -> Any:
        """A $ref within the document (`#/$defs/text`); anything else is refused."""
        if ref in self._refs:
            return self._refs[ref]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise Unsupported(f"$ref {ref!r}: only references within the schema are implemented")
        node = self.root
        for token in ref[1:].split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError, TypeError):
                raise Unsupported(f"$ref {ref!r} does not resolve") from None
        self._refs[ref] = node
        return node

    # ------------------------------------------------------------------ the instance

    def _descend(self, instance: Any, schema: Any, path: _Link, schema_path: _Link) -> Iterator[SchemaError]:
        if schema is True:
            return
        plan = self._plans.get(id(schema))
        if plan is None:
            # The keywords that can fail, in the schema's order: annotations and homes are
            # skipped once per subschema, not once per value (_check refused everything else).
            plan = self._plans[id(schema)] = [(KEYWORDS[key], key, value) for key, value in schema.items() if key in KEYWORDS]
        for keyword, key, value in plan:
            # python-jsonschema leaves `if` and `$ref` out of the schema path (not `then`/`else`).
            yield from keyword(self, value, instance, schema, path, schema_path if key in ("if", "$ref") else (schema_path, key))

    def _valid(self, instance: Any, schema: Any) -> bool:
        return next(self._descend(instance, schema, None, None), None) is None


def _type(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    types = [value] if isinstance(value, str) else value
    if not any(TYPES[name](instance) for name in types):
        yield SchemaError("type", value, instance, schema, path, at)


def _enum(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if all(not _equal(each, instance) for each in value):
        yield SchemaError("enum", value, instance, schema, path, at)


def _minimum(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if _is_number(instance) and instance < value:
        yield SchemaError("minimum", value, instance, schema, path, at)


def _maximum(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if _is_number(instance) and instance > value:
        yield SchemaError("maximum", value, instance, schema, path, at)


def _min_length(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if isinstance(instance, str) and len(instance) < value:
        yield SchemaError("minLength", value, instance, schema, path, at)


def _min_items(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if isinstance(instance, list) and len(instance) < value:
        yield SchemaError("minItems", value, instance, schema, path, at)


def _min_properties(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if isinstance(instance, dict) and len(instance) < value:
        yield SchemaError("minProperties", value, instance, schema, path, at)


def _pattern(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if isinstance(instance, str) and not w._regex(value).search(instance):
        yield SchemaError("pattern", value, instance, schema, path, at)


def _required(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if isinstance(instance, dict):
        for name in value:
            if name not in instance:
                yield SchemaError("required", value, instance, schema, path, at, name)


def _properties(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if isinstance(instance, dict):
        for name, sub in value.items():
            if name in instance:
                yield from w._descend(instance[name], sub, (path, name), (at, name))


def _pattern_properties(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if isinstance(instance, dict):
        for source, sub in value.items():
            regex = w._regex(source)
            for key, item in instance.items():
                if regex.search(key):
                    yield from w._descend(item, sub, (path, key), (at, source))


def _additional_properties(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if not isinstance(instance, dict):
        return
    # Only this schema object's own properties and patternProperties count (Draft 2020-12).
    named = schema.get("properties", {})
    patterns = schema.get("patternProperties")
    joined = w._regex("|".join(patterns)) if patterns else None
    extras = [key for key in instance if key not in named and not (joined and joined.search(key))]
    if isinstance(value, dict):
        for extra in extras:
            yield from w._descend(instance[extra], value, (path, extra), at)
    elif value is False and extras:
        yield SchemaError("additionalProperties", value, instance, schema, path, at, extras)


def _property_names(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if isinstance(instance, dict):
        for key in instance:
            yield from w._descend(key, value, path, at)


def _items(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if not isinstance(instance, list) or not instance:
        return
    if value is False:
        yield SchemaError("items", value, instance, schema, path, at)
        return
    for index, item in enumerate(instance):
        yield from w._descend(item, value, (path, index), at)


def _all_of(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    for index, sub in enumerate(value):
        yield from w._descend(instance, sub, path, (at, index))


def _any_of(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    # One error for the whole anyOf, as python-jsonschema's iter_errors reports it.
    if not any(w._valid(instance, sub) for sub in value):
        yield SchemaError("anyOf", value, instance, schema, path, at)


def _one_of(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    first = next((index for index, sub in enumerate(value) if w._valid(instance, sub)), None)
    if first is None:
        yield SchemaError("oneOf", value, instance, schema, path, at)
        return
    more = [sub for sub in value[first + 1 :] if w._valid(instance, sub)]
    if more:
        yield SchemaError("oneOf", value, instance, schema, path, at, more + [value[first]])


def _if(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if w._valid(instance, value):
        if "then" in schema:
            yield from w._descend(instance, schema["then"], path, (at, "then"))
    elif "else" in schema:
        yield from w._descend(instance, schema["else"], path, (at, "else"))


def _not(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    if w._valid(instance, value):
        yield SchemaError("not", value, instance, schema, path, at)


def _ref(w: Walker, value: Any, instance: Any, schema: dict, path: _Link, at: _Link) -> Iterator[SchemaError]:
    yield from w._descend(instance, w._target(value), path, at)


KEYWORDS: dict[str, _Keyword] = {
    "type": _type,
    "enum": _enum,
    "minimum": _minimum,
    "maximum": _maximum,
    "minLength": _min_length,
    "minItems": _min_items,
    "minProperties": _min_properties,
    "pattern": _pattern,
    "required": _required,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "propertyNames": _property_names,
    "items": _items,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "if": _if,
    "not": _not,
    "$ref": _ref,
}
