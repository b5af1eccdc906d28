"""Benchmark: the new readers beside the PDF text path, on the five seed reports, in one run.

    uv run python benchmarks/readers.py [--repeat 3]

  pdf fast    the seeds rendered as PDF with the bundled CJK font embedded, read by the PDFium path
  pdf layout  the same PDFs through the layout pass (pdfplumber), for comparison
  doc         the seeds as Word 97 files written by LibreOffice (tests/fixtures/word97)
  xlsx        the seeds as workbooks (openpyxl)
  ocr         the seeds scanned (synth/scan.py: 150–200 dpi, tilt, speckle, JPEG), read by OCR table first
              (parsers/readers/ocr_cells.py, the default)
  ocr page    the same scans read by the whole-page OCR path (XXGK_OCR_PATH=page), for comparison
  pictures    the seeds as HTML pages whose tables are screenshots (<img>, 144 dpi PNG), read by OCR with
              the page (table first); a picture counts as a page
  pict. page  the same pages, the pictures read by the whole-page path

Prints the median milliseconds per document and per page (a Word or Excel file counts as one page) of
the whole parse (reading and the table walker), and how many of the goldens' numbers each reproduced.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def corpus() -> dict[str, list[tuple[object, int, dict]]]:
    import pypdfium2 as pdfium

    from synth.layout import MediaStyle, build
    from synth.media import render_pdf, render_xlsx
    from synth.model import from_golden
    from synth.media import render_html
    from synth.scan import FONT, random_scan_style, scan_pdf, table_images
    from tests.conftest import GOLDENS, WORD97_FIXTURES, load_golden

    out: dict[str, list[tuple[object, int, dict]]] = {"pdf fast": [], "pdf layout": [], "doc": [], "xlsx": [], "ocr": [], "ocr page": [],
                                                      "pictures": [], "pict. page": []}
    for gp in GOLDENS:
        g = load_golden(gp)
        style = MediaStyle(font=str(FONT), stacked_headers=True)
        spec = build(from_golden(g), style)
        pdf = render_pdf(spec, style)
        pages = len(pdfium.PdfDocument(pdf))
        out["pdf fast"].append((pdf, pages, g))
        out["pdf layout"].append((pdf, pages, g))
        out["xlsx"].append((render_xlsx(spec), 1, g))
        out["ocr"].append((scan_pdf(pdf, random_scan_style(random.Random(gp.stem))), pages, g))
        out["ocr page"].append(out["ocr"][-1])
        doc = next(p for p in WORD97_FIXTURES if p.stem == gp.stem and p.suffix == ".doc")
        out["doc"].append((doc.read_bytes(), 1, g))
        pictures = table_images(spec)
        names = [f"t{i}.png" for i in range(len(pictures))]
        page = render_html(spec, "hanweb", images=names)
        out["pictures"].append(((page, dict(zip(names, pictures, strict=True))), len(pictures), g))
        out["pict. page"].append(out["pictures"][-1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from parsers.media import parse_bytes, parse_document
    from parsers.readers.ocr import OCR_PATH_ENV
    from parsers.readers.pdf import read_pdf_layout

    def layout(data: bytes):  # noqa: ANN202 - the layout pass alone, as the fallback runs it
        return parse_document(read_pdf_layout(data), "r.pdf")

    def whole_page(read):  # noqa: ANN001, ANN202 - the same reading by the whole-page OCR path
        def run(d):  # noqa: ANN001, ANN202
            os.environ[OCR_PATH_ENV] = "page"
            try:
                return read(d)
            finally:
                os.environ.pop(OCR_PATH_ENV)
        return run

    runs = {"pdf fast": lambda d: parse_bytes(d, "r.pdf"), "pdf layout": layout, "doc": lambda d: parse_bytes(d, "r.doc"),
            "xlsx": lambda d: parse_bytes(d, "r.xlsx"), "ocr": lambda d: parse_bytes(d, "scan.pdf"),
            "pictures": lambda d: parse_bytes(d[0], "page.html", d[1].get)}
    runs["ocr page"], runs["pict. page"] = whole_page(runs["ocr"]), whole_page(runs["pictures"])
    docs = corpus()
    parse_bytes(docs["ocr"][0][0], "warm.pdf")  # the OCR models load once per process
    print(f"{'reader':<12}{'documents':>10}{'pages':>7}{'ms/document':>13}{'ms/page':>9}{'numbers right':>16}")
    for name, items in docs.items():
        per_doc, per_page, right, total = [], [], 0, 0
        for data, pages, g in items:
            times = []
            for _ in range(args.repeat if name not in ("ocr", "ocr page", "pictures", "pict. page") else 1):
                t = time.perf_counter()
                r = runs[name](data)
                times.append(time.perf_counter() - t)
            ms = statistics.median(times) * 1000
            per_doc.append(ms)
            per_page.append(ms / pages)
            golden = {(f["section"], f["row"], f["column"]): f["value"] for f in g["facts"]}
            read = {(f.section, f.row, f.column): f.value for f in r.facts}
            right += sum(read.get(k) == v and k in read for k, v in golden.items())
            total += len(golden)
        print(f"{name:<12}{len(items):>10}{sum(p for _, p, _ in items):>7}{statistics.median(per_doc):>13.1f}"
              f"{statistics.median(per_page):>9.1f}{f'{right}/{total}':>16}")


if __name__ == "__main__":
    main()
