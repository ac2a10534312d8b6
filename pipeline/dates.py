"""DATE stage: time expressions, recognized on tokens and resolved to an inclusive ISO interval.

Recognize: spaCy Matcher patterns in models/patterns/dates.jsonl (run compiled: patterns.py),
with word lists from models/patterns/date_words.json; tokens inside MONEY/PERCENT/COMPANY
mentions are skipped. Attached modifiers in front of a match ("the end of", "early", "mid-",
"earlier") join the span; leading prepositions stay outside (ANNOTATION.md, DATE). Resolve:
``calendar.resolve`` is a pure function of the span's form and tokens and a
``calendar.Context`` that this stage works out:

- P, the publication date (``doc.published``: metadata, else the dateline). **Relative
  expressions ("last year", "on Tuesday", "the third quarter", "in August") cannot be resolved
  without P: when P is None they give no mention at all.**
- the tense of the clause, for a month or day without year: the nearest tense word before the
  span ("would", "will", "expects" -> after P; "was", "since", a verb in -ed -> before P;
  default before P).
- the fiscal calendar: a statement in the article ("whose fiscal year runs from July to June",
  "keeps its books on an April-to-March calendar", models/patterns/fiscal_calendar.txt) in the
  same sentence, else one about the company the date is about (the COMPANY mention in force),
  else that company's ``fiscal_year_start``/``fiscal_year_label`` in models/companies.jsonl (for
  phrases that say fiscal), else the nearest statement of an unknown company, else the calendar
  year. Quarters and halves without year ("the fourth quarter", "first-half") follow the fiscal
  calendar only where the article states one for their company.

Why not dateparser's ``search_dates`` on whole text: it reads "25%" and "$28" as days of the
month and returns matched substrings without offsets (tests/test_dates.py pins this). dateparser
reads complete day strings we found ("Dec. 23, 2025"), through ``layout.parse_date``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pipeline import calendar, resources, tokens
from pipeline.calendar import CALENDAR_YEAR, Calendar, Context
from pipeline.patterns import alternatives
from pipeline.sentences import sentence_index
from pipeline.types import Document, Mention, Span

YEAR_TOKEN = re.compile(r"^(?:19|20)\d\d$")
FY_TOKEN = re.compile(r"(?i)^FY(?:['’]?\d{2}|\d{4})?$")
REPORTING_FORMS = ("quarter", "half", "relative-unit", "first-months")  # may follow a stated fiscal year
LEAD_SENTENCES = 4  # a statement this early in an article is about the article's own company


@dataclass(frozen=True)
class Statement:
    """A fiscal calendar stated in the text, with the company it is about (if known)."""

    start: int
    end: int
    sentence: int
    calendar: Calendar
    recurring: bool  # "runs from April to March": its months are no DATE mentions
    owner: str | None = None
    labelled: bool = False  # the text named a fiscal year ("fiscal 2025, a year that closes in ...")


def statement_patterns() -> list[tuple[re.Pattern, bool]]:
    """(pattern, recurring) for each line of models/patterns/fiscal_calendar.txt, its word lists
    written out: {month} (the month names and abbreviations of the word table, the same words as
    ``layout.MONTH``, and an optional full stop) and {fiscal|financial|...}."""
    months = sorted(calendar.words_table().months)

    def words(listed: re.Match) -> str:
        return one_of(months) + r"\.?" if listed[1] == "month" else one_of(listed[1].split("|"))

    out, recurring = [], True
    for line in resources.read_lines(resources.model_path("patterns", "fiscal_calendar.txt")):
        if line in ("[calendar]", "[label]"):
            recurring = line == "[calendar]"
            continue
        out.append((re.compile(WORD_LIST.sub(words, line), re.I), recurring))
    return out


WORD_LIST = re.compile(r"\{([A-Za-z][A-Za-z |]*)\}")  # {month}, {fiscal|financial}: not \d{4}


def one_of(words: list[str]) -> str:
    """One of these words, in an IGNORECASE pattern: a tree of their common beginnings
    (``patterns.alternatives``) led by a lookahead for their first letters.

    Python's re tries an IGNORECASE pattern at every character of the text it searches (it skips
    ahead only by a case-sensitive first character), and a pattern that opens with a plain
    alternation tries each word there; the lookahead rejects most characters in one step. The
    tree tries a longer word before a word it begins ("june" before "jun", "fiscal year" before
    "fiscal"), as ``layout.MONTH`` ("june?") and "(?:fiscal(?: year)?|FY)" do; the order of
    other words cannot change which match wins, as no two of them match at the same place."""
    words = sorted({word.lower() for word in words})
    first = "".join(sorted({re.escape(word[0]) for word in words}))
    return f"(?=[{first}])(?:{alternatives(words)})"


def month_number(name: str | None) -> int | None:
    return calendar.words_table().months.get(name.lower().rstrip(".")) if name else None


def month_sentences(doc: Document) -> list[Span]:
    """The sentences with a month name: where a calendar statement can be (each names one)."""
    named = list(map(_MONTH_TEXTS.__getitem__, tokens.table(doc).texts))  # each token: a month?
    return [span for span, (first, end) in zip(sorted(doc.sentences), tokens.sentence_tokens(doc))
            if any(named[first:end])]


class _MonthTexts(dict):
    """Token text -> whether it names a month (in small letters, one of ``_month_forms``),
    remembered: lower-casing every token of every document took most of ``month_sentences``."""

    def __missing__(self, text: str) -> bool:
        if len(self) >= tokens.CACHED_RUNS:  # keep the memory bounded on endless vocabularies
            self.clear()
        self[text] = found = text.lower() in _month_forms()
        return found


_MONTH_TEXTS = _MonthTexts()


@lru_cache(maxsize=1)
def _month_forms() -> frozenset[str]:
    """Month names and abbreviations in small letters, with and without a full stop."""
    months = calendar.words_table().months
    return frozenset(months) | {f"{m}." for m in months}


def find_statements(doc: Document, patterns: list[tuple[re.Pattern, bool]]) -> list[Statement]:
    """Fiscal calendar statements, statements of one sentence merged (a calendar and a label)."""
    found, sentences, text = [], month_sentences(doc), doc.text
    for pattern, recurring in patterns:
        for a, b in sentences:
            for m in pattern.finditer(text, a, b):
                groups = m.groupdict()
                first, last = month_number(groups.get("first")), month_number(groups.get("last"))
                start_month = first or (last % 12 + 1 if last else None)
                label = None
                if groups.get("label") and groups.get("label_end"):
                    label = "start" if int(groups["label_end"]) == int(groups["label"]) + 1 else "end"
                sentence = sentence_index(doc.sentences, m.start())
                found.append((m.start(), m.end(), sentence, start_month, label, recurring))
    merged = []
    for start, end, sentence, start_month, label, recurring in sorted(found):
        same = [f for f in found if f[2] == sentence and sentence >= 0]
        start_month = start_month or next((f[3] for f in same if f[3]), None)
        label = label or next((f[4] for f in same if f[4]), None)
        if start_month is None:
            continue
        merged.append(Statement(start, end, sentence, Calendar(start_month, label or "end"), recurring,
                                labelled=label is not None))
    return merged


def pattern_lists() -> dict:
    """The "@name" lists and regular expressions models/patterns/dates.jsonl refers to."""
    t = calendar.words_table()
    numbers = "|".join(sorted(map(re.escape, t.numbers), key=len, reverse=True))
    return {
        "month": t.month_tokens,
        "month_name": t.month_names,
        "weekday": t.raw["weekdays"],
        "ordinal": sorted(w for w, n in t.ordinals.items() if n > 0),
        "ordinal_or_final": sorted(t.ordinals),
        "half_ordinal": [w for w in t.half_ordinals if t.ordinals.get(w, 0) > 0],
        "half_ordinal_or_final": t.half_ordinals,
        "fiscal": sorted(t.fiscal),
        "edge_noun": sorted(t.edge_nouns),
        "period_verb": sorted(t.period_verbs),
        "year": r"^(?:19|20)\d\d$",
        "yy": r"^\d\d$",
        "day": r"^(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?$",
        "mm": r"^(?:0[1-9]|1[0-2])$",
        "dd": r"^(?:0[1-9]|[12]\d|3[01])$",
        "decade": r"^(?:19|20)\d0s$",
        "fy": r"(?i)^FY['’]?(?:\d{2}|\d{4})$",
        "q": r"^Q[1-4]$",
        "qyy": r"^(?:Q[1-4]['’]\d{2}|[1-4]Q['’]?(?:\d{2}|\d{4}))$",
        "nq": r"^[1-4]Q$",
        "h": r"^H[12]$",
        "hyy": r"^(?:H[12]['’]\d{2}|[12]H['’]?(?:\d{2}|\d{4}))$",
        "nh": r"^[12]H$",
        "number": rf"(?i)^(?:\d{{1,3}}|{numbers})$",
    }


class FiscalCalendars:
    """Which fiscal calendar a date at a given offset follows (see the module docstring)."""

    def __init__(self, doc: Document, statements: list[Statement]):
        self.sentences = doc.sentences
        self.mentions = doc.mentions
        self.statements = []
        for s in statements:  # the owner's fiscal_year_label names the year unless the text does
            owner = self.company_at(s.start)
            label = s.calendar.label if s.labelled else self.kb_label(owner)
            self.statements.append(Statement(s.start, s.end, s.sentence, Calendar(s.calendar.start_month, label),
                                             s.recurring, owner, s.labelled))

    @cached_property
    def companies(self) -> list[Mention]:
        """The COMPANY mentions with a company id, in order (sorted when first asked for)."""
        return sorted((m for m in self.mentions if m.type == "COMPANY" and m.fields.get("company_id")),
                      key=lambda m: m.start)

    @cached_property
    def company_starts(self) -> list[int]:
        return [m.start for m in self.companies]

    def company_at(self, pos: int) -> str | None:
        """The company a text position is about: the last COMPANY mention before it in its
        sentence, else the first after it in its sentence, else the last one before it."""
        i = bisect_right(self.company_starts, pos - 1)  # companies[:i] start before pos
        sentence = sentence_index(self.sentences, pos)
        if i > 0 and (sentence < 0 or sentence_index(self.sentences, self.company_starts[i - 1]) == sentence):
            return self.companies[i - 1].fields["company_id"]  # before it in its sentence
        if i < len(self.companies) and sentence >= 0 and \
                sentence_index(self.sentences, self.company_starts[i]) == sentence:
            return self.companies[i].fields["company_id"]  # after it in its sentence
        return self.companies[i - 1].fields["company_id"] if i > 0 else None

    @staticmethod
    def kb_label(company_id: str | None) -> str:
        row = resources.companies().get(company_id) if company_id else None
        return (row or {}).get("fiscal_year_label") or "end"

    def kb(self, company_id: str) -> Calendar | None:
        row = resources.companies().get(company_id)
        if not row or not row.get("fiscal_year_start"):
            return None
        return Calendar(int(row["fiscal_year_start"]), row.get("fiscal_year_label") or "end")

    def owned_by(self, company_id: str) -> Calendar | None:
        row = resources.companies().get(company_id) or {}
        for owner in (company_id, row.get("parent")):
            mine = [s for s in self.statements if owner and s.owner == owner]
            if mine:
                return mine[0].calendar
        return None

    def nearest(self, pos: int, lead_only: bool) -> Calendar | None:
        """A statement about an unknown company: the nearest before ``pos``, else (for fiscal
        phrases) the nearest after it, or (for plain quarters) one in the article's lead."""
        unknown = [s for s in self.statements if s.owner is None]
        before = [s for s in unknown if s.start < pos]
        if before:
            return before[-1].calendar
        after = [s for s in unknown if s.start >= pos and (not lead_only or s.sentence < LEAD_SENTENCES)]
        return after[0].calendar if after else None

    def calendar_for(self, pos: int, fiscal: bool) -> Calendar:
        """The calendar for a fiscal phrase (``fiscal``) or a quarter/half without year."""
        if not self.statements and not fiscal:
            return CALENDAR_YEAR
        sentence = sentence_index(self.sentences, pos)
        same = [s for s in self.statements if s.sentence == sentence >= 0]
        if same:
            return same[0].calendar
        company = self.company_at(pos)
        if company is not None:
            found = self.owned_by(company) or (self.kb(company) if fiscal else None)
            if found is not None:
                return found
        return self.nearest(pos, lead_only=not fiscal) or CALENDAR_YEAR


