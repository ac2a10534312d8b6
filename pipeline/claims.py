"""Claims: who claims what, for when, assembled per sentence from the mentions.

Not built yet: this stage assembles no claims until the claims issue fills it in. It is in
the pipeline so that the stage order and the output files are final.
"""

from __future__ import annotations

from pipeline.types import Document


class Claims:
    name = "claims"
    requires = ("sentences", "mentions")
    assigns = ("claims",)

    def __call__(self, doc: Document) -> Document:
        return doc
