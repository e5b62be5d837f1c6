"""Excel workbooks and Word documents in every shipped layout: import and compare cell by cell.

The files in tests/data/import/office/ are CONSTRUCTED (tests/office_forms.py prints a layout
fixture or a real-form transcription the way a bureau template lays it out). Each is imported and
compared with the spec it was built from, per cell of what an import can give back
(office_forms.carried). A layout the assembler cannot read yet is a strict xfail naming why: when
the assembler learns it, the test passes and the mark must go.
"""

from __future__ import annotations

import os
import zipfile

import pytest

import office_forms
from conftest import run_cli
from perfspec.importers import xlsx as xlsx_import

docx_import = pytest.importorskip("perfspec.importers.docx")
pytest.importorskip("docx")

SOURCES = office_forms.sources()

# A Word cell has no type: a number the spec quotes as text ('12.5') reads back as a number. (A workbook's
# text-typed cell is kept as text.)
_QUOTED = ("the spec quotes a bare number as text ('12.5'); a Word cell cannot say so and assemble reads a bare "
           "number as a number")

XFAIL = {  # name → (why, the formats it fails in)
    "real-specs--b03-hengshan-grain-reserve": (_QUOTED + " (年度指标值 '0', 实际完成值 '0')", {"docx"}),
    "real-specs--b07-fishing-ban-fuel-subsidy": (_QUOTED + " (年度指标值 '6', 实际完成值 '6')", {"docx"}),
    "real-specs--b10-xueyuanlu-street-cleaning": (_QUOTED, {"docx"}),
    "real-specs--b12-suizhou-emergency-centre": (_QUOTED, {"docx"}),
}


def _cases(fmt: str) -> list:
    out = []
    for name, spec in SOURCES:
        reason, formats = XFAIL.get(name, ("", set()))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if fmt in formats else []
        out.append(pytest.param(name, spec, id=f"{name}.{fmt}", marks=marks))
    return out


def _compare(name: str, spec: str, forms: list) -> None:
    data, _layout = office_forms.load(spec)
    assert len(forms) == 1, [f.source for f in forms]
    differing = office_forms.differences(office_forms.carried(data, forms[0].to_data()), forms[0].to_data())
    assert not differing, f"{name}: {len(differing)} cells differ:\n  " + "\n  ".join(differing)


@pytest.mark.parametrize("name, spec", _cases("xlsx"))
def test_an_official_layout_workbook_imports_cell_by_cell(name, spec) -> None:
    _compare(name, spec, xlsx_import.read(os.path.join(office_forms.OUT, name + ".xlsx")))


@pytest.mark.parametrize("name, spec", _cases("docx"))
def test_a_word_document_imports_cell_by_cell(name, spec) -> None:
    _compare(name, spec, docx_import.read(os.path.join(office_forms.OUT, name + ".docx")))


def test_every_shipped_layout_has_a_constructed_workbook_and_document() -> None:
    from perfspec.form.layout import builtin_layouts

    built = {name.split("--")[0] for name, _ in SOURCES}
    assert set(builtin_layouts()) <= built
    for name, _ in SOURCES:
        for ext in ("xlsx", "docx"):
            assert os.path.isfile(os.path.join(office_forms.OUT, f"{name}.{ext}")), name


def test_the_committed_files_are_what_the_builder_makes(tmp_path) -> None:
    """Regenerating gives the same bytes (fixed times): the files are the builder's, not edited by hand."""
    for name, spec in SOURCES:
        for made in office_forms.build(name, spec, str(tmp_path)):
            committed = os.path.join(office_forms.OUT, os.path.basename(made))
            with open(made, "rb") as a, open(committed, "rb") as b:
                assert a.read() == b.read(), f"{committed} is stale: run python tests/office_forms.py"


def test_the_command_imports_both_formats_by_extension_and_by_content(tmp_path) -> None:
    name = "national-2020--rural-water-supply"
    data, _ = office_forms.load(dict(SOURCES)[name])
    for ext in ("xlsx", "docx"):
        source = os.path.join(office_forms.OUT, f"{name}.{ext}")
        renamed = tmp_path / f"form-{ext}.bin"  # no telling extension: the zip's parts decide
        renamed.write_bytes(open(source, "rb").read())
        for path in (source, str(renamed)):
            out = tmp_path / f"out-{ext}-{os.path.basename(path)}"
            result = run_cli("import", path, "-o", str(out))
            assert result.code == 0, result.err
            assert data["project"] in result.out
            assert "Traceback" not in result.err


