"""`claims extract` end to end: the run folder, its manifest, and bad input that does not stop it."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import SEEDS, read_jsonl
from pipeline.running import process_shard, run_stages
from pipeline.stages import build_pipeline
from pipeline.types import Document, Mention

ARTICLE = ("top of page\nAcme Corp. sees revenue of $2 billion\n  • 4 min read\n"
           "Acme Corp. said on Tuesday it would spend $2 billion. Its shares rose 4%.\nComments\n")


def check_spans(run):
    texts = {d["doc_id"]: d["text"] for d in read_jsonl(run / "documents.jsonl")}
    for e in read_jsonl(run / "entities.jsonl"):
        assert texts[e["doc_id"]][e["start"]:e["end"]] == e["text"]
    return texts


def test_running_writes_run_folder(run_extract, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "acme.txt").write_text(ARTICLE, encoding="utf-8")
    code, run = run_extract(src)
    assert code == 0
    assert sorted(p.name for p in run.iterdir()) == [
        "claims.jsonl", "documents.jsonl", "entities.jsonl", "errors.jsonl", "manifest.json"]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["counts"]["documents"] == 1
    assert manifest["inputs"] == [{"path": str(src / "acme.txt"), "kind": "text", "bytes": len(ARTICLE.encode())}]
    [doc] = read_jsonl(run / "documents.jsonl")
    text = doc["text"]
    sentences = [text[s:e] for s, e in doc["sentences"]]
    assert sentences == ["Acme Corp. sees revenue of $2 billion",
                         "Acme Corp. said on Tuesday it would spend $2 billion.", "Its shares rose 4%."]
    for s, e in doc["junk"]:  # junk lines lie outside every sentence
        assert all(e <= a or b <= s for a, b in doc["sentences"])
    check_spans(run)


def test_running_bad_inputs_are_reported_and_the_rest_is_written(run_extract, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "bad.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    (src / "dump.jsonl").write_text(json.dumps({"id": "d1", "text": ARTICLE}) + "\n{oops\n")
    code, run = run_extract(src)
    assert code == 1  # the exit status says that errors occurred
    assert [d["doc_id"] for d in read_jsonl(run / "documents.jsonl")] == ["d1", "good"]
    errors = read_jsonl(run / "errors.jsonl")
    assert {(e["source"].rsplit("/", 1)[-1], e["stage"], e["error"]) for e in errors} == {
        ("bad.txt", "read", "DecodeError"), ("dump.jsonl:2", "read", "BadJsonLine")}
    assert json.loads((run / "manifest.json").read_text())["status"] == "complete"


class Exploding:
    name, requires, assigns = "exploding", ("sentences",), ("mentions",)

    def __call__(self, doc):
        doc.mentions.append(Mention("MONEY", 0, 4, {"amount": 1.0, "currency": "USD"}))
        raise RuntimeError("boom")


def test_running_failing_stage_leaves_no_partial_output():
    stages = build_pipeline(until="sentences") + [Exploding()]
    doc = Document(doc_id="x", text=ARTICLE)
    errors = run_stages(doc, stages, Counter())
    assert doc.mentions == [] and doc.sentences
    assert [(e.stage, e.error, e.message) for e in errors] == [("exploding", "RuntimeError", "boom")]
    shard = process_shard(0, [Document(doc_id="y", text=ARTICLE)], stages)
    assert json.loads(shard.lines["documents"][0])["errors"] == ["exploding"]
    assert len(shard.lines["errors"]) == 1 and shard.lines["entities"] == []


def test_running_interrupted_run_is_marked_incomplete(run_extract, tmp_path, monkeypatch):
    import pipeline.running as running

    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"a{i}.txt").write_text(ARTICLE, encoding="utf-8")
    calls = {"n": 0}
    real = running.process_shard

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(running, "process_shard", dying)
    with pytest.raises(KeyboardInterrupt):
        run_extract(src, args=("--shard-size", "1"))
    run = tmp_path / "run"
    assert json.loads((run / "manifest.json").read_text())["status"] == "failed"
    assert not (run / "documents.jsonl").exists()  # nothing half-written is left as data


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside the project")
def test_running_seed_pages(run_extract):
    code, run = run_extract(SEEDS)
    assert code == 0
    docs = {d["doc_id"]: d for d in read_jsonl(run / "documents.jsonl")}
    assert sorted(docs) == ["000_1df2661d28b495d9", "001_1ff3b9ee1c16d7c4", "003_ecb8d1ca57deb080"]
    assert docs["001_1ff3b9ee1c16d7c4"]["published"] == "2025-12-23"
    check_spans(run)
    for doc in docs.values():
        for s, e in doc["junk"]:
            assert all(e <= a or b <= s for a, b in doc["sentences"])
