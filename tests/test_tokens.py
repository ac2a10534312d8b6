"""The token table (pipeline/tokens.py) has exactly the tokens of spaCy's tokenizer.

``tokens.tokenize`` cuts the text into runs itself and remembers each run's tokens, so spaCy
sees each run once. spaCy on the whole text is the reference: same starts, ends, texts and
whitespace flags, on every case sentence and corpus article, on random texts made of the
pieces that make tokenizing hard (affixes, special cases, odd whitespace, special cases that
spaCy finds across a space), and when the memory of runs is cleared in the middle of a text.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from test_patterns import texts
from pipeline import tokens

PIECES = ["a", "Co", "1", "2026", "1.2", ".", ",", ";", "$", "HK$", "US$", "€", "¥", "bn", "m", "%",
          "-", "–", "mid", "(", ")", '"', "'", "'s", "’s", "don't", "U.S.", "Inc.", "e.g.", ":)", ";)", "...",
          "http://x.co/a", "@b", "#c", "\x02", " ", " ", " ", "  ", "\n", "\n\n", "\t", "\xa0", "\u2009", "\r\n"]


def spacy_table(text: str) -> tuple[list, list, list, list]:
    doc = tokens.nlp().make_doc(text)
    return ([t.idx for t in doc], [t.idx + len(t) for t in doc], [t.text for t in doc],
            [bool(t.whitespace_) for t in doc])


def table(text: str) -> tuple[list, list, list, list]:
    t = tokens.tokenize(text)
    return t.starts, t.ends, t.texts, t.spaces


@pytest.mark.parametrize("text", ["", " ", "  ", "x", " x", "x ", "x  ", " \n x", "a \n b", "\n\nHK$80bn (mid-2026).\t",
                                  "U.S. firms' 5%-6% rise; don't\xa0stop :)", "a : - ) b ( ; ) c", "models. Online"])
def test_spacy_tokens_of_short_texts(text):
    assert table(text) == spacy_table(text)


def test_runs_a_phrase_may_cross_are_tokenized_together():
    # spaCy alone makes ";)1)" into ";)" "1" ")"; after "( " the phrase "(;" found across the
    # space keeps ";)" from applying
    assert spacy_table(";)1)")[2] == [";)", "1", ")"]
    assert table("b( ;)1)")[2] == spacy_table("b( ;)1)")[2] == ["b", "(", ";", ")", "1", ")"]


def test_spacy_tokens_of_cases_and_corpus():
    compared = 0
    for text in texts():
        assert table(text) == spacy_table(text), text[:200]
        compared += 1
    assert compared > 300


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_spacy_tokens_of_random_pieces(pieces):
    text = "".join(pieces)
    assert table(text) == spacy_table(text)


def test_runs_forgotten_in_the_middle_of_a_text(monkeypatch):
    text = "Acme's revenue rose 5% to $1.2bn in mid-2026,\n\n(up from HK$80m) said U.S. analysts."
    # exactly as many runs remembered as the text has: the newline run, looked up after the
    # words are learnt, clears them, and the words after it are tokenized again one by one
    monkeypatch.setattr(tokens, "CACHED_RUNS", len(set(text.split())))
    tokens._run_tokens.clear()
    tokens._run_texts.clear()
    assert table(text) == spacy_table(text)
    assert "analysts." in tokens._run_tokens and "Acme's" not in tokens._run_tokens


def test_text_with_more_new_runs_than_remembered(monkeypatch):
    monkeypatch.setattr(tokens, "CACHED_RUNS", 5)
    text = "Acme's revenue rose 5% to $1.2bn in mid-2026, said U.S. analysts (a :) ; )."
    tokens._run_tokens.clear()
    assert table(text) == spacy_table(text)
    assert not tokens._run_tokens  # taken whole by spaCy, nothing learnt
    assert table("") == spacy_table("") == ([], [], [], [])


def test_spacy_vocabulary_is_made_afresh_when_it_grows_past_its_bound(monkeypatch):
    """spaCy keeps every string it tokenizes; past MAX_STRINGS the pipeline is made afresh, so
    a long run's memory stays bounded, and the tokens stay spaCy's."""
    first = tokens.spacy_nlp()
    monkeypatch.setattr(tokens, "MAX_STRINGS", len(first.vocab.strings) + 50)
    tokens._run_tokens.clear()
    tokens._run_texts.clear()
    text = " ".join(f"Acme{n}'s ${n}.5bn (mid-{n}) rose {n}%" for n in range(40))
    assert table(text) == spacy_table(text)
    assert tokens.spacy_nlp() is not first
    assert len(tokens.spacy_nlp().vocab.strings) <= tokens.MAX_STRINGS
    text = "Beta's €3.25m (up 7%: a :) ; )) in 2027-28 " + text
    assert table(text) == spacy_table(text)
