"""The code tables' rows, from the vocabulary modules: one place turns codes into data."""

from __future__ import annotations

import polars as pl

from identity.divisions import LEVEL_LABELS
from identity.kinds import AGENCY_KINDS
from parsers.vocabulary import COLUMNS, FORMATS, ROWS, SCOPES, SECTIONS
from warehouse.indicators import METRICS
from warehouse.schema import CODE_TABLES


def code_frames() -> dict[str, pl.DataFrame]:
    rows: dict[str, list[tuple]] = {
        "code_formats": list(FORMATS.items()),
        "code_scopes": list(SCOPES.items()),
        "code_levels": [(k, zh, en) for k, (zh, en) in LEVEL_LABELS.items()],
        "code_agency_kinds": [(k.code, k.zh, k.en) for k in AGENCY_KINDS],
        "code_sections": [(s.code, s.zh, s.en) for s in SECTIONS],
        "code_rows": [(sec, c.code, c.zh, c.en, ",".join(c.formats), i) for sec, codes in ROWS.items() for i, c in enumerate(codes)],
        "code_columns": [(sec, c.code, c.zh, c.en, ",".join(c.formats), i) for sec, codes in COLUMNS.items() for i, c in enumerate(codes)],
        "metrics": [(m.code, m.label_zh, m.label_en, m.formula, m.unit, m.caveats, ",".join(m.formats)) for m in METRICS],
    }
    out = {}
    for name, table in CODE_TABLES.items():
        df = pl.DataFrame(rows[name], schema=table.schema, orient="row")
        out[name] = df.sort(list(table.primary_key))
    return out
