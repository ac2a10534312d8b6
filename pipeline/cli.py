"""The `claims` command line: extract, eval, consolidate, report, annotate, gold build|check."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.settings import Settings, default_workers


def _extract(args: argparse.Namespace) -> int:
    from pipeline.running import extract, main_progress

    missing = [p for p in args.inputs if not p.exists()]
    if missing:
        print(f"claims extract: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    try:
        settings = Settings(keep_text=not args.no_text, max_chars=args.max_chars, shard_size=args.shard_size,
                            workers=args.workers, scheduler=args.scheduler, format=args.format)
    except ValueError as e:
        print(f"claims extract: {e}", file=sys.stderr)
        return 2
    summary = extract(args.inputs, args.out, settings, resume=args.resume, progress=main_progress())
    for note in summary.notes:
        print(f"claims extract: {note}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    if summary.errors:
        print(f"claims extract: {summary.errors} input(s) failed; see {args.out / 'errors'}.{args.format}",
              file=sys.stderr)
        return 1
    return 0


def _eval(args: argparse.Namespace) -> int:
    from pipeline import evaluate

    return evaluate.main(args.gold, args.run, as_json=args.json, errors=args.errors)


def _consolidate(args: argparse.Namespace) -> int:
    from pipeline import consolidate

    return consolidate.main(args.run)


def _report(args: argparse.Namespace) -> int:
    from pipeline import report

    return report.main(args.run, args.out, args.gold)


def _annotate(args: argparse.Namespace) -> int:
    from pipeline import annotate

    return annotate.annotate(args.run, args.doc_id, args.out, fmt=args.format, new_id=args.id)


def _gold_build(args: argparse.Namespace) -> int:
    from pipeline import annotation

    return annotation.main(["build", *map(str, args.sources), "-o", str(args.out)])


def _gold_check(args: argparse.Namespace) -> int:
    from pipeline.evaluate import RunError, load_run
    from pipeline.gold import GoldError, load_gold

    try:
        texts = load_run(args.run).texts() if args.run else None
        for path in args.gold:
            gold = load_gold([path], texts)
            entities = sum(len(r["entities"]) for r in gold.values())
            claims = sum(len(r["claims"]) for r in gold.values())
            print(f"ok {path}: {len(gold)} documents, {entities} entities, {claims} claims")
        if len(args.gold) > 1:
            load_gold(args.gold, texts)  # a document given in two files
    except (GoldError, RunError) as e:
        print(f"claims gold check: {e}", file=sys.stderr)
        return 2
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="claims", description="Quantitative claims about companies, "
                                "extracted from news articles with offsets into their text.")
    p.add_argument("--version", action="version", version=f"claims {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="read articles and write a run folder",
                        description="Read .txt/.md/.html files, folders of them, and JSON Lines "
                        "dumps (.jsonl, .jsonl.gz); write documents, entities, claims, errors "
                        "and a manifest to RUN_DIR. Without --resume an existing RUN_DIR is "
                        "replaced. A progress line is shown when stderr is a terminal. Exit "
                        "status 1 when some inputs failed.")
    ex.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    ex.add_argument("-o", "--out", type=Path, required=True, metavar="RUN_DIR")
    ex.add_argument("--workers", type=int, default=default_workers(),
                    help="worker processes (default: the cores available)")
    ex.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help="run the shards on this Dask distributed cluster instead of locally")
    ex.add_argument("--shard-size", type=int, default=Settings.shard_size, help="documents per shard")
    ex.add_argument("--max-chars", type=int, default=Settings.max_chars,
                    help="longer documents are reported as errors")
    ex.add_argument("--no-text", action="store_true", help="leave the text out of documents.jsonl")
    ex.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl",
                    help="of documents, entities, claims and errors (default: jsonl); in parquet, "
                    "fields holding lists or objects (sentences, meta, subject, value, ...) are "
                    "stored as JSON strings")
    ex.add_argument("--resume", action="store_true",
                    help="keep the finished work in RUN_DIR: finish a killed or failed run, or "
                    "process only the documents that are new or changed (by id and text sha256) "
                    "since the last complete run; the output is that of a fresh run")
    ex.set_defaults(func=_extract)

    ev = sub.add_parser("eval", help="score a run against gold files (CONTRACT.md scoring)")
    ev.add_argument("--gold", type=Path, action="append", required=True, metavar="GOLD.jsonl",
                    help="a gold file; give several to score them together")
    ev.add_argument("--run", type=Path, required=True, metavar="RUN_DIR")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.add_argument("--errors", action="store_true", help="list every false positive and negative")
    ev.set_defaults(func=_eval)

    co = sub.add_parser("consolidate", help="group a run's claims into facts and flag conflicts",
                        description="Group the claims of all documents of a run by company, metric "
                        "family, value type and period; write RUN_DIR/facts.jsonl, facts.csv and "
                        "facts.parquet, conflicts first.")
    co.add_argument("run", type=Path, metavar="RUN_DIR")
    co.set_defaults(func=_consolidate)

    rp = sub.add_parser("report", help="write a run as one self-contained HTML page",
                        description="Write RUN_DIR as one HTML file to open in a browser: counts and "
                        "charts, facts with conflicts first (linked to their spans), every document "
                        "with its mentions highlighted and its claims beside it; with --gold, the "
                        "eval tables and false positives/negatives marked in the text.")
    rp.add_argument("run", type=Path, metavar="RUN_DIR")
    rp.add_argument("-o", "--out", type=Path, required=True, metavar="report.html")
    rp.add_argument("--gold", type=Path, action="append", default=[], metavar="GOLD.jsonl",
                    help="a gold file to mark errors against; give several to use them together")
    rp.set_defaults(func=_report)

    an = sub.add_parser("annotate", help="write a run document as an annotation source to edit",
                        description="Write one document of RUN_DIR in the corpus markup "
                        "(corpus/README.md), pre-filled with the run's mentions and claims, to "
                        "correct by hand and build into gold with `claims gold build`.")
    an.add_argument("run", type=Path, metavar="RUN_DIR")
    an.add_argument("doc_id", metavar="DOC_ID")
    an.add_argument("-o", "--out", type=Path, metavar="FILE.ann",
                    help="where to write it (named <id>.ann); default: standard output")
    an.add_argument("--format", choices=("jsonl", "txt", "html"), default="jsonl",
                    help="how `gold build` writes the article: into the dump with its `published` "
                    "date (default), or as a single file whose date is the one in its text")
    an.add_argument("--id", metavar="NEW_ID", help="the source's id (default: DOC_ID)")
    an.set_defaults(func=_annotate)

    gd = sub.add_parser("gold", help="make and check gold files (corpus/README.md)")
    gold_sub = gd.add_subparsers(dest="gold_command", required=True)
    gb = gold_sub.add_parser("build", help="annotation sources -> OUT_DIR/gold.jsonl and OUT_DIR/input/",
                             description="Parse .ann sources (files or folders of them) and write "
                             "OUT_DIR/gold.jsonl and the articles as inputs under OUT_DIR/input/ "
                             "(stale files there are removed). Exit status 1 when a source has errors.")
    gb.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    gb.add_argument("-o", "--out", type=Path, required=True, metavar="OUT_DIR")
    gb.set_defaults(func=_gold_build)
    gc = gold_sub.add_parser("check", help="validate gold files (exit status 2 on the first problem)")
    gc.add_argument("gold", nargs="+", type=Path, metavar="GOLD.jsonl")
    gc.add_argument("--run", type=Path, metavar="RUN_DIR",
                    help="check offsets against this run's texts where a gold line has no text")
    gc.set_defaults(func=_gold_check)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
