"""PERCENT: every case line of tests/cases/percent.jsonl, and the resolver."""

from __future__ import annotations

import pytest

from conftest import case_lines, matched_case, mentions_of
from pipeline.percent import resolve

CASES = case_lines("percent")


@pytest.mark.parametrize("case_id, text, span, expected", CASES, ids=[c[0] for c in CASES])
def test_percent_cases(case_id, text, span, expected):
    fields = matched_case(mentions_of(["percent"], text), text, span)
    if fields is None:
        return
    expected = {"approximate": False, **expected}
    assert fields == expected, f"wrong value: {fields}"


def test_percent_resolve_is_pure_on_tokens():
    assert resolve(["4", "to", "6", "per", "cent"]) == {"percent": 5.0, "points": False, "low": 4.0, "high": 6.0}
    assert resolve(["3", "percentage", "points"]) == {"percent": 3.0, "points": True}
    with pytest.raises(ValueError):
        resolve(["a", "quarter"])
