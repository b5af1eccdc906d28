"""Dagster assets, checks and schedules over the same functions ``xxgk`` calls.

Dagster is a thin layer: every asset body is one call into :mod:`pipelines`; what Dagster adds is
partitioning the harvest by portal (runs fan out), lineage, the asset checks, and the nightly
schedules in Asia/Shanghai time.

Where data would be lost the checks are *blocking*: a portal gone silent stops its harvest run, a
build that would shrink the dataset is refused (the current generation stays; its baseline moves only
when a build is accepted), and a release that fails validation is not published.  The findings
about the sources (failed identities, unmapped labels, gaps) are warnings.

Configuration, for operations (never the demo's folder):

    XXGK_DATA_DIR   data directory (default: data/nightly in the checkout)
    XXGK_PORTALS    portal registry (default: data/portals.yaml); its portals are the harvest's partitions

    make dagster    (DAGSTER_HOME=data/dagster_home dg dev, with dagster_project/dagster.yaml)
"""

import os
from pathlib import Path

import dagster as dg
import polars as pl
from pydantic import field_validator

from pipelines import build as pipeline
from pipelines.harvest import archived_sources
from portals.registry import DEFAULT_REGISTRY, Portal, load_portals
from warehouse import generations
from warehouse.schema import ALL_TABLES

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "data" / "demo"


def default_data_dir() -> str:
    return os.environ.get("XXGK_DATA_DIR") or str(REPO / "data" / "nightly")


def default_portals() -> str:
    return os.environ.get("XXGK_PORTALS") or str(DEFAULT_REGISTRY)


class XxgkSettings(dg.ConfigurableResource):
    """Where the data lives and which portals exist."""

    data_dir: str = default_data_dir()
    portals_file: str = default_portals()
    base_dir: str = str(REPO)  # folder portals' paths are relative to this

    @field_validator("data_dir")
    @classmethod
    def _not_the_demo(cls, v: str) -> str:
        if Path(v).resolve() == DEMO_DIR.resolve():
            raise ValueError(f"{v} is the demo's folder (make demo rewrites it): give Dagster its own data directory")
        return v

    @property
    def layout(self) -> pipeline.Layout:
        return pipeline.Layout(Path(self.data_dir))

    def portals(self) -> list[Portal]:
        return load_portals(Path(self.portals_file))


class BuildConfig(dg.Config):
    allow_shrink: bool = False  # accept a build or release with sharply fewer reports or facts (set it in the launchpad)


