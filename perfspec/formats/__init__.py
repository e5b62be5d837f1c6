"""Output formats of `perfspec check`: one module per format, each with `write(report, out)`."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Callable, TextIO

from perfspec.diagnostics import Finding

# Discovered: a format is a module here defining write(report: Report, out: TextIO) -> None.
# Its file name is the --format value; modules starting with "_" are helpers.
_HERE = os.path.dirname(__file__)
_FIRST = ("text", "json")
FORMATS = {
    name: f"perfspec.formats.{name}"
    for name in sorted(
        (n[:-3] for n in os.listdir(_HERE) if n.endswith(".py") and not n.startswith("_")),
        key=lambda n: (_FIRST.index(n) if n in _FIRST else len(_FIRST), n),
    )
}


@dataclass
class Report:
    """What one `perfspec check` run found, for every format to write."""

    files: list[str]  # every file checked, in order (including those with no findings)
    findings: list[Finding]
    lang: str = "zh"
    profile: str = ""
    version: str = ""
    rules: dict[str, object] = field(default_factory=dict)  # code -> perfspec.rules.base.Rule
    unreadable: dict[str, str] = field(default_factory=dict)  # file -> message


def writer(name: str) -> Callable[[Report, TextIO], None]:
    return importlib.import_module(FORMATS[name]).write  # type: ignore[no-any-return]
