"""NFCMS portals: the column's static JSON (``/postmeta/i/{cat}.json``) and its sub-columns, then the posts.

The start URL is the column page (its ``NFCMS_CAT_ID`` names the JSON) or the column JSON itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from scrapers.extract import is_report_title
from scrapers.nfcms_pages import column, column_json_url, page_ids

from .base import guarded
from .generic import GenericSpider

MAX_COLUMNS = 50  # sub-columns followed from one start (a year per column is common)


class NfcmsSpider(GenericSpider):
    platform = "nfcms"
    name = "nfcms"

    async def start(self) -> AsyncIterator[Any]:
        self.columns_seen: set[str] = set()
        for url in self.portal.start_urls:
            if url.split("?")[0].endswith(".json"):
                yield self._column(url)
            else:
                yield self.list_request(url, self.parse_page)

    def _column(self, url: str) -> Any:
        self.columns_seen.add(url)
        return self.list_request(url, self.parse_column)

    @guarded("list_page")
    def parse_page(self, response: Response) -> Iterator[Any]:
        cat = page_ids(response.text).get("NFCMS_CAT_ID")
        if not cat:
            yield self.failure_item(response.url, "bad_payload", "no NFCMS_CAT_ID on the column page", kind="list_page", status=response.status)
            return
        yield self._column(column_json_url(response.url, cat))

    @guarded("list_page")
    def parse_column(self, response: Response) -> Iterator[Any]:
        listing = column(response.text, response.url)
        for problem in listing.get("problems") or []:  # type: ignore[union-attr]
            yield self.defect_item(response.url, "malformed_item", str(problem)[:500], kind="list_page", status=response.status)
        yield from self.item_problems(listing["articles"], response)  # type: ignore[arg-type]
        for a in listing["articles"]:  # type: ignore[union-attr]
            title = str(a["title"] or "")
            if not is_report_title(title):
                self.count("skipped_not_report")
                continue
            self.count("reports_listed")
            req = self.document_request(str(a["url"]), self.parse_article, referer=response.url, title=title,
                                        list_date=a["date"], index_no=None, kind="article")
            if req is not None:
                yield req
            else:
                yield from self.attachment_requests(self.missing_attachments(str(a["url"])), referer=str(a["url"]),
                                                    list_date=a["date"], index_no=None)
        for child in listing["children"]:  # type: ignore[union-attr]
            url = column_json_url(response.url, str(child))
            if url not in self.columns_seen and len(self.columns_seen) < MAX_COLUMNS:
                yield self._column(url)
