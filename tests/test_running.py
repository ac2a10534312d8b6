"""`claims extract` end to end: the run folder, its manifest, bad input that does not stop it,
resuming a killed run and extending a complete one, Parquet output, and the progress line."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import CORPUS, SEEDS, read_jsonl
from pipeline.running import fingerprint as real_fingerprint
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
        "cache", "claims.jsonl", "documents.jsonl", "entities.jsonl", "errors.jsonl", "manifest.json"]
    assert [p.name for p in (run / "cache").iterdir()] == ["index.sqlite"]  # what --resume needs
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


class ExplodingOn:
    """A stage between the recognizers that adds a mention, and fails on one document."""
    name, requires, assigns = "exploding_on", ("sentences",), ("mentions",)

    def __init__(self, doc_id):
        self.doc_id = doc_id

    def __call__(self, doc):
        doc.mentions.append(Mention("MONEY", 0, 3, {"amount": 1.0, "currency": "USD"}))
        if doc.doc_id == self.doc_id:
            raise RuntimeError("boom")
        return doc


def test_running_documents_in_groups_as_one_by_one(monkeypatch):
    """A shard's documents go through the stages stage by stage, in groups: each document's
    lines are those it gets alone, and a failure on one document of a group touches no other."""
    import pipeline.running as running

    full = build_pipeline()
    stages = full[:3] + [ExplodingOn("b")] + full[3:]
    texts = {"a": ARTICLE, "b": ARTICLE.replace("Acme", "Apple"), "c": ARTICLE.replace("4%", "5%")}

    def docs():
        return [Document(doc_id=i, text=t) for i, t in texts.items()]

    alone = [process_shard(0, [doc], stages).items[0].lines for doc in docs()]
    grouped = process_shard(0, docs(), stages)
    assert [out.lines for out in grouped.items] == alone
    assert [len(lines["errors"]) for lines in alone] == [0, 1, 0]
    assert ['"start":0,' in "".join(lines["entities"]) for lines in alone] == [True, False, True]
    assert all(lines["claims"] for lines in alone)  # the stages after the failing one ran
    monkeypatch.setattr(running, "GROUP_CHARS", 1)  # a group per document
    assert [len(g) for g in running.groups(docs())] == [1, 1, 1]
    assert [out.lines for out in process_shard(0, docs(), stages).items] == alone


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


# -- resuming ------------------------------------------------------------------------------

OUTPUT_FILES = ("documents.jsonl", "entities.jsonl", "claims.jsonl", "errors.jsonl")


def corpus_records(n=8, chars=700):
    """Short real articles: the first lines of corpus/input/articles.jsonl."""
    records = read_jsonl(CORPUS / "input" / "articles.jsonl")[:n]
    for r in records:
        r["text"] = r["text"][: r["text"].rfind("\n", 0, chars) + 1]
    return records


def write_inputs(folder, records, extra_lines=()):
    """A folder with a dump of the records (and extra raw lines), and one text file."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    (folder / "dump.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    (folder / "zz-acme.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def extract_to(src, out, *args):
    from pipeline.cli import main

    return main(["extract", str(src), "-o", str(out), "--workers", "1", *args])


def same_outputs(a, b, names=OUTPUT_FILES):
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs"


def processed_recorder(seen, real):
    """process_shard, noting the doc ids that go through the stages, shard by shard."""
    def recording(index, items, *args, **kwargs):
        if docs := [i.doc_id for i in items if isinstance(i, Document)]:
            seen.append(docs)
        return real(index, items, *args, **kwargs)
    return recording


@pytest.fixture
def processed(monkeypatch):
    """The doc ids that go through the stages, shard by shard."""
    import pipeline.running as running

    seen = []
    monkeypatch.setattr(running, "process_shard", processed_recorder(seen, running.process_shard))
    return seen


@pytest.fixture(autouse=True)
def same_pipeline(monkeypatch):
    """One fingerprint for every run of a test: others may be editing the stages meanwhile."""
    import pipeline.running as running

    monkeypatch.setattr(running, "fingerprint", lambda stages, settings: f"test:{settings.keep_text}")


def test_running_fingerprint_is_stable_and_follows_keep_text():
    from pipeline.settings import Settings

    stages = build_pipeline()
    assert real_fingerprint(stages, Settings()) == real_fingerprint(stages, Settings(workers=2, format="parquet"))
    assert real_fingerprint(stages, Settings()) != real_fingerprint(stages, Settings(keep_text=False))
    assert real_fingerprint(stages[:2], Settings()) != real_fingerprint(stages, Settings())


KILLER = """
import os, signal, sys
import pipeline.running as running
import pipeline.writing as writing
running.fingerprint = lambda stages, settings: f"test:{settings.keep_text}"
from pipeline.cli import main
real, calls = writing.write_atomic, [0]
def dying(path, text):
    calls[0] += 1
    if calls[0] == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    real(path, text)
writing.write_atomic = dying
main(sys.argv[2:])
"""


def test_running_resume_after_kill_equals_uninterrupted_run(tmp_path, processed):
    import os
    import subprocess
    import sys

    src = write_inputs(tmp_path / "in", corpus_records(), ["{cut"])
    assert extract_to(src, tmp_path / "whole", "--shard-size", "2") == 1  # the broken line
    processed.clear()
    # Killed (SIGKILL) in the middle of writing shard 3: the manifest write, then 6 atomic
    # writes per shard (4 outputs, index, .done), then 2 files of shard 3.
    run = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(CORPUS.parent)}
    proc = subprocess.run([sys.executable, "-c", KILLER, str(1 + 6 * 3 + 2), "extract", str(src),
                           "-o", str(run), "--workers", "1", "--shard-size", "2"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert json.loads((run / "manifest.json").read_text())["status"] == "running"
    assert sorted(p.name for p in (run / "shards").glob("*.done")) == ["000000.done", "000001.done", "000002.done"]
    assert not (run / "documents.jsonl").exists()

    assert extract_to(src, run, "--shard-size", "2", "--resume") == 1
    assert processed == [["microsoft-fy26-capex", "nimbus-grid-capex-a"], ["zz-acme"]]
    same_outputs(run, tmp_path / "whole")
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["resumed"]["shards_kept"] == 3
    assert manifest["counts"]["documents"] == 9 and manifest["counts"]["errors"] == 1
    assert not (run / "shards").exists()


def test_running_resume_after_failure_equals_uninterrupted_run(tmp_path, monkeypatch):
    import pipeline.running as running

    src = write_inputs(tmp_path / "in", corpus_records(6))
    assert extract_to(src, tmp_path / "whole", "--shard-size", "2") == 0
    real = running.process_shard

    def dying(index, *args, **kwargs):
        if index == 2:
            raise KeyboardInterrupt
        return real(index, *args, **kwargs)

    monkeypatch.setattr(running, "process_shard", dying)
    with pytest.raises(KeyboardInterrupt):
        extract_to(src, tmp_path / "run", "--shard-size", "2")
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["status"] == "failed"
    processed = []
    monkeypatch.setattr(running, "process_shard", processed_recorder(processed, real))
    assert extract_to(src, tmp_path / "run", "--shard-size", "2", "--resume") == 0
    assert processed == [["lumenfold-series-b", "meta-eu-fine"], ["zz-acme"]]  # shards 2 and 3 only
    same_outputs(tmp_path / "run", tmp_path / "whole")


def test_running_resume_processes_only_new_and_changed_documents(tmp_path, processed):
    records = corpus_records(8)
    records[0]["text"] = records[0]["text"].replace(". ", ".\u2028", 1)
    records[0]["title"] += " \x85 \u2029"
    old = write_inputs(tmp_path / "v1", records[:6], ["{broken"])
    run = tmp_path / "run"
    assert extract_to(old, run, "--shard-size", "3") == 1
    # New inputs: one document gone, one changed, two new (one among the old ones), the
    # broken line fixed, a record without text added.
    changed = {**records[1], "text": records[1]["text"].replace("Anthropic", "Anthropic PBC", 1)}
    new_records = [records[0], changed, records[6], *records[3:6], records[7]]
    assert "\u2028" in records[0]["text"] and "\x85" in records[0]["title"]  # not line breaks in JSON Lines
    new = write_inputs(tmp_path / "v1", new_records, [json.dumps({"id": "notext"})])  # in place
    processed.clear()
    assert extract_to(new, run, "--shard-size", "3", "--resume") == 1
    done = sorted(doc_id for shard in processed for doc_id in shard)
    assert done == sorted([changed["id"], records[6]["id"], records[7]["id"]])
    assert extract_to(new, tmp_path / "fresh", "--shard-size", "3") == 1
    same_outputs(run, tmp_path / "fresh")
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["resumed"]["documents_reused"] == 5  # four from the dump and zz-acme
    # Nothing new: nothing is processed, and the output stays the same.
    processed.clear()
    assert extract_to(new, run, "--shard-size", "7", "--resume") == 1
    assert processed == []
    same_outputs(run, tmp_path / "fresh")


def test_running_resume_of_another_pipeline_runs_everything(tmp_path, monkeypatch, processed):
    import pipeline.running as running

    src = write_inputs(tmp_path / "in", corpus_records(2))
    run = tmp_path / "run"
    assert extract_to(src, run) == 0
    monkeypatch.setattr(running, "fingerprint", lambda stages, settings: "another pipeline")
    processed.clear()
    assert extract_to(src, run, "--resume") == 0
    assert processed == [[r["id"] for r in corpus_records(2)] + ["zz-acme"]]
    (run / "cache" / "index.sqlite").unlink()  # as left by a run from before the index
    monkeypatch.setattr(running, "fingerprint", lambda stages, settings: "another pipeline")
    processed.clear()
    assert extract_to(src, run, "--resume") == 0
    assert len(processed[0]) == 3


def test_running_without_resume_replaces_the_folder(tmp_path, processed):
    records = corpus_records(4)
    run = tmp_path / "run"
    assert extract_to(write_inputs(tmp_path / "v1", records), run, "--format", "parquet") == 0
    new = write_inputs(tmp_path / "v2", records[1:3])
    processed.clear()
    assert extract_to(new, run) == 0
    assert sum(len(s) for s in processed) == 3  # everything again
    assert extract_to(new, tmp_path / "fresh") == 0
    same_outputs(run, tmp_path / "fresh")
    assert sorted(p.name for p in run.iterdir()) == sorted(p.name for p in (tmp_path / "fresh").iterdir())


# -- Parquet -------------------------------------------------------------------------------

def test_running_parquet_reads_back_as_the_jsonl_run(tmp_path):
    from pipeline.writing import read_records

    src = write_inputs(tmp_path / "in", corpus_records(5), ["{broken", json.dumps({"id": "e", "text": " "})])
    assert extract_to(src, tmp_path / "jsonl", "--shard-size", "2") == 1
    assert extract_to(src, tmp_path / "parquet", "--shard-size", "2", "--format", "parquet") == 1
    for name in ("documents", "entities", "claims", "errors"):
        from_jsonl = read_records(tmp_path / "jsonl" / f"{name}.jsonl")
        assert from_jsonl, name
        assert read_records(tmp_path / "parquet" / f"{name}.parquet") == from_jsonl, name
        assert not (tmp_path / "parquet" / f"{name}.jsonl").exists()
    import pandas as pd

    frame = pd.read_parquet(tmp_path / "parquet" / "entities.parquet")
    assert len(frame) == len(read_records(tmp_path / "jsonl" / "entities.jsonl"))
    # an incremental parquet run reads its previous output back from cache/
    more = write_inputs(tmp_path / "in", corpus_records(6), ["{broken", json.dumps({"id": "e", "text": " "})])
    assert extract_to(more, tmp_path / "parquet", "--shard-size", "2", "--format", "parquet", "--resume") == 1
    assert extract_to(more, tmp_path / "fresh", "--shard-size", "2", "--format", "parquet") == 1
    for name in ("documents", "entities", "claims", "errors"):
        assert (read_records(tmp_path / "parquet" / f"{name}.parquet")
                == read_records(tmp_path / "fresh" / f"{name}.parquet")), name


def test_running_parquet_keeps_null_apart_from_missing(tmp_path):
    from pipeline.writing import read_records, write_parquet

    shard = tmp_path / "000000.claims.jsonl"
    records = [{"doc_id": "a", "claim_id": "1", "change": None, "n": 1, "x": "s"},
               {"doc_id": "b", "claim_id": "2", "change": {"percent": 4.0}, "n": 2.5, "y": [1, 2]},
               {"doc_id": "c", "claim_id": "3", "x": None, "big": 1 << 70}]
    shard.write_text("".join(json.dumps(r) + "\n" for r in records))
    write_parquet([shard], tmp_path / "claims.parquet", "claims")
    assert read_records(tmp_path / "claims.parquet") == records


# -- progress and summary ------------------------------------------------------------------

def test_running_progress_line_only_on_a_terminal(tmp_path, capsys):
    import io

    from pipeline.running import extract
    from pipeline.settings import Settings

    src = write_inputs(tmp_path / "in", corpus_records(3))
    stream = io.StringIO()
    summary = extract([src], tmp_path / "run", Settings(shard_size=1), progress=stream)
    shown = stream.getvalue()
    assert "\rclaims extract: " in shown and "words/s" in shown and " of 0.0 MB" in shown
    assert shown.endswith("\r")  # the line is cleared at the end
    assert summary.counts["documents"] == 4
    assert extract_to(src, tmp_path / "run2") == 0  # stderr is not a terminal here: no progress
    err = capsys.readouterr().err
    assert "\r" not in err and err.count("\n") == 1 and "4 documents" in err


# -- bad input -----------------------------------------------------------------------------

def test_running_every_kind_of_bad_input_is_an_error_record(run_extract, tmp_path):
    import gzip
    import random

    rng = random.Random(0)

    src = tmp_path / "in"
    src.mkdir()
    good = json.dumps({"id": "ok", "text": ARTICLE})
    (src / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "latin1.txt").write_bytes("Café prices rose 4%".encode("latin-1"))
    (src / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (src / "binary.jsonl").write_bytes(b"\x00\x01\x02" * 100)
    (src / "empty.txt").write_bytes(b"")
    (src / "huge.txt").write_bytes(b"word " * 10_000_000)  # 50 MB, over --max-chars
    big = json.dumps({"id": "big", "text": "word " * 10_000_000})
    lines = [good, "{broken json", json.dumps({"id": "notext"}), b"\xff\xfe bad bytes".decode("latin-1"), big, good]
    (src / "dump.jsonl").write_bytes(b"\n".join(
        line.encode("latin-1") if i == 3 else line.encode("utf-8") for i, line in enumerate(lines)) + b"\n")
    (src / "cut.jsonl").write_text(good + "\n" + good[:40], encoding="utf-8")
    body = "".join(json.dumps({"id": f"gz{i}", "text": ARTICLE, "pad": rng.randbytes(3000).hex()}) + "\n"
                   for i in range(40)).encode()
    data = gzip.compress(body)
    (src / "cut2.jsonl.gz").write_bytes(data[: len(data) // 2])
    code, run = run_extract(src, args=("--max-chars", "10000000"))
    assert code == 1
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    docs = [d["doc_id"] for d in read_jsonl(run / "documents.jsonl")]
    assert docs.count("ok") == 3 and docs[-1] == "good" and "gz0" in docs and "big" not in docs
    errors = {(e["source"].rsplit("/", 1)[-1], e["error"]) for e in read_jsonl(run / "errors.jsonl")}
    gz_errors = {e for e in errors if e[0].startswith("cut2.jsonl.gz:")}
    assert len(gz_errors) == 1 and next(iter(gz_errors))[1] in ("EOFError", "BadGzipFile")
    assert errors - gz_errors == {
        ("binary.jsonl", "DecodeError"), ("binary.txt", "DecodeError"), ("latin1.txt", "DecodeError"),
        ("empty.txt", "EmptyDocument"), ("huge.txt", "DocumentTooLarge"),
        ("dump.jsonl:2", "BadJsonLine"), ("dump.jsonl:3", "MissingText"), ("dump.jsonl:4", "DecodeError"),
        ("dump.jsonl:5", "DocumentTooLarge"), ("cut.jsonl:2", "BadJsonLine")}
    assert manifest["counts"]["errors"] == len(errors)
    check_spans(run)


class Misplacing:
    """A buggy stage: a mention past the end of the text, a claim pointing at it, and one
    mention whose fields cannot be written as JSON."""
    name, requires, assigns = "misplacing", ("sentences",), ("mentions", "claims")

    def __init__(self, unwritable=False):
        self.unwritable = unwritable

    def __call__(self, doc):
        from pipeline.types import Claim

        good = Mention("MONEY", 0, 4, {"amount": 1.0, "currency": "USD"})
        bad = Mention("PERCENT", len(doc.text) - 2, len(doc.text) + 5, {"percent": 1.0})
        doc.mentions += [good, bad]
        doc.claims += [Claim(subject=good, value=good, metric="m", sentence=(0, 4)),
                       Claim(subject=good, value=bad, metric="m", sentence=(0, 4))]
        if self.unwritable:
            doc.mentions.append(Mention("DATE", 0, 3, {"start_date": object()}))
        return doc


def test_running_misplaced_spans_are_never_written():
    stages = build_pipeline(until="sentences") + [Misplacing()]
    shard = process_shard(0, [Document(doc_id="x", text=ARTICLE)], stages)
    assert [json.loads(e)["start"] for e in shard.lines["entities"]] == [0]
    assert len(shard.lines["claims"]) == 1
    errors = [json.loads(e) for e in shard.lines["errors"]]
    assert [(e["stage"], e["error"]) for e in errors] == [("write", "BadSpan"), ("write", "BadSpan")]
    assert json.loads(shard.lines["documents"][0])["errors"] == ["write", "write"]
    shard = process_shard(0, [Document(doc_id="y", text=ARTICLE)], build_pipeline(until="sentences")
                          + [Misplacing(unwritable=True)])
    assert shard.lines["entities"] == [] and shard.lines["claims"] == []
    assert [json.loads(e)["error"] for e in shard.lines["errors"]][-1] == "TypeError"
    assert shard.stats["counts"]["documents"] == 1


def test_running_collects_garbage_less_often_during_a_run_only():
    import gc

    import pipeline.running as running

    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with running.fewer_collections():
        assert gc.get_threshold() == (running.GC_YOUNG, *before[1:])
        assert gc.get_freeze_count() > 0  # the loaded tables
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), running.fewer_collections():
        raise RuntimeError("a failed run")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_running_lines_are_written_as_json_dumps_would():
    from pipeline.writing import dumps

    record = {"doc_id": "x/1", "text": "Nvidia’s “AI” push: ¥1.2bn, 5%\tup\n\u2028\x02\\", "start": 0, "end": 7,
              "amount": 28000000000.0, "percent": 0.125, "low": -1.5, "approximate": True, "name": None,
              "alternatives": [{"amount": 2e15, "currency": "USD"}], "sentence": {"start": 0, "end": 41}}
    expected = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    assert dumps(record) == expected and json.loads(dumps(record)) == record
    exponents = {"tiny": -1.5e-07, "vast": 2.5e21}  # spelt 1.5e-7 and 2.5e21, json's same numbers
    assert json.loads(dumps(exponents)) == exponents
    huge = {"amount": 10 ** 30}  # past what orjson writes: json writes it
    assert dumps(huge) == '{"amount":1000000000000000000000000000000}'
