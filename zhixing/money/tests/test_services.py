"""Case money end to end through the services: receipts, unidentified money, fee, orders and their
approval chain, payment, transfers and corrections — and the ledger stays balanced throughout."""

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from zhixing.cases.exceptions import Conflict, NotAllowed, ValidationFailed
from zhixing.cases.models import LogEntry, NodeRecord
from zhixing.money import ledger, services
from zhixing.money.choices import AccountKind, OrderKind, OrderStatus, ReceiptStatus
from zhixing.money.models import Account, Journal, Posting, Receipt
from zhixing.money.rules import application_fee_fen
from zhixing.supervision.models import Deadline


def today():
    return timezone.localdate()


def balance(case) -> int:
    return Account.objects.get(case_id=case.pk).balance_fen


def court_balance(court_id, kind) -> int:
    return Account.objects.get(court_id=court_id, kind=kind).balance_fen


@pytest.fixture
def case(make_case):
    return make_case(amount_fen=10_000_000)


def receive(finance, case, amount, **kw):
    return services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=amount,
                                   received_on=kw.pop("received_on", today()), payer_name="被执行人", **kw)


def test_a_receipt_books_to_the_case_starts_the_payout_clock_and_is_logged(finance, case):
    receipt = receive(finance, case, 3_000_000, bank_reference="B001")
    case.refresh_from_db()
    assert balance(case) == 3_000_000 and court_balance(case.court_id, AccountKind.BANK) == 3_000_000
    assert case.performed_amount_fen == 3_000_000
    assert NodeRecord.objects.filter(case=case, node_code="funds_received").count() == 1
    assert Deadline.objects.get(case=case, rule_code="payout").start_on == today()
    entry = LogEntry.objects.filter(case=case, action="money").get()
    assert "30,000.00 元" in entry.summary and entry.after["receipt"] == receipt.pk
    assert ledger.verify() == []


def test_the_same_bank_reference_books_once_and_a_different_amount_is_a_conflict(finance, case):
    first = receive(finance, case, 100_00, bank_reference="B7")
    assert receive(finance, case, 100_00, bank_reference="B7").pk == first.pk
    with pytest.raises(Conflict, match="B7"):
        receive(finance, case, 200_00, bank_reference="B7")
    assert Journal.objects.count() == 1 and balance(case) == 100_00


def test_only_the_finance_desk_books_receipts(judge, case):
    with pytest.raises(NotAllowed):
        receive(judge, case, 100_00)


def test_a_receipt_by_sub_account_number_finds_its_case_and_a_typo_is_caught(finance, case):
    number = ledger.case_account(case).number
    assert ledger.luhn_valid(number)
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=500_00, received_on=today(),
                                      sub_account_number=number)
    assert receipt.case_id == case.pk
    typo = number[:-3] + str((int(number[-3]) + 1) % 10) + number[-2:]  # one digit wrong: Luhn catches it
    with pytest.raises(ValidationFailed, match="校验位不符"):
        services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=1, received_on=today(),
                                sub_account_number=typo)


def test_unidentified_money_waits_in_suspense_with_its_deadline_and_is_assigned(finance, case):
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=800_00,
                                      received_on=dt.date(2026, 9, 30), payer_name="某公司")
    assert receipt.status == ReceiptStatus.UNIDENTIFIED
    assert receipt.assign_due == dt.date(2026, 10, 10)  # 3 working days across 国庆 (10-10 is a make-up Saturday)
    assert court_balance(case.court_id, AccountKind.SUSPENSE) == 800_00
    services.receipt_assign(actor=finance, receipt=receipt, case=case, reason="付款人来电确认")
    assert court_balance(case.court_id, AccountKind.SUSPENSE) == 0 and balance(case) == 800_00
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.ASSIGNED and receipt.case_id == case.pk
    assert ledger.verify() == []


def test_an_unidentified_receipt_returned_leaves_the_bank(finance, case):
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=800_00, received_on=today())
    services.receipt_return(actor=finance, receipt=receipt, reason="非本院款项")
    assert court_balance(case.court_id, AccountKind.BANK) == 0
    with pytest.raises(Conflict):
        services.receipt_assign(actor=finance, receipt=receipt, case=case)


