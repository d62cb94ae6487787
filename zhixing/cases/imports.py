"""批量导入: register many cases from a CSV or XLSX file — all or nothing, and only once per file.

One row per party; rows that share 案件编号 make one case. Each case is assembled into the raw dict that
`inputs.parse_case` validates for the form and the API, so an import accepts exactly what a clerk could
register by hand. Every problem in the file is reported (row, column, reason) before anything is
written; the writing is one transaction of `services.case_register` calls, and the file's SHA-256 per
court makes a repeated upload a no-op. The file format is documented in docs/import.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.courts.models import Court
from zhixing.supervision import engine

from . import casenumbers, services
from .choices import PartyKind, RegistrationSource
from .exceptions import DomainError, FieldError, NotAllowed, ValidationFailed
from .import_file import (
    CLAIM_COLUMNS,
    COLUMN_ORDER,
    COLUMNS_BY_KEY,
    Row,
    amount_value,
    canonical,
    cell_text,
    date_value,
    read_rows,
    shorten,
)
from .inputs import CaseInput, parse_case, parse_yuan
from .models import EnforcementCase, ImportBatch
from .rules import REGISTRARS


@dataclass
class ImportResult:
    created: int
    already_imported: bool
    message: str
    case_numbers: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- assembling cases


@dataclass
class CaseRows:
    """The rows of one case (one per party) and where each case-level value came from."""

    key: str
    rows: list[Row] = field(default_factory=list)
    values: dict[str, tuple[object, int]] = field(default_factory=dict)  # column key → (cell, row number)
    claim_columns: list[str] = field(default_factory=list)  # claims[i] came from this column

    @property
    def head_row(self) -> int:
        """Where the clerk wrote the case: the first row with a case-level value (else its first row)."""
        return min((row for _value, row in self.values.values()), default=self.rows[0].number)

    def row_of(self, key: str) -> int:
        return self.values[key][1] if key in self.values else self.head_row


def group_rows(rows: list[Row]) -> tuple[list[CaseRows], list[FieldError]]:
    """Cases in file order. A case-level value may be repeated on each row or given once; a later
    row that says something else is an error on that row."""
    cases: dict[str, CaseRows] = {}
    errors = []
    for row in rows:
        key = cell_text(row.values.get("case_key"))
        if not key:
            errors.append(FieldError("案件编号", "必填：同一案件的各行填写相同的编号", row.number))
            continue
        case = cases.setdefault(key, CaseRows(key))
        case.rows.append(row)
        for column_key, value in row.values.items():
            column = COLUMNS_BY_KEY[column_key]
            if not column.case_level:
                continue
            if column_key not in case.values:
                case.values[column_key] = (value, row.number)
                continue
            first, first_row = case.values[column_key]
            if canonical(column, first) != canonical(column, value):
                errors.append(
                    FieldError(
                        column.header,
                        f"与本案（案件编号 {key}）第{first_row}行的“{shorten(cell_text(first))}”不一致：“{shorten(cell_text(value))}”",
                        row.number,
                    )
                )
    return list(cases.values()), errors


def _is_zero(value) -> bool:
    try:
        return parse_yuan(amount_value(value)) == 0
    except ValueError:
        return False


def assemble(case: CaseRows) -> tuple[dict, list[FieldError]]:
    """The raw registration dict parse_case takes, and the cell problems found on the way."""
    errors = []
    case.claim_columns = []

    def value(key: str):
        return case.values[key][0] if key in case.values else None

    raw = {
        "court_code": cell_text(value("court_code")),
        "case_type": cell_text(value("case_type")),
        "case_number": cell_text(value("case_number")),
        "filed_on": date_value(value("filed_on")),
        "basis": {
            "document_number": cell_text(value("document_number")),
            "issuing_court": cell_text(value("issuing_court")),
            "effective_on": date_value(value("effective_on")),
            "main_text": cell_text(value("main_text")),
        },
        "parties": [],
        "claims": [],
    }
    for row in case.rows:
        party = {
            key: cell_text(row.values.get(key))
            for key in ("role", "kind", "name", "legal_representative", "phone", "address")
        }
        number = row.values.get("id_number")
        if isinstance(number, float):
            # Excel keeps 15 significant digits: an 18-digit number typed into a number cell is already wrong.
            errors.append(
                FieldError(
                    "证件号码",
                    "证件号码被保存为数字，Excel 已丢失末几位：请将该列设为“文本”格式后重新填写",
                    row.number,
                )
            )
            number = None
        natural = party["kind"] in (PartyKind.NATURAL_PERSON.value, PartyKind.NATURAL_PERSON.label)
        party["id_number" if natural else "credit_code"] = cell_text(number)
        raw["parties"].append(party)
    for key in CLAIM_COLUMNS:
        amount = value(key)
        # Principal is always passed on, so that a missing one is reported ("缺少金额").
        if key == "principal" or not (amount is None or _is_zero(amount)):
            raw["claims"].append(
                {"kind": key, "amount_yuan": None if amount is None else amount_value(amount)}
            )
            case.claim_columns.append(key)
    return raw, errors


# ---------------------------------------------------------------- mapping errors back to the file

_PATHS = {
    "court_code": "court_code",
    "case_type": "case_type",
    "case_number": "case_number",
    "filed_on": "filed_on",
    "basis.document_number": "document_number",
    "basis.issuing_court": "issuing_court",
    "basis.effective_on": "effective_on",
    "basis.main_text": "main_text",
    "parties": "role",  # "at least one respondent": the case's role column
    "claims": "principal",
}
_PARTY_PATH = re.compile(r"^parties\[(\d+)\](?:\.(\w+))?")
_CLAIM_PATH = re.compile(r"^claims\[(\d+)\]")


def locate(case: CaseRows, path: str) -> tuple[int, str]:
    """parties[1].id_number → (the row of that party, 证件号码); basis.effective_on → (its row, 生效日期)."""
    if match := _PARTY_PATH.match(path):
        index, attribute = int(match[1]), match[2] or "id_number"
        key = "id_number" if attribute == "credit_code" else attribute
        row = case.rows[index].number if index < len(case.rows) else case.head_row
        return row, COLUMNS_BY_KEY[key].header if key in COLUMNS_BY_KEY else path
    if match := _CLAIM_PATH.match(path):
        key = case.claim_columns[int(match[1])]
        return case.row_of(key), COLUMNS_BY_KEY[key].header
    key = _PATHS.get(path)
    if key is None:
        return case.head_row, path
    return case.row_of(key), COLUMNS_BY_KEY[key].header


def _clerk_message(message: str) -> str:
    # parse_case says "'' 不是有效值（可选：…）" for an empty choice; in a file that is a blank cell.
    return "必填" + message[len("'' 不是有效值") :] if message.startswith("'' 不是有效值") else message


def map_errors(case: CaseRows, errors: Iterable[FieldError], taken: set[tuple[int, str]]) -> list[FieldError]:
    """Field errors of parse_case or a service as file errors; none for a cell that already has one."""
    mapped = []
    for error in errors:
        row, header = locate(case, error.field)
        if (row, header) not in taken:
            mapped.append(FieldError(header, _clerk_message(error.message), row))
    return mapped


def _row_warnings(case: CaseRows, warnings: list[str]) -> list[str]:
    notes = []
    for warning in warnings:
        match = re.match(r"^parties\[(\d+)\][^：]*：(.*)$", warning)
        if match and int(match[1]) < len(case.rows):
            notes.append(f"第{case.rows[int(match[1])].number}行 证件号码：{match[2]}")
        else:
            notes.append(warning)
    return notes


# ---------------------------------------------------------------- validation


@dataclass
class Prepared:
    case: CaseRows
    data: CaseInput
    court: Court
    number: casenumbers.CaseNumber | None  # the old system's number, kept


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _numbers_in_use(numbers: list[str]) -> set[str]:
    used = set()
    for chunk in _chunks(numbers):
        used.update(
            EnforcementCase.objects.filter(case_number__in=chunk).values_list("case_number", flat=True)
        )
    return used


def _courts_by_code(cases: list[CaseRows]) -> dict[str, Court]:
    codes = {cell_text(c.values["court_code"][0]) for c in cases if "court_code" in c.values}
    return {court.court_code: court for court in Court.objects.filter(court_code__in=codes)}


def _check_court(actor: User, case: CaseRows, code: str, court: Court | None) -> list[FieldError]:
    if not code:
        return []  # parse_case reports it: 必填
    if court is None:
        problem = f"法院代字 {code} 不存在"
    elif not actor.is_superuser and court.pk != actor.court_id:
        problem = (
            f"只能导入本院案件（本案为 {code}，您属于 {actor.court.court_code if actor.court_id else '无'}）"
        )
    else:
        return []
    return [FieldError("法院代字", problem, row.number) for row in case.rows]


def validate(
    actor: User, cases: list[CaseRows], today: dt.date
) -> tuple[list[Prepared], list[FieldError], list[str]]:
    """Every case checked as the form would check it, plus what only a file can get wrong."""
    courts = _courts_by_code(cases)
    prepared: list[Prepared] = []
    errors: list[FieldError] = []
    warnings: list[str] = []
    numbers: dict[str, int] = {}  # given case number → the row that gave it
    for case in cases:
        raw, case_errors = assemble(case)
        taken = {(e.row, e.field) for e in case_errors}
        data = None
        try:
            data = parse_case(raw, today=today)
            warnings.extend(_row_warnings(case, data.warnings))
        except ValidationFailed as exc:
            case_errors += map_errors(case, exc.errors, taken)
        court = courts.get(raw["court_code"])
        court_errors = _check_court(actor, case, raw["court_code"], court)
        case_errors += court_errors
        number = None
        if data is not None and court is not None and not court_errors:
            try:
                number = services._check_case_number(data, court)
            except ValidationFailed as exc:
                case_errors += map_errors(case, exc.errors, taken)
        if number is not None:
            text = str(number)
            if text in numbers:
                case_errors.append(
                    FieldError("案号", f"案号 {text} 与第{numbers[text]}行重复", case.row_of("case_number"))
                )
            else:
                numbers[text] = case.row_of("case_number")
        errors += case_errors
        if data is not None and not case_errors:
            prepared.append(Prepared(case, data, court, number))
    for text in sorted(_numbers_in_use(list(numbers))):
        errors.append(FieldError("案号", f"案号 {text} 已存在，不能重复登记", numbers[text]))
    return prepared, errors, warnings


def _sorted(errors: list[FieldError]) -> list[FieldError]:
    return sorted(errors, key=lambda e: (e.row or 0, COLUMN_ORDER.get(e.field, len(COLUMN_ORDER)), e.message))


def _failure(errors: list[FieldError]) -> ValidationFailed:
    errors = _sorted(errors)
    rows = {e.row for e in errors if e.row}
    head = "；".join(str(e) for e in errors[:3]) + ("……" if len(errors) > 3 else "")
    where = f"{len(rows)}行" if rows else "文件"
    return ValidationFailed(errors, message=f"导入失败，{where}共{len(errors)}处错误，未导入任何案件：{head}")


# ---------------------------------------------------------------- writing


def _lock_counters(prepared: list[Prepared]) -> None:
    """Take every case-number counter the file needs, in one order, before numbering anything.

    An old number is reserved first so that a case numbered by the system earlier in the file cannot take
    it; locking in a fixed order keeps two imports into one court from deadlocking on each other."""
    highest: dict[tuple[int, int, str], int] = {}
    for p in prepared:
        key = (
            (p.court.pk, p.number.year, p.number.case_type)
            if p.number
            else (p.court.pk, p.data.filed_on.year, p.data.case_type)
        )
        highest[key] = max(highest.get(key, 0), p.number.sequence if p.number else 0)
    for (court_id, year, case_type), sequence in sorted(highest.items()):
        casenumbers.reserve_sequence(court_id=court_id, year=year, case_type=case_type, sequence=sequence)


def _write_failure(p: Prepared, exc: DomainError) -> ValidationFailed:
    if isinstance(exc, ValidationFailed):
        errors = map_errors(p.case, exc.errors, set())
    else:
        header = "案号" if exc.code == "conflict" else "案件编号"
        errors = [FieldError(header, exc.message, p.case.head_row)]
    return _failure(errors)


def write(*, actor: User, court: Court, file_name: str, digest: str, prepared: list[Prepared]) -> list[str]:
    """One transaction: the batch and every case, or nothing."""
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            court=court,
            file_name=file_name[:255],
            file_sha256=digest,
            case_count=len(prepared),
            imported_by=actor,
        )
        _lock_counters(prepared)
        numbers, case_ids = [], []
        for p in prepared:
            try:
                case = services.case_register(
                    actor=actor, data=p.data, source=RegistrationSource.IMPORT, import_batch=batch, supervise=False
                )
            except DomainError as exc:
                raise _write_failure(p, exc) from exc
            numbers.append(case.case_number)
            case_ids.append(case.pk)
        engine.supervise_cases(case_ids)  # once for the whole file, in the same transaction
    return numbers


# ---------------------------------------------------------------- the service


def _ensure_may_import(actor: User) -> None:
    if actor.is_superuser:
        return
    if actor.role not in REGISTRARS:
        raise NotAllowed(f"您的角色（{actor.get_role_display() or '无'}）不能批量导入立案")
    if not actor.court_id:
        raise NotAllowed("您没有所属法院，不能导入案件")


def _already_imported(court: Court | None, digest: str) -> ImportResult | None:
    if court is None:
        return None
    batch = ImportBatch.objects.filter(court=court, file_sha256=digest).select_related("imported_by").first()
    if batch is None:
        return None
    at = timezone.localtime(batch.imported_at)
    return ImportResult(
        created=0,
        already_imported=True,
        message=(
            f"该文件已于{at:%Y-%m-%d %H:%M}由{batch.imported_by.display_name}导入（{batch.case_count}件案件），"
            "本次未重复导入。"
        ),
        case_numbers=list(batch.cases.order_by("pk").values_list("case_number", flat=True)),
    )


def _batch_court(actor: User, cases: list[CaseRows]) -> Court | None:
    """The actor's court; for a superuser without one, the court of the file's first case."""
    if actor.court_id:
        return actor.court
    code = next((cell_text(c.values["court_code"][0]) for c in cases if "court_code" in c.values), "")
    return Court.objects.filter(court_code=code).first()


def _success_message(file_name: str, numbers: list[str], warnings: list[str], ignored: list[str]) -> str:
    span = numbers[0] if len(numbers) == 1 else f"{numbers[0]} 至 {numbers[-1]}"
    parts = [f"已导入{len(numbers)}件案件（{file_name}）：{span}。"]
    if ignored:
        parts.append(f"已忽略未识别的列：{'、'.join(ignored)}。")
    if warnings:
        more = f"等{len(warnings)}条" if len(warnings) > 5 else ""
        parts.append(f"提示（不影响导入）：{'；'.join(warnings[:5])}{more}。")
    return "".join(parts)


def cases_import(*, actor: User, file_name: str, content: bytes) -> ImportResult:
    """批量导入立案. All or nothing: any bad row, field or reason → ValidationFailed listing each of them,
    and nothing is written. The same file (SHA-256) imported again into the same court is a no-op."""
    _ensure_may_import(actor)
    digest = hashlib.sha256(content).hexdigest()
    if done := _already_imported(actor.court if actor.court_id else None, digest):
        return done
    rows, ignored = read_rows(file_name, content)
    cases, errors = group_rows(rows)
    court = _batch_court(actor, cases)
    if not actor.court_id and (done := _already_imported(court, digest)):
        return done
    prepared, more, warnings = validate(actor, cases, timezone.localdate())
    errors += more
    if errors:
        raise _failure(errors)
    try:
        numbers = write(actor=actor, court=court, file_name=file_name, digest=digest, prepared=prepared)
    except IntegrityError:
        # The same file uploaded twice at once: the second waits on the (court, file_sha256) unique
        # index until the first commits, and then finds it imported.
        if done := _already_imported(court, digest):
            return done
        raise
    return ImportResult(len(numbers), False, _success_message(file_name, numbers, warnings, ignored), numbers)
