"""From a site's pages to registry entries: its annual-report column and its departments' sub-sites.

Plain functions of a page's text (tested on saved pages like the extractors in :mod:`scrapers.extract`);
the fetching is :class:`scrapers.spiders.discover.DiscoverSpider`'s.  Columns are found by the names real
sites give them (政府信息公开年报, 年度报告, 政府信息公开工作年度报告, 年报 …) — a link whose text names one
report (a year, a body) is a report, not the column.  Where the column is not on the page, the links to the
site's disclosure section (政府信息公开, 信息公开目录 …) are the next pages to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .extract import gkmlpt_config, gkmlpt_report_category

# what sites call the column of annual reports (compacted: no spaces)
REPORT_COLUMN = re.compile(
    r"^(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:年度报告|年报)(?:专栏|栏目)?$|^(?:年度报告|年报|工作年报|信息公开年报)$|^政府信息公开年度报告$"
)
DISCLOSURE_SECTION = re.compile(r"^(?:政府|法定主动|部门)?(?:信息公开|政务公开)(?:目录|专栏|平台|指南)?$|^信息公开目录$|^政府信息公开$")
DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|办|中心|院|馆|所|站|队|会)$")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_GKMLPT_PREFIX = re.compile(r"^(.*?)/gkmlpt/(?:index|annualreport)?(?:[?#].*)?$")
MAX_FOLLOW = 4  # disclosure-section pages read per site before giving up


@dataclass(frozen=True)
class Link:
    url: str
    text: str


@dataclass(frozen=True)
class Column:
    """A place a spider can start from: the site's annual-report column (or gkmlpt category)."""

    url: str
    name: str
    how: str  # what found it
    sure: bool


def links(html: str, base: str) -> list[Link]:
    """Every link of the page with its text (title attribute when the text is cut short), absolute, once."""
    root = etree.fromstring(html, etree.HTMLParser()) if html.strip() else None
    if root is None:
        return []
    out: dict[str, Link] = {}
    for a in root.xpath("//a[@href]"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = "".join("".join(a.itertext()).split())
        title = "".join((a.get("title") or "").split())
        if title and (not text or text.endswith(("…", "...")) or len(title) > len(text)):
            text = title
        url = urljoin(base, href).split("#")[0]
        out.setdefault(url, Link(url, text))
    return list(out.values())


def report_columns(url: str, html: str, platform: str | None) -> list[Column]:
    """The annual-report columns the page shows (for gkmlpt: the category of its TREE and the
    ``/gkmlpt/annualreport`` page of its instance)."""
    if platform == "gkmlpt":
        found = _gkmlpt_column(url, html)
        if found:
            return [found]
    out = []
    for ln in links(html, url):
        if REPORT_COLUMN.match(ln.text) and not _YEAR.search(ln.text):
            out.append(Column(ln.url, ln.text, f"a link named {ln.text!r}", sure=True))
    return out


def _gkmlpt_column(url: str, html: str) -> Column | None:
    config = gkmlpt_config(html)
    prefix = gkmlpt_prefix(url)
    if config is None or prefix is None:
        return None
    node = gkmlpt_report_category(config)
    if node is None:
        return None
    return Column(prefix + "/gkmlpt/annualreport", str(node.get("name")), f"the TREE category {node.get('name')!r} (id {node.get('id')})", sure=True)


def gkmlpt_prefix(url: str) -> str | None:
    """``https://host/dept`` of ``https://host/dept/gkmlpt/index``: where one gkmlpt instance lives."""
    parts = urlsplit(url)
    m = _GKMLPT_PREFIX.match(parts.path)
    if not m:
        return None
    return f"{parts.scheme}://{parts.netloc}{m.group(1).rstrip('/')}"


def gkmlpt_sid(html: str) -> str | None:
    config = gkmlpt_config(html) or {}
    sid = config.get("SID")
    return str(sid) if sid not in (None, "") else None


def gkmlpt_search_url(html: str) -> str | None:
    """The site search a gkmlpt page names (``SEARCH_JSONP_URL``, the province's shared host), for its registry entry:
    the crawl asks only hosts the entry names (#23), so discovery writes it down for the operator to review."""
    url = str((gkmlpt_config(html) or {}).get("SEARCH_JSONP_URL") or "")
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else None


def disclosure_pages(url: str, html: str) -> list[str]:
    """Links to the site's disclosure section, where the annual-report column usually is (same host only)."""
    host = urlsplit(url).hostname
    out = []
    for ln in links(html, url):
        if DISCLOSURE_SECTION.match(ln.text) and urlsplit(ln.url).hostname == host and ln.url != url:
            out.append(ln.url)
    return out[:MAX_FOLLOW]


def sub_sites(url: str, html: str, platform: str | None) -> list[Link]:
    """Departments' own instances linked from the page: gkmlpt instances under another path prefix of the
    same host (``/qynyncj/gkmlpt/index``), or department-named links to a column of the same platform."""
    host = urlsplit(url).hostname
    mine = gkmlpt_prefix(url)
    out: dict[str, Link] = {}
    for ln in links(html, url):
        if urlsplit(ln.url).hostname != host:
            continue
        prefix = gkmlpt_prefix(ln.url)
        if prefix and mine is not None and prefix != mine:  # from a home page, the gkmlpt link is the site's own
            out.setdefault(prefix, Link(prefix + "/gkmlpt/index", ln.text))
        elif platform in ("hanweb", "hanweb_jpaas") and DEPARTMENT.search(ln.text) and re.search(r"/col/col\d+/", ln.url) and not _YEAR.search(ln.text):
            out.setdefault(ln.url, ln)
    return list(out.values())
