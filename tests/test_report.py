"""`claims report`: one self-contained HTML page over a run, checked as text and in a real browser.

The browser tests drive Debian's chromium (/usr/bin/chromium) with Playwright (the `report-test`
extra); they are skipped, saying why, only where Playwright or chromium cannot be found.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, SEEDS, read_jsonl
from pipeline.cli import main
from pipeline.report import Span, build, highlight

# Debian's chromium, or the binary that CLAIMS_CHROMIUM names
CHROMIUM = os.environ.get("CLAIMS_CHROMIUM") or next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
     if p and Path(p).is_file()), None)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A real run over the corpus inputs (two of whose articles disagree: conflicts)."""
    out = tmp_path_factory.mktemp("report") / "run"
    inputs = [CORPUS / "input", *sorted(SEEDS.glob("*.txt"))]
    assert main(["extract", *map(str, inputs), "-o", str(out), "--workers", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def gold_paths():
    return [p for p in (CORPUS / "gold.jsonl", SEEDS / "gold.jsonl") if p.is_file()]


@pytest.fixture(scope="module")
def report(run, gold_paths, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-html") / "report.html"
    assert main(["report", str(run), "-o", str(out), *(a for p in gold_paths for a in ("--gold", str(p)))]) == 0
    return out


def _count(run: Path, kind: str) -> int:
    return sum(e["type"] == kind for e in read_jsonl(run / "entities.jsonl"))


# --- the page as text ----------------------------------------------------------------------

def test_report_highlight_inserts_tags_at_offsets_and_escapes_text():
    text = 'A&B <C> "D"'
    html = highlight(text, [Span(4, 7, "<u>", "</u>", 1), Span(0, 3, "<i>", "</i>", 1)])
    assert html == "<i>A&amp;B</i> <u>&lt;C&gt;</u> &quot;D&quot;"


def test_report_highlight_nests_and_cuts_crossing_spans():
    text = "abcdefghij"
    html = highlight(text, [Span(0, 6, "[", "]", 1), Span(2, 4, "(", ")", 1), Span(4, 9, "{", "}", 1)])
    assert html == "[ab(cd){ef}]ghij"  # {4-9} starts inside [0-6] and is cut at its end


def test_report_is_self_contained_and_highlights_every_mention(run, report):
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in html
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", html)
    assert "@import" not in html and "url(" not in html
    for kind in ("MONEY", "PERCENT", "DATE", "COMPANY"):
        assert len(re.findall(rf'<mark [^>]*class="{kind}\b', html)) == _count(run, kind), kind
    assert _count(run, "MONEY") > 50
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids are unique"
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets and targets <= set(ids), "every link inside the page has its target"
    documents = read_jsonl(run / "documents.jsonl")
    assert html.count('<details class="doc"') == len(documents)
    assert any(d.get("junk") for d in documents) and 'class="junk"' in html


def test_report_marks_follow_the_offsets(run, report):
    """Every mark's id and data-start/data-end are its entity's offsets, and its text is the span's."""
    html = report.read_text(encoding="utf-8")
    index = {d["doc_id"]: i for i, d in enumerate(read_jsonl(run / "documents.jsonl"))}
    marks = {m.group(1): m.group(2) for m in re.finditer(r'<mark id="([^"]+)"[^>]*>([^<]*)</mark>', html)}
    checked = 0
    for e in read_jsonl(run / "entities.jsonl"):
        ident = f"m-{index[e['doc_id']]}-{e['start']}-{e['end']}"
        if ident in marks:  # marks with nested elements are left to the browser test
            assert marks[ident] == e["text"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
                .replace('"', "&quot;").replace("'", "&#x27;"), ident
            checked += 1
    assert checked > 500


def test_report_lists_conflicts_first_with_links_to_their_evidence(run, report):
    html = report.read_text(encoding="utf-8")
    facts = html[html.index('id="facts"'):html.index('id="documents"')]
    first = facts.index('class="fact ')
    assert facts[first:].startswith('class="fact conflict"')
    assert re.search(r'class="fact conflict".*?<a class="muted" href="#d-\d+">nimbus-grid-capex-b</a>.*?'
                     r'<a href="#m-\d+-\d+-\d+">“\$12 billion”</a>', facts)


def test_report_consolidates_when_facts_are_missing_and_reads_them_when_present(run, tmp_path):
    assert not (run / "facts.jsonl").exists()
    without = build(run)
    assert 'class="fact conflict"' in without
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    assert main(["consolidate", str(copy)]) == 0
    facts = read_jsonl(copy / "facts.jsonl")
    assert build(copy).count('class="fact ') == len(facts)
    stale = {**facts[0], "status": "conflict", "evidence": [{**facts[0]["evidence"][0], "claim_id": "gone"}]}
    (copy / "facts.jsonl").write_text(json.dumps(stale) + "\n", encoding="utf-8")
    assert build(copy).count('class="fact ') == len(facts), "facts of an earlier run are made again"


def test_report_of_a_run_without_text_lists_the_mentions(tmp_path):
    out = tmp_path / "run"
    assert main(["extract", str(CORPUS / "input" / "sk-hynix-won.txt"), "-o", str(out), "--no-text",
                 "--workers", "1"]) == 0
    html = build(out)
    assert "did not keep the text" in html
    assert len(re.findall(r'<mark [^>]*class="MONEY', html)) == _count(out, "MONEY") > 5


def test_report_with_gold_shows_the_eval_tables(report):
    html = report.read_text(encoding="utf-8")
    assert 'id="eval"' in html and "exact F1" in html and "Documents scored" in html
    assert "<pre>Documents scored" in html  # the `claims eval` tables as text too


def test_report_with_gold_marks_false_positives_negatives_and_wrong_values(run, tmp_path):
    """A gold made from the corpus gold by dropping one MONEY, adding one and changing one."""
    records = read_jsonl(CORPUS / "gold.jsonl")
    doc = next(r for r in records if r["doc_id"] == "sk-hynix-won")
    money = [e for e in doc["entities"] if e["type"] == "MONEY"]
    dropped, changed = money[0], money[1]
    doc["entities"].remove(dropped)
    changed["amount"] *= 2
    words = re.search(r"\bmemory chips\b", doc["text"])
    doc["entities"].append({"type": "MONEY", "text": words.group(), "start": words.start(), "end": words.end(),
                            "amount": 1.0, "currency": "USD", "approximate": False})
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    html = build(run, [gold])
    index = [d["doc_id"] for d in read_jsonl(run / "documents.jsonl")].index("sk-hynix-won")
    at = lambda m: f'id="m-{index}-{m["start"]}-{m["end"]}"'  # noqa: E731
    assert re.search(at(dropped) + r' class="MONEY fp"', html), "a false positive is marked"
    assert re.search(at(changed) + r' class="MONEY wrong"', html), "a wrong value is marked"
    assert (f'<span id="g-{index}-{words.start()}-{words.end()}" class="fn" data-type="MONEY"' in html
            and f">{words.group()}</span>" in html), "a missed gold mention is marked in the text"
    summary = re.search(rf'<details class="doc" id="d-{index}" [^>]*data-errors="(\d+)"', html)
    assert int(summary.group(1)) >= 3, "the document counts its eval errors"


def test_report_refuses_an_incomplete_run_and_a_bad_gold(tmp_path, run, capsys):
    assert main(["report", str(tmp_path / "nothing"), "-o", str(tmp_path / "r.html")]) == 2
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"doc_id": 1}\n', encoding="utf-8")
    assert main(["report", str(run), "-o", str(tmp_path / "r.html"), "--gold", str(bad)]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_report_size_grows_linearly(run, tmp_path):
    """A run of the same documents four times over gives about four times the page."""
    def copies(n: int) -> Path:
        out = tmp_path / f"x{n}"
        out.mkdir()
        shutil.copy(run / "manifest.json", out / "manifest.json")
        for name in ("documents", "entities", "claims", "errors"):
            rows = read_jsonl(run / f"{name}.jsonl")
            with (out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
                for k in range(n):
                    for r in rows:
                        extra = {"claim_id": f"{r['claim_id']}-{k}"} if "claim_id" in r else {}
                        f.write(json.dumps({**r, **extra, "doc_id": f"{r.get('doc_id')}~{k}"}) + "\n")
        return out

    one, four = len(build(copies(1))), len(build(copies(4)))
    assert 3.3 < four / one < 4.4, (one, four)


# --- in a real browser ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: "
                                   "pip install -e '.[report-test]' to run the browser tests")
    if CHROMIUM is None or not Path(CHROMIUM).is_file():
        pytest.skip(f"chromium not found at {CHROMIUM}: apt-get install chromium to run the browser tests")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


def _open(browser, path: Path, width: int = 1280, height: int = 800):
    """A page showing the report, with the console errors and the requests it made."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    view = page.viewport_size
    return (box is not None and box["width"] > 0 and 0 <= box["y"] and box["y"] + box["height"] <= view["height"]
            and 0 <= box["x"] and box["x"] + box["width"] <= view["width"])


def test_report_in_browser_shows_highlights_without_errors(browser, run, report):
    page, problems, requests = _open(browser, report)
    assert page.locator("mark.MONEY").count() == _count(run, "MONEY")
    assert page.locator("mark.PERCENT").count() == _count(run, "PERCENT")
    assert page.locator("details.doc[open]").count() == 0, "documents start collapsed"
    mark = page.locator("mark.MONEY").first
    assert re.fullmatch(r"MONEY: .+", mark.get_attribute("title")) and mark.get_attribute("data-value")
    assert page.locator("svg rect").count() > 3 and page.locator("svg circle").count() > 3
    assert [u for u in requests if not u.startswith("file:")] == []
    assert problems == []
    page.close()


def test_report_in_browser_evidence_link_opens_and_scrolls_to_the_span(browser, report):
    page, problems, _ = _open(browser, report)
    link = page.locator(".fact.conflict a[href^='#m-']").last
    target = link.get_attribute("href")
    doc = page.locator(f"details.doc:has({target})")
    assert doc.get_attribute("open") is None and not _in_view(page, target)
    link.click()
    assert doc.get_attribute("open") is not None
    assert _in_view(page, target), "the evidence span is scrolled into the viewport"
    # the browser's own highlighting agrees with the offsets: the element holds the span's text
    assert page.locator(target).inner_text() == link.inner_text().strip("“”")
    assert problems == []
    page.close()


def test_report_in_browser_pages_documents_and_finds_a_span_on_another_page(browser, run, tmp_path):
    out = tmp_path / "paged.html"
    out.write_text(build(run, page_size=3), encoding="utf-8")
    page, problems, _ = _open(browser, out, height=700)
    documents = len(read_jsonl(run / "documents.jsonl"))
    assert page.locator("details.doc:not([hidden])").count() == 3
    assert f"page 1 of {-(-documents // 3)}" in page.locator("#doc-page").inner_text()
    page.click("#doc-next")
    assert page.locator("details.doc:not([hidden])").count() == 3
    assert "page 2 of" in page.locator("#doc-page").inner_text()
    page.fill("#doc-filter", "nimbus-grid")
    assert page.locator("details.doc:not([hidden])").count() == 2
    page.fill("#doc-filter", "zzz-no-such-doc")
    links = page.locator(".fact.conflict a[href^='#m-']")
    target = links.first.get_attribute("href")
    links.first.click()  # on a page the filter hides: the filter is cleared and its page shown
    assert page.locator(target).is_visible() and _in_view(page, target)
    assert problems == []
    page.close()
