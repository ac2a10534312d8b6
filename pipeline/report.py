"""`claims report RUN_DIR -o report.html [--gold GOLD.jsonl ...]`: a run as one HTML page.

The page is self-contained (styles, script and SVG charts inline; nothing is requested from
any host) and holds: an overview with counts and charts, the facts with conflicts first, each
value linked to the spans that state it, the eval tables when gold files are given, the run's
errors, and every document with its mentions highlighted from their offsets and its claims
beside the text. Documents are collapsed and paged, so a run of thousands stays usable; the
file grows linearly with the run.

Mention elements are ``<mark class="TYPE" data-type data-value title id="m-<doc>-<start>-<end>">``
where ``<doc>`` is the document's index in documents.jsonl. With gold, predicted mentions that
are false positives get class ``fp`` (``wrong`` for a wrong value) and missed gold mentions
appear as ``<span class="fn">``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.evaluate import Report, RunError, evaluate, format_tables, load_run
from pipeline.gold import GoldError, load_gold
from pipeline.report_html import (PAGE_SIZE, Raw, bar_chart, documents_toolbar, esc, page, table,
                                  timeline_chart)
from pipeline.writing import write_atomic

TYPES = ("MONEY", "PERCENT", "DATE", "COMPANY")
MAX_BARS = 15
MAX_TIMELINES = 6


# --- values as people read them ------------------------------------------------------------

def amount(x: object) -> str:
    """28e9 -> '28 billion'; 1234.5 -> '1,234.5'."""
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return str(x)
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(x) >= size:
            return f"{x / size:,.6g} {word}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def show_value(m: dict) -> str:
    """A mention's normalized value in words: 'USD 28 billion', '≈ 25%', '2026-01-01..2026-12-31'."""
    kind = m.get("type") or ("MONEY" if "amount" in m else "PERCENT" if "percent" in m else None)
    approx = "≈ " if m.get("approximate") else ""
    if kind == "MONEY":
        if "low" in m and "high" in m:
            low, high = amount(m["low"]), amount(m["high"])
            unit = high.rpartition(" ")[2]
            if unit.isalpha() and low.endswith(" " + unit):  # 2.7 billion–2.9 billion: 2.7–2.9 billion
                low = low[:-len(unit) - 1]
            return f"{approx}{m.get('currency')} {low}–{high}"
        return f"{approx}{m.get('currency')} {amount(m.get('amount'))}"
    if kind == "PERCENT":
        shown = (f"{m['low']:g}–{m['high']:g}" if "low" in m and "high" in m
                 else f"{m.get('percent'):g}" if isinstance(m.get("percent"), (int, float)) else "?")
        return f"{approx}{shown}{' points' if m.get('points') else '%'}"
    if kind == "DATE" or "start_date" in m:
        rel = ", relative" if m.get("relative") else ""
        return f"{m.get('start_date')}..{m.get('end_date')} ({m.get('granularity')}{rel})"
    form = m.get("form") or "name"
    return f"{m.get('name')} [{m.get('company_id') or 'not in KB'}{', ' + form if form != 'name' else ''}]"


def data_value(m: dict) -> str:
    """The normalized value as data: '28000000000.0 USD', '25.0', '2026-01-01/2026-12-31', 'bytedance'."""
    kind = m.get("type")
    if kind == "MONEY":
        return f"{m.get('amount')!r} {m.get('currency')}"
    if kind == "PERCENT":
        return f"{m.get('percent')!r}{' points' if m.get('points') else ''}"
    if kind == "DATE":
        return f"{m.get('start_date')}/{m.get('end_date')}"
    return str(m.get("company_id") or m.get("name"))


# --- reading ------------------------------------------------------------------------------

def _read_jsonl(path: Path) -> list[dict]:
    records = []
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    records.append(record)
    return records


def load_facts(run) -> list[dict]:
    """facts.jsonl, else (or when it is from an earlier run) the facts consolidated now."""
    from pipeline.consolidate import consolidate

    claims = [c for doc_claims in run.claims.values() for c in doc_claims]
    path = run.path / "facts.jsonl"
    if path.is_file():
        facts = _read_jsonl(path)
        ids = {c.get("claim_id") for c in claims}
        if all(e.get("claim_id") in ids for f in facts for e in f.get("evidence") or []):
            return facts
        print(f"claims report: {path} is from an earlier run; consolidating the claims again",
              file=sys.stderr)
    return consolidate(claims, {d: r.get("published") for d, r in run.documents.items()})


