"""Safe to operate, safe to publish (issue #10): every case an operator or a new user hit, with its new outcome.

A typo or an empty source changes nothing; a shrinking build or release is refused; a killed build never
reaches a release; racing builds leave one whole warehouse; a release is world-readable and valid; the CLI
says what went wrong in one line and an exit status, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest
from frictionless import Package

from pipelines import sources as sources_mod
from pipelines.build import Layout
from pipelines.cli import main
from synth.layout import MediaStyle
from synth.layout import build as build_spec
from synth.media import render_pdf
from synth.model import from_golden
from warehouse import generations

from .conftest import GOLDENS, SEEDS, load_golden

REPO = Path(__file__).resolve().parents[1]
N_REPORTS = len(GOLDENS)
N_FACTS = sum(len(load_golden(g)["facts"]) for g in GOLDENS)


def _seeds(folder: Path, seeds: list[Path] = SEEDS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for s in seeds:
        shutil.copy(s, folder / s.name)
    return folder


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A data directory holding a build of the five seeds, and the folder they came from."""
    docs, data = _seeds(tmp_path / "docs"), tmp_path / "data"
    assert main(["build", "--documents", str(docs), "--data-dir", str(data)]) == 0
    return data, docs


def _counts(data: Path) -> tuple[int, int]:
    con = duckdb.connect(str(Layout(data).db), read_only=True)
    try:
        return con.execute("SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts)").fetchone()
    finally:
        con.close()


def _latest_reports(data: Path) -> int:
    return pl.read_parquet(Layout(data).releases / "latest" / "reports.parquet").height


# ------------------------------------------------------------------ a typo, an unreadable or empty source


def test_a_missing_folder_is_an_error_and_the_release_keeps_the_dataset(built, capsys) -> None:
    data, docs = built
    before = generations.current(data).id
    assert main(["build", "--documents", str(docs.parent / "sample"), "--data-dir", str(data)]) == 2
    assert f"error: no such folder: {docs.parent / 'sample'}" in capsys.readouterr().err
    assert generations.current(data).id == before and _counts(data) == (N_REPORTS, N_FACTS)
    assert main(["release", "--data-dir", str(data)]) == 0
    assert _latest_reports(data) == N_REPORTS  # the typo never reaches a release


def test_an_unreadable_folder_is_an_error(built, capsys, monkeypatch) -> None:
    data, docs = built
    # the tests may run as root, who reads everything: the folder is made unreadable to the code under test
    monkeypatch.setattr(sources_mod.os, "access", lambda path, mode: Path(path) != docs)
    assert main(["build", "--documents", str(docs), "--data-dir", str(data)]) == 2
    assert "permission denied" in capsys.readouterr().err
    assert _counts(data) == (N_REPORTS, N_FACTS)


def test_an_empty_folder_or_one_without_documents_is_an_error(built, tmp_path: Path, capsys) -> None:
    data, _ = built
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["build", "--documents", str(empty), "--data-dir", str(data)]) == 2
    assert f"no report documents in {empty}" in capsys.readouterr().err
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (junk / "blank.txt").write_bytes(b"")
    assert main(["build", "--documents", str(junk), "--data-dir", str(data)]) == 2
    assert "no report documents" in capsys.readouterr().err
    assert _counts(data) == (N_REPORTS, N_FACTS)


# ------------------------------------------------------------------ shrinking builds and releases


def test_a_shrinking_build_is_refused_unless_allowed_and_so_is_its_release(built, tmp_path: Path, capsys) -> None:
    data, _ = built
    assert main(["release", "--data-dir", str(data)]) == 0
    before = generations.current(data)
    one = _seeds(tmp_path / "one", SEEDS[:1])
    assert main(["build", "--documents", str(one), "--data-dir", str(data)]) == 3
    err = capsys.readouterr().err
    assert f"refused: this build would shrink the dataset against the current build ({before.id}): reports {N_REPORTS} → 1" in err
    assert "--allow-shrink" in err
    assert generations.current(data).path == before.path and _counts(data) == (N_REPORTS, N_FACTS)
    assert list((data / "generations").glob("refused-*"))  # kept for inspection
    assert main(["build", "--documents", str(one), "--data-dir", str(data), "--allow-shrink"]) == 0
    assert _counts(data)[0] == 1
    assert main(["release", "--data-dir", str(data)]) == 3  # the release guards the published dataset the same way
    assert "refused: this build has sharply fewer rows than" in capsys.readouterr().err
    assert _latest_reports(data) == N_REPORTS
    assert main(["release", "--data-dir", str(data), "--allow-shrink"]) == 0
    assert _latest_reports(data) == 1


