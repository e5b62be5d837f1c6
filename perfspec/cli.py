"""The `perfspec` command. `main(argv) -> int` so tests call it directly.

Exit codes: 0 no error-level finding, 1 error-level findings, 2 usage,
configuration, unreadable-file or internal error, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import os
import sys
from typing import Callable, Sequence, TextIO

from perfspec import __version__
from perfspec.commands import COMMANDS
from perfspec.errors import UsageError

EXIT_USAGE = 2


# argparse's own words (usage, errors, section titles), in Chinese unless --lang en is given.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的取值 %(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的参数 %r",
}


def _argparse_english() -> "Callable[[str], str]":
    """argparse's own `_`, unless no message catalogue is installed (the usual case): then its words
    as written. gettext searches the locale folders again on every call, ~30 lookups per run."""
    import gettext

    return argparse._ if gettext.find("messages") else str  # type: ignore[attr-defined]


_ARGPARSE_EN = _argparse_english()


def _speak(words: list[str]) -> None:
    """argparse looks its words up through its module's `_` at call time: point it at the right language."""
    english = "--lang=en" in words or any(a == "--lang" and b == "en" for a, b in zip(words, words[1:]))
    argparse._ = _ARGPARSE_EN if english else (lambda text: _ARGPARSE_ZH.get(text, _ARGPARSE_EN(text)))  # type: ignore[attr-defined]


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
        _speak(words)
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


# The cyclic collector wakes every 700 new container objects by default; start-up and the YAML of
# each form make hundreds of thousands that are freed by reference counting anyway. Rarer young
# collections save ~10 % of a check's CPU and cost a few MB at most.
_GC_THRESHOLD = (50_000, 20, 100)


def main_entry() -> None:
    """The console script: `main()`, then an exit without tearing the interpreter down."""
    gc.set_threshold(*_GC_THRESHOLD)
    code = main()
    _exit(code)


def _exit(code: int) -> None:
    """Exit as `sys.exit` would, less the teardown: freeing every module and object one by one
    costs a one-form check ~25 ms, a sixth of its run, for memory the process returns anyway.

    Output is flushed and the exit handlers (temporary files, worker pools) run first, so nothing
    that a normal exit would write or clean up is lost. A thread still running gets the normal
    exit, which waits for it.
    """
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        # The reader went away (`perfspec check | head`): what is left unwritten has nowhere to go.
        pass
    except OSError:
        sys.exit(code)
    atexit._run_exitfuncs()  # type: ignore[attr-defined]  # CPython's own exit path runs these
    os._exit(code)
