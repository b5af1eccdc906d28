"""Scrapy spiders, one per portal platform; portals themselves are data (data/portals.yaml)."""
