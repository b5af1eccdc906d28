"""Dagster: the jobs run on the seeds, the blocking checks stop what would lose data, the portals parse in runs of
their own (in processes of their own) and combine as one build would, `dg dev` serves the project."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

from archive.locks import FileLock
from dagster_project import definitions as d
from pipelines import build as pipeline
from pipelines.harvest import archived_sources
from pipelines.spool import complete, spool_size
from warehouse import generations
from warehouse import release as release_mod
from warehouse.schema import ALL_TABLES

from .conftest import GOLDENS, SEEDS, load_golden

REPO = Path(__file__).resolve().parents[1]


def _registry(tmp_path: Path, folder: Path) -> Path:
    portals = tmp_path / "portals.yaml"
    portals.write_text(f"portals:\n  - id: samples\n    name: test\n    platform: folder\n    start_urls: [{folder}]\n", encoding="utf-8")
    return portals


@pytest.fixture()
def project(tmp_path: Path) -> tuple[dg.Definitions, d.XxgkSettings]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for s in SEEDS:
        shutil.copy(s, docs / s.name)
    settings = d.XxgkSettings(data_dir=str(tmp_path / "data"), portals_file=str(_registry(tmp_path, docs)), base_dir=str(tmp_path))
    return d.make_definitions(settings.portals(), settings), settings


def _two_portals(tmp_path: Path) -> Path:
    """A registry of two folder portals sharing the seeds between them (absolute paths: any process reads it alike)."""
    lines = ["portals:"]
    for i, name in enumerate(("east", "west")):
        folder = tmp_path / name
        folder.mkdir()
        for s in SEEDS[i::2]:
            shutil.copy(s, folder / s.name)
        lines += [f"  - id: {name}", f"    name: {name}", "    platform: folder", f"    start_urls: [{folder}]"]
    portals = tmp_path / "portals.yaml"
    portals.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return portals


def harvest_job_from_env() -> dg.JobDefinition:
    """The harvest job of XXGK_DATA_DIR and XXGK_PORTALS: what ``dg.reconstructable`` has every step's process
    build again (a module-level function, settings from the environment the processes inherit)."""
    settings = d.XxgkSettings(data_dir=os.environ["XXGK_DATA_DIR"], portals_file=os.environ["XXGK_PORTALS"])
    return d.make_definitions(settings.portals(), settings).resolve_job_def("harvest_job")


def _run(defs: dg.Definitions, job: str, instance: dg.DagsterInstance, **kw: object) -> dg.ExecuteInJobResult:
    return defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False, **kw)


def _checks(result: dg.ExecuteInJobResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_harvest_build_release_on_the_seeds(project) -> None:
    defs, settings = project
    goldens = [load_golden(g) for g in GOLDENS]
    with dg.instance_for_test() as instance:
        assert _run(defs, "harvest_job", instance, partition_key="samples").success
        result = _run(defs, "build_job", instance)
        assert result.success
        checks = _checks(result)
        assert checks["build_not_shrinking"].passed and checks["warehouse_whole"].passed
        # 清远市 2023 is inconsistent as printed: a warning about the source, not a failed run
        assert not checks["accounting_identities"].passed
        assert checks["accounting_identities"].severity == dg.AssetCheckSeverity.WARN
        assert checks["accounting_identities"].metadata["reports_with_failures"].value == 1
        assert checks["unmapped_labels"].passed
        # 融媒体中心 2023 prints 结转下年度继续办理 with six cells for seven columns: left out, flagged
        assert not checks["complete_tables"].passed and checks["complete_tables"].metadata["unplaceable_row"].value == 1
        published = _run(defs, "release_job", instance)
        assert published.success and _checks(published)["release_valid"].passed
        # the release's offline site, at the stable address a web server publishes, once it shows every body and report
        site = _checks(published)["site_complete"]
        assert site.passed and site.metadata["reports_shown"].value == site.metadata["reports"].value == len(goldens)
        again = _run(defs, "release_job", instance)  # nothing changed: no new version, not a failure
        assert again.success and _checks(again)["release_valid"].passed
    layout = settings.layout
    assert (layout.root / "site").resolve() == (layout.releases / "latest").resolve() / "site"
    assert (layout.root / "site" / "index.html").is_file()
    # a site missing one shard of report pages is not whole: the check fails, counted from the site's own files
    shard = next((layout.releases / "latest" / "site" / "data" / "reports").rglob("*.json"))
    shown_there = len(json.loads(shard.read_text(encoding="utf-8")))
    shard.unlink()
    partial = d.published_site(layout)
    assert not partial.check_results[0].passed
    assert partial.metadata["reports_shown"] == len(goldens) - shown_there
    con = duckdb.connect(str(layout.db), read_only=True)
    assert con.execute("SELECT count(*) FROM reports").fetchall() == [(len(goldens),)]
    assert con.execute("SELECT count(*) FROM facts").fetchall() == [(sum(len(g["facts"]) for g in goldens),)]
    con.close()
    assert [p.name for p in layout.releases.iterdir() if p.name.startswith("v")] == [(layout.releases / "latest").resolve().name]


def test_a_portal_gone_silent_fails_the_blocking_harvest_check(tmp_path: Path) -> None:
    settings = d.XxgkSettings(data_dir=str(tmp_path / "data"), portals_file=str(_registry(tmp_path, tmp_path / "gone")), base_dir=str(tmp_path))
    defs = d.make_definitions(settings.portals(), settings)
    spec = next(iter(defs.resolve_assets_def("raw_documents").check_specs))
    assert spec.name == "harvest_verdict_ok" and spec.blocking
    with dg.instance_for_test() as instance:
        result = _run(defs, "harvest_job", instance, partition_key="samples")
    check = _checks(result)["harvest_verdict_ok"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["verdict"].value == "failed"
    assert not result.success  # blocking: the run fails, nothing downstream would be built on it


def test_a_shrinking_build_is_refused_and_the_baseline_stays(project) -> None:
    defs, settings = project
    root = settings.layout.root
    with dg.instance_for_test() as instance:
        assert _run(defs, "harvest_job", instance, partition_key="samples").success
        assert _run(defs, "build_job", instance).success
        first = generations.current(root)
        # the current generation had 10 times the reports: the same archive now gives a tenth of them
        meta = json.loads((first.path / "generation.json").read_text())
        meta["counts"]["reports"] *= 10
        (first.path / "generation.json").write_text(json.dumps(meta))
        refused = _run(defs, "build_job", instance)
        assert not refused.success
        check = _checks(refused)["build_not_shrinking"]
        assert not check.passed and "reports 50 → 5" in check.metadata["why"].value
        assert generations.current(root).path == first.path  # the baseline did not move
        allowed = _run(defs, "build_job", instance, run_config={"ops": {"dataset": {"config": {"allow_shrink": True}}}})
        assert allowed.success and _checks(allowed)["build_not_shrinking"].passed
        assert generations.current(root).path != first.path and generations.current(root).counts["reports"] == 5


def test_a_release_that_fails_validation_is_not_published(project, monkeypatch) -> None:
    defs, settings = project
    with dg.instance_for_test() as instance:
        assert _run(defs, "harvest_job", instance, partition_key="samples").success
        assert _run(defs, "build_job", instance).success
        monkeypatch.setattr(release_mod, "validate", lambda folder: ["facts.parquet: mode 600, not 644"])
        result = _run(defs, "release_job", instance)
    assert not result.success
    check = _checks(result)["release_valid"]
    assert not check.passed and "mode 600" in check.metadata["why"].value
    assert not (settings.layout.releases / "latest").exists() and not list(settings.layout.releases.glob("v*"))


def test_the_data_directory_is_never_the_demos() -> None:
    with pytest.raises(Exception, match="demo's folder"):
        d.XxgkSettings(data_dir=str(REPO / "data" / "demo"))
    assert Path(d.XxgkSettings().data_dir).resolve() != (REPO / "data" / "demo").resolve()


def test_production_partitions_are_the_registrys_portals_without_the_demo() -> None:
    from portals.registry import load_portals

    keys = d.defs.resolve_job_def("harvest_job").partitions_def.get_partition_keys()
    assert keys == [p.id for p in load_portals()]
    assert not any("demo" in k or "sample" in k for k in keys)


GRAPHQL = """
{
  assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name blocking } } } }
  repositoriesOrError { ... on RepositoryConnection { nodes { schedules { name cronSchedule executionTimezone } } } }
  shouldShowNux
}
"""


def test_graphql_shows_every_asset_with_its_checks_and_both_schedules() -> None:
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
    from dagster_graphql.test.utils import execute_dagster_graphql

    instance_settings = yaml.safe_load((REPO / "dagster_project" / "dagster.yaml").read_text())
    origin = InProcessCodeLocationOrigin(
        loadable_target_origin=LoadableTargetOrigin(module_name="dagster_project.definitions", attribute="defs", working_directory=str(REPO)),
        location_name="xxgk",
    )
    with dg.instance_for_test(overrides=instance_settings) as instance:
        with WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origin)) as ctx:
            data = execute_dagster_graphql(ctx.create_request_context(), GRAPHQL).data
    checks = {
        "/".join(n["assetKey"]["path"]): {c["name"]: c["blocking"] for c in (n["assetChecksOrError"] or {}).get("checks", [])}
        for n in data["assetNodes"]
    }
    assert set(checks) == {"raw_documents", "parsed_documents", "warehouse", "release", "site", *ALL_TABLES}
    # a portal gone silent (blocking); the portal's own new defects (a warning)
    assert checks["raw_documents"] == {"harvest_verdict_ok": True, "source_defects_new": False}
    assert checks["reports"] == {"build_not_shrinking": True}  # a shrinking build
    assert checks["warehouse"] == {"warehouse_whole": True}  # a warehouse that does not match its tables
    assert checks["release"] == {"release_valid": True}  # a release that fails validation
    assert checks["site"] == {"site_complete": True}  # a site that does not show the whole release is not published
    assert checks["checks"] == {"accounting_identities": False}  # findings about the sources: warnings
    assert checks["problems"] == {"unmapped_labels": False, "complete_tables": False}
    schedules = {s["name"]: (s["cronSchedule"], s["executionTimezone"]) for r in data["repositoriesOrError"]["nodes"] for s in r["schedules"]}
    assert schedules == {"nightly_harvest": ("0 2 * * *", "Asia/Shanghai"), "nightly_build": ("30 5 * * *", "Asia/Shanghai")}
    assert data["shouldShowNux"] is False  # the e-mail sign-up prompt is off with the project's dagster.yaml


def test_nightly_harvest_asks_one_run_per_portal() -> None:
    job = d.defs.resolve_job_def("harvest_job")
    schedule = next(s for s in d.defs.schedules if s.name == "nightly_harvest")
    with dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 21, 2, 0), repository_def=d.defs.get_repository_def()) as ctx:
        requests = list(schedule.evaluate_tick(ctx).run_requests or [])
    assert [r.partition_key for r in requests] == job.partitions_def.get_partition_keys()


def _materialized(events: list[dg.DagsterEvent], asset: str) -> dict[str, dict[str, object]]:
    """Partition (or "") → metadata values of the asset's materializations among the events."""
    return {e.partition or "": {k: v.value for k, v in e.materialization.metadata.items()}
            for e in events if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION and e.asset_key == dg.AssetKey(asset)}


