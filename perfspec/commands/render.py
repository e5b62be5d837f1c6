"""`perfspec render PATH...`: the forms as HTML, Markdown or PDF reports, with a portfolio summary.

`--print` (and every PDF) lays each form out for paper: the official form alone in
its layout's orientation, the project's name and 第 x 页 共 y 页 on every page, the
layout's signature block, findings left out unless `--findings margin|appendix`.
PDFs are printed by headless Chromium (perfspec.outputs.pdf), several at a time.

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

HELP = "生成报告：自评表（HTML / Markdown / PDF，原表版式，检查结果标在相关单元格旁或略去）与汇总"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="文件或文件夹（默认：配置中的 specs/）")
    parser.add_argument("--format", choices=("html", "md", "pdf"), default="html",
                        help="输出格式（默认 html；pdf 用无界面的 Chromium 打印，即打印版）")
    parser.add_argument("--print", dest="paper", action="store_true",
                        help="打印版 HTML：只有原表，按版式的纸张方向，每页有项目名称和“第 x 页 共 y 页”，附签字栏")
    parser.add_argument("--findings", choices=("none", "margin", "appendix"),
                        help="检查结果：none 不列出，margin 列在表格右侧一栏，appendix 附在表后"
                             "（默认：屏幕版 margin，打印版和 PDF 为 none）")
    parser.add_argument("--font", metavar="FAMILY",
                        help="字体（如 \"FangSong\"），排在默认字体之前；打印版默认为宋体类衬线字体（Noto Serif CJK SC）")
    parser.add_argument(
        "-o", "--output", metavar="DIR",
        help="输出文件夹；一个文件时不给则输出到标准输出（PDF 写到 build/report），文件夹或多个文件时默认 build/report",
    )
    parser.add_argument("--templates", metavar="DIR", help="优先使用此文件夹中的模板，缺少的文件用自带模板")
    parser.add_argument(
        "-j", "--jobs", type=int, default=0, metavar="N",
        help="同时生成报告的进程数（默认：按文件数和处理器数自动选择；1 为单进程）",
    )
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


def _names(views: list, limit: int = 3) -> str:
    names = [v.file for v in views]
    return "、".join(names[:limit]) + (f" 等 {len(names)} 张" if len(names) > limit else "")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import jinja2

    from perfspec.outputs import render
    from perfspec.check.engine import collect, display_name
    from perfspec.check.headers import Digest, digest
    from perfspec.commands.check import engine_and_paths

    if args.templates is not None and not os.path.isdir(args.templates):
        raise UsageError(f"模板文件夹 {args.templates} 不存在")
    pdf = args.format == "pdf"
    if args.paper and args.format == "md":
        raise UsageError("--print 只用于 HTML（--format html）和 PDF")
    paper = pdf or args.paper
    mode = render.Mode(paper=paper, findings=args.findings or ("none" if paper else "margin"), font=args.font or None)
    fmt = "html" if pdf else args.format  # a PDF is its paper-mode HTML, printed
    browser = None
    if pdf:
        from perfspec.outputs import pdf as pdf_out

        browser = pdf_out.find_browser()
        if browser is None:
            err.write(f"perfspec: {pdf_out.INSTALL_HINT}\n")
            return 2
    engine, paths = engine_and_paths(args)
    profile = engine.options.profile  # type: ignore[attr-defined]
    # The layout each form is built in: its own `layout:`, else .perfspec.yaml's, else the profile's.
    layout, root = engine.options.layout, engine.options.root  # type: ignore[attr-defined]
    single = len(paths) == 1 and not os.path.isdir(paths[0])
    files = list(collect(paths))
    suffix = ".pdf" if pdf else render.SUFFIX[fmt]
    index = "index.pdf" if pdf else render.INDEX[fmt]
    slugs = reserve(render.slugs_for(files), suffix, index)

    try:
        env = render.environment(fmt, args.templates)
    except jinja2.TemplateError as exc:
        err.write(f"perfspec: 模板错误：{type(exc).__name__}: {' '.join(str(exc).split())}\n")
        return 2
    outdir = args.output or render.DEFAULT_OUTPUT

    def view_of(path: str) -> tuple[render.FormView, str | None, str | None, Digest | None]:
        """Check and lay out one form; in a folder run also render it (and write it, except a PDF's HTML).
        The digest is what the portfolio's stage checks need of the form (check/headers.py), taken while it is loaded."""
        result = engine.check_file(path, display_name(path))  # type: ignore[attr-defined]
        slug = slugs[path]
        if result.document is None:
            from perfspec.load.loader import load_file

            # The loader's findings say why; if --select/--ignore hid them all, read them again.
            source = result if (result.io_error or result.findings) else load_file(path, result.file)
            reason = " ".join(render.load_error(source, args.lang).split())
            view = render.failed_view(result.file, slug, reason, result.findings, args.lang)
            view.href = ""
            return view, reason, None, None
        view = render.form_view(
            result.file, slug, result.document.data, result.findings, profile, args.lang, layout=layout, root=root
        )
        view.href = slug + suffix
        if single and not pdf:
            return view, None, None, None
        text = render.render_form(env, fmt, view, index_href=None if single else render.INDEX[fmt],
                                  profile=profile.name, mode=mode)
        if pdf:
            return render.summary_view(view), None, text, digest(result.file, result.file, result.document, result.form)
        _write(os.path.join(outdir, view.href), text, outdir)
        # Only what the portfolio reads comes back from a worker: a whole view costs more to send
        # and rebuild in the parent than the worker saves by rendering it.
        return render.summary_view(view), None, None, digest(result.file, result.file, result.document, result.form)

    from perfspec.parallel import ordered_map

    if not single or pdf:
        try:
            os.makedirs(outdir, exist_ok=True)
        except OSError as exc:
            err.write(f"perfspec: 无法写入报告：{exc.filename or ''} {exc.strerror or exc}\n")
            return 2
    views: list[render.FormView] = []
    digests: dict[str, Digest] = {}
    pages: list[tuple[str, str]] = []  # (PDF file, its paper HTML)
    from perfspec.outputs.progress import Progress

    progress = Progress(err, len(files), what="已生成", unit="张表的报告", lang=args.lang, what_en="rendered")
    try:
        for view, reason, page, digested in ordered_map(view_of, files, args.jobs):
            if digested is not None:
                digests[view.file] = digested
            progress.step()
            if reason is not None:
                progress.clear()
                if single:
                    err.write(f"perfspec: {view.file}: 无法生成报告：{reason}\n")
                    return 1
                err.write(f"perfspec: {view.file}: 无法读取，汇总中列出：{reason}\n")
            views.append(view)
            if page is not None:
                pages.append((os.path.join(outdir, view.href), page))
        if single and not pdf:
            text = render.render_form(env, fmt, views[0], profile=profile.name, mode=mode)
            if args.output is None:
                out.write(text)
                return 0
            os.makedirs(args.output, exist_ok=True)
            _write(os.path.join(args.output, views[0].href), text, args.output)
            return 0
        if not single:
            try:
                portfolio = render.portfolio_view(views, profile, layout, root, engine=engine, digests=digests)
            except render.LayoutError as exc:
                err.write(f"perfspec: {exc}\n")
                return 2
            text = render.render_portfolio(env, fmt, portfolio, mode=mode)
            if pdf:
                pages.append((os.path.join(outdir, index), text))
            else:
                _write(os.path.join(outdir, index), text, outdir)
    except jinja2.TemplateSyntaxError as exc:
        err.write(f"perfspec: 模板错误：{exc.filename or exc.name}:{exc.lineno}: {exc.message}\n")
        return 2
    except jinja2.TemplateError as exc:
        err.write(f"perfspec: 模板错误：{type(exc).__name__}: {' '.join(str(exc).split())}\n")
        return 2
    except OSError as exc:
        err.write(f"perfspec: 无法写入报告：{exc.filename or ''} {exc.strerror or exc}\n")
        return 2
    finally:
        progress.close()
    if pdf:
        code = _print_pdfs(pages, browser, outdir, err, args.lang)
        if code:
            return code
    if mode.findings == "none":
        erroneous = [v for v in views if v.loaded and v.counts.get("error")]
        if erroneous and paper:
            total = sum(v.counts["error"] for v in erroneous)
            err.write(f"perfspec: 警告：{len(erroneous)} 张表有错误级检查结果（{_names(erroneous)}，共 {total} 个），"
                      f"打印版中未列出；--findings appendix 附在表后，margin 列在右侧\n")
    written = os.path.join(outdir, index) if not single else pages[0][0] if pages else ""
    if single:
        out.write(f"报告已写入 {written}\n")
        return 0
    out.write(f"报告已写入 {written}（{sum(v.loaded for v in views)} 张表")
    failed = sum(not v.loaded for v in views)
    out.write(f"，{failed} 张无法读取）\n" if failed else "）\n")
    return 0


def _print_pdfs(pages: list[tuple[str, str]], browser: str | None, outdir: str, err: TextIO, lang: str = "zh") -> int:
    """Print every page with Chromium, a few at a time, and write each PDF atomically into `outdir`."""
    from concurrent.futures import ThreadPoolExecutor

    from perfspec.outputs import pdf as pdf_out
    from perfspec.outputs.writer import write_atomic
    from perfspec.parallel import available_cpus

    def one(item: tuple[str, str]) -> tuple[str, bytes | None, str | None]:
        target, text = item
        try:
            return target, pdf_out.html_to_pdf(text, browser), None
        except pdf_out.PdfError as exc:
            return target, None, str(exc)

    from perfspec.outputs.progress import Progress

    workers = max(1, min(4, available_cpus(), len(pages)))
    code = 0
    # Chromium takes about a second a page: a portfolio of a hundred forms is minutes.
    progress = Progress(err, len(pages), what="已打印", unit="个 PDF", lang=lang, what_en="printed")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for target, data, problem in pool.map(one, pages):
            progress.step()
            if data is None:
                progress.clear()
                err.write(f"perfspec: {target}: 无法生成 PDF：{problem}\n")
                code = 2
                continue
            try:
                write_atomic(target, data, root=outdir)
            except OSError as exc:
                progress.clear()
                err.write(f"perfspec: 无法写入报告：{exc.filename or target} {exc.strerror or exc}\n")
                code = 2
    progress.close()
    return code
