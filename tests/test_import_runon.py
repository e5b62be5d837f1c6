"""Run-together text (cells without separators) → rows of cells: perfspec.importers.runon (issue 11).

Each real run-together text in tests/data/real-forms/raw is cut into rows and the cells are compared,
one by one, with its hand transcription (specs/<id>.yaml): header, funds, goals, indicator rows and
总分. A cell is right, or wrong but carrying a guess note (Row.guesses, on the cell or on what covers
it), or wrong without one; the last is what must not happen.
"""

from __future__ import annotations

import difflib
import os
import re
import signal
import unicodedata
from decimal import Decimal, InvalidOperation

import pytest
import yaml

from perfspec.importers import NotAForm, runon
from perfspec.importers.labels import Labels

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "data", "real-forms")
L = Labels()
FUNDS_ORDER = ("initial", "annual", "executed", "weight", "rate", "score")
FUNDS_ROWS = ("total", "appropriation", "carryover", "other")
INDICATOR_KEYS = ("level1", "level2", "name", "target", "actual", "weight", "score", "deviation")


def raw(ident: str) -> str:
    with open(os.path.join(REAL, "raw", ident + ".txt"), encoding="utf-8") as handle:
        return handle.read()


def truth(ident: str) -> dict:
    with open(os.path.join(REAL, "specs", ident + ".yaml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def norm(value: object) -> object:
    if value is None:
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


# --------------------------------------------------------------------------- the rows, read back


def read(rows: list) -> tuple[dict, list, bool]:
    """The cells runon made, as {path: (text, guessed)} and indicator rows [{key: (text, guessed)}].

    A guess on a funds row's label covers the whole funds block (that is where assemble lands it);
    on an indicator row's 一级/二级/三级 cell the whole row; on the indicator header the whole table.
    """
    words = {L.word("header", k): k for k in ("project", "department", "implementer")}
    fund_rows = {L.word("funds", k): k for k in FUNDS_ROWS}
    cells: dict = {}
    items: list = []
    section = ""
    block_guess = table_guess = False
    level1 = level2 = ""
    for row in rows:
        c, g = row.cells, row.guesses
        if section == "" and c[0] in words:
            cells[(words[c[0]],)] = (c[1], 1 in g)
        elif c[0].startswith(L.ref.funds_zh):
            section, block_guess = "funds", 0 in g
        elif section == "funds" and c[0] in fund_rows:
            key = fund_rows[c[0]]
            whole = block_guess or 0 in g
            for index, column in enumerate(FUNDS_ORDER, start=1):
                if column in ("initial", "annual", "executed"):
                    cells[("funds", key, column)] = (c[index], whole or index in g)
                elif key == "total":
                    cells[("funds", column)] = (c[index], whole or index in g)
        elif c[0] == L.ref.goals_zh:
            section = "goals"
        elif section == "goals":
            cells[("goals", "expected")] = (c[1], 1 in g)
            cells[("goals", "achieved")] = (c[2], 2 in g)
            section = "head"
        elif c[0] == L.word("indicators", "level1"):
            section, table_guess = "indicators", 0 in g
        elif c[0] == L.word("total", "total"):
            cells[("total", "weight")] = (c[1], 1 in g)
            cells[("total", "score")] = (c[2], 2 in g)
            section = "total"
        elif section == "indicators":
            level1 = c[0] or level1
            level2 = c[1] or level2
            whole = table_guess or any(i in g for i in (0, 1, 2))
            values = dict(zip(INDICATOR_KEYS, [level1, level2] + c[2:]))
            items.append({k: (values[k], whole or INDICATOR_KEYS.index(k) in g) for k in INDICATOR_KEYS})
    return cells, items, table_guess


def truth_cells(spec: dict) -> tuple[dict, list]:
    cells: dict = {}
    for key in ("project", "department", "implementer"):
        cells[(key,)] = spec.get(key)
    funds = spec.get("funds") or {}
    for key in FUNDS_ROWS:
        for column in ("initial", "annual", "executed"):
            cells[("funds", key, column)] = (funds.get(key) or {}).get(column)
    for key in ("weight", "rate", "score"):
        cells[("funds", key)] = funds.get(key)
    for key in ("expected", "achieved"):
        cells[("goals", key)] = (spec.get("goals") or {}).get(key)
    for key in ("weight", "score"):
        cells[("total", key)] = (spec.get("total") or {}).get(key)
    items = []
    for level1, level2s in (spec.get("indicators") or {}).items():
        for level2, rows in level2s.items():
            for row in rows:
                items.append({"level1": level1, "level2": level2, **{k: row.get(k) for k in INDICATOR_KEYS[2:]}})
    return cells, items


def compare(ident: str) -> tuple[int, int, list]:
    """(right, wrong but guessed, [(where, truth, got) wrong and not guessed])."""
    got, got_items, table_guess = read(runon.rows(raw(ident), ident + ".txt"))
    want, want_items = truth_cells(truth(ident))
    right = flagged = 0
    silent: list = []

    def judge(where: object, a: object, b: tuple) -> None:
        nonlocal right, flagged
        if norm(a) == norm(b[0]):
            right += 1
        elif b[1]:
            flagged += 1
        else:
            silent.append((where, a, b[0]))

    for path, value in want.items():
        judge(path, value, got.get(path, ("", False)))
    names = difflib.SequenceMatcher(None, [str(norm(i["name"])) for i in want_items],
                                     [str(norm(i["name"][0])) for i in got_items], autojunk=False)
    for tag, i1, i2, j1, j2 in names.get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            a = want_items[i1 + k] if i1 + k < i2 else {}
            b = got_items[j1 + k] if j1 + k < j2 else {}
            for key in INDICATOR_KEYS:
                judge((i1 + k, key), a.get(key), b.get(key, ("", table_guess)))
    return right, flagged, silent


# --------------------------------------------------------------------------- the real texts

# form: (cells right at least, cells wrong and not guessed, known and why)
EXPECTED = {
    "a02-zhongjiang-water-gauge": (94, set()),
    "b03-hengshan-grain-reserve": (146, set()),
    "b07-fishing-ban-fuel-subsidy": (54, set()),
    "b10-xueyuanlu-street-cleaning": (28, set()),
    # OCR garbled the 实施单位 label ("实施第位") and printed the value two cells later: not found
    "a09-yinchuan-school-public-funds": (126, {("implementer",)}),
    # 项目年度目标 … the copy's two tables (rubric, then targets) and OCR damage: mostly guesses
    "b12-suizhou-emergency-centre": (58, set()),
}


@pytest.mark.parametrize("ident", sorted(EXPECTED))
def test_real_run_together_text_cell_by_cell(ident: str) -> None:
    least, known = EXPECTED[ident]
    right, flagged, silent = compare(ident)
    assert {where for where, _, _ in silent} <= set(known), silent
    assert right >= least, (right, flagged, silent)


def test_a02_header_funds_and_every_indicator_row_exactly() -> None:
    rows = runon.rows(raw("a02-zhongjiang-water-gauge"), "a02.txt")
    cells = [r.cells for r in rows]
    assert ["项目名称", "中江县农业水价综合改革精准补贴和节水奖励项目小型水库水标尺制作安装"] in cells
    # 202010100.00%10: 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分, decided by the rate 20 ÷ 20
    total = next(r for r in rows if r.cells[0] == "年度资金总额")
    assert total.cells == ["年度资金总额", "", "20", "20", "10", "100.00", "10"] and not total.guesses
    indicator = [r.cells[2:7] for r in rows if len(r.cells) == 8][1:]
    assert indicator == [
        ["安装坡面水标尺", "≥266米", "≥266米", "10", "10"],
        ["水标尺宽度", "≥50厘米", "≥50厘米", "10", "10"],
        ["项目(工程)验收合格率", "100%", "100%", "20", "20"],
        ["及时(按期)开工率", "≥90%", "≥90%", "10", "10"],
        ["及时(按期)完工率", "≥90%", "≥90%", "10", "10"],
        ["项目计划总投资", "20万元", "20万元", "10", "10"],
        ["受益脱贫(含监测对象)户人口数", "≥1000人", "≥1000人", "10", "10"],
        ["群众生产生活条件改善状况", "显著提升", "显著提升", "10", "10"],
        ["受益脱贫(含监测对象)户满意度", "≥95%", "≥95%", "10", "10"],
    ]
    assert ["总分", "100", "100"] in cells


def test_funds_digits_split_by_the_rate() -> None:
    # "310.2154.741050%5" = 310.2 | 154.74 | 10 | 50% | 5: only this cut makes 154.74 ÷ 310.2 ≈ 50 %
    rows = runon.rows(raw("b10-xueyuanlu-street-cleaning"), "b10.txt")
    total = next(r for r in rows if r.cells[0] == "年度资金总额")
    assert total.cells == ["年度资金总额", "310.2", "", "154.74", "10", "50", "5"]
    assert not total.guesses


def test_goals_run_together_are_split_with_a_guess() -> None:
    rows = runon.rows(raw("a02-zhongjiang-water-gauge"), "a02.txt")
    goals = rows[[r.cells[0] for r in rows].index("年度总体目标") + 1]
    assert goals.cells[1:] == ["对农村地区供水计量设施设备进行改进,对项目区农业用水计量,为项目区农业生产夯实基础,",
                               "对项目区农业用水计量,为项目区农业生产夯实基础,"]
    assert "重复的语句" in goals.guesses[1] and "推测" in goals.guesses[2]


def test_ocr_comparator_is_read_with_a_guess() -> None:
    rows = runon.rows(raw("b03-hengshan-grain-reserve"), "b03.txt")
    row = next(r for r in rows if len(r.cells) == 8 and r.cells[2] == "市民满意度调查")
    assert row.cells[3:5] == ["≥90%", "100%"]
    assert "290%" in row.guesses[3] and "≥" in row.guesses[3]


def test_an_ambiguous_boundary_carries_a_guess() -> None:
    # 100%无没有轮换、动用库存: where 实际完成值 ends and the deviation note begins is not printed
    rows = runon.rows(raw("b03-hengshan-grain-reserve"), "b03.txt")
    row = next(r for r in rows if len(r.cells) == 8 and r.cells[2] == "政策性挂账利息补贴保障率")
    assert 4 in row.guesses


def test_garbled_level1_caption_is_unscrambled_with_a_guess() -> None:
    rows = runon.rows(raw("b07-fishing-ban-fuel-subsidy"), "b07.txt")
    first = next(r for r in rows if len(r.cells) == 8 and r.cells[1] == "数量指标")
    assert first.cells[:3] == ["产出指标", "数量指标", "补贴渔船数"] and "出标产指" in first.guesses[0]
    last = next(r for r in rows if len(r.cells) == 8 and r.cells[2] == "退捕渔民抽样调查满意度")
    assert last.cells[0] == "满意度指标" and "推测" in last.guesses[0]


# A form made up here, in the national layout, to show the reader knows no particular form.
MADE_UP = (
    "项目支出绩效自评表(2023年度)项目名称测试项目主管部门某局实施单位某中心项目资金(万元)年初预算数全年预算数"
    "全年执行数分值执行率得分年度资金总额100120961080%8其中:当年财政拨款10012096其他资金年度总体目标预期目标"
    "实际完成情况完成甲事项。完成了甲事项。绩效指标一级指标二级指标三级指标年度指标值实际完成值分值得分"
    "偏差原因分析及改进措施产出指标(50分)数量指标培训人数≥200人210人2020质量指标合格率≥95%96%3030"
    "效益指标(30分)社会效益指标群众知晓率≥90%92%3027宣传不足满意度指标(10分)服务对象满意度指标满意度≥90%95%1010"
    "总分10097评分等级优"
)


def test_made_up_form_every_cell() -> None:
    rows = runon.rows(MADE_UP, "made-up.txt")
    assert [r.cells for r in rows] == [
        ["项目支出绩效自评表(2023年度)"],
        ["项目名称", "测试"],
        ["主管部门", "某局"],
        ["实施单位", "某中心"],
        ["项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", "100", "120", "96", "10", "80", "8"],
        ["当年财政拨款", "100", "120", "96", "", "", ""],
        ["其他资金", "", "", "", "", "", ""],
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["", "完成甲事项。", "完成了甲事项。"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["产出指标(50分)", "数量指标", "培训人数", "≥200人", "210人", "20", "20", ""],
        ["", "质量指标", "合格率", "≥95%", "96%", "30", "30", ""],
        ["效益指标(30分)", "社会效益指标", "群众知晓率", "≥90%", "92%", "30", "27", "宣传不足"],
        ["满意度指标(10分)", "服务对象满意度指标", "满意度", "≥90%", "95%", "10", "10", ""],
        ["总分", "100", "97"],
        ["评分等级", "优"],
    ]
    # "测试项目主管部门": 测试项目 | 主管部门 or 测试 | 项目主管部门 — the form does not say; the goals
    # split at "。" is a guess, and where 得分 ends and the deviation note begins; the funds split
    # (80 % = 96 ÷ 120) and the other rows are certain
    assert set(rows[1].guesses) == {1} and "项目" in rows[1].guesses[1]
    assert set(rows[9].guesses) == {1, 2} and "推测" in rows[9].guesses[1]
    assert set(rows[13].guesses) <= {6, 7}
    assert not any(r.guesses for i, r in enumerate(rows) if i not in (1, 9, 13))


def test_forms_one_after_another_are_each_read() -> None:
    second = MADE_UP.replace("测试项目", "另一工程").replace("2023", "2024").replace("1010总分10097", "1010总分10095")
    rows = runon.rows(MADE_UP + "附件2" + second, "two.txt")
    titles = [r.cells[0] for r in rows if len(r.cells) == 1]
    assert titles == ["项目支出绩效自评表(2023年度)", "项目支出绩效自评表(2024年度)"]
    assert [r.cells for r in rows if r.cells[0] in ("项目名称", "总分", "评分等级")] == [
        ["项目名称", "测试"], ["总分", "100", "97"], ["评分等级", "优"],
        ["项目名称", "另一工程"], ["总分", "100", "95"], ["评分等级", "优"],
    ]
    assert len([r for r in rows if len(r.cells) == 8]) == 2 * 5  # a header and four indicator rows each


def test_text_without_any_form_label_is_refused_with_the_cause() -> None:
    with pytest.raises(NotAForm) as caught:
        runon.rows("今天天气很好，我们去公园散步，看到很多人在放风筝。" * 40, "walk.txt")
    assert "没有找到单元格分隔" in str(caught.value) and "walk.txt" in str(caught.value)
    assert "\n" not in str(caught.value)


# Hostile inputs of about 2 MB: each is read or refused in one line, never hangs (the alarm is a guard
# against a hang, not a measurement).
HOSTILE = {
    "digits": "项目名称" + "1" * 2_000_000,
    "groups": "一级指标二级指标三级指标分值年度指标值全年实际值得分" + "数量指标安装坡面水标尺10≥266米≥266米10" * 70_000,
    "one group": "一级指标二级指标三级指标分值年度指标值全年实际值得分数量指标" + "安装坡面水标尺10≥266米≥266米10" * 90_000,
    "funds": "项目名称x项目资金(万元)全年预算数全年执行数分值执行率得分" + ("年度资金总额" + "9" * 39 + "%") * 40_000,
    "labels": "项目名称主管部门" * 250_000,
    "lines": "项目名称\n1、\n" * 300_000,
    "long groups": "一级指标二级指标三级指标分值年度指标值全年实际值得分"
    + ("数量指标" + ("安装坡面水标尺10≥266米≥266米10" * 12)[:290]) * 2_000,
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_size_is_bounded(case: str) -> None:
    def hang(*_: object) -> None:
        raise TimeoutError(case)

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(120)
    try:
        try:
            rows = runon.rows(HOSTILE[case], case)
        except NotAForm as exc:
            assert "\n" not in str(exc) and (str(exc).startswith(case) or "上限" in str(exc))
        else:
            assert len(rows) < 1000
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Another made-up form, in the 20-point budget layout (预算执行情况(万元)(20分), no 分值 column for the
# indicators, a rate printed as a ratio, no title the layouts know).
MADE_UP_20 = (
    "2022年度乡村道路养护项目自评表项目名称乡村道路养护主管部门某县交通运输局实施单位某镇人民政府"
    "预算执行情况(万元)(20分)预算数(A)执行数(B)执行率(B/A)得分(20分*执行率)年度财政资金总额50450.9018"
    "年度绩效目标(80分)一级指标二级指标三级指标年初目标值(A)实际完成值(B)得分产出指标数量指标养护里程"
    "≥30公里32公里20时效指标按时完成率100%95%19效益指标社会效益指标群众出行满意度≥90%93%20满意度指标"
    "服务对象满意度指标沿线群众满意度≥85%88%20总分97"
)


def test_made_up_budget_20_form() -> None:
    rows = runon.rows(MADE_UP_20, "made-up-20.txt")
    cells = [r.cells for r in rows]
    assert ["2022年度"] in cells  # the year printed before an unknown title
    # 50450.9018 = 50 | 45 | 0.90 | 18: 45 ÷ 50 = 0.90, and 20 × 0.90 = 18 (the caption's 20 points)
    total = next(r for r in rows if r.cells[0] == "年度资金总额")
    assert total.cells == ["年度资金总额", "", "50", "45", "20", "0.90", "18"] and not total.guesses
    assert not any(c[0] == "年度总体目标" for c in cells)  # 年度绩效目标(80分) captions the indicators
    assert [c[2:7] for c in cells if len(c) == 8][1:] == [
        ["养护里程", "≥30公里", "32公里", "", "20"],
        ["按时完成率", "100%", "95%", "", "19"],
        ["群众出行满意度", "≥90%", "93%", "", "20"],
        ["沿线群众满意度", "≥85%", "88%", "", "20"],
    ]
    assert not any(r.guesses for r in rows if len(r.cells) == 8)
    assert ["总分", "", "97"] in cells


# A third made-up form, in the county layout without scores (专项资金名称, per-row 执行率, a deviation
# note run into the actual, 说明 under the table).
MADE_UP_COUNTY = (
    "2021年度县级专项资金绩效目标自评表专项资金名称农村饮水安全维修负责人及电话张三县级主管部门某县水利局"
    "实施单位农村供水股项目资金(万元)全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额806885%"
    "其中:中央、省、市补助县级资金605693.33%其他资金201260%年度总体目标年初设定目标全年实际完成情况"
    "维修供水工程10处维修供水工程9处绩效指标一级指标二级指标三级指标年度指标值全年完成值未完成原因和改进措施"
    "产出指标数量指标维修工程数量10处9处一处未完工质量指标工程验收合格率100%100%效益指标社会效益指标"
    "受益人口≥5000人5200人满意度指标服务对象满意度指标群众满意度≥90%92%说明无"
)


def test_made_up_county_form() -> None:
    rows = runon.rows(MADE_UP_COUNTY, "made-up-county.txt")
    cells = [r.cells for r in rows]
    assert ["项目名称", "农村饮水安全维修"] in cells and ["实施单位", "农村供水股"] in cells
    assert ["年度资金总额", "", "80", "68", "", "85", ""] in cells
    assert ["当年财政拨款", "", "60", "56", "", "93.33", ""] in cells
    assert ["其他资金", "", "20", "12", "", "60", ""] in cells
    goals = rows[cells.index(["年度总体目标", "预期目标", "实际完成情况"]) + 1]
    assert goals.cells[1:] == ["维修供水工程10处", "维修供水工程9处"] and "重复的开头" in goals.guesses[1]
    table = [r for r in rows if len(r.cells) == 8][1:]
    assert [r.cells[2:5] + r.cells[7:] for r in table] == [
        ["维修工程数量", "10处", "9处", "一处未完工"],
        ["工程验收合格率", "100%", "100%", ""],
        ["受益人口", "≥5000人", "5200人", ""],
        ["群众满意度", "≥90%", "92%", ""],
    ]
    # where 9处 ends and the note begins is not printed: a guess; the other rows are certain
    assert 7 in table[0].guesses and not any(r.guesses for r in table[1:])


def test_a_date_run_into_the_title_line_is_the_filled_on_date() -> None:
    # A copy whose title line runs on into 单位名称:… 填报日期:… and then the form: the date is read.
    from perfspec.importers import text as text_import

    text = ("2021年度财政项目绩效自评表单位名称:某市中心医院填报日期:2022年3月18日项目名称院区建设补助主管部门某市卫生健康委"
            "实施单位某市中心医院项目资金(万元)年初预算数全年预算数全年执行数分值执行率得分年度资金总额1000100010001010010"
            "一级指标二级指标三级指标年度指标值实际完成值分值得分偏差原因分析及改进措施产出指标数量指标补助金额1000万元1000万元9090总分100100")
    (form,) = text_import.parse(text, "run.txt")
    assert form.extra.get(("filled_on",)) == "2022年3月18日"
    assert form.project == "院区建设补助"


def test_a_code_label_ends_the_value_before_it_and_project_unit_is_the_implementer() -> None:
    # 主管部门坝塘镇主管部门编码项目单位坝塘镇: 主管部门编码 is a label (it ended nothing before, and its 主管部门 began the
    # department again: "编码项目单位坝塘镇"); 项目单位 names the implementer.
    from perfspec.importers import text as text_import

    text = ("2021年度项目绩效目标表项目名称镇域内基础设施建设主管部门坝塘镇主管部门编码项目单位坝塘镇项目负责人蒋建华"
            "项目资金(万元)年度资金总额100一级指标二级指标三级指标指标值产出指标数量指标道路硬化里程≥5公里")
    (form,) = text_import.parse(text, "run.txt")
    assert (form.project, form.department, form.implementer) == ("镇域内基础设施建设", "坝塘镇", "坝塘镇")
