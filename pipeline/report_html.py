"""The page around `claims report`: styles, the small paging script and inline SVG charts.

Everything the page needs is in the file itself: no font, style sheet, script or image is
loaded from anywhere (the Content-Security-Policy below forbids it), so a report can be
mailed or opened offline. All text put into the page goes through ``esc``.
"""

from __future__ import annotations

from datetime import date
from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")
PAGE_SIZE = 50  # documents per page


def esc(value: object) -> str:
    """Text or an attribute value, escaped (quotes included)."""
    return escape("" if value is None else str(value), quote=True)


CSS = """
:root { --money:#d8f3dc; --percent:#dbeafe; --date:#ffedd5; --company:#ede9fe; --ink:#1f2933; }
* { box-sizing: border-box; }
[id] { scroll-margin-top: 3em; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0; background: #f7f7f8; }
header.top { position: sticky; top: 0; z-index: 5; background: #1f2933; color: #fff; padding: .4em 1em;
             display: flex; gap: 1.5em; align-items: baseline; flex-wrap: wrap; }
header.top h1 { font-size: 1.05em; margin: 0; }
header.top a { color: #cde; text-decoration: none; margin-right: 1em; }
main { max-width: 1280px; margin: 0 auto; padding: 0 1em 4em; }
section { background: #fff; border: 1px solid #e3e5e8; border-radius: 6px; margin: 1em 0; padding: .6em 1.1em; }
h2 { font-size: 1.2em; margin: .4em 0 .6em; }
h3 { font-size: 1em; margin: .8em 0 .3em; }
table { border-collapse: collapse; font-size: .9em; margin: .3em 0 .8em; }
th, td { border-bottom: 1px solid #e8e8ea; padding: .2em .6em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: .6em; }
.card { border: 1px solid #e3e5e8; border-radius: 6px; padding: .4em .8em; min-width: 7.5em; }
.card b { display: block; font-size: 1.4em; }
.charts { display: flex; flex-wrap: wrap; gap: 1.2em; }
.charts figure { margin: 0; }
.charts figcaption { font-size: .85em; color: #555; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg a:hover circle { stroke: #000; stroke-width: 2; }
.fact { border-left: 4px solid #e15759; padding: .2em .8em; margin: .6em 0; background: #fffafa; }
.fact.agreed { border-color: #59a14f; background: #f8fff8; }
.fact.single { border-color: #bab0ac; background: #fafafa; }
.fact ul { margin: .2em 0; padding-left: 1.2em; }
.status { font-size: .75em; text-transform: uppercase; letter-spacing: .05em; padding: 0 .4em;
          border-radius: 3px; background: #e15759; color: #fff; }
.status.agreed { background: #59a14f; } .status.single { background: #8a8a8a; }
.muted { color: #6b7280; font-size: .9em; }
.toolbar { display: flex; gap: .6em; align-items: center; flex-wrap: wrap; margin: .4em 0 .8em; }
details.doc { border: 1px solid #e3e5e8; border-radius: 6px; margin: .4em 0; background: #fff; }
details.doc > summary { cursor: pointer; padding: .35em .7em; }
details.doc[open] > summary { border-bottom: 1px solid #e3e5e8; background: #fafbfc; }
.badge { font-size: .78em; background: #eef0f3; border-radius: 3px; padding: 0 .35em; margin-left: .3em; }
.badge.conflict { background: #e15759; color: #fff; } .badge.err { background: #b91c1c; color: #fff; }
.docbody { display: grid; grid-template-columns: minmax(0, 3fr) minmax(16em, 2fr); gap: 1em; padding: .6em .8em; }
@media (max-width: 800px) { .docbody { grid-template-columns: 1fr; } }
.text { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.7; }
aside.claims { position: sticky; top: 2.6em; align-self: start; max-height: calc(100vh - 3.5em); overflow: auto; }
aside.claims ol { padding-left: 1.3em; margin: .2em 0; }
aside.claims li { margin-bottom: .45em; font-size: .9em; }
mark, .key { border-radius: 3px; padding: 0 1px; color: inherit; }
.MONEY { background: var(--money); } .PERCENT { background: var(--percent); }
.DATE { background: var(--date); } .COMPANY { background: var(--company); }
.junk { opacity: .4; font-style: italic; }
.value-only { text-decoration: underline dotted; }
.fp { outline: 2px solid #dc2626; }
.wrong { outline: 2px dashed #f59e0b; }
.fn { background: #fee2e2; border-bottom: 2px dashed #dc2626; }
li.fn { list-style-type: "✗ "; color: #991b1b; background: none; border: 0; }
.flash { animation: flash 1.6s ease-out; }
@keyframes flash { 0%, 40% { box-shadow: 0 0 0 4px #facc15; } 100% { box-shadow: 0 0 0 0 transparent; } }
.legend span { margin-right: .8em; }
pre { background: #f6f8fa; padding: .6em; overflow-x: auto; font-size: .85em; }
"""

