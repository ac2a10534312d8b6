"""`claims annotate RUN_DIR DOC_ID`: a run's document written as an annotation source (the
corpus markup, corpus/README.md), pre-filled with the run's mentions and claims, for a person
to correct; `claims gold build` turns the corrected source into gold. Parsing the written
source back (``annotation.parse``) gives the document's text and the run's mentions exactly.
"""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
from pathlib import Path

from pipeline import resources
from pipeline.annotation import (MARKUP, POSSESSIVE, TYPES, SourceError, parse, parse_date_value,
                                 parse_fields)

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


