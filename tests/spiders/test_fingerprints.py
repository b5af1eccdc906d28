"""Each saved page (shaped like the real platforms', tests/spiders/real/SOURCES.md) is recognised as its platform,
at the address it was served from; a challenge page is no platform at all.  Reviewed expectations, as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.fingerprint import fingerprint

HERE = Path(__file__).parent
EXPECTED = {  # page: (address it was served from, platform, confidence)
    "examples/hanweb_column.html": ("http://127.0.0.1:18080/yq/col/col1229/index.html", "hanweb", "sure"),
    "examples/hanweb_article.html": ("http://127.0.0.1:18080/yq/art/2020/1/21/art_1229_102.html", "hanweb", "likely"),
    "examples/gkmlpt_annualreport.html": ("http://127.0.0.1:18080/qy/gkmlpt/annualreport", "gkmlpt", "sure"),
    "examples/gkmlpt_post.html": ("http://127.0.0.1:18080/qy/gkmlpt/content/1/1500/post_1500201.html", "gkmlpt", "sure"),
    "examples/challenge.html": ("http://127.0.0.1:18080/blocked/col/col1/index.html", None, "unknown"),
    "real/hanweb_column.html": ("http://www.wuyi.gov.cn/col/col1229186547/index.html", "hanweb", "sure"),
    "real/hanweb_article_pictures.html": ("http://www.example.gov.cn/art/2022/1/21/art_1229_3301472.html", "hanweb", "likely"),
    "real/gkmlpt_index.html": ("http://www.gdqy.gov.cn/gdqynyj/gkmlpt/index", "gkmlpt", "sure"),
    "real/gkmlpt_post.html": ("http://www.gdqy.gov.cn/gdqynyj/gkmlpt/content/1/1868/post_1868354.html", "gkmlpt", "sure"),
    "real/trs_column_table.html": ("http://www.example.gov.cn/zfxxgk/zfxxgknb/", "trs", "sure"),
    "real/trs_column_list.html": ("http://www.example.gov.cn/zwgk/zfxxgknb/index_1.shtml", "trs", "sure"),
    "real/jpaas_column.html": ("https://www.example.gov.cn/col/col1229165988/index.html", "hanweb_jpaas", "sure"),
    "real/nfcms_column.html": ("https://www.example.gov.cn/xxgk/zfxxgknb/index.html", "nfcms", "sure"),
    "real/trs_article_pictures.html": ("http://www.example.gov.cn/zwgk/zfxxgknb/202301/t20230130_5946012.html", "trs", "sure"),
}


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_saved_page_is_recognised_as_its_platform(page: str) -> None:
    url, platform, confidence = EXPECTED[page]
    fp = fingerprint(url, (HERE / page).read_text(encoding="utf-8"))
    assert (fp.platform, fp.confidence) == (platform, confidence), fp
    assert fp.evidence if platform else fp.describe().startswith("unknown platform")


def test_every_saved_html_page_has_an_expectation() -> None:
    pages = {p.relative_to(HERE).as_posix() for p in HERE.rglob("*.html")}
    assert pages - set(EXPECTED) == {"examples/hanweb_article_not_report.html"}
