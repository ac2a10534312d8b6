"""PERCENT stage: percentages and percentage points, recognized on tokens and resolved.

Recognize: spaCy Matcher patterns in models/patterns/percent.jsonl, run compiled (patterns.py).
Resolve: ``resolve`` is a pure function of the span's tokens giving ``percent`` (the number as
written, no sign), ``points`` (percentage points) and low/high for ranges, the midpoint being
``percent`` (ANNOTATION.md, PERCENT). Hedges outside the span set ``approximate``. "a quarter",
"half", "tripled" are not percentages: no pattern takes a fraction word without a percent word.
"""

from __future__ import annotations

import re
from functools import cached_property

from pipeline import tokens
from pipeline.hedges import is_hedged, sentence_of
from pipeline.money import tables
from pipeline.types import Document, Mention

UNITS = ["%", "percent", "pc", "pct", "per-cent"]
POINTS = ["point", "points", "pts", "pt", "percentage-point", "percentage-points"]
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
PERCENT_WORDS = frozenset([*UNITS, *POINTS, "cent", "pp"])  # a span says percent with one of these
POINT_WORDS = frozenset([*POINTS, "pp"])
LISTS = {
    "units": UNITS,
    "points": POINTS,
    "number": r"^\d+(?:[.,]\d+)*$",
    "number_percent": r"^\d+(?:[.,]\d+)*%$",
}


def resolve(words: list[str]) -> dict:
    """Percent, points and range of a recognized PERCENT span, from its token texts."""
    spelled = tables().spelled
    lowered = [w.lower() for w in words]
    if PERCENT_WORDS.isdisjoint(lowered) and not any(w.endswith("%") for w in lowered):
        raise ValueError(f"not a percentage: {' '.join(words)!r}")
    numbers = [float(m.group().replace(",", "")) for w in words for m in NUMBER.finditer(w)]
    if not numbers:
        two = " ".join(lowered[:2])
        numbers = [spelled.get(two, spelled.get(lowered[0]))] if lowered[0] in spelled else []
    if not numbers or numbers[0] is None:
        raise ValueError(f"not a percentage: {' '.join(words)!r}")
    points = not POINT_WORDS.isdisjoint(lowered)
    if len(numbers) > 1:
        low, high = numbers[0], numbers[-1]
        return {"percent": (low + high) / 2, "points": points, "low": low, "high": high}
    return {"percent": numbers[0], "points": points}


class Percent:
    """Finds PERCENT mentions in sentences and resolves their values."""

    name = "percent"
    requires = ("sentences",)
    assigns = ("mentions",)

    @cached_property
    def matcher(self):
        return tokens.matcher("percent", {**LISTS, "spelled": sorted({w.split()[0] for w in tables().spelled})})

    def __getstate__(self) -> dict:
        return {}  # the matcher is rebuilt lazily in each worker

    def __call__(self, doc: Document) -> Document:
        t = tokens.table(doc)
        taken = [(m.start, m.end) for m in doc.mentions]
        for _, first, last in tokens.find(doc, self.matcher, taken, keep=tokens.keep_range):
            start, end = t.starts[first], t.ends[last - 1]
            try:
                fields = resolve(t.texts[first:last])
            except ValueError:
                continue  # a pattern matched words that carry no percentage ("quarter %")
            fields["approximate"] = is_hedged(doc.text, start, end, sentence_of(doc, start))
            doc.mentions.append(Mention("PERCENT", start, end, fields))
        return doc
