"""Data files the pipeline loads from models/, located from the package, never the cwd."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent / "models"


def model_path(*parts: str) -> Path:
    """Path of a file under models/."""
    return MODELS.joinpath(*parts)


def read_jsonl(path: Path) -> list[dict]:
    """All records of a small JSON Lines data file (blank lines and // comments skipped)."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip() and not line.startswith("//")]


def read_lines(path: Path) -> list[str]:
    """Non-blank lines of a text data file, with # comments dropped."""
    with path.open(encoding="utf-8") as f:
        return [s for line in f if (s := line.split("#", 1)[0].strip())]


@lru_cache(maxsize=None)
def companies() -> dict[str, dict]:
    """The company knowledge base, by id."""
    return {row["id"]: row for row in read_jsonl(model_path("companies.jsonl"))}
