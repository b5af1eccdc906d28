"""A local demo portal that reproduces the two portal platforms of the sample regions, on 127.0.0.1.

- ``/yq/`` — 乐清市 on **Hanweb JCMS**: a column page whose first records are embedded in
  ``<script type="text/xml"><datastore>…`` (invisible to a link extractor), the rest from
  ``/module/web/jpage/dataproxy.jsp`` (POST, ``startrecord``/``endrecord``/``perpage`` and the form
  fields read from the column page), article pages with ``div#zoom`` and the metadata block,
  attachments through ``/module/download/downfile.jsp``.
- ``/qy/`` — 清远市 on **gkmlpt**: ``gkmlpt/index`` with ``window._CONFIG = {SID, TREE}``, the JSON list
  API with its quirks (page 0 repeats page 1; past the last page a 404), posts under
  ``gkmlpt/content/…/post_{id}.html`` with ``_CONFIG.DETAIL``, attachments, and a department's own
  gkmlpt under a path prefix (``/qy/qynyncj/gkmlpt/annualreport``).  The office's 2023 report is one
  post in three media at once, as such posts often are: the body with its tables pasted as pictures
  (``<img src="/qy/attachment/…png">``), the report as a PDF and its tables as an Excel workbook.
- ``/blocked/`` — a portal that answers automated clients with a JavaScript challenge (HTTP 412, 请稍候).
- ``/robots.txt`` disallows ``/yq/private/``; a slow page; a 404; non-report articles with attachments
  that must not be downloaded; a link to another host (``localhost``) that must not be followed.

The server counts every request by path, so tests can assert what a second run did not fetch.
Started and stopped by the code that needs it (tests, ``make demo``), on a free port.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from synth.example_body import example_reports
from synth.layout import DocSpec, MediaStyle, Para, build
from synth.layout import build as build_plain
from synth.media import body_html, render_docx, render_html, render_pdf, render_xlsx
from synth.model import SynthReport, from_golden

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@dataclass
class Article:
    id: int
    title: str
    date: str  # YYYY-MM-DD
    body: str  # HTML of the article body
    category: str = "信息公开年报"
    url: str | None = None  # where the list points, when not the platform's usual article path
    index_no: str = ""
    publisher: str = ""
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # (showname, filename, bytes)


@dataclass
class Site:
    hanweb: list[Article] = field(default_factory=list)
    gkmlpt: list[Article] = field(default_factory=list)
    gkmlpt_department: list[Article] = field(default_factory=list)
    trs: list[Article] = field(default_factory=list)
    example: list[Article] = field(default_factory=list)  # /ex/: the synthetic body with two years (synth/example_body.py)
    files: dict[str, bytes] = field(default_factory=dict)


def _golden(stem: str) -> dict:
    for folder in (SAMPLES / "golden", Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "golden"):
        p = folder / f"{stem}.json"
        if p.exists():
            return json.loads(p.read_text(encoding="utf-8"))
    raise FileNotFoundError(stem)


_TABLE_PART = re.compile(r"^#*\s*[二三]、\s*(?:主动公开|收到和处理)")


def real_prose(stem: str) -> list[Para]:
    """The seed report's own opening narrative (总体情况, before its first statistical table), paragraph by
    paragraph, so that the demo's renderings say in words what their tables print, as the real reports do."""
    paras = []
    lines = (SAMPLES / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    for line in lines[1:] if lines and not lines[0].strip() else lines:
        text = line.strip().lstrip("#").strip()
        if _TABLE_PART.match(line.strip()):
            break
        if text and "\t" not in line and "|" not in line:
            paras.append(Para(text))
    return paras[1:]  # the first is the title, which the rendering prints itself


def _spec(rep: SynthReport, stem: str, style: MediaStyle) -> DocSpec:
    """The report's rendering with its real opening narrative in place of the synthetic one."""
    spec = build(rep, style)
    first_table = next(i for i, b in enumerate(spec.blocks) if not isinstance(b, Para))
    spec.blocks = [spec.blocks[0], *real_prose(stem), *spec.blocks[first_table:]]
    return spec


def misprinted(spec: DocSpec, label: str, printed: str) -> DocSpec:
    """The rendering with one table label printed otherwise (in every cell that holds it)."""
    for block in spec.blocks:
        if isinstance(block, Para):
            continue
        for row in block.rows:
            for cell in row:
                if label in cell.text:
                    cell.text = cell.text.replace(label, printed)
    return spec


def build_site() -> Site:
    """The sample reports as the portals publish them: some as article pages, some as attachments."""
    site = Site()
    reports = {stem: from_golden(_golden(stem)) for stem in ("000_58823f7fe4816adc", "001_e8c91993164e9814", "002_36d1a55e0ab3299b", "003_94bb7cf4c5429941", "004_49b614242c3ab02a")}
    style = MediaStyle()

    def build(rep: SynthReport, style: MediaStyle) -> DocSpec:  # noqa: F811 - every rendering here has its real narrative
        stem = next(k for k, v in reports.items() if v is rep)
        return _spec(rep, stem, style)

    # 乐清市 (Hanweb): 2023 office report as an article page; 2019 government report as a PDF
    # attachment; 2020 机关事务管理中心 as a DOCX attachment; 2023 融媒体中心 as an article page.
    r = reports["000_58823f7fe4816adc"]
    site.hanweb.append(Article(101, r.title, "2024-01-30", body_html(build(r, style)), index_no="001008003/2024-00101", publisher=r.agency))
    r = reports["004_49b614242c3ab02a"]
    site.hanweb.append(
        Article(102, r.title, "2020-01-21", "<p>乐清市人民政府2019年政府信息公开工作年度报告全文见附件。</p>", index_no="001008003/2020-00012",
                publisher=r.agency, attachments=[(f"{r.title}.pdf", "a1b2c3d4e5f60001.pdf", render_pdf(build(r, style)))])
    )
    # Its table prints row 三(三)2 as a real district report printed it, two characters short (issue #21): the
    # parse places it by the template's order and records a label_variant problem.
    r = reports["001_e8c91993164e9814"]
    site.hanweb.append(
        Article(103, r.title, "2021-01-25", "<p>详见附件。</p>", index_no="001008117/2021-00003", publisher=r.agency,
                attachments=[(f"{r.title}.docx", "a1b2c3d4e5f60002.docx",
                              render_docx(misprinted(build(r, style), "其他法律行政法规禁止公开", "其他法律行政止公开")))])
    )
    r = reports["002_36d1a55e0ab3299b"]
    site.hanweb.append(Article(104, r.title, "2024-01-29", body_html(build(r, style)), index_no="001008236/2024-00004", publisher=r.agency))
    # not reports: must be skipped, their attachments never downloaded
    site.hanweb.append(
        Article(105, "乐清市人民政府办公室关于开展安全生产大检查的通知", "2024-03-02", "<p>各乡镇：…</p>", category="通知公告",
                attachments=[("检查表.docx", "a1b2c3d4e5f60003.docx", b"not to be downloaded")])
    )
    site.hanweb.append(Article(106, "乐清市召开政务公开工作推进会", "2024-03-05", "<p>会议要求…</p>", category="工作动态"))
    site.hanweb.append(Article(107, "关于印发乐清市政务公开工作要点的通知", "2024-04-01", "<p>…</p>", category="政策文件"))
    # report-titled records that must not be fetched: one disallowed by robots.txt, one on another host
    site.hanweb.append(Article(108, "乐清市某局2023年政府信息公开工作年度报告（内部）", "2024-02-01", "<p>…</p>", url="/yq/private/art_1229_108.html"))
    site.hanweb.append(Article(109, "乐清市某镇2023年政府信息公开工作年度报告（外站）", "2024-02-02", "<p>…</p>", url="http://localhost:{port}/yq/art/2024/2/2/art_1229_109.html"))
    # 清远市 (gkmlpt): the office's 2023 report as a post whose tables are pictures, with the report as a PDF
    # and its tables as an Excel workbook attached
    r = reports["003_94bb7cf4c5429941"]
    pictures = _table_pictures("003_94bb7cf4c5429941")
    names = [f"1500201_{i + 1}.png" for i in range(len(pictures))]
    site.files.update(zip(names, pictures, strict=True))
    site.gkmlpt.append(
        Article(1500201, r.title, "2024-01-29", body_html(build(r, style), [f"/qy/attachment/0/1/{n}" for n in names]),
                index_no="007208375/2024-00017", publisher=r.agency,
                attachments=[(f"{r.title}.pdf", "1500201.pdf", render_pdf(build(r, style))),
                             (f"{r.title}（附表）.xlsx", "1500201.xlsx", render_xlsx(build(r, style)))])
    )
    site.gkmlpt.append(Article(1500202, "清远市人民政府办公室2022年政府信息公开工作年度报告（更正）说明", "2024-02-05", "<p>更正说明。</p>", category="说明"))
    # a TRS-style site (generic spider): the 融媒体中心 report again, and a notice
    r = reports["002_36d1a55e0ab3299b"]
    site.trs.append(Article(88001, r.title, "2024-01-29", body_html(build(r, style)), index_no="001008236/2024-00004", publisher=r.agency))
    site.trs.append(Article(88002, "乐清市融媒体中心关于招聘工作人员的公告", "2024-03-01", "<p>…</p>", category="公告"))
    # the department's own gkmlpt: one non-report post
    site.gkmlpt_department.append(Article(2300001, "清远市农业农村局2023年春耕工作通知", "2024-02-10", "<p>…</p>", category="通知"))
    # /ex/: a synthetic body (示例局, "example bureau") with reports for two years, newest first as lists are
    for i, rep in enumerate(reversed(example_reports())):
        site.example.append(Article(77002 - i, rep.title, rep.published_on or f"{rep.year + 1}-01-15", body_html(build_plain(rep, style)),
                                    index_no=f"001008999/{rep.year + 1}-0000{i + 1}", publisher=rep.agency))
    return site


@functools.cache
def _table_pictures(stem: str) -> tuple[bytes, ...]:
    """The report's tables as screenshots (made once per process: every test starts its own portal)."""
    from synth.scan import table_images

    return tuple(table_images(_spec(from_golden(_golden(stem)), stem, MediaStyle(stacked_headers=True))))


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers with a whole body (the demo and the tests' fault portal)."""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _home(title: str, links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body><ul>{items}</ul></body></html>'


# The demo's home pages: one linking every site (what `xxgk demo-portal` shows first), and each site's own, titled
# as real portals title theirs, so `xxgk discover` finds each site's report column, platform, name and region.
HOME_PAGES: dict[str, str] = {
    "/": _home("xxgk 演示门户（本机）", [("/yq/", "乐清市人民政府（Hanweb）"), ("/qy/", "清远市人民政府（gkmlpt）"),
                                     ("/trs/index.html", "乐清市融媒体中心（TRS 列表）"),
                                     ("/ex/index.html", "乐清市示例局（合成示例数据，两年）"), ("/blocked/", "反爬虫挑战页")]),
    "/yq/": _home("首页 - 乐清市人民政府门户网站", [("/yq/col/col1229/index.html", "政府信息公开年报"), ("/yq/slow.html", "政务动态")]),
    "/qy/": _home("清远市人民政府门户网站", [("/qy/gkmlpt/index", "政府信息公开"), ("/qy/qynyncj/gkmlpt/index", "清远市农业农村局")]),
}


class _Handler(QuietHandler):
    server: DemoPortal  # type: ignore[assignment]

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path
        query = parse_qs(url.query)
        form: dict[str, list[str]] = {}
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        self.server.count(path, self.path)
        site = self.server.site
        if self.server.delay_documents and ("/art/" in path or "downfile" in path or "/content/" in path or "/attachment/" in path):
            time.sleep(self.server.delay_documents)
        if path in self.server.slow_paths:
            time.sleep(self.server.slow_paths[path])
        html = "text/html; charset=utf-8"
        etag = self.server.etags.get(path)
        if etag and self.headers.get("If-None-Match") == etag:
            self._send(304, b"", html, {"ETag": etag})
            return
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /yq/private/\n", "text/plain")
        elif path in HOME_PAGES:
            self._send(200, HOME_PAGES[path].encode("utf-8"), html)
        elif path == "/yq/col/col1229/index.html":
            self._send(200, self.server.hanweb_column().encode("utf-8"), html)
        elif path == "/yq/module/web/jpage/dataproxy.jsp":
            params = {**query, **form}
            start = int(params.get("startrecord", ["1"])[0])
            end = int(params.get("endrecord", ["1"])[0])
            if params.get("columnid", [""])[0] != "1229":
                self._send(200, b"<datastore><totalrecord>0</totalrecord><recordset></recordset></datastore>", "text/xml")
                return
            self._send(200, self.server.hanweb_records(start, end).encode("utf-8"), "text/xml; charset=utf-8")
        elif path.startswith("/yq/art/"):
            art = next((a for a in site.hanweb if path.endswith(f"art_1229_{a.id}.html")), None)
            if art is None:
                self._send(404, b"<html><body>404</body></html>", html)
            else:
                self._send(200, hanweb_article(art), html, {"ETag": self.server.etags.setdefault(path, f'"a{art.id}"')})
        elif path == "/yq/module/download/downfile.jsp":
            name = query.get("filename", [""])[0]
            data = site.files.get(name)
            if data is None:
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, data, _ctype(name), {"ETag": self.server.etags.setdefault(name, f'"f{name}"')})
        elif path == "/yq/slow.html":
            time.sleep(self.server.slow_seconds)
            self._send(200, b"<html><body>slow</body></html>", html)
        elif path.startswith("/yq/private/"):
            self._send(200, b"<html><body>private</body></html>", html)
        elif path in ("/qy/gkmlpt/index", "/qy/gkmlpt/annualreport"):
            self._send(200, gkmlpt_index("/qy", 7, len(site.gkmlpt)).encode("utf-8"), html)
        elif path in ("/qy/qynyncj/gkmlpt/index", "/qy/qynyncj/gkmlpt/annualreport"):
            self._send(200, gkmlpt_index("/qy/qynyncj", 31, len(site.gkmlpt_department)).encode("utf-8"), html)
        elif path.startswith(("/qy/gkmlpt/api/all/", "/qy/qynyncj/gkmlpt/api/all/")):
            dept = path.startswith("/qy/qynyncj/")
            arts = site.gkmlpt_department if dept else site.gkmlpt
            page = int(query.get("page", ["1"])[0])
            page = max(page, 1)  # quirk: page 0 repeats page 1
            per = 1
            chunk = arts[(page - 1) * per : page * per]
            if not chunk:
                self._send(404, b'{"error": "no such page"}', "application/json")  # quirk: 404 past the end
                return
            prefix = "/qy/qynyncj" if dept else "/qy"
            self._send(200, gkmlpt_api(prefix, chunk, len(arts), self.server.base).encode("utf-8"), "application/json; charset=utf-8")
        elif "/gkmlpt/content/" in path:
            arts = site.gkmlpt + site.gkmlpt_department
            art = next((a for a in arts if path.endswith(f"post_{a.id}.html")), None)
            if art is None:
                self._send(404, b"404", html)
            else:
                prefix = "/qy/qynyncj" if art in site.gkmlpt_department else "/qy"
                self._send(200, gkmlpt_post(prefix, art).encode("utf-8"), html, {"ETag": self.server.etags.setdefault(path, f'"p{art.id}"')})
        elif path.startswith("/qy/attachment/"):
            name = path.rsplit("/", 1)[-1]
            data = site.files.get(name)
            self._send(200 if data else 404, data or b"not found", _ctype(name))
        elif path.startswith("/trs/"):
            self._serve_trs(path, "/trs/", site.trs)
        elif path.startswith("/ex/"):
            self._serve_trs(path, "/ex/", site.example)
        elif path.startswith("/blocked/"):
            self._send(412, CHALLENGE.encode("utf-8"), html)
        else:
            self._send(404, b"<html><body>404 Not Found</body></html>", html)


    def _serve_trs(self, path: str, prefix: str, arts: list[Article]) -> None:
        """A TRS-style list: index.html, index_1.html … (404 past the end), articles t{date}_{id}.html."""
        html = "text/html; charset=utf-8"
        m = re.fullmatch(re.escape(prefix) + r"index(?:_(\d+))?\.html", path)
        if m:
            page = int(m.group(1) or 0)
            chunk = arts[page : page + 1]
            if not chunk:
                self._send(404, b"404", html)
                return
            items = "".join(f'<li><a href="./t{a.date.replace("-", "")}_{a.id}.html" title="{a.title}">{a.title}</a><span>{a.date}</span></li>' for a in chunk)
            self._send(200, f'<html><body><ul class="list">{items}</ul><a href="{prefix}about.html">关于本站</a></body></html>'.encode(), html)
            return
        art = next((a for a in arts if path.endswith(f"_{a.id}.html")), None)
        if art is None:
            self._send(404, b"404", html)
            return
        meta = {"publisher": art.publisher, "index_no": art.index_no, "published": art.date}
        self._send(200, render_html_article(art.title, f'<div class="TRS_Editor">{art.body}</div>', art.category, meta).encode(), html)


def _ctype(name: str) -> str:
    if name.endswith(".pdf"):
        return "application/pdf"
    if name.endswith(".docx"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if name.endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if name.endswith(".png"):
        return "image/png"
    return "application/octet-stream"


CHALLENGE = (
    "<html><head><title>请稍候</title></head><body><p>请稍候…</p>"
    "<script>var _0x1=['cookie','location'];document[_0x1[0]]='__jsl_clearance=1';window[_0x1[1]].reload();</script>"
    "</body></html>"
)


def hanweb_record(a: Article, port: int = 0) -> str:
    d = a.date.split("-")
    href = (a.url or f"/yq/art/{d[0]}/{int(d[1])}/{int(d[2])}/art_1229_{a.id}.html").format(port=port)
    return f'<li><a href="{href}" title="{a.title}" target="_blank">{a.title}</a><span>{a.date}</span></li>'


def hanweb_article(a: Article) -> bytes:
    links = "".join(
        f'<p><a href="/yq/module/download/downfile.jsp?classid=0&amp;showname={show}&amp;filename={fname}">{show}</a></p>'
        for show, fname, _ in a.attachments
    )
    meta = {"publisher": a.publisher, "index_no": a.index_no, "published": a.date}
    page = render_html_article(a.title, a.body + links, a.category, meta)
    return page.encode("utf-8")


def render_html_article(title: str, body: str, category: str, meta: dict[str, str]) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{meta["published"]} 10:00">'
        f'<meta name="ContentSource" content="{meta["publisher"]}"></head><body>'
        f'<table class="xxgk_table"><tr><td>索引号：</td><td>{meta["index_no"]}</td><td>组配分类：</td><td>{category}</td></tr>'
        f'<tr><td>发布机构：</td><td>{meta["publisher"]}</td><td>成文日期：</td><td>{meta["published"]}</td></tr>'
        f'<tr><td>公开方式：</td><td>主动公开</td></tr></table>'
        f'<h1>{title}</h1><div id="zoom">{body}</div>'
        '<div class="footer"><a href="http://localhost:1/elsewhere.html">友情链接</a> <a href="/yq/private/x.html">内部</a></div>'
        "</body></html>"
    )


def gkmlpt_index(prefix: str, cat_id: int, count: int) -> str:
    tree = [
        {"id": 1, "name": "机构职能", "post_count": 3, "children": [], "jump_url": ""},
        {"id": cat_id, "name": "政府信息公开年报", "post_count": count, "children": [], "jump_url": f"{prefix}/gkmlpt/annualreport"},
    ]
    cfg = {"SID": "demo_sid_4418", "TREE": tree}
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><div id='app'></div><script>window._CONFIG = {json.dumps(cfg, ensure_ascii=False)};</script></body></html>"


def gkmlpt_api(prefix: str, arts: list[Article], total: int, base: str) -> str:
    out = []
    for a in arts:
        out.append(
            {
                "id": a.id,
                "title": a.title,
                "url": f"{base}{prefix}/gkmlpt/content/{a.id // 1000000}/{a.id // 1000}/post_{a.id}.html",
                "post_url": f"{prefix}/gkmlpt/content/{a.id // 1000000}/{a.id // 1000}/post_{a.id}.html",
                "identifier": a.index_no,
                "document_number": "",
                "publisher": a.publisher,
                "date": a.date,
                "display_publish_time": f"{a.date} 09:00",
                "attachment": [{"name": show, "url": f"{base}/qy/attachment/0/1/{fname}", "type": fname.rsplit('.', 1)[-1]} for show, fname, _ in a.attachments],
            }
        )
    return json.dumps({"classify": {"id": 7, "name": "政府信息公开年报", "post_count": total}, "articles": out}, ensure_ascii=False)


def gkmlpt_post(prefix: str, a: Article) -> str:
    detail = {"id": a.id, "title": a.title, "content": a.body, "publisher": a.publisher, "date": a.date, "identifier": a.index_no}
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{a.title}</title></head><body><div id='app'></div>"
        f"<script>window._CONFIG = {json.dumps({'SID': 'demo_sid_4418', 'DETAIL': detail}, ensure_ascii=False)};</script></body></html>"
    )


