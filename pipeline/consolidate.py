"""`claims consolidate RUN_DIR`: group the claims of all documents into facts, flag conflicts.

A fact is one company, one metric family, one kind of value (money or percent) and one period
(CONTRACT.md, facts.jsonl). A claim without a period joins its company's and family's only
dated fact when there is exactly one (marked ``period_inherited`` in its evidence).

Values are compared as restated quantities: a money value counts in US dollars, from the USD
alternative the sentence itself gives where there is one, else from the approximate rates in
models/fx_rates.jsonl. Two values agree when they are within rounding of each other (2% in
the same currency, 10% across currencies, where the rates themselves are approximate);
``status`` is single, agreed or conflict. Derived values ("a 25% increase ... to RMB 200
billion" implies about RMB 160 billion before) are listed apart, under ``derived``.

Writes RUN_DIR/facts.jsonl, and the same facts as a table in facts.csv and facts.parquet.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from pipeline import resources
from pipeline.evaluate import RunError, load_run, normalize_name
from pipeline.writing import write_atomic

SAME_CURRENCY_TOLERANCE = 0.02
CROSS_CURRENCY_TOLERANCE = 0.10


@lru_cache(maxsize=1)
def usd_rates() -> dict[str, float]:
    return {r["currency"]: r["usd"] for r in resources.read_jsonl(resources.model_path("fx_rates.jsonl"))}


@lru_cache(maxsize=1)
def _families() -> list[tuple[re.Pattern, str]]:
    from pipeline.claims import metric_phrases

    return metric_phrases()


def family(claim: dict) -> str:
    """The claim's metric family: exported by the claims stage, else looked up from its metric."""
    if claim.get("metric_family"):
        return claim["metric_family"]
    for pattern, fam in _families():
        if pattern.search(claim.get("metric") or ""):
            return fam
    return (claim.get("metric") or "amount").lower()


def usd(value: dict, alternatives: list[dict]) -> tuple[float | None, bool]:
    """(USD figure, approximate) of a money value; None for percentages or unknown currencies."""
    if value["type"] != "MONEY":
        return None, False
    if value["currency"] == "USD":
        return value["amount"], bool(value.get("approximate"))
    stated = next((a for a in alternatives if a.get("currency") == "USD"), None)
    if stated is not None:
        return stated["amount"], True
    rate = usd_rates().get(value["currency"])
    return (value["amount"] * rate, True) if rate else (None, False)


def agree(a: dict, b: dict) -> bool:
    """Two claimed values are the same quantity, allowing for rounding and restated currencies."""
    va, vb = a["value"], b["value"]
    if va["type"] != vb["type"]:
        return False
    if va["type"] == "PERCENT":
        return abs(va["percent"] - vb["percent"]) <= 0.05 * max(abs(va["percent"]), 1e-9)
    if va["currency"] == vb["currency"]:
        return _close(va["amount"], vb["amount"], SAME_CURRENCY_TOLERANCE)
    ua, ub = a["usd"], b["usd"]
    return ua is not None and ub is not None and _close(ua, ub, CROSS_CURRENCY_TOLERANCE)


def _close(x: float, y: float, tolerance: float) -> bool:
    return abs(x - y) <= tolerance * max(abs(x), abs(y))


def company_key(subject: dict) -> str:
    return subject.get("company_id") or "name:" + normalize_name(subject.get("name") or subject["text"])


def _period(claim: dict) -> tuple[str, str] | None:
    p = claim.get("period")
    return (p["start_date"], p["end_date"]) if p else None


def derived_before(claim: dict) -> dict | None:
    """The value before a stated change: "rose 25% to RMB 200 billion" -> RMB 160 billion."""
    change, value = claim.get("change"), claim["value"]
    if not change or change is value or change.get("start") == value.get("start") or change.get("points"):
        return None
    sign = 1 if change.get("direction") == "increase" else -1
    factor = 1 + sign * change["percent"] / 100
    if factor <= 0:
        return None
    key = "amount" if value["type"] == "MONEY" else "percent"
    out = {"type": value["type"], key: value[key] / factor, "approximate": True,
           "rule": f"{value[key]:g} / (1 {'+' if sign > 0 else '-'} {change['percent']:g}%)",
           "claim_id": claim["claim_id"]}
    if value["type"] == "MONEY":
        out["currency"] = value["currency"]
    return out


def value_kind(claim: dict) -> str:
    """MONEY, PERCENT (a level: margin, stake) or CHANGE (a percentage that is itself a change)."""
    value, change = claim["value"], claim.get("change")
    if value["type"] == "PERCENT" and change and change.get("start") == value.get("start"):
        return "CHANGE"
    return value["type"]


