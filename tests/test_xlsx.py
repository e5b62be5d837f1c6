"""perfspec export --to xlsx and perfspec import --from xlsx: layout, summary, exact round trips, bad input."""

from __future__ import annotations

import glob
import json
import os
import posixpath
import shutil
import sys
import zipfile
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

import office_forms
from conftest import ROOT, run_cli
from perfspec.importers import FormData, NotAForm
from perfspec.importers import xlsx as xlsx_import
from perfspec.importers.write import to_yaml
from perfspec.load.loader import load_file, load_text

SPECS_DIR = os.path.join(ROOT, "specs", "2023")
SPECS = sorted(glob.glob(os.path.join(SPECS_DIR, "*.yaml")))
REFERENCE = os.path.join(SPECS_DIR, "it-operations.yaml")
HEADER_ROW = 12  # the indicator header of the exported layout
TWO = "0.00"


def canon(value: Any) -> Any:
    """Data with the number types made visible: 20, Decimal('20') and Decimal('20.00') all differ."""
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canon(v) for v in value]
    return office_forms.typed(value)


def order(data: dict) -> list:
    """The order of the 一级 / 二级指标 (dict equality ignores it; the form does not)."""
    return [(l1, list(l2s)) for l1, l2s in data["indicators"].items()]


def spec_data(path: str) -> dict:
    result = load_file(path)
    assert result.document is not None, result.findings
    return result.document.data


def yaml_data(form: FormData) -> dict:
    """The imported form written as a spec and loaded back."""
    result = load_text(to_yaml(form), "imported.yaml")
    assert result.document is not None, result.findings
    return result.document.data


def export(*paths: str, out: str) -> Any:
    result = run_cli("export", *paths, "--to", "xlsx", "-o", out)
    assert result.code == 0, result.err
    assert os.path.isfile(out)
    return result


def form_sheets(wb: Any) -> list:
    return [ws for ws in wb.worksheets if ws.title not in ("汇总", "_perfspec")]


def find(ws: Any, text: str) -> Any:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text} not in sheet {ws.title}")


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("xlsx") / "specs.xlsx")
    export(SPECS_DIR, out=path)
    return path


@pytest.fixture(scope="module")
def imported(book) -> dict[str, FormData]:
    forms = xlsx_import.read(book)
    by_project = {form.project: form for form in forms}
    assert len(by_project) == len(forms) == len(SPECS)
    return by_project


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("spec", SPECS, ids=os.path.basename)
def test_export_then_import_gives_identical_data(spec, imported) -> None:
    original = spec_data(spec)
    form = imported[original["project"]]
    assert form.reviews == []
    assert canon(form.to_data()) == canon(original)
    written = yaml_data(form)
    assert canon(written) == canon(original)
    assert order(written) == order(original)


def test_import_command_writes_the_same_specs(book, tmp_path) -> None:
    result = run_cli("import", book, "--from", "xlsx", "-o", str(tmp_path / "out"))
    assert result.code == 0, result.err
    written = sorted(glob.glob(str(tmp_path / "out" / "*.yaml")))
    assert len(written) == len(SPECS)
    by_project = {spec_data(p)["project"]: spec_data(p) for p in written}
    for spec in SPECS:
        original = spec_data(spec)
        assert canon(by_project[original["project"]]) == canon(original)


def test_one_file_exports_without_a_summary(tmp_path) -> None:
    out = str(tmp_path / "one.xlsx")
    result = export(REFERENCE, out=out)
    assert "1 张表" in result.out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["信息化运维项目", "_perfspec"]
    assert wb["_perfspec"].sheet_state == "hidden"
    (form,) = xlsx_import.read(out)
    assert canon(form.to_data()) == canon(spec_data(REFERENCE))


def test_without_the_hidden_sheet_the_visible_cells_still_read_back_exactly(book, tmp_path) -> None:
    """The house style (amounts with two decimals, whole 分值 / 得分) comes back from the visible cells alone."""
    wb = openpyxl.load_workbook(book)
    del wb["_perfspec"]
    bare = str(tmp_path / "bare.xlsx")
    wb.save(bare)
    forms = {f.project: f for f in xlsx_import.read(bare)}
    for spec in SPECS:
        original = spec_data(spec)
        assert canon(forms[original["project"]].to_data()) == canon(original), spec


ODD = """\
year: 2023
project: "Odd/项目: [a]*?\\\\ 名称很长很长很长很长很长很长很长很长很长很长"
department: null
implementer: 实施单位
funds:
  unit: 元
  weight: 10
  total:         {initial: 1000.50, annual: 1000.50, executed: 1000.5}
  appropriation: {initial: 1000.50, annual: 1000.50, executed: 1000.5}
  carryover:     {initial: null, annual: 0, executed: 0.00}
  other:         {initial: 0.00, annual: 0.00, executed: 0.00}
  rate: 100.00
  score: 10.00
goals:
  expected: "第一行\\n第二行  "
  achieved: null
indicators:
  产出指标:
    数量指标:
      - name: 数字指标值
        target: 95
        actual: 95.50
        weight: 20.00
        score: 2.5
      - name: 文字
        target: "100"
        actual: "=100.00(%)"
        weight: 30
        score: 30
      - name: 空白
        target: null
        actual: null
        weight: null
        score: null
  效益指标:
    社会效益指标:
      - name: "+1 开头"
        target: "-5"
        actual: "@x"
        weight: 50
        score: 50
        deviation: "  前后有空格  "
total: {weight: 100, score: 82.5}
grade: null
"""


