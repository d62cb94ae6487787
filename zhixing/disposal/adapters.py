"""The boundary with the online inquiry platforms (司法网络询价平台), on the pattern of the property
query network (zhixing.property.adapters): a request file per inquiry is written to an outbox folder
that the court's gateway (or a clerk) hands to the platforms, and the platforms' answers come back as
reply files that are imported (inquiries.inquiry_replies_import; columns in docs/disposal.md).
Nothing here pretends a platform answered.

A request file appears only when the sending transaction commits (written under a hidden name, renamed
on commit), so a refused inquiry leaves nothing for a gateway to pick up.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction

from zhixing.cases.import_file import _records
from zhixing.property.rules import ASSET_KINDS

REQUEST_HEADER = ("询价编号", "询价平台", "法院", "案号", "财产类别", "财产", "权利人", "财产信息", "出具期限")
REPLY_COLUMNS = ("询价编号", "询价平台", "询价结果（元）", "报告编号", "出具日期", "有效期至")


class InquiryPlatforms(Protocol):
    def send(self, reference, number: str, case) -> str:
        """Hand the inquiry over; returns where it went (stored on ReferencePrice.request_file)."""

    def read_reply(self, file_name: str, content: bytes) -> Iterator[list]:
        """The records (header first) of a platforms' reply file."""


def request_csv(reference, number: str, case) -> bytes:
    asset = reference.asset
    kind = ASSET_KINDS.get(asset.kind)
    details = "；".join(f"{f.label}：{asset.details[f.name]}" for f in (kind.fields if kind else ()) if asset.details.get(f.name))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REQUEST_HEADER)
    for platform in reference.platforms:
        writer.writerow((number, platform, case.court.name, case.case_number, kind.name if kind else asset.kind,
                         asset.description, asset.owner_name, details, reference.reply_due.isoformat()))
    return out.getvalue().encode("utf-8-sig")  # with BOM: Excel opens it as UTF-8


class FileExchange:
    """Requests in <DISPOSAL_EXCHANGE_DIR>/outbox/inquiry/<number>.csv (CSV, UTF-8 with BOM)."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root or getattr(settings, "DISPOSAL_EXCHANGE_DIR", None)
                         or Path(settings.PROPERTY_EXCHANGE_DIR).parent / "disposal-exchange")

    def send(self, reference, number: str, case) -> str:
        final = self.root / "outbox" / "inquiry" / f"{number}.csv"
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = final.with_name(f".{final.name}.tmp")
        temporary.write_bytes(request_csv(reference, number, case))
        transaction.on_commit(lambda: os.replace(temporary, final))
        return str(final.relative_to(self.root))

    def read_reply(self, file_name: str, content: bytes) -> Iterator[list]:
        return _records(file_name, content)


def inquiry_exchange() -> InquiryPlatforms:
    """settings.DISPOSAL_INQUIRY_PLATFORMS (a dotted class path) or the file exchange."""
    path = getattr(settings, "DISPOSAL_INQUIRY_PLATFORMS", "")
    if not path:
        return FileExchange()
    from django.utils.module_loading import import_string

    return import_string(path)()
