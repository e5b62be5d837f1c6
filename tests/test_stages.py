"""The stages of a project year (PS601–PS604) and the year before (PS701–PS704): perfspec/stages.py.

The fixture repository tests/cases/stages/ holds one project over two years (the 2023
self-evaluation; the 2024 target table, monitoring form and self-evaluation) and a
second 2024 project sharing a deviation note; tests/cases/stages/of/ links two forms
with an explicit `of:`.
"""

from __future__ import annotations

import json
import os
import re
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


def test_a_note_written_as_a_block_scalar_is_still_compared(tmp_path) -> None:
    """PS704 finds a shared note however it is written: a form the run checked gives its notes from
    its loaded values; another form of the repository, scanned by lines, is loaded when a note
    does not end on its line (a block scalar)."""
    repo = tmp_path / "stages"
    shutil.copytree(STAGES, repo)
    light = repo / LIGHT
    note = "受极端天气影响，部分维修工程延期，市民出行受到一定影响。"
    text = light.read_text(encoding="utf-8")
    assert f"deviation: {note}}}" in text
    text = text.replace(
        f"      - {{name: 市民满意度, target: ≥90%, actual: 88%, weight: 10, score: 8, deviation: {note}}}",
        "      - name: 市民满意度\n        target: ≥90%\n        actual: 88%\n        weight: 10\n        score: 8\n"
        f"        deviation: |\n          受极端天气影响，部分维修工程延期，\n          市民出行受到一定影响。",
    )
    light.write_text(text, encoding="utf-8")
    _, whole = check(str(repo))
    assert [(code, file) for code, file, _ in found(whole, ("PS704",))] == [("PS704", SE), ("PS704", LIGHT)]
    _, hook = check(str(repo), "--in-paths", SE)  # street-lighting is not checked: it is scanned
    assert [(code, file) for code, file, _ in found(hook, ("PS704",))] == [("PS704", SE)]


def test_digests_from_the_workers_and_scans_find_the_same(monkeypatch) -> None:
    """The checks across forms read checked forms from the digests the workers made, other forms by
    scanning: on the stage repository both ways give the same findings."""
    from perfspec.check import corpus
    from perfspec.check.engine import Engine, Options, collect, display_name
    from perfspec.check.headers import digest
    from perfspec.load.loader import load_file
    from perfspec.profile import load_profile

    monkeypatch.chdir(STAGES)
    engine = Engine(Options(load_profile("national"), root=STAGES))
    files = [(path, display_name(path)) for path in collect(["specs", "of"])]
    digests = {path: digest(path, shown, load_file(path, shown).document) for path, shown in files}
    scanned = corpus.duplicates(engine, files)
    digested = corpus.duplicates(engine, files, digests=digests)
    assert scanned and digested == scanned


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
    for code in CODES + ("PS605",):
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


REAL_B15 = os.path.join(STAGES, "real-b15")
REAL_B17 = os.path.join(STAGES, "real-b17")


def test_the_real_forms_are_copied_unchanged_into_the_stage_repositories() -> None:
    with open(os.path.join(REAL, B15), encoding="utf-8") as a, \
            open(os.path.join(REAL_B15, "specs/2020/covid-cleaning-targets.yaml"), encoding="utf-8") as b:
        assert a.read() == b.read()
    with open(os.path.join(REAL, B17), encoding="utf-8") as a, \
            open(os.path.join(REAL_B17, "specs/2019/heritage-monitoring.yaml"), encoding="utf-8") as b:
        assert a.read() == b.read()


