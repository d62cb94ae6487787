"""Case money under any sequence of operations (Hypothesis drives the real services).

A state machine books receipts (to cases, by sub-account number, set-off, unidentified), assigns and
returns unidentified money, settles the fee, orders payouts, refunds and transfers, approves,
rejects, cancels and pays them, and reverses journals — with the wrong people, the wrong amounts and
at the wrong moment as often as the right ones. A plain Python model of the court's books predicts
each outcome: what the rules refuse must raise the domain error and change nothing at all; what they
allow must change exactly what the model says. After every step:

- the ledger verifies (every journal sums to zero, cached balances equal the postings, the bank and
  the non-cash account hold what the case, suspense and fee accounts say is owed) and no balance is
  negative;
- every balance, hold, receipt and order status equals the model's; suspense holds exactly the
  unidentified receipts; no case has promised more than it holds (available ≥ 0);
- 实际执行到位 equals what the case received net: receipts booked or assigned to it (not reversed)
  plus transfers in, less transfers out and refunds paid (not reversed) — recomputed from the rows;
- the execution log grew by exactly one entry per case the step touched, and not at all otherwise.

Each example runs inside a savepoint rolled back at its end, so it starts from the same fresh cases.
`ZHIXING_MONEY_EXAMPLES` raises the number of examples (CI default 60, ~30 steps each)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from zhixing.accounts.choices import Role
from zhixing.cases.choices import CaseStatus, ClosingType
from zhixing.cases.exceptions import Conflict, DomainError, NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase, LogEntry, NodeRecord
from zhixing.money import ledger, services
from zhixing.money.choices import (
    AccountKind,
    JournalKind,
    OrderKind,
    OrderStatus,
    ReceiptChannel,
    ReceiptStatus,
)
from zhixing.money.models import Account, Approval, Journal, PayoutOrder, Posting, Receipt
from zhixing.money.rules import application_fee_fen

MONEY_SETTINGS = settings(
    max_examples=int(os.environ.get("ZHIXING_MONEY_EXAMPLES", "60")),
    stateful_step_count=30,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the working tree; failures print their steps
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

PRESIDENT_FROM_FEN = 100_000_000
OK, NOOP = "ok", "noop"
OPEN = (OrderStatus.PENDING, OrderStatus.APPROVED)
REVERSIBLE = (JournalKind.RECEIPT, JournalKind.ASSIGN, JournalKind.FEE, JournalKind.PAYOUT, JournalKind.REFUND)


@dataclass(frozen=True)
class Refusal:
    error: type[DomainError]
    code: str | None = None


# ---------------------------------------------------------------- the model


@dataclass
class ReceiptModel:
    pk: int
    journal: int
    amount: int
    case: int | None  # index into the machine's cases
    status: str
    ref: str
    channel: str = ReceiptChannel.VOLUNTARY


@dataclass
class OrderModel:
    pk: int
    case: int
    kind: str
    amount: int
    chain: list[str]
    orderer: str
    target: int | None
    non_cash: bool
    status: str = OrderStatus.PENDING
    step: int = 0
    approvers: list[str] = field(default_factory=list)
    ref: str = ""
    journal: int | None = None


@dataclass
class JournalModel:
    pk: int
    kind: str
    case: int | None
    effects: dict  # account key → change of its balance (normal side)
    receipt: int | None = None  # index into receipts
    order: int | None = None  # index into orders
    reversed: bool = False


@dataclass
class CaseModel:
    pk: int
    archived: bool
    log: int  # execution-log entries
    performed: int = 0
    fee_settled: int = 0


def amounts():
    return st.one_of(st.integers(1, 2_000_000), st.integers(PRESIDENT_FROM_FEN, PRESIDENT_FROM_FEN + 50_000_000))


# Which receipt, order, journal or case a step acts on. Four times in five, one the step can act on
# (if any): an unidentified receipt to assign, a pending order to decide; otherwise any at all.
picks = st.integers(0, 199)


OPERATIONS: dict[str, tuple[int, object, dict]] = {}


def operation(weight: int, when=None, **arguments):
    """A step the machine may take: how often (relative weight), when it makes sense at all, and the
    strategies of its arguments. One rule draws among them by weight: Hypothesis's own choice of
    rules (each example enables a random few) seldom reached a payment, five steps deep."""

    def register(method):
        OPERATIONS[method.__name__] = (weight, when, arguments)
        return method

    return register


def operations():
    names = [name for name, (weight, _when, _arguments) in OPERATIONS.items() for _ in range(weight)]
    return st.sampled_from(names).flatmap(
        lambda name: st.tuples(st.just(name), st.fixed_dictionaries(OPERATIONS[name][2])))


def choose(items: list, pick: int, relevant=None):
    if relevant is not None and pick < 160:
        candidates = [item for item in items if relevant(item)]
        if candidates:
            return candidates[pick % len(candidates)]
    return items[pick % len(items)]


class MoneyMachine(RuleBasedStateMachine):
    """Set by the test: people (key → User), case_ids (the last one archived), court_id."""

    people: dict = {}
    case_ids: list[int] = []
    court_id: int = 0

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.today = timezone.localdate()
        self.cases = [CaseModel(pk=pk, archived=status == CaseStatus.ARCHIVED,
                                log=LogEntry.objects.filter(case_id=pk).count())
                      for pk, status in EnforcementCase.objects.filter(pk__in=self.case_ids).order_by("pk").values_list("pk", "status")]
        self.balances: dict = {"bank": 0, "noncash": 0, "suspense": 0, "fee": 0, **{i: 0 for i in range(len(self.cases))}}
        self.receipts: list[ReceiptModel] = []
        self.orders: list[OrderModel] = []
        self.journals: list[JournalModel] = []
        self.receipt_refs: dict[str, int] = {}  # bank reference → receipt index
        self.pay_refs: list[str] = []
        self.serial = 0
        self.changed = True  # the invariants check the fresh cases too
        self.seen: dict[int, tuple] = {}  # each case's state when the services' selectors last agreed

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # ------------------------------------------------------------ helpers

    def user(self, key: str):
        return self.people[key]

    def case(self, index: int) -> EnforcementCase:
        return EnforcementCase.objects.get(pk=self.cases[index].pk)

    def held(self, index: int) -> int:
        return sum(o.amount for o in self.orders if o.case == index and o.status in OPEN)

    def available(self, index: int) -> int:
        return self.balances[index] - self.held(index)

    def set_off_left(self, index: int) -> int:
        """Set-off credit not yet handed over by a non-cash order: cash must leave it alone."""
        credit = sum(r.amount for r in self.receipts
                     if r.case == index and r.channel == ReceiptChannel.SET_OFF and r.status == ReceiptStatus.BOOKED)
        used = sum(o.amount for o in self.orders
                   if o.case == index and o.non_cash and o.status in (*OPEN, OrderStatus.PAID))
        return max(credit - used, 0)

    def overdraws(self, effects: dict) -> bool:
        return any(self.balances[key] + delta < 0 for key, delta in effects.items())

    def post(self, pk: int, kind: str, case: int | None, effects: dict, **links) -> int:
        for key, delta in effects.items():
            self.balances[key] += delta
        self.journals.append(JournalModel(pk=pk, kind=kind, case=case, effects=effects, **links))
        return len(self.journals) - 1

    def fingerprint(self) -> tuple:
        """Everything a refused operation must leave as it was."""
        return (
            Journal.objects.count(), Posting.objects.count(), Approval.objects.count(), LogEntry.objects.count(),
            NodeRecord.objects.count(),
            list(Account.objects.order_by("pk").values_list("pk", "balance_fen")),
            list(Receipt.objects.order_by("pk").values_list("pk", "status", "case_id", "assign_journal_id")),
            list(PayoutOrder.objects.order_by("pk").values_list("pk", "status", "next_step", "bank_reference", "journal_id")),
            list(EnforcementCase.objects.filter(pk__in=self.case_ids).order_by("pk")
                 .values_list("pk", "performed_amount_fen", "stage")),
        )

    def attempt(self, expected, call):
        """Run a service call the model has predicted: OK returns its result; NOOP (an idempotent
        retry) and a Refusal must leave every row as it was."""
        if expected == OK:
            self.changed = True
            return call()
        before = self.fingerprint()
        if expected == NOOP:
            result = call()
        else:
            with pytest.raises(expected.error) as caught:
                call()
            if expected.code:
                assert caught.value.code == expected.code, caught.value
            result = None
        assert self.fingerprint() == before, f"{expected} changed the books"
        return result

    def reference(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    # ------------------------------------------------------------ receipts

    @operation(4, index=picks, amount=amounts(), channel=st.sampled_from(["voluntary", "deduction", "set_off"]),
               by_number=st.booleans(), ref=st.sampled_from(["", "", "", "R1", "R2", "R3"]),
               actor=st.sampled_from(["finance"] * 9 + ["judge"]))
    def receive(self, index, amount, channel, by_number, ref, actor):
        index %= len(self.cases)
        case = self.case(index)
        kwargs = {"case": case}
        if by_number:  # the payer wrote the case's sub-account number (opened or not yet)
            prefix = ledger.settings_for(case.court_id).sub_account_prefix
            kwargs = {"sub_account_number": ledger.sub_account_number(prefix, case.pk)}
        note = "被执行人对申请执行人的到期债权经生效判决确认" if channel == ReceiptChannel.SET_OFF else ""
        if actor != "finance":
            expected = Refusal(NotAllowed)
        elif ref in self.receipt_refs:
            expected = NOOP if self.receipts[self.receipt_refs[ref]].amount == amount else Refusal(Conflict, "bank_reference_conflict")
        else:
            expected = OK
        receipt = self.attempt(expected, lambda: services.receipt_record(
            actor=self.user(actor), court_id=case.court_id, amount_fen=amount, received_on=self.today, channel=channel,
            payer_name="被执行人", bank_reference=ref, note=note, **kwargs))
        if expected == NOOP:
            assert receipt.pk == self.receipts[self.receipt_refs[ref]].pk
        if expected != OK:
            return
        assert receipt.case_id == case.pk and receipt.status == ReceiptStatus.BOOKED
        source = "noncash" if channel == ReceiptChannel.SET_OFF else "bank"
        self.receipts.append(ReceiptModel(receipt.pk, receipt.journal_id, amount, index, ReceiptStatus.BOOKED, ref, channel))
        if ref:
            self.receipt_refs[ref] = len(self.receipts) - 1
        self.post(receipt.journal_id, JournalKind.RECEIPT, index, {source: amount, index: amount},
                  receipt=len(self.receipts) - 1)
        self.cases[index].performed += amount
        self.cases[index].log += 1

    @operation(2, amount=amounts(), payer_number=st.sampled_from(["", "", "9558000000000", "6222021234"]),
               to_suspense=st.booleans(), ref=st.sampled_from(["", "", "R1", "R4"]))
    def receive_unidentified(self, amount, payer_number, to_suspense, ref):
        """不明款: no case, or a sub-account number nobody has (taken to suspense only if asked)."""
        if ref in self.receipt_refs:
            expected = NOOP if self.receipts[self.receipt_refs[ref]].amount == amount else Refusal(Conflict)
        elif payer_number and not to_suspense:
            expected = Refusal(ValidationFailed)
        else:
            expected = OK
        receipt = self.attempt(expected, lambda: services.receipt_record(
            actor=self.user("finance"), court_id=self.court_id, amount_fen=amount, received_on=self.today,
            sub_account_number=payer_number, unknown_to_suspense=to_suspense, payer_name="某公司", bank_reference=ref))
        if expected != OK:
            return
        assert receipt.case_id is None and receipt.status == ReceiptStatus.UNIDENTIFIED and receipt.assign_due > self.today
        self.receipts.append(ReceiptModel(receipt.pk, receipt.journal_id, amount, None, ReceiptStatus.UNIDENTIFIED, ref))
        if ref:
            self.receipt_refs[ref] = len(self.receipts) - 1
        self.post(receipt.journal_id, JournalKind.RECEIPT, None, {"bank": amount, "suspense": amount},
                  receipt=len(self.receipts) - 1)

    @operation(2, when=lambda self: self.receipts, pick=picks, index=picks)
    def assign(self, pick, index):
        r = choose(self.receipts, pick, lambda r: r.status == ReceiptStatus.UNIDENTIFIED)
        index %= len(self.cases)
        if r.status == ReceiptStatus.UNIDENTIFIED:
            expected = OK
        elif r.status == ReceiptStatus.ASSIGNED and r.case == index:
            expected = NOOP
        else:
            expected = Refusal(Conflict, "receipt_not_unidentified")
        receipt = self.attempt(expected, lambda: services.receipt_assign(
            actor=self.user("finance"), receipt=Receipt.objects.get(pk=r.pk), case=self.case(index), reason="来电确认"))
        if expected != OK:
            return
        r.status, r.case = ReceiptStatus.ASSIGNED, index
        self.post(receipt.assign_journal_id, JournalKind.ASSIGN, index, {"suspense": -r.amount, index: r.amount},
                  receipt=self.receipts.index(r))
        self.cases[index].performed += r.amount
        self.cases[index].log += 1

    @operation(1, when=lambda self: self.receipts, pick=picks)
    def return_unidentified(self, pick):
        r = choose(self.receipts, pick, lambda r: r.status == ReceiptStatus.UNIDENTIFIED)
        effects = {"suspense": -r.amount, "bank": -r.amount}
        if r.status == ReceiptStatus.RETURNED:
            expected = NOOP
        elif r.status != ReceiptStatus.UNIDENTIFIED:
            expected = Refusal(Conflict, "receipt_not_unidentified")
        elif self.overdraws(effects):  # the bank paid other people's money out as set-off credit
            expected = Refusal(ledger.Overdrawn)
        else:
            expected = OK
        self.attempt(expected, lambda: services.receipt_return(
            actor=self.user("finance"), receipt=Receipt.objects.get(pk=r.pk), reason="非本院款项", bank_reference=self.reference("T")))
        if expected != OK:
            return
        r.status = ReceiptStatus.RETURNED
        journal = Journal.objects.filter(kind=JournalKind.RETURN).latest("pk")
        self.post(journal.pk, JournalKind.RETURN, None, effects, receipt=self.receipts.index(r))

    # ------------------------------------------------------------ fee

    @operation(2, when=lambda self: self.receipts, index=picks)
    def settle_fee(self, index):
        index = choose(range(len(self.cases)), index, lambda i: self.balances[i] and self.cases[i].performed)
        model = self.cases[index]
        due = application_fee_fen(model.performed) if model.performed else 0
        if model.fee_settled > due:  # money moved on since: the excess goes back first
            amount = due - model.fee_settled
        else:
            amount = max(min(due - model.fee_settled, self.available(index) - self.set_off_left(index)), 0)
        expected = OK if amount else Refusal(DomainError, "no_fee_to_settle")
        journal = self.attempt(expected, lambda: services.fee_settle(actor=self.user("finance"), case=self.case(index)))
        if expected != OK:
            return
        self.post(journal.pk, JournalKind.FEE, index, {index: -amount, "fee": amount})
        model.fee_settled += amount
        model.log += 1

    # ------------------------------------------------------------ orders

    @operation(5, when=lambda self: self.receipts, index=picks, kind=st.sampled_from(list(OrderKind.values)),
               non_cash=st.booleans(), into=picks,
               amount=st.one_of(st.sampled_from(["all", "all", "half", "third", "over"]), st.integers(1, 1_000_000)),
               orderer=st.sampled_from(["assistant", "judge", "assistant", "judge", "finance"]))
    def order(self, index, kind, non_cash, amount, into, orderer):
        index = choose(range(len(self.cases)), index, lambda i: self.available(i) > 0 and not self.cases[i].archived)
        target = into % len(self.cases)
        non_cash = non_cash and kind == OrderKind.PAYOUT
        free = self.available(index)
        amount = {"all": free, "half": free // 2, "third": free // 3, "over": free + 1}.get(amount, amount)
        if orderer == "finance":
            expected = Refusal(NotAllowed)
        elif amount <= 0 or (kind == OrderKind.TRANSFER and target == index):
            expected = Refusal(ValidationFailed)
        elif self.cases[index].archived:
            expected = Refusal(DomainError, "case_archived")
        elif amount > free:
            expected = Refusal(ledger.Overdrawn)
        elif amount > (self.set_off_left(index) if non_cash else free - self.set_off_left(index)):
            expected = Refusal(ledger.Overdrawn)  # set-off credit only by a non-cash order, cash only in cash
        else:
            expected = OK
        order = self.attempt(expected, lambda: services.order_create(
            actor=self.user(orderer), case=self.case(index), amount_fen=amount, reason="发放执行款", kind=kind,
            payee_name="" if kind == OrderKind.TRANSFER else "申请人", payee_account="6222 0210 0000 1234",
            target_case=self.case(target) if kind == OrderKind.TRANSFER else None, non_cash=non_cash))
        if expected != OK:
            return
        chain = [Role.JUDGE, Role.BUREAU_HEAD] + ([Role.PRESIDENT] if amount >= PRESIDENT_FROM_FEN else [])
        assert [s["role"] for s in order.chain] == chain and order.status == OrderStatus.PENDING
        self.orders.append(OrderModel(order.pk, index, kind, amount, chain, orderer,
                                      target if kind == OrderKind.TRANSFER else None, non_cash))
        self.cases[index].log += 1

    @operation(2, when=lambda self: self.orders, pick=picks,
               actor=st.sampled_from(["proper", "proper", "judge", "judge2", "assistant", "head", "president", "finance"]),
               approve=st.sampled_from([True, True, True, False]), note=st.sampled_from(["同意", "收款账号有误", ""]))
    def decide(self, pick, actor, approve, note):
        o = choose(self.orders, pick, lambda o: o.status == OrderStatus.PENDING)
        self.decide_step(o, self.proper_approver(o) if actor == "proper" else actor, approve, note)

    @operation(4, when=lambda self: any(o.status == OrderStatus.PENDING for o in self.orders), pick=picks,
               then_pay=st.sampled_from([True, True, True, False]))
    def approve_all_steps(self, pick, then_pay):
        """The chain approves step by step, each step by someone who may; then, often, the finance desk
        pays (a payment is five steps deep: random steps alone seldom get there)."""
        o = choose(self.orders, pick, lambda o: o.status == OrderStatus.PENDING)
        while o.status == OrderStatus.PENDING:
            self.decide_step(o, self.proper_approver(o), True, "同意")
        if then_pay and o.status == OrderStatus.APPROVED:
            self.pay_order(o, self.reference("P"), "finance")

    def proper_approver(self, o: OrderModel) -> str:
        """Whoever may decide the order's current step (the judge if nobody may)."""
        return next((key for key, person in self.people.items() if o.status == OrderStatus.PENDING
                     and person.role == o.chain[o.step] and key != o.orderer and key not in o.approvers), "judge")

    def decide_step(self, o: OrderModel, actor: str, approve: bool, note: str) -> None:
        person = self.user(actor)
        if not approve and not note:
            expected = Refusal(ValidationFailed)
        elif (o.status != OrderStatus.PENDING or person.role != o.chain[o.step] or actor == o.orderer
              or actor in o.approvers):
            expected = Refusal(NotAllowed)
        else:
            expected = OK
        order = self.attempt(expected, lambda: services.order_decide(
            actor=person, order=PayoutOrder.objects.get(pk=o.pk), approve=approve, note=note))
        if expected != OK:
            return
        self.cases[o.case].log += 1
        o.approvers.append(actor)
        if not approve:
            o.status = OrderStatus.REJECTED
            return
        o.step += 1
        if o.step < len(o.chain):
            return
        o.status = OrderStatus.APPROVED
        if o.kind == OrderKind.TRANSFER:  # booked at once
            o.status, o.journal = OrderStatus.PAID, order.journal_id
            self.post(order.journal_id, JournalKind.TRANSFER, o.case, {o.case: -o.amount, o.target: o.amount},
                      order=self.orders.index(o))
            self.cases[o.case].performed -= o.amount
            self.cases[o.target].performed += o.amount
            self.cases[o.case].log += 1
            self.cases[o.target].log += 1

    @operation(1, when=lambda self: self.orders, pick=picks,
               actor=st.sampled_from(["assistant", "judge", "judge2", "head", "finance"]))
    def cancel(self, pick, actor):
        o = choose(self.orders, pick, lambda o: o.status in OPEN)
        person = self.user(actor)
        if actor != o.orderer and person.role not in (Role.JUDGE, Role.BUREAU_HEAD):
            expected = Refusal(NotAllowed)
        elif o.status == OrderStatus.CANCELLED:
            expected = NOOP
        elif o.status not in OPEN:
            expected = Refusal(Conflict, "order_closed")
        else:
            expected = OK
        self.attempt(expected, lambda: services.order_cancel(actor=person, order=PayoutOrder.objects.get(pk=o.pk),
                                                             reason="申请人要求暂缓"))
        if expected == OK:
            o.status = OrderStatus.CANCELLED
            self.cases[o.case].log += 1

    @operation(3, when=lambda self: self.orders, pick=picks,
               ref=st.sampled_from(["new", "new", "new", "reuse", "own", "none"]),
               actor=st.sampled_from(["finance", "finance", "finance", "judge"]))
    def pay(self, pick, ref, actor):
        o = choose(self.orders, pick, lambda o: o.status == OrderStatus.APPROVED)
        if ref == "reuse" and self.pay_refs:
            ref = self.pay_refs[pick % len(self.pay_refs)]
        elif ref == "own":
            ref = o.ref
        elif ref == "none":
            ref = ""
        else:
            ref = self.reference("P")
        self.pay_order(o, ref, actor)

    def pay_order(self, o: OrderModel, ref: str, actor: str) -> None:
        effects = {o.case: -o.amount, "noncash" if o.non_cash else "bank": -o.amount}
        if actor != "finance":
            expected = Refusal(NotAllowed)
        elif not o.non_cash and not ref:
            expected = Refusal(ValidationFailed)
        elif o.status == OrderStatus.PAID:
            expected = NOOP if o.ref == ref else Refusal(Conflict, "order_paid")
        elif o.status != OrderStatus.APPROVED:
            expected = Refusal(Conflict, "order_not_approved")
        elif ref and any(other.ref == ref for other in self.orders):
            expected = Refusal(Conflict, "bank_reference_conflict")
        elif self.overdraws(effects):  # cash out of set-off credit, or non-cash out of cash
            expected = Refusal(ledger.Overdrawn)
        else:
            expected = OK
        order = self.attempt(expected, lambda: services.order_pay(
            actor=self.user(actor), order=PayoutOrder.objects.get(pk=o.pk), bank_reference=ref))
        if expected != OK:
            return
        o.status, o.ref, o.journal = OrderStatus.PAID, ref, order.journal_id
        if ref:
            self.pay_refs.append(ref)
        kind = JournalKind.REFUND if o.kind == OrderKind.REFUND else JournalKind.PAYOUT
        self.post(order.journal_id, kind, o.case, effects, order=self.orders.index(o))
        if o.kind == OrderKind.REFUND:
            self.cases[o.case].performed -= o.amount
        self.cases[o.case].log += 1

    # ------------------------------------------------------------ corrections

    def reversal_room(self, j: JournalModel, receipt: ReceiptModel | None) -> int:
        """How much a reversal may take off the case: set-off credit not handed over, or cash."""
        free, set_off = self.available(j.case), self.set_off_left(j.case)
        if receipt is not None and receipt.channel == ReceiptChannel.SET_OFF:
            return min(free, set_off)
        return free - set_off

    @operation(3, when=lambda self: self.journals, pick=picks)
    def reverse(self, pick):
        j = choose(self.journals, pick, lambda j: not j.reversed and j.kind in REVERSIBLE)
        undo = {key: -delta for key, delta in j.effects.items()}
        receipt = self.receipts[j.receipt] if j.receipt is not None else None
        if j.reversed:
            expected = NOOP
        elif j.kind not in REVERSIBLE:
            expected = Refusal(DomainError, "not_reversible")
        elif j.case is not None and j.effects.get(j.case, 0) > 0 and self.reversal_room(j, receipt) < j.effects[j.case]:
            expected = Refusal(ledger.Overdrawn)  # the money is paid out or promised
        elif j.kind == JournalKind.RECEIPT and j.case is None and receipt.status != ReceiptStatus.UNIDENTIFIED:
            # The unidentified money was assigned or returned: correct that first.
            expected = Refusal(Conflict, "receipt_not_unidentified")
        elif self.overdraws(undo):
            expected = Refusal(ledger.Overdrawn)
        else:
            expected = OK
        reversal = self.attempt(expected, lambda: services.journal_reverse(
            actor=self.user("finance"), journal=Journal.objects.get(pk=j.pk), reason="错记"))
        if expected != OK:
            return
        j.reversed = True
        self.post(reversal.pk, JournalKind.REVERSAL, j.case, undo)
        case = self.cases[j.case] if j.case is not None else None
        if j.kind == JournalKind.RECEIPT:
            receipt.status = ReceiptStatus.REVERSED
            if case:
                case.performed -= receipt.amount
        elif j.kind == JournalKind.ASSIGN:
            receipt.status, receipt.case = ReceiptStatus.UNIDENTIFIED, None
            case.performed -= receipt.amount
        elif j.kind == JournalKind.FEE:
            case.fee_settled -= j.effects["fee"]
        elif j.kind in (JournalKind.PAYOUT, JournalKind.REFUND):
            order = self.orders[j.order]
            order.status, order.journal = OrderStatus.APPROVED, None  # returned by the bank: pay again or cancel
            if j.kind == JournalKind.REFUND:
                case.performed += order.amount
        if case:
            case.log += 1

    @rule(op=operations())
    def step(self, op):
        name, arguments = op
        when = OPERATIONS[name][1]
        if when is None or when(self):
            getattr(self, name)(**arguments)

    # ------------------------------------------------------------ invariants

    @invariant()
    def the_books_are_exact(self):
        # A refused or repeated step was checked to change nothing (`attempt`): the books are as
        # they were after the last checked step.
        if not self.changed:
            return
        self.changed = False
        self.the_ledger_balances()
        self.every_balance_is_what_the_model_says()
        self.receipts_and_orders_are_in_the_model_state()
        self.each_case_holds_what_it_promised_and_performed_is_what_it_received_net()

    def the_ledger_balances(self):
        assert ledger.verify() == []
        assert not Account.objects.filter(balance_fen__lt=0).exists()

    def every_balance_is_what_the_model_says(self):
        actual = {key: 0 for key in self.balances}
        names = {AccountKind.BANK: "bank", AccountKind.NONCASH: "noncash", AccountKind.SUSPENSE: "suspense",
                 AccountKind.FEE: "fee"}
        index = {case.pk: i for i, case in enumerate(self.cases)}
        for kind, case_id, balance in Account.objects.values_list("kind", "case_id", "balance_fen"):
            actual[index[case_id] if kind == AccountKind.CASE else names[kind]] = balance
        assert actual == self.balances
        cash_and_credit = actual["bank"] + actual["noncash"]
        assert cash_and_credit == sum(actual[i] for i in range(len(self.cases))) + actual["suspense"] + actual["fee"]
        unidentified = Receipt.objects.filter(status=ReceiptStatus.UNIDENTIFIED).aggregate(s=Sum("amount_fen"))["s"] or 0
        assert actual["suspense"] == unidentified

    def receipts_and_orders_are_in_the_model_state(self):
        receipts = dict(Receipt.objects.values_list("pk", "status"))
        assert receipts == {r.pk: r.status for r in self.receipts}
        orders = {pk: (status, step) for pk, status, step in PayoutOrder.objects.values_list("pk", "status", "next_step")}
        assert orders == {o.pk: (o.status, o.step) for o in self.orders}

    def each_case_holds_what_it_promised_and_performed_is_what_it_received_net(self):
        def per_case(rows, key="case_id"):
            return dict(rows.values(key).annotate(s=Sum("amount_fen")).values_list(key, "s"))

        received = per_case(Receipt.objects.filter(status__in=(ReceiptStatus.BOOKED, ReceiptStatus.ASSIGNED)))
        paid = PayoutOrder.objects.filter(status=OrderStatus.PAID)
        moved_in = per_case(paid.filter(kind=OrderKind.TRANSFER), "target_case_id")
        moved_out = per_case(paid.filter(kind=OrderKind.TRANSFER))
        refunded = per_case(paid.filter(kind=OrderKind.REFUND))
        held = per_case(PayoutOrder.objects.filter(status__in=OPEN))
        logs = dict(LogEntry.objects.filter(case_id__in=self.case_ids).values("case_id").annotate(n=Count("id"))
                    .values_list("case_id", "n"))
        performed = dict(EnforcementCase.objects.filter(pk__in=self.case_ids).values_list("pk", "performed_amount_fen"))
        for i, model in enumerate(self.cases):
            pk = model.pk
            net = received.get(pk, 0) + moved_in.get(pk, 0) - moved_out.get(pk, 0) - refunded.get(pk, 0)
            assert performed[pk] == net == model.performed
            assert held.get(pk, 0) == self.held(i) <= self.balances[i]
            assert logs[pk] == model.log
            state = (self.balances[i], self.held(i), model.fee_settled, model.performed)
            if self.seen.get(i) != state:  # what the pages show, from the services' own selectors
                case = EnforcementCase.objects.get(pk=pk)
                assert services.available_fen(case) == self.available(i)
                assert services.fee_status(case)["settled_fen"] == model.fee_settled
                self.seen[i] = state