def test_types_blanks_and_odd_texts_round_trip(tmp_path) -> None:
    spec = tmp_path / "odd.yaml"
    spec.write_text(ODD, encoding="utf-8")
    out = str(tmp_path / "odd.xlsx")
    export(str(spec), out=out)
    original = spec_data(str(spec))
    (form,) = xlsx_import.read(out)
    assert canon(form.to_data()) == canon(original)
    # write.to_yaml prints numbers in the house style (1000.5 → 1000.50, 分值 20.00 → 20): equal values.
    assert yaml_data(form) == original

    ws = form_sheets(openpyxl.load_workbook(out))[0]
    number = find(ws, "数字指标值")
    target, actual = ws.cell(number.row, 4), ws.cell(number.row, 5)
    assert (target.value, target.data_type, target.number_format) == (95, "n", "0")  # a bare number stays a number
    assert (actual.value, actual.data_type, actual.number_format) == (95.5, "n", "0.00")
    text = find(ws, "文字")
    assert ws.cell(text.row, 4).value == "100" and ws.cell(text.row, 4).data_type == "s"
    assert ws.cell(text.row, 5).value == "=100.00(%)" and ws.cell(text.row, 5).data_type == "s"  # not a formula
    blank = find(ws, "空白")
    assert [ws.cell(blank.row, c).value for c in range(4, 9)] == [None] * 5  # null cells stay empty
    assert find(ws, "主管部门").offset(column=1).value is None

    # Without the hidden sheet a bare-number target still keeps its decimals (from its number format).
    wb = openpyxl.load_workbook(out)
    del wb["_perfspec"]
    bare = str(tmp_path / "bare.xlsx")
    wb.save(bare)
    (form,) = xlsx_import.read(bare)
    item = form.indicators[0]
    assert (item.target, str(item.actual)) == (95, "95.50")
    assert form.indicators[1].actual == "=100.00(%)" and form.indicators[1].target == "100"
    assert form.indicators[2].weight is None and form.grade is None and form.department is None


def test_sheet_names_are_valid_and_unique(tmp_path) -> None:
    text = open(REFERENCE, encoding="utf-8").read()
    folder = tmp_path / "specs"
    folder.mkdir()
    names = ["a/b:c*d?e[f]g\\h 很长很长很长很长很长很长很长很长很长很长很长很长", "a/b:c*d?e[f]g\\h 很长很长很长很长很长很长很长很长很长很长很长很长",
             "汇总", "'引号'", ""]
    for i, name in enumerate(names):
        (folder / f"f{i}.yaml").write_text(
            text.replace("project: 信息化运维项目", f"project: {json.dumps(name, ensure_ascii=False)}"), encoding="utf-8"
        )
    out = str(tmp_path / "names.xlsx")
    export(str(folder), out=out)
    wb = openpyxl.load_workbook(out)
    titles = [ws.title for ws in form_sheets(wb)]
    assert len(titles) == len(names)
    assert len({t.casefold() for t in wb.sheetnames}) == len(wb.sheetnames)
    for title in titles:
        assert 0 < len(title) <= 31 and not set(title) & set("[]:*?/\\") and not title.startswith("'")
        assert title != "汇总"
    imported = xlsx_import.read(out)
    assert [f.project for f in imported] == names


# --------------------------------------------------------------------------- layout


