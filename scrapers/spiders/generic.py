"""Other CMSs (TRS and the like), driven by selectors in the registry.

Options in ``data/portals.yaml``: ``links`` (XPath of the list's report links, default every ``<a>``),
``next_pages`` (a pagination template such as ``index_{n}.html``, TRS's convention, tried from 1
until a page 404s or lists nothing), ``max_pages``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from scrapers.extract import REPORT_CATEGORY, article_meta, is_report_title, join_url

from .base import PortalSpider, guarded

_DATE = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


class GenericSpider(PortalSpider):
    platform = "generic"
    name = "generic"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.portal.start_urls:
            yield self.list_request(url, self.parse_list, cb_kwargs={"start": url, "n": 0}, statuses=(404,))

    @guarded("list_page")
    def parse_list(self, response: Response, start: str, n: int) -> Iterator[Any]:
        if response.status == 404:
            return
        xpath = self.portal.options.get("links", "//a[@href]")
        listed = 0  # links on the page: a page of other articles is not the end of the list
        for a in response.xpath(xpath):
            title = (a.attrib.get("title") or "".join(a.xpath(".//text()").getall())).strip()
            href = a.attrib.get("href")
            if href:
                listed += 1
            if not href or not is_report_title(title):
                continue
            self.count("reports_listed")
            around = " ".join(a.xpath("./following-sibling::*[1]//text() | ./following-sibling::text()[1]").getall())
            m = _DATE.search(around)
            date = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None
            req = self.document_request(join_url(response.url, href), self.parse_article, referer=response.url, title=title,
                                        list_date=date, index_no=None, kind="article")
            if req is not None:
                yield req
        template = self.portal.options.get("next_pages")
        if template and listed and n < int(self.portal.options.get("max_pages", 50)):
            nxt = urljoin(start, template.format(n=n + 1))
            yield self.list_request(nxt, self.parse_list, cb_kwargs={"start": start, "n": n + 1}, statuses=(404,))

    @guarded("document")
    def parse_article(self, response: Response) -> Iterator[Any]:
        item = self.document_item(response)
        if item["kind"] != "fetched":
            yield item
            return
        meta = article_meta(response.text, response.url)
        if not (REPORT_CATEGORY.search(str(meta.get("category") or "")) or is_report_title(str(meta.get("title") or ""))):
            self.count("skipped_not_report")
            return
        yield item
        yield from self.attachment_requests(meta["attachments"], referer=response.url,
                                            list_date=response.meta["doc"].get("list_date"), index_no=meta.get("index_no"))
