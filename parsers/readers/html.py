"""HTML article pages: the report body as text lines and table grids, plus the page's own metadata.

Portals wrap the report in their CMS's article container (Hanweb ``div#zoom``, TRS ``.TRS_Editor``,
gkmlpt's ``window._CONFIG.DETAIL.content``, NFCMS ``.article-content``); the metadata block around
it (索引号, 组配分类, 发布机构, 成文日期 …) and ``<meta>`` tags say what the page is.  Tables are read as
grids with ``rowspan``/``colspan`` resolved: each grid position is a cell, covered positions are
marked covered, and empty cells stay empty.

Tables published as pictures (a screenshot of the Word table pasted into the editor, ``<img>`` in the
body) are read by OCR where they stand (:func:`parsers.readers.ocr.image_lines`), when the caller hands
over the picture's bytes (``images``: the page's ``src`` as written → bytes, or None when the picture
was not fetched).  Their cells keep the picture's number as their page, their rectangle on it in
pixels, and the recognition's confidence.  Every picture of the body is counted in the page's metadata
(``body_images``, ``body_images_read``, ``body_images_missing``), so a table that could not be read is
never silently absent.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable

from lxml import etree

from ..document import Cell, Document, Line, Location
from ..values import normalize

BODY_XPATHS = (
    "//div[@id='zoom']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' news_cont_d_wrap ')]",  # NFCMS (sz.gov.cn)
    "//*[@id='zoomcon']",  # NFCMS, another template
    "//*[@id='article-content' or @id='content' or @class='content']",
    "//article",
)
BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "center",
    "blockquote", "pre", "header", "footer", "dd", "dt", "dl", "form", "hr",
}
SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "head"}
META_LABELS = {
    "索引号": "index_no",
    "组配分类": "category",
    "主题分类": "topic",
    "发布机构": "publisher",
    "信息来源": "source",
    "成文日期": "written_on",
    "发布日期": "page_published_on",
    "公开方式": "disclosure_mode",
    "文号": "document_number",
}
_META_RE = re.compile(r"(" + "|".join(META_LABELS) + r")\s*[:：]?\s*\t?\s*([^\t\n]*?)\s*(?=\t|\n|$|(?:" + "|".join(META_LABELS) + "))")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_DETAIL = re.compile(r"""DETAIL["']?\s*[:=]""")
_FIELD = {key: re.compile(rf"""["']?{key}["']?\s*:\s*(?=")""") for key in ("content", "title")}


def gkmlpt_detail(text: str, key: str) -> str | None:
    """A string field of gkmlpt's ``window._CONFIG.DETAIL`` (content, title), read in linear time: the first
    DETAIL that is assigned, then the field after it, decoded by the JSON decoder (a page of a million
    unterminated strings or DETAIL words costs one pass, never a backtracking search)."""
    m = _DETAIL.search(text)
    if m is None:
        return None
    f = _FIELD[key].search(text, m.end())
    if f is None:
        return None
    try:
        value, _end = json.JSONDecoder().raw_decode(text, f.end())
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


class NoReportInPage(ValueError):
    pass


ImageSource = Callable[[str], bytes | None]  # an <img src> as written in the page → its bytes, or None
MIN_TABLE_IMAGE = (160, 60)  # pixels: smaller pictures are icons, bullets and seals, never a statistics table
MAX_BODY_IMAGES = 60  # the most pictures of one article body fetched and read; real reports have a handful
_DATA_URI = re.compile(r"^data:image/[\w.+-]+;base64,(.*)$", re.S | re.I)


def body_images(text: str) -> list[str]:
    """The ``src`` of every picture in the report body, as written, in page order (data: URIs left out:
    they travel inside the page).  What a spider fetches along with the page, so the parser can read them."""
    text = _XML_DECL.sub("", text)
    if not text.strip():
        return []
    body = _find_body(_parse(text), text)
    if body is None:
        return []
    out: list[str] = []
    for img in body.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if src and not src.lower().startswith("data:") and src not in out:
            out.append(src)
    return out[:MAX_BODY_IMAGES]


