"""Writing a run folder so that it is either complete or clearly marked incomplete, and can
be resumed or extended without redoing finished work.

The run folder ``RUN_DIR``::

    manifest.json          status "running", "failed" or "complete"; settings, fingerprint, counts
    documents.jsonl        the four outputs (CONTRACT.md), only once the run is complete;
    entities.jsonl         with ``--format parquet`` they are documents.parquet, ... instead
    claims.jsonl
    errors.jsonl
    cache/index.sqlite     complete runs: one row per document, the state ``--resume`` needs
    cache/<name>.jsonl     parquet runs only: the four outputs as JSON Lines, which the index
                           points into (a jsonl run's index points into its own output files)
    shards/                while running, and after a run was killed:
      NNNNNN.<name>.jsonl  the lines of shard NNNNNN for each output
      NNNNNN.index.jsonl   one line per item read (document or read error), in order: ``key``,
                           ``doc_id``, ``text_sha256``, ``counts``, and for each output the
                           byte ``[offset, length]`` of the item's lines in the shard's file
      NNNNNN.done          the shard's stats; written last, so a shard without it is not done
      previous/            an incremental run: hard links to the previous complete run's line
                           files and index, from which unchanged documents are copied

Each shard's files are written under a temporary name and renamed when complete; the
``.done`` marker comes last. When every shard is done, the shards are joined in order into
the outputs (each again written to a temporary name, then renamed; JSON Lines by copying the
shard files, Parquet with one pyarrow ParquetWriter fed shard by shard), the shard indexes
into ``cache/index.sqlite`` with offsets into the joined files, and manifest.json gets
``"status": "complete"``. Until then manifest.json says ``"running"`` (or ``"failed"``): no
half-written line is ever data.

Resuming (``RunWriter.start(..., resume=True)``) is allowed only when the manifest's
``fingerprint`` (version, stages, keep_text, a digest of the package's code and models/,
and the versions of the libraries the stages use) equals the new run's, so that a reused
line is the line a fresh run would write; otherwise the folder is replaced as by a fresh
run. A killed or failed run keeps its ``shards/``: a done shard whose index lists the same
item keys as the shard now read is kept as it is. A complete run's line files and index
are hard-linked into ``shards/previous/``: a document whose key (doc id, text_sha256 and
metadata, see ``running.item_key``) is in the index is copied from there, not processed.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

OUTPUTS = ("documents", "entities", "claims", "errors")
SHARDS = "shards"
CACHE = "cache"
PREVIOUS = "previous"
INDEX = "index.sqlite"


# json.dumps(record, ensure_ascii=False, separators=(",", ":")), its encoder built once.
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(record: dict) -> str:
    """One output line: the record as compact JSON, keys in order, text as it is (no \\u
    escapes but for control characters). orjson writes it, the same characters as json.dumps
    with these options, about 12 times faster (JSON encoding was over half of writing the
    output); json writes what orjson refuses (an integer past 64 bits). They differ only where
    json writes no standard JSON (NaN; orjson writes null) and in how the exponent of a float
    under 1e-4 or from 1e16 is spelt ("1.5e-7", "1e16"; json "1.5e-07", "1e+16"), the same
    number."""
    try:
        return orjson.dumps(record).decode()
    except TypeError:  # orjson.JSONEncodeError
        return _LINE_ENCODER.encode(record)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write a whole file (text, or bytes already encoded) under a temporary name, then rename
    it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    with (tmp.open("wb") if isinstance(text, bytes) else tmp.open("w", encoding="utf-8")) as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json(path: Path, record: dict) -> None:
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def read_json(path: Path) -> dict | None:
    """A JSON object from a file, or None when it is missing or unreadable."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


@dataclass
class ItemOutput:
    """The output lines of one item read: a document, or an input that could not be read."""

    key: str
    doc_id: str | None
    text_sha256: str | None  # None for a read error, which is never reused
    lines: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in OUTPUTS})
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class ShardOutput:
    """The output of one shard: its items in input order, and its stats."""

    index: int
    items: list[ItemOutput] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def lines(self) -> dict[str, list[str]]:
        """The shard's lines for each output, items in order."""
        return {name: [line for item in self.items for line in item.lines[name]] for name in OUTPUTS}


