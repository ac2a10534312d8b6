"""Resolving DATE spans: a pure function of a span's form, its token texts and a context.

``resolve(form, words, context)`` gives ``start_date``, ``end_date`` (ISO, inclusive),
``granularity`` and ``relative`` (ANNOTATION.md, DATE). ``form`` is the id of the pattern in
models/patterns/dates.jsonl that found the span ("quarter", "period-ended", ...); ``words`` are
its tokens as written; the context holds the publication date P, the tense of the clause (for a
month or day without year) and two fiscal calendars: ``fiscal`` for phrases that say fiscal
("fiscal 2026", "the fiscal first quarter"), ``reporting`` for quarters and halves without year
("the fourth quarter", "first-half"), which is the calendar year unless the article states a
fiscal year for the company it is about. pipeline/dates.py works out that context.

A fiscal year is named by the calendar year in which it ends (FY2026 of a July-June year is
2025-07-01..2026-06-30) unless its calendar says ``label="start"`` (Japanese practice: SoftBank
FY2025 is 2025-04-01..2026-03-31). Fiscal quarter 1 starts with the fiscal year.

A relative expression needs P; without P ``resolve`` raises ``Unresolved`` (a ValueError).
Words the tables do not know raise ValueError: the span is not a date after all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from pipeline import resources

YEAR = re.compile(r"^(?:19|20)\d\d$")
DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
DECADE = re.compile(r"^((?:19|20)\d0)s$")
FY = re.compile(r"^fy['’]?(\d{2}|\d{4})$")
QUARTER_CODE = re.compile(r"^(?:q([1-4])['’]?(\d{2})?|([1-4])q['’]?(\d{2}|\d{4})?)$")
HALF_CODE = re.compile(r"^(?:h([12])['’]?(\d{2})?|([12])h['’]?(\d{2}|\d{4})?)$")
NUMBER = re.compile(r"^\d{1,3}$")
DASHES = {"-", "–", "—"}
SIZES = {"quarter": 3, "half": 6, "year": 12, "month": 1}
GRANULARITY_BY_MONTHS = {3: "quarter", 6: "half", 12: "year"}
ONE_DAY = timedelta(days=1)


class Unresolved(ValueError):
    """A relative expression and no publication date to resolve it against."""


@dataclass(frozen=True)
class Calendar:
    """A fiscal calendar: the month its year starts in, and which year names it."""

    start_month: int = 1
    label: str = "end"  # "end": named by the calendar year it ends in; "start": the one it starts in

    def year_start(self, label_year: int) -> date:
        """First day of the fiscal year named ``label_year``."""
        if self.start_month == 1:
            return date(label_year, 1, 1)
        first = label_year - 1 if self.label == "end" else label_year
        return date(first, self.start_month, 1)

    def label_of(self, day: date) -> int:
        """The name of the fiscal year containing ``day``."""
        if self.start_month == 1:
            return day.year
        begun = day.month >= self.start_month  # the fiscal year began in day.year
        if self.label == "end":
            return day.year + 1 if begun else day.year
        return day.year if begun else day.year - 1


CALENDAR_YEAR = Calendar()


@dataclass(frozen=True)
class Context:
    published: date | None = None
    tense: str = "past"  # "past" or "future": where a month or day without year lies from P
    fiscal: Calendar = CALENDAR_YEAR  # for phrases that say fiscal
    reporting: Calendar = CALENDAR_YEAR  # for quarters and halves without year or "fiscal"


@dataclass(frozen=True)
class Words:
    """The DATE word tables (models/patterns/date_words.json), lower-case keys."""

    months: dict[str, int]  # "sept" -> 9, "september" -> 9
    month_tokens: list[str]  # as written: "Sept.", "Sept", "September"
    month_names: list[str]
    weekdays: dict[str, int]  # "tuesday" -> 1
    ordinals: dict[str, int]
    half_ordinals: list[str]
    numbers: dict[str, int]
    units: dict[str, str]
    deictic: dict[str, int]
    fiscal: frozenset[str]
    edge_nouns: frozenset[str]
    edge_adjectives: frozenset[str]
    period_verbs: dict[str, str]
    raw: dict


@lru_cache(maxsize=1)
def words_table() -> Words:
    raw = json.loads(resources.model_path("patterns", "date_words.json").read_text(encoding="utf-8"))
    months, tokens, names = {}, [], []
    for number, forms in enumerate(raw["months"], 1):
        names.append(forms[0])
        for form in forms:
            months[form.lower()] = number
            tokens += [form, f"{form}."] if form != forms[0] else [form]
    return Words(
        months=months, month_tokens=tokens, month_names=names,
        weekdays={w.lower(): i for i, w in enumerate(raw["weekdays"])},
        ordinals=raw["ordinals"], half_ordinals=raw["half_ordinals"], numbers=raw["numbers"],
        units=raw["units"], deictic=raw["deictic"], fiscal=frozenset(raw["fiscal"]),
        edge_nouns=frozenset(raw["edge_nouns"]), edge_adjectives=frozenset(raw["edge_adjectives"]),
        period_verbs=raw["period_verbs"], raw=raw)


# ---------------------------------------------------------------- date arithmetic

def month_end(year: int, month: int) -> date:
    return add_months(date(year, month, 1), 1) - ONE_DAY


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day of month clamped to the month's length."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - ONE_DAY).day
    return date(year, month, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def latest_month_start(published: date, month: int) -> date:
    """The latest first day of ``month`` on or before ``published``."""
    year = published.year if month <= published.month else published.year - 1
    return date(year, month, 1)


def out(start: date, end: date, granularity: str, relative: bool) -> dict:
    if end < start:
        raise ValueError(f"empty interval {start}..{end}")
    return {"start_date": start.isoformat(), "end_date": end.isoformat(),
            "granularity": granularity, "relative": relative}


def months_out(start: date, months: int, granularity: str, relative: bool) -> dict:
    return out(start, add_months(start, months) - ONE_DAY, granularity, relative)


# ---------------------------------------------------------------- reading the words

def _norm(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith(".") and len(word) > 1 else word


def _need(context: Context) -> date:
    if context.published is None:
        raise Unresolved("a relative date needs the publication date")
    return context.published


def _strip_edges(w: list[str], t: Words) -> list[str]:
    """Drop an attached modifier ("the end of", "early", "mid-"): it keeps the value."""
    if len(w) > 3 and w[0] == "the" and w[1] in t.edge_nouns and w[2] == "of":
        return w[3:]
    if len(w) > 1 and w[0] in t.edge_adjectives:
        return w[2:] if w[1] in DASHES else w[1:]
    return w


def _years(w: list[str]) -> list[int]:
    return [int(x) for x in w if YEAR.match(x)]


def _number(w: list[str], t: Words) -> int | None:
    for x in w:
        if NUMBER.match(x):
            return int(x)
        if x in t.numbers:
            return t.numbers[x]
    return None


def _months(w: list[str], t: Words) -> list[int]:
    return [t.months[x] for x in w if x in t.months]


def _deictic_year(w: list[str], t: Words) -> int | None:
    """The step of "this/last/next (fiscal) year" or "the (current) year" inside a span."""
    for i, x in enumerate(w):
        if x == "year" and i > 0:
            before = [y for y in w[max(0, i - 2):i] if y not in t.fiscal]
            if before and before[-1] in t.deictic:
                return t.deictic[before[-1]]
            if before and before[-1] == "the":
                return 0
    return None


def _two_digit(year: str, century_of: int = 2000) -> int:
    return century_of // 100 * 100 + int(year) if len(year) == 2 else int(year)


def _label_year(w: list[str]) -> int | None:
    """A fiscal year's name: "2026", "FY26", "FY2026"."""
    for x in w:
        if m := FY.match(x):
            return _two_digit(m.group(1))
    years = _years(w)
    return years[0] if years else None


