"""Spreadsheets (``.xlsx``, ``.xls``, WPS ``.et``) holding a report's tables, through calamine.

A few bodies publish the statistical tables as an Excel attachment beside (or instead of) the text.
python-calamine (Rust's calamine) reads every format portals use — the OOXML workbook, the BIFF8 ``.xls``
and WPS Office's ``.et``, which is a BIFF8 file too — with the sheets' merged ranges, so each sheet becomes
an exact grid in which a merged range's other positions are covered, like a Word or HTML table.
"""

from __future__ import annotations

import io

from ..document import Cell, Document, Line, Location
from ..limits import MAX_SHEET_CELLS, LimitExceeded, check_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
MAX_CELLS = MAX_SHEET_CELLS


class SheetError(ValueError):
    """A workbook that cannot be read (with the reason)."""


def _text(v: object) -> str:
    """A cell as text: integers stored as floats (Excel has only doubles) printed without ``.0``."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_sheets(data: bytes, media_type: str = XLSX) -> Document:
    from python_calamine import CalamineWorkbook

    if media_type == XLSX:
        try:
            check_workbook(data)  # before calamine allocates what the sheets declare
        except LimitExceeded as e:
            raise SheetError(str(e)) from e

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - calamine raises its own error types for every kind of damage
        raise SheetError(f"corrupt spreadsheet: {type(e).__name__}: {e}") from e
    lines: list[Line] = []
    try:
        for tno, name in enumerate(wb.sheet_names, start=1):
            sheet = wb.get_sheet_by_name(name)
            if sheet.height * sheet.width > MAX_CELLS:
                raise SheetError(f"refused: sheet {name!r} has {sheet.height * sheet.width} cells, over {MAX_CELLS}")
            rows = sheet.to_python(skip_empty_area=False)
            covered: set[tuple[int, int]] = set()
            for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
                covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
            width = max((len(r) for r in rows), default=0)
            for r, row in enumerate(rows):
                if not any(_text(v) for v in row) and not any((r, c) in covered for c in range(width)):
                    continue
                cells = [
                    Cell("" if (r, c) in covered else _text(row[c] if c < len(row) else None),
                         Location(table=tno, row=r + 1, cell=c + 1), covered=(r, c) in covered)
                    for c in range(width)
                ]
                lines.append(Line(cells, exact=True, loc=Location(table=tno, row=r + 1), grid=tno))
    except SheetError:
        raise
    except Exception as e:  # noqa: BLE001
        raise SheetError(f"corrupt spreadsheet: {type(e).__name__}: {e}") from e
    finally:
        wb.close()
    if not lines:
        raise SheetError("the spreadsheet has no cells with text")
    return Document(lines=lines, media_type=media_type, meta={"sheets": str(len(wb.sheet_names))})
