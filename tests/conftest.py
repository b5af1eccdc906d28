"""Shared fixtures: the five hand-read seed reports (copied from ../shared into data/samples, their one home in
the repository: the demo serves the same files) and their goldens (tests/fixtures/golden)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers.document import from_text
from parsers.model import ParseResult
from parsers.report import parse_document

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SEEDS = sorted(SAMPLES.glob("*.txt"))
GOLDENS = sorted((FIXTURES / "golden").glob("*.json"))
# the seeds as Word 97 files written by LibreOffice (tests/fixtures/word97/make_fixtures.py), and one as .wps
WORD97_FIXTURES = sorted([*(FIXTURES / "word97").glob("*.doc"), *(FIXTURES / "word97").glob("*.wps")])


def load_golden(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def parse_text(text: str) -> ParseResult:
    return parse_document(from_text(text), "snippet")


def values(result: ParseResult) -> dict[tuple[str, str, str], object]:
    return {(f.section, f.row, f.column): f.value for f in result.facts}


@pytest.fixture(params=GOLDENS, ids=lambda p: p.stem)
def golden(request: pytest.FixtureRequest) -> dict:
    return load_golden(request.param)
