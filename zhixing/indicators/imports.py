"""Importing petitions, review outcomes and disclosures from a CSV or XLSX file (docs/indicators.md):
all-or-nothing — one bad row and nothing is recorded, every error named by row and column — and
idempotent: importing the same file again records nothing new (the services recognise each record).

The file is read by the case import's reader (zhixing.cases.import_file): same encodings, same
handling of spreadsheet dates and of old .xls files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import models, transaction

from zhixing.accounts.models import User
from zhixing.cases import casenumbers
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.import_file import _records, cell_text, date_value, file_error, is_blank
from zhixing.cases.inputs import parse_date
from zhixing.cases.models import EnforcementCase

from . import services
from .choices import DisclosureKind, PetitionChannel, ReviewKind, ReviewOutcome

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    kind: str = "text"  # text, date, or a choice: the TextChoices class
    choices: type[models.TextChoices] | None = None


CASE_NUMBER = Column("case_number", "案号", required=True)
KINDS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "petitions": ("执行信访", (
        CASE_NUMBER,
        Column("received_on", "收到日期", required=True, kind="date"),
        Column("summary", "信访事项", required=True),
        Column("channel", "信访方式", kind="choice", choices=PetitionChannel),
        Column("reference", "信访编号"),
        Column("closed_on", "办结日期", kind="date"),
        Column("outcome", "办理结果"),
    )),
    "reviews": ("执行行为审查结果", (
        CASE_NUMBER,
        Column("kind", "审查类型", required=True, kind="choice", choices=ReviewKind),
        Column("outcome", "审查结果", required=True, kind="choice", choices=ReviewOutcome),
        Column("decided_on", "决定日期", required=True, kind="date"),
        Column("document_number", "文书号"),
        Column("note", "说明"),
    )),
    "disclosures": ("执行公开记录", (
        CASE_NUMBER,
        Column("kind", "公开事项", required=True, kind="choice", choices=DisclosureKind),
        Column("disclosed_on", "公开日期", required=True, kind="date"),
        Column("reference", "公开载体或网址"),
    )),
}


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: int
    already: int


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).strip("*").lower()


def _choice(column: Column, text: str) -> str:
    by_name = {c.value: c.value for c in column.choices} | {c.label: c.value for c in column.choices}
    if text in by_name:
        return by_name[text]
    allowed = "、".join(c.label for c in column.choices)
    raise ValueError(f"“{text}”不是有效的{column.header}（应为：{allowed}）")


def _header(record: list, columns: tuple[Column, ...]) -> dict[int, Column]:
    names = {_normalise(name): c for c in columns for name in (c.key, c.header)}
    found: dict[int, Column] = {}
    for index, cell in enumerate(record):
        column = names.get(_normalise(cell_text(cell)))
        if column is not None and column not in found.values():
            found[index] = column
    missing = [c.header for c in columns if c.required and c not in found.values()]
    if missing:
        raise ValidationFailed([FieldError("表头", f"缺少必需的列：{'、'.join(missing)}", 1)])
    return found


def read(kind: str, file_name: str, content: bytes) -> list[tuple[int, dict]]:
    """(row number, {column key: value}) of the file's non-blank rows; ValidationFailed lists every bad cell."""
    if kind not in KINDS:
        raise ValidationFailed([FieldError("kind", "应为 petitions（执行信访）、reviews（审查结果）或 disclosures（执行公开）")])
    _label, columns = KINDS[kind]
    records = _records(file_name, content)
    first = next(records, None)
    if first is None or all(is_blank(cell) for cell in first):
        raise file_error("第1行应为表头，但为空", row=1)
    header = _header(first, columns)
    rows, errors = [], []
    for number, record in enumerate(records, start=2):
        cells = {c.key: record[i] for i, c in header.items() if i < len(record) and not is_blank(record[i])}
        if not cells:
            continue
        if len(rows) >= MAX_ROWS:
            raise file_error(f"文件超过{MAX_ROWS}行，请分成几个文件导入")
        values = {}
        for column in columns:
            raw = cells.get(column.key)
            if raw is None:
                if column.required:
                    errors.append(FieldError(column.header, "必填", number))
                continue
            try:
                if column.kind == "date":
                    values[column.key] = parse_date(date_value(raw))
                elif column.kind == "choice":
                    values[column.key] = _choice(column, cell_text(raw))
                elif column.key == "case_number":
                    values[column.key] = str(casenumbers.parse_case_number(cell_text(raw)))
                else:
                    values[column.key] = cell_text(raw)
            except ValueError as exc:
                errors.append(FieldError(column.header, str(exc), number))
        rows.append((number, values))
    if errors:
        raise ValidationFailed(errors)
    if not rows:
        raise file_error("文件只有表头，没有数据行")
    return rows


def _record(kind: str, actor: User, case: EnforcementCase, values: dict):
    values = {k: v for k, v in values.items() if k != "case_number"}
    if kind == "petitions":
        return services.petition_register(actor=actor, case=case, **values)
    if kind == "reviews":
        return services.review_record(actor=actor, case=case, **values)
    return services.disclosure_record(actor=actor, case=case, **values)


def records_import(*, actor: User, kind: str, file_name: str, content: bytes) -> ImportResult:
    """Record every row of the file for the actor's court, or none."""
    rows = read(kind, file_name, content)
    numbers = {values["case_number"] for _n, values in rows}
    cases = EnforcementCase.objects.filter(case_number__in=numbers)
    if not actor.is_superuser:
        cases = cases.filter(court_id=actor.court_id)
    by_number = {case.case_number: case for case in cases}
    model = {"petitions": "petitions", "reviews": "conduct_reviews", "disclosures": "disclosures"}[kind]
    before = _count(model, by_number.values())
    errors: list[FieldError] = []
    with transaction.atomic():
        for number, values in rows:
            case = by_number.get(values["case_number"])
            if case is None:
                errors.append(FieldError("案号", f"本院没有案件 {values['case_number']}", number))
                continue
            try:
                with transaction.atomic():
                    _record(kind, actor, case, values)
            except ValidationFailed as exc:
                errors.extend(FieldError(e.field, e.message, number) for e in exc.errors)
            except DomainError as exc:
                errors.append(FieldError("", exc.message, number))
        if errors:
            raise ValidationFailed(errors)  # rolls back every row
    created = _count(model, by_number.values()) - before
    return ImportResult(kind, len(rows), created, len(rows) - created)


def _count(related: str, cases) -> int:
    from .models import ConductReview, Disclosure, Petition

    model = {"petitions": Petition, "conduct_reviews": ConductReview, "disclosures": Disclosure}[related]
    return model.objects.filter(case__in=list(cases)).count()


def template_csv(kind: str) -> bytes:
    """An empty file with the kind's headers and one example row (UTF-8 with BOM: Excel opens it)."""
    _label, columns = KINDS[kind]
    example = {
        "case_number": "（2026）京0108执123号", "received_on": "2026-03-02", "summary": "反映案件长期未执行",
        "channel": PetitionChannel.VISIT.label, "reference": "", "closed_on": "", "outcome": "",
        "kind": {"reviews": ReviewKind.OBJECTION.label, "disclosures": DisclosureKind.DOCUMENT_ONLINE.label}.get(kind, ""),
        "decided_on": "2026-03-10", "document_number": "", "note": "", "disclosed_on": dt.date(2026, 3, 5).isoformat(),
    }
    if kind == "reviews":
        example["outcome"] = ReviewOutcome.UPHELD.label
    lines = [",".join(c.header for c in columns), ",".join(example.get(c.key, "") for c in columns)]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")
