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

from .alignment import (
    ENUMERATORS,
    NOISE,
    Candidate,
    Placement,
    acceptable,
    choose,
    closeness,
    columns_fitting,
    noise_parts,
    printed_enumerator,
    rows_between,
)
from .model import Fact, Problem
from .stream import Region, Token, token_raw
from .templates import BLOCK_CODE, Label, SectionTemplate, row_order
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
    toks = region.tokens
    lo = bisect.bisect_right([t.key_pos for t in toks], k0)
    tokens: list[Token] = []
    for t in toks[lo:]:
        if t.key_pos > k1:
            break
        tokens.append(t)
    for slots in region.exact_slots.values():
        tokens += [t for t in slots if t.kind == "blank" and k0 < t.key_pos <= k1]
    # numbers separate labels: text no pattern reads is cut where numbers were printed inside it
    cuts = sorted({t.key_pos for t in tokens})

    def text_events(a: int, b: int) -> list[_Event]:
        inner = [c for c in cuts[bisect.bisect_right(cuts, a) : bisect.bisect_left(cuts, b)]]
        bounds = [a, *inner, b]
        return [_Event(x, 1, text=key[x:y]) for x, y in zip(bounds, bounds[1:]) if y > x]

    events: list[_Event] = []
    covered = k0
    for m in template.matcher.finditer(key, k0, k1):
        if m.start() > covered:
            events += text_events(covered, m.start())
        events.append(_Event(m.start(), 1, label=template.label_of(m), key_end=m.end()))
        covered = m.end()
    if covered < k1:
        events += text_events(covered, k1)
    events += [_Event(t.key_pos, 0, token=t) for t in tokens]
    events.sort(key=lambda e: (e.key_pos, e.order, e.token.start if e.token else 0))
    return _absorb_short_labels(events, region)


def _absorb_short_labels(events: list[_Event], region: Region) -> list[_Event]:
    """总计 / 其他 inside unknown wording (转送其他机关处理, 其他理 misprinted for 其他处理) are part of that
    wording, not labels.

    Only when nothing was printed between them and they share a printed cell: numbers between 总计 and the
    text after it, or a cell border (总计 | 商业, a header's cells), make them two labels.
    """
    key = region.key
    stream = region.stream

    def cell(k: int) -> tuple[int, int]:
        pos = region.key_to_norm[min(k, len(region.key_to_norm) - 1)]
        return stream.char_line[pos], stream.char_cell[pos]

    merged: list[_Event] = []
    for i, e in enumerate(events):
        if e.label is not None and e.label.alt is not None:
            prev = events[i - 1] if i else None
            nxt = events[i + 1] if i + 1 < len(events) else None
            touches = (
                prev is not None and _is_text(prev) and prev.key_pos + len(prev.text) == e.key_pos
                and cell(e.key_pos - 1) == cell(e.key_pos)
            ) or (nxt is not None and _is_text(nxt) and nxt.key_pos == e.key_end and cell(e.key_end - 1) == cell(e.key_end))
            if touches:
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


_NUMERALS = set("一二三四五六七八九十")


def _is_text(e: _Event) -> bool:
    """Text no pattern reads; a single character only when it is not a numeral (一 of an enumerator 一　printed
    without its 、 is the next row's, not part of the label)."""
    return e.token is None and e.label is None and (len(e.text) >= 2 or (len(e.text) == 1 and e.text not in _NUMERALS))


