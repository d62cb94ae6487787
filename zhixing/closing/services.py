"""Findings on 终本 conditions: the handling judge records that a conditional condition does not
apply to this case (法〔2016〕373号 Art. 1(2), 1(5), Art. 4), with reasons — or withdraws that finding.
Each is one transaction with an execution-log entry. The restoration, pool, review, 执转破 and
archiving services live in their own modules (restoration.py, pool.py, review.py, bankruptcy.py,
archiving.py, investigation.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, LogAction
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case

from .models import ConditionFinding
from .rules import CONDITIONS_BY_CODE, FINDING_ROLES


def _findable(code: str):
    condition = CONDITIONS_BY_CODE.get(code)
    if condition is None or not condition.findable:
        allowed = "、".join(c.title for c in CONDITIONS_BY_CODE.values() if c.findable)
        raise ValidationFailed([FieldError("condition", f"“{code}”不是可以认定为不适用的终本条件；可认定的：{allowed}")])
    return condition


def finding_record(*, actor: User, case: EnforcementCase, condition: str, text: str) -> ConditionFinding:
    """认定: a conditional 终本 condition does not apply here, and why. Retrying with the same text
    changes nothing."""
    spec = _findable(condition)
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, FINDING_ROLES, "认定终本条件")
    text = (text or "").strip()
    if len(text) < 4:
        raise ValidationFailed([FieldError("text", f"须写明{spec.finding_label}（至少4个字）")])
    with transaction.atomic():
        case = lock_case(case)
        if case.status != CaseStatus.OPEN:
            raise DomainError(f"案件{case.get_status_display()}，不能再认定终本条件", code="case_closed")
        latest = ConditionFinding.objects.filter(case=case, condition=spec.code).order_by("-recorded_at", "-id").first()
        if latest is not None and not latest.withdrawn and latest.text == text[:500]:
            return latest
        finding = ConditionFinding.objects.create(court_id=case.court_id, case=case, condition=spec.code, text=text[:500],
                                                  recorded_by=actor, recorded_at=timezone.now())
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"终本条件认定：{spec.title}不适用——{finding.text}"[:300],
                   before={"finding": latest.text} if latest is not None and not latest.withdrawn else None,
                   after={"condition": spec.code, "finding": finding.pk, "citation": spec.citation}, reason=finding.text)
    return finding


def finding_withdraw(*, actor: User, case: EnforcementCase, condition: str, reason: str) -> ConditionFinding:
    """撤回认定: the condition must again be met by a record. The finding stays in the history."""
    spec = _findable(condition)
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, FINDING_ROLES, "撤回终本条件认定")
    if not (reason or "").strip():
        raise ValidationFailed([FieldError("reason", "撤回认定须说明理由")])
    with transaction.atomic():
        case = lock_case(case)
        if case.status != CaseStatus.OPEN:
            raise DomainError(f"案件{case.get_status_display()}，不能再撤回认定", code="case_closed")
        latest = ConditionFinding.objects.filter(case=case, condition=spec.code).order_by("-recorded_at", "-id").first()
        if latest is None or latest.withdrawn:
            raise DomainError(f"“{spec.title}”没有有效的认定可以撤回", code="no_finding")
        row = ConditionFinding.objects.create(court_id=case.court_id, case=case, condition=spec.code, text=reason.strip()[:500],
                                              withdrawn=True, recorded_by=actor, recorded_at=timezone.now())
        log_append(case=case, actor=actor, action=LogAction.NOTE, summary=f"撤回终本条件认定：{spec.title}"[:300],
                   before={"finding": latest.text}, after={"condition": spec.code, "withdrawn": True}, reason=row.text)
    return row
