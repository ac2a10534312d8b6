"""Sentence splitting: our news cases, pySBD's English golden rules, and the stage on real pages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from conftest import ROOT, SEEDS, read_jsonl
from pipeline.sentences import Sentences, split
from pipeline.stages import segment
from pipeline.types import Document

CASES = read_jsonl(ROOT / "tests" / "cases" / "sentences.jsonl")
GOLDEN_RULES = ROOT / "benchmarks" / "data" / "pysbd_golden_rules_en.jsonl"


def sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in split(text)]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_sentences_news_cases(case):
    got = sentences_of(case["text"])
    if len(got) < len(case["sentences"]):
        pytest.fail(f"missed a boundary: {got}")
    if len(got) > len(case["sentences"]):
        pytest.fail(f"split too often: {got}")
    assert got == case["sentences"]


def test_sentences_golden_rules_all_pass():
    """pySBD passes 47 of its 48 English golden rules, spaCy's sentencizer 25; we pass all."""
    rules = read_jsonl(GOLDEN_RULES)
    assert len(rules) == 48
    failed = [(r["n"], sentences_of(r["text"])) for r in rules
              if [s.strip() for s in sentences_of(r["text"])] != [s.strip() for s in r["sentences"]]]
    assert failed == []


def test_sentences_spans_are_trimmed_offsets_into_the_text():
    text = "  Revenue rose 18% to $4.2 billion.   Costs fell.\n\n\tShares jumped 5%.  "
    spans = split(text)
    assert [text[s:e] for s, e in spans] == ["Revenue rose 18% to $4.2 billion.", "Costs fell.",
                                            "Shares jumped 5%."]
    assert spans == sorted(spans)


def test_sentences_split_a_region_keeps_document_offsets():
    text = "Junk line\nRevenue rose. Costs fell.\nMore junk"
    start = text.index("Revenue")
    spans = split(text, start, text.index("\nMore"))
    assert [text[s:e] for s, e in spans] == ["Revenue rose.", "Costs fell."]


def test_sentences_stage_skips_junk_lines():
    text = "top of page\nAcme Q3 revenue jumps\n4 min read\nAcme said revenue rose. Shares fell.\nComments"
    doc = Sentences()(Document(doc_id="d", text=text, junk=[(0, 11), (34, 44), (82, 90)]))
    assert [text[s:e] for s, e in doc.sentences] == ["Acme Q3 revenue jumps", "Acme said revenue rose.",
                                                    "Shares fell."]


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the project")
def test_sentences_seed_page_keeps_abbreviations_and_byline_out():
    text = (SEEDS / "003_ecb8d1ca57deb080.txt").read_text(encoding="utf-8")
    doc = segment("003", text)
    sentences = [text[s:e] for s, e in doc.sentences]
    assert any("major U.S. hyperscalers" in s for s in sentences), "split after U.S."
    assert not any(s.endswith("U.S.") for s in sentences)
    assert all(s == s.strip() and s for s in sentences)


MARKER_PIECES = ["a", "b", "z", "1", "2", "12", "99", "3", ".", ")", ".)", " ", "  ", "\t", "•", "■", "x", "The",
                 "A", "5.", " 1. ", " a) ", "(", ":", "é"]


@hsettings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(MARKER_PIECES), max_size=14).map("".join))
def test_sentences_marker_end_is_in_every_line_with_a_list_marker(line):
    """MARKER_END is only a quick test before LIST_MARKER: it may find more, never less."""
    from pipeline.sentences import LIST_MARKER, MARKER_END

    if LIST_MARKER.search(line):
        assert MARKER_END.search(line)
