"""Tokens and token patterns shared by the MONEY, PERCENT and DATE recognizers.

The tokens are spaCy's rule-based English tokenizer (no statistical model) with a few extra
splits kept in models/patterns/tokenizer.json, so that a number stands apart from its magnitude
("1.2bn" -> "1.2" "bn"), a dollar prefix from its number ("HK$80") and a year from its modifier
("mid-2026"). A document is tokenized once and read into a ``Table`` of plain lists (offsets,
texts, whitespace), which the stages share through ``doc.cache``.

spaCy's tokenizer cuts the text into runs of whitespace and of other characters and tokenizes
each run on its own (a single space after a run only marks its last token as followed by
whitespace). So ``tokenize`` does that cutting itself and asks spaCy only for runs it has not
seen, remembering their tokens: the same tokens as spaCy's on the whole text
(tests/test_tokens.py), without building a spaCy Doc for every document, which took a quarter of
the pipeline's time. A segment (runs with one space between each two, mostly a whole line) is
put together from the remembered token texts in bulk, with its offsets summed from the token
lengths. One thing crosses runs in spaCy: a special case such as ":)" or "Inc." is also looked
for as a phrase of tokens, and a phrase found across a space (": )") can keep an overlapping one
from applying. So two runs are tokenized together where two tokens of such a phrase could meet
across the space between them, and a segment with such a meeting goes run by run.

Patterns are spaCy Matcher patterns kept as JSON Lines in models/patterns/<name>.jsonl, run
compiled to regular expressions (pipeline/patterns.py). A string "@list" inside an ``IN`` value
stands for a word list the recognizer supplies from its tables, so that currencies, magnitudes
and month names live in one place.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, chain
from operator import add, itemgetter
from typing import Any

from pipeline import resources
from pipeline.patterns import Encoded, TokenPatterns
from pipeline.types import Document, Span


@lru_cache(maxsize=1)
def nlp():
    """A blank English pipeline whose tokenizer has our extra splits."""
    import spacy
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    rules = json.loads(resources.model_path("patterns", "tokenizer.json").read_text(encoding="utf-8"))
    nlp = spacy.blank("en")
    nlp.max_length = 100_000_000  # the reader already bounds document size
    tokenizer = nlp.tokenizer
    tokenizer.prefix_search = compile_prefix_regex(rules["prefixes"] + list(nlp.Defaults.prefixes)).search
    tokenizer.suffix_search = compile_suffix_regex(rules["suffixes"] + list(nlp.Defaults.suffixes)).search
    tokenizer.infix_finditer = compile_infix_regex(rules["infixes"] + list(nlp.Defaults.infixes)).finditer
    tokenizer.rules = {k: v for k, v in tokenizer.rules.items() if k not in rules["drop_special_cases"]}
    for word in rules["special_cases"]:
        tokenizer.add_special_case(word, [{"ORTH": word}])
    return nlp


MAX_STRINGS = 200_000  # strings spaCy's vocabulary may hold before the pipeline is made afresh


def spacy_nlp():
    """``nlp()``, made afresh once its vocabulary holds more than MAX_STRINGS strings. spaCy
    keeps every string it has tokenized, so on the endless vocabulary of a long run (numbers,
    names) its memory would grow without bound; the tokens do not depend on what it holds.
    Making it afresh takes about 0.4 s."""
    current = nlp()
    if len(current.vocab.strings) > MAX_STRINGS:
        nlp.cache_clear()
        current = nlp()
    return current


WORDS = re.compile(r"\S+")  # runs of other characters than whitespace (\s is str.isspace, as in spaCy)
SEGMENTS = re.compile(r"\S+(?: \S+)*")  # runs with one space between each two: a line, mostly
CACHED_RUNS = 100_000  # runs whose tokens are remembered
_run_tokens: dict[str, tuple[tuple[int, int, bool], ...]] = {}
_run_texts: dict[str, tuple[str, ...]] = {}  # the token texts of the runs learnt, for segments


class _Spaced(dict):
    """Token count -> whitespace after each of that many tokens of a run before one space."""

    def __missing__(self, n: int) -> tuple[bool, ...]:
        self[n] = (False,) * (n - 1) + (True,)
        return self[n]


_SPACED = _Spaced()
_LAST, _FIRST = itemgetter(-1), itemgetter(0)


@dataclass
class Table:
    """A document's tokens as plain lists: character start and end, text, and whether
    whitespace follows."""

    starts: list[int]
    ends: list[int]
    texts: list[str]
    spaces: list[bool]

    @cached_property
    def encoded(self) -> Encoded:
        """The tokens encoded for the compiled patterns, shared by the recognizers."""
        return Encoded(self.texts, self.spaces)


def run_tokens(run: str) -> tuple[tuple[int, int, bool], ...]:
    """spaCy's tokens of one run, or of runs joined by spaces (start, end, followed by
    whitespace); () when it is one token with no whitespace after it, the common case."""
    found = _run_tokens.get(run)
    if found is None:
        found = tuple((t.idx, t.idx + len(t), bool(t.whitespace_)) for t in spacy_nlp().tokenizer(run))
        if found == ((0, len(run), False),):
            found = ()
        _remember(run, found)
    return found


def _remember(run: str, pieces: tuple[tuple[int, int, bool], ...]) -> None:
    """Remember a run's tokens (() for one token) and their texts; the memory is cleared when
    full, which keeps it bounded on endless vocabularies."""
    if len(_run_tokens) >= CACHED_RUNS:
        _run_tokens.clear()
        _run_texts.clear()
    _run_tokens[run] = pieces
    _run_texts[run] = tuple(run[a:b] for a, b, _ in pieces) or (run,)


@lru_cache(maxsize=1)
def phrase_joins() -> frozenset[tuple[str, str]]:
    """The last character of a token and the first of the next, for each two tokens that
    follow each other in a special case as spaCy looks for it as a phrase (its tokens by the
    affix rules alone): where two runs meet across a space, spaCy may find a phrase only if
    their characters there are one of these pairs."""
    from spacy.tokenizer import Tokenizer

    tokenizer = nlp().tokenizer
    plain = Tokenizer(tokenizer.vocab, prefix_search=tokenizer.prefix_search,
                      suffix_search=tokenizer.suffix_search, infix_finditer=tokenizer.infix_finditer,
                      token_match=tokenizer.token_match, url_match=tokenizer.url_match)
    pairs = set()
    for special in tokenizer.rules:
        words = [t.text for t in plain(special)]
        pairs.update((a[-1], b[0]) for a, b in zip(words, words[1:]))
    return frozenset(pairs)


def learn(runs: list[str]) -> None:
    """Remember the tokens of runs of non-space characters, tokenized by spaCy in one call."""
    if len(_run_tokens) + len(runs) > CACHED_RUNS:  # make room for all of them at once
        _run_tokens.clear()
        _run_texts.clear()
    tokens = iter(spacy_nlp().tokenizer("\n".join(runs)))  # a newline token: no phrase across runs
    offset = 0
    for run in runs:
        end, pieces = offset + len(run), []
        for token in tokens:
            pieces.append((token.idx - offset, token.idx + len(token) - offset, False))
            if token.idx + len(token) == end:
                break
        _remember(run, () if len(pieces) == 1 else tuple(pieces))
        next(tokens, None)  # the newline
        offset += len(run) + 1


def tokenize(text: str) -> Table:
    """The tokens of a text, as spaCy's tokenizer (``nlp()``) makes them."""
    novel = set(text.split()).difference(_run_tokens)  # split() cuts at str.isspace, as \s does
    if len(novel) > CACHED_RUNS:  # more new runs than are remembered: spaCy takes the text whole
        return spacy_table(text)
    if novel:
        learn(sorted(novel))
    t = Table([], [], [], [])
    joins = phrase_joins()
    end = 0  # where the last segment ends
    for match in SEGMENTS.finditer(text):
        start = match.start()
        if start > end:
            _add_whitespace(t, text, end, start)
        end = match.end()
        runs = match.group().split(" ")
        phrase_may_cross = not joins.isdisjoint(zip(map(_LAST, runs), map(_FIRST, runs[1:])))
        if phrase_may_cross or not _add_segment(t, runs, start):
            _add_runs(t, text, start, end)
    if len(text) > end:
        _add_whitespace(t, text, end, len(text))
    return t


