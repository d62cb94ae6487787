"""Case money under concurrency, on PostgreSQL (row locks are what is being tested): twenty people at
the same moment can never promise or pay more than a case holds, book one bank line twice, or
deadlock two cases moving money to each other; and a payment that fails half-way leaves no trace."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from zhixing.cases.models import LogEntry
from zhixing.money import ledger, services
from zhixing.money.choices import AccountKind, OrderKind, OrderStatus
from zhixing.money.models import Account, Journal, PayoutOrder, Receipt

pytestmark = pytest.mark.postgres_only

THREADS = 20


def in_threads(work, items):
    """Run work(item) for every item at once (a barrier lines the threads up); each thread closes its
    own connection. Returns each result or the exception it raised."""
    barrier = threading.Barrier(len(items))

    def run(item):
        try:
            barrier.wait()
            return work(item)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(run, items))


def balance(case) -> int:
    return Account.objects.get(case_id=case.pk).balance_fen


def receive(finance, case, amount: int, ref: str = ""):
    return services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=amount,
                                   received_on=timezone.localdate(), bank_reference=ref, payer_name="被执行人")


def approved_order(assistant, judge, bureau_head, case, amount: int, **kwargs):
    order = services.order_create(actor=assistant, case=case, amount_fen=amount, reason="发放执行款", **kwargs)
    services.order_decide(actor=judge, order=order, approve=True)
    return services.order_decide(actor=bureau_head, order=order, approve=True)


def test_twenty_payout_orders_at_once_never_promise_more_than_the_case_holds(log_flushable, finance, assistant,
                                                                              make_case):
    case = make_case(amount_fen=10_000_000)
    receive(finance, case, 1_000_000)

    def order(n):
        return services.order_create(actor=assistant, case=case, amount_fen=300_000, reason=f"发放 {n}",
                                     payee_name="申请人", payee_account="6222021000001234")

    results = in_threads(order, range(THREADS))
    made = [r for r in results if isinstance(r, PayoutOrder)]
    refused = [r for r in results if isinstance(r, ledger.Overdrawn)]
    assert len(made) == 3 and len(refused) == THREADS - 3, results
    assert services.held_fen(case.pk) == 900_000 <= balance(case)
    assert services.available_fen(case) == 100_000
    assert LogEntry.objects.filter(case=case, action="money_order").count() == 3


def test_twenty_approved_orders_paid_at_once_are_each_paid_once_and_the_balances_are_exact(
        log_flushable, finance, assistant, judge, bureau_head, make_case):
    cases = [make_case(amount_fen=10_000_000) for _ in range(4)]
    for case in cases:
        receive(finance, case, 600_000)
    # Five legitimately approved orders on each case: ordered by the assistant, approved by a judge
    # and the bureau head.
    orders = [approved_order(assistant, judge, bureau_head, case, 100_000 + n, payee_name="申请人",
                             payee_account="6222021000001234")
              for case in cases for n in range(5)]
    assert {o.status for o in orders} == {OrderStatus.APPROVED}

    results = in_threads(lambda o: services.order_pay(actor=finance, order=o, bank_reference=f"PAY-{o.pk}"), orders)
    assert all(isinstance(r, PayoutOrder) and r.status == OrderStatus.PAID for r in results), results
    paid_per_case = 5 * 100_000 + sum(range(5))
    for case in cases:
        assert balance(case) == 600_000 - paid_per_case
        assert services.held_fen(case.pk) == 0
    bank = Account.objects.get(court_id=cases[0].court_id, kind=AccountKind.BANK).balance_fen
    assert bank == 4 * (600_000 - paid_per_case)
    assert Journal.objects.filter(kind="payout").count() == THREADS
    assert ledger.verify() == []


def test_twenty_imports_of_the_same_bank_line_book_one_receipt(log_flushable, finance, make_case):
    case = make_case()  # its account and the court's bank account are opened by the first of them
    results = in_threads(lambda _n: receive(finance, case, 123_456, ref="BANK-20260301-0001"), range(THREADS))
    assert all(isinstance(r, Receipt) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Receipt.objects.count() == 1 and Journal.objects.count() == 1
    assert balance(case) == 123_456
    case.refresh_from_db()
    assert case.performed_amount_fen == 123_456
    assert LogEntry.objects.filter(case=case, action="money").count() == 1
    assert ledger.verify() == []


def test_transfers_both_ways_between_two_cases_at_once_never_deadlock_and_conserve_the_money(
        log_flushable, finance, assistant, judge, bureau_head, make_case):
    a, b = make_case(amount_fen=10_000_000), make_case(amount_fen=10_000_000)
    receive(finance, a, 1_000_000)
    receive(finance, b, 1_000_000)
    # Each thread orders a transfer and has it approved; the last approval books it, locking both cases.
    pairs = [(a, b) if n % 2 else (b, a) for n in range(THREADS)]
    orders = [services.order_create(actor=assistant, case=source, amount_fen=10_000, reason="错入本案",
                                    kind=OrderKind.TRANSFER, target_case=target) for source, target in pairs]
    for order in orders:
        services.order_decide(actor=judge, order=order, approve=True)

    results = in_threads(lambda o: services.order_decide(actor=bureau_head, order=o, approve=True), orders)
    assert all(isinstance(r, PayoutOrder) and r.status == OrderStatus.PAID for r in results), results
    assert (balance(a), balance(b)) == (1_000_000, 1_000_000)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.performed_amount_fen, b.performed_amount_fen) == (1_000_000, 1_000_000)
    assert Journal.objects.filter(kind="transfer").count() == THREADS
    assert ledger.verify() == []


def test_a_crash_after_the_payment_is_booked_leaves_no_trace(log_flushable, finance, assistant, judge, bureau_head,
                                                             make_case, monkeypatch):
    case = make_case(amount_fen=10_000_000)
    receive(finance, case, 100_000)
    order = approved_order(assistant, judge, bureau_head, case, 100_000, payee_name="申请人", payee_account="6222")
    journals, entries = Journal.objects.count(), LogEntry.objects.count()
    bank = Account.objects.get(court_id=case.court_id, kind=AccountKind.BANK).balance_fen

    def power_cut(*args, **kwargs):
        raise RuntimeError("断电")

    # Called last in order_pay: the journal, the order's new state and the log entry are written by then.
    monkeypatch.setattr(services, "_supervise", power_cut)
    with pytest.raises(RuntimeError):
        services.order_pay(actor=finance, order=order, bank_reference="PAY-1")
    order.refresh_from_db()
    assert (order.status, order.bank_reference, order.journal_id, order.paid_on) == (OrderStatus.APPROVED, "", None, None)
    assert (Journal.objects.count(), LogEntry.objects.count()) == (journals, entries)
    assert balance(case) == 100_000
    assert Account.objects.get(court_id=case.court_id, kind=AccountKind.BANK).balance_fen == bank
    assert ledger.verify() == []
    monkeypatch.undo()
    services.order_pay(actor=finance, order=order, bank_reference="PAY-1")  # the retry goes through
    assert balance(case) == 0
    assert PayoutOrder.objects.filter(status=OrderStatus.PAID).aggregate(s=Sum("amount_fen"))["s"] == 100_000
