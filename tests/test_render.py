"""`perfspec render`: the forms and the portfolio as HTML and Markdown.

Golden files: tests/golden/<form>.md and tests/golden/portfolio.md hold the whole
Markdown output; `PERFSPEC_UPDATE_GOLDEN=1 python -m pytest tests/test_render.py`
rewrites them (review the diff before committing).
"""

from __future__ import annotations

import glob
import html
import os
import re
import shutil
import stat
from decimal import ROUND_DOWN, Decimal

import pytest

from conftest import ROOT, run_cli
from perfspec.outputs import render
from perfspec.load.loader import load_file
from perfspec.form.layout import load_layout
from perfspec.form.model import build
from perfspec.profile import load_profile

SPECS = sorted(glob.glob(os.path.join(ROOT, "specs", "2023", "*.yaml")))
SPEC_IDS = [os.path.basename(p)[:-5] for p in SPECS]
GOLDEN = os.path.join(ROOT, "tests", "golden")
UPDATE = os.environ.get("PERFSPEC_UPDATE_GOLDEN") == "1"
REFERENCE = os.path.join(ROOT, "specs", "2023", "it-operations.yaml")
EVIL = "<script>alert(1)</script>A|B"


def spec_data(path: str):
    return load_file(path).document.data


def golden(name: str, text: str) -> None:
    path = os.path.join(GOLDEN, name)
    if UPDATE:
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return
    assert os.path.isfile(path), f"missing golden file {path}: run with PERFSPEC_UPDATE_GOLDEN=1"
    with open(path, encoding="utf-8") as handle:
        expected = handle.read()
    assert text == expected, f"{name} differs from its golden file (PERFSPEC_UPDATE_GOLDEN=1 regenerates it)"


