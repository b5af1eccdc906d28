"""Readers: one per medium, each producing the intermediate :class:`parsers.document.Document`."""