def test_b15_as_the_first_stage_of_a_project_over_two_years() -> None:
    tt20, se20 = "specs/2020/covid-cleaning-targets.yaml", "specs/2020/covid-cleaning.yaml"
    tt21, se21 = "specs/2021/covid-cleaning-targets.yaml", "specs/2021/covid-cleaning.yaml"
    _, report = check(REAL_B15)
    assert found(report) == sorted([
        ("PS601", se20, 32),  # 生活垃圾运输车辆 (283辆) dropped at year end
        ("PS602", se20, 40),  # 消杀作业面积 added
        ("PS603", se20, 46),  # 各项费用使用周期 extended: approved (区财预〔2020〕67号)
        ("PS603", se20, 51),  # 清扫保洁覆盖率 ≥99% → ≥95%, quietly
        ("PS702", tt21, 21),  # 清扫保洁道路面积 lost points in 2020 and is no longer set
        ("PS701", tt21, 35),  # 周围群众满意度 ≥90% exceeded (96%) in 2020, now ≥85%
        ("PS604", se21, 30),  # 清扫保洁道路条数 20 → 30
        ("PS604", se21, 40),  # 清扫保洁覆盖率 30 → 20
        ("PS703", se21, 32),  # the 2020 deviation note word for word
    ])
    hits = {(f["code"], f["line"]): f for f in report["findings"]}
    assert f"{tt20}:40" in hits[("PS601", 32)]["message"] and "283辆" in hits[("PS601", 32)]["message"]
    quiet = hits[("PS603", 51)]
    assert f"{tt20}:51" in quiet["message"] and "≥99%" in quiet["message"] and not quiet["acknowledged"]
    approved = hits[("PS603", 46)]
    assert approved["acknowledged"] and "区财预〔2020〕67号" in approved["reason"] and f"{tt20}:46" in approved["message"]
    assert f"{se20}:56" in hits[("PS701", 35)]["message"] and f"{se20}:33" in hits[("PS702", 21)]["message"]
    assert f"{tt21}:24" in hits[("PS604", 30)]["message"] and f"{se20}:38" in hits[("PS703", 32)]["message"]


def test_b17_as_the_mid_year_stage_of_its_self_evaluation() -> None:
    mon, se = "specs/2019/heritage-monitoring.yaml", "specs/2019/heritage.yaml"
    _, report = check(REAL_B17)
    assert found(report) == sorted([
        ("PS602", se, 35),  # 申遗文本编制 fills the row 质量, printed empty at mid-year (no PS601 for an empty row)
        ("PS602", se, 37),  # 申遗文本提交时间 (the empty 时效 row)
        ("PS603", se, 39),  # 成本 年度预算220万元 → 年度预算200万元, quietly
        ("PS601", se, 41),  # 社会效益 removed: approved (黄文旅函〔2019〕58号)
        ("PS602", se, 42),
        ("PS602", se, 45),
    ])
    hits = {(f["code"], f["line"]): f for f in report["findings"]}
    assert f"{mon}:47" in hits[("PS603", 39)]["message"] and "年度预算220万元" in hits[("PS603", 39)]["message"]
    assert hits[("PS601", 41)]["acknowledged"] and "黄文旅函〔2019〕58号" in hits[("PS601", 41)]["reason"]
    assert f"{mon}:52" in hits[("PS601", 41)]["message"]
    # The real form's own defect stays reported on it: 全年预计执行数 left blank.
    assert ("PS013", mon, 34) in {(f["code"], f["file"], f["line"]) for f in report["findings"]}


# --------------------------------------------------------------------------- perfspec diff: 目标变更, PS605


def diff(repo, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "perfspec", "diff", *args], cwd=repo,
                          capture_output=True, text=True, encoding="utf-8")


