"""PDF with a text layer: a fast text path (pypdfium2) and a full layout path (pdfplumber on pdfminer.six).

The fast path reads each page's text in content order — cells come out one per line or separated
by spaces, which the stream reader handles — at a small fraction of the cost of layout analysis.
It cannot see blank cells or merged-cell geometry, so the caller accepts its result only when the
report reads completely (no problem, every identity holds) and otherwise reads the PDF again with
the layout path, where ruled tables become exact grids (merged cells resolved, blank cells kept).
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
    """Text of every page in content order, one line per printed line."""
    pdf = _pdfium_open(data)
    try:
        meta = pdf_meta(pdf)
        lines: list[Line] = []
        chars = 0
        for pno in range(len(pdf)):
            page = pdf[pno]
            tp = page.get_textpage()
            try:
                text = tp.get_text_range()
                chars += tp.count_chars()
            finally:
                tp.close()
                page.close()
            for i, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
                if not raw.strip() or is_page_footer(raw):
                    continue
                loc = Location(page=pno + 1, line=i)
                lines.append(Line([Cell(raw, loc)], loc=loc))
    finally:
        pdf.close()
    if chars == 0:
        raise NeedsOcr("needs_ocr: the PDF has no text layer (a scan); OCR is needed to read it", meta)
    return Document(lines=lines, media_type=MEDIA_TYPE, meta=meta)


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
                items.append((t.bbox[1], 0, (tables, t.extract())))

            def outside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]] = boxes) -> bool:
                if obj.get("object_type") != "char":
                    return True
                cx = (obj["x0"] + obj["x1"]) / 2
                cy = (obj["top"] + obj["bottom"]) / 2
                return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

            for ln in page.filter(outside).extract_text_lines(layout=False, strip=True):
                items.append((ln["top"], 1, ln["text"]))
            items.sort(key=lambda it: (it[0], it[1]))
            for _top, kind, payload in items:
                if kind == 1:
                    if payload.strip() and not is_page_footer(payload):
                        loc = Location(page=pno)
                        lines.append(Line([Cell(payload, loc)], loc=loc))
                    continue
                tno, rows = payload
                for r, row in enumerate(rows, start=1):
                    cells = [
                        Cell(text or "", Location(page=pno, table=tno, row=r, cell=c), covered=text is None)
                        for c, text in enumerate(row, start=1)
                    ]
                    lines.append(Line(cells, exact=True, loc=Location(page=pno, table=tno, row=r), grid=tno))
    except PdfError:
        raise
    except Exception as e:
        raise PdfError(f"corrupt or truncated PDF: {type(e).__name__}: {e}") from e
    finally:
        pdf.close()
    return Document(lines=lines, media_type=MEDIA_TYPE)
