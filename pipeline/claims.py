"""Claims stage: who claims what, for when, assembled per sentence from the mentions found.

For every MONEY or PERCENT value in a sentence that also mentions a company (ANNOTATION.md,
Claims), decide in this order:

1. its role: a restatement of the figure before it ("RMB 200 billion, equivalent to about $28
   billion": an alternative), the change of another value ("rose 18% to $4.2 billion": the 18%),
   a tolerance ("plus or minus 2%"), or a value of its own;
2. whether its clause claims it: estimates, hypotheticals, denials, thresholds and amounts of
   markets or governments are not claims (cue lists in models/claims.json);
3. its subject: the nearest company before it in its clause (skipping agents such as "led by
   X", "analysts at X"), else the owner after it ("of revenue at X", "of X's"), else the
   sentence's first company; the company's name is preferred to a nominal or pronoun of it;
4. its change (a percentage with a direction word), period (a date the value is for, not an
   event date: "said on Tuesday", "since 2024") and metric (nearest phrase of models/metrics.jsonl).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter

from pipeline import resources
from pipeline.patterns import word_tree
from pipeline.types import Claim, Document, Mention, Span

VALUE_TYPES = ("MONEY", "PERCENT")
# A company right after these words is an agent, object or comparison, not the value's owner:
# "led by Sequoia", "to acquire Kestrel", "its stake in Nvidia", "the digital arm of Reliance".
NOT_OWNER_CUES = (
    "led by", "backed by", "arranged by", "provided by", "from", "with", "by", "analyst at", "analysts at",
    "according to", "than", "against", "paid", "pays", "paying", "pay", "owes", "owed",
    "including", "such as", "like", "in", "into", "of", "over", "beside", "behind", "acquire", "acquiring", "acquired",
    "acquisition of", "buy", "buying", "bought", "purchase", "purchasing", "take over", "taking over")
# OWNER_AFTER, POSSESSIVE and EARLIER are matched at an offset of the text (pattern.match(text, pos, endpos)).
OWNER_AFTER = re.compile(r"\s+(?:of\s+(?:\w+\s+){0,3}?)?(?:at|of)\s+$", re.I)
POSSESSIVE = re.compile(r"'s|’s|'")
PRIOR_VALUE = re.compile(r"\b(?:up|down|higher|lower|rising|falling)\s+from(?:\s+(?:about|roughly|nearly|around))?\s*$", re.I)
NEW_LEVEL = re.compile(r"\bto(?:\s+(?:about|roughly|around|nearly|a record))?\s*$", re.I)
# Either of the two, in one search of the words before a percentage instead of two.
LEVEL_BEFORE = re.compile(PRIOR_VALUE.pattern + "|" + NEW_LEVEL.pattern, re.I)
PRIOR_VALUE_AFTER = re.compile(r"^,?\s*(?:up|down)\s+from\b", re.I)
EARLIER = re.compile(r",?\s*(?:a|one)\s+(?:year|quarter)\s+(?:earlier|ago|before)\b", re.I)
ADJACENT_CHANGE = re.compile(r"\s*,?\s*(?:up|down)\s+(?:about\s+|roughly\s+|nearly\s+)?", re.I)
HOLDING = re.compile(r"\b(?:hold|holds|held|own|owns|owned|stake)\b", re.I)
TOLERANCE = re.compile(r"(?:plus or minus|±)\s*$", re.I)
AND = re.compile(r"\band\b")
CHANGE_TO = re.compile(r"[^.;]{0,120}?\b(?:to|at)\s+(?:about\s+|roughly\s+|a record\s+)?[*_]*", re.I)
CHANGE_AFTER = re.compile(r"[^;]{0,90}?(?:\bor\s+)?\b(?:up|down|higher|lower|an? (?:increase|decrease|rise|drop|fall|gain) of)\s+"
                          r"(?:about\s+|roughly\s+|nearly\s+|almost\s+|more than\s+)?", re.I)
ON_BEFORE = re.compile(r"\bon\s+$")
BY_BEFORE = re.compile(r"\bby\s+$")
LITERAL = re.compile(r"[a-zA-Z0-9' -]+")  # a cue without regular-expression syntax
FORM_RANK = {"name": 0, "nominal": 1, "pronoun": 2}  # the company's name is preferred, then a nominal


# The letters re.IGNORECASE takes for an ASCII letter besides its two cases (\u212a: Kelvin sign).
OTHER_CASES = {"i": "İı", "k": "\u212a", "s": "ſ"}


def _trie(phrases: list[str]) -> str:
    """Lowercase ASCII phrases as one alternation in the shape of a trie ("ai(?: capex| spending)?").
    Matched case-insensitively it finds what the alternation of the phrases longest first finds,
    but the regex engine tries a few first letters per position instead of every phrase.

    The first letters are spelt out in every case re.I matches ("(?-i:a)...|(?-i:A)..."): the
    engine skips a branch that starts with a case-sensitive literal without entering it, which
    about halves the time of a search; the rest of each phrase is matched case-insensitively."""
    root = word_tree(phrases)

    def alternation(node: dict, first: bool = False) -> str:
        branches = []
        for char, child in node.items():
            if not char:
                continue
            rest = alternation(child)
            if first:
                cases = dict.fromkeys(char + char.upper() + OTHER_CASES.get(char, ""))
                branches += ["(?-i:" + re.escape(case) + ")" + rest for case in cases]
            else:
                branches.append(re.escape(char) + rest)
        if "" in node:  # longer phrases first, then the one ending here
            return "(?:" + "|".join(branches) + ")?" if branches else ""
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return alternation(root, first=True)


# Only whether it matches counts, so the cues can take the faster shape of a trie.
NOT_OWNER_BEFORE = re.compile(r"\b(?:" + _trie(NOT_OWNER_CUES) + r")\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.I)


def _words(items: list[str], ends_matter: bool = True) -> re.Pattern:
    """Cues (regular expressions) matched case-insensitively on whole words, longest first.

    Plain phrases go into a trie, which is faster. Beside other expressions the trie would change
    which cue wins at a position, so mixed lists keep to one alternation unless only whether and
    where a match starts counts (``ends_matter=False``)."""
    phrases = [item.lower() for item in items if LITERAL.fullmatch(item)]
    if len(phrases) == len(items) or not ends_matter:
        others = [item for item in sorted(items, key=len, reverse=True) if not LITERAL.fullmatch(item)]
        alternation = "|".join(([_trie(list(dict.fromkeys(phrases)))] if phrases else [])
                               + [case for item in others for case in _first_letter_cases(item)])
    else:
        ordered = sorted(items, key=len, reverse=True)
        alternation = "|".join(case for item in ordered for case in _first_letter_cases(item))
    return re.compile(r"(?<![\w$€£¥₹])(?:" + alternation + r")(?!\w)", re.I)


def _first_letter_cases(item: str) -> list[str]:
    """A cue (a regular expression matched case-insensitively) as one alternative per case of its first
    letter, spelt case-sensitively as in _trie, so that the engine skips it without entering it where
    another letter stands. Only for a cue that starts with two letters and has no "|": its first letter
    is then a literal of its own, and the alternatives match what the cue matches, in the same order."""
    first = item[:1].lower()
    if not (item[:2].isascii() and item[:2].isalpha()) or "|" in item:
        return [item]
    cases = dict.fromkeys(first + first.upper() + OTHER_CASES.get(first, ""))
    return ["(?-i:" + re.escape(case) + ")" + item[1:] for case in cases]


@dataclass(frozen=True)
class Cues:
    clause_break: re.Pattern
    parenthetical: re.Pattern
    estimate: re.Pattern
    hypothetical: re.Pattern
    not_in_clause: re.Pattern
    analyst: re.Pattern
    analyst_kinds: frozenset[str]
    increase: re.Pattern
    decrease: re.Pattern
    alternative: re.Pattern
    not_period: re.Pattern
    share_price: re.Pattern
    not_direction: re.Pattern


@lru_cache(maxsize=1)
def cues() -> Cues:
    data = json.loads(resources.model_path("claims.json").read_text(encoding="utf-8"))
    clause_wide = [*data["source_cues"], *data["condition_cues"], *data["denial_cues"], *data["threshold_cues"],
                   *data["other_cues"]]
    return Cues(
        clause_break=re.compile("|".join(data["clause_breaks"]), re.I),
        parenthetical=re.compile("|".join(data["parentheticals"]), re.I),
        estimate=_words(data["estimate_cues"], ends_matter=False),
        hypothetical=_words(data["hypothetical_cues"], ends_matter=False),
        not_in_clause=_words(clause_wide, ends_matter=False),
        analyst=_words(data["source_cues"], ends_matter=False),
        analyst_kinds=frozenset(data["analyst_kinds"]),
        increase=_words(data["increase"]),
        decrease=_words(data["decrease"]),
        alternative=re.compile(r"^[\s,(]*(?:in cash[\s,]*)?(?:" + "|".join(data["alternative_cues"])
                               + r")[\s(]*(?:(?:about|around|approximately|roughly|some|nearly)\s+)?$", re.I),
        not_period=re.compile(r"\b(?:" + "|".join(data["not_periods_before"]) + r")\s+$", re.I),
        share_price=_words(data["share_price_cues"], ends_matter=False),
        not_direction=_words(data["not_direction"]),
    )


@lru_cache(maxsize=1)
def _metric_table() -> list[tuple[str, str]]:
    """(phrase, family) of models/metrics.jsonl, in file order."""
    rows = resources.read_jsonl(resources.model_path("metrics.jsonl"))
    return [(phrase, row["family"]) for row in rows for phrase in row["phrases"]]


@lru_cache(maxsize=1)
def metric_phrases() -> list[tuple[re.Pattern, str]]:
    """(phrase pattern, family), longest phrases first."""
    pairs = sorted(_metric_table(), key=lambda p: len(p[0]), reverse=True)
    return [(re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)", re.I), fam) for p, fam in pairs]


@lru_cache(maxsize=1)
def metric_regex() -> tuple[re.Pattern, dict[str, str]]:
    """All metric phrases in one pattern (the longest that matches wins), and each phrase's family."""
    families: dict[str, str] = {}
    for phrase, family in _metric_table():
        families.setdefault(phrase.lower(), family)
    phrases = sorted(families, key=len, reverse=True)
    alternation = _trie(phrases) if all(p.isascii() for p in phrases) else "|".join(map(re.escape, phrases))
    return re.compile(r"(?<!\w)(?:" + alternation + r")(?!\w)", re.I), families