class Resume:
    """What an earlier state of the run folder offers: done shards and reusable documents."""

    def __init__(self, shard_dir: Path, previous: Path | None = None, notes: list[str] | None = None):
        self.shard_dir = shard_dir
        self.notes = notes or []
        self._db = self._files = None
        if previous is not None and (previous / INDEX).is_file():
            self._db = sqlite3.connect(f"file:{previous / INDEX}?mode=ro", uri=True)
            self._files = {name: (previous / f"{name}.jsonl").open("rb") for name in OUTPUTS}

    def shard_done(self, index: int, keys: list[str]) -> dict | None:
        """The stats of shard ``index`` if it is done and holds exactly these items."""
        stats = read_json(self.shard_dir / f"{index:06d}.done")
        if stats is None:
            return None
        try:
            with (self.shard_dir / f"{index:06d}.index.jsonl").open(encoding="utf-8") as f:
                done_keys = [json.loads(line)["key"] for line in f]
        except (OSError, ValueError, KeyError):
            return None
        return stats if done_keys == keys else None

    def lookup(self, key: str) -> ItemOutput | None:
        """The output of a document of the previous complete run, by its key."""
        if self._db is None:
            return None
        row = self._db.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        key, doc_id, sha, counts, *spans = row
        item = ItemOutput(key, doc_id, sha, counts=json.loads(counts))
        for name, offset, length in zip(OUTPUTS, spans[0::2], spans[1::2]):
            if length:
                f = self._files[name]
                f.seek(offset)
                # lines end in "\n" alone: JSON escapes it in strings (not U+2028, U+0085...)
                item.lines[name] = f.read(length).decode("utf-8").removesuffix("\n").split("\n")
        return item

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            for f in self._files.values():
                f.close()
            self._db = self._files = None