# ---------------------------------------------------------------- the forms

def resolve(form: str, words: list[str], context: Context) -> dict:
    """Start, end, granularity and relativeness of a DATE span of the given form."""
    t = words_table()
    w = _strip_edges([_norm(x) for x in words], t)
    try:
        handler = FORMS[form]
    except KeyError:
        raise ValueError(f"unknown DATE form {form!r}") from None
    try:
        return handler(w, t, context)
    except (LookupError, StopIteration) as missing:  # a part the form needs is not in the words
        raise ValueError(f"not a {form} date: {' '.join(words)!r}") from missing


def _year(w, t, ctx):
    year = _years(w)[0]
    return out(date(year, 1, 1), date(year, 12, 31), "year", False)


def _year_range(w, t, ctx):
    first = _years(w)[0]
    last = w[-1]
    last_year = first // 100 * 100 + int(last) if len(last) == 2 else int(last)
    if last_year <= first:
        raise ValueError(f"not a range of years: {w}")
    return out(date(first, 1, 1), date(last_year, 12, 31), "year", False)


def _decade(w, t, ctx):
    start = next(int(m.group(1)) for x in w if (m := DECADE.match(x)))
    return out(date(start, 1, 1), date(start + 9, 12, 31), "decade", False)


def _month_year(w, t, ctx):
    month, year = _months(w, t)[0], _years(w)[0]
    return out(date(year, month, 1), month_end(year, month), "month", False)


