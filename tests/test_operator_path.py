"""The operator's path as a new operator walks it (#22, item 4): the demo portal run on its own, discovery against it
giving entries with a name and a region, the registry check flagging what discovery could not know."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from pipelines.cli import main
from portals.check import check

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_portal_runs_on_its_own_and_discovery_names_and_places_its_sites(tmp_path: Path, capsys) -> None:
    exe = shutil.which("xxgk") or str(Path(sys.executable).parent / "xxgk")
    port = _free_port()
    registry = tmp_path / "demo.yaml"
    proc = subprocess.Popen([exe, "demo-portal", "--port", str(port), "--registry", str(registry)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                home = urllib.request.urlopen(base + "/", timeout=2).read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(proc.stderr.read() if proc.poll() is not None else "the demo portal did not answer")
        for site in ("/yq/", "/qy/", "/trs/index.html", "/blocked/"):
            assert f'href="{site}"' in home  # the home page links each site
        assert registry.exists() and "{base}" not in registry.read_text(encoding="utf-8")
        assert main(["crawl", "--portals", str(registry), "--portal", "yueqing-demo", "--data-dir", str(tmp_path / "data")]) == 0
        out = tmp_path / "found.yaml"
        assert main(["discover", f"{base}/yq/", f"{base}/qy/", "--out", str(out)]) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
    found = {e["platform"]: e for e in yaml.safe_load(out.read_text(encoding="utf-8"))["portals"]}
    # a body's name and its region from the divisions table, not a slug of the address
    assert (found["hanweb"]["name"], found["hanweb"]["region"], found["hanweb"]["region_code"]) == ("乐清市人民政府", "乐清市", "330382")
    assert (found["gkmlpt"]["name"], found["gkmlpt"]["region"], found["gkmlpt"]["region_code"]) == ("清远市人民政府", "清远市", "441800")
    # the entries pass the registry check (loopback entries need no public source)
    assert check(out).problems == []
    capsys.readouterr()
