"""Versioned, immutable releases: Parquet + DuckDB + a Frictionless data package, checksums, changelog.

A release holds the tables (Parquet), the warehouse (DuckDB), every view as Parquet (``views/``), the
documents its reports cite (``sources/``, addressed by SHA-256), its codebook, README, data package and
checksums; a caller may add files before it is sealed (``extras``: the offline site).

A release is assembled in a hidden temporary folder and renamed into ``releases/vYYYY.MM.DD[.N]`` in
one step (a rename onto an existing folder fails, so a release is never overwritten); the ``latest``
pointer is switched last, atomically.  A release killed at any point leaves the previous one as
``latest`` and nothing half-written under a version name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from identity.agency import ID_SCHEME
from warehouse.publish import CODEBOOK, ReleaseContents, citation_cff, codebook, release_readme
from warehouse.release_files import (
    DIR_MODE,
    FILE_MODE,
    SUMS,
    VIEWS_FOLDER,
    SourcesMissing,
    ViewFile,
    checksums,
    export_views,
    is_source,
    release_files,
    set_modes,
    sha256_file,
    ship_sources,
)
from warehouse.schema import ALL_TABLES, CODE_TABLES

if TYPE_CHECKING:
    from warehouse.generations import Generation

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


class NothingChanged(Exception):
    """The build holds exactly the tables of the latest release: no new version is made."""


class Refused(Exception):
    """A guard refused to replace the dataset (it would shrink it): nothing current was changed."""


class ReleaseInvalid(Exception):
    """The assembled release failed validation: it was not published."""


def table_hashes(folder: Path) -> dict[str, str]:
    return {p.stem: sha256_file(p) for p in sorted(folder.glob("*.parquet"))}


Extras = Callable[[Path, Path], None]


def make_release(gen: Generation, releases: Path, *, today: dt.date | None = None, allow_shrink: bool = False,
                 data_dir: Path | None = None, extras: Extras | None = None) -> Path:
    """Publish one complete generation as a new version and point ``latest`` at it; returns the release folder.

    ``data_dir`` is the data directory whose archive (``raw/objects``) holds the documents the release ships
    (default: the folder ``releases`` is in).  ``extras(folder, data_dir)``, when given, is called with the
    hidden folder being assembled once its tables, ``xxgk.duckdb``, ``views/``, ``sources/`` and ``CODEBOOK.md``
    are in place, and before its README, data package and checksums are written and it is renamed into place:
    what it writes there (the offline site) is listed in the README, covered by ``SHA256SUMS`` and published with
    the release, or not at all when it raises.

    Refused (:class:`NothingChanged`) when its tables are the latest release's, byte for byte;
    (:class:`Refused`) when it has sharply fewer reports or facts than the latest release, unless
    ``allow_shrink``; (:class:`ReleaseInvalid`) when the assembled folder fails :func:`validate` or a document
    it cites is not in the archive.
    """
    from warehouse.database import STORED
    from warehouse.generations import row_counts, shrinkage

    data_dir = data_dir or releases.parent

    today = today or dt.datetime.now(dt.UTC).date()
    releases.mkdir(parents=True, exist_ok=True)
    for stale in releases.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a release that was killed
    previous = latest(releases)
    if previous is not None:
        if table_hashes(previous) == (gen.meta.get("tables_sha256") or table_hashes(gen.parquet)):
            raise NothingChanged(f"nothing changed since {previous.name}: no new release")
        why = shrinkage(row_counts(previous, ("reports", "facts")), gen.counts)
        if why and not allow_shrink:
            raise Refused(f"this build has sharply fewer rows than {previous.name}: {why}. Nothing was released; "
                          "if the fall is intended, release with --allow-shrink.")
    version = next_version(releases, today)
    tmp = releases / f".tmp-{version}-{os.getpid()}"
    tmp.mkdir()
    try:
        for name in ALL_TABLES:
            shutil.copyfile(gen.parquet / f"{name}.parquet", tmp / f"{name}.parquet")
        shutil.copyfile(gen.db, tmp / DB_NAME)
        tampered = as_recorded(gen, tmp)  # the copies, byte for byte, are what the build recorded: never trust the folder
        if tampered:
            raise ReleaseInvalid(f"the current build ({gen.id}) is not as it was built, so nothing was published: "
                                 + "; ".join(tampered[:10]) + ". Build again to release.")
        views = export_views(tmp / DB_NAME, tmp, ordered=set(STORED))
        try:
            sources = ship_sources(tmp, data_dir)
        except SourcesMissing as e:
            raise ReleaseInvalid(f"the release was not published: {e}. Harvest again (or restore the archive) and release.") from None
        (tmp / CODEBOOK).write_text(codebook(tmp, views), encoding="utf-8")
        if extras is not None:
            extras(tmp, data_dir)
        (tmp / "CHANGELOG.md").write_text(changelog(previous, tmp, version, today), encoding="utf-8")
        (tmp / "CITATION.cff").write_text(citation_cff(version, today), encoding="utf-8")
        counts = {name: gen.counts.get(name, 0) for name in ALL_TABLES}
        descriptor = datapackage(tmp, version, today, views)
        (tmp / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
        contents = ReleaseContents(tmp, version, today, counts, views, sources)
        (tmp / "README.md").write_text(release_readme(contents), encoding="utf-8")  # lists what is there, so written last
        (tmp / SUMS).write_text(checksums(tmp), encoding="utf-8")
        set_modes(tmp)
        problems = validate(tmp)
        if problems:
            raise ReleaseInvalid("the release failed validation and was not published: " + "; ".join(problems[:10]))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    final = releases / version
    os.rename(tmp, final)  # fails if the version exists: releases are immutable
    _point_latest(releases, final)
    return final


def as_recorded(gen: Generation, folder: Path) -> list[str]:
    """What in ``folder`` (a release being assembled from ``gen``) differs from the generation's record (empty when
    nothing): every table's Parquet file must have the SHA-256 ``generation.json`` recorded when it was built, the
    DuckDB file its recorded SHA-256 (generations recorded before it was kept: not compared), and every table of
    the DuckDB file the same columns, rows and contents as its Parquet file (an order-free checksum of the rows)."""
    import duckdb

    recorded = gen.meta.get("tables_sha256")
    if not recorded:
        return ["it has no record of its tables' checksums (generation.json), so its files cannot be checked"]
    problems: list[str] = []
    for name in ALL_TABLES:
        if name not in recorded:
            problems.append(f"{name}.parquet is not in its record")
        elif sha256_file(folder / f"{name}.parquet") != recorded[name]:
            problems.append(f"{name}.parquet is not the file it recorded (its SHA-256 differs: changed since the build)")
    if gen.meta.get("db_sha256") and sha256_file(folder / DB_NAME) != gen.meta["db_sha256"]:
        problems.append(f"{DB_NAME} is not the file it recorded (its SHA-256 differs: changed since the build)")
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.execute(f"ATTACH {_sql_text(str(folder / DB_NAME))} AS built (READ_ONLY)")
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'built'").fetchall()}
        for name in ALL_TABLES:
            if name not in tables:
                problems.append(f"{DB_NAME} has no table {name}")
                continue
            src = f"read_parquet({_sql_text(str(folder / f'{name}.parquet'))})"
            shape = "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {})"
            fingerprint = "SELECT count(*), sum(hash(t))::HUGEINT FROM {} t"
            if con.execute(shape.format(f"built.{name}")).fetchall() != con.execute(shape.format(src)).fetchall():
                problems.append(f"{name}: its columns in {DB_NAME} differ from {name}.parquet")
                continue
            (n_db, h_db), (n_pq, h_pq) = (con.execute(fingerprint.format(x)).fetchone() for x in (f"built.{name}", src))
            if (n_db, h_db) != (n_pq, h_pq):
                problems.append(f"{name}: {n_db} rows in {DB_NAME}, {n_pq} in {name}.parquet" if n_db != n_pq
                                else f"{name}: its rows in {DB_NAME} differ from {name}.parquet")
            elif name in gen.counts and gen.counts[name] != n_pq:
                problems.append(f"{name}: {n_pq} rows, {gen.counts[name]} recorded")
    except duckdb.Error as e:
        problems.append(f"{DB_NAME} cannot be read: {str(e).strip().splitlines()[0]}")
    finally:
        con.close()
    return problems


def _sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _key_and_nan_problems(name: str, path: Path, key: list[str], floats: list[str]) -> list[str]:
    """Null or duplicate primary keys, NaN numbers: counted by DuckDB, which streams the file and spills
    to disk, so a national release (hundreds of millions of facts) is checked in bounded memory."""
    import duckdb

    out: list[str] = []
    src = f"read_parquet('{str(path).replace(chr(39), chr(39) * 2)}')"
    con = duckdb.connect()
    try:
        if key:
            cols = ", ".join(f'"{k}"' for k in key)
            nulls = con.execute("SELECT count(*) FILTER (WHERE " + " OR ".join(f'"{k}" IS NULL' for k in key) + f") FROM {src}").fetchone()[0]
            if nulls:
                out.append(f"{name}: {nulls} row(s) with a null in primary key {key}")
            dups = con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {src} GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
            if dups:
                out.append(f"{name}: {dups} duplicate primary key(s) {key}")
        for col in floats:
            # FILTER, not WHERE: DuckDB pushes a WHERE isnan() into the Parquet statistics, which leave NaN out
            nan = con.execute(f'SELECT count(*) FILTER (WHERE isnan("{col}")) FROM {src}').fetchone()[0]
            if nan:
                out.append(f"{name}.{col}: {nan} NaN value(s) (a missing number must be null)")
    finally:
        con.close()
    return out


def validate(folder: Path) -> list[str]:
    """What is wrong with a release folder (empty when nothing): files, modes, checksums, schemas, keys.

    The same rules a consumer's ``frictionless validate datapackage.json`` applies to the tables, plus
    the checksums and file modes, checked before anything is published.
    """
    problems: list[str] = []
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return [f"datapackage.json unreadable: {e}"]
    for p in [folder, *folder.rglob("*")]:
        mode, want = stat.S_IMODE(p.lstat().st_mode), (DIR_MODE if p.is_dir() else FILE_MODE)
        if p.is_symlink():
            problems.append(f"{p.relative_to(folder)}: a symbolic link (a release holds files, not links out of it)")
        elif mode != want:
            problems.append(f"{p.relative_to(folder).as_posix() or '.'}: mode {mode:o}, not {want:o}")
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / SUMS).read_text().splitlines() if line)
    for name, digest in sums.items():
        path = folder / name
        # a shipped document is checked by its name (the archive stored it under its SHA-256) and its size; every
        # other file is read again
        if ".." in name.split("/") or not path.is_file() or (is_source(name) and path.name[:64] != digest) or (
                not is_source(name) and sha256_file(path) != digest):
            problems.append(f"{name}: checksum does not match SHA256SUMS")
    unlisted = [p.relative_to(folder).as_posix() for p in release_files(folder)]
    unlisted = [r for r in unlisted if r not in sums and r != SUMS]
    if unlisted:
        problems.append(f"{len(unlisted)} file(s) not in SHA256SUMS: " + ", ".join(unlisted[:5]))
    if (folder / "documents.parquet").is_file():
        shipped = pl.read_parquet(folder / "documents.parquet", columns=["source_file"])["source_file"].drop_nulls()
        absent = [s for s in shipped.unique().sort() if not (folder / s).is_file()]
        if absent:
            problems.append(f"{len(absent)} document(s) named by documents.source_file are not in the release: " + ", ".join(absent[:3]))
    for res in descriptor.get("resources", []):
        path = folder / res["path"]
        if res["path"].startswith("/") or ".." in res["path"].split("/") or not path.is_file():
            problems.append(f"resource {res['name']}: {res['path']} is not a file of the release")
            continue
        if res.get("type") != "table":
            continue
        if res["path"].startswith(VIEWS_FOLDER + "/"):
            got = pl.read_parquet_schema(path)
            if [f["name"] for f in res["schema"]["fields"]] != list(got):
                problems.append(f"{res['name']}: datapackage fields differ from the Parquet columns")
            continue
        table = ALL_TABLES[res["name"]]
        got = pl.read_parquet_schema(path)
        if dict(got) != table.schema:
            problems.append(f"{res['name']}: columns {dict(got)} differ from the declared schema")
            continue
        if [f["name"] for f in res["schema"]["fields"]] != list(got):
            problems.append(f"{res['name']}: datapackage fields differ from the Parquet columns")
        problems += _key_and_nan_problems(res["name"], path, list(table.primary_key),
                                          [f.name for f in table.fields if f.dtype == pl.Float64()])
    return problems


def _point_latest(releases: Path, target: Path) -> None:
    tmp_link = releases / f".latest-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(target.name)
    os.replace(tmp_link, releases / "latest")


def datapackage(folder: Path, version: str, today: dt.date, views: list[ViewFile] | None = None) -> dict:
    """A Frictionless Data Package v2 descriptor: every table and view with its schema, the other files with size and
    SHA-256 (the shipped documents, the site: in SHA256SUMS)."""
    resources = []
    for name, table in ALL_TABLES.items():
        path = folder / f"{name}.parquet"
        resources.append(
            {
                "name": name,
                "type": "table",
                "path": path.name,  # relative: the folder can be moved, mirrored or served over HTTP as it is
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "description": table.description,
                # sizes and checksums of the tables are in SHA256SUMS: frictionless reads Parquet through
                # pyarrow and never measures its bytes, so declaring them here fails every validation
                "schema": {
                    "fields": [{"name": f.name, "type": f.frictionless_type, "description": f.description} for f in table.fields],
                    # frictionless reads Parquet through pandas, where a null in an integer column becomes NaN
                    "missingValues": ["", "nan"],
                    **({"primaryKey": list(table.primary_key)} if table.primary_key else {}),
                },
            }
        )
    for v in views or ():
        resources.append(
            {
                "name": v.name,
                "type": "table",
                "path": v.path,
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "description": v.description + f" (the view {v.name} of {DB_NAME}, as Parquet)",
                "schema": {
                    "fields": [{"name": n, "type": t, "description": d} for n, t, d in v.fields],
                    "missingValues": ["", "nan"],
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
    for name, path, what in (("changelog", "CHANGELOG.md", "What changed since the previous release."),
                             ("codebook", CODEBOOK, "Every table, view, column and code of the release, in Chinese and English.")):
        if (folder / path).is_file():
            resources.append(
                {
                    "name": name,
                    "path": path,
                    "format": "md",
                    "mediatype": "text/markdown",
                    "description": what,
                    "bytes": (folder / path).stat().st_size,
                    "hash": f"sha256:{sha256_file(folder / path)}",
                }
            )
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "xxgk",
        "title": "xxgk: China's government information disclosure annual reports (政府信息公开工作年度报告) as data",
        "description": "Every number of the statistical tables of the annual reports, with provenance and the tables' "
        "accounting identities checked. Codes: see the code_* tables. README.md says how to query and cite it.",
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
    lines.append("")
    lines += tables_changed(previous, current)
    lines += codes_changed(previous, current)
    return "\n".join(lines) + "\n"


def tables_changed(previous: Path, current: Path) -> list[str]:
    """The other tables whose files changed (documents, problems, checks, portal_runs …), with their row counts, and
    the documents added and removed by SHA-256: a release whose reports and facts are the same still says what is new."""
    out: list[str] = []
    for name in ALL_TABLES:
        if name in ("reports", "facts") or name in CODE_TABLES:
            continue
        old, new = previous / f"{name}.parquet", current / f"{name}.parquet"
        if not new.exists() or old.exists() and sha256_file(old) == sha256_file(new):
            continue
        rows_new = pl.scan_parquet(new).select(pl.len()).collect().item()
        if not old.exists():
            out.append(f"- {name}: a new table, {rows_new} rows")
            continue
        rows_old = pl.scan_parquet(old).select(pl.len()).collect().item()
        out.append(f"- {name}: {rows_old} → {rows_new} rows" + (" (contents changed)" if rows_old == rows_new else ""))
    lines = [f"## Other tables changed: {len(out)}", *out, ""]
    old_docs, new_docs = (set(pl.read_parquet(p / "documents.parquet", columns=["sha256"])["sha256"].drop_nulls())
                          for p in (previous, current))
    lines += [f"## Documents added: {len(new_docs - old_docs)}", f"## Documents removed: {len(old_docs - new_docs)}", ""]
    return lines


def codes_changed(previous: Path, current: Path) -> list[str]:
    """Codes added, removed or relabelled in the code tables since the previous release.

    Codes are never renamed (docs/vocabulary.md): a code that changes meaning is a new code, and the
    changelog says so here.
    """
    out: list[str] = []
    for name, table in CODE_TABLES.items():
        key = list(table.primary_key)
        new = pl.read_parquet(current / f"{name}.parquet")
        if not (previous / f"{name}.parquet").exists():
            out.append(f"- {name}: first published as Parquet ({new.height} codes)")
            continue
        old = pl.read_parquet(previous / f"{name}.parquet")
        ko = {tuple(r[:len(key)]): r for r in old.select(*key, *[c for c in old.columns if c not in key]).iter_rows()}
        kn = {tuple(r[:len(key)]): r for r in new.select(*key, *[c for c in new.columns if c not in key]).iter_rows()}
        for k in sorted(kn.keys() - ko.keys()):
            out.append(f"- {name}: added {'.'.join(k)} (a new code of the vocabulary)")
        for k in sorted(ko.keys() - kn.keys()):
            out.append(f"- {name}: removed {'.'.join(k)} (no longer in the vocabulary)")
        for k in sorted(ko.keys() & kn.keys()):
            if ko[k] != kn[k]:
                out.append(f"- {name}: {'.'.join(k)} relabelled {ko[k][len(key):]} → {kn[k][len(key):]}")
    return [f"## Codes changed: {len(out)}", *out]


def _v(value: float | None, note: str | None) -> str:
    s = "null" if value is None else (str(int(value)) if float(value).is_integer() else str(value))
    return f"{s}（{note}）" if note else s
