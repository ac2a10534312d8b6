"""Run settings: one frozen dataclass, changed by copy (``settings.replace(workers=2)``)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

FORMATS = ("jsonl", "parquet")


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    keep_text: bool = True  # write each document's text to documents.jsonl
    max_chars: int = 10_000_000  # longer documents become error records
    shard_size: int = 500  # documents per output shard
    workers: int = 1
    scheduler: str | None = None  # a Dask scheduler address; None runs locally
    format: str = "jsonl"  # of the four output files: "jsonl" or "parquet"

    def __post_init__(self):
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {self.format!r}")
        if self.shard_size < 1 or self.workers < 1 or self.max_chars < 1:
            raise ValueError("shard_size, workers and max_chars must be at least 1")

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
