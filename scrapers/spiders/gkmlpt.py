"""gkmlpt (政府信息公开目录平台) portals: _CONFIG tree, the JSON list API and its quirks, posts, attachments.

The list API answers ``{classify, total, offset, articles}``, 100 articles a page; dates are Unix
seconds; items of ``type: "url"`` are links to other pages, not posts; ``total`` can be far below
the category's ``post_count`` (only a recent window is listed).  Paging stops on an empty page, a
repeated page, a 404, or when ``offset`` + the page reaches ``total``; then, when the category holds more posts
than were listed, the rest are asked of the province's site search (``SEARCH_JSONP_URL``, JSONP, 1-based pages),
a host every gkmlpt site shares: its requests hold a lock across crawl processes (:mod:`scrapers.middlewares`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode, urljoin

from scrapy.http import Response

from scrapers.extract import article_meta, gkmlpt_config, gkmlpt_page, gkmlpt_report_category, gkmlpt_search, is_other_notice

from .base import PortalSpider, guarded

MAX_PAGES = 500
SEARCH_PAGE = 20


class GkmlptSpider(PortalSpider):
    platform = "gkmlpt"
    name = "gkmlpt"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.portal.start_urls:
            yield self.list_request(url, self.parse_index)

    @guarded("list_page")
    def parse_index(self, response: Response) -> Iterator[Any]:
        config = gkmlpt_config(response.text)
        if not config:
            yield self.failure_item(response.url, "bad_payload", "no window._CONFIG on the page", kind="list_page", status=response.status)
            return
        node = gkmlpt_report_category(config)
        if not node:
            yield self.failure_item(response.url, "bad_payload", "no annual-report category (年报/年度报告) in the gkmlpt TREE",
                                    kind="list_page", status=response.status)
            return
        base = response.url.split("/gkmlpt/")[0]
        # the site search the registry names, else the one the page names (Guangdong's pages all name search.gd.gov.cn),
        # asked only if its host is one the registry names; none named, none asked
        self.search_url = str(self.portal.options.get("search_jsonp_url") or config.get("SEARCH_JSONP_URL") or "")
        self.listed_ids: set[Any] = set()
        self.post_count: int | None = None
        yield self._page(base, node["id"], str(config.get("SID", "")), 1, None)

    def _page(self, base: str, cat: int, sid: str, page: int, previous_first: Any) -> Any:
        url = urljoin(base + "/", f"gkmlpt/api/all/{cat}?page={page}&sid={sid}")
        return self.list_request(url, self.parse_api, statuses=(404,),
                                 cb_kwargs={"base": base, "cat": cat, "sid": sid, "page": page, "previous_first": previous_first})

    @guarded("list_page")
    def parse_api(self, response: Response, base: str, cat: int, sid: str, page: int, previous_first: Any) -> Iterator[Any]:
        if response.status == 404:
            yield from self._window_ended(base, cat, sid)  # past the last page on sites that 404 there
            return
        listing = gkmlpt_page(response.text, response.url)
        articles: list[dict] = listing["articles"]  # type: ignore[assignment]
        if isinstance(listing["post_count"], int):
            self.post_count = listing["post_count"]  # type: ignore[assignment]
        self.count("skipped_links", len(listing["links"]))  # type: ignore[arg-type]
        for problem in listing["problems"]:  # type: ignore[attr-defined]
            yield self.defect_item(response.url, "malformed_item", problem, kind="list_page", status=response.status)
        yield from self.item_problems(articles, response)  # posts read without a bad field: each fault recorded
        if not articles or articles[0]["id"] == previous_first:
            yield from self._window_ended(base, cat, sid)  # empty, or the site repeats a page: the end
            return
        yield from self._posts(articles, response.url)
        total, offset = listing["total"], listing["offset"]
        listed = len(articles) + len(listing["links"]) + len(listing["problems"])  # type: ignore[arg-type]
        if isinstance(total, int) and isinstance(offset, int) and offset + listed >= total:
            yield from self._window_ended(base, cat, sid)  # the API says this was the last page
            return
        if page < MAX_PAGES:
            yield self._page(base, cat, sid, page + 1, articles[0]["id"])
        else:
            yield self.failure_item(response.url, "page_limit", f"stopped after {MAX_PAGES} pages with more announced (total {total})",
                                    kind="list_page", status=response.status)

    def _window_ended(self, base: str, cat: int, sid: str) -> Iterator[Any]:
        """The list API shows only a recent window: when the category holds more posts than it listed, the rest
        are asked of the province's site search, page by page (1-based, JSONP, the category as ``classify_main``)."""
        missing = (self.post_count or 0) - len(self.listed_ids)
        if missing > 0 and not getattr(self, "searching", False):
            self.searching = True
            self.count("posts_beyond_window", missing)  # in the run's summary either way
            if sid and self.search_url:
                yield self._search(base, cat, sid, 1)

    def _search(self, base: str, cat: int, sid: str, page: int) -> Any:
        params = {"page": page, "pagesize": SEARCH_PAGE, "isgkml": 1, "text": "", "order": 1, "position": "title",
                  "classify_main": cat, "including_url_doc": 0, "including_attach_doc": 1, "callback": "xxgk"}
        url = f"{self.search_url.rstrip('/')}/site/{sid}?{urlencode(params)}"
        req = self.list_request(url, self.parse_search, cb_kwargs={"base": base, "cat": cat, "sid": sid, "page": page})
        # the province's search host serves every gkmlpt site: a shared host, asked one request at a time.  Only when
        # the registry entry names it (search_jsonp_url): a host that only the page names is refused before any
        # connection and recorded (off_registry_host, scrapers.middlewares.RegistryReach)
        req.meta["shared_host"] = True
        return req

    @guarded("list_page")
    def parse_search(self, response: Response, base: str, cat: int, sid: str, page: int) -> Iterator[Any]:
        found = gkmlpt_search(response.text, base + "/")
        for problem in found.get("problems") or []:  # type: ignore[union-attr]
            yield self.defect_item(response.url, "malformed_item", str(problem)[:500], kind="list_page", status=response.status)
        articles = [a for a in found["articles"] if a["url"].startswith(base + "/gkmlpt/content/")]  # type: ignore[union-attr]
        yield from self.item_problems(articles, response)
        yield from self._posts(articles, response.url)
        count = found["count"]
        if found["articles"] and (not isinstance(count, int) or page * SEARCH_PAGE < count) and page < MAX_PAGES:
            yield self._search(base, cat, sid, page + 1)

    def _posts(self, articles: list[dict], referer: str) -> Iterator[Any]:
        for a in articles:
            if a["id"] in self.listed_ids:
                continue  # the search repeats what the API listed
            self.listed_ids.add(a["id"])
            if is_other_notice(str(a["title"] or "")):
                self.count("skipped_not_report")  # listed under the reports, but about one
                continue
            self.count("reports_listed")
            req = self.document_request(str(a["url"]), self.parse_post, referer=referer, title=a["title"],
                                        list_date=a["date"], index_no=a["index_no"], kind="article")
            if req is not None:
                req.cb_kwargs["attachments"] = a["attachments"]
                yield req
                continue
            # the post is archived; its attachments may not all be (a run killed in between), and the archived page
            # may link others (or link to nothing: met again each night without a request)
            listed = {x["url"] for x in a["attachments"]}
            every = a["attachments"] + [x for x in self.missing_attachments(str(a["url"])) if not x["url"] or x["url"] not in listed]
            yield from self.attachment_requests(every, referer=str(a["url"]), list_date=a["date"],
                                                index_no=a["index_no"], title=a["title"])

    @guarded("document")
    def parse_post(self, response: Response, attachments: list[dict] | None = None) -> Iterator[Any]:
        item = self.document_item(response)
        yield item
        if item["kind"] != "fetched":
            return
        doc = response.meta["doc"]
        # the API's attachment list, and documents linked from the post's body (some sites link the PDF only there)
        linked = article_meta(response.text, response.url)["attachments"]
        seen = {a["url"] for a in attachments or []}
        every = list(attachments or []) + [a for a in linked if a["url"] not in seen]
        yield from self.attachment_requests(every, referer=response.url, list_date=doc.get("list_date"),
                                            index_no=doc.get("index_no"), title=doc.get("title"))
