"""Concurrent and killed harvests lose nothing and fetch nothing twice (issue #9)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import polars as pl

from archive import manifest
from archive.layout import Layout
from archive.records import FetchRecord
from pipelines.crawl import harvest_portal
from portals.registry import Portal
from synth.demo_portal import DemoPortal

REPO = Path(__file__).resolve().parents[1]


def _append(raw: str, portal: str, n: int) -> None:
    for i in range(n):
        manifest.append(Path(raw), [FetchRecord(portal, f"http://x/{portal}/{i}", "new", sha256=f"{i:064d}").as_row()])


def test_two_processes_appending_at_once_keep_every_row(tmp_path: Path) -> None:
    """Was: 50 + 50 rows appended at once left 59 (read-modify-write of one Parquet file)."""
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append, args=(str(tmp_path), p, 50)) for p in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    m = manifest.read(tmp_path)
    assert m.height == 100 and m["fetch_id"].n_unique() == 100
    # compacting into one part keeps them all, and a compaction interrupted after writing its part does too
    assert manifest.compact(tmp_path) == 100
    assert manifest.read(tmp_path).height == 100 and len(list((tmp_path / "manifest").glob("*.parquet"))) == 1


def _demo_portals(base: str) -> tuple[Portal, Portal]:
    return (
        Portal("yueqing-demo", "乐清市", "hanweb", (f"{base}/yq/col/col1229/index.html",), "乐清市", "330382"),
        Portal("qingyuan-demo", "清远市", "gkmlpt", (f"{base}/qy/gkmlpt/annualreport",), "清远市", "441800"),
    )


def _fetches(layout: Layout, portal: str) -> int:
    return manifest.read(layout.raw).filter((pl.col("portal") == portal) & (pl.col("kind") == "document")).height


def test_two_portals_at_once_append_n_plus_m_rows(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with DemoPortal() as server:
        yq, qy = _demo_portals(server.base)
        results: dict[str, dict] = {}
        threads = [threading.Thread(target=lambda p=p: results.__setitem__(p.id, harvest_portal(p, layout, timeout=120))) for p in (yq, qy)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for p in (yq, qy):
        s = results[p.id]
        assert s["verdict"] == "ok", s
        # every document row is a fetch, a failure, or a defect of the portal's own (the demo's link to another host)
        assert _fetches(layout, p.id) == (s.get("new", 0) + s.get("changed", 0) + s.get("unchanged", 0) + s.get("documents_failed", 0)
                                          + s.get("defects", 0)) > 0


def test_the_same_portal_twice_at_once_fetches_nothing_twice(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with DemoPortal() as server:
        server.delay_documents = 0.3
        yq, _ = _demo_portals(server.base)
        results: list[dict] = []
        threads = [threading.Thread(target=lambda: results.append(harvest_portal(yq, layout, timeout=180))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        documents = {path: n for path, n in server.requests.items() if "/art/" in path or "downfile" in path}
    # the demo portal counts requests by path (the attachments share downfile.jsp): one request per archived document
    archived = manifest.read(layout.raw).filter(pl.col("sha256").is_not_null())["url"].n_unique()
    assert documents and sum(documents.values()) == archived, documents  # the second waited, then found them archived
    assert sorted(r.get("new", 0) for r in results)[0] == 0
    assert all(r["verdict"] == "ok" for r in results)


def _crawl_processes(marker: str) -> list[int]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    return [int(line.split()[0]) for line in out.splitlines()[1:] if "scrapers.run" in line and marker in line]


def test_kill_9_of_xxgk_crawl_leaves_no_process_and_the_rerun_fetches_nothing_twice(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with DemoPortal(slow_seconds=0.0) as server:
        server.delay_documents = 1.0  # a crawl that can be killed half-way
        registry = tmp_path / "portals.yaml"
        registry.write_text(
            f"portals:\n  - id: yueqing-demo\n    name: 乐清市\n    platform: hanweb\n    start_urls: [\"{server.base}/yq/col/col1229/index.html\"]\n",
            encoding="utf-8",
        )
        cmd = [sys.executable, "-m", "pipelines.cli", "crawl", "--portals", str(registry), "--data-dir", str(tmp_path)]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log = layout.raw / "runs" / "yueqing-demo.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 2):
            time.sleep(0.1)
        assert _crawl_processes(str(tmp_path)), "the crawl child should be running"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _crawl_processes(str(tmp_path)):
            time.sleep(0.2)
        assert _crawl_processes(str(tmp_path)) == []  # the child died with its parent
        # what the killed run fetched and kept (its run log was fsynced fetch by fetch)
        kept = {unquote(u.split("/", 3)[3]) for u in manifest.read(layout.raw).filter(pl.col("sha256").is_not_null())["url"]}
        assert kept
        server.delay_documents = 0.0
        server.requests_by_url.clear()
        summary = harvest_portal(Portal("yueqing-demo", "乐清市", "hanweb", (f"{server.base}/yq/col/col1229/index.html",)), layout, timeout=120)
        again = {unquote(u.lstrip("/")) for u in server.requests_by_url}
    assert summary["verdict"] == "ok"
    assert not kept & again, kept & again  # the rerun fetched nothing the killed run had fetched
    archived = {unquote(u.split("/", 3)[3]) for u in manifest.read(layout.raw).filter(pl.col("sha256").is_not_null())["url"]}
    assert len(archived) == 6 and archived == kept | (again & archived)  # everything is there, each fetched once


def test_a_second_build_of_one_data_directory_refuses_with_a_clear_message(tmp_path: Path, capsys) -> None:
    from archive.locks import data_dir_lock
    from pipelines.cli import main

    docs = REPO / "data" / "samples"
    with data_dir_lock(tmp_path / "data"):  # a build in progress
        assert main(["build", "--documents", str(docs), "--data-dir", str(tmp_path / "data")]) == 2
        assert main(["release", "--data-dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert "busy:" in err and "in use by pid" in err
    assert main(["build", "--documents", str(docs), "--data-dir", str(tmp_path / "data")]) == 0  # free again
