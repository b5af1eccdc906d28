"""The one intermediate form every medium is read into before the parser sees it.

HTML pages, PDF and Word files, and plain text all become a :class:`Document`: a list of lines, each
a list of cells that remember where they were printed (page, table, row, cell, line).  The format
templates and checks then stay the only code that knows what a report *means*; readers only know
how a medium lays text out.

A line is ``exact`` when its cells are the cells of a real table grid (an HTML/Word table with
merged cells resolved, or a well-formed Markdown table): then a blank cell is a blank cell.  Text
split on tabs is not exact — Word and PDF exports drop and add empty cells freely — so blank cells
there carry no information.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(slots=True)
class Location:
    """Where something was printed, as precisely as the medium allows."""

    line: int | None = None  # 1-based line of the extracted text
    page: int | None = None  # 1-based page (PDF)
    table: int | None = None  # 1-based table in the document (grids)
    row: int | None = None  # 1-based row in that table
    cell: int | None = None  # 1-based cell (column) in that row
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom on the page, in PDF points
    confidence: float | None = None  # OCR's score for the text (0–1); None when the text was not recognised from an image

    def as_dict(self) -> dict[str, object]:
        out = {"line": self.line, "page": self.page, "table": self.table, "row": self.row, "cell": self.cell,
               "bbox": list(self.bbox) if self.bbox else None, "confidence": self.confidence}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(slots=True)
class Cell:
    text: str
    loc: Location
    covered: bool = False  # a grid position covered by a merged cell above or to the left


@dataclass
class Line:
    """One printed line, or one row of a table grid.

    On an exact line, ``cells[i]`` is grid column ``i`` (covered positions included), and ``grid``
    names the table it belongs to, so header and data rows of one grid can be matched by column.
    """

    cells: list[Cell]
    exact: bool = False  # cells are the columns of a real grid (blank cells are meaningful)
    loc: Location = field(default_factory=Location)
    grid: int | None = None

    @property
    def text(self) -> str:
        return "\t".join(c.text for c in self.cells)


@dataclass
class Document:
    """A document read from any medium, ready for the parser."""

    lines: list[Line]
    media_type: str = "text/plain"
    meta: dict[str, str] = field(default_factory=dict)  # page metadata (索引号, 发布机构, title …)
    problems: list[str] = field(default_factory=list)  # reader's findings (e.g. needs_ocr)


_FOOTER_RES = (
    re.compile(r"^[-—–－―~～\s]*\d{1,4}[-—–－―~～\s]*$"),  # — 3 —, - 4 -  (a lone number is NOT a footer)
    re.compile(r"^第\s*\d{1,4}\s*页(?:\s*[，,/／]?\s*共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^\d{1,4}\s*[/／]\s*\d{1,4}$"),
)
_DASHES = "-—–－―~～"


def is_page_footer(line: str) -> bool:
    """A page number or footer printed in the middle of the text (``— 3 —``, ``- 4 -``, ``第3页``).

    A bare number on its own line is *not* a footer: in one-cell-per-line layouts it is a value.
    """
    s = line.strip()
    if not s:
        return False
    if _FOOTER_RES[0].match(s):
        return s[0] in _DASHES and s[-1] in _DASHES
    return any(r.match(s) for r in _FOOTER_RES[1:])


_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _pipe_cells(line: str) -> list[str] | None:
    s = line.strip()
    if s.count("|") < 2 or not s.startswith("|"):
        return None
    s = s[1:-1] if s.endswith("|") else s[1:]
    return [c.strip() for c in s.split("|")]


def from_text(text: str) -> Document:
    """Read plain text (what a text export, a PDF extractor or a Markdown converter produces)."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[Line] = []
    pipe_block: list[tuple[int, list[str]]] = []
    grids = 0

    def flush_pipes() -> None:
        # A Markdown table is a grid only when every row has the same number of cells.
        nonlocal grids
        widths = {len(cells) for _, cells in pipe_block}
        exact = len(widths) == 1
        grids += 1
        for no, cells in pipe_block:
            lines.append(
                Line(
                    [Cell(c, Location(line=no, table=grids, cell=i + 1)) for i, c in enumerate(cells)],
                    exact=exact,
                    loc=Location(line=no, table=grids),
                    grid=grids if exact else None,
                )
            )
        pipe_block.clear()

    def continues_grid(i: int) -> bool:
        # A blank line or a page footer inside a Markdown table does not end it.
        for nxt in raw_lines[i:]:
            if nxt.strip() and not is_page_footer(nxt):
                return _pipe_cells(nxt) is not None
        return False

    for i, raw in enumerate(raw_lines, start=1):
        if is_page_footer(raw):
            continue
        if _MD_RULE.match(raw) and "-" in raw and "|" in raw:
            continue
        if pipe_block and not raw.strip() and continues_grid(i):
            continue
        cells = _pipe_cells(raw)
        if cells is not None:
            pipe_block.append((i, cells))
            continue
        if pipe_block:
            flush_pipes()
        parts = raw.split("\t")
        if len(parts) == 1:
            cells = [Cell(raw, Location(line=i))]
        else:
            cells = [Cell(p, Location(line=i, cell=j + 1)) for j, p in enumerate(parts)]
        lines.append(Line(cells, exact=False, loc=Location(line=i)))
    if pipe_block:
        flush_pipes()
    return Document(lines=lines)
