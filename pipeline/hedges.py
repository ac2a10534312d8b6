"""Hedges that make a MONEY or PERCENT mention approximate ("about $28 billion", "up to 5%",
"$65 billion, plus or minus 2%"). They lie outside the mention; the list is models/patterns/hedges.txt.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline import resources
from pipeline.types import Document, Span


@lru_cache(maxsize=1)
def hedges() -> tuple[re.Pattern, re.Pattern]:
    """(before, after): hedges ending right before a mention, and starting right after it."""
    sections: dict[str, list[str]] = {"before": [], "after": []}
    current = "before"
    for line in resources.read_lines(resources.model_path("patterns", "hedges.txt")):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        else:
            sections[current].append(line)
    before = re.compile(r"(?:^|\W)(?:" + "|".join(sections["before"]) + r")\s*$", re.I)
    after = re.compile(r"^(?:" + "|".join(sections["after"]) + r")", re.I)
    return before, after


def is_hedged(text: str, start: int, end: int, sentence: Span) -> bool:
    before, after = hedges()
    return bool(before.search(text[sentence[0]:start]) or after.match(text[end:sentence[1]]))


def sentence_of(doc: Document, start: int) -> Span:
    return next((s for s in doc.sentences if s[0] <= start < s[1]), (start, start))
