"""Scanned reports and images of tables, read offline by OCR.

Why this way: many reports are published as scans (``…年度报告（图片版）``) or with their tables pasted as
images.  The text is recognised by RapidOCR with the PP-OCR detection and recognition models that ship
inside its wheel (nothing is downloaded at run time), on ONNX Runtime with one thread, so the result does
not depend on the machine's core count.  The tables' ruling lines are found in the image itself
(morphological opening with long thin kernels after the scan is straightened), and the recognised text
boxes and those lines go through the same grid builder as the PDF text path (:mod:`.ruled`): the table
walker reads a scan exactly as it reads a born-digital PDF.

OCR can misread.  Every cell keeps the recognition's confidence and its rectangle on the page; the parser
turns a low-confidence number into a recorded problem (:func:`low_confidence_problems`), and the tables'
identities catch most digits misread with confidence.  Nothing read here is ever silently trusted.
"""

from __future__ import annotations

from collections.abc import Callable

import functools
import re
import threading
from typing import Any

from ..document import Document, Line, is_page_footer
from ..limits import MAX_PIXELS, check_page, check_pages

DPI = 200  # scans are published at 150–300 dpi; 200 keeps digits legible and the page small enough to be quick
MIN_CONFIDENCE = 0.90  # below this, a number read by OCR is reported as a problem (it is kept, never guessed)
_LOCK = threading.Lock()


@functools.cache
def _engine() -> Any:
    """One RapidOCR engine per process, with its bundled models only (a model change would be a download)."""
    import cv2
    from rapidocr import RapidOCR

    cv2.setNumThreads(1)
    return RapidOCR(params={
        "Global.use_cls": False,  # pages are straightened here; the angle classifier only costs time
        "Global.log_level": "error",
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })


def _gray(image: Any) -> Any:
    import cv2
    import numpy as np

    a = np.ascontiguousarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        return a[:, :, 0].copy()
    if a.ndim == 3:
        a = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY if a.shape[2] == 3 else cv2.COLOR_RGBA2GRAY)
    return a


def _line_masks(gray: Any) -> tuple[Any, Any]:
    """Horizontal and vertical ruling lines of the image, as two binary masks."""
    import cv2

    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = gray.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 40), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 60))))
    return horiz, vert


def _skew(gray: Any) -> float:
    """The page's tilt in degrees, from its long near-horizontal strokes (table rules, underlines)."""
    import cv2
    import numpy as np

    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    w = gray.shape[1]
    segs = cv2.HoughLinesP(ink, 1, np.pi / 1800, threshold=200, minLineLength=w // 4, maxLineGap=10)
    if segs is None:
        return 0.0
    angles = []
    for x1, y1, x2, y2 in segs[:, 0]:
        a = float(np.degrees(np.arctan2(y2 - y1, x2 - x1)))
        if abs(a) < 5:
            angles.append(a)
    return float(np.median(angles)) if angles else 0.0


def _straighten(gray: Any, measure: Callable[[Any], float] | None = None) -> Any:
    """The page rotated by the tilt ``measure`` finds (default: the Hough measure of the whole-page path; the
    table-first path passes its least-squares one)."""
    import cv2

    angle = (measure or _skew)(gray)
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _segments(mask: Any, horizontal: bool) -> list[Any]:
    """Each connected stroke of a line mask as one segment (its bounding rectangle)."""
    import cv2

    from .ruled import Segment

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if horizontal and w > 3 * h or not horizontal and h > 3 * w:
            out.append(Segment(float(x), float(y), float(x + w), float(y + h)))
    return out


def _boxes(gray: Any) -> list[Any]:
    """Recognised text boxes: axis-aligned rectangles with their text and confidence."""
    import cv2

    from .ruled import Box

    with _LOCK:  # one engine per process; ONNX Runtime sessions are not re-entrant from threads here
        # every option given on every call: RapidOCR keeps a call's options for the calls after it
        result = _engine()(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), use_det=True, use_cls=False, use_rec=True)
    if result.boxes is None:
        return []
    out = []
    for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        xs, ys = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
        if y1 - y0 > 1.6 * (x1 - x0):  # characters stacked one per line in a narrow cell (总/计): read one by one
            text, score = _read_stacked(gray, x0, y0, x1, y1, text, float(score))
        text = _STRAY.sub("", text.strip())
        if score < _SPECK_SCORE and _TRAILING_SPECK.match(text):
            text = text[:-1]  # still below the confidence bar: the number is reported as a problem, not trusted
        if text:
            out.append(Box(text, x0, y0, x1, y1, round(float(score), 4)))
    return out


# a dot or dash read in front of a number: a speck of the scan (no printed number starts with a decimal point);
# a trailing one is left alone when read with confidence, because "2." is how the tables number their sub-rows,
# and taken for a speck when the recognition itself doubted the box (a lone "0." read below the bar)
_STRAY = re.compile(r"^[.·,，。、'`]+(?=\d)")
_TRAILING_SPECK = re.compile(r"^\d+[.·,，。、'`]$")
_SPECK_SCORE = MIN_CONFIDENCE


