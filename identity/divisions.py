"""China's administrative divisions (行政区划): codes, names, levels and parents, for the whole country.

The table comes from a maintained package of the official list (see ``SOURCE`` and the README);
it is loaded once, lazily, so commands that never resolve a body never pay for it.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("province", "prefecture", "county", "township")
LEVEL_LABELS = {  # code -> (zh, en): the code table code_levels
    "province": ("省级", "province-level unit (province, autonomous region, municipality)"),
    "prefecture": ("地级", "prefecture-level unit (city, autonomous prefecture, league)"),
    "county": ("县级", "county-level unit (district, county, county-level city, banner)"),
    "township": ("乡级", "township-level unit (town, township, street)"),
}
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
DIVISIONS_CSV = REFERENCE / "divisions.csv"  # written by identity/refresh_divisions.py
META_JSON = REFERENCE / "divisions.meta.json"  # its source, vintage and licence


@dataclass(frozen=True)
class Division:
    code: str  # 6 digits for province, prefecture and county level; 9 or 12 for township level
    name: str  # full name as in the official list: 乐清市, 汉阳区, 城关镇
    short_name: str  # without the unit word where the list gives one (乐清, 汉阳); else the name
    level: str  # one of LEVELS
    parent: str | None  # code of the unit above (None for a province)


class Divisions:
    """The national table with the look-ups resolution needs: by code, by name, ancestors, prefixes."""

    def __init__(self, rows: list[Division], source: str, vintage: str) -> None:
        self.source = source
        self.vintage = vintage
        self.by_code: dict[str, Division] = {d.code: d for d in rows}
        by_name: dict[str, list[Division]] = {}
        for d in rows:
            by_name.setdefault(d.name, []).append(d)
        # autonomous units are usually printed short: 本溪县 for 本溪满族自治县, 恩施州 for 恩施土家族苗族自治州
        for d in rows:
            for unit in ("县", "州", "旗"):
                if d.name.endswith("自治" + unit) and d.short_name != d.name and d.short_name + unit not in by_name:
                    by_name.setdefault(d.short_name + unit, [])
                    by_name[d.short_name + unit].append(d)
        self.by_name = {k: tuple(sorted(v, key=lambda d: d.code)) for k, v in by_name.items()}
        self.name_lengths = sorted({len(n) for n in self.by_name}, reverse=True)
        self._with_counties = {d.parent for d in rows if d.level == "county" and d.parent}

    def __iter__(self) -> Iterator[Division]:
        return iter(self.by_code.values())

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str | None) -> Division | None:
        return self.by_code.get(code) if code else None

    def ancestors(self, code: str) -> list[Division]:
        """The unit itself, then each unit above it up to the province."""
        out: list[Division] = []
        d = self.by_code.get(code)
        while d is not None:
            out.append(d)
            d = self.by_code.get(d.parent) if d.parent else None
        return out

    def within(self, code: str, ancestor: str) -> bool:
        """True when ``code`` is ``ancestor`` or lies inside it."""
        return any(d.code == ancestor for d in self.ancestors(code))

    def names_at(self, text: str, pos: int = 0) -> list[tuple[str, tuple[Division, ...]]]:
        """Every division name that ``text`` has at ``pos``, longest first."""
        return [(text[pos : pos + n], self.by_name[text[pos : pos + n]]) for n in self.name_lengths if text[pos : pos + n] in self.by_name]

    def prefix(self, code: str) -> str:
        """The region part of a body's full name: 乐清市, 清远市, 武汉市汉阳区, 郧西县城关镇.

        A district (区) is named with its city, as bodies of districts are (武汉市汉阳区统计局); a county,
        a county-level city or a banner stands alone (郧西县, 乐清市); a township follows its county.
        """
        d = self.by_code[code]
        parent = self.by_code.get(d.parent) if d.parent else None
        if d.level == "township" and parent is not None:
            return self.prefix(parent.code) + d.name
        if d.level == "county" and d.name.endswith("区") and parent is not None:
            return parent.name + d.name
        return d.name

    def has_counties(self, code: str) -> bool:
        """Whether any county-level unit lies under ``code`` (东莞市, 中山市 have none: their towns hang from the city)."""
        return code in self._with_counties


@functools.cache
def divisions() -> Divisions:
    """The national table (read once per process)."""
    meta = json.loads(META_JSON.read_text(encoding="utf-8"))
    with DIVISIONS_CSV.open(encoding="utf-8", newline="") as f:
        rows = [Division(r["code"], r["name"], r["short_name"], r["level"], r["parent_code"] or None) for r in csv.DictReader(f)]
    return Divisions(rows, source=meta["source"], vintage=meta["vintage"])


def region_rows() -> list[dict[str, str | None]]:
    """The national table as rows of the ``regions`` table, with each unit's province, prefecture and county."""
    table = divisions()
    out: list[dict[str, str | None]] = []
    for d in sorted(table, key=lambda d: d.code):
        by_level = {a.level: a.code for a in table.ancestors(d.code)}
        out.append(
            {
                "code": d.code, "name": d.name, "short_name": d.short_name, "level": d.level, "parent_code": d.parent,
                "full_name": table.prefix(d.code), "province_code": by_level.get("province"),
                "prefecture_code": by_level.get("prefecture"), "county_code": by_level.get("county"),
            }
        )
    return out
