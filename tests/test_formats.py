"""Format recognition, metadata, ids, encodings and documents that are not reports."""

from __future__ import annotations

import random

import pytest

from parsers.media import parse_bytes, parse_path
from identity.agency import agency_id
from parsers.model import report_id
from synth.model import random_report
from synth.text import Style, render_text

from .conftest import SAMPLES, parse_text


def test_pre2019_report_has_metadata_and_no_facts_and_no_failure() -> None:
    text = (
        "乐清市人民政府办公室2017年政府信息公开工作年度报告\n\n"
        "本年度报告根据《中华人民共和国政府信息公开条例》要求编制。\n一、概述\n2017年，我办主动公开政府信息1234条。\n"
        "（电话：0577-61880550）\n"
    )
    r = parse_text(text)
    assert r.errors == [] and r.facts == [] and r.problems == []
    assert (r.report.format, r.report.year, r.report.agency, r.report.region) == ("pre2019", 2017, "乐清市人民政府办公室", "乐清市")
    assert r.report.contact_phone == "0577-61880550"


def test_a_document_that_is_not_a_report_is_a_clear_error() -> None:
    r = parse_bytes("关于开展2023年度安全生产检查的通知\n各乡镇：现将有关事项通知如下。".encode())
    assert r.errors and "not an annual information-disclosure report" in r.errors[0]
    assert r.facts == []


def test_a_report_without_tables_from_2019_on_says_so() -> None:
    r = parse_text("乐清市教育局2022年政府信息公开工作年度报告\n一、总体情况\n本年度公开信息100条。\n")
    assert r.errors == []
    assert r.report.format is None
    assert [p.kind for p in r.problems] == ["missing_tables"]


def test_both_formats_are_recognised_from_their_tables() -> None:
    for fmt in ("legacy", "2021"):
        rep = random_report(random.Random(7), fmt)
        rep.year = 2022 if fmt == "legacy" else 2020  # the year must not decide it: the tables do
        r = parse_bytes(render_text(rep, Style()).encode())
        assert r.report.format == fmt


def test_gbk_and_bom_encoded_text() -> None:
    text = (SAMPLES / "001_e8c91993164e9814.txt").read_text(encoding="utf-8")
    utf8 = parse_bytes(text.encode("utf-8"))
    gbk = parse_bytes(text.encode("gbk"))
    bom = parse_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert len(utf8.facts) == 198
    for other in (gbk, bom):
        assert other.errors == []
        assert [(f.row, f.column, f.value) for f in other.facts] == [(f.row, f.column, f.value) for f in utf8.facts]
        assert other.report.agency == "乐清市机关事务管理中心"


def test_report_id_is_stable_and_shared_across_media() -> None:
    a = parse_path(SAMPLES / "000_58823f7fe4816adc.txt")
    b = parse_path(SAMPLES / "000_58823f7fe4816adc.txt")
    office = agency_id("330382", "乐清市人民政府办公室")
    assert a.report.agency_id == office
    assert a.report.report_id == b.report.report_id == report_id(office, 2023)
    # the same report laid out differently (another document) has the same id
    rep = random_report(random.Random(3), "2021")
    one = parse_bytes(render_text(rep, Style(layout="tabs")).encode())
    two = parse_bytes(render_text(rep, Style(layout="pipes", seed=9)).encode())
    assert one.report.sha256 != two.report.sha256
    assert one.report.report_id == two.report.report_id
    assert report_id(office, 2022) != report_id(office, 2023)


def test_scope_and_region() -> None:
    agg = parse_path(SAMPLES / "004_49b614242c3ab02a.txt").report
    assert (agg.scope, agg.region, agg.region_code) == ("region_aggregate", "乐清市", "330382")
    office = parse_path(SAMPLES / "003_94bb7cf4c5429941.txt").report
    assert (office.scope, office.region, office.region_code) == ("agency", "清远市", "441800")
    town = parse_text("乐清市柳市镇人民政府\n2023年政府信息公开工作年度报告\n").report
    assert (town.region, town.region_code, town.agency_level, town.agency_kind, town.scope) == (
        "柳市镇", "330382121000", "township", "township_street", "agency")
    county = parse_text("清远市清城区人民政府2023年政府信息公开工作年度报告\n").report
    assert (county.region, county.region_code, county.scope) == ("清城区", "441802", "region_aggregate")


def test_dates_and_contacts() -> None:
    r = parse_path(SAMPLES / "000_58823f7fe4816adc.txt").report
    assert (r.contact_phone, r.contact_email, r.published_on) == ("0577-61880550", "yqsxxgk@163.com", None)
    r = parse_text("某市统计局2021年政府信息公开工作年度报告\n正文\n某市统计局\n二〇二二年一月二十八日\n").report
    assert r.published_on == "2022-01-28"


def test_title_under_an_attachment_mark() -> None:
    r = parse_text("附件1\n\n乐清市交通运输局\n2023年度政府信息公开工作年度报告\n").report
    assert (r.agency, r.year, r.region) == ("乐清市交通运输局", 2023, "乐清市")


def test_report_titled_by_its_region_is_the_regions_combined_report() -> None:
    r = parse_text("清远市2023年政府信息公开工作年度报告\n正文\n清远市人民政府\n2024-01-29\n").report
    assert (r.agency, r.region, r.scope, r.published_on) == ("清远市", "清远市", "region_aggregate", "2024-01-29")
    r = parse_text("中共乐清市委办公室2023年政府信息公开工作年度报告\n").report
    assert (r.region, r.scope) == ("乐清市", "agency")


@pytest.mark.parametrize(
    "title,agency,year",
    [
        ("关于乐清市财政局2023年政府信息公开工作年度报告", "乐清市财政局", 2023),
        ("2022年度清远市教育局政府信息公开工作年度报告", "清远市教育局", 2022),
        ("乐清市民政局政府信息公开工作年度报告（2021年）", "乐清市民政局", 2021),
    ],
)
def test_title_forms(title: str, agency: str | None, year: int) -> None:
    r = parse_text(title + "\n正文。\n").report
    assert r.year == year
    if agency:
        assert r.agency == agency
