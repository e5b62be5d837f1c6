"""Matching perfspec findings to the real defects of tests/data/real-forms/truth.yaml.

The same semantics as the project's real-forms scorer (shared/tools/score_real_forms.py, which is not part of
this repository and not guaranteed in CI), re-implemented for the tests:

- a finding matches a defect when its path equals the defect's path (or one of its `also` paths), or one is a
  prefix of the other at a segment boundary ("." or "[") at most MAX_PREFIX_DEPTH segments apart; the whole
  document ("") matches only itself;
- and its rule code range fits the defect's class (PS0 structure, PS1 arithmetic, PS2 deviation, PS3 target,
  PS4 advice, PS5 policy; PS9 fits none); a "blank" defect takes any class; an "arithmetic" defect also takes a
  PS0 finding at exactly its path;
- a finding that matches no defect is false, unless the copy is cut and it lies past `cut_after`, at or under a
  `cut_also` path, or is one of the `cut_artefacts` allowed at its path;
- an error-level PS0 finding on the whole document rejects the form: all its defects are missed and it counts
  one false finding at both levels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_PREFIX_DEPTH = 1
SEVERITIES = ("error", "warning")
CLASS_OF_RANGE = {"0": "structure", "1": "arithmetic", "2": "deviation", "3": "target",
                  "4": "advice", "5": "policy", "9": "acknowledgement"}
CLASSES = {"arithmetic", "deviation", "target", "advice", "policy", "structure", "blank"}

# Key order of the format where a key may be missing from a document (document order elsewhere).
ORDER_TOP = ["year", "project", "department", "implementer", "funds", "goals", "indicators", "total", "grade",
             "acknowledge"]
ORDER_FUNDS = ["unit", "weight", "total", "appropriation", "carryover", "other", "rate", "score", "acknowledge"]
ORDER_FUNDS_ROW = ["initial", "annual", "executed"]
ORDER_GOALS = ["expected", "achieved"]
ORDER_TOTAL = ["weight", "score", "acknowledge"]
ORDER_ROW = ["name", "target", "actual", "weight", "score", "deviation", "acknowledge"]


class SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader; a lone "=" (YAML 1.1's `value` type) is the text "="."""


SpecLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def load_spec(path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SpecLoader)


# ---------------------------------------------------------------- paths


def seg_prefix(a: str, b: str) -> bool:
    """A is B or an ancestor of B, at a segment boundary ("" is the root, an ancestor of everything)."""
    if a == b or a == "":
        return True
    return b.startswith(a) and b[len(a)] in ".["


def split_path(doc: Any, path: str) -> tuple[list, int]:
    """Segments of a printed path, walking DOC so that mapping keys holding '.' or '[' (产出指标(50分), 指标1.2)
    still split right. Returns the segments and how many of them exist in DOC."""
    segs: list = []
    node, rest, found, alive = doc, path, 0, True
    while rest:
        if rest.startswith("["):
            end = rest.find("]")
            if end < 0:
                segs.append(rest)
                break
            try:
                idx: Any = int(rest[1:end])
            except ValueError:
                idx = rest[1:end]
            segs.append(idx)
            rest = rest[end + 1:]
            if alive and isinstance(node, list) and isinstance(idx, int) and 0 <= idx < len(node):
                node = node[idx]
                found += 1
            else:
                alive = False
            continue
        if rest.startswith("."):
            rest = rest[1:]
            continue
        key = None
        if alive and isinstance(node, dict):
            for k in sorted((str(k) for k in node), key=len, reverse=True):
                if rest.startswith(k) and (len(rest) == len(k) or rest[len(k)] in ".["):
                    key = k
                    break
        if key is None:
            cut = min([i for i in (rest.find("."), rest.find("[")) if i >= 0] or [len(rest)])
            key, alive = rest[:cut], False
        else:
            node = {str(k): v for k, v in node.items()}[key]
            found += 1
        segs.append(key)
        rest = rest[len(key):]
    return segs, found


