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