class DemoPortal(ThreadingHTTPServer):
    """The demo portal server.  Use as a context manager: it starts on a free port and stops."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, per_page: int = 2, slow_seconds: float = 1.0) -> None:
        super().__init__((host, port), _Handler)
        self.site = build_site()
        for a in self.site.hanweb + self.site.gkmlpt + self.site.gkmlpt_department:
            for _show, fname, data in a.attachments:
                self.site.files[fname] = data
        self.per_page = per_page
        self.slow_seconds = slow_seconds
        self.delay_documents = 0.0  # seconds added to every document answer (to kill a crawl mid-way)
        self.slow_paths: dict[str, float] = {}  # path -> seconds before answering (a server that times out)
        self.requests: Counter[str] = Counter()  # by path
        self.requests_by_url: Counter[str] = Counter()  # by path and query (attachments share downfile.jsp)
        self.etags: dict[str, str] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, path: str, full: str | None = None) -> None:
        with self._lock:
            self.requests[path] += 1
            self.requests_by_url[full or path] += 1

    def hanweb_column(self) -> str:
        arts = self.site.hanweb
        first = "".join(f"<record><![CDATA[{hanweb_record(a, self.port)}]]></record>" for a in arts[: self.per_page])
        params = {"col": 1, "appid": 1, "webid": 2729, "path": "/", "columnid": 1229, "sourceContentType": 1, "unitid": 4400, "webname": "乐清市人民政府", "permissiontype": 0}
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>信息公开年报</title></head><body>'
            '<div class="nav"><a href="/yq/slow.html">慢页面</a> <a href="/yq/missing.html">失效链接</a></div>'
            '<div id="4400"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=2729&path=/&columnid=1229&unitid=4400&webname=%E4%B9%90%E6%B8%85&permissiontype=0"></a>]]></nextgroup>'
            f"<recordset>{first}</recordset></datastore></script>"
            f"<script>$('#4400').jpage({{dataStore: 'xml', perPage: {self.per_page}, totalRecord: {len(arts)}, proxyUrl: '/module/web/jpage/dataproxy.jsp', "
            f"ajaxParam: {json.dumps(params, ensure_ascii=False)}}});</script></div></body></html>"
        )

    def hanweb_records(self, start: int, end: int) -> str:
        arts = self.site.hanweb[max(start - 1, 0) : end]
        recs = "".join(f"<record><![CDATA[{hanweb_record(a, self.port)}]]></record>" for a in arts)
        return f"<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>{len(self.site.hanweb)}</totalrecord><recordset>{recs}</recordset></datastore>"

    def __enter__(self) -> DemoPortal:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


__all__ = ["DemoPortal", "build_site", "render_html"]
