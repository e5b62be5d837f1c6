"""From an empty folder to a working repository: `perfspec init`, `new`, `roll`, and the
checks that only a repository can make (PS016 year vs folder, PS015 one project twice).

The story test runs `perfspec init` in an empty folder pinned to a perfspec git repository
at a tag, writes a form with `perfspec new`, fills it in with the classic mistakes, and
checks that `check`, the real pre-commit hooks (installed by pre-commit from that
repository at that tag) and `render` all work there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest
import yaml

from conftest import ROOT, run_cli
from perfspec.form.kinds import kind_of
from perfspec.form.layout import builtin_layouts, load_layout
from perfspec.load.loader import load_file
from perfspec.scaffold import SCHEMA_FILE, installed_source
from perfspec.scaffold.blank import row_cells, vocabulary
from perfspec.scaffold.schema import SCHEMA_ID

TIMEOUT = 900
INIT_FILES = (
    ".perfspec.yaml", SCHEMA_FILE, ".vscode/settings.json", ".vscode/extensions.json",
    ".pre-commit-config.yaml", ".gitignore",
)


def init(folder, *options: str):
    return run_cli("init", str(folder), "--no-input", *options, cwd=str(folder.parent))


def snapshot(folder) -> dict[str, bytes]:
    out = {}
    for base, _, names in os.walk(folder):
        if ".git" in base.split(os.sep):
            continue
        for name in names:
            path = os.path.join(base, name)
            out[os.path.relpath(path, folder)] = open(path, "rb").read()
    return out


def findings(root, *paths: str) -> list[dict]:
    result = run_cli("check", "--format", "json", *paths, cwd=str(root))
    assert "Traceback" not in result.err, result.err
    return json.loads(result.out)["findings"]


# --------------------------------------------------------------------------- init


def test_init_writes_a_working_repository(tmp_path) -> None:
    repo = tmp_path / "forms"
    result = init(repo, "--year", "2024")
    assert result.code == 0, result.err
    for name in INIT_FILES + ("specs/2024/.gitkeep",):
        assert (repo / name).is_file(), name
    config = yaml.safe_load((repo / ".perfspec.yaml").read_text(encoding="utf-8"))
    assert config == {"profile": "national", "layout": "national-2020", "select": ["PS"], "ignore": [], "paths": ["specs"]}
    # The schema is this repository's own copy (an editor finds it without a network), with a stable $id
    # and the layout's category names as completable properties.
    schema = json.loads((repo / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema["$id"] == SCHEMA_ID and not schema["$id"].startswith("https://perfspec.invalid")
    level1 = schema["properties"]["indicators"]["properties"]
    assert list(level1) == list(load_layout("national-2020").level1)
    assert "数量指标" in level1["产出指标"]["properties"]
    settings = json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {"./schema/perfspec.schema.json": ["specs/**/*.yaml", "specs/**/*.yml"]}
    assert json.loads((repo / ".vscode" / "extensions.json").read_text())["recommendations"] == ["redhat.vscode-yaml"]
    assert "/build/" in (repo / ".gitignore").read_text(encoding="utf-8")
    # Without a known perfspec repository, the hooks run the installed perfspec (and say how to pin one).
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (local,) = hooks["repos"]
    assert local["repo"] == "local" and [h["id"] for h in local["hooks"]] == ["perfspec-fix", "perfspec-check"]
    assert "--source" in result.out


def test_the_schema_copy_is_the_shipped_schema_with_the_layouts_vocabulary(tmp_path) -> None:
    """The shipped schema is exactly what init writes for national-2020: one source, no drift."""
    from perfspec.scaffold.schema import schema_for

    with open(os.path.join(ROOT, "schema", "perfspec.schema.json"), encoding="utf-8") as handle:
        assert handle.read() == schema_for(load_layout("national-2020"))
    older = json.loads(schema_for(load_layout("older-framework")))
    assert list(older["properties"]["indicators"]["properties"])[:1] == ["产出指标"]
    assert "项目决策" in older["properties"]["indicators"]["properties"]


def test_init_again_changes_nothing(tmp_path) -> None:
    repo = tmp_path / "forms"
    assert init(repo, "--year", "2024").code == 0
    config = repo / ".perfspec.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("ignore: []", "ignore: [PS4]  # 我们不要评分建议"), encoding="utf-8")
    (repo / ".gitignore").write_text("*.tmp\n", encoding="utf-8")
    (repo / SCHEMA_FILE).write_text("{}", encoding="utf-8")
    before = snapshot(repo)
    again = init(repo, "--profile", "shanghai", "--layout", "sichuan-2023", "--year", "2024")
    assert again.code == 0, again.err
    assert snapshot(repo) == before
    assert "shanghai" in again.err and "sichuan-2023" in again.err  # named, not applied
    assert "保留 schema/perfspec.schema.json" in again.out


def test_init_with_a_source_pins_hooks_and_ci(tmp_path) -> None:
    repo = tmp_path / "forms"
    result = init(repo, "--ci", "gitlab", "--source", "https://git.example.org/finance/perfspec.git", "--rev", "v1.2.3",
                  "--profile", "shanghai")
    assert result.code == 0, result.err
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert hooks["repos"] == [{
        "repo": "https://git.example.org/finance/perfspec.git", "rev": "v1.2.3",
        "hooks": [{"id": "perfspec-fix"}, {"id": "perfspec-check"}],
    }]
    ci = yaml.safe_load((repo / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci[".perfspec"]["variables"]["PERFSPEC_PACKAGE"] == "perfspec @ git+https://git.example.org/finance/perfspec.git@v1.2.3"
    assert yaml.safe_load((repo / ".perfspec.yaml").read_text(encoding="utf-8"))["layout"] == "shanghai-2023"
    github = tmp_path / "gh"
    assert init(github, "--ci", "github", "--source", "https://x.example/p.git", "--rev", "v1").code == 0
    assert (github / ".github" / "workflows" / "perfspec.yml").is_file()
    # A CI file needs to know where perfspec comes from; half a source is a usage error.
    if installed_source() is None:
        assert init(tmp_path / "none", "--ci", "github").code == 2
    assert init(tmp_path / "half", "--source", "https://x.example/p.git").code == 2


# --------------------------------------------------------------------------- new


@pytest.mark.parametrize("layout_id", builtin_layouts())
def test_new_writes_every_cell_of_the_layout(tmp_path, layout_id: str) -> None:
    repo = tmp_path / "forms"
    layout = load_layout(layout_id)
    kind = kind_of(layout.kind)
    assert init(repo, "--year", "2024").code == 0
    target = repo / "specs" / "2024" / "blank.yaml"
    result = run_cli("new", str(target), "--layout", layout_id, "--project", "测试项目", cwd=str(repo))
    assert result.code == 0, result.err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/perfspec.schema.json\n")
    loaded = load_file(str(target))
    assert loaded.document is not None and not loaded.findings
    data = loaded.document.data
    assert data["year"] == 2024 and data["project"] == "测试项目"
    assert data.get("layout") == (None if layout_id == "national-2020" else layout_id)
    for field in layout.header + layout.sections + layout.signatures:
        assert field.key in data, field.key
    for row in layout.funds_rows:
        assert set(data["funds"][row.key]) >= {c.key for c in layout.funds_columns}
    cells = [key for key, _ in row_cells(layout, kind)]
    for name1, names2 in vocabulary(layout).items():
        for name2 in names2 or (name1,):
            (row,) = data["indicators"][name1][name2]
            rubric = name1 in layout.rubric
            assert [k for k in cells if not (rubric and k in ("nature", "unit"))] == list(row)
            assert all(value is None for value in row.values())
    assert ("total" in data) == layout.has_total and ("grade" in data) == layout.has_grade
    # Every cell line carries its printed label as a Chinese comment.
    for line in text.splitlines():
        if re.match(r"^\s*(- )?[a-z_]+: ", line):
            assert re.search(r"#\s*\S*[\u4e00-\u9fff]", line), line
    # A blank form is reported as blank, never as a crash or a broken structure.
    found = findings(repo, str(target))
    assert not [f for f in found if f["code"] in ("PS001", "PS002", "PS003", "PS004", "PS005", "PS006", "PS009", "PS016")]
    structural = [f["path"] for f in found if f["code"] == "PS010"]
    assert all(p.endswith(".name") or p == "period" for p in structural), structural


def test_new_follows_the_repository_layout_and_kind(tmp_path) -> None:
    repo = tmp_path / "forms"
    assert init(repo, "--profile", "shanghai", "--year", "2024").code == 0
    out = run_cli("new", "--project", "信息化运维项目", cwd=str(repo))
    assert out.code == 0
    data = yaml.safe_load(out.out)
    assert "layout" not in data and "管理者满意度指标" in data["indicators"]["满意度指标"]  # shanghai-2023
    monitoring = run_cli("new", "--kind", "monitoring", "--year", "2024", cwd=str(repo))
    data = yaml.safe_load(monitoring.out)
    assert data["kind"] == "monitoring" and data["layout"] == "monitoring"
    assert set(data["indicators"]["产出指标"]["数量指标"][0]) == {"name", "target", "to_date", "forecast", "likelihood", "deviation", "measures"}
    # The year follows the folder; a different --year is refused, as is overwriting.
    target = repo / "specs" / "2023" / "x.yaml"
    assert run_cli("new", str(target), cwd=str(repo)).code == 0
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["year"] == 2023
    assert run_cli("new", str(target), cwd=str(repo)).code == 2
    assert run_cli("new", str(repo / "specs" / "2023" / "y.yaml"), "--year", "2024", cwd=str(repo)).code == 2
    assert run_cli("new", "--kind", "monitoring", "--layout", "sichuan-2023", cwd=str(repo)).code == 2


# --------------------------------------------------------------------------- year and duplicates


def _repo_with_forms(tmp_path, names: dict[str, str]):
    """A repository (shanghai profile) with the bundled form transaction-basic-management.yaml at each path."""
    repo = tmp_path / "forms"
    assert init(repo, "--profile", "shanghai", "--year", "2023").code == 0
    source = open(os.path.join(ROOT, "specs", "2023", "transaction-basic-management.yaml"), encoding="utf-8").read()
    for name, edit in names.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = source
        for old, new in (pair.split("→") for pair in edit.split("|") if pair):
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return repo


def test_year_must_match_the_year_folder(tmp_path) -> None:
    repo = _repo_with_forms(tmp_path, {"specs/2023/a.yaml": "", "specs/2024/a.yaml": "", "specs/2024/b.yaml": "year: 2023→year: 2024"})
    found = findings(repo)
    ps016 = [(f["file"], f["line"]) for f in found if f["code"] == "PS016"]
    line = (repo / "specs" / "2024" / "a.yaml").read_text(encoding="utf-8").splitlines().index("year: 2023") + 1
    assert ps016 == [("specs/2024/a.yaml", line)]  # the 2023 form copied into 2024 with its year unchanged
    (message,) = [f["message"] for f in found if f["code"] == "PS016"]
    assert "表中的年度是 2023" in message and "2024/" in message


def test_the_same_project_twice_in_one_year(tmp_path) -> None:
    repo = _repo_with_forms(tmp_path, {
        "specs/2023/a.yaml": "",
        "specs/2023/copy.yaml": "",                                      # a copy, project name not changed
        "specs/2023/other.yaml": "房地产交易基础管理 →另一个项目 ",      # a copy made into another project
        "specs/2023/plan.yaml": "year: 2023→kind: target-table\nyear: 2023",  # another kind: not a duplicate
    })
    found = [f for f in findings(repo) if f["code"] == "PS015"]
    assert sorted(f["file"] for f in found) == ["specs/2023/a.yaml", "specs/2023/copy.yaml"]
    assert all(f["severity"] == "error" and f["path"] == "project" for f in found)
    (on_a,) = [f for f in found if f["file"] == "specs/2023/a.yaml"]
    lines = (repo / "specs" / "2023" / "a.yaml").read_text(encoding="utf-8").splitlines()
    assert "specs/2023/copy.yaml" in on_a["message"] and on_a["line"] == next(i for i, l in enumerate(lines, 1) if l.startswith("project:"))
    # A hook is handed only the changed file: the copy is still compared with the forms already there.
    hook = run_cli("check", "--in-paths", "specs/2023/copy.yaml", cwd=str(repo))
    assert hook.code == 1 and " PS015 " in hook.out and "specs/2023/a.yaml" in hook.out
    # The same form checked from outside the repository's paths is not compared with them.
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(repo / "specs" / "2023" / "a.yaml", outside)
    assert " PS015 " not in run_cli("check", str(outside), cwd=str(repo)).out
    # --ignore PS015 (a known code) switches it off.
    assert " PS015 " not in run_cli("check", "--ignore", "PS015", cwd=str(repo)).out


def test_a_duplicate_across_year_folders_and_its_acknowledgement(tmp_path) -> None:
    ack = "implementer: 上海市房地产交易中心 →implementer: 上海市房地产交易中心\nacknowledge:\n  PS015: 两个单位各有一个同名项目\n"
    repo = _repo_with_forms(tmp_path, {"specs/2023/a.yaml": "", "specs/2023/extra/b.yaml": ack})
    found = findings(repo)
    dup = [f for f in found if f["code"] == "PS015"]
    assert [(f["file"], f["acknowledged"]) for f in dup] == [("specs/2023/a.yaml", False), ("specs/2023/extra/b.yaml", True)]
    assert [f["reason"] for f in dup if f["acknowledged"]] == ["两个单位各有一个同名项目"]
    assert not [f for f in found if f["code"] == "PS902"]  # the acknowledgement is used, not "unused"
    # Without the duplicate the acknowledgement is unused, and says so.
    os.remove(repo / "specs" / "2023" / "a.yaml")
    assert [f["code"] for f in findings(repo) if f["code"] in ("PS015", "PS902")] == ["PS902"]


# --------------------------------------------------------------------------- roll and diff


def git(cwd, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=TIMEOUT)


def git_env(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT")) and k != "PYTHONPATH"}
    env.update(PRE_COMMIT_HOME=home, PRE_COMMIT_COLOR="never", NO_COLOR="1", GIT_CONFIG_NOSYSTEM="1")
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    return env


def git_init(path, env) -> None:
    git(path, "init", "-q", "-b", "main", env=env)
    git(path, "config", "user.name", "perfspec tests", env=env)
    git(path, "config", "user.email", "perfspec-tests@example.invalid", env=env)
    git(path, "config", "commit.gpgsign", "false", env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_roll_a_year_and_diff_it(tmp_path) -> None:
    env = git_env(str(tmp_path / "home"))
    repo = tmp_path / "forms"
    assert init(repo, "--profile", "shanghai", "--year", "2023").code == 0
    shutil.copytree(os.path.join(ROOT, "specs", "2023"), repo / "specs" / "2023", dirs_exist_ok=True)
    git_init(repo, env)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "--no-verify", "-m", "2023", env=env)

    rolled = run_cli("roll", "2023", "2024", cwd=str(repo))
    assert rolled.code == 0, rolled.err
    names = sorted(os.listdir(repo / "specs" / "2023"))
    assert sorted(n for n in os.listdir(repo / "specs" / "2024") if n.endswith(".yaml")) == [n for n in names if n.endswith(".yaml")]
    old = (repo / "specs" / "2023" / "it-operations.yaml").read_text(encoding="utf-8")
    new = (repo / "specs" / "2024" / "it-operations.yaml").read_text(encoding="utf-8")
    # Comments and order kept; the aligned funds rows keep their columns.
    assert [l for l in old.splitlines() if l.lstrip().startswith("#")] == [l for l in new.splitlines() if l.lstrip().startswith("#")]
    assert "  total:         {initial: null, annual: null, executed: null}" in new
    data = load_file(str(repo / "specs" / "2024" / "it-operations.yaml")).document.data  # type: ignore[union-attr]
    before = load_file(str(repo / "specs" / "2023" / "it-operations.yaml")).document.data  # type: ignore[union-attr]
    assert data["year"] == 2024 and data["project"] == before["project"]
    assert list(data) == list(before) and list(data["indicators"]) == list(before["indicators"])
    row, old_row = data["indicators"]["产出指标"]["时效指标"][0], before["indicators"]["产出指标"]["时效指标"][0]
    assert (row["name"], row["target"], row["weight"]) == (old_row["name"], old_row["target"], old_row["weight"])
    assert (row["actual"], row["score"]) == (None, None)
    assert data["funds"]["weight"] == Decimal(10) and data["funds"]["rate"] is None and data["funds"]["total"]["annual"] is None
    assert data["total"] == {"weight": None, "score": None} and data["grade"] is None
    assert "acknowledge" not in json.dumps(data, default=str)

    # Next year's forms are blank, not wrong: no year/folder or duplicate findings.
    assert not [f for f in findings(repo) if f["code"] in ("PS015", "PS016", "PS009")]

    # The diff of the roll: nine forms added, with their projects.
    diff = run_cli("diff", "HEAD", cwd=str(repo))
    assert diff.code in (0, 1), diff.err
    assert diff.out.count("specs/2024/") >= 9 and "信息化运维项目" in diff.out
    summary = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=str(repo)).out)["summary"]
    assert summary["added"] == 9 and summary["modified"] == 0

    # Rolling again changes nothing; --force rewrites the same bytes.
    before_again = snapshot(repo)
    again = run_cli("roll", "2023", "2024", cwd=str(repo))
    assert again.code == 0 and "已存在" in again.out and snapshot(repo) == before_again
    assert run_cli("roll", "2023", "2024", "--force", cwd=str(repo)).code == 0
    assert snapshot(repo) == before_again
    assert run_cli("roll", "2019", "2020", cwd=str(repo)).code == 1  # no form of 2019
    assert run_cli("roll", "2023", "2023", cwd=str(repo)).code == 2


def test_roll_keeps_crlf_bom_and_refuses_broken_forms(tmp_path) -> None:
    repo = tmp_path / "forms"
    assert init(repo, "--year", "2023").code == 0
    text = open(os.path.join(ROOT, "specs", "2023", "it-operations.yaml"), encoding="utf-8").read()
    (repo / "specs" / "2023" / "crlf.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    (repo / "specs" / "2023" / "broken.yaml").write_text(text.replace("grade: 优", "grade: [优"), encoding="utf-8")
    (repo / "specs" / "2023" / "dup.yaml").write_text(text + "year: 2023\n", encoding="utf-8")
    result = run_cli("roll", "2023", "2024", cwd=str(repo))
    assert result.code == 1  # two forms could not be rolled, and say why
    assert "dup.yaml" in result.err and "PS002" in result.err
    out = (repo / "specs" / "2024" / "crlf.yaml").read_bytes()
    assert out.startswith(b"\xef\xbb\xbf") and b"\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")
    assert not (repo / "specs" / "2024" / "broken.yaml").exists() and not (repo / "specs" / "2024" / "dup.yaml").exists()


# --------------------------------------------------------------------------- the whole story


def fill(text: str, mistakes: bool) -> str:
    """A blank national-2020 form filled in by hand (as a person would), with or without the classic mistakes."""
    from ruamel.yaml import YAML
    import io

    yaml_rt = YAML()
    yaml_rt.preserve_quotes = True
    yaml_rt.indent(mapping=2, sequence=4, offset=2)
    data = yaml_rt.load(text)
    data["department"] = "某市财政局"
    data["implementer"] = "某市信息中心"
    for row in ("total", "appropriation"):
        data["funds"][row].update(initial=Decimal("100.00"), annual=Decimal("100.00"), executed=Decimal("98.50"))
    for row in ("carryover", "other"):
        data["funds"][row].update(initial=Decimal("0.00"), annual=Decimal("0.00"), executed=Decimal("0.00"))
    data["funds"]["rate"] = Decimal("98.50")
    data["funds"]["score"] = Decimal("9.85")
    data["goals"]["expected"] = "保障信息系统全年稳定运行。"
    data["goals"]["achieved"] = "信息系统全年稳定运行。"
    indicators = data["indicators"]
    del indicators["成本指标"]
    for name1, keep in (("产出指标", ("数量指标", "质量指标")), ("效益指标", ("社会效益指标",))):
        for name2 in list(indicators[name1]):
            if name2 not in keep:
                del indicators[name1][name2]
    rows = {
        ("产出指标", "数量指标"): ("运维服务覆盖系统数", "≥20个", "22个", 25, 25),
        ("产出指标", "质量指标"): ("系统可用率", "≥99%", "99.5%", 25, Decimal("20.001") if mistakes else 25),
        ("效益指标", "社会效益指标"): ("办事效率", "明显提升", "明显提升", 30, 30),
        ("满意度指标", "服务对象满意度指标"): ("使用人员满意度", "≥90%", "88%", 10, 8),
    }
    for (name1, name2), (name, target, actual, weight, score) in rows.items():
        row = indicators[name1][name2][0]
        row.update(name=name, target=target, actual=actual, weight=weight, score=score)
        if not mistakes and score != weight:
            row["deviation"] = "个别部门反馈流程不熟悉，已安排集中培训。"
    data["total"]["weight"] = Decimal("100.00")
    data["total"]["score"] = Decimal("97.85")  # right only once 20.001 is 25: the classic wrong total
    data["grade"] = "优"
    stream = io.StringIO()
    yaml_rt.representer.add_representer(type(None), lambda rep, _v: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    yaml_rt.representer.add_representer(Decimal, lambda rep, v: rep.represent_scalar("tag:yaml.org,2002:float", format(v, "f")))
    yaml_rt.dump(data, stream)
    return stream.getvalue()


@pytest.fixture(scope="module")
def perfspec_repository(tmp_path_factory):
    """This working tree committed to a throwaway git repository and tagged v9.9.9 (pre-commit clones at a tag)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("source")
    env = git_env(str(base / "pre-commit-home"))
    source = base / "perfspec"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks",
    ))
    git_init(source, env)
    git(source, "add", "-A", env=env)
    git(source, "commit", "-q", "--no-verify", "-m", "perfspec under test", env=env)
    git(source, "tag", "v9.9.9", env=env)
    return str(source), env


