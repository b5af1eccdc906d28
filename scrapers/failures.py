"""Why a request failed, in the archive's vocabulary (:data:`archive.records.REASONS`).

Scrapy 2.19 raises its own download exceptions (``DownloadTimeoutError`` …); older handlers and
middlewares raise Twisted's.  Both are mapped here, once, so every callback and errback says the
same thing for the same failure.
"""

from __future__ import annotations

from typing import Any

from scrapy import exceptions as sx
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((HttpError,), "http_status"),
    ((sx.DownloadTimeoutError, tx.TimeoutError, tx.TCPTimedOutError), "timeout"),
    ((sx.CannotResolveHostError, tx.DNSLookupError), "dns"),
    ((sx.DownloadCancelledError,), "too_large"),
    ((sx.DownloadConnectionRefusedError, tx.ConnectionRefusedError, tx.ConnectionLost, tx.ConnectionDone,
      sx.ResponseDataLossError, ResponseFailed, ResponseNeverReceived, sx.DownloadFailedError), "connection"),
)


class Refused(sx.IgnoreRequest):
    """A request the crawler will not make, with the archive's reason: a host the portal's registry entry does not
    name (``off_registry_host``), a scheme other than http(s) (``unsupported_scheme``), a redirect to either
    (``redirect_off_site``) — raised before any connection (:class:`scrapers.middlewares.RegistryReach`)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def classify(error: BaseException) -> tuple[str | None, str]:
    """(reason, message) of a failed request; reason None for a robots.txt refusal (a choice, not a failure)."""
    if isinstance(error, Refused):
        return error.reason, str(error)[:500]
    message = f"{type(error).__name__}: {error}"[:500]
    if isinstance(error, HttpError):  # an IgnoreRequest too: first
        status = status_of(error)
        return "http_status", f"HTTP {status}" if status else message
    if isinstance(error, sx.IgnoreRequest):
        text = str(error)
        if "robots.txt" in text:
            return None, message
        if "max redirections" in text:
            return "redirect_loop", message
        if "offsite" in text:
            return "redirect_off_site", message
        return "other", message
    if "SSL" in type(error).__name__ or "ssl" in type(error).__module__:
        return "ssl", message
    for types, reason in _BY_TYPE:
        if isinstance(error, types):
            return reason, message
    if "max size" in str(error) or "maxsize" in str(error):
        return "too_large", message
    return "other", message


def status_of(error: BaseException) -> int | None:
    response: Any = getattr(error, "response", None)
    return getattr(response, "status", None)
