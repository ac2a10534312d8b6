"""Gold-making tools: `claims annotate` (a run document as a source), `claims gold build|check`."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import CORPUS, SEEDS, read_jsonl
from pipeline.annotate import number_arg
from pipeline.annotation import parse, parse_date_value
from pipeline.cli import main

# The normalized fields a source can hold, per type (CONTRACT.md, entities.jsonl).
FIELDS = {"MONEY": ("amount", "currency", "approximate", "low", "high"),
          "PERCENT": ("percent", "approximate", "points", "low", "high"),
          "DATE": ("start_date", "end_date", "granularity", "relative"),
          "COMPANY": ("company_id", "name", "form")}
SEED = SEEDS / "000_1df2661d28b495d9.txt"  # a real article, whose text ends with a line break


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A real run over the corpus inputs and one seed article."""
    out = tmp_path_factory.mktemp("gold-tools") / "run"
    inputs = [CORPUS / "input", *([SEED] if SEED.is_file() else [])]
    assert main(["extract", *map(str, inputs), "-o", str(out), "--workers", "1"]) == 0
    return out


def _by_doc(path):
    out = {}
    for record in read_jsonl(path):
        out.setdefault(record["doc_id"], []).append(record)
    return out


def _mention(m: dict) -> tuple:
    kind = m.get("type", "COMPANY")
    return kind, m["start"], m["end"], tuple(m.get(k) for k in FIELDS[kind])


def _claim(c: dict) -> tuple:
    span = (lambda m: (m["start"], m["end"]) if m else None)
    return (span(c["subject"]), span(c["value"]), tuple(map(span, c["alternatives"])), span(c["change"]),
            (c["change"] or {}).get("direction"), span(c["period"]), c["metric"])


def _annotated(tmp_path, run, doc_id, *args) -> tuple[int, object]:
    out = tmp_path / f"{doc_id}.ann"
    return main(["annotate", str(run), doc_id, "-o", str(out), *args]), out


def test_gold_tools_annotate_round_trips_every_run_document(tmp_path, run):
    documents = {d["doc_id"]: d for d in read_jsonl(run / "documents.jsonl")}
    entities, claims = _by_doc(run / "entities.jsonl"), _by_doc(run / "claims.jsonl")
    assert len(documents) >= 15 and sum(map(len, entities.values())) > 500
    for doc_id, doc in documents.items():
        code, out = _annotated(tmp_path, run, doc_id)
        assert code == 0, doc_id
        source = parse(out)
        assert source.text == doc["text"], doc_id
        got = sorted(_mention({"type": m.type, "start": m.start, "end": m.end, **m.fields})
                     for m in source.mentions)
        assert got == sorted(map(_mention, entities.get(doc_id, []))), doc_id
        got_claims = [{"subject": c["subject"].__dict__, "value": c["value"].__dict__,
                       "alternatives": [a.__dict__ for a in c["alternatives"]],
                       "change": c["change"] and {**c["change"].__dict__, "direction": c["direction"]},
                       "period": c["period"] and c["period"].__dict__, "metric": c["metric"]}
                      for c in source.claims]
        assert sorted(map(_claim, got_claims)) == sorted(map(_claim, claims.get(doc_id, []))), doc_id


def test_gold_tools_annotate_writes_the_corpus_markup(tmp_path, run, capsys):
    assert main(["annotate", str(run), "nimbus-grid-capex-a"]) == 0  # to standard output
    text = capsys.readouterr().out
    head, body, claims = text.split("\n---\n")
    assert "id: nimbus-grid-capex-a" in head and "format: jsonl" in head and "published: 2026-09-10" in head
    assert "[Nimbus Grid]{CO null #s1}" in body and "{MONEY 9e9 USD #v" in body
    assert claims.startswith("claim subject=#s1 value=#v")


def test_gold_tools_annotate_refuses_bad_names(tmp_path, run, capsys):
    assert main(["annotate", str(run), "sk-hynix-won", "-o", str(tmp_path / "other.ann")]) == 2
    assert "sk-hynix-won.ann" in capsys.readouterr().err
    assert main(["annotate", str(run), "no-such-doc"]) == 2
    code, out = _annotated(tmp_path, run, "sk-hynix-renamed", "--id", "sk-hynix-renamed")
    assert code == 2  # --id names the source, DOC_ID still names the run's document
    code = main(["annotate", str(run), "sk-hynix-won", "--id", "sk-hynix-renamed",
                 "-o", str(tmp_path / "sk-hynix-renamed.ann")])
    assert code == 0 and parse(tmp_path / "sk-hynix-renamed.ann").doc_id == "sk-hynix-renamed"


