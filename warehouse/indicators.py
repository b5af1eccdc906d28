"""Indicators researchers compute by hand, defined once as data: formula, unit, caveats, the formats they apply to.

Each :class:`Metric` is a ratio of two sums of printed cells (``section.row.column``), times a scale.  The
``metrics`` table publishes the definitions; the ``v_indicators`` view computes every metric for every report
the same way in both formats (the applications rows used here are printed by the legacy and the 2021 format
alike), and where a value cannot be computed it is null with the reason: a figure the report does not print,
a denominator of zero, a format the metric does not apply to, or data the dataset does not have (population).

Also here, as data: the statutory deadlines for publishing a report (``v_timeliness``) and the missing-years
view (``v_missing_reports``).  No indicator or check ever changes a printed number.
"""

from __future__ import annotations

from dataclasses import dataclass

Cell = tuple[str, str, str]  # section, row, column

DENIED = ("denied_state_secret", "denied_prohibited_by_law", "denied_three_safety_one_stability", "denied_third_party_rights",
          "denied_internal_affairs", "denied_process_information", "denied_law_enforcement_file", "denied_administrative_query")
ORGS = ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org")


@dataclass(frozen=True)
class Metric:
    code: str
    label_zh: str
    label_en: str
    numerator: tuple[Cell, ...]
    denominator: tuple[Cell, ...]
    unit: str
    caveats: str
    formats: tuple[str, ...] = ("legacy", "2021")
    scale: float = 1.0
    denominator_minus: tuple[Cell, ...] = ()  # subtracted from the denominator (concluded = total − pending)
    needs: str | None = None  # data the dataset does not have: the value is null with this reason

    @property
    def formula(self) -> str:
        def terms(cells: tuple[Cell, ...]) -> str:
            return " + ".join(".".join(c) for c in cells)
        den = (terms(self.denominator) or "resident population") + (" − (" + terms(self.denominator_minus) + ")" if self.denominator_minus else "")
        scale = f" × {self.scale:g}" if self.scale != 1 else ""
        return f"({terms(self.numerator)}) / ({den}){scale}"


def _apps(rows: tuple[str, ...] | list[str], column: str = "total") -> tuple[Cell, ...]:
    return tuple(("applications", r, column) for r in rows)


PROCESSED = _apps(["processed_total"])
METRICS: tuple[Metric, ...] = (
    Metric("grant_rate", "公开率（予以公开＋部分公开）", "grant rate (granted in full or in part)", _apps(["granted", "partially_granted"]),
           PROCESSED, "share", "of the applications processed this year (三(七) 总计), whatever year they were received in"),
    Metric("full_grant_rate", "予以公开率", "full grant rate", _apps(["granted"]), PROCESSED, "share",
           "granted in full only"),
    Metric("refusal_rate", "不予公开率", "refusal rate", _apps(DENIED), PROCESSED, "share",
           "三(三) 不予公开, all eight grounds; 部分公开 is not counted as a refusal"),
    Metric("not_held_rate", "本机关不掌握相关政府信息比例", "“information not held” rate", _apps(["unable_not_held"]), PROCESSED, "share",
           "三(四)1; a high rate often means applications sent to the wrong body"),
    Metric("legal_person_share", "法人或其他组织申请占比", "share of new applications from legal persons and organisations",
           tuple(("applications", "new_received", c) for c in ORGS),
           _apps(["new_received"]), "share", "the five columns of 法人或其他组织 over the printed total of new applications; where the columns do not add up "
           "to the total (a failed identity, see checks), the printed figures are used as they are"),
    Metric("review_correction_rate", "行政复议纠错率", "administrative reviews: share corrected", (("reviews", "admin_review", "corrected"),),
           (("reviews", "admin_review", "total"),), "share", "of the reviews concluded (total − pending); 其他结果 count as not corrected",
           denominator_minus=(("reviews", "admin_review", "pending"),)),
    Metric("litigation_correction_rate", "行政诉讼纠错率", "lawsuits: share corrected",
           (("reviews", "litigation_direct", "corrected"), ("reviews", "litigation_after_review", "corrected")),
           (("reviews", "litigation_direct", "total"), ("reviews", "litigation_after_review", "total")), "share",
           "suits filed directly and after review together, of those concluded (total − pending)",
           denominator_minus=(("reviews", "litigation_direct", "pending"), ("reviews", "litigation_after_review", "pending"))),
    Metric("disputes_per_100_applications", "每百件申请引发的复议和诉讼", "reviews and lawsuits per 100 new applications",
           (("reviews", "admin_review", "total"), ("reviews", "litigation_direct", "total"), ("reviews", "litigation_after_review", "total")),
           _apps(["new_received"]), "per 100", "a review and the suit after it are two disputes; not all concern this year's applications",
           scale=100.0),
    Metric("applications_per_10k_residents", "每万人申请数", "new applications per 10,000 residents", _apps(["new_received"]), (), "per 10,000",
           "needs the region's resident population, which the dataset does not carry yet", scale=10_000.0,
           needs="a population figure for the region (not in the reference data)"),
)