def test_nothing_changed_makes_no_new_version(built, capsys) -> None:
    data, docs = built
    assert main(["release", "--data-dir", str(data)]) == 0
    assert main(["build", "--documents", str(docs), "--data-dir", str(data)]) == 0  # the same documents again
    capsys.readouterr()
    assert main(["release", "--data-dir", str(data)]) == 0
    assert "nothing changed since v" in capsys.readouterr().out
    assert len([p for p in (Layout(data).releases).iterdir() if p.name.startswith("v")]) == 1


# ------------------------------------------------------------------ a publishable release


def test_the_release_is_world_readable_and_frictionless_valid(built) -> None:
    data, _ = built
    assert main(["release", "--data-dir", str(data)]) == 0
    rel = (Layout(data).releases / "latest").resolve()
    assert stat.S_IMODE(rel.stat().st_mode) == 0o755
    # files 0644, folders (views/, sources/, site/) 0755, all the way down
    modes = {p.relative_to(rel).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in rel.rglob("*")}
    assert modes == {p.relative_to(rel).as_posix(): 0o755 if p.is_dir() else 0o644 for p in rel.rglob("*")}
    assert "views" in {p.name for p in rel.iterdir() if p.is_dir()}  # (built from a folder: no archived document to ship)
    assert {"README.md", "CITATION.cff", "CHANGELOG.md", "SHA256SUMS", "datapackage.json", "code_rows.parquet",
            "regions.parquet", "agencies.parquet"} <= {p.name for p in rel.iterdir()}
    report = Package(str(rel / "datapackage.json")).validate()  # what `frictionless validate datapackage.json` runs
    assert report.valid, report.flatten(["resourceName", "type", "message"])[:10]
    # relative references only: no path of the machine that built it
    text = "\n".join(p.read_text(encoding="utf-8") for p in rel.iterdir() if p.suffix in (".json", ".md", ".cff"))
    assert str(data) not in text and str(REPO) not in text
    documents = pl.read_parquet(rel / "documents.parquet")
    assert not any(p.startswith("/") for p in documents["path"]) and documents["url"].null_count() == documents.height
    readme = (rel / "README.md").read_text(encoding="utf-8")
    assert "read_parquet('BASE/" in readme and "CC0" in readme and "CITATION.cff" in readme
    assert "cff-version: 1.2.0" in (rel / "CITATION.cff").read_text(encoding="utf-8")


# ------------------------------------------------------------------ killed and racing runs


