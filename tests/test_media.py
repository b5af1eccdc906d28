"""Every medium reads to the same facts: the seeds rendered as HTML, PDF and DOCX, and random reports."""

from __future__ import annotations

import random

import pytest

from parsers.media import parse_bytes, sniff
from synth.layout import MediaStyle, build, random_media_style
from synth.media import HTML_TEMPLATES, render_docx, render_html, render_pdf
from synth.model import from_golden, random_report
from synth.text import Style

from .conftest import GOLDENS, WORD97_FIXTURES, load_golden


def _facts(result) -> dict:
    return {(f.section, f.row, f.column): (f.value, f.note) for f in result.facts}


def _golden_facts(g: dict) -> dict:
    return {(f["section"], f["row"], f["column"]): (f["value"], f.get("note")) for f in g["facts"]}


def _check(result, g: dict) -> None:
    assert result.errors == []
    assert _facts(result) == _golden_facts(g)
    report = result.report.as_dict()
    for field, value in g["report"].items():
        assert report[field] == value, field


@pytest.mark.parametrize("golden_path", GOLDENS, ids=lambda p: p.stem)
@pytest.mark.parametrize("template", HTML_TEMPLATES)
def test_seed_as_html_page(golden_path, template: str) -> None:
    g = load_golden(golden_path)
    rep = from_golden(g)
    data = render_html(build(rep, MediaStyle()), template, meta={"publisher": rep.agency})
    _check(parse_bytes(data, "page.html"), g)


@pytest.mark.parametrize("golden_path", GOLDENS, ids=lambda p: p.stem)
def test_seed_as_docx(golden_path) -> None:
    g = load_golden(golden_path)
    _check(parse_bytes(render_docx(build(from_golden(g), MediaStyle(stacked_headers=True))), "r.docx"), g)


@pytest.mark.parametrize("path", WORD97_FIXTURES, ids=lambda p: p.name)
def test_seed_as_word97(path) -> None:
    """Word 97 files written by LibreOffice (one under a .wps name, as WPS Office saves them) read to the goldens,
    every fact at its table, row and cell of the grid."""
    g = load_golden(next(p for p in GOLDENS if p.stem == path.stem))
    result = parse_bytes(path.read_bytes(), path.name)
    _check(result, g)
    assert result.report.media_type == "application/msword"
    assert all(f.location.table and f.location.row and f.location.cell for f in result.facts)


def test_word97_fixtures_cover_every_seed() -> None:
    assert sorted({p.stem for p in WORD97_FIXTURES}) == [g.stem for g in GOLDENS]
    assert any(p.suffix == ".wps" for p in WORD97_FIXTURES)


@pytest.mark.parametrize("golden_path", GOLDENS, ids=lambda p: p.stem)
def test_seed_as_pdf(golden_path) -> None:
    g = load_golden(golden_path)
    style = MediaStyle(stacked_headers=True, page_break_in_table=True, repeat_header=False)
    result = parse_bytes(render_pdf(build(from_golden(g), style), style), "r.pdf")
    _check(result, g)
    assert result.report.media_type == "application/pdf"
    # every fact knows its page, table, row, cell and rectangle, whichever path read the PDF
    assert all(f.location.page and f.location.table and f.location.row and f.location.cell and f.location.bbox for f in result.facts)


@pytest.mark.parametrize("golden_path", GOLDENS, ids=lambda p: p.stem)
def test_seed_as_pdf_read_by_the_fast_path_has_full_provenance(golden_path) -> None:
    """With a real embedded CJK font the fast path (PDFium) reads the whole report, and its facts carry the
    same provenance as the layout pass's: page, table, row, cell and rectangle.  This is the case a machine
    with a CJK system font is in for every PDF, so provenance no longer depends on installed fonts."""
    from synth.scan import FONT

    g = load_golden(golden_path)
    style = MediaStyle(font=str(FONT), stacked_headers=True, page_break_in_table=True, repeat_header=False)
    from parsers.readers.pdf import read_pdf_fast
    from parsers.report import parse_document

    result = parse_document(read_pdf_fast(render_pdf(build(from_golden(g), style), style)), "r.pdf")  # the fast path alone
    _check(result, g)
    assert all(f.location.page and f.location.table and f.location.row and f.location.cell and f.location.bbox for f in result.facts)