# --- documents ----------------------------------------------------------------------------

@dataclass
class Marks:
    """What the gold says about one document's predictions."""

    fp: set = field(default_factory=set)        # (type, start, end) of false-positive mentions
    wrong: dict = field(default_factory=dict)   # (type, start, end) -> gold mention with another value
    fn: list = field(default_factory=list)      # missed gold mentions
    fp_claims: set = field(default_factory=set)  # claim_ids
    fn_claims: list = field(default_factory=list)  # missed gold claims

    @property
    def count(self) -> int:
        return len(self.fp) + len(self.wrong) + len(self.fn) + len(self.fp_claims) + len(self.fn_claims)


def gold_marks(report: Report) -> dict[str, Marks]:
    marks: dict[str, Marks] = defaultdict(Marks)
    for item in report.errors:
        m = marks[item.doc_id]
        if item.type == "claim":
            if item.kind == "FP":
                m.fp_claims.add(item.pred.get("claim_id"))
            else:
                m.fn_claims.append(item.gold)
        elif item.kind == "FP":
            m.fp.add((item.type, item.pred["start"], item.pred["end"]))
        elif item.kind == "FN":
            m.fn.append({"type": item.type, **item.gold})
        else:
            m.wrong[(item.type, item.pred["start"], item.pred["end"])] = item.gold
    return marks


@dataclass
class Span:
    start: int
    end: int
    open: str
    close: str
    rank: int  # at equal spans, a lower rank opens first (stays outside)


def highlight(text: str, spans: list[Span]) -> str:
    """The text with the spans' tags inserted at their offsets, escaped between them.

    Spans nest as far as they can; a span that starts inside another and runs past its end is
    cut at that end (its element keeps the full offsets in data-start/data-end).
    """
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, str]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.rank)):
        while stack and stack[-1][0] <= span.start:
            end, close = stack.pop()
            out += [esc(text[pos:end]), close]
            pos = end
        out.append(esc(text[pos:span.start]))
        pos = span.start
        end = min(span.end, stack[-1][0]) if stack else span.end
        out.append(span.open)
        stack.append((end, span.close))
    while stack:
        end, close = stack.pop()
        out += [esc(text[pos:end]), close]
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