def cleaned_box(text: str, x0: float, y0: float, x1: float, y1: float, score: float) -> Any:
    """A recognised run as a :class:`~.ruled.Box`, after the same clean-up as the page path's boxes (a speck
    read before a number dropped; a trailing one dropped when the recognition doubted it); None when empty."""
    from .ruled import Box

    text = _STRAY.sub("", text.strip())
    if score < _SPECK_SCORE and _TRAILING_SPECK.match(text):
        text = text[:-1]
    return Box(text, x0, y0, x1, y1, round(float(score), 4)) if text else None


def _read_stacked(gray: Any, x0: float, y0: float, x1: float, y1: float, text: str, score: float) -> tuple[str, float]:
    """A tall box of stacked characters, cut into square character cells and each recognised on its own;
    recognition reads a horizontal line, so a column of characters read as one comes out wrong."""
    import cv2

    w, h = x1 - x0, y1 - y0
    n = max(1, round(h / w))
    chars, scores = [], []
    for k in range(n):
        top, bottom = int(y0 + k * h / n), int(y0 + (k + 1) * h / n)
        crop = gray[max(top - 2, 0) : bottom + 2, max(int(x0) - 4, 0) : int(x1) + 4]
        if crop.size == 0:
            return text, score
        with _LOCK:
            r = _engine()(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR), use_det=False, use_cls=False, use_rec=True)
        got = "".join(r.txts or ()).strip()
        if not got:
            return text, score
        chars.append(got)
        scores.append(min(float(s) for s in r.scores))
    stacked = "\n".join(chars)
    return (stacked, min(scores)) if min(scores) > score else (text, score)


INSET = 3  # pixels of a cell's edge left out when it is read alone (its ruling lines are not text)
MIN_INK = 0.004  # share of dark pixels below which a cell is blank (speckle is not text)


def _ink_lines(ink: Any) -> list[tuple[int, int]]:
    """Row ranges of a cell's ink separated by blank rows: its printed lines."""
    rows = ink.any(axis=1)
    out, start = [], None
    for y, on in enumerate(rows):
        if on and start is None:
            start = y
        elif not on and start is not None:
            out.append((start, y))
            start = None
    if start is not None:
        out.append((start, len(rows)))
    return [(a, b) for a, b in out if b - a >= 3]  # a one- or two-pixel band is not a line of text


def _cell_reader(gray: Any) -> Any:
    """Reads one table cell from its own image, line by line (recognition only, no detection)."""
    import cv2

    from .ruled import Box

    def read(rect: tuple[float, float, float, float]) -> list[Any]:
        x0, y0, x1, y1 = (int(round(v)) for v in rect)
        crop = gray[y0 + INSET : y1 - INSET, x0 + INSET : x1 - INSET]
        if crop.size == 0:
            return []
        ink = crop < 128
        if ink.mean() < MIN_INK:
            return []
        out = []
        for top, bottom in _ink_lines(ink):
            cols = ink[top:bottom].any(axis=0).nonzero()[0]
            left, right = max(int(cols.min()) - 4, 0), int(cols.max()) + 5
            t, b = max(top - 4, 0), bottom + 4
            line = cv2.cvtColor(crop[t:b, left:right], cv2.COLOR_GRAY2BGR)
            with _LOCK:
                result = _engine()(line, use_det=False, use_cls=False, use_rec=True)
            text = "".join(result.txts or ()).strip()
            if text:
                score = round(float(min(result.scores)), 4) if result.scores else None
                out.append(Box(text, x0 + INSET + left, y0 + INSET + t, x0 + INSET + right, y0 + INSET + b, score))
        return out

    return read


class ImageError(ValueError):
    """Bytes that are not a picture any reader here decodes (or one too large to read)."""


def decode_image(data: bytes) -> Any:
    """A picture (PNG, JPEG, GIF, BMP, WebP, TIFF) as a greyscale array; the first frame of an animation."""
    import io
    import warnings

    import numpy as np
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if im.width * im.height > MAX_PIXELS:
                    raise ImageError(f"picture of {im.width}×{im.height} pixels, over the {MAX_PIXELS:,}-pixel limit")
                im.seek(0)
                if im.mode in ("RGBA", "LA", "P"):  # transparent pixels are the page behind: white
                    rgba = im.convert("RGBA")
                    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                    im = Image.alpha_composite(white, rgba)
                return np.array(im.convert("L"))
    except ImageError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageError(f"not a readable picture: {type(e).__name__}: {e}") from None


SCREEN_WIDTH = 1650  # pixels: an A4 page's width at 200 dpi, the resolution the recognition here is tuned at


