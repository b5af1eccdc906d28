"""The table-first OCR path (parsers/readers/ocr_cells.py): what it reads, what it records not reading, and
that it is switched and cached apart from the whole-page path.

The seeds' scans and pictures read to their goldens through it in tests/test_media.py (it is the default);
here: a report with pages of prose after its tables scanned as a booklet's spreads (two printed pages a
sheet), its numbers and metadata; the page of prose it does not recognise recorded; the tilt it measures;
the specks it drops and the marks it keeps; the path switch and the cache key.
"""

from __future__ import annotations

import pytest

from synth.layout import MediaStyle, Para, build
from synth.media import render_pdf
from synth.model import from_golden

from .conftest import GOLDENS, load_golden


def _report(g: dict):  # noqa: ANN202 - a SynthReport
    """The seed's report, signed and dated under its last paragraph (the date the last sheet must give)."""
    rep = from_golden(g)
    rep.published_on = f"{rep.year + 1}-01-25"
    return rep


def _with_closing_prose(g: dict, paragraphs: int) -> bytes:
    """The report printed with ``paragraphs`` of narrative after the tables (五、), signed and dated."""
    from synth.demo_portal import real_prose
    from synth.scan import FONT

    style = MediaStyle(font=str(FONT), stacked_headers=True)
    spec = build(_report(g), style)
    prose = real_prose(GOLDENS[0].stem)  # 16 paragraphs, 1,368 characters
    at = next(i for i, b in enumerate(spec.blocks) if isinstance(b, Para) and b.text.startswith("五、"))
    spec.blocks = [*spec.blocks[: at + 1], *(Para(prose[k % len(prose)].text) for k in range(paragraphs)), *spec.blocks[at + 1 :]]
    return render_pdf(spec, style)


def _misread(result, g: dict) -> tuple[int, list]:
    """(numbers right, numbers read otherwise and nowhere flagged)."""
    golden = {(f["section"], f["row"], f["column"]): f["value"] for f in g["facts"]}
    read = {(f.section, f.row, f.column): f.value for f in result.facts}
    low = {(p.section, p.row) for p in result.problems if p.kind == "ocr_low_confidence"}
    failed = {c.name.split(".")[0] for c in result.checks if not c.passed}
    silent = [(k, v, golden.get(k)) for k, v in read.items() if golden.get(k) != v and k[:2] not in low and k[0] not in failed]
    return sum(read.get(k) == v and k in read for k, v in golden.items()), silent


def test_spread_scan_with_prose_after_the_tables(monkeypatch) -> None:
    """Two printed pages a sheet, tilted and speckled, with pages of prose after the tables: every number the
    golden one or flagged, the metadata (agency, year, the date under the signature) read, and the sheet of prose
    between the tables and the last sheet recorded as not read — never silently."""
    import pypdfium2 as pdfium

    from parsers.media import parse_bytes
    from synth.scan import ScanStyle, scan_pdf

    monkeypatch.delenv("XXGK_OCR_PATH", raising=False)
    g = load_golden(GOLDENS[4])
    pdf = _with_closing_prose(g, 80)  # some 6,800 characters: four printed pages of prose
    printed = len(pdfium.PdfDocument(pdf))
    scan = scan_pdf(pdf, ScanStyle(dpi=200, tilt=-0.6, speckle=0.002, seed=7, columns=2))
    sheets = len(pdfium.PdfDocument(scan))
    assert sheets == (printed + 1) // 2 and sheets >= 4  # the opening, the tables, prose, the last sheet
    result = parse_bytes(scan, "scan.pdf")
    meta = result.report.page_meta
    assert result.errors == [] and meta["pdf_reader"] == "ocr" and meta["ocr_path"] == "tables"
    right, silent = _misread(result, g)
    assert silent == [] and right >= 0.95 * len(g["facts"])
    rep = _report(g)
    assert (result.report.agency, result.report.year, result.report.published_on) == (rep.agency, rep.year, rep.published_on)
    not_read = [int(p) for p in meta["ocr_pages_not_read"].split(",")]
    assert not_read and all(1 < p < sheets for p in not_read) and "not recognised" in meta["ocr_not_read_why"]
    assert all(f.location.page not in not_read for f in result.facts)
    assert [p.kind for p in result.problems if "not recognised" in p.detail] == ["reader"]


def test_skew_measured_as_scanned() -> None:
    """The tilt the table-first path straightens by is the scanner's, within 0.1°, at every resolution."""
    import pypdfium2 as pdfium

    from parsers.readers.ocr import _gray
    from parsers.readers.ocr_cells import skew
    from synth.scan import FONT, ScanStyle, scan_pdf

    g = load_golden(GOLDENS[0])
    style = MediaStyle(font=str(FONT), stacked_headers=True)
    pdf = render_pdf(build(from_golden(g), style), style)
    for dpi, tilt in ((150, 0.8), (200, -0.5), (300, 1.0)):
        doc = pdfium.PdfDocument(scan_pdf(pdf, ScanStyle(dpi=dpi, tilt=tilt, seed=dpi)))
        page = _gray(doc[0].render(scale=200 / 72, grayscale=True).to_numpy())
        assert abs(skew(page) - tilt) < 0.1, (dpi, tilt, skew(page))


def test_specks_dropped_marks_beside_a_character_kept() -> None:
    """A blot of the scan far from any character is no ink; the point of 0.5 beside its digits is."""
    import numpy as np

    from parsers.readers.ocr_cells import characters_only

    ink = np.zeros((30, 120), dtype=bool)
    ink[5:25, 10:22] = True  # a digit, 20 pixels high
    ink[22:25, 24:27] = True  # a point beside it
    ink[5:25, 29:41] = True  # the next digit
    ink[10:13, 100:103] = True  # a speck far away
    kept = characters_only(ink, 22.0)
    assert kept[23, 25] and kept[10, 15] and kept[10, 35] and not kept[11, 101]


def test_the_path_is_switched_and_cached_apart(monkeypatch) -> None:
    """``XXGK_OCR_PATH=page`` keeps the whole-page path callable; the parse cache's key names the path, so a result
    of one path is never served for the other; an unknown path is refused, not guessed."""
    from parsers.readers.ocr import ocr_path
    from pipelines.parse_cache import parser_version

    monkeypatch.delenv("XXGK_OCR_PATH", raising=False)
    default = parser_version()
    assert ocr_path() == "tables" and default.endswith("-ocr-tables")
    monkeypatch.setenv("XXGK_OCR_PATH", "page")
    assert ocr_path() == "page" and parser_version() == default.replace("-ocr-tables", "-ocr-page")
    monkeypatch.setenv("XXGK_OCR_PATH", "fast")
    with pytest.raises(ValueError, match="XXGK_OCR_PATH"):
        ocr_path()


def test_same_reading_twice() -> None:
    """Fixed crops and fixed batches: the same scan gives the same lines, confidences and rectangles again."""
    import random

    from parsers.readers.ocr import read_pdf_ocr
    from synth.scan import FONT, random_scan_style, scan_pdf

    g = load_golden(GOLDENS[1])
    style = MediaStyle(font=str(FONT), stacked_headers=True)
    scan = scan_pdf(render_pdf(build(from_golden(g), style), style), random_scan_style(random.Random(1)))

    def lines() -> list:
        doc = read_pdf_ocr(scan, {}, "tables")
        return [(c.text, c.loc.as_dict()) for ln in doc.lines for c in ln.cells]

    first = lines()
    assert first and first == lines()
