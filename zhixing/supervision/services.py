"""Supervision actions on a case: locks and their unlocking, periods that do not count, extension of
the enforcement period, and re-basing a deadline on the current rule version. Each is one
transaction that appends to the case's execution log and recomputes the case's deadlines."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, LogAction
from zhixing.cases.exceptions import Conflict, FieldError, Locked, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.rules import HANDLING, LEADERS
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case
from zhixing.courts.models import Court
from zhixing.workdays import calendar

from . import engine, policies
from .models import CaseLock, Deadline, Extension, RuleVersion, Suspension, UnlockRequest
from .rules import (
    EXTENSION_CITATION,
    EXTENSION_MONTHS,
    EXTENSION_REQUEST_DAYS_BEFORE,
    RULES_BY_CODE,
    SuspensionKind,
)

COURT_APPROVERS = LEADERS
# At the intermediate court, unlocking after a second lock is a supervision act (seed 003: 提级审批解锁).
UPPER_APPROVERS = frozenset({Role.BUREAU_HEAD, Role.PRESIDENT, Role.SUPERVISOR, Role.COMMAND_CENTRE})
# Actions that are never blocked by a lock: asking to be unlocked is the way out.
ALWAYS_ALLOWED = frozenset({"unlock_request"})


def _ensure_staff(user: User, case: EnforcementCase, roles, what: str) -> None:
    ensure_can_act(user, case.court_id)
    ensure_role(user, roles, what)


# ---------------------------------------------------------------- locks


def active_lock(case_id: int) -> CaseLock | None:
    return CaseLock.objects.filter(case_id=case_id, released_on__isnull=True).first()


def lock_allows(lock: CaseLock, action: str) -> bool:
    if action in ALWAYS_ALLOWED:
        return True
    allowed: set[str] = set()
    for code in lock.rule_codes.split(","):
        rule = RULES_BY_CODE.get(code)
        if rule:
            allowed |= rule.allowed_when_locked()
            if rule.pausable:
                allowed.add("suspension")
    return action in allowed


def lock_refusal(case_id: int, action: str) -> str | None:
    """Why a locked case refuses `action` (a node code, or assign/party_update/close/archive), or None."""
    lock = active_lock(case_id)
    if lock is None or lock_allows(lock, action):
        return None
    return f"案件已程序锁死（{lock.locked_on} 第{lock.sequence}次）：{lock.reason}。其他操作须先申请解锁并经批准"


def ensure_not_locked(case: EnforcementCase, action: str) -> None:
    refusal = lock_refusal(case.pk, action)
    if refusal:
        raise Locked(refusal)


def approver_court(lock: CaseLock) -> Court:
    """One level up: the court's own leaders; after a second lock, the court above (the intermediate court)."""
    court = lock.case.court
    if lock.sequence >= 2 and court.parent_id:
        return court.parent
    return court


def can_decide(user: User, request: UnlockRequest) -> bool:
    if user.is_superuser:
        return True
    if user.pk == request.requested_by_id:
        return False
    if request.approver_court_id == request.court_id:
        return user.court_id == request.court_id and user.role in COURT_APPROVERS
    return user.court_id == request.approver_court_id and user.role in UPPER_APPROVERS


def unlock_request(*, actor: User, case: EnforcementCase, reason: str) -> UnlockRequest:
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请写明申请解锁的理由")])
    _ensure_staff(actor, case, HANDLING | COURT_APPROVERS | {Role.CLERK}, "申请解锁")
    with transaction.atomic():
        case = lock_case(case)
        lock = active_lock(case.pk)
        if lock is None:
            raise Conflict("案件未被锁定")
        if lock.requests.filter(status=UnlockRequest.Status.PENDING).exists():
            raise Conflict("已有待审批的解锁申请")
        court = approver_court(lock)
        request = UnlockRequest.objects.create(
            court_id=case.court_id, lock=lock, reason=reason.strip()[:500], requested_by=actor,
            requested_at=timezone.now(), approver_court=court,
        )
        log_append(
            case=case, actor=actor, action=LogAction.UNLOCK_REQUEST,
            summary=f"申请解锁（第{lock.sequence}次锁定），报{court.name}审批", reason=reason.strip()[:500],
            after={"lock": lock.sequence, "approver_court": court.court_code},
        )
    return request


