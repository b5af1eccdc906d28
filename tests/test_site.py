"""The release's offline site, opened in headless Chromium: the numbers a reader sees are the warehouse's.

A demo release is built once (the offline demo: harvest, parse, warehouse, release), its folder served on
127.0.0.1 by ``http.server`` and the overview, a body page and a report page opened with Playwright in Debian's
Chromium.  No console error and no failed request are allowed; the counts, a body's years and every cell of a
PDF report's three tables are read from the rendered DOM and compared with ``xxgk.duckdb``; a clicked cell shows
its provenance and the source page drawn by pdf.js with the cell outlined.  Screenshots are written to
``$XXGK_TEST_ARTIFACTS`` (default ``tests/artifacts/``, not committed) for a person to look at.
"""

from __future__ import annotations

import functools
import hashlib
import json
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.build import demo
from website.build import build_site
from website.shards import fnv1a

ARTIFACTS = Path(os.environ.get("XXGK_TEST_ARTIFACTS", Path(__file__).parent / "artifacts")) / "site"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("site-demo")
    assert demo(data) == 0
    folder = (data / "releases" / "latest").resolve()
    assert (folder / "site" / "index.html").is_file(), "the release was published without its site"
    return folder


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _q(release: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(release / "xxgk.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_site_is_deterministic_and_rebuilt_whole(release: Path, tmp_path: Path) -> None:
    shipped = _tree(release / "site")
    copy = tmp_path / "copy"
    shutil.copytree(release, copy, ignore=shutil.ignore_patterns("site"))
    summary = build_site(copy, version=release.name)
    again = _tree(copy / "site")
    ov = "data/overview.json"
    assert {k: v for k, v in again.items() if k != ov} == {k: v for k, v in shipped.items() if k != ov}  # same bytes
    # the overview's build-time file list differs (the hook runs before README, CITATION.cff, SHA256SUMS exist)
    first, second = (json.loads((f / "site" / ov).read_text(encoding="utf-8")) for f in (release, copy))
    late = ("downloads", "citation")  # read by the browser from the sealed release instead
    assert {k: v for k, v in first.items() if k not in late} == {k: v for k, v in second.items() if k not in late}
    assert summary.files == len(shipped)
    assert summary.reports == _q(release, "SELECT count(*) FROM reports")[0][0]
    assert summary.bodies == _q(release, "SELECT count(*) FROM agencies")[0][0]
    assert not [p for p in copy.iterdir() if p.name.startswith(".")]  # no temporary folder left behind


def test_shard_hash_is_fnv1a() -> None:
    # FNV-1a 32-bit reference values (the empty string is the offset basis; "a" from the published test vectors)
    assert fnv1a("") == "811c9dc5"
    assert fnv1a("a") == "e40c292c"
    assert fnv1a("foobar") == "bf9cf968"


@pytest.fixture(scope="module")
def server(release: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(release)))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/site/index.html"
    srv.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A page that records every console error, page error, failed request and HTTP error it meets."""

    def __init__(self, browser: object) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready=true]")

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector).strip()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def test_overview(release: Path, server: str, browser: object) -> None:
    p = Page(browser)
    p.open(server + "#/")
    p.shot("overview")
    assert _int(p.text("#count-reports")) == _q(release, "SELECT count(*) FROM reports")[0][0]
    assert _int(p.text("#count-bodies")) == _q(release, "SELECT count(*) FROM agencies")[0][0]
    assert _int(p.text("#count-facts")) == _q(release, "SELECT count(*) FROM facts")[0][0]
    assert p.text("#release-version") == release.name
    cells = p.page.eval_on_selector_all("table.coverage td.heat", "els => els.map(e => e.textContent.trim())")
    assert sum(int(c) for c in cells if c) == _q(release, "SELECT count(*) FROM reports")[0][0]
    names = p.page.eval_on_selector_all("table.downloads td:first-child", "els => els.map(e => e.textContent.trim())")
    listed = [line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
              if "/" not in line.split("  ", 1)[1]]  # the release's own files; folders' files are summed per folder
    assert set(listed) <= set(names)
    assert "政府信息公开" in p.text("h1")  # Chinese text is in the DOM whatever fonts the machine has
    for q, want in (("乐清", "乐清市"), ("yueqing", "乐清市")):
        p.page.fill("#search-input", q)
        p.page.wait_for_selector("#search-results a.hit")
        hits = p.page.eval_on_selector_all("#search-results a.hit", "els => els.map(e => e.textContent)")
        assert hits and all(want in h for h in hits), (q, hits)
    p.shot("search")
    assert p.errors == []


def test_body_page(release: Path, server: str, browser: object) -> None:
    agency_id, n = _q(release, "SELECT agency_id, count(*) FROM reports WHERE agency_id IS NOT NULL "
                               "GROUP BY agency_id ORDER BY count(*) DESC, agency_id LIMIT 1")[0]
    p = Page(browser)
    p.open(server + f"#/body/{agency_id}")
    p.shot("body")
    name, = _q(release, "SELECT name FROM agencies WHERE agency_id = ?", [agency_id])[0]
    assert p.text("#body-name") == name
    years = [r[0] for r in _q(release, "SELECT year FROM reports WHERE agency_id = ? ORDER BY year", [agency_id])]
    assert p.text("#body-years") == ", ".join(map(str, years)) and len(years) == n
    rows = p.page.eval_on_selector_all("table.body-reports tbody tr", """els => els.map(e => [
        e.querySelector('td.year').textContent, e.querySelector('td.granted').textContent,
        e.querySelector('td.processed').textContent])""")
    want = _q(release, """SELECT r.year,
        max(f.value) FILTER (WHERE f."row" = 'granted'), max(f.value) FILTER (WHERE f."row" = 'processed_total')
        FROM reports r LEFT JOIN facts f ON f.report_id = r.report_id AND f.section = 'applications' AND f."column" = 'total'
        WHERE r.agency_id = ? GROUP BY r.report_id, r.year ORDER BY r.year, r.report_id""", [agency_id])
    assert [(int(y), _int(g) if g else None, _int(t) if t else None) for y, g, t in rows] == \
        [(y, None if g is None else int(g), None if t is None else int(t)) for y, g, t in want]
    docs = _q(release, "SELECT count(*) FROM report_documents JOIN reports USING (report_id) WHERE agency_id = ?", [agency_id])[0][0]
    assert len(p.page.query_selector_all("table.body-documents tbody tr")) == docs
    assert p.errors == []


def test_report_page_numbers_and_source(release: Path, server: str, browser: object) -> None:
    report_id, sha, source_file = _q(release, """
        SELECT r.report_id, r.canonical_sha256, d.source_file FROM reports r JOIN documents d ON d.sha256 = r.canonical_sha256
        WHERE d.media_type = 'application/pdf' AND EXISTS (SELECT 1 FROM facts f WHERE f.report_id = r.report_id AND f.bbox_x0 IS NOT NULL)
        ORDER BY r.report_id LIMIT 1""")[0]
    p = Page(browser)
    p.open(server + f"#/report/{report_id}")
    facts = {(s, r, c): v for s, r, c, v in _q(release, 'SELECT section, "row", "column", value FROM facts WHERE report_id = ?', [report_id])}
    shown = p.page.eval_on_selector_all("td.cell", "els => els.map(e => [e.dataset.section, e.dataset.row, e.dataset.col, e.dataset.value])")
    got = {(s, r, c): (float(v) if v != "" else None) for s, r, c, v in shown}
    assert len(shown) == len(got) == len(facts)  # every fact once, none invented
    assert got == facts
    assert _int(p.text("#report-granted")) == facts[("applications", "granted", "total")]
    assert _int(p.text("#report-processed")) == facts[("applications", "processed_total", "total")]
    fmt, = _q(release, "SELECT format FROM reports WHERE report_id = ?", [report_id])[0]
    used = {r for s, r, _ in facts if s == "applications"}
    expected = [zh for code, zh, formats in _q(release, "SELECT code, label_zh, formats FROM code_rows WHERE section = "
                                                        "'applications' AND kind <> 'heading' ORDER BY sort_order")
                if code in used or fmt in (formats or "").split(",")]
    printed = p.page.eval_on_selector_all("table.report[data-section=applications] th.rowlabel", "els => els.map(e => e.textContent)")
    assert printed == expected  # the rows in the template's order, with its Chinese labels
    # a printed number with a bbox: its provenance, and the source page with the cell outlined
    row, col, page, x0, top, x1, bottom = _q(release, """
        SELECT "row", "column", page, bbox_x0, bbox_top, bbox_x1, bbox_bottom FROM facts
        WHERE report_id = ? AND section = 'applications' AND bbox_x0 IS NOT NULL ORDER BY "row", "column" LIMIT 1""", [report_id])[0]
    p.page.click(f"td.cell[data-section=applications][data-row={row}][data-col={col}]")
    assert p.text("#prov-sha") == sha
    assert int(p.text("#prov-page")) == page
    assert [float(x) for x in p.text("#prov-bbox").split(",")] == [round(v, 1) for v in (x0, top, x1, bottom)]
    assert source_file, "the release does not ship the PDF the report's numbers come from"
    p.page.wait_for_selector(".source-view canvas + .outline", timeout=30_000)
    canvas = p.page.eval_on_selector(".source-view canvas", "e => [e.width, e.height]")
    box = p.page.eval_on_selector(".source-view .outline", "e => [e.offsetLeft, e.offsetTop, e.offsetWidth, e.offsetHeight]")
    assert 0 <= box[0] < canvas[0] and 0 <= box[1] < canvas[1] and box[2] > 2 and box[3] > 2
    p.shot("report")
    assert p.errors == []


def test_dictionary_and_validation(release: Path, server: str, browser: object) -> None:
    p = Page(browser)
    p.open(server + "#/dictionary")
    p.shot("dictionary")
    tables = {t for t, in _q(release, "SELECT table_name FROM duckdb_tables() WHERE NOT internal")}
    views = {v for v, in _q(release, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    shown = set(p.page.eval_on_selector_all("h2[id^=rel-]", "els => els.map(e => e.id.slice(4))"))
    assert tables | views <= shown
    p.open(server + "#/validation")
    p.shot("validation")
    kinds = {k for k, in _q(release, "SELECT DISTINCT kind FROM problems")}
    rendered = set(p.page.eval_on_selector_all("table tbody tr td:first-child", "els => els.map(e => e.textContent)"))
    assert kinds <= rendered
    assert p.errors == []


def test_shipped_font_covers_the_pages_own_chinese(release: Path) -> None:
    # a machine with no CJK font still draws the site's own labels: the subset font shipped with it has every glyph
    from fontTools.ttLib import TTFont

    site = release / "site"
    cmap = TTFont(site / "fonts" / "NotoSerifSC-xxgk.ttf").getBestCmap()
    text = "".join((site / name).read_text(encoding="utf-8") for name in ("index.html", "app.js"))
    chinese = {c for c in text if ord(c) >= 0x2E80}
    assert len(chinese) > 50
    assert sorted(c for c in chinese if ord(c) not in cmap) == []


def test_xxgk_site_never_writes_into_a_sealed_release(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A release is immutable (SHA256SUMS covers its site): `xxgk site` writes a release's site elsewhere, by default
    <data dir>/sites/<version>, and refuses a folder inside the release."""
    from pipelines.cli import main

    data = release.parents[1]
    before = _tree(release)
    assert main(["site", "--data-dir", str(data), "--out", str(release / "site")]) == 2
    assert "sealed" in capsys.readouterr().err
    assert main(["site", "--data-dir", str(data)]) == 0
    assert _tree(release) == before
    built = data / "sites" / release.name
    assert (built / "index.html").is_file()
    shipped = _tree(release / "site")
    assert {k for k in _tree(built) if k.startswith("data/reports/")} == {k for k in shipped if k.startswith("data/reports/")}
