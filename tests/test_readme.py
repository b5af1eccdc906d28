"""The README's example questions give, on a fresh demo build, exactly the answers the README prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.build import Layout, demo
from warehouse.database import format_table, query

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


def test_readme_has_five_examples() -> None:
    assert len(examples()) == 5


@pytest.mark.parametrize("number", range(5))
def test_readme_example_answers(demo_db: Path, number: int) -> None:
    sql, expected = examples()[number]
    assert format_table(*query(demo_db, sql)) == expected
