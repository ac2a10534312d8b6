"""spaCy Matcher token patterns, compiled to regular expressions over an encoding of the tokens.

The MONEY, PERCENT and DATE patterns (models/patterns/*.jsonl) are written as spaCy Matcher
patterns, and that file format stays the source of truth. Running them through spaCy's Matcher
was half the pipeline's time: it evaluates every active pattern's predicates at every token.
Here each pattern becomes one Python regular expression over a string that spells the tokens
out, one unit per token:

    START + token text + (SPACE if whitespace follows the token else JOINED)

so a token spec is the regular expression of one unit and a pattern is their concatenation
with its operators (``?``, ``*``, ``+``). A unit is an atomic group, and a word list a tree of
the words' common beginnings: the regex engine's time on the patterns fell by a third.
Matching starts only at tokens that can begin some pattern (a table keyed by the token's text,
filled as texts are met, says which patterns), and each pattern is tried there when the next
token can continue it (its follow set: many patterns begin with an optional "the", which is
common and mostly followed by no date word): its greedy match, and every shorter end where it
matches exactly. That is what ``Matcher`` returns (all matches), which ``tokens.find`` reduces
to the longest; tests/test_patterns.py checks the two agree on the test cases and the corpus.

Supported, as in the pattern files: ``TEXT`` and ``LOWER`` with a string, ``{"IN": [...]}`` or
``{"REGEX": "..."}`` (anchored with ^...$, optionally led by ``(?i)``), ``SPACY`` and ``OP`` in
``? * +``. Anything else is refused when the patterns load.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, chain, repeat

START, JOINED, SPACE = "\x02", "\x03", "\x04"
_CONTROL = str.maketrans({START: "\x00", JOINED: "\x00", SPACE: "\x00"})
_CONTROL_CHARS = re.compile(f"[{START}{JOINED}{SPACE}]")
CACHED_TEXTS = 50_000  # token texts whose candidate patterns are remembered
_OPS = {"?": "?", "*": "*", "+": "+", None: ""}


@dataclass(frozen=True)
class Unit:
    """One token spec: the regular expression of the token text, and its literal words when
    it is a word list (lowercased), which index the patterns by the tokens that begin them."""

    body: str
    words: frozenset[str] | None
    spacy: bool | None
    op: str

    def regex(self) -> str:
        """The unit as an atomic group: it matches one token in one way only (a token text
        has no control characters, and no token regex of ours matches one), so once it has
        matched, the engine need not try it again another way when a later unit fails."""
        end = {None: f"[{JOINED}{SPACE}]", True: SPACE, False: JOINED}[self.spacy]
        return f"(?>{START}(?:{self.body}){end}){_OPS[self.op]}"


def word_tree(words: list[str]) -> dict:
    """The words as a tree of characters (dicts), "" marking where a word ends."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return tree


def alternatives(words: list[str]) -> str:
    """A regular expression matching exactly these words, shaped as a tree of their common
    beginnings ("b(?:illion|n)?" for "b", "billion", "bn"): the regex engine tries the
    alternatives of a plain list one by one, a tree follows one branch per character."""

    def branch(node: dict) -> str:
        options = [re.escape(char) + branch(node[char]) for char in sorted(node) if char]
        if not options:
            return ""
        body = options[0] if len(options) == 1 else f"(?:{'|'.join(options)})"
        if "" not in node:
            return body
        return f"{body}?" if len(options) > 1 or len(body) == 1 else f"(?:{body})?"

    return branch(word_tree(words)) if words else "(?!)"


def _literal(words: list[str], lower: bool) -> tuple[str, frozenset[str]]:
    if lower:  # token.lower_ == word: a word with capitals never matches
        words = [w for w in words if w == w.lower()]
    body = alternatives(sorted(set(words)))
    return (f"(?i:{body})" if lower else body), frozenset(w.lower() for w in words)