def test_several_forms_make_several_specs(tmp_path) -> None:
    """Two forms: two sheets of one workbook, two tables of one document."""
    names = ["national-2020--rural-water-supply", "shanghai-2023--public-rental-housing"]
    loaded = [office_forms.load(dict(SOURCES)[n]) for n in names]
    grids = [office_forms.grid(data, layout) for data, layout in loaded]
    book, document = str(tmp_path / "two.xlsx"), str(tmp_path / "two.docx")
    office_forms.write_xlsx(grids, book)
    office_forms.write_docx(grids, document)
    for forms in (xlsx_import.read(book), docx_import.read(document)):
        assert [f.project for f in forms] == [d["project"] for d, _ in loaded]
        for (data, _), form in zip(loaded, forms):
            assert office_forms.differences(office_forms.carried(data, form.to_data()), form.to_data()) == []


# --------------------------------------------------------------------------- export → import, every layout


def _export_cases() -> list:
    return [pytest.param(name, spec, id=name) for name, spec in SOURCES]


@pytest.mark.parametrize("name, spec", _export_cases())
def test_export_then_import_is_lossless_for_every_layout(name, spec, tmp_path) -> None:
    book = str(tmp_path / "book.xlsx")
    result = run_cli("export", spec, "--to", "xlsx", "-o", book)
    assert result.code == 0, result.err
    forms = xlsx_import.read(book)
    # The whole spec comes back (the hidden sheet records every key it writes, and only those): not only the
    # cells FormData's reference layout has (office_forms.carried), and with no review note.
    data, _layout = office_forms.load(spec)
    assert len(forms) == 1, [f.source for f in forms]
    differing = office_forms.differences(data, forms[0].to_data())
    assert not differing, f"{name}: {len(differing)} cells differ:\n  " + "\n  ".join(differing)
    assert forms[0].reviews == []


# --------------------------------------------------------------------------- bounds


def test_an_official_layout_sheet_of_too_many_rows_is_refused_in_one_line(tmp_path, monkeypatch) -> None:
    """The assembler's MAX_FORM_ROWS bounds a sheet read by labels, as it bounds a text (lowered here: speed)."""
    from perfspec.importers import text

    MAX_FORM_ROWS = 60
    monkeypatch.setattr(text, "MAX_FORM_ROWS", MAX_FORM_ROWS)
    data, layout = office_forms.load(dict(SOURCES)["national-2020--rural-water-supply"])
    item = data["indicators"]["产出指标"]["数量指标"][0]
    data = {**data, "indicators": {"产出指标": {"数量指标": [item] * (MAX_FORM_ROWS + 10)}}}
    book = str(tmp_path / "long.xlsx")
    office_forms.write_xlsx(office_forms.grid(data, layout), book)
    result = run_cli("import", book, "-o", str(tmp_path / "out"))
    assert result.code == 1, result
    assert result.err.startswith("perfspec import: long.xlsx：工作表“自评表”：") and str(MAX_FORM_ROWS) in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not os.path.exists(tmp_path / "out")
    document = str(tmp_path / "long.docx")
    office_forms.write_docx(office_forms.grid(data, layout), document)
    result = run_cli("import", document, "-o", str(tmp_path / "out"))
    assert result.code == 1 and result.err.startswith("perfspec import: long.docx：") and str(MAX_FORM_ROWS) in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_docx_given_as_xlsx_and_an_xlsx_given_as_docx_say_so(tmp_path) -> None:
    name = "national-2020--rural-water-supply"
    cases = {
        ("docx", "xlsx"): "这是 Word 文档，不是 Excel 工作簿：请用 --from docx 导入",
        ("xlsx", "docx"): "这是 Excel 工作簿，不是 Word 文档：请用 --from xlsx 导入",
    }
    for (ext, forced), message in cases.items():
        path = os.path.join(office_forms.OUT, f"{name}.{ext}")
        result = run_cli("import", path, "--from", forced, "-o", str(tmp_path / ext))
        assert result.code == 1
        assert result.err == f"perfspec import: {name}.{ext}：{message}\n"


