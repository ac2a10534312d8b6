"""The compiled token patterns (pipeline/patterns.py) match what spaCy's Matcher matches.

The pattern files stay spaCy Matcher patterns; the compiled form is only faster. So the
Matcher is the reference: on every case sentence and every corpus article, both give the
same set of (pattern id, first token, end token) for the MONEY, PERCENT and DATE patterns.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from spacy.matcher import Matcher

from conftest import CORPUS, case_lines
from pipeline import tokens
from pipeline.dates import Dates
from pipeline.money import Money
from pipeline.patterns import TokenPatterns, alternatives, unit
from pipeline.percent import Percent

STAGES = {"money": Money, "percent": Percent, "dates": Dates}


def texts() -> list[str]:
    found = [text for name in STAGES for _, text, _, _ in case_lines(name)]
    for path in sorted(CORPUS.rglob("input/*")):
        if path.suffix == ".jsonl":
            found += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
        else:
            found.append(path.read_text(encoding="utf-8"))
    return found


def spacy_matcher(compiled: TokenPatterns) -> Matcher:
    matcher = Matcher(tokens.nlp().vocab, validate=True)
    for pattern_id, specs in compiled.rows:
        matcher.add(pattern_id, [specs])
    return matcher


@pytest.mark.parametrize("name", sorted(STAGES))
def test_compiled_patterns_match_as_spacy_matcher(name):
    compiled = STAGES[name]().matcher
    reference = spacy_matcher(compiled)
    strings = tokens.nlp().vocab.strings
    compared = matched = 0
    for text in texts():
        doc = tokens.nlp().make_doc(text)
        expected = {(strings[key], start, end) for key, start, end in reference(doc)}
        got = compiled([t.text for t in doc], [bool(t.whitespace_) for t in doc])
        assert len(got) == len(set(got)), "a match given twice"
        assert set(got) == expected, text[:200]
        compared += 1
        matched += bool(expected)
    assert compared > 300 and matched > 50


def test_spacy_false_needs_the_next_token_attached():
    compiled = TokenPatterns([("pence", [{"TEXT": {"REGEX": "^\\d+$"}, "SPACY": False}, {"TEXT": "p"}])])
    assert compiled(["45", "p"], [False, False]) == [("pence", 0, 2)]
    assert compiled(["45", "p"], [True, False]) == []


def test_lower_words_with_capitals_never_match_as_in_spacy():
    compiled = TokenPatterns([("x", [{"LOWER": {"IN": ["bn", "Bn"]}}])])
    assert compiled(["BN", "Bn"], [True, False]) == [("x", 0, 1), ("x", 1, 2)]
    assert TokenPatterns([("x", [{"LOWER": "Bn"}])])(["Bn"], [False]) == []


def test_every_shorter_match_is_given_as_spacy_gives_them():
    compiled = TokenPatterns([("m", [{"TEXT": "$"}, {"LOWER": {"IN": ["billion", "bn"]}, "OP": "*"}])])
    assert sorted(compiled(["$", "billion", "bn", "x"], [False, True, True, False])) == [
        ("m", 0, 1), ("m", 0, 2), ("m", 0, 3)]


def test_control_characters_in_the_text_cannot_forge_a_token():
    compiled = TokenPatterns([("two", [{"TEXT": "a"}, {"TEXT": "b"}])])
    assert compiled(["a\x03\x02b"], [False]) == []


@pytest.mark.parametrize("spec", [
    {"LOWER": "x", "TEXT": "x"},
    {"POS": "NOUN"},
    {"LOWER": {"NOT_IN": ["x"]}},
    {"LOWER": {"REGEX": "^x$"}},
    {"TEXT": {"REGEX": "x"}},
    {"TEXT": "x", "OP": "!"},
])
def test_unsupported_specs_are_refused_when_loaded(spec):
    with pytest.raises(ValueError):
        unit(spec)


def _vocabulary(compiled: TokenPatterns) -> list[str]:
    """Words the patterns name, in the case written and capitalized, with numbers and signs."""
    words = {w for u in (unit(spec) for _, specs in compiled.rows for spec in specs) if u.words for w in u.words}
    return sorted(words | {w.capitalize() for w in words} | {w.upper() for w in words}) + [
        "2025", "2026", "26", "3", "1.2", "4,200", "25%", "$", "€", "-", ",", ".", "(", "and", "to", "the",
        "company", "said", "Q3", "FY2025", "H1", "1Q", "2020s", "12th"]


@pytest.mark.parametrize("name", sorted(STAGES))
def test_compiled_patterns_match_as_spacy_matcher_on_random_word_runs(name):
    """Runs of the patterns' own words in random order, case and spacing: the follow-set and
    first-token shortcuts must never lose a match the Matcher finds, nor add one."""
    compiled = STAGES[name]().matcher
    reference = spacy_matcher(compiled)
    strings = tokens.nlp().vocab.strings
    words = _vocabulary(compiled)

    @hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.sampled_from(words), st.sampled_from(["", " ", " ", "  "])), max_size=12))
    def check(pieces):
        text = "".join(word + space for word, space in pieces)
        doc = tokens.nlp().make_doc(text)
        expected = {(strings[key], start, end) for key, start, end in reference(doc)}
        assert set(compiled([t.text for t in doc], [bool(t.whitespace_) for t in doc])) == expected

    check()


@hsettings(max_examples=300, deadline=None)
@given(st.sets(st.text(alphabet="ab$.-\\", max_size=4), max_size=8), st.text(alphabet="ab$.-\\", max_size=5))
def test_word_tree_regex_matches_exactly_its_words(words, other):
    regex = re.compile(alternatives(sorted(words)))
    assert all(regex.fullmatch(word) for word in words)
    assert bool(regex.fullmatch(other)) == (other in words)
