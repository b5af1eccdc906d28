"""Property: random facts in both formats, rendered the way real reports lay them out, parse back exactly."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.media import parse_bytes
from synth.model import random_report
from synth.text import LAYOUTS, random_style, render_text


def _roundtrip(seed: int, fmt: str, layout: str) -> None:
    rng = random.Random(seed)
    rep = random_report(rng, fmt)
    style = random_style(rng, layout)
    text = render_text(rep, style)
    result = parse_bytes(text.encode("utf-8"))
    got = {(f.section, f.row, f.column): (f.value, f.note) for f in result.facts}
    want = {k: (v, rep.notes.get(k)) for k, v in rep.facts.items()}
    assert result.report.format == fmt, style
    assert result.report.agency == rep.agency
    assert result.report.year == rep.year
    assert result.report.published_on == rep.published_on
    assert got == want, (style, [p for p in result.problems][:5])
    # nothing left unexplained: no problems on a complete, well-formed report
    assert result.problems == [], style


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    fmt=st.sampled_from(["legacy", "2021"]),
    layout=st.sampled_from(LAYOUTS),
)
def test_render_parse_roundtrip(seed: int, fmt: str, layout: str) -> None:
    _roundtrip(seed, fmt, layout)


def test_roundtrip_every_layout_and_format() -> None:
    for layout in LAYOUTS:
        for fmt in ("legacy", "2021"):
            for seed in range(10):
                _roundtrip(seed, fmt, layout)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_checks_hold_on_consistent_reports(seed: int) -> None:
    """A report whose numbers satisfy the identities passes every check; breaking one cell fails it."""
    rng = random.Random(seed)
    rep = random_report(rng, "2021", null_rate=0.0, note_rate=0.0)
    apps = [k for k in rep.facts if k[0] == "applications"]
    rows = sorted({k[1] for k in apps})
    parts = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org"]
    for row in rows:
        rep.facts[("applications", row, "total")] = sum(rep.facts[("applications", row, c)] for c in parts)
    for g in ("admin_review", "litigation_direct", "litigation_after_review"):
        rep.facts[("reviews", g, "total")] = sum(rep.facts[("reviews", g, c)] for c in ("upheld", "corrected", "other", "pending"))
    result = parse_bytes(render_text(rep, random_style(rng)).encode())
    row_checks = [c for c in result.checks if c.name.count(".") == 1]
    assert row_checks and all(c.passed for c in row_checks)
    rep.facts[("applications", "granted", "total")] += 1
    result = parse_bytes(render_text(rep, random_style(rng)).encode())
    bad = [c for c in result.checks if not c.passed]
    assert [c.name for c in bad if c.name == "applications.granted"] == ["applications.granted"]
    assert {f.value for f in result.facts if f.row == "granted" and f.column == "total"} == {
        rep.facts[("applications", "granted", "total")]
    }
