"""PDF: a report's paper-mode HTML printed by headless Chromium.

Why Chromium and not a Python library: CI and most desktops already have it
(Debian's ``chromium``), it adds no Python dependency with native libraries
(WeasyPrint needs Pango), and since Chromium 131 it lays out what a printed form
needs from CSS alone — ``@page`` size and orientation, page margin boxes with
``counter(page)`` / ``counter(pages)`` (第 x 页 共 y 页 and the project's name on
every page), table heads repeated on every page, rows kept whole
(``break-inside: avoid``) and cell rules cloned at a page break.

The browser is found as ``$PERFSPEC_CHROMIUM``, else ``chromium``,
``chromium-browser``, ``google-chrome`` or ``google-chrome-stable`` on PATH. It
runs with a fresh profile in a private temporary folder, without background
network services, extensions or a sandbox (the page is perfspec's own
self-contained HTML with every datum escaped and no script; the sandbox does
not start as root or in most containers), and is killed with its whole process group when it
takes longer than `TIMEOUT` seconds. The PDF is read back from the temporary
folder and handed to the caller, who writes it with
perfspec.outputs.writer.write_atomic; the temporary folder is removed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120
INSTALL_HINT = (
    "生成 PDF 需要 Chromium（无界面运行）：Debian/Ubuntu 上 apt-get install chromium fonts-noto-cjk，"
    "或用环境变量 PERFSPEC_CHROMIUM 指定浏览器程序"
)


class PdfError(Exception):
    """The browser is missing or did not print; the message says why (Chinese)."""


def find_browser() -> str | None:
    """The Chromium to print with: $PERFSPEC_CHROMIUM, else the first of BROWSERS on PATH."""
    chosen = os.environ.get("PERFSPEC_CHROMIUM")
    if chosen:
        found = shutil.which(chosen)
        return found if found else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def command(browser: str, source: str, target: str, profile: str) -> list[str]:
    """The command line that prints `source` (an HTML file) to `target` (a PDF)."""
    return [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-features=Translate,MediaRouter",
        f"--user-data-dir={profile}", f"--print-to-pdf={target}", "--no-pdf-header-footer",
        "file://" + source,
    ]


def html_to_pdf(html: str, browser: str | None = None, timeout: float = TIMEOUT) -> bytes:
    """The PDF of one self-contained HTML page (its @page rules decide size, orientation and margins)."""
    from perfspec.outputs.writer import write_atomic

    browser = browser or find_browser()
    if browser is None:
        raise PdfError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="perfspec-pdf-") as folder:
        source = os.path.join(folder, "page.html")
        target = os.path.join(folder, "page.pdf")
        profile = os.path.join(folder, "profile")
        os.mkdir(profile, 0o700)
        write_atomic(source, html.encode("utf-8"), root=folder)
        env = dict(os.environ, HOME=folder, TMPDIR=folder, XDG_CONFIG_HOME=folder, XDG_CACHE_HOME=folder)
        try:
            process = subprocess.Popen(
                command(browser, source, target, profile), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=env, cwd=folder, start_new_session=True,
            )
        except OSError as exc:
            raise PdfError(f"无法启动 {browser}：{exc.strerror or exc}") from None
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise PdfError(f"{browser} 在 {timeout:g} 秒内没有完成打印，已终止") from None
        except BaseException:
            _kill(process)
            raise
        try:
            with open(target, "rb") as handle:
                data = handle.read()
        except OSError:
            data = b""
        if not data.startswith(b"%PDF"):
            tail = " ".join(err.decode("utf-8", "replace").split()[-30:])
            raise PdfError(f"{browser} 没有生成 PDF（退出码 {process.returncode}）：{tail}")
        return data


def _kill(process: subprocess.Popen) -> None:
    _kill_group(process)
    try:
        process.kill()
    except OSError:
        pass
    try:
        process.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass


def _kill_group(process: subprocess.Popen) -> None:
    """Chromium leaves helper processes (zygote, GPU, crashpad): end its own process group, nothing else."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (OSError, ProcessLookupError):
        pass
