"""Import accuracy on real published texts: each raw text is imported and compared, cell by cell,
with its hand transcription.

    PYTHONPATH=$PWD python benchmarks/import_accuracy.py [-v] [RAW_DIR]

For every ``raw/<id>.txt`` with a truth spec (``rewritten/<id>.yaml`` when it exists, else
``specs/<id>.yaml``, both loaded with perfspec's own loader) the table says how many cells are
right, wrong but flagged (a ``# review:`` note on the cell or on a non-empty prefix of its path),
wrong and unflagged, out of how many; then the totals with percentages. ``-v`` lists every wrong
cell. :func:`measure` is what tests call.

Cells: the header scalars (year, project, department, implementer, kind, and any other top-level
scalar but ``layout``), every leaf of funds, goals, total and grade (and of any other top-level
mapping a layout adds), and every key of every indicator row, its 一级 and 二级 names included.
Rows are aligned by difflib on their normalised names, so one missed row does not shift the rest.
Values are equal after NFKC with all whitespace removed, numbers by Decimal value (100 == 100.00);
a rate (a path ending in `rate`) written "100%" equals the number 100, as perfspec's model reads it.
A blank cell (null) and an absent one are the same thing: transcriptions omit blank keys
(a form without a 评分等级 row has no ``grade:``). A cell only one side has is wrong.
A form whose import fails counts all its truth cells as wrong and unflagged (a crash is named).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import traceback
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "tests", "data", "real-forms")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?\Z")
NOT_CELLS = ("layout",)  # top-level keys that name the form's version, not a cell of it


@dataclass
class Wrong:
    path: str
    truth: Any
    got: Any
    flagged: bool


@dataclass
class Result:
    form: str
    right: int = 0
    flagged: int = 0
    unflagged: int = 0
    status: str = ""  # "" imported; else why not ("crash: …", "refused: …", "skipped: …")
    wrong: list = field(default_factory=list)  # list[Wrong]

    @property
    def total(self) -> int:
        return self.right + self.flagged + self.unflagged


# --------------------------------------------------------------------------- cells


def norm(value: Any) -> Any:
    """The compared form of a cell: None, a Decimal, or text (NFKC, no whitespace)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    text = _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))
    if not text:
        return None
    if _NUMBER.match(text):
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover
            pass
    return text


def _percent(value: Any) -> Decimal | None:
    """A 执行率 cell's number: a spec may write the rate 100 or "100%" (perfspec's model reads both as 100 %)."""
    value = norm(value)
    if isinstance(value, str) and value.endswith("%") and _NUMBER.match(value[:-1]):
        return Decimal(value[:-1])
    return value if isinstance(value, Decimal) else None


def _leaves(value: Any, path: tuple, out: dict) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _leaves(sub, path + (key,), out)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            _leaves(sub, path + (index,), out)
    else:
        out[path] = value


def _without_points(name: Any) -> Any:
    """产出指标(60分) and 产出指标 name the same 一级: transcriptions differ on keeping the caption's points."""
    return _POINTS_AFTER.sub("", name) if isinstance(name, str) else name


_POINTS_AFTER = re.compile(r"[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]$")


def _rows(indicators: Any) -> list[tuple[tuple, dict]]:
    """(path of the row, its cells keyed by relative path) for every indicator row, in form order."""
    rows: list[tuple[tuple, dict]] = []
    if not isinstance(indicators, dict):
        return rows
    for level1, level2s in indicators.items():
        if not isinstance(level2s, dict):
            continue
        for level2, items in level2s.items():
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                cells: dict = {("level1",): _without_points(level1), ("level2",): _without_points(level2)}
                if isinstance(item, dict):
                    for key, sub in item.items():
                        _leaves(sub, (key,), cells)
                rows.append((("indicators", level1, level2, index), cells))
    return rows


def cells(data: dict) -> tuple[dict, list]:
    """(path → value of every cell but the indicator rows, the indicator rows)."""
    flat: dict = {}
    for key, value in (data or {}).items():
        if key in NOT_CELLS or key == "indicators":
            continue
        _leaves(value, (key,), flat)
    return flat, _rows((data or {}).get("indicators"))


def _row_key(cells_: dict) -> str:
    return str(norm(cells_.get(("name",))) or "")


# --------------------------------------------------------------------------- comparison


def _covered(path: tuple, notes: list[tuple]) -> bool:
    return any(note and tuple(path[: len(note)]) == tuple(note) for note in notes)


def compare(truth: dict, got: dict, notes: list[tuple], form: str = "") -> Result:
    """Cell-by-cell comparison of an imported form (`got`, FormData.to_data()) with the truth."""
    from perfspec.diagnostics import format_path

    result = Result(form)

    def judge(truth_path: tuple, got_path: tuple | None, a: Any, b: Any) -> None:
        if norm(a) == norm(b) or truth_path[-1:] == ("rate",) and _percent(a) == _percent(b) is not None:
            result.right += 1
            return
        flagged = _covered(truth_path, notes) or (got_path is not None and _covered(got_path, notes))
        if flagged:
            result.flagged += 1
        else:
            result.unflagged += 1
        result.wrong.append(Wrong(format_path(got_path or truth_path), a, b, flagged))

    truth_flat, truth_rows = cells(truth)
    got_flat, got_rows = cells(got)
    for path in list(truth_flat) + [p for p in got_flat if p not in truth_flat]:
        a, b = truth_flat.get(path), got_flat.get(path)
        if a is None and b is None:
            if path in truth_flat:
                result.right += 1  # a blank cell read as blank
            continue
        judge(path, path, a, b)

    matcher = difflib.SequenceMatcher(
        None, [_row_key(c) for _, c in truth_rows], [_row_key(c) for _, c in got_rows], autojunk=False
    )
    pairs: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or tag == "replace":
            span = max(i2 - i1, j2 - j1)
            for k in range(span):
                pairs.append((i1 + k if i1 + k < i2 else None, j1 + k if j1 + k < j2 else None))
        elif tag == "delete":
            pairs += [(i, None) for i in range(i1, i2)]
        else:
            pairs += [(None, j) for j in range(j1, j2)]
    for i, j in pairs:
        t_path, t_cells = truth_rows[i] if i is not None else (None, {})
        g_path, g_cells = got_rows[j] if j is not None else (None, {})
        keys = list(t_cells) + [k for k in g_cells if k not in t_cells]
        for key in keys:
            a, b = t_cells.get(key), g_cells.get(key)
            if a is None and b is None:
                if key in t_cells:
                    result.right += 1
                continue
            judge((t_path or g_path) + key, (g_path + key) if g_path else None, a, b)
    return result


