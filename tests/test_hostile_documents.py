"""Hostile input for the parse and the build (#23, items 1–3): each file kind an adversary (or a broken portal)
serves ends as one recorded row with its reason — never a crash, a hang or a silent gap — and the exit status
says so.  Every input is generated here, small, from what the issue found: a file name that is not UTF-8, an
empty file, a FIFO, a symlink loop, a workbook declaring cells A1 and XFD1048576, a PDF with a 14,400-point
page, a page of a hundred thousand ``DETAIL:`` words, a workbook whose first sheet is a long notes sheet.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from parsers.media import parse_bytes, sniff
from parsers.readers.html import body_images
from parsers.readers.sheet import XLSX
from pipelines.cli import main
from pipelines.parallel import pool_map
from synth.layout import MediaStyle, build
from synth.media import render_xlsx
from synth.model import from_golden

from .conftest import GOLDENS, SEEDS, load_golden

XXGK = [sys.executable, "-m", "pipelines.cli"]
REPO = Path(__file__).resolve().parents[1]


def _xxgk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*XXGK, *args], capture_output=True, text=True, timeout=timeout, cwd=REPO)


def _giant_sheet(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "二、主动公开政府信息情况"
    ws["XFD1048576"] = 1  # the sheet now spans 17 billion cells
    wb.save(path)


def _huge_page_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(14400, 14400))  # 200 inches square: no text layer, so it would be rendered for OCR
    c.showPage()
    c.save()
    return buf.getvalue()


def test_a_workbook_declaring_half_a_terabyte_of_cells_is_refused_not_aborted(tmp_path: Path) -> None:
    """Today calamine allocates what the sheet spans and aborts the process (exit 134): one error line instead."""
    path = tmp_path / "giant.xlsx"
    _giant_sheet(path)
    proc = _xxgk("parse", str(path))
    assert proc.returncode == 1, proc.stderr[-500:]
    assert "refused: sheet xl/worksheets/sheet1.xml spans" in proc.stdout and "Traceback" not in proc.stderr


def test_a_pdf_page_of_200_inches_is_refused_before_it_is_rendered(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    path.write_bytes(_huge_page_pdf())
    assert path.stat().st_size < 2000
    began = time.monotonic()
    proc = _xxgk("parse", str(path))
    assert proc.returncode == 1 and "refused: page 1 is 14400×14400 pt" in proc.stdout, (proc.stdout, proc.stderr[-500:])
    assert time.monotonic() - began < 60


def test_a_page_of_detail_words_is_read_in_linear_time() -> None:
    """The gkmlpt DETAIL pattern backtracked over the whole page from each DETAIL: 20,000 of them took 53 s."""
    page = "<html><script>window._CONFIG={" + "DETAIL:" * 200_000 + "</script><body><img src='a.png'></body></html>"
    began = time.monotonic()
    assert body_images(page) == ["a.png"]
    assert time.monotonic() - began < 2.0


def test_a_workbook_whose_first_sheet_is_a_long_notes_sheet_is_a_workbook() -> None:
    """Sniffed by its content types, not by whether xl/workbook.xml shows in its first 64 kB."""
    g = load_golden(GOLDENS[0])
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(build(from_golden(g), MediaStyle()))))
    notes = book.create_sheet("填报说明", 0)
    rng = random.Random(23)
    for r in range(1, 1500):  # incompressible text: the notes part is far larger than 64 kB in the zip
        notes.cell(r, 1, "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(60)))
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    assert b"xl/workbook.xml" not in data[:65536]  # what fooled the old sniff
    assert sniff(data) == XLSX
    r = parse_bytes(data, path="report.xlsx")
    assert r.ok, r.errors
    want = {(f["section"], f["row"], f["column"]): f["value"] for f in g["facts"]}
    assert {(f.section, f.row, f.column): f.value for f in r.facts} == want


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / SEEDS[0].name).write_bytes(SEEDS[0].read_bytes())
    os.makedirs(docs, exist_ok=True)
    with open(os.path.join(os.fsencode(docs), b"\xff\xfe-report.txt"), "wb") as f:  # a name that is not UTF-8
        f.write(SEEDS[2].read_bytes())
    (docs / "empty.txt").write_bytes(b"")
    os.mkfifo(docs / "pipe")
    os.symlink("loop2", docs / "loop1")
    os.symlink("loop1", docs / "loop2")
    _giant_sheet(docs / "giant.xlsx")
    return docs


def test_a_build_over_hostile_files_records_each_and_exits_1(hostile_folder: Path, tmp_path: Path) -> None:
    """With one worker (the documents still parsed in a worker process, under its limits): the two reports exact,
    the giant workbook a failed row, the other four files skipped with their reasons, exit 1, no traceback."""
    proc = _xxgk("build", "--documents", str(hostile_folder), "--data-dir", str(tmp_path / "data"), "--workers", "1", timeout=300)
    assert proc.returncode == 1, proc.stderr[-800:]
    assert "Traceback" not in proc.stderr
    out = proc.stdout
    assert "documents: 2 parsed, 1 failed, 0 not reports, 4 file(s) skipped" in out
    assert "skipped empty.txt: empty file" in out and "skipped pipe: not a regular file (a FIFO)" in out
    assert "skipped loop1: a link to nothing (a loop, or its target is missing)" in out
    import duckdb

    con = duckdb.connect(str(tmp_path / "data" / "xxgk.duckdb"), read_only=True)
    rows = dict(con.execute("SELECT path, outcome FROM documents").fetchall())
    errors = dict(con.execute("SELECT path, error FROM documents WHERE outcome = 'error'").fetchall())
    con.close()
    assert rows["\\xff\\xfe-report.txt"] == "parsed"  # its bytes kept, escaped
    assert "refused: sheet" in errors["giant.xlsx"]


def test_parse_lists_a_fifo_and_never_opens_it(hostile_folder: Path) -> None:
    began = time.monotonic()
    proc = _xxgk("parse", str(hostile_folder / "pipe"), str(hostile_folder / SEEDS[0].name), timeout=120)
    assert time.monotonic() - began < 60
    assert "not a regular file (a FIFO)" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.returncode == 1  # a file was skipped


def _abort_on(n: int) -> int:
    if n == 2:
        os.abort()  # what a native reader's failed allocation does to its process
    return n * 10


def test_a_document_that_aborts_its_process_is_one_row_even_with_one_worker() -> None:
    got = list(pool_map(_abort_on, [(1,), (2,), (3,)], lambda t, why: why, workers=1, isolate=True, timeout=60))
    assert got[0] == 10 and got[2] == 30
    assert "the parser process died" in got[1]


def test_a_random_bytes_registry_is_one_line(tmp_path: Path, capsys) -> None:
    reg = tmp_path / "portals.yaml"
    reg.write_bytes(bytes(random.Random(7).randrange(256) for _ in range(3000)))
    assert main(["registry", "check", "--portals", str(reg)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a registry: not UTF-8 text" in err[0]
