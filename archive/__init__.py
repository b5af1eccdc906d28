"""The archive: every raw document kept once, and a manifest row for every fetch, good or failed.

Its own layer, below both ``scrapers`` (which write it) and ``pipelines`` (which read it): the data
directory's layout, the content-addressed store, the typed fetch record and its vocabularies, the
manifest as append-only part files behind one reader, and the locks that let several harvests run
at once without losing or duplicating anything.
"""
