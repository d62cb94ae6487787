"""Case money's state changes, one transaction each: the ledger journal, the business record, the
case's execution-log entry and its flow node commit together or not at all. Pages, the API, imports
and commands all call these."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, LogAction
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase, NodeRecord
from zhixing.cases.services import ensure_can_act, ensure_role, record_service_node
from zhixing.documents.formatting import yuan_text as yuan
from zhixing.workdays import calendar

from . import ledger
from .choices import (
    OPEN_ORDER_STATUSES,
    AccountKind,
    DeferralStatus,
    JournalKind,
    OrderKind,
    OrderStatus,
    ReceiptChannel,
    ReceiptStatus,
)
from .ledger import credit, debit
from .models import Account, Approval, FeeRemittance, Journal, PayoutDeferral, PayoutOrder, Receipt
from .rules import (
    APPLICATION_FEE_CITATION,
    DEFAULT_APPROVAL_CHAIN,
    ORDERERS,
    PAYERS,
    RECORDERS,
    SEPARATION_CITATION,
    SET_OFF_CITATION,
    SET_OFF_RECORDERS,
    UNIDENTIFIED_ASSIGN,
    application_fee_fen,
)

# How far back a receipt may be dated (a statement of last year is still imported).
OLDEST_VALUE_DAYS = 400


# ---------------------------------------------------------------- helpers


def _check_value_on(value_on: dt.date, field: str) -> None:
    today = timezone.localdate()
    if value_on > today:
        raise ValidationFailed([FieldError(field, f"{value_on} 晚于今天（{today}）")])
    if value_on < today - dt.timedelta(days=OLDEST_VALUE_DAYS):
        raise ValidationFailed([FieldError(field, f"{value_on} 早于{OLDEST_VALUE_DAYS}日前，请核对日期")])


def _check_amount(amount_fen, field: str = "amount_fen") -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationFailed([FieldError(field, "金额须为整数“分”")])
    if amount_fen <= 0:
        raise ValidationFailed([FieldError(field, "金额须大于零")])
    if amount_fen >= 10**15:
        raise ValidationFailed([FieldError(field, "金额超出可记录范围")])
    return amount_fen


def _lock_cases(*cases: EnforcementCase) -> list[EnforcementCase]:
    """Lock the cases in pk order (two transfers between the same cases cannot deadlock)."""
    ids = sorted({c.pk for c in cases})
    rows = {c.pk: c for c in EnforcementCase.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    return [rows[c.pk] for c in cases]


def held_fen(case_id: int) -> int:
    """Money on the case's account already promised to open payout orders."""
    return PayoutOrder.objects.filter(case_id=case_id, status__in=OPEN_ORDER_STATUSES).aggregate(s=Sum("amount_fen"))["s"] or 0


def available_fen(case: EnforcementCase) -> int:
    account = Account.objects.filter(case_id=case.pk).first()
    return (account.balance_fen if account else 0) - held_fen(case.pk)


def set_off_left_fen(case_id: int) -> int:
    """Set-off credit (抵销) on the case not yet handed over. It brings no cash into the bank: only a
    non-cash payout may settle it, and cash orders, the fee and cash reversals must leave it alone,
    or they would pay out other cases' money."""
    credit = Receipt.objects.filter(case_id=case_id, channel=ReceiptChannel.SET_OFF,
                                    status=ReceiptStatus.BOOKED).aggregate(s=Sum("amount_fen"))["s"] or 0
    used = PayoutOrder.objects.filter(case_id=case_id, non_cash=True, status__in=(*OPEN_ORDER_STATUSES, OrderStatus.PAID)
                                      ).aggregate(s=Sum("amount_fen"))["s"] or 0
    return max(credit - used, 0)


def cash_available_fen(case: EnforcementCase) -> int:
    return available_fen(case) - set_off_left_fen(case.pk)


def _performed(case: EnforcementCase, delta: int) -> tuple[dict, dict]:
    """Move the case's 实际执行到位 by delta; returns the before/after for the log."""
    before = case.performed_amount_fen
    case.performed_amount_fen = max(before + delta, 0)
    case.save(update_fields=["performed_amount_fen"])
    return {"performed_amount_fen": before}, {"performed_amount_fen": case.performed_amount_fen}


def _log(case: EnforcementCase, actor, summary: str, *, action=LogAction.MONEY, reason: str = "", before=None,
         after=None, node_code: str = "") -> None:
    log_append(case=case, actor=actor, action=action, summary=summary[:300], reason=reason[:500], before=before,
               after=after, node_code=node_code)


def _supervise(case: EnforcementCase) -> None:
    from zhixing.supervision import engine

    engine.supervise_cases([case.pk])


def _funds_arrived(case: EnforcementCase, actor, on: dt.date, note: str) -> None:
    """执行款到账 starts the payout clock (supervision rule `payout`) — unless an approved deferral runs:
    its reason holds the case's money as a whole, so money arriving meanwhile waits with the rest."""
    record_service_node(case=case, node_code="funds_received", occurred_on=on, actor=actor, note=note,
                        once_per_day=True)
    deferral = PayoutDeferral.objects.filter(case_id=case.pk, status=DeferralStatus.ACTIVE).first()
    if deferral is not None:
        record_service_node(case=case, node_code="payout_deferred", occurred_on=on, actor=actor,
                            note=f"暂缓发放期间到账，一并暂缓（{deferral.get_reason_kind_display()}）", once_per_day=True)


