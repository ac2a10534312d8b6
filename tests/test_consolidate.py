"""claims consolidate: facts across documents, conflicts flagged, CSV/Parquet tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import CORPUS, SEEDS, read_jsonl
from pipeline.cli import main
from pipeline.consolidate import agree
from pipeline.evaluate import write_run_from_gold


def facts_of(run):
    assert main(["consolidate", str(run)]) == 0
    return read_jsonl(run / "facts.jsonl")


def money(amount, currency, usd=None):
    return {"value": {"type": "MONEY", "amount": amount, "currency": currency}, "usd": usd}


def test_consolidate_corpus_shows_the_written_conflict_and_agreements(tmp_path):
    write_run_from_gold(CORPUS / "gold.jsonl", tmp_path / "run")
    facts = facts_of(tmp_path / "run")
    capex = [f for f in facts if f["name"] == "Nimbus Grid" and f["metric"] == "capex"
             and f["period"] == {"start_date": "2027-01-01", "end_date": "2027-12-31"}]
    assert len(capex) == 1 and capex[0]["status"] == "conflict"
    assert sorted(v["amount"] for v in capex[0]["values"]) == [9e9, 12e9]
    assert {e["doc_id"] for e in capex[0]["evidence"]} == {"nimbus-grid-capex-a", "nimbus-grid-capex-b"}
    assert all(e["published"] for e in capex[0]["evidence"])
    statuses = [f["status"] for f in facts]
    assert statuses == sorted(statuses, key=["conflict", "agreed", "single"].index), "conflicts come first"
    assert "agreed" in statuses
    for fact in facts:  # one document's two different values are two facts, never a conflict
        if fact["status"] == "conflict":
            assert len({e["doc_id"] for e in fact["evidence"]}) > 1
    table = pd.read_parquet(tmp_path / "run" / "facts.parquet")
    assert len(table) == sum(len(f["values"]) for f in facts)
    assert pd.read_csv(tmp_path / "run" / "facts.csv").shape == table.shape


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the project")
def test_consolidate_seed_pages_conflict_on_bytedance_2026(tmp_path):
    texts = {r["doc_id"]: (SEEDS / f"{r['doc_id']}.txt").read_text(encoding="utf-8")
             for r in read_jsonl(SEEDS / "gold.jsonl")}
    write_run_from_gold(SEEDS / "gold.jsonl", tmp_path / "run", texts)
    facts = facts_of(tmp_path / "run")
    [fact] = [f for f in facts if f["company_id"] == "bytedance" and f["status"] == "conflict"]
    assert fact["period"] == {"start_date": "2026-01-01", "end_date": "2026-12-31"}
    assert sorted(v["usd"] for v in fact["values"]) == [23e9, 28e9]
    assert {e["doc_id"] for e in fact["evidence"]} == set(texts)
    # RMB 200 billion counts as the $28 billion the same sentence restates it as
    texts_28 = {e["text"] for e in fact["evidence"] if e["claim_id"] in
                next(v for v in fact["values"] if v["usd"] == 28e9)["claim_ids"]}
    assert "RMB 200 billion" in texts_28
    derived = [d for d in fact["derived"] if d.get("currency") == "CNY"]
    assert derived and derived[0]["amount"] == pytest.approx(160e9)


def test_consolidate_values_agree_within_rounding_and_across_currencies():
    assert agree(money(28e9, "USD", 28e9), money(28.3e9, "USD", 28.3e9))
    assert not agree(money(23e9, "USD", 23e9), money(28e9, "USD", 28e9))
    assert agree(money(200e9, "CNY", 28e9), money(28e9, "USD", 28e9))
    assert not agree(money(200e9, "CNY", 28e9), money(23e9, "USD", 23e9))


def test_consolidate_refuses_an_incomplete_run(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"status": "running"}))
    assert main(["consolidate", str(run)]) == 2
    assert "incomplete" in capsys.readouterr().err


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the project")
def test_consolidate_real_run_on_seed_pages_shows_the_bytedance_conflict(tmp_path):
    """The whole pipeline, not gold: extract the three seed pages, then consolidate."""
    assert main(["extract", str(SEEDS), "-o", str(tmp_path / "run"), "--workers", "1"]) == 0
    facts = facts_of(tmp_path / "run")
    capex = [f for f in facts if f["company_id"] == "bytedance" and f["metric"] == "capex"
             and f["status"] == "conflict"]
    assert len(capex) == 1
    fact = capex[0]
    assert fact["period"] == {"start_date": "2026-01-01", "end_date": "2026-12-31"}
    assert {round(v["usd"] / 1e9) for v in fact["values"]} == {23, 28}
    assert len({e["doc_id"] for e in fact["evidence"]}) == 3


def test_consolidate_and_eval_read_a_parquet_run(tmp_path, capsys):
    from conftest import CORPUS as corpus

    jsonl, parquet = tmp_path / "jsonl", tmp_path / "parquet"
    assert main(["extract", str(corpus / "input"), "-o", str(jsonl), "--workers", "1"]) == 0
    assert main(["extract", str(corpus / "input"), "-o", str(parquet), "--workers", "1", "--format", "parquet"]) == 0
    assert not (parquet / "claims.jsonl").exists()
    assert facts_of(parquet) == facts_of(jsonl)
    capsys.readouterr()
    for run in (jsonl, parquet):
        assert main(["eval", "--gold", str(corpus / "gold.jsonl"), "--run", str(run), "--json"]) == 0
    first, second = capsys.readouterr().out.split("\n}\n", 1)
    assert json.loads(first + "}") == json.loads(second)
