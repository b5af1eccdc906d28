"""Misprinted and variant labels (#21): placed by the template's order when certain, left out with the reason when not.

Inputs are the seeds (data/samples) with one label changed the way real reports change it, the real printed
variants of tests/fixtures/label_variants/real_variants.json (each with its public address), and the generated
variation corpus of synth/variations.py.  Expected numbers always come from the goldens or the generator's
record of what it printed, never from the parser.
"""

from __future__ import annotations

import json

import opencc
import pytest

from parsers.media import parse_bytes
from synth.layout import MediaStyle, build
from synth.model import from_golden
from synth.variations import KINDS, index, plan, render_text
from synth.media import render_html

from .conftest import FIXTURES, GOLDENS, SEEDS, load_golden, parse_text, values

REAL = json.loads((FIXTURES / "label_variants" / "real_variants.json").read_text(encoding="utf-8"))
APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org",
              "other_org", "total"]


def seed(stem_prefix: str) -> tuple[str, dict]:
    path = next(p for p in SEEDS if p.name.startswith(stem_prefix))
    gold = next(p for p in GOLDENS if p.name.startswith(stem_prefix))
    return path.read_text(encoding="utf-8"), load_golden(gold)


def golden_values(g: dict) -> dict[tuple[str, str, str], object]:
    return {(f["section"], f["row"], f["column"]): f["value"] for f in g["facts"]}


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def problems(r, kind: str) -> list:
    return [p for p in r.problems if p.kind == kind]


# ---------------------------------------------------------------- placed


def test_the_issues_misprint_is_read_as_its_row_and_recorded() -> None:
    """其他法律行政止公开 (three characters missing, as a real district report printed it) is row 三(三)2."""
    text, g = seed("000")
    r = parse_text(changed(text, "其他法律行政法规禁止公开", "其他法律行政止公开"))
    want = golden_values(g)
    assert values(r) == want  # every number, none wrong, none invented
    (p,) = problems(r, "label_variant")
    assert (p.section, p.row) == ("applications", "denied_prohibited_by_law")
    assert "其他法律行政止公开" in p.detail and "similarity 0.75" in p.detail
    assert "after denied_state_secret" in p.detail and "before denied_three_safety_one_stability" in p.detail


def test_misprinted_columns_printed_together_are_each_placed() -> None:
    """商业企业 and 科研机构 each missing a character, printed side by side: two columns of one header."""
    text, g = seed("000")
    r = parse_text(changed(changed(text, "商业企业", "商企业"), "科研机构", "科机构"))
    assert values(r) == golden_values(g)
    placed = sorted(p.detail.split(" ←")[0] for p in problems(r, "label_variant"))
    assert placed == ["column commercial_enterprise", "column research_institution"]


def test_a_two_character_label_with_one_substitution_is_placed_only_where_one_code_is_free() -> None:
    text, g = seed("001")
    r = parse_text(changed(text, "规章", "归章"))  # 20(1)'s first row: regulations is the only free row before 规范性文件
    assert values(r) == golden_values(g)
    assert [p.row for p in problems(r, "label_variant")] == ["regulations"]
    # a deletion leaves one character: never placed
    r = parse_text(changed(text, "规章", "章"))
    assert ("proactive", "regulations", "produced") not in values(r)
    assert not problems(r, "label_variant")


def test_traditional_characters_read_as_the_goldens() -> None:
    s2t = opencc.OpenCC("s2t")
    for prefix in ("000", "001", "004"):
        text, g = seed(prefix)
        i = text.index("二、主动公开")
        r = parse_text(text[:i] + s2t.convert(text[i:]))
        assert values(r) == golden_values(g), prefix  # 減 313 is -313, 萬元 an amount


def test_the_legacy_single_other_row_misprinted_is_never_a_2021_row() -> None:
    """（六）其他理: 其他 inside the misprint is not the 2021 format's 3.其他 row."""
    text, g = seed("001")  # legacy
    r = parse_text(changed(text, "其他处理", "其他理"))
    v = values(r)
    assert not [k for k in v if k[1] == "other_other"]
    assert v == golden_values(g)
    assert [p.row for p in problems(r, "label_variant")] == ["other_total"]


# ---------------------------------------------------------------- left out


def test_a_label_equally_close_to_two_free_codes_is_left_out_with_the_reason() -> None:
    """Rows 7 and 8 of （三） not printed; one row 属于行政执法事项 two edits from each: two readings, no facts."""
    text, g = seed("000")
    lines = text.splitlines()
    i7 = next(i for i, line in enumerate(lines) if "属于行政执法案卷" in line)
    i8 = next(i for i, line in enumerate(lines) if "属于行政查询事项" in line)
    row7 = lines[i7]
    lines[i7] = row7.replace("7. 属于行政执法案卷", "属于行政执法事项").replace("7.属于行政执法案卷", "属于行政执法事项")
    del lines[i8]
    assert "属于行政执法事项" in lines[i7]
    r = parse_text("\n".join(lines) + "\n")
    v = values(r)
    assert not [k for k in v if k[1] in ("denied_law_enforcement_file", "denied_administrative_query")]
    (p,) = problems(r, "ambiguous_label")
    assert "denied_administrative_query" in p.detail and "denied_law_enforcement_file" in p.detail
    assert not problems(r, "label_variant")
    # everything else is read as printed
    want = {k: x for k, x in golden_values(g).items() if k[1] not in ("denied_law_enforcement_file", "denied_administrative_query")}
    assert v == want


