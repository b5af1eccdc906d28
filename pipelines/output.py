"""What the CLI prints: query results in four formats, and progress on long steps.

Query results are never cut: a SHA-256, a URL or a check's detail is printed whole (a pager such as
``less -S`` scrolls sideways).  Progress bars (rich) are drawn only on a terminal, on stderr; in a
log or a pipe each step is one line, so nightly logs stay readable and stdout stays data.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from types import TracebackType

FORMATS = ("table", "csv", "json", "markdown")


def _text(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if "\u2e80" <= ch <= "\ufe4f" or "\uff00" <= ch <= "\uffef" else 1 for ch in s)


def format_table(names: list[str], rows: list[tuple], max_width: int | None = None) -> str:
    """An aligned text table; cells are whole unless ``max_width`` is given."""

    def cell(v: object) -> str:
        s = _text(v).replace("\n", " ")
        return s if max_width is None or len(s) <= max_width else s[: max_width - 1] + "…"

    body = [[cell(v) for v in r] for r in rows]
    widths = [max([width(n)] + [width(r[i]) for r in body]) for i, n in enumerate(names)]

    def line(vals: list[str]) -> str:
        return " | ".join(v + " " * (widths[i] - width(v)) for i, v in enumerate(vals))

    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in body]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _json_value(v: object) -> object:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    return str(v)  # dates, decimals, UUIDs: their ISO/text form


def render(names: list[str], rows: list[tuple], fmt: str = "table") -> str:
    """Rows in one of :data:`FORMATS`: ``csv`` (RFC 4180, NULL as empty), ``json`` (an array of objects),
    ``markdown`` (a pipe table), ``table`` (aligned, whole cells)."""
    if fmt == "table":
        return format_table(names, rows)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(names)
        w.writerows([["" if v is None else _text(v) if isinstance(v, float) else v for v in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    if fmt == "json":
        return json.dumps([dict(zip(names, map(_json_value, r), strict=True)) for r in rows], ensure_ascii=False, indent=1)
    if fmt == "markdown":
        def esc(v: object) -> str:
            return _text(v).replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(esc(n) for n in names) + " |", "|" + "|".join("---" for _ in names) + "|"]
        lines += ["| " + " | ".join(esc(v) for v in r) + " |" for r in rows]
        return "\n".join(lines)
    raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


class Progress:
    """Progress of one long step: a rich bar on a terminal (stderr), else a line when it starts and ends."""

    def __init__(self, label: str, total: int | None = None, *, enabled: bool = True) -> None:
        self.label, self.total, self.enabled = label, total, enabled
        self.done = 0
        self._bar = None
        self._task = None
        self._t0 = 0.0

    def __enter__(self) -> Progress:
        self._t0 = time.monotonic()
        if not self.enabled:
            return self
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=False)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total)
        else:
            print(f"{self.label} …" + (f" ({self.total})" if self.total is not None else ""), file=sys.stderr, flush=True)
        return self

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(self._task, advance=n)

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self.enabled:
            state = "failed" if et else "done"
            print(f"{self.label}: {state} ({self.done} in {time.monotonic() - self._t0:.1f} s)", file=sys.stderr, flush=True)