class Dates:
    """Finds DATE mentions in sentences and resolves their intervals."""

    name = "dates"
    requires = ("sentences",)
    assigns = ("mentions",)

    @cached_property
    def matcher(self):
        return tokens.matcher("dates", pattern_lists())

    @cached_property
    def statement_patterns(self) -> list[tuple[re.Pattern, bool]]:
        return statement_patterns()

    def __getstate__(self) -> dict:
        return {}  # the matcher and patterns are rebuilt lazily in each worker

    @staticmethod
    def context(form: str, words: list[str], start: int, published, tense_: str,
                fiscal: FiscalCalendars) -> Context:
        """What the resolver needs besides the words; calendars are looked up only when used."""
        fiscal_words = calendar.words_table().fiscal
        says_fiscal = not fiscal_words.isdisjoint(map(str.lower, words)) or any(map(FY_TOKEN.match, words))
        return Context(
            published=published,
            tense=tense_,
            fiscal=fiscal.calendar_for(start, fiscal=True) if says_fiscal else CALENDAR_YEAR,
            reporting=fiscal.calendar_for(start, fiscal=False) if form in REPORTING_FORMS else CALENDAR_YEAR,
        )

    def __call__(self, doc: Document) -> Document:
        t = tokens.table(doc)
        published = calendar.parse_published(doc.published)
        statements = find_statements(doc, self.statement_patterns)
        fiscal = FiscalCalendars(doc, statements)
        taken = [(m.start, m.end) for m in doc.mentions] + [(s.start, s.end) for s in statements if s.recurring]
        spans = extend_left(t, tokens.find(doc, self.matcher, taken, keep=keep), taken, doc.sentences)
        found = []
        for form, first, last in spans:
            words, start, end = t.texts[first:last], t.starts[first], t.ends[last - 1]
            # the tense of the sentence, where the form's resolver reads it
            said = tense(t, first, doc.sentences) if form in calendar.TENSED_FORMS else "past"
            try:
                fields = calendar.resolve(form, words, self.context(form, words, start, published, said, fiscal))
            except ValueError:  # relative without P (calendar.Unresolved), or not a date after all
                continue
            found.append(Mention("DATE", start, end, fields))
        doc.mentions.extend(found)
        return doc


