"""xxgk tests."""
