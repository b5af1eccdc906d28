"""Parse results cached by document SHA-256 and parser version, so a nightly build parses only what is new.

The version is a hash of the parser's own source and reference data: change the parser and every
document is parsed again; change nothing and an archived document is never parsed twice.

Entries are gzip-compressed JSON (``ParseResult.as_dict``), never pickle: reading a cache entry runs
no code, whoever wrote the data directory, and an entry is 5–7 times smaller than the pickle was
(about 3.3 KB against 22 KB for the five seeds: ~4 GB instead of ~27 GB for 1.2 million documents).
"""

from __future__ import annotations

import functools
import hashlib
import os
import gzip
import json
import tempfile
from pathlib import Path

from parsers.media import parse_path
from pipelines.pictures import Pictures
from parsers.model import ParseResult
from warehouse.release import sha256_file

REPO = Path(__file__).resolve().parents[1]


def parser_version() -> str:
    """The parser's version: its code and reference data, and the OCR path in use (``XXGK_OCR_PATH``): a scan read
    table first and the same scan read whole page are different results, never taken for one another."""
    from parsers.readers.ocr import ocr_path

    return f"{_code_version()}-ocr-{ocr_path()}"


@functools.cache
def _code_version() -> str:
    h = hashlib.sha256()
    files = sorted((REPO / "parsers").rglob("*.py")) + sorted((REPO / "identity").rglob("*.py")) + sorted((REPO / "data" / "reference").glob("*"))
    for f in files:
        h.update(f.relative_to(REPO).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def parse_cached(path: Path, cache: Path, pictures: Pictures | None = None) -> tuple[ParseResult, bool]:
    """(result, whether it came from the cache).  A page read with its pictures is cached under the page's
    and the pictures' SHA-256 together: a picture replaced on the portal means the page is read again."""
    try:
        sha = sha256_file(path)
    except OSError:
        return parse_path(path, pictures), False
    entry = cache_entry(cache, pictures.key(sha) if pictures else sha)
    if entry.exists():
        try:
            result = ParseResult.from_dict(json.loads(gzip.decompress(entry.read_bytes())))
            result.path = str(path)
            result.report.source_path = str(path)
            return result, True
        except Exception:  # noqa: BLE001 - a damaged or foreign cache entry is just parsed again
            entry.unlink(missing_ok=True)
    result = parse_path(path, pictures)
    store_entry(entry, result)
    return result, False


def cache_entry(cache: Path, sha: str) -> Path:
    return cache / parser_version() / sha[:2] / f"{sha}.json.gz"


def store_entry(entry: Path, result: ParseResult) -> None:
    """Write a cache entry atomically (a killed run leaves no half entry)."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    # a file name that is not UTF-8 (os.fsdecode's surrogates) is written as JSON's \udcXX escapes: read back the same
    data = gzip.compress(json.dumps(result.as_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace"),
                         mtime=0)
    fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, entry)
