"""The dataset's tables: one declaration per table and column, with the description researchers read.

This is the single source of truth for the Parquet schemas (polars types), the DuckDB comments and
the Frictionless data package (field types and descriptions), so the three never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Field:
    name: str
    dtype: pl.DataType
    description: str

    @property
    def frictionless_type(self) -> str:
        return {
            pl.String: "string",
            pl.Int32: "integer",
            pl.Int64: "integer",
            pl.Float64: "number",
            pl.Boolean: "boolean",
            pl.Date: "date",
            pl.Datetime: "datetime",
            pl.List: "array",
        }[type(self.dtype)]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {f.name: f.dtype for f in self.fields}


S, I32, F64, B, D = pl.String(), pl.Int32(), pl.Float64(), pl.Boolean(), pl.Date()
UTC = pl.Datetime("us", "UTC")  # an instant: Parquet's TIMESTAMP (UTC-adjusted), DuckDB's TIMESTAMP WITH TIME ZONE

_LOC = (
    Field("page", I32, "1-based PDF page where the number is printed"),
    Field("table_no", I32, "1-based table of the document (HTML, Word, PDF grids)"),
    Field("row_no", I32, "1-based row in that table"),
    Field("cell_no", I32, "1-based cell (grid column) in that row"),
    Field("line", I32, "1-based line of the extracted text (plain text documents)"),
    Field("bbox_x0", F64, "left edge of the cell (or printed line) on the page, in PDF points from the page's left (PDF and scans)"),
    Field("bbox_top", F64, "top edge, in PDF points from the page's top"),
    Field("bbox_x1", F64, "right edge, in PDF points from the page's left"),
    Field("bbox_bottom", F64, "bottom edge, in PDF points from the page's top"),
    Field("ocr_confidence", F64, "OCR's score (0-1) for the cell's text when it was read from an image (a scan, a table image); null otherwise"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "documents",
            "One row per archived document (HTML page, PDF/Word attachment, text), whether or not it parsed.",
            (
                Field("sha256", S, "SHA-256 of the document's bytes: its identity in the raw archive"),
                Field("url", S, "URL the document was fetched from (null for local files)"),
                Field("path", S, "path of the document in the builder's raw archive (raw/objects/…) or the folder it was built from: not in the release; see source_file"),
                Field("source_file", S, "the document's bytes in the release, relative to the release folder (sources/<sha256[:2]>/<sha256>.<ext>; the file name is its SHA-256); "
                      "null when the release does not ship them (only the documents a report cites — its canonical document — are shipped, and only those archived by a harvest)"),
                Field("portal", S, "id of the portal in data/portals.yaml it was harvested from"),
                Field("media_type", S, "medium, detected from the bytes: text/html, application/pdf, …"),
                Field("bytes", pl.Int64(), "size in bytes"),
                Field("fetched_at", UTC, "when it was fetched (an instant, UTC); null for a document read from a local folder"),
                Field("outcome", S, "parse outcome: parsed, needs_ocr (scanned PDF), not_a_report, error"),
                Field("error", S, "why it did not parse, when it did not"),
                Field("report_id", S, "the report it is a document of (null when it did not parse)"),
            ),
            ("sha256",),
        ),
        Table(
            "reports",
            "One row per annual report (one body, one year), however many documents carry it.",
            (
                Field("report_id", S, "stable id from the resolved body (agency_id) and the year: never renumbered; d-… when the body or year could not be resolved"),
                Field("agency_id", S, "the resolved body (see agencies): division code + hash of its full name; null when not certain"),
                Field("agency", S, "the reporting body, as printed (e.g. 乐清市人民政府办公室, 区统计局)"),
                Field("agency_name", S, "the body's full name, region prefix added where the printed name is short (武汉市汉阳区统计局)"),
                Field("agency_level", S, "administrative level of the body: province, prefecture, county, township (see code_levels)"),
                Field("agency_kind", S, "kind of body: people_government, general_office, department, township_street, development_zone, party_mass_org, other (see code_agency_kinds)"),
                Field("region", S, "the administrative region of the body (e.g. 乐清市; the township for a 镇/乡/街道)"),
                Field("region_code", S, "division code of that region (see regions): 6 digits, 12 for a township"),
                Field("year", I32, "the year reported on (not the year of publication)"),
                Field("year_source", S, "where the year was read: title, text (statistics period or statement), page_meta (list page), inferred (publication date minus one)"),
                Field("agency_source", S, "where the body's name was read: title, text, signature, page_meta (发布机构, list title), registry (the portal's own body)"),
                Field("region_source", S, "where the region came from: name (the body's name), registry (the portal's region), index_no (the code in the 索引号)"),
                Field("format", S, "table format: legacy (2019/2020), 2021 (国办公开办函〔2021〕30号), pre2019"),
                Field("scope", S, "agency (one body's own work) or region_aggregate (a government's combined report)"),
                Field("published_on", D, "date printed under the report's signature, else the page's date, else the portal list's"),
                Field("published_on_source", S, "where published_on was read: text (under the signature), page_meta:written_on (the page's 成文日期), page_meta:page_published_on (its 发布日期), list_page (the portal's list)"),
                Field("title", S, "title of the report"),
                Field("contact_phone", S, "contact phone printed in the report"),
                Field("contact_email", S, "contact e-mail printed in the report"),
                Field("index_no", S, "索引号: the portal's index number of the report's page, where the page gives one"),
                Field("publisher", S, "发布机构: the publishing body named by the portal page, where it gives one"),
                Field("canonical_sha256", S, "the document whose facts are the report's facts"),
                Field("source_url", S, "URL of the canonical document"),
                Field("n_documents", I32, "how many documents carry this report"),
                Field("documents_agree", B, "true when every document of the report that prints tables gives the same facts"),
            ),
            ("report_id",),
        ),
        Table(
            "facts",
            "One row per number printed in a report's statistical tables, from its canonical document.",
            (
                Field("report_id", S, "the report"),
                Field("section", S, "table: proactive, applications, reviews (see code_sections)"),
                Field("row", S, "row code (see code_rows)"),
                Field("column", S, "column code (see code_columns)"),
                Field("value", F64, "the number; null when printed as blank, '/', '—' (never 0); amounts in 万元"),
                Field("raw", S, "the cell exactly as printed"),
                Field("note", S, "note printed with the number, e.g. 1（撤回） has note 撤回"),
                Field("derived", B, "true when computed from the table's identities instead of printed"),
                Field("sha256", S, "the document it was read from"),
                *_LOC,
            ),
            ("report_id", "section", "row", "column"),
        ),
        Table(
            "checks",
            "One row per accounting identity evaluated on a report; a failure never changes a number.",
            (
                Field("report_id", S, "the report"),
                Field("name", S, "identity, e.g. applications.new_received (row sum), applications.total.balance; text.<row>.<column>: "
                      "a statement of the narrative against the table (parsers/statements.py)"),
                Field("passed", B, "whether the printed numbers satisfy it"),
                Field("detail", S, "the numbers involved"),
            ),
            ("report_id", "name"),
        ),
        Table(
            "problems",
            "What the parser could not read with certainty, recorded instead of guessed.",
            (
                Field("report_id", S, "the report"),
                Field("sha256", S, "the document"),
                Field("kind", S, "unplaceable_row, missing_row, missing_section, unmapped_label, unplaced_numbers, …"),
                Field("section", S, "table concerned"),
                Field("row", S, "row concerned"),
                Field("detail", S, "what and why"),
            ),
            (),
        ),
        Table(
            "agencies",
            "One row per reporting body resolved to one real body in one real place (agency_id), with its latest full name.",
            (
                Field("agency_id", S, "stable id: division code + hash of the normalised full name (renamed bodies: see data/reference/agency_aliases.csv)"),
                Field("name", S, "full name, from its latest report"),
                Field("name_pinyin", S, "the name in tone-less pinyin: its region units as proper name and suffix, then the body's designation as one word "
                      "(武汉市汉阳区统计局 → Wuhan Shi Hanyang Qu Tongjiju); null when a character's reading is not settled (see CODEBOOK, Names)"),
                Field("name_en", S, "English name, only for a people's government or its general office named exactly after its region "
                      "(People's Government of Yueqing City); null otherwise"),
                Field("region_code", S, "division code of the body's region (see regions)"),
                Field("region", S, "name of that region"),
                Field("level", S, "administrative level: province, prefecture, county, township"),
                Field("kind", S, "kind of body (see code_agency_kinds)"),
                Field("first_year", I32, "first year it reports on in the dataset"),
                Field("last_year", I32, "last year it reports on in the dataset"),
                Field("n_reports", I32, "reports in the dataset"),
            ),
            ("agency_id",),
        ),
        Table(
            "agency_names",
            "The names a body printed on its reports, with the years: renamed bodies (机构改革) keep one agency_id.",
            (
                Field("agency_id", S, "the body"),
                Field("printed_name", S, "name as printed on its reports"),
                Field("first_year", I32, "first year printed so"),
                Field("last_year", I32, "last year printed so"),
            ),
            ("agency_id", "printed_name"),
        ),
        Table(
            "regions",
            "China's administrative divisions (province, prefecture, county, township), from the Ministry of Civil Affairs' place-name database "
            "(its source, vintage and licence are stated in every release's README and CODEBOOK).",
            (
                Field("code", S, "division code: 6 digits (province, prefecture, county level), 12 digits (township level)"),
                Field("name", S, "official name (乐清市, 汉阳区, 城关镇)"),
                Field("name_pinyin", S, "the proper name in tone-less pinyin, one capitalised word, apostrophe before a, o, e (乐清市 → Yueqing, 西安市 → Xi'an); "
                      "null when a character's reading is not settled by pypinyin's phrase dictionary (see CODEBOOK, Names)"),
                Field("name_en", S, "English name: the pinyin proper name and the English of its administrative suffix (Yueqing City, Hanyang District, "
                      "Donghuamen Subdistrict); null when the reading is not settled, the suffix is not in the table, the proper name is one character, or the name names peoples"),
                Field("short_name", S, "short name (乐清, 汉阳); the name itself for townships"),
                Field("level", S, "province, prefecture, county or township"),
                Field("parent_code", S, "code of the unit above (a municipality's districts and directly administered counties hang from the province)"),
                Field("full_name", S, "the region part of a body's full name: 武汉市汉阳区, 郧西县城关镇"),
                Field("province_code", S, "code of its province"),
                Field("prefecture_code", S, "code of its prefecture-level unit (null above or where there is none)"),
                Field("county_code", S, "code of its county-level unit (null above)"),
            ),
            ("code",),
        ),
        Table(
            "report_documents",
            "Each document of each report, and whether its facts agree with the canonical document's.",
            (
                Field("report_id", S, "the report"),
                Field("sha256", S, "the document"),
                Field("media_type", S, "its medium"),
                Field("canonical", B, "true for the document whose facts are used"),
                Field("facts_compared", I32, "facts present in both this document and the canonical one"),
                Field("facts_differing", I32, "of those, how many differ in value or note"),
                Field("only_here", I32, "facts this document has and the canonical one has not"),
                Field("only_in_canonical", I32, "facts the canonical document has and this one has not"),
                Field("agrees", B, "no difference at all (null for a document without tables, e.g. an article page pointing to its attachment)"),
            ),
            ("report_id", "sha256"),
        ),
        Table(
            "narratives",
            "Per report and section of its narrative, a MinHash signature of its character 5-grams (parsers/narrative.py): "
            "what v_boilerplate compares across a body's consecutive years. The text itself is not kept.",
            (
                Field("report_id", S, "the report"),
                Field("section", S, "overview, proactive, applications, reviews, problems, other: the template's six parts"),
                Field("n_chars", I32, "characters of prose in the section (whitespace removed)"),
                Field("n_shingles", I32, "distinct character 5-grams"),
                Field("minhash", S, "64-permutation MinHash signature, 8 hex digits per permutation"),
            ),
            ("report_id", "section"),
        ),
    )
}


def _code(name: str, description: str, *cols: tuple[str, pl.DataType, str], key: tuple[str, ...] = ("code",)) -> Table:
    return Table(name, description, tuple(Field(n, t, d) for n, t, d in cols), key)


_LABELS = (("label_zh", S, "Chinese label"), ("label_en", S, "English label"))
_PRINTED = (
    ("label_zh", S, "Chinese label as printed in the national template"),
    ("label_en", S, "English label"),
    ("formats", S, "formats that print it (comma-separated)"),
    ("sort_order", I32, "its order in the printed table"),
)

# The code tables: the vocabulary (parsers/vocabulary.py, identity/) as data, in the warehouse and in every
# release as Parquet, so a researcher reading the Parquet files alone can label every code.
CODE_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _code("code_formats", "Report formats (vocabulary).", ("code", S, "format code"), ("description", S, "what it is")),
        _code("code_scopes", "Report scopes (vocabulary).", ("code", S, "scope code"), ("description", S, "what it means")),
        _code("code_levels", "Administrative levels of bodies and regions.", ("code", S, "level code"),
              ("label_zh", S, "Chinese name of the level"), ("label_en", S, "English label")),
        _code("code_agency_kinds", "Kinds of reporting body, read from the end of the body's name (identity/kinds.py).",
              ("code", S, "kind code"), *_LABELS),
        _code("code_sections", "The three statistical tables of a report.", ("code", S, "section code"),
              ("label_zh", S, "Chinese heading as printed"), ("label_en", S, "English label")),
        _code("code_rows", "Row codes of every section, with Chinese and English labels, the formats that print them, and the table's hierarchy "
              "(parent, category) with the printed headings that group rows (kind heading: no numbers of their own).",
              ("section", S, "section code"), ("code", S, "row code"), *_PRINTED,
              ("kind", S, "row: a row whose numbers are facts; heading: a printed label over sub-rows, with no numbers of its own"),
              ("parent", S, "the code of the row or heading this row is printed under (三(三)1 属于国家秘密 → denied); null for a top row"),
              ("category", S, "the top-level row or heading of the table this row belongs to (the row itself for a top row)"),
              key=("section", "code")),
        _code("code_columns", "Column codes of every section, with Chinese and English labels and the formats that print them.",
              ("section", S, "section code"), ("code", S, "column code"), *_PRINTED, key=("section", "code")),
        _code("metrics", "Indicators computed for every report in v_indicators: their formulas over printed cells (section.row.column), "
              "units, caveats and the formats they apply to (warehouse/indicators.py).",
              ("code", S, "metric code"), ("label_zh", S, "Chinese name"), ("label_en", S, "English label"),
              ("formula", S, "the formula over printed cells, section.row.column"), ("unit", S, "share (0–1), per 100, per 10,000"),
              ("caveats", S, "what the figure does and does not mean"), ("formats", S, "the formats it is computed for, comma-separated")),
    )
}

# Tables of the harvest, not of the documents: built from the run histories (pipelines/coverage.py).
RUN_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "portal_runs",
            "One row per portal and harvest run (raw/runs/<portal>.history.jsonl): what was covered, when, and how it went. "
            "Source defects (the portal's own dead links and malformed items) are counted apart and never make a run fail.",
            (
                Field("portal", S, "portal id (the registry's)"),
                Field("started", S, "when the run began (UTC, ISO 8601)"),
                Field("ended", S, "when the run ended (UTC, ISO 8601)"),
                Field("verdict", S, "ok, partial, failed or blocked (pipelines/crawl.py)"),
                Field("flags", S, "why the verdict is not ok, separated by '; '"),
                Field("reports_listed", I32, "reports the portal listed"),
                Field("list_pages_read", I32, "list pages and API answers read"),
                Field("list_pages_failed", I32, "list pages and API answers that failed (after retries)"),
                Field("documents_new", I32, "documents archived for the first time"),
                Field("documents_changed", I32, "documents archived again with other bytes"),
                Field("documents_unchanged", I32, "documents fetched with the bytes already archived"),
                Field("documents_failed", I32, "documents that failed (after retries; retried on the next run)"),
                Field("defects", I32, "source defects met in this run (dead links 404/410, malformed list items)"),
                Field("defects_new", I32, "of them, first met in this run"),
                Field("defects_healed", I32, "defects of earlier runs no longer met by this complete run"),
                Field("last_ok", S, "start of the portal's latest run with verdict ok, up to this one (null: none yet)"),
            ),
            ("portal", "started"),
        ),
    )
}

ALL_TABLES: dict[str, Table] = {**TABLES, **RUN_TABLES, **CODE_TABLES}
