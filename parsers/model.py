"""The data model: a report (metadata and provenance), its facts, its checks and its problems."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from .document import Location

Number = int | float


@dataclass
class Fact:
    """One printed number: ``(section, row, column) -> value``, with the text as printed."""

    section: str
    row: str
    column: str
    value: Number | None  # None: printed as blank, "/", "—" … ("no number", never 0)
    raw: str  # the cell as printed
    note: str | None = None  # 1（撤回） -> note 撤回
    location: Location = field(default_factory=Location)
    derived: bool = False  # computed from the table's identities, not printed

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "section": self.section,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "raw": self.raw,
            "note": self.note,
            "location": self.location.as_dict(),
        }
        if self.derived:
            d["derived"] = True
        return d


@dataclass
class Check:
    """One accounting identity evaluated on one report.  A failure never changes a number."""

    name: str
    passed: bool
    detail: str
    values: dict[str, Number] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Problem:
    """Something the parser could not do with certainty, recorded rather than guessed."""

    kind: str  # unplaceable_row, missing_row, missing_section, unmapped_label, …
    section: str | None
    row: str | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReportMeta:
    agency: str | None = None  # the body's name as the report (or, failing that, its page) prints it
    region: str | None = None
    region_code: str | None = None
    year: int | None = None
    # where each was read: title | text | signature | page_meta | registry | inferred (year only)
    year_source: str | None = None
    agency_source: str | None = None  # where ``agency_printed`` was read
    agency_printed: str | None = None  # the name as the document itself prints it (title, text, signature)
    # the body resolved against the national divisions (identity.agency); None when not certain
    agency_id: str | None = None
    agency_name: str | None = None  # full name: 武汉市汉阳区统计局
    agency_level: str | None = None
    agency_kind: str | None = None
    agency_name_source: str | None = None  # which name the body was resolved from
    region_source: str | None = None  # name | registry | index_no
    aggregate_text: bool = False  # the text says it combines its bodies' reports
    identity_problems: list[tuple[str, str]] = field(default_factory=list)
    format: str | None = None
    scope: str | None = None
    published_on: str | None = None  # ISO date
    published_on_source: str | None = None  # text (under the signature) | page_meta:written_on | page_meta:page_published_on
    narrative: dict[str, list] = field(default_factory=dict)  # section -> [characters, shingles, MinHash signature] (parsers/narrative.py)
    title: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    # provenance
    source_path: str | None = None
    source_url: str | None = None
    sha256: str | None = None
    media_type: str | None = None
    fetched_at: str | None = None
    page_meta: dict[str, str] = field(default_factory=dict)

    @property
    def report_id(self) -> str | None:
        return report_id(self.agency_id, self.year, self.sha256)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["id"] = self.report_id
        return d


def report_id(agency_id: str | None, year: int | None, sha256: str | None = None) -> str | None:
    """A stable id: the same body and year give the same id in every build and every medium.

    Derived from what the report *is* — the resolved body (``agency_id``: division code and full
    name, so two 城关镇人民政府 of two counties never share one) and the year — never from file order
    or row numbers, so an HTML page and its PDF attachment share one id and ids never renumber.
    Without a resolved body or a year it falls back to the document's SHA-256.
    """
    if agency_id and year:
        h = hashlib.sha256(f"xxgk-report\x1f{agency_id}\x1f{year}".encode()).hexdigest()
        return f"r{year}-{h[:12]}"
    if sha256:
        return f"d-{sha256[:16]}"
    return None


@dataclass
class ParseResult:
    path: str
    report: ReportMeta
    facts: list[Fact] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "report": self.report.as_dict(),
            "facts": [f.as_dict() for f in self.facts],
            "checks": [c.as_dict() for c in self.checks],
            "problems": [p.as_dict() for p in self.problems],
            "errors": list(self.errors),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ParseResult:
        """The inverse of :meth:`as_dict` (plain JSON data in, no code run: the parse cache's format)."""
        meta = {k: v for k, v in d["report"].items() if k != "id"}
        meta["identity_problems"] = [tuple(p) for p in meta.get("identity_problems", [])]
        facts = [
            Fact(f["section"], f["row"], f["column"], f["value"], f["raw"], f.get("note"), _location(f.get("location", {})),
                 bool(f.get("derived", False)))
            for f in d["facts"]
        ]
        return cls(
            path=d["path"], report=ReportMeta(**meta), facts=facts,
            checks=[Check(**c) for c in d["checks"]], problems=[Problem(**p) for p in d["problems"]], errors=list(d["errors"]),
        )


def _location(d: dict[str, Any]) -> Location:
    bbox = d.get("bbox")
    return Location(**{**d, "bbox": tuple(bbox) if bbox else None})
