"""The parse cache: plain compressed JSON that reads back to exactly the parse result, and never runs code."""

from __future__ import annotations

import gzip
import json
import pickle
import shutil
from pathlib import Path

from parsers.media import parse_bytes, parse_path
from parsers.model import ParseResult
from pipelines import parse_cache
from synth.layout import MediaStyle
from synth.layout import build as build_spec
from synth.media import render_docx, render_html, render_pdf
from synth.model import from_golden

from .conftest import GOLDENS, SEEDS, load_golden


def _results() -> list[ParseResult]:
    out = [parse_path(s) for s in SEEDS]
    spec = build_spec(from_golden(load_golden(GOLDENS[3])), MediaStyle())
    for name, data in (("r.html", render_html(spec, "hanweb")), ("r.pdf", render_pdf(spec)), ("r.docx", render_docx(spec))):
        out.append(parse_bytes(data, name))
    out.append(parse_bytes(b"", "empty.txt"))  # an error result round-trips too
    return out


def test_every_result_reads_back_exactly() -> None:
    for r in _results():
        back = ParseResult.from_dict(json.loads(json.dumps(r.as_dict(), ensure_ascii=False)))
        assert back == r, r.path
        assert [type(f.value) for f in back.facts] == [type(f.value) for f in r.facts]  # 3 stays int, 2.5 float


def test_a_cached_build_reads_json_entries_and_a_pickle_planted_in_the_cache_is_never_run(tmp_path: Path) -> None:
    doc = tmp_path / SEEDS[0].name
    shutil.copy(SEEDS[0], doc)
    cache = tmp_path / "parsed"
    first, hit = parse_cache.parse_cached(doc, cache)
    assert not hit
    entry = parse_cache.cache_entry(cache, first.report.sha256)
    assert entry.name.endswith(".json.gz") and json.loads(gzip.decompress(entry.read_bytes()))["report"]["agency"] == first.report.agency
    again, hit = parse_cache.parse_cached(doc, cache)
    assert hit and again == first

    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):  # what unpickling would run
            return (marker.write_text, ("pwned",))

    entry.write_bytes(pickle.dumps(Exploit()))
    result, hit = parse_cache.parse_cached(doc, cache)
    assert not hit and not marker.exists()  # a foreign entry is parsed again, never executed
    assert result == first
