"""The crawler's reach is the registry's, and one bad item is one row (issue #23, item 6).

A hostile gkmlpt portal on 127.0.0.1 (``tests/hostile_portal.py``) names other hosts and schemes in its pages, its
API, its redirects and its scripts; a trap on 127.0.0.2 records every connection, and an FTP listener on 127.0.0.1
every FTP connection: neither may record any.  Each refusal is a manifest row with its reason.  One item of an API
page with a bad date or type costs that item's field, never the page; an archive write that fails is a row, with
nothing left behind.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from archive.records import DEFECT_REASONS, REASONS
from pipelines.cli import main
from pipelines.harvest import read_manifest

from .hostile_portal import LONG_EXT, SCENARIOS, HostilePortal, Trap


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    with Trap("127.0.0.2") as trap, Trap("127.0.0.1") as ftp, HostilePortal(trap.port, ftp.port) as server:
        entries = []
        for s in SCENARIOS:
            entry = (f"  - id: {s}\n    name: {s}\n    region_code: \"441800\"\n    platform: gkmlpt\n"
                     f"    start_urls: [\"{server.base}/{s}/gkmlpt/annualreport\"]\n")
            if s == "redirects":  # the registry names the site search (on this server): its redirect to the trap is refused
                entry += f"    search_jsonp_url: \"{server.base}/jsonp\"\n"
            entries.append(entry)
        registry = root / "portals.yaml"
        registry.write_text("portals:\n" + "".join(entries), encoding="utf-8")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(["crawl", "--portals", str(registry), "--data-dir", str(root / "data")])
        trapped, ftped = list(trap.connections), list(ftp.connections)
        requests = dict(server.requests)
    return root / "data", status, out.getvalue(), read_manifest(root / "data" / "raw"), trapped, ftped, requests


def rows(m: pl.DataFrame, portal: str, reason: str) -> pl.DataFrame:
    return m.filter((pl.col("portal") == portal) & (pl.col("reason") == reason))


def archived(m: pl.DataFrame, portal: str) -> list[str]:
    return m.filter((pl.col("portal") == portal) & pl.col("sha256").is_not_null())["url"].to_list()


def test_nothing_ever_reaches_the_host_the_registry_does_not_name(crawled) -> None:
    *_, trapped, ftped, _requests = crawled
    assert trapped == []  # 127.0.0.2: not a page, a link, a picture, a site search, a redirect, a refresh, robots.txt
    assert ftped == []  # an ftp:// link on the portal's own host opens no FTP connection


def test_a_host_only_a_page_names_is_a_recorded_refusal(crawled) -> None:
    """The page's SEARCH_JSONP_URL, an API attachment, a body link and a body picture on another host: four rows
    ``off_registry_host``, the portal's own defects (never a failed harvest), and the good documents archived."""
    _data, _status, out, m, *_ = crawled
    refused = rows(m, "pagehost", "off_registry_host")
    urls = refused["url"].to_list()
    assert any("127.0.0.2" in u and "/jsonp/site/763045" in u for u in urls), urls
    assert {u.rsplit("/", 1)[-1] for u in urls if "/jsonp/" not in u} == {"a.pdf", "b.pdf", "table.png"}
    assert refused["sha256"].is_null().all() and refused["outcome"].to_list() == ["skipped"] * 4
    assert all("127.0.0.2 is not a host of the portal's registry entry" in x for x in refused["message"])
    assert "off_registry_host" in REASONS and "off_registry_host" in DEFECT_REASONS
    good = archived(m, "pagehost")
    assert any(u.endswith("post_1.html") for u in good) and any(u.endswith("/10.pdf") for u in good) and any(u.endswith("/11.pdf") for u in good)
    assert "pagehost: ok" in out  # refusals are the portal's defects: counted new once, never a partial verdict


