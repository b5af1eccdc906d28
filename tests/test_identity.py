"""Agency resolution: one real body in one real place, or null with the reason; sources of every field."""

from __future__ import annotations

import random

import pytest

from identity.agency import Context, agency_id, resolve
from identity.divisions import divisions
from identity.names import looks_like_body_name
from parsers.identify import identify
from parsers.media import parse_bytes
from pipelines.dataset import SourceDocument, build_tables
from synth.model import random_report
from synth.text import Style, render_text

from .conftest import parse_text


@pytest.mark.parametrize(
    "printed,portal,name,code,level,kind",
    [
        # homonymous townships: the portal's county decides
        ("城关镇人民政府", "420322", "郧西县城关镇人民政府", "420322100000", "township", "township_street"),
        # short names take the portal's region; a district is named with its city
        ("区统计局", "420105", "武汉市汉阳区统计局", "420105", "county", "department"),
        ("区统计局", "610103", "西安市碑林区统计局", "610103", "county", "department"),
        # 市统计局 on a district's portal is the city's
        ("市统计局", "420105", "武汉市统计局", "420100", "prefecture", "department"),
        # a region printed in full needs no portal; province prefixes are dropped from the full name
        ("广东省清远市人民政府", None, "清远市人民政府", "441800", "prefecture", "people_government"),
        ("乐清市柳市镇人民政府", None, "乐清市柳市镇人民政府", "330382121000", "township", "township_street"),
        ("中共乐清市委办公室", None, "中共乐清市委办公室", "330382", "county", "party_mass_org"),
        # homonymous districts: 鼓楼区 of 福州 on a 福州 portal
        ("鼓楼区人民政府", "350100", "福州市鼓楼区人民政府", "350102", "county", "people_government"),
        # autonomous counties printed short
        ("本溪县卫健局", None, "本溪满族自治县卫健局", "210521", "county", "department"),
        # a report titled by its region alone is its government's
        ("清远市", None, "清远市人民政府", "441800", "prefecture", "people_government"),
        ("北京市海淀区教育委员会", None, "北京市海淀区教育委员会", "110108", "county", "department"),
        # words that start with a level word are not level words
        ("市场监督管理局", "420105", "武汉市汉阳区市场监督管理局", "420105", "county", "department"),
        ("区政府办公室", "420105", "武汉市汉阳区人民政府办公室", "420105", "county", "general_office"),
        ("市统计局", "110108", "北京市统计局", "110000", "province", "department"),
        # the short name of the portal's own city
        ("温州统计局", "330382", "温州市统计局", "330300", "prefecture", "department"),
        ("武汉东湖新技术开发区管委会", "420105", "武汉市东湖新技术开发区管委会", "420100", "prefecture", "development_zone"),
        ("公安局", "421022", "公安县公安局", "421022", "county", "department"),
        # one form for one body
        ("东华门街道", "110101", "北京市东城区东华门街道办事处", "110101001000", "township", "township_street"),
        ("乐清市政府", None, "乐清市人民政府", "330382", "county", "people_government"),
        ("中共乐清市委", None, "中共乐清市委员会", "330382", "county", "party_mass_org"),
        ("乐清市委宣传部", None, "中共乐清市委宣传部", "330382", "county", "party_mass_org"),
        ("城关镇党委", "420322", "郧西县城关镇党委", "420322100000", "township", "party_mass_org"),
        ("浙江省教育厅", None, "浙江省教育厅", "330000", "province", "department"),
        ("仙桃市人民政府", None, "仙桃市人民政府", "429004", "county", "people_government"),
    ],
)
def test_resolution(printed: str, portal: str | None, name: str, code: str, level: str, kind: str) -> None:
    a = resolve(printed, "title", Context(region_code=portal))
    assert (a.name, a.region_code, a.level, a.kind) == (name, code, level, kind)
    assert a.agency_id == agency_id(code, name) and a.problems == []


