"""Versioned, immutable releases: Parquet + DuckDB + a Frictionless data package, checksums, changelog.

A release is assembled in a hidden temporary folder and renamed into ``releases/vYYYY.MM.DD[.N]`` in
one step (a rename onto an existing folder fails, so a release is never overwritten); the ``latest``
pointer is switched last, atomically.  A release killed at any point leaves the previous one as
``latest`` and nothing half-written under a version name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import polars as pl

from identity.agency import ID_SCHEME
from warehouse.schema import TABLES

LICENSE = {
    "name": "CC0-1.0",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
    "title": "CC0 1.0 Universal: the compilation is dedicated to the public domain",
}
SOURCES = [
    {
        "title": "政府信息公开工作年度报告 (annual reports on government information disclosure) published by Chinese "
        "government bodies on their portals, under article 50 of the 政府信息公开条例",
    }
]
DB_NAME = "xxgk.duckdb"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def next_version(releases: Path, today: dt.date) -> str:
    base = f"v{today:%Y.%m.%d}"
    if not (releases / base).exists():
        return base
    n = 1
    while (releases / f"{base}.{n}").exists():
        n += 1
    return f"{base}.{n}"


def latest(releases: Path) -> Path | None:
    link = releases / "latest"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def make_release(parquet_dir: Path, db_path: Path, releases: Path, *, today: dt.date | None = None) -> Path:
    """Write a new release and point ``latest`` at it; returns the release folder."""
    today = today or dt.datetime.now(dt.UTC).date()
    releases.mkdir(parents=True, exist_ok=True)
    for stale in releases.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a release that was killed
    version = next_version(releases, today)
    tmp = releases / f".tmp-{version}-{os.getpid()}"
    tmp.mkdir()
    previous = latest(releases)

    for name in TABLES:
        shutil.copy2(parquet_dir / f"{name}.parquet", tmp / f"{name}.parquet")
    shutil.copy2(db_path, tmp / DB_NAME)
    (tmp / "CHANGELOG.md").write_text(changelog(previous, tmp, version, today), encoding="utf-8")
    descriptor = datapackage(tmp, version, today)
    (tmp / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    sums = [f"{sha256_file(p)}  {p.name}" for p in sorted(tmp.iterdir()) if p.is_file()]
    (tmp / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")

    final = releases / version
    os.rename(tmp, final)  # fails if the version exists: releases are immutable
    _point_latest(releases, final)
    return final


def _point_latest(releases: Path, target: Path) -> None:
    tmp_link = releases / f".latest-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(target.name)
    os.replace(tmp_link, releases / "latest")


def datapackage(folder: Path, version: str, today: dt.date) -> dict:
    """A Frictionless Data Package v2 descriptor: every resource with schema, size and SHA-256."""
    resources = []
    for name, table in TABLES.items():
        path = folder / f"{name}.parquet"
        resources.append(
            {
                "name": name,
                "type": "table",
                "path": path.name,
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "encoding": "binary",
                "description": table.description,
                "bytes": path.stat().st_size,
                "hash": f"sha256:{sha256_file(path)}",
                "schema": {
                    "fields": [{"name": f.name, "type": f.frictionless_type, "description": f.description} for f in table.fields],
                    **({"primaryKey": list(table.primary_key)} if table.primary_key else {}),
                },
            }
        )
    db = folder / DB_NAME
    resources.append(
        {
            "name": "warehouse",
            "path": DB_NAME,
            "format": "duckdb",
            "mediatype": "application/vnd.duckdb",
            "description": "The same tables in a DuckDB database, with code tables, labelled views and comments on every table, view and column.",
            "bytes": db.stat().st_size,
            "hash": f"sha256:{sha256_file(db)}",
        }
    )
    changelog_path = folder / "CHANGELOG.md"
    resources.append(
        {
            "name": "changelog",
            "path": "CHANGELOG.md",
            "format": "md",
            "mediatype": "text/markdown",
            "description": "What changed since the previous release.",
            "bytes": changelog_path.stat().st_size,
            "hash": f"sha256:{sha256_file(changelog_path)}",
        }
    )
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "xxgk",
        "title": "xxgk: China's government information disclosure annual reports (政府信息公开工作年度报告) as data",
        "description": "Every number of the statistical tables of the annual reports, with provenance and the tables' "
        "accounting identities checked. Codes: see the code_* tables of the warehouse.",
        "version": version.removeprefix("v"),
        "created": dt.datetime.combine(today, dt.time(), dt.UTC).isoformat().replace("+00:00", "Z"),
        "licenses": [LICENSE],
        "sources": SOURCES,
        "keywords": ["China", "transparency", "government information disclosure", "政府信息公开"],
        "resources": resources,
    }


def changelog(previous: Path | None, current: Path, version: str, today: dt.date) -> str:
    """Reports added and removed, facts changed, added and removed, since the previous release."""
    lines = [f"# {version} ({today.isoformat()})", ""]
    new_reports = pl.read_parquet(current / "reports.parquet", columns=["report_id", "agency", "year"])
    new_facts = pl.scan_parquet(current / "facts.parquet")
    if previous is None:
        n_facts = new_facts.select(pl.len()).collect().item()
        lines += ["First release.", "", f"- {new_reports.height} reports, {n_facts} facts."]
        return "\n".join(lines) + "\n"
    old_reports = pl.read_parquet(previous / "reports.parquet", columns=["report_id", "agency", "year"])
    old_facts = pl.scan_parquet(previous / "facts.parquet")
    lines.append(f"Changes since {previous.name}.")
    lines.append("")
    # the same report under another id (the id scheme changed, or its body was resolved anew): any document
    # shared by the old and the new report ties them, whichever document is canonical now
    old_docs = pl.read_parquet(previous / "report_documents.parquet", columns=["report_id", "sha256"])
    new_docs = pl.read_parquet(current / "report_documents.parquet", columns=["report_id", "sha256"])
    renamed = (
        old_docs.rename({"report_id": "old_id"})
        .join(new_docs.rename({"report_id": "new_id"}), on="sha256")
        .filter(pl.col("old_id") != pl.col("new_id"))
        .select("old_id", "new_id")
        .unique()
        .join(new_reports.select(pl.col("report_id").alias("new_id"), "agency", "year"), on="new_id")
        .sort("old_id")
    )
    old_ids = set(old_reports["report_id"]) - set(renamed["old_id"])
    new_ids = set(new_reports["report_id"]) - set(renamed["new_id"])
    added = sorted(new_ids - set(old_reports["report_id"]))
    removed = sorted(old_ids - set(new_reports["report_id"]))
    label = dict(zip(new_reports["report_id"], new_reports["agency"] + " " + new_reports["year"].cast(pl.String), strict=True))
    label |= dict(zip(old_reports["report_id"], old_reports["agency"] + " " + old_reports["year"].cast(pl.String), strict=True))
    lines.append(f"## Reports added: {len(added)}")
    lines += [f"- {r} ({label.get(r, '')})" for r in added]
    lines.append("")
    lines.append(f"## Reports removed: {len(removed)}")
    lines += [f"- {r} ({label.get(r, '')})" for r in removed]
    lines.append("")
    lines.append(f"## Report ids changed: {renamed.height}")
    if renamed.height:
        lines.append("")
        lines.append(
            "Report ids are derived from the resolved body (agency_id: division code + full name) and the year "
            f"(id scheme {ID_SCHEME}); a report whose body was resolved differently, or an id of an older scheme "
            "(printed name + year, which merged homonymous bodies of different places), changes once. Old → new:"
        )
        lines += [f"- {r['old_id']} → {r['new_id']} ({r['agency']} {r['year']})" for r in renamed.iter_rows(named=True)]
    lines.append("")
    ids = dict(zip(renamed["old_id"], renamed["new_id"], strict=True))
    key = ["report_id", "section", "row", "column"]
    old_facts = old_facts.with_columns(pl.col("report_id").replace(ids))
    both = set(new_reports["report_id"]) & ({ids.get(r, r) for r in old_reports["report_id"]})
    keep = pl.col("report_id").is_in(sorted(both))
    o = old_facts.filter(keep).select(*key, pl.col("value").alias("old"), pl.col("note").alias("old_note"), pl.lit(True).alias("_o"))
    n = new_facts.filter(keep).select(*key, pl.col("value").alias("new"), pl.col("note").alias("new_note"), pl.lit(True).alias("_n"))
    j = o.join(n, on=key, how="full", coalesce=True).collect()
    only_new = j.filter(pl.col("_o").is_null()).height
    only_old = j.filter(pl.col("_n").is_null()).height
    changed = j.filter(
        pl.col("_o")
        & pl.col("_n")
        & ~(pl.col("old").eq_missing(pl.col("new")) & pl.col("old_note").eq_missing(pl.col("new_note")))
    ).sort(key)
    lines.append(f"## Facts changed: {changed.height}")
    for r in changed.iter_rows(named=True):
        lines.append(f"- {r['report_id']} {r['section']}.{r['row']}.{r['column']}: {_v(r['old'], r['old_note'])} → {_v(r['new'], r['new_note'])}")
    lines.append("")
    lines.append(f"## Facts added to existing reports: {only_new}")
    lines.append(f"## Facts removed from existing reports: {only_old}")
    return "\n".join(lines) + "\n"


def _v(value: float | None, note: str | None) -> str:
    s = "null" if value is None else (str(int(value)) if float(value).is_integer() else str(value))
    return f"{s}（{note}）" if note else s