def _add_whitespace(t: Table, text: str, start: int, end: int) -> None:
    """The tokens of the whitespace text[start:end] after a segment (or at the text's start)."""
    if start and text[start] == " ":  # one space after a run only marks its last token
        t.spaces[-1] = True
        start += 1
    if end > start:  # the rest of the whitespace is a run of its own
        _add(t, text[start:end], start, run_tokens(text[start:end]))


def _add_segment(t: Table, runs: list[str], start: int) -> bool:
    """Add the tokens of a segment's runs from the remembered token texts, in bulk; False,
    adding nothing, if a run is not remembered."""
    try:
        pieces = list(map(_run_texts.__getitem__, runs))
    except KeyError:  # forgotten since it was learnt
        return False
    texts = list(chain.from_iterable(pieces))
    spaces = list(chain.from_iterable(map(_SPACED.__getitem__, map(len, pieces))))
    spaces[-1] = False
    starts = list(accumulate(map(add, map(len, texts), spaces), initial=start))
    starts.pop()
    t.starts += starts
    t.ends += map(add, starts, map(len, texts))
    t.texts += texts
    t.spaces += spaces
    return True


def _add_runs(t: Table, text: str, start: int, end: int) -> None:
    """Add the tokens of a segment run by run; two runs are tokenized together where spaCy may
    find a special-case phrase across the space between them."""
    starts, ends, texts, spaces = t.starts, t.ends, t.texts, t.spaces
    joins = phrase_joins()
    first, unit_start = len(starts), start  # the first token and character of the last unit
    for match in WORDS.finditer(text, start, end):
        a, run = match.start(), match.group()
        if a > start:  # one space before this run
            spaces[-1] = True
            if (text[a - 2], run[0]) in joins:
                del starts[first:], ends[first:], texts[first:], spaces[first:]
                _add(t, text[unit_start:match.end()], unit_start, run_tokens(text[unit_start:match.end()]))
                continue
        first, unit_start = len(starts), a
        _add(t, run, a, run_tokens(run))


