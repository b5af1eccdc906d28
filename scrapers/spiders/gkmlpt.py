"""gkmlpt (政府信息公开目录平台) portals: _CONFIG tree, the JSON list API and its quirks, posts, attachments."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from scrapers.extract import gkmlpt_articles, gkmlpt_config, gkmlpt_report_category, is_other_notice

from .base import PortalSpider, challenge_guarded

MAX_PAGES = 500


class GkmlptSpider(PortalSpider):
    platform = "gkmlpt"
    name = "gkmlpt"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.portal.start_urls:
            yield scrapy.Request(url, callback=self.parse_index, dont_filter=True, meta={"handle_httpstatus_list": [412, 521]})

    @challenge_guarded
    def parse_index(self, response: Response) -> Iterator[Any]:
        config = gkmlpt_config(response.text)
        if not config:
            self.logger.warning("%s: no window._CONFIG on %s", self.portal.id, response.url)
            return
        node = gkmlpt_report_category(config)
        if not node:
            self.logger.warning("%s: no annual-report category in the gkmlpt tree", self.portal.id)
            return
        base = response.url.split("/gkmlpt/")[0]
        yield self._page(base, node["id"], config.get("SID", ""), 1, None)

    def _page(self, base: str, cat: int, sid: str, page: int, previous_first: Any) -> scrapy.Request:
        url = urljoin(base + "/", f"gkmlpt/api/all/{cat}?page={page}&sid={sid}")
        return scrapy.Request(url, callback=self.parse_api, dont_filter=True,
                              cb_kwargs={"base": base, "cat": cat, "sid": sid, "page": page, "previous_first": previous_first},
                              meta={"handle_httpstatus_list": [404, 412, 521]})

    @challenge_guarded
    def parse_api(self, response: Response, base: str, cat: int, sid: str, page: int, previous_first: Any) -> Iterator[Any]:
        if response.status == 404:
            return  # past the last page on sites that 404 there
        _total, articles = gkmlpt_articles(response.text, response.url)
        if not articles or articles[0]["id"] == previous_first:
            return  # empty, or the site repeats a page: the end
        for a in articles:
            if is_other_notice(str(a["title"] or "")):
                self.counts["skipped_not_report"] += 1  # listed under the reports, but about one
                continue
            self.counts["reports_listed"] += 1
            req = self.document_request(str(a["url"]), self.parse_post, referer=response.url, title=a["title"],
                                        list_date=a["date"], index_no=a["index_no"], kind="article")
            if req is not None:
                req.cb_kwargs["attachments"] = a["attachments"]
                yield req
                continue
            # the post is archived; its attachments may not all be (a run killed in between)
            yield from self.attachment_requests(a["attachments"], referer=str(a["url"]), list_date=a["date"], index_no=a["index_no"])
        if page < MAX_PAGES:
            yield self._page(base, cat, sid, page + 1, articles[0]["id"])

    @challenge_guarded
    def parse_post(self, response: Response, attachments: list[dict] | None = None) -> Iterator[Any]:
        item = self.document_item(response)
        yield item
        doc = response.meta["doc"]
        yield from self.attachment_requests(attachments or [], referer=response.url, list_date=doc.get("list_date"), index_no=doc.get("index_no"))
