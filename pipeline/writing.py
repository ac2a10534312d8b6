"""Writing a run folder so that it is either complete or clearly marked incomplete.

Each shard's files are written under a temporary name and renamed when complete, with a
``.done`` marker holding its stats. When every shard is done, the shards are joined into
documents.jsonl, entities.jsonl, claims.jsonl and errors.jsonl (each again written to a
temporary name, then renamed), and manifest.json gets ``"status": "complete"``. Until then
manifest.json says ``"running"`` (or ``"failed"``): no half-written line is ever data.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

OUTPUTS = ("documents", "entities", "claims", "errors")
SHARDS = "shards"


def dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file under a temporary name, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json(path: Path, record: dict) -> None:
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")


@dataclass
class ShardOutput:
    """The output lines of one shard, and its stats."""

    index: int
    lines: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in OUTPUTS})
    stats: dict = field(default_factory=dict)


class RunWriter:
    """Owns a run folder: its shards, the joined outputs and the manifest."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.shard_dir = out_dir / SHARDS

    def start(self, manifest: dict) -> None:
        """Mark the folder as running and remove outputs of an earlier run."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        write_json(self.out_dir / "manifest.json", {**manifest, "status": "running"})
        for name in OUTPUTS:
            (self.out_dir / f"{name}.jsonl").unlink(missing_ok=True)
        shutil.rmtree(self.shard_dir, ignore_errors=True)
        self.shard_dir.mkdir()

    def shard_path(self, index: int, name: str) -> Path:
        return self.shard_dir / f"{index:06d}.{name}.jsonl"

    def write_shard(self, shard: ShardOutput) -> None:
        for name in OUTPUTS:
            lines = shard.lines[name]
            write_atomic(self.shard_path(shard.index, name), "".join(line + "\n" for line in lines))
        write_json(self.shard_dir / f"{shard.index:06d}.done", shard.stats)

    def finish(self, manifest: dict, shard_count: int) -> None:
        """Join the shards in order into the final files and mark the run complete."""
        for name in OUTPUTS:
            final = self.out_dir / f"{name}.jsonl"
            tmp = final.with_name(f".{final.name}.tmp")
            with tmp.open("wb") as out:
                for index in range(shard_count):
                    with self.shard_path(index, name).open("rb") as part:
                        shutil.copyfileobj(part, out)
            os.replace(tmp, final)
        shutil.rmtree(self.shard_dir, ignore_errors=True)
        write_json(self.out_dir / "manifest.json", {**manifest, "status": "complete"})

    def fail(self, manifest: dict, message: str) -> None:
        write_json(self.out_dir / "manifest.json", {**manifest, "status": "failed", "failure": message})
