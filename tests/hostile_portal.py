"""A hostile gkmlpt portal on 127.0.0.1, and a trap on 127.0.0.2 that records every connection (issue #23, item 6).

The portal's pages follow the real platform's shapes (see ``tests/fault_portal.py``); each scenario, one per path
prefix, tries to take the crawler past what the registry entry allows, or to cost it more than one item:

- ``pagehost``: the page's ``window._CONFIG`` names ``SEARCH_JSONP_URL`` on the trap (the category counts more posts
  than the API lists, so the search is wanted); the API lists an attachment on the trap; the post's body links a
  PDF and shows a picture on the trap, next to its own good PDF
- ``schemes``: the API lists an ``ftp://`` attachment on the portal's own host (an FTP listener on 127.0.0.1 records
  any connection); the post's body links ``ftp://`` on the trap, ``file:///etc/passwd`` and ``mailto:`` "PDFs"
- ``dates``: one API page of 8 posts, 6 of them with a bad field (dates −1e15, 1e20, NaN, a word, an object; an id
  that is a list; a title that is a list), and one item whose URL is an object
- ``longext``: an attachment whose URL ends in a 241-character "extension", served as ``application/octet-stream``
- ``redirects``: the registry names the site search on this server, which redirects to the trap; one post redirects
  to the trap, another refreshes (``<meta http-equiv=refresh>``) to it, an attachment redirects to ``ftp://``
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from synth.demo_portal import QuietHandler

CAT, SID = 22195, "763045"
PDF = b"%PDF-1.4\n% a stand-in attachment, archived as bytes\n%%EOF\n"
SCENARIOS = ("pagehost", "schemes", "dates", "longext", "redirects")
LONG_EXT = "x" * 241


class Trap:
    """A TCP listener that accepts and records every connection (peer and first bytes), then closes it."""

    def __init__(self, host: str) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.host, self.port = host, self.sock.getsockname()[1]
        self.connections: list[tuple[str, bytes]] = []
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(0.5)
            try:
                first = conn.recv(512)
            except OSError:
                first = b""
            self.connections.append((f"{peer[0]}:{peer[1]}", first))
            conn.close()

    def __enter__(self) -> Trap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


def index_html(search_url: str, post_count: int) -> str:
    tree = [{"id": CAT, "name": "政府信息公开年报", "jump_url": "", "post_count": post_count, "children": []}]
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>政府信息公开</title></head><body><div id=\"app\"></div>\n"
            f"<script>\n    window._CONFIG = {{\n        SID: '{SID}',\n        TREE: {json.dumps(tree, ensure_ascii=False)},\n"
            f"        SERVICE_AREA_ID: '441800',\n        SEARCH_JSONP_URL: '{search_url}'\n    }};\n</script>\n</body></html>")


def article(base: str, prefix: str, pid: int, year: int, attachments: list[dict] | None = None) -> dict:
    return {
        "id": pid, "title": f"清远市农业农村局{year}年政府信息公开工作年度报告", "type": "normal",
        "url": f"{base}{prefix}/gkmlpt/content/0/{pid}/post_{pid}.html", "identifier": f"11441800007201234N/{year + 1}-000{pid}",
        "publisher": "清远市农业农村局", "date": 1706112000 - (2023 - year) * 31536000, "classify_main": CAT,
        "attachment": attachments if attachments is not None else [
            {"id": pid * 10, "name": f"{year}年报.pdf", "type": "file", "mime": "application/pdf", "size": str(len(PDF)),
             "url": f"{base}{prefix}/attachment/0/{pid}/{pid * 10}.pdf"}],
    }


class _Handler(QuietHandler):
    server: HostilePortal

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        url = urlsplit(self.path)
        self.server.requests[url.path] += 1
        parts = url.path.strip("/").split("/")
        scenario, prefix = parts[0], f"/{parts[0]}"
        base = f"http://127.0.0.1:{self.server.server_port}"
        trap = f"http://127.0.0.2:{self.server.trap_port}"
        if url.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if url.path.startswith("/jsonp/site/"):  # the registry's site search of `redirects`: sends the crawler to the trap
            return self._send(302, b"", headers={"Location": f"{trap}{self.path}"})
        if url.path.endswith("/gkmlpt/annualreport"):
            search = f"{trap}/jsonp" if scenario == "pagehost" else "http://127.0.0.1:9/jsonp"
            return self._send(200, index_html(search, 9 if scenario in ("pagehost", "redirects") else 1).encode())
        if "/gkmlpt/api/all/" in url.path:
            return self._api(scenario, prefix, base, trap)
        if "/gkmlpt/content/" in url.path:
            pid = int(parts[-1].removeprefix("post_").removesuffix(".html"))
            if scenario == "redirects" and pid == 2:
                return self._send(302, b"", headers={"Location": f"{trap}/post_2.html"})
            extra = ""
            if scenario == "redirects" and pid == 3:
                extra = f'<meta http-equiv="refresh" content="0; url={trap}/post_3.html">'
            links = ""
            if scenario == "pagehost":
                links = (f'<p><a href="{trap}/b.pdf">附件：年报全文.pdf</a></p><p><img src="{trap}/table.png"></p>'
                         f'<p><a href="{prefix}/attachment/0/{pid}/{pid * 10 + 1}.pdf">附表.pdf</a></p>')
            if scenario == "schemes":
                links = (f'<p><a href="ftp://127.0.0.2:{self.server.trap_port}/x.pdf">FTP 年报.pdf</a></p>'
                         '<p><a href="file:///etc/passwd#.pdf">本地.pdf</a></p><p><a href="mailto:gk@example.gov.cn?subject=a.pdf">邮件.pdf</a></p>')
            body = (f"<html><head><meta name=\"ArticleTitle\" content=\"清远市农业农村局2023年政府信息公开工作年度报告\">{extra}"
                    f"</head><body><div class=\"article-content\"><p>详见附件。</p>{links}</div></body></html>")
            return self._send(200, body.encode())
        if "/attachment/" in url.path:
            if scenario == "redirects":
                return self._send(302, b"", headers={"Location": f"ftp://127.0.0.1:{self.server.ftp_port}/report.pdf"})
            ctype = "application/octet-stream" if scenario == "longext" else "application/pdf"
            return self._send(200, PDF + url.path.encode(), ctype)
        return self._send(404, b"not found")

    def _api(self, scenario: str, prefix: str, base: str, trap: str) -> None:
        items: list[object] = [article(base, prefix, 1, 2023)]
        if scenario == "pagehost":
            first = article(base, prefix, 1, 2023)
            first["attachment"].append({"id": 11, "name": "年报（附表）.pdf", "type": "file", "url": f"{trap}/a.pdf"})  # type: ignore[attr-defined]
            items = [first]
        elif scenario == "schemes":
            first = article(base, prefix, 1, 2023)
            first["attachment"].append({"id": 11, "name": "年报（FTP）.pdf", "type": "file",  # type: ignore[attr-defined]
                                        "url": f"ftp://127.0.0.1:{self.server.ftp_port}/report.pdf"})
            items = [first]
        elif scenario == "dates":
            bad: list[tuple[str, object]] = [("date", -1e15), ("date", 1e20), ("date", float("nan")), ("date", "soon"),
                                             ("date", {"$date": 1}), ("id", [1, 2]), ("title", ["年报"])]
            items = [article(base, prefix, 1, 2023)]
            for n, (key, value) in enumerate(bad, start=2):
                a = article(base, prefix, n, 2023 - n)
                a[key] = value
                items.append(a)
            broken = article(base, prefix, 9, 2014)
            broken["url"] = {"href": "post_9.html"}
            items.append(broken)
        elif scenario == "longext":
            items = [article(base, prefix, 1, 2023, [{"id": 10, "name": "年报", "type": "file",
                                                     "url": f"{base}{prefix}/attachment/0/1/10.{LONG_EXT}"}])]
        elif scenario == "redirects":
            items = [article(base, prefix, 1, 2023), article(base, prefix, 2, 2022), article(base, prefix, 3, 2021)]
        # pagehost and redirects count more posts than the API lists (the site search is wanted); dates counts its 8 usable
        posts = {"pagehost": 9, "redirects": 9, "dates": 8}.get(scenario, len(items))
        payload = {"classify": {"id": CAT, "name": "政府信息公开年报", "post_count": posts},
                   "total": len(items), "offset": 0, "articles": items}
        # json.dumps writes NaN as the bare word NaN, as a careless server does (Python's json reads it back)
        return self._send(200, json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=UTF-8")


class HostilePortal(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, trap_port: int, ftp_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.trap_port, self.ftp_port = trap_port, ftp_port
        self.requests: Counter[str] = Counter()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def __enter__(self) -> HostilePortal:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