def _month(w, t, ctx):
    published = _need(ctx)
    month = _months(w, t)[0]
    year = published.year
    if w[0] == "last":  # the latest such month before P's month
        year -= month >= published.month
    elif w[0] == "next":  # the first such month after P's month
        year += month <= published.month
    elif ctx.tense == "future":
        year += month < published.month  # the first such month ending on or after P
    else:
        year -= month > published.month  # the last such month starting on or before P
    return out(date(year, month, 1), month_end(year, month), "month", True)


def _day(w, t, ctx):
    if "-" in w and len(w) == 5:  # 2025-12-23
        day = date(int(w[0]), int(w[2]), int(w[4]))
        return out(day, day, "day", False)
    month = _months(w, t)[0]
    number = next(int(m.group(1)) for x in w if (m := DAY.match(x)))
    years = _years(w)
    if years:
        day = _parsed_day(" ".join(w).replace(" ,", ",")) or date(years[0], month, number)
        return out(day, day, "day", False)
    published = _need(ctx)
    day = date(published.year, month, number)
    if ctx.tense == "future" and day < published:
        day = date(published.year + 1, month, number)
    elif ctx.tense != "future" and day > published:
        day = date(published.year - 1, month, number)
    return out(day, day, "day", True)


@lru_cache(maxsize=4096)  # dateparser takes a millisecond a string; days recur within and across articles
def _parsed_day(text: str) -> date | None:
    """A complete day string read by dateparser, which knows its month names and orders."""
    from pipeline.layout import parse_date

    return parse_date(text)


def _weekday(w, t, ctx):
    published = _need(ctx)
    weekday = next(t.weekdays[x] for x in w if x in t.weekdays)
    back = (published.weekday() - weekday) % 7
    if w[0] == "last" and back == 0:
        back = 7
    day = published - timedelta(days=back)
    if w[0] == "next":
        day = published + timedelta(days=(weekday - published.weekday()) % 7 or 7)
    return out(day, day, "day", True)


def _today(w, t, ctx):
    published = _need(ctx)
    day = published + timedelta(days={"yesterday": -1, "tomorrow": 1}.get(w[-1], 0))
    return out(day, day, "day", True)


