"""`perfspec diff` against real git repositories made in tmp_path."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, commit, git, run_cli, seed_repo
from perfspec.diff import escape

SEEDS = Path(ROOT) / "specs" / "2023"
IT = "specs/2023/it-operations.yaml"
SURVEY = "specs/2023/surveying-results-management.yaml"

# The PS201 cell of the reference form: 2 points lost, no deviation note.
MISSING_NOTE = """        weight: 10
        score: 8
        # deviation: 偏差原因分析及改进措施 — missing on the published form"""


def edit(repo: Path, path: str, old: str, new: str, count: int = 1) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == count, (path, old)
    file.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose one commit holds the nine seed forms and the repository's configuration."""
    return seed_repo(tmp_path, monkeypatch, {"README.md": "not a form\n"})


def diff(repo: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("diff", *args, cwd=str(repo))


def diff_json(repo: Path, *args: str) -> tuple[int, dict]:
    result = diff(repo, *args, "--format", "json")
    assert result.err == ""
    return result.code, json.loads(result.out)


def section(out: str, heading: str) -> str:
    """The text of one form's section, from its #### heading to the next."""
    start = out.index(heading)
    end = out.find("\n#### ", start + 1)
    return out[start : end if end >= 0 else len(out)]


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


# --------------------------------------------------------------------------- nothing changed


def test_no_change(repo: Path) -> None:
    result = diff(repo, "HEAD")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("### perfspec：自评表没有变化\n")


def test_changes_outside_the_spec_folders_are_ignored(repo: Path) -> None:
    (repo / "README.md").write_text("changed\n", encoding="utf-8")
    (repo / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    (repo / "specs" / ".hidden.yaml").write_text("a: [\n", encoding="utf-8")
    result = diff(repo, "HEAD")
    assert result.code == 0 and "自评表没有变化" in result.out


# --------------------------------------------------------------------------- a changed form


def fix_the_deviation(repo: Path) -> None:
    """The PS201 fix: one more point, a deviation note, and the total to match."""
    edit(repo, IT, MISSING_NOTE, "        weight: 10\n        score: 9\n        deviation: 个别故障响应超时，已调整值班安排")
    edit(repo, IT, "score: 97.96}", "score: 98.96}")


def test_score_and_deviation_change(repo: Path) -> None:
    fix_the_deviation(repo)
    result = diff(repo, "HEAD")
    out = result.out
    assert result.code == 0, out
    # PS303 (a deduction on a met target) is still there with 1 point instead of 2: the same finding
    # (code, path and key), so neither new nor fixed, whatever its message now says.
    assert out.splitlines()[0] == "### perfspec：1 张表有变化，修复 1 个错误"
    form = section(out, f"#### 修改：{IT}")
    assert "- 项目名称：信息化运维项目\n" in form
    assert "- 总得分：97.96 → 98.96\n" in form
    assert "- 评分等级：优\n" in form and "- 执行率：99.62%\n" in form
    rows = table_rows(form)
    assert rows[0] == "| 指标 | 变化 | 分值 | 得分 | 年度指标值 | 实际完成值 | 偏差原因说明 |"
    assert rows[2] == (
        "| 产出指标 / 时效指标 / 故障响应及时率 | 修改 | 10 | 8 → 9 | ≤5.00(分钟) | 5.00(分钟) "
        "| 已填写：个别故障响应超时，已调整值班安排 |"
    )
    assert len(rows) == 3  # only the changed indicator
    fixed = form[form.index("**已修复的检查结果**") :]
    assert "**错误** PS201 “故障响应及时率”扣了 2 分" in fixed
    assert "PS303" not in fixed and "**新增的检查结果**" not in form


def test_json_has_the_same_content(repo: Path) -> None:
    fix_the_deviation(repo)
    code, data = diff_json(repo, "HEAD")
    assert code == 0
    assert data["title"] == "perfspec：1 张表有变化，修复 1 个错误"
    assert data["head"] == {"rev": None, "commit": None, "worktree": True}
    assert len(data["base"]["commit"]) >= 40
    summary = data["summary"]
    assert summary["forms_changed"] == 1 and summary["modified"] == 1 and summary["fails"] is False
    assert summary["new"] == {"error": 0, "warning": 0, "info": 0}
    assert summary["fixed"] == {"error": 1, "warning": 0, "info": 0}
    (form,) = data["forms"]
    assert form["status"] == "modified" and form["path"] == IT
    assert form["base"]["total_score"] == "97.96" and form["head"]["total_score"] == "98.96"
    assert form["base"]["grade"] == form["head"]["grade"] == "优"
    assert form["head"]["rate"] == "99.62" and form["head"]["rate_computed"] is False
    (indicator,) = form["indicators"]
    assert indicator["status"] == "changed" and indicator["changed"] == ["score", "deviation"]
    assert indicator["before"]["score"] == 8 and indicator["after"]["score"] == 9
    assert indicator["after"]["name"] == "故障响应及时率"
    assert [f["code"] for f in form["fixed_findings"]] == ["PS201"]
    assert form["new_findings"] == []
    fixed = form["fixed_findings"][0]
    assert fixed["file"] == IT and fixed["severity"] == "error" and fixed["path"] == "indicators.产出指标.时效指标[0]"


def test_english(repo: Path) -> None:
    fix_the_deviation(repo)
    result = diff(repo, "HEAD", "--lang", "en")
    assert result.code == 0
    assert result.out.splitlines()[0] == "### perfspec: 1 form changed; fixed: 1 error"
    assert f"#### modified: {IT}" in result.out and "- Total score: 97.96 → 98.96" in result.out
    assert "deviation note" in result.out  # the finding messages are English too


def test_a_new_error_fails(repo: Path) -> None:
    # One point less without a deviation note, and the stated total no longer adds up.
    edit(repo, IT, "weight: 20                             # 分值\n        score: 20",
         "weight: 20                             # 分值\n        score: 19")
    result = diff(repo, "HEAD")
    assert result.code == 1
    assert result.out.splitlines()[0] == "### perfspec：1 张表有变化，新增 2 个错误、1 个警告"
    new = section(result.out, f"#### 修改：{IT}")
    assert "**错误** PS201 “运维服务工作完成率”扣了 1 分" in new
    assert "**错误** PS105 " in new
    assert "| 产出指标 / 数量指标 / 运维服务工作完成率 | 修改 | 20 | 20 → 19 |" in new
    code, data = diff_json(repo, "HEAD")
    assert code == 1 and data["summary"]["fails"] is True and data["summary"]["new"]["error"] == 2


def test_two_revisions_and_untracked_files(repo: Path) -> None:
    fix_the_deviation(repo)
    commit(repo)
    (repo / "specs" / "2023" / "draft.yaml").write_text("year: 2024\n", encoding="utf-8")  # untracked
    both = diff(repo, "HEAD~1", "HEAD")
    assert both.code == 0
    assert "- 总得分：97.96 → 98.96" in both.out and "draft.yaml" not in both.out
    short = git(repo, "rev-parse", "--short", "HEAD").strip()
    # revisions are data too, escaped like the rest: HEAD\~1 renders as HEAD~1
    assert "比较：HEAD\\~1（" in both.out and f"→ HEAD（{short}）" in both.out
    worktree = diff(repo, "HEAD~1")
    assert "#### 新增：specs/2023/draft.yaml" in worktree.out  # the working tree includes untracked forms
    assert diff(repo, "HEAD", "HEAD").out.startswith("### perfspec：自评表没有变化")


# --------------------------------------------------------------------------- renamed, added, removed


def test_rename_is_detected(repo: Path) -> None:
    git(repo, "mv", "specs/2023/hotline-service-funding.yaml", "specs/2023/hotline-service.yaml")
    result = diff(repo, "HEAD")
    assert result.code == 0
    out = result.out
    assert out.splitlines()[0] == "### perfspec：1 张表有变化，没有新增或修复的错误和警告"
    assert "#### 改名：specs/2023/hotline-service-funding.yaml → specs/2023/hotline-service.yaml" in out
    assert "| 改名 | 热线服务保障经费 | 97.51 | — | — |" in out
    assert "新增的检查结果" not in out and "已修复的检查结果" not in out
    code, data = diff_json(repo, "HEAD")
    (form,) = data["forms"]
    assert form["status"] == "renamed" and form["old_path"] == "specs/2023/hotline-service-funding.yaml"
    assert form["new_path"] == "specs/2023/hotline-service.yaml" and data["summary"]["renamed"] == 1


def test_renamed_and_changed_form_compares_its_findings(repo: Path) -> None:
    git(repo, "mv", IT, "specs/2023/it-ops.yaml")
    commit(repo)
    edit(repo, "specs/2023/it-ops.yaml", "score: 97.96}", "score: 97.95}")
    result = diff(repo, "HEAD~1")
    assert result.code == 1  # the stated total no longer adds up: PS105, new
    form = section(result.out, f"#### 改名：{IT} → specs/2023/it-ops.yaml")
    assert "- 总得分：97.96 → 97.95" in form
    assert "**错误** PS105" in form
    assert "PS201" not in form  # the same finding before and after the rename


def test_added_and_removed_forms(repo: Path) -> None:
    (repo / "specs" / "2024").mkdir()
    text = (SEEDS / "it-operations.yaml").read_text(encoding="utf-8")
    (repo / "specs" / "2024" / "it-operations.yaml").write_text(text.replace("year: 2023", "year: 2024"), encoding="utf-8")
    (repo / "specs" / "2023" / "real-estate-monitoring.yaml").unlink()  # deleted, not even staged
    result = diff(repo, "HEAD")
    assert result.code == 1  # the new form carries the PS201 error
    out = result.out
    assert out.splitlines()[0] == "### perfspec：2 张表有变化，新增 1 个错误、1 个警告"
    added = section(out, "#### 新增：specs/2024/it-operations.yaml")
    assert "- 项目名称：信息化运维项目" in added and "- 总得分：97.96" in added
    assert "**检查结果**" in added and "**错误** PS201" in added and "**警告** PS303" in added
    removed = section(out, "#### 删除：specs/2023/real-estate-monitoring.yaml")
    assert "- 项目名称：房地产监测管理" in removed and "- 总得分：100.00" in removed
    assert "| specs/2023/real-estate-monitoring.yaml | 删除 | 房地产监测管理 | 100.00 | — | — |" in out
    code, data = diff_json(repo, "HEAD")
    statuses = {f["path"]: f["status"] for f in data["forms"]}
    assert statuses == {"specs/2024/it-operations.yaml": "added", "specs/2023/real-estate-monitoring.yaml": "removed"}
    removed_form = next(f for f in data["forms"] if f["status"] == "removed")
    assert removed_form["head"] is None and removed_form["base"]["project"] == "房地产监测管理"


def test_configured_paths_are_respected(repo: Path) -> None:
    (repo / ".perfspec.yaml").write_text("profile: shanghai\npaths: [forms]\n", encoding="utf-8")
    commit(repo, "config")
    git(repo, "mv", "specs/2023/hotline-service-funding.yaml", "forms-hotline.yaml")  # out of every spec folder
    (repo / "forms").mkdir()
    shutil.copy(SEEDS / "it-operations.yaml", repo / "forms" / "it-operations.yaml")
    edit(repo, SURVEY, "year: 2023", "year: 2024")  # not a spec under this configuration
    code, data = diff_json(repo, "HEAD")
    assert [(f["status"], f["path"]) for f in data["forms"]] == [("added", "forms/it-operations.yaml")]
    assert code == 1


# --------------------------------------------------------------------------- unparseable


BROKEN = "project: [信息化运维项目\n"


def test_unparseable_head_is_reported_and_the_base_still_shown(repo: Path) -> None:
    edit(repo, IT, "project: 信息化运维项目                       # 项目名称\n", BROKEN)
    result = diff(repo, "HEAD")
    assert result.code == 1  # a YAML syntax error is a new error
    form = section(result.out, f"#### 修改：{IT}")
    assert "- 修改后无法解析：PS001 YAML 语法错误：" in form and "（第 " in form
    assert "- 修改前：项目名称 信息化运维项目，总得分 97.96，评分等级 优，执行率 99.62%" in form
    assert "**错误** PS001 YAML 语法错误" in form
    assert "已修复的检查结果" not in form  # the new version cannot be checked: nothing is "fixed"
    code, data = diff_json(repo, "HEAD")
    (entry,) = data["forms"]
    assert entry["head"]["parsed"] is False and entry["head"]["error"].startswith("PS001 YAML 语法错误")
    assert entry["base"]["parsed"] is True and entry["base"]["total_score"] == "97.96"


def test_unparseable_base_is_reported(repo: Path) -> None:
    edit(repo, IT, "project: 信息化运维项目                       # 项目名称\n", BROKEN)
    commit(repo, "broken")
    fixed_back = diff(repo, "HEAD", "HEAD~1")
    form = section(fixed_back.out, f"#### 修改：{IT}")
    assert "- 修改前无法解析：PS001 YAML 语法错误" in form
    assert "- 修改后：项目名称 信息化运维项目，总得分 97.96" in form
    fixed = form[form.index("**已修复的检查结果**") :]
    assert "**错误** PS001" in fixed
    # The other side is checked as usual: its findings are all new against a base that could not be read.
    assert "**错误** PS201" in form[: form.index("**已修复的检查结果**")]
    assert fixed_back.code == 1


def test_unparseable_added_form(repo: Path) -> None:
    (repo / "specs" / "2023" / "broken.yaml").write_text("year: 2023\n\tproject: x\n", encoding="utf-8")
    result = diff(repo, "HEAD")
    assert result.code == 1
    form = section(result.out, "#### 新增：specs/2023/broken.yaml")
    assert "- 无法解析：PS001 YAML 语法错误：发现制表符（Tab）" in form


# --------------------------------------------------------------------------- moves that change nothing


def test_moved_lines_are_not_new_findings(repo: Path) -> None:
    text = (repo / IT).read_text(encoding="utf-8")
    time_block = text[text.index("    时效指标:") : text.index("    成本指标:")]
    text = text.replace(time_block, "")
    text = text.replace("    质量指标:", time_block + "    质量指标:")  # time indicators first, PS201 moves up
    first = "      - name: 故障处理率\n        target: ≥95.00(%)\n        actual: 100.00(%)\n        weight: 15\n        score: 15\n"
    second = "      - name: 系统运行稳定率\n        target: 稳定\n        actual: 达成指标\n        weight: 15\n        score: 15\n"
    text = text.replace(first + second, second + first)  # indices within a list swap
    text = "# 新增的注释让每一行都下移\n\n" + text.replace("grade: 优", "grade:  优")
    (repo / IT).write_text(text, encoding="utf-8")
    assert git(repo, "diff", "--stat").strip()
    result = diff(repo, "HEAD")
    assert result.code == 0
    assert result.out.splitlines()[0] == "### perfspec：1 张表有变化，没有新增或修复的错误和警告"
    form = section(result.out, f"#### 修改：{IT}")
    assert "指标的分值、得分、年度指标值和实际完成值都没有变化。" in form
    assert "新增的检查结果" not in form and "已修复的检查结果" not in form
    _, data = diff_json(repo, "HEAD")
    assert data["forms"][0]["new_findings"] == data["forms"][0]["fixed_findings"] == []


def test_renamed_moved_added_and_removed_indicators(repo: Path) -> None:
    survey_text = (repo / SURVEY).read_text(encoding="utf-8")
    (repo / SURVEY).write_text(survey_text.replace("信息使用方满意度", "信息使用单位满意度"), encoding="utf-8")
    # move 故障处理率 from 质量指标 to 数量指标; drop 成本控制率; add a new indicator
    edit(repo, IT, "      - name: 故障处理率\n        target: ≥95.00(%)\n        actual: 100.00(%)\n        weight: 15\n        score: 15\n", "")
    edit(repo, IT, "        score: 20                              # 得分\n",
         "        score: 20                              # 得分\n"
         "      - name: 故障处理率\n        target: ≥95.00(%)\n        actual: 100.00(%)\n        weight: 15\n        score: 15\n")
    edit(repo, IT, "      - name: 成本控制率\n        target: ≤100.00(%)\n        actual: 99.62(%)\n",
         "      - name: 巡检完成率\n        target: =100.00(%)\n        actual: 100.00(%)\n")
    result = diff(repo, "HEAD")
    it_form = section(result.out, f"#### 修改：{IT}")
    assert "| 产出指标 / 质量指标 → 产出指标 / 数量指标 / 故障处理率 | 移动 | 15 | 15 | ≥95.00(%) | 100.00(%) |  |" in it_form
    # a different name, target and actual: not a rename of 成本控制率 but a new indicator
    assert "| 产出指标 / 成本指标 / 巡检完成率 | 新增 | 10 | 10 | =100.00(%) | 100.00(%) |  |" in it_form
    assert "| 产出指标 / 成本指标 / 成本控制率 | 删除 | 10 | 10 | ≤100.00(%) | 99.62(%) |  |" in it_form
    survey = section(result.out, f"#### 修改：{SURVEY}")
    assert "| 满意度指标 / 服务对象满意度指标 / 信息使用方满意度 → 信息使用单位满意度 | 改名 | 10 | 8 |" in survey
    # the renamed indicator's findings are the same findings: not new, not fixed
    assert "新增的检查结果" not in survey and "已修复的检查结果" not in survey
    _, data = diff_json(repo, "HEAD")
    statuses = sorted(i["status"] for f in data["forms"] for i in f["indicators"])
    assert statuses == ["added", "moved", "removed", "renamed"]


# --------------------------------------------------------------------------- acknowledgements


ACK = MISSING_NOTE + "\n        acknowledge:\n          PS201: 已公开发布的表格原文如此，无法更改"


def test_acknowledging_and_unacknowledging(repo: Path) -> None:
    edit(repo, IT, MISSING_NOTE, ACK)
    result = diff(repo, "HEAD")
    assert result.code == 0
    assert result.out.splitlines()[0] == "### perfspec：1 张表有变化，确认 1"
    acked = section(result.out, f"#### 修改：{IT}")
    assert "**新确认的检查结果**" in acked and "（已确认：已公开发布的表格原文如此，无法更改）" in acked
    commit(repo, "acknowledge")
    back = diff(repo, "HEAD", "HEAD~1")
    assert back.code == 1  # the error fails again
    assert back.out.splitlines()[0] == "### perfspec：1 张表有变化，新增 1 个错误"
    assert "（确认已删除）" in back.out


# --------------------------------------------------------------------------- escaping


def test_escape() -> None:
    assert escape("<script>x</script>A|B") == "&lt;script&gt;x&lt;/script&gt;A&#124;B"
    assert escape("a\nb\r\nc\u2028d") == "a b c d"
    assert escape("`x` & *y* [l](u) _z_ ~~s~~ $m$ \\") == "&#96;x&#96; &amp; \\*y\\* \\[l\\](u) \\_z\\_ \\~\\~s\\~\\~ \\$m\\$ \\\\"
    assert escape("evil\u202egpj.exe") == "evil gpj.exe"
    assert "<br>" not in escape("a\nb")


def test_data_cannot_inject_markup(repo: Path) -> None:
    edit(repo, IT, "project: 信息化运维项目   ", 'project: "<script>x</script>A|B\\n`y`"')
    edit(repo, IT, "      - name: 故障响应及时率", '      - name: "时效|<b>bold</b>\\nnext"')
    result = diff(repo, "HEAD")
    out = result.out
    assert "<script>" not in out and "<b>" not in out and "<br" not in out and "`" not in out
    assert "&lt;script&gt;x&lt;/script&gt;A&#124;B &#96;y&#96;" in out
    assert "- 项目名称：信息化运维项目 → &lt;script&gt;x&lt;/script&gt;A&#124;B &#96;y&#96;" in out
    assert "时效&#124;&lt;b&gt;bold&lt;/b&gt; next" in out
    for block in out.split("\n\n"):
        rows = table_rows(block)
        if rows:
            cells = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
            assert len(cells) == 1, rows  # every row of a table has as many cells as its header
    # JSON carries the data as it is
    _, data = diff_json(repo, "HEAD")
    assert data["forms"][0]["head"]["project"] == "<script>x</script>A|B\n`y`"


# --------------------------------------------------------------------------- usage errors


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.delenv("GIT_DIR", raising=False)
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run_cli("diff", "HEAD", cwd=str(plain))
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and "不在 git 仓库中" in result.err


@pytest.mark.parametrize("rev", ["no-such-branch", "--output=/tmp/perfspec-pwned", "HEAD~99"])
def test_bad_revision(repo: Path, rev: str) -> None:
    result = run_cli("diff", "--", rev, cwd=str(repo))
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and rev in result.err
    assert not os.path.exists("/tmp/perfspec-pwned")


def test_bad_head_revision(repo: Path) -> None:
    result = diff(repo, "HEAD", "nope")
    assert result.code == 2 and "找不到 git 版本“nope”" in result.err


def test_usage_without_base(repo: Path) -> None:
    result = diff(repo)
    assert result.code == 2 and result.err.startswith("perfspec: ")


def test_non_ascii_file_names(repo: Path) -> None:
    git(repo, "mv", IT, "specs/2023/信息化运维项目.yaml")  # git would quote this name without -z
    result = diff(repo, "HEAD")
    assert f"#### 改名：{IT} → specs/2023/信息化运维项目.yaml" in result.out
    assert "**警告** PS011 文件名“信息化运维项目.yaml”不是 ASCII 短名" in result.out  # the one new finding
    assert result.code == 0
