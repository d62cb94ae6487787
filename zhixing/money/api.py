"""/api/v1/money: case money as JSON — accounts and balances, receipts and unidentified money, the
fee, payout orders and their approval chain, payment, reversals and the court's settings. Amounts
are integer fen. Thin: authorise, parse, call one service or selector, serialise; a refusal is
{"error", "message"} with its status (zhixing/api.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhixing.accounts.models import User
from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import FieldError, NotFound, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.courts.models import Court
from zhixing.documents.formatting import amount_capital

from . import ledger, selectors, services, services_deferrals, services_settings
from .choices import DeferralReason, OrderKind, ReceiptChannel, ReceiptStatus
from .models import Journal, PayoutDeferral, PayoutOrder, Receipt

router = Router(tags=["案款"])
MAX_PAGE_SIZE = 200


# ---------------------------------------------------------------- schemas


class FeeOut(Schema):
    basis_fen: int = Field(..., description="计费基数：实际执行到位（分）")
    due_fen: int
    settled_fen: int
    outstanding_fen: int
    excess_fen: int = Field(0, description="多收（执行到位减少后应退回案款账户的部分）")
    citation: str


class PayoutClockOut(Schema):
    start_on: dt.date | None = Field(None, description="发放期限起算日（最早到账）")
    due_on: dt.date | None = Field(None, description="发放期限")
    overdue: bool
    paused: bool
    deferred: bool = Field(False, description="经批准暂缓发放中（发放期限不计算）")


class AccountOut(Schema):
    case_id: int
    case_number: str
    account_number: str = Field(..., description="案款子账号（一案一账号）")
    balance_fen: int
    held_fen: int = Field(..., description="已申请待付（审批中、已批准未支付的付款单）")
    available_fen: int
    performed_amount_fen: int
    fee: FeeOut
    payout: PayoutClockOut


class ReceiptIn(Schema):
    amount_fen: int = Field(..., gt=0, description="金额（分）")
    received_on: dt.date
    channel: str = Field(ReceiptChannel.VOLUNTARY, description="voluntary/deduction/auction/sale/set_off/other")
    case_id: int | None = None
    case_number: str = ""
    sub_account_number: str = Field("", description="付款人填写的子账号；与案件均空：不明款")
    payer_name: str = ""
    payer_account: str = ""
    bank_reference: str = Field("", description="银行流水号：同一流水号只入账一次（重试返回原记录，200）")
    note: str = ""


class ReceiptOut(Schema):
    id: int
    case_id: int | None
    case_number: str | None
    channel: str
    status: str
    status_label: str
    amount_fen: int
    received_on: dt.date
    payer_name: str
    payer_account: str
    sub_account_number: str
    bank_reference: str
    note: str
    assign_due: dt.date | None = Field(None, description="不明款认领期限")
    overdue: bool = Field(..., description="不明款已超过认领期限")
    journal_id: int
    return_reference: str = Field("", description="不明款退回的银行流水号")


class ReceiptPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[ReceiptOut]


class AssignIn(Schema):
    case_id: int | None = None
    case_number: str = ""
    reason: str = ""


class ReturnIn(Schema):
    reason: str
    bank_reference: str = ""


class FeeIn(Schema):
    reason: str = ""


class JournalOut(Schema):
    id: int
    kind: str
    kind_label: str
    case_id: int | None
    value_on: dt.date
    posted_at: dt.datetime
    actor: str
    memo: str
    reason: str
    reverses_id: int | None
    reversed_by_id: int | None


class LineOut(Schema):
    journal: JournalOut
    amount_fen: int = Field(..., description="对本案账户：正数收入，负数支出（分）")
    balance_after_fen: int


class LinePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[LineOut]


class FeeSettledOut(Schema):
    journal: JournalOut
    amount_fen: int
    fee: FeeOut


class OrderIn(Schema):
    case_id: int
    kind: str = Field(OrderKind.PAYOUT, description="payout 发放 / refund 退款 / transfer 划转")
    amount_fen: int = Field(..., gt=0)
    reason: str
    payee_name: str = ""
    payee_account: str = ""
    payee_bank: str = ""
    target_case_id: int | None = None
    non_cash: bool = False
    key: str | None = Field(None, max_length=100, description="幂等键：同一键只生成一张付款单（重试返回原单，200）")


class StepOut(Schema):
    number: int
    role: str
    role_label: str
    min_fen: int
    state: str = Field(..., description="approved/rejected/current/waiting/not_reached")
    approver: str | None
    at: dt.datetime | None
    note: str


class ActionsOut(Schema):
    decide: bool
    decide_refusal: str | None
    cancel: bool
    pay: bool


class OrderOut(Schema):
    id: int
    case_id: int
    case_number: str
    kind: str
    status: str
    status_label: str
    amount_fen: int
    payee_name: str
    payee_account: str
    payee_bank: str
    target_case_id: int | None
    non_cash: bool
    reason: str
    step_role: str | None = Field(None, description="当前待审批步骤的角色")
    ordered_by: str
    ordered_at: dt.datetime
    paid_on: dt.date | None
    bank_reference: str
    journal_id: int | None
    closed_note: str


class OrderDetailOut(OrderOut):
    amount_capital: str = Field(..., description="大写金额")
    steps: list[StepOut]
    actions: ActionsOut


class OrderPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[OrderOut]


class OrderQuery(Schema):
    status: str = ""
    kind: str = ""
    case_id: int | None = None
    to_approve: bool = Field(False, description="只看待我审批（当前步骤由我审批且我可以审批）")
    mine: bool = Field(False, description="只看我的案件（承办或本团队）及我申请的")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class PageQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class UnidentifiedQuery(PageQuery):
    status: str = Field(ReceiptStatus.UNIDENTIFIED, description="unidentified/assigned/returned/reversed；空：全部")
    overdue: bool = False
    q: str = ""


class DeferralIn(Schema):
    reason_kind: str = Field(..., description="暂缓事由：" + "；".join(f"{v} {label}" for v, label in DeferralReason.choices))
    reason: str


class DeferralEndIn(Schema):
    ended_on: dt.date | None = Field(None, description="事由消除日；空：今天")
    note: str


class DeferralOut(Schema):
    id: int
    case_id: int
    reason_kind: str
    reason_label: str
    reason: str
    status: str
    status_label: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decision_note: str
    started_on: dt.date | None
    ended_on: dt.date | None
    end_note: str
    resume_due: dt.date | None = Field(None, description="恢复发放期限（事由消除后10日）")


class RemitIn(Schema):
    amount_fen: int
    remitted_on: dt.date
    bank_reference: str
    note: str = ""


class RemitOut(Schema):
    id: int
    amount_fen: int
    remitted_on: dt.date
    bank_reference: str
    note: str
    journal_id: int


class DecideIn(Schema):
    approve: bool
    note: str = ""


class CancelIn(Schema):
    reason: str


class PayIn(Schema):
    paid_on: dt.date | None = None
    bank_reference: str = ""


class ReverseIn(Schema):
    reason: str


class ChainStep(Schema):
    role: str
    min_fen: int = 0


class SettingsIn(Schema):
    bank_name: str = ""
    account_name: str = ""
    account_number: str = ""
    sub_account_prefix: str
    approval_chain: list[ChainStep]


class SettingsOut(Schema):
    court_id: int
    bank_name: str
    account_name: str
    account_number: str
    sub_account_prefix: str
    approval_chain: list[ChainStep]
    is_default_chain: bool
    updated_at: dt.datetime | None
    updated_by: str | None
    editable: bool


# ---------------------------------------------------------------- serialisers


def fee_out(fee: dict) -> dict:
    return {k: fee[k] for k in ("basis_fen", "due_fen", "settled_fen", "outstanding_fen", "excess_fen", "citation")}


def receipt_out(r: Receipt, today: dt.date, user: User) -> dict:
    return {
        "id": r.pk, "case_id": r.case_id, "case_number": r.case.case_number if r.case_id else None, "channel": r.channel,
        "status": r.status, "status_label": r.get_status_display(), "amount_fen": r.amount_fen,
        "received_on": r.received_on, "payer_name": r.payer_name,
        "payer_account": selectors.shown_account(user, r.payer_account), "sub_account_number": r.sub_account_number,
        "bank_reference": r.bank_reference, "note": r.note, "assign_due": r.assign_due,
        "overdue": bool(r.status == ReceiptStatus.UNIDENTIFIED and r.assign_due and r.assign_due < today),
        "journal_id": r.journal_id, "return_reference": r.return_reference,
    }


def journal_out(j: Journal) -> dict:
    reversal = getattr(j, "reversed_by", None) if selectors.is_reversed(j) else None
    return {"id": j.pk, "kind": j.kind, "kind_label": j.get_kind_display(), "case_id": j.case_id, "value_on": j.value_on,
            "posted_at": j.posted_at, "actor": j.actor_name, "memo": j.memo, "reason": j.reason,
            "reverses_id": j.reverses_id, "reversed_by_id": reversal.pk if reversal else None}


def order_out(o: PayoutOrder, user: User) -> dict:
    return {
        "id": o.pk, "case_id": o.case_id, "case_number": o.case.case_number, "kind": o.kind, "status": o.status,
        "status_label": o.get_status_display(), "amount_fen": o.amount_fen, "payee_name": o.payee_name,
        "payee_account": selectors.shown_account(user, o.payee_account), "payee_bank": o.payee_bank, "target_case_id": o.target_case_id,
        "non_cash": o.non_cash, "reason": o.reason, "step_role": o.step_role, "ordered_by": o.ordered_by.display_name,
        "ordered_at": o.ordered_at, "paid_on": o.paid_on, "bank_reference": o.bank_reference, "journal_id": o.journal_id,
        "closed_note": o.closed_note,
    }


def order_detail_out(user: User, order_id: int) -> dict:
    order = selectors.order_get_for_user(user=user, pk=order_id)
    steps = [{**{k: s[k] for k in ("number", "role", "role_label", "min_fen", "state")},
              "approver": s["approval"].approver.display_name if s["approval"] else None,
              "at": s["approval"].at if s["approval"] else None,
              "note": s["approval"].note if s["approval"] else ""} for s in selectors.order_steps(order)]
    actions = selectors.order_actions(user, order)
    return {**order_out(order, user), "amount_capital": amount_capital(order.amount_fen), "steps": steps,
            "actions": actions}


def page_out(rows: QuerySet, q, serialise) -> dict:
    count = rows.count()
    start = (q.page - 1) * q.page_size
    chunk = list(rows[start : start + q.page_size]) if start < count else []
    return {"count": count, "page": q.page, "page_size": q.page_size, "results": [serialise(r) for r in chunk]}


def _case(user: User, case_id: int) -> EnforcementCase:
    return case_selectors.case_get_for_user(user=user, pk=case_id)


def _case_by(user: User, *, case_id: int | None, case_number: str, field: str = "case_id") -> EnforcementCase | None:
    if case_id is not None:
        return _case(user, case_id)
    if case_number.strip():
        try:
            return case_selectors.case_get_by_number_for_user(user=user, case_number=case_number.strip())
        except NotFound as exc:
            raise ValidationFailed([FieldError("case_number", f"没有案号 {case_number.strip()}")]) from exc
    return None


def _logged_case(request, case_id: int) -> EnforcementCase:
    case = _case(request.user, case_id)
    case_selectors.log_case_view(user=request.user, case=case, kind="api_money_view")
    return case


# ---------------------------------------------------------------- accounts, receipts, journals


@router.get("/accounts/cases/{int:case_id}", response=AccountOut, summary="案款账户（子账号、余额、可用、执行费）")
def case_account(request, case_id: int):
    case = _case(request.user, case_id)
    summary = selectors.account_summary(request.user, case)
    return {"case_id": case.pk, "case_number": case.case_number, "account_number": summary["number"],
            "balance_fen": summary["balance_fen"], "held_fen": summary["held_fen"],
            "available_fen": summary["available_fen"], "performed_amount_fen": case.performed_amount_fen,
            "fee": fee_out(summary["fee"]), "payout": {**summary["payout"], "deferred": summary["payout"]["deferral"] is not None}}


@router.get("/cases/{int:case_id}/receipts", response=list[ReceiptOut], summary="案件的到账记录")
def case_receipts(request, case_id: int):
    case = _logged_case(request, case_id)
    today = timezone.localdate()
    return [receipt_out(r, today, request.user) for r in selectors.case_receipts(case)]


@router.get("/cases/{int:case_id}/journals", response=LinePageOut, summary="案款明细账（分页，新的在前，含余额）")
def case_journals(request, case_id: int, q: Query[PageQuery]):
    case = _case(request.user, case_id)
    return page_out(selectors.case_lines(case), q, lambda line: {
        "journal": journal_out(line.journal), "amount_fen": line.delta_fen, "balance_after_fen": line.balance_after_fen})


@router.post("/receipts", response={200: ReceiptOut, 201: ReceiptOut}, summary="到账登记（财务）")
def record_receipt(request, payload: ReceiptIn):
    user = request.user
    case = _case_by(user, case_id=payload.case_id, case_number=payload.case_number)
    court_id = case.court_id if case else user.court_id
    if court_id is None:
        raise ValidationFailed([FieldError("case_id", "请指明案件（系统管理员没有所属法院）")])
    reference = payload.bank_reference.strip()
    retry = selectors.receipt_seen(court_id, reference)
    receipt = services.receipt_record(
        actor=user, court_id=court_id, amount_fen=payload.amount_fen, received_on=payload.received_on,
        channel=payload.channel, case=case, sub_account_number=payload.sub_account_number,
        payer_name=payload.payer_name, payer_account=payload.payer_account, bank_reference=reference, note=payload.note)
    receipt = Receipt.objects.select_related("case").get(pk=receipt.pk)
    return Status(200 if retry else 201, receipt_out(receipt, timezone.localdate(), user))


@router.get("/unidentified", response=ReceiptPageOut, summary="不明款（含是否超过认领期限）")
def unidentified(request, q: Query[UnidentifiedQuery]):
    today = timezone.localdate()
    rows = selectors.unidentified_for(request.user, status=q.status, overdue=q.overdue, q=q.q)
    return page_out(rows, q, lambda r: receipt_out(r, today, request.user))


def _receipt(user: User, receipt_id: int) -> Receipt:
    return selectors.receipt_get_for_user(user=user, pk=receipt_id)


@router.post("/unidentified/{int:receipt_id}/assign", response=ReceiptOut, summary="认领不明款至案件（财务）")
def assign_receipt(request, receipt_id: int, payload: AssignIn):
    receipt = _receipt(request.user, receipt_id)
    case = _case_by(request.user, case_id=payload.case_id, case_number=payload.case_number)
    if case is None:
        raise ValidationFailed([FieldError("case_id", "请指明认领至哪一案件")])
    receipt = services.receipt_assign(actor=request.user, receipt=receipt, case=case, reason=payload.reason)
    return receipt_out(Receipt.objects.select_related("case").get(pk=receipt.pk), timezone.localdate(), request.user)


@router.post("/unidentified/{int:receipt_id}/return", response=ReceiptOut, summary="退回不明款（财务）")
def return_receipt(request, receipt_id: int, payload: ReturnIn):
    receipt = _receipt(request.user, receipt_id)
    receipt = services.receipt_return(actor=request.user, receipt=receipt, reason=payload.reason,
                                      bank_reference=payload.bank_reference)
    return receipt_out(Receipt.objects.select_related("case").get(pk=receipt.pk), timezone.localdate(), request.user)


@router.post("/cases/{int:case_id}/fee", response=FeeSettledOut, summary="结算执行申请费（财务）")
def settle_fee(request, case_id: int, payload: FeeIn):
    case = _case(request.user, case_id)
    journal = services.fee_settle(actor=request.user, case=case, reason=payload.reason)
    case.refresh_from_db()
    return {"journal": journal_out(journal), "amount_fen": services.receipt_amount(journal),
            "fee": fee_out(services.fee_status(case))}


@router.post("/journals/{int:journal_id}/reverse", response={201: JournalOut}, summary="冲正记账凭证（财务）")
def reverse_journal(request, journal_id: int, payload: ReverseIn):
    journal = selectors.journal_get_for_user(user=request.user, pk=journal_id)
    reversal = services.journal_reverse(actor=request.user, journal=journal, reason=payload.reason)
    return Status(201, journal_out(Journal.objects.select_related("reversed_by").get(pk=reversal.pk)))


# ---------------------------------------------------------------- orders


@router.post("/orders", response={200: OrderDetailOut, 201: OrderDetailOut}, summary="申请发放、退款或划转（法官、法官助理）")
def create_order(request, payload: OrderIn):
    user = request.user
    case = _case(user, payload.case_id)
    target = None
    if payload.target_case_id is not None:
        try:
            target = _case(user, payload.target_case_id)
        except NotFound as exc:
            raise ValidationFailed([FieldError("target_case_id", "划入案件不存在")]) from exc
    keyed_case_id = PayoutOrder.objects.filter(key=payload.key).values_list("case_id", flat=True).first() if payload.key else None
    retry = keyed_case_id is not None
    if retry and keyed_case_id != case.pk:
        raise ValidationFailed([FieldError("key", "该幂等键已用于另一案件的付款单")])
    order = services.order_create(
        actor=user, case=case, amount_fen=payload.amount_fen, reason=payload.reason, kind=payload.kind,
        payee_name=payload.payee_name, payee_account=payload.payee_account, payee_bank=payload.payee_bank,
        target_case=target, non_cash=payload.non_cash, key=payload.key or None)
    return Status(200 if retry else 201, order_detail_out(user, order.pk))


@router.get("/orders", response=OrderPageOut, summary="付款单（筛选：状态、类型、案件、待我审批、我的）")
def list_orders(request, q: Query[OrderQuery]):
    rows = selectors.orders_for(request.user, status=q.status, kind=q.kind, case_id=q.case_id, mine=q.mine,
                                to_approve=q.to_approve)
    return page_out(rows, q, lambda o: order_out(o, request.user))


@router.get("/orders/{int:order_id}", response=OrderDetailOut, summary="付款单（审批流程及可办理的操作）")
def get_order(request, order_id: int):
    return order_detail_out(request.user, order_id)


def _order(user: User, order_id: int) -> PayoutOrder:
    return selectors.order_get_for_user(user=user, pk=order_id)


@router.post("/orders/{int:order_id}/decide", response=OrderDetailOut, summary="审批（同意或不予批准）")
def decide_order(request, order_id: int, payload: DecideIn):
    order = services.order_decide(actor=request.user, order=_order(request.user, order_id), approve=payload.approve,
                                  note=payload.note)
    return order_detail_out(request.user, order.pk)


@router.post("/orders/{int:order_id}/cancel", response=OrderDetailOut, summary="撤回付款申请")
def cancel_order(request, order_id: int, payload: CancelIn):
    order = services.order_cancel(actor=request.user, order=_order(request.user, order_id), reason=payload.reason)
    return order_detail_out(request.user, order.pk)


@router.post("/orders/{int:order_id}/pay", response=OrderDetailOut, summary="支付已批准的付款单（财务；同一流水号重试不重复记账）")
def pay_order(request, order_id: int, payload: PayIn):
    order = services.order_pay(actor=request.user, order=_order(request.user, order_id), paid_on=payload.paid_on,
                               bank_reference=payload.bank_reference)
    return order_detail_out(request.user, order.pk)


# ---------------------------------------------------------------- settings


def settings_out(user: User, court: Court) -> dict:
    row = ledger.settings_for(court.pk)
    return {"court_id": court.pk, "bank_name": row.bank_name, "account_name": row.account_name,
            "account_number": row.account_number, "sub_account_prefix": row.sub_account_prefix,
            "approval_chain": services_settings.effective_chain(row), "is_default_chain": not row.approval_chain,
            "updated_at": row.updated_at if row.pk else None,
            "updated_by": row.updated_by.display_name if row.updated_by_id else None,
            "editable": services_settings.may_edit(user, court.pk)}


@router.get("/settings", response=SettingsOut, summary="本院案款设置（专户、子账号前缀、审批流程）")
def get_settings(request, court_id: int | None = None):
    return settings_out(request.user, selectors.settings_court(request.user, court_id))


@router.put("/settings", response=SettingsOut, summary="修改本院案款设置（执行局长、院长、系统管理员；留有修改记录）")
def put_settings(request, payload: SettingsIn, court_id: int | None = None):
    court = selectors.settings_court(request.user, court_id)
    services_settings.money_settings_update(
        actor=request.user, court=court, bank_name=payload.bank_name, account_name=payload.account_name,
        account_number=payload.account_number, sub_account_prefix=payload.sub_account_prefix,
        approval_chain=[step.dict() for step in payload.approval_chain])
    return settings_out(request.user, court)


# ---------------------------------------------------------------- deferral, fee remittance


def deferral_out(d: PayoutDeferral) -> dict:
    return {
        "id": d.pk, "case_id": d.case_id, "reason_kind": d.reason_kind, "reason_label": d.get_reason_kind_display(),
        "reason": d.reason, "status": d.status, "status_label": d.get_status_display(),
        "requested_by": d.requested_by.display_name, "requested_at": d.requested_at,
        "decided_by": d.decided_by.display_name if d.decided_by_id else None, "decision_note": d.decision_note,
        "started_on": d.started_on, "ended_on": d.ended_on, "end_note": d.end_note, "resume_due": d.resume_due,
    }


def _deferral(user: User, deferral_id: int) -> PayoutDeferral:
    return selectors.deferral_get_for_user(user=user, pk=deferral_id)


@router.get("/cases/{int:case_id}/deferrals", response=list[DeferralOut], summary="案件的暂缓发放")
def case_deferrals(request, case_id: int):
    return [deferral_out(d) for d in selectors.case_deferrals(_case(request.user, case_id))]


@router.post("/cases/{int:case_id}/deferrals", response={201: DeferralOut}, summary="申请暂缓发放（法官、法官助理）")
def request_deferral(request, case_id: int, payload: DeferralIn):
    deferral = services_deferrals.deferral_request(actor=request.user, case=_case(request.user, case_id),
                                                   reason_kind=payload.reason_kind, reason=payload.reason)
    return Status(201, deferral_out(_deferral(request.user, deferral.pk)))


@router.post("/deferrals/{int:deferral_id}/decide", response=DeferralOut, summary="审批暂缓发放（执行局长、院领导）")
def decide_deferral(request, deferral_id: int, payload: DecideIn):
    deferral = services_deferrals.deferral_decide(actor=request.user, deferral=_deferral(request.user, deferral_id),
                                                  approve=payload.approve, note=payload.note)
    return deferral_out(_deferral(request.user, deferral.pk))


@router.post("/deferrals/{int:deferral_id}/end", response=DeferralOut, summary="登记暂缓事由消除（此后10日内发放）")
def end_deferral(request, deferral_id: int, payload: DeferralEndIn):
    deferral = services_deferrals.deferral_end(actor=request.user, deferral=_deferral(request.user, deferral_id),
                                               ended_on=payload.ended_on, note=payload.note)
    return deferral_out(_deferral(request.user, deferral.pk))


@router.post("/fee-remittances", response={201: RemitOut}, summary="登记执行费上缴（财务；同一流水号重试不重复记账）")
def remit_fee(request, payload: RemitIn):
    user = request.user
    if user.court_id is None:
        raise ValidationFailed([FieldError("court", "系统管理员不属于任何法院，请由法院财务人员登记")])
    r = services.fee_remit(actor=user, court_id=user.court_id, amount_fen=payload.amount_fen,
                           remitted_on=payload.remitted_on, bank_reference=payload.bank_reference, note=payload.note)
    return Status(201, {"id": r.pk, "amount_fen": r.amount_fen, "remitted_on": r.remitted_on,
                        "bank_reference": r.bank_reference, "note": r.note, "journal_id": r.journal_id})
