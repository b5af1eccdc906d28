"""The texts that travel with every release: its README, its codebook and CITATION.cff.

A release folder is published as it is (a web server, Zenodo, a mirror): it must explain itself
without the repository next to it.  The README lists what the folder really holds (read from it, not a
fixed text); the codebook is generated from the same declarations that write the DuckDB comments and
the code tables, never copied by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from warehouse import built_with
from warehouse.release_files import SOURCES_FOLDER, VIEWS_FOLDER, ViewFile, folder_size
from warehouse.schema import ALL_TABLES, CODE_TABLES

TITLE = "xxgk: China's government information disclosure annual reports (政府信息公开工作年度报告) as data"
CODEBOOK = "CODEBOOK.md"
SITE_FOLDER = "site"

# What each file a release writes itself is (tables and views are described by their declarations).
FILES: dict[str, str] = {
    "xxgk.duckdb": "the same tables in DuckDB, with the views and a comment on every table, view and column",
    CODEBOOK: "every table, view, column and code, with Chinese and English labels, the row hierarchy, the naming convention",
    "CHANGELOG.md": "what changed since the previous release (reports, facts, ids, codes, and why)",
    "CITATION.cff": "how to cite this version",
    "datapackage.json": "Frictionless Data Package: every table and view with its columns, types and descriptions",
    "README.md": "this file",
    "SHA256SUMS": "the SHA-256 of every other file, shipped documents and site included (`sha256sum -c SHA256SUMS`)",
}
WRITTEN_AFTER_README = ("README.md", "SHA256SUMS")


@dataclass(frozen=True)
class ReleaseContents:
    """What the README is made from: the folder being assembled and what was put in it."""

    folder: Path
    version: str
    today: dt.date
    counts: dict[str, int]  # rows per table
    views: list[ViewFile]
    sources: tuple[int, int, int]  # documents shipped: files, bytes, hard-linked


def size_text(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


def _reference_data() -> str:
    from identity.divisions import META_JSON

    meta = json.loads(META_JSON.read_text(encoding="utf-8"))
    return (f"`regions` is China's administrative divisions: {meta['source']}; {meta['vintage']}; licence: {meta['licence']}. "
            "Codes are 6 digits for province, prefecture and county level, 12 for township level; names in pinyin and "
            f"English follow the convention in `{CODEBOOK}` (Names).")


def _files_table(c: ReleaseContents) -> str:
    """One line per file and folder at the top of the release, as it is on disk."""
    lines = ["| file or folder | size | rows | what |", "|---|---|---|---|"]
    present = sorted(p.name for p in c.folder.iterdir())
    for name in [*present, *(n for n in WRITTEN_AFTER_README if n not in present)]:
        p = c.folder / name
        if p.is_dir():
            files, size = folder_size(p)
            what = {
                VIEWS_FOLDER: f"every view of `xxgk.duckdb` as Parquet ({len(c.views)} files; listed below)",
                SOURCES_FOLDER: f"the documents the reports cite, {files} files named by their SHA-256 "
                                "(`sources/<sha256[:2]>/<sha256>.<ext>`; `documents.source_file` points at each)",
                SITE_FOLDER: f"the offline site, {files} files: serve this folder with any static file server "
                             "(`python3 -m http.server`) and open `site/index.html`",
            }.get(name, f"{files} files")
            lines.append(f"| `{name}/` | {size_text(size)} | | {what} |")
            continue
        stem = name.removesuffix(".parquet")
        if name.endswith(".parquet") and stem in ALL_TABLES:
            lines.append(f"| `{name}` | {size_text(p.stat().st_size)} | {c.counts.get(stem, '')} | {ALL_TABLES[stem].description} |")
        else:
            size = size_text(p.stat().st_size) if p.is_file() else "(written with this README)"
            lines.append(f"| `{name}` | {size} | | {FILES.get(name, '')} |")
    return "\n".join(lines)


def _views_table(c: ReleaseContents) -> str:
    lines = ["| view | rows | what |", "|---|---|---|"]
    lines += [f"| `{v.path}` | {v.rows} | {v.description} |" for v in c.views]
    return "\n".join(lines)


def release_readme(c: ReleaseContents) -> str:
    """The release's README, from what its folder holds."""
    version, today = c.version, c.today
    files, size, _linked = c.sources
    sources = (f"The {files} documents the reports cite, {size_text(size)} in all, are in `{SOURCES_FOLDER}/`, so every fact's "
               "provenance (its document, page, cell and box) opens from this folder alone; `documents.source_file` gives "
               "each one's path here (null for a document not shipped: one no report cites, or one not archived by a harvest). "
               "The URL in `documents.url` is where it was fetched from and may no longer answer." if files else
               "No documents are shipped with this release (none of its reports' documents was archived by a harvest).")
    site = (f"\n\nThe offline site is in `{SITE_FOLDER}/`: serve the folder (`python3 -m http.server`) and open "
            f"`{SITE_FOLDER}/index.html`; it reads only files of this release." if (c.folder / SITE_FOLDER).is_dir() else "")
    return f"""# {TITLE}

Release **{version}** ({today.isoformat()}).

Every number of the statistical tables of the annual reports Chinese government bodies publish on
their information disclosure — what they published proactively (主动公开), the requests they received
and how they answered them (依申请公开), the administrative reviews and lawsuits that followed (行政复议
/ 行政诉讼) — one row per number, each with its provenance (document SHA-256, page, table, row, cell)
and the tables' accounting identities checked. Values are as printed: an identity that fails is a
finding about the source (`checks`), never a corrected number.

## What is in this folder

{_files_table(c)}

Code tables ({", ".join(f"`{n}`" for n in CODE_TABLES)}) label every code in Chinese and English; `code_rows`
gives each row's parent heading and top-level category. `{CODEBOOK}` describes every table, view, column and code.

### Views ({VIEWS_FOLDER}/)

The views of `xxgk.duckdb`, also as Parquet for those who do not use DuckDB (the same rows; text for DuckDB's
ENUM columns):

{_views_table(c)}

### Documents ({SOURCES_FOLDER}/)

{sources}{site}

## Reference data

{_reference_data()}

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

Polars (`pl.scan_parquet(...)`), pandas, R (`arrow::read_parquet`) read the files as they are. A series over
years (`v_region_year_totals`) is comparable only where `basis_changed` is false.

## Cite it

Cite the version you used (see `CITATION.cff`):

> xxgk contributors ({today.year}). *{TITLE}*, version {version.removeprefix("v")}
> (released {today.isoformat()}). Built with xxgk {built_with()}.

## Licence

The compilation is dedicated to the public domain under CC0 1.0
(https://creativecommons.org/publicdomain/zero/1.0/). The reports themselves are official documents
published under article 50 of the 政府信息公开条例; each fact names the document it was read from.
"""


