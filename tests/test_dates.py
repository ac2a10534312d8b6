"""DATE: every case line of tests/cases/dates.jsonl, the pure resolver, fiscal calendars, and
why not dateparser's search_dates."""

from __future__ import annotations

import pickle
import re
from datetime import date

import pytest

from conftest import case_lines, matched_case, mentions_of
from pipeline import dates, resources, tokens
from pipeline.calendar import Calendar, Context, Unresolved, add_months, resolve
from pipeline.dates import Dates
from pipeline.layout import MONTH
from pipeline.stages import build_pipeline
from pipeline.types import Document, Mention

CASES = case_lines("dates", published=True)
P = date(2025, 12, 23)  # a Tuesday
FIELDS = ("start_date", "end_date", "granularity", "relative")


@pytest.mark.parametrize("case_id, text, span, expected, published", CASES, ids=[c[0] for c in CASES])
def test_dates_cases(case_id, text, span, expected, published):
    found = mentions_of(["money", "percent", "dates"], text, published=published, kind="DATE")
    fields = matched_case(found, text, span)
    if fields is None:
        return
    s, e = span
    got = {k: fields[k] for k in FIELDS}
    assert got == expected, f"wrong value for {text[s:e]!r}: {got}"


def words(text: str) -> list[str]:
    return [t.text for t in tokens.nlp().make_doc(text)]


def value(form: str, text: str, **context) -> tuple:
    out = resolve(form, words(text), Context(**{"published": P, **context}))
    return out["start_date"], out["end_date"], out["granularity"], out["relative"]


def test_dates_resolve_is_pure_on_tokens():
    assert value("year", "2026") == ("2026-01-01", "2026-12-31", "year", False)
    assert value("year", "the end of 2025") == ("2025-01-01", "2025-12-31", "year", False)
    assert value("year-range", "2025-27") == ("2025-01-01", "2027-12-31", "year", False)
    assert value("quarter", "3Q25") == ("2025-07-01", "2025-09-30", "quarter", False)
    assert value("half", "the first half of 2026") == ("2026-01-01", "2026-06-30", "half", False)
    assert value("day", "Dec. 23, 2025") == ("2025-12-23", "2025-12-23", "day", False)
    assert value("decade", "the 2020s") == ("2020-01-01", "2029-12-31", "decade", False)
    assert value("relative-span", "the coming three years") == ("2025-12-23", "2028-12-22", "year", True)
    assert value("relative-span", "the past decade") == ("2015-12-24", "2025-12-23", "decade", True)


def test_dates_resolve_relative_needs_published():
    for form, text in [("relative-unit", "last year"), ("weekday", "Tuesday"), ("month", "August"),
                       ("quarter", "the third quarter"), ("period-ended", "the quarter ended Sept. 30")]:
        with pytest.raises(Unresolved):
            resolve(form, words(text), Context(published=None))
    assert resolve("year", ["2026"], Context(published=None))["relative"] is False


def test_dates_resolve_tense_picks_the_occurrence():
    assert value("month", "June", tense="past")[:2] == ("2025-06-01", "2025-06-30")
    assert value("month", "June", tense="future")[:2] == ("2026-06-01", "2026-06-30")
    assert value("month", "December", tense="future")[:2] == ("2025-12-01", "2025-12-31")
    assert value("day", "Dec. 30", tense="past")[:2] == ("2024-12-30", "2024-12-30")
    assert value("day", "Dec. 30", tense="future")[:2] == ("2025-12-30", "2025-12-30")


def test_dates_resolve_weekday_is_on_or_before_published():
    assert value("weekday", "Tuesday")[0] == "2025-12-23"  # P itself
    assert value("weekday", "Wednesday")[0] == "2025-12-17"
    assert value("weekday", "last Tuesday")[0] == "2025-12-16"
    assert value("weekday", "next Tuesday")[0] == "2025-12-30"