def test_other_schemes_are_recorded_never_fetched(crawled) -> None:
    _data, _status, out, m, *_ = crawled
    refused = rows(m, "schemes", "unsupported_scheme")
    schemes = sorted(u.split(":", 1)[0] for u in refused["url"].to_list())
    assert schemes == ["file", "ftp", "ftp", "mailto"], refused.select("url", "message").to_dicts()
    assert refused["sha256"].is_null().all()
    assert not any(u.startswith(("ftp:", "file:", "mailto:")) for u in archived(m, "schemes"))
    assert "schemes: ok" in out


def test_one_bad_item_costs_that_item_not_the_page(crawled) -> None:
    """Dates −1e15, 1e20, NaN, a word and an object, an id and a title that are lists: the 8 posts are listed and
    archived (the bad fields left out, each a ``malformed_item`` row); the item whose URL is an object is a row."""
    _data, _status, out, m, _t, _f, requests = crawled
    good = archived(m, "dates")
    assert sorted(int(u.rsplit("post_", 1)[1].removesuffix(".html")) for u in good if u.endswith(".html")) == list(range(1, 9))
    faults = rows(m, "dates", "malformed_item")["message"].to_list()
    assert len(faults) == 8, faults
    for said in ("-1000000000000000.0", "1e+20", "nan", "'soon'", "date of type dict", "id of type list", "title of type list", "url of type dict"):
        assert any(said in f for f in faults), (said, faults)
    dates = dict(m.filter((pl.col("portal") == "dates") & pl.col("url").str.ends_with(".html")).select("url", "list_date").rows())
    assert dates[next(u for u in dates if u.endswith("post_1.html"))] == "2024-01-25"
    assert dates[next(u for u in dates if u.endswith("post_2.html"))] is None  # its date was −1e15
    assert m.filter((pl.col("portal") == "dates") & (pl.col("reason") == "spider_exception")).height == 0
    assert "dates: ok" in out


def test_a_urls_long_extension_is_archived_under_a_short_name(crawled) -> None:
    data, _status, out, m, *_ = crawled
    att = m.filter((pl.col("portal") == "longext") & pl.col("url").str.ends_with(LONG_EXT))
    assert att.height == 1 and att["sha256"][0], att.to_dicts()
    path = Path(att["path"][0])
    assert path.exists() and path.suffix == ".bin" and len(path.name) <= 255
    assert not list((data / "raw" / "objects").rglob("*.tmp"))
    assert "longext: ok" in out


def test_redirects_elsewhere_are_refused_before_any_connection(crawled) -> None:
    """The registry's own site search redirecting to the trap, a post redirecting there, another refreshing there,
    attachments redirecting to ftp://: each ``redirect_off_site`` (a failure of the harvest: partial), none followed."""
    _data, status, out, m, *_ = crawled
    off = rows(m, "redirects", "redirect_off_site")
    urls = off["url"].to_list()
    assert any("/jsonp/site/763045" in u for u in urls), urls
    assert any(u.endswith("post_2.html") for u in urls) and any(u.endswith("post_3.html") for u in urls), urls
    assert any(u.endswith("/10.pdf") for u in urls), urls
    assert "redirects: partial" in out and status == 1


# -- the readers, without a server ---------------------------------------------------------------------------


def test_gkmlpt_page_reads_every_item_whatever_one_holds() -> None:
    from scrapers.extract import gkmlpt_page

    def item(n: int, **over: object) -> dict:
        return {"id": n, "title": f"{2024 - n}年政府信息公开工作年度报告", "url": f"/c/post_{n}.html", "date": 1706112000, **over}

    hostile = [item(1), item(2, date=-1e15), item(3, date=1e20), item(4, date=float("nan")), item(5, date="soon"),
               item(6, date={"x": 1}), item(7, id=[1]), item(8, identifier={"a": 1}, attachment="oops"), item(9, url=["x"]),
               item(10, date=True), "not an item"]
    page = gkmlpt_page(json.dumps({"total": 11, "offset": 0, "articles": hostile}), "http://127.0.0.1/gkmlpt/api/all/1")
    assert [a["url"].rsplit("_", 1)[1] for a in page["articles"]] == [f"{n}.html" for n in range(1, 9)] + ["10.html"]
    assert page["articles"][0]["date"] == "2024-01-25" and "problems" not in page["articles"][0]
    assert all(a["date"] is None for a in page["articles"][1:6])
    assert len(page["problems"]) == 2  # the url that is a list, the item that is not an object
    assert sum(len(a.get("problems", [])) for a in page["articles"]) == 8


