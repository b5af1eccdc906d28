"""Word 97–2003 binary documents (``.doc``, and Kingsoft WPS ``.wps``, which is the same format) in pure Python.

Why not a converter: antiword and catdoc are system packages a user would have to install by hand, and
they flatten tables to text (five real Word 97 files gave 74 of 861 numbers through antiword).  The format
is documented ([MS-DOC], Microsoft Open Specifications) and the part a report needs is small: the text
through the piece table, and which paragraph marks end a table cell or row with the row's cell edges.

- The ``WordDocument`` stream starts with the FIB, which says where the piece table (CLX) and the
  paragraph properties (PlcBtePapx → PAPX FKP pages) are in the table stream (``0Table`` or ``1Table``).
- The piece table maps character positions (CP) to bytes: UTF-16LE, or 8-bit "compressed" text.
- A cell ends with U+0007; a row ends with one more U+0007 whose paragraph has ``sprmPFTtp``, and that
  paragraph's ``sprmTDefTable`` gives the row's cell edges (twips) and merge flags.
- A horizontally merged cell is one wider cell (LibreOffice and Word 2000+ write it so; the old merge
  flags are honoured too), so grid columns come from the edges of every row of the table together;
  a vertically merged cell is flagged ``fVertRestart`` on top and ``fVertMerge`` below.

The result is the same :class:`~parsers.document.Document` the DOCX reader makes: exact grids with
covered positions, so the table walker reads a ``.doc`` exactly as the same report in ``.docx``.
"""

from __future__ import annotations

import bisect
import io
import struct
from dataclasses import dataclass, field

from ..document import Cell, Document, Line, Location

DOC = "application/msword"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD97 = 0xA5EC
WORD6 = 0xA5DC
EDGE_TOLERANCE = 4  # twips: edges of one grid line in different rows differ by a few twips (LibreOffice uses 4)

# sprm opcodes ([MS-DOC] 2.6.2 and 2.6.3)
S_IN_TABLE, S_TTP, S_ITAP = 0x2416, 0x2417, 0x6649
S_HUGE_PAPX, S_DEF_TABLE, S_CHG_TABS = 0x6646, 0xD608, 0xC615
# Prm0: a single sprm stored in the piece descriptor, by its isprm ([MS-DOC] 2.9.215); the table marks only
PRM0_SPRMS = {0x18: S_IN_TABLE, 0x19: S_TTP}

# compressed (8-bit) text is Latin-1 except these bytes ([MS-DOC] 2.9.73 FcCompressed)
_CP1252 = {
    0x82: "\u201a", 0x83: "\u0192", 0x84: "\u201e", 0x85: "\u2026", 0x86: "\u2020", 0x87: "\u2021", 0x88: "\u02c6",
    0x89: "\u2030", 0x8A: "\u0160", 0x8B: "\u2039", 0x8C: "\u0152", 0x91: "\u2018", 0x92: "\u2019", 0x93: "\u201c",
    0x94: "\u201d", 0x95: "\u2022", 0x96: "\u2013", 0x97: "\u2014", 0x98: "\u02dc", 0x99: "\u2122", 0x9A: "\u0161",
    0x9B: "\u203a", 0x9C: "\u0153", 0x9F: "\u0178",
}
_COMPRESSED = str.maketrans({chr(k): v for k, v in _CP1252.items()})
# characters inside text: kept, turned into text, or dropped ([MS-DOC] 2.4.3 and 2.8.25)
_INLINE = str.maketrans({"\x0b": "\n", "\x1e": "-", "\x1f": None, "\x01": None, "\x08": None, "\x02": None, "\x05": None, "\xa0": " "})


class WordBinaryError(ValueError):
    """A file that is not a readable Word 97–2003 document (with the reason)."""


@dataclass
class _Piece:
    cp: int
    cp_end: int
    fc: int  # byte offset of the piece's first character in WordDocument
    width: int  # 1 (compressed) or 2 (UTF-16LE)
    prm: int


