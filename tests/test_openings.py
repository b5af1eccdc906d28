"""Year and agency from real report openings: right or null, never wrong.

The fixtures (``tests/fixtures/openings/``) are the first paragraphs of 61 real reports from 29
provincial-level regions, copied from the bodies' portals (each entry of ``expected.json`` names its
source and says where the year and the body are printed).  Many have no title: the page's text starts
with the body of the report.  Expected values were read by a person; null where the text does not say.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from identity.agency import Context, resolve
from identity.divisions import divisions
from identity.names import canonical
from parsers.document import from_text
from parsers.metadata import find_agency, find_title, find_year
from parsers.values import normalize

OPENINGS = Path(__file__).parent / "fixtures" / "openings"
EXPECTED: dict[str, dict] = json.loads((OPENINGS / "expected.json").read_text(encoding="utf-8"))


def _portal_region(e: dict) -> str | None:
    """The region of the portal the opening was published on (the fixture's source site), as a registry would give it."""
    table = divisions()
    province = next(d for d in table.by_name[e["province"]] if d.level == "province")
    if not e.get("region"):
        return province.code
    inside = [d for d in table.by_name.get(e["region"], ()) if table.within(d.code, province.code)]
    return inside[0].code if len(inside) == 1 else province.code


def _read(name: str) -> tuple[int | None, str | None, str | None]:
    text = (OPENINGS / name).read_text(encoding="utf-8")
    doc = from_text(text)
    title = find_title(doc)
    year, _ = find_year(title, normalize(text))
    agency, source = find_agency(title, doc)
    return year, agency, source


def _same_body(found: str, e: dict) -> bool:
    """The name found is the expected one as printed, or names the same body in the portal's region."""
    if e["agency"] is None:
        return False
    if canonical(found) in {canonical(e["agency"]), canonical(e["agency_full"] or "")}:
        return True
    ctx = Context(region_code=_portal_region(e))
    a, b = resolve(found, "title", ctx), resolve(e["agency_full"] or e["agency"], "title", ctx)
    return a.agency_id is not None and a.agency_id == b.agency_id


def test_the_fixtures_are_many_and_varied() -> None:
    assert len(EXPECTED) >= 30
    assert len({e["province"] for e in EXPECTED.values()}) >= 10
    assert all(e["source"] and (OPENINGS / name).exists() for name, e in EXPECTED.items())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_year_and_agency_are_right_or_null(name: str) -> None:
    e = EXPECTED[name]
    year, agency, _source = _read(name)
    assert year is None or year == e["year"], f"{name}: year {year}, printed {e['year']} ({e['why']})"
    assert agency is None or _same_body(agency, e), f"{name}: agency {agency!r}, printed {e['agency']!r} ({e['why']})"


def test_most_years_and_agencies_are_found() -> None:
    """Null is allowed, not free: the readers must find what most openings print."""
    found = [(_read(n), e) for n, e in EXPECTED.items()]
    years = [y for (y, _a, _s), e in found if e["year"] is not None]
    agencies = [a for (_y, a, _s), e in found if e["agency"] is not None]
    assert sum(y is not None for y in years) >= 0.8 * len(years)
    assert sum(a is not None for a in agencies) >= 0.6 * len(agencies)


def test_resolved_with_the_portals_region() -> None:
    """Where the opening names its body, resolution in the portal's region gives a full name and a code."""
    resolved = 0
    for name, e in EXPECTED.items():
        _y, agency, source = _read(name)
        if agency is None:
            continue
        a = resolve(agency, source, Context(region_code=_portal_region(e)))
        if a.agency_id:
            resolved += 1
            assert divisions().within(a.region_code, _portal_region(e)) or divisions().within(_portal_region(e), a.region_code), name
    assert resolved >= 25
