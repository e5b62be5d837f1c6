"""perfspec import --from docx: merged cells read once, hostile documents bounded, every unreadable case in one line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest

import office_forms
from conftest import ROOT, run_cli
from perfspec.importers import NotAForm

docx = pytest.importorskip("docx")
from perfspec.importers import docx as docx_import  # noqa: E402 - after the skip

SAMPLE = os.path.join(office_forms.OUT, "national-2020--rural-water-supply.docx")
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document_xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}</w:body></w:document>'


def _docx(path, document_xml: bytes | str) -> str:
    """A .docx whose word/document.xml is `document_xml`, the other parts from a real one."""
    with zipfile.ZipFile(SAMPLE) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "word/document.xml":
                body = document_xml.encode("utf-8") if isinstance(document_xml, str) else document_xml
            target.writestr(info.filename, body)
    return str(path)


# --------------------------------------------------------------------------- merged cells


def test_a_merged_cell_is_read_once_though_python_docx_repeats_it(tmp_path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(2, 0)).text = "产出指标"  # down three rows
    table.cell(0, 1).merge(table.cell(0, 2)).text = "跨两列"  # across two columns
    table.cell(1, 1).text, table.cell(1, 2).text = "甲", "乙"
    path = str(tmp_path / "merged.docx")
    document.save(path)
    reread = docx.Document(path).tables[0]
    assert [c.text for c in reread.column_cells(0)] == ["产出指标"] * 3  # what python-docx gives
    assert [c.text for c in reread.rows[0].cells] == ["产出指标", "跨两列", "跨两列"]
    rows = docx_import.table_rows(docx.Document(path).tables[0]._tbl)
    assert rows == [["产出指标", "跨两列", None], [None, "甲", "乙"], [None, "", ""]]


def test_cells_missing_before_a_row_nested_tables_and_content_controls(tmp_path) -> None:
    def tc(text: str, props: str = "") -> str:
        return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    nested = "<w:tc><w:tbl><w:tr>" + tc("里") + tc("表") + "</w:tr></w:tbl><w:p/></w:tc>"
    body = (
        "<w:tbl>"
        "<w:tr>" + tc("甲") + tc("乙") + tc("丙") + "</w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>" + tc("丁") + tc("戊") + "</w:tr>"
        "<w:tr>" + tc("己") + nested + "<w:sdt><w:sdtContent>" + tc("庚") + "</w:sdtContent></w:sdt></w:tr>"
        "<w:sdt><w:sdtContent><w:tr>" + tc("辛", '<w:gridSpan w:val="3"/>') + "</w:tr></w:sdtContent></w:sdt>"
        "</w:tbl>"
    )
    path = _docx(tmp_path / "odd.docx", _document_xml(body))
    rows = docx_import.body_rows(docx.Document(path))
    assert [row.cells for row in rows] == [
        ["甲", "乙", "丙"], ["", "丁", "戊"], ["己", "里\n表", "庚"], ["辛", None, None],
    ]


def test_indicators_under_a_merged_level1_keep_their_groups() -> None:
    (form,) = docx_import.read(SAMPLE)
    assert [(i.level1, i.level2) for i in form.indicators][:3] == [("产出指标", "数量指标")] * 2 + [("产出指标", "质量指标")]
    assert form.year == 2023 and form.unit == "万元"  # from the paragraphs above the table


# --------------------------------------------------------------------------- the command


def test_the_command_guesses_docx_from_the_file_and_from_standard_input(tmp_path, monkeypatch) -> None:
    result = run_cli("import", SAMPLE, "-o", str(tmp_path / "a"))
    assert result.code == 0 and "2023年农村供水工程维修养护补助资金" in result.out, result.err
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(open(SAMPLE, "rb").read())))
    piped = run_cli("import", "-", "-o", str(tmp_path / "b"))
    assert piped.code == 0, piped.err
    assert open(next((tmp_path / "b").glob("*.yaml"))).read().split("\n", 2)[2] == \
        open(next((tmp_path / "a").glob("*.yaml"))).read().split("\n", 2)[2]


def test_without_python_docx_the_command_says_how_to_install_it(monkeypatch, tmp_path) -> None:
    for name in [m for m in sys.modules if m == "docx" or m.startswith("docx.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "docx", None)  # `import docx` now fails
    result = run_cli("import", SAMPLE, "-o", str(tmp_path / "out"))
    assert result.code == 2, result
    assert result.err == "perfspec import: --from docx 需要 docx，请安装：pip install 'perfspec[docx]'\n"
    assert not os.path.exists(tmp_path / "out")


def test_building_the_parser_does_not_import_python_docx() -> None:
    code = "import sys; from perfspec.cli import _parser; _parser(); print('docx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ROOT})
    assert result.stdout.split() == ["False"], result.stderr


# --------------------------------------------------------------------------- unreadable and wrong kinds


def _bad(folder) -> dict[str, tuple[str, str]]:
    """kind → (path, the message after "name：")."""
    cases: dict[str, tuple[str, str]] = {}

    def file(name: str, data: bytes) -> str:
        path = folder / name
        path.write_bytes(data)
        return str(path)

    cases["empty"] = (file("empty.docx", b""), "文件是空的，不是 Word 文档")
    cases["doc"] = (file("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
                    "这是旧的 .doc 格式（或加密的文档），无法读取：请在 Word 中另存为 .docx（不加密）")
    cases["pdf"] = (file("scan.docx", b"%PDF-1.7\n" + b"0" * 100), "这是 PDF 文件：请用 --from pdf 导入")
    cases["text"] = (file("notes.docx", "项目名称,总分\n".encode()), "不是 Word 文档（.docx）")
    zipped = folder / "other.docx"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "hi")
    cases["zip"] = (str(zipped), "是 zip 文件，但不是 Word 文档（.docx）")
    data = open(SAMPLE, "rb").read()
    cases["truncated"] = (file("cut.docx", data[: len(data) // 2]), "Word 文档已损坏（不是完整的 zip 文件），无法读取")
    cases["garbled"] = (_docx(folder / "garbled.docx", "<w:document><w:body>"), "Word 文档已损坏，无法读取（")
    with zipfile.ZipFile(SAMPLE) as source, zipfile.ZipFile(folder / "template.docx", "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml")
            target.writestr(info.filename, body)
    cases["template"] = (str(folder / "template.docx"),
                         "是 Word 模板（.dotx）或含宏的文档（.docm），不是 .docx：请在 Word 中另存为 .docx")
    letter = docx.Document()
    letter.add_paragraph("关于报送2023年度项目支出绩效自评结果的函")
    letter.add_table(rows=2, cols=2).cell(0, 0).text = "附件"
    letter.save(str(folder / "letter.docx"))
    cases["letter"] = (str(folder / "letter.docx"), " 中没有找到")
    return cases


def test_each_unreadable_or_wrong_kind_of_file_gets_one_clear_line(tmp_path) -> None:
    for kind, (path, message) in _bad(tmp_path).items():
        with pytest.raises(NotAForm) as caught:
            docx_import.read(path)
        assert message in str(caught.value), (kind, str(caught.value))
        result = run_cli("import", path, "--from", "docx", "-o", str(tmp_path / f"out-{kind}"))
        assert result.code == 1, (kind, result)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"perfspec import: {os.path.basename(path)}"), (kind, result.err)
        assert len(lines) == 1 and message in lines[0], (kind, result.err)
        assert not os.path.exists(tmp_path / f"out-{kind}")


# --------------------------------------------------------------------------- hostile documents


def _refused(path: str, *words: str) -> None:
    with pytest.raises(NotAForm) as caught:
        docx_import.read(path)
    message = str(caught.value)
    assert "\n" not in message and "未读取" in message, message
    for word in words:
        assert word in message, message


def test_a_zip_bomb_is_refused_from_the_declared_sizes(tmp_path) -> None:
    padding = " " * (docx_import.MAX_DOCUMENT + 1)
    path = _docx(tmp_path / "bomb.docx", _document_xml("<w:p/>" + padding))
    assert os.path.getsize(path) < 200_000  # 20 MB of spaces compress to a few KB
    _refused(path, "word/document.xml", str(docx_import.MAX_DOCUMENT))


@pytest.mark.parametrize("what, body, words", [
    ("tables", "<w:tbl/>" * (docx_import.MAX_TABLES + 1), ("表格过多", str(docx_import.MAX_TABLES))),
    ("rows", "<w:tbl>" + "<w:tr/>" * (docx_import.MAX_ROWS + 1) + "</w:tbl>", ("表格行过多", str(docx_import.MAX_ROWS))),
    ("cells", "<w:tbl><w:tr>" + "<w:tc/>" * (docx_import.MAX_CELLS + 1) + "</w:tr></w:tbl>",
     ("单元格过多", str(docx_import.MAX_CELLS))),
    ("elements", "<w:p>" + "<w:r/>" * (docx_import.MAX_ELEMENTS + 1) + "</w:p>", ("XML 元素过多",)),
], ids=["tables", "rows", "cells", "elements"])
def test_a_document_over_a_limit_is_refused_before_it_is_parsed(tmp_path, what, body, words) -> None:
    path = _docx(tmp_path / f"{what}.docx", _document_xml(body))
    result = run_cli("import", path, "-o", str(tmp_path / "out"))
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result.err
    for word in words:
        assert word in result.err, result.err


def test_a_wide_row_is_cut_at_the_column_limit(tmp_path) -> None:
    cells = "".join(f"<w:tc><w:tcPr><w:gridSpan w:val=\"{10 ** 9}\"/></w:tcPr><w:p/></w:tc>" for _ in range(3))
    path = _docx(tmp_path / "wide.docx", _document_xml(f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>"))
    rows = docx_import.body_rows(docx.Document(path))
    assert all(len(row.cells) <= docx_import.MAX_COLS for row in rows)