def short(repo, rev: str) -> str:
    return subprocess.run(["git", "rev-parse", "--short", rev], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


def targets_section(markdown: str) -> str:
    start = markdown.index("#### 目标变更")
    return markdown[start:markdown.index("\n#### ", start + 1)]


def test_diff_shows_every_target_change_and_warns_after_the_budget_tag(history) -> None:
    proc = diff(history, "budget-2024", "HEAD", "--budget-tag", "budget-2024")
    assert proc.returncode == 0, proc.stderr  # warnings do not fail the gate
    mon, lowered, adjusted = short(history, "HEAD~2"), short(history, "HEAD~1"), short(history, "HEAD")
    assert targets_section(proc.stdout) == f"""#### 目标变更

预算批复标签：budget-2024。标签之后改动、没有写明批准的目标调整（adjustments）的，标 ⚠ PS605。

| 文件 | 提交 | 日期 | 作者 | 变化 |
| --- | --- | --- | --- | --- |
| {MON} | {mon} | 2024-07-10 | 预算科 | 新增表（6 个指标） |
| {TT} | {lowered} | 2024-12-20 | 王会计 | “道路完好率”的年度指标值 ≥95% → ≥90% ⚠ PS605 |
| {TT} | {adjusted} | 2024-09-01 | 李科长 | 删除指标“桥梁定期检测座数”（产出指标/数量指标，指标值 46座） ⚠ PS605 |
| {TT} | {adjusted} | 2024-09-01 | 李科长 | “市民满意度”的年度指标值 ≥90% → ≥88%［已批准的目标调整：黄财预〔2024〕35号］ |

**预算批复（budget-2024）之后改动、没有批准文件的目标**

- **警告** PS605 预算批复（budget-2024）之后改动：“道路完好率”的年度指标值 ≥95% → ≥90%，提交 {lowered}（王会计，2024-12-20）；没有写明批准的目标调整（adjustments）。（{TT}，第 24 行）
- **警告** PS605 预算批复（budget-2024）之后改动：删除指标“桥梁定期检测座数”（产出指标/数量指标，指标值 46座），提交 {adjusted}（李科长，2024-09-01）；没有写明批准的目标调整（adjustments）。（{TT}，第 23 行）
"""
    assert proc.stdout.startswith("### perfspec：2 张表有变化，新增 3 个警告")


def test_diff_json_names_commit_author_and_date_and_skips_the_approved_adjustment(history) -> None:
    proc = diff(history, "budget-2024", "HEAD", "--budget-tag", "budget-2024", "--format", "json")
    report = json.loads(proc.stdout)["targets"]
    assert report["budget_tag"] == "budget-2024"
    flagged = [(f["code"], f["file"], f["line"], f["severity"]) for f in report["findings"]]
    assert flagged == [("PS605", TT, 24, "warning"), ("PS605", TT, 23, "warning")]
    assert "市民满意度" not in json.dumps(report["findings"], ensure_ascii=False)
    lowered = next(c for c in report["changes"] if c["indicator"] == "道路完好率")
    assert (lowered["author"], lowered["date"][:10], len(lowered["commit"])) == ("王会计", "2024-12-20", 40)
    approved = next(c for c in report["changes"] if c["indicator"] == "市民满意度")
    assert approved["approval"] == "黄财预〔2024〕35号"


def test_diff_budget_tag_only_warns_after_the_tag(history) -> None:
    git(history, "tag", "later", "HEAD~1")  # the year-end lowering is inside this tag, the removal is not
    proc = diff(history, "budget-2024", "HEAD", "--budget-tag", "later", "--format", "json")
    flagged = [(f["line"], f["message"][:40]) for f in json.loads(proc.stdout)["targets"]["findings"]]
    assert [line for line, _ in flagged] == [23]
    # Without --budget-tag the section lists the changes and warns about none.
    proc = diff(history, "budget-2024", "HEAD")
    assert "#### 目标变更" in proc.stdout and "PS605" not in proc.stdout
    # Nothing changed to a target: no section.
    assert "目标变更" not in diff(history, "HEAD", "HEAD").stdout
    assert diff(history, "HEAD", "--budget-tag", "no-such-tag").returncode == 2


def test_diff_working_tree_change_after_the_tag_is_uncommitted(history) -> None:
    edit(history / TT, "{name: 日常养护市政道路条数, target: 128条, weight: 20}", "{name: 日常养护市政道路条数, target: 120条, weight: 20}")
    proc = diff(history, "HEAD", "--budget-tag", "budget-2024")
    section = targets_section(proc.stdout)
    assert f"| {TT} | 未提交 | — | — | “日常养护市政道路条数”的年度指标值 128条 → 120条 ⚠ PS605 |" in section
    assert "日常养护市政道路条数”的年度指标值 128条 → 120条，尚未提交" in section


def test_targets_lists_uncommitted_changes_as_such(history) -> None:
    edit(history / TT, "{name: 日常养护市政道路条数, target: 128条, weight: 20}", "{name: 日常养护市政道路条数, target: 120条, weight: 20}")
    (history / "specs" / "2024" / "new-project.yaml").write_text(
        (history / TT).read_text(encoding="utf-8").replace("城市道路桥梁养护维修经费", "城区路灯维护"), encoding="utf-8")
    proc = targets(history, "budget-2024")
    lines = proc.stdout.splitlines()
    assert "  未提交: “日常养护市政道路条数”的年度指标值 128条 → 120条" in lines
    assert "  未提交: 新增表（5 个指标）" in lines
    assert lines[-1] == "其中 2 处尚未提交（标“未提交”）。" and proc.stderr == ""
    rows = json.loads(targets(history, "budget-2024", "--format", "json").stdout)["changes"]
    pending = [c for c in rows if c["uncommitted"]]
    assert [(c["file"], c["commit"], c["author"], c["line"]) for c in pending] == [
        ("specs/2024/new-project.yaml", None, None, 1), (TT, None, None, 23)]
    proc = targets(history, "budget-2024", "--committed")
    assert "未提交" not in proc.stdout
    assert proc.stderr == "工作区中还有 2 处未提交的改动，未列出（去掉 --committed 可列出）。\n"


# --------------------------------------------------------------------------- thresholds from the profile


def _codes(path: str, profile) -> list[tuple[str, int]]:
    from perfspec.check.engine import Engine, Options

    result = Engine(Options(profile=profile)).check_file(path, os.path.basename(path))
    return sorted((f.code, f.line) for f in result.findings if f.code in ("PS204", "PS205"))


def test_monitoring_thresholds_come_from_the_profile(tmp_path) -> None:
    from perfspec.profile import ProfileError, load_profile

    fail204 = os.path.join(CASES, "rules", "PS204", "fail", "forecast-under-ninety.yaml")
    fail205 = os.path.join(CASES, "rules", "PS205", "fail", "certain-but-behind.yaml")
    national = load_profile("national")
    assert (national.forecast_rate_min, national.pace_min, national.copied_note_min) == (90, 50, 10)
    assert _codes(fail204, national) == [("PS204", 15)]
    assert _codes(fail205, national) == [("PS205", 30), ("PS205", 50)]
    local = tmp_path / "county.yaml"
    local.write_text("extends: national\nname: county\nmonitoring: {forecast_rate_min: 80, pace_min: 20}\n", encoding="utf-8")
    county = load_profile(str(local))
    assert _codes(fail204, county) == []  # 81.82% ≥ 80%
    assert _codes(fail205, county) == [("PS205", 50)]  # 12.5% ≥ 20% × 50%; the passed ceiling stays
    local.write_text("extends: national\nname: county\nmonitoring: {forecast_rate_min: null}\n", encoding="utf-8")
    off = load_profile(str(local))
    assert off.pace_min == 50 and _codes(fail204, off) == []
    local.write_text("extends: national\nname: county\nmonitoring: {forecast_min: 80}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="forecast_min"):
        load_profile(str(local))


def test_the_copied_note_length_comes_from_the_profile(tmp_path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(STAGES, repo)
    (repo / "county.yaml").write_text("extends: national\nname: county\ncopied_note_min: 40\n", encoding="utf-8")
    edit(repo / ".perfspec.yaml", "profile: national", "profile: county.yaml")
    _, report = check(str(repo))
    # The shared note (27 characters) is now too short to count as copied or boilerplate.
    assert not [f for f in report["findings"] if f["code"] in ("PS703", "PS704")]


# --------------------------------------------------------------------------- the portfolio


def test_the_portfolio_lists_cross_stage_and_year_over_year_findings_per_form(tmp_path) -> None:
    out = tmp_path / "site"
    for fmt, index in (("md", "README.md"), ("html", "index.html")):
        proc = subprocess.run([sys.executable, "-m", "perfspec", "render", "specs", "-o", str(out / fmt), "--format", fmt],
                              cwd=REAL_B15, capture_output=True, text=True, encoding="utf-8")
        assert proc.returncode == 0, proc.stderr
        text = (out / fmt / index).read_text(encoding="utf-8")
        assert "跨阶段与跨年度检查" in text
        section = text[text.index("跨阶段与跨年度检查"):text.index("各表检查结果")]
        # Each form with its own findings: 4 on the 2020 self-evaluation, 2 on the 2021 target table, 3 on 2021's.
        for code in ("PS601", "PS602", "PS603", "PS604", "PS701", "PS702", "PS703"):
            assert code in section, (fmt, code)
        listed = re.findall(r"警告(?:</span> <span class=\"code\">| )(PS[67]0\d)", section)
        assert len(listed) == 9, (fmt, listed)
        assert "specs/2020/covid-cleaning-targets.yaml</span></h3>" not in section  # the real form has none
    md = (out / "md" / "README.md").read_text(encoding="utf-8")
    section = md[md.index("## 跨阶段与跨年度检查"):md.index("## 各表检查结果")]
    assert section.splitlines()[4:6] == [
        "- [疫情期间区域病媒防治环境卫生清洁等费用](2020-covid-cleaning.md)（specs/2020/covid-cleaning.yaml）",
        "  - \\[1\\] 警告 PS601：项目支出绩效目标表 specs/2020/covid-cleaning-targets.yaml:40 的指标“生活垃圾运输车辆”"
        "（产出指标/数量指标，指标值 283辆）在本表（项目支出绩效自评表）中没有：删去已批准的指标须有目标调整的批准文件（adjustments）。（第 32 行）",
    ]
    # --ignore reaches the portfolio too; a portfolio without such findings has no section.
    proc = subprocess.run([sys.executable, "-m", "perfspec", "render", "specs", "-o", str(out / "quiet"), "--format", "md",
                           "--ignore", "PS6,PS7"], cwd=REAL_B15, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0 and "跨阶段" not in (out / "quiet" / "README.md").read_text(encoding="utf-8")


def test_diff_target_section_in_english(history) -> None:
    proc = diff(history, "budget-2024", "HEAD", "--budget-tag", "budget-2024", "--lang", "en")
    text = proc.stdout
    section = text[text.index("#### Target changes"):text.index("\n#### ", text.index("#### Target changes") + 1)]
    assert "| File | Commit | Date | Author | Change |" in section
    assert "target of '道路完好率': ≥95% → ≥90% ⚠ PS605 |" in section
    assert "- **warning** PS605 edited after the budget (budget-2024): target of '道路完好率': ≥95% → ≥90%, commit " in section


def test_a_note_pasted_into_many_forms_names_a_few_and_counts_the_rest(tmp_path) -> None:
    """PS704's message names five other forms and says how many there are: a note pasted into every
    form of a large repository must not make each finding list all the others (quadratic output)."""
    source = os.path.join(STAGES, "specs", "2024", "street-lighting.yaml")
    text = open(source, encoding="utf-8").read()
    folder = tmp_path / "specs" / "2024"
    folder.mkdir(parents=True)
    project = re.search(r"^project: (.+)$", text, re.M).group(1)
    for n in range(8):
        (folder / f"copy-{n}.yaml").write_text(text.replace(f"project: {project}", f"project: {project}{n}"),
                                               encoding="utf-8")
    _, report = check(str(tmp_path))
    messages = [f["message"] for f in report["findings"] if f["code"] == "PS704"]
    assert messages and all(" 等 7 处" in m and m.count("copy-") == 5 for m in messages), messages[:1]
