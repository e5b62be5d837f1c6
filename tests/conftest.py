from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "tests", "cases")
sys.path.insert(0, ROOT)

from perfspec.cli import main  # noqa: E402


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str, cwd: str | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        code = main(list(argv), out, err)
    finally:
        os.chdir(old)
    return Run(code, out.getvalue(), err.getvalue())


def flatten(value, path=()):
    """Leaf cells by path: {("funds", "total", "annual"): Decimal("137.21"), ...}."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(flatten(item, path + (key,)))
        return out or {path: {}}
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, path + (index,)))
        return out or {path: []}
    return {path: value}


@pytest.fixture
def cli():
    return run_cli