class DocumentView:
    """One document: its anchors (span -> element id) and its HTML."""

    def __init__(self, index: int, doc: dict, entities: list[dict], claims: list[dict],
                 marks: Marks | None, in_conflict: bool):
        self.index, self.doc, self.entities, self.claims = index, doc, entities, claims
        self.marks, self.in_conflict = marks, in_conflict
        self.anchors: dict[tuple[int, int], str] = {}
        self._ids: set[str] = set()
        text = doc.get("text")
        size = len(text) if isinstance(text, str) else float("inf")
        self.entities = entities = [m for m in entities if 0 <= m.get("start", -1) < m.get("end", -1) <= size]
        self.mention_spans = [self._mention(m) for m in sorted(entities, key=lambda m: (m["start"], -m["end"]))]
        for c in claims:  # a claim value that is not among the entities still gets an anchor
            value = c.get("value") or {}
            if (0 <= value.get("start", -1) < value.get("end", -1) <= size
                    and (value["start"], value["end"]) not in self.anchors):
                self.mention_spans.append(self._span(value, "value-only", "span", "claim value", rank=3))
        self.fn_spans = [self._span(g, "fn", "span", "missed (gold): " + show_value(g), rank=2, prefix="g")
                         for g in (marks.fn if marks else []) if 0 <= g["start"] < g["end"] <= size]

    def _id(self, start: int, end: int, prefix: str = "m") -> str:
        base = f"{prefix}-{self.index}-{start}-{end}"
        ident, n = base, 1
        while ident in self._ids:
            n += 1
            ident = f"{base}-{n}"
        self._ids.add(ident)
        if prefix == "m":
            self.anchors.setdefault((start, end), ident)
        return ident

    def _span(self, m: dict, cls: str, tag: str, title: str, rank: int, prefix: str = "m") -> Span:
        ident = self._id(m["start"], m["end"], prefix)
        kind = m.get("type") or ""
        attrs = (f' id="{ident}" class="{esc(cls)}" data-type="{esc(kind)}" data-value="{esc(data_value(m))}"'
                 f' data-start="{m["start"]}" data-end="{m["end"]}" title="{esc(kind + ": " + title)}"')
        return Span(m["start"], m["end"], f"<{tag}{attrs}>", f"</{tag}>", rank)

    def _mention(self, m: dict) -> Span:
        key = (m.get("type"), m["start"], m["end"])
        classes, title = [str(m.get("type"))], show_value(m)
        if self.marks and key in self.marks.fp:
            classes.append("fp")
            title += " (false positive)"
        if self.marks and key in self.marks.wrong:
            classes.append("wrong")
            title += f" (gold value: {show_value(self.marks.wrong[key])})"
        return self._span(m, " ".join(classes), "mark", title, rank=1)

    def link(self, m: dict | None, text: str | None = None) -> str:
        """A link to the element of a span of this document (plain text where there is none)."""
        if not m or "start" not in m:
            return ""
        shown = esc(text if text is not None else m.get("text", ""))
        ident = self.anchors.get((m["start"], m["end"]))
        return f'<a href="#{ident}">{shown}</a>' if ident else shown

    def html(self) -> str:
        doc, i = self.doc, self.index
        text = doc.get("text")
        if isinstance(text, str):
            junk = [Span(s, e, '<span class="junk" title="page junk">', "</span>", 0)
                    for s, e in doc.get("junk") or [] if 0 <= s < e <= len(text)]
            body = highlight(text, [*junk, *self.mention_spans, *self.fn_spans])
        else:  # a run made with --no-text: list the mentions instead
            body = "<em>The run did not keep the text.</em><ul>" + "".join(
                f'<li>{s.open}{esc(m.get("text"))}{s.close}</li>'
                for s, m in zip(self.mention_spans, sorted(self.entities, key=lambda m: (m["start"], -m["end"]))))
            body += "</ul>"
        counts = Counter(m.get("type") for m in self.entities)
        badges = "".join(f'<span class="badge">{n} {esc(t)}</span>' for t, n in sorted(counts.items()))
        badges += f'<span class="badge">{len(self.claims)} claims</span>'
        if self.in_conflict:
            badges += '<span class="badge conflict">conflict</span>'
        errors = self.marks.count if self.marks else 0
        if errors:
            badges += f'<span class="badge err">{errors} eval errors</span>'
        key = f"{doc.get('doc_id')} {doc.get('title') or ''}".lower()
        source = doc.get("source") or ""
        source_html = (f'<a href="{esc(source)}" rel="noreferrer">{esc(source)}</a>'
                       if source.startswith(("http://", "https://")) else esc(source))
        title = f" — {esc(doc['title'])}" if doc.get("title") else ""
        return (
            f'<details class="doc" id="d-{i}" data-key="{esc(key)}" data-claims="{len(self.claims)}" '
            f'data-conflict="{int(self.in_conflict)}" data-errors="{errors}">'
            f"<summary><b>{esc(doc.get('doc_id'))}</b>{title} <span class=\"muted\">"
            f"{esc(doc.get('published') or 'no date')}</span>{badges}</summary>"
            f'<div class="muted" style="padding:.3em .8em 0">source: {source_html} · sha256 '
            f"{esc((doc.get('text_sha256') or '')[:12])}…</div>"
            f'<div class="docbody"><div class="text">{body}</div>{self._claims_html()}</div></details>')

    def _claims_html(self) -> str:
        items = []
        for c in sorted(self.claims, key=lambda c: ((c.get("value") or {}).get("start", 0))):
            fp = self.marks is not None and c.get("claim_id") in self.marks.fp_claims
            attrs = ' class="claim fp" title="false positive (gold)"' if fp else ' class="claim"'
            items.append(f"<li{attrs}>{self._claim(c)}</li>")
        for g in self.marks.fn_claims if self.marks else []:
            items.append(f'<li class="claim fn" title="missed gold claim">missed: {self._claim(g)}</li>')
        inner = f"<ol>{''.join(items)}</ol>" if items else '<p class="muted">no claims</p>'
        return f'<aside class="claims"><h3>Claims</h3>{inner}</aside>'

    def _claim(self, c: dict) -> str:
        subject, value = c.get("subject") or {}, c.get("value") or {}
        parts = [f"<b>{self.link(subject)}</b>"]
        if subject.get("name") and subject.get("name") != subject.get("text"):
            parts.append(f'<span class="muted">({esc(subject["name"])})</span>')
        parts.append(f"· {esc(c.get('metric'))}: {self.link(value)} "
                     f'<span class="muted">{esc(show_value(value))}</span>')
        alternatives = [self.link(a) for a in c.get("alternatives") or []]
        if alternatives:
            parts.append(f"= {', '.join(alternatives)}")
        if c.get("change"):
            sign = "+" if c["change"].get("direction") == "increase" else "−"
            parts.append(f"· change {sign}{self.link(c['change'])}")
        if c.get("period"):
            parts.append(f"· period {self.link(c['period'])} "
                         f'<span class="muted">{esc(show_value({**c["period"], "type": "DATE"}))}</span>')
        return " ".join(parts)


