"""Work on many files on every core, with output identical to a single process.

Workers are forked, so each starts with the parent's imports, engine and
templates; items go out in order-preserving chunks and results come back in
the order given, which keeps every report deterministic. A worker keeps
nothing of a file once its result is sent back, so memory stays flat however
many files there are.
"""

from __future__ import annotations

import gc
import os
from typing import Callable, Iterator, Sequence, TypeVar

from perfspec.check.engine import Engine, FileResult
from perfspec.check.headers import digest

T = TypeVar("T")
R = TypeVar("R")

# Below this many files per worker, starting processes costs more than it saves.
MIN_FILES_PER_JOB = 20
CHUNK = 32

_task: Callable[[object], object] | None = None  # the work, inherited by forked workers


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_jobs(items: int) -> int:
    return max(1, min(available_cpus(), items // MIN_FILES_PER_JOB))


# The cyclic collector is paused while forms are checked and run every COLLECT_EVERY forms instead:
# a form's values, model and findings are freed by reference counting (2,000 forms leave ~400
# objects in cycles), and the collector's passes over the young objects cost ~15 % of a check.
COLLECT_EVERY = 1000
_done = 0


def _collect_now_and_then() -> None:
    global _done
    _done += 1
    if _done % COLLECT_EVERY == 0:
        gc.collect()
        # What survives (the results kept for the report, the parse caches) is not garbage now and
        # will not be: frozen, the next collections pass over the new objects only instead of
        # every form's results so far (~45 ms each at 10,000 forms). ordered_map unfreezes it.
        gc.freeze()


def _run(item: object) -> object:
    assert _task is not None
    _collect_now_and_then()
    return _task(item)


def ordered_map(task: Callable[[T], R], items: Sequence[T], jobs: int = 0) -> Iterator[R]:
    """`task(item)` for every item, in the order given, on `jobs` forked processes (0: automatic).

    `task` may be a closure: workers inherit it through fork rather than pickling it.
    Results are pickled back, so they must be plain data.
    """
    global _task
    jobs = jobs if jobs > 0 else default_jobs(len(items))
    jobs = min(jobs, max(1, len(items)))
    if jobs > 1:
        import multiprocessing  # only here: importing it costs a one-form run ~10 ms

        if "fork" not in multiprocessing.get_all_start_methods():
            jobs = 1
    if jobs == 1:
        was = gc.isenabled()
        gc.disable()
        try:
            for item in items:
                _collect_now_and_then()
                yield task(item)
        finally:
            gc.unfreeze()
            if was:
                gc.enable()
        return
    _task = task  # type: ignore[assignment]
    # Objects that exist before the fork are left out of the workers' collections: otherwise
    # each worker's collector touches them all and copies the parent's pages, one by one.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=gc.disable) as pool:
            yield from pool.imap(_run, items, chunksize=chunk_size(len(items), jobs))  # type: ignore[misc]
    finally:
        _task = None
        gc.unfreeze()


def chunk_size(items: int, jobs: int) -> int:
    """Large enough to keep messages few, small enough that no worker is left with a long tail."""
    return max(1, min(CHUNK, items // (jobs * 4)))


def check_files(engine: Engine, files: list[tuple[str, str]], jobs: int = 0) -> Iterator[FileResult]:
    """FileResults (findings and digests) for (path, display name) pairs, in the order given."""

    def check(item: tuple[str, str]) -> FileResult:
        result = engine.check_file(*item)
        if result.document is not None:
            # The checks across forms run in the parent after every form: what they need of this
            # form is taken now, while it is loaded, instead of the parent reading it again.
            result.digest = digest(*item, result.document, result.form)
        result.document = result.form = None  # documents stay in the worker and are freed
        return result

    return ordered_map(check, files, jobs)
