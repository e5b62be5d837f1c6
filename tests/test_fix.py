"""`perfspec fix`: the derived values come back exactly, and no other byte of the file moves.

Every test works on a copy in tmp_path; nothing here writes into the repository.
"""

from __future__ import annotations

import json
import os
import re
from typing import Callable
import shutil
import stat

import pytest

from conftest import CASES, ROOT, run_cli

SPECS = os.path.join(ROOT, "specs", "2023")
# The one bundled form whose stated totals are genuinely wrong (a row was lost in the source).
LOST_ROW = "online-housing-transactions.yaml"
GOOD = sorted(n for n in os.listdir(SPECS) if n.endswith(".yaml") and n != LOST_ROW)
FIXTURES = os.path.join(CASES, "fix")

# The five derived values, as every bundled form writes them.
RATE = re.compile(r"^(  rate: )(\S+)", re.M)
SCORE = re.compile(r"^(  score: )(\S+)", re.M)  # two spaces: only the funds block's score
TOTAL_WEIGHT = re.compile(r"^(total: \{weight: )([^,]+)(?=,)", re.M)
TOTAL_SCORE = re.compile(r"^(total: \{weight: [^,]*, score: )([^}]*)(?=\})", re.M)
GRADE = re.compile(r"^(grade: )(\S+)", re.M)
ALL = {"rate": RATE, "score": SCORE, "total-weight": TOTAL_WEIGHT, "total-score": TOTAL_SCORE, "grade": GRADE}
# A total fix may rewrite is one off by rounding (a cent); a total off by a row's points is a
# finding for a person (see test_the_form_that_lost_a_row_keeps_its_totals_for_a_person).
WRONG = {"rate": "12.34", "score": "0.10", "total-weight": "100.01", "total-score": lambda old: cent_off(old), "grade": "差"}


def cent_off(old: str) -> str:
    from decimal import Decimal

    return format(Decimal(old) - Decimal("0.01"), "f")