def _words() -> dict:
    return calendar.words_table().raw


def keep(t: tokens.Table, start: int, end: int) -> bool:
    """Drop matches that are no dates in their context (see tests/cases/dates.jsonl, none lines)."""
    words, texts = _context_words(), t.texts
    lowered = [w.lower() for w in texts[start:end]]
    before = texts[start - 1].lower() if start > 0 else None
    after = texts[end] if end < len(texts) else None
    after_lower = after.lower() if after is not None else None
    if "and" in lowered and before != "between":
        return False  # "2025 and 2027" is a range only after "between"
    if before in words.recurring:
        return False  # "every March", "per quarter"
    first = texts[start]
    if lowered[0] in ("last", "next") and before == "the":
        return False  # "the last year of the deal": no deictic "last year" inside
    if end - start == 1 and YEAR_TOKEN.match(first):
        if after_lower in words.count_nouns and before not in words.prepositions:
            return False  # "2100 employees"
        if start > 0 and texts[start - 1] in ("-", "–", "#", "No.") and not _edge_before(t, start - 1):
            return False  # "KR-2026", "pre-2020", "No. 2025"
    if end - start == 1 and first in _month_names():
        nxt = after or ""
        if nxt[:1].isupper() and nxt.isalpha() and nxt not in words.months and nxt.lower() not in words.weekdays:
            return False  # "June Yoon", "August Capital"
        if first == "May" and before not in words.prepositions:
            return False  # the modal verb
    if lowered[-1] in ("year", "month", "week", "decade") and lowered[0] == "the" \
            and after_lower in ("of", "before", "after"):
        return False  # "the last year of the contract"
    if lowered[-1] in ("quarter", "half") and after == "-" and end + 1 < len(texts) and texts[end + 1].isalpha():
        return False  # "the first quarter-century"
    if lowered[-1] in ("quarter", "half") and after_lower == "of":
        return False  # "the first half of the payment" ("the first half of 2026" is a longer match)
    if "quarter" in lowered or "half" in lowered:
        if before in words.counting and lowered[0] != "the" and "-" not in lowered:
            return False  # "for a third quarter in a row" (but "a second-quarter loss" is a date)
        rest = [w.lower() for w in texts[end:end + 3]]
        if rest[:3] == ["in", "a", "row"] or rest[:1] in (["running"], ["straight"]):
            return False
    return True


