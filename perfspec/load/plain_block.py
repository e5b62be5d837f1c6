"""A reader for the one-line-per-value YAML that forms are written in, exact or silent.

Nearly every form is block mappings and sequences of `key: value` lines, each
value on its own line (plain, quoted, or a one-line `{a: 1, b: 2}`), and
comments. Composing such a file with libyaml builds a node and two marks for
every value and then perfspec builds the values from the nodes: over half of
checking a clean form. This module reads that subset straight into the same
values, line by line.

It is a fast path, not a second YAML parser: `read` returns the values only
when the whole text lies inside the subset and the values are exactly what
the full loader would build without a single finding. On anything else (an
anchor, a tag, a block scalar, a continued line, an escape, a duplicate key, a
number out of range, a tab, a limit approached...) it returns None and the
caller composes the file as before, so every message and position is the full
loader's. `tests/test_load_plain_block.py` holds both to the same values on
every YAML file of the repository and on thousands of damaged copies.
"""

from __future__ import annotations

import re
from typing import Any

from perfspec.load.scalars import BOOLS, NULLS, NUMBER_STARTS, plain_value

MAX_KEY = 200  # longer keys get the full loader's limits and messages
MAX_LEVELS = 60  # below the full loader's MAX_DEPTH

# Characters that make a text something other than plain lines: tab, CR and the rarer YAML
# breaks, the BOM, and what libyaml refuses as non-printable. The Latin ones are in no character
# class below, so a line holding one (comments included) matches nothing and the text goes to the
# full loader; the five others are looked for first (in the classes they cost ~2 ms of compiling
# on every start).
_BAD = "\x00-\x09\x0b-\x1f\x7f-\x9f"
_ANY = "[^\n%s]" % _BAD  # what `.` would be
# `key:` or `key: rest`. A key starts with no indicator and holds no `:` or `#` (a `:` not
# followed by a space would be part of a plain key: left to the full loader).
# The key is at most MAX_KEY characters and does not end in a space; "..." may start a document end
# marker; a value that is only a comment is no value (its group is empty).
_ENTRY = r"(?!\.\.\.)([^\s#'\"\[\]{},&*!|>%%@`?:\-%s][^:#\n%s]{0,%d})(?<! ):(?:| +#%s*| +(%s*))" % (
    _BAD, _BAD, MAX_KEY - 1, _ANY, _ANY
)
# Every line of a text of plain lines, in one pass of the regex engine: the indentation, then a
# `- ` item marker holding an entry or a scalar, or an entry, or nothing but a comment. A line that
# is none of these does not match at all, so the matches are fewer than the lines.
_LINE = re.compile(r"^( *)(?:(- +)(?:%s|([^# \n%s]%s*))|%s|(?:#%s*)?)$" % (_ENTRY, _BAD, _ANY, _ENTRY, _ANY), re.MULTILINE)
# An entry of a one-line flow collection: plain keys and values only (no bracket, comma, colon, quote or
# comment inside); anything richer goes to the full loader.
_FLOW_PLAIN = r"[^\s,\[\]{}:#'\"&*!|>%@`?\-][^,\[\]{}:#'\"]*"
_FLOW_ENTRY = re.compile(r" *(%s): +(%s)" % (_FLOW_PLAIN, _FLOW_PLAIN))
_FLOW_ITEM = re.compile(r" *(%s)" % _FLOW_PLAIN)
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
# Plain values may not start with an indicator (a `-` or `?` may, before a non-space, but
# then they are rare enough to leave to the full loader).
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>%@`'\"")


# (indent, key or None for a "- " item, the value's text or None, line number from 0). The value's text
# runs to the end of its line, comment included: its column is the line's length less its own.
Line = tuple[int, "str | None", "str | None", int]


class _Outside(Exception):
    """The text leaves the subset: the full loader reads it."""


def _comment_or_end(rest: str) -> bool:
    """Whether what follows a closed scalar is nothing, or spaces and a comment."""
    if not rest.strip(" "):
        return True
    return rest[0] == " " and rest.lstrip(" ")[0] == "#"


class _Reader:
    __slots__ = ("lines", "at", "deepest")

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.at = 0
        self.deepest = 0  # levels of collections, for the bound on the paths' length (read)

    def block(self, indent: int, depth: int) -> Any:
        if depth > MAX_LEVELS:
            raise _Outside
        if depth > self.deepest:
            self.deepest = depth
        if self.lines[self.at][1] is None:
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int) -> dict[str, Any]:
        lines, out, scalar = self.lines, {}, self.scalar
        end = len(lines)
        at = self.at
        while at < end:
            line_indent, key, rest, _ = lines[at]
            if line_indent != indent:
                break
            if key is None or key in out:
                raise _Outside  # an item where a key belongs; a duplicate (the full loader says where)
            at += 1
            if rest:
                first = rest[0]
                if first not in _NOT_PLAIN_START and " #" not in rest and ":" not in rest:
                    # The common cases inline: a plain scalar, no comment; text unless it reads as a
                    # number, null or boolean.
                    text = rest.rstrip(" ")
                    if first in NUMBER_STARTS or text in NULLS or text in BOOLS:
                        out[key] = plain_value(text)
                    else:
                        out[key] = text
                else:
                    out[key] = scalar(rest)
                if at < end and lines[at][0] > indent:
                    raise _Outside  # a continued plain scalar, or a misplaced line
                continue
            if at < end:
                below = lines[at][0]
                if below > indent:
                    self.at = at
                    out[key] = self.block(below, depth + 1)
                    at = self.at
                    continue
                if below == indent and lines[at][1] is None:
                    self.at = at
                    out[key] = self.sequence(indent, depth + 1)  # "key:" then "- x" beneath
                    at = self.at
                    continue
            out[key] = None
        self.at = at
        return out

    def sequence(self, indent: int, depth: int) -> list[Any]:
        lines, out = self.lines, []
        end = len(lines)
        if depth > self.deepest:
            self.deepest = depth
        while self.at < end:
            line_indent, key, rest, _ = lines[self.at]
            if line_indent != indent or key is not None:
                break
            self.at += 1
            if rest is None:  # "- key: value": a mapping starting on the item's line
                out.append(self.mapping(lines[self.at][0], depth + 1))
                continue
            out.append(self.scalar(rest))
            if self.at < end and lines[self.at][0] > indent:
                raise _Outside
        return out

    def scalar(self, rest: str) -> Any:
        first = rest[0]
        if first == '"':
            close = rest.find('"', 1)
            if close < 0 or "\\" in rest[:close] or not _comment_or_end(rest[close + 1 :]):
                raise _Outside
            return rest[1:close]
        if first == "'":
            match = _SINGLE.match(rest)
            if match is None or not _comment_or_end(rest[match.end() :]):
                raise _Outside
            return match.group(1).replace("''", "'")
        if first in "{[":
            # No entry holds a bracket or a comma: the first closing bracket ends the collection.
            close = rest.find("}" if first == "{" else "]")
            if close < 0 or not _comment_or_end(rest[close + 1 :]):
                raise _Outside
            body = rest[1:close]
            parts = body.split(",") if body.strip(" ") else []
            # Each entry matched whole, without the spaces around it (a pattern admits them only there).
            if first == "[":
                items = []
                for part in parts:
                    match = _FLOW_ITEM.fullmatch(part)
                    if match is None:
                        raise _Outside
                    items.append(plain_value(match.group(1).rstrip(" ")))
                return items
            out: dict[str, Any] = {}
            for part in parts:
                match = _FLOW_ENTRY.fullmatch(part)
                if match is None:
                    raise _Outside
                key, value = match.groups()
                key = key.rstrip(" ")
                if key in out or len(key) > MAX_KEY:
                    raise _Outside
                out[key] = plain_value(value.rstrip(" "))
            return out
        if first in _NOT_PLAIN_START:
            raise _Outside
        comment = rest.find(" #")
        text = (rest if comment < 0 else rest[:comment]).rstrip(" ")
        if ": " in text or text.endswith(":"):
            raise _Outside  # libyaml's "mapping values are not allowed here"
        return plain_value(text)


def _lines(text: str) -> list[Line]:
    """Each line with content, as a Line; a "- key: value" line is two: the item, then its first entry."""
    found = _LINE.findall(text)
    if len(found) != text.count("\n") + 1:
        raise _Outside  # a line that is no entry, item or comment: a bare scalar, a marker, a quoted key...
    out: list[Line] = []
    append = out.append
    # One match per line, in order: a match's index is its line's.
    for number, (spaces, dash, item_key, item_rest, item, key, rest) in enumerate(found):
        if dash:
            if item_key:  # "- key: value": a mapping starting on the item's line
                append((len(spaces), None, None, number))
                append((len(spaces) + len(dash), item_key, item_rest, number))
            else:
                append((len(spaces), None, item, number))
        elif key:
            append((len(spaces), key, rest, number))
    return out


def read(text: str, max_path_text: int) -> Any:
    """The values of `text`, or None when it is not entirely plain lines (see the module docstring).

    `max_path_text` is the full loader's bound on the total length of the values' paths; a number
    the full loader would report (scalars.OutOfRange, a ValueError) sends the text to it too.
    """
    if "\u2028" in text or "\u2029" in text or "\ufeff" in text or "\ufffe" in text or "\uffff" in text:
        return None
    try:
        lines = _lines(text)
        if not lines or lines[0][0] != 0:
            return None
        reader = _Reader(lines)
        data = reader.block(0, 1)
        if reader.at != len(lines):
            return None  # a line at an indentation no open collection has
        # The full loader stops when the values' paths add up to more than max_path_text characters. A
        # value's path has at most deepest + 1 parts (a flow collection's entries one more than their
        # line), each no longer than a line; a line holds one value, or a flow collection's entries.
        values = 2 * len(lines) + text.count(",")
        if values * (reader.deepest + 2) * (max(map(len, text.split("\n"))) + 2) > max_path_text:
            return None
        return data
    except (_Outside, ValueError):
        return None


# --------------------------------------------------------------------------
# Places: where each value and key of a text `read` accepted is written
# --------------------------------------------------------------------------

Place = tuple[int, int, int, int]  # line, column, end line, end column; from 1, as the loader's Span
Path = tuple["str | int", ...]


class Places:
    """Where the values and keys of `data`, which `read(text)` returned, are written.

    The places are libyaml's marks, so a finding points where it would had the form been composed:
    a scalar from its first character to its last (a quoted one with its quotes, a flow collection
    with its brackets); a block collection from its first entry to the next line with content (or,
    at the end of the text, where libyaml's reading stops); an empty value just after its colon.
    Lines are matched to values in document order, so no indentation is judged a second time. A
    text and values that do not belong together raise ValueError (the caller composes instead).

    `find` walks down to one path, stepping over what lies before it: a form's few findings need a
    few places. `every` places everything, in the loader's reading order.
    """

    __slots__ = ("data", "lines", "raws", "last", "end")

    def __init__(self, text: str, data: Any) -> None:
        self.data = data
        self.lines = _lines(text)
        self.raws = text.split("\n")
        # Where libyaml's reading stops (after the last line, comment and spaces included): block
        # collections indented deeper than that column end there; the others where the stream ends,
        # on a line of its own (after the last line break, or one line below).
        self.last = (text.count("\n") + 1, len(self.raws[-1]) + 1)
        self.end = (self.last[0] + (self.last[1] > 1), 1)

    def find(self, path: Path) -> tuple[Place | None, Place | None]:
        """(the value's place, the key's place) of `path`; None for what is not there (an item has no key)."""
        node, at = self.data, 0
        for depth, part in enumerate(path):
            if isinstance(node, dict) and type(part) is str and part in node:
                for key, value in node.items():
                    indent, written, rest, number = self.lines[at]
                    if written != key:
                        raise ValueError("a key out of place")
                    at += 1
                    if key == part:
                        break
                    if not rest and isinstance(value, (dict, list)):
                        at = self._skip(value, at)
                key_place = _key_place(number, indent, part)
            elif isinstance(node, list) and type(part) is int and 0 <= part < len(node):
                for index in range(part + 1):
                    _, written, rest, number = self.lines[at]
                    if written is not None:
                        raise ValueError("an entry where an item belongs")
                    at += 1
                    if index < part and rest is None:
                        at = self._skip(node[index], at)
                value, key_place = node[part], None
            else:
                return None, None
            last = depth == len(path) - 1
            if rest:  # written on this line: the rest of the path lies inside a flow collection
                places = self._inline(value, number, rest)
                return (places[0][1], key_place) if last else _inside(places, value, path[depth + 1 :])
            if value is None:  # "key:" and nothing (an item is never empty)
                return (_empty_place(number, indent, part), key_place) if last else (None, None)  # type: ignore[arg-type]
            if last:
                start = self._start(at)
                return start + self._end(self._skip(value, at), start[1]), key_place
            node = value
        start = self._start(0)
        return (start + self.end if path == () else None), None

    def every(self) -> tuple[dict[Path, Place], dict[Path, Place]]:
        """(values, keys): every place, in the loader's reading order (a value before what is below it)."""
        values: dict[Path, Place] = {}
        keys: dict[Path, Place] = {}
        if self._block(self.data, (), 0, values, keys) != len(self.lines):
            raise ValueError("lines left over")
        return values, keys

    def _start(self, at: int) -> tuple[int, int]:
        indent, _, _, number = self.lines[at]
        return number + 1, indent + 1

    def _end(self, at: int, column: int) -> tuple[int, int]:
        """Where a block collection at `column` ends when the lines from `at` on lie outside it."""
        if at == len(self.lines):
            return self.last if column > self.last[1] else self.end
        return self._start(at)

    def _skip(self, data: Any, at: int) -> int:
        """The line after the block collection `data`, which starts at line `at`."""
        lines = self.lines
        if isinstance(data, dict):
            for value in data.values():
                rest = lines[at][2]
                at += 1
                if not rest and isinstance(value, (dict, list)):
                    at = self._skip(value, at)
        elif isinstance(data, list):
            for value in data:
                rest = lines[at][2]
                at += 1
                if rest is None:  # "- key: value": the mapping starts on the item's line
                    at = self._skip(value, at)
        else:
            raise ValueError("a block holds a mapping or a list")
        return at

    def _block(self, data: Any, path: Path, at: int, values: dict[Path, Place], keys: dict[Path, Place]) -> int:
        start = self._start(at)
        values[path] = start + start  # a value before what is below it: its place is known after
        lines = self.lines
        if isinstance(data, dict):
            for key, value in data.items():
                indent, written, rest, number = lines[at]
                if written != key:
                    raise ValueError("a key out of place")
                at += 1
                child = path + (key,)
                keys[child] = _key_place(number, indent, key)
                if rest:
                    self._inline_into(value, child, number, rest, values, keys)
                elif value is None:
                    values[child] = _empty_place(number, indent, key)
                else:
                    at = self._block(value, child, at, values, keys)
        elif isinstance(data, list):
            for index, value in enumerate(data):
                _, written, rest, number = lines[at]
                if written is not None:
                    raise ValueError("an entry where an item belongs")
                at += 1
                if rest is None:  # "- key: value": the mapping starts on the item's line
                    at = self._block(value, path + (index,), at, values, keys)
                else:
                    self._inline_into(value, path + (index,), number, rest, values, keys)
        else:
            raise ValueError("a block holds a mapping or a list")
        values[path] = start + self._end(at, start[1])
        return at

    def _inline_into(
        self, value: Any, path: Path, number: int, rest: str, values: dict[Path, Place], keys: dict[Path, Place]
    ) -> None:
        places = self._inline(value, number, rest)
        values[path] = places[0][1]
        if isinstance(value, dict):
            for key, (key_place, value_place) in zip(value, places[1:]):
                keys[path + (key,)] = key_place  # type: ignore[assignment]
                values[path + (key,)] = value_place
        elif isinstance(value, list):
            for index, (_, value_place) in enumerate(places[1:]):
                values[path + (index,)] = value_place

    def _inline(self, value: Any, number: int, rest: str) -> list[tuple[Place | None, Place]]:
        """(None, the value's place), then (key's place or None, value's place) of each flow entry."""
        line = number + 1
        column = len(self.raws[number]) - len(rest) + 1  # the value's text runs to the end of the line
        first = rest[0]
        if first == '"':
            length = rest.find('"', 1) + 1
        elif first == "'":
            match = _SINGLE.match(rest)
            length = match.end() if match is not None else 0
        elif first in "{[":
            length = rest.find("}" if first == "{" else "]") + 1
        else:
            comment = rest.find(" #")
            length = len((rest if comment < 0 else rest[:comment]).rstrip(" "))
        if length <= 0:
            raise ValueError("a value without an end")
        places: list[tuple[Place | None, Place]] = [(None, (line, column, line, column + length))]
        body = rest[1 : length - 1]
        if first not in "{[" or not body.strip(" "):
            return places
        is_mapping = first == "{"
        offset = column + 1  # the body's first character
        for part in body.split(","):
            match = (_FLOW_ENTRY if is_mapping else _FLOW_ITEM).fullmatch(part)
            if match is None:
                raise ValueError("a flow entry out of place")
            at, size = offset + match.start(1), len(match.group(1).rstrip(" "))
            if is_mapping:
                value_at, value_size = offset + match.start(2), len(match.group(2).rstrip(" "))
                places.append(((line, at, line, at + size), (line, value_at, line, value_at + value_size)))
            else:
                places.append((None, (line, at, line, at + size)))
            offset += len(part) + 1
        if len(places) - 1 != len(value):
            raise ValueError("flow entries do not match")
        return places


def _key_place(number: int, indent: int, key: str) -> Place:
    """A block key's place, on line `number` (from 0) at `indent`."""
    return number + 1, indent + 1, number + 1, indent + 1 + len(key)


def _empty_place(number: int, indent: int, key: str) -> Place:
    """An empty value's place: just after its key's colon, as libyaml marks it."""
    colon = indent + len(key) + 2
    return number + 1, colon, number + 1, colon


def _inside(places: list[tuple[Place | None, Place]], value: Any, rest_of_path: Path) -> tuple[Place | None, Place | None]:
    """The places of an entry of a flow collection, whose entries hold no collections."""
    if len(rest_of_path) != 1:
        return None, None
    part = rest_of_path[0]
    if isinstance(value, dict) and type(part) is str and part in value:
        key_place, value_place = places[1 + list(value).index(part)]
        return value_place, key_place
    if isinstance(value, list) and type(part) is int and 0 <= part < len(value):
        return places[1 + part][1], None
    return None, None