def consolidate(claims: list[dict], published: dict[str, str | None]) -> list[dict]:
    """The facts of a run's claims, conflicts first."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in claims:
        c = {**c, "family": family(c)}
        c["usd"], c["usd_approximate"] = usd(c["value"], c.get("alternatives") or [])
        groups[(company_key(c["subject"]), c["family"], value_kind(c), _period(c))].append(c)
    # a claim without a period joins the only dated fact of its company and family
    for key in [k for k in groups if k[3] is None]:
        dated = [k for k in groups if k[:3] == key[:3] and k[3] is not None]
        if len(dated) == 1:
            for c in groups.pop(key):
                groups[dated[0]].append({**c, "period_inherited": True})
    facts = [_fact(key, part, published) for key, members in groups.items() for part in _split(members)]
    order = {"conflict": 0, "agreed": 1, "single": 2}
    return sorted(facts, key=lambda f: (order[f["status"]], f["company_id"] or "", f["name"], f["metric"],
                                        json.dumps(f["period"])))


def _split(members: list[dict]) -> list[list[list[dict]]]:
    """The claims of one group as facts, each a list of value clusters.

    Claims that agree form a cluster. Two clusters conflict when each has a document the other
    lacks: sources disagree. One document giving two different values (a segment and a total,
    an old and a new forecast) is not a conflict: such clusters stay separate facts.
    """
    members = sorted(members, key=lambda c: (c["doc_id"], c["value"]["start"]))
    clusters: list[list[dict]] = []
    for c in members:
        home = next((cl for cl in clusters if agree(cl[0], c)), None)
        if home is None:
            clusters.append([c])
        else:
            home.append(c)
    docs = [{c["doc_id"] for c in cl} for cl in clusters]
    component = list(range(len(clusters)))

    def root(i: int) -> int:
        while component[i] != i:
            i = component[i]
        return i

    for i in range(len(clusters)):
        for j in range(i + 1, len(clusters)):
            if docs[i] - docs[j] and docs[j] - docs[i]:
                component[root(j)] = root(i)
    parts: dict[int, list[list[dict]]] = defaultdict(list)
    for i, cluster in enumerate(clusters):
        parts[root(i)].append(cluster)
    return list(parts.values())


def _fact(key: tuple, clusters: list[list[dict]], published: dict[str, str | None]) -> dict:
    company, fam, kind, period = key
    members = [c for cluster in clusters for c in cluster]
    values = []
    for cluster in clusters:
        head = cluster[0]["value"]
        shown = {k: head[k] for k in ("type", "amount", "currency", "percent", "points", "low", "high") if k in head}
        values.append({**shown, "usd": cluster[0]["usd"], "usd_approximate": cluster[0]["usd_approximate"],
                       "claim_ids": [c["claim_id"] for c in cluster]})
    status = "single" if len(members) == 1 else "agreed" if len(clusters) == 1 else "conflict"
    subject = members[0]["subject"]
    fact_key = json.dumps([company, fam, kind, period, sorted(c["claim_id"] for c in members)])
    return {
        "fact_id": hashlib.sha1(fact_key.encode()).hexdigest()[:16],
        "company_id": subject.get("company_id"),
        "name": subject.get("name") or subject["text"],
        "metric": fam,
        "value_type": kind,
        "period": {"start_date": period[0], "end_date": period[1]} if period else None,
        "values": values,
        "status": status,
        "evidence": [{"doc_id": c["doc_id"], "claim_id": c["claim_id"], "start": c["value"]["start"],
                      "end": c["value"]["end"], "text": c["value"]["text"], "published": published.get(c["doc_id"]),
                      **({"period_inherited": True} if c.get("period_inherited") else {})} for c in members],
        "derived": [d for c in members if (d := derived_before(c))],
    }


def table(facts: list[dict]):
    """One row per (fact, value): the facts as a pandas DataFrame for CSV and Parquet."""
    import pandas as pd

    rows = []
    for f in facts:
        for v in f["values"]:
            rows.append({"fact_id": f["fact_id"], "company_id": f["company_id"], "name": f["name"],
                         "metric": f["metric"], "value_type": f["value_type"],
                         "period_start": (f["period"] or {}).get("start_date"),
                         "period_end": (f["period"] or {}).get("end_date"), "status": f["status"],
                         "amount": v.get("amount"), "currency": v.get("currency"), "percent": v.get("percent"),
                         "usd": v.get("usd"), "usd_approximate": v.get("usd_approximate"),
                         "claims": len(v["claim_ids"]), "claim_ids": ",".join(v["claim_ids"]),
                         "documents": ",".join(sorted({e["doc_id"] for e in f["evidence"]
                                                       if e["claim_id"] in v["claim_ids"]}))})
    return pd.DataFrame(rows)


def main(run_dir: Path) -> int:
    try:
        run = load_run(run_dir)
    except RunError as e:
        print(f"claims consolidate: {e}", file=sys.stderr)
        return 2
    claims = [c for doc_claims in run.claims.values() for c in doc_claims]
    published = {d: r.get("published") for d, r in run.documents.items()}
    facts = consolidate(claims, published)
    write_atomic(run_dir / "facts.jsonl", "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in facts))
    frame = table(facts)
    write_atomic(run_dir / "facts.csv", frame.to_csv(index=False))
    tmp = run_dir / "facts.parquet.tmp"
    frame.to_parquet(tmp, index=False)
    tmp.replace(run_dir / "facts.parquet")
    counts = {s: sum(f["status"] == s for f in facts) for s in ("conflict", "agreed", "single")}
    print(f"{len(facts)} facts from {len(claims)} claims: {counts['conflict']} conflict, "
          f"{counts['agreed']} agreed, {counts['single']} single -> {run_dir / 'facts.jsonl'}", file=sys.stderr)
    return 0
