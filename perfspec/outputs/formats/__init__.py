"""Output formats of `perfspec check`: one module per format, each with `write(report, out)`."""

from __future__ import annotations

import importlib
import os
from typing import Callable, TextIO

from perfspec.diagnostics import Finding

# Discovered: a format is a module here defining write(report: Report, out: TextIO) -> None.
# Its file name is the --format value; modules starting with "_" are helpers.
_HERE = os.path.dirname(__file__)
_FIRST = ("text", "json")
FORMATS = {
    name: f"perfspec.outputs.formats.{name}"
    for name in sorted(
        (n[:-3] for n in os.listdir(_HERE) if n.endswith(".py") and not n.startswith("_")),
        key=lambda n: (_FIRST.index(n) if n in _FIRST else len(_FIRST), n),
    )
}


class Report:
    """What one `perfspec check` run found, for every format to write."""

    def __init__(
        self,
        files: list[str],
        findings: list[Finding],
        lang: str = "zh",
        profile: str = "",
        version: str = "",
        rules: dict[str, object] | None = None,
        unreadable: dict[str, str] | None = None,
    ) -> None:
        self.files = files  # every file checked, in order (including those with no findings)
        self.findings = findings
        self.lang = lang
        self.profile = profile
        self.version = version
        self.rules = rules if rules is not None else {}  # code -> perfspec.check.rules.base.Rule
        self.unreadable = unreadable if unreadable is not None else {}  # file -> message


def writer(name: str) -> Callable[[Report, TextIO], None]:
    return importlib.import_module(FORMATS[name]).write  # type: ignore[no-any-return]
