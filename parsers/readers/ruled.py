"""Ruled tables rebuilt from positioned text and ruling lines: one grid builder for every page reader.

A report's tables are ruled: every cell is closed by lines.  Whatever reads a page — PDFium's characters
and drawn paths on a PDF with a text layer, or OCR's text boxes and the lines found in a scanned image —
ends with the same two things: boxes of text with their positions, and horizontal and vertical line
segments.  From those this module makes the :class:`~parsers.document.Document` lines every other reader
makes: ruled regions become exact grids (a cell whose separating line is missing is merged with its
neighbour, as the printed table shows), each cell knows its page, table, row, column and rectangle,
and the text outside tables becomes lines in reading order.  So provenance is the same whichever path
read the page, and the table walker never knows which one it was.

Coordinates are the page's, in any unit, with y growing downwards; ``scale`` turns them into PDF points
for the recorded rectangle.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from ..document import Cell, Line, Location


@dataclass(frozen=True, slots=True)
class Box:
    """Text at a place on the page: one character (PDF) or one recognised run (OCR)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float | None = None  # OCR's own score, 0–1

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Segment:
    """An axis-aligned ruling line (or a thin filled rectangle drawn as one)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


def _snap(values: list[float], tol: float) -> list[float]:
    """Positions within ``tol`` of each other are one grid line (their mean)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


class _Union:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, a):  # noqa: ANN001, ANN202 - any hashable
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a, b) -> None:  # noqa: ANN001
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _Table:
    xs: list[float]
    ys: list[float]
    owner: dict[tuple[int, int], tuple[int, int]]  # grid cell -> the merged cell it belongs to (top-left)
    rect: dict[tuple[int, int], tuple[float, float, float, float]]  # owner -> its rectangle

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        c = bisect.bisect_right(self.xs, x) - 1
        r = bisect.bisect_right(self.ys, y) - 1
        if 0 <= r < len(self.ys) - 1 and 0 <= c < len(self.xs) - 1:
            return self.owner[(r, c)]
        return None


def _tables(segments: list[Segment], tol: float, min_len: float) -> list[_Table]:
    """Connected groups of horizontal and vertical lines with at least two of each: the page's ruled tables."""
    hs = [s for s in segments if s.horizontal and s.x1 - s.x0 >= min_len]
    vs = [s for s in segments if not s.horizontal and s.bottom - s.top >= min_len]
    u = _Union()
    for i, h in enumerate(hs):
        hy = (h.top + h.bottom) / 2
        u.find(("h", i))
        for j, v in enumerate(vs):
            vx = (v.x0 + v.x1) / 2
            if h.x0 - tol <= vx <= h.x1 + tol and v.top - tol <= hy <= v.bottom + tol:
                u.union(("h", i), ("v", j))
    groups: dict = {}
    for j in range(len(vs)):
        groups.setdefault(u.find(("v", j)), ([], []))[1].append(vs[j])
    for i in range(len(hs)):
        groups.setdefault(u.find(("h", i)), ([], []))[0].append(hs[i])
    out = []
    for g_hs, g_vs in groups.values():
        if len(g_hs) >= 2 and len(g_vs) >= 2:
            t = _grid(g_hs, g_vs, tol)
            if t is not None:
                out.append(t)
    return sorted(out, key=lambda t: (t.ys[0], t.xs[0]))


def _covers(segs: list[tuple[float, float, float]], at: float, lo: float, hi: float, tol: float) -> bool:
    """Whether a line at ``at`` (±tol) runs over most of the span ``lo``–``hi``."""
    need = (hi - lo) * 0.5
    got = 0.0
    for pos, a, b in segs:
        if abs(pos - at) <= tol:
            got += max(0.0, min(b, hi) - max(a, lo))
    return got >= need


def _grid(hs: list[Segment], vs: list[Segment], tol: float) -> _Table | None:
    ys = _snap([(h.top + h.bottom) / 2 for h in hs], tol)
    xs = _snap([(v.x0 + v.x1) / 2 for v in vs], tol)
    if len(xs) < 2 or len(ys) < 2:
        return None
    hseg = [((h.top + h.bottom) / 2, h.x0, h.x1) for h in hs]
    vseg = [((v.x0 + v.x1) / 2, v.top, v.bottom) for v in vs]
    u = _Union()
    rows, cols = len(ys) - 1, len(xs) - 1
    for r in range(rows):
        for c in range(cols):
            u.find((r, c))
            if c + 1 < cols and not _covers(vseg, xs[c + 1], ys[r], ys[r + 1], tol):
                u.union((r, c), (r, c + 1))
            if r + 1 < rows and not _covers(hseg, ys[r + 1], xs[c], xs[c + 1], tol):
                u.union((r, c), (r + 1, c))
    owner = {(r, c): u.find((r, c)) for r in range(rows) for c in range(cols)}
    rect: dict[tuple[int, int], list[float]] = {}
    for (r, c), o in owner.items():
        x0, y0, x1, y1 = xs[c], ys[r], xs[c + 1], ys[r + 1]
        if o in rect:
            b = rect[o]
            b[0], b[1], b[2], b[3] = min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)
        else:
            rect[o] = [x0, y0, x1, y1]
    return _Table(xs, ys, owner, {o: tuple(b) for o, b in rect.items()})


