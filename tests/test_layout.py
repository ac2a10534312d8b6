"""Layout: page-junk lines and the publication date printed near the top."""

from __future__ import annotations

import pytest

from conftest import SEEDS
from pipeline.layout import Layout
from pipeline.types import Document

LAYOUT = Layout()

JUNK = [
    "top of page", "Bottom of page", "  • Writer: Editorial Team", "• 4 min read", "5 min read",
    "Comments", "12 Comments", "Share this article", "Share on LinkedIn", "Related: Nvidia tops $4tn",
    "Read more: Why chip stocks fell", "By Jane Doe and John Smith", "Tags: AI, chips",
    "We use cookies to improve your experience. By browsing you accept our cookie policy.",
    "Accept all cookies", "Sign up for our daily tech newsletter", "Subscribe now",
    "Advertisement", "© 2025 Example Media. All rights reserved.", "Photo: Reuters",
]
PROSE = [
    "Google will phase out third-party cookies in Chrome by 2026, the company said.",
    "By 2028, the company expects revenue of $5 billion.",
    "Related party transactions rose 12% in the quarter.",
    "Popular demand for AI chips lifted Nvidia’s revenue by 62%.",
    "The company’s newsletter business grew 20% last year.",
    "Dec 23, 2025",
    "Updated Oct. 30, 2025",
    "ByteDance AI Investment: $23B Capex Surge for 2026 Infrastructure",
    "Large-scale AI data centers",
]


@pytest.mark.parametrize("line", JUNK)
def test_layout_junk_line_is_found(line):
    text = f"Acme raises $40 million\n{line}\nAcme Labs raised $40 million on Monday.\n"
    junk = LAYOUT.find_junk(text)
    assert [text[s:e] for s, e in junk] == [line], f"{line!r} is page junk"


@pytest.mark.parametrize("line", PROSE)
def test_layout_prose_is_not_junk(line):
    text = f"Headline\n{line}\n"
    assert LAYOUT.find_junk(text) == [], f"{line!r} is not page junk"


def test_layout_writer_name_repeated_below_byline_is_junk():
    text = "Title\n  • Writer: Editorial Team\n    Editorial Team\n  • Dec 23, 2025\nEditorial Team\n"
    junk = [text[s:e] for s, e in LAYOUT.find_junk(text)]
    assert junk == ["  • Writer: Editorial Team", "    Editorial Team"]


@pytest.mark.parametrize("text, expected", [
    ("Chip stocks slide\n  • Writer: Staff\n  • Dec 23, 2025\n  • 4 min read\nBody.", "2025-12-23"),
    ("Acme results\nBEIJING, Jan. 6, 2026 — Acme said on Tuesday...", "2026-01-06"),
    ("Acme results\nSEOUL, Oct. 29, 2025 (Asia Wire) - SK Hynix said...", "2025-10-29"),
    ("Reliance profit jumps\nUpdated Oct. 30, 2025\nMUMBAI: Reliance said...", "2025-10-30"),
    ("Reliance profit jumps\nPublished: 14 March 2026\nBody.", "2026-03-14"),
    ("Acme results\nBy Jane Doe | Sept. 3, 2025\nBody.", "2025-09-03"),
    ("Acme expects revenue of $5 billion in 2026.\nIt said so on Tuesday.", None),
    ("Acme said\nThe deal, agreed on Dec. 3, 2025, closes in 2026.", None),
])
def test_layout_publication_date_from_dateline(text, expected):
    doc = LAYOUT(Document(doc_id="d", text=text))
    assert doc.published == expected


def test_layout_metadata_date_wins_over_dateline():
    doc = LAYOUT(Document(doc_id="d", text="Title\nDec 23, 2025\nBody.", published="2025-12-24"))
    assert doc.published == "2025-12-24"


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the project")
def test_layout_seed_byline_date():
    text = (SEEDS / "001_1ff3b9ee1c16d7c4.txt").read_text(encoding="utf-8")
    doc = LAYOUT(Document(doc_id="001", text=text))
    assert doc.published == "2025-12-23"
    junk = [text[s:e].strip() for s, e in doc.junk]
    assert junk[:4] == ["top of page", "• Writer: Editorial Team", "Editorial Team", "• 4 min read"]
