"""A gkmlpt portal on 127.0.0.1 that misbehaves the way real portals do, one way per path prefix.

Its pages follow the real platform's shapes (``tests/spiders/real/``, sources in ``SOURCES.md``):
``window._CONFIG`` with a bare-key object and a JSON TREE, the list API ``{classify, total, offset,
articles}`` with Unix-second dates, ``type: "url"`` link items, attachment sizes as strings.  Each
scenario serves a good first page (whose report must still be archived) and then fails:

- ``intdates``: a real first page (integer dates, a link item, an item without ``id`` but with its URL), nothing more
- ``defects``: the portal's own defects (issue #22): of five listed items one answers 404, one 410 (until
  ``healed`` is set), one has neither ``id`` nor URL; one good post links its PDF to nowhere (``javascript:``) and
  lists an attachment that is a Windows program
- ``p500`` page 2 answers HTTP 500; ``stall`` page 2 never answers; ``reset`` page 2 drops the
  connection; ``badjson`` page 2 is not JSON; ``huge`` page 2 announces 100 MB; ``loop`` page 2
  redirects to itself; ``offsite``: the post redirects to another host
- ``waf``: every request without the cookie ``wzws_cid`` gets a 307 that sets it (Wangsu WZWS): must succeed
- ``challenge``: the index answers 521 with a ``$_ts`` script (Ruishu): must be ``blocked``

The server counts requests by path.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from synth.demo_portal import QuietHandler

CAT, SID = 22195, "763045"
PDF = b"%PDF-1.4\n% a stand-in attachment, archived as bytes\n%%EOF\n"
SCENARIOS = ("intdates", "p500", "stall", "reset", "badjson", "huge", "loop", "offsite", "waf", "challenge", "defects")


def index_html(prefix: str) -> str:
    tree = [{"id": 22170, "name": "政府信息公开指南", "jump_url": "", "post_count": 0, "children": []},
            {"id": CAT, "name": "政府信息公开年报", "jump_url": "", "post_count": 7, "children": []}]
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>政府信息公开</title></head><body><div id=\"app\"></div>\n"
            f"<script>\n    window._CONFIG = {{\n        SID: '{SID}',\n        TREE: {json.dumps(tree, ensure_ascii=False)},\n"
            f"        SERVICE_AREA_ID: '441800',\n        SEARCH_JSONP_URL: 'http://search.gd.gov.cn/jsonp'\n    }};\n</script>\n</body></html>")


def article(base: str, prefix: str, pid: int, year: int) -> dict:
    return {
        "id": pid, "title": f"清远市农业农村局{year}年政府信息公开工作年度报告", "type": "normal",
        "url": f"{base}{prefix}/gkmlpt/content/0/{pid}/post_{pid}.html", "post_url": "",
        "identifier": f"11441800007201234N/{year + 1}-0001{pid % 10}", "document_number": "", "publisher": "清远市农业农村局",
        "date": 1706112000 - (2023 - year) * 31536000, "created_at": f"{year + 1}-01-26 10:15:29",
        "create_time": 1706235332 - (2023 - year) * 31536000, "display_publish_time": 1706235329 - (2023 - year) * 31536000,
        "classify_main": CAT, "classify_main_name": "政府信息公开年报",
        "attachment": [{"id": pid * 10, "name": f"{year}年报.pdf", "type": "file", "mime": "application/pdf", "size": str(len(PDF)),
                        "url": f"{base}{prefix}/attachment/0/{pid}/{pid * 10}.pdf"}],
        "relation": "[]", "is_expired": 0, "is_abolished": 0,
    }


class _Handler(QuietHandler):
    server: FaultPortal

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        url = urlsplit(self.path)
        self.server.requests[url.path] += 1
        parts = url.path.strip("/").split("/")
        scenario = parts[0]
        prefix = f"/{scenario}"
        base = f"http://127.0.0.1:{self.server.server_port}"
        if url.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if url.path.startswith("/jsonp/site/"):  # the province's site search: nothing beyond the API's window here
            callback = parse_qs(url.query).get("callback", [""])[0]
            return self._send(200, f'{callback}({{"results": [], "count": 0}});'.encode(), "application/javascript")
        if scenario == "waf" and "wzws_cid=" not in (self.headers.get("Cookie") or ""):
            # Wangsu WZWS: the first answer sets a cookie and sends the client back to the same URL
            return self._send(307, b"", headers={"Set-Cookie": "wzws_cid=4f2c9a; path=/; HttpOnly", "Location": self.path})
        if url.path.endswith("/gkmlpt/annualreport"):
            if scenario == "challenge":
                js = b"<html><head><script>var $_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=84163;</script></head><body></body></html>"
                return self._send(521, js)
            return self._send(200, index_html(prefix).encode())
        if "/gkmlpt/api/all/" in url.path:
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            return self._api(scenario, prefix, base, page)
        if "/gkmlpt/content/" in url.path:
            if scenario == "offsite" and url.path.endswith("post_2.html"):
                return self._send(302, b"", headers={"Location": f"http://localhost:{self.server.server_port}{url.path}"})
            pid = int(parts[-1].removeprefix("post_").removesuffix(".html"))
            if scenario == "defects" and not self.server.healed and pid in (4, 5):
                return self._send(404 if pid == 4 else 410, b"<html><body>not found</body></html>")
            nowhere = '<p><a href="javascript:void(0)">2022年报全文.pdf</a></p>' if scenario == "defects" and pid == 2 and not self.server.healed else ""
            body = (f"<html><head><meta name=\"ArticleTitle\" content=\"清远市农业农村局{2023 if pid == 1 else 2022}年政府信息公开工作年度报告\">"
                    f"</head><body><div class=\"article-content\"><p>详见附件。</p>{nowhere}</div></body></html>")
            return self._send(200, body.encode())
        if "/attachment/" in url.path:
            if scenario == "defects" and url.path.endswith("/21.pdf"):  # a "PDF" that is a Windows program
                return self._send(200, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "application/octet-stream")
            return self._send(200, PDF + url.path.encode(), "application/pdf")
        return self._send(404, b"not found")

    def _api(self, scenario: str, prefix: str, base: str, page: int) -> None:
        if page == 1:
            items = [article(base, prefix, 1, 2023)]
            total = 150  # more pages announced
            if scenario == "waf":
                total = 1
            if scenario == "defects":
                nothing = dict(article(base, prefix, 6, 2018))
                del nothing["id"], nothing["url"]
                second = article(base, prefix, 2, 2022)
                second["attachment"] = [*second["attachment"], {"id": 21, "name": "2022年报（附表）.pdf", "type": "file",
                                                                "url": f"{base}{prefix}/attachment/0/2/21.pdf"}]
                items = [article(base, prefix, 1, 2023), second, article(base, prefix, 4, 2020), article(base, prefix, 5, 2019), nothing]
                payload = {"classify": {"id": CAT, "name": "政府信息公开年报", "jump_url": "", "post_count": 5},
                           "total": len(items), "offset": 0, "articles": items}
                return self._send(200, json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=UTF-8")
            if scenario in ("intdates", "offsite"):
                link = {"id": 1752480, "title": "清远市人民政府办公室2022年政府信息公开工作年度报告", "type": "url",
                        "url": "http://www.gdqy.gov.cn/xxgk/zfxxgkml/zfxxgknb/content/post_1752437.html"}
                broken = dict(article(base, prefix, 3, 2021))
                del broken["id"]
                items = [article(base, prefix, 1, 2023), article(base, prefix, 2, 2022), link, broken]
                total = len(items)
            payload = {"classify": {"id": CAT, "name": "政府信息公开年报", "jump_url": "", "post_count": 7},
                       "total": total, "offset": 0, "articles": items}
            return self._send(200, json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=UTF-8")
        if scenario == "p500":
            return self._send(500, b"<html><body>500 Internal Server Error</body></html>")
        if scenario == "stall":
            time.sleep(self.server.stall_seconds)
            return self._send(200, b"{}", "application/json")
        if scenario == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            return None
        if scenario == "badjson":
            return self._send(200, b'{"classify": {"id": 22195}, "total": 150, "articles": [{"id": 7, "title": ', "application/json")
        if scenario == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(100 * 1024 * 1024))
            self.end_headers()
            try:
                self.wfile.write(b"[" + b" " * 65536)
            except OSError:
                pass
            return None
        if scenario == "loop":
            return self._send(302, b"", headers={"Location": self.path})
        return self._send(200, json.dumps({"classify": {}, "total": 150, "offset": 100, "articles": []}).encode(), "application/json")


class FaultPortal(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stall_seconds: float = 30.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.healed = False  # the defects scenario's dead links answer again
        self.requests: Counter[str] = Counter()
        self.stall_seconds = stall_seconds
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the reset scenario breaks its own connection on purpose

    def __enter__(self) -> FaultPortal:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
