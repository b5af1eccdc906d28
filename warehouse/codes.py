"""The code tables' rows, from the vocabulary modules: one place turns codes into data.

Also the hierarchy of each statistical table's rows, as data: which printed heading a row stands under
(三(三)1 属于国家秘密 under 三(三) 不予公开) and the top-level group it belongs to.  It is declared here
explicitly, from the templates' structure — the proactive table's 第二十条 clauses come from
:data:`parsers.templates.PROACTIVE_BLOCKS`, the applications table's headings are the templates'
``category`` labels (不予公开, 无法提供, 不予处理, 本年度办理结果) and its ``dual`` row 其他处理 — never from the
codes' spelling.  Every row code of the vocabulary is placed exactly once (checked when the tables are made).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from identity.divisions import LEVEL_LABELS
from identity.kinds import AGENCY_KINDS
from parsers.templates import PROACTIVE_BLOCKS
from parsers.vocabulary import COLUMNS, FORMATS, ROWS, SCOPES, SECTIONS, Code
from warehouse.indicators import DENIED, METRICS
from warehouse.schema import CODE_TABLES


@dataclass(frozen=True)
class Heading:
    """A printed label over sub-rows, with no numbers of its own (the applications table's 三(三) 不予公开)."""

    code: str
    zh: str
    en: str
    children: tuple[str | Heading, ...]


_CLAUSE_NUMBER = {"一": 1, "五": 5, "六": 6, "八": 8, "九": 9}


def _proactive() -> tuple[Heading, ...]:
    """The 第二十条 clause headings and the rows under each, from the templates' sub-tables (both formats)."""
    clauses: dict[str, list[str]] = {}
    for blocks in PROACTIVE_BLOCKS.values():
        for clause, _cols, rows in blocks:
            clauses.setdefault(clause, [])
            clauses[clause] += [r for r in rows if r not in clauses[clause]]
    order = sorted(clauses, key=lambda c: _CLAUSE_NUMBER[c])
    return tuple(Heading(f"article_20_{_CLAUSE_NUMBER[c]}", f"第二十条第（{c}）项", f"Article 20, item ({_CLAUSE_NUMBER[c]})",
                         tuple(clauses[c])) for c in order)


# Each section's rows as printed: a code, or a heading with the codes (and headings) under it.
TREE: dict[str, tuple[str | Heading, ...]] = {
    "proactive": _proactive(),
    "applications": (
        "new_received",
        "carried_over_prev",
        Heading("outcomes", "三、本年度办理结果", "Outcomes this year", (
            "granted",
            "partially_granted",
            Heading("denied", "三(三) 不予公开", "Denied", DENIED),
            Heading("unable", "三(四) 无法提供", "Unable to provide",
                    ("unable_not_held", "unable_needs_creation", "unable_unclear_after_correction")),
            Heading("rejected", "三(五) 不予处理", "Not handled",
                    ("rejected_petition_complaint", "rejected_duplicate", "rejected_publication", "rejected_excessive_repeated",
                     "rejected_confirmation")),
            # 其他处理: the legacy format's single row, the 2021 format's heading over its three sub-rows (the template's dual label)
            ("other_total", ("other_no_correction", "other_fee_unpaid", "other_other")),
            "processed_total",
        )),
        "carried_over_next",
    ),
    "reviews": (
        "admin_review",
        Heading("litigation", "行政诉讼", "Administrative lawsuits", ("litigation_direct", "litigation_after_review")),
    ),
}

Node = str | Heading | tuple[str, tuple[str, ...]]


def row_hierarchy(section: str) -> list[tuple[str, str | None, str, Heading | None]]:
    """(code, parent, category, heading or None) of every row and heading of ``section``, in printed order."""
    out: list[tuple[str, str | None, str, Heading | None]] = []

    def walk(node: Node, parent: str | None, category: str | None) -> None:
        if isinstance(node, Heading):
            out.append((node.code, parent, category or node.code, node))
            for child in node.children:
                walk(child, node.code, category or node.code)
        elif isinstance(node, tuple):  # a row that heads sub-rows of its own
            code, children = node
            out.append((code, parent, category or code, None))
            for child in children:
                walk(child, code, category or code)
        else:
            out.append((node, parent, category or node, None))

    for top in TREE[section]:
        walk(top, None, None)
    return out


def _code_rows() -> list[tuple]:
    rows: list[tuple] = []
    for section, codes in ROWS.items():
        by_code: dict[str, Code] = {c.code: c for c in codes}
        placed = row_hierarchy(section)
        seen = [code for code, _p, _c, h in placed if h is None]
        if sorted(seen) != sorted(by_code) or len(set(seen)) != len(seen):
            raise ValueError(f"the hierarchy of {section} places {sorted(seen)}, the vocabulary has {sorted(by_code)}")
        for i, (code, parent, category, heading) in enumerate(placed):
            if heading is None:
                c = by_code[code]
                rows.append((section, code, c.zh, c.en, ",".join(c.formats), i, "row", parent, category))
            else:
                under = {f for code2 in by_code if _under(section, code2, heading.code) for f in by_code[code2].formats}
                formats = [f for f in FORMATS if f in under]  # the vocabulary's order of formats
                rows.append((section, heading.code, heading.zh, heading.en, ",".join(formats), i, "heading", parent, category))
    return rows


def _under(section: str, code: str, ancestor: str) -> bool:
    parents = {c: p for c, p, _cat, _h in row_hierarchy(section)}
    p = parents.get(code)
    while p is not None:
        if p == ancestor:
            return True
        p = parents.get(p)
    return False


def code_frames() -> dict[str, pl.DataFrame]:
    rows: dict[str, list[tuple]] = {
        "code_formats": list(FORMATS.items()),
        "code_scopes": list(SCOPES.items()),
        "code_levels": [(k, zh, en) for k, (zh, en) in LEVEL_LABELS.items()],
        "code_agency_kinds": [(k.code, k.zh, k.en) for k in AGENCY_KINDS],
        "code_sections": [(s.code, s.zh, s.en) for s in SECTIONS],
        "code_rows": _code_rows(),
        "code_columns": [(sec, c.code, c.zh, c.en, ",".join(c.formats), i) for sec, codes in COLUMNS.items() for i, c in enumerate(codes)],
        "metrics": [(m.code, m.label_zh, m.label_en, m.formula, m.unit, m.caveats, ",".join(m.formats)) for m in METRICS],
    }
    out = {}
    for name, table in CODE_TABLES.items():
        df = pl.DataFrame(rows[name], schema=table.schema, orient="row")
        out[name] = df.sort(list(table.primary_key))
    return out