def _settled_if_empty(case: EnforcementCase, actor, on: dt.date) -> bool:
    """When nothing is left on the case's account and nothing is promised, the money is dealt with:
    案款发放完成 answers every open payout deadline."""
    account = Account.objects.get(case_id=case.pk)
    if account.balance_fen or held_fen(case.pk):
        return False
    if not NodeRecord.objects.filter(case_id=case.pk, node_code="payout_prepared").exists():
        record_service_node(case=case, node_code="payout_prepared", occurred_on=on, actor=actor, note="案款已处理")
    record_service_node(case=case, node_code="payout_done", occurred_on=on, actor=actor, note="案款账户余额为零",
                        once_per_day=True)
    for deferral in PayoutDeferral.objects.filter(case_id=case.pk, status=DeferralStatus.ACTIVE):
        # Nothing is left to defer: the deferral ends with the money.
        deferral.status, deferral.ended_on, deferral.end_note = DeferralStatus.ENDED, on, "案款已全部处理，暂缓发放随之结束"
        deferral.save(update_fields=["status", "ended_on", "end_note"])
        _log(case, actor, f"暂缓发放结束：{deferral.end_note}", after={"deferral": deferral.pk, "status": deferral.status})
    return True


def case_by_sub_account(court_id: int, number: str) -> EnforcementCase | None:
    number = number.strip()
    account = Account.objects.filter(number=number, kind=AccountKind.CASE).select_related("case").first()
    if account is not None:
        return account.case if account.court_id == court_id else None
    # The number is known before the account is opened (on the notice, say): the case is in it.
    prefix = ledger.settings_for(court_id).sub_account_prefix
    body = number[len(prefix):-1]
    if not (number.startswith(prefix) and len(body) == 10 and body.isdigit() and ledger.luhn_valid(number)):
        return None
    return EnforcementCase.objects.filter(pk=int(body), court_id=court_id).first()


def assign_due(received_on: dt.date) -> dt.date:
    if UNIDENTIFIED_ASSIGN.unit == "working_days":
        return calendar.add_working_days(received_on, UNIDENTIFIED_ASSIGN.amount)
    return calendar.add_days(received_on, UNIDENTIFIED_ASSIGN.amount)


def payout_due(court_id: int, start: dt.date) -> dt.date:
    """The payout deadline the court applies (national 30 days, or its stricter adopted rule)."""
    from zhixing.supervision.models import RuleVersion
    from zhixing.supervision.policies import current_versions, ensure_rule_versions
    from zhixing.supervision.rules import RULES_BY_CODE, due_date

    ensure_rule_versions()
    version = RuleVersion.objects.get(pk=current_versions([court_id])[(court_id, "payout")])
    return due_date(version.amount, version.unit, start, extra_days=version.extra_days,
                    roll_off=RULES_BY_CODE["payout"].roll_off)


# ---------------------------------------------------------------- receipts


def _same_receipt(existing: Receipt, amount_fen: int, received_on: dt.date) -> Receipt:
    if existing.amount_fen != amount_fen or existing.received_on != received_on:
        raise Conflict(f"银行流水号 {existing.bank_reference} 已登记为 {yuan(existing.amount_fen)}（{existing.received_on}），"
                       f"与本次 {yuan(amount_fen)}（{received_on}）不符", code="bank_reference_conflict")
    return existing


def receipt_record(*, actor: User, court_id: int, amount_fen: int, received_on: dt.date,
                   channel: str = ReceiptChannel.VOLUNTARY, case: EnforcementCase | None = None,
                   sub_account_number: str = "", payer_name: str = "", payer_account: str = "",
                   bank_reference: str = "", note: str = "", unknown_to_suspense: bool = False) -> Receipt:
    """到账登记: money the bank reports. Booked to its case (given, or found by the sub-account
    number the payer used); with neither it is 不明款 and waits in suspense. The same bank reference
    books once: a retry returns the first receipt."""
    ensure_role(actor, RECORDERS, "登记到账")
    ensure_can_act(actor, court_id)
    _check_amount(amount_fen)
    _check_value_on(received_on, "received_on")
    if channel not in ReceiptChannel.values:
        raise ValidationFailed([FieldError("channel", f"未知来源 {channel}")])
    bank_reference = bank_reference.strip()
    sub_account_number = sub_account_number.strip()
    if bank_reference:
        existing = Receipt.objects.filter(court_id=court_id, bank_reference=bank_reference).first()
        if existing is not None:
            return _same_receipt(existing, amount_fen, received_on)
    if case is None and sub_account_number:
        case = case_by_sub_account(court_id, sub_account_number)
        if case is None and not unknown_to_suspense:
            hint = "（校验位不符，可能抄错）" if not ledger.luhn_valid(sub_account_number) else ""
            raise ValidationFailed([FieldError("sub_account_number", f"本院没有子账号 {sub_account_number}{hint}")])
    if case is not None and case.court_id != court_id:
        raise NotFound("案件不存在")
    if channel == ReceiptChannel.SET_OFF:
        if case is None:
            raise ValidationFailed([FieldError("case", "抵销须指明案件")])
        if not note.strip():
            raise ValidationFailed([FieldError("note", "抵销须载明依据（已生效法律文书或申请执行人认可）——异议复议规定第19条")])
    try:
        with transaction.atomic():
            return _receipt_book(actor=actor, court_id=court_id, amount_fen=amount_fen, received_on=received_on,
                                 channel=channel, case=case, sub_account_number=sub_account_number,
                                 payer_name=payer_name, payer_account=payer_account, bank_reference=bank_reference,
                                 note=note)
    except IntegrityError:
        # Two imports of the same statement line at once: the other one booked it.
        existing = Receipt.objects.filter(court_id=court_id, bank_reference=bank_reference).first() if bank_reference else None
        if existing is None:
            raise
        return _same_receipt(existing, amount_fen, received_on)


