"""Importing the bank statement of the court's enforcement account (对账单; format in
docs/money-reconciliation.md).

Every row is checked first and every problem reported with its row and column; one bad row and
nothing is imported. Then, in one transaction: a credit line whose bank reference is already a
receipt is matched to it; any other credit line becomes a receipt through `services.receipt_record`
— to its case by the sub-account number the payer used (一案一账号), else to suspense as 不明款; a
debit line is matched to the paid payout order (or the return of unidentified money) bearing its
reference, else left unmatched for the finance desk. The same file twice is the first import; a line
whose reference was imported before (an overlapping statement) is skipped, never booked twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.exceptions import Conflict, FieldError, NotAllowed, ValidationFailed
from zhixing.cases.import_file import _records, cell_text, date_value, file_error, is_blank
from zhixing.cases.inputs import parse_date
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import ensure_can_act, ensure_role

from . import ledger, services
from .choices import AccountKind, OrderStatus, ReceiptChannel
from .models import (
    Account,
    FeeRemittance,
    LineStatus,
    PayoutOrder,
    Receipt,
    StatementImport,
    StatementLine,
)
from .rules import RECORDERS

MAX_LINES = 50_000  # a month of a busy court's account is a few thousand lines
MAX_REPORTED = 500  # errors listed; the total is always given
HEADER_SEARCH_ROWS = 20  # bank exports put the account name and period above the header
MAX_FEN = 10**15


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("value_on", "交易日期", ("记账日期", "入账日期", "交易时间", "日期", "交易日", "记账日")),
    Column("bank_reference", "交易流水号", ("流水号", "银行流水号", "交易流水", "交易序号", "业务流水号", "交易参考号",
                                           "流水号码", "交易编号")),
    Column("credit", "收入金额", ("收入", "贷方金额", "贷方发生额", "存入金额", "贷方", "收款金额")),
    Column("debit", "支出金额", ("支出", "借方金额", "借方发生额", "支取金额", "借方", "付款金额")),
    Column("amount", "交易金额", ("金额", "发生额")),
    Column("direction", "借贷标志", ("借贷方向", "收支方向", "收支标志", "借贷")),
    Column("counterparty_name", "对方户名", ("对方账户名称", "对方名称", "对方单位", "对方账户名", "对方户名称",
                                            "付款人名称", "付款人")),
    Column("counterparty_account", "对方账号", ("对方账户", "对方帐号", "付款人账号", "对方卡号")),
    Column("sub_account_number", "子账号", ("虚拟账号", "子账户", "子账户账号", "收款子账号", "虚拟子账号",
                                          "子账号（虚拟账号）", "虚拟账户")),
    Column("summary", "摘要", ("用途", "附言", "备注", "交易摘要", "摘要/用途")),
    Column("balance", "余额", ("账户余额", "交易后余额", "当前余额", "余额（元）")),
)
HEADER_NAMES = {c.key: c.header for c in COLUMNS}


def _normalise_header(text: str) -> str:
    text = re.sub(r"\s+", "", text).strip("*").replace("(", "（").replace(")", "）").lower()
    return text.removesuffix("（元）").removesuffix("（人民币）")


_HEADERS = {_normalise_header(name): c.key for c in COLUMNS for name in (c.key, c.header, *c.aliases)}
_RANK = {_normalise_header(name): rank for c in COLUMNS for rank, name in enumerate((c.header, c.key, *c.aliases))}

# 借贷标志: what the bank writes for money in and money out of the court's account.
DIRECTION_IN = frozenset({"贷", "收", "收入", "贷方", "c", "cr", "credit", "+", "入", "来账"})
DIRECTION_OUT = frozenset({"借", "支", "支出", "借方", "d", "dr", "debit", "-", "出", "往账"})

# The receipt's channel from the bank's summary (摘要); anything else was paid voluntarily.
CHANNEL_WORDS = (("扣划", ReceiptChannel.DEDUCTION), ("划扣", ReceiptChannel.DEDUCTION),
                 ("拍卖", ReceiptChannel.AUCTION), ("变卖", ReceiptChannel.SALE))

# Bank exports end with totals rows: not transactions.
TOTAL_WORDS = ("合计", "总计", "本页", "累计", "小计")


def channel_for(summary: str) -> str:
    for word, channel in CHANNEL_WORDS:
        if word in summary:
            return channel
    return ReceiptChannel.VOLUNTARY


# ---------------------------------------------------------------- cells


_AMOUNT = re.compile(r"^-?\d{1,13}(\.\d+)?$")


def parse_amount(value, *, signed: bool = False) -> int:
    """Yuan text → fen, exactly (Decimal). '1,234.50', '¥1234.5', '-' (nothing) and '' are accepted;
    more than two decimals, a negative amount (unless `signed`) or anything else is refused."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(f"{value!r} 不是金额")
    if isinstance(value, float):
        value = repr(value)  # an XLSX number: repr keeps the digits the cell showed
    text = str(value).strip()
    for token in ("人民币", "RMB", "CNY", "¥", "￥", "元", ",", "，", " ", "\u00a0"):
        text = text.replace(token, "")
    if text in ("", "-", "—", "--"):
        return 0
    if text.startswith("+"):
        text = text[1:]
    if not _AMOUNT.match(text):
        raise ValueError(f"{cell_text(value)!r} 不是金额（元，最多两位小数）")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern excludes it
        raise ValueError(f"{text!r} 不是金额") from exc
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{text} 超过两位小数（金额以元为单位，精确到分）")
    if amount < 0 and not signed:
        raise ValueError(f"{text} 为负数（收入、支出金额不得为负）")
    fen = int(amount * 100)
    if abs(fen) >= MAX_FEN:
        raise ValueError(f"{text} 超出可记录的金额")
    return fen