def test_summary_sheet_has_a_row_per_form_and_the_totals(book) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == "汇总" and wb.sheetnames[-1] == "_perfspec"
    ws = wb["汇总"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r[0] == "项目名称"))
    assert rows[header][:9] == ["项目名称", "年初预算数", "全年预算数", "全年执行数", "执行率(%)", "总分", "评分等级", "错误数", "警告数"]
    body, totals = rows[header + 1:-1], rows[-1]
    assert len(body) == len(SPECS)

    checked = json.loads(run_cli("check", "--format", "json", SPECS_DIR).out)["findings"]
    sums = {"initial": Decimal(0), "annual": Decimal(0), "executed": Decimal(0)}
    for spec, row in zip(SPECS, body):
        data = spec_data(spec)
        funds = data["funds"]["total"]
        errors = sum(1 for f in checked if f["file"].endswith(os.path.basename(spec)) and f["severity"] == "error")
        warnings = sum(1 for f in checked if f["file"].endswith(os.path.basename(spec)) and f["severity"] == "warning")
        expected = [
            data["project"], float(funds["initial"]), float(funds["annual"]), float(funds["executed"]),
            float(data["funds"]["rate"]), float(data["total"]["score"]), data["grade"], errors, warnings,
        ]
        assert row[:9] == expected, spec
        for key in sums:
            sums[key] += funds[key]
    assert totals[0].startswith("合计")
    assert totals[1:4] == [float(sums["initial"]), float(sums["annual"]), float(sums["executed"])]
    # Σ全年执行数 ÷ Σ全年预算数, truncated as the shanghai profile of this repository does.
    rate = (sums["executed"] / sums["annual"] * 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    assert totals[4] == float(rate) == 99.05
    assert totals[7:9] == [sum(r[7] for r in body), sum(r[8] for r in body)]
    assert totals[7] == 3  # the two published defects: PS201 in one form, PS104 + PS105 in another

    cells = list(ws.iter_rows(min_row=header + 2))
    for row in cells:
        for cell in row[1:5]:
            if cell.value is not None:
                assert cell.data_type == "n" and cell.number_format == TWO
    for r, row in enumerate(body, start=header + 2):  # each project name links to its sheet
        assert ws.cell(r, 1).hyperlink.location == f"'{row[0]}'!A1"


def expected_spans(data: dict) -> tuple[list[int], list[int]]:
    level1, level2 = [], []
    for l2s in data["indicators"].values():
        level1.append(sum(len(items) for items in l2s.values()))
        level2.extend(len(items) for items in l2s.values())
    return level1, level2


def spans(ws: Any, column: int) -> dict[int, int]:
    """Row → height of each merged range in `column` below the indicator header."""
    out = {}
    for merged in ws.merged_cells.ranges:
        if merged.min_col == merged.max_col == column and merged.min_row > HEADER_ROW:
            out[merged.min_row] = merged.max_row - merged.min_row + 1
    return out


def test_level1_and_level2_cells_are_merged_with_the_right_spans(book) -> None:
    wb = openpyxl.load_workbook(book)
    for spec in SPECS:
        data = spec_data(spec)
        ws = wb[next(t for t in wb.sheetnames if t == data["project"][:31])]
        assert [c.value for c in ws[HEADER_ROW]] == [
            "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"
        ]
        level1, level2 = expected_spans(data)
        for column, wanted in ((1, level1), (2, level2)):
            merged = spans(ws, column)
            row, got = HEADER_ROW + 1, []
            for count in wanted:
                assert ws.cell(row, column).value is not None
                got.append(merged.get(row, 1))
                row += count
            assert got == wanted, (spec, column)
            assert all(start in [HEADER_ROW + 1 + sum(wanted[:i]) for i in range(len(wanted))] for start in merged)
    ws = wb["信息化运维项目"]
    assert "A13:A17" in {str(r) for r in ws.merged_cells.ranges}  # 产出指标: five indicators
    assert "B14:B15" in {str(r) for r in ws.merged_cells.ranges}  # 质量指标: two


def test_numbers_are_numbers_with_two_decimals(book) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["信息化运维项目"]
    total = find(ws, "年度资金总额")
    assert [ws.cell(total.row, c).value for c in range(3, 9)] == [137.21, 137.21, 136.7, 10, 99.62, 9.96]
    for sheet in form_sheets(wb):
        funds_row = find(sheet, "年度资金总额").row
        score_row = find(sheet, "总分").row
        numeric = [(r, c) for r in range(funds_row, funds_row + 4) for c in range(3, 9)]
        numeric += [(r, c) for r in range(HEADER_ROW + 1, score_row + 1) for c in (6, 7)]
        for r, c in numeric:
            cell = sheet.cell(r, c)
            if cell.value in (None, "-"):
                continue
            assert cell.data_type == "n" and isinstance(cell.value, (int, float)), (sheet.title, cell.coordinate)
            assert cell.number_format == TWO, (sheet.title, cell.coordinate, cell.number_format)
        for r in range(HEADER_ROW + 1, score_row):
            for c in (4, 5):  # 年度指标值 / 实际完成值 of the bundled forms are all text
                assert sheet.cell(r, c).data_type == "s"
    assert find(ws, "=100.00(%)").data_type == "s"


def test_print_setup_is_a4_portrait_fit_to_width_with_the_header_repeated(book) -> None:
    wb = openpyxl.load_workbook(book)
    for ws in form_sheets(wb):
        setup = ws.page_setup
        assert int(setup.paperSize) == 9  # A4
        assert setup.orientation == "portrait"
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        widths = [ws.column_dimensions[c].width for c in "ABCDEFGH"]
        assert all(8 <= w <= 40 for w in widths) and widths[7] == max(widths)  # the note column is the widest
        assert find(ws, "财政项目支出绩效自评表").alignment.horizontal == "center"
        assert find(ws, "(2023 年度)")
        assert find(ws, "偏差原因分析及改进措施").alignment.wrap_text
        assert ws.cell(HEADER_ROW + 1, 3).border.left.style == "thin"
    assert int(wb["汇总"].page_setup.paperSize) == 9


def test_findings_are_cell_comments(book) -> None:
    ws = openpyxl.load_workbook(book)["信息化运维项目"]
    row = find(ws, "故障响应及时率").row
    comment = ws.cell(row, 8).comment  # PS201 sits on the missing deviation note
    assert comment is not None and "PS201" in comment.text


# --------------------------------------------------------------------------- edits and bad input


def test_an_edited_visible_cell_wins_and_is_flagged(book, tmp_path) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["信息化运维项目"]
    row = find(ws, "故障响应及时率").row
    assert ws.cell(row, 7).value == 8
    ws.cell(row, 7).value = 9.5
    find(ws, "保障房地产交易及产权管理平台稳定运行。").value = "新的预期目标"
    edited = str(tmp_path / "edited.xlsx")
    wb.save(edited)

    form = next(f for f in xlsx_import.read(edited) if f.project == "信息化运维项目")
    item = next(i for i in form.indicators if i.name == "故障响应及时率")
    assert item.score == Decimal("9.5")
    assert form.goals_expected == "新的预期目标"
    paths = {r.path for r in form.reviews}
    assert ("indicators", "产出指标", "时效指标", 0, "score") in paths and ("goals", "expected") in paths
    assert all("采用工作表中的值" in r.reason for r in form.reviews)
    data = yaml_data(form)
    assert data["indicators"]["产出指标"]["时效指标"][0]["score"] == Decimal("9.5")
    assert "# review:" in to_yaml(form)
    # Everything not edited is still exact.
    original = spec_data(REFERENCE)
    data["indicators"]["产出指标"]["时效指标"][0]["score"] = 8
    data["goals"]["expected"] = original["goals"]["expected"]
    assert canon(data) == canon(original)

    result = run_cli("import", edited, "--from", "xlsx", "-o", str(tmp_path / "out"))
    assert result.code == 0 and "采用工作表中的值" in result.err


def test_a_renamed_sheet_keeps_its_exact_values(book, tmp_path) -> None:
    wb = openpyxl.load_workbook(book)
    wb["信息化运维项目"].title = "改了名字"
    renamed = str(tmp_path / "renamed.xlsx")
    wb.save(renamed)
    form = next(f for f in xlsx_import.read(renamed) if f.project == "信息化运维项目")
    assert form.reviews == [] and canon(form.to_data()) == canon(spec_data(REFERENCE))


def _bad_inputs(folder, book) -> dict[str, str]:
    paths = {}
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "金额"])
    wb.active.append(["张三", 12.5])
    wb.create_sheet("说明")
    paths["random"] = str(folder / "random.xlsx")
    wb.save(paths["random"])
    paths["empty"] = str(folder / "empty.xlsx")
    openpyxl.Workbook().save(paths["empty"])
    paths["csv"] = str(folder / "table.xlsx")
    with open(paths["csv"], "w", encoding="utf-8") as handle:
        handle.write("项目名称,总分\n信息化运维项目,97.96\n")
    data = open(book, "rb").read()
    paths["truncated"] = str(folder / "truncated.xlsx")
    with open(paths["truncated"], "wb") as handle:
        handle.write(data[: len(data) // 2])
    paths["zip"] = str(folder / "notexcel.xlsx")
    with zipfile.ZipFile(paths["zip"], "w") as archive:
        archive.writestr("hello.txt", "hi")
    paths["garbled"] = str(folder / "garbled.xlsx")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(paths["garbled"], "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, body[: len(body) // 3] if info.filename.startswith("xl/worksheets/") else body)
    half = openpyxl.Workbook()
    half.active["A1"] = "财政项目支出绩效自评表"
    half.active["A3"] = "项目名称"
    half.active["B3"] = "某项目"
    paths["half"] = str(folder / "half.xlsx")
    half.save(paths["half"])
    paths["xls"] = str(folder / "old.xlsx")
    with open(paths["xls"], "wb") as handle:
        handle.write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    return paths


def test_a_workbook_that_is_not_a_form_gets_a_clear_message(book, tmp_path) -> None:
    for kind, path in _bad_inputs(tmp_path, book).items():
        with pytest.raises(NotAForm) as caught:
            xlsx_import.read(path)
        message = str(caught.value)
        assert os.path.basename(path) in message and "\n" not in message, (kind, message)
        result = run_cli("import", path, "--from", "xlsx", "-o", str(tmp_path / f"out-{kind}"))
        assert result.code in (1, 2), (kind, result)
        assert "Traceback" not in result.err and "内部错误" not in result.err, (kind, result.err)
        assert len(result.err.strip().splitlines()) == 1, (kind, result.err)
        assert not os.path.exists(tmp_path / f"out-{kind}")
    (tmp_path / "again").mkdir()
    messages = {kind: str(_raises(path)) for kind, path in _bad_inputs(tmp_path / "again", book).items()}
    assert "找不到" in messages["random"] and "“Sheet”" in messages["random"]
    assert "是空的" in messages["empty"]
    assert "文本文件" in messages["csv"]
    assert "损坏" in messages["truncated"] and "损坏" in messages["garbled"]
    assert "不是 Excel 工作簿" in messages["zip"]
    assert "“Sheet”" in messages["half"] and "一级指标" in messages["half"]
    assert ".xls" in messages["xls"]


def _raises(path: str) -> NotAForm:
    try:
        xlsx_import.read(path)
    except NotAForm as exc:
        return exc
    raise AssertionError(f"{path} was read as a form")


def test_unreadable_specs_are_listed_in_the_summary(tmp_path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copy(REFERENCE, folder / "a.yaml")
    (folder / "b.yaml").write_text("project: [unclosed\n", encoding="utf-8")
    out = str(tmp_path / "mixed.xlsx")
    result = run_cli("export", str(folder), "-o", out)
    assert result.code == 0 and "b.yaml" in result.err
    rows = list(openpyxl.load_workbook(out)["汇总"].iter_rows(values_only=True))
    assert any(r[0] == "（无法读取）" and str(r[9]).endswith("b.yaml") for r in rows)
    assert len(xlsx_import.read(out)) == 1
    single = run_cli("export", str(folder / "b.yaml"), "-o", str(tmp_path / "b.xlsx"))
    assert single.code == 1 and len(single.err.strip().splitlines()) == 1


def test_content_without_a_cell_is_named_on_stderr(tmp_path) -> None:
    spec = tmp_path / "ack.yaml"
    text = open(REFERENCE, encoding="utf-8").read()
    spec.write_text(text.replace("        score: 8\n", "        score: 8\n        acknowledge:\n          PS201: 原文如此\n"),
                    encoding="utf-8")
    result = run_cli("export", str(spec), "-o", str(tmp_path / "ack.xlsx"))
    assert result.code == 0 and "acknowledge" in result.err


def test_usage_errors(tmp_path) -> None:
    assert run_cli("export", REFERENCE).code == 2  # -o is required
    wrong = run_cli("export", REFERENCE, "-o", str(tmp_path / "out.csv"))
    assert wrong.code == 2 and ".xlsx" in wrong.err
    missing = run_cli("export", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "x.xlsx"))
    assert missing.code in (1, 2) and len(missing.err.strip().splitlines()) == 1 and "nope.yaml" in missing.err


def test_without_openpyxl_both_commands_say_how_to_install_it(monkeypatch, tmp_path, book) -> None:
    for name in [m for m in sys.modules if m == "openpyxl" or m.startswith("openpyxl.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # `import openpyxl` now fails
    for argv in (("export", REFERENCE, "-o", str(tmp_path / "x.xlsx")),
                 ("import", book, "--from", "xlsx", "-o", str(tmp_path / "out"))):
        result = run_cli(*argv)
        assert result.code == 2, result
        assert len(result.err.strip().splitlines()) == 1
        assert "pip install 'perfspec[xlsx]'" in result.err
    assert not os.path.exists(tmp_path / "x.xlsx")


def test_building_the_parser_does_not_import_openpyxl() -> None:
    import subprocess

    code = ("import sys; from perfspec.cli import _parser; _parser(); "
            "print('openpyxl' in sys.modules, 'perfspec.outputs.xlsx' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ROOT})
    assert result.stdout.split() == ["False", "False"], result.stderr


# --------------------------------------------------------------------------- layouts


SICHUAN = """\
year: 2023
layout: sichuan-2023
project: 工资性支出
department: 某县发展和改革局本级
implementer: 某县发展和改革局
funds:
  weight: 10
  total:           {initial: 238.93, annual: 251.89, executed: 251.89, rate: 100.00}
  appropriation:   {initial: 238.93, annual: 251.89, executed: 251.89, rate: 100.00}
  special_account: {initial: 0.00, annual: 0.00, executed: 0.00, rate: 0.00}
  unit_own:        {initial: 0.00, annual: 0.00, executed: 0.00, rate: 0.00}
  other:           {initial: null, annual: null, executed: null, rate: null}
  rate: 100.00
  score: 10
goals:
  expected: 保障工资及时、足额发放
  achieved: 工资已按月足额发放
indicators:
  产出指标:
    数量指标:
      - name: 发放覆盖率
        target: 100%
        actual: 100%
        weight: 90
        score: 90
total: {weight: 100, score: 100}
grade: 优
conclusion: 项目完成良好
"""


def test_a_form_sheet_follows_its_layout(tmp_path) -> None:
    spec = tmp_path / "sichuan.yaml"
    spec.write_text(SICHUAN, encoding="utf-8")
    out = str(tmp_path / "sichuan.xlsx")
    result = export(str(spec), out=out)
    assert result.err == ""  # every key is printed or recorded, and read back by import (no warning)
    ws = form_sheets(openpyxl.load_workbook(out))[0]
    assert ws["A1"].value == "部门预算项目支出绩效自评表"
    head = find(ws, "年初预算").row
    assert [ws.cell(head, c).value for c in range(3, 9)] == ["年初预算", "调整后预算数", "预算执行数", "权重", "预算执行率(%)", "得分"]
    labels = [ws.cell(r, 2).value for r in range(head + 1, head + 6)]
    assert labels == ["合计", "财政资金", "财政专户管理资金", "单位资金", "其他资金"]
    assert [ws.cell(head + 3, c).value for c in (3, 7)] == [0, 0]  # 财政专户管理资金 with its own rate
    assert find(ws, "评价结论").offset(column=1).value == "项目完成良好"
    assert "年度资金总额" not in {c.value for row in ws.iter_rows() for c in row}
    # The importer finds the sheet in the layout's own words, and the rest of the spec in the hidden records.
    (form,) = xlsx_import.read(out)
    assert form.funds["total"]["annual"] == Decimal("251.89") and form.funds["appropriation"]["executed"] == Decimal("251.89")
    assert form.total_score == Decimal("100") and form.grade == "优"
    assert form.layout == "sichuan-2023" and form.extra[("conclusion",)] == "项目完成良好"
    # The layout has no 上年结转资金 row, and the spec writes none: nothing is missing, nothing to review.
    assert form.reviews == []


def test_defaults_the_schema_fills_in_are_not_reported_as_lost(tmp_path) -> None:
    result = run_cli("export", REFERENCE, "-o", str(tmp_path / "one.xlsx"))
    assert result.code == 0 and result.err == "", result.err


# --------------------------------------------------------------------------- one row per indicator (csv, --flat)

FLAT_HEAD = ["文件", "年度", "主管部门", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "年度指标值",
             "实际完成值", "分值", "得分", "扣分", "有偏差说明", "错误数", "警告数", "检查结果"]


def indicator_count() -> int:
    return sum(len(items) for spec in SPECS for l2s in spec_data(spec)["indicators"].values() for items in l2s.values())


def test_csv_has_one_row_per_indicator(tmp_path) -> None:
    import csv as csv_module

    out = tmp_path / "indicators.csv"
    result = run_cli("export", SPECS_DIR, "--to", "csv", "-o", str(out))
    assert result.code == 0, result.err
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8")) and b"\r\n" in raw  # Excel reads UTF-8 with a BOM
    rows = list(csv_module.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == FLAT_HEAD
    body = rows[1:]
    assert len(body) == indicator_count() == 131
    assert f"{len(body)} 个指标" in result.out
    by_name = {(r[4], r[7]): r for r in body}
    late = by_name[("信息化运维项目", "故障响应及时率")]
    assert late[:8] == ["specs/2023/it-operations.yaml", "2023", "上海市住房和城乡建设管理委员会", "上海市房地产交易中心",
                        "信息化运维项目", "产出指标", "时效指标", "故障响应及时率"]
    assert late[8:16] == ["≤5.00(分钟)", "5.00(分钟)", "10.00", "8.00", "2.00", "否", "1", "1"]
    assert "PS201 错误" in late[16] and "PS303 警告" in late[16]
    # A 年度指标值 that starts with "=" is text, never a formula.
    first = by_name[("信息化运维项目", "运维服务工作完成率")]
    assert first[8] == "'=100.00(%)" and first[12] == "0.00"
    noted = by_name[("房屋交易与产权档案管理", "长效管理机制健全")]
    assert noted[12:14] == ["0.50", "是"]
    # The deductions add up to what the forms lost.
    lost = sum(Decimal(r[12]) for r in body if r[12])
    expected = sum(Decimal(item["weight"]) - Decimal(item["score"]) for spec in SPECS
                   for l2s in spec_data(spec)["indicators"].values() for items in l2s.values() for item in items)
    assert lost == expected
    assert sum(int(r[14]) for r in body) == 1  # PS201; PS104/PS105 are about the total, not a row


def test_flat_xlsx_has_the_same_rows_typed(tmp_path) -> None:
    out = tmp_path / "indicators.xlsx"
    result = run_cli("export", SPECS_DIR, "--to", "xlsx", "--flat", "-o", str(out))
    assert result.code == 0, result.err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["指标"]
    ws = wb["指标"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == FLAT_HEAD and len(rows) - 1 == indicator_count()
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:Q{len(rows)}"
    late = next(r for r in rows if r[7] == "故障响应及时率")
    assert late[8] == "≤5.00(分钟)" and late[10:13] == (10, 8, 2) and late[14] == 1
    first = next(r for r in ws.iter_rows(min_row=2) if r[7].value == "运维服务工作完成率")
    assert first[8].value == "=100.00(%)" and first[8].data_type == "s"  # text, not a formula, and no apostrophe
    assert first[10].data_type == "n" and first[10].number_format == TWO


def test_flat_export_of_a_form_of_each_layout(tmp_path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    layouts = os.path.join(ROOT, "tests", "cases", "layouts")
    for name in sorted(os.listdir(layouts)):
        good = sorted(f for f in os.listdir(os.path.join(layouts, name)) if not f.startswith("bad-"))[0]
        shutil.copy(os.path.join(layouts, name, good), folder / f"{name}--{good}")
    out = tmp_path / "all.csv"
    result = run_cli("export", str(folder), "--to", "csv", "-o", str(out), "--profile", "national")
    assert result.code == 0, result.err
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert len({r.split(",")[0] for r in rows[1:]}) == len(os.listdir(folder))


def test_flat_usage_errors(tmp_path) -> None:
    wrong = run_cli("export", REFERENCE, "--to", "csv", "-o", str(tmp_path / "x.xlsx"))
    assert wrong.code == 2 and ".csv" in wrong.err
    folder = tmp_path / "x.csv"
    folder.mkdir()
    assert run_cli("export", REFERENCE, "--to", "csv", "-o", str(folder)).code == 2


# --------------------------------------------------------------------------- the workbook, cell by cell

XML_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
UPDATE = os.environ.get("PERFSPEC_UPDATE_GOLDEN") == "1"


def dump_workbook(path: str) -> str:
    """Everything a workbook shows, one line each: sheets and their settings, merged ranges, column
    widths, row heights, every cell written in the sheet's XML (merged ones too) with its type, value
    and resolved style, comments and links. Two workbooks that dump alike look alike in Excel."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS
    from openpyxl.xml.functions import tostring

    wb = openpyxl.load_workbook(path)
    styles: dict[str, int] = {}
    lines = [f"sheets {wb.sheetnames}", f"active {wb.index(wb.active)}"]

    def style(index: int) -> str:
        xf = wb._cell_styles[index]
        fid = xf.numFmtId
        fmt = BUILTIN_FORMATS.get(fid) if fid < 164 else wb._number_formats[fid - 164]
        parts = [str(fmt)] + [tostring(obj).decode() for obj in (
            wb._fonts[xf.fontId].to_tree(), wb._fills[xf.fillId].to_tree(), wb._borders[xf.borderId].to_tree(),
            wb._alignments[xf.alignmentId].to_tree("alignment"))] + [f"quote={xf.quotePrefix}"]
        text = " | ".join(parts)
        if text not in styles:
            styles[text] = len(styles)
            lines.append(f"style {styles[text]} = {text}")
        return f"#{styles[text]}"

    with zipfile.ZipFile(path) as archive:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", XML_NS)}
        parts = {}
        for sheet in book.find("m:sheets", XML_NS):
            t = target[sheet.get(f"{{{XML_NS['r']}}}id")]
            parts[sheet.get("name")] = t.lstrip("/") if t.startswith("/") else posixpath.join("xl", t)
        for ws in wb.worksheets:
            ps, m, pr = ws.page_setup, ws.page_margins, ws.sheet_properties
            lines.append(
                f"sheet {ws.title} state={ws.sheet_state} code={pr.codeName} "
                f"fit={pr.pageSetUpPr.fitToPage if pr.pageSetUpPr else None} tab={ws.sheet_view.tabSelected} "
                f"grid={ws.sheet_view.showGridLines} freeze={ws.freeze_panes} area={ws.print_area} "
                f"titles={ws.print_title_rows} paper={ps.paperSize} orient={ps.orientation} fitW={ps.fitToWidth} "
                f"fitH={ps.fitToHeight} center={ws.print_options.horizontalCentered} "
                f"margins={m.left},{m.right},{m.top},{m.bottom} filter={ws.auto_filter.ref}")
            lines.append("merged " + " ".join(sorted(str(r) for r in ws.merged_cells.ranges)))
            for key, dim in sorted(ws.column_dimensions.items()):
                lines.append(f"col {key} {dim.min}-{dim.max} width={dim.width}")
            for key, dim in sorted(ws.row_dimensions.items()):
                if dim.height is not None:
                    lines.append(f"row {key} height={dim.height}")
            for c in ET.fromstring(archive.read(parts[ws.title])).iter(f"{{{XML_NS['m']}}}c"):
                v, t, s = c.find("m:v", XML_NS), c.find("m:is/m:t", XML_NS), c.get("s")
                value = v.text if v is not None else (t.text if t is not None else None)
                lines.append(f"{c.get('r')} {c.get('t')} {value!r} {style(int(s)) if s else '-'}")
            for cell in sorted(ws._cells.values(), key=lambda c: (c.row, c.column)):
                if getattr(cell, "comment", None):
                    k = cell.comment
                    lines.append(f"comment {cell.coordinate} {k.author} {k.width}x{k.height} {k.text!r}")
                if getattr(cell, "hyperlink", None):
                    h = cell.hyperlink
                    lines.append(f"link {cell.coordinate} {h.location} {h.target}")
    return "\n".join(lines) + "\n"


def workbook_golden(name: str, path: str) -> None:
    """The workbook's dump against tests/golden/<name> (written by the export before it streamed)."""
    golden = os.path.join(ROOT, "tests", "golden", name)
    text = dump_workbook(path)
    if UPDATE:
        with open(golden, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return
    with open(golden, encoding="utf-8") as handle:
        expected = handle.read()
    assert text == expected, f"{name}: the workbook differs from its golden dump (PERFSPEC_UPDATE_GOLDEN=1 regenerates it)"


def test_streamed_workbook_is_the_in_memory_one_cell_by_cell(tmp_path) -> None:
    out = str(tmp_path / "specs.xlsx")
    result = run_cli("export", "specs/2023", "-o", out)
    assert result.code == 0, result.err
    workbook_golden("export-specs.xlsx.txt", out)


def test_streamed_flat_workbook_is_the_in_memory_one_cell_by_cell(tmp_path) -> None:
    out = str(tmp_path / "flat.xlsx")
    result = run_cli("export", "specs/2023", "--flat", "-o", out)
    assert result.code == 0, result.err
    workbook_golden("export-specs-flat.xlsx.txt", out)


def test_export_gives_the_same_bytes_every_run(tmp_path) -> None:
    for options in ((), ("--flat",)):
        first, second = str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx")
        assert run_cli("export", "specs/2023", *options, "-o", first).code == 0
        assert run_cli("export", "specs/2023", *options, "-o", second).code == 0
        with open(first, "rb") as a, open(second, "rb") as b:
            assert a.read() == b.read(), options
        with zipfile.ZipFile(first) as archive:
            assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}


def test_a_split_target_is_kept_whole_in_the_hidden_sheet_and_a_damaged_record_is_refused() -> None:
    """The hidden sheet carries {operator, value, unit}: the sheet's 指标性质 column may show 正向, not the operator."""
    from perfspec.outputs.xlsx import decode, encode

    target = {"operator": "≥", "value": Decimal("0.40"), "unit": "万元/公里"}
    kind, text = encode(target)
    assert kind == "map"
    back = decode(kind, text)
    assert back == target and str(back["value"]) == "0.40"
    assert encode({"value": {"nested": 1}}) is None  # only scalar parts: anything else is reported as not read back
    for damaged in ('[1, 2]', '{"value": ["map", "{}"]}', '{"value": ["int"]}', '{"value": ["dec", "x"]}', "{"):
        with pytest.raises(ValueError):
            decode("map", damaged)


# --------------------------------------------------------------------------- every layout and kind round trips whole

LAYOUT_FORMS = sorted(
    path for path in glob.glob(os.path.join(ROOT, "tests", "cases", "layouts", "*", "*.yaml"))
    if not os.path.basename(path).startswith("bad-")
)


def _layout_id(path: str) -> str:
    return os.path.basename(os.path.dirname(path)) + "--" + os.path.basename(path)[:-5]


def _flat(value: Any, path: tuple = ()) -> dict:
    """Leaf cells by path, number types made visible (canon): the whole spec, key by key."""
    if isinstance(value, dict) and value:
        return {p: v for k, item in value.items() for p, v in _flat(item, path + (k,)).items()}
    if isinstance(value, list) and value:
        return {p: v for i, item in enumerate(value) for p, v in _flat(item, path + (i,)).items()}
    return {path: canon(value)}


@pytest.mark.parametrize("path", LAYOUT_FORMS, ids=_layout_id)
def test_every_layout_and_kind_round_trips_whole(path, tmp_path) -> None:
    """kind:, layout:, the layout's own cells (1–N月执行数, 完成目标可能性, other funding rows, 联系人 …): export
    then import gives back the spec key for key — no key added, none lost, every number of its type."""
    out = str(tmp_path / "one.xlsx")
    result = export(path, out=out)
    assert "导入时不会" not in result.err, result.err
    (form,) = xlsx_import.read(out)
    assert form.reviews == []
    source = _flat(spec_data(path))
    for got in (_flat(form.to_data()), _flat(yaml_data(form))):
        differing = sorted((p for p in set(got) | set(source) if got.get(p, "<missing>") != source.get(p, "<missing>")), key=str)
        assert differing == [], [f"{p}: {source.get(p, '<missing>')!r} → {got.get(p, '<missing>')!r}" for p in differing]


def test_an_edited_cell_of_a_layout_of_its_own_wins_and_is_flagged(tmp_path) -> None:
    """A monitoring form's 1–N月实际完成值 edited in Excel: the sheet wins over the hidden record, with a note."""
    path = os.path.join(ROOT, "tests", "cases", "layouts", "monitoring", "heritage-application.yaml")
    out = str(tmp_path / "one.xlsx")
    export(path, out=out)
    wb = openpyxl.load_workbook(out)
    (ws,) = form_sheets(wb)
    cell = find(ws, "初稿已完成")
    cell.value = "文本已定稿"
    wb.save(out)
    (form,) = xlsx_import.read(out)
    item = form.grouped()["产出指标"]["质量指标"][0]
    assert item.extra["to_date"] == "文本已定稿" and item.extra["likelihood"] == "有可能"
    assert [r.path for r in form.reviews] == [("indicators", "产出指标", "质量指标", 0, "to_date")]
    assert form.kind == "monitoring" and yaml_data(form)["layout"] == "monitoring"


@pytest.mark.parametrize("case", ["bundled", "one", "failed-and-years"])
def test_streamed_save_writes_openpyxl_s_own_bytes(case: str, tmp_path, monkeypatch) -> None:
    """The save writes the parts that list every sheet element by element (memory flat in the forms);
    the file must be byte for byte what openpyxl's ExcelWriter writes for the same workbook."""
    from perfspec.outputs import xlsx

    specs = os.path.join(ROOT, "specs", "2023")
    if case == "bundled":
        target = specs
    elif case == "one":
        target = sorted(glob.glob(os.path.join(specs, "*.yaml")))[0]
    else:
        target = str(tmp_path / "forms")
        shutil.copytree(specs, target)
        (tmp_path / "forms" / "broken.yaml").write_text("year: [2023\n", encoding="utf-8")
        first = sorted(glob.glob(os.path.join(specs, "*.yaml")))[0]
        with open(first, encoding="utf-8") as handle:
            text = handle.read()
        (tmp_path / "forms" / "next-year.yaml").write_text(text.replace("year: 2023", "year: 2024", 1), encoding="utf-8")
    streamed, whole = str(tmp_path / "streamed.xlsx"), str(tmp_path / "whole.xlsx")
    assert run_cli("export", "--to", "xlsx", target, "-o", streamed).code in (0, 1)
    monkeypatch.setattr(xlsx, "_streamed_writer", lambda writer: writer)
    assert run_cli("export", "--to", "xlsx", target, "-o", whole).code in (0, 1)
    with open(streamed, "rb") as a, open(whole, "rb") as b:
        assert a.read() == b.read()
    if case == "failed-and-years":
        summary = openpyxl.load_workbook(streamed)["汇总"]
        labels = [row[0] for row in summary.iter_rows(values_only=True)]
        assert "（无法读取）" in labels
        assert sum(1 for label in labels if isinstance(label, str) and "合计" in label) == 2


def test_a_zip_broken_off_inside_its_constructor_prints_nothing_when_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    # SIGTERM during a save can land inside ZipFile.__init__, before the attributes close() reads exist:
    # ZipFile.__del__ then printed an "Exception ignored" traceback at exit (seen once in the interrupt test).
    import gc
    import io

    from perfspec.outputs.xlsx import _StableZip

    class Broken(Exception):
        pass

    def broken_init(self: zipfile.ZipFile, file: object, *args: object, **kwargs: object) -> None:
        self.fp = file  # type: ignore[assignment]
        raise Broken

    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)  # what prints "Exception ignored in ..."
    monkeypatch.setattr(zipfile.ZipFile, "__init__", broken_init)
    with pytest.raises(Broken):
        _StableZip(io.BytesIO(), "w")
    gc.collect()
    assert unraisable == []
