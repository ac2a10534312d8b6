"""The knowledge base as lookup tables for the COMPANY recognizer (pipeline/companies.py).

Every name, alias and legal name of models/companies.jsonl is indexed as written and, for names
that may be written in another case, casefolded; as a trie of tokens, so that a candidate stops
growing where no name continues; by ticker; and by the tokens that can begin a name. The cue
tables (models/patterns/company_cues.json, company_ambiguous.jsonl, not_companies.txt) and the
legal-suffix pattern are loaded here too. Everything is built once per process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline import resources

TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
VOWELS = set("AEIOUY")
END = ""  # in a trie of tokens: a name ends here ("" is never a token)


def normalize(surface: str) -> str:
    """A surface for lookup: curly apostrophes straightened, runs of spaces made one."""
    return " ".join(surface.replace("’", "'").split())


@dataclass
class Gazetteer:
    """The knowledge base's names as lookup tables."""

    exact: dict[str, str] = field(default_factory=dict)  # surface -> company id
    folded: dict[str, str] = field(default_factory=dict)  # casefolded surface -> id (may change case)
    folded_surface: dict[str, str] = field(default_factory=dict)  # casefolded surface -> KB spelling
    longest: dict[str, int] = field(default_factory=dict)  # casefolded first token -> most tokens
    longest_exact: dict[str, int] = field(default_factory=dict)  # first token as written -> most tokens
    tokens: dict = field(default_factory=dict)  # the names' tokens as a trie: token -> {next token: ..., END: True}
    folded_tokens: dict = field(default_factory=dict)  # the same for the casefolded names of folded
    tickers: dict[str, str] = field(default_factory=dict)  # ticker -> id
    bare_tickers: frozenset[str] = frozenset()  # tickers that count on their own
    starts: re.Pattern = re.compile("")  # a token that may begin a name: a capital, "3M", "xAI", "eBay"
    capital_starts: re.Pattern = re.compile("")  # those of starts that begin with a capital, found faster
    listed_words: re.Pattern = re.compile("")  # found in a text wherever starts may find more than capital_starts
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)  # (surface, kept id, other id)


@lru_cache(maxsize=1)
def ambiguous() -> dict[str, dict]:
    """Context rules for names that are also ordinary words, by name, compiled."""
    rules = {}
    for row in resources.read_jsonl(resources.model_path("patterns", "company_ambiguous.jsonl")):
        rules[row["name"]] = {k: re.compile(v) for k, v in row.items() if k != "name" and v}
    return rules


