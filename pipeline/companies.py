"""COMPANY mentions: recognized on sentences, resolved to normalized values.

Not built yet: this stage finds nothing until its issue (MONEY/PERCENT/DATE, companies)
fills it in. It is in the pipeline so that the stage order and the output files are final.
"""

from __future__ import annotations

from pipeline.types import Document


class Companies:
    name = "companies"
    requires = ("sentences",)
    assigns = ("mentions",)

    def __call__(self, doc: Document) -> Document:
        return doc
