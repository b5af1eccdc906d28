"""Run discovery over sites in its own process: ``python -m scrapers.run_discover --urls-json '[…]' --out FILE``."""

from __future__ import annotations

import argparse
import json
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from scrapers.settings import DEMO_OVERRIDES, SETTINGS
from scrapers.spiders.discover import DiscoverSpider


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--urls-json", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--local", action="store_true", help="the sites are local test servers: no delays")
    ap.add_argument("--log-file")
    args = ap.parse_args(argv)
    settings = Settings(SETTINGS)
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")  # discovery archives nothing
    settings.set("CONCURRENT_REQUESTS", 32, priority="cmdline")  # many hosts at once, still one request per host
    if args.local:
        settings.setdict(DEMO_OVERRIDES, priority="cmdline")
    if args.log_file:
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
        settings.set("LOG_LEVEL", "INFO", priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(DiscoverSpider, urls=json.dumps(json.loads(args.urls_json)), out=args.out)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
