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
# breaks, the BOM, and what libyaml refuses as non-printable.
_OUTSIDE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# `key:` or `key: rest`. A key starts with no indicator and holds no `:` or `#` (a `:` not
# followed by a space would be part of a plain key: left to the full loader).
# The key is at most MAX_KEY characters and does not end in a space; "..." may start a document end
# marker; a value that is only a comment is no value (its group is empty).
_ENTRY = r"(?!\.\.\.)([^\s#'\"\[\]{},&*!|>%%@`?:\-][^:#\n]{0,%d})(?<! ):(?:| +#.*| +(.*))" % (MAX_KEY - 1)
# Every line of a text of plain lines, in one pass of the regex engine: the indentation, then a
# `- ` item marker holding an entry or a scalar, or an entry, or nothing but a comment. A line that
# is none of these does not match at all, so the matches are fewer than the lines.
_LINE = re.compile(r"^( *)(?:(- +)(?:%s|([^# ].*))|%s|(?:#.*)?)$" % (_ENTRY, _ENTRY), re.MULTILINE)
# An entry of a one-line flow collection: plain keys and values only (no bracket, comma, colon, quote or
# comment inside); anything richer goes to the full loader.
_FLOW_PLAIN = r"[^\s,\[\]{}:#'\"&*!|>%@`?\-][^,\[\]{}:#'\"]*"
_FLOW_ENTRY = re.compile(r" *(%s): +(%s)" % (_FLOW_PLAIN, _FLOW_PLAIN))
_FLOW_ITEM = re.compile(r" *(%s)" % _FLOW_PLAIN)
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
# Plain values may not start with an indicator (a `-` or `?` may, before a non-space, but
# then they are rare enough to leave to the full loader).
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>%@`'\"")
# First characters of a plain value that is text whatever follows: no indicator, no digit or sign.
_NOT_TEXT_START = _NOT_PLAIN_START | NUMBER_STARTS


class _Outside(Exception):
    """The text leaves the subset: the full loader reads it."""


def _comment_or_end(rest: str) -> bool:
    """Whether what follows a closed scalar is nothing, or spaces and a comment."""
    if not rest.strip(" "):
        return True
    return rest[0] == " " and rest.lstrip(" ")[0] == "#"


class _Reader:
    __slots__ = ("lines", "at", "deepest")

    def __init__(self, lines: list[tuple[int, str | None, str | None]]) -> None:
        self.lines = lines  # (indent, key or None for a "- " item, the value's text or None)
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
            line_indent, key, rest = lines[at]
            if line_indent != indent:
                break
            if key is None or key in out:
                raise _Outside  # an item where a key belongs; a duplicate (the full loader says where)
            at += 1
            if rest:
                first = rest[0]
                if first not in _NOT_TEXT_START and " #" not in rest and ":" not in rest:
                    # The common case inline: plain text, no comment, not a number, null or boolean.
                    text = rest.rstrip(" ")
                    out[key] = text if text not in NULLS and text not in BOOLS else plain_value(text)
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
            line_indent, key, rest = lines[self.at]
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
            if first == "[":
                return [plain_value(_flow(_FLOW_ITEM, part)[0]) for part in parts]
            out: dict[str, Any] = {}
            for part in parts:
                key, value = _flow(_FLOW_ENTRY, part)
                if key in out or len(key) > MAX_KEY:
                    raise _Outside
                out[key] = plain_value(value)
            return out
        if first in _NOT_PLAIN_START:
            raise _Outside
        comment = rest.find(" #")
        text = (rest if comment < 0 else rest[:comment]).rstrip(" ")
        if ": " in text or text.endswith(":"):
            raise _Outside  # libyaml's "mapping values are not allowed here"
        return plain_value(text)


def _flow(pattern: re.Pattern[str], part: str) -> tuple[str, ...]:
    """The key and value (or the item) of one entry of a flow collection, without the spaces around them."""
    match = pattern.fullmatch(part)
    if match is None:
        raise _Outside
    return tuple(group.rstrip(" ") for group in match.groups())


def _lines(text: str) -> list[tuple[int, str | None, str | None]]:
    """(indent, key or None for a "- " item, the value's text or None) of each line with content."""
    found = _LINE.findall(text)
    if len(found) != text.count("\n") + 1:
        raise _Outside  # a line that is no entry, item or comment: a bare scalar, a marker, a quoted key...
    out: list[tuple[int, str | None, str | None]] = []
    append = out.append
    for spaces, dash, item_key, item_rest, item, key, rest in found:
        if dash:
            if item_key:  # "- key: value": a mapping starting on the item's line
                append((len(spaces), None, None))
                append((len(spaces) + len(dash), item_key, item_rest))
            else:
                append((len(spaces), None, item))
        elif key:
            append((len(spaces), key, rest))
    return out


def read(text: str, max_path_text: int) -> Any:
    """The values of `text`, or None when it is not entirely plain lines (see the module docstring).

    `max_path_text` is the full loader's bound on the total length of the values' paths; a number
    the full loader would report (scalars.OutOfRange, a ValueError) sends the text to it too.
    """
    if _OUTSIDE.search(text):
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
