"""Hostile use of the warehouse (issue #23): queries that try to write or read files, a tampered build
released, a data directory that is not only ours, a full disk during a build.

Each case is what an adversary did on a real machine, with its outcome then (in the test's docstring) and now.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import build as build_mod
from pipelines.build import Layout
from pipelines.cli import main
from warehouse import generations
from warehouse.generations import WriteFailed, write_failure
from warehouse.release import ReleaseInvalid, make_release

from .conftest import GOLDENS, SEEDS, load_golden

N_FACTS = sum(len(load_golden(g)["facts"]) for g in GOLDENS)
SECRET = "s3cret-of-the-machine"


def _seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for s in SEEDS:
        shutil.copy(s, folder / s.name)
    return folder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hostile")
    docs, data = _seeds(root / "docs"), root / "data"
    assert main(["build", "--documents", str(docs), "--data-dir", str(data)]) == 0
    return data, docs


@pytest.fixture()
def built(built_once, tmp_path: Path) -> tuple[Path, Path]:
    """A data directory of its own for each test (a copy of one build of the five seeds)."""
    data, docs = built_once
    copy = tmp_path / "data"
    shutil.copytree(data, copy, symlinks=True)
    return copy, docs


# ------------------------------------------------------------------ queries are read-only for real


def _hostile_queries(data: Path, outside: Path) -> dict[str, str]:
    parquet = data / "current" / "parquet"
    return {
        # the statement that emptied the released facts.parquet: a COPY over the current build's own file
        "copy_over_current_facts": f"COPY (SELECT * FROM facts WHERE false) TO '{parquet / 'facts.parquet'}' (FORMAT parquet)",
        "copy_out": f"COPY facts TO '{outside / 'facts.csv'}'",
        "export_database": f"EXPORT DATABASE '{outside / 'export'}'",
        "read_csv": f"SELECT * FROM read_csv('{outside / 'secret.txt'}', header = false)",
        "read_text": f"SELECT * FROM read_text('{outside / 'secret.txt'}')",
        "read_blob": f"SELECT * FROM read_blob('{outside / 'secret.txt'}')",
        "read_own_parquet": f"SELECT count(*) FROM read_parquet('{parquet / 'facts.parquet'}')",  # a file: use the table
        "glob": f"SELECT * FROM glob('{outside}/*')",
        "set": "SET threads = 1",
        "reset": "RESET enable_external_access",
        "pragma_setting": "PRAGMA enable_external_access = true",
        "install": "INSTALL httpfs",
        "load": "LOAD httpfs",
        "attach": f"ATTACH '{outside / 'other.duckdb'}' AS other",
        "import_database": f"IMPORT DATABASE '{outside}'",
        "write_after_a_read": f"SELECT 1 AS one; COPY facts TO '{outside / 'after.csv'}'",
        "create": "CREATE TABLE mine AS SELECT 1 AS a",
    }


CASES = list(_hostile_queries(Path("/d"), Path("/o")))


@pytest.mark.parametrize("case", CASES)
def test_a_query_that_writes_reads_files_or_changes_settings_is_refused_in_one_line(built, tmp_path: Path, case: str, capsys) -> None:
    """Before: every one of these succeeded through `xxgk query` (the COPY emptied the current facts.parquet; the
    reads printed the file).  Now: refused with one stderr line, exit 2, nothing written, nothing printed."""
    data, _ = built
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    gen = generations.current(data)
    before = {p.name: _sha(p) for p in gen.parquet.iterdir()} | {gen.db.name: _sha(gen.db)}
    capsys.readouterr()
    assert main(["query", "--data-dir", str(data), _hostile_queries(data, outside)[case]]) == 2
    out, err = capsys.readouterr()
    assert out == "" and SECRET not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: xxgk query only reads the warehouse's tables and views"), err
    assert "Traceback" not in err
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]  # no file written, no database made
    assert {p.name: _sha(p) for p in gen.parquet.iterdir()} | {gen.db.name: _sha(gen.db)} == before


def test_the_warehouse_tables_and_views_are_still_read(built, capsys) -> None:
    data, _ = built
    sql = ("SELECT count(*) AS n FROM facts; SELECT count(*) AS n FROM v_facts; DESCRIBE reports; SUMMARIZE checks; "
           "PRAGMA table_info('facts'); EXPLAIN SELECT * FROM v_region_year_totals; SELECT count(*) AS n FROM duckdb_columns()")
    assert main(["query", "--data-dir", str(data), "--format", "json", sql]) == 0
    assert f'"n": {N_FACTS}' in capsys.readouterr().out


# ------------------------------------------------------------------ a release re-verifies before publishing


def _empty_like(path: Path) -> None:
    """The tampering `COPY (SELECT * FROM facts WHERE false) TO …` did: the same schema, no rows."""
    pl.read_parquet(path).head(0).write_parquet(path)


def _published(data: Path) -> list[str]:
    releases = Layout(data).releases
    return sorted(p.name for p in releases.iterdir()) if releases.exists() else []


def test_a_tampered_parquet_table_is_never_published(built, capsys) -> None:
    """Before: the release was published with a 0-row facts.parquet (its README said 989).  Now: refused, exit 1."""
    data, _ = built
    _empty_like(generations.current(data).parquet / "facts.parquet")
    capsys.readouterr()
    assert main(["release", "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "error: the current build" in err and "nothing was published" in err
    assert "facts.parquet is not the file it recorded" in err and f"facts: {N_FACTS} rows in xxgk.duckdb, 0 in facts.parquet" in err
    assert _published(data) == []  # no version, no latest, no half-assembled folder


def test_a_tampered_table_after_a_release_leaves_the_previous_one_latest(built, tmp_path: Path, capsys) -> None:
    data, _ = built
    assert main(["release", "--data-dir", str(data)]) == 0
    first = _published(data)
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    for s in SEEDS[:-1]:
        shutil.copy(s, fewer / s.name)
    assert main(["build", "--documents", str(fewer), "--data-dir", str(data), "--allow-shrink"]) == 0
    gen = generations.current(data)
    reports = pl.read_parquet(gen.parquet / "reports.parquet")
    reports.with_columns(pl.lit("someone else").alias("agency")).write_parquet(gen.parquet / "reports.parquet")  # same rows, other text
    capsys.readouterr()
    assert main(["release", "--data-dir", str(data), "--allow-shrink"]) == 1
    assert "reports.parquet is not the file it recorded" in capsys.readouterr().err
    assert _published(data) == first


def test_a_tampered_duckdb_file_is_never_published(built) -> None:
    data, _ = built
    gen = generations.current(data)
    con = duckdb.connect(str(gen.db))
    con.execute("DELETE FROM facts")
    con.close()
    with pytest.raises(ReleaseInvalid, match=f"xxgk.duckdb is not the file it recorded.*facts: 0 rows in xxgk.duckdb, {N_FACTS} in facts.parquet"):
        make_release(gen, Layout(data).releases)
    assert [p.name for p in Layout(data).releases.iterdir()] == []


def test_a_build_recorded_without_the_duckdb_checksum_is_checked_table_by_table(built) -> None:
    """A generation built before the DuckDB file's checksum was recorded: its tables are compared with the Parquet files."""
    data, _ = built
    gen = generations.current(data)
    meta = json.loads((gen.path / generations.META).read_text(encoding="utf-8"))
    meta.pop("db_sha256", None)
    (gen.path / generations.META).write_text(json.dumps(meta), encoding="utf-8")
    con = duckdb.connect(str(gen.db))
    con.execute("UPDATE facts SET value = value + 1 WHERE value IS NOT NULL")  # the same rows, other numbers
    con.close()
    with pytest.raises(ReleaseInvalid, match="facts: its rows in xxgk.duckdb differ from facts.parquet"):
        make_release(generations.current(data), Layout(data).releases)


