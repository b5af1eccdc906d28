"""Bad documents get a clear error of their own, fast, and never stop the batch."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from parsers import media
from parsers.readers import word
from pipelines.parallel import parse_many
from synth.layout import MediaStyle, build
from synth.media import render_docx, render_pdf
from synth.model import from_golden

from .conftest import GOLDENS, SEEDS, WORD97_FIXTURES, load_golden


def _scanned_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle("乐清市人民政府办公室2023年政府信息公开工作年度报告")
    for _ in range(2):
        for i in range(40):  # "scanned" lines of text: shapes, no text layer
            c.rect(60, 780 - i * 18, 400 - (i % 7) * 30, 8, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption("user-secret", ownerPassword="owner-secret", strength=128)
    c = canvas.Canvas(buf, encrypt=enc)
    c.drawString(100, 700, "annual report")
    c.save()
    return buf.getvalue()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    return buf.getvalue()


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    good_pdf = render_pdf(build(from_golden(load_golden(GOLDENS[0])), MediaStyle()))
    files = {
        "empty": (d / "empty.pdf", b""),
        "html_without_report": (d / "news.html", "<html><body><div id='zoom'><p>市领导调研工作</p></div></body></html>".encode()),
        "html_without_body_text": (d / "blank.html", b"<html><body><div id='zoom'>   </div></body></html>"),
        "scanned_pdf": (d / "scan.pdf", _scanned_pdf()),
        "encrypted_pdf": (d / "secret.pdf", _encrypted_pdf()),
        "truncated_pdf": (d / "cut.pdf", good_pdf[: len(good_pdf) // 3]),
        "corrupt_pdf": (d / "noise.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40),
        "zip_bomb_docx": (d / "bomb.docx", _zip_bomb()),
        "corrupt_docx": (d / "bad.docx", b"PK\x03\x04" + b"\x00" * 200),
    }
    out = {}
    for name, (path, data) in files.items():
        path.write_bytes(data)
        out[name] = path
    huge = d / "huge.pdf"
    with huge.open("wb") as f:  # 200 MB, sparse
        f.write(b"%PDF-1.7\n")
        f.truncate(200 * 1024 * 1024)
    out["200MB"] = huge
    return out


EXPECTED = {
    "empty": "empty document",
    "html_without_report": "not an annual information-disclosure report",
    "html_without_body_text": "no text in its article body",
    "scanned_pdf": "needs_ocr",
    "encrypted_pdf": "encrypted PDF",
    "truncated_pdf": "PDF",
    "corrupt_pdf": "corrupt or truncated PDF",
    "zip_bomb_docx": "zip bomb",
    "corrupt_docx": "corrupt DOCX",
    "200MB": "over the",
}


# a PDF without a text layer is read by OCR, page by page (several seconds a page, one thread), before it can
# say that no text was found: the image of its two pages holds only bars
SECONDS = {"scanned_pdf": 60}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_document_has_a_clear_error_within_seconds(bad_files, name: str) -> None:
    t = time.perf_counter()
    result = media.parse_path(bad_files[name])
    elapsed = time.perf_counter() - t
    assert elapsed < SECONDS.get(name, 5), elapsed
    if name == "truncated_pdf" and not result.errors:
        # a PDF cut short may still give up its first pages; then it must say what is missing
        assert result.problems
        return
    assert result.errors, name
    assert EXPECTED[name] in result.errors[0], result.errors
    assert result.report.sha256 or name == "200MB"


def test_scanned_pdf_keeps_its_metadata(bad_files) -> None:
    result = media.parse_path(bad_files["scanned_pdf"])
    assert result.errors[0].startswith("needs_ocr")
    assert result.report.page_meta["pdf_title"] == "乐清市人民政府办公室2023年政府信息公开工作年度报告"
    assert result.report.page_meta["pages"] == "2"


def test_a_batch_goes_on_past_every_bad_document(bad_files) -> None:
    paths = [*bad_files.values(), SEEDS[0]]
    results = parse_many(paths)
    assert [r.path for r in results] == [str(p) for p in paths]
    assert results[-1].errors == [] and len(results[-1].facts) == 200


def _rename_stream(data: bytes, old: str, new: str) -> bytes:
    """The OLE file with one directory entry renamed (a 128-byte entry: 64 bytes of UTF-16 name, then its length)."""
    out = bytearray(data)
    at = out.find((old + "\x00").encode("utf-16-le"))
    name = (new + "\x00").encode("utf-16-le")
    out[at : at + 64] = name.ljust(64, b"\x00")
    out[at + 64 : at + 66] = len(name).to_bytes(2, "little")
    return bytes(out)


def test_ole_files_that_are_not_word_97_say_what_they_are() -> None:
    """A bare OLE header, a Microsoft Works file (same .wps name, another format) and an encrypted Word file each
    get their own clear error, never a half-read."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000
    assert media.parse_bytes(ole, "report.wps").errors[0].startswith("cannot read: corrupt DOC/WPS: not a readable OLE compound file")
    real = WORD97_FIXTURES[0].read_bytes()
    works = media.parse_bytes(_rename_stream(real, "WordDocument", "MN0"), "works.wps")
    assert works.errors == ["cannot read: a Microsoft Works document (not Word or WPS Office): save it as .docx"]
    encrypted = bytearray(real)
    fib = real.find(b"\xec\xa5")  # the FIB's wIdent, at the start of the WordDocument stream
    encrypted[fib + 0x0B] |= 0x01  # fEncrypted (0x0100 of the flags word at 0x0A)
    assert media.parse_bytes(bytes(encrypted), "secret.doc").errors == ["cannot read: encrypted DOC: a password is needed to read it"]


def test_docx_is_read_by_content() -> None:
    data = render_docx(build(from_golden(load_golden(GOLDENS[2])), MediaStyle()))
    assert media.sniff(data, "x.bin") == word.DOCX


def test_damaged_word97_files_fail_alone_with_a_reason() -> None:
    """Truncated or bit-flipped Word 97 files: each one parses or ends in a recorded error, never an exception."""
    import random

    real = WORD97_FIXTURES[0].read_bytes()
    rng = random.Random(5)
    damaged = [real[:n] for n in (600, 4096, len(real) // 2, len(real) - 512)]
    for _ in range(40):
        b = bytearray(real)
        for _ in range(rng.randint(1, 30)):
            b[rng.randrange(512, len(b))] = rng.randrange(256)
        damaged.append(bytes(b))
    for data in damaged:
        result = media.parse_bytes(data, "damaged.doc")
        assert result.ok or result.errors, "neither facts nor a reason"
    assert all(media.parse_bytes(d, "d.doc").errors for d in damaged[:2])
