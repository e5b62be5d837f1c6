"""`perfspec lsp`: the language server, over standard input and output.

Needs pygls (`pip install 'perfspec[lsp]'`). Editors start it as `perfspec lsp`
(`--stdio` is accepted, as some editors pass it). See perfspec/lsp/server.py.
"""

from __future__ import annotations

import argparse
from typing import TextIO

HELP = "语言服务器（LSP）：在编辑器中随输入显示检查结果、计算值、修正和补全（需要 pip install 'perfspec[lsp]'）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdio", action="store_true", help="通过标准输入输出通信（默认就是如此）")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文）")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        err.write(
            "perfspec: 语言服务器需要 pygls：pip install 'perfspec[lsp]'\n"
            if args.lang == "zh" else
            "perfspec: the language server needs pygls: pip install 'perfspec[lsp]'\n"
        )
        return 2
    from perfspec.lsp.server import main

    return main(args.lang)
