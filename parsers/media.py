"""From bytes on disk to a :class:`Document`: pick the reader by content, decode text honestly."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .document import Document, from_text
from .model import ParseResult, ReportMeta
from .report import NotAReport, parse_document

MAX_BYTES = 64 * 1024 * 1024  # no annual report is larger; refuse before reading it all


class UnreadableDocument(ValueError):
    """The bytes cannot be read as any supported medium."""


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


def sniff(data: bytes, name: str = "") -> str:
    """The medium by content first (a PDF saved as .html is still a PDF), then by extension."""
    head = data[:2048].lstrip()
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "application/msword"
    low = head[:512].lower()
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low or b"<body" in low:
        return "text/html"
    return "text/plain"


def read_document(data: bytes, name: str = "") -> Document:
    media = sniff(data, name)
    if media != "text/plain":
        raise UnreadableDocument(f"{media} documents are not supported yet")
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("binary data, not text")
    doc = from_text(decode_text(data))
    doc.media_type = media
    return doc


def parse_path(path: str | Path, **provenance: str | None) -> ParseResult:
    """Parse one file; every failure becomes an error on the result, never an exception."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise UnreadableDocument(f"file is {size} bytes, over the {MAX_BYTES}-byte limit")
        data = p.read_bytes()
    except (OSError, UnreadableDocument) as e:
        return ParseResult(str(path), ReportMeta(source_path=str(path)), errors=[f"cannot read: {e}"])
    return parse_bytes(data, str(path), **provenance)


def parse_bytes(data: bytes, path: str = "", **provenance: str | None) -> ParseResult:
    sha = hashlib.sha256(data).hexdigest()
    meta = ReportMeta(source_path=path or None, sha256=sha)
    if not data.strip():
        return ParseResult(path, meta, errors=["empty document"])
    try:
        doc = read_document(data, path)
    except UnreadableDocument as e:
        return ParseResult(path, meta, errors=[f"cannot read: {e}"])
    try:
        return parse_document(doc, path, source_path=path or None, sha256=sha, **provenance)
    except NotAReport as e:
        meta.media_type = doc.media_type
        return ParseResult(path, meta, errors=[str(e)])
