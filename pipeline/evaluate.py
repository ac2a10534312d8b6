"""Scoring a run folder against gold files (CONTRACT.md, "Scoring").

    claims eval --gold corpus/gold.jsonl --run outputs/corpus [--json] [--errors]

Gold files are validated line by line, offsets included (``GoldError`` names ``path:line``);
a run folder is read only when its manifest says it is complete (``RunError`` otherwise).
Entities are scored per type on exact and on overlapping spans, with the accuracy of the
normalized values of matched spans; claims are matched one to one within each document by
a maximum bipartite matching, leniently (same company, same value) and strictly (also the
same period where the gold claim has one).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline import resources
from pipeline.gold import TYPES, GoldError, is_number, load_gold
from pipeline.writing import dumps, write_atomic, write_json

# Table rows: (entity type, COMPANY forms or None for all); a missing form counts as "name".
ROWS = {"MONEY": ("MONEY", None), "PERCENT": ("PERCENT", None), "DATE": ("DATE", None),
        "COMPANY": ("COMPANY", None), "COMPANY/name": ("COMPANY", ("name",)),
        "COMPANY/nominal+pronoun": ("COMPANY", ("nominal", "pronoun"))}
MODES = ("lenient", "strict")
MONEY_TOLERANCE = 0.005  # relative
PERCENT_TOLERANCE = 1e-9  # absolute


class RunError(ValueError):
    """A run folder that cannot be scored: missing, incomplete or failed."""


# --- the run -----------------------------------------------------------------------------

@dataclass
class Run:
    """The outputs of a complete run, by document."""

    documents: dict[str, dict]
    entities: dict[str, list[dict]]
    claims: dict[str, list[dict]]
    path: Path | None = None

    def texts(self) -> dict[str, str]:
        return {d: r["text"] for d, r in self.documents.items() if isinstance(r.get("text"), str)}


def _read_records(path: Path) -> list[dict]:
    """A run's output file: name.jsonl, or name.parquet for a `--format parquet` run."""
    if not path.is_file() and path.with_suffix(".parquet").is_file():
        from pipeline.writing import read_records

        return read_records(path.with_suffix(".parquet"))
    if not path.is_file():
        raise RunError(f"{path}: missing from the run folder")
    records = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise RunError(f"{path}:{n}: not valid JSON: {e.msg}") from None
    return records


