"""One complete, realistic form per shipped layout and per kind, discovered from folders.

tests/cases/layouts/<layout-id>/*.yaml       a good form written in that layout: `perfspec check`
                                             reports no error-level finding and no PS010/PS012.
tests/cases/layouts/<layout-id>/bad-*.yaml   the same kind of form holding ONE real defect; its
                                             first line names the finding it must raise:
                                                 # expect: PS101 funds.total.executed
A leading comment line `# xfail: <reason>` marks a case that fails because of a known checker
bug (the reason says which); it is run as a strict xfail, so a fix makes it fail until the
marker is removed.
"""

from __future__ import annotations

import io
import json
import os
import re

import pytest

from conftest import CASES
from perfspec.cli import main
from perfspec.form.kinds import KINDS
from perfspec.form.layout import builtin_layouts, choose_layout, load_layout
from perfspec.load.loader import load_file

LAYOUT_CASES = os.path.join(CASES, "layouts")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_EXPECT = re.compile(r"#\s*expect:\s*(PS\d{3})\s+(\S.*?)\s*$")
_XFAIL = re.compile(r"#\s*xfail:\s*(.+?)\s*$")


def _leading_comments(path: str) -> list[str]:
    lines = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            lines.append(line.rstrip("\n"))
    return lines


def _case_files() -> list[tuple[str, str]]:
    """(layout id, path) for every case file, in a stable order."""
    out = []
    if not os.path.isdir(LAYOUT_CASES):
        return out
    for ident in sorted(os.listdir(LAYOUT_CASES)):
        folder = os.path.join(LAYOUT_CASES, ident)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith((".yaml", ".yml")):
                out.append((ident, os.path.join(folder, name)))
    return out


def _is_bad(path: str) -> bool:
    return os.path.basename(path).startswith("bad-")


def _params(bad: bool, xfail: bool = True) -> list:
    """Cases as pytest params; with `xfail`, a `# xfail:` comment marks the checking tests only."""
    out = []
    for ident, path in _case_files():
        if _is_bad(path) != bad:
            continue
        marks = []
        for line in _leading_comments(path) if xfail else ():
            m = _XFAIL.match(line)
            if m:
                marks.append(pytest.mark.xfail(reason=m.group(1), strict=True))
        out.append(pytest.param(ident, path, marks=marks, id=f"{ident}/{os.path.basename(path)}"))
    return out


def _check(path: str, tmp_path, monkeypatch) -> tuple[int, list[dict], str]:
    """`perfspec check FILE --format json --profile national` from an empty folder."""
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", path, "--format", "json", "--profile", "national"], out, err)
    assert code in (0, 1), f"exit {code}: {err.getvalue()}"
    report = json.loads(out.getvalue())
    return code, report["findings"], err.getvalue()


def _shown(findings: list[dict]) -> str:
    return "\n".join(
        f"  {f['line']}:{f['column']} {f['code']} {f['severity']} {f['path']}: {f['message']}" for f in findings
    ) or "  (no findings)"


def _data(path: str):
    loaded = load_file(path)
    assert loaded.document is not None, f"{path} cannot be loaded: {loaded.findings}"
    return loaded.document.data


# ------------------------------------------------------------------ coverage of the cases


def test_every_shipped_layout_has_a_good_and_a_bad_form() -> None:
    files = _case_files()
    for ident in builtin_layouts():
        mine = [p for i, p in files if i == ident]
        assert any(not _is_bad(p) for p in mine), f"no good form in {LAYOUT_CASES}/{ident}/"
        assert any(_is_bad(p) for p in mine), f"no bad-*.yaml in {LAYOUT_CASES}/{ident}/"


def test_every_case_folder_is_a_shipped_layout() -> None:
    shipped = set(builtin_layouts())
    folders = {i for i, _ in _case_files()}
    assert folders <= shipped, f"case folders for unknown layouts: {sorted(folders - shipped)}"


def test_every_kind_has_a_good_form() -> None:
    kinds = {}
    for ident, path in _case_files():
        if not _is_bad(path):
            data = _data(path)
            kinds.setdefault(data.get("kind", "self-evaluation"), []).append(path)
    assert set(KINDS) <= set(kinds), f"kinds without a good form: {sorted(set(KINDS) - set(kinds))}"


@pytest.mark.parametrize("ident,path", _params(bad=False, xfail=False) + _params(bad=True, xfail=False))
def test_case_is_read_in_its_folders_layout(ident: str, path: str) -> None:
    """The form is read in the layout its folder names (a file may rely on `kind:` or on its
    level-1 names instead of writing `layout:`), and a kind layout's form says its kind."""
    data = _data(path)
    layout, problem = choose_layout(data, "national-2020")
    assert problem is None, problem
    assert layout.id == ident, f"{path} is read in {layout.id}, not {ident}"
    assert data.get("kind", "self-evaluation") == layout.kind


# ------------------------------------------------------------------ checking the cases


@pytest.mark.parametrize("ident,path", _params(bad=False))
def test_good_form_passes(ident: str, path: str, tmp_path, monkeypatch) -> None:
    code, findings, _ = _check(path, tmp_path, monkeypatch)
    bad = [f for f in findings if f["severity"] == "error" or f["code"] in ("PS010", "PS012")]
    assert not bad, f"{path} should pass in layout {ident}; the checker reports:\n{_shown(findings)}"
    assert code == 0, f"exit {code}:\n{_shown(findings)}"


