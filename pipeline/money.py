"""MONEY stage: amounts of money, recognized on tokens and resolved to amount + ISO currency.

Recognize: spaCy Matcher patterns in models/patterns/money.jsonl (run compiled: patterns.py),
whose word lists come from models/currencies.jsonl, magnitudes.jsonl and numbers.jsonl.
Resolve: ``resolve`` is a pure function of the span's tokens (and whether the text speaks of
yuan) giving amount, currency, and low/high for ranges (ANNOTATION.md, MONEY). Hedges ("about",
"up to", "plus or minus 2%") lie outside the span and set ``approximate``.

Why not quantulum3: it reads "€1.2bn" as euro·bit·newton, misses "RMB 200 billion", and gives
"1,265p" no currency (tests/test_money.py pins these).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pipeline import resources, tokens
from pipeline.hedges import is_hedged, sentence_of
from pipeline.patterns import alternatives
from pipeline.types import Document, Mention, Span

YUAN = re.compile(r"\b(?:yuan|renminbi|RMB|CNY)\b", re.I)
# The currency words that say what "¥" means: the nearest one before the sign decides, else the
# nearest after it; with none, "¥" is JPY (ANNOTATION.md).
YEN_OR_YUAN = re.compile(r"\b(?:(?P<yuan>yuan|renminbi|RMB|CNY)|(?P<yen>yen|JPY))\b", re.I)


@dataclass(frozen=True)
class Tables:
    """Currency, magnitude and spelled-number tables, keyed as they are looked up."""

    before: dict[str, tuple[str, float]]  # "$" -> ("USD", 1.0), exact case
    after: dict[str, tuple[str, float]]  # "dollars" -> ("USD", 1.0), "p" -> ("GBP", 0.01), lower case
    magnitudes: dict[str, float]  # "bn" -> 1e9, lower case
    spelled: dict[str, float]  # "half" -> 0.5


@lru_cache(maxsize=1)
def tables() -> Tables:
    before, after, magnitudes, spelled = {}, {}, {}, {}
    for row in resources.read_jsonl(resources.model_path("currencies.jsonl")):
        value = (row["code"], row.get("factor", 1.0))
        for word in row["before"]:
            before.setdefault(word, value)
        for word in row["after"]:
            after.setdefault(word.lower(), value)
    for row in resources.read_jsonl(resources.model_path("magnitudes.jsonl")):
        magnitudes.update({w: row["factor"] for w in row["words"]})
    for row in resources.read_jsonl(resources.model_path("numbers.jsonl")):
        spelled.update({w: row["value"] for w in row["words"]})
    return Tables(before, after, magnitudes, spelled)


def _magnitude_regex(t: Tables) -> str:
    return "|".join(sorted(map(re.escape, t.magnitudes), key=len, reverse=True))


@lru_cache(maxsize=1)
def _number_pattern() -> re.Pattern:
    """A number token with an attached sign and magnitude: "€3", "2bn", "1.2"."""
    return re.compile(rf"(?i)^(?P<sym>\D*?)(?P<num>\d+(?:[.,]\d+)*)(?P<mag>{_magnitude_regex(tables())})?$")


def pattern_lists(t: Tables) -> dict:
    """The "@name" lists and regular expressions the pattern file refers to."""
    mags = alternatives(sorted(t.magnitudes))  # a whole token: the order of the alternatives is free
    symbols = alternatives(sorted(s for s in t.before if not s.isalpha()))
    after_words = {w for phrase in t.after for w in phrase.split()}
    heads = {phrase.split()[-1] for phrase in t.after}
    return {
        "before": sorted(t.before),
        "codes": sorted(w for w in t.before if w.isupper() and w.isalpha()),
        "after": sorted(heads - {"p"}),
        "qualifiers": sorted(after_words - heads),
        "magnitudes": sorted(t.magnitudes),
        "magnitude_words": sorted(w for w in t.magnitudes if len(w) > 3),
        "spelled": sorted({w.split()[0] for w in t.spelled}),
        "number": rf"(?i)^\d+(?:[.,]\d+)*(?:{mags})?$",
        "symbol_number": rf"(?i)^(?:{symbols})\d+(?:[.,]\d+)*(?:{mags})?$",
    }


def parse_number(text: str) -> float:
    """'1,265' -> 1265.0, '1.2' -> 1.2, '4.200' stays 4.2 (a decimal point, as in English text)."""
    return float(text.replace(",", ""))


def resolve(words: list[str], yuan: bool = False) -> dict:
    """Amount, currency and range of a recognized MONEY span, from its token texts.

    ``yuan`` says the text around the span speaks of yuan, which makes "¥" CNY.
    """
    t = tables()
    mags = _number_pattern()
    values: list[list[float]] = []  # [number, magnitude or None]
    currency, factor = None, 1.0
    lowered = [w.lower() for w in words]
    i = 0
    while i < len(words):
        word, low = words[i], lowered[i]
        if not word.isalpha() and (m := mags.match(word)):  # a number has a digit: no letters-only word
            if m["sym"]:
                currency = currency or t.before.get(m["sym"], (None, 1.0))[0]
            values.append([parse_number(m["num"]), t.magnitudes[m["mag"].lower()] if m["mag"] else None])
        elif word in t.before and currency is None:
            currency, factor = t.before[word]
        elif low in t.magnitudes and values:
            values[-1][1] = (values[-1][1] or 1.0) * t.magnitudes[low]
        elif i > 0 and (phrase := _after_phrase(lowered, i, t.after)) is not None:
            code, f = t.after[" ".join(lowered[i:i + phrase])]
            currency, factor = currency or code, f if currency in (None, code) else factor
            i += phrase
            continue
        elif low in t.spelled and not values:
            spelled = " ".join(lowered[i:i + 2])
            values.append([t.spelled.get(spelled, t.spelled[low]), None])
            i += 2 if spelled in t.spelled else 1
            continue
        i += 1
    if currency == "JPY" and words[0] == "¥" and yuan:
        currency = "CNY"
    if not values or currency is None:
        raise ValueError(f"not an amount of money: {' '.join(words)!r}")
    if len(values) > 1 and values[0][1] is None:
        values[0][1] = values[-1][1]  # "$5-7 billion": the magnitude is written once
    amounts = [n * (m or 1.0) * factor for n, m in values]
    out = {"amount": amounts[0], "currency": currency}
    if len(amounts) > 1:
        out = {"amount": (amounts[0] + amounts[-1]) / 2, "currency": currency,
               "low": amounts[0], "high": amounts[-1]}
    return out


def _after_phrase(lowered: list[str], i: int, after: dict) -> int | None:
    """The length (3, 2 or 1 words) of the currency word or phrase of ``after`` at word i, if any."""
    return next((n for n in (3, 2, 1) if " ".join(lowered[i:i + n]) in after), None)


class Money:
    """Finds MONEY mentions in sentences and resolves their values."""

    name = "money"
    requires = ("sentences",)
    assigns = ("mentions",)

    @cached_property
    def matcher(self):
        return tokens.matcher("money", pattern_lists(tables()))

    def __getstate__(self) -> dict:
        return {}  # the matcher is rebuilt lazily in each worker

    def __call__(self, doc: Document) -> Document:
        t = tokens.table(doc)
        taken = [(m.start, m.end) for m in doc.mentions]
        for _, first, last in tokens.find(doc, self.matcher, taken, keep=tokens.keep_range):
            start, end = t.starts[first], t.ends[last - 1]
            sentence = sentence_of(doc, start)
            # Only a span opening with "¥" reads the yuan flag (see resolve).
            yuan = t.texts[first] == "¥" and _speaks_of_yuan(doc.text, sentence, start)
            try:
                fields = resolve(t.texts[first:last], yuan=yuan)
            except ValueError:
                continue  # a pattern matched words that carry no amount
            fields["approximate"] = is_hedged(doc.text, start, end, sentence)
            doc.mentions.append(Mention("MONEY", start, end, fields))
        return doc


def _speaks_of_yuan(text: str, sentence: Span, position: int) -> bool:
    """Whether "¥" at ``position`` means yuan: a yuan word in its sentence, or else the nearest
    yen/yuan word in the text is a yuan word."""
    if YUAN.search(text, *sentence) is not None:
        return True
    return _yuan_nearby(_markers(text), position)


@lru_cache(maxsize=1)  # the "¥" signs of a text share its yen/yuan words
def _markers(text: str) -> tuple[tuple[int, bool], ...]:
    """(offset, is a yuan word) of each yen/yuan word in the text, in order."""
    return tuple((m.start(), m.group("yuan") is not None) for m in YEN_OR_YUAN.finditer(text))


def _yuan_nearby(markers: tuple[tuple[int, bool], ...], position: int) -> bool:
    """Whether the nearest yen/yuan word before ``position`` (else after it) is a yuan word."""
    i = bisect_left(markers, position, key=lambda marker: marker[0])  # markers[:i] are before it
    if i > 0:
        return markers[i - 1][1]
    return markers[0][1] if markers else False