class RunWriter:
    """Owns a run folder: its shards, the joined outputs, the resume state and the manifest."""

    def __init__(self, out_dir: Path, format: str = "jsonl"):
        self.out_dir = out_dir
        self.format = format
        self.shard_dir = out_dir / SHARDS
        self.cache_dir = out_dir / CACHE

    # -- starting --------------------------------------------------------------------------

    def start(self, manifest: dict, resume: bool = False) -> Resume:
        """Mark the folder as running; keep what a resumed run can use, remove the rest."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        old = read_json(self.out_dir / "manifest.json") if resume else None
        notes = []
        if resume:
            if old is None:
                notes.append("nothing to resume: no earlier run in this folder")
            elif old.get("fingerprint") != manifest.get("fingerprint"):
                notes.append("not resumed: the earlier run was made by another pipeline (code, "
                             "models, version or keep_text differ); running everything again")
                old = None
            elif old.get("status") not in ("running", "failed", "complete"):
                notes.append(f"not resumed: unknown status {old.get('status')!r}")
                old = None
        previous = self.shard_dir / PREVIOUS
        if old is not None and old.get("status") == "complete":
            self._link_previous(old)
            self.shard_dir.mkdir(exist_ok=True)
            for path in self.shard_dir.iterdir():  # anything but previous/ is stale here
                if path.name != PREVIOUS:
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        elif old is None:
            shutil.rmtree(self.shard_dir, ignore_errors=True)
        write_json(self.out_dir / "manifest.json", {**manifest, "status": "running"})
        self._remove_outputs()
        self.shard_dir.mkdir(exist_ok=True)
        if old is not None:
            done = len(list(self.shard_dir.glob("*.done")))
            reusable = "the previous complete run" if previous.is_dir() else "no complete run"
            notes.append(f"resuming: {done} shard(s) done, documents reused from {reusable}")
        return Resume(self.shard_dir, previous if previous.is_dir() else None, notes)

    def _remove_outputs(self) -> None:
        for name in OUTPUTS:
            for suffix in (".jsonl", ".parquet"):
                (self.out_dir / f"{name}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(self.cache_dir, ignore_errors=True)

    def _link_previous(self, old: dict) -> None:
        """Hard-link a complete run's line files and index into shards/previous/."""
        previous = self.shard_dir / PREVIOUS
        if previous.is_dir():  # linked by a start that was killed before it wrote the manifest
            return
        old_format = (old.get("settings") or {}).get("format", "jsonl")
        line_dir = self.out_dir if old_format == "jsonl" else self.cache_dir
        sources = {f"{name}.jsonl": line_dir / f"{name}.jsonl" for name in OUTPUTS}
        sources[INDEX] = self.cache_dir / INDEX
        if not all(p.is_file() for p in sources.values()):
            return  # a run from before the index existed: nothing to reuse
        tmp = self.shard_dir / f".{PREVIOUS}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name, source in sources.items():
            try:
                os.link(source, tmp / name)
            except OSError:  # a file system without hard links
                shutil.copyfile(source, tmp / name)
        os.replace(tmp, previous)

    # -- shards ----------------------------------------------------------------------------

    def shard_path(self, index: int, name: str) -> Path:
        return self.shard_dir / f"{index:06d}.{name}.jsonl"

    def write_shard(self, shard: ShardOutput) -> None:
        """Write a shard's line files and index, then its .done marker."""
        (self.shard_dir / f"{shard.index:06d}.done").unlink(missing_ok=True)
        index_lines = [{"key": item.key, "doc_id": item.doc_id, "text_sha256": item.text_sha256,
                        "counts": item.counts} for item in shard.items]
        for name in OUTPUTS:
            parts, offset = [], 0
            for item, entry in zip(shard.items, index_lines):
                lines = item.lines[name]
                data = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
                entry[name] = [offset, len(data)]
                offset += len(data)
                parts.append(data)
            write_atomic(self.shard_path(shard.index, name), b"".join(parts))
        write_atomic(self.shard_path(shard.index, "index"), "".join(dumps(e) + "\n" for e in index_lines))
        write_json(self.shard_dir / f"{shard.index:06d}.done", shard.stats)

    # -- finishing -------------------------------------------------------------------------

    def finish(self, manifest: dict, shard_count: int) -> None:
        """Join the shards in order into the outputs and the index; mark the run complete."""
        self.cache_dir.mkdir(exist_ok=True)
        line_dir = self.out_dir if self.format == "jsonl" else self.cache_dir
        sizes = {}
        for name in OUTPUTS:
            sizes[name] = _join([self.shard_path(i, name) for i in range(shard_count)],
                                line_dir / f".{name}.jsonl.tmp")
        self._write_index(shard_count, sizes, self.cache_dir / f".{INDEX}.tmp")
        if self.format == "parquet":
            for name in OUTPUTS:
                tmp = self.out_dir / f".{name}.parquet.tmp"
                write_parquet([self.shard_path(i, name) for i in range(shard_count)], tmp, name)
                os.replace(tmp, self.out_dir / f"{name}.parquet")
        for name in OUTPUTS:
            os.replace(line_dir / f".{name}.jsonl.tmp", line_dir / f"{name}.jsonl")
        os.replace(self.cache_dir / f".{INDEX}.tmp", self.cache_dir / INDEX)
        shutil.rmtree(self.shard_dir, ignore_errors=True)
        write_json(self.out_dir / "manifest.json", {**manifest, "status": "complete"})

    def _write_index(self, shard_count: int, sizes: dict[str, list[int]], path: Path) -> None:
        """cache/index.sqlite: each document's key, counts and the span of its lines in the
        joined files, streamed from the shard indexes."""
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        try:
            columns = ", ".join(f"{n}_offset INTEGER, {n}_length INTEGER" for n in OUTPUTS)
            db.execute(f"CREATE TABLE items (key TEXT PRIMARY KEY, doc_id TEXT, text_sha256 TEXT, "
                       f"counts TEXT, {columns})")
            base = dict.fromkeys(OUTPUTS, 0)
            insert = f"INSERT OR IGNORE INTO items VALUES ({', '.join('?' * (4 + 2 * len(OUTPUTS)))})"
            for i in range(shard_count):
                with self.shard_path(i, "index").open(encoding="utf-8") as f:
                    rows = []
                    for line in f:
                        e = json.loads(line)
                        if e["text_sha256"] is None:
                            continue  # read errors are read again, never reused
                        spans = [v for n in OUTPUTS for v in (base[n] + e[n][0], e[n][1])]
                        rows.append((e["key"], e["doc_id"], e["text_sha256"], dumps(e["counts"]), *spans))
                    db.executemany(insert, rows)
                for name in OUTPUTS:
                    base[name] += sizes[name][i]
            db.commit()
        finally:
            db.close()

    def fail(self, manifest: dict, message: str) -> None:
        write_json(self.out_dir / "manifest.json", {**manifest, "status": "failed", "failure": message})


def _join(parts: list[Path], dest: Path) -> list[int]:
    """Concatenate files into dest (streamed); the size of each part."""
    sizes = []
    with dest.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
            sizes.append(part.stat().st_size)
        out.flush()
        os.fsync(out.fileno())
    return sizes


