"""Issue #13: a network of portals of every platform and variant (synth/network.py), some broken, each on its own
loopback address — discovered, then crawled in one run with hosts in parallel and one request at a time per host.

The full 300-portal run is benchmarks/crawl_network.py; here two sites of each kind keep the test to a minute.
"""

from __future__ import annotations


import polars as pl
import pytest

from archive.layout import Layout
from pipelines.crawl import harvest_many
from pipelines.discover import entries, run_discovery, to_yaml
from pipelines.harvest import read_manifest
from portals.registry import Portal
from synth.network import KINDS, Network, generate


@pytest.fixture(scope="module")
def network_run(tmp_path_factory):
    sites = generate(2 * len(KINDS), seed=7)
    with Network(sites, slow_seconds=0.3) as net:
        findings = run_discovery([s.base + "/" for s in sites], local=True)
        after_discovery = dict(net.max_in_flight)
        found, unknown = entries(findings)
        layout = Layout(tmp_path_factory.mktemp("network"))
        # the entries as discovery wrote them: a gkmlpt site's search host is named by its entry, or never asked
        portals = [Portal(e["id"], e["name"], e["platform"], tuple(e["start_urls"]),
                          options={k: e[k] for k in ("search_jsonp_url",) if k in e}) for e in found]
        results = harvest_many(portals, layout, hosts_at_once=4, timeout=120)
        yield sites, findings, found, unknown, layout, results, after_discovery, dict(net.max_in_flight)


def test_discovery_recognises_every_platform_and_its_report_column(network_run) -> None:
    sites, findings, found, unknown, *_ = network_run
    by_site = {f["site"]: f for f in findings}
    for s in sites:
        f = by_site[s.base + "/"]
        if s.platform is None:
            assert not f["columns"], s.kind
            continue
        assert [c["spider"] for c in f["columns"]] == [s.platform], s.kind
        column = f["columns"][0]["url"]
        assert column.startswith(s.base), column
        assert column.endswith({"hanweb": "/col/col1229/index.html", "gkmlpt": "/gkmlpt/annualreport", "trs": "/zfxxgk/zfxxgknb/",
                                "nfcms": "/xxgk/zfxxgknb/index.html"}[s.platform])
        # a gkmlpt site's departments are found under their path prefixes, each with its own column
        subs = sorted(f["sub_sites"])
        assert subs == sorted(f"{s.base}/{prefix}/gkmlpt/index" for prefix, _n, _p in s.departments)
    entry_urls = {u for e in found for u in e["start_urls"]}
    for s in sites:
        for prefix, _name, _posts in s.departments:
            assert f"{s.base}/{prefix}/gkmlpt/annualreport" in entry_urls
    assert all(e["verified"] is False and e["source"].startswith("xxgk discover from ") for e in found)


def test_unknown_blocked_and_broken_sites_are_reported_not_guessed(network_run) -> None:
    sites, _findings, found, unknown, *_ = network_run
    reported = {f["site"] for f in unknown}
    assert reported == {s.base + "/" for s in sites if s.platform is None or s.kind == "broken_404"}
    text = to_yaml(found, unknown)
    for s in sites:
        if s.kind == "unknown":
            assert f"# {s.base}/: unknown platform (generator: SiteBuilder 3" in text
        if s.kind == "blocked":
            assert f"# {s.base}/: blocked:" in text
        if s.kind == "broken_404":
            assert f"{s.base}/col/col1229/index.html: HTTP 404" in text


def test_every_report_is_archived_and_no_host_ever_saw_two_requests_at_once(network_run) -> None:
    sites, _f, found, _u, layout, results, after_discovery, after_crawl = network_run
    archived = set(read_manifest(layout.raw).filter(pl.col("sha256").is_not_null())["url"])
    for s in sites:
        if s.serves_reports:
            assert s.report_urls() <= archived, (s.kind, sorted(s.report_urls() - archived))
    assert {pid: r["verdict"] for pid, r in results.items()} == {e["id"]: "ok" for e in found}
    assert max(after_discovery.values()) == 1 and max(after_crawl.values()) == 1
    # a Hanweb column longer than one dataproxy group (some answer each group starting with the last record again)
    big = [r for pid, r in results.items() if r.get("records_repeated")]
    assert big and all(r["reports_listed"] <= r["new"] for r in big)
