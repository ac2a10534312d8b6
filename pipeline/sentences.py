"""Sentences stage: rule-based sentence boundaries for news text, as offsets into the text.

A line break always ends a sentence (scraped pages put headings, bullets and paragraphs on
lines of their own), so each line is split on its own. Within a line a boundary is a run of
terminal punctuation (. ! ? or an ellipsis) with its closing quotes and brackets, followed by
a space and a capitalized word; what precedes the period decides whether it really ends the
sentence:

- a known abbreviation (models/sentences/abbreviations.txt): titles never end a sentence
  ("Mr. Smith"); company forms, months and the like only before a typical sentence starter
  (models/sentences/starters.txt): "Co. It closed" ends, "Apple Inc. Chief Executive" and
  "Dec. 23" do not;
- multi-period abbreviations ("U.S.", "a.m.") and single capitals ("Jonas E. Smith",
  "Series B.") behave like company forms; "I." after a lower-case word ends a sentence;
- a three-dot ellipsis does not end a sentence, four dots do (". . . ." after a word is a
  period and then an ellipsis opening the next sentence);
- inline numbered or lettered lists ("1) ... 2) ...", "a. ... b. ...") and inline bullets
  start a new sentence at each item.

Judged on pySBD's English golden rules and our own news cases by benchmarks/sentences.py.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from pipeline import resources
from pipeline.layout import lines
from pipeline.types import Document, Span

# Terminal punctuation with its closers, then the space and the start of the next word.
BOUNDARY = re.compile(r"""(?P<punct>[.!?…](?:[ ]?[.!?…])*)(?P<close>["'”’»)\]]*)(?P<space>\s+)"""
                      r"""(?=(?P<open>["'“‘«]?)(?P<next>\S+))""")
WORD_BEFORE = re.compile(r"(\S*)$")
MULTI_PERIOD = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, a.m, U.S.A (final period taken off)
# INLINE_BULLET and MARKER_END open with the character they look for, and only then look behind
# it: the regex engine skips ahead to candidates quickly.
INLINE_BULLET = re.compile(r"[•⁃▪◦●■](?<=\s.)")  # a bullet after a space
LIST_MARKER = re.compile(r"(?=[•⁃▪◦●■\da-z])(?<!\S)(?:[•⁃▪◦●■]\s?)?(?P<item>\d{1,2}|[a-z])(?:\.\)|\)|\.)(?=\s)")
# Where a list marker may be: a "." or ")" right after an item (a digit or small letter, or two
# digits) that opens the line or follows a space or a bullet. Lines without one (most) need no
# LIST_MARKER search, which tries every small letter.
MARKER_END = re.compile(r"[.)](?:(?<=[\da-z][.)])(?<![^\s•⁃▪◦●■][\da-z][.)])|(?<=\d\d[.)])(?<![^\s•⁃▪◦●■]\d\d[.)]))")
CAMEL = re.compile(r"[a-z]+[A-Z]")  # "iPhone", "eBay" may start a sentence


def sentence_index(sentences: list[Span], pos: int) -> int:
    """Index of the sentence containing text position ``pos``, or -1 (sentences are in order)."""
    i = bisect_right(sentences, pos, key=lambda sentence: sentence[0]) - 1
    return i if i >= 0 and sentences[i][0] <= pos < sentences[i][1] else -1


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    table = {}
    for line in resources.read_lines(resources.model_path("sentences", "abbreviations.txt")):
        kind, word = line.split()
        table[word] = kind
    return table


@lru_cache(maxsize=1)
def _starters() -> frozenset[str]:
    return frozenset(resources.read_lines(resources.model_path("sentences", "starters.txt")))


def _abbreviation_kind(word: str) -> str | None:
    """'title', 'inner', 'end' or None for the word before a single period."""
    word = word.lstrip("\"'“‘(«[")
    table = _abbreviations()
    if word in table:
        return table[word]
    if word.lower() in table and not word.isupper():
        return table[word.lower()]
    if MULTI_PERIOD.fullmatch(word) or (len(word) == 1 and word.isalpha()):
        return "inner"
    return None


def _ends_sentence(line: str, m: re.Match) -> bool:
    punct, nxt = m.group("punct"), m.group("next")
    starts_upper = nxt[0].isupper() or bool(CAMEL.match(nxt))
    if not starts_upper:
        return False
    dots = punct.count(".") + 3 * punct.count("…")
    if dots == 3 and not set(punct) & {"!", "?"}:
        return False  # an ellipsis inside a sentence: "the thing is . . . I didn't mean it"
    if punct != ".":
        return True
    before = WORD_BEFORE.search(line, 0, m.start()).group(1)
    if m.group("close"):
        return True  # '"This is great." She held'
    kind = _abbreviation_kind(before)
    if kind is None:
        return True
    if kind == "title":
        return False
    if kind == "end":
        return True
    word = nxt.rstrip(".,;:!?\"'”’)")
    if word in _starters():
        return True
    if before.lstrip("\"'“‘(«[") == "I":  # "you and I. Did you see Albert I. Jones"
        prev = line[:m.start() - len(before)].split()
        return bool(prev) and prev[-1][0].islower()
    return False


def _list_markers(line: str) -> list[tuple[int, int]]:
    """Spans of list-item markers: one opening the line ("1. The first item"), or runs of
    consecutive ones inside it ("1) ... 2) ...", "a. ... b. ... c. ...")."""
    if MARKER_END.search(line) is None:
        return []
    found = list(LIST_MARKER.finditer(line))
    items = {m.span() for m in found if not line[:m.start()].strip()}
    for a, b in zip(found, found[1:]):
        x, y = a.group("item"), b.group("item")
        if (x.isdigit() and y.isdigit() and int(y) == int(x) + 1) or \
                (x.isalpha() and y.isalpha() and ord(y) == ord(x) + 1):
            items |= {a.span(), b.span()}
    return sorted(items)


def _split_line(line: str) -> list[int]:
    """Offsets within the line where a new sentence begins (after the first)."""
    markers = _list_markers(line)
    cuts = {m.start() for m in INLINE_BULLET.finditer(line)} | {a for a, _ in markers}
    for m in BOUNDARY.finditer(line):
        if any(a <= m.start() < b for a, b in markers):
            continue  # the period of a list marker: "1. The first item", "2.) The second"
        if not _ends_sentence(line, m):
            continue
        if m.group("punct") == ". . . ." and m.start() > 0 and not line[m.start() - 1].isspace():
            cuts.add(m.start() + 2)  # "compounds. . . . The": the ellipsis opens the next sentence
        else:
            cuts.add(m.end("space"))
    return sorted(c for c in cuts if c > 0)


def split(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans (start, end) of text[start:end], trimmed, in order."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    for line_start, line_end in lines(text[start:end]):
        line = text[start + line_start:start + line_end]
        bounds = [0, *_split_line(line), len(line)]
        for a, b in zip(bounds, bounds[1:]):
            piece = line[a:b]
            stripped = piece.strip()
            if stripped:
                left = a + len(piece) - len(piece.lstrip())
                s = start + line_start + left
                spans.append((s, s + len(stripped)))
    return spans


class Sentences:
    """Splits every line that is not page junk into sentences."""

    name = "sentences"
    requires = ("junk",)
    assigns = ("sentences",)

    def __call__(self, doc: Document) -> Document:
        sentences: list[Span] = []
        cursor = 0
        for junk_start, junk_end in sorted(doc.junk):
            sentences += split(doc.text, cursor, junk_start)
            cursor = max(cursor, junk_end)
        sentences += split(doc.text, cursor)
        doc.sentences = sentences
        return doc
