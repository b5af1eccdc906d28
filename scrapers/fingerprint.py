"""Which portal platform a page was served by, from what the page itself shows — as data, not if-chains.

Chinese government sites run on a handful of content platforms, and each leaves marks in every page it
serves: gkmlpt's ``window._CONFIG`` and ``/gkmlpt/`` paths, Hanweb JCMS's ``<datastore>`` script and
``/module/…/jpage/`` proxy, JPaaS's ``jpaas-publish-server`` gateway, TRS WCM's ``createPageHTML`` paging and
``TRS_Editor`` body, NFCMS's ``NFCMS_SITE_ID`` and ``/postmeta/`` JSON.  :data:`SIGNS` lists those marks
with a weight each; a page's score for a platform is the sum of the weights of the marks it shows, and
the platform with the highest score wins when it clears :data:`SURE` (sure) or :data:`LIKELY` (likely).
A page that shows no mark clearly is *unknown*, with what was seen — never a guess.

The marks come from the platforms' own pages as public scrapers read them (tests/spiders/real/SOURCES.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree


@dataclass(frozen=True)
class Sign:
    platform: str
    pattern: re.Pattern[str]
    weight: int
    what: str
    on: str = "page"  # page: the markup; url: the page's own address


def _s(platform: str, pattern: str, weight: int, what: str, on: str = "page") -> Sign:
    return Sign(platform, re.compile(pattern, re.I | re.S), weight, what, on)


SIGNS: tuple[Sign, ...] = (
    # gkmlpt (广东 政府信息公开目录平台)
    _s("gkmlpt", r"window\._CONFIG\s*=\s*\{[^<]{0,400}\b(?:SID|TREE|DETAIL)\b", 5, "window._CONFIG with SID/TREE/DETAIL"),
    _s("gkmlpt", r"/gkmlpt/(?:index|annualreport|api/all|content/|gkml/)", 3, "a /gkmlpt/ path"),
    _s("gkmlpt", r"/gkmlpt/(?:index|annualreport)?", 3, "the address is a gkmlpt page", on="url"),
    # Hanweb JCMS (大汉)
    _s("hanweb", r"<script[^>]+type=[\"']text/xml[\"'][^>]*>\s*<datastore>", 5, "a <datastore> in a text/xml script"),
    _s("hanweb", r"/module/(?:web/)?jpage/dataproxy\.jsp", 4, "the jpage dataproxy.jsp paging proxy"),
    _s("hanweb", r"\.jpage\(\s*\{|jpage\.js|/module/jslib/jquery/jpage/", 3, "the jpage pager script"),
    _s("hanweb", r"/col/col\d+/index\.html|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html", 2, "Hanweb column or article addresses"),
    _s("hanweb", r"/col/col\d+/", 2, "the address is a Hanweb column", on="url"),
    _s("hanweb", r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$", 3, "the address is a Hanweb article", on="url"),
    _s("hanweb", r"/module/(?:download/downfile|xxgk/search)\.jsp|hanweb", 1, "Hanweb module paths"),
    # Hanweb JPaaS (newer Zhejiang sites): the same columns, paged through an API gateway
    _s("hanweb_jpaas", r"/api-gateway/jpaas-publish-server/", 6, "the JPaaS publish-server gateway"),
    _s("hanweb_jpaas", r"jpaas|data-unitid|pageSize\W+\d+\W+unitId", 1, "JPaaS paging attributes"),
    # TRS WCM (拓尔思)
    _s("trs", r"createPageHTML\s*\(", 5, "TRS createPageHTML paging"),
    _s("trs", r"class=[\"'][^\"']*\b(?:TRS_Editor|trs_editor_view|TRS_UEDITOR)\b", 3, "a TRS editor body"),
    _s("trs", r"href=[\"'](?:\./|\.\./)*(?:\d{6}/)?t\d{8}_\d+\.s?html?[\"']", 3, "TRS article addresses (t20230130_123.html)"),
    _s("trs", r"/t\d{8}_\d+\.s?html?$", 3, "the address is a TRS article", on="url"),
    # NFCMS (南方报业)
    _s("nfcms", r"NFCMS_(?:SITE_ID|POST_ID|CAT_ID)", 5, "NFCMS page variables"),
    _s("nfcms", r"/postmeta/[ip]/", 4, "the /postmeta/ JSON"),
    _s("nfcms", r"<meta\s+name=[\"']ArticleId[\"']|nfw-cms-attachment", 2, "NFCMS article meta and attachments"),
    _s("nfcms", r"/content/post_\d+\.html", 2, "NFCMS post addresses"),
)
SURE = 5
LIKELY = 3
# which spider reads which platform: JPaaS sites are Hanweb sites with another pager
SPIDER_PLATFORM = {"gkmlpt": "gkmlpt", "hanweb": "hanweb", "hanweb_jpaas": "hanweb", "trs": "trs", "nfcms": "nfcms"}


@dataclass
class Fingerprint:
    platform: str | None  # None: unknown
    confidence: str  # sure | likely | unknown
    evidence: list[str] = field(default_factory=list)  # the marks seen for the winner
    scores: dict[str, int] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)  # for an unknown page: generator, title, scripts

    def describe(self) -> str:
        if self.platform is None:
            what = "; ".join(f"{k}: {v}" for k, v in self.seen.items()) or "no platform marks at all"
            return f"unknown platform ({what})"
        return f"{self.platform} ({self.confidence}: {', '.join(self.evidence)})"


def fingerprint(url: str, html: str) -> Fingerprint:
    """The platform of the page at ``url`` whose markup is ``html``."""
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    path = urlsplit(url).path
    for sign in SIGNS:
        text = path if sign.on == "url" else html
        if sign.pattern.search(text):
            scores[sign.platform] = scores.get(sign.platform, 0) + sign.weight
            evidence.setdefault(sign.platform, []).append(sign.what)
    if scores.get("hanweb_jpaas"):  # a JPaaS site is also a Hanweb site: the gateway decides the pager
        scores["hanweb_jpaas"] += scores.get("hanweb", 0)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < LIKELY or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return Fingerprint(None, "unknown", scores=scores, seen=_seen(html))
    best, score = ranked[0]
    return Fingerprint(best, "sure" if score >= SURE else "likely", evidence[best], scores)


def _seen(html: str) -> dict[str, str]:
    """What an unrecognised page shows about itself, for the operator to decide."""
    out: dict[str, str] = {}
    try:
        root = etree.fromstring(html, etree.HTMLParser())
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        return {"page": f"{len(html)} characters, not HTML"}
    gen = root.xpath("//meta[translate(@name,'GENRATO','genrato')='generator']/@content")
    if gen:
        out["generator"] = str(gen[0])[:80]
    title = root.xpath("//title/text()")
    if title:
        out["title"] = " ".join(str(title[0]).split())[:60]
    scripts = [str(s).rsplit("/", 1)[-1][:40] for s in root.xpath("//script/@src")][:5]
    if scripts:
        out["scripts"] = ", ".join(scripts)
    return out
