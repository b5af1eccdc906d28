"""Placing a misprinted label by the template's order, never by a guess.

Tens of thousands of bodies type these tables by hand and copy them from year to year, so a real
report prints ``其他法律行政止公开`` for 其他法律行政法规禁止公开 or ``于以公开`` for 予以公开.  No
template pattern matches such a label, and without help its whole row is lost.  This module places it
only where the table itself leaves one reading:

- **position**: the national template fixes the order of rows (and of the columns within a header);
  the label must sit where a code is still free — after the row printed before it and before the row
  printed after it, or in the gap its header leaves — and no other printed label may hold that code;
- **enumerator**: where the report prints one (``2.`` under （三）), it must be the code's;
- **closeness**: the printed key form is within a few edits of the code's pattern (the ``regex``
  module's fuzzy matching, optional parts of the pattern included): at least 60 % of the label's
  characters agree (``MIN_SIMILARITY``), or a single edit, the one a misprint of a short label leaves;
- **margin**: no second free code is close as well.  Two readings leave the label out, with the reason.

Why 60 %: the real printed variants collected in tests/fixtures/label_variants/real_variants.json that no
pattern matches keep at least that share (a missing character or two, a sound-alike), while two
different row labels of the same table share less (行政强制 and 行政许可 share 50 %, 属于三类内部事务信息
and 属于四类过程性信息 share 40 %).  A label of two characters with one wrong keeps half: it is placed
only when its position admits that one code and the misprint is a substitution (总记 for 总计), never a
deletion or an insertion.

Every placement is recorded as a ``label_variant`` problem (printed text, code, similarity, the
neighbours that confirmed it), so a researcher can audit or exclude them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from .model import Problem
from .templates import Label, SectionTemplate, column_runs, row_order
from .vocabulary import APPLICATION_ROWS

MIN_SIMILARITY = 0.6
# Bounds on the fuzzy search, so that its cost stays small on any text: no label of the templates is longer
# than 40 characters, and more than 8 edits is more than 40 % of a 20-character label.
MAX_TEXT = 60
MAX_EDITS = 8
# A second code whose edit count is within this many of the best one makes the reading uncertain.
MARGIN_EDITS = 2

_NUMERALS = {c: i + 1 for i, c in enumerate("一二三四五六七八九十")}
# The enumerator printed just before a label, in the normalized stream: 2.  2、  (2)  (二)  二、
_ENUM_BEFORE = re.compile(
    r"(?:(?P<arabic>\d{1,2})\s*[.、]|\(\s*(?P<paren>[一二三四五六七八九十]{1,3}|\d{1,2})\s*\)|(?P<cjk>[一二三四五六七八九十]{1,3})\s*[、.])\s*$"
)
_VOCAB_ENUM = re.compile(r"^(?:(?P<top>[一二三四])、|三\((?P<cat>[一二三四五六七])\)(?P<leaf>\d)?)")


def _number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if len(s) == 1:
        return _NUMERALS.get(s)
    if s.startswith("十"):
        return 10 + (_NUMERALS.get(s[1:], 0) if len(s) > 1 else 0)
    return None


def _vocabulary_enumerators() -> dict[str, int]:
    """The deepest number each applications row is enumerated by in the template (三(三)2 → 2, 三(一) → 1, 四、 → 4)."""
    out: dict[str, int] = {}
    for c in APPLICATION_ROWS:
        m = _VOCAB_ENUM.match(c.zh)
        if m:
            deepest = m.group("leaf") or m.group("cat") or m.group("top")
            n = _number(deepest)
            if n is not None:
                out[c.code] = n
    return out


ENUMERATORS: dict[str, int] = _vocabulary_enumerators()


@dataclass(frozen=True)
class Placement:
    """A label no pattern matched, placed by the template's order (a header's text may hold several labels)."""

    kind: str  # row | group | column | block | noise
    codes: tuple[str, ...]
    printed: tuple[str, ...]  # each label's printed key form
    similarity: tuple[float, ...]
    before: str | None  # the neighbours that confirmed the position
    after: str | None
    offsets: tuple[int, ...] = (0,)  # where each label starts in the printed key text

    @property
    def code(self) -> str:
        return self.codes[0]

    @property
    def label(self) -> Label:
        return Label(self.kind, "", None if self.kind == "block" else self.code)

    def problems(self, section: str) -> list[Problem]:
        if self.kind == "noise":
            return []
        where = f"after {self.before or 'the start'}, before {self.after or 'the end'}"
        return [
            Problem(
                "label_variant",
                section,
                code if self.kind in ("row", "group") else None,
                f"{self.kind} {code} ← 「{printed}」 (similarity {sim:.2f}; {where})",
            )
            for code, printed, sim in zip(self.codes, self.printed, self.similarity)
            if not code.startswith(NOISE)
        ]


@lru_cache(maxsize=4096)
def _fuzzy(pattern: str, limit: int) -> regex.Pattern[str]:
    return regex.compile(f"(?:{pattern}){{e<={limit}}}", flags=regex.BESTMATCH)


def _limit(text: str) -> int:
    return min(max(2, len(text) // 2), MAX_EDITS)


@lru_cache(maxsize=65536)
def closeness(pattern: str, text: str) -> tuple[int, int] | None:
    """(edits, length of the pattern's string at that distance), or None when too far to matter.

    Edits are substitutions, insertions and deletions against the closest string the pattern
    accepts, optional parts included (部分公开 with or without its long explanation).
    """
    if len(text) > MAX_TEXT:
        return None
    m = _fuzzy(pattern, _limit(text)).fullmatch(text)
    if m is None:
        return None
    subs, ins, dels = m.fuzzy_counts
    return subs + ins + dels, len(text) - ins + dels


def acceptable(text: str, edits: int, length: int) -> bool:
    """At least MIN_SIMILARITY of the characters agree, or one substitution in a label of two."""
    if length <= 0:
        return False
    if edits <= (1 - MIN_SIMILARITY) * length + 1e-9:
        return True
    return edits == 1 and len(text) == length  # a single substituted character keeps the rest in place


@dataclass(frozen=True)
class Candidate:
    kind: str
    codes: tuple[str, ...]  # one code, or a header's consecutive columns printed without a break
    before: str | None
    after: str | None


NOISE = "~"  # a part of a header's text that is a misprinted noise label (法人或其组织): ~ and the label's index


def noise_parts(template: SectionTemplate) -> list[str]:
    """The short noise labels a header prints between its columns (申请人情况, 法人或其他组织, 信息内容, 行政诉讼)."""
    return [f"{NOISE}{k}" for k, lab in enumerate(template.labels) if lab.kind == "noise" and re.fullmatch(r"[\u4e00-\u9fff]{2,8}", lab.pattern)]


def _patterns(template: SectionTemplate, kind: str, code: str) -> list[str]:
    if code.startswith(NOISE):
        return [template.labels[int(code[1:])].pattern]
    if kind == "block":
        return [lab.pattern for lab in template.labels if lab.kind == "block"]
    out = [lab.pattern for lab in template.labels if lab.code == code and lab.kind == kind]
    out += [lab.pattern for lab in template.labels if lab.alt == (kind, code)]
    return out


_Score = tuple[int, tuple[str, ...], tuple[float, ...], tuple[int, ...]]


def _score(template: SectionTemplate, text: str, cand: Candidate) -> _Score | None:
    """Total edits, each label's printed part, similarity and offset; None unless every part is acceptable."""
    alternatives = ["|".join(_patterns(template, cand.kind, code)) for code in cand.codes]
    if not all(alternatives):
        return None
    if len(cand.codes) == 1:
        c = closeness(alternatives[0], text)
        if c is None or not acceptable(text, *c):
            return None
        return c[0], (text,), (round(1 - c[0] / c[1], 2),), (0,)
    joined = "".join(f"((?:{a}))" for a in alternatives)
    if len(text) > MAX_TEXT:
        return None
    m = _fuzzy(joined, _limit(text)).fullmatch(text)
    if m is None:
        return None
    parts = tuple(m.group(k + 1) for k in range(len(alternatives)))
    sims: list[float] = []
    total = 0
    for part, alt in zip(parts, alternatives):
        c = closeness(alt, part) if part else None
        if c is None or not acceptable(part, *c):
            return None
        total += c[0]
        sims.append(round(1 - c[0] / c[1], 2))
    return total, parts, tuple(sims), tuple(m.start(k + 1) for k in range(len(alternatives)))


def choose(
    template: SectionTemplate, text: str, candidates: list[Candidate]
) -> tuple[Placement | None, str | None]:
    """The one close candidate, or None with the reason when two are (None, None: none is close)."""
    scored = [(s, cand) for cand in candidates if (s := _score(template, text, cand)) is not None]
    if not scored:
        return _cut_off(template, text, candidates), None
    scored.sort(key=lambda s: (s[0][0], len(s[1].codes)))
    (edits, parts, sims, offsets), top = scored[0]
    rivals = [c for (e, *_), c in scored[1:] if c.codes != top.codes and e < edits + MARGIN_EDITS]
    if rivals:
        names = ", ".join(sorted({"+".join(c.codes) for c in [top, *rivals]}))
        return None, f"「{text[:40]}」 is as close to {names}: left out"
    return Placement(top.kind, top.codes, parts, sims, top.before, top.after, offsets), None


def _cut_off(template: SectionTemplate, text: str, candidates: list[Candidate]) -> Placement | None:
    """A cell cut off after its first characters (商业 for 商业企业, 本年增 for 本年增减), as real tables print
    when a column is too narrow: placed only where the position admits one code and the text begins it exactly."""
    codes = {c.codes for c in candidates if c.kind in ("row", "group", "column") and not any(x.startswith(NOISE) for x in c.codes)}
    if len(codes) != 1 or len(text) < 2:
        return None
    (only,) = codes
    cand = next(c for c in candidates if c.codes == only)
    if len(only) != 1:
        return None
    for pattern in _patterns(template, cand.kind, only[0]):
        if regex.fullmatch(pattern, text, partial=True) is not None:
            c = closeness(pattern, text)
            sim = round(1 - c[0] / c[1], 2) if c else round(len(text) / (len(text) + 1), 2)
            return Placement(cand.kind, only, (text,), (sim,), cand.before, cand.after)
    return None


def printed_enumerator(norm: str, pos: int) -> int | None:
    """The enumerator printed right before a label (``2.其他法律…`` → 2), if any."""
    m = _ENUM_BEFORE.search(norm[max(0, pos - 12) : pos])
    if not m:
        return None
    return _number(m.group("arabic") or m.group("paren") or m.group("cjk"))


def rows_between(section: str, fmt: str | None, before: str | None, after: str | None, held: set[str]) -> list[str]:
    """The free rows the template prints after ``before`` and before ``after`` (either may be the table's edge)."""
    order = row_order(section, fmt)
    lo = order.index(before) + 1 if before in order else 0
    hi = order.index(after) if after in order else len(order)
    if before is not None and before not in order or after is not None and after not in order:
        return []
    return [c for c in order[lo:hi] if c not in held]


def columns_fitting(
    section: str, fmt: str | None, sequence: list[str | None], at: int, pinned: tuple[str, ...] = (),
    held: frozenset[str] = frozenset(), most: int = 3, row: str | None = None,
) -> list[tuple[str, ...]]:
    """The columns the header's unread label at ``sequence[at]`` can be: one, or up to ``most`` consecutive
    ones printed without a break between them.

    ``sequence`` is the header as printed, matched columns by code and unread labels as None; the
    matched columns and the gaps must lie on one window of a run the template prints.  A pinned
    column (总计) may stand anywhere in the header and is not in the runs: the label may be it, alone
    or as its last part, when the pinned column is not printed elsewhere in the header.
    """
    out: list[tuple[str, ...]] = []
    for width in range(1, most + 1):
        for with_pinned in (False, True):
            free = [c for c in pinned if c not in held] if with_pinned else [None]
            for pin in free:
                slots = width - (1 if pin else 0)
                seq = sequence[:at] + [None] * slots + sequence[at + 1 :]
                if slots == 0:  # the label is the pinned column alone: the rest of the header must fit a run
                    if not any(s is not None for s in seq) or _windows(section, fmt, seq, len(seq), 0, row=row):
                        out.append((pin,))
                    continue
                for codes in _windows(section, fmt, seq, at, slots, row=row):
                    out.append(codes + ((pin,) if pin else ()))
    return list(dict.fromkeys(out))


def _windows(
    section: str, fmt: str | None, seq: list[str | None], at: int, slots: int, most: int = 3, row: str | None = None
) -> list[tuple[str, ...]]:
    """For each way the header ``seq`` lies on consecutive columns of a run, the codes the gap ``seq[at]`` holds
    (``slots`` of them).  The other unread labels of the header each hold up to ``most`` columns, or none
    (a note such as 单位：件, or the pinned column)."""
    out: set[tuple[str, ...]] = set()
    for run in column_runs(section, fmt, row):

        def walk(i: int, r: int, got: tuple[str, ...] | None, run: tuple[str, ...] = run) -> None:
            if i == len(seq):
                if got is not None:
                    out.add(got)
                return
            if r > len(run):
                return
            if i == at:
                if r + slots <= len(run):
                    walk(i + 1, r + slots, tuple(run[r : r + slots]))
            elif seq[i] is None:
                for w in range(0, most + 1):
                    if r + w <= len(run):
                        walk(i + 1, r + w, got)
            elif r < len(run) and run[r] == seq[i]:
                walk(i + 1, r + 1, got)

        for start in range(len(run)):
            walk(0, start, None if at < len(seq) else ())
    return sorted(out)
