"""The portal registry (data/portals.yaml): portals are configuration, spiders are per platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_REGISTRY = Path(__file__).resolve().parents[1] / "data" / "portals.yaml"


@dataclass(frozen=True)
class Portal:
    id: str
    name: str
    platform: str
    start_urls: tuple[str, ...]
    region: str | None = None
    region_code: str | None = None
    body: str | None = None  # the one body whose site this is (a department's portal), full name
    options: dict[str, Any] = field(default_factory=dict)


def load_portals(path: Path = DEFAULT_REGISTRY, *, base: str | None = None) -> list[Portal]:
    """The portals of a registry file; ``base`` fills ``{base}`` in start URLs (the demo portal)."""
    text = path.read_text(encoding="utf-8")
    if base is not None:
        text = text.replace("{base}", base)
    doc = yaml.safe_load(text) or {}
    out = []
    known = {"id", "name", "platform", "start_urls", "region", "region_code", "body"}
    for entry in doc.get("portals", []):
        out.append(
            Portal(
                id=str(entry["id"]),
                name=str(entry.get("name", entry["id"])),
                platform=str(entry["platform"]),
                start_urls=tuple(str(u) for u in entry.get("start_urls", [])),
                region=entry.get("region"),
                region_code=None if entry.get("region_code") is None else str(entry["region_code"]),
                body=entry.get("body"),
                options={k: v for k, v in entry.items() if k not in known},
            )
        )
    ids = [p.id for p in out]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: portal ids must be unique")
    return out
