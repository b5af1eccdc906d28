"""``xxgk registry check``: the whole registry validated offline, before anyone crawls it.

Beyond the schema (:mod:`portals.registry`): each start URL has its platform's shape (a gkmlpt instance's
``/gkmlpt/index`` or ``/annualreport``, a Hanweb column ``/col/col{N}/index.html``, a TRS column folder), no
two entries start at the same address, every region code is a division of the reference table and its
name agrees with ``region``, every entry has a region, and an entry nobody has crawled says where it came from
(``source``); local entries (loopback, folders) are counted apart, never as sourced.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from identity.divisions import divisions

from .registry import Portal, load_portals

START_URL = {
    "gkmlpt": re.compile(r"/gkmlpt/(?:index|annualreport)$"),
    "hanweb": re.compile(r"/col/col\d+/index\.html$"),
    "trs": re.compile(r"/(?:index\.s?html?)?$"),
    "nfcms": re.compile(r"/postmeta/i/\d+\.json$|/(?:index\.html)?$"),
}


@dataclass
class Report:
    portals: list[Portal]
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        by_platform = Counter(p.platform for p in self.portals)
        ref = divisions()
        provinces = Counter((ref.get(p.region_code[:2] + "0000").name if p.region_code and ref.get(p.region_code[:2] + "0000") else "—")
                            for p in self.portals)
        verified = [p for p in self.portals if p.options.get("verified")]
        sourced = [p for p in self.portals if not p.options.get("verified") and p.options.get("source")]
        local = [p for p in self.portals if not p.options.get("verified") and not p.options.get("source") and is_local(p)]
        lines = [f"{len(self.portals)} portals: " + ", ".join(f"{k} {v}" for k, v in sorted(by_platform.items())),
                 "by province: " + ", ".join(f"{k} {v}" for k, v in sorted(provinces.items())),
                 f"verified by a crawl: {len(verified)}; from public sources, not yet crawled: {len(sourced)}"
                 + (f"; local (loopback or folder) entries without a source: {len(local)}" if local else "")]
        lines += [f"problem: {p}" for p in self.problems]
        return "\n".join(lines)


def is_local(p: Portal) -> bool:
    """A portal on this machine (a test or demo server on loopback, or a folder): no public source to give."""
    return p.platform == "folder" or all((urlsplit(u).hostname or "").startswith("127.") or urlsplit(u).hostname == "localhost"
                                         for u in p.start_urls)


def check(path: Path) -> Report:
    """The registry's portals and every problem found in them (a schema error raises RegistryError)."""
    portals = load_portals(path)
    report = Report(portals)
    ref = divisions()
    seen: dict[str, str] = {}
    for p in portals:
        shape = START_URL.get(p.platform)
        for url in p.start_urls:
            if shape and not shape.search(urlsplit(url).path):
                report.problems.append(f"{p.id}: start URL {url} is not a {p.platform} start page ({shape.pattern})")
            if url in seen:
                report.problems.append(f"{p.id}: starts at {url}, as {seen[url]} does")
            seen.setdefault(url, p.id)
        if p.region_code:
            d = ref.get(p.region_code)
            if d is None:
                report.problems.append(f"{p.id}: region_code {p.region_code} is no division of the reference table")
            elif p.region and p.region != d.name:
                report.problems.append(f"{p.id}: region {p.region!r} but region_code {p.region_code} is {d.name}")
        if not p.region_code and not p.region:
            report.problems.append(f"{p.id}: no region: give region and region_code (its reports are placed by them)")
        if not is_local(p) and not p.options.get("verified") and not p.options.get("source") and "{base}" not in "".join(p.start_urls):
            report.problems.append(f"{p.id}: not verified by a crawl and no source given")
    return report
