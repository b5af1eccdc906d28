"""What the spiders read from each kind of page, as plain functions of the page's text.

Kept apart from Scrapy so that saved example pages can be checked against reviewed expectations
(``tests/spiders/examples``) without a crawl, the way juriscraper tests its site scrapers.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from lxml import etree

REPORT_TITLE = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,12}(?:年度报告|年报)|(?:年度报告|年报).{0,6}(?:政府信息公开|信息公开)")
REPORT_CATEGORY = re.compile(r"信息公开年报|政府信息公开年度报告|年度报告|年报")
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?)(?:$|[?&#])", re.I)
CHALLENGE_STATUS = {412, 521}
_CHALLENGE_TEXT = re.compile("请稍候|请稍后|正在验证|__jsl_clearance|acw_sc__v2|document\\.cookie")

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_HREF = re.compile(r"""<a[^>]*href=["']([^"']+)["'][^>]*>""", re.I)
_TITLE_ATTR = re.compile(r"""title=["']([^"']+)["']""")
_DATE = re.compile(r"(20\d{2}-\d{1,2}-\d{1,2})")
_PROXY_PARAM_KEYS = ("col", "appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype", "sourceContentType")
_PERPAGE = re.compile(r"perPage\s*:\s*(\d+)")
_PROXY_URL = re.compile(r"""proxyUrl\s*:\s*['"]([^'"]+)['"]""")
_CONFIG = re.compile(r"window\._CONFIG\s*=\s*(\{.*?\})\s*;\s*</script>", re.S)


NOT_A_REPORT_TITLE = re.compile(r"解读|图解|一图读懂|说明|答记者问|的通知|征求意见|新闻发布")


def is_report_title(title: str) -> bool:
    compact = "".join(title.split())
    return bool(REPORT_TITLE.search(compact)) and not NOT_A_REPORT_TITLE.search(compact)


def is_other_notice(title: str) -> bool:
    """Posts about a report (its interpretation, an infographic, a notice) rather than the report."""
    return bool(NOT_A_REPORT_TITLE.search("".join(title.split())))


def is_challenge(status: int, body: bytes) -> bool:
    """A JavaScript challenge (anti-bot) page instead of content."""
    if status in CHALLENGE_STATUS:
        return True
    head = body[:4096].decode("utf-8", "replace")
    return len(body) < 8000 and "<script" in head and bool(_CHALLENGE_TEXT.search(head))


def hanweb_records(text: str, base: str) -> list[dict[str, str | None]]:
    """The records of a Hanweb datastore (embedded in the column page or answered by dataproxy.jsp)."""
    out = []
    for rec in _RECORD.findall(text):
        href = _HREF.search(rec)
        if not href:
            continue
        title = _TITLE_ATTR.search(rec)
        date = _DATE.search(rec)
        label = re.sub(r"<[^>]+>", "", rec)
        out.append(
            {
                "url": urljoin(base, href.group(1).replace("&amp;", "&")),
                "title": (title.group(1) if title else label).strip(),
                "date": date.group(1) if date else None,
            }
        )
    return out


def hanweb_total(text: str) -> int | None:
    m = _TOTAL.search(text)
    return int(m.group(1)) if m else None


def hanweb_proxy(text: str, base: str) -> dict[str, object] | None:
    """Where and with which form fields to ask for the column's further records."""
    params: dict[str, str] = {}
    # the jpage call's own parameter object first; links elsewhere on the page carry encoded copies
    block = re.search(r"(?:ajaxParam|param)\s*:\s*(\{[^}]*\})", text)
    scopes = [block.group(1), text] if block else [text]
    for key in _PROXY_PARAM_KEYS:
        for scope in scopes:
            m = re.search(rf"""["']?{key}["']?\s*[:=]\s*["']?([^,"'}}&\s]+)""", scope)
            if m:
                params[key] = m.group(1)
                break
    if "columnid" not in params:
        return None
    per = _PERPAGE.search(text)
    proxy = _PROXY_URL.search(text)
    path = proxy.group(1) if proxy else "/module/web/jpage/dataproxy.jsp"
    # the column lives under the portal's path prefix; the proxy is relative to it
    prefix = base.split("/col/")[0] if "/col/" in base else base.rsplit("/", 1)[0]
    return {"url": prefix.rstrip("/") + path, "params": params, "perpage": int(per.group(1)) if per else 15}


def _text(el: etree._Element) -> str:
    return "".join(el.itertext()).strip()


_META_LABEL = re.compile(r"^(?:索引号|组配分类|主题分类|发布机构|信息来源|成文日期|发布日期|公开方式|文号)\s*[:：]?$")


def _meta_value(flat: str, label: str) -> str | None:
    """The value printed after a metadata label (label and value in cells or spans of their own)."""
    m = re.search(rf"{label}\s*[:：]?\s*\t?\s*([^\t\n]*)", flat)
    if not m:
        return None
    value = m.group(1).strip()
    return None if not value or _META_LABEL.match(value) or value.endswith(("：", ":")) else value


def article_meta(html: str, base: str) -> dict[str, object]:
    """An article page: title, 组配分类, 索引号 and its attachment links."""
    root = etree.fromstring(html, etree.HTMLParser())
    if root is None:
        return {"title": None, "category": None, "index_no": None, "attachments": []}
    flat = "\t".join(t.strip() for t in root.itertext() if t.strip())
    cat = _meta_value(flat, "组配分类")
    idx = _meta_value(flat, "索引号")
    title = None
    for xp in ("//meta[@name='ArticleTitle']/@content", "//h1", "//title"):
        found = root.xpath(xp)
        if found:
            title = found[0] if isinstance(found[0], str) else _text(found[0])
            break
    attachments = []
    for a in root.xpath("//a[@href]"):
        href = a.get("href")
        if "downfile.jsp" in href or ATTACHMENT_EXT.search(href):
            attachments.append({"url": urljoin(base, href), "name": _text(a) or None})
    return {
        "title": title,
        "category": cat,
        "index_no": idx,
        "attachments": attachments,
    }


def gkmlpt_config(html: str) -> dict | None:
    m = _CONFIG.search(html)
    if not m:
        return None
    raw = m.group(1)
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        # a JS object literal: quote the bare keys and single-quoted strings, then try again
        fixed = re.sub(r"([{,]\s*)([A-Za-z_]\w*)\s*:", r'\1"\2":', raw).replace("'", '"')
        try:
            return json.loads(fixed)
        except json.JSONDecodeError:
            return None


def gkmlpt_report_category(config: dict) -> dict | None:
    """The category node of the annual reports in a gkmlpt TREE (whose name holds 年报/年度报告)."""
    stack = list(config.get("TREE") or [])
    while stack:
        node = stack.pop(0)
        if re.search(r"年报|年度报告", str(node.get("name", ""))):
            return node
        stack += node.get("children") or []
    return None


def gkmlpt_articles(payload: str, base: str) -> tuple[int | None, list[dict[str, object]]]:
    """(post_count, articles) from an API answer; articles with absolute post and attachment URLs."""
    data = json.loads(payload)
    total = (data.get("classify") or {}).get("post_count")
    out = []
    for a in data.get("articles") or []:
        url = a.get("url") or a.get("post_url")
        out.append(
            {
                "id": a.get("id"),
                "url": urljoin(base, url) if url else None,
                "title": a.get("title"),
                "date": (a.get("date") or a.get("display_publish_time") or "")[:10] or None,
                "index_no": a.get("identifier") or None,
                "attachments": [{"url": urljoin(base, x["url"]), "name": x.get("name")} for x in a.get("attachment") or [] if x.get("url")],
            }
        )
    return total, out
