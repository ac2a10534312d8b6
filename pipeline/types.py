"""The shared types every stage reads and writes.

A mention keeps only its offsets and normalized fields; its text is taken from the document
when it is written, so ``text[start:end] == record["text"]`` holds by construction.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass
class Mention:
    """A MONEY, PERCENT, DATE or COMPANY mention: offsets plus normalized fields."""

    type: str
    start: int
    end: int
    fields: dict[str, Any] = field(default_factory=dict)

    def record(self, text: str, **lead: Any) -> dict[str, Any]:
        """The mention as written out: type, text, offsets, normalized fields, after the ``lead``
        fields (entities.jsonl leads with the doc_id)."""
        return {**lead, "type": self.type, "text": text[self.start:self.end], "start": self.start,
                "end": self.end, **self.fields}


@dataclass
class Claim:
    """A sentence saying that a company has, plans or reports a quantity."""

    subject: Mention
    value: Mention
    metric: str
    sentence: Span
    alternatives: list[Mention] = field(default_factory=list)
    change: Mention | None = None
    direction: str | None = None
    period: Mention | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self, doc: Document) -> dict[str, Any]:
        """The claim as written to claims.jsonl (CONTRACT.md)."""
        text = doc.text
        subject = {"text": text[self.subject.start:self.subject.end], "start": self.subject.start,
                   "end": self.subject.end, "company_id": self.subject.fields.get("company_id"),
                   "name": self.subject.fields.get("name")}
        change = None
        if self.change is not None:
            change = {**self.change.record(text), "direction": self.direction}
        key = f"{doc.doc_id}\0{self.subject.start}:{self.subject.end}\0{self.value.start}:{self.value.end}"
        return {
            "doc_id": doc.doc_id,
            "claim_id": hashlib.sha1(key.encode()).hexdigest()[:16],
            "subject": subject,
            "metric": self.metric,
            "value": self.value.record(text),
            "alternatives": [a.record(text) for a in self.alternatives],
            "change": change,
            "period": self.period.record(text) if self.period else None,
            "sentence": {"start": self.sentence[0], "end": self.sentence[1]},
            "source": doc.text_sha256,
            **self.extra,
        }


@dataclass
class Document:
    """One article and everything the stages found in it."""

    doc_id: str
    text: str
    source: str = ""
    title: str | None = None
    published: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    junk: list[Span] = field(default_factory=list)
    sentences: list[Span] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    # Working data shared by stages (the spaCy tokens); never written, cleared after the stages.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def record(self, keep_text: bool = True) -> dict[str, Any]:
        """The document as written to documents.jsonl (CONTRACT.md)."""
        out = {"doc_id": self.doc_id, "source": self.source, "title": self.title,
               "published": self.published, "text_sha256": self.text_sha256}
        if keep_text:
            out["text"] = self.text
        out["sentences"] = [list(s) for s in self.sentences]
        out["junk"] = [list(s) for s in self.junk]
        if self.meta:
            out["meta"] = self.meta
        return out


@dataclass
class ErrorRecord:
    """A document or input line that could not be processed; the run goes on."""

    doc_id: str | None
    source: str
    stage: str
    error: str
    message: str

    def record(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "source": self.source, "stage": self.stage,
                "error": self.error, "message": self.message}
