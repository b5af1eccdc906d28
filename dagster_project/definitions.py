"""Dagster assets, checks and schedules over the same functions ``xxgk`` calls.

Dagster is a thin layer: every asset body is one call into :mod:`pipelines`; what Dagster adds is
partitioning the harvest and the parse by portal (one run per portal: runs fan out), lineage, the asset
checks, and the nightly schedules in Asia/Shanghai time.

Each portal's run harvests it (``raw_documents``) and parses its archived documents into a spool of
Parquet parts (``parsed_documents``, ``<data dir>/spools/<portal>``); the dataset assets combine the
registry's spools into one generation.  Runs fan out over the cores of one box (the run queue, the
multiprocess executor) or over many machines (a Kubernetes run launcher, Celery) by configuration alone,
with the data directory shared: see ``docs/deployment.md``.

Where data would be lost the checks are *blocking*: a portal gone silent stops its harvest run, a
build that would shrink the dataset is refused (the current generation stays; its baseline moves only
when a build is accepted), and a release that fails validation is not published.  The findings
about the sources (failed identities, unmapped labels, gaps) are warnings.

Configuration, for operations (never the demo's folder):

    XXGK_DATA_DIR   data directory (default: data/nightly in the checkout)
    XXGK_PORTALS    portal registry (default: data/portals.yaml); its portals are the harvest's partitions
    XXGK_HARVEST_CRON   when nightly_harvest ticks (default "0 2 * * *", Beijing time)

    make dagster    (DAGSTER_HOME=data/dagster_home dg dev, with dagster_project/dagster.yaml)
"""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import polars as pl
from pydantic import field_validator

from archive.locks import Busy, FileLock
from pipelines import build as pipeline
from pipelines.crawl import host_of
from pipelines.harvest import portal_sources
from pipelines.parallel import DEFAULT_TIMEOUT
from pipelines.spool import complete, spool_documents, spool_size
from portals.registry import DEFAULT_REGISTRY, Portal, load_portals
from warehouse import generations
from warehouse.release import latest
from warehouse.schema import ALL_TABLES

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "data" / "demo"


def default_data_dir() -> str:
    return os.environ.get("XXGK_DATA_DIR") or str(REPO / "data" / "nightly")


def harvest_cron() -> str:
    """When ``nightly_harvest`` ticks (Asia/Shanghai): 02:00, or ``XXGK_HARVEST_CRON`` (a rehearsal: ``* * * * *``)."""
    return os.environ.get("XXGK_HARVEST_CRON") or "0 2 * * *"


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


class ParseConfig(dg.Config):
    # parsing processes inside one portal's step.  1: the portals' runs are the fan-out (a pool in each of N
    # concurrent runs would ask for N × cores); more for a big portal on a machine or pod of its own
    workers: int = 1
    # seconds per document: parsing always runs in a worker process (even with workers=1), which can be stopped
    timeout: float = DEFAULT_TIMEOUT
    wait: float = 3600.0  # seconds to wait for a build reading the spools, or another parse of this portal, to finish


class DatasetConfig(BuildConfig):
    wait_for_parses: float = 3600.0  # seconds to wait for running parses to finish before the build reads the spools


IN_PROCESS = {"execution": {"config": {"in_process": {}}}}  # a portal's run: its steps in the run's process
HOST_TAG = "xxgk/host"  # a portal run's tag: the host its requests go to (pipelines.crawl.host_of)


