"""Claims: every case of tests/cases/claims.jsonl, assembled from the mentions the case gives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline import annotation
from pipeline.claims import Claims, _words, clauses
from pipeline.layout import Layout
from pipeline.sentences import Sentences
from pipeline.types import Document, Mention

CASES = [json.loads(line) for line in (ROOT / "tests" / "cases" / "claims.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip() and not line.startswith("//")]


def span(m) -> tuple[int, int] | None:
    return (m.start, m.end) if m is not None else None


def run_case(case: dict) -> tuple[str, set, set]:
    path = Path(f"claims-case:{case['name']}")
    text, marked = annotation._strip(path, case["text"], 1)
    expected = annotation._claims(path, "\n".join(case["claims"]), 1, marked)
    doc = Sentences()(Layout()(Document(doc_id="case", text=text)))
    doc.mentions = [Mention(m.type, m.start, m.end, dict(m.fields)) for m in marked]
    doc = Claims()(doc)

    def key(subject, value, alternatives, change, direction, period):
        return (span(subject), span(value), tuple(sorted(map(span, alternatives))), span(change), direction, span(period))

    want = {key(c["subject"], c["value"], c["alternatives"], c["change"], c["direction"], c["period"]) for c in expected}
    got = {key(c.subject, c.value, c.alternatives, c.change, c.direction, c.period) for c in doc.claims}
    return text, want, got


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_claims_cases(case):
    text, want, got = run_case(case)

    def show(keys):
        return [{"subject": text[k[0][0]:k[0][1]], "value": text[k[1][0]:k[1][1]],
                 "change": k[3] and text[k[3][0]:k[3][1]], "direction": k[4],
                 "period": k[5] and text[k[5][0]:k[5][1]]} for k in sorted(keys)]

    if got - want or want - got:
        pytest.fail(f"missed: {show(want - got)}; spurious or wrong: {show(got - want)}")


def test_claims_clauses_set_relative_clauses_apart():
    text = "SK Square, which owns about 20% of the chipmaker, rose 6% in the same session."
    parts = clauses(text, (0, len(text)))
    assert [[text[a:b] for a, b in c.pieces] for c in parts] == [
        [" which owns about 20% of the chipmaker"], ["SK Square", ", rose 6% in the same session."]]


def test_claims_cue_patterns_find_what_the_plain_alternation_finds():
    """_words spells first letters case by case (a trie, _first_letter_cases): where a match starts
    must not change, in any case of the letters re.IGNORECASE folds together."""
    data = json.loads((ROOT / "models" / "claims.json").read_text(encoding="utf-8"))
    lists = [data[k] for k in ("estimate_cues", "hypothetical_cues", "source_cues", "denial_cues", "threshold_cues",
                               "other_cues", "share_price_cues", "increase", "decrease", "not_direction")]
    texts = [c["text"] for c in CASES]
    texts += [t.upper() for t in texts] + [t.replace("s", "ſ").replace("k", "\u212a").replace("I", "İ") for t in texts]
    texts += [" ".join(cue.replace("?", "").replace("\\", "") for cue in items) for items in lists]
    for items in lists:
        plain = re.compile(r"(?<![\w$€£¥₹])(?:" + "|".join(sorted(items, key=len, reverse=True)) + r")(?!\w)", re.I)
        ours = _words(items, ends_matter=False)
        for text in texts:
            def starts(pattern):
                return [i for i in range(len(text)) if pattern.match(text, i)]
            assert starts(ours) == starts(plain), (items, text)
