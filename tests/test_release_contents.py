"""A release describes itself (#24): its views as Parquet, its codebook and row hierarchy, names in pinyin and
English, fetched_at as an instant, the documents its reports cite, a README of what is there, the basis of
series over years, and a hook that adds files (the site) before it is sealed.  On a fresh demo build."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import duckdb
import polars as pl
import pytest
from frictionless import Package

from archive import manifest
from identity.romanize import ESTABLISHED
from pipelines.build import Layout, demo
from warehouse import generations
from warehouse.indicators import DENIED
from warehouse.release import ReleaseInvalid, make_release, validate
from warehouse.schema import ALL_TABLES, CODE_TABLES

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    assert demo(root, REPO / "data" / "samples") == 0
    return root


@pytest.fixture(scope="module")
def rel(demo_dir: Path) -> Path:
    return (Layout(demo_dir).releases / "latest").resolve()


def _q(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _sums(rel: Path) -> dict[str, str]:
    return {name: digest for digest, name in (line.split("  ", 1) for line in (rel / "SHA256SUMS").read_text().splitlines())}


# ------------------------------------------------------------------ 1. views as Parquet


def test_every_view_ships_as_parquet_described_as_in_duckdb(rel: Path) -> None:
    db = rel / "xxgk.duckdb"
    views = [v for (v,) in _q(db, "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1")]
    assert len(views) >= 12 and "v_region_year_totals" in views
    assert sorted(p.stem for p in (rel / "views").glob("*.parquet")) == views
    descriptor = json.loads((rel / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    sums = _sums(rel)
    for v in views:
        path = rel / "views" / f"{v}.parquet"
        cols = _q(db, "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [v])
        assert pl.read_parquet_schema(path).names() == [c for c, _ in cols]
        assert pl.scan_parquet(path).select(pl.len()).collect().item() == _q(db, f'SELECT count(*) FROM "{v}"')[0][0]
        res = resources[v]
        assert res["path"] == f"views/{v}.parquet" and res["type"] == "table"
        # the descriptions are those the declarations wrote as DuckDB comments
        assert [(f["name"], f["description"]) for f in res["schema"]["fields"]] == cols
        assert sums[f"views/{v}.parquet"] == hashlib.sha256(path.read_bytes()).hexdigest()
    # the same rows as the view: v_facts, read from the Parquet file, is the view
    assert sorted(pl.read_parquet(rel / "views" / "v_facts.parquet")["value"].drop_nulls().to_list()) == sorted(
        v for (v,) in _q(db, "SELECT value FROM v_facts WHERE value IS NOT NULL"))
    report = Package(str(rel / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "type", "message"])[:10]


# ------------------------------------------------------------------ 2. the codebook and the row hierarchy


def test_code_rows_has_parents_and_categories_from_the_template(rel: Path) -> None:
    rows = pl.read_parquet(rel / "code_rows.parquet")
    parent = {(r["section"], r["code"]): r["parent"] for r in rows.iter_rows(named=True)}
    category = {(r["section"], r["code"]): r["category"] for r in rows.iter_rows(named=True)}
    kind = {(r["section"], r["code"]): r["kind"] for r in rows.iter_rows(named=True)}
    assert {parent["applications", d] for d in DENIED} == {"denied"}
    assert kind["applications", "denied"] == "heading" and parent["applications", "denied"] == "outcomes"
    assert parent["applications", "outcomes"] is None and parent["applications", "new_received"] is None
    # 其他处理: the legacy format's row, the 2021 format's heading over its three sub-rows
    assert {parent["applications", c] for c in ("other_no_correction", "other_fee_unpaid", "other_other")} == {"other_total"}
    assert kind["applications", "other_total"] == "row" and parent["applications", "other_total"] == "outcomes"
    assert category["applications", "denied_state_secret"] == "outcomes" and category["applications", "new_received"] == "new_received"
    assert parent["proactive", "centralized_procurement"] == "article_20_9" and parent["reviews", "litigation_direct"] == "litigation"
    for (section, _code), p in parent.items():  # every parent is a code of its section
        assert p is None or (section, p) in parent
    # every fact is filed under a row, never a heading
    facts = pl.read_parquet(rel / "facts.parquet", columns=["section", "row"]).unique()
    assert {kind[s, r] for s, r in facts.iter_rows()} == {"row"}


def test_the_codebook_names_every_table_view_column_and_code(rel: Path) -> None:
    book = (rel / "CODEBOOK.md").read_text(encoding="utf-8")
    for name, table in ALL_TABLES.items():
        assert f"### `{name}`" in book
        for f in table.fields:
            assert f"`{f.name}`" in book and f.description.replace("|", "\\|") in book
    for (v,) in _q(rel / "xxgk.duckdb", "SELECT view_name FROM duckdb_views() WHERE NOT internal"):
        assert f"### `{v}`" in book
    for name in CODE_TABLES:
        for row in pl.read_parquet(rel / f"{name}.parquet").iter_rows(named=True):
            for col in ("label_zh", "label_en", "description"):
                if row.get(col):
                    assert str(row[col]).replace("|", "\\|") in book, (name, row)
    # generated, not the hand-written vocabulary: it holds the hierarchy and the naming convention
    assert "| parent | category |" in book and "## Names in pinyin and English" in book
    regions = pl.read_parquet(rel / "regions.parquet")
    assert f"`regions`: {regions.height} rows; `name_pinyin` null (a reading not settled) in {regions['name_pinyin'].null_count()}" in book


# ------------------------------------------------------------------ 3. names in pinyin and English


def test_regions_and_agencies_have_pinyin_and_english_where_certain(rel: Path) -> None:
    regions = pl.read_parquet(rel / "regions.parquet")
    by_name = {(r["name"], r["level"]): (r["name_pinyin"], r["name_en"]) for r in regions.iter_rows(named=True)}
    assert by_name["乐清市", "county"] == ("Yueqing", "Yueqing City")
    assert by_name["北京市", "province"] == ("Beijing", "Beijing Municipality")
    assert by_name["西安市", "prefecture"] == ("Xi'an", "Xi'an City")
    assert by_name["汉阳区", "county"] == ("Hanyang", "Hanyang District")
    # 朝 reads zhao or chao and pypinyin's phrase dictionary does not settle 朝阳: no guess
    assert {by_name[k] for k in by_name if k[0] == "朝阳区"} == {(None, None)}
    # a name of peoples: the proper name in pinyin, no English
    assert by_name["恩施土家族苗族自治州", "prefecture"][1] is None
    # 陕西 is Shaanxi, apart from 山西; Inner Mongolia keeps its English name though 内 and 蒙 have several readings
    assert by_name["陕西省", "province"] == ("Shaanxi", "Shaanxi Province") and by_name["山西省", "province"] == ("Shanxi", "Shanxi Province")
    assert by_name["内蒙古自治区", "province"] == (None, "Inner Mongolia Autonomous Region")
    uncertain = regions.filter(pl.col("name_pinyin").is_null()).height
    assert 0 < uncertain < regions.height
    assert set(regions.filter(pl.col("name_pinyin").is_null() & pl.col("name_en").is_not_null())["name"]) <= set(ESTABLISHED)
    agencies = {r["name"]: (r["name_pinyin"], r["name_en"]) for r in pl.read_parquet(rel / "agencies.parquet").iter_rows(named=True)}
    assert agencies["乐清市人民政府"] == ("Yueqing Shi Renminzhengfu", "People's Government of Yueqing City")
    assert agencies["乐清市人民政府办公室"][1] == "General Office of the People's Government of Yueqing City"
    assert all(en is None for name, (_p, en) in agencies.items() if not name.endswith(("人民政府", "人民政府办公室")))


# ------------------------------------------------------------------ 4. fetched_at


def test_fetched_at_is_an_instant_in_utc(demo_dir: Path, rel: Path) -> None:
    docs = pl.read_parquet(rel / "documents.parquet")
    assert docs.schema["fetched_at"] == pl.Datetime("us", "UTC")
    assert _q(rel / "xxgk.duckdb", "SELECT DISTINCT typeof(fetched_at) FROM documents") == [("TIMESTAMP WITH TIME ZONE",)]
    fields = {f["name"]: f["type"] for r in json.loads((rel / "datapackage.json").read_text())["resources"] if r["name"] == "documents"
              for f in r["schema"]["fields"]}
    assert fields["fetched_at"] == "datetime"
    # the instant the archive recorded (its latest fetch of the bytes)
    m = manifest.read(Layout(demo_dir).raw).filter(pl.col("sha256").is_not_null()).sort("fetched_at").unique("sha256", keep="last")
    recorded = {r["sha256"]: dt.datetime.fromisoformat(r["fetched_at"]) for r in m.iter_rows(named=True)}
    got = {r["sha256"]: r["fetched_at"] for r in docs.iter_rows(named=True)}
    assert got and all(got[s] == recorded[s] for s in got)


# ------------------------------------------------------------------ 5. the documents the reports cite


def test_the_cited_documents_ship_in_sources(demo_dir: Path, rel: Path) -> None:
    docs = pl.read_parquet(rel / "documents.parquet")
    cited = set(pl.read_parquet(rel / "reports.parquet")["canonical_sha256"].drop_nulls())
    shipped = docs.filter(pl.col("source_file").is_not_null())
    assert set(shipped["sha256"]) == cited and cited
    sums = _sums(rel)
    total = 0
    for sha, path, source_file in shipped.select("sha256", "path", "source_file").iter_rows():
        f = rel / source_file
        assert source_file == f"sources/{sha[:2]}/{Path(path).name}" and Path(path).name.startswith(sha)
        assert hashlib.sha256(f.read_bytes()).hexdigest() == sha == sums[source_file]
        assert stat.S_IMODE(f.stat().st_mode) == 0o644
        archived = demo_dir / path
        assert stat.S_IMODE(archived.stat().st_mode) == 0o644  # the archive writes objects world-readable
        assert os.path.samefile(f, archived)  # hard-linked: the same file system
        total += f.stat().st_size
    assert docs.filter(pl.col("source_file").is_null() & pl.col("sha256").is_in(sorted(cited))).height == 0
    # facts cite only shipped documents
    assert set(pl.read_parquet(rel / "facts.parquet")["sha256"]) <= set(shipped["sha256"])
    assert f"{total:,} bytes" in (rel / "README.md").read_text(encoding="utf-8")
    assert validate(rel) == []


# ------------------------------------------------------------------ 6. the README lists what is there


def test_the_readme_lists_every_file_and_folder(rel: Path) -> None:
    readme = (rel / "README.md").read_text(encoding="utf-8")
    for p in rel.iterdir():
        assert f"`{p.name}{'/' if p.is_dir() else ''}`" in readme, p.name
    for v in (rel / "views").glob("*.parquet"):
        assert f"`views/{v.name}`" in readme
    assert "see README, Reference data" not in readme and "## Reference data" in readme  # not the project's README
    assert "Ministry of Civil Affairs" in readme.split("## Reference data")[1]
    assert f"{len(pl.read_parquet(rel / 'regions.parquet'))} |" in readme


# ------------------------------------------------------------------ 7. series over years say when their basis changes


def test_region_year_totals_say_when_the_basis_changes(rel: Path) -> None:
    db = rel / "xxgk.duckdb"
    got = _q(db, """SELECT DISTINCT year, basis, n_reports_year, previous_year, previous_basis, n_reports_previous, basis_changed
                    FROM v_region_year_totals WHERE region = '乐清市' ORDER BY year""")
    assert len(got) == len({r[0] for r in got})  # one basis per region and year
    # expected from the reports: the combined report when there is one, else every body's own report of the year
    reports = _q(db, """SELECT r.year, r.scope = 'region_aggregate' AND r.region_code = '330382', r.agency_id FROM reports r
                        JOIN regions g ON g.code = r.region_code WHERE coalesce(g.county_code, g.code) = '330382'
                        AND EXISTS (SELECT 1 FROM facts f WHERE f.report_id = r.report_id AND f.section = 'applications')""")
    years: dict[int, tuple[str, frozenset]] = {}
    for year in sorted({y for y, _, _ in reports}):
        combined = {a for y, c, a in reports if y == year and c}
        used = combined or {a for y, c, a in reports if y == year}
        years[year] = ("region_aggregate" if combined else "sum_of_agency_reports", frozenset(used))
    assert [r[0] for r in got] == sorted(years)
    first = got[0]
    assert first[1] == "region_aggregate" and first[3:] == (None, None, None, None)  # 2019: the government's combined report
    for (year, basis, n, prev_year, prev_basis, n_prev, changed), before in zip(got[1:], got, strict=False):
        assert (basis, n) == (years[year][0], len(years[year][1]))
        assert (prev_year, prev_basis, n_prev) == (before[0], before[1], before[2])
        assert changed == (years[year] != years[prev_year])
    assert any(r[6] for r in got)  # 450 → 0 is a change of basis, not a fall
    comment = _q(db, "SELECT comment FROM duckdb_views() WHERE view_name = 'v_region_year_totals'")[0][0]
    assert "basis_changed" in comment


# ------------------------------------------------------------------ 8. files added before the release is sealed


def test_extras_are_added_before_the_release_is_sealed(demo_dir: Path, tmp_path: Path) -> None:
    gen = generations.current(demo_dir)
    seen: dict[str, object] = {}

    def site(folder: Path, data_dir: Path) -> None:
        seen["folder"], seen["data_dir"] = folder, data_dir
        seen["present"] = sorted(p.name for p in folder.iterdir())
        (folder / "site").mkdir()
        (folder / "site" / "index.html").write_text("<!doctype html><title>xxgk</title>", encoding="utf-8")

    releases = tmp_path / "releases"
    out = make_release(gen, releases, today=dt.date(2026, 1, 2), data_dir=demo_dir, extras=site)
    assert Path(seen["folder"]).name.startswith(".tmp-") and seen["data_dir"] == demo_dir
    assert {"xxgk.duckdb", "views", "sources", "CODEBOOK.md", "facts.parquet"} <= set(seen["present"])
    assert not {"README.md", "SHA256SUMS", "datapackage.json"} & set(seen["present"])
    assert _sums(out)["site/index.html"] == hashlib.sha256((out / "site" / "index.html").read_bytes()).hexdigest()
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "`site/`" in readme and "site/index.html" in readme
    assert validate(out) == [] and stat.S_IMODE((out / "site").stat().st_mode) == 0o755

    def broken(folder: Path, data_dir: Path) -> None:
        (folder / "site").mkdir()
        raise RuntimeError("the site could not be built")

    other = tmp_path / "other"
    with pytest.raises(RuntimeError):
        make_release(gen, other, today=dt.date(2026, 1, 2), data_dir=demo_dir, extras=broken)
    assert sorted(p.name for p in other.iterdir()) == []  # atomic: nothing half-made, no latest


def test_a_release_whose_cited_document_is_gone_is_refused(demo_dir: Path, tmp_path: Path) -> None:
    gen = generations.current(demo_dir)
    docs = pl.read_parquet(gen.parquet / "documents.parquet").filter(pl.col("source_file").is_not_null())
    elsewhere = tmp_path / "data"
    for path in docs["path"].to_list()[1:]:  # the archive of another machine, one cited document missing
        (elsewhere / path).parent.mkdir(parents=True, exist_ok=True)
        (elsewhere / path).write_bytes((demo_dir / path).read_bytes())
    with pytest.raises(ReleaseInvalid, match="1 document"):
        make_release(gen, tmp_path / "releases", data_dir=elsewhere)
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == []
