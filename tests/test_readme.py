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
    assert n[0][0] == len({row[0] for row in rows})  # one body reports two years (synth/example_body.py)


def test_the_demo_has_one_body_over_two_years(demo_db: Path) -> None:
    """Issue #24: change over time can be shown on the demo: the synthetic example body's two reports are read with
    every number it printed, and the applications pending at the end of its first year are those brought into the
    second (the continuity check across years ran and passed)."""
    from synth.example_body import AGENCY, example_reports

    printed = {(rep.year, *key): value for rep in example_reports() for key, value in rep.facts.items()}
    _, rows = query(demo_db, "SELECT r.year, f.section, f.row, f.column, f.value FROM facts f JOIN reports r USING (report_id) "
                             f"WHERE r.agency = '{AGENCY}' AND NOT f.derived")
    assert {(y, s, r, c): v for y, s, r, c, v in rows} == printed
    _, agencies = query(demo_db, f"SELECT n_reports, first_year, last_year FROM agencies WHERE name = '{AGENCY}'")
    assert agencies == [(2, 2022, 2023)]
    _, checks = query(demo_db, "SELECT count(*), bool_and(passed) FROM checks JOIN reports USING (report_id) "
                               f"WHERE agency = '{AGENCY}' AND name LIKE 'continuity.%'")
    assert checks == [(7, True)]
