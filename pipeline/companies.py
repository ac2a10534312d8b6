"""COMPANY mentions: names from the knowledge base, unknown companies found by cues, then
nominals and pronouns linked to them (pipeline/coreference.py).

Recognize, then resolve:

1. **Knowledge-base names.** Every name, alias and legal name of models/companies.jsonl is looked
   up token by token inside the sentences (never in page junk); the longest match wins
   ("Alibaba Cloud" over "Alibaba"). Short or ambiguous names ("Meta", "Arm", "Orange") match
   in their exact case only, and models/patterns/company_ambiguous.jsonl rules out the other
   senses ("Amazon rainforest", "meta-analysis"); other names also match in another case when
   they start with a capital and capitalize the same words ("NVIDIA", "Bytedance"). A legal
   suffix or "Group"/"Holdings" written after a name joins the span ("Microsoft Corp.",
   "Tencent Holdings"); a possessive 's stays outside; more name words before a legal suffix,
   or a financial word ("Mizuho Securities"), make another company. Tickers count inside an
   exchange note ("(NASDAQ: NVDA)"), and as bare all-capital tokens for curated entries.
2. **Unknown companies** (company_id null, name as written): capitalized names carrying a cue
   from models/patterns/company_cues.json: a legal suffix ("Acme Widgets GmbH"), a company word
   at the end ("Nordwind Ventures", "Nimbus Grid"), a descriptor before ("startup Lumenfold",
   "the aircraft maker Airbus") or an appositive after ("Kestrel Robotics, a Hamburg-based
   maker"), or a company-only context ("shares of X", "analysts at X", "X raised $40 million").
   Names in models/patterns/not_companies.txt (regulators, publications, products) never count.
   A name found once is then found wherever it recurs in the document, and so is its first word
   ("Kestrel" for "Kestrel Robotics").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from operator import attrgetter

from pipeline import resources
from pipeline.gazetteer import (END, TOKEN, Gazetteer, ambiguous, cues, gazetteer, legal_suffix, normalize,
                                not_companies)
from pipeline.types import Document, Mention

EXCHANGE = re.compile(
    r"\((?:[^()]*?[;,]\s*)?(?P<exchange>NASDAQ|Nasdaq|NYSE(?: American| Arca)?|HKEX|HKSE|SEHK|HKG|TSE|TYO|KRX|"
    r"KOSDAQ|LSE|LON|ETR|XETRA|FRA|EPA|BIT|AMS|SIX|BSE|NSE|SSE|SZSE|SHA|SHE|TWSE|TPE|ASX|TSX|OTC|OTCQX|OTC Pink)"
    r"\s*:\s*(?P<ticker>[A-Z0-9][A-Z0-9.\-]{0,9})")
# A capitalized word: "Kestrel", "ICONIQ", "VodafoneThree", "Systèmes", "X.AI", "a16z" is not one.
WORD = r"[A-Z][^\W_]*(?:[-'’.][^\W_]+)*"
CHUNK = re.compile(rf"{WORD}(?:(?:\s+|\s*&\s*){WORD})*")
# "Hong Kong-listed", "Paris-based": a modifier, not a name
MODIFIER_ENDS = tuple(f"-{w}" for w in
                      "listed based owned backed headquartered born made focused run led controlled".split())
TITLES = frozenset({"Chief", "Chairman", "Chairwoman", "President", "Founder", "CEO", "CFO", "CTO", "COO",
                    "Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Executive", "Director", "Minister", "Secretary",
                    "Senator", "Governor", "Mayor", "Judge", "Analyst", "Professor"})
NONSPACE = re.compile(r"\S+")
# four or five capitals standing alone, as (?<![\w$.-])[A-Z]{4,5}: the look-behind comes after
# the first capital so that a search can skip to the next capital
BARE_TICKER = re.compile(r"[A-Z](?<![\w$.-].)[A-Z]{3,4}(?![\w-])")
GROUP = re.compile(r"\s+(?:Group|Holdings?)(?![\w-])")  # "Tencent Holdings", "Samsung Group": the same company
FUNCTION_WORDS = r"(?:the|a|an|and|or|of|to|in|on|at|by|for|with|that|which|who|has|have|had|is|was|are|were|said|its)"


def _same_initials(a: str, b: str) -> bool:
    """Whether two spellings capitalize the same words (or one is all capitals: "NVIDIA")."""
    return a.isupper() or [w[0].isupper() for w in a.split()] == [w[0].isupper() for w in b.split()]


def _context_ok(text: str, start: int, end: int, surface: str) -> bool:
    rules = ambiguous().get(surface)
    if not rules:
        return True
    after, before = text[end:end + 60], text[max(0, start - 60):start]
    if "not_next" in rules and rules["not_next"].search(after):
        return False
    if "not_prev" in rules and rules["not_prev"].search(before):
        return False
    if "needs" in rules:
        # a match covering this occurrence, or a context word that is not another occurrence
        window, at = before + text[start:end] + after, len(before)
        if not any(m.start() <= at < m.end() or surface not in m.group()
                   for m in rules["needs"].finditer(window)):
            return False
    return True


def _headline(sentence: str) -> bool:
    """An all-capitals line ("NVIDIA POSTS RECORD SALES"): names may be in capitals there."""
    return sentence.isupper() and sum(c.isalpha() for c in sentence[:40]) > 12


@lru_cache(maxsize=1 << 14)
def _start(first: str) -> tuple[int, dict | None, dict | None]:
    """For a token that may begin a KB name: the most tokens of such a name (0: none begins with
    it), and its nodes in the tries of names as written and casefolded from a capital."""
    g = gazetteer()
    longest = g.longest_exact.get(first, 0)
    folded = None
    if first[0].isupper():  # other spellings start with a capital: "NVIDIA", "Bytedance"
        longest = max(longest, g.longest.get(first.casefold(), 0))
        folded = g.folded_tokens.get(first.casefold())
    return longest, g.tokens.get(first), folded


def _candidates(text: str, first: re.Match, end: int, upper: bool,
                begins: tuple[int, dict | None, dict | None]) -> tuple[list, Sequence[int]]:
    """The spans of the tokens from first on, up to the most a KB name beginning with it has, and
    the counts of them that may make a KB name (largest first); begins: _start of first's text.
    Tokens are followed in the tries while some name, as written or casefolded from a capital,
    begins with them; casefolding keeps ASCII tokens as they are, so past a token in other letters
    (or in a headline) every count is a candidate."""
    tokens, counts = [first.span()], []
    word = first.group()
    longest, exact, folded = begins
    while not upper and word.isascii():
        if (exact and END in exact) or (folded and END in folded):
            counts.append(len(tokens))
        # the next token (most often the only one read: one search is cheaper than a finditer)
        token = TOKEN.search(text, tokens[-1][1], end) if len(tokens) < longest and (exact or folded) else None
        if token is None:
            return tokens, counts[::-1]
        tokens.append(token.span())
        word = token.group().replace("’", "'")  # as normalize() writes it
        if word.isascii():
            exact = exact and exact.get(word)
            folded = folded and folded.get(word.casefold())
    tokens += [t.span() for t in islice(TOKEN.finditer(text, tokens[-1][1], end), longest - len(tokens))]
    return tokens, range(len(tokens), 0, -1)


def find_names(text: str, sentences, starts: re.Pattern) -> list[tuple[int, int, str]]:
    """KB name matches (start, end, company id) in the sentences, longest first, no overlaps;
    starts: _starts_pattern of the text."""
    g = gazetteer()
    found: list[tuple[int, int, str]] = []
    for start, end in sentences:
        upper = _headline(text[start:end])
        covered = start
        for first_token in starts.finditer(text, start, end):  # only tokens that may begin a name
            a = first_token.start()
            if a < covered:
                continue
            begins = _start(first_token.group())
            if not begins[0]:
                continue
            if a >= 2 and text[a - 1] == "-" and text[a - 2].isalnum():
                continue  # "Self-Reliance", "non-Apple"
            tokens, counts = _candidates(text, first_token, end, upper, begins)
            hit = None
            for n in counts:
                b = tokens[n - 1][1]
                surface = text[a:b]
                if n > 1 or "’" in surface:
                    surface = normalize(surface)
                company = g.exact.get(surface)
                if company is None and surface[0].isupper():
                    company = g.folded.get(surface.casefold())
                    if company is not None and not _same_initials(surface, g.folded_surface[surface.casefold()]):
                        company = None  # "PitchBook data" is not "PitchBook Data"
                    if company is None and upper and surface.isupper():
                        company = _upper_match(surface)
                if company is not None and _context_ok(text, a, b, g_surface(surface, company)):
                    hit = (a, b, company, n)
                    break
            if hit is None:
                continue
            a, b, company, n = hit
            if _after_name().match(text, b, end):
                suffix = legal_suffix().match(text, b, end)  # "ASML Holding NV", "Microsoft Corp."
                if not suffix and (_longer_legal_name().match(text, b, end)
                                   or _subsidiary_suffix().match(text, b, end)):
                    continue  # "Fidelity Management & Research Co.", "Mizuho Securities" are other companies
                suffix = suffix or GROUP.match(text, b, end)
                if suffix:
                    b = suffix.end()
            found.append((a, b, company))
            covered = b
    return found


def _starts_pattern(text: str) -> re.Pattern:
    """The tokens that may begin a name in text: those beginning with a capital, found faster,
    unless the text holds the first word of a name beginning with another token ("eBay")."""
    g = gazetteer()
    return g.starts if g.listed_words.search(text) else g.capital_starts


@lru_cache(maxsize=1)
def _after_name() -> re.Pattern:
    """Any of what find_names tests after a KB name (a legal suffix, a longer legal name, a
    subsidiary suffix, a group word): one test for the usual, none of them."""
    patterns = (legal_suffix(), _longer_legal_name(), _subsidiary_suffix(), GROUP)
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))


@lru_cache(maxsize=1)
def _longer_legal_name() -> re.Pattern:
    """More capitalized words and then a legal suffix after a KB name."""
    return re.compile(rf"(?:\s+(?:&\s+)?{WORD})+(?:{legal_suffix().pattern})")


@lru_cache(maxsize=1)
def _subsidiary_suffix() -> re.Pattern:
    words = "|".join(map(re.escape, cues()["subsidiary_suffixes"]))
    return re.compile(rf"\s+(?:{words})(?![\w-])")


def g_surface(surface: str, company: str) -> str:
    """The KB spelling a matched surface stands for (for its context rules)."""
    g = gazetteer()
    if surface in g.exact:
        return surface
    for candidate in ambiguous():
        if candidate.casefold() == surface.casefold() and g.exact.get(candidate) == company:
            return candidate
    return surface


@lru_cache(maxsize=1)
def _upper_table() -> dict[str, str]:
    return {s.upper(): c for s, c in gazetteer().exact.items() if len(s) > 2}


def _upper_match(surface: str) -> str | None:
    return _upper_table().get(surface)


def find_tickers(text: str, sentences) -> list[tuple[int, int, str]]:
    """Tickers in exchange notes ("(NASDAQ: NVDA)") and bare curated tickers ("NVDA") in the sentences."""
    g = gazetteer()
    found = []
    for start, end in sentences:
        sentence = text[start:end]
        if "(" in sentence:  # which every exchange note opens with
            for m in EXCHANGE.finditer(sentence):
                ticker = m.group("ticker").rstrip(".")
                company = g.tickers.get(ticker) or g.tickers.get(ticker.lstrip("0"))
                if company:
                    found.append((start + m.start("ticker"), start + m.start("ticker") + len(ticker), company))
        if g.bare_tickers:
            for m in BARE_TICKER.finditer(sentence):
                if m.group() in g.bare_tickers and not _headline(sentence):  # in a headline, capitals are words
                    found.append((start + m.start(), start + m.end(), g.tickers[m.group()]))
    return found


# --- unknown companies ---------------------------------------------------------------------

@dataclass
class Unknown:
    """A company the KB does not list, with what its cues tell about it."""

    name: str
    kind: str | None = None
    hq: str | None = None


@lru_cache(maxsize=1)
def _cue_patterns() -> dict[str, re.Pattern]:
    c = cues()

    def alt(words):
        return "|".join(sorted(map(re.escape, words), key=len, reverse=True))

    apposition = ["startup", "start-up", "maker", "company", "firm", "operator", "developer", "provider",
                  "investor", "lender", "group", "manufacturer", "retailer", "carrier", "insurer", "chipmaker",
                  "automaker", "carmaker", "conglomerate", "bank", "brokerage", "fund", "unicorn", "supplier",
                  "giant", "specialist", "consultancy", "subsidiary", "unit", "spin-off", "joint venture",
                  "biotech", "drugmaker", "miner", "airline", "utility", "marketplace", "platform", "lab",
                  "designer", "chip designer", "fintech", "broker", "bank", "rival", "competitor"]
    after = {  # what may follow a name
        "after": rf"(?:'s?|’s?)?\s+(?:{alt(c['after_verbs'])})\b",
        "raised": r"\s+(?:has\s+|had\s+|have\s+)?(?:raised|raises|secured)\s+(?:about\s+|roughly\s+|more\s+than\s+|nearly\s+|over\s+|some\s+)?(?:[$€£¥₹]|US\$|RMB|EUR|USD)",
        "data": r"\s+(?:data|figures|estimates|research|analysis)\b",
        "apposition":
            rf",\s+(?:a|an|the)\s+(?P<mods>(?:(?!{FUNCTION_WORDS}\b)[\w.'’&-]+,?\s+){{0,5}}?)(?P<noun>{alt(apposition)})"
            r"(?=\s*[,.;]|\s+(?:that|which|whose|of|in|with|behind|based|backed|founded|owned|known|focused|for|from|at)\b)",
        "which": r",\s+which\s+(?:also\s+|now\s+|still\s+)?(?:builds|makes|owns|operates|employs|develops|"
                 r"sells|runs|provides|designs|raised|was founded|is backed|is owned|is based|"
                 r"is valued|was valued|has raised|had raised|led|rents)\b",
    }
    # The patterns of what follows a name, and "and", have no "^": they are matched with
    # Pattern.match(text, pos, endpos), which anchors them at pos (where "^" would not match).
    return {
        "descriptor": re.compile(rf"(?:^|[\s(])(?P<noun>{alt(c['descriptor_nouns'])})\s+$"),
        "before": re.compile(rf"\b(?:{alt(c['before_phrases'])})\s+(?:the\s+)?$"),
        "according": re.compile(r"\baccording\s+to\s+(?:the\s+)?$", re.I),
        **{name: re.compile(pattern) for name, pattern in after.items()},
        "any_after": re.compile("(?:" + "|".join(after.values()) + ")"),  # one test for the usual: none
        "and": re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)$"),
        "suffix_kinds": re.compile(rf"\b(?P<word>{alt(c['suffix_kinds'])})$"),
    }


@lru_cache(maxsize=None)
def _words(key: str) -> frozenset[str]:
    """A word list of company_cues.json, as a set."""
    return frozenset(cues()[key])


@lru_cache(maxsize=1)
def _cue_endings() -> dict[str, tuple[str, ...]]:
    """What `before` ends with (trailing spaces aside) wherever the cue patterns anchored at
    its end match: a cheap test that spares most of their searches."""
    c = cues()
    return {"descriptor": tuple(w.rstrip() for w in c["descriptor_nouns"]),
            "before": tuple(w.rstrip() for w in c["before_phrases"]) + ("the",)}


def _strip_leading(text: str, a: int, b: int) -> tuple[int, int] | None:
    """Drop leading words that are not part of a name ("The", "Rival", "Paris"); None when
    the chunk starts with a title ("Chief Executive ...") or nothing is left."""
    leading = _words("leading_words")
    for m in NONSPACE.finditer(text, a, b):
        word = m.group()
        if word in TITLES:
            return None
        if word not in leading and word != "&":
            return m.start(), b
    return None


@lru_cache(maxsize=1)
def _legal_end() -> re.Pattern:
    body = legal_suffix().pattern[len("(?:"):-len(")+")]
    return re.compile(rf"\S\s*(?:{body})$")


def _legal_tail(text: str, a: int, b: int) -> int | None:
    """The end of a chunk that already closes with a legal suffix ("Research Co"), with its period."""
    end = b + 1 if text[b:b + 1] == "." else b
    if _legal_end().search(text, a, end):
        return end
    return None


def _is_not_company(name: str, words: list[str]) -> bool:
    names, last_words = not_companies()
    return name in names or words[-1] in last_words or not last_words.isdisjoint(words[1:])


def find_unknown(text: str, sentences, taken_chars: bytearray) -> dict[str, Unknown]:
    """Names of companies outside the KB that carry a cue, with the kind and city the cues give;
    taken_chars: _taken_chars of the KB names and tickers."""
    p = _cue_patterns()
    suffixes = _words("name_suffixes")
    weak_suffixes = _words("weak_name_suffixes")
    leading = _words("leading_words")
    endings = _cue_endings()
    legal_after = legal_suffix()
    c = cues()
    found: dict[str, Unknown] = {}
    for s, e in sentences:
        chunks = []
        for m in CHUNK.finditer(text, s, e):
            a, b = m.span()
            if taken_chars[b - 1]:
                continue  # its last word is in a KB name, as would be whatever part of it is kept below
            chunk = m.group()
            if chunk.endswith(MODIFIER_ENDS):
                continue  # "Hong Kong-listed", "Paris-based": a modifier, not a name
            parts = chunk.split(None, 1)
            first = parts[0]
            if first in leading or first in TITLES or first == "&":
                span = _strip_leading(text, a, b) if len(parts) > 1 else None  # a lone "The" or "Chief" is none
                if span is None:
                    continue
                a, b = span
            if taken_chars.find(1, a, b) >= 0:
                continue
            chunks.append([a, b, None])
        for chunk in chunks:
            a, b = chunk[0], chunk[1]
            name = normalize(text[a:b])
            words = name.split()
            if _is_not_company(name, words):
                chunk[2] = False
                continue
            legal = legal_after.match(text, b, e)
            # a legal suffix at the end takes a space before it: not in a one-word chunk
            tail = None if legal or len(words) == 1 else _legal_tail(text, a, b)
            if legal or tail:
                chunk[1] = b = legal.end() if legal else tail
                chunk[2] = Unknown(normalize(text[a:b]))
                continue
            if len(words) == 1 and name.endswith("ly"):
                continue  # "Additionally, the company ..."
            before = text[max(s, a - 80):a]
            after_end = min(e, b + 120)  # what follows is text[b:after_end]
            kind = hq = None
            cue = False
            if len(words) >= 2 and (words[-1] in suffixes or " ".join(words[-2:]) in suffixes) \
                    and words[0] not in suffixes and words[0] not in leading:
                cue = True
                suffix = p["suffix_kinds"].search(name)
                kind = c["suffix_kinds"].get(suffix.group("word")) if suffix else None
            trimmed = before.rstrip()
            d = trimmed.endswith(endings["descriptor"]) and p["descriptor"].search(before)
            if d:
                cue = True
                kind = kind or c["descriptor_kinds"].get(d.group("noun"))
                city = re.search(r"\b([A-Z][\w]+(?:\s[A-Z][\w]+)?)(?:-based)?\s+(?:[\w-]+\s+)*$", before[:d.start("noun")])
                if city and city.group(1) not in leading:
                    hq = city.group(1)
            next_cue = p["any_after"].match(text, b, after_end)
            ap = next_cue and p["apposition"].match(text, b, after_end)
            if ap:
                cue = True
                kind = kind or c["descriptor_kinds"].get(ap.group("noun"))
                based = re.search(r"([A-Z][\w]+(?:\s[A-Z][\w]+)?)-based", ap.group("mods") or "")
                if based:
                    hq = based.group(1)
            if not cue and next_cue:  # ", which builds", " raised $40 million", " said"
                cue = bool(p["which"].match(text, b, after_end) or p["raised"].match(text, b, after_end)
                           or p["after"].match(text, b, after_end))
            if not cue and trimmed.endswith(endings["before"]):  # "shares of X"
                cue = bool(p["before"].search(before))
            if not cue and next_cue and p["data"].match(text, b, after_end):  # "according to X data"
                cue = bool(p["according"].search(before))
            if cue:
                if kind is None and words[-1] in weak_suffixes:
                    kind = c["suffix_kinds"].get(words[-1])
                chunk[2] = Unknown(name, kind, hq)
        # Coordinated names share a cue: "backers Index Ventures and Partech".
        for x, y in zip(chunks, chunks[1:]):
            if p["and"].match(text, x[1], y[0]):
                if isinstance(x[2], Unknown) and y[2] is None:
                    y[2] = Unknown(normalize(text[y[0]:y[1]]), kind=x[2].kind)
                elif isinstance(y[2], Unknown) and x[2] is None:
                    x[2] = Unknown(normalize(text[x[0]:x[1]]), kind=y[2].kind)
        for a, b, info in chunks:
            if isinstance(info, Unknown) and info.name not in found:
                found[info.name] = info
    return found


def _taken_chars(text: str, taken: list[tuple[int, int]]) -> bytearray:
    """1 for each character of text inside a taken span, else 0: an overlap test is one find."""
    chars = bytearray(len(text))
    for a, b in taken:
        chars[a:b] = b"\1" * (b - a)
    return chars


def _occurrences(text: str, sentences, name: str, taken_chars: bytearray) -> list[tuple[int, int]]:
    # (?<![\w&-]) written after the name's first character, so that a search skips from one
    # occurrence of the name's first word to the next instead of trying every position
    rest = re.escape(name[1:]).replace(re.escape(" "), r"\s+")
    pattern = re.compile(rf"{re.escape(name[0])}(?<![\w&-].){rest}(?![\w&]|-\w)")
    first = name.split(" ", 1)[0]  # which every occurrence begins with
    spans = []
    for s, e in sentences:
        if text.find(first, s, e) < 0:
            continue
        for m in pattern.finditer(text, s, e):
            a, b = m.span()
            if taken_chars.find(1, a, b) < 0:
                spans.append((a, b))
    return spans


def _short_form(name: str, gazette: Gazetteer) -> str | None:
    """The first word of a multi-word unknown name, where it can stand alone ("Kestrel")."""
    words = name.split()
    first = words[0]
    if (len(words) < 2 or len(first) < 4 or first in _words("leading_words") or first in _words("name_suffixes")
            or first in gazette.exact or first.casefold() in gazette.folded
            or not first[0].isupper() or first.isupper()
            or legal_suffix().match(" " + " ".join(words[1:])) is not None and len(words) == 2):
        return None
    return first


@dataclass
class NameMention:
    start: int
    end: int
    company_id: str | None
    name: str
    sentence: int
    info: dict  # KB entry or what cues said about an unknown company


def recognize(doc: Document) -> list[NameMention]:
    """All name mentions in the document's sentences, in order."""
    text, table = doc.text, resources.companies()
    spans = find_names(text, doc.sentences, _starts_pattern(text))
    tickers = find_tickers(text, doc.sentences)
    if tickers:  # (the sentences do not overlap, so neither do the names of one and the tickers of another)
        taken = [(a, b) for a, b, _ in spans]
        spans += [t for t in tickers if not any(a < t[1] and t[0] < b for a, b in taken)]
    taken_chars = _taken_chars(text, [(a, b) for a, b, _ in spans])
    unknown = find_unknown(text, doc.sentences, taken_chars)
    gazette = gazetteer()
    unknown_spans: list[tuple[int, int, Unknown]] = []
    forms = [(u.name, u) for u in unknown.values()]
    forms += [(short, u) for u in unknown.values() if (short := _short_form(u.name, gazette))
              and short not in unknown]
    for surface, info in sorted(forms, key=lambda f: -len(f[0])):
        for a, b in _occurrences(text, doc.sentences, surface, taken_chars):
            unknown_spans.append((a, b, info))
            taken_chars[a:b] = b"\1" * (b - a)
    sentence_of = _sentence_index(doc)
    out = [NameMention(a, b, c, table[c]["name"], sentence_of(a), table[c]) for a, b, c in spans]
    out += [NameMention(a, b, None, u.name, sentence_of(a), {"kind": u.kind, "hq": u.hq})
            for a, b, u in unknown_spans]
    return sorted(out, key=attrgetter("start"))


def _sentence_index(doc: Document):
    import bisect

    starts = [s for s, _ in doc.sentences]
    return lambda offset: max(0, bisect.bisect_right(starts, offset) - 1)


class Companies:
    """Appends COMPANY mentions: names (KB and unknown), nominals and pronouns."""

    name = "companies"
    requires = ("sentences",)
    assigns = ("mentions",)

    def __call__(self, doc: Document) -> Document:
        from pipeline.coreference import resolve

        names = recognize(doc)
        mentions = [Mention("COMPANY", m.start, m.end, {"company_id": m.company_id, "name": m.name, "form": "name"})
                    for m in names]
        mentions += resolve(doc, names)
        doc.mentions += sorted(mentions, key=attrgetter("start"))
        return doc