def _text_lines(boxes: list[Box], gap: float) -> list[list[Box]]:
    """Boxes grouped into printed lines (vertical overlap), each left to right."""
    lines: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        if lines:
            last = lines[-1]
            top = min(x.top for x in last)
            bottom = max(x.bottom for x in last)
            if b.cy <= bottom and b.cy >= top - (bottom - top) * 0.1:
                last.append(b)
                continue
        lines.append([b])
    return [sorted(ln, key=lambda b: b.x0) for ln in lines]


def _join(line: list[Box], gap: float) -> str:
    """A line's text; a space where boxes stand apart by more than ``gap`` times the line's height."""
    out = []
    prev: Box | None = None
    for b in line:
        if prev is not None and b.x0 - prev.x1 > gap * max(b.bottom - b.top, prev.bottom - prev.top):
            out.append(" ")
        out.append(b.text)
        prev = b
    return "".join(out).strip()


def page_lines(
    page: int, boxes: list[Box], segments: list[Segment], first_table: int, *, scale: float = 1.0, tol: float = 2.0,
    min_len: float = 8.0, gap: float = 0.6, fill: Callable[[tuple[float, float, float, float]], list[Box]] | None = None,
) -> tuple[list[Line], int]:
    """The page's lines in reading order: its ruled tables as exact grids, the rest as text lines.

    Returns the lines and how many tables the page had (tables are numbered through the document from
    ``first_table + 1``).  ``tol`` is how far apart two strokes of one grid line may be, ``min_len`` the
    shortest stroke that counts as a ruling line, ``gap`` the space between boxes (in line heights) that
    is printed as a space.  ``fill`` is asked for the text of a table cell no box fell into (OCR reads the
    cell's own image again: a lone digit is what page-wide text detection misses most).
    """
    tables = _tables(segments, tol, min_len)
    inside: dict[int, dict[tuple[int, int], list[Box]]] = {i: {} for i in range(len(tables))}
    outside: list[Box] = []
    for b in boxes:
        for i, t in enumerate(tables):
            x0, y0, x1, y1 = t.bbox
            if x0 <= b.cx <= x1 and y0 <= b.cy <= y1:
                cell = t.cell_at(b.cx, b.cy)
                if cell is not None:
                    inside[i].setdefault(cell, []).append(b)
                break
        else:
            outside.append(b)

    def pts(v: float) -> float:
        return round(v / scale, 1)

    items: list[tuple[float, int, list[Line]]] = []
    for ln in _text_lines(outside, gap):
        text = _join(ln, gap)
        if not text:
            continue
        conf = [b.confidence for b in ln if b.confidence is not None]
        loc = Location(page=page, bbox=(pts(min(b.x0 for b in ln)), pts(min(b.top for b in ln)), pts(max(b.x1 for b in ln)),
                                        pts(max(b.bottom for b in ln))), confidence=min(conf) if conf else None)
        items.append((min(b.top for b in ln), 1, [Line([Cell(text, loc)], loc=loc)]))
    for i, t in enumerate(tables):
        tno = first_table + i + 1
        rows = []
        for r in range(len(t.ys) - 1):
            cells = []
            for c in range(len(t.xs) - 1):
                o = t.owner[(r, c)]
                x0, y0, x1, y1 = t.rect[o]
                mine = inside[i].get(o, [])
                if not mine and fill is not None and o == (r, c):
                    mine = fill(t.rect[o])
                conf = [b.confidence for b in mine if b.confidence is not None]
                loc = Location(page=page, table=tno, row=r + 1, cell=c + 1, bbox=(pts(x0), pts(y0), pts(x1), pts(y1)),
                               confidence=min(conf) if conf else None)
                if o != (r, c):
                    cells.append(Cell("", loc, covered=True))
                else:
                    cells.append(Cell("\n".join(s for s in (_join(ln, gap) for ln in _text_lines(mine, gap)) if s), loc))
            rows.append(Line(cells, exact=True, loc=Location(page=page, table=tno, row=r + 1), grid=tno))
        items.append((t.ys[0], 0, rows))
    items.sort(key=lambda it: (it[0], it[1]))
    return [ln for _, _, lines in items for ln in lines], len(tables)
