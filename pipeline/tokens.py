"""Tokens and token patterns shared by the MONEY, PERCENT and DATE recognizers.

The tokens are spaCy's rule-based English tokenizer (no statistical model) with a few extra
splits kept in models/patterns/tokenizer.json, so that a number stands apart from its magnitude
("1.2bn" -> "1.2" "bn"), a dollar prefix from its number ("HK$80") and a year from its modifier
("mid-2026"). A document is tokenized once and read into a ``Table`` of plain lists (offsets,
texts, whitespace), which the stages share through ``doc.cache``.

Patterns are spaCy Matcher patterns kept as JSON Lines in models/patterns/<name>.jsonl, run
compiled to regular expressions (pipeline/patterns.py). A string "@list" inside an ``IN`` value
stands for a word list the recognizer supplies from its tables, so that currencies, magnitudes
and month names live in one place.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import add
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


def tokens(doc: Document):
    """The spaCy Doc of a document's text, made once per document."""
    if "tokens" not in doc.cache:
        doc.cache["tokens"] = nlp().make_doc(doc.text)
    return doc.cache["tokens"]


@dataclass
class Table:
    """A document's tokens as plain lists: character start and end, text, and whether
    whitespace follows; read from the spaCy Doc in one call, not token by token."""

    starts: list[int]
    ends: list[int]
    texts: list[str]
    spaces: list[bool]

    @cached_property
    def encoded(self) -> Encoded:
        """The tokens encoded for the compiled patterns, shared by the recognizers."""
        return Encoded(self.texts, self.spaces)


def table(doc: Document) -> Table:
    """The token table of a document, made once per document."""
    if "token_table" not in doc.cache:
        from spacy.attrs import IDX, LENGTH, SPACY

        toks, text = tokens(doc), doc.text
        if len(toks):
            starts, lengths, spaces = toks.to_array([IDX, LENGTH, SPACY]).T.tolist()
        else:
            starts, lengths, spaces = [], [], []
        ends = list(map(add, starts, lengths))
        texts = list(map(text.__getitem__, map(slice, starts, ends)))
        doc.cache["token_table"] = Table(starts, ends, texts, list(map(bool, spaces)))
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


def find(doc: Document, m: TokenPatterns, taken: list[Span] = (), keep=None) -> list[tuple[str, int, int]]:
    """Longest non-overlapping matches (pattern id, first token, end token) that lie inside one
    sentence, overlap none of the ``taken`` character spans and pass ``keep(table, first, end)``."""
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
    matches = (match for a, b in sentences  # each sentence, from the first token it overlaps
               for match in m.search(t.encoded, bisect_right(t.ends, a), bisect_left(t.starts, b)))
    for key, start, end in matches:
        a, b = t.starts[start], t.ends[end - 1]
        i = bisect_right(starts, a) - 1
        if i < 0 or b > sentences[i][1]:
            continue  # not inside one sentence (or inside page junk)
        j = bisect_left(taken_starts, b)  # taken spans starting before b overlap if one ends after a
        if j and reach[j - 1] > a:
            continue
        if keep is not None and not keep(t, start, end):
            continue
        found.append((key, start, end))
    found.sort(key=lambda f: (-(f[2] - f[1]), f[1]))
    chosen: list[tuple[str, int, int]] = []
    used: set[int] = set()
    for key, start, end in found:
        if used.isdisjoint(range(start, end)):
            chosen.append((key, start, end))
            used.update(range(start, end))
    return sorted(chosen, key=lambda f: f[1])
