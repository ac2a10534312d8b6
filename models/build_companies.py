"""Build models/companies.jsonl: listed companies from pytickersymbols plus our curated overlay.

    pip install -e '.[kb]'            # pytickersymbols, pinned in pyproject.toml
    python models/build_companies.py  # rewrites models/companies.jsonl

The base comes from pytickersymbols (MIT licence; it ships its data in the wheel: the members of
the major US, European and Japanese indices with names, tickers, ISINs and headquarters). From
each stock we keep a name without its legal suffix ("Lindsay Corporation" -> "Lindsay"), the
full name as a legal name, the tickers without their exchange suffixes ("SAP.DE" -> "SAP"), the
country (from the headquarters, else the ISIN), the headquarters city and a kind guessed from the
industries. Stocks whose name would be an ordinary word or a person's name in running text are
dropped (DROPPED below), so that "Dana" or "Q2" never become company mentions; where the full
name carries a legal suffix, the stock is kept under that full name only ("Target Corporation").

models/companies_overlay.jsonl is the hand-curated part: every entry there wins over the package
(name, aliases, legal names, parent, kind, fiscal year, headquarters, products); a package stock
that is the same company (same ticker or same normalized name) only adds its tickers to it.
The pipeline reads only models/companies.jsonl; this script is not needed at run time. The
output is deterministic: overlay entries first, in their order, then package entries by id.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

MODELS = Path(__file__).resolve().parent
sys.path.insert(0, str(MODELS.parent))

from pipeline.evaluate import normalize_name  # noqa: E402  (legal suffixes from models/)

# Package stocks left out: their short name is an ordinary English word, a first name or surname,
# a generic phrase or an acronym with another common sense. Keep this list visible and sorted.
DROPPED = sorted("""
ACS Admiral Alamo Andersons Angi APA Argan Ball BD Block Box Brady Cactus Career-Education City
Compass Continental CTS Dana Deluxe Diodes Diploma Disco Douglas Dover Elis Employers Enact Everest
Evolution F5 Forward-Air Fox Gates GEO Griffon Harmonic Hartford Hawkins HCI Healthcare-Services Hertz
Hub Independent-Bank Indus Integer Interface Investor Kingfisher Knowles Lindsay M3 Match MLP Mosaic MYR
Nasdaq National-Bank National-Healthcare National-Vision Next NN Noble Norma NOW Partners Patrizia
Pearson Phoenix Plexus Pool PRA Preferred-Bank PROG Progressive Q2 Qt Radian Rational Recruit Rogers
News Rollins RPC SCREEN Sharp SHIFT Southern Stepan Sto Strategic-Education Stride T&D Tapestry Tennant TKO
Toto Ultra-Clean Universal Verve Waters Weir Xylem LY Bancorp Carmila
""".split(), key=str.casefold)

COUNTRIES = {
    "united states": "US", "u.s.": "US", "us": "US", "usa": "US", "u.s": "US", "united states of america": "US",
    "germany": "DE", "france": "FR", "united kingdom": "GB", "uk": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "japan": "JP", "netherlands": "NL", "the netherlands": "NL", "spain": "ES", "italy": "IT",
    "switzerland": "CH", "sweden": "SE", "finland": "FI", "belgium": "BE", "ireland": "IE", "luxembourg": "LU",
    "denmark": "DK", "norway": "NO", "austria": "AT", "portugal": "PT", "canada": "CA", "china": "CN",
    "hong kong": "HK", "south korea": "KR", "korea": "KR", "taiwan": "TW", "india": "IN", "singapore": "SG",
    "australia": "AU", "israel": "IL", "bermuda": "BM", "jersey": "JE", "greece": "GR", "poland": "PL",
    "czech republic": "CZ", "mexico": "MX", "brazil": "BR", "argentina": "AR", "uruguay": "UY",
}
US_STATES = {"alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
             "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky",
             "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi",
             "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey", "new mexico",
             "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania",
             "rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont",
             "virginia", "washington", "west virginia", "wisconsin", "wyoming", "district of columbia", "d.c."}
KINDS = [  # (substring of the industries, kind), first match wins
    ("semiconductor", "chipmaker"), ("bank", "bank"), ("reinsur", "insurer"), ("insurance", "insurer"),
    ("telecom", "telecom"), ("software", "software"), ("internet", "tech"), ("information technology", "tech"),
    ("automobile", "automaker"), ("auto manufactur", "automaker"), ("automotive", "automaker"),
    ("retail", "retailer"), ("department store", "retailer"), ("asset management", "investor"),
    ("investment management", "investor"), ("private equity", "investor"), ("reit", "real-estate"),
    ("real estate", "real-estate"), ("pharma", "pharma"), ("biotech", "pharma"), ("health", "healthcare"),
    ("aerospace", "aerospace"), ("utilit", "utility"), ("oil", "energy"), ("energy", "energy"),
    ("media", "media"), ("entertainment", "media"), ("airline", "airline"), ("chemical", "chemicals"),
    ("financial", "financial"), ("industrial", "industrial"), ("machinery", "industrial"),
]
FIELDS = ["id", "name", "aliases", "legal_names", "tickers", "parent", "country", "fiscal_year_start",
          "fiscal_year_label", "kind", "hq", "products", "case", "source"]


def _suffix_pattern() -> re.Pattern:
    lines = [s.strip() for s in (MODELS / "legal_suffixes.txt").read_text(encoding="utf-8").splitlines()]
    words = [s for s in lines if s and not s.startswith("#") and s not in {"Group", "Holding", "Holdings"}]
    alt = "|".join(sorted((re.escape(w).replace(r"\.", r"\.?") for w in words), key=len, reverse=True))
    return re.compile(rf"(?:,?\s+(?:&\s+)?(?:{alt})(?![\w]))+\s*$")


SUFFIX = _suffix_pattern()


def short_name(name: str) -> tuple[str, str]:
    """(name as a company is called in news, full name without notes) from a package name."""
    full = re.sub(r"\s*\([^)]*\)", "", name).strip()
    short = SUFFIX.sub("", full).strip().rstrip(",")
    short = re.sub(r"\s+(?:&|and)$", "", short).strip()
    if short.startswith("The "):
        short = short[4:]
    return short or full, full


def slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", " and ")).strip("-")


def headquarters(meta: dict) -> tuple[str | None, str | None]:
    """(country code, "City" or "City, State") from the package's headquarters text."""
    text = (meta or {}).get("headquarters") or ""
    text = re.split(r"\(|;| and ", text)[0]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None, None
    country = COUNTRIES.get(parts[-1].lower().rstrip("."))
    if country is None and parts[-1].lower() in US_STATES:
        country, parts = "US", parts + ["U.S."]
    if country is None:
        return None, None
    rest = parts[:-1]
    if country == "US" and len(rest) >= 2 and rest[-1].lower() in US_STATES:
        city = f"{rest[-2]}, {rest[-1]}"
    else:
        city = rest[-1] if rest else None
    if city and (re.search(r"\d", city) or len(city.split()) > 4 or city.lower() in COUNTRIES):
        city = None
    return country, city


