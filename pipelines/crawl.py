"""Harvest portals with their platform's spider, one process per portal; an honest verdict for each.

A portal's run is ``ok`` (every list page read, nothing failed), ``partial`` (some pages or documents
failed, the time limit was reached, or far fewer reports were listed than on its last good run),
``failed`` (no list page could be read, the crawl process died, or a portal that listed reports
before lists none) or ``blocked`` (a challenge page).  ``xxgk crawl`` exits non-zero unless every
portal is ``ok``.  The portal's own defects — a listed document answering 404/410, a list item without its
URL — are manifest rows and counted apart (new, still there, healed): they never make a verdict partial.  Scrapy's log goes to ``logs/<portal>/<time>.log``; the terminal gets one line per portal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from archive import manifest
from archive.layout import Layout
from archive.records import FetchRecord
from portals.registry import Portal

from .harvest import harvest_folder

SUMMARY_KEYS = ("list_pages_read", "list_pages_failed", "reports_listed", "new", "changed", "unchanged", "documents_failed", "blocked",
                "defects_new")
DEFECT_KEYS = ("defects", "defects_new", "defects_known", "defects_healed")
VERDICTS = ("ok", "partial", "failed", "blocked")
DROP = 0.5  # listed reports below half of the last good run's: flagged
GRACE = 120.0  # seconds past a portal's time limit before its crawl process is killed


def _is_local(portal: Portal) -> bool:
    return all(urlsplit(u).hostname in ("127.0.0.1", "localhost", "::1") for u in portal.start_urls)


def history_path(raw: Path, portal: str) -> Path:
    return raw / "runs" / f"{portal}.history.jsonl"


def last_good(raw: Path, portal: str) -> dict | None:
    runs = manifest.log_rows(history_path(raw, portal))
    return next((r for r in reversed(runs) if r.get("verdict") == "ok"), None)


def verdict(summary: dict, previous: dict | None, platform: str) -> tuple[str, list[str]]:
    """The run's verdict and the reasons for it."""
    flags: list[str] = []
    if summary.get("blocked"):
        return "blocked", ["a challenge page answered instead of content"]
    if summary.get("crashed"):
        return "failed", [str(summary["crashed"])]
    listed = int(summary.get("reports_listed", 0))
    if not summary.get("list_pages_read"):
        return "failed", ["no list page could be read" if platform != "folder" else "the folder could not be read"]
    before = int(previous.get("reports_listed", 0)) if previous else 0
    if before and listed == 0:
        return "failed", [f"lists no reports; its last good run listed {before}"]
    if before and listed < DROP * before:
        flags.append(f"lists {listed} reports against {before} on its last good run")
    failed = int(summary.get("list_pages_failed", 0)) + int(summary.get("documents_failed", 0))
    if summary.get("time_limit"):
        flags.append("stopped at its time limit")
    if failed:
        flags.append(f"{summary.get('list_pages_failed', 0)} list page(s) and {summary.get('documents_failed', 0)} document(s) failed")
    return ("partial" if flags else "ok"), flags


def defects_path(raw: Path, portal: str) -> Path:
    return raw / "runs" / f"{portal}.defects.json"


def settle_defects(raw: Path, portal: str, seen: list[dict], *, complete: bool) -> dict:
    """The run's source defects against the portal's open ones: how many are new, still there, healed.

    A portal's dead links and malformed items stay listed for years: each is reported once, when new
    (``defects_new`` and its URLs), then counted as known night after night, and as healed when a run that
    read every list page no longer meets it (a run that did not is no evidence that a defect went away).
    The open set is ``raw/runs/<portal>.defects.json``, replaced atomically.
    """
    path = defects_path(raw, portal)
    before: dict[str, dict] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    current = {f"{d['reason']}\x1f{d['url']}\x1f{d.get('message') or ''}": d for d in seen}
    new = [k for k in current if k not in before]
    healed = [k for k in before if k not in current] if complete else []
    still = {k: {**d, "first_seen": before.get(k, {}).get("first_seen", now), "last_seen": now} for k, d in current.items()}
    if not complete:
        still.update({k: v for k, v in before.items() if k not in current})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(still, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return {
        "defects": len(current),
        "defects_new": len(new),
        "defects_known": len(current) - len(new),
        "defects_healed": len(healed),
        "defects_new_urls": sorted({current[k]["url"] for k in new})[:20],
        "defects_open": len(still),
    }


def harvest_portal(portal: Portal, layout: Layout, *, timeout: float | None = None, base: Path = Path(".")) -> dict:
    """Crawl one portal (or archive a folder portal); returns its summary with ``verdict`` and ``flags``, and its
    source defects (new, known, healed: :func:`settle_defects`), which never change the verdict."""
    previous = last_good(layout.raw, portal.id)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if portal.platform == "folder":
        summary: dict = dict(harvest_folder(portal, layout.raw, base))
    else:
        summary = _crawl(portal, layout, timeout)
    seen = summary.pop("defect_list", None) or []
    summary["verdict"], summary["flags"] = verdict(summary, previous, portal.platform)
    summary.update(settle_defects(layout.raw, portal.id, seen, complete=summary["verdict"] == "ok"))
    summary["started"] = started
    path = history_path(layout.raw, portal.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **summary}, ensure_ascii=False) + "\n")
    return summary