def _receipt_book(*, actor, court_id, amount_fen, received_on, channel, case, sub_account_number, payer_name,
                  payer_account, bank_reference, note) -> Receipt:
    source = ledger.ledger_account(court_id, AccountKind.NONCASH if channel == ReceiptChannel.SET_OFF else AccountKind.BANK)
    channel_label = ReceiptChannel(channel).label
    if case is None:
        target = ledger.ledger_account(court_id, AccountKind.SUSPENSE)
        journal = ledger.post(court_id=court_id, kind=JournalKind.RECEIPT, lines=[debit(source, amount_fen), credit(target, amount_fen)],
                              value_on=received_on, actor=actor, memo=f"不明款 {payer_name} {note}".strip())
        return Receipt.objects.create(
            court_id=court_id, case=None, channel=channel, status=ReceiptStatus.UNIDENTIFIED, amount_fen=amount_fen,
            received_on=received_on, payer_name=payer_name[:100], payer_account=payer_account[:40],
            sub_account_number=sub_account_number[:40], bank_reference=bank_reference[:60], note=note[:300],
            assign_due=assign_due(received_on), journal=journal, created_by=actor,
        )
    (case,) = _lock_cases(case)
    target = ledger.case_account(case)
    journal = ledger.post(court_id=court_id, kind=JournalKind.RECEIPT, case=case,
                          lines=[debit(source, amount_fen), credit(target, amount_fen)], value_on=received_on,
                          actor=actor, memo=f"{channel_label} {payer_name}".strip())
    receipt = Receipt.objects.create(
        court_id=court_id, case=case, channel=channel, status=ReceiptStatus.BOOKED, amount_fen=amount_fen,
        received_on=received_on, payer_name=payer_name[:100], payer_account=payer_account[:40],
        sub_account_number=sub_account_number[:40], bank_reference=bank_reference[:60], note=note[:300],
        journal=journal, created_by=actor,
    )
    before, after = _performed(case, amount_fen)
    _funds_arrived(case, actor, received_on, f"{channel_label}{yuan(amount_fen)}")
    _log(case, actor, f"执行款到账 {yuan(amount_fen)}（{channel_label}，{received_on:%Y-%m-%d}）", node_code="funds_received",
         before=before, after={**after, "receipt": receipt.pk, "journal": journal.pk, "bank_reference": bank_reference},
         reason=note)
    _supervise(case)
    return receipt


def receipt_assign(*, actor: User, receipt: Receipt, case: EnforcementCase, reason: str = "") -> Receipt:
    """不明款认领: move an unidentified receipt from suspense to its case."""
    ensure_role(actor, RECORDERS, "认领不明款")
    ensure_can_act(actor, receipt.court_id)
    if case.court_id != receipt.court_id:
        raise NotFound("案件不存在")
    today = timezone.localdate()
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status != ReceiptStatus.UNIDENTIFIED:
            if receipt.status == ReceiptStatus.ASSIGNED and receipt.case_id == case.pk:
                return receipt  # a retry
            raise Conflict(f"该笔款项{receipt.get_status_display()}，不能认领", code="receipt_not_unidentified")
        (case,) = _lock_cases(case)
        suspense = ledger.ledger_account(receipt.court_id, AccountKind.SUSPENSE)
        journal = ledger.post(court_id=receipt.court_id, kind=JournalKind.ASSIGN, case=case,
                              lines=[debit(suspense, receipt.amount_fen), credit(ledger.case_account(case), receipt.amount_fen)],
                              value_on=today, actor=actor, memo=f"认领不明款（到账{receipt.received_on:%Y-%m-%d}）",
                              reason=reason)
        receipt.case = case
        receipt.status = ReceiptStatus.ASSIGNED
        receipt.assign_journal = journal
        receipt.save(update_fields=["case", "status", "assign_journal"])
        before, after = _performed(case, receipt.amount_fen)
        late = today > receipt.assign_due if receipt.assign_due else False
        _funds_arrived(case, actor, today, f"认领不明款{yuan(receipt.amount_fen)}")
        _log(case, actor, f"认领不明款 {yuan(receipt.amount_fen)}（{receipt.received_on:%Y-%m-%d}到账"
             f"{'，已超认领期限' if late else ''}）", node_code="funds_received", before=before,
             after={**after, "receipt": receipt.pk, "journal": journal.pk}, reason=reason)
        _supervise(case)
    return receipt


def receipt_return(*, actor: User, receipt: Receipt, reason: str, bank_reference: str = "") -> Receipt:
    """不明款退回: pay an unidentified receipt back to whoever sent it."""
    ensure_role(actor, RECORDERS, "退回不明款")
    ensure_can_act(actor, receipt.court_id)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请填写退回理由")])
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == ReceiptStatus.RETURNED:
            return receipt
        if receipt.status != ReceiptStatus.UNIDENTIFIED:
            raise Conflict(f"该笔款项{receipt.get_status_display()}，不能退回", code="receipt_not_unidentified")
        bank_reference = bank_reference.strip()
        if bank_reference and _bank_debit_reference_used(receipt.court_id, bank_reference):
            raise Conflict(f"银行流水号 {bank_reference} 已用于另一笔支出", code="bank_reference_conflict")
        journal = ledger.post(court_id=receipt.court_id, kind=JournalKind.RETURN,
                              lines=[debit(ledger.ledger_account(receipt.court_id, AccountKind.SUSPENSE), receipt.amount_fen),
                                     credit(ledger.ledger_account(receipt.court_id, AccountKind.BANK), receipt.amount_fen)],
                              value_on=timezone.localdate(), actor=actor,
                              memo=f"退回不明款 {receipt.payer_name} {bank_reference}".strip(), reason=reason)
        receipt.status, receipt.return_journal, receipt.return_reference = ReceiptStatus.RETURNED, journal, bank_reference[:60]
        receipt.save(update_fields=["status", "return_journal", "return_reference"])
    return receipt