def path_exists_or_child(doc: Any, path: str) -> bool:
    """PATH is in DOC, or is a missing key of a mapping that is (total.score of a `total` without score)."""
    if path == "":
        return True
    segs, found = split_path(doc, path)
    return found >= len(segs) - 1


def position(doc: Any, path: str) -> list:
    """A sort key for PATH in document order: the format's key order where a key may be missing, the
    document's own order for indicator groups and rows."""
    segs, _ = split_path(doc, path)
    key: list = []
    node, ctx = doc, []
    for seg in segs:
        if isinstance(seg, int):
            key.append(seg)
            node = node[seg] if isinstance(node, list) and 0 <= seg < len(node) else None
            ctx.append("#")
            continue
        order = None
        if not ctx:
            order = ORDER_TOP
        elif ctx == ["funds"]:
            order = ORDER_FUNDS
        elif len(ctx) == 2 and ctx[0] == "funds":
            order = ORDER_FUNDS_ROW
        elif ctx == ["goals"]:
            order = ORDER_GOALS
        elif ctx == ["total"]:
            order = ORDER_TOTAL
        elif len(ctx) == 4 and ctx[0] == "indicators":
            order = ORDER_ROW
        keys = [str(k) for k in node] if isinstance(node, dict) else []
        if order is not None:
            key.append(order.index(seg) if seg in order else len(order) + (keys.index(seg) if seg in keys else 99))
        else:
            key.append(keys.index(seg) if seg in keys else len(keys))
        node = {str(k): v for k, v in node.items()}.get(seg) if isinstance(node, dict) else None
        ctx.append(seg)
    return key


def past_cut(doc: Any, path: str, cut_after: str | None) -> bool:
    """PATH lies after CUT_AFTER in document order (neither inside it nor one of its ancestors)."""
    if cut_after is None or seg_prefix(path, cut_after) or seg_prefix(cut_after, path):
        return False
    return position(doc, path) > position(doc, cut_after)


# ---------------------------------------------------------------- matching


def finding_class(code: Any) -> str:
    code = str(code or "")
    return CLASS_OF_RANGE.get(code[2:3], "other") if code.startswith("PS") and len(code) >= 3 else "other"


def depth_between(short: str, long: str) -> int:
    """How many segments LONG has below its ancestor SHORT."""
    return len(re.findall(r"\.[^.\[]+|\[[^\]]*\]", long[len(short):]))


def near(a: str, b: str) -> bool:
    if a == b:
        return True
    if a == "" or b == "":
        return False
    if seg_prefix(a, b):
        return depth_between(a, b) <= MAX_PREFIX_DEPTH
    if seg_prefix(b, a):
        return depth_between(b, a) <= MAX_PREFIX_DEPTH
    return False


def matches(finding: "Finding", defect: dict) -> bool:
    for p in [defect["path"]] + [str(a) for a in defect.get("also") or []]:
        if not near(finding.path, p):
            continue
        if defect["class"] in ("blank", finding.cls):
            return True
        if defect["class"] == "arithmetic" and finding.cls == "structure" and finding.path == p:
            return True
    return False


@dataclass
class Finding:
    code: str
    severity: str
    path: str
    message: str
    hits: list[int] = field(default_factory=list)  # indices of the defects it matches
    exempt: bool = False  # past the cut of a cut-off copy

    @property
    def cls(self) -> str:
        return finding_class(self.code)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.severity, self.path)

    def __str__(self) -> str:
        return f"{self.code} {self.severity} {self.path or '(document)'}: {self.message[:100]}"


