"""The manifest: append-only part files behind one reader, so concurrent and killed runs lose nothing.

Every writer adds its own part file (``raw/manifest/part-….parquet``, written to a temporary name
and renamed), so two harvests appending at once never overwrite each other; a run's rows are first
appended, fsynced, to its run log (``raw/runs/*.jsonl``), so a killed run keeps every fetch it made.
The reader takes the union of the parts, the manifest file of earlier versions and any run log left
by a killed run, and drops duplicates by ``fetch_id`` — which also makes compaction (many parts into
one, then the parts removed) safe to interrupt at any point.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from .records import FIELDS

SCHEMA: dict[str, pl.DataType] = {
    "portal": pl.String(), "url": pl.String(), "outcome": pl.String(), "kind": pl.String(), "reason": pl.String(),
    "message": pl.String(), "referer": pl.String(), "title": pl.String(), "list_date": pl.String(), "index_no": pl.String(),
    "attachment_name": pl.String(), "status": pl.Int32(), "content_type": pl.String(), "bytes": pl.Int64(),
    "sha256": pl.String(), "path": pl.String(), "fetched_at": pl.String(), "etag": pl.String(),
    "last_modified": pl.String(), "run_id": pl.String(), "fetch_id": pl.String(),
}
assert tuple(SCHEMA) == FIELDS, "manifest schema and FetchRecord disagree"


def parts_dir(raw: Path) -> Path:
    return raw / "manifest"


def runs_dir(raw: Path) -> Path:
    return raw / "runs"


def _frame(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame([{k: r.get(k) for k in SCHEMA} for r in rows], schema=SCHEMA, orient="row")


def _write_atomic(df: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.write_parquet(tmp)
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def append(raw: Path, rows: list[dict[str, Any]]) -> Path | None:
    """Add rows as a new part file; returns its path (None for no rows)."""
    if not rows:
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = parts_dir(raw) / f"part-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
    _write_atomic(_frame(rows), path)
    return path


def log_rows(path: Path) -> list[dict[str, Any]]:
    """The complete rows of a run log (a line cut short by a kill is skipped)."""
    rows = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _legacy_id(r: dict[str, Any]) -> str:
    key = "\x1f".join(str(r.get(k)) for k in ("portal", "url", "fetched_at", "outcome", "sha256", "message"))
    return "legacy-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _stored(raw: Path) -> tuple[list[Path], list[pl.DataFrame]]:
    """The part files, and the frames of the parts and of the older single manifest file (its rows given ids)."""
    parts = sorted(parts_dir(raw).glob("*.parquet")) if parts_dir(raw).exists() else []
    frames: list[pl.DataFrame] = []
    for p in parts:
        try:
            frames.append(_conform(pl.read_parquet(p)))
        except FileNotFoundError:  # removed by a compaction in between
            continue
    legacy = raw / "manifest.parquet"
    if legacy.exists():
        old = _conform(pl.read_parquet(legacy)).to_dicts()
        frames.append(_frame({**r, "fetch_id": r.get("fetch_id") or _legacy_id(r), "kind": r.get("kind") or "document"} for r in old))
    return parts, frames


def _union(frames: list[pl.DataFrame]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(schema=SCHEMA)
    return pl.concat(frames).unique(subset=["fetch_id"], keep="first", maintain_order=True)


def read(raw: Path) -> pl.DataFrame:
    """Every fetch recorded under ``raw``: parts, the older single manifest file, and run logs of killed runs."""
    _parts, frames = _stored(raw)
    if runs_dir(raw).exists():
        logged = [r for p in sorted(runs_dir(raw).glob("*.jsonl")) for r in log_rows(p)]
        if logged:
            frames.append(_frame(logged))
    return _union(frames)


def _conform(df: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in SCHEMA.items() if c not in df.columns]
    return df.with_columns(missing).select([pl.col(c).cast(t) for c, t in SCHEMA.items()])


def compact(raw: Path) -> int:
    """Merge all parts (and the older manifest file) into one part; returns the rows kept.

    Run under the data directory's lock.  Interrupted anywhere, nothing is lost: the new part is
    complete before any old file is removed, and the reader drops the duplicates in between.
    """
    legacy = raw / "manifest.parquet"
    parts, frames = _stored(raw)
    if len(parts) <= 1 and not legacy.exists():
        return sum(f.height for f in frames)
    merged = _union(frames)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    _write_atomic(merged, parts_dir(raw) / f"base-{stamp}-{os.getpid()}.parquet")
    for p in parts:
        p.unlink(missing_ok=True)
    legacy.unlink(missing_ok=True)
    return merged.height
