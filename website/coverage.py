"""Does a release's site show the whole release?  Counted from the site's own data files, not assumed.

Used where the site is published (the Dagster ``site`` asset points the served address at a release's site only
when it is whole): every body and every report of the release's warehouse must have its page's data in a shard,
and the site must name the release it was built from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class SiteCoverage:
    files: int
    bytes: int
    bodies: int  # in the release's warehouse
    bodies_shown: int  # with their data in the site's shards
    reports: int
    reports_shown: int
    site_version: str | None  # the release the site says it was built from
    release_version: str

    @property
    def whole(self) -> bool:
        return (self.bodies_shown == self.bodies and self.reports_shown == self.reports
                and self.site_version == self.release_version)


def _keys(folder: Path) -> set[str]:
    keys: set[str] = set()
    for shard in folder.rglob("*.json"):
        keys.update(json.loads(shard.read_text(encoding="utf-8")))
    return keys


def site_coverage(release_dir: Path, site: Path | None = None) -> SiteCoverage:
    """Count what the site in ``site`` (default ``release_dir/site``) shows against the release's tables."""
    site = site or release_dir / "site"
    con = duckdb.connect(str(release_dir / "xxgk.duckdb"), read_only=True)
    try:
        agencies = {r[0] for r in con.execute("SELECT agency_id FROM agencies").fetchall()}
        reports = {r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()}
    finally:
        con.close()
    files = [p for p in site.rglob("*") if p.is_file()]
    overview = json.loads((site / "data" / "overview.json").read_text(encoding="utf-8"))
    return SiteCoverage(
        files=len(files), bytes=sum(p.stat().st_size for p in files),
        bodies=len(agencies), bodies_shown=len(agencies & _keys(site / "data" / "bodies")),
        reports=len(reports), reports_shown=len(reports & _keys(site / "data" / "reports")),
        site_version=overview.get("release"),
        release_version=release_dir.name,
    )
