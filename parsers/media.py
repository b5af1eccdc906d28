"""From bytes on disk to a :class:`Document`: pick the reader by content, decode text honestly."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from .document import Document, from_text
from .limits import MAX_BYTES, LimitExceeded
from .model import ParseResult, Problem, ReportMeta
from .readers.html import ImageSource, NoReportInPage, parse_html
from .readers.pdf import NeedsOcr, PdfError, read_pdf_fast, read_pdf_layout
from .readers.word import DOCX, WordError, read_docx
from .readers.sheet import XLS, XLSX, SheetError, read_sheets
from .readers.word97 import DOC, WordBinaryError, read_word97
from .report import NotAReport, parse_document

PDF = "application/pdf"
HTML = "text/html"
TEXT = "text/plain"



class UnreadableDocument(ValueError):
    """The bytes cannot be read as any supported medium."""


READ_ERRORS = (UnreadableDocument, PdfError, WordError, WordBinaryError, SheetError, NoReportInPage, LimitExceeded)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030 (a superset of GBK/GB2312).

    Bytes are trusted over any declaration: a strict UTF-8 decode of GBK text fails almost surely,
    while GB18030 accepts nearly anything, so the order matters.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument("text is neither UTF-8 nor GB18030")


_WORKBOOK_TYPE = b"spreadsheetml.sheet.main+xml"
_DOCUMENT_TYPE = b"wordprocessingml.document.main+xml"


def _ooxml_kind(data: bytes) -> str:
    """A workbook or a Word document by what the package declares (``[Content_Types].xml``), whatever its parts'
    order: a workbook whose first sheet is a long notes sheet is still a workbook.  Only the first bytes (a
    folder's listing): by the part names they show."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        if _WORKBOOK_TYPE in types or "xl/workbook.xml" in names:
            return XLSX
        if _DOCUMENT_TYPE in types or "word/document.xml" in names:
            return DOCX
        return DOCX  # neither: the Word reader says what is missing
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return XLSX if b"xl/workbook.xml" in data[:65536] or b"xl/" in data[:512] else DOCX


def sniff(data: bytes, name: str = "") -> str:
    """The medium by content first (a PDF saved as .html is still a PDF), then by extension."""
    head = data[:2048].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # the OLE directory names its streams: a workbook (Excel's .xls, WPS's .et) or a Word document
        if "WordDocument".encode("utf-16-le") not in data and any(n.encode("utf-16-le") + b"\x00\x00" in data for n in ("Workbook", "Book")):
            return XLS
        return DOC
    low = head[:1024].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in low or b"<body" in low or b"<div" in low:
        return HTML
    ext = Path(name).suffix.lower()
    if ext in (".html", ".htm", ".shtml") and b"<" in low:
        return HTML
    return TEXT


KNOWN = {PDF, HTML, DOC, DOCX, XLSX, XLS}
PICTURE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def is_picture(head: bytes) -> bool:
    """A PNG, JPEG, GIF, BMP or WebP (by its first bytes)."""
    return head.startswith(PICTURE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def why_not_a_document(head: bytes, name: str = "", *, cut: bool = False) -> str | None:
    """None when these first bytes begin a document some reader takes (PDF, Word, WPS, a workbook, HTML, text);
    else why not.  ``cut``: the bytes are only the start of a longer file (a character cut at the end is no evidence)."""
    if not head.strip():
        return "empty file"
    if sniff(head, name) in KNOWN:
        return None
    if b"\x00" in head:
        return f"binary file of no document type (first bytes {head[:4].hex()})"
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return None
        except UnicodeDecodeError as e:
            if cut and e.start >= len(head) - 4:
                return None
    return "neither a document nor UTF-8/GB18030 text"


def read_document(data: bytes, name: str = "", images: ImageSource | None = None) -> Document:
    """Bytes to the intermediate form, by medium (PDF uses its fast path here); ``images`` gives an HTML
    page's pictures (its ``src`` as written → bytes), read where they stand."""
    media = sniff(data, name)
    if media == PDF:
        return read_pdf_fast(data)
    if media == DOCX:
        return read_docx(data)
    if media == DOC:
        return read_word97(data)
    if media in (XLSX, XLS):
        return read_sheets(data, media)
    if media == HTML:
        return parse_html(decode_text(data), images)
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("binary data, not text")
    doc = from_text(decode_text(data))
    doc.media_type = TEXT
    return doc


def parse_path(path: str | Path, images: ImageSource | None = None, **provenance: str | None) -> ParseResult:
    """Parse one file; every failure becomes an error on the result, never an exception."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise UnreadableDocument(f"file is {size} bytes, over the {MAX_BYTES}-byte limit")
        data = p.read_bytes()
    except (OSError, UnreadableDocument) as e:
        return ParseResult(str(path), ReportMeta(source_path=str(path)), errors=[f"cannot read: {e}"])
    return parse_bytes(data, str(path), images or local_pictures(p), **provenance)


def local_target(page: Path, src: str) -> Path | None:
    """The file a relative ``src`` of a page saved on disk names (resolved); None for an absolute path or an address."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(src)
    if parts.scheme or parts.netloc or parts.path.startswith("/") or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def local_pictures(page: Path) -> ImageSource:
    """The pictures of a page saved on disk, by relative ``src`` (a browser's "save page, complete" puts them in
    ``page_files/``): only files under the page's own folder, never an absolute path or one leaving it."""
    folder = page.parent.resolve()

    def read(src: str) -> bytes | None:
        target = local_target(page, src)
        if target is None or not target.is_relative_to(folder) or not target.is_file() or target.stat().st_size > MAX_BYTES:
            return None
        return target.read_bytes()

    return read


def parse_bytes(data: bytes, path: str = "", images: ImageSource | None = None, **provenance: str | None) -> ParseResult:
    """Parse one document's bytes.  Never raises for a bad document: the result carries the error.
    ``images`` hands over the pictures an HTML page shows (see :func:`parsers.readers.html.parse_html`)."""
    sha = hashlib.sha256(data).hexdigest()
    meta = ReportMeta(source_path=path or None, sha256=sha, media_type=sniff(data, path) if data.strip() else None)
    if not data.strip():
        return ParseResult(path, meta, errors=["empty document"])
    if len(data) > MAX_BYTES:
        return ParseResult(path, meta, errors=[f"cannot read: document is {len(data)} bytes, over the {MAX_BYTES}-byte limit"])
    try:
        doc = read_document(data, path, images)
    except NeedsOcr as e:
        meta.page_meta = e.meta
        return _ocr_pass(data, path, meta, **provenance)
    except READ_ERRORS as e:
        return ParseResult(path, meta, errors=[f"cannot read: {e}"])
    try:
        result = parse_document(doc, path, source_path=path or None, sha256=sha, **provenance)
    except NotAReport as e:
        return ParseResult(path, meta, errors=[str(e)])
    if doc.media_type == PDF and not _reads_completely(result):
        result = _pdf_layout_pass(data, path, sha, result, **provenance)
    _low_confidence(result)
    _pictures_not_read(result)
    return result


def _low_confidence(result: ParseResult) -> None:
    """Every number recognised from an image (a scan, a picture of a table) below the confidence bar is a problem."""
    from .readers.ocr import low_confidence_problems

    for fact, why in low_confidence_problems(result.facts):
        result.problems.append(Problem("ocr_low_confidence", fact.section, fact.row, f"{fact.column}: {why}"))


def _pictures_not_read(result: ParseResult) -> None:
    """A page whose tables may be pictures that were not at hand (not fetched, unreadable) and that did not
    read completely says so: its missing numbers are not absent from the report, only unread."""
    meta = result.report.page_meta
    missing = int(meta.get("body_images_missing") or 0)
    unreadable = meta.get("body_images_unreadable")
    if (missing or unreadable) and not _reads_completely(result):
        what = []
        if missing:
            what.append(f"{missing} picture(s) of the article body were not available to read")
        if unreadable:
            what.append(f"unreadable pictures: {unreadable}")
        result.problems.append(Problem("image_not_read", None, None, "; ".join(what) + ": tables printed as pictures are not read"))


def _ocr_pass(data: bytes, path: str, meta: ReportMeta, **provenance: str | None) -> ParseResult:
    """A PDF without a text layer, read by OCR (:mod:`parsers.readers.ocr`); every number read with low
    confidence is a recorded problem, and the identities are checked as for any report."""
    from .readers.ocr import read_pdf_ocr

    try:
        doc = read_pdf_ocr(data, meta.page_meta)
    except PdfError as e:
        return ParseResult(path, meta, errors=[f"cannot read: {e}"])
    if not any(ln.text.strip() for ln in doc.lines):
        return ParseResult(path, meta, errors=["needs_ocr: the PDF has no text layer and OCR found no text in it"])
    try:
        result = parse_document(doc, path, source_path=path or None, sha256=meta.sha256, **provenance)
    except NotAReport as e:
        return ParseResult(path, meta, errors=[str(e)])
    _low_confidence(result)
    result.report.page_meta["pdf_reader"] = "ocr"
    return result


def _reads_completely(r: ParseResult) -> bool:
    return bool(r.facts) and not r.problems and all(c.passed for c in r.checks)


def _pdf_layout_pass(data: bytes, path: str, sha: str, fast: ParseResult, **provenance: str | None) -> ParseResult:
    """The PDF did not read completely from its text: read it again with full layout analysis."""
    try:
        doc = read_pdf_layout(data)
        doc.meta.update({k: v for k, v in fast.report.page_meta.items() if k.startswith("pdf_") or k == "pages"})
        slow = parse_document(doc, path, source_path=path or None, sha256=sha, **provenance)
    except (PdfError, NotAReport) as e:
        fast.problems.append(Problem("reader", None, None, f"layout analysis failed, text-only result kept: {e}"))
        return fast
    slow.report.page_meta["pdf_reader"] = "layout"
    better = min((slow, fast), key=lambda r: (len(r.problems), -len(r.facts), r is fast))
    return better
