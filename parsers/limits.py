"""Every limit a reader enforces on untrusted input, in one place, checked before native code sees the bytes.

A portal can serve anything under a report's name: a workbook declaring cells A1 and XFD1048576 (Rust's
calamine would allocate half a terabyte and abort), a 469-byte PDF with a 14,400-point page (rendered at
200 dpi, 15 GB), a zip bomb.  Each reader checks these first and refuses with a clear error; the worker's
time limit and memory cap (pipelines/parallel.py) stay the last line, not the first.  A real annual report
is far inside every one of them.
"""

from __future__ import annotations

import io
import re
import zipfile

MAX_BYTES = 64 * 1024 * 1024  # a document: no annual report is larger; refused before it is read whole
MAX_UNZIPPED = 100 * 1024 * 1024  # an OOXML file's parts together: a report's XML is a few MB
MAX_RATIO = 200  # one zip member's expansion (with MAX_UNZIPPED: a zip bomb)
MAX_SHEET_CELLS = 200_000  # a sheet's declared area: a report's tables are a few thousand cells
MAX_PIXELS = 40_000_000  # a picture: a screenshot of a long table is a few million pixels
MAX_PDF_PAGES = 2_000  # a report runs to tens of pages; a gazette of a year to a few hundred
MAX_PAGE_PIXELS = 40_000_000  # a page rendered for OCR: A3 at 200 dpi is 7.8 M


class LimitExceeded(ValueError):
    """The input passes a limit no annual report comes near: refused before it is read."""


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """The OOXML container, after its sizes and expansion ratios are checked from the central directory alone."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise LimitExceeded(f"corrupt {what}: {e}") from e
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1_000_000:
            raise LimitExceeded(f"refused: {what} member {info.filename} expands {info.file_size // info.compress_size}x (zip bomb?)")
    if total > MAX_UNZIPPED:
        raise LimitExceeded(f"refused: {what} expands to {total} bytes, over the {MAX_UNZIPPED}-byte limit (zip bomb?)")
    return zf


_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_workbook(data: bytes) -> None:
    """An .xlsx whose sheets declare or hold cells over :data:`MAX_SHEET_CELLS` (their bounding area, as calamine
    allocates it) is refused before calamine opens it.  Linear scans of each sheet's XML."""
    with open_zip(data, "workbook") as zf:
        for info in zf.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            xml = zf.read(info)
            rows: list[int] = []
            cols: list[int] = []
            for m in _DIMENSION.finditer(xml[:4096]):
                cols += [_column(m.group(1))] + ([_column(m.group(3))] if m.group(3) else [])
                rows += [int(m.group(2))] + ([int(m.group(4))] if m.group(4) else [])
            for m in _CELL_REF.finditer(xml):
                cols.append(_column(m.group(1)))
                rows.append(int(m.group(2)))
            if rows and cols:
                area = (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1)
                if area > MAX_SHEET_CELLS:
                    raise LimitExceeded(f"refused: sheet {info.filename} spans {area:,} cells, over the {MAX_SHEET_CELLS:,}-cell limit")


def check_page(width_pt: float, height_pt: float, scale: float, page: int) -> None:
    pixels = (width_pt * scale) * (height_pt * scale)
    if pixels > MAX_PAGE_PIXELS:
        raise LimitExceeded(f"refused: page {page} is {width_pt:.0f}×{height_pt:.0f} pt, {pixels:,.0f} pixels to render, "
                            f"over the {MAX_PAGE_PIXELS:,}-pixel limit")


def check_pages(n: int) -> None:
    if n > MAX_PDF_PAGES:
        raise LimitExceeded(f"refused: {n} pages, over the {MAX_PDF_PAGES}-page limit")
