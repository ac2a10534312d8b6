"""Hedges that make a MONEY or PERCENT mention approximate ("about $28 billion", "up to 5%",
"$65 billion, plus or minus 2%"). They lie outside the mention; the list is models/patterns/hedges.txt.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline import resources
from pipeline.sentences import sentence_index
from pipeline.types import Document, Span


@lru_cache(maxsize=1)
def hedges() -> tuple[re.Pattern, re.Pattern, int | None]:
    """(before, after, reach): hedges ending right before a mention, hedges starting right after
    it, and the most characters a hedge of the before list can take (None: no limit known)."""
    sections: dict[str, list[str]] = {"before": [], "after": []}
    current = "before"
    for line in resources.read_lines(resources.model_path("patterns", "hedges.txt")):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        else:
            sections[current].append(line)
    words = "(?:" + "|".join(sections["before"]) + ")"
    before = re.compile(r"(?:^|\W)" + words + r"\s*$", re.I)
    after = re.compile(r"^(?:" + "|".join(sections["after"]) + r")", re.I)
    return before, after, _longest_match(words, re.I)


def _longest_match(pattern: str, flags: int) -> int | None:
    """The most characters a match of ``pattern`` can take, or None if there is no limit or the
    pattern looks behind (reads text before its match)."""
    if "(?<" in pattern:  # (?<= or (?<!
        return None
    try:  # the parser behind re.compile, which measures how long matches can be (not a public API)
        try:
            from re import _parser
        except ImportError:  # Python 3.10
            import sre_parse as _parser
        most = _parser.parse(pattern, flags).getwidth()[1]
    except Exception:  # noqa: BLE001 - without it, the whole sentence is searched
        return None
    return None if most >= _parser.MAXREPEAT else most


def is_hedged(text: str, start: int, end: int, sentence: Span) -> bool:
    before, after, reach = hedges()
    return bool(before.search(text[_window_start(text, sentence[0], start, reach):start])
                or after.match(text[end:sentence[1]]))


def _window_start(text: str, first: int, start: int, reach: int | None) -> int:
    """Where a hedge ending right before ``start``, in a sentence beginning at ``first``, can begin
    at the earliest, with the non-word character before it. Only whitespace may follow the hedge,
    so it ends no earlier than where the whitespace before ``start`` begins, and begins at most
    ``reach`` characters before that. A window opening after ``first`` finds no more than the
    whole sentence would: a hedge at the window's start (where ``^`` matches) would be too long."""
    if reach is None:
        return first
    i = start
    while i > first and text[i - 1].isspace():
        i -= 1
    return max(first, i - reach - 1)


def sentence_of(doc: Document, start: int) -> Span:
    """The sentence containing text position ``start``, else (start, start)."""
    i = sentence_index(doc.sentences, start)
    return doc.sentences[i] if i >= 0 else (start, start)