def test_from_an_empty_folder_to_checks_hooks_and_reports(tmp_path, perfspec_repository) -> None:
    pytest.importorskip("pre_commit", reason="the pre-commit framework is not installed")
    source, env = perfspec_repository
    repo = tmp_path / "forms"
    assert init(repo, "--source", source, "--rev", "v9.9.9", "--year", "2023").code == 0
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert hooks["repos"][0]["repo"] == source and hooks["repos"][0]["rev"] == "v9.9.9"

    form = repo / "specs" / "2023" / "it-operations.yaml"
    assert run_cli("new", str(form), "--project", "信息化运维项目", cwd=str(repo)).code == 0
    blank = form.read_text(encoding="utf-8")
    form.write_text(fill(blank, mistakes=True), encoding="utf-8")
    # The other classic mistakes: last year's form copied in unchanged, and a copy left with the old project name.
    (repo / "specs" / "2024").mkdir()
    shutil.copy(form, repo / "specs" / "2024" / "it-operations.yaml")
    shutil.copy(form, repo / "specs" / "2023" / "it-operations-copy.yaml")

    # check
    codes = {(f["file"], f["code"]) for f in findings(repo) if f["severity"] == "error"}
    assert ("specs/2023/it-operations.yaml", "PS201") in codes  # 8 of 10 points and no deviation note
    assert ("specs/2023/it-operations.yaml", "PS108") in codes  # 20.001
    assert ("specs/2023/it-operations.yaml", "PS105") in codes  # the stated total does not add up
    assert ("specs/2024/it-operations.yaml", "PS016") in codes  # a 2023 form in 2024/
    assert ("specs/2023/it-operations-copy.yaml", "PS015") in codes  # the same project twice in 2023

    # render works on the repository, mistakes and all
    rendered = run_cli("render", "-o", str(tmp_path / "report"), cwd=str(repo))
    assert rendered.code == 0, rendered.err
    assert (tmp_path / "report" / "index.html").is_file()

    # pre-commit, installed by pre-commit itself from perfspec's repository at the tag
    git_init(repo, env)
    install = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env,
                             capture_output=True, text=True, timeout=TIMEOUT)
    assert install.returncode == 0, install.stdout + install.stderr
    os.remove(repo / "specs" / "2024" / "it-operations.yaml")
    os.remove(repo / "specs" / "2023" / "it-operations-copy.yaml")
    git(repo, "add", "-A", env=env)
    refused = subprocess.run(["git", "commit", "-m", "a form with mistakes"], cwd=repo, env=env,
                             capture_output=True, text=True, timeout=TIMEOUT)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "PS201" in output and "PS108" in output

    # Corrected by hand (the note, the score); the total is left for the perfspec-fix hook.
    corrected = fill(blank, mistakes=False)
    assert corrected.count("score: 97.85") == 1
    form.write_text(corrected.replace("score: 97.85", "score: null"), encoding="utf-8")
    git(repo, "add", "-A", env=env)
    stopped = subprocess.run(["git", "commit", "-m", "corrected"], cwd=repo, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert stopped.returncode != 0  # fix changed the file: the commit stops for review
    assert "97.85" in form.read_text(encoding="utf-8")
    git(repo, "add", "-A", env=env)
    done = subprocess.run(["git", "commit", "-m", "corrected"], cwd=repo, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not [f for f in findings(repo) if f["severity"] == "error"]


def test_init_asks_on_a_terminal(tmp_path, monkeypatch) -> None:
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    # profile: a wrong answer is asked again; layout: Enter takes the profile's; CI: none.
    monkeypatch.setattr(sys, "stdin", Terminal("zhejiang\nshanghai\n\nnone\n"))
    repo = tmp_path / "forms"
    result = run_cli("init", str(repo), "--year", "2024", cwd=str(tmp_path))
    assert result.code == 0, result.err
    assert "规则配置（profile）" in result.out and "请从" in result.out
    config = yaml.safe_load((repo / ".perfspec.yaml").read_text(encoding="utf-8"))
    assert (config["profile"], config["layout"]) == ("shanghai", "shanghai-2023")
    assert not (repo / ".gitlab-ci.yml").exists() and not (repo / ".github").exists()
