"""The CI and pre-commit examples in examples/ stay valid YAML and in step with the CLI.

Every `perfspec ...` command in a CI script is parsed with perfspec's own argparse
parser, so an example cannot silently drift from the command line it documents.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from conftest import ROOT
from perfspec.cli import _parser
from perfspec.errors import UsageError
from perfspec.outputs.formats import FORMATS

EXAMPLES = Path(ROOT) / "examples"
HOOKS = Path(ROOT) / ".pre-commit-hooks.yaml"
CI_FILES = ("gitlab-ci.yml", "github-workflow.yml")
SCRIPT_KEYS = {"script", "before_script", "after_script", "run"}  # GitLab CI and GitHub Actions

_SEPARATORS = {"|", "||", "&&", ";", "&", "(", ")", "|&", ";;"}
_REDIRECTS = {">", ">>", "<", ">&", "&>", ">|", "<>", "&>>", "<<<"}
_FD = re.compile(r"(?<=\s)\d+(?=[<>])")  # the 2 of 2>&1
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass
class Command:
    file: str
    line: str  # as written in the script
    args: list[str]  # after `perfspec`, quotes and redirections removed
    redirects: dict[str, str] = field(default_factory=dict)  # operator -> target, e.g. {">": "diff.md"}


def load(name: str) -> Any:
    with open(EXAMPLES / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def scripts(node: Any, key: str | None = None) -> Iterator[str]:
    """Every script text under a script/before_script/after_script/run key."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from scripts(v, k if isinstance(k, str) else None)
    elif isinstance(node, list):
        for item in node:
            yield from scripts(item, key)
    elif isinstance(node, str) and key in SCRIPT_KEYS:
        yield node


