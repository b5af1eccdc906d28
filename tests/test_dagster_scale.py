"""Dagster at national scale (issue #22): per-host politeness across runs (the run queue's xxgk/host limit), the
portal's own defects as a warning check, the CLI acting on the code location ``xxgk``, and the nightly over the
test network's portals on a real PostgreSQL server through the daemon, with the daemon killed and started again
in the middle.  The heavier measurement of the same is benchmarks/dagster_nightly.py."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from benchmarks.dagster_nightly import (
    WORKSPACE,
    Nightly,
    ended,
    most_at_once_per_host,
    most_runs_at_once,
    network_portals,
    postgres,
    status_counts,
)
from dagster_project import definitions as d
from pipelines.crawl import host_of
from portals.registry import Portal

from .fault_portal import FaultPortal

REPO = Path(__file__).resolve().parents[1]


def _defs(tmp_path: Path, portals: list[dict]) -> tuple[dg.Definitions, d.XxgkSettings]:
    registry = tmp_path / "portals.yaml"
    registry.write_text(yaml.safe_dump({"portals": portals}, allow_unicode=True), encoding="utf-8")
    settings = d.XxgkSettings(data_dir=str(tmp_path / "data"), portals_file=str(registry), base_dir=str(tmp_path))
    return d.make_definitions(settings.portals(), settings), settings


def test_every_harvest_run_carries_its_portals_host_and_the_queue_runs_one_per_host(tmp_path: Path) -> None:
    portals = [
        {"id": "city", "name": "city", "platform": "gkmlpt", "start_urls": ["http://www.a.gov.cn/gkmlpt/annualreport"]},
        {"id": "city-jyj", "name": "jyj", "platform": "gkmlpt", "start_urls": ["http://www.a.gov.cn/jyj/gkmlpt/annualreport"]},
        {"id": "county", "name": "county", "platform": "hanweb", "start_urls": ["http://www.b.gov.cn:8080/col/col1229/index.html"]},
    ]
    defs, _settings = _defs(tmp_path, portals)
    job = defs.resolve_job_def("harvest_job")
    schedule = next(s for s in defs.schedules if s.name == "nightly_harvest")
    with dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 21, 2, 0), repository_def=defs.get_repository_def()) as ctx:
        requests = list(schedule.evaluate_tick(ctx).run_requests or [])
    hosts = {r.partition_key: r.tags[d.HOST_TAG] for r in requests}
    assert hosts == {"city": "www.a.gov.cn", "city-jyj": "www.a.gov.cn", "county": "www.b.gov.cn"}
    assert hosts == {p["id"]: host_of(Portal(p["id"], p["name"], p["platform"], tuple(p["start_urls"]))) for p in portals}
    # a run of the job for a partition from anywhere (a backfill, the launchpad) gets the same tag from the job's config
    assert {k: job.partitioned_config.get_tags_for_partition_key(k)[d.HOST_TAG] for k in hosts} == hosts
    assert all(r.run_config == d.IN_PROCESS for r in requests)
    # the project's instance: the run queue allows one in-progress run per value of xxgk/host
    settings = yaml.safe_load((REPO / "dagster_project" / "dagster.yaml").read_text())
    with dg.instance_for_test(overrides=settings) as instance:
        limits = instance.run_coordinator.get_run_queue_config().tag_concurrency_limits
    assert {"key": d.HOST_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits


def test_the_portals_own_defects_are_a_warning_new_once_and_the_portal_is_still_parsed(tmp_path: Path) -> None:
    """The fault portal's ``defects`` scenario (404, 410, an item without id or URL, a link to nowhere, a program
    for a PDF) through the harvest job, two nights: the run succeeds and parses both nights; the warning check
    fails the first night with the new defects' URLs, and passes the second (the same defects, now known)."""
    with FaultPortal() as server:
        defs, settings = _defs(tmp_path, [{"id": "defects", "name": "defects", "region_code": "441800", "platform": "gkmlpt",
                                           "start_urls": [f"{server.base}/defects/gkmlpt/annualreport"],
                                           "search_jsonp_url": f"{server.base}/jsonp"}])
        nights = []
        with dg.instance_for_test() as instance:
            for _night in range(2):
                result = defs.resolve_job_def("harvest_job").execute_in_process(instance=instance, partition_key="defects",
                                                                                raise_on_error=False)
                nights.append((result, {e.check_name: e for e in result.get_asset_check_evaluations()}))
    for result, checks in nights:
        assert result.success  # never a failed run, and the parse ran
        assert checks["harvest_verdict_ok"].passed and checks["harvest_verdict_ok"].metadata["verdict"].value == "ok"
        assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("raw_documents"), dg.AssetKey("parsed_documents")]
        assert checks["source_defects_new"].severity == dg.AssetCheckSeverity.WARN
    first, second = nights[0][1]["source_defects_new"], nights[1][1]["source_defects_new"]
    assert not first.passed and first.metadata["defects_new"].value == 5 and first.metadata["defects"].value == 5
    assert "/defects/" in first.metadata["new_urls"].value  # the URLs, for the operator
    assert second.passed and second.metadata["defects_new"].value == 0 and second.metadata["defects_known"].value == 5
    assert second.metadata["new_urls"].value == "none"


