"""TRS WCM portals: the annual-report column's static pages, paged as its pager says (no options needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from scrapers.extract import is_report_title
from scrapers.trs_pages import articles, pager

from .base import guarded
from .generic import GenericSpider


class TrsSpider(GenericSpider):
    platform = "trs"
    name = "trs"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.portal.start_urls:
            yield self.list_request(url, self.parse_column, cb_kwargs={"first": True})

    @guarded("list_page")
    def parse_column(self, response: Response, first: bool = False) -> Iterator[Any]:
        for rec in articles(response.text, response.url):
            title = str(rec["title"] or "")
            if not is_report_title(title):
                self.count("skipped_not_report")
                continue
            self.count("reports_listed")
            req = self.document_request(str(rec["url"]), self.parse_article, referer=response.url, title=title,
                                        list_date=rec["date"], index_no=None, kind="article")
            if req is not None:
                yield req
            else:
                yield from self.attachment_requests(self.missing_attachments(str(rec["url"])), referer=str(rec["url"]),
                                                    list_date=rec["date"], index_no=None)
        p = pager(response.text)
        if first and p is not None:
            for n in range(1, p.count):  # page 0 is this one
                yield self.list_request(p.url(response.url, n), self.parse_column)
