"""The signature block and the 调整原因 row under a form, read by the text assembler (issue 11).

A PDF's text runs the signature block's pairs together ("单位负责人：填表人：王丽填报日期：2024年3月12日单位（盖章）："):
the line is split at every layout's signature label followed by a colon, and a label followed directly by
another label was left blank.
"""

from __future__ import annotations

from conftest import flatten
from perfspec.importers import text as text_import
from perfspec.importers.labels import Labels
from perfspec.importers.signatures import pairs

from test_import_text import EXPECTED, FORM_ROWS, as_tabs


def test_pairs_run_together_are_split_and_blank_labels_stay_blank():
    L = Labels()
    assert pairs(["单位负责人：填表人：王丽填报日期：2024年3月12日单位（盖章）："], L) == [
        ("unit_head", None), ("filled_by", "王丽"), ("filled_on", "2024年3月12日"), ("seal", None)]
    # spaces a PDF puts inside a label, half-width colon and brackets, and a trailing value
    assert pairs(["填 表 人: 顾佳 填报日期:2024-03-08 单位(盖章):"], L) == [
        ("filled_by", "顾佳"), ("filled_on", "2024-03-08"), ("seal", None)]
    # Sichuan's two signatures, and 联系电话 on the same line
    assert pairs(["项目负责人：张三财务负责人：李四联系电话：0731-1234567"], L) == [
        ("leader", "张三"), ("finance_leader", "李四"), ("phone", "0731-1234567")]
    # labels and values in cells of their own
    assert pairs(["填表人", "李四", "联系电话", "", "填报日期", "2024年1月2日"], L) == [
        ("filled_by", "李四"), ("phone", None), ("filled_on", "2024年1月2日")]


def test_a_line_that_is_no_signature_line():
    L = Labels()
    assert pairs(["说明：本表金额单位为万元"], L) is None
    assert pairs(["满意度", "填表人：王丽"], L) is None  # text before the first label
    assert pairs([None, ""], L) is None


def test_signature_block_and_deviation_row_are_read():
    rows = FORM_ROWS[:9] + [["调整原因", "年中追加10万元"]] + FORM_ROWS[9:] + [
        ["单位负责人：填表人：王丽填报日期：2024年3月12日单位（盖章）："]]
    forms = text_import.parse(as_tabs(rows), "signed.txt")
    assert len(forms) == 1
    data = forms[0].to_data()
    expected = dict(EXPECTED, funds=dict(EXPECTED["funds"], deviation="年中追加10万元"),
                    filled_by="王丽", filled_on="2024年3月12日")
    assert flatten(data) == flatten(expected)
    assert not forms[0].reviews, [r.reason for r in forms[0].reviews]


def test_signature_block_right_under_the_total_row_ends_the_form():
    """No 评分等级 row: the signature line is not read as an indicator."""
    rows = FORM_ROWS[:-1] + [["填表人：王丽", "填报日期：2024年3月12日"]]
    data = text_import.parse(as_tabs(rows), "no-grade.txt")[0].to_data()
    assert data["filled_by"] == "王丽" and data["filled_on"] == "2024年3月12日"
    assert list(data["indicators"]) == list(EXPECTED["indicators"])


def test_sections_printed_under_the_table_are_read():
    """存在问题 / 改进措施 after 评分等级 (a 部门整体 form prints them there): a layout's sections, not lines after the form."""
    rows = FORM_ROWS + [["存在问题", "经费超支"], ["改进措施", "按季度通报"], ["填表人：王丽联系电话：0731-87821560"]]
    form = text_import.parse(as_tabs(rows), "sections.txt")[0]
    data = form.to_data()
    assert (data["problems"], data["measures"]) == ("经费超支", "按季度通报")
    assert (data["filled_by"], data["phone"]) == ("王丽", "0731-87821560")
    assert not form.reviews, [r.reason for r in form.reviews]


def test_a_label_whose_brackets_are_part_of_it():
    """省（区、市） is transfer-payment's label as a whole: its bracket is no note to strip (省 names nothing)."""
    rows = FORM_ROWS[:4] + [["省（区、市）", "湖南省常德市汉寿县"]] + FORM_ROWS[4:]
    form = text_import.parse(as_tabs(rows), "region.txt")[0]
    assert form.to_data()["region"] == "湖南省常德市汉寿县"
