"""`claims eval`: gold validation, run refusal, entity and claim scoring, the tables and errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, SEEDS, read_jsonl
from pipeline.cli import main as cli_main
from pipeline.evaluate import (GoldError, Run, RunError, evaluate, format_errors, load_gold,
                               load_run, main, max_matching, normalize_name, same_name, value_ok,
                               write_run_from_gold)

GOLD = SEEDS / "gold.jsonl"
needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the project")
ENTITY_ROWS = ("MONEY", "PERCENT", "DATE", "COMPANY", "COMPANY/name", "COMPANY/nominal+pronoun")


def seed_texts() -> dict[str, str]:
    return {r["doc_id"]: (SEEDS / f"{r['doc_id']}.txt").read_text(encoding="utf-8")
            for r in read_jsonl(GOLD)}


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def seeds_run(tmp_path) -> Path:
    run = tmp_path / "run"
    write_run_from_gold(GOLD, run, seed_texts())
    return run


def perturb(run: Path) -> dict:
    """Change one MONEY amount x1000, shorten one DATE, delete one claim, add one PERCENT.

    Returns what was changed, so that tests derive the expected counts from it.
    """
    entities = read_jsonl(run / "entities.jsonl")
    claims = read_jsonl(run / "claims.jsonl")
    # the MONEY mention that is the value of the first claim without alternatives
    target = next(c for c in claims if not c["alternatives"])
    money = next(e for e in entities if e["doc_id"] == target["doc_id"] and e["type"] == "MONEY"
                 and (e["start"], e["end"]) == (target["value"]["start"], target["value"]["end"]))
    old_amount = money["amount"]
    money["amount"] = old_amount * 1000
    target["value"]["amount"] = old_amount * 1000
    date = next(e for e in entities if e["type"] == "DATE" and e["end"] - e["start"] > 1)
    old_date = dict(date)
    date["end"] -= 1
    date["text"] = date["text"][:-1]
    deleted = next(c for c in reversed(claims) if c["doc_id"] != target["doc_id"])
    claims.remove(deleted)
    company = next(e for e in entities if e["type"] == "COMPANY")
    spurious = {"doc_id": company["doc_id"], "type": "PERCENT", "text": company["text"],
                "start": company["start"], "end": company["end"], "percent": 99.0,
                "approximate": False}
    entities.append(spurious)
    write_jsonl(run / "entities.jsonl", entities)
    write_jsonl(run / "claims.jsonl", claims)
    return {"money": money, "old_amount": old_amount, "date": old_date, "deleted": deleted,
            "spurious": spurious, "wrong_claim": target}


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r)


@needs_seeds
def test_evaluate_seeds_gold_against_itself_scores_one(seeds_run):
    report = evaluate(load_gold([GOLD], seed_texts()), load_run(seeds_run)).to_dict()
    assert report["documents"] == 3 and report["missing_docs"] == []
    for row in ENTITY_ROWS:
        scores = report["entities"][row]
        assert scores["gold"] > 0, row
        assert scores["exact"]["f1"] == scores["overlap"]["f1"] == 1.0, row
        assert scores["normalization"] == {"accuracy": 1.0, "n": scores["gold"]}, row
    for mode in ("lenient", "strict"):
        assert report["claims"][mode]["f1"] == 1.0
        assert report["claims"][mode]["tp"] == sum(len(r["claims"]) for r in read_jsonl(GOLD))


@needs_seeds
def test_evaluate_perturbed_run_gives_expected_counts(seeds_run):
    perturb(seeds_run)
    gold_records = read_jsonl(GOLD)
    gold_counts = Counter(e["type"] for r in gold_records for e in r["entities"])
    n_claims = sum(len(r["claims"]) for r in gold_records)
    report = evaluate(load_gold([GOLD], seed_texts()), load_run(seeds_run)).to_dict()
    ents = report["entities"]

    money = ents["MONEY"]  # span still exact, value wrong
    assert (money["gold"], money["pred"], money["exact"]["tp"]) == (gold_counts["MONEY"],) * 3
    assert money["normalization"]["n"] == gold_counts["MONEY"]
    assert money["normalization"]["accuracy"] == pytest.approx(1 - 1 / gold_counts["MONEY"])

    date = ents["DATE"]  # one exact miss, still an overlap match with the right value
    assert (date["exact"]["tp"], date["exact"]["fp"], date["exact"]["fn"]) == (gold_counts["DATE"] - 1, 1, 1)
    assert date["overlap"]["tp"] == gold_counts["DATE"]
    assert date["normalization"]["accuracy"] == 1.0

    percent = ents["PERCENT"]  # one spurious prediction
    assert (percent["gold"], percent["pred"]) == (gold_counts["PERCENT"], gold_counts["PERCENT"] + 1)
    assert (percent["exact"]["tp"], percent["exact"]["fp"], percent["exact"]["fn"]) == (gold_counts["PERCENT"], 1, 0)
    assert percent["exact"]["precision"] == pytest.approx(gold_counts["PERCENT"] / (gold_counts["PERCENT"] + 1))
    assert ents["COMPANY"]["exact"]["f1"] == 1.0

    # the deleted claim is a FN; the claim whose value became x1000 is a FN and a FP
    for mode in ("lenient", "strict"):
        claims = report["claims"][mode]
        assert (claims["gold"], claims["pred"], claims["tp"]) == (n_claims, n_claims - 1, n_claims - 2)
        assert claims["f1"] == pytest.approx(f1((n_claims - 2) / (n_claims - 1), (n_claims - 2) / n_claims))


@needs_seeds
def test_evaluate_strict_needs_the_gold_period(seeds_run):
    claims = read_jsonl(seeds_run / "claims.jsonl")
    with_period = [c for c in claims if c["period"]]
    with_period[0]["period"] = None
    with_period[1]["period"]["end_date"] = "2027-12-31"
    write_jsonl(seeds_run / "claims.jsonl", claims)
    report = evaluate(load_gold([GOLD]), load_run(seeds_run)).to_dict()
    assert report["claims"]["lenient"]["tp"] == len(claims)
    assert report["claims"]["strict"]["tp"] == len(claims) - 2


@needs_seeds
def test_evaluate_missing_document_counts_as_false_negatives(seeds_run):
    docs = read_jsonl(seeds_run / "documents.jsonl")
    dropped = docs.pop()["doc_id"]
    write_jsonl(seeds_run / "documents.jsonl", docs)
    for name in ("entities", "claims"):
        rows = [r for r in read_jsonl(seeds_run / f"{name}.jsonl") if r["doc_id"] != dropped]
        write_jsonl(seeds_run / f"{name}.jsonl", rows)
    gold = load_gold([GOLD])
    report = evaluate(gold, load_run(seeds_run))
    assert report.missing_docs == [dropped]
    strict = report.to_dict()["claims"]["strict"]
    assert strict["fn"] == len(gold[dropped]["claims"]) and strict["fp"] == 0
    assert strict["precision"] == 1.0 and strict["recall"] < 1.0


def gold_lines(tmp_path: Path, lines: list[str], name: str = "gold.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seed_lines() -> list[str]:
    return GOLD.read_text(encoding="utf-8").splitlines()


def edited(line: str, edit) -> str:
    record = json.loads(line)
    edit(record)
    return json.dumps(record, ensure_ascii=False)


def shift_first_money(record: dict) -> None:
    money = next(e for e in record["entities"] if e["type"] == "MONEY")
    money["start"] += 1
    money["end"] += 1


def drop_currency(record: dict) -> None:
    del next(e for e in record["entities"] if e["type"] == "MONEY")["currency"]


def shift_claim_value(record: dict) -> None:
    record["claims"][0]["value"]["start"] -= 1


def reverse_dates(record: dict) -> None:
    date = next(e for e in record["entities"] if e["type"] == "DATE")
    date["start_date"], date["end_date"] = "2026-12-31", "2026-01-01"


@pytest.mark.parametrize("case, line_no, words", [
    ("offset", 3, ("entity", "MONEY", "text at")),
    ("json", 4, ("not valid JSON",)),
    ("duplicate", 4, ("already given at", ":1")),
    ("missing", 3, ("entity", "missing 'currency'")),
    ("claim_offset", 3, ("claim 1 value", "text at")),
    ("dates", 3, ("entity", "after end_date")),
])
@needs_seeds
def test_evaluate_gold_errors_name_file_and_line(tmp_path, case, line_no, words):
    first, second, third = seed_lines()
    bad = {"offset": [first, "", edited(second, shift_first_money), third],
           "json": [first, "", second, third[:-5]],
           "duplicate": [first, "", second, first],
           "missing": [first, "", edited(second, drop_currency), third],
           "claim_offset": [first, "", edited(second, shift_claim_value), third],
           "dates": [first, "", edited(second, reverse_dates), third]}[case]
    path = gold_lines(tmp_path, bad)
    with pytest.raises(GoldError) as err:
        load_gold([path], seed_texts())
    message = str(err.value)
    assert message.startswith(f"{path}:{line_no}: "), message
    for word in words:
        assert word in message


@needs_seeds
def test_evaluate_gold_offsets_checked_against_own_text_or_skipped(tmp_path):
    texts = seed_texts()
    first, second, third = seed_lines()
    shifted = edited(second, shift_first_money)
    assert len(load_gold([gold_lines(tmp_path, [first, shifted, third])])) == 3  # no text: unchecked
    with_text = edited(shifted, lambda r: r.update(text=texts[r["doc_id"]]))
    path = gold_lines(tmp_path, [first, with_text, third], "own.jsonl")
    with pytest.raises(GoldError, match=r"own\.jsonl:2: entity \d+ \(MONEY .*: text at"):
        load_gold([path])


@needs_seeds
def test_evaluate_gold_duplicate_across_files(tmp_path):
    first, second, third = seed_lines()
    a = gold_lines(tmp_path, [first, second], "a.jsonl")
    b = gold_lines(tmp_path, [third, second], "b.jsonl")
    with pytest.raises(GoldError, match=r"b\.jsonl:2: doc_id .* already given at .*a\.jsonl:2"):
        load_gold([a, b])
    assert len(load_gold([a, gold_lines(tmp_path, [third], "c.jsonl")])) == 3


@pytest.mark.parametrize("status", ["running", "failed"])
@needs_seeds
def test_evaluate_refuses_incomplete_run(seeds_run, status, capsys):
    manifest = json.loads((seeds_run / "manifest.json").read_text())
    manifest["status"] = status
    (seeds_run / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunError, match=rf"{'failed' if status == 'failed' else 'incomplete'}.*re-run"):
        load_run(seeds_run)
    assert main([GOLD], seeds_run) == 2
    assert capsys.readouterr().err.startswith("claims eval: ")


@needs_seeds
def test_evaluate_refuses_folder_without_manifest(seeds_run):
    (seeds_run / "manifest.json").unlink()
    with pytest.raises(RunError, match="no manifest.json"):
        load_run(seeds_run)


@needs_seeds
def test_evaluate_cli_json_and_errors(seeds_run, capsys):
    changed = perturb(seeds_run)
    n = sum(len(r["claims"]) for r in read_jsonl(GOLD))
    assert cli_main(["eval", "--gold", str(GOLD), "--run", str(seeds_run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["claims"]["strict"]["f1"] == pytest.approx(f1((n - 2) / (n - 1), (n - 2) / n))

    assert cli_main(["eval", "--gold", str(GOLD), "--run", str(seeds_run), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "Entities" in out and "Claims" in out and "COMPANY/nominal+pronoun" in out
    money = changed["money"]
    assert (f"{money['doc_id']} {money['start']}-{money['end']} {money['text']!r}: expected "
            f"{changed['old_amount']!r} {money['currency']}") in out
    assert f"found {money['amount']!r} USD" in out
    date = changed["date"]
    assert f"FN    {date['doc_id']} {date['start']}-{date['end']} {date['text']!r}" in out
    assert f"FP    {date['doc_id']} {date['start']}-{date['end'] - 1} {date['text'][:-1]!r}" in out
    spurious = changed["spurious"]
    assert f"FP    {spurious['doc_id']} {spurious['start']}-{spurious['end']}" in out
    deleted = changed["deleted"]
    value = deleted["value"]
    assert f"FN    {deleted['doc_id']} {value['start']}-{value['end']}: expected" in out
    assert " in: " + " ".join(deleted["sentence"]["text"].split()) in out

    # with --json the listing goes to stderr, so stdout stays one JSON document
    assert cli_main(["eval", "--gold", str(GOLD), "--run", str(seeds_run), "--json", "--errors"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == scores
    assert f"expected {changed['old_amount']!r} USD" in captured.err


@needs_seeds
def test_evaluate_error_listing_shows_sentences(seeds_run):
    changed = perturb(seeds_run)
    gold, run = load_gold([GOLD]), load_run(seeds_run)
    listing = format_errors(evaluate(gold, run), gold, run)
    sentence = changed["wrong_claim"]["sentence"]["text"]
    assert listing.count(f"in: {' '.join(sentence.split())}") >= 2  # the MONEY value and the claim
    assert "PERCENT (exact spans): 1 error(s)" in listing


@pytest.mark.parametrize("a, b", [
    ("Alibaba Group Holding Ltd.", "alibaba"),
    ("Microsoft Corp.", "Microsoft Corporation"),
    ("ByteDance Co., Ltd.", "BYTEDANCE"),
    ("Siemens AG", "siemens"),
    ("Banco Santander, S.A.", "Banco Santander"),
    ("JPMorgan Chase & Co.", "JPMorgan Chase"),
])
@needs_seeds
def test_evaluate_names_equal_ignoring_case_punctuation_and_suffixes(a, b):
    assert normalize_name(a) == normalize_name(b)
    assert same_name({"name": a}, {"name": b})


@needs_seeds
def test_evaluate_names_that_differ_stay_different():
    assert not same_name({"name": "Alibaba Group Holding Ltd."}, {"name": "Alibaba Health"})
    assert not same_name({"name": "ByteDance"}, {"name": None})
    assert normalize_name("Group") == "group"  # never stripped to nothing


def claim(subject: dict, start: int, amount: float, period: dict | None = None) -> dict:
    value = {"type": "MONEY", "text": "$1bn", "start": start, "end": start + 4, "amount": amount,
             "currency": "USD", "approximate": False}
    return {"subject": {"text": "it", "start": 0, "end": 2, **subject}, "metric": "m", "value": value,
            "alternatives": [], "change": None, "period": period, "sentence": {"start": 0, "end": 40}}


def one_doc(gold_claims: list[dict], pred_claims: list[dict]) -> dict:
    gold = {"d": {"doc_id": "d", "entities": [], "claims": gold_claims}}
    run = Run({"d": {"doc_id": "d"}}, {}, {"d": [{"doc_id": "d", **c} for c in pred_claims]})
    return evaluate(gold, run).to_dict()["claims"]["lenient"]


@needs_seeds
def test_evaluate_claims_match_through_aliases_and_ids():
    gold = [claim({"company_id": None, "name": "Meta Platforms", "aliases": ["Facebook"]}, 10, 1e9)]
    assert one_doc(gold, [claim({"company_id": None, "name": "Facebook, Inc."}, 10, 1.002e9)])["tp"] == 1
    assert one_doc(gold, [claim({"company_id": None, "name": "Instagram"}, 10, 1e9)])["tp"] == 0
    assert one_doc(gold, [claim({"company_id": None, "name": "Meta"}, 20, 1e9)])["tp"] == 0  # no overlap
    linked = [claim({"company_id": "meta", "name": "Meta Platforms"}, 10, 1e9)]
    assert one_doc(linked, [claim({"company_id": "meta", "name": "Facebook"}, 11, 1e9)])["tp"] == 1
    assert one_doc(linked, [claim({"company_id": "meta", "name": "Meta"}, 10, 1.1e9)])["tp"] == 0


@needs_seeds
def test_evaluate_claims_use_a_maximum_matching():
    assert max_matching(2, 2, lambda i, j: (i, j) in {(0, 0), (0, 1), (1, 0)}) == {0: 1, 1: 0}
    subject = {"company_id": "acme", "name": "Acme"}
    gold = [claim(subject, 10, 1e9), claim(subject, 12, 1e9)]
    # the first prediction overlaps both gold values, the second only the first gold value:
    # taking the first edge greedily would leave the second gold claim unmatched
    pred = [claim(subject, 11, 1e9), claim(subject, 7, 1e9)]
    assert one_doc(gold, pred)["tp"] == 2


@pytest.mark.parametrize("gold, pred, ok", [
    ({"type": "MONEY", "amount": 28e9, "currency": "USD"}, {"type": "MONEY", "amount": 28.1e9, "currency": "USD"}, True),
    ({"type": "MONEY", "amount": 28e9, "currency": "USD"}, {"type": "MONEY", "amount": 28.2e9, "currency": "USD"}, False),
    ({"type": "MONEY", "amount": 28e9, "currency": "USD"}, {"type": "MONEY", "amount": 28e9, "currency": "CNY"}, False),
    ({"type": "PERCENT", "percent": 25.0}, {"type": "PERCENT", "percent": 25.0, "points": False}, True),
    ({"type": "PERCENT", "percent": 3.0, "points": True}, {"type": "PERCENT", "percent": 3.0}, False),
    ({"type": "DATE", "start_date": "2026-01-01", "end_date": "2026-12-31"},
     {"type": "DATE", "start_date": "2026-01-01", "end_date": "2026-06-30"}, False),
    ({"type": "COMPANY", "company_id": "bytedance", "name": "ByteDance"},
     {"type": "COMPANY", "company_id": None, "name": "ByteDance"}, False),
    ({"type": "COMPANY", "company_id": None, "name": "Helio Systems", "aliases": ["Helio"]},
     {"type": "COMPANY", "company_id": None, "name": "Helio Inc."}, True),
])
@needs_seeds
def test_evaluate_value_rules(gold, pred, ok):
    assert value_ok(gold, pred) is ok


def test_evaluate_corpus_gold_against_itself_scores_one(tmp_path):
    """Runs on a bare clone too: the corpus gold carries its texts."""
    gold_path = CORPUS / "gold.jsonl"
    write_run_from_gold(gold_path, tmp_path / "run")
    report = evaluate(load_gold([gold_path]), load_run(tmp_path / "run")).to_dict()
    assert report["documents"] == len(read_jsonl(gold_path)) and report["missing_docs"] == []
    for row in report["entities"].values():
        assert row["exact"]["f1"] == 1.0 and row["normalization"]["accuracy"] == 1.0
    assert report["claims"]["lenient"]["f1"] == report["claims"]["strict"]["f1"] == 1.0


def test_evaluate_publication_dates_are_scored(tmp_path):
    gold_path = CORPUS / "gold.jsonl"
    run = tmp_path / "run"
    write_run_from_gold(gold_path, run)
    gold = load_gold([gold_path])
    dated = [d for d, r in gold.items() if r.get("published")]
    report = evaluate(gold, load_run(run)).to_dict()
    assert report["published"] == {"n": len(dated), "accuracy": 1.0}
    docs = read_jsonl(run / "documents.jsonl")
    for d in docs:
        if d["doc_id"] == dated[0]:
            d["published"] = "1999-01-01"
    (run / "documents.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    report = evaluate(gold, load_run(run)).to_dict()
    assert report["published"]["accuracy"] == pytest.approx((len(dated) - 1) / len(dated))
