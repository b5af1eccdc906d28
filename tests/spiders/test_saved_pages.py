"""Juriscraper-style: each saved page of a platform and the items it must give, reviewed, in a JSON file
next to it (``<page>.expected.json``).  ``XXGK_REGENERATE=1 pytest tests/spiders`` rewrites the
expectations, to be reviewed in the diff before committing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scrapers import extract, jpaas_pages, nfcms_pages, trs_pages

EXAMPLES = Path(__file__).parent / "examples"
BASE = "http://127.0.0.1:18080"

CASES = {
    "hanweb_column.html": lambda t: {
        "records": extract.hanweb_records(t, f"{BASE}/yq/col/col1229/index.html"),
        "proxy": extract.hanweb_proxy(t, f"{BASE}/yq/col/col1229/index.html"),
        "reports": [r["title"] for r in extract.hanweb_records(t, BASE) if extract.is_report_title(str(r["title"]))],
    },
    "hanweb_dataproxy.xml": lambda t: {
        "total": extract.hanweb_total(t),
        "records": extract.hanweb_records(t, f"{BASE}/yq/col/col1229/index.html"),
    },
    "hanweb_article.html": lambda t: extract.article_meta(t, f"{BASE}/yq/art/2020/1/21/art_1229_102.html"),
    "hanweb_article_not_report.html": lambda t: extract.article_meta(t, f"{BASE}/yq/art/2024/3/2/art_1229_105.html"),
    "gkmlpt_annualreport.html": lambda t: {
        "sid": (extract.gkmlpt_config(t) or {}).get("SID"),
        "category": extract.gkmlpt_report_category(extract.gkmlpt_config(t) or {}),
    },
    "gkmlpt_api_page1.json": lambda t: dict(zip(("post_count", "articles"), extract.gkmlpt_articles(t, f"{BASE}/qy/gkmlpt/api/all/7?page=1"), strict=True)),
    "gkmlpt_post.html": lambda t: {"title": ((extract.gkmlpt_config(t) or {}).get("DETAIL") or {}).get("title")},
    # shaped like the real platforms (tests/spiders/real/SOURCES.md: field names and types as published)
    "real/gkmlpt_index.html": lambda t: {
        "sid": (extract.gkmlpt_config(t) or {}).get("SID"),
        "category": extract.gkmlpt_report_category(extract.gkmlpt_config(t) or {}),
    },
    "real/gkmlpt_api_page.json": lambda t: extract.gkmlpt_page(t, "http://www.gdqy.gov.cn/gdqynyj/gkmlpt/api/all/22195?page=1&sid=763045"),
    "real/gkmlpt_post.html": lambda t: {"title": ((extract.gkmlpt_config(t) or {}).get("DETAIL") or {}).get("title")},
    "real/hanweb_column.html": lambda t: {
        "records": extract.hanweb_records(t, "http://www.wuyi.gov.cn/col/col1229186547/index.html"),
        "proxy": extract.hanweb_proxy(t, "http://www.wuyi.gov.cn/col/col1229186547/index.html"),
        "total": extract.hanweb_total(t),
    },
    "real/hanweb_dataproxy.xml": lambda t: {
        "total": extract.hanweb_total(t),
        "records": extract.hanweb_records(t, "http://www.wuyi.gov.cn/col/col1229186547/index.html"),
    },
    # tables pasted as pictures in the article body: fetched with the page, never the site's own logos and icons
    "real/trs_article_pictures.html": lambda t: extract.article_meta(t, "http://www.example.gov.cn/art/2023/1/30/art_2811_5946012.html"),
    "real/hanweb_article_pictures.html": lambda t: extract.article_meta(t, "http://www.example.gov.cn/art/2022/1/21/art_1229_3301472.html"),
    # TRS WCM columns: the table layout with the date in the next cell, and the list layout with the date inside
    # the link or after it, a broken title attribute, and the six-argument pager
    "real/trs_column_table.html": lambda t: {
        "articles": trs_pages.articles(t, "http://www.example.gov.cn/zfxxgk/zfxxgknb/"),
        "pager": trs_pages.pager(t).__dict__,
        "page_2": trs_pages.pager(t).url("http://www.example.gov.cn/zfxxgk/zfxxgknb/", 1),
        "reports": [a["title"] for a in trs_pages.articles(t, "http://x/") if extract.is_report_title(str(a["title"]))],
    },
    "real/trs_column_list.html": lambda t: {
        "articles": trs_pages.articles(t, "http://www.example.gov.cn/zwgk/zfxxgknb/index_1.shtml"),
        "pager": trs_pages.pager(t).__dict__,
        "page_1": trs_pages.pager(t).url("http://www.example.gov.cn/zwgk/zfxxgknb/index_1.shtml", 0),
    },
    # NFCMS: the column page's variables and the column's static JSON (a title with markup, a relative url, a date
    # only as Unix seconds, an item without an id, a sub-column)
    "real/nfcms_column.html": lambda t: {"ids": nfcms_pages.page_ids(t),
                                        "json": nfcms_pages.column_json_url("https://www.example.gov.cn/xxgk/zfxxgknb/index.html", "2279")},
    "real/nfcms_column.json": lambda t: nfcms_pages.column(t, "https://www.example.gov.cn/postmeta/i/2279.json"),
    # Hanweb JPaaS: the gateway and parameters on the unitbuild.js tag, a page's request, and an answer (new-style
    # and old-style article addresses in one list, the record count on the pagination div)
    "real/jpaas_column.html": lambda t: {"unit": jpaas_pages.unit(t, "https://www.example.gov.cn/col/col1229165988/index.html"),
                                        "page_2": jpaas_pages.page_url(jpaas_pages.unit(t, "https://www.example.gov.cn/col/col1229165988/index.html"), 2)},
    "real/jpaas_answer.json": lambda t: dict(zip(("records", "count"), jpaas_pages.answer(t, "https://www.example.gov.cn/col/col1229165988/index.html"), strict=True)),
    "challenge.html": lambda t: {"is_challenge_200": extract.is_challenge(200, t.encode()), "is_challenge_412": extract.is_challenge(412, t.encode())},
}


@pytest.mark.parametrize("page", sorted(CASES))
def test_saved_page_gives_the_reviewed_items(page: str) -> None:
    folder = EXAMPLES.parent if page.startswith("real/") else EXAMPLES
    text = (folder / page).read_text(encoding="utf-8")
    got = json.loads(json.dumps(CASES[page](text), ensure_ascii=False))
    expected_path = folder / f"{page}.expected.json"
    if os.environ.get("XXGK_REGENERATE"):
        expected_path.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(expected_path.read_text(encoding="utf-8"))


def test_report_titles() -> None:
    assert extract.is_report_title("乐清市人民政府办公室2023年政府信息公开工作年度报告")
    assert extract.is_report_title("清远市农业农村局2022年度政府信息公开年报")
    assert not extract.is_report_title("乐清市人民政府办公室关于开展安全生产大检查的通知")
    assert not extract.is_report_title("2023年国民经济和社会发展统计公报")
    assert not extract.is_report_title("一图读懂乐清市人民政府2023年政府信息公开工作年度报告")
    assert not extract.is_report_title("清远市人民政府办公室2022年政府信息公开工作年度报告（更正）说明")
    assert extract.is_report_title("清远市人民政府办公室2022年政府信息公开工作年度报告（更正）")
