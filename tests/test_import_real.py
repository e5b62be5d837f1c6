"""`perfspec import` on the 13 real published texts in tests/data/real-forms/raw/.

The accuracy floor of issue 11 is measured by benchmarks/import_accuracy.py (cell by cell against the
hand transcriptions); this pins it: at least 90 % of the cells right or flagged `# review:`, at most 2 %
wrong and unflagged, no crash. Each text must also import without a traceback and be recognised as the
kind and layout it is printed in.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

from conftest import ROOT, run_cli
from perfspec.importers import text as text_import

sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import import_accuracy  # noqa: E402

RAW = os.path.join(ROOT, "tests", "data", "real-forms", "raw")
# The run-together texts (no cell separators at all) are read by perfspec.importers.runon.
RUN_TOGETHER = {"a02-zhongjiang-water-gauge", "a09-yinchuan-school-public-funds", "b03-hengshan-grain-reserve",
                "b07-fishing-ban-fuel-subsidy", "b10-xueyuanlu-street-cleaning", "b12-suizhou-emergency-centre"}
HAS_RUNON = importlib.util.find_spec("perfspec.importers.runon") is not None

# (kind, layout written into the spec: None = the kind's own) as each form is printed.
DETECTED = {
    "a01-tianchang-flood-control": ("self-evaluation", None),
    "a02-zhongjiang-water-gauge": ("self-evaluation", None),
    "a03-qingshen-salary": ("self-evaluation", "sichuan-2023"),
    "a05-tangxi-commission": ("self-evaluation", None),
    "a07-langfang-school-hvac": ("self-evaluation", None),
    "a09-yinchuan-school-public-funds": ("self-evaluation", None),
    "b02-chengan-centenarian-subsidy": ("self-evaluation", "three-score-columns"),
    "b03-hengshan-grain-reserve": ("self-evaluation", "no-scores"),
    "b07-fishing-ban-fuel-subsidy": ("self-evaluation", None),
    "b10-xueyuanlu-street-cleaning": ("self-evaluation", None),
    "b12-suizhou-emergency-centre": ("self-evaluation", None),
    "b15-beijing-district-cityadmin-covid-targets": ("target-table", None),
    "b17-huangshi-heritage-monitoring": ("monitoring", None),
}
# Copies cut off before their 总分 row (truth.yaml: cut_after), among the texts with cell separators (where a
# run-together text stops is the run-together reader's reading).
CUT = {"a05-tangxi-commission", "a07-langfang-school-hvac", "b02-chengan-centenarian-subsidy"}


def test_every_raw_text_has_an_expectation():
    assert sorted(name[:-4] for name in os.listdir(RAW) if name.endswith(".txt")) == sorted(DETECTED)


def needs_reader(ident: str):
    return pytest.mark.skipif(ident in RUN_TOGETHER and not HAS_RUNON, reason="run-together reader not present")


@pytest.mark.parametrize("ident", [pytest.param(i, marks=needs_reader(i)) for i in sorted(DETECTED)])
def test_real_text_imports_as_its_kind_and_layout(ident):
    forms = text_import.read(os.path.join(RAW, ident + ".txt"))
    assert len(forms) == 1
    form = forms[0]
    assert (form.kind, form.layout) == DETECTED[ident], form.detected
    assert form.detected  # the reason, for the command's stderr line
    if ident in CUT:
        assert form.cut and form.cut.startswith("表格在第 "), form.cut
        assert any("中断" in note.reason for note in form.reviews)
    from perfspec.importers.write import to_yaml

    to_yaml(form)  # the written spec loads back to the imported values (checked inside)


@pytest.mark.skipif(not HAS_RUNON, reason="run-together reader not present: the floor is over all 13 texts")
def test_accuracy_floor_on_the_real_texts():
    results, skipped = import_accuracy.measure()
    assert not skipped, skipped
    assert not [r.form for r in results if r.status], [(r.form, r.status) for r in results if r.status]
    total = import_accuracy.totals(results)
    assert total.total > 900  # every transcribed cell is counted
    assert (total.right + total.flagged) / total.total >= 0.90, import_accuracy.table(results, skipped)
    assert total.unflagged / total.total <= 0.02, import_accuracy.table(results, skipped, verbose=True)


@pytest.mark.parametrize("ident", ["a01-tianchang-flood-control", "a03-qingshen-salary",
                                   "a07-langfang-school-hvac", "b15-beijing-district-cityadmin-covid-targets"])
def test_separated_real_texts_are_read_cell_for_cell(ident):
    """The texts with cell separators (spaces, one cell per line, pipes) do not depend on the run-together
    reader: each on its own must keep wrong-and-unflagged cells under the floor."""
    result = import_accuracy.measure_one(os.path.join(RAW, ident + ".txt"), import_accuracy.truth_file(ident))
    assert not result.status
    assert (result.right + result.flagged) / result.total >= 0.90, result.wrong
    assert result.unflagged / result.total <= 0.04, [w for w in result.wrong if not w.flagged]


def test_command_reports_kind_layout_and_cut_on_stderr(tmp_path):
    run = run_cli("import", os.path.join(RAW, "a07-langfang-school-hvac.txt"), "-o", str(tmp_path / "out"))
    assert run.code == 0, run.err
    assert "项目支出绩效自评表（self-evaluation），版式 默认（标题“项目支出绩效自评表”" in run.err
    assert "表格在第 448 行中断：满意度指标“指标1学生满意度”之后的行、总分、评分等级缺失" in run.err
    run = run_cli("import", os.path.join(RAW, "b15-beijing-district-cityadmin-covid-targets.txt"),
                  "-o", str(tmp_path / "target"))
    assert run.code == 0, run.err
    assert "项目支出绩效目标表（target-table）" in run.err
    written = open(os.path.join(tmp_path / "target", os.listdir(tmp_path / "target")[0]), encoding="utf-8").read()
    assert "\nkind: target-table" in written


def test_benchmark_counts_a_failed_import_as_wrong_and_unflagged(tmp_path):
    """The benchmark itself: a form that does not import counts every truth cell as wrong and unflagged."""
    bad = tmp_path / "x.txt"
    bad.write_text("会议纪要\n", encoding="utf-8")
    truth = import_accuracy.truth_file("a01-tianchang-flood-control")
    result = import_accuracy.measure_one(str(bad), truth)
    assert result.status.startswith("refused: ")
    assert result.right == 0 and result.flagged == 0 and result.unflagged == result.total > 80


def test_benchmark_compares_numbers_by_value_and_aligns_rows_by_name():
    truth = {"year": 2023, "funds": {"total": {"annual": 100}},
             "indicators": {"产出指标": {"数量指标": [{"name": "甲", "weight": 10}, {"name": "乙", "weight": 20},
                                                   {"name": "丙", "weight": 30}]}}}
    got = {"year": 2023, "funds": {"total": {"annual": "100.00"}},
           "indicators": {"产出指标": {"数量指标": [{"name": "甲", "weight": 10}, {"name": "丙", "weight": 30}]}}}
    result = import_accuracy.compare(truth, got, [("indicators", "产出指标")])
    # 乙's row is missing (4 cells: level1, level2, name, weight), flagged by the note on 产出指标; the rest right.
    assert (result.right, result.flagged, result.unflagged) == (10, 4, 0)
    result = import_accuracy.compare(truth, got, [])
    assert (result.right, result.flagged, result.unflagged) == (10, 0, 4)


@pytest.mark.parametrize("ident", ["a03-qingshen-salary", "b02-chengan-centenarian-subsidy",
                                   "b17-huangshi-heritage-monitoring"])
def test_imported_spec_has_its_layouts_funds_rows_and_columns(tmp_path, ident):
    """The written funds block is the detected layout's (no 上年结转资金 row on a Sichuan form, the monitoring
    form's 全年预计执行数 column written null): `perfspec check` finds no structural fault (PS012) in it."""
    out = tmp_path / "out"
    run = run_cli("import", os.path.join(RAW, ident + ".txt"), "-o", str(out))
    assert run.code == 0, run.err
    check = run_cli("check", str(out))
    assert "PS012" not in check.out + check.err, check.out
