"""The ``xxgk`` command line: a thin shell over the pipeline functions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from typing import TYPE_CHECKING

from archive.layout import Layout
from warehouse import built_with

from .output import FORMATS, Progress, render

if TYPE_CHECKING:
    from parsers.model import ParseResult

# Heavy libraries (polars, duckdb, pdfminer, scrapy, pydantic) are imported by the commands that use them,
# never at start-up: `xxgk --help` and `xxgk --version` answer at once.


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


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse files and folders; a folder's files are read by content, and every file left out is listed.  Each
    document is parsed in a worker process under the time and memory limits: one that aborts a reader, or passes
    its budget, is one error line, and the others go on."""
    from .parallel import iter_parse
    from .sources import list_folder, not_a_regular_file, printable_text

    paths: list[Path] = []
    skipped: list[str] = []
    lost = 0  # skipped files that could have been documents: the exit status says so
    for given in map(Path, args.paths):
        if given.is_dir():
            listing = list_folder(given)
            paths += listing.documents
            skipped += listing.describe_skipped(limit=10**9)
            lost += listing.skipped_files
            if not listing.documents:
                skipped.append(f"  {printable_text(str(given))}: no report documents in this folder")
        elif given.exists() and (odd := not_a_regular_file(given)):
            skipped.append(f"  skipped {printable_text(str(given))}: {odd}")  # a FIFO is never opened
            lost += 1
        else:  # a file, or a path that is not there: its error is reported with the others, the batch goes on
            paths.append(given)
    status = 0
    with Progress("parse (documents)", len(paths), enabled=len(paths) > 1) as bar:
        for r in iter_parse(paths, None, timeout=args.timeout, progress=bar, isolate=True):
            r.path = printable_text(r.path)
            r.report.source_path = printable_text(r.report.source_path or "") or None
            if r.errors:
                status = 1
            if args.json:
                print(json.dumps(r.as_dict(), ensure_ascii=False, default=str), flush=True)
            else:
                print(_summary(r), flush=True)
    if skipped:
        print(f"skipped {len(skipped)}:", file=sys.stderr)
        print("\n".join(printable_text(s) for s in skipped), file=sys.stderr)
        status = max(status, 1) if paths and lost else status
    if not paths:
        print("nothing to parse", file=sys.stderr)
        return 2
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    from .build import demo

    return demo(_data_dir(args))


def _data_dir(args: argparse.Namespace) -> Path:
    """The ``--data-dir`` given, which must be a folder (or not exist yet)."""
    from .sources import SourceError

    root = Path(args.data_dir)
    if root.exists() and not root.is_dir():
        raise SourceError(f"--data-dir {root} is a file, not a folder")
    return root


