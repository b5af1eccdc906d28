"""The content-addressed store: a document's bytes under their SHA-256, written atomically, never twice.

An object's name is its SHA-256 and a short suffix (``.pdf``); a suffix that is not a few letters or digits (a URL's
241-character "extension", a space, a slash) is ``.bin``, so a name stays within every file system's limits
whatever a portal's URL says.  A write that fails (a full disk …) raises, and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_SUFFIX = re.compile(r"\.[a-z0-9]{1,16}")
OBJECT_MODE = 0o644  # world-readable, as the release that hard-links it and the server that serves it need


def safe_suffix(suffix: str) -> str:
    """``suffix`` lowered when it is a dot and 1–16 letters or digits; ``""`` kept; anything else ``.bin``."""
    s = (suffix or "").lower()
    return s if s == "" or _SUFFIX.fullmatch(s) else ".bin"


def archive_path(raw: Path, sha: str, suffix: str) -> Path:
    return raw / "objects" / sha[:2] / f"{sha}{safe_suffix(suffix)}"


def store(raw: Path, data: bytes, suffix: str) -> tuple[str, Path, bool]:
    """Store bytes once under their SHA-256 (atomically); returns (sha, path, newly stored).

    Raises :class:`OSError` when the bytes cannot be written; the temporary file is removed first.
    """
    sha = hashlib.sha256(data).hexdigest()
    path = archive_path(raw, sha, suffix)
    if path.exists():
        return sha, path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), OBJECT_MODE)  # mkstemp makes it private: an archived public document is for anyone to read
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, path, True