def test_portals_parse_in_processes_of_their_own_and_combine_as_one_build(tmp_path: Path, monkeypatch) -> None:
    registry, data = _two_portals(tmp_path), tmp_path / "data"
    monkeypatch.setenv("XXGK_DATA_DIR", str(data))  # inherited by the step processes
    monkeypatch.setenv("XXGK_PORTALS", str(registry))
    settings = d.XxgkSettings(data_dir=str(data), portals_file=str(registry))
    defs = d.make_definitions(settings.portals(), settings)
    keys = defs.resolve_job_def("harvest_job").partitions_def.get_partition_keys()
    assert keys == ["east", "west"]
    job = dg.reconstructable(harvest_job_from_env)
    with dg.instance_for_test() as instance:
        for i, key in enumerate(keys):
            # no executor named: the asset job's default, whose default mode is multiprocess (two at a time here)
            with dg.execute_job(job, instance, tags={"dagster/partition": key},
                                run_config={"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}) as result:
                assert result.success
                events = result.all_events
            engine = [e.message or "" for e in events if e.event_type == dg.DagsterEventType.ENGINE_EVENT]
            assert any(f"multiprocess executor: parent process (pid: {os.getpid()})" in m for m in engine)
            pids = {e.step_key: e.pid for e in events if e.event_type == dg.DagsterEventType.STEP_START}
            assert set(pids) == {"raw_documents", "parsed_documents"}  # harvest, then parse, in the same run
            assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()  # each step a process of its own
            parsed = _materialized(events, "parsed_documents")[key]
            assert parsed["documents"] == len(SEEDS[i::2]) == spool_size(settings.layout.spools / key)
            assert parsed["path"] == str(settings.layout.spools / key)
        built = _run(defs, "build_job", instance)
        assert built.success
        assert _materialized(built.all_events, "warehouse")[""]["portals_without_spool"] == "none"
    # the same archived documents, built in one go into a second data directory
    direct = pipeline.Layout(tmp_path / "direct")
    pipeline.build(direct, archived_sources(settings.layout.raw, settings.portals()), workers=1)
    ours, theirs = generations.current(settings.layout.root).parquet, generations.current(direct.root).parquet
    goldens = [load_golden(g) for g in GOLDENS]
    assert pl.read_parquet(ours / "reports.parquet").height == len(goldens)
    assert pl.read_parquet(ours / "facts.parquet").height == sum(len(g["facts"]) for g in goldens)
    for name in ALL_TABLES:
        if name == "portal_runs":  # the harvests' own record: the direct build harvested nothing
            assert sorted(pl.read_parquet(ours / f"{name}.parquet")["portal"]) == ["east", "west"]
            continue
        assert_frame_equal(pl.read_parquet(ours / f"{name}.parquet"), pl.read_parquet(theirs / f"{name}.parquet"))


def test_the_build_names_the_portals_it_has_no_parse_of(tmp_path: Path) -> None:
    settings = d.XxgkSettings(data_dir=str(tmp_path / "data"), portals_file=str(_two_portals(tmp_path)))
    defs = d.make_definitions(settings.portals(), settings)
    spools = settings.layout.spools
    with dg.instance_for_test() as instance:
        nothing = _run(defs, "build_job", instance)  # no portal parsed yet: a failure, as no documents at all is
        assert not nothing.success
        assert "no portal of the registry has a complete parse" in _failure(nothing)
        assert generations.current(settings.layout.root) is None
        (tmp_path / "east" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF\n")
        east = _run(defs, "harvest_job", instance, partition_key="east")
        assert east.success  # a document that does not parse is a row with its error, not a failed step
        assert _materialized(east.all_events, "parsed_documents")["east"]["error"] == 1
        partial = _run(defs, "build_job", instance)
        assert partial.success  # west is left out, by name: in the metadata and a warning
        warehouse = _materialized(partial.all_events, "warehouse")[""]
        assert warehouse["portals_parsed"] == 1 and warehouse["portals_without_spool"] == "- west"
        warnings = [e.user_message for e in instance.all_logs(partial.run_id) if e.level == logging.WARNING]
        assert any("left out of this build: west" in w for w in warnings)
        # west parsed before anything of it was archived: an empty spool, said so, and no longer missing
        empty = _run(defs, "harvest_job", instance, partition_key="west", asset_selection=[dg.AssetKey("parsed_documents")])
        assert empty.success and _materialized(empty.all_events, "parsed_documents")["west"]["documents"] == 0
        assert complete(spools / "west") and spool_size(spools / "west") == 0
        whole = _run(defs, "build_job", instance)
        assert whole.success and _materialized(whole.all_events, "warehouse")[""]["portals_without_spool"] == "none"


def _failure(result: dg.ExecuteInJobResult) -> str:
    return result.get_step_failure_events()[0].step_failure_data.user_failure_data.description


def test_a_build_never_reads_a_spool_a_parse_is_replacing(tmp_path: Path) -> None:
    settings = d.XxgkSettings(data_dir=str(tmp_path / "data"), portals_file=str(_two_portals(tmp_path)))
    defs = d.make_definitions(settings.portals(), settings)
    spools = settings.layout.spools
    no_wait = {"ops": {"parsed_documents": {"config": {"wait": 0}}}}
    with dg.instance_for_test() as instance:
        assert _run(defs, "harvest_job", instance, partition_key="east").success
        with d.spools_lock(spools, exclusive=False, wait=0):  # a parse under way (of any portal)
            busy = _run(defs, "build_job", instance, run_config={"ops": {"dataset": {"config": {"wait_for_parses": 0}}}})
        assert not busy.success and "portals are being parsed" in _failure(busy)
        assert generations.current(settings.layout.root) is None  # nothing was built
        with d.spools_lock(spools, exclusive=True, wait=0):  # a build reading the spools
            blocked = _run(defs, "harvest_job", instance, partition_key="west", run_config=no_wait)
        assert not blocked.success and "a build is reading the spools" in _failure(blocked)
        assert not complete(spools / "west")  # harvested, not parsed: the build it waited for never saw a half spool
        before = (spools / "east" / "spool.json").stat().st_ino
        with FileLock(spools / ".east.lock", "a parse of east"):  # the same portal parsed twice at once: one waits
            twice = _run(defs, "harvest_job", instance, partition_key="east", run_config=no_wait,
                         asset_selection=[dg.AssetKey("parsed_documents")])
        assert not twice.success and "the parse of portal east" in _failure(twice)
        assert (spools / "east" / "spool.json").stat().st_ino == before  # the spool in place was left alone
        assert _run(defs, "build_job", instance).success


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dg_dev_serves_the_project_without_the_sign_up_prompt_and_stops_on_sigterm(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_project" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "XXGK_DATA_DIR": str(tmp_path / "data")}
    # launched as `make dagster` does, and as a background job of a script would be: with SIGINT ignored,
    # which dg would otherwise carry over to SIGTERM
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster_project.serve", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    query = "{ shouldShowNux assetNodes { assetKey { path } } }"
    try:
        data = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                             headers={"Content-Type": "application/json"})
                data = json.load(urllib.request.urlopen(req, timeout=5))["data"]
                if data["assetNodes"]:
                    break
            except (OSError, KeyError, TypeError):
                time.sleep(1)
        assert data is not None and data["assetNodes"], "dg dev did not answer within 180 s"
        assert {"raw_documents", "reports", "warehouse", "release"} <= {"/".join(n["assetKey"]["path"]) for n in data["assetNodes"]}
        assert data["shouldShowNux"] is False  # what the UI asks before it shows the e-mail sign-up modal
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
        assert '"telemetryEnabled": false' in page.replace("'", '"') or '"telemetryEnabled":false' in page
        proc.send_signal(signal.SIGTERM)  # to dg alone, as a service manager would
        assert proc.wait(timeout=90) is not None
        left: list[str] = []
        for _ in range(30):  # the webserver and daemon are told through their shutdown pipes; give them a moment
            left = subprocess.run(["pgrep", "-a", "-s", str(proc.pid)], capture_output=True, text=True).stdout.splitlines()
            if not left:
                break
            time.sleep(1)
        assert left == [], f"processes left after SIGTERM: {left}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
