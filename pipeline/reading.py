"""Reading inputs: folders and files of .txt/.md/.html, and JSON Lines dumps (.jsonl, .jsonl.gz).

Everything is streamed: ``Reader.read`` yields one ``Document`` or ``ErrorRecord`` at a time,
in a stable order (paths as given, folders walked in sorted order, dump lines in order), and
``Reader.position`` tells how many input bytes have been consumed (for progress and ETA).
Memory is bounded by one document: a dump is read line by line (a line longer than any
document could be is skipped in chunks, never held whole) and a file larger than
``max_chars`` could hold is refused before it is read.

Document ids follow CONTRACT.md. A bad file or line becomes an ``ErrorRecord`` whose
``source`` is the file, or ``file:line`` (1-based) in a dump; reading goes on.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pipeline.types import Document, ErrorRecord

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
DUMP_SUFFIXES = (".jsonl.gz", ".jsonl")
SUFFIXES = DUMP_SUFFIXES + TEXT_SUFFIXES + HTML_SUFFIXES
DEFAULT_MAX_CHARS = 10_000_000


@dataclass(frozen=True)
class InputFile:
    """A file to read and the id it gives its documents."""

    path: Path
    doc_id: str
    kind: str  # "text", "html" or "dump"


def input_kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(DUMP_SUFFIXES):
        return "dump"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    return None


def _strip_suffix(name: str) -> str:
    lower = name.lower()
    for suffix in SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name.rsplit(".", 1)[0] if "." in name else name


def list_inputs(paths: list[Path]) -> tuple[list[InputFile], list[Path]]:
    """The readable files under the given paths, and the files skipped for their type.

    A file given directly gets its file name as id; a file under a folder its path relative
    to that folder, without the extension, with "/" as separator.
    """
    found: list[InputFile] = []
    skipped: list[Path] = []
    for root in paths:
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                kind = input_kind(path)
                if kind is None or any(part.startswith(".") for part in path.relative_to(root).parts):
                    skipped.append(path)
                    continue
                if kind == "dump" and is_gold_file(path):
                    skipped.append(path)
                    continue
                rel = path.relative_to(root)
                doc_id = "/".join([*rel.parts[:-1], _strip_suffix(rel.name)])
                found.append(InputFile(path, doc_id, kind))
        else:
            # A file named directly is read whatever its suffix (as text unless it says otherwise).
            found.append(InputFile(root, _strip_suffix(root.name), input_kind(root) or "text"))
    return found, skipped


def is_gold_file(path: Path) -> bool:
    """True for a gold file (CONTRACT.md) lying beside the articles: its first record has
    entities and claims. It holds labels, not articles, so a folder run leaves it out."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            first = json.loads(f.readline())
    except (OSError, EOFError, zlib.error, ValueError):
        return False
    return isinstance(first, dict) and "entities" in first and "claims" in first


def decode(data: bytes) -> str:
    """UTF-8 text of a file's bytes; ValueError for binary data or invalid UTF-8."""
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not valid UTF-8: byte {data[e.start]:#04x} at offset {e.start}") from None
    return text.removeprefix("\ufeff")


def html_to_text(html: str) -> str:
    """The article text of an HTML page (trafilatura), paragraphs one per line."""
    return _html_extract(html)[0]


def _html_extract(html: str) -> tuple[str, str | None, str | None]:
    """Text, title and publication date from an HTML page.

    trafilatura is the reference article extractor; its date search is limited to the page's
    metadata (extensive_search off) so a copyright year in a footer is never taken for a date.
    """
    import trafilatura

    result = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True})
    if result is None or not result.text:
        return "", None, None
    return result.text, result.title, result.date


