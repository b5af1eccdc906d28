"""The demo's one body with two years of reports, so that change over time can be shown (issue #24).

The five sample reports are five different bodies, one year each: nothing in the demo could show how one body's
answers changed.  No second year of any sample body could be read in full from public sources here, and a sample
body must never be given numbers it did not print, so this body is **synthetic and says so**: its name is
``乐清市示例局`` (示例 = "example"), it is served on its own demo site (``/ex/``, registry entry ``example-demo``),
and its numbers are generated from a fixed seed — consistent with every identity of the 2021 template, and with
the carried-over applications of 2022 equal to those brought into 2023 (the continuity check across years).
"""

from __future__ import annotations

import random

from synth.model import APPLICANTS, SynthReport, random_report

AGENCY = "乐清市示例局"
YEARS = (2022, 2023)
SEED = 2024


def example_reports() -> list[SynthReport]:
    """Two years of the example body, the same on every run and every machine (a fixed seed)."""
    rng = random.Random(SEED)
    out: list[SynthReport] = []
    for year in YEARS:
        rep = random_report(rng, "2021", note_rate=0.0, consistent=True)
        rep.agency, rep.year, rep.published_on = AGENCY, year, f"{year + 1}-01-{15 + len(out):02d}"
        rep.notes.clear()
        if out:
            _carry_over(out[-1], rep)
        out.append(rep)
    return out


def _carry_over(before: SynthReport, rep: SynthReport) -> None:
    """Applications pending at the end of ``before``'s year are those brought into ``rep``'s: the new year's
    received count is then set so that its own identity holds (never below zero: pending ones are added)."""
    f = rep.facts
    for col in APPLICANTS[:-1]:
        f[("applications", "carried_over_prev", col)] = before.facts[("applications", "carried_over_next", col)]
        received = f[("applications", "processed_total", col)] + f[("applications", "carried_over_next", col)] - f[("applications", "carried_over_prev", col)]
        if received < 0:
            f[("applications", "carried_over_next", col)] -= received
            received = 0
        f[("applications", "new_received", col)] = received
    for row in ("carried_over_prev", "carried_over_next", "new_received"):
        f[("applications", row, "total")] = sum(f[("applications", row, c)] for c in APPLICANTS[:-1])


__all__ = ["AGENCY", "YEARS", "example_reports"]
