"""Homonymous bodies in different places stay different reports, through crawl → build → warehouse → release.

The experiment of issue #8: four folder portals of four real counties/districts, each holding one 2023
report; two bodies print the same name 城关镇人民政府 (郧西县, 新安县), two print the short name 区统计局
(汉阳区, 碑林区), each with its own numbers.  The numbers are the seeds' hand-read goldens (and one
synthetic report), rendered as report text under the new titles.
"""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import polars as pl

from pipelines.cli import main
from synth.model import from_golden, random_report
from synth.text import Style, render_text

from .conftest import GOLDENS, load_golden

# (portal id, region, region code, printed name, expected full name, expected region code)
PORTALS = [
    ("yunxi", "郧西县", "420322", "城关镇人民政府", "郧西县城关镇人民政府", "420322100000"),
    # 新安县's 城关镇 is not in the current divisions list (its seat is now 汉关街道): county-level code, with a note
    ("xinan", "新安县", "410323", "城关镇人民政府", "新安县城关镇人民政府", "410323"),
    ("hanyang", "汉阳区", "420105", "区统计局", "武汉市汉阳区统计局", "420105"),
    ("beilin", "碑林区", "610103", "区统计局", "西安市碑林区统计局", "610103"),
]


def _reports() -> list:
    """Four different sets of 2023 numbers: the three 2023 goldens and one synthetic report."""
    goldens = [from_golden(load_golden(g)) for g in GOLDENS]
    reps = [g for g in goldens if g.year == 2023]
    reps.append(random_report(random.Random(8), "2021", consistent=True))
    return reps[:4]


def test_four_homonymous_bodies_are_four_reports(tmp_path: Path) -> None:
    reps = _reports()
    entries = []
    for (pid, region, code, printed, _full, _code), rep in zip(PORTALS, reps, strict=True):
        rep.agency, rep.year = printed, 2023
        folder = tmp_path / "portals" / pid
        folder.mkdir(parents=True)
        (folder / "report.txt").write_text(render_text(rep, Style()), encoding="utf-8")
        entries.append(f"  - id: {pid}\n    name: {region}人民政府\n    region: {region}\n    region_code: \"{code}\"\n"
                       f"    platform: folder\n    start_urls: [\"{folder}\"]\n")
    registry = tmp_path / "portals.yaml"
    registry.write_text("portals:\n" + "".join(entries), encoding="utf-8")
    data = tmp_path / "data"
    assert main(["build", "--portals", str(registry), "--data-dir", str(data)]) == 0
    assert main(["release", "--data-dir", str(data)]) == 0

    release = data / "releases" / "latest"
    reports = pl.read_parquet(release / "reports.parquet")
    assert reports.height == 4
    assert reports["report_id"].n_unique() == 4 and reports["agency_id"].n_unique() == 4
    con = duckdb.connect(str(release / "xxgk.duckdb"), read_only=True)
    for (pid, _region, _code, printed, full, region_code), rep in zip(PORTALS, reps, strict=True):
        row = reports.filter(pl.col("agency_name") == full).row(0, named=True)
        assert (row["agency"], row["region_code"], row["year"]) == (printed, region_code, 2023), pid
        facts = con.execute(
            'SELECT section, "row", "column", value FROM facts WHERE report_id = ?', [row["report_id"]]
        ).fetchall()
        expected = {k: (None if v is None else float(v)) for k, v in rep.facts.items()}
        assert {(s, r, c): v for s, r, c, v in facts} == expected, pid
    agencies = pl.read_parquet(release / "agencies.parquet")
    assert sorted(agencies["name"]) == sorted(p[4] for p in PORTALS)
    levels = dict(zip(agencies["name"], agencies["level"], strict=True))
    kinds = dict(zip(agencies["name"], agencies["kind"], strict=True))
    assert levels == {"郧西县城关镇人民政府": "township", "新安县城关镇人民政府": "township", "武汉市汉阳区统计局": "county", "西安市碑林区统计局": "county"}
    assert set(kinds.values()) == {"township_street", "department"}
    # the township missing from the divisions list is said, not guessed
    notes = con.execute("SELECT detail FROM problems WHERE kind = 'agency_note'").fetchall()
    assert len(notes) == 1 and "城关镇" in notes[0][0] and "新安县" in notes[0][0]
