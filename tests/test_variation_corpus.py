"""The label-variation corpus (synth/variations.py): tests of the generator, not of the parser's accuracy.

Each kind must really print what it says, deterministically for a seed, and its expected facts must be
what the document prints; on unchanged documents the parser reads every expected number (a check that
the expected facts and the renderings agree).
"""

from __future__ import annotations

import random

import opencc
import pytest

from parsers.media import parse_bytes
from synth.layout import MediaStyle
from synth.scan import FONT
from synth.variations import (
    CONFUSIONS,
    KINDS,
    MEDIA,
    Varied,
    applicable,
    corpus,
    index,
    plan,
    render,
    render_text,
    reports,
    vary,
)
from synth.text import APPLICATION_LABELS

REPORTS = dict(reports(seed=0, extra_random=4))
GOLDEN = [name for name in REPORTS if not name.startswith("random")]
SUBS = ("other_no_correction", "other_fee_unpaid", "other_other")


def _vary(name: str, kind: str, seed: int = 0) -> Varied:
    return vary(REPORTS[name], kind, random.Random(f"{seed}:{name}:{kind}"), MediaStyle(font=str(FONT)))


def _han(s: str) -> str:
    return "".join(ch for ch in s if "\u4e00" <= ch <= "\u9fff")


def _table_lines(v: Varied) -> list[str]:
    return [line for line in render_text(v.spec).splitlines() if "\t" in line]


def test_every_kind_varies_every_report_it_applies_to() -> None:
    for name, rep in REPORTS.items():
        for kind in KINDS:
            if not applicable(rep, kind):
                assert rep.format == "legacy" and kind == "other_one_row"
                continue
            v = _vary(name, kind)
            assert (v.mutations == []) == (kind == "baseline"), (name, kind)
            assert set(v.expected) <= set(rep.facts) | {("applications", "other_total", c) for _s, _r, c in rep.facts}


def test_the_same_seed_gives_the_same_bytes() -> None:
    name = GOLDEN[0]
    for kind in ("drop1", "missing_between", "lookalike"):
        a, b = _vary(name, kind), _vary(name, kind)
        assert [str(m) for m in a.mutations] == [str(m) for m in b.mutations]
        for medium in ("html", "text"):
            assert render(a, medium) == render(b, medium), (kind, medium)
    a, b = _vary(name, "spaced"), _vary(name, "spaced")
    assert render(a, "pdf") == render(b, "pdf") and render(a, "docx") == render(b, "docx")
    first = [(v.name, v.data) for v in corpus(seed=3, extra_random=1, kinds=["twice"], media=["text", "html"])]
    again = [(v.name, v.data) for v in corpus(seed=3, extra_random=1, kinds=["twice"], media=["text", "html"])]
    assert first == again and len(first) == 12


def test_the_labels_changed_are_drawn_by_the_seed() -> None:
    picks = {tuple(m.before for m in _vary(GOLDEN[0], "drop1", seed).mutations) for seed in range(6)}
    assert len(picks) > 3


@pytest.mark.parametrize("kind, n", [("drop1", 1), ("drop2", 2)])
def test_drops_delete_interior_characters(kind: str, n: int) -> None:
    for name in REPORTS:
        v = _vary(name, kind)
        assert len(v.mutations) == 3
        for m in v.mutations:
            assert len(m.after) == len(m.before) - n
            before, after = _han(m.before), _han(m.after)
            assert before[0] == after[0] and before[-1] == after[-1]
            assert len(before) >= (5 if n == 2 else 3)
            p = next(i for i, (x, y) in enumerate(zip(m.before, m.after + "\0")) if x != y)
            assert m.before[:p] + m.before[p + n:] == m.after
        text = render_text(v.spec)
        assert all(m.after in text for m in v.mutations)


def test_lookalikes_replace_one_character_from_the_confusion_table() -> None:
    for name in REPORTS:
        v = _vary(name, "lookalike")
        assert len(v.mutations) == 3
        for m in v.mutations:
            diff = [(x, y) for x, y in zip(m.before, m.after, strict=True) if x != y]
            assert len(diff) == 1 and CONFUSIONS[diff[0][0]][0] == diff[0][1]