def kind_of(industries: list[str]) -> str:
    text = " ".join(industries or []).lower()
    return next((kind for key, kind in KINDS if key in text), "company")


def tickers_of(stock: dict) -> list[str]:
    out = []
    symbol = stock.get("symbol")
    if symbol:
        out.append(re.sub(r"\.[A-Z]{1,2}$", "", symbol))
    for s in stock.get("symbols") or []:
        google = s.get("google") or ""
        if ":" in google:
            out.append(google.split(":", 1)[1])
    return list(dict.fromkeys(t for t in out if t and not re.search(r"[^A-Z0-9.\-]", t)))


def package_entries() -> list[dict]:
    from pytickersymbols import PyTickerSymbols

    dropped = {d.replace("-", " ") for d in DROPPED}
    entries = []
    for stock in PyTickerSymbols().get_all_stocks():
        name, full = short_name(stock["name"])
        if name in dropped:
            if full == name or full.startswith("The "):
                continue
            name = full  # only the full name is safe: "Target Corporation", "News Corp"
        if len(name) < 2:
            continue
        country, hq = headquarters(stock.get("metadata"))
        isins = stock.get("isins") or []
        if country is None and isins:
            country = isins[0][:2]
        entry = {"id": slug(name), "name": name, "aliases": [],
                 "legal_names": [full] if full != name else [], "tickers": tickers_of(stock),
                 "parent": None, "country": country, "kind": kind_of(stock.get("industries")),
                 "source": "package"}
        if hq:
            entry["hq"] = hq
        entries.append(entry)
    return entries


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip() and not line.startswith("//")]


def merge(overlay: list[dict], package: list[dict]) -> list[dict]:
    by_ticker, by_name = {}, {}
    for row in overlay:
        for t in row.get("tickers") or []:
            by_ticker.setdefault(t, row)
        for n in [row["name"], *row.get("aliases", []), *row.get("legal_names", [])]:
            by_name.setdefault(normalize_name(n), row)
    surfaces = set(by_name)
    ids = {row["id"] for row in overlay}
    extra = []
    for entry in sorted(package, key=lambda e: (e["id"], e["name"])):
        twin = next((by_ticker[t] for t in entry["tickers"] if t in by_ticker), None) \
            or by_name.get(normalize_name(entry["name"]))
        if twin is not None:
            twin["tickers"] = list(dict.fromkeys([*twin.get("tickers", []), *entry["tickers"]]))
            continue
        key = normalize_name(entry["name"])
        if key in surfaces:
            continue  # another company already owns this name
        surfaces.add(key)
        base, n = entry["id"], 2
        while entry["id"] in ids:
            entry["id"], n = f"{base}-{n}", n + 1
        ids.add(entry["id"])
        extra.append(entry)
    return overlay + extra


def tidy(row: dict) -> dict:
    out = {k: row.get(k) for k in FIELDS if k in row or k in {"aliases", "legal_names", "tickers", "parent",
                                                                "country", "fiscal_year_start", "kind"}}
    for k in ("aliases", "legal_names", "tickers"):
        out[k] = list(out.get(k) or [])
    return {k: v for k, v in out.items() if v is not None or k in {"parent", "country", "fiscal_year_start", "kind"}}


def main() -> None:
    overlay = read_jsonl(MODELS / "companies_overlay.jsonl")
    rows = merge([dict(r) for r in overlay], package_entries())
    with (MODELS / "companies.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(tidy(row), ensure_ascii=False) + "\n")
    print(f"{len(rows)} companies ({len(overlay)} curated) -> {MODELS / 'companies.jsonl'}")


if __name__ == "__main__":
    main()