def test_dates_resolve_fiscal_calendars():
    july = Calendar(7)
    assert value("fiscal-year", "FY2026", fiscal=july)[:2] == ("2025-07-01", "2026-06-30")
    assert value("fiscal-year", "fiscal 2026", fiscal=Calendar(2))[:2] == ("2025-02-01", "2026-01-31")
    japan = Calendar(4, "start")  # SoftBank FY2025 = 2025-04-01..2026-03-31
    assert value("fiscal-year", "FY2025", fiscal=japan)[:2] == ("2025-04-01", "2026-03-31")
    assert value("half", "the first half of fiscal 2025", fiscal=japan)[:2] == ("2025-04-01", "2025-09-30")
    assert value("quarter", "the fourth quarter of fiscal 2026", fiscal=Calendar(2))[:2] == \
        ("2025-11-01", "2026-01-31")
    # the most recent such quarter that has started by P, of the calendar in force
    assert value("quarter", "the fiscal third quarter", fiscal=Calendar(2))[:2] == ("2025-08-01", "2025-10-31")
    assert value("quarter", "the fourth quarter", reporting=Calendar(2))[:2] == ("2025-11-01", "2026-01-31")
    assert value("quarter", "the fourth quarter")[:2] == ("2025-10-01", "2025-12-31")
    # an explicit calendar year never follows the fiscal calendar
    assert value("half", "the second half of 2026", fiscal=Calendar(10), reporting=Calendar(10))[:2] == \
        ("2026-07-01", "2026-12-31")
    # "this year" is the calendar year, "this fiscal year" the fiscal one
    assert value("relative-unit", "this year", fiscal=july)[:2] == ("2025-01-01", "2025-12-31")
    assert value("relative-unit", "this fiscal year", fiscal=july)[:2] == ("2025-07-01", "2026-06-30")


def test_dates_resolve_periods_ended():
    assert value("period-ended", "the quarter ended Sept. 30") == ("2025-07-01", "2025-09-30", "quarter", True)
    assert value("period-ended", "the six months ended June 30, 2026") == \
        ("2026-01-01", "2026-06-30", "month", False)
    assert value("period-ended", "the half-year to June 30")[:3] == ("2025-01-01", "2025-06-30", "half")
    assert value("period-ended", "the quarter ending Dec. 31")[:2] == ("2025-10-01", "2025-12-31")


def test_dates_resolve_rejects_what_is_no_date():
    with pytest.raises(ValueError):
        resolve("year-range", words("2025-12"), Context(published=P))
    with pytest.raises(ValueError):
        resolve("no-such-form", ["2026"], Context(published=P))
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)


def test_dates_statements_of_fiscal_calendars():
    text = ("Siemens, whose fiscal year runs from October to September, agreed. The chipmaker's fiscal "
            "year begins in February and ends in January. SoftBank keeps its books on an April-to-March "
            "calendar, so the figures cover fiscal 2025, a year that closes in March 2026.")
    doc = segmented(text)
    found = dates.find_statements(doc, dates.statement_patterns())
    calendars = {(s.calendar.start_month, s.calendar.label, s.recurring) for s in found}
    assert (10, "end", True) in calendars and (2, "end", True) in calendars
    assert (4, "start", True) in calendars and (4, "start", False) in calendars


def test_dates_statement_word_lists_match_as_written_out():
    """{month} in fiscal_calendar.txt is the words of ``layout.MONTH`` (from the word table), and
    ``one_of`` matches what a plain alternation does, a longer word before one it begins."""
    months = sorted(dates.calendar.words_table().months)
    ours = re.compile(dates.one_of(months) + r"\.?", re.I)
    theirs = re.compile(MONTH + r"\.?", re.I)
    samples = {w[:n] + tail for w in months for n in range(1, len(w) + 1) for tail in ("", ".", "x")}
    for text in samples | {"SEPT.", "Mayo", "jUNE"}:
        mine, written = ours.match(text), theirs.match(text)
        assert (mine and mine.group()) == (written and written.group()), text
    fiscal = re.compile(dates.one_of(["fiscal year", "fiscal", "FY"]), re.I)
    found = [fiscal.match(text)[0] for text in ("fiscal year 2025", "fiscal 2025", "FY2025")]
    assert found == ["fiscal year", "fiscal", "FY"]


def segmented(text: str, published: str | None = "2025-12-23") -> Document:
    doc = Document(doc_id="case", text=text, published=published)
    stages = {s.name: s for s in build_pipeline()}
    return stages["sentences"](stages["layout"](doc))


