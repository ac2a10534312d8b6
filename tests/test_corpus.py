"""The hand-labelled corpus: its gold is built from the annotation sources, never typed."""

from __future__ import annotations

import pytest

from conftest import CORPUS, read_jsonl
from pipeline.annotation import build, load_sources

SOURCES = sorted((CORPUS / "sources").glob("*.ann"))
pytestmark = pytest.mark.skipif(not SOURCES, reason="no annotation sources in corpus/sources")


@pytest.fixture(scope="module")
def gold():
    return read_jsonl(CORPUS / "gold.jsonl")


def test_corpus_gold_is_built_from_sources(tmp_path):
    build(load_sources(SOURCES), tmp_path)
    assert (tmp_path / "gold.jsonl").read_bytes() == (CORPUS / "gold.jsonl").read_bytes(), \
        "corpus/gold.jsonl differs from a build of corpus/sources: run python -m pipeline.annotation build"
    built = sorted(p.name for p in (tmp_path / "input").iterdir())
    assert built == sorted(p.name for p in (CORPUS / "input").iterdir())
    for name in built:
        assert (tmp_path / "input" / name).read_bytes() == (CORPUS / "input" / name).read_bytes(), name


def test_corpus_every_gold_span_matches_its_text(gold):
    for doc in gold:
        text = doc["text"]
        spans = list(doc["entities"])
        for claim in doc["claims"]:
            spans += [claim["subject"], claim["value"], claim["sentence"], *claim["alternatives"]]
            spans += [s for s in (claim["change"], claim["period"]) if s]
        for span in spans:
            assert text[span["start"]:span["end"]] == span["text"], (doc["doc_id"], span)


def test_corpus_size_and_shape(gold):
    assert len(gold) >= 15
    for doc in gold:
        words = len(doc["text"].split())
        assert 250 <= words <= 700, f"{doc['doc_id']}: {words} words"
    formats = {p.suffix for p in (CORPUS / "input").iterdir()}
    assert {".jsonl", ".txt", ".html"} <= formats
    types = {e["type"] for doc in gold for e in doc["entities"]}
    assert types == {"MONEY", "PERCENT", "DATE", "COMPANY"}
    assert sum(len(doc["claims"]) for doc in gold) >= 100
