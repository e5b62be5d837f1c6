"""Starting a repository of forms: the files `perfspec init` writes, and where perfspec comes from.

The CI and pre-commit files are templates in ``perfspec/scaffold/templates/`` with
two placeholders, the git repository perfspec is installed from and a tag of it;
``examples/`` holds the same templates filled in with an example address (a test
keeps them equal), so what the README shows is what `init` writes.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import NamedTuple

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
SCHEMA_FILE = os.path.join("schema", "perfspec.schema.json")  # in the repository, relative to its root
CI_FILES = {"github": os.path.join(".github", "workflows", "perfspec.yml"), "gitlab": ".gitlab-ci.yml"}
CI_TEMPLATES = {"github": "github-workflow.yml", "gitlab": "gitlab-ci.yml"}


class Source(NamedTuple):
    """Where perfspec is installed from: a git repository and a tag (or commit) of it."""

    url: str
    rev: str


# The address the examples show: a placeholder to replace with the real one.
EXAMPLE_SOURCE = Source("https://git.example.com/your-group/perfspec.git", "v0.2.0")


def installed_source() -> Source | None:
    """The git repository and revision this perfspec was installed from, if pip recorded one.

    pip writes ``direct_url.json`` (PEP 610) for ``pip install "perfspec @ git+URL@TAG"``;
    an install from a folder, an editable one or a package index has no git source.
    """
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        text = distribution("perfspec").read_text("direct_url.json")
    except (ImportError, PackageNotFoundError, OSError):
        return None
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    vcs = data.get("vcs_info") if isinstance(data, dict) else None
    if not isinstance(vcs, dict) or vcs.get("vcs") != "git":
        return None
    url = data.get("url")
    rev = vcs.get("requested_revision") or vcs.get("commit_id")
    if isinstance(url, str) and isinstance(rev, str) and url and rev:
        return Source(url, rev)
    return None


def template(name: str, source: Source | None = None) -> str:
    with open(os.path.join(TEMPLATES, name), encoding="utf-8") as handle:
        text = handle.read()
    if source is not None:
        text = text.replace("__PERFSPEC_URL__", source.url).replace("__PERFSPEC_REV__", source.rev)
    return text


def precommit_config(source: Source | None) -> str:
    """Hooks from perfspec's repository at a tag; without a known source, the installed perfspec."""
    if source is None:
        return template("pre-commit-config-local.yaml")
    return template("pre-commit-config.yaml", source)


def ci_config(system: str, source: Source) -> str:
    return template(CI_TEMPLATES[system], source)


def default_year(kind_key: str, today: datetime.date | None = None) -> int:
    """A self-evaluation reports on a year that has ended; a target table or monitoring form on this one."""
    today = today or datetime.date.today()
    return today.year if kind_key in ("target-table", "monitoring") else today.year - 1


def config_text(profile: str, layout: str, paths: list[str]) -> str:
    from perfspec.form.layout import builtin_layouts
    from perfspec.scaffold.blank import scalar

    return (
        "# perfspec 的仓库配置（perfspec init 生成）。各项说明见 perfspec 的 README。\n"
        "#\n"
        "# profile：按哪里的惯例检查：national（财预〔2020〕10号，全国通用）、shanghai（上海市级），\n"
        "# 或仓库中自己的 profile 文件（如 profiles/my-county.yaml，可以 extends: national）。\n"
        f"profile: {scalar(profile)}\n"
        "# layout：表的版式：内置版式的名称，或仓库中的版式文件（如 layouts/my-county.yaml，可以 extends: 内置版式）。\n"
        f"# 内置的有：{'、'.join(builtin_layouts())}。\n"
        f"layout: {scalar(layout)}\n"
        "# 运行和跳过的规则代码前缀（perfspec rules 列出全部规则）；两者冲突时最长的前缀说了算。\n"
        "select: [PS]\n"
        "ignore: []\n"
        "# 表放在哪里：不给路径时 perfspec check 检查这些文件夹，pre-commit 钩子只处理其中的文件。\n"
        f"paths: [{', '.join(scalar(p) for p in paths)}]\n"
    )


GITIGNORE = (
    "# perfspec render 的默认输出文件夹\n"
    "/build/\n"
    "# CI 中生成的检查报告\n"
    "perfspec.sarif\n"
    "gl-code-quality-report.json\n"
    "diff.md\n"
)


def vscode_settings(paths: list[str]) -> str:
    globs: list[str] = []
    for path in paths:
        base = path.strip("/").replace(os.sep, "/")
        if base.endswith((".yaml", ".yml")):
            globs.append(base)
        else:
            globs += [f"{base}/**/*.yaml", f"{base}/**/*.yml"]
    settings = {
        "yaml.schemas": {"./" + SCHEMA_FILE.replace(os.sep, "/"): globs},
        # YAML 1.2 and perfspec agree: 2023-12-31 is text, yes/no are text.
        "yaml.yamlVersion": "1.2",
        # perfspec reads UTF-8 only (GBK is PS003): new files stay UTF-8.
        "files.encoding": "utf8",
        "[yaml]": {"editor.insertSpaces": True, "editor.tabSize": 2},
    }
    return json.dumps(settings, ensure_ascii=False, indent=2) + "\n"


def vscode_extensions() -> str:
    # redhat.vscode-yaml reads the schema: hovers with the printed labels, structure errors,
    # completion of keys and of the layout's category names.
    return json.dumps({"recommendations": ["redhat.vscode-yaml"]}, indent=2) + "\n"
