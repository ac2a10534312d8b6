"""MONEY: every case line of tests/cases/money.jsonl, the resolver, and why not quantulum3."""

from __future__ import annotations

import math

import pytest

from conftest import case_lines, matched_case, mentions_of
from pipeline.money import resolve

CASES = case_lines("money")


def check_value(fields: dict, expected: dict) -> None:
    assert fields["currency"] == expected["currency"], f"currency {fields['currency']}"
    assert math.isclose(fields["amount"], expected["amount"], rel_tol=1e-9), f"amount {fields['amount']}"
    for key in ("low", "high"):
        if key in expected:
            assert math.isclose(fields[key], expected[key], rel_tol=1e-9), f"{key} {fields.get(key)}"
        else:
            assert key not in fields, f"unexpected range: {fields}"
    assert fields["approximate"] == expected.get("approximate", False), f"approximate {fields['approximate']}"


@pytest.mark.parametrize("case_id, text, span, expected", CASES, ids=[c[0] for c in CASES])
def test_money_cases(case_id, text, span, expected):
    fields = matched_case(mentions_of(["money"], text, kind=None), text, span)
    if fields is not None:
        check_value(fields, expected)


def test_money_resolve_is_pure_on_tokens():
    assert resolve(["$", "5", "-", "7", "billion"]) == {"amount": 6e9, "currency": "USD", "low": 5e9, "high": 7e9}
    assert resolve(["¥", "9", "billion"]) == {"amount": 9e9, "currency": "JPY"}
    assert resolve(["¥", "9", "billion"], yuan=True) == {"amount": 9e9, "currency": "CNY"}
    with pytest.raises(ValueError):
        resolve(["12,000", "employees"])


def test_money_quantulum3_misreads_what_we_resolve():
    """Why MONEY does not use quantulum3: these are its readings, each wrong for a dataset."""
    from quantulum3 import parser

    euro_bn = parser.parse("€1.2bn")
    assert euro_bn[0].unit.name != "euro" or euro_bn[0].value != 1.2e9  # "euro barn newton", 1.2
    rmb = parser.parse("RMB 200 billion")
    assert all(q.unit.name == "dimensionless" for q in rmb)  # no currency at all
    crore = parser.parse("₹4,200 crore")
    assert crore[0].value == 4200.0  # the crore is dropped
    pounds = parser.parse("half a billion pounds")
    assert pounds[0].unit.name == "pound-mass"
