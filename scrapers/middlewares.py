"""Back off from a host that says it is overloaded (429, 503): double its delay, up to a limit."""

from __future__ import annotations

from typing import Any


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