def _add(t: Table, run: str, start: int, pieces: tuple[tuple[int, int, bool], ...]) -> None:
    if not pieces:
        pieces = ((0, len(run), False),)
    for a, b, space in pieces:
        t.starts.append(start + a)
        t.ends.append(start + b)
        t.texts.append(run[a:b])
        t.spaces.append(space)


def spacy_table(text: str) -> Table:
    """The tokens of a text by spaCy's tokenizer on the whole text."""
    from spacy.attrs import IDX, LENGTH, SPACY

    doc = spacy_nlp().make_doc(text)
    if not len(doc):
        return Table([], [], [], [])
    starts, lengths, spaces = doc.to_array([IDX, LENGTH, SPACY]).T.tolist()
    ends = [a + n for a, n in zip(starts, lengths)]
    return Table(starts, ends, [text[a:b] for a, b in zip(starts, ends)], [bool(x) for x in spaces])


def table(doc: Document) -> Table:
    """The token table of a document, made once per document."""
    if "token_table" not in doc.cache:
        doc.cache["token_table"] = tokenize(doc.text)
    return doc.cache["token_table"]


def _expand(value: Any, lists: dict[str, list[str]]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return lists[value[1:]]
    if isinstance(value, dict):
        return {k: _expand(v, lists) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, lists) for v in value]
    return value


def matcher(name: str, lists: dict[str, list[str]]) -> TokenPatterns:
    """The patterns of models/patterns/<name>.jsonl, compiled (pipeline/patterns.py).

    Each line: {"label": ..., "id": ..., "pattern": [token specs]}; a match is named by its id.
    """
    rows = resources.read_jsonl(resources.model_path("patterns", f"{name}.jsonl"))
    return TokenPatterns([(row["id"], _expand(row["pattern"], lists)) for row in rows])


def keep_range(t: Table, start: int, end: int) -> bool:
    """A range joined by "and" is one mention only after "between" ("between $5bn and $7bn",
    "between 4% and 6%"); "from $61.5 billion to $183 billion" is a change between two values."""
    before = t.texts[start - 1].lower() if start > 0 else ""
    words = [w.lower() for w in t.texts[start:end]]
    if "and" in words:
        return before == "between"
    if "to" in words:
        return before != "from"
    return True


def sentence_tokens(doc: Document) -> list[tuple[int, int]]:
    """The tokens of each sentence (first, end): from the first token it overlaps."""
    if "sentence_tokens" not in doc.cache:
        t = table(doc)
        doc.cache["sentence_tokens"] = [(bisect_right(t.ends, a), bisect_left(t.starts, b))
                                        for a, b in sorted(doc.sentences)]
    return doc.cache["sentence_tokens"]


def find(doc: Document, m: TokenPatterns, taken: list[Span] = (), keep=None) -> list[tuple[str, int, int]]:
    """Longest non-overlapping matches (pattern id, first token, end token) that lie inside one
    sentence, overlap none of the ``taken`` character spans and pass ``keep(table, first, end)``.

    ``keep`` is asked only about a match that overlaps no longer one chosen: a match it drops
    takes no tokens, so asking it first about every match would choose the same."""
    sentences = sorted(doc.sentences)
    starts = [s for s, _ in sentences]
    taken = sorted(taken)
    taken_starts = [a for a, _ in taken]
    reach, furthest = [], -1  # reach[k]: the furthest end among the first k+1 taken spans
    for _, e in taken:
        furthest = max(furthest, e)
        reach.append(furthest)
    found = []
    t = table(doc)
    for key, start, end in m.search(t.encoded, sentence_tokens(doc)):
        a, b = t.starts[start], t.ends[end - 1]
        i = bisect_right(starts, a) - 1
        if i < 0 or b > sentences[i][1]:
            continue  # not inside one sentence (or inside page junk)
        j = bisect_left(taken_starts, b)  # taken spans starting before b overlap if one ends after a
        if j and reach[j - 1] > a:
            continue
        found.append((key, start, end))
    found.sort(key=lambda f: (-(f[2] - f[1]), f[1]))
    chosen: list[tuple[str, int, int]] = []
    used: set[int] = set()
    for key, start, end in found:
        if used.isdisjoint(range(start, end)) and (keep is None or keep(t, start, end)):
            chosen.append((key, start, end))
            used.update(range(start, end))
    return sorted(chosen, key=lambda f: f[1])
