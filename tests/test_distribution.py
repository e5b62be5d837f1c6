"""Distribution that works: packaging metadata, versions from tags, the CI and pre-commit
examples (against the CI systems' published schemas, and run where they can be run),
SARIF for GitHub code scanning, GitHub's annotation limits, and rule help in Markdown.

The GitHub Actions and GitLab CI schemas are the ones SchemaStore publishes, as vendored
by check-jsonschema (`--builtin-schema vendor.github-workflows`, `vendor.gitlab-ci`), so
no network is needed; pre-commit validates its own files (`validate-config`,
`validate-manifest`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT, run_cli
from perfspec import scaffold

try:  # Python 3.11+
    import tomllib
except ImportError:  # pragma: no cover
    tomllib = None  # type: ignore[assignment]

EXAMPLES = os.path.join(ROOT, "examples")
SPECS = os.path.join(ROOT, "specs", "2023")
REFERENCE = os.path.join(SPECS, "it-operations.yaml")


def pyproject() -> dict:
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        return tomllib.load(handle)


# --------------------------------------------------------------------------- packaging


def test_packaging_metadata() -> None:
    data = pyproject()
    project = data["project"]
    assert project["license"] == "MIT"  # an SPDX expression, not the deprecated table
    assert "version" in project["dynamic"] and "version" not in project
    requires = data["build-system"]["requires"]
    setuptools = next(r for r in requires if r.startswith("setuptools>") or r.startswith("setuptools="))
    assert re.search(r"<\s*\d", setuptools), "the build backend has an upper bound"
    assert any(r.startswith("setuptools-scm") for r in requires)  # a build requirement only
    assert not any("setuptools" in d for d in project["dependencies"])
    extras = project["optional-dependencies"]
    assert any(d.startswith("pygls") for d in extras["lsp"]) and any(d.startswith("pygls") for d in extras["test"])
    packages = data["tool"]["setuptools"]["packages"]
    assert {"perfspec.scaffold", "perfspec.lsp"} <= set(packages)
    assert data["tool"]["setuptools"]["package-data"]["perfspec.scaffold"] == ["templates/*"]


def _git(cwd, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(os.environ.get("PERFSPEC_SKIP_INSTALL_TEST") == "1", reason="asked to skip")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_version_comes_from_the_tag_and_the_build_is_clean(tmp_path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks",
    ))
    _git(source, "init", "-q", "-b", "main")
    _git(source, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "-A")
    _git(source, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
         "commit", "-q", "--no-verify", "-m", "release")
    _git(source, "tag", "v7.7.7")
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), str(source)],
        capture_output=True, text=True, timeout=900,
    )
    output = built.stdout + built.stderr
    assert built.returncode == 0, output
    (wheel,) = os.listdir(wheels)
    assert wheel.startswith("perfspec-7.7.7-"), wheel
    assert "Deprecat" not in output and "license" not in output.lower(), output
    import zipfile

    with zipfile.ZipFile(wheels / wheel) as archive:
        metadata = archive.read("perfspec-7.7.7.dist-info/METADATA").decode("utf-8")
        names = archive.namelist()
    assert "License-Expression: MIT" in metadata
    assert "perfspec/scaffold/templates/gitlab-ci.yml" in names and "perfspec/lsp/server.py" in names


# --------------------------------------------------------------------------- the examples


def test_examples_are_the_templates_init_writes() -> None:
    """examples/ shows exactly what `perfspec init --source … --rev …` writes (with an example address)."""
    source = scaffold.EXAMPLE_SOURCE
    for name, text in (
        ("github-workflow.yml", scaffold.ci_config("github", source)),
        ("gitlab-ci.yml", scaffold.ci_config("gitlab", source)),
        ("pre-commit-config.yaml", scaffold.precommit_config(source)),
    ):
        with open(os.path.join(EXAMPLES, name), encoding="utf-8") as handle:
            assert handle.read() == text, f"examples/{name} differs from perfspec/scaffold/templates"


def _examples_and_generated() -> list[tuple[str, str]]:
    """(schema, text) for every CI file a user may copy or get from init."""
    source = scaffold.Source("https://git.example.org/finance/perfspec.git", "v1.0.0")
    out = []
    for name, schema in (("github-workflow.yml", "vendor.github-workflows"), ("gitlab-ci.yml", "vendor.gitlab-ci")):
        with open(os.path.join(EXAMPLES, name), encoding="utf-8") as handle:
            out.append((schema, handle.read()))
    out.append(("vendor.github-workflows", scaffold.ci_config("github", source)))
    out.append(("vendor.gitlab-ci", scaffold.ci_config("gitlab", source)))
    return out


@pytest.mark.parametrize("schema,text", _examples_and_generated(), ids=["github", "gitlab", "github-init", "gitlab-init"])
def test_ci_files_validate_against_the_published_schemas(tmp_path, schema: str, text: str) -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is not installed (it is in the test extra)")
    path = tmp_path / "ci.yml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_files_validate_with_pre_commit(tmp_path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed")
    local = tmp_path / "local.yaml"
    local.write_text(scaffold.precommit_config(None), encoding="utf-8")
    for args in (
        ["validate-config", os.path.join(EXAMPLES, "pre-commit-config.yaml")],
        ["validate-config", str(local)],
        ["validate-manifest", os.path.join(ROOT, ".pre-commit-hooks.yaml")],
    ):
        result = subprocess.run([sys.executable, "-m", "pre_commit", *args], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (args, result.stdout + result.stderr)
    # The local hooks run the same commands as the published ones.
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as handle:
        published = {h["id"]: h["entry"] for h in yaml.safe_load(handle)}
    (repo,) = yaml.safe_load(local.read_text(encoding="utf-8"))["repos"]
    assert {h["id"]: h["entry"] for h in repo["hooks"]} == published


def test_examples_install_from_the_git_repository_at_a_tag() -> None:
    url, rev = scaffold.EXAMPLE_SOURCE
    with open(os.path.join(EXAMPLES, "pre-commit-config.yaml"), encoding="utf-8") as handle:
        (repo,) = yaml.safe_load(handle)["repos"]
    assert (repo["repo"], repo["rev"]) == (url, rev) and re.fullmatch(r"v\d+\.\d+\.\d+", rev)
    github = yaml.safe_load(open(os.path.join(EXAMPLES, "github-workflow.yml"), encoding="utf-8"))
    (job,) = github["jobs"].values()
    assert job["env"]["PERFSPEC_PACKAGE"] == f"perfspec @ git+{url}@{rev}"
    gitlab = yaml.safe_load(open(os.path.join(EXAMPLES, "gitlab-ci.yml"), encoding="utf-8"))
    assert gitlab[".perfspec"]["variables"]["PERFSPEC_PACKAGE"] == f"perfspec @ git+{url}@{rev}"
    for name in ("github-workflow.yml", "gitlab-ci.yml"):
        text = open(os.path.join(EXAMPLES, name), encoding="utf-8").read()
        assert "软件包索引" in text and "perfspec==<版本>" in text  # how to switch to an index


def test_github_workflow_goes_on_without_code_scanning() -> None:
    data = yaml.safe_load(open(os.path.join(EXAMPLES, "github-workflow.yml"), encoding="utf-8"))
    (job,) = data["jobs"].values()
    steps = job["steps"]
    upload = next(i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    annotate = next(i for i, s in enumerate(steps) if "--format github" in str(s.get("run", "")))
    sarif = next(i for i, s in enumerate(steps) if "--format sarif" in str(s.get("run", "")))
    assert sarif < annotate < upload  # annotations do not wait for code scanning
    assert steps[upload]["continue-on-error"] is True  # private repositories without code scanning, forks
    assert "always()" in steps[upload]["if"]  # uploaded even when the annotations step failed the job
    summary = next(s for s in steps if "perfspec diff" in str(s.get("run", "")))
    assert "always()" in summary["if"]


def test_gitlab_ci_one_pipeline_per_push() -> None:
    data = yaml.safe_load(open(os.path.join(EXAMPLES, "gitlab-ci.yml"), encoding="utf-8"))
    rules = data["workflow"]["rules"]
    assert rules[0] == {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}
    assert rules[1] == {"if": "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", "when": "never"}
    assert {"if": "$CI_COMMIT_BRANCH"} in rules[2:]


# The GitLab diff job's script, run by bash with `perfspec` and `curl` replaced by stand-ins.

STUB_PERFSPEC = """#!/bin/sh
cat "$STUB_DIFF"
exit "${STUB_STATUS:-0}"
"""
STUB_CURL = """#!/bin/sh
echo "$@" >> "$STUB_LOG"
case "$*" in
  *--request*) ;;
  *) cat "$STUB_NOTES" ;;
