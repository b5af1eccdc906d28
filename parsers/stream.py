"""A document as one normalized character stream, split into label text and value tokens.

Real reports break labels over lines, stack them one character per line, put spaces inside them and
mix them with page footers.  So labels are matched on a *key* form of the text — Chinese characters
only, with enumerators (``（三）``, ``一、``, ``1.``) and every value token cut out — and each value
token remembers where in that key it was printed.  The table walker then reads "label, its values,
next label" in key order, whatever the line layout was.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from functools import cache

import opencc

from .document import Document, Location
from .values import _TABLE, NOTE_RE, NULL_RE, VALUE_RE, clean_note, to_number

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff〇]")
_ENUM_RE = re.compile(
    r"\(\s*[一二三四五六七八九十]{1,3}\s*\)"
    r"|(?:(?<=^)|(?<=[\s|]))[一二三四五六七八九十]{1,3}\s*[、.]",
    re.M,
)


@dataclass
class Token:
    """A value slot: a number, an explicit "no number", or a blank cell of an exact grid."""

    kind: str  # "value" | "null" | "blank"
    start: int  # offset in the normalized stream
    end: int
    key_pos: int  # position in the key form (which label it follows)
    value: int | float | None = None
    sign: str | None = None
    unit: str | None = None
    note: str | None = None
    line: int = 0  # index of the document line where it starts
    cell: int = 0  # index of the cell in that line


@dataclass
class Stream:
    doc: Document
    norm: str
    orig: str
    norm_to_orig: list[int]
    char_line: list[int]  # document line index of each normalized char
    char_cell: list[int]
    line_spans: list[tuple[int, int]]
    cell_spans: list[list[tuple[int, int]]]

    def raw(self, start: int, end: int) -> str:
        """The text as printed between two normalized offsets."""
        if end <= start:
            return ""
        return self.orig[self.norm_to_orig[start] : self.norm_to_orig[end - 1] + 1].strip()

    def location(self, offset: int) -> Location:
        li = self.char_line[min(offset, len(self.char_line) - 1)] if self.char_line else 0
        line = self.doc.lines[li]
        ci = self.char_cell[min(offset, len(self.char_cell) - 1)]
        base = line.cells[ci].loc if ci < len(line.cells) else line.loc
        return base


_WRAPPED = re.compile(r"(?<=[0-9０-９,，.．])[ \t]*\n\s*(?=[0-9０-９])")


def _wrapped_digit_breaks(text: str) -> set[int]:
    if "\n" not in text:
        return set()
    return {k for m in _WRAPPED.finditer(text) for k in range(m.start(), m.end())}


def build_stream(doc: Document) -> Stream:
    """The document as one normalized string (cells joined by tabs, lines by newlines).

    Normalization is one character for one (:func:`parsers.values.normalize`), so offsets map back
    to the printed text directly, except where a number wrapped inside a grid cell is re-joined.
    """
    norm_parts: list[str] = []
    orig_parts: list[str] = []
    n2o: list[int] = []
    char_line: list[int] = []
    char_cell: list[int] = []
    line_spans: list[tuple[int, int]] = []
    cell_spans: list[list[tuple[int, int]]] = []
    npos = 0
    opos = 0
    for li, line in enumerate(doc.lines):
        lstart = npos
        spans: list[tuple[int, int]] = []
        for ci, cell in enumerate(line.cells):
            text = cell.text
            if ci:
                text = "\t" + text
            drop = _wrapped_digit_breaks(text) if line.exact else set()
            if drop:
                kept = [k for k in range(len(text)) if k not in drop]
                ntext = "".join(text[k] for k in kept).translate(_TABLE)
                n2o.extend(opos + k for k in kept)
            else:
                ntext = text.translate(_TABLE)
                n2o.extend(range(opos, opos + len(text)))
            cstart = npos + (1 if ci else 0)
            norm_parts.append(ntext)
            orig_parts.append(text)
            char_line.extend([li] * len(ntext))
            char_cell.extend([ci] * len(ntext))
            npos += len(ntext)
            opos += len(text)
            spans.append((cstart, npos))
        line_spans.append((lstart, npos))
        cell_spans.append(spans)
        norm_parts.append("\n")
        orig_parts.append("\n")
        n2o.append(opos)
        char_line.append(li)
        char_cell.append(max(len(line.cells) - 1, 0))
        npos += 1
        opos += 1
    return Stream(doc, "".join(norm_parts), "".join(orig_parts), n2o, char_line, char_cell, line_spans, cell_spans)


@dataclass
class Region:
    """A slice of the stream tokenized for one table: its key form and its value tokens."""

    stream: Stream
    start: int
    end: int
    key: str = ""
    key_to_norm: list[int] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    # exact grid lines in the region: line index -> list of per-cell slot tokens after the labels
    exact_slots: dict[int, list[Token]] = field(default_factory=dict)


def _find_tokens(text: str, base: int) -> list[tuple[int, int, str, re.Match[str] | None, str | None]]:
    """(start, end, kind, match, note) for every value and null token in ``text``."""
    found: list[tuple[int, int, str, re.Match[str] | None, str | None]] = []
    for m in VALUE_RE.finditer(text):
        end = m.end()
        note = None
        n = NOTE_RE.match(text, end)
        if n:
            note = clean_note(n.group("note"))
            if note is not None:
                end = n.end()
        found.append((base + m.start(), base + end, "value", m, note))
    for m in NULL_RE.finditer(text):
        found.append((base + m.start(), base + m.end(), "null", None, None))
    found.sort(key=lambda t: t[0])
    # drop overlaps (a null dash inside a note, say)
    out: list[tuple[int, int, str, re.Match[str] | None, str | None]] = []
    last = -1
    for t in found:
        if t[0] >= last:
            out.append(t)
            last = t[1]
    return out


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff〇]+")


def _none_cells(stream: Stream, start: int, end: int) -> list[tuple[int, int, str, re.Match[str] | None, str | None]]:
    """A cell of a table row that reads just 无 ("none") is "no number" too.

    Only a whole cell of a multi-cell line: a lone 无 on a line of its own is as likely the first
    character of a label stacked one character per line (无/法/提/供).
    """
    out: list[tuple[int, int, str, re.Match[str] | None, str | None]] = []
    for spans in stream.cell_spans:
        if len(spans) < 2:
            continue
        for s, e in spans:
            if s >= start and e <= end and stream.norm[s:e].strip() == "无":
                k = s + stream.norm[s:e].index("无")
                out.append((k, k + 1, "null", None, None))
    return out


# A label's annotation printed in brackets right after it in its cell, as annotated templates print them:
# 规章（设区的市、自治州人民政府应提供相关数据）, 其他对外管理服务事项（指行政许可以外的政务服务事项，含行政确认、…）.
_ANNOTATION = re.compile(r"(?<=[\u4e00-\u9fff])[ ]*\((?P<inside>[^()\n\t]{10,300})\)")


def _is_annotation(inside: str) -> bool:
    """Long enough to be an explanation, not a unit (（单位：万元）) or a short qualifier (（历史累计）), and naming no unit
    (an amount column's 元 or 万元 must stay in its label); the identity note of the applications table is its own cell."""
    return len(_CJK.findall(inside)) >= 10 and "元" not in inside and not inside.lstrip().startswith("本列数据")


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(key: str) -> str:
    """The key in simplified characters, one for one, so that a label printed in traditional characters
    (申請人情況, 屬於國家秘密) is read by the same patterns and its positions still map to the print.

    OpenCC's table of traditional characters; the rare conversion that is not one character for one
    (a phrase rule) is done character by character instead.
    """
    out = _t2s().convert(key)
    if len(out) == len(key):
        return out
    return "".join(c if len(t := _t2s().convert(c)) != 1 else t for c in key)


def tokenize(stream: Stream, start: int, end: int) -> Region:
    region = Region(stream, start, end)
    text = stream.norm[start:end]
    found = _find_tokens(text, start) + _none_cells(stream, start, end)
    found.sort(key=lambda t: t[0])
    excluded = [(s - start, e - start) for s, e, *_ in found]
    excluded += [m.span() for m in _ENUM_RE.finditer(text)]
    excluded += [m.span() for m in _ANNOTATION.finditer(text) if _is_annotation(m.group("inside"))]
    excluded.sort()

    # the key: runs of Chinese characters, minus what belongs to tokens and enumerators
    key_parts: list[str] = []
    k2n: list[int] = []
    xi = 0
    for m in _CJK_RUN.finditer(text):
        s, e = m.span()
        while xi < len(excluded) and excluded[xi][1] <= s:
            xi += 1
        j = xi
        pos = s
        while pos < e:
            if j < len(excluded) and excluded[j][0] < e:
                xs, xe = excluded[j]
                if xs > pos:
                    key_parts.append(text[pos:xs])
                    k2n.extend(range(start + pos, start + xs))
                pos = max(pos, xe)
                j += 1
            else:
                key_parts.append(text[pos:e])
                k2n.extend(range(start + pos, start + e))
                pos = e
    region.key = simplified("".join(key_parts))
    region.key_to_norm = k2n

    for s, e, kind, m, note in found:
        tok = Token(kind, s, e, bisect.bisect_left(k2n, s), line=stream.char_line[s], cell=stream.char_cell[s], note=note)
        if kind == "value" and m is not None:
            tok.sign = m.group("sign")
            tok.unit = m.group("unit")
            tok.value = to_number(m.group("num"), tok.sign)
        region.tokens.append(tok)
    _exact_slots(region)
    return region


def _exact_slots(region: Region) -> None:
    """For lines of a real grid, one slot per cell after the last label cell (blank cells included)."""
    stream = region.stream
    lines = {t.line for t in region.tokens}
    by_cell: dict[tuple[int, int], list[Token]] = {}
    for t in region.tokens:
        by_cell.setdefault((t.line, t.cell), []).append(t)
    first_line = stream.char_line[region.start] if region.start < len(stream.char_line) else 0
    last_line = stream.char_line[max(region.end - 1, 0)] if stream.char_line else 0
    for li in range(first_line, last_line + 1):
        line = stream.doc.lines[li]
        if not line.exact:
            continue
        spans = stream.cell_spans[li]
        last_label = -1
        for ci, (s, e) in enumerate(spans):
            if s < region.start or e > region.end or line.cells[ci].covered:
                continue
            cell = stream.norm[s:e]
            tokens_here = by_cell.get((li, ci), [])
            stripped = cell
            for t in tokens_here:
                stripped = stripped.replace(stream.norm[t.start : t.end], " ")
            if _CJK.search(_ENUM_RE.sub("", stripped)):
                last_label = ci
        slots: list[Token] = []
        ok = True
        for ci in range(last_label + 1, len(spans)):
            s, e = spans[ci]
            if s < region.start or e > region.end or line.cells[ci].covered:
                continue
            tokens_here = by_cell.get((li, ci), [])
            if len(tokens_here) == 1:
                slots.append(tokens_here[0])
            elif not tokens_here and not stream.norm[s:e].strip():
                key_pos = _key_pos_at(region, s)
                slots.append(Token("blank", s, s, key_pos, line=li, cell=ci))
            else:
                ok = False  # a cell with two numbers, or with text that is neither
        if ok and (slots or li in lines):
            region.exact_slots[li] = slots


def _key_pos_at(region: Region, norm_pos: int) -> int:
    return bisect.bisect_left(region.key_to_norm, norm_pos)


def token_raw(stream: Stream, tok: Token) -> str:
    return stream.raw(tok.start, tok.end)


__all__ = ["Stream", "Region", "Token", "build_stream", "tokenize", "token_raw"]
