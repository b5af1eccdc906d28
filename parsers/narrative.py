"""How much of a report's narrative is repeated from the same body's previous report: per section, a signature.

The measure is the standard one for near-duplicate text (Broder, "On the resemblance and containment of
documents", 1997): each section's prose as the set of its character 5-grams (shingles, whitespace removed),
summarised by a 64-permutation MinHash signature.  Two signatures estimate the Jaccard similarity J of the two
sets (the share of positions where they agree); the share of this year's shingles found in last year's text —
the *containment*, what "boilerplate" means here — follows from J and the two set sizes:
C = J·(|A| + |B|) / ((1 + J)·|A|).  Only the signatures and sizes are kept (512 characters a section), never
the text itself.  The comparison is made in the warehouse (``v_boilerplate``), per body and consecutive years.
"""

from __future__ import annotations

import hashlib
import re
import zlib

from .document import Document
from .statements import Prose, prose_lines

SHINGLE = 5
PERMUTATIONS = 64
MIN_CHARS = 40  # a section shorter than this (a heading, 无) has no measurable boilerplate
_PRIME = (1 << 61) - 1
_HEADING = re.compile(r"^[#\s]*[一二三四五六七八九十]{1,2}\s*[、.．]")
SECTIONS = (  # heading words -> section code (the national template's six parts)
    ("overview", re.compile(r"总体情况")),
    ("proactive", re.compile(r"主动公开")),
    ("applications", re.compile(r"收到和处理|依申请")),
    ("reviews", re.compile(r"行政复议|行政诉讼")),
    ("problems", re.compile(r"存在的主要问题|改进情况")),
    ("other", re.compile(r"其他需要报告")),
)


def _permutations() -> list[tuple[int, int]]:
    """Fixed (a, b) pairs from a fixed seed: the same signatures on every machine and run."""
    out = []
    for i in range(PERMUTATIONS):
        d = hashlib.sha256(f"xxgk-minhash-{i}".encode()).digest()
        out.append((int.from_bytes(d[:4], "big") | 1, int.from_bytes(d[4:8], "big")))
    return out


_AB = _permutations()


def sections(doc: Document, prose: Prose | None = None) -> dict[str, str]:
    """The prose of each of the report's six parts (tables left out), by section code; ``prose`` is the document's
    :func:`~parsers.statements.prose_lines` when the caller has them already."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for _line, text in prose if prose is not None else prose_lines(doc):
        if text is None:
            continue
        if _HEADING.match(text) and len(text) < 40:
            current = next((code for code, rx in SECTIONS if rx.search(text)), None)
            continue
        if current:
            out.setdefault(current, []).append(text)
    return {k: "".join(v) for k, v in out.items()}


def signature(text: str) -> tuple[int, int, str] | None:
    """(characters, shingles, MinHash signature as 64 × 8 hex digits) of a section's prose; None when too short."""
    import numpy as np

    compact = "".join(text.split())
    if len(compact) < MIN_CHARS:
        return None
    shingles = {compact[i:i + SHINGLE] for i in range(len(compact) - SHINGLE + 1)}
    # CRC-32 of each shingle (stable on every machine, unlike hash(); a seventh of blake2b's cost here), then the
    # 64 permutations as universal hashes (a·h + b) mod a Mersenne prime, all at once
    h = np.array([zlib.crc32(s.encode()) for s in shingles], dtype=np.uint64)
    a = np.array([x for x, _ in _AB], dtype=np.uint64)[:, None]
    b = np.array([y for _, y in _AB], dtype=np.uint64)[:, None]
    mins = ((a * h[None, :] + b) % np.uint64(_PRIME)).min(axis=1) & np.uint64(0xFFFFFFFF)
    return len(compact), len(shingles), "".join(f"{int(v):08x}" for v in mins)


def narrative_signatures(doc: Document, prose: Prose | None = None) -> dict[str, list]:
    """Per section with enough prose: [characters, shingles, signature]."""
    out = {}
    for code, text in sections(doc, prose).items():
        sig = signature(text)
        if sig:
            out[code] = list(sig)
    return out


def read_in_full(signatures: dict[str, list], table_sections: set[str], meta: dict) -> dict[str, list]:
    """The signatures of the sections whose prose was read in full.

    A scan read table-first (``readers/ocr_cells.py``) leaves the prose after its last table unrecognised and says so
    (``ocr_pages_not_read`` / ``ocr_text_not_read``): a section there would be signed from part of its text, and its
    boilerplate estimate would be wrong.  Only the sections before the section of the last table read are whole —
    in the national template's order, every one of them ends before that table is printed."""
    if not (meta.get("ocr_pages_not_read") or meta.get("ocr_text_not_read")):
        return signatures
    order = [code for code, _ in SECTIONS]
    last = max((order.index(s) for s in table_sections if s in order), default=0)
    return {code: sig for code, sig in signatures.items() if order.index(code) < last}


def estimated_jaccard(a: str, b: str) -> float:
    """The share of the 64 MinHash positions where two signatures agree (the Jaccard estimate)."""
    n = len(a) // 8
    return sum(a[i * 8:(i + 1) * 8] == b[i * 8:(i + 1) * 8] for i in range(n)) / n
