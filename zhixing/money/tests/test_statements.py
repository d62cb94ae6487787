"""Importing the bank statement of the enforcement account: reading CSV and XLSX, every bad row
reported with its row and column and nothing booked, booking to cases by sub-account and to suspense,
matching receipts and payments, and never booking a line twice."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook

from zhixing.cases.exceptions import NotAllowed, NotFound, ValidationFailed
from zhixing.money import ledger, services
from zhixing.money.choices import AccountKind, JournalKind, OrderStatus, ReceiptChannel, ReceiptStatus
from zhixing.money.models import Account, Journal, LineStatus, Receipt, StatementImport, StatementLine
from zhixing.money.statements import (
    lines_rematch,
    parse_amount,
    parse_value_on,
    statement_import,
    statement_rematch,
)

TODAY = dt.date(2026, 11, 25)
BEIJING = ZoneInfo("Asia/Shanghai")
HEADER = ["交易日期", "交易流水号", "收入金额", "支出金额", "对方户名", "对方账号", "子账号", "摘要", "余额"]


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=BEIJING), tick=False):
        yield


def csv_bytes(rows: list[list], header: list[str] = HEADER, bom: bool = True) -> bytes:
    def cell(value) -> str:
        text = "" if value is None else str(value)
        return f'"{text}"' if "," in text else text

    text = "\n".join(",".join(cell(v) for v in row) for row in [header, *rows]) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def xlsx_bytes(rows: list[list], header: list[str] = HEADER, above: list[list] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [*above, header, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def do_import(finance, content: bytes, name: str = "statement.csv"):
    return statement_import(actor=finance, court_id=finance.court_id, file_name=name, content=content)


def number_of(case) -> str:
    return ledger.sub_account_number(ledger.settings_for(case.court_id).sub_account_prefix, case.pk)


def bank_balance(court_id) -> int:
    return ledger.ledger_account(court_id, AccountKind.BANK).balance_fen


@pytest.fixture
def case(make_case):
    return make_case(amount_fen=10_000_000)


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize(("text", "fen"), [
    ("1,234.50", 123_450), ("¥1234.5", 123_450), ("0.01", 1), ("100", 10_000), ("", 0), ("-", 0), (None, 0),
    (1234.56, 123_456), (0.1, 10), ("12,345,678.90元", 1_234_567_890),
])
def test_amounts_are_read_exactly_in_fen(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize("text", ["1.234", "12a", "-5.00", "1e3", "1,2.3.4"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(("text", "day"), [
    ("2026-03-01", dt.date(2026, 3, 1)), ("2026/3/1", dt.date(2026, 3, 1)), ("20260301", dt.date(2026, 3, 1)),
    ("2026-03-01 10:22:33", dt.date(2026, 3, 1)), ("2026年3月1日", dt.date(2026, 3, 1)),
    (dt.datetime(2026, 3, 1, 9, 30), dt.date(2026, 3, 1)), (46082, dt.date(2026, 3, 1)),
])
def test_dates_in_the_forms_banks_export(text, day):
    assert parse_value_on(text) == day


# ---------------------------------------------------------------- reading and refusing


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_booked(finance, case):
    content = csv_bytes([
        ["2026-11-20", "R1", "100.00", "", "甲", "6222", number_of(case), "还款", ""],      # row 2: good
        ["2026-02-30", "R2", "100.00", "", "乙", "", "", "", ""],                          # row 3: no such day
        ["2026-11-26", "R3", "100.00", "", "", "", "", "", ""],                            # row 4: tomorrow
        ["2026-11-20", "R4", "100.001", "", "", "", "", "", ""],                           # row 5: three decimals
        ["2026-11-20", "R5", "100.00", "50.00", "", "", "", "", ""],                       # row 6: both
        ["2026-11-20", "R6", "", "", "", "", "", "", ""],                                  # row 7: neither
        ["2026-11-20", "", "100.00", "", "", "", "", "", ""],                              # row 8: no reference
        ["2026-11-20", "R1", "100.00", "", "", "", "", "", ""],                            # row 9: repeated reference
        ["2026-11-20", "R9", "-100.00", "", "", "", "", "", ""],                           # row 10: negative
        ["2026-11-20", "R4", "1.00", "", "", "", "", "", ""],                              # row 11: as row 5's
    ])
    with pytest.raises(ValidationFailed) as caught:
        do_import(finance, content)
    by_row = {(e.row, e.field): e.message for e in caught.value.errors}
    assert "不是存在的日期" in by_row[(3, "交易日期")]
    assert "晚于今天" in by_row[(4, "交易日期")]
    assert "两位小数" in by_row[(5, "收入金额")]
    assert "只能填写其一" in by_row[(6, "收入金额")]
    assert "均为空或为零" in by_row[(7, "收入金额")]
    assert "必填" in by_row[(8, "交易流水号")]
    assert "与第2行重复" in by_row[(9, "交易流水号")]
    assert "为负数" in by_row[(10, "收入金额")]
    assert "与第5行重复" in by_row[(11, "交易流水号")]  # a bad row's reference still counts
    assert "9 处问题" in caught.value.message and "未导入任何内容" in caught.value.message
    assert not StatementImport.objects.exists() and not Receipt.objects.exists() and not Journal.objects.exists()


def test_a_file_without_the_needed_columns_says_which(finance):
    with pytest.raises(ValidationFailed, match="缺少必需的列：交易流水号"):
        do_import(finance, csv_bytes([["2026-11-20", "100.00"]], header=["交易日期", "收入金额"]))
    with pytest.raises(ValidationFailed, match="没有找到表头"):
        do_import(finance, csv_bytes([["a", "b"]], header=["x", "y"]))


def test_an_old_xls_file_is_refused_with_advice(finance):
    with pytest.raises(ValidationFailed, match="另存为"):
        do_import(finance, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "statement.xls")


def test_only_the_finance_desk_imports(judge, bureau_head, supervisor, case):
    content = csv_bytes([["2026-11-20", "R1", "100.00", "", "", "", "", "", ""]])
    for user in (judge, bureau_head):
        with pytest.raises(NotAllowed, match="案款管理"):
            statement_import(actor=user, court_id=user.court_id, file_name="s.csv", content=content)
    with pytest.raises(NotAllowed):
        statement_import(actor=supervisor, court_id=case.court_id, file_name="s.csv", content=content)


def test_another_courts_finance_desk_cannot_import_for_this_court(courts, case):
    from zhixing.accounts.choices import Role
    from zhixing.testing.fixtures import make_user

    other = make_user("other_finance", courts["other"], Role.FINANCE)
    with pytest.raises(NotFound):  # as for another court's case: its existence is not revealed
        statement_import(actor=other, court_id=case.court_id, file_name="s.csv",
                         content=csv_bytes([["2026-11-20", "R1", "100.00", "", "", "", "", "", ""]]))
    assert not StatementImport.objects.exists()


# ---------------------------------------------------------------- booking


def test_credit_lines_book_to_the_case_by_sub_account_and_unknown_ones_to_suspense(finance, case):
    content = csv_bytes([
        ["2026-11-20", "R1", "3,000.00", "", "被执行人甲", "6222 0000 1111", number_of(case), "主动履行", "3000.00"],
        ["2026-11-21", "R2", "500.00", "", "某公司", "6222", "955800000000001", "扣划款", "3500.00"],  # no such account
        ["2026-11-21", "R3", "20.00", "", "某人", "", "", "", "3520.00"],
    ])
    result = do_import(finance, content)
    assert result.counts[LineStatus.BOOKED] == 1 and result.counts[LineStatus.SUSPENSE] == 2
    booked = Receipt.objects.get(bank_reference="R1")
    assert booked.case_id == case.pk and booked.status == ReceiptStatus.BOOKED
    assert booked.amount_fen == 300_000 and booked.received_on == dt.date(2026, 11, 20)
    assert booked.payer_account == "622200001111" and booked.channel == ReceiptChannel.VOLUNTARY
    unknown = Receipt.objects.get(bank_reference="R2")
    assert unknown.status == ReceiptStatus.UNIDENTIFIED and unknown.channel == ReceiptChannel.DEDUCTION
    line = StatementLine.objects.get(bank_reference="R2")
    assert line.status == LineStatus.SUSPENSE and "校验位不符" in line.note and line.journal_id == unknown.journal_id
    assert Account.objects.get(case=case).balance_fen == 300_000
    assert ledger.ledger_account(case.court_id, AccountKind.SUSPENSE).balance_fen == 52_000
    assert bank_balance(case.court_id) == 352_000
    statement = result.statement
    assert (statement.first_on, statement.last_on) == (dt.date(2026, 11, 20), dt.date(2026, 11, 21))
    assert (statement.credit_fen, statement.debit_fen) == (352_000, 0)
    assert (statement.opening_balance_fen, statement.closing_balance_fen) == (0, 352_000)
    assert result.warnings == []
    assert ledger.verify() == []


def test_a_sub_account_number_names_its_case_even_before_the_account_is_opened(finance, case):
    assert not Account.objects.filter(case=case).exists()
    do_import(finance, csv_bytes([["2026-11-20", "R1", "10.00", "", "", "", number_of(case), "", ""]]))
    assert Receipt.objects.get(bank_reference="R1").case_id == case.pk


def test_a_receipt_already_registered_by_hand_is_matched_not_booked_again(finance, case):
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=100_00,
                                      received_on=dt.date(2026, 11, 20), bank_reference="R1")
    result = do_import(finance, csv_bytes([["2026-11-20", "R1", "100.00", "", "", "", "", "", ""]]))
    assert result.counts[LineStatus.MATCHED_RECEIPT] == 1
    line = StatementLine.objects.get()
    assert line.receipt_id == receipt.pk and line.journal_id == receipt.journal_id
    assert Receipt.objects.count() == 1 and bank_balance(case.court_id) == 100_00


def test_a_registered_receipt_with_another_amount_is_left_unmatched_for_a_person(finance, case):
    services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=100_00,
                            received_on=dt.date(2026, 11, 20), bank_reference="R1")
    result = do_import(finance, csv_bytes([["2026-11-20", "R1", "1000.00", "", "", "", "", "", ""]]))
    assert result.counts[LineStatus.UNMATCHED] == 1
    line = StatementLine.objects.get()
    assert line.journal_id is None and "金额不符" in line.note
    assert Receipt.objects.count() == 1


@pytest.fixture
def paid_order(finance, assistant, judge, bureau_head, case):
    services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=2_000_00,
                            received_on=dt.date(2026, 11, 2), bank_reference="IN1")
    order = services.order_create(actor=assistant, case=case, amount_fen=1_500_00, reason="发放执行款",
                                  payee_name="申请人", payee_account="6222000011112222")
    services.order_decide(actor=judge, order=order, approve=True)
    services.order_decide(actor=bureau_head, order=order, approve=True)
    return services.order_pay(actor=finance, order=order, paid_on=dt.date(2026, 11, 10), bank_reference="OUT1")


def test_a_debit_line_matches_the_paid_order_of_its_reference_and_others_stay_unmatched(finance, paid_order):
    result = do_import(finance, csv_bytes([
        ["2026-11-10", "OUT1", "", "1,500.00", "申请人", "6222000011112222", "", "发放执行款", ""],
        ["2026-11-10", "FEE9", "", "2.00", "", "", "", "手续费", ""],
    ]))
    assert result.counts[LineStatus.MATCHED_PAYOUT] == 1 and result.counts[LineStatus.UNMATCHED] == 1
    line = StatementLine.objects.get(bank_reference="OUT1")
    assert line.order_id == paid_order.pk and line.journal_id == paid_order.journal_id
    assert StatementLine.objects.get(bank_reference="FEE9").status == LineStatus.UNMATCHED
    assert Journal.objects.filter(kind=JournalKind.PAYOUT).count() == 1  # nothing booked for a debit line


def test_a_payment_recorded_after_the_import_is_matched_by_rematch(finance, assistant, judge, bureau_head, case):
    services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=2_000_00,
                            received_on=dt.date(2026, 11, 2), bank_reference="IN1")
    order = services.order_create(actor=assistant, case=case, amount_fen=1_500_00, reason="发放执行款",
                                  payee_name="申请人", payee_account="6222")
    services.order_decide(actor=judge, order=order, approve=True)
    services.order_decide(actor=bureau_head, order=order, approve=True)
    do_import(finance, csv_bytes([["2026-11-10", "OUT1", "", "1500.00", "", "", "", "", ""]]))
    assert StatementLine.objects.get().status == LineStatus.UNMATCHED
    order = services.order_pay(actor=finance, order=order, paid_on=dt.date(2026, 11, 10), bank_reference="OUT1")
    assert statement_rematch(actor=finance, court_id=case.court_id) == 1
    line = StatementLine.objects.get()
    assert line.status == LineStatus.MATCHED_PAYOUT and line.journal_id == order.journal_id
    assert lines_rematch(case.court_id) == 0


def test_the_return_of_unidentified_money_matches_its_debit_line(finance, case):
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=80_00,
                                      received_on=dt.date(2026, 11, 20), bank_reference="IN7")
    services.receipt_return(actor=finance, receipt=receipt, reason="非本院款项", bank_reference="RET7")
    do_import(finance, csv_bytes([["2026-11-25", "RET7", "", "80.00", "", "", "", "退回", ""]]))
    line = StatementLine.objects.get()
    assert line.status == LineStatus.MATCHED_RETURN and line.journal.kind == JournalKind.RETURN


def test_a_deduction_summary_records_the_receipt_as_deducted(finance, case):
    do_import(finance, csv_bytes([["2026-11-20", "R1", "10.00", "", "", "", number_of(case), "法院扣划", ""]]))
    assert Receipt.objects.get().channel == ReceiptChannel.DEDUCTION


def test_a_line_too_old_to_book_is_reported(finance, case):
    with pytest.raises(ValidationFailed, match="早于400日前"):
        do_import(finance, csv_bytes([["2025-01-02", "R1", "10.00", "", "", "", "", "", ""]]))


# ---------------------------------------------------------------- idempotency


def test_the_same_file_twice_books_nothing_new(finance, case):
    content = csv_bytes([["2026-11-20", "R1", "3000.00", "", "", "", number_of(case), "", ""],
                         ["2026-11-20", "R2", "20.00", "", "", "", "", "", ""]])
    first = do_import(finance, content)
    again = do_import(finance, content, name="renamed.csv")
    assert again.already_imported and again.statement.pk == first.statement.pk
    assert "未作任何更改" in again.message
    assert StatementImport.objects.count() == 1 and StatementLine.objects.count() == 2
    assert Receipt.objects.count() == 2 and bank_balance(case.court_id) == 302_000


def test_overlapping_statements_book_each_bank_line_once(finance, case):
    do_import(finance, csv_bytes([["2026-11-20", "R1", "3000.00", "", "", "", number_of(case), "", ""],
                                  ["2026-11-21", "R2", "20.00", "", "", "", "", "", ""]]), "week1.csv")
    second = do_import(finance, csv_bytes([["2026-11-21", "R2", "20.00", "", "", "", "", "", ""],
                                           ["2026-11-22", "R3", "5.00", "", "", "", number_of(case), "", ""]]), "week2.csv")
    assert second.skipped == 1 and second.statement.new_line_count == 1
    assert "1 笔此前已导入" in second.message
    assert Receipt.objects.count() == 3 and StatementLine.objects.count() == 3
    assert Account.objects.get(case=case).balance_fen == 300_500
    assert ledger.verify() == []


def test_an_overlapping_line_with_another_amount_is_an_error(finance, case):
    do_import(finance, csv_bytes([["2026-11-20", "R1", "3000.00", "", "", "", "", "", ""]]), "a.csv")
    with pytest.raises(ValidationFailed, match="已于对账单“a.csv”第2行导入"):
        do_import(finance, csv_bytes([["2026-11-20", "R1", "300.00", "", "", "", "", "", ""]]), "b.csv")
    assert Receipt.objects.count() == 1


def test_a_failure_while_booking_leaves_no_trace(finance, case, monkeypatch):
    calls = []

    def fail_second(**kwargs):
        calls.append(kwargs["bank_reference"])
        if len(calls) == 2:
            raise RuntimeError("断电")
        return original(**kwargs)

    original = services.receipt_record
    monkeypatch.setattr(services, "receipt_record", fail_second)
    content = csv_bytes([["2026-11-20", "R1", "3000.00", "", "", "", number_of(case), "", ""],
                         ["2026-11-20", "R2", "20.00", "", "", "", "", "", ""]])
    with pytest.raises(RuntimeError):
        do_import(finance, content)
    assert not StatementImport.objects.exists() and not Receipt.objects.exists() and not Journal.objects.exists()
    monkeypatch.setattr(services, "receipt_record", original)
    assert do_import(finance, content).counts[LineStatus.BOOKED] == 1


# ---------------------------------------------------------------- formats


def test_an_xlsx_statement_with_a_preamble_numbers_and_a_totals_row(finance, case):
    content = xlsx_bytes(
        [[dt.datetime(2026, 11, 20, 9, 30), "X1", 1234.56, None, "甲", "6222", number_of(case), "还款", 1234.56],
         ["2026-11-21", "X2", None, "0.56", "", "", "", "手续费", "1234.00"],
         ["合计", None, 1234.56, 0.56, None, None, None, None, None]],
        above=[["账号：1100 0000 0000", "户名：北京市海淀区人民法院"], ["期间：2026-11-20 至 2026-11-21"]],
    )
    result = do_import(finance, content, "对账单.xlsx")
    assert result.lines == 2
    line = StatementLine.objects.get(bank_reference="X1")
    assert line.line_no == 4 and line.amount_fen == 123_456 and line.balance_fen == 123_456
    assert StatementLine.objects.get(bank_reference="X2").amount_fen == -56
    assert Account.objects.get(case=case).balance_fen == 123_456


def test_a_statement_newest_first_with_a_signed_amount_and_direction_column(finance, case):
    header = ["记账日期", "流水号", "交易金额", "借贷标志", "对方户名", "虚拟账号", "账户余额"]
    content = csv_bytes([
        ["20261121", "S2", "5.00", "借", "", "", "95.00"],
        ["20261120", "S1", "100.00", "贷", "甲", number_of(case), "100.00"],
    ], header=header, bom=False)
    result = do_import(finance, content)
    assert result.statement.opening_balance_fen == 0 and result.statement.closing_balance_fen == 9_500
    assert result.statement.report["closing_by_day"] == {"2026-11-20": 10_000, "2026-11-21": 9_500}
    assert StatementLine.objects.get(bank_reference="S2").amount_fen == -500
    assert result.warnings == []


def test_a_gap_in_the_running_balance_is_warned_not_refused(finance):
    result = do_import(finance, csv_bytes([["2026-11-20", "R1", "100.00", "", "", "", "", "", "100.00"],
                                           ["2026-11-21", "R2", "50.00", "", "", "", "", "", "170.00"]]))
    assert len(result.warnings) == 1 and "第3行余额与上一笔（第2行）不连续" in result.warnings[0]


def test_a_date_and_a_time_column_side_by_side_are_read_as_the_date(finance, case):
    header = ["交易日期", "交易时间", "交易流水号", "借方发生额", "贷方发生额", "账户余额", "借贷标志"]
    do_import(finance, csv_bytes([["20261120", "10:22:33", "T1", "0.00", "12.00", "12.00", "贷"]], header=header))
    line = StatementLine.objects.get()
    assert (line.value_on, line.amount_fen, line.balance_fen) == (dt.date(2026, 11, 20), 1_200, 1_200)


def test_a_column_given_twice_is_refused(finance):
    header = ["交易日期", "交易流水号", "收入金额", "收入金额"]
    with pytest.raises(ValidationFailed, match="“收入金额”列重复"):
        do_import(finance, csv_bytes([["2026-11-20", "R1", "1.00", "1.00"]], header=header))


def test_an_unknown_direction_is_reported(finance):
    header = ["交易日期", "交易流水号", "交易金额", "借贷标志"]
    with pytest.raises(ValidationFailed, match="不是借贷标志"):
        do_import(finance, csv_bytes([["2026-11-20", "R1", "1.00", "X"]], header=header))


def test_payout_order_status_is_untouched_by_the_import(finance, paid_order):
    do_import(finance, csv_bytes([["2026-11-10", "OUT1", "", "1500.00", "", "", "", "", ""]]))
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID


@pytest.mark.postgres_only
def test_two_finance_officers_importing_overlapping_statements_at_once_book_each_line_once(log_flushable, finance, case):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from zhixing.cases.exceptions import Conflict

    shared = [["2026-11-20", f"R{n}", "10.00", "", "", "", number_of(case), "", ""] for n in range(20)]
    files = [csv_bytes(shared), csv_bytes(shared), csv_bytes([*shared, ["2026-11-21", "EXTRA", "1.00", "", "", "", "", "", ""]])]

    def run(content):
        try:
            return do_import(finance, content)
        except Conflict as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(run, files))
    assert sum(1 for o in outcomes if not isinstance(o, Conflict) and not o.already_imported) >= 1
    assert StatementLine.objects.filter(bank_reference__startswith="R").count() == 20
    assert Receipt.objects.filter(bank_reference__startswith="R").count() == 20
    assert Account.objects.get(case=case).balance_fen == 20_000
    assert ledger.verify() == []
