"""The Scrapy side of the archive: store each fetched document once by SHA-256 and record every fetch.

Each fetch — document or failed list page — is appended to ``raw/runs/{portal}.jsonl`` (flushed and
synced) as it happens, so a run that is killed loses nothing it already stored; when a run ends, its
log becomes a manifest part (:mod:`archive.manifest`).  A run resumed with the same JOBDIR keeps
appending to the same log.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from archive import manifest
from archive.records import FetchRecord
from archive.store import safe_suffix, store

SUFFIX_BY_TYPE = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel": ".xls",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "text/html": ".html",
    "application/json": ".json",
}


def run_log(raw: Path, portal: str) -> Path:
    return raw / "runs" / f"{portal}.jsonl"


def known_documents(raw: Path, portal: str) -> dict[str, dict[str, Any]]:
    """url -> the latest archived fetch of it (the manifest includes an interrupted run's log)."""
    m = manifest.read(raw)
    rows = m.filter(pl.col("portal") == portal).sort("fetched_at").to_dicts() if m.height else []
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.get("sha256"):
            out[r["url"]] = r
    return out


def _suffix(url: str, content_type: str | None) -> str:
    """The archived file's suffix: by content type, else the URL's extension when it is a short one (``.pdf``,
    ``.wps``), else ``.bin`` — never a URL's 241-character "extension" (:func:`archive.store.safe_suffix`)."""
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in SUFFIX_BY_TYPE:
        return SUFFIX_BY_TYPE[ct]
    tail = url.split("?")[0].split("#")[0].rsplit("/", 1)[-1]
    return safe_suffix("." + tail.rsplit(".", 1)[-1]) if "." in tail else ".bin"


TEXT_FIELDS = ("referer", "title", "list_date", "index_no", "attachment_name", "message", "content_type", "etag", "last_modified")


def _text(value: Any, limit: int = 2000) -> str | None:
    """A manifest text field from whatever an item holds (a list where a title goes is the page's fault, not the
    manifest's): text, cut at ``limit``."""
    if value is None:
        return None
    return (value if isinstance(value, str) else str(value))[:limit]


class ArchivePipeline:
    def __init__(self, data_dir: str, crawler: Any = None) -> None:
        self.crawler = crawler
        self.raw = Path(data_dir) / "raw"
        self.logs: dict[str, Any] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self.run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        return cls(crawler.settings.get("XXGK_DATA_DIR", "data"), crawler)

    def _log(self, portal: str) -> Any:
        if portal not in self.logs:
            path = run_log(self.raw, portal)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.logs[portal] = path.open("a", encoding="utf-8")
        return self.logs[portal]

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.crawler.spider
        portal = item["portal"]
        prior = spider.known.get(item["url"])
        sha = path = None
        size = None
        kind = item["kind"]
        reason, message = item.get("reason"), item.get("message")
        if kind == "fetched" and item.get("body") is not None:
            body: bytes = item["body"]
            try:
                sha, p, _new = store(self.raw, body, _suffix(item["url"], item.get("content_type")))
            except OSError as e:  # a full disk, a name refused …: a row with its reason, nothing left behind (store)
                outcome, reason, message = "error", "archive_write", f"{type(e).__name__}: {e}"[:500]
                spider.count("documents_failed")
            else:
                path, size = str(p), len(body)
                outcome = "new" if prior is None else ("unchanged" if prior.get("sha256") == sha else "changed")
        elif kind == "not_modified" and prior:
            sha, path, size = prior.get("sha256"), prior.get("path"), prior.get("bytes")
            outcome = "unchanged"
        elif kind == "blocked":
            outcome = "blocked"
        elif kind == "skipped":  # a link refused before any request (scrapers.middlewares.refusal)
            outcome = "skipped"
        else:
            outcome = "error"
        text = {k: _text(item.get(k)) for k in TEXT_FIELDS}
        text["message"] = _text(message)
        status = item.get("status")
        row = FetchRecord(
            portal=portal, url=str(item["url"]), outcome=outcome, kind=item.get("record_kind", "document"),
            reason=reason or ({"blocked": "blocked", "error": "http_status" if status else "other"}.get(outcome)),
            status=status if isinstance(status, int) and not isinstance(status, bool) else None,
            bytes=size, sha256=sha, path=path, run_id=self.run_id, **text,
        ).as_row()
        f = self._log(portal)
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
        if sha:
            spider.known[item["url"]] = row
        c = self.counts.setdefault(portal, {})
        key = f"pictures_{outcome}" if row["kind"] == "image" else outcome  # a page's pictures are not documents
        c[key] = c.get(key, 0) + 1
        return row

    def close_spider(self) -> None:
        spider = self.crawler.spider
        for portal, f in self.logs.items():
            f.close()
            manifest.append(self.raw, manifest.log_rows(run_log(self.raw, portal)))
            run_log(self.raw, portal).unlink(missing_ok=True)
        summary = dict(self.counts.get(spider.portal.id, {}))
        summary.update(spider.counts)
        summary["defect_list"] = list(spider.defects)  # the portal's own defects: pipelines/crawl.py tells new from known
        summary["blocked"] = int(bool(spider.crawler.stats.get_value("xxgk/blocked"))) or summary.get("blocked", 0)
        out = self.raw / "runs" / f"{spider.portal.id}.summary.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
