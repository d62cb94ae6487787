"""The boundary with the query network (总对总 / 点对点 网络查控).

Agencies are reached through a `QueryNetwork`. The built-in one, `FileExchange`, is what most courts
run today: a request file per batch is written to an outbox folder that the court's network gateway
(or a clerk) picks up, and the agencies' replies come back as files that are imported
(replies.reply_import; format in docs/property-replies.md). Nothing here pretends an agency answered.

Request files appear only when the sending transaction commits: they are written to a hidden
temporary name first and renamed on commit, so a rolled-back send leaves no file for a gateway to pick up.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction

from zhixing.cases.import_file import _records

from .models import QueryBatch

REQUEST_HEADER = ("批次号", "查询序号", "案号", "被执行人", "证件号码", "查控事项")


@dataclass(frozen=True)
class RequestLine:
    query_id: int
    case_number: str
    name: str
    identity_number: str
    item_name: str


class QueryNetwork(Protocol):
    """What the platform needs from the query network."""

    def send(self, batch: QueryBatch, lines: Sequence[RequestLine]) -> str:
        """Hand the batch's requests over; returns where they went (stored on QueryBatch.request_file)."""

    def read_reply(self, file_name: str, content: bytes) -> Iterator[list]:
        """The records (header first) of a reply file."""

    def request_content(self, batch: QueryBatch) -> bytes:
        """The request file as sent, for downloading again."""


def request_csv(batch: QueryBatch, lines: Sequence[RequestLine]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REQUEST_HEADER)
    for line in lines:
        writer.writerow((batch.number, line.query_id, line.case_number, line.name, line.identity_number, line.item_name))
    return out.getvalue().encode("utf-8-sig")  # with BOM: Excel opens it as UTF-8


class FileExchange:
    """Request files in <PROPERTY_EXCHANGE_DIR>/outbox/<agency kind>/<batch number>.csv (CSV, UTF-8 with BOM)."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root or settings.PROPERTY_EXCHANGE_DIR)

    def path_for(self, batch: QueryBatch) -> Path:
        return self.root / "outbox" / batch.agency_kind / f"{batch.number}.csv"

    def send(self, batch: QueryBatch, lines: Sequence[RequestLine]) -> str:
        final = self.path_for(batch)
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = final.with_name(f".{final.name}.tmp")
        temporary.write_bytes(request_csv(batch, lines))  # an I/O error aborts the send
        transaction.on_commit(lambda: os.replace(temporary, final))
        return str(final.relative_to(self.root))

    def read_reply(self, file_name: str, content: bytes) -> Iterator[list]:
        return _records(file_name, content)

    def request_content(self, batch: QueryBatch) -> bytes:
        return (self.root / batch.request_file).read_bytes()


def query_network() -> QueryNetwork:
    """The configured network: settings.PROPERTY_QUERY_NETWORK (a dotted class path) or the file exchange."""
    path = getattr(settings, "PROPERTY_QUERY_NETWORK", "")
    if not path:
        return FileExchange()
    from django.utils.module_loading import import_string

    return import_string(path)()
