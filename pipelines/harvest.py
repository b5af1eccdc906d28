"""The harvest: every kept document stored once, content-addressed by SHA-256, with a manifest row per fetch.

Platforms with web spiders (Hanweb, gkmlpt, generic) run through Scrapy; the ``folder`` platform
takes documents already on disk (the bundled samples, a researcher's own collection) through the
same archive and manifest, so everything downstream reads one kind of input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from warehouse.parquet import write_atomic

from .dataset import SourceDocument
from .registry import Portal

MANIFEST_SCHEMA = {
    "portal": pl.String(),
    "url": pl.String(),
    "referer": pl.String(),
    "title": pl.String(),
    "list_date": pl.String(),
    "index_no": pl.String(),
    "status": pl.Int32(),
    "content_type": pl.String(),
    "bytes": pl.Int64(),
    "sha256": pl.String(),
    "path": pl.String(),
    "fetched_at": pl.String(),
    "outcome": pl.String(),  # new | unchanged | changed | blocked | error
    "message": pl.String(),
    "etag": pl.String(),  # for conditional requests next time
    "last_modified": pl.String(),
}


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
    os.replace(tmp, path)
    return sha, path, True


def read_manifest(raw: Path) -> pl.DataFrame:
    path = raw / "manifest.parquet"
    if not path.exists():
        return pl.DataFrame(schema=MANIFEST_SCHEMA)
    df = pl.read_parquet(path)
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in MANIFEST_SCHEMA.items() if c not in df.columns]
    return df.with_columns(missing).select(list(MANIFEST_SCHEMA)) if missing else df


def append_manifest(raw: Path, rows: list[dict[str, object]]) -> None:
    new = pl.DataFrame(rows, schema=MANIFEST_SCHEMA, orient="row")
    write_atomic(pl.concat([read_manifest(raw), new]), raw / "manifest.parquet")


def harvest_folder(portal: Portal, raw: Path, base: Path = Path(".")) -> dict[str, int]:
    """Archive the documents of a folder portal; returns counts by outcome."""
    from .build import find_documents

    known = read_manifest(raw)
    seen_urls = dict(zip(known["url"], known["sha256"], strict=True)) if known.height else {}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows = []
    counts: dict[str, int] = {}
    for start in portal.start_urls:
        folder = (base / start).resolve()
        for p in find_documents(folder):
            data = p.read_bytes()
            sha, path, _new = store(raw, data, p.suffix.lower())
            url = p.as_uri()
            before = seen_urls.get(url)
            outcome = "new" if before is None else ("unchanged" if before == sha else "changed")
            counts[outcome] = counts.get(outcome, 0) + 1
            rows.append(
                {
                    "portal": portal.id, "url": url, "referer": None, "title": p.stem, "list_date": None, "index_no": None,
                    "status": None, "content_type": None, "bytes": len(data), "sha256": sha, "path": str(path),
                    "fetched_at": now, "outcome": outcome, "message": None, "etag": None, "last_modified": None,
                }
            )
    if rows:
        append_manifest(raw, rows)
    return counts


def archived_sources(raw: Path, portals: Iterable[Portal] = ()) -> list[SourceDocument]:
    """The latest fetch of every archived document, as parser input, with what its list page and portal say."""
    m = read_manifest(raw).filter(pl.col("sha256").is_not_null() & pl.col("path").is_not_null())
    if not m.height:
        return []
    registry = {p.id: p for p in portals}
    latest = m.sort("fetched_at").unique(subset=["sha256"], keep="last").sort("sha256")
    out = []
    for r in latest.iter_rows(named=True):
        portal = registry.get(r["portal"])
        out.append(
            SourceDocument(
                path=r["path"], url=r["url"], portal=r["portal"], fetched_at=r["fetched_at"], size=r["bytes"],
                list_title=r["title"], index_no=r["index_no"],
                region_code=portal.region_code if portal else None, body=portal.body if portal else None,
            )
        )
    return out
