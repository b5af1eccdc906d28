"""A test network of many portals on 127.0.0.0/8: every platform and variant, some broken, one host each.

Each site listens on its own loopback address (``127.0.1.1``, ``127.0.1.2`` …: Linux routes all of
127.0.0.0/8 to the loopback interface), so "one request at a time per host" is tested for real: every
server counts the requests it is answering at once, and :attr:`Network.max_in_flight` must stay 1.

The sites imitate the shapes of the real platforms as the saved pages in ``tests/spiders`` do
(tests/spiders/real/SOURCES.md): a home page linking 政府信息公开; Hanweb columns with records embedded in a
``<datastore>`` and the rest from ``dataproxy.jsp`` (at ``/module/web/jpage/`` or ``/module/jpage/``, the other
path 404), in groups of ``perPage × 3`` records that repeat the last record of the group before; gkmlpt
instances (``window._CONFIG`` with SID and TREE, the JSON list API with integer dates, department instances
under path prefixes); TRS WCM columns paged by ``createPageHTML`` (``index_1.html`` …); NFCMS columns with their
``NFCMS_CAT_ID`` and static ``/postmeta/i/{cat}.json`` (articles, and a sub-column per earlier years).  Broken sites: a
column that 404s, a challenge page, a site of no known platform, a server that answers slowly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KINDS = ("hanweb", "hanweb_module", "hanweb_jpaas", "gkmlpt", "gkmlpt_departments", "gkmlpt_window", "trs", "nfcms", "broken_404", "blocked", "unknown", "slow")
CITIES = "东华 西平 南安 北流 中山 青阳 白石 金沙 玉泉 长乐 永安 新田 安远 宁海 平阳 文成 泰顺 龙湾 瑞安 洞头".split()
_BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Post:
    id: int
    title: str
    date: str
    report: bool
    attachment: bool = False


@dataclass
class Site:
    n: int
    kind: str
    name: str
    posts: list[Post]
    departments: list[tuple[str, str, list[Post]]] = field(default_factory=list)  # (prefix, name, posts)
    ip: str = ""
    port: int = 0
    per_page: int = 15
    search_url: str = ""  # gkmlpt: the province's site search (a host of its own, shared by the sites)
    sites: list[Site] = field(default_factory=list)  # the search host: the sites it searches

    @property
    def base(self) -> str:
        return f"http://{self.ip}:{self.port}"

    def reports(self) -> list[tuple[str, Post]]:
        """(path prefix, post) of every report the site publishes."""
        out = [("", p) for p in self.posts if p.report]
        out += [(f"/{prefix}", p) for prefix, _name, posts in self.departments for p in posts if p.report]
        return out

    @property
    def serves_reports(self) -> bool:
        """Whether a crawl can reach its reports (the broken sites' cannot)."""
        return self.kind in ("hanweb", "hanweb_module", "hanweb_jpaas", "gkmlpt", "gkmlpt_window", "gkmlpt_departments", "trs", "nfcms", "slow")

    @property
    def platform(self) -> str | None:
        """The spider platform discovery must find (None: must be reported, not guessed)."""
        return {"hanweb": "hanweb", "hanweb_module": "hanweb", "hanweb_jpaas": "hanweb", "slow": "hanweb", "gkmlpt": "gkmlpt",
                "gkmlpt_departments": "gkmlpt", "gkmlpt_window": "gkmlpt", "trs": "trs", "nfcms": "nfcms"}.get(self.kind)

    def report_urls(self) -> set[str]:
        """The address of every report article (and attachment) the site serves."""
        out = set()
        for prefix, p in self.reports():
            y, m, d = p.date.split("-")
            if self.kind.startswith("gkmlpt"):
                out.add(f"{self.base}{prefix}/gkmlpt/content/0/{p.id // 1000}/post_{p.id}.html")
                if p.attachment:
                    out.add(f"{self.base}/attachment/0/{p.id // 1000}/{p.id}.pdf")
            elif self.kind == "hanweb_jpaas":
                out.add(f"{self.base}/col/col{HANWEB_COLUMN}/art/{y}/art_{jpaas_art(p)}.html")
            elif self.kind == "nfcms":
                out.add(f"{self.base}{NFCMS_COLUMN}content/post_{p.id}.html")
                if p.attachment:
                    out.add(f"{self.base}/attachment/0/{p.id // 1000}/{p.id}.pdf")
            elif self.kind == "trs":
                out.add(f"{self.base}{TRS_COLUMN}{y}{m}/t{y}{m}{d}_{p.id}.html")
                if p.attachment:
                    out.add(f"{self.base}{TRS_COLUMN}{y}{m}/P0{p.id}.pdf")
            else:
                out.add(f"{self.base}/art/{y}/{int(m)}/{int(d)}/art_{HANWEB_COLUMN}_{p.id}.html")
                if p.attachment:
                    out.add(f"{self.base}/module/download/downfile.jsp?classid=0&filename={p.id}.pdf")
        return out


def _posts(rng: random.Random, name: str, start_id: int, reports: int, notices: int) -> list[Post]:
    posts = []
    years = rng.sample(range(2015, 2025), reports)
    for i, y in enumerate(sorted(years, reverse=True)):
        posts.append(Post(start_id + i, f"{name}{y}年政府信息公开工作年度报告", f"{y + 1}-01-{rng.randint(10, 31):02d}", True, rng.random() < 0.5))
    for j in range(notices):
        y = rng.randint(2016, 2025)
        title = rng.choice(["关于{}的通知", "{}工作动态", "{}政策解读", "一图读懂{}年度报告"]).format(name)
        posts.append(Post(start_id + reports + j, title, f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", False))
    rng.shuffle(posts)
    return sorted(posts, key=lambda p: p.date, reverse=True)


def generate(n_sites: int = 300, seed: int = 0) -> list[Site]:
    """``n_sites`` sites, kinds in turn, each with its own reports and notices."""
    rng = random.Random(seed)
    sites = []
    for i in range(n_sites):
        kind = KINDS[i % len(KINDS)]
        name = f"{CITIES[i % len(CITIES)]}{'县' if i % 3 else '市'}{i:03d}人民政府"
        big = kind.startswith("hanweb") and i % 4 == 0  # more records than one dataproxy group
        notices = rng.randint(50, 70) if big else rng.randint(4, 6) if kind == "gkmlpt_window" else rng.randint(0, 6)
        posts = _posts(rng, name, 1000 + i * 100, rng.randint(1, 4), notices)
        site = Site(i + 1, kind, name, posts, per_page=rng.choice([15, 20, 25]))
        if kind == "gkmlpt_departments":
            for d, dept in enumerate(("nyncj", "jyj")):
                dname = f"{name.removesuffix('人民政府')}{'农业农村局' if dept == 'nyncj' else '教育局'}"
                site.departments.append((dept, dname, _posts(rng, dname, 50000 + i * 100 + d * 50, rng.randint(1, 2), 1)))
        sites.append(site)
    return sites


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, site: Site, network: Network) -> None:
        self.site = site
        self.network = network
        super().__init__((site.ip, 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self._serve(b"")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length))

    def _send(self, status: int, body: str | bytes, ctype: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _serve(self, form: bytes) -> None:
        net = self.server.network
        host = self.server.site.ip
        # in flight from the request's arrival until its answer starts to go out: a client that waits for each
        # answer can never be counted twice, one that sends the next request early always is (the latency)
        net.enter(host, self.path)
        try:
            time.sleep(net.latency)
            if self.server.site.kind == "slow":
                time.sleep(net.slow_seconds)
            status, body, ctype = route(self.server.site, self.path, parse_qs(form.decode("utf-8", "replace")))
        finally:
            net.leave(host)
        self._send(status, body, ctype)


def _page(title: str, body: str, extra_head: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{extra_head}</head>'
            f"<body>{body}</body></html>")


def route(site: Site, raw_path: str, form: dict[str, list[str]]) -> tuple[int, str | bytes, str]:
    """What the site answers at ``raw_path``: (status, body, content type)."""
    url = urlsplit(raw_path)
    path, query = url.path, parse_qs(url.query)
    html = "text/html; charset=utf-8"
    if path == "/robots.txt":
        return 200, "User-agent: *\nDisallow: /private/\n", "text/plain"
    if site.kind == "search":
        return _search(site, path, query)
    if site.kind == "blocked":
        return 412, "<html><head><title>请稍候</title></head><body><script>document.cookie='__jsl_clearance=1';location.reload()</script></body></html>", html
    if site.kind == "unknown":
        if path in ("/", "/index.html"):
            return 200, _page(site.name, f'<meta name="generator" content="SiteBuilder 3"><h1>{site.name}</h1><a href="/about.html">关于</a>'), html
        return 404, "not found", "text/plain"
    if site.kind == "hanweb_jpaas":
        return _jpaas(site, path, query)
    if site.kind.startswith("hanweb") or site.kind in ("slow", "broken_404"):
        return _hanweb(site, path, query, form)
    if site.kind.startswith("gkmlpt"):
        return _gkmlpt(site, path, query)
    if site.kind == "trs":
        return _trs(site, path)
    if site.kind == "nfcms":
        return _nfcms(site, path)
    return 404, "not found", "text/plain"


# -- Hanweb -----------------------------------------------------------------------------------------------

HANWEB_COLUMN = 1229


def hanweb_proxy_path(site: Site) -> str:
    return "/module/jpage/dataproxy.jsp" if site.kind == "hanweb_module" else "/module/web/jpage/dataproxy.jsp"


def _hanweb_record(p: Post) -> str:
    y, m, d = p.date.split("-")
    return (f"<record><![CDATA[\n<li><a target='_blank' href='/art/{y}/{int(m)}/{int(d)}/art_{HANWEB_COLUMN}_{p.id}.html' "
            f"title='{p.title}'>{p.title}</a><span>{p.date}</span></li>]]></record>")


def _hanweb(site: Site, path: str, query: dict, form: dict) -> tuple[int, str | bytes, str]:
    html = "text/html; charset=utf-8"
    col = f"/col/col{HANWEB_COLUMN}/index.html"
    if path in ("/", "/index.html"):
        return 200, _page(site.name, '<a href="/col/col1/index.html">首页</a> <a href="/col/col1228/index.html">政府信息公开</a>'), html
    if path == "/col/col1228/index.html":
        return 200, _page("政府信息公开", f'<ul><li><a href="/col/col1227/index.html">政府信息公开指南</a></li>'
                                       f'<li><a href="{col}">政府信息公开年报</a></li></ul>'), html
    if path == col:
        if site.kind == "broken_404":
            return 404, "<html><body>404</body></html>", html
        group = site.per_page * 3
        first = "".join(_hanweb_record(p) for p in site.posts[:group])
        params = {"col": 1, "appid": 1, "webid": 3000 + site.n, "path": "/", "columnid": HANWEB_COLUMN, "sourceContentType": 1,
                  "unitid": 6200000 + site.n, "webname": site.name, "permissiontype": 0}
        body = (f'<div id="{params["unitid"]}"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="{hanweb_proxy_path(site)}'
                f'?page=1&appid=1&webid={params["webid"]}&path=/&columnid={HANWEB_COLUMN}&unitid={params["unitid"]}&permissiontype=0"></a>]]>'
                f"</nextgroup><recordset>{first}</recordset></datastore></script>"
                f"<script>$('#{params['unitid']}').jpage({{totalRecord: {len(site.posts)}, dataStore: 'xml', perPage: {site.per_page}, groupSize: 3, "
                f"proxyUrl: '{hanweb_proxy_path(site)}', ajaxParam: {json.dumps(params, ensure_ascii=False)}}});</script></div>")
        return 200, _page("政府信息公开年报", body, '<script src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>'), html
    if path == hanweb_proxy_path(site):
        start = int((query.get("startrecord") or form.get("startrecord") or ["1"])[0])
        end = int((query.get("endrecord") or form.get("endrecord") or ["1"])[0])
        # groups are contiguous on most sites (1–45, 46–90 …); some answer a group that starts with the group
        # before's last record again (seen in one public collector): both must list every record once
        lo = max(start - 2, 0) if site.kind == "hanweb" else max(start - 1, 0)
        recs = "".join(_hanweb_record(p) for p in site.posts[lo:end])
        return 200, f"<datastore><totalrecord>{len(site.posts)}</totalrecord><totalpage>{-(-len(site.posts) // site.per_page)}</totalpage><recordset>{recs}</recordset></datastore>", "text/xml; charset=utf-8"
    if path.startswith("/art/"):
        post = next((p for p in site.posts if path.endswith(f"_{p.id}.html")), None)
        if post is None:
            return 404, "404", html
        att = (f'<p><a href="/module/download/downfile.jsp?classid=0&amp;filename={post.id}.pdf">{post.title}.pdf</a></p>'
               if post.attachment else "")
        body = (f'<table class="xxgk_table"><tr><td>组配分类：</td><td>{"信息公开年报" if post.report else "通知公告"}</td></tr></table>'
                f'<h1>{post.title}</h1><div id="zoom"><p>{post.title}。</p>{att}</div>')
        return 200, _page(post.title, body, f'<meta name="ArticleTitle" content="{post.title}">'), html
    if path == "/module/download/downfile.jsp":
        return 200, _pdf(query.get("filename", ["x"])[0]), "application/pdf"
    return 404, "404", html


JPAAS_GATEWAY = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def jpaas_art(p: Post) -> str:
    """The 32-hex name of a JPaaS article (``/col/col{N}/art/{Y}/art_{hex}.html``)."""
    return hashlib.md5(str(p.id).encode()).hexdigest()


def _jpaas(site: Site, path: str, query: dict) -> tuple[int, str | bytes, str]:
    html = "text/html; charset=utf-8"
    col = f"/col/col{HANWEB_COLUMN}/index.html"
    if path in ("/", "/index.html"):
        return 200, _page(site.name, '<a href="/col/col1228/index.html">政府信息公开</a>'), html
    if path == "/col/col1228/index.html":
        return 200, _page("政府信息公开", f'<a href="{col}">政府信息公开年报</a>'), html
    if path == col:
        q = {"webId": str(3000 + site.n), "pageId": str(HANWEB_COLUMN), "tagId": "信息列表", "tplSetId": "KruLArIzu5zMBXJpWlwJX",
             "pageType": "column", "parseType": "bulidstatic", "editType": "null"}
        tag = f'<script src="/AuthorizedRead/unitbuild.js" url="{JPAAS_GATEWAY}" queryData="{json.dumps(q, ensure_ascii=False).replace(chr(34), chr(39))}"></script>'
        return 200, _page("政府信息公开年报", f'<div class="list" id="list">{tag}</div>'), html
    if path == JPAAS_GATEWAY:
        try:
            pj = json.loads(query.get("paramJson", ["{}"])[0])
        except json.JSONDecodeError:
            pj = {}
        page, size = int(pj.get("pageNo", 1)), int(pj.get("pageSize", 15))  # a bare pageNo is ignored, as on the real sites
        chunk = site.posts[(page - 1) * size: page * size]
        items = "".join(f'<li class="cf border-line"><a class="fl" href="/col/col{HANWEB_COLUMN}/art/{p.date[:4]}/art_{jpaas_art(p)}.html" '
                        f'title="{p.title}" target="_blank">{p.title}</a><span class="fr">{p.date}</span></li>' for p in chunk)
        body = f'<ul class="ajax-ul">{items}</ul><div class="pagination" count="{len(site.posts)}" pageNo="{page}"></div>' if chunk else ""
        return 200, json.dumps({"success": True, "code": "200", "data": {"html": body}}, ensure_ascii=False), "application/json;charset=UTF-8"
    if path.startswith(f"/col/col{HANWEB_COLUMN}/art/"):
        post = next((p for p in site.posts if path.endswith(f"art_{jpaas_art(p)}.html")), None)
        if post is None:
            return 404, "404", html
        body = f'<h1>{post.title}</h1><div id="zoom"><p>{post.title}。</p></div>'
        return 200, _page(post.title, body, f'<meta name="ArticleTitle" content="{post.title}">'), html
    return 404, "404", html


def _pdf(name: str) -> bytes:
    return b"%PDF-1.4\n% a stand-in attachment " + name.encode() + b"\n%%EOF\n"


# -- gkmlpt -----------------------------------------------------------------------------------------------

GKMLPT_CATEGORY = 2629


def _gkmlpt_instance(site: Site, path: str) -> tuple[str, str, list[Post]] | None:
    for prefix, name, posts in site.departments:
        if path.startswith(f"/{prefix}/gkmlpt/"):
            return f"/{prefix}", name, posts
    if path.startswith("/gkmlpt/"):
        return "", site.name, site.posts
    return None


WINDOW = 2  # posts a windowed site's list API shows


def _gkmlpt_article(site: Site, prefix: str, name: str, p: Post) -> dict:
    y, m, d = (int(x) for x in p.date.split("-"))
    stamp = int(dt.datetime(y, m, d, tzinfo=_BEIJING).timestamp())
    url = f"{site.base}{prefix}/gkmlpt/content/0/{p.id // 1000}/post_{p.id}.html"
    return {"id": p.id, "title": p.title, "url": url, "date": stamp, "created_at": f"{p.date} 00:00:00", "identifier": "",
            "publisher": name, "type": "normal",
            "attachment": [{"id": p.id, "name": f"{p.title}.pdf", "type": "file", "mime": "application/pdf", "size": "0",
                            "url": f"{site.base}/attachment/0/{p.id // 1000}/{p.id}.pdf"}] if p.attachment else []}


def _search(search: Site, path: str, query: dict) -> tuple[int, str | bytes, str]:
    """The province's site search over every gkmlpt site of the network: ``/jsonp/site/{sid}``, JSONP, 1-based pages
    (page 0 answers nothing), no ``callback`` an error — as search.gd.gov.cn answers."""
    m = re.fullmatch(r"/jsonp/site/(\d+)", path)
    site = next((s for s in search.sites if m and str(760000 + s.n) == m.group(1)), None)
    callback = query.get("callback", [""])[0]
    if not callback:
        return 200, json.dumps({"errcode": -1, "errmsg": "调用失败，请检查参数"}, ensure_ascii=False), "application/json; charset=utf-8"
    if site is None:
        return 200, f"{callback}({json.dumps({'results': [], 'count': 0})});", "application/javascript; charset=utf-8"
    page, size = int(query.get("page", ["1"])[0]), int(query.get("pagesize", ["20"])[0])
    hits = site.posts if str(query.get("classify_main", [""])[0]) in ("", str(GKMLPT_CATEGORY)) else []
    chunk = hits[(page - 1) * size: page * size] if page >= 1 else []
    results = []
    for p in chunk:
        a = _gkmlpt_article(site, "", site.name, p)
        results.append({"id": p.id, "title": f"<em>{p.title[:4]}</em>{p.title[4:]}", "url": a["url"], "post_url": a["url"],
                        "pub_time": p.date, "publish_time": a["date"], "display_publish_time": a["date"], "isgkml": "1",
                        "post_type": "normal", "classify_main": GKMLPT_CATEGORY, "attachment": json.dumps(a["attachment"], ensure_ascii=False)})
    body = json.dumps({"results": results, "count": len(hits)}, ensure_ascii=False)
    return 200, f"{callback}({body});", "application/javascript; charset=utf-8"


def _gkmlpt(site: Site, path: str, query: dict) -> tuple[int, str | bytes, str]:
    html = "text/html; charset=utf-8"
    sid = str(760000 + site.n)
    if path in ("/", "/index.html"):
        return 200, _page(site.name, '<a href="/">首页</a> <a href="/gkmlpt/index">政府信息公开</a>'), html
    inst = _gkmlpt_instance(site, path)
    if inst is None:
        if path.startswith("/attachment/"):
            return 200, _pdf(path.rsplit("/", 1)[-1]), "application/pdf"
        return 404, "404", html
    prefix, name, posts = inst
    rest = path[len(prefix):]
    if rest in ("/gkmlpt/index", "/gkmlpt/annualreport"):
        tree = [{"id": 1, "name": "机构职能", "post_count": 2, "children": [], "jump_url": ""},
                {"id": GKMLPT_CATEGORY, "name": "政府信息公开年报", "post_count": len(posts), "children": [], "jump_url": ""}]
        search = f", SEARCH_JSONP_URL: '{site.search_url}'" if site.search_url else ""
        cfg = f"window._CONFIG = {{SID: '{sid}', TREE: {json.dumps(tree, ensure_ascii=False)}, SERVICE_AREA_ID: '440000'{search}}};"
        depts = "".join(f'<li><a href="/{p}/gkmlpt/index">{n}</a></li>' for p, n, _ in site.departments) if not prefix else ""
        return 200, _page(name, f"<div id='app'></div><ul class='depts'>{depts}</ul><script>{cfg}</script>"), html
    if rest.startswith(f"/gkmlpt/api/all/{GKMLPT_CATEGORY}"):
        page = max(int(query.get("page", ["1"])[0]), 1)
        # a windowed site lists only its newest posts; the category still counts them all (post_count)
        listed = posts[:WINDOW] if site.kind == "gkmlpt_window" else posts
        chunk = listed[(page - 1) * 100: page * 100]
        if not chunk:
            return 404, '{"error": "no such page"}', "application/json"
        arts = [_gkmlpt_article(site, prefix, name, p) for p in chunk]
        data = {"classify": {"id": GKMLPT_CATEGORY, "name": "政府信息公开年报", "post_count": len(posts), "jump_url": ""},
                "total": len(listed), "offset": (page - 1) * 100, "articles": arts}
        return 200, json.dumps(data, ensure_ascii=False), "application/json; charset=utf-8"
    if "/gkmlpt/content/" in rest:
        post = next((p for p in posts if rest.endswith(f"post_{p.id}.html")), None)
        if post is None:
            return 404, "404", html
        detail = {"id": post.id, "title": post.title, "content": f"<p>{post.title}。</p>"}
        return 200, _page(post.title, f"<div id='app'></div><script>window._CONFIG = {{SID: '{sid}', DETAIL: {json.dumps(detail, ensure_ascii=False)}}};</script>"), html
    return 404, "404", html


# -- TRS WCM ----------------------------------------------------------------------------------------------

TRS_COLUMN = "/zfxxgk/zfxxgknb/"
TRS_PER_PAGE = 3


def _trs(site: Site, path: str) -> tuple[int, str | bytes, str]:
    html = "text/html; charset=utf-8"
    if path in ("/", "/index.html"):
        return 200, _page(site.name, '<a href="/zfxxgk/">政府信息公开</a>'), html
    if path in ("/zfxxgk/", "/zfxxgk/index.html"):
        return 200, _page("政府信息公开", '<a href="./zfxxgkzn/">政府信息公开指南</a> <a href="./zfxxgknb/">政府信息公开年报</a>'), html
    if path.startswith(TRS_COLUMN):
        name = path[len(TRS_COLUMN):]
        pages = max(1, -(-len(site.posts) // TRS_PER_PAGE))
        n = 0 if name in ("", "index.html") else int(name.removeprefix("index_").removesuffix(".html")) if name.startswith("index_") else None
        if n is not None:
            if n >= pages:
                return 404, "404", html
            items = "".join(f'<li><a href="./{p.date[:7].replace("-", "")}/t{p.date.replace("-", "")}_{p.id}.html" title="{p.title}">{p.title}</a>'
                            f"<span>{p.date}</span></li>" for p in site.posts[n * TRS_PER_PAGE:(n + 1) * TRS_PER_PAGE])
            pager = f'<script>createPageHTML({pages}, {n}, "index", "html");</script>'
            return 200, _page("政府信息公开年报", f'<ul class="list">{items}</ul>{pager}', '<meta name="ColumnName" content="政府信息公开年报">'), html
        post = next((p for p in site.posts if name.endswith(f"_{p.id}.html")), None)
        if post is None:
            if name.endswith(".pdf"):
                return 200, _pdf(name), "application/pdf"
            return 404, "404", html
        att = f'<p><a href="./P0{post.id}.pdf" oldsrc="P0{post.id}.pdf">{post.title}.pdf</a></p>' if post.attachment else ""
        head = f'<meta name="ArticleTitle" content="{post.title}"><meta name="PubDate" content="{post.date} 09:00">'
        return 200, _page(post.title, f'<div class="TRS_Editor"><p>{post.title}。</p>{att}</div>', head), html
    return 404, "404", html


# -- NFCMS -----------------------------------------------------------------------------------------------

NFCMS_COLUMN = "/xxgk/zfxxgknb/"
NFCMS_CAT = 2279


def _nfcms(site: Site, path: str) -> tuple[int, str | bytes, str]:
    html = "text/html; charset=utf-8"
    ids = f"<script>var NFCMS_SITE_ID = {755000 + site.n}; var NFCMS_CAT_ID = {NFCMS_CAT};</script>"
    recent, older = site.posts[:3], site.posts[3:]  # the column lists the recent posts; a sub-column the rest
    if path in ("/", "/index.html"):
        return 200, _page(site.name, '<a href="/xxgk/">政府信息公开</a>'), html
    if path in ("/xxgk/", "/xxgk/index.html"):
        return 200, _page("政府信息公开", f'<a href="/xxgk/zfxxgkzn/">政府信息公开指南</a> <a href="{NFCMS_COLUMN}index.html">政府信息公开年报</a>'), html
    if path in (NFCMS_COLUMN, NFCMS_COLUMN + "index.html"):
        items = "".join(f'<li><span class="tit"><a href="{NFCMS_COLUMN}content/post_{p.id}.html" title="{p.title}">{p.title}</a></span>'
                        f"<span>{p.date}</span></li>" for p in recent)
        return 200, _page("政府信息公开年报", f'<div class="zx_ml_list"><ul>{items}</ul></div>{ids}'), html
    if path.startswith("/postmeta/i/"):
        cat = path.rsplit("/", 1)[-1].removesuffix(".json")
        chosen = recent if cat == str(NFCMS_CAT) else older if cat == str(NFCMS_CAT + 1) else None
        if chosen is None:
            return 404, '{"error": 404}', "application/json"
        arts = [{"id": p.id, "title": p.title, "url": f"{site.base}{NFCMS_COLUMN}content/post_{p.id}.html", "date": p.date,
                 "visible_publish_time": int(dt.datetime.fromisoformat(p.date).replace(tzinfo=_BEIJING).timestamp()),
                 "json_ext": "[]", "source": site.name} for p in chosen]
        data = {"articles": arts, "updated": "2025-01-01 00:00:00"}
        if cat == str(NFCMS_CAT):
            data["children"] = [{"id": NFCMS_CAT + 1, "name": "往年年报", "publish_count": len(older), "pub_point": "xxgk/zfxxgknb/wnnb"}]
        return 200, json.dumps(data, ensure_ascii=False), "application/json; charset=utf-8"
    if path.startswith(NFCMS_COLUMN + "content/"):
        post = next((p for p in site.posts if path.endswith(f"post_{p.id}.html")), None)
        if post is None:
            return 404, "404", html
        att = (f'<div class="fjdown"><a class="nfw-cms-attachment" href="/attachment/0/{post.id // 1000}/{post.id}.pdf" '
               f'alt="{post.title}.pdf">点击下载</a></div>') if post.attachment else ""
        head = f'<meta name="ArticleTitle" content="{post.title}"><meta name="ArticleId" content="{post.id}">'
        body = f'<div class="tit"><h1>{post.title}</h1></div><div class="news_cont_d_wrap"><p>{post.title}。</p>{att}</div>'
        return 200, _page(post.title, body + ids.replace("NFCMS_CAT_ID", "NFCMS_POST_ID").replace(str(NFCMS_CAT), str(post.id)), head), html
    if path.startswith("/attachment/"):
        return 200, _pdf(path.rsplit("/", 1)[-1]), "application/pdf"
    return 404, "404", html


class Network:
    """Every site served on its own loopback address.  Use as a context manager."""

    def __init__(self, sites: list[Site], *, latency: float = 0.005, slow_seconds: float = 0.5) -> None:
        self.sites = sites
        self.latency = latency
        self.slow_seconds = slow_seconds
        self._lock = threading.Lock()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.servers: list[_Server] = []
        for s in sites:
            s.ip = f"127.0.{1 + (s.n - 1) // 250}.{1 + (s.n - 1) % 250}"
        # the province's site search: one host for every gkmlpt site
        self.search = Site(0, "search", "站群搜索", [], ip="127.0.9.1", sites=[s for s in sites if s.kind.startswith("gkmlpt")])

    def enter(self, host: str, path: str) -> None:
        with self._lock:
            self.in_flight[host] += 1
            self.requests[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])

    def leave(self, host: str) -> None:
        with self._lock:
            self.in_flight[host] -= 1

    def __enter__(self) -> Network:
        for s in [self.search, *self.sites]:
            srv = _Server(s, self)
            s.port = srv.server_address[1]
            self.servers.append(srv)
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        for s in self.sites:
            if s.kind == "gkmlpt_window":
                s.search_url = f"{self.search.base}/jsonp"
        return self

    def __exit__(self, *exc: object) -> None:
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
