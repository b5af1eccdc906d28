"""How a printed cell becomes a number: signs, units, notes, and the many ways of printing "none".

Kept apart from the table logic because these rules are the same in every table and every format,
and because researchers will ask exactly how ``增 338``, ``251000元`` or ``1（撤回）`` were read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

Number = int | float

_EXTRA = {"−": "-", "～": "~", "\u00a0": " ", "\u3000": " ", "\ufeff": ""}


class _OneToOne(dict[int, str]):
    """A ``str.translate`` table, filled on demand: NFKC of each character, always exactly one character.

    One character for one, so that a normalized position *is* the printed position: full-width
    digits and punctuation become ASCII, and the rare character whose NFKC form is longer or empty
    (ligatures, ``…``, a BOM) becomes a space — none of them can be part of a number or a label.
    """

    def __missing__(self, code: int) -> str:
        c = chr(code)
        if c in _EXTRA:
            out = _EXTRA[c] or " "
        elif code < 128:
            out = c
        else:
            n = unicodedata.normalize("NFKC", c)
            out = n if len(n) == 1 else " "
        self[code] = out
        return out


_TABLE = _OneToOne()


def normalize_char(c: str) -> str:
    return c.translate(_TABLE)


def normalize(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), one character for one."""
    return text.translate(_TABLE)


# A number as printed in a table cell.  Not glued to letters or digits, not an enumerator (``1.``,
# ``1、``), optionally signed by 增/减 and followed by a unit (traditional forms too: 減, 萬元).  Chinese characters may touch it
# (``总计351``) except where they make it part of a phrase (``2020年``).
VALUE_RE = re.compile(
    r"(?<![0-9A-Za-z.(/\\-])"
    r"(?:(?P<sign>增加|减少|減少|新增|增|减|減)\s*)?"
    r"(?P<num>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?![0-9A-Za-z]|\.\d|[.、](?!\d))"
    r"(?:\s*(?P<unit>万元|萬元|万|萬|元|件|宗|个|個|项|項|条|條|次|人次|人))?"
    r"(?![\u4e00-\u9fff])"
)
# "No number": a blank-standing slash or dash.
NULL_RE = re.compile(r"(?<![^\s|])(?:[/\\]|[-—–―]{1,3}|—+)(?![^\s|])")
# A note printed in brackets right after a number: 1（撤回）, 1（市自然资源和规划局））.
NOTE_RE = re.compile(r"\s*\((?P<note>[^()]{1,80})\)(?:\s*\))*")
_NOT_A_NOTE = re.compile(r"^[一二三四五六七八九十\d]+$|[,:;。、]")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Value:
    """A parsed cell: the number (None for "no number"), and the note printed with it."""

    value: Number | None
    note: str | None = None
    unit: str | None = None


def clean_note(raw: str) -> str | None:
    note = _WS.sub("", raw)
    if not note or len(note) > 30 or _NOT_A_NOTE.search(note):
        return None
    return note


def to_number(num: str, sign: str | None = None) -> Number:
    s = num.replace(",", "")
    n: Number = float(Decimal(s)) if "." in s else int(s)
    return -n if sign in ("减", "减少", "減", "減少") else n


def convert_amount(value: Number | None, unit: str | None, column_unit: str | None) -> Number | None:
    """Amounts are stored in 万元.  ``251000元`` (or a bare number under a 元 header) → 25.1."""
    if value is None:
        return None
    effective = {"万元": "万元", "萬元": "万元", "万": "万元", "萬": "万元", "元": "元"}.get(unit or "", column_unit)
    if effective == "元":
        d = Decimal(str(value)) / Decimal(10000)
        return int(d) if d == d.to_integral_value() else float(d)
    return value


def parse_cell(text: str) -> Value | None:
    """Parse a whole cell (used by exact grids and tests); None when the cell is not a value."""
    s = normalize(text).strip()
    if not s:
        return Value(None)
    if NULL_RE.fullmatch(s):
        return Value(None)
    m = VALUE_RE.match(s)
    if not m:
        return None
    rest = s[m.end():]
    note = None
    if rest:
        n = NOTE_RE.match(rest)
        if not n or rest[n.end():].strip():
            return None
        note = clean_note(n.group("note"))
        if note is None:
            return None
    return Value(to_number(m.group("num"), m.group("sign")), note, m.group("unit"))
