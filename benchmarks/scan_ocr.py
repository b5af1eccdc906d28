"""Benchmark: scanned reports read table first against the whole-page OCR path, in one run, on scans rendered here.

    uv run python benchmarks/scan_ocr.py [--quick] [--dpi-sweep]

The five seed reports (their goldens, with their own opening narrative from data/samples before the tables and
pages of narrative after them, as real reports run to several pages of prose) are printed with the bundled CJK font and scanned
by ``synth/scan.py`` in the styles of :data:`SCANS` (150–300 dpi, tilts up to 1°, speckle 0.05–0.4 %, JPEG,
one printed page a sheet or a booklet's two pages side by side), and two as HTML pages whose tables are
pictures.  Each document is parsed by both paths (``XXGK_OCR_PATH=page`` and ``tables``), alternately first,
in this one process (one thread, as a parse worker runs).  Printed: seconds a page (medians over documents of
seconds / pages; a picture counts as a page) and in total, numbers read, right (equal to the golden), wrong
(a different value nowhere flagged: neither an ``ocr_low_confidence`` problem on its row nor a failed identity
of its table — the figure that must be 0), misread but flagged, missing, flagged; whether the metadata
(agency, year, date) and the text's statement checks agree between the paths; pages the table-first path did
not recognise; and the estimate for a national backfill's scans (~300,000 pages) on this box and per core.

``--quick``: three scans and one picture page.  ``--dpi-sweep``: instead of the comparison, the table-first path's
numbers right and time with the pages rendered at 200, 150, 120 and 100 dpi (where digit accuracy starts to fall).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NATIONAL_PAGES = 300_000  # ~1.2 M documents, ~5 % of them scans of ~5 pages
# (seed, scan dpi, tilt °, speckle share, JPEG quality, printed pages a sheet, printed pages of prose after the tables)
SCANS = (
    (0, 150, 0.3, 0.0010, 70, 1, 2),
    (1, 200, -0.8, 0.0030, 60, 1, 2),
    (2, 300, 1.0, 0.0020, 80, 1, 1),
    (3, 175, 0.5, 0.0040, 65, 2, 2),
    (4, 200, -0.4, 0.0005, 75, 2, 1),
    (0, 300, -1.0, 0.0015, 85, 2, 0),
    (1, 150, 0.0, 0.0020, 55, 1, 3),
    (3, 250, 0.7, 0.0010, 70, 1, 2),
)
PROSE_PAGE = 1_500  # characters of narrative a printed page holds
PICTURE_SEEDS = (0, 3)  # seeds as HTML pages whose tables are pictures (144 dpi PNG screenshots)
QUICK = (SCANS[0], SCANS[3], SCANS[4]), PICTURE_SEEDS[:1]


@dataclass
class Doc:
    name: str
    data: bytes
    filename: str
    pages: int
    golden: dict
    images: dict[str, bytes] | None = None


def corpus(scans: tuple, picture_seeds: tuple) -> list[Doc]:
    import pypdfium2 as pdfium

    from synth.demo_portal import real_prose
    from synth.layout import MediaStyle, Para, _prose, build
    from synth.media import render_html, render_pdf
    from synth.model import from_golden
    from synth.scan import FONT, ScanStyle, scan_pdf, table_images
    from tests.conftest import GOLDENS, load_golden

    docs = []
    for seed, dpi, tilt, speckle, quality, columns, closing in scans:
        gp = GOLDENS[seed]
        g = load_golden(gp)
        style = MediaStyle(font=str(FONT), stacked_headers=True)
        spec = build(from_golden(g), style)
        prose = real_prose(gp.stem)
        first_table = next(i for i, b in enumerate(spec.blocks) if not isinstance(b, Para))
        problems = next(i for i, b in enumerate(spec.blocks) if isinstance(b, Para) and b.text.startswith("五、"))
        # the report's own opening narrative before its tables, and pages of narrative after them (五、 problems
        # and improvements: what was done, meetings and trainings counted, no statement of the tables' figures)
        after: list[Para] = []
        rng = random.Random(seed)
        while sum(len(p.text) for p in after) < closing * PROSE_PAGE:
            after.append(Para(_prose(rng, len(after))))
        spec.blocks = [*spec.blocks[:2], *prose, *spec.blocks[2:first_table], *spec.blocks[first_table:problems + 1],
                       *after, *spec.blocks[problems + 1:]]
        pdf = render_pdf(spec, style)
        scan = scan_pdf(pdf, ScanStyle(dpi=dpi, tilt=tilt, speckle=speckle, jpeg_quality=quality, seed=seed * 100 + dpi,
                                       columns=columns))
        pages = len(pdfium.PdfDocument(scan))
        docs.append(Doc(f"{gp.stem[:3]} {dpi}dpi tilt {tilt:+.1f} speckle {speckle:.2%} {columns}-up", scan, "scan.pdf", pages, g))
    for seed in picture_seeds:
        gp = GOLDENS[seed]
        g = load_golden(gp)
        spec = build(from_golden(g), MediaStyle(font=str(FONT), stacked_headers=True))
        pictures = table_images(spec)
        names = [f"t{i}.png" for i in range(len(pictures))]
        docs.append(Doc(f"{gp.stem[:3]} HTML, tables as {len(pictures)} pictures", render_html(spec, "hanweb", images=names),
                        "page.html", len(pictures), g, dict(zip(names, pictures, strict=True))))
    return docs


@dataclass
class Outcome:
    seconds: float
    read: int
    right: int
    wrong: int  # misread and nowhere flagged: must be 0
    misread_flagged: int
    missing: int
    flagged: int  # numbers with an ocr_low_confidence problem on their row
    meta: tuple
    statements: tuple
    not_read: str


def run(doc: Doc, path: str) -> Outcome:
    from parsers.media import parse_bytes
    from parsers.readers.ocr import OCR_PATH_ENV

    os.environ[OCR_PATH_ENV] = path
    t = time.perf_counter()
    r = parse_bytes(doc.data, doc.filename, doc.images.get if doc.images else None)
    seconds = time.perf_counter() - t
    golden = {(f["section"], f["row"], f["column"]): f["value"] for f in doc.golden["facts"]}
    read = {(f.section, f.row, f.column): f.value for f in r.facts}
    low = {(p.section, p.row) for p in r.problems if p.kind == "ocr_low_confidence"}
    failed = {c.name.split(".")[0] for c in r.checks if not c.passed}
    misread = [k for k, v in read.items() if k in golden and golden[k] != v or k not in golden]
    silent = [k for k in misread if k[:2] not in low and k[0] not in failed]
    m = r.report
    return Outcome(seconds, len(read), sum(read.get(k) == v and k in read for k, v in golden.items()), len(silent),
                   len(misread) - len(silent), len(golden.keys() - read.keys()), sum(k[:2] in low for k in read),
                   (m.agency, m.year, m.published_on), tuple(sorted((c.name, c.passed) for c in r.checks if c.name.startswith("text."))),
                   m.page_meta.get("ocr_pages_not_read", ""))


def warm() -> None:
    """The OCR models loaded (once per process, as in a parse worker) before anything is timed."""
    import numpy as np

    from parsers.readers.ocr import _engine
    from parsers.readers.ocr_cells import detect, recognise

    _engine()._load_det_model()
    recognise([np.full((32, 64), 255, dtype=np.uint8)])
    detect(np.full((64, 64), 255, dtype=np.uint8))


def dpi_sweep(docs: list[Doc]) -> None:
    from parsers.readers import ocr_cells

    print("\ncells read at  numbers right  wrong  flagged  s/page (median)")
    for dpi in (200, 150, 120, 100):
        ocr_cells.CELL_DPI = dpi
        outs = [(run(d, "tables"), d.pages) for d in docs if d.filename == "scan.pdf"]
        total = sum(len(d.golden["facts"]) for d in docs if d.filename == "scan.pdf")
        print(f"{dpi:>9} dpi  {sum(o.right for o, _ in outs):>7}/{total:<5} {sum(o.wrong for o, _ in outs):>5}  "
              f"{sum(o.flagged for o, _ in outs):>7}  {statistics.median(o.seconds / p for o, p in outs):>8.2f}")
    ocr_cells.CELL_DPI = 200


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="three scans and one picture page")
    ap.add_argument("--dpi-sweep", action="store_true", help="the table-first path's cells read at 200/150/120/100 dpi")
    args = ap.parse_args()
    scans, pictures = QUICK if args.quick else (SCANS, PICTURE_SEEDS)
    docs = corpus(scans, pictures)
    warm()
    if args.dpi_sweep:
        dpi_sweep(docs)
        return
    rows = []
    print(f"{'document':<44}{'pages':>6}{'page s/pg':>10}{'tables s/pg':>12}{'speed-up':>9}  page r/w/f  tables r/w/f  same meta, statements")
    for k, doc in enumerate(docs):
        order = ("page", "tables") if k % 2 == 0 else ("tables", "page")  # alternately first: the box's load is shared
        out = {p: run(doc, p) for p in order}
        a, b = out["page"], out["tables"]
        rows.append((doc, a, b))
        print(f"{doc.name:<44}{doc.pages:>6}{a.seconds / doc.pages:>10.2f}{b.seconds / doc.pages:>12.2f}{a.seconds / b.seconds:>8.1f}×"
              f"  {a.right}/{a.wrong}/{a.flagged:<6}{b.right}/{b.wrong}/{b.flagged:<8}{a.meta == b.meta!s:<5} {a.statements == b.statements!s:<5}"
              + (f" (pages not read: {b.not_read})" if b.not_read else ""), flush=True)
        if a.statements != b.statements:
            print(f"    statement checks, whole page only: {sorted(set(a.statements) - set(b.statements))}; "
                  f"table first only: {sorted(set(b.statements) - set(a.statements))}")
    pages = sum(d.pages for d, _, _ in rows)
    golden = sum(len(d.golden["facts"]) for d, _, _ in rows)
    print(f"\n{len(rows)} documents, {pages} pages (a picture counts as a page), {golden} golden numbers")
    summary = {}
    for label, k in (("whole page", 1), ("table first", 2)):
        outs = [(r[0], r[k]) for r in rows]
        median = statistics.median(o.seconds / d.pages for d, o in outs)
        total = sum(o.seconds for _, o in outs)
        summary[label] = (median, total)
        print(f"{label:<12} median {median:6.2f} s a page, total {total:7.1f} s ({total / pages:5.2f} s a page); numbers read "
              f"{sum(o.read for _, o in outs)}, right {sum(o.right for _, o in outs)}/{golden}, wrong {sum(o.wrong for _, o in outs)}, "
              f"misread but flagged {sum(o.misread_flagged for _, o in outs)}, missing {sum(o.missing for _, o in outs)}, "
              f"flagged {sum(o.flagged for _, o in outs)}")
    (pm, pt), (tm, tt) = summary["whole page"], summary["table first"]
    print(f"speed-up: {pm / tm:.1f}× (medians a page), {pt / tt:.1f}× (totals)")
    print(f"metadata (agency, year, date) the same on {sum(a.meta == b.meta for _, a, b in rows)}/{len(rows)} documents, "
          f"statement checks the same on {sum(a.statements == b.statements for _, a, b in rows)}/{len(rows)}")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    for label, (_median, total) in summary.items():
        per_page = total / pages
        hours = NATIONAL_PAGES * per_page / 3600
        print(f"national backfill ({NATIONAL_PAGES:,} scanned pages), {label}: {hours:,.0f} CPU-hours "
              f"({per_page:.2f} s a page on one core) = {hours / cores / 24:.1f} days on this box's {cores} cores")


if __name__ == "__main__":
    main()
