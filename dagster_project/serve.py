"""Start ``dg dev`` so that Ctrl-C and SIGTERM always stop it, however it was launched.

``dagster dev``/``dg dev`` make SIGTERM do what SIGINT does.  A process started in the background of a
non-interactive shell (``make dagster &``, many service wrappers) inherits SIGINT *ignored*, and then
SIGTERM is ignored too: the webserver and daemon never stop.  Signal dispositions survive ``exec``, so
this launcher restores the defaults first and then becomes ``dg dev`` (same process, same pid).

    python -m dagster_project.serve [dg dev options]      (make dagster)
"""

import os
import shutil
import signal
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    dg = Path(sys.executable).parent / "dg"
    exe = str(dg) if dg.exists() else shutil.which("dg") or "dg"
    os.execv(exe, [exe, "dev", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
