"""The content-addressed store: a document's bytes under their SHA-256, written atomically, never twice."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def archive_path(raw: Path, sha: str, suffix: str) -> Path:
    return raw / "objects" / sha[:2] / f"{sha}{suffix}"


def store(raw: Path, data: bytes, suffix: str) -> tuple[str, Path, bool]:
    """Store bytes once under their SHA-256 (atomically); returns (sha, path, newly stored)."""
    sha = hashlib.sha256(data).hexdigest()
    path = archive_path(raw, sha, suffix)
    if path.exists():
        return sha, path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return sha, path, True
