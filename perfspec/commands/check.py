"""`perfspec check [PATH...]`: check specs and report findings."""

from __future__ import annotations

import argparse
import os
from typing import TextIO

from perfspec.errors import UsageError
from perfspec.outputs.formats import FORMATS

HELP = "检查自评表（默认检查配置中的 specs/）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="文件或文件夹")
    parser.add_argument("--format", choices=tuple(FORMATS), default="text", help="输出格式")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")
    parser.add_argument("--profile", help="规则配置：national、shanghai 或 profile 文件路径")
    parser.add_argument("--select", help="只运行这些规则代码前缀，逗号分隔，如 PS1,PS201")
    parser.add_argument("--ignore", help="跳过这些规则代码前缀，逗号分隔")
    parser.add_argument(
        "--in-paths", action="store_true",
        help="只检查给出的文件中位于配置 paths（.perfspec.yaml）之下的（pre-commit 钩子用：它传来所有改动的 YAML）",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=0, metavar="N",
        help="并行进程数（默认：按文件数自动选择，最多用满全部 CPU；1 表示不并行）",
    )


def codes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


def engine_and_paths(args: argparse.Namespace) -> tuple["object", list[str]]:
    """The configured engine and the paths to check: shared by the commands that check."""
    from perfspec.check.engine import Engine, Options
    from perfspec.config import load_config
    from perfspec.profile import load_profile

    config = load_config(".")
    profile = load_profile(args.profile or config.profile, None if args.profile else config.root)
    options = Options(
        profile=profile,
        select=codes(args.select) or config.select,
        ignore=codes(args.ignore) if args.ignore is not None else config.ignore,
        layout=config.layout,
        root=config.root,
    )
    paths = list(args.paths)
    if getattr(args, "in_paths", False) and paths:
        # A hook is handed every changed YAML file; the repository's `paths` say which are forms.
        paths = in_configured_paths(paths, config)
        if not paths:
            return Engine(options), []
    if not paths:
        paths = [p for p in (os.path.join(config.root, p) for p in config.paths) if os.path.exists(p)]
        if not paths:
            raise UsageError("没有给出要检查的文件，当前目录下也没有 specs/ 文件夹（或 .perfspec.yaml 的 paths）")
    # A path that does not exist is reported like any unreadable file (one line, exit 2)
    # while the other paths are still checked.
    return Engine(options), paths


def in_configured_paths(paths: list[str], config: "object") -> list[str]:
    """The given files that lie under one of the configuration's `paths` (folders or files)."""
    roots = [os.path.realpath(os.path.join(config.root, p)) for p in config.paths]  # type: ignore[attr-defined]
    keep = []
    for path in paths:
        real = os.path.realpath(path)
        if any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            keep.append(path)
    return keep


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec import __version__
    from perfspec.check.engine import collect, display_name
    from perfspec.outputs.formats import Report, writer

    engine, paths = engine_and_paths(args)
    report = Report(
        files=[], findings=[], lang=args.lang, profile=engine.options.profile.name,  # type: ignore[attr-defined]
        version=__version__, rules=dict(engine.rules),  # type: ignore[attr-defined]
    )
    from perfspec.parallel import check_files

    from perfspec.outputs.progress import Progress

    # Read by absolute path, spelled as given below the working folder (the checks across forms ask
    # for it several times a form, each time from the working folder); reported as given.
    cwd = os.getcwd()
    files = [(os.path.join(cwd, path), display_name(path)) for path in collect(paths)]
    progress = Progress(err, len(files), lang=args.lang)
    digests = {}
    for (path, _), result in zip(files, check_files(engine, files, args.jobs)):  # type: ignore[arg-type]
        progress.step()
        report.files.append(result.file)
        if result.digest is not None:
            digests[path] = result.digest
        if result.io_error:
            message = result.io_error if args.lang == "zh" else result.io_error_en
            report.unreadable[result.file] = message
            err.write(f"perfspec: {result.file}: {message}\n")
            continue
        report.findings.extend(result.findings)
    progress.close()
    # Across forms (the same project twice in one year): after every form's own findings.
    from perfspec.check import corpus

    readable = [(path, shown) for path, shown in files if shown not in report.unreadable]
    others = corpus.configured_forms(engine.options.root, readable)  # type: ignore[attr-defined]
    report.findings = corpus.merge(report.findings, corpus.duplicates(engine, readable, others, digests=digests), report.files)  # type: ignore[arg-type]
    code = 2 if report.unreadable else 1 if any(f.fails for f in report.findings) else 0
    try:
        writer(args.format)(report, out)
        out.flush()
    except BrokenPipeError:
        # `perfspec check | head -1`: the reader left, the verdict stands (a gate must not fail open).
        _silence(out)
    return code


def _silence(out: TextIO) -> None:
    """After a closed pipe, point the stream at /dev/null so the interpreter's final flush stays quiet."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    if out is sys.stdout:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit
