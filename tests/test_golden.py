"""The five seed reports parse to exactly the numbers read by hand in their goldens."""

from __future__ import annotations

from parsers.media import parse_path

from .conftest import SAMPLES


def _parse(golden: dict):
    return parse_path(SAMPLES / golden["source"].split("/")[-1])


def test_every_fact_matches_the_golden(golden: dict) -> None:
    result = _parse(golden)
    assert result.errors == []
    got = {(f.section, f.row, f.column): (f.value, f.note) for f in result.facts}
    want = {(f["section"], f["row"], f["column"]): (f["value"], f.get("note")) for f in golden["facts"]}
    assert got == want


def test_values_keep_their_type(golden: dict) -> None:
    result = _parse(golden)
    by_key = {(f.section, f.row, f.column): f.value for f in result.facts}
    for f in golden["facts"]:
        assert type(by_key[(f["section"], f["row"], f["column"])]) is type(f["value"])


def test_metadata_matches_the_golden(golden: dict) -> None:
    report = _parse(golden).report.as_dict()
    for field, value in golden["report"].items():
        assert report[field] == value, field


def test_expected_failed_checks_are_reported(golden: dict) -> None:
    result = _parse(golden)
    failed = {f"{c.name}: {c.detail}" for c in result.checks if not c.passed}
    for expected in golden.get("expected_failed_checks", []):
        assert expected in failed
    if not golden.get("expected_failed_checks"):
        # the other seeds are consistent as printed
        assert failed == set()


def test_failed_identity_keeps_the_printed_value() -> None:
    result = parse_path(SAMPLES / "003_94bb7cf4c5429941.txt")
    facts = {(f.row, f.column): f.value for f in result.facts if f.section == "applications"}
    assert facts[("new_received", "total")] == 55
    assert facts[("new_received", "natural_person")] == 51
    check = next(c for c in result.checks if c.name == "applications.new_received")
    assert not check.passed
    assert check.values["total"] == 55 and check.values["natural_person"] == 51


def test_short_row_is_left_out_and_explained() -> None:
    """002 prints 四、结转下年度继续办理 with six cells for seven columns."""
    result = parse_path(SAMPLES / "002_36d1a55e0ab3299b.txt")
    assert not [f for f in result.facts if f.row == "carried_over_next"]
    problem = next(p for p in result.problems if p.row == "carried_over_next")
    assert problem.kind == "unplaceable_row"
    assert "6 numbers printed for 7 columns" in problem.detail


def test_every_fact_points_to_where_it_was_printed(golden: dict) -> None:
    path = SAMPLES / golden["source"].split("/")[-1]
    lines = path.read_text(encoding="utf-8").split("\n")
    result = parse_path(path)
    assert len(result.report.sha256 or "") == 64
    for f in result.facts:
        assert f.location.line is not None
        printed = lines[f.location.line - 1]
        # the number as printed starts on that line (a note may continue on the next lines)
        first = f.raw.split()[0][:2]
        assert first in printed, (f, printed)
