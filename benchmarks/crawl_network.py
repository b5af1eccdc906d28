"""Benchmark: discover and crawl a test network of N portals (synth/network.py) in one run.

    uv run python benchmarks/crawl_network.py [--sites 300] [--hosts-at-once 8]

Every site listens on its own loopback address; discovery reads all of them in one process, then
``harvest_many`` crawls every discovered portal, ``--hosts-at-once`` hosts in parallel and each host's portals
in turn.  Prints the wall time of each step, the peak resident memory of the whole process tree (this process,
the servers' threads, every crawl process), the largest number of requests any host saw at once, how many
reports were archived of those served, and the run's wall time against the slowest host's own share (the sum
of its portals' crawl times: no schedule can finish before it) and against the ideal split of all the crawl
time over the parallel slots.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.build_scale import TreePeak  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=300)
    ap.add_argument("--hosts-at-once", type=int, default=8)
    args = ap.parse_args()

    import polars as pl

    from archive.layout import Layout
    from pipelines.crawl import harvest_many, host_of
    from pipelines.discover import entries, run_discovery
    from pipelines.harvest import read_manifest
    from portals.registry import Portal
    from synth.network import Network, generate

    sites = generate(args.sites)
    peak = TreePeak()
    with Network(sites) as net, tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        findings = run_discovery([s.base + "/" for s in sites], local=True)
        t_discover = time.perf_counter() - t0
        mem_discover = peak.reset()
        found, unknown = entries(findings)
        portals = [Portal(e["id"], e["name"], e["platform"], tuple(e["start_urls"])) for e in found]
        recognised = sum(1 for s in sites if s.platform and any(f["site"] == s.base + "/" and [c["spider"] for c in f["columns"]] == [s.platform]
                                                               for f in findings))
        t1 = time.perf_counter()
        results = harvest_many(portals, Layout(Path(tmp)), hosts_at_once=args.hosts_at_once, timeout=300)
        t_crawl = time.perf_counter() - t1
        mem_crawl = peak.stop()
        archived = set(read_manifest(Path(tmp) / "raw").filter(pl.col("sha256").is_not_null())["url"])
        served = set().union(*(s.report_urls() for s in sites if s.serves_reports))
        took = {pid: float(r["seconds"]) for pid, r in results.items()}
        per_host: dict[str, float] = {}
        for p in portals:
            per_host[host_of(p)] = per_host.get(host_of(p), 0.0) + took[p.id]
        search = net.search.ip
        print(f"shared search host {search}: {net.requests[search]} requests, at most {net.max_in_flight[search]} at once")
        slowest = max(per_host.values())
        ideal = sum(took.values()) / args.hosts_at_once
        verdicts = statistics.mode([r["verdict"] for r in results.values()])
        print(f"sites {len(sites)}: {recognised}/{sum(1 for s in sites if s.platform)} of known platforms recognised with their column; "
              f"portals discovered {len(found)} (departments included); sites reported unknown or broken {len(unknown)}; hosts at once {args.hosts_at_once}")
        print(f"discover   {t_discover:8.1f} s   peak tree memory {mem_discover:7.0f} MB")
        print(f"crawl      {t_crawl:8.1f} s   peak tree memory {mem_crawl:7.0f} MB   median portal {statistics.median(took.values()):.2f} s")
        print(f"reports archived {len(served & archived)}/{len(served)}; verdicts {sum(r['verdict'] == 'ok' for r in results.values())}/{len(results)} ok (mode {verdicts})")
        print(f"most requests at once to one host: {max(net.max_in_flight.values())}")
        print(f"crawl wall / slowest host's share ({slowest:.1f} s): {t_crawl / slowest:.2f}; "
              f"crawl wall / ideal split over {args.hosts_at_once} slots ({ideal:.1f} s): {t_crawl / ideal:.2f}")


if __name__ == "__main__":
    main()