def iso_date(value: object) -> str | None:
    """The ISO date of a metadata value ("2025-12-23", "2025-12-23T10:00:00Z"), or None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            return None


def total_bytes(files: list[InputFile]) -> int:
    """The size of the inputs on disk (0 for a file that cannot be read)."""
    total = 0
    for item in files:
        try:
            total += item.path.stat().st_size
        except OSError:
            pass
    return total


class Reader:
    """Yields Documents and ErrorRecords from input files."""

    CHUNK = 1 << 20  # bytes read at a time when skipping an overlong dump line

    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS):
        self.max_chars = max_chars
        # JSON spends at most 12 bytes on a code point (the escape pair "\ud83d\ude00"), so a
        # line longer than this (with 1 MiB for metadata) cannot hold a document under the
        # limit: it is skipped a chunk at a time, never held whole.
        self.max_line_bytes = 12 * max_chars + (1 << 20)
        self.position = 0  # input bytes consumed so far, over all files read

    def read(self, files: list[InputFile]) -> Iterator[Document | ErrorRecord]:
        base = 0
        for item in files:
            self.position = base
            if item.kind == "dump":
                yield from self.read_dump(item, base)
            else:
                yield self.read_file(item)
            try:
                base += item.path.stat().st_size
            except OSError:
                pass
        self.position = base

    def _error(self, doc_id: str | None, source: str, error: str, message: str) -> ErrorRecord:
        return ErrorRecord(doc_id=doc_id, source=source, stage="read", error=error, message=message)

    def _document(self, doc_id: str, text: str, source: str, **meta) -> Document | ErrorRecord:
        if not text.strip():
            return self._error(doc_id, source, "EmptyDocument", "the document has no text")
        if len(text) > self.max_chars:
            return self._error(doc_id, source, "DocumentTooLarge",
                               f"{len(text):,} characters, over the limit of {self.max_chars:,}")
        return Document(doc_id=doc_id, text=text, source=source, **meta)

    def read_file(self, item: InputFile) -> Document | ErrorRecord:
        source = str(item.path)
        try:
            size = item.path.stat().st_size
            limit = 4 * self.max_chars * (4 if item.kind == "html" else 1)  # UTF-8: <= 4 bytes a character
            if size > limit:
                return self._error(item.doc_id, source, "DocumentTooLarge",
                                   f"{size:,} bytes, more than {self.max_chars:,} characters can take")
            data = item.path.read_bytes()
            text = decode(data)
        except (OSError, ValueError) as e:
            return self._error(item.doc_id, source, type(e).__name__ if isinstance(e, OSError)
                               else "DecodeError", str(e))
        if item.kind == "html":
            if len(text) > 4 * self.max_chars:
                return self._error(item.doc_id, source, "DocumentTooLarge", f"{len(text):,} characters of HTML")
            try:
                text, title, published = _html_extract(text)
            except Exception as e:  # the extractor's own failures are per document
                return self._error(item.doc_id, source, "HtmlError", f"{type(e).__name__}: {e}")
            return self._document(item.doc_id, text, source, title=title, published=iso_date(published))
        return self._document(item.doc_id, text, source)

    def read_dump(self, item: InputFile, base: int = 0) -> Iterator[Document | ErrorRecord]:
        """Records of a JSON Lines dump, one per line; each bad line is an ErrorRecord."""
        n = 0
        try:
            with item.path.open("rb") as raw:
                f = gzip.GzipFile(fileobj=raw, mode="rb") if item.path.name.lower().endswith(".gz") else raw
                head = f.peek(8192)[:8192] if hasattr(f, "peek") else b""
                if b"\x00" in head:
                    yield self._error(None, str(item.path), "DecodeError",
                                      "binary file (NUL bytes), not a JSON Lines dump")
                    return
                while raw_line := f.readline(self.max_line_bytes):
                    n += 1
                    self.position = base + raw.tell()
                    if len(raw_line) >= self.max_line_bytes and not raw_line.endswith(b"\n"):
                        skipped = len(raw_line) + self._skip_line(f)
                        yield self._error(f"{item.doc_id}:{n}", f"{item.path}:{n}", "DocumentTooLarge",
                                          f"a line of {skipped:,} bytes, more than {self.max_chars:,} "
                                          "characters of text can take; skipped")
                    elif raw_line.strip():
                        yield self._record(item, n, raw_line)
        except (OSError, EOFError, zlib.error) as e:
            where = f"{item.path}:{n + 1}" if n else str(item.path)
            yield self._error(None, where, type(e).__name__, f"the dump could not be read on: {e}")

    def _skip_line(self, f) -> int:
        """Read past the rest of an overlong line, a chunk at a time; the bytes skipped."""
        skipped = 0
        while chunk := f.readline(self.CHUNK):
            skipped += len(chunk)
            if chunk.endswith(b"\n"):
                break
        return skipped

    def _record(self, item: InputFile, n: int, raw: bytes) -> Document | ErrorRecord:
        where = f"{item.path}:{n}"
        fallback_id = f"{item.doc_id}:{n}"
        try:
            line = decode(raw)
        except ValueError as e:
            return self._error(fallback_id, where, "DecodeError", str(e))
        try:
            record = json.loads(line)
        except ValueError as e:
            cut = "" if raw.endswith(b"\n") else " (the line is cut: no newline at its end)"
            return self._error(fallback_id, where, "BadJsonLine", f"{e}{cut}")
        if not isinstance(record, dict):
            return self._error(fallback_id, where, "BadJsonLine", "a line must hold a JSON object")
        doc_id = record.get("id")
        doc_id = str(doc_id) if doc_id not in (None, "") else fallback_id
        text = record.get("text")
        if not isinstance(text, str):
            return self._error(doc_id, where, "MissingText", "the record has no string field 'text'")
        title = record.get("title") if isinstance(record.get("title"), str) else None
        meta = {k: v for k, v in record.items() if k not in ("id", "text", "title", "url", "published")}
        published = iso_date(record.get("published"))
        if record.get("published") is not None and published is None:
            meta["published_raw"] = record.get("published")
        return self._document(doc_id, text, record.get("url") or where, title=title,
                              published=published, meta=meta)
