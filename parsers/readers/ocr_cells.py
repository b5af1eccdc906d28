"""Table-first OCR: a scanned page read the way a person reads it — the tables' cells, then only the text around.

Why: the whole-page path (:func:`parsers.readers.ocr.page_image_lines`) straightens each page with a Hough
transform (~3 s a page), runs text detection over the whole page at 200 dpi and recognises every box it finds,
most of it narrative prose, padding every short box (a cell's ``0``) to the recogniser's 320-pixel line: ~9 s a
page.  Here the pages are first looked over for ruling lines at 100 dpi (:func:`survey`); the tilt is measured by
least squares through the long strokes; each table cell's printed lines are cut from the cell's own ink (a
projection: a cell is a small, straight, ruled box) and recognised at their own width without any detection;
text detection runs only over the ink bands outside the tables, at 100 dpi; and which text is recognised is
decided by where it stands (:func:`plan`): everything up to the last table (title, opening paragraph —
agency, year, period, contacts, the statements the text checks read —, headings, notes, labels beside a
table) and the document's last lines (signature and date).  The prose after the last table is not
recognised, and where it stood is recorded — a ``reader`` problem on the report and the document's
metadata (``ocr_pages_not_read``, ``ocr_text_not_read``) —, never silently.

Every number keeps its recognition's confidence — here the lowest of its characters' probabilities, stricter
than the line's mean the page path keeps — so a misread digit is an ``ocr_low_confidence`` problem or breaks
an identity, as on the page path.  A cell whose line the recogniser doubts is read again with detection on
that cell's crop alone (or padded to the recogniser's 320 pixels), and the better-scored reading kept.  One thread, fixed crops and fixed batches: the
same result on every machine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..document import Document, Line

CELL_DPI = 200  # cells are read from the page at this resolution (measured: benchmarks/scan_ocr.py --dpi-sweep)
TEXT_DET_DPI = 100  # text outside the tables is found at this resolution (detection costs with the pixels)
REC_HEIGHT = 48  # the recogniser's input height (PP-OCR)
MIN_REC_WIDTH = 32  # a crop narrower than this (a lone digit) is padded to it: the recogniser needs some context
RECHECK_BELOW = 0.90  # a cell line scored below this is read again with detection on the cell's crop
INSET = 3  # pixels of a cell's edge left out (its ruling lines are not text)
MIN_BLOT = 6  # pixels: a connected blot of ink smaller than this is a speck (a printed full stop is ~9 at 200 dpi)
HEAD_LINES = 3  # the lines below the last table read: the heading that ends the tables (五、…), or a note first
LAST_LINES = 8  # the document's last lines are read whatever the page: the signature and the date (metadata)

# which text outside the tables is recognised, by the page's role (data, not code): a person reading a report
# for its figures reads the first page, every page with a table, and the signature at the end
TEXT_READ = {
    "first": "all",  # the pages before the first table: title, opening paragraph, 总体情况 (agency, year, period,
    #                  contacts, the statements the text checks read)
    "table": "all",  # the pages with a table, down to the last table: headings, notes, labels beside a table
    "between": "all",  # a page of text between two table pages
}  # after the last table: only the document's last LAST_LINES lines (signature, date); the rest recorded as not read
SURVEY_DPI = 100  # pages are looked over for ruling lines at this resolution before any is read


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    score: float  # the lowest character probability (0 for nothing read)


def _engine() -> Any:
    from .ocr import _engine as engine

    return engine()


def _rec_model() -> Any:
    return _engine()._load_rec_model()


def _det_model() -> Any:
    return _engine()._load_det_model()


def _norm(crop: Any, width: int) -> Any:
    """A grey crop as the recogniser's input: 48 pixels high, its own width (padded with the mean grey, as
    PP-OCR pads), values in −1…1."""
    import cv2
    import numpy as np

    h, w = crop.shape[:2]
    rw = max(1, min(width, int(math.ceil(REC_HEIGHT * w / max(h, 1)))))
    img = cv2.resize(crop, (rw, REC_HEIGHT), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 127.5 - 1.0
    out = np.zeros((3, REC_HEIGHT, width), dtype=np.float32)
    out[:, :, :rw] = img[None]
    return out


def recognise(crops: list[Any], min_width: int = MIN_REC_WIDTH) -> list[Reading]:
    """Each grey crop (one printed line) recognised at its own width (at least ``min_width``: 320 is the width
    PP-OCR pads a short line to); crops of similar width are batched (the order is fixed by the crops alone, so
    the batches — and the result — are the same on every run)."""
    import numpy as np

    if not crops:
        return []
    rec = _rec_model()
    widths = [max(min_width, int(math.ceil(REC_HEIGHT * c.shape[1] / max(c.shape[0], 1) / 8)) * 8) for c in crops]
    order = sorted(range(len(crops)), key=lambda i: (widths[i], i))
    out: list[Reading | None] = [None] * len(crops)
    batch: list[int] = []

    def run(ids: list[int]) -> None:
        width = max(widths[i] for i in ids)
        x = np.stack([_norm(crops[i], width) for i in ids])
        preds = rec.session(x)
        idx, prob = preds.argmax(axis=2), preds.max(axis=2)
        chars = rec.postprocess_op.character
        for k, i in enumerate(ids):
            seq, p = idx[k], prob[k]
            keep = np.ones(len(seq), dtype=bool)
            keep[1:] = seq[1:] != seq[:-1]
            keep &= seq != 0
            text = "".join(chars[t] for t in seq[keep])
            out[i] = Reading(text, round(float(p[keep].min()), 4) if keep.any() else 0.0)

    for i in order:  # a batch holds crops within 25% of each other's width (little padding), at most 8
        if batch and (len(batch) == 8 or widths[i] > 1.25 * widths[batch[0]]):
            run(batch)
            batch = []
        batch.append(i)
    if batch:
        run(batch)
    return [r for r in out if r is not None]


def detect(gray: Any) -> list[tuple[float, float, float, float]]:
    """Text boxes (axis-aligned, in the image's pixels) found by PP-OCR detection in a grey image at its own
    scale: padded with white to a multiple of 32 pixels, never resized (RapidOCR's default enlarges any image
    to 736 pixels on its short side: a strip of text would cost a page)."""
    import numpy as np

    det = _det_model()
    h, w = gray.shape[:2]
    ph, pw = max(32, -(-h // 32) * 32), max(32, -(-w // 32) * 32)
    canvas = np.full((ph, pw), 255, dtype=np.uint8)
    canvas[:h, :w] = gray
    x = (canvas.astype(np.float32) / 127.5 - 1.0)[None, None].repeat(3, axis=1)
    preds = det.session(x)
    boxes, _scores = det.postprocess_op(preds, (ph, pw))
    out = []
    for quad in boxes:
        xs, ys = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
        x0, y0, x1, y1 = max(0.0, min(xs)), max(0.0, min(ys)), min(float(w), max(xs)), min(float(h), max(ys))
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            out.append((x0, y0, x1, y1))
    return sorted(out, key=lambda b: (b[1], b[0]))


def ink_runs(mask: Any, min_len: int = 3, gap: int = 1) -> list[tuple[int, int]]:
    """Ranges of a boolean profile's True values, runs closer than ``gap`` joined, shorter than ``min_len`` dropped."""
    out: list[list[int]] = []
    for y, on in enumerate(mask):
        if not on:
            continue
        if out and y - out[-1][1] <= gap:
            out[-1][1] = y + 1
        else:
            out.append([y, y + 1])
    return [(a, b) for a, b in out if b - a >= min_len]


def _merge_runs(runs: list[tuple[int, int]], ch: float) -> list[tuple[int, int]]:
    """Runs of ink rows joined into printed lines: a short run (a stroke of 三, the 、 above 本) joins its
    neighbour while the two stay within a character's height; two full-height runs are two lines (or two
    characters stacked one per line)."""
    out: list[tuple[int, int]] = []
    for a, b in runs:
        if out:
            a0, b0 = out[-1]
            if ((b0 - a0) < 0.6 * ch or (b - a) < 0.6 * ch) and b - a0 <= 1.15 * ch:
                out[-1] = (a0, b)
                continue
        out.append((a, b))
    return out


def char_height(p: Any, rects: list[tuple[float, float, float, float]]) -> float:
    """The printed characters' height in pixels, from the cells' own ink: the median height of the cells' single
    lines of several characters (a label), whatever the scan's resolution."""
    import statistics

    heights = []
    for rect in rects:
        got = _inset(p, rect)
        if got is None:
            continue
        _crop, ink = got
        for a, b in ink_runs(ink.any(axis=1), min_len=2):
            cols = ink[a:b].any(axis=0).nonzero()[0]
            if len(cols) and b - a >= 5 and cols.max() - cols.min() >= 2.5 * (b - a):
                heights.append(b - a)
    return float(statistics.quantiles(heights, n=4)[2]) if len(heights) > 1 else float(heights[0]) if heights else 0.0


def _inset(p: Any, rect: tuple[float, float, float, float]) -> tuple[Any, Any] | None:
    """A cell's pixels inside its ruling lines and their ink; None for a blank cell."""
    x0, y0, x1, y1 = (int(round(v)) for v in rect)
    ys, xs = slice(max(y0 + INSET, 0), max(y1 - INSET, 0)), slice(max(x0 + INSET, 0), max(x1 - INSET, 0))
    crop, ink = p.clean[ys, xs], p.ink[ys, xs]
    if crop.size == 0 or ink.sum() < MIN_BLOT * 2:
        return None
    return crop, ink


def no_rules(ink: Any, ch: float) -> Any:
    """A cell's ink without what is left of a ruling line (a tilt's step, a stub at a merged cell): no stroke of
    a character is longer than one and a half characters."""
    import cv2
    import numpy as np

    run = max(5, int(round(1.5 * ch)))
    out = ink.astype(np.uint8)
    for k in ((run, 1), (1, run)):
        out &= ~cv2.morphologyEx(out, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, k)) & 1
    return out.astype(bool)