@dataclass(frozen=True)
class ContextWords:
    """The words ``keep`` reads around a match (models/patterns/date_words.json), as sets."""

    recurring: frozenset[str]
    count_nouns: frozenset[str]
    prepositions: frozenset[str]
    counting: frozenset[str]
    months: frozenset[str]  # lower case, as calendar.Words.months
    weekdays: frozenset[str]


@lru_cache(maxsize=1)
def _context_words() -> ContextWords:
    t = calendar.words_table()
    raw = t.raw
    return ContextWords(frozenset(raw["recurring"]), frozenset(raw["count_nouns"]), frozenset(raw["prepositions"]),
                        frozenset(raw["counting"]), frozenset(t.months), frozenset(t.weekdays))


@lru_cache(maxsize=1)
def _month_names() -> frozenset[str]:
    """Month names as written: "May", not the modal "may"."""
    return frozenset(calendar.words_table().month_names)


@lru_cache(maxsize=1)
def _hyphen_edges() -> frozenset[str]:
    """Modifiers joined by a hyphen: "mid-2026", "end-March"."""
    return calendar.words_table().edge_adjectives | frozenset(_words()["hyphen_edges"])


def _edge_before(t: tokens.Table, hyphen: int) -> bool:
    """"mid-2026": the hyphen joins an attached modifier, not a word of another kind."""
    return hyphen > 0 and t.texts[hyphen - 1].lower() in _hyphen_edges()


