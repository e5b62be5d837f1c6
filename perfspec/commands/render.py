"""`perfspec render PATH...`: the forms as HTML or Markdown reports, with a portfolio summary.

Every page is written with perfspec.outputs.writer, rooted at the output folder:
a link planted in the folder (``out/a.html -> ../victim``) is refused with exit
code 2 rather than followed, a failed write leaves no temporary file, and the
page it would have replaced keeps every byte.

Reserved names: the portfolio is ``index.html`` (``README.md`` for Markdown). A
form whose report name would be that file — ``index.yaml``, or ``README.yaml``
with ``--format md``, in any letter case since some file systems ignore it —
gets ``<name>-form`` instead (``index-form.html``; ``-form-2`` … if that is
taken too), and the portfolio links to it there. This holds for a single-file
render with ``-o`` as well, so a later folder render into the same place cannot
clash.
"""

from __future__ import annotations

import argparse
import os
from typing import TextIO

from perfspec.errors import UsageError

HELP = "生成报告：自评表（HTML / Markdown，原表版式，检查结果标在相关单元格旁）与汇总"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="文件或文件夹（默认：配置中的 specs/）")
    parser.add_argument("--format", choices=("html", "md"), default="html", help="输出格式（默认 html）")
    parser.add_argument(
        "-o", "--output", metavar="DIR",
        help="输出文件夹；一个文件时不给则输出到标准输出，文件夹或多个文件时默认 build/report",
    )
    parser.add_argument("--templates", metavar="DIR", help="优先使用此文件夹中的模板，缺少的文件用自带模板")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="检查结果的语言（默认中文；表格栏目按版式，始终为中文）")
    parser.add_argument("--profile", help="规则配置：national、shanghai 或 profile 文件路径")
    parser.add_argument("--select", help="只运行这些规则代码前缀，逗号分隔")
    parser.add_argument("--ignore", help="跳过这些规则代码前缀，逗号分隔")


def _write(path: str, text: str, root: str) -> None:
    """Atomically, never through a link leading out of `root` (WriteRefused and WriteFailed are OSErrors)."""
    from perfspec.outputs.writer import write_atomic

    write_atomic(path, text.encode("utf-8"), root=root)


def reserve(slugs: dict[str, str], suffix: str, index: str) -> dict[str, str]:
    """The report names with the portfolio's file name kept free: `index` → `index-form` (see the docstring)."""
    reserved = index.casefold()
    taken = {slug.casefold() for slug in slugs.values()}
    out: dict[str, str] = {}
    for path, slug in slugs.items():
        if (slug + suffix).casefold() == reserved:
            base = slug + "-form"
            slug, n = base, 2
            while slug.casefold() in taken or (slug + suffix).casefold() == reserved:
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug.casefold())
        out[path] = slug
    return out


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import jinja2

    from perfspec.outputs import render
    from perfspec.check.engine import collect, display_name
    from perfspec.commands.check import engine_and_paths

    if args.templates is not None and not os.path.isdir(args.templates):
        raise UsageError(f"模板文件夹 {args.templates} 不存在")
    engine, paths = engine_and_paths(args)
    profile = engine.options.profile  # type: ignore[attr-defined]
    # The layout each form is built in: its own `layout:`, else .perfspec.yaml's, else the profile's.
    layout, root = engine.options.layout, engine.options.root  # type: ignore[attr-defined]
    single = len(paths) == 1 and not os.path.isdir(paths[0])
    files = list(collect(paths))
    suffix = render.SUFFIX[args.format]
    slugs = reserve(render.slugs_for(files), suffix, render.INDEX[args.format])

    try:
        env = render.environment(args.format, args.templates)
    except jinja2.TemplateError as exc:
        err.write(f"perfspec: 模板错误：{type(exc).__name__}: {' '.join(str(exc).split())}\n")
        return 2
    outdir = args.output or render.DEFAULT_OUTPUT
    index = render.INDEX[args.format]

    def view_of(path: str) -> tuple[render.FormView, str | None]:
        """Check and lay out one form; in a folder run also render and write it (in a worker)."""
        result = engine.check_file(path, display_name(path))  # type: ignore[attr-defined]
        slug = slugs[path]
        if result.document is None:
            from perfspec.load.loader import load_file

            # The loader's findings say why; if --select/--ignore hid them all, read them again.
            source = result if (result.io_error or result.findings) else load_file(path, result.file)
            reason = " ".join(render.load_error(source, args.lang).split())
            view = render.failed_view(result.file, slug, reason, result.findings, args.lang)
            view.href = ""
            return view, reason
        view = render.form_view(
            result.file, slug, result.document.data, result.findings, profile, args.lang, layout=layout, root=root
        )
        view.href = slug + suffix
        if not single:
            text = render.render_form(env, args.format, view, index_href=index, profile=profile.name)
            _write(os.path.join(outdir, view.href), text, outdir)
        return view, None

    from perfspec.parallel import ordered_map

    if not single:
        try:
            os.makedirs(outdir, exist_ok=True)
        except OSError as exc:
            err.write(f"perfspec: 无法写入报告：{exc.filename or ''} {exc.strerror or exc}\n")
            return 2
    views: list[render.FormView] = []
    try:
        for view, reason in ordered_map(view_of, files):
            if reason is not None:
                if single:
                    err.write(f"perfspec: {view.file}: 无法生成报告：{reason}\n")
                    return 1
                err.write(f"perfspec: {view.file}: 无法读取，汇总中列出：{reason}\n")
            views.append(view)
        if single:
            text = render.render_form(env, args.format, views[0], profile=profile.name)
            if args.output is None:
                out.write(text)
                return 0
            os.makedirs(args.output, exist_ok=True)
            _write(os.path.join(args.output, views[0].href), text, args.output)
            return 0
        try:
            portfolio = render.portfolio_view(views, profile, layout, root)
        except render.LayoutError as exc:
            err.write(f"perfspec: {exc}\n")
            return 2
        _write(os.path.join(outdir, index), render.render_portfolio(env, args.format, portfolio), outdir)
    except jinja2.TemplateSyntaxError as exc:
        err.write(f"perfspec: 模板错误：{exc.filename or exc.name}:{exc.lineno}: {exc.message}\n")
        return 2
    except jinja2.TemplateError as exc:
        err.write(f"perfspec: 模板错误：{type(exc).__name__}: {' '.join(str(exc).split())}\n")
        return 2
    except OSError as exc:
        err.write(f"perfspec: 无法写入报告：{exc.filename or ''} {exc.strerror or exc}\n")
        return 2
    out.write(f"报告已写入 {os.path.join(outdir, index)}（{sum(v.loaded for v in views)} 张表")
    failed = sum(not v.loaded for v in views)
    out.write(f"，{failed} 张无法读取）\n" if failed else "）\n")
    return 0
