"""/api/v1/money/reconciliation: bank statements (import, list, lines), the reconciliation report,
the balance and aging reports, and their XLSX — the same selectors and services as the pages.
Amounts are integer fen; dates are Beijing dates."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from zhixing.cases.exceptions import FieldError, ValidationFailed

from . import exports, reconciliation, reports, statements
from .forms_reconciliation import MAX_STATEMENT_BYTES

router = Router(tags=["案款对账与报表"])
MAX_PAGE_SIZE = 500


class StatementOut(Schema):
    id: int
    court_id: int
    file_name: str
    sha256: str
    imported_by: str
    imported_at: dt.datetime
    first_on: dt.date | None
    last_on: dt.date | None
    line_count: int
    new_line_count: int
    credit_fen: int
    debit_fen: int
    opening_balance_fen: int | None
    closing_balance_fen: int | None
    warnings: list[str]


class StatementDetailOut(StatementOut):
    counts: dict[str, int]


class ImportOut(Schema):
    already_imported: bool
    message: str
    statement: StatementOut
    lines: int
    skipped: int
    counts: dict[str, int]
    rematched: int
    warnings: list[str]


class StatementListOut(Schema):
    count: int
    items: list[StatementOut]


class LineOut(Schema):
    id: int
    line_no: int
    value_on: dt.date
    amount_fen: int
    balance_fen: int | None
    bank_reference: str
    counterparty_name: str
    counterparty_account: str
    sub_account_number: str
    summary: str
    status: str
    status_label: str
    note: str
    receipt_id: int | None
    order_id: int | None
    journal_id: int | None
    case_number: str


class LineListOut(Schema):
    count: int
    items: list[LineOut]


class MovementOut(Schema):
    journal_id: int
    kind: str
    kind_label: str
    value_on: dt.date
    amount_fen: int
    memo: str
    case_number: str
    reference: str
    covered: bool


class BalanceCheckOut(Schema):
    day: dt.date
    statement_fen: int
    ledger_fen: int
    difference_fen: int


class ReconciliationOut(Schema):
    court_id: int
    start: dt.date
    end: dt.date
    balanced: bool
    statement_in_fen: int
    statement_out_fen: int
    ledger_in_fen: int
    ledger_out_fen: int
    ledger_closing_fen: int
    line_counts: dict[str, int]
    coverage: list[tuple[dt.date, dt.date]]
    unmatched_lines: list[LineOut]
    movements: list[MovementOut]
    balances: list[BalanceCheckOut]


class RematchOut(Schema):
    matched: int


class ReportQuery(Schema):
    court_id: int | None = None
    team_id: int | None = None
    level: str = "court"
    as_of: dt.date | None = None
    page: int = 1
    page_size: int = 100


class BalanceQuery(ReportQuery):
    period: str = "day"


class BalanceRowOut(Schema):
    key: int | None
    label: str
    court: str
    team: str
    opening_fen: int
    received_fen: int
    paid_out_fen: int
    fees_fen: int
    transfer_in_fen: int
    transfer_out_fen: int
    corrections_fen: int
    closing_fen: int


class LedgerRowOut(Schema):
    court: str
    kind: str
    label: str
    opening_fen: int
    closing_fen: int


class BalanceReportOut(Schema):
    title: str
    level: str
    period: str
    as_of: dt.date
    start: dt.date
    end: dt.date
    count: int
    rows: list[BalanceRowOut]
    total: BalanceRowOut
    ledger: list[LedgerRowOut]


class AgingRowOut(Schema):
    key: int | None
    label: str
    court: str
    team: str
    buckets_fen: list[int]
    total_fen: int
    overdue_fen: int
    oldest_on: dt.date | None


class UnidentifiedOut(Schema):
    receipt_id: int
    court: str
    received_on: dt.date
    amount_fen: int
    payer_name: str
    payer_account: str
    sub_account_number: str
    bank_reference: str
    assign_due: dt.date | None
    days_waiting: int
    bucket: str
    overdue: bool


class AgingReportOut(Schema):
    title: str
    level: str
    as_of: dt.date
    buckets: list[str]
    count: int
    rows: list[AgingRowOut]
    total: AgingRowOut
    overdue_through: dict[int, dt.date | None]
    unidentified: list[UnidentifiedOut]
    unidentified_total_fen: int
    unidentified_overdue_fen: int


# ---------------------------------------------------------------- serialising


def statement_out(s) -> dict:
    return {"id": s.pk, "court_id": s.court_id, "file_name": s.file_name, "sha256": s.sha256,
            "imported_by": s.imported_by.display_name, "imported_at": s.imported_at, "first_on": s.first_on,
            "last_on": s.last_on, "line_count": s.line_count, "new_line_count": s.new_line_count,
            "credit_fen": s.credit_fen, "debit_fen": s.debit_fen, "opening_balance_fen": s.opening_balance_fen,
            "closing_balance_fen": s.closing_balance_fen, "warnings": (s.report or {}).get("warnings", [])}


def line_out(line) -> dict:
    case = (line.receipt.case if line.receipt_id and line.receipt.case_id else None) or (line.order.case if line.order_id else None)
    return {"id": line.pk, "line_no": line.line_no, "value_on": line.value_on, "amount_fen": line.amount_fen,
            "balance_fen": line.balance_fen, "bank_reference": line.bank_reference,
            "counterparty_name": line.counterparty_name, "counterparty_account": line.counterparty_account,
            "sub_account_number": line.sub_account_number, "summary": line.summary, "status": line.status,
            "status_label": line.get_status_display(), "note": line.note, "receipt_id": line.receipt_id,
            "order_id": line.order_id, "journal_id": line.journal_id, "case_number": case.case_number if case else ""}


def _page(rows, page: int, page_size: int):
    """One page of a list or a queryset."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    start = (max(page, 1) - 1) * page_size
    return rows[start:start + page_size]


