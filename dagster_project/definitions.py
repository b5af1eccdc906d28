"""Dagster assets, checks and schedules over the same functions ``xxgk`` calls.

Dagster is a thin layer: every asset body is one call into :mod:`pipelines`; what Dagster adds is
partitioning the harvest by portal (runs fan out), lineage, the asset checks, and the nightly
schedules in Asia/Shanghai time.

    DAGSTER_HOME=$PWD/data/dagster_home dagster dev -m dagster_project.definitions   (or: make dagster)
"""


import json
from pathlib import Path

import dagster as dg
import polars as pl

from parsers.model import ParseResult
from pipelines.build import Layout, parse_all
from pipelines.dataset import build_tables
from pipelines.harvest import archived_sources
from portals.registry import DEFAULT_REGISTRY, load_portals
from warehouse.database import build_warehouse
from warehouse.parquet import write_tables
from warehouse.release import make_release
from warehouse.schema import TABLES

REPO = Path(__file__).resolve().parents[1]


class XxgkSettings(dg.ConfigurableResource):
    """Where the data lives and which portals exist."""

    data_dir: str = str(REPO / "data" / "demo")
    portals_file: str = str(DEFAULT_REGISTRY)
    base_dir: str = str(REPO)  # folder portals' paths are relative to this

    @property
    def layout(self) -> Layout:
        return Layout(Path(self.data_dir))


PORTALS = dg.StaticPartitionsDefinition([p.id for p in load_portals()])


@dg.asset(
    partitions_def=PORTALS,
    group_name="harvest",
    kinds={"python"},
    check_specs=[
        dg.AssetCheckSpec(
            "harvest_verdict_ok", asset="raw_documents", blocking=True,
            description="The portal's harvest read every list page and document: not partial, failed, blocked or gone silent "
            "(listing no reports, or far fewer than on its last good run). Blocking: a silent portal stops the run.",
        )
    ],
)
def raw_documents(context: dg.AssetExecutionContext, xxgk: XxgkSettings) -> dg.MaterializeResult:
    """The documents of one portal, archived by SHA-256, with a manifest row per fetch (failures included)."""
    from pipelines.crawl import harvest_portal  # the web spiders (Scrapy) run in their own process

    portal = next(p for p in load_portals(Path(xxgk.portals_file)) if p.id == context.partition_key)
    summary = harvest_portal(portal, xxgk.layout, base=Path(xxgk.base_dir))
    counts = {k: dg.MetadataValue.int(int(v)) for k, v in summary.items() if isinstance(v, int) and not isinstance(v, bool)}
    verdict = str(summary.get("verdict"))
    why = "; ".join(summary.get("flags") or []) or "every list page and document read"
    return dg.MaterializeResult(
        metadata={**counts, "verdict": verdict, "why": why},
        check_results=[
            dg.AssetCheckResult(check_name="harvest_verdict_ok", passed=verdict == "ok", severity=dg.AssetCheckSeverity.ERROR,
                                metadata={"verdict": verdict, "why": why, "log": str(summary.get("log") or "")})
        ],
    )


@dg.asset(deps=[raw_documents], group_name="parse", kinds={"python"})
def parsed_reports(context: dg.AssetExecutionContext, xxgk: XxgkSettings) -> list[ParseResult]:
    """Every archived document parsed: facts, checks, problems, errors."""
    sources = archived_sources(xxgk.layout.raw)
    results = parse_all((s.path for s in sources), cache=xxgk.layout.parsed)
    context.add_output_metadata(
        {"documents": len(results), "errors": sum(1 for r in results if r.errors), "facts": sum(len(r.facts) for r in results)}
    )
    return results


@dg.multi_asset(
    specs=[
        dg.AssetSpec(name, description=t.description, group_name="dataset", kinds={"parquet"}, deps=[parsed_reports])
        for name, t in TABLES.items()
    ],
    can_subset=False,
)
def dataset_tables(xxgk: XxgkSettings, parsed_reports: list[ParseResult]):  # noqa: ANN201 - a generator of results
    """The dataset's Parquet tables, written atomically."""
    tables = build_tables(parsed_reports, archived_sources(xxgk.layout.raw, load_portals(Path(xxgk.portals_file))))
    paths = write_tables(tables, xxgk.layout.parquet)
    for name, df in tables.items():
        yield dg.MaterializeResult(
            asset_key=name, metadata={"rows": dg.MetadataValue.int(df.height), "path": dg.MetadataValue.path(str(paths[name]))}
        )


@dg.asset(deps=list(TABLES), group_name="dataset", kinds={"duckdb"})
def warehouse(xxgk: XxgkSettings) -> dg.MaterializeResult:
    """The DuckDB warehouse: tables, code tables, labelled views, comments."""
    path = build_warehouse(xxgk.layout.parquet, xxgk.layout.db)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})


