"""Shared fixtures: paths, a fixed publication date, small input folders made on the fly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = ROOT / "corpus"
PUBLISHED = "2025-12-23"  # a fixed publication date for relative dates


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture
def run_extract(tmp_path):
    """Run `claims extract` on inputs; return (exit code, run folder)."""
    from pipeline.cli import main

    def run(*inputs: Path, args: tuple[str, ...] = ()) -> tuple[int, Path]:
        out = tmp_path / "run"
        code = main(["extract", *map(str, inputs), "-o", str(out), "--workers", "1", *args])
        return code, out

    return run
