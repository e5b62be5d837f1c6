from __future__ import annotations

import json
import os
import re
import shutil

from conftest import ROOT, run_cli
from perfspec.check.rules import all_rules

REFERENCE = os.path.join(ROOT, "specs", "2023", "it-operations.yaml")
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>PS\d{3}) (?P<sev>error|warning|info) .+$")


def test_text_output_is_compiler_style_with_a_summary() -> None:
    result = run_cli("check", REFERENCE)
    assert result.code == 1
    *lines, summary = result.out.strip().splitlines()
    assert lines and all(LINE.match(line) for line in lines), lines
    assert summary.startswith("检查了 1 个文件") and "1 个错误" in summary


def test_english_messages() -> None:
    result = run_cli("check", "--lang", "en", REFERENCE)
    assert "deviation note" in result.out and result.out.strip().splitlines()[-1].startswith("1 file checked: 1 error,")
    assert not re.search(r"[\u4e00-\u9fff]{6,}扣了", result.out)


def test_json_output_fields() -> None:
    result = run_cli("check", "--format", "json", REFERENCE)
    data = json.loads(result.out)
    assert data["profile"] == "shanghai" and data["files"] == 1
    for finding in data["findings"]:
        for key in ("file", "line", "column", "code", "severity", "message", "path"):
            assert key in finding
        assert finding["line"] >= 1 and finding["severity"] in ("error", "warning", "info")


def test_select_and_ignore_by_longest_prefix() -> None:
    base = run_cli("check", "--format", "json", REFERENCE)
    codes = {f["code"] for f in json.loads(base.out)["findings"]}
    assert {"PS201", "PS303"} <= codes
    ignored = run_cli("check", "--ignore", "PS2", REFERENCE)
    assert ignored.code == 0 and " PS201 " not in ignored.out
    reselected = run_cli("check", "--ignore", "PS2", "--select", "PS,PS201", REFERENCE)
    assert reselected.code == 1 and " PS201 " in reselected.out
    only = run_cli("check", "--select", "PS3", REFERENCE)
    assert only.code == 0 and " PS303 " in only.out and " PS201 " not in only.out


def test_profile_changes_the_rounding(tmp_path) -> None:
    text = open(REFERENCE, encoding="utf-8").read()
    # 136.70 ÷ 137.21 = 99.628…: half-up gives 99.63, which only national accepts.
    path = tmp_path / "rounded.yaml"
    path.write_text(text.replace("rate: 99.62", "rate: 99.63"), encoding="utf-8")
    assert " PS102 " in run_cli("check", "--profile", "shanghai", str(path)).out
    assert " PS102 " not in run_cli("check", "--profile", "national", str(path)).out
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("rate: 99.62", "rate: 99.72"), encoding="utf-8")
    out = run_cli("check", str(wrong)).out
    assert "执行率应为 99.62（136.70 ÷ 137.21 = 99.628…，截断两位），表中为 99.72" in out


def test_repository_config_is_found_from_a_subfolder(tmp_path) -> None:
    (tmp_path / ".perfspec.yaml").write_text("profile: national\nignore: [PS2]\npaths: [specs]\n", encoding="utf-8")
    (tmp_path / "specs").mkdir()
    shutil.copy(REFERENCE, tmp_path / "specs" / "it-operations.yaml")
    (tmp_path / "sub").mkdir()
    result = run_cli("check", "--format", "json", cwd=str(tmp_path / "sub"))
    data = json.loads(result.out)
    assert data["profile"] == "national" and data["files"] == 1
    assert result.code == 0 and "PS201" not in {f["code"] for f in data["findings"]}


def test_bad_config_and_unknown_profile_are_usage_errors(tmp_path) -> None:
    (tmp_path / ".perfspec.yaml").write_text("profil: national\n", encoding="utf-8")
    result = run_cli("check", REFERENCE, cwd=str(tmp_path))
    assert result.code == 2 and "profil" in result.err and ".perfspec.yaml" in result.err
    unknown = run_cli("check", "--profile", "guangxi", REFERENCE)
    assert unknown.code == 2 and "guangxi" in unknown.err and "national" in unknown.err


def test_usage_errors_exit_2() -> None:
    assert run_cli("check", "--format", "xml", REFERENCE).code == 2
    assert run_cli("frobnicate").code == 2
    assert run_cli().code == 2


def test_rules_lists_every_rule_with_its_doc() -> None:
    result = run_cli("rules")
    assert result.code == 0
    for rule in all_rules():
        assert f"{rule.code} {rule.name} ({rule.severity})" in result.out
        assert "通过" in rule.doc and "不通过" in rule.doc, rule.code
    one = run_cli("rules", "PS201")
    assert one.out.startswith("PS201 deviation-note") and "PS104" not in one.out


def test_schema_command_prints_the_schema() -> None:
    result = run_cli("schema")
    assert json.loads(result.out)["title"] == "财政项目支出绩效自评表"


def test_python_dash_m_and_console_script_agree() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "perfspec", "check", REFERENCE], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 1 and " PS201 " in proc.stdout


def test_the_console_exit_loses_no_output_and_runs_exit_handlers(tmp_path) -> None:
    """main_entry skips the interpreter's teardown: what main() wrote must still arrive whole,
    through a pipe and into a file, and registered exit handlers must still run."""
    import subprocess
    import sys

    folder = os.path.join(ROOT, "specs", "2023")
    expected = run_cli("check", "--format", "json", folder)
    piped = subprocess.run([sys.executable, "-m", "perfspec", "check", "--format", "json", folder],
                           cwd=ROOT, capture_output=True, text=True)
    assert (piped.returncode, piped.stdout) == (expected.code, expected.out)
    into = tmp_path / "out.json"
    with open(into, "w", encoding="utf-8") as handle:
        code = subprocess.run([sys.executable, "-m", "perfspec", "check", "--format", "json", folder],
                              cwd=ROOT, stdout=handle).returncode
    assert code == expected.code and into.read_text(encoding="utf-8") == expected.out
    marker = tmp_path / "handler-ran"
    script = (f"import atexit, pathlib, sys; atexit.register(pathlib.Path({str(marker)!r}).touch); "
              "from perfspec.cli import main_entry; sys.argv[1:] = ['rules']; main_entry()")
    assert subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True).returncode == 0
    assert marker.exists()


def test_a_reader_that_goes_away_is_no_error() -> None:
    """`perfspec rules | head -1`: the rest has nowhere to go, and no traceback or "Exception ignored" either."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "perfspec", "rules"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_profile_mistakes_are_configuration_errors(tmp_path) -> None:
    empty = tmp_path / "empty-rounding.yaml"
    empty.write_text("extends: national\nname: local\nrate_rounding: []\n", encoding="utf-8")
    result = run_cli("check", "--profile", str(empty), REFERENCE)
    assert result.code == 2 and "rate_rounding" in result.err and "Traceback" not in result.err
    string = tmp_path / "string-rounding.yaml"
    string.write_text("extends: national\nname: local\nrate_rounding: truncate\n", encoding="utf-8")
    assert "rate_rounding 应为非空列表" in run_cli("check", "--profile", str(string), REFERENCE).err
    ascending = tmp_path / "ascending.yaml"
    ascending.write_text(
        "extends: national\nname: local\ngrades:\n  - {grade: 差, min: 0}\n  - {grade: 中, min: 60}\n"
        "  - {grade: 良, min: 80}\n  - {grade: 优, min: 90}\n",
        encoding="utf-8",
    )
    assert " PS106 " not in run_cli("check", "--profile", str(ascending), REFERENCE).out