def _bank_debit_reference_used(court_id: int, reference: str) -> bool:
    """Each money-out line of the bank statement is one payment, return or remittance."""
    return (PayoutOrder.objects.filter(court_id=court_id, bank_reference=reference).exists()
            or Receipt.objects.filter(court_id=court_id, return_reference=reference).exists()
            or FeeRemittance.objects.filter(court_id=court_id, bank_reference=reference).exists())


# ---------------------------------------------------------------- corrections


REVERSIBLE = (JournalKind.RECEIPT, JournalKind.ASSIGN, JournalKind.FEE, JournalKind.PAYOUT, JournalKind.REFUND)


def journal_reverse(*, actor: User, journal: Journal, reason: str) -> Journal:
    """冲正: a mistaken journal is answered by its mirror image, with the reason; the original stays.
    Refused when the money is no longer there (paid out, or promised to an open payout order)."""
    ensure_role(actor, RECORDERS, "冲正")
    ensure_can_act(actor, journal.court_id)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "冲正须写明理由")])
    with transaction.atomic():
        return _reverse(actor, journal, reason)


def _reverse(actor: User, journal: Journal, reason: str) -> Journal:
    """The reversal itself; the caller has checked who may do it and holds a transaction."""
    journal = Journal.objects.select_for_update().get(pk=journal.pk)
    if Journal.objects.filter(reverses_id=journal.pk).exists():
        return journal.reversed_by  # a retry
    if journal.kind not in REVERSIBLE:
        raise DomainError(f"“{journal.get_kind_display()}”凭证不能冲正；请按业务撤回或重新办理", code="not_reversible")
    receipt = Receipt.objects.filter(journal_id=journal.pk).first()
    case = None
    if journal.case_id:
        (case,) = _lock_cases(journal.case)
        account = ledger.case_account(case)
        case_delta = sum(p.amount_fen for p in journal.postings.all() if p.account_id == account.pk)
        # Reversing a credit to the case takes money off it: the promised part must stay.
        if case_delta < 0:
            account.refresh_from_db()
            free = account.balance_fen - held_fen(case.pk)
            set_off = set_off_left_fen(case.pk)
            is_set_off = receipt is not None and receipt.channel == ReceiptChannel.SET_OFF
            # Cash taken off must leave the set-off credit alone, and set-off credit taken off must not be
            # already handed over.
            room = min(free, set_off) if is_set_off else free - set_off
            if room < -case_delta:
                raise ledger.Overdrawn(f"案款可用余额 {yuan(max(room, 0))} 不足冲正 {yuan(-case_delta)}："
                                       "款项已发放或已申请发放" + ("" if is_set_off or not set_off else f"（其中 {yuan(set_off)} 为抵销款）"))
    if receipt is not None and receipt.status in (ReceiptStatus.ASSIGNED, ReceiptStatus.RETURNED):
        # Its money has left suspense: reversing the arrival would take someone else's.
        raise Conflict(f"该笔款项{receipt.get_status_display()}，请先冲正认领或按退回处理", code="receipt_not_unidentified")
    reversal = ledger.reverse(journal, actor=actor, reason=reason, value_on=timezone.localdate())
    if receipt is not None:
        receipt.status = ReceiptStatus.REVERSED
        receipt.save(update_fields=["status"])
    assigned = Receipt.objects.filter(assign_journal_id=journal.pk).first()
    if assigned is not None:  # the assignment was wrong: the money waits in suspense again
        assigned.status = ReceiptStatus.UNIDENTIFIED
        assigned.case = None
        assigned.save(update_fields=["status", "case"])
    order = PayoutOrder.objects.filter(journal_id=journal.pk).first()
    if order is not None:
        order.status = OrderStatus.APPROVED  # the bank returned it: pay again (or cancel)
        order.closed_note = f"银行退回：{reason}"[:500]
        order.save(update_fields=["status", "closed_note"])
    if case is not None:
        before = after = None
        if journal.kind in (JournalKind.RECEIPT, JournalKind.ASSIGN):
            before, after = _performed(case, -receipt_amount(journal))
        elif journal.kind == JournalKind.REFUND:
            before, after = _performed(case, receipt_amount(journal))
        _log(case, actor, f"冲正凭证{journal.pk}（{journal.get_kind_display()}）", reason=reason, before=before,
             after={**(after or {}), "journal": reversal.pk, "reverses": journal.pk})
        _supervise(case)
    return reversal


def receipt_amount(journal: Journal) -> int:
    return sum(p.amount_fen for p in journal.postings.all() if p.amount_fen > 0)


# ---------------------------------------------------------------- fee