# Paging and filtering of the documents, and links that open a collapsed document (and the
# page it is on) before scrolling to a mention. Without the script every document is listed.
SCRIPT = """
(function () {
  "use strict";
  var PAGE = %(page)d;
  var docs = Array.prototype.slice.call(document.querySelectorAll("details.doc"));
  var shown = docs, page = 0;
  var q = document.getElementById("doc-filter"), kind = document.getElementById("doc-kind");
  var label = document.getElementById("doc-page");
  function pages() { return Math.max(1, Math.ceil(shown.length / PAGE)); }
  function apply() {
    var on = new Set(shown.slice(page * PAGE, (page + 1) * PAGE));
    docs.forEach(function (d) { d.hidden = !on.has(d); });
    label.textContent = "page " + (page + 1) + " of " + pages() + " (" + shown.length + " documents)";
  }
  function filter() {
    var words = q.value.toLowerCase().trim(), k = kind.value;
    shown = docs.filter(function (d) {
      return (!words || d.dataset.key.indexOf(words) >= 0) && (k === "all" || d.dataset[k] !== "0");
    });
    page = 0; apply();
  }
  function reveal(el) {
    var doc = el.closest("details.doc");
    if (doc && doc.hidden) {
      if (shown.indexOf(doc) < 0) { q.value = ""; kind.value = "all"; shown = docs; }
      page = Math.floor(shown.indexOf(doc) / PAGE); apply();
    }
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
    var span = !!(doc || el.closest("svg"));  // a mention: centred and flashed; a heading: on top
    el.scrollIntoView({block: span ? "center" : "start", inline: "nearest"});
    if (span) { el.classList.remove("flash"); void el.getBoundingClientRect(); el.classList.add("flash"); }
  }
  function target(hash) {
    try { return hash.length > 1 ? document.getElementById(decodeURIComponent(hash.slice(1))) : null; }
    catch (e) { return null; }
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[href^='#']");
    if (!a) return;
    var el = target(a.getAttribute("href"));
    if (!el) return;
    ev.preventDefault();
    reveal(el);
    try { history.replaceState(null, "", a.getAttribute("href")); } catch (e) { /* file: URLs */ }
  });
  document.getElementById("doc-prev").addEventListener("click", function () {
    if (page > 0) { page--; apply(); }
  });
  document.getElementById("doc-next").addEventListener("click", function () {
    if (page < pages() - 1) { page++; apply(); }
  });
  document.getElementById("doc-open").addEventListener("click", function () {
    docs.forEach(function (d) { if (!d.hidden) d.open = true; });
  });
  document.getElementById("doc-close").addEventListener("click", function () {
    docs.forEach(function (d) { d.open = false; });
  });
  q.addEventListener("input", filter);
  kind.addEventListener("change", filter);
  document.getElementById("doc-nav").hidden = false;
  apply();
  var start = target(location.hash);
  if (start) reveal(start);
})();
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def page(title: str, nav: list[tuple[str, str]], sections: list[str], page_size: int = PAGE_SIZE) -> str:
    """The whole HTML document."""
    links = "".join(f'<a href="#{esc(anchor)}">{esc(name)}</a>' for anchor, name in nav)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header class="top"><h1>{esc(title)}</h1><nav>{links}</nav></header>\n<main>\n'
        + "\n".join(sections)
        + f"\n</main>\n<script>{SCRIPT % {'page': page_size}}</script>\n</body></html>\n")


def documents_toolbar(with_gold: bool) -> str:
    """Filter box, kind of document, pager; hidden until the script runs."""
    errors = '<option value="errors">with eval errors</option>' if with_gold else ""
    return (
        '<div class="toolbar" id="doc-nav" hidden>'
        '<input id="doc-filter" type="search" placeholder="filter by id or title" size="28">'
        '<select id="doc-kind"><option value="all">all documents</option>'
        '<option value="claims">with claims</option><option value="conflict">in a conflict</option>'
        f"{errors}</select>"
        '<button id="doc-prev" type="button">◀</button><span id="doc-page"></span>'
        '<button id="doc-next" type="button">▶</button>'
        '<button id="doc-open" type="button">expand page</button>'
        '<button id="doc-close" type="button">collapse all</button></div>')


def table(head: list[str], rows: list[list[object]], numeric: set[int] = frozenset()) -> str:
    """A plain table; cells are escaped unless given as ``Raw``."""
    def cell(tag: str, i: int, value: object) -> str:
        cls = ' class="n"' if i in numeric else ""
        body = value.html if isinstance(value, Raw) else esc(value)
        return f"<{tag}{cls}>{body}</{tag}>"

    out = ["<table><thead><tr>", *(cell("th", i, h) for i, h in enumerate(head)), "</tr></thead><tbody>"]
    for row in rows:
        out += ["<tr>", *(cell("td", i, v) for i, v in enumerate(row)), "</tr>"]
    out.append("</tbody></table>")
    return "".join(out)


class Raw:
    """HTML that is already escaped, for ``table`` cells."""

    def __init__(self, html: str):
        self.html = html


# --- charts ------------------------------------------------------------------------------

def bar_chart(rows: list[tuple[str, int]], title: str, width: int = 520) -> str:
    """Horizontal bars, one per (label, count)."""
    if not rows:
        return f'<figure><figcaption>{esc(title)}: nothing to draw</figcaption></figure>'
    bar, gap, left = 16, 4, 170
    top = max(n for _, n in rows) or 1
    height = len(rows) * (bar + gap) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{esc(title)}">']
    for k, (label, n) in enumerate(rows):
        y = k * (bar + gap) + 4
        w = max(1.0, (width - left - 40) * n / top)
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<g><title>{esc(label)}: {n}</title>'
                     f'<text x="{left - 6}" y="{y + bar - 4}" text-anchor="end">{esc(short)}</text>'
                     f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{PALETTE[0]}"/>'
                     f'<text x="{left + w + 4:.1f}" y="{y + bar - 4}">{n}</text></g>')
    parts.append("</svg>")
    return f"<figure><figcaption><b>{esc(title)}</b></figcaption>{''.join(parts)}</figure>"


def short_number(x: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}"


def timeline_chart(title: str, unit: str, points: list[dict], width: int = 420, height: int = 210) -> str:
    """Values over time: one dot per claim, coloured by its source document, linked to its span.

    A point is {"when": date, "y": float, "source": doc_id, "label": str, "href": "#m-..."}.
    """
    left, right, top, bottom = 56, 12, 10, 24
    sources = list(dict.fromkeys(p["source"] for p in points))
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sources)}
    days = [p["when"].toordinal() for p in points]
    lo_x, hi_x = min(days), max(days)
    if hi_x - lo_x < 30:
        lo_x, hi_x = lo_x - 15, hi_x + 15
    ys = [p["y"] for p in points]
    lo_y, hi_y = min(0.0, min(ys)), max(ys) * 1.12 if max(ys) > 0 else 1.0

    def sx(day: int) -> float:
        return left + (width - left - right) * (day - lo_x) / (hi_x - lo_x)

    def sy(y: float) -> float:
        return top + (height - top - bottom) * (1 - (y - lo_y) / ((hi_y - lo_y) or 1))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{esc(title)}">',
             f'<line x1="{left}" y1="{sy(lo_y):.1f}" x2="{width - right}" y2="{sy(lo_y):.1f}" stroke="#999"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#999"/>']
    for k in range(5):
        y = lo_y + (hi_y - lo_y) * k / 4
        parts.append(f'<text x="{left - 4}" y="{sy(y) + 4:.1f}" text-anchor="end">{esc(short_number(y))}</text>')
    for day, anchor in ((lo_x, "start"), ((lo_x + hi_x) // 2, "middle"), (hi_x, "end")):
        parts.append(f'<text x="{sx(day):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}">'
                     f'{date.fromordinal(day).isoformat()}</text>')
    for p, day in zip(points, days):
        dot = (f'<circle cx="{sx(day):.1f}" cy="{sy(p["y"]):.1f}" r="5" fill="{colour[p["source"]]}" '
               f'fill-opacity=".85"><title>{esc(p["label"])}</title></circle>')
        parts.append(f'<a href="{esc(p["href"])}">{dot}</a>' if p.get("href") else dot)
    parts.append("</svg>")
    legend = "".join(f'<span><svg width="10" height="10"><circle cx="5" cy="5" r="5" fill="{colour[s]}"/>'
                     f'</svg> {esc(s)}</span> ' for s in sources)
    return (f'<figure><figcaption><b>{esc(title)}</b> ({esc(unit)})</figcaption>{"".join(parts)}'
            f'<figcaption class="legend">{legend}</figcaption></figure>')