def unlock_decide(*, actor: User, request: UnlockRequest, approve: bool, note: str = "") -> UnlockRequest:
    if not can_decide(actor, request):
        if actor.pk == request.requested_by_id:
            raise NotAllowed("不能审批自己提出的解锁申请")
        level = "上一级法院（第二次及以后的锁定）" if request.approver_court_id != request.court_id else "本院执行局长或院长"
        raise NotAllowed(f"解锁须由{level}审批（{request.approver_court.name}）")
    if not approve and not note.strip():
        raise ValidationFailed([FieldError("note", "驳回须写明理由")])
    with transaction.atomic():
        lock = request.lock
        case = lock_case(lock.case)
        request = UnlockRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != UnlockRequest.Status.PENDING:
            raise Conflict(f"该申请已{request.get_status_display()}")
        today = timezone.localdate()
        request.status = UnlockRequest.Status.APPROVED if approve else UnlockRequest.Status.REJECTED
        request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note.strip()[:500]
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            policy = policies.court_policies([case.court_id])[case.court_id]
            lock.released_on, lock.released_by = today, actor
            # The remedy now has the same grace as a new red warning before it can lock again.
            lock.relock_not_before = today + dt.timedelta(days=policy.lock_after_red_days)
            lock.save(update_fields=["released_on", "released_by", "relock_not_before"])
        log_append(
            case=case, actor=actor, action=LogAction.UNLOCK if approve else LogAction.UNLOCK_REJECT,
            summary=(f"批准解锁（第{lock.sequence}次锁定）；{lock.relock_not_before} 前不再锁定" if approve
                     else f"驳回解锁申请（第{lock.sequence}次锁定）"),
            reason=note.strip()[:500], after={"lock": lock.sequence, "approved": approve},
        )
    return request


# ---------------------------------------------------------------- periods that do not count


def suspension_start(*, actor: User, case: EnforcementCase, kind: str, start_on: dt.date, reason: str) -> Suspension:
    """Record a period not counted in the enforcement period (法发〔2006〕35号第13条)."""
    kinds = dict(SuspensionKind.CHOICES)
    if kind not in kinds:
        raise ValidationFailed([FieldError("kind", f"不计入期间的类型只能是：{'、'.join(kinds.values())}")])
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请写明依据（裁定书、决定书文号或事由）")])
    _ensure_staff(actor, case, HANDLING | COURT_APPROVERS, "记录不计入执行期限的期间")
    with transaction.atomic():
        case = lock_case(case)
        ensure_not_locked(case, "suspension")
        if case.status != CaseStatus.OPEN:
            raise Conflict("案件已结，不能再记录暂停期间")
        if start_on < case.filed_on or start_on > timezone.localdate():
            raise ValidationFailed([FieldError("start_on", f"开始日期须在立案日期 {case.filed_on} 与今天之间")])
        if Suspension.objects.filter(case=case, end_on__isnull=True).exists():
            raise Conflict("已有尚未结束的暂停期间，请先记录其结束")
        row = Suspension.objects.create(court_id=case.court_id, case=case, kind=kind, start_on=start_on,
                                        reason=reason.strip()[:300], recorded_by=actor)
        log_append(
            case=case, actor=actor, action=LogAction.SUSPEND,
            summary=f"{kinds[kind]}自 {start_on} 起，不计入执行期限（{SuspensionKind.CITATION}）",
            reason=reason.strip()[:300], after={"kind": kind, "start_on": start_on.isoformat()},
        )
        engine.supervise_cases([case.pk])
    return row


def suspension_end(*, actor: User, suspension: Suspension, end_on: dt.date, reason: str = "") -> Suspension:
    case = suspension.case
    _ensure_staff(actor, case, HANDLING | COURT_APPROVERS, "记录暂停期间结束")
    with transaction.atomic():
        case = lock_case(case)
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        if suspension.end_on is not None:
            raise Conflict(f"该期间已于 {suspension.end_on} 结束")
        if end_on < suspension.start_on or end_on > timezone.localdate():
            raise ValidationFailed([FieldError("end_on", f"结束日期须在 {suspension.start_on} 与今天之间")])
        if suspension.kind == "deferral":
            months = SuspensionKind.DEFERRAL_MAX_MONTHS + SuspensionKind.DEFERRAL_MAX_EXTENSION_MONTHS
            limit = calendar.add_months(suspension.start_on, months, roll_off_rest_day=False)
            if end_on > limit:
                raise ValidationFailed([FieldError(
                    "end_on",
                    f"暂缓执行最长{SuspensionKind.DEFERRAL_MAX_MONTHS}个月、延长不超过"
                    f"{SuspensionKind.DEFERRAL_MAX_EXTENSION_MONTHS}个月（至 {limit}）（{SuspensionKind.DEFERRAL_CITATION}）",
                )])
        suspension.end_on = end_on
        suspension.save(update_fields=["end_on"])
        days = (end_on - suspension.start_on).days
        log_append(
            case=case, actor=actor, action=LogAction.RESUME,
            summary=f"{suspension.get_kind_display()}于 {end_on} 结束，共 {days} 日不计入执行期限",
            reason=reason.strip()[:300], after={"end_on": end_on.isoformat(), "days": days},
        )
        engine.supervise_cases([case.pk])
    return suspension


# ---------------------------------------------------------------- extension of the enforcement period


