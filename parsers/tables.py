"""Reading the three statistical tables by meaning: find labels, then place the numbers after them.

The walker goes through one table's labels and value tokens in the order they were printed (in key
order, so a label broken by its own numbers still owns them).  A row owns the numbers printed after
its label and before the next label; its columns are those of the header in force above it.

Placing numbers is where silent errors would come from, so the rule is strict: numbers are placed
only when the placement is certain —
- on an exact grid (HTML/Word table, well-formed Markdown table) the value columns are the last
  cells of the row, blank cells included;
- otherwise the row must print exactly one number (or "no number" mark) per column, or every
  possible placement must give the same facts (sixteen zeros under fifteen columns).
Anything else leaves the row's facts out and says why.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .model import Fact, Problem
from .stream import Region, Token, token_raw
from .templates import Label, SectionTemplate
from .values import convert_amount


@dataclass(frozen=True)
class Column:
    """A header column: its code, the amount unit its label prints, and its grid position if any."""

    code: str
    unit: str | None = None
    grid: int | None = None  # the exact grid the header cell is in
    cell: int | None = None  # the grid column of the header cell


@dataclass
class _Row:
    code: str
    label: Label
    key_start: int
    key_end: int
    columns: list[Column]
    slots: list[Token] = field(default_factory=list)
    group: bool = False


@dataclass
class SectionResult:
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_found: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


@dataclass
class _Event:
    key_pos: int
    order: int  # tokens before labels at the same key position
    label: Label | None = None
    key_end: int = 0
    text: str = ""  # unmapped label text
    token: Token | None = None


def _events(region: Region, template: SectionTemplate, k0: int, k1: int) -> list[_Event]:
    key = region.key
    events: list[_Event] = []
    covered = k0
    for m in template.matcher.finditer(key, k0, k1):
        if m.start() > covered:
            events.append(_Event(covered, 1, text=key[covered : m.start()]))
        events.append(_Event(m.start(), 1, label=template.label_of(m), key_end=m.end()))
        covered = m.end()
    if covered < k1:
        events.append(_Event(covered, 1, text=key[covered:k1]))
    toks = region.tokens
    lo = bisect.bisect_right([t.key_pos for t in toks], k0)
    for t in toks[lo:]:
        if t.key_pos > k1:
            break
        events.append(_Event(t.key_pos, 0, token=t))
    for slots in region.exact_slots.values():
        for t in slots:
            if t.kind == "blank" and k0 < t.key_pos <= k1:
                events.append(_Event(t.key_pos, 0, token=t))
    events.sort(key=lambda e: (e.key_pos, e.order, e.token.start if e.token else 0))
    return _absorb_short_labels(events, key)


def _absorb_short_labels(events: list[_Event], key: str) -> list[_Event]:
    """总计 / 其他 inside unknown wording (转送其他机关处理) are part of that wording, not labels."""
    words = [e for e in events if e.token is None and e.label is None and len(e.text) >= 2]
    text_ends = {e.key_pos + len(e.text) for e in words}
    text_starts = {e.key_pos for e in words}
    merged: list[_Event] = []
    for e in events:
        if e.label is not None and e.label.alt is not None and (e.key_pos in text_ends or e.key_end in text_starts):
            e = _Event(e.key_pos, 1, text=key[e.key_pos : e.key_end])
        last = merged[-1] if merged else None
        if (
            e.token is None
            and e.label is None
            and last is not None
            and last.token is None
            and last.label is None
            and last.key_pos + len(last.text) == e.key_pos
        ):
            last.text += e.text
            continue
        merged.append(e)
    return merged


def read_section(region: Region, template: SectionTemplate, k0: int, k1: int) -> SectionResult:
    """Read one table between key positions ``k0`` and ``k1`` of the document's region."""
    result = SectionResult()
    header: list[Column] = []
    groups: list[str] = []
    rows_since_header = False
    current: _Row | None = None
    implicit: list[Token] = []
    orphans: list[Token] = []
    seen: set[str] = set()

    events = _events(region, template, k0, k1)

    def flush(next_kind: str | None) -> None:
        nonlocal current
        row = current
        current = None
        if row is None:
            return
        numbers = [t for t in row.slots if t.kind != "blank"]
        if row.group and not numbers:
            if row.code not in groups:  # a header group, not a row (named once, however often printed)
                groups.append(row.code)
            return
        if row.label.dual and not numbers and next_kind == "row":
            return  # 其他处理 as the category over the 2021 sub-rows
        _emit_row(region, template, row, row.columns, result, seen)

    for i, ev in enumerate(events):
        if ev.token is not None:
            if current is not None:
                current.slots.append(ev.token)
            elif template.implicit_row and (ev.token.kind != "blank" or implicit):
                implicit.append(ev.token)  # the reviews table's single row: blanks count once it began
            elif ev.token.kind != "blank":
                orphans.append(ev.token)
            continue
        if ev.label is None:
            # Text no template knows.  One stray character (a broken enumerator, a unit) is
            # harmless; more is a label we cannot read, so its numbers must not go to the row above.
            if len(ev.text) >= 2:
                flush(None)
                result.unmapped.append(ev.text)
            continue
        lab = ev.label
        kind, code = lab.kind, lab.code
        if lab.alt is not None and _acts_as_row(rows_since_header, events, i):
            kind, code = lab.alt
        if kind == "column":
            if not rows_since_header and not template.implicit_row and any(c.code == code for c in header):
                continue  # a merged header cell printed again (converters repeat them): one column
            flush(None)
            if rows_since_header:
                header = []
                rows_since_header = False
            header.append(_column(region, code or "", lab.unit, ev.key_pos))
        elif kind in ("row", "group"):
            if current is not None and current.code == code and not current.slots:
                continue  # the same label again before any number: a merged cell printed per column
            flush(kind)
            if kind == "row":
                rows_since_header = True
            columns = _ordered(header, template)
            current = _Row(code or "", lab, ev.key_pos, ev.key_end, columns, group=(kind == "group"))
        elif kind == "block":
            flush(None)
            header = []
            rows_since_header = False
        else:  # category, noise
            flush(kind)
    flush(None)

    if template.implicit_row and implicit:
        _emit_implicit(region, template, header, groups, implicit, result, seen)
    stray = [t for t in orphans if t.kind == "value"]
    if stray:
        raws = ", ".join(token_raw(region.stream, t) for t in stray[:8])
        result.problems.append(
            Problem("unplaced_numbers", template.section, None, f"{len(stray)} number(s) under no row label: {raws}")
        )
    for text in result.unmapped:
        result.problems.append(Problem("unmapped_label", template.section, None, f"label not in the vocabulary: {text[:40]}"))
    result.rows_found = sorted(seen)
    return result


