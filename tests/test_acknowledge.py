from __future__ import annotations

import os

from conftest import ROOT, run_cli

REFERENCE = os.path.join(ROOT, "specs", "2023", "it-operations.yaml")
DEDUCTED = "        score: 8\n"


def spec_with(tmp_path, old: str, new: str, name: str = "acked.yaml") -> str:
    text = open(REFERENCE, encoding="utf-8").read()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


def test_acknowledged_finding_no_longer_fails_but_is_listed(tmp_path) -> None:
    path = spec_with(tmp_path, DEDUCTED, DEDUCTED + "        acknowledge:\n          PS201: 已公开发布的表格原文如此，无法更改\n")
    result = run_cli("check", path)
    assert result.code == 0, result.out
    (line,) = [l for l in result.out.splitlines() if " PS201 " in l]
    assert "[已确认：已公开发布的表格原文如此，无法更改]" in line
    assert "1 条已确认" in result.out


def test_acknowledgement_without_reason_is_an_error(tmp_path) -> None:
    path = spec_with(tmp_path, DEDUCTED, DEDUCTED + "        acknowledge:\n          PS201: '  '\n")
    result = run_cli("check", path)
    assert result.code == 1 and " PS901 " in result.out and "已确认" not in result.out.splitlines()[0]


def test_acknowledgement_is_local_to_its_indicator(tmp_path) -> None:
    # Written on another indicator, it silences nothing and is itself reported as unused.
    old = "        weight: 15\n        score: 15\n"
    path = spec_with(tmp_path, old, old + "        acknowledge:\n          PS201: 原表如此\n")
    result = run_cli("check", path)
    assert result.code == 1 and " PS902 " in result.out
    assert [l for l in result.out.splitlines() if " PS201 " in l and "已确认" not in l]


def test_unused_acknowledgement_of_a_deselected_rule_is_not_reported(tmp_path) -> None:
    path = spec_with(tmp_path, DEDUCTED, DEDUCTED + "        acknowledge:\n          PS401: 原表如此\n")
    assert " PS902 " in run_cli("check", path).out
    assert " PS902 " not in run_cli("check", "--ignore", "PS4", path).out
