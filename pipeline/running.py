"""Running the pipeline over inputs: documents are read as a stream, cut into shards, each
shard goes through the stages, and the writer stores it. One shard function,
``process_shard``, serves every way of running: in this process, in a pool of worker
processes (``workers``), or on a Dask cluster (``scheduler``); a worker process keeps its
stages, with their loaded patterns and caches, from shard to shard. Within a shard, documents go
through the stages in groups of about ``GROUP_CHARS`` characters, each stage over the whole
group before the next.

Every document, and every stage on it, is guarded: an exception becomes an ErrorRecord in
errors.jsonl, the stage's partial output on that document is dropped, and the run goes on.

Memory is bounded by the shards in flight (two per worker, and the one being written), never
by the input: the reader streams, results come back in input order and are written at once,
and the final files are joined from the shard files by streaming (see writing.py).

Resuming (``extract(..., resume=True)``, ``claims extract --resume``): every item read gets a
key (``item_key``: for a document its doc_id, text_sha256 and metadata; for a read error its
record). The state kept in the run folder for this is described in writing.py: per shard an
index of item keys (``shards/NNNNNN.index.jsonl``), and per complete run an index of
documents (``cache/index.sqlite``: key, doc_id, text_sha256, counts, where its lines are).

- A killed or failed run: the inputs are read again and cut into the same shards; a shard
  that is done and lists the same keys is kept, the others are processed. The result is the
  uninterrupted run's, byte for byte.
- A complete run whose inputs changed: every document whose key is in the index is copied
  from the previous output, the others (new ids, changed text or metadata) are processed,
  and read errors are read again. The output is that of a fresh run on the new inputs, in
  the same order.
- Without ``resume``, or when the folder was made by another pipeline (its fingerprint
  differs), the folder is replaced as by a fresh run.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import pickle
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from operator import attrgetter
from pathlib import Path
from typing import TextIO

from pipeline import __version__
from pipeline.reading import Reader, list_inputs, total_bytes
from pipeline.settings import Settings
from pipeline.stages import Stage, build_pipeline
from pipeline.types import Claim, Document, ErrorRecord, Mention
from pipeline.writing import ItemOutput, Resume, RunWriter, ShardOutput, dumps, shard_counts

GROUP_CHARS = 200_000  # a shard's documents go through the stages in groups of about this much text
GC_YOUNG = 50_000  # new container objects between two garbage collections during a run (Python: 700)


@dataclass
class Summary:
    """What a run did: counts, timings, and where it wrote."""

    out_dir: Path
    counts: Counter = field(default_factory=Counter)
    stage_seconds: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.counts["errors"]

    def line(self) -> str:
        c = self.counts
        mentions = ", ".join(f"{c[k]} {k[9:]}" for k in sorted(c) if k.startswith("mentions."))
        reused = f" ({c['reused']} reused)" if c["reused"] else ""
        return (f"{c['documents']} documents{reused}, {c['words']:,} words, {c['sentences']} sentences; "
                f"mentions: {mentions or 'none'}; {c['claims']} claims; {c['errors']} errors; "
                f"{self.seconds:.2f} s -> {self.out_dir}")


def run_stages(doc: Document, stages: list[Stage], timings: Counter) -> list[ErrorRecord]:
    """Run every stage on one document; a failing stage leaves no partial output."""
    return run_group([doc], stages, timings)[0]


def run_group(docs: list[Document], stages: list[Stage], timings: Counter) -> list[list[ErrorRecord]]:
    """Run every stage on a group of documents, each stage over the whole group before the next
    (its code and tables stay in the processor's caches: about 10% faster than one document at
    a time). Each document is guarded on its own; stages change it in place."""
    errors: list[list[ErrorRecord]] = [[] for _ in docs]
    for stage in stages:
        started = time.perf_counter()
        for doc, doc_errors in zip(docs, errors):
            n_mentions, n_claims = len(doc.mentions), len(doc.claims)
            try:
                stage(doc)
            except Exception as e:  # noqa: BLE001 - any failure of a stage is a per-document error
                del doc.mentions[n_mentions:], doc.claims[n_claims:]
                doc_errors.append(ErrorRecord(doc.doc_id, doc.source, stage.name, type(e).__name__, str(e)))
        timings[stage.name] += time.perf_counter() - started
    return errors


RECORD_SPAN = frozenset(("text", "start", "end"))  # what a mention's fields must not overwrite


def _valid(mention: Mention, size: int) -> bool:
    """The mention's record points at its text: its offsets lie inside the text (of this size),
    and none of its fields overwrites the text or the offsets."""
    return 0 <= mention.start < mention.end <= size and RECORD_SPAN.isdisjoint(mention.fields)


def _claim_mentions(claim: Claim) -> list[Mention]:
    parts = [claim.subject, claim.value, *claim.alternatives, claim.change, claim.period]
    return [p for p in parts if p is not None]


def _checked_records(doc: Document, errors: list[ErrorRecord]) -> tuple[list[dict], list[dict]]:
    """The document's entity and claim records, leaving out (as a BadSpan error) any whose
    span does not point at its text: a bug in a stage, but never written."""
    text, size, doc_id = doc.text, len(doc.text), doc.doc_id
    mentions = sorted(doc.mentions, key=attrgetter("start", "end", "type"))
    good = [m for m in mentions if _valid(m, size)]
    if len(good) < len(mentions):
        errors.append(ErrorRecord(doc.doc_id, doc.source, "write", "BadSpan",
                                  f"{len(mentions) - len(good)} mention(s) with offsets outside the text"))
    entities = [m.record(text, doc_id=doc_id) for m in good]
    good_claims = [c for c in doc.claims if all(_valid(m, size) for m in _claim_mentions(c))]
    if len(good_claims) < len(doc.claims):
        errors.append(ErrorRecord(doc.doc_id, doc.source, "write", "BadSpan",
                                  f"{len(doc.claims) - len(good_claims)} claim(s) with offsets outside the text"))
    return entities, [claim.record(doc) for claim in good_claims]


# json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str), its encoder built once.
_KEY_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def item_key(item: Document | ErrorRecord) -> str:
    """What identifies an item read, for resuming: a document by its id, the sha256 of its
    text and its metadata (all that its output depends on); a read error by its record."""
    if isinstance(item, ErrorRecord):
        payload = ["error", item.record()]
    else:
        payload = ["document", item.doc_id, item.text_sha256, item.source, item.title, item.published, item.meta]
    data = _KEY_ENCODER.encode(payload)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _error_output(item: ErrorRecord) -> ItemOutput:
    out = ItemOutput(item_key(item), item.doc_id, None, counts={"errors": 1})
    out.lines["errors"].append(dumps(item.record()))
    return out


def _document_output(key: str, doc: Document, errors: list[ErrorRecord], keep_text: bool) -> ItemOutput:
    """The output lines and counts of a document that went through the stages."""
    text = doc.text
    try:
        entities, claims = _checked_records(doc, errors)
        entity_lines = [dumps(e) for e in entities]
        claim_lines = [dumps(c) for c in claims]
    except Exception as e:  # noqa: BLE001 - a stage left something that cannot be written
        errors.append(ErrorRecord(doc.doc_id, doc.source, "write", type(e).__name__, str(e)))
        entities, entity_lines, claim_lines = [], [], []
    out = ItemOutput(key, doc.doc_id, doc.text_sha256)
    lines, counts = out.lines, Counter()
    record = doc.record(keep_text)
    if errors:
        record["errors"] = [e.stage for e in errors]
    lines["documents"].append(dumps(record))
    lines["entities"] = entity_lines
    lines["claims"] = claim_lines
    lines["errors"] = [dumps(e.record()) for e in errors]
    for entity in entities:
        counts[f"mentions.{entity['type']}"] += 1
    counts.update(documents=1, words=len(text.split()), sentences=len(doc.sentences),
                  claims=len(claim_lines), errors=len(errors))
    out.counts = dict(counts)
    return out


def process_group(items: list[Document | ErrorRecord], stages: list[Stage], keep_text: bool,
                  timings: Counter) -> list[ItemOutput]:
    """The output lines and counts of each item (a document or a read error), in order."""
    docs = [item for item in items if not isinstance(item, ErrorRecord)]
    keys = [item_key(doc) for doc in docs]  # before the stages, which must not change what it is made of
    errors = run_group(docs, stages, timings)
    for doc in docs:
        doc.cache.clear()
    done = iter(map(_document_output, keys, docs, errors, [keep_text] * len(docs)))
    return [_error_output(item) if isinstance(item, ErrorRecord) else next(done) for item in items]


def process_shard(index: int, items: list[Document | ErrorRecord], stages: list[Stage],
                  keep_text: bool = True) -> ShardOutput:
    """The output lines and stats of one shard of read documents and read errors."""
    timings: Counter = Counter()
    outputs = [output for group in groups(items) for output in process_group(group, stages, keep_text, timings)]
    counts = shard_counts(outputs)
    counts["errors"] += 0
    return ShardOutput(index, outputs, {"counts": dict(counts), "stage_seconds": dict(timings)})


def groups(items: list[Document | ErrorRecord]) -> Iterator[list[Document | ErrorRecord]]:
    """A shard's items cut into groups of about GROUP_CHARS characters of text, in order."""
    group, size = [], 0
    for item in items:
        group.append(item)
        size += 0 if isinstance(item, ErrorRecord) else len(item.text)
        if size >= GROUP_CHARS:
            yield group
            group, size = [], 0
    if group:
        yield group


