"""The real pre-commit framework runs perfspec's hooks from .pre-commit-hooks.yaml.

A throwaway copy of this working tree is committed to a throwaway git repository
(pre-commit clones hook sources at a commit); another throwaway repository uses
it as its hook source. pre-commit installs perfspec into its own virtualenv with
pip (from PyPI: the first test takes a minute), under a PRE_COMMIT_HOME in tmp.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytest.importorskip("pre_commit", reason="the pre-commit framework is not installed (pip install pre-commit)")
if shutil.which("git") is None:  # pragma: no cover - git is everywhere pre-commit is
    pytest.skip("git is not installed", allow_module_level=True)

SPECS = os.path.join(ROOT, "specs", "2023")
GOOD = "transaction-basic-management.yaml"  # no error-level finding under the shanghai profile
NO_NOTE = "it-operations.yaml"  # a deduction without a deviation note (PS201)
TIMEOUT = 900


def git_env(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT")) and k != "PYTHONPATH"}
    env.update(PRE_COMMIT_HOME=home, PRE_COMMIT_COLOR="never", NO_COLOR="1", GIT_CONFIG_NOSYSTEM="1")
    env["GIT_CONFIG_GLOBAL"] = os.devnull  # neither the user's hooksPath nor their signing settings
    return env


def git(cwd, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check, timeout=TIMEOUT
    )


def init_repo(path, env: dict[str, str]) -> None:
    git(path, "init", "-q", "-b", "main", env=env)
    git(path, "config", "user.name", "perfspec tests", env=env)
    git(path, "config", "user.email", "perfspec-tests@example.invalid", env=env)
    git(path, "config", "commit.gpgsign", "false", env=env)


@pytest.fixture(scope="module")
def hooks(tmp_path_factory):
    """(path of the hook repository, its commit, the environment with PRE_COMMIT_HOME)."""
    base = tmp_path_factory.mktemp("precommit")
    env = git_env(str(base / "pre-commit-home"))
    source = base / "perfspec"
    shutil.copytree(
        ROOT, source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
            ".benchmarks",
        ),
    )
    assert (source / ".pre-commit-hooks.yaml").is_file()
    init_repo(source, env)
    git(source, "add", "-A", env=env)
    git(source, "commit", "-q", "--no-verify", "-m", "perfspec under test", env=env)
    rev = git(source, "rev-parse", "HEAD", env=env).stdout.strip()
    return str(source), rev, env


@pytest.fixture
def project(tmp_path, hooks):
    """A throwaway repository of forms with perfspec's hooks installed; returns a commit function."""
    source, rev, env = hooks
    repo = tmp_path / "forms"
    repo.mkdir()
    init_repo(repo, env)
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {source}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: perfspec-fix\n"
        "      - id: perfspec-check\n",
        encoding="utf-8",
    )
    (repo / ".perfspec.yaml").write_text("profile: shanghai\npaths: [specs]\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env, check=True,
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    git(repo, "add", "-A", env=env)
    first = git(repo, "commit", "-m", "configuration", env=env, check=False)  # installs the hook environment
    assert first.returncode == 0, first.stdout + first.stderr
    (repo / "specs" / "2023").mkdir(parents=True)

    def commit(name: str, message: str) -> subprocess.CompletedProcess[str]:
        git(repo, "add", os.path.join("specs", "2023", name), env=env)
        return git(repo, "commit", "-m", message, env=env, check=False)

    def commits() -> int:
        return int(git(repo, "rev-list", "--count", "HEAD", env=env).stdout)

    commit.repo = repo  # type: ignore[attr-defined]
    commit.count = commits  # type: ignore[attr-defined]
    return commit


def copy_spec(project, name: str, text: str | None = None):
    target = project.repo / "specs" / "2023" / name
    if text is None:
        shutil.copy(os.path.join(SPECS, name), target)
    else:
        target.write_bytes(text.encode("utf-8"))
    return target


def test_a_form_without_its_deviation_note_blocks_the_commit(project) -> None:
    copy_spec(project, NO_NOTE)
    result = project(NO_NOTE, "a form missing a deviation note")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "perfspec check" in output and "PS201" in output
    assert project.count() == 1  # only the configuration commit


def test_a_good_form_passes(project) -> None:
    copy_spec(project, GOOD)
    result = project(GOOD, "a good form")
    assert result.returncode == 0, result.stdout + result.stderr
    assert project.count() == 2


def test_perfspec_fix_repairs_a_wrong_total(project) -> None:
    with open(os.path.join(SPECS, GOOD), encoding="utf-8") as handle:
        good = handle.read()
    wrong = good.replace("total: {weight: 100.00, score: 97.95}", "total: {weight: 100.00, score: 97.96}")
    assert wrong != good
    path = copy_spec(project, GOOD, wrong)

    first = project(GOOD, "a form with a wrong total")
    output = first.stdout + first.stderr
    assert first.returncode != 0, output
    assert "files were modified by this hook" in output and "总得分 97.96 → 97.95" in output
    assert path.read_bytes() == good.encode("utf-8")  # repaired, every other byte as it was
    assert project.count() == 1

    second = project(GOOD, "a form with a wrong total, repaired")
    assert second.returncode == 0, second.stdout + second.stderr
    assert project.count() == 2
