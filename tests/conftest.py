from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "tests", "cases")
sys.path.insert(0, ROOT)

from perfspec.cli import main  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """render's template bytecode cache goes to $XDG_CACHE_HOME: keep the tests' out of the user's."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str, cwd: str | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        code = main(list(argv), out, err)
    finally:
        os.chdir(old)
    return Run(code, out.getvalue(), err.getvalue())


def flatten(value, path=()):
    """Leaf cells by path: {("funds", "total", "annual"): Decimal("137.21"), ...}."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(flatten(item, path + (key,)))
        return out or {path: {}}
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, path + (index,)))
        return out or {path: []}
    return {path: value}


@pytest.fixture
def cli():
    return run_cli


# -- git repositories of the seed forms, for diff, targets and the trust tests -----------------


def git(repo, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True, input=input)
    return proc.stdout.decode("utf-8")


def commit(repo, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def seed_repo(tmp_path, monkeypatch, extra: dict[str, str] | None = None):
    """A repository whose one commit holds the nine seed forms, the repository's configuration and EXTRA files."""
    from pathlib import Path

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_CEILING_DIRECTORIES"):
        monkeypatch.delenv(name, raising=False)
    root = Path(tmp_path) / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "perfspec tests")
    git(root, "config", "user.email", "tests@perfspec.invalid")
    git(root, "config", "commit.gpgsign", "false")
    shutil.copytree(os.path.join(ROOT, "specs", "2023"), root / "specs" / "2023")
    shutil.copy(os.path.join(ROOT, ".perfspec.yaml"), root / ".perfspec.yaml")
    for name, text in (extra or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    commit(root, "base")
    return root