# 《中华人民共和国政府信息公开条例》(国务院令第711号, 2019年5月15日施行)
#   第四十九条 县级以上人民政府部门应当在每年1月31日前向本级政府信息公开工作主管部门提交本行政机关上一年度政府信息公开工作年度报告并向社会公布。
#   第五十条 县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前向社会公布本级政府上一年度政府信息公开工作年度报告。
# Which deadline a body has, by its kind (identity/kinds.py): governments' own reports 31 March; their
# departments (the general office included) 31 January.  Townships and others are not named by the two
# articles: no deadline (null, with the reason).
DEADLINES: dict[str, tuple[str, str]] = {  # agency kind -> (MM-DD of the following year, the article)
    "people_government": ("03-31", "条例第五十条"),
    "general_office": ("01-31", "条例第四十九条"),
    "department": ("01-31", "条例第四十九条"),
}
STATUTE = "中华人民共和国政府信息公开条例（国务院令第711号，2019年5月15日起施行）"


def _cell(c: Cell) -> str:
    s, r, col = c
    return f"max(value) FILTER (WHERE section = '{s}' AND \"row\" = '{r}' AND \"column\" = '{col}')"


def _sum(cells: tuple[Cell, ...]) -> str:
    return " + ".join(_cell(c) for c in cells) if cells else "NULL"


def indicators_sql() -> str:
    """The ``v_indicators`` view: one row per report and metric, the value with its numerator and denominator,
    or null with the reason."""
    parts = []
    for m in METRICS:
        den = _sum(m.denominator) + (f" - ({_sum(m.denominator_minus)})" if m.denominator_minus else "")
        formats = ", ".join(f"'{f}'" for f in m.formats)
        parts.append(f"""
        SELECT t.report_id, '{m.code}' AS metric, t.num AS numerator, t.den AS denominator,
               CASE WHEN {('true' if m.needs else 'false')} OR r.format NOT IN ({formats}) OR t.num IS NULL OR t.den IS NULL OR t.den = 0
                    THEN NULL ELSE t.num / t.den * {m.scale} END AS value,
               CASE WHEN {('true' if m.needs else 'false')} THEN '{m.needs or ''}'
                    WHEN r.format NOT IN ({formats}) THEN 'not defined for the ' || r.format || ' format'
                    WHEN t.num IS NULL THEN 'a figure of the numerator is not printed'
                    WHEN t.den IS NULL THEN 'a figure of the denominator is not printed'
                    WHEN t.den = 0 THEN 'the denominator is zero' END AS null_reason
        FROM (SELECT report_id, {_sum(m.numerator)} AS num, {den} AS den FROM facts GROUP BY report_id) t
        JOIN reports r USING (report_id)""")
    union = "\n        UNION ALL".join(parts)
    return f"""
        SELECT i.report_id, r.agency_id, r.agency, r.region, r.region_code, r.year, r.format, i.metric,
               m.label_en AS metric_label, m.unit, i.value AS metric_value, i.numerator, i.denominator, i.null_reason
        FROM ({union}
        ) i JOIN reports r USING (report_id) JOIN metrics m ON m.code = i.metric
        """


