"""What an NFCMS (南方报业 CMS: Shenzhen, Guangzhou, Dongguan, Hengqin …) site publishes about a column.

A column page carries its ids as page variables (``NFCMS_SITE_ID``, ``NFCMS_CAT_ID``); the column itself is
also published as static JSON at ``/postmeta/i/{cat}.json``: ``articles`` (``id``, ``title``, ``url``, ``date``
as ``YYYY-MM-DD``, ``visible_publish_time`` in Unix seconds, ``json_ext`` a JSON *string* …) and, for a
column with sub-columns, ``children`` (``id``, ``name``, ``publish_count``).  Posts live at
``…/content/post_{id}.html``; attachments are ``<a class="nfw-cms-attachment" alt="{file name}">``.
Shapes and sources: tests/spiders/real/SOURCES.md.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .extract import BadField, BadPayload, first_date, join_url, load_json, text_field, unix_date

_VAR = re.compile(r"\b(NFCMS_(?:SITE|CAT|POST|PAGE)_ID)\s*=\s*['\"]?(\d+)")


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
    problems: list[str] = []
    for a in data.get("articles") or []:
        if not isinstance(a, dict) or not isinstance(a.get("url"), str) or not a.get("url") or a.get("id") in (None, ""):
            continue
        faults: list[str] = []
        try:  # one article's fault is that article's: its bad date left out and said, the column's others read
            title = re.sub(r"<[^>]+>", "", text_field(a, "title", faults) or "").strip()
            date = first_date(a, ("date",), faults)
            stamp = a.get("visible_publish_time")
            if date is None and isinstance(stamp, int | float):
                try:
                    date = unix_date(stamp)
                except BadField as e:
                    faults.append(f"visible_publish_time: {e}")
            post: dict[str, object] = {"id": a["id"] if isinstance(a["id"], str | int) else str(a["id"]),
                                       "url": join_url(base, a["url"]), "title": title, "date": date}
            if faults:  # read without its bad fields, which it lists (the spider records them)
                post["problems"] = [f"{str(a.get('url'))[:120]}: {f}" for f in faults]
            articles.append(post)
        except Exception as e:  # noqa: BLE001 - one article's fault never costs the column
            problems.append(f"{str(a.get('url'))[:120]}: unreadable article ({type(e).__name__}: {str(e)[:80]})")
    children = [c["id"] for c in data.get("children") or [] if isinstance(c, dict) and isinstance(c.get("id"), int)
                and not isinstance(c.get("id"), bool)]
    out: dict[str, object] = {"articles": articles, "children": children}
    if problems:  # articles read without a bad field: said, for the spider to record (``malformed_item``)
        out["problems"] = problems
    return out