_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_value_on(value) -> dt.date:
    """2026-03-01, 2026/3/1, 2026年3月1日, 20260301, '2026-03-01 10:22:33', a date cell or an Excel serial."""
    value = date_value(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    text = re.split(r"[\sT]", text, maxsplit=1)[0] if re.match(r"^\d{4}\D", text) else text.strip()
    match = _COMPACT_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"{text} 不是存在的日期") from exc
    return parse_date(text)


def _clean_number(text: str) -> str:
    return re.sub(r"[\s\-]", "", text)


# ---------------------------------------------------------------- reading


@dataclass
class Line:
    """One parsed row of the statement."""

    number: int  # the file's row number
    value_on: dt.date
    amount_fen: int  # positive: money in (收入); negative: money out (支出)
    bank_reference: str
    counterparty_name: str = ""
    counterparty_account: str = ""
    sub_account_number: str = ""
    summary: str = ""
    balance_fen: int | None = None
    # decided when matched
    status: str = ""
    receipt: Receipt | None = None
    order_id: int | None = None
    journal_id: int | None = None
    note: str = ""
    case: EnforcementCase | None = None


def _find_header(records) -> tuple[int, dict[int, str]]:
    """The header row (within the first rows: bank exports put the account and period above it) and
    its columns: (row number, {column index: key}). The records iterator is left just after it.
    Where two columns name one thing (交易日期 and 交易时间), the one listed first in COLUMNS wins."""
    for number, record in enumerate(records, start=1):
        keys: dict[str, list[tuple[int, int, str]]] = {}
        for index, cell in enumerate(record):
            text = cell_text(cell)
            name = _normalise_header(text) if text else ""
            key = _HEADERS.get(name)
            if key is not None:
                keys.setdefault(key, []).append((_RANK[name], index, text))
        if "value_on" in keys and ("bank_reference" in keys or {"credit", "debit", "amount"} & set(keys)):
            errors = []
            for key, found in keys.items():
                names = [_normalise_header(text) for _, _, text in found]
                if len(set(names)) < len(names):
                    errors.append(FieldError("表头", f"“{HEADER_NAMES[key]}”列重复（{'、'.join(t for _, _, t in found)}）", number))
            missing = []
            if "bank_reference" not in keys:
                missing.append("交易流水号")
            if not {"credit", "debit"} & set(keys) and "amount" not in keys:
                missing.append("收入金额或支出金额（或交易金额）")
            if missing:
                errors.append(FieldError("表头", f"缺少必需的列：{'、'.join(missing)}", number))
            if errors:
                raise ValidationFailed(errors, message="；".join(f"第{e.row}行 {e.message}" for e in errors))
            if {"credit", "debit"} & set(keys):  # separate income and expense columns: a total column is ignored
                keys.pop("amount", None)
                keys.pop("direction", None)
            return number, {min(found)[1]: key for key, found in keys.items()}
        if number >= HEADER_SEARCH_ROWS:
            break
    raise file_error(f"前{HEADER_SEARCH_ROWS}行中没有找到表头（应有：交易日期、交易流水号、收入金额、支出金额……）", row=1)