def _by_doc(records: Iterable[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        out[r.get("doc_id")].append(r)
    return dict(out)


def load_run(run_dir: Path) -> Run:
    """Read a run folder; refuse one whose manifest does not say it is complete."""
    run_dir = Path(run_dir)
    manifest_path = run_dir / "manifest.json"
    if not run_dir.is_dir():
        raise RunError(f"{run_dir}: no such run folder")
    if not manifest_path.is_file():
        raise RunError(f"{run_dir}: no manifest.json: not a run folder, or its run never started")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RunError(f"{manifest_path}: unreadable ({e}); re-run `claims extract`") from None
    status = manifest.get("status") if isinstance(manifest, dict) else None
    if status != "complete":
        state = "failed" if status == "failed" else "incomplete"
        why = f": {manifest['failure']}" if isinstance(manifest, dict) and manifest.get("failure") else ""
        raise RunError(f"{run_dir}: the run is {state} (manifest status {status!r}{why}); "
                       f"re-run `claims extract -o {run_dir}` and score it once it is complete")
    documents = {d.get("doc_id"): d for d in _read_records(run_dir / "documents.jsonl")}
    return Run(documents, _by_doc(_read_records(run_dir / "entities.jsonl")),
               _by_doc(_read_records(run_dir / "claims.jsonl")), run_dir)


# --- value comparison --------------------------------------------------------------------

@lru_cache(maxsize=1)
def _legal_suffixes() -> tuple[tuple[str, ...], ...]:
    lines = resources.read_lines(resources.model_path("legal_suffixes.txt"))
    return tuple(sorted({w for w in map(_words, lines) if w}, key=len, reverse=True))


def _words(name: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[^\W_]+", re.sub(r"[.'’`]", "", name.casefold())))


def normalize_name(name: str) -> str:
    """A company name without case, punctuation and trailing legal suffixes."""
    words = _words(name)
    stripped = True
    while stripped:
        stripped = False
        for suffix in _legal_suffixes():
            if len(words) > len(suffix) and words[-len(suffix):] == suffix:
                words, stripped = words[:-len(suffix)], True
                break
    return " ".join(words)


def same_name(gold: dict, pred: dict) -> bool:
    """The predicted name equals the gold name or one of the gold aliases, normalized."""
    if not isinstance(pred.get("name"), str):
        return False
    names = [gold.get("name"), *gold.get("aliases", [])]
    return normalize_name(pred["name"]) in {normalize_name(n) for n in names if isinstance(n, str)}


def _kind(m: dict) -> str | None:
    if "type" in m:
        return m["type"]
    return "MONEY" if "amount" in m else "PERCENT" if "percent" in m else None


def value_ok(gold: dict, pred: dict) -> bool:
    """Whether a predicted mention's normalized value is the gold one (CONTRACT.md rules)."""
    kind = _kind(gold)
    if _kind(pred) != kind:
        return False
    if kind == "MONEY":
        amount = pred.get("amount")
        return (pred.get("currency") == gold["currency"] and is_number(amount)
                and abs(amount - gold["amount"]) <= MONEY_TOLERANCE * abs(gold["amount"]))
    if kind == "PERCENT":
        return (is_number(pred.get("percent")) and bool(pred.get("points")) == bool(gold.get("points"))
                and abs(pred["percent"] - gold["percent"]) < PERCENT_TOLERANCE)
    if kind == "DATE":
        return (pred.get("start_date"), pred.get("end_date")) == (gold["start_date"], gold["end_date"])
    if gold.get("company_id") is not None:
        return pred.get("company_id") == gold["company_id"]
    return same_name(gold, pred)


def _overlap(a: dict, b: dict) -> int:
    return min(a["end"], b["end"]) - max(a["start"], b["start"])


def _exact(a: dict, b: dict) -> bool:
    return (a["start"], a["end"]) == (b["start"], b["end"])


# --- matching ----------------------------------------------------------------------------

def pair_spans(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """One-to-one pairs of overlapping spans: exact pairs first, then largest overlap."""
    candidates = sorted((not _exact(g, p), -_overlap(g, p), i, j)
                        for i, g in enumerate(gold) for j, p in enumerate(pred) if _overlap(g, p) > 0)
    used_gold, used_pred, pairs = set(), set(), []
    for _, _, i, j in candidates:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    return pairs


def max_matching(n_gold: int, n_pred: int, ok: Callable[[int, int], bool]) -> dict[int, int]:
    """A maximum bipartite matching {gold index: pred index} by augmenting paths."""
    edges = [[j for j in range(n_pred) if ok(i, j)] for i in range(n_gold)]
    owner: dict[int, int] = {}  # pred index -> gold index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(n_gold):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _claim_values(c: dict) -> list[dict]:
    return [m for m in [c.get("value"), *(c.get("alternatives") or [])] if isinstance(m, dict)]


def claim_matches(gold: dict, pred: dict, strict: bool) -> bool:
    """Same company, an overlapping value with the same normalized value; strict: same period."""
    subject, pred_subject = gold["subject"], pred.get("subject") or {}
    same_company = ((subject.get("company_id") is not None
                     and pred_subject.get("company_id") == subject["company_id"])
                    or same_name(subject, pred_subject))
    same_value = any(_overlap(g, p) > 0 and value_ok(g, p)
                     for g in _claim_values(gold) for p in _claim_values(pred))
    period, pred_period = gold.get("period"), pred.get("period")
    same_period = period is None or (isinstance(pred_period, dict)
                                     and value_ok(period, {**pred_period, "type": "DATE"}))
    return same_company and same_value and (same_period or not strict)


# --- the report --------------------------------------------------------------------------

def _prf(tp: int, gold: int, pred: int) -> dict[str, float | int]:
    empty = 1.0 if gold == 0 and pred == 0 else 0.0
    p = tp / pred if pred else empty
    r = tp / gold if gold else empty
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": pred - tp, "fn": gold - tp, "precision": p, "recall": r, "f1": f1}


def _entity_row(c: Counter) -> dict:
    accuracy = c["norm_ok"] / c["norm_n"] if c["norm_n"] else None
    return {"gold": c["gold"], "pred": c["pred"], "exact": _prf(c["exact"], c["gold"], c["pred"]),
            "overlap": _prf(c["overlap"], c["gold"], c["pred"]),
            "normalization": {"accuracy": accuracy, "n": c["norm_n"]}}


@dataclass
class Item:
    """An error, `FN`, `FP` or `value` (wrong value), with the counterpart where there is one."""

    kind: str
    doc_id: str
    type: str  # MONEY, PERCENT, DATE, COMPANY or "claim"
    gold: dict | None
    pred: dict | None


@dataclass
class Report:
    documents: list[str] = field(default_factory=list)
    missing_docs: list[str] = field(default_factory=list)
    entities: dict[str, Counter] = field(default_factory=lambda: {r: Counter() for r in ROWS})
    claims: dict[str, Counter] = field(default_factory=lambda: {m: Counter() for m in MODES})
    errors: list[Item] = field(default_factory=list)
    # publication dates (an extension of CONTRACT.md's scoring): gold documents that give one,
    # and how many of those the run dated the same
    published: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict:
        claims = {m: {"gold": c["gold"], "pred": c["pred"], **_prf(c["tp"], c["gold"], c["pred"])}
                  for m, c in self.claims.items()}
        n = self.published["gold"]
        return {"documents": len(self.documents), "missing_docs": self.missing_docs,
                "entities": {row: _entity_row(c) for row, c in self.entities.items()},
                "claims": claims,
                "published": {"n": n, "accuracy": self.published["ok"] / n if n else None}}


def _in_row(m: dict, kind: str, forms: tuple[str, ...] | None) -> bool:
    return m.get("type") == kind and (forms is None or (m.get("form") or "name") in forms)


def _score_entities(report: Report, doc_id: str, gold: list[dict], pred: list[dict]) -> None:
    for row, (kind, forms) in ROWS.items():
        g = [m for m in gold if _in_row(m, kind, forms)]
        p = [m for m in pred if _in_row(m, kind, forms)]
        pairs = pair_spans(g, p)
        ok = [value_ok(g[i], p[j]) for i, j in pairs]
        report.entities[row].update(gold=len(g), pred=len(p), overlap=len(pairs), norm_n=len(pairs),
                                    exact=sum(_exact(g[i], p[j]) for i, j in pairs), norm_ok=sum(ok))
        if forms is None:
            report.errors += _entity_errors(doc_id, kind, g, p, pairs, ok)


def _entity_errors(doc_id: str, kind: str, g: list[dict], p: list[dict],
                   pairs: list[tuple[int, int]], ok: list[bool]) -> list[Item]:
    partner_of_gold = dict(pairs)
    partner_of_pred = {j: i for i, j in pairs}
    exact = [(i, j) for i, j in pairs if _exact(g[i], p[j])]
    found, used = {i for i, _ in exact}, {j for _, j in exact}
    items = [Item("FN", doc_id, kind, m, p[partner_of_gold[i]] if i in partner_of_gold else None)
             for i, m in enumerate(g) if i not in found]
    items += [Item("FP", doc_id, kind, g[partner_of_pred[j]] if j in partner_of_pred else None, m)
              for j, m in enumerate(p) if j not in used]
    items += [Item("value", doc_id, kind, g[i], p[j]) for (i, j), good in zip(pairs, ok) if not good]
    return items


def _score_claims(report: Report, doc_id: str, gold: list[dict], pred: list[dict]) -> None:
    for mode in MODES:
        match = max_matching(len(gold), len(pred),
                             lambda i, j: claim_matches(gold[i], pred[j], strict=mode == "strict"))
        report.claims[mode].update(gold=len(gold), pred=len(pred), tp=len(match))
    # `match` is now the strict matching: list its errors with the nearest counterpart.
    unmatched_pred = [j for j in range(len(pred)) if j not in match.values()]
    for i, g in enumerate(gold):
        if i not in match:
            near = next((pred[j] for j in unmatched_pred if _values_overlap(g, pred[j])), None)
            report.errors.append(Item("FN", doc_id, "claim", g, near))
    unmatched_gold = [g for i, g in enumerate(gold) if i not in match]
    for j in unmatched_pred:
        near = next((g for g in unmatched_gold if _values_overlap(g, pred[j])), None)
        report.errors.append(Item("FP", doc_id, "claim", near, pred[j]))


def _values_overlap(gold: dict, pred: dict) -> bool:
    return any(_overlap(g, p) > 0 for g in _claim_values(gold) for p in _claim_values(pred))


def evaluate(gold: dict[str, dict], run: Run) -> Report:
    """Score the run on the documents of the gold; a document missing from the run is all FN."""
    report = Report()
    for doc_id, record in gold.items():
        report.documents.append(doc_id)
        if doc_id not in run.documents:
            report.missing_docs.append(doc_id)
        _score_entities(report, doc_id, record["entities"], run.entities.get(doc_id, []))
        _score_claims(report, doc_id, record["claims"], run.claims.get(doc_id, []))
        if record.get("published"):
            found = (run.documents.get(doc_id) or {}).get("published")
            report.published.update(gold=1, ok=int(found == record["published"]))
    return report


# --- printing ----------------------------------------------------------------------------

def format_tables(report: Report) -> str:
    """The entity and claim tables (pandas, three decimals)."""
    data = report.to_dict()
    entities = pd.DataFrame.from_dict({row: {
        "gold": r["gold"], "pred": r["pred"],
        **{f"{basis} {short}": r[basis][key] for basis in ("exact", "overlap")
           for short, key in (("P", "precision"), ("R", "recall"), ("F1", "f1"))},
        "norm acc": r["normalization"]["accuracy"] if r["normalization"]["n"] else float("nan"),
        "norm n": r["normalization"]["n"]} for row, r in data["entities"].items()}, orient="index")
    claims = pd.DataFrame.from_dict({mode: {
        "gold": r["gold"], "pred": r["pred"], "tp": r["tp"], "P": r["precision"], "R": r["recall"],
        "F1": r["f1"]} for mode, r in data["claims"].items()}, orient="index")
    fmt = "{:.3f}".format
    lines = [f"Documents scored: {data['documents']}"]
    if report.missing_docs:
        lines.append(f"Missing from the run (all false negatives): {', '.join(report.missing_docs)}")
    lines += ["", "Entities", entities.to_string(float_format=fmt, na_rep="-"),
              "", "Claims", claims.to_string(float_format=fmt)]
    if data["published"]["n"]:
        lines += ["", f"Publication dates: {data['published']['accuracy']:.3f} right "
                      f"({data['published']['n']} gold documents give one)"]
    return "\n".join(lines)


def _show_value(m: dict) -> str:
    kind = _kind(m)
    if kind == "MONEY":
        return f"{m.get('amount')!r} {m.get('currency')}"
    if kind == "PERCENT":
        return f"{m.get('percent')!r}%" + (" points" if m.get("points") else "")
    if kind == "DATE" or "start_date" in m:
        return f"{m.get('start_date')}..{m.get('end_date')}"
    return f"{m.get('company_id')} {m.get('name')!r}"


def _show_mention(m: dict | None, at: dict | None = None) -> str:
    """A mention's value, with its span unless it is the span ``at`` the line is about."""
    if m is None:
        return "nothing"
    if at is not None and _exact(m, at):
        return _show_value(m)
    return f"{_show_value(m)} at {m.get('start')}-{m.get('end')} {m.get('text')!r}"


def _context(doc_id: str, start: int, end: int, gold: dict, run: Run) -> str:
    """The run's sentence holding start:end, else about 80 characters around it."""
    doc = run.documents.get(doc_id) or {}
    text = doc.get("text") or gold.get(doc_id, {}).get("text")
    if not text:
        return "(no text)"
    for s, e in doc.get("sentences") or []:
        if s <= start and end <= e:
            return " ".join(text[s:e].split())
    a, b = max(0, start - 40), min(len(text), end + 40)
    return "..." + " ".join(text[a:b].split()) + "..."


def _show_claim(c: dict | None) -> str:
    if c is None:
        return "nothing"
    subject, period = c.get("subject") or {}, c.get("period")
    alternatives = "".join(f" / {_show_mention(a)}" for a in c.get("alternatives") or [])
    return (f"[{subject.get('company_id') or subject.get('name')}] {subject.get('text')!r}, "
            f"value {_show_mention(c.get('value'))}{alternatives}, "
            f"period {_show_value(period) if period else 'none'}")


def _format_item(item: Item, gold: dict, run: Run) -> str:
    main = item.pred if item.kind == "FP" else item.gold
    if item.type == "claim":
        value = main.get("value") or {}
        start, end = value.get("start", 0), value.get("end", 0)
        head = f"{item.kind:5} {item.doc_id} {start}-{end}"
        body = f"expected {_show_claim(item.gold)}; found {_show_claim(item.pred)}"
    else:
        start, end = main["start"], main["end"]
        head = f"{item.kind:5} {item.doc_id} {start}-{end} {main.get('text')!r}"
        body = f"expected {_show_mention(item.gold, main)}, found {_show_mention(item.pred, main)}"
    return f"  {head}: {body}\n        in: {_context(item.doc_id, start, end, gold, run)}"


def format_errors(report: Report, gold: dict[str, dict], run: Run) -> str:
    """Every false positive and negative and every wrong value, grouped by type."""
    titles = {**{t: f"{t} (exact spans)" for t in TYPES}, "claim": "Claims (strict)"}
    sections = []
    for kind, title in titles.items():
        items = [item for item in report.errors if item.type == kind]
        lines = [_format_item(item, gold, run) for item in items] or ["  none"]
        sections.append(f"{title}: {len(items)} error(s)\n" + "\n".join(lines))
    return "\n\n".join(sections)


def main(gold_paths: list[Path], run_dir: Path, as_json: bool = False, errors: bool = False) -> int:
    """`claims eval`: print the scores (and the errors); 2 when the gold or run is unusable."""
    try:
        run = load_run(Path(run_dir))
        gold = load_gold([Path(p) for p in gold_paths], run.texts())
    except (GoldError, RunError) as e:
        print(f"claims eval: {e}", file=sys.stderr)
        return 2
    report = evaluate(gold, run)
    print(json.dumps(report.to_dict(), indent=2) if as_json else format_tables(report))
    if errors:  # with --json, stdout stays one JSON document: the listing goes to stderr
        print(("" if as_json else "\n") + format_errors(report, gold, run),
              file=sys.stderr if as_json else sys.stdout)
    return 0


def write_run_from_gold(gold_path: Path, out_dir: Path, texts: dict[str, str] | None = None) -> None:
    """Write a complete run folder whose predictions are the gold itself (for tests)."""
    gold = load_gold([Path(gold_path)], texts)
    documents, entities, claims = [], [], []
    for doc_id, record in gold.items():
        text = record.get("text", (texts or {}).get(doc_id))
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None
        sentences = sorted({(c["sentence"]["start"], c["sentence"]["end"]) for c in record["claims"]})
        doc = {"doc_id": doc_id, "source": str(gold_path), "title": None,
               "published": record.get("published"), "text_sha256": sha}
        documents.append({**doc, **({"text": text} if text is not None else {}),
                          "sentences": [list(s) for s in sentences]})
        entities += [{"doc_id": doc_id, **e} for e in record["entities"]]
        claims += [{"doc_id": doc_id, "claim_id": f"{doc_id}:{i}", **c, "source": sha}
                   for i, c in enumerate(record["claims"], 1)]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("documents", documents), ("entities", entities), ("claims", claims),
                       ("errors", [])):
        write_atomic(out_dir / f"{name}.jsonl", "".join(dumps(r) + "\n" for r in rows))
    write_json(out_dir / "manifest.json", {"status": "complete", "from_gold": str(gold_path),
                                           "counts": {"documents": len(documents)}})
