"""The main job writes the dataset's tables to Parquet with fixed schemas, atomically."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from pipelines.build import Layout, build, folder_sources
from warehouse.schema import TABLES

from .conftest import GOLDENS, SEEDS


def test_build_writes_every_table_with_the_goldens_values(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for s in SEEDS:
        shutil.copy(s, docs / s.name)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4\n\x00\x00garbage")  # a PDF by its first bytes, unreadable
    (docs / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")  # not a document: skipped, not a row
    layout = Layout(tmp_path / "data")
    counts = build(layout, folder_sources(docs))
    assert counts["documents"] == 6 and counts["reports"] == 5
    tables = {name: pl.read_parquet(layout.parquet / f"{name}.parquet") for name in TABLES}
    for name, table in TABLES.items():
        assert dict(tables[name].schema) == table.schema, name
    errors = tables["documents"].filter(pl.col("outcome") != "parsed")
    assert errors["path"].to_list() == ["broken.pdf"]  # relative to the folder given: no builder's path is published
    facts = tables["facts"].join(tables["reports"].select("report_id", "canonical_sha256"), on="report_id")
    docs_by_sha = dict(zip(tables["documents"]["sha256"], tables["documents"]["path"], strict=True))
    for g in GOLDENS:
        gold = json.loads(g.read_text(encoding="utf-8"))
        name = gold["source"].split("/")[-1]
        mine = facts.filter(pl.col("canonical_sha256").replace_strict(docs_by_sha, default=None).str.ends_with(name))
        got = {(r["section"], r["row"], r["column"]): r["value"] for r in mine.iter_rows(named=True)}
        assert got == {(f["section"], f["row"], f["column"]): float(f["value"]) for f in gold["facts"]}
    failed = tables["checks"].filter(~pl.col("passed"))["name"].to_list()
    assert "applications.new_received" in failed
    assert not list(layout.parquet.glob(".*.tmp"))  # no temp files left behind


def test_a_second_build_parses_only_new_documents(tmp_path: Path) -> None:
    """Parsing happens in worker processes (one worker too), so the proof is the parse cache: one new entry, for
    the new document, and the old entries untouched (read, not written again)."""
    import hashlib

    docs = tmp_path / "docs"
    docs.mkdir()
    for s in SEEDS[:2]:
        shutil.copy(s, docs / s.name)
    layout = Layout(tmp_path / "data")
    first = build(layout, folder_sources(docs))
    before = {p: p.stat().st_mtime_ns for p in layout.parsed.rglob("*.json.gz")}
    shutil.copy(SEEDS[2], docs / SEEDS[2].name)
    second = build(layout, folder_sources(docs), workers=1)
    after = {p: p.stat().st_mtime_ns for p in layout.parsed.rglob("*.json.gz")}
    new = [p.name.removesuffix(".json.gz") for p in set(after) - set(before)]
    assert new == [hashlib.sha256(SEEDS[2].read_bytes()).hexdigest()]  # only the new document was parsed
    assert all(after[p] == t for p, t in before.items())
    assert second["facts"] == first["facts"] + 193


def test_year_to_year_continuity_is_checked_per_agency(tmp_path: Path) -> None:
    import random

    from synth.model import random_report
    from synth.text import Style, render_text

    docs = tmp_path / "docs"
    docs.mkdir()
    reports = []
    for year, seed in ((2022, 1), (2023, 2)):
        rep = random_report(random.Random(seed), "2021", consistent=True)
        rep.agency, rep.year = "乐清市统计局", year
        reports.append(rep)
    # 2022 carries 3 natural persons' applications over; 2023 says it received 2 from the year before
    reports[0].facts[("applications", "carried_over_next", "natural_person")] = 3
    reports[1].facts[("applications", "carried_over_prev", "natural_person")] = 2
    for rep in reports:
        (docs / f"{rep.year}.txt").write_text(render_text(rep, Style()), encoding="utf-8")
    layout = Layout(tmp_path / "data")
    build(layout, folder_sources(docs))
    checks = pl.read_parquet(layout.parquet / "checks.parquet").filter(pl.col("name").str.starts_with("continuity."))
    natural = checks.filter(pl.col("name") == "continuity.natural_person").row(0, named=True)
    assert natural["passed"] is False
    assert natural["detail"] == "carried_over_next 2022 != carried_over_prev 2023 (3 != 2)"
    assert natural["report_id"].startswith("r2023-")
    for col in ("commercial_enterprise", "legal_service_org", "total"):
        expected = reports[0].facts[("applications", "carried_over_next", col)] == reports[1].facts[("applications", "carried_over_prev", col)]
        assert checks.filter(pl.col("name") == f"continuity.{col}")["passed"].to_list() == [expected]