def read_lines(file_name: str, content: bytes, *, today: dt.date, errors: list[FieldError]) -> list[Line]:
    """Every transaction row of the file, checked one by one; problems go to `errors` (row, column,
    reason) and the row is left out. A file that cannot be read at all raises ValidationFailed."""
    records = _records(file_name, content)
    header_row, columns = _find_header(records)
    lines: list[Line] = []
    first_row_of: dict[str, int] = {}
    for number, record in enumerate(records, start=header_row + 1):
        values = {}
        for index, key in columns.items():
            if index < len(record) and not is_blank(record[index]):
                value = record[index]
                values[key] = value.strip() if isinstance(value, str) else value
        if not values:
            continue
        date_text = cell_text(values.get("value_on"))
        if any(date_text.startswith(word) for word in TOTAL_WORDS) or (
                "value_on" not in values and any(cell_text(v).startswith(TOTAL_WORDS) for v in record if v)):
            continue  # 合计 / 本页合计 rows
        if len(lines) >= MAX_LINES:
            raise file_error(f"文件超过{MAX_LINES}行，请按月分成几个文件导入")
        reference = cell_text(values.get("bank_reference"))
        earlier = first_row_of.setdefault(reference, number) if reference else number
        if earlier != number:
            errors.append(FieldError(HEADER_NAMES["bank_reference"],
                                     f"{reference} 与第{earlier}行重复（流水号在文件中须唯一）", number))
        line = _parse_row(number, values, today, errors)
        if line is not None and earlier == number:
            lines.append(line)
    if not lines and not errors:
        raise file_error("文件只有表头，没有交易行")
    return lines


def _parse_row(number: int, values: dict, today: dt.date, errors: list[FieldError]) -> Line | None:
    before = len(errors)

    def bad(key: str, message: str) -> None:
        errors.append(FieldError(HEADER_NAMES[key], message, number))

    value_on = None
    if "value_on" not in values:
        bad("value_on", "必填")
    else:
        try:
            value_on = parse_value_on(values["value_on"])
            if value_on > today:
                bad("value_on", f"{value_on} 晚于今天（{today}）")
        except ValueError as exc:
            bad("value_on", str(exc))
    reference = cell_text(values.get("bank_reference"))
    if not reference:
        bad("bank_reference", "必填（银行流水号用于对账和防止重复入账）")
    elif len(reference) > 60:
        bad("bank_reference", f"超过60个字符（{reference[:20]}…）")
    amount = _row_amount(values, bad)
    balance = None
    if "balance" in values:
        try:
            balance = parse_amount(values["balance"], signed=True)
        except ValueError as exc:
            bad("balance", str(exc))
    if len(errors) > before or value_on is None or amount is None:
        return None
    return Line(
        number=number, value_on=value_on, amount_fen=amount, bank_reference=reference,
        counterparty_name=cell_text(values.get("counterparty_name"))[:100],
        counterparty_account=_clean_number(cell_text(values.get("counterparty_account")))[:40],
        sub_account_number=_clean_number(cell_text(values.get("sub_account_number")))[:40],
        summary=cell_text(values.get("summary"))[:200], balance_fen=balance,
    )


