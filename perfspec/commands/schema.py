"""`perfspec schema`: print the JSON Schema (for editors and other validators)."""

from __future__ import annotations

import argparse
from typing import TextIO

HELP = "输出 JSON Schema"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.load.schema_check import schema_path

    with open(schema_path(), encoding="utf-8") as handle:
        out.write(handle.read())
    return 0
