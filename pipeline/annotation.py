"""Annotation sources: article text with inline markup, turned into gold with computed offsets.

The format is described in corpus/README.md. A source is parsed into the plain text (markup
stripped) and mentions whose offsets are computed while stripping, so an offset is never
typed by hand. ``check`` validates sources; ``build`` writes the corpus inputs and gold
(also `claims gold build`); ``to_source`` goes the other way, writing a run's document as a
source pre-filled with its mentions and claims (`claims annotate`).

    python -m pipeline.annotation check corpus/sources/*.ann
    python -m pipeline.annotation build corpus/sources -o corpus
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline import resources

MARKUP = re.compile(r"\[([^\[\]\n]+)\]\{([^{}\n]*)\}")
TYPES = {"MONEY": "MONEY", "PCT": "PERCENT", "PERCENT": "PERCENT", "DATE": "DATE", "CO": "COMPANY",
         "COMPANY": "COMPANY"}
GRANULARITIES = ("day", "week", "month", "quarter", "half", "year", "decade")
FORMATS = ("jsonl", "txt", "html")
HEADER_KEYS = {"id", "format", "title", "url", "published"}
POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
# Text outside markup that looks like a mention: reported as a warning, since junk lines hold
# unlabelled figures on purpose.
LOOKS_LIKE = re.compile(
    r"(?:[$€£¥₹₩]|\b(?:US|HK|A|C|S)\$|\b(?:RMB|USD|EUR|GBP|JPY|CNY|INR|KRW|Rs\.?)\s?)\s?\d[\d,.]*"
    r"|\b\d[\d,.]*\s?(?:%|percent\b|per cent\b|pc\b)")


class SourceError(ValueError):
    """A problem in an annotation source, with the file and line it is on."""


@dataclass
class Mention:
    type: str
    start: int
    end: int
    fields: dict
    label: str | None = None
    line: int = 0


@dataclass
class Source:
    """One parsed annotation source."""

    path: Path
    header: dict
    text: str
    mentions: list[Mention]
    claims: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return self.header["id"]


def _iso(day: date) -> str:
    return day.isoformat()


def parse_date_value(args: list[str]) -> dict:
    """A DATE value ("2026", "2026-Q3", "2025-07-01..2026-06-30 year", ... and "rel")."""
    relative = "rel" in args
    rest = [a for a in args if a != "rel"]
    granularity = next((a for a in rest if a in GRANULARITIES), None)
    values = [a for a in rest if a not in GRANULARITIES]
    if len(values) != 1:
        raise ValueError(f"DATE needs one value, got {values!r}")
    value = values[0]
    lo, _, hi = value.partition("..")
    start, end, unit = _interval(lo)
    if hi:
        _, end, unit_hi = _interval(hi)
        unit = unit if unit == unit_hi else None
    granularity = granularity or unit
    if granularity is None:
        raise ValueError(f"DATE {value!r} needs a granularity ({', '.join(GRANULARITIES)})")
    if end < start:
        raise ValueError(f"DATE {value!r} ends before it starts")
    return {"start_date": _iso(start), "end_date": _iso(end), "granularity": granularity,
            "relative": relative}


def _interval(value: str) -> tuple[date, date, str | None]:
    """The interval one shorthand date value covers, and its granularity."""
    if m := re.fullmatch(r"(\d{3})0s", value):
        first = int(m.group(1)) * 10
        return date(first, 1, 1), date(first + 9, 12, 31), "decade"
    if m := re.fullmatch(r"(\d{4})", value):
        year = int(m.group(1))
        return date(year, 1, 1), date(year, 12, 31), "year"
    if m := re.fullmatch(r"(\d{4})-H([12])", value):
        year, half = int(m.group(1)), int(m.group(2))
        if half == 1:
            return date(year, 1, 1), date(year, 6, 30), "half"
        return date(year, 7, 1), date(year, 12, 31), "half"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        year, q = int(m.group(1)), int(m.group(2))
        first, last = 3 * q - 2, 3 * q
        return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1]), "quarter"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(m.group(1)), int(m.group(2))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = date.fromisoformat(value)
        return day, day, "day"
    raise ValueError(f"not a DATE value: {value!r}")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None


def _range(text: str) -> tuple[float, float | None, float | None]:
    """'28e9' -> (28e9, None, None); '5e9..7e9' -> (6e9, 5e9, 7e9)."""
    lo, sep, hi = text.partition("..")
    if not sep:
        return _number(lo), None, None
    low, high = _number(lo), _number(hi)
    if not low < high:
        raise ValueError(f"range {text!r}: low must be below high")
    return (low + high) / 2, low, high


def _flags(args: list[str], allowed: set[str]) -> set[str]:
    unknown = set(args) - allowed
    if unknown:
        raise ValueError(f"unknown arguments {sorted(unknown)}")
    return set(args)


def parse_fields(kind: str, args: list[str], surface: str) -> dict:
    """Normalized fields of one mention from its markup arguments."""
    if kind == "MONEY":
        if len(args) < 2:
            raise ValueError("MONEY needs an amount and a currency")
        amount, low, high = _range(args[0])
        currency = args[1]
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise ValueError(f"not an ISO 4217 currency code: {currency!r}")
        flags = _flags(args[2:], {"approx"})
        out = {"amount": amount, "currency": currency, "approximate": "approx" in flags}
        if low is not None:
            out.update(low=low, high=high)
        return out
    if kind == "PERCENT":
        if not args:
            raise ValueError("PCT needs a percent")
        percent, low, high = _range(args[0])
        flags = _flags(args[1:], {"approx", "points"})
        out = {"percent": percent, "approximate": "approx" in flags, "points": "points" in flags}
        if low is not None:
            out.update(low=low, high=high)
        return out
    if kind == "DATE":
        return parse_date_value(args)
    if kind == "COMPANY":
        return _company(args, surface)
    raise ValueError(f"unknown type {kind!r}")


def _company(args: list[str], surface: str) -> dict:
    named = dict(a.split("=", 1) for a in args if "=" in a)
    plain = [a for a in args if "=" not in a]
    if set(named) - {"name"} or not plain:
        raise ValueError("CO takes a KB id or null, a form, and name=...")
    company_id, form = plain[0], (plain[1] if len(plain) > 1 else "name")
    if form not in ("name", "nominal", "pronoun") or len(plain) > 2:
        raise ValueError(f"bad CO arguments {plain!r}")
    kb = resources.companies()
    if company_id == "null":
        if form != "name" and "name" not in named:
            raise ValueError("an unknown company's nominal or pronoun needs name=...")
        name = named.get("name") or POSSESSIVE.sub("", surface)
        return {"company_id": None, "name": name, "form": form}
    if company_id not in kb:
        raise ValueError(f"company id {company_id!r} is not in models/companies.jsonl")
    entry = kb[company_id]
    aliases = [a for a in entry.get("aliases", []) + entry.get("legal_names", []) if a != entry["name"]]
    return {"company_id": company_id, "name": entry["name"], "form": form, "aliases": aliases}


def parse(path: Path) -> Source:
    """Parse one annotation source; raise SourceError naming the line at fault."""
    raw = path.read_text(encoding="utf-8")
    parts = re.split(r"^---[ \t]*$\n?", raw, flags=re.M)
    if len(parts) not in (2, 3):
        raise SourceError(f"{path}: expected header, '---', body[, '---', claims]")
    head, body = parts[0], parts[1]
    claims_part = parts[2] if len(parts) == 3 else ""
    header = _header(path, head)
    body_line0 = head.count("\n") + 2
    # the line break before the second `---` ends the body; one more keeps a final line break
    text, mentions = _strip(path, body[:-1] if body.endswith("\n") else body, body_line0)
    source = Source(path, header, text, mentions)
    claims_line0 = body_line0 + body.count("\n") + 1
    source.claims = _claims(path, claims_part, claims_line0, mentions)
    source.warnings = _lint(source)
    return source


def _header(path: Path, head: str) -> dict:
    header = {}
    for n, line in enumerate(head.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in HEADER_KEYS:
            raise SourceError(f"{path}:{n}: bad header line {line!r} (keys: {sorted(HEADER_KEYS)})")
        header[key] = value.strip()
    for key in ("id", "format"):
        if key not in header:
            raise SourceError(f"{path}: header needs {key!r}")
    if header["format"] not in FORMATS:
        raise SourceError(f"{path}: format must be one of {FORMATS}")
    if header["id"] != path.stem:
        raise SourceError(f"{path}: id {header['id']!r} differs from the file name")
    if "published" in header:
        date.fromisoformat(header["published"])
    return header


def _strip(path: Path, body: str, line0: int) -> tuple[str, list[Mention]]:
    """Remove the markup; return the plain text and the mentions with computed offsets."""
    out: list[str] = []
    mentions: list[Mention] = []
    labels: set[str] = set()
    pos = length = 0
    for m in MARKUP.finditer(body):
        out.append(body[pos:m.start()])
        length += m.start() - pos
        surface, spec = m.group(1), m.group(2)
        line = line0 + body.count("\n", 0, m.start())
        where = f"{path}:{line}: [{surface}]{{{spec}}}"
        if surface != surface.strip():
            raise SourceError(f"{where}: the span starts or ends with a space")
        try:
            args = shlex.split(spec)
        except ValueError as e:
            raise SourceError(f"{where}: {e}") from None
        if not args or args[0] not in TYPES:
            raise SourceError(f"{where}: type must be one of {sorted(TYPES)}")
        kind = TYPES[args[0]]
        label = None
        if args[-1].startswith("#"):
            label = args.pop()[1:]
            if label in labels:
                raise SourceError(f"{where}: label #{label} is used twice")
            labels.add(label)
        try:
            fields = parse_fields(kind, args[1:], surface)
        except ValueError as e:
            raise SourceError(f"{where}: {e}") from None
        mentions.append(Mention(kind, length, length + len(surface), fields, label, line))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(body[pos:])
    text = "".join(out)
    for n, line in enumerate(text.splitlines(), line0):
        if re.search(r"\]\{|\{(?:MONEY|PCT|DATE|CO)\b", line):
            raise SourceError(f"{path}:{n}: markup that did not parse: {line.strip()[:80]!r}")
    return text, mentions


CLAIM_KEYS = {"subject": "COMPANY", "value": ("MONEY", "PERCENT"), "alt": ("MONEY", "PERCENT"),
              "change": "PERCENT", "period": "DATE", "metric": None}


def _claims(path: Path, part: str, line0: int, mentions: list[Mention]) -> list[dict]:
    by_label = {m.label: m for m in mentions if m.label}
    claims = []
    for n, line in enumerate(part.splitlines(), line0):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{n}"
        words = shlex.split(line)
        if words[0] != "claim":
            raise SourceError(f"{where}: a claim line starts with 'claim'")
        spec = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        if len(spec) != len(words) - 1 or set(spec) - set(CLAIM_KEYS):
            raise SourceError(f"{where}: claim takes {', '.join(CLAIM_KEYS)} as key=value")
        for key in ("subject", "value", "metric"):
            if not spec.get(key):
                raise SourceError(f"{where}: claim needs {key}=")

        def ref(key: str, token: str) -> Mention:
            mention = by_label.get(token.lstrip("#").rstrip("+-"))
            if not token.startswith("#") or mention is None:
                raise SourceError(f"{where}: {key}={token} names no label")
            if mention.type not in CLAIM_KEYS[key]:
                raise SourceError(f"{where}: {key}={token} is a {mention.type}")
            return mention

        claim = {"subject": ref("subject", spec["subject"]), "value": ref("value", spec["value"]),
                 "metric": spec["metric"], "alternatives": [], "change": None, "direction": None,
                 "period": None}
        if spec.get("alt"):
            claim["alternatives"] = [ref("alt", t) for t in spec["alt"].split(",")]
        if spec.get("change"):
            token = spec["change"]
            if token[-1] not in "+-":
                raise SourceError(f"{where}: change=#label+ (increase) or #label- (decrease)")
            claim["change"] = ref("change", token)
            claim["direction"] = "increase" if token[-1] == "+" else "decrease"
        if spec.get("period"):
            claim["period"] = ref("period", spec["period"])
        claims.append(claim)
    return claims


def _lint(source: Source) -> list[str]:
    """Warnings: text outside markup that looks like a MONEY or PERCENT mention."""
    covered = [(m.start, m.end) for m in source.mentions]
    warnings = []
    for m in LOOKS_LIKE.finditer(source.text):
        if not any(s <= m.start() < e for s, e in covered):
            line = source.text.count("\n", 0, m.start()) + 1
            warnings.append(f"{source.path}: body line {line}: unlabelled {m.group(0)!r}")
    if source.text.endswith("\n"):
        warnings.append(f"{source.path}: the text ends with a line break (a blank line before '---')")
    return warnings


# ---------------------------------------------------------------------------- gold records

def mention_record(text: str, m: Mention) -> dict:
    """A gold entity: type, text, offsets, normalized fields."""
    return {"type": m.type, "text": text[m.start:m.end], "start": m.start, "end": m.end, **m.fields}


def _subject_record(text: str, m: Mention) -> dict:
    out = {"text": text[m.start:m.end], "start": m.start, "end": m.end,
           "company_id": m.fields["company_id"], "name": m.fields["name"]}
    if m.fields.get("aliases"):
        out["aliases"] = m.fields["aliases"]
    return out


def gold_record(source: Source, sentences: list[tuple[int, int]], published: str | None = None) -> dict:
    """The gold line of one source; each claim's sentence is the one holding its value.

    ``published`` is the header's date, else the date printed in the text (dateline or byline),
    which must then be one of the labelled day DATE mentions (or None: an undated article).
    """
    text = source.text
    published = source.header.get("published") or published
    if source.header.get("published") is None and published is not None:
        days = {m.fields["start_date"] for m in source.mentions
                if m.type == "DATE" and m.fields.get("granularity") == "day"}
        if published not in days:
            raise SourceError(f"{source.path}: no `published` header and the date found in the "
                              f"text ({published}) is not a labelled day DATE")
    claims = []
    for c in source.claims:
        value = c["value"]
        sentence = next(((s, e) for s, e in sentences if s <= value.start and value.end <= e), None)
        if sentence is None:
            raise SourceError(f"{source.path}:{value.line}: claim value lies in no sentence")
        change = None
        if c["change"] is not None:
            change = {**mention_record(text, c["change"]), "direction": c["direction"]}
        claims.append({
            "subject": _subject_record(text, c["subject"]),
            "metric": c["metric"],
            "value": mention_record(text, value),
            "alternatives": [mention_record(text, a) for a in c["alternatives"]],
            "change": change,
            "period": mention_record(text, c["period"]) if c["period"] else None,
            "sentence": {"start": sentence[0], "end": sentence[1], "text": text[sentence[0]:sentence[1]]},
        })
    return {"doc_id": source.doc_id, "published": published,
            "title": source.header.get("title"), "text": text,
            "entities": [mention_record(text, m) for m in source.mentions], "claims": claims}


# ---------------------------------------------------------------------------- building

HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/tech">Tech</a></li><li><a href="/markets">Markets</a></li></ul></nav>
<main><article>
{paragraphs}
</article></main>
<footer><p>© 2025 Example News Ltd. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>
"""


