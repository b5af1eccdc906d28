"""Harvest portals with their platform's spider, one process per portal; summarise each portal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .build import Layout
from .harvest import harvest_folder
from portals.registry import Portal

SUMMARY_KEYS = ("reports_listed", "new", "changed", "unchanged", "skipped_unchanged", "skipped_not_report", "skipped_robots", "blocked", "error")


def _is_local(portal: Portal) -> bool:
    return all(urlsplit(u).hostname in ("127.0.0.1", "localhost", "::1") for u in portal.start_urls)


def harvest_portal(portal: Portal, layout: Layout, *, timeout: float | None = None, base: Path = Path(".")) -> dict[str, int]:
    """Crawl one portal (or archive a folder portal); returns its summary counts."""
    if portal.platform == "folder":
        return harvest_folder(portal, layout.raw, base)
    spec = {"id": portal.id, "name": portal.name, "platform": portal.platform, "start_urls": list(portal.start_urls),
            "region": portal.region, "region_code": portal.region_code, "body": portal.body, "time_limit": portal.time_limit,
            "options": portal.options}
    cmd = [sys.executable, "-m", "scrapers.run", "--portal-json", json.dumps(spec, ensure_ascii=False),
           "--data-dir", str(layout.root), "--jobdir", str(layout.root / "jobs" / portal.id)]
    if _is_local(portal):
        cmd.append("--local")
    summary_path = layout.raw / "runs" / f"{portal.id}.summary.json"
    summary_path.unlink(missing_ok=True)
    proc = subprocess.run(cmd, timeout=timeout, check=False, cwd=Path(__file__).resolve().parents[1])
    if not summary_path.exists():
        return {"error": 1, "exit_status": proc.returncode}
    return json.loads(summary_path.read_text(encoding="utf-8"))


def format_summary(results: dict[str, dict[str, int]]) -> str:
    head = f"{'portal':<22}" + "".join(f"{k:>20}" for k in SUMMARY_KEYS)
    lines = [head]
    for pid, counts in results.items():
        lines.append(f"{pid:<22}" + "".join(f"{counts.get(k, 0):>20}" for k in SUMMARY_KEYS))
    return "\n".join(lines)