def test_payout_runs_the_chain_with_separation_of_duties_and_closes_the_deadline(finance, assistant, judge, second_judge,
                                                                                  bureau_head, case):
    receive(finance, case, 2_000_000)
    order = services.order_create(actor=judge, case=case, amount_fen=1_500_000, reason="发放执行款",
                                  payee_name="申请人", payee_account="6222 0000 1111")
    assert [s["role"] for s in order.chain] == ["judge", "bureau_head"]  # the president only from 1,000,000 yuan
    with pytest.raises(NotAllowed, match="申请人不能审批"):
        services.order_decide(actor=judge, order=order, approve=True)
    with pytest.raises(NotAllowed, match="须由执行法官"):
        services.order_decide(actor=bureau_head, order=order, approve=True)
    with pytest.raises(NotAllowed, match="须由执行法官"):
        services.order_decide(actor=assistant, order=order, approve=True)
    services.order_decide(actor=second_judge, order=order, approve=True)
    with pytest.raises(NotAllowed, match="执行局长"):
        services.order_decide(actor=judge, order=order, approve=True)  # the judge step is done
    order = services.order_decide(actor=bureau_head, order=order, approve=True, note="同意")
    assert order.status == OrderStatus.APPROVED
    # 5,000 yuan are free: the held 15,000 cannot be promised twice
    with pytest.raises(ledger.Overdrawn, match="可用余额"):
        services.order_create(actor=assistant, case=case, amount_fen=600_000, reason="再发", payee_name="申请人",
                              payee_account="6222")
    with pytest.raises(NotAllowed):
        services.order_pay(actor=judge, order=order, bank_reference="P1")
    order = services.order_pay(actor=finance, order=order, bank_reference="P1")
    assert services.order_pay(actor=finance, order=order, bank_reference="P1").journal_id == order.journal_id
    assert balance(case) == 500_000 and court_balance(case.court_id, AccountKind.BANK) == 500_000
    assert not NodeRecord.objects.filter(case=case, node_code="payout_done").exists()  # money is still held
    fee = application_fee_fen(2_000_000)
    services.fee_settle(actor=finance, case=case)
    rest = services.order_create(actor=assistant, case=case, amount_fen=500_000 - fee, reason="发放余款", payee_name="申请人",
                                 payee_account="6222")
    services.order_decide(actor=second_judge, order=rest, approve=True)
    services.order_decide(actor=bureau_head, order=rest, approve=True)
    services.order_pay(actor=finance, order=rest, bank_reference="P2")
    assert balance(case) == 0 and court_balance(case.court_id, AccountKind.FEE) == fee
    assert NodeRecord.objects.filter(case=case, node_code="payout_done").exists()
    assert Deadline.objects.get(case=case, rule_code="payout").status == "met"
    assert ledger.verify() == []


def test_a_rejection_needs_a_reason_and_releases_the_hold(finance, assistant, judge, case):
    receive(finance, case, 100_000)
    order = services.order_create(actor=assistant, case=case, amount_fen=100_000, reason="发放", payee_name="甲",
                                  payee_account="1")
    with pytest.raises(ValidationFailed):
        services.order_decide(actor=judge, order=order, approve=False)
    services.order_decide(actor=judge, order=order, approve=False, note="收款账号与申请人不符")
    assert services.available_fen(case) == 100_000


def test_a_transfer_to_another_case_is_booked_on_approval(finance, assistant, judge, bureau_head, make_case, case):
    other = make_case()
    receive(finance, case, 100_000)
    order = services.order_create(actor=assistant, case=case, amount_fen=40_000, reason="错入本案", kind=OrderKind.TRANSFER,
                                  target_case=other)
    services.order_decide(actor=judge, order=order, approve=True)
    order = services.order_decide(actor=bureau_head, order=order, approve=True)
    assert order.status == OrderStatus.PAID
    case.refresh_from_db()
    other.refresh_from_db()
    assert (balance(case), balance(other)) == (60_000, 40_000)
    assert (case.performed_amount_fen, other.performed_amount_fen) == (60_000, 40_000)


