"""The `perfspec` command. `main(argv) -> int` so tests call it directly.

Exit codes: 0 no error-level finding, 1 error-level findings, 2 usage,
configuration, unreadable-file or internal error, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence, TextIO

from perfspec import __version__
from perfspec.commands import COMMANDS
from perfspec.errors import UsageError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors by exception instead of exiting the process."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _parser(only: str | None = None) -> _Parser:
    """The argument parser; with `only`, just that subcommand's (a hook runs one command,
    and building every subcommand's parser costs a one-form run ~20 ms)."""
    parser = _Parser(prog="perfspec", description="财政项目支出绩效自评表：检查、规则与报告")
    parser.add_argument("--version", action="version", version=f"perfspec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"perfspec.commands.{name}")
        module.add_arguments(sub.add_parser(name, help=module.HELP))
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The subcommand named by argv, if its first word is one (else the full parser is built)."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    from perfspec.profile import ProfileError

    try:
        words = list(sys.argv[1:] if argv is None else argv)
        parser = _parser(_command_of(words))
        args = parser.parse_args(words)
        if not args.command:
            parser.print_help(out)
            return EXIT_USAGE
        module = importlib.import_module(f"perfspec.commands.{args.command}")
        return int(module.run(args, out, err))
    except UsageError as exc:
        err.write(f"perfspec: {exc}\n")
        return EXIT_USAGE
    except ProfileError as exc:
        err.write(f"perfspec: 配置错误：{exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        err.write("perfspec: 已中断（Ctrl-C），未完成的文件没有检查或写入\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        err.write(f"perfspec: 内部错误（internal error）：{type(exc).__name__}: {exc}\n")
        err.write("perfspec: 请把这条消息和出问题的文件报告给 perfspec 的维护者\n")
        return EXIT_USAGE


def main_entry() -> None:
    sys.exit(main())
