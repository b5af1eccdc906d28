"""Discovery: from a site's address to what a registry entry needs — platform, report column, sub-sites.

A few pages per site, fetched with the crawl's politeness (robots.txt, one request at a time per host,
delays): the start page is fingerprinted (:mod:`scrapers.fingerprint`); the annual-report column is looked
for on it and, failing that, on the pages of its disclosure section; the column page itself is fetched and
fingerprinted too (a city's home page may run one CMS and its disclosure catalogue another); for gkmlpt the
instance's ``/gkmlpt/index`` gives its SID and TREE.  Departments' sub-sites linked from there are
discovered the same way, one level down.  Every site ends as one finding per column, or as one finding
saying what was seen and why nothing was found — never silence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from scrapers.discovery import (MAX_FOLLOW, disclosure_pages, gkmlpt_prefix, gkmlpt_search_url, gkmlpt_sid, report_columns,
                                sub_sites)
from scrapers.extract import is_challenge
from scrapers.failures import classify
from scrapers.fingerprint import SPIDER_PLATFORM, fingerprint

MAX_SUB_SITES = 60  # departments followed from one site


class DiscoverSpider(scrapy.Spider):
    name = "discover"

    def __init__(self, urls: str = "[]", out: str = "discovered.json", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites: list[str] = json.loads(urls)
        self.out = Path(out)
        self.findings: dict[str, dict[str, Any]] = {}

    async def start(self) -> Any:
        for url in self.sites:
            self.findings[url] = {"site": url, "columns": [], "sub_sites": [], "platform": None, "notes": []}
            yield self._request(url, self.parse_start, site=url, depth=0)

    def _request(self, url: str, callback: Any, **kw: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.failed, cb_kwargs=kw, meta={"site": kw.get("site"),
                              "handle_httpstatus_list": [404, 403, 412, 521]}, dont_filter=True)

    def failed(self, failure: Any) -> None:
        site = failure.request.meta.get("site")
        reason, message = classify(failure.value)
        if site in self.findings:
            self.findings[site]["notes"].append(f"{failure.request.url}: {reason or 'robots'}: {message}")

    def _usable(self, response: Response, site: str) -> bool:
        if is_challenge(response.status, response.body):
            self.findings[site]["notes"].append(f"{response.url}: a challenge page (anti-bot): not circumvented")
            self.findings[site]["blocked"] = True
            return False
        if response.status >= 400:
            self.findings[site]["notes"].append(f"{response.url}: HTTP {response.status}")
            return False
        return True

    def parse_start(self, response: Response, site: str, depth: int, followed: int = 0, parent: str | None = None) -> Iterator[Any]:
        if not self._usable(response, site):
            return
        text = response.text
        fp = fingerprint(response.url, text)
        finding = self.findings[site]
        if finding["platform"] is None and fp.platform:
            finding.update(platform=fp.platform, confidence=fp.confidence, evidence=fp.evidence)
        elif fp.platform is None and not finding.get("seen"):
            finding["seen"] = fp.describe()
        finding.setdefault("title", _title(text))
        if fp.platform == "gkmlpt" and gkmlpt_sid(text) is None and gkmlpt_prefix(response.url) and not response.url.endswith("/gkmlpt/index"):
            yield self._request(gkmlpt_prefix(response.url) + "/gkmlpt/index", self.parse_start, site=site, depth=depth, followed=followed)
            return
        if fp.platform == "gkmlpt":
            finding["sid"] = gkmlpt_sid(text) or finding.get("sid")
            if gkmlpt_search_url(text):  # the entry must name it for the crawl to ask it (off_registry_host otherwise)
                finding["search_jsonp_url"] = gkmlpt_search_url(text)
        columns = report_columns(response.url, text, fp.platform)
        for col in columns:
            yield self._request(col.url, self.parse_column, site=site, column=col.__dict__)
        if depth == 0:
            for sub in sub_sites(response.url, text, fp.platform)[:MAX_SUB_SITES]:
                if sub.url not in self.findings and sub.url not in finding["sub_sites"]:
                    finding["sub_sites"].append(sub.url)
                    self.findings[sub.url] = {"site": sub.url, "parent": site, "name": sub.text, "columns": [], "sub_sites": [],
                                              "platform": None, "notes": []}
                    yield self._request(sub.url, self.parse_start, site=sub.url, depth=1)
        if not columns and followed < MAX_FOLLOW:
            gk = _gkmlpt_link(response.url, text)
            nexts = ([gk] if gk else []) + disclosure_pages(response.url, text)
            for url in nexts[: MAX_FOLLOW - followed]:
                yield self._request(url, self.parse_start, site=site, depth=depth, followed=followed + 1)

    def parse_column(self, response: Response, site: str, column: dict) -> Iterator[Any]:
        if not self._usable(response, site):
            return
        fp = fingerprint(response.url, response.text)
        finding = self.findings[site]
        platform = fp.platform or finding.get("platform")
        entry = {**column, "platform": platform, "spider": SPIDER_PLATFORM.get(platform or ""),
                 "confidence": fp.confidence if fp.platform else finding.get("confidence", "unknown"),
                 "evidence": fp.evidence if fp.platform else finding.get("evidence", [])}
        if entry not in finding["columns"]:
            finding["columns"].append(entry)
        yield from ()

    def closed(self, reason: str) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.out.with_name(self.out.name + ".tmp")
        tmp.write_text(json.dumps(list(self.findings.values()), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.out)


def _title(html: str) -> str | None:
    import re

    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    return " ".join(m.group(1).split())[:80] if m else None


def _gkmlpt_link(url: str, html: str) -> str | None:
    """A link from a site's own CMS to its gkmlpt catalogue on the same host (Guangdong cities' home pages)."""
    from scrapers.discovery import links

    host = urlsplit(url).hostname
    for ln in links(html, url):
        prefix = gkmlpt_prefix(ln.url)
        if prefix and urlsplit(ln.url).hostname == host and gkmlpt_prefix(url) != prefix:
            return prefix + "/gkmlpt/index"
    return None
