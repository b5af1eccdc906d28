"""The pictures an archived HTML page shows, handed to the parser by the ``src`` the page writes.

A spider fetches the pictures of a report's body along with the page (manifest rows of kind ``image``
whose referer is the page); the parser reads tables printed as pictures where they stand
(:func:`parsers.readers.html.parse_html`).  The page names a picture by a relative or absolute ``src``;
it is resolved against the page's URL and normalised the way the spider recorded it, so the archived
bytes are found whatever form the page wrote the address in.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urljoin

from w3lib.url import safe_url_string


class Pictures:
    """An image source for one page: ``pictures(src)`` is the archived bytes, or None when not archived."""

    def __init__(self, page_url: str | None, images: tuple[tuple[str, str], ...]) -> None:
        self.page_url = page_url or ""
        self.paths = {safe_url_string(url): path for url, path in images}

    def __call__(self, src: str) -> bytes | None:
        path = self.paths.get(safe_url_string(urljoin(self.page_url, src)))
        if path is None:
            return None
        try:
            return Path(path).read_bytes()
        except OSError:
            return None

    def key(self, page_sha: str) -> str:
        """The cache key of the page read with these pictures (their archive paths are content addresses)."""
        h = hashlib.sha256(page_sha.encode())
        for url, path in sorted(self.paths.items()):
            h.update(f"\x1f{url}\x1e{Path(path).name}".encode())
        return h.hexdigest()
