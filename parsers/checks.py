"""The tables' own accounting identities, evaluated per report (and across years per agency).

A failed identity is a finding about the source: it is recorded with the numbers involved, and the
facts keep the values as printed.  An identity whose numbers were not all printed is not evaluated
(nothing is recorded for it) rather than counted as passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .model import Check, Fact, Number
from .vocabulary import APPLICANT_COLUMNS, APPLICANT_PARTS, OUTCOME_ROWS, REVIEW_PARTS, REVIEW_ROWS

_EPS = 1e-6


def _index(facts: Iterable[Fact]) -> dict[tuple[str, str, str], Number | None]:
    return {(f.section, f.row, f.column): f.value for f in facts if not f.derived}


def _fmt(x: Number) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _sum_check(name: str, parts: dict[str, Number | None], total: Number | None, what: str) -> Check | None:
    if total is None or not parts or any(v is None for v in parts.values()):
        return None
    s = sum(v for v in parts.values() if v is not None)
    ok = abs(s - total) < _EPS
    detail = f"{what} add up to total ({_fmt(s)} == {_fmt(total)})" if ok else f"{what} do not add up to total ({_fmt(s)} != {_fmt(total)})"
    values: dict[str, Number] = {k: v for k, v in parts.items() if v is not None}
    values["total"] = total
    return Check(name, ok, detail, values)


def check_report(facts: Sequence[Fact]) -> list[Check]:
    """Every identity of the vocabulary that the printed numbers allow evaluating."""
    idx = _index(facts)
    checks: list[Check] = []
    app_rows = sorted({r for (s, r, _c) in idx if s == "applications"}, key=_row_order)

    # every row of applications: the six applicant columns add up to total
    for row in app_rows:
        parts = {c: idx.get(("applications", row, c)) for c in APPLICANT_PARTS if ("applications", row, c) in idx}
        if len(parts) == len(APPLICANT_PARTS):
            c = _sum_check(f"applications.{row}", parts, idx.get(("applications", row, "total")), "columns")
            if c:
                checks.append(c)

    # every column of applications: leaf outcome rows add up to processed_total; and the balance
    for col in (c.code for c in APPLICANT_COLUMNS):
        total = idx.get(("applications", "processed_total", col))
        leaves = {r: idx.get(("applications", r, col)) for r in OUTCOME_ROWS if ("applications", r, col) in idx}
        if ("applications", "processed_total", col) in idx and leaves:
            c = _sum_check(f"applications.{col}.outcomes", leaves, total, "outcome rows")
            if c:
                checks.append(c)
        a = idx.get(("applications", "new_received", col))
        b = idx.get(("applications", "carried_over_prev", col))
        p = idx.get(("applications", "processed_total", col))
        n = idx.get(("applications", "carried_over_next", col))
        if None not in (a, b, p, n):
            assert a is not None and b is not None and p is not None and n is not None
            left, right = a + b, p + n
            ok = abs(left - right) < _EPS
            rel = "==" if ok else "!="
            checks.append(
                Check(
                    f"applications.{col}.balance",
                    ok,
                    f"new_received + carried_over_prev {rel} processed_total + carried_over_next "
                    f"({_fmt(left)} {rel} {_fmt(right)})",
                    {"new_received": a, "carried_over_prev": b, "processed_total": p, "carried_over_next": n},
                )
            )

    # every row of reviews: upheld + corrected + other + pending = total
    for row in (r.code for r in REVIEW_ROWS):
        parts = {c: idx.get(("reviews", row, c)) for c in REVIEW_PARTS if ("reviews", row, c) in idx}
        if len(parts) == len(REVIEW_PARTS):
            c = _sum_check(f"reviews.{row}", parts, idx.get(("reviews", row, "total")), "columns")
            if c:
                checks.append(c)
    return checks


def _row_order(code: str) -> int:
    from .vocabulary import APPLICATION_ROWS

    order = [c.code for c in APPLICATION_ROWS]
    return order.index(code) if code in order else len(order)


def check_continuity(
    reports: Iterable[tuple[str, int, Sequence[Fact]]],
) -> list[tuple[str, int, Check]]:
    """Across years, for one agency: carried_over_next of year Y equals carried_over_prev of Y+1.

    Takes ``(agency, year, facts)`` and returns ``(agency, year_of_the_later_report, check)``.
    """
    by_key: dict[tuple[str, int], dict[tuple[str, str, str], Number | None]] = {}
    for agency, year, facts in reports:
        by_key[(agency, year)] = _index(facts)
    out: list[tuple[str, int, Check]] = []
    for (agency, year), idx in sorted(by_key.items()):
        prev = by_key.get((agency, year - 1))
        if prev is None:
            continue
        for col in (c.code for c in APPLICANT_COLUMNS):
            before = prev.get(("applications", "carried_over_next", col))
            now = idx.get(("applications", "carried_over_prev", col))
            if before is None or now is None:
                continue
            out.append((agency, year, continuity_check(col, year, before, now)))
    return out


def continuity_check(col: str, year: int, before: Number, now: Number) -> Check:
    """What year − 1 carried over (``before``) against what ``year`` received as carried over (``now``)."""
    ok = abs(before - now) < _EPS
    rel = "==" if ok else "!="
    return Check(
        f"continuity.{col}",
        ok,
        f"carried_over_next {year - 1} {rel} carried_over_prev {year} ({_fmt(before)} {rel} {_fmt(now)})",
        {"carried_over_next_prev_year": before, "carried_over_prev": now},
    )