# --------------------------------------------------------------------------- forms


def truth_file(ident: str, root: str = REAL) -> str | None:
    for folder in ("rewritten", "specs"):
        path = os.path.join(root, folder, ident + ".yaml")
        if os.path.exists(path):
            return path
    return None


def _load(path: str) -> dict:
    from perfspec.load.loader import load_file

    loaded = load_file(path)
    if loaded.document is None:
        raise RuntimeError(f"{path}: truth does not load: {loaded.findings[0].message if loaded.findings else '?'}")
    return loaded.document.data


def _import(path: str) -> list:
    """The forms `perfspec import` would write: each is also rendered as the command renders it (the writer
    checks that its YAML loads back to the values read), so a crash of the writer is a crash here too."""
    from perfspec.importers import text
    from perfspec.importers.write import render

    forms = text.read(path)
    for form in forms:
        render(form)
    return forms


def _failed(truth: dict, ident: str) -> Result:
    """Nothing imported: every truth cell (blank ones too) is wrong and unflagged."""
    from perfspec.diagnostics import format_path

    result = Result(ident)
    flat, rows = cells(truth)
    every = list(flat.items()) + [(path + key, value) for path, row in rows for key, value in row.items()]
    for path, value in every:
        result.unflagged += 1
        result.wrong.append(Wrong(format_path(path), value, None, False))
    return result


def measure_one(raw: str, truth_path: str) -> Result:
    ident = os.path.splitext(os.path.basename(raw))[0]
    truth = _load(truth_path)
    try:
        forms = _import(raw)
    except Exception as exc:  # noqa: BLE001 - a failed import is measured, not raised
        from perfspec.importers import NotAForm

        result = _failed(truth, ident)
        if isinstance(exc, NotAForm):
            result.status = f"refused: {exc}"
        else:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            result.status = f"crash: {type(exc).__name__}: {exc} ({os.path.basename(last.filename)}:{last.lineno})"
        return result
    if not forms:
        result = _failed(truth, ident)
        result.status = "refused: no form"
        return result
    # The form the transcription is of: the one whose project matches, else the first.
    chosen = next((f for f in forms if norm(f.project) and norm(f.project) == norm(truth.get("project"))), forms[0])
    return compare(truth, chosen.to_data(), [tuple(r.path) for r in chosen.reviews], ident)


def measure(root: str = REAL) -> tuple[list[Result], list[str]]:
    """Results for every raw text with a truth spec, and notes on the ones skipped."""
    results: list[Result] = []
    skipped: list[str] = []
    raw_dir = os.path.join(root, "raw")
    for name in sorted(os.listdir(raw_dir)):
        if not name.endswith(".txt"):
            continue
        ident = name[:-4]
        truth = truth_file(ident, root)
        if truth is None:
            skipped.append(f"{ident}: no transcription yet (specs/ or rewritten/)")
            continue
        results.append(measure_one(os.path.join(raw_dir, name), truth))
    return results, skipped


def totals(results: list[Result]) -> Result:
    out = Result("total")
    for r in results:
        out.right += r.right
        out.flagged += r.flagged
        out.unflagged += r.unflagged
    return out


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def table(results: list[Result], skipped: list[str], verbose: bool = False) -> str:
    lines = [f"{'form':<48} {'right':>6} {'flagged':>8} {'unflagged':>10} {'total':>6}  status"]
    for r in results:
        lines.append(f"{r.form:<48} {r.right:>6} {r.flagged:>8} {r.unflagged:>10} {r.total:>6}  {r.status}")
        if verbose:
            for w in r.wrong:
                mark = "flagged  " if w.flagged else "UNFLAGGED"
                lines.append(f"    {mark} {w.path}: truth {w.truth!r} ≠ import {w.got!r}")
    t = totals(results)
    lines.append(f"{'total':<48} {t.right:>6} {t.flagged:>8} {t.unflagged:>10} {t.total:>6}")
    lines.append(
        f"{'':<48} {_pct(t.right, t.total):>6} {_pct(t.flagged, t.total):>8} {_pct(t.unflagged, t.total):>10}"
        f"  right or flagged {_pct(t.right + t.flagged, t.total)}"
    )
    crashes = [r.form for r in results if r.status.startswith("crash")]
    lines.append(f"crashes: {len(crashes)}{' (' + ', '.join(crashes) + ')' if crashes else ''}")
    for note in skipped:
        lines.append(f"skipped {note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", default=REAL, help="folder with raw/, specs/ (and rewritten/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong cell")
    args = parser.parse_args(argv)
    results, skipped = measure(args.root)
    print(table(results, skipped, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