def _token_regex(regex: str) -> str:
    """A spaCy REGEX value (searched in the token text) as the regex of the whole token text."""
    flags = ""
    if regex.startswith("(?i)"):
        flags, regex = "i", regex[4:]
    if not (regex.startswith("^") and regex.endswith("$")) or re.search(r"(?<![\\[])[\^$]", regex[1:-1]):
        raise ValueError(f"token REGEX must be anchored as ^...$: {regex!r}")
    body = regex[1:-1]
    return f"(?{flags}:{body})" if flags else body


def unit(spec: dict) -> Unit:
    keys = [k for k in spec if k not in ("OP", "SPACY")]
    if len(keys) != 1 or keys[0] not in ("TEXT", "LOWER") or spec.get("OP") not in _OPS:
        raise ValueError(f"unsupported token spec: {spec}")
    key, value = keys[0], spec[keys[0]]
    lower = key == "LOWER"
    if isinstance(value, str):
        body, words = _literal([value], lower)
    elif isinstance(value, dict) and list(value) == ["IN"]:
        body, words = _literal(value["IN"], lower)
    elif isinstance(value, dict) and list(value) == ["REGEX"] and not lower:
        body, words = _token_regex(value["REGEX"]), None
    else:
        raise ValueError(f"unsupported token spec: {spec}")
    return Unit(body, words, spec.get("SPACY"), spec.get("OP"))


@dataclass(frozen=True)
class Follow:
    """What the token after a pattern's first token can be: one of these words (lowercased) or
    a match of this token regex. A quick test that rules out most tries of the full pattern; it
    may let through tokens the pattern rejects (case, SPACY), never the reverse, as each unit
    matches exactly one token."""

    words: frozenset[str]
    regex: str  # alternatives, "" for none

    def accepts(self, text: str) -> bool:
        return text.lower() in self.words or bool(self.regex and re.fullmatch(self.regex, text))


def _follow(units: list[Unit], position: int) -> Follow | None:
    """The units the token after unit ``position`` can match: the unit again if it repeats, the
    next ones up to the first that must match. None when a match may end with the unit."""
    after = [units[position]] if units[position].op in ("*", "+") else []
    for u in units[position + 1:]:
        after.append(u)
        if u.op not in ("?", "*"):
            words = frozenset().union(*(u.words for u in after if u.words is not None))
            regex = "|".join(sorted({f"(?:{u.body})" for u in after if u.words is None}))
            return Follow(words, regex)
    return None


class Encoded:
    """The encoding of a run of tokens: the string, and where each token's unit begins (one
    more entry: the string's end). Made once per document and searched sentence by sentence."""

    def __init__(self, texts: list[str], spaces: list[bool]):
        if _CONTROL_CHARS.search("".join(texts)):
            texts = [text.translate(_CONTROL) for text in texts]
        self.texts = texts
        ends = map((JOINED, SPACE).__getitem__, spaces)
        self.string = "".join(chain.from_iterable(zip(repeat(START), texts, ends)))
        self.starts = [0, *accumulate(map((2).__add__, map(len, texts)))]

    def token_at(self, position: int) -> int:
        """The token whose unit begins at ``position`` (or, at the string's end, their count)."""
        return bisect_left(self.starts, position)


