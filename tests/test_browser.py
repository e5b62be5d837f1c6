"""The HTML reports in a real browser: headless Chromium screenshots and print-to-PDF.

Needs Debian's `chromium` (/usr/bin/chromium), `fonts-noto-cjk` (Chinese glyphs)
and `poppler-utils` (pdftotext); .ci/run installs them. Skipped, with the
reason, where they are missing.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from conftest import ROOT, run_cli
from perfspec.load.loader import load_file
from perfspec.form.model import build
from perfspec.outputs.render import two

CHROMIUM = "/usr/bin/chromium"
SPECS = os.path.join(ROOT, "specs", "2023")
FORMS = ("it-operations", "transaction-archives-management")  # with findings (landscape) / the longest (portrait)

# In CI (.ci/run installs them) a missing browser is a failure, not a skip.
_MISSING = not os.path.exists(CHROMIUM) or shutil.which("pdftotext") is None
if _MISSING and os.environ.get("CI") == "true":
    raise RuntimeError(f"CI must provide {CHROMIUM} and pdftotext: see .ci/run")
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk poppler-utils)",
)


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", *args,
    ]
    env = dict(os.environ, HOME=str(tmp_path))
    return subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)


def png_pixels(path: str) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit RGB or RGBA PNG with zlib + struct: (width, height, channels, raw pixel rows)."""
    with open(path, "rb") as handle:
        data = handle.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    width = height = depth = color = interlace = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    out = bytearray(height * stride)
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:  # Sub
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        out[y * stride : (y + 1) * stride] = line
        previous = line
    return width, height, channels, bytes(out)


def ink_fraction(path: str) -> float:
    """Share of pixels that are not (near) white."""
    width, height, channels, pixels = png_pixels(path)
    inked = 0
    for offset in range(0, len(pixels), channels):
        if pixels[offset] < 235 or pixels[offset + 1] < 235 or pixels[offset + 2] < 235:
            inked += 1
    return inked / (width * height)


def pdftotext(pdf, mode: str) -> str:
    return subprocess.run(
        ["pdftotext", mode, str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = run_cli("render", SPECS, "-o", str(out))
    assert result.code == 0, result.err
    return out


@pytest.mark.parametrize("page", ["index", "it-operations"])
def test_screenshots_are_not_blank(report, tmp_path, page: str) -> None:
    png = tmp_path / f"{page}.png"
    result = chromium(tmp_path, f"--screenshot={png}", "--window-size=1240,1754", (report / f"{page}.html").as_uri())
    assert png.is_file(), result.stderr[-2000:]
    width, height, _, _ = png_pixels(str(png))
    assert (width, height) == (1240, 1754)
    fraction = ink_fraction(str(png))
    # A form or the portfolio covers a good part of the page with lines, shading and text.
    assert fraction > 0.03, f"{page}: only {fraction:.3%} of the screenshot is not white"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")
@pytest.mark.parametrize("form", FORMS)
def test_printed_form_holds_every_name_and_the_total(report, tmp_path, form: str) -> None:
    pdf = tmp_path / f"{form}.pdf"
    result = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (report / f"{form}.html").as_uri())
    assert pdf.is_file() and pdf.stat().st_size > 1000, result.stderr[-2000:]
    text = pdftotext(pdf, "-layout")
    flat = squash(text)
    spec = build(load_file(os.path.join(SPECS, form + ".yaml")).document.data)
    assert squash(spec.data["project"]) in flat
    assert "财政项目支出绩效自评表" in flat and "(2023年度)" in flat
    assert two(spec.total_score) in text
    # -layout interleaves a wrapped name with the other cells of its row (their text sits on the
    # name's first line), so names are looked up in -raw text: content-stream order keeps the lines
    # of one cell together; only whitespace may differ.
    raw = squash(pdftotext(pdf, "-raw"))
    missing = [ind.name for ind in spec.indicators if squash(ind.name) not in raw]
    assert not missing, f"indicator names missing from the PDF: {missing}"
    unwrapped = [ind.name for ind in spec.indicators if squash(ind.name) in flat]
    assert unwrapped, "-layout text holds no indicator name at all"
    assert "总分" in flat and "评分等级" in flat


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")
def test_printed_portfolio(report, tmp_path) -> None:
    pdf = tmp_path / "index.pdf"
    chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (report / "index.html").as_uri())
    flat = squash(pdftotext(pdf, "-layout"))
    for name in ("绩效自评汇总", "信息化运维项目", "网上一二手房管理", "扣分指标", "未填写"):
        assert name in flat