@pytest.mark.parametrize(
    "printed,portal,why",
    [
        ("城关镇人民政府", None, "names no region"),  # 82 城关镇 in China, no portal: none is taken
        ("鼓楼区人民政府", None, "4 divisions"),
        ("区统计局", None, "names no region"),
        ("政府", "330382", "is not a body's name"),
        ("三、本年度办", None, "is not a body's name"),
        ("我局", "330382", "names no body by itself"),
        ("国家统计局", "330382", "national body"),
        ("国家税务总局乐清市税务局", "330382", "national body"),
        ("镇人民政府", "420322", "does not say which township"),
        ("新华街道办事处", "130100", "its county is not said"),  # a street of 石家庄市: which district?
        ("区统计局", "450100", "no unit of the portal's region 南宁市 is a 区"),  # 区 is never 广西壮族自治区
        ("区人民政府", "640100", "is a 区"),
    ],
)
def test_unresolved_is_null_with_the_reason(printed: str, portal: str | None, why: str) -> None:
    a = resolve(printed, "title", Context(region_code=portal))
    assert (a.agency_id, a.name, a.region_code, a.level, a.kind) == (None,) * 5
    assert any(why in p for p in a.problems), a.problems


def test_self_reference_takes_the_registrys_body_and_the_index_number_gives_a_region() -> None:
    a = resolve("我局", "text", Context(region_code="330382", body="乐清市教育局"))
    assert (a.name, a.name_source, a.region_code) == ("乐清市教育局", "registry", "330382")
    # 我局 is a bureau: the page's publisher, the government, is not what it stands for
    assert resolve("我局", "text", Context(region_code="330382", publisher="乐清市人民政府")).agency_id is None
    # a printed name that cannot be resolved is never replaced by the page's or the portal's body
    a = resolve("朝阳区教育局", "title", Context(region_code="330382", publisher="乐清市人民政府", body="乐清市人民政府"))
    assert a.agency_id is None and "2 divisions" in a.problems[0]
    # 索引号 starting with a unified social credit code (division 441800) when the portal gives no region
    b = resolve("市教育局", "title", Context(index_no="11441800007198453T/2024-00012"))
    assert (b.name, b.region_source) == ("清远市教育局", "index_no")


def test_a_township_missing_from_the_list_keeps_the_county_code_and_says_so() -> None:
    a = resolve("城关镇人民政府", "title", Context(region_code="410323"))
    assert (a.name, a.region_code, a.level) == ("新安县城关镇人民政府", "410323", "township")
    assert len(a.problems) == 1 and "not in the divisions of 新安县" in a.problems[0]


def test_renamed_bodies_keep_one_id() -> None:
    before = resolve("乐清市卫生和计划生育局", "title")
    after = resolve("乐清市卫生健康局", "title")
    assert before.agency_id == after.agency_id and before.name == "乐清市卫生健康局"


def test_body_names_are_never_prose() -> None:
    for s in ("政府", "三、本年度办", "Page8-2", "本机关", "现将我局2022年度政府信息公开工作情况", "统计期限为2022年"):
        assert not looks_like_body_name(s)
    for s in ("乐清市人民政府办公室", "区统计局", "城关镇人民政府", "中共乐清市委办公室", "国家统计局", "武汉市汉阳区统计局"):
        assert looks_like_body_name(s)


def test_divisions_cover_the_country() -> None:
    table = divisions()
    by_level: dict[str, int] = {}
    for d in table:
        by_level[d.level] = by_level.get(d.level, 0) + 1
    # the official counts of the vintage (MCA place-name database, 2026-09): 34 provincial units,
    # 333 prefecture-level, 2,847 county-level; townships for all but 20 county-level units
    assert (by_level["province"], by_level["prefecture"], by_level["county"]) == (34, 333, 2847)
    assert by_level["township"] > 38000
    for code, name in (("330383", "龙港市"), ("370117", "钢城区"), ("460300", "三沙市"), ("110118", "密云区")):
        assert table.by_code[code].name == name
    assert "371200" not in table.by_code  # 莱芜市, merged into 济南 in 2019


