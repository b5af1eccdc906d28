"""The fetch record: one row of the manifest, shared by the Scrapy pipeline and the folder importer.

It carries everything the list page said about a document (title, list date, 索引号, attachment
name) through to the reports, and for a failure the reason from a fixed vocabulary.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field

# what happened to a fetch
OUTCOMES = {
    "new": "a document archived for the first time",
    "changed": "a document archived again with other bytes",
    "unchanged": "a document fetched (or answered 304) with the bytes already archived",
    "blocked": "a challenge (anti-bot) page instead of content: never circumvented",
    "error": "a list page, API page or document that could not be fetched or understood (see reason)",
    "skipped": "a file of a folder portal that holds no document (hidden, empty, binary of no document type), or a link the "
               "crawler refuses (a host the registry entry does not name, a scheme other than http(s)): listed, not fetched",
}
# why a fetch failed (outcome error or blocked)
REASONS = {
    "not_a_document": "the file holds no document any reader takes (hidden, empty, or binary of no document type)",
    "http_status": "the server answered with an error status (after retries)",
    "timeout": "no answer within the download timeout",
    "dns": "the host name could not be resolved",
    "connection": "connection refused, reset or lost",
    "bad_payload": "the answer could not be understood (malformed JSON or XML, missing required fields)",
    "too_large": "the answer was larger than allowed for its kind",
    "redirect_off_site": "redirected to a host outside the portal",
    "redirect_loop": "too many redirects",
    "page_limit": "paging stopped at the portal's page limit with more pages announced",
    "time_limit": "the portal's time limit was reached before the crawl finished",
    "blocked": "a challenge page (412/521, $_ts, 请稍候, 安全验证)",
    "spider_exception": "the spider failed on this page (a bug or an unexpected page): see message",
    "ssl": "the TLS handshake failed",
    "archive_write": "fetched, but the archive could not write it (disk full, a name the file system refuses …): nothing left behind",
    "other": "any other failure: see message",
    # the portal's own defects: found on it, reported once when new, never a failure of the harvest
    "dead_link": "source defect: a listed document answers 404 or 410 (the portal lists what it does not serve)",
    "malformed_item": "source defect: a list item that cannot be used (no id and no URL, a field of the wrong type)",
    "link_to_nothing": "source defect: a page names a document but its link leads nowhere (empty, #, javascript:)",
    # the crawler's reach is the registry's (#23): what a page names elsewhere is refused, recorded, never contacted
    "off_registry_host": "source defect: a page, link or script names a host the portal's registry entry does not "
                         "(its start URLs' hosts, attachment_hosts, search_jsonp_url): refused, never contacted",
    "unsupported_scheme": "source defect: a link of a scheme other than http(s) (ftp:, file: …): recorded, never fetched",
}
# Reasons that are the portal's own defects rather than failures of the harvest (see pipelines/crawl.py).
DEFECT_REASONS = frozenset({"dead_link", "malformed_item", "link_to_nothing", "not_a_document", "off_registry_host",
                            "unsupported_scheme"})
# Reasons of a link the crawler refuses to follow (#23): recorded as ``skipped`` (a choice, never a connection), and
# the portal's defects all the same (counted new once, never a failed harvest).
REFUSAL_REASONS = frozenset({"off_registry_host", "unsupported_scheme"})
KINDS = ("document", "list_page", "image")  # image: a picture of an article's body, read with its page (referer)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class FetchRecord:
    portal: str
    url: str
    outcome: str
    kind: str = "document"  # document | list_page | image
    reason: str | None = None
    message: str | None = None
    referer: str | None = None
    title: str | None = None  # the list page's title of the document
    list_date: str | None = None
    index_no: str | None = None
    attachment_name: str | None = None
    status: int | None = None
    content_type: str | None = None
    bytes: int | None = None
    sha256: str | None = None
    path: str | None = None
    fetched_at: str = field(default_factory=now_iso)
    etag: str | None = None
    last_modified: str | None = None
    run_id: str | None = None
    fetch_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")
        if self.reason is not None and self.reason not in REASONS:
            raise ValueError(f"unknown reason {self.reason!r}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")

    def as_row(self) -> dict[str, object]:
        return asdict(self)


FIELDS = tuple(FetchRecord.__dataclass_fields__)
