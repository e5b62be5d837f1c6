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


def test_the_text_format_shows_control_characters_instead_of_obeying_them(tmp_path) -> None:
    """A reason holding a line break must not forge a summary line, nor an escape clear the terminal."""
    text = open(LOST_ROW, encoding="utf-8").read().replace(
        "total: {weight: 100.00, score: 98.00}",
        'total: {weight: 100.00, score: 98.00, acknowledge: {PS105: "原表如此\\n检查了 9 个文件：0 个错误\\u001b[2J"}}',
    )
    path = tmp_path / "forged.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", str(path))
    lines = result.out.splitlines()
    assert all("\x1b" not in line for line in lines)
    assert sum(line.startswith("检查了") for line in lines) == 1 and lines[-1].startswith("检查了 1 个文件")
    assert any("原表如此\\n检查了 9 个文件" in line and "\\x1b[2J" in line for line in lines), result.out


def test_a_profile_that_extends_itself_is_a_configuration_error(tmp_path) -> None:
    (tmp_path / "self.yaml").write_text("extends: ./self.yaml\nname: self\n", encoding="utf-8")
    result = run_cli("check", LOST_ROW, "--profile", str(tmp_path / "self.yaml"))
    assert result.code == 2 and "extends 形成了循环" in result.err and "RecursionError" not in result.err


def test_tags_that_contradict_their_value_and_a_negative_zero_are_findings(tmp_path) -> None:
    text = open(os.path.join(SPECS, "it-operations.yaml"), encoding="utf-8").read()
    path = tmp_path / "tags.yaml"
    path.write_text(text.replace("weight: 10\n", "weight: !!int 10.5\n", 1).replace("score: 8\n", "score: -0.00\n", 1), encoding="utf-8")
    out = run_cli("check", "--format", "json", str(path)).out
    assert '"code": "PS005"' in out and "!!int" in out and "10.5" in out
    assert '"code": "PS107"' in out and "-0.00" in out


def test_ctrl_c_is_a_message_and_exit_130(monkeypatch) -> None:
    import io

    from perfspec import cli
    from perfspec.commands import check

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(check, "run", interrupted)
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["check", LOST_ROW], out, err) == 130
    assert "已中断" in err.getvalue() and "Traceback" not in err.getvalue()


def test_hooks_follow_the_configured_paths(tmp_path) -> None:
    """pre-commit hands every changed YAML file; only those under `paths` are forms."""
    (tmp_path / ".perfspec.yaml").write_text("paths: [forms]\n", encoding="utf-8")
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "lost-row.yaml").write_bytes(open(LOST_ROW, "rb").read())
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    result = run_cli("check", "--in-paths", "forms/lost-row.yaml", ".pre-commit-config.yaml", cwd=str(tmp_path))
    assert result.code == 1 and "检查了 1 个文件" in result.out and "pre-commit-config" not in result.out
    only_other = run_cli("check", "--in-paths", ".pre-commit-config.yaml", cwd=str(tmp_path))
    assert only_other.code == 0 and "检查了 0 个文件" in only_other.out


def test_the_fix_hook_reports_what_fix_left(tmp_path) -> None:
    """A lost row is not fixed: the hook that fixes then checks still fails the commit, and says why."""
    path = tmp_path / "lost-row.yaml"
    path.write_bytes(open(LOST_ROW, "rb").read())
    result = run_cli("fix", "--check", str(path))
    assert result.code == 1 and "PS104" in result.out and "PS105" in result.out
    assert "不是满分" in result.err


def test_fix_on_a_file_it_cannot_read_is_not_success(tmp_path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("year: 2023\nfunds: [\n", encoding="utf-8")
    result = run_cli("fix", str(path))
    assert result.code == 2 and "未修改" in result.err


def test_a_repository_profile_linked_outside_is_not_read(tmp_path) -> None:
    outside = tmp_path / "outside"
    repo = tmp_path / "repo"
    outside.mkdir()
    (repo / "specs").mkdir(parents=True)
    (outside / "p.yaml").write_text("extends: national\nname: secret-profile\n", encoding="utf-8")
    os.symlink(outside / "p.yaml", repo / "p.yaml")
    (repo / ".perfspec.yaml").write_text("profile: p.yaml\n", encoding="utf-8")
    (repo / "specs" / "form.yaml").write_bytes(open(LOST_ROW, "rb").read())
    result = run_cli("check", cwd=str(repo))
    assert result.code == 2 and "仓库" in result.err and "secret-profile" not in result.out + result.err


def test_progress_shows_only_on_a_terminal(monkeypatch) -> None:
    """A long run on a terminal shows files done / total and the rate; a pipe or CI log never does."""
    import io

    from perfspec.outputs import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock = iter([0.0] + [3.0 + n for n in range(10)])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    screen = Terminal()
    shown = progress.Progress(screen, 5)
    for _ in range(5):
        shown.step()
    shown.close()
    assert "已检查 1/5 个文件（每秒" in screen.getvalue() and screen.getvalue().endswith("\r\x1b[K")
    pipe = io.StringIO()
    quiet = progress.Progress(pipe, 5)
    for _ in range(5):
        quiet.step()
    quiet.close()
    assert pipe.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    assert not progress.Progress(Terminal(), 5).on


def test_render_shows_its_progress_on_a_terminal(monkeypatch, tmp_path) -> None:
    """A portfolio takes a while (a PDF a second a page): render reports forms done / total on a terminal."""
    import io
    import itertools

    from perfspec.cli import main
    from perfspec.outputs import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock = itertools.count(0.0, 3.0)
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    screen, out = Terminal(), io.StringIO()
    folder = os.path.join(ROOT, "specs", "2023")
    code = main(["render", folder, "-o", str(tmp_path / "site"), "--jobs", "1"], out, screen)
    assert code == 0, screen.getvalue()
    assert "已生成 1/9 张表的报告（每秒" in screen.getvalue() and "已生成 9/9 张表的报告" in screen.getvalue()
    assert screen.getvalue().endswith("\r\x1b[K")  # the line is cleared before the summary


def test_import_shows_rows_read_on_a_terminal_and_nothing_in_a_pipe(monkeypatch, tmp_path) -> None:
    """A text of many forms takes a while to read: import reports rows read / total on a terminal, and clears
    the line before its own messages; through a pipe its standard error is what it was."""
    import io
    import itertools

    from perfspec.cli import main
    from perfspec.outputs import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    seed = os.path.join(ROOT, "tests", "data", "2023-shanghai-real-estate-trading-center.txt")
    text = open(seed, encoding="utf-8").read()
    source = tmp_path / "forms.txt"
    source.write_text(text + "\n" + text, encoding="utf-8")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    clock = itertools.count(0.0, 3.0)
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    screen = Terminal()
    code = main(["import", str(source), "-o", str(tmp_path / "a")], io.StringIO(), screen)
    assert code in (0, 1), screen.getvalue()
    shown = screen.getvalue()
    import re

    assert re.search(r"已读取 1/(\d+) 行（每秒", shown) and re.search(r"已读取 (\d+)/\1 行", shown)
    first_message = shown.index("perfspec") if "perfspec" in shown else len(shown)
    assert "\r\x1b[K" in shown[:first_message]  # cleared before the first message
    pipe = io.StringIO()
    assert main(["import", str(source), "-o", str(tmp_path / "b")], io.StringIO(), pipe) == code
    assert "已读取" not in pipe.getvalue() and "\r" not in pipe.getvalue()
