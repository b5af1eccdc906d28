"""Synthetic reports and their renderings, for tests, benchmarks and the demo portal."""