def extend_left(tt: tokens.Table, spans: list[tuple[str, int, int]], taken: list[Span],
                sentences: list[Span]) -> list[tuple[str, int, int]]:
    """Spans widened over an attached modifier in front: "the end of 2025", "early 2026",
    "mid-2026", "earlier this year"; not "as early as 2026" (a hedge)."""
    t = calendar.words_table()

    def lower(i: int) -> str:
        return tt.texts[i].lower()

    out, previous_end = [], 0
    for form, first, last in spans:
        new = first
        if first >= 3 and lower(first - 3) == "the" and lower(first - 2) in t.edge_nouns and lower(first - 1) == "of":
            new = first - 3
        elif first >= 1 and lower(first - 1) in t.edge_adjectives:
            new = first - 1
        elif first >= 2 and tt.texts[first - 1] == "-" and lower(first - 2) in _hyphen_edges():
            new = first - 2
        if new < first and new > 0 and lower(new - 1) == "as":
            new = first  # "as early as 2026"
        if new < first:
            start_char, end_char = tt.starts[new], tt.ends[last - 1]
            inside = sentence_index(sentences, start_char) == sentence_index(sentences, end_char - 1) >= 0
            clash = any(start_char < y and x < tt.starts[first] for x, y in taken)
            if new < previous_end or not inside or clash:
                new = first
        out.append((form, new, last))
        previous_end = last
    return out


@lru_cache(maxsize=1)
def _tense_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Future markers, past markers, and words in -ed that are no past."""
    raw = _words()
    return frozenset(raw["future_markers"]), frozenset(raw["past_markers"]), frozenset(raw["not_past"])


def tense(t: tokens.Table, first: int, sentences: list[Span]) -> str:
    """"future" when the nearest tense word before token ``first`` in its sentence points after
    the publication date ("said it would pay ... in December"), else "past"."""
    future, past, not_past = _tense_words()
    month_names = _month_names()
    start = t.starts[first]
    i = sentence_index(sentences, start)
    sentence_first = bisect_left(t.starts, sentences[i][0] if i >= 0 else start)  # its first token
    texts = t.texts
    for i in range(first - 1, sentence_first - 1, -1):
        text = texts[i]
        if text in month_names:
            continue  # "in April and May": a month, not the modal
        word = text.lower()
        if word in future or (word in ("set", "poised", "slated") and texts[i + 1].lower() == "to"):
            return "future"
        if word in past or (word.endswith("ed") and len(word) > 4 and word not in not_past):
            return "past"
    return "past"
