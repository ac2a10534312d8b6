"""The stage protocol and the default pipeline: a list of stages, each a callable doc -> doc.

A stage declares the Document fields it reads (``requires``) and writes (``assigns``);
``build_pipeline`` checks that every stage's needs are met by the stages before it. Stages
load their data lazily, once per process, so a pipeline pickles cheaply to Dask workers.
"""

from __future__ import annotations

from typing import Protocol

from pipeline.types import Document


class Stage(Protocol):
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, doc: Document) -> Document: ...


def default_stages() -> list[Stage]:
    from pipeline.claims import Claims
    from pipeline.companies import Companies
    from pipeline.dates import Dates
    from pipeline.layout import Layout
    from pipeline.money import Money
    from pipeline.percent import Percent
    from pipeline.sentences import Sentences

    # Companies come before Dates: a fiscal year follows the calendar of the company it is about.
    return [Layout(), Sentences(), Money(), Percent(), Companies(), Dates(), Claims()]


def check_order(stages: list[Stage]) -> list[Stage]:
    """Raise ValueError if a stage requires a field that no earlier stage assigns."""
    available = {"text", "doc_id", "published", "title", "meta"}
    for stage in stages:
        missing = set(stage.requires) - available
        if missing:
            raise ValueError(f"stage {stage.name!r} requires {sorted(missing)}, which no earlier stage assigns")
        available |= set(stage.assigns)
    return stages


def build_pipeline(until: str | None = None) -> list[Stage]:
    """The default stages in order, optionally stopping after the stage named ``until``."""
    stages = default_stages()
    if until is not None:
        names = [s.name for s in stages]
        stages = stages[: names.index(until) + 1]
    return check_order(stages)


def segment(doc_id: str, text: str, published: str | None = None) -> Document:
    """A document with its junk lines, publication date and sentences (no mentions)."""
    doc = Document(doc_id=doc_id, text=text, published=published)
    for stage in build_pipeline(until="sentences"):
        doc = stage(doc)
    return doc
