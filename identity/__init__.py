"""Who reports, where: national administrative divisions and the resolution of a printed body name.

Kept apart from ``parsers`` (which reads one document) and ``pipelines`` (which knows the portal a
document came from): resolution combines both, and both depend on this package, never the reverse.
"""