def read(path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def original(name: str) -> str:
    with open(os.path.join(SPECS, name), encoding="utf-8", newline="") as handle:
        return handle.read()


def sub_once(pattern: re.Pattern[str], text: str, value: "str | Callable[[str], str]") -> str:
    result, count = pattern.subn(lambda m: m.group(1) + (value(m.group(2)) if callable(value) else value), text)
    assert count == 1, (pattern.pattern, count)
    return result


def write(path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def leftovers(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


def broken(text: str, scenario: str) -> str:
    """The form with its derived values broken in one way."""
    if scenario in ALL:  # one value wrong
        return sub_once(ALL[scenario], text, WRONG[scenario])
    if scenario == "all-wrong":
        for key, pattern in ALL.items():
            text = sub_once(pattern, text, WRONG[key])
        return text
    if scenario == "null":  # the cells written as blank
        for pattern in ALL.values():
            text = sub_once(pattern, text, "null")
        return text
    if scenario == "empty":  # the values deleted, the keys left: `rate:`, `{weight: , score: }`
        for pattern in ALL.values():
            text = sub_once(pattern, text, "")
        return text
    raise AssertionError(scenario)


SCENARIOS = [*ALL, "all-wrong", "null", "empty"]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("name", GOOD)
def test_broken_values_come_back_byte_for_byte(tmp_path, name: str, scenario: str) -> None:
    text = original(name)
    path = tmp_path / name
    write(path, broken(text, scenario))
    assert read(path) != text.encode("utf-8")

    first = run_cli("fix", str(path))
    assert first.code == 1, first.err
    assert first.out.startswith(f"已修正 {path}：") and len(first.out.splitlines()) == 1
    assert read(path) == text.encode("utf-8")  # the whole file, byte for byte

    again = run_cli("fix", str(path))
    assert (again.code, again.out, again.err) == (0, "", "")
    assert read(path) == text.encode("utf-8")


@pytest.mark.parametrize("name", GOOD)
def test_deleted_keys_are_inserted_where_they_belong(tmp_path, name: str) -> None:
    """rate and score after funds' last line, total and grade at the end of the file.

    The deleted lines' comments cannot come back; everything else is the original.
    """
    text = original(name)
    lines = text.splitlines(keepends=True)
    derived = re.compile(r"^(  rate: |  score: |total: |grade: )")
    # Where the bundled forms keep them: the last two keys of funds and the last two lines.
    assert [bool(derived.match(line)) for line in lines[-2:]] == [True, True]
    path = tmp_path / name
    write(path, "".join(line for line in lines if not derived.match(line)))

    result = run_cli("fix", str(path))
    assert result.code == 1, result.err
    expected = "".join(
        re.sub(r"^((?:  rate|  score|total|grade): .*?)\s+#.*$", r"\1", line.rstrip("\n")) + "\n"
        if derived.match(line) else line
        for line in lines
    )
    assert read(path).decode("utf-8") == expected
    assert run_cli("fix", str(path)).code == 0
    assert run_cli("check", str(path)).code == (1 if name == "it-operations.yaml" else 0)


@pytest.mark.parametrize("name", GOOD)
def test_a_correct_form_is_left_alone(tmp_path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(os.path.join(SPECS, name), path)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    result = run_cli("fix", str(path))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert read(path) == original(name).encode("utf-8") and os.stat(path).st_mtime == 1_000_000_000


def test_the_form_that_lost_a_row_keeps_its_totals_for_a_person(tmp_path) -> None:
    """A lost row is not a rounding error: fix must not hide it by rewriting 100 → 95."""
    text = original(LOST_ROW)
    path = tmp_path / LOST_ROW
    write(path, text)
    result = run_cli("fix", str(path))
    assert (result.code, result.out) == (0, "")
    assert read(path) == text.encode("utf-8")
    assert "不是满分 100.00" in result.err and "总分值未修改" in result.err
    assert "总得分 98.00 与逐项合计 93.00 相差 5.00" in result.err and "评分等级未修改" in result.err
    check = run_cli("check", "--format", "json", str(path))
    codes = {f["code"] for f in json.loads(check.out)["findings"]}
    assert {"PS104", "PS105"} <= codes, codes


def test_a_total_that_hid_a_lost_row_is_still_an_error(tmp_path) -> None:
    """Rewriting the stated total to the rows' sum (95) does not make the form right: PS104 still fails it."""
    text = original(LOST_ROW).replace("total: {weight: 100.00, score: 98.00}", "total: {weight: 95.00, score: 93.00}")
    path = tmp_path / LOST_ROW
    write(path, text)
    check = run_cli("check", "--format", "json", str(path))
    found = [f for f in json.loads(check.out)["findings"] if f["code"] == "PS104"]
    assert check.code == 1 and found and found[0]["path"] == "total.weight" and "不是满分 100" in found[0]["message"]
    fixed = run_cli("fix", str(path))
    assert read(path) == text.encode("utf-8") and "不是满分" in fixed.err


# -- the hand-written fixtures: comments everywhere, CRLF, BOM, insertions ---------------


@pytest.mark.parametrize("name", ["comments-crlf-bom", "missing-crlf"])
def test_fixture_keeps_every_other_byte(tmp_path, name: str) -> None:
    source = os.path.join(FIXTURES, f"{name}.yaml")
    expected = read(os.path.join(FIXTURES, f"{name}-fixed.yaml"))
    assert b"\r\n" in expected and (expected.startswith(b"\xef\xbb\xbf") == (name == "comments-crlf-bom"))
    path = tmp_path / f"{name}.yaml"
    shutil.copy(source, path)
    result = run_cli("fix", str(path))
    assert result.code == 1, result.err
    assert read(path) == expected
    again = run_cli("fix", str(path))
    assert (again.code, again.out) == (0, "")
    assert read(path) == expected
    assert run_cli("check", "--select", "PS0,PS1", str(path)).code == 0


def test_fixture_messages_name_old_and_new_values(tmp_path) -> None:
    path = tmp_path / "comments-crlf-bom.yaml"
    shutil.copy(os.path.join(FIXTURES, "comments-crlf-bom.yaml"), path)
    result = run_cli("fix", str(path))
    assert result.out == (
        f"已修正 {path}：执行率 99.72 → 99.62，预算执行率得分 10 → 9.96，总分值 100.01 → 100.00，"
        "总得分 97.95 → 97.96，评分等级 良 → 优\n"
    )
    shutil.copy(os.path.join(FIXTURES, "missing-crlf.yaml"), path)
    english = run_cli("fix", "--lang", "en", str(path))
    assert english.out == (
        f"fixed {path}: execution rate (blank) → 99.62, budget score (blank) → 9.96, "
        "total score (blank) → 97.96, grade (blank) → 优\n"
    )


def test_diff_writes_nothing(tmp_path) -> None:
    path = tmp_path / "comments-crlf-bom.yaml"
    shutil.copy(os.path.join(FIXTURES, "comments-crlf-bom.yaml"), path)
    before = read(path)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    result = run_cli("fix", "--diff", str(path))
    assert result.code == 1
    assert read(path) == before and os.stat(path).st_mtime == 1_000_000_000
    assert leftovers(tmp_path) == []
    lines = result.out.split("\n")
    assert lines[0] == f"--- {path}" and lines[1] == f"+++ {path}"
    assert "-  rate: 99.72                       # wrong: 136.70 ÷ 137.21 = 99.628…, truncated 99.62\r" in lines
    assert "+  rate: 99.62                       # wrong: 136.70 ÷ 137.21 = 99.628…, truncated 99.62\r" in lines
    assert '+grade: "优"               # 评分等级: wrong, and double-quoted\r' in lines
    # Nothing to change: no diff, exit 0.
    shutil.copy(os.path.join(FIXTURES, "comments-crlf-bom-fixed.yaml"), path)
    assert run_cli("fix", "--diff", str(path)).code == 0


def test_diff_of_a_file_without_final_line_break(tmp_path) -> None:
    path = tmp_path / "missing-crlf.yaml"
    shutil.copy(os.path.join(FIXTURES, "missing-crlf.yaml"), path)
    result = run_cli("fix", "--diff", str(path))
    assert result.code == 1 and "\\ No newline at end of file" in result.out
    assert result.out.rstrip("\n").endswith("+grade: 优\n\\ No newline at end of file")


# -- which stated values are kept ---------------------------------------------------------


def test_a_value_the_profile_accepts_is_kept(tmp_path) -> None:
    # 136.70 ÷ 137.21 = 99.628…: national accepts truncated 99.62 and half-up 99.63, shanghai only 99.62.
    path = tmp_path / "it-operations.yaml"
    write(path, sub_once(RATE, original("it-operations.yaml"), "99.63"))
    kept = run_cli("fix", "--profile", "national", str(path))
    assert (kept.code, kept.out) == (0, "")
    changed = run_cli("fix", "--profile", "shanghai", str(path))
    assert changed.code == 1 and "执行率 99.63 → 99.62" in changed.out
    assert read(path) == original("it-operations.yaml").encode("utf-8")


def test_integer_looking_values_that_are_right_keep_their_style(tmp_path) -> None:
    name = "real-estate-monitoring.yaml"  # rate 100.00, score 10.00, total 100.00 / 100.00
    text = original(name)
    text = sub_once(RATE, text, "100")
    text = sub_once(SCORE, text, "10")
    text = text.replace("total: {weight: 100.00, score: 100.00}", "total: {weight: 100, score: 100}")
    path = tmp_path / name
    write(path, text)
    result = run_cli("fix", str(path))
    assert (result.code, result.out) == (0, "")
    assert read(path) == text.encode("utf-8")


def test_an_acknowledged_value_is_kept(tmp_path) -> None:
    text = original(LOST_ROW).replace(
        "total: {weight: 100.00, score: 98.00}",
        "total: {weight: 100.00, score: 98.00, acknowledge: {PS104: 已公开发布的表格原文如此, PS105: 已公开发布的表格原文如此}}",
    )
    path = tmp_path / LOST_ROW
    write(path, text)
    result = run_cli("fix", str(path))
    assert (result.code, result.out) == (0, "")
    assert read(path) == text.encode("utf-8")


def test_a_blank_input_leaves_its_value_alone_and_says_so(tmp_path) -> None:
    text = original("it-operations.yaml")
    text = text.replace(
        "total:         {initial: 137.21, annual: 137.21, executed: 136.70}",
        "total:         {initial: 137.21, annual: 137.21, executed: null}",
    )
    text = sub_once(RATE, text, "1.00")  # wrong, but nothing to compute it from
    text = text.replace("        weight: 10\n        score: 8\n", "        weight: 10\n        score: null\n")
    text = sub_once(TOTAL_SCORE, text, "97.95")
    path = tmp_path / "it-operations.yaml"
    write(path, text)
    result = run_cli("fix", str(path))
    assert (result.code, result.out) == (0, "")
    assert read(path) == text.encode("utf-8")
    assert f"perfspec fix: {path}: " in result.err
    assert "全年执行数为空" in result.err and "执行率" in result.err
    assert "“故障响应及时率”的得分为空，无法计算总得分" in result.err
    english = run_cli("fix", "--lang", "en", str(path))
    assert "cannot be computed" in english.err


def test_the_rest_is_still_fixed_when_one_value_cannot_be(tmp_path) -> None:
    text = original("it-operations.yaml").replace(
        "total:         {initial: 137.21, annual: 137.21, executed: 136.70}",
        "total:         {initial: 137.21, annual: 137.21, executed: null}",
    )
    path = tmp_path / "it-operations.yaml"
    write(path, sub_once(GRADE, text, "良"))
    result = run_cli("fix", str(path))
    assert result.code == 1 and "评分等级 良 → 优" in result.out and "执行率" in result.err
    assert read(path) == text.encode("utf-8")


def test_a_missing_total_and_grade_are_added(tmp_path) -> None:
    text = original("it-operations.yaml")
    head = text[: text.index("total: {")]
    path = tmp_path / "it-operations.yaml"
    write(path, head + "total:\n")
    result = run_cli("fix", str(path))
    assert result.code == 1
    assert read(path).decode("utf-8") == head + "total: {weight: 100.00, score: 97.96}\ngrade: 优\n"


# -- files fix does not touch -------------------------------------------------------------


@pytest.mark.parametrize(
    "change,reason",
    [
        (("  rate: 99.62", "  rate: 九十九"), "PS010"),  # text in a number cell
        (("  score: 9.96", "  score: 9.96\n  score: 9.95"), "PS002"),  # which one would fix edit?
        (("total: {weight", "total: {wieght: 100.00, weight"), "PS010"),  # a typo beside the value
        (("total: {weight", "total: &t {weight"), "锚点"),  # an anchor: editing it would edit its aliases
        (("funds:", "funds: ["), "PS001"),  # does not load at all
    ],
)
def test_a_file_with_structural_errors_where_fix_works_is_not_touched(tmp_path, change, reason) -> None:
    text = sub_once(TOTAL_SCORE, original("it-operations.yaml"), "97.95").replace(*change, 1)
    path = tmp_path / "it-operations.yaml"
    write(path, text)
    result = run_cli("fix", str(path))
    assert result.code == 2 and result.out == ""  # not fixed: the run cannot vouch for the file
    assert result.err.startswith(f"perfspec fix: {path}: 未修改：") and reason in result.err
    assert read(path) == text.encode("utf-8")


def test_a_structural_error_elsewhere_does_not_stop_the_fix(tmp_path) -> None:
    text = original("it-operations.yaml").replace("year: 2023", "yaer: 2023")  # PS010, not fix's business
    path = tmp_path / "it-operations.yaml"
    write(path, sub_once(TOTAL_SCORE, text, "97.95"))
    assert run_cli("fix", str(path)).code == 1
    assert read(path) == text.encode("utf-8")


# -- writing --------------------------------------------------------------------------------


def broken_copy(tmp_path):
    path = tmp_path / "it-operations.yaml"
    write(path, broken(original("it-operations.yaml"), "all-wrong"))
    return path, read(path)


def test_permission_bits_are_kept(tmp_path) -> None:
    path, _ = broken_copy(tmp_path)
    path.chmod(0o640)
    assert run_cli("fix", str(path)).code == 1
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert read(path) == original("it-operations.yaml").encode("utf-8")
    assert leftovers(tmp_path) == []


def test_a_read_only_file_is_refused_and_kept(tmp_path) -> None:
    # Checked from the mode bits, so it holds for root too (root may write anything).
    path, before = broken_copy(tmp_path)
    path.chmod(0o444)
    result = run_cli("fix", str(path))
    assert result.code == 2 and result.out == ""
    assert result.err == f"perfspec fix: {path}: 文件是只读的，未修改（原文件保持不变）\n"
    assert read(path) == before and stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert leftovers(tmp_path) == []


def test_a_refused_rename_leaves_the_original(tmp_path, monkeypatch) -> None:
    path, before = broken_copy(tmp_path)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = run_cli("fix", str(path))
    assert result.code == 2 and "写入失败" in result.err and "原文件保持不变" in result.err
    assert read(path) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("crash", [OSError(5, "Input/output error"), KeyboardInterrupt()])
def test_a_crash_while_writing_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch, crash) -> None:
    path, before = broken_copy(tmp_path)
    calls = []

    def boom(fd):
        calls.append(fd)
        raise crash

    monkeypatch.setattr(os, "fsync", boom)
    if isinstance(crash, KeyboardInterrupt):
        result = run_cli("fix", str(path))  # Ctrl-C: a message and exit 130, never a traceback
        assert result.code == 130 and "已中断" in result.err
    else:
        result = run_cli("fix", str(path))
        assert result.code == 2 and "Input/output error" in result.err
    assert calls, "the write never reached fsync"
    assert read(path) == before
    assert leftovers(tmp_path) == []


def test_a_symlink_is_written_through(tmp_path) -> None:
    real, _ = broken_copy(tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert run_cli("fix", str(link)).code == 1
    assert link.is_symlink() and read(real) == original("it-operations.yaml").encode("utf-8")


def test_several_files_and_folders(tmp_path) -> None:
    folder = tmp_path / "specs" / "2023"
    folder.mkdir(parents=True)
    for name in GOOD[:3]:
        write(folder / name, broken(original(name), "all-wrong"))
    shutil.copy(os.path.join(SPECS, GOOD[3]), folder / GOOD[3])
    result = run_cli("fix", str(tmp_path / "specs"))
    assert result.code == 1 and len(result.out.splitlines()) == 3
    for name in GOOD[:4]:
        assert read(folder / name) == original(name).encode("utf-8")


def test_default_paths_come_from_the_configuration(tmp_path) -> None:
    (tmp_path / ".perfspec.yaml").write_text("profile: shanghai\npaths: [forms]\n", encoding="utf-8")
    (tmp_path / "forms").mkdir()
    write(tmp_path / "forms" / "it-operations.yaml", broken(original("it-operations.yaml"), "rate"))
    result = run_cli("fix", cwd=str(tmp_path))
    assert result.code == 1 and "执行率 12.34 → 99.62" in result.out
    assert os.path.join("forms", "it-operations.yaml") in result.out


def test_usage_errors(tmp_path) -> None:
    assert run_cli("fix", str(tmp_path / "missing.yaml")).code == 2
    assert run_cli("fix", "--profile", "guangxi", os.path.join(SPECS, GOOD[0])).code == 2
    unreadable = tmp_path / "dangling.yaml"
    unreadable.symlink_to(tmp_path / "nowhere.yaml")
    result = run_cli("fix", str(tmp_path))
    assert result.code == 2 and "dangling.yaml" in result.err
