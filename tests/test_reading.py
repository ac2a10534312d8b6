"""Reading inputs: ids and metadata as CONTRACT.md says, and every bad input as an error record."""

from __future__ import annotations

import gzip
import json

import pytest

from pipeline.reading import Reader, list_inputs
from pipeline.types import Document, ErrorRecord

ARTICLE = "Acme Corp. said on Tuesday it would spend $2 billion.\nIts shares rose 4%.\n"


def read_all(*paths):
    files, _ = list_inputs(list(paths))
    return list(Reader().read(files))


def test_reading_ids_from_folder_and_file(tmp_path):
    root = tmp_path / "articles"
    (root / "tech").mkdir(parents=True)
    (root / "acme-q3.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "tech" / "deep.md").write_text(ARTICLE, encoding="utf-8")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")
    files, skipped = list_inputs([root, root / "acme-q3.txt"])
    assert [f.doc_id for f in files] == ["acme-q3", "tech/deep", "acme-q3"]
    assert skipped == [root / "notes.pdf"]


def test_reading_text_is_kept_exactly(tmp_path):
    text = "Title line\r\nBody with “quotes” and ₹4,200 crore.\r\n"
    (tmp_path / "a.txt").write_bytes(("\ufeff" + text).encode("utf-8"))
    [doc] = read_all(tmp_path / "a.txt")
    assert doc.text == text  # line breaks as written; only the byte-order mark goes


