"""Benchmark pipeline.sentences.split against pySBD and spaCy's sentencizer.

Measures, for three sentence splitters (ours, pysbd with clean=False, and
spacy.blank("en") + the rule-based "sentencizer"):

- accuracy: how many of the 48 English Golden Rules (benchmarks/data/
  pysbd_golden_rules_en.jsonl) and of our news cases (tests/cases/
  sentences.jsonl, if present) come out exactly right. A case passes when
  the whitespace-stripped sentences equal the expected list.
- speed: words per second over one big text (the seed articles in
  /work/shared/seeds/*.txt, concatenated and repeated to about --words words;
  the golden-rule texts if that folder is missing), best of 3 runs each,
  all in this process; pysbd is the baseline.
- memory: tracemalloc peak (MiB) of one extra, traced run each (tracing is
  kept out of the timed runs because it slows them down).

Run from the project root:  python benchmarks/sentences.py [--failures]
"""
import argparse
import glob
import json
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pysbd  # noqa: E402
import spacy  # noqa: E402

from pipeline.sentences import split  # noqa: E402

SEEDS = "/work/shared/seeds/*.txt"
NEWS_CASES = ROOT / "tests" / "cases" / "sentences.jsonl"


def load_cases(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def make_splitters(max_length):
    """Each splitter maps a text to its list of stripped sentences."""
    segmenter = pysbd.Segmenter(language="en", clean=False)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = max_length

    def ours(text):
        return [text[s:e].strip() for s, e in split(text)]

    def with_pysbd(text):
        return [s.strip() for s in segmenter.segment(text) if s.strip()]

    def with_spacy(text):
        return [s.text.strip() for s in nlp(text).sents if s.text.strip()]

    return {"ours": ours, "pysbd": with_pysbd, "spacy sentencizer": with_spacy}


def failures(splitter, cases):
    """(case, got) for every case the splitter gets wrong."""
    wrong = []
    for case in cases:
        got = splitter(case["text"])
        if got != case["sentences"]:
            wrong.append((case, got))
    return wrong


def bench_text(words, rules):
    paths = sorted(glob.glob(SEEDS))
    if paths:
        base = "\n\n".join(Path(p).read_text(encoding="utf-8").strip() for p in paths)
    else:
        base = " ".join(case["text"] for case in rules)
    repeats = max(1, -(-words // len(base.split())))  # ceiling division
    return "\n\n".join([base] * repeats), "seeds" if paths else "golden rules"


def timed(splitter, text, runs=3):
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        splitter(text)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    splitter(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20


def score(wrong, cases):
    n = len(cases)
    return f"{n - len(wrong)}/{n} ({100 * (n - len(wrong)) / n:.1f}%)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=200_000,
                    help="size of the speed-test text in words (default 200000)")
    ap.add_argument("--rules", default=str(ROOT / "benchmarks" / "data" / "pysbd_golden_rules_en.jsonl"),
                    help="golden rules JSONL file")
    ap.add_argument("--failures", action="store_true",
                    help="print every case our splitter gets wrong")
    args = ap.parse_args()

    rules = load_cases(args.rules)
    news = load_cases(NEWS_CASES) if NEWS_CASES.exists() else None
    text, source = bench_text(args.words, rules)
    n_words = len(text.split())
    splitters = make_splitters(len(text) + 1)

    rows = {}
    for name, splitter in splitters.items():
        wrong_rules = failures(splitter, rules)
        wrong_news = failures(splitter, news) if news is not None else None
        seconds, peak = timed(splitter, text)
        rows[name] = (wrong_rules, wrong_news, n_words / seconds, peak)

    base_speed = rows["pysbd"][2]
    print(f"speed text: {n_words:,} words, {len(text):,} chars ({source}); best of 3 runs")
    header = f"{'splitter':<18} {'golden rules':>15} {'news cases':>15} {'words/s':>10} {'vs pysbd':>9} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    for name, (wrong_rules, wrong_news, speed, peak) in rows.items():
        news_score = score(wrong_news, news) if news is not None else "-"
        print(f"{name:<18} {score(wrong_rules, rules):>15} {news_score:>15} "
              f"{speed:>10,.0f} {speed / base_speed:>8.1f}x {peak:>9.1f}")

    if args.failures:
        wrong_rules, wrong_news = rows["ours"][:2]
        for case, got in wrong_rules:
            print(f"\nrule {case['n']} ({case.get('name', '')}) FAILED")
            print(f"  expected: {case['sentences']}")
            print(f"  got:      {got}")
        for case, got in wrong_news or []:
            print(f"\nnews case {case.get('name', repr(case['text'][:40]))} FAILED")
            print(f"  expected: {case['sentences']}")
            print(f"  got:      {got}")


if __name__ == "__main__":
    main()
