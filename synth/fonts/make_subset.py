"""Write ``NotoSerifSC-xxgk.ttf`` once, by hand: Noto Serif CJK SC cut down to the characters this project prints.

    apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb noto   # Debian's copy of Google's release
    uv run python synth/fonts/make_subset.py noto/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc

Why a font in the repository: the synthetic scans (and PDFs that must read the same on every machine) need
real Chinese glyph shapes, and no CJK font may be assumed on a machine.  The characters kept are every
character of the repository's text files (seeds, goldens, vocabulary, synthetic templates) plus ASCII and
the full-width forms.  The outlines are converted from cubic (CFF) to quadratic (TrueType ``glyf``) curves,
because reportlab embeds only TrueType outlines.  Licence: SIL Open Font License 1.1 (OFL.txt beside it), which allows a subset
redistributed under a new name ("xxgk" in the family name, as the licence's Reserved Font Name rule asks).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SUFFIXES = {".py", ".txt", ".json", ".md", ".yaml", ".csv"}


def characters() -> set[int]:
    chars = set(range(0x20, 0x7F)) | set(range(0xFF01, 0xFF5F)) | set(range(0x3000, 0x3020)) | {0x2014, 0x2026, 0x201C, 0x201D, 0x2018, 0x2019}
    for p in ROOT.rglob("*"):
        if p.suffix in SUFFIXES and ".venv" not in p.parts and "out" not in p.parts and p.stat().st_size < 2_000_000:
            chars |= {ord(c) for c in p.read_text(encoding="utf-8", errors="ignore") if ord(c) >= 0x2E80}
    return chars


def main() -> None:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    ttc = TTCollection(sys.argv[1])
    font = next(f for f in ttc.fonts if f["name"].getDebugName(4) == "Noto Serif CJK SC")
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.layout_features = []
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(characters()))
    sub.subset(font)
    for rec in font["name"].names:  # a modified version carries another name (OFL, Reserved Font Name)
        if rec.nameID in (1, 3, 4, 6, 16):
            rec.string = str(rec.toUnicode()).replace("Noto Serif CJK SC", "xxgk Serif SC").replace("NotoSerifCJKsc", "xxgkSerifSC")
    to_truetype(font)
    out = HERE / "NotoSerifSC-xxgk.ttf"
    font.save(out)
    print(f"{len(font.getBestCmap())} characters, {out.stat().st_size} bytes")


def to_truetype(font) -> None:  # noqa: ANN001 - fontTools TTFont
    """CFF outlines → TrueType glyf/loca (cubic curves approximated by quadratic ones within 1 font unit)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    source = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(source)
        source[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    glyf.compile(font)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


if __name__ == "__main__":
    main()
