"""Synthetic scans: a rendered report printed, scanned and published as an image-only PDF.

What real scanned reports look like (``…年度报告（图片版）`` attachments): 150–200 dpi greyscale or colour
page images, a slight tilt from the scanner's feed, speckle from dust and toner, JPEG compression, and no
text layer at all.  Each of those is applied here, deterministically from a seed, to a PDF rendered with a
real embedded CJK font (:mod:`synth.fonts`), so the OCR path is tested on pages a person could read.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from .layout import DocSpec

FONT = Path(__file__).resolve().parent / "fonts" / "NotoSerifSC-xxgk.ttf"


@dataclass(frozen=True)
class ScanStyle:
    dpi: int = 175
    tilt: float = 0.6  # degrees, clockwise positive
    speckle: float = 0.0015  # share of pixels flipped to black or white
    jpeg_quality: int = 70
    seed: int = 0
    columns: int = 1  # 2: two printed pages side by side on one sheet (a booklet's spread scanned whole)


def scan_pdf(pdf: bytes, style: ScanStyle = ScanStyle()) -> bytes:
    """The PDF's pages as scanned images in a new PDF without any text."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(style.seed)
    doc = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            img = page.render(scale=style.dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if style.columns == 2 and i % 2 == 1:
                left = pages.pop()
                spread = Image.new("L", (left.width + img.width, max(left.height, img.height)), 255)
                spread.paste(left, (0, 0))
                spread.paste(img, (left.width, 0))
                img = spread
            elif style.columns == 2 and i + 1 < len(doc):
                pages.append(img)  # its right-hand page comes next
                continue
            img = img.rotate(-style.tilt, resample=Image.BICUBIC, expand=False, fillcolor=255)
            a = np.array(img)
            flip = rng.random(a.shape) < style.speckle
            a[flip] = np.where(rng.random(int(flip.sum())) < 0.5, 0, 255)
            buf = io.BytesIO()
            Image.fromarray(a).save(buf, format="JPEG", quality=style.jpeg_quality)
            pages.append(Image.open(io.BytesIO(buf.getvalue())))
    finally:
        doc.close()
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=float(style.dpi), save_all=True, append_images=pages[1:])
    return out.getvalue()


def table_images(spec: DocSpec, dpi: int = 144) -> list[bytes]:
    """Each table of the report as a PNG picture of it alone, cropped to the table, the way a screenshot
    pasted into a portal's editor looks (96–150 dpi, no tilt, no speckle: a screen grab, not a scan)."""
    import numpy as np
    import pypdfium2 as pdfium

    from .layout import MediaStyle, Table
    from .media import render_pdf

    style = MediaStyle(font=str(FONT), stacked_headers=True)
    out = []
    for b in spec.blocks:
        if not isinstance(b, Table):
            continue
        pdf = pdfium.PdfDocument(render_pdf(DocSpec(spec.title, [b]), style, page_height_mm=1200, footer=False))
        try:
            page = pdf[0]
            img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
        finally:
            pdf.close()
        ink = np.argwhere(np.array(img) < 200)
        (y0, x0), (y1, x1) = ink.min(axis=0), ink.max(axis=0)
        pad = 6
        crop = img.crop((max(0, x0 - pad), max(0, y0 - pad), min(img.width, x1 + pad + 1), min(img.height, y1 + pad + 1)))
        buf = io.BytesIO()
        crop.save(buf, format="PNG", optimize=True)
        out.append(buf.getvalue())
    return out


def random_scan_style(rng: random.Random) -> ScanStyle:
    return ScanStyle(dpi=rng.choice([150, 175, 200]), tilt=round(rng.uniform(-1.0, 1.0), 2),
                     speckle=rng.uniform(0.0005, 0.002), jpeg_quality=rng.randint(55, 85), seed=rng.randrange(2**31))
