"""Web archives (``.warc``, ``.warc.gz``) read with warcio, one record at a time.

* An HTML page (a ``response`` record with HTTP status 2xx and an HTML content type, or a
  ``resource`` record of HTML) goes through the HTML reader
  (:func:`claimset.ingest.read_html.read_html`) on its decoded HTTP payload.
* ``url`` is the record's ``WARC-Target-URI``. ``published_at`` is the date the page
  states (trafilatura), else a sidecar default, else the fetch date (``WARC-Date``): a
  page cannot have been published after it was fetched.
* Every other record (``warcinfo``, ``request``, ``metadata``, ``revisit``, ``conversion``,
  non-HTML or non-2xx responses) is quarantined with a reason naming its type
  (``warc_skipped``, ``warc_not_html``), so the report counts them and nothing is lost.
* ``origin_line`` holds the record's **byte offset** in the file (as in a CDX index; 0 for
  the first record). A record warcio cannot parse (bad header, corrupt gzip member) is
  quarantined as ``unreadable`` at its offset, and reading resumes at the next record
  (the next gzip member for ``.warc.gz``, the next ``WARC/`` version line otherwise).
  An HTML record cut short of its ``Content-Length`` (truncated file) is ``unreadable`` too.
"""

from __future__ import annotations

import codecs
import dataclasses
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from claimset.ingest.config import IngestConfig
from claimset.ingest.fields import FieldProblem, iso_date
from claimset.ingest.read_html import read_html
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile

RECORDS_PER_PART = 256  # records handed to the pipeline at a time
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_SCAN_BLOCK = 1 << 20


def read_warc(
    f: InputFile, config: IngestConfig
) -> Iterator[tuple[list[RawRecord], list[Quarantined]]]:
    """Records and rejections of the archive, about :data:`RECORDS_PER_PART` records at a
    time (memory holds one part, never the archive)."""
    from warcio.archiveiterator import ArchiveIterator

    q = Rejector(f.rel, "warc", config.excerpt_chars)
    gz = f.path.name.lower().endswith(".gz")
    records: list[RawRecord] = []
    rejected: list[Quarantined] = []
    with tempfile.TemporaryDirectory(prefix="claimset-warc-") as tmp, f.path.open("rb") as fh:
        page = Path(tmp) / "page.html"
        base = 0
        while True:
            fh.seek(base)
            it = ArchiveIterator(fh)
            offset = base  # start of the record being read
            try:
                for rec in it:
                    n_rec, n_rej = len(records), len(rejected)
                    _one(f, config, q, rec, -1, page, records, rejected)
                    # warcio knows a plain record's offset once it has been read to its end
                    start = base + it.get_record_offset()
                    for r in records[n_rec:]:
                        r.origin_line = start
                    for i in range(n_rej, len(rejected)):
                        rejected[i] = dataclasses.replace(rejected[i], origin_line=start)
                    offset = start + it.get_record_length()
                    if len(records) + len(rejected) >= RECORDS_PER_PART:
                        yield records, rejected
                        records, rejected = [], []
                break
            except Exception as exc:  # any warcio/zlib failure: this record is unreadable
                offset = _skip_separator(fh, offset)
                nxt = _next_record_start(fh, offset + 1, gz)
                where = f"bytes {offset}-{nxt}" if nxt is not None else f"byte {offset} on"
                # The error text may quote raw bytes: ASCII escapes keep the row one line.
                why = ascii(str(exc))[1:-1][:200]
                msg = f"WARC record at {where} cannot be read ({type(exc).__name__}: {why})"
                rejected.append(q("unreadable", msg, b"", offset))
                if nxt is None:
                    break
                base = nxt
    if records or rejected:
        yield records, rejected


def _one(
    f: InputFile,
    config: IngestConfig,
    q: Rejector,
    rec: Any,
    offset: int,
    page: Path,
    records: list[RawRecord],
    rejected: list[Quarantined],
) -> None:
    """Turn one WARC record into an article or a quarantine entry."""
    kind = rec.rec_type
    uri = rec.rec_headers.get_header("WARC-Target-URI")
    label = f"WARC {kind} record" + (f" for {uri}" if uri else "")
    if kind not in ("response", "resource"):
        rejected.append(q("warc_skipped", f"{label}: not a page", b"", offset))
        return
    if kind == "response":
        http = rec.http_headers
        if http is None:
            rejected.append(q("warc_skipped", f"{label}: no HTTP response", b"", offset))
            return
        status = http.get_statuscode() or ""
        if not status.startswith("2"):
            rejected.append(q("warc_not_html", f"{label}: HTTP status {status}", b"", offset))
            return
        ctype = http.get_header("Content-Type") or ""
    else:
        ctype = rec.rec_headers.get_header("Content-Type") or ""
    media = ctype.split(";")[0].strip().lower()
    if media not in _HTML_TYPES:
        why = f"{label}: content type {media or 'missing'}, not HTML"
        rejected.append(q("warc_not_html", why, b"", offset))
        return
    payload = rec.content_stream().read()
    missing = getattr(rec.raw_stream, "limit", 0)  # bytes of the block never delivered
    if missing:
        why = f"{label}: ends {missing} bytes before its Content-Length (file truncated?)"
        rejected.append(q("unreadable", why, payload, offset))
        return
    page.write_bytes(payload)
    html_file = dataclasses.replace(
        f, path=page, fmt="html", encoding=_charset(ctype) or f.encoding, codec=None
    )
    recs, rej = read_html(html_file, config)
    for bad in rej:
        rejected.append(
            dataclasses.replace(
                bad, origin_line=offset, origin_format="warc", message=f"{label}: {bad.message}"
            )
        )
    for r in recs:
        fields = dict(r.fields)
        if uri:
            fields["url"] = uri
        if not fields.get("published_at"):
            date = _fetch_date(rec)
            if date is not None:
                fields["published_at"] = date
        records.append(RawRecord(f.rel, offset, "warc", r.raw_sha256, fields))


def _charset(ctype: str) -> str | None:
    """The ``charset=`` of a Content-Type header when Python knows it, else None."""
    for part in ctype.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            name = value.strip().strip("\"'")
            try:
                codecs.lookup(name)
            except LookupError:
                return None
            return name
    return None


def _fetch_date(rec: Any) -> str | None:
    value = rec.rec_headers.get_header("WARC-Date")
    if not value:
        return None
    try:
        return iso_date(value.replace("Z", "+00:00"), "WARC-Date")
    except FieldProblem:
        return None


def _skip_separator(fh: BinaryIO, pos: int) -> int:
    """``pos`` moved past the blank lines that end the previous record."""
    fh.seek(pos)
    head = fh.read(64)
    return pos + len(head) - len(head.lstrip(b"\r\n"))


def _next_record_start(fh: BinaryIO, start: int, gz: bool) -> int | None:
    """Offset of the next record start at or after ``start``: a gzip member header for
    ``.warc.gz``, a ``WARC/1.x`` version line otherwise; None at the end of the file."""
    marker = _GZIP_MAGIC if gz else b"\nWARC/1."
    pos = start
    while True:
        fh.seek(pos)
        block = fh.read(_SCAN_BLOCK + len(marker))
        if len(block) < len(marker):
            return None
        i = block.find(marker)
        if i >= 0:
            return pos + i + (0 if gz else 1)
        pos += _SCAN_BLOCK
