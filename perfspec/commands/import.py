"""`perfspec import FILE --from text|pdf|xlsx -o DIR`: published forms → specs.

`import` is a Python keyword, but the module is only ever loaded by name
(importlib.import_module("perfspec.commands.import")), which is fine.

FILE ``-`` is standard input (read once, at most 50 MiB; its format is guessed from the bytes
read). A FILE that is a FIFO, a device or a socket is refused (exit 2) without being opened.

One spec per form. File names: a spec in DIR with the same project (and year)
gives its name, so importing again updates that file (only with --force, since
it overwrites); otherwise ``form-<n>-<hash>.yaml``, n the form's position in
the input and hash the first 6 hex digits of SHA-1 of the project name (there
is no transliteration table to make a readable ASCII slug from Chinese).

Every cell the importer was not sure of carries a ``# review: …`` comment in
the spec and is listed on stderr as ``file:line: reason``.

Exit codes: 0 imported (review notes or not); 1 the input holds no
self-evaluation form; 2 usage error, unreadable input, a missing optional
dependency, or output that could not be written (nothing is written then).
"""

from __future__ import annotations

import argparse
import os
from typing import TextIO

from perfspec.errors import UsageError

HELP = "导入已发布的自评表（PDF 提取的文本、PDF、xlsx 工作簿、Word 文档），每张表写成一个 spec"

_FORMATS = ("text", "pdf", "xlsx", "docx")
_EXTRA = {"pdf": ("pdfplumber", "pdf"), "xlsx": ("openpyxl", "xlsx"), "docx": ("docx", "docx")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="要导入的文件；- 表示从标准输入（管道）读取")
    parser.add_argument(
        "--from", dest="source", choices=_FORMATS,
        help="输入格式：text（PDF 提取的文本，单元格以 Tab 分隔）、pdf、xlsx 或 docx；不给时按扩展名或内容判断",
    )
    parser.add_argument("-o", "--output", metavar="DIR", required=True, help="写入 spec 的文件夹（不存在时创建）")
    parser.add_argument("--force", action="store_true", help="覆盖文件夹中已有的同名 spec")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言（默认中文；复核说明始终为中文）")


STDIN = "-"
MAX_STDIN = 50 * 1024 * 1024  # as the largest file an importer reads (xlsx, pdf)


def _guess(path: str, head: bytes | None = None) -> str:
    """The format by the file name, else by the first bytes: `head` when they were read already
    (standard input is read once: a pipe cannot be read again or sought back)."""
    lower = path.lower()
    if lower.endswith(".pdf"):
        return "pdf"
    if lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lower.endswith(".docx"):
        return "docx"
    if head is None:
        try:
            with open(path, "rb") as handle:  # a regular file: run() refused anything else
                head = handle.read(8)
        except OSError:
            return "text"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        from perfspec.importers.docx import is_docx

        return "docx" if path and is_docx(path) else "xlsx"
    return "text"


def _check_input(path: str, en: bool) -> None:
    """UsageError unless `path` is a readable regular file. stat never opens: a FIFO nobody writes
    to would block open() forever, and a device (/dev/zero) would never end."""
    import stat

    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file" if en else f"{path}：文件不存在") from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}" if en else f"{path}：无法读取（{exc.strerror or exc}）") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{path} is a folder: give one file" if en else f"{path} 是文件夹：请给出一个文件")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(
            f"{path} is not a regular file (a pipe, device or socket); to import from a pipe, give - and pipe it to stdin"
            if en else f"{path} 不是普通文件（管道、设备或套接字），未读取；从管道导入请写 -，从标准输入送入"
        )
    if not os.access(path, os.R_OK):
        raise UsageError(f"{path}: permission denied" if en else f"{path}：没有读取权限")


