"""Fault injection: every way a portal fails ends in the manifest, the summary and the exit status,
and the good pages of the same portal are still archived (issue #9).

The portals are local servers (``tests/fault_portal.py``) shaped like real gkmlpt sites.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import polars as pl
import pytest

from archive.records import REASONS
from pipelines.cli import main
from pipelines.harvest import read_manifest

from .fault_portal import SCENARIOS, FaultPortal, closed_port

# scenario -> (the reason recorded, the kind of row, the verdict)
EXPECTED = {
    "defects": ("dead_link", "document", "ok"),  # the portal's own defects: recorded, never a failure (#22)
    "p500": ("http_status", "list_page", "partial"),
    "stall": ("timeout", "list_page", "partial"),
    "reset": ("connection", "list_page", "partial"),
    "badjson": ("bad_payload", "list_page", "partial"),
    "huge": ("too_large", "list_page", "partial"),
    "loop": ("redirect_loop", "list_page", "partial"),
    "offsite": ("redirect_off_site", "document", "partial"),
    "challenge": ("blocked", "document", "blocked"),
    "closed": ("connection", "list_page", "failed"),
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    old = os.environ.get("XXGK_DOWNLOAD_TIMEOUT")
    os.environ["XXGK_DOWNLOAD_TIMEOUT"] = "2"  # the stalled page times out in seconds, not minutes
    try:
        with FaultPortal(stall_seconds=15) as server:
            entries = [
                f"  - id: {s}\n    name: {s}\n    region_code: \"441800\"\n    platform: gkmlpt\n"
                f"    start_urls: [\"{server.base}/{s}/gkmlpt/annualreport\"]\n"
                # the pages name search.gd.gov.cn, as real ones do; offline, the server answers the search itself
                f"    search_jsonp_url: \"{server.base}/jsonp\"\n"
                for s in SCENARIOS
            ]
            entries.append(f"  - id: closed\n    name: closed\n    platform: gkmlpt\n"
                           f"    start_urls: [\"http://127.0.0.1:{closed_port()}/gkmlpt/annualreport\"]\n")
            registry = root / "portals.yaml"
            registry.write_text("portals:\n" + "".join(entries), encoding="utf-8")
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = main(["crawl", "--portals", str(registry), "--data-dir", str(root / "data")])
            requests = dict(server.requests)
    finally:
        if old is None:
            os.environ.pop("XXGK_DOWNLOAD_TIMEOUT", None)
        else:
            os.environ["XXGK_DOWNLOAD_TIMEOUT"] = old
    return root / "data", status, out.getvalue(), read_manifest(root / "data" / "raw"), requests


def test_the_exit_status_says_not_ok(crawled) -> None:
    _data, status, out, *_ = crawled
    assert status == 1
    assert "waf: ok" in out  # the cookie-redirect WAF is read, not failed


@pytest.mark.parametrize("portal", sorted(EXPECTED))
def test_each_failure_is_in_the_manifest_and_the_summary(crawled, portal: str) -> None:
    _data, _status, out, m, _requests = crawled
    reason, kind, verdict = EXPECTED[portal]
    assert reason in REASONS
    rows = m.filter((pl.col("portal") == portal) & pl.col("outcome").is_in(["error", "blocked"]))
    assert (reason, kind) in set(zip(rows["reason"], rows["kind"], strict=True)), rows.select("reason", "kind", "message").to_dicts()
    assert all(rows["message"].is_not_null())
    assert f"{portal}: {verdict}" in out


@pytest.mark.parametrize("portal", [s for s in EXPECTED if EXPECTED[s][2] == "partial"] + ["waf", "intdates", "defects"])
def test_the_good_pages_of_a_failing_portal_are_still_archived(crawled, portal: str) -> None:
    _data, _status, _out, m, _requests = crawled
    docs = m.filter((pl.col("portal") == portal) & pl.col("sha256").is_not_null())
    urls = docs["url"].to_list()
    assert any(u.endswith("post_1.html") for u in urls), urls  # the first page's report …
    assert any(u.endswith("/10.pdf") for u in urls), urls  # … and its attachment
    assert all(Path(p).exists() for p in docs["path"])


def test_real_gkmlpt_answers_are_read(crawled) -> None:
    """Integer dates become ISO dates; link items are not fetched; the item without id is fetched by its URL."""
    _data, _status, out, m, requests = crawled
    posts = m.filter((pl.col("portal") == "intdates") & pl.col("url").str.ends_with(".html")).sort("url")
    assert posts.select("list_date", "index_no").rows() == [("2024-01-25", "11441800007201234N/2024-00011"),
                                                            ("2023-01-25", "11441800007201234N/2023-00012"),
                                                            ("2022-01-25", "11441800007201234N/2022-00013")]
    assert posts.filter(pl.col("url").str.ends_with("post_3.html"))["sha256"].is_not_null().all()  # the item without id
    assert m.filter((pl.col("portal") == "intdates") & (pl.col("outcome") == "error")).height == 0
    assert "intdates: ok" in out
    assert not any("post_1752437" in p for p in requests)  # the type "url" item is a link, not a post


def test_the_portals_own_defects_are_recorded_but_never_fail_it(crawled) -> None:
    """A listed page answering 404, another 410, an item with neither id nor URL, a document link to nowhere: four
    manifest rows with their reasons, the summary's count of new defects with the URLs, and the verdict still ok."""
    _data, _status, out, m, _requests = crawled
    rows = m.filter((pl.col("portal") == "defects") & (pl.col("outcome") == "error")).sort("url")
    assert sorted(zip(rows["reason"], rows["status"], strict=True), key=str) == sorted(
        [("dead_link", 404), ("dead_link", 410), ("malformed_item", 200), ("link_to_nothing", None)], key=str)
    assert "2022年报全文.pdf" in rows.filter(pl.col("reason") == "link_to_nothing")["message"][0]
    program = m.filter((pl.col("portal") == "defects") & (pl.col("reason") == "not_a_document"))
    assert program.height == 1 and program["sha256"][0] and "binary file of no document type" in program["message"][0]  # kept
    assert "defects: ok" in out
    assert "defects: 5 new, 0 still there, 0 healed" in out
    assert "new: " in out and "post_4.html" in out and "post_5.html" in out
    good = m.filter((pl.col("portal") == "defects") & pl.col("sha256").is_not_null())["url"].to_list()
    assert any(u.endswith("post_1.html") for u in good) and any(u.endswith("post_2.html") for u in good)


