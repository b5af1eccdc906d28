"""A generated TrueType font covering CJK, for PDFs whose text layer comes from an *embedded* font.

Real reports are exported from Word with their fonts embedded (subsets with a ToUnicode map); the
CID font STSong-Light that reportlab can use without a file is *not* embedded, and some extractors
map its glyphs poorly.  No CJK font file may be assumed on a test machine, so this builds one: every
glyph a plain box, but with a real cmap, so the PDF's text layer is exactly the text drawn.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

RANGES = ((0x20, 0x7E), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF), (0x2010, 0x2027), (0x201C, 0x201D))


def build_font(path: Path | None = None) -> Path:
    """Write the font (once) and return its path."""
    path = path or Path(tempfile.gettempdir()) / "xxgk-synthetic-cjk.ttf"
    if path.exists() and path.stat().st_size > 0:
        return path
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    codes = sorted({c for lo, hi in RANGES for c in range(lo, hi + 1)})
    names = [".notdef"] + [f"u{c:04X}" for c in codes]

    def box(width: int, filled: bool) -> object:
        pen = TTGlyphPen(None)
        if filled:
            pen.moveTo((80, 0))
            pen.lineTo((80, 700))
            pen.lineTo((width - 80, 700))
            pen.lineTo((width - 80, 0))
            pen.closePath()
        return pen.glyph()

    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({c: f"u{c:04X}" for c in codes})
    widths = {".notdef": 500}
    glyphs = {".notdef": box(500, True)}
    for c in codes:
        w = 500 if c < 0x3000 else 1000
        widths[f"u{c:04X}"] = w
        glyphs[f"u{c:04X}"] = box(w, c != 0x20 and c != 0x3000)
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: (widths[n], 80) for n in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "XXGK Synthetic CJK", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fb.save(str(tmp))
    tmp.replace(path)
    return path
