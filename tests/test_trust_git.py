"""`perfspec diff` trusts nothing in the repository: no command from its git config runs, no link
leads out of it, no blob is read whole, no rename is quadratic, and a configuration change that
weakens the gate is stated in the comment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, commit, git, run_cli, seed_repo
from test_hostile import perfspec as measured

SEEDS = Path(ROOT) / "specs" / "2023"
IT = "specs/2023/it-operations.yaml"
HOUSING = "specs/2023/housing-rental-management.yaml"
NOTE = "        deviation: 偏差原因：对小区房源租金的分析能力有待加强。改进措施：形成各小区的房源租金库时，提供更为清晰和可视化的图表，建立数据关联，便于充分利用租赁平台数据进行各项分析。\n"
SECRET = "TOP-SECRET-77e2b0"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return seed_repo(tmp_path, monkeypatch)


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    file.write_text(text.replace(old, new), encoding="utf-8")


# --------------------------------------------------------------------------- commands from the repository's git config


def test_no_command_from_the_git_config_runs(repo: Path, tmp_path: Path) -> None:
    markers = {name: tmp_path / f"PWNED-{name}" for name in ("fsmonitor", "clean", "smudge", "textconv", "external", "hook")}
    git(repo, "config", "core.fsmonitor", f"touch {markers['fsmonitor']}; false")
    git(repo, "config", "filter.x.clean", f"touch {markers['clean']}; cat")
    git(repo, "config", "filter.x.smudge", f"touch {markers['smudge']}; cat")
    git(repo, "config", "filter.x.required", "true")
    git(repo, "config", "diff.y.textconv", f"touch {markers['textconv']}; cat")
    git(repo, "config", "diff.external", f"touch {markers['external']}; true")
    hooks = repo / ".git" / "hooks"
    for hook in ("post-index-change", "reference-transaction", "post-checkout"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {markers['hook']}\n", encoding="utf-8")
        (hooks / hook).chmod(0o755)
    (repo / ".gitattributes").write_text("*.yaml filter=x diff=y\n", encoding="utf-8")
    edit(repo, IT, "score: 97.96}", "score: 97.95}")
    (repo / "specs" / "2023" / "draft.yaml").write_text("year: 2024\n", encoding="utf-8")
    for argv in (["diff", "HEAD"], ["diff", "HEAD", "--format", "json"]):
        result = run_cli(*argv, cwd=str(repo))
        assert result.code == 1, result.out + result.err  # PS105: the total no longer adds up
        assert "specs/2023/draft.yaml" in result.out
    for name, marker in markers.items():
        if name != "smudge":
            assert not marker.exists(), f"{name} ran"
    # The control: git itself does run them.
    subprocess.run(["git", "status"], cwd=repo, capture_output=True, check=False)
    assert markers["fsmonitor"].exists() or markers["clean"].exists()


def test_every_git_command_is_neutralised(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only rev-parse, ls-tree, cat-file, ls-files and check-ignore run, each with the safety options; one process per blob kind.
    The 目标变更 section (perfspec/targets.py) also lists commits and their changed paths: log and diff-tree,
    with no external diff, text conversion or signature check, and merge-base for the budget tag."""
    import perfspec.gitrepo as gitrepo

    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run, real_popen = subprocess.run, subprocess.Popen

    def run(argv, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((list(argv), dict(kwargs.get("env") or {})))
        return real_run(argv, *args, **kwargs)

    class Popen(real_popen):  # type: ignore[misc,valid-type]
        def __init__(self, argv, *args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append((list(argv), dict(kwargs.get("env") or {})))
            super().__init__(argv, *args, **kwargs)

    monkeypatch.setattr(gitrepo.subprocess, "run", run)
    monkeypatch.setattr(gitrepo.subprocess, "Popen", Popen)
    for path in sorted((repo / "specs" / "2023").iterdir()):
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "# edited\n", encoding="utf-8")  # every form changed: nine blobs to read
    result = run_cli("diff", "HEAD", cwd=str(repo))
    assert result.code in (0, 1), result.err
    assert calls
    commands = []
    for argv, env in calls:
        assert argv[0] == "git"
        for option in ("core.fsmonitor=false", "core.hooksPath=/dev/null", "diff.external=", "protocol.allow=never"):
            assert option in argv, argv
        assert env.get("GIT_CONFIG_NOSYSTEM") == "1"
        assert "--ext-diff" not in argv and "--textconv" not in argv
        words = [a for a in argv[1:] if not a.startswith("-") and "=" not in a and a != str(repo) and not a.startswith(os.sep)]
        commands.append(words[0])
    allowed = {"rev-parse", "ls-tree", "cat-file", "check-ignore", "ls-files", "log", "diff-tree", "merge-base"}
    assert set(commands) <= allowed, commands
    for argv, _ in calls:
        if "log" in argv or "diff-tree" in argv:
            assert "--no-ext-diff" in argv and "--no-textconv" in argv, argv
        if "log" in argv:
            assert "--no-show-signature" in argv, argv
    cat_files = [argv for argv, _ in calls if "cat-file" in argv]
    assert sorted(a[-1] for a in cat_files) == ["--batch", "--batch-check"]  # one process each, for all nine blobs


def test_commit_to_commit_reads_no_working_tree(repo: Path) -> None:
    edit(repo, IT, "score: 97.96}", "score: 97.95}")
    commit(repo)
    (repo / IT).write_text("garbage: [\n", encoding="utf-8")  # not what HEAD holds
    result = run_cli("diff", "HEAD~1", "HEAD", cwd=str(repo))
    assert result.code == 1 and "97.96 → 97.95" in result.out and "garbage" not in result.out


# --------------------------------------------------------------------------- links, pipes and devices in the working tree


def test_a_link_out_of_the_repository_is_not_read(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"project: {SECRET}\n", encoding="utf-8")
    (repo / "specs" / "2023" / "leak.yaml").symlink_to(secret)
    os.unlink(repo / IT)
    os.symlink(secret, repo / IT)  # a tracked form replaced by a link out
    result = run_cli("diff", "HEAD", cwd=str(repo))
    assert SECRET not in result.out and SECRET[:8] not in result.out
    assert "仓库之外" in result.out
    assert result.code == 1  # an unreadable head form fails the gate: nothing unchecked passes
    code_json = run_cli("diff", "HEAD", "--format", "json", cwd=str(repo))
    data = json.loads(code_json.out)
    assert SECRET not in code_json.out and data["summary"]["unreadable"] == 2 and data["summary"]["fails"]


def test_the_specs_folder_linked_outside_is_not_read(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(repo / "specs", outside)
    (outside / "2023" / "extra.yaml").write_text(f"project: {SECRET}\n", encoding="utf-8")
    shutil.rmtree(repo / "specs")
    (repo / "specs").symlink_to(outside, target_is_directory=True)
    result = run_cli("diff", "HEAD", cwd=str(repo))
    assert SECRET not in result.out and "extra.yaml" not in result.out


def test_dev_zero_and_a_fifo_neither_hang_nor_flood(repo: Path) -> None:
    os.unlink(repo / IT)
    os.symlink("/dev/zero", repo / IT)
    (repo / "specs" / "2023" / "urandom.yaml").symlink_to("/dev/urandom")
    if hasattr(os, "mkfifo"):
        os.unlink(repo / HOUSING)
        os.mkfifo(repo / HOUSING)
    run = measured(["diff", "HEAD"], str(repo))
    run.assert_sound(codes=(1,))
    assert "不是普通文件" in run.out


def test_a_huge_blob_is_never_read(repo: Path) -> None:
    """A 300 MB blob in the base revision: its size is read, its contents are not."""
    size = 300 * 1024 * 1024
    proc = subprocess.Popen(["git", "hash-object", "-w", "--stdin"], cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    chunk = b"# " + b"x" * (1024 * 1024 - 3) + b"\n"
    for _ in range(size // len(chunk)):
        proc.stdin.write(chunk)
    proc.stdin.close()
    sha = proc.stdout.read().decode("ascii").strip()
    assert proc.wait() == 0
    git(repo, "update-index", "--add", "--cacheinfo", f"100644,{sha},specs/2023/huge.yaml")
    git(repo, "commit", "-q", "-m", "huge")
    git(repo, "rm", "-q", "--cached", "specs/2023/huge.yaml")  # removed in the working tree: the base is read
    run = measured(["diff", "HEAD", "--format", "json"], str(repo))
    run.assert_sound(codes=(0, 1))
    assert run.rss_mb < 150, run.describe()  # git show read it whole: 300 MB and more
    data = json.loads(run.out)
    [form] = [f for f in data["forms"] if f["path"] == "specs/2023/huge.yaml"]
    assert form["status"] == "removed" and "PS004" in form["base"]["error"]


# --------------------------------------------------------------------------- no quadratic rename


def indicators_form(names: list[str], values: list[int] | None = None) -> dict:
    values = values if values is not None else list(range(len(names)))
    return {
        "year": 2023, "project": "p",
        "indicators": {"产出指标": {"数量指标": [
            {"name": n, "target": f"={v}.00(个)", "actual": f"{v}.00(个)", "weight": 1, "score": 1}
            for n, v in zip(names, values)
        ]}},
    }


def test_renaming_2500_indicators_is_not_quadratic(monkeypatch: pytest.MonkeyPatch) -> None:
    import perfspec.diff as diff
    from perfspec.form.model import build

    count = 2500
    before = build(indicators_form([f"第{i}项服务完成数量" for i in range(count)])).indicators
    after = build(indicators_form([f"第{i}项服务的完成数量" for i in range(count)])).indicators
    assert len(before) == len(after) == count
    calls = [0]
    similarity = diff._similarity

    def counted(b, a):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] > 50 * count:
            raise AssertionError("quadratic: more than 50 comparisons per indicator")
        return similarity(b, a)

    monkeypatch.setattr(diff, "_similarity", counted)
    start = time.monotonic()
    pairs = diff.match_indicators(before, after)
    assert time.monotonic() - start < 10
    renamed = [(b, a) for b, a, how in pairs if how == "renamed"]
    assert len(renamed) == count
    assert all(b.name.replace("服务", "服务的") == a.name for b, a in renamed)


def test_small_categories_still_find_the_best_rename() -> None:
    from perfspec.diff import match_indicators
    from perfspec.form.model import build

    # Every pair of a small category is compared: a rename is found wherever it moved to.
    before = build(indicators_form(["办结率", "群众满意度", "投诉处理率"], [1, 2, 3])).indicators
    after = build(indicators_form(["投诉处理及时率", "办结率", "群众满意程度"], [3, 1, 2])).indicators
    how = {(b.name if b else None, a.name if a else None): h for b, a, h in match_indicators(before, after)}
    assert how == {("办结率", "办结率"): "same", ("群众满意度", "群众满意程度"): "renamed", ("投诉处理率", "投诉处理及时率"): "renamed"}


# --------------------------------------------------------------------------- the configuration of each side


def weaken(repo: Path) -> None:
    """The MR that slipped through: a deviation note deleted and PS2 ignored in the same change."""
    edit(repo, HOUSING, NOTE, "")
    text = (repo / ".perfspec.yaml").read_text(encoding="utf-8")
    (repo / ".perfspec.yaml").write_text(text.replace("ignore: []", "ignore: [PS2]"), encoding="utf-8")


def test_a_weakening_config_change_is_stated_in_the_comment(repo: Path) -> None:
    weaken(repo)
    result = run_cli("diff", "HEAD", cwd=str(repo))
    out = result.out
    assert "⚠ 配置有变化" in out.splitlines()[0]
    assert "- ⚠ .perfspec.yaml 的 ignore 增加了 PS2" in out
    assert "修改后不再检查的规则：PS201" in out
    assert "按修改前的配置会新增的检查结果" in out and "PS201" in out  # what the new config hides
    data = json.loads(run_cli("diff", "HEAD", "--format", "json", "--lang", "en", cwd=str(repo)).out)
    assert data["summary"]["configuration_changed"] and data["summary"]["configuration_weakens"]
    assert {"message": ".perfspec.yaml: ignore gained PS2", "weakens": True} in data["configuration"]["changes"]
    assert data["summary"]["hidden_by_configuration"]["error"] == 1
    [form] = data["forms"]
    assert [f["code"] for f in form["hidden_by_configuration"]] == ["PS201"]


def test_the_base_side_is_checked_with_the_base_config(repo: Path) -> None:
    weaken(repo)
    commit(repo, "weaken")
    # Commit to commit: base HEAD~1 with its own config (PS2 checked), head with its own (PS2 ignored).
    data = json.loads(run_cli("diff", "HEAD~1", "HEAD", "--format", "json", cwd=str(repo)).out)
    assert data["configuration"]["changes"] and data["summary"]["configuration_weakens"]
    assert data["summary"]["hidden_by_configuration"]["error"] == 1
    # The working tree restores the check but not the note: PS201 is new against a base that ignored it.
    text = (repo / ".perfspec.yaml").read_text(encoding="utf-8")
    (repo / ".perfspec.yaml").write_text(text.replace("ignore: [PS2]", "ignore: []"), encoding="utf-8")
    (repo / HOUSING).write_text((repo / HOUSING).read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    back = run_cli("diff", "HEAD", "--format", "json", cwd=str(repo))
    data = json.loads(back.out)
    assert back.code == 1
    assert "PS201" in {f["code"] for form in data["forms"] for f in form["new_findings"]}
    assert not data["summary"]["configuration_weakens"]
    assert "rules now checked" in json.dumps(data, ensure_ascii=False) or data["configuration"]["changes"]


def test_command_line_options_apply_to_both_sides(repo: Path) -> None:
    weaken(repo)
    result = run_cli("diff", "HEAD", "--ignore", "PS1", cwd=str(repo))
    assert "ignore 增加了 PS2" in result.out and "命令行" in result.out
    assert "不再检查的规则" not in result.out  # --ignore PS1 was in force on both sides
    assert result.code == 1 and "PS201" in result.out  # so the deleted note is a new error


def test_a_repository_profile_change_is_reported(repo: Path) -> None:
    (repo / "profiles").mkdir()
    (repo / "profiles" / "mine.yaml").write_text("extends: shanghai\nname: mine\n", encoding="utf-8")
    (repo / ".perfspec.yaml").write_text("profile: profiles/mine.yaml\nselect: [PS]\npaths: [specs]\n", encoding="utf-8")
    commit(repo, "own profile")
    (repo / "profiles" / "mine.yaml").write_text(
        "extends: shanghai\nname: mine\nseverity: {PS201: warning}\n", encoding="utf-8"
    )
    edit(repo, HOUSING, NOTE, "")
    result = run_cli("diff", "HEAD", cwd=str(repo))
    assert "⚠ 配置有变化" in result.out
    assert "profile profiles/mine.yaml 的内容有变化" in result.out and "严重级别降低：PS201 错误 → 警告" in result.out
    # The base side was read with the base profile: PS201 was an error there, and is a warning now.
    assert "**警告** PS201" in result.out


def test_an_unchanged_config_says_nothing(repo: Path) -> None:
    edit(repo, IT, "score: 97.96}", "score: 97.95}")
    result = run_cli("diff", "HEAD", cwd=str(repo))
    assert "配置有变化" not in result.out
    data = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=str(repo)).out)
    assert data["configuration"]["changes"] == [] and not data["summary"]["configuration_changed"]


# --------------------------------------------------------------------------- commit to commit, only what changed is read
# Git names the changed files; no tree is listed whole. What the comment still needs from unchanged
# files is each side's configuration: `.perfspec.yaml`, and the profile and layout files it names,
# which may sit anywhere, hidden files and folders inside the spec folder included.


@pytest.mark.parametrize("where, folders", [
    ("specs/.profiles/mine.yaml", 0),  # a hidden folder below specs: its files are no forms
    ("specs/.mine.yaml", 20),  # a hidden file among twenty spec folders (one pattern for every depth)
])
def test_an_unchanged_profile_inside_the_spec_folder_is_used_by_both_sides(repo: Path, where: str, folders: int) -> None:
    (repo / where).parent.mkdir(parents=True, exist_ok=True)
    (repo / where).write_text("extends: shanghai\nname: mine\nseverity: {PS201: warning}\n", encoding="utf-8")
    (repo / ".perfspec.yaml").write_text(f"profile: {where}\nselect: [PS]\npaths: [specs]\n", encoding="utf-8")
    for n in range(folders):
        shutil.copy(repo / IT, repo / "specs" / f"d{n}.yaml")
        (repo / "specs" / f"d{n}").mkdir()
        shutil.copy(repo / IT, repo / "specs" / f"d{n}" / "it.yaml")
    commit(repo, "own profile")
    edit(repo, HOUSING, NOTE, "")
    commit(repo, "note deleted")
    result = run_cli("diff", "HEAD~1", "HEAD", cwd=str(repo))
    assert result.code == 0, result.err  # PS201 is a warning under the profile, found in the unchanged tree
    assert "**警告** PS201" in result.out and "配置有变化" not in result.out
    assert "1 张表有变化" in result.out.splitlines()[0]


def test_a_profile_changed_inside_the_spec_folder_between_commits_is_reported(repo: Path) -> None:
    """The head's configuration files are the base's with the changed files applied: a change is seen."""
    (repo / "specs" / ".mine.yaml").write_text("extends: shanghai\nname: mine\n", encoding="utf-8")
    (repo / ".perfspec.yaml").write_text("profile: specs/.mine.yaml\nselect: [PS]\npaths: [specs]\n", encoding="utf-8")
    commit(repo, "own profile")
    (repo / "specs" / ".mine.yaml").write_text("extends: shanghai\nname: mine\nseverity: {PS201: warning}\n", encoding="utf-8")
    edit(repo, HOUSING, NOTE, "")
    commit(repo, "note deleted, PS201 lowered")
    result = run_cli("diff", "HEAD~1", "HEAD", cwd=str(repo))
    assert "profile specs/.mine.yaml 的内容有变化" in result.out and "严重级别降低：PS201 错误 → 警告" in result.out
    assert "**警告** PS201" in result.out


def test_yaml_files_are_the_trees_yaml_files_other_than_forms(repo: Path) -> None:
    """`Git.yaml_files` leaves out only forms: hidden files and folders, odd names, other folders stay."""
    from perfspec.gitrepo import Git, is_spec

    files = [
        "specs/.x.yaml", "specs/.hid/a.yaml", "specs/.hid/deeper/b.yml", "specs/2023/.y.yml", "specs/we[i]rd*/w.yaml",
        "specs/we[i]rd*/.z.yaml", "specs/a?b/c.yaml", "specs/2023/sub/form.yml", "profiles/p.yaml", "notes.yml",
        ".github/ci.yml", "specs/readme.txt", "specsx/form.yaml",
    ]
    for name in files:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("a: 1\n", encoding="utf-8")
    os.symlink("../2023/it-operations.yaml", repo / "specs" / ".hid" / "link.yaml")
    commit(repo, "odd files")
    g = Git(str(repo))
    head = g.resolve("HEAD")
    tree = g.tree(head)
    for specs in (["specs"], ["specs/2023", "specs/.hid"], [""], ["specs/2023/it-operations.yaml"]):
        expected = {p: e for p, e in tree.items() if p.endswith((".yaml", ".yml")) and not is_spec(p, specs)}
        got = g.yaml_files(head, specs, [".perfspec.yaml"])
        assert {p: e for p, e in got.items() if not is_spec(p, specs)} == expected, specs
        assert ".perfspec.yaml" in got
    assert "specs/.hid/link.yaml" in g.yaml_files(head, ["specs"])  # a link is listed (and never followed)


def test_commit_to_commit_lists_no_whole_tree(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forms, the configuration and the 目标变更 history come from what git says changed."""
    import perfspec.gitrepo as gitrepo

    edit(repo, IT, "score: 97.96}", "score: 97.95}")
    commit(repo)
    edit(repo, HOUSING, NOTE, "")
    commit(repo)
    calls: list[list[str]] = []
    real_run = subprocess.run

    def run(argv, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(list(argv))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(gitrepo.subprocess, "run", run)
    result = run_cli("diff", "HEAD~2", "HEAD", "--budget-tag", "HEAD~2", cwd=str(repo))
    assert result.code == 1 and "97.96 → 97.95" in result.out and "PS201" in result.out
    listings = [argv for argv in calls if "ls-tree" in argv]
    assert listings and all("-d" in argv for argv in listings), listings  # folders only


def test_the_working_tree_leaves_out_untracked_ignored_forms_only(repo: Path) -> None:
    """Git's ignore rules apply to untracked forms; a tracked form they match is still compared.
    (check-ignore is asked about the untracked ones only: about 10,000 tracked forms it took seconds.)"""
    (repo / ".gitignore").write_text("specs/2023/draft-*.yaml\n", encoding="utf-8")
    shutil.copy(repo / IT, repo / "specs" / "2023" / "draft-tracked.yaml")
    git(repo, "add", "-f", ".gitignore", "specs/2023/draft-tracked.yaml")
    git(repo, "commit", "-q", "-m", "a tracked draft")
    edit(repo, "specs/2023/draft-tracked.yaml", "score: 97.96}", "score: 97.95}")
    shutil.copy(repo / IT, repo / "specs" / "2023" / "draft-new.yaml")  # untracked and ignored
    shutil.copy(repo / IT, repo / "specs" / "2023" / "kept-new.yaml")  # untracked, not ignored
    result = run_cli("diff", "HEAD", cwd=str(repo))
    assert result.code in (0, 1), result.err
    assert "specs/2023/draft-tracked.yaml | 修改" in result.out and "97.96 → 97.95" in result.out
    assert "specs/2023/kept-new.yaml | 新增" in result.out
    assert "draft-new" not in result.out