def _iso(date: str) -> str | None:
    m = _DATE.search(normalize(date))
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


def parse_html(text: str, images: ImageSource | None = None) -> Document:
    text = _XML_DECL.sub("", text)
    if not text.strip():
        raise NoReportInPage("empty HTML page")
    root = _parse(text)
    meta = _page_meta(root, text)
    body = _find_body(root, text)
    if body is None:
        raise NoReportInPage("HTML page has no body")
    lines: list[Line] = []
    walker = _Walker(lines, images)
    walker.walk(body)
    walker.flush()
    meta.update(walker.image_counts())
    doc = Document(lines=[ln for ln in lines if any(c.text.strip() or c.covered for c in ln.cells) or ln.exact], media_type="text/html", meta=meta)
    if not any(ln.text.strip() for ln in doc.lines):
        raise NoReportInPage("HTML page has no text in its article body")
    return doc


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, recover=True, no_network=True)


def _parse(markup: str) -> etree._Element:
    """Plain lxml elements (not lxml.html's), for speed; an empty tree when nothing parses."""
    root = etree.fromstring(markup, _PARSER)
    return root if root is not None else etree.fromstring("<html><body></body></html>", _PARSER)


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _find_body(root: etree._Element, text: str) -> etree._Element | None:
    content = (gkmlpt_detail(text, "content") or "") if "_CONFIG" in text else ""
    if content:
        if content.strip():
            found = _parse(f"<html><body><div>{content}</div></body></html>").xpath("//body/div")
            if found:
                return found[0]
    for xp in BODY_XPATHS:
        found = root.xpath(xp)
        if found:
            # the largest match: nested containers of the same class are common
            return max(found, key=lambda e: len(_text(e)))
    bodies = root.xpath("//body")
    return bodies[0] if bodies else root