def shards(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


WARM_UP = ("Apple said on Tuesday, Dec. 23, 2025, that its revenue rose 8% to $102.5 billion in the fourth "
           "quarter of fiscal 2025. The company expects to spend about RMB 20bn next year.")


def warm_up(stages: list[Stage]) -> None:
    """Run the stages on a short text that reaches all their loaders (company tables, pattern
    files, dateparser's first parse of a full date), so that later work finds the data loaded."""
    run_stages(Document(doc_id="warm-up", text=WARM_UP, published="2025-12-24"), stages, Counter())


def _pool(workers: int):
    """A pool of worker processes. On Linux they are forked from this process, which ``extract``
    has warmed up, so that every worker starts with the stages' data loaded (about a second per
    process otherwise) and shares it copy-on-write; elsewhere they start fresh and load it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if not sys.platform.startswith("linux"):
        return ProcessPoolExecutor(max_workers=workers)
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


_kept_stages: dict[bytes, list[Stage]] = {}  # the stages this process keeps, by their pickled form


def _kept(stages: list[Stage]) -> list[Stage]:
    """The stages this process already keeps that pickle the same as these, else these, kept."""
    return _kept_stages.setdefault(pickle.dumps(stages), stages)


def _process_shard_kept(index: int, items: list[Document | ErrorRecord], stages: list[Stage],
                        keep_text: bool) -> ShardOutput:
    """process_shard in a pool or cluster worker, with the stages the worker keeps from shard to
    shard: a task's stages arrive unpickled afresh, and would load and compile their patterns and
    fill their caches again for every shard (about a tenth of a worker's time)."""
    return process_shard(index, items, _kept(stages), keep_text)


class _Done:
    """A result already at hand, standing in a queue of futures."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value

    def cancel(self) -> None:
        pass


def map_shards(jobs: Iterable[tuple[object, int, list]], stages: list[Stage],
               settings: Settings) -> Iterator[tuple[object, ShardOutput | None]]:
    """Process shards in order: here, in a pool of worker processes, or on a Dask cluster.

    ``jobs`` are (tag, index, items); each comes back as (tag, ShardOutput), or (tag, None)
    when it had no items to process. At most a few shards per worker are in flight, so
    memory stays bounded however large the input; results come back in input order, so the
    output is the same for any worker count.
    """
    if settings.scheduler is None and settings.workers <= 1:
        for tag, index, items in jobs:
            yield tag, (process_shard(index, items, stages, settings.keep_text) if items else None)
        return
    if settings.scheduler is not None:
        from distributed import Client

        client = Client(settings.scheduler)
        submit, window, close = client.submit, 2 * max(1, len(client.nthreads())), client.close
        submit_kwargs = {"pure": False}
    else:
        _kept(stages)  # forked workers find these stages, warmed up, among those they keep
        pool = _pool(settings.workers)
        submit, window, close = pool.submit, 2 * settings.workers, pool.shutdown
        submit_kwargs = {}
    pending: deque = deque()
    try:
        for tag, index, items in jobs:
            future = (submit(_process_shard_kept, index, items, stages, settings.keep_text, **submit_kwargs)
                      if items else _Done(None))
            pending.append((tag, future))
            while len(pending) >= window or (pending and isinstance(pending[0][1], _Done)):
                tag0, future0 = pending.popleft()
                yield tag0, future0.result()
        while pending:
            tag0, future0 = pending.popleft()
            yield tag0, future0.result()
    finally:
        for _, future in pending:
            future.cancel()
        close()


@dataclass
class _Plan:
    """A shard as read: its item keys, what is kept from an earlier run, where reading was."""

    index: int
    keys: list[str]
    position: int
    done: dict | None = None  # stats of the finished shard that is kept as it is
    reused: dict[int, ItemOutput] = field(default_factory=dict)  # by position in the shard

    def merge(self, processed: ShardOutput | None) -> ShardOutput:
        """The shard's output: reused items and processed items in input order."""
        fresh = iter(processed.items if processed is not None else [])
        items = [self.reused[i] if i in self.reused else next(fresh) for i in range(len(self.keys))]
        counts = shard_counts(items)
        counts["errors"] += 0
        counts["reused"] = len(self.reused)
        timings = processed.stats["stage_seconds"] if processed is not None else {}
        return ShardOutput(self.index, items, {"counts": dict(counts), "stage_seconds": timings})


def _jobs(reader: Reader, files, settings: Settings, resume: Resume) -> Iterator[tuple[_Plan, int, list]]:
    """Cut the items read into shards; decide per shard and item what must be processed."""
    for index, batch in enumerate(shards(reader.read(files), settings.shard_size)):
        plan = _Plan(index, [item_key(item) for item in batch], reader.position)
        plan.done = resume.shard_done(index, plan.keys)
        if plan.done is not None:
            yield plan, index, []
            continue
        todo = []
        for i, (item, key) in enumerate(zip(batch, plan.keys)):
            cached = resume.lookup(key) if isinstance(item, Document) else None
            if cached is not None:
                plan.reused[i] = cached
            else:
                todo.append(item)
        yield plan, index, todo


class Progress:
    """A progress line rewritten in place on a terminal: documents, words/s, share and ETA."""

    def __init__(self, stream: TextIO, total: int, interval: float = 0.5):
        self.stream, self.total, self.interval = stream, total, interval
        self.started = time.perf_counter()
        self.shown = float("-inf")  # the first shard is shown at once
        self.width = 0

    def update(self, documents: int, words: int, position: int, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.shown < self.interval:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        line = f"claims extract: {documents:,} documents, {words / elapsed:,.0f} words/s"
        if self.total and position:
            share = min(position / self.total, 1.0)
            line += f", {share:.0%} of {self.total / 1e6:,.1f} MB"
            if 0 < share < 1:
                eta = elapsed * (1 - share) / share
                line += f", ETA {int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def fingerprint(stages: list[Stage], settings: Settings) -> str:
    """What a run's output depends on besides its inputs: reused output must come from a run
    with the same fingerprint. The package's code and models/, the stages, keep_text, and
    the versions of the libraries the stages use."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    paths = sorted(root.glob("*.py")) + sorted(p for p in (root.parent / "models").rglob("*") if p.is_file())
    for path in paths:
        digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    versions = []
    for name in ("spacy", "quantulum3", "dateparser"):
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=none")
    digest.update(json.dumps([__version__, [s.name for s in stages], settings.keep_text, versions]).encode())
    return digest.hexdigest()[:32]


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cycle collector, made cheaper while a run lasts. The stages make a great many
    short-lived tuples, lists and matches and almost no reference cycles, so the collector runs
    every ``GC_YOUNG`` new container objects instead of every 700; and what is loaded by then
    (the stages' tables, once ``warm_up`` ran) is frozen (``gc.freeze``), so that the collections
    of older objects no longer walk it. A one-worker run takes about 6% less CPU time for each
    of the two (five alternated runs of each). Memory is freed by reference counting as before.
    Worker processes forked during the run inherit both; the previous state is restored
    afterwards."""
    thresholds = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # else the caller froze objects of its own: leave them be
    if freeze:
        gc.freeze()
    gc.set_threshold(GC_YOUNG, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


def extract(inputs: list[Path], out_dir: Path, settings: Settings = Settings(), resume: bool = False,
            progress: TextIO | None = None) -> Summary:
    """Read the inputs, run the pipeline, and write the run folder out_dir.

    With ``resume``, finished work in out_dir is kept (see the module docstring). With a
    ``progress`` stream (a terminal), a progress line is kept up to date on it.
    """
    started = time.perf_counter()
    files, skipped = list_inputs(inputs)
    stages = build_pipeline()
    manifest = {
        "version": __version__,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": settings.to_dict(),
        "fingerprint": fingerprint(stages, settings),
        "stages": [s.name for s in stages],
        "inputs": [{"path": str(f.path), "kind": f.kind, "bytes": f.path.stat().st_size} for f in files],
        "skipped": [str(p) for p in skipped],
    }
    writer = RunWriter(out_dir, settings.format)
    state = writer.start(manifest, resume=resume)
    summary = Summary(out_dir, notes=list(state.notes))
    reader = Reader(max_chars=settings.max_chars)
    meter = Progress(progress, total_bytes(files)) if progress is not None else None
    count = kept = 0
    if settings.scheduler is None:  # the stages run here or in workers forked from here
        warm_up(stages)
    try:
        with fewer_collections():
            for plan, processed in map_shards(_jobs(reader, files, settings, state), stages, settings):
                if plan.done is not None:  # finished by an earlier, interrupted run
                    shard_stats = {"counts": {**plan.done["counts"], "reused": plan.done["counts"].get("documents", 0)}}
                    kept += 1
                else:
                    shard = plan.merge(processed)
                    writer.write_shard(shard)
                    shard_stats = shard.stats
                summary.counts.update(shard_stats["counts"])
                if plan.done is None:
                    summary.stage_seconds.update(shard_stats["stage_seconds"])
                count += 1
                if meter is not None:
                    meter.update(summary.counts["documents"], summary.counts["words"], plan.position)
    except BaseException as e:
        writer.fail(manifest, f"{type(e).__name__}: {e}")
        raise
    finally:
        state.close()
        if meter is not None:
            meter.close()
    summary.seconds = time.perf_counter() - started
    manifest.update(
        finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        shards=count,
        counts=dict(summary.counts),
        timings={"total_seconds": round(summary.seconds, 3),
                 "stage_seconds": {k: round(v, 3) for k, v in summary.stage_seconds.items()}},
    )
    if resume:
        manifest["resumed"] = {"shards_kept": kept, "documents_reused": summary.counts["reused"]}
    writer.finish(manifest, count)
    summary.seconds = time.perf_counter() - started  # with the joining of the shards
    return summary


def main_progress() -> TextIO | None:
    """stderr when it is a terminal (a progress line is wanted), else None (quiet)."""
    return sys.stderr if sys.stderr.isatty() else None