def _row_amount(values: dict, bad) -> int | None:
    """Signed fen: income positive, expense negative — from 收入/支出, or 交易金额 with 借贷标志 (or its sign)."""
    if "amount" in values or "direction" in values:
        try:
            amount = parse_amount(values.get("amount"), signed=True)
        except ValueError as exc:
            bad("amount", str(exc))
            return None
        if amount == 0:
            bad("amount", "金额为空或为零")
            return None
        direction = cell_text(values.get("direction")).lower()
        if not direction:
            return amount
        if amount < 0:
            bad("amount", "已有借贷标志时金额不得为负")
            return None
        if direction in DIRECTION_IN:
            return amount
        if direction in DIRECTION_OUT:
            return -amount
        bad("direction", f"{direction!r} 不是借贷标志（收入：贷/收；支出：借/支）")
        return None
    amounts = {}
    for key in ("credit", "debit"):
        try:
            amounts[key] = parse_amount(values.get(key))
        except ValueError as exc:
            bad(key, str(exc))
    if len(amounts) < 2:
        return None
    if amounts["credit"] and amounts["debit"]:
        bad("credit", "收入金额与支出金额只能填写其一")
        return None
    if not amounts["credit"] and not amounts["debit"]:
        bad("credit", "收入金额与支出金额均为空或为零（须填写其一）")
        return None
    return amounts["credit"] or -amounts["debit"]


def chronological(lines: list[Line]) -> list[Line]:
    """The lines in the order the money moved. Banks list oldest first or newest first; the file's
    order within a day is kept (or reversed with it), since the running balance follows it."""
    descending = len(lines) > 1 and lines[0].value_on > lines[-1].value_on
    ordered = list(reversed(lines)) if descending else list(lines)
    return sorted(ordered, key=lambda line: line.value_on)  # stable: same-day order kept


def balance_warnings(lines: list[Line]) -> list[str]:
    """Where the running balance does not follow (previous balance + this amount ≠ this balance):
    a filtered export, or a line missing from the file."""
    warnings = []
    previous = None
    for line in lines:
        if line.balance_fen is None:
            previous = None
            continue
        if previous is not None and previous.balance_fen + line.amount_fen != line.balance_fen:
            warnings.append(f"第{line.number}行余额与上一笔（第{previous.number}行）不连续："
                            f"{_yuan(previous.balance_fen)} {'+' if line.amount_fen > 0 else '−'} "
                            f"{_yuan(abs(line.amount_fen))} ≠ {_yuan(line.balance_fen)}")
        previous = line
    return warnings


def _yuan(fen: int) -> str:
    return f"{Decimal(fen).scaleb(-2):,.2f}"


# ---------------------------------------------------------------- matching


def case_for_sub_account(court_id: int, number: str) -> EnforcementCase | None:
    """The court's case a sub-account number names (also before its account is opened: the number
    itself names the case — services.case_by_sub_account)."""
    return services.case_by_sub_account(court_id, number) if number else None


def _sub_account_note(court_id: int, number: str) -> str:
    if not number:
        return "未填子账号"
    if not ledger.luhn_valid(number):
        return f"子账号 {number} 校验位不符（可能抄错）"
    return f"本院没有子账号 {number}"


def match_debit(line: Line, orders: dict[str, PayoutOrder], returns: dict[str, tuple[int, str, int, str]]) -> None:
    """A payment out of the account: the paid order bearing its reference, a return of
    unidentified money or a fee remittance; else unmatched (a bank charge, a payment not yet recorded …)."""
    order = orders.get(line.bank_reference)
    if order is not None:
        if order.amount_fen == -line.amount_fen:
            line.status, line.order_id, line.journal_id = LineStatus.MATCHED_PAYOUT, order.pk, order.journal_id
            line.note = f"付款单{order.pk}（{order.case.case_number}，{order.payee_name or '非现金'}）"
        else:
            line.status = LineStatus.UNMATCHED
            line.note = f"付款单{order.pk}的流水号相同，但金额为 {_yuan(order.amount_fen)} 元"
        return
    found = returns.get(line.bank_reference)
    if found is not None and found[2] == line.amount_fen:
        line.status, line.journal_id = found[3], found[0]
        line.note = f"凭证{found[0]}：{found[1]}"[:300]
        return
    line.status = LineStatus.UNMATCHED
    line.note = "没有流水号相同的已支付付款单、不明款退回或执行费上缴"


