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


@pytest.fixture
def cli():
    return run_cli