def source_defects_result(summary: dict) -> dg.AssetCheckResult:
    """The warning about the portal's own defects seen this run: passed when none is new.  The counts default to 0
    (a harvest summary without them has none to report)."""
    counts = {k: int(summary.get(k, 0) or 0) for k in ("defects", "defects_new", "defects_known", "defects_healed")}
    urls = [str(u) for u in (summary.get("defects_new_urls") or [])][:20]
    return dg.AssetCheckResult(
        check_name="source_defects_new", passed=counts["defects_new"] == 0, severity=dg.AssetCheckSeverity.WARN,
        metadata={**{k: dg.MetadataValue.int(n) for k, n in counts.items()},
                  "new_urls": dg.MetadataValue.md("\n".join(f"- {u}" for u in urls) or "none")},
    )


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
            ),
            dg.AssetCheckSpec(
                "source_defects_new", asset="raw_documents", blocking=False,
                description="No new defect of the portal's own this run (a listed document answering 404/410, an item without "
                "id, a link to nothing). A warning, shown once when new, with the URLs: such defects never make the harvest "
                "partial nor stop the run; those still there are counted as known, those gone as healed.",
            ),
        ],
    )
    def raw_documents(context: dg.AssetExecutionContext, xxgk: XxgkSettings) -> dg.MaterializeResult:
        """The documents of one portal, archived by SHA-256, with a manifest row per fetch (failures included)."""
        from pipelines.crawl import harvest_portal  # the web spiders (Scrapy) run in their own process

        portal = next(p for p in xxgk.portals() if p.id == context.partition_key)
        host, tagged = host_of(portal), context.run.tags.get(HOST_TAG)
        if tagged != host:  # a run launched without the job's partitioned config (or the registry changed since)
            context.log.warning(f"this run's {HOST_TAG} tag is {tagged!r}, the portal's host {host!r}: the run queue's "
                                "one-run-per-host limit did not apply to it")
        summary = harvest_portal(portal, xxgk.layout, base=Path(xxgk.base_dir))
        counts = {k: dg.MetadataValue.int(int(v)) for k, v in summary.items() if isinstance(v, int) and not isinstance(v, bool)}
        verdict = str(summary.get("verdict"))
        why = "; ".join(summary.get("flags") or []) or "every list page and document read"
        return dg.MaterializeResult(
            metadata={**counts, "verdict": verdict, "why": why, "host": host},
            check_results=[
                dg.AssetCheckResult(check_name="harvest_verdict_ok", passed=verdict == "ok", severity=dg.AssetCheckSeverity.ERROR,
                                    metadata={"verdict": verdict, "why": why, "log": str(summary.get("log") or "")}),
                source_defects_result(summary),
            ],
        )

    @dg.asset(partitions_def=partitions, deps=[raw_documents], group_name="parse", kinds={"parquet"})
    def parsed_documents(context: dg.AssetExecutionContext, xxgk: XxgkSettings, config: ParseConfig) -> dg.MaterializeResult:
        """One portal's archived documents, parsed (through the shared parse cache) and reduced to their rows: a
        spool of Parquet parts in ``<data dir>/spools/<portal>``, which the dataset assets combine.

        A document that fails to parse is not a failed step: it is a ``documents`` row with its error, counted
        here by outcome.  A portal with nothing archived writes an empty spool (and a warning): the archive only
        grows, so an empty spool never hides documents a former spool had, it says truthfully that the portal
        contributes none (all its documents may have been fetched later from another portal), and the build
        then names only portals that were never parsed as missing.
        """
        portal, spools = context.partition_key, xxgk.layout.spools
        try:
            with FileLock(spools / f".{portal}.lock", f"the parse of portal {portal}", config.wait), \
                    spools_lock(spools, exclusive=False, wait=config.wait):
                sources = portal_sources(xxgk.layout.raw, portal, xxgk.portals())
                if not sources:
                    context.log.warning(f"{portal}: no archived documents; its spool is empty")
                folder = spool_documents(sources, spools / portal, xxgk.layout.parsed, workers=config.workers, isolate=True,
                                         timeout=config.timeout)
        except Busy as e:
            raise dg.Failure(description=str(e)) from None
        return dg.MaterializeResult(metadata={
            "documents": dg.MetadataValue.int(spool_size(folder)),
            **{k: dg.MetadataValue.int(n) for k, n in _outcomes(folder).items()},
            "path": dg.MetadataValue.path(str(folder)),
        })

    @dg.multi_asset(
        specs=[
            *(dg.AssetSpec(name, description=t.description, group_name="dataset", kinds={"parquet"}, deps=[parsed_documents])
              for name, t in ALL_TABLES.items()),
            dg.AssetSpec("warehouse", description="The DuckDB warehouse: tables, code tables, labelled views, comments.",
                         group_name="dataset", kinds={"duckdb"}, deps=[parsed_documents]),
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
    def dataset(context: dg.AssetExecutionContext, xxgk: XxgkSettings, config: DatasetConfig):  # noqa: ANN202 - yields results
        """The portals' spools, in registry order, combined into a new generation of Parquet tables and warehouse,
        switched in when complete.  A portal without a complete spool (never parsed, or its parse failed) is left
        out, by name: logged as a warning and listed in the metadata.  The spools are held while they are read:
        running parses are waited for, and none starts before the build is done."""
        try:
            with spools_lock(xxgk.layout.spools, exclusive=True, wait=config.wait_for_parses):
                spools, missing = _registry_spools(xxgk)
                if missing:
                    context.log.warning(f"{len(missing)} portal(s) of the registry have no complete parse in "
                                        f"{xxgk.layout.spools} and are left out of this build: {', '.join(missing)}")
                without = dg.MetadataValue.md("\n".join(f"- {p}" for p in missing) or "none")
                if not spools:
                    raise dg.Failure(description=f"no portal of the registry has a complete parse in {xxgk.layout.spools}: "
                                     "materialise parsed_documents first (the harvest_job does); nothing was changed",
                                     metadata={"portals_without_spool": without})
                counts = pipeline.build_from_spools(xxgk.layout, spools, allow_shrink=config.allow_shrink)
        except Busy as e:
            raise dg.Failure(description=str(e)) from None
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
        about = {"generation": gen.id, "portals_parsed": dg.MetadataValue.int(len(spools)), "portals_without_spool": without}
        for name in ALL_TABLES:
            yield dg.MaterializeResult(asset_key=name, metadata={
                "rows": dg.MetadataValue.int(gen.counts.get(name, 0)),
                "path": dg.MetadataValue.path(str(gen.parquet / f"{name}.parquet")), **about})
        yield dg.MaterializeResult(asset_key="warehouse", metadata={"path": dg.MetadataValue.path(str(gen.db)), **about})
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

    @dg.asset(
        deps=[release], group_name="release", kinds={"html", "json"},
        check_specs=[
            dg.AssetCheckSpec(
                "site_complete", asset="site", blocking=True,
                description="The site shows every body and every report of the release it is the site of (a page's data for "
                "each), and was built from that release's version.",
            )
        ],
    )
    def site(xxgk: XxgkSettings) -> dg.MaterializeResult:
        """The latest release's offline site at one stable address, ``<data dir>/site`` (a link switched atomically to
        ``releases/<version>/site``): what a static web server publishes.  The site itself is built inside the release
        before it is sealed (its checksums cover it); this asset points the published address at it once it is whole."""
        return published_site(xxgk.layout)

    checks = _finding_checks()
    hosts = {p.id: host_of(p) for p in portals}
    # every run of a portal (the schedule's, a backfill's, the launchpad's) is tagged with the portal's host: the run
    # queue's tag_concurrency_limits (dagster.yaml) then starts one run per host at a time, across runs.  Its two steps
    # run one after the other in the run's own process: the crawl and the parse already run in processes of their
    # own, and a process per step would cost two more interpreter start-ups (~3 s of CPU each) for every portal
    per_portal = dg.PartitionedConfig(partitions_def=partitions, run_config_for_partition_key_fn=lambda _key: dict(IN_PROCESS),
                                      tags_for_partition_key_fn=lambda key: {HOST_TAG: hosts[key]})
    # a portal's run harvests it, then parses it (unless the blocking harvest_verdict_ok check failed)
    harvest_job = dg.define_asset_job(
        "harvest_job", selection=[raw_documents, parsed_documents], config=per_portal,
        description="One portal (a partition): harvest its documents into the archive, then parse them into its spool. "
        "Tagged xxgk/host with the portal's host: the run queue runs one harvest per host at a time.",
    )
    build_job = dg.define_asset_job(
        "build_job", selection=dg.AssetSelection.assets(dataset),
        description="The registry's spools combined into a new generation of Parquet tables and DuckDB warehouse, switched "
        "in if whole and not shrinking (allow_shrink to accept a fall).",
    )
    release_job = dg.define_asset_job(
        "release_job", selection=[release, site],
        description="The current generation published as a new immutable release, if it validates and does not shrink; "
        "then the published site's address pointed at the new release's offline site, if it shows every body and report.",
    )

    @dg.schedule(cron_schedule=harvest_cron(), job=harvest_job, execution_timezone="Asia/Shanghai")
    def nightly_harvest(context: dg.ScheduleEvaluationContext):  # noqa: ANN202 - yields run requests
        """02:00 Beijing time: one harvest-and-parse run per portal, so the portals are fetched and parsed in parallel
        runs, each tagged with its portal's host (one run per host at a time, by the run queue's limits)."""
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        for key in partitions.get_partition_keys():
            yield dg.RunRequest(run_key=f"{day}-{key}", partition_key=key, tags={HOST_TAG: hosts[key]}, run_config=dict(IN_PROCESS))

    nightly_build = dg.ScheduleDefinition(
        name="nightly_build", job=build_job, cron_schedule="30 5 * * *", execution_timezone="Asia/Shanghai",
        description="05:30 Beijing time, after the harvest: the portals' spools → a new generation of Parquet and warehouse "
        "(refused if it shrinks).",
    )
    return dg.Definitions(
        assets=[raw_documents, parsed_documents, dataset, release, site],
        asset_checks=checks,
        jobs=[harvest_job, build_job, release_job],
        schedules=[nightly_harvest, nightly_build],
        resources={"xxgk": settings},
    )


@contextmanager
def spools_lock(spools: Path, *, exclusive: bool, wait: float) -> Iterator[None]:
    """The spools folder held shared (by a parse, which may replace its portal's spool) or exclusive (by a build,
    which reads them all), waiting up to ``wait`` seconds, then :class:`Busy`.  A build reads a spool's tables one
    after another: one replaced in between would give it facts of one version and documents of another, with
    nothing to show for it.  Parses of different portals still run side by side.  ``flock``, like
    :mod:`archive.locks`: released however the holder ends, and honoured across NFS clients."""
    spools.mkdir(parents=True, exist_ok=True)
    fd = os.open(spools / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    what = "portals are being parsed" if exclusive else "a build is reading the spools"
                    raise Busy(f"{what} in {spools}; try again when it has finished") from None
                time.sleep(1.0)
        yield
    finally:
        os.close(fd)


def _registry_spools(xxgk: XxgkSettings) -> tuple[list[Path], list[str]]:
    """(the complete spools of the registry's portals, in registry order; the portals without one).  Registry
    order, so the build is the same whichever portal's run finished first; a spool left by a portal since
    removed from the registry is not read."""
    spools, missing = [], []
    for p in xxgk.portals():
        folder = xxgk.layout.spools / p.id
        if complete(folder):
            spools.append(folder)
        else:
            missing.append(p.id)
    return spools, missing


def _outcomes(spool: Path) -> dict[str, int]:
    """How many of the spool's documents parsed, need OCR, are not reports, or failed (their errors are rows)."""
    docs = pl.read_parquet(spool / "documents" / "*.parquet", columns=["outcome"])
    return {str(k or "unknown"): int(n) for k, n in docs.group_by("outcome").len().sort("outcome").iter_rows()}


# ------------------------------------------------------------------ findings about the sources (warnings)


def published_site(layout: pipeline.Layout) -> dg.MaterializeResult:
    """Point ``<data dir>/site`` at the latest release's site when it covers the whole release (see ``site``)."""
    from website.coverage import site_coverage

    folder = latest(layout.releases)
    if folder is None or not (folder / "site" / "index.html").is_file():
        why = "no release yet" if folder is None else f"release {folder.name} has no site/"
        return dg.MaterializeResult(metadata={"published": False, "why": why},
                                    check_results=[dg.AssetCheckResult(check_name="site_complete", passed=False, metadata={"why": why})])
    cover = site_coverage(folder)
    whole = cover.whole
    if whole:
        link = layout.root / "site"
        tmp = layout.root / f".site-link-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(Path("releases") / folder.name / "site")
        os.replace(tmp, link)  # atomic: a web server sees the old site or the new one, never none
    meta = {"published": whole, "version": folder.name, "path": dg.MetadataValue.path(str(folder / "site")),
            "files": cover.files, "bytes": cover.bytes, "bodies_shown": cover.bodies_shown, "bodies": cover.bodies,
            "reports_shown": cover.reports_shown, "reports": cover.reports, "site_version": cover.site_version or ""}
    return dg.MaterializeResult(metadata=meta, check_results=[dg.AssetCheckResult(
        check_name="site_complete", passed=whole, metadata={k: meta[k] for k in ("bodies_shown", "bodies", "reports_shown", "reports", "site_version")})])


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
