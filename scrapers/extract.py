"""What the spiders read from each kind of page, as plain functions of the page's text.

Kept apart from Scrapy so that saved example pages can be checked against reviewed expectations
(``tests/spiders/examples``) without a crawl, the way juriscraper tests its site scrapers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from urllib.parse import unquote, urljoin

from lxml import etree

from parsers.readers.html import body_images

REPORT_TITLE = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,12}(?:年度报告|年报)|(?:年度报告|年报).{0,6}(?:政府信息公开|信息公开)")
REPORT_CATEGORY = re.compile(r"信息公开年报|政府信息公开年度报告|年度报告|年报")
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?)(?:$|[?&#])", re.I)
_NOWHERE = re.compile(r"^(?:#.*|javascript:.*|about:blank)?$", re.I)  # an href that leads to no document
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


_BEIJING = dt.timezone(dt.timedelta(hours=8))  # gkmlpt dates are Beijing midnights as Unix seconds

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
                "url": join_url(base, href.group(1).replace("&amp;", "&")),
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
                # nextgroup links carry the values URL-encoded; the form encodes them again when posted
                params[key] = unquote(m.group(1))
                break
    if "columnid" not in params:
        return None
    per = _PERPAGE.search(text)
    proxy = _PROXY_URL.search(text)
    path = proxy.group(1) if proxy else "/module/web/jpage/dataproxy.jsp"
    # the column lives under the portal's path prefix; the proxy is relative to it
    prefix = base.split("/col/")[0] if "/col/" in base else base.rsplit("/", 1)[0]
    # a page that says perPage 0 (or a million) would page forever or ask for everything at once
    perpage = min(max(int(per.group(1)), 1), 1000) if per else 15
    return {"url": prefix.rstrip("/") + path, "params": params, "perpage": perpage}


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


def join_url(base: str, href: str) -> str:
    """``href`` made absolute; one that cannot be (``http://[bad``) stays as written, for the spider to record."""
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def article_meta(html: str, base: str) -> dict[str, object]:
    """An article page: title, 组配分类, 索引号 and its attachment links, then the pictures of its report body
    (``kind: image``: tables are often published as pictures, read with the page by the parser)."""
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
    attachments: list[dict[str, object]] = []
    for a in root.xpath("//a"):
        href = (a.get("href") or "").strip()
        if "downfile.jsp" in href or ATTACHMENT_EXT.search(href):
            attachments.append({"url": join_url(base, href), "name": (_text(a) or "")[:500] or None})
        elif _NOWHERE.match(href) and ATTACHMENT_EXT.search(_text(a) or ""):
            attachments.append({"url": None, "name": _text(a)})  # a document's link that leads nowhere: the portal's defect
    listed = {a["url"] for a in attachments}
    for src in body_images(html):
        url = join_url(base, src)
        if url not in listed:
            listed.add(url)
            attachments.append({"url": url, "name": None, "kind": "image"})
    return {
        "title": title,
        "category": cat,
        "index_no": idx,
        "attachments": attachments,
    }


class BadPayload(ValueError):
    """A list page or API answer that cannot be understood (malformed JSON, missing required parts)."""


def load_json(payload: str, what: str = "JSON") -> object:
    """An answer's JSON; a malformed one is a :class:`BadPayload` saying so (every platform's API reader)."""
    try:
        return json.loads(payload)
    except json.JSONDecodeError as e:
        raise BadPayload(f"malformed {what}: {e}") from None


def attachment_links(items: object, base: str) -> list[dict[str, object]]:
    """Attachment objects of an API answer (``{url, name, …}``) as absolute links; a named item without a url is
    kept with ``url: None`` (a link to nothing, the portal's defect, recorded by the spider).  A url or name that is
    not a string is no url or name; a url that cannot be joined is none either."""
    if not isinstance(items, list):
        return []
    out: list[dict[str, object]] = []
    for x in items:
        if not isinstance(x, dict):
            continue
        url = x.get("url") if isinstance(x.get("url"), str) else None
        name = x.get("name") if isinstance(x.get("name"), str) else None
        if not (url or name):
            continue
        try:
            full = urljoin(base, url.strip()) if url and url.strip() else None
        except ValueError:
            full = None
        out.append({"url": full, "name": name[:500] if name else name})
    return out


_PRINTED_DATE = re.compile(r"(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def printed_date(text: str) -> str | None:
    """The first date printed in a list row (``2024-01-26``, ``[ 2024-01-26 ]``, ``2024年1月26日``) as ISO."""
    d = _PRINTED_DATE.search(text)
    return f"{d.group(1)}-{int(d.group(2)):02d}-{int(d.group(3)):02d}" if d else None


def _json_after(text: str, key: str) -> object | None:
    """The JSON value (array or object) written after ``key:`` in a JavaScript object literal."""
    m = re.search(rf"\b{key}\s*:\s*([\[{{])", text)
    if not m:
        return None
    try:
        value, _end = json.JSONDecoder().raw_decode(text, m.start(1))
    except json.JSONDecodeError:
        return None
    return value


def gkmlpt_config(html: str) -> dict | None:
    """``window._CONFIG``: a JavaScript object (bare keys, ``SID: '763045'``) whose TREE and DETAIL are JSON."""
    m = _CONFIG.search(html)
    if not m:
        return None
    raw = m.group(1)
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        pass
    out: dict[str, object] = {}
    for key in ("SID", "SERVICE_AREA_ID", "SEARCH_JSONP_URL"):
        v = re.search(rf"""\b{key}\s*:\s*['"]?([^'",\s}}]+)""", raw)
        if v:
            out[key] = v.group(1)
    for key in ("TREE", "DETAIL"):
        value = _json_after(raw, key)
        if value is not None:
            out[key] = value
    return out if "TREE" in out or "DETAIL" in out else None


def gkmlpt_report_category(config: dict) -> dict | None:
    """The category node of the annual reports in a gkmlpt TREE (whose name holds 年报/年度报告)."""
    stack = list(config.get("TREE") or [])
    while stack:
        node = stack.pop(0)
        if re.search(r"年报|年度报告", str(node.get("name", ""))):
            return node
        stack += node.get("children") or []
    return None


class BadField(ValueError):
    """One field of one list item that cannot be read (a date out of range, a list where a string goes): that item's
    fault, recorded with the item (``malformed_item``), never the page's."""


_ISO_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_FIRST_YEAR, _LAST_YEAR = 1949, 2100  # a disclosure date outside these is no date


def _iso(year: int, month: int, day: int, raw: object) -> str:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        raise BadField(f"no such date: {str(raw)[:40]!r}") from None
    if not _FIRST_YEAR <= d.year <= _LAST_YEAR:
        raise BadField(f"a date out of range: {str(raw)[:40]!r}")
    return d.isoformat()


def unix_date(value: int | float) -> str:
    """Unix seconds (or milliseconds, as some answers give) as a Beijing date; :class:`BadField` for NaN, infinity,
    and values out of range (−1e15, 1e20) instead of an exception that would cost the whole page."""
    if isinstance(value, bool) or not math.isfinite(value):
        raise BadField(f"not a date: {value!r}")
    seconds = value / 1000 if abs(value) >= 1e11 else value  # milliseconds
    try:
        d = dt.datetime.fromtimestamp(seconds, _BEIJING).date()
    except (OverflowError, OSError, ValueError):
        raise BadField(f"a date out of range: {value!r}") from None
    return _iso(d.year, d.month, d.day, value)


def gkmlpt_date(value: object) -> str | None:
    """A gkmlpt date as ISO: real APIs give Unix seconds (integers), some answers strings (``2024-01-26 10:15:29``).
    None when there is none; :class:`BadField` for a value that is not a date (its item is recorded, the page read)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return unix_date(value)
    if not isinstance(value, str):
        raise BadField(f"a date of type {type(value).__name__}: {str(value)[:40]!r}")
    text = value.strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d{1,20}", text):
        return unix_date(int(text))
    m = _ISO_DATE.match(text)
    if not m:
        raise BadField(f"not a date: {text[:40]!r}")
    return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)


def first_date(item: dict, keys: tuple[str, ...], problems: list[str]) -> str | None:
    """The first readable date among ``keys``; each unreadable one is said in ``problems``."""
    for key in keys:
        try:
            found = gkmlpt_date(item.get(key))
        except BadField as e:
            problems.append(f"{key}: {e}")
            continue
        if found:
            return found
    return None


def text_field(item: dict, key: str, problems: list[str], limit: int = 1000) -> str | None:
    """A text field of a list item: a string (or number) as text, cut at ``limit``; anything else is the item's fault."""
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float) or (isinstance(value, float) and not math.isfinite(value)):
        problems.append(f"{key} of type {type(value).__name__}: {str(value)[:40]!r}")
        return None
    text = str(value).strip()
    if len(text) > limit:
        problems.append(f"{key} of {len(text)} characters, cut at {limit}")
        text = text[:limit]
    return text or None


def _item_label(item: dict) -> str:
    title = item.get("title")
    return repr(title[:60]) if isinstance(title, str) else f"item {str(item.get('id'))[:40]}"


def _gkmlpt_item(a: dict, base: str, date_keys: tuple[str, ...]) -> tuple[dict[str, object] | None, list[str]]:
    """One post of an API or search answer, and what is wrong with it: a post whose URL is usable is kept (its bad
    fields left out), one without a usable URL is not."""
    problems: list[str] = []
    url = a.get("url") or a.get("post_url")
    if not isinstance(url, str) or not url.strip():
        return None, [f"article without url: {str(a.get('title'))[:60]!r}" if not url else f"url of type {type(url).__name__}"]
    try:
        full = urljoin(base, url.strip())
    except ValueError as e:
        return None, [f"unusable url {url[:80]!r}: {e}"]
    raw_id = a.get("id")
    if raw_id in (None, ""):
        pid: object = full  # an item without its id is still the post its URL names: fetched by the URL, listed once by it
    elif isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
        pid = raw_id
    else:
        problems.append(f"id of type {type(raw_id).__name__}: {str(raw_id)[:40]!r}")
        pid = full
    attachments = a.get("attachment") or a.get("attachments") or []
    if isinstance(attachments, str):  # the site search gives them as a JSON string
        try:
            attachments = json.loads(attachments)
        except json.JSONDecodeError:
            attachments = []
    title = text_field(a, "title", problems)
    return {
        "id": pid,
        "url": full,
        "title": _EM.sub("", title).strip() if title else title,
        "date": first_date(a, date_keys, problems),
        "index_no": text_field(a, "identifier", problems, 200),
        "publisher": text_field(a, "publisher", problems, 200),
        "attachments": attachment_links(attachments, base),
    }, problems


def gkmlpt_page(payload: str, base: str) -> dict[str, object]:
    """An API answer: ``total``, ``offset``, the category's ``post_count``, its ``articles`` (posts with
    absolute URLs), ``links`` (items of ``type: "url"``, which point elsewhere) and ``problems``
    (items that cannot be used, each said).  Unknown and extra fields are ignored.

    One item's fault is that item's (#23): a date out of range (−1e15, 1e20, NaN), a list or object where a string or
    number goes, an unreadable URL never costs the page.  A post with a usable URL is kept without its bad fields,
    which it lists in its own ``problems``; an item without one is in the page's ``problems``."""
    data = load_json(payload)
    if not isinstance(data, dict) or not isinstance(data.get("articles", []), list):
        raise BadPayload("not a gkmlpt list answer: no articles list")
    classify = data.get("classify") if isinstance(data.get("classify"), dict) else {}
    articles: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    problems: list[str] = []
    for a in data.get("articles") or []:
        if not isinstance(a, dict):
            problems.append(f"an item that is not an object: {str(a)[:80]}")
            continue
        try:  # one item's fault is that item's: recorded, the page's others read
            if a.get("type") == "url":
                url = a.get("url")
                links.append({"title": a.get("title"), "url": join_url(base, url) if isinstance(url, str) and url else None})
                continue
            post, faults = _gkmlpt_item(a, base, ("date", "display_publish_time", "create_time"))
        except Exception as e:  # noqa: BLE001 - whatever the item holds, the page goes on
            post, faults = None, [f"unreadable item ({type(e).__name__}: {str(e)[:80]})"]
        if post is None:
            problems += faults  # an item that cannot be used: said, not listed
        else:
            if faults:  # a post read without its bad fields: said with it (the spider records it, and fetches the post)
                post["problems"] = [f"{_item_label(a)}: {f}" for f in faults]
            articles.append(post)
    total, offset, post_count = (v if isinstance(v, int) and not isinstance(v, bool) else None
                                 for v in (data.get("total"), data.get("offset"), classify.get("post_count")))
    return {"total": total, "offset": offset, "post_count": post_count, "articles": articles, "links": links, "problems": problems}


_JSONP = re.compile(r"^\s*[A-Za-z_$][\w$.]*\s*\((.*)\)\s*;?\s*$", re.S)
_EM = re.compile(r"</?em>", re.I)


def gkmlpt_search(payload: str, base: str) -> dict[str, object]:
    """An answer of the province's site search (``search.gd.gov.cn/jsonp/site/{sid}``, JSONP): ``count`` and the
    gkmlpt posts among its ``results`` (``isgkml`` "1", ``post_type`` normal, a ``/gkmlpt/content/`` address),
    as :func:`gkmlpt_page` gives them.  Titles lose the ``<em>`` highlight; ``attachment`` comes as a JSON string."""
    m = _JSONP.match(payload)
    data = load_json(m.group(1) if m else payload, "JSONP")
    if not isinstance(data, dict) or not isinstance(data.get("results", []), list):
        raise BadPayload(f"not a site-search answer: {str(data)[:120]}")
    articles = []
    problems: list[str] = []
    for r in data.get("results") or []:
        if not isinstance(r, dict):
            continue
        try:
            url = r.get("post_url") or r.get("url") or ""
            if not isinstance(url, str) or str(r.get("isgkml", "1")) != "1" or (r.get("post_type") or "normal") != "normal" \
                    or "/gkmlpt/content/" not in url:
                continue
            post, faults = _gkmlpt_item({**r, "url": url}, base, ("pub_time", "publish_time", "display_publish_time"))
        except Exception as e:  # noqa: BLE001 - one result's fault is that result's
            post, faults = None, [f"unreadable result ({type(e).__name__}: {str(e)[:80]})"]
        if post is None:
            problems += faults
        else:
            if faults:
                post["problems"] = [f"{_item_label(r)}: {f}" for f in faults]
            articles.append(post)
    count = data.get("count") if isinstance(data.get("count"), int) and not isinstance(data.get("count"), bool) else None
    out: dict[str, object] = {"count": count, "articles": articles}
    if problems:  # results that cannot be used, or were used without a bad field: for the spider to record
        out["problems"] = problems
    return out


def gkmlpt_articles(payload: str, base: str) -> tuple[int | None, list[dict[str, object]]]:
    """(post_count, articles) of an API answer (see :func:`gkmlpt_page`)."""
    page = gkmlpt_page(payload, base)
    return page["post_count"], page["articles"]  # type: ignore[return-value]