@pytest.mark.parametrize("golden_path", GOLDENS, ids=lambda p: p.stem)
def test_seed_as_xlsx(golden_path) -> None:
    """The report as an Excel workbook written by openpyxl (merged ranges, numbers stored as numbers), read by
    content (a zip holding xl/workbook.xml, whatever its name) through calamine."""
    from synth.media import render_xlsx

    g = load_golden(golden_path)
    data = render_xlsx(build(from_golden(g), MediaStyle(stacked_headers=True)))
    assert sniff(data, "downfile.jsp") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    result = parse_bytes(data, "downfile.jsp")
    _check(result, g)
    assert all(f.location.table and f.location.row and f.location.cell for f in result.facts)


def test_html_in_gbk_declared_utf8_and_with_bom() -> None:
    g = load_golden(GOLDENS[3])
    spec = build(from_golden(g), MediaStyle())
    gbk = render_html(spec, "hanweb", encoding="gbk").replace(b'charset="gb2312"', b'charset="utf-8"')
    _check(parse_bytes(gbk, "lying.html"), g)
    bom = b"\xef\xbb\xbf" + render_html(spec, "trs")
    _check(parse_bytes(bom, "bom.html"), g)


def test_page_metadata_goes_into_the_report() -> None:
    g = load_golden(GOLDENS[0])
    data = render_html(
        build(from_golden(g), MediaStyle()),
        "hanweb",
        meta={"publisher": "乐清市人民政府办公室", "index_no": "001008003/2024-12345", "published": "2024-01-30"},
    )
    meta = parse_bytes(data, "p.html").report.page_meta
    assert meta["index_no"] == "001008003/2024-12345"
    assert meta["category"] == "信息公开年报"
    assert meta["publisher"] == "乐清市人民政府办公室"
    assert meta["written_on"] == "2024-01-30"
    assert meta["page_published_on"] == "2024-01-30"
    assert meta["title"] == "乐清市人民政府办公室2023年政府信息公开工作年度报告"


def test_reader_is_chosen_by_content_not_extension() -> None:
    g = load_golden(GOLDENS[1])
    pdf = render_pdf(build(from_golden(g), MediaStyle()))
    assert sniff(pdf, "report.html") == "application/pdf"
    _check(parse_bytes(pdf, "report.html"), g)
    docx = render_docx(build(from_golden(g), MediaStyle()))
    _check(parse_bytes(docx, "report.pdf"), g)


@pytest.mark.parametrize("medium", ["html", "docx"])
def test_random_reports_roundtrip_through_grids(medium: str) -> None:
    for seed in range(12):
        rng = random.Random(seed)
        fmt = rng.choice(["legacy", "2021"])
        rep = random_report(rng, fmt)
        style = random_media_style(rng)
        spec = build(rep, style)
        data = render_html(spec, HTML_TEMPLATES[seed % 4]) if medium == "html" else render_docx(spec)
        result = parse_bytes(data, f"r.{medium}")
        assert _facts(result) == {k: (v, rep.notes.get(k)) for k, v in rep.facts.items()}, (seed, style)
        assert result.problems == []


def test_random_reports_roundtrip_through_pdf() -> None:
    for seed in range(6):
        rng = random.Random(seed)
        fmt = rng.choice(["legacy", "2021"])
        rep = random_report(rng, fmt)
        style = random_media_style(rng)
        result = parse_bytes(render_pdf(build(rep, style), style), "r.pdf")
        assert _facts(result) == {k: (v, rep.notes.get(k)) for k, v in rep.facts.items()}, (seed, style)


def test_blank_cells_in_an_html_table_are_null() -> None:
    rep = random_report(random.Random(1), "2021", null_rate=0.2)
    style = MediaStyle(values=Style(layout="pipes", null_mark=""))
    result = parse_bytes(render_html(build(rep, style), "bare"), "x.html")
    nulls = {k for k, v in rep.facts.items() if v is None}
    assert nulls
    assert {(f.section, f.row, f.column) for f in result.facts if f.value is None} == nulls
    assert all(f.raw == "" for f in result.facts if f.value is None)


@pytest.fixture(scope="module")
def ttf(tmp_path_factory):
    from synth.font import build_font

    return str(build_font(tmp_path_factory.mktemp("font") / "cjk.ttf"))


@pytest.mark.parametrize("golden_path", GOLDENS, ids=lambda p: p.stem)
def test_seed_as_pdf_with_an_embedded_truetype_font(golden_path, ttf: str) -> None:
    g = load_golden(golden_path)
    style = MediaStyle(font=ttf, repeat_header=True, page_break_in_table=True)
    data = render_pdf(build(from_golden(g), style), style)
    assert b"/FontFile2" in data  # the font program is embedded
    result = parse_bytes(data, "r.pdf")
    _check(result, g)


