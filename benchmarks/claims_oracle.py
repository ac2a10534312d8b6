"""Claim assembly on gold mentions: the claims stage alone, scored as `claims eval` scores it.

The claims stage gets each gold document's own MONEY, PERCENT, DATE and COMPANY mentions, so the
score measures assembly (roles, subject, period), not recognition. Usage:
    python benchmarks/claims_oracle.py corpus/gold.jsonl [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline import evaluate
from pipeline.claims import Claims
from pipeline.gold import load_gold
from pipeline.sentences import Sentences
from pipeline.layout import Layout
from pipeline.types import Document, Mention

FIELDS = ("type", "text", "start", "end")


def oracle_run(gold: dict[str, dict]) -> evaluate.Run:
    claims_stage, layout, sentences = Claims(), Layout(), Sentences()
    documents, entities, claims = {}, {}, {}
    for doc_id, record in gold.items():
        doc = sentences(layout(Document(doc_id=doc_id, text=record["text"], published=record.get("published"))))
        doc.mentions = [Mention(e["type"], e["start"], e["end"], {k: v for k, v in e.items() if k not in FIELDS})
                        for e in record["entities"]]
        doc = claims_stage(doc)
        documents[doc_id] = doc.record()
        entities[doc_id] = [{"doc_id": doc_id, **m.record(doc.text)} for m in doc.mentions]
        claims[doc_id] = [c.record(doc) for c in doc.claims]
    return evaluate.Run(documents, entities, claims)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("gold", type=Path, nargs="+")
    p.add_argument("--errors", action="store_true")
    args = p.parse_args()
    texts = {}
    for path in args.gold:  # gold files without texts (the seeds) have them beside as <doc_id>.txt
        for line in path.read_text(encoding="utf-8").splitlines():
            doc_id = json.loads(line)["doc_id"] if line.strip() else None
            if doc_id and (path.parent / f"{doc_id}.txt").exists():
                texts[doc_id] = (path.parent / f"{doc_id}.txt").read_text(encoding="utf-8")
    gold = load_gold(args.gold, texts)
    for doc_id, record in gold.items():
        record.setdefault("text", texts.get(doc_id))
    run = oracle_run(gold)
    report = evaluate.evaluate(gold, run)
    print(evaluate.format_tables(report).split("Claims")[-1])
    if args.errors:
        print(evaluate.format_errors(report, gold, run).split("CLAIMS")[-1] if "CLAIMS" in
              evaluate.format_errors(report, gold, run) else evaluate.format_errors(report, gold, run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