DEFAULT_HOSTS_AT_ONCE = 8  # crawl processes at once (each ~100 MB): hosts in parallel, one host's portals in turn


def host_of(portal: Portal) -> str:
    """The host a portal's requests go to (a folder portal is its own "host"): portals of one host are crawled
    one after the other, so a host never sees two requests at once, even across portals."""
    if portal.platform == "folder":
        return f"folder:{portal.id}"
    return urlsplit(portal.start_urls[0]).hostname or portal.id


def harvest_many(portals: list[Portal], layout: Layout, *, hosts_at_once: int = DEFAULT_HOSTS_AT_ONCE,
                 timeout: float | None = None, on_done: Callable[[Portal, dict], None] | None = None) -> dict[str, dict]:
    """Crawl every portal, up to ``hosts_at_once`` hosts in parallel and each host's portals in turn (its busiest
    host first, so the run lasts about as long as the slowest host's share).  Each portal's crawl is its own
    process (:func:`harvest_portal`): memory stays that of ``hosts_at_once`` crawls however many portals there
    are.  ``on_done`` is called as each portal finishes (one progress line per portal); results keep the
    registry's order."""
    groups: dict[str, list[Portal]] = {}
    for p in portals:
        groups.setdefault(host_of(p), []).append(p)
    order = sorted(groups.values(), key=lambda g: -len(g))
    results: dict[str, dict] = {}
    lock = threading.Lock()

    def run(group: list[Portal]) -> None:
        for p in group:
            began = time.monotonic()
            summary = harvest_portal(p, layout, timeout=timeout)
            summary["seconds"] = round(time.monotonic() - began, 2)  # this portal's own crawl, process start to end
            with lock:
                results[p.id] = summary
                if on_done:
                    on_done(p, summary)

    with ThreadPoolExecutor(max_workers=max(1, hosts_at_once)) as pool:
        for fut in [pool.submit(run, g) for g in order]:
            fut.result()
    return {p.id: results[p.id] for p in portals}


def _crawl(portal: Portal, layout: Layout, timeout: float | None) -> dict:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    log = layout.logs / portal.id / f"{stamp}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    spec = {"id": portal.id, "name": portal.name, "platform": portal.platform, "start_urls": list(portal.start_urls),
            "region": portal.region, "region_code": portal.region_code, "body": portal.body, "time_limit": portal.time_limit,
            "options": portal.options}
    cmd = [sys.executable, "-m", "scrapers.run", "--portal-json", json.dumps(spec, ensure_ascii=False),
           "--data-dir", str(layout.root), "--jobdir", str(layout.jobs / portal.id), "--log-file", str(log),
           "--parent-pid", str(os.getpid())]
    if _is_local(portal):
        cmd.append("--local")
    summary_path = layout.raw / "runs" / f"{portal.id}.summary.json"
    summary_path.unlink(missing_ok=True)
    limit = timeout if timeout is not None else portal.time_limit + GRACE
    with log.open("a", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = None
        except BaseException:  # interrupted: the child must not outlive us
            proc.kill()
            proc.wait()
            raise
    if code == 0 and summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        summary["log"] = str(log)
        return summary
    why = f"the crawl process was killed after {limit:g} s" if code is None else f"the crawl process exited with status {code}"
    manifest.append(layout.raw, [FetchRecord(portal.id, portal.start_urls[0], "error", kind="list_page",
                                             reason="time_limit" if code is None else "spider_exception",
                                             message=f"{why}; see {log}").as_row()])
    return {"crashed": why, "log": str(log), "list_pages_failed": 1}


def format_summary(results: dict[str, dict]) -> str:
    head = f"{'portal':<24}" + "".join(f"{k:>18}" for k in SUMMARY_KEYS) + f"  {'verdict':<8}"
    lines = [head]
    for pid, counts in results.items():
        lines.append(f"{pid:<24}" + "".join(f"{int(counts.get(k, 0) or 0):>18}" for k in SUMMARY_KEYS) + f"  {counts.get('verdict', '?'):<8}")
    notes = [f"  {pid}: {'; '.join(c['flags'])}" for pid, c in results.items() if c.get("flags")]
    defects = [f"  {pid}: {defects_line(c)}" + "".join(f"\n    new: {u}" for u in c.get("defects_new_urls") or [])
               for pid, c in results.items() if c.get("defects") or c.get("defects_healed")]
    return "\n".join(lines + (["", "why:"] + notes if notes else [])
                     + (["", "the portals' own defects (dead links, malformed items; not failures of the harvest):"] + defects if defects else []))


def defects_line(summary: dict) -> str:
    return (f"{summary.get('defects_new', 0)} new, {summary.get('defects_known', 0)} still there, "
            f"{summary.get('defects_healed', 0)} healed")


def progress_line(pid: str, summary: dict) -> str:
    """The one line the terminal shows for a portal."""
    flags = f" ({'; '.join(summary['flags'])})" if summary.get("flags") else ""
    defects = f"; source defects: {defects_line(summary)}" if summary.get("defects") or summary.get("defects_healed") else ""
    return (f"{pid}: {summary.get('verdict')}{flags} — {summary.get('reports_listed', 0)} listed, {summary.get('new', 0)} new, "
            f"{summary.get('changed', 0)} changed, {summary.get('unchanged', 0)} unchanged{defects}"
            + (f"; log {summary['log']}" if summary.get("log") else ""))