def _orders_by_reference(court_id: int, references: list[str]) -> dict[str, PayoutOrder]:
    found = {}
    for chunk in _chunks(references):
        for order in (PayoutOrder.objects.filter(court_id=court_id, bank_reference__in=chunk, status=OrderStatus.PAID)
                      .select_related("case")):
            found[order.bank_reference] = order
    return found


def _returns_by_reference(court_id: int, references: list[str]) -> dict[str, tuple[int, str, int, str]]:
    """{reference: (journal, note, bank amount, line status)} of the other payments out of the account
    bearing the references: returns of unidentified money and fee remittances (执行费上缴)."""
    found = {}
    for chunk in _chunks(references):
        for receipt in Receipt.objects.filter(court_id=court_id, return_reference__in=chunk, return_journal__isnull=False):
            found[receipt.return_reference] = (receipt.return_journal_id, f"退回不明款（{receipt.payer_name or '付款人不详'}）",
                                               -receipt.amount_fen, LineStatus.MATCHED_RETURN)
        for remittance in FeeRemittance.objects.filter(court_id=court_id, bank_reference__in=chunk):
            found[remittance.bank_reference] = (remittance.journal_id, f"执行费上缴（{remittance.remitted_on}）",
                                                -remittance.amount_fen, LineStatus.MATCHED_REMIT)
    return found


def _receipts_by_reference(court_id: int, references: list[str]) -> dict[str, Receipt]:
    found = {}
    for chunk in _chunks(references):
        for receipt in Receipt.objects.filter(court_id=court_id, bank_reference__in=chunk).select_related("case"):
            found[receipt.bank_reference] = receipt
    return found


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---------------------------------------------------------------- the import


@dataclass
class StatementResult:
    statement: StatementImport
    already_imported: bool = False
    lines: int = 0
    skipped: int = 0  # already imported from an earlier statement
    counts: dict[str, int] = field(default_factory=dict)  # LineStatus → new lines
    rematched: int = 0  # earlier unmatched lines matched now
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.already_imported:
            return (f"此文件已于 {timezone.localtime(self.statement.imported_at):%Y-%m-%d %H:%M} 导入"
                    f"（{self.statement.file_name}），未作任何更改")
        parts = [f"{LineStatus(status).label} {n} 笔" for status, n in self.counts.items() if n]
        text = f"导入 {self.lines} 笔交易：" + ("；".join(parts) if parts else "无新交易")
        if self.skipped:
            text += f"；{self.skipped} 笔此前已导入，未重复入账"
        if self.rematched:
            text += f"；此前未匹配的 {self.rematched} 笔现已匹配"
        return text


def statement_import(*, actor: User, court_id: int, file_name: str, content: bytes) -> StatementResult:
    """Import one bank statement of the court's enforcement account: all or nothing, once per file,
    once per bank reference. Only the finance desk imports (the same people who book receipts)."""
    ensure_role(actor, RECORDERS, "导入银行对账单")
    ensure_can_act(actor, court_id)
    digest = hashlib.sha256(content).hexdigest()
    earlier = StatementImport.objects.filter(court_id=court_id, sha256=digest).first()
    if earlier is not None:
        return StatementResult(statement=earlier, already_imported=True, lines=earlier.line_count)
    today = timezone.localdate()
    errors: list[FieldError] = []
    lines = read_lines(file_name, content, today=today, errors=errors)
    new, skipped = _split_known(court_id, lines, errors)
    _check_bookable(court_id, new, today, errors)
    if errors:
        _raise(errors)
    ordered = chronological(lines)
    warnings = balance_warnings(ordered)
    try:
        with transaction.atomic():
            return _book(actor, court_id, file_name, digest, ordered, new, skipped, warnings)
    except IntegrityError as exc:  # the same file or an overlapping one imported at this moment
        raise Conflict("此文件（或与其重叠的对账单）正由他人导入，请稍后查看导入记录", code="statement_busy") from exc


def _raise(errors: list[FieldError]) -> None:
    errors.sort(key=lambda e: (e.row or 0))
    total = len(errors)
    shown = errors[:MAX_REPORTED]
    more = f"（仅列出前{MAX_REPORTED}处）" if total > MAX_REPORTED else ""
    raise ValidationFailed(shown, message=f"文件中有 {total} 处问题{more}，未导入任何内容：" +
                           "；".join(str(e) for e in shown[:3]) + ("……" if total > 3 else ""))


