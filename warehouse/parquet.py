"""The dataset's tables to Parquet, written atomically (temp file in the same folder, then rename).

A killed run never leaves half a table behind: readers see the previous file or the new one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polars as pl


def write_atomic(df: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        df.write_parquet(tmp, compression="zstd", statistics=True)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the dataset is for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tables(tables: dict[str, pl.DataFrame], out_dir: Path) -> dict[str, Path]:
    paths = {}
    for name, df in tables.items():
        p = out_dir / f"{name}.parquet"
        write_atomic(df, p)
        paths[name] = p
    return paths
