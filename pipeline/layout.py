"""Layout stage: page-junk lines, and the publication date printed near the top of the text.

Junk lines ("top of page", bylines, "4 min read", "Share this article", cookie banners...)
are recorded as spans of the original text; later stages never look inside them, and
offsets stay those of the text as read. Both pattern lists are data in models/patterns/.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property

from pipeline import resources
from pipeline.types import Document, Span

BULLET = re.compile(r"^[\s•·●▪◦*\-–—|>]*")
MAX_JUNK_LINE = 400  # longer lines are prose, never junk
DATELINE_LINES = 12  # non-blank lines searched for a printed publication date
MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
         r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
DATE = (rf"(?P<date>{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
        rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}\.?,?\s+\d{{4}}"
        r"|\d{4}-\d{2}-\d{2})")


def lines(text: str) -> list[Span]:
    """(start, end) of every line, without its line break."""
    spans, start = [], 0
    for line in text.splitlines(keepends=True):
        end = start + len(line.rstrip("\r\n"))
        spans.append((start, end))
        start += len(line)
    return spans


def parse_date(span_text: str) -> date | None:
    """A calendar date from a date string we found (dateparser, strict: all parts given)."""
    import dateparser

    parsed = dateparser.parse(span_text, languages=["en"],
                              settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]})
    return parsed.date() if parsed else None


class Layout:
    """Marks junk lines and, when metadata gave none, finds the printed publication date."""

    name = "layout"
    requires = ("text",)
    assigns = ("junk", "published")

    @cached_property
    def junk_pattern(self) -> re.Pattern:
        patterns = resources.read_lines(resources.model_path("patterns", "junk.txt"))
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)

    @cached_property
    def dateline_patterns(self) -> list[re.Pattern]:
        patterns = resources.read_lines(resources.model_path("patterns", "dateline.txt"))
        return [re.compile(p.replace("{date}", DATE), re.I) for p in patterns]

    def __getstate__(self) -> dict:
        return {}  # compiled patterns are rebuilt lazily in each worker

    def __call__(self, doc: Document) -> Document:
        doc.junk = self.find_junk(doc.text)
        if doc.published is None:
            found = self.find_dateline(doc.text, doc.junk)
            doc.published = found.isoformat() if found else None
        return doc

    def find_junk(self, text: str) -> list[Span]:
        junk: list[Span] = []
        writer = None
        for start, end in lines(text):
            line = text[start:end]
            if not line.strip() or end - start > MAX_JUNK_LINE:
                continue
            body = BULLET.sub("", line).strip()
            if not body:
                continue
            if self.junk_pattern.fullmatch(body) or body == writer:
                junk.append((start, end))
                # "Writer: Editorial Team" is often followed by the name again on its own line.
                _, colon, name = body.partition(":")
                writer = name.strip() if colon else writer
            else:
                writer = None
        return junk

    def find_dateline(self, text: str, junk: list[Span]) -> date | None:
        seen = 0
        junk_starts = {s for s, _ in junk}
        for start, end in lines(text):
            line = text[start:end]
            if not line.strip() or start in junk_starts:
                continue
            body = BULLET.sub("", line)
            for pattern in self.dateline_patterns:
                if m := pattern.match(body):
                    if found := parse_date(m.group("date")):
                        return found
            seen += 1
            if seen >= DATELINE_LINES:
                break
        return None