def _split_known(court_id: int, lines: list[Line], errors: list[FieldError]) -> tuple[list[Line], int]:
    """Lines not imported before, and how many were. A known reference with another date or amount is
    an error: the bank does not reuse references, so one of the two statements is wrong."""
    known: dict[str, StatementLine] = {}
    references = [line.bank_reference for line in lines]
    for chunk in _chunks(references):
        for row in StatementLine.objects.filter(court_id=court_id, bank_reference__in=chunk).select_related("statement"):
            known[row.bank_reference] = row
    new, skipped = [], 0
    for line in lines:
        row = known.get(line.bank_reference)
        if row is None:
            new.append(line)
        elif row.amount_fen != line.amount_fen or row.value_on != line.value_on:
            errors.append(FieldError(
                HEADER_NAMES["bank_reference"],
                f"{line.bank_reference} 已于对账单“{row.statement.file_name}”第{row.line_no}行导入"
                f"（{row.value_on}，{_yuan(row.amount_fen)} 元），与本行（{line.value_on}，{_yuan(line.amount_fen)} 元）不符",
                line.number))
        else:
            skipped += 1
    return new, skipped


def _check_bookable(court_id: int, lines: list[Line], today: dt.date, errors: list[FieldError]) -> None:
    """Decide each new line (read-only); a credit line that will become a receipt must be datable."""
    credits = [line for line in lines if line.amount_fen > 0]
    debits = [line for line in lines if line.amount_fen < 0]
    receipts = _receipts_by_reference(court_id, [line.bank_reference for line in credits])
    oldest = today - dt.timedelta(days=services.OLDEST_VALUE_DAYS)
    for line in credits:
        receipt = receipts.get(line.bank_reference)
        if receipt is not None:
            if receipt.amount_fen == line.amount_fen:
                line.status, line.receipt, line.journal_id = LineStatus.MATCHED_RECEIPT, receipt, receipt.journal_id
                line.note = (f"到账登记{receipt.pk}（{receipt.case.case_number if receipt.case else '不明款'}）"
                             + (f"，登记日期 {receipt.received_on}" if receipt.received_on != line.value_on else ""))
            else:
                line.status = LineStatus.UNMATCHED
                line.note = (f"流水号已登记为到账 {_yuan(receipt.amount_fen)} 元（到账登记{receipt.pk}），"
                             f"与银行金额不符，请核对后冲正更正")[:300]
            continue
        if line.value_on < oldest:
            errors.append(FieldError(HEADER_NAMES["value_on"], f"{line.value_on} 早于{services.OLDEST_VALUE_DAYS}日前，"
                                     "不能再登记为到账，请核对日期或手工处理", line.number))
            continue
        line.case = case_for_sub_account(court_id, line.sub_account_number)
        line.status = LineStatus.BOOKED if line.case is not None else LineStatus.SUSPENSE
        if line.case is None:
            line.note = _sub_account_note(court_id, line.sub_account_number) + "，挂不明款待认领"
    references = [line.bank_reference for line in debits]
    orders = _orders_by_reference(court_id, references)
    returns = _returns_by_reference(court_id, [r for r in references if r not in orders])
    for line in debits:
        match_debit(line, orders, returns)


