"""What a folder of documents holds, read by content: the documents to parse and what was skipped, with why.

Portals save reports under any name (``downfile.jsp``, ``P020230131.pdf``, no extension at all), so a
file's name never decides whether it is read; its first bytes do (:func:`parsers.media.sniff`).
Nothing is skipped silently: every file left out is listed with its reason.  A source that is
missing, unreadable or holds no document at all is a :class:`SourceError`, raised before anything
is changed — a typo in a path must never replace a dataset with an empty one.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from parsers.media import HTML, UnreadableDocument, decode_text, local_target, sniff
from parsers.media import is_picture as _picture_head
from parsers.media import why_not_a_document as _why_not

HEAD = 8192  # enough to tell a document's medium


class SourceError(Exception):
    """A source of documents that cannot be used: nothing was read, nothing was changed."""


@dataclass
class Listing:
    folder: Path
    documents: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    pictures: list[Path] = field(default_factory=list)  # images: read with the HTML page that shows them
    shown: dict[Path, list[Path]] = field(default_factory=dict)  # HTML document -> the pictures it shows, in page order
    unshown: list[Path] = field(default_factory=list)  # pictures no page shows: listed, but no document was lost

    @property
    def skipped_files(self) -> int:
        """Files skipped that could have been documents (empty, unreadable, special, of no document type): each makes
        the exit status 1; a picture no page shows is listed but is no document lost."""
        return sum(1 for p, _why in self.skipped if p not in self.unshown)

    def _pictures_of(self, page: Path) -> list[Path]:
        """The pictures of the folder that the HTML page shows (by relative ``src``), in page order."""
        from parsers.readers.html import body_images

        try:
            text = decode_text(page.read_bytes())
        except (OSError, UnreadableDocument):
            return []
        here = set(self.pictures)
        out: list[Path] = []
        for src in body_images(text):
            target = local_target(page, src)
            if target in here and target not in out:
                out.append(target)
        return out

    def describe_skipped(self, limit: int = 20) -> list[str]:
        lines = [f"  skipped {p.relative_to(self.folder) if p.is_relative_to(self.folder) else p}: {why}" for p, why in self.skipped[:limit]]
        if len(self.skipped) > limit:
            lines.append(f"  … and {len(self.skipped) - limit} more skipped")
        return lines


def is_picture(path: Path) -> bool:
    """A PNG, JPEG, GIF, BMP or WebP file (by its first bytes): part of a page, not a document of its own."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return _picture_head(head)


def why_not_a_document(path: Path) -> str | None:
    """None when the file holds a document any reader takes (PDF, Word, WPS, HTML, text); else the reason."""
    if path.name.startswith("."):
        return "hidden file"
    try:
        with path.open("rb") as f:
            head = f.read(HEAD)
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    return _why_not(head, path.name, cut=len(head) == HEAD)


def printable_text(s: str) -> str:
    """``s`` as valid UTF-8: the bytes of a file name that is not (os.fsdecode's surrogates) escaped as ``\\xff``."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return os.fsencode(s).decode("utf-8", "backslashreplace")


def not_a_regular_file(p: Path) -> str | None:
    """Why ``p`` is no file to read (never opened: a FIFO would block, a device never end), or None."""
    try:
        st = os.stat(p)  # follows links
    except OSError as e:
        if os.path.islink(p):
            return "a link to nothing (a loop, or its target is missing)" if e.errno in (errno.ELOOP, errno.ENOENT) else f"cannot read: {e.strerror or e}"
        return f"cannot read: {e.strerror or e}"
    if stat.S_ISREG(st.st_mode):
        return None
    kind = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}
    return f"not a regular file ({kind.get(stat.S_IFMT(st.st_mode), 'special file')})"


def list_folder(folder: Path) -> Listing:
    """Every file under ``folder`` (recursively, in name order), sorted into documents and skipped files."""
    if not folder.exists():
        raise SourceError(f"no such folder: {folder}")
    if not folder.is_dir():
        raise SourceError(f"not a folder: {folder}")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise SourceError(f"cannot read the folder {folder}: permission denied")
    listing = Listing(folder)
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=errors.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            odd = not_a_regular_file(p)
            if odd:
                listing.skipped.append((p, odd))
                continue
            if is_picture(p):
                listing.pictures.append(p.resolve())
                continue
            why = why_not_a_document(p)
            (listing.skipped.append((p, why)) if why else listing.documents.append(p))
    for e in errors:
        listing.skipped.append((Path(e.filename or folder), f"cannot read: {e.strerror or e}"))
    listing.documents.sort()
    if listing.pictures:
        for page in listing.documents:
            with page.open("rb") as f:
                if sniff(f.read(HEAD), page.name) == HTML:
                    listing.shown[page] = listing._pictures_of(page)
        shown = {pic for pics in listing.shown.values() for pic in pics}
        listing.unshown = [pic for pic in listing.pictures if pic not in shown]
        listing.skipped += [(pic, "a picture no HTML page of the folder shows") for pic in listing.unshown]
        listing.pictures = [pic for pic in listing.pictures if pic in shown]
    return listing


def documents_in(folder: Path) -> Listing:
    """:func:`list_folder`, and a :class:`SourceError` when it holds no document at all."""
    listing = list_folder(folder)
    if not listing.documents:
        detail = f" ({len(listing.skipped)} file(s) skipped: {listing.skipped[0][1]}, …)" if listing.skipped else ""
        raise SourceError(f"no report documents in {folder}{detail}")
    return listing
