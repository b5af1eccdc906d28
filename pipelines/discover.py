"""``xxgk discover URL…``: registry entries for sites nobody has configured yet.

Discovery runs in its own process (:mod:`scrapers.run_discover`: Scrapy, with the crawl's politeness) and
writes its findings as JSON; this module turns each finding into a registry entry (YAML) with what was
found and how sure it is, and every site where nothing usable was found into a commented "unknown" block
with what was seen.  Entries are ``verified: false`` until a crawl confirms them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from identity.agency import Context, resolve
from identity.names import looks_like_body_name
from portals.registry import PLATFORMS

REPO = Path(__file__).resolve().parents[1]


def run_discovery(urls: list[str], *, local: bool = False, log_file: Path | None = None, timeout: float = 3600) -> list[dict]:
    """The findings for ``urls`` (one per site and sub-site), in the order the sites were given."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "found.json"
        cmd = [sys.executable, "-m", "scrapers.run_discover", "--urls-json", json.dumps(urls), "--out", str(out)]
        if local:
            cmd.append("--local")
        if log_file:
            cmd += ["--log-file", str(log_file)]
        subprocess.run(cmd, cwd=REPO, check=True, timeout=timeout, capture_output=log_file is None)
        return json.loads(out.read_text(encoding="utf-8"))


def portal_id(url: str) -> str:
    """A stable id from the address: the host's distinctive label, then the path prefix (``gdqy-qynyncj``)."""
    parts = urlsplit(url)
    labels = [x for x in (parts.hostname or "").split(".") if x not in ("www", "gov", "cn", "com", "org", "net")]
    head = labels[0] if labels else (parts.hostname or "site")
    if re.fullmatch(r"\d+(?:\.\d+){0,3}", ".".join(labels)):  # an IP address (a test network)
        head = (parts.hostname or "").replace(".", "-")
    if parts.port:
        head += f"-{parts.port}"
    path = [p for p in parts.path.split("/") if p and p not in ("gkmlpt", "index", "annualreport", "index.html", "col")]
    tail = [re.sub(r"[^A-Za-z0-9_.-]", "", p) for p in path[:1] if not p.startswith("col") and "." not in p]
    return "-".join([head, *[t for t in tail if t]])


_SITE_WORDS = re.compile(r"(?:门户网站|政府网站|官方网站|政务网|网站|首页|主页|官网)+$")
_TITLE_PARTS = re.compile(r"\s*[-|_–—·:：]+\s*|\s{2,}")


def body_name(text: str | None) -> str | None:
    """The body a site's title or link names (``首页 - 清远市人民政府门户网站`` → 清远市人民政府); else the title's
    longest part without its site words; None when there is no title.  Never a slug of the address."""
    parts = [_SITE_WORDS.sub("", "".join(p.split())) for p in _TITLE_PARTS.split(text or "")]
    parts = [p for p in parts if p]
    return next((p for p in parts if looks_like_body_name(p, anchored=False)), max(parts, key=len, default=None))


def placed(name: str | None, parent_code: str | None) -> dict:
    """The entry's name, region and region code as the divisions table resolves them (a department's site takes
    its parent's region for a short name such as 市农业农村局); only what is certain."""
    if not name:
        return {}
    found = resolve(name, "title", Context(region_code=parent_code))
    if not found.region_code:
        return {"name": name}
    return {"name": found.name or name, "region": found.region, "region_code": found.region_code}


def entries(findings: list[dict]) -> tuple[list[dict], list[dict]]:
    """(registry entries, findings where no column was found).  An entry's name is the body its site names; its
    region comes from that name (or its parent site's); what cannot be resolved is left out, for the registry
    check to flag, never made up."""
    out, unknown = [], []
    seen: set[str] = set()
    region_of: dict[str, str | None] = {}
    for f in findings:
        if not f.get("parent"):
            region_of[f["site"]] = placed(body_name(f.get("name") or f.get("title")), None).get("region_code")
    for f in findings:
        columns = [c for c in f.get("columns", []) if c.get("spider") in PLATFORMS]
        if not columns:
            unknown.append(f)
            continue
        for i, c in enumerate(columns):
            pid = portal_id(f["site"]) + (f"-{i + 1}" if i else "")
            if pid in seen or c["url"] in seen:
                continue
            seen |= {pid, c["url"]}
            where = placed(body_name(f.get("name") or f.get("title")), region_of.get(f.get("parent") or ""))
            where.setdefault("name", urlsplit(f["site"]).hostname or pid)  # no title at all: the host, as the site is known
            e = {"id": pid, **where, "platform": c["spider"], "start_urls": [c["url"]],
                 "verified": False, "source": f"xxgk discover from {f['site']}: {c['how']}; platform {c['platform']} ({c['confidence']}: {', '.join(c['evidence'])})"}
            if f.get("parent") and where.get("name"):
                e["body"] = where["name"]
            if c["spider"] == "gkmlpt" and f.get("search_jsonp_url"):
                e["search_jsonp_url"] = f["search_jsonp_url"]  # the crawl asks only hosts its entry names
            out.append(e)
    return out, unknown


def to_yaml(found: list[dict], unknown: list[dict]) -> str:
    text = yaml.safe_dump({"portals": found}, allow_unicode=True, sort_keys=False, width=200) if found else "portals: []\n"
    lines = [text.rstrip("\n")]
    for f in unknown:
        why = f.get("seen") or (f"{f['platform']} ({f.get('confidence')}), but no annual-report column found" if f.get("platform") else "nothing recognised")
        lines.append(f"# {f['site']}: {'blocked: ' if f.get('blocked') else ''}{why}")
        for n in f.get("notes", [])[:5]:
            lines.append(f"#   {n}")
    return "\n".join(lines) + "\n"