def test_out_of_place_held_or_misnumbered_labels_are_not_placed() -> None:
    text, _g = seed("000")
    # the enumerator says 3, the code is 三(三)2
    r = parse_text(changed(text, "2. 其他法律行政法规禁止公开", "3. 其他法律行政止公开") if "2. 其他法律" in text
                   else changed(text, "2.其他法律行政法规禁止公开", "3.其他法律行政止公开"))
    assert ("applications", "denied_prohibited_by_law", "total") not in values(r)
    assert not problems(r, "label_variant")
    # the code is printed elsewhere: 属于国家密秘 beside the real 属于国家秘密 row is not a second state-secret row
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if "属于国家秘密" in line)
    lines.insert(i + 1, lines[i].replace("属于国家秘密", "属于国家密秘").replace("1.", "").replace("1. ", ""))
    r = parse_text("\n".join(lines) + "\n")
    assert not problems(r, "label_variant")
    assert problems(r, "unmapped_label")


# ---------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def corpus_results() -> dict[tuple[str, str], list[int]]:
    """Every kind of synth/variations.py, text and HTML: [expected, read, wrong, invented] per (kind, medium)."""
    out: dict[tuple[str, str], list[int]] = {}
    for p in plan():
        for medium in ("text", "html"):
            v = p.variant(medium)
            r = parse_bytes(v.data, path=v.name)
            got = {(f.section, f.row, f.column): f.value for f in r.facts if not f.derived}
            acc = out.setdefault((v.kind, medium), [0, 0, 0, 0])
            acc[0] += len(v.expected)
            acc[1] += sum(1 for k, x in v.expected.items() if k in got and got[k] == x)
            acc[2] += sum(1 for k, x in v.expected.items() if k in got and got[k] != x)
            acc[3] += sum(1 for k in got if k not in v.expected)
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_variation_reads_at_least_995_per_mille_and_nothing_wrong(corpus_results, kind: str) -> None:
    for medium in ("text", "html"):
        expected, read, wrong, invented = corpus_results[(kind, medium)]
        assert expected > 0
        assert (wrong, invented) == (0, 0), (kind, medium)
        assert read >= 0.995 * expected, (kind, medium, read, expected)


# ---------------------------------------------------------------- real printed variants


_BLOCK = {"block_1": "一", "block_5": "五", "block_6": "六", "block_8": "八", "block_9": "九"}
_CATEGORY = {"denied": "（三）不予公开", "unable": "（四）无法提供", "rejected": "（五）不予处理", "outcomes": "results"}
_GOLDEN_OF_FORMAT = {"2021": "000", "legacy": "001"}


def _slot_for(idx, entry: dict):
    section, kind, code = entry["section"], entry["kind"], entry["code"]
    role = {"row": "row_label", "column": "col_header", "group": "col_header", "block": "heading", "category": "category"}[kind]
    want = _BLOCK.get(code, _CATEGORY.get(code, code))
    return next((s for s in idx.slots if s.table == section and s.role == role and s.code == want), None)


def _real_cases() -> list[tuple[str, dict]]:
    cases = []
    for n, e in enumerate(REAL["entries"]):
        if e["code"] is None:
            continue
        cases.append((f"{n}:{e['code']}", e))
    return cases


def test_the_real_variant_fixture_is_large_and_sourced() -> None:
    entries = REAL["entries"]
    assert all(e["address"] and e["printed"] for e in entries)
    assert all((e["code"] is None) == bool(e["ambiguous"]) for e in entries)
    assert len({(e["printed"], e["code"]) for e in entries}) == len(entries)


@pytest.mark.parametrize("entry", [e for _n, e in _real_cases()], ids=[n for n, _e in _real_cases()])
def test_each_real_printed_variant_is_read_as_its_code(entry: dict) -> None:
    """The variant printed in place of the template's label in a seed's table (text as copied from Word, and
    HTML): every number the table prints is read under its code, none wrong, none invented."""
    fmt = entry["format"] or ("legacy" if entry["code"] in ("produced", "published", "total_published", "items_prev_year",
                                                            "items_change", "procurement_items", "other_total") else "2021")
    rep = from_golden(load_golden(next(p for p in GOLDENS if p.name.startswith(_GOLDEN_OF_FORMAT[fmt]))))
    spec = build(rep, MediaStyle())
    slot = _slot_for(index(spec, rep), entry)
    if slot is None:  # the code is not printed by this format's template (e.g. a legacy-only row in a 2021 variant)
        rep = from_golden(load_golden(next(p for p in GOLDENS if p.name.startswith(_GOLDEN_OF_FORMAT["legacy" if fmt == "2021" else "2021"]))))
        spec = build(rep, MediaStyle())
        slot = _slot_for(index(spec, rep), entry)
    assert slot is not None, entry
    slot.cell.text = entry["printed"]
    want = {k: v for k, v in rep.facts.items()}
    for name, data in (("variant.txt", render_text(spec).encode("utf-8")), ("variant.html", render_html(spec, "bare"))):
        r = parse_bytes(data, path=name)
        got = {(f.section, f.row, f.column): f.value for f in r.facts if not f.derived}
        missing = sorted(k for k in want if k not in got)
        assert not missing, (name, entry["printed"], missing[:5], [p.detail for p in r.problems][:6])
        assert all(got[k] == v for k, v in want.items()), name
        assert set(got) <= set(want), name
