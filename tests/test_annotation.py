"""Annotation sources: markup stripped, offsets computed, values parsed, mistakes named by line."""

from __future__ import annotations

import pytest

from pipeline.annotation import SourceError, parse, parse_date_value

SOURCE = """id: helio
format: jsonl
published: 2025-10-30
---
Helio Q3 revenue jumps 18%
[Helio Systems]{CO null #s1} said on [Thursday]{DATE 2025-10-30 rel} that [its]{CO null pronoun name="Helio Systems"} [third-quarter]{DATE 2025-Q3 rel #d1} revenue rose [18%]{PCT 18 #p1} to [$4.2 billion]{MONEY 4.2e9 USD #v1}, as [ByteDance]{CO bytedance} spent [RMB 5-7 billion]{MONEY 5e9..7e9 CNY approx #v2}.
---
claim subject=#s1 value=#v1 change=#p1+ period=#d1 metric="third-quarter revenue"
"""


def write(tmp_path, body: str, name: str = "helio"):
    path = tmp_path / f"{name}.ann"
    path.write_text(body, encoding="utf-8")
    return path


def test_annotation_offsets_point_at_the_surface_text(tmp_path):
    source = parse(write(tmp_path, SOURCE))
    assert "[" not in source.text and "{" not in source.text
    surfaces = [source.text[m.start:m.end] for m in source.mentions]
    assert surfaces == ["Helio Systems", "Thursday", "its", "third-quarter", "18%", "$4.2 billion",
                        "ByteDance", "RMB 5-7 billion"]
    by = {source.text[m.start:m.end]: m.fields for m in source.mentions}
    assert by["RMB 5-7 billion"] == {"amount": 6e9, "currency": "CNY", "approximate": True,
                                     "low": 5e9, "high": 7e9}
    assert by["its"] == {"company_id": None, "name": "Helio Systems", "form": "pronoun"}
    assert by["ByteDance"]["name"] == "ByteDance" and by["ByteDance"]["company_id"] == "bytedance"
    assert by["third-quarter"] == {"start_date": "2025-07-01", "end_date": "2025-09-30",
                                   "granularity": "quarter", "relative": True}
    [claim] = source.claims
    assert claim["direction"] == "increase" and claim["metric"] == "third-quarter revenue"
    assert source.warnings and "18%" in source.warnings[0]  # the headline's figure is unlabelled


@pytest.mark.parametrize("value, expected", [
    (["2026"], ("2026-01-01", "2026-12-31", "year")),
    (["2026-H2"], ("2026-07-01", "2026-12-31", "half")),
    (["2024-Q1"], ("2024-01-01", "2024-03-31", "quarter")),
    (["2024-02"], ("2024-02-01", "2024-02-29", "month")),
    (["2020s"], ("2020-01-01", "2029-12-31", "decade")),
    (["2025..2027"], ("2025-01-01", "2027-12-31", "year")),
    (["2025-07-01..2026-06-30", "year"], ("2025-07-01", "2026-06-30", "year")),
])
def test_annotation_date_values(value, expected):
    got = parse_date_value(value)
    assert (got["start_date"], got["end_date"], got["granularity"]) == expected


@pytest.mark.parametrize("bad, message", [
    ("[$4.2 billion]{MONEY 4.2e9 usd}", "ISO 4217"),
    ("[Acme]{CO acme-nonexistent}", "not in models/companies.jsonl"),
    ("[its]{CO null pronoun}", "needs name="),
    ("[5%]{PCT 7..5}", "low must be below high"),
    ("[2026]{DATE 2026-13}", "month must be in"),
    ("[2026]{DATE 26}", "not a DATE value"),
    ("[ $4]{MONEY 4 USD}", "starts or ends with a space"),
    ("[x]{WHAT 1}", "type must be one of"),
    ("[$4]{MONEY 4 USD #a} and [$5]{MONEY 5 USD #a}", "used twice"),
])
def test_annotation_errors_name_the_line(tmp_path, bad, message):
    body = f"id: bad\nformat: jsonl\n---\nFirst line\n{bad}\n"
    with pytest.raises(SourceError) as e:
        parse(write(tmp_path, body, "bad"))
    assert message in str(e.value) and "bad.ann:5" in str(e.value)


def test_annotation_claim_must_name_labels(tmp_path):
    body = SOURCE.replace("value=#v1", "value=#nope")
    with pytest.raises(SourceError, match=r"helio.ann:8: value=#nope names no label"):
        parse(write(tmp_path, body))
    body = SOURCE.replace("value=#v1", "value=#d1")
    with pytest.raises(SourceError, match="is a DATE"):
        parse(write(tmp_path, body))
