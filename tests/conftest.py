"""Shared fixtures: paths, a fixed publication date, small input folders made on the fly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = ROOT / "corpus"
PUBLISHED = "2025-12-23"  # a fixed publication date for relative dates


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture
def run_extract(tmp_path):
    """Run `claims extract` on inputs; return (exit code, run folder)."""
    from pipeline.cli import main

    def run(*inputs: Path, args: tuple[str, ...] = ()) -> tuple[int, Path]:
        out = tmp_path / "run"
        code = main(["extract", *map(str, inputs), "-o", str(out), "--workers", "1", *args])
        return code, out

    return run


MARK = "[[", "]]"


def case_lines(name: str, published: bool = False) -> list[tuple]:
    """Cases of tests/cases/<name>.jsonl as (id, sentence, (start, end) of the [[marked]] span
    or None, expected value or None); the marks are removed and offsets computed. With
    ``published``, each case also carries its line's "published" date (PUBLISHED if absent)."""
    cases = []
    path = ROOT / "tests" / "cases" / f"{name}.jsonl"
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip() and not line.startswith("//")]
    for n, row in enumerate(rows, 1):
        for sentence in row.get("sentences", []):
            start = sentence.index(MARK[0])
            end = sentence.index(MARK[1]) - len(MARK[0])
            plain = sentence.replace(MARK[0], "", 1).replace(MARK[1], "", 1)
            cases.append((f"{n}:{plain}", plain, (start, end), dict(row["value"])))
        for sentence in row.get("none", []):
            cases.append((f"{n}:none:{sentence}", sentence, None, None))
    if published:
        when = {n: row.get("published", PUBLISHED) for n, row in enumerate(rows, 1)}
        cases = [(*case, when[int(case[0].split(":", 1)[0])]) for case in cases]
    return cases


def mentions_of(stage_names: list[str], text: str, published: str | None = PUBLISHED, kind: str | None = None):
    """Mentions that the pipeline up to the given stages finds in a text, as (start, end, fields)."""
    from pipeline.stages import build_pipeline
    from pipeline.types import Document

    doc = Document(doc_id="case", text=text, published=published)
    stages = {s.name: s for s in build_pipeline()}
    for name in ["layout", "sentences", *stage_names]:
        doc = stages[name](doc)
    return [(m.start, m.end, m.fields) for m in doc.mentions if kind is None or m.type == kind]


def matched_case(found: list, text: str, span: tuple[int, int] | None) -> dict | None:
    """The fields of the one mention found at a case's [[marked]] span, failing with a message
    that says how it went wrong (spurious, no match, ambiguous, partial); None for a "none" line."""
    if span is None:
        assert found == [], f"spurious: {[text[s:e] for s, e, _ in found]}"
        return None
    overlapping = [(s, e, f) for s, e, f in found if s < span[1] and span[0] < e]
    if not overlapping:
        pytest.fail(f"no match for {text[span[0]:span[1]]!r}; found {[text[s:e] for s, e, _ in found]}")
    if len(overlapping) > 1:
        pytest.fail(f"ambiguous: {[text[s:e] for s, e, _ in overlapping]}")
    s, e, fields = overlapping[0]
    assert (s, e) == span, f"partial match: {text[s:e]!r} for {text[span[0]:span[1]]!r}"
    return fields
