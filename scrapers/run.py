"""Run the spider of one portal in this process: ``python -m scrapers.run --portal-json … --data-dir …``.

One process per portal (Twisted's reactor cannot be restarted, and each portal has its own JOBDIR so a
killed crawl resumes where it stopped).  ``pipelines.crawl`` starts these processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from scrapers.settings import DEMO_OVERRIDES, SETTINGS
from scrapers.spiders.generic import GenericSpider
from scrapers.spiders.gkmlpt import GkmlptSpider
from scrapers.spiders.hanweb import HanwebSpider

SPIDERS = {"hanweb": HanwebSpider, "gkmlpt": GkmlptSpider, "generic": GenericSpider}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--portal-json", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--jobdir")
    ap.add_argument("--local", action="store_true", help="the portal is a local test server: no delays")
    args = ap.parse_args(argv)
    portal = json.loads(args.portal_json)
    settings = Settings(SETTINGS)
    if args.local:
        settings.setdict(DEMO_OVERRIDES, priority="cmdline")
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
    if args.jobdir and reason in ("finished", "blocked"):
        # a finished crawl's JOBDIR (its queue and seen-requests filter) must not outlive it: the
        # next run starts fresh; only an interrupted crawl keeps it, to resume
        shutil.rmtree(args.jobdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