def test_dates_are_read_or_refused_never_raised() -> None:
    from scrapers.extract import BadField, gkmlpt_date

    assert gkmlpt_date(1706112000) == "2024-01-25"
    assert gkmlpt_date(1706112000000) == "2024-01-25"  # milliseconds
    assert gkmlpt_date("2024-01-26 10:15:29") == "2024-01-26" and gkmlpt_date("2024/1/26") == "2024-01-26"
    assert gkmlpt_date("1706112000") == "2024-01-25" and gkmlpt_date(None) is None and gkmlpt_date("") is None
    for bad in (-1e15, 1e20, float("nan"), float("inf"), "soon", "2024-13-45", {"x": 1}, [1], True, "99999999999999999999"):
        with pytest.raises(BadField):
            gkmlpt_date(bad)


def test_the_site_search_and_nfcms_read_every_result_whatever_one_holds() -> None:
    from scrapers.extract import gkmlpt_search
    from scrapers.nfcms_pages import column

    results = [{"id": n, "title": "<em>年报</em>", "post_url": f"http://h/gkmlpt/content/0/{n}/post_{n}.html", "pub_time": t}
               for n, t in enumerate([1706112000, -1e15, 1e20, "soon"], start=1)]
    found = gkmlpt_search("cb(" + json.dumps({"count": 4, "results": results}) + ")", "http://h/")
    assert len(found["articles"]) == 4 and found["articles"][0]["date"] == "2024-01-25"
    assert sum(len(a.get("problems", [])) for a in found["articles"]) == 3
    col = column(json.dumps({"articles": [{"id": 1, "title": "a", "url": "/c/post_1.html", "visible_publish_time": 1706112000},
                                          {"id": 2, "title": "b", "url": "/c/post_2.html", "visible_publish_time": -1e15},
                                          {"id": 3, "title": ["c"], "url": "/c/post_3.html", "date": {"d": 1}}]}), "http://h/")
    assert [a["date"] for a in col["articles"]] == ["2024-01-25", None, None]
    assert sum(len(a.get("problems", [])) for a in col["articles"]) == 3


def test_a_hanweb_pager_of_zero_per_page_does_not_page_forever() -> None:
    from scrapers.extract import hanweb_proxy

    page = "<script>$.jpage({ perPage: 0, param: {columnid: '1229', unitid: '1', webid: '2'} });</script>"
    assert hanweb_proxy(page, "http://h/col/col1229/index.html")["perpage"] == 1


def test_refusals_are_decided_before_any_request() -> None:
    from scrapers.failures import Refused, classify
    from scrapers.middlewares import refusal

    hosts = {"127.0.0.1", "search.example.gov.cn"}
    assert refusal("http://127.0.0.1:8080/a.pdf", hosts) is None
    assert refusal("https://search.example.gov.cn/jsonp/site/1", hosts) is None
    assert refusal("http://127.0.0.2/a.pdf", hosts)[0] == "off_registry_host"
    assert refusal("http://evil.127.0.0.1.nip.io/a.pdf", hosts)[0] == "off_registry_host"
    assert refusal("http://127.0.0.2/a.pdf", hosts, redirected=True)[0] == "redirect_off_site"
    assert refusal("ftp://127.0.0.1/a.pdf", hosts)[0] == "unsupported_scheme"
    assert refusal("file:///etc/passwd", hosts)[0] == "unsupported_scheme"
    assert refusal("http://[::1/a.pdf", hosts)[0] == "malformed_item"
    assert refusal("http://127.0.0.1/" + "a" * 9000, hosts)[0] == "malformed_item"
    assert classify(Refused("off_registry_host", "x is not a host"))[0] == "off_registry_host"