KILL_DURING_WAREHOUSE = textwrap.dedent(
    """
    import os, signal, sys
    import pipelines.build as b
    def killed(parquet, db):  # the Parquet tables of the new generation are written: die before the warehouse
        os.kill(os.getpid(), signal.SIGKILL)
    b.build_warehouse = killed
    from pipelines.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_a_build_killed_mid_write_never_reaches_a_release(built, tmp_path: Path) -> None:
    data, _ = built
    more = _seeds(tmp_path / "more")
    shutil.copy(REPO / "tests" / "fixtures" / "golden" / f"{SEEDS[0].stem}.json", more / "not_a_report.txt")
    before = generations.current(data)
    proc = subprocess.run([sys.executable, "-c", KILL_DURING_WAREHOUSE, "build", "--documents", str(more), "--data-dir", str(data)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert list((data / "generations").glob(".staging-*"))  # the half-written generation is there, unused
    assert generations.current(data).path == before.path
    assert main(["release", "--data-dir", str(data)]) == 0
    rel = (Layout(data).releases / "latest").resolve()
    con = duckdb.connect(str(rel / "xxgk.duckdb"), read_only=True)
    in_db = con.execute("SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts), (SELECT count(*) FROM documents)").fetchone()
    con.close()
    in_parquet = tuple(pl.read_parquet(rel / f"{t}.parquet").height for t in ("reports", "facts", "documents"))
    assert in_db == in_parquet == (N_REPORTS, N_FACTS, N_REPORTS)  # one generation: the last complete build
    assert main(["build", "--documents", str(more), "--data-dir", str(data)]) == 0  # the next build cleans up and goes on
    assert not list((data / "generations").glob(".staging-*"))


def _xxgk(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_builds_racing_leave_one_whole_warehouse(tmp_path: Path) -> None:
    docs, data = _seeds(tmp_path / "docs"), tmp_path / "data"
    procs = [_xxgk("build", "--documents", str(docs), "--data-dir", str(data)) for _ in range(2)]
    outs = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in outs)
    assert codes in ([0, 0], [0, 2]), outs
    for code, _, err in outs:
        assert "Traceback" not in err
        if code == 2:
            assert "busy: the data directory" in err
    con = duckdb.connect(str(Layout(data).db), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert {"reports", "facts", "documents", "code_rows", "regions"} <= tables
    assert _counts(data) == (N_REPORTS, N_FACTS)
    assert generations.current(data).counts["facts"] == N_FACTS


def test_two_releases_racing_publish_one_version(built) -> None:
    data, _ = built
    procs = [_xxgk("release", "--data-dir", str(data)) for _ in range(2)]
    outs = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert sorted(code for code, _, _ in outs) in ([0, 0], [0, 2]), outs
    assert all("Traceback" not in err for _, _, err in outs)
    versions = [p for p in Layout(data).releases.iterdir() if p.name.startswith("v")]
    assert len(versions) == 1 and (Layout(data).releases / "latest").resolve() == versions[0]


# ------------------------------------------------------------------ the CLI


def test_query_prints_whole_cells_several_statements_and_four_formats(built, capsys) -> None:
    data, _ = built
    sha = pl.read_parquet(Layout(data).parquet / "documents.parquet")["sha256"].sort()[0]
    assert main(["query", "--data-dir", str(data), "SELECT min(sha256) AS sha FROM documents; SELECT count(*) AS n FROM reports"]) == 0
    out = capsys.readouterr().out
    assert sha in out and len(sha) == 64  # never cut
    assert f"n\n-\n{N_REPORTS}" in out  # the second statement's result is printed too
    sql = "SELECT report_id, year FROM reports ORDER BY report_id LIMIT 2"
    assert main(["query", "--data-dir", str(data), "--format", "json", sql]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [set(r) for r in rows] == [{"report_id", "year"}] * 2 and all(isinstance(r["year"], int) for r in rows)
    assert main(["query", "--data-dir", str(data), "--format", "csv", sql]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "report_id,year" and lines[1] == f"{rows[0]['report_id']},{rows[0]['year']}"
    assert main(["query", "--data-dir", str(data), "--format", "markdown", sql]) == 0
    md = capsys.readouterr().out.splitlines()
    assert md[0] == "| report_id | year |" and md[1] == "|---|---|" and md[2] == f"| {rows[0]['report_id']} | {rows[0]['year']} |"


def test_an_empty_query_is_a_clear_error(built, capsys) -> None:
    data, _ = built
    for sql in ("", "  ", "-- nothing\n"):
        assert main(["query", "--data-dir", str(data), sql]) == 2
        assert "error: the query is empty" in capsys.readouterr().err


def test_parse_reads_a_folder_by_content_and_lists_what_it_skipped(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    rep = from_golden(load_golden(GOLDENS[3]))
    (folder / "downfile.jsp").write_bytes(render_pdf(build_spec(rep, MediaStyle())))  # a PDF under the portal's script name
    (folder / "blank.txt").write_bytes(b"")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert main(["parse", str(folder)]) == 1  # an empty file was skipped, and the exit status says so (#23)
    captured = capsys.readouterr()
    assert f"{folder / 'downfile.jsp'}: {rep.agency} {rep.year}" in captured.out
    assert f"{len(rep.facts)} facts" in captured.out
    assert "skipped 2:" in captured.err
    assert "skipped blank.txt: empty file" in captured.err and "skipped logo.png: a picture no HTML page of the folder shows" in captured.err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["parse", str(empty)]) == 2
    assert f"{empty}: no report documents in this folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing_registry", "cannot read the registry"),
        ("yaml_error", "not valid YAML"),
        ("data_dir_is_a_file", "is a file, not a folder"),
        ("no_warehouse", "no warehouse in"),
        ("no_source", "give --portals FILE"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(tmp_path: Path, case: str, message: str) -> None:
    registry = tmp_path / "portals.yaml"
    data = tmp_path / "data"
    if case == "yaml_error":
        registry.write_text("portals:\n  - id: x\n    name: [unclosed\n", encoding="utf-8")
    if case == "data_dir_is_a_file":
        data.write_text("oops")
    args = {
        "missing_registry": ["crawl", "--portals", str(tmp_path / "nope.yaml"), "--data-dir", str(data)],
        "yaml_error": ["build", "--portals", str(registry), "--data-dir", str(data)],
        "data_dir_is_a_file": ["build", "--documents", str(REPO / "data" / "samples"), "--data-dir", str(data)],
        "no_warehouse": ["query", "--data-dir", str(data), "SELECT 1"],
        "no_source": ["build", "--data-dir", str(data)],
    }[case]
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_version_and_quiet_by_default(built) -> None:
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "--version"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("xxgk ")
    data, docs = built
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "build", "--documents", str(docs), "--data-dir", str(data)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0
    # stderr: the step's start and end (a bar on a terminal), no library logs
    assert [line.split(" ")[0] for line in proc.stderr.splitlines()] == ["parse", "parse"]


# ------------------------------------------------------------------ problems


ARTICLE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body><div class="article">'
    "<h1>{title}</h1><p>{title}详见附件。</p><p>附件：<a href=\"/module/download/downfile.jsp?classid=0&amp;filename=1.pdf\">"
    "{title}.pdf</a></p></div></body></html>"
)


def test_an_article_page_whose_attachment_has_the_tables_is_not_a_missing_tables_problem(tmp_path: Path) -> None:
    """The Hanweb pattern: an article page saying 详见附件, the tables in its PDF (here the seed's text)."""
    gold = load_golden(GOLDENS[0])
    title = f"{gold['report']['agency']}{gold['report']['year']}年政府信息公开工作年度报告"
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "art.html").write_text(ARTICLE.format(title=title), encoding="utf-8")
    both = _seeds(tmp_path / "both", SEEDS[:1])
    shutil.copy(alone / "art.html", both / "art.html")
    for folder, expected in ((alone, ["missing_tables"]), (both, [])):
        data = tmp_path / f"data-{folder.name}"
        assert main(["build", "--documents", str(folder), "--data-dir", str(data)]) == 0
        problems = pl.read_parquet(Layout(data).parquet / "problems.parquet")
        assert problems.filter(pl.col("kind") == "missing_tables")["kind"].to_list() == expected
        assert pl.read_parquet(Layout(data).parquet / "reports.parquet").height == 1


def test_a_build_whose_warehouse_does_not_match_its_tables_is_never_current(built, monkeypatch, capsys) -> None:
    """The survivor of a race once left a 12 KB warehouse with no tables: a generation is verified before the switch."""
    import duckdb as ddb

    import pipelines.build as b

    data, docs = built
    before = generations.current(data)

    def empty_warehouse(parquet: Path, db: Path) -> Path:
        ddb.connect(str(db)).close()
        return db

    monkeypatch.setattr(b, "build_warehouse", empty_warehouse)
    assert main(["build", "--documents", str(docs), "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert "error: the new build is not whole (the warehouse has no table documents" in err
    assert generations.current(data).path == before.path and _counts(data) == (N_REPORTS, N_FACTS)


def test_validation_finds_duplicate_keys_nan_and_private_files(built, tmp_path: Path) -> None:
    from warehouse.release import validate

    data, _ = built
    assert main(["release", "--data-dir", str(data)]) == 0
    copy = tmp_path / "copy"
    shutil.copytree((Layout(data).releases / "latest").resolve(), copy)
    assert validate(copy) == []
    facts = pl.read_parquet(copy / "facts.parquet")
    bad = pl.concat([facts, facts.head(2)]).with_columns(pl.when(pl.int_range(pl.len()) == 0).then(float("nan")).otherwise(pl.col("value")).alias("value"))
    bad.write_parquet(copy / "facts.parquet")
    (copy / "facts.parquet").chmod(0o600)
    problems = validate(copy)
    assert "facts: 2 duplicate primary key(s) ['report_id', 'section', 'row', 'column']" in problems
    assert "facts.value: 1 NaN value(s) (a missing number must be null)" in problems
    assert "facts.parquet: mode 600, not 644" in problems
    assert "facts.parquet: checksum does not match SHA256SUMS" in problems