def test_traditional_prints_every_label_in_traditional_characters() -> None:
    cc = opencc.OpenCC("s2t")
    v = _vary(GOLDEN[0], "traditional")
    text = render_text(v.spec)
    assert "予以公開" in text and "總計" in text and "行政訴訟" in text
    for slot in index(v.spec, REPORTS[GOLDEN[0]]).slots:
        if slot.role != "value":
            assert cc.convert(slot.cell.text) == slot.cell.text


def test_twice_prints_one_row_twice_directly_below_itself() -> None:
    for name in REPORTS:
        v = _vary(name, "twice")
        lines = _table_lines(v)
        # the row's own label and its seven numbers (a category cell starting on the first copy is not repeated)
        own = [[x for x in line.split("\t") if x][-8:] for line in lines]
        repeated = [lines[i] for i in range(len(lines) - 1) if own[i] == own[i + 1]]
        assert len(repeated) == 1 and v.mutations[0].before in repeated[0]
        assert v.expected == REPORTS[name].facts


def test_missing_between_leaves_out_one_row_and_misprints_its_neighbours() -> None:
    for name in REPORTS:
        v = _vary(name, "missing_between")
        drops, (gone,) = v.mutations[:2], v.mutations[2:]
        assert [m.detail.split()[0] for m in drops] == ["deleted", "deleted"] and gone.role == "row"
        assert not any(k[1] == gone.code for k in v.expected)
        assert len(v.expected) == len(REPORTS[name].facts) - 7
        text = render_text(v.spec)
        assert gone.before not in text and all(m.after in text and m.before not in text for m in drops)


def test_other_one_row_sums_the_three_sub_rows() -> None:
    seen = 0
    for name, rep in REPORTS.items():
        if rep.format != "2021":
            continue
        v = _vary(name, "other_one_row")
        for c in ("natural_person", "total"):
            parts = [rep.facts[("applications", r, c)] for r in SUBS]
            assert v.expected[("applications", "other_total", c)] == sum(x or 0 for x in parts)
        assert not any(k[1] in SUBS for k in v.expected)
        lines = _table_lines(v)
        row = next(line for line in lines if "（六）其他处理" in line)
        assert row.split("\t")[-1] == str(v.expected[("applications", "other_total", "total")])
        assert not any(APPLICATION_LABELS[r][1] in "\n".join(lines) for r in SUBS)
        seen += 1
    assert seen >= 3


def test_label_restylings_change_what_they_say() -> None:
    name = GOLDEN[0]
    text = render_text(_vary(name, "enumerators").spec)
    assert "1.属于国家秘密" not in text and "属于国家秘密" in text
    sp = _vary(name, "spaced")
    assert sp.mutations and all(_han(m.before) == _han(m.after) and len(m.after) > len(m.before) for m in sp.mutations)
    split = _vary(name, "split")
    assert len(split.mutations) == 3 and all("\n" in m.after and m.after.replace("\n", "") == m.before for m in split.mutations)
    cat = _vary(name, "category_repeated")
    assert sum(line.count("（三）不予公开") for line in _table_lines(cat)) == 8
    big = next(n for n, r in REPORTS.items() if any(isinstance(x, int) and x >= 1000 for x in r.facts.values()))
    th = _vary(big, "thousands")
    assert any("," in m.after for m in th.mutations) and any("０" <= ch <= "９" for m in th.mutations for ch in m.after)
    assert th.expected == REPORTS[big].facts


@pytest.mark.parametrize("medium", ["text", "html"])
def test_baseline_documents_read_completely(medium: str) -> None:
    for p in plan(seed=0, extra_random=4, kinds=["baseline"]):
        v = p.variant(medium)
        result = parse_bytes(v.data, path=v.name)
        got = {(f.section, f.row, f.column): f.value for f in result.facts if not f.derived}
        assert {k: got.get(k, "missing") for k in v.expected} == v.expected, v.name


def test_corpus_covers_every_kind_and_medium() -> None:
    seen = {(v.kind, v.medium) for v in corpus(seed=0, extra_random=0, media=["text"])}
    assert seen == {(k, "text") for k in KINDS}
    assert set(MEDIA) == {"html", "pdf", "docx", "text"}
