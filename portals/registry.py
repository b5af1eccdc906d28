"""The portal registry (data/portals.yaml): portals are configuration, spiders are per platform.

Every entry is validated (pydantic) before any request: a typo (``start_url``), a string where a
list belongs, an unknown platform, a URL without a scheme or a ``{base}`` left unfilled is a clear
error naming the entry and the field — never an all-zero summary or a traceback.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_REGISTRY = Path(__file__).resolve().parents[1] / "data" / "portals.yaml"
DEFAULT_TIME_LIMIT = 3600.0  # seconds a portal's crawl may take before it is stopped (and said to be partial)
PLATFORMS = ("hanweb", "gkmlpt", "trs", "nfcms", "generic", "folder")


class RegistryError(ValueError):
    """The registry file cannot be used: it names the file, the entry and the field."""


class PortalEntry(BaseModel):
    """One portal as the registry must spell it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = Field(min_length=1)
    platform: Literal["hanweb", "gkmlpt", "trs", "nfcms", "generic", "folder"]
    start_urls: list[str] = Field(min_length=1)
    region: str | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{6}(?:\d{6})?$")
    body: str | None = None  # the one body whose site this is (a department's portal), full name
    verified: bool | None = None  # a crawl has confirmed the entry
    source: str | None = None  # where the entry came from
    sid: str | None = Field(default=None, pattern=r"^\d{1,9}$")
    search_jsonp_url: str | None = None  # gkmlpt: the province's site search, for posts beyond the list API's window; a host only a page names is never asked
    time_limit: float = Field(default=DEFAULT_TIME_LIMIT, gt=0)
    attachment_hosts: list[str] = Field(default_factory=list)
    # generic platform: where the report links are and how the list pages on
    links: str | None = None
    next_pages: str | None = None
    max_pages: int | None = Field(default=None, gt=0)

    @field_validator("start_urls")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        for u in urls:
            if re.search(r"\{[a-z_]+\}", u):
                raise ValueError(f"{u!r} has a placeholder left unfilled")
        return urls

    @model_validator(mode="after")
    def _web_urls(self) -> PortalEntry:
        if self.platform != "folder":
            for u in self.start_urls:
                parts = urlsplit(u)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    raise ValueError(f"start_urls: {u!r} is not an http(s) URL with a host")
        return self


@dataclass(frozen=True)
class Portal:
    id: str
    name: str
    platform: str
    start_urls: tuple[str, ...]
    region: str | None = None
    region_code: str | None = None
    body: str | None = None
    time_limit: float = DEFAULT_TIME_LIMIT
    options: dict[str, Any] = field(default_factory=dict)


_CORE = {"id", "name", "platform", "start_urls", "region", "region_code", "body", "time_limit"}


def _explain(path: Path, index: int, entry: Any, err: ValidationError) -> str:
    pid = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
    lines = [f"{path}: portal {pid}:"]
    for e in err.errors():
        where = ".".join(str(x) for x in e["loc"]) or "entry"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(e["loc"][-1]), PortalEntry.model_fields, n=1)
            msg = "unknown field" + (f" (did you mean {close[0]!r}?)" if close else "")
        elif e["type"] == "literal_error" and where == "platform":
            msg = f"unknown platform {e.get('input')!r} (known: {', '.join(PLATFORMS)})"
        lines.append(f"  {where}: {msg}")
    return "\n".join(lines)


def load_portals(path: Path = DEFAULT_REGISTRY, *, base: str | None = None) -> list[Portal]:
    """The portals of a registry file, validated; ``base`` fills ``{base}`` in start URLs (the demo portal)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RegistryError(f"{path}: cannot read the registry ({e.strerror or e})") from None
    except UnicodeDecodeError as e:
        raise RegistryError(f"{path}: not a registry: not UTF-8 text (byte {e.start}: {e.object[e.start:e.start + 1]!r})") from None
    if base is not None:
        text = text.replace("{base}", base)
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:  # one line: where, and what the parser expected
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(str(getattr(e, "problem", None) or e).split())
        raise RegistryError(f"{path}: not valid YAML{where}: {what}") from None
    entries = doc.get("portals") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected a top-level 'portals:' list")
    out: list[Portal] = []
    errors: list[str] = []
    for i, entry in enumerate(entries):
        try:
            e = PortalEntry.model_validate(entry)
        except ValidationError as err:
            errors.append(_explain(path, i, entry, err))
            continue
        data = e.model_dump(exclude_none=True)
        out.append(
            Portal(
                id=e.id, name=e.name, platform=e.platform, start_urls=tuple(e.start_urls), region=e.region,
                region_code=e.region_code, body=e.body, time_limit=e.time_limit,
                options={k: v for k, v in data.items() if k not in _CORE},
            )
        )
    ids = [p.id for p in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        errors.append(f"{path}: portal ids must be unique: {', '.join(dupes)}")
    if errors:
        raise RegistryError("\n".join(errors))
    return out