def test_a_summary_without_defect_counts_passes_the_warning() -> None:
    result = d.source_defects_result({"verdict": "ok", "flags": []})
    assert result.passed and result.metadata["defects_new"].value == 0


SCHEDULES = """
{
  schedulesOrError(repositorySelector: {repositoryLocationName: "xxgk", repositoryName: "__repository__"}) {
    ... on Schedules { results { name scheduleState { status } } }
  }
}
"""


def _ui_schedules(home: Path) -> dict[str, str]:
    """The schedules' state as the UI of ``dg dev`` shows it: the code location ``xxgk`` (pyproject [tool.dg])."""
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
    from dagster_graphql.test.utils import execute_dagster_graphql

    origin = InProcessCodeLocationOrigin(
        loadable_target_origin=LoadableTargetOrigin(module_name="dagster_project.definitions", attribute="defs", working_directory=str(REPO)),
        location_name="xxgk",
    )
    with dg.DagsterInstance.from_config(str(home)) as instance, \
            WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origin)) as ctx:
        data = execute_dagster_graphql(ctx.create_request_context(), SCHEDULES).data
    return {s["name"]: s["scheduleState"]["status"] for s in data["schedulesOrError"]["results"]}


def test_the_cli_starts_schedules_and_launches_jobs_in_the_code_location_xxgk(tmp_path: Path) -> None:
    night = Nightly(tmp_path, [{"id": "east", "name": "east", "platform": "folder", "start_urls": [str(tmp_path)]}], cron="0 2 * * *")
    # the old README's command: "started", but in a location named after the module; the UI's xxgk shows them off
    old = night.dagster("schedule", "start", "--start-all", "-m", "dagster_project.definitions", workspace=False)
    assert old.returncode == 0 and "Started all schedules" in old.stdout, old.stderr
    assert _ui_schedules(night.home) == {"nightly_harvest": "STOPPED", "nightly_build": "STOPPED"}
    # the commands of docs/deployment.md
    started = night.dagster("schedule", "start", "--start-all")
    assert started.returncode == 0, started.stderr
    assert _ui_schedules(night.home) == {"nightly_harvest": "RUNNING", "nightly_build": "RUNNING"}
    with night.instance() as instance:
        states = {s.name: s.origin.location_name for s in instance.all_instigator_state()}
    assert states == {"nightly_harvest": "xxgk", "nightly_build": "xxgk"}
    launched = night.dagster("job", "launch", "-j", "build_job")
    assert launched.returncode == 0, launched.stderr
    with night.instance() as instance:
        [run] = instance.get_runs()
    assert run.job_name == "build_job" and run.status == dg.DagsterRunStatus.QUEUED  # the daemon will start it
    assert run.remote_job_origin.location_name == "xxgk" and run.tags["dagster/code_location"] == "xxgk"