def test_a_build_without_a_record_of_its_checksums_is_not_released(built) -> None:
    data, _ = built
    gen = generations.current(data)
    gen.meta.pop("tables_sha256")
    with pytest.raises(ReleaseInvalid, match="no record of its tables' checksums"):
        make_release(gen, Layout(data).releases)


# ------------------------------------------------------------------ only what is ours is touched


def test_a_foreign_parquet_folder_and_duckdb_file_survive_builds_and_are_reported(tmp_path: Path, caplog, capsys) -> None:
    """Before: the old-layout clean-up deleted a data directory's own parquet/ folder and xxgk.duckdb, silently.
    Now: left byte for byte, one warning line each; the build is reached through current/."""
    docs, data = _seeds(tmp_path / "docs"), tmp_path / "data"
    (data / "parquet").mkdir(parents=True)
    (data / "parquet" / "mine.parquet").write_bytes(b"my own bytes, not a Parquet file")
    (data / "parquet" / "notes.txt").write_text("field notes\n", encoding="utf-8")
    (data / "xxgk.duckdb").write_bytes(b"a database of someone else's")
    (data / "generations").mkdir()
    (data / "generations" / "gallery").mkdir()  # a folder xxgk would never name so: not a generation to prune
    (data / "generations" / "gallery" / "photo.txt").write_text("keep", encoding="utf-8")
    theirs = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    sources = build_mod.folder_sources(docs)
    with caplog.at_level(logging.WARNING, logger="warehouse.generations"):
        for _ in range(3):  # three builds: the oldest generation is pruned
            build_mod.build(Layout(data), sources)
    assert {p: p.read_bytes() for p in theirs} == theirs
    assert (data / "parquet").is_dir() and not (data / "parquet").is_symlink()
    left = [r.getMessage() for r in caplog.records if r.name == "warehouse.generations"]
    assert sum(f"left {data / 'parquet'} as it is: not xxgk's" in m for m in left) == 3
    assert sum(f"left {data / 'xxgk.duckdb'} as it is: not xxgk's" in m for m in left) == 3
    assert sorted(p.name for p in (data / "generations").iterdir()) == ["g000002", "g000003", "gallery"]
    capsys.readouterr()
    assert main(["query", "--data-dir", str(data), "--format", "csv", "SELECT count(*) AS n FROM facts"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", str(N_FACTS)]  # the current build's warehouse, not their file


def test_xxgk_links_are_made_where_nothing_foreign_is(built) -> None:
    data, _ = built
    for name in ("parquet", "xxgk.duckdb"):
        assert generations.ours(data, name)
    (data / "parquet").unlink()
    (data / "parquet").symlink_to(data / "generations")  # a link of the user's, elsewhere
    assert not generations.ours(data, "parquet")


def test_a_current_that_is_not_ours_refuses_the_build_and_is_kept(built, capsys) -> None:
    data, docs = built
    (data / "current").unlink()
    (data / "current").write_text("the user's own file named current", encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--documents", str(docs), "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert "is not xxgk's link to its build" in err and "Traceback" not in err
    assert (data / "current").read_text(encoding="utf-8") == "the user's own file named current"


# ------------------------------------------------------------------ a full disk during a build


# what a full disk said, on a 200 KB – 3 MB tmpfs, at each step of a build
FULL_DISK = [
    duckdb.TransactionException('TransactionContext Error: Failed to commit: Could not write file "/d/generations/.staging-g000001/'
                                'parquet/.combine-3ycjamqt/combine.duckdb.wal": No space left on device'),
    pl.exceptions.ComputeError("parquet: File out of specification: underlying IO error: No space left on device (os error 28)"),
    duckdb.IOException('IO Error: Could not write file "/d/x.parquet": No space left on device'),
    OSError(errno.ENOSPC, "No space left on device", "/d/generations/.staging-g000001/parquet/facts.parquet"),
    OSError(errno.EDQUOT, "Disk quota exceeded"),
]


@pytest.mark.parametrize("error", FULL_DISK, ids=lambda e: type(e).__name__)
def test_a_write_the_disk_refuses_is_a_write_failure(error: Exception) -> None:
    failed = write_failure(error)
    assert isinstance(failed, WriteFailed) and isinstance(failed, OSError) and failed.errno in (errno.ENOSPC, errno.EDQUOT)
    assert write_failure(ValueError("a bug, not a disk")) is None


def test_writing_removes_the_half_written_generation_and_says_one_thing(built) -> None:
    data, _ = built
    gen = generations.stage(data)
    (gen.parquet / "facts.parquet").write_bytes(b"half")
    with pytest.raises(WriteFailed, match="No space left on device while writing the new build; nothing was replaced"):
        with generations.writing(gen):
            raise FULL_DISK[0]
    assert not gen.path.exists()
    with pytest.raises(KeyError), generations.writing(generations.stage(data)):
        raise KeyError("not a write: as it was")


@pytest.mark.parametrize("error", FULL_DISK[:2], ids=lambda e: type(e).__name__)
def test_a_full_disk_during_a_build_is_one_line_and_nothing_switched_in(built, monkeypatch, capsys, error: Exception) -> None:
    """Before: a DuckDB traceback, the half-written generation left on the full disk."""
    data, docs = built
    before = generations.current(data)

    def full(parquet: Path, db: Path) -> Path:
        db.write_bytes(b"partial")
        raise error

    monkeypatch.setattr(build_mod, "build_warehouse", full)
    capsys.readouterr()
    assert main(["build", "--documents", str(docs), "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith("parse and build")]
    assert len(lines) == 1 and lines[0].startswith("error: No space left on device while writing the new build") and "Traceback" not in err
    assert generations.current(data).path == before.path
    assert not list((data / "generations").glob(".staging-*"))
