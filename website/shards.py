"""Where a body's or a report's data file lies: ids hashed into buckets, so a page fetches one small file.

Why a hash and not the id itself: ids share long prefixes (``a330382-…``, ``r2023-…``), so a bucket by prefix
would hold a whole county or a whole year.  FNV-1a (32 bit) over the id's UTF-8 bytes is used because the
browser computes the same bucket in a few lines of JavaScript (``app.js``, ``fnv1a``) with no library and no
secure context (``crypto.subtle`` is missing on a plain-HTTP LAN address).  The number of hex digits kept
(the depth) grows with the number of ids so a bucket holds a handful of them at any scale; the depth is
written into ``overview.json`` and read by the browser.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

FNV_OFFSET, FNV_PRIME = 0x811C9DC5, 0x01000193
TARGET_PER_SHARD = {"bodies": 8, "reports": 4, "search": 1500}  # average ids per file: a page reads a few KB


def fnv1a(text: str) -> str:
    """FNV-1a 32-bit of ``text``'s UTF-8 bytes, as 8 lowercase hex digits (``app.js`` computes the same)."""
    h = FNV_OFFSET
    for b in text.encode("utf-8"):
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFF
    return f"{h:08x}"


def depth_for(n_items: int, per_shard: int) -> int:
    """Hex digits of the hash to keep so that ``n_items`` spread over shards of about ``per_shard`` items (1–6)."""
    if n_items <= per_shard:
        return 1
    return max(1, min(6, math.ceil(math.log(n_items / per_shard, 16))))


def shard_name(key: str, depth: int) -> str:
    return fnv1a(key)[:depth]


def shard_relpath(kind: str, name: str) -> str:
    """``data/<kind>/<name>.json``; deeper shards under a folder of their first two digits (no folder of 65,536 files)."""
    if len(name) > 2:
        return f"data/{kind}/{name[:2]}/{name}.json"
    return f"data/{kind}/{name}.json"


def dumps(obj: Any) -> str:
    """The one JSON encoding of the site: sorted keys, no spaces, UTF-8 characters as they are (same bytes on every machine)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def write_json(root: Path, relpath: str, obj: Any) -> int:
    """Write ``obj`` at ``root/relpath`` (inside the site being assembled, which is renamed into place whole); returns bytes."""
    data = dumps(obj).encode("utf-8")
    return write_bytes(root, relpath, data)


def write_bytes(root: Path, relpath: str, data: bytes) -> int:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)
