"""Parsing in a pool: the same results in the same order as one process; a slow or hungry file fails alone."""

from __future__ import annotations

from pathlib import Path

from pipelines.parallel import parse_many
from synth.layout import MediaStyle
from synth.layout import build as build_spec
from synth.media import render_docx, render_html, render_pdf
from synth.model import from_golden

from .conftest import GOLDENS, SEEDS, load_golden


def _corpus(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = list(SEEDS)
    for g in GOLDENS:
        spec = build_spec(from_golden(load_golden(g)), MediaStyle())
        for ext, data in (("html", render_html(spec, "hanweb")), ("pdf", render_pdf(spec)), ("docx", render_docx(spec))):
            p = folder / f"{g.stem}.{ext}"
            p.write_bytes(data)
            paths.append(p)
    return paths


def test_two_workers_give_exactly_what_one_process_gives(tmp_path: Path) -> None:
    paths = _corpus(tmp_path / "docs")
    one = parse_many(paths, workers=1)
    two = parse_many(paths, workers=2)
    assert [r.path for r in two] == [str(p) for p in paths]
    assert two == one
    assert sum(len(r.facts) for r in two) == 4 * sum(len(load_golden(g)["facts"]) for g in GOLDENS)


def test_a_document_past_its_time_limit_is_stopped_and_the_batch_goes_on(tmp_path: Path) -> None:
    spec = build_spec(from_golden(load_golden(GOLDENS[0])), MediaStyle())
    pdf = tmp_path / "slow.pdf"
    pdf.write_bytes(render_pdf(spec))
    results = parse_many([pdf, SEEDS[1]], workers=2, timeout=0.001)  # no PDF parses in a millisecond
    assert results[0].errors == ["cannot read: parsing took longer than 0.001 s (stopped)"]
    assert results[0].report.sha256  # still a document row, with its identity
    assert results[1].path == str(SEEDS[1])  # the other document, in its place


def test_a_document_that_needs_too_much_memory_fails_alone(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("w", encoding="utf-8") as f:  # 57 MB of text lines: reading it as a report takes gigabytes
        for i in range(2_000_000):
            f.write(f"行政许可 {i} {i * 7}\n")
    results = parse_many([big, SEEDS[0]], workers=2, memory_mb=300)
    assert results[0].errors == ["cannot read: the document needs more memory than a parser may use"]
    assert results[1].errors == [] and len(results[1].facts) == len(load_golden(GOLDENS[0])["facts"])


def test_the_streaming_build_writes_exactly_the_in_memory_tables(tmp_path: Path) -> None:
    """The same rows, in the same order, with reports in batches of 3 (so tables are several parts)."""
    import polars as pl

    from pipelines.build import folder_sources
    from pipelines.dataset import build_tables
    from pipelines.combine import build_tables_streaming
    from warehouse.schema import TABLES

    from .test_warehouse import _docs

    docs = _docs(tmp_path / "docs")
    _corpus(tmp_path / "media")  # the goldens in three more media each: reports with four documents
    for p in (tmp_path / "media").iterdir():
        p.rename(docs / f"m_{p.name}")
    sources = folder_sources(docs)
    cache = tmp_path / "cache"
    streamed = build_tables_streaming(parse_many([s.path for s in sources], cache, workers=2), sources, tmp_path / "out")
    in_memory = build_tables(parse_many([s.path for s in sources], workers=1), sources)
    for name in TABLES:
        got = pl.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert got.equals(in_memory[name]), name
        assert streamed[name] == in_memory[name].height
    assert in_memory["reports"].height >= 8 and in_memory["report_documents"].height > in_memory["reports"].height


def _rules_corpus(folder: Path) -> list:
    """Documents that exercise every rule of the combination: consecutive years of one body (carried over
    agreeing and not), a report printed twice with numbers that differ, an article page without tables
    beside its attachment, the same bytes fetched twice, a body that cannot be resolved, an unreadable file,
    and a 索引号 known only from the list page."""
    import random
    import shutil

    from pipelines.dataset import SourceDocument
    from synth.model import random_report
    from synth.text import Style, render_text

    folder.mkdir()
    reps = {}
    for year in (2021, 2022, 2023):
        rep = random_report(random.Random(year), "2021", consistent=True)
        rep.agency, rep.year = "乐清市教育局", year
        reps[year] = rep
    cols = sorted({k[2] for k in reps[2021].facts if k[:2] == ("applications", "carried_over_next")})
    for col in cols:  # 2021 → 2022 carried over as printed; 2022 → 2023 off by one in the first column
        reps[2022].facts[("applications", "carried_over_prev", col)] = reps[2021].facts[("applications", "carried_over_next", col)]
        reps[2023].facts[("applications", "carried_over_prev", col)] = reps[2022].facts[("applications", "carried_over_next", col)]
    reps[2023].facts[("applications", "carried_over_prev", cols[0])] += 1
    for year, rep in reps.items():
        (folder / f"edu{year}.txt").write_text(render_text(rep, Style()), encoding="utf-8")
    spec = build_spec(reps[2022], MediaStyle())
    (folder / "edu2022.html").write_bytes(render_html(spec, "hanweb"))
    changed = reps[2022]
    key = next(k for k, v in changed.facts.items() if k[0] == "proactive" and isinstance(v, int))
    changed.facts[key] += 7  # the PDF attachment prints one number differently
    (folder / "edu2022.pdf").write_bytes(render_pdf(build_spec(changed, MediaStyle())))
    (folder / "edu2022_page.txt").write_text("乐清市教育局2022年政府信息公开工作年度报告\n\n本报告全文详见附件。\n", encoding="utf-8")
    shutil.copy(folder / "edu2021.txt", folder / "edu2021_again.txt")
    odd = random_report(random.Random(8), "legacy", consistent=True)
    odd.agency, odd.year = "某某县某某局", 2020
    (folder / "odd2020.txt").write_text(render_text(odd, Style()), encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    paths = sorted(folder.iterdir())
    return [SourceDocument(str(p), index_no="11330382MB1234567X/2023-00001" if p.name == "edu2023.txt" else None,
                           region_code="330382", ref=p.name) for p in paths]


def test_the_streaming_build_applies_every_rule_as_the_in_memory_build(tmp_path: Path) -> None:
    """Equal tables, and each rule really exercised (so the equality is not of empty tables)."""
    import polars as pl

    from pipelines.combine import build_tables_streaming
    from pipelines.dataset import build_tables
    from warehouse.schema import TABLES

    sources = _rules_corpus(tmp_path / "docs")
    paths = [s.path for s in sources]
    in_memory = build_tables(parse_many(paths, workers=1), sources)
    build_tables_streaming(parse_many(paths, workers=1), sources, tmp_path / "out")
    for name in TABLES:
        assert pl.read_parquet(tmp_path / "out" / f"{name}.parquet").equals(in_memory[name]), name
    checks, rd, problems = in_memory["checks"], in_memory["report_documents"], in_memory["problems"]
    continuity = checks.filter(pl.col("name").str.starts_with("continuity."))
    assert continuity["passed"].any() and not continuity["passed"].all()
    assert rd.filter(pl.col("agrees") == False).height == 1 and rd["agrees"].is_null().any()  # noqa: E712
    assert rd["facts_differing"].max() == 1
    assert "agency_unresolved" in problems["kind"].to_list()
    assert in_memory["documents"]["outcome"].to_list().count("error") == 1
    assert in_memory["documents"].height == len(sources) - 1  # the same bytes twice are one document
    index = dict(zip(in_memory["reports"]["year"], in_memory["reports"]["index_no"]))
    assert index[2023] == "11330382MB1234567X/2023-00001"  # from the list page: its text prints none
    assert index[2022] and index[2022] != index[2023]  # the HTML page's own
