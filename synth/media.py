"""Render a :class:`synth.layout.DocSpec` as an HTML page (several portal templates), a PDF or a DOCX."""

from __future__ import annotations

import html
import io
import json
from functools import cache
from pathlib import Path

from .layout import DocSpec, MediaStyle, Para, Table

HTML_TEMPLATES = ("hanweb", "trs", "gkmlpt", "bare")


def _table_html(t: Table) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">']
    for row in t.rows:
        out.append("<tr>")
        for c in row:
            tag = "td"
            attrs = ""
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            text = "<br/>".join(html.escape(x) for x in c.text.split("\n")) if c.text else "&nbsp;"
            out.append(f'<{tag}{attrs}><p style="text-align:center"><span style="font-size:12px">{text}</span></p></{tag}>')
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def body_html(spec: DocSpec, images: list[str] | None = None) -> str:
    """The article body; with ``images``, each table is shown as the picture at that address instead (the
    way many portals publish the tables: a screenshot of the Word table pasted into the editor)."""
    parts = []
    pictures = iter(images or [])
    for b in spec.blocks:
        if isinstance(b, Para):
            style = ' style="text-align:center"' if b.heading else ' style="text-indent:2em"'
            parts.append(f"<p{style}>{html.escape(b.text)}</p>")
        elif images is not None:
            src = html.escape(next(pictures), quote=True)
            parts.append(f'<p style="text-align:center"><img src="{src}" border="0" style="max-width:100%" alt="" /></p>')
        else:
            parts.append(_table_html(b))
    return "\n".join(parts)


def render_html(spec: DocSpec, template: str = "hanweb", *, meta: dict[str, str] | None = None, encoding: str = "utf-8",
                images: list[str] | None = None) -> bytes:
    """A portal article page around the report body, in the markup of a CMS platform."""
    meta = meta or {}
    title = html.escape(spec.title)
    body = body_html(spec, images)
    pub = meta.get("published", "2024-01-30")
    publisher = html.escape(meta.get("publisher", ""))
    index_no = html.escape(meta.get("index_no", "001008003/2024-00001"))
    charset = "gb2312" if encoding.lower() in ("gbk", "gb2312", "gb18030") else "utf-8"
    head = (
        f'<head><meta charset="{charset}"><title>{title}_政府信息公开</title>'
        f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{pub} 09:30">'
        f'<meta name="ContentSource" content="{publisher}"></head>'
    )
    metablock = (
        '<table class="xxgk_table"><tr><td>索引号：</td><td>' + index_no + "</td><td>组配分类：</td><td>信息公开年报</td></tr>"
        "<tr><td>发布机构：</td><td>" + publisher + "</td><td>成文日期：</td><td>" + pub + "</td></tr></table>"
    )
    if template == "hanweb":
        page = f'<!DOCTYPE html><html>{head}<body><div class="top">网站导航 首页</div>{metablock}<h1>{title}</h1><div id="zoom">{body}</div><div class="footer">主办单位 联系电话：0577-00000000</div></body></html>'
    elif template == "trs":
        page = f'<!DOCTYPE html><html>{head}<body>{metablock}<div class="title">{title}</div><div class="TRS_Editor"><div class="TRS_Editor">{body}</div></div></body></html>'
    elif template == "gkmlpt":
        detail = {"id": 1, "title": spec.title, "content": body, "publisher": meta.get("publisher", ""), "date": pub}
        cfg = json.dumps({"SID": "demo", "DETAIL": detail}, ensure_ascii=False)
        page = f'<!DOCTYPE html><html>{head}<body><div id="app"></div><script>window._CONFIG = {cfg};</script></body></html>'
    else:
        page = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return page.encode(encoding)