def test_fast_path_is_used_when_it_reads_completely_and_layout_otherwise(ttf: str) -> None:
    rng = random.Random(11)
    rep = random_report(rng, "2021", consistent=True)
    style = MediaStyle(font=ttf)
    fast = parse_bytes(render_pdf(build(rep, style), style), "r.pdf")
    assert "pdf_reader" not in fast.report.page_meta  # accepted from the text path
    assert _facts(fast) == {k: (v, rep.notes.get(k)) for k, v in rep.facts.items()}
    # a blank cell: the fast path sees it too now (its grid comes from the ruling lines) and keeps it blank
    rep.facts[("applications", "granted", "commercial_enterprise")] = None
    style = MediaStyle(font=ttf, values=Style(layout="pipes", null_mark=""))
    blank = parse_bytes(render_pdf(build(rep, style), style), "r.pdf")
    assert "pdf_reader" not in blank.report.page_meta
    assert _facts(blank)[("applications", "granted", "commercial_enterprise")] == (None, None)
    # a report that does not read completely (its identities fail as printed) is read again by the layout pass
    bad = random_report(random.Random(12), "2021", consistent=False)
    slow = parse_bytes(render_pdf(build(bad, MediaStyle(font=ttf)), MediaStyle(font=ttf)), "r.pdf")
    assert slow.report.page_meta["pdf_reader"] == "layout"
    assert _facts(slow) == {k: (v, bad.notes.get(k)) for k, v in bad.facts.items()}


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), fmt=st.sampled_from(["legacy", "2021"]), template=st.sampled_from(HTML_TEMPLATES))
def test_property_html_roundtrip(seed: int, fmt: str, template: str) -> None:
    rng = random.Random(seed)
    rep = random_report(rng, fmt)
    style = random_media_style(rng)
    result = parse_bytes(render_html(build(rep, style), template, encoding=rng.choice(["utf-8", "gbk"])), "r.html")
    assert _facts(result) == {k: (v, rep.notes.get(k)) for k, v in rep.facts.items()}
    assert result.problems == []


def test_report_tables_inside_a_layout_table() -> None:
    """Old portal templates put the whole page, report tables included, inside layout tables."""
    g = load_golden(GOLDENS[3])
    spec = build(from_golden(g), MediaStyle())
    from synth.media import body_html

    page = (
        "<html><head><meta charset='utf-8'><title>x</title></head><body><table width='100%'><tr><td>导航</td></tr>"
        f"<tr><td><table><tr><td><h1>{spec.title}</h1>{body_html(spec)}</td></tr></table></td></tr></table></body></html>"
    )
    _check(parse_bytes(page.encode(), "old.html"), g)


# one report of each format: OCR costs seconds a picture (all five are measured in benchmarks/readers.py)
PICTURE_SEEDS = [p for p in GOLDENS if p.stem.startswith(("000_", "004_"))]


@pytest.mark.parametrize(("golden_path", "template"), list(zip(PICTURE_SEEDS, ["hanweb", "gkmlpt"], strict=True)), ids=lambda p: getattr(p, "stem", p))
def test_seed_as_html_page_with_its_tables_as_pictures(golden_path, template: str) -> None:
    """The report's prose as text and each table as a screenshot of it (``<img>`` in the body, the way editors
    paste a Word table): the pictures are read by OCR where they stand and give the golden numbers, each fact
    at its picture (as page), table, row, cell, rectangle in the picture's pixels and OCR confidence."""
    from synth.scan import table_images

    g = load_golden(golden_path)
    spec = build(from_golden(g), MediaStyle(stacked_headers=True))
    pictures = table_images(spec)
    names = [f"/attachment/0/{i + 1}.png" for i in range(len(pictures))]
    page = render_html(spec, template, meta={"publisher": g["report"]["agency"]}, images=names)
    assert b"<table border" not in page and page.count(b"<img") == len(pictures)
    asked: list[str] = []

    def fetched(src: str) -> bytes | None:
        asked.append(src)
        return dict(zip(names, pictures, strict=True)).get(src)

    result = parse_bytes(page, "page.html", fetched)
    _check(result, g)
    assert asked == names
    assert result.report.page_meta["body_images"] == result.report.page_meta["body_images_read"] == str(len(pictures))
    assert {p.kind for p in result.problems} <= {"ocr_low_confidence"}
    assert all(f.location.page and f.location.table and f.location.row and f.location.cell and f.location.bbox
               and f.location.confidence is not None for f in result.facts)
    assert {f.location.page for f in result.facts} == set(range(1, len(pictures) + 1))


