"""Search by body or place name, in Chinese characters or pinyin: a prefix-sharded index and place pages.

Why prefixes: a static site has no server to search, and the whole name list of a national release
(~150,000 bodies, ~3,000 places, four keys each) is tens of MB.  Every key (the full name, the name without its
region, the pinyin, the pinyin initials) is filed under its first character; a prefix holding more than
``LEAF_LIMIT`` keys is split by one more character, down to ``MAX_PREFIX``.  ``data/search/index.json`` lists
the prefixes, so the browser fetches exactly one file of at most ``LEAF_LIMIT`` entries per query and never
asks for a file that does not exist.  Pinyin comes from the release (``name_pinyin``) when it has it, else from
pypinyin's phrase dictionary at build time (乐清 → yueqing); a reading pypinyin gets wrong is a known limit.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from website.schema_probe import Schema
from website.shards import depth_for, dumps, fnv1a, shard_relpath, write_bytes

LEAF_LIMIT, MAX_PREFIX, HEAD, HEAD_MAX = 800, 12, 60, 200
_SPACE = re.compile(r"[\s'·\-]+")


def norm(text: str) -> str:
    """The form keys and queries are compared in: lower case, no spaces, apostrophes or dots (``app.js`` does the same)."""
    return _SPACE.sub("", text).lower()


def pinyin_keys(name: str, given: str | None) -> list[str]:
    """Search keys in pinyin for ``name``: pypinyin's full pinyin and initials, plus the release's own pinyin
    (``name_pinyin``, given only where the reading is certain) and its words' initials when it has one.  Keys only
    help find a name, so a second reading adds recall and never changes data."""
    from pypinyin import lazy_pinyin

    syllables = [s for s in lazy_pinyin(name, errors="ignore") if s.isascii() and s.isalpha()]
    keys = ["".join(syllables), "".join(s[0] for s in syllables)] if syllables else []
    if given:
        words = [w for w in re.split(r"[\s']+", given.lower()) if w]
        keys += ["".join(words), "".join(w[0] for w in words)]
    return [k for k in keys if k]


def entries(con: duckdb.DuckDBPyConnection, schema: Schema) -> list[tuple[str, list[Any]]]:
    """(key, [type, id, label, context]) for every body and every place that has a report."""
    out: list[tuple[str, list[Any]]] = []
    body_py = "a.name_pinyin" if schema.has("agencies", "name_pinyin") else "NULL"
    place_py = "g.name_pinyin" if schema.has("regions", "name_pinyin") else "NULL"
    for aid, name, region, full, province, py in con.execute(f"""
            SELECT a.agency_id, a.name, a.region, g.full_name, p.name, {body_py}
            FROM agencies a LEFT JOIN regions g ON g.code = a.region_code LEFT JOIN regions p ON p.code = g.province_code
            ORDER BY a.agency_id""").fetchall():
        record = ["b", aid, name, " · ".join(x for x in (province, region) if x)]
        keys = {norm(name)}
        for prefix in (full, region):
            if prefix and name.startswith(prefix) and len(name) > len(prefix):
                keys.add(norm(name[len(prefix):]))
        keys.update(pinyin_keys(name, py))
        out.extend((k, record) for k in sorted(keys) if k)
    for code, name, short, full, level, province, py in con.execute(f"""
            SELECT g.code, g.name, g.short_name, g.full_name, g.level, p.name, {place_py}
            FROM regions g LEFT JOIN regions p ON p.code = g.province_code
            WHERE g.code IN (SELECT DISTINCT region_code FROM agencies) ORDER BY g.code""").fetchall():
        record = ["p", code, full or name, " · ".join(x for x in (province, level) if x)]
        keys = {norm(x) for x in (name, short, full) if x}
        keys.update(pinyin_keys(name, py))
        out.extend((k, record) for k in sorted(keys) if k)
    return out


def split(keys: list[str]) -> tuple[dict[str, list[int]], set[str]]:
    """Prefix → indexes of the keys filed under it (leaves), and the prefixes that were split."""
    leaves: dict[str, list[int]] = {}
    splits: set[str] = set()
    todo: list[tuple[str, list[int]]] = []
    groups: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[k[:1]].append(i)
    todo.extend(groups.items())
    while todo:
        prefix, idx = todo.pop()
        if len(idx) <= LEAF_LIMIT or len(prefix) >= MAX_PREFIX:
            leaves[prefix] = idx
            continue
        splits.add(prefix)
        sub: dict[str, list[int]] = defaultdict(list)
        head = []
        for i in idx:
            if len(keys[i]) > len(prefix):
                sub[keys[i][: len(prefix) + 1]].append(i)
            else:
                head.append(i)
        leaves[prefix] = head  # keys equal to the prefix itself, plus (below) the first few keys under it
        todo.extend(sub.items())
    return leaves, splits


def write_search(con: duckdb.DuckDBPyConnection, schema: Schema, root: Path) -> tuple[int, int]:
    """``data/search/index.json`` and one file per group of prefixes; (files, bytes)."""
    items = sorted(entries(con, schema), key=lambda e: (e[0], e[1][1]))
    keys = [k for k, _ in items]
    leaves, splits = split(keys)
    files: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    for prefix, idx in leaves.items():
        chosen = list(idx)
        if prefix in splits:  # a query that stops at a split prefix still shows the first names under it
            lo = bisect.bisect_left(keys, prefix)
            chosen = sorted(set(chosen) | set(range(lo, min(lo + HEAD, len(keys)))))
            chosen = [i for i in chosen if keys[i].startswith(prefix)][:HEAD_MAX]  # 公安局 × 2,847: the first few
        files[fnv1a(prefix)][prefix] = [[keys[i], *items[i][1]] for i in sorted(chosen)]
    nbytes = 0
    for name, content in files.items():
        nbytes += write_bytes(root, f"data/search/{name}.json", dumps(content).encode("utf-8"))
    index = {"prefixes": sorted(leaves), "splits": sorted(splits), "max_prefix": MAX_PREFIX}
    nbytes += write_bytes(root, "data/search/index.json", dumps(index).encode("utf-8"))
    return len(files) + 1, nbytes


def write_places(con: duckdb.DuckDBPyConnection, root: Path) -> tuple[int, int, int]:
    """``data/places/<shard>.json``: each place with a report, its bodies and their report counts; (depth, files, bytes)."""
    rows = con.execute("""
        SELECT g.code, g.name, g.full_name, g.level, p.name AS province,
               list([a.agency_id, a.name, CAST(a.n_reports AS VARCHAR), CAST(a.first_year AS VARCHAR),
                     CAST(a.last_year AS VARCHAR)] ORDER BY a.name, a.agency_id) AS bodies
        FROM agencies a JOIN regions g ON g.code = a.region_code LEFT JOIN regions p ON p.code = g.province_code
        GROUP BY ALL ORDER BY g.code""").fetchall()
    depth = depth_for(len(rows), 8)
    shards: dict[str, dict[str, Any]] = defaultdict(dict)
    for code, name, full, level, province, bodies in rows:
        shards[fnv1a(code)[:depth]][code] = {"name": name, "full_name": full, "level": level, "province": province,
                                             "bodies": bodies}
    nbytes = sum(write_bytes(root, shard_relpath("places", s), dumps(c).encode("utf-8")) for s, c in shards.items())
    return depth, len(shards), nbytes