@dataclass(frozen=True)
class Clause:
    """Pieces of one sentence that form a clause; a relative clause (", which ...,") is cut out
    of its main clause and remembers where its antecedent ends."""

    pieces: tuple[Span, ...]
    antecedent_end: int | None = None

    def __contains__(self, pos: int) -> bool:
        for a, b in self.pieces:
            if a <= pos < b:
                return True
        return False

    def start(self) -> int:
        return self.pieces[0][0]


def clauses(text: str, sentence: Span) -> list[Clause]:
    """The sentence cut at clause breaks ("; ", ", while ", ", but "...), with relative clauses
    (", which ... ,") set apart."""
    s, e = sentence
    c = cues()
    cuts = [s] + [m.end() + s for m in c.clause_break.finditer(text[s:e])] + [e]
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        main, cursor = [], a
        for m in c.parenthetical.finditer(text, a, b):
            close = text.find(",", m.end(), b)
            close = b if close < 0 else close
            if m.start() < cursor:
                continue
            main.append((cursor, m.start()))
            out.append(Clause(((m.start() + 1, close),), antecedent_end=m.start()))
            cursor = close
        if cursor == a:  # no relative clause, as in most sentences: the main clause is the whole part
            out.append(Clause(((a, b),)))
            continue
        main.append((cursor, b))
        out.append(Clause(tuple(p for p in main if p[0] < p[1]) or ((a, b),)))
    return out


