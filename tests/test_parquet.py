"""The main job writes the parsed samples to Parquet with fixed schemas, atomically."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from pipelines.build import demo
from warehouse.parquet import SCHEMAS

from .conftest import GOLDENS, SEEDS


def test_demo_writes_every_table_with_the_goldens_values(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for s in SEEDS:
        shutil.copy(s, samples / s.name)
    (samples / "broken.txt").write_bytes(b"\xff\xfe\x00\x00garbage")
    assert demo(tmp_path) == 0
    out = tmp_path / "out" / "parquet"
    tables = {name: pl.read_parquet(out / f"{name}.parquet") for name in SCHEMAS}
    for name, schema in SCHEMAS.items():
        assert dict(tables[name].schema) == schema, name
    assert tables["documents"].height == 6
    assert tables["documents"].filter(pl.col("outcome") == "error")["path"].to_list() == [str(samples / "broken.txt")]
    assert tables["reports"].height == 5
    facts = tables["facts"].join(tables["reports"].select("report_id", "source_path"), on="report_id")
    for g in GOLDENS:
        gold = json.loads(g.read_text(encoding="utf-8"))
        mine = facts.filter(pl.col("source_path").str.ends_with(gold["source"].split("/")[-1]))
        got = {(r["section"], r["row"], r["column"]): r["value"] for r in mine.iter_rows(named=True)}
        assert got == {(f["section"], f["row"], f["column"]): float(f["value"]) for f in gold["facts"]}
    failed = tables["checks"].filter(~pl.col("passed"))["name"].to_list()
    assert "applications.new_received" in failed
    assert not list(out.glob(".*.tmp"))  # no temp files left behind
