"""COMPANY mentions: the case file tests/cases/companies.jsonl and the knowledge base's schema."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter

import pytest

from conftest import ROOT, read_jsonl
from pipeline.companies import Companies, find_names
from pipeline.coreference import _organizations, cues
from pipeline.gazetteer import TOKEN, gazetteer, normalize
from pipeline.stages import segment

CASES = read_jsonl(ROOT / "tests" / "cases" / "companies.jsonl")
KB = [json.loads(line) for line in (ROOT / "models" / "companies.jsonl").open(encoding="utf-8") if line.strip()]
REQUIRED = {"id", "name", "aliases", "legal_names", "tickers", "parent", "country", "fiscal_year_start", "kind"}


def company_mentions(text: str) -> list[dict]:
    doc = Companies()(segment("case", text, "2025-12-23"))
    return [m.record(text) for m in doc.mentions if m.type == "COMPANY"]


def expected_spans(text: str, expected: list[dict]) -> list[tuple[int, int, dict]]:
    """Offsets of each expected mention: the n-th whole-word occurrence of its text."""
    out = []
    for e in expected:
        hits = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(e['text'])}(?!\w)", text)]
        n = e.get("occurrence", 1)
        assert len(hits) >= n, f"case error: {e['text']!r} occurs {len(hits)} time(s)"
        out.append((hits[n - 1], hits[n - 1] + len(e["text"]), e))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_companies_cases(case):
    text = case["text"]
    found = {(m["start"], m["end"]): m for m in company_mentions(text)}
    wanted = expected_spans(text, case["mentions"])
    problems = []
    for start, end, e in wanted:
        got = found.pop((start, end), None)
        if got is None:
            partial = [m for (a, b), m in found.items() if a < end and start < b]
            problems.append(f"partial: {e['text']!r} found as {[m['text'] for m in partial]}" if partial
                            else f"missed: {e['text']!r} ({e['form']})")
            continue
        if got["form"] != e["form"]:
            problems.append(f"wrong form: {e['text']!r} is {got['form']}, expected {e['form']}")
        if got["company_id"] != e["company_id"] or ("name" in e and got["name"] != e["name"]):
            problems.append(f"wrong link: {e['text']!r} -> {got['company_id']} {got['name']!r}, "
                            f"expected {e['company_id']} {e.get('name')!r}")
    for m in found.values():
        if not any(m["start"] < b and a < m["end"] for a, b, _ in wanted):
            problems.append(f"spurious: {m['text']!r} ({m['form']} -> {m['company_id']})")
    assert not problems, "; ".join(problems)


def test_companies_spans_are_offsets_into_the_text():
    text = "Nvidia Corp. said its revenue rose. The chipmaker's shares jumped."
    for m in company_mentions(text):
        assert text[m["start"]:m["end"]] == m["text"]


def test_companies_stage_never_looks_inside_junk():
    from pipeline.sentences import Sentences
    from pipeline.types import Document

    text = "Nvidia posts record sales\nRelated: Apple hits record\nNvidia said demand was strong."
    junk = (text.index("Related"), text.index("\nNvidia said"))
    doc = Sentences()(Document(doc_id="d", text=text, junk=[junk]))
    names = [text[m.start:m.end] for m in Companies()(doc).mentions]
    assert "Apple" not in names and names.count("Nvidia") == 2


def test_companies_kb_has_required_fields_and_unique_ids():
    assert len(KB) >= 300
    assert not [r["id"] for r in KB if not REQUIRED <= r.keys()]
    duplicates = [i for i, n in Counter(r["id"] for r in KB).items() if n > 1]
    assert duplicates == []
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", r["id"]) for r in KB)


def test_companies_kb_parents_exist_and_values_are_valid():
    ids = {r["id"] for r in KB}
    assert [r["id"] for r in KB if r["parent"] and r["parent"] not in ids] == []
    assert [r["id"] for r in KB if r["parent"] == r["id"]] == []
    assert [r["id"] for r in KB if r["country"] and not re.fullmatch(r"[A-Z]{2}", r["country"])] == []
    assert [r["id"] for r in KB if r["fiscal_year_start"] not in (None, *range(1, 13))] == []
    assert [r["id"] for r in KB if r.get("fiscal_year_label") not in (None, "start")] == []
    assert [r["id"] for r in KB if not r["kind"]] == []


def test_companies_kb_every_name_and_alias_resolves_to_one_company():
    g = gazetteer()
    assert g.conflicts == [], f"surfaces claimed by two companies: {g.conflicts[:10]}"
    for row in KB:
        for surface in [row["name"], *row["aliases"]]:
            assert g.exact.get(normalize(surface)) == row["id"], f"{surface!r} does not resolve to {row['id']}"


def test_companies_kb_keeps_the_curated_ids():
    overlay = read_jsonl(ROOT / "models" / "companies_overlay.jsonl")
    ids = [r["id"] for r in KB]
    assert ids[:len(overlay)] == [r["id"] for r in overlay]
    for kept in ("bytedance", "tiktok", "alphabet", "google", "aws", "meta", "nvidia", "sap", "softbank"):
        assert kept in ids


def test_companies_capital_starts_stand_in_for_starts():
    """find_names searches the faster capital_starts unless listed_words is found in the text:
    capital_starts finds the tokens of starts that begin with a capital, and every name that
    begins with another token ("eBay", "3M") holds a match of listed_words, whatever its
    apostrophes, so where there is none the other tokens of starts begin no name."""
    g = gazetteer()
    texts = [c["text"] for c in CASES] + [
        "Élan SA, 3M, eBay’s e-commerce arm and xAI rose 1%; naïve Émile, _Nvidia and Ökobank fell.",
        "ÆON, Ørsted, İş Bankası, ǅemal (OTC: ABLZF) and NVIDIA’S 2nd-quarter sales; 01.AI x3M eBay3",
    ]
    for text in texts:
        full = [m.span() for m in g.starts.finditer(text)]
        capitals = [(a, b) for a, b in full if re.match(r"[^\W\d_a-z]", text[a])]
        assert [m.span() for m in g.capital_starts.finditer(text)] == capitals, text
        if not g.listed_words.search(text):
            sentences = [(0, len(text))]
            assert find_names(text, sentences, g.capital_starts) == find_names(text, sentences, g.starts), text
    for surface in g.exact:
        if not TOKEN.findall(surface)[0][0].isupper():
            assert g.listed_words.search(surface) and g.listed_words.search(surface.replace("'", "’")), surface


def test_companies_organization_noun_before_it_is_matched_reversed():
    """The organization noun before "it" is matched on the text before it reversed (an anchored
    match, not a search trying every position): the same as searching it forwards."""
    nouns = "|".join(map(re.escape, cues()["organization_nouns"]))
    forwards = re.compile(rf"\b(?:{nouns})\s+(?:\S+\s+){{0,3}}$")
    reversed_ = _organizations()[3]
    words = ["the", "regulator", "regulators", "said", "-court", "xcourt", "(agency", "on", "Friday", "that"]
    for n in range(6):
        for combo in itertools.product(words, repeat=min(n, 3)):
            for tail in (" ", "  ", "\n", ""):
                before = "Then " + " ".join(combo + ("x",) * (n - 3 if n > 3 else 0)) + tail
                assert bool(forwards.search(before)) == bool(reversed_.match(before[::-1])), before
