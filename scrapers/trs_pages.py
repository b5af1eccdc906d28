"""What a TRS WCM column page shows: its article links with dates, and how many pages the column has.

TRS publishes a column as static pages: ``index.html``, then ``index_1.html`` … ``index_{n-1}.html``, the
count written into the page by the pager call ``createPageHTML(countPage, currentPage, "index", "html")``
(``currentPage`` 0-based).  Articles live at ``./YYYYMM/tYYYYMMDD_ID.html`` relative to the column; the date
is printed beside the link (or read from the address).  Sources: tests/spiders/real/SOURCES.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

from .extract import join_url, printed_date

# createPageHTML(count, current, "index", "html") — or with the pager's container first and the record count last,
# createPageHTML('page_div', 5, 1, 'fg', 'shtml', 89) (both forms in tests/spiders/real/SOURCES.md)
_PAGER = re.compile(r"createPageHTML\s*\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]")
_ARTICLE = re.compile(r"(?:^|/)t(\d{4})(\d{2})(\d{2})_\d+\.s?html?$")
_DATE_TAIL = re.compile(r"[\[【(（]?\s*20\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}\s*[\]】)）]?$")
_BROKEN_ATTR = re.compile(r"['\"]\s*[A-Za-z-]+=")
_PINNED = re.compile(r"^\s*[【\[]\s*(?:置顶|推荐|新)\s*[】\]]\s*")
MAX_PAGES = 200  # a column of annual reports has a few pages; a larger count is a broken pager


@dataclass(frozen=True)
class Pager:
    count: int  # pages in the column
    current: int  # 0-based
    name: str  # "index"
    ext: str  # "html"

    def url(self, base: str, n: int) -> str:
        """Page ``n`` (0-based) of the column whose page ``base`` is."""
        return urljoin(base, f"{self.name}.{self.ext}" if n == 0 else f"{self.name}_{n}.{self.ext}")


def pager(html: str) -> Pager | None:
    m = _PAGER.search(html)
    if not m:
        return None
    count, current = int(m.group(1)), int(m.group(2))
    return Pager(max(1, min(count, MAX_PAGES)), current, m.group(3), m.group(4))


def articles(html: str, base: str) -> list[dict[str, str | None]]:
    """The column's article links (TRS addresses only), with title (``title`` attribute first) and date."""
    root = etree.fromstring(html, etree.HTMLParser()) if html.strip() else None
    if root is None:
        return []
    out: dict[str, dict[str, str | None]] = {}
    for a in root.xpath("//a[@href]"):
        href = a.get("href", "").strip()
        url = join_url(base, href)
        m = _ARTICLE.search(url.split("?")[0])
        if not m:
            continue
        text = " ".join("".join(a.itertext()).split())
        title = " ".join((a.get("title") or "").split())
        if not title or _BROKEN_ATTR.search(title):  # a title attribute closed with the wrong quote swallows the next one
            title = _PINNED.sub("", _DATE_TAIL.sub("", text)).strip()
        # the date printed beside the link (a cell or span after it, or a span inside it); it can differ from the
        # address's, and is the one the list shows
        around = " ".join(a.xpath("string(..)").split()) + " " + " ".join(a.xpath("string(../following-sibling::*[1])").split())
        date = printed_date(around.replace(title, "")) or f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        out.setdefault(url, {"url": url, "title": title, "date": date})
    return list(out.values())
