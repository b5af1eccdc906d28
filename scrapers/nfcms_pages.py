"""What an NFCMS (南方报业 CMS: Shenzhen, Guangzhou, Dongguan, Hengqin …) site publishes about a column.

A column page carries its ids as page variables (``NFCMS_SITE_ID``, ``NFCMS_CAT_ID``); the column itself is
also published as static JSON at ``/postmeta/i/{cat}.json``: ``articles`` (``id``, ``title``, ``url``, ``date``
as ``YYYY-MM-DD``, ``visible_publish_time`` in Unix seconds, ``json_ext`` a JSON *string* …) and, for a
column with sub-columns, ``children`` (``id``, ``name``, ``publish_count``).  Posts live at
``…/content/post_{id}.html``; attachments are ``<a class="nfw-cms-attachment" alt="{file name}">``.
Shapes and sources: tests/spiders/real/SOURCES.md.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urljoin, urlsplit

from .extract import BadPayload, load_json

_VAR = re.compile(r"\b(NFCMS_(?:SITE|CAT|POST|PAGE)_ID)\s*=\s*['\"]?(\d+)")
_BEIJING = dt.timezone(dt.timedelta(hours=8))


def page_ids(html: str) -> dict[str, str]:
    """The page's NFCMS variables: ``{"NFCMS_SITE_ID": "755001", "NFCMS_CAT_ID": "…"}``."""
    return {k: v for k, v in _VAR.findall(html)}


def column_json_url(page_url: str, cat: str) -> str:
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}/postmeta/i/{cat}.json"


def column(payload: str, base: str) -> dict[str, object]:
    """A column JSON: its ``articles`` (absolute ``url``, ``title`` without markup, ISO ``date``) and the ids
    of its sub-columns (``children``)."""
    data = load_json(payload)
    if not isinstance(data, dict) or not isinstance(data.get("articles", []), list):
        raise BadPayload("not an NFCMS column: no articles list")
    articles = []
    for a in data.get("articles") or []:
        if not isinstance(a, dict) or not a.get("url") or a.get("id") in (None, ""):
            continue
        title = re.sub(r"<[^>]+>", "", str(a.get("title") or "")).strip()
        date = str(a.get("date") or "")[:10] or None
        stamp = a.get("visible_publish_time")
        if date is None and isinstance(stamp, int | float) and not isinstance(stamp, bool):
            date = dt.datetime.fromtimestamp(stamp, _BEIJING).date().isoformat()
        articles.append({"id": a["id"], "url": urljoin(base, str(a["url"])), "title": title, "date": date})
    children = [c["id"] for c in data.get("children") or [] if isinstance(c, dict) and isinstance(c.get("id"), int)]
    return {"articles": articles, "children": children}