def upscaled(picture: Any) -> tuple[Any, float]:
    """A picture from a web page (a screenshot at screen resolution, its text 12–16 pixels high) enlarged to
    the scale of a 200-dpi scan, and the factor (rectangles are then recorded in the picture's own pixels)."""
    import cv2

    w = picture.shape[1]
    factor = min(3.0, max(1.0, SCREEN_WIDTH / max(w, 1)))
    if factor <= 1.05:
        return picture, 1.0
    return cv2.resize(picture, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC), factor


def image_lines(image: Any, scale: float, *, page: int, first_table: int) -> tuple[list[Line], int]:
    """One page image (PIL image or array) as lines: tables as exact grids, text as lines; ``scale`` is pixels
    per unit of the rectangles recorded (PDF points for a scan, the picture's own pixels for a web image).
    The picture of a table in a web page: read table first (:mod:`.ocr_cells`), or by the whole-page path."""
    if ocr_path() == "page":
        return page_image_lines(image, scale, page=page, first_table=first_table)
    from .ocr_cells import page_lines_tables_first

    # a picture is a table with perhaps its caption: all of its text is read; it was enlarged to a 200-dpi
    # scan's scale, detection of the text around the table runs at half that
    return page_lines_tables_first(image, scale, page=page, first_table=first_table, text="all", det_factor=0.5)


def page_image_lines(image: Any, scale: float, *, page: int, first_table: int) -> tuple[list[Line], int]:
    """The whole-page path: detection and recognition over the whole image, then the grid builder (kept for
    comparison: ``XXGK_OCR_PATH=page``)."""
    from .ruled import page_lines

    import cv2

    # a 3×3 median removes the scanner's speckle (isolated dark or light pixels, which OCR reads as "." or "·")
    # and keeps strokes, which are wider than one pixel at the resolutions reports are scanned at
    gray = cv2.medianBlur(_straighten(_gray(image)), 3)
    horiz, vert = _line_masks(gray)
    segments = _segments(horiz, True) + _segments(vert, False)
    tol = max(2.0, scale * 2.5)
    # cells are read with their ruling lines erased, so that a line's remnant is never read as text
    lines_mask = cv2.dilate(cv2.bitwise_or(horiz, vert), cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    clean = gray.copy()
    clean[lines_mask > 0] = 255
    return page_lines(page, _boxes(gray), segments, first_table, scale=scale, tol=tol, min_len=scale * 8, gap=0.8,
                      fill=_cell_reader(clean))


OCR_PATHS = ("tables", "page")  # table first (parsers/readers/ocr_cells.py), or the whole page as before
OCR_PATH_ENV = "XXGK_OCR_PATH"


def ocr_path() -> str:
    """The OCR path in use: ``tables`` (default) or ``page`` (``XXGK_OCR_PATH=page``, for comparison); the parse
    cache's key names it (pipelines/parse_cache.py), so results of the two paths are never mixed."""
    import os

    path = os.environ.get(OCR_PATH_ENV, "tables").strip() or "tables"
    if path not in OCR_PATHS:
        raise ValueError(f"{OCR_PATH_ENV}={path!r}: expected one of {', '.join(OCR_PATHS)}")
    return path


def read_pdf_ocr(data: bytes, meta: dict[str, str], path: str | None = None) -> Document:
    """A PDF without a text layer, read by OCR: table first (:func:`.ocr_cells.read_pdf_tables_first`), or with
    ``path="page"`` every page rendered at :data:`DPI` and read whole."""
    if (path or ocr_path()) == "tables":
        from .ocr_cells import read_pdf_tables_first

        return read_pdf_tables_first(data, meta)
    return read_pdf_page(data, meta)


def read_pdf_page(data: bytes, meta: dict[str, str]) -> Document:
    """The whole-page path: every page rendered at :data:`DPI`, detection and recognition over all of it."""
    from .pdf import MEDIA_TYPE, _pdfium_open

    pdf = _pdfium_open(data)
    lines: list[Line] = []
    tables = 0
    scale = DPI / 72
    try:
        check_pages(len(pdf))
        for pno in range(len(pdf)):
            page = pdf[pno]
            try:
                check_page(page.get_width(), page.get_height(), scale, pno + 1)  # before PDFium allocates the bitmap
                image = page.render(scale=scale, grayscale=True).to_numpy()
            finally:
                page.close()
            found_lines, found = page_image_lines(image, scale, page=pno + 1, first_table=tables)
            lines += [ln for ln in found_lines if ln.exact or not is_page_footer(ln.text)]
            tables += found
    finally:
        pdf.close()
    return Document(lines=lines, media_type=MEDIA_TYPE, meta={**meta, "pdf_reader": "ocr", "ocr_path": "page"})


def low_confidence_problems(facts: list[Any], threshold: float = MIN_CONFIDENCE) -> list[tuple[Any, str]]:
    """The facts read by OCR with less than ``threshold`` confidence, each with the problem's wording."""
    out = []
    for f in facts:
        c = f.location.confidence
        if c is not None and c < threshold and not f.derived:
            out.append((f, f"OCR read {f.raw!r} with confidence {c:.2f} (below {threshold:.2f}): check the printed cell"))
    return out