def fee_status(case: EnforcementCase) -> dict:
    """执行申请费: by the statutory bands on what was actually enforced, less what was settled."""
    account = Account.objects.filter(case_id=case.pk).first()
    settled = 0
    if account is not None:
        # A fee debits the case account; its reversal credits it back.
        fees = account.postings.filter(Q(journal__kind=JournalKind.FEE)
                                       | Q(journal__kind=JournalKind.REVERSAL, journal__reverses__kind=JournalKind.FEE))
        settled = fees.aggregate(s=Sum("amount_fen"))["s"] or 0
    performed = EnforcementCase.objects.filter(pk=case.pk).values_list("performed_amount_fen", flat=True).get()
    due = application_fee_fen(performed) if performed else 0
    return {"basis_fen": performed, "due_fen": due, "settled_fen": settled,
            "outstanding_fen": max(due - settled, 0), "excess_fen": max(settled - due, 0),
            "citation": APPLICATION_FEE_CITATION}


def fee_settle(*, actor: User, case: EnforcementCase, reason: str = "") -> Journal | None:
    """Take the enforcement fee from the case's money (paid after enforcement, borne by the
    respondent); only what is available, the rest stays outstanding. When the basis has since gone
    down (money moved on to the case it belonged to, which pays the fee on it), the excess goes back
    to the case account first."""
    ensure_role(actor, RECORDERS, "结算执行费")
    ensure_can_act(actor, case.court_id)
    with transaction.atomic():
        (case,) = _lock_cases(case)
        status = fee_status(case)
        if status["excess_fen"] > 0:
            return _fee_refund_excess(actor, case, status, reason)
        amount = min(status["outstanding_fen"], cash_available_fen(case))  # the fee is paid in cash
        if amount <= 0:
            raise DomainError("没有可结算的执行费" if status["outstanding_fen"] <= 0 else "案款可用余额为零，暂不能结算执行费",
                              code="no_fee_to_settle")
        journal = ledger.post(court_id=case.court_id, kind=JournalKind.FEE, case=case,
                              lines=[debit(ledger.case_account(case), amount),
                                     credit(ledger.ledger_account(case.court_id, AccountKind.FEE), amount)],
                              value_on=timezone.localdate(), actor=actor,
                              memo=f"执行申请费（执行到位 {yuan(status['basis_fen'])}）", reason=reason)
        _log(case, actor, f"结算执行申请费 {yuan(amount)}", reason=reason or APPLICATION_FEE_CITATION,
             after={"journal": journal.pk, "fee_due_fen": status["due_fen"], "settled_fen": status["settled_fen"] + amount})
        _settled_if_empty(case, actor, timezone.localdate())
        _supervise(case)
    return journal


def _fee_refund_excess(actor: User, case: EnforcementCase, status: dict, reason: str) -> Journal:
    amount = status["excess_fen"]
    fee_account = ledger.ledger_account(case.court_id, AccountKind.FEE)
    journal = ledger.post(court_id=case.court_id, kind=JournalKind.FEE, case=case,
                          lines=[debit(fee_account, amount), credit(ledger.case_account(case), amount)],
                          value_on=timezone.localdate(), actor=actor,
                          memo=f"退回多收执行申请费（执行到位 {yuan(status['basis_fen'])}，应收 {yuan(status['due_fen'])}）",
                          reason=reason)
    _log(case, actor, f"退回多收执行申请费 {yuan(amount)}", reason=reason or APPLICATION_FEE_CITATION,
         after={"journal": journal.pk, "fee_due_fen": status["due_fen"], "settled_fen": status["settled_fen"] - amount})
    _supervise(case)
    return journal


def fee_income_fen(court_id: int) -> int:
    account = Account.objects.filter(court_id=court_id, kind=AccountKind.FEE).first()
    return account.balance_fen if account else 0


def fee_remit(*, actor: User, court_id: int, amount_fen: int, remitted_on: dt.date, bank_reference: str,
              note: str = "") -> FeeRemittance:
    """执行费上缴: settled fee income paid out of the enforcement account to the treasury. The bank
    reference books once; it is what the statement's debit line is matched by."""
    ensure_role(actor, RECORDERS, "上缴执行费")
    ensure_can_act(actor, court_id)
    _check_amount(amount_fen)
    _check_value_on(remitted_on, "remitted_on")
    bank_reference = bank_reference.strip()
    if not bank_reference:
        raise ValidationFailed([FieldError("bank_reference", "请填写银行流水号")])
    with transaction.atomic():
        existing = FeeRemittance.objects.filter(court_id=court_id, bank_reference=bank_reference).first()
        if existing is not None:
            if (existing.amount_fen, existing.remitted_on) != (amount_fen, remitted_on):
                raise Conflict(f"银行流水号 {bank_reference} 已登记为上缴 {yuan(existing.amount_fen)}（{existing.remitted_on}）",
                               code="bank_reference_conflict")
            return existing  # a retry
        if _bank_debit_reference_used(court_id, bank_reference):
            raise Conflict(f"银行流水号 {bank_reference} 已用于另一笔支出", code="bank_reference_conflict")
        fee_account = ledger.ledger_account(court_id, AccountKind.FEE)
        journal = ledger.post(court_id=court_id, kind=JournalKind.REMIT,
                              lines=[debit(fee_account, amount_fen),
                                     credit(ledger.ledger_account(court_id, AccountKind.BANK), amount_fen)],
                              value_on=remitted_on, actor=actor, memo=f"执行费上缴 {bank_reference}", reason=note)
        return FeeRemittance.objects.create(court_id=court_id, amount_fen=amount_fen, remitted_on=remitted_on,
                                            bank_reference=bank_reference[:60], note=note.strip()[:300],
                                            journal=journal, created_by=actor)


# ---------------------------------------------------------------- payout orders


