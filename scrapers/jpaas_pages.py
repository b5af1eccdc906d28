"""Hanweb's newer JPaaS pager (Zhejiang sites since about 2021): the column page's records come from an API gateway.

The column page names the gateway and the unit's parameters on its ``unitbuild.js`` script tag:
``<script src="/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
queryData="{'webId':'3095','pageId':'1229165988','tagId':'信息列表','tplSetId':'…','pageType':'column',
'parseType':'bulidstatic','editType':'null'}">`` (single-quoted JSON; ``bulidstatic`` is the real spelling).
A page is asked for with those parameters and ``paramJson={"pageNo":N,"pageSize":15}`` (a bare ``pageNo`` is
ignored); the answer is ``{"success": true, "data": {"html": "<ul>…</ul><div class=pagination count=…>"}}``.
Shapes and sources: tests/spiders/real/SOURCES.md.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urljoin

from lxml import etree

from .extract import BadPayload, join_url, load_json, printed_date

PAGE_SIZE = 15


def unit(html: str, base: str) -> dict[str, object] | None:
    """The gateway URL and the unit's parameters, from the column page's ``unitbuild.js`` tag (None: no JPaaS)."""
    root = etree.fromstring(html, etree.HTMLParser()) if html.strip() else None
    if root is None:
        return None
    for s in root.xpath("//script[contains(@src, 'unitbuild.js')]"):
        url, query = s.get("url"), s.get("querydata") or s.get("queryData")
        if not url or not query:
            continue
        try:
            params = json.loads(query.replace("'", '"'))
        except json.JSONDecodeError:
            continue
        if isinstance(params, dict):
            return {"url": urljoin(base, url), "params": {k: str(v) for k, v in params.items()}}
    return None


def page_url(u: dict[str, object], page: int, size: int = PAGE_SIZE) -> str:
    params = dict(u["params"])  # type: ignore[arg-type]
    params["paramJson"] = json.dumps({"pageNo": page, "pageSize": size}, separators=(",", ":"))
    return f"{u['url']}?{urlencode(params)}"


def answer(payload: str, base: str) -> tuple[list[dict[str, str | None]], int | None]:
    """(records, the column's record count) of a gateway answer."""
    data = load_json(payload)
    if not isinstance(data, dict) or not data.get("success") or not isinstance(data.get("data"), dict):
        raise BadPayload(f"not a JPaaS answer: {str(data)[:120]}")
    html = str(data["data"].get("html") or "")
    if not html.strip():
        return [], None
    root = etree.fromstring(f"<div>{html}</div>", etree.HTMLParser())
    records = []
    for li in root.xpath("//li[.//a[@href]]"):
        a = li.xpath(".//a[@href]")[0]
        title = " ".join((a.get("title") or "".join(a.itertext())).split())
        records.append({"url": join_url(base, a.get("href")), "title": title,
                        "date": printed_date(" ".join(li.xpath("string(.)").split()).replace(title, ""))})
    count = root.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' pagination ')]/@count")
    return records, int(count[0]) if count and str(count[0]).isdigit() else None