@pytest.mark.django_db
def test_any_sequence_of_money_operations_keeps_the_books_exact(courts, judge, second_judge, assistant, clerk, finance,
                                                                 bureau_head, president, make_case):
    cases = [make_case(amount_fen=amount) for amount in (5_000_000, 300_000_000, 80_000)]
    archived = make_case(amount_fen=1_000_000)
    EnforcementCase.objects.filter(pk=archived.pk).update(
        status=CaseStatus.ARCHIVED, closing_type=ClosingType.PERFORMED, closed_on=timezone.localdate(),
        archived_on=timezone.localdate())
    people = {"judge": judge, "judge2": second_judge, "assistant": assistant, "clerk": clerk, "finance": finance,
              "head": bureau_head, "president": president}
    machine = type("MoneyBooks", (MoneyMachine,), {
        "people": people, "case_ids": [c.pk for c in cases] + [archived.pk], "court_id": courts["court"].pk,
    })
    run_state_machine_as_test(machine, settings=MONEY_SETTINGS)


# ---------------------------------------------------------------- what the machine found, as examples


def test_a_payment_to_a_sub_account_number_not_yet_opened_finds_its_case(finance, make_case):
    case = make_case()
    number = ledger.sub_account_number(ledger.settings_for(case.court_id).sub_account_prefix, case.pk)
    assert not Account.objects.filter(case_id=case.pk).exists()  # printed on the notice, never used yet
    receipt = services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=50_000,
                                      received_on=timezone.localdate(), sub_account_number=number)
    assert receipt.case_id == case.pk and Account.objects.get(case_id=case.pk).number == number


def test_returned_or_assigned_unidentified_money_cannot_have_its_arrival_reversed(finance, make_case):
    case = make_case()
    returned, assigned, waiting = (
        services.receipt_record(actor=finance, court_id=case.court_id, amount_fen=amount, received_on=timezone.localdate())
        for amount in (100, 200, 300))
    services.receipt_return(actor=finance, receipt=returned, reason="非本院款项")
    services.receipt_assign(actor=finance, receipt=assigned, case=case)
    for receipt in (returned, assigned):
        with pytest.raises(Conflict, match="请先冲正认领或按退回处理"):
            services.journal_reverse(actor=finance, journal=receipt.journal, reason="错记")
    # The suspense account still holds exactly the money that waits there.
    assert Account.objects.get(court_id=case.court_id, kind=AccountKind.SUSPENSE).balance_fen == waiting.amount_fen == 300
    assert ledger.verify() == []