# ---------------------------------------------------------------- statements


@router.post("/statements", response=ImportOut, summary="导入银行对账单（CSV 或 XLSX；全部成功或全部不导入）")
def import_statement(request, file: File[UploadedFile]):
    court = reconciliation.statement_court(request.user, write=True)
    if (file.size or 0) > MAX_STATEMENT_BYTES:
        raise ValidationFailed([FieldError("file", f"文件超过 {MAX_STATEMENT_BYTES // 1024 // 1024} MB，请按月分成几个文件导入")])
    result = statements.statement_import(actor=request.user, court_id=court.pk, file_name=file.name or "statement.csv",
                                         content=file.read())
    return {"already_imported": result.already_imported, "message": result.message,
            "statement": statement_out(result.statement), "lines": result.lines, "skipped": result.skipped,
            "counts": result.counts, "rematched": result.rematched, "warnings": result.warnings}


@router.get("/statements", response=StatementListOut, summary="导入记录")
def list_statements(request, court_id: int | None = None, page: int = 1, page_size: int = 50):
    court = reconciliation.statement_court(request.user, court_id)
    rows = reconciliation.statements_for(court)
    return {"count": rows.count(), "items": [statement_out(s) for s in _page(rows, page, page_size)]}


@router.get("/statements/{int:statement_id}", response=StatementDetailOut, summary="对账单及各对账状态的笔数")
def get_statement(request, statement_id: int):
    statement = reconciliation.statement_get_for_user(user=request.user, pk=statement_id)
    return {**statement_out(statement), "counts": reconciliation.statement_counts(statement)}


@router.get("/statements/{int:statement_id}/lines", response=LineListOut,
            summary="对账单明细（status：matched_receipt、booked、suspense、matched_payout、matched_return、unmatched 或 matched）")
def statement_lines(request, statement_id: int, status: str = "", page: int = 1, page_size: int = 100):
    statement = reconciliation.statement_get_for_user(user=request.user, pk=statement_id)
    lines = reconciliation.statement_lines(statement, status)
    return {"count": lines.count(), "items": [line_out(line) for line in _page(lines, page, page_size)]}


@router.get("/statements/{int:statement_id}/xlsx", response={200: None}, summary="对账单明细 XLSX")
def statement_xlsx(request, statement_id: int):
    statement = reconciliation.statement_get_for_user(user=request.user, pk=statement_id)
    content = exports.statement_lines_xlsx(statement, reconciliation.statement_lines(statement))
    return exports.attachment(content, exports.file_name("对账单明细", statement.court.name, statement.last_on or timezone.localdate(),
                                                  f"_{statement.pk}"))


@router.post("/rematch", response=RematchOut, summary="按流水号重新匹配此前未匹配的支出")
def rematch(request, court_id: int | None = None):
    court = reconciliation.statement_court(request.user, court_id, write=True)
    return {"matched": statements.statement_rematch(actor=request.user, court_id=court.pk)}


# ---------------------------------------------------------------- reconciliation


