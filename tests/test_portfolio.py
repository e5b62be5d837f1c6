"""The portfolio over two years and two units: grouped by year and by unit (implementer), subtotals per
unit and per year computed here independently from the specs, never a total across years, and wrong
figures flagged in red with the recomputed value beside them; the charts sorted, each on its own axis
that starts where its data does, names never cut."""

from __future__ import annotations

import glob
import os
import re
import shutil
from decimal import ROUND_DOWN, Decimal

import pytest

from conftest import ROOT, run_cli
from perfspec.load.loader import load_file
from perfspec.outputs import render
from perfspec.profile import load_profile

SPECS = os.path.join(ROOT, "specs", "2023")
UNIT_A = "上海市房地产交易中心"
UNIT_B = "上海市房地产登记中心"
MOVED_TO_B = ("surveying-results-management", "transaction-archives-management", "transaction-basic-management")
NAME = {"网上一二手房管理": "online-housing-transactions"}


def _copy(src: str, dst, replace: dict[str, str]) -> None:
    text = open(src, encoding="utf-8").read()
    for old, new in replace.items():
        assert old in text, (src, old)
        text = text.replace(old, new, 1)
    dst.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """2023: the nine bundled forms, three of them moved to a second unit. 2024: three forms, of both units,
    one of them with a grade that does not match its total."""
    root = tmp_path_factory.mktemp("portfolio")
    (root / "2023").mkdir()
    (root / "2024").mkdir()
    for path in sorted(glob.glob(os.path.join(SPECS, "*.yaml"))):
        stem = os.path.basename(path)[:-5]
        replace = {f"implementer: {UNIT_A}": f"implementer: {UNIT_B}"} if stem in MOVED_TO_B else {}
        _copy(path, root / "2023" / (stem + ".yaml"), replace)
    _copy(os.path.join(SPECS, "it-operations.yaml"), root / "2024" / "it-operations.yaml", {"year: 2023": "year: 2024"})
    _copy(os.path.join(SPECS, "pudong-building-maintenance.yaml"), root / "2024" / "pudong-building-maintenance.yaml",
          {"year: 2023": "year: 2024", f"implementer: {UNIT_A}": f"implementer: {UNIT_B}"})
    _copy(os.path.join(SPECS, "surveying-results-management.yaml"), root / "2024" / "surveying-results-management.yaml",
          {"year: 2023": "year: 2024", "grade: 优": "grade: 良"})
    return root


def specs_of(folder) -> list[tuple[str, dict]]:
    return [(p, load_file(p).document.data) for p in sorted(glob.glob(str(folder / "*" / "*.yaml")))]


def expected_groups(folder) -> dict[tuple[str, str], list[dict]]:
    """(year, unit) → the specs' data, read straight from the files."""
    out: dict[tuple[str, str], list[dict]] = {}
    for _, data in specs_of(folder):
        out.setdefault((str(data["year"]), data["implementer"]), []).append(data)
    return out


def sums(forms: list[dict]) -> dict[str, str]:
    totals = {key: sum(Decimal(f["funds"]["total"][key]) for f in forms) for key in ("initial", "annual", "executed")}
    rate = (totals["executed"] / totals["annual"] * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)  # shanghai
    out = {key: f"{value:.2f}" for key, value in totals.items()}
    out["rate"] = f"{rate:.2f}"
    return out


@pytest.fixture(scope="module")
def portfolio(folder):
    profile = load_profile("shanghai")
    views = [render.form_view(p, os.path.basename(p)[:-5], data, [], profile) for p, data in specs_of(folder)]
    return render.portfolio_view(views, profile)


@pytest.fixture(scope="module")
def pages(folder, tmp_path_factory):
    out = {}
    for fmt, index in (("html", "index.html"), ("md", "README.md")):
        target = tmp_path_factory.mktemp("report-" + fmt)
        result = run_cli("render", str(folder), "--format", fmt, "-o", str(target))
        assert result.code == 0, result.err
        out[fmt] = (target / index).read_text(encoding="utf-8")
    return out


def test_grouped_by_year_then_unit(portfolio) -> None:
    assert [g.year for g in portfolio.groups] == ["2023", "2024"]
    assert [[u.unit for u in g.units] for g in portfolio.groups] == [[UNIT_A, UNIT_B], [UNIT_A, UNIT_B]]
    assert [[len(u.forms) for u in g.units] for g in portfolio.groups] == [[6, 3], [2, 1]]
    kinds = [line.kind for line in portfolio.lines]
    assert kinds.count("year") == 2 and kinds.count("year-sum") == 2 and kinds.count("unit-sum") == 4
    assert kinds.count("form") == 12


