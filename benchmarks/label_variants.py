"""Benchmark: how many printed numbers the parser still reads when the tables' labels are printed differently.

    uv run python benchmarks/label_variants.py [--media html,pdf,docx,text] [--kinds drop1,lookalike] [--seed 0] [--random 5]

The corpus is :mod:`synth.variations`: the five seed reports and ``--random`` random consistent reports (both
formats), each printed once per kind of variation (thousands separators, restyled enumerators, spaced
labels, one or two characters dropped from three labels, look-alike characters, labels split over two
lines, a row printed twice, category labels repeated per row, traditional characters, a row left out
between two misprinted ones, 三(六) printed as one row), rendered as HTML, PDF (embedded CJK font), DOCX and
text copied from a Word table.  Each document is parsed with ``parsers.media.parse_bytes``.

Per kind × medium it prints:

  docs      documents
  expected  numbers the document prints (the facts a perfect reader would read; see synth/variations.py)
  read      expected facts the parser returned with the expected value
  wrong     expected facts returned with another value
  invented  facts returned under a key that is not expected (derived facts are not counted)
  %read     read / expected
  lv        problems of kind ``label_variant`` the parser recorded (a label it mapped despite a misprint)

Then, for drop1 / drop2 / lookalike, every document that lost numbers: its mutations, the rows left out
(section/row and how many cells) and the parser's problems (kind/section/row/detail), so a reader can audit
whether a loss was recorded or silent.  Wall times of rendering plus parsing per medium (PDF and DOCX, whose
rendering is slow, in a pool of two processes).  Not a test: it measures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synth.variations import KINDS, MEDIA, Planned, plan  # noqa: E402

AUDITED = ("drop1", "drop2", "lookalike")


def _run(job: tuple[Planned, str]) -> dict:
    """Render one planned document into one medium and parse it; a summary that pickles small."""
    from parsers.media import parse_bytes

    p, medium = job
    v = p.variant(medium)
    t = time.perf_counter()
    r = parse_bytes(v.data, path=v.name)
    seconds = time.perf_counter() - t
    got = {(f.section, f.row, f.column): f.value for f in r.facts if not f.derived}
    exp = v.expected
    return {
        "kind": v.kind, "medium": medium, "name": v.name, "report": v.report,
        "expected": len(exp),
        "read": sum(1 for k, x in exp.items() if k in got and _same(got[k], x)),
        "wrong": sum(1 for k, x in exp.items() if k in got and not _same(got[k], x)),
        "invented": sum(1 for k in got if k not in exp),
        "missing": sorted({(k[0], k[1]) for k in exp if k not in got}),
        "missing_cells": _count(k for k in exp if k not in got),
        "problems": [(pr.kind, pr.section, pr.row, pr.detail) for pr in r.problems],
        "errors": list(r.errors),
        "mutations": [str(m) for m in v.mutations],
        "seconds": seconds,
    }


def _audit_lines(r: dict) -> tuple[str, ...]:
    """What one document lost and the problems the parser recorded, compactly (repeated problems collapsed)."""
    if not r["missing_cells"]:
        return ("nothing left out",)
    cells = sorted(r["missing_cells"].items())
    rows = ", ".join(f"{s}/{row}({n})" for (s, row), n in cells[:6])
    more = f" … and {len(cells) - 6} more rows" if len(cells) > 6 else ""
    lines = [f"left out {sum(n for _, n in cells)} numbers: {rows}{more}"]
    by_kind: dict[str, list[tuple]] = defaultdict(list)
    for p in r["problems"]:
        if p[0] == "missing_row" and (p[1], p[2]) not in r["missing_cells"]:
            continue  # a row the report itself does not print
        by_kind[p[0]].append(p)
    for kind, ps in by_kind.items():
        if len(ps) > 3:
            rows_ = ", ".join(str(p[2]) for p in ps[:3])
            lines.append(f"problem {kind} ×{len(ps)} ({ps[0][1]}: {rows_} …): {str(ps[0][3])[:70]}")
        else:
            lines += [f"problem {p[0]}/{p[1]}/{p[2]}: {str(p[3])[:90]}" for p in ps]
    return tuple(lines)


def _count(keys) -> dict:  # noqa: ANN001 - an iterable of fact keys
    out: dict[tuple[str, str], int] = {}
    for s, r, _c in keys:
        out[(s, r)] = out.get((s, r), 0) + 1
    return out


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-9  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--media", default=",".join(MEDIA))
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--random", type=int, default=5, help="random reports besides the five seeds")
    ap.add_argument("--workers", type=int, default=2, help="processes for the PDF medium")
    args = ap.parse_args()
    media = [m for m in args.media.split(",") if m]
    kinds = [k for k in args.kinds.split(",") if k]
    for x in media:
        assert x in MEDIA, x
    for x in kinds:
        assert x in KINDS, x

    t0 = time.perf_counter()
    planned = list(plan(args.seed, args.random, kinds))
    print(f"planned {len(planned)} documents (report × kind) in {time.perf_counter() - t0:.1f} s")
    results: list[dict] = []
    walls: dict[str, float] = {}
    for medium in media:
        t = time.perf_counter()
        jobs = [(p, medium) for p in planned]
        if medium in ("pdf", "docx") and args.workers > 1:  # rendering these is the slow part
            with ProcessPoolExecutor(args.workers) as pool:
                results += list(pool.map(_run, jobs, chunksize=4))
        else:
            results += [_run(j) for j in jobs]
        walls[medium] = time.perf_counter() - t

    # the table
    cell: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in results:
        cell[(r["kind"], r["medium"])].append(r)
    head = f"{'kind':<19}{'medium':<7}{'docs':>5}{'expected':>9}{'read':>7}{'wrong':>6}{'invented':>9}{'%read':>8}{'lv':>4}"
    print()
    print(head)
    print("-" * len(head))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for kind in kinds:
        for medium in media:
            rs = cell.get((kind, medium), [])
            if not rs:
                continue
            n, e = len(rs), sum(r["expected"] for r in rs)
            rd, w, inv = (sum(r[k] for r in rs) for k in ("read", "wrong", "invented"))
            lv = sum(1 for r in rs for p in r["problems"] if p[0] == "label_variant")
            for i, x in enumerate((n, e, rd, w, inv, lv)):
                totals[medium][i] += x
            print(f"{kind:<19}{medium:<7}{n:>5}{e:>9}{rd:>7}{w:>6}{inv:>9}{100 * rd / e if e else 0:>7.1f}%{lv:>4}")
    print("-" * len(head))
    for medium in media:
        n, e, rd, w, inv, lv = totals[medium]
        print(f"{'all':<19}{medium:<7}{n:>5}{e:>9}{rd:>7}{w:>6}{inv:>9}{100 * rd / e if e else 0:>7.1f}%{lv:>4}")
    errors = [r for r in results if r["errors"]]
    if errors:
        print(f"\n{len(errors)} document(s) with errors:")
        for r in errors:
            print(f"  {r['name']} [{r['medium']}]: {'; '.join(r['errors'])[:200]}")

    # the audit list
    audited = [k for k in kinds if k in AUDITED]
    if audited:
        print("\nRows left out (drop1 / drop2 / lookalike), with the parser's problems:")
    for kind in audited:
        by_doc: dict[str, list[dict]] = defaultdict(list)
        for r in results:
            if r["kind"] == kind:
                by_doc[r["report"]].append(r)
        lost = {d: rs for d, rs in by_doc.items() if any(r["missing"] for r in rs)}
        print(f"\n[{kind}] {len(lost)} of {len(by_doc)} reports lost rows in some medium")
        for doc, rs in lost.items():
            print(f"  {doc}-{kind}")
            for m in rs[0]["mutations"]:
                print(f"    mutation  {m}")
            groups: dict[tuple, list[str]] = defaultdict(list)  # media that lost the same rows with the same problems
            for r in sorted(rs, key=lambda x: media.index(x["medium"])):
                groups[_audit_lines(r)].append(r["medium"])
            for lines, ms in groups.items():
                print(f"    {','.join(ms)}:")
                for line in lines:
                    print(f"      {line}")

    print("\nwall time (render + parse):")
    for medium in media:
        parse = sum(r["seconds"] for r in results if r["medium"] == medium)
        print(f"  {medium:<5} {walls[medium]:7.1f} s   (parsing alone {parse:6.1f} s summed over documents)")
    print(f"  total {time.perf_counter() - t0:7.1f} s")


if __name__ == "__main__":
    main()
