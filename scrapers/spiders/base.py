"""What every portal spider shares: the portal's configuration, what is already archived, politeness
about hosts, incremental fetching, challenge pages, and the item it yields for each document."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from w3lib.url import safe_url_string

from portals.registry import Portal
from scrapers.archive import known_documents
from scrapers.extract import is_challenge

DOCUMENT_STATUSES = [304, 404, 403, 410, 412, 521]


def challenge_guarded(callback: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """A callback that first checks for a challenge page: recorded as ``blocked``, and the crawl stops."""

    @functools.wraps(callback)
    def wrapper(self: PortalSpider, response: Response, *args: Any, **kwargs: Any) -> Iterator[Any]:
        blocked = self.blocked_guard(response)
        if blocked:
            yield blocked
            self.crawler.stats.set_value("xxgk/blocked", True)
            raise CloseSpider("blocked")
        yield from callback(self, response, *args, **kwargs)

    return wrapper


class PortalSpider(scrapy.Spider):
    """A spider for one portal of a platform; the portal comes from the registry as JSON."""

    platform = ""

    def __init__(self, portal: str = "", data_dir: str = "data", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        spec = json.loads(portal)
        self.portal = Portal(
            id=spec["id"], name=spec.get("name", spec["id"]), platform=spec["platform"],
            start_urls=tuple(spec.get("start_urls", [])), region=spec.get("region"),
            region_code=spec.get("region_code"), body=spec.get("body"), options=spec.get("options", {}),
        )
        self.name = f"{self.platform}:{self.portal.id}"
        self.data_dir = Path(data_dir)
        hosts = {urlsplit(u).hostname for u in self.portal.start_urls}
        hosts |= set(self.portal.options.get("attachment_hosts", []))
        self.allowed_domains = sorted(h for h in hosts if h)
        self.known = known_documents(self.data_dir / "raw", self.portal.id)
        self.counts: dict[str, int] = {"reports_listed": 0, "skipped_unchanged": 0, "skipped_not_report": 0}

    # -- politeness and incrementality -------------------------------------------------------

    def on_portal(self, url: str) -> bool:
        host = urlsplit(url).hostname
        return host in self.allowed_domains

    def document_request(self, url: str, callback: Any, *, referer: str | None, title: str | None,
                         list_date: str | None, index_no: str | None, kind: str, force: bool = False) -> scrapy.Request | None:
        """A request for a document, or None when the archive already holds it unchanged.

        The list's date is the portal's own "changed" signal: a document already archived whose
        list date is the same is not fetched again; one whose date changed is asked for with a
        conditional request (ETag / Last-Modified), so an unchanged body costs a 304.
        """
        url = safe_url_string(url)  # the form Scrapy fetches and the archive records
        if not self.on_portal(url):
            return None
        prior = self.known.get(url)
        headers = {}
        if prior and not force:
            if prior.get("list_date") == list_date or (kind == "attachment" and list_date is None):
                self.counts["skipped_unchanged"] += 1
                return None
        if prior:
            if prior.get("etag"):
                headers["If-None-Match"] = prior["etag"]
            if prior.get("last_modified"):
                headers["If-Modified-Since"] = prior["last_modified"]
        meta = {
            "doc": {"referer": referer, "title": title, "list_date": list_date, "index_no": index_no, "doc_kind": kind},
            "handle_httpstatus_list": DOCUMENT_STATUSES,
        }
        return scrapy.Request(url, callback=callback, errback=self.document_failed, headers=headers, meta=meta, dont_filter=False)

    def document_failed(self, failure: Any) -> Iterator[dict]:
        """A document that could not be fetched (timeout, refused connection …) is recorded as an error."""
        request = failure.request
        doc = dict(request.meta.get("doc") or {})
        error = failure.value
        if isinstance(error, IgnoreRequest):  # robots.txt forbids it: a choice, not an error
            self.counts["skipped_robots"] = self.counts.get("skipped_robots", 0) + 1
            return
        yield {
            "portal": self.portal.id, "url": request.url, "status": getattr(getattr(error, "response", None), "status", None),
            "content_type": None, "etag": None, "last_modified": None, "body": None, "kind": "error",
            "message": f"{type(error).__name__}: {error}"[:500], **doc,
        }

    def missing_attachments(self, article_url: str) -> list[dict]:
        """Attachments of an archived article that are not archived yet (a run killed in between).

        Read from the archived page itself, so an unchanged article costs no request.
        """
        from scrapers.extract import article_meta

        prior = self.known.get(article_url)
        if not prior or not prior.get("path") or not Path(prior["path"]).exists():
            return []
        html = Path(prior["path"]).read_bytes().decode("utf-8", "replace")
        return [a for a in article_meta(html, article_url)["attachments"] if safe_url_string(a["url"]) not in self.known]

    def blocked_guard(self, response: Response) -> dict | None:
        """A challenge page is recorded as the portal being blocked, never stored as a document."""
        if is_challenge(response.status, response.body):
            return {"portal": self.portal.id, "url": response.url, "status": response.status, "kind": "blocked",
                    "message": "JavaScript challenge (anti-bot) page: portal blocked for automated clients"}
        return None

    def attachment_requests(self, attachments: Iterable[dict], *, referer: str, list_date: str | None,
                            index_no: str | None, title: str | None = None) -> Iterator[scrapy.Request]:
        for att in attachments:
            req = self.document_request(att["url"], self.parse_attachment, referer=referer, title=att.get("name") or title,
                                        list_date=list_date, index_no=index_no, kind="attachment")
            if req is not None:
                yield req

    @challenge_guarded
    def parse_attachment(self, response: Response) -> Iterator[Any]:
        yield self.document_item(response)

    def document_item(self, response: Response) -> dict:
        doc = dict(response.meta.get("doc") or {})
        status = response.status
        if status == 304:
            kind = "not_modified"
        elif status >= 400:
            kind = "error"
        else:
            kind = "fetched"
        return {
            "portal": self.portal.id,
            "url": response.url,
            "status": status,
            "content_type": response.headers.get("Content-Type", b"").decode("latin-1") or None,
            "etag": response.headers.get("ETag", b"").decode("latin-1") or None,
            "last_modified": response.headers.get("Last-Modified", b"").decode("latin-1") or None,
            "body": response.body if kind == "fetched" else None,
            "kind": kind,
            "message": f"HTTP {status}" if kind == "error" else None,
            **doc,
        }

    def closed(self, reason: str) -> None:
        for k, v in self.counts.items():
            self.crawler.stats.set_value(f"xxgk/{k}", v)