@dataclass
class _Props:
    """What a paragraph's properties say about tables (the rest of a paragraph's formatting is not needed)."""

    in_table: bool = False
    ttp: bool = False
    depth: int = 0
    edges: list[int] | None = None  # rgdxaCenter of the row (row-end paragraphs)
    flags: list[int] = field(default_factory=list)  # tcgrf of each cell


def _u16(b: bytes, o: int) -> int:
    return struct.unpack_from("<H", b, o)[0]


def _u32(b: bytes, o: int) -> int:
    return struct.unpack_from("<I", b, o)[0]


def _sprm_size(b: bytes, o: int, sprm: int) -> int:
    """Bytes of the operand of the sprm at ``b[o-2:o]`` (by its spra bits, with the two variable exceptions)."""
    spra = sprm >> 13
    if sprm in (S_DEF_TABLE, 0xD606):  # a 2-byte count of the rest, plus one
        return _u16(b, o) + 1
    if sprm == S_CHG_TABS and b[o] == 255:  # the escape: deletions then additions ([MS-DOC] 2.9.197)
        dels = b[o + 1]
        adds = b[o + 2 + 4 * dels]
        return 1 + 2 + 4 * dels + 3 * adds
    return {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}.get(spra) or 1 + b[o]


def _apply(grpprl: bytes, props: _Props, data_stream: bytes | None = None) -> None:
    o = 0
    while o + 2 <= len(grpprl):
        sprm = _u16(grpprl, o)
        o += 2
        if o >= len(grpprl):
            break
        try:
            size = _sprm_size(grpprl, o, sprm)
        except (IndexError, struct.error):
            break
        arg = grpprl[o : o + size]
        o += size
        if sprm == S_IN_TABLE:
            props.in_table = bool(arg[:1] and arg[0])
            props.depth = max(props.depth, 1) if props.in_table else props.depth
        elif sprm == S_TTP:
            props.ttp = bool(arg[:1] and arg[0])
        elif sprm == S_ITAP and len(arg) == 4:
            props.depth = struct.unpack("<i", arg)[0]
        elif sprm == S_DEF_TABLE and len(arg) >= 3:
            _def_table(arg, props)
        elif sprm == S_HUGE_PAPX and data_stream is not None and len(arg) == 4:
            at = _u32(arg, 0)
            if at + 2 <= len(data_stream):
                n = _u16(data_stream, at)
                _apply(data_stream[at + 2 : at + 2 + n], props)


def _def_table(arg: bytes, props: _Props) -> None:
    """sprmTDefTable: itcMac, itcMac + 1 cell edges (signed twips), then up to itcMac 20-byte TC80s."""
    n = arg[2]
    edges_end = 3 + 2 * (n + 1)
    if edges_end > len(arg):
        return
    props.edges = list(struct.unpack_from(f"<{n + 1}h", arg, 3))
    tcs = (len(arg) - edges_end) // 20
    props.flags = [_u16(arg, edges_end + 20 * i) for i in range(min(n, tcs))] + [0] * max(0, n - tcs)


