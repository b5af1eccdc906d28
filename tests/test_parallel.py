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
    from pipelines.stream_build import build_tables_streaming
    from warehouse.schema import TABLES

    from .test_warehouse import _docs

    docs = _docs(tmp_path / "docs")
    _corpus(tmp_path / "media")  # the goldens in three more media each: reports with four documents
    for p in (tmp_path / "media").iterdir():
        p.rename(docs / f"m_{p.name}")
    sources = folder_sources(docs)
    cache = tmp_path / "cache"
    streamed = build_tables_streaming(parse_many([s.path for s in sources], cache, workers=2), sources, tmp_path / "out", cache, batch=3)
    in_memory = build_tables(parse_many([s.path for s in sources], workers=1), sources)
    for name in TABLES:
        got = pl.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert got.equals(in_memory[name]), name
        assert streamed[name] == in_memory[name].height
    assert in_memory["reports"].height >= 8 and in_memory["report_documents"].height > in_memory["reports"].height