@pytest.mark.parametrize("ident,path", _params(bad=True))
def test_bad_form_reports_its_defect(ident: str, path: str, tmp_path, monkeypatch) -> None:
    head = _leading_comments(path)
    m = _EXPECT.match(head[0]) if head else None
    assert m, f"{path}: the first line must be '# expect: PSnnn path.to.cell'"
    code, path_expected = m.group(1), m.group(2)
    exit_code, findings, _ = _check(path, tmp_path, monkeypatch)
    hit = [f for f in findings if f["code"] == code and f["path"] == path_expected]
    assert hit, f"{path}: expected {code} at {path_expected}; the checker reports:\n{_shown(findings)}"
    assert all(f["severity"] == "error" for f in hit), f"{code} is not an error here:\n{_shown(hit)}"
    # One defect: no other error-level finding, and never a schema or layout error.
    others = [f for f in findings if f["severity"] == "error" and (f["code"], f["path"]) != (code, path_expected)]
    assert not others, f"{path} should hold only its one defect; the checker also reports:\n{_shown(others)}"
    assert not [f for f in findings if f["code"] in ("PS010", "PS012") and f["code"] != code], _shown(findings)
    assert exit_code == 1


# ------------------------------------------------------------------ the layouts themselves


@pytest.mark.parametrize("ident", builtin_layouts())
def test_shipped_layout_loads(ident: str) -> None:
    layout = load_layout(ident)
    assert layout.id == ident
    assert layout.funds_rows, f"{ident} has no funding rows"
    assert sum(1 for row in layout.funds_rows if row.total) == 1, f"{ident} needs exactly one total row"
    assert layout.kind in KINDS, f"{ident} has an unknown kind {layout.kind}"


def _declared_labels(layout) -> list[tuple[str, str]]:
    """(where, Chinese text) of every label the layout declares."""
    out = [("name", layout.name), ("title", layout.title), ("funds", layout.funds_zh), ("goals", layout.goals_zh)]
    out += [(f"titles[{i}]", t) for i, t in enumerate(layout.titles)]
    for part, fields in (
        ("header", layout.header),
        ("funds.rows", layout.funds_rows),
        ("funds.columns", layout.funds_columns),
        ("goals.fields", layout.goals),
        ("sections", layout.sections),
        ("signatures", layout.signatures),
    ):
        for field in fields:
            out.append((f"{part}.{field.key}", field.zh))
            out.append((f"{part}.{field.key}.short", field.short))
    for part, pairs in layout.labels.items():
        for key, (zh, _en) in pairs.items():
            out.append((f"labels.{part}.{key}", zh))
    for name, children in layout.level1.items():
        out.append(("level1", name))
        out += [(f"level1.{name}", child) for child in children]
    out += [("rubric", name) for name in sorted(layout.rubric)]
    return out


@pytest.mark.parametrize("ident", builtin_layouts())
def test_every_label_is_chinese(ident: str) -> None:
    layout = load_layout(ident)
    labels = _declared_labels(layout)
    wrong = [(where, text) for where, text in labels if not (text and text.strip() and _CJK.search(text))]
    assert not wrong, f"{ident}: labels that are empty or not Chinese: {wrong}"


@pytest.mark.parametrize("key", sorted(KINDS))
def test_kind_has_its_default_layout(key: str) -> None:
    kind = KINDS[key]
    assert kind.layout in builtin_layouts(), f"kind {key}: default layout {kind.layout} is not shipped"
    assert load_layout(kind.layout).kind == key


@pytest.mark.parametrize(
    "names",
    [
        ("项目决策", "项目管理", "项目产出", "项目效益"),
        ("项目决策(10分)", "项目管理(25分)", "项目产出(30分)", "项目效益（35分）"),
    ],
    ids=["plain", "with-points"],
)
def test_older_framework_is_chosen_by_its_level1_names(names: tuple[str, ...]) -> None:
    indicators = {name: {"数量指标": [{"name": "保障人数"}]} for name in names}
    spec = {"year": 2021, "project": "初中公用经费", "indicators": indicators}
    layout, problem = choose_layout(spec, "national-2020")
    assert problem is None
    assert layout.id == "older-framework"


def test_national_names_stay_national() -> None:
    names = ("产出指标", "效益指标", "满意度指标")
    spec = {"indicators": {name: {"数量指标": [{"name": "x"}]} for name in names}}
    assert choose_layout(spec, "national-2020")[0].id == "national-2020"


def test_aliases_are_read_for_import_and_never_printed(tmp_path) -> None:
    """A layout's `aliases:` are other spellings an importer recognises; render prints the label itself."""
    from perfspec.form.layout import LayoutError, _aliases
    from perfspec.importers.labels import Labels

    L = Labels()
    assert "主管预算部门" in L.of("header", "department") and "主管部门" in L.of("header", "department")
    assert "总额" in L.of("funds_rows", "total") and "本年财政拨款" in L.of("funds_rows", "appropriation")
    assert "半年度指标执行情况" in L.of("indicators", "to_date")
    assert "项目类别" in L.listed("header_other") and "review" in L.alias_keys("indicators")
    national = load_layout("national-2020")
    assert national.label("header", "department") == "主管部门"
    assert national.funds_row("total").zh == "年度资金总额"
    for bad in ({"header": ["主管单位"]}, {"header": {"department": "主管单位"}}, {"nowhere": ["x"]}, ["x"]):
        with pytest.raises(LayoutError):
            _aliases(bad, "layout test")
