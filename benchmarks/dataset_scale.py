"""Benchmark: the dataset step alone (spools → tables) at national scale, with synthetic parse results.

    uv run python benchmarks/dataset_scale.py [--documents 1000000] [--out benchmarks/out/dataset_scale]

The parse results are real ones, multiplied: the five seed reports and HTML renderings of two of them
(so some reports have two documents to compare) are parsed and reduced by the build's own code
(``pipelines.spool``); their spool rows are then copied N/7 times with new document hashes, report ids,
bodies and years (one body reports five consecutive years, so the checks across years run), written as
spool parts of the size the build writes.  Then, each in its own process so that its peak memory
(``ru_maxrss``) is its own:

  combine    pipelines.combine.combine: dedup, canonical choice, agreement, continuity, every table
             written to Parquet in key order

Prints seconds and peak MB per step, and the rows of each table.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COPIES_PER_PART = 250  # ~1,750 documents per part: the build flushes every 500 (pipelines/spool.py)


def template(folder: Path) -> dict:
    """The spool rows of the seeds (and two of them also as an HTML page), as polars frames."""
    import polars as pl

    from pipelines.build import folder_sources
    from pipelines.parallel import parse_many
    from pipelines.spool import spool_results
    from synth.layout import MediaStyle
    from synth.layout import build as build_spec
    from synth.media import render_html
    from synth.model import from_golden
    from tests.conftest import GOLDENS, SEEDS, load_golden

    docs = folder / "docs"
    docs.mkdir(parents=True)
    for s in SEEDS:
        shutil.copy(s, docs / s.name)
    for g in GOLDENS[:2]:
        (docs / f"{g.stem}.html").write_bytes(render_html(build_spec(from_golden(load_golden(g)), MediaStyle()), "hanweb"))
    sources = folder_sources(docs)
    spool = spool_results(parse_many([s.path for s in sources], workers=1), sources, folder / "spool")
    return {name.name: pl.read_parquet(name / "*.parquet") for name in spool.iterdir() if name.is_dir()}


def generate(out: Path, documents: int) -> Path:
    """A spool of ``documents`` synthetic parse results (copies of the template's, made distinct)."""
    import polars as pl

    from pipelines.spool import MANIFEST

    with tempfile.TemporaryDirectory() as tmp:
        base = template(Path(tmp))
    per_copy = base["documents"].height
    copies = max(1, documents // per_copy)
    spool = out / "spool"
    shutil.rmtree(spool, ignore_errors=True)
    for name in base:
        (spool / name).mkdir(parents=True)
    part = 0
    for start in range(0, copies, COPIES_PER_PART):
        c = pl.DataFrame({"copy": range(start, min(copies, start + COPIES_PER_PART))}, schema={"copy": pl.Int64()})
        for name, df in base.items():
            x = df.join(c, how="cross")
            tag = pl.col("copy").cast(pl.String).str.zfill(8)
            changes = [(pl.col("ord") + pl.col("copy") * per_copy).alias("ord")]
            for col in ("sha256", "canonical_sha256", "dedup"):
                if col in x.columns:
                    changes.append((pl.col(col).str.slice(0, 56) + tag).alias(col))
            if "report_id" in x.columns:
                changes.append((pl.col("report_id") + "-" + tag).alias("report_id"))
            if "agency_id" in x.columns:  # one body per five copies, reporting five consecutive years
                changes.append((pl.col("agency_id") + "-" + (pl.col("copy") // 5).cast(pl.String)).alias("agency_id"))
                changes.append((2019 + pl.col("copy") % 5).cast(df.schema["year"]).alias("year"))
            x.with_columns(changes).drop("copy").write_parquet(spool / name / f"{part:06d}.parquet", compression="zstd")
        part += 1
    (spool / MANIFEST).write_text(json.dumps({"documents": copies * per_copy}) + "\n")
    return spool


def child(spool: Path, out: Path) -> None:
    from pipelines.combine import combine

    t = time.perf_counter()
    counts = combine([spool], out)
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "counts": counts}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/dataset_scale"))
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args()
    spool, tables = args.out / "spool", args.out / "tables"
    if args.child:
        child(spool, tables)
        return
    t = time.perf_counter()
    generate(args.out, args.documents)
    gen_s, gen_mb = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shutil.rmtree(tables, ignore_errors=True)
    proc = subprocess.run([sys.executable, __file__, "--child", "--out", str(args.out)], capture_output=True, text=True, check=True)
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    size = sum(p.stat().st_size for p in spool.rglob("*.parquet")) / 2**30
    print(f"{'step':<44}{'seconds':>10}{'peak MB':>10}")
    print(f"{'generate the spool (input, not a build step)':<44}{gen_s:>10.1f}{gen_mb:>10.0f}")
    print(f"{'combine (spool → every table, Parquet)':<44}{r['seconds']:>10.1f}{r['peak_mb']:>10.0f}")
    print(f"\nspool: {size:.2f} GiB of Parquet; tables: " + ", ".join(f"{k} {v:,}" for k, v in r["counts"].items()))
    print(json.dumps({"generate": {"seconds": gen_s, "peak_mb": gen_mb}, "combine": r}))


if __name__ == "__main__":
    main()
