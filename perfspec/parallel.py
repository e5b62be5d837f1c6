"""Checking many files on every core, with output identical to a single process.

Workers are forked, so each starts with the parent's imports and engine; files
go out in order-preserving chunks and results come back in the order given,
which keeps the report deterministic. A worker keeps nothing of a file once
its findings are sent back, so memory stays flat however many files there are.
"""

from __future__ import annotations

import os
from typing import Iterator

from perfspec.check import Engine, FileResult

# Below this many files per worker, starting processes costs more than it saves.
MIN_FILES_PER_JOB = 64
CHUNK = 32

_engine: Engine | None = None  # the worker's engine, inherited through fork


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_jobs(files: int) -> int:
    return max(1, min(available_cpus(), files // MIN_FILES_PER_JOB))


def _check(item: tuple[str, str]) -> FileResult:
    assert _engine is not None
    result = _engine.check_file(*item)
    result.document = None  # findings only: documents stay in the worker and are freed
    return result


def check_files(engine: Engine, files: list[tuple[str, str]], jobs: int = 0) -> Iterator[FileResult]:
    """FileResults for (path, display name) pairs, in the order given."""
    global _engine
    jobs = jobs if jobs > 0 else default_jobs(len(files))
    jobs = min(jobs, max(1, len(files)))
    if jobs > 1:
        import multiprocessing  # only here: importing it costs a one-form run ~10 ms

        if "fork" not in multiprocessing.get_all_start_methods():
            jobs = 1
    if jobs == 1:
        for path, shown in files:
            result = engine.check_file(path, shown)
            result.document = None
            yield result
        return
    _engine = engine
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        yield from pool.imap(_check, files, chunksize=CHUNK)
    _engine = None
