"""Gold files (CONTRACT.md, "Gold files"): read and validated line by line, offsets included.

A problem raises ``GoldError`` naming ``path:line`` and what is wrong, so a hand-labelled file
is fixed before any score is computed from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

TYPES = ("MONEY", "PERCENT", "DATE", "COMPANY")
VALUE_TYPES = ("MONEY", "PERCENT")


class GoldError(ValueError):
    """A gold file that cannot be scored against; the message names path:line and the problem."""


class _Invalid(Exception):
    """A problem inside one gold line; load_gold adds the path and line number."""


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_date(x: Any) -> bool:
    try:
        date.fromisoformat(x)
    except (TypeError, ValueError):
        return False
    return True


# Normalized fields per type: (check, what it must be). OPTIONAL fields are checked if present.
FIELDS: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "MONEY": {"amount": (is_number, "a number"),
              "currency": (lambda x: isinstance(x, str) and bool(x), "an ISO 4217 code")},
    "PERCENT": {"percent": (is_number, "a number")},
    "DATE": {"start_date": (_is_date, "an ISO date"), "end_date": (_is_date, "an ISO date")},
    "COMPANY": {"company_id": (lambda x: x is None or isinstance(x, str), "a string or null"),
                "name": (lambda x: isinstance(x, str), "a string")},
}
OPTIONAL: dict[str, tuple[Callable[[Any], bool], str]] = {
    "points": (lambda x: x is None or isinstance(x, bool), "true or false"),
    "aliases": (lambda x: isinstance(x, list) and all(isinstance(a, str) for a in x),
                "a list of strings"),
}


def _check_fields(m: dict, label: str, fields: dict[str, tuple[Callable[[Any], bool], str]],
                  required: bool = True) -> None:
    for key, (ok, expected) in fields.items():
        if key not in m:
            if required:
                raise _Invalid(f"{label}: missing {key!r}")
        elif not ok(m[key]):
            raise _Invalid(f"{label}: {key} must be {expected}, got {m[key]!r}")


def _check_span(m: Any, what: str, text: str | None, need_text: bool = True) -> str:
    """Check text/start/end (and text[start:end]); return the label used in messages."""
    if not isinstance(m, dict):
        raise _Invalid(f"{what}: expected an object, got {json.dumps(m)[:40]}")
    shown = [str(m["type"])] if "type" in m else []
    shown += [repr(m["text"])] if "text" in m else []
    shown.append(f"{m.get('start')}-{m.get('end')}")
    label = f"{what} ({' '.join(shown)})"
    if need_text:
        _check_fields(m, label, {"text": (lambda x: isinstance(x, str), "a string")})
    _check_fields(m, label, {"start": (_is_int, "an integer"), "end": (_is_int, "an integer")})
    start, end = m["start"], m["end"]
    if not 0 <= start < end:
        raise _Invalid(f"{label}: needs 0 <= start < end")
    if text is not None and "text" in m and text[start:end] != m["text"]:
        raise _Invalid(f"{label}: text at {start}:{end} is {text[start:end]!r}")
    _check_fields(m, label, OPTIONAL, required=False)
    return label


def _check_mention(m: Any, what: str, text: str | None, types: tuple[str, ...] = TYPES) -> None:
    label = _check_span(m, what, text)
    if m.get("type") not in types:
        raise _Invalid(f"{label}: type must be {' or '.join(types)}, got {m.get('type')!r}")
    _check_fields(m, label, FIELDS[m["type"]])
    if m["type"] == "DATE" and date.fromisoformat(m["start_date"]) > date.fromisoformat(m["end_date"]):
        raise _Invalid(f"{label}: start_date {m['start_date']} is after end_date {m['end_date']}")


def _check_claim(c: Any, what: str, text: str | None) -> None:
    if not isinstance(c, dict):
        raise _Invalid(f"{what}: expected an object")
    for key in ("subject", "value", "alternatives", "change", "period", "sentence"):
        if key not in c:
            raise _Invalid(f"{what}: missing {key!r}")
    subject = c["subject"]
    label = _check_span(subject, f"{what} subject", text)
    if subject.get("company_id") is None and not isinstance(subject.get("name"), str):
        raise _Invalid(f"{label}: needs a company_id or a name")
    _check_mention(c["value"], f"{what} value", text, VALUE_TYPES)
    if not isinstance(c["alternatives"], list):
        raise _Invalid(f"{what}: alternatives must be a list")
    for i, alt in enumerate(c["alternatives"], 1):
        _check_mention(alt, f"{what} alternative {i}", text, VALUE_TYPES)
    if c["change"] is not None:
        _check_mention(c["change"], f"{what} change", text, ("PERCENT",))
        if c["change"].get("direction") not in ("increase", "decrease"):
            raise _Invalid(f"{what} change: direction must be 'increase' or 'decrease'")
    if c["period"] is not None:
        _check_mention(c["period"], f"{what} period", text, ("DATE",))
    _check_span(c["sentence"], f"{what} sentence", text, need_text=False)


def _check_record(rec: Any, texts: dict[str, str]) -> str:
    """Validate one gold line; return its doc_id."""
    if not isinstance(rec, dict):
        raise _Invalid("expected a JSON object")
    doc_id = rec.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id:
        raise _Invalid("doc_id must be a non-empty string")
    for key in ("entities", "claims"):
        if not isinstance(rec.get(key), list):
            raise _Invalid(f"{key!r} must be a list")
    text = rec.get("text", texts.get(doc_id))
    if text is not None and not isinstance(text, str):
        raise _Invalid("text must be a string")
    for i, entity in enumerate(rec["entities"], 1):
        _check_mention(entity, f"entity {i}", text)
    for i, claim in enumerate(rec["claims"], 1):
        _check_claim(claim, f"claim {i}", text)
    return doc_id


def load_gold(paths: list[Path], texts: dict[str, str] | None = None) -> dict[str, dict]:
    """Read and validate gold files into {doc_id: record}.

    Offsets are checked against the line's own ``text``, else ``texts[doc_id]`` (the run's
    documents); a document with neither is checked without its text.
    """
    gold: dict[str, dict] = {}
    where: dict[str, str] = {}
    for path in paths:
        try:
            with Path(path).open(encoding="utf-8") as f:
                lines = list(f)
        except (OSError, UnicodeDecodeError) as e:
            raise GoldError(f"{path}: cannot read the gold file ({e})") from None
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            at = f"{path}:{n}"
            try:
                record = json.loads(line)
                doc_id = _check_record(record, texts or {})
            except json.JSONDecodeError as e:
                raise GoldError(f"{at}: not valid JSON: {e.msg} (column {e.colno})") from None
            except _Invalid as e:
                raise GoldError(f"{at}: {e}") from None
            if doc_id in where:
                raise GoldError(f"{at}: doc_id {doc_id!r} is already given at {where[doc_id]}")
            gold[doc_id], where[doc_id] = record, at
    return gold


