"""warehouse: the dataset's schemas, Parquet, the DuckDB warehouse, generations and releases."""

from __future__ import annotations


def built_with() -> str:
    """The installed version of xxgk (what built a release; what ``xxgk --version`` says).  Imports nothing heavy."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xxgk")
    except PackageNotFoundError:  # run from a checkout that was not installed
        return "unknown (not installed)"
