"""Run the spider of one portal in this process: ``python -m scrapers.run --portal-json … --data-dir …``.

One process per portal (Twisted's reactor cannot be restarted, and each portal has its own JOBDIR so a
killed crawl resumes where it stopped).  ``pipelines.crawl`` starts these processes.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import shutil
import signal
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive import manifest
from archive.locks import portal_lock
from archive.records import FetchRecord
from scrapers.settings import DEMO_OVERRIDES, SETTINGS
from scrapers.spiders.generic import GenericSpider
from scrapers.spiders.gkmlpt import GkmlptSpider
from scrapers.spiders.hanweb import HanwebSpider
from scrapers.spiders.nfcms import NfcmsSpider
from scrapers.spiders.trs import TrsSpider

SPIDERS = {"hanweb": HanwebSpider, "gkmlpt": GkmlptSpider, "trs": TrsSpider, "nfcms": NfcmsSpider, "generic": GenericSpider}


def die_with_parent(parent: int) -> None:
    """Ask Linux to end this process when its parent dies (``kill -9`` of ``xxgk crawl`` included).

    SIGTERM, so that Scrapy stops cleanly; its run log keeps every fetch already made either way.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's own cleanup has to do
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--portal-json", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--jobdir")
    ap.add_argument("--log-file", help="Scrapy's log goes here (default: stderr)")
    ap.add_argument("--parent-pid", type=int, help="end this crawl when that process ends")
    ap.add_argument("--local", action="store_true", help="the portal is a local test server: no delays")
    args = ap.parse_args(argv)
    if args.parent_pid:
        die_with_parent(args.parent_pid)
    portal = json.loads(args.portal_json)
    raw = Path(args.data_dir) / "raw"
    time_limit = float(portal.get("time_limit") or 3600)
    # one harvest of a portal at a time: a second waits for the first, then fetches nothing twice
    with portal_lock(raw, portal["id"], wait=time_limit):
        return _crawl(args, portal, raw, time_limit)


def _crawl(args: argparse.Namespace, portal: dict, raw: Path, time_limit: float) -> int:
    settings = Settings(SETTINGS)
    settings.set("CLOSESPIDER_TIMEOUT", time_limit, priority="cmdline")
    if args.local:
        settings.setdict(DEMO_OVERRIDES, priority="cmdline")
    if args.log_file:  # the whole log, at INFO, in the run's log file; the terminal gets one line per portal
        Path(args.log_file).parent.mkdir(parents=True, exist_ok=True)
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
        settings.set("LOG_LEVEL", "INFO", priority="cmdline")
    if os.environ.get("XXGK_DOWNLOAD_TIMEOUT"):  # tests of slow servers
        settings.set("DOWNLOAD_TIMEOUT", float(os.environ["XXGK_DOWNLOAD_TIMEOUT"]), priority="cmdline")
    settings.set("XXGK_DATA_DIR", args.data_dir, priority="cmdline")
    if args.jobdir:
        Path(args.jobdir).mkdir(parents=True, exist_ok=True)
        settings.set("JOBDIR", args.jobdir, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SPIDERS[portal["platform"]])
    process.crawl(crawler, portal=json.dumps(portal, ensure_ascii=False), data_dir=args.data_dir)
    process.start()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    summary_path = raw / "runs" / f"{portal['id']}.summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    summary["finish_reason"] = reason
    if reason == "closespider_timeout":
        manifest.append(raw, [FetchRecord(portal["id"], portal["start_urls"][0], "error", kind="list_page", reason="time_limit",
                                          message=f"stopped after the portal's time limit of {time_limit:g} s").as_row()])
        summary["list_pages_failed"] = summary.get("list_pages_failed", 0) + 1
        summary["time_limit"] = 1
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.jobdir and reason in ("finished", "blocked"):
        # a finished crawl's JOBDIR (its queue and seen-requests filter) must not outlive it: the
        # next run starts fresh; only an interrupted crawl keeps it, to resume
        shutil.rmtree(args.jobdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
