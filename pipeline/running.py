"""Running the pipeline over inputs: documents are read as a stream, cut into shards, each
shard goes through the stages, and the writer stores it. One shard function serves every
way of running.

Every document, and every stage on it, is guarded: an exception becomes an ErrorRecord in
errors.jsonl, the stage's partial output on that document is dropped, and the run goes on.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipeline import __version__
from pipeline.reading import Reader, list_inputs
from pipeline.settings import Settings
from pipeline.stages import Stage, build_pipeline
from pipeline.types import Document, ErrorRecord
from pipeline.writing import RunWriter, ShardOutput, dumps


@dataclass
class Summary:
    """What a run did: counts, timings, and where it wrote."""

    out_dir: Path
    counts: Counter = field(default_factory=Counter)
    stage_seconds: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return self.counts["errors"]

    def line(self) -> str:
        c = self.counts
        mentions = ", ".join(f"{c[k]} {k[9:]}" for k in sorted(c) if k.startswith("mentions."))
        return (f"{c['documents']} documents, {c['words']:,} words, {c['sentences']} sentences; "
                f"mentions: {mentions or 'none'}; {c['claims']} claims; {c['errors']} errors; "
                f"{self.seconds:.2f} s -> {self.out_dir}")


def run_stages(doc: Document, stages: list[Stage], timings: Counter) -> list[ErrorRecord]:
    """Run every stage on one document; a failing stage leaves no partial output."""
    errors = []
    for stage in stages:
        n_mentions, n_claims = len(doc.mentions), len(doc.claims)
        started = time.perf_counter()
        try:
            doc = stage(doc)
        except Exception as e:  # noqa: BLE001 - any failure of a stage is a per-document error
            del doc.mentions[n_mentions:], doc.claims[n_claims:]
            errors.append(ErrorRecord(doc.doc_id, doc.source, stage.name, type(e).__name__, str(e)))
        timings[stage.name] += time.perf_counter() - started
    return errors


def _valid(text: str, record: dict) -> bool:
    return 0 <= record["start"] < record["end"] <= len(text)


def process_shard(index: int, items: list[Document | ErrorRecord], stages: list[Stage],
                  keep_text: bool = True) -> ShardOutput:
    """The output lines and stats of one shard of read documents and read errors."""
    out = ShardOutput(index)
    counts: Counter = Counter()
    timings: Counter = Counter()
    lines = out.lines
    for item in items:
        if isinstance(item, ErrorRecord):
            lines["errors"].append(dumps(item.record()))
            continue
        errors = run_stages(item, stages, timings)
        item.cache.clear()
        text = item.text
        entities = [m.record(text) for m in sorted(item.mentions, key=lambda m: (m.start, m.end, m.type))]
        bad = [e for e in entities if not _valid(text, e)]
        if bad:  # a bug in a stage: never write a span that does not point at its text
            errors.append(ErrorRecord(item.doc_id, item.source, "write", "BadSpan",
                                      f"{len(bad)} mention(s) with offsets outside the text"))
            entities = [e for e in entities if _valid(text, e)]
        record = item.record(keep_text)
        if errors:
            record["errors"] = [e.stage for e in errors]
        lines["documents"].append(dumps(record))
        for entity in entities:
            lines["entities"].append(dumps({"doc_id": item.doc_id, **entity}))
            counts[f"mentions.{entity['type']}"] += 1
        for claim in item.claims:
            lines["claims"].append(dumps(claim.record(item)))
        lines["errors"].extend(dumps(e.record()) for e in errors)
        counts["documents"] += 1
        counts["words"] += len(text.split())
        counts["sentences"] += len(item.sentences)
        counts["claims"] += len(item.claims)
    counts["errors"] = len(lines["errors"])
    out.stats = {"counts": dict(counts), "stage_seconds": dict(timings)}
    return out


def shards(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def map_shards(batches: Iterable[list], stages: list[Stage], settings: Settings) -> Iterator[ShardOutput]:
    """Process shards in order: here, in a pool of worker processes, or on a Dask cluster.

    At most a few shards per worker are in flight, so memory stays bounded however large the
    input; results come back in input order, so the output is the same for any worker count.
    """
    numbered = enumerate(batches)
    if settings.scheduler is None and settings.workers <= 1:
        for index, batch in numbered:
            yield process_shard(index, batch, stages, settings.keep_text)
        return
    if settings.scheduler is not None:
        from distributed import Client

        client = Client(settings.scheduler)
        submit, window, close = client.submit, 2 * max(1, len(client.nthreads())), client.close
        submit_kwargs = {"pure": False}
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=settings.workers)
        submit, window, close = pool.submit, 2 * settings.workers, pool.shutdown
        submit_kwargs = {}
    pending: deque = deque()
    try:
        for index, batch in numbered:
            pending.append(submit(process_shard, index, batch, stages, settings.keep_text, **submit_kwargs))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        close()


def extract(inputs: list[Path], out_dir: Path, settings: Settings = Settings()) -> Summary:
    """Read the inputs, run the pipeline, and write the run folder out_dir."""
    started = time.perf_counter()
    files, skipped = list_inputs(inputs)
    stages = build_pipeline()
    manifest = {
        "version": __version__,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": settings.to_dict(),
        "stages": [s.name for s in stages],
        "inputs": [{"path": str(f.path), "kind": f.kind, "bytes": f.path.stat().st_size} for f in files],
        "skipped": [str(p) for p in skipped],
    }
    writer = RunWriter(out_dir)
    writer.start(manifest)
    summary = Summary(out_dir)
    reader = Reader(max_chars=settings.max_chars)
    count = 0
    try:
        for shard in map_shards(shards(reader.read(files), settings.shard_size), stages, settings):
            writer.write_shard(shard)
            summary.counts.update(shard.stats["counts"])
            summary.stage_seconds.update(shard.stats["stage_seconds"])
            count += 1
    except BaseException as e:
        writer.fail(manifest, f"{type(e).__name__}: {e}")
        raise
    summary.seconds = time.perf_counter() - started
    manifest.update(
        finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        shards=count,
        counts=dict(summary.counts),
        timings={"total_seconds": round(summary.seconds, 3),
                 "stage_seconds": {k: round(v, 3) for k, v in summary.stage_seconds.items()}},
    )
    writer.finish(manifest, count)
    return summary
