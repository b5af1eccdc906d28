"""The ``xxgk`` command line: a thin shell over the pipeline functions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from parsers.media import parse_path
from parsers.model import ParseResult

from . import build


def _summary(r: ParseResult) -> str:
    m = r.report
    if r.errors:
        return f"{r.path}: ERROR {'; '.join(r.errors)}"
    failed = [c for c in r.checks if not c.passed]
    lines = [
        f"{r.path}: {m.agency or '?'} {m.year or '?'} ({m.format or 'unknown format'}, {m.scope}) id={m.report_id}",
        f"  body: {m.agency_name or 'unresolved'} ({m.region_code or '?'}, {m.agency_level or '?'}, {m.agency_kind or '?'}); "
        f"year from {m.year_source or '-'}, name from {m.agency_name_source or '-'}",
        f"  {len(r.facts)} facts, {len(r.checks)} checks ({len(failed)} failed), {len(r.problems)} problems",
    ]
    lines += [f"  FAILED {c.name}: {c.detail}" for c in failed]
    lines += [f"  problem {p.kind} {p.section or ''} {p.row or ''}: {p.detail}" for p in r.problems]
    lines += [f"  problem {kind}: {detail}" for kind, detail in m.identity_problems]
    return "\n".join(lines)


def _expand(paths: list[str]) -> list[str]:
    """Files as given; a folder stands for the report documents inside it, in name order."""
    out: list[str] = []
    for p in paths:
        out += [str(x) for x in build.find_documents(Path(p))] if Path(p).is_dir() else [p]
    return out


def cmd_parse(args: argparse.Namespace) -> int:
    status = 0
    for path in _expand(args.paths):
        r = parse_path(path)
        if r.errors:
            status = 1
        if args.json:
            print(json.dumps(r.as_dict(), ensure_ascii=False, default=str), flush=True)
        else:
            print(_summary(r), flush=True)
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    return build.demo(Path(args.data_dir))


def _crawl(args: argparse.Namespace, layout: build.Layout) -> int:
    from .crawl import format_summary, harvest_portal, progress_line
    from portals.registry import RegistryError, load_portals

    try:
        portals = load_portals(Path(args.portals))
    except RegistryError as e:
        print(f"registry error: {e}", file=sys.stderr)
        return 2
    if args.portal:
        portals = [p for p in portals if p.id in args.portal]
        missing = set(args.portal) - {p.id for p in portals}
        if missing:
            print(f"no such portal in {args.portals}: {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
    results = {}
    for p in portals:
        results[p.id] = harvest_portal(p, layout)
        print(progress_line(p.id, results[p.id]), flush=True)
    print(format_summary(results))
    bad = [pid for pid, s in results.items() if s.get("verdict") != "ok"]
    if bad:
        print(f"not ok: {', '.join(bad)} (exit status 1)", file=sys.stderr)
        return 1
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    return _crawl(args, build.Layout(Path(args.data_dir)))


def cmd_build(args: argparse.Namespace) -> int:
    from .harvest import archived_sources

    layout = build.Layout(Path(args.data_dir))
    status = 0
    if args.portals:
        status = _crawl(args, layout)
        if status == 2:  # the registry could not be used: nothing was crawled
            return status
        from portals.registry import load_portals

        sources = archived_sources(layout.raw, load_portals(Path(args.portals)))  # validated by the crawl above
        where = str(layout.raw)
    elif args.documents:
        sources = build.folder_sources(Path(args.documents))
        where = args.documents
    else:
        print("give --portals FILE (crawl, then parse) or --documents FOLDER", file=sys.stderr)
        return 2
    counts = build.build(layout, sources)
    print(f"parsed {len(sources)} documents from {where}")
    for name, n in counts.items():
        print(f"  {name:<17}{n:>6} rows")
    print(f"warehouse: {layout.db}")
    return status  # 1 when a portal was not ok: the build used what was archived, and says so


def _built(args: argparse.Namespace) -> build.Layout | None:
    """The data directory's layout, or None (said on stderr) when no warehouse was built there."""
    layout = build.Layout(Path(args.data_dir))
    if not layout.db.exists():
        print(f"no warehouse at {layout.db}: run `xxgk build` or `make demo` first", file=sys.stderr)
        return None
    return layout


def cmd_release(args: argparse.Namespace) -> int:
    layout = _built(args)
    if layout is None:
        return 2
    print(build.release(layout))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from warehouse.database import format_table, query

    layout = _built(args)
    if layout is None:
        return 2
    try:
        names, rows = query(layout.db, args.sql)
    except Exception as e:  # a researcher's SQL error: say it, no traceback
        print(f"query failed: {e}", file=sys.stderr)
        return 1
    print(format_table(names, rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="xxgk", description="Build the xxgk dataset of government information disclosure annual reports.")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse report documents and print their facts")
    p.add_argument("paths", nargs="+", help="documents (HTML, PDF, DOCX, DOC/WPS, text; the reader is chosen by content) or folders of them")
    p.add_argument("--json", action="store_true", help="one JSON object per document, one per line")
    p.set_defaults(func=cmd_parse)

    c = sub.add_parser(
        "crawl", help="harvest portals of the registry into the raw archive",
        description="Harvest portals into the raw archive. Exit status: 0 when every portal's verdict is ok; "
        "1 when any is partial, failed or blocked (the summary says why); 2 for a registry that cannot be used.",
    )
    c.add_argument("--portals", required=True, help="portal registry (data/portals.yaml)")
    c.add_argument("--portal", action="append", help="only this portal id (repeatable)")
    c.add_argument("--data-dir", required=True)
    c.set_defaults(func=cmd_crawl)

    b = sub.add_parser(
        "build", help="crawl (or take a folder), then parse into Parquet tables and the DuckDB warehouse",
        description="Crawl (--portals) or take a folder (--documents), then build the dataset. With --portals the exit "
        "status is 1 when any portal is not ok (the build still uses everything archived), 2 for an unusable registry.",
    )
    b.add_argument("--data-dir", required=True, help="data directory (raw/, parquet/, xxgk.duckdb, releases/ go here)")
    b.add_argument("--portals", help="portal registry: crawl first, then parse everything archived")
    b.add_argument("--portal", action="append", help="only this portal id (repeatable)")
    b.add_argument("--documents", help="or: a folder of report documents")
    b.set_defaults(func=cmd_build)

    r = sub.add_parser("release", help="write an immutable, versioned release of the current build")
    r.add_argument("--data-dir", required=True)
    r.set_defaults(func=cmd_release)

    q = sub.add_parser("query", help="run SQL against the warehouse and print a table")
    q.add_argument("sql")
    q.add_argument("--data-dir", default="data/demo")
    q.set_defaults(func=cmd_query)

    d = sub.add_parser("demo", help="the main job on the bundled sample reports, offline")
    d.add_argument("--data-dir", default="data/demo", help="where the demo writes (default: data/demo)")
    d.set_defaults(func=cmd_demo)

    args = ap.parse_args(argv)
    from archive.locks import Busy

    try:
        return int(args.func(args))
    except Busy as e:  # another build or release of the same data directory
        print(f"busy: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
