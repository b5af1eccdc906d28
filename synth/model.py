"""Synthetic reports: a set of facts plus the metadata to print around them.

Used by the round-trip property tests (render → parse → the same facts), by the benchmarks, and by
the demo portal, which serves the sample reports in every medium.  The label wording comes from the
vocabulary, so a synthetic report prints what the national templates print.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from parsers.templates import expected_rows

Key = tuple[str, str, str]
Number = int | float

# The columns each proactive row prints, per format (the national templates' sub-tables).
PROACTIVE_BLOCKS: dict[str, list[tuple[str, list[str], list[str]]]] = {
    "2021": [
        ("一", ["issued", "repealed", "in_force"], ["regulations", "normative_documents"]),
        ("五", ["decisions"], ["administrative_licensing"]),
        ("六", ["decisions"], ["administrative_penalty", "administrative_coercion"]),
        ("八", ["fee_amount_10k_yuan"], ["administrative_fees"]),
    ],
    "legacy": [
        ("一", ["produced", "published", "total_published"], ["regulations", "normative_documents"]),
        ("五", ["items_prev_year", "items_change", "decisions"], ["administrative_licensing", "other_external_services"]),
        ("六", ["items_prev_year", "items_change", "decisions"], ["administrative_penalty", "administrative_coercion"]),
        ("八", ["items_prev_year", "items_change"], ["administrative_fees"]),
        ("九", ["procurement_items", "procurement_amount_10k_yuan"], ["centralized_procurement"]),
    ],
}
APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org", "total"]
REVIEW_GROUPS = ["admin_review", "litigation_direct", "litigation_after_review"]
REVIEW_COLS = ["upheld", "corrected", "other", "pending", "total"]


@dataclass
class SynthReport:
    agency: str
    year: int
    format: str  # "legacy" | "2021"
    facts: dict[Key, Number | None] = field(default_factory=dict)
    notes: dict[Key, str] = field(default_factory=dict)
    published_on: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def keys(self) -> list[Key]:
        return all_keys(self.format)


def all_keys(fmt: str) -> list[Key]:
    keys: list[Key] = []
    for _clause, cols, rows in PROACTIVE_BLOCKS[fmt]:
        keys += [("proactive", r, c) for r in rows for c in cols]
    keys += [("applications", r, c) for r in expected_rows("applications", fmt) for c in APPLICANTS]
    keys += [("reviews", g, c) for g in REVIEW_GROUPS for c in REVIEW_COLS]
    return keys


NOTES = ["撤回", "市自然资源和规划局", "申请人撤诉", "已结案"]


def random_report(
    rng: random.Random, fmt: str, *, null_rate: float = 0.05, note_rate: float = 0.03, consistent: bool = False
) -> SynthReport:
    """Random numbers in every cell of the format; some "no number" cells, some notes.

    ``consistent`` makes the tables satisfy every accounting identity, as most real reports do
    (and no cell is null then).
    """
    if consistent:
        rep = random_report(rng, fmt, null_rate=0.0, note_rate=note_rate)
        make_consistent(rep)
        return rep
    year = rng.choice([2019, 2020]) if fmt == "legacy" else rng.choice([2021, 2022, 2023, 2024])
    agency = rng.choice(["乐清市人民政府办公室", "乐清市市场监督管理局", "清远市自然资源局", "清远市清城区人民政府办公室"])
    rep = SynthReport(agency, year, fmt, published_on=f"{year + 1}-01-{rng.randint(10, 31):02d}")
    for key in rep.keys():
        if rng.random() < null_rate:
            rep.facts[key] = None
            continue
        col = key[2]
        if col.endswith("10k_yuan"):
            v: Number = round(rng.uniform(0, 5000), rng.choice([0, 1, 2]))
            rep.facts[key] = int(v) if float(v).is_integer() else v
        elif col == "items_change":
            rep.facts[key] = rng.randint(-500, 500)
        else:
            rep.facts[key] = rng.choice([0, 0, 0, rng.randint(0, 20), rng.randint(0, 200000)])
        if key[0] == "reviews" and rng.random() < note_rate * 5 or rng.random() < note_rate:
            rep.notes[key] = rng.choice(NOTES)
    return rep


def from_golden(golden: dict) -> SynthReport:
    """A seed report's hand-read numbers and metadata, to render into every medium."""
    rep = golden["report"]
    out = SynthReport(rep["agency"], rep["year"], rep["format"], published_on=rep.get("published_on"))
    for f in golden["facts"]:
        key = (f["section"], f["row"], f["column"])
        out.facts[key] = f["value"]
        if f.get("note"):
            out.notes[key] = f["note"]
    return out


def make_consistent(rep: SynthReport) -> None:
    """Set totals so that every identity of the vocabulary holds."""
    parts = APPLICANTS[:-1]
    f = rep.facts
    outcome_rows = [r for r in expected_rows("applications", rep.format) if r not in ("new_received", "carried_over_prev", "processed_total", "carried_over_next")]
    for c in parts:
        for r in outcome_rows + ["carried_over_prev", "carried_over_next"]:
            f[("applications", r, c)] = rng_small(f[("applications", r, c)])
        f[("applications", "processed_total", c)] = sum(f[("applications", r, c)] for r in outcome_rows)
        f[("applications", "new_received", c)] = (
            f[("applications", "processed_total", c)] + f[("applications", "carried_over_next", c)] - f[("applications", "carried_over_prev", c)]
        )
        if f[("applications", "new_received", c)] < 0:
            f[("applications", "carried_over_prev", c)] += f[("applications", "new_received", c)]
            f[("applications", "new_received", c)] = 0
    for r in expected_rows("applications", rep.format):
        f[("applications", r, "total")] = sum(f[("applications", r, c)] for c in parts)
    for g in REVIEW_GROUPS:
        for c in REVIEW_COLS[:-1]:
            f[("reviews", g, c)] = rng_small(f[("reviews", g, c)]) % 10
        f[("reviews", g, "total")] = sum(f[("reviews", g, c)] for c in REVIEW_COLS[:-1])


def rng_small(v: Number | None) -> int:
    """Application counts are small in real reports; fold large random numbers down."""
    return int(v or 0) % 50