def test_a_defect_is_new_once_then_known_then_healed(tmp_path: Path) -> None:
    """Three nights on one data dir: the defects are new the first night, known the second (exit 0 both
    nights), healed the third once the portal serves its pages again."""
    with FaultPortal() as server:
        registry = tmp_path / "portals.yaml"
        registry.write_text(f"portals:\n  - id: defects\n    name: defects\n    region_code: \"441800\"\n    platform: gkmlpt\n"
                            f"    start_urls: [\"{server.base}/defects/gkmlpt/annualreport\"]\n"
                            f"    search_jsonp_url: \"{server.base}/jsonp\"\n", encoding="utf-8")
        nights = []
        for night in range(3):
            server.healed = night == 2
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = main(["crawl", "--portals", str(registry), "--data-dir", str(tmp_path / "data")])
            nights.append((status, out.getvalue()))
    assert [s for s, _ in nights] == [0, 0, 0]
    assert "5 new, 0 still there, 0 healed" in nights[0][1]
    # the link to nowhere and the program are met again from the archive, without a request
    assert "0 new, 5 still there, 0 healed" in nights[1][1] and "new: " not in nights[1][1]
    # served again: the dead links are healed; the item without a URL is still listed, the archived page still
    # links to nowhere and lists the program (the list date did not change: the archive keeps what it fetched)
    assert "0 new, 3 still there, 2 healed" in nights[2][1]


def test_the_waf_cookie_is_sent_back(crawled) -> None:
    _data, _status, _out, m, requests = crawled
    assert requests["/waf/gkmlpt/annualreport"] == 2  # the 307 that set the cookie, then the page
    assert m.filter((pl.col("portal") == "waf") & (pl.col("outcome") == "error")).height == 0


def test_failures_are_classified_once_for_every_callback() -> None:
    from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError, IgnoreRequest

    from scrapers.failures import classify

    assert classify(CannotResolveHostError("no such host"))[0] == "dns"
    assert classify(DownloadTimeoutError("took too long"))[0] == "timeout"
    assert classify(IgnoreRequest("Forbidden by robots.txt"))[0] is None  # a choice, counted, not an error
    assert classify(IgnoreRequest("max redirections reached"))[0] == "redirect_loop"