def _column(region: Region, code: str, unit: str | None, key_pos: int) -> Column:
    pos = region.key_to_norm[key_pos]
    li = region.stream.char_line[pos]
    line = region.stream.doc.lines[li]
    if line.exact and line.grid is not None:
        return Column(code, unit, line.grid, region.stream.char_cell[pos])
    return Column(code, unit)


def _acts_as_row(rows_since_header: bool, events: list[_Event], i: int) -> bool:
    """总计 / 其他 name a column in the header and a row below it.

    They are the row once rows have started, or when numbers follow the label directly (a header
    cell is never followed by numbers); printed again inside the header they are a merged cell.
    """
    if rows_since_header:
        return True
    nxt = next((e for e in events[i + 1 :] if e.token is None or e.token.kind != "blank"), None)
    return nxt is not None and nxt.token is not None


def _ordered(header: list[Column], template: SectionTemplate) -> list[Column]:
    if header and all(c.cell is not None for c in header) and len({c.grid for c in header}) == 1:
        return sorted(header, key=lambda c: c.cell or 0)  # an exact grid says where each column is
    cols = [c for c in header if c.code not in template.pinned_last]
    cols += [c for c in header if c.code in template.pinned_last]
    return cols


def _by_grid_column(region: Region, slots: list[Token], columns: list[Column]) -> list[Token] | None:
    """On an exact grid whose header gave every column's position, each cell goes to its column."""
    lines = {t.line for t in slots}
    if len(lines) != 1 or any(c.cell is None for c in columns):
        return None
    (li,) = lines
    line = region.stream.doc.lines[li]
    cells = region.exact_slots.get(li)
    if cells is None or line.grid is None or any(c.grid != line.grid for c in columns):
        return None
    by_cell = {t.cell: t for t in cells}
    placed = [by_cell.get(c.cell) for c in columns if c.cell is not None]
    if any(t is None for t in placed) or len(placed) != len(columns):
        return None
    return [t for t in placed if t is not None]