def test_the_nightly_over_the_test_network_on_postgres_through_the_daemon_loses_no_run() -> None:
    """≥ 50 portals of synth/network.py (a gkmlpt site's departments share its host), a real PostgreSQL server for
    the instance, the project's run queue and host limit, the schedule started with the CLI and ticked by the
    daemon, the daemon killed (SIGKILL) and started again once a third of the runs ended: every run succeeds,
    one run per host at a time (by the runs' records), one request at a time per host (by the servers), runs of
    different hosts side by side; then the build job launched with the CLI is run by the daemon."""
    from synth.network import Network, generate

    sites = generate(53, seed=3)  # 51 portals: 9 of the 12 kinds serve reports, a departments site is 3 portals
    # a folder of its own, not pytest's tmp_path: another pytest session on this machine prunes old tmp_path roots,
    # and a Postgres whose data directory vanished shuts down
    with tempfile.TemporaryDirectory(prefix="xxgk-nightly-", ignore_cleanup_errors=True) as tmp, \
            Network(sites, slow_seconds=0.3) as net, postgres(Path(tmp) / "pg") as url:
        portals = network_portals(sites)
        assert len(portals) >= 50
        night = Nightly(Path(tmp) / "night", portals, postgres_url=url, runs_at_once=8)
        assert "postgres" in yaml.safe_load((night.home / "dagster.yaml").read_text())["storage"]
        started = night.dagster("schedule", "start", "nightly_harvest")
        assert started.returncode == 0, started.stderr
        night.start_daemon()
        try:
            night.wait_for_tick(len(portals), timeout=150)
            before = night.wait_until(lambda rs: sum(r.dagster_run.is_finished for r in rs) >= len(rs) // 3, 400)
            assert not ended(before)  # in the middle of the night
            night.kill_daemon()
            time.sleep(2)
            night.start_daemon()
            runs = night.wait_until(ended, 600, every=3)
            assert status_counts(runs) == {"SUCCESS": len(portals)}, night.tail()  # runs lost: 0
            assert sorted(r.dagster_run.tags["dagster/partition"] for r in runs) == sorted(p["id"] for p in portals)
            build = night.dagster("job", "launch", "-j", "build_job")
            assert build.returncode == 0, build.stderr
            with night.instance() as instance:
                built = night.wait_until(lambda _rs: instance.get_runs(dg.RunsFilter(job_name="build_job"))[0].is_finished, 300)
                [build_run] = instance.get_runs(dg.RunsFilter(job_name="build_job"))
            assert build_run.status == dg.DagsterRunStatus.SUCCESS, night.tail()
        finally:
            night.stop_daemon()
        site_hosts = {s.ip for s in sites}
        in_flight = {h: net.max_in_flight[h] for h in site_hosts if net.requests[h]}
    assert built
    per_host = most_at_once_per_host(runs)
    shared = [h for h, n in _runs_per_host(runs).items() if n > 1]
    assert shared and all(per_host[h] == 1 for h in per_host)  # a host's runs one after the other
    for h in shared:  # ... although they were queued together, by the same tick
        spans = sorted((r.create_timestamp.timestamp(), r.start_time, r.end_time) for r in runs if r.dagster_run.tags[d.HOST_TAG] == h)
        assert all(later[0] < earlier[2] for earlier, later in zip(spans, spans[1:]))
    assert most_runs_at_once(runs) >= 4  # different hosts side by side
    assert max(in_flight.values()) == 1
    print(json.dumps({"portals": len(portals), "hosts": len(per_host), "most_runs_at_once": most_runs_at_once(runs)}))


def _runs_per_host(runs: list) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in runs:
        h = r.dagster_run.tags[d.HOST_TAG]
        out[h] = out.get(h, 0) + 1
    return out


@pytest.fixture(autouse=True)
def _workspace_exists() -> None:
    assert WORKSPACE.exists()
