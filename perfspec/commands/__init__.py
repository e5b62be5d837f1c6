"""Subcommands: one module each, defining HELP, add_arguments(parser) and run(args, out, err) -> int.

Modules are discovered, so a new command is a new file; module-level imports
must stay light (heavy ones go inside `run`), since building the parser
imports every command module.
"""

from __future__ import annotations

import os

_FIRST = ("check", "fix", "diff", "render", "rules", "schema")


def _discover() -> tuple[str, ...]:
    here = os.path.dirname(__file__)
    names = [n[:-3] for n in os.listdir(here) if n.endswith(".py") and not n.startswith("_")]
    return tuple(sorted(names, key=lambda n: (_FIRST.index(n) if n in _FIRST else len(_FIRST), n)))


COMMANDS = _discover()
