"""Annotation sources: article text with inline markup, turned into gold with computed offsets.

The format is described in corpus/README.md. A source is parsed into the plain text (markup
stripped) and mentions whose offsets are computed while stripping, so an offset is never
typed by hand. ``check`` validates sources; ``build`` writes the corpus inputs and gold
(also `claims gold build`); pipeline/annotate.py goes the other way (`claims annotate`).

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
