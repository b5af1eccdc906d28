"""Word documents: DOCX through python-docx (merged cells resolved); Word 97 DOC/WPS are :mod:`.word97`."""

from __future__ import annotations

import io

from ..document import Cell, Document, Line, Location
from ..limits import LimitExceeded, open_zip

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class WordError(ValueError):
    pass


def _guard_zip(data: bytes) -> None:
    try:
        zf = open_zip(data, "DOCX")
    except LimitExceeded as e:
        raise WordError(str(e)) from e
    with zf:
        if "word/document.xml" not in zf.namelist():
            raise WordError("not a Word document: the zip has no word/document.xml")


def _para_text(p) -> str:  # noqa: ANN001 - lxml element
    out: list[str] = []
    for node in p.iter():
        if node.tag == W + "t" and node.text:
            out.append(node.text)
        elif node.tag in (W + "tab",):
            out.append("\t")
        elif node.tag in (W + "br", W + "cr"):
            out.append("\n")
    return "".join(out)


def read_docx(data: bytes) -> Document:
    _guard_zip(data)
    import docx

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise WordError(f"corrupt DOCX: {type(e).__name__}: {e}") from e
    lines: list[Line] = []
    tables = 0
    for block in d.element.body.iterchildren():
        if block.tag == W + "p":
            for part in _para_text(block).split("\n"):
                if part.strip():
                    lines.append(Line([Cell(part, Location())]))
        elif block.tag == W + "tbl":
            tables += 1
            lines += _table_lines(block, tables)
    core = d.core_properties
    meta = {k: str(v) for k, v in (("docx_title", core.title), ("docx_author", core.author), ("docx_created", core.created)) if v}
    return Document(lines=lines, media_type=DOCX, meta=meta)


def _table_lines(tbl, tno: int) -> list[Line]:  # noqa: ANN001 - lxml element
    """A Word table as a grid: gridSpan covers columns to the right, vMerge="continue" the cell above."""
    out: list[Line] = []
    for r, tr in enumerate(tbl.iterchildren(W + "tr"), start=1):
        cells: list[Cell] = []
        col = 0
        for tc in tr.iterchildren(W + "tc"):
            tcpr = tc.find(W + "tcPr")
            span = 1
            covered = False
            if tcpr is not None:
                gs = tcpr.find(W + "gridSpan")
                if gs is not None:
                    span = max(int(gs.get(W + "val", "1")), 1)
                vm = tcpr.find(W + "vMerge")
                if vm is not None and vm.get(W + "val", "continue") == "continue":
                    covered = True
            text = "\n".join(_para_text(p) for p in tc.iterchildren(W + "p"))
            for k in range(span):
                loc = Location(table=tno, row=r, cell=col + k + 1)
                if covered or k > 0:
                    cells.append(Cell("", loc, covered=True))
                else:
                    cells.append(Cell(text, loc))
            col += span
        out.append(Line(cells, exact=True, loc=Location(table=tno, row=r), grid=tno))
    return out


__all__ = ["read_docx", "WordError"]
