"""Issue #13: the real registry validates offline, and the check finds what the schema alone cannot."""

from __future__ import annotations

from pathlib import Path

from identity.divisions import divisions
from pipelines.cli import main
from portals.check import check
from portals.registry import load_portals

REPO = Path(__file__).resolve().parents[1]
REGISTRY = REPO / "data" / "portals.yaml"


def test_the_registry_checks_clean(capsys) -> None:
    assert main(["registry", "check", "--portals", str(REGISTRY)]) == 0
    out = capsys.readouterr().out
    assert "广东省" in out and "浙江省" in out


def test_the_registry_covers_the_prefecture_level_cities_of_two_provinces_with_sources() -> None:
    """Every entry names where it came from; the cities are counted against the divisions table, not a list here."""
    ref = divisions()
    portals = load_portals(REGISTRY)
    assert all(p.options.get("source") for p in portals)
    for province, at_least in (("440000", 0.8), ("330000", 0.8)):
        cities = {d.code for d in ref if d.level == "prefecture" and d.parent == province}
        covered = {p.region_code for p in portals if p.region_code in cities}
        assert cities and len(covered) >= at_least * len(cities), (province, sorted(cities - covered))


def test_the_check_finds_bad_shapes_duplicates_regions_and_missing_sources(tmp_path: Path) -> None:
    bad = tmp_path / "portals.yaml"
    bad.write_text(
        "portals:\n"
        "  - {id: a, name: A, platform: gkmlpt, start_urls: ['http://www.a.gov.cn/gkmlpt/policy'], source: x}\n"
        "  - {id: b, name: B, platform: hanweb, start_urls: ['http://www.b.gov.cn/col/col12/index.html'], source: x,"
        " region: 乐清市, region_code: '441800'}\n"
        "  - {id: c, name: C, platform: hanweb, start_urls: ['http://www.b.gov.cn/col/col12/index.html']}\n",
        encoding="utf-8",
    )
    problems = "\n".join(check(bad).problems)
    assert "a: start URL http://www.a.gov.cn/gkmlpt/policy is not a gkmlpt start page" in problems
    assert "b: region '乐清市' but region_code 441800 is 清远市" in problems
    assert "c: starts at http://www.b.gov.cn/col/col12/index.html, as b does" in problems
    assert "c: not verified by a crawl and no source given" in problems
    assert main(["registry", "check", "--portals", str(bad)]) == 1


def test_a_missing_region_is_flagged_and_local_entries_are_not_counted_as_sourced(tmp_path: Path, capsys) -> None:
    """#22: an entry without region or region_code is a problem; loopback entries without a source are counted apart."""
    reg = tmp_path / "portals.yaml"
    reg.write_text(
        "portals:\n"
        "  - {id: a, name: A, platform: hanweb, start_urls: ['http://www.a.gov.cn/col/col12/index.html'], source: x}\n"
        "  - {id: b, name: B, platform: hanweb, start_urls: ['http://127.0.0.1:8080/col/col12/index.html'], region: 乐清市,"
        " region_code: '330382'}\n"
        "  - {id: c, name: C, platform: hanweb, start_urls: ['http://www.c.gov.cn/col/col12/index.html'], source: y, region: 乐清市,"
        " region_code: '330382'}\n",
        encoding="utf-8",
    )
    report = check(reg)
    assert report.problems == ["a: no region: give region and region_code (its reports are placed by them)"]
    assert main(["registry", "check", "--portals", str(reg)]) == 1
    out = capsys.readouterr().out
    assert "from public sources, not yet crawled: 2" in out  # a and c, not the loopback b
    assert "local (loopback or folder) entries without a source: 1" in out