def test_reading_dump_ids_metadata_and_gz(tmp_path):
    records = [
        {"id": "x1", "title": "T", "url": "https://example.test/x1", "published": "2025-10-30T08:00:00Z",
         "text": ARTICLE, "section": "tech"},
        {"text": ARTICLE, "published": "last week"},
    ]
    body = "".join(json.dumps(r) + "\n" for r in records)
    (tmp_path / "dump.jsonl").write_text(body, encoding="utf-8")
    with gzip.open(tmp_path / "dump2.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(body)
    docs = read_all(tmp_path)
    assert [d.doc_id for d in docs] == ["x1", "dump:2", "x1", "dump2:2"]
    first = docs[0]
    assert (first.title, first.source, first.published) == ("T", "https://example.test/x1", "2025-10-30")
    assert first.meta == {"section": "tech"}
    assert docs[1].published is None and docs[1].meta["published_raw"] == "last week"


def test_reading_bad_inputs_become_error_records(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 prices rose 4%".encode("latin-1"))
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    lines = [json.dumps({"id": "ok1", "text": ARTICLE}), "{broken json", json.dumps(["a", "list"]),
             json.dumps({"id": "notext", "title": "no text"}), json.dumps({"id": "ok2", "text": ARTICLE}),
             '{"id": "cut", "text": "the dump ends in the mid']
    (tmp_path / "dump.jsonl").write_text("\n".join(lines), encoding="utf-8")
    items = read_all(tmp_path)
    docs = [i.doc_id for i in items if isinstance(i, Document)]
    errors = {i.source.rsplit("/", 1)[-1]: i for i in items if isinstance(i, ErrorRecord)}
    assert docs == ["ok1", "ok2", "good"]
    assert errors["binary.txt"].error == "DecodeError" and "binary" in errors["binary.txt"].message
    assert errors["latin1.txt"].error == "DecodeError" and "offset 3" in errors["latin1.txt"].message
    assert errors["empty.txt"].error == "EmptyDocument"
    assert errors["dump.jsonl:2"].error == "BadJsonLine"
    assert errors["dump.jsonl:3"].error == "BadJsonLine"
    assert errors["dump.jsonl:4"].error == "MissingText" and errors["dump.jsonl:4"].doc_id == "notext"
    assert errors["dump.jsonl:6"].error == "BadJsonLine" and "cut" in errors["dump.jsonl:6"].message
    assert all(e.stage == "read" for e in errors.values())


def test_reading_truncated_gzip_keeps_earlier_records(tmp_path):
    body = "".join(json.dumps({"id": f"d{i}", "text": ARTICLE * 50}) + "\n" for i in range(200))
    data = gzip.compress(body.encode("utf-8"))
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    items = read_all(tmp_path / "cut.jsonl.gz")
    assert isinstance(items[0], Document) and isinstance(items[-1], ErrorRecord)
    assert len(items) > 2 and all(isinstance(i, Document) for i in items[:-1])
    assert items[-1].error in ("EOFError", "BadGzipFile", "error")


def test_reading_too_large_document_is_an_error(tmp_path):
    (tmp_path / "big.txt").write_text("word " * 3000, encoding="utf-8")
    files, _ = list_inputs([tmp_path])
    [item] = list(Reader(max_chars=10_000).read(files))
    assert isinstance(item, ErrorRecord) and item.error == "DocumentTooLarge"


def test_reading_html_through_article_extractor(tmp_path):
    page = """<!DOCTYPE html><html><head><title>Acme raises $40 million</title>
    <meta property="article:published_time" content="2025-10-30T08:00:00Z"></head><body>
    <nav><a href="/">Home</a> <a href="/tech">Tech</a></nav>
    <article><h1>Acme raises $40 million</h1><p>Acme Labs, a Paris-based startup, raised $40 million.</p>
    <p>The round values the company at €300m.</p></article>
    <footer>© 2024 Example News</footer></body></html>"""
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [doc] = read_all(tmp_path / "page.html")
    assert doc.text == ("Acme raises $40 million\nAcme Labs, a Paris-based startup, raised $40 million.\n"
                        "The round values the company at €300m.")
    assert doc.title == "Acme raises $40 million" and doc.published == "2025-10-30"


def test_reading_html_footer_year_is_not_a_publication_date(tmp_path):
    page = ("<html><body><article><h1>Acme results</h1><p>Acme Labs raised $40 million in a round "
            "led by Sequoia Capital, the company said.</p></article><footer>© 2024 Example</footer></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [doc] = read_all(tmp_path / "page.html")
    assert doc.published is None


def test_reading_skips_gold_files_beside_articles(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text(json.dumps({"doc_id": "a", "entities": [], "claims": []}) + "\n")
    files, skipped = list_inputs([tmp_path])
    assert [f.doc_id for f in files] == ["a"] and skipped == [tmp_path / "gold.jsonl"]


def test_reading_dump_bad_bytes_and_binary_dump(tmp_path):
    (tmp_path / "dump.jsonl").write_bytes(
        json.dumps({"id": "a", "text": ARTICLE}).encode() + b"\n" + b'{"id": "b", "text": "caf\xe9"}\n'
        + json.dumps({"id": "c", "text": ARTICLE}).encode() + b"\n")
    (tmp_path / "image.jsonl.gz").write_bytes(gzip.compress(b"\x89PNG\x00\x00\x00" * 50))
    items = read_all(tmp_path / "dump.jsonl", tmp_path / "image.jsonl.gz")
    assert [type(i).__name__ for i in items] == ["Document", "ErrorRecord", "Document", "ErrorRecord"]
    bad, binary = items[1], items[3]
    assert (bad.source.rsplit("/", 1)[-1], bad.error, bad.doc_id) == ("dump.jsonl:2", "DecodeError", "dump:2")
    assert "offset" in bad.message
    assert binary.error == "DecodeError" and "binary" in binary.message  # one record, not one a line


def test_reading_overlong_dump_line_is_skipped_without_holding_it(tmp_path):
    import tracemalloc

    ok = json.dumps({"id": "ok", "text": ARTICLE})
    path = tmp_path / "dump.jsonl"
    with path.open("w", encoding="utf-8") as f:
        f.write(ok + "\n" + '{"id": "huge", "text": "' + "x" * 20_000_000 + '"}\n' + ok + "\n")
    files, _ = list_inputs([path])
    tracemalloc.start()
    items = list(Reader(max_chars=1000).read(files))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [getattr(i, "doc_id", None) for i in items] == ["ok", "dump:2", "ok"]
    assert items[1].error == "DocumentTooLarge" and items[1].source.endswith("dump.jsonl:2")
    assert peak < 5_000_000  # a 20 MB line, read in chunks of 1 MB


def test_reading_too_large_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    (tmp_path / "big.txt").write_bytes(b"word " * 2000)
    files, _ = list_inputs([tmp_path / "big.txt"])

    def no_reading(self):
        raise AssertionError("the file was read")

    monkeypatch.setattr(type(tmp_path), "read_bytes", no_reading)
    [item] = list(Reader(max_chars=1000).read(files))  # 10,000 bytes: over 4 bytes a character
    assert item.error == "DocumentTooLarge" and "10,000 bytes" in item.message


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_reading_streams_dumps_line_by_line(tmp_path, suffix):
    import random
    import tracemalloc

    rng = random.Random(0)
    body = "".join(json.dumps({"id": f"d{i}", "text": ARTICLE + rng.randbytes(5000).hex()}) + "\n"
                   for i in range(500)).encode()  # 5 MB
    path = tmp_path / f"dump{suffix}"
    path.write_bytes(gzip.compress(body) if suffix.endswith(".gz") else body)
    files, _ = list_inputs([path])
    reader = Reader()
    stream = reader.read(files)
    tracemalloc.start()
    first = next(stream)
    assert first.doc_id == "d0" and 0 < reader.position < path.stat().st_size / 4
    count = 1 + sum(1 for _ in stream)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 500 and reader.position == path.stat().st_size
    assert peak < 1_000_000  # a few lines at a time, never the 5 MB
