"""The harvest: every kept document stored once, content-addressed by SHA-256, with a manifest row per fetch.

Platforms with web spiders (Hanweb, gkmlpt, generic) run through Scrapy; the ``folder`` platform
takes documents already on disk (the bundled samples, a researcher's own collection) through the
same archive and manifest, so everything downstream reads one kind of input.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from archive import manifest
from archive.records import FetchRecord, now_iso
from archive.store import store

from .dataset import SourceDocument
from portals.registry import Portal

def read_manifest(raw: Path) -> pl.DataFrame:
    """Every fetch recorded under ``raw`` (see :mod:`archive.manifest`)."""
    return manifest.read(raw)


def harvest_folder(portal: Portal, raw: Path, base: Path = Path(".")) -> dict[str, int]:
    """Archive the documents of a folder portal; returns counts by outcome."""
    from .sources import list_folder

    known = read_manifest(raw).filter(pl.col("sha256").is_not_null())
    seen_urls = dict(zip(known["url"], known["sha256"], strict=True)) if known.height else {}
    now = now_iso()
    rows = []
    counts: dict[str, int] = {}
    for start in portal.start_urls:
        folder = (base / start).resolve()
        if not folder.is_dir():
            rows.append(FetchRecord(portal.id, folder.as_uri(), "error", kind="list_page", reason="other",
                                    message=f"folder not found: {folder}", fetched_at=now).as_row())
            counts["list_pages_failed"] = counts.get("list_pages_failed", 0) + 1
            continue
        counts["list_pages_read"] = counts.get("list_pages_read", 0) + 1
        listing = list_folder(folder)
        for p, why in listing.skipped:
            rows.append(FetchRecord(portal.id, p.as_uri(), "skipped", kind="document", reason="not_a_document", message=why, fetched_at=now).as_row())
            counts["skipped"] = counts.get("skipped", 0) + 1
        for p in listing.documents:
            data = p.read_bytes()
            sha, path, _new = store(raw, data, p.suffix.lower())
            url = p.as_uri()
            outcome = _outcome(seen_urls.get(url), sha)
            counts[outcome] = counts.get(outcome, 0) + 1
            counts["reports_listed"] = counts.get("reports_listed", 0) + 1
            rows.append(FetchRecord(portal.id, url, outcome, title=p.stem, bytes=len(data), sha256=sha, path=str(path), fetched_at=now).as_row())
            for pic in listing.shown.get(p, []):
                # a picture the page shows is archived as part of it, as a spider fetches it with the page
                pdata = pic.read_bytes()
                psha, ppath, _new = store(raw, pdata, pic.suffix.lower())
                pout = _outcome(seen_urls.get(pic.as_uri()), psha)
                counts[f"pictures_{pout}"] = counts.get(f"pictures_{pout}", 0) + 1
                rows.append(FetchRecord(portal.id, pic.as_uri(), pout,
                                        kind="image", referer=url, bytes=len(pdata), sha256=psha, path=str(ppath), fetched_at=now).as_row())
    manifest.append(raw, rows)
    return counts


def _outcome(before: str | None, sha: str) -> str:
    return "new" if before is None else ("unchanged" if before == sha else "changed")


def archived_sources(raw: Path, portals: Iterable[Portal] = ()) -> list[SourceDocument]:
    """The latest fetch of every archived document, as parser input, with what its list page and portal say
    and the pictures its page shows (fetched with it: manifest rows of kind ``image`` whose referer is the page)."""
    everything = read_manifest(raw).filter(pl.col("sha256").is_not_null() & pl.col("path").is_not_null())
    m = everything.filter(pl.col("kind") == "document")
    if not m.height:
        return []
    pictures: dict[str, list[tuple[str, str]]] = {}
    shown = everything.filter((pl.col("kind") == "image") & pl.col("referer").is_not_null())
    for r in shown.sort("fetched_at").unique(subset=["referer", "url"], keep="last").sort("referer", "url").iter_rows(named=True):
        pictures.setdefault(r["referer"], []).append((r["url"], r["path"]))
    registry = {p.id: p for p in portals}
    latest = m.sort("fetched_at").unique(subset=["sha256"], keep="last").sort("sha256")
    out = []
    for r in latest.iter_rows(named=True):
        portal = registry.get(r["portal"])
        out.append(
            SourceDocument(
                path=r["path"], url=r["url"], portal=r["portal"], fetched_at=r["fetched_at"], size=r["bytes"],
                list_title=r["title"], list_date=r["list_date"], index_no=r["index_no"],
                region_code=portal.region_code if portal else None, body=portal.body if portal else None,
                ref=_relative(r["path"], raw.parent), images=tuple(pictures.get(r["url"], ())),
            )
        )
    return out


def portal_sources(raw: Path, portal: str, portals: Iterable[Portal] = ()) -> list[SourceDocument]:
    """The archived documents of one portal (the parse step's partition): those whose latest fetch was its own.

    Cut from :func:`archived_sources`, not read from the portal's fetches alone, so that a document two
    portals serve falls to one portal's spool, the same one a single build over everything would name.
    """
    return [s for s in archived_sources(raw, portals) if s.portal == portal]


def _relative(path: str, root: Path) -> str:
    """The archive path relative to the data directory (``raw/objects/ab/ab12….pdf``)."""
    p = Path(path)
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return "raw/objects/" + "/".join(p.parts[-2:])