class Sentence:
    """The mentions of one sentence and the roles of its values."""

    def __init__(self, text: str, span: Span, mentions: list[Mention]):
        self.text, self.span = text, span
        self.companies = [m for m in mentions if m.type == "COMPANY"]
        self.values = [m for m in mentions if m.type in VALUE_TYPES]
        self.dates = [m for m in mentions if m.type == "DATE"]
        # The same mention is looked at many times; these remember what depends on its offsets.
        self._clause_at: dict[int, Clause] = {}
        self._words_around: dict[Span, tuple[list[str], list[str]]] = {}
        self._direction: dict[Span, str | None] = {}
        self._may_own_at: dict[int, bool] = {}
        self._periods_if_share_price: dict[bool, list[Mention]] = {}
        # (not functools.cached_property: that takes a lock on first use, which costs more than the check)
        self._clauses: list[Clause] | None = None
        self._metric_phrases: list[tuple[int, int, str]] | None = None
        self._share_price: bool | None = None

    @property
    def clauses(self) -> list[Clause]:
        if self._clauses is None:
            self._clauses = clauses(self.text, self.span)
        return self._clauses

    def clause(self, m: Mention) -> Clause:
        found = self._clause_at.get(m.start)
        if found is None:
            found = next((c for c in self.clauses if m.start in c), None) or Clause((self.span,))
            self._clause_at[m.start] = found
        return found

    def words_around(self, m: Mention) -> tuple[list[str], list[str]]:
        """The words of m's clause before it and after it (both are wanted wherever one is)."""
        key = m.start, m.end
        words = self._words_around.get(key)
        if words is None:
            text, pieces = self.text, self.clause(m).pieces
            if len(pieces) == 1:  # most clauses (an empty slice has no words, as a piece left out has none)
                (a, b), = pieces
                before, after = text[a:min(b, m.start)].split(), text[max(a, m.end):b].split()
            else:
                before = " ".join([text[a:min(b, m.start)] for a, b in pieces if a < m.start]).split()
                after = " ".join([text[max(a, m.end):b] for a, b in pieces if b > m.end]).split()
            words = self._words_around[key] = before, after
        return words

    def before(self, m: Mention, words: int) -> str:
        """Up to ``words`` words of m's clause before it."""
        return " ".join(self.words_around(m)[0][-words:])

    def after(self, m: Mention, words: int | None = None) -> str:
        return " ".join(self.words_around(m)[1][:words])

    def direction(self, p: Mention) -> str | None:
        """'increase'/'decrease' when a direction word stands right around a percentage."""
        key = p.start, p.end
        if key not in self._direction:
            self._direction[key] = self._find_direction(p)
        return self._direction[key]

    def _find_direction(self, p: Mention) -> str | None:
        c = cues()
        words_before, words_after = self.words_around(p)
        before, after = " ".join(words_before[-6:]), " ".join(words_after[:2])
        if LEVEL_BEFORE.search(before):
            return None  # "down from 30%", "narrowed ... to 1.57%": a level, not a change
        if PRIOR_VALUE_AFTER.match(" ".join(words_after[:4])):
            after = ""  # "29%, down from 30%": the direction belongs to the comparison
        window = c.not_direction.sub(" ", before + " # " + after)
        up, down = c.increase.search(window), c.decrease.search(window)
        if up and down:  # the nearer one wins
            mark = window.index("#")
            return "increase" if abs(up.start() - mark) < abs(down.start() - mark) else "decrease"
        return "increase" if up else "decrease" if down else None

    def roles(self) -> tuple[dict[int, Mention], dict[int, Mention], set[int]]:
        """(alternative_of, change_of, tolerances), keyed by id() of the value mention."""
        alternative_of: dict[int, Mention] = {}
        change_of: dict[int, Mention] = {}
        tolerance: set[int] = set()
        money = [v for v in self.values if v.type == "MONEY"]
        for a, b in zip(money, money[1:]):
            between = self.text[a.end:b.start]
            if len(between) <= 40 and a.fields.get("currency") != b.fields.get("currency") \
                    and cues().alternative.match(between):
                alternative_of[id(b)] = alternative_of.get(id(a), a)
        for v in self.values:  # the cue ends where the value starts: search the end of the text before it only
            if TOLERANCE.search(self.text[self.span[0]:v.start].rstrip()[-20:]):
                tolerance.add(id(v))
        for p in self.values:
            if p.type != "PERCENT" or id(p) in tolerance or self.direction(p) is None:
                continue
            target = self._changed_value(p, alternative_of)
            if target is not None:
                change_of[id(p)] = target
        return alternative_of, change_of, tolerance

    def _changed_value(self, p: Mention, alternative_of: dict[int, Mention]) -> Mention | None:
        """The value a change percentage belongs to: "rose 18% to $4.2bn", "$4.2bn, up 18%"."""
        clause = self.clause(p)
        for v in self.values:
            if v is p:
                continue
            right_after = v.end < p.start and ADJACENT_CHANGE.fullmatch(self.text[v.end:p.start])
            if v.start not in clause and not right_after:  # "..., which reported $96.4bn, up 14%, said"
                continue
            if v.type == "PERCENT" and not p.fields.get("points"):
                continue  # a percentage changes by points, not by a percentage
            lo, hi = (p.end, v.start) if v.start > p.end else (v.end, p.start)
            if any(lo <= x.start < hi and id(x) not in alternative_of for x in self.values):
                continue  # (a restatement in between is fine: "116 billion yuan ($16.1 billion) ..., up 30.5%")
            between = self.text[lo:hi]
            if v.start > p.end and not AND.search(between) and CHANGE_TO.fullmatch(between):
                return v  # not across "and": "cut 15% of its staff and reduce spending to $18bn"
            if v.end < p.start and CHANGE_AFTER.fullmatch(between):
                return v
        return None

    def claimed(self, v: Mention) -> bool:
        """False when the words around the value mark it as not the company's claim."""
        c = cues()
        before, after = self.words_around(v)
        if c.estimate.search(" ".join(before[-8:]) + " # " + " ".join(after[:6])) \
                or c.hypothetical.search(" ".join(before[-7:])):
            return False
        return not c.not_in_clause.search(" ".join(before) + " # " + " ".join(after))

    def _first_owner(self, companies: Iterable[Mention]) -> Mention | None:
        """The first of the companies that may own a value."""
        return next((c for c in companies if self._may_own(c)), None)

    def _may_own(self, c: Mention) -> bool:
        """False for an agent, object or comparison ("led by X")."""
        may_own = self._may_own_at.get(c.start)
        if may_own is None:
            may_own = not NOT_OWNER_BEFORE.search(self.text[max(self.span[0], c.start - 40):c.start])
            self._may_own_at[c.start] = may_own
        return may_own

    def subject(self, v: Mention) -> Mention | None:
        clause = self.clause(v)
        in_clause = [c for c in self.companies if c.start in clause]
        owner = next((c for c in self.companies if c.start >= v.end and OWNER_AFTER.match(self.text, v.end, c.start)
                      and (POSSESSIVE.match(self.text, c.end) or " at " in self.text[v.end:c.start]
                           or self.text[c.start:c.end].lower() == "its")), None)
        if owner is not None and not HOLDING.search(self.before(v, 6)):
            chosen = owner
        elif before := self._first_owner(reversed([c for c in in_clause if c.end <= v.start])):
            chosen = before  # the nearest before it
        elif clause.antecedent_end is not None and (ante := [c for c in self.companies
                                                             if 0 <= clause.antecedent_end - c.end <= 3]):
            chosen = ante[-1]
        else:
            fallback = [c for c in self.companies if c.end <= v.start][-1:] or self.companies[:1]
            chosen = (self._first_owner(c for c in self.companies if c.end <= clause.start())  # earlier
                      or self._first_owner(c for c in in_clause if c.start >= v.end)  # after
                      or fallback[0])
        return self._named(chosen, v)

    def _named(self, chosen: Mention, v: Mention) -> Mention:
        """The company's name if the sentence names it, else a nominal, else the pronoun."""
        if FORM_RANK.get(chosen.fields.get("form", "name"), 0) == 0:
            return chosen  # nothing ranks before a name
        key = chosen.fields.get("company_id") or chosen.fields.get("name")
        same = [c for c in self.companies if (c.fields.get("company_id") or c.fields.get("name")) == key]
        best = min(FORM_RANK.get(c.fields.get("form", "name"), 0) for c in same)
        if FORM_RANK.get(chosen.fields.get("form", "name"), 0) == best:
            return chosen
        pool = [c for c in same if FORM_RANK.get(c.fields.get("form", "name"), 0) == best]
        if best > 0:  # a nominal stands for a pronoun only in the same clause (not "the group" of a unit)
            clause = self.clause(chosen)
            pool = [c for c in pool if c.start in clause]
            if not pool:
                return chosen
        return min(pool, key=lambda c: abs(c.start - v.start))

    def is_analyst(self, subject: Mention) -> bool:
        """A research firm's or broker's figure is an estimate, not a claim."""
        kb = resources.companies().get(subject.fields.get("company_id") or "", {})
        if kb.get("kind") in cues().analyst_kinds:
            return True
        return bool(cues().analyst.search(self.text[max(self.span[0], subject.start - 20):subject.start]))

    def period(self, v: Mention, related: tuple[Mention, ...] = (), family: str | None = None) -> Mention | None:
        """The DATE the value is for; ``related`` are its change and alternatives, which may
        stand between it and its period ("for 2026 rose 41% to $1.32 billion"); ``family`` is
        its metric family."""
        clause = self.clause(v)
        if EARLIER.match(self.text, v.end, self.span[1]):
            return None  # "from Rs 1,272 crore a year earlier": the other date is not its period
        # the trading day is the period of a share price or market value, not of other figures
        share_price = family in ("share price", "market value", "valuation") and self.mentions_share_price
        best = None  # (distance, date): the nearest, the first of equals
        for d in self._periods(share_price):
            d_clause = self.clause(d)
            if (d_clause.antecedent_end is not None or clause.antecedent_end is not None) and d_clause != clause:
                continue  # a relative clause's date is not the main clause's period, nor the reverse
            between = (d.end, v.start) if d.end <= v.start else (v.end, d.start)
            others = [x for x in self.values if between[0] <= x.start < between[1] and x is not v
                      and not any(x is r for r in related)]
            # a date beyond another value is more likely that value's ("$7bn, up from $5bn last year")
            distance = between[1] - between[0] + (1000 if d.start not in clause else 0) + 200 * len(others)
            if best is None or distance < best[0]:
                best = distance, d
        return best[1] if best else None

    def _periods(self, share_price: bool) -> list[Mention]:
        """The dates that may be a period, not an event ("said on Tuesday", "since 2024")."""
        if share_price not in self._periods_if_share_price:
            self._periods_if_share_price[share_price] = [d for d in self.dates if self._may_be_period(d, share_price)]
        return self._periods_if_share_price[share_price]

    def _may_be_period(self, d: Mention, share_price: bool) -> bool:
        lead = self.text[max(self.span[0], d.start - 20):d.start]
        day = d.fields.get("granularity") in ("day", "week")  # event dates: "on Tuesday", "last week"
        single_month = d.fields.get("granularity") == "month" and \
            d.fields.get("start_date", "")[:7] == d.fields.get("end_date", "")[:7]
        if day and not (share_price and ON_BEFORE.search(lead)):
            return False
        return not ((single_month and not BY_BEFORE.search(lead)) or (not day and cues().not_period.search(lead)))

    @property
    def mentions_share_price(self) -> bool:
        if self._share_price is None:
            self._share_price = bool(cues().share_price.search(self.text[self.span[0]:self.span[1]]))
        return self._share_price

    @property
    def metric_phrases(self) -> list[tuple[int, int, str]]:
        """(start, end, text) of the metric phrases in the sentence."""
        if self._metric_phrases is None:
            pattern, _ = metric_regex()
            self._metric_phrases = [(m.start(), m.end(), m.group()) for m in pattern.finditer(self.text, *self.span)]
        return self._metric_phrases

    def metric(self, v: Mention) -> tuple[str, str | None]:
        best = None
        for start, end, phrase in self.metric_phrases:
            gap_after = start - v.end  # "a $3.5bn term loan": a phrase right after the value names it
            distance = v.start - end if end <= v.start else gap_after + (0 if gap_after <= 1 else 10)
            if distance >= -10 and (best is None or distance < best[0]):
                best = (distance, phrase)
        return (best[1], metric_regex()[1][best[1].lower()]) if best else ("amount", None)