def characters_only(ink: Any, ch: float) -> Any:
    """A cell's ink without the scan's specks: blots smaller than a third of a character are dropped unless they
    stand beside a character (the point of 0.5, the 、 of a label), where a printed mark of that size belongs."""
    import cv2
    import numpy as np

    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n <= 1:
        return ink
    x, y, w, h = (stats[1:, k] for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
    big = np.maximum(w, h) >= 0.35 * ch
    keep = big.copy()
    near = 0.5 * ch
    for i in np.nonzero(~big)[0]:
        beside = ((x[big] - near <= x[i] + w[i]) & (x[i] <= x[big] + w[big] + near)
                  & (y[big] - 0.2 * ch <= y[i] + h[i]) & (y[i] <= y[big] + h[big] + 0.2 * ch))
        keep[i] = bool(beside.any())
    return np.concatenate(([False], keep))[labels]


@dataclass
class CellLines:
    """A cell's printed lines as crops, with their places on the page."""

    rect: tuple[float, float, float, float]
    crops: list[Any]
    places: list[tuple[float, float, float, float]]
    suspect: bool  # a line taller than a character (lines not separated): read with detection instead


def cell_lines(p: Any, rect: tuple[float, float, float, float], ch: float) -> CellLines | None:
    """A cell cut into its printed lines by the projection of its ink (no detection)."""
    got = _inset(p, rect)
    if got is None:
        return None
    crop, ink = got
    ink = characters_only(no_rules(ink, ch), ch)
    if not ink.any():
        return None
    x0, y0 = int(round(rect[0])) + INSET, int(round(rect[1])) + INSET
    runs = _merge_runs(ink_runs(ink.any(axis=1), min_len=1), ch)
    crops, places, suspect = [], [], False
    pad = max(2, int(round(ch * 0.2)))
    for top, bottom in runs:
        if bottom - top < max(3, 0.4 * ch):
            continue  # a speck's or a stroke remnant's row band, not a line of text
        band = ink[top:bottom]
        # the line's words: ink columns closer than a character joined; a lone blot far from any word is a speck
        for left, right in ink_runs(band.any(axis=0), min_len=1, gap=int(ch)):
            rows = band[:, left:right].any(axis=1).nonzero()[0]
            if rows[-1] - rows[0] + 1 < 0.4 * ch and (right - left < 0.5 * ch or band[:, left:right].sum() < 0.05 * ch * ch):
                continue  # a speck or a blot of the scan, smaller than any character
            left, right = max(left - pad, 0), min(right + pad, crop.shape[1])
            t, b = max(top - pad, 0), min(bottom + pad, crop.shape[0])
            crops.append(crop[t:b, left:right])
            places.append((x0 + left, y0 + t, x0 + right, y0 + b))
        suspect |= bottom - top > 2.2 * ch
    return CellLines(rect, crops, places, suspect) if crops else None


def _stacked(crop: Any, box: tuple[float, float, float, float]) -> tuple[list[Any], list[tuple[float, float, float, float]]]:
    """A tall narrow box of characters stacked one per line, cut into square character cells."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    n = max(1, round(h / max(w, 1)))
    crops, places = [], []
    for k in range(n):
        top, bottom = int(y0 + k * h / n), int(y0 + (k + 1) * h / n)
        piece = crop[max(top - 2, 0) : bottom + 2, max(int(x0) - 3, 0) : int(x1) + 3]
        if piece.size:
            crops.append(piece)
            places.append((x0, top, x1, bottom))
    return crops, places


def detected_lines(crop: Any) -> tuple[list[Any], list[tuple[float, float, float, float]]]:
    """A crop's lines found by detection on the crop alone (a cell whose lines the projection could not
    separate, or whose line the recogniser doubted)."""
    crops, places = [], []
    for box in detect(crop):
        x0, y0, x1, y1 = box
        if y1 - y0 > 1.6 * (x1 - x0):
            c, p = _stacked(crop, box)
            crops += c
            places += p
            continue
        piece = crop[int(y0) : int(math.ceil(y1)), int(x0) : int(math.ceil(x1))]
        if piece.size:
            crops.append(piece)
            places.append(box)
    return crops, places


_MARK_AFTER = re.compile(r"^\d+[.·,，。、'`]$")


def _doubtful(rd: Reading) -> bool:
    """A reading to check again: nothing read, a number read below the bar or with a mark after it, or only marks
    that are neither characters nor digits (a 0 read as Q)."""
    text = rd.text.strip()
    if not text:
        return True
    if any(c.isdigit() for c in text):
        # a mark after a number (0. — a speck beside the digit) is checked too: sub-rows are numbered 2. in labels,
        # never in a cell of figures
        return rd.score < RECHECK_BELOW or bool(_MARK_AFTER.match(text))
    return not any("\u4e00" <= c <= "\u9fff" for c in text)


def read_cells(p: Any, rects: list[tuple[float, float, float, float]], make_box: Callable[..., Any]) -> dict:
    """Every cell's boxes (text, place, confidence): its lines cut by projection and recognised in one batch;
    a cell with a doubtful line or lines the projection could not part read again with detection on its crop,
    and the reading with the better lowest score kept."""
    ch = char_height(p, rects) or 20.0
    cells = {r: cl for r in rects if (cl := cell_lines(p, r, ch)) is not None}
    flat = [(r, i) for r, cl in cells.items() for i in range(len(cl.crops))]
    readings = recognise([cells[r].crops[i] for r, i in flat])
    # a doubtful line (a number read below the bar, or a lone mark that is neither a character nor a digit)
    # is read again as PP-OCR reads a short line, padded to its 320-pixel width, and the better reading kept
    doubtful = [k for k, (r, i) in enumerate(flat) if _doubtful(readings[k])]
    again = recognise([cells[flat[k][0]].crops[flat[k][1]] for k in doubtful], min_width=320)
    for k, rd in zip(doubtful, again, strict=True):
        if rd.score > readings[k].score:
            readings[k] = rd
    got: dict = {}
    for (r, i), rd in zip(flat, readings, strict=True):
        got.setdefault(r, []).append((rd, cells[r].places[i]))
    out = {}
    for r, cl in cells.items():
        lines = got.get(r, [])
        score = min((rd.score for rd, _ in lines), default=0.0)
        if cl.suspect or any(_doubtful(rd) for rd, _ in lines):
            crop = _inset(p, r)[0]  # type: ignore[index] - the cell has lines, so it is not blank
            x0, y0 = int(round(r[0])) + INSET, int(round(r[1])) + INSET
            crops, places = detected_lines(crop)
            again = list(zip(recognise(crops), [(a + x0, b + y0, c + x0, d + y0) for a, b, c, d in places], strict=True))
            again = [(rd, p) for rd, p in again if rd.text.strip()]
            if again and (cl.suspect or min(rd.score for rd, _ in again) > score):
                lines = again
        out[r] = [make_box(rd.text.strip(), *p, rd.score) for rd, p in lines if rd.text.strip()]
    return out


def _ends(bands: list[tuple[int, int]], how: str) -> list[tuple[int, int]]:
    """The bands a mode reads: ``head`` the first :data:`HEAD_LINES` (the heading that ends the tables), ``tail``
    the last :data:`LAST_LINES` (signature and date), ``head+tail`` both, ``none`` none."""
    keep = set()
    if "head" in how:
        keep |= set(range(min(HEAD_LINES, len(bands))))
    if "tail" in how:
        keep |= set(range(max(0, len(bands) - LAST_LINES), len(bands)))
    return [b for k, b in enumerate(bands) if k in keep]


def text_boxes(gray: Any, tables: list[Any], mode: str, factor: float, make_box: Callable[..., Any],
               below: float | None = None, below_mode: str = "all", skipped: list[int] | None = None) -> list[Any]:
    """The text outside the page's tables: its ink bands found on the page with the tables blanked, detection
    run on those bands only at ``factor`` of the page's resolution, each line recognised from the full page.
    ``mode`` for the bands above ``below`` (pixels; all of them when None), ``below_mode`` for the rest: ``all``
    or as :func:`_ends` says; ``skipped`` is told how many bands of ink were left unread."""
    import cv2

    masked = gray.copy()
    for t in tables:
        x0, y0, x1, y1 = (int(round(v)) for v in t.bbox)
        masked[max(y0 - 4, 0) : y1 + 5, max(x0 - 4, 0) : x1 + 5] = 255
    small = cv2.resize(masked, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else masked
    rows = ((small < 128).sum(axis=1) >= 2)
    bands = ink_runs(rows, min_len=3, gap=2)
    cut = len(bands) if below is None else sum(1 for top, _ in bands if top < below * factor)
    chosen = []
    for part, how in ((bands[:cut], mode), (bands[cut:], below_mode)):
        took = part if how == "all" else _ends(part, how)
        chosen += took
        if skipped is not None:
            skipped.append(len(part) - len(took))
    found = []
    for top, bottom in chosen:
        t, b = max(top - 6, 0), min(bottom + 6, small.shape[0])
        for x0, y0, x1, y1 in detect(small[t:b]):
            found.append((x0 / factor, (y0 + t) / factor, x1 / factor, (y1 + t) / factor))
    crops, places = [], []
    for x0, y0, x1, y1 in found:
        piece = gray[int(y0) : int(math.ceil(y1)), int(x0) : int(math.ceil(x1))]
        if piece.size and min(piece.shape) >= 4:
            crops.append(piece)
            places.append((x0, y0, x1, y1))
    return [make_box(rd.text.strip(), *p, rd.score) for rd, p in zip(recognise(crops), places, strict=True) if rd.text.strip()]


@dataclass
class Prepared:
    """A page image straightened and cleaned, with its ruling lines and the tables they draw."""

    gray: Any
    clean: Any  # the page with its ruling lines erased (a line's remnant is never read as text)
    ink: Any  # the clean page's ink (adaptive threshold: a thin stroke of a small digit is ink too)
    segments: list[Any]
    tables: list[Any]
    tol: float
    min_len: float


def prepare(image: Any, scale: float) -> Prepared:
    """Straightened (the median angle of its long strokes), speckle removed (3×3 median), ruling lines found by
    morphological opening and grouped into tables: the same steps, in the same order, as the page path."""
    import cv2
    import numpy as np

    from .ocr import _gray, _line_masks, _segments
    from .ruled import _tables

    gray = cv2.medianBlur(straighten(_gray(image)), 3)
    horiz, vert = _line_masks(gray)
    segments = _segments(horiz, True) + _segments(vert, False)
    tol, min_len = max(2.0, scale * 2.5), scale * 8
    tables = _tables(segments, tol, min_len)
    # the ruling lines are erased where the tables' grid lines run, and only there: the openings also keep a
    # character's long stroke (the 亻 of 信 in a small picture), which must stay
    lines_mask = cv2.dilate(cv2.bitwise_or(horiz, vert), cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    grid = np.zeros_like(lines_mask)
    d = int(tol) + 3
    for t in tables:
        top, bottom, left, right = int(t.ys[0]) - d, int(t.ys[-1]) + d + 1, int(t.xs[0]) - d, int(t.xs[-1]) + d + 1
        for x in t.xs:
            grid[max(top, 0) : bottom, max(int(x) - d, 0) : int(x) + d + 1] = 1
        for y in t.ys:
            grid[max(int(y) - d, 0) : int(y) + d + 1, max(left, 0) : right] = 1
    clean = gray.copy()
    clean[(lines_mask > 0) & (grid > 0)] = 255
    ink = cv2.adaptiveThreshold(clean, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    # specks the median left (a scan's dust, JPEG's ringing) are no ink: a blot of a few pixels is not a stroke
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    ink = (stats[:, cv2.CC_STAT_AREA] >= MIN_BLOT)[labels] & (labels > 0)
    return Prepared(gray, clean, ink, segments, tables, tol, min_len)


def page_lines_tables_first(image: Any, scale: float, *, page: int, first_table: int, text: str = "all",
                            det_factor: float | None = None, prepared: Prepared | None = None,
                            after_tables: str = "all", modes: list[tuple[str, str]] | None = None,
                            skipped: list[int] | None = None) -> tuple[list[Line], int]:
    """One page image read table first: lines as :func:`parsers.readers.ruled.page_lines` makes them (tables as
    exact grids, the text outside as lines), the tables' cells recognised without detection.  ``text`` says how
    the text outside the tables is read, ``after_tables`` how the text below the page's last table is; ``modes``
    gives both for each printed page of a sheet (:func:`columns`) when they differ; ``skipped`` is told how many
    bands of text were left unread."""
    from .ocr import cleaned_box
    from .ruled import page_lines

    p = prepared or prepare(image, scale)
    rects = sorted({t.rect[o] for t in p.tables for o in set(t.owner.values())}, key=lambda r: (r[1], r[0], r[3], r[2]))
    cells = read_cells(p, rects, cleaned_box)
    lines: list[Line] = []
    tables = first_table
    # a sheet holding two printed pages (a booklet's spread) is read as its two pages, left then right
    halves = columns(p.gray)
    if modes is None or len(modes) != len(halves):  # the survey saw the sheet otherwise: all of it is read
        modes = [(text, after_tables)] * len(halves) if modes is None else [("all", "all")] * len(halves)
    for (left, right), (text, after_tables) in zip(halves, modes, strict=True):
        def inside(x0: float, x1: float, left: int = left, right: int = right) -> bool:
            return left <= (x0 + x1) / 2 < right

        mine = [t for t in p.tables if inside(t.bbox[0], t.bbox[2])]
        gray = p.gray
        if (left, right) != (0, p.gray.shape[1]):
            gray = p.gray.copy()
            gray[:, :left] = 255
            gray[:, right:] = 255
        boxes = [b for r in rects if inside(r[0], r[2]) for b in cells.get(r, [])]
        below = max(t.bbox[3] for t in mine) if mine and after_tables != "all" else None
        factor = det_factor or TEXT_DET_DPI / CELL_DPI
        boxes += text_boxes(gray, mine, text, factor, cleaned_box, below, after_tables, skipped)
        segments = [s for s in p.segments if inside(s.x0, s.x1)]
        found, n = page_lines(page, [b for b in boxes if b is not None], segments, tables, scale=scale, tol=p.tol,
                              min_len=p.min_len, gap=0.8)
        lines += found
        tables += n
    return lines, tables - first_table


def columns(gray: Any) -> list[tuple[int, int]]:
    """The printed pages of a sheet, as ranges of its columns: a landscape sheet with a blank gutter near its middle
    is two pages side by side (a booklet scanned open); any other page is one."""
    h, w = gray.shape[:2]
    if w <= h:
        return [(0, w)]
    ink = (gray[:, w // 3 : 2 * w // 3] < 128).sum(axis=0) <= 1
    runs = ink_runs(ink, min_len=max(3, w // 100), gap=0)
    if not runs:
        return [(0, w)]
    a, b = max(runs, key=lambda r: (r[1] - r[0], -r[0]))
    mid = w // 3 + (a + b) // 2
    return [(0, mid), (mid, w)]


def survey(page: Any) -> list[bool]:
    """Whether each printed page of a PDF page (two on a booklet's spread, :func:`columns`) holds a ruled table,
    from a quick look at :data:`SURVEY_DPI` (its ruling lines only: a 1° tilt leaves a one-pixel line long
    horizontal runs, so the page need not be straightened)."""
    from .ocr import _gray, _line_masks, _segments
    from .ruled import _tables

    scale = SURVEY_DPI / 72
    gray = _gray(page.render(scale=scale, grayscale=True).to_numpy())
    horiz, vert = _line_masks(gray)
    found = _tables(_segments(horiz, True) + _segments(vert, False), max(2.0, scale * 2.5), scale * 8)
    return [any(left <= (t.bbox[0] + t.bbox[2]) / 2 < right for t in found) for left, right in columns(gray)]


def plan(has_table: list[bool]) -> list[tuple[str, str]]:
    """For each printed page, how its text outside tables is read and how the text below its last table is (see
    :data:`TEXT_READ`): everything up to the last table; after it only the document's last lines."""
    if not any(has_table):
        return [("all", "all")] + [("none", "none")] * (len(has_table) - 2) + [("tail", "tail")] * (len(has_table) > 1)
    first, last = has_table.index(True), len(has_table) - 1 - has_table[::-1].index(True)
    out = []
    for i, table in enumerate(has_table):
        end = "tail" if i == len(has_table) - 1 else "none"
        if i < first:
            out.append((TEXT_READ["first"], TEXT_READ["first"]))
        elif i == last:  # below the last table: the heading that ends the tables (the walker's end of tables)
            out.append((TEXT_READ["table"], "head+tail" if end == "tail" else "head"))
        elif i < last:
            out.append((TEXT_READ["table"], TEXT_READ["table"]) if table else (TEXT_READ["between"], TEXT_READ["between"]))
        elif i == last + 1:  # the page after the last table's: its first lines may be the heading that ends them
            out.append(("head+tail", "head+tail") if end == "tail" else ("head", "head"))
        else:
            out.append((end, end))
    return out


def read_pdf_tables_first(data: bytes, meta: dict[str, str]) -> Document:
    """A PDF without a text layer, read table first.  Every page is looked over at :data:`SURVEY_DPI` for its
    tables; then the pages that hold a table, the pages before the first one and the last page are rendered at
    :data:`CELL_DPI` and read (:func:`plan`).  The prose after the last table — neither a table nor the report's
    metadata — is not recognised, except the document's last lines (signature, date), and where it stood is
    recorded: ``ocr_pages_not_read`` (pages), ``ocr_text_not_read`` (pages of which part was not read)."""
    from ..document import is_page_footer
    from ..limits import check_page, check_pages
    from .pdf import MEDIA_TYPE, _pdfium_open

    pdf = _pdfium_open(data)
    scale = CELL_DPI / 72
    lines: list[Line] = []
    tables = 0
    not_read: list[int] = []
    below_not_read: list[int] = []
    try:
        check_pages(len(pdf))
        sheets: list[list[bool]] = []  # each PDF page's printed pages: whether each holds a table
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                check_page(page.get_width(), page.get_height(), scale, i + 1)  # before PDFium allocates any bitmap
                sheets.append(survey(page))
            finally:
                page.close()
        flat = plan([t for sheet in sheets for t in sheet])
        for i, sheet in enumerate(sheets):
            modes, flat = flat[: len(sheet)], flat[len(sheet) :]
            if all(text == "none" for text, _ in modes):
                not_read.append(i + 1)
                continue
            page = pdf[i]
            try:
                prepared = prepare(page.render(scale=scale, grayscale=True).to_numpy(), scale)
            finally:
                page.close()
            skipped: list[int] = []
            found_lines, found = page_lines_tables_first(None, scale, page=i + 1, first_table=tables, prepared=prepared,
                                                         modes=modes, skipped=skipped)
            if sum(skipped):
                below_not_read.append(i + 1)
            lines.extend(ln for ln in found_lines if ln.exact or not is_page_footer(ln.text))
            tables += found
    finally:
        pdf.close()
    out = {**meta, "pdf_reader": "ocr", "ocr_path": "tables"}
    if not_read:
        out["ocr_pages_not_read"] = ",".join(map(str, not_read))
    if below_not_read:
        out["ocr_text_not_read"] = ",".join(map(str, below_not_read))
    problems = []
    if not_read or below_not_read:
        out["ocr_not_read_why"] = ("prose after the last table (neither a table nor the report's metadata) not recognised; "
                                   f"the document's last {LAST_LINES} lines were")
        where = ([f"page(s) {out['ocr_pages_not_read']}"] if not_read else []) + (
            [f"part of the text of page(s) {out['ocr_text_not_read']}"] if below_not_read else [])
        # a problem row of its own (kind "reader"), so the warehouse says which prose of a scan was not read
        problems.append(f"OCR read the tables and the text up to the last table; not recognised: {' and '.join(where)} "
                        f"(prose after the last table), except the document's last {LAST_LINES} lines")
    return Document(lines=lines, media_type=MEDIA_TYPE, meta=out, problems=problems)


def skew(gray: Any) -> float:
    """The page's tilt in degrees, as the page path's Hough transform measures it (the same sign), at a
    fraction of its cost: least-squares lines through the long horizontal strokes at half resolution — the
    tables' rules (a horizontal opening keeps them, and only them) and the text's lines (characters closed
    into one blob a line) — and their median."""
    import cv2
    import numpy as np

    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    w = small.shape[1]
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 15)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 1)))
    text = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    angles = []
    for mask in (rules, text):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, _area = stats[i]
            if bw < w // 4 or bh > bw / 8:
                continue
            ys, xs = np.nonzero(labels[y : y + bh, x : x + bw] == i)
            slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
            angles.append(float(np.degrees(np.arctan(slope))))
    return round(float(np.median(angles)), 3) if angles else 0.0


def straighten(gray: Any) -> Any:
    """The page rotated by :func:`skew` (least squares), with the whole-page path's rotation."""
    from .ocr import _straighten

    return _straighten(gray, skew)