def test_a_reversal_mirrors_the_journal_and_is_refused_once_the_money_is_promised(finance, assistant, case):
    receipt = receive(finance, case, 100_000)
    order = services.order_create(actor=assistant, case=case, amount_fen=50_000, reason="发放", payee_name="甲",
                                  payee_account="1")
    with pytest.raises(ledger.Overdrawn):
        services.journal_reverse(actor=finance, journal=receipt.journal, reason="错记")
    services.order_cancel(actor=assistant, order=order, reason="先冲正")
    reversal = services.journal_reverse(actor=finance, journal=receipt.journal, reason="错记")
    assert services.journal_reverse(actor=finance, journal=receipt.journal, reason="错记").pk == reversal.pk
    receipt.refresh_from_db()
    case.refresh_from_db()
    assert receipt.status == ReceiptStatus.REVERSED and balance(case) == 0 and case.performed_amount_fen == 0
    assert Posting.objects.filter(journal=reversal).count() == 2
    assert ledger.verify() == []


def test_the_ledger_cannot_be_edited_or_deleted(finance, case):
    receipt = receive(finance, case, 100)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Posting.objects.filter(journal=receipt.journal).update(amount_fen=999)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Posting.objects.filter(journal=receipt.journal).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Journal.objects.filter(pk=receipt.journal_id).update(memo="改")
    assert Posting.objects.filter(journal=receipt.journal).first().amount_fen in (100, -100)


def test_the_database_refuses_a_negative_balance_even_past_the_service(finance, case):
    receive(finance, case, 100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(case_id=case.pk).update(balance_fen=-1)


def test_a_crash_inside_a_payout_leaves_no_trace(finance, assistant, judge, bureau_head, case, monkeypatch):
    receive(finance, case, 100_000)
    order = services.order_create(actor=assistant, case=case, amount_fen=100_000, reason="发放", payee_name="甲",
                                  payee_account="1")
    services.order_decide(actor=judge, order=order, approve=True)
    services.order_decide(actor=bureau_head, order=order, approve=True)
    journals, entries = Journal.objects.count(), LogEntry.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("断电")

    monkeypatch.setattr(services, "_settled_if_empty", boom)
    with pytest.raises(RuntimeError):
        services.order_pay(actor=finance, order=order, bank_reference="P9")
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED and not order.bank_reference
    assert (Journal.objects.count(), LogEntry.objects.count()) == (journals, entries)
    assert balance(case) == 100_000 and ledger.verify() == []


def test_receipts_are_never_created_by_float_amounts(finance, case):
    with pytest.raises(ValidationFailed):
        receive(finance, case, 10.5)
    assert not Receipt.objects.exists()


def test_the_fee_is_settled_once_and_a_reversed_fee_is_owed_again(finance, case):
    receive(finance, case, 2_000_000)
    fee = application_fee_fen(2_000_000)
    assert services.fee_status(case)["outstanding_fen"] == fee
    journal = services.fee_settle(actor=finance, case=case)
    status = services.fee_status(case)
    assert (status["settled_fen"], status["outstanding_fen"]) == (fee, 0)
    with pytest.raises(services.DomainError, match="没有可结算"):
        services.fee_settle(actor=finance, case=case)
    services.journal_reverse(actor=finance, journal=journal, reason="多收")
    assert services.fee_status(case)["outstanding_fen"] == fee
    assert balance(case) == 2_000_000 and court_balance(case.court_id, AccountKind.FEE) == 0


def test_an_order_key_is_a_retry_only_for_the_same_case_and_amount(finance, assistant, make_case, case):
    receive(finance, case, 100_000)
    first = services.order_create(actor=assistant, case=case, amount_fen=10_000, reason="发放", payee_name="甲",
                                  payee_account="1", key="k-1")
    assert services.order_create(actor=assistant, case=case, amount_fen=10_000, reason="发放", payee_name="甲",
                                 payee_account="1", key="k-1").pk == first.pk
    with pytest.raises(Conflict, match="k-1"):
        services.order_create(actor=assistant, case=make_case(), amount_fen=10_000, reason="发放", payee_name="甲",
                              payee_account="1", key="k-1")


def test_set_off_credit_is_settled_only_without_cash_and_cash_leaves_it_alone(finance, assistant, judge, bureau_head,
                                                                             case):
    services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=300_000, received_on=today(),
                            channel="set_off", note="被执行人对申请执行人的到期债权经生效判决确认")
    receive(finance, case, 100_000)
    assert services.set_off_left_fen(case.pk) == 300_000 and services.cash_available_fen(case) == 100_000
    with pytest.raises(ledger.Overdrawn, match="抵销款"):  # cash out of set-off credit would be other cases' money
        services.order_create(actor=assistant, case=case, amount_fen=150_000, reason="发放", payee_name="甲",
                              payee_account="1")
    with pytest.raises(ledger.Overdrawn, match="非现金"):
        services.order_create(actor=assistant, case=case, amount_fen=350_000, reason="抵销清偿", non_cash=True)
    services.fee_settle(actor=finance, case=case)  # the fee comes out of the cash part
    fee = court_balance(case.court_id, AccountKind.FEE)
    assert fee == application_fee_fen(400_000) and services.set_off_left_fen(case.pk) == 300_000
    order = services.order_create(actor=assistant, case=case, amount_fen=300_000, reason="抵销清偿", non_cash=True)
    services.order_decide(actor=judge, order=order, approve=True)
    services.order_decide(actor=bureau_head, order=order, approve=True)
    services.order_pay(actor=finance, order=order)
    assert services.set_off_left_fen(case.pk) == 0 and court_balance(case.court_id, AccountKind.NONCASH) == 0
    assert balance(case) == 100_000 - fee and court_balance(case.court_id, AccountKind.BANK) == 100_000
    assert ledger.verify() == []


