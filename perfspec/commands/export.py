"""`perfspec export PATH... --to xlsx -o OUT.xlsx`: the forms as an Excel workbook in the official layout.

`--to csv -o OUT.csv` and `--to xlsx --flat -o OUT.xlsx`: one row per indicator across all forms
(perfspec.outputs.flat), for pivot tables.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import threading
from typing import Any, Iterator, TextIO

from perfspec.errors import UsageError

HELP = "导出为 Excel 工作簿（一张表一个工作表，原表版式，文件夹另加汇总工作表），或每个指标一行的 CSV / Excel（--flat）"
INSTALL_HINT = "perfspec: 导出 Excel 需要 openpyxl，请先安装：pip install 'perfspec[xlsx]'\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="文件或文件夹（默认：配置中的 specs/）")
    parser.add_argument("--to", choices=("xlsx", "csv"), default="xlsx",
                        help="导出格式：xlsx（默认）或 csv（每个指标一行）")
    parser.add_argument("--flat", action="store_true",
                        help="xlsx 只有一个工作表：每个指标一行（年度、单位、项目、指标类别、指标值、实际完成值、分值、得分、扣分、检查结果），供数据透视表使用")
    parser.add_argument("-o", "--output", metavar="OUT", required=True,
                        help="写到这个 .xlsx 或 .csv 文件（已有的会被替换）")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="单元格批注中检查结果的语言（默认中文）")
    parser.add_argument("--profile", help="规则配置：national、shanghai 或 profile 文件路径")
    parser.add_argument("--select", help="只运行这些规则代码前缀，逗号分隔")
    parser.add_argument("--ignore", help="跳过这些规则代码前缀，逗号分隔")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    flat = args.flat or args.to == "csv"
    suffix = "." + args.to
    if args.to == "xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            err.write(INSTALL_HINT)
            return 2
    from perfspec.outputs import render
    from perfspec.check.engine import collect
    from perfspec.commands.check import engine_and_paths
    from perfspec.outputs.xlsx import Book

    if not args.output.lower().endswith(suffix):
        raise UsageError(f"输出文件须以 {suffix} 结尾：{args.output}")
    if os.path.isdir(args.output):
        raise UsageError(f"{args.output} 是一个文件夹，请给出 {suffix} 文件名")
    engine, paths = engine_and_paths(args)
    profile = engine.options.profile  # type: ignore[attr-defined]
    layout, root = engine.options.layout, engine.options.root  # type: ignore[attr-defined]
    single = len(paths) == 1 and not os.path.isdir(paths[0])
    files = list(collect(paths))
    if not files:
        raise UsageError("给出的文件夹中没有自评表（*.yaml、*.yml）")
    slugs = render.slugs_for(files)

    # Each form is written out as soon as it is laid out (a sheet, or its rows of the flat table);
    # only what the summary needs of it is kept, so memory does not grow with the form's size.
    if flat:
        from perfspec.outputs import flat as flat_out

        try:  # the column heads are the configured layout's, as in the portfolio
            head = flat_out.headers(render.portfolio_view([], profile, layout, root))
        except render.LayoutError as exc:
            err.write(f"perfspec: {exc}\n")
            return 2
        sink: Any = flat_out.CsvTable(head) if args.to == "csv" else flat_out.XlsxTable(head)
    else:
        try:  # the 汇总 sheet's columns are the configured layout's
            summary = None if single else render.SummaryTotals(profile, layout, root)
        except render.LayoutError as exc:
            err.write(f"perfspec: {exc}\n")
            return 2
        sink = Book(summary)
    try:
        with _terminate_as_exit():
            return _export(args, out, err, engine, files, slugs, single, flat, sink)
    except Terminated as exc:
        err.write(f"\nperfspec: 已中断（SIGTERM），没有写入 {args.output}\n")
        return int(exc.code or 143)
    finally:
        # After a save: nothing left; after an error, Ctrl-C or SIGTERM: openpyxl's temporary sheet files.
        # The workbook itself is written to a temporary file beside -o and renamed only when complete
        # (outputs.writer.write_atomic_with), so an interrupted export leaves no half-written .xlsx.
        sink.discard()


class Terminated(SystemExit):
    """SIGTERM during an export: unwinds like Ctrl-C, so the temporary files are removed."""


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM raises Terminated while the export runs (the default action kills the process at once,
    skipping every `finally`, and leaves openpyxl's temporary files behind); the old handler is restored."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def stop(signum: int, frame: Any) -> None:
        raise Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _export(args: argparse.Namespace, out: TextIO, err: TextIO, engine: Any, files: list[str],
            slugs: dict[str, str], single: bool, flat: bool, sink: Any) -> int:
    from perfspec.outputs import render
    from perfspec.check.engine import display_name
    from perfspec.outputs.progress import Progress
    from perfspec.outputs.flat import rows as flat_rows
    from perfspec.outputs.xlsx import without_a_cell

    profile = engine.options.profile
    layout, root = engine.options.layout, engine.options.root
    sheets = loaded = failed = 0
    progress = Progress(err, len(files), what="已导出", unit="张表", lang=args.lang, what_en="exported")
    try:
        for path in files:
            result = engine.check_file(path, display_name(path))  # type: ignore[attr-defined]
            if result.document is None:
                from perfspec.load.loader import load_file

                source = result if (result.io_error or result.findings) else load_file(path, result.file)
                reason = " ".join(render.load_error(source, args.lang).split())
                if single:
                    err.write(f"perfspec: {result.file}: 无法导出：{reason}\n")
                    return 1
                progress.clear()
                err.write(f"perfspec: {result.file}: 无法读取，汇总中列出：{reason}\n")
                failed += 1
                if not flat and sink.summary is not None:
                    sink.summary_row(render.failed_view(result.file, slugs[path], reason, result.findings, args.lang))
                progress.step()
                continue
            data = result.document.data
            view = render.form_view(result.file, slugs[path], data, result.findings, profile, args.lang,
                                    layout=layout, root=root)
            hidden, dropped = ([], []) if flat else without_a_cell(data, view.layout)
            if hidden:
                shown = "、".join(hidden[:3]) + (f" 等 {len(hidden)} 处" if len(hidden) > 3 else "")
                progress.clear()
                err.write(f"perfspec: {result.file}: 表格中没有对应栏目，只记在隐藏的 _perfspec 工作表中"
                          f"（Excel 中看不到，从 Excel 导入时恢复）：{shown}\n")
            if dropped:
                shown = "、".join(dropped[:3]) + (f" 等 {len(dropped)} 处" if len(dropped) > 3 else "")
                progress.clear()
                err.write(f"perfspec: {result.file}: 表格中没有对应栏目，未导出（从 Excel 导入时不会恢复）：{shown}\n")
            loaded += 1
            if flat:
                sink.add(flat_rows([view], profile))
            else:
                title = sink.add_form(view)
                sheets += 1
                if sink.summary is not None:
                    sink.summary_row(view, title)  # its row of the 汇总 sheet, kept on disk until the end
            progress.step()
        progress.close()
        note = f"，{failed} 个文件无法读取" if failed else ""
        if flat:
            sink.save(args.output)
            out.write(f"已导出 {loaded} 张表的 {sink.count} 个指标到 {args.output}（每个指标一行）{note}\n")
            return 0
        if sink.summary is not None:
            sink.add_summary()
        sink.save(args.output)
    except OSError as exc:
        progress.close()
        err.write(f"perfspec: 无法写入 {args.output}：{exc.strerror or exc}\n")
        return 2
    summary = "，另有汇总工作表" if sink.summary is not None else ""
    out.write(f"已导出 {sheets} 张表到 {args.output}{summary}{note}\n")
    return 0