def _reconciliation(request, court_id, start, end):
    court = reconciliation.statement_court(request.user, court_id)
    if start is None or end is None:
        default_start, default_end = reconciliation.default_period(court)
        start, end = start or default_start, end or default_end
    return reconciliation.reconciliation_report(court=court, start=start, end=end)


@router.get("/report", response=ReconciliationOut, summary="对账报告（默认：最近一份对账单的期间）")
def report(request, court_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None):
    recon = _reconciliation(request, court_id, start, end)
    return {"court_id": recon.court.pk, "start": recon.start, "end": recon.end, "balanced": recon.balanced,
            "statement_in_fen": recon.statement_in_fen, "statement_out_fen": recon.statement_out_fen,
            "ledger_in_fen": recon.ledger_in_fen, "ledger_out_fen": recon.ledger_out_fen,
            "ledger_closing_fen": recon.ledger_closing_fen, "line_counts": recon.line_counts, "coverage": recon.coverage,
            "unmatched_lines": [line_out(line) for line in recon.unmatched_lines],
            "movements": [m.__dict__ for m in recon.movements],
            "balances": [{**b.__dict__, "difference_fen": b.difference_fen} for b in recon.balances]}


@router.get("/report/xlsx", response={200: None}, summary="对账报告 XLSX")
def report_xlsx(request, court_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None):
    recon = _reconciliation(request, court_id, start, end)
    return exports.attachment(exports.reconciliation_xlsx(recon), exports.file_name("执行款专户对账", recon.court.name, recon.end))


# ---------------------------------------------------------------- reports


def _balance_report(request, query: BalanceQuery) -> reports.BalanceReport:
    scope = reports.report_scope(request.user, court_id=query.court_id, team_id=query.team_id)
    return reports.balance_report(scope=scope, level=query.level, period=query.period, as_of=query.as_of)


def _aging_report(request, query: ReportQuery) -> reports.AgingReport:
    scope = reports.report_scope(request.user, court_id=query.court_id, team_id=query.team_id)
    return reports.aging_report(scope=scope, level=query.level, as_of=query.as_of)


@router.get("/balances", response=BalanceReportOut,
            summary="案款余额报表（level：court、team、case；period：day、month；as_of 默认今天）")
def balances(request, query: Query[BalanceQuery]):
    report_ = _balance_report(request, query)
    return {"title": report_.title, "level": report_.level, "period": report_.period, "as_of": report_.as_of,
            "start": report_.start, "end": report_.end, "count": len(report_.rows),
            "rows": [r.as_dict() for r in _page(report_.rows, query.page, query.page_size)],
            "total": report_.total.as_dict(),
            "ledger": [{"court": r.court_label, "kind": r.kind, "label": r.label, "opening_fen": r.opening_fen,
                        "closing_fen": r.closing_fen} for r in report_.ledger]}


@router.get("/balances/xlsx", response={200: None}, summary="案款余额报表 XLSX")
def balances_xlsx(request, query: Query[BalanceQuery]):
    report_ = _balance_report(request, query)
    return exports.attachment(exports.balance_report_xlsx(report_),
                       exports.file_name(f"案款余额{reports.PERIODS[report_.period]}", "", report_.as_of,
                                         f"_按{reports.LEVELS[report_.level]}"))


@router.get("/aging", response=AgingReportOut, summary="案款账龄报表（先进先出；含已超发放期限金额与不明款）")
def aging(request, query: Query[ReportQuery]):
    report_ = _aging_report(request, query)
    return {"title": report_.title, "level": report_.level, "as_of": report_.as_of, "buckets": list(reports.BUCKET_LABELS),
            "count": len(report_.rows), "rows": [r.as_dict() for r in _page(report_.rows, query.page, query.page_size)],
            "total": report_.total.as_dict(), "overdue_through": report_.overdue_through,
            "unidentified": [{**{k: v for k, v in u.__dict__.items() if k not in ("court_label", "bucket")},
                              "court": u.court_label, "bucket": u.bucket_label} for u in report_.unidentified],
            "unidentified_total_fen": report_.unidentified_total_fen,
            "unidentified_overdue_fen": report_.unidentified_overdue_fen}


@router.get("/aging/xlsx", response={200: None}, summary="案款账龄报表 XLSX")
def aging_xlsx(request, query: Query[ReportQuery]):
    report_ = _aging_report(request, query)
    return exports.attachment(exports.aging_report_xlsx(report_),
                       exports.file_name("案款账龄", "", report_.as_of, f"_按{reports.LEVELS[report_.level]}"))
