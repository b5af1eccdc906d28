"""The README's example questions give, on a fresh demo build, exactly the answers the README prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.build import Layout, demo
from pipelines.output import format_table
from warehouse.database import query

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = re.compile(r"<!-- example -->\n```sql\n(?P<sql>.*?)```\n```text\n(?P<out>.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [(m.group("sql").strip(), m.group("out").rstrip("\n")) for m in EXAMPLE.finditer(text)]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    assert demo(root, REPO / "data" / "samples") == 0
    return Layout(root).db


def test_readme_has_nine_examples() -> None:
    assert len(examples()) == 9


@pytest.mark.parametrize("number", range(9))
def test_readme_example_answers(demo_db: Path, number: int) -> None:
    sql, expected = examples()[number]
    assert format_table(*query(demo_db, sql)) == expected


def test_every_demo_report_is_tied_to_a_body_in_a_place(demo_db: Path) -> None:
    """Issue #8: region code, level and kind for every report the demo portal serves, and the regions behind them."""
    names, rows = query(demo_db, "SELECT agency_name, region_code, agency_level, agency_kind, province FROM v_reports")
    assert rows and all(all(v is not None for v in row) for row in rows), rows
    _, n = query(demo_db, "SELECT count(*) FROM agencies")
    assert n[0][0] == len(rows)