def assemble(text: str, span: Span, mentions: list[Mention]) -> list[Claim]:
    """The claims of one sentence."""
    sentence = Sentence(text, span, mentions)
    if not sentence.companies or not sentence.values:
        return []
    alternative_of, change_of, tolerance = sentence.roles()
    claims = []
    for v in sentence.values:
        if id(v) in alternative_of or id(v) in change_of or id(v) in tolerance or not sentence.claimed(v):
            continue
        subject = sentence.subject(v)
        if subject is None or sentence.is_analyst(subject):
            continue
        change = next((p for p in sentence.values if change_of.get(id(p)) is v), None) if change_of else None
        if change is None and v.type == "PERCENT" and sentence.direction(v):
            change = v  # "revenue grew 40%": the value is itself the change
        metric, family = sentence.metric(v)
        alternatives = [a for a in sentence.values if alternative_of.get(id(a)) is v] if alternative_of else []
        claims.append(Claim(
            subject=subject, value=v, metric=metric, sentence=span,
            alternatives=alternatives,
            change=change, direction=sentence.direction(change) if change else None,
            period=sentence.period(v, (change, *alternatives), family), extra={"metric_family": family}))
    return claims


class Claims:
    """Assembles the claims of every sentence from its MONEY, PERCENT, DATE and COMPANY mentions."""

    name = "claims"
    requires = ("sentences", "mentions")
    assigns = ("claims",)

    def __call__(self, doc: Document) -> Document:
        mentions = sorted(doc.mentions, key=attrgetter("start", "end"))
        i = 0
        for span in doc.sentences:
            while i < len(mentions) and mentions[i].start < span[0]:
                i += 1
            j = i
            while j < len(mentions) and mentions[j].start < span[1]:
                j += 1
            if i < j:  # a sentence without mentions has no claims
                doc.claims += assemble(doc.text, span, mentions[i:j])
            i = j
        return doc
