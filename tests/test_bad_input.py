"""Bad input never gets a traceback: a finding with a location, or one line naming the file."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import ROOT, run_cli

REFERENCE = os.path.join(ROOT, "specs", "2023", "it-operations.yaml")


def reference_text() -> str:
    with open(REFERENCE, encoding="utf-8") as handle:
        return handle.read()


def assert_clean_failure(result, name: str, codes: tuple[int, ...] = (1, 2)) -> None:
    assert result.code in codes, (result.code, result.out, result.err)
    assert "Traceback" not in result.out + result.err
    assert name in result.out + result.err


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("gbk.yaml", reference_text().encode("gbk"), "PS003"),
        ("utf16.yaml", reference_text().encode("utf-16"), "PS003"),
        ("utf16-nobom.yaml", reference_text().encode("utf-16-le"), "PS003"),
        ("latin1.yaml", "project: caf\xe9\n".encode("latin-1"), "PS003"),
        ("binary.yaml", bytes(range(256)) * 4, "PS003"),
        ("empty.yaml", b"", "PS006"),
        ("two-docs.yaml", b"year: 2023\n---\nyear: 2024\n", "PS006"),
        ("tabs.yaml", b"funds:\n\tweight: 10\n", "PS001"),
        ("unclosed.yaml", b"funds: {weight: 10\n", "PS001"),
        ("dup.yaml", b"year: 2023\nyear: 2024\n", "PS002"),
        ("huge-number.yaml", b"year: 1e999\n", "PS004"),
    ],
)
def test_bad_file_gets_a_located_finding(tmp_path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("check", str(path))
    assert_clean_failure(result, name, (1,))
    lines = [line for line in result.out.splitlines() if f" {code} " in line]
    assert lines, result.out
    assert lines[0].startswith(f"{path}:") or lines[0].startswith(name)


def test_gbk_message_says_what_the_encoding_looks_like(tmp_path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(reference_text().encode("gbk"))
    result = run_cli("check", str(path))
    assert "GBK" in result.out and "UTF-8" in result.out


def test_bom_and_crlf_are_accepted(tmp_path) -> None:
    path = tmp_path / "it-operations.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + reference_text().replace("\n", "\r\n").encode("utf-8"))
    result = run_cli("check", "--format", "json", str(path))
    plain = run_cli("check", "--format", "json", REFERENCE)
    strip = lambda out: [(f["line"], f["code"]) for f in __import__("json").loads(out)["findings"]]  # noqa: E731
    assert strip(result.out) == strip(plain.out)


def test_python_tag_never_runs(tmp_path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(
        reference_text().replace(
            "project: 信息化运维项目", f'project: !!python/object/apply:os.system ["touch {marker}"]'
        ),
        encoding="utf-8",
    )
    result = run_cli("check", str(path))
    assert not marker.exists()
    assert " PS005 " in result.out and result.code == 1


def test_alias_bomb_is_bounded(tmp_path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("check", str(path))
    assert_clean_failure(result, "bomb.yaml", (1,))
    assert " PS004 " in result.out


def test_deep_nesting_is_bounded(tmp_path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("project: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = run_cli("check", str(path))
    assert_clean_failure(result, "deep.yaml", (1,))


def test_oversized_file_is_not_read(tmp_path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (3 * 1024 * 1024) + b"\n")
    result = run_cli("check", str(path))
    assert_clean_failure(result, "big.yaml", (1,))
    assert " PS004 " in result.out


def test_folder_named_like_a_spec_and_missing_paths(tmp_path) -> None:
    (tmp_path / "x.yaml").mkdir()
    result = run_cli("check", str(tmp_path / "x.yaml"))
    assert result.code == 0  # a folder is walked: it holds no specs
    missing = run_cli("check", str(tmp_path / "nope.yaml"))
    assert_clean_failure(missing, "nope.yaml", (2,))
    assert len(missing.err.strip().splitlines()) == 1


def test_symlink_loop_and_unreadable_file_do_not_stop_the_run(tmp_path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing-target.yaml")
    shutil.copy(REFERENCE, tmp_path / "it-operations.yaml")
    result = run_cli("check", str(tmp_path))
    assert "Traceback" not in result.out + result.err
    assert "dangling.yaml" in result.err and len(result.err.strip().splitlines()) == 1
    assert " PS201 " in result.out  # the good file was still checked
    assert result.code == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("year: 2023\n", encoding="utf-8")
    path.chmod(0)
    result = run_cli("check", str(path))
    assert_clean_failure(result, "secret.yaml", (2,))


def test_yaml11_booleans_stay_text(tmp_path) -> None:
    text = reference_text().replace("project: 信息化运维项目", "project: NO").replace(
        "name: 故障处理率", "name: yes"
    )
    path = tmp_path / "bools.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", str(path))
    assert " PS010 " not in result.out, result.out


@pytest.mark.parametrize(
    ("line", "column", "says"),
    [
        ("  score：8", 8, "第 6 行用了全角冒号“：”"),
        ("  score：  8", 8, "全角冒号"),
        ("  - name：x", 9, "全角冒号"),
        ("  total: ｛initial: 1, annual: 1, executed: 1}", 10, "全角括号"),
    ],
)
def test_an_input_method_slip_is_named_at_its_line(tmp_path, line: str, column: int, says: str) -> None:
    """A full-width colon makes libyaml complain a line later about a missing ':'; the message names the slip."""
    text = "year: 2023\nproject: 信息化运维项目\nfunds:\n  unit: 万元\n  weight: 10\n" + line + "\n  rate: 99.62\n"
    path = tmp_path / "slip.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", str(path))
    first = result.out.splitlines()[0]
    assert result.code == 1 and f"slip.yaml:6:{column}: PS001" in first and says in first, result.out