def _cell(v: object) -> str:
    return "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(_cell(v) for v in r) + " |" for r in rows)]


def _names_section(folder: Path) -> list[str]:
    from identity import romanize

    out = ["## Names in pinyin and English", "", *(line.strip() for line in (romanize.__doc__ or "").split("\n\n")[1:]), ""]
    out += ["Administrative suffixes (the data table of the convention):", ""]
    out += _table(["suffix", "pinyin", "English"], [[s.zh, s.pinyin, s.en] for s in romanize.SUFFIXES])
    out += ["", "Where the English depends on the level: " + "; ".join(f"{z} at {lv} level: {en}" for (lv, z), en in romanize.SUFFIX_BY_LEVEL.items())
            + ". Established English names: " + "; ".join(f"{z}: {en}" for z, en in romanize.ESTABLISHED.items()) + ".", ""]
    for table in ("regions", "agencies"):
        path = folder / f"{table}.parquet"
        if path.is_file():
            df = pl.read_parquet(path, columns=["name_pinyin", "name_en"])
            out.append(f"- `{table}`: {df.height} rows; `name_pinyin` null (a reading not settled) in {df['name_pinyin'].null_count()}, "
                       f"`name_en` null in {df['name_en'].null_count()}.")
    return [*out, ""]


def _code_rows_section(folder: Path) -> list[str]:
    rows = pl.read_parquet(folder / "code_rows.parquet").sort("section", "sort_order")
    depth: dict[tuple[str, str], int] = {}
    out = []
    for r in rows.iter_rows(named=True):
        d = depth[(r["section"], r["code"])] = 0 if r["parent"] is None else depth.get((r["section"], r["parent"]), 0) + 1
        out.append([r["section"], "　" * d + f"`{r['code']}`", r["kind"], r["label_zh"], r["label_en"], r["formats"], r["parent"], r["category"]])
    return _table(["section", "code", "kind", "Chinese", "English", "formats", "parent", "category"], out)


def codebook(folder: Path, views: list[ViewFile]) -> str:
    """Every table, view, column and code of the release folder, from the declarations and the code tables."""
    lines = [f"# Codebook — {TITLE}", "",
             "Generated from the declarations that write the Parquet schemas, the DuckDB comments and the code tables "
             "(warehouse/schema.py, warehouse/database.py, warehouse/codes.py, parsers/vocabulary.py): what is here is what "
             "`SELECT * FROM duckdb_columns()` says in `xxgk.duckdb`. Codes carry a Chinese and an English label; columns "
             "are described in English with the Chinese terms the reports print.", "", "## Tables", ""]
    for name, t in ALL_TABLES.items():
        if name in CODE_TABLES:
            continue
        lines += [f"### `{name}`", "", t.description, "", *(["Primary key: " + ", ".join(f"`{k}`" for k in t.primary_key), ""] if t.primary_key else [])]
        lines += _table(["column", "type", "description"], [[f"`{f.name}`", f.frictionless_type, f.description] for f in t.fields]) + [""]
    lines += ["## Views", "", f"Each is in `xxgk.duckdb` and, as Parquet, in `{VIEWS_FOLDER}/`.", ""]
    for v in views:
        lines += [f"### `{v.name}`", "", v.description, ""]
        lines += _table(["column", "type", "description"], [[f"`{n}`", t, d] for n, t, d in v.fields]) + [""]
    lines += ["## Codes", ""]
    for name, t in CODE_TABLES.items():
        lines += [f"### `{name}`", "", t.description, ""]
        lines += _table(["column", "description"], [[f"`{f.name}`", f.description] for f in t.fields]) + [""]
        if name == "code_rows":
            lines += _code_rows_section(folder) + [""]
            continue
        df = pl.read_parquet(folder / f"{name}.parquet")
        if "sort_order" in df.columns:
            df = df.sort("section", "sort_order")
        lines += _table(df.columns, [list(r) for r in df.iter_rows()]) + [""]
    lines += _names_section(folder)
    lines += ["## Reference data", "", _reference_data(), ""]
    return "\n".join(lines)


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