def test_a_set_off_decided_by_a_procedure_is_performance_handed_over_at_once_and_reversible(judge, finance, case):
    with pytest.raises(ValidationFailed, match="依据"):
        services.set_off_settle(actor=judge, case=case, amount_fen=400_000, basis=" ", reference="NET1-1")
    with pytest.raises(NotAllowed):  # the finance desk books banks' money; a set-off is the judge's decision
        services.set_off_settle(actor=finance, case=case, amount_fen=400_000, basis="(2025)豫0883执12号", reference="NET1-1")
    receipt = services.set_off_settle(actor=judge, case=case, amount_fen=400_000, basis="(2025)豫0883执12号",
                                      reference="NET1-1")
    assert services.set_off_settle(actor=judge, case=case, amount_fen=400_000, basis="(2025)豫0883执12号",
                                   reference="NET1-1").pk == receipt.pk  # a retry books nothing
    case.refresh_from_db()
    assert case.performed_amount_fen == 400_000 and balance(case) == 0
    assert court_balance(case.court_id, AccountKind.NONCASH) == 0
    assert not Account.objects.filter(kind=AccountKind.BANK, balance_fen__gt=0).exists()  # no bank money moved
    assert Journal.objects.filter(case=case).count() == 2
    payout = Deadline.objects.get(case=case, rule_code="payout")
    assert payout.met_on == today()  # no money waits: nothing to pay out
    assert "(2025)豫0883执12号" in LogEntry.objects.filter(case=case, summary__contains="抵销").first().reason

    services.set_off_reverse(actor=judge, reference="NET1-1", court_id=case.court_id, reason="抵销方案撤销")
    services.set_off_reverse(actor=judge, reference="NET1-1", court_id=case.court_id, reason="抵销方案撤销")  # a retry
    case.refresh_from_db()
    receipt.refresh_from_db()
    assert case.performed_amount_fen == 0 and balance(case) == 0 and receipt.status == ReceiptStatus.REVERSED
    assert Journal.objects.filter(case=case).count() == 4  # the originals stay beside their reversals
    assert services.set_off_left_fen(case.pk) == 0 and ledger.verify() == []