def _part_of_year(unit: str):
    """Quarters and halves: "the third quarter (of fiscal 2026)", "Q3 2025", "3Q25", "H2",
    "first-half", "the second half of next year"."""
    size = SIZES[unit]
    code = QUARTER_CODE if unit == "quarter" else HALF_CODE

    def handler(w, t, ctx):
        number, year = None, None
        for x in w:
            if m := code.match(x):
                number = int(m.group(1) or m.group(3))
                short = m.group(2) or m.group(4)
                year = _two_digit(short) if short else None
            elif x in t.ordinals and number is None:
                number = t.ordinals[x]
        if number is None:
            raise ValueError(f"no {unit} number in {w}")
        number = 12 // size if number == -1 else number
        fiscal = any(x in t.fiscal or x == "fy" or FY.match(x) for x in w)
        year = year or _label_year(w)
        step = _deictic_year(w, t)
        offset = size * (number - 1)
        if year is not None:
            calendar = ctx.fiscal if fiscal else CALENDAR_YEAR
            return months_out(add_months(calendar.year_start(year), offset), size, unit, False)
        published = _need(ctx)
        if step is not None:
            calendar = ctx.fiscal if fiscal else CALENDAR_YEAR
            start = calendar.year_start(calendar.label_of(published) + step)
            return months_out(add_months(start, offset), size, unit, True)
        calendar = ctx.fiscal if fiscal else ctx.reporting
        month = (calendar.start_month - 1 + offset) % 12 + 1
        return months_out(latest_month_start(published, month), size, unit, True)

    return handler


def _length_granularity(months: int) -> str:
    return GRANULARITY_BY_MONTHS.get(months, "month")


def _month_quarter(w, t, ctx):
    """"the September quarter", "the July-September period", "the March quarter of 2025"."""
    months = _months(w, t)
    unit = next((t.units[x] for x in w if x in t.units), "quarter")
    if len(months) >= 2:
        first, last = months[0], months[-1]
        length = (last - first) % 12 + 1
    else:
        last = months[0]
        length = SIZES.get(unit, 3)
        first = (last - length) % 12 + 1
    years = _years(w)
    if years:
        start = add_months(date(years[0], last, 1), 1 - length)
        return months_out(start, length, _length_granularity(length), False)
    start = latest_month_start(_need(ctx), first)
    return months_out(start, length, _length_granularity(length), True)


def _period_ended(w, t, ctx):
    """"the quarter ended Sept. 30", "the six months ended June 30, 2026", "the fiscal year
    ended March 31": the whole period, with the granularity of the unit named."""
    verb_at = next(i for i, x in enumerate(w) if x in t.period_verbs)
    head, tail = w[:verb_at], w[verb_at + 1:]
    unit = "half" if "half" in head else next(t.units[x] for x in reversed(head) if x in t.units)
    count = _number([x for x in head if x not in t.ordinals], t) or 1
    granularity = {"month": "month", "week": "week", "day": "day"}.get(unit, unit)
    month = _months(tail, t)[0]
    days = [int(m.group(1)) for x in tail if (m := DAY.match(x)) and not YEAR.match(x)]
    years = _years(tail)

    def period(end: date) -> tuple[date, date]:
        after = end + ONE_DAY
        if unit in ("week", "day"):
            return after - timedelta(days=count * (7 if unit == "week" else 1)), end
        return add_months(after, -count * SIZES.get(unit, 1)), end

    def end_in(year: int) -> date:
        return date(year, month, days[0]) if days else month_end(year, month)

    if years:
        return out(*period(end_in(years[0])), granularity, False)
    published = _need(ctx)
    ending = t.period_verbs[w[verb_at]] == "ending"
    for year in (published.year + 1, published.year, published.year - 1, published.year - 2):
        start, end = period(end_in(year))
        if (start if ending else end) <= published:
            return out(start, end, granularity, True)
    raise ValueError(f"no period for {w}")


def _first_months(w, t, ctx):
    """"the first nine months of 2025", "the first three quarters", "the first six months of
    fiscal 2026": from the (fiscal) year's start, granularity of the unit named."""
    unit = next(t.units[x] for x in w if x in t.units)
    count = _number(w[2:], t)
    if count is None:
        raise ValueError(f"no count in {w}")
    months = count * SIZES.get(unit, 1)
    fiscal = any(x in t.fiscal or FY.match(x) for x in w)
    year = _label_year(w)
    if year is not None:
        start = (ctx.fiscal if fiscal else CALENDAR_YEAR).year_start(year)
        return months_out(start, months, unit, False)
    published = _need(ctx)
    step = _deictic_year(w, t)
    calendar = ctx.fiscal if fiscal else (CALENDAR_YEAR if step is not None else ctx.reporting)
    start = calendar.year_start(calendar.label_of(published) + (step or 0))
    return months_out(start, months, unit, True)


