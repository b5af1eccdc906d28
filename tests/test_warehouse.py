"""The DuckDB warehouse and the releases: content against the goldens, views against hand-computed answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from frictionless import Package

from pipelines.build import Layout, build, folder_sources, release
from pipelines.cli import main
from synth.layout import MediaStyle
from synth.layout import build as build_spec
from synth.media import render_html, render_pdf
from synth.model import from_golden, make_consistent, random_report
from synth.text import Style, render_text
from warehouse import release as release_mod
from warehouse.schema import CODE_TABLES, TABLES

from .conftest import GOLDENS, SEEDS, load_golden


def _docs(folder: Path) -> Path:
    """The five seeds, 000 and 003 also as an HTML page and a PDF attachment, and three synthetic reports."""
    folder.mkdir(parents=True, exist_ok=True)
    for s in SEEDS:
        shutil.copy(s, folder / s.name)
    for g in (GOLDENS[0], GOLDENS[3]):
        rep = from_golden(load_golden(g))
        spec = build_spec(rep, MediaStyle())
        (folder / f"{g.stem}.html").write_bytes(render_html(spec, "hanweb"))
        (folder / f"{g.stem}.pdf").write_bytes(render_pdf(spec))
    # a 2021 report whose 三(六) sub-rows are 1, 2 and 3 (natural persons): other_total derives to 6
    rep = random_report(random.Random(5), "2021", consistent=True)
    rep.agency, rep.year = "乐清市教育局", 2023
    for row, v in (("other_no_correction", 1), ("other_fee_unpaid", 2), ("other_other", 3)):
        rep.facts[("applications", row, "natural_person")] = v
    make_consistent(rep)
    (folder / "edu2023.txt").write_text(render_text(rep, Style()), encoding="utf-8")
    # a department of 乐清市 in 2019: the region's combined 2019 report must not be added to it
    dep = random_report(random.Random(6), "legacy", consistent=True)
    dep.agency, dep.year = "乐清市财政局", 2019
    (folder / "fin2019.txt").write_text(render_text(dep, Style(layout="pipes")), encoding="utf-8")
    # a township of 乐清市 in 2023: its region is the township (12-digit code); it counts in 乐清市's totals
    town = random_report(random.Random(9), "2021", consistent=True)
    town.agency, town.year = "乐清市柳市镇人民政府", 2023
    (folder / "town2023.txt").write_text(render_text(town, Style()), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Layout, Path]:
    root = tmp_path_factory.mktemp("wh")
    docs = _docs(root / "docs")
    layout = Layout(root / "data")
    build(layout, folder_sources(docs))
    return layout, docs


def _q(layout: Layout, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(layout.db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_warehouse_facts_match_the_goldens(built) -> None:
    layout, _ = built
    for g in GOLDENS:
        gold = load_golden(g)
        rows = _q(
            layout,
            'SELECT section, "row", "column", value, note FROM v_facts WHERE agency = ? AND year = ?',
            [gold["report"]["agency"], gold["report"]["year"]],
        )
        got = {(s, r, c): (v, n) for s, r, c, v, n in rows}
        assert got == {(f["section"], f["row"], f["column"]): (float(f["value"]), f.get("note")) for f in gold["facts"]}
        meta = _q(layout, "SELECT region, format, scope, published_on FROM reports WHERE agency = ? AND year = ?", [gold["report"]["agency"], gold["report"]["year"]])
        region, fmt, scope, published = meta[0]
        assert (region, fmt, scope) == (gold["report"]["region"], gold["report"]["format"], gold["report"]["scope"])
        if "published_on" in gold["report"]:
            assert published.isoformat() == gold["report"]["published_on"]


def test_one_report_per_body_and_year_whatever_the_documents(built) -> None:
    layout, _ = built
    assert _q(layout, "SELECT count(*) FROM reports")[0][0] == 8
    assert _q(layout, "SELECT count(*) FROM documents")[0][0] == 12
    rows = _q(
        layout,
        "SELECT r.agency, r.n_documents, r.documents_agree, count(*) FILTER (WHERE d.canonical), "
        "string_agg(d.media_type, ',' ORDER BY d.media_type) FROM reports r JOIN report_documents d USING (report_id) "
        "WHERE r.n_documents > 1 GROUP BY ALL ORDER BY 1",
    )
    assert sorted(rows) == sorted(
        [
            ("清远市人民政府办公室", 3, True, 1, "application/pdf,text/html,text/plain"),
            ("乐清市人民政府办公室", 3, True, 1, "application/pdf,text/html,text/plain"),
        ]
    )


def test_documents_that_disagree_are_flagged(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEEDS[0], docs / "a.txt")
    text = SEEDS[0].read_text(encoding="utf-8").replace("行政规范性文件\t23\t9\t238", "行政规范性文件\t23\t9\t239")
    (docs / "b.txt").write_text(text, encoding="utf-8")
    layout = Layout(tmp_path / "data")
    build(layout, folder_sources(docs))
    assert _q(layout, "SELECT n_documents, documents_agree FROM reports") == [(2, False)]
    rows = _q(layout, "SELECT canonical, facts_compared, facts_differing, agrees FROM report_documents ORDER BY canonical")
    assert rows == [(False, 200, 1, False), (True, 200, 0, True)]


def test_every_table_view_and_column_has_a_comment(built) -> None:
    layout, _ = built
    tables = _q(layout, "SELECT table_name, comment FROM duckdb_tables()")
    views = _q(layout, "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal")
    cols = _q(layout, "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal")
    assert {t for t, _ in tables} >= set(TABLES) | {"code_rows", "code_columns", "code_sections", "code_formats", "code_scopes"}
    assert {v for v, _ in views} == {"v_reports", "v_facts", "v_outcomes_harmonised", "v_region_year_totals", "v_failed_checks", "v_applications_wide",
                                     "v_indicators", "v_text_disagreements", "v_timeliness", "v_missing_reports", "v_documents_in_force",
                                     "v_boilerplate", "v_label_variants", "v_portal_status"}
    assert all(c for _, c in tables + views)
    assert len(cols) > 250 and all(c for _, _, c in cols), [x for x in cols if not x[2]][:5]


def test_code_tables_label_every_code(built) -> None:
    layout, _ = built
    missing = _q(
        layout,
        'SELECT DISTINCT f.section, f."row" FROM facts f LEFT JOIN code_rows c ON c.section = f.section AND c.code = f."row" WHERE c.code IS NULL',
    )
    assert missing == []
    assert _q(layout, "SELECT label_zh, label_en FROM code_columns WHERE section = 'applications' AND code = 'social_welfare_org'") == [
        ("社会公益组织", "Social welfare organisations")
    ]


def test_views_against_hand_computed_answers(built) -> None:
    layout, _ = built
    # 乐清市人民政府 2019 granted 191 in total (seed 004, read by hand)
    assert _q(layout, "SELECT granted__total, processed_total__total FROM v_applications_wide WHERE agency = '乐清市人民政府'") == [(191.0, 444.0)]
    # other_total derived for the 2021 report: 1 + 2 + 3
    assert _q(
        layout,
        "SELECT o.value, o.derived FROM v_outcomes_harmonised o JOIN reports r USING (report_id) "
        "WHERE r.agency = '乐清市教育局' AND o.\"row\" = 'other_total' AND o.\"column\" = 'natural_person'",
    ) == [(6.0, True)]
    # legacy other_total is printed, not derived
    assert _q(
        layout,
        "SELECT o.derived FROM v_outcomes_harmonised o JOIN reports r USING (report_id) "
        "WHERE r.agency = '乐清市人民政府' AND o.\"row\" = 'other_total' AND o.\"column\" = 'total'",
    ) == [(False,)]
    # 乐清市 2019: the combined report only (450 new applications), the 财政局's own report is not added
    assert _q(
        layout,
        "SELECT value, basis, n_reports FROM v_region_year_totals WHERE region = '乐清市' AND year = 2019 "
        "AND \"row\" = 'new_received' AND \"column\" = 'total'",
    ) == [(450.0, "region_aggregate", 1)]
    # 乐清市 2023: no combined report, so the bodies' reports are summed: 70 (办公室) + 0 (融媒体中心) + 教育局
    # + 柳市镇 (a township counts in its county)
    edu, town = (
        _q(layout, "SELECT value FROM v_facts WHERE agency = ? AND \"row\" = 'new_received' AND \"column\" = 'total'", [a])[0][0]
        for a in ("乐清市教育局", "乐清市柳市镇人民政府")
    )
    assert _q(layout, "SELECT region_code, agency_level FROM reports WHERE agency = '乐清市柳市镇人民政府'") == [("330382121000", "township")]
    assert _q(
        layout,
        "SELECT value, basis, n_reports, region_code FROM v_region_year_totals WHERE region = '乐清市' AND year = 2023 "
        "AND \"row\" = 'new_received' AND \"column\" = 'total'",
    ) == [(70.0 + edu + town, "sum_of_agency_reports", 4, "330382")]
    assert not _q(layout, "SELECT * FROM v_region_year_totals WHERE region = '柳市镇' OR region_code IS NULL")
    failed = _q(layout, "SELECT agency, failed_checks FROM v_failed_checks")
    assert [a for a, _ in failed] == ["清远市人民政府办公室"]
    assert "applications.new_received: columns do not add up to total (54 != 55)" in failed[0][1]


def test_query_command_prints_a_table(built, capsys) -> None:
    layout, _ = built
    assert main(["query", "--data-dir", str(layout.root), "SELECT agency, year FROM reports WHERE scope = 'region_aggregate'"]) == 0
    out = capsys.readouterr().out
    assert "乐清市人民政府" in out and "2019" in out and "(1 row)" in out
    assert main(["query", "--data-dir", str(layout.root), "SELECT nope FROM nowhere"]) == 1


# ------------------------------------------------------------------ releases


def _verify_release(folder: Path) -> dict:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    report = Package.validate_descriptor(descriptor)
    assert report.valid, [e.message for e in report.errors]
    assert release_mod.validate(folder) == []
    for res in descriptor["resources"]:
        data = (folder / res["path"]).read_bytes()
        if "bytes" in res:  # files; tables are checksummed in SHA256SUMS only (frictionless cannot measure Parquet)
            assert res["bytes"] == len(data)
            assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        if res.get("type") == "table":
            df = pl.read_parquet(folder / res["path"])
            assert [f["name"] for f in res["schema"]["fields"]] == df.columns
            assert all(f["description"] for f in res["schema"]["fields"])
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    return descriptor


def test_release_is_valid_and_checksummed(built) -> None:
    layout, _ = built
    rel = release(layout, today=dt.date(2026, 1, 2))
    assert rel.name == "v2026.01.02"
    descriptor = _verify_release(rel)
    assert {r["name"] for r in descriptor["resources"]} >= set(TABLES) | set(CODE_TABLES) | {"warehouse"}
    assert (layout.releases / "latest").resolve() == rel.resolve()
    # nothing changed: no second version
    with pytest.raises(release_mod.NothingChanged, match="nothing changed since v2026.01.02"):
        release(layout, today=dt.date(2026, 1, 2))
    assert sorted(p.name for p in layout.releases.iterdir()) == ["latest", "v2026.01.02"]


def _first_release_of_three_seeds(tmp_path: Path) -> tuple[Path, Layout, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for s in SEEDS[:3]:
        shutil.copy(s, docs / s.name)
    layout = Layout(tmp_path / "data")
    build(layout, folder_sources(docs))
    return docs, layout, release(layout, today=dt.date(2026, 3, 1))


def test_a_release_whose_only_change_is_a_document_says_so(tmp_path: Path) -> None:
    """#22: a new document that is no report changes no report or fact, but the changelog names what changed."""
    docs, layout, first = _first_release_of_three_seeds(tmp_path)
    (docs / "通知.txt").write_text("乐清市人民政府办公室关于召开政务公开工作推进会的通知\n各乡镇人民政府：定于下周召开会议。\n", encoding="utf-8")
    build(layout, folder_sources(docs))
    second = release(layout, today=dt.date(2026, 3, 2))
    log = (second / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Reports added: 0" in log and "## Facts changed: 0" in log
    assert "- documents: 3 → 4 rows" in log
    assert "## Documents added: 1" in log and "## Documents removed: 0" in log
    assert first.name != second.name


def test_second_release_lists_exactly_the_differences(tmp_path: Path) -> None:
    docs, layout, first = _first_release_of_three_seeds(tmp_path)
    # change one number, remove one report, add one
    text = (docs / SEEDS[0].name).read_text(encoding="utf-8").replace("行政规范性文件\t23\t9\t238", "行政规范性文件\t23\t9\t240")
    (docs / SEEDS[0].name).write_text(text, encoding="utf-8")
    (docs / SEEDS[1].name).unlink()
    shutil.copy(SEEDS[4], docs / SEEDS[4].name)
    build(layout, folder_sources(docs))  # 3 reports again: one out, one in
    second = release(layout, today=dt.date(2026, 3, 2))
    log = (second / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"Changes since {first.name}." in log
    assert "## Reports added: 1\n- r2019-" in log and "(乐清市人民政府 2019)" in log
    assert "## Reports removed: 1\n- r2020-" in log and "(乐清市机关事务管理中心 2020)" in log
    assert "## Facts changed: 1\n" in log
    assert "proactive.normative_documents.in_force: 238 → 240" in log
    assert "## Facts added to existing reports: 0" in log
    assert "## Facts removed from existing reports: 0" in log
    _verify_release(second)


def test_release_killed_half_way_leaves_the_previous_one_latest(tmp_path: Path, monkeypatch) -> None:
    docs, layout, good = _first_release_of_three_seeds(tmp_path)
    text = (docs / SEEDS[0].name).read_text(encoding="utf-8").replace("行政规范性文件\t23\t9\t238", "行政规范性文件\t23\t9\t240")
    (docs / SEEDS[0].name).write_text(text, encoding="utf-8")
    build(layout, folder_sources(docs))

    def boom(*a, **k):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(release_mod, "datapackage", boom)
    with pytest.raises(KeyboardInterrupt):
        release(layout, today=dt.date(2026, 5, 2))
    assert (layout.releases / "latest").resolve() == good.resolve()
    assert not (layout.releases / "v2026.05.02").exists()
    monkeypatch.undo()
    after = release(layout, today=dt.date(2026, 5, 2))
    assert after.name == "v2026.05.02"
    assert not list(layout.releases.glob(".tmp-*"))  # the killed run's leftovers are cleaned
    assert (layout.releases / "latest").resolve() == after.resolve()


def test_release_after_the_id_scheme_change_lists_old_and_new_ids(tmp_path: Path) -> None:
    """Ids change once, on purpose (issue #8): the changelog maps each old id to its new one, nothing is 'removed'."""
    docs, layout, first = _first_release_of_three_seeds(tmp_path)
    # rewrite the first release as the old scheme published it: ids from the printed name and the year
    reports = pl.read_parquet(first / "reports.parquet")
    old = {
        r["report_id"]: "r%d-%s" % (r["year"], hashlib.sha256(f"xxgk-report\x1f{r['agency']}\x1f{r['year']}".encode()).hexdigest()[:12])
        for r in reports.iter_rows(named=True)
    }
    for name in ("reports", "facts", "report_documents"):
        df = pl.read_parquet(first / f"{name}.parquet")
        df.with_columns(pl.col("report_id").replace(old)).write_parquet(first / f"{name}.parquet")
    second = release(layout, today=dt.date(2026, 3, 2))
    log = (second / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Reports added: 0\n" in log and "## Reports removed: 0\n" in log
    assert f"## Report ids changed: {len(old)}\n" in log
    for new_id, old_id in old.items():
        assert f"- {old_id} → {new_id} (" in log
    assert "## Facts changed: 0\n" in log and "## Facts added to existing reports: 0" in log


def test_stored_views_are_the_views_they_store(built, tmp_path: Path, monkeypatch) -> None:
    """v_applications_wide built two reports at a time is the same table as built at once, in the same order; the
    stored v_facts and v_region_year_totals hold exactly what their queries compute."""
    from warehouse import database

    layout, _ = built
    con = duckdb.connect(str(layout.db), read_only=True)
    try:
        at_once = con.execute("SELECT * FROM applications_wide").fetchall()
        for view in ("v_facts", "v_region_year_totals"):
            stored = con.execute(f"SELECT * FROM {view}").fetchall()
            computed = con.execute(database.VIEWS[view][1]).fetchall()
            assert sorted(map(str, stored)) == sorted(map(str, computed)) and stored
        assert con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'v_facts' AND column_name = 'section'").fetchone()[0].startswith("ENUM")
    finally:
        con.close()
    monkeypatch.setattr(database, "REPORT_BATCH", 2)
    db = database.build_warehouse(layout.parquet, tmp_path / "batched.duckdb")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT * FROM applications_wide").fetchall() == at_once
        assert len(at_once) > 2
    finally:
        con.close()
