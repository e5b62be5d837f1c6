"""`perfspec check --profile national` on real published forms, pinned against their ground truth.

tests/data/real-forms/ holds 13 performance forms published by other units (see its README.md for the sources):
the raw text, a hand transcription per self-evaluation form (specs/), a rewrite in the current format where the
format can now say more (rewritten/), and truth.yaml: the defects each published form really holds.

Every `*.yaml` entry of truth.yaml is discovered and checked in-process, in an empty working directory (the
repository's own .perfspec.yaml, profile shanghai, must not apply). Findings are matched to the truth with the
semantics of the project's real-forms scorer, re-implemented in real_forms_scoring.py.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from perfspec.cli import main
from perfspec.form.model import build
from real_forms_scoring import Score, load_spec, near, ratio, score_form, validate_entry

DATA = Path(__file__).resolve().parent / "data" / "real-forms"
TRUTH = yaml.safe_load((DATA / "truth.yaml").read_text(encoding="utf-8"))

# Discovery: every truth entry whose key is a transcribed spec. The `.txt` keys are forms that are not
# self-evaluations and were not transcribed (b15, a target table; b17, a mid-year monitoring form; see
# LAYOUTS.md): nothing is checked for them here, the importer's tests will handle them.
FORMS = sorted(key for key in TRUTH if key.endswith(".yaml"))
NOT_TRANSCRIBED = sorted(key for key in TRUTH if key.endswith(".txt"))
# rewritten/ also holds b15 and b17 in their own kinds (target-table, monitoring): judged in tests/test_stages.py,
# as the earlier stages of a project, not against a self-evaluation transcription.
STAGE_REWRITES = sorted(Path(k).stem + ".yaml" for k in NOT_TRANSCRIBED)
REWRITTEN = sorted(p.name for p in (DATA / "rewritten").glob("*.yaml") if p.name not in STAGE_REWRITES)

# The floors of the real-forms score (errors only; errors and warnings).
ERRORS_RECALL_MIN = 0.95
ERRORS_PRECISION_MIN = 0.95
ALL_RECALL_MIN = 0.90
ALL_PRECISION_MIN = 0.85

# Known false findings on specs/ (form, code, severity, path): reason. One line each; they still count in the
# aggregate precision. A listed finding that no longer appears fails the test: remove its line.
KNOWN_FALSE = {
    ("b02-chengan-centenarian-subsidy.yaml", "PS013", "error", "department"):
        "known limit: the Hebei export prints one 实施(主管)单位 cell, transcribed in the national layout as "
        "department: null; the same blank is a real defect on a01 (rewritten/ b02 uses three-score-columns)",
}

# Known checker bugs revealed by rewritten/ (form, defect path, defect class): reason. The test xfails on them
# (and fails once the checker finds the defect, so that the line is removed).
KNOWN_MISSED_REWRITTEN: dict[tuple[str, str, str], str] = {}


def run_check(spec: Path, tmp_path, monkeypatch, capsys) -> list[dict]:
    """The findings of `perfspec check SPEC --profile national --format json`, run in an empty folder."""
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    code = main(["check", str(spec), "--profile", "national", "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), f"{spec.name}: exit {code}\n{err}"
    report = json.loads(out)
    assert report["profile"] == "national", report["profile"]
    return report["findings"]


# Defects a rewrite can state that its first transcription could not (the cells had no field then).
REWRITTEN_EXTRA_DEFECTS = {
    "a03-qingshen-salary.yaml": [
        {"path": key, "class": "blank", "severity": "error", "what": f"{zh} holds the template prompt, no content"}
        for key, zh in (("conclusion", "评价结论"), ("problems", "存在问题"), ("measures", "改进措施"))
    ],
}


def scored(folder: str, name: str, tmp_path, monkeypatch, capsys) -> Score:
    spec = DATA / folder / name
    truth = TRUTH[name]
    if folder == "rewritten" and name in REWRITTEN_EXTRA_DEFECTS:
        truth = {**truth, "defects": list(truth.get("defects") or []) + REWRITTEN_EXTRA_DEFECTS[name]}
    score = score_form(run_check(spec, tmp_path, monkeypatch, capsys), truth, load_spec(spec))
    assert score.rejected is None, f"{folder}/{name} rejected whole: {score.rejected}"
    return score


def show(defects) -> str:
    return "\n".join(f"  {d['severity']} {d['class']} {d['path'] or '(document)'}: {d['what']}" for d in defects)


def show_findings(findings) -> str:
    return "\n".join(f"  {f}" for f in findings)


# ---------------------------------------------------------------- the data


def test_discovery_covers_every_truth_entry():
    assert len(FORMS) == 11 and len(NOT_TRANSCRIBED) == 2
    assert set(FORMS) | set(NOT_TRANSCRIBED) == set(TRUTH)
    assert sorted(p.name for p in (DATA / "specs").glob("*.yaml")) == FORMS
    for key in NOT_TRANSCRIBED:
        assert TRUTH[key]["import"] == "not-self-evaluation" and (DATA / "raw" / key).is_file()
    for key in FORMS:
        assert (DATA / "raw" / TRUTH[key]["raw"]).is_file()
    assert sorted(TRUTH[k]["raw"] for k in TRUTH) == sorted(p.name for p in (DATA / "raw").glob("*.txt"))
    assert set(REWRITTEN) <= set(FORMS) and REWRITTEN
    assert sorted(p.name for p in (DATA / "rewritten").glob("*.yaml")) == sorted(REWRITTEN + STAGE_REWRITES)


def test_readme_names_every_source():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for raw in sorted((DATA / "raw").glob("*.txt")):
        head = raw.read_text(encoding="utf-8").splitlines()[:8]
        source = next(line for line in head if line.startswith("# source:"))
        assert any(line.startswith("# publisher:") for line in head), raw.name
        assert f"`{raw.name}`" in readme, f"README.md does not list {raw.name}"
        url = re.search(r"https?://\S+", source)
        if url:
            assert url.group(0) in readme, f"README.md lacks the source of {raw.name}: {url.group(0)}"


@pytest.mark.parametrize("name", FORMS)
def test_truth_paths_are_in_the_spec(name):
    assert validate_entry(TRUTH[name], load_spec(DATA / "specs" / name)) == []


# ---------------------------------------------------------------- the transcriptions


@pytest.mark.parametrize("name", FORMS)
def test_every_defect_is_found(name, tmp_path, monkeypatch, capsys):
    """Each real defect is matched by an error or warning finding, an error defect by an error finding."""
    score = scored("specs", name, tmp_path, monkeypatch, capsys)
    missed = score.missed()
    assert not missed, f"{name}: defects not found\n{show(missed)}\nfindings:\n{show_findings(score.findings)}"


@pytest.mark.parametrize("name", FORMS)
def test_no_false_findings(name, tmp_path, monkeypatch, capsys):
    """Every finding matches a real defect (an error finding an error defect) or lies past the copy's cut; in
    particular nothing is reported at a not_defects path unless a real defect is there too."""
    score = scored("specs", name, tmp_path, monkeypatch, capsys)
    known = {k[1:]: why for k, why in KNOWN_FALSE.items() if k[0] == name}
    false = [f for f in score.false() if f.key not in known]
    assert not false, f"{name}: false findings\n{show_findings(false)}"
    not_defects = [str(n["path"]) for n in TRUTH[name].get("not_defects") or [] if n.get("path") is not None]
    for f in score.counted:
        if f.hits:
            continue
        at = [p for p in not_defects if near(f.path, p)]
        assert not at or f.key in known, f"{name}: {f} lies at not_defects {at}"
    seen = {f.key for f in score.findings}
    gone = [k for k in known if k not in seen]
    assert not gone, f"{name}: known false findings no longer reported, remove them from KNOWN_FALSE: {gone}"


def test_precision_and_recall_reach_the_floors(tmp_path, monkeypatch, capsys):
    """The scorer's four ratios over all transcribed forms (known false findings count as false)."""
    err, all_ = [0, 0, 0, 0], [0, 0, 0, 0]
    for name in FORMS:
        counts = scored("specs", name, tmp_path, monkeypatch, capsys).counts()
        err = [a + b for a, b in zip(err, counts["err"])]
        all_ = [a + b for a, b in zip(all_, counts["all"])]
    er, ep = ratio(err[0], err[1]), ratio(err[2], err[3])
    ar, ap = ratio(all_[0], all_[1]), ratio(all_[2], all_[3])
    line = (f"real-forms: errors recall {er:.2f} ({err[0]}/{err[1]}) precision {ep:.2f} ({err[2]}/{err[3]}); "
            f"all recall {ar:.2f} ({all_[0]}/{all_[1]}) precision {ap:.2f} ({all_[2]}/{all_[3]}); {len(FORMS)} forms")
    with capsys.disabled():
        print(f"\n{line}")
    assert er >= ERRORS_RECALL_MIN and ep >= ERRORS_PRECISION_MIN, line
    assert ar >= ALL_RECALL_MIN and ap >= ALL_PRECISION_MIN, line