def _place(region: Region, slots: list[Token], n: int) -> tuple[list[Token] | None, str]:
    numbers = [t for t in slots if t.kind != "blank"]
    lines = {t.line for t in slots}
    if len(lines) == 1:
        (li,) = lines
        cells = region.exact_slots.get(li)
        if cells is not None and {id(t) for t in numbers} <= {id(t) for t in cells}:
            # An exact grid: blank cells are real.  Every window of n cells that holds all the
            # numbers is a possible placement; place only when they all give the same facts.
            if len(cells) < n:
                return None, f"{len(cells)} cells printed for {n} columns"
            inside = [i for i, c in enumerate(cells) if c.kind != "blank"]
            windows = [s for s in range(len(cells) - n + 1) if all(s <= i < s + n for i in inside)]
            results = {tuple((c.kind, c.value, c.note) for c in cells[s : s + n]) for s in windows}
            if len(results) == 1:
                return cells[windows[0] : windows[0] + n], ""
            return None, f"{len(inside)} numbers in {len(cells)} cells for {n} columns"
    if len(numbers) == n:
        return numbers, ""
    if len(numbers) > n and len({(t.value, t.note, t.kind) for t in numbers}) == 1:
        # Every choice of which numbers to drop gives the same facts only when all are equal.
        return numbers[:n], ""
    return None, f"{len(numbers)} numbers printed for {n} columns"


def _blank_row(region: Region, row: _Row, n: int) -> list[Token] | None:
    """A row printed with nothing at all after its label: a blank row when its line has the cells."""
    k = min(max(row.key_end - 1, 0), len(region.key_to_norm) - 1)
    norm_pos = region.key_to_norm[k]
    stream = region.stream
    li = stream.char_line[norm_pos]
    ci = stream.char_cell[norm_pos]
    spans = stream.cell_spans[li]
    after = spans[ci + 1 :]
    if len(after) < n or any(stream.norm[s:e].strip() for s, e in after):
        return None
    return [Token("blank", s, s, row.key_end, line=li, cell=ci + 1 + j) for j, (s, e) in enumerate(after[-n:])]


def _emit_row(
    region: Region,
    template: SectionTemplate,
    row: _Row,
    columns: list[Column],
    result: SectionResult,
    seen: set[str],
) -> None:
    section = template.section
    if row.code in seen:
        result.problems.append(Problem("duplicate_row", section, row.code, "row printed twice; the first is kept"))
        return
    if not columns:
        result.problems.append(Problem("no_header", section, row.code, "row printed under no column header"))
        return
    n = len(columns)
    numbers = [t for t in row.slots if t.kind != "blank"]
    placed: list[Token] | None = _by_grid_column(region, row.slots, columns) if row.slots else None
    if placed is not None:
        pass
    elif not numbers:
        placed = _blank_row(region, row, n) if not row.slots else _place(region, row.slots, n)[0]
        if placed is None:
            result.problems.append(Problem("no_values", section, row.code, "row printed without numbers"))
            return
    else:
        placed, why = _place(region, row.slots, n)
        if placed is None:
            result.problems.append(Problem("unplaceable_row", section, row.code, why + "; facts left out"))
            seen.add(row.code)
            return
    seen.add(row.code)
    for col, tok in zip(columns, placed):
        result.facts.append(_fact(region, section, row.code, col.code, col.unit, tok))


def _emit_implicit(
    region: Region,
    template: SectionTemplate,
    header: list[Column],
    groups: list[str],
    slots: list[Token],
    result: SectionResult,
    seen: set[str],
) -> None:
    section = template.section
    if not groups or len(header) % len(groups):
        result.problems.append(
            Problem("unreadable_header", section, None, f"{len(groups)} groups over {len(header)} columns")
        )
        return
    per = len(header) // len(groups)
    pairs = [(groups[i // per], header[i]) for i in range(len(header))]
    placed, why = _place(region, slots, len(pairs))
    if placed is None:
        result.problems.append(Problem("unplaceable_row", section, None, why + "; facts left out"))
        return
    for (group, col), tok in zip(pairs, placed):
        seen.add(group)
        result.facts.append(_fact(region, section, group, col.code, col.unit, tok))


def _fact(region: Region, section: str, row: str, col: str, unit: str | None, tok: Token) -> Fact:
    value = convert_amount(tok.value, tok.unit, unit) if col.endswith("10k_yuan") else tok.value
    return Fact(
        section=section,
        row=row,
        column=col,
        value=value,
        raw=token_raw(region.stream, tok) if tok.kind != "blank" else "",
        note=tok.note,
        location=region.stream.location(tok.start),
    )


__all__ = ["read_section", "SectionResult"]