def timeliness_sql() -> str:
    cases = " ".join(f"WHEN '{k}' THEN make_date(r.year + 1, {int(d[:2])}, {int(d[3:])})" for k, (d, _a) in DEADLINES.items())
    articles = " ".join(f"WHEN '{k}' THEN '{a}'" for k, (_d, a) in DEADLINES.items())
    return f"""
        SELECT r.report_id, r.agency_id, r.agency, r.agency_kind, r.region, r.region_code, r.year,
               r.published_on, r.published_on_source,
               CASE r.agency_kind {cases} END AS deadline,
               CASE r.agency_kind {articles} END AS article,
               CASE WHEN r.published_on IS NOT NULL AND r.agency_kind IN ({", ".join(f"'{k}'" for k in DEADLINES)})
                    THEN date_diff('day', CASE r.agency_kind {cases} END, r.published_on) END AS days_late,
               CASE WHEN r.agency_kind IS NULL OR r.agency_kind NOT IN ({", ".join(f"'{k}'" for k in DEADLINES)})
                        THEN 'no statutory deadline for this kind of body (条例 articles 49–50 name governments and their departments)'
                    WHEN r.published_on IS NULL THEN 'no publication date found' END AS null_reason
        FROM reports r
        """


MISSING_SQL = """
        WITH years AS (
            SELECT agency_id, min(agency) AS agency, min(region) AS region, min(region_code) AS region_code,
                   min(year) AS first_year, max(year) AS last_year, list(DISTINCT year) AS found
            FROM reports WHERE agency_id IS NOT NULL AND year IS NOT NULL GROUP BY agency_id
        ), portals AS (
            SELECT r.agency_id, list(DISTINCT d.portal) FILTER (WHERE d.portal IS NOT NULL) AS portals
            FROM reports r JOIN documents d USING (report_id) GROUP BY r.agency_id
        )
        SELECT y.agency_id, y.agency, y.region, y.region_code, gs.year AS missing_year, y.first_year, y.last_year,
               CASE WHEN p.portals IS NULL OR len(p.portals) = 0 THEN 'portal not crawled (the body''s reports came from documents on disk)'
                    ELSE 'not found on the portal (' || array_to_string(p.portals, ', ') || ')' END AS why
        FROM years y
        CROSS JOIN LATERAL (SELECT unnest(range(y.first_year, y.last_year + 1)) AS year) gs
        LEFT JOIN portals p USING (agency_id)
        WHERE NOT list_contains(y.found, gs.year)
        """


STOCK_FLOW_SQL = """
        WITH d AS (
            SELECT r.agency_id, min(r.agency) AS agency, r.year, f."row" AS kind,
                   max(f.value) FILTER (WHERE f."column" = 'issued') AS issued,
                   max(f.value) FILTER (WHERE f."column" = 'repealed') AS repealed,
                   max(f.value) FILTER (WHERE f."column" = 'in_force') AS in_force,
                   min(r.report_id) AS report_id
            FROM facts f JOIN reports r USING (report_id)
            WHERE r.format = '2021' AND r.agency_id IS NOT NULL AND f.section = 'proactive'
              AND f."row" IN ('regulations', 'normative_documents')
            GROUP BY r.agency_id, r.year, f."row"
        )
        SELECT d.report_id, d.agency_id, d.agency, d.year, d.kind, p.in_force AS in_force_prev, d.issued, d.repealed, d.in_force,
               p.in_force + d.issued - d.repealed AS in_force_expected,
               d.in_force = p.in_force + d.issued - d.repealed AS agrees
        FROM d JOIN d p ON p.agency_id = d.agency_id AND p.kind = d.kind AND p.year = d.year - 1
        WHERE p.in_force IS NOT NULL AND d.issued IS NOT NULL AND d.repealed IS NOT NULL AND d.in_force IS NOT NULL
        """


BOILERPLATE_SQL = """
        WITH pairs AS (
            SELECT n.report_id, r.agency_id, r.agency, r.region, r.year, n.section, n.n_chars, n.n_shingles,
                   pr.report_id AS previous_report_id, p.n_shingles AS previous_shingles,
                   list_sum(list_transform(range(0, 64), lambda i: CASE WHEN substr(n.minhash, i * 8 + 1, 8) = substr(p.minhash, i * 8 + 1, 8)
                                                                  THEN 1 ELSE 0 END)) / 64.0 AS jaccard
            FROM narratives n JOIN reports r USING (report_id)
            JOIN reports pr ON pr.agency_id = r.agency_id AND pr.year = r.year - 1
            JOIN narratives p ON p.report_id = pr.report_id AND p.section = n.section
            WHERE r.agency_id IS NOT NULL
        )
        SELECT report_id, agency_id, agency, region, year, section, n_chars, previous_report_id, jaccard,
               least(1.0, jaccard * (n_shingles + previous_shingles) / ((1 + jaccard) * n_shingles)) AS containment
        FROM pairs
        """
