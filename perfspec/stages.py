"""The stages of a project year, linked, and the same project a year earlier.

A project's year has three forms: the target table approved with the budget
(绩效目标表), the mid-year monitoring form (绩效运行监控表) and the year-end
self-evaluation (自评表). They are linked by project and year (the project name
compared as perfspec/check/corpus.py compares it: NFKC, no whitespace), or
explicitly: a form's top-level `of:` names the earlier form(s) by path, relative
to the form's own folder.

Each stage is compared with the stage before it that exists (monitoring with the
target table; the self-evaluation with the monitoring form, or with the target
table when there is none), so a change is reported once, on the form where it
was made. What changed is decided by perfspec/targets.py's `differences`, the one
comparer that `perfspec targets` and `perfspec diff` use too:

  PS601  an indicator of the earlier stage is missing
  PS602  an indicator was added
  PS603  a target value (年度指标值) changed
  PS604  a weight (分值) changed

A change approved during the year is written in the later form's `adjustments:`
(目标调整: indicator, change, approval reference); the finding is then reported
acknowledged with that reference and does not fail the check.

Year over year (the same project in the previous year's self-evaluation):

  PS701  a target lowered although last year's actual exceeded the old target
  PS702  an indicator dropped that lost points last year
  PS703  a deviation note copied word for word from last year's form
  PS704  a deviation note shared word for word by forms of other projects the same year

PS701 and PS702 are reported on the earliest stage of this year's project that
exists (the target table sets the targets), PS703 and PS704 on every form.
Findings are made on the checked forms only; every finding cites both files and
lines.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from perfspec.check.headers import form_notes
from perfspec.diagnostics import Finding, Path, format_path
from perfspec.targets import adjustment as _adjustment
from perfspec.targets import by_name as _by_name
from perfspec.targets import differences

if TYPE_CHECKING:
    from perfspec.check.engine import Engine
    from perfspec.check.headers import Digest, Survey
    from perfspec.form.model import Form
    from perfspec.load.loader import Document

ORDER = ("target-table", "monitoring", "self-evaluation")
CROSS_STAGE = ("PS601", "PS602", "PS603", "PS604")
YEAR_OVER_YEAR = ("PS701", "PS702", "PS703", "PS704")
SHOWN_PLACES = 5  # other forms a PS704 message names before saying how many more
CODES = CROSS_STAGE + YEAR_OVER_YEAR
_CHANGE_OF = {"PS601": "removed", "PS602": "added", "PS603": "target", "PS604": "weight"}


class Stage(NamedTuple):
    path: str
    shown: str
    year: int
    kind: str
    project: str  # normalised
    doc: "Document"
    form: "Form"

    def line(self, path: Path) -> int:
        return self.doc.span(path).line

    def where(self, path: Path) -> str:
        return f"{self.shown}:{self.line(path)}"


def _shown(value: Any, lang: str) -> str:
    if value is None:
        return "空白" if lang == "zh" else "blank"
    return str(value)


def _load(path: str, shown: str, documents: dict[str, "Document"]) -> Stage | None:
    from perfspec.check.headers import exact_entry
    from perfspec.form.model import build

    try:
        exact = exact_entry(path, shown, documents.get(path))
    except Exception:  # noqa: BLE001 - an unreadable form has its own findings
        return None
    if exact is None:
        return None
    entry, doc = exact
    if entry.kind not in ORDER:
        return None
    try:
        form = build(doc.data)
    except Exception:  # noqa: BLE001
        return None
    return Stage(path, shown, int(entry.year), entry.kind, entry.project, doc, form)


class _Maker:
    def __init__(self, engine: "Engine") -> None:
        self.engine = engine

    def on(self, code: str) -> bool:
        return code in self.engine.rules and self.engine.enabled(code)

    @property
    def note_min(self) -> int:
        return self.engine.options.profile.copied_note_min

    def make(self, code: str, stage: Stage, path: Path, zh: str, en: str, key_: str = "", at_key: bool = False) -> Finding:
        rule = self.engine.rules[code]
        severity = self.engine.options.profile.severity_for(code, rule.severity)
        span = stage.doc.key_span(path) if at_key else stage.doc.span(path)
        finding = Finding(
            stage.doc.file, span.line, span.column, code, severity, zh, en, format_path(path),
            end_line=span.end_line, end_column=span.end_column, where=path, key=key_,
        )
        reason = acknowledged(stage, code, path)
        return finding.acknowledge(reason) if reason else finding


def acknowledged(stage: Stage, code: str, path: Path) -> str | None:
    """`acknowledge: {CODE: reason}` on the indicator the finding is at, or at the top level."""
    holders: list[Any] = []
    if len(path) >= 4 and path[0] == "indicators":
        for ind in stage.form.indicators:
            if ind.path == tuple(path[:4]):
                holders.append(ind.raw.get("acknowledge"))
    holders.append(stage.form.has.get("acknowledge"))
    for acks in holders:
        reason = acks.get(code) if isinstance(acks, dict) else None
        if isinstance(reason, str) and len(reason.strip()) >= 2:
            return reason.strip()
    return None


def adjustment(stage: "Stage | Form", name: str | None, change: str) -> dict[str, Any] | None:
    """The approved adjustment (目标调整) the later form records for this indicator and change."""
    return _adjustment(stage.form if isinstance(stage, Stage) else stage, name, change)


def _acknowledge_adjusted(finding: Finding, stage: Stage, name: str | None, code: str) -> Finding:
    item = adjustment(stage, name, _CHANGE_OF[code])
    if item is None or finding.acknowledged:
        return finding
    return finding.acknowledge(f"目标调整已批准（{str(item['approval']).strip()}）/ approved adjustment ({str(item['approval']).strip()})")


def compare(maker: _Maker, later: Stage, earlier: Stage, weights: Stage | None = None) -> list[Finding]:
    """PS601–PS603 on `later` against `earlier`; PS604 against `weights` (the nearest earlier
    stage that prints 分值: a monitoring form has none, so weights go back to the target table).
    What changed is perfspec/targets.py's `differences`, the one comparer; a stage compares only
    what both stages state (a blank later target is PS013's, an unprinted weight approved nothing)."""
    from perfspec.form.kinds import kind_of

    out: list[Finding] = []
    lk, ek = kind_of(later.kind), kind_of(earlier.kind)
    for d in differences(earlier.form, later.form):
        if d.change == "removed" and maker.on("PS601"):
            ind = d.old
            assert ind is not None
            # At the category the indicator stood in, when the later form still has it.
            at: Path = ("indicators",)
            cats = dict(later.form.categories)
            if ind.level1 in cats:
                at = ("indicators", ind.level1, ind.level2) if ind.level2 in cats[ind.level1] else ("indicators", ind.level1)
            f = maker.make(
                "PS601", later, at,
                f"{ek.zh} {earlier.where(ind.path)} 的指标“{ind.name}”（{ind.level1_name}/{ind.level2_name}，指标值 {_shown(ind.target, 'zh')}）"
                f"在本表（{lk.zh}）中没有：删去已批准的指标须有目标调整的批准文件（adjustments）。",
                f"indicator '{ind.name}' ({ind.level1_name}/{ind.level2_name}, target {_shown(ind.target, 'en')}) of the {ek.en} "
                f"{earlier.where(ind.path)} is missing from this {lk.en}; dropping an approved indicator needs an approved adjustment (adjustments)",
                key_=d.name, at_key=len(at) > 1,
            )
            out.append(_acknowledge_adjusted(f, later, ind.name, "PS601"))
        elif d.change == "added" and maker.on("PS602"):
            ind = d.new
            assert ind is not None
            f = maker.make(
                "PS602", later, ind.path,
                f"指标“{ind.name}”不在{ek.zh} {earlier.shown}（指标从第 {earlier.line(('indicators',))} 行起）中：新增指标须有目标调整的批准文件（adjustments）。",
                f"indicator '{ind.name}' is not in the {ek.en} {earlier.shown} (indicators from line {earlier.line(('indicators',))}); "
                "an added indicator needs an approved adjustment (adjustments)",
                key_=d.name,
            )
            out.append(_acknowledge_adjusted(f, later, ind.name, "PS602"))
        elif d.change == "target" and maker.on("PS603"):
            ind, old = d.new, d.old
            assert ind is not None and old is not None
            if old.target is None or ind.target is None:
                continue
            at = ind.path + ("target",) if "target" in ind.raw else ind.path
            there = earlier.where(old.path + ("target",) if "target" in old.raw else old.path)
            f = maker.make(
                "PS603", later, at,
                f"指标“{ind.name}”的年度指标值 {ind.target} 与{ek.zh} {there} 的 {old.target} 不同："
                "调整目标须有批准文件（adjustments）。",
                f"the target of '{ind.name}' is {ind.target}, the {ek.en} {there} "
                f"says {old.target}; a changed target needs an approved adjustment (adjustments)",
                key_=d.name,
            )
            out.append(_acknowledge_adjusted(f, later, ind.name, "PS603"))
    weights = weights or earlier
    wk = kind_of(weights.kind)
    for d in differences(weights.form, later.form):
        if d.change != "weight" or not maker.on("PS604"):
            continue
        ind, was = d.new, d.old
        assert ind is not None and was is not None
        if was.weight is None or ind.weight is None:
            continue
        f = maker.make(
            "PS604", later, ind.path + ("weight",),
            f"指标“{ind.name}”的分值 {ind.weight} 与{wk.zh} {weights.where(was.path + ('weight',))} 的 {was.weight} 不同："
            "调整分值须有批准文件（adjustments）。",
            f"the weight of '{ind.name}' is {ind.weight}, the {wk.en} {weights.where(was.path + ('weight',))} says {was.weight}; "
            "a changed weight needs an approved adjustment (adjustments)",
            key_=d.name,
        )
        out.append(_acknowledge_adjusted(f, later, ind.name, "PS604"))
    return out


def _of(stage: Stage, documents: dict[str, "Document"], root: str | None) -> list[Stage] | None:
    """The earlier stages the form names in `of:`; None when it names none.

    Only a YAML file inside the repository (the configuration's root, else the form's own
    folder) is read: a form must not make perfspec quote a file from elsewhere.
    """
    of = stage.form.has.get("of")
    names = [of] if isinstance(of, str) else [o for o in of if isinstance(o, str)] if isinstance(of, list) else []
    if not names:
        return None
    from perfspec.check.engine import display_name

    here = os.path.dirname(os.path.abspath(stage.path))
    inside = os.path.realpath(root) if root else os.path.realpath(here)
    out = []
    for name in names:
        path = os.path.join(os.path.dirname(stage.path), name)
        real = os.path.realpath(path)
        if not name.endswith((".yaml", ".yml")) or not (real == inside or real.startswith(inside.rstrip(os.sep) + os.sep)):
            continue
        if os.path.isfile(path):
            found = _load(path, display_name(path), documents)
            if found is not None:
                out.append(found)
    return out


def _previous(stage: Stage, candidates: list[Stage]) -> Stage | None:
    """The stage just before `stage` among the candidates (its kind earlier in ORDER)."""
    rank = ORDER.index(stage.kind)
    earlier = [c for c in candidates if ORDER.index(c.kind) < rank and c.path != stage.path]
    return max(earlier, key=lambda c: ORDER.index(c.kind)) if earlier else None


def _weights(stage: Stage, candidates: list[Stage]) -> Stage | None:
    """The nearest earlier stage that prints weights (分值)."""
    rank = ORDER.index(stage.kind)
    earlier = [c for c in candidates if ORDER.index(c.kind) < rank and c.path != stage.path
               and any(i.weight is not None for i in c.form.indicators)]
    return max(earlier, key=lambda c: ORDER.index(c.kind)) if earlier else None


def _number(q: Any) -> Decimal | None:
    return q.value if q is not None and getattr(q, "kind", None) is not None and q.kind.value == "quantity" else None


def year_over_year(maker: _Maker, stage: Stage, last: Stage, earliest: bool) -> list[Finding]:
    """PS701–PS703 on this year's `stage` against last year's form `last` (a self-evaluation for PS701/PS702)."""
    from perfspec.check.rules._outcome import outcome
    from perfspec.form.kinds import kind_of
    from perfspec.form.quantity import units_agree

    out: list[Finding] = []
    mine, theirs = _by_name(stage.form), _by_name(last.form)
    lk = kind_of(last.kind)
    if earliest and last.kind == "self-evaluation":
        for name, ind in mine.items():
            old = theirs.get(name)
            if old is None or not maker.on("PS701"):
                continue
            now, before = outcome(ind), outcome(old)
            new_v, old_v, actual = _number(now.target), _number(before.target), before.actual_value
            if None in (new_v, old_v, actual) or not units_agree(now.target.unit, before.target.unit):
                continue
            up = before.target.op in (">=", ">", "=")
            if (up and actual > old_v and new_v < old_v) or (not up and actual < old_v and new_v > old_v):
                at = ind.path + ("target",) if "target" in ind.raw else ind.path
                out.append(maker.make(
                    "PS701", stage, at,
                    f"指标“{ind.name}”的年度指标值降为 {ind.target}，而上一年自评表 {last.where(old.path)} 的指标值 {old.target} "
                    f"已超额完成（实际 {old.actual}）：目标应当不低于上年实际水平。",
                    f"the target of '{ind.name}' was lowered to {ind.target}, although last year's self-evaluation "
                    f"{last.where(old.path)} exceeded its target {old.target} (actual {old.actual})",
                    key_=name,
                ))
        for name, old in theirs.items():
            if name in mine or not maker.on("PS702"):
                continue
            if old.weight is None or old.score is None or old.score >= old.weight:
                continue
            out.append(maker.make(
                "PS702", stage, ("indicators",),
                f"上一年自评表 {last.where(old.path)} 的指标“{old.name}”扣了分（得分 {old.score}/分值 {old.weight}），本年不再设置："
                "未完成的指标不应悄悄删去。",
                f"indicator '{old.name}' lost points last year ({old.score} of {old.weight}, {last.where(old.path)}) "
                "and is no longer set this year",
                key_=name, at_key=True,
            ))
    if maker.on("PS703") and last.kind == stage.kind:
        before_notes: dict[str, Path] = {}
        for path, note in notes(last, maker.note_min):
            before_notes.setdefault(note, path)
        for path, note in notes(stage, maker.note_min):
            old_path = before_notes.get(note)
            if old_path is None:
                continue
            out.append(maker.make(
                "PS703", stage, path,
                f"这段偏差原因与上一年{lk.zh} {last.where(old_path)} 一字不差：每年的偏差原因应当说明当年的情况。",
                f"this deviation note is word for word last year's ({lk.en} {last.where(old_path)}); "
                "a deviation note should explain this year",
                key_=note[:40],
            ))
    return out


def notes(stage: Stage, minimum: int) -> list[tuple[Path, str]]:
    """Every deviation note of the form long enough to count (the profile's copied_note_min), normalised,
    with its place."""
    return [(path, note) for path, note in form_notes(stage.form) if len(note) >= minimum]


def findings(
    engine: "Engine",
    checked: list[tuple[str, str]],
    others: Iterable[tuple[str, str]] = (),
    documents: dict[str, "Document"] | None = None,
    digests: "dict[str, Digest] | None" = None,
) -> list[Finding]:
    """PS601–PS604 and PS701–PS704 on the checked forms, compared with every form of the universe.

    `digests` holds what the workers took from the checked forms they loaded (perfspec/check/headers.py);
    a form without one is scanned.
    """
    from perfspec.check.headers import Survey

    survey = Survey(digests)
    maker = _Maker(engine)
    if not any(maker.on(code) for code in CODES):
        return []
    documents = documents or {}
    checked_abs = {os.path.abspath(p) for p, _ in checked}
    universe = list(checked) + [(p, s) for p, s in others if os.path.abspath(p) not in checked_abs]
    # Header scan of every form; the project's forms in full only where a checked form needs them.
    heads: dict[str, list[tuple[str, str, str]]] = {}  # project -> (path, shown, year)
    checked_projects: set[str] = set()
    checked_years: set[str] = set()
    for path, shown in universe:
        entry = survey.entry(path, shown) if path not in documents else None
        if path in documents:
            found = _load(path, shown, documents)
            if found is None:
                continue
            project, year = found.project, str(found.year)
        elif entry is None:
            continue
        else:
            project, year = entry.project, entry.year
        heads.setdefault(project, []).append((path, shown, year))
        if os.path.abspath(path) in checked_abs:
            checked_projects.add(project)
            checked_years.add(year)
    loaded: dict[str, Stage] = {}

    def stage_of(path: str, shown: str) -> Stage | None:
        if path not in loaded:
            found = _load(path, shown, documents)
            if found is None:
                return None
            loaded[path] = found
        return loaded[path]

    out: list[Finding] = []
    for project in checked_projects:
        members = heads.get(project, [])
        if len(members) == 1 and members[0][0] not in documents and not survey.names_others(members[0][0]):
            continue  # alone in its project and naming no earlier form: nothing to compare it with
        stages = [s for s in (stage_of(p, sh) for p, sh, _ in members) if s is not None]
        for stage in stages:
            if os.path.abspath(stage.path) not in checked_abs or stage.project != project:
                continue
            same_year = [s for s in stages if s.year == stage.year and s.project == project]
            named = _of(stage, documents, getattr(engine.options, "root", None))
            pool = named if named is not None else same_year
            earlier = _previous(stage, pool)
            if earlier is not None:
                out += compare(maker, stage, earlier, _weights(stage, pool))
            # Last year: the self-evaluation for targets and dropped indicators, the same kind for notes.
            last_year = [s for s in stages if s.year == stage.year - 1 and s.project == project]
            earliest = min(same_year, key=lambda s: ORDER.index(s.kind)) if same_year else stage
            last_se = next((s for s in last_year if s.kind == "self-evaluation"), None)
            if last_se is not None:
                out += year_over_year(maker, stage, last_se, earliest.path == stage.path)
            last_same = next((s for s in last_year if s.kind == stage.kind), None)
            if last_same is not None and last_same is not last_se:
                out += [f for f in year_over_year(maker, stage, last_same, False) if f.code == "PS703"]
    if maker.on("PS704"):
        out += _boilerplate(maker, heads, checked_abs, checked_years, stage_of, survey)
    return out


def _boilerplate(maker: _Maker, heads: dict[str, list[tuple[str, str, str]]], checked_abs: set[str],
                 checked_years: set[str], stage_of: Any, survey: "Survey") -> list[Finding]:
    """PS704: a note written word for word in forms of other projects the same year."""
    by_note: dict[tuple[str, str], set[tuple[str, str, str]]] = {}  # (year, note) -> {(project, path, shown)}
    for project, members in heads.items():
        for path, shown, year in members:
            if year not in checked_years:
                continue
            found = survey.notes(path, maker.note_min)
            if found is None:
                stage = stage_of(path, shown)
                found = {note for _, note in notes(stage, maker.note_min)} if stage is not None else set()
            for note in found:
                by_note.setdefault((year, note), set()).add((project, path, shown))
    out: list[Finding] = []
    confirm = {
        (path, shown) for members in by_note.values() if len({m[0] for m in members}) > 1 for _, path, shown in members
    }
    places: dict[tuple[int, str], list[tuple[Stage, Path]]] = {}
    for path, shown in sorted(confirm):
        stage = stage_of(path, shown)
        if stage is None:
            continue
        for where, note in notes(stage, maker.note_min):
            places.setdefault((stage.year, note), []).append((stage, where))
    for (year, note), members in places.items():
        if len({s.project for s, _ in members}) < 2:
            continue
        for stage, where in members:
            if os.path.abspath(stage.path) not in checked_abs:
                continue
            rest = [f"{s.where(w)}" for s, w in members if s.project != stage.project]
            # A note pasted into hundreds of forms must not make every finding list all of them
            # (the report would grow with the square of the corpus): the first few, then how many more.
            shown_zh = "、".join(rest[:SHOWN_PLACES]) + (f" 等 {len(rest)} 处" if len(rest) > SHOWN_PLACES else "")
            shown_en = ", ".join(rest[:SHOWN_PLACES]) + (f" and {len(rest) - SHOWN_PLACES} more"
                                                         if len(rest) > SHOWN_PLACES else "")
            out.append(maker.make(
                "PS704", stage, where,
                f"这段偏差原因在 {year} 年其他项目的表中一字不差地出现：{shown_zh}。偏差原因应当说明本项目的情况，而不是套话。",
                f"this deviation note appears word for word in other projects' forms of {year}: {shown_en}; "
                "a deviation note should explain this project, not be boilerplate",
                key_=note[:40],
            ))
    return out
