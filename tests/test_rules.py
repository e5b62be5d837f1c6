"""Every rule has passing and failing example files, discovered from folders.

tests/cases/rules/<CODE>/pass/*  must produce no unacknowledged warning or error of <CODE>;
tests/cases/rules/<CODE>/fail/*  must produce at least one. Directives in a
file's leading comments:
    # profile: shanghai          (default: national)
    # expect-lines: 12, 30       (the lines <CODE> must be reported at, exactly)
"""

from __future__ import annotations

import os
import re

import pytest

from conftest import CASES
from perfspec.check import Engine, Options
from perfspec.profile import load_profile
from perfspec.rules import all_rules

RULE_CASES = os.path.join(CASES, "rules")
_ENGINES: dict[str, Engine] = {}


def engine(profile: str) -> Engine:
    if profile not in _ENGINES:
        _ENGINES[profile] = Engine(Options(profile=load_profile(profile)))
    return _ENGINES[profile]


def directives(path: str) -> dict[str, str]:
    with open(path, "rb") as handle:
        head = handle.read(4096)
    found: dict[str, str] = {}
    for line in head.splitlines():
        m = re.match(rb"#\s*(profile|expect-lines):\s*(.*)", line.strip())
        if m:
            found[m.group(1).decode()] = m.group(2).decode("ascii", "replace").strip()
    return found


def cases() -> list[tuple[str, str, str]]:
    out = []
    for code in sorted(os.listdir(RULE_CASES)):
        for kind in ("pass", "fail"):
            folder = os.path.join(RULE_CASES, code, kind)
            if os.path.isdir(folder):
                for name in sorted(os.listdir(folder)):
                    out.append((code, kind, os.path.join(folder, name)))
    return out


@pytest.mark.parametrize("code", [r.code for r in all_rules()])
def test_every_rule_has_passing_and_failing_cases(code: str) -> None:
    for kind in ("pass", "fail"):
        folder = os.path.join(RULE_CASES, code, kind)
        assert os.path.isdir(folder) and os.listdir(folder), f"{code} has no {kind} cases in {folder}"


@pytest.mark.parametrize(
    "code,kind,path", cases(), ids=[f"{c}-{k}-{os.path.basename(p)}" for c, k, p in cases()]
)
def test_rule_case(code: str, kind: str, path: str) -> None:
    opts = directives(path)
    result = engine(opts.get("profile", "national")).check_file(path, os.path.basename(path))
    assert result.io_error is None, result.io_error
    hits = [f for f in result.findings if f.code == code and f.severity != "info" and f.acknowledged is None]
    shown = "\n".join(f"{f.line}:{f.column} {f.code} {f.severity} {f.message}" for f in result.findings)
    if kind == "pass":
        assert not hits, f"{code} reported on a passing case:\n{shown}"
        return
    assert hits, f"{code} not reported on a failing case:\n{shown}"
    if "expect-lines" in opts:
        expected = sorted(int(x) for x in opts["expect-lines"].split(","))
        assert sorted(f.line for f in hits) == expected, shown
