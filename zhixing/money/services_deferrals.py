"""暂缓发放 (payout deferral): the case team asks, the bureau head or a court leader approves, and
while it runs the payout deadline is answered by it; when its reason ends the money is due within
10 days (rules.AFTER_DEFERRAL). Supervision reads the nodes these services record:
`payout_deferred` answers the `payout` rule, `payout_deferral_ended` starts `payout_after_deferral`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus
from zhixing.cases.exceptions import Conflict, FieldError, NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import ensure_can_act, ensure_role, record_service_node
from zhixing.documents.formatting import yuan_text as yuan
from zhixing.supervision.rules import due_date

from .choices import DeferralReason, DeferralStatus
from .models import Account, PayoutDeferral
from .rules import AFTER_DEFERRAL, DEFERRAL_APPROVERS, DEFERRAL_CITATION, DEFERRAL_REQUESTERS
from .services import _lock_cases, _log, _settled_if_empty, _supervise


def resume_due(ended_on: dt.date) -> dt.date:
    """The last day to pay once the deferral's reason has ended (10 days; CPL Art. 85 roll-off)."""
    return due_date(AFTER_DEFERRAL.amount, AFTER_DEFERRAL.unit, ended_on)


def deferral_refusal(user: User, deferral: PayoutDeferral) -> str | None:
    """Why `user` may not decide the deferral, or None. Pages offer the buttons by it."""
    if deferral.status != DeferralStatus.PENDING:
        return f"暂缓发放申请{deferral.get_status_display()}"
    if not user.is_superuser:
        if user.court_id != deferral.court_id or user.is_read_only:
            return "只有本院人员可以审批"
        if user.role not in DEFERRAL_APPROVERS:
            return "暂缓发放须经执行局长或院领导批准"
    if user.pk == deferral.requested_by_id:
        return "申请人不能审批自己的暂缓发放申请"
    return None