def _book(actor: User, court_id: int, file_name: str, digest: str, ordered: list[Line], new: list[Line],
          skipped: int, warnings: list[str]) -> StatementResult:
    # One import at a time per court: the bank account's row lock (every receipt takes it anyway).
    bank = ledger.ledger_account(court_id, AccountKind.BANK)
    Account.objects.select_for_update().filter(pk=bank.pk).values_list("pk", flat=True).first()
    earlier = StatementImport.objects.filter(court_id=court_id, sha256=digest).first()
    if earlier is not None:  # imported by someone else while we were checking it
        return StatementResult(statement=earlier, already_imported=True, lines=earlier.line_count)
    with_balance = [line for line in ordered if line.balance_fen is not None]
    closing_by_day = {line.value_on.isoformat(): line.balance_fen for line in with_balance}
    statement = StatementImport.objects.create(
        court_id=court_id, file_name=file_name[:255], sha256=digest, imported_by=actor,
        first_on=ordered[0].value_on, last_on=ordered[-1].value_on, line_count=len(ordered), new_line_count=len(new),
        credit_fen=sum(line.amount_fen for line in ordered if line.amount_fen > 0),
        debit_fen=-sum(line.amount_fen for line in ordered if line.amount_fen < 0),
        opening_balance_fen=(with_balance[0].balance_fen - with_balance[0].amount_fen) if with_balance else None,
        closing_balance_fen=with_balance[-1].balance_fen if with_balance else None,
    )
    new_refs = {line.bank_reference for line in new}
    for line in ordered:
        if line.bank_reference in new_refs and line.status in (LineStatus.BOOKED, LineStatus.SUSPENSE):
            line.receipt = services.receipt_record(
                actor=actor, court_id=court_id, amount_fen=line.amount_fen, received_on=line.value_on,
                channel=channel_for(line.summary), case=line.case, sub_account_number=line.sub_account_number,
                payer_name=line.counterparty_name, payer_account=line.counterparty_account,
                bank_reference=line.bank_reference, note=line.summary, unknown_to_suspense=True)
            line.journal_id = line.receipt.journal_id
    StatementLine.objects.bulk_create([
        StatementLine(court_id=court_id, statement=statement, line_no=line.number, value_on=line.value_on,
                      amount_fen=line.amount_fen, counterparty_name=line.counterparty_name,
                      counterparty_account=line.counterparty_account, sub_account_number=line.sub_account_number,
                      bank_reference=line.bank_reference, summary=line.summary, status=line.status,
                      receipt=line.receipt, order_id=line.order_id, journal_id=line.journal_id,
                      balance_fen=line.balance_fen, note=line.note[:300])
        for line in ordered if line.bank_reference in new_refs
    ], batch_size=1000)
    counts = {status: sum(1 for line in new if line.status == status) for status in LineStatus.values}
    rematched = lines_rematch(court_id, exclude_statement=statement.pk)
    statement.report = {"counts": counts, "skipped": skipped, "rematched": rematched, "warnings": warnings[:100],
                        "closing_by_day": closing_by_day}
    statement.save(update_fields=["report"])
    return StatementResult(statement=statement, lines=len(ordered), skipped=skipped, counts=counts,
                           rematched=rematched, warnings=warnings)


def lines_rematch(court_id: int, *, exclude_statement: int | None = None) -> int:
    """Earlier unmatched debit lines whose payment has been recorded since (the order paid with that
    reference, or the return booked): matched now. Credit lines are never left unmatched for want of
    a receipt — only for a conflicting one, which a person must correct."""
    lines = StatementLine.objects.filter(court_id=court_id, status=LineStatus.UNMATCHED, amount_fen__lt=0)
    if exclude_statement is not None:
        lines = lines.exclude(statement_id=exclude_statement)
    rows = list(lines)
    if not rows:
        return 0
    references = [row.bank_reference for row in rows]
    orders = _orders_by_reference(court_id, references)
    returns = _returns_by_reference(court_id, [r for r in references if r not in orders])
    matched = []
    for row in rows:
        line = Line(number=row.line_no, value_on=row.value_on, amount_fen=row.amount_fen, bank_reference=row.bank_reference)
        match_debit(line, orders, returns)
        if line.status != LineStatus.UNMATCHED:
            row.status, row.order_id, row.journal_id, row.note = line.status, line.order_id, line.journal_id, line.note[:300]
            matched.append(row)
    StatementLine.objects.bulk_update(matched, ["status", "order", "journal", "note"], batch_size=500)
    return len(matched)


def statement_rematch(*, actor: User, court_id: int) -> int:
    """重新匹配: the finance desk asks again after recording payments."""
    ensure_role(actor, RECORDERS, "重新匹配对账单")
    ensure_can_act(actor, court_id)
    if not actor.is_superuser and actor.court_id != court_id:
        raise NotAllowed("只能匹配本院的对账单")
    with transaction.atomic():
        return lines_rematch(court_id)