def company(doc: Document, name: str, company_id: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(name, start + 1)
    return Mention("COMPANY", start, start + len(name), {"company_id": company_id, "name": name, "form": "name"})


TINY_KB = {
    "nvidia": {"id": "nvidia", "name": "Nvidia", "parent": None, "fiscal_year_start": 2},
    "sap": {"id": "sap", "name": "SAP", "parent": None, "fiscal_year_start": None},
    "oracle": {"id": "oracle", "name": "Oracle", "parent": None, "fiscal_year_start": 6},
    "softbank": {"id": "softbank", "name": "SoftBank", "parent": None, "fiscal_year_start": 4,
                 "fiscal_year_label": "start"},
}


def dated(text: str, companies: list[tuple[str, str]], published: str = "2025-11-20") -> dict[str, tuple]:
    doc = segmented(text, published)
    doc.mentions += [company(doc, name, cid) for name, cid in companies]
    doc = Dates()(doc)
    return {doc.text[m.start:m.end]: (m.fields["start_date"], m.fields["end_date"])
            for m in doc.mentions if m.type == "DATE"}


def test_dates_fiscal_year_of_the_company_in_the_knowledge_base(monkeypatch):
    monkeypatch.setattr(resources, "companies", lambda: TINY_KB)
    found = dated("Nvidia expects fiscal 2026 revenue to rise in the fourth quarter.", [("Nvidia", "nvidia")])
    assert found["fiscal 2026"] == ("2025-02-01", "2026-01-31")
    assert found["the fourth quarter"] == ("2025-10-01", "2025-12-31")  # no stated calendar: calendar quarter
    found = dated("SoftBank posted a profit in the first half of fiscal 2025.", [("SoftBank", "softbank")])
    assert found["the first half of fiscal 2025"] == ("2025-04-01", "2025-09-30")


def test_dates_stated_calendar_belongs_to_its_company(monkeypatch):
    monkeypatch.setattr(resources, "companies", lambda: TINY_KB)
    text = ("SAP's fourth-quarter revenue rose. Oracle, whose fiscal year runs from June to May, expects "
            "growth in fiscal 2026. SAP expects the first quarter to be weak.")
    found = dated(text, [("SAP", "sap"), ("Oracle", "oracle"), ("SAP expects", "sap")], published="2026-01-29")
    assert found["fourth-quarter"] == ("2025-10-01", "2025-12-31")
    assert found["fiscal 2026"] == ("2025-06-01", "2026-05-31")
    assert found["the first quarter"] == ("2026-01-01", "2026-03-31")
    text = "The chipmaker's fiscal year begins in February. Nvidia expects costs to rise in the fourth quarter."
    found = dated(text, [("Nvidia", "nvidia")])
    assert found["the fourth quarter"] == ("2025-11-01", "2026-01-31")


def test_dates_dateparser_search_dates_is_not_a_recognizer():
    """Why DATE does not run dateparser's search_dates over whole texts: it takes "25%" and "$28"
    for days of the month and gives back substrings, not offsets."""
    from dateparser.search import search_dates

    found = search_dates("Revenue rose 25% to $28 billion in the third quarter.", languages=["en"])
    texts = [text for text, _ in found]
    assert "25%" in texts and "$28" in texts
    assert all(len(item) == 2 for item in found)  # (substring, datetime): no offsets
    assert mentions_of(["money", "percent", "dates"], "Revenue rose 25% to $28 billion.", kind="DATE") == []


def test_dates_stage_declares_and_pickles():
    stage = Dates()
    assert (stage.name, stage.requires, stage.assigns) == ("dates", ("sentences",), ("mentions",))
    stage.matcher  # built lazily, never pickled
    assert len(pickle.dumps(stage)) < 200


def test_dates_tense_is_read_only_by_the_forms_that_say_so(monkeypatch):
    """The stage finds the sentence's tense only for calendar.TENSED_FORMS; finding it for every
    form changes no DATE on the cases and the corpus."""
    from pipeline import calendar
    from test_patterns import texts

    def run(text):
        doc = Document(doc_id="x", text=text, published="2025-12-23")
        for stage in build_pipeline(until="dates"):
            doc = stage(doc)
        return [(m.start, m.end, m.fields) for m in doc.mentions if m.type == "DATE"]

    samples = texts()
    usual = [run(text) for text in samples]
    monkeypatch.setattr(calendar, "TENSED_FORMS", frozenset(calendar.FORMS))
    assert [run(text) for text in samples] == usual
    monkeypatch.setattr(calendar, "TENSED_FORMS", frozenset())  # and the tense matters somewhere
    assert [run(text) for text in samples] != usual
