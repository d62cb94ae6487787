"""Importing the online inquiry platforms' reply file (columns: adapters.REPLY_COLUMNS; docs/disposal.md):
whole or not at all, every error with its row and column; the same file twice changes nothing. Each
reply is kept with whether it came in time; once every platform of an inquiry has answered, the
result (their average) is fixed at once, otherwise after the deadline (reference.online_inquiry_conclude).
"""

from __future__ import annotations

import hashlib
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.import_file import cell_text, date_value, file_error, is_blank
from zhixing.cases.inputs import parse_date, parse_yuan
from zhixing.cases.services import ensure_can_act, ensure_role
from zhixing.courts.models import Court

from . import adapters, reference
from .choices import Method, PriceStatus
from .models import InquiryImport, InquiryReply, ReferencePrice
from .rules import PRICE_ROLES

_NUMBER = re.compile(r"^XJ(\d{4})-(\d{8})$")
_KEYS = {"询价编号": "number", "询价平台": "platform", "平台": "platform", "询价结果（元）": "price", "询价结果": "price",
         "报告编号": "report_number", "出具日期": "issued_on", "有效期至": "valid_until"}
MAX_ERRORS = 200


def inquiry_replies_import(*, actor: User, court: Court, file_name: str, content: bytes) -> tuple[InquiryImport, bool]:
    """Returns (the import, created)."""
    ensure_can_act(actor, court.pk)
    ensure_role(actor, PRICE_ROLES | {Role.CLERK}, "导入网络询价结果")
    sha = hashlib.sha256(content).hexdigest()
    existing = InquiryImport.objects.filter(court=court, sha256=sha).first()
    if existing is not None:
        return existing, False
    records = adapters.inquiry_exchange().read_reply(file_name, content)
    header = next(records, None)
    if header is None:
        raise file_error("文件为空")
    index = {i: _KEYS[cell_text(c).replace("(", "（").replace(")", "）").replace(" ", "")]
             for i, c in enumerate(header) if cell_text(c).replace("(", "（").replace(")", "）").replace(" ", "") in _KEYS}
    missing = [c for c in adapters.REPLY_COLUMNS if _KEYS[c] not in index.values()]
    if missing:
        raise ValidationFailed([FieldError("表头", f"缺少必需的列：{'、'.join(missing)}", 1)])
    errors: list[FieldError] = []
    rows: list[dict] = []
    for number, record in enumerate(records, start=2):
        values = {key: record[i] for i, key in index.items() if i < len(record) and not is_blank(record[i])}
        if values:
            rows.append(_parse_row(number, values, errors))
    if not rows:
        raise file_error("文件没有数据行")
    with transaction.atomic():
        refs = _inquiries(court, rows, errors)
        if errors:
            raise ValidationFailed(errors[:MAX_ERRORS], message=f"文件有{len(errors)}处错误，未导入：" + "；".join(
                str(e) for e in errors[:3]) + ("……" if len(errors) > 3 else ""))
        try:
            with transaction.atomic():
                imported = InquiryImport.objects.create(court=court, file_name=file_name[:200], sha256=sha, rows=len(rows),
                                                        imported_by=actor, imported_at=timezone.now())
        except IntegrityError:  # the same file at the same moment
            return InquiryImport.objects.get(court=court, sha256=sha), False
        complete = set()
        for row in rows:
            ref = refs[row["reference_id"]]
            InquiryReply.objects.create(court=court, reference=ref, platform=row["platform"], price_fen=row["price"],
                                        report_number=row["report_number"], issued_on=row["issued_on"],
                                        valid_until=row["valid_until"], in_time=row["issued_on"] <= ref.reply_due,
                                        source_file=imported)
            if set(ref.replies.values_list("platform", flat=True)) >= set(ref.platforms):
                complete.add(ref.pk)
    for pk in sorted(complete):  # every platform answered: the result is known now
        reference.online_inquiry_conclude(actor=actor, reference=ReferencePrice.objects.get(pk=pk))
    return imported, True


def _parse_row(row: int, values: dict, errors: list[FieldError]) -> dict:
    out: dict = {"row": row, "report_number": cell_text(values.get("report_number"))[:60]}
    number = cell_text(values.get("number"))
    match = _NUMBER.match(number)
    if not match:
        errors.append(FieldError("询价编号", f"{number!r} 不是本系统的询价编号（如 XJ0003-00000012）", row))
    else:
        out["court_id"], out["reference_id"] = int(match.group(1)), int(match.group(2))
    out["platform"] = cell_text(values.get("platform"))
    if not out["platform"]:
        errors.append(FieldError("询价平台", "不能为空", row))
    try:
        out["price"] = parse_yuan(values.get("price"))
        if out["price"] <= 0:
            raise ValueError("询价结果应大于0")
    except ValueError as exc:
        errors.append(FieldError("询价结果（元）", str(exc), row))
    for key, label in (("issued_on", "出具日期"), ("valid_until", "有效期至")):
        try:
            out[key] = parse_date(date_value(values.get(key)))
        except ValueError as exc:
            errors.append(FieldError(label, str(exc), row))
    if "issued_on" in out and "valid_until" in out and out["valid_until"] < out["issued_on"]:
        errors.append(FieldError("有效期至", "早于出具日期", row))
    return out


def _inquiries(court: Court, rows: list[dict], errors: list[FieldError]) -> dict[int, ReferencePrice]:
    ids = {r["reference_id"] for r in rows if "reference_id" in r}
    refs = {r.pk: r for r in ReferencePrice.objects.select_for_update().filter(pk__in=ids, court=court, method=Method.ONLINE)}
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        if "reference_id" not in row:
            continue
        ref = refs.get(row["reference_id"])
        if ref is None or row.get("court_id") != court.pk:
            errors.append(FieldError("询价编号", "本院没有该网络询价", row["row"]))
            continue
        if ref.status != PriceStatus.IN_PROGRESS:
            errors.append(FieldError("询价编号", f"该网络询价{ref.get_status_display()}，不再接收结果", row["row"]))
            continue
        if row["platform"] and row["platform"] not in ref.platforms:
            errors.append(FieldError("询价平台", f"该询价未发往“{row['platform']}”", row["row"]))
        key = (ref.pk, row["platform"])
        if key in seen:
            errors.append(FieldError("询价平台", f"与第{seen[key]}行重复", row["row"]))
        seen[key] = row["row"]
        if ref.replies.filter(platform=row["platform"]).exists():
            errors.append(FieldError("询价平台", f"“{row['platform']}”的结果已导入", row["row"]))
        if "issued_on" in row and row["issued_on"] < ref.started_on:
            errors.append(FieldError("出具日期", f"早于询价日期 {ref.started_on}", row["row"]))
    return refs