# ---------------------------------------------------------------- the rewrites in the current format


@pytest.mark.parametrize("name", REWRITTEN)
def test_rewritten_keeps_the_numbers(name):
    """A rewrite says more than the transcription, never something else: every number and target is the same."""
    old, new = load_spec(DATA / "specs" / name), load_spec(DATA / "rewritten" / name)
    assert isinstance(new.get("layout"), str)
    old_cells, new_cells = leaves(old), leaves(new)
    for path, value in old_cells.items():
        if is_number(value):
            assert path in new_cells and Decimal(str(new_cells[path])) == Decimal(str(value)), path
    old_targets = {i.path: i.target for i in build(old).indicators}
    new_targets = {i.path: i.target for i in build(new).indicators}
    assert new_targets == old_targets


@pytest.mark.parametrize("name", REWRITTEN)
def test_rewritten_finds_the_same_defects(name, tmp_path, monkeypatch, capsys):
    """The rewrite is judged by the same truth entry, with no allowance for known false findings."""
    new = load_spec(DATA / "rewritten" / name)
    assert validate_entry(TRUTH[name], new) == []
    score = scored("rewritten", name, tmp_path, monkeypatch, capsys)
    layout = [f for f in score.findings if f.code in ("PS010", "PS012")]
    assert not layout, f"{name}: schema/layout findings\n{show_findings(layout)}"
    false = score.false()
    assert not false, f"{name}: false findings\n{show_findings(false)}"
    for form, code, severity, path in KNOWN_FALSE:
        if form == name:
            assert path not in leaves_and_parents(new), f"{name}: the rewrite still has {path}"
            assert (code, severity, path) not in {f.key for f in score.findings}
    known = {(path, cls): why for (form, path, cls), why in KNOWN_MISSED_REWRITTEN.items() if form == name}
    missed = score.missed()
    unexpected = [d for d in missed if (d["path"], d["class"]) not in known]
    assert not unexpected, f"{name}: defects not found\n{show(unexpected)}\nfindings:\n{show_findings(score.findings)}"
    fixed = [k for k in known if k not in {(d["path"], d["class"]) for d in missed}]
    assert not fixed, f"{name}: now found, remove from KNOWN_MISSED_REWRITTEN: {fixed}"
    if missed:
        pytest.xfail("; ".join(known[(d["path"], d["class"])] for d in missed))


def leaves(value, path=()) -> dict:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(leaves(item, path + (str(key),)))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(leaves(item, path + (index,)))
        return out
    return {path: value}


def leaves_and_parents(doc) -> set[str]:
    """Every printed path of DOC (perfspec's notation) and its ancestors."""
    out = set()
    for path in leaves(doc):
        shown = ""
        for seg in path:
            shown += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if shown else seg)
            out.add(shown)
    return out


def is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and not (
        isinstance(value, float) and math.isnan(value))