def read_section(region: Region, template: SectionTemplate, k0: int, k1: int, fmt: str | None = None) -> SectionResult:
    """Read one table between key positions ``k0`` and ``k1`` of the document's region.

    ``fmt`` (legacy, 2021 or None) narrows the rows and columns a misprinted label may be placed on.
    """
    result = SectionResult()
    header: list[Column] = []
    groups: list[str] = []
    rows_since_header = False
    current: _Row | None = None
    implicit: list[Token] = []
    orphans: list[Token] = []
    seen: set[str] = set()

    events = _events(region, template, k0, k1)
    context = _Context(region, template, events, fmt)
    last_row: str | None = None

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

    def add_column(code: str, unit: str | None, key_pos: int) -> None:
        nonlocal header, rows_since_header
        if not rows_since_header and not template.implicit_row and any(c.code == code for c in header):
            return  # a merged header cell printed again (converters repeat them): one column
        flush(None)
        if rows_since_header:
            header = []
            rows_since_header = False
        header.append(_column(region, code, unit, key_pos))

    for i, ev in enumerate(events):
        if ev.token is not None:
            if current is not None:
                current.slots.append(ev.token)
            elif template.implicit_row and (ev.token.kind != "blank" or implicit):
                implicit.append(ev.token)  # the reviews table's single row: blanks count once it began
            elif ev.token.kind != "blank":
                orphans.append(ev.token)
            continue
        lab = ev.label
        if lab is None:
            # Text no template knows.  One stray character (a broken enumerator, a unit) is
            # harmless; more is a label no pattern reads: the rest of the row's own label, a misprint
            # the template's order places (parsers/alignment.py), or a label we cannot read, whose
            # numbers must not go to the row above.
            if len(ev.text) < 2:
                continue
            if current is not None and not current.slots and (tail := context.tail_of(i, current)) is not None:
                result.problems += tail.problems(template.section)
                continue
            held = seen | set(groups) | ({current.code} if current else set())
            placement, why = context.place(i, header, rows_since_header, last_row, held)
            if placement is None:
                flush(None)
                if why:
                    result.problems.append(Problem("ambiguous_label", template.section, None, why))
                else:
                    result.unmapped.append(ev.text)
                continue
            context.placed[i] = (placement.kind, placement.codes[-1])
            result.problems += placement.problems(template.section)
            if placement.kind == "column":
                for code, offset in zip(placement.codes, placement.offsets):
                    if not code.startswith(NOISE):
                        add_column(code, None, ev.key_pos + offset)
                continue
            lab = placement.label
        kind, code = lab.kind, lab.code
        if lab.alt is not None and _acts_as_row(rows_since_header, events, i):
            kind, code = lab.alt
        if kind in ("row", "group") and code in context.order:
            last_row = code
        if kind == "column":
            add_column(code or "", lab.unit, ev.key_pos)
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


_HEADER_STOPS = ("row", "block", "category")