def to_html(source: Source) -> str:
    """An HTML page whose article body is the source text, one paragraph per line."""
    from html import escape

    lines = source.text.split("\n")
    paragraphs = [f"<h1>{escape(lines[0])}</h1>"] + [f"<p>{escape(x)}</p>" for x in lines[1:]]
    return HTML_PAGE.format(title=escape(source.header.get("title") or lines[0]),
                            paragraphs="\n".join(paragraphs))


def build(sources: list[Source], out_dir: Path) -> list[dict]:
    """Write out_dir/input/ (dump, .txt and .html files) and out_dir/gold.jsonl."""
    from pipeline import reading, stages

    input_dir = out_dir / "input"
    input_dir.mkdir(parents=True, exist_ok=True)
    for stale in input_dir.iterdir():
        if stale.is_file():
            stale.unlink()
    gold, dump = [], []
    for source in sorted(sources, key=lambda s: s.doc_id):
        fmt = source.header["format"]
        if fmt == "jsonl":
            dump.append({"id": source.doc_id, "title": source.header.get("title"),
                         "url": source.header.get("url"), "published": source.header.get("published"),
                         "text": source.text})
        elif fmt == "txt":
            (input_dir / f"{source.doc_id}.txt").write_text(source.text, encoding="utf-8")
        else:
            page = to_html(source)
            extracted = reading.html_to_text(page)
            if extracted != source.text:
                raise SourceError(f"{source.path}: the HTML extractor does not give back the text: "
                                  f"{_first_difference(source.text, extracted)}")
            (input_dir / f"{source.doc_id}.html").write_text(page, encoding="utf-8")
        doc = stages.segment(source.doc_id, source.text)
        gold.append(gold_record(source, doc.sentences, doc.published))
    with (input_dir / "articles.jsonl").open("w", encoding="utf-8") as f:
        for record in dump:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (out_dir / "gold.jsonl").open("w", encoding="utf-8") as f:
        for record in gold:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return gold


