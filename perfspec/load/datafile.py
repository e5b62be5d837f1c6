"""Data files that `extends:` one another (profiles, layouts): read one, follow its chain safely."""

from __future__ import annotations

import os
from typing import Any, Callable

from perfspec.load._shipped import SHIPPED
from perfspec.load.files import read_spec
from perfspec.load.loader import MAX_BYTES, load_file

MAX_EXTENDS = 16
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _shipped_values(path: str, real: str) -> dict[str, Any] | None:
    """A shipped profile's or layout's values from perfspec/load/_shipped.py, when the file is byte
    for byte the one they were generated from (parsing the two every run reads cost ~3.5 ms)."""
    relative = os.path.relpath(real, os.path.realpath(_PACKAGE)).replace(os.sep, "/")
    known = SHIPPED.get(relative)
    if known is None:
        return None
    text, values = known
    try:
        # Read as load_file reads it, by the path given: a file that is refused is refused there.
        same = read_spec(path, MAX_BYTES) == text.encode("utf-8")
    except Exception:  # noqa: BLE001 - load_file reads it again and says why
        return None
    return values() if same else None


def read_chain(
    name: str,
    locate: Callable[[str, str | None], str],
    base: str | None,
    error: type[Exception],
    merge: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
    relative_to_file: bool = False,
    seen: tuple[str, ...] = (),
) -> tuple[dict[str, Any], str]:
    """The mapping in NAME with its `extends:` parents merged under it, and the file it came from.

    `locate` turns a name into a real path (one spelling per file, so a cycle written ./self.yaml is
    seen as one); a cycle, a chain deeper than MAX_EXTENDS, an unreadable file or one that is not a
    mapping raises `error` with the file and line.
    """
    path = locate(name, base)
    # Cycles are seen by real path (./self.yaml, self.yaml and a link to it are one file); the file is
    # read by the path given, so the safe reader can refuse a link leading out of the repository.
    real = os.path.realpath(path)
    if real in seen:
        raise error(f"{path}: extends 形成了循环（{' → '.join(os.path.basename(p) for p in seen + (real,))}）")
    if len(seen) >= MAX_EXTENDS:
        raise error(f"{path}: extends 层数过多（超过 {MAX_EXTENDS} 层）")
    data = _shipped_values(path, real)
    if data is None:
        result = load_file(path)
        if result.io_error:
            raise error(f"{path}: {result.io_error}")
        if result.findings or not isinstance(result.document and result.document.data, dict):
            where = result.findings[0] if result.findings else None
            detail = f":{where.line}:{where.column}: {where.message}" if where else ": 内容应为映射（键: 值）"
            raise error(f"{path}{detail}")
        assert result.document is not None
        data = dict(result.document.data)
    parent = data.pop("extends", None)
    if parent is None:
        return data, path
    parent_base = os.path.dirname(path) if relative_to_file else base
    merged, _ = read_chain(str(parent), locate, parent_base, error, merge, relative_to_file, seen + (real,))
    return merge(merged, data), path
