"""Preloaded by the pool's forkserver: the parsers imported and the region table loaded once, before any
worker is forked, so a new worker starts ready (about a second saved per worker) and the workers share
those pages instead of each holding its own copy."""

import parsers.media  # noqa: F401 - imported for its side effect: the readers, loaded once
from identity.divisions import divisions

from . import spool  # noqa: F401 - the reduction a worker runs

divisions()