def _placed(t: Table):  # noqa: ANN202 - an iterator of (row, column, TCell)
    """Each cell of a table with the grid position of its top-left corner (merged cells skip the positions
    they cover)."""
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(t.rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            yield r, c, cell
            occupied |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            c += cell.colspan


def render_docx(spec: DocSpec) -> bytes:
    import docx
    from docx.shared import Pt

    import datetime as dt

    d = docx.Document()
    d.core_properties.title = spec.title
    d.core_properties.created = d.core_properties.modified = dt.datetime(2020, 1, 1)
    for b in spec.blocks:
        if isinstance(b, Para):
            p = d.add_paragraph(b.text)
            if b.heading:
                p.runs[0].bold = True
            continue
        t = d.add_table(rows=len(b.rows), cols=b.width)
        t.style = "Table Grid"
        for r, c, cell in _placed(b):
            target = t.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(t.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            lines = cell.text.split("\n")
            target.text = lines[0]
            for extra in lines[1:]:
                target.add_paragraph(extra)
            for para in target.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(9)
    buf = io.BytesIO()
    d.save(buf)
    return _stable_zip(buf.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same DOCX bytes for the same content: zip entries get a fixed timestamp."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


@cache
def _font(name: str) -> str:
    from reportlab.pdfbase import pdfmetrics

    if name == "cid":
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light"
    from reportlab.pdfbase.ttfonts import TTFont

    fname = "XXGK-" + Path(name).stem
    pdfmetrics.registerFont(TTFont(fname, name))
    return fname


def render_pdf(spec: DocSpec, style: MediaStyle | None = None, *, page_height_mm: float | None = None, footer: bool = True) -> bytes:
    """A PDF with a text layer, ruled tables with merged cells, optionally split over pages.  ``page_height_mm``
    makes the page that tall (a table drawn whole, as a screenshot of it would be) and ``footer`` draws page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    from reportlab import rl_config

    rl_config.invariant = 1  # no creation date or random document id: the same report gives the same bytes
    style = style or MediaStyle()
    font = _font(style.font)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    head = ParagraphStyle("head", parent=body, fontSize=12, leading=18, firstLineIndent=0, alignment=1)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK", alignment=1)

    size = (A4[0], page_height_mm * mm) if page_height_mm else A4

    def page_number(canvas, doc) -> None:  # noqa: ANN001 - reportlab callback
        if footer:
            canvas.setFont(font, 9)
            canvas.drawCentredString(size[0] / 2, 12 * mm, f"— {doc.page} —")

    story = []
    for b in spec.blocks:
        if isinstance(b, Para):
            story.append(Paragraph(html_escape(b.text), head if b.heading else body))
            continue
        data = []
        for row in _grid(b):
            data.append([Paragraph("<br/>".join(html_escape(x) for x in c.split("\n")), cell) if c is not None else "" for c in row])
        avail = A4[0] - 30 * mm
        label_w = {10: [18 * mm, 20 * mm, 44 * mm], 4: [40 * mm], 15: []}.get(b.width, [])
        rest = (avail - sum(label_w)) / (b.width - len(label_w))
        widths = label_w + [rest] * (b.width - len(label_w))
        spans = []
        for (r, c), (rs, cs) in _spans(b).items():
            spans.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
        t = RLTable(data, colWidths=widths, repeatRows=b.header_rows if style.repeat_header else 0, splitByRow=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *spans]))
        if style.page_break_in_table and b.width == 10:
            story.append(PageBreak())  # start the table high on a page…
            story.append(Spacer(1, 150 * mm))  # …and low enough that it must split
        story.append(t)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=size, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm, bottomMargin=20 * mm, title=spec.title)
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()


def html_escape(s: str) -> str:
    return html.escape(s, quote=False)


def _grid(t: Table) -> list[list[str | None]]:
    """The table as a full grid: text at each cell's top-left, None under merged cells."""
    grid: dict[tuple[int, int], str | None] = {}
    for r, row in enumerate(t.rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    grid[(r + dr, c + dc)] = cell.text if dr == dc == 0 else None
            c += cell.colspan
    return [[grid.get((r, c), "") for c in range(t.width)] for r in range(len(t.rows))]


def _spans(t: Table) -> dict[tuple[int, int], tuple[int, int]]:
    seen: set[tuple[int, int]] = set()
    out = {}
    for r, row in enumerate(t.rows):
        c = 0
        for cell in row:
            while (r, c) in seen:
                c += 1
            if cell.rowspan > 1 or cell.colspan > 1:
                out[(r, c)] = (cell.rowspan, cell.colspan)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    seen.add((r + dr, c + dc))
            c += cell.colspan
    return out


def render_xlsx(spec: DocSpec) -> bytes:
    """The report as an Excel workbook, as bodies attach one: its paragraphs as merged rows of their own,
    each table's cells with their merged ranges (openpyxl, a well-kept OOXML writer)."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.created = wb.properties.modified = dt.datetime(2020, 1, 1)
    ws = wb.active
    ws.title = "年报"
    width = max((b.width for b in spec.blocks if isinstance(b, Table)), default=1)
    r = 1
    for b in spec.blocks:
        if isinstance(b, Para):
            ws.cell(r, 1, b.text)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            r += 1
            continue
        for i, c, cell in _placed(b):
            value: object = cell.text
            if not cell.header and cell.text.strip().lstrip("-").isdigit():
                value = int(cell.text.strip())  # numbers stored as numbers, as Excel users type them
            ws.cell(r + i, c + 1, value)
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(start_row=r + i, start_column=c + 1, end_row=r + i + cell.rowspan - 1, end_column=c + cell.colspan)
        r += len(b.rows)
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue())
