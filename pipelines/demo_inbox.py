"""The demo's input: the bundled sample reports, plus some of them as HTML pages and PDF attachments.

Publishing a report twice (an article page and its PDF) is what portals do; the demo shows that it
stays one report with one set of facts, and that the documents are compared.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from synth.layout import MediaStyle, build
from synth.media import render_html, render_pdf
from synth.model import from_golden

# seeds that also get an HTML article page and a PDF attachment in the demo
TWICE = ("000_58823f7fe4816adc", "003_94bb7cf4c5429941")


def prepare_inbox(samples: Path, inbox: Path) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    for p in sorted(samples.glob("*.txt")):
        shutil.copy2(p, inbox / p.name)
    for stem in TWICE:
        golden = samples / "golden" / f"{stem}.json"
        if not golden.exists():
            continue
        rep = from_golden(json.loads(golden.read_text(encoding="utf-8")))
        spec = build(rep, MediaStyle())
        html = inbox / f"{stem}.html"
        if not html.exists():
            html.write_bytes(render_html(spec, "hanweb", meta={"publisher": rep.agency}))
        pdf = inbox / f"{stem}.pdf"
        if not pdf.exists():
            pdf.write_bytes(render_pdf(spec, MediaStyle(stacked_headers=True)))
    return inbox