def _first_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at {i}: expected {a[i:i + 40]!r}, got {b[i:i + 40]!r}"


def load_sources(paths: list[Path]) -> list[Source]:
    files = [p for path in paths for p in (sorted(path.glob("*.ann")) if path.is_dir() else [path])]
    return [parse(p) for p in files]

# ---------------------------------------------------------------------------- sources from a run

SHORT_TYPES = {"MONEY": "MONEY", "PERCENT": "PCT", "DATE": "DATE", "COMPANY": "CO"}
LABEL_PREFIX = {"COMPANY": "s", "MONEY": "v", "PERCENT": "p", "DATE": "d"}


def number_arg(x: float) -> str:
    """A number written so that float() gives it back exactly, short where it can be: 28e9."""
    x = float(x)
    if x and x == int(x) and abs(x) >= 1e6:
        exponent = 3 * ((len(str(int(abs(x)))) - 1) // 3)
        mantissa = f"{x / 10 ** exponent:.12g}"
        if float(f"{mantissa}e{exponent}") == x:
            return f"{mantissa}e{exponent}"
    short = f"{x:.12g}"
    return short if float(short) == x else repr(x)


def _range_arg(fields: dict, key: str) -> str:
    if "low" in fields and "high" in fields:
        return f"{number_arg(fields['low'])}..{number_arg(fields['high'])}"
    return number_arg(fields[key])


def date_arg(fields: dict) -> list[str]:
    """The shortest DATE value that parses back to the same interval and granularity."""
    start, end, granularity = fields["start_date"], fields["end_date"], fields.get("granularity")
    year = start[:4]
    candidates = [year, f"{year}-H1", f"{year}-H2", *(f"{year}-Q{q}" for q in range(1, 5)), start[:7],
                  start, f"{year[:3]}0s", f"{year}..{end[:4]}"]
    for value in candidates:
        try:
            got = parse_date_value([value])
        except ValueError:
            continue
        if (got["start_date"], got["end_date"], got["granularity"]) == (start, end, granularity):
            return [value]
    return [f"{start}..{end}", granularity or "day"]


def _quoted(key: str, value: str) -> str:
    if not re.search(r'["\\$`]', value):
        return f'{key}="{value}"'
    return f"{key}={shlex.quote(value)}"


def markup_args(m: dict, surface: str) -> list[str]:
    """The markup arguments (after the type) that parse back to a mention's normalized fields."""
    kind = m["type"]
    if kind == "MONEY":
        return [_range_arg(m, "amount"), m["currency"], *(["approx"] if m.get("approximate") else [])]
    if kind == "PERCENT":
        return [_range_arg(m, "percent"), *(["approx"] if m.get("approximate") else []),
                *(["points"] if m.get("points") else [])]
    if kind == "DATE":
        return [*date_arg(m), *(["rel"] if m.get("relative") else [])]
    form = m.get("form") or "name"
    company_id = m.get("company_id")
    kb = resources.companies()
    name = m.get("name") or POSSESSIVE.sub("", surface)
    if company_id in kb:
        return [company_id, *([form] if form != "name" else [])]
    args = ["null", *([form] if form != "name" else [])]
    if form != "name" or name != POSSESSIVE.sub("", surface):
        args.append(_quoted("name", name))
    return args


def to_source(document: dict, entities: list[dict], claims: list[dict], fmt: str = "jsonl",
              doc_id: str | None = None, note: str = "") -> tuple[str, list[str]]:
    """An annotation source pre-filled from a run's document, mentions and claims.

    Returns the source and what had to be left out (overlapping mentions, spans the markup
    cannot hold, claims that refer to them); those are also written as comments at its end.
    Raises SourceError when the text itself cannot be written in the markup.
    """
    text = document.get("text")
    doc_id = doc_id or document["doc_id"]
    if not isinstance(text, str):
        raise SourceError(f"{doc_id}: the run did not keep the text (extract without --no-text)")
    if "\r" in text:
        raise SourceError(f"{doc_id}: the text holds a carriage return, which a source cannot keep")
    if re.search(r"^---[ \t]*$", text, flags=re.M) or MARKUP.search(text) or re.search(r"\]\{", text):
        raise SourceError(f"{doc_id}: the text holds '---' lines or markup-like brackets")
    left_out: list[str] = []
    kept: list[dict] = []
    for m in sorted(entities, key=lambda m: (m["start"], -m["end"])):
        surface = text[m["start"]:m["end"]]
        why = None
        if kept and m["start"] < kept[-1]["end"]:
            why = f"overlaps {kept[-1]['type']} {text[kept[-1]['start']:kept[-1]['end']]!r}"
        elif re.search(r"[\[\]\n{}]", surface) or surface != surface.strip():
            why = "the markup cannot hold this span"
        else:
            try:
                args = [SHORT_TYPES[m["type"]], *markup_args(m, surface)]
                probe = parse_fields(TYPES[args[0]], shlex.split(" ".join(args[1:])), surface)
            except (KeyError, ValueError) as e:
                why = f"its value cannot be written ({e})"
            else:
                kept.append({**m, "args": args, "fields": probe})
        if why:
            left_out.append(f"{m['type']} {surface!r} at {m['start']}-{m['end']}: {why}")
    by_span = {(m["start"], m["end"], m["type"]): m for m in kept}
    labels: dict[tuple, str] = {}
    lines = []
    for c in claims:
        refs = {"subject": (c.get("subject"), "COMPANY"), "value": (c.get("value"), None),
                "alt": None, "change": (c.get("change"), "PERCENT"), "period": (c.get("period"), "DATE")}
        words, missing = ["claim"], []

        def ref(m: dict | None, kind: str | None) -> str | None:
            if not m:
                return None
            key = (m["start"], m["end"], kind or m.get("type"))
            if key not in by_span:
                missing.append(repr(text[m["start"]:m["end"]]))
                return None
            if key not in labels:
                prefix = LABEL_PREFIX[key[2]]
                labels[key] = f"{prefix}{sum(k[2] == key[2] for k in labels) + 1}"
            return "#" + labels[key]

        for key, spec in refs.items():
            if key == "alt":
                alts = [ref(a, None) for a in c.get("alternatives") or []]
                if alts and all(alts):
                    words.append("alt=" + ",".join(alts))
                continue
            label = ref(*spec)
            if label:
                suffix = ("+" if spec[0].get("direction") == "increase" else "-") if key == "change" else ""
                words.append(f"{key}={label}{suffix}")
        words.append(_quoted("metric", c.get("metric") or "amount"))
        if missing:
            left_out.append(f"claim {' '.join(words[1:])}: its {', '.join(missing)} is not a mention here")
        else:
            lines.append(" ".join(words))
    body, pos = [], 0
    for m in kept:
        label = labels.get((m["start"], m["end"], m["type"]))
        spec = " ".join(m["args"] + ([f"#{label}"] if label else []))
        body += [text[pos:m["start"]], f"[{text[m['start']:m['end']]}]{{{spec}}}"]
        pos = m["end"]
    body.append(text[pos:])
    header = [f"# {note}" if note else None, f"id: {doc_id}", f"format: {fmt}"]
    if document.get("title"):
        header.append(f"title: {' '.join(str(document['title']).split())}")
    url = document.get("url") or document.get("source") or ""
    if url.startswith(("http://", "https://")):
        header.append(f"url: {url}")
    if document.get("published"):
        published = str(document["published"])[:10]
        header.append(f"published: {published}" if fmt == "jsonl" else
                      f"# published (from the text): {published}: label that date as a day DATE")
    comments = [f"# left out: {why}" for why in left_out]
    source = "\n".join([*filter(None, header), "---", "".join(body), "---", *lines, *comments]) + "\n"
    return source, left_out


def annotate(run_dir: Path, doc_id: str, out: Path | None = None, fmt: str = "jsonl",
             new_id: str | None = None) -> int:
    """`claims annotate`: write one run document as a source to edit (stdout without ``out``)."""
    from pipeline.evaluate import RunError, load_run

    try:
        run = load_run(Path(run_dir))
    except RunError as e:
        print(f"claims annotate: {e}", file=sys.stderr)
        return 2
    if doc_id not in run.documents:
        print(f"claims annotate: {run_dir}: no document {doc_id!r}", file=sys.stderr)
        return 2
    source_id = new_id or doc_id
    if out is not None and Path(out).stem != source_id:
        print(f"claims annotate: a source's file name is its id: name it {source_id}.ann "
              "(or give --id)", file=sys.stderr)
        return 2
    if not re.fullmatch(r"[\w.-]+", source_id):
        print(f"claims annotate: {source_id!r} cannot be a file name; give --id NEW_ID", file=sys.stderr)
        return 2
    try:
        text, left_out = to_source(run.documents[doc_id], run.entities.get(doc_id, []),
                                   run.claims.get(doc_id, []), fmt, source_id,
                                   note=f"pre-filled by `claims annotate` from {run_dir}: check every "
                                        "mention and claim (corpus/README.md)")
        with tempfile.TemporaryDirectory() as tmp:  # it must parse back to the run's text
            probe = Path(tmp) / f"{source_id}.ann"
            probe.write_text(text, encoding="utf-8")
            if parse(probe).text != run.documents[doc_id]["text"]:
                raise SourceError(f"{doc_id}: the source does not give back the run's text")
    except SourceError as e:
        print(f"claims annotate: {e}", file=sys.stderr)
        return 2
    for why in left_out:
        print(f"claims annotate: left out {why}", file=sys.stderr)
    if out is None:
        sys.stdout.write(text)
    else:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.annotation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate annotation sources")
    check.add_argument("sources", nargs="+", type=Path)
    make = sub.add_parser("build", help="write corpus inputs and gold.jsonl from sources")
    make.add_argument("sources", nargs="+", type=Path)
    make.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args(argv)
    files = [p for path in args.sources for p in (sorted(path.glob("*.ann")) if path.is_dir() else [path])]
    failed = 0
    parsed = []
    for path in files:
        try:
            source = parse(path)
        except (SourceError, ValueError, OSError) as e:
            print(f"ERROR {e}", file=sys.stderr)
            failed += 1
            continue
        parsed.append(source)
        for warning in source.warnings:
            print(f"warning {warning}", file=sys.stderr)
        words = len(source.text.split())
        print(f"ok {path}: {words} words, {len(source.mentions)} mentions, {len(source.claims)} claims")
    if failed:
        print(f"{failed} of {len(files)} sources have errors", file=sys.stderr)
        return 1
    if args.command == "build":
        try:
            gold = build(parsed, args.out)
        except SourceError as e:
            print(f"ERROR {e}", file=sys.stderr)
            return 1
        print(f"wrote {len(gold)} gold documents to {args.out / 'gold.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