def _crawl(args: argparse.Namespace, layout: Layout) -> int:
    from .crawl import format_summary, harvest_many, progress_line
    from portals.registry import Portal, load_portals

    portals = load_portals(Path(args.portals))  # a RegistryError is said by main(), exit 2
    if args.portal:
        portals = [p for p in portals if p.id in args.portal]
        missing = set(args.portal) - {p.id for p in portals}
        if missing:
            print(f"no such portal in {args.portals}: {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
    with Progress("harvest (portals)", len(portals)) as bar:

        def done(p: Portal, summary: dict) -> None:
            bar.advance()
            print(progress_line(p.id, summary), flush=True)

        results = harvest_many(portals, layout, hosts_at_once=args.hosts_at_once, on_done=done)
    print(format_summary(results))
    bad = [pid for pid, s in results.items() if s.get("verdict") != "ok"]
    if bad:
        print(f"not ok: {', '.join(bad)} (exit status 1)", file=sys.stderr)
        return 1
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    return _crawl(args, Layout(_data_dir(args)))


def cmd_registry_check(args: argparse.Namespace) -> int:
    from portals.check import check

    report = check(Path(args.portals))  # a RegistryError is said by main(), exit 2
    print(report.summary())
    return 1 if report.problems else 0


def cmd_discover(args: argparse.Namespace) -> int:
    from .discover import entries, run_discovery, to_yaml

    local = all((urlsplit(u).hostname or "").startswith("127.") or urlsplit(u).hostname == "localhost" for u in args.urls)
    findings = run_discovery(list(args.urls), local=local, log_file=Path(args.log_file) if args.log_file else None)
    found, unknown = entries(findings)
    text = to_yaml(found, unknown)
    print(text, end="")
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 1 if unknown else 0


def cmd_demo_portal(args: argparse.Namespace) -> int:
    """Serve the demo portal until interrupted: its home page links each site, and the demo registry is printed with
    its address filled in, so `xxgk discover`, `xxgk crawl` and a rehearsal of the Dagster nightly can run against it."""
    import signal
    import threading

    from synth.demo_portal import DemoPortal

    registry = (Path(__file__).resolve().parents[1] / "data" / "portals.demo.yaml").read_text(encoding="utf-8")
    with DemoPortal(host=args.host, port=args.port) as server:
        filled = registry.replace("{base}", server.base)
        if args.registry:
            Path(args.registry).write_text(filled, encoding="utf-8")
        print(f"demo portal on {server.base}/ (its sites: {server.base}/yq/ Hanweb, {server.base}/qy/ gkmlpt, "
              f"{server.base}/trs/index.html TRS list, {server.base}/blocked/ a challenge page)", flush=True)
        print(f"try: xxgk discover {server.base}/yq/ {server.base}/qy/" + (f"   |   registry written to {args.registry}" if args.registry else ""),
              flush=True)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from . import build
    from .harvest import archived_sources
    from .sources import SourceError

    layout = Layout(_data_dir(args))
    status = 0
    skipped: list[str] = []
    n_skipped = 0
    if args.portals and args.documents:
        raise SourceError("give --portals or --documents, not both")
    if args.portals:
        status = _crawl(args, layout)
        if status == 2:  # nothing was crawled
            return status
        from portals.registry import load_portals

        sources = archived_sources(layout.raw, load_portals(Path(args.portals)))  # validated by the crawl above
        where = str(layout.raw)
        if not sources:
            raise SourceError(f"nothing archived in {layout.raw}: no documents to build from; nothing was changed")
    elif args.documents:
        from .sources import documents_in

        listing = documents_in(Path(args.documents))  # a SourceError when missing, unreadable or empty
        sources = build.folder_sources(Path(args.documents), listing)
        skipped = listing.describe_skipped()
        n_skipped = listing.skipped_files
        where = args.documents
    else:
        raise SourceError("give --portals FILE (crawl, then parse) or --documents FOLDER")
    with Progress("parse and build (documents)", len(sources)) as bar:
        counts = build.build(layout, sources, allow_shrink=args.allow_shrink, progress=bar, workers=args.workers, timeout=args.parse_timeout)
    print(f"parsed {len(sources)} documents from {where}")
    for name, n in counts.items():
        print(f"  {name:<17}{n:>6} rows")
    from warehouse import generations

    current = generations.current(layout.root)
    print(f"warehouse: {current.db if current else layout.db}")
    # the truth about the documents, in the summary and the exit status: failed and skipped ones make it 1
    by = build.outcomes(layout)  # the current generation's own database
    failed = by.get("error", 0) + by.get("needs_ocr", 0)
    print(f"documents: {by.get('parsed', 0)} parsed, {failed} failed, {by.get('not_a_report', 0)} not reports, "
          f"{n_skipped} file(s) skipped" + (" (failures: SELECT path, error FROM documents WHERE outcome IN ('error', 'needs_ocr'))"
                                            if failed else ""))
    for line in skipped:
        print(line)
    if failed or n_skipped:
        status = max(status, 1)
    return status  # 1 when a portal was not ok, or a document failed or was skipped: the build used the rest


def _built(args: argparse.Namespace) -> Layout:
    """The data directory's layout; a SourceError when no warehouse was built there."""
    from .sources import SourceError

    layout = Layout(_data_dir(args))
    if not layout.db.exists():
        raise SourceError(f"no warehouse in {layout.root}: run `xxgk build` or `make demo` first")
    return layout


def cmd_release(args: argparse.Namespace) -> int:
    from . import build

    layout = _built(args)
    try:
        print(build.release(layout, allow_shrink=args.allow_shrink))
    except build.NothingChanged as e:
        print(str(e))
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    """Build (or rebuild) the offline site of the latest release, or of ``--release VERSION``."""
    from website.build import build_site

    releases = Path(args.data_dir) / "releases"
    folder = (releases / args.release) if args.release else (releases / "latest")
    if not (folder / "xxgk.duckdb").is_file():
        print(f"no release at {folder}: build and release first (xxgk build, xxgk release)", file=sys.stderr)
        return 2
    folder = folder.resolve()
    out = Path(args.out) if args.out else Path(args.data_dir) / "sites" / folder.name
    if out.resolve() == folder or folder in out.resolve().parents:
        # a release is immutable: SHA256SUMS covers every file in it, the site it was published with included
        print(f"error: {out} is inside the release {folder.name}, which is sealed (its site was built when it was made); "
              "write the site elsewhere with --out", file=sys.stderr)
        return 2
    summary = build_site(folder, out)
    print(f"site of {folder.name}: {summary.path}  ({summary.files} files, {summary.bytes / 1e6:.1f} MB, "
          f"{summary.bodies} bodies, {summary.reports} reports, {summary.seconds:.1f} s)")
    print(f"open it: python -m http.server -d {summary.path} 8000, then http://127.0.0.1:8000/ (downloads and source "
          "pages are links into the release folder: the release's own site/ has them)")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from warehouse import generations
    from warehouse.database import EmptyQuery, ReadOnlyQuery, queries

    layout = _built(args)
    gen = generations.current(layout.root)  # the current build's own file, whatever else the data directory holds
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    try:
        results = queries(gen.db if gen else layout.db, sql)
    except (EmptyQuery, ReadOnlyQuery) as e:  # nothing was run, or nothing was changed: a mistake in what was asked
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a researcher's SQL error: say it, no traceback
        print(f"query failed: {str(e).strip()}", file=sys.stderr)
        return 1
    shown = [(names, rows) for names, rows in results if names] or results[-1:]
    for i, (names, rows) in enumerate(shown):
        if i:
            print()
        print(render(names, rows, args.format) if names else "(done)")
    return 0


def _logging(verbosity: int) -> None:
    """Quiet by default (our own warnings only); -v: the libraries' INFO logs; -vv: DEBUG."""
    import logging

    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if verbosity == 0:
        for noisy in ("pdfminer", "pdfplumber", "fontTools", "scrapy", "twisted", "docx", "filelock"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="xxgk", description="Build the xxgk dataset of government information disclosure annual reports.",
        epilog="Exit status: 0 done; 1 done, but something was not ok (a portal, a document, a query); "
        "2 nothing done: a mistake in what was asked (missing or empty source, unusable registry, data "
        "directory busy); 3 refused by a guard: the result would shrink the dataset (see --allow-shrink).",
    )
    ap.add_argument("--version", action="version", version=f"xxgk {built_with()}")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="show library logs (-vv: debug)")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse report documents and print their facts")
    p.add_argument("paths", nargs="+", help="documents (HTML, PDF, DOCX, DOC/WPS, text; read by content, whatever their name) or folders of them")
    p.add_argument("--json", action="store_true", help="one JSON object per document, one per line")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds one document may take before it is stopped (default 300)")
    p.set_defaults(func=cmd_parse)

    c = sub.add_parser(
        "crawl", help="harvest portals of the registry into the raw archive",
        description="Harvest portals into the raw archive. Exit status: 0 when every portal's verdict is ok; "
        "1 when any is partial, failed or blocked (the summary says why); 2 for a registry that cannot be used.",
    )
    c.add_argument("--portals", required=True, help="portal registry (data/portals.yaml)")
    c.add_argument("--portal", action="append", help="only this portal id (repeatable)")
    c.add_argument("--data-dir", required=True)
    c.add_argument("--hosts-at-once", type=int, default=8, help="hosts crawled in parallel, each one request at a time (default 8)")
    c.set_defaults(func=cmd_crawl)

    rg = sub.add_parser("registry", help="work with the portal registry")
    rgs = rg.add_subparsers(dest="registry_command", required=True)
    rc = rgs.add_parser("check", help="validate the whole registry offline (schema, start URL shapes, region codes, sources)",
                        description="Validate the registry without any request. Exit 0: no problem; 1: problems (listed); 2: unusable file.")
    rc.add_argument("--portals", default=str(Path(__file__).resolve().parents[1] / "data" / "portals.yaml"))
    rc.set_defaults(func=cmd_registry_check)

    dv = sub.add_parser(
        "discover", help="recognise sites' platforms and annual-report columns; print registry entries",
        description="Fetch a few pages of each site politely, recognise its platform, find its annual-report column and "
        "its departments' sub-sites, and print registry entries (YAML, verified: false). Sites where nothing usable "
        "was found are listed as comments with what was seen. Exit status 1 when any site was not recognised.",
    )
    dv.add_argument("urls", nargs="+", help="site addresses (home page, disclosure catalogue or column)")
    dv.add_argument("--out", help="also write the entries to this file")
    dv.add_argument("--log-file", help="Scrapy's log (default: discarded)")
    dv.set_defaults(func=cmd_discover)

    b = sub.add_parser(
        "build", help="crawl (or take a folder), then parse into Parquet tables and the DuckDB warehouse",
        description="Crawl (--portals) or take a folder (--documents), then build a new generation of the dataset and "
        "make it current. A missing, unreadable or empty source changes nothing (exit 2); a build with sharply fewer "
        "reports or facts than the current one is refused (exit 3) unless --allow-shrink. With --portals the exit "
        "status is 1 when any portal is not ok (the build still uses everything archived).",
    )
    b.add_argument("--data-dir", required=True, help="data directory (raw/, generations/, xxgk.duckdb, releases/ go here)")
    b.add_argument("--portals", help="portal registry: crawl first, then parse everything archived")
    b.add_argument("--portal", action="append", help="only this portal id (repeatable)")
    b.add_argument("--documents", help="or: a folder of report documents")
    b.add_argument("--allow-shrink", action="store_true", help="accept a build with sharply fewer reports or facts than the current one")
    b.add_argument("--workers", type=int, default=None, help="parsing processes (default: one per core; 1: parse in this process)")
    b.add_argument("--hosts-at-once", type=int, default=8, help="hosts crawled in parallel, each one request at a time (default 8)")
    b.add_argument("--parse-timeout", type=float, default=300.0, help="seconds one document may take before it is stopped and recorded as an error (default 300)")
    b.set_defaults(func=cmd_build)

    r = sub.add_parser(
        "release", help="publish the current build as an immutable, versioned release",
        description="Publish the current build. Nothing changed since the latest release: no new version (exit 0). "
        "Sharply fewer reports or facts than the latest release: refused (exit 3) unless --allow-shrink.",
    )
    r.add_argument("--data-dir", required=True)
    r.add_argument("--allow-shrink", action="store_true", help="release even with sharply fewer reports or facts than the latest release")
    r.set_defaults(func=cmd_release)

    st = sub.add_parser("site", help="build the offline static site of a release (overview, bodies, reports, dictionary)",
                        description="Write a release's static site outside the release (default: <data dir>/sites/<version>, "
                        "replaced whole); every release already ships its own site/, with its downloads and source pages. "
                        "A sealed release is never written into.")
    st.add_argument("--data-dir", required=True)
    st.add_argument("--release", help="version to build the site of (default: latest)")
    st.add_argument("--out", help="folder to write the site into (default: <data dir>/sites/<version>; never inside a release)")
    st.set_defaults(func=cmd_site)

    q = sub.add_parser("query", help="run SQL against the warehouse and print the results",
                       description="Run one or more SQL statements (separated by ;) read-only; prints each result. "
                       "Cells are never cut: pipe wide tables to `less -S`.")
    q.add_argument("sql", help="SQL text, or - to read it from standard input")
    q.add_argument("--data-dir", default="data/demo")
    q.add_argument("--format", choices=FORMATS, default="table", help="table (aligned, default), csv, json or markdown")
    q.set_defaults(func=cmd_query)

    dp = sub.add_parser("demo-portal", help="serve the demo portal (Hanweb, gkmlpt, TRS sites) on this machine until Ctrl-C",
                        description="Serve the demo portal: a home page linking each site, for xxgk discover, xxgk crawl and "
                        "a rehearsal of the Dagster nightly. Stops on Ctrl-C or SIGTERM.")
    dp.add_argument("--port", type=int, default=28765, help="port (default 28765; 0: any free port)")
    dp.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dp.add_argument("--registry", help="also write the demo registry with this server's address to this file")
    dp.set_defaults(func=cmd_demo_portal)

    d = sub.add_parser("demo", help="the main job on the bundled sample reports, offline")
    d.add_argument("--data-dir", default="data/demo", help="where the demo writes (default: data/demo)")
    d.set_defaults(func=cmd_demo)
    return ap


# (exception class, its module, prefix, exit status): looked up only in modules already imported, so
# classifying an error never imports anything
USER_ERRORS = (
    ("SourceError", "pipelines.sources", "error", 2),  # a mistake in what was asked: said, nothing changed
    ("RegistryError", "portals.registry", "error", 2),
    ("Busy", "archive.locks", "busy", 2),  # another build or release of the same data directory
    ("Refused", "warehouse.release", "refused", 3),
    ("ReleaseInvalid", "warehouse.release", "error", 1),  # nothing was published
    ("BuildInvalid", "pipelines.build", "error", 1),  # nothing was replaced
)


def _classify(e: BaseException) -> tuple[str, int] | None:
    for name, module, prefix, code in USER_ERRORS:
        cls = getattr(sys.modules.get(module), name, None)
        if cls is not None and isinstance(e, cls):
            return prefix, code
    return None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _logging(args.verbose)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        known = _classify(e)
        if known:
            print(f"{known[0]}: {e}", file=sys.stderr)
            return known[1]
        if isinstance(e, OSError) and not args.verbose:  # the file system said no (a path that is a file, no permission, a full disk)
            print(f"error: {e.strerror or e}{f': {e.filename}' if e.filename else ''} (run with -v for details)", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
