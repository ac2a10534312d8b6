"""Nominal ("the company", "the Seoul-based chipmaker") and pronoun (it, its, itself) COMPANY
mentions, each linked to the most salient fitting company named before it.

Recognize, then resolve:

- **Nominals** are "the" + descriptors + a head from models/patterns/company_nominals.txt, in
  argument position: not an appositive or predicative about a name ("ByteDance, the parent
  company of TikTok,"; "is the company"), not "the X of ..." ("the group of banks"), and not
  containing a company name ("the TikTok owner": only TikTok counts). Heads that are also common
  nouns ("the target price") count only before a verb or punctuation.
- **Pronouns**: "its" and "itself" always; "it" as a subject followed by a verb a company does
  ("it said", "it now serves", "it had raised"), or as the object of verbs that put a value on a
  company ("valued it at"). Expletives ("It is the second penalty") and objects of other verbs
  ("expects it to close") are left out, as are "its" in a relative clause about a non-company
  ("the Qwen app, which drew ... in its first week"), idioms ("for its own sake", "it remains
  unclear") and pronouns whose nearest name is a regulator or government ("The Securities and
  Exchange Board of India said it").
- **Linking**: a pronoun takes the nearest fitting subject before it in its own sentence
  ("Samsung reported ... its"). Otherwise each company has a salience (Lappin and Leass):
  every mention adds a weight
  (more for a subject), halved at each sentence boundary, plus a little for how often the
  document has named it. The anaphor takes the most salient company that fits its descriptors:
  head kinds and models/patterns/company_descriptors.txt ("Chinese" needs country CN,
  "chipmaker" kind chipmaker, "unit" a subsidiary, "startup" an unlisted company), "X-based"
  the headquarters, a product ("the ChatGPT maker") its maker; companies the KB does not list
  fit whatever their cues do not contradict. A nominal object is never the subject of its own
  clause ("SK Square, which owns 20% of the chipmaker").
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter, itemgetter

from pipeline import resources
from pipeline.companies import CHUNK, NameMention, _sentence_index, _taken_chars
from pipeline.gazetteer import cues, normalize
from pipeline.types import Document, Mention

WEIGHT, SUBJECT, DECAY, TOPIC, WINDOW = 100.0, 80.0, 0.4, 35.0, 8  # set on the gold: robust for decay 0.35-0.5, topic 20-100
STOP_MODS = frozenset("""of in to for and or that which who with by on at from is was are were has had have said
its their his her a an the as than but be been will would this these those same other only another each
every combined former parent whole entire overall previous one two three both such what whose how why""".split())
# What the text before a mention ends with, matched on that text reversed (a search for a pattern
# anchored at the end would try every position): "is ", "was now " (predicative), "of the " ...
PREDICATIVE_WORDS = "is was are were be been being become becomes became remain remains remained like named called"
PREPOSITION_WORDS = ("of in at to by for from with on than about into over between among against like including via "
                     "through behind under and or")
PREDICATIVE_REVERSED = re.compile(  # \b(?:is|...)\s+(?:\w+ly\s+|still\s+|now\s+|also\s+)?$
    r"(?:\s+yl\w+|\s+llits|\s+won|\s+osla)?\s+(?:" + "|".join(w[::-1] for w in PREDICATIVE_WORDS.split())
    + r")\b", re.I)
PREPOSITION_REVERSED = re.compile(  # \b(?:of|...)\s+(?:the\s+)?$
    r"\s+(?:eht\s+)?(?:" + "|".join(w[::-1] for w in PREPOSITION_WORDS.split()) + r")\b", re.I)
CLAUSE_BREAK = re.compile(r"\b(?:that|said|says|when|while|although|though|because|after|before|if|as|but|and)\b|;")
# \b(?:it|its|itself): the first letter is spelled out (as re.I takes it) and the boundary tested
# after it, so that a search can skip to the next "i"
PRONOUN = re.compile(r"(?-i:[iIİı])(?<!\w.)(?:t|ts|tself)\b(?!['’][a-z])", re.I)
OBJECT_VERBS = re.compile(r"\b(?:valued|values|valuing|keeping|keeps|kept|leaving|leaves|left|making|makes|made|"
                          r"put|puts|putting|ranked|ranks|ranking|giving|gives|gave|pushing|pushed|pushes|lifting|"
                          r"lifted|lifts)\s+$")
OBJECT_NEXT = re.compile(r"^\s+(?:at|ahead|among|as|on|the|a|an|one|in|into|to\s+the)\b")
NOT_NOMINAL_NEXT = re.compile(r"\s+(?:of\b|[A-Z])|[-‐]\w")  # "the group of banks", "the company-wide"
RISKY_NEXT = re.compile(r"\s*[,.;:)'’]")
RELATIVE_END = re.compile(r",?\s+(?:which|that)\s+$")
THAT_WHICH_END = re.compile(r"\b(?:that|which)\s+$")
OWN_SAKE = re.compile(r"\s+own\s+(?:sake|right)\b")
WHICH_AFTER_NOUN = re.compile(r"(?P<noun>\w+),\s+which\b")
IT = re.compile(r"\bit\b")
INTERJECTION = re.compile(r"\s*(?:\([^)]*\))?\s*,[^,]{0,100},")  # ", which it sold last year,"
POSSESSIVE = re.compile(r"['’]s?\b")
DECAYED = tuple(DECAY ** distance for distance in range(WINDOW + 1))  # the salience left after 0 ... WINDOW sentences


@dataclass
class Head:
    kinds: frozenset[str]
    risky: bool


@lru_cache(maxsize=1)
def heads() -> dict[str, Head]:
    table = {}
    for line in resources.read_lines(resources.model_path("patterns", "company_nominals.txt")):
        parts = line.split()
        table[parts[0]] = Head(frozenset(parts[1].split(",")), len(parts) > 2 and parts[2] == "!")
    return table


@lru_cache(maxsize=1)
def descriptors() -> dict[str, tuple[str, frozenset[str]]]:
    """descriptor -> ("country" or "kind", allowed values)."""
    table = {}
    for line in resources.read_lines(resources.model_path("patterns", "company_descriptors.txt")):
        word, rule = line.split()
        key, values = rule.split("=")
        table[word] = (key, frozenset(values.split(",")))
    return table


@lru_cache(maxsize=1)
def _nominal_pattern() -> re.Pattern:
    alt = "|".join(sorted(map(re.escape, heads()), key=len, reverse=True))
    # "\b[Tt]he", written as the literal "he" with the T and the boundary before it tested behind,
    # so that a search can skip to the next "he": a match starts one character after its nominal
    # (see _nominal_matches). The quantifiers are possessive (a word or a space never gives back a
    # letter to what follows)
    return re.compile(rf"he(?<=[Tt]he)(?<!\w...)\s++(?P<mods>(?:[\w.&'’-]++,?+\s++){{0,5}}?)(?P<head>{alt})(?![\w-])")


@lru_cache(maxsize=1)
class _VerbNext:
    """Whether a company verb comes next ("said", "now serves", "is spending", "had raised"),
    by set look-ups on the next few words (faster than one regex of every verb)."""

    WORD = re.compile(r"\s+([\w’'-]+)")
    NEXT = re.compile(r"\s+([\w’'-]+)(?:\s+([\w’'-]+))?(?:\s+([\w’'-]+))?(?:\s+([\w’'-]+))?")

    def __init__(self) -> None:
        c = cues()
        self.verbs = frozenset(c["company_verbs"])
        self.adverbs = frozenset(c["adverbs"])

    def match(self, after: str) -> bool:
        first = self.WORD.match(after)
        if first is None:
            return False
        word = first.group(1)
        if word not in self.adverbs and word not in ("is", "was"):  # the next word decides
            return word in self.verbs or _past(word)
        words = [w for w in self.NEXT.match(after).groups() if w]
        i = 0
        while i < 2 and i < len(words) - 1 and words[i] in self.adverbs:
            i += 1
        word = words[i]
        if word in ("is", "was"):
            nxt = words[i + 1] if i + 1 < len(words) else ""
            return nxt == "being" or (nxt.islower() and (nxt.endswith("ing") or _past(nxt)))
        return word in self.verbs or _past(word)


def _past(word: str) -> bool:
    return len(word) >= 5 and word.endswith("ed") and word.isalpha() and word.islower()


@lru_cache(maxsize=1)
def _verb_pattern() -> _VerbNext:
    return _VerbNext()


SUBJECT_VERB = re.compile(r"^\s+(?:\w+ly\s+|also\s+|now\s+|still\s+)?(?:is|was|are|were|has|had|have)\b")


@lru_cache(maxsize=1)
def _products() -> dict[str, str]:
    return {p: row["id"] for row in resources.companies().values() for p in row.get("products") or []}


@dataclass
class Constraints:
    kinds: frozenset[str] = frozenset({"*"})
    countries: frozenset[str] | None = None
    descriptor_kinds: list[frozenset[str]] = field(default_factory=list)
    location: list[str] = field(default_factory=list)  # "X-based": lower-case places, any may match
    company: str | None = None  # a product's maker


@dataclass
class Anaphor:
    start: int
    end: int
    form: str
    sentence: int
    constraints: Constraints | None  # None: any company fits (a pronoun)
    excluded: set = field(default_factory=set)
    reflexive_of: str | None = None


def _constraints(mods: list[str], head: str) -> Constraints | None:
    c = Constraints(kinds=heads()[head].kinds)
    table = descriptors()
    place: list[str] = []
    for i, mod in enumerate(mods):
        word = mod.rstrip(",")
        low = word.lower()
        if low.endswith("-based"):
            base = word[:-6]
            key, values = table.get(base.lower(), (None, None))
            if key == "country":
                c.countries = values
            else:
                c.location = [x.lower() for x in {base, " ".join(place + [base]), " ".join(place)} if x]
            place = []
        elif word in _products():
            c.company = _products()[word]  # "the iPhone maker"
        elif word[:1].isupper() and low not in table:
            place.append(word)
        elif low in table:
            key, values = table[low]
            if key == "country":
                c.countries = values
            else:
                c.descriptor_kinds.append(values)
    return c


def _fits(info: dict, key: str, c: Constraints | None, known: bool) -> bool:
    if c is None:
        return True
    if c.company is not None:
        return key == c.company
    kind = info.get("kind")
    for allowed in c.kinds:
        if allowed == "*":
            break
        if allowed == "@sub" and info.get("parent"):
            break
        if allowed == "@private" and not info.get("tickers"):
            break
        if kind in c.kinds or (not known and kind is None):
            break
    else:
        return False
    if (c.descriptor_kinds and any(kind not in values for values in c.descriptor_kinds)
            and (known or kind is not None)):
        return False
    country = info.get("country")
    if c.countries is not None and country is not None and country not in c.countries:
        return False
    if c.location and not known and not info.get("hq"):
        # an unknown company whose name holds a place ("California Public Employees'
        # Retirement System") is not "the Mumbai-based company"
        wanted = set().union(*(_city_countries().get(p, set()) for p in c.location))
        named = [_city_countries()[w] for w in re.findall(r"[a-z]+", key.lower()) if w in _city_countries()]
        if wanted and named and not any(places & wanted for places in named):
            return False
    if c.location:
        hq = info.get("hq")
        places = {p.strip().lower() for p in hq.split(",")} if hq else set()
        if not places & set(c.location):
            countries = set().union(*(_city_countries().get(p, set()) for p in c.location))
            if hq or known:
                # "the Seoul-based chipmaker" for a company based near Seoul: the city's country
                if not countries or country not in countries:
                    return False
    return True


@lru_cache(maxsize=1)
def _city_countries() -> dict[str, set[str]]:
    """Headquarters city (lower case) -> countries of the KB companies based there."""
    table: dict[str, set[str]] = {}
    for row in resources.companies().values():
        for part in (row.get("hq") or "").split(","):
            if part.strip() and row.get("country"):
                table.setdefault(part.strip().lower(), set()).add(row["country"])
    return table


def _starting_in(names: list[NameMention]):
    """A function of (s, e): the names that start in text[s:e]."""
    ordered = sorted(names, key=attrgetter("start"))
    starts = [n.start for n in ordered]
    return lambda s, e: ordered[bisect_left(starts, s):bisect_left(starts, e)]


def _find_nominals(doc: Document, names_in, sentence_of) -> list[Anaphor]:
    """names_in: _starting_in of the names."""
    text, found = doc.text, []
    for s, e, a, m in _nominal_matches(text, doc.sentences):
        local = names_in(s, e)  # only these can overlap or stand in apposition to the nominal
        mods = m.group("mods").split()
        if any(w.rstrip(",").lower() in STOP_MODS for w in mods):
            continue
        if any(w.endswith(",") and not (i + 1 < len(mods) and mods[i + 1].endswith("-based"))
               for i, w in enumerate(mods)):
            continue
        b = m.end()
        if any(a < n.end and n.start < b for n in local):
            continue  # "the TikTok owner"
        if NOT_NOMINAL_NEXT.match(text, b, e):
            continue
        if any(text[n.end:a].strip() == "," for n in local if n.end <= a):
            continue  # an appositive: "ByteDance, the parent company of TikTok,"
        if PREDICATIVE_REVERSED.match(text[max(s, a - 40):a][::-1]):
            continue
        head = m.group("head")
        if heads()[head].risky and not (RISKY_NEXT.match(text, b, e) or _verb_pattern().match(text[b:e])):
            continue
        c = _constraints(mods, head)
        found.append(Anaphor(a, b, "nominal", sentence_of(a), c))
    return found


def _nominal_matches(text: str, sentences):
    """The nominals of _nominal_pattern in the sentences as (sentence start, end, start, match),
    also those that start inside a rejected longer one ("the deal closes, the company")."""
    pattern = _nominal_pattern()
    for s, e in sentences:
        pos = s + 1  # a match starts at the "h" of "the"
        while (m := pattern.search(text, pos, e)) is not None:
            yield s, e, m.start() - 1, m
            pos = m.start() + 1


def _find_pronouns(doc: Document, names: list[NameMention], names_in, sentence_of) -> list[Anaphor]:
    """names_in: _starting_in of the names."""
    text, found = doc.text, []
    for s, e in doc.sentences:
        for m in PRONOUN.finditer(text, s, e):
            local = names_in(s, e)  # all the names that can come before the pronoun in its sentence
            word, a, b = m.group().lower(), m.start(), m.end()
            before, after = text[s:a], text[b:e]
            if _after_other_organization(text, s, a, local):
                continue  # "The Securities and Exchange Board of India said it had no comment"
            if word == "it" and _expletive().match(after):
                continue  # "it remains unclear whether"
            if word == "it":
                subject = _verb_pattern().match(after)
                obj = OBJECT_NEXT.match(after) and OBJECT_VERBS.search(before)
                if not (subject or obj) or obj and THAT_WHICH_END.search(before):
                    continue
            if word == "its" and OWN_SAKE.match(after):
                continue
            if word == "its" and _in_relative_clause_of_thing(text, s, a, local):
                continue
            anaphor = Anaphor(a, b, "pronoun", sentence_of(a), None)
            rel = word == "it" and before.rstrip().endswith(("which", "that")) and RELATIVE_END.search(before)
            if rel:
                anaphor.excluded |= {_key(n) for n in names if n.end == s + rel.start()}
            if word == "itself":
                prev = [n for n in names if n.end <= a and not text[n.end:a].strip()]
                which = list(re.finditer(r",\s+which\b", before))
                if not prev and which and "," not in before[which[-1].end():]:
                    prev = [n for n in names if n.end == s + which[-1].start()]
                if prev:
                    anaphor.reflexive_of = _key(prev[-1])
            found.append(anaphor)
    return found


@lru_cache(maxsize=1)
def _expletive() -> re.Pattern:
    words = sorted(cues()["expletive_after_it"], key=len, reverse=True)
    return re.compile(r"^\s+(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b")


@lru_cache(maxsize=1)
def _organizations() -> tuple[frozenset[str], frozenset[str], re.Pattern, re.Pattern]:
    """(last words of organization names, organization names, any of these as written, an
    organization noun before "it", matched on the text before it reversed)."""
    c = cues()
    words = sorted(c["organization_words"] + c["organizations"], key=len, reverse=True)
    written = "|".join(re.escape(w).replace("'", "['’]").replace(re.escape(" "), r"\s+") for w in words)
    nouns = "|".join(re.escape(w[::-1]) for w in c["organization_nouns"])  # "the regulator said it was"
    return (frozenset(c["organization_words"]), frozenset(c["organizations"]), re.compile(written),
            re.compile(rf"(?:\s+\S+){{0,3}}\s+(?:{nouns})\b"))  # \b(?:nouns)\s+(?:\S+\s+){0,3}$


def _after_other_organization(text: str, s: int, a: int, names: list[NameMention]) -> bool:
    """Whether a regulator, government or other organization that is not a company is named
    after the last company before the pronoun in its sentence ("The Commission said it")."""
    last_words, organizations, written, noun_before = _organizations()
    last_company = max((n.end for n in names if s <= n.start and n.end <= a), default=-1)
    if written.search(text, max(s, last_company), a):  # else no chunk can name one
        for m in CHUNK.finditer(text, max(s, last_company), a):
            if m.start() > last_company:
                name = normalize(m.group())
                if name.split()[-1] in last_words or name in organizations:
                    return True
    if text[a:a + 3].lower() != "it ":
        return False
    return bool(noun_before.match(text[max(s, last_company):a][::-1]))


def _in_relative_clause_of_thing(text: str, s: int, a: int, names: list[NameMention]) -> bool:
    """'its' inside ", which ..." whose antecedent is a thing: "the Qwen app, which drew ... its"."""
    if text.find("which", s, a) < 0:
        return False
    rel = None
    for rel in WHICH_AFTER_NOUN.finditer(text[s:a]):
        pass
    if rel is None or "," in text[s + rel.end():a]:
        return False
    if any(s + rel.end() < n.start < a for n in names) or IT.search(text[s + rel.end():a]):
        return False
    return rel.group("noun").lower() in _things()


@lru_cache(maxsize=1)
def _things() -> frozenset[str]:
    return frozenset(cues()["things"])


def _key(m) -> str:
    return m.company_id or f"?{m.name}"


def _is_subject(text: str, s: int, a: int, b: int) -> bool:
    if text[b:b + 1] in ("'", "’") and POSSESSIVE.match(text[b:b + 2]):
        return False
    if PREPOSITION_REVERSED.match(text[max(s, a - 30):a][::-1]):
        return False
    after = text[b:b + 200].lstrip()  # INTERJECTION begins with \s*
    if after[:1] in ("(", ",") and INTERJECTION.match(after):
        after = after[after.index(",", after.index(",") + 1) + 1:].lstrip()
    after = " " + after
    return bool(_verb_pattern().match(after) or SUBJECT_VERB.match(after))


def resolve(doc: Document, names: list[NameMention]) -> list[Mention]:
    """Nominal and pronoun mentions, each with its antecedent's company_id and name."""
    sentence_of = _sentence_index(doc)
    text = doc.text
    names_in = _starting_in(names)
    anaphors = _find_nominals(doc, names_in, sentence_of)
    nominal_chars = _taken_chars(text, [(x.start, x.end) for x in anaphors])
    anaphors += [p for p in _find_pronouns(doc, names, names_in, sentence_of)
                 if nominal_chars.find(1, p.start, p.end) < 0]  # none overlaps a nominal
    events = sorted([(m.start, 0, m) for m in names] + [(a.start, 1, a) for a in anaphors], key=itemgetter(0, 1))
    bounds = doc.sentences
    history: list[tuple[int, str, float, bool, int]] = []  # (sentence, key, weight, subject, end)
    counts: dict[str, int] = {}
    entities: dict[str, tuple[str | None, str, dict, bool]] = {}
    out: list[Mention] = []
    for _, is_anaphor, m in events:
        s = bounds[m.sentence][0] if bounds else 0
        subject = _is_subject(text, s, m.start, m.end)
        weight = WEIGHT + (SUBJECT if subject else 0.0)
        if not is_anaphor:
            key = _key(m)
            entities[key] = (m.company_id, m.name, m.info, m.company_id is not None)
        else:
            if m.form == "nominal" and not subject and text[m.end:m.end + 1] not in ("'", "’"):
                # an object is not its own clause's subject: "SK Square owns 20% of the chipmaker"
                for sent, k, _, subj, end in reversed(history):  # this sentence's mentions come last
                    if sent != m.sentence:
                        break
                    if subj and not CLAUSE_BREAK.search(text, end, m.start):
                        m.excluded.add(k)
            key = _antecedent(m, history, counts, entities)
            if key is None:
                continue
            company_id, name, _, _ = entities[key]
            out.append(Mention("COMPANY", m.start, m.end, {"company_id": company_id, "name": name, "form": m.form}))
        history.append((m.sentence, key, weight, subject, m.end))
        counts[key] = counts.get(key, 0) + 1
    return out


def _antecedent(a: Anaphor, history, counts, entities) -> str | None:
    if a.reflexive_of is not None and a.reflexive_of in entities:
        return a.reflexive_of
    if a.form == "pronoun":  # the nearest subject before it in its own sentence binds it
        for sentence, key, _, subject, _ in reversed(history):
            if sentence != a.sentence:
                break
            company_id, _, info, known = entities[key]
            if subject and key not in a.excluded and _fits(info, company_id or key, a.constraints, known):
                return key
    scores: dict[str, float] = {}
    for sentence, key, weight, subject, _ in reversed(history):
        distance = a.sentence - sentence
        if distance > WINDOW:
            break
        scores[key] = scores.get(key, 0.0) + weight * DECAYED[distance]
    if not scores and history:  # nothing nearby: the document's topic
        scores = {k: 0.0 for k in counts}
    best, best_score = None, -1.0
    for key, score in scores.items():
        if key in a.excluded:
            continue
        company_id, _, info, known = entities[key]
        if not _fits(info, company_id or key, a.constraints, known):
            continue
        score += TOPIC * math.log1p(counts.get(key, 0))
        if score > best_score:
            best, best_score = key, score
    return best
