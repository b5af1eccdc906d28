"""Locks: one writer per portal's harvest, one builder or releaser per data directory.

``fcntl.flock`` locks belong to the open file: they are released when the holder exits, however it
exits (``kill -9`` included), so a stale lock never blocks the next night's run.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType


class Busy(RuntimeError):
    """Another process holds the lock."""


class FileLock:
    """An exclusive lock on ``path``; waits up to ``wait`` seconds (0: refuse at once)."""

    def __init__(self, path: Path, what: str, wait: float = 0.0) -> None:
        self.path, self.what, self.wait = path, what, wait
        self._fd: int | None = None

    def __enter__(self) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                    os.close(fd)
                    raise Busy(f"{self.what} is in use by {holder}; try again when it has finished") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%S')}".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def portal_lock(raw: Path, portal: str, wait: float) -> FileLock:
    """Held by the one process harvesting ``portal``: a second harvest of it waits, then fetches nothing twice."""
    return FileLock(raw / "locks" / f"portal-{portal}.lock", f"the harvest of portal {portal}", wait)


def data_dir_lock(root: Path, wait: float = 0.0) -> FileLock:
    """Held by a build or a release of the data directory ``root``."""
    return FileLock(root / ".xxgk-writer.lock", f"the data directory {root} (a build or release)", wait)
