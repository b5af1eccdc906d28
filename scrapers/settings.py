"""Scrapy settings: polite by default.  A government portal is a public service, not a benchmark."""

from __future__ import annotations

USER_AGENT = "xxgk/0.1 (+https://github.com/xxgk-data/xxgk; open research dataset of government information disclosure annual reports)"

SETTINGS: dict[str, object] = {
    "BOT_NAME": "xxgk",
    "USER_AGENT": USER_AGENT,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,  # one request at a time per host
    "DOWNLOAD_DELAY": 2.0,
    "DOWNLOAD_DELAY_JITTER": 0.5,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 2.0,
    "AUTOTHROTTLE_MAX_DELAY": 60.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 3,
    "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
    "DOWNLOAD_TIMEOUT": 60,
    "DOWNLOAD_MAXSIZE": 64 * 1024 * 1024,  # no annual report is larger
    "DOWNLOAD_WARNSIZE": 16 * 1024 * 1024,
    "TELNETCONSOLE_ENABLED": False,  # no remote control
    # nor Scrapy 2.19's RemoteControl: an HTTP server on localhost that runs Python code sent to it (#23: nothing
    # reaches past what the registry and the data dir allow, nothing listens either)
    "REMOTE_CONTROL_ENABLED": False,
    # a cookie jar per portal (one process per portal): WAFs such as Wangsu's WZWS answer the first request
    # with a 307 that sets a cookie (wzws_cid) and expect it back; harmless everywhere else
    "COOKIES_ENABLED": True,
    "ITEM_PIPELINES": {"scrapers.archive.ArchivePipeline": 300},
    # above RetryMiddleware (550): process_response runs from high to low, so the backoff sees every
    # 429/503 before Retry decides to try again (at 540 it saw only what retries gave up on)
    # SharedHostLock last before the download: a host several portals share (a province's site search) is asked
    # one request at a time across every crawl process
    # RegistryReach first of all (10, before the offsite filter at 50 and robots.txt at 100): only http(s), and only
    # the hosts the portal's registry entry names; anything else is refused with its reason before a connection
    # Scrapy's own offsite filter is off: it drops a request at scheduling without a word (a meta-refresh elsewhere
    # vanished), and lets a subdomain of an allowed host through; RegistryReach holds requests to the exact hosts
    "DOWNLOADER_MIDDLEWARES": {"scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
                               "scrapers.middlewares.RegistryReach": 10, "scrapers.middlewares.BackoffMiddleware": 560,
                               "scrapers.middlewares.OffsiteRedirectMiddleware": 610, "scrapers.middlewares.SharedHostLock": 990},
    # http(s) only, whatever a page links: no FTP, S3, local files or data: URLs (RegistryReach refuses them first)
    "DOWNLOAD_HANDLERS": {"ftp": None, "s3": None, "file": None, "data": None},
    # Scrapy drops an over-long URL without a word; RegistryReach refuses it with a row instead
    "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None},
    "LOG_LEVEL": "INFO",
    "LOG_INSTALL_ROOT_HANDLER": True,
    "FEED_EXPORT_ENCODING": "utf-8",
}

# For the local demo portal only (127.0.0.1): no delay, short timeouts.
DEMO_OVERRIDES: dict[str, object] = {
    # never 0: with no delay, Scrapy 2.19's downloader starts every queued request of a host at once (its slot
    # counts a request as transferring only when the download coroutine runs, after the queue loop has emptied
    # the queue), so CONCURRENT_REQUESTS_PER_DOMAIN = 1 would not hold; any delay makes it take one at a time
    # (the test network's servers count requests in flight per host: tests/test_network.py)
    "DOWNLOAD_DELAY": 0.01,
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "WARNING",
}