def approval_chain(court_id: int, amount_fen: int) -> list[dict]:
    configured = ledger.settings_for(court_id).approval_chain
    steps = configured or [step.as_dict() for step in DEFAULT_APPROVAL_CHAIN]
    return [step for step in steps if amount_fen >= int(step.get("min_fen", 0))]


def order_create(*, actor: User, case: EnforcementCase, amount_fen: int, reason: str, kind: str = OrderKind.PAYOUT,
                 payee_name: str = "", payee_account: str = "", payee_bank: str = "",
                 target_case: EnforcementCase | None = None, non_cash: bool = False, key: str | None = None) -> PayoutOrder:
    """付款申请: the case team asks to pay out, refund or transfer; the amount is held at once so two
    orders can never promise the same money."""
    ensure_role(actor, ORDERERS, "申请发放执行款")
    ensure_can_act(actor, case.court_id)
    if key:
        existing = PayoutOrder.objects.filter(key=key).first()
        if existing is not None:
            if existing.case_id != case.pk or existing.amount_fen != amount_fen:
                raise Conflict(f"幂等键 {key} 已用于付款单{existing.pk}（{existing.case.case_number}，{yuan(existing.amount_fen)}）",
                               code="key_conflict")
            return existing  # a retry
    _check_amount(amount_fen)
    errors = []
    if kind not in OrderKind.values:
        errors.append(FieldError("kind", f"未知类型 {kind}"))
    if not reason.strip():
        errors.append(FieldError("reason", "请填写事由"))
    if kind == OrderKind.TRANSFER:
        if target_case is None:
            errors.append(FieldError("target_case", "划转须指明划入案件"))
        elif target_case.pk == case.pk:
            errors.append(FieldError("target_case", "不能划转至本案"))
        elif target_case.court_id != case.court_id:
            errors.append(FieldError("target_case", "只能划转至本院案件"))
    elif not non_cash:
        if not payee_name.strip():
            errors.append(FieldError("payee_name", "请填写收款人"))
        if not payee_account.strip():
            errors.append(FieldError("payee_account", "请填写收款账号"))
        elif not payee_account.replace(" ", "").isdigit():
            errors.append(FieldError("payee_account", "收款账号只能由数字组成"))
    if non_cash and kind != OrderKind.PAYOUT:
        errors.append(FieldError("non_cash", "只有向申请执行人发放可以非现金（抵销）方式清偿"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        (case,) = _lock_cases(case)
        if case.status == CaseStatus.ARCHIVED:
            raise DomainError("案件已归档，不能再申请发款", code="case_archived")
        account = ledger.case_account(case)
        account = Account.objects.select_for_update().get(pk=account.pk)
        free = account.balance_fen - held_fen(case.pk)
        if amount_fen > free:
            raise ledger.Overdrawn(f"案款可用余额 {yuan(free)}，不足申请 {yuan(amount_fen)}"
                                   f"（账户余额 {yuan(account.balance_fen)}，其中已申请待付 {yuan(account.balance_fen - free)}）")
        set_off = set_off_left_fen(case.pk)
        if non_cash and amount_fen > set_off:
            raise ledger.Overdrawn(f"本案尚未清偿的抵销款 {yuan(set_off)}，不足以非现金方式清偿 {yuan(amount_fen)}"
                                   "（现金须以银行支付发放）")
        if not non_cash and amount_fen > free - set_off:
            raise ledger.Overdrawn(f"可以现金支付的案款 {yuan(max(free - set_off, 0))}，不足申请 {yuan(amount_fen)}"
                                   f"（其中 {yuan(set_off)} 为抵销款，只能以非现金方式清偿）")
        order = PayoutOrder.objects.create(
            court_id=case.court_id, case=case, kind=kind, amount_fen=amount_fen, payee_name=payee_name.strip()[:100],
            payee_account=payee_account.replace(" ", "")[:40], payee_bank=payee_bank.strip()[:100],
            target_case=target_case, non_cash=non_cash, reason=reason.strip()[:500],
            chain=approval_chain(case.court_id, amount_fen), ordered_by=actor, ordered_at=timezone.now(), key=key,
        )
        if not order.chain:
            order.status = OrderStatus.APPROVED
            order.save(update_fields=["status"])
        record_service_node(case=case, node_code="payout_prepared", occurred_on=timezone.localdate(), actor=actor,
                            note=f"付款单{order.pk}", once_per_day=True)
        _log(case, actor, f"申请{order.get_kind_display()} {yuan(amount_fen)}（付款单{order.pk}"
             f"{'，收款人' + order.payee_name if order.payee_name else ''}{'，划入' + target_case.case_number if target_case else ''}）",
             action=LogAction.MONEY_ORDER, node_code="payout_prepared", reason=reason,
             after={"order": order.pk, "amount_fen": amount_fen, "chain": [s["role"] for s in order.chain]})
        _supervise(case)
    return order


def decide_refusal(user: User, order: PayoutOrder) -> str | None:
    """Why `user` may not decide the order's current step, or None. Pages offer the buttons by it."""
    if order.status != OrderStatus.PENDING:
        return f"付款单{order.get_status_display()}"
    role = order.step_role
    if not user.is_superuser:
        if user.court_id != order.court_id or user.is_read_only:
            return "只有本院人员可以审批"
        if user.role != role:
            return f"本步骤须由{Role(role).label}审批"
    if user.pk == order.ordered_by_id:
        return f"申请人不能审批自己的付款申请（{SEPARATION_CITATION}）"
    if any(a.approver_id == user.pk for a in order.approvals.all()):  # prefetched on the pages
        return f"同一人不能审批两个步骤（{SEPARATION_CITATION}）"
    return None


def order_decide(*, actor: User, order: PayoutOrder, approve: bool, note: str = "") -> PayoutOrder:
    if not approve and not note.strip():
        raise ValidationFailed([FieldError("note", "不予批准须写明理由")])
    with transaction.atomic():
        # A transfer's last approval books it on both cases: lock both now, in pk order, or two
        # transfers between the same cases in opposite directions deadlock.
        (case, *_target) = _lock_cases(order.case, *([order.target_case] if order.target_case_id else []))
        order = PayoutOrder.objects.select_for_update().get(pk=order.pk)
        refusal = decide_refusal(actor, order)
        if refusal:
            raise NotAllowed(refusal)
        step = order.next_step
        Approval.objects.create(order=order, step=step, role=order.chain[step]["role"], approver=actor, approved=approve,
                                note=note.strip()[:500], at=timezone.now())
        if not approve:
            order.status = OrderStatus.REJECTED
            order.closed_note = note.strip()[:500]
        else:
            order.next_step = step + 1
            if order.next_step >= len(order.chain):
                order.status = OrderStatus.APPROVED
        order.save(update_fields=["status", "next_step", "closed_note"])
        role_label = Role(order.chain[step]["role"]).label
        _log(case, actor, f"付款单{order.pk}：{role_label}{'同意' if approve else '不予批准'}（{yuan(order.amount_fen)}）",
             action=LogAction.MONEY_ORDER, reason=note, after={"order": order.pk, "step": step, "status": order.status})
        if order.status == OrderStatus.APPROVED and order.kind == OrderKind.TRANSFER:
            _transfer(actor, order, case)
    return order


def _transfer(actor: User, order: PayoutOrder, case: EnforcementCase) -> None:
    """An approved transfer between two of the court's cases is booked at once: no bank is involved."""
    today = timezone.localdate()
    case, target = _lock_cases(case, order.target_case)
    journal = ledger.post(court_id=case.court_id, kind=JournalKind.TRANSFER,
                          case=case, lines=[debit(ledger.case_account(case), order.amount_fen),
                                            credit(ledger.case_account(target), order.amount_fen)],
                          value_on=today, actor=actor, memo=f"付款单{order.pk} 划转至{target.case_number}", reason=order.reason)
    order.status = OrderStatus.PAID
    order.paid_on = today
    order.journal = journal
    order.save(update_fields=["status", "paid_on", "journal"])
    before, after = _performed(case, -order.amount_fen)
    _log(case, actor, f"划转 {yuan(order.amount_fen)} 至{target.case_number}（付款单{order.pk}）", before=before,
         after={**after, "journal": journal.pk}, reason=order.reason)
    before, after = _performed(target, order.amount_fen)
    _funds_arrived(target, actor, today, f"自{case.case_number}划入{yuan(order.amount_fen)}")
    _log(target, actor, f"自{case.case_number}划入 {yuan(order.amount_fen)}（付款单{order.pk}）", node_code="funds_received",
         before=before, after={**after, "journal": journal.pk}, reason=order.reason)
    _settled_if_empty(case, actor, today)
    _supervise(case)
    _supervise(target)


def order_cancel(*, actor: User, order: PayoutOrder, reason: str) -> PayoutOrder:
    """撤回: the orderer (or a judge of the court) withdraws an order not yet paid; its hold ends."""
    ensure_can_act(actor, order.court_id)
    if not (actor.is_superuser or actor.pk == order.ordered_by_id or actor.role in (Role.JUDGE, Role.BUREAU_HEAD)):
        raise NotAllowed("只有申请人、执行法官或局长可以撤回付款申请")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请填写撤回理由")])
    with transaction.atomic():
        (case,) = _lock_cases(order.case)
        order = PayoutOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.CANCELLED:
            return order
        if order.status not in OPEN_ORDER_STATUSES:
            raise Conflict(f"付款单{order.get_status_display()}，不能撤回", code="order_closed")
        order.status = OrderStatus.CANCELLED
        order.closed_note = reason.strip()[:500]
        order.save(update_fields=["status", "closed_note"])
        _log(case, actor, f"撤回付款单{order.pk}（{yuan(order.amount_fen)}）", action=LogAction.MONEY_ORDER, reason=reason,
             after={"order": order.pk, "status": order.status})
    return order


def order_pay(*, actor: User, order: PayoutOrder, paid_on: dt.date | None = None, bank_reference: str = "") -> PayoutOrder:
    """支付: the finance desk pays an approved order and books it; the same bank reference twice is a
    retry and books nothing."""
    ensure_role(actor, PAYERS, "支付执行款")
    ensure_can_act(actor, order.court_id)
    paid_on = paid_on or timezone.localdate()
    _check_value_on(paid_on, "paid_on")
    bank_reference = bank_reference.strip()
    if not order.non_cash and not bank_reference:
        raise ValidationFailed([FieldError("bank_reference", "请填写银行流水号")])
    with transaction.atomic():
        (case,) = _lock_cases(order.case)
        order = PayoutOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.PAID:
            if order.bank_reference == bank_reference:
                return order
            raise Conflict(f"付款单{order.pk}已于{order.paid_on}支付（流水号 {order.bank_reference}）", code="order_paid")
        if order.status != OrderStatus.APPROVED:
            raise Conflict(f"付款单{order.get_status_display()}，不能支付", code="order_not_approved")
        if order.kind == OrderKind.TRANSFER:
            raise Conflict("划转在批准时已入账", code="transfer_not_paid")
        if bank_reference and _bank_debit_reference_used(order.court_id, bank_reference):
            raise Conflict(f"银行流水号 {bank_reference} 已用于另一笔支出", code="bank_reference_conflict")
        _book_payment(actor, order, case, paid_on, bank_reference)
    return order


def _book_payment(actor: User, order: PayoutOrder, case: EnforcementCase, paid_on: dt.date, bank_reference: str) -> None:
    """Book an approved order as paid; the caller holds the case lock and has checked the rest."""
    out = ledger.ledger_account(order.court_id, AccountKind.NONCASH if order.non_cash else AccountKind.BANK)
    kind = JournalKind.REFUND if order.kind == OrderKind.REFUND else JournalKind.PAYOUT
    journal = ledger.post(court_id=order.court_id, kind=kind, case=case,
                          lines=[debit(ledger.case_account(case), order.amount_fen), credit(out, order.amount_fen)],
                          value_on=paid_on, actor=actor, memo=f"付款单{order.pk} {order.payee_name}".strip(),
                          reason=order.reason)
    order.status = OrderStatus.PAID
    order.paid_on = paid_on
    order.bank_reference = bank_reference
    order.paid_by = actor
    order.journal = journal
    order.save(update_fields=["status", "paid_on", "bank_reference", "paid_by", "journal"])
    before = after = None
    if order.kind == OrderKind.REFUND:
        before, after = _performed(case, -order.amount_fen)
    _log(case, actor, f"{order.get_kind_display()} {yuan(order.amount_fen)} 已支付（付款单{order.pk}，"
         f"{order.payee_name or '非现金'}{'，流水号' + bank_reference if bank_reference else ''}）",
         before=before, after={**(after or {}), "order": order.pk, "journal": journal.pk})
    _settled_if_empty(case, actor, paid_on)
    _supervise(case)


# ---------------------------------------------------------------- set-off decided by a procedure


def set_off_settle(*, actor: User, case: EnforcementCase, amount_fen: int, basis: str, reference: str,
                   on: dt.date | None = None) -> Receipt:
    """抵销履行: the respondent's counter-claim against the applicant, set off by an approved procedure
    (a netting proposal), is performance of the case: booked as set-off credit to the case and handed
    over to the applicant at once as a non-cash payout — one transaction, no bank. Idempotent by
    `reference` (e.g. "NET12-345"): a retry returns the first receipt."""
    ensure_role(actor, SET_OFF_RECORDERS, "记录抵销")
    ensure_can_act(actor, case.court_id)
    _check_amount(amount_fen)
    on = on or timezone.localdate()
    _check_value_on(on, "on")
    reference = reference.strip()
    errors = []
    if not basis.strip():
        errors.append(FieldError("basis", f"抵销须载明依据（{SET_OFF_CITATION}）"))
    if not reference:
        errors.append(FieldError("reference", "抵销须有唯一编号（幂等）"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        (case,) = _lock_cases(case)
        existing = Receipt.objects.filter(court_id=case.court_id, bank_reference=reference).first()
        if existing is not None:
            if existing.case_id != case.pk or existing.channel != ReceiptChannel.SET_OFF:
                raise Conflict(f"编号 {reference} 已用于另一笔款项", code="bank_reference_conflict")
            return _same_receipt(existing, amount_fen, on)
        receipt = _receipt_book(actor=actor, court_id=case.court_id, amount_fen=amount_fen, received_on=on,
                                channel=ReceiptChannel.SET_OFF, case=case, sub_account_number="", payer_name="",
                                payer_account="", bank_reference=reference, note=basis.strip())
        order = PayoutOrder.objects.create(
            court_id=case.court_id, case=case, kind=OrderKind.PAYOUT, amount_fen=amount_fen,
            payee_name=case.applicant_names[:100], non_cash=True, reason=f"抵销：{basis.strip()}"[:500],
            chain=[], status=OrderStatus.APPROVED, ordered_by=actor, ordered_at=timezone.now(), key=reference,
        )
        record_service_node(case=case, node_code="payout_prepared", occurred_on=on, actor=actor,
                            note=f"抵销 {reference}", once_per_day=True)
        _book_payment(actor, order, case, on, "")
    return receipt


def set_off_reverse(*, actor: User, reference: str, court_id: int, reason: str) -> Receipt:
    """Undo a set-off recorded by `set_off_settle` (the procedure was reversed): the non-cash payout
    and the set-off credit are each answered by a reversing journal; the originals stay."""
    ensure_role(actor, SET_OFF_RECORDERS, "撤销抵销")
    ensure_can_act(actor, court_id)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "撤销抵销须写明理由")])
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().filter(court_id=court_id, bank_reference=reference.strip(),
                                                             channel=ReceiptChannel.SET_OFF).first()
        if receipt is None:
            raise NotFound(f"没有编号为 {reference} 的抵销记录")
        if receipt.status == ReceiptStatus.REVERSED:
            return receipt  # a retry
        (case,) = _lock_cases(receipt.case)
        order = PayoutOrder.objects.select_for_update().filter(key=receipt.bank_reference, case_id=case.pk).first()
        if order is not None and order.status == OrderStatus.PAID:
            _reverse(actor, order.journal, reason)  # leaves the order approved again …
            order.refresh_from_db()
        if order is not None and order.status in OPEN_ORDER_STATUSES:
            order.status = OrderStatus.CANCELLED  # … and it is not to be paid again
            order.closed_note = f"撤销抵销：{reason}"[:500]
            order.save(update_fields=["status", "closed_note"])
        _reverse(actor, receipt.journal, reason)
        receipt.refresh_from_db()
    return receipt