def _fiscal_year(w, t, ctx):
    """"fiscal 2026", "FY26", "the 2026 fiscal year", "FY2025/26", "fiscal 2025-26"."""
    years = []
    for x in w:
        if m := FY.match(x):
            years.append(_two_digit(m.group(1)))
        elif YEAR.match(x):
            years.append(int(x))
        elif re.match(r"^\d{2}$", x) and years:
            years.append(_two_digit(x, years[0]))
    if not years:
        raise ValueError(f"no fiscal year in {w}")
    calendar = ctx.fiscal
    if len(years) > 1:  # a fiscal year written as the two calendar years it spans
        if years[1] != years[0] + 1:
            raise ValueError(f"not one fiscal year: {w}")
        if calendar.start_month == 1:
            return out(date(years[1], 1, 1), date(years[1], 12, 31), "year", False)
        return months_out(date(years[0], calendar.start_month, 1), 12, "year", False)
    return months_out(calendar.year_start(years[0]), 12, "year", False)


def _relative_unit(w, t, ctx):
    """"this year", "last quarter", "next month", "this week", "the current fiscal year", "the
    end of the decade" (the decade containing P)."""
    published = _need(ctx)
    step = next((t.deictic[x] for x in w if x in t.deictic), 0)
    unit = next(t.units[x] for x in w if x in t.units)
    fiscal = any(x in t.fiscal for x in w)
    if unit == "year":
        calendar = ctx.fiscal if fiscal else CALENDAR_YEAR
        return months_out(calendar.year_start(calendar.label_of(published) + step), 12, "year", True)
    if unit == "quarter":
        calendar = ctx.fiscal if fiscal else ctx.reporting
        month = (published.month - calendar.start_month) % 3  # months since the quarter began
        start = add_months(date(published.year, published.month, 1), -month + 3 * step)
        return months_out(start, 3, "quarter", True)
    if unit == "month":
        return months_out(add_months(date(published.year, published.month, 1), step), 1, "month", True)
    if unit == "week":
        start = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        return out(start, start + timedelta(days=6), "week", True)
    if unit == "decade":
        first = published.year // 10 * 10 + 10 * step
        return out(date(first, 1, 1), date(first + 9, 12, 31), "decade", True)
    raise ValueError(f"no relative {unit}")


def _relative_span(w, t, ctx):
    """"the coming three years" [P, P+3y-1d], "the past decade" [P-10y+1d, P], "the past 12
    months"; granularity of the unit named."""
    published = _need(ctx)
    forward = next(t.deictic[x] for x in w if x in t.deictic) > 0
    unit = next(t.units[x] for x in w if x in t.units)
    count = _number(w, t) or 1

    def shift(day: date, n: int) -> date:
        if unit in ("day", "week"):
            return day + timedelta(days=n * (7 if unit == "week" else 1))
        return add_months(day, n * {"month": 1, "quarter": 3, "half": 6, "year": 12, "decade": 120}[unit])

    if forward:
        return out(published, shift(published, count) - ONE_DAY, unit, True)
    return out(shift(published, -count) + ONE_DAY, published, unit, True)


FORMS = {
    "year": _year,
    "year-range": _year_range,
    "decade": _decade,
    "month-year": _month_year,
    "month": _month,
    "day": _day,
    "weekday": _weekday,
    "today": _today,
    "quarter": _part_of_year("quarter"),
    "half": _part_of_year("half"),
    "month-quarter": _month_quarter,
    "period-ended": _period_ended,
    "first-months": _first_months,
    "fiscal-year": _fiscal_year,
    "relative-unit": _relative_unit,
    "relative-span": _relative_span,
}
TENSED_FORMS = frozenset({"month", "day"})  # the forms whose handlers read ``Context.tense``


def parse_published(value: str | None) -> date | None:
    """P from a document's ``published`` (ISO date or datetime), or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
