"""What a plain YAML scalar is, by the YAML 1.2 core rules perfspec reads forms with.

One home for both readers of a form (loader's node builder and plain_block's line reader):
`no`, `on` or `NO` stay text; numbers keep the digits as written (an int, or a Decimal).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_EXPONENT = 15  # larger numbers are typos and would overflow the decimal context

INT = re.compile(r"[-+]?[0-9]+\Z")
NUMBER_STARTS = frozenset("+-.0123456789")
FLOAT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
NULLS = frozenset(("", "~", "null", "Null", "NULL"))
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class OutOfRange(ValueError):
    """A number the loader reports instead of reading (see MAX_EXPONENT)."""


# A plain decimal of this many characters or fewer lies within MAX_EXPONENT either way.
_SHORT = MAX_EXPONENT + 1


def number_value(text: str, integer: bool) -> int | Decimal:
    """`text` as an int (`integer`: it matched INT) or a Decimal, as written."""
    if len(text) <= _SHORT and (integer or "e" not in text and "E" not in text):
        return int(text) if integer else Decimal(text)  # nearly every number a form holds
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regexes admit only valid literals
        return text  # type: ignore[return-value]
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        raise OutOfRange(text)
    return int(text) if integer else value


# The numbers forms repeat ("0.00", "100.00", "10"...), each text read once: ints and Decimals are
# immutable, so one value serves every form that writes the same digits.
_NUMBERS: dict[str, int | Decimal] = {}
_NUMBERS_KEPT = 4096


def plain_value(text: str) -> Any:
    """A plain scalar's value: null, a boolean, a number as written, or the text."""
    if text in NULLS:
        return None
    if text in BOOLS:
        return BOOLS[text]
    if text[0] in NUMBER_STARTS:
        found = _NUMBERS.get(text)
        if found is not None:
            return found
        if INT.match(text):
            found = number_value(text, True)
        elif FLOAT.match(text):
            found = number_value(text, False)
        else:
            return text
        if len(_NUMBERS) >= _NUMBERS_KEPT:
            _NUMBERS.clear()
        _NUMBERS[text] = found
        return found
    return text
