"""Parsing in a pool of processes: every core busy, one pathological file never stalls or kills the batch.

Parsing is CPU-bound Python (pdfminer's layout analysis, the table walker), so threads would not help;
processes do.  The pool is pebble's: a task that runs past its time limit has its worker killed and
replaced (``concurrent.futures`` cannot stop a running task), and a worker that dies (out of memory,
a crash in a C library) fails that one document, not the batch.  Each worker's heap is capped
(``RLIMIT_DATA``) so a runaway file ends in ``MemoryError`` in its own process, not in the machine's
OOM killer.  Results come back in input order: the build is the same on 1 core or 64.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import resource
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from parsers.model import ParseResult, ReportMeta

if TYPE_CHECKING:
    from .output import Progress

DEFAULT_TIMEOUT = 300.0  # seconds for one document; the slowest real PDFs take a few seconds
DEFAULT_MEMORY_MB = 4096  # per worker; a report never needs more than a few hundred MB
MAX_TASKS = 1000  # documents per worker before it is replaced (whatever a reader leaks is given back)


def default_workers() -> int:
    """One worker per core this process may use (cgroup/affinity aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def parse_one(path: str, cache: str | None, url: str | None = None, images: tuple[tuple[str, str], ...] = ()) -> ParseResult:
    """One document (through the cache when there is one), with the pictures its page shows (``images``:
    (url, archive path), see :mod:`pipelines.pictures`); a MemoryError becomes the document's error."""
    from parsers.media import parse_path

    from .parse_cache import parse_cached
    from .pictures import Pictures

    pictures = Pictures(url, images) if images else None
    try:
        return parse_path(path, pictures) if cache is None else parse_cached(Path(path), Path(cache), pictures)[0]
    except MemoryError:
        return failed(path, "cannot read: the document needs more memory than a parser may use")


def failed(path: str, why: str) -> ParseResult:
    """The result for a document whose parse did not finish (its SHA-256 kept, so it is still a row)."""
    try:
        sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        sha = None
    return ParseResult(path, ReportMeta(source_path=path, sha256=sha), errors=[why])


def parse_many(
    paths: Sequence[str | Path], cache: Path | None = None, *, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB, progress: Progress | None = None,
) -> list[ParseResult]:
    """Parse every document, in input order.  ``workers=1`` parses in this process (no time limit)."""
    return list(iter_parse(paths, cache, workers=workers, timeout=timeout, memory_mb=memory_mb, progress=progress))


def iter_parse(
    paths: Sequence[str | Path], cache: Path | None = None, *, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB, progress: Progress | None = None, isolate: bool = False,
) -> Iterator[ParseResult]:
    """Parse results one by one, in input order, with at most a few documents per worker in flight: memory
    stays flat however many documents there are.  ``isolate``: even one document, or one worker, runs in a worker
    process, under the time and memory limits (a file that aborts a native library then ends as one row)."""
    cache_dir = str(cache) if cache is not None else None
    tasks = [(str(p), cache_dir) for p in paths]
    return pool_map(parse_one, tasks, lambda t, why: failed(t[0], why), workers=workers, timeout=timeout,
                    memory_mb=memory_mb, progress=progress, isolate=isolate)


T = TypeVar("T")


def pool_map(
    fn: Callable[..., T], tasks: Sequence[tuple], on_failure: Callable[[tuple, str], T], *, workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB, progress: Progress | None = None,
    isolate: bool = False,
) -> Iterator[T]:
    """``fn(*task)`` for every task, in a pool, yielded in input order; a task that runs out of time or memory,
    or whose worker dies, gives ``on_failure(task, why)`` instead.  ``workers=1`` runs here (no time limit)
    unless ``isolate``: then one worker process, so the limits hold."""
    workers = workers or default_workers()
    if not isolate and (workers == 1 or len(tasks) < 2):
        for t in tasks:
            try:
                yield fn(*t)
            except MemoryError:
                yield on_failure(t, "cannot read: the document needs more memory than a parser may use")
            if progress:
                progress.advance()
        return

    import multiprocessing

    from pebble import ProcessExpired, ProcessPool

    # forkserver: workers start from a clean process, not a fork of this one (its threads, its heap, which the
    # memory cap would otherwise count), the same on every Python version and machine.  The server imports the
    # parsers and loads the reference data once, so a new worker (one every MAX_TASKS documents) starts ready.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipelines.worker"])
    window = workers * 8
    with ProcessPool(max_workers=workers, max_tasks=MAX_TASKS, initializer=_limit_memory, initargs=(memory_mb,), context=context) as pool:
        pending: deque = deque()
        todo = iter(tasks)

        def schedule(n: int) -> None:
            for t in itertools.islice(todo, n):
                pending.append((t, pool.schedule(fn, args=t, timeout=timeout)))

        schedule(window)
        while pending:
            task, fut = pending.popleft()
            try:
                result = fut.result()
            except FutureTimeout:
                result = on_failure(task, f"cannot read: parsing took longer than {timeout:g} s (stopped)")
            except ProcessExpired as e:
                result = on_failure(task, f"cannot read: the parser process died ({e}; out of memory or a crash in a reader)")
            except Exception as e:  # noqa: BLE001 - a parser bug on one document: recorded, the batch goes on
                result = on_failure(task, f"cannot read: {type(e).__name__}: {e}")
            schedule(1)
            if progress:
                progress.advance()
            yield result