def test_subtotals_per_unit_and_per_year(folder, portfolio) -> None:
    groups = expected_groups(folder)
    for year in portfolio.groups:
        for unit in year.units:
            expected = sums(groups[(year.year, unit.unit)])
            line = unit.total
            assert {k: line.cells[k].text for k in ("initial", "annual", "executed")} == {
                k: expected[k] for k in ("initial", "annual", "executed")}, (year.year, unit.unit)
            assert line.rate.text == expected["rate"]
            assert line.forms == len(groups[(year.year, unit.unit)])
        in_year = [f for (y, _), forms in groups.items() if y == year.year for f in forms]
        expected = sums(in_year)
        assert {k: year.total.cells[k].text for k in ("initial", "annual", "executed")} == {
            k: expected[k] for k in ("initial", "annual", "executed")}
        assert year.total.rate.text == expected["rate"]
        assert year.sums["annual"] == expected["annual"]
    # 2023 has 1,398.84 of annual budget in all, 2023's first unit 6 forms of it.
    assert portfolio.groups[0].total.cells["annual"].text == "1398.84"


def test_never_a_total_across_years(folder, portfolio, pages) -> None:
    every = sums([data for _, data in specs_of(folder)])
    assert portfolio.sums == {} and portfolio.rate == ""
    totals = [line for line in portfolio.lines if line.kind == "year-sum"]
    assert [line.forms for line in totals] == [9, 3]
    for line in portfolio.lines:
        if line.kind in ("unit-sum", "year-sum"):
            assert line.cells["annual"].text != every["annual"]
    html, md = pages["html"], pages["md"]
    assert "2023 年度合计（9 张表）" in html and "2024 年度合计（3 张表）" in html
    assert "合计（12 张表）" not in html and "合计（12 张表）" not in md
    assert every["annual"] not in html and every["annual"] not in md  # Σ across years printed nowhere
    assert "不跨年度合计" in html and "不跨年度合计" in md
    assert f"小计（{UNIT_B}，3 张表）" in html and f"小计（{UNIT_B}，1 张表）" in md


def test_a_wrong_total_is_flagged_with_the_recomputed_value(portfolio, pages) -> None:
    (line,) = [x for x in portfolio.lines if x.kind == "form" and x.label == "网上一二手房管理"]
    assert (line.total.text, line.total.css, line.total.note) == ("98.00", "wrong", "逐项合计 93.00")
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", pages["html"], flags=re.S) if "网上一二手房管理" in r)
    assert ('<td class="num wrong-cell"><span class="wrong">98.00</span> '
            '<span class="recomputed">（逐项合计 93.00）</span></td>') in row
    assert '<td class="num count-error">2</td>' in row  # its two errors, in red
    md = next(x for x in pages["md"].splitlines() if "网上一二手房管理" in x and x.startswith("| 4 |"))
    assert "**98.00（逐项合计 93.00）**" in md
    assert ".wrong { color: var(--error)" in pages["html"]
    others = [x for x in portfolio.lines if x.kind == "form" and x.label != "网上一二手房管理"]
    assert all(not x.total.css for x in others)


def test_a_wrong_grade_is_flagged(portfolio, pages) -> None:
    (line,) = [x for x in portfolio.lines if x.kind == "form" and x.view.year == "2024" and x.label == "测绘成果管理"]
    assert (line.grade.text, line.grade.css, line.grade.note) == ("良", "wrong", "应为 优")
    assert '<td class="wrong-cell"><span class="wrong">良</span> <span class="recomputed">（应为 优）</span></td>' in pages["html"]
    assert "**良（应为 优）**" in pages["md"]


def test_a_wrong_rate_is_flagged(tmp_path) -> None:
    text = open(os.path.join(SPECS, "it-operations.yaml"), encoding="utf-8").read().replace("rate: 99.62", "rate: 98.00")
    data = __import__("perfspec.load.loader", fromlist=["load_text"]).load_text(text, "x.yaml").document.data
    profile = load_profile("shanghai")
    view = render.form_view("x.yaml", "x", data, [], profile)
    assert (view.rate_flag.text, view.rate_flag.css, view.rate_flag.note) == ("98.00", "wrong", "应为 99.62")


def test_budget_changes_unspent_funds_and_low_rates(portfolio, pages) -> None:
    lines = {(x.view.year, x.label): x for x in portfolio.lines if x.kind == "form"}
    monitoring = lines[("2023", "房地产监测管理")]
    assert (monitoring.cells["change"].text, monitoring.cells["change"].css) == ("-85.21", "changed")  # 504.20 → 418.99
    assert monitoring.cells["unspent"].text == "0.00"
    hotline = lines[("2023", "热线服务保障经费")]
    assert hotline.cells["unspent"].text == "11.75"  # 78.90 − 67.15
    assert (hotline.rate.text, hotline.rate.css) == ("85.10", "low")  # under 90 %
    assert '<td class="num low">85.10</td>' in pages["html"]
    assert '<td class="num changed">-85.21</td>' in pages["html"]
    assert all(x.rate.css == "" for key, x in lines.items() if key[1] != "热线服务保障经费")
    assert "调整数 = 全年预算数 − 年初预算数" in pages["html"] and "未执行数 = 全年预算数 − 全年执行数" in pages["md"]
    year = portfolio.groups[0].total
    assert year.cells["change"].text == "-85.21" and year.cells["unspent"].text == "13.21"


