"""Case money for the demo cases, written as the money services would write it (zhixing.money.services):
receipts booked to the case's sub-account (now and then unidentified first, then assigned), the
enforcement fee on what was received, a payout order approved along the court's chain (a judge who
did not order it, the bureau head, the president from 1,000,000 yuan) and paid by the finance desk.

Rows are tuples for the bulk insert, as everywhere in the builder; balanced journals, the cached
balances and 实际执行到位 follow from the same numbers, so `zhixing.money.ledger.verify` finds
nothing to say. Each money node of a case's story (funds_received, payout_prepared, payout_done)
carries its event; the fee and the approvals are log entries without a node, as in the services.
A few unidentified receipts per court wait in suspense, some past their 3-working-day limit."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Sum

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import LogAction
from zhixing.money.choices import (
    ASSET_KINDS,
    AccountKind,
    JournalKind,
    OrderKind,
    OrderStatus,
    ReceiptChannel,
    ReceiptStatus,
)
from zhixing.money.ledger import LEDGER_NAMES, sub_account_number
from zhixing.money.models import Account, Approval, Journal, PayoutOrder, Posting, Receipt
from zhixing.money.rules import APPLICATION_FEE_CITATION, DEFAULT_APPROVAL_CHAIN, application_fee_fen
from zhixing.money.services import assign_due, yuan
from zhixing.workdays import calendar

from .names import company_name
from .province import CourtStaff, Province

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUB_ACCOUNT_PREFIX = "9558"  # MoneySettings' default
MONEY_NODES = frozenset({"funds_received", "payout_prepared", "payout_done"})
LEDGER_KINDS = (AccountKind.BANK, AccountKind.SUSPENSE, AccountKind.FEE)
BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "浙江农商银行", "杭州银行", "宁波银行")
UNIDENTIFIED_SHARE = 0.05  # receipts that arrived without a usable sub-account number and were assigned later

ACCOUNT_COLUMNS = ("id", "court_id", "kind", "case_id", "number", "name", "balance_fen", "opened_at")
JOURNAL_COLUMNS = ("id", "court_id", "kind", "case_id", "value_on", "posted_at", "actor_id", "actor_name", "memo",
                   "reason", "reverses_id", "key")
POSTING_COLUMNS = ("journal_id", "account_id", "court_id", "case_id", "amount_fen", "value_on")
RECEIPT_COLUMNS = ("id", "court_id", "case_id", "channel", "status", "amount_fen", "received_on", "payer_name",
                   "payer_account", "sub_account_number", "bank_reference", "note", "assign_due", "journal_id",
                   "assign_journal_id", "created_by_id", "created_at", "return_journal_id", "return_reference")
ORDER_COLUMNS = ("id", "court_id", "case_id", "kind", "status", "amount_fen", "payee_name", "payee_account", "payee_bank",
                 "target_case_id", "non_cash", "reason", "chain", "next_step", "ordered_by_id", "ordered_at", "paid_on",
                 "bank_reference", "paid_by_id", "journal_id", "closed_note", "key")
APPROVAL_COLUMNS = ("order_id", "step", "role", "approver_id", "approved", "note", "at")

MONEY_TABLES = (
    (Account, ACCOUNT_COLUMNS),
    (Journal, JOURNAL_COLUMNS),
    (Posting, POSTING_COLUMNS),
    (Receipt, RECEIPT_COLUMNS),
    (PayoutOrder, ORDER_COLUMNS),
    (Approval, APPROVAL_COLUMNS),
)
ID_MODELS = {"account": Account, "journal": Journal, "receipt": Receipt, "order": PayoutOrder}


def first_money_ids() -> dict[str, int]:
    return {kind: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for kind, model in ID_MODELS.items()}


def fresh_money_ids() -> dict[str, int]:
    return dict.fromkeys(ID_MODELS, 1)


@dataclass
class MoneyRows:
    """Rows of the money tables, in the column order above (the order of MONEY_TABLES)."""

    accounts: list[tuple] = field(default_factory=list)
    journals: list[tuple] = field(default_factory=list)
    postings: list[tuple] = field(default_factory=list)
    receipts: list[tuple] = field(default_factory=list)
    orders: list[tuple] = field(default_factory=list)
    approvals: list[tuple] = field(default_factory=list)

    def tables(self) -> tuple[list[tuple], ...]:
        return self.accounts, self.journals, self.postings, self.receipts, self.orders, self.approvals


def _sign(kind: str) -> int:
    return 1 if kind in ASSET_KINDS else -1


class Books:
    """The province's books while the demo is generated: ids handed out in order, each court's ledger
    accounts (bank, suspense, fee) and their running balances, written once at the end."""

    def __init__(self, province: Province, first_ids: dict[str, int]):
        self.ids = dict(first_ids)
        self.ledger: dict[tuple[int, str], int] = {}
        self.ledger_rows: list[tuple] = []
        self.balances: dict[int, int] = defaultdict(int)  # ledger account id → balance (normal side)
        self.kinds: dict[int, str] = {}
        for staff in province.courts:
            court_id = staff.court.pk
            for kind in LEDGER_KINDS:
                pk = self.take("account")
                self.ledger[(court_id, kind)] = pk
                self.kinds[pk] = kind
                self.ledger_rows.append([pk, court_id, kind, None, f"{kind.upper()}-{court_id}", LEDGER_NAMES[kind], 0, None])

    def take(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind] - 1

    def account(self, court_id: int, kind: str) -> int:
        return self.ledger[(court_id, kind)]

    def post(self, rows: MoneyRows, *, court_id: int, kind: str, case_id: int | None, day: dt.date, at: dt.datetime,
             actor: User, memo: str, lines: list[tuple[int, int | None, int]], reason: str = "") -> int:
        """One balanced journal: lines are (account id, the account's case id, debit in fen; credit negative)."""
        assert sum(amount for _account, _case, amount in lines) == 0
        pk = self.take("journal")
        rows.journals.append((pk, court_id, kind, case_id, day, at, actor.pk, actor.display_name, memo[:300], reason[:500],
                              None, None))
        for account_id, account_case_id, amount in sorted(lines):
            rows.postings.append((pk, account_id, court_id, account_case_id, amount, day))
            if account_id in self.kinds:
                self.balances[account_id] += _sign(self.kinds[account_id]) * amount
        return pk

    def ledger_accounts(self, opened_at: dt.datetime) -> list[tuple]:
        """The court-level accounts with their final balances."""
        return [tuple([*row[:6], self.balances[row[0]], opened_at]) for row in self.ledger_rows]


class CaseLedger:
    """The money of one demo case, event by event as its story reaches a money node."""

    def __init__(self, *, books: Books, rows: MoneyRows, rng: random.Random, court: CourtStaff, case: dict,
                 history, orderers: list[User], payer: str, payee: str, amounts: list[int],
                 channel: str, settle: bool):
        self.books, self.rows, self.rng, self.court, self.case = books, rows, rng, court, case
        self.history = history  # the case's _History: money() writes a node and its entry, log() an entry only
        self.orderers, self.payer, self.payee = orderers, payer, payee
        self.amounts = list(amounts)  # what each funds_received brings, in order
        self.channel = channel  # of the first receipt: deduction, auction, sale or voluntary
        self.settle = settle  # closed cases are paid out; open ones wait with an order pending or approved
        self.court_id = court.court.pk
        self.finance = court.by_role[Role.FINANCE][0]
        self.account_id: int | None = None
        self.number = sub_account_number(SUB_ACCOUNT_PREFIX, case["id"])
        self.balance = 0
        self.performed = 0
        self.order: list | None = None
        self.opened_at: dt.datetime | None = None

    # ------------------------------------------------------------ events

    def node(self, code: str, day: dt.date, until: dt.date) -> None:
        """The money event of a money node on `day`; `until`: the date of the next node (or the end)."""
        if code == "funds_received":
            self._receive(day)
        elif code == "payout_prepared":
            self._prepare(day, until)
        else:
            self._pay(day)

    def _receive(self, day: dt.date) -> None:
        amount = self.amounts.pop(0)
        channel = self.channel if self.performed == 0 else self.rng.choice((ReceiptChannel.VOLUNTARY, ReceiptChannel.DEDUCTION))
        books, rows, case_id = self.books, self.rows, self.case["id"]
        bank = books.account(self.court_id, AccountKind.BANK)
        receipt_id = books.take("receipt")
        label = ReceiptChannel(channel).label
        before = self.performed
        by_number = channel == ReceiptChannel.VOLUNTARY and self.rng.random() < 0.8
        payer_account = f"6217{self.rng.randrange(10**11, 10**12)}"
        if self.rng.random() < UNIDENTIFIED_SHARE and day > self.case["filed_on"]:
            # No usable sub-account number: suspense first, assigned to the case on `day`.
            received_on = max(self.case["filed_on"], day - dt.timedelta(days=self.rng.randint(1, 3)))
            arrived = self._moment(received_on)
            suspense = books.account(self.court_id, AccountKind.SUSPENSE)
            journal = books.post(rows, court_id=self.court_id, kind=JournalKind.RECEIPT, case_id=None, day=received_on,
                                 at=arrived, actor=self.finance, memo=f"不明款 {self.payer}",
                                 lines=[(bank, None, amount), (suspense, None, -amount)])
            at = self.history.money(day, self.finance, LogAction.MONEY, "funds_received",
                                  f"认领不明款 {yuan(amount)}（{received_on:%Y-%m-%d}到账）",
                                  before={"performed_amount_fen": before},
                                  after={"performed_amount_fen": before + amount, "receipt": receipt_id,
                                         "journal": books.ids["journal"]}, reason="付款人来电确认")
            self._open(at)
            assign = books.post(rows, court_id=self.court_id, kind=JournalKind.ASSIGN, case_id=case_id, day=day, at=at,
                                actor=self.finance, memo=f"认领不明款（到账{received_on:%Y-%m-%d}）", reason="付款人来电确认",
                                lines=[(suspense, None, amount), (self.account_id, case_id, -amount)])
            rows.receipts.append((receipt_id, self.court_id, case_id, channel, ReceiptStatus.ASSIGNED, amount, received_on,
                                  self.payer[:100], payer_account, "", f"{received_on:%Y%m%d}{receipt_id:010d}", "",
                                  assign_due(received_on), journal, assign, self.finance.pk, arrived, None, ""))
        else:
            reference = f"{day:%Y%m%d}{receipt_id:010d}"
            after = {"performed_amount_fen": before + amount, "receipt": receipt_id, "journal": books.ids["journal"],
                     "bank_reference": reference}
            at = self.history.money(day, self.finance, LogAction.MONEY, "funds_received",
                                  f"执行款到账 {yuan(amount)}（{label}，{day:%Y-%m-%d}）",
                                  before={"performed_amount_fen": before}, after=after)
            self._open(at)
            journal = books.post(rows, court_id=self.court_id, kind=JournalKind.RECEIPT, case_id=case_id, day=day, at=at,
                                 actor=self.finance, memo=f"{label} {self.payer}",
                                 lines=[(bank, None, amount), (self.account_id, case_id, -amount)])
            rows.receipts.append((receipt_id, self.court_id, case_id, channel, ReceiptStatus.BOOKED, amount, day,
                                  self.payer[:100], payer_account, self.number if by_number else "", reference, "", None,
                                  journal, None, self.finance.pk, at, None, ""))
        self.balance += amount
        self.performed += amount

    def _prepare(self, day: dt.date, until: dt.date) -> None:
        """The fee first (on what was received), then the order for the rest, then its approvals."""
        books, rows, case_id = self.books, self.rows, self.case["id"]
        fee = min(application_fee_fen(self.performed), self.balance)
        journal_id = books.ids["journal"]
        at = self.history.log(day, self.finance, LogAction.MONEY, f"结算执行申请费 {yuan(fee)}",
                              reason=APPLICATION_FEE_CITATION,
                              after={"journal": journal_id, "fee_due_fen": application_fee_fen(self.performed),
                                     "settled_fen": fee})
        books.post(rows, court_id=self.court_id, kind=JournalKind.FEE, case_id=case_id, day=day, at=at, actor=self.finance,
                   memo=f"执行申请费（执行到位 {yuan(self.performed)}）", reason="",
                   lines=[(self.account_id, case_id, fee), (books.account(self.court_id, AccountKind.FEE), None, -fee)])
        self.balance -= fee
        amount = self.balance
        if amount <= 0:
            raise ValueError(f"case {case_id}: nothing left to pay out after the fee")
        orderer = self.rng.choice(self.orderers)
        chain = [step.as_dict() for step in DEFAULT_APPROVAL_CHAIN if amount >= step.min_fen]
        order_id = books.take("order")
        payee_account = f"6222{self.rng.randrange(10**11, 10**12)}"
        ordered_at = self.history.money(
            day, orderer, LogAction.MONEY_ORDER, "payout_prepared",
            f"申请发放执行款 {yuan(amount)}（付款单{order_id}，收款人{self.payee}）", reason="发放执行款",
            after={"order": order_id, "amount_fen": amount, "chain": [s["role"] for s in chain]})
        steps = len(chain) if self.settle or self.rng.random() < 0.5 else self.rng.randrange(len(chain))
        days = sorted(day + dt.timedelta(days=self.rng.randint(0, max((until - day).days, 0))) for _ in range(steps))
        previous: set[int] = {orderer.pk}
        for step, on in enumerate(days):
            approver = self._approver(chain[step]["role"], previous)
            previous.add(approver.pk)
            status = OrderStatus.APPROVED if step == len(chain) - 1 else OrderStatus.PENDING
            at = self.history.log(on, approver, LogAction.MONEY_ORDER,
                                  f"付款单{order_id}：{Role(chain[step]['role']).label}同意（{yuan(amount)}）",
                                  after={"order": order_id, "step": step, "status": status})
            rows.approvals.append((order_id, step, chain[step]["role"], approver.pk, True, "同意", at))
        status = OrderStatus.APPROVED if steps == len(chain) else OrderStatus.PENDING
        self.order = [order_id, self.court_id, case_id, OrderKind.PAYOUT, status, amount, self.payee[:100], payee_account,
                      self.rng.choice(BANKS), None, False, "发放执行款", chain, steps, orderer.pk, ordered_at, None, "",
                      None, None, "", None]

    def _approver(self, role: str, previous: set[int]) -> User:
        """Someone of the court in the step's role who has neither ordered nor approved this order."""
        candidates = [u for u in self.court.by_role[role] if u.pk not in previous]
        return self.rng.choice(candidates)

    def _pay(self, day: dt.date) -> None:
        books, rows, case_id, order = self.books, self.rows, self.case["id"], self.order
        order_id, amount = order[0], order[5]
        reference = f"FK{day:%Y%m%d}{order_id:08d}"
        journal_id = books.ids["journal"]
        at = self.history.money(day, self.finance, LogAction.MONEY, "payout_done",
                              f"发放执行款 {yuan(amount)} 已支付（付款单{order_id}，{self.payee}，流水号{reference}）",
                              after={"order": order_id, "journal": journal_id})
        books.post(rows, court_id=self.court_id, kind=JournalKind.PAYOUT, case_id=case_id, day=day, at=at,
                   actor=self.finance, memo=f"付款单{order_id} {self.payee}", reason="发放执行款",
                   lines=[(self.account_id, case_id, amount), (books.account(self.court_id, AccountKind.BANK), None, -amount)])
        order[4], order[16], order[17], order[18], order[19] = OrderStatus.PAID, day, reference, self.finance.pk, journal_id
        self.balance -= amount

    # ------------------------------------------------------------ the case's account

    def _open(self, at: dt.datetime) -> None:
        if self.account_id is None:
            self.account_id = self.books.take("account")
            self.opened_at = at

    def _moment(self, day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI) + dt.timedelta(
            minutes=self.rng.randint(0, 480))

    def finish(self) -> int:
        """Write the case's account and order; returns 实际执行到位 (what the case received)."""
        if self.amounts:
            raise ValueError(f"case {self.case['id']}: receipts planned but no funds_received node left for them")
        if self.account_id is not None:
            self.rows.accounts.append((self.account_id, self.court_id, AccountKind.CASE, self.case["id"], self.number,
                                       f"{self.case['case_number']} 案款", self.balance, self.opened_at))
        if self.order is not None:
            self.rows.orders.append(tuple(self.order))
        return self.performed


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` fen in `parts` positive amounts (fewer if there are not enough fen)."""
    parts = max(1, min(parts, total))
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


def unidentified_receipts(books: Books, province: Province, rng: random.Random, today: dt.date) -> MoneyRows:
    """不明款 waiting in each court's suspense account: most arrived in the last few days, some are
    past their 3-working-day limit."""
    rows = MoneyRows()
    yesterday = today - dt.timedelta(days=1)
    for staff in province.courts:
        finance = staff.by_role[Role.FINANCE][0]
        court_id = staff.court.pk
        for _ in range(rng.randint(3, 7)):
            days_back = rng.randint(0, 4) if rng.random() < 0.6 else rng.randint(5, 40)
            received_on = yesterday - dt.timedelta(days=days_back)
            while not calendar.is_workday(received_on):
                received_on -= dt.timedelta(days=1)
            amount = rng.choice((rng.randrange(100_00, 5_000_00), rng.randrange(5_000_00, 300_000_00)))
            payer = company_name(rng, place=staff.spec.city[:2])
            at = dt.datetime(received_on.year, received_on.month, received_on.day, 9, 0, tzinfo=SHANGHAI) + dt.timedelta(
                minutes=rng.randint(0, 480))
            receipt_id = books.take("receipt")
            journal = books.post(rows, court_id=court_id, kind=JournalKind.RECEIPT, case_id=None, day=received_on, at=at,
                                 actor=finance, memo=f"不明款 {payer}",
                                 lines=[(books.account(court_id, AccountKind.BANK), None, amount),
                                        (books.account(court_id, AccountKind.SUSPENSE), None, -amount)])
            rows.receipts.append((receipt_id, court_id, None, ReceiptChannel.VOLUNTARY, ReceiptStatus.UNIDENTIFIED, amount,
                                  received_on, payer[:100], f"3301{rng.randrange(10**13, 10**14)}", "",
                                  f"{received_on:%Y%m%d}{receipt_id:010d}", rng.choice(("货款", "还款", "执行款", "")),
                                  assign_due(received_on), journal, None, finance.pk, at, None, ""))
    return rows


def money_summary() -> str:
    """One line for the demo command: what the books hold."""
    receipts = dict(Receipt.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    orders = dict(PayoutOrder.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    held = Account.objects.filter(kind=AccountKind.CASE).aggregate(s=Sum("balance_fen"))["s"] or 0
    return (f"案款：{sum(receipts.values()):,} 笔到账（不明款待认领 {receipts.get(ReceiptStatus.UNIDENTIFIED, 0)} 笔），"
            f"{orders.get(OrderStatus.PAID, 0):,} 笔已发放，"
            f"{orders.get(OrderStatus.PENDING, 0) + orders.get(OrderStatus.APPROVED, 0):,} 张付款单待审批或待支付，"
            f"案款账户余额 {yuan(held)}。")