def test_pictures_not_at_hand_are_a_problem_never_silent() -> None:
    """A page whose tables are pictures that were not fetched (or do not decode) reads no numbers and says why."""
    from synth.scan import table_images

    g = load_golden(PICTURE_SEEDS[0])
    spec = build(from_golden(g), MediaStyle())
    names = [f"t{i}.png" for i in range(len(table_images(spec)))]
    page = render_html(spec, "hanweb", images=names)
    for images, why in ((None, "not available"), (lambda src: b"\x89PNG\r\n\x1a\n broken", "unreadable")):
        result = parse_bytes(page, "page.html", images)
        assert result.errors == [] and result.facts == []
        problem = next(p for p in result.problems if p.kind == "image_not_read")
        assert why in problem.detail
    assert "body_images_missing" in parse_bytes(page, "page.html").report.page_meta


@pytest.mark.parametrize("golden_path", GOLDENS, ids=lambda p: p.stem)
def test_seed_as_scan(golden_path) -> None:
    """The seed printed with a real CJK font, scanned (150–200 dpi, tilted, speckled, JPEG, no text layer) and
    read by OCR: every number is the golden one, or its cell carries a low-confidence problem, or an identity
    of its table fails; a number that cannot be placed is missing with a problem for its section — never a
    silent wrong value.  Every fact knows its page, table, row, cell, rectangle and OCR confidence."""
    import random

    from synth.scan import FONT, random_scan_style, scan_pdf

    g = load_golden(golden_path)
    style = MediaStyle(font=str(FONT), stacked_headers=True)
    scan = scan_pdf(render_pdf(build(from_golden(g), style), style), random_scan_style(random.Random(golden_path.stem)))
    assert b"/Font" not in scan  # no text layer at all
    result = parse_bytes(scan, "scan.pdf")
    assert result.errors == []
    assert result.report.page_meta["pdf_reader"] == "ocr"
    golden, read = _golden_facts(g), _facts(result)
    low = {(p.section, p.row) for p in result.problems if p.kind == "ocr_low_confidence"}
    failed = {c.name.split(".")[0] for c in result.checks if not c.passed}
    flagged_sections = {p.section for p in result.problems}
    for key, value in read.items():
        if golden.get(key) != value:
            assert key[:2] in low or key[0] in failed, f"silent wrong number {key}: {value} (printed {golden.get(key)})"
    for key in golden.keys() - read.keys():
        assert key[0] in flagged_sections, f"number {key} missing without a problem"
    assert len([k for k in golden if read.get(k) == golden[k]]) >= 0.9 * len(golden)
    assert all(f.location.page and f.location.table and f.location.row and f.location.cell and f.location.bbox
               and f.location.confidence is not None for f in result.facts)


def test_a_folder_page_keeps_its_pictures_and_a_stray_picture_is_listed(tmp_path) -> None:
    """A page saved with its pictures (a browser's ``page_files/``) is archived with them, as a spider fetches them
    with the page; the parser is handed exactly those; a picture no page shows is a skipped row with its reason;
    a ``src`` that leaves the page's folder is never read."""
    from parsers.media import local_pictures
    from pipelines.harvest import archived_sources, harvest_folder, read_manifest
    from portals.registry import Portal

    g = load_golden(PICTURE_SEEDS[0])
    spec = build(from_golden(g), MediaStyle())
    docs = tmp_path / "docs"
    (docs / "page_files").mkdir(parents=True)
    names = ["page_files/image001.png", "page_files/image002.png", "page_files/image003.png"]
    for i, n in enumerate(names):  # any picture bytes do: this test reads no numbers
        (docs / n).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]) * 64)
    (docs / "stray.png").write_bytes(b"\x89PNG\r\n\x1a\nstray")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")
    (docs / "page.html").write_bytes(render_html(spec, "hanweb", images=names))
    counts = harvest_folder(Portal("f", "f", "folder", (str(docs),)), tmp_path / "raw")
    assert counts["new"] == 1 and counts["pictures_new"] == 3 and counts["skipped"] == 1
    m = read_manifest(tmp_path / "raw")
    images = m.filter(m["kind"] == "image")
    assert sorted(images["url"].str.extract(r"/docs/(.*)$")) == names
    assert set(images["referer"]) == {(docs / "page.html").as_uri()}
    stray = m.filter(m["outcome"] == "skipped").row(0, named=True)
    assert stray["url"].endswith("stray.png") and "no HTML page" in stray["message"]
    (source,) = archived_sources(tmp_path / "raw")
    assert [u.rsplit("/docs/", 1)[1] for u, _ in source.images] == names
    read = local_pictures(docs / "page.html")
    assert read(names[0]) == (docs / names[0]).read_bytes()
    assert read("../secret.png") is None and read(str(tmp_path / "secret.png")) is None and read("/etc/passwd") is None
