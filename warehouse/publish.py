"""The texts that travel with every release: its README (what, how to query, how to cite, licence) and CITATION.cff.

A release folder is published as it is (a web server, Zenodo, a mirror): it must explain itself
without the repository next to it.
"""

from __future__ import annotations

import datetime as dt

from warehouse import built_with
from warehouse.schema import ALL_TABLES, CODE_TABLES

TITLE = "xxgk: China's government information disclosure annual reports (政府信息公开工作年度报告) as data"



def release_readme(version: str, today: dt.date, counts: dict[str, int]) -> str:
    tables = "\n".join(
        f"| `{name}.parquet` | {counts[name] if name in counts else ''} | {t.description} |"
        for name, t in ALL_TABLES.items()
        if name not in CODE_TABLES
    )
    codes = ", ".join(f"`{n}`" for n in CODE_TABLES)
    return f"""# {TITLE}

Release **{version}** ({today.isoformat()}).

Every number of the statistical tables of the annual reports Chinese government bodies publish on
their information disclosure — what they published proactively (主动公开), the requests they received
and how they answered them (依申请公开), the administrative reviews and lawsuits that followed (行政复议
/ 行政诉讼) — one row per number, each with its provenance (document SHA-256, page, table, row, cell)
and the tables' accounting identities checked. Values are as printed: an identity that fails is a
finding about the source (`checks`), never a corrected number.

## Files

| file | rows | what |
|---|---|---|
{tables}
| `xxgk.duckdb` | | the same tables in DuckDB, with labelled views (`v_facts`, `v_reports`, `v_applications_wide`, `v_region_year_totals`, `v_failed_checks`) and a comment on every table, view and column |

Code tables ({codes}) label every code in Chinese and English. `datapackage.json` is a Frictionless
Data Package describing every column; `CHANGELOG.md` says what changed since the previous release
(reports, facts, ids and codes, and why); `SHA256SUMS` holds the checksum of every file
(`sha256sum -c SHA256SUMS`).

## Query it

With DuckDB, locally:

```sql
ATTACH 'xxgk.duckdb' (READ_ONLY);
SELECT * FROM xxgk.v_facts LIMIT 10;
```

or the Parquet files over HTTP, without downloading (replace BASE with the address this folder is
served from):

```sql
INSTALL httpfs; LOAD httpfs;
SELECT r.agency, r.year, f.section, f."row", f."column", f.value
FROM read_parquet('BASE/{version}/facts.parquet') f
JOIN read_parquet('BASE/{version}/reports.parquet') r USING (report_id)
WHERE r.year = 2023 LIMIT 20;
```

Polars (`pl.scan_parquet(...)`), pandas, R (`arrow::read_parquet`) read the files as they are.

## Cite it

Cite the version you used (see `CITATION.cff`):

> xxgk contributors ({today.year}). *{TITLE}*, version {version.removeprefix("v")}
> (released {today.isoformat()}). Built with xxgk {built_with()}.

## Licence

The compilation is dedicated to the public domain under CC0 1.0
(https://creativecommons.org/publicdomain/zero/1.0/). The reports themselves are official documents
published under article 50 of the 政府信息公开条例; each fact names the document it was read from.
"""


def citation_cff(version: str, today: dt.date) -> str:
    return f"""cff-version: 1.2.0
message: "If you use this dataset, please cite the version you used."
type: dataset
title: "{TITLE}"
version: "{version.removeprefix("v")}"
date-released: "{today.isoformat()}"
license: CC0-1.0
authors:
  - name: "xxgk contributors"
keywords:
  - China
  - transparency
  - government information disclosure
  - 政府信息公开
"""