# -- the archive step ---------------------------------------------------------------------------------------


def test_store_keeps_names_within_limits(tmp_path: Path) -> None:
    from archive.store import store

    sha, path, new = store(tmp_path, PDF_BYTES, "." + LONG_EXT)
    assert new and path.exists() and path.name == f"{sha}.bin"
    assert store(tmp_path, PDF_BYTES, ".PDF")[1].name.endswith(".pdf")
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_store_that_fails_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    import archive.store

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive.store.os, "fsync", full)
    with pytest.raises(OSError):
        archive.store.store(tmp_path, PDF_BYTES, ".pdf")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_archive_write_that_fails_is_a_manifest_row(tmp_path: Path, monkeypatch) -> None:
    import scrapers.archive

    def refuse(raw: Path, data: bytes, suffix: str) -> tuple:
        raise OSError(errno.ENAMETOOLONG, "File name too long")

    monkeypatch.setattr(scrapers.archive, "store", refuse)
    counts: dict[str, int] = {}
    spider = SimpleNamespace(known={}, count=lambda k, n=1: counts.__setitem__(k, counts.get(k, 0) + n))
    pipeline = scrapers.archive.ArchivePipeline(str(tmp_path), SimpleNamespace(spider=spider))
    row = pipeline.process_item({"portal": "p", "url": "http://127.0.0.1/a.pdf", "status": 200, "kind": "fetched", "body": PDF_BYTES,
                                 "record_kind": "document", "title": ["a", "list"], "content_type": "application/pdf"})
    assert (row["outcome"], row["reason"], row["sha256"]) == ("error", "archive_write", None)
    assert "File name too long" in row["message"] and row["title"] == "['a', 'list']"
    assert counts == {"documents_failed": 1}
    logged = (tmp_path / "raw" / "runs" / "p.jsonl").read_text(encoding="utf-8")
    assert '"archive_write"' in logged
    assert not (tmp_path / "raw" / "objects").exists() or not any((tmp_path / "raw" / "objects").rglob("*"))


PDF_BYTES = b"%PDF-1.4\n% a stand-in\n%%EOF\n"


def test_a_link_that_cannot_be_joined_costs_that_link_only() -> None:
    """``http://[bad`` in one record of a Hanweb datastore, a TRS column and a post's body: the others are read, the bad
    one kept as written for the spider to record (``malformed_item``), never an exception that loses the page."""
    from scrapers.extract import article_meta, hanweb_records
    from scrapers.middlewares import refusal
    from scrapers.trs_pages import articles

    store = ("<datastore>" + "".join(f"<record><![CDATA[<a href=\"{h}\" title=\"2023年政府信息公开工作年度报告\">x</a> 2024-01-02]]></record>"
                                     for h in ("http://[bad/art_1.html", "/art/2024/1/2/art_2.html")) + "</datastore>")
    recs = hanweb_records(store, "http://h/col/col1/index.html")
    assert [r["url"] for r in recs] == ["http://[bad/art_1.html", "http://h/art/2024/1/2/art_2.html"]
    assert refusal(recs[0]["url"], {"h"})[0] == "malformed_item"
    page = '<a href="http://[bad/t20240102_1.html">a</a><a href="./202401/t20240102_2.html">b</a>'
    assert [a["url"] for a in articles(page, "http://h/col/")] == ["http://[bad/t20240102_1.html", "http://h/col/202401/t20240102_2.html"]
    meta = article_meta('<html><body><a href="http://[bad/a.pdf">a.pdf</a><a href="/b.pdf">b.pdf</a></body></html>', "http://h/p.html")
    assert [a["url"] for a in meta["attachments"]] == ["http://[bad/a.pdf", "http://h/b.pdf"]
