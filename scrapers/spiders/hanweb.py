"""Hanweb JCMS (大汉) portals: column pages, the datastore/dataproxy paging or the newer JPaaS gateway, articles,
attachments."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from scrapers.extract import REPORT_CATEGORY, article_meta, hanweb_proxy, hanweb_records, hanweb_total, is_report_title

from scrapers.jpaas_pages import PAGE_SIZE, answer, page_url, unit

from .base import PortalSpider, guarded

MAX_JPAAS_PAGES = 500  # an annual-report column has a few pages; a pager that never ends is a broken site


class HanwebSpider(PortalSpider):
    platform = "hanweb"
    name = "hanweb"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.portal.start_urls:
            # list pages are always read again: they are how we learn what changed
            yield self.list_request(url, self.parse_column)

    @guarded("list_page")
    def parse_column(self, response: Response) -> Iterator[Any]:
        text = response.text
        jpaas = unit(text, response.url)
        if jpaas is not None:  # the newer pager: the records come from the API gateway
            yield self.list_request(page_url(jpaas, 1), self.parse_jpaas, cb_kwargs={"u": jpaas, "page": 1, "referer": response.url})
            return
        yield from self._records(hanweb_records(text, response.url), response.url)
        proxy = hanweb_proxy(text, response.url)
        total = hanweb_total(text) or None
        if proxy:
            per = int(proxy["perpage"])
            first = len(hanweb_records(text, response.url))
            yield self._proxy_request(proxy, first + 1, per, total, response.url)

    def _proxy_request(self, proxy: dict, start: int, per: int, total: int | None, referer: str) -> scrapy.FormRequest:
        params = dict(proxy["params"])
        end = start + per - 1
        url = f"{proxy['url']}?startrecord={start}&endrecord={end}&perpage={per}"
        return self.list_request(url, self.parse_proxy, formdata={k: str(v) for k, v in params.items()}, statuses=(404,),
                                 cb_kwargs={"proxy": proxy, "start": start, "per": per, "referer": referer})

    @guarded("list_page")
    def parse_proxy(self, response: Response, proxy: dict, start: int, per: int, referer: str) -> Iterator[Any]:
        if response.status == 404:
            # sites serve the proxy at /module/web/jpage/dataproxy.jsp or /module/jpage/dataproxy.jsp; the other one 404s
            other = _other_proxy_path(str(proxy["url"]))
            if other and not proxy.get("tried_other"):
                yield self._proxy_request({**proxy, "url": other, "tried_other": True}, start, per, None, referer)
            else:
                yield self.failure_item(response.url, "http_status", "HTTP 404 from the paging proxy", kind="list_page", status=404)
            return
        records = hanweb_records(response.text, referer)
        yield from self._records(records, referer)
        total = hanweb_total(response.text)
        nxt = start + per
        if records and (total is None or nxt <= total):
            yield self._proxy_request(proxy, nxt, per, total, referer)

    @guarded("list_page")
    def parse_jpaas(self, response: Response, u: dict, page: int, referer: str) -> Iterator[Any]:
        records, count = answer(response.text, referer)
        yield from self._records(records, referer)
        more = bool(records) and (count is None or page * PAGE_SIZE < count)
        if more and page < MAX_JPAAS_PAGES:
            yield self.list_request(page_url(u, page + 1), self.parse_jpaas, cb_kwargs={"u": u, "page": page + 1, "referer": referer})
        elif more:
            yield self.failure_item(response.url, "page_limit", f"stopped after {MAX_JPAAS_PAGES} pages with {count} records announced",
                                    kind="list_page", status=response.status)

    def _records(self, records: list[dict], referer: str) -> Iterator[Any]:
        listed: set[str] = self.__dict__.setdefault("_listed", set())
        for rec in records:
            if rec["url"] in listed:
                # dataproxy answers groups of pages (perPage × groupSize, often 45 records) and a group may repeat
                # the last record of the one before: a record is read once
                self.count("records_repeated")
                continue
            listed.add(str(rec["url"]))
            title = str(rec["title"] or "")
            if not is_report_title(title):
                self.count("skipped_not_report")
                continue
            self.count("reports_listed")
            req = self.document_request(str(rec["url"]), self.parse_article, referer=referer, title=title,
                                        list_date=rec["date"], index_no=None, kind="article")
            if req is not None:
                yield req
                continue
            yield from self.attachment_requests(self.missing_attachments(str(rec["url"])), referer=str(rec["url"]),
                                                list_date=rec["date"], index_no=None)

    @guarded("document")
    def parse_article(self, response: Response) -> Iterator[Any]:
        item = self.document_item(response)
        if item["kind"] != "fetched":
            yield item
            return
        meta = article_meta(response.text, response.url)
        category = str(meta.get("category") or "")
        title = str(meta.get("title") or item.get("title") or "")
        if not (REPORT_CATEGORY.search(category) or is_report_title(title)):
            self.count("skipped_not_report")
            return  # not a report after all: neither it nor its attachments are kept
        item["index_no"] = meta.get("index_no") or item.get("index_no")
        yield item
        yield from self.attachment_requests(meta["attachments"], referer=response.url, title=title,
                                            list_date=response.meta["doc"].get("list_date"), index_no=item["index_no"])


def _other_proxy_path(url: str) -> str | None:
    for a, b in (("/module/web/jpage/dataproxy.jsp", "/module/jpage/dataproxy.jsp"), ("/module/jpage/dataproxy.jsp", "/module/web/jpage/dataproxy.jsp")):
        if a in url:
            return url.replace(a, b)
    return None