def make_definitions(portals: list[Portal], settings: XxgkSettings) -> dg.Definitions:
    """The whole Dagster project for one registry (its portals are the harvest's partitions)."""
    partitions = dg.StaticPartitionsDefinition([p.id for p in portals])

    @dg.asset(
        partitions_def=partitions,
        group_name="harvest",
        kinds={"python"},
        check_specs=[
            dg.AssetCheckSpec(
                "harvest_verdict_ok", asset="raw_documents", blocking=True,
                description="The portal's harvest read every list page and document: not partial, failed, blocked or gone "
                "silent (listing no reports, or far fewer than on its last good run). Blocking: a silent portal stops the run.",
            )
        ],
    )
    def raw_documents(context: dg.AssetExecutionContext, xxgk: XxgkSettings) -> dg.MaterializeResult:
        """The documents of one portal, archived by SHA-256, with a manifest row per fetch (failures included)."""
        from pipelines.crawl import harvest_portal  # the web spiders (Scrapy) run in their own process

        portal = next(p for p in xxgk.portals() if p.id == context.partition_key)
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

    @dg.multi_asset(
        specs=[
            *(dg.AssetSpec(name, description=t.description, group_name="dataset", kinds={"parquet"}, deps=[raw_documents])
              for name, t in ALL_TABLES.items()),
            dg.AssetSpec("warehouse", description="The DuckDB warehouse: tables, code tables, labelled views, comments.",
                         group_name="dataset", kinds={"duckdb"}, deps=[raw_documents]),
        ],
        check_specs=[
            dg.AssetCheckSpec(
                "warehouse_whole", asset="warehouse", blocking=True,
                description="The new generation's warehouse holds every table with exactly its Parquet file's rows and every "
                "view runs; checked before the generation becomes current. Blocking: a broken build is never switched in.",
            ),
            dg.AssetCheckSpec(
                "build_not_shrinking", asset="reports", blocking=True,
                description="The new build has no sharply fewer reports or facts than the current one (the baseline is the "
                "current generation: it moves only when a build is accepted). Blocking: the build is refused, the current "
                "generation stays, nothing downstream runs. Accept an intended fall with allow_shrink.",
            )
        ],
        can_subset=False,
    )
    def dataset(context: dg.AssetExecutionContext, xxgk: XxgkSettings, config: BuildConfig):  # noqa: ANN202 - yields results
        """Every archived document parsed into a new generation of Parquet tables and warehouse, switched in when complete."""
        sources = archived_sources(xxgk.layout.raw, xxgk.portals())
        try:
            counts = pipeline.build(xxgk.layout, sources, allow_shrink=config.allow_shrink)
        except pipeline.Refused as e:
            yield dg.AssetCheckResult(asset_key="reports", check_name="build_not_shrinking", passed=False,
                                      severity=dg.AssetCheckSeverity.ERROR, metadata={"why": str(e)})
            raise dg.Failure(description=str(e)) from None
        except pipeline.BuildInvalid as e:
            yield dg.AssetCheckResult(asset_key="warehouse", check_name="warehouse_whole", passed=False,
                                      severity=dg.AssetCheckSeverity.ERROR, metadata={"why": str(e)})
            raise dg.Failure(description=str(e)) from None
        except pipeline.SourceError as e:
            raise dg.Failure(description=str(e)) from None
        gen = generations.current(xxgk.layout.root)
        assert gen is not None  # the build just made it current
        for name in ALL_TABLES:
            yield dg.MaterializeResult(asset_key=name, metadata={
                "rows": dg.MetadataValue.int(gen.counts.get(name, 0)),
                "path": dg.MetadataValue.path(str(gen.parquet / f"{name}.parquet")), "generation": gen.id})
        yield dg.MaterializeResult(asset_key="warehouse", metadata={"path": dg.MetadataValue.path(str(gen.db)), "generation": gen.id})
        yield dg.AssetCheckResult(asset_key="warehouse", check_name="warehouse_whole", passed=True,
                                  metadata={"tables": len(ALL_TABLES), "generation": gen.id})
        yield dg.AssetCheckResult(asset_key="reports", check_name="build_not_shrinking", passed=True,
                                  metadata={"reports": counts["reports"], "facts": counts["facts"],
                                            "allowed_shrink": str(gen.meta.get("allowed_shrink") or "")})

    @dg.asset(
        deps=["warehouse"], group_name="release", kinds={"parquet", "duckdb"},
        check_specs=[
            dg.AssetCheckSpec(
                "release_valid", asset="release", blocking=True,
                description="The assembled release validates (files, modes, checksums, schemas, primary keys, no NaN) and "
                "does not shrink against the latest one. Blocking: an invalid release is never published.",
            )
        ],
    )
    def release(xxgk: XxgkSettings, config: BuildConfig) -> dg.MaterializeResult:
        """An immutable versioned release with its data package, checksums, README, citation and changelog."""
        try:
            folder = pipeline.release(xxgk.layout, allow_shrink=config.allow_shrink)
        except pipeline.NothingChanged as e:
            return dg.MaterializeResult(metadata={"published": False, "why": str(e)},
                                        check_results=[dg.AssetCheckResult(check_name="release_valid", passed=True, metadata={"why": str(e)})])
        except (pipeline.Refused, pipeline.ReleaseInvalid, pipeline.SourceError) as e:
            return dg.MaterializeResult(
                metadata={"published": False, "why": str(e)},
                check_results=[dg.AssetCheckResult(check_name="release_valid", passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                                   metadata={"why": str(e)})],
            )
        return dg.MaterializeResult(
            metadata={"published": True, "version": folder.name, "path": dg.MetadataValue.path(str(folder))},
            check_results=[dg.AssetCheckResult(check_name="release_valid", passed=True, metadata={"version": folder.name})],
        )

    checks = _finding_checks()
    harvest_job = dg.define_asset_job("harvest", selection=[raw_documents])
    build_job = dg.define_asset_job("build", selection=dg.AssetSelection.assets(dataset))
    release_job = dg.define_asset_job("release_job", selection=[release])

    @dg.schedule(cron_schedule="0 2 * * *", job=harvest_job, execution_timezone="Asia/Shanghai")
    def nightly_harvest(context: dg.ScheduleEvaluationContext):  # noqa: ANN202 - yields run requests
        """02:00 Beijing time: one harvest run per portal, so the portals are fetched in parallel runs."""
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        for key in partitions.get_partition_keys():
            yield dg.RunRequest(run_key=f"{day}-{key}", partition_key=key)

    nightly_build = dg.ScheduleDefinition(
        name="nightly_build", job=build_job, cron_schedule="30 5 * * *", execution_timezone="Asia/Shanghai",
        description="05:30 Beijing time, after the harvest: parse → a new generation of Parquet and warehouse (refused if it shrinks).",
    )
    return dg.Definitions(
        assets=[raw_documents, dataset, release],
        asset_checks=checks,
        jobs=[harvest_job, build_job, release_job],
        schedules=[nightly_harvest, nightly_build],
        resources={"xxgk": settings},
    )


# ------------------------------------------------------------------ findings about the sources (warnings)


def _finding_checks() -> list[dg.AssetChecksDefinition]:
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

    return [accounting_identities, unmapped_labels, complete_tables]


def _load() -> dg.Definitions:
    settings = XxgkSettings()
    return make_definitions(settings.portals(), settings)


defs = _load()
