"""Issue #14: the narrative's statements of table quantities against the tables (parsers/statements.py).

The seeds are real reports (../shared/seeds, copied into data/samples): each statement below was read by hand
from their text, with the table's printed value beside it.  清远市 2023 really disagrees with itself: its text
says 法人或其他组织申请件4宗 while its table's five columns add up to 3 (and its total, 55, to 51 + 4).
"""

from __future__ import annotations

import pytest

from parsers.document import from_text
from parsers.media import parse_path
from parsers.report import parse_document

from .conftest import SEEDS

# seed: {check: (said, printed)} read by hand from the seed's text and tables
EXPECTED = {
    "000": {"text.new_received.total": (70, 70), "text.carried_over_prev.total": (0, 0), "text.processed_total.total": (69, 69),
            "text.carried_over_next.total": (1, 1), "text.admin_review.total": (0, 0), "text.litigation.total": (0, 0)},
    "001": {"text.new_received.total": (0, 0), "text.admin_review.total": (0, 0), "text.litigation.total": (0, 0)},
    "002": {"text.new_received.total": (0, 0)},
    "003": {"text.new_received.total": (55, 55), "text.carried_over_prev.total": (3, 3), "text.carried_over_next.total": (4, 4),
            "text.new_received.natural_person": (51, 51), "text.new_received.legal_persons": (4, 3), "text.admin_review.total": (2, 2),
            # 予以公开及部分公开10宗 … 不予公开3宗 … 无法提供37宗 … 不予处理4宗
            "text.granted_or_partially.total": (10, 10), "text.denied.total": (3, 3), "text.unable.total": (37, 37),
            "text.rejected.total": (4, 4)},
    # 全市 450 twice (both statements of the city's own total); 其中市政府收到申请72件，包括已按时办结66件，转下年度继续办理6件 is
    # the city government's own share: never compared with the city's table
    "004": {"text.new_received.total": (450, 450), "text.new_received.total#2": (450, 450)},
}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_the_seeds_statements_against_their_tables(seed) -> None:
    r = parse_path(seed)
    got = {c.name: (c.values["text"], c.values["table"]) for c in r.checks if c.name.startswith("text.")}
    assert got == EXPECTED[seed.stem[:3]]
    for c in r.checks:
        if c.name.startswith("text."):
            assert c.passed == (c.values["text"] == c.values["table"])
            assert "line " in c.detail and "the text says" in c.detail


def test_a_disagreement_is_a_finding_and_never_changes_a_number() -> None:
    seed = next(s for s in SEEDS if s.stem.startswith("003"))
    r = parse_path(seed)
    failed = [c for c in r.checks if c.name.startswith("text.") and not c.passed]
    assert [c.name for c in failed] == ["text.new_received.legal_persons"]
    assert "法人或其他组织申请件4宗" in failed[0].detail
    orgs = ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org")
    assert sum(f.value for f in r.facts if f.section == "applications" and f.row == "new_received" and f.column in orgs) == 3


def _checks(prose: str) -> tuple[list[tuple[float, float]], int]:
    """The (said, printed) of every statement of new applications in a synthetic 2021 report (tables and an
    opening sentence from synth/, which restates the number: the last item) with ``prose`` put first; ``{n}`` is
    the report's printed number of new applications."""
    import random

    from synth.model import random_report
    from synth.text import Style, render_text

    rep = random_report(random.Random(3), "2021", consistent=True)
    n = int(rep.facts[("applications", "new_received", "total")])
    lines = render_text(rep, Style()).split("\n")
    text = "\n".join([lines[0], prose.format(n=n, m=n + 100, k=max(n - 1, 0)), *lines[1:]])
    checks = [c for c in parse_document(from_text(text), "x.txt").checks if c.name.startswith("text.new_received.total")]
    return [(c.values["text"], c.values["table"]) for c in checks], n


def test_only_clear_statements_about_applications_count() -> None:
    got, n = _checks("本年度共收到政府信息公开申请{n}件。")
    assert got == [(n, n), (n, n)]
    assert _checks("本年度共收到政府信息公开申请二十六件。")[0] == [(n, n)]  # Chinese numerals: not read, never guessed
    assert _checks("12345热线共计收到群众来电991起，受理{m}起。")[0] == [(n, n)]  # not about disclosure applications
    got, n = _checks("共收到申请{n}件，其中县民政局收到申请{k}件，包括办结{k}件。")  # the rest is another body's share
    assert got == [(n, n), (n, n)]
    got, n = _checks("本年度收到政府信息公开申\n请{n}件，其中{k}件已答复。")  # wrapped over two lines
    assert got == [(n, n), (n, n)]
    got, n = _checks("本年度收到政府信息公开申请{m}件。")  # a real disagreement is recorded, the table's number kept
    assert got == [(n + 100, n), (n, n)]


def test_real_sentences_from_public_sources() -> None:
    """Sentences copied from real reports (tests/fixtures/statements/real_sentences.json, each with the address of
    its stored copy): every statement read, with the number said, and nothing else."""
    import json
    from pathlib import Path

    from parsers.statements import statements

    data = json.loads((Path(__file__).parent / "fixtures" / "statements" / "real_sentences.json").read_text(encoding="utf-8"))
    for r in data["reports"]:
        found: dict[str, float] = {}
        for st, said, _sentence, _line in statements(from_text("\n".join(r["sentences"]))):
            found.setdefault(st.name, said)
        assert found == r["said"], r["report"]


def test_a_real_disagreement_from_a_public_source_is_recorded() -> None:
    """上海市人民政府办公厅 2019: its words say 予以公开及部分公开258件 and 无法提供265件; its table prints 275 and 337.
    Its sentences against its printed figures give two failed checks, the rest agree."""
    import json
    from pathlib import Path

    from parsers.model import Fact
    from parsers.statements import STATEMENTS, text_checks

    r = json.loads((Path(__file__).parent / "fixtures" / "statements" / "real_sentences.json").read_text(encoding="utf-8"))["reports"][0]
    by_name = {s.name: s for s in STATEMENTS}
    facts = []
    for name, value in r["printed"].items():  # the printed figure, put in the first cell of the quantity (the rest 0)
        cells = by_name[name].cells
        facts += [Fact(s, row, col, float(value if i == 0 else 0), str(value)) for i, (s, row, col) in enumerate(cells)]
    checks = {c.name: c.passed for c in text_checks(from_text("\n".join(r["sentences"])), facts)}
    assert {n for n, ok in checks.items() if not ok} == {"text.granted_or_partially.total", "text.unable.total"}
    assert all(checks[f"text.{n}"] for n in r["printed"] if n not in ("granted_or_partially.total", "unable.total"))
