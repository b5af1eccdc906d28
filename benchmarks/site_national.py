"""The offline site of a synthetic national release: files, bytes, build time, and page load times in Chromium.

    uv run python benchmarks/site_national.py --scale 0.05      # 7,500 bodies, ~50,000 reports, ~10 M facts
    uv run python benchmarks/site_national.py                   # national: ~150,000 bodies, ~1 M reports, ~200 M facts

The warehouse is made directly in DuckDB with a real release's shapes: the demo release's ``xxgk.duckdb`` (its
tables, code tables and views) is copied and its tables refilled with synthetic rows: bodies spread over the real
county-level regions, one report per body and year (2019–2025, ~95 % of body-years), each report the facts of a
real report of its format (~200 numbers, values random), PDF provenance (page, bbox) for 40 % of reports and HTML
(table/row/cell) for the rest, one or two documents per report, the demo's ~44 identity checks per report with 3 %
failing, a problem on 5 % of reports.  Then :func:`website.build.build_site` builds the site and headless Chromium
opens the overview, body pages and report pages (each in a fresh context: nothing cached), reporting medians.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from website.build import build_site  # noqa: E402

NATIONAL_BODIES = 150_000
YEARS = list(range(2019, 2026))


def demo_release(work: Path) -> Path:
    data = work / "demo"
    if (data / "releases" / "latest" / "xxgk.duckdb").is_file():
        return (data / "releases" / "latest").resolve()
    subprocess.run([sys.executable, "-m", "pipelines.cli", "demo", "--data-dir", str(data)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return (data / "releases" / "latest").resolve()


def synthesise(db: Path, bodies: int) -> dict[str, int]:
    """Refill the copied demo warehouse with ``bodies`` synthetic bodies and their reports, facts and checks."""
    con = duckdb.connect(str(db))
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '6GB'")
    con.execute("CREATE TEMP TABLE tpl AS SELECT r.format, f.section, f.\"row\", f.\"column\", f.row_no, f.cell_no, f.table_no, "
                "f.page, f.bbox_x0, f.bbox_top, f.bbox_x1, f.bbox_bottom FROM facts f JOIN reports r USING (report_id) "
                "WHERE r.report_id IN (SELECT arg_max(report_id, (SELECT count(*) FROM facts g WHERE g.report_id = reports.report_id)) "
                "FROM reports GROUP BY format)")
    con.execute("CREATE TEMP TABLE ck AS SELECT DISTINCT name FROM checks WHERE name NOT LIKE 'text.%'")
    for t in ("facts", "checks", "problems", "report_documents", "documents", "reports", "agency_names", "agencies",
              "narratives", "facts_labelled", "applications_wide", "region_year_totals"):
        con.execute(f"DELETE FROM {t}")
    kinds = ["人民政府", "人民政府办公室", "统计局", "教育局", "公安局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局",
             "交通运输局", "农业农村局", "卫生健康委员会", "市场监督管理局", "应急管理局", "民政局", "司法局", "人力资源和社会保障局",
             "文化广电旅游体育局", "医疗保障局", "退役军人事务局"]
    con.execute(f"""
        CREATE TEMP TABLE bodies AS
        WITH c AS (SELECT code, full_name, name, row_number() OVER (ORDER BY code) - 1 AS k FROM regions WHERE level = 'county'),
             n AS (SELECT count(*) AS n FROM c)
        SELECT i, c.code AS region_code, c.name AS region, c.full_name || (CAST({kinds!r} AS VARCHAR[]))[1 + (i // (SELECT n FROM n)) % {len(kinds)}]
                 || CASE WHEN i // (SELECT n FROM n) >= {len(kinds)} THEN CAST(i // (SELECT n FROM n) AS VARCHAR) ELSE '' END AS name,
               'a' || c.code || '-' || substr(md5(CAST(i AS VARCHAR)), 1, 10) AS agency_id
        FROM range({bodies}) t(i) JOIN c ON c.k = i % (SELECT n FROM n)""")
    con.execute(f"""
        CREATE TEMP TABLE reps AS
        SELECT b.*, y.year, 'r' || y.year || '-' || substr(md5(b.agency_id || y.year), 1, 12) AS report_id,
               CASE WHEN y.year <= 2020 THEN 'legacy' ELSE '2021' END AS format,
               hash(b.agency_id || y.year) % 10 < 4 AS pdf
        FROM bodies b CROSS JOIN (SELECT unnest({YEARS}) AS year) y WHERE hash(b.agency_id || 'y' || y.year) % 100 < 95""")
    con.execute("""INSERT INTO agencies BY NAME SELECT agency_id, name, region_code, region, 'county' AS level,
        'department' AS kind, min(year) AS first_year, max(year) AS last_year, count(*) AS n_reports
        FROM reps GROUP BY ALL""")
    con.execute("INSERT INTO agency_names BY NAME SELECT agency_id, name AS printed_name, first_year, last_year FROM agencies")
    con.execute("""INSERT INTO reports BY NAME SELECT report_id, agency_id, name AS agency, name AS agency_name,
        'county' AS agency_level, 'department' AS agency_kind, region, region_code, year, 'title' AS year_source,
        'title' AS agency_source, 'name' AS region_source, format, 'agency' AS scope,
        make_date(year + 1, 1, 1) + CAST(hash(report_id) % 60 AS INTEGER) AS published_on, 'text' AS published_on_source,
        name || year || '年政府信息公开工作年度报告' AS title, sha256(report_id) AS canonical_sha256,
        'https://www.example.gov.cn/' || report_id || CASE WHEN pdf THEN '.pdf' ELSE '.html' END AS source_url,
        CASE WHEN pdf THEN 2 ELSE 1 END AS n_documents, true AS documents_agree FROM reps""")
    con.execute("""INSERT INTO documents BY NAME SELECT sha256(report_id) AS sha256, 'https://www.example.gov.cn/' || report_id ||
        CASE WHEN pdf THEN '.pdf' ELSE '.html' END AS url, 'raw/objects/x' AS path, 'synthetic' AS portal,
        CASE WHEN pdf THEN 'application/pdf' ELSE 'text/html' END AS media_type, 150000 AS bytes,
        '2026-01-01T00:00:00+00:00' AS fetched_at, 'parsed' AS outcome, report_id FROM reps""")
    con.execute("""INSERT INTO documents BY NAME SELECT sha256(report_id || 'page') AS sha256, 'https://www.example.gov.cn/' ||
        report_id || '.html' AS url, 'raw/objects/y' AS path, 'synthetic' AS portal, 'text/html' AS media_type, 4000 AS bytes,
        '2026-01-01T00:00:00+00:00' AS fetched_at, 'parsed' AS outcome, report_id FROM reps WHERE pdf""")
    con.execute("""INSERT INTO report_documents BY NAME SELECT report_id, sha256, media_type, sha256 = sha256(report_id) AS canonical,
        200 AS facts_compared, 0 AS facts_differing, 0 AS only_here, 0 AS only_in_canonical, true AS agrees FROM documents""")
    con.execute("""INSERT INTO facts BY NAME SELECT r.report_id, t.section, t."row", t."column",
        CAST(hash(r.report_id || t."row" || t."column") % 500 AS DOUBLE) AS value,
        CAST(hash(r.report_id || t."row" || t."column") % 500 AS VARCHAR) AS raw, NULL AS note, false AS derived,
        sha256(r.report_id) AS sha256,
        CASE WHEN r.pdf THEN coalesce(t.page, 3) END AS page, t.table_no, t.row_no, t.cell_no, NULL AS line,
        CASE WHEN r.pdf THEN coalesce(t.bbox_x0, 300.0) END AS bbox_x0, CASE WHEN r.pdf THEN coalesce(t.bbox_top, 400.0) END AS bbox_top,
        CASE WHEN r.pdf THEN coalesce(t.bbox_x1, 340.0) END AS bbox_x1, CASE WHEN r.pdf THEN coalesce(t.bbox_bottom, 418.0) END AS bbox_bottom,
        NULL AS ocr_confidence
        FROM reps r JOIN tpl t ON t.format = r.format""")
    con.execute("""INSERT INTO checks BY NAME SELECT r.report_id, c.name, hash(r.report_id || c.name) % 100 >= 3 AS passed,
        'synthetic' AS detail FROM reps r CROSS JOIN ck c""")
    con.execute("""INSERT INTO problems BY NAME SELECT report_id, sha256(report_id) AS sha256, 'missing_row' AS kind,
        'applications' AS section, 'carried_over_next' AS "row", 'expected in the 2021 format but not found' AS detail
        FROM reps WHERE hash(report_id || 'p') % 100 < 5""")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("agencies", "reports", "facts", "documents", "checks")}
    con.execute("CHECKPOINT")
    con.close()
    return counts


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}/site/index.html"


def load_times(base: str, routes: list[str], ready: str) -> list[float]:
    """Seconds from navigation to the page's content being in the DOM, each in a fresh browser context (cold cache)."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu",
                              "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"])
        for r in routes:
            ctx = b.new_context()
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(base + r)
            page.wait_for_selector(ready)
            page.wait_for_selector("body[data-ready=true]")
            out.append(time.perf_counter() - t0)
            ctx.close()
        b.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="share of a national release (1.0: 150,000 bodies)")
    ap.add_argument("--work", type=Path, help="folder to work in (default: a temporary one, removed after)")
    ap.add_argument("--samples", type=int, default=7)
    ap.add_argument("--reuse", action="store_true", help="keep the synthetic warehouse already in --work/national")
    ap.add_argument("--memory", default="6GB", help="DuckDB memory limit for the build (a shared machine: default 6GB)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="site-national-"))
    try:
        release = demo_release(work)
        folder = work / "national"
        if args.reuse and (folder / "xxgk.duckdb").is_file():
            print("reusing the synthetic warehouse in", folder, flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for f in ("xxgk.duckdb", "CITATION.cff", "SHA256SUMS", "README.md"):
                shutil.copyfile(release / f, folder / f)
            t0 = time.perf_counter()
            counts = synthesise(folder / "xxgk.duckdb", int(NATIONAL_BODIES * args.scale))
            print(f"synthetic warehouse: {counts} in {time.perf_counter() - t0:.0f} s", flush=True)
        summary = build_site(folder, memory_limit=args.memory)
        print(f"site: {summary.files:,} files, {summary.bytes / 1e6:,.1f} MB, built in {summary.seconds:.0f} s "
              f"({summary.bodies:,} bodies, {summary.reports:,} reports)", flush=True)
        con = duckdb.connect(str(folder / "xxgk.duckdb"), read_only=True)
        bodies = [r[0] for r in con.execute(f"SELECT agency_id FROM agencies USING SAMPLE {args.samples} ROWS (reservoir, 42)").fetchall()]
        reports = [r[0] for r in con.execute(f"SELECT report_id FROM reports WHERE report_id IN (SELECT report_id FROM documents "
                                             f"WHERE media_type = 'application/pdf') USING SAMPLE {args.samples} ROWS (reservoir, 42)").fetchall()]
        con.close()
        srv, base = serve(folder)
        try:
            first = load_times(base, ["#/"] * args.samples, "#count-reports")
            body = load_times(base, [f"#/body/{b}" for b in bodies], "#body-name")
            report = load_times(base, [f"#/report/{r}" for r in reports], "table.report")
        finally:
            srv.shutdown()
        print(f"time to first page (overview), median of {len(first)}: {statistics.median(first):.2f} s")
        print(f"time to a body page (cold), median of {len(body)}: {statistics.median(body):.2f} s")
        print(f"time to a report page (cold), median of {len(report)}: {statistics.median(report):.2f} s")
        sizes = sorted(p.stat().st_size for p in (folder / "site" / "data" / "reports").rglob("*.json"))
        bsizes = sorted(p.stat().st_size for p in (folder / "site" / "data" / "bodies").rglob("*.json"))
        ssizes = sorted(p.stat().st_size for p in (folder / "site" / "data" / "search").rglob("*.json"))
        for name, s in (("report shards", sizes), ("body shards", bsizes), ("search files", ssizes)):
            print(f"{name}: {len(s):,} files, median {statistics.median(s) / 1e3:.1f} KB, max {s[-1] / 1e3:.1f} KB")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