@dataclass
class Score:
    """One form's findings matched to its truth entry."""

    defects: list[dict]
    findings: list[Finding]  # errors and warnings only (infos are not findings)
    rejected: Finding | None = None

    @property
    def counted(self) -> list[Finding]:
        return [f for f in self.findings if not f.exempt]

    def found_by(self, index: int, severities=SEVERITIES) -> list[Finding]:
        return [f for f in self.findings if index in f.hits and f.severity in severities]

    def missed(self) -> list[dict]:
        """Defects no error or warning finding matches, and error defects no error finding matches."""
        if self.rejected:
            return list(self.defects)
        return [d for i, d in enumerate(self.defects)
                if not self.found_by(i) or (d["severity"] == "error" and not self.found_by(i, ("error",)))]

    def false(self) -> list[Finding]:
        """Counted findings that match no defect, and error findings that match only warning-level defects."""
        if self.rejected:
            return [self.rejected]
        out = [f for f in self.counted if not f.hits]
        out += [f for f in self.counted if f.severity == "error" and f.hits
                and not any(self.defects[i]["severity"] == "error" for i in f.hits)]
        return out

    def counts(self) -> dict[str, list[int]]:
        """{'err': [found, defects, matching, findings], 'all': [...]}: the scorer's four numbers per level."""
        err_def = [d for d in self.defects if d["severity"] == "error"]
        if self.rejected:
            return {"err": [0, len(err_def), 0, 1], "all": [0, len(self.defects), 0, 1]}
        found_all = {i for f in self.findings for i in f.hits}
        found_err = {i for f in self.findings if f.severity == "error" for i in f.hits
                     if self.defects[i]["severity"] == "error"}
        err_f = [f for f in self.counted if f.severity == "error"]
        err_match = [f for f in err_f if any(self.defects[i]["severity"] == "error" for i in f.hits)]
        all_match = [f for f in self.counted if f.hits]
        return {"err": [len(found_err), len(err_def), len(err_match), len(err_f)],
                "all": [len(found_all), len(self.defects), len(all_match), len(self.counted)]}


def score_form(report_findings: list[dict], entry: dict, doc: Any) -> Score:
    defects = [dict(d, path="" if d.get("path") is None else str(d["path"])) for d in entry.get("defects") or []]
    fs = [Finding(str(f.get("code")), f["severity"], str(f.get("path") or ""), f.get("message", ""))
          for f in report_findings if f.get("severity") in SEVERITIES]
    rejected = next((f for f in fs if f.severity == "error" and f.cls == "structure" and f.path == ""), None)
    score = Score(defects, fs, rejected)
    if rejected:
        return score
    cut_after = entry.get("cut_after")
    cut_also = [str(p) for p in entry.get("cut_also") or []]
    artefacts = [{"path": str(a["path"]), "class": a.get("class"), "left": int(a.get("max", 1))}
                 for a in entry.get("cut_artefacts") or []]
    for f in fs:
        f.hits = [i for i, d in enumerate(defects) if matches(f, d)]
        if f.hits:
            continue
        if past_cut(doc, f.path, cut_after) or any(seg_prefix(c, f.path) for c in cut_also):
            f.exempt = True
            continue
        for a in artefacts:
            if a["left"] > 0 and a["path"] == f.path and a["class"] in (None, "any", f.cls):
                a["left"] -= 1
                f.exempt = True
                break
    return score


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def validate_entry(entry: dict, doc: Any) -> list[str]:
    """Problems with one truth entry against its spec (classes, severities, paths that are not in the spec)."""
    out = []
    for n, d in enumerate(entry.get("defects") or []):
        if d.get("class") not in CLASSES:
            out.append(f"defect {n}: class {d.get('class')!r}")
        if d.get("severity") not in SEVERITIES:
            out.append(f"defect {n}: severity {d.get('severity')!r}")
        if d.get("judgement") and d.get("severity") != "warning":
            out.append(f"defect {n}: a judgement call must be a warning")
        for p in [d.get("path")] + list(d.get("also") or []):
            if p is None or not path_exists_or_child(doc, str(p)):
                out.append(f"defect {n}: path {p!r} is not in the spec")
    cut = [entry.get("cut_after")] + list(entry.get("cut_also") or []) + \
        [a.get("path") for a in entry.get("cut_artefacts") or []]
    for p in cut:
        if p is not None and not path_exists_or_child(doc, str(p)):
            out.append(f"cut path {p!r} is not in the spec")
    return out
