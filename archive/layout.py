"""Where everything lives under a data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def parquet(self) -> Path:
        return self.root / "parquet"

    @property
    def db(self) -> Path:
        return self.root / "xxgk.duckdb"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def parsed(self) -> Path:
        return self.root / "parsed"

    @property
    def spools(self) -> Path:
        """Parsed and reduced documents per portal (the Dagster parse step's partitions), combined by the build."""
        return self.root / "spools"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def jobs(self) -> Path:
        return self.root / "jobs"
