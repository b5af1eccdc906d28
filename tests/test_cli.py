"""``xxgk parse``: one JSON object per document, in input order; bad files fail at the end, not first."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.cli import main

from .conftest import SAMPLES, SEEDS


def test_parse_json_in_input_order_with_errors_last_in_exit_status(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    notice = tmp_path / "notice.txt"
    notice.write_text("关于放假的通知\n全体职工：国庆放假七天。", encoding="utf-8")
    paths = [str(SEEDS[3]), str(empty), str(tmp_path / "missing.txt"), str(notice), str(SEEDS[1])]
    status = main(["parse", "--json", *paths])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert [o["path"] for o in out] == paths
    assert set(out[0]) >= {"path", "report", "facts", "checks", "errors"}
    assert out[0]["report"]["agency"] == "清远市人民政府办公室" and len(out[0]["facts"]) == 200
    assert {"section", "row", "column", "value", "raw", "note"} <= set(out[0]["facts"][0])
    assert {"name", "passed", "detail"} <= set(out[0]["checks"][0])
    assert out[1]["errors"] == ["empty document"]
    assert out[2]["errors"][0].startswith("cannot read")
    assert "not an annual" in out[3]["errors"][0]
    assert out[4]["errors"] == [] and len(out[4]["facts"]) == 198


def test_parse_summary_and_success_status(capsys) -> None:
    assert main(["parse", str(SEEDS[3])]) == 0
    out = capsys.readouterr().out
    assert "清远市人民政府办公室 2023 (2021, agency)" in out
    assert "FAILED applications.new_received: columns do not add up to total (54 != 55)" in out


def test_console_script_is_installed() -> None:
    exe = shutil.which("xxgk") or str(Path(sys.executable).parent / "xxgk")
    proc = subprocess.run([exe, "parse", "--json", str(SAMPLES / "002_36d1a55e0ab3299b.txt")], capture_output=True, text=True, check=True)
    obj = json.loads(proc.stdout)
    assert obj["report"]["agency"] == "乐清市融媒体中心"


def test_parse_a_folder(capsys) -> None:
    assert main(["parse", "--json", str(SAMPLES)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(o["path"]).name for o in out] == [s.name for s in SEEDS]
    assert sum(len(o["facts"]) for o in out) == 989
