"""Reads of case money for the pages and the API. Visibility is applied here, once: a user sees the
money of the courts whose cases he sees (`cases.selectors.visible_court_ids`); another court's
account, receipt, order or journal is "not found", never revealed."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.exceptions import NotAllowed, NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.models import Court
from zhixing.supervision.models import Deadline

from . import ledger, services
from .choices import OPEN_ORDER_STATUSES, AccountKind, DeferralStatus, OrderKind, OrderStatus, ReceiptStatus
from .models import Account, FeeRemittance, Journal, PayoutDeferral, PayoutOrder, Posting, Receipt
from .rules import APPROVER_ROLES, DEFERRAL_APPROVERS, DEFERRAL_REQUESTERS, ORDERERS, PAYERS, RECORDERS

PAYOUT_RULES = ("payout", "payout_after_deferral")  # the supervision rules whose deadlines are the payout clock
OPEN_DEADLINE = ("pending", "paused")
# An approval chain has at most this many steps (settings refuse more): the to-approve query looks
# at each possible current step in SQL.
MAX_CHAIN_STEPS = 8
# Receipts that put money on a case account and still count (not reversed, not returned).
HOLDING_RECEIPTS = (ReceiptStatus.BOOKED, ReceiptStatus.ASSIGNED)


def _in_courts(rows: QuerySet, user: User, field: str = "court_id") -> QuerySet:
    court_ids = visible_court_ids(user)
    return rows if court_ids is None else rows.filter(**{f"{field}__in": court_ids})


def page_of(rows, number, page_size: int) -> Page:
    """One page of a list; a number past the end shows the last page, garbage the first."""
    return Paginator(rows, page_size).get_page(number)


# ---------------------------------------------------------------- who may do what (offering buttons)


def may_act_in(user: User, court_id: int) -> bool:
    """The court's own staff (or a superuser); a higher court's supervisor only reads."""
    return user.is_superuser or (not user.is_read_only and user.court_id == court_id)


def is_finance(user: User) -> bool:
    return user.is_superuser or user.role in RECORDERS


def is_orderer(user: User) -> bool:
    return user.is_superuser or user.role in ORDERERS


def is_approver(user: User) -> bool:
    return user.is_superuser or user.role in APPROVER_ROLES


def may_record(user: User, court_id: int) -> bool:
    return is_finance(user) and may_act_in(user, court_id)


def may_order(user: User, case: EnforcementCase) -> bool:
    return is_orderer(user) and may_act_in(user, case.court_id)


def may_cancel(user: User, order: PayoutOrder) -> bool:
    """As `services.order_cancel` decides: the orderer, a judge or the bureau head, while open."""
    return (order.status in OPEN_ORDER_STATUSES and may_act_in(user, order.court_id)
            and (user.is_superuser or user.pk == order.ordered_by_id or user.role in (Role.JUDGE, Role.BUREAU_HEAD)))


def may_pay(user: User, order: PayoutOrder) -> bool:
    return (order.status == OrderStatus.APPROVED and order.kind != OrderKind.TRANSFER
            and (user.is_superuser or user.role in PAYERS) and may_act_in(user, order.court_id))


def may_reverse(user: User, journal: Journal) -> bool:
    return journal.kind in services.REVERSIBLE and not is_reversed(journal) and may_record(user, journal.court_id)


def shown_account(user: User, account_number: str) -> str:
    """A bank account number as `user` may see it: a reader (a higher court's supervisor) sees the
    last four digits only."""
    return f"****{account_number[-4:]}" if user.is_read_only and len(account_number) > 4 else account_number


def is_reversed(journal: Journal) -> bool:
    # the reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError, when there is none
    return hasattr(journal, "reversed_by")


def order_actions(user: User, order: PayoutOrder) -> dict:
    """What `user` may do with the order now, and why not decide — the services decide again."""
    refusal = services.decide_refusal(user, order) if order.status == OrderStatus.PENDING else None
    return {
        "decide": order.status == OrderStatus.PENDING and refusal is None,
        "decide_refusal": refusal,
        "cancel": may_cancel(user, order),
        "pay": may_pay(user, order),
    }


# ---------------------------------------------------------------- a case's money


def sub_account_for(user: User, case: EnforcementCase, account: Account | None) -> str:
    """一案一账号: the account's number, or — before it opens — the number it will open with. A page
    view writes nothing: a change of the court's prefix first opens every account not yet opened
    under the old prefix (`services_settings._keep_told_numbers`), so a number once shown stays."""
    if account is not None:
        return account.number
    return ledger.sub_account_number(ledger.settings_for(case.court_id).sub_account_prefix, case.pk)


def payout_clock(case: EnforcementCase, balance_fen: int) -> dict:
    """The payout deadline of money held on the case: none while an approved deferral runs; else the
    earliest running supervision deadline (from receipt, or from the end of a deferral); else
    computed from the oldest receipt still counted (or the last deferral's end, if later)."""
    clock = {"start_on": None, "due_on": None, "overdue": False, "paused": False, "deferral": None}
    if balance_fen <= 0:
        return clock
    deferral = (PayoutDeferral.objects.filter(case_id=case.pk, status__in=(DeferralStatus.ACTIVE, DeferralStatus.ENDED))
                .order_by("-started_on", "-id").first())
    if deferral is not None and deferral.status == DeferralStatus.ACTIVE:
        return {**clock, "deferral": deferral}
    deadline = (Deadline.objects.filter(case_id=case.pk, rule_code__in=PAYOUT_RULES, status__in=OPEN_DEADLINE)
                .order_by("due_on").first())
    if deadline is not None:
        start, due, paused = deadline.start_on, deadline.due_on, deadline.status == "paused"
    else:
        start = (Receipt.objects.filter(case_id=case.pk, status__in=HOLDING_RECEIPTS).order_by("received_on")
                 .values_list("received_on", flat=True).first())
        due = services.payout_due(case.court_id, start) if start else None
        if deferral is not None and start and start <= deferral.ended_on:
            start, due = deferral.ended_on, deferral.resume_due  # held by the deferral until its end
        paused = False
    return {**clock, "start_on": start, "due_on": due, "paused": paused,
            "overdue": bool(due and not paused and due < timezone.localdate())}


def account_summary(user: User, case: EnforcementCase) -> dict:
    account = Account.objects.filter(case_id=case.pk).first()
    balance = account.balance_fen if account else 0
    held = services.held_fen(case.pk)
    return {
        "number": sub_account_for(user, case, account),
        "balance_fen": balance,
        "held_fen": held,
        "available_fen": balance - held,
        "fee": services.fee_status(case),
        "payout": payout_clock(case, balance),
    }


def case_summary(case: EnforcementCase) -> dict:
    """One line for the case page: the balance and what waits (no account is opened here)."""
    account = Account.objects.filter(case_id=case.pk).only("balance_fen", "number").first()
    open_orders = PayoutOrder.objects.filter(case_id=case.pk, status__in=OPEN_ORDER_STATUSES).aggregate(
        n=Count("id"), s=Coalesce(Sum("amount_fen"), 0))
    return {"opened": account is not None, "balance_fen": account.balance_fen if account else 0,
            "open_orders": open_orders["n"], "held_fen": open_orders["s"]}


def case_receipts(case: EnforcementCase) -> list[Receipt]:
    return list(Receipt.objects.filter(case_id=case.pk).select_related("journal__reversed_by", "created_by"))


def case_lines(case: EnforcementCase) -> QuerySet[Posting]:
    """The case account's ledger lines, newest first, each with the balance after it (the account is
    credit-normal: a credit, stored negative, raises it)."""
    account = Account.objects.filter(case_id=case.pk).first()
    if account is None:
        return Posting.objects.none()
    return (Posting.objects.filter(account_id=account.pk)
            .annotate(delta_fen=-F("amount_fen"),
                      balance_after_fen=Window(Sum(-F("amount_fen")), order_by=F("id").asc()))
            .select_related("journal", "journal__reversed_by", "journal__reverses")
            .order_by("-id"))


def case_orders(case: EnforcementCase) -> list[PayoutOrder]:
    return list(PayoutOrder.objects.filter(case_id=case.pk)
                .select_related("ordered_by", "target_case", "paid_by")
                .prefetch_related("approvals__approver").order_by("-ordered_at", "-id"))


# ---------------------------------------------------------------- single rows, by visibility


def order_get_for_user(*, user: User, pk: int) -> PayoutOrder:
    order = (_in_courts(PayoutOrder.objects.all(), user)
             .select_related("case", "case__court", "ordered_by", "target_case", "paid_by", "journal")
             .prefetch_related("approvals__approver").filter(pk=pk).first())
    if order is None:
        raise NotFound("付款单不存在")
    return order


def deferral_get_for_user(*, user: User, pk: int) -> PayoutDeferral:
    deferral = _in_courts(PayoutDeferral.objects.all(), user).select_related("case").filter(pk=pk).first()
    if deferral is None:
        raise NotFound("暂缓发放记录不存在")
    return deferral


def case_deferrals(case: EnforcementCase) -> list[PayoutDeferral]:
    return list(PayoutDeferral.objects.filter(case_id=case.pk)
                .select_related("case", "requested_by", "decided_by", "ended_by"))


def deferrals_pending(user: User) -> QuerySet[PayoutDeferral]:
    """Deferral requests of the user's courts waiting for the bureau head or a leader."""
    return (_in_courts(PayoutDeferral.objects.filter(status=DeferralStatus.PENDING), user)
            .select_related("case", "requested_by").order_by("requested_at", "id"))


def may_end_deferral(user: User, deferral: PayoutDeferral) -> bool:
    return (user.is_superuser or user.role in DEFERRAL_REQUESTERS | DEFERRAL_APPROVERS) and may_act_in(user, deferral.court_id)


def remittances_for(user: User) -> QuerySet[FeeRemittance]:
    return _in_courts(FeeRemittance.objects.all(), user).select_related("created_by")


def receipt_get_for_user(*, user: User, pk: int) -> Receipt:
    receipt = _in_courts(Receipt.objects.all(), user).select_related("case").filter(pk=pk).first()
    if receipt is None:
        raise NotFound("到账记录不存在")
    return receipt


def journal_get_for_user(*, user: User, pk: int) -> Journal:
    journal = _in_courts(Journal.objects.all(), user).select_related("case", "reversed_by").filter(pk=pk).first()
    if journal is None:
        raise NotFound("记账凭证不存在")
    return journal


def receipt_seen(court_id: int, bank_reference: str) -> bool:
    """Whether the court already booked this bank reference (recording it again is an idempotent retry)."""
    return bool(bank_reference) and Receipt.objects.filter(court_id=court_id, bank_reference=bank_reference).exists()


def settings_court(user: User, court_id: int | None) -> Court:
    """The court whose money settings `user` reads: his own; another only for a system administrator."""
    if court_id is not None and court_id != user.court_id:
        court = Court.objects.filter(pk=court_id).first() if user.is_superuser else None
        if court is None:
            raise NotFound("法院不存在")
        return court
    if user.court_id is None:
        raise NotAllowed("请指明法院（court_id）")
    return user.court


def order_steps(order: PayoutOrder) -> list[dict]:
    """The order's approval chain, step by step: who decided, when, with what opinion."""
    approvals = {a.step: a for a in order.approvals.all()}
    labels = dict(Role.choices)
    steps = []
    for index, step in enumerate(order.chain):
        approval = approvals.get(index)
        if approval is not None:
            state = "approved" if approval.approved else "rejected"
        elif order.status == OrderStatus.PENDING and index == order.next_step:
            state = "current"
        elif order.status == OrderStatus.PENDING:
            state = "waiting"
        else:
            state = "not_reached"
        steps.append({"number": index + 1, "role": step["role"], "role_label": labels.get(step["role"], step["role"]),
                      "min_fen": int(step.get("min_fen", 0)), "approval": approval, "state": state})
    return steps


# ---------------------------------------------------------------- lists


def _my_cases(user: User, prefix: str = "case__") -> Q:
    """A judge's or assistant's cases: handled by him or by his team."""
    mine = Q(**{f"{prefix}handler_id": user.pk})
    if user.team_id:
        mine |= Q(**{f"{prefix}team_id": user.team_id})
    return mine


def cases_holding_money(user: User, *, mine: bool = False, overdue: bool = False, q: str = "") -> QuerySet[Account]:
    """Case accounts with money on them, each with what is promised to open orders, the oldest
    receipt counted and the payout deadline (the supervision deadline, stored) — most urgent first."""
    accounts = _in_courts(Account.objects.filter(kind=AccountKind.CASE, balance_fen__gt=0), user)
    if mine:
        accounts = accounts.filter(_my_cases(user))
    if q.strip():
        accounts = accounts.filter(Q(case__case_number__contains=q.strip()) | Q(number=q.strip()))
    held = (PayoutOrder.objects.filter(case_id=OuterRef("case_id"), status__in=OPEN_ORDER_STATUSES).order_by()
            .values("case_id").annotate(s=Sum("amount_fen")).values("s"))
    oldest = (Receipt.objects.filter(case_id=OuterRef("case_id"), status__in=HOLDING_RECEIPTS)
              .order_by("received_on").values("received_on")[:1])
    deadline = (Deadline.objects.filter(case_id=OuterRef("case_id"), rule_code__in=PAYOUT_RULES, status__in=OPEN_DEADLINE)
                .order_by("due_on"))
    deferred = PayoutDeferral.objects.filter(case_id=OuterRef("case_id"), status=DeferralStatus.ACTIVE)
    accounts = accounts.annotate(
        deferred=Exists(deferred),
        held_fen=Coalesce(Subquery(held), 0),
        oldest_on=Subquery(oldest),
        payout_start_on=Subquery(deadline.values("start_on")[:1]),
        payout_due_on=Subquery(deadline.values("due_on")[:1]),
        payout_status=Subquery(deadline.values("status")[:1]),
    )
    if overdue:
        accounts = accounts.filter(payout_due_on__lt=timezone.localdate(), payout_status="pending")
    return accounts.select_related("case", "case__handler").order_by(F("payout_due_on").asc(nulls_last=True), "-balance_fen", "pk")


def mark_holding_rows(rows) -> list:
    today = timezone.localdate()
    for account in rows:
        account.available_fen = account.balance_fen - account.held_fen
        account.overdue = bool(account.payout_due_on and account.payout_status == "pending" and account.payout_due_on < today)
    return rows


def orders_for(user: User, *, status: str = "", kind: str = "", case_id: int | None = None, q: str = "",
               mine: bool = False, to_approve: bool = False) -> QuerySet[PayoutOrder]:
    orders = _in_courts(PayoutOrder.objects.all(), user)
    if status:
        orders = orders.filter(status=status)
    if kind:
        orders = orders.filter(kind=kind)
    if case_id:
        orders = orders.filter(case_id=case_id)
    if q.strip():
        orders = orders.filter(Q(case__case_number__contains=q.strip()) | Q(payee_name__contains=q.strip()))
    if mine:
        orders = orders.filter(_my_cases(user) | Q(ordered_by_id=user.pk))
    if to_approve:
        orders = orders_to_approve(user, orders)
    return orders.select_related("case", "ordered_by", "target_case").order_by("-ordered_at", "-id")


def orders_to_approve(user: User, orders: QuerySet[PayoutOrder] | None = None) -> QuerySet[PayoutOrder]:
    """Pending orders whose current step `user` may decide — exactly those for which
    `services.decide_refusal(user, order)` is None, as one query: the step's role is the user's, he
    did not order it and decided no step of it (separation of duties)."""
    orders = PayoutOrder.objects.all() if orders is None else orders
    orders = orders.filter(status=OrderStatus.PENDING).exclude(ordered_by_id=user.pk).exclude(approvals__approver_id=user.pk)
    if user.is_superuser:
        return orders
    if user.is_read_only or not user.court_id or user.role not in APPROVER_ROLES:
        return orders.none()
    step_is_mine = Q()
    for index in range(MAX_CHAIN_STEPS):
        step_is_mine |= Q(next_step=index, **{f"chain__{index}__role": user.role})
    return orders.filter(step_is_mine, court_id=user.court_id)


def orders_to_pay(user: User) -> QuerySet[PayoutOrder]:
    """Approved orders waiting for the finance desk (a transfer is booked when approved)."""
    return orders_for(user, status=OrderStatus.APPROVED).exclude(kind=OrderKind.TRANSFER).order_by("ordered_at", "id")


def unidentified_for(user: User, *, status: str = ReceiptStatus.UNIDENTIFIED, overdue: bool = False,
                     q: str = "") -> QuerySet[Receipt]:
    """不明款: receipts that matched no case (they carry a 认领期限), by default those still waiting —
    the oldest deadline first."""
    receipts = _in_courts(Receipt.objects.filter(assign_due__isnull=False), user)
    if status:
        receipts = receipts.filter(status=status)
    if overdue:
        receipts = receipts.filter(status=ReceiptStatus.UNIDENTIFIED, assign_due__lt=timezone.localdate())
    if q.strip():
        text = q.strip()
        receipts = receipts.filter(Q(payer_name__contains=text) | Q(bank_reference=text) | Q(note__contains=text)
                                   | Q(payer_account=text))
    order = ("assign_due", "id") if status == ReceiptStatus.UNIDENTIFIED else ("-received_on", "-id")
    return receipts.select_related("case").order_by(*order)


def mark_unidentified_rows(rows) -> list:
    today = timezone.localdate()
    for receipt in rows:
        receipt.overdue = receipt.status == ReceiptStatus.UNIDENTIFIED and receipt.assign_due < today
    return rows


def journals_for(user: User, *, kind: str = "", q: str = "", date_from: dt.date | None = None,
                 date_to: dt.date | None = None) -> QuerySet[Journal]:
    journals = _in_courts(Journal.objects.all(), user)
    if kind:
        journals = journals.filter(kind=kind)
    if date_from:
        journals = journals.filter(value_on__gte=date_from)
    if date_to:
        journals = journals.filter(value_on__lte=date_to)
    if q.strip():
        journals = journals.filter(Q(case__case_number__contains=q.strip()) | Q(memo__contains=q.strip()))
    return (journals.annotate(amount_fen=Coalesce(Sum("postings__amount_fen", filter=Q(postings__amount_fen__gt=0)), 0))
            .select_related("case", "reversed_by", "reverses").order_by("-posted_at", "-id"))


def desk_figures(user: User) -> dict:
    """The court's figures at the top of the finance desk: the bank account, money in suspense,
    orders waiting for payment, unidentified receipts past their 认领期限."""
    today = timezone.localdate()
    ledgers = dict(_in_courts(Account.objects.exclude(kind=AccountKind.CASE), user).values("kind")
                   .annotate(s=Sum("balance_fen")).values_list("kind", "s"))
    to_pay = orders_to_pay(user).order_by().aggregate(n=Count("id"), s=Coalesce(Sum("amount_fen"), 0))
    unidentified = _in_courts(Receipt.objects.filter(status=ReceiptStatus.UNIDENTIFIED), user).aggregate(
        n=Count("id"), late=Count("id", filter=Q(assign_due__lt=today)))
    return {"bank_fen": ledgers.get(AccountKind.BANK, 0), "suspense_fen": ledgers.get(AccountKind.SUSPENSE, 0),
            "fee_fen": ledgers.get(AccountKind.FEE, 0), "to_pay_count": to_pay["n"], "to_pay_fen": to_pay["s"],
            "unidentified_count": unidentified["n"], "unidentified_late": unidentified["late"]}
