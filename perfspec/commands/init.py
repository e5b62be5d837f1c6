"""`perfspec init [DIR]`: start a repository of forms.

Writes what a repository needs, each file only if it is not there yet: re-running
`init` never changes a file (a user's edits stay; a file that differs from what
`init` would write now is named, with how to bring it up to date):

- `.perfspec.yaml`: profile, layout, select, ignore, paths;
- `specs/<year>/` (with an empty `.gitkeep`, so git keeps the folder);
- `schema/perfspec.schema.json`: a copy of the schema, with the layout's category
  names offered as completions; every form's first line points at it, so editors
  find it in this repository, on any machine, without a network;
- `.vscode/settings.json` (the schema mapped to the spec paths) and
  `.vscode/extensions.json` (recommends redhat.vscode-yaml);
- `.pre-commit-config.yaml`: the hooks from perfspec's git repository at a tag
  (`--source URL --rev TAG`, or where this perfspec was installed from with
  `pip install "perfspec @ git+URL@TAG"`); otherwise hooks that run the installed perfspec;
- `.gitignore` for `render`'s output and the CI reports;
- with `--ci github|gitlab`, the CI file (`.github/workflows/perfspec.yml` or `.gitlab-ci.yml`).

Choices not given as options are asked when the input is a terminal, unless `--no-input`.
Exit codes: 0 done (nothing written counts as done), 2 usage error or a file that could not be written.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, TextIO

from perfspec.errors import UsageError

HELP = "新建一个自评表仓库：配置、specs/ 文件夹、schema、编辑器设置、pre-commit 和 CI 文件（已有的文件不动）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="仓库文件夹（默认当前文件夹，不存在时新建）")
    parser.add_argument("--profile", help="规则配置：national（默认）、shanghai 或仓库中的 profile 文件")
    parser.add_argument("--layout", help="版式：内置版式的名称（默认取 profile 的默认版式）或仓库中的版式文件")
    parser.add_argument("--year", type=int, help="先建哪一年的文件夹 specs/<年度>/（默认：自评表为上一年）")
    parser.add_argument("--ci", choices=("none", "github", "gitlab"), help="同时写 CI 文件：github 或 gitlab（默认不写）")
    parser.add_argument("--source", metavar="URL", help="perfspec 的 git 仓库地址（pre-commit 和 CI 从这里按标签安装 perfspec）")
    parser.add_argument("--rev", metavar="TAG", help="perfspec 仓库的标签（或提交），与 --source 一起用")
    parser.add_argument("--no-input", action="store_true", help="不提问，没给的选项用默认值")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")


class _Ask:
    """Questions on a terminal; defaults otherwise."""

    def __init__(self, enabled: bool, out: TextIO, read: Callable[[], str]) -> None:
        self.enabled = enabled
        self.out = out
        self.read = read

    def choose(self, question: str, choices: list[str], default: str) -> str:
        if not self.enabled:
            return default
        while True:
            self.out.write(f"{question}（{' / '.join(choices)}，回车选 {default}）：")
            self.out.flush()
            answer = self.read().strip()
            if not answer:
                return default
            if answer in choices:
                return answer
            self.out.write(f"请从 {'、'.join(choices)} 中选一个\n")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.config import CONFIG_NAME, load_config
    from perfspec.form.kinds import kind_of
    from perfspec.form.layout import LayoutError, builtin_layouts, load_layout
    from perfspec.profile import ProfileError, builtin_profiles, load_profile
    from perfspec import scaffold
    from perfspec.scaffold.schema import schema_for

    en = args.lang == "en"
    root = os.path.abspath(args.dir)
    if os.path.exists(root) and not os.path.isdir(root):
        raise UsageError(f"{args.dir} is not a folder" if en else f"{args.dir} 不是文件夹")
    if (args.source is None) != (args.rev is None):
        raise UsageError("--source and --rev go together" if en else "--source 和 --rev 要一起给出：仓库地址和其中的一个标签")
    ask = _Ask(
        enabled=not args.no_input and sys.stdin is not None and sys.stdin.isatty(),
        out=out,
        read=lambda: sys.stdin.readline(),
    )

    existing = os.path.isfile(os.path.join(root, CONFIG_NAME))
    if existing:
        config = load_config(root)
        if config.root != root:  # pragma: no cover - isfile above says it is here
            existing = False
    if existing:
        # The repository's own choices stand; options that disagree are named, never applied.
        profile_name, paths = config.profile, list(config.paths)
        layout_name = config.layout
        for option, value, stated in (("--profile", args.profile, profile_name), ("--layout", args.layout, layout_name)):
            if value is not None and value != stated:
                err.write(
                    f"perfspec: {CONFIG_NAME} already says {stated}; {option} {value} is not applied (edit the file to change it)\n"
                    if en else
                    f"perfspec: {CONFIG_NAME} 中已经写了 {stated}，{option} {value} 没有改动它（要改请直接编辑这个文件）\n"
                )
    else:
        profile_name = args.profile or ask.choose("规则配置（profile）", builtin_profiles(), "national")
        paths = ["specs"]
        layout_name = args.layout
    try:
        profile = load_profile(profile_name, root)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if layout_name is None:
        layout_name = ask.choose("版式（layout）", builtin_layouts(), profile.layout) if not existing else profile.layout
    try:
        layout = load_layout(layout_name, root)
    except LayoutError as exc:
        raise UsageError(str(exc)) from None
    kind = kind_of(layout.kind)
    ci = args.ci or ask.choose("CI 文件", ["none", "github", "gitlab"], "none")
    source = scaffold.Source(args.source, args.rev) if args.source else scaffold.installed_source()
    if ci != "none" and source is None:
        raise UsageError(
            "the CI file installs perfspec from its git repository: give --source URL --rev TAG"
            if en else
            "CI 文件要从 perfspec 的 git 仓库按标签安装 perfspec：请用 --source <仓库地址> --rev <标签> 写明"
        )
    year = args.year or scaffold.default_year(kind.key)
    if not 2000 <= year <= 2100:
        raise UsageError("--year must be between 2000 and 2100" if en else "--year 应在 2000 到 2100 之间")

    files: list[tuple[str, str]] = [
        (CONFIG_NAME, scaffold.config_text(profile_name, layout_name, paths)),
        (os.path.join(paths[0], str(year), ".gitkeep"), ""),
        (scaffold.SCHEMA_FILE, schema_for(layout)),
        (os.path.join(".vscode", "settings.json"), scaffold.vscode_settings(paths)),
        (os.path.join(".vscode", "extensions.json"), scaffold.vscode_extensions()),
        (".pre-commit-config.yaml", scaffold.precommit_config(source)),
        (".gitignore", scaffold.GITIGNORE),
    ]
    if ci != "none":
        assert source is not None
        files.append((scaffold.CI_FILES[ci], scaffold.ci_config(ci, source)))

    from perfspec.outputs.writer import write_atomic

    failed = False
    for name, text in files:
        path = os.path.join(root, name)
        shown = name.replace(os.sep, "/")
        if os.path.lexists(path):
            same = _same(path, text)
            if same:
                out.write(f"unchanged {shown}\n" if en else f"已有 {shown}，未改动\n")
            elif name == scaffold.SCHEMA_FILE:
                out.write(
                    f"kept {shown}: it differs from this perfspec's schema; to update it, delete it and run perfspec init again\n"
                    if en else
                    f"保留 {shown}：与当前 perfspec 的 schema 不同；要更新，删除它后再运行 perfspec init\n"
                )
            else:
                out.write(f"kept {shown} as it is (not written by this init)\n" if en else f"保留 {shown} 原样（不覆盖已有的文件）\n")
            continue
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_atomic(path, text.encode("utf-8"), root=root)
        except OSError as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            err.write(f"perfspec: {shown}: {reason}\n")
            failed = True
            continue
        out.write(f"wrote {shown}\n" if en else f"写入 {shown}\n")
    if source is None:
        out.write(
            "note: .pre-commit-config.yaml runs the installed perfspec (give --source URL --rev TAG to pin perfspec's repository)\n"
            if en else
            "提示：.pre-commit-config.yaml 用的是本机安装的 perfspec；要按标签固定 perfspec 的版本，"
            "用 --source <仓库地址> --rev <标签> 重新生成（先删除这个文件）\n"
        )
    first = os.path.join(paths[0], str(year)).replace(os.sep, "/")
    out.write(
        f"next: perfspec new {first}/<name>.yaml --project <项目名称>, then perfspec check\n"
        if en else
        f"下一步：perfspec new {first}/<英文短名>.yaml --project <项目名称>，填好后 perfspec check\n"
    )
    return 2 if failed else 0


def _same(path: str, text: str) -> bool:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read() == text
    except (OSError, UnicodeDecodeError):
        return False
