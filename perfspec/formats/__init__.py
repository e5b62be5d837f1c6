"""Output formats of `perfspec check`: one module per format, each with `write(report, out)`."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, TextIO

from perfspec.diagnostics import Finding

# name -> module; the module defines write(report: Report, out: TextIO) -> None
FORMATS = {
    "text": "perfspec.formats.text",
    "json": "perfspec.formats.json",
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