def _page_meta(root: etree._Element, text: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in root.xpath("//meta[@name and @content]"):
        name = m.get("name", "").lower()
        content = m.get("content", "").strip()
        if name == "articletitle" and content:
            meta["title"] = content
        elif name == "pubdate" and content:
            iso = _iso(content)
            if iso:
                meta["page_published_on"] = iso
        elif name == "contentsource" and content:
            meta["publisher"] = content
    if "title" not in meta:
        title = gkmlpt_detail(text, "title") if "_CONFIG" in text else None
        if title is not None:
            meta["title"] = title
    if "title" not in meta:
        for xp in ("//h1", "//title"):
            found = [_text(e).strip() for e in root.xpath(xp) if _text(e).strip()]
            if found:
                meta["title"] = found[0]
                break
    # the metadata block: label cells and value cells, in any markup (text nodes joined by tabs)
    flat = "\t".join(t.strip() for t in root.itertext() if t.strip())[:20000]
    for m in _META_RE.finditer(flat):
        key = META_LABELS[m.group(1)]
        value = m.group(2).strip()
        if value and key not in meta:
            meta[key] = value
    for key in ("written_on", "page_published_on"):
        if key in meta:
            iso = _iso(meta[key])
            if iso:
                meta[key] = iso
            else:
                del meta[key]
    return meta


class _Walker:
    """Flattens an element tree into lines; tables become exact grids."""

    def __init__(self, lines: list[Line], images: ImageSource | None = None) -> None:
        self.lines = lines
        self.buf: list[str] = []
        self.tables = 0
        self.images = images
        self.pictures = 0  # pictures of the body that could be tables (by size, when known)
        self.read = 0
        self.missing: list[str] = []
        self.unreadable: list[str] = []

    def image_counts(self) -> dict[str, str]:
        if not (self.pictures or self.missing):
            return {}
        out = {"body_images": str(self.pictures + len(self.missing)), "body_images_read": str(self.read)}
        if self.missing:
            out["body_images_missing"] = str(len(self.missing))
        if self.unreadable:
            out["body_images_unreadable"] = "; ".join(self.unreadable)[:500]
        return out

    def _image(self, img: etree._Element) -> None:
        """A picture in the body: read by OCR where it stands when its bytes are at hand."""
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not src:
            return
        m = _DATA_URI.match(src)
        if m:
            try:
                data: bytes | None = base64.b64decode(m.group(1), validate=False)
            except (binascii.Error, ValueError):
                data = None
        elif self.pictures + len(self.missing) >= MAX_BODY_IMAGES:
            return
        else:
            data = self.images(src) if self.images else None
        if data is None:
            self.missing.append(src)
            return
        from .ocr import ImageError, decode_image, image_lines, upscaled

        try:
            picture = decode_image(data)
        except ImageError as e:
            self.pictures += 1
            self.unreadable.append(f"{src[:80]}: {e}")
            return
        h, w = picture.shape[:2]
        if w < MIN_TABLE_IMAGE[0] or h < MIN_TABLE_IMAGE[1]:
            return  # an icon or a seal
        self.pictures += 1
        self.flush()
        found, n = image_lines(*upscaled(picture), page=self.pictures, first_table=self.tables)
        self.lines.extend(found)
        self.tables += n
        self.read += 1

    def flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        for part in text.split("\n"):
            if part.strip():
                self.lines.append(Line([Cell(part.strip(), Location())]))

    def walk(self, el: etree._Element) -> None:
        if not isinstance(el.tag, str):
            return  # comments and processing instructions (their tail is read by the parent)
        tag = el.tag.lower()
        if tag in SKIP_TAGS:
            return
        if tag == "table" and el.find(".//table") is None:
            self.flush()
            self._table(el)
        elif tag in ("table", "tr", "td", "th", "tbody", "thead", "tfoot"):
            # a layout table (old portal templates wrap the whole page in tables): its cells are
            # blocks of the page, and the report's own tables inside them are read as grids
            self._contents(el, block=True)
        elif tag == "br":
            self.buf.append("\n")
        elif tag == "img":
            self._image(el)
        else:
            self._contents(el, block=tag in BLOCK_TAGS)

    def _contents(self, el: etree._Element, *, block: bool) -> None:
        """An element's text and children in document order; a block starts and ends a line."""
        if block:
            self.buf.append("\n")
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)
        if block:
            self.buf.append("\n")

    def _table(self, table: etree._Element) -> None:
        self.tables += 1
        tno = self.tables
        rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        _mark_breaks(table)
        grid: dict[tuple[int, int], Cell] = {}
        width = 0
        for r, tr in enumerate(rows):
            c = 0
            for td in tr.xpath("./td|./th"):
                while (r, c) in grid:
                    c += 1
                v = td.get("rowspan")
                rs = 1 if v is None else _span(v)
                v = td.get("colspan")
                cs = 1 if v is None else _span(v)
                grid[(r, c)] = Cell(_cell_text(td), Location(table=tno, row=r + 1, cell=c + 1))
                if rs > 1 or cs > 1:
                    for dr in range(rs):
                        for dc in range(cs):
                            if (dr or dc) and (r + dr, c + dc) not in grid:
                                loc = Location(table=tno, row=r + dr + 1, cell=c + dc + 1)
                                grid[(r + dr, c + dc)] = Cell("", loc, covered=True)
                c += cs
                width = max(width, c)
        for r in range(len(rows)):
            cells = [grid.get((r, c), Cell("", Location(table=tno, row=r + 1, cell=c + 1))) for c in range(width)]
            self.lines.append(Line(cells, exact=True, loc=Location(table=tno, row=r + 1), grid=tno))


def _span(v: str | None) -> int:
    try:
        return min(max(int(str(v).strip() or 1), 1), 200)
    except ValueError:
        return 1


def _mark_breaks(table: etree._Element) -> None:
    """Turn <br> and block elements inside cells into newlines, so itertext() keeps them."""
    for br in table.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in table.iter("p", "div", "li"):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    for el in table.iter("script", "style"):
        el.text = ""


def _cell_text(td: etree._Element) -> str:
    text = _text(td)
    if "\n" not in text:
        return text.strip()
    return "\n".join(p.strip() for p in text.split("\n") if p.strip())