# --- sections -----------------------------------------------------------------------------

def _overview(run, facts: list[dict], errors: list[dict], manifest: dict) -> str:
    mentions = Counter(m.get("type") for ms in run.entities.values() for m in ms)
    statuses = Counter(f.get("status") for f in facts)
    cards = [("documents", len(run.documents)), *((f"{t} mentions", mentions.get(t, 0)) for t in TYPES),
             ("claims", sum(map(len, run.claims.values()))), ("facts", len(facts)),
             ("conflicts", statuses.get("conflict", 0)), ("agreed", statuses.get("agreed", 0)),
             ("errors", len(errors))]
    html = "".join(f'<div class="card"><b>{n:,}</b>{esc(label)}</div>' for label, n in cards)
    meta = (f"run folder {esc(run.path)} · claims {esc(manifest.get('version', '?'))} · started "
            f"{esc(manifest.get('started', '?'))} · stages {esc(', '.join(manifest.get('stages') or []))}")
    return (f'<section id="overview"><h2>Overview</h2><p class="muted">{meta}</p>'
            f'<div class="cards">{html}</div></section>')


def _subject_key(subject: dict) -> tuple[str, str]:
    from pipeline.consolidate import company_key

    return company_key(subject), subject.get("name") or subject.get("text") or "?"


def _charts(run, views: dict[str, DocumentView]) -> str:
    from pipeline.consolidate import family, usd, value_kind

    claims = [c for cs in run.claims.values() for c in cs]
    per_company: Counter = Counter()
    names: dict[str, str] = {}
    series: dict[tuple, list[dict]] = defaultdict(list)
    for c in claims:
        key, name = _subject_key(c.get("subject") or {})
        per_company[key] += 1
        names.setdefault(key, name)
        point = _point(c, run, views, usd, value_kind)
        if point:
            series[(key, family(c), point.pop("kind"))].append(point)
    bars = bar_chart([(names[k], n) for k, n in per_company.most_common(MAX_BARS)],
                     f"claims per company (top {min(MAX_BARS, len(per_company))} of {len(per_company)})")
    ranked = sorted((s for s in series.items() if len(s[1]) >= 2),
                    key=lambda s: (-len({p["source"] for p in s[1]}), -len(s[1]), names[s[0][0]], s[0][1]))
    lines = [timeline_chart(f"{names[key]}: {fam}", "USD" if kind == "MONEY" else "percent",
                            sorted(points, key=lambda p: p["when"]))
             for (key, fam, kind), points in ranked[:MAX_TIMELINES]]
    note = ("<p class=\"muted\">Values over time: one dot per claim at its period's end (else its "
            "document's publication date), coloured by source; money in US dollars. Click a dot "
            "to see the span.</p>")
    lines = "".join(lines) or '<p class="muted">no company has two dated values</p>'
    return f'<section id="charts"><h2>Charts</h2>{note}<div class="charts">{bars}{lines}</div></section>'