@lru_cache(maxsize=1)
def cues() -> dict:
    return json.loads(resources.model_path("patterns", "company_cues.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def not_companies() -> tuple[frozenset[str], frozenset[str]]:
    """(names that are never companies, last words that mark a non-company name)."""
    names, words = set(), set()
    for line in resources.read_lines(resources.model_path("patterns", "not_companies.txt")):
        if line.startswith("word:"):
            words.add(line[5:].strip())
        else:
            names.add(normalize(line))
    return frozenset(names), frozenset(words)


@lru_cache(maxsize=1)
def legal_suffix() -> re.Pattern:
    """A legal suffix written after a name: ", Inc.", " Corp.", " Group Holding Ltd.", " SE"."""
    words = [s for s in resources.read_lines(resources.model_path("legal_suffixes.txt"))
             if s not in {"Holding", "Holdings", "Group", "Company"}]
    alternatives = sorted({re.escape(w).replace(r"\.", r"\.?").replace(r"\ ", r"\s+") for w in words},
                          key=len, reverse=True)
    one = "(?:" + "|".join(alternatives) + r")(?![\w&])"
    # no "^": Pattern.match(text, pos) anchors at pos, where "^" would only match at 0
    return re.compile(rf"(?:,?\s+(?:(?:Group|Holdings?)\s+)*{one})+")


def _exact_case(surface: str, row: dict) -> bool:
    return (len(surface) <= 4 or surface in ambiguous() or row.get("case") == "exact"
            or (surface.isalpha() and surface[1:].islower() and row.get("source") == "package"))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Lookup tables of every KB name: names beat aliases, aliases beat legal names; on a tie
    the entry listed first keeps the surface (conflicts are kept for the schema test)."""
    g = Gazetteer()
    owner: dict[str, tuple[int, str]] = {}
    rows = list(resources.companies().values())
    for rank, key in enumerate(("name", "aliases", "legal_names")):
        for row in rows:
            values = row.get(key) or []
            for surface in [values] if isinstance(values, str) else values:
                surface = normalize(surface)
                if not surface:
                    continue
                if surface in owner:
                    if owner[surface][1] != row["id"]:
                        g.conflicts.append((surface, owner[surface][1], row["id"]))
                    continue
                owner[surface] = (rank, row["id"])
                g.exact[surface] = row["id"]
                if not _exact_case(surface, row):
                    g.folded.setdefault(surface.casefold(), row["id"])
                    g.folded_surface.setdefault(surface.casefold(), surface)
                    _add_path(g.folded_tokens, TOKEN.findall(surface.casefold()))
                tokens = TOKEN.findall(surface)
                _add_path(g.tokens, tokens)
                g.longest_exact[tokens[0]] = max(g.longest_exact.get(tokens[0], 0), len(tokens))
                first = tokens[0].casefold()
                g.longest[first] = max(g.longest.get(first, 0), len(tokens))
    bare = set()
    for row in rows:
        for ticker in row.get("tickers") or []:
            g.tickers.setdefault(ticker, row["id"])
            if (row.get("source") != "package" and ticker.isalpha() and ticker.isupper() and len(ticker) >= 4
                    and ticker not in owner and len(VOWELS & set(ticker)) <= 1):
                bare.add(ticker)
    g.bare_tickers = frozenset(bare)
    # A token starting with a capital may match in another case; any other first token (a digit,
    # "xAI", "eBay") only as written, so it is listed. The match is the whole token.
    listed = sorted((t for t in g.longest_exact if not t[0].isupper()), key=len, reverse=True)
    alternatives = "|".join([r"[^\W\d_a-z][^\W_]*"] + [re.escape(t) + r"(?![^\W_])" for t in listed])
    g.starts = re.compile(rf"(?<![^\W_])(?:{alternatives})")
    # The same tokens as the first alternative, but the search skips to the next capital or
    # character outside ASCII (a plain class: no Unicode category to test at every character); the
    # look-behinds then check that it is no small letter or digit and that it begins a token.
    g.capital_starts = re.compile(r"[^\x00-@\[-\x7f](?<=[^\W\d_a-z])(?<![^\W_].)[^\W_]*")
    # A name that begins with a listed token matches only as written (up to spaces and curly
    # apostrophes), so a text holds its first word, cut at an apostrophe, wherever it matches:
    # where listed_words finds none, the listed tokens begin no match and capital_starts will do.
    first_words = {surface.split()[0].split("'")[0] for surface in g.exact if TOKEN.findall(surface)[0] in listed}
    g.listed_words = re.compile("|".join(map(_from_rare_letter, sorted(first_words, key=len, reverse=True))))
    return g


def _from_rare_letter(word: str) -> str:
    """A pattern of word that begins at its first character that is not a small letter (where
    there is one), so that a search skips from one of these rarer characters to the next:
    "B(?<=eB)ay" for "eBay"."""
    i = next((i for i, c in enumerate(word) if not "a" <= c <= "z"), 0)
    return re.escape(word[i:i + 1]) + (f"(?<={re.escape(word[:i + 1])})" if i else "") + re.escape(word[i + 1:])


def _add_path(trie: dict, tokens: list[str]) -> None:
    for token in tokens:
        trie = trie.setdefault(token, {})
    trie[END] = True