def extension_request(*, actor: User, case: EnforcementCase, reason: str, requested_on: dt.date | None = None) -> Extension:
    """延长执行期限: asked at least 5 days before the period ends (法发〔2006〕35号第1条)."""
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请写明申请延长的理由")])
    _ensure_staff(actor, case, HANDLING, "申请延长执行期限")
    requested_on = requested_on or timezone.localdate()
    with transaction.atomic():
        case = lock_case(case)
        ensure_not_locked(case, "extension_requested")
        if case.status != CaseStatus.OPEN:
            raise Conflict("案件已结，无需延长执行期限")
        deadline = Deadline.objects.filter(case=case, rule_code="close_period").first()
        if deadline is None:
            engine.supervise_cases([case.pk])
            deadline = Deadline.objects.get(case=case, rule_code="close_period")
        latest = deadline.due_on - dt.timedelta(days=EXTENSION_REQUEST_DAYS_BEFORE)
        if requested_on > latest:
            raise ValidationFailed([FieldError(
                "requested_on",
                f"执行期限 {deadline.due_on} 届满，须在届满{EXTENSION_REQUEST_DAYS_BEFORE}日前（{latest} 之前）申请延长（{EXTENSION_CITATION}）",
            )])
        if Extension.objects.filter(case=case, status=Extension.Status.REQUESTED).exists():
            raise Conflict("已有待审批的延长申请")
        row = Extension.objects.create(court_id=case.court_id, case=case, months=EXTENSION_MONTHS, reason=reason.strip()[:500],
                                       requested_on=requested_on, requested_by=actor)
        log_append(case=case, actor=actor, action=LogAction.EXTENSION, node_code="extension_requested",
                   summary=f"申请延长执行期限{EXTENSION_MONTHS}个月（现届满日 {deadline.due_on}），报院长审批",
                   reason=reason.strip()[:500], after={"months": EXTENSION_MONTHS, "due_on": deadline.due_on.isoformat()})
    return row


def extension_decide(*, actor: User, extension: Extension, approve: bool, note: str = "") -> Extension:
    """Approved by the president or a vice-president (法发〔2006〕35号第1条)."""
    if not (actor.is_superuser or (actor.court_id == extension.court_id and actor.role == Role.PRESIDENT)):
        raise NotAllowed("延长执行期限须经院长（副院长）批准")
    with transaction.atomic():
        case = lock_case(extension.case)
        extension = Extension.objects.select_for_update().get(pk=extension.pk)
        if extension.status != Extension.Status.REQUESTED:
            raise Conflict(f"该申请已{extension.get_status_display()}")
        extension.status = Extension.Status.APPROVED if approve else Extension.Status.REJECTED
        extension.decided_by, extension.decided_at, extension.decision_note = actor, timezone.now(), note.strip()[:500]
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        before = Deadline.objects.filter(case=case, rule_code="close_period").values_list("due_on", flat=True).first()
        engine.supervise_cases([case.pk])
        after = Deadline.objects.filter(case=case, rule_code="close_period").values_list("due_on", flat=True).first()
        log_append(
            case=case, actor=actor, action=LogAction.EXTENSION,
            summary=(f"批准延长执行期限{extension.months}个月：{before} → {after}" if approve else "不批准延长执行期限"),
            reason=note.strip()[:500],
            before={"due_on": before.isoformat() if before else None},
            after={"due_on": after.isoformat() if after else None, "approved": approve},
        )
    return extension


# ---------------------------------------------------------------- re-basing on the current rule version


def deadline_rebase(*, actor: User, case: EnforcementCase, rule_code: str, reason: str) -> Deadline:
    """An administrator moves one case's deadline to the rule version now in force for its court."""
    if not actor.is_superuser:
        raise NotAllowed("只有系统管理员可以按新规则版本重算案件期限")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请写明重算理由")])
    with transaction.atomic():
        case = lock_case(case)
        deadline = Deadline.objects.select_for_update().filter(case=case, rule_code=rule_code).first()
        if deadline is None:
            raise NotFound("该案件没有此项期限")
        current_id = policies.current_versions([case.court_id])[(case.court_id, rule_code)]
        if deadline.rule_version_id == current_id:
            raise Conflict("该期限已适用现行规则版本")
        old_version, old_due = deadline.rule_version, deadline.due_on
        deadline.rule_version_id = current_id
        deadline.save(update_fields=["rule_version"])
        engine.supervise_cases([case.pk])
        deadline.refresh_from_db()
        new_version = RuleVersion.objects.get(pk=current_id)
        log_append(
            case=case, actor=actor, action=LogAction.REBASE,
            summary=(f"{RULES_BY_CODE[rule_code].name}改按规则版本 v{new_version.version}（{new_version.period_text}）计算："
                     f"届满日 {old_due} → {deadline.due_on}"),
            reason=reason.strip()[:500],
            before={"version": old_version.version, "version_id": old_version.pk, "due_on": old_due.isoformat()},
            after={"version": new_version.version, "version_id": new_version.pk, "due_on": deadline.due_on.isoformat()},
        )
    return deadline

