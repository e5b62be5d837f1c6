"""`perfspec render --format pdf`: every bundled form and a form of each shipped layout, printed by headless
Chromium and checked from the PDF itself (pdfinfo, pdftotext, pdftoppm):

- one page size per form, A4, in the orientation of its layout (landscape with a findings margin);
- the project's name and 第 x 页 共 y 页 on every page;
- 总分 and 评分等级 on the same page;
- no findings column (检查结果, PSnnn) with --findings none, the default;
- the layout's signature block;
- every indicator name whole on one page (a row is not split across pages);
- a row taller than a page is closed by a rule at the foot of every page it continues on;
- the portfolio: landscape, its heading and page numbers on every page.

Needs Debian's chromium, fonts-noto-cjk and poppler-utils (.ci/run installs them); skipped, with the
reason, where they are missing, and a failure in CI.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess

import pytest

from conftest import CASES, ROOT, run_cli
from perfspec.form.layout import choose_layout
from perfspec.load.loader import load_file
from perfspec.outputs import render
from perfspec.outputs.pdf import find_browser
from perfspec.profile import load_profile

SPECS = os.path.join(ROOT, "specs", "2023")
SEED = sorted(glob.glob(os.path.join(SPECS, "*.yaml")))
LAYOUTS = os.path.join(CASES, "layouts")
TOOLS = ("pdftotext", "pdfinfo", "pdftoppm")

_MISSING = find_browser() is None or any(shutil.which(t) is None for t in TOOLS)
if _MISSING and os.environ.get("CI") == "true":
    raise RuntimeError("CI must provide chromium and poppler-utils: see .ci/run")
pytestmark = pytest.mark.skipif(_MISSING, reason="chromium or poppler-utils is missing (apt-get install chromium "
                                                  "fonts-noto-cjk poppler-utils)")


def layout_forms() -> list[str]:
    """The good form of each shipped layout (tests/cases/layouts/<layout>/, not bad-*), one per layout."""
    out = []
    for folder in sorted(glob.glob(os.path.join(LAYOUTS, "*"))):
        good = sorted(f for f in glob.glob(os.path.join(folder, "*.yaml")) if not os.path.basename(f).startswith("bad-"))
        out.append(good[0])
    return out


LAYOUT_FORMS = layout_forms()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages(pdf: str, mode: str = "-layout") -> list[str]:
    text = subprocess.run(["pdftotext", mode, pdf, "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    parts = text.split("\f")
    return parts[:-1] if parts and not parts[-1].strip() else parts


def sizes(pdf: str) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", pdf], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]


def view_of(path: str, profile: str) -> render.FormView:
    prof = load_profile(profile)
    data = load_file(path).document.data
    layout, _ = choose_layout(data, prof.layout)
    return render.form_view(path, "x", data, [], prof, layout=layout)


@pytest.fixture(scope="module")
def seed_pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-pdf")
    result = run_cli("render", SPECS, "--format", "pdf", "-o", str(out))
    assert result.code == 0, result.err
    return out, result


@pytest.fixture(scope="module")
def layout_pdfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout-specs")
    for path in LAYOUT_FORMS:
        shutil.copy(path, folder / (os.path.basename(os.path.dirname(path)) + "--" + os.path.basename(path)))
    out = tmp_path_factory.mktemp("layout-pdf")
    result = run_cli("render", str(folder), "--format", "pdf", "-o", str(out), "--profile", "national")
    assert result.code == 0, result.err
    return out, result


def check_printed_form(pdf: str, view: render.FormView) -> None:
    assert os.path.isfile(pdf), pdf
    found = sizes(pdf)
    text = pages(pdf)
    assert found and len(found) == len(text), (found, len(text))
    # One orientation per form, A4, the layout's.
    assert len(set(found)) == 1, f"{pdf}: pages of different sizes {set(found)}"
    width, height = found[0]
    assert sorted((round(width), round(height))) == [595, 842], found[0]
    assert (width > height) == (view.orientation == "landscape"), (pdf, view.orientation, found[0])
    # The project's name and the page number on every page.
    name = squash(view.project_name)
    for number, page in enumerate(text, start=1):
        flat = squash(page)
        assert name in flat, f"{pdf}: page {number} lacks the project name"
        assert f"第{number}页共{len(text)}页" in flat, f"{pdf}: page {number} lacks 第 {number} 页 共 {len(text)} 页"
    # No findings in --findings none.
    everything = "".join(text)
    assert "检查结果" not in everything and not re.search(r"PS\d{3}", everything), pdf
    # 总分 and 评分等级 on one page.
    if view.show_total or view.show_grade:
        labels = [cell.text for cell, shown in ((view.total.label, view.show_total), (view.grade.label, view.show_grade))
                  if shown]
        where = {label: [i for i, page in enumerate(text) if label in squash(page)] for label in labels}
        assert all(len(found_on) == 1 for found_on in where.values()), where
        assert len({found_on[0] for found_on in where.values()}) == 1, f"{pdf}: {where}"
    # The layout's signature block, after everything else.
    assert view.sign_items or not view.layout.signatures
    last = squash(text[-1])
    for item in view.sign_items:
        assert f"{item.label}：" in last, f"{pdf}: signature line {item.label} missing"
    # Every indicator name whole on one page: no row is split across pages.
    raw = [squash(page) for page in pages(pdf, "-raw")]
    for row in view.rows:
        if row.indicator is not None and row.indicator.name:
            assert any(squash(row.indicator.name) in page for page in raw), f"{pdf}: {row.indicator.name} split"


@pytest.mark.parametrize("path", SEED, ids=[os.path.basename(p)[:-5] for p in SEED])
def test_every_bundled_form_prints(seed_pdfs, path: str) -> None:
    out, _ = seed_pdfs
    view = view_of(path, "shanghai")
    assert view.orientation == "portrait"
    check_printed_form(str(out / (os.path.basename(path)[:-5] + ".pdf")), view)


@pytest.mark.parametrize("path", LAYOUT_FORMS, ids=[os.path.basename(os.path.dirname(p)) for p in LAYOUT_FORMS])
def test_a_form_of_each_layout_prints(layout_pdfs, path: str) -> None:
    out, _ = layout_pdfs
    view = view_of(path, "national")
    pdf = out / (render.slugify(os.path.basename(os.path.dirname(path)) + "--" + os.path.basename(path)[:-5]) + ".pdf")
    check_printed_form(str(pdf), view)


def test_every_shipped_layout_is_printed() -> None:
    from perfspec.form.layout import builtin_layouts

    assert sorted(os.path.basename(os.path.dirname(p)) for p in LAYOUT_FORMS) == builtin_layouts()


def test_orientation_follows_the_layout(layout_pdfs) -> None:
    out, _ = layout_pdfs
    wide = {os.path.basename(p)[:-4].split("--")[0] for p in glob.glob(str(out / "*--*.pdf"))
            if sizes(p)[0][0] > sizes(p)[0][1]}
    assert wide == {"monitoring", "sichuan-2023", "three-score-columns"}


def test_a_warning_names_the_forms_whose_errors_are_left_out(seed_pdfs) -> None:
    _, result = seed_pdfs
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert "it-operations.yaml" in lines[0] and "online-housing-transactions.yaml" in lines[0]
    assert "共 3 个" in lines[0] and "--findings appendix" in lines[0]


def test_the_printed_portfolio(seed_pdfs) -> None:
    out, _ = seed_pdfs
    pdf = str(out / "index.pdf")
    found = sizes(pdf)
    assert len(set(found)) == 1 and found[0][0] > found[0][1]  # landscape throughout
    text = pages(pdf)
    for number, page in enumerate(text, start=1):
        flat = squash(page)
        assert "绩效自评汇总" in flat and f"第{number}页共{len(text)}页" in flat
    flat = squash("".join(text))
    assert "98.00（逐项合计93.00）" in flat
    for name in ("信息化运维项目", "网上一二手房管理", "2023年浦东房地大厦设施设备维护", "扣分按指标类别", "未填写"):
        assert name in flat


@pytest.mark.parametrize("findings", ["appendix", "margin"])
def test_findings_in_an_appendix_or_a_margin(tmp_path, findings: str) -> None:
    path = os.path.join(SPECS, "it-operations.yaml")
    result = run_cli("render", path, "--format", "pdf", "--findings", findings, "-o", str(tmp_path))
    assert result.code == 0 and result.err == "", result.err
    pdf = str(tmp_path / "it-operations.pdf")
    found, text = sizes(pdf), pages(pdf)
    assert len(set(found)) == 1
    landscape = found[0][0] > found[0][1]
    if findings == "appendix":
        assert not landscape and len(text) >= 2
        assert "PS201" in text[-1] and "检查结果" in text[-1]
        assert "PS201" not in "".join(text[:-1])  # the form carries markers only
    else:
        assert landscape and "检查结果" in text[0] and "PS201" in text[0]
    for number, page in enumerate(text, start=1):
        assert f"第{number}页共{len(text)}页" in squash(page) and "信息化运维项目" in squash(page)


def _rows_of_ink(png: str) -> tuple[int, int, list[float]]:
    from test_browser import png_pixels

    width, height, channels, pixels = png_pixels(png)
    shares = []
    for y in range(height):
        line = pixels[y * width * channels:(y + 1) * width * channels]
        dark = sum(1 for x in range(0, len(line), channels) if line[x] < 110)
        shares.append(dark / width)
    return width, height, shares


def test_a_row_taller_than_a_page_is_closed_at_every_page_foot(tmp_path) -> None:
    note = "".join(f"第{i}句：偏差原因说明与改进措施写在这里，逐条列出。" for i in range(90))  # about 2,000 characters
    text = open(os.path.join(SPECS, "it-operations.yaml"), encoding="utf-8").read()
    text = text.replace("        score: 8\n", f"        score: 8\n        deviation: {note}\n", 1)
    spec = tmp_path / "long-note.yaml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", str(spec), "--format", "pdf", "-o", str(out))
    assert result.code == 0, result.err
    pdf = str(out / "long-note.pdf")
    text_pages = pages(pdf)
    assert len(text_pages) >= 3, len(text_pages)
    # Nothing of the note is lost: the pages' text without the page header and footer and the repeated
    # column heads holds the whole note.
    furniture = re.compile(r"项目名称：信息化运维项目财政项目支出绩效自评表（2023年度）第\d+页共\d+页"
                           r"|一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因分析及改进措施")
    flat = furniture.sub("", "".join(squash(page) for page in pages(pdf, "-raw")))
    assert squash(note) in flat
    for number, page in enumerate(text_pages, start=1):
        assert f"第{number}页共{len(text_pages)}页" in squash(page) and "信息化运维项目" in squash(page)
    subprocess.run(["pdftoppm", "-png", "-r", "100", pdf, str(tmp_path / "page")], check=True, timeout=60)
    images = sorted(glob.glob(str(tmp_path / "page*.png")))
    assert len(images) == len(text_pages)
    for png in images[:-1]:
        _, height, shares = _rows_of_ink(png)
        # A horizontal rule across most of the table in the lowest fifth of the page: the page foot is closed.
        rules = [y for y, share in enumerate(shares) if share > 0.6]
        assert rules and max(rules) > height * 0.8, f"{png}: no rule at the page foot (rules at {rules})"
