"""Benchmark: the warehouse, its views and a release from synthetic tables of 100,000 and 1,000,000 reports.

    uv run python benchmarks/warehouse_build.py [--sizes 100000 1000000] [--out benchmarks/out/warehouse]

Each step runs in its own process so that its peak memory (ru_maxrss) is its own:
  generate  make the tables (polars), ~200 facts per report as real reports print, and write them as
            Parquet a chunk of 100,000 reports at a time: synthetic input, not a step of the real build
            (the build's own Parquet writing is measured by dataset_scale.py)
  warehouse build the DuckDB warehouse (tables, code tables, views, comments)
  views     SELECT * of every view, read to the end in Arrow batches as a client would (not count(*), which
            lets DuckDB skip the pivot), then every example query of the README; each timed on its own
  release   copy, hash and describe a release (data package, SHA256SUMS, changelog)
Prints seconds and peak MB per step and size, and the time ratio of the largest size to the smallest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STEPS = ("generate", "warehouse", "views", "release")


REGION_CODES = {"乐清市": "330382", "清远市": "441800", "瑞安市": "330381", "英德市": "441881", "永嘉县": "330324", "清城区": "441802"}
CHUNK = 100_000  # reports per generated chunk: ~20 million facts, a few GB while generated


def synthetic_tables(n: int, first: int = 0):  # noqa: ANN201 - dict of polars frames
    """The tables for reports ``first`` .. ``first + n - 1`` (agencies and names are those of this range)."""
    import polars as pl

    from identity.divisions import region_rows
    from pipelines.dataset import frame
    from synth.model import all_keys
    from warehouse.schema import TABLES

    regions = ["乐清市", "清远市", "瑞安市", "英德市", "永嘉县", "清城区"]
    reports = pl.DataFrame({"i": pl.int_range(first, first + n, eager=True)}).with_columns(
        report_id=pl.format("r{}-{}", 2019 + pl.col("i") % 5, pl.col("i").cast(pl.String).str.zfill(10)),
        year=(2019 + pl.col("i") % 5).cast(pl.Int32),
    ).with_columns(
        format=pl.when(pl.col("year") <= 2020).then(pl.lit("legacy")).otherwise(pl.lit("2021")),
        region=(pl.col("i") % len(regions)).replace_strict(dict(enumerate(regions)), return_dtype=pl.String),
        scope=pl.when(pl.col("i") % 50 == 0).then(pl.lit("region_aggregate")).otherwise(pl.lit("agency")),
    )
    reports = reports.with_columns(
        agency=pl.format("{}第{}号机关", pl.col("region"), pl.col("i")),
        region_code=pl.col("region").replace_strict(REGION_CODES, return_dtype=pl.String),
        published_on=pl.lit(None, dtype=pl.Date),
        title=pl.lit("政府信息公开工作年度报告"),
        contact_phone=pl.lit(None, dtype=pl.String),
        contact_email=pl.lit(None, dtype=pl.String),
        index_no=pl.lit(None, dtype=pl.String),
        publisher=pl.lit(None, dtype=pl.String),
        canonical_sha256=pl.col("report_id").hash().cast(pl.String),
        source_url=pl.lit(None, dtype=pl.String),
        n_documents=pl.lit(1, dtype=pl.Int32),
        documents_agree=pl.lit(True),
        agency_id=pl.format("a000000-{}", pl.col("i") // 5),  # one body, five years
        agency_name=pl.format("{}第{}号机关", pl.col("region"), pl.col("i") // 5),
        agency_level=pl.lit("county"),
        agency_kind=pl.lit("department"),
        year_source=pl.lit("title"),
        agency_source=pl.lit("title"),
        region_source=pl.lit("registry"),
    )
    keys = {fmt: pl.DataFrame(all_keys(fmt), schema=["section", "row", "column"], orient="row") for fmt in ("legacy", "2021")}
    facts = pl.concat(
        [reports.filter(pl.col("format") == fmt).select("report_id", "canonical_sha256").join(k, how="cross") for fmt, k in keys.items()]
    )
    facts = facts.with_columns(
        value=((pl.int_range(0, pl.len()) + first * 200) * 2654435761 % 97).cast(pl.Float64),
        raw=pl.lit("0"),
        note=pl.lit(None, dtype=pl.String),
        derived=pl.lit(False),
        sha256=pl.col("canonical_sha256"),
        page=pl.lit(None, dtype=pl.Int32),
        table_no=pl.lit(2, dtype=pl.Int32),
        row_no=pl.lit(3, dtype=pl.Int32),
        cell_no=pl.lit(4, dtype=pl.Int32),
        line=pl.lit(None, dtype=pl.Int32),
    )
    checks = reports.select("report_id").join(
        pl.DataFrame({"name": [f"applications.row{i}" for i in range(40)]}), how="cross"
    ).with_columns(passed=pl.lit(True), detail=pl.lit("columns add up to total"))
    documents = reports.select(
        sha256=pl.col("canonical_sha256"), url=pl.lit(None, dtype=pl.String), path=pl.lit("x"), portal=pl.lit("p"),
        media_type=pl.lit("application/pdf"), bytes=pl.lit(100000, dtype=pl.Int64), fetched_at=pl.lit(None, dtype=pl.String),
        outcome=pl.lit("parsed"), error=pl.lit(None, dtype=pl.String), report_id=pl.col("report_id"),
    )
    report_documents = reports.select(
        "report_id", sha256=pl.col("canonical_sha256"), media_type=pl.lit("application/pdf"), canonical=pl.lit(True),
        facts_compared=pl.lit(200, dtype=pl.Int32), facts_differing=pl.lit(0, dtype=pl.Int32), only_here=pl.lit(0, dtype=pl.Int32),
        only_in_canonical=pl.lit(0, dtype=pl.Int32), agrees=pl.lit(True),
    )
    problems = frame("problems", [])
    agencies = reports.group_by("agency_id").agg(
        name=pl.col("agency_name").last(), region_code=pl.col("region_code").last(), region=pl.col("region").last(),
        level=pl.col("agency_level").last(), kind=pl.col("agency_kind").last(), first_year=pl.col("year").min(),
        last_year=pl.col("year").max(), n_reports=pl.len(),
    )
    agency_names = reports.group_by("agency_id", printed_name="agency").agg(first_year=pl.col("year").min(), last_year=pl.col("year").max())
    regions = frame("regions", region_rows())
    out = {
        "documents": documents, "reports": reports, "facts": facts, "checks": checks, "problems": problems,
        "report_documents": report_documents, "agencies": agencies, "agency_names": agency_names, "regions": regions,
    }
    # columns these synthetic tables do not fill (provenance boxes, sources, names in pinyin …) are null, so the
    # benchmark follows the schema as it grows
    out = {name: out.get(name, frame(name, [])) for name in TABLES}  # tables the benchmark does not fill: empty
    return {name: out[name].with_columns([pl.lit(None, dtype=t).alias(c) for c, t in TABLES[name].schema.items() if c not in out[name].columns])
            .select([pl.col(c).cast(t) for c, t in TABLES[name].schema.items()]) for name in TABLES}


def write_synthetic(n: int, out: Path) -> int:
    """The synthetic tables as Parquet, a chunk of reports at a time (memory flat in ``n``); returns rows."""
    import polars as pl
    import pyarrow.parquet as pq

    from warehouse.codes import code_frames
    from warehouse.parquet import write_tables

    out.mkdir(parents=True, exist_ok=True)
    writers: dict[str, pq.ParquetWriter] = {}
    small: dict[str, list[pl.DataFrame]] = {"agencies": [], "agency_names": []}
    rows = 0
    for first in range(0, n, CHUNK):
        tables = synthetic_tables(min(CHUNK, n - first), first)
        for name, df in tables.items():
            if name in small:  # bodies can span chunks: summed up below
                small[name].append(df)
            elif name == "regions" and first:
                continue
            else:
                arrow = df.to_arrow()
                if name not in writers:
                    writers[name] = pq.ParquetWriter(out / f"{name}.parquet", arrow.schema, compression="zstd")
                writers[name].write_table(arrow)
                rows += df.height
    for w in writers.values():
        w.close()
    agencies = pl.concat(small["agencies"]).sort("agency_id", "first_year").group_by("agency_id", maintain_order=True).agg(
        pl.col("name", "region_code", "region", "level", "kind", "name_pinyin", "name_en").last(), pl.col("first_year").min(),
        pl.col("last_year").max(), pl.col("n_reports").sum())
    names = pl.concat(small["agency_names"]).group_by("agency_id", "printed_name").agg(pl.col("first_year").min(), pl.col("last_year").max())
    from warehouse.schema import TABLES

    for name, df in (("agencies", agencies), ("agency_names", names)):
        df = df.select([pl.col(c).cast(t) for c, t in TABLES[name].schema.items()]).sort(list(TABLES[name].primary_key))
        write_tables({name: df}, out)
        rows += df.height
    write_tables(code_frames(), out)
    from pipelines.dataset import typed
    from warehouse.schema import RUN_TABLES

    write_tables({name: typed(t.schema, []) for name, t in RUN_TABLES.items()}, out)  # no crawl: no portal runs
    return rows


def run_step(step: str, n: int, root: Path) -> float | None:
    """Run one step; returns its own seconds when it must exclude setup (the parquet step)."""
    from warehouse.generations import Generation

    gen = Generation(root / "generations" / "g000001")  # one generation, as a build writes it
    if step == "generate":
        write_synthetic(n, gen.parquet)
    elif step == "warehouse":
        from warehouse.database import build_warehouse

        build_warehouse(gen.parquet, gen.db)
    elif step == "views":
        import re

        import duckdb

        from warehouse.database import VIEWS

        readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
        examples = [m.strip() for m in re.findall(r"<!-- example -->\n```sql\n(.*?)```", readme, re.S)]
        queries = {f"SELECT * FROM {v}": f"SELECT * FROM {v}" for v in [*VIEWS, "v_applications_wide"]}
        queries |= {f"README example {i + 1}": q for i, q in enumerate(examples)}
        con = duckdb.connect(str(gen.db), read_only=True)
        timings = {}
        for label, sql in queries.items():
            t = time.perf_counter()
            rows = sum(batch.num_rows for batch in con.sql(sql).to_arrow_reader(100_000))
            timings[label] = {"seconds": time.perf_counter() - t, "rows": rows}
        con.close()
        print(json.dumps({"queries": timings}), file=sys.stderr)
        return sum(v["seconds"] for v in timings.values())
    elif step == "release":
        from warehouse.generations import describe
        from warehouse.release import make_release

        gen.meta = describe(gen)
        make_release(gen, root / "releases", today=dt.date(2026, 1, 1))
    return None


def child(step: str, n: int, root: Path) -> None:
    import pipelines.build  # noqa: F401 - imports are not the step's time
    import pipelines.dataset  # noqa: F401
    import warehouse.database  # noqa: F401
    import warehouse.release  # noqa: F401

    t = time.perf_counter()
    own = run_step(step, n, root)
    seconds = own if own is not None else time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/warehouse"))
    ap.add_argument("--step", choices=STEPS)
    ap.add_argument("--n", type=int)
    args = ap.parse_args()
    if args.step:
        child(args.step, args.n, args.out)
        return
    results: dict[int, dict[str, dict[str, float]]] = {}
    for n in args.sizes:
        root = args.out / str(n)
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        results[n] = {}
        for step in STEPS:
            proc = subprocess.run(
                [sys.executable, __file__, "--step", step, "--n", str(n), "--out", str(root)], capture_output=True, text=True, check=True
            )
            results[n][step] = json.loads(proc.stdout.strip().splitlines()[-1])
            for line in proc.stderr.splitlines():
                if line.startswith('{"queries"'):
                    results[n][step]["queries"] = json.loads(line)["queries"]
    print(f"{'step':<10}" + "".join(f"{f'{n} reports: s':>18}{'peak MB':>10}" for n in args.sizes) + ("   ratio" if len(args.sizes) > 1 else ""))
    for step in STEPS:
        line = f"{step:<10}"
        for n in args.sizes:
            line += f"{results[n][step]['seconds']:>18.2f}{results[n][step]['peak_mb']:>10.0f}"
        if len(args.sizes) > 1:
            a, b = args.sizes[0], args.sizes[-1]
            line += f"{results[b][step]['seconds'] / results[a][step]['seconds']:>8.1f}"
        print(line)
    if all("queries" in results[n]["views"] for n in args.sizes):
        print(f"\n{'query':<40}" + "".join(f"{f'{n} reports: s':>18}{'rows':>12}" for n in args.sizes))
        for label in results[args.sizes[0]]["views"]["queries"]:
            print(f"{label:<40}" + "".join(
                f"{results[n]['views']['queries'][label]['seconds']:>18.2f}{results[n]['views']['queries'][label]['rows']:>12}" for n in args.sizes))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
