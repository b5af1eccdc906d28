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
        f"  {len(r.facts)} facts, {len(r.checks)} checks ({len(failed)} failed), {len(r.problems)} problems",
    ]
    lines += [f"  FAILED {c.name}: {c.detail}" for c in failed]
    lines += [f"  problem {p.kind} {p.section or ''} {p.row or ''}: {p.detail}" for p in r.problems]
    return "\n".join(lines)


def cmd_parse(args: argparse.Namespace) -> int:
    status = 0
    for path in args.paths:
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="xxgk", description="Build the xxgk dataset of government information disclosure annual reports.")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse report documents and print their facts")
    p.add_argument("paths", nargs="+", help="documents: HTML pages, PDF, DOCX, DOC/WPS, plain text (the reader is chosen by content)")
    p.add_argument("--json", action="store_true", help="one JSON object per document, one per line")
    p.set_defaults(func=cmd_parse)

    d = sub.add_parser("demo", help="run the main job on the bundled sample reports")
    d.add_argument("--data-dir", default="data", help="data directory (default: data)")
    d.set_defaults(func=cmd_demo)

    args = ap.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