def test_zip_parts_are_what_the_import_guesses_from(tmp_path) -> None:
    from perfspec.importers.docx import is_docx

    assert is_docx(os.path.join(office_forms.OUT, "national-2020--rural-water-supply.docx"))
    assert not is_docx(os.path.join(office_forms.OUT, "national-2020--rural-water-supply.xlsx"))
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert not is_docx(str(broken))
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    assert is_docx(str(tmp_path / "z.zip"))


def test_the_streamed_reader_and_the_full_one_read_the_same() -> None:
    """A workbook that is not perfspec's export is read in openpyxl's read-only mode, merged ranges taken from
    the sheet XML; the full load (kept for the messages on sheets it cannot read) gives the same forms."""
    from perfspec.importers.labels import Labels

    L = Labels()
    for name, _spec in SOURCES:
        path = os.path.join(office_forms.OUT, name + ".xlsx")
        assert not xlsx_import._exported(path)
        streamed = xlsx_import._read_streamed(path, name, L)
        assert streamed is not None, name
        wb = xlsx_import._open(path)
        ws = wb.worksheets[0]
        full = xlsx_import._read_by_labels(ws, xlsx_import.Grid(ws), name, L)
        assert [f.to_data() for f in streamed] == [f.to_data() for f in full], name
        assert [(r.path, r.reason) for f in streamed for r in f.reviews] == \
            [(r.path, r.reason) for f in full for r in f.reviews], name


# --------------------------------------------------------------------------- reading a grid by its header


def _grid_rows(*rows: list) -> list:
    from perfspec.importers.rows import Row

    return [Row(list(cells), where) for where, cells in enumerate(rows, start=1)]


_HEAD = (["项目支出绩效自评表"], ["（2023年度）"])
_INDICATORS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]


def test_a_label_a_pdf_cut_in_two_is_put_back_and_flagged() -> None:
    """部门（单位）名 | 宁乡县统计局称: the label's wrapped 称 was given to the value's cell."""
    from perfspec.importers.text import assemble

    rows = _grid_rows(*_HEAD, ["项目名", "城区供水改造称", None, None, None, None, None, None], _INDICATORS,
                      ["产出指标", "数量指标", "改造管网长度", "12公里", "12公里", "10", "10", ""],
                      ["总分", None, None, None, None, "10", "10", ""])
    (form,) = assemble(rows, "页", grid=True)
    assert form.project == "城区供水改造"
    assert [r.reason for r in form.reviews if r.path == ("project",)] and "称" in next(
        r.reason for r in form.reviews if r.path == ("project",))


def test_a_header_cell_no_layout_names_leaves_the_rows_to_the_numbers_places() -> None:
    """参考分 | 值得分 cut by a PDF and not put back (no value cell to take the 值 from): the columns are not
    all known, so the rows are not read by position (the reading by the number pair, which flags, takes them)."""
    from perfspec.importers.text import assemble

    header = _INDICATORS[:5] + ["甲栏", "乙栏", _INDICATORS[7]]
    rows = _grid_rows(*_HEAD, ["项目名称", "城区供水改造", None, None, None, None, None, None], header,
                      ["产出指标", "数量指标", "改造管网长度", "12公里", "12公里", "10", "9", "工期延误"])
    (form,) = assemble(rows, "页", grid=True)
    item = form.indicators[0]
    assert (item.weight, item.score, item.deviation) == (10, 9, "工期延误")


def test_the_months_monitored_are_the_integer_the_schema_wants() -> None:
    from perfspec.importers.text import _months

    assert [_months(t) for t in ("6", "1-6月", "1–8月", "6个月", " 12 ")] == [6, 6, 8, 6, 12]
    assert [_months(t) for t in ("13", "上半年", "0")] == ["13", "上半年", "0"]


def test_a_split_target_reads_its_sign_from_the_value_and_keeps_the_nature() -> None:
    from decimal import Decimal

    from perfspec.importers.columns import split_target

    assert split_target("正向", "≥1260", "公里") == ({"operator": "≥", "value": Decimal("1260"), "unit": "公里"}, "正向")
    assert split_target("≤", "0.4", "万元") == ({"operator": "≤", "value": Decimal("0.4"), "unit": "万元"}, None)
    assert split_target("定性", "明显改善", "") == ({"value": "明显改善"}, "定性")
    assert split_target(None, None, None) == (None, None)
