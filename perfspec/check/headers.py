"""A form's year, project and kind, read cheaply: what PS015 and the stage checks link forms by.

Also the other things the checks across forms look for in every form before loading any in
full: whether it names earlier forms (`of:`) and its deviation notes. A checked form gives
them exactly, as a `Digest` taken in the worker that loaded it for its own checks; any other
form (one under the configuration's paths that was not checked) is scanned by lines, which
only proposes: the forms proposed are loaded and compared on their values.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from perfspec.diagnostics import Path
    from perfspec.form.model import Form
    from perfspec.load.loader import Document

_KEYS = ("year", "project", "kind")


class Entry(NamedTuple):
    path: str  # as opened
    shown: str  # as reported
    year: str
    kind: str
    project: str  # normalised: NFKC, no whitespace


def normalise(project: str) -> str:
    # str.split() splits on exactly what re's \s matches in text (every code point checked), faster.
    return "".join(unicodedata.normalize("NFKC", project).split())


def note_key(value: Any) -> str:
    """A deviation note as notes are compared: NFKC, no whitespace, no closing full stop."""
    return normalise(value).rstrip("。.；;") if isinstance(value, str) else ""


class Digest(NamedTuple):
    """What the checks across forms need of one loaded form."""

    entry: Entry | None  # None: the form shows no year and project
    names_others: bool  # a top-level `of:`
    notes: frozenset[str]  # every deviation note (form_notes), as note_key gives it


def digest(path: str, shown: str, document: "Document", form: "Form | None" = None) -> Digest:
    """What the checks across forms need of a loaded form; `form`: its model, when already built."""
    exact = exact_entry(path, shown, document)
    data = document.data
    if form is None:
        from perfspec.form.model import build

        form = build(data)
    return Digest(exact[0] if exact else None, isinstance(data, dict) and "of" in data, frozenset(note for _, note in form_notes(form)))


def form_notes(form: "Form") -> list[tuple[Path, str]]:
    """Every deviation note of a form (the funds' and each indicator's), normalised, with its place."""
    found: list[tuple[Path, str]] = []
    if form.funds is not None and form.funds.deviation:
        found.append((("funds", "deviation"), note_key(form.funds.deviation)))
    for ind in form.indicators:
        if ind.deviation:
            found.append((ind.path + ("deviation",), note_key(ind.deviation)))
    return found


class Survey:
    """Each form's header, `of:` and notes: from its digest when there is one, else by a scan."""

    def __init__(self, digests: "dict[str, Digest] | None" = None) -> None:
        self.digests = digests or {}

    def entry(self, path: str, shown: str) -> Entry | None:
        found = self.digests.get(path)
        return found.entry if found is not None else quick_entry(path, shown)

    def names_others(self, path: str) -> bool:
        found = self.digests.get(path)
        return found.names_others if found is not None else _may_name_others(path)

    def notes(self, path: str, minimum: int) -> set[str] | None:
        """The form's notes of at least `minimum` characters; None when they must be loaded to be known."""
        found = self.digests.get(path)
        if found is not None:
            return {note for note in found.notes if len(note) >= minimum}
        return _scan_notes(path, minimum)


def _top_value(text: str, key: str) -> str | None:
    """The value of a top-level key in block style (`\nkey: value`), by string search (regular
    expressions over every line cost a form ~0.1 ms, which ten thousand forms notice)."""
    needle = "\n" + key
    at = text.find(needle)
    while at >= 0:
        end = text.find("\n", at + 1)
        line = text[at + len(needle) : end if end >= 0 else len(text)]
        rest = line.lstrip(" \t")
        if rest.startswith(":"):
            return _scalar(rest[1:])
        at = text.find(needle, at + 1)
    return None


def _scalar(raw: str) -> str:
    """A top-level scalar as a line shows it: quotes taken off, an end-of-line comment dropped."""
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = raw.find(quote, 1)
        return raw[1:end] if end > 0 else raw[1:]
    return re.split(r"\s#", raw, maxsplit=1)[0].strip()


