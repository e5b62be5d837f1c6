"""The `perfspec` command. `main(argv) -> int` so tests call it directly."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence, TextIO

from perfspec import __version__
from perfspec.diagnostics import ERROR, INFO, WARNING, Finding

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors by exception instead of exiting the process."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> _Parser:
    parser = _Parser(prog="perfspec", description="财政项目支出绩效自评表：检查、规则与报告")
    parser.add_argument("--version", action="version", version=f"perfspec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="检查自评表（默认检查配置中的 specs/）")
    check.add_argument("paths", nargs="*", metavar="PATH", help="文件或文件夹")
    check.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
    check.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")
    check.add_argument("--profile", help="规则配置：national、shanghai 或 profile 文件路径")
    check.add_argument("--select", help="只运行这些规则代码前缀，逗号分隔，如 PS1,PS201")
    check.add_argument("--ignore", help="跳过这些规则代码前缀，逗号分隔")

    rules = sub.add_parser("rules", help="列出全部规则及说明")
    rules.add_argument("codes", nargs="*", metavar="CODE", help="只显示这些规则")
    rules.add_argument("--lang", choices=("zh", "en"), default="zh")

    sub.add_parser("schema", help="输出 JSON Schema")
    return parser


def _codes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


def _summary(files: int, findings: list[Finding], lang: str) -> str:
    live = [f for f in findings if f.acknowledged is None]
    errors = sum(f.severity == ERROR for f in live)
    warnings = sum(f.severity == WARNING for f in live)
    infos = sum(f.severity == INFO for f in live)
    acked = len(findings) - len(live)
    if lang == "en":
        return f"{files} files checked: {errors} errors, {warnings} warnings, {infos} notes, {acked} acknowledged"
    return f"检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告，{infos} 条提示，{acked} 条已确认"


def _text_line(f: Finding, lang: str) -> str:
    ack = ""
    if f.acknowledged is not None:
        ack = f" [已确认：{f.acknowledged}]" if lang == "zh" else f" [acknowledged: {f.acknowledged}]"
    where = f" ({f.path})" if f.path else ""
    return f"{f.file}:{f.line}:{f.column}: {f.code} {f.severity} {f.text(lang)}{where}{ack}"


def _json_finding(f: Finding, lang: str, rule_names: dict[str, str]) -> dict[str, object]:
    return {
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "code": f.code,
        "rule": rule_names.get(f.code, ""),
        "severity": f.severity,
        "message": f.text(lang),
        "path": f.path,
        "expected": f.expected,
        "acknowledged": f.acknowledged is not None,
        "reason": f.acknowledged,
    }


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.check import Engine, Options, collect, display_name
    from perfspec.config import load_config
    from perfspec.profile import load_profile

    config = load_config(".")
    profile_name = args.profile or config.profile
    base = None if args.profile else config.root
    profile = load_profile(profile_name, base)
    options = Options(
        profile=profile,
        select=_codes(args.select) or config.select,
        ignore=_codes(args.ignore) if args.ignore is not None else config.ignore,
    )
    paths = args.paths
    if not paths:
        paths = [os.path.join(config.root, p) for p in config.paths]
        paths = [p for p in paths if os.path.exists(p)]
        if not paths:
            raise _UsageError("没有给出要检查的文件，当前目录下也没有 specs/ 文件夹（或 .perfspec.yaml 的 paths）")
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise _UsageError(f"找不到 {missing[0]}")

    engine = Engine(options)
    findings: list[Finding] = []
    files = 0
    io_failed = False
    for path in collect(paths):
        result = engine.check_file(path, display_name(path))
        files += 1
        if result.io_error:
            io_failed = True
            message = result.io_error if args.lang == "zh" else result.io_error_en
            err.write(f"perfspec: {result.file}: {message}\n")
            continue
        findings.extend(result.findings)
        if args.format == "text":
            for finding in result.findings:
                out.write(_text_line(finding, args.lang) + "\n")
    if args.format == "json":
        names = {code: rule.name for code, rule in engine.rules.items()}
        document = {
            "version": __version__,
            "profile": profile.name,
            "files": files,
            "findings": [_json_finding(f, args.lang, names) for f in findings],
        }
        out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(_summary(files, findings, args.lang) + "\n")
    if io_failed:
        return EXIT_USAGE
    return EXIT_FINDINGS if any(f.fails for f in findings) else EXIT_OK


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    from perfspec.rules import all_rules

    wanted = [c.upper() for c in args.codes]
    shown = [r for r in all_rules() if not wanted or any(r.code.startswith(w) for w in wanted)]
    if not shown:
        raise _UsageError(f"没有规则代码以 {', '.join(wanted)} 开头")
    for rule in shown:
        summary = rule.summary_en if args.lang == "en" else rule.summary
        out.write(f"{rule.code} {rule.name} ({rule.severity}): {summary}\n")
        body = rule.doc.split("\n", 1)[1].strip() if "\n" in rule.doc else ""
        for line in body.splitlines():
            out.write(f"    {line}".rstrip() + "\n")
        out.write("\n")
    return EXIT_OK


def _schema(out: TextIO) -> int:
    from perfspec.schema_check import schema_path

    with open(schema_path(), encoding="utf-8") as handle:
        out.write(handle.read())
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    from perfspec.profile import ProfileError

    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.command == "check":
            return _check(args, out, err)
        if args.command == "rules":
            return _rules(args, out)
        if args.command == "schema":
            return _schema(out)
        _parser().print_help(out)
        return EXIT_USAGE
    except _UsageError as exc:
        err.write(f"perfspec: {exc}\n")
        return EXIT_USAGE
    except ProfileError as exc:
        err.write(f"perfspec: 配置错误：{exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_OK
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        err.write(f"perfspec: 内部错误（internal error）：{type(exc).__name__}: {exc}\n")
        err.write("perfspec: 请把这条消息和出问题的文件报告给 perfspec 的维护者\n")
        return EXIT_USAGE


def main_entry() -> None:
    sys.exit(main())
