"""Downloader middlewares: back off from overloaded hosts; say so when a portal redirects elsewhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest


class BackoffMiddleware:
    MAX_DELAY = 120.0

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffMiddleware:
        return cls(crawler)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if response.status in (429, 503):
            slots = getattr(self.crawler.engine.downloader, "slots", {})
            key = request.meta.get("download_slot")
            slot = slots.get(key) if key else None
            if slot is not None:
                retry_after = response.headers.get("Retry-After")
                wait = float(retry_after) if retry_after and retry_after.isdigit() else max(slot.delay * 2, 5.0)
                slot.delay = min(wait, self.MAX_DELAY)
        return response


class OffsiteRedirectMiddleware:
    """A redirect to a host outside the portal fails the request with a reason (``redirect_off_site``).

    Scrapy drops such a redirect silently (its offsite filter sees only the new request, which has no
    errback then); placed above RedirectMiddleware (600), this sees the 3xx first.
    """

    REDIRECTS = (301, 302, 303, 307, 308)

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if response.status not in self.REDIRECTS or "Location" not in response.headers:
            return response
        spider = self.crawler.spider
        target = urljoin(request.url, response.headers["Location"].decode("latin-1"))
        host = urlsplit(target).hostname
        allowed = set(getattr(spider, "allowed_domains", None) or [])
        if allowed and host not in allowed and not request.meta.get("allow_offsite"):
            raise IgnoreRequest(f"redirected off the portal (offsite) to {target}")
        return response


class SharedHostLock:
    """One request at a time to a host that several portals share (a province's site search), across every crawl
    process of the data directory: such a request holds an exclusive lock on ``locks/hosts/{host}.lock`` from
    just before it is sent until its answer (or failure) is back.

    A portal's own host needs no lock: each host's portals are crawled one after another
    (:func:`pipelines.crawl.harvest_many`) and Scrapy keeps one request per host within a crawl.  Requests that
    reach a shared host are marked ``shared_host`` by the spider.  Placed last before the download handler.
    """

    POLL = 0.02  # seconds between tries while another process holds the host

    def __init__(self, crawler: Any) -> None:
        from pathlib import Path

        self.folder = Path(crawler.settings.get("XXGK_DATA_DIR", "data")) / "locks" / "hosts"

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedHostLock:
        return cls(crawler)

    async def process_request(self, request: Any, spider: Any = None) -> None:
        if not request.meta.get("shared_host"):
            return None
        import asyncio
        import fcntl
        import os

        self.folder.mkdir(parents=True, exist_ok=True)
        host = urlsplit(request.url).netloc.replace(":", "_") or "unknown"
        fd = os.open(self.folder / f"{host}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(self.POLL)
        request.meta["_host_lock_fd"] = fd
        return None

    def _release(self, request: Any) -> None:
        import fcntl
        import os

        fd = request.meta.pop("_host_lock_fd", None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Any, exception: Exception, spider: Any = None) -> None:
        self._release(request)
        return None
