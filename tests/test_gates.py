"""Gates fail closed: a selection that checks nothing, or a typo in it, is a usage error (exit 2),
never a silent "0 errors"; a closed output pipe does not turn errors into success."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

SPECS = os.path.join(ROOT, "specs", "2023")
LOST_ROW = os.path.join(SPECS, "online-housing-transactions.yaml")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--select", "ps2"], "是不是 PS2"),  # lower case: a typo, not "no rule"
        (["--select", "XX"], "不是任何规则代码的前缀"),
        (["--select", "PS2", "--ignore", "PS9X"], "“PS9X”不是任何规则代码的前缀"),
        (["--ignore", "PS"], "没有留下任何规则"),  # a tie goes to ignore
        (["--select", "PS1", "--ignore", "PS1"], "没有留下任何规则"),
    ],
)
def test_a_selection_that_checks_nothing_is_a_usage_error(argv: list[str], says: str) -> None:
    result = run_cli("check", LOST_ROW, *argv)
    assert result.code == 2 and says in result.err, result.err
    assert result.out == ""


def test_a_tie_goes_to_ignore(tmp_path) -> None:
    result = run_cli("check", LOST_ROW, "--select", "PS,PS1", "--ignore", "PS1", "--format", "json")
    assert result.code == 0 and '"PS10' not in result.out  # PS104/PS105 ignored, nothing else fails


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ("select: []\n", "select 为空"),
        ("select: [PS, '']\n", "空白的项"),
        ("select: [PS, ' ']\n", "空白的项"),
        ("ignore: ['']\n", "空白的项"),
        ("select: [PS2]\nignore: [PS2]\n", "没有留下任何规则"),
        ("select: [pS]\n", "是不是 PS"),
    ],
)
def test_a_configuration_that_checks_nothing_is_refused(tmp_path, config: str, says: str) -> None:
    (tmp_path / ".perfspec.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "form.yaml").write_bytes(open(LOST_ROW, "rb").read())
    result = run_cli("check", cwd=str(tmp_path))
    assert result.code == 2 and says in result.err, result.err


def test_a_closed_pipe_keeps_the_verdict(tmp_path) -> None:
    """`perfspec check specs | head -1` must still exit 1 when errors were found."""
    text = open(LOST_ROW, "rb").read()
    for n in range(400):  # more report than a pipe buffers, so the writer meets the closed pipe
        (tmp_path / f"form-{n:03d}.yaml").write_bytes(text)
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfspec", "check", str(tmp_path), "--profile", "shanghai", "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader leaves after one line
    err = proc.stderr.read()
    code = proc.wait(timeout=60)
    assert first and code == 1, (code, err)
    assert b"Traceback" not in err and b"BrokenPipe" not in err