class TokenPatterns:
    """Patterns compiled for matching; ``__call__(texts, spaces)`` gives (id, start, end)."""

    def __init__(self, rows: list[tuple[str, list[dict]]]):
        self.rows = rows  # (id, token specs): what was compiled
        self.ids: list[str] = []
        self.regexes: list[re.Pattern] = []
        self.variable: list[bool] = []
        self.by_word: dict[str, list[tuple[int, int]]] = {}  # word -> (pattern, unit) it can begin
        by_regex: dict[str, list[tuple[int, int]]] = {}
        self.follow_sets: list[Follow] = []  # what the token after a beginning must be
        self.follow: dict[tuple[int, int], int] = {}  # (pattern, unit) -> its follow set, -1 for none
        for pattern_id, specs in rows:
            units = [unit(spec) for spec in specs]
            index = len(self.ids)
            self.ids.append(pattern_id)
            self.regexes.append(re.compile("".join(u.regex() for u in units)))
            self.variable.append(any(u.op for u in units))
            for position, u in enumerate(units):  # the units a match can begin with
                if u.words is not None:
                    for word in u.words:
                        self.by_word.setdefault(word, []).append((index, position))
                else:
                    by_regex.setdefault(u.body, []).append((index, position))
                follow = _follow(units, position)
                if follow is not None and follow not in self.follow_sets:
                    self.follow_sets.append(follow)
                self.follow[index, position] = -1 if follow is None else self.follow_sets.index(follow)
                if u.op not in ("?", "*"):
                    break
        self.by_regex = [(re.compile(body), begins) for body, begins in by_regex.items()]
        self._candidates: dict[str, tuple[tuple[int, int], ...]] = {}
        self._accepted: dict[str | None, frozenset[int]] = {}
        self._tries: dict[tuple[str, str | None], tuple[int, ...]] = {}  # by the token and the next one

    def candidates(self, text: str) -> tuple[tuple[int, int], ...]:
        """The patterns a token with this text can begin, in pattern order, each with the follow
        set the next token must be in (-1: none, a match may end at this token)."""
        found = self._candidates.get(text)
        if found is None:
            begins = set(self.by_word.get(text.lower(), ()))
            for regex, more in self.by_regex:
                if regex.fullmatch(text):
                    begins.update(more)
            follows: dict[int, set[int]] = {}
            for index, position in begins:
                follows.setdefault(index, set()).add(self.follow[index, position])
            found = tuple((index, min(numbers) if len(numbers) == 1 else -1)  # begun by two units: no check
                          for index, numbers in sorted(follows.items()))
            if len(self._candidates) >= CACHED_TEXTS:  # keep the memory bounded on endless vocabularies
                self._candidates.clear()
            self._candidates[text] = found
        return found

    def accepted(self, text: str | None) -> frozenset[int]:
        """The follow sets a token with this text is in (none after the last token)."""
        found = self._accepted.get(text)
        if found is None:
            found = frozenset(number for number, follow in enumerate(self.follow_sets)
                              if text is not None and follow.accepts(text))
            if len(self._accepted) >= CACHED_TEXTS:
                self._accepted.clear()
            self._accepted[text] = found
        return found

    def tries(self, text: str, following: str | None) -> tuple[int, ...]:
        """The patterns to try at a token: those it can begin whose next unit the following
        token can match (or that may end at it), in pattern order; remembered for each pair of
        texts, which ``search`` looks up without calling this."""
        found = self._tries.get((text, following))
        if found is None:
            accepted = self.accepted(following)
            found = tuple(index for index, follow in self.candidates(text)
                          if follow < 0 or follow in accepted)
            if len(self._tries) >= CACHED_TEXTS:
                self._tries.clear()
            self._tries[text, following] = found
        return found

    def __call__(self, texts: list[str], spaces: list[bool]) -> list[tuple[str, int, int]]:
        return self.search(Encoded(texts, spaces), [(0, len(texts))])

    def search(self, encoded: Encoded, ranges: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
        """Every match (id, first token, end token) within each range of tokens (first, end),
        such as the sentences of a text: a match never goes past the end of its range."""
        string, starts, texts = encoded.string, encoded.starts, encoded.texts
        matches = []
        candidates, tries = self._candidates, self._tries
        for first_token, end_token in ranges:
            endpos = starts[end_token]
            for first in range(first_token, end_token):
                text = texts[first]
                begun = candidates.get(text)
                if begun is None:
                    begun = self.candidates(text)
                if not begun:
                    continue
                following = texts[first + 1] if first + 1 < end_token else None
                position = starts[first]
                tried = tries.get((text, following))  # as ``self.tries``, without a call for most tokens
                if tried is None:
                    tried = self.tries(text, following)
                for index in tried:
                    regex = self.regexes[index]
                    found = regex.match(string, position, endpos)
                    if found is None:
                        continue
                    last = encoded.token_at(found.end())
                    matches.append((self.ids[index], first, last))
                    if self.variable[index]:  # the shorter matches, as spaCy's Matcher gives them all
                        for end in range(first + 1, last):
                            if regex.fullmatch(string, position, starts[end]):
                                matches.append((self.ids[index], first, end))
        return matches
