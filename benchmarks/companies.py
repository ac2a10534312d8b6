"""Benchmark the companies stage: what it adds to a run, per word, and its peak memory.

The corpus/ gold texts (corpus/gold.jsonl) are repeated to about --words words, as documents
of their natural size (a 200k-word single document is not what the pipeline sees). In this one
process, best of --runs each, it times:

- "up to sentences": layout + sentences, the part every stage needs;
- "sentences + companies": the same plus the Companies stage alone;
- "full pipeline": every default stage (MONEY, PERCENT, DATE and claims included).

and prints words per second for each, the companies stage's own cost (the difference of the
first two) as a share of the full pipeline's time, and the tracemalloc peak (MiB) of one
extra, traced run of each (tracing is kept out of the timed runs because it slows them down).
The knowledge base and pattern tables are loaded before timing (a worker loads them once); the
time and traced peak of that loading are printed first.

Run from the project root:  python benchmarks/companies.py [--words 200000] [--runs 3]
"""

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.companies import Companies  # noqa: E402
from pipeline.stages import build_pipeline  # noqa: E402
from pipeline.types import Document  # noqa: E402

GOLD = ROOT / "corpus" / "gold.jsonl"


def documents(words: int) -> list[tuple[str, str, str | None]]:
    with GOLD.open(encoding="utf-8") as f:
        base = [json.loads(line) for line in f if line.strip()]
    out, total, i = [], 0, 0
    while total < words:
        d = base[i % len(base)]
        out.append((f"{d['doc_id']}#{i}", d["text"], d.get("published")))
        total += len(d["text"].split())
        i += 1
    return out


def run(stages, docs) -> None:
    for doc_id, text, published in docs:
        doc = Document(doc_id=doc_id, text=text, published=published)
        for stage in stages:
            doc = stage(doc)


def best_time(stages, docs, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run(stages, docs)
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mib(stages, docs) -> float:
    tracemalloc.start()
    run(stages, docs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2 ** 20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    docs = documents(args.words)
    words = sum(len(text.split()) for _, text, _ in docs)
    base = build_pipeline(until="sentences")
    pipelines = {"up to sentences": base, "sentences + companies": base + [Companies()],
                 "full pipeline": build_pipeline()}
    tracemalloc.start()
    start = time.perf_counter()
    run(base + [Companies()], docs[:1])  # the knowledge base and tables, loaded once per worker
    load = time.perf_counter() - start
    kb_peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    print(f"loading the knowledge base and tables: {load:.2f} s, peak {kb_peak:.1f} MiB")
    run(pipelines["full pipeline"], docs[:20])  # load every other table and model once
    print(f"{len(docs)} documents, {words:,} words (corpus/ gold texts repeated), best of {args.runs}")
    seconds = {}
    for name, stages in pipelines.items():
        seconds[name] = best_time(stages, docs, args.runs)
        print(f"{name:24s} {words / seconds[name]:>10,.0f} words/s  {seconds[name]:6.2f} s  "
              f"peak {peak_mib(stages, docs):6.1f} MiB")
    own = seconds["sentences + companies"] - seconds["up to sentences"]
    print(f"companies stage alone    {words / own:>10,.0f} words/s  {own:6.2f} s  "
          f"= {100 * own / seconds['full pipeline']:.1f}% of the full pipeline's time")


if __name__ == "__main__":
    main()
