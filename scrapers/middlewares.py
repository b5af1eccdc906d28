"""Downloader middlewares: the registry's reach before anything else; back off from overloaded hosts; say so when a
portal redirects elsewhere; one request at a time to a shared host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest

from scrapers.failures import Refused

WEB_SCHEMES = ("http", "https")
MAX_URL = 8192  # characters: a longer address is a broken page, not a document


def registry_hosts(spider: Any) -> set[str] | None:
    """The hosts a portal spider may ask (its registry entry's); None for a spider without a portal (discovery)."""
    hosts = getattr(spider, "registry_hosts", None)
    return set(hosts) if hosts is not None else None


class RegistryReach:
    """Every request, before robots.txt, the offsite filter or any connection: http(s) only, and for a portal's
    spider only the hosts its registry entry names (start URLs' hosts, ``attachment_hosts``, ``search_jsonp_url``).

    Anything else — a host or a scheme named only by a page, a link, a script or a redirect — is refused with its
    reason (:class:`~scrapers.failures.Refused`, an ``IgnoreRequest``), which the request's errback records; no
    byte is sent.  Runs first (priority 10), so the robots.txt middleware never asks a refused host for its
    robots.txt, and a redirect's new request (which passes here again) is held to the same hosts.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RegistryReach:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        refused = refusal(request.url, registry_hosts(self.crawler.spider), redirected=bool(request.meta.get("redirect_urls")))
        if refused:
            raise Refused(*refused)
        return None


def refusal(url: str, hosts: set[str] | None, *, redirected: bool = False) -> tuple[str, str] | None:
    """(reason, message) when ``url`` may not be asked — a scheme other than http(s), a host outside ``hosts`` (None:
    any host), an over-long or unreadable address — else None.  A redirect's refusal is ``redirect_off_site``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as e:
        return "malformed_item", f"an address that cannot be read ({e}): never fetched"
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        if redirected:
            return "redirect_off_site", f"redirected off the web (offsite) to a {scheme or 'schemeless'}: address: never fetched"
        return "unsupported_scheme", f"a {scheme or 'schemeless'}: link, not http(s): never fetched"
    if not host or (hosts is not None and host not in hosts):
        if redirected:
            return "redirect_off_site", f"redirected off the portal (offsite) to {host}: never contacted"
        return "off_registry_host", f"{host} is not a host of the portal's registry entry: never contacted"
    if len(url) > MAX_URL:
        return "malformed_item", f"an address of {len(url)} characters: never fetched"
    return None


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
        try:
            target = urljoin(request.url, response.headers["Location"].decode("latin-1"))
            parts = urlsplit(target)
            host, scheme = parts.hostname, parts.scheme.lower()
        except ValueError:
            raise IgnoreRequest(f"redirected off the portal (offsite) to an unreadable address {response.headers['Location'][:200]!r}") from None
        if scheme not in WEB_SCHEMES:  # ftp:, file: … from a redirect: never followed
            raise IgnoreRequest(f"redirected off the portal (offsite) to {target[:300]}")
        hosts = registry_hosts(spider)
        allowed = hosts if hosts is not None else set(getattr(spider, "allowed_domains", None) or [])
        # no exception for any request: the shared search host is a registry host like the others, and a redirect
        # from it goes only where the registry allows
        if allowed and host not in allowed:
            raise IgnoreRequest(f"redirected off the portal (offsite) to {target[:300]}")
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
