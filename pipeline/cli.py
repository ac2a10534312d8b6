"""The `claims` command line: extract, eval."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.settings import Settings, default_workers


def _extract(args: argparse.Namespace) -> int:
    from pipeline.running import extract

    missing = [p for p in args.inputs if not p.exists()]
    if missing:
        print(f"claims extract: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    settings = Settings(keep_text=not args.no_text, max_chars=args.max_chars,
                        shard_size=args.shard_size, workers=args.workers, scheduler=args.scheduler)
    summary = extract(args.inputs, args.out, settings)
    print(summary.line(), file=sys.stderr)
    if summary.errors:
        print(f"claims extract: {summary.errors} input(s) failed; see {args.out / 'errors.jsonl'}",
              file=sys.stderr)
        return 1
    return 0


def _eval(args: argparse.Namespace) -> int:
    from pipeline import evaluate

    return evaluate.main(args.gold, args.run, as_json=args.json, errors=args.errors)


def _consolidate(args: argparse.Namespace) -> int:
    from pipeline import consolidate

    return consolidate.main(args.run)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="claims", description="Quantitative claims about companies, "
                                "extracted from news articles with offsets into their text.")
    p.add_argument("--version", action="version", version=f"claims {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="read articles and write a run folder",
                        description="Read .txt/.md/.html files, folders of them, and JSON Lines "
                        "dumps (.jsonl, .jsonl.gz); write documents, entities, claims, errors "
                        "and a manifest to RUN_DIR. Exit status 1 when some inputs failed.")
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