def test_gold_tools_annotated_sources_build_gold_that_scores_the_run_perfectly(tmp_path, run, capsys):
    sources = tmp_path / "sources"
    sources.mkdir()
    doc_ids = ["nimbus-grid-capex-a", "nimbus-grid-capex-b", "sk-hynix-won"]
    doc_ids += [SEED.stem] if SEED.is_file() else []
    for doc_id in doc_ids:  # sk-hynix-won as a .txt file, whose date is the labelled dateline
        fmt = ["--format", "txt"] if doc_id == "sk-hynix-won" else []
        assert main(["annotate", str(run), doc_id, "-o", str(sources / f"{doc_id}.ann"), *fmt]) == 0
    assert main(["gold", "build", str(sources), "-o", str(tmp_path / "built")]) == 0
    gold = tmp_path / "built" / "gold.jsonl"
    assert sorted(r["doc_id"] for r in read_jsonl(gold)) == sorted(doc_ids)
    assert (tmp_path / "built" / "input" / "sk-hynix-won.txt").is_file()
    assert main(["gold", "check", str(gold)]) == 0
    capsys.readouterr()
    assert main(["eval", "--gold", str(gold), "--run", str(run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert all(row["exact"]["f1"] == 1.0 for row in scores["entities"].values())
    assert scores["claims"]["strict"]["f1"] == 1.0 and scores["claims"]["strict"]["gold"] > 20


def test_gold_tools_build_of_corpus_sources_is_the_committed_gold(tmp_path):
    assert main(["gold", "build", str(CORPUS / "sources"), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "gold.jsonl").read_bytes() == (CORPUS / "gold.jsonl").read_bytes(), \
        "corpus/gold.jsonl differs from a build of corpus/sources: run claims gold build corpus/sources -o corpus"
    for path in (tmp_path / "input").iterdir():
        assert path.read_bytes() == (CORPUS / "input" / path.name).read_bytes(), path.name


def test_gold_tools_build_reports_a_broken_source(tmp_path, capsys):
    shutil.copy(CORPUS / "sources" / "sk-hynix-won.ann", tmp_path / "sk-hynix-won.ann")
    path = tmp_path / "sk-hynix-won.ann"
    path.write_text(path.read_text(encoding="utf-8").replace("{CO sk-hynix", "{CO no-such-co", 1),
                    encoding="utf-8")
    assert main(["gold", "build", str(path), "-o", str(tmp_path / "out")]) == 1
    assert "not in models/companies.jsonl" in capsys.readouterr().err


def test_gold_tools_check_accepts_good_gold(capsys):
    assert main(["gold", "check", str(CORPUS / "gold.jsonl")]) == 0
    assert capsys.readouterr().out.startswith(f"ok {CORPUS / 'gold.jsonl'}: 17 documents")


@pytest.mark.parametrize("breakage, message", [
    (lambda r: r["entities"][0].update(start=r["entities"][0]["start"] + 1), "entity 1"),
    (lambda r: r["claims"][0].pop("value"), "claim 1: missing 'value'"),
    (lambda r: r.update(doc_id=""), "doc_id must be a non-empty string"),
])
def test_gold_tools_check_names_the_broken_line(tmp_path, capsys, breakage, message):
    records = read_jsonl(CORPUS / "gold.jsonl")
    breakage(records[2])
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    assert main(["gold", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: " in err and message in err


def test_gold_tools_check_refuses_bad_json_and_duplicates(tmp_path, capsys):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"doc_id": "a", "entities": [], "claims": []}\n{"doc_id": \n', encoding="utf-8")
    assert main(["gold", "check", str(broken)]) == 2
    assert f"{broken}:2: not valid JSON" in capsys.readouterr().err
    gold = CORPUS / "gold.jsonl"
    assert main(["gold", "check", str(gold), str(gold)]) == 2
    assert "is already given at" in capsys.readouterr().err


@pytest.mark.parametrize("x", [28e9, 4.2e9, 1.32e9, 64.2, 0.5, 1e6, 1234567.0, 25.0, 11.4e12, 7.1e-3,
                               123456789012.0, 0.1 + 0.2])
def test_gold_tools_numbers_are_written_exactly(x):
    assert float(number_arg(x)) == x


@pytest.mark.parametrize("start, end, granularity", [
    ("2026-01-01", "2026-12-31", "year"), ("2026-07-01", "2026-12-31", "half"),
    ("2024-01-01", "2024-03-31", "quarter"), ("2024-02-01", "2024-02-29", "month"),
    ("2025-12-23", "2025-12-23", "day"), ("2020-01-01", "2029-12-31", "decade"),
    ("2025-01-01", "2027-12-31", "year"), ("2025-07-01", "2026-06-30", "year"),
    ("2025-12-22", "2025-12-28", "week"),
])
def test_gold_tools_dates_are_written_back_to_the_same_interval(start, end, granularity):
    from pipeline.annotate import date_arg

    got = parse_date_value(date_arg({"start_date": start, "end_date": end, "granularity": granularity}))
    assert (got["start_date"], got["end_date"], got["granularity"]) == (start, end, granularity)
