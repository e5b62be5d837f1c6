"""`perfspec new [PATH]`: a blank form in the repository's layout and kind.

Every cell of the layout is present, blank cells are `null`, and each carries its
printed Chinese label as a comment (perfspec/scaffold/blank.py). The layout is
`--layout`, else `--kind`'s own layout when the repository's is of another kind, else
the repository's (`.perfspec.yaml`, then its profile's). The year is `--year`, else the
year of the folder the form goes into (`specs/2024/`), else the year a form of this kind
is usually written for. Without PATH the form goes to standard output.

Exit codes: 0 written, 2 usage error, an existing file (without --force) or one that could not be written.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import TextIO

from perfspec.errors import UsageError

HELP = "按仓库的版式和表格种类生成一张空白表（每个单元格都在，带中文注释）"

_YEAR = re.compile(r"(?:19|20)\d\d\Z")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from perfspec.form.kinds import KINDS

    parser.add_argument("path", nargs="?", metavar="PATH", help="写到哪个文件，如 specs/2024/it-operations.yaml（不给时输出到标准输出）")
    parser.add_argument("--project", help="项目名称（照表中原样）")
    parser.add_argument("--year", type=int, help="年度（默认取文件所在的年度文件夹）")
    parser.add_argument("--kind", choices=tuple(KINDS), help="表格种类（默认取仓库版式的种类）")
    parser.add_argument("--layout", help="版式（默认取 .perfspec.yaml 或 profile 的版式）")
    parser.add_argument("--force", action="store_true", help="文件已存在时覆盖")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")


def folder_year(path: str) -> int | None:
    name = os.path.basename(os.path.dirname(os.path.abspath(path)))
    return int(name) if _YEAR.match(name) else None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.config import load_config
    from perfspec.form.kinds import KINDS, kind_of
    from perfspec.form.layout import LayoutError, load_layout
    from perfspec.profile import load_profile
    from perfspec import scaffold
    from perfspec.scaffold.blank import blank_form

    en = args.lang == "en"
    start = os.path.dirname(os.path.abspath(args.path)) if args.path else "."
    config = load_config(start if os.path.isdir(start) else ".")
    profile = load_profile(config.profile, config.root)
    configured = config.layout or profile.layout
    try:
        repo_layout = load_layout(configured, config.root)
        if args.layout:
            layout = load_layout(args.layout, config.root)
        elif args.kind and args.kind != repo_layout.kind:
            layout = load_layout(KINDS[args.kind].layout)
        else:
            layout = repo_layout
    except LayoutError as exc:
        raise UsageError(str(exc)) from None
    if args.kind and layout.kind != args.kind:
        raise UsageError(
            f"layout {layout.id} is for {layout.kind} forms, not {args.kind}"
            if en else
            f"版式 {layout.id} 是{kind_of(layout.kind).zh}的版式，不是{KINDS[args.kind].zh}的：请换一个 --layout 或 --kind"
        )
    kind = kind_of(layout.kind)

    in_folder = folder_year(args.path) if args.path else None
    year = args.year or in_folder or scaffold.default_year(kind.key)
    if not 2000 <= year <= 2100:
        raise UsageError("--year must be between 2000 and 2100" if en else "--year 应在 2000 到 2100 之间")
    if in_folder is not None and year != in_folder:
        raise UsageError(
            f"--year {year} but the folder is {in_folder}: put the form in a folder named {year}"
            if en else
            f"--year {year} 与文件夹 {in_folder} 不一致：{year} 年的表请放在 {year}/ 文件夹中"
        )

    schema_ref = None
    if args.path:
        schema = os.path.join(config.root, scaffold.SCHEMA_FILE)
        if os.path.isfile(schema):
            folder = os.path.dirname(os.path.abspath(args.path))
            schema_ref = os.path.relpath(schema, folder).replace(os.sep, "/")
    text = blank_form(
        layout,
        kind,
        year,
        project=args.project,
        schema_ref=schema_ref,
        write_layout=layout.id != repo_layout.id,
        write_kind=kind.key != "self-evaluation",
    )
    if not args.path:
        out.write(text)
        return 0

    from perfspec.outputs.writer import write_atomic

    if os.path.lexists(args.path) and not args.force:
        raise UsageError(
            f"{args.path} exists: not overwritten (use --force)" if en else f"{args.path} 已存在，没有覆盖（确要覆盖请加 --force）"
        )
    try:
        os.makedirs(os.path.dirname(os.path.abspath(args.path)), exist_ok=True)
        write_atomic(args.path, text.encode("utf-8"), root=config.root if _inside(args.path, config.root) else None)
    except OSError as exc:
        err.write(f"perfspec: {args.path}: {getattr(exc, 'strerror', None) or exc}\n")
        return 2
    out.write(
        f"wrote {args.path}: a blank {kind.en} in layout {layout.id}, year {year}\n"
        if en else
        f"写入 {args.path}：{year} 年的空白{kind.zh}（版式 {layout.id}）。照原表填写后运行 perfspec check\n"
    )
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*\.ya?ml", os.path.basename(args.path)):
        err.write(
            "perfspec: note: file names are ASCII slugs (lower-case letters, digits, hyphens), see PS011\n"
            if en else
            "perfspec: 提示：文件名宜用 ASCII 短名（小写字母、数字、连字符，如 it-operations.yaml），见 PS011\n"
        )
    return 0


def _inside(path: str, root: str) -> bool:
    real, base = os.path.realpath(os.path.abspath(path)), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)
