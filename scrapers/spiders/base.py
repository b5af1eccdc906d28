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
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from w3lib.url import safe_url_string

from archive.records import DEFECT_REASONS, REFUSAL_REASONS
from parsers.media import is_picture, why_not_a_document
from portals.registry import Portal
from scrapers.archive import known_documents
from scrapers.extract import BadPayload, is_challenge
from scrapers.failures import classify, status_of
from scrapers.middlewares import refusal

DOCUMENT_STATUSES = [304, 404, 403, 410, 412, 521]
DEAD_STATUSES = (404, 410)  # a listed document the portal does not serve: its own defect, not a failed harvest
CHALLENGE_STATUSES = [412, 521]
LIST_MAXSIZE = 16 * 1024 * 1024  # a list page or API answer is a few hundred kB; a larger one is refused


def guarded(kind: str) -> Callable[[Callable[..., Iterator[Any]]], Callable[..., Iterator[Any]]]:
    """A callback that checks for a challenge page first, and whose failure is recorded, not raised.

    ``kind`` is ``list_page`` (list pages and API answers: counted read or failed) or ``document``.
    A challenge page is recorded as ``blocked`` and stops the crawl; an exception while reading the
    page (a malformed answer, an unexpected page, a bug) becomes an ``error`` row with its reason,
    and the crawl goes on with the next page — what the page yielded before the failure is kept.
    """

    def deco(callback: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        @functools.wraps(callback)
        def wrapper(self: PortalSpider, response: Response, *args: Any, **kwargs: Any) -> Iterator[Any]:
            blocked = self.blocked_guard(response)
            if blocked:
                yield blocked
                self.crawler.stats.set_value("xxgk/blocked", True)
                raise CloseSpider("blocked")
            try:
                for out in callback(self, response, *args, **kwargs):
                    yield from self.drain_refusals()
                    yield out
                yield from self.drain_refusals()
            except CloseSpider:
                raise
            except Exception as e:  # recorded with its reason; the crawl goes on
                yield from self.drain_refusals()
                reason = "bad_payload" if isinstance(e, BadPayload) else "spider_exception"
                self.logger.exception("%s: %s on %s", self.portal.id, reason, response.url)
                yield self.failure_item(response.url, reason, f"{type(e).__name__}: {e}"[:500], kind=kind, status=response.status)
                return
            if kind == "list_page":
                self.count("list_pages_read")

        return wrapper

    return deco



def record_kind(doc: dict) -> str:
    """The manifest kind of a fetched document: a picture of an article's body is archived as part of its page."""
    return "image" if doc.get("doc_kind") == "image" else "document"


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
        # the crawler's reach is the registry's (#23): the start URLs' hosts, the entry's attachment hosts and its
        # site search — never a host that only a page, link, script or redirect names (scrapers.middlewares.RegistryReach)
        named = [*self.portal.start_urls, *([self.portal.options["search_jsonp_url"]] if self.portal.options.get("search_jsonp_url") else [])]
        hosts = {urlsplit(str(u)).hostname for u in named}
        hosts |= {str(h).strip().lower() for h in self.portal.options.get("attachment_hosts", [])}
        self.registry_hosts = frozenset(h for h in hosts if h)
        self.allowed_domains = sorted(self.registry_hosts)
        self.refusals: list[dict] = []  # rows for links refused before any request, yielded by the callback's wrapper
        self.known = known_documents(self.data_dir / "raw", self.portal.id)
        self.counts: dict[str, int] = {"reports_listed": 0, "skipped_unchanged": 0, "skipped_not_report": 0}
        self.defects: list[dict[str, str]] = []  # the portal's own defects seen this run (url, reason, message)

    # -- politeness and incrementality -------------------------------------------------------

    def on_portal(self, url: str) -> bool:
        return refusal(url, set(self.registry_hosts)) is None

    def item_problems(self, items: Iterable[dict], response: Response) -> Iterator[dict]:
        """The list page's items read without a bad field (a date out of range, a list where a string goes): each fault
        a ``malformed_item`` row of the page, the item itself still read (#23)."""
        for item in items:
            for problem in item.get("problems") or []:
                yield self.defect_item(response.url, "malformed_item", str(problem)[:500], kind="list_page", status=response.status)

    def drain_refusals(self) -> Iterator[dict]:
        while self.refusals:
            yield self.refusals.pop(0)

    def document_request(self, url: str, callback: Any, *, referer: str | None, title: str | None,
                         list_date: str | None, index_no: str | None, kind: str, force: bool = False,
                         attachment_name: str | None = None) -> scrapy.Request | None:
        """A request for a document, or None when the archive already holds it unchanged.

        The list's date is the portal's own "changed" signal: a document already archived whose
        list date is the same is not fetched again; one whose date changed is asked for with a
        conditional request (ETag / Last-Modified), so an unchanged body costs a 304.
        """
        doc = {"referer": referer, "title": title, "list_date": list_date, "index_no": index_no, "doc_kind": kind,
               "attachment_name": attachment_name}
        try:
            url = safe_url_string(url)  # the form Scrapy fetches and the archive records
        except (ValueError, TypeError) as e:
            self.refusals.append(self.defect_item(str(url)[:2000], "malformed_item", f"an address that cannot be read ({e})",
                                                  kind=record_kind(doc), **doc))
            return None
        refused = refusal(url, set(self.registry_hosts))
        if refused:  # a host or scheme the registry entry does not name: recorded, never asked
            self.count("refused")
            self.refusals.append(self.defect_item(url[:2000], *refused, kind=record_kind(doc), **doc))
            return None
        prior = self.known.get(url)
        headers = {}
        if prior and not force:
            if prior.get("list_date") == list_date or (kind in ("attachment", "image") and list_date is None):
                self.counts["skipped_unchanged"] += 1
                if prior.get("reason") in DEFECT_REASONS:  # archived with its defect (no document): still there
                    self.defects.append({"url": url, "reason": prior["reason"], "message": prior.get("message") or ""})
                return None
        if prior:
            if prior.get("etag"):
                headers["If-None-Match"] = prior["etag"]
            if prior.get("last_modified"):
                headers["If-Modified-Since"] = prior["last_modified"]
        meta = {"doc": doc, "handle_httpstatus_list": DOCUMENT_STATUSES}
        return scrapy.Request(url, callback=callback, errback=self.document_failed, headers=headers, meta=meta, dont_filter=False)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def failure_item(self, url: str, reason: str, message: str, *, kind: str, status: int | None = None, **doc: Any) -> dict:
        """An ``error`` row for the manifest: a page or document that could not be fetched or understood."""
        self.count("list_pages_failed" if kind == "list_page" else "documents_failed")
        return {"portal": self.portal.id, "url": url, "status": status, "kind": "error", "record_kind": kind,
                "reason": reason, "message": message, **doc}

    def defect_item(self, url: str, reason: str, message: str, *, kind: str, status: int | None = None, **doc: Any) -> dict:
        """An ``error`` row for a defect of the portal's own (a dead link, a malformed list item): recorded with its
        reason and listed in the run's summary, but never a failure of the harvest (pipelines/crawl.py)."""
        self.defects.append({"url": url, "reason": reason, "message": message})
        # a refused link (another host, another scheme) was never asked: skipped, by choice; other defects are errors
        return {"portal": self.portal.id, "url": url, "status": status, "kind": "skipped" if reason in REFUSAL_REASONS else "error",
                "record_kind": kind, "reason": reason, "message": message, **doc}

    def list_request(self, url: str, callback: Any, *, cb_kwargs: dict | None = None, formdata: dict | None = None,
                     statuses: tuple[int, ...] = ()) -> scrapy.Request:
        """A list page or API request: never filtered as seen, failures recorded by :meth:`list_failed`."""
        meta = {"handle_httpstatus_list": [*CHALLENGE_STATUSES, *statuses], "download_maxsize": LIST_MAXSIZE, "list_page": True}
        if formdata is not None:
            return scrapy.FormRequest(url, formdata=formdata, callback=callback, errback=self.list_failed, dont_filter=True,
                                      cb_kwargs=cb_kwargs or {}, meta=meta)
        return scrapy.Request(url, callback=callback, errback=self.list_failed, dont_filter=True, cb_kwargs=cb_kwargs or {}, meta=meta)

    def list_failed(self, failure: Any) -> Iterator[dict]:
        """A list page or API page that could not be fetched: an error row, and the crawl goes on."""
        reason, message = classify(failure.value)
        if reason is None:
            self.count("skipped_robots")
            return
        if reason in DEFECT_REASONS:  # a host or scheme only the portal's page names: refused, the portal's defect
            yield self.defect_item(failure.request.url, reason, message, kind="list_page", status=status_of(failure.value))
            return
        yield self.failure_item(failure.request.url, reason, message, kind="list_page", status=status_of(failure.value))

    def document_failed(self, failure: Any) -> Iterator[dict]:
        """A document that could not be fetched (timeout, refused connection, redirected off the portal …)."""
        request = failure.request
        doc = dict(request.meta.get("doc") or {})
        reason, message = classify(failure.value)
        if reason is None:  # robots.txt forbids it: a choice, not an error
            self.count("skipped_robots")
            return
        if reason in DEFECT_REASONS:  # refused before any connection (scrapers.middlewares.RegistryReach)
            yield self.defect_item(request.url, reason, message, kind=record_kind(doc), status=status_of(failure.value), **doc)
            return
        yield self.failure_item(request.url, reason, message, kind=record_kind(doc), status=status_of(failure.value), **doc)

    def missing_attachments(self, article_url: str) -> list[dict]:
        """Attachments of an archived article that are not archived yet (a run killed in between).

        Read from the archived page itself, so an unchanged article costs no request.
        """
        from scrapers.extract import article_meta

        prior = self.known.get(article_url)
        if not prior or not prior.get("path") or not Path(prior["path"]).exists():
            return []
        html = Path(prior["path"]).read_bytes().decode("utf-8", "replace")
        # a link to nothing stays in: the defect is met again each night, from the archived page, without a request
        return [a for a in article_meta(html, article_url)["attachments"] if not a["url"] or safe_url_string(a["url"]) not in self.known]

    def blocked_guard(self, response: Response) -> dict | None:
        """A challenge page is recorded as the portal being blocked, never stored as a document."""
        if is_challenge(response.status, response.body):
            return {"portal": self.portal.id, "url": response.url, "status": response.status, "kind": "blocked",
                    "message": "JavaScript challenge (anti-bot) page: portal blocked for automated clients"}
        return None

    def attachment_requests(self, attachments: Iterable[dict], *, referer: str, list_date: str | None,
                            index_no: str | None, title: str | None = None) -> Iterator[Any]:
        for att in attachments:
            if not att.get("url"):
                yield self.defect_item(referer, "link_to_nothing", f"the link to {att.get('name')!r} leads nowhere",
                                       kind="document", referer=referer, title=title, list_date=list_date, index_no=index_no)
                continue
            req = self.document_request(att["url"], self.parse_attachment, referer=referer, title=title,
                                        list_date=list_date, index_no=index_no, kind=att.get("kind", "attachment"),
                                        attachment_name=att.get("name"))
            if req is not None:
                yield req

    @guarded("document")
    def parse_attachment(self, response: Response) -> Iterator[Any]:
        item = self.document_item(response)
        if item["kind"] == "fetched" and item["record_kind"] == "document":
            why = why_not_a_document(response.body[:8192], response.url, cut=len(response.body) > 8192)
            if why and not is_picture(response.body[:16]):
                # archived all the same (raw bytes are kept), and recorded as the portal's defect
                item["reason"], item["message"] = "not_a_document", f"the attachment is no document: {why}"
                self.defects.append({"url": response.url, "reason": "not_a_document", "message": item["message"]})
        yield item

    def document_item(self, response: Response) -> dict:
        doc = dict(response.meta.get("doc") or {})
        status = response.status
        if status in DEAD_STATUSES:
            return self.defect_item(response.url, "dead_link", f"HTTP {status}: listed but not served", kind=record_kind(doc),
                                    status=status, **doc)
        if status == 304:
            kind = "not_modified"
        elif status >= 400:
            kind = "error"
            self.count("documents_failed")
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
            "reason": "http_status" if kind == "error" else None,
            # a picture of an article's body is archived as part of its page, not as a document to parse
            "record_kind": record_kind(doc),
            **doc,
        }

    def closed(self, reason: str) -> None:
        for k, v in self.counts.items():
            self.crawler.stats.set_value(f"xxgk/{k}", v)