def test_deductions_summed_by_category_per_year(portfolio, pages) -> None:
    losses = {(loss.level1, loss.level2): loss for loss in portfolio.groups[1].losses}  # 2024
    # it-operations: 故障响应及时率 −2 (产出/时效); surveying: 信息使用方满意度 −2 (满意度/服务对象).
    assert losses[("产出指标", "")].lost == Decimal("2") and losses[("产出指标", "时效指标")].indicators == 1
    assert losses[("满意度指标", "服务对象满意度指标")].lost == Decimal("2")
    assert [loss.level2 for loss in portfolio.groups[1].losses if loss.level1 == "产出指标"] == ["", "时效指标"]
    first = {(loss.level1, loss.level2): loss for loss in portfolio.groups[0].losses}  # 2023
    assert first[("产出指标", "")].lost == Decimal("6.01") and first[("产出指标", "")].forms == 3
    assert "扣分按指标类别" in pages["html"] and "| **2024** | **产出指标** | **小计** | **1** | **1** | **2.00** |" in pages["md"]


def test_error_and_warning_totals(portfolio) -> None:
    year = portfolio.groups[0]
    assert year.total.counts["error"] == 0  # the views here were built without findings
    assert portfolio.counts["error"] == 0


def test_error_totals_per_unit_and_year_in_the_report(pages) -> None:
    rows = re.findall(r'<tr class="(year-sum|unit-sum) sum">(.*?)</tr>', pages["html"], flags=re.S)
    errors = [re.findall(r'<td class="num[^"]*">(\d+)</td>', body)[-3] for _, body in rows]
    # 2023: unit A has it-operations (PS201) and online-housing (PS104, PS105); unit B none.
    # 2024: unit A has it-operations (PS201) and the surveying form with the wrong grade (PS106).
    assert [kind for kind, _ in rows] == ["unit-sum", "unit-sum", "year-sum", "unit-sum", "unit-sum", "year-sum"]
    assert errors == ["3", "0", "3", "2", "0", "2"]


def test_charts_are_sorted_start_where_the_data_does_and_keep_whole_names(portfolio, pages) -> None:
    score, rate = portfolio.charts
    assert score.key == "score" and rate.key == "rate"
    values = [Decimal(b.text.split("（")[0].rstrip("%")) for b in score.bars]
    assert values == sorted(values, reverse=True)
    rates = [Decimal(b.text.split("（")[0].rstrip("%")) for b in rate.bars]
    assert rates == sorted(rates, reverse=True)
    assert Decimal(score.start) > 0 and f"横轴自 {score.start} 起（不从 0 开始）" in score.caption
    assert Decimal(score.start) <= min(values) and Decimal(rate.start) <= min(rates)
    assert Decimal(score.start) > 90  # the scores lie between 96.94 and 100: the axis does not start at 0
    for chart in (score, rate):
        for bar in chart.bars:
            assert "".join(text for _, text in bar.lines) == bar.full  # never cut
            assert "…" not in bar.full
    wrong = [b for b in score.bars if b.css == "wrong"]
    assert len(wrong) == 1 and "逐项合计 93.00" in wrong[0].text
    assert [b.css for b in rate.bars if "热线服务保障经费" in b.full] == ["low"]
    html = pages["html"]
    assert html.count("<svg") == 2 and f"横轴自 {score.start} 起" in html


def test_a_long_name_is_wrapped_not_cut() -> None:
    profile = load_profile("shanghai")
    data = load_file(os.path.join(SPECS, "it-operations.yaml")).document.data
    data["project"] = "很长的项目名称" * 8
    view = render.form_view("x.yaml", "x", data, [], profile)
    chart = render.portfolio_view([view], profile).charts[0]
    (bar,) = chart.bars
    assert len(bar.lines) > 1 and "".join(t for _, t in bar.lines) == data["project"]


def test_the_summary_sheet_has_one_total_per_year(folder, tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "book.xlsx"
    result = run_cli("export", str(folder), "-o", str(out))
    assert result.code == 0, result.err
    ws = openpyxl.load_workbook(out)["汇总"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    totals = [r for r in rows if isinstance(r[0], str) and "合计" in r[0]]
    groups = expected_groups(folder)
    assert [r[0] for r in totals] == ["2023 年度合计（9 张表）", "2024 年度合计（3 张表）"]
    for row, year in zip(totals, ("2023", "2024")):
        expected = sums([f for (y, _), forms in groups.items() if y == year for f in forms])
        assert row[2] == float(expected["annual"]) and row[4] == float(expected["rate"])


def test_one_year_keeps_a_single_total(tmp_path) -> None:
    folder = tmp_path / "specs"
    shutil.copytree(SPECS, folder)
    out = tmp_path / "out"
    assert run_cli("render", str(folder), "-o", str(out)).code == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "合计（9 张表）" in html and "年度合计" not in html and "不跨年度合计" not in html