def test_year_sources() -> None:
    r = parse_text("乐清市教育局2022年政府信息公开工作年度报告\n一、总体情况\n").report
    assert (r.year, r.year_source, r.agency_source) == (2022, "title", "title")
    r = parse_text("本报告中所列数据的统计期限为2023年1月1日至2023年12月31日。\n由乐清市教育局编制。\n政府信息公开工作年度报告\n").report
    assert (r.year, r.year_source, r.agency, r.agency_source) == (2023, "text", "乐清市教育局", "text")
    r = parse_text("政府信息公开工作年度报告\n根据条例要求，现将我办2022年度政府信息公开情况报告如下。\n").report
    assert (r.year, r.year_source, r.agency_id) == (2022, "text", None)
    # a period that is not one calendar year says nothing about the report's year
    r = parse_text("政府信息公开工作年度报告\n统计期限为2022年1月1日至2023年12月31日。\n").report
    assert r.year is None and ("year_missing" in [k for k, _ in r.identity_problems])
    # only the date under the signature: the year before, marked as inferred
    r = parse_text("政府信息公开工作年度报告\n正文。\n乐清市教育局\n2023年1月20日\n").report
    assert (r.year, r.year_source, r.agency, r.agency_source) == (2022, "inferred", "乐清市教育局", "signature")
    assert "year_inferred" in [k for k, _ in r.identity_problems]


def test_the_list_pages_title_and_the_portal_complete_a_report_at_build_time() -> None:
    """A PDF attachment whose text names neither year nor body: the list title and the portal's region do."""
    r = parse_text("政府信息公开工作年度报告\n正文。\n")
    assert r.report.agency_id is None and r.report.report_id.startswith("d-") if r.report.report_id else True
    identify(r.report, Context(region_code="420105"), list_title="区统计局2023年政府信息公开工作年度报告")
    assert (r.report.year, r.report.year_source, r.report.title) == (2023, "page_meta", "区统计局2023年政府信息公开工作年度报告")
    assert (r.report.agency_name, r.report.agency_name_source, r.report.region_source) == ("武汉市汉阳区统计局", "page_meta", "registry")


def test_year_to_year_checks_run_per_body_not_per_printed_name() -> None:
    """区统计局 2022 and 2023: compared when both are 汉阳区's, never when they are two districts' bodies."""
    docs = []
    for year in (2022, 2023):
        rep = random_report(random.Random(year), "2021", consistent=True)
        rep.agency, rep.year = "区统计局", year
        r = parse_bytes(render_text(rep, Style()).encode(), f"{year}.txt")
        assert r.ok and any(f.row == "carried_over_prev" for f in r.facts)
        docs.append(r)

    def continuity(regions: tuple[str, str]) -> list[str]:
        sources = [SourceDocument(f"{y}.txt", region_code=c) for y, c in zip((2022, 2023), regions, strict=True)]
        tables = build_tables(docs, sources)
        assert tables["reports"].height == 2
        return [c for c in tables["checks"]["name"] if c.startswith("continuity.")]

    assert continuity(("420105", "420105"))  # one body, two years: checked
    assert continuity(("420105", "610103")) == []  # two bodies with one printed name: not compared


def test_the_format_follows_the_year_settled_at_build_time() -> None:
    """A report without tables: pre2019 only for a year read (here from the list title), never for an inferred one."""
    r = parse_text("政府信息公开工作年度报告\n正文。\n乐清市教育局\n2018年1月20日\n")
    assert (r.report.year, r.report.year_source, r.report.format) == (2017, "inferred", None)
    assert [p.kind for p in r.problems] == ["missing_tables"]
    tables = build_tables([r], [SourceDocument("snippet", list_title="乐清市教育局2017年政府信息公开工作年度报告")])
    assert tables["reports"].select("year", "year_source", "format").row(0) == (2017, "page_meta", "pre2019")
    assert "missing_tables" not in tables["problems"]["kind"].to_list()


def test_the_list_pages_index_number_reaches_the_report() -> None:
    r = parse_text("政府信息公开工作年度报告\n正文。\n")
    tables = build_tables([r], [SourceDocument("snippet", region_code="420105", index_no="11420105MB1234567X/2024-00003",
                                               list_title="区统计局2023年政府信息公开工作年度报告")])
    row = tables["reports"].row(0, named=True)
    assert (row["index_no"], row["agency_name"], row["year"]) == ("11420105MB1234567X/2024-00003", "武汉市汉阳区统计局", 2023)