@dg.asset(deps=[warehouse], group_name="release", kinds={"parquet", "duckdb"})
def release(xxgk: XxgkSettings) -> dg.MaterializeResult:
    """An immutable versioned release with its data package, checksums and changelog."""
    folder = make_release(xxgk.layout.parquet, xxgk.layout.db, xxgk.layout.releases)
    return dg.MaterializeResult(metadata={"version": folder.name, "path": dg.MetadataValue.path(str(folder))})


# ------------------------------------------------------------------ checks


@dg.asset_check(asset="checks", description="The printed numbers satisfy the tables' accounting identities.")
def accounting_identities(xxgk: XxgkSettings) -> dg.AssetCheckResult:
    checks = pl.read_parquet(xxgk.layout.parquet / "checks.parquet")
    failed = checks.filter(~pl.col("passed"))
    return dg.AssetCheckResult(
        passed=failed.height == 0,
        severity=dg.AssetCheckSeverity.WARN,  # a finding about the sources, not a pipeline failure
        metadata={
            "identities_evaluated": checks.height,
            "failed": failed.height,
            "reports_with_failures": failed["report_id"].n_unique() if failed.height else 0,
            "examples": dg.MetadataValue.md("\n".join(f"- {r} {n}" for r, n in failed.select("report_id", "name").head(10).iter_rows())),
        },
    )


@dg.asset_check(asset="problems", description="Every printed label is in the vocabulary (no unmapped labels).")
def unmapped_labels(xxgk: XxgkSettings) -> dg.AssetCheckResult:
    problems = pl.read_parquet(xxgk.layout.parquet / "problems.parquet")
    unmapped = problems.filter(pl.col("kind") == "unmapped_label")
    return dg.AssetCheckResult(
        passed=unmapped.height == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unmapped": unmapped.height,
            "labels": dg.MetadataValue.md("\n".join(f"- {d}" for d in unmapped["detail"].unique().head(20))),
        },
    )


@dg.asset_check(asset="problems", description="Every table and row a report's format prints was found and placed.")
def complete_tables(xxgk: XxgkSettings) -> dg.AssetCheckResult:
    problems = pl.read_parquet(xxgk.layout.parquet / "problems.parquet")
    gaps = problems.filter(pl.col("kind").is_in(["unplaceable_row", "missing_row", "missing_section", "missing_tables"]))
    by_kind = {k: n for k, n in gaps.group_by("kind").len().iter_rows()}
    return dg.AssetCheckResult(
        passed=gaps.height == 0,
        severity=dg.AssetCheckSeverity.WARN,  # left out, never guessed: a finding to review
        metadata={"reports_with_gaps": gaps["report_id"].n_unique() if gaps.height else 0, **{k: int(v) for k, v in by_kind.items()}},
    )


def _row_count_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=table, name=f"{table}_row_count_not_falling", description=f"{table} has no fewer rows than in the last build.")
    def _check(xxgk: XxgkSettings) -> dg.AssetCheckResult:
        state = xxgk.layout.root / "state" / "row_counts.json"
        counts = json.loads(state.read_text()) if state.exists() else {}
        now = pl.scan_parquet(xxgk.layout.parquet / f"{table}.parquet").select(pl.len()).collect().item()
        before = counts.get(table)
        counts[table] = now
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps(counts, indent=2))
        return dg.AssetCheckResult(
            passed=before is None or now >= before,
            metadata={"rows": now, "rows_last_build": before if before is not None else -1},
        )

    return _check


ROW_COUNT_CHECKS = [_row_count_check(t) for t in ("reports", "facts", "documents")]

# ------------------------------------------------------------------ jobs and schedules

harvest_job = dg.define_asset_job("harvest", selection=[raw_documents])
build_job = dg.define_asset_job("build", selection=dg.AssetSelection.assets(parsed_reports, dataset_tables, warehouse))
release_job = dg.define_asset_job("release_job", selection=[release])


@dg.schedule(cron_schedule="0 2 * * *", job=harvest_job, execution_timezone="Asia/Shanghai")
def nightly_harvest(context: dg.ScheduleEvaluationContext):  # noqa: ANN201 - yields run requests
    """02:00 Beijing time: one harvest run per portal, so the portals are fetched in parallel runs."""
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    for key in PORTALS.get_partition_keys():
        yield dg.RunRequest(run_key=f"{day}-{key}", partition_key=key)


nightly_build = dg.ScheduleDefinition(
    name="nightly_build",
    job=build_job,
    cron_schedule="30 5 * * *",
    execution_timezone="Asia/Shanghai",
    description="05:30 Beijing time, after the harvest: parse → Parquet → warehouse.",
)

defs = dg.Definitions(
    assets=[raw_documents, parsed_reports, dataset_tables, warehouse, release],
    asset_checks=[accounting_identities, unmapped_labels, complete_tables, *ROW_COUNT_CHECKS],
    jobs=[harvest_job, build_job, release_job],
    schedules=[nightly_harvest, nightly_build],
    resources={"xxgk": XxgkSettings()},
)