_HEAD = 4096  # the header keys come first in a form; the rest is read only when they are not there


def _read(path: str, limit: int) -> bytes | None:
    """Up to `limit` bytes of a regular file, never blocking on a FIFO or device.

    A link is read through perfspec's safe reader (perfspec/load/files.py: it must not
    lead out of the repository); a plain file is opened without following links.
    """
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        mode = os.lstat(path).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            return None  # a FIFO, device or socket is never opened
        fd = os.open(path, flags)
    except OSError:
        from perfspec.load.files import TooLarge, read_spec
        from perfspec.load.loader import MAX_BYTES

        try:
            return read_spec(path, MAX_BYTES)[:limit]
        except (OSError, TooLarge):
            return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, left = [], limit
        while left > 0:
            chunk = os.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def quick_entry(path: str, shown: str) -> Entry | None:
    """The header of a form by a line scan, or None when it does not show one."""
    from perfspec.load.loader import MAX_BYTES

    found: dict[str, str] = {}
    for limit in (_HEAD, MAX_BYTES):
        data = _read(path, limit)
        if data is None:
            return None
        text = "\n" + data.decode("utf-8", "replace").lstrip("\ufeff").replace("\r", "\n")
        for key in _KEYS:
            if key not in found:
                value = _top_value(text, key)
                if value is not None:
                    found[key] = value
        if (found.get("year") and found.get("project")) or len(data) < limit:
            break
    if not found.get("year") or not found.get("project"):
        return None
    return Entry(path, shown, found["year"], found.get("kind") or "self-evaluation", normalise(found["project"]))


def exact_entry(path: str, shown: str, document: "Document | None" = None) -> tuple[Entry, "Document"] | None:
    """The header of a form as perfspec loads it, with the document (for positions and acknowledgements)."""
    if document is None:
        from perfspec.load.loader import load_file

        loaded = load_file(path, shown)
        document = loaded.document
        if document is None:
            return None
    data = document.data
    if not isinstance(data, dict):
        return None
    year, project, kind = data.get("year"), data.get("project"), data.get("kind", "self-evaluation")
    if isinstance(year, bool) or not isinstance(year, int) or not isinstance(project, str) or not project.strip():
        return None
    return Entry(path, shown, str(year), kind if isinstance(kind, str) else "self-evaluation", normalise(project)), document


# Patterns of the line scans, as text: a checked form gives a digest, so a run scans only other forms
# (re compiles and caches a pattern when it is first used).
_DEVIATION_LINE = r"deviation\s*:\s*(.+)"


def _scan_notes(path: str, minimum: int) -> set[str] | None:
    """Deviation notes by a line scan (a proposal only: loaded values confirm), or None when a note
    does not end on its line (a block scalar `|` or `>`, an unclosed quote): then only loading tells."""
    from perfspec.load.loader import MAX_BYTES

    data = _read(path, MAX_BYTES)
    if data is None:
        return set()
    text = data.decode("utf-8", "replace")
    found = set()
    for m in re.finditer(_DEVIATION_LINE, text):
        raw = m.group(1).strip()
        if raw[:1] in ("|", ">") or (raw[:1] in ("'", '"') and raw.rstrip("}, ").count(raw[0]) < 2):
            return None
        value = note_key(raw.rstrip("}").strip().strip("'\""))
        if len(value) >= minimum:
            found.add(value)
    return found


_OF = rb"(?<![A-Za-z0-9_])of(?![A-Za-z0-9_])"


def _may_name_others(path: str) -> bool:
    """Whether the form could hold an `of:` key: the word `of` anywhere in it (a proposal only).

    A project with a single form is compared with nothing unless it names earlier forms;
    loading each such form a second time only to learn that doubled the time of `check`.
    """
    from perfspec.load.loader import MAX_BYTES

    data = _read(path, MAX_BYTES)
    # A backslash may be a double-quoted escape spelling `of` ("o\x66"): load then too.
    return data is None or re.search(_OF, data) is not None or b"\\" in data