def _read_stdin(en: bool) -> bytes:
    """Standard input, whole and once, at most MAX_STDIN bytes."""
    import sys

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise UsageError("standard input is not available" if en else "没有可读取的标准输入")
    chunks, size = [], 0
    while size <= MAX_STDIN:
        chunk = stream.read(min(1 << 20, MAX_STDIN + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_STDIN:
        raise UsageError(f"standard input is larger than {MAX_STDIN} bytes; not read" if en
                         else f"标准输入超过 {MAX_STDIN} 字节，未读取")
    return b"".join(chunks)


def _schema_ref(outdir: str) -> str | None:
    """The `$schema` reference for the editor: the repository's schema/ relative to DIR, if there is one."""
    folder = os.path.abspath(outdir)
    for _ in range(8):
        candidate = os.path.join(folder, "schema", "perfspec.schema.json")
        if os.path.isfile(candidate):
            return os.path.relpath(candidate, os.path.abspath(outdir)).replace(os.sep, "/")
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


def _existing(outdir: str) -> dict[tuple, str]:
    """(project, year) → file name, for the specs already in DIR."""
    from perfspec.load.loader import load_file

    found: dict[tuple, str] = {}
    try:
        names = sorted(os.listdir(outdir))
    except OSError:
        return found
    for name in names:
        if not name.endswith((".yaml", ".yml")):
            continue
        result = load_file(os.path.join(outdir, name))
        data = result.document.data if result.document is not None else None
        if isinstance(data, dict) and isinstance(data.get("project"), str):
            year = data.get("year") if isinstance(data.get("year"), int) else None
            found.setdefault((data["project"], year), name)
            found.setdefault((data["project"], None), name)
    return found


def _name(number: int, form, existing: dict[tuple, str], taken: set[str]) -> str:
    import hashlib

    if form.project:
        for key in ((form.project, form.year), (form.project, None)):
            name = existing.get(key)
            if name and name not in taken:
                return name
    digest = hashlib.sha1((form.project or "").encode("utf-8")).hexdigest()[:6]
    name = f"form-{number}-{digest}.yaml"
    while name in taken:
        number += 1000
        name = f"form-{number}-{digest}.yaml"
    return name


def _write(path: str, text: str, root: str) -> None:
    """Atomically, never through a link leading out of DIR (perfspec.outputs.writer)."""
    from perfspec.outputs.writer import write_atomic

    write_atomic(path, text.encode("utf-8"), root=root)


def _configured_layout() -> tuple[str | None, str | None]:
    """The layout named in .perfspec.yaml, else the profile's (the importers' words and the written comments)."""
    from perfspec.config import load_config
    from perfspec.profile import ProfileError, load_profile

    try:
        config = load_config(".")
        return config.layout or load_profile(config.profile, config.root).layout, config.root
    except ProfileError:
        return None, None  # `perfspec check` reports a broken configuration; the import uses the defaults


class _RowProgress:
    """`已读取 1200/60000 行` on a terminal while a long text is read (see outputs/progress.py)."""

    def __init__(self, err: TextIO, lang: str) -> None:
        self.err, self.lang = err, lang
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from perfspec.outputs.progress import Progress

            self.bar = Progress(self.err, total, what="已读取", unit="行", lang=self.lang, what_en="read", unit_en="rows")
        self.bar.step(done - self.bar.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _read(source: str | None, path: str, layout, en: bool = False, progress=None):
    """The forms in `path` (- : standard input, read once and handed to the importer as a file).

    `progress(rows read, rows)`: told of every row of a text, a PDF or a Word document."""
    if path == STDIN:
        import tempfile

        data = _read_stdin(en)
        source = source or (None if data.startswith(b"PK\x03\x04") else _guess("", data[:8]))  # a zip: by its parts, below
        with tempfile.TemporaryDirectory(prefix="perfspec-import-") as folder:
            spooled = os.path.join(folder, "stdin")
            with open(spooled, "wb") as handle:
                handle.write(data)
            del data
            return _read(source, spooled, layout, en, progress)
    source = source or _guess(path)
    if source == "text":
        from perfspec.importers import text

        return text.read(path, layout, progress)
    if source == "pdf":
        from perfspec.importers import pdf

        return pdf.read(path, layout, progress)
    import importlib

    if source == "docx":
        return importlib.import_module("perfspec.importers.docx").read(path, layout, progress)
    return importlib.import_module("perfspec.importers.xlsx").read(path, layout)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from perfspec.importers import NotAForm, format_path
    from perfspec.importers.write import render

    en = args.lang == "en"
    path = args.file
    if path != STDIN:
        _check_input(path, en)
    outdir = args.output
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise UsageError(f"-o {outdir} is not a folder" if en else f"-o {outdir} 不是文件夹")
    source = args.source  # None: guessed by _read from the name or the first bytes
    from perfspec.importers.labels import reference

    name, root = _configured_layout()
    layout = reference(name, root)

    rows = _RowProgress(err, args.lang)
    try:
        try:
            forms = _read(source, path, layout, en, rows)
        finally:
            rows.close()  # before any message: the progress line is rewritten in place
    except NotAForm as exc:
        err.write(f"perfspec import: {exc.en if en else exc}\n")
        return 1
    except ModuleNotFoundError as exc:
        module = (exc.name or "").split(".")[0]
        for fmt, (needed, extra) in _EXTRA.items():
            if module == needed:
                err.write(
                    f"perfspec import: --from {fmt} needs {needed}: pip install 'perfspec[{extra}]'\n"
                    if en
                    else f"perfspec import: --from {fmt} 需要 {needed}，请安装：pip install 'perfspec[{extra}]'\n"
                )
                return 2
        if exc.name == "perfspec.importers.xlsx":
            err.write("perfspec import: --from xlsx is not available in this version\n" if en
                      else "perfspec import: 此版本不支持 --from xlsx\n")
            return 2
        raise
    except OSError as exc:
        err.write(f"perfspec import: {path}: {exc.strerror or exc}\n")
        return 2
    if not forms:
        err.write("perfspec import: no form found\n" if en else "perfspec import: 没有找到自评表\n")
        return 1

    schema = _schema_ref(outdir)
    existing = _existing(outdir) if os.path.isdir(outdir) else {}
    taken: set[str] = set()
    plans = []
    origin = "stdin" if path == STDIN else os.path.basename(path)
    for number, form in enumerate(forms, start=1):
        name = _name(number, form, existing, taken)
        taken.add(name)
        text, placed = render(form, schema, origin, form.layout or layout)
        plans.append((os.path.join(outdir, name), form, text, placed))
    clashes = [target for target, *_ in plans if os.path.exists(target)]
    if clashes and not args.force:
        err.write(
            ("perfspec import: these specs exist already (--force overwrites them); nothing was written:\n"
             if en else "perfspec import: 以下 spec 已经存在（加 --force 覆盖），没有写入任何文件：\n")
        )
        for target in clashes:
            err.write(f"  {target}\n")
        return 2
    from perfspec.outputs.writer import WriteRefused, check_replaceable, resolve

    try:
        for target, *_ in plans:  # a refusal before anything is written: all or nothing
            _real, info = resolve(target, outdir)
            if info is not None:
                check_replaceable(target, info)
        os.makedirs(outdir, exist_ok=True)
        for target, _form, text, _placed in plans:
            _write(target, text, outdir)
    except WriteRefused as exc:
        err.write(f"perfspec import: {exc.en if en else exc}\n")
        return 2
    except OSError as exc:
        err.write(f"perfspec import: {outdir}: {exc.strerror or exc}\n")
        return 2

    for target, form, _text, _placed in plans:
        # How each form was recognised, and where a cut-off copy stops.
        from perfspec.form.kinds import kind_of

        kind = form.kind
        if en:
            err.write(f"perfspec import: {target}: kind {kind}, layout {form.layout or 'default'} ({form.detected})\n")
        else:
            err.write(f"perfspec import: {target}: {kind_of(kind).zh}（{kind}），版式 {form.layout or '默认'}（{form.detected}）\n")
        if form.cut:
            err.write(f"perfspec import: {target}: {form.cut}\n")
    total = sum(len(placed) for *_, placed in plans)
    for target, form, _text, placed in plans:
        out.write(f"{target}\t{form.project or '?'}\t{len(placed)}\n")
    if total:
        err.write(
            f"perfspec import: {len(plans)} forms, {total} cells to review (marked “# review:”):\n"
            if en else f"perfspec import: {len(plans)} 张表，{total} 处需要复核（已标 “# review:”）：\n"
        )
        for target, form, _text, placed in plans:
            for line, note in placed:
                where = format_path(note.path) or ("(form)" if en else "（整张表）")
                err.write(f"{target}:{line}: {where}: {' '.join(note.reason.split())}\n")
    else:
        err.write(
            f"perfspec import: {len(plans)} forms, nothing to review\n"
            if en else f"perfspec import: {len(plans)} 张表，没有需要复核的单元格\n"
        )
    return 0