def simple_commands(line: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """Shell words of each simple command on a line, without redirections (returned apart)."""
    lexer = shlex.shlex(_FD.sub("", line), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words: list[str] = []
    redirects: dict[str, str] = {}
    tokens = list(lexer)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _SEPARATORS:
            yield words, redirects
            words, redirects = [], {}
        elif token in _REDIRECTS:
            redirects[token] = tokens[i + 1] if i + 1 < len(tokens) else ""
            i += 1
        else:
            words.append(token)
        i += 1
    yield words, redirects


def perfspec_commands(name: str) -> list[Command]:
    found = []
    for script in scripts(load(name)):
        for line in script.replace("\\\n", " ").splitlines():
            if not line.strip() or line.strip().startswith("#"):
                continue
            for words, redirects in simple_commands(line):
                while words and _ASSIGNMENT.match(words[0]):  # FOO=bar perfspec ...
                    words = words[1:]
                if words[:1] == ["perfspec"]:
                    found.append(Command(name, line.strip(), words[1:], redirects))
                elif words[:3] in (["python", "-m", "perfspec"], ["python3", "-m", "perfspec"]):
                    found.append(Command(name, line.strip(), words[3:], redirects))
    return found


def _all_commands() -> list[Any]:
    params = []
    for name in CI_FILES:
        try:
            commands = perfspec_commands(name)
        except Exception as exc:  # noqa: BLE001 - reported by the test, not at collection
            params.append(pytest.param(name, None, repr(exc), id=f"{name}: unreadable"))
            continue
        for command in commands:
            params.append(pytest.param(name, command, None, id=f"{name}: perfspec {' '.join(command.args)}"))
    return params


def parse(args: list[str]) -> Any:
    """perfspec's own parser; --version/--help end in SystemExit(0), which is fine."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            return _parser().parse_args(args)
        except SystemExit as exc:
            assert exc.code in (0, None), args
            return None


def option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


# --------------------------------------------------------------------------- every perfspec command parses


@pytest.mark.parametrize(("name", "command", "problem"), _all_commands())
def test_perfspec_command_parses(name: str, command: Command | None, problem: str | None) -> None:
    assert command is not None, f"{name}: {problem}"
    fmt = option(command.args, "--format")
    if command.args[:1] == ["check"] and fmt is not None and fmt not in FORMATS:
        pytest.skip(f"perfspec/outputs/formats/{fmt}.py does not exist yet: cannot check `{command.line}`")
    try:
        parse(command.args)
    except UsageError as exc:
        pytest.fail(f"{name}: `{command.line}` does not parse: {exc}")


@pytest.mark.parametrize("name", CI_FILES)
def test_ci_files_parse_and_run_perfspec(name: str) -> None:
    data = load(name)
    assert isinstance(data, dict)
    assert perfspec_commands(name), f"{name} runs no perfspec command"


def test_command_extraction() -> None:
    """The extraction itself: redirections, quotes, separators and fd numbers."""
    line = 'FOO=1 perfspec diff "$BASE" --lang en > diff.md 2>&1 || status=$?; echo "perfspec > x"'
    commands = list(simple_commands(line))
    assert commands[0] == (["FOO=1", "perfspec", "diff", "$BASE", "--lang", "en"], {">": "diff.md", ">&": "1"})
    assert commands[1] == (["status=$?"], {})
    assert commands[2] == (["echo", "perfspec > x"], {})


# --------------------------------------------------------------------------- GitLab CI


def test_gitlab_ci() -> None:
    data = load("gitlab-ci.yml")
    commands = perfspec_commands("gitlab-ci.yml")
    check = [c for c in commands if c.args[:1] == ["check"]]
    assert len(check) == 1 and option(check[0].args, "--format") == "gitlab"
    report = check[0].redirects[">"]
    assert report == "gl-code-quality-report.json"
    jobs = {k: v for k, v in data.items() if isinstance(v, dict) and "script" in v}
    check_job = next(job for job in jobs.values() if any("perfspec check" in s for s in job["script"]))
    assert check_job["artifacts"]["reports"]["codequality"] == report
    assert check_job["artifacts"]["when"] == "always"

    diff = [c for c in commands if c.args[:1] == ["diff"]]
    assert len(diff) == 1 and diff[0].args[1:] == ["$CI_MERGE_REQUEST_DIFF_BASE_SHA"]
    assert diff[0].redirects[">"] == "diff.md"
    diff_job = next(job for job in jobs.values() if any("perfspec diff" in s for s in job["script"]))
    assert any("merge_request_event" in rule["if"] for rule in diff_job["rules"])
    assert diff_job["variables"]["GIT_DEPTH"] == "0"
    script = "\n".join(diff_job["script"])
    post = script[script.index("curl") :]
    assert "--data-urlencode \"body@diff.md\"" in post
    assert '"$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"' in post
    header = re.search(r'--header "PRIVATE-TOKEN: ([^"]+)"', post)
    assert header and header.group(1).startswith("$"), "the token comes from a CI/CD variable, never the file"


def test_gitlab_ci_installs_perfspec() -> None:
    data = load("gitlab-ci.yml")
    text = "\n".join(scripts(data))
    assert re.search(r"pip install .*perfspec|pip install .*\$PERFSPEC_PACKAGE", text)


# --------------------------------------------------------------------------- GitHub Actions


def test_github_workflow() -> None:
    data = load("github-workflow.yml")
    assert True in data or "on" in data  # YAML 1.1 reads the bare key `on` as true
    commands = perfspec_commands("github-workflow.yml")
    formats = {option(c.args, "--format"): c for c in commands if c.args[:1] == ["check"]}
    assert {"sarif", "github"} <= set(formats)
    sarif_file = formats["sarif"].redirects[">"]
    assert sarif_file == "perfspec.sarif"
    (job,) = data["jobs"].values()
    uploads = [s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert len(uploads) == 1 and uploads[0]["with"]["sarif_file"] == sarif_file
    assert data["permissions"]["security-events"] == "write"
    # the upload comes after the SARIF is written
    steps = job["steps"]
    written = next(i for i, s in enumerate(steps) if "--format sarif" in str(s.get("run", "")))
    assert written < steps.index(uploads[0])
    # an expression is never pasted into a shell script: values go through env
    for step in steps:
        assert "${{" not in str(step.get("run", "")), step


# --------------------------------------------------------------------------- pre-commit


def test_pre_commit_snippet() -> None:
    data = load("pre-commit-config.yaml")
    (repo,) = data["repos"]
    assert repo["repo"] and repo["rev"]
    ids = [hook["id"] for hook in repo["hooks"]]
    assert ids == ["perfspec-fix", "perfspec-check"]  # fix first, then check what it left


def test_pre_commit_hooks_exist_in_this_repository() -> None:
    if not HOOKS.exists():
        pytest.skip(".pre-commit-hooks.yaml does not exist yet: cannot check the hook ids of examples/pre-commit-config.yaml")
    with open(HOOKS, encoding="utf-8") as handle:
        hooks = {hook["id"]: hook for hook in yaml.safe_load(handle)}
    (repo,) = load("pre-commit-config.yaml")["repos"]
    for hook in repo["hooks"]:
        assert hook["id"] in hooks, f"{hook['id']} is not a hook of {HOOKS.name}: {sorted(hooks)}"
        defined = hooks[hook["id"]]
        entry = shlex.split(defined["entry"])
        if entry[:1] == ["perfspec"]:  # the hook's command line parses, with the example's args
            parse(entry[1:] + list(defined.get("args", [])) + list(hook.get("args", [])))
