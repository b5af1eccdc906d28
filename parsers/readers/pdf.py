"""PDF with a text layer: a fast text path (pypdfium2) and a full layout path (pdfplumber on pdfminer.six).

The fast path takes each page's characters with their boxes and its drawn lines from PDFium (a C++
library) and rebuilds the ruled tables as grids (:mod:`.ruled`, the same builder as the OCR path's), at
a small fraction of the cost of pdfminer's layout analysis.  The caller accepts its result only when the
report reads completely (no problem, every identity holds) and otherwise reads the PDF again with the
layout path (pdfplumber), which also reads what PDFium cannot map (a CID font that is not embedded and
has no system font to stand in for it).
"""

from __future__ import annotations

import io
from typing import Any

from ..document import Cell, Document, Line, Location, is_page_footer

MEDIA_TYPE = "application/pdf"


class PdfError(ValueError):
    """A PDF that cannot be read: encrypted, truncated or corrupt."""


class NeedsOcr(ValueError):
    """A PDF without a text layer (a scan)."""

    def __init__(self, message: str, meta: dict[str, str]) -> None:
        super().__init__(message)
        self.meta = meta


def _pdfium_open(data: bytes) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise PdfError("encrypted PDF: a password is needed to read it") from e
        raise PdfError(f"corrupt or truncated PDF: {msg}") from e


def pdf_meta(pdf: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except Exception:  # metadata is a courtesy; a broken Info dictionary must not stop the read
        info = {}
    for key, name in (("Title", "pdf_title"), ("Author", "pdf_author"), ("CreationDate", "pdf_created"), ("ModDate", "pdf_modified")):
        if info.get(key):
            meta[name] = str(info[key])
    meta["pages"] = str(len(pdf))
    return meta


def read_pdf_fast(data: bytes) -> Document:
    """Every page from PDFium: its characters with their boxes and its drawn lines, rebuilt into ruled grids
    and text lines (:mod:`.ruled`), so each number knows its page, table, row, cell and rectangle."""
    from .ruled import page_lines

    pdf = _pdfium_open(data)
    try:
        meta = pdf_meta(pdf)
        lines: list[Line] = []
        chars = tables = 0
        for pno in range(len(pdf)):
            page = pdf[pno]
            try:
                height = page.get_height()
                boxes, n = _char_boxes(page, height)
                chars += n
                page_out, found = page_lines(pno + 1, boxes, _ruling_lines(page, height), tables)
            finally:
                page.close()
            tables += found
            lines += [ln for ln in page_out if ln.exact or not is_page_footer(ln.text)]
    finally:
        pdf.close()
    if chars == 0:
        raise NeedsOcr("needs_ocr: the PDF has no text layer (a scan); OCR is needed to read it", meta)
    return Document(lines=lines, media_type=MEDIA_TYPE, meta=meta)


def _char_boxes(page: Any, height: float) -> tuple[list[Any], int]:
    """The page's printed characters as boxes (y downwards); PDFium's generated spaces and line breaks left out."""
    from .ruled import Box

    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        text = tp.get_text_range(0, n) if n else ""
        boxes = []
        for i, ch in enumerate(text[:n]):
            if ch.isspace() or ch in "\ufffe\uffff":
                continue
            left, bottom, right, top = tp.get_charbox(i, loose=True)
            boxes.append(Box(ch, left, height - top, right, height - bottom))
    finally:
        tp.close()
    return boxes, n


THIN = 3.0  # points: a path this thin in one direction is a ruling line (a stroke, or a filled hairline rectangle)


def _ruling_lines(page: Any, height: float) -> list[Any]:
    """Axis-aligned lines drawn on the page: thin paths by their bounds, the edges of drawn rectangles by their points."""
    import ctypes

    import pypdfium2.raw as raw

    from .ruled import Segment

    out = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        x0, y0, x1, y1 = obj.get_bounds()
        if min(x1 - x0, y1 - y0) <= THIN:
            out.append(Segment(x0, height - y1, x1, height - y0))
            continue
        a, b, c, d, e, f = obj.get_matrix().get()
        pts = []
        for i in range(raw.FPDFPath_CountSegments(obj.raw)):
            seg = raw.FPDFPath_GetPathSegment(obj.raw, i)
            x, y = ctypes.c_float(), ctypes.c_float()
            raw.FPDFPathSegment_GetPoint(seg, x, y)
            px, py = a * x.value + c * y.value + e, b * x.value + d * y.value + f
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                pts = [(px, py)]
                continue
            if pts:
                qx, qy = pts[-1]
                if abs(px - qx) <= 0.5 or abs(py - qy) <= 0.5:
                    out.append(Segment(min(px, qx), height - max(py, qy), max(px, qx), height - min(py, qy)))
                pts.append((px, py))
                if raw.FPDFPathSegment_GetClose(seg) and len(pts) > 2:
                    (sx, sy), (lx, ly) = pts[0], pts[-1]
                    if abs(sx - lx) <= 0.5 or abs(sy - ly) <= 0.5:
                        out.append(Segment(min(sx, lx), height - max(sy, ly), max(sx, lx), height - min(sy, ly)))
    return out


def _rounded(box: Any) -> tuple[float, float, float, float] | None:
    return tuple(round(float(v), 1) for v in box) if box else None  # type: ignore[return-value]


def read_pdf_layout(data: bytes) -> Document:
    """Full layout analysis: ruled tables as exact grids, the text around them as lines, in page order."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise PdfError("encrypted PDF: a password is needed to read it") from e
    except (PDFSyntaxError, Exception) as e:  # pdfminer raises many types on broken files
        raise PdfError(f"corrupt or truncated PDF: {type(e).__name__}: {e}") from e
    lines: list[Line] = []
    tables = 0
    try:
        for pno, page in enumerate(pdf.pages, start=1):
            items: list[tuple[float, int, Any]] = []
            found = page.find_tables()
            boxes = [t.bbox for t in found]
            for t in found:
                tables += 1
                items.append((t.bbox[1], 0, (tables, t.extract(), [row.cells for row in t.rows])))

            def outside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]] = boxes) -> bool:
                if obj.get("object_type") != "char":
                    return True
                cx = (obj["x0"] + obj["x1"]) / 2
                cy = (obj["top"] + obj["bottom"]) / 2
                return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

            for ln in page.filter(outside).extract_text_lines(layout=False, strip=True):
                items.append((ln["top"], 1, (ln["text"], _rounded((ln["x0"], ln["top"], ln["x1"], ln["bottom"])))))
            items.sort(key=lambda it: (it[0], it[1]))
            for _top, kind, payload in items:
                if kind == 1:
                    text, bbox = payload
                    if text.strip() and not is_page_footer(text):
                        loc = Location(page=pno, bbox=bbox)
                        lines.append(Line([Cell(text, loc)], loc=loc))
                    continue
                tno, rows, boxes = payload
                for r, row in enumerate(rows, start=1):
                    cells = [
                        Cell(text or "", Location(page=pno, table=tno, row=r, cell=c, bbox=_rounded(box)), covered=text is None)
                        for c, (text, box) in enumerate(zip(row, boxes[r - 1], strict=False), start=1)
                    ]
                    lines.append(Line(cells, exact=True, loc=Location(page=pno, table=tno, row=r), grid=tno))
    except PdfError:
        raise
    except Exception as e:
        raise PdfError(f"corrupt or truncated PDF: {type(e).__name__}: {e}") from e
    finally:
        pdf.close()
    return Document(lines=lines, media_type=MEDIA_TYPE)
