"""PERCENT: every case line of tests/cases/percent.jsonl, and the resolver."""

from __future__ import annotations

import pytest

from conftest import case_lines, mentions_of
from pipeline.percent import resolve

CASES = case_lines("percent")


@pytest.mark.parametrize("case_id, text, span, expected", CASES, ids=[c[0] for c in CASES])
def test_percent_cases(case_id, text, span, expected):
    found = mentions_of(["percent"], text)
    if span is None:
        assert found == [], f"spurious: {[text[s:e] for s, e, _ in found]}"
        return
    overlapping = [(s, e, f) for s, e, f in found if s < span[1] and span[0] < e]
    if not overlapping:
        pytest.fail(f"no match for {text[span[0]:span[1]]!r}; found {[text[s:e] for s, e, _ in found]}")
    if len(overlapping) > 1:
        pytest.fail(f"ambiguous: {[text[s:e] for s, e, _ in overlapping]}")
    s, e, fields = overlapping[0]
    assert (s, e) == span, f"partial match: {text[s:e]!r} for {text[span[0]:span[1]]!r}"
    expected = {"approximate": False, **expected}
    assert fields == expected, f"wrong value: {fields}"


def test_percent_resolve_is_pure_on_tokens():
    assert resolve(["4", "to", "6", "per", "cent"]) == {"percent": 5.0, "points": False, "low": 4.0, "high": 6.0}
    assert resolve(["3", "percentage", "points"]) == {"percent": 3.0, "points": True}
    with pytest.raises(ValueError):
        resolve(["a", "quarter"])