class _Context:
    """What the printed table says around a label no pattern matched: its neighbours, its header, its enumerator."""

    def __init__(self, region: Region, template: SectionTemplate, events: list[_Event], fmt: str | None) -> None:
        self.region = region
        self.template = template
        self.events = events
        self.fmt = fmt
        self.placed: dict[int, tuple[str, str]] = {}  # event index -> (kind, code) placed by alignment
        self.pinned = template.pinned_last
        self.order = row_order(template.section, fmt)
        # rows (the reviews table: groups) printed with a label a pattern reads, anywhere in the table
        self.row_kind = "group" if template.implicit_row else "row"
        self.exact_rows: set[str] = set()
        rows_started = False
        for e in events:
            lab = e.label
            if lab is None:
                continue
            if lab.kind == self.row_kind and lab.code:
                self.exact_rows.add(lab.code)
                rows_started = True
            elif lab.alt is not None and lab.alt[0] == self.row_kind and rows_started:
                self.exact_rows.add(lab.alt[1])

    def _row_code(self, j: int, rows_started: bool) -> str | None:
        lab = self.events[j].label
        if lab is None:
            kind, code = self.placed.get(j, ("", ""))
            return code if kind == self.row_kind else None
        if lab.kind == self.row_kind:
            return lab.code
        if lab.alt is not None and lab.alt[0] == self.row_kind and rows_started:
            return lab.alt[1]
        return None

    def _next_row(self, i: int, rows_started: bool) -> str | None:
        for j in range(i + 1, len(self.events)):
            lab = self.events[j].label
            if lab is not None and lab.kind == self.row_kind:
                rows_started = True
            code = self._row_code(j, rows_started)
            if code in self.order:  # 其他处理 heads the 2021 format's three rows: not one of them
                return code
        return None

    def _header_sequence(self, i: int) -> tuple[list[str | None], int, str | None, set[str]] | None:
        """The header around event ``i``: columns by code, unread labels as None; where ``i`` is in it;
        the row whose label follows it; the pinned columns it prints.  None when ``i`` is not in a header."""

        def item(j: int) -> tuple[str, str | None]:
            e = self.events[j]
            if e.token is not None:
                return "stop", None
            lab = e.label
            if lab is None:
                if j in self.placed:
                    kind, code = self.placed[j]
                    return ("column", code) if kind == "column" else ("stop", kind)
                return ("gap", None) if len(e.text) >= 2 else ("skip", None)
            if lab.kind == "column" or lab.alt is not None:
                return "column", lab.code
            if lab.kind in _HEADER_STOPS:
                return "stop", lab.code if lab.kind == "row" else None
            return "skip", None  # noise, a reviews group

        before: list[str | None] = []
        pinned: set[str] = set()
        for j in range(i - 1, -1, -1):
            what, code = item(j)
            if what == "stop":
                break
            if what == "column" and code in self.pinned:
                pinned.add(code)
            elif what in ("column", "gap"):
                before.append(code)
        after: list[str | None] = []
        row_follows: str | None = None
        for j in range(i + 1, len(self.events)):
            what, code = item(j)
            if what == "stop":
                row_follows = code
                break
            if what == "column" and code in self.pinned:
                pinned.add(code)
            elif what in ("column", "gap"):
                after.append(code)
        sequence = before[::-1] + [None] + after
        if not any(s is not None for s in sequence) and not row_follows:
            return None
        return sequence, len(before), row_follows, pinned

    def tail_of(self, i: int, current: _Row) -> Placement | None:
        """Text printed right after a row's label, before its numbers, that with it makes that label misprinted
        (an optional tail such as 行政机关不再处理其政府信息公开申请 with a character missing)."""
        prev = self.events[i - 1] if i else None
        ev = self.events[i]
        if prev is None or prev.label is None or prev.key_end != ev.key_pos or prev.label.code != current.code:
            return None
        printed = self.region.key[prev.key_pos : ev.key_pos + len(ev.text)]
        c = closeness(prev.label.pattern, printed)
        if c is None or not acceptable(printed, *c):
            return None
        return Placement(current.label.kind, (current.code,), (printed,), (round(1 - c[0] / c[1], 2),), current.code, None)

    def place(
        self, i: int, header: list[Column], rows_since_header: bool, last_row: str | None, held: set[str]
    ) -> tuple[Placement | None, str | None]:
        ev = self.events[i]
        section = self.template.section
        candidates: list[Candidate] = []
        # a row: numbers follow it (the reviews table's groups head its columns instead)
        nxt = self.events[i + 1] if i + 1 < len(self.events) else None
        if self.template.implicit_row or (nxt is not None and nxt.token is not None):
            after = self._next_row(i, rows_since_header)
            held_rows = held | self.exact_rows | {code for kind, code in self.placed.values() if kind == self.row_kind}
            enum = printed_enumerator(self.region.stream.norm, self.region.key_to_norm[ev.key_pos])
            for code in rows_between(section, self.fmt, last_row, after, held_rows):
                if enum is not None and code in ENUMERATORS and ENUMERATORS[code] != enum:
                    continue
                candidates.append(Candidate(self.row_kind, (code,), last_row, after))
        # a column: in a header, filling the gap the template's run leaves (a header is not followed by
        # numbers, but for the reviews table's single row under its header)
        found = self._header_sequence(i) if self.template.implicit_row or nxt is None or nxt.token is None else None
        if found is not None:
            sequence, at, row_below, pinned = found
            fitting = columns_fitting(section, self.fmt, sequence, at, self.pinned, frozenset(pinned), row=row_below)
            left = next((s for s in reversed(sequence[:at]) if s is not None), None)
            right = next((s for s in sequence[at + 1 :] if s is not None), None)
            candidates += [Candidate("column", codes, left, right) for codes in fitting]
            # the header's own noise labels (法人或其他组织) misprinted, alone or printed against a column
            for noise in noise_parts(self.template):
                candidates.append(Candidate("noise", (noise,), left, right))
                candidates += [Candidate("column", (noise, *codes), left, right) for codes in fitting]
                candidates += [Candidate("column", (*codes, noise), left, right) for codes in fitting]
        if any(lab.kind == "block" for lab in self.template.labels):
            candidates.append(Candidate("block", (BLOCK_CODE,), None, None))
        if not candidates:
            return None, None
        return choose(self.template, ev.text, candidates)


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
