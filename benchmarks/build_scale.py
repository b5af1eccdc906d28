"""Benchmark: the dataset build from real documents, streaming and parallel against in memory and serial.

    uv run python benchmarks/build_scale.py [--documents 2000] [--out benchmarks/out/build_scale]

Renders N synthetic reports (mixed PDF, HTML, DOCX, text, as portals publish them), then builds the
dataset tables from them cold (no parse cache) twice, each in its own process so its peak memory
(ru_maxrss) is its own, in the same run:

  in_memory   every parse result held, one process (the build before issue #11)
  streaming   `xxgk build`'s way: the pool (one worker per core) parses and reduces into a spool
              (pipelines/spool.py), DuckDB makes the tables from it (pipelines/combine.py)

Prints seconds and the process tree's peak MB per step (parse: parsing, and for the streaming build reducing and spooling; tables: the
tables from there), the build process's own peak MB (``ru_maxrss``), the peak of its whole process tree
(forkserver and workers, sampled from /proc every 0.2 s; shared pages counted in each process, so an upper
bound), the ratio, and checks that both wrote the same facts.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MODES = ("in_memory", "streaming")


def _render_one(folder: Path, i: int) -> None:
    """Document ``i`` of the corpus, from its own seed: the corpus is the same however many processes render it."""
    from synth.layout import MediaStyle
    from synth.layout import build as build_spec
    from synth.media import render_docx, render_html, render_pdf
    from synth.model import random_report
    from synth.text import Style, render_text

    rng = random.Random(f"build_scale:{i}")
    rep = random_report(rng, rng.choice(["legacy", "2021"]), consistent=rng.random() < 0.9)
    rep.agency, rep.year = f"乐清市第{i}局", 2019 + i % 5
    medium = rng.choices(["pdf", "html", "docx", "txt"], weights=[6, 2, 1, 1])[0]
    if medium == "txt":
        (folder / f"{i:06d}.txt").write_text(render_text(rep, Style()), encoding="utf-8")
        return
    spec = build_spec(rep, MediaStyle())
    data = {"pdf": render_pdf, "html": lambda s: render_html(s, "hanweb"), "docx": render_docx}[medium](spec)
    (folder / f"{i:06d}.{medium}").write_bytes(data)


def render_corpus(folder: Path, n: int) -> None:
    """N synthetic reports, rendered on every core (input to the build, not part of what is timed)."""
    import functools
    from concurrent.futures import ProcessPoolExecutor

    from pipelines.parallel import default_workers

    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(default_workers()) as pool:
        list(pool.map(functools.partial(_render_one, folder), range(n), chunksize=50))


def _tree_rss_mb(root: int) -> float:
    """Resident MB of a process and all its descendants (the forkserver and the pool's workers), from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            parent[pid], rss[pid] = int(fields[1]), int(fields[21])
        except (OSError, ValueError, IndexError):
            continue
    tree, grew = {root}, True
    while grew:
        new = {p for p, pp in parent.items() if pp in tree} - tree
        tree |= new
        grew = bool(new)
    return sum(rss.get(p, 0) for p in tree) * resource.getpagesize() / 2**20


class TreePeak:
    """The largest resident memory of this process tree, sampled every 0.2 s on a thread."""

    def __init__(self) -> None:
        import os
        import threading

        self.peak, self._stop, self._pid = 0.0, threading.Event(), os.getpid()
        self._thread = threading.Thread(target=self._run, args=(self._pid,), daemon=True)
        self._thread.start()

    def _run(self, pid: int) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _tree_rss_mb(pid))

    def reset(self) -> float:
        """The peak so far; sampling starts again from nothing (the next step's own peak)."""
        seen, self.peak = max(self.peak, _tree_rss_mb(self._pid)), 0.0
        return seen

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, _tree_rss_mb(self._pid))


def child(mode: str, docs: Path, out: Path) -> None:
    import polars as pl

    from pipelines.build import folder_sources
    from pipelines.combine import combine
    from pipelines.dataset import build_tables
    from pipelines.parallel import parse_many
    from pipelines.spool import spool_documents
    from warehouse.parquet import write_tables

    sources = folder_sources(docs)
    peak = TreePeak()
    steps = {}
    t = time.perf_counter()
    if mode == "in_memory":
        results = parse_many([s.path for s in sources], workers=1)
        steps["parse"] = time.perf_counter() - t
        step_peaks = {"parse": peak.reset()}
        write_tables(build_tables(results, sources), out)
    else:
        spool = spool_documents(sources, out / ".spool", out / ".cache")
        steps["parse"] = time.perf_counter() - t
        step_peaks = {"parse": peak.reset()}
        combine([spool], out)
    seconds = time.perf_counter() - t
    steps["tables"] = seconds - steps["parse"]
    step_peaks["tables"] = peak.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    facts = pl.scan_parquet(out / "facts.parquet").select(pl.len()).collect().item()
    print(json.dumps({"seconds": seconds, "steps": steps, "step_tree_peak_mb": step_peaks, "peak_mb": own,
                      "tree_peak_mb": max(step_peaks.values()), "facts": facts,
                      "documents": len(sources)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/build_scale"))
    ap.add_argument("--mode", choices=MODES)
    args = ap.parse_args()
    docs = args.out / f"docs-{args.documents}"
    if args.mode:
        out = args.out / args.mode
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        child(args.mode, docs, out)
        return
    if not docs.exists():
        t = time.perf_counter()
        render_corpus(docs, args.documents)
        print(f"rendered {args.documents} documents in {time.perf_counter() - t:.0f} s (not part of the build)")
    results = {}
    for mode in MODES:
        proc = subprocess.run([sys.executable, __file__, "--mode", mode, "--documents", str(args.documents), "--out", str(args.out)],
                              capture_output=True, text=True, check=True)
        results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{'build':<12}{'documents':>10}{'parse s':>10}{'tree MB':>10}{'tables s':>10}{'tree MB':>10}{'total s':>10}"
          f"{'own peak MB':>12}{'facts':>10}")
    for mode, r in results.items():
        p = r["step_tree_peak_mb"]
        print(f"{mode:<12}{r['documents']:>10}{r['steps']['parse']:>10.1f}{p['parse']:>10.0f}{r['steps']['tables']:>10.1f}"
              f"{p['tables']:>10.0f}{r['seconds']:>10.1f}{r['peak_mb']:>12.0f}{r['facts']:>10}")
    a, b = results["in_memory"], results["streaming"]
    print(f"\nstreaming is {a['seconds'] / b['seconds']:.2f}x faster; same facts: {a['facts'] == b['facts']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
