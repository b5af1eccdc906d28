"""Benchmark: parse a corpus of rendered reports in every medium; compare with pdfminer.six's own text extraction.

    uv run python benchmarks/parse_media.py [--reports 400] [--out benchmarks/out/media]

Prints, per medium, the median milliseconds per report, and for PDF the median milliseconds per page,
next to the time ``pdfminer.high_level.extract_text`` (layout analysis only, no table reading) takes
on the same PDFs.  Medians, because the machines are noisy.  Not a test: it measures.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers.media import parse_bytes  # noqa: E402
from synth.font import build_font  # noqa: E402
from synth.layout import build, random_media_style  # noqa: E402
from synth.media import HTML_TEMPLATES, render_docx, render_html, render_pdf  # noqa: E402
from synth.model import random_report  # noqa: E402
from synth.text import random_style, render_text  # noqa: E402

MIX = (("pdf", 0.55), ("html", 0.2), ("docx", 0.15), ("txt", 0.1))


def make_corpus(n: int, out: Path, seed: int = 2026) -> list[tuple[str, Path, int]]:
    """(medium, path, pages) for n reports; 90% consistent as printed, 10% not (they take the slow PDF path)."""
    out.mkdir(parents=True, exist_ok=True)
    font = str(build_font())
    rng = random.Random(seed)
    corpus = []
    for i in range(n):
        medium = rng.choices([m for m, _ in MIX], [w for _, w in MIX])[0]
        rep = random_report(rng, rng.choice(["legacy", "2021"]), consistent=rng.random() < 0.9)
        style = random_media_style(rng)
        style.prose = rng.randint(14, 24)
        style.font = font if rng.random() < 0.8 else "cid"
        path = out / f"{i:04d}.{medium}"
        if medium == "pdf":
            data = render_pdf(build(rep, style), style)
        elif medium == "html":
            data = render_html(build(rep, style), HTML_TEMPLATES[i % len(HTML_TEMPLATES)], encoding=rng.choice(["utf-8", "gbk"]))
        elif medium == "docx":
            data = render_docx(build(rep, style))
        else:
            data = render_text(rep, random_style(rng)).encode()
        path.write_bytes(data)
        pages = 0
        if medium == "pdf":
            import pypdfium2 as pdfium

            pages = len(pdfium.PdfDocument(data))
        corpus.append((medium, path, pages))
    return corpus


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=400)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/media"))
    args = ap.parse_args()

    t0 = time.perf_counter()
    corpus = make_corpus(args.reports, args.out)
    print(f"corpus: {len(corpus)} reports rendered in {time.perf_counter() - t0:.1f} s into {args.out}")

    per_medium: dict[str, list[float]] = {}
    pdf_per_page: list[float] = []
    miner_per_doc: list[float] = []
    miner_per_page: list[float] = []
    fast_accepted = 0
    pdf_fast_ms: list[float] = []
    pdf_layout_ms: list[float] = []
    pdfs = 0
    bad = 0
    from pdfminer.high_level import extract_text

    for medium, path, pages in corpus:
        data = path.read_bytes()
        t = time.perf_counter()
        result = parse_bytes(data, str(path))
        ms = (time.perf_counter() - t) * 1000
        per_medium.setdefault(medium, []).append(ms)
        if result.errors or not result.facts:
            bad += 1
        if medium == "pdf":
            pdfs += 1
            pdf_per_page.append(ms / pages)
            fast = "pdf_reader" not in result.report.page_meta
            fast_accepted += fast
            (pdf_fast_ms if fast else pdf_layout_ms).append(ms)
            t = time.perf_counter()
            extract_text(str(path))
            mms = (time.perf_counter() - t) * 1000
            miner_per_doc.append(mms)
            miner_per_page.append(mms / pages)

    total_pages = sum(p for _, _, p in corpus)
    med = statistics.median
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    print(f"PDF pages: {total_pages} in {pdfs} PDFs; fast text path accepted for {fast_accepted}/{pdfs}; documents not parsed: {bad}")
    print(f"{'medium':<8}{'reports':>8}{'median ms/report':>18}")
    for m, xs in sorted(per_medium.items()):
        print(f"{m:<8}{len(xs):>8}{med(xs):>18.1f}")
    summary = {
        "reports": len(corpus),
        "pdf_pages": total_pages,
        "median_ms_per_report": {m: round(med(xs), 2) for m, xs in per_medium.items()},
        "xxgk_pdf_median_ms_per_page": round(med(pdf_per_page), 2),
        "pdfminer_extract_text_median_ms_per_pdf": round(med(miner_per_doc), 2),
        "pdfminer_extract_text_median_ms_per_page": round(med(miner_per_page), 2),
        "ratio_pdfminer_to_xxgk_per_page": round(med(miner_per_page) / med(pdf_per_page), 1),
        "fast_path_accepted": f"{fast_accepted}/{pdfs}",
        "pdf_median_ms_fast_path": round(med(pdf_fast_ms), 2) if pdf_fast_ms else None,
        "pdf_median_ms_with_layout_pass": round(med(pdf_layout_ms), 2) if pdf_layout_ms else None,
    }
    print(f"PDF: xxgk parse (text, tables, facts, checks) median {summary['xxgk_pdf_median_ms_per_page']} ms/page; "
          f"pdfminer.six extract_text alone median {summary['pdfminer_extract_text_median_ms_per_page']} ms/page "
          f"({summary['ratio_pdfminer_to_xxgk_per_page']}x)")
    print(f"PDF per report: median {summary['pdf_median_ms_fast_path']} ms when the text path reads it completely, "
          f"{summary['pdf_median_ms_with_layout_pass']} ms when the layout pass is needed; "
          f"pdfminer.six extract_text alone: median {summary['pdfminer_extract_text_median_ms_per_pdf']} ms per PDF")
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