def md_cells(line: str) -> list[str]:
    """Split a GFM table row as GitHub does: `\\x` escapes x, so `\\|` is no cell boundary."""
    assert line.startswith("|") and line.endswith("|"), line
    cells, current, i = [], "", 1
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current += line[i : i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(current)
            current = ""
        else:
            current += ch
        i += 1
    assert current == "", f"text after the last pipe: {line!r}"
    return cells


def md_tables(text: str) -> list[list[str]]:
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def assert_tables_well_formed(text: str) -> None:
    for table in md_tables(text):
        width = len(md_cells(table[0]))
        assert re.fullmatch(r"\|( -{3,}:? \|)+", table[1]), table[1]
        for row in table:
            assert len(md_cells(row)) == width, f"{len(md_cells(row))} cells, header has {width}: {row}"


def html_rows(text: str) -> list[str]:
    return re.findall(r"<tr[^>]*>(.*?)</tr>", text, flags=re.S)


def assert_self_contained(text: str) -> None:
    for needle in ("http://", "https://", "src=", "@import", "<script", "<link", "url("):
        assert needle not in text, f"HTML report refers to something outside itself: {needle}"


def write_spec(tmp_path, name: str, replace: dict[str, str] | None = None, append: str = "") -> str:
    text = open(REFERENCE, encoding="utf-8").read()
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text + append, encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- every bundled form


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_every_bundled_form_renders(path: str, fmt: str) -> None:
    result = run_cli("render", path, "--format", fmt)
    assert result.code == 0 and result.err == "", result.err
    project = spec_data(path)["project"]
    title = load_layout(load_profile("shanghai").layout).title  # .perfspec.yaml: profile shanghai
    assert title == "财政项目支出绩效自评表"
    assert title in result.out and "(2023 年度)" in result.out
    assert (html.escape(project) if fmt == "html" else render.md_escape(project)) in result.out
    spec = build(spec_data(path))
    for ind in spec.indicators:
        shown = html.escape(ind.name) if fmt == "html" else render.md_escape(ind.name)
        assert shown in result.out, ind.name
    assert render.two(spec.total_score) in result.out
    if fmt == "html":
        assert_self_contained(result.out)
        assert result.out.lstrip().startswith("<!DOCTYPE html>")
    else:
        assert_tables_well_formed(result.out)


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_markdown_of_each_form_matches_its_golden_file(path: str) -> None:
    result = run_cli("render", path, "--format", "md")
    assert result.code == 0
    golden(os.path.basename(path)[:-5] + ".md", result.out)


def test_portfolio_markdown_matches_its_golden_file(tmp_path) -> None:
    out = tmp_path / "report"
    result = run_cli("render", os.path.join(ROOT, "specs", "2023"), "--format", "md", "-o", str(out))
    assert result.code == 0, result.err
    assert sorted(os.listdir(out)) == sorted(["README.md"] + [i + ".md" for i in SPEC_IDS])
    text = (out / "README.md").read_text(encoding="utf-8")
    assert_tables_well_formed(text)
    golden("portfolio.md", text)
    # A form rendered inside a portfolio is the same as rendered alone.
    for ident in SPEC_IDS:
        if not UPDATE:
            assert (out / f"{ident}.md").read_text(encoding="utf-8") == open(
                os.path.join(GOLDEN, ident + ".md"), encoding="utf-8"
            ).read()


def test_portfolio_html(tmp_path) -> None:
    out = tmp_path / "report"
    result = run_cli("render", os.path.join(ROOT, "specs", "2023"), "-o", str(out))
    assert result.code == 0, result.err
    assert sorted(os.listdir(out)) == sorted(["index.html"] + [i + ".html" for i in SPEC_IDS])
    text = (out / "index.html").read_text(encoding="utf-8")
    assert_self_contained(text)
    for ident in SPEC_IDS:
        assert f'href="{ident}.html"' in text
        assert_self_contained((out / f"{ident}.html").read_text(encoding="utf-8"))
    # Two charts: 总分 and 执行率, one bar per form each.
    assert text.count("<svg") == 2 and text.count('<rect class="score"') == len(SPECS)
    assert text.count('<rect class="rate"') == len(SPECS)
    assert "上海市住房和城乡建设管理委员会" in text and "9 张" in text
    # Overall execution rate: Σ executed ÷ Σ annual, in Decimal, truncated (shanghai profile).
    executed = sum(Decimal(spec_data(p)["funds"]["total"]["executed"]) for p in SPECS)
    annual = sum(Decimal(spec_data(p)["funds"]["total"]["annual"]) for p in SPECS)
    overall = (executed / annual * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    assert f'<td class="num">{overall}</td>' in text
    assert f'<td class="num">{executed:.2f}</td>' in text
    # Every deducted indicator with its loss, and the missing note marked.
    assert "故障响应及时率" in text and "<td class=\"num\">2.00</td>" in text
    assert f'<span class="missing">{render.NOT_FILLED}</span>' in text
    assert "<th>优</th>" in text
    form = (out / "it-operations.html").read_text(encoding="utf-8")
    assert 'href="index.html"' in form


def test_portfolio_figures() -> None:
    profile = load_profile("shanghai")
    views = [render.form_view(p, i, spec_data(p), [], profile) for p, i in zip(SPECS, SPEC_IDS)]
    p = render.portfolio_view(views, profile)
    assert p.grades[0] == ("优", 9)
    lost = {(f.slug, d.name): d.lost for f, d in p.deductions}
    assert lost[("it-operations", "故障响应及时率")] == "2.00"
    assert lost[("transaction-archives-management", "长效管理机制健全")] == "0.50"
    assert all(d.deviation is None for f, d in p.deductions if d.name == "故障响应及时率")
    assert [len(chart.bars) for chart in p.charts] == [9, 9]


# --------------------------------------------------------------------------- escaping


def test_md_escape() -> None:
    assert render.md_escape("a|b") == "a\\|b"
    for ch in "\\|*_`[]~#":
        assert render.md_escape(ch) == "\\" + ch
    assert render.md_escape("<a href='x'>&amp;</a>") == "&lt;a href='x'&gt;&amp;amp;&lt;/a&gt;"
    assert render.md_escape("x\ny\r\nz\rw\u2028v\tu") == "x y z w v u"
    assert render.md_escape(None) == ""
    assert render.md_escape(Decimal("1.50")) == "1.50"
    assert render.md_escape("普通文字 100.00(%)") == "普通文字 100.00(%)"
    once = render.md_escape("a|b")
    assert render.md_escape(once) == once  # already safe: not escaped twice
    assert isinstance(render.md_escape("x"), render.MdText)


def test_a_hostile_project_name_is_text_in_html_and_markdown(tmp_path) -> None:
    path = write_spec(tmp_path, "hostile.yaml", {
        "project: 信息化运维项目": f"project: '{EVIL}'",
        "- name: 故障处理率": f"- name: '{EVIL}'",
        "        score: 8\n": "        score: 8\n        deviation: \"第一行\\n| 第二行 <b>粗</b> **强调** [链接](javascript:x)\"\n",
    })
    page = run_cli("render", path)
    assert page.code == 0, page.err
    assert "<script" not in page.out.lower() and "<b>粗" not in page.out
    assert html.escape(EVIL) in page.out  # &lt;script&gt;alert(1)&lt;/script&gt;A|B
    assert_self_contained(page.out)

    md = run_cli("render", path, "--format", "md")
    assert md.code == 0, md.err
    assert "<script" not in md.out.lower() and "<b>" not in md.out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;A\\|B" in md.out
    assert set(re.findall(r"<[^>]*>", md.out)) <= {"<br>"}  # the only markup is the template's
    assert_tables_well_formed(md.out)
    row = next(line for line in md.out.splitlines() if line.startswith("|") and "alert" in line and "≥95.00" in line)
    assert len(md_cells(row)) == 9  # 8 columns of the form + the findings column
    note = next(line for line in md.out.splitlines() if "第一行" in line)
    assert "第一行 \\| 第二行 &lt;b&gt;粗&lt;/b&gt; \\*\\*强调\\*\\* \\[链接\\](javascript:x)" in note

    out = tmp_path / "out"
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(path, folder / "hostile.yaml")
    for fmt in ("html", "md"):
        assert run_cli("render", str(folder), "--format", fmt, "-o", str(out)).code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "<script" not in index.lower() and html.escape(EVIL) in index
    assert "<script" not in readme.lower()
    assert_tables_well_formed(readme)


# --------------------------------------------------------------------------- layout


def expected_spans(spec) -> list[tuple[str, int]]:
    """(一级 or 二级 name, rowspan) in document order: what the merged cells must say."""
    out = []
    for level1, level2s in spec.categories:
        inds = [i for i in spec.indicators if i.level1 == level1]
        out.append((level1, len(inds)))
        for level2 in level2s:
            out.append((level2, len([i for i in inds if i.level2 == level2])))
    return out


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_merged_cells_span_their_indicators(path: str) -> None:
    page = run_cli("render", path).out
    body = page.split('<table class="form indicators">', 1)[1].split('<tbody class="totals">', 1)[0]
    cells = re.findall(r'<td class="cat[^"]*"(?: rowspan="(\d+)")?>([^<]*)', body)
    got = [(name, int(span or 1)) for span, name in cells]
    spec = build(spec_data(path))
    assert got == expected_spans(spec)
    assert len(html_rows(body.split("<tbody>", 1)[1])) == len(spec.indicators)


def test_archives_form_merges_thirteen_output_rows() -> None:
    page = run_cli("render", os.path.join(ROOT, "specs", "2023", "transaction-archives-management.yaml")).out
    assert '<td class="cat" rowspan="13">产出指标</td>' in page
    assert '<td class="cat" rowspan="4">质量指标</td>' in page


def test_funds_block_as_on_the_form(tmp_path) -> None:
    page = run_cli("render", REFERENCE).out
    rows = html_rows(page)
    total = next(r for r in rows if "年度资金总额" in r)
    assert re.findall(r'<td class="num">([^<]*)</td>', total) == ["137.21", "137.21", "136.70", "10.00", "99.62", "9.96"]
    sub = next(r for r in rows if "其中：当年财政拨款" in r)
    assert re.findall(r'<td class="num[^"]*">([^<]*)</td>', sub) == ["137.21", "137.21", "136.70", "-", "99.62", "-"]
    carry = next(r for r in rows if "上年结转资金" in r)
    assert re.findall(r'<td class="num[^"]*">([^<]*)</td>', carry) == ["0.00", "0.00", "0.00", "-", "0.00", "-"]
    for label in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率(%)", "得分", "项目资金（万元）"):
        assert label in page
    assert "@page" in page and "A4" in page and "table-header-group" in page
    assert '"Noto Sans CJK SC"' in page and "sans-serif" in page


def test_sub_row_rates_are_computed_with_the_profile_rounding() -> None:
    profile = load_profile("shanghai")
    data = spec_data(REFERENCE)
    data["funds"]["carryover"] = {"initial": Decimal("3.00"), "annual": Decimal("3.00"), "executed": Decimal("2.00")}
    data["funds"]["other"] = {"initial": Decimal("0.00"), "annual": Decimal("0.00"), "executed": Decimal("1.00")}
    view = render.form_view("x.yaml", "x", data, [], profile)
    rates = [row.rate.text for row in view.funds]
    assert rates == ["99.62", "99.62", "66.66", "-"]  # 2 ÷ 3 = 66.666… truncated; annual 0 with spending: -
    assert load_profile("national").rate_rounding[0] == "truncate"
    data["funds"]["carryover"] = {"initial": Decimal(0), "annual": Decimal(0), "executed": Decimal(0)}
    data["funds"]["other"] = {"initial": None, "annual": Decimal(5), "executed": None}
    spec = build(data, load_layout(profile.layout))
    assert render.row_rate(spec, "carryover", profile) == "0.00"
    assert render.row_rate(spec, "other", profile) == "-"


def test_numbers_show_two_decimals_and_unit_yuan(tmp_path) -> None:
    path = write_spec(tmp_path, "yuan.yaml", {"unit: 万元": "unit: 元", "weight: 20": "weight: 20.005"})
    page = run_cli("render", path).out
    assert "项目资金（元）" in page
    assert ">20.005<" in page  # more decimals than two are shown as written, never rounded away
    assert ">15.00<" in page
    assert render.two(Decimal("10")) == "10.00" and render.two(Decimal("1E+1")) == "10.00"


# --------------------------------------------------------------------------- findings


def test_findings_sit_beside_their_cells() -> None:
    page = run_cli("render", REFERENCE).out
    rows = html_rows(page)
    row = next(r for r in rows if "故障响应及时率" in r and "<td" in r)
    assert "PS201" in row and "PS303" in row
    assert sum("PS201" in r for r in rows) == 1
    # The markers: PS201 on the empty deviation cell, PS303 on the score.
    assert re.search(r'<td class="text f-error"><sup class="mark error"[^>]*>\[1\]</sup></td>', row)
    assert re.search(r'<td class="num f-warning">8\.00<sup class="mark warning"[^>]*>\[2\]</sup></td>', row)
    summary = page.split('<section class="summary">', 1)[1].split("</section>", 1)[0]
    assert "错误 <b>1</b>" in summary and "警告 <b>1</b>" in summary and "PS201" in summary

    md = run_cli("render", REFERENCE, "--format", "md").out
    line = next(x for x in md.splitlines() if x.startswith("|") and "故障响应及时率" in x)
    assert "PS201" in md_cells(line)[-1] and "8.00 \\[2\\]" in line
    assert sum("PS201" in x for x in md.splitlines() if x.startswith("|")) == 1


def test_totals_findings_on_the_total_row() -> None:
    page = run_cli("render", os.path.join(ROOT, "specs", "2023", "online-housing-transactions.yaml")).out
    total = next(r for r in html_rows(page) if "总分" in r and "PS104" in r)
    assert "PS105" in total and 'class="num f-error">100.00<sup' in total


def test_a_clean_form_has_no_findings_column() -> None:
    page = run_cli("render", os.path.join(ROOT, "specs", "2023", "pudong-building-maintenance.yaml")).out
    assert 'class="find"' not in page and "没有检查结果" in page


def test_acknowledged_findings_are_marked_with_their_reason(tmp_path) -> None:
    path = write_spec(tmp_path, "acked.yaml", {
        "        score: 8\n": "        score: 8\n        acknowledge:\n          PS201: 原表如此，无法更改\n",
    })
    page = run_cli("render", path).out
    row = next(r for r in html_rows(page) if "故障响应及时率" in r and "<td" in r)
    assert "已确认：原表如此，无法更改" in row and "f-ack" in row
    assert "已确认 <b>1</b>" in page
    md = run_cli("render", path, "--format", "md").out
    assert "（已确认：原表如此，无法更改）" in md


def test_english_messages(tmp_path) -> None:
    page = run_cli("render", REFERENCE, "--lang", "en").out
    assert "deviation note" in page and "财政项目支出绩效自评表" in page


# --------------------------------------------------------------------------- templates


def test_a_users_template_folder_overrides_one_file_and_falls_back(tmp_path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "_letterhead.html.j2").write_text(
        '<div class="letterhead">某某市财政局 · {{ form.project_name }}</div>\n', encoding="utf-8"
    )
    (mine / "form.md.j2").write_text("项目：{{ form.project_name }}\n", encoding="utf-8")
    page = run_cli("render", REFERENCE, "--templates", str(mine))
    assert page.code == 0, page.err
    assert '<div class="letterhead">某某市财政局 · 信息化运维项目</div>' in page.out
    assert "<th>一级指标</th>" in page.out and "<style>" in page.out  # the rest is the bundled form
    evil = write_spec(tmp_path, "evil.yaml", {"project: 信息化运维项目": f"project: '{EVIL}'"})
    md = run_cli("render", evil, "--format", "md", "--templates", str(mine))
    assert md.out == "项目：&lt;script&gt;alert(1)&lt;/script&gt;A\\|B\n"  # a user's template escapes too
    html_page = run_cli("render", evil, "--templates", str(mine))
    assert "<script" not in html_page.out and f"某某市财政局 · {html.escape(EVIL)}" in html_page.out


def test_template_errors_and_a_missing_template_folder(tmp_path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "form.md.j2").write_text("{% if %}\n", encoding="utf-8")
    result = run_cli("render", REFERENCE, "--format", "md", "--templates", str(bad))
    assert result.code == 2 and "模板错误" in result.err and "Traceback" not in result.err
    missing = run_cli("render", REFERENCE, "--templates", str(tmp_path / "nope"))
    assert missing.code == 2 and "nope" in missing.err


def test_templates_are_found() -> None:
    folder = render.templates_dir()
    for name in ("form.html.j2", "form.md.j2", "portfolio.html.j2", "portfolio.md.j2"):
        assert os.path.isfile(os.path.join(folder, name))


# --------------------------------------------------------------------------- files, folders, failures


def test_a_spec_that_fails_to_load(tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("year: 2023\nproject: [unclosed\n", encoding="utf-8")
    single = run_cli("render", str(broken))
    assert single.code == 1 and single.out == ""
    assert len(single.err.strip().splitlines()) == 1 and "broken.yaml" in single.err
    assert "Traceback" not in single.err
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("project: 信息化运维项目\n".encode("gbk"))
    assert run_cli("render", str(gbk), "--format", "md").code == 1

    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copy(REFERENCE, folder / "it-operations.yaml")
    shutil.copy(broken, folder / "broken.yaml")
    out = tmp_path / "out"
    for fmt, index in (("html", "index.html"), ("md", "README.md")):
        result = run_cli("render", str(folder), "--format", fmt, "-o", str(out))
        assert result.code == 0 and "broken.yaml" in result.err
        text = (out / index).read_text(encoding="utf-8")
        assert "broken.yaml" in text and "无法读取" in text and "信息化运维项目" in text
    assert not (out / "broken.html").exists() and (out / "it-operations.html").exists()
    assert_tables_well_formed((out / "README.md").read_text(encoding="utf-8"))


def test_output_locations(tmp_path) -> None:
    one = tmp_path / "one"
    result = run_cli("render", REFERENCE, "--format", "md", "-o", str(one))
    assert result.code == 0 and result.out == ""
    assert os.listdir(one) == ["it-operations.md"]
    # A folder without -o goes to build/report below the working folder.
    work = tmp_path / "work"
    (work / "specs").mkdir(parents=True)
    shutil.copy(REFERENCE, work / "specs" / "it-operations.yaml")
    result = run_cli("render", "specs", cwd=str(work))
    assert result.code == 0, result.err
    assert (work / "build" / "report" / "index.html").is_file()
    assert (work / "build" / "report" / "it-operations.html").is_file()


def test_clashing_file_names_get_distinct_reports(tmp_path) -> None:
    for year in ("2023", "2024"):
        (tmp_path / "specs" / year).mkdir(parents=True)
        shutil.copy(REFERENCE, tmp_path / "specs" / year / "it-operations.yaml")
    out = tmp_path / "out"
    assert run_cli("render", str(tmp_path / "specs"), "--format", "md", "-o", str(out)).code == 0
    assert sorted(os.listdir(out)) == ["2023-it-operations.md", "2024-it-operations.md", "README.md"]


def test_render_exits_zero_despite_error_findings() -> None:
    result = run_cli("render", REFERENCE, "--format", "md")
    assert result.code == 0 and "PS201" in result.out


# --------------------------------------------------------------------------- layouts


SICHUAN = """\
year: 2023
layout: sichuan-2023
project: 工资性支出
department: 某县发展和改革局本级
implementer: 某县发展和改革局
funds:
  unit: 万元
  weight: 10
  total:           {initial: 238.93, annual: 251.89, executed: 251.89, rate: 100.00}
  appropriation:   {initial: 238.93, annual: 251.89, executed: 251.89, rate: 100.00}
  special_account: {initial: 0.00, annual: 0.00, executed: 0.00, rate: 0.00}
  unit_own:        {initial: 0.00, annual: 0.00, executed: 0.00, rate: 0.00}
  other:           {initial: null, annual: null, executed: null, rate: null}
  rate: 100.00
  score: 10
  deviation: 年中追加工资调标资金
goals:
  expected: 保障工资及时、足额发放
  achieved: 工资已按月足额发放
indicators:
  产出指标(60分):
    数量指标:
      - name: 发放覆盖率
        target: {operator: "=", value: 100, unit: "%"}
        actual: 100%
        weight: 60
        score: 60
  效益指标:
    社会效益指标:
      - name: 足额保障率
        target: {operator: "=", value: 100, unit: "%"}
        actual: 100%
        weight: 30
        score: 30
total: {weight: 100, score: 100}
grade: 优
conclusion: 项目完成良好
problems: 无
leader: 张三
finance_leader: 李四
"""

THREE = """\
year: 2020
layout: three-score-columns
project: 高龄津贴
implementer: 某县民政局
funds:
  weight: null
  total:         {annual: 6.84, executed: 6.84}
  appropriation: {annual: 6.84, executed: 6.84}
  other:         {annual: 0.00, executed: 0.00}
  rate: 100.00
goals:
  expected: 发放补贴
  achieved: 已发放
indicators:
  产出指标:
    质量指标:
      - name: 覆盖率
        target: {operator: ">=", value: 98, unit: "%"}
        actual: 100%
        raw_score: 100.00
        weight: 25.00
        score: 25.00
"""

NO_SCORES = """\
year: 2022
layout: no-scores
project: 县级专项
department: 某县财政局
implementer: 某县某单位
funds:
  total: {annual: 20.00, executed: 18.00}
  appropriation: {annual: 20.00, executed: 18.00}
  rate: 90.00
goals:
  expected: 完成工程
  achieved: 基本完成
indicators:
  产出指标:
    数量指标:
      - name: 工程数量
        target: 5处
        actual: 4处
        deviation: 一处延期到次年
"""


def _layout_view(text: str, name: str = "x.yaml") -> render.FormView:
    from perfspec.load.loader import load_text

    data = load_text(text, name).document.data
    return render.form_view(name, "x", data, [], load_profile("national"))


def _head(table: list[str]) -> list[str]:
    return [cell.strip() for cell in md_cells(table[0])]


def test_a_sichuan_form_prints_its_own_rows_columns_sections_and_signatures(tmp_path) -> None:
    path = tmp_path / "sichuan.yaml"
    path.write_text(SICHUAN, encoding="utf-8")
    md = run_cli("render", str(path), "--format", "md", "--profile", "national")
    assert md.code == 0, md.err
    assert md.out.startswith("# 部门预算项目支出绩效自评表\n")
    assert_tables_well_formed(md.out)
    tables = md_tables(md.out)
    funds = next(t for t in tables if "项目资金（万元）" in t[0])
    assert _head(funds)[1:7] == ["年初预算", "调整后预算数", "预算执行数", "权重", "预算执行率(%)", "得分"]
    labels = [md_cells(row)[0].strip() for row in funds[2:]]
    assert labels == ["合计", "财政资金", "财政专户管理资金", "单位资金", "其他资金", "原因"]
    assert "上年结转资金" not in md.out and "年度资金总额" not in md.out
    rates = [md_cells(row)[5].strip() for row in funds[2:6]]
    assert rates == ["100.00", "100.00", "0.00", "0.00"]  # each row's own 预算执行率, as stated
    assert "年中追加工资调标资金" in funds[-1]
    indicators = next(t for t in tables if "三级指标" in t[0])
    assert _head(indicators)[2:10] == ["三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "偏差原因分析"]
    row = next(r for r in indicators if "发放覆盖率" in r)
    cells = [c.strip() for c in md_cells(row)]
    assert cells[0].startswith("产出指标(60分)")  # the caption as printed, points and all
    assert cells[1:8] == ["数量指标", "发放覆盖率", "=", "100", "%", "100%", "60.00"]
    assert "| 评价结论 | 项目完成良好 |" in md.out and "| 存在问题 | 无 |" in md.out
    assert "改进措施" not in md.out  # a section the spec does not write is not printed
    assert "项目负责人：张三 · 财务负责人：李四" in md.out
    page = run_cli("render", str(path), "--profile", "national").out
    assert re.search(r'<td class="cat[^"]*">产出指标\(60分\)<', page)
    assert "<th>评价结论</th>" in page and "财务负责人：李四" in page


def test_columns_follow_the_layout() -> None:
    three = _layout_view(THREE)
    assert [c.head for c in three.indicator_columns][-4:] == ["单项指标得分", "权重占比(%)", "单项指标折算得分", "偏差原因分析及改进措施"]
    assert [c.head for c in three.funds_columns] == ["预算数", "执行数", "执行率(%)"]  # no 年初预算数, no 分值/得分
    assert list(three.header_cells) == ["project", "implementer"]  # 实施(主管)单位 is one cell, no 主管部门
    assert three.header_lines[1].items[0].label == "实施(主管)单位"
    bare = _layout_view(NO_SCORES)
    assert [c.key for c in bare.indicator_columns] == ["name", "target", "actual", "deviation"]
    assert [c.head for c in bare.funds_columns] == ["全年预算数(A)", "全年执行数(B)", "执行率(%)"]
    assert not bare.show_total and not bare.show_grade
    env = render.environment("md")
    text = render.render_form(env, "md", bare)
    assert "分值" not in text and "得分" not in text and "年初预算数" not in text and "总分" not in text
    assert "未完成原因和改进措施" in text and text.startswith("# 专项资金绩效目标自评表\n")
    assert_tables_well_formed(text)
    html_text = render.render_form(render.environment("html"), "html", bare)
    assert "<th>分值</th>" not in html_text and "<th>年初预算数</th>" not in html_text


def test_a_trivial_note_is_no_explanation_in_the_summary(tmp_path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    write_spec(folder, "trivial.yaml", {"        score: 8\n": "        score: 8\n        deviation: 无\n"})
    out = tmp_path / "out"
    for fmt, index in (("md", "README.md"), ("html", "index.html")):
        assert run_cli("render", str(folder), "--format", fmt, "-o", str(out)).code == 0
        summary = (out / index).read_text(encoding="utf-8")
        line = next(x for x in summary.splitlines() if "故障响应及时率" in x and "2.00" in x) if fmt == "md" else summary
        assert render.NO_REASON.format("无") in line
    profile = load_profile("shanghai")
    data = spec_data(REFERENCE)
    data["indicators"]["产出指标"]["时效指标"][0]["deviation"] = "无"
    (deduction,) = render.form_view("x.yaml", "x", data, [], profile).deductions
    assert deduction.deviation is None and deduction.written == "无"
    data["indicators"]["产出指标"]["时效指标"][0]["deviation"] = "供应商响应慢，已更换"
    (deduction,) = render.form_view("x.yaml", "x", data, [], profile).deductions
    assert deduction.deviation == "供应商响应慢，已更换"


def test_the_configured_layout_is_used(tmp_path) -> None:
    (tmp_path / ".perfspec.yaml").write_text("profile: national\nlayout: national-2020\n", encoding="utf-8")
    (tmp_path / "specs").mkdir()
    shutil.copy(REFERENCE, tmp_path / "specs" / "it-operations.yaml")
    page = run_cli("render", "specs/it-operations.yaml", "--format", "md", cwd=str(tmp_path))
    assert page.code == 0, page.err
    assert page.out.startswith("# 项目支出绩效自评表\n")  # national-2020's title, not shanghai-2023's


# --------------------------------------------------------------------------- print mode, grid, paragraphs

LAYOUT_CASES = sorted(p for p in glob.glob(os.path.join(ROOT, "tests", "cases", "layouts", "*", "*.yaml")))


def _cells(row_html: str) -> list[tuple[int, int]]:
    """(colspan, rowspan) of each cell of a table row."""
    out = []
    for attrs in re.findall(r"<t[dh]((?:\s[^>]*)?)>", row_html):
        colspan = re.search(r'colspan="(\d+)"', attrs)
        rowspan = re.search(r'rowspan="(\d+)"', attrs)
        out.append((int(colspan.group(1)) if colspan else 1, int(rowspan.group(1)) if rowspan else 1))
    return out


@pytest.mark.parametrize("path", SPECS + LAYOUT_CASES, ids=SPEC_IDS + [os.path.basename(p)[:-5] for p in LAYOUT_CASES])
@pytest.mark.parametrize("paper", [False, True], ids=["screen", "paper"])
def test_one_column_grid_for_every_table_of_the_form(path: str, paper: bool) -> None:
    """The header, funds, goals and indicator tables share one colgroup, and every row fills it."""
    args = ["render", path, "--profile", "national", "--findings", "none"] + (["--print"] if paper else [])
    page = run_cli(*args).out
    colgroups = re.findall(r"<colgroup>(.*?)</colgroup>", page, flags=re.S)
    assert len(colgroups) >= 2 and len(set(colgroups)) == 1, "the tables of the form use different grids"
    width = len(re.findall(r"<col ", colgroups[0]))
    assert abs(sum(float(w) for w in re.findall(r'width:([\d.]+)%', colgroups[0])) - 100) < 0.1
    for table in re.findall(r'<table class="form[^"]*">(.*?)</table>', page, flags=re.S):
        # A cell with rowspan covers columns of the rows below it too.
        pending: list[tuple[int, int]] = []  # (columns, rows below still covered)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
            cells = _cells(row)
            covered = sum(cols for cols, _ in pending)
            assert covered + sum(cols for cols, _ in cells) == width - (1 if 'class="find"' in row else 0), row[:200]
            pending = [(cols, left - 1) for cols, left in pending if left > 1]
            pending += [(cols, rows - 1) for cols, rows in cells if rows > 1]


def test_paper_html_is_the_official_form_alone() -> None:
    page = run_cli("render", REFERENCE, "--print").out
    assert 'class="paper portrait"' in page and "size: A4 portrait" in page
    assert "counter(page)" in page and "counter(pages)" in page and '"第 "' in page
    body = page.split("<body", 1)[1]
    assert "检查结果" not in body and "PS201" not in body and 'class="mark' not in body and "f-error" not in body
    assert 'class="crumbs' not in body
    # The layout's signature block, blank lines to sign.
    block = page.split('<div class="sign-block">', 1)[1].split("</div>\n</div>", 1)[0]
    for label in ("填表人", "联系电话", "填报日期"):
        assert f'<span class="sign-label">{label}：</span><span class="sign-line"></span>' in block
    assert '"Noto Serif CJK SC"' in page  # a 宋体-like serif on paper
    # Labels never leave one character alone on a line.
    assert '<span class="nw">项目资金</span><span class="nw">（万元）</span>' in page
    assert '实际完<span class="nw">成值</span>' in page
    # On paper every indicator row can move to the next page whole: no rowspan in the indicator table.
    indicators = page.split('<table class="form indicators">', 1)[1].split("</table>", 1)[0]
    assert "rowspan" not in indicators
    assert '<table class="form totals">' in page  # 总分 and 评分等级: one unbreakable table


def test_findings_modes() -> None:
    margin = run_cli("render", REFERENCE, "--print", "--findings", "margin").out
    assert "size: A4 landscape" in margin and 'class="find"' in margin and "PS201" in margin
    appendix = run_cli("render", REFERENCE, "--print", "--findings", "appendix").out
    assert "size: A4 portrait" in appendix and 'class="find"' not in appendix
    assert '<section class="appendix">' in appendix and "PS201" in appendix and 'class="mark error"' in appendix
    screen_none = run_cli("render", REFERENCE, "--findings", "none").out
    assert "PS201" not in screen_none and '<section class="summary' not in screen_none
    md = run_cli("render", REFERENCE, "--format", "md", "--findings", "none").out
    assert "PS201" not in md and "检查结果" not in md and "\\[1\\]" not in md
    assert_tables_well_formed(md)
    md_appendix = run_cli("render", REFERENCE, "--format", "md", "--findings", "appendix").out
    assert md_appendix.rstrip().splitlines()[-2].startswith("- \\[1\\] 错误 PS201")
    assert "| 检查结果 |" not in md_appendix
    assert_tables_well_formed(md_appendix)


def test_print_is_for_html_and_pdf_only() -> None:
    result = run_cli("render", REFERENCE, "--format", "md", "--print")
    assert result.code == 2 and "--print" in result.err


def test_without_a_browser_pdf_says_how_to_install_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PERFSPEC_CHROMIUM", "no-such-browser-perfspec")
    result = run_cli("render", REFERENCE, "--format", "pdf", "-o", str(tmp_path))
    assert result.code == 2 and "Chromium" in result.err and "apt-get install chromium" in result.err
    assert os.listdir(tmp_path) == []


def test_the_font_is_configurable() -> None:
    page = run_cli("render", REFERENCE, "--print", "--font", "FangSong").out
    assert 'font-family: "FangSong", "Noto Serif CJK SC"' in page
    screen = run_cli("render", REFERENCE, "--font", "KaiTi").out
    assert 'body { font-family: "KaiTi", "Noto Sans CJK SC"' in screen


def test_a_hostile_name_cannot_leave_the_page_header_or_the_style_sheet(tmp_path) -> None:
    evil = 'x"; } body { display: none } </style><script>alert(1)</script>\\'
    path = write_spec(tmp_path, "evil.yaml", {"project: 信息化运维项目": "project: " + repr(evil).replace("\\\\", "\\")})
    page = run_cli("render", path, "--print", "--font", '"; } </style><script>').out
    assert page.count("</style>") == 1 and "<script" not in page
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "body { display: none }" not in style and '"; }' not in style
    header = page.split("@top-left { content: ", 1)[1].split(";", 1)[0]
    assert header.startswith('"') and header.endswith('"') and '"' not in header[1:-1] and "}" not in header
    assert render.css_string('a"b\\c</style>\n') == '"a\\000022b\\00005cc\\00003c\\00002fstyle\\00003e\\00000a"'


def test_glue_keeps_labels_whole() -> None:
    assert render.glue("分值") == '<span class="nw">分值</span>' and render.glue("得") == "得"
    assert render.glue("执行率(%)") == '<span class="nw">执行率</span><span class="nw">(%)</span>'
    assert render.glue("产出指标(60分)") == '<span class="nw">产出指标</span><span class="nw">(60分)</span>'
    assert render.glue("实际完成值") == '实际完<span class="nw">成值</span>'
    assert render.glue("<b>粗体</b>") == '&lt;b&gt;粗体&lt;/<span class="nw">b&gt;</span>'  # data stays text


def test_paragraphs_of_a_transcribed_text() -> None:
    assert render.paragraphs("<p>一、甲</p> <p>(1) 乙</p>") == ["一、甲", "(1) 乙"]
    assert render.paragraphs("第一行\r\n第二行<br/>第三行") == ["第一行", "第二行", "第三行"]
    assert render.paragraphs("没有分段  的文字 ") == ["没有分段  的文字 "]
    assert render.paragraphs("<b>粗</b>") == ["<b>粗</b>"]
    spec = os.path.join(ROOT, "specs", "2023", "housing-rental-management.yaml")
    page = run_cli("render", spec, "--print").out
    body = page.split("<body", 1)[1]
    assert "&lt;p&gt;" not in body and "一、住房租赁数据整理服务项目\n(1) 根据楼盘登记数据" in re.sub(r"<[^>]+>", "", body)
    assert "white-space: pre-line" in page.split("<style>", 1)[1].split("</style>", 1)[0]
    # The screen report and Markdown keep the text as written: `perfspec import --from pdf` reads it back.
    assert "&lt;p&gt;一、住房租赁数据整理服务项目&lt;/p&gt;" in run_cli("render", spec).out


def test_orientation_follows_the_layout() -> None:
    profile = load_profile("national")
    wide = set()
    for path in LAYOUT_CASES:
        from perfspec.form.layout import choose_layout

        data = spec_data(path)
        view = render.form_view(path, "x", data, [], profile, layout=choose_layout(data, profile.layout)[0])
        if view.orientation == "landscape":
            wide.add(view.layout.id)
    assert wide == {"monitoring", "sichuan-2023", "three-score-columns"}


def test_a_row_taller_than_a_page_is_marked_to_break_at_once(tmp_path) -> None:
    note = "偏差原因说明。" * 300
    path = write_spec(tmp_path, "long.yaml", {"        score: 8\n": f"        score: 8\n        deviation: {note}\n"})
    page = run_cli("render", path, "--print").out
    assert page.count('<tr class="indicator tall">') == 1
    assert '<tr class="indicator tall">' not in run_cli("render", REFERENCE, "--print").out


def test_a_users_signature_block_and_an_older_form_template(tmp_path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "_signatures.html.j2").write_text(
        '<div class="sign-block">{% for item in form.sign_items %}<div class="sign">{{ item.label }}：</div>{% endfor %}'
        '<div class="sign">单位负责人：</div><div class="sign">单位（盖章）</div></div>\n', encoding="utf-8")
    # A form template written before print mode: it imports the macros without context.
    older = open(os.path.join(render.templates_dir(), "form.html.j2"), encoding="utf-8").read()
    older = older.replace('{% import "_macros.html.j2" as m with context %}', '{% import "_macros.html.j2" as m %}')
    (mine / "form.html.j2").write_text(older, encoding="utf-8")
    page = run_cli("render", REFERENCE, "--print", "--templates", str(mine))
    assert page.code == 0, page.err
    assert "单位负责人：" in page.out and "单位（盖章）" in page.out and "填表人：" in page.out
    screen = run_cli("render", REFERENCE, "--templates", str(mine))
    assert screen.code == 0 and 'class="mark error"' in screen.out


# --------------------------------------------------------------------------- processes and the template cache


def _pages(folder) -> dict[str, bytes]:
    return {name: open(os.path.join(folder, name), "rb").read() for name in sorted(os.listdir(folder))}


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_two_processes_write_the_same_report_as_one(tmp_path, fmt: str) -> None:
    one, two_ = tmp_path / "one", tmp_path / "two"
    folder = os.path.join(ROOT, "specs", "2023")
    assert run_cli("render", folder, "--format", fmt, "-o", str(one), "--jobs", "1").code == 0
    result = run_cli("render", folder, "--format", fmt, "-o", str(two_), "--jobs", "2")
    assert result.code == 0, result.err
    assert _pages(one) == _pages(two_)


def test_the_summary_view_keeps_what_the_portfolio_reads() -> None:
    profile = load_profile("national")
    views = []
    for path in SPECS:
        result = load_file(path)
        views.append(render.form_view(path, os.path.basename(path), result.document.data, [], profile))
    slim = [render.summary_view(v) for v in views]
    assert all(not v.rows and v.data is None for v in slim)
    env = render.environment("html")
    whole = render.render_portfolio(env, "html", render.portfolio_view(views, profile))
    assert render.render_portfolio(env, "html", render.portfolio_view(slim, profile)) == whole


def test_templates_are_compiled_once_into_a_private_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = run_cli("render", REFERENCE)
    folder = tmp_path / "cache" / "perfspec" / "jinja"
    entries = sorted(os.listdir(folder))
    assert entries and all(name.endswith(".cache") for name in entries)
    for path in (folder.parent, folder):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    stamps = {name: os.stat(folder / name).st_mtime_ns for name in entries}
    second = run_cli("render", REFERENCE)
    assert second.out == first.out and sorted(os.listdir(folder)) == entries
    assert {name: os.stat(folder / name).st_mtime_ns for name in entries} == stamps  # read, not rewritten
    # Markdown is compiled with other options: it never reuses the HTML's code.
    run_cli("render", REFERENCE, "--format", "md")
    assert len(os.listdir(folder)) > len(entries)


def test_a_damaged_cache_is_compiled_again(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    expected = run_cli("render", REFERENCE).out
    folder = tmp_path / "cache" / "perfspec" / "jinja"
    for name in os.listdir(folder):
        (folder / name).write_bytes(b"j2 not bytecode")
    assert run_cli("render", REFERENCE).out == expected


@pytest.mark.parametrize("trouble", ["shared", "link", "unwritable", "file"])
def test_an_unsafe_or_unusable_cache_folder_is_no_cache(tmp_path, monkeypatch, trouble: str) -> None:
    expected = run_cli("render", REFERENCE).out
    base = tmp_path / "cache"
    top = base / "perfspec"
    base.mkdir()
    if trouble == "shared":
        top.mkdir()
        os.chmod(top, 0o777)
    elif trouble == "link":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        top.symlink_to(elsewhere)
    elif trouble == "unwritable":
        os.chmod(base, 0o500)
    else:
        top.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    if trouble == "unwritable" and os.geteuid() == 0:
        monkeypatch.setattr(os, "mkdir", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "denied")))
    assert render.cache_dir() is None
    assert run_cli("render", REFERENCE).out == expected
    if trouble == "link":
        assert os.listdir(tmp_path / "elsewhere") == []
    os.chmod(base, 0o700)


def test_no_home_means_no_cache_never_the_current_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # no HOME: "~" stays "~"
    monkeypatch.chdir(tmp_path)
    assert render.cache_dir() is None
    assert os.listdir(tmp_path) == []