# -- Parquet ------------------------------------------------------------------------------

BASE_COLUMNS = {
    "documents": {"doc_id": "str", "source": "str", "title": "str", "published": "str", "text_sha256": "str"},
    "entities": {"doc_id": "str", "type": "str", "text": "str", "start": "int", "end": "int"},
    "claims": {"doc_id": "str", "claim_id": "str"},
    "errors": {"doc_id": "str", "source": "str", "stage": "str", "error": "str", "message": "str"},
}
JSON_COLUMNS_KEY = b"claims.json_columns"
SPARSE_COLUMNS_KEY = b"claims.sparse_columns"
ROW_GROUP_BYTES = 64 << 20  # at most this much JSON text is converted at a time


def _kind(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if -(1 << 63) <= value < (1 << 63) else "json"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return "json"


def _column_kind(kinds: set, sparse: bool) -> str:
    if sparse and None in kinds:
        return "json"  # a null written apart from a field left out: "null" vs no value
    kinds = kinds - {None}
    if kinds == {"int", "float"}:
        return "float"
    if len(kinds) == 1:
        return next(iter(kinds))
    return "str" if not kinds else "json"


def _parquet_columns(parts: list[Path], name: str) -> tuple[dict[str, str], set[str]]:
    """The column kinds of an output, and the columns some records leave out: one pass over
    its shard files."""
    kinds: dict[str, set] = {column: {kind} for column, kind in BASE_COLUMNS[name].items()}
    present: Counter = Counter()
    rows = 0
    for part in parts:
        with part.open(encoding="utf-8") as f:
            for line in f:
                rows += 1
                for key, value in json.loads(line).items():
                    kinds.setdefault(key, set()).add(_kind(value))
                    present[key] += 1
    sparse = {c for c in kinds if present[c] < rows}
    return {c: _column_kind(k, c in sparse) for c, k in kinds.items()}, sparse


def write_parquet(parts: list[Path], dest: Path, name: str) -> None:
    """Write the JSON Lines shard files of one output as one Parquet file, a shard (or 64 MB
    of it) per row group. Columns whose values are lists or objects, or mix kinds, hold JSON
    text (listed in the schema metadata under ``claims.json_columns``); a column that some
    records leave out is null there (listed under ``claims.sparse_columns``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns, sparse = _parquet_columns(parts, name)
    types = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.large_string(),
             "json": pa.large_string()}
    json_columns = [c for c, k in columns.items() if k == "json"]
    schema = pa.schema([(c, types[k]) for c, k in columns.items()], metadata={
        JSON_COLUMNS_KEY: json.dumps(json_columns).encode(),
        SPARSE_COLUMNS_KEY: json.dumps(sorted(sparse)).encode()})

    def value(record: dict, column: str):
        if column not in record:
            return None
        v = record[column]
        kind = columns[column]
        if kind == "json":
            return dumps(v)
        return float(v) if kind == "float" and v is not None else v

    def flush(rows: list[dict]) -> None:
        writer.write_table(pa.Table.from_pydict({c: [value(r, c) for r in rows] for c in columns},
                                                schema=schema))

    with pq.ParquetWriter(dest, schema) as writer:
        for part in parts:
            rows, size = [], 0
            with part.open(encoding="utf-8") as f:
                for line in f:
                    rows.append(json.loads(line))
                    size += len(line)
                    if size >= ROW_GROUP_BYTES:
                        flush(rows)
                        rows, size = [], 0
            if rows:
                flush(rows)


def read_records(path: Path) -> list[dict]:
    """The records of an output file, .jsonl or .parquet (JSON columns decoded, the columns
    a record left out dropped): the same dicts either way."""
    if path.suffix != ".parquet":
        with path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    metadata = table.schema.metadata or {}
    json_columns = set(json.loads(metadata.get(JSON_COLUMNS_KEY, b"[]")))
    sparse = set(json.loads(metadata.get(SPARSE_COLUMNS_KEY, b"[]")))
    return [{k: json.loads(v) if k in json_columns and v is not None else v
             for k, v in row.items() if v is not None or k not in sparse}
            for row in table.to_pylist()]


def shard_counts(items: list[ItemOutput]) -> Counter:
    """The counts of a shard: the sum of its items' counts."""
    counts: Counter = Counter()
    for item in items:
        counts.update(item.counts)
    return counts
