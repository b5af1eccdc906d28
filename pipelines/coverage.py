"""Coverage and freshness as data: every portal's harvest runs, read from their history files.

Each harvest appends one line to ``raw/runs/<portal>.history.jsonl`` (pipelines/crawl.py).  A build turns
them into the ``portal_runs`` table, so "what is covered, and since when" is a query (``v_portal_status``)
in the warehouse and in every release, not a log to grep.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from warehouse.schema import RUN_TABLES

# history key -> column, where they differ
_RENAMED = {"new": "documents_new", "changed": "documents_changed", "unchanged": "documents_unchanged"}


def portal_runs_frame(raw: Path) -> pl.DataFrame:
    """One row per portal and run, oldest first, with the latest ok run up to each."""
    schema = RUN_TABLES["portal_runs"].schema
    rows: list[dict] = []
    for path in sorted((raw / "runs").glob("*.history.jsonl")):
        portal = path.name.removesuffix(".history.jsonl")
        last_ok = None
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                run = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a killed run: the runs before and after it still count
            if not isinstance(run, dict):
                continue
            started = run.get("started") or run.get("at")
            if run.get("verdict") == "ok":
                last_ok = started
            row: dict = {"portal": portal, "started": started, "ended": run.get("at"), "verdict": run.get("verdict"),
                         "flags": "; ".join(run.get("flags") or []) or None, "last_ok": last_ok}
            for name, dtype in schema.items():
                if dtype == pl.Int32() and name not in row:
                    key = next((k for k, v in _RENAMED.items() if v == name), name)
                    value = run.get(key)
                    row[name] = int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0
            rows.append(row)
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return frame.unique(["portal", "started"], keep="last", maintain_order=True).sort("portal", "started")
