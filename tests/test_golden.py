"""Golden end-to-end test: `claims extract` on corpus/, every span checked against its text,
scored against the corpus gold with thresholds set just under the measured scores (README)."""

from __future__ import annotations

import pytest

from conftest import CORPUS, read_jsonl
from pipeline.evaluate import evaluate, load_gold, load_run

# Measured on corpus/ (README, "How good it is"); a drop below these fails the build.
THRESHOLDS = {
    ("MONEY", "exact"): 0.98, ("MONEY", "norm"): 0.98,
    ("PERCENT", "exact"): 0.98, ("PERCENT", "norm"): 0.98,
    ("DATE", "exact"): 0.98, ("DATE", "norm"): 0.98,
    ("COMPANY/name", "exact"): 0.97, ("COMPANY/nominal+pronoun", "exact"): 0.97, ("COMPANY", "norm"): 0.97,
}
CLAIMS = {"lenient": 0.95, "strict": 0.94}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("golden") / "run"
    assert main(["extract", str(CORPUS / "input"), "-o", str(out), "--workers", "1"]) == 0
    return out


def test_golden_every_span_is_its_text(corpus_run):
    texts = {d["doc_id"]: d["text"] for d in read_jsonl(corpus_run / "documents.jsonl")}
    for e in read_jsonl(corpus_run / "entities.jsonl"):
        assert texts[e["doc_id"]][e["start"]:e["end"]] == e["text"], e
    for c in read_jsonl(corpus_run / "claims.jsonl"):
        text = texts[c["doc_id"]]
        for span in [c["subject"], c["value"], *c["alternatives"], c["change"], c["period"]]:
            if span:
                assert text[span["start"]:span["end"]] == span["text"], (c["claim_id"], span)
        assert c["sentence"]["start"] <= c["value"]["start"] < c["sentence"]["end"]


def test_golden_scores_hold(corpus_run):
    report = evaluate(load_gold([CORPUS / "gold.jsonl"]), load_run(corpus_run)).to_dict()
    for (row, kind), floor in THRESHOLDS.items():
        r = report["entities"][row]
        score = r["exact"]["f1"] if kind == "exact" else r["normalization"]["accuracy"]
        assert score >= floor, f"{row} {kind} {score:.3f} < {floor}"
    for mode, floor in CLAIMS.items():
        assert report["claims"][mode]["f1"] >= floor, f"claims {mode} {report['claims'][mode]['f1']:.3f} < {floor}"


def test_golden_no_mention_inside_page_junk(corpus_run):
    """Junk lines ("Related: OpenAI's next round could top $40 billion") hold figures that are
    not mentions; every mention lies inside a sentence, and sentences leave junk out."""
    docs = {d["doc_id"]: d for d in read_jsonl(corpus_run / "documents.jsonl")}
    assert any(d["junk"] for d in docs.values())
    for e in read_jsonl(corpus_run / "entities.jsonl"):
        doc = docs[e["doc_id"]]
        assert not any(a < e["end"] and e["start"] < b for a, b in doc["junk"]), e
        assert any(a <= e["start"] and e["end"] <= b for a, b in doc["sentences"]), e
