"""The money reports as XLSX (openpyxl, write-only): Chinese headers, amounts in yuan as exact
decimals (Decimal fen / 100 — the cell holds 1234.56, never a float's 1234.5599…), dates as dates."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.http import HttpResponse

from .models import LineStatus, StatementImport, StatementLine
from .reconciliation import Reconciliation
from .reports import BALANCE_COLUMNS, BUCKET_LABELS, AgingReport, BalanceReport

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

if TYPE_CHECKING:
    from openpyxl import Workbook
# openpyxl is imported where a workbook is written, not when the pages and the API are loaded (~0.2 s).


def yuan(fen: int | None) -> Decimal | None:
    """Integer fen → exact yuan (two decimals)."""
    return None if fen is None else Decimal(int(fen)).scaleb(-2).quantize(Decimal("0.01"))


class _Sheet:
    def __init__(self, book: Workbook, title: str, heading: str, headers: list[str], money: set[int] = frozenset()):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.cell, self.bold = WriteOnlyCell, Font(bold=True)
        self.sheet = book.create_sheet(title=title[:31])
        self.money = money
        for index, text in enumerate(headers):  # widths before the first row (write-only sheets)
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = max(12, min(40, len(text) * 2 + 4))
        title_cell = WriteOnlyCell(self.sheet, value=heading)
        title_cell.font = Font(bold=True, size=13)
        self.sheet.append([title_cell])
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.font = self.bold
            header_cells.append(cell)
        self.sheet.append(header_cells)

    def row(self, values: list, *, bold: bool = False) -> None:
        cells = []
        for index, value in enumerate(values):
            cell = self.cell(self.sheet, value=yuan(value) if index in self.money and isinstance(value, int) else value)
            if index in self.money:
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            if bold:
                cell.font = self.bold
            cells.append(cell)
        self.sheet.append(cells)


def _book() -> Workbook:
    from openpyxl import Workbook

    return Workbook(write_only=True)


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def balance_report_xlsx(report: BalanceReport) -> bytes:
    book = _book()
    lead = {"court": ["法院"], "team": ["法院", "团队"], "case": ["案号", "法院", "承办团队"]}[report.level]
    headers = lead + [label for _, label in BALANCE_COLUMNS]
    sheet = _Sheet(book, "案款余额", report.title, headers, money=set(range(len(lead), len(headers))))
    for row in report.rows:
        names = {"court": [row.label], "team": [row.court_label, row.label],
                 "case": [row.label, row.court_label, row.team_label]}[report.level]
        sheet.row(names + [getattr(row, name) for name, _ in BALANCE_COLUMNS])
    sheet.row(["合计"] + [""] * (len(lead) - 1) + [getattr(report.total, name) for name, _ in BALANCE_COLUMNS], bold=True)
    if report.ledger:
        ledger = _Sheet(book, "本院账户", f"本院账户余额（{report.start:%Y-%m-%d} 期初 / {report.end:%Y-%m-%d} 期末）",
                        ["法院", "账户", "期初余额", "期末余额"], money={2, 3})
        for row in report.ledger:
            ledger.row([row.court_label, row.label, row.opening_fen, row.closing_fen])
    return _bytes(book)


def aging_report_xlsx(report: AgingReport) -> bytes:
    book = _book()
    lead = {"court": ["法院"], "team": ["法院", "团队"], "case": ["案号", "法院", "承办团队", "最早到账日期"]}[report.level]
    headers = lead + list(BUCKET_LABELS) + ["合计", "已超发放期限"]
    sheet = _Sheet(book, "案款账龄", report.title, headers, money=set(range(len(lead), len(headers))))
    for row in report.rows:
        names = {"court": [row.label], "team": [row.court_label, row.label],
                 "case": [row.label, row.court_label, row.team_label, row.oldest_on]}[report.level]
        sheet.row(names + list(row.buckets) + [row.total_fen, row.overdue_fen])
    sheet.row(["合计"] + [""] * (len(lead) - 1) + list(report.total.buckets) + [report.total.total_fen,
                                                                                 report.total.overdue_fen], bold=True)
    if not report.scope.team_only:
        unidentified = _Sheet(book, "不明款", f"不明款待认领（截至 {report.as_of:%Y-%m-%d}）",
                              ["法院", "到账日期", "金额", "付款人", "付款账号", "子账号", "银行流水号", "认领期限",
                               "已等待天数", "账龄", "是否超期"], money={2})
        for u in report.unidentified:
            unidentified.row([u.court_label, u.received_on, u.amount_fen, u.payer_name, u.payer_account,
                              u.sub_account_number, u.bank_reference, u.assign_due, u.days_waiting,
                              BUCKET_LABELS[u.bucket], "超期" if u.overdue else ""])
        unidentified.row(["合计", "", report.unidentified_total_fen], bold=True)
    return _bytes(book)


LINE_HEADERS = ["行号", "交易日期", "交易流水号", "收入金额", "支出金额", "余额", "对方户名", "对方账号", "子账号", "摘要",
                "对账状态", "对账说明"]


def _line_values(line: StatementLine) -> list:
    return [line.line_no, line.value_on, line.bank_reference, line.amount_fen if line.amount_fen > 0 else None,
            -line.amount_fen if line.amount_fen < 0 else None, line.balance_fen, line.counterparty_name,
            line.counterparty_account, line.sub_account_number, line.summary, LineStatus(line.status).label, line.note]


def statement_lines_xlsx(statement: StatementImport, lines) -> bytes:
    book = _book()
    sheet = _Sheet(book, "对账单明细", f"银行对账单 {statement.file_name}（{statement.first_on} 至 {statement.last_on}）",
                   LINE_HEADERS, money={3, 4, 5})
    for line in lines.iterator(chunk_size=2000) if hasattr(lines, "iterator") else lines:
        sheet.row(_line_values(line))
    return _bytes(book)


def reconciliation_xlsx(report: Reconciliation) -> bytes:
    book = _book()
    title = f"{report.court.name} 执行款专户对账（{report.start:%Y-%m-%d} 至 {report.end:%Y-%m-%d}）"
    summary = _Sheet(book, "汇总", title, ["项目", "银行对账单", "账务记录", "差额"], money={1, 2, 3})
    summary.row(["收入", report.statement_in_fen, report.ledger_in_fen, report.in_difference_fen])
    summary.row(["支出", report.statement_out_fen, report.ledger_out_fen, report.out_difference_fen])
    if report.closing is not None:
        summary.row([f"期末余额（{report.closing.day:%Y-%m-%d}）", report.closing.statement_fen, report.closing.ledger_fen,
                     report.closing.difference_fen])
    lines = _Sheet(book, "未匹配的对账单明细", "对账单中账务未记录或不符的交易", ["对账单"] + LINE_HEADERS, money={4, 5, 6})
    for line in report.unmatched_lines:
        lines.row([line.statement.file_name] + _line_values(line))
    movements = _Sheet(book, "对账单未见的账务", "账务已记录但对账单中没有对应交易的银行收支",
                       ["记账日期", "凭证号", "类型", "金额（收入为正）", "案号", "银行流水号", "摘要", "对账单是否覆盖该日"],
                       money={3})
    for m in report.movements:
        movements.row([m.value_on, m.journal_id, m.kind_label, m.amount_fen, m.case_number, m.reference, m.memo,
                       "是" if m.covered else "否（尚未导入）"])
    balances = _Sheet(book, "余额核对", "对账单日终余额与账面银行存款", ["日期", "对账单余额", "账面余额", "差额"], money={1, 2, 3})
    for check in report.balances:
        balances.row([check.day, check.statement_fen, check.ledger_fen, check.difference_fen])
    return _bytes(book)


def file_name(prefix: str, court_name: str, day: dt.date, suffix: str = "") -> str:
    return "_".join(filter(None, (prefix, court_name, f"{day:%Y%m%d}"))) + f"{suffix}.xlsx"


def attachment(content: bytes, name: str) -> HttpResponse:
    """The workbook as a download (the pages and the API alike)."""
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
