"""`claims extract` at scale: the same output for any number of workers, locally or on a Dask
cluster; bounded memory when joining shards; and no crash and no wrong span on random text."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from conftest import CORPUS, read_jsonl
from pipeline.cli import main
from pipeline.running import extract
from pipeline.settings import Settings
from pipeline.writing import OUTPUTS, ItemOutput, RunWriter, ShardOutput

OUTPUT_FILES = [f"{name}.jsonl" for name in OUTPUTS]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The corpus articles, shortened, as a dump with a broken line, and two text files."""
    src = tmp_path_factory.mktemp("scale") / "in"
    src.mkdir()
    records = read_jsonl(CORPUS / "input" / "articles.jsonl")
    for r in records:
        r["text"] = r["text"][: r["text"].rfind("\n", 0, 600) + 1]
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ["{broken"]
    (src / "dump.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    for name in ("aws-data-centres.txt", "sk-hynix-won.txt"):
        (src / name).write_bytes((CORPUS / "input" / name).read_bytes())
    return src


@pytest.fixture(scope="module")
def one_worker(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "run"
    extract([inputs], out, Settings(workers=1, shard_size=2))
    return out


def assert_same(a: Path, b: Path) -> None:
    for name in OUTPUT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs"
    assert (a / "documents.jsonl").stat().st_size > 0


def test_scale_two_workers_equal_one(inputs, one_worker, tmp_path):
    summary = extract([inputs], tmp_path / "run", Settings(workers=2, shard_size=2))
    assert summary.counts["documents"] == 15 and summary.errors == 1
    assert_same(tmp_path / "run", one_worker)


def test_scale_dask_cluster_equals_local(inputs, one_worker, tmp_path):
    distributed = pytest.importorskip("distributed")

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster:
        code = main(["extract", str(inputs), "-o", str(tmp_path / "run"), "--scheduler",
                     cluster.scheduler_address, "--shard-size", "2"])
    assert code == 1  # the broken line
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["counts"]["documents"] == 15
    assert_same(tmp_path / "run", one_worker)


def write_shards(out: Path, count: int, text: str) -> RunWriter:
    writer = RunWriter(out, "parquet")
    writer.start({"fingerprint": "x"})
    for index in range(count):
        doc = json.dumps({"doc_id": f"d{index}", "text": text})
        writer.write_shard(ShardOutput(index, [ItemOutput(f"k{index}", f"d{index}", "sha", {
            "documents": [doc], "entities": [], "claims": [], "errors": []}, {"documents": 1})],
            {"counts": {"documents": 1}}))
    return writer


def test_scale_joining_shards_streams(tmp_path):
    """Joining 24 MB of shards into the outputs, the index and Parquet holds about one shard."""
    import tracemalloc

    write_shards(tmp_path / "warm", 1, "word").finish({}, 1)  # modules pyarrow imports on first use
    writer = write_shards(tmp_path / "run", 24, "word " * 200_000)  # 1 MB a shard
    tracemalloc.start()
    writer.finish({"fingerprint": "x"}, 24)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (tmp_path / "run" / "cache" / "documents.jsonl").stat().st_size > 24_000_000
    assert peak < 8_000_000, f"{peak:,} bytes"  # a shard's JSON and records, never all 24 MB


# -- random text ---------------------------------------------------------------------------

FRAGMENTS = ["$", "%", "€", "£", "¥", "RMB", "HK$", "US$", " billion", " bn", "m", "k", " per cent",
             " percentage points", "0", "1", "2.5", "3,000", "1,234,567.89", "-", "–", "~", "+",
             "Acme Corp.", "Alibaba", "Microsoft", "the company", " its ", "Inc.", " said ", "rose",
             "fell", " by ", " to ", "in 2025", "Q3", "fiscal 2026", "last quarter", "Dec. 23, 2025",
             "<b>", "</p>", "<a href='x'>", "&amp;", "&#36;", "**", "# ", "| ", "\n", "\r\n", "\n\n",
             "\t", "\x0b", "\x0c", "\x1f", "\u2028", "\u0085", "\u00a0", "\u200b", "\ufeff", "é",
             "\u0301", "😀", "中文", "ب", ". ", "? ", "! ", "...", "(", ")", "\"", "'", "  "]
TEXTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(st.characters(exclude_categories=("Cs",)),
                                                               max_size=12),
                           st.integers(0, 10**12).map(str), st.just("x" * 300)),
                 max_size=40).map("".join)


def check_spans(run: Path) -> None:
    docs = {d["doc_id"]: d for d in read_jsonl(run / "documents.jsonl")}
    for doc in docs.values():
        assert all(0 <= s < e <= len(doc["text"]) for s, e in doc["sentences"]), doc["sentences"]
    spans = []
    for e in read_jsonl(run / "entities.jsonl"):
        spans.append((e["doc_id"], e))
    for c in read_jsonl(run / "claims.jsonl"):
        text = docs[c["doc_id"]]["text"]
        assert 0 <= c["sentence"]["start"] < c["sentence"]["end"] <= len(text)
        for part in [c["subject"], c["value"], *c["alternatives"], c["change"], c["period"]]:
            if part is not None:
                spans.append((c["doc_id"], part))
    for doc_id, span in spans:
        text = docs[doc_id]["text"]
        assert 0 <= span["start"] < span["end"] <= len(text), span
        assert text[span["start"]:span["end"]] == span["text"], span


@hsettings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXTS, min_size=1, max_size=3))
def test_scale_random_text_never_crashes_or_misplaces_a_span(texts):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dump = tmp / "random.jsonl"
        dump.write_text("".join(json.dumps({"id": f"r{i}", "text": t, "published": "2025-12-23"}) + "\n"
                                for i, t in enumerate(texts)), encoding="utf-8")
        summary = extract([dump], tmp / "run", Settings(workers=1))
        errors = read_jsonl(tmp / "run" / "errors.jsonl")
        assert all(e["stage"] == "read" and e["error"] == "EmptyDocument" for e in errors), errors
        assert summary.counts["documents"] + len(errors) == len(texts)
        check_spans(tmp / "run")