esac
"""


def run_gitlab_diff_job(tmp_path, markdown: str, notes: list[dict], token: bool = True, status: int = 0) -> tuple[int, list[str], str]:
    data = yaml.safe_load(open(os.path.join(EXAMPLES, "gitlab-ci.yml"), encoding="utf-8"))
    script = "\n".join(data["perfspec:diff"]["script"])
    stubs = tmp_path / "bin"
    stubs.mkdir(exist_ok=True)
    for name, body in (("perfspec", STUB_PERFSPEC), ("curl", STUB_CURL)):
        (stubs / name).write_text(body, encoding="utf-8")
        (stubs / name).chmod(0o755)
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    (tmp_path / "diff-in.md").write_text(markdown, encoding="utf-8")
    (tmp_path / "notes.json").write_text(json.dumps(notes), encoding="utf-8")
    log = tmp_path / "curl.log"
    log.write_text("", encoding="utf-8")
    env = {
        "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}", "STUB_DIFF": str(tmp_path / "diff-in.md"),
        "STUB_NOTES": str(tmp_path / "notes.json"), "STUB_LOG": str(log), "STUB_STATUS": str(status),
        "CI_API_V4_URL": "https://gitlab.example/api/v4", "CI_PROJECT_ID": "7", "CI_MERGE_REQUEST_IID": "3",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": "abc123",
    }
    if token:
        env["PERFSPEC_BOT_TOKEN"] = "secret"
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    calls = [line for line in log.read_text(encoding="utf-8").splitlines() if line]
    return proc.returncode, calls, proc.stdout + proc.stderr


CHANGED = "### perfspec：1 张表有改动\n\n比较：…\n"
UNCHANGED = "### perfspec：自评表没有变化\n\n比较：…\n"
OLD_NOTE = [{"id": 11, "body": "another comment"}, {"id": 42, "body": "<!-- perfspec diff -->\n### perfspec：…"}]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_gitlab_diff_comment_is_posted_once_then_updated(tmp_path) -> None:
    code, calls, output = run_gitlab_diff_job(tmp_path, CHANGED, [])
    assert code == 0, output
    assert len(calls) == 2 and "--request POST" in calls[1] and calls[1].endswith("/merge_requests/3/notes")
    code, calls, output = run_gitlab_diff_job(tmp_path, CHANGED, OLD_NOTE)
    assert code == 0, output
    assert len(calls) == 2 and "--request PUT" in calls[1] and calls[1].endswith("/merge_requests/3/notes/42")
    # No form changed and no comment yet: nothing is posted. With a comment from an earlier push: it is updated.
    code, calls, output = run_gitlab_diff_job(tmp_path, UNCHANGED, [])
    assert code == 0 and len(calls) == 1, (calls, output)  # only the lookup
    code, calls, _ = run_gitlab_diff_job(tmp_path, UNCHANGED, OLD_NOTE)
    assert len(calls) == 2 and "--request PUT" in calls[1]
    # Without a token: the comment is only in the log. New error-level findings still fail the job.
    code, calls, output = run_gitlab_diff_job(tmp_path, CHANGED, [], token=False, status=1)
    assert code == 1 and calls == [] and "1 张表有改动" in output


# --------------------------------------------------------------------------- SARIF


def sarif_log(*argv: str, cwd: str | None = None) -> dict:
    result = run_cli("check", "--format", "sarif", *argv, cwd=cwd)
    log = json.loads(result.out)
    from test_formats import assert_valid_sarif

    assert_valid_sarif(log)
    return log


def test_sarif_rules_carry_markdown_help_tags_and_precision() -> None:
    log = sarif_log(REFERENCE)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        markdown = rule["help"]["markdown"]
        assert "::" not in markdown, rule["id"]
        assert markdown.startswith(f"### {rule['id']} ") and markdown.count("```") % 2 == 0
        props = rule["properties"]
        assert props["tags"][0] == "perfspec" and len(props["tags"]) == 2
        assert props["precision"] in ("very-high", "high", "medium", "low")
        assert props["problem.severity"] in ("error", "warning", "recommendation")
    ps201 = next(r for r in rules if r["id"] == "PS201")
    assert "```yaml\n- name: 故障响应及时率" in ps201["help"]["markdown"]
    assert ps201["properties"]["tags"] == ["perfspec", "deviation-notes"]


def test_sarif_primary_location_line_hash_follows_the_finding(tmp_path) -> None:
    text = open(REFERENCE, encoding="utf-8").read()
    (tmp_path / "it-operations.yaml").write_text(text, encoding="utf-8")
    first = sarif_log("it-operations.yaml", cwd=str(tmp_path))["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in first]
    assert all(re.fullmatch(r"[0-9a-f]{16}:1", h) for h in hashes) and len(set(hashes)) == len(hashes)
    # Lines inserted above and a number changed on the finding's own line: the same alerts.
    moved = text.replace("project:", "# 新增的注释\n# 又一行\nproject:", 1).replace("        score: 8\n", "        score: 7\n")
    (tmp_path / "it-operations.yaml").write_text(moved, encoding="utf-8")
    second = sarif_log("it-operations.yaml", cwd=str(tmp_path))["runs"][0]["results"]

    def by_identity(results: list[dict]) -> dict:
        return {
            (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]):
            (r["partialFingerprints"]["primaryLocationLineHash"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results
        }

    before, after = by_identity(first), by_identity(second)
    assert ("PS201", "indicators.产出指标.时效指标[0]") in before
    for identity, (line_hash, line) in before.items():
        assert after[identity][0] == line_hash and after[identity][1] == line + 2, identity


# --------------------------------------------------------------------------- GitHub annotations

COMMAND = re.compile(r"^::(?P<level>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def annotations(*argv: str, cwd: str | None = None) -> list[tuple[str, str, str]]:
    result = run_cli("check", "--format", "github", *argv, cwd=cwd)
    out = []
    for line in result.out.splitlines():
        match = COMMAND.match(line)
        assert match, line
        out.append((match["level"], match["props"] or "", match["message"]))
    return out


def test_github_errors_first_and_a_notice_when_the_limit_hides_some() -> None:
    commands = annotations(SPECS)  # 3 errors, 14 warnings
    levels = [level for level, _, _ in commands]
    assert levels == sorted(levels, key=["error", "warning", "notice"].index)
    assert levels.count("error") == 3 and levels.count("warning") == 14
    notices = [message for level, _, message in commands if level == "notice"]
    assert len(notices) == 2 and "另有 4 条警告" in notices[0] and notices[-1].startswith("检查了 9 个文件")
    # Within a kind, the report's order.
    errors = [props for level, props, _ in commands if level == "error"]
    assert errors[0].startswith("file=specs/2023/it-operations.yaml") and "online-housing" in errors[1]
    # Under the limit: no notice about it.
    small = annotations(REFERENCE)
    assert not any("最多显示" in message for _, _, message in small)


def test_github_limit_notice_comes_before_other_notices(tmp_path) -> None:
    """With more than ten acknowledged findings (notices), the note about hidden ones is itself shown."""
    text = open(REFERENCE, encoding="utf-8").read()
    for i in range(12):
        (tmp_path / f"form-{i:02d}.yaml").write_text(
            text.replace("项目：", "").replace("project: 信息化运维项目", f"project: 信息化运维项目{i}")
            .replace("        score: 8\n", "        score: 8\n        acknowledge:\n          PS201: 原表如此，无法更改\n"),
            encoding="utf-8",
        )
    commands = annotations(".", cwd=str(tmp_path))
    notices = [(props, message) for level, props, message in commands if level == "notice"]
    assert "另有" in notices[0][1] and "条提示" in notices[0][1]
    assert notices[-1][1].startswith("检查了 12 个文件")


# --------------------------------------------------------------------------- rule help


def test_rule_help_in_markdown_and_text_has_no_rest_markup() -> None:
    md = run_cli("rules", "--format", "md")
    assert md.code == 0 and "::" not in md.out
    from perfspec.check.rules import all_rules

    for rule in all_rules():
        assert f"\n## {rule.code} {rule.name}\n" in md.out
    assert md.out.count("```") % 2 == 0 and "```yaml" in md.out
    text = run_cli("rules")
    assert not [line for line in text.out.splitlines() if line.rstrip().endswith("::")]
    assert "通过 / passes：" in text.out