def deferral_request(*, actor: User, case: EnforcementCase, reason_kind: str, reason: str) -> PayoutDeferral:
    """申请暂缓发放: one open request or deferral per case; a retry with the same grounds returns it."""
    ensure_role(actor, DEFERRAL_REQUESTERS, "申请暂缓发放")
    ensure_can_act(actor, case.court_id)
    errors = []
    if reason_kind not in DeferralReason.values:
        errors.append(FieldError("reason_kind", f"暂缓事由须为法定情形之一（{DEFERRAL_CITATION}）"))
    if not reason.strip():
        errors.append(FieldError("reason", "请写明具体理由"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        (case,) = _lock_cases(case)
        if case.status == CaseStatus.ARCHIVED:
            raise Conflict("案件已归档", code="case_archived")
        open_one = PayoutDeferral.objects.filter(case_id=case.pk, status__in=(DeferralStatus.PENDING, DeferralStatus.ACTIVE)).first()
        if open_one is not None:
            if open_one.reason_kind == reason_kind and open_one.reason == reason.strip()[:500]:
                return open_one  # a retry
            raise Conflict(f"本案已有暂缓发放（{open_one.get_status_display()}），请先处理", code="deferral_open")
        balance = Account.objects.filter(case_id=case.pk).values_list("balance_fen", flat=True).first() or 0
        if balance <= 0:
            raise Conflict("本案账户没有待发放的案款，无需暂缓", code="nothing_to_defer")
        deferral = PayoutDeferral.objects.create(
            court_id=case.court_id, case=case, reason_kind=reason_kind, reason=reason.strip()[:500],
            requested_by=actor, requested_at=timezone.now(),
        )
        _log(case, actor, f"申请暂缓发放案款（{deferral.get_reason_kind_display()}，账户余额 {yuan(balance)}）",
             reason=reason, after={"deferral": deferral.pk, "status": deferral.status})
    return deferral


def deferral_decide(*, actor: User, deferral: PayoutDeferral, approve: bool, note: str = "") -> PayoutDeferral:
    """批准 starts the deferral today: the payout deadline of the money on the account is answered."""
    if not approve and not note.strip():
        raise ValidationFailed([FieldError("note", "不予批准须写明理由")])
    today = timezone.localdate()
    with transaction.atomic():
        (case,) = _lock_cases(deferral.case)
        deferral = PayoutDeferral.objects.select_for_update().get(pk=deferral.pk)
        if deferral.status != DeferralStatus.PENDING and deferral.decided_by_id == actor.pk:
            return deferral  # a retry
        refusal = deferral_refusal(actor, deferral)
        if refusal:
            raise NotAllowed(refusal)
        deferral.decided_by, deferral.decided_at, deferral.decision_note = actor, timezone.now(), note.strip()[:500]
        if approve:
            deferral.status, deferral.started_on = DeferralStatus.ACTIVE, today
        else:
            deferral.status = DeferralStatus.REJECTED
        deferral.save(update_fields=["status", "started_on", "decided_by", "decided_at", "decision_note"])
        if approve:
            record_service_node(case=case, node_code="payout_deferred", occurred_on=today, actor=actor,
                                note=f"经批准暂缓发放（{deferral.get_reason_kind_display()}）", once_per_day=True)
        _log(case, actor, f"暂缓发放申请：{'批准' if approve else '不予批准'}（{deferral.get_reason_kind_display()}）",
             reason=note or deferral.reason, node_code="payout_deferred" if approve else "",
             after={"deferral": deferral.pk, "status": deferral.status, "citation": DEFERRAL_CITATION})
        _supervise(case)
    return deferral


def deferral_end(*, actor: User, deferral: PayoutDeferral, ended_on: dt.date | None = None, note: str) -> PayoutDeferral:
    """事由消除: the deferral ends on the day its reason ended; the money is due 10 days later."""
    ensure_role(actor, DEFERRAL_REQUESTERS | DEFERRAL_APPROVERS, "登记暂缓事由消除")
    ensure_can_act(actor, deferral.court_id)
    today = timezone.localdate()
    ended_on = ended_on or today
    if not note.strip():
        raise ValidationFailed([FieldError("note", "请写明事由如何消除（如分配方案已生效、冻结已解除）")])
    with transaction.atomic():
        (case,) = _lock_cases(deferral.case)
        deferral = PayoutDeferral.objects.select_for_update().get(pk=deferral.pk)
        if deferral.status == DeferralStatus.ENDED and deferral.ended_on == ended_on:
            return deferral  # a retry
        if deferral.status != DeferralStatus.ACTIVE:
            raise Conflict(f"暂缓发放{deferral.get_status_display()}，不能登记事由消除", code="deferral_not_active")
        if ended_on > today:
            raise ValidationFailed([FieldError("ended_on", f"{ended_on} 晚于今天")])
        if ended_on < deferral.started_on:
            raise ValidationFailed([FieldError("ended_on", f"{ended_on} 早于暂缓起始日 {deferral.started_on}")])
        deferral.status, deferral.ended_on, deferral.ended_by = DeferralStatus.ENDED, ended_on, actor
        deferral.end_note, deferral.resume_due = note.strip()[:500], resume_due(ended_on)
        deferral.save(update_fields=["status", "ended_on", "ended_by", "end_note", "resume_due"])
        record_service_node(case=case, node_code="payout_deferral_ended", occurred_on=ended_on, actor=actor,
                            note=f"暂缓发放事由消除，{deferral.resume_due}前发放", once_per_day=True)
        _log(case, actor, f"暂缓发放事由消除（{ended_on:%Y-%m-%d}），应于 {deferral.resume_due:%Y-%m-%d} 前发放",
             reason=note, node_code="payout_deferral_ended",
             after={"deferral": deferral.pk, "resume_due": deferral.resume_due.isoformat(), "citation": AFTER_DEFERRAL.citation})
        _settled_if_empty(case, actor, ended_on)
        _supervise(case)
    return deferral
