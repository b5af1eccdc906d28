"""The raw archive pipeline: store each fetched document once by SHA-256 and log the fetch.

Each fetch is appended to ``raw/runs/{portal}.jsonl`` (flushed and synced) as it happens, so a run
that is killed loses nothing it already stored; when a run ends, its log is merged into
``raw/manifest.parquet``.  A run resumed with the same JOBDIR keeps appending to the same log.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.harvest import MANIFEST_SCHEMA, append_manifest, read_manifest, store

SUFFIX_BY_TYPE = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "text/html": ".html",
    "application/json": ".json",
}


def run_log(raw: Path, portal: str) -> Path:
    return raw / "runs" / f"{portal}.jsonl"


def _log_rows(raw: Path, portal: str) -> list[dict[str, Any]]:
    path = run_log(raw, portal)
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a kill
    return rows


def known_documents(raw: Path, portal: str) -> dict[str, dict[str, Any]]:
    """url -> the latest archived fetch of it (manifest plus an interrupted run's log)."""
    m = read_manifest(raw)
    rows = m.filter(pl.col("portal") == portal).to_dicts() if m.height else []
    rows += _log_rows(raw, portal)
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.get("sha256"):
            out[r["url"]] = r
    return out


def _suffix(url: str, content_type: str | None) -> str:
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in SUFFIX_BY_TYPE:
        return SUFFIX_BY_TYPE[ct]
    tail = url.split("?")[0].rsplit("/", 1)[-1]
    return "." + tail.rsplit(".", 1)[-1].lower() if "." in tail else ".bin"


class ArchivePipeline:
    def __init__(self, data_dir: str, crawler: Any = None) -> None:
        self.crawler = crawler
        self.raw = Path(data_dir) / "raw"
        self.logs: dict[str, Any] = {}
        self.counts: dict[str, dict[str, int]] = {}

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
        if kind == "fetched" and item.get("body") is not None:
            body: bytes = item["body"]
            sha, p, _new = store(self.raw, body, _suffix(item["url"], item.get("content_type")))
            path, size = str(p), len(body)
            outcome = "new" if prior is None else ("unchanged" if prior.get("sha256") == sha else "changed")
        elif kind == "not_modified" and prior:
            sha, path, size = prior.get("sha256"), prior.get("path"), prior.get("bytes")
            outcome = "unchanged"
        elif kind == "blocked":
            outcome = "blocked"
        else:
            outcome = "error"
        row = {
            "portal": portal, "url": item["url"], "referer": item.get("referer"), "title": item.get("title"),
            "list_date": item.get("list_date"), "index_no": item.get("index_no"), "status": item.get("status"),
            "content_type": item.get("content_type"), "bytes": size, "sha256": sha, "path": path,
            "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "outcome": outcome,
            "message": item.get("message"), "etag": item.get("etag"), "last_modified": item.get("last_modified"),
        }
        f = self._log(portal)
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
        if sha:
            spider.known[item["url"]] = row
        c = self.counts.setdefault(portal, {})
        c[outcome] = c.get(outcome, 0) + 1
        return row

    def close_spider(self) -> None:
        spider = self.crawler.spider
        for portal, f in self.logs.items():
            f.close()
            rows = _log_rows(self.raw, portal)
            if rows:
                append_manifest(self.raw, [{k: r.get(k) for k in MANIFEST_SCHEMA} for r in rows])
            run_log(self.raw, portal).unlink(missing_ok=True)
        summary = dict(self.counts.get(spider.portal.id, {}))
        summary.update(spider.counts)
        summary["blocked"] = int(bool(spider.crawler.stats.get_value("xxgk/blocked"))) or summary.get("blocked", 0)
        out = self.raw / "runs" / f"{spider.portal.id}.summary.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
