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
from perfspec.check.engine import Engine, Options
from perfspec.profile import load_profile
from perfspec.check.rules import all_rules
from perfspec.stages import CODES as STAGE_CODES

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


# PS009 reports a rule that crashed: no valid file can make a correct rule crash, so it is
# tested by breaking a rule on purpose (test_a_failing_rule_is_isolated).
# PS015 compares forms with each other: one fixture file alone can never hold a duplicate
# (its cross-file cases are in tests/test_init.py). The same holds for the cross-stage and
# year-over-year rules of perfspec/stages.py (PS601–PS604, PS701–PS704), and for PS605, which compares
# the versions of a form in git (perfspec diff --budget-tag): tests/test_stages.py.
@pytest.mark.parametrize("code", [r.code for r in all_rules() if r.code not in ("PS009", "PS015", "PS605") + STAGE_CODES])
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


def test_a_failing_rule_is_isolated(monkeypatch) -> None:
    eng = Engine(Options(profile=load_profile("national")))
    broken = next(r for r in eng.checks if r.code == "PS402")

    def explode(ctx: object) -> None:
        raise ArithmeticError("boom")

    eng.checks[eng.checks.index(broken)] = broken._replace(check=explode)
    path = os.path.join(os.path.dirname(RULE_CASES), "..", "..", "specs", "2023", "it-operations.yaml")
    findings = eng.check_file(path).findings
    failure = [f for f in findings if f.code == "PS009"]
    assert len(failure) == 1 and "PS402" in failure[0].message and failure[0].severity == "error"
    assert any(f.code == "PS201" for f in findings)  # the other rules still ran


def test_unloadable_file_fails_whatever_is_selected(tmp_path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("funds: [1, 2\n", encoding="utf-8")
    eng = Engine(Options(profile=load_profile("national"), select=["PS201"]))
    findings = eng.check_file(str(bad)).findings
    assert [f.code for f in findings] == ["PS001"] and findings[0].fails


def test_readme_rule_table_covers_every_rule() -> None:
    """The README's rule table names every code's family, so a new rule cannot be left out of it."""
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    ranges = [
        (int(m.group(1)), int(m.group(2) or m.group(1)))
        for m in re.finditer(r"^\| PS(\d{3})(?:–PS(\d{3}))? \|", readme, re.M)
    ]
    missing = [r.code for r in all_rules() if not any(lo <= int(r.code[2:]) <= hi for lo, hi in ranges)]
    assert not missing, f"README's rule table does not cover {missing}"


def test_layout_cells_knows_every_cell_a_shipped_layout_prints() -> None:
    """PS012's list of header, signature and section cells is every such cell of the shipped layouts."""
    from perfspec.check.rules.layout_cells import CELL_KEYS
    from perfspec.form.layout import builtin_layouts, load_layout

    printed = set()
    for name in builtin_layouts():
        layout = load_layout(name)
        printed |= {f.key for f in layout.header + layout.signatures + layout.sections}
    assert set(CELL_KEYS) == printed - {"year", "project"}



def test_the_index_of_rules_without_a_check_is_current() -> None:
    # A stale index would run with old metadata, or skip a check a module has since gained.
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
    import generate_rule_index

    with open(generate_rule_index.TARGET, encoding="utf-8") as handle:
        assert handle.read() == generate_rule_index.generate(), "run: python scripts/generate_rule_index.py"


def test_a_rule_known_from_the_index_reads_its_documentation_from_its_module() -> None:
    import importlib

    for rule in all_rules():
        module = importlib.import_module(f"perfspec.check.rules.{rule.module}")
        assert rule.doc == (module.__doc__ or "").strip() and rule.code == module.CODE, rule.code
        assert (rule.check is None) == (not hasattr(module, "check")), rule.code