def _point(c: dict, run, views: dict[str, DocumentView], usd, value_kind) -> dict | None:
    value = c.get("value") or {}
    kind = value_kind(c)
    if kind == "MONEY":
        y, _ = usd(value, c.get("alternatives") or [])
    else:
        y = value.get("percent")
    period = c.get("period") or {}
    when = period.get("end_date") or (run.documents.get(c.get("doc_id")) or {}).get("published")
    if y is None or not when:
        return None
    try:
        day = date.fromisoformat(str(when)[:10])
    except ValueError:
        return None
    view = views.get(c.get("doc_id"))
    ident = view.anchors.get((value.get("start"), value.get("end"))) if view else None
    label = f"{c.get('doc_id')}: “{value.get('text')}” = {show_value(value)} ({when})"
    return {"kind": kind, "when": day, "y": float(y), "source": c.get("doc_id"), "label": label,
            "href": f"#{ident}" if ident else None}


def _evidence(entries: list[dict], views: dict[str, DocumentView]) -> str:
    """The spans that state a value, grouped by document: links to each span and to its document."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for e in entries:
        by_doc[e.get("doc_id")].append(e)
    groups = []
    for doc_id, spans in by_doc.items():
        view = views.get(doc_id)
        published = f" ({spans[0]['published']})" if spans[0].get("published") else ""
        head = (f'<a class="muted" href="#d-{view.index}">{esc(doc_id)}</a>' if view else esc(doc_id))
        links = []
        for e in spans:
            shown = f"“{e.get('text')}”"
            link = view.link(e, shown) if view else esc(shown)
            if e.get("period_inherited"):
                link += '<sup class="muted" title="period inherited: the sentence names none">*</sup>'
            links.append(link)
        groups.append(f'{head}<span class="muted">{esc(published)}</span>: {", ".join(links)}')
    return "; ".join(groups)


def _fact(f: dict, views: dict[str, DocumentView]) -> str:
    period = f.get("period") or {}
    when = f"{period.get('start_date')}..{period.get('end_date')}" if period else "no period"
    evidence = defaultdict(list)
    for e in f.get("evidence") or []:
        evidence[e.get("claim_id")].append(e)
    values = []
    for v in f.get("values") or []:
        usd_note = f" ≈ USD {amount(v['usd'])}" if v.get("usd") and v.get("currency") != "USD" else ""
        spans = [e for cid in v.get("claim_ids") or [] for e in evidence.get(cid, [])]
        values.append(f"<li><b>{esc(show_value(v))}</b>{esc(usd_note)} — {_evidence(spans, views)}</li>")
    status = f.get("status") or "single"
    return (f'<div class="fact {esc(status)}" id="f-{esc(f.get("fact_id"))}"><span class="status {esc(status)}">'
            f"{esc(status)}</span> <b>{esc(f.get('name'))}</b> · {esc(f.get('metric'))} "
            f"({esc(f.get('value_type', ''))}) · {esc(when)}<ul>{''.join(values)}</ul></div>")


def _facts(facts: list[dict], views: dict[str, DocumentView]) -> str:
    conflicts = [f for f in facts if f.get("status") == "conflict"]
    others = [f for f in facts if f.get("status") != "conflict"]
    body = "".join(_fact(f, views) for f in conflicts) or '<p class="muted">no conflicts</p>'
    rest = "".join(_fact(f, views) for f in others)
    return (f'<section id="facts"><h2>Facts</h2><h3 id="conflicts">Conflicts ({len(conflicts)})</h3>'
            f"<p class=\"muted\">Sources that disagree on a company's quantity; each value links to "
            f"the spans that state it.</p>{body}"
            f"<details><summary>Agreed and single facts ({len(others)})</summary>{rest}</details></section>")


def _f3(x: object) -> str:
    return "-" if x is None else f"{x:.3f}"


def _eval(report: Report) -> str:
    data = report.to_dict()
    entity_rows = [[row, r["gold"], r["pred"], *(_f3(r[b][k]) for b in ("exact", "overlap")
                                                  for k in ("precision", "recall", "f1")),
                    _f3(r["normalization"]["accuracy"]), r["normalization"]["n"]]
                   for row, r in data["entities"].items()]
    claim_rows = [[mode, r["gold"], r["pred"], r["tp"], _f3(r["precision"]), _f3(r["recall"]), _f3(r["f1"])]
                  for mode, r in data["claims"].items()]
    missing = (f"<p>Missing from the run (all false negatives): {esc(', '.join(report.missing_docs))}</p>"
               if report.missing_docs else "")
    legend = ('<p class="legend"><span class="key MONEY fp">false positive</span> '
              '<span class="key MONEY wrong">wrong value</span> <span class="fn">missed (false negative)</span>'
              "</p>")
    return (f'<section id="eval"><h2>Evaluation against gold</h2><p>Documents scored: {data["documents"]}</p>'
            f"{missing}<h3>Entities</h3>"
            + table(["", "gold", "pred", "exact P", "exact R", "exact F1", "overlap P", "overlap R",
                     "overlap F1", "norm acc", "norm n"], entity_rows, set(range(1, 11)))
            + "<h3>Claims</h3>"
            + table(["", "gold", "pred", "tp", "P", "R", "F1"], claim_rows, set(range(1, 7)))
            + f"{legend}<details><summary>as text (claims eval)</summary><pre>{esc(format_tables(report))}</pre>"
            "</details></section>")


def _errors(errors: list[dict], views: dict[str, DocumentView]) -> str:
    if not errors:
        return '<section id="errors"><h2>Errors</h2><p class="muted">none</p></section>'
    rows = []
    for e in errors:
        view = views.get(e.get("doc_id"))
        doc = Raw(f'<a href="#d-{view.index}">{esc(e.get("doc_id"))}</a>') if view else e.get("doc_id")
        rows.append([doc, e.get("source"), e.get("stage"), e.get("error"), e.get("message")])
    opened = " open" if len(errors) <= 20 else ""
    return (f'<section id="errors"><h2>Errors ({len(errors)})</h2><details{opened}><summary>inputs that '
            f"failed</summary>{table(['document', 'source', 'stage', 'error', 'message'], rows)}"
            "</details></section>")


def build(run_dir: Path, gold_paths: list[Path] | None = None, page_size: int = PAGE_SIZE) -> str:
    """The report page of a run folder (with eval marks when gold files are given)."""
    run = load_run(Path(run_dir))
    try:
        manifest = json.loads((run.path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    errors = _read_jsonl(run.path / "errors.jsonl")
    facts = load_facts(run)
    report = None
    marks: dict[str, Marks] = {}
    if gold_paths:
        gold = load_gold([Path(p) for p in gold_paths], run.texts())
        report = evaluate(gold, run)
        marks = gold_marks(report)
    conflicted = {e.get("doc_id") for f in facts if f.get("status") == "conflict" for e in f.get("evidence") or []}
    views = {doc_id: DocumentView(i, doc, run.entities.get(doc_id, []), run.claims.get(doc_id, []),
                                  (marks.get(doc_id) or Marks()) if report else None, doc_id in conflicted)
             for i, (doc_id, doc) in enumerate(run.documents.items())}
    legend = ('<p class="legend"><span class="key MONEY">MONEY</span> <span class="key PERCENT">PERCENT</span> '
              '<span class="key DATE">DATE</span> <span class="key COMPANY">COMPANY</span> '
              '<span class="junk">page junk</span> — hover a mention for its normalized value</p>')
    documents = (f'<section id="documents"><h2>Documents ({len(views)})</h2>{legend}'
                 f"{documents_toolbar(report is not None)}"
                 + "\n".join(v.html() for v in views.values()) + "</section>")
    sections = [_overview(run, facts, errors, manifest), _charts(run, views), _facts(facts, views)]
    nav = [("overview", "overview"), ("charts", "charts"), ("conflicts", "conflicts")]
    if report is not None:
        sections.append(_eval(report))
        nav.append(("eval", "eval"))
    sections += [_errors(errors, views), documents]
    nav += [("errors", "errors"), ("documents", "documents")]
    return page(f"claims report: {run.path.name}", nav, sections, page_size)


def main(run_dir: Path, out: Path, gold_paths: list[Path] | None = None) -> int:
    """`claims report`: write the page; 2 when the run or a gold file is unusable."""
    try:
        html = build(run_dir, gold_paths)
    except (RunError, GoldError) as e:
        print(f"claims report: {e}", file=sys.stderr)
        return 2
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, html)
    print(f"wrote {out} ({len(html.encode('utf-8')) / 1024:,.0f} KiB)", file=sys.stderr)
    return 0