class _Reader:
    def __init__(self, data: bytes) -> None:
        import olefile

        try:
            ole = olefile.OleFileIO(io.BytesIO(data))
        except (OSError, ValueError) as e:  # olefile raises OSError for a broken compound file
            raise WordBinaryError(f"corrupt DOC/WPS: not a readable OLE compound file ({e})") from e
        with ole:
            streams = {"/".join(s) for s in ole.listdir()}
            if "WordDocument" not in streams:
                raise WordBinaryError(_not_word(streams))
            self.word = ole.openstream("WordDocument").read()
            self.meta = _summary(ole)
            fib = self.word
            if len(fib) < 0x20 or _u16(fib, 0) not in (WORD97, WORD6):
                raise WordBinaryError("corrupt DOC/WPS: the WordDocument stream has no Word file header")
            if _u16(fib, 0) == WORD6:
                raise WordBinaryError("a Word 6/95 file (older than Word 97): save it as .docx or Word 97-2003")
            flags = _u16(fib, 0x0A)
            if flags & 0x0100:
                raise WordBinaryError("encrypted DOC: a password is needed to read it")
            table_name = "1Table" if flags & 0x0200 else "0Table"
            if table_name not in streams:
                raise WordBinaryError(f"corrupt DOC/WPS: the {table_name} stream is missing")
            self.table = ole.openstream(table_name).read()
            self.data_stream = ole.openstream("Data").read() if "Data" in streams else None
        self._fib()

    def _fib(self) -> None:
        """The counts and offsets this reader needs, found by walking the FIB's variable parts ([MS-DOC] 2.5.1)."""
        b = self.word
        try:
            o = 0x20
            csw = _u16(b, o)
            o += 2 + 2 * csw
            cslw = _u16(b, o)
            lw = o + 2
            self.ccp_text = struct.unpack_from("<i", b, lw + 4 * 3)[0]
            o = lw + 4 * cslw
            cb = _u16(b, o)
            pairs = o + 2
            if cb < 34:
                raise WordBinaryError("corrupt DOC/WPS: the file header lists too few tables")

            def pair(k: int) -> tuple[int, int]:
                return _u32(b, pairs + 8 * k), _u32(b, pairs + 8 * k + 4)

            self.papx_at, self.papx_len = pair(13)
            self.clx_at, self.clx_len = pair(33)
        except struct.error as e:
            raise WordBinaryError("corrupt DOC/WPS: the file header is truncated") from e

    def pieces(self) -> tuple[list[_Piece], list[bytes]]:
        """The piece table and the property groups (Prc) stored before it ([MS-DOC] 2.9.38 Clx)."""
        clx = self.table[self.clx_at : self.clx_at + self.clx_len]
        prcs: list[bytes] = []
        o = 0
        while o < len(clx) and clx[o] == 0x01:
            n = struct.unpack_from("<h", clx, o + 1)[0]
            prcs.append(clx[o + 3 : o + 3 + n])
            o += 3 + n
        if o >= len(clx) or clx[o] != 0x02:
            raise WordBinaryError("corrupt DOC/WPS: no piece table")
        lcb = _u32(clx, o + 1)
        plc = clx[o + 5 : o + 5 + lcb]
        n = (len(plc) - 4) // 12
        if n <= 0:
            raise WordBinaryError("corrupt DOC/WPS: an empty piece table")
        cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
        out = []
        for i in range(n):
            pcd = 4 * (n + 1) + 8 * i
            fc_raw = _u32(plc, pcd + 2)
            compressed = bool(fc_raw & 0x40000000)
            fc = fc_raw & 0x3FFFFFFF
            out.append(_Piece(cps[i], cps[i + 1], fc // 2 if compressed else fc, 1 if compressed else 2, _u16(plc, pcd + 6)))
        return out, prcs

    def text(self, pieces: list[_Piece]) -> str:
        parts = []
        for p in pieces:
            if p.cp >= self.ccp_text:
                break
            n = min(p.cp_end, self.ccp_text) - p.cp
            raw = self.word[p.fc : p.fc + n * p.width]
            parts.append(raw.decode("latin-1").translate(_COMPRESSED) if p.width == 1 else raw.decode("utf-16-le", errors="replace"))
        return "".join(parts)

    def papx_runs(self) -> tuple[list[int], list[tuple[int, bytes]]]:
        """Every paragraph run of the PAPX FKP pages as (start FC, end FC, grpprl), sorted by FC."""
        plc = self.table[self.papx_at : self.papx_at + self.papx_len]
        n = (len(plc) - 4) // 8
        starts: list[int] = []
        runs: list[tuple[int, bytes]] = []
        for k in range(max(n, 0)):
            pn = _u32(plc, 4 * (n + 1) + 4 * k) & 0x3FFFFF
            page = self.word[pn * 512 : pn * 512 + 512]
            if len(page) < 512:
                continue
            crun = page[511]
            for j in range(crun):
                fc, fc_end = _u32(page, 4 * j), _u32(page, 4 * (j + 1))
                b_offset = page[4 * (crun + 1) + 13 * j]
                grpprl = b""
                if b_offset:
                    at = 2 * b_offset
                    cb = page[at]
                    if cb:
                        body = page[at + 1 : at + 1 + 2 * cb - 1]
                    else:
                        body = page[at + 2 : at + 2 + 2 * page[at + 1]]
                    grpprl = body[2:]  # after the style index
                starts.append(fc)
                runs.append((fc_end, grpprl))
        order = sorted(range(len(starts)), key=starts.__getitem__)
        return [starts[i] for i in order], [runs[i] for i in order]


def _not_word(streams: set[str]) -> str:
    if "MN0" in streams or "CONTENTS" in streams:
        return "a Microsoft Works document (not Word or WPS Office): save it as .docx"
    if "EncryptedPackage" in streams:
        return "encrypted document: a password is needed to read it"
    if "Workbook" in streams or "Book" in streams:
        return "not a Word document: an Excel workbook in an OLE file"
    return "not a Word document: the OLE file has no WordDocument stream"


def _summary(ole) -> dict[str, str]:  # noqa: ANN001 - olefile.OleFileIO
    """Title and author from the summary information (a courtesy: a broken property set is ignored)."""
    try:
        m = ole.get_metadata()
    except Exception:  # noqa: BLE001 - metadata never stops a read
        return {}
    out = {}
    codec = {936: "gb18030", 950: "big5", 65001: "utf-8", 1200: "utf-16-le"}.get(m.codepage or 0, "cp1252")
    for name, value in (("doc_title", m.title), ("doc_author", m.author)):
        if isinstance(value, bytes):
            try:
                value = value.decode(codec).strip("\x00 ")
            except (UnicodeDecodeError, LookupError):
                value = None
        if value:
            out[name] = str(value)
    if m.create_time:
        out["doc_created"] = str(m.create_time)
    return out


def _paragraph_props(cp: int, pieces: list[_Piece], piece_starts: list[int], fcs: list[int],
                     runs: list[tuple[int, bytes]], prcs: list[bytes], data_stream: bytes | None) -> _Props:
    """The table properties of the paragraph whose mark is at ``cp``: its PAPX, then its piece's Prm."""
    props = _Props()
    i = bisect.bisect_right(piece_starts, cp) - 1
    if i < 0:
        return props
    p = pieces[i]
    fc = p.fc + (cp - p.cp) * p.width
    k = bisect.bisect_right(fcs, fc) - 1
    if k >= 0 and fc < runs[k][0]:
        _apply(runs[k][1], props, data_stream)
    if p.prm & 1:  # Prm1: a whole property group
        idx = p.prm >> 1
        if idx < len(prcs):
            _apply(prcs[idx], props, data_stream)
    elif p.prm >> 1 & 0x7F in PRM0_SPRMS:  # Prm0: one sprm with a one-byte value
        _apply(struct.pack("<HB", PRM0_SPRMS[p.prm >> 1 & 0x7F], p.prm >> 8), props)
    return props


def _fields(text: str) -> str:
    """Field codes dropped, their results kept: ``\\x13 PAGE \\x14 3 \\x15`` reads ``3``."""
    if "\x13" not in text:
        return text
    out, depth_code = [], []
    for ch in text:
        if ch == "\x13":
            depth_code.append(True)
        elif ch == "\x14" and depth_code:
            depth_code[-1] = False
        elif ch == "\x15" and depth_code:
            depth_code.pop()
        elif not (depth_code and depth_code[-1]):
            out.append(ch)
    return "".join(out)


def _cell_text(paragraphs: list[str]) -> str:
    return "\n".join(p for p in paragraphs if p.strip())


@dataclass
class _Row:
    cells: list[str]
    edges: list[int] | None
    flags: list[int]


def _grid(rows: list[_Row], tno: int) -> list[Line]:
    """A table's rows as an exact grid: columns from every row's cell edges, merged cells covered."""
    if any(r.edges is None or len(r.edges) != len(r.cells) + 1 for r in rows):
        # no usable row definition: the cells as they come, not a grid (blank cells carry no meaning)
        return [Line([Cell(t, Location(table=tno, row=r + 1, cell=c + 1)) for c, t in enumerate(row.cells)],
                     loc=Location(table=tno, row=r + 1)) for r, row in enumerate(rows)]
    lines_x: list[int] = []
    for e in sorted({e for r in rows for e in r.edges}):  # type: ignore[union-attr]
        if not lines_x or e - lines_x[-1] > EDGE_TOLERANCE:
            lines_x.append(e)

    def col(x: int) -> int:
        return min(range(len(lines_x)), key=lambda i: abs(lines_x[i] - x))

    width = len(lines_x) - 1
    out: list[Line] = []
    owner_above: dict[int, bool] = {}  # grid column -> a vertical merge runs down from above
    for r, row in enumerate(rows, start=1):
        grid: list[Cell | None] = [None] * width
        run_first: int | None = None
        for i, text in enumerate(row.cells):
            a, b = col(row.edges[i]), col(row.edges[i + 1])  # type: ignore[index]
            if b <= a:  # a zero-width cell: not a cell at all
                continue
            flag = row.flags[i] if i < len(row.flags) else 0
            horz, vert = flag & 0x3, flag >> 5 & 0x3
            covered = False
            if horz:  # the old explicit merge flags: later cells of a run are part of the first one
                if run_first is None or horz == run_first:
                    run_first = horz
                else:
                    covered = not text.strip()
            else:
                run_first = None
            if vert == 1 and owner_above.get(a) and not text.strip():
                covered = True
            owner_above[a] = vert in (1, 3)
            for k in range(a, b):
                loc = Location(table=tno, row=r, cell=k + 1)
                grid[k] = Cell("", loc, covered=True) if covered or k > a else Cell(text, loc)
        cells = [c if c is not None else Cell("", Location(table=tno, row=r, cell=k + 1)) for k, c in enumerate(grid)]
        out.append(Line(cells, exact=True, loc=Location(table=tno, row=r), grid=tno))
    return out


def read_word97(data: bytes) -> Document:
    """A Word 97–2003 (or WPS Office) document: its paragraphs as lines, its tables as exact grids.

    A damaged file is a :class:`WordBinaryError` with the reason, whatever part of it is broken."""
    try:
        return _read(data)
    except WordBinaryError:
        raise
    except (IndexError, struct.error, ValueError, OverflowError, KeyError) as e:
        raise WordBinaryError(f"corrupt DOC/WPS: {type(e).__name__}: {e}") from e


def _read(data: bytes) -> Document:
    rd = _Reader(data)
    pieces, prcs = rd.pieces()
    text = rd.text(pieces)
    piece_starts = [p.cp for p in pieces]
    fcs, runs = rd.papx_runs()
    lines: list[Line] = []
    rows: list[_Row] = []
    cells: list[str] = []
    buf: list[str] = []
    tables = 0

    def flush_table() -> None:
        nonlocal tables, rows
        if rows:
            tables += 1
            lines.extend(_grid(rows, tables))
            rows = []

    start = 0
    for cp, ch in enumerate(text):
        if ch not in "\r\x07\x0c":
            continue
        para = _fields(text[start:cp]).translate(_INLINE)
        start = cp + 1
        props = _paragraph_props(cp, pieces, piece_starts, fcs, runs, prcs, rd.data_stream)
        if props.in_table or props.depth > 0:
            if props.depth <= 1 and ch == "\x07" and props.ttp:  # the row's end mark
                rows.append(_Row(cells, props.edges, props.flags))
                cells, buf = [], []
            elif props.depth <= 1 and ch == "\x07":  # a cell's end mark
                cells.append(_cell_text([*buf, para]))
                buf = []
            else:  # a paragraph inside a cell; a nested table's paragraphs and marks flatten into the outer cell
                buf.append(para)
            continue
        if cells or buf:  # a row that never ended (a damaged file): keep what it had
            if buf:
                cells.append(_cell_text(buf))
            rows.append(_Row(cells, None, []))
            cells, buf = [], []
        flush_table()
        for part in para.split("\n"):
            if part.strip():
                lines.append(Line([Cell(part, Location())]))
    if cells:
        rows.append(_Row(cells, None, []))
    flush_table()
    if not any(ln.text.strip() for ln in lines):
        raise WordBinaryError("DOC/WPS without any text")
    return Document(lines=lines, media_type=DOC, meta=rd.meta)


__all__ = ["DOC", "WordBinaryError", "read_word97"]
