"""Benchmark (#23): a 1,000-document folder with 5 % hostile files, built with one worker and with two.

    uv run python benchmarks/hostile_batch.py [--documents 1000] [--hostile 0.05] [--workers 1,2]

Good documents are random consistent reports (synth/model.py, both formats) rendered as text (the four text
layouts), HTML pages, DOCX and XLSX; the hostile ones are the kinds issue #23 found, in turn: a file name
that is not UTF-8 (holding a good report), an empty file, a FIFO, a symlink loop, an unreadable file name
of random bytes, a workbook spanning A1:XFD1048576, a PDF with a 14,400-point page and no text, a page of
200,000 ``DETAIL:`` words, a DOCX zip bomb, a truncated PDF, random bytes named .pdf.

Prints, per worker count: wall time, the process tree's peak resident memory (sampled every 0.1 s from
/proc, benchmarks/build_scale.py), the exit status and the build's own summary line; then whether every good document's facts are
exactly its report's (read back from the parse cache) and the slowest hostile file's parse time alone.
Not a test: it measures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPO = Path(__file__).resolve().parents[1]


def good_documents(folder: Path, n: int, seed: int) -> dict[str, dict]:
    """``n`` good documents; returns file name -> expected facts."""
    from synth.layout import MediaStyle, build
    from synth.media import render_docx, render_html, render_xlsx
    from synth.model import random_report
    from synth.text import random_style, render_text

    rng = random.Random(seed)
    expected: dict[str, dict] = {}
    for i in range(n):
        rep = random_report(rng, ("legacy", "2021")[i % 2], consistent=True)
        rep.agency = f"乐清市第{i:04d}局"  # one body per document: no two documents are one report
        kind = ("text", "text", "html", "xlsx", "text", "html", "text", "html", "xlsx", "docx")[i % 10]  # DOCX renders slowly
        if kind == "text":
            name, data = f"r{i:04d}.txt", render_text(rep, random_style(rng)).encode("utf-8")
        else:
            spec = build(rep, MediaStyle(seed=i))
            name, data = {"html": (f"r{i:04d}.html", render_html(spec, "hanweb")), "docx": (f"r{i:04d}.docx", render_docx(spec)),
                          "xlsx": (f"r{i:04d}.xlsx", render_xlsx(spec))}[kind]
        (folder / name).write_bytes(data)
        expected[name] = {f"{s}|{r}|{c}": v for (s, r, c), v in rep.facts.items()}
    return expected


def hostile_documents(folder: Path, n: int, good_text: bytes) -> list[str]:
    """``n`` hostile files, the kinds in turn; returns their names as listed."""
    import openpyxl
    from reportlab.pdfgen import canvas

    def giant(i: int) -> bytes:
        wb = openpyxl.Workbook()
        wb.active["A1"], wb.active["XFD1048576"] = f"表{i}", 1
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def huge_page() -> bytes:
        out = io.BytesIO()
        c = canvas.Canvas(out, pagesize=(14400, 14400))
        c.showPage()
        c.save()
        return out.getvalue()

    def zip_bomb() -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", b"<" + b"a" * (300 * 1024 * 1024))
        return out.getvalue()

    bomb = zip_bomb()
    kinds = ["bad_name", "empty", "fifo", "loop", "giant_sheet", "huge_page", "detail_words", "zip_bomb", "truncated_pdf", "random_pdf"]
    names: list[str] = []
    rng = random.Random(7)
    for i in range(n):
        kind = kinds[i % len(kinds)]
        name = f"h{i:03d}-{kind}"
        path = folder / name
        if kind == "bad_name":
            raw = os.path.join(os.fsencode(folder), f"h{i:03d}-".encode() + b"\xff\xfe.txt")
            with open(raw, "wb") as f:
                f.write(good_text.replace("乐清市第0000局".encode(), f"乐清市第{9000 + i}局".encode()))  # a report of its own
            names.append(os.fsdecode(os.path.basename(raw)))
            continue
        if kind == "empty":
            path.with_suffix(".txt").write_bytes(b"")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "loop":
            os.symlink(name, path)  # a link to itself
        elif kind == "giant_sheet":
            path.with_suffix(".xlsx").write_bytes(giant(i))
        elif kind == "huge_page":
            path.with_suffix(".pdf").write_bytes(huge_page() + f"% {i}\n".encode())
        elif kind == "detail_words":
            path.with_suffix(".html").write_text(f"<html><!-- {i} --><script>window._CONFIG={{" + "DETAIL:" * 200_000 + "</script></html>")
        elif kind == "zip_bomb":
            path.with_suffix(".docx").write_bytes(bomb + f"{i}".encode())  # trailing bytes: still a zip, its own SHA-256
        elif kind == "truncated_pdf":
            path.with_suffix(".pdf").write_bytes(huge_page()[:300] + f"% {i}".encode())
        else:
            path.with_suffix(".pdf").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
        names.append(name)
    return names


def run_build(folder: Path, data: Path, workers: int) -> dict:
    cmd = [sys.executable, "-m", "pipelines.cli", "build", "--documents", str(folder), "--data-dir", str(data), "--workers", str(workers)]
    began = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    from benchmarks.build_scale import _tree_rss_mb

    peak = 0.0
    stop = threading.Event()

    def sample() -> None:  # the build's own process tree (its forkserver and workers), not this process
        nonlocal peak
        while not stop.wait(0.1):
            peak = max(peak, _tree_rss_mb(proc.pid))

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    stop.set()
    t.join()
    summary = next((ln for ln in out.splitlines() if ln.startswith("documents:")), "(no summary)")
    return {"seconds": time.monotonic() - began, "peak_mb": peak, "status": proc.returncode, "summary": summary,
            "traceback": "Traceback" in err, "stderr": err[-300:]}


def exact(data: Path, expected: dict[str, dict]) -> tuple[int, int]:
    """(good documents whose cached parse has exactly their report's facts, good documents)."""
    import gzip
    import hashlib

    folder = data.parent / "docs"
    ok = 0
    for name, facts in expected.items():
        sha = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        entries = list((data / "parsed").glob(f"*/{sha[:2]}/{sha}.json.gz"))
        if not entries:
            continue
        got = json.loads(gzip.decompress(entries[0].read_bytes()))
        have = {f"{f['section']}|{f['row']}|{f['column']}": f["value"] for f in got["facts"] if not f.get("derived")}
        ok += have == facts
    return ok, len(expected)


def hostile_rows(data: Path) -> dict[str, str]:
    """Per hostile kind: how its files ended in the build's documents table (outcome and first words of the error)."""
    import duckdb

    from warehouse import generations

    current = generations.current(data)
    con = duckdb.connect(str(current.db), read_only=True)
    try:
        rows = con.execute("SELECT path, outcome, coalesce(error, '') FROM documents WHERE path LIKE 'h%'").fetchall()
    finally:
        con.close()
    out: dict[str, list[str]] = {}
    for path, outcome, error in rows:
        kind = path.split("-", 1)[1].rsplit(".", 1)[0] if "-" in path else path
        kind = kind if kind.isascii() else "bad_name"
        out.setdefault(kind, []).append(f"{outcome}: {error[:60]}" if error else outcome)
    return {k: f"{len(v)} rows, e.g. {v[0]}" for k, v in sorted(out.items())}


def worst_hostile(folder: Path, names: list[str]) -> tuple[str, float]:
    """The slowest hostile file, parsed alone in a worker (as the build does)."""
    from pipelines.parallel import pool_map

    def timed_paths() -> list[tuple[str, float]]:
        out = []
        for n in names:
            p = folder / n
            candidates = [p] if p.exists() or p.is_symlink() else list(folder.glob(n + ".*"))
            for c in candidates:
                began = time.monotonic()
                list(pool_map(_parse, [(str(c),)], lambda t, why: why, workers=1, isolate=True, timeout=300))
                out.append((c.name, time.monotonic() - began))
        return out

    times = [t for t in timed_paths() if not Path(folder / t[0]).is_fifo()]
    return max(times, key=lambda t: t[1])


def _parse(path: str) -> str:
    from pipelines.sources import not_a_regular_file

    if not_a_regular_file(Path(path)):
        return "skipped"
    from parsers.media import parse_path

    return "; ".join(parse_path(path).errors) or "parsed"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--hostile", type=float, default=0.05)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    n_hostile = round(args.documents * args.hostile)
    root = Path(tempfile.mkdtemp(prefix="xxgk-hostile-"))
    docs = root / "docs"
    docs.mkdir()
    began = time.monotonic()
    expected = good_documents(docs, args.documents - n_hostile, args.seed)
    first = next(iter(expected))
    names = hostile_documents(docs, n_hostile, (docs / first).read_bytes() if first.endswith(".txt") else b"")
    print(f"corpus: {len(expected)} good + {len(names)} hostile documents in {time.monotonic() - began:.1f} s ({root})")
    for w in (int(x) for x in args.workers.split(",")):
        data = root / f"data-w{w}"
        r = run_build(docs, data, w)
        shutil.move(str(data), str(root / "data"))  # exact() reads the parse cache beside the docs
        ok, total = exact(root / "data", expected)
        shutil.move(str(root / "data"), str(data))
        print(f"workers {w}: {r['seconds']:.1f} s, peak tree memory {r['peak_mb']:.0f} MB, exit {r['status']}, traceback: {r['traceback']}")
        print(f"  {r['summary']}")
        print(f"  good documents exact: {ok}/{total}")
        for kind, rows in hostile_rows(data).items():
            print(f"  {kind:<14} {rows}")
    name, seconds = worst_hostile(docs, names)
    print(f"slowest hostile file alone: {name} {seconds:.2f} s (parse in a worker, including its start)")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
