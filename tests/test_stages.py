"""The stages of a project year (PS601–PS604) and the year before (PS701–PS704): perfspec/stages.py.

The fixture repository tests/cases/stages/ holds one project over two years (the 2023
self-evaluation; the 2024 target table, monitoring form and self-evaluation) and a
second 2024 project sharing a deviation note; tests/cases/stages/of/ links two forms
with an explicit `of:`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import CASES

STAGES = os.path.join(CASES, "stages")
TT = "specs/2024/road-maintenance-targets.yaml"
MON = "specs/2024/road-maintenance-monitoring.yaml"
SE = "specs/2024/road-maintenance.yaml"
LAST = "specs/2023/road-maintenance.yaml"
LIGHT = "specs/2024/street-lighting.yaml"


def check(cwd: str, *args: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "perfspec", "check", "--format", "json", *args],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8",
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def found(report: dict, prefix: tuple[str, ...] = ("PS6", "PS7")) -> list[tuple[str, str, int]]:
    return sorted((f["code"], f["file"], f["line"]) for f in report["findings"] if f["code"].startswith(prefix))


def by_code(report: dict, code: str, file: str) -> dict:
    hits = [f for f in report["findings"] if f["code"] == code and f["file"] == file]
    assert len(hits) == 1, hits
    return hits[0]


@pytest.fixture(scope="module")
def repo_report() -> dict:
    return check(STAGES)[1]


def test_the_project_year_end_to_end(repo_report: dict) -> None:
    assert found(repo_report) == sorted([
        ("PS603", MON, 29),  # the approved adjustment: acknowledged
        ("PS702", TT, 18),  # 道路巡查覆盖率 lost points in 2023 and is gone
        ("PS701", TT, 31),  # 市民满意度 ≥92% exceeded (95%) in 2023, now ≥90%
        ("PS601", SE, 24),  # 桥梁定期检测座数 dropped at year end
        ("PS602", SE, 26),  # 投诉办结率 added
        ("PS603", SE, 28),  # 道路完好率 quietly lowered from ≥95% to ≥90%
        ("PS604", SE, 32),  # 城市道路通行条件 30 → 20 (the monitoring form has no weights: against the target table)
        ("PS703", SE, 35),  # last year's note copied
        ("PS704", SE, 35),  # the note shared with another project
        ("PS704", LIGHT, 32),
    ])


def test_findings_cite_both_files_and_lines(repo_report: dict) -> None:
    lowered = by_code(repo_report, "PS603", SE)
    assert f"{MON}:28" in lowered["message"] and "≥95%" in lowered["message"] and "≥90%" in lowered["message"]
    assert lowered["acknowledged"] is False and lowered["severity"] == "warning"
    assert f"{MON}:26" in by_code(repo_report, "PS601", SE)["message"]
    assert MON in by_code(repo_report, "PS602", SE)["message"]
    assert f"{TT}:28" in by_code(repo_report, "PS604", SE)["message"]
    assert f"{LAST}:33" in by_code(repo_report, "PS701", TT)["message"]
    assert f"{LAST}:25" in by_code(repo_report, "PS702", TT)["message"]
    assert f"{LAST}:27" in by_code(repo_report, "PS703", SE)["message"]
    assert f"{LIGHT}:32" in by_code(repo_report, "PS704", SE)["message"]
    assert f"{SE}:35" in by_code(repo_report, "PS704", LIGHT)["message"]


def test_an_approved_adjustment_is_acknowledged_with_its_reference(repo_report: dict) -> None:
    adjusted = by_code(repo_report, "PS603", MON)
    assert adjusted["acknowledged"] is True
    assert "黄财预〔2024〕35号" in adjusted["reason"]


def test_the_forms_are_schema_valid_with_of_and_adjustments(repo_report: dict) -> None:
    assert not [f for f in repo_report["findings"] if f["code"] in ("PS010", "PS012", "PS015")]
    _, report = check(STAGES, "of/se.yaml", "of/targets.yaml")
    assert not [f for f in report["findings"] if f["code"] == "PS010"]


def test_english_messages() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "perfspec", "check", "--lang", "en", "--select", "PS6", SE],
        cwd=STAGES, capture_output=True, text=True, encoding="utf-8",
    )
    assert f"the target of '道路完好率' is ≥90%, the mid-year monitoring form {MON}:28 says ≥95%" in proc.stdout
    assert "is missing from this project self-evaluation" in proc.stdout


def test_a_hook_given_one_form_still_compares_with_the_repository() -> None:
    _, report = check(STAGES, "--in-paths", SE)
    assert {code for code, _, _ in found(report)} == {"PS601", "PS602", "PS603", "PS604", "PS703", "PS704"}
    assert {file for _, file, _ in found(report)} == {SE}  # findings on the checked form only


def test_explicit_of_links_forms_of_different_names() -> None:
    _, report = check(STAGES, "--select", "PS6", "of/se.yaml")
    assert found(report) == [("PS603", "of/se.yaml", 25)]
    assert "of/targets.yaml:21" in report["findings"][0]["message"]


def test_rules_can_be_ignored() -> None:
    _, report = check(STAGES, "--ignore", "PS6,PS7")
    assert found(report) == []


def test_acknowledge_on_the_indicator_and_no_unused_acknowledgement(tmp_path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(STAGES, repo)
    se = repo / SE
    text = se.read_text(encoding="utf-8").replace(
        "{name: 道路完好率, target: ≥90%, actual: 93%, weight: 10, score: 10}",
        "{name: 道路完好率, target: ≥90%, actual: 93%, weight: 10, score: 10, acknowledge: {PS603: 已报财政局备案}}",
    )
    se.write_text(text, encoding="utf-8")
    _, report = check(str(repo), SE)
    lowered = by_code(report, "PS603", SE)
    assert lowered["acknowledged"] is True and lowered["reason"] == "已报财政局备案"
    assert not [f for f in report["findings"] if f["code"] == "PS902"]


def test_an_adjustment_without_approval_does_not_acknowledge(tmp_path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(STAGES, repo)
    se = repo / SE
    text = se.read_text(encoding="utf-8").replace(
        "implementer: 黄石市市政设施管护中心\n",
        "implementer: 黄石市市政设施管护中心\nadjustments:\n"
        "  - {indicator: 道路完好率, change: target, approval: 黄财预〔2024〕48号}\n"
        "  - {indicator: 城市道路通行条件, change: target, approval: 黄财预〔2024〕49号}\n",
        1,
    )
    se.write_text(text, encoding="utf-8")
    _, report = check(str(repo), SE)
    assert "黄财预〔2024〕48号" in by_code(report, "PS603", SE)["reason"]
    # An approval of a target change does not cover a weight change.
    assert by_code(report, "PS604", SE)["acknowledged"] is False


def test_a_kept_indicator_and_target_report_nothing(tmp_path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(STAGES, repo)
    os.remove(repo / LIGHT)
    se = repo / SE
    text = se.read_text(encoding="utf-8")
    text = text.replace("{name: 投诉办结率, target: ≥90%, actual: 95%, weight: 20, score: 20}",
                        "{name: 桥梁定期检测座数, target: 46座, actual: 46座, weight: 10, score: 10}")
    text = text.replace("target: ≥90%, actual: 93%", "target: ≥95%, actual: 96%")
    text = text.replace("weight: 20, score: 20}\n  满意度", "weight: 30, score: 30}\n  满意度")
    text = text.replace("受极端天气影响，部分维修工程延期，市民出行受到一定影响。", "满意度调查样本中新建小区居民占比较高，对配套道路意见较多。")
    se.write_text(text, encoding="utf-8")
    _, report = check(str(repo), SE)
    assert found(report) == []


def test_every_stage_rule_is_documented() -> None:
    from perfspec.check.rules import all_rules
    from perfspec.stages import CODES

    rules = {r.code: r for r in all_rules()}
    for code in CODES:
        assert code in rules and rules[code].check is None
        assert "通过 / passes" in rules[code].doc and "不通过 / fails" in rules[code].doc


# --------------------------------------------------------------------------- perfspec targets REV


def git(repo, *args: str, author: str = "预算科", date: str = "2024-01-10T09:00:00+08:00") -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="a@example.cn", GIT_AUTHOR_DATE=date,
               GIT_COMMITTER_NAME=author, GIT_COMMITTER_EMAIL="a@example.cn", GIT_COMMITTER_DATE=date,
               GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                   cwd=repo, env=env, check=True, capture_output=True)


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def history(tmp_path):
    """Budget tag on the target table; a monitoring commit; a quietly lowered target; an approved one."""
    repo = tmp_path / "repo"
    (repo / "specs" / "2024").mkdir(parents=True)
    shutil.copy(os.path.join(STAGES, ".perfspec.yaml"), repo)
    shutil.copy(os.path.join(STAGES, TT), repo / TT)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "2024 年预算批复")
    git(repo, "tag", "budget-2024")
    shutil.copy(os.path.join(STAGES, MON), repo / MON)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "监控", date="2024-07-10T09:00:00+08:00")
    edit(repo / TT, "{name: 道路完好率, target: ≥95%, weight: 10}", "{name: 道路完好率, target: ≥90%, weight: 10}")
    git(repo, "commit", "-qam", "年末整理", author="王会计", date="2024-12-20T10:00:00+08:00")
    edit(repo / TT, "{name: 市民满意度, target: ≥90%, weight: 10}", "{name: 市民满意度, target: ≥88%, weight: 10}")
    edit(repo / TT, "implementer: 黄石市市政设施管护中心\n",
         "implementer: 黄石市市政设施管护中心\nadjustments:\n  - {indicator: 市民满意度, change: target, approval: 黄财预〔2024〕35号}\n")
    edit(repo / TT, "      - {name: 桥梁定期检测座数, target: 46座, weight: 10}\n", "")
    git(repo, "commit", "-qam", "目标调整", author="李科长", date="2024-09-01T10:00:00+08:00")
    return repo


def targets(repo, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "perfspec", "targets", *args], cwd=repo,
                          capture_output=True, text=True, encoding="utf-8")


def test_targets_lists_every_change_with_commit_author_and_date(history) -> None:
    proc = targets(history, "budget-2024", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    rows = [(c["file"], c["change"], c["indicator"], c["before"], c["after"], c["author"], c["date"][:10], c["approval"])
            for c in report["changes"]]
    assert rows == [
        (MON, "form-added", None, None, "6", "预算科", "2024-07-10", None),
        (TT, "target", "道路完好率", "≥95%", "≥90%", "王会计", "2024-12-20", None),
        (TT, "removed", "桥梁定期检测座数", "46座", None, "李科长", "2024-09-01", None),
        (TT, "target", "市民满意度", "≥90%", "≥88%", "李科长", "2024-09-01", "黄财预〔2024〕35号"),
    ]
    assert all(len(c["commit"]) == 40 and c["commit"].startswith(c["short"]) for c in report["changes"])
    assert report["since"] == "budget-2024" and len(report["since_commit"]) == 40


def test_targets_text_and_english(history) -> None:
    proc = targets(history, "budget-2024")
    assert "王会计: “道路完好率”的年度指标值 ≥95% → ≥90%" in proc.stdout
    assert "［已批准的目标调整：黄财预〔2024〕35号］" in proc.stdout
    assert "其中 2 处指标改动没有写明批准的目标调整" in proc.stdout
    proc = targets(history, "budget-2024", "--lang", "en")
    assert "target of '道路完好率': ≥95% → ≥90%" in proc.stdout
    # Without REV, the whole history: the target table's first commit is a form added.
    assert "新增表（6 个指标）" in targets(history).stdout


def test_targets_since_head_and_unknown_revision(history) -> None:
    assert "没有改动" in targets(history, "HEAD").stdout
    proc = targets(history, "no-such-tag")
    assert proc.returncode == 2 and "no-such-tag" in proc.stderr


def test_of_outside_the_repository_is_not_read(tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(os.path.join(STAGES, "of", "targets.yaml"), outside / "targets.yaml")
    repo = tmp_path / "repo"
    (repo / "specs" / "2024").mkdir(parents=True)
    shutil.copy(os.path.join(STAGES, ".perfspec.yaml"), repo)
    se = repo / "specs" / "2024" / "se.yaml"
    shutil.copy(os.path.join(STAGES, "of", "se.yaml"), se)
    edit(se, "of: targets.yaml", "of: ../../../outside/targets.yaml")
    _, report = check(str(repo), "specs/2024/se.yaml")
    assert found(report) == []
    edit(se, "of: ../../../outside/targets.yaml", "of: ../2024/../2024/targets.yaml")
    shutil.copy(outside / "targets.yaml", repo / "specs" / "2024" / "targets.yaml")
    _, report = check(str(repo), "specs/2024/se.yaml")
    assert [code for code, _, _ in found(report)] == ["PS603"]


# --------------------------------------------------------------------------- the training forms as stages

REAL = os.path.join(os.path.dirname(CASES), "data", "real-forms", "rewritten")
B15 = "b15-beijing-district-cityadmin-covid-targets.yaml"
B17 = "b17-huangshi-heritage-monitoring.yaml"


def test_the_real_target_table_and_monitoring_form_check_in_their_own_kinds() -> None:
    code, report = check(REAL, "--profile", "national", B15, B17)
    assert code == 1
    got = sorted((f["code"], f["file"], f["line"], f["path"]) for f in report["findings"])
    assert got == [
        # b15 is complete and consistent (≤620万/月 is a monthly cap, not a total): nothing to report.
        # b17: 全年预计执行数 left blank (a required cell), and the 质量/时效 rows printed empty.
        ("PS013", B17, 34, "funds.total.forecast"),
        ("PS013", B17, 42, "indicators.产出指标.质量指标[0]"),
        ("PS013", B17, 42, "indicators.产出指标.质量指标[0]"),
        ("PS013", B17, 44, "indicators.产出指标.时效指标[0]"),
        ("PS013", B17, 44, "indicators.产出指标.时效指标[0]"),
    ]
